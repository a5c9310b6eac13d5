"""The emails a submission causes, queued in the outbox (sent after commit)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from core.editors import editor_addresses
from core.models import SiteSettings
from outbox.mail import queue_email


def _context(submission, **extra):
    return {
        "submission": submission,
        "site_name": SiteSettings.load().site_name,
        "tracking_url": submission.tracking_url,
        "admin_url": settings.BYLINE_SITE_URL + reverse("admin:contributions_submission_change", args=[submission.pk]),
        **extra,
    }


def _to_contributor(submission, template, subject, **extra):
    context = _context(submission, **extra)
    body = render_to_string(f"contributions/email/{template}.txt", context)
    # The tracking token in the subject lets replies find their submission.
    subject = f"{subject} [#{submission.token[:8]}]"
    return queue_email([submission.email], subject, body, reference=f"submission:{submission.pk}")


def _to_editors(submission, template, subject, **extra):
    to = editor_addresses()
    if not to:
        return None
    body = render_to_string(f"contributions/email/{template}.txt", _context(submission, **extra))
    return queue_email(to, subject, body, reference=f"submission:{submission.pk}")


def submission_received(submission, acknowledge=True):
    site = SiteSettings.load().site_name
    if acknowledge:
        _to_contributor(submission, "received", f"We received “{submission.title}” — {site}")
    _to_editors(submission, "editors_new", f"New guest post: {submission.title}")


def submission_revised(submission):
    _to_editors(submission, "editors_revised", f"Revised guest post: {submission.title}")


def changes_requested(submission, message):
    _to_contributor(submission, "changes_requested", f"Changes requested: {submission.title}", message=message)


def accepted(submission):
    _to_contributor(submission, "accepted", f"Accepted: {submission.title}")


def rejected(submission, message):
    _to_contributor(submission, "rejected", f"About your submission: {submission.title}", message=message)
