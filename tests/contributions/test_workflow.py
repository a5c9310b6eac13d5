import pytest
from django.core import mail

from blog.models import Article, Author
from contributions import workflow
from contributions.models import BlockedSender, RejectionReason, Submission, SubmissionEvent
from outbox.models import OutgoingEmail
from tests.factories import ArticleFactory, AuthorFactory

from .conftest import article_text

pytestmark = pytest.mark.django_db
Status = Submission.Status
Kind = SubmissionEvent.Kind


def kinds(submission):
    return list(submission.events.values_list("kind", flat=True))


class TestReceive:
    def test_stores_analyses_and_records(self, submission):
        assert submission.status == Status.RECEIVED
        assert submission.word_count == 120 + len("What solid-state batteries change".split())
        assert submission.report["word_count"] > 0
        assert kinds(submission) == [Kind.RECEIVED]
        assert len(submission.token) >= 32

    def test_links_get_rel_ugc_and_hostile_html_is_removed(self, db, incoming):
        sub = workflow.receive(
            incoming(
                body=article_text()
                + '<p><a href="https://shop.example.com/x">shop</a><a href="javascript:alert(1)">js</a>'
                '<img src="data:image/png;base64,AAAA" onerror="alert(1)"><script>alert(1)</script>'
                '<svg onload="alert(1)"></svg><iframe src="https://evil.example"></iframe>'
                '<form action="https://evil.example"><input name="q"></form>'
                '<meta http-equiv="refresh" content="0;url=https://evil.example"></p>'
            )
        )
        assert 'rel="ugc nofollow noopener noreferrer"' in sub.body
        hostile = ["javascript:", "data:", "onerror", "onload", "<script", "<svg", "<iframe", "<form", "<input"]
        hostile.append("<meta")
        for bad in hostile:
            assert bad not in sub.body

    def test_emails_go_out_after_commit(self, db, incoming, editor, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks() as callbacks:
            sub = workflow.receive(incoming())
            assert mail.outbox == []  # nothing is sent inside the transaction
        assert len(callbacks) == 2
        for callback in callbacks:
            callback()
        to_contributor, to_editors = mail.outbox
        assert to_contributor.to == ["grace@example.org"]
        assert sub.tracking_url in to_contributor.body
        assert to_contributor.extra_headers["Auto-Submitted"] == "auto-replied"
        assert to_editors.to == [editor.email]
        assert "What solid-state batteries change" in to_editors.subject

    def test_failed_send_loses_nothing_and_is_retried(self, db, incoming, settings, django_capture_on_commit_callbacks):
        settings.EMAIL_BACKEND = "tests.contributions.failing_backend.EmailBackend"
        with django_capture_on_commit_callbacks(execute=True):
            sub = workflow.receive(incoming())
        assert Submission.objects.filter(pk=sub.pk).exists()
        email = OutgoingEmail.objects.get(reference=f"submission:{sub.pk}")
        assert email.status == OutgoingEmail.Status.FAILED
        assert "SMTPServerDisconnected" in email.last_error
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        from django.core.management import call_command

        call_command("send_queued_email")
        email.refresh_from_db()
        assert email.status == OutgoingEmail.Status.SENT
        assert len(mail.outbox) == 1

    def test_near_copy_of_an_article_is_flagged(self, db, incoming, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):  # the fingerprint is made after commit
            original = ArticleFactory(title="The long road to solid-state", body=article_text(400, seed="range"))
        copy = original.body.replace("expensive", "costly").replace("</p>", " And a sentence of our own.</p>")
        sub = workflow.receive(incoming(title="The long road to solid-state", body=copy))
        assert sub.is_possible_duplicate
        assert sub.matches[0]["kind"] == "article"
        assert sub.matches[0]["id"] == original.pk
        assert sub.duplicate_score >= 0.5

    def test_original_text_is_not_flagged(self, db, incoming):
        ArticleFactory(body="<p>" + " ".join(f"word{i}" for i in range(300)) + "</p>")
        sub = workflow.receive(incoming())
        assert not sub.is_possible_duplicate
        assert sub.matches == []

    def test_a_second_copy_of_a_submission_is_flagged_against_the_first(self, db, incoming):
        first = workflow.receive(incoming(body=article_text(300, seed="twice")))
        second = workflow.receive(incoming(email="other@example.org", body=article_text(300, seed="twice")))
        assert [(m["kind"], m["id"]) for m in second.matches] == [("submission", first.pk)]
        assert second.duplicate_score == 1.0
        assert first.fingerprint.bands.exists() and second.fingerprint.bands.exists()


class TestTransitions:
    def test_claim_moves_to_review_and_blocks_other_editors(self, submission, editor, writer):
        workflow.claim(submission, editor)
        submission.refresh_from_db()
        assert submission.status == Status.IN_REVIEW
        assert submission.claimed_by == editor
        with pytest.raises(workflow.TransitionError, match="has claimed this submission"):
            workflow.claim(submission, writer)
        with pytest.raises(workflow.TransitionError, match="has claimed"):
            workflow.accept(submission, writer)
        workflow.release(submission, editor)
        workflow.claim(submission, writer)
        assert Submission.objects.get().claimed_by == writer
        assert kinds(submission) == [Kind.RECEIVED, Kind.CLAIMED, Kind.RELEASED, Kind.CLAIMED]

    def test_request_changes_emails_the_message(self, submission, editor, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            workflow.request_changes(submission, editor, "Please add your sources.", note="weak sourcing")
        submission.refresh_from_db()
        assert submission.status == Status.CHANGES_REQUESTED
        event = submission.events.last()
        assert (event.kind, event.actor, event.message, event.note) == (
            Kind.CHANGES_REQUESTED,
            editor,
            "Please add your sources.",
            "weak sourcing",
        )
        assert "Please add your sources." in mail.outbox[-1].body
        assert "weak sourcing" not in mail.outbox[-1].body

    def test_request_changes_needs_a_message(self, submission, editor):
        with pytest.raises(workflow.TransitionError):
            workflow.request_changes(submission, editor, "  ")

    def test_revision_goes_back_to_the_queue(self, submission, editor):
        workflow.claim(submission, editor)
        workflow.request_changes(submission, editor, "More detail, please.")
        workflow.revise(submission, title="New title", body=article_text(200), note="Added detail")
        submission.refresh_from_db()
        assert submission.status == Status.IN_REVIEW  # still claimed by the editor
        event = submission.events.last()
        assert event.kind == Kind.REVISED
        assert event.data["previous"]["title"] == "What solid-state batteries change"
        assert submission.title == "New title"

    def test_a_revision_is_not_matched_with_itself(self, submission, editor):
        words_before = submission.fingerprint.words
        workflow.request_changes(submission, editor, "More detail, please.")
        workflow.revise(submission, title=submission.title, body=submission.body + article_text(40), note="")
        submission.refresh_from_db()
        assert submission.matches == []
        assert submission.fingerprint.words >= words_before + 39  # the fingerprint was replaced

    def test_accept_creates_a_draft_credited_to_the_contributor(self, submission, editor):
        workflow.accept(submission, editor, note="Good piece")
        submission.refresh_from_db()
        article = submission.article
        assert submission.status == Status.ACCEPTED
        assert (submission.decided_by, article.status) == (editor, Article.Status.DRAFT)
        assert article.title == submission.title
        assert article.author.email == "grace@example.org"
        assert article.author.name == "Grace Contributor"
        assert article.author.bio == "Grace builds battery test rigs."
        assert sorted(t.name for t in article.tags.all()) == ["batteries", "cars"]
        assert article.submission == submission  # linked both ways
        assert not article.is_live

    def test_accept_reuses_an_author_with_the_same_email(self, submission, editor):
        existing = AuthorFactory(email="GRACE@example.org")
        workflow.accept(submission, editor)
        assert Submission.objects.get().article.author == existing
        assert Author.objects.filter(email__iexact="grace@example.org").count() == 1

    def test_accept_turns_ugc_links_into_editorial_links(self, db, incoming, editor):
        sub = workflow.receive(incoming(body=article_text() + '<p><a href="https://example.com/a">source</a></p>'))
        workflow.accept(sub, editor)
        body = Submission.objects.get().article.body
        assert 'href="https://example.com/a" rel="noopener noreferrer"' in body
        assert "ugc" not in body

    def test_reject_with_a_reason_template(self, submission, editor, django_capture_on_commit_callbacks):
        reason = RejectionReason.objects.get(title="Promotional")
        with django_capture_on_commit_callbacks(execute=True):
            workflow.reject(submission, editor, reason, message="Try us again with a review.", note="ad copy")
        submission.refresh_from_db()
        assert submission.status == Status.REJECTED
        body = mail.outbox[-1].body
        assert "Hello Grace Contributor" in body
        assert "“What solid-state batteries change”" in body
        assert "Try us again with a review." in body
        assert "ad copy" not in body
        assert submission.events.last().data == {"reason": "Promotional"}

    def test_spam_blocks_the_sender_and_sends_nothing(self, submission, editor, django_capture_on_commit_callbacks):
        sent_before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            workflow.mark_spam(submission, editor, block_sender=True)
        assert Submission.objects.get().status == Status.SPAM
        assert BlockedSender.is_blocked("Grace@Example.org")
        assert len(mail.outbox) == sent_before

    @pytest.mark.parametrize("final", ["accept", "reject", "spam"])
    def test_decided_submissions_cannot_move_again(self, submission, editor, final):
        reason = RejectionReason.objects.first()
        {"accept": lambda: workflow.accept(submission, editor),
         "reject": lambda: workflow.reject(submission, editor, reason),
         "spam": lambda: workflow.mark_spam(submission, editor)}[final]()  # fmt: skip
        with pytest.raises(workflow.TransitionError, match="You cannot"):
            workflow.accept(submission, editor)
        with pytest.raises(workflow.TransitionError, match="You cannot"):
            workflow.claim(submission, editor)

    def test_every_transition_writes_history(self, submission, editor):
        workflow.claim(submission, editor)
        workflow.request_changes(submission, editor, "Sources?")
        workflow.revise(submission, title="T", body=article_text())
        workflow.accept(submission, editor)
        rows = list(submission.events.values_list("kind", "from_status", "to_status"))
        assert rows == [
            (Kind.RECEIVED, "", Status.RECEIVED),
            (Kind.CLAIMED, Status.RECEIVED, Status.IN_REVIEW),
            (Kind.CHANGES_REQUESTED, Status.IN_REVIEW, Status.CHANGES_REQUESTED),
            (Kind.REVISED, Status.CHANGES_REQUESTED, Status.IN_REVIEW),
            (Kind.ACCEPTED, Status.IN_REVIEW, Status.ACCEPTED),
        ]


class TestAcceptImages:
    def test_pictures_become_the_featured_image_and_figures(self, db, incoming, editor):
        from contributions.uploads import process_image
        from tests.conftest import make_image_file

        images = [(None, process_image(make_image_file(f"p{n}.png", size=(640, 360)))) for n in range(3)]
        sub = workflow.receive(incoming(images=images))
        workflow.accept(sub, editor)
        article = Submission.objects.get().article
        assert article.featured_image.name.startswith("articles/guest/")
        assert (article.featured_image_width, article.featured_image_height) == (640, 360)
        assert article.featured_image_alt  # required with an image; the editor refines it
        assert article.body.count("<figure><img") == 2
        assert article.body.count('width="640" height="360"') == 2  # sized, so the page does not jump
        for image in sub.images.all():
            assert image.image.url not in article.body  # copies, not the submission's files
        article.full_clean()  # a valid draft

    def test_pictures_placed_in_the_text_stay_in_place(self, db, incoming, editor):
        from contributions.uploads import process_image
        from tests.conftest import make_image_file

        body = article_text() + '<figure><img src="cid:pic" alt="A chart"></figure>'
        sub = workflow.receive(incoming(body=body, images=[("pic", process_image(make_image_file("c.png")))]))
        assert sub.images.get().image.url in sub.body
        workflow.accept(sub, editor)
        article = Submission.objects.get().article
        assert '<figure><img src="/media/articles/guest/' in article.body
        assert 'alt="A chart"' in article.body
        # Also proposed as the featured image (a copy of its own), its alt text as the caption.
        assert article.featured_image.name.startswith("articles/guest/")
        assert article.featured_image.url not in article.body
        assert (article.featured_image_alt, article.featured_image_caption) == ("A chart", "A chart")
