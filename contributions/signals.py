import json

from anymail.signals import inbound
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from blog.models import Article
from blog.signals import article_status_changed

from .tasks import fingerprint_article_task, record_progress_task


@receiver(post_save, sender=Article, dispatch_uid="contributions.fingerprint_article")
def fingerprint_article(sender, instance, raw=False, **kwargs):
    """Keep every article's fingerprint current, so submissions are checked against it: after the
    save commits, as a task (not in the editor's request). One of the reactions to an article's
    save listed in blog/receivers.py."""
    if not raw:
        article_id = instance.pk
        transaction.on_commit(lambda: fingerprint_article_task.enqueue(article_id), robust=True)


@receiver(post_save, sender=Article, dispatch_uid="contributions.follow_progress")
def follow_progress(sender, instance, raw=False, **kwargs):
    """A guest post's article saved (edited, scheduled, published, withdrawn): its contributor's
    history and emails follow, after the save commits, as a task (contributions/progress.py)."""
    if not raw:
        article_id = instance.pk
        transaction.on_commit(lambda: record_progress_task.enqueue(article_id), robust=True)


@receiver(article_status_changed, sender=Article, dispatch_uid="contributions.follow_status")
def follow_status(sender, article, status, **kwargs):
    """Taken down or restored without a save (blog/publishing.py): the same, once the change commits."""
    article_id = article.pk
    transaction.on_commit(lambda: record_progress_task.enqueue(article_id), robust=True)


@receiver(inbound, dispatch_uid="contributions.inbound_email")
def inbound_email(sender, event, esp_name, **kwargs):
    """Inbound mail forwarded by the email provider (django-anymail checked its signature).

    The bytes the provider sent are ingested as they came (webhooks.raw_mime), never the parsed message
    written back out. Only a fault of ours that a retry can cure (the database or the private storage
    unreachable) propagates: the webhook answers 500 and the provider retries later. A message that
    cannot be processed for a reason of its own would fail on every retry, and the provider would then
    drop it: it is set aside (inbound.set_aside: its bytes kept, recorded as refused with the reason)
    and the webhook answers 200.
    """
    from .inbound import describe, ingest, operational, set_aside
    from .webhooks import raw_mime

    raw = raw_mime(event.message)
    if raw is None:  # sent in fields, which anymail put together into a message
        try:
            raw = event.message.as_bytes()
        except Exception as exc:
            set_aside(_provider_payload(event), f"could not be written out: {describe(exc)}", source="webhook")
            return
    try:
        ingest(raw, source="webhook")
    except Exception as exc:
        if operational(exc):
            raise
        set_aside(raw, f"could not be processed: {describe(exc)}", source="webhook")


def _provider_payload(event):
    """What the provider posted, for a message that exists only as anymail's parse of it."""
    esp_event = event.esp_event
    body = getattr(esp_event, "body", None)
    if isinstance(body, bytes):
        return body
    return json.dumps(esp_event, default=str).encode("utf-8")
