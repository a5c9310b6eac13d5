import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from blog.models import Article
from complaints import workflow
from complaints.models import Complaint
from tests.factories import UserFactory
from tests.html import top_level_forms

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:complaints_complaint_changelist")


def url(name, complaint):
    return reverse(f"admin:complaints_complaint_{name}", args=[complaint.pk])


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


class TestQueue:
    def test_changelist_counts_filter_and_search(self, editor_client, editor, complaint, receive):
        other = receive(claimant_name="Bo Rights", signature="Bo Rights", organisation="")
        workflow.reject(other, editor, "Quotation with credit.")
        response = editor_client.get(CHANGELIST)
        assert response.status_code == 200
        assert response.context["cl"].result_count == 2
        counts = {row["status"]: row["count"] for row in response.context["status_counts"]}
        assert counts == {"new": 1, "under_review": 0, "upheld": 0, "rejected": 1}
        page = response.content.decode()
        assert "Ada Lovelace" in page and "Analytical Press" in page and "How to wire a heat pump" in page
        assert editor_client.get(CHANGELIST, {"status__exact": "rejected"}).context["cl"].result_count == 1
        assert editor_client.get(CHANGELIST, {"q": "analytical"}).context["cl"].result_count == 1
        assert editor_client.get(CHANGELIST, {"q": "heat pump"}).context["cl"].result_count == 2

    def test_change_page_shows_what_was_sent_history_and_decisions(self, editor_client, complaint):
        response = editor_client.get(url("change", complaint))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Heat pumps explained" in page and "ada@rights.example" in page
        assert "History" in page and "Received" in page
        for button in ["Start review", "Uphold and take the article down", "Reject"]:
            assert f'value="{button}"' in page
        assert "Restore the article" not in page
        assert 'name="_save"' not in page  # decisions only, through their buttons
        assert "Removed after a copyright complaint from Analytical Press" in page  # suggested reason
        actions = top_level_forms(page)
        for name in ["review", "uphold", "reject"]:
            assert url(name, complaint) in actions  # each decision is a form of its own

    def test_no_adding_and_no_deleting(self, editor_client, complaint):
        assert editor_client.get(reverse("admin:complaints_complaint_add")).status_code == 403
        assert editor_client.get(url("delete", complaint)).status_code == 403


class TestDecisionsThroughTheAdmin:
    def test_review_uphold_then_restore(self, editor_client, editor, complaint, article):
        assert editor_client.post(url("review", complaint)).status_code == 302
        assert Complaint.objects.get().status == Complaint.Status.UNDER_REVIEW

        mail.outbox.clear()
        response = editor_client.post(url("uphold", complaint), {"reason": "Copied chapter 3."}, follow=True)
        assert "Upheld: the article is taken down" in " ".join(messages_of(response))
        complaint.refresh_from_db()
        assert (complaint.status, complaint.reason, complaint.decided_by) == ("upheld", "Copied chapter 3.", editor)
        assert Article.objects.get(pk=article.pk).status == Article.Status.TAKEN_DOWN
        assert 'value="Restore the article"' in response.content.decode()
        assert url("restore", complaint) in top_level_forms(response.content.decode())

        response = editor_client.post(url("restore", complaint), {"note": "Licence shown."}, follow=True)
        assert "The article is restored" in " ".join(messages_of(response))
        assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED
        assert "Article restored by" in response.content.decode()

    def test_uphold_with_the_suggested_reason(self, editor_client, complaint):
        editor_client.post(url("uphold", complaint), {"reason": ""})
        assert Complaint.objects.get().reason.startswith("Removed after a copyright complaint")

    def test_reject_needs_a_reason(self, editor_client, complaint, article):
        response = editor_client.post(url("reject", complaint), {"note": ""}, follow=True)
        assert "This field is required" in " ".join(messages_of(response))
        assert Complaint.objects.get().status == Complaint.Status.NEW
        editor_client.post(url("reject", complaint), {"note": "Fair quotation."})
        assert Complaint.objects.get().status == Complaint.Status.REJECTED
        assert Article.objects.get(pk=article.pk).is_live

    def test_a_move_that_is_not_allowed_is_reported(self, editor_client, editor, complaint):
        workflow.reject(complaint, editor, "No.")
        response = editor_client.post(url("uphold", complaint), {"reason": ""}, follow=True)
        assert "You cannot uphold a complaint that is rejected." in messages_of(response)
        assert Complaint.objects.get().status == Complaint.Status.REJECTED

    def test_get_changes_nothing(self, editor_client, complaint):
        assert editor_client.get(url("uphold", complaint))["Location"] == url("change", complaint)
        assert Complaint.objects.get().status == Complaint.Status.NEW

    def test_bulk_start_review(self, editor_client, complaint, receive):
        other = receive()
        response = editor_client.post(
            CHANGELIST,
            {"action": "start_review_selected", "_selected_action": [complaint.pk, other.pk]},
            follow=True,
        )
        assert "Review started: 2." in messages_of(response)
        assert set(Complaint.objects.values_list("status", flat=True)) == {Complaint.Status.UNDER_REVIEW}


class TestPermissions:
    def test_writers_cannot_see_the_queue(self, writer_client, complaint):
        assert writer_client.get(CHANGELIST).status_code == 403
        assert writer_client.post(url("uphold", complaint)).status_code == 403

    def test_viewing_is_not_deciding(self, client, complaint, article):
        viewer = UserFactory(is_staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_complaint"))
        client.force_login(viewer)
        page = client.get(url("change", complaint)).content.decode()
        assert "Uphold and take the article down" not in page
        assert client.post(url("uphold", complaint), {"reason": "x"}).status_code == 403
        assert Complaint.objects.get().status == Complaint.Status.NEW
        assert Article.objects.get(pk=article.pk).is_live
