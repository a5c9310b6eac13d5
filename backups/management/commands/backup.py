"""`manage.py backup`: the database and every media file in one archive (see backups/archive.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from backups.archive import write_archive
from backups.database import ENGINE_NAMES
from backups.media import file_storages


def default_folder():
    # Not backups/: that is this app's package. Gitignored (/var/backups/).
    return Path(settings.BASE_DIR) / "var" / "backups"


class Command(BaseCommand):
    help = (
        "Write the database (SQLite: online backup copy; PostgreSQL: pg_dump --format=custom) and every "
        "file of the media storages (default and private), with a manifest of row counts and checksums, to one "
        "byline-YYYYmmdd-HHMMSS.tar.gz archive. Safe while the site runs. Restore it with `manage.py restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            metavar="DIR",
            help="Folder for the archive, created if missing (default: var/backups in the project).",
        )

    def handle(self, *args, **options):
        folder = options["output"] or default_folder()
        now = timezone.now()
        name = f"byline-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar.gz"
        written = write_archive(folder, name, connections[DEFAULT_DB_ALIAS], file_storages(), now=now)
        manifest = written.manifest
        for skipped in written.skipped:
            self.stderr.write(self.style.WARNING(f"File {skipped} was deleted while the backup ran: left out."))
        files = [entry for entries in manifest["media"].values() for entry in entries]
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {written.path} ({filesizeformat(written.path.stat().st_size)}): "
                f"{ENGINE_NAMES[manifest['database']['vendor']]} database with {len(manifest['tables'])} tables "
                f"and {sum(manifest['tables'].values())} rows, {len(files)} media files "
                f"({filesizeformat(sum(entry['size'] for entry in files))})."
            )
        )
