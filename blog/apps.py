from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_search_index(sender, using, **kwargs):
    from .search import ensure_index

    ensure_index(using)


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Blog"

    def ready(self):
        # After every migrate: the full-text index exists and matches BYLINE_SEARCH_LANGUAGE (blog/search.py).
        post_migrate.connect(_ensure_search_index, sender=self)
        from library import usage

        from . import receivers  # noqa: F401  (every reaction to a change: blog/receivers.py)
        from .library_uses import article_uses

        usage.register(article_uses)  # where library pictures are used: in articles (blog/library_uses.py)
