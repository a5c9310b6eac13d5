import pytest
from django.core import mail
from django.db.models import ProtectedError

from blog.models import Article
from complaints import workflow
from complaints.models import Complaint, ComplaintEvent
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db
Status = Complaint.Status
Kind = ComplaintEvent.Kind


def kinds(complaint):
    return list(complaint.events.values_list("kind", flat=True))


def article_status(article):
    return Article.objects.values_list("status", flat=True).get(pk=article.pk)


class TestReceive:
    def test_stores_and_records(self, complaint, article):
        assert complaint.status == Status.NEW
        assert complaint.article == article
        assert complaint.good_faith and complaint.accuracy and complaint.affirmed_at is not None
        assert complaint.ip_address == "10.0.0.1"
        assert kinds(complaint) == [Kind.RECEIVED]
        assert list(Complaint.objects.open()) == [complaint]
        assert str(complaint) == f"Complaint #{complaint.pk} by Analytical Press"

    def test_receipt_and_editors_notice_go_out_after_commit(
        self, complaint_data, editor, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            complaint = workflow.receive(**complaint_data())
            assert mail.outbox == []  # nothing is sent inside the transaction
        assert len(callbacks) == 2
        for callback in callbacks:
            callback()
        to_claimant, to_editors = mail.outbox
        assert to_claimant.to == ["ada@rights.example"]
        assert f"[complaint #{complaint.pk}]" in to_claimant.subject
        assert "How to wire a heat pump" in to_claimant.body
        assert "/pages/copyright-policy/" in to_claimant.body
        assert to_claimant.extra_headers["Auto-Submitted"] == "auto-replied"
        assert to_editors.to == [editor.email]
        assert f"/admin/complaints/complaint/{complaint.pk}/change/" in to_editors.body
        assert "ada@rights.example" in to_editors.body

    def test_no_editors_no_notice(self, complaint_data, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            workflow.receive(**complaint_data())
        assert [m.to for m in mail.outbox] == [["ada@rights.example"]]

    def test_needs_both_statements(self, complaint_data):
        with pytest.raises(ValueError):
            workflow.receive(**complaint_data(accuracy=False))
        assert not Complaint.objects.exists()


class TestStartReview:
    def test_new_to_under_review(self, complaint, editor):
        workflow.start_review(complaint, editor)
        complaint.refresh_from_db()
        assert complaint.status == Status.UNDER_REVIEW
        event = complaint.events.last()
        assert (event.kind, event.from_status, event.to_status, event.actor) == (
            Kind.REVIEW_STARTED,
            Status.NEW,
            Status.UNDER_REVIEW,
            editor,
        )
        assert complaint.is_open

    def test_only_once(self, complaint, editor):
        workflow.start_review(complaint, editor)
        with pytest.raises(workflow.TransitionError, match="cannot start reviewing a complaint that is under review"):
            workflow.start_review(complaint, editor)


class TestUphold:
    def test_takes_the_article_down_and_records_its_status(
        self, complaint, article, editor, django_capture_on_commit_callbacks
    ):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            workflow.uphold(complaint, editor, "  It copied chapter 3.  ")
        complaint.refresh_from_db()
        assert complaint.status == Status.UPHELD
        assert (complaint.decided_by, complaint.reason) == (editor, "It copied chapter 3.")
        assert complaint.decided_at is not None and complaint.is_in_force
        assert article_status(article) == Article.Status.TAKEN_DOWN
        assert not Article.objects.live().filter(pk=article.pk).exists()
        event = complaint.events.last()
        assert event.kind == Kind.UPHELD
        assert event.data == {"article": article.pk, "previous_status": "published", "reason": "It copied chapter 3."}
        assert Complaint.objects.takedown_of(article) == complaint
        to_claimant, to_author = mail.outbox
        assert to_claimant.to == ["ada@rights.example"]
        assert "upheld" in to_claimant.subject
        assert "It copied chapter 3." in to_claimant.body
        assert to_author.to == ["pat@example.com"]
        assert "Analytical Press" in to_author.body and "It copied chapter 3." in to_author.body
        assert "ada@rights.example" not in to_author.body  # the claimant's address stays with us

    def test_from_under_review_with_the_default_reason(self, complaint, editor):
        workflow.start_review(complaint, editor)
        workflow.uphold(complaint, editor)
        complaint.refresh_from_db()
        assert complaint.reason == (
            "Removed after a copyright complaint from Analytical Press about this work: "
            "“Heat pumps explained”, chapter 3 of our handbook: https://press.example/heat-pumps"
        )

    def test_author_without_email_is_not_written_to(self, complaint_data, editor, django_capture_on_commit_callbacks):
        article = ArticleFactory(author=AuthorFactory(email=""))
        with django_capture_on_commit_callbacks(execute=True):
            complaint = workflow.receive(**complaint_data(article=article))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            workflow.uphold(complaint, editor)
        assert [m.to for m in mail.outbox] == [["ada@rights.example"]]

    def test_body_and_slug_are_untouched(self, complaint, article, editor):
        workflow.uphold(complaint, editor)
        taken_down = Article.objects.get(pk=article.pk)
        assert (taken_down.body, taken_down.slug, taken_down.published_at) == (
            article.body,
            article.slug,
            article.published_at,
        )

    @pytest.mark.parametrize("decide", ["uphold", "reject"])
    def test_only_open_complaints(self, complaint, editor, decide):
        getattr(workflow, decide)(complaint, editor, "Done.")
        with pytest.raises(workflow.TransitionError, match="You cannot uphold a complaint that is"):
            workflow.uphold(complaint, editor)

    def test_second_complaint_on_a_taken_down_article(self, complaint, receive, article, editor):
        other = receive(claimant_name="Bo", signature="Bo", organisation="")
        workflow.uphold(complaint, editor)
        workflow.uphold(other, editor, "Also copied ours.")
        assert article_status(article) == Article.Status.TAKEN_DOWN
        assert other.events.last().data["previous_status"] == "published"  # carried over, not "taken_down"
        assert Complaint.objects.takedown_of(article) == other


class TestReject:
    def test_article_stays_up_and_the_claimant_is_told_why(
        self, complaint, article, editor, django_capture_on_commit_callbacks
    ):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            workflow.reject(complaint, editor, "The passage is a short quotation with credit.")
        complaint.refresh_from_db()
        assert complaint.status == Status.REJECTED
        assert complaint.decided_by == editor
        assert article_status(article) == Article.Status.PUBLISHED
        assert complaint.events.last().note == "The passage is a short quotation with credit."
        (email,) = mail.outbox
        assert email.to == ["ada@rights.example"]
        assert "The passage is a short quotation with credit." in email.body

    def test_needs_a_reason(self, complaint, editor):
        with pytest.raises(workflow.TransitionError, match="Write why the complaint is rejected"):
            workflow.reject(complaint, editor, "  ")
        assert Complaint.objects.get().status == Status.NEW

    def test_not_after_upholding(self, complaint, editor):
        workflow.uphold(complaint, editor)
        with pytest.raises(workflow.TransitionError, match="You cannot reject a complaint that is upheld"):
            workflow.reject(complaint, editor, "Changed my mind")


class TestRestore:
    def test_puts_the_article_back_and_tells_author_and_claimant(
        self, complaint, article, editor, django_capture_on_commit_callbacks
    ):
        workflow.uphold(complaint, editor)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            restored = workflow.restore(complaint, editor, "The author showed us their licence.")
        assert restored.status == Article.Status.PUBLISHED
        assert Article.objects.live().filter(pk=article.pk).exists()
        complaint.refresh_from_db()
        assert complaint.status == Status.UPHELD  # the decision stands; its takedown is lifted
        assert (complaint.restored_by, complaint.is_in_force) == (editor, False)
        assert kinds(complaint) == [Kind.RECEIVED, Kind.UPHELD, Kind.RESTORED]
        assert complaint.events.last().note == "The author showed us their licence."
        assert Complaint.objects.takedown_of(article) is None
        to_author, to_claimant = mail.outbox
        assert to_author.to == ["pat@example.com"]
        assert to_claimant.to == ["ada@rights.example"]
        for email in mail.outbox:
            assert "The author showed us their licence." in email.body

    def test_by_article_lifts_every_complaint_in_force(self, complaint, receive, article, editor):
        other = receive(claimant_name="Bo", signature="Bo")
        workflow.uphold(complaint, editor)
        workflow.uphold(other, editor)
        workflow.restore(article, editor)
        assert article_status(article) == Article.Status.PUBLISHED
        assert not Complaint.objects.in_force().exists()
        assert other.events.last().kind == Kind.RESTORED

    def test_gives_back_the_status_the_article_had(self, complaint, article, editor):
        Article.objects.filter(pk=article.pk).update(status=Article.Status.WITHDRAWN)
        workflow.uphold(complaint, editor)
        workflow.restore(complaint, editor)
        assert article_status(article) == Article.Status.WITHDRAWN

    def test_an_article_taken_down_by_hand_comes_back_published(self, article, editor):
        Article.objects.filter(pk=article.pk).update(status=Article.Status.TAKEN_DOWN)
        workflow.restore(article, editor)
        assert article_status(article) == Article.Status.PUBLISHED

    def test_only_once(self, complaint, article, editor):
        workflow.uphold(complaint, editor)
        workflow.restore(complaint, editor)
        with pytest.raises(workflow.TransitionError, match="this one is restored"):
            workflow.restore(complaint, editor)
        with pytest.raises(workflow.TransitionError, match="is not taken down"):
            workflow.restore(article, editor)

    @pytest.mark.parametrize("state", ["new", "rejected"])
    def test_not_a_complaint_that_was_not_upheld(self, complaint, editor, state):
        if state == "rejected":
            workflow.reject(complaint, editor, "No.")
        with pytest.raises(workflow.TransitionError, match=f"this one is {state}"):
            workflow.restore(complaint, editor)

    def test_taken_down_again_after_a_restore(self, complaint, receive, article, editor):
        workflow.uphold(complaint, editor)
        workflow.restore(complaint, editor)
        later = receive(claimant_name="Bo", signature="Bo")
        workflow.uphold(later, editor, "Second time.")
        assert Complaint.objects.takedown_of(article) == later
        workflow.restore(later, editor)
        assert article_status(article) == Article.Status.PUBLISHED


def test_an_article_with_complaints_cannot_be_deleted(complaint, article):
    with pytest.raises(ProtectedError):
        article.delete()


def test_counts_by_status(complaint, receive, editor):
    workflow.reject(receive(), editor, "No.")
    counts = Complaint.objects.counts_by_status()
    assert counts == {"new": 1, "under_review": 0, "upheld": 0, "rejected": 1}
