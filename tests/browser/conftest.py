"""Browser journeys in real Chromium (Debian's package, launched by its path) against the live server.

- `page` (pytest-playwright) comes with a recorder of every request the page makes:
  after each test, any request to another origin fails it.
- `axe(page)` injects axe-core (from node_modules, installed by `make test`) and returns
  the serious and critical violations.
- `screenshot(page, name)` saves a picture under SCREENSHOTS (test-artifacts/screenshots/,
  or BYLINE_SCREENSHOTS) for a person to look at.
"""

import functools
import importlib
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from playwright.sync_api import expect

from tests.services import HANG_SECONDS

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
# thread with a running loop unless told that this is deliberate (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("BYLINE_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("BYLINE_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}

# Every browser test module starts with `pytestmark = BROWSER`: the live server reads what the
# test wrote (real transactions), and serves uploaded media (tests/browser/urls.py).
BROWSER = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: run `bash .ci/install-chromium` "
            "(Debian's `apt-get install chromium`) or set BYLINE_CHROMIUM to its path.",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox"],
        "timeout": HANG_SECONDS * 1000,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": DESKTOP, "locale": "en-GB"}


@pytest.fixture(autouse=True)
def _patient(page):
    """Playwright's own limits (30 s an action or a page load, 5 s an `expect`) are crossed by honest
    work on a loaded machine: the suite's one bound against hanging instead."""
    page.set_default_timeout(HANG_SECONDS * 1000)
    page.set_default_navigation_timeout(HANG_SECONDS * 1000)
    expect.set_options(timeout=HANG_SECONDS * 1000)


def sign_in(page, live_server, user):
    """Give `page` a session of `user`, without the login form (tests/browser/test_editor.py drives that)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return page


@pytest.fixture(autouse=True)
def _leave_the_page(page, transactional_db):
    """After each journey, leave the page before the database is flushed: the admin's scripts
    (autosave after typing stops, the presence heartbeat: static/js/editing.js) would otherwise
    reach the live server while its tables are emptied ("database table is locked"). about:blank
    stops the page's timers and its requests not yet answered."""
    yield
    if not page.is_closed():
        page.goto("about:blank")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_third_party_requests(page, live_server):
    """Every request a page makes goes to the live server (or is inline data)."""
    origin = urlsplit(live_server.url)
    foreign = []

    def check(request):
        url = urlsplit(request.url)
        if url.scheme in ("data", "blob", "about"):
            return
        if (url.scheme, url.netloc) != (origin.scheme, origin.netloc):
            foreign.append(request.url)

    page.on("request", check)
    yield
    assert foreign == [], f"requests to other origins: {foreign}"


@pytest.fixture(autouse=True)
def _fast_comments(settings):
    settings.BYLINE_COMMENT_MIN_SECONDS = 0  # a script types faster than a person


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def _axe_source():
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `npm ci` (make test does it).", pytrace=False)
    return AXE.read_text()


@pytest.fixture
def axe():
    source = _axe_source()

    def run(page):
        """Serious and critical violations on the page as it is now: [(rule id, [targets])]."""
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(source)  # evaluated, not a <script>: the page's CSP does not apply to this
        result = page.evaluate(
            "async () => JSON.stringify((await axe.run(document, {resultTypes: ['violations']})).violations)"
        )
        return [
            (v["id"], [node["target"] for node in v["nodes"]])
            for v in json.loads(result)
            if v["impact"] in ("serious", "critical")
        ]

    return run


def no_horizontal_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def images_without_size(page):
    return page.evaluate(
        "() => [...document.images].filter(i => !i.getAttribute('width') || !i.getAttribute('height')).map(i => i.src)"
    )


def pytest_sessionfinish(session):
    if SCREENSHOTS.exists() and any(SCREENSHOTS.iterdir()):
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            f"browser journeys: screenshots in {SCREENSHOTS}"
        )


# Data migrations whose rows the flush after each browser test removes (groups, permissions,
# rejection reasons, default pages): run again, as `migrate` runs them, so that each journey that
# asks for them starts from a fresh install. A data migration that grants a group permissions
# belongs here.
DATA_MIGRATIONS = [
    ("blog.migrations.0002_editorial_groups", "create_groups"),
    ("core.migrations.0002_default_pages", "create_defaults"),
    ("core.migrations.0004_footer_pages", "create_pages"),
    ("contributions.migrations.0002_defaults", "create_defaults"),
    ("contributions.migrations.0003_inbound_message", "grant_editors"),
    ("contributions.migrations.0007_publication_progress", "grant_editors"),
    ("complaints.migrations.0002_editor_permissions", "grant_editors"),
    ("discussion.migrations.0002_editors_moderate", "grant_editors"),
    ("library.migrations.0002_editorial_permissions", "grant_groups"),
]


@functools.cache
def migrated_apps():
    """The models as the migrations leave them: the `apps` a data migration is written for and receives."""
    return MigrationExecutor(connection).loader.project_state().apps


@pytest.fixture
def fresh_install(transactional_db):
    state = migrated_apps()
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(state, None)


@pytest.fixture
def editor(fresh_install, editor):
    """tests.conftest's editor (Editors group, a known password), after the groups are back."""
    return editor
