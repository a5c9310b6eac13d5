from anymail.signals import inbound
from django.db.models.signals import post_save
from django.dispatch import receiver

from blog.models import Article

from .duplicates import store_fingerprint


@receiver(post_save, sender=Article, dispatch_uid="contributions.fingerprint_article")
def fingerprint_article(sender, instance, raw=False, **kwargs):
    """Keep every article's fingerprint current, so submissions are checked against it."""
    if not raw:
        store_fingerprint(article=instance)


@receiver(inbound, dispatch_uid="contributions.inbound_email")
def inbound_email(sender, event, esp_name, **kwargs):
    """Inbound mail forwarded by the email provider (django-anymail checked its signature).

    A database error propagates: the webhook answers 500 and the provider retries later.
    """
    from .inbound import ingest

    ingest(event.message.as_bytes(), source="webhook")
