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

This module holds the archive itself: writing one, reading and checking one (Archive), and
verifying a restored site against its manifest. Dumping and restoring each database engine is
backups/database.py's; walking, reading and writing back the storages' files, backups/media.py's.
"""

import contextlib
import datetime
import io
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import django
from django.core.management.base import CommandError

from backups.checksums import CHUNK, sha256_of
from backups.database import count_rows, dump_database, migration_heads, vendor_of
from backups.media import FOLDER, all_media_names, folder_of, spool_media, stored_checksum

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


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


# After a restore


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
