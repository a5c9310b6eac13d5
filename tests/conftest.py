import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pagecache.cache import local_copies, remembered_copies
from tests.factories import AuthorFactory, UserFactory
from tests.services import HANG_SECONDS, once_per_run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"


@pytest.fixture(autouse=True)
def _clear_cache():
    """Every test starts with an empty cache, so query counts do not depend on order."""
    cache.clear()
    local_copies.clear()
    remembered_copies.clear()
    yield
    cache.clear()
    local_copies.clear()
    remembered_copies.clear()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def editor(db):
    """A staff user in the Editors group (may publish)."""
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    AuthorFactory(user=user, name=user.get_full_name())
    return user


@pytest.fixture
def writer(db):
    """A staff user in the Authors group (writes own drafts, cannot publish)."""
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Authors"))
    AuthorFactory(user=user, name=user.get_full_name())
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def writer_client(client, writer):
    client.force_login(writer)
    return client


def make_image_file(name="photo.png", size=(800, 450), color=(30, 90, 200), fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def image_file():
    return make_image_file()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """A SQLite database file with every migration applied, made once for the whole run (the
    migrations take seconds): tests that run `manage.py` or a server in child processes copy it
    instead of migrating a database of their own. Never written to: copy it first.

    Migrated with the test settings; the schema and the data migrations' rows (the Editors group,
    the standard pages) do not depend on the settings module."""

    def migrate(folder):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BYLINE_"))}
        env.update(DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}")
        result = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=HANG_SECONDS,
        )
        assert result.returncode == 0, result.stdout + result.stderr

    return once_per_run(tmp_path_factory, "migrated-sqlite", migrate) / "db.sqlite3"


# Fixtures that start a real service or run the site in child processes: a test using one takes
# seconds, not milliseconds, and is marked `slow` (`-m "not slow"` leaves them out of a quick run).
SLOW_FIXTURES = {
    "live_server",  # pytest-django's threaded server (the browser tests, Varnish in front of the site)
    "migrated_sqlite",  # manage.py commands or runserver in child processes
    "static_root",  # production settings in child processes (tests/config)
    "dovecot_server",  # tests/contributions
    "varnish",  # tests/pagecache
    "nginx",  # tests/deploy
    "scratch_postgres",  # tests/backups
}


def pytest_itemcollected(item):
    if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        item.add_marker(pytest.mark.slow)


def _database_order(item):
    """0: tests in a rolled-back transaction, 1: tests that commit (they flush every table at the
    end, data migrations' rows included: the Editors group, the standard pages), 2: no database."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    if (marker and marker.kwargs.get("transaction")) or "live_server" in fixtures or "transactional_db" in fixtures:
        return 1
    return 0 if marker or "db" in fixtures else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run committing tests after all the others that use the database, as pytest-django means to.

    pytest-django sorts them so, but pytest's own fixture-based reordering (for the browser tests'
    session-scoped, parametrized fixtures) can move them back among the others, which then find the
    tables flushed. This runs last and sorts again (stable: the order within each group stays).
    """
    items.sort(key=_database_order)
