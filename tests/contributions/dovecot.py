"""A throwaway Dovecot IMAP server for integration tests (Debian's dovecot-imapd; `.ci/install-dovecot`).

`Dovecot().start()` writes everything into a fresh temporary directory: its own dovecot.conf, a
self-signed certificate (openssl CLI), a passwd-file with one user and a plaintext password, the maildirs,
and Dovecot's base_dir, state_dir and log. It listens on 127.0.0.1 only, on a free port, IMAPS only
(ssl = required, the plain IMAP listener is off), runs in the foreground as our child (`dovecot -F -c CONF`)
and is stopped with `dovecot -c CONF stop`.

Run as root (CI), Dovecot still refuses to touch mail as root or to run its login processes as root, so
mail belongs to `nobody` and imap-login runs as `nobody`; run as another user, every process is that user.
"""

import contextlib
import email.message
import getpass
import grp
import imaplib
import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from tests.services import HANG_SECONDS, die_with_parent, free_port, wait_or_kill

DOVECOT = "/usr/sbin/dovecot"
INSTALL_HINT = (
    f"Dovecot is not installed ({DOVECOT} is missing), so the IMAP integration tests cannot run. "
    "Install it with `.ci/install-dovecot` (Debian's dovecot-imapd; the script does not start the system service)."
)
START_TIMEOUT = HANG_SECONDS


def installed():
    return os.access(DOVECOT, os.X_OK)


class Dovecot:
    user = "contribute"
    password = "imap-test-password"
    host = "127.0.0.1"

    def __init__(self):
        self.dir = None
        self.port = None
        self.process = None

    # Life cycle

    def start(self):
        if not installed():
            raise RuntimeError(INSTALL_HINT)
        # Not under pytest's tmp_path: its parents are 0700, and Dovecot's mail user must reach the maildirs.
        self.dir = Path(tempfile.mkdtemp(prefix="byline-dovecot-"))
        self.dir.chmod(0o711)
        self.cert = self.dir / "cert.pem"
        self._make_certificate()
        (self.dir / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        (self.dir / "passwd").chmod(0o600)
        for name in ("run", "state", "mail"):
            (self.dir / name).mkdir()
        mail_user, mail_group = self._mail_owner()
        shutil.chown(self.dir / "mail", mail_user, mail_group)
        self.port = free_port()
        self.conf = self.dir / "dovecot.conf"
        self.conf.write_text(self._config(mail_user, mail_group))
        self.log = self.dir / "dovecot.log"
        with open(self.dir / "console.log", "wb") as console:
            self.process = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(self.conf)],
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,  # set before any test thread exists
            )
        self._wait_until_listening()
        return self

    def stop(self):
        if self.process is not None:
            subprocess.run([DOVECOT, "-c", str(self.conf), "stop"], capture_output=True, check=False)
            wait_or_kill(self.process)
            self.process = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def _make_certificate(self):
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", str(self.dir / "key.pem"), "-out", str(self.cert),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        (self.dir / "key.pem").chmod(0o600)

    @staticmethod
    def _mail_owner():
        if os.geteuid() == 0:
            return "nobody", grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name
        return getpass.getuser(), grp.getgrgid(os.getegid()).gr_name

    def _config(self, mail_user, mail_group):
        if os.geteuid() == 0:
            # Root may run the master and the auth processes, but neither mail access nor imap-login.
            internal_user, internal_group, login_user = "root", "root", "nobody"
        else:
            internal_user, internal_group, login_user = mail_user, mail_group, mail_user
        d = self.dir
        return f"""\
# Written by tests/contributions/dovecot.py for one test run.
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
protocols = imap
listen = {self.host}
ssl = required
ssl_cert = <{self.cert}
ssl_key = <{d}/key.pem
auth_mechanisms = plain login
disable_plaintext_auth = yes
login_trusted_networks = 127.0.0.1/32
# A test logs in with a wrong password on purpose: no 2-second delay, no penalty for the next logins.
auth_failure_delay = 0
first_valid_uid = 1
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
mail_uid = {mail_user}
mail_gid = {mail_group}
mail_location = maildir:{d}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/passwd
}}
userdb {{
  driver = static
  args = home={d}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = {self.host}
    port = {self.port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""

    def _wait_until_listening(self):
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"Dovecot exited with status {self.process.returncode}:\n{self.logs()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"Dovecot did not listen on port {self.port}:\n{self.logs()}") from None
                time.sleep(0.05)

    def logs(self):
        text = []
        for name in ("console.log", "dovecot.log"):
            path = self.dir / name if self.dir else None
            if path and path.exists():
                text.append(path.read_text(errors="replace")[-4000:])
        return "\n".join(text)

    # What the command under test needs

    def environ(self):
        """The BYLINE_IMAP_* settings of this server (the certificate is trusted through BYLINE_IMAP_CA_FILE)."""
        return {
            "BYLINE_IMAP_HOST": self.host,
            "BYLINE_IMAP_PORT": str(self.port),
            "BYLINE_IMAP_USER": self.user,
            "BYLINE_IMAP_PASSWORD": self.password,
            "BYLINE_IMAP_CA_FILE": str(self.cert),
        }

    # A second client, to deliver mail and look at it

    @contextlib.contextmanager
    def client(self):
        context = ssl.create_default_context(cafile=str(self.cert))
        conn = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context, timeout=HANG_SECONDS)
        try:
            conn.login(self.user, self.password)
            yield conn
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                conn.logout()

    def deliver(self, message, folder="INBOX", seen=False):
        """Put a message in a folder with IMAP APPEND, as a mail server's delivery would; unseen unless told."""
        raw = message.as_bytes() if isinstance(message, email.message.Message) else message
        raw = re.sub(rb"\r?\n", b"\r\n", raw)
        with self.client() as conn:
            typ, data = conn.append(_quote(folder), "(\\Seen)" if seen else None, None, raw)
            assert typ == "OK", data

    def folders(self):
        with self.client() as conn:
            typ, data = conn.list()
            assert typ == "OK", data
        return [_unquote(match.group(1)) for item in data if item and (match := _LIST.match(item))]

    def messages(self, folder="INBOX"):
        """{Message-ID: set of flags} of the messages in a folder (looking does not change the flags)."""
        with self.client() as conn:
            typ, data = conn.select(_quote(folder), readonly=True)
            assert typ == "OK", data
            if int(data[0]) == 0:
                return {}
            typ, data = conn.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            assert typ == "OK", data
        found = {}
        for item in data:
            if isinstance(item, tuple):
                flags = re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).decode().split()
                message_id = item[1].decode().partition(":")[2].strip()
                found[message_id] = set(flags) - {"\\Recent"}
        return found

    def clear(self):
        """Empty every folder and remove all but INBOX: each test starts with an empty mailbox."""
        folders = self.folders()
        with self.client() as conn:
            for folder in folders:
                typ, data = conn.select(_quote(folder))
                if typ == "OK" and int(data[0]):
                    conn.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
                    conn.expunge()
                conn.unselect()
                if folder.upper() != "INBOX":
                    conn.delete(_quote(folder))


_LIST = re.compile(rb'^\([^)]*\) (?:"(?:[^"\\]|\\.)*"|NIL) (.+)$')


def _quote(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(raw):
    text = raw.decode()
    if text.startswith('"') and text.endswith('"'):
        text = re.sub(r"\\(.)", r"\1", text[1:-1])
    return text
