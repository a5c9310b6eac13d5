"""The site under test as the bench drivers run it: a scratch folder and the site's environment,
scratch databases, Redis, collectstatic and gunicorn with config/gunicorn.py (Harness, which
bench/load.py, bench/loadtest.py and bench/import_wordpress.py build on), the options that point
at the services, and varnishd with a VCL in front."""

import os
import re
import runpy
import secrets
import tempfile
import time
import urllib.parse
from pathlib import Path

from bench.processes import (
    HANG_SECONDS,
    PYTHON,
    ROOT,
    BenchError,
    answers,
    free_port,
    log_tail,
    run,
    start,
    stop,
    wait_until_up,
)


class Harness:
    """A scratch folder, the environment of the site under test, scratch databases and gunicorn.

    `args` needs `redis_url` and `postgres_url`. Whatever is started or created goes on the
    caller's ExitStack, which stops the processes and drops the databases.
    """

    settings_module = "bench.settings"

    def __init__(self, args, stack):
        self.args = args
        self.tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="byline-load-")))
        self.base_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": self.settings_module,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP here, no TLS proxy in front
            "DJANGO_STATIC_ROOT": str(self.tmp / "static"),
            "DJANGO_CONN_MAX_AGE": "60",  # as README's production steps recommend
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",  # a bench never mails
            "BYLINE_VARNISH_URLS": "",
            "PYTHONPATH": str(ROOT),
            # No worker recycling unless asked for: under wrk's even load every worker reaches
            # max_requests within the jitter of the others, they restart together and the run
            # shows seconds-long stalls that measure gunicorn's restarts, not the pages.
            "GUNICORN_MAX_REQUESTS": os.environ.get("GUNICORN_MAX_REQUESTS", "0"),
        }
        self.base_env.pop("REDIS_URL", None)
        self.redis = self.check_redis()
        if self.redis:
            self.base_env["REDIS_URL"] = args.redis_url

    def check_redis(self):
        import redis

        try:
            client = redis.Redis.from_url(self.args.redis_url, socket_connect_timeout=2)
            client.ping()
        except (redis.RedisError, OSError, ValueError) as exc:
            print(f"Redis at {self.args.redis_url} does not answer ({exc}): local-memory cache, so one gunicorn worker")
            return None
        return client

    def collectstatic(self):
        print("collectstatic ...", flush=True)
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], self.base_env, "collectstatic")

    def open_database(self, stack, database):
        """A scratch database -> the environment that points at it, or None when PostgreSQL does not answer."""
        if database == "sqlite":
            folder = self.tmp / "sqlite"
            folder.mkdir()
            return {**self.base_env, "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3"}
        admin_url = self.args.postgres_url
        parts = urllib.parse.urlsplit(admin_url)
        if not answers(parts.hostname or "127.0.0.1", parts.port or 5432):
            return None
        import psycopg

        name = f"byline_bench_{os.getpid()}"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        stack.callback(drop_postgres, admin_url, name)
        return {**self.base_env, "DATABASE_URL": urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))}

    def gunicorn_log(self, database):
        return self.tmp / f"gunicorn-{database}.log"

    def start_gunicorn(self, stack, database, env, page_cache, info):
        """gunicorn with config/gunicorn.py on a free port -> its base URL, once /healthz/ answers.

        Redis (the cache) is flushed first; `info["gunicorn"]` gets the workers and threads.
        """
        if self.redis:
            self.redis.flushdb()
        port = free_port()
        env = {**env, "BYLINE_PAGE_CACHE_SECONDS": str(page_cache), "GUNICORN_BIND": f"127.0.0.1:{port}"}
        config = ROOT / "config" / "gunicorn.py"
        if not config.exists():
            raise BenchError(f"{config} is missing")
        info["gunicorn"] = gunicorn_settings(config, env)
        proc = start(
            stack,
            "gunicorn",
            [PYTHON, "-m", "gunicorn", "-c", str(config), "--bind", f"127.0.0.1:{port}", "config.wsgi"],
            self.gunicorn_log(database),
            env,
        )
        base = f"http://127.0.0.1:{port}"
        wait_until_up(proc, base + "/healthz/")
        return base


def describe(gunicorn):
    workers, threads, recycle = gunicorn["workers"], gunicorn["threads"], gunicorn["max_requests"]
    text = f"gunicorn {workers} worker{'s' if workers != 1 else ''} × {threads} thread{'s' if threads != 1 else ''}"
    return text + (f", recycled every ~{recycle} requests" if recycle else "")


def gunicorn_settings(config, env):
    """What config/gunicorn.py decides under env: workers and threads."""
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        values = runpy.run_path(str(config))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {key: values.get(key, default) for key, default in (("workers", 1), ("threads", 1), ("max_requests", 0))}


def point_backend(vcl, host, port):
    """The VCL with its backends' .host and .port replaced by host and port."""
    vcl = re.sub(r'(\.host\s*=\s*)"[^"]*"', rf'\g<1>"{host}"', vcl)
    return re.sub(r'(\.port\s*=\s*)"[^"]*"', rf'\g<1>"{port}"', vcl)


def drop_postgres(admin_url, name):
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_varnish(stack, varnishd, folder, name, vcl):
    """varnishd with `vcl` on a free port, its work folder and log in `folder` -> its base URL, once it answers."""
    port = free_port()
    workdir = folder / f"varnish-{name}"
    workdir.mkdir()
    cmd = [varnishd, "-F", "-n", str(workdir), "-a", f"127.0.0.1:{port}", "-f", str(vcl)]
    cmd += ["-T", "none", "-s", "malloc,256m"]
    if os.geteuid() == 0:
        cmd += ["-j", "none"]  # a throwaway instance in a tmp folder: no jail users needed
    proc = start(stack, f"varnishd ({name})", cmd, folder / f"varnish-{name}.log")
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + HANG_SECONDS
    while not answers("127.0.0.1", port):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            raise BenchError(f"varnishd ({name}) did not start:\n{log_tail(proc.bench_log)}")
        time.sleep(0.2)
    return base


def add_service_options(parser, what, *, redis_env, redis_db):
    """--postgres-url and --redis-url, as every bench driver takes them (each its own Redis database)."""
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help=f"a server login allowed to create databases; {what} makes and drops its own",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get(redis_env, f"redis://127.0.0.1:6379/{redis_db}"),
        help=f"a Redis database for {what} alone: it is flushed when it starts",
    )
