from django.core.management.base import BaseCommand

from blog.affiliates import rescan_articles


class Command(BaseCommand):
    help = (
        'Mark affiliate links in every article with the patterns of the site settings (rel="sponsored" and the '
        "disclosure flag). Saving new patterns in the admin does this by itself; run it after bulk imports."
    )

    def handle(self, *args, **options):
        changed = rescan_articles()
        self.stdout.write(self.style.SUCCESS(f"Affiliate links checked: {changed} articles changed."))
