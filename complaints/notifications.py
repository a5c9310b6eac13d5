"""The emails a complaint causes, queued in the outbox (sent after commit)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from core.editors import editor_addresses
from core.models import SiteSettings
from outbox.mail import queue_email

POLICY_SLUG = "copyright-policy"


def policy_url():
    return settings.BYLINE_SITE_URL + reverse("core:page-detail", kwargs={"slug": POLICY_SLUG})


def _context(article, **extra):
    return {
        "article": article,
        "article_url": settings.BYLINE_SITE_URL + article.get_absolute_url(),
        "site_name": SiteSettings.load().site_name,
        "policy_url": policy_url(),
        **extra,
    }


def _queue(to, template, subject, reference, context):
    body = render_to_string(f"complaints/email/{template}.txt", context)
    return queue_email(to, subject, body, reference=reference)


def _to_claimant(complaint, template, subject, **extra):
    context = _context(complaint.article, complaint=complaint, **extra)
    subject = f"{subject} [complaint #{complaint.pk}]"
    return _queue([complaint.claimant_email], template, subject, f"complaint:{complaint.pk}", context)


def _to_author(article, template, subject, reference, **extra):
    if not article.author.email:
        return None
    return _queue([article.author.email], template, subject, reference, _context(article, **extra))


def complaint_received(complaint):
    site = SiteSettings.load().site_name
    _to_claimant(complaint, "received", f"We received your copyright complaint — {site}")
    editors = editor_addresses()
    if editors:
        admin_url = settings.BYLINE_SITE_URL + reverse("admin:complaints_complaint_change", args=[complaint.pk])
        context = _context(complaint.article, complaint=complaint, admin_url=admin_url)
        subject = f"Copyright complaint #{complaint.pk}: {complaint.article.title}"
        _queue(editors, "editors_new", subject, f"complaint:{complaint.pk}", context)


def upheld(complaint):
    _to_claimant(complaint, "upheld_claimant", f"Your copyright complaint was upheld: {complaint.article.title}")
    _to_author(
        complaint.article,
        "upheld_author",
        f"Taken down after a copyright complaint: {complaint.article.title}",
        f"complaint:{complaint.pk}",
        complaint=complaint,
    )


def rejected(complaint, note):
    _to_claimant(complaint, "rejected", f"About your copyright complaint: {complaint.article.title}", note=note)


def restored(article, complaints, note):
    """The author once, and each claimant whose upheld complaint the restoration lifts."""
    reference = f"complaint:{complaints[0].pk}" if complaints else f"article:{article.pk}"
    _to_author(article, "restored_author", f"Restored: {article.title}", reference, complaints=complaints, note=note)
    for complaint in complaints:
        _to_claimant(complaint, "restored_claimant", f"The article is back online: {article.title}", note=note)
