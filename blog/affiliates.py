"""Re-marking every article's affiliate links after the patterns changed (an ORM job; blog/tasks.py).

The matching itself is core/affiliates.py; what an article's save derives from it is
`Article.derive()` (blog/models.py).
"""

from django.db import transaction

from core.affiliates import parse_patterns
from core.models import SiteSettings

from .invalidation import articles_changed
from .models import Article


def rescan_articles(patterns=None, batch_size=500):
    """Re-mark every article's links for `patterns` (by default the saved site settings').

    Writes only the articles whose body, flag or link list change, with one bulk
    update per batch: no Article.save(), so no revision, no new `updated_at`.
    Each batch locks its rows (on PostgreSQL) so an editor's save in the meantime
    is not overwritten. Returns the number of articles changed.
    """
    if patterns is None:
        # From the database, not SiteSettings.load(): a worker's local cache may predate the change.
        text = SiteSettings.objects.filter(pk=1).values_list("affiliate_patterns", flat=True).first()
        patterns = parse_patterns(text)
    fields = list(Article.BODY_DERIVED_FIELDS)
    changed_count, last_pk = 0, 0
    while True:
        with transaction.atomic():
            batch = list(
                Article.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .only("pk", *fields)[:batch_size]
            )
            if not batch:
                return changed_count
            changed = []
            for article in batch:
                before = [getattr(article, field) for field in fields]
                article.derive_body(patterns)
                if [getattr(article, field) for field in fields] != before:
                    changed.append(article)
            if changed:
                Article.objects.bulk_update(changed, fields)
                articles_changed(article.pk for article in changed)
            changed_count += len(changed)
            last_pk = batch[-1].pk
