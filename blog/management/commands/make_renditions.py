from django.core.management.base import BaseCommand

from blog.images import image_names, make_article_renditions
from blog.invalidation import articles_rendered_anew
from blog.models import Article

# The page cache is told in batches: one purge of the HTTP caches per batch, not per article.
INVALIDATE_EVERY = 200


class Command(BaseCommand):
    help = (
        "Make the responsive-image renditions (several widths, WebP and the original format) of every "
        "article's featured and body images, and store each article's map. Saving an article does this "
        "in the background by itself; run this after bulk imports (seed_demo writes articles without "
        "saving them one by one) or after changing the widths in blog/images.py. Renditions already in "
        "the storage are not made again. Runs here, not in the task worker."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing",
            action="store_true",
            help="Only articles with an image that is not in their map yet (faster: no storage checks for the rest).",
        )

    def handle(self, *args, missing=False, verbosity=1, **options):
        articles = (
            Article.objects.order_by("pk")
            .only("featured_image", "featured_image_width", "featured_image_height", "body", "renditions")
            .iterator(chunk_size=500)
        )
        checked = changed = 0
        pending = []
        for article in articles:
            names = image_names(article)
            if not names and not article.renditions:
                continue
            if missing and set(names) == set(article.renditions):
                continue
            checked += 1
            renditions = make_article_renditions(article.pk, invalidate_pages=False)
            if renditions is not None and renditions != article.renditions:
                changed += 1
                pending.append(article.pk)
            if len(pending) >= INVALIDATE_EVERY:
                articles_rendered_anew(pending)
                pending = []
            if verbosity >= 2:
                self.stdout.write(f"{article.pk}: {len(renditions or {})} of {len(names)} images")
        articles_rendered_anew(pending)
        self.stdout.write(self.style.SUCCESS(f"Renditions checked for {checked} articles; {changed} maps changed."))
