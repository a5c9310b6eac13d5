from django.core.management.base import BaseCommand

from blog.search import ensure_index, language


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index of articles (after changing BYLINE_SEARCH_LANGUAGE, or to repair it). "
        "migrate also creates or repairs it when needed."
    )

    def handle(self, *args, **options):
        ensure_index(force=True)
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt (language: {language()})."))
