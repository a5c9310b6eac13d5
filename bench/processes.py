"""What every bench driver needs besides the site (bench/servers.py): where things are, BenchError,
child processes (each in a process group of its own, stopped with it), local HTTP probes, what a run
records about itself (the time, the commit, the tools' versions), and unwinding on signals."""

import contextlib
import datetime
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Only against waiting forever (a server that never answers): start-up and single requests on a
# loaded machine stay far inside it. What is measured has limits of its own (wrk's --timeout).
HANG_SECONDS = 600


class BenchError(Exception):
    """Something the bench needs is missing or broke; the message says what."""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(host, port):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def start(stack, name, cmd, log, env=None):
    """Start cmd in its own process group, logging to `log`; the stack stops it (and its children)."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True
        )
    proc.bench_name, proc.bench_log = name, log
    stack.callback(stop, proc)
    return proc


def stop(proc):
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def log_tail(path, lines=30):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def path_of(url):
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def get(url, timeout=HANG_SECONDS, headers=None):
    """GET url -> (status, headers, body), no redirects followed."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", path_of(url), headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def wait_until_up(proc, url, seconds=HANG_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"{proc.bench_name} exited ({proc.returncode}):\n{log_tail(proc.bench_log)}")
        try:
            status, _, body = get(url, timeout=5)
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            return
        raise BenchError(f"{url} answered {status}: {body[:200]!r}\n{log_tail(proc.bench_log)}")
    raise BenchError(f"{proc.bench_name} did not answer {url} within {seconds} s:\n{log_tail(proc.bench_log)}")


def run(cmd, env, what):
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise BenchError(f"{what} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


def tool_version(cmd):
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=HANG_SECONDS)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (result.stdout + result.stderr).strip().splitlines()
    return text[0] if text else None


def now():
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def git_commit():
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def unwind_on_signals(doing):
    """Make Ctrl-C, SIGTERM and SIGHUP unwind the caller's ExitStack, saying what that does.

    Every process a driver started is stopped and its scratch database dropped on the way out.
    SIGINT is set explicitly: a shell leaves it ignored in `cmd &`.
    """

    def unwind(signum, frame):
        print(f"\n{signal.Signals(signum).name}: {doing}", file=sys.stderr)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, unwind)
    signal.signal(signal.SIGHUP, unwind)
