"""Queue an email now, send it after the transaction commits.

    from outbox.mail import queue_email
    queue_email(["ada@example.com"], "Subject", "Body", reference="submission:12")

Automatic emails carry `Auto-Submitted: auto-replied` (RFC 3834) so that
well-behaved auto-responders never answer them, which prevents mail loops.
"""

import logging
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def _domain():
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"


def queue_email(to, subject, body, *, reference="", headers=None, auto=True):
    """Store an email and send it once the surrounding transaction commits. Returns it."""
    all_headers = {"Auto-Submitted": "auto-replied"} if auto else {}
    all_headers.update(headers or {})
    email = OutgoingEmail.objects.create(
        to=list(to),
        subject=subject[:300],
        body=body,
        headers=all_headers,
        message_id=make_msgid(domain=_domain()),
        reference=reference,
    )
    transaction.on_commit(partial(_enqueue, email.pk))
    return email


def _enqueue(email_id):
    """Hand the sending to the task queue. Runs after commit, often still inside the request: when the
    queue is down, the change that caused the email is saved all the same, and the email stays queued
    for `send_queued_email` instead of turning the contributor's success page into an error."""
    try:
        send_email_task.enqueue(email_id)
    except Exception:
        logger.exception("Email %s stays queued: the task queue refused it.", email_id)


def send_email(email):
    """Hand one stored email to the mail backend; record success or the error. Never raises."""
    if email.status == OutgoingEmail.Status.SENT:
        return True
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        to=email.to,
        headers={**email.headers, "Message-ID": email.message_id},
    )
    email.attempts += 1
    try:
        get_connection(fail_silently=False).send_messages([message])
    except Exception as exc:
        email.status = OutgoingEmail.Status.FAILED
        email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        email.save(update_fields=["status", "attempts", "last_error"])
        logger.warning("Sending email %s failed (attempt %s): %s", email.pk, email.attempts, exc)
        return False
    email.status = OutgoingEmail.Status.SENT
    email.sent_at = timezone.now()
    email.last_error = ""
    email.save(update_fields=["status", "attempts", "last_error", "sent_at"])
    return True


@task()
def send_email_task(email_id):
    email = OutgoingEmail.objects.filter(pk=email_id).first()
    if email is None:
        return False
    return send_email(email)


def send_unsent(limit=500):
    """Retry queued and failed emails (oldest first, up to MAX_ATTEMPTS each). Returns (sent, failed)."""
    sent = failed = 0
    for email in OutgoingEmail.objects.unsent().filter(attempts__lt=MAX_ATTEMPTS).order_by("created_at")[:limit]:
        if send_email(email):
            sent += 1
        else:
            failed += 1
    return sent, failed
