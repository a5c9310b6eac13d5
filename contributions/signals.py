from django.db.models.signals import post_save
from django.dispatch import receiver

from blog.models import Article

from .duplicates import store_fingerprint


@receiver(post_save, sender=Article, dispatch_uid="contributions.fingerprint_article")
def fingerprint_article(sender, instance, raw=False, **kwargs):
    """Keep every article's fingerprint current, so submissions are checked against it."""
    if not raw:
        store_fingerprint(article=instance)
