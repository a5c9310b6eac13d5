"""`manage.py backup` and `manage.py restore`.

The round trips run the real commands in child processes against a throwaway site with its own
database (a SQLite file, or a scratch PostgreSQL database) and media folder: seed content with
pictures, a comment and a guest post with attachments, back it up, edit and delete rows and
files, restore, then compare every row (dumpdata) and the bytes of every file in both storages
(public media, and the private files: raw emails and .docx) with before.
The refusals run in-process against archives built here, and must leave the data alone.
"""

import hashlib
import io
import json
import os
import re
import socket
import stat
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from backups import archive, database, media
from blog.models import Article
from core.storage import private_storage
from tests.factories import ArticleFactory
from tests.services import HANG_SECONDS

ROOT = Path(__file__).resolve().parents[2]
# Variables the settings read: none of them leaks into the throwaway site from the shell.
READ_PREFIXES = ("DJANGO_", "BYLINE_", "AWS_", "ANYMAIL_", "CLOUDFLARE_")
READ_NAMES = {"DATABASE_URL", "REDIS_URL"}
ENGINES = {"sqlite": "django.db.backends.sqlite3", "postgresql": "django.db.backends.postgresql"}
# The throwaway site's folder of each storage.
FOLDERS = {"default": "media", "private": "private-media"}


def sha256(data):
    return hashlib.sha256(data).hexdigest()


# Round trips


class Site:
    """A throwaway Byline, run through manage.py in child processes with the test settings."""

    def __init__(self, folder, database_url):
        self.folder = folder
        self.backups = folder / "backups"
        env = {k: v for k, v in os.environ.items() if not k.startswith(READ_PREFIXES) and k not in READ_NAMES}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=database_url,
            DJANGO_MEDIA_ROOT=str(folder / FOLDERS["default"]),
            DJANGO_PRIVATE_MEDIA_ROOT=str(folder / FOLDERS["private"]),
        )
        self.env = env

    def manage(self, *args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,  # not a terminal, as under cron
            capture_output=True,
            text=True,
            timeout=HANG_SECONDS,
        )

    def run(self, *args):
        result = self.manage(*args)
        assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result

    def content(self, call):
        """Run `call` (an expression) from tests/backups/content.py in the site."""
        return self.run("shell", "--no-imports", "-c", f"from tests.backups import content; content.{call}")

    def snapshot(self, name):
        path = self.folder / f"{name}.json"
        self.content(f"snapshot({str(path)!r})")
        return json.loads(path.read_text())

    def media_files(self):
        """{"media/<name>" or "private-media/<name>": bytes} of every stored file."""
        return {
            path.relative_to(self.folder).as_posix(): path.read_bytes()
            for folder in FOLDERS.values()
            for path in sorted((self.folder / folder).rglob("*"))
            if path.is_file()
        }


def read_archive(path):
    with tarfile.open(path, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    return names, manifest


def round_trip(site, vendor):
    # Content: seed_demo's articles, authors and pictures, plus an article with an uploaded
    # picture and a comment, and a guest post by email with its .docx and raw message.
    before_path = site.folder / "before.json"
    site.content(f"prepare({str(before_path)!r})")
    before = json.loads(before_path.read_text())
    media_before = site.media_files()
    assert before["counts"]["articles"] == 6
    assert before["counts"]["submissions"] == 1
    assert before["counts"]["comments"] >= 1
    picture = next(name for name in media_before if re.fullmatch(r"media/articles/\d{4}/\d\d/picture\.png", name))
    message = next(name for name in media_before if name.startswith("private-media/") and name.endswith(".eml"))
    assert any(name.startswith("private-media/") and name.endswith(".docx") for name in media_before)

    # Backup: one archive under its final name, private, nothing else left in the folder.
    result = site.run("backup", "--output", str(site.backups))
    (path,) = site.backups.iterdir()
    assert re.fullmatch(r"byline-\d{8}-\d{6}\.tar\.gz", path.name)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert str(path) in result.stdout

    names, manifest = read_archive(path)
    member = archive.DATABASE_MEMBERS[vendor]
    assert names[0] == member and names[-1] == "manifest.json"
    archived = {"media/": "media/", "private-media/": "media-private/"}  # site folder -> archive folder
    assert sorted(names[1:-1]) == sorted(
        archived[folder] + name.removeprefix(folder)
        for name in media_before
        for folder in archived
        if name.startswith(folder)
    )
    assert manifest["format"] == archive.FORMAT
    assert manifest["database"]["vendor"] == vendor
    assert manifest["database"]["engine"] == ENGINES[vendor]
    assert manifest["tables"]["blog_article"] == 6
    assert manifest["tables"]["contributions_submission"] == 1
    assert manifest["tables"]["discussion_comment"] == before["counts"]["comments"]
    assert manifest["tables"]["django_migrations"] > 0
    listed = {
        f"{FOLDERS[alias]}/{entry['name']}": (entry["size"], entry["sha256"])
        for alias, entries in manifest["media"].items()
        for entry in entries
    }
    assert listed == {name: (len(data), sha256(data)) for name, data in media_before.items()}
    leaves = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
    assert manifest["migrations"]["blog"] == [name for app, name in leaves if app == "blog"]

    # After the backup: rows edited, deleted and added; a picture and a raw email overwritten,
    # an avatar deleted, a file added.
    changed_path = site.folder / "changed.json"
    site.content(f"mutate({str(changed_path)!r})")
    changed = json.loads(changed_path.read_text())
    assert changed["counts"] == {**before["counts"], "comments": 0, "submissions": 0}
    slugs_before = {slug for slug, _title, _body in before["articles"]}
    slugs_changed = {slug for slug, _title, _body in changed["articles"]}
    assert slugs_changed - slugs_before == {"written-after-the-backup"}
    assert len(slugs_before - slugs_changed) == 1
    assert ["Edited after the backup", "<p>Overwritten.</p>"] in [body[1:] for body in changed["articles"]]
    (site.folder / picture).write_bytes(b"overwritten after the backup")
    (site.folder / message).write_bytes(b"overwritten after the backup")
    avatar = next(name for name in media_before if name.startswith("media/authors/"))
    (site.folder / avatar).unlink()
    (site.folder / "media/uploaded-after-the-backup.txt").write_bytes(b"new")
    media_changed = site.media_files()

    # Without --noinput and without a terminal to ask on, restore refuses and changes nothing.
    refused = site.manage("restore", str(path))
    assert refused.returncode != 0
    assert "pass --noinput" in refused.stderr
    assert site.media_files() == media_changed

    restored = site.run("restore", str(path), "--noinput")
    assert "Verified: the row counts of all" in restored.stdout
    assert "media files that are not in the archive (uploaded since) were left in place" in restored.stdout

    after = site.snapshot("after")
    assert after["articles"] == before["articles"]
    assert after["counts"] == before["counts"]
    assert after["dump"] == before["dump"]
    media_after = site.media_files()
    assert {name: media_after.get(name) for name in media_before} == media_before
    # Files added since the backup stay; no other file appears.
    assert set(media_after) == set(media_before) | set(media_changed)


@pytest.mark.slow  # the real commands in child processes
def test_sqlite_round_trip(tmp_path):
    round_trip(Site(tmp_path, f"sqlite:///{tmp_path / 'byline.sqlite3'}"), "sqlite")


def postgres_admin_url():
    """The maintenance database of the server the suite runs on when DATABASE_URL names
    PostgreSQL, else of the local one."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return urlunsplit(urlsplit(url)._replace(path="/postgres"))
    return f"postgres://{os.environ.get('PGUSER', 'postgres')}@127.0.0.1:5432/postgres"


def answers(host, port):
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def scratch_postgres():
    """The URL of a new, empty PostgreSQL database, dropped afterwards (not the test database)."""
    admin_url = postgres_admin_url()
    parts = urlsplit(admin_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    if not answers(host, port):
        if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
            pytest.fail(f"DATABASE_URL names PostgreSQL, but nothing answers at {host}:{port}.")
        pytest.skip(f"No PostgreSQL answers at {host}:{port}; test_sqlite_round_trip is the same test on SQLite.")
    import psycopg

    name = f"byline_backup_test_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgresql_round_trip(tmp_path, scratch_postgres):
    # Runs whenever PostgreSQL answers, whatever DATABASE_URL says; fails if pg_dump is missing.
    round_trip(Site(tmp_path, scratch_postgres), "postgresql")


@pytest.mark.slow  # the real commands in child processes
@pytest.mark.parametrize(
    "purger",
    [
        {"BYLINE_VARNISH_URLS": "http://127.0.0.1:9"},
        {"CLOUDFLARE_ZONE_ID": "zone", "CLOUDFLARE_API_TOKEN": "token", "CLOUDFLARE_API_URL": "http://127.0.0.1:9"},
    ],
    ids=["varnish", "cloudflare"],
)
def test_a_correct_restore_succeeds_when_it_queues_the_purge_of_an_http_cache(tmp_path, purger):
    # As in production: the purge of the HTTP caches is a task queued in the database.
    site = Site(tmp_path, f"sqlite:///{tmp_path / 'byline.sqlite3'}")
    site.env.update(BYLINE_TASKS_BACKEND="database", **purger)
    site.run("migrate", "--verbosity=0")
    site.run("backup", "--output", str(site.backups))
    (path,) = site.backups.iterdir()

    restored = site.manage("restore", str(path), "--noinput")

    assert restored.returncode == 0, restored.stderr
    assert "Verified: the row counts of all" in restored.stdout
    queued = site.run(
        "shell",
        "--no-imports",
        "-c",
        "from django_tasks_db.models import DBTaskResult; print(DBTaskResult.objects.count())",
    )
    assert queued.stdout.strip() == "1"  # the purge, queued after the check


# Refusals: archives built here, checked before anything changes


def add_member(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def build_archive(path, *, vendor=None, manifest=None, media=None, extra=()):
    """An archive in the layout `manage.py backup` writes; `manifest` overrides manifest keys,
    `extra` adds (TarInfo, bytes) members before the manifest."""
    vendor = vendor or connection.vendor
    media = {"articles/restored.png": b"restored picture bytes"} if media is None else media
    dump = b"stands in for a database dump"
    member = archive.DATABASE_MEMBERS[vendor]
    content = {
        "format": archive.FORMAT,
        "created": "2026-01-31T12:00:00+00:00",
        "django": "5.2",
        "database": {"engine": ENGINES[vendor], "vendor": vendor, "member": member, "size": len(dump)},
        "migrations": {},
        "tables": {"blog_article": 1},
        "media": {
            "default": [{"name": name, "size": len(data), "sha256": sha256(data)} for name, data in media.items()]
        },
    }
    content["database"]["sha256"] = sha256(dump)
    content.update(manifest or {})
    with tarfile.open(path, "w:gz") as tar:
        add_member(tar, member, dump)
        for name, data in media.items():
            add_member(tar, f"media/{name}", data)
        for info, data in extra:
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
        add_member(tar, "manifest.json", json.dumps(content).encode())
    return path


@pytest.fixture
def current(db):
    """What a refused or cancelled restore must leave alone: an article and a media file."""
    article = ArticleFactory(title="Still here")
    default_storage.save("articles/restored.png", ContentFile(b"current picture bytes"))
    return article


def assert_untouched(article):
    assert Article.objects.get(pk=article.pk).title == "Still here"
    assert Article.objects.count() == 1
    with default_storage.open("articles/restored.png") as stored:
        assert stored.read() == b"current picture bytes"
    assert media.media_names(default_storage) == ["articles/restored.png"]


def test_restore_refuses_an_archive_of_the_other_engine(current, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    path = build_archive(tmp_path / "other.tar.gz", vendor=other)

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path), interactive=False)

    names = database.ENGINE_NAMES
    assert f"The archive holds a {names[other]} database ({ENGINES[other]})" in str(refused.value)
    assert f"the configured database is {names[connection.vendor]}" in str(refused.value)
    assert_untouched(current)


def traversal(name):
    info = tarfile.TarInfo(name)
    info.size = len(b"escaped")
    return info, b"escaped"


def symlink(name, target):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info, b""


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (traversal("media/../../escape.txt"), "has an absolute path or '..'"),
        (traversal("../escape.txt"), "has an absolute path or '..'"),
        (traversal("/tmp/byline-backup-escape.txt"), "has an absolute path or '..'"),
        (symlink("media/escape.txt", "/etc/passwd"), "is not a regular file"),
    ],
    ids=["media-dotdot", "dotdot", "absolute", "symlink"],
)
def test_restore_refuses_a_member_that_could_land_outside_its_folder(current, tmp_path, member, message):
    path = build_archive(tmp_path / "evil.tar.gz", extra=[member])

    with pytest.raises(CommandError, match=re.escape(message)) as refused:
        call_command("restore", str(path), interactive=False)

    assert "Refusing the archive" in str(refused.value)
    media_root = Path(settings.MEDIA_ROOT)
    for place in (tmp_path / "escape.txt", media_root.parent / "escape.txt", media_root / "escape.txt"):
        assert not place.exists()
    assert not Path("/tmp/byline-backup-escape.txt").exists()
    assert_untouched(current)


def test_restore_refuses_a_manifest_naming_a_media_file_outside_the_media_folder(current, tmp_path):
    escape = {"name": "../../escape.txt", "size": 7, "sha256": sha256(b"escaped")}
    path = build_archive(tmp_path / "evil.tar.gz", media={}, manifest={"media": {"default": [escape]}})

    with pytest.raises(CommandError, match="the media name '../../escape.txt' is not a safe relative path"):
        call_command("restore", str(path), interactive=False)
    assert_untouched(current)


@pytest.mark.parametrize("version", [2, 0, None, "1"])
def test_restore_refuses_an_unknown_manifest_format(current, tmp_path, version):
    path = build_archive(tmp_path / "future.tar.gz", manifest={"format": version})

    with pytest.raises(CommandError, match=re.escape(f"Unsupported archive format {version!r}: this version")):
        call_command("restore", str(path), interactive=False)
    assert_untouched(current)


def test_restore_refuses_an_archive_whose_files_differ_from_the_manifest(current, tmp_path):
    data = b"restored picture bytes"
    tampered = {"name": "articles/restored.png", "size": len(data), "sha256": sha256(b"something else")}
    path = build_archive(tmp_path / "damaged.tar.gz", manifest={"media": {"default": [tampered]}})

    differs = "does not match its manifest: checksum differs: media/articles/restored.png"
    with pytest.raises(CommandError, match=differs):
        call_command("restore", str(path), interactive=False)
    assert_untouched(current)


def test_restore_refuses_files_of_a_storage_that_is_not_configured(current, tmp_path):
    path = build_archive(tmp_path / "other-site.tar.gz", media={}, manifest={"media": {"default": [], "archive": []}})

    with pytest.raises(CommandError, match="files of the storages archive, which STORAGES does not configure"):
        call_command("restore", str(path), interactive=False)
    assert_untouched(current)


def test_restore_refuses_a_file_that_is_not_an_archive(current, tmp_path):
    path = tmp_path / "notes.tar.gz"
    path.write_text("not gzip at all")

    with pytest.raises(CommandError, match="is not a backup archive"):
        call_command("restore", str(path), interactive=False)
    assert_untouched(current)


def test_restore_without_noinput_refuses_when_stdin_is_not_a_terminal(current, tmp_path):
    path = build_archive(tmp_path / "backup.tar.gz")

    with pytest.raises(CommandError, match="stdin is not a terminal: pass --noinput"):
        call_command("restore", str(path), stdin=io.StringIO("yes\n"))
    assert_untouched(current)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_restore_asks_first_and_an_answer_other_than_yes_changes_nothing(current, tmp_path):
    path = build_archive(tmp_path / "backup.tar.gz")
    out = io.StringIO()

    call_command("restore", str(path), stdin=Terminal("no\n"), stdout=out)

    output = out.getvalue()
    assert "This replaces ALL data in the" in output
    assert "made 2026-01-31T12:00:00+00:00, and writes its 1 media files to" in output
    assert "Type 'yes' to continue, or 'no' to cancel:" in output
    assert "Restore cancelled: nothing was changed." in output
    assert_untouched(current)


# Which files a backup holds


def test_private_files_inside_the_media_folder_are_archived_once_under_their_own_storage(
    transactional_db, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = Path(settings.MEDIA_ROOT) / "private"
    default_storage.save("articles/public.png", ContentFile(b"public"))
    private_storage().save("messages/secret.eml", ContentFile(b"private"))

    call_command("backup", output=tmp_path / "backups", stdout=io.StringIO())

    (path,) = (tmp_path / "backups").iterdir()
    names, manifest = read_archive(path)
    assert [name for name in names if name.startswith("media")] == [
        "media/articles/public.png",
        "media-private/messages/secret.eml",
    ]
    assert [entry["name"] for entry in manifest["media"]["default"]] == ["articles/public.png"]
    assert [entry["name"] for entry in manifest["media"]["private"]] == ["messages/secret.eml"]


# Backups that fail


def test_an_interrupted_backup_leaves_no_archive_behind(transactional_db, tmp_path, monkeypatch):
    # transactional_db: SQLite does not copy a database its own connection is writing to, and the
    # `db` fixture's transaction is such a write (BEGIN IMMEDIATE).
    default_storage.save("articles/one.png", ContentFile(b"one"))
    default_storage.save("articles/two.png", ContentFile(b"two"))
    spool_media = archive.spool_media

    def disk_full_at_the_second_file(storage, name):
        if name == "articles/two.png":
            raise OSError("No space left on device")
        return spool_media(storage, name)

    monkeypatch.setattr(archive, "spool_media", disk_full_at_the_second_file)
    folder = tmp_path / "backups"

    with pytest.raises(OSError, match="No space left on device"):
        call_command("backup", output=folder)

    assert list(folder.iterdir()) == []  # neither an archive nor its .partial file or work folder
