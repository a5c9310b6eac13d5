"""An accepted piece followed to publication: the tracking page's stage, the history lines, the emails."""

import datetime

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django_tasks.signals import task_enqueued

from blog import publishing
from blog.models import Article
from complaints import workflow as complaints_workflow
from complaints.models import Complaint
from contributions import progress, workflow
from contributions.models import SubmissionEvent
from contributions.tasks import record_progress_task
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db
Kind = SubmissionEvent.Kind
UTC = datetime.UTC
NOW = datetime.datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
SITE = "http://127.0.0.1:8000"


@pytest.fixture
def accepted(submission, editor, django_capture_on_commit_callbacks, time_machine):
    time_machine.move_to(NOW, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.accept(submission, editor)
    submission.refresh_from_db()
    mail.outbox.clear()
    return submission


def save(article, django_capture_on_commit_callbacks, **fields):
    """An editor's save of the article (as the admin does), its after-commit work run."""
    with django_capture_on_commit_callbacks(execute=True):
        for name, value in fields.items():
            setattr(article, name, value)
        article.save()


def publish(article):
    """Publish now, as the admin's action does (the checklist wants a category)."""
    if article.category_id is None:
        article.category = CategoryFactory()
    publishing.publish_now(article)


def kinds(submission):
    return list(submission.events.filter(kind__in=SubmissionEvent.PROGRESS_KINDS).values_list("kind", flat=True))


def page(client, submission):
    response = client.get(submission.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def tracking(submission):
    return f"{SITE}{submission.get_absolute_url()}"


def scheduled_body(submission, when_text):
    return (
        f"Hello Grace Contributor,\n\n"
        f"“What solid-state batteries change” is scheduled for publication on {when_text}. It appears on Byline "
        f"by itself at that time, and we will write to you again when it is live.\n\n"
        f"You can follow it here:\n{tracking(submission)}\n\n"
        f"— The editors of Byline\n"
    )


def live_body(submission, article):
    return (
        f"Hello Grace Contributor,\n\n"
        f"“What solid-state batteries change” is now live on Byline:\n{SITE}{article.get_absolute_url()}\n\n"
        f"Thank you for writing for us. Your page for the piece stays here, and you can update your author "
        f"profile from it:\n{tracking(submission)}\n\n"
        f"— The editors of Byline\n"
    )


class TestStage:
    def test_each_stage_from_the_article_alone(self, accepted, time_machine):
        article = accepted.article
        assert progress.stage(article).key == progress.PREPARING
        article.status = Article.Status.PUBLISHED
        article.published_at = NOW + datetime.timedelta(days=1)
        assert progress.stage(article) == progress.Stage(progress.SCHEDULED, article.published_at)
        time_machine.move_to(NOW + datetime.timedelta(days=2), tick=False)
        article.updated_at = NOW
        assert progress.stage(article) == progress.Stage(
            progress.PUBLISHED, article.published_at, url=article.get_absolute_url()
        )
        article.updated_at = article.published_at + progress.UPDATE_MARGIN  # within the margin: publishing
        assert progress.stage(article).key == progress.PUBLISHED
        article.updated_at = article.published_at + datetime.timedelta(hours=3)
        assert progress.stage(article) == progress.Stage(
            progress.UPDATED, article.published_at, article.updated_at, article.get_absolute_url()
        )
        article.status = Article.Status.WITHDRAWN
        assert progress.stage(article).key == progress.WITHDRAWN
        article.status = Article.Status.TAKEN_DOWN
        assert progress.stage(article).key == progress.TAKEN_DOWN
        assert progress.stage(None).key == progress.WITHDRAWN  # the article was deleted


class TestPublication:
    def test_scheduled_then_live_by_time_alone(
        self, client, accepted, django_capture_on_commit_callbacks, time_machine
    ):
        article = accepted.article
        assert "Status: Accepted" in page(client, accepted)
        assert "preparing it for publication" in page(client, accepted)

        when = datetime.datetime(2026, 12, 10, 14, 30, tzinfo=UTC)
        save(article, django_capture_on_commit_callbacks, status=Article.Status.PUBLISHED, published_at=when)
        assert kinds(accepted) == [Kind.SCHEDULED]
        [email] = mail.outbox
        assert email.to == ["grace@example.org"]
        assert email.subject == f"Scheduled: What solid-state batteries change [#{accepted.token[:8]}]"
        assert email.body == scheduled_body(accepted, "Thursday 10 December 2026 at 14:30 (UTC)")
        html = page(client, accepted)
        assert "Status: Scheduled" in html
        assert "Your article will be published on Thursday 10 December 2026 at 14:30 (UTC)." in html
        assert "for Thursday 10 December 2026 at 14:30 (UTC)" in html  # the history line

        # A save that changes nothing of the schedule: no new line, no email.
        save(article, django_capture_on_commit_callbacks, standfirst="A better standfirst.")
        assert kinds(accepted) == [Kind.SCHEDULED]
        assert len(mail.outbox) == 1

        # The time passes: no save happens; the page notices, records and mails once.
        time_machine.move_to(when + datetime.timedelta(minutes=5), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            html = page(client, accepted)
        assert "Status: Published" in html
        assert f'href="{article.get_absolute_url()}"' in html
        assert "Your article was published on 10 December 2026." in html
        assert kinds(accepted) == [Kind.SCHEDULED, Kind.PUBLISHED]
        published = accepted.events.get(kind=Kind.PUBLISHED)
        assert published.created_at == when  # when it went live, not when the page noticed
        assert len(mail.outbox) == 2
        assert mail.outbox[1].subject == f"Now live: What solid-state batteries change [#{accepted.token[:8]}]"
        assert mail.outbox[1].body == live_body(accepted, article)

        # Exactly once: the page again, the task again, a save of the article within the hour.
        with django_capture_on_commit_callbacks(execute=True):
            page(client, accepted)
            assert record_progress_task.call(article.pk) == 0
        save(article, django_capture_on_commit_callbacks, standfirst="Fixed a typo.")
        assert kinds(accepted) == [Kind.SCHEDULED, Kind.PUBLISHED]
        assert len(mail.outbox) == 2

    def test_rescheduled_is_mailed_again_with_the_new_date(self, accepted, django_capture_on_commit_callbacks):
        article = accepted.article
        first = datetime.datetime(2026, 12, 10, 14, 30, tzinfo=UTC)
        save(article, django_capture_on_commit_callbacks, status=Article.Status.PUBLISHED, published_at=first)
        later = datetime.datetime(2026, 12, 12, 8, 0, tzinfo=UTC)
        save(article, django_capture_on_commit_callbacks, published_at=later)
        assert kinds(accepted) == [Kind.SCHEDULED, Kind.SCHEDULED]
        assert [event.data["published_at"] for event in accepted.events.filter(kind=Kind.SCHEDULED)] == [
            first.isoformat(),
            later.isoformat(),
        ]
        assert len(mail.outbox) == 2
        assert mail.outbox[1].body == scheduled_body(accepted, "Saturday 12 December 2026 at 08:00 (UTC)")
        # Back to the first date: a change again, mailed again.
        save(article, django_capture_on_commit_callbacks, published_at=first)
        assert kinds(accepted) == [Kind.SCHEDULED] * 3
        assert len(mail.outbox) == 3

    def test_the_date_is_said_in_the_site_time_zone(self, settings, accepted, django_capture_on_commit_callbacks):
        settings.TIME_ZONE = "Europe/Paris"
        when = datetime.datetime(2026, 12, 10, 23, 30, tzinfo=UTC)  # 11 December, 00:30 in Paris
        save(accepted.article, django_capture_on_commit_callbacks, status=Article.Status.PUBLISHED, published_at=when)
        assert mail.outbox[0].body == scheduled_body(accepted, "Friday 11 December 2026 at 00:30 (CET)")

    def test_published_at_once_is_mailed_once_without_a_schedule(
        self, client, accepted, django_capture_on_commit_callbacks
    ):
        article = accepted.article
        with django_capture_on_commit_callbacks(execute=True):
            publish(article)
        assert kinds(accepted) == [Kind.PUBLISHED]
        assert [email.subject.split(":")[0] for email in mail.outbox] == ["Now live"]
        assert mail.outbox[0].body == live_body(accepted, article)
        assert "Status: Published" in page(client, accepted)

    def test_an_edit_after_publication_is_one_line_a_day_and_no_email(
        self, client, accepted, django_capture_on_commit_callbacks, time_machine
    ):
        article = accepted.article
        with django_capture_on_commit_callbacks(execute=True):
            publish(article)
        mail.outbox.clear()
        time_machine.move_to(NOW + datetime.timedelta(hours=3), tick=False)
        save(article, django_capture_on_commit_callbacks, standfirst="A correction.")
        assert kinds(accepted) == [Kind.PUBLISHED, Kind.UPDATED]
        html = page(client, accepted)
        assert "Your article was published on 8 December 2026 and updated on 8 December 2026." in html
        time_machine.move_to(NOW + datetime.timedelta(hours=5), tick=False)
        save(article, django_capture_on_commit_callbacks, standfirst="Another correction, the same day.")
        assert kinds(accepted) == [Kind.PUBLISHED, Kind.UPDATED]
        time_machine.move_to(NOW + datetime.timedelta(days=1, hours=2), tick=False)
        save(article, django_capture_on_commit_callbacks, standfirst="The next day.")
        assert kinds(accepted) == [Kind.PUBLISHED, Kind.UPDATED, Kind.UPDATED]
        assert mail.outbox == []

    def test_withdrawn_and_published_again(self, client, accepted, django_capture_on_commit_callbacks):
        article = accepted.article
        with django_capture_on_commit_callbacks(execute=True):
            publish(article)
        with django_capture_on_commit_callbacks(execute=True):
            publishing.withdraw(article)
        assert "Status: Withdrawn" in page(client, accepted)
        with django_capture_on_commit_callbacks(execute=True):
            publish(article)
        assert kinds(accepted) == [Kind.PUBLISHED, Kind.WITHDRAWN, Kind.PUBLISHED]
        assert len(mail.outbox) == 1  # "now live" once, ever

    def test_a_deleted_article_reads_as_withdrawn(self, client, accepted):
        accepted.article.delete()
        accepted.refresh_from_db()
        assert "Status: Withdrawn" in page(client, accepted)


class TestDeferred:
    def test_a_backend_that_can_defer_gets_a_task_for_the_scheduled_time(
        self, accepted, django_capture_on_commit_callbacks
    ):
        when = datetime.datetime(2026, 12, 10, 14, 30, tzinfo=UTC)
        article = accepted.article
        article.status = Article.Status.PUBLISHED
        article.published_at = when
        with django_capture_on_commit_callbacks(execute=True):
            article.save(update_fields=["status", "published_at"])  # the save's own task is run below
        accepted.events.filter(kind__in=SubmissionEvent.PROGRESS_KINDS).delete()
        enqueued = []

        def seen(sender, task_result, **kwargs):
            enqueued.append((task_result.task.name, task_result.task.run_after, list(task_result.args)))

        task_enqueued.connect(seen)
        try:
            dummy = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
            with override_settings(TASKS=dummy), django_capture_on_commit_callbacks(execute=True):
                assert record_progress_task.call(article.pk) == 1
        finally:
            task_enqueued.disconnect(seen)
        assert ("record_progress_task", when, [article.pk]) in enqueued

    def test_the_immediate_backend_cannot_defer_and_is_not_asked_to(self, accepted, django_capture_on_commit_callbacks):
        assert not record_progress_task.get_backend().supports_defer
        when = datetime.datetime(2026, 12, 10, 14, 30, tzinfo=UTC)
        save(accepted.article, django_capture_on_commit_callbacks, status=Article.Status.PUBLISHED, published_at=when)
        assert kinds(accepted) == [Kind.SCHEDULED]  # recorded, no error from a refused run_after


class TestTakedown:
    @pytest.fixture
    def live(self, accepted, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            publish(accepted.article)
        mail.outbox.clear()
        return accepted

    def complaint(self, article):
        return Complaint.objects.create(
            article=article,
            claimant_name="Rights Holder",
            claimant_email="rights@example.com",
            original_work="https://example.com/original",
            article_url=article.get_absolute_url(),
        )

    def test_the_contributor_is_told_once_when_the_author_address_is_theirs(
        self, client, live, editor, django_capture_on_commit_callbacks
    ):
        article = live.article
        assert article.author.email == live.email  # the accepted contributor became this author
        complaint = self.complaint(article)
        with django_capture_on_commit_callbacks(execute=True):
            complaints_workflow.uphold(complaint, editor)
        assert kinds(live) == [Kind.PUBLISHED, Kind.TAKEN_DOWN]
        to_contributor = [email for email in mail.outbox if "grace@example.org" in email.to]
        assert [email.subject.split(":")[0] for email in to_contributor] == ["Taken down after a copyright complaint"]
        assert "Status: Taken down" in page(client, live)

        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            complaints_workflow.restore(complaint, editor, note="Permission was granted.")
        assert kinds(live) == [Kind.PUBLISHED, Kind.TAKEN_DOWN, Kind.RESTORED]
        to_contributor = [email for email in mail.outbox if "grace@example.org" in email.to]
        assert [email.subject.split(":")[0] for email in to_contributor] == ["Restored"]
        assert "Status: Published" in page(client, live)
        assert kinds(live) == [Kind.PUBLISHED, Kind.TAKEN_DOWN, Kind.RESTORED]  # restoring is no update

    def test_another_author_address_gets_the_complaint_email_and_the_contributor_ours(
        self, live, editor, django_capture_on_commit_callbacks
    ):
        article = live.article
        article.author.email = "desk@example.com"
        article.author.save()
        with django_capture_on_commit_callbacks(execute=True):
            complaints_workflow.uphold(self.complaint(article), editor)
        [ours] = [email for email in mail.outbox if email.to == ["grace@example.org"]]
        assert ours.subject == f"Taken down: What solid-state batteries change [#{live.token[:8]}]"
        assert ours.body == (
            "Hello Grace Contributor,\n\n"
            "We upheld a copyright complaint about “What solid-state batteries change” and have taken the article "
            "down: it no longer appears on Byline, in listings or in search.\n\n"
            "If you believe the complaint is mistaken (you own the material, or have permission to use it), reply "
            "to this email with the details: an editor can restore the article.\n\n"
            f"You can follow it here:\n{tracking(live)}\n\n"
            "— The editors of Byline\n"
        )
        assert any(email.to == ["desk@example.com"] for email in mail.outbox)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            complaints_workflow.restore(article, editor)
        [ours] = [email for email in mail.outbox if email.to == ["grace@example.org"]]
        assert ours.body == (
            "Hello Grace Contributor,\n\n"
            "“What solid-state batteries change”, taken down after a copyright complaint, has been restored. "
            f"It is back on Byline:\n{SITE}{article.get_absolute_url()}\n\n"
            f"You can follow it here:\n{tracking(live)}\n\n"
            "— The editors of Byline\n"
        )

    def test_restored_to_a_status_readers_do_not_see(self, client, live, django_capture_on_commit_callbacks):
        article = live.article
        article.author.email = ""  # no author address: the complaints app writes to nobody, we do
        article.author.save()
        with django_capture_on_commit_callbacks(execute=True):
            publishing.take_down(article)
        with django_capture_on_commit_callbacks(execute=True):
            publishing.restore(article, Article.Status.WITHDRAWN)
        assert kinds(live) == [Kind.PUBLISHED, Kind.TAKEN_DOWN, Kind.RESTORED]
        assert [email.subject.split(":")[0] for email in mail.outbox] == ["Taken down", "Restored"]
        assert mail.outbox[1].body == (
            "Hello Grace Contributor,\n\n"
            "“What solid-state batteries change”, taken down after a copyright complaint, has been restored. "
            "It is back with the editors.\n\n"
            f"You can follow it here:\n{tracking(live)}\n\n"
            "— The editors of Byline\n"
        )
        assert "Status: Withdrawn" in page(client, live)

    def test_a_takedown_that_rolls_back_records_nothing(self, live, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            publishing.take_down(live.article)
        assert callbacks  # the task waits for the commit
        assert kinds(live) == [Kind.PUBLISHED]


class TestQueryCounts:
    """The tracking page of an accepted piece: a fixed number of queries at every stage."""

    # site settings, footer menu, submission (with its article and author), its images, public events,
    # the latest profile change
    QUERIES = 6

    @pytest.mark.parametrize("stage", ["preparing", "scheduled", "published", "updated", "withdrawn", "taken_down"])
    def test_each_stage(
        self, client, accepted, stage, django_assert_num_queries, django_capture_on_commit_callbacks, time_machine
    ):
        article = accepted.article
        later = NOW + datetime.timedelta(days=1)
        if stage == "scheduled":
            save(article, django_capture_on_commit_callbacks, status=Article.Status.PUBLISHED, published_at=later)
        elif stage != "preparing":
            with django_capture_on_commit_callbacks(execute=True):
                publish(article)
        if stage == "updated":
            time_machine.move_to(later, tick=False)
            save(article, django_capture_on_commit_callbacks, standfirst="Updated.")
        elif stage == "withdrawn":
            with django_capture_on_commit_callbacks(execute=True):
                publishing.withdraw(article)
        elif stage == "taken_down":
            with django_capture_on_commit_callbacks(execute=True):
                publishing.take_down(article)
        page(client, accepted)  # anything still missing from the history is recorded here, once
        cache.clear()
        with django_assert_num_queries(self.QUERIES):
            html = page(client, accepted)
        assert f"status-box--{stage}" in html


def test_the_page_stays_true_when_recording_fails(client, accepted, django_capture_on_commit_callbacks, monkeypatch):
    article = accepted.article
    article.category = CategoryFactory()

    def broken(article_id):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(progress, "record", broken)
    with django_capture_on_commit_callbacks(execute=False):  # the save's task never runs
        publishing.publish_now(article)
    html = page(client, accepted)
    assert "Status: Published" in html  # from the article itself
    assert kinds(accepted) == []
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        page(client, accepted)  # the next view records it
    assert kinds(accepted) == [Kind.PUBLISHED]
