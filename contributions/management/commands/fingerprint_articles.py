import time

from django.core.management.base import BaseCommand

from contributions.duplicates import fingerprint_missing_articles


class Command(BaseCommand):
    help = (
        "Fingerprint every article that has none, for the duplicate check on submissions. "
        "Articles saved normally are fingerprinted on save; run this after bulk imports."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        done = fingerprint_missing_articles()
        self.stdout.write(f"Fingerprinted {done} articles in {time.perf_counter() - started:.1f}s.")
