"""config/gunicorn.py: the values gunicorn reads from it under a given environment, and the
production stack end to end behind it (collectstatic, migrate, gunicorn with two workers)."""

import gzip
import http.client
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import time

import pytest
import redis

from tests.services import HANG_SECONDS, free_port

from .conftest import ROOT, manage, production_env, run

CPUS = multiprocessing.cpu_count()


def gunicorn_config(**values):
    """{setting: value} as gunicorn resolves config/gunicorn.py under `values`."""
    result = run(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "--print-config", "config.wsgi"],
        env=production_env(**values),
    )
    assert result.returncode == 0, result.stderr
    return dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.MULTILINE))


def test_without_redis_one_process_serves_with_threads():
    config = gunicorn_config()
    assert config["workers"] == "1"
    assert config["threads"] == str(2 * CPUS + 1)
    assert config["bind"] == "['127.0.0.1:8000']"


def test_with_redis_processes_follow_the_cpus():
    config = gunicorn_config(REDIS_URL="redis://cache.internal:6379/0")
    assert config["workers"] == str(2 * CPUS + 1)
    assert config["threads"] == "1"


def test_the_environment_sets_the_rest():
    config = gunicorn_config(
        GUNICORN_BIND="0.0.0.0:9000",
        WEB_CONCURRENCY="3",
        GUNICORN_THREADS="4",
        GUNICORN_TIMEOUT="45",
        GUNICORN_GRACEFUL_TIMEOUT="20",
        GUNICORN_KEEPALIVE="75",
        GUNICORN_MAX_REQUESTS="500",
        GUNICORN_MAX_REQUESTS_JITTER="50",
        FORWARDED_ALLOW_IPS="10.0.0.0/8",
        GUNICORN_PROXY_PROTOCOL="v2",
    )
    assert config["bind"] == "['0.0.0.0:9000']"
    assert (config["workers"], config["threads"]) == ("3", "4")
    assert (config["timeout"], config["graceful_timeout"], config["keepalive"]) == ("45", "20", "75")
    assert (config["max_requests"], config["max_requests_jitter"]) == ("500", "50")
    assert config["forwarded_allow_ips"] == config["proxy_allow_ips"] == "['10.0.0.0/8']"
    assert config["proxy_protocol"] == "v2"


def test_defaults_for_a_server_behind_a_proxy():
    config = gunicorn_config()
    assert config["accesslog"] == "-"  # stdout
    assert config["errorlog"] == "-"
    assert config["forwarded_allow_ips"] == "['127.0.0.1', '::1']"
    assert int(config["max_requests"]) > 0 and int(config["max_requests_jitter"]) > 0
    assert config["worker_tmp_dir"] == "/dev/shm"  # present on Linux
    # No control socket at a shared per-user path unless one is asked for.
    assert config["control_socket_disable"] == "True"
    assert gunicorn_config(GUNICORN_CONTROL_SOCKET="/run/byline/gunicorn.ctl")["control_socket_disable"] == "False"


# THE STACK, END TO END
# Redis database reserved for this test: it is emptied before and after.
REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def redis_db():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_URL} ({exc}); the production smoke test needs it running.")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def get(port, path, **headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG_SECONDS)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def wait_until_serving(process, port, logs):
    deadline = time.monotonic() + HANG_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{logs.read_text()}")
        try:
            return get(port, "/healthz/")
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer within 30 s:\n{logs.read_text()}")


def test_production_stack_serves_behind_gunicorn(tmp_path, static_root, redis_db):
    port = free_port()
    env = production_env(
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_STATIC_ROOT=str(static_root),
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        REDIS_URL=REDIS_URL,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
    )
    migrated = manage("migrate", "--noinput", "-v", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr

    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    with access_log.open("w") as stdout, error_log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,  # its own process group, so a failed test can stop the workers too
        )
    try:
        response, body = wait_until_serving(process, port, error_log)
        assert response.status == 200 and json.loads(body)["status"] == "ok", body

        response, body = get(port, "/")
        assert response.status == 200
        assert response.getheader("Content-Type").startswith("text/html")
        assert b'<main id="main"' in body

        # A hashed file from the manifest: cached for good, and a gzip variant for clients that take it.
        hashed = json.loads((static_root / "staticfiles.json").read_text())["paths"]["css/site.css"]
        assert hashed != "css/site.css"
        response, body = get(port, f"/static/{hashed}", **{"Accept-Encoding": "gzip"})
        assert response.status == 200
        cache_control = response.getheader("Cache-Control")
        assert "immutable" in cache_control and "public" in cache_control
        assert int(re.search(r"max-age=(\d+)", cache_control)[1]) >= 365 * 24 * 3600
        assert response.getheader("Content-Encoding") == "gzip"
        assert response.getheader("Vary") == "Accept-Encoding"
        original = (static_root / hashed).read_bytes()
        assert len(body) < len(original)
        assert gzip.decompress(body) == original

        response, body = get(port, "/no-such-page/anywhere/")
        assert response.status == 404
        assert b"Page not found" in body  # our 404 template, not a bare server error

        # The two workers share the cache in Redis.
        assert redis_db.keys("byline:*")
        assert error_log.read_text().count("Booting worker with pid") == 2

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=HANG_SECONDS) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    errors = error_log.read_text()
    assert "Shutting down: Master" in errors
    assert "Traceback" not in errors
    assert f'"GET /static/{hashed} HTTP/1.1" 200' in access_log.read_text()
