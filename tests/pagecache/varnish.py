"""A throwaway Varnish running deploy/varnish/byline.vcl, for integration tests (`.ci/install-varnish`).

`Varnish(backend_port).start()` copies the VCL into a fresh temporary directory with only the backend's
port changed, and runs `varnishd -F` as our child on a free port of 127.0.0.1, with its own working
directory (-n), 32 MB of memory storage and no management port. `stop()` ends it. As root, varnishd
drops its worker to Debian's vcache user (its default jail), so the directory is world-readable.
"""

import http.client
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from django.conf import settings

from tests.services import HANG_SECONDS, die_with_parent, free_port, wait_or_kill

VARNISHD = "/usr/sbin/varnishd"
VCL = Path(settings.BASE_DIR) / "deploy" / "varnish" / "byline.vcl"
INSTALL_HINT = (
    f"Varnish is not installed ({VARNISHD} is missing), so the HTTP cache tests cannot run. "
    "Install it with `.ci/install-varnish` (Debian's varnish; the script does not start the system service)."
)
START_TIMEOUT = HANG_SECONDS


def installed():
    return os.access(VARNISHD, os.X_OK)


def vcl_for_backend(port):
    """The shipped VCL with the backend's port replaced; nothing else changes."""
    text, count = re.subn(r'(\.port\s*=\s*)"8000";', rf'\1"{port}";', VCL.read_text())
    if count != 1:
        raise RuntimeError(f'{VCL} must have exactly one `.port = "8000";` (the backend), found {count}')
    return text


class Varnish:
    host = "127.0.0.1"

    def __init__(self, backend_port):
        self.backend_port = backend_port
        self.dir = None
        self.port = None
        self.process = None

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def start(self):
        if not installed():
            raise RuntimeError(INSTALL_HINT)
        self.dir = Path(tempfile.mkdtemp(prefix="byline-varnish-"))
        self.dir.chmod(0o755)
        vcl = self.dir / "byline.vcl"
        vcl.write_text(vcl_for_backend(self.backend_port))
        self.port = free_port()
        with open(self.dir / "console.log", "wb") as console:
            self.process = subprocess.Popen(
                [
                    VARNISHD, "-F",
                    "-n", str(self.dir / "work"),
                    "-a", f"{self.host}:{self.port}",
                    "-f", str(vcl),
                    "-s", "malloc,32m",
                    "-l", "2m",
                    "-p", "thread_pools=1",
                    "-p", "thread_pool_min=10",
                ],
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,  # set before any test thread exists
            )  # fmt: skip
        self._wait_until_answering()
        return self

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            wait_or_kill(self.process)
            self.process = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def _wait_until_answering(self):
        """Until Varnish answers HTTP (the VCL is compiled and loaded by then)."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"varnishd exited with status {self.process.returncode}:\n{self.logs()}")
            try:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=2)
                conn.request("GET", "/healthz/", headers={"Host": "localhost"})
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"varnishd did not answer on port {self.port}:\n{self.logs()}") from None
                time.sleep(0.1)

    def logs(self):
        path = self.dir / "console.log" if self.dir else None
        return path.read_text(errors="replace")[-4000:] if path and path.exists() else ""

    def request(self, method, path, headers=None, body=None, source=None):
        """(status, headers, body) of one request to Varnish; Host defaults to blog.test."""
        headers = {"Host": "blog.test", **(headers or {})}
        conn = http.client.HTTPConnection(
            self.host, self.port, timeout=HANG_SECONDS, source_address=(source, 0) if source else None
        )
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()
