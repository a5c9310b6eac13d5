"""`manage.py import_wordpress EXPORT.xml [--media-dir PATH] [--dry-run]`: see wordpress/importer.py."""

import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wordpress.importer import Importer
from wordpress.wxr import WXRError


class ProgressBar:
    """One line on stderr, redrawn at most five times a second: stage, bar, percentage of the file read."""

    def __init__(self, stream, total):
        self.stream, self.total, self.shown_at = stream, max(total, 1), 0.0

    def __call__(self, stage, position):
        now = time.monotonic()
        if now - self.shown_at < 0.2:
            return
        self.shown_at = now
        share = min(position / self.total, 1.0)
        bar = "#" * int(share * 30)
        self.stream.write(f"\r{stage:<9} [{bar:<30}] {share:4.0%}", style_func=_plain, ending="")
        self.stream.flush()

    def finish(self):
        self.stream.write("\r" + " " * 50 + "\r", style_func=_plain, ending="")


def _plain(text):
    return text  # not the error colour Django gives stderr


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR, Tools → Export → All content): authors, categories, tags, posts, "
        "pages, comments and featured images, with redirects from the old addresses. Run it again to pick up "
        "changes: what was imported before is updated, nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", help="The WordPress export file (.xml).")
        parser.add_argument(
            "--media-dir",
            help="A copy of the old site's wp-content/uploads folder: featured and in-body images are taken "
            "from it (never downloaded), checked and stored here.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; save nothing.")

    def handle(self, *args, export, media_dir=None, dry_run=False, **options):
        path = Path(export)
        if not path.is_file():
            raise CommandError(f"No such file: {export}")
        if media_dir and not Path(media_dir).is_dir():
            raise CommandError(f"--media-dir is not a folder: {media_dir}")
        progress = ProgressBar(self.stderr, os.path.getsize(path)) if self.stdout.isatty() else None
        importer = Importer(media_dir=media_dir, dry_run=dry_run, progress=progress)
        try:
            report = importer.run(path)
        except WXRError as exc:
            raise CommandError(f"{export}: {exc}") from exc
        finally:
            if progress:
                progress.finish()
        for line in report.lines(dry_run=dry_run):
            self.stdout.write(line)
