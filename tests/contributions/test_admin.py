import re
import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from contributions import workflow
from contributions.models import BlockedSender, RejectionReason, Submission
from tests.factories import ArticleFactory, UserFactory
from tests.html import top_level_forms

from .conftest import article_text

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:contributions_submission_changelist")


def url(name, submission):
    return reverse(f"admin:contributions_submission_{name}", args=[submission.pk])


def test_decision_forms_are_not_nested_in_the_change_form(editor_client, incoming):
    submission = workflow.receive(incoming())
    actions = top_level_forms(editor_client.get(url("change", submission)).content.decode())
    for name in ["claim", "accept", "changes", "reject", "spam"]:
        assert url(name, submission) in actions


class TestQueue:
    def test_changelist_columns_filters_search_and_counts(self, editor_client, incoming, editor):
        first = workflow.receive(incoming(title="Quantum batteries"))
        workflow.receive(incoming(title="Other piece", email="other@example.org"))
        workflow.claim(first, editor)
        response = editor_client.get(CHANGELIST)
        assert response.status_code == 200
        assert response.context["cl"].result_count == 2
        counts = {row["status"]: row["count"] for row in response.context["status_counts"]}
        assert counts["received"] == 1 and counts["in_review"] == 1 and counts["spam"] == 0
        page = response.content.decode()
        assert "Web form" in page and "web, unverified" in page
        assert editor_client.get(CHANGELIST, {"q": "quantum"}).context["cl"].result_count == 1
        assert editor_client.get(CHANGELIST, {"claim": "mine"}).context["cl"].result_count == 1
        assert editor_client.get(CHANGELIST, {"claim": "unclaimed"}).context["cl"].result_count == 1
        assert editor_client.get(CHANGELIST, {"status__exact": "in_review"}).context["cl"].result_count == 1

    def test_duplicate_flag_and_filter(self, editor_client, incoming, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):  # the fingerprint is made after commit
            original = ArticleFactory(body=article_text(300, seed="dup"))
        workflow.receive(incoming(body=original.body))
        workflow.receive(incoming(body="<p>" + " ".join(f"unique{i}" for i in range(80)) + "</p>"))
        response = editor_client.get(CHANGELIST, {"flag": "duplicate"})
        assert response.context["cl"].result_count == 1
        assert re.search(r"duplicate \d+%", response.content.decode())

    def test_detail_shows_preview_images_report_matches_and_other_submissions(
        self, editor_client, incoming, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):  # the fingerprint is made after commit
            original = ArticleFactory(title="Original story", body=article_text(300, seed="copy"))
        workflow.receive(incoming(title="Earlier one"))
        sub = workflow.receive(incoming(body=original.body + '<p><a href="https://amzn.to/x">buy</a></p>'))
        response = editor_client.get(url("change", sub))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Preview (as readers would see it)" in page
        assert 'rel="ugc nofollow noopener noreferrer"' in page
        assert "Original story" in page and reverse("admin:blog_article_change", args=[original.pk]) in page
        assert "Earlier one" in page  # the contributor's other submission
        assert "amzn.to" in page  # intake report
        assert "Claim" in page and "Accept" in page and "Mark as spam" in page

    def test_no_add_button(self, editor_client):
        assert editor_client.get(reverse("admin:contributions_submission_add")).status_code == 403


class TestDecisionsThroughTheAdmin:
    def test_claim_then_accept(self, editor_client, editor, submission):
        assert editor_client.post(url("claim", submission)).status_code == 302
        response = editor_client.post(url("accept", submission), {"note": "great"}, follow=True)
        submission.refresh_from_db()
        assert submission.status == Submission.Status.ACCEPTED
        assert "Edit the article draft" in response.content.decode()
        assert submission.events.last().note == "great"

    def test_request_changes_needs_a_message(self, editor_client, submission):
        response = editor_client.post(url("changes", submission), {"message": ""}, follow=True)
        assert "This field is required" in response.content.decode()
        assert Submission.objects.get().status == Submission.Status.RECEIVED
        editor_client.post(url("changes", submission), {"message": "Add sources"})
        assert Submission.objects.get().status == Submission.Status.CHANGES_REQUESTED

    def test_reject_with_reason(self, editor_client, submission):
        reason = RejectionReason.objects.get(title="Not a fit for our readers")
        editor_client.post(url("reject", submission), {"reason": reason.pk, "message": "", "note": ""})
        assert Submission.objects.get().status == Submission.Status.REJECTED

    def test_spam_and_block(self, editor_client, submission):
        editor_client.post(url("spam", submission), {"block_sender": "on"})
        assert Submission.objects.get().status == Submission.Status.SPAM
        assert BlockedSender.objects.filter(address="grace@example.org").exists()

    def test_someone_elses_claim_is_respected(self, editor_client, submission):
        other = UserFactory(is_staff=True)
        workflow.claim(submission, other)
        response = editor_client.post(url("accept", submission), follow=True)
        assert "has claimed this submission" in response.content.decode()
        assert Submission.objects.get().status == Submission.Status.IN_REVIEW

    def test_bulk_claim_and_spam_actions(self, editor_client, incoming):
        subs = [workflow.receive(incoming(title=f"S{n}")) for n in range(3)]
        data = {"action": "claim_selected", "_selected_action": [s.pk for s in subs[:2]]}
        editor_client.post(CHANGELIST, data)
        assert Submission.objects.filter(status=Submission.Status.IN_REVIEW).count() == 2
        editor_client.post(CHANGELIST, {"action": "mark_selected_spam", "_selected_action": [subs[2].pk]})
        assert Submission.objects.get(pk=subs[2].pk).status == Submission.Status.SPAM

    def test_authors_group_cannot_see_the_queue(self, writer_client):
        assert writer_client.get(CHANGELIST).status_code == 403

    def test_raw_message_download(self, editor_client, incoming):
        sub = workflow.receive(incoming(raw_message=b"Subject: Hi\r\n\r\nBody"))
        response = editor_client.get(url("raw", sub))
        assert response.status_code == 200
        assert response["Content-Type"] == "message/rfc822"
        assert b"".join(response.streaming_content) == b"Subject: Hi\r\n\r\nBody"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs concurrent connections (PostgreSQL)")
def test_two_editors_claiming_at_once_exactly_one_wins(incoming):
    """Run on PostgreSQL by .ci/run; SQLite serialises writers, so there is no race to test there."""
    submission = workflow.receive(incoming())
    editors = [UserFactory(is_staff=True) for _ in range(2)]
    barrier = threading.Barrier(2)
    results = {}

    def attempt(editor):
        try:
            barrier.wait()
            workflow.claim(submission, editor)
            results[editor.pk] = "won"
        except workflow.TransitionError:
            results[editor.pk] = "lost"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(editor,)) for editor in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["lost", "won"]
    winner = next(pk for pk, result in results.items() if result == "won")
    assert Submission.objects.get().claimed_by_id == winner
    assert submission.events.filter(kind="claimed").count() == 1


def test_hostile_html_never_reaches_the_admin_preview(editor_client, incoming):
    sub = workflow.receive(
        incoming(
            title='<script>alert("t")</script>',
            name='<img src=x onerror="alert(1)">',
            body=article_text() + '<p onclick="x()"><script>alert(1)</script><a href="javascript:alert(1)">j</a>'
            '<svg onload="alert(1)"></svg><iframe src="https://evil.example"></iframe></p>',
        )
    )
    page = editor_client.get(url("change", sub)).content.decode()
    for bad in [
        '<script>alert("t")',
        "<script>alert(1)",
        'onerror="alert(1)"',
        "javascript:alert",
        "<svg onload",
        "<iframe",
    ]:
        assert bad not in page
