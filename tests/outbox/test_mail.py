import threading
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from outbox.mail import CLAIM_TIMEOUT, MAX_ATTEMPTS, queue_email, send_email_task, send_unsent
from outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db


def test_sent_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email(["a@example.com"], "Hello", "Body", reference="test:1")
        assert mail.outbox == []
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    (message,) = mail.outbox
    assert message.extra_headers["Auto-Submitted"] == "auto-replied"
    assert message.extra_headers["Message-ID"] == email.message_id


def test_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                queue_email(["a@example.com"], "Hello", "Body")
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert mail.outbox == []
    assert not OutgoingEmail.objects.exists()


def test_failures_are_recorded_and_retried_until_the_limit(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.contributions.failing_backend.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email(["a@example.com"], "Hello", "Body")
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.FAILED, 1)
    for _ in range(MAX_ATTEMPTS + 2):
        send_unsent()
    email.refresh_from_db()
    assert email.attempts == MAX_ATTEMPTS  # gives up, keeps the email for an editor to see
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingEmail.objects.update(attempts=0)
    call_command("send_queued_email")
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_admin_retry_action(admin_client, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.contributions.failing_backend.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email(["a@example.com"], "Hello", "Body")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin_client.post("/admin/outbox/outgoingemail/", {"action": "retry", "_selected_action": [email.pk]})
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT


@pytest.mark.django_db(transaction=True)  # the worker closes its connection, as in production
def test_database_task_backend_sends_through_the_worker(settings):
    """Production queues the send in the database; `manage.py db_worker` delivers it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    email = queue_email(["a@example.com"], "Queued", "Body")  # autocommit: on_commit runs at once
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.QUEUED
    assert mail.outbox == []
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert [m.subject for m in mail.outbox] == ["Queued"]


def test_a_mail_server_that_never_answers_times_out_and_the_email_waits(settings, django_capture_on_commit_callbacks):
    """It accepts the connection and says nothing: EMAIL_TIMEOUT ends the wait, the email is kept."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # the kernel completes the handshake; nobody ever writes a greeting
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = listener.getsockname()
        settings.EMAIL_TIMEOUT = 1
        with django_capture_on_commit_callbacks(execute=True):
            email = queue_email(["a@example.com"], "Hello", "Body")
    finally:
        listener.close()
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED
    assert email.last_error.startswith(("TimeoutError", "timeout", "SMTPServerDisconnected"))


def stored_email(**fields):
    """An outbox row as queue_email writes it, without the send after commit."""
    return OutgoingEmail.objects.create(
        to=["a@example.com"], subject="Hello", body="Body", message_id=f"<{uuid.uuid4()}@test>", **fields
    )


def test_an_email_another_sender_holds_is_left_to_it():
    email = stored_email(claimed_at=timezone.now())

    assert send_unsent() == (0, 0)
    assert send_email_task.call(email.pk) is None
    assert mail.outbox == []
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.QUEUED, 0)


def test_a_stale_claim_is_sent_again():
    """Its sender died mid-send: after CLAIM_TIMEOUT the email is claimed again and sent."""
    email = stored_email(claimed_at=timezone.now() - CLAIM_TIMEOUT - timedelta(minutes=1))

    assert send_unsent() == (1, 0)
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.claimed_at) == (OutgoingEmail.Status.SENT, 1, None)


def test_a_sent_email_is_not_sent_again():
    email = stored_email()
    assert send_email_task.call(email.pk) is True

    assert send_email_task.call(email.pk) is None
    assert send_unsent() == (0, 0)
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.claimed_at) == (OutgoingEmail.Status.SENT, 1, None)


class Rendezvous:
    """Holds a sender inside the mail backend until every other sender has reached the backend
    too or given up, so that two senders of one email overlap for certain (no sleeps)."""

    def __init__(self, parties):
        self.parties, self.waiting, self.done = parties, 0, 0
        self.condition = threading.Condition()

    def in_backend(self):
        with self.condition:
            self.waiting += 1
            self.condition.notify_all()
            self.condition.wait_for(lambda: self.waiting + self.done >= self.parties)

    def finished(self):
        with self.condition:
            self.done += 1
            self.condition.notify_all()


RENDEZVOUS = None


class RendezvousBackend(LocmemBackend):
    def send_messages(self, messages):
        RENDEZVOUS.in_backend()
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs concurrent connections (PostgreSQL)")
def test_the_task_and_send_queued_email_at_the_same_moment_send_once(settings):
    """Run on PostgreSQL by .ci/run. Both senders read the row as queued at the same moment;
    without a claim each would send it."""
    global RENDEZVOUS
    RENDEZVOUS = Rendezvous(parties=2)
    settings.EMAIL_BACKEND = "tests.outbox.test_mail.RendezvousBackend"
    email = stored_email()
    start = threading.Barrier(2)
    results = {}

    def sender(name, send):
        try:
            start.wait()
            results[name] = send()
        finally:
            RENDEZVOUS.finished()
            connections.close_all()

    threads = [
        threading.Thread(target=sender, args=("task", lambda: send_email_task.call(email.pk))),
        threading.Thread(target=sender, args=("command", send_unsent)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(mail.outbox) == 1
    assert sorted([results["task"] is True, results["command"] == (1, 0)]) == [False, True]
    email.refresh_from_db()
    assert (email.status, email.attempts, email.claimed_at) == (OutgoingEmail.Status.SENT, 1, None)
