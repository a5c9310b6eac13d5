"""Faults: the mail server or the task queue down never loses a comment nor its emails.

These tests commit (transaction=True): posting a comment runs in autocommit, so its email is handed to
the task queue inside the request, and a failure there must not reach the reader.
"""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from discussion import actions
from discussion.models import Comment
from outbox.models import OutgoingEmail
from tests.services import free_port

from .conftest import POST_URL, comment_data

pytestmark = pytest.mark.django_db(transaction=True)
HELD = "held for moderation and will appear once an editor approves it"


@pytest.fixture(autouse=True)
def editors(settings):
    # The Editors group comes from a data migration, which committing tests flush: name the desk instead.
    settings.BYLINE_EDITORS_EMAILS = ["desk@example.com"]


@pytest.fixture
def smtp_down(settings):
    """Django's SMTP backend, pointed at a local port where nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_TIMEOUT = 5
    return settings


@pytest.fixture
def queue_down(settings):
    settings.TASKS = {"default": {"BACKEND": "tests.outbox.unreachable_queue.TaskBackend"}}


def server_back(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def retry_twice():
    for _ in range(2):
        call_command("send_queued_email", stdout=StringIO())


def post_and_follow(client, article, **fields):
    response = client.post(POST_URL, comment_data(article, **fields), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(article.get_absolute_url() + "#comments", 302)]
    assert HELD in response.content.decode()
    return Comment.objects.get()


def test_mail_server_down_a_held_comment_is_stored_and_the_editors_email_waits(client, article, smtp_down):
    comment = post_and_follow(client, article)

    assert comment.is_held and comment.comment == "Thanks, this helped me choose a laptop."
    email = OutgoingEmail.objects.get(reference=f"comment:{comment.pk}")
    assert (email.to, email.status, email.attempts) == (["desk@example.com"], OutgoingEmail.Status.FAILED, 1)
    assert email.last_error.startswith("ConnectionRefusedError")

    server_back(smtp_down)
    retry_twice()

    assert [m.to for m in mail.outbox] == [["desk@example.com"]]  # once
    assert article.title in mail.outbox[0].subject


def test_mail_server_down_an_approval_still_publishes_and_the_commenter_is_told_later(client, article, smtp_down):
    comment = post_and_follow(client, article, notify_on_approval="on")
    assert comment.notify_on_approval

    actions.approve(Comment.objects.filter(pk=comment.pk))

    comment.refresh_from_db()
    assert comment.is_public
    to_commenter = OutgoingEmail.objects.get(reference=f"comment:{comment.pk}", to=["ada@example.org"])
    assert to_commenter.status == OutgoingEmail.Status.FAILED

    server_back(smtp_down)
    retry_twice()

    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "desk@example.com"]  # once each
    assert OutgoingEmail.objects.unsent().count() == 0


def test_task_queue_down_a_comment_is_stored_and_the_reader_sees_the_usual_page(client, article, queue_down):
    comment = post_and_follow(client, article)

    assert comment.is_held
    email = OutgoingEmail.objects.get(reference=f"comment:{comment.pk}")
    assert (email.status, email.attempts) == (OutgoingEmail.Status.QUEUED, 0)
    assert mail.outbox == []

    retry_twice()

    assert [m.to for m in mail.outbox] == [["desk@example.com"]]
