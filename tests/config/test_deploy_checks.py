"""`manage.py check --deploy` under production settings: the core.W00x warnings about what
several app servers cannot share (core/checks.py)."""

import re

import pytest

from .conftest import manage, production_env

SHARED = {
    "REDIS_URL": "redis://cache.internal:6379/0",
    "DATABASE_URL": "postgres://byline@db.internal:5432/byline",
    "AWS_STORAGE_BUCKET_NAME": "byline-media",
}
WARNS_WITHOUT = {"REDIS_URL": "core.W001", "AWS_STORAGE_BUCKET_NAME": "core.W002", "DATABASE_URL": "core.W003"}


def core_warnings(static_root, *args, **values):
    result = manage("check", *args, env=production_env(DJANGO_STATIC_ROOT=str(static_root), **values))
    assert result.returncode == 0, result.stderr  # warnings, never errors
    return set(re.findall(r"\(core\.W\d+\)", result.stdout + result.stderr)), result.stdout + result.stderr


def test_nothing_shared_warns_three_times(static_root):
    found, output = core_warnings(static_root, "--deploy")
    assert found == {"(core.W001)", "(core.W002)", "(core.W003)"}
    assert "REDIS_URL" in output
    assert "AWS_STORAGE_BUCKET_NAME" in output
    assert "The database is SQLite" in output


@pytest.mark.parametrize("missing", sorted(WARNS_WITHOUT))
def test_each_missing_service_warns_alone(static_root, missing):
    values = {name: value for name, value in SHARED.items() if name != missing}
    found, _output = core_warnings(static_root, "--deploy", **values)
    assert found == {f"({WARNS_WITHOUT[missing]})"}


def test_everything_shared_is_quiet(static_root):
    found, _output = core_warnings(static_root, "--deploy", **SHARED)
    assert found == set()


def test_only_deploy_checks_warn(static_root):
    # A plain `check` (run by migrate and runserver) stays quiet about deployment.
    found, _output = core_warnings(static_root)
    assert found == set()


def test_the_deploy_checklist_reports_nothing_in_production(static_root):
    # Django's own security checks (HSTS, cookies, SSL redirect, ...) and ours, as `make check-deploy`.
    env = production_env(DJANGO_STATIC_ROOT=str(static_root), **SHARED)
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_checklist_fails_on_an_insecure_setting(static_root):
    env = production_env(DJANGO_STATIC_ROOT=str(static_root), DJANGO_SECURE_SSL_REDIRECT="false", **SHARED)
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr
