"""The emails a submission causes, queued in the outbox (sent after commit)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

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


# What became of an accepted piece (contributions/progress.py) and the contributor's profile (profiles.py).


def local_time(when):
    """`when` in the site's time zone, for people: "Tuesday 8 December 2026 at 09:30 (UTC)"."""
    local = timezone.localtime(when, timezone.get_default_timezone())
    return _("%(date)s at %(time)s (%(zone)s)") % {
        "date": dateformat.format(local, "l j F Y"),
        "time": dateformat.format(local, "H:i"),
        "zone": local.tzname(),
    }


def scheduled(submission, published_at):
    _to_contributor(submission, "scheduled", f"Scheduled: {submission.title}", scheduled_for=local_time(published_at))


def published(submission, article_url):
    _to_contributor(submission, "published", f"Now live: {submission.title}", article_url=article_url)


def taken_down(submission):
    _to_contributor(submission, "taken_down", f"Taken down: {submission.title}")


def restored(submission, article_url):
    _to_contributor(submission, "restored", f"Restored: {submission.title}", article_url=article_url)


def profile_proposed(change):
    admin_url = settings.BYLINE_SITE_URL + reverse("admin:contributions_profilechange_change", args=[change.pk])
    _to_editors(
        change.submission,
        "editors_profile",
        f"Profile change to approve: {change.author.name}",
        change=change,
        profile_admin_url=admin_url,
    )


def profile_decided(change):
    approved = change.status == change.Status.APPROVED
    subject = "Your profile is updated" if approved else "About your profile change"
    author_url = settings.BYLINE_SITE_URL + change.author.get_absolute_url()
    _to_contributor(
        change.submission,
        "profile_approved" if approved else "profile_declined",
        f"{subject}: {change.author.name}",
        author_url=author_url,
    )
