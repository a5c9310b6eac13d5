import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from outbox.mail import MAX_ATTEMPTS, queue_email, send_unsent
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
