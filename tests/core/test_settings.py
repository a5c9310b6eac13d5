import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import HANG_SECONDS

ROOT = Path(__file__).resolve().parents[2]


def run_django_setup(settings_module, **env):
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean_env.update(DJANGO_SETTINGS_MODULE=settings_module, **env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_django_setup("config.settings.production", DJANGO_ALLOWED_HOSTS="example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_django_setup("config.settings.production", DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set in production" in result.stderr


def test_production_starts_with_required_values():
    result = run_django_setup(
        "config.settings.production", DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="example.com"
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(("url", "backend"), [("", "FileBasedCache"), ("redis://127.0.0.1:6379/3", "RedisCache")])
def test_cache_backend_follows_redis_url(url, backend):
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", REDIS_URL=url)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.strip().endswith(backend), result.stderr


def test_production_queues_tasks_in_the_database():
    code = "from django.conf import settings; print(settings.TASKS['default']['BACKEND'])"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BYLINE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="a.b"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "django_tasks_db.DatabaseBackend", result.stderr
