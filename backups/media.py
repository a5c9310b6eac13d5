"""The files in a backup: every storage that holds the site's files, walked, read and written back.

In the archive, each storage's files sit in a folder of their own: "media/" for the default
storage, "media-<alias>/" for the others (folder_of()). A storage that is a folder of another
(the private files inside the media bucket) is walked only as itself.
"""

import hashlib
import re
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import CommandError

from backups.checksums import CHUNK, sha256_of

# Archive folders: "media/" for the default storage, "media-<alias>/" for the others.
FOLDER = re.compile(r"media(?:-([A-Za-z0-9_]+))?/")
# Media files up to this size are copied through memory, larger ones through a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


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
