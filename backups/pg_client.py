"""PostgreSQL's client programs for backups: a pg_dump or pg_restore new enough for the server and
the archive, the environment that points it at the configured database, and running it."""

import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

from django.core.management.base import CommandError
from django.db.backends.postgresql.client import DatabaseClient

# Debian and Ubuntu install the client programs of each PostgreSQL major version here; the
# pg_dump on PATH (Debian's pg_wrapper) may be an older one than the server needs.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def tool_major(path):
    """The major version `path --version` reports (9 for 9.6), or None if it does not run."""
    try:
        result = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", result.stdout)
    return int(found.group(1)) if result.returncode == 0 and found else None


def pg_tool(name, at_least):
    """(path, major version) of PostgreSQL's program `name` (pg_dump, pg_restore), at least `at_least`.

    Looks on PATH first, then in PG_BIN_GLOB, newest version first. pg_dump refuses a server
    newer than itself, and pg_restore an archive written by a newer pg_dump.
    """
    candidates = [shutil.which(name)]
    candidates += sorted(glob.glob(f"{PG_BIN_GLOB}/{name}"), key=_version_key, reverse=True)
    seen, too_old = set(), []
    for path in candidates:
        if not path or path in seen:
            continue
        seen.add(path)
        major = tool_major(path)
        if major is None:
            continue
        if major >= at_least:
            return path, major
        too_old.append(f"{path} (version {major})")
    if not too_old:
        raise CommandError(
            f"{name} was not found on PATH or in {PG_BIN_GLOB}: install PostgreSQL's client programs, "
            f"version {at_least} or newer (Debian: apt-get install postgresql-client-{at_least})."
        )
    raise CommandError(
        f"{name} {at_least} or newer is needed (the server or the archive is version {at_least}); "
        f"found only {', '.join(too_old)}. Install postgresql-client-{at_least} or put a newer {name} on PATH."
    )


def _version_key(path):
    found = re.search(r"/(\d+)/bin/", path)
    return int(found.group(1)) if found else 0


def libpq_env(settings_dict):
    """The environment that points libpq's programs at the database of `settings_dict`.

    Password, service, SSL files and passfile as Django's `dbshell` passes them; host, port, user
    and database name as PG* variables, so the same environment serves pg_dump and pg_restore.
    """
    _args, extra = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(extra or {})}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGDATABASE", "NAME")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def run_tool(args, env):
    result = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if result.returncode != 0:
        message = result.stderr.strip()[-3000:] or result.stdout.strip()[-3000:]
        raise CommandError(f"{Path(args[0]).name} failed (exit status {result.returncode}):\n{message}")
    return result
