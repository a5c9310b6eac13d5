"""Helpers for the throwaway servers some tests start (Dovecot, Varnish, gunicorn), and for what
such tests prepare once per run (a migrated database, collected static files)."""

import contextlib
import ctypes
import fcntl
import os
import shutil
import signal
import socket
import subprocess

# The one wall-clock bound of the suite's waits for servers, commands and pages: it only ends a
# wait that would otherwise hang forever. Honest work, however loaded the machine (two cores
# running the suite, its servers and a build), finishes far inside it; a test never relies on
# something being slow or fast against it.
HANG_SECONDS = 600


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def die_with_parent():
    """For subprocess's preexec_fn: SIGTERM the child when the test process dies, so no server
    outlives a killed test run (Linux; elsewhere a no-op)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def wait_or_kill(process, timeout=15):  # wall-clock: kills a process already asked to stop; ends no test
    """Wait for `process`, already asked to stop, to end; kill it after `timeout` seconds."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def once_per_run(tmp_path_factory, name, build):
    """The folder `name`, filled by `build(folder)` once for the whole run and then reused.

    Under pytest-xdist every worker has a session of its own, so a session-scoped fixture alone
    would pay for the work once per worker; here the workers share the run's temporary folder (the
    parent of theirs), and the first to come builds under a lock while the others wait for it. A
    build that failed (or a worker killed while building) leaves no `<name>.built` mark beside the
    folder: the next one starts afresh.
    """
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder, built = base / name, base / f"{name}.built"
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or the process dies
        if not built.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            built.touch()
    return folder
