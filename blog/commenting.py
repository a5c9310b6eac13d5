"""When an article takes comments: the article's side of the rules (discussion/ moderates them).

Comments close N days after publication: the site setting, which an article can override
(0 closes them now; an empty site setting never closes them).
"""

from datetime import timedelta

from django.utils import timezone

from core.models import SiteSettings


def closing_days(article, site_settings=None):
    """Days after publication that comments stay open (None: never close; 0: closed)."""
    if article.comments_close_after_days is not None:
        return article.comments_close_after_days
    days = (site_settings or SiteSettings.load()).comments_close_after_days
    return days or None


def comments_close_at(article, site_settings=None):
    """When comments on `article` close (None: never)."""
    days = closing_days(article, site_settings)
    if days is None or article.published_at is None:
        return None
    return article.published_at + timedelta(days=days)


def comments_open(article, site_settings=None):
    if not article.is_live:
        return False
    closes = comments_close_at(article, site_settings)
    return closes is None or timezone.now() < closes
