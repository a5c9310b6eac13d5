""".env.example as an operator uses it: sourced by a POSIX shell (`set -a; . ./.env`, as the README's
cron line does), then the production settings and gunicorn's configuration read from it; and every
variable it lists, left empty (`NAME=`), means the same as not set.

Each check runs in a child process with only PATH and HOME from the suite's environment.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / ".env.example"

# Settings and gunicorn's values, as JSON, from whatever environment the child process has.
SHOW = """
import json, runpy
import django
from django.conf import settings
django.setup()
gunicorn = runpy.run_path("config/gunicorn.py")
print(json.dumps({
    "settings": {name: repr(getattr(settings, name)) for name in dir(settings) if name.isupper()},
    "gunicorn": {name: repr(value) for name, value in gunicorn.items() if name.islower() and not callable(value)
                 and not name.startswith("_") and name not in {"os", "multiprocessing"}},
}))
"""


def without_addresses(text):
    """Reprs of objects carry their memory address, which differs between processes."""
    return re.sub(r" at 0x[0-9a-f]+", "", text)


def bare_env(**values):
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **values}


def variables():
    """The names .env.example sets."""
    return re.findall(r"^([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), flags=re.MULTILINE)


def show(env, *, source=False):
    """The settings and gunicorn values a child process gets, with `.env.example` sourced first if asked."""
    command = [sys.executable, "-c", SHOW]
    if source:
        command = ["sh", "-c", 'set -a && . ./.env.example && set +a && exec "$@"', "sh", *command]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(without_addresses(result.stdout))


def test_env_example_is_a_shell_file_that_boots_the_production_settings():
    shown = show(bare_env(), source=True)

    settings = shown["settings"]
    assert settings["SETTINGS_MODULE"] == repr("config.settings.production")
    assert settings["DEFAULT_FROM_EMAIL"] == repr("Byline <noreply@news.example.com>")
    assert settings["ALLOWED_HOSTS"] == repr(["news.example.com"])
    assert settings["BYLINE_PAGE_CACHE_SECONDS"] == "3600"
    assert settings["DEBUG"] == "False"
    assert "postgresql" in settings["DATABASES"]
    # Left empty there: the defaults.
    assert settings["EMAIL_HOST_USER"] == repr("")
    assert settings["ANYMAIL"] == repr({})
    assert settings["BYLINE_TRUSTED_PROXIES"] == repr(["127.0.0.1", "::1"])
    assert shown["gunicorn"]["bind"] == repr("127.0.0.1:8000")


def test_every_variable_of_env_example_left_empty_means_its_default():
    names = variables()
    assert {"DJANGO_SETTINGS_MODULE", "BYLINE_PAGE_CACHE_SECONDS", "DATABASE_URL", "GUNICORN_BIND"} <= set(names)
    empty = dict.fromkeys(names, "")

    # manage.py's settings (DJANGO_SETTINGS_MODULE empty: config.settings.local, as unset).
    unset = subprocess.run(
        [sys.executable, "manage.py", "diffsettings", "--all"], cwd=ROOT, env=bare_env(), capture_output=True, text=True
    )
    blank = subprocess.run(
        [sys.executable, "manage.py", "diffsettings", "--all"],
        cwd=ROOT,
        env=bare_env(**empty),
        capture_output=True,
        text=True,
    )
    assert unset.returncode == 0, unset.stderr[-3000:]
    assert blank.returncode == 0, blank.stderr[-3000:]
    assert without_addresses(blank.stdout) == without_addresses(unset.stdout)

    # Production (its two required values given) and gunicorn's configuration.
    required = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "a-long-random-production-key-for-this-test-only",
        "DJANGO_ALLOWED_HOSTS": "news.example.com",
    }
    assert show(bare_env(**{**empty, **required})) == show(bare_env(**required))
