"""`make run` as it serves: the site's own 404 and 500 pages with their styles, and its options.

The commands come from `make -n run`, so the test follows the Makefile. The server's command runs
with `shell -c` in place of `runserver`: the same settings and environment, and the same WSGI
application (runserver serves no files itself here, whitenoise.runserver_nostatic), driven by
Django's test client instead of over a socket."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import READ_NAMES, READ_PREFIXES, ROOT

pytestmark = pytest.mark.slow  # `make` and manage.py in child processes

# Run inside the server's environment; prints what the pages answered as JSON.
SCRIPT = """
import json
import re
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import clear_url_caches, path

import config.urls


def fail(request):
    raise RuntimeError("a bug in a view")


config.urls.urlpatterns.insert(0, path("make-run-test/fail/", fail))
clear_url_caches()
(Path(settings.MEDIA_ROOT) / "authors").mkdir(parents=True, exist_ok=True)
(Path(settings.MEDIA_ROOT) / "authors" / "face.png").write_bytes(b"not really a png")
client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")


def get(url):
    response = client.get(url)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return {"status": response.status_code, "type": response.get("Content-Type", ""), "body": content.decode()}


pages = {"debug": settings.DEBUG, "404": get("/no-such-page/anywhere/"), "500": get("/make-run-test/fail/")}
for name in ("404", "500"):
    pages[name]["styles"] = {
        href: get(href) for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', pages[name]["body"])
    }
pages["media"] = get(settings.MEDIA_URL + "authors/face.png")
print("PAGES" + json.dumps(pages))
"""


def make_run_commands(*variables):
    """The shell commands of `make run` (continuation lines joined), with this interpreter's folder
    as the virtualenv's and `variables` (NAME=value) on make's command line."""
    bin_dir = Path(sys.executable).parent
    result = subprocess.run(
        ["make", "-n", "run", f"BIN={bin_dir}", "HOST=127.0.0.1", "PORT=8000", *variables],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return [line.strip() for line in result.stdout.replace("\\\n", " ").splitlines() if "manage.py" in line]


def development_env(tmp_path):
    """This environment less anything the project reads (so the settings' defaults apply, as for
    someone typing `make run`), with a scratch database, media folder and cache."""
    # DJANGO_SETTINGS_MODULE goes too: manage.py's default, config.settings.local, applies.
    env = {k: v for k, v in os.environ.items() if not k.startswith(READ_PREFIXES) and k not in READ_NAMES}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        BYLINE_CACHE_DIR=str(tmp_path / "cache"),
        PYTHONUNBUFFERED="1",
    )
    return env


def test_make_run_serves_the_sites_own_error_pages_with_their_styles(tmp_path):
    (serve,) = [command for command in make_run_commands() if "manage.py runserver" in command]
    assert serve.endswith("manage.py runserver 127.0.0.1:8000")
    prefix = serve.removesuffix("runserver 127.0.0.1:8000")
    env = development_env(tmp_path)
    migrated = subprocess.run(["sh", "-c", prefix + "migrate --noinput -v 0"], cwd=ROOT, env=env, capture_output=True)
    assert migrated.returncode == 0, migrated.stderr.decode()

    result = subprocess.run(
        ["sh", "-c", f'{prefix}shell --no-imports -c "$MAKE_RUN_TEST_SCRIPT"'],
        cwd=ROOT,
        env={**env, "MAKE_RUN_TEST_SCRIPT": SCRIPT},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    pages = json.loads(result.stdout.split("PAGES", 1)[1])

    assert pages["debug"] is False
    not_found = pages["404"]
    assert not_found["status"] == 404
    assert "We can’t find that page" in not_found["body"]  # templates/404.html
    assert "Using the URLconf" not in not_found["body"]  # not Django's debug page
    server_error = pages["500"]
    assert server_error["status"] == 500
    assert "Something went wrong on our side" in server_error["body"]  # templates/500.html
    assert "Traceback" not in server_error["body"]
    for page in (not_found, server_error):
        assert list(page["styles"]) == ["/static/css/site.css"]
        (stylesheet,) = page["styles"].values()
        assert stylesheet["status"] == 200
        assert stylesheet["type"].startswith("text/css")
        assert stylesheet["body"] == (ROOT / "static" / "css" / "site.css").read_text()
    # The demo's pictures still show.
    assert pages["media"]["status"] == 200
    assert pages["media"]["body"] == "not really a png"


def test_make_run_keeps_the_editor_password_unless_asked():
    (seed,) = [command for command in make_run_commands() if "seed_demo" in command]
    assert "--editor" in seed.split()
    assert "--reset-editor-password" not in seed

    (seed,) = [command for command in make_run_commands("RESET_EDITOR_PASSWORD=1") if "seed_demo" in command]
    assert re.search(r"--editor\s+--reset-editor-password\b", seed)
