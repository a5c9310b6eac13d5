"""Backup archives of the database and the media files (`manage.py backup` and `restore`).

An archive is one `.tar.gz`, members in this order:

    database.sqlite3   SQLite: a copy made with SQLite's online backup API, consistent while the site writes
    database.pgdump    PostgreSQL: `pg_dump --format=custom`, taken in the snapshot the manifest was read in
    media/<name>       every file of the default storage (disk or an S3 bucket), read through the storage
    media-<alias>/...  the same for every other storage in STORAGES ("private": raw emails, .docx), except
                       staticfiles, which collectstatic rebuilds from the release
    manifest.json      format, engine, time, migration heads, row counts, sizes and sha256 of everything above

The manifest comes last because it holds the checksums of the media files, which are known only
once they have been read. Restoring reads the whole archive once to check it against the manifest
(and to refuse members that would land outside their place) before it changes anything.
"""

import contextlib
import datetime
import glob
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import CommandError
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.loader import MigrationLoader

FORMAT = 1
MANIFEST = "manifest.json"
# Archive folders: "media/" for the default storage, "media-<alias>/" for the others.
FOLDER = re.compile(r"media(?:-([A-Za-z0-9_]+))?/")
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# Debian and Ubuntu install the client programs of each PostgreSQL major version here; the
# pg_dump on PATH (Debian's pg_wrapper) may be an older one than the server needs.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
CHUNK = 1024 * 1024
# How long a SQLite backup or restore waits for another connection's lock before giving up.
SQLITE_LOCK_SECONDS = 60
# Media files up to this size are copied through memory, larger ones through a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


def vendor_of(connection):
    """ "sqlite" or "postgresql": the databases an archive can hold."""
    if connection.vendor not in DATABASE_MEMBERS:
        raise CommandError(f"Backups support SQLite and PostgreSQL, not {connection.settings_dict['ENGINE']}.")
    return connection.vendor


def sha256_of(stream):
    """(size, sha256 hex digest) of what is left to read in the binary `stream`."""
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


# PostgreSQL's client programs


def tool_major(path):
    """The major version `path --version` reports (9 for 9.6), or None if it does not run."""
    try:
        result = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", result.stdout)
    return int(found.group(1)) if result.returncode == 0 and found else None


def pg_tool(name, at_least):
    """(path, major version) of PostgreSQL's program `name` (pg_dump, pg_restore), at least `at_least`.

    Looks on PATH first, then in PG_BIN_GLOB, newest version first. pg_dump refuses a server
    newer than itself, and pg_restore an archive written by a newer pg_dump.
    """
    candidates = [shutil.which(name)]
    candidates += sorted(glob.glob(f"{PG_BIN_GLOB}/{name}"), key=_version_key, reverse=True)
    seen, too_old = set(), []
    for path in candidates:
        if not path or path in seen:
            continue
        seen.add(path)
        major = tool_major(path)
        if major is None:
            continue
        if major >= at_least:
            return path, major
        too_old.append(f"{path} (version {major})")
    if not too_old:
        raise CommandError(
            f"{name} was not found on PATH or in {PG_BIN_GLOB}: install PostgreSQL's client programs, "
            f"version {at_least} or newer (Debian: apt-get install postgresql-client-{at_least})."
        )
    raise CommandError(
        f"{name} {at_least} or newer is needed (the server or the archive is version {at_least}); "
        f"found only {', '.join(too_old)}. Install postgresql-client-{at_least} or put a newer {name} on PATH."
    )


def _version_key(path):
    found = re.search(r"/(\d+)/bin/", path)
    return int(found.group(1)) if found else 0


def libpq_env(settings_dict):
    """The environment that points libpq's programs at the database of `settings_dict`.

    Password, service, SSL files and passfile as Django's `dbshell` passes them; host, port, user
    and database name as PG* variables, so the same environment serves pg_dump and pg_restore.
    """
    _args, extra = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(extra or {})}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGDATABASE", "NAME")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def run_tool(args, env):
    result = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if result.returncode != 0:
        message = result.stderr.strip()[-3000:] or result.stdout.strip()[-3000:]
        raise CommandError(f"{Path(args[0]).name} failed (exit status {result.returncode}):\n{message}")
    return result


# Reading the database


@dataclass
class DatabaseState:
    """What the manifest says about a database dump: read from the dump's own snapshot."""

    counts: dict  # {table: rows}
    applied: list  # [(app, migration name)] from django_migrations
    details: dict = field(default_factory=dict)  # server and pg_dump versions


def dump_database(connection, target):
    """Write the database of `connection` to the file `target` in its engine's own format."""
    if vendor_of(connection) == "sqlite":
        return dump_sqlite(connection, target)
    return dump_postgresql(connection, target)


def dump_sqlite(connection, target):
    """Copy the database with SQLite's online backup API, then read the counts from the copy.

    The backup API copies a consistent state while other connections keep writing (in WAL mode
    they are not even blocked), unlike copying the file, which can catch a half-written page.
    """
    if connection.in_atomic_block:
        # SQLite will not copy a database its own connection is writing to (SQLITE_LOCKED).
        raise CommandError("A SQLite backup cannot be taken inside a transaction of the same connection.")
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy, progress=_give_up_after(SQLITE_LOCK_SECONDS))
    with contextlib.closing(sqlite3.connect(target)) as copy:
        # One self-contained file: a copy of a WAL database would otherwise open in WAL mode.
        copy.execute("PRAGMA journal_mode=DELETE")
        tables = [
            name
            for (name,) in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {table: copy.execute(f"SELECT COUNT(*) FROM {_sqlite_quote(table)}").fetchone()[0] for table in tables}
        applied = []
        if "django_migrations" in counts:
            applied = copy.execute("SELECT app, name FROM django_migrations").fetchall()
    return DatabaseState(counts, applied, {"sqlite_version": sqlite3.sqlite_version})


def _give_up_after(seconds):
    """A progress callback for Connection.backup(), which otherwise retries a locked database forever."""
    started = time.monotonic()

    def progress(status, remaining, total):
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() - started > seconds:
            raise CommandError(
                f"The SQLite database stayed locked for {seconds} s (a long write transaction?): try again later."
            )

    return progress


def _sqlite_quote(name):
    return '"' + name.replace('"', '""') + '"'


def dump_postgresql(connection, target):
    """`pg_dump --format=custom` of the database, reading the counts in the very snapshot pg_dump dumps.

    A repeatable-read transaction exports its snapshot and pg_dump imports it (`--snapshot`), so
    the manifest's row counts and migrations describe exactly what the dump holds, even while the
    site writes.
    """
    import psycopg
    from psycopg import sql

    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    pg_dump, dump_major = pg_tool("pg_dump", server_major)
    with contextlib.closing(psycopg.connect(**connection.get_connection_params())) as snapshot:
        snapshot.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        snapshot.read_only = True
        with snapshot.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot_id,) = cursor.fetchone()
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = ANY(current_schemas(false)) ORDER BY tablename"
            )
            tables = [name for (name,) in cursor.fetchall()]
            counts = {}
            for table in tables:
                cursor.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(table)))
                counts[table] = cursor.fetchone()[0]
            applied = []
            if "django_migrations" in counts:
                cursor.execute("SELECT app, name FROM django_migrations")
                applied = cursor.fetchall()
            run_tool(
                [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot_id}", f"--file={target}"],
                libpq_env(connection.settings_dict),
            )
        snapshot.rollback()
    details = {"server_version": connection.pg_version, "pg_dump_major": dump_major}
    return DatabaseState(counts, applied, details)


def migration_heads(applied):
    """{app: [migration names]}: of the `applied` (app, name) pairs, those no other applied migration
    of the same app builds on. Migrations this code does not know are listed too."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    applied = {tuple(key) for key in applied}
    heads = {}
    for key in sorted(applied):
        node = graph.node_map.get(key)
        if node is not None and any(child.key in applied and child.key[0] == key[0] for child in node.children):
            continue
        heads.setdefault(key[0], []).append(key[1])
    return heads


# Media


def file_storages():
    """{alias: storage}: every configured storage that holds the site's files, "default" first.

    Not staticfiles: collectstatic rebuilds it from the release.
    """
    aliases = [alias for alias in settings.STORAGES if alias != "staticfiles"]
    aliases.sort(key=lambda alias: (alias != "default", alias))
    return {alias: storages[alias] for alias in aliases}


def folder_of(alias):
    return "media/" if alias == "default" else f"media-{alias}/"


def storage_root(storage):
    """Where `storage` keeps its files: (kind, container, "/"-separated path), or None when unknown."""
    bucket = getattr(storage, "bucket_name", None)
    if bucket:  # django-storages' S3 (and alike): a bucket, and a folder ("location") in it
        endpoint = getattr(storage, "endpoint_url", None) or ""
        return ("bucket", f"{endpoint}/{bucket}", str(getattr(storage, "location", "") or "").strip("/"))
    if isinstance(storage, FileSystemStorage):
        return ("disk", "", Path(storage.location).resolve().as_posix().strip("/"))
    return None


def nested_folders(storages_by_alias):
    """{alias: [folders of its storage that are another storage's place]}.

    In production without AWS_PRIVATE_BUCKET_NAME the private storage is the "private/" folder of
    the media bucket: walking the media bucket skips it, so that each file is kept once, and
    restored only through its own storage (with that storage's private ACL).
    """
    roots = {alias: storage_root(storage) for alias, storage in storages_by_alias.items()}
    nested = {alias: [] for alias in storages_by_alias}
    for alias, root in roots.items():
        for other, inner in roots.items():
            if other == alias or root is None or inner is None or root[:2] != inner[:2] or root[2] == inner[2]:
                continue
            if not root[2]:
                nested[alias].append(inner[2])
            elif inner[2].startswith(root[2] + "/"):
                nested[alias].append(inner[2][len(root[2]) + 1 :])
    return nested


def media_names(storage, skip=()):
    """Every file name in `storage`, walked with listdir(), sorted, leaving out the folders `skip`.

    A media folder not made yet has no files.
    """
    names, skip = [], set(skip)

    def walk(folder):
        try:
            folders, files = storage.listdir(folder)
        except FileNotFoundError:
            return
        names.extend(f"{folder}/{name}" if folder else name for name in files)
        for sub in folders:
            path = f"{folder}/{sub}" if folder else sub
            if path not in skip:
                walk(path)

    walk("")
    return sorted(names)


def all_media_names(storages_by_alias):
    """{alias: its file names}, each storage without the folders that belong to another."""
    nested = nested_folders(storages_by_alias)
    return {alias: media_names(storage, nested[alias]) for alias, storage in storages_by_alias.items()}


def spool_media(storage, name):
    """(spooled copy rewound to its start, size, sha256) of the stored file `name`."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    digest, size = hashlib.sha256(), 0
    try:
        with storage.open(name, "rb") as source:
            for chunk in source.chunks(CHUNK):
                digest.update(chunk)
                spool.write(chunk)
                size += len(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, size, digest.hexdigest()


def stored_checksum(storage, name):
    """(size, sha256) of the stored file `name`, or None when there is none."""
    try:
        with storage.open(name, "rb") as stored:
            return sha256_of(stored)
    except FileNotFoundError:
        return None


# Writing an archive


def _member(name, size, mtime):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, mtime, 0o600  # the data is private: emails, password hashes
    return info


@dataclass
class Written:
    path: Path
    manifest: dict
    skipped: list  # "alias:name" of files that disappeared between listing and reading


def write_archive(directory, name, connection, storages_by_alias, now=None):
    """Write a backup of the database of `connection` and the files of `storages_by_alias`
    ({alias: storage}) to an archive called `name` in `directory`; return what was written.

    Everything is written to a hidden ".<name>.<random>.partial" file beside it, renamed to
    `name` only once complete and flushed to disk: an interrupted backup never leaves a
    truncated archive under an archive's name (a killed one may leave the .partial file).
    """
    now = now or datetime.datetime.now(datetime.UTC)
    vendor = vendor_of(connection)
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".partial")  # mode 0600
    os.close(handle)
    try:
        with tempfile.TemporaryDirectory(dir=directory, prefix=".byline-backup-") as work:
            member = DATABASE_MEMBERS[vendor]
            dump = Path(work) / member
            state = dump_database(connection, dump)
            with dump.open("rb") as stream:
                db_size, db_sha = sha256_of(stream)
            mtime = int(now.timestamp())
            media, skipped = {}, []
            with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
                with dump.open("rb") as stream:
                    tar.addfile(_member(member, db_size, mtime), stream)
                for alias, names in all_media_names(storages_by_alias).items():
                    media[alias] = []
                    for media_name in names:
                        try:
                            spool, size, sha = spool_media(storages_by_alias[alias], media_name)
                        except FileNotFoundError:  # deleted since it was listed
                            skipped.append(f"{alias}:{media_name}")
                            continue
                        with spool:
                            tar.addfile(_member(folder_of(alias) + media_name, size, mtime), spool)
                        media[alias].append({"name": media_name, "size": size, "sha256": sha})
                manifest = {
                    "format": FORMAT,
                    "created": now.isoformat(timespec="seconds"),
                    "django": django.get_version(),
                    "database": {
                        "engine": connection.settings_dict["ENGINE"],
                        "vendor": vendor,
                        "member": member,
                        "size": db_size,
                        "sha256": db_sha,
                        **state.details,
                    },
                    "migrations": migration_heads(state.applied),
                    "tables": state.counts,
                    "media": media,
                }
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                tar.addfile(_member(MANIFEST, len(data), mtime), io.BytesIO(data))
        with open(partial, "rb") as stream:
            os.fsync(stream.fileno())
        final = _free_name(directory, name)
        os.replace(partial, final)
        _fsync_folder(directory)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise
    return Written(final, manifest, skipped)


def _free_name(directory, name):
    """directory/name, or with "-2", "-3"... before the suffix when that is taken (two backups in one second)."""
    stem, suffix = name.removesuffix(".tar.gz"), ".tar.gz" if name.endswith(".tar.gz") else ""
    path, number = directory / name, 1
    while path.exists():
        number += 1
        path = directory / f"{stem}-{number}{suffix}"
    return path


def _fsync_folder(directory):
    with contextlib.suppress(OSError):  # not every platform or filesystem allows it
        handle = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


# Reading an archive


def safe_name(name):
    """Whether `name` stays where it is put: relative, without "..", empty or "." parts, NUL or backslash."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return False
    parts = name.split("/")
    return all(part not in ("", ".", "..") for part in parts) and PurePosixPath(name).as_posix() == name


class Archive:
    """A backup archive whose members and manifest have been checked against each other.

    Opening it reads the whole archive once: every member must be a regular file with a safe
    name, the manifest must be of a known format, and the database dump and every media file
    must have the size and sha256 the manifest lists (and no media file may be missing or extra).
    """

    def __init__(self, path):
        self.path = Path(path)
        try:
            self.tar = tarfile.open(self.path, "r:gz")
        except FileNotFoundError:
            raise CommandError(f"No such archive: {self.path}") from None
        except (tarfile.TarError, OSError, EOFError) as error:
            raise CommandError(f"{self.path} is not a backup archive (.tar.gz): {error}") from None
        try:
            self.members, checksums, manifest_data = self._read_members()
            self.manifest = self._read_manifest(manifest_data)
            self._check_checksums(checksums)
        except BaseException:
            self.tar.close()
            raise

    def close(self):
        self.tar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _read_members(self):
        members, checksums, manifest_data = {}, {}, None
        try:
            for member in self.tar:
                name = member.name
                if not safe_name(name):
                    raise CommandError(
                        f"Refusing the archive: the member {name!r} has an absolute path or '..' "
                        "(it could write outside its folder)."
                    )
                if member.isdir():
                    continue
                if not member.isfile():
                    raise CommandError(f"Refusing the archive: {name!r} is not a regular file (a link or device).")
                if name in members:
                    raise CommandError(f"Refusing the archive: {name!r} appears twice.")
                if name != MANIFEST and name not in DATABASE_MEMBERS.values() and not FOLDER.match(name):
                    raise CommandError(f"Refusing the archive: unexpected member {name!r}.")
                members[name] = member
                with self.tar.extractfile(member) as stream:
                    if name == MANIFEST:
                        manifest_data = stream.read()
                    else:
                        checksums[name] = sha256_of(stream)
        except (tarfile.TarError, OSError, EOFError) as error:
            raise CommandError(f"{self.path} is damaged or truncated: {error}") from None
        if manifest_data is None:
            raise CommandError(f"{self.path} has no {MANIFEST}: it is not a Byline backup archive.")
        return members, checksums, manifest_data

    def _read_manifest(self, data):
        try:
            manifest = json.loads(data)
        except ValueError as error:
            raise CommandError(f"{MANIFEST} is not valid JSON: {error}") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            found = manifest.get("format") if isinstance(manifest, dict) else None
            raise CommandError(f"Unsupported archive format {found!r}: this version of Byline reads format {FORMAT}.")
        try:
            vendor = manifest["database"]["vendor"]
            member = manifest["database"]["member"]
            entries = [
                (alias, entry["name"], entry["size"], entry["sha256"])
                for alias, files in manifest["media"].items()
                for entry in files
            ]
            tables = manifest["tables"]
            required = (manifest["created"], manifest["database"]["size"], manifest["database"]["sha256"])
        except (KeyError, TypeError, AttributeError) as error:
            raise CommandError(f"{MANIFEST} is incomplete ({error!r} missing or malformed).") from None
        if DATABASE_MEMBERS.get(vendor) != member or not isinstance(tables, dict) or None in required:
            raise CommandError(f"{MANIFEST} is inconsistent: database {vendor!r} in {member!r}.")
        for alias, name, _size, _sha in entries:
            if not FOLDER.fullmatch(folder_of(alias)):
                raise CommandError(f"{MANIFEST} names a storage {alias!r} that cannot be one.")
            if not isinstance(name, str) or not safe_name(name):
                raise CommandError(f"Refusing the archive: the media name {name!r} is not a safe relative path.")
        return manifest

    def _check_checksums(self, checksums):
        database = self.manifest["database"]
        expected = {database["member"]: (database["size"], database["sha256"])}
        for alias, files in self.manifest["media"].items():
            expected.update({folder_of(alias) + e["name"]: (e["size"], e["sha256"]) for e in files})
        missing = sorted(set(expected) - set(checksums))
        extra = sorted(set(checksums) - set(expected))
        changed = sorted(name for name in set(expected) & set(checksums) if tuple(expected[name]) != checksums[name])
        problems = [f"missing {name}" for name in missing] + [f"not in the manifest: {name}" for name in extra]
        problems += [f"checksum differs: {name}" for name in changed]
        if problems:
            raise CommandError(f"{self.path} does not match its manifest: " + "; ".join(problems[:10]))

    @property
    def vendor(self):
        return self.manifest["database"]["vendor"]

    @property
    def media(self):
        """{storage alias: [{"name", "size", "sha256"}]}."""
        return self.manifest["media"]

    def media_count(self):
        return sum(len(files) for files in self.media.values())

    def open_member(self, name):
        return self.tar.extractfile(self.members[name])

    def extract_database(self, folder):
        """Copy the database dump to a file in `folder`; return its path."""
        member = self.manifest["database"]["member"]
        target = Path(folder) / member
        with self.open_member(member) as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        return target


# Restoring


def restore_database(connection, dump, manifest):
    """Replace the database of `connection` with the dump file `dump`."""
    if vendor_of(connection) == "sqlite":
        restore_sqlite(connection, dump)
    else:
        restore_postgresql(connection, dump, manifest)


def restore_sqlite(connection, dump):
    """Copy `dump` over the configured database with the backup API (after checking the copy).

    Through SQLite itself, not by replacing the file: other processes that have the database
    open see the restored content, and the -wal and -shm files stay consistent with it.
    """
    with contextlib.closing(sqlite3.connect(dump)) as source:
        (result,) = source.execute("PRAGMA quick_check").fetchone()
        if result != "ok":
            raise CommandError(f"The archive's SQLite database is damaged: {result}")
        connection.close()
        connection.ensure_connection()
        source.backup(connection.connection, progress=_give_up_after(SQLITE_LOCK_SECONDS))


def restore_postgresql(connection, dump, manifest):
    """`pg_restore --clean --if-exists --no-owner --single-transaction` into the configured database.

    One transaction: a failure leaves the database as it was. --clean drops the archive's objects
    first; tables only the current database has (made by a later migration) stay, see `extra_tables`.
    """
    connection.ensure_connection()
    at_least = max(connection.pg_version // 10000, manifest["database"].get("pg_dump_major", 0))
    pg_restore, _major = pg_tool("pg_restore", at_least)
    name = connection.settings_dict["NAME"]
    connection.close()  # no transaction or lock of ours in the way of the DROPs
    run_tool(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--no-password",
            f"--dbname={name}",
            str(dump),
        ],
        libpq_env(connection.settings_dict),
    )


def restore_media(archive, storages_by_alias):
    """Write the archive's files through their storages, replacing files of the same name.

    Returns (written, unchanged): files already stored with the same bytes are left alone.
    """
    written = unchanged = 0
    for alias, files in archive.media.items():
        storage = storages_by_alias[alias]
        for entry in files:
            name = entry["name"]
            if stored_checksum(storage, name) == (entry["size"], entry["sha256"]):
                unchanged += 1
                continue
            with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
                with archive.open_member(folder_of(alias) + name) as source:
                    shutil.copyfileobj(source, spool, CHUNK)
                spool.seek(0)
                if storage.exists(name):
                    storage.delete(name)  # storages give a new name to a clashing file instead of replacing it
                saved = storage.save(name, File(spool, name=PurePosixPath(name).name))
            if saved != name:
                raise CommandError(f"The storage saved {name!r} as {saved!r}: is another process writing media?")
            written += 1
    return written, unchanged


def count_rows(connection, tables):
    """{table: rows now, or None when the table does not exist} for `tables`."""
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table not in existing:
                counts[table] = None
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def extra_tables(connection, manifest):
    """Tables the database has and the archive did not (PostgreSQL: --clean leaves them)."""
    return sorted(set(connection.introspection.table_names()) - set(manifest["tables"]))


def verify(connection, storages_by_alias, manifest):
    """Compare the restored database and media with the manifest: a list of differences (none: all match)."""
    problems = []
    counts = count_rows(connection, manifest["tables"])
    for table, expected in sorted(manifest["tables"].items()):
        if counts[table] is None:
            problems.append(f"table {table} is missing")
        elif counts[table] != expected:
            problems.append(f"table {table} has {counts[table]} rows, the archive {expected}")
    for alias, files in sorted(manifest["media"].items()):
        for entry in files:
            found = stored_checksum(storages_by_alias[alias], entry["name"])
            if found is None:
                problems.append(f"file {entry['name']} of the {alias} storage is missing")
            elif found != (entry["size"], entry["sha256"]):
                problems.append(f"file {entry['name']} of the {alias} storage differs from the archive")
    return problems
