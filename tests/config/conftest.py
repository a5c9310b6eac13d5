"""Helpers for tests that run the production configuration in subprocesses, each with an
environment the test controls (production settings are read once, at import)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import HANG_SECONDS, once_per_run

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "production-test-" + "x" * 40

# Everything the settings and config/gunicorn.py read: none of it leaks in from the shell.
READ_PREFIXES = ("DJANGO_", "BYLINE_", "AWS_", "GUNICORN_", "ANYMAIL_")
READ_NAMES = {"DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS"}


def production_env(**values):
    """The current environment less anything the project reads, plus production settings,
    a secret key, a host and `values` (a value of None removes that variable)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(READ_PREFIXES) and k not in READ_NAMES}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="news.example.com",
    )
    env.update(values)
    return {k: v for k, v in env.items() if v is not None}


def run(args, env, timeout=HANG_SECONDS):
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def manage(*args, env):
    return run([sys.executable, "manage.py", *args], env=env)


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """collectstatic once for the whole run (every xdist worker shares it) with production
    settings (hashed, compressed files). Read only.

    Production settings need it before anything loads the URLconf: core/urls.py resolves a
    static file's hashed name at import time."""

    def collectstatic(path):
        result = manage("collectstatic", "--noinput", "-v", "0", env=production_env(DJANGO_STATIC_ROOT=str(path)))
        assert result.returncode == 0, result.stderr
        assert (path / "staticfiles.json").is_file()

    return once_per_run(tmp_path_factory, "staticfiles", collectstatic)
