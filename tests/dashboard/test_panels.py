"""The editorial desk on the admin's front page: each panel's rows, who sees which, and its queries."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus

from blog.models import Article
from complaints.models import Complaint
from contributions.models import Submission
from dashboard import panels
from outbox.models import OutgoingEmail
from tests.dashboard.factories import (
    ComplaintFactory,
    FailedTaskFactory,
    HeldCommentFactory,
    OutgoingEmailFactory,
    SubmissionFactory,
    days_ago,
)
from tests.factories import ArticleFactory, DraftFactory, UserFactory

pytestmark = pytest.mark.django_db
INDEX = reverse("admin:index")


def request_for(user):
    request = RequestFactory().get(INDEX)
    request.user = user
    return request


def plain(text):
    return text.replace("\xa0", " ")  # timesince keeps "3 days" on one line with a no-break space


def ages(result):
    return [plain(item.age) for item in result.items]


def panel(key, user):
    found = {p.key: p for p in panels.panels_for(request_for(user))}
    return found[key]


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


class TestGuestPosts:
    def test_counts_by_state_and_oldest_first(self, superuser):
        SubmissionFactory(title="Newest", received_at=days_ago(1))
        SubmissionFactory(title="Oldest", received_at=days_ago(9), status=Submission.Status.IN_REVIEW)
        SubmissionFactory(title="Middle", received_at=days_ago(3), status=Submission.Status.CHANGES_REQUESTED)
        SubmissionFactory(title="Decided", received_at=days_ago(20), status=Submission.Status.ACCEPTED)
        result = panel("submissions", superuser)
        assert result.count == 3
        assert [item.label for item in result.items] == ["Oldest", "Middle", "Newest"]
        assert ages(result) == ["1 week", "3 days", "1 day"]
        assert result.items[0].detail == "In review"
        assert [(s.label, s.count) for s in result.states] == [
            ("Received", 1),
            ("In review", 1),
            ("Changes requested", 1),
        ]

    def test_lists_five_and_says_how_many_more(self, superuser):
        for days in range(7):
            SubmissionFactory(received_at=days_ago(days + 1))
        result = panel("submissions", superuser)
        assert result.count == 7
        assert len(result.items) == 5
        assert result.more == 2

    def test_links_open_the_filtered_queue(self, client, superuser):
        SubmissionFactory(title="Waiting")
        SubmissionFactory(title="Turned down", status=Submission.Status.REJECTED)
        client.force_login(superuser)
        result = panel("submissions", superuser)
        response = client.get(result.link)
        assert response.status_code == 200
        assert [s.title for s in response.context["cl"].result_list] == ["Waiting"]
        state = client.get(result.states[0].url)
        assert [s.title for s in state.context["cl"].result_list] == ["Waiting"]


class TestHeldComments:
    def test_held_only_oldest_first(self, superuser):
        HeldCommentFactory(comment="Second in the queue", submit_date=days_ago(2))
        HeldCommentFactory(comment="First in the queue", submit_date=days_ago(5))
        HeldCommentFactory(comment="Already published", is_public=True)
        HeldCommentFactory(comment="Spam", is_spam=True)
        result = panel("comments", superuser)
        assert result.count == 2
        assert [item.label for item in result.items] == ["First in the queue", "Second in the queue"]
        assert plain(result.items[0].age) == "5 days"
        assert "First comment from this address" in result.items[0].detail

    def test_link_filters_held(self, client, superuser):
        HeldCommentFactory(comment="Waiting")
        HeldCommentFactory(comment="Live", is_public=True)
        client.force_login(superuser)
        response = client.get(panel("comments", superuser).link)
        assert [c.comment for c in response.context["cl"].result_list] == ["Waiting"]


class TestOpenComplaints:
    def test_open_only_oldest_first(self, superuser):
        newer = ComplaintFactory(created_at=days_ago(1))
        older = ComplaintFactory(created_at=days_ago(4), status=Complaint.Status.UNDER_REVIEW)
        ComplaintFactory(created_at=days_ago(10), status=Complaint.Status.REJECTED)
        result = panel("complaints", superuser)
        assert result.count == 2
        assert [item.label for item in result.items] == [str(older), str(newer)]
        assert result.items[0].detail == f"Under review · {older.article.title}"
        assert plain(result.items[0].age) == "4 days"

    def test_link_filters_open(self, client, superuser):
        waiting = ComplaintFactory()
        ComplaintFactory(status=Complaint.Status.UPHELD)
        client.force_login(superuser)
        response = client.get(panel("complaints", superuser).link)
        assert list(response.context["cl"].result_list) == [waiting]


class TestScheduled:
    def test_next_seven_days_soonest_first(self, superuser):
        now = timezone.now()
        ArticleFactory(title="Tomorrow", published_at=now + datetime.timedelta(days=1, minutes=5))
        ArticleFactory(title="In six hours", published_at=now + datetime.timedelta(hours=6, minutes=5))
        ArticleFactory(title="Next month", published_at=now + datetime.timedelta(days=30))
        ArticleFactory(title="Live already", published_at=now - datetime.timedelta(hours=1))
        DraftFactory(title="A draft")
        result = panel("scheduled", superuser)
        assert result.count == 2
        assert [item.label for item in result.items] == ["In six hours", "Tomorrow"]
        assert ages(result) == ["in 6 hours", "in 1 day"]

    def test_link_filters_the_same_week(self, client, superuser):
        ArticleFactory(title="Soon", published_at=timezone.now() + datetime.timedelta(days=2))
        ArticleFactory(title="Later", published_at=timezone.now() + datetime.timedelta(days=12))
        ArticleFactory(title="Live")
        client.force_login(superuser)
        response = client.get(panel("scheduled", superuser).link)
        assert response.status_code == 200
        assert [a.title for a in response.context["cl"].result_list] == ["Soon"]


class TestMyDrafts:
    def test_only_mine_latest_edit_first(self, editor):
        older = DraftFactory(title="Older draft", author=editor.author)
        DraftFactory(title="Newer draft", author=editor.author)
        Article.objects.filter(pk=older.pk).update(updated_at=days_ago(3))
        DraftFactory(title="Someone else's")
        ArticleFactory(title="Mine but live", author=editor.author)
        result = panel("drafts", editor)
        assert result.count == 2
        assert [item.label for item in result.items] == ["Newer draft", "Older draft"]
        assert plain(result.items[1].detail) == "edited 3 days ago"

    def test_link_opens_my_drafts(self, editor_client, editor):
        DraftFactory(title="Mine", author=editor.author)
        DraftFactory(title="Not mine")
        response = editor_client.get(panel("drafts", editor).link)
        assert [a.title for a in response.context["cl"].result_list] == ["Mine"]

    def test_a_fresh_draft_is_under_a_minute_old(self, editor):
        DraftFactory(author=editor.author)
        assert panel("drafts", editor).items[0].age == "under a minute"

    def test_no_drafts_offers_to_write_one(self, editor):
        result = panel("drafts", editor)
        assert (result.count, result.items) == (0, [])
        assert result.link == reverse("admin:blog_article_add")


class TestFailures:
    def test_failed_emails_oldest_first(self, superuser):
        OutgoingEmailFactory(subject="Recent failure")
        old = OutgoingEmailFactory(subject="Old failure")
        OutgoingEmail.objects.filter(pk=old.pk).update(created_at=days_ago(2))
        OutgoingEmailFactory(subject="Went out", status=OutgoingEmail.Status.SENT)
        OutgoingEmailFactory(subject="Still queued", status=OutgoingEmail.Status.QUEUED)
        result = panel("emails", superuser)
        assert result.count == 2
        assert [item.label for item in result.items] == ["Old failure", "Recent failure"]
        assert plain(result.items[0].age) == "2 days"
        assert "SMTPServerDisconnected" in result.items[0].detail

    def test_failed_tasks_latest_first(self, client, superuser, settings):
        # Production's backend: the tasks' changelist rebuilds each row's task through it.
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        FailedTaskFactory(task_path="pagecache.tasks.purge_task", finished_at=days_ago(3))
        FailedTaskFactory(task_path="outbox.mail.send_email_task", finished_at=days_ago(1))
        FailedTaskFactory(task_path="blog.tasks.make_renditions_task", status=TaskResultStatus.SUCCESSFUL)
        result = panel("tasks", superuser)
        assert result.count == 2
        assert [item.label for item in result.items] == ["send_email_task", "purge_task"]
        assert ages(result) == ["1 day", "3 days"]
        assert result.items[0].detail == "SMTPException"
        client.force_login(superuser)
        response = client.get(result.link)
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == 2


class TestPermissions:
    def test_superuser_sees_every_panel(self, superuser):
        keys = [p.key for p in panels.panels_for(request_for(superuser))]
        assert keys == ["submissions", "comments", "complaints", "scheduled", "drafts", "emails", "tasks"]

    def test_a_panel_needs_the_view_permission(self, db):
        user = UserFactory(is_staff=True)
        assert panels.panels_for(request_for(user)) == []
        user.user_permissions.add(Permission.objects.get(codename="view_comment", content_type__app_label="discussion"))
        user = type(user).objects.get(pk=user.pk)  # permissions are cached on the instance
        assert [p.key for p in panels.panels_for(request_for(user))] == ["comments"]

    def test_writer_sees_no_queues_of_others(self, writer):
        keys = {p.key for p in panels.panels_for(request_for(writer))}
        assert "drafts" in keys
        assert not keys & {"submissions", "complaints", "emails", "tasks"}

    def test_index_hides_what_the_user_may_not_view(self, client, db):
        user = UserFactory(is_staff=True)
        user.user_permissions.add(Permission.objects.get(codename="view_comment", content_type__app_label="discussion"))
        HeldCommentFactory(comment="Please approve me")
        SubmissionFactory(title="A secret guest post")
        client.force_login(user)
        response = client.get(INDEX)
        assert response.status_code == 200
        assert "Held comments" in response.text
        assert "Please approve me" in response.text
        assert "Guest posts waiting" not in response.text
        assert "A secret guest post" not in response.text


class TestIndexPage:
    def test_shows_panels_above_the_app_list(self, client, superuser):
        SubmissionFactory(title="Radio repair", received_at=days_ago(3))
        client.force_login(superuser)
        response = client.get(INDEX)
        text = response.text
        assert "Radio repair" in text
        assert "3\xa0days" in text
        assert text.index("Guest posts waiting") < text.index("app-blog")
        assert "Recent actions" in text  # Django's sidebar is kept

    def test_staff_without_permissions_gets_no_desk(self, client, db):
        client.force_login(UserFactory(is_staff=True))
        response = client.get(INDEX)
        assert response.status_code == 200
        assert 'class="desk"' not in response.text

    @pytest.mark.parametrize("items", [0, 8])
    def test_the_panels_take_eight_queries(self, superuser, django_assert_num_queries, items):
        for _i in range(items):
            SubmissionFactory()
            HeldCommentFactory()
            FailedTaskFactory()
        request = request_for(superuser)
        with django_assert_num_queries(8):  # one a panel, two for guest posts (counts by state, then rows)
            found = panels.panels_for(request)
        assert len(found) == 7

    @pytest.mark.parametrize("items", [0, 1, 8])
    def test_index_queries_do_not_grow_with_the_queues(self, client, superuser, django_assert_num_queries, items):
        for _i in range(items):
            SubmissionFactory()
            HeldCommentFactory()
            ComplaintFactory()
            ArticleFactory(published_at=timezone.now() + datetime.timedelta(days=2))
            OutgoingEmailFactory()
            FailedTaskFactory()
        superuser_author = ArticleFactory().author
        superuser_author.user = superuser
        superuser_author.save()
        for _i in range(items):
            DraftFactory(author=superuser_author)
        client.force_login(superuser)
        # session, user, 8 for the panels (guest posts take 2), Django's "recent actions"
        with django_assert_num_queries(11):
            response = client.get(INDEX)
        assert response.status_code == 200
        assert response.text.count('class="module desk-panel') == 7
