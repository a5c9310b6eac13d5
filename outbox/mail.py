"""Queue an email now, send it after the transaction commits.

    from outbox.mail import queue_email
    queue_email(["ada@example.com"], "Subject", "Body", reference="submission:12")

Automatic emails carry `Auto-Submitted: auto-replied` (RFC 3834) so that
well-behaved auto-responders never answer them, which prevents mail loops.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A claim older than this belongs to a sender that died mid-send: the email may be claimed again.
# Longer than one send can take (EMAIL_TIMEOUT bounds each SMTP step), so a live sender keeps it.
CLAIM_TIMEOUT = timedelta(minutes=15)


def _domain():
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"


def queue_email(to, subject, body, *, reference="", headers=None, auto=True):
    """Store an email and send it once the surrounding transaction commits. Returns it."""
    # A template's tags ({% load %}, {% endautoescape %}) leave blank lines at the top and the foot: none is sent.
    body = body.lstrip("\r\n").rstrip() + "\n"
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


def claim(email, *, max_attempts=None):
    """Take `email` for sending; return the claim's time, or None when it is already sent or
    another sender holds it.

    One conditional UPDATE, so of two senders that pick the same row at the same moment (the
    task and `send_queued_email`, say) exactly one gets it: PostgreSQL re-checks the condition
    after the other's UPDATE commits, SQLite runs writers one at a time. The attempt is counted
    here, so a sender that dies mid-send still uses one up."""
    now = timezone.now()
    rows = OutgoingEmail.objects.claimable(stale_before=now - CLAIM_TIMEOUT).filter(pk=email.pk)
    if max_attempts is not None:
        rows = rows.filter(attempts__lt=max_attempts)
    if rows.update(claimed_at=now, attempts=F("attempts") + 1) != 1:
        return None
    email.refresh_from_db(fields=["status", "attempts", "claimed_at"])
    return now


def send_email(email, *, max_attempts=None):
    """Claim one stored email, hand it to the mail backend and record success or the error.

    Returns True when sent, False when sending failed, None when it was not ours to send
    (already sent, or claimed by another sender). Never raises."""
    claimed_at = claim(email, max_attempts=max_attempts)
    if claimed_at is None:
        return None
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        to=email.to,
        headers={**email.headers, "Message-ID": email.message_id},
    )
    try:
        get_connection(fail_silently=False).send_messages([message])
    except Exception as exc:
        email.status = OutgoingEmail.Status.FAILED
        email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        email.claimed_at = None
        # Only while the claim is still ours: a sender that took it over as stale may have sent it.
        OutgoingEmail.objects.filter(pk=email.pk, claimed_at=claimed_at).update(
            status=email.status, last_error=email.last_error, claimed_at=None
        )
        logger.warning("Sending email %s failed (attempt %s): %s", email.pk, email.attempts, exc)
        return False
    email.status = OutgoingEmail.Status.SENT
    email.sent_at = timezone.now()
    email.last_error = ""
    email.claimed_at = None
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=email.status, sent_at=email.sent_at, last_error="", claimed_at=None
    )
    return True


@task()
def send_email_task(email_id):
    email = OutgoingEmail.objects.filter(pk=email_id).first()
    if email is None:
        return False
    return send_email(email)


def send_unsent(limit=500):
    """Retry queued and failed emails (oldest first, up to MAX_ATTEMPTS each) that no other sender
    is working on. Returns (sent, failed)."""
    sent = failed = 0
    stale_before = timezone.now() - CLAIM_TIMEOUT
    emails = OutgoingEmail.objects.claimable(stale_before).filter(attempts__lt=MAX_ATTEMPTS).order_by("created_at")
    for email in emails[:limit]:
        result = send_email(email, max_attempts=MAX_ATTEMPTS)
        sent += result is True
        failed += result is False
    return sent, failed
