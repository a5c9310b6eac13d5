"""The embedded default (SQLite, no REDIS_URL): the server and `manage.py` commands share one
cache (files next to the database), so what a command changes shows on the running site at once."""

import http.client
import shutil
import subprocess
import sys
import time

import pytest

from tests.services import HANG_SECONDS, die_with_parent, free_port, wait_or_kill

from .conftest import ROOT, production_env


def get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG_SECONDS)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        return response, response.read().decode()
    finally:
        connection.close()


@pytest.fixture
def site(tmp_path, migrated_sqlite):
    """Environment of `make run` (local settings, no Redis) on a database of its own: a copy of the
    run's migrated one (tests/conftest.py)."""
    shutil.copyfile(migrated_sqlite, tmp_path / "db.sqlite3")
    env = production_env(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_PRIVATE_MEDIA_ROOT=str(tmp_path / "private-media"),
    )

    def manage(*args):
        # No time limit: under load, honest work takes what it takes.
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    return env, manage


@pytest.fixture
def server(site, tmp_path):
    env, _manage = site
    port = free_port()
    log = tmp_path / "runserver.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
    try:
        deadline = time.monotonic() + HANG_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"runserver exited with {process.returncode}:\n{log.read_text()}")
            try:
                get(port, "/healthz/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"runserver did not answer within {HANG_SECONDS} s:\n{log.read_text()}")
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        wait_or_kill(process)


CREATE = (
    "from tests.factories import ArticleFactory; "
    "print(ArticleFactory(title='Kept in the cache', slug='kept').get_absolute_url())"
)
EDIT = (
    "from blog.models import Article; a = Article.objects.get(slug='kept'); a.title = 'Changed by a command'; a.save()"
)


def test_a_command_s_changes_show_on_the_running_site(site, tmp_path, server):
    _env, manage = site
    manage("backup", "--output", str(tmp_path / "backups"))  # the site before the article
    [archive] = (tmp_path / "backups").glob("byline-*.tar.gz")
    url = manage("shell", "-c", CREATE).strip().splitlines()[-1]

    get(server, url)
    response, body = get(server, url)
    assert response.status == 200
    assert response.getheader("X-Page-Cache") == "hit"
    assert "Kept in the cache" in body

    manage("shell", "-c", EDIT)  # what import_wordpress, ingest_email, scan_affiliate_links do: save
    response, body = get(server, url)
    assert "Changed by a command" in body
    assert "Kept in the cache" not in body

    manage("restore", str(archive), "--noinput")  # a restore from before the article was written
    response, _body = get(server, url)
    assert response.status == 404
