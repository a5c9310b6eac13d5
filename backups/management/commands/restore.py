"""`manage.py restore ARCHIVE`: put back the database and media files of a `manage.py backup` archive."""

import sys
import tempfile
from pathlib import Path

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from backups.archive import Archive, verify
from backups.database import ENGINE_NAMES, extra_tables, restore_database, vendor_of
from backups.media import all_media_names, file_storages, restore_media
from core import cachetags
from pagecache.cache import invalidate


def describe_storage(storage):
    bucket = getattr(storage, "bucket_name", None)
    if bucket:
        location = getattr(storage, "location", "")
        return f"the bucket {bucket}" + (f", folder {location}" if location else "")
    return str(getattr(storage, "location", type(storage).__name__))


def forget_cached_pages():
    """Cached pages and page parts show the data from before the restore: drop them all.

    Clears the configured cache (with REDIS_URL, its whole Redis database), and invalidates the
    SITE tag every cached page carries, which also purges Varnish or the CDN when configured.
    App servers that use the local-memory cache keep their copies until they restart.
    """
    cache.clear()
    invalidate({cachetags.SITE, cachetags.LIST, cachetags.SIDEBAR})


class Command(BaseCommand):
    help = (
        "Replace the database and the media files with those of an archive written by `manage.py backup`, "
        "then verify row counts and checksums against the archive's manifest. Asks first unless --noinput."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="A byline-*.tar.gz archive written by `manage.py backup`.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation (the current data is replaced).",
        )

    def handle(self, *args, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        current = vendor_of(connection)
        storages = file_storages()
        with Archive(options["archive"]) as archive:
            manifest = archive.manifest
            if archive.vendor != current:
                raise CommandError(
                    f"The archive holds a {ENGINE_NAMES[archive.vendor]} database "
                    f"({manifest['database']['engine']}), but the configured database is "
                    f"{ENGINE_NAMES[current]} ({connection.settings_dict['ENGINE']}). Point DATABASE_URL at "
                    f"a {ENGINE_NAMES[archive.vendor]} database to restore this archive."
                )
            unknown = sorted(set(archive.media) - set(storages))
            if unknown:
                raise CommandError(
                    f"The archive has files of the storages {', '.join(unknown)}, which STORAGES does not "
                    f"configure here (configured: {', '.join(storages)})."
                )
            if not self.confirm(options, archive, connection, storages):
                self.stdout.write("Restore cancelled: nothing was changed.")
                return
            with tempfile.TemporaryDirectory(prefix="byline-restore-") as work:
                restore_database(connection, archive.extract_database(work), manifest)
            self.stdout.write(f"Database restored from the archive made {manifest['created']}.")
            written, unchanged = restore_media(archive, storages)
            self.stdout.write(f"Media restored: {written} files written, {unchanged} already identical.")
        # Verified before the caches are told: forgetting them writes rows of its own (with the
        # database task backend, the purge of Varnish or Cloudflare is a queued task), which the
        # archive does not have. Forgotten either way: the data was replaced.
        problems = verify(connection, storages, manifest)
        forget_cached_pages()
        if problems:
            raise CommandError(
                "The restored data does not match the archive (did something write meanwhile?):\n  "
                + "\n  ".join(problems)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Verified: the row counts of all {len(manifest['tables'])} tables and the checksums of all "
                f"{archive.media_count()} media files match the archive."
            )
        )
        self.report_leftovers(connection, storages, manifest)

    def confirm(self, options, archive, connection, storages):
        if not options["interactive"]:
            return True
        stdin = options.get("stdin") or sys.stdin
        if not stdin.isatty():
            raise CommandError(
                "restore replaces all current data and asks first, but stdin is not a terminal: "
                "pass --noinput to restore without asking."
            )
        self.stdout.write(
            f"This replaces ALL data in the {ENGINE_NAMES[archive.vendor]} database "
            f"{connection.settings_dict['NAME']!s} with the archive's, made {archive.manifest['created']}, and "
            f"writes its {archive.media_count()} media files to "
            + ", ".join(f"{describe_storage(storages[alias])} ({alias})" for alias in archive.media)
            + ", replacing files of the same name.\nType 'yes' to continue, or 'no' to cancel: ",
            ending="",
        )
        self.stdout.flush()
        return stdin.readline().strip().lower() == "yes"

    def report_leftovers(self, connection, storages, manifest):
        """What the restore leaves as it was: newer media files and tables, migrations to run."""
        newer = []
        for alias, names in all_media_names(storages).items():
            archived = {entry["name"] for entry in manifest["media"].get(alias, [])}
            newer += [name for name in names if name not in archived]
        if newer:
            self.stdout.write(
                f"{len(newer)} media files that are not in the archive (uploaded since) were left in place."
            )
        tables = extra_tables(connection, manifest)
        if tables:
            self.stderr.write(
                self.style.WARNING(
                    f"Tables not in the archive were left in place: {', '.join(tables)}. "
                    "Drop them before running migrate if they come from migrations the archive predates."
                )
            )
        executor = MigrationExecutor(connection)
        graph = executor.loader.graph
        unknown = sorted(key for key in executor.loader.applied_migrations if key not in graph.nodes)
        if unknown:
            self.stderr.write(
                self.style.WARNING(
                    f"The archive comes from newer code: {len(unknown)} applied migrations are unknown here "
                    f"({', '.join('.'.join(key) for key in unknown[:5])}). Deploy that code before serving the site."
                )
            )
        pending = executor.migration_plan(graph.leaf_nodes())
        if pending:
            self.stderr.write(
                self.style.WARNING(
                    f"The archive predates {len(pending)} migrations of this code: run `manage.py migrate`."
                )
            )
