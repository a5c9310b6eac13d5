"""`manage.py poll_imap`: guest posts sent by email, fetched from an IMAP mailbox over TLS.

Each unseen message is fetched without marking it (BODY.PEEK[]), handed to `inbound.ingest`, and only
once ingest has returned (its outcome committed) flagged \\Seen or moved to the processed folder. A run
that dies in between leaves the message unseen: the next run ingests it again, ingest recognises it
(Message-ID or content hash) as a duplicate, and then it is marked. Nothing is lost, nothing is queued twice.

A message that cannot be processed, at whatever step (ingesting it, or marking or moving it once its outcome
is committed), is set aside with its reason on stderr: moved to BYLINE_IMAP_QUARANTINE_FOLDER, or, when
even that fails, flagged \\Seen and \\Flagged; the pass goes on with the next message. Only a database that
cannot be reached leaves a message unseen, for the next run.
"""

import fcntl
import hashlib
import imaplib
import os
import re
import signal
import ssl
import tempfile
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from contributions.inbound import describe, ingest, operational

OUTCOMES = ("queued", "reply", "refused", "duplicate")
DEFAULT_QUARANTINE_FOLDER = "Quarantine"
# Servers may drop a client that stays in IDLE for 30 minutes (RFC 2177): re-issue it before then.
DEFAULT_IDLE_TIMEOUT = 29 * 60
# Socket timeout for every command but IDLE: a server that stops answering is an error, not a hang.
COMMAND_TIMEOUT = 120
_CHANGES = re.compile(rb"^\* \d+ (EXISTS|RECENT)\b", re.IGNORECASE)
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]{1,250}>)", re.IGNORECASE | re.MULTILINE)


class Stop(Exception):
    """SIGTERM arrived while waiting for mail: leave the loop."""


class Fault(Exception):
    """This message could not be processed, for a reason of its own: it is set aside."""


class Connection(imaplib.IMAP4_SSL):
    """IMAP4_SSL reading through its own buffer, so that one read may time out (IDLE) without breaking
    the connection; a socket file object (what imaplib uses) refuses to read again after a timeout."""

    def open(self, host="", port=imaplib.IMAP4_SSL_PORT, timeout=None):
        super().open(host, port, timeout)
        self._buffer = bytearray()
        self.idling = False

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise self.abort("the server closed the connection")
        self._buffer += chunk

    def read(self, size):
        while len(self._buffer) < size:
            self._fill()
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def readline(self):
        start = 0
        while (end := self._buffer.find(b"\n", start)) < 0:
            if len(self._buffer) > imaplib._MAXLINE:
                raise self.error(f"got more than {imaplib._MAXLINE} bytes")
            start = len(self._buffer)
            self._fill()
        line = bytes(self._buffer[: end + 1])
        del self._buffer[: end + 1]
        return line

    def readline_within(self, seconds):
        """The next line, or None when none arrived within `seconds`."""
        if b"\n" in self._buffer:
            return self.readline()
        previous = self.sock.gettimeout()
        self.sock.settimeout(max(seconds, 0.001))
        try:
            self._fill()
        except TimeoutError:
            return None
        finally:
            self.sock.settimeout(previous)
        return self.readline()

    def idle_wait(self, timeout):
        """RFC 2177 IDLE (imaplib has its own only from Python 3.14, hence another name): wait until the
        server reports new messages or `timeout` seconds pass. True when it reported a change."""
        tag = self._new_tag()
        self.idling = True  # before sending: an interruption right after it must not be followed by LOGOUT
        self.send(tag + b" IDLE\r\n")
        changed = False
        try:
            while True:
                line = self.readline()
                if line.startswith(b"+"):
                    break
                if line.startswith(tag + b" "):
                    self.idling = False
                    raise self.error(f"IDLE refused: {line.decode('ascii', 'replace').strip()}")
                changed = changed or bool(_CHANGES.match(line))
            deadline = time.monotonic() + timeout
            while not changed:
                line = self.readline_within(deadline - time.monotonic())
                if line is None:
                    break
                if line.upper().startswith(b"* BYE"):
                    raise self.abort(line.decode("ascii", "replace").strip())
                changed = bool(_CHANGES.match(line))  # anything else ("* OK Still here") keeps waiting
            self.send(b"DONE\r\n")
            while not (line := self.readline()).startswith(tag + b" "):
                pass
            self.idling = False
            if not line[len(tag) + 1 :].upper().startswith(b"OK"):
                raise self.error(f"IDLE failed: {line.decode('ascii', 'replace').strip()}")
        finally:
            self.tagged_commands.pop(tag, None)
        return changed


def quote(mailbox):
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Command(BaseCommand):
    help = (
        "Queue guest posts sent by email to an IMAP mailbox (IMAP over TLS, port 993). Each UNSEEN message is "
        "ingested, then flagged \\Seen, or moved to BYLINE_IMAP_PROCESSED_FOLDER when that is set, only after "
        "its outcome is saved: a run that dies in between leaves it unseen and the next run recognises it as a "
        "duplicate, so nothing is lost or queued twice. Settings come from the environment: BYLINE_IMAP_HOST, "
        "BYLINE_IMAP_USER, BYLINE_IMAP_PASSWORD (required); BYLINE_IMAP_PORT (default 993); BYLINE_IMAP_FOLDER "
        "(default INBOX); BYLINE_IMAP_PROCESSED_FOLDER (optional; created if missing); BYLINE_IMAP_CA_FILE "
        "(optional PEM file of CA certificates to verify the server with, instead of the system's); "
        f"BYLINE_IMAP_QUARANTINE_FOLDER (default {DEFAULT_QUARANTINE_FOLDER}; created when first needed). "
        "Safe to run from cron every minute: a run holds an exclusive lock file (fcntl) in the temporary "
        "directory, one per server, user and folder, and a run that finds it taken does nothing; the lock is "
        "per machine, not a cache key, because the default cache is per process. Refused messages are reported "
        "on stderr, one line each with the reason, as are duplicates, and marked like the others. A message "
        "that cannot be processed at some step (ingesting, marking, moving) is moved to the quarantine folder "
        "(or, failing that, flagged \\Seen and \\Flagged) with its reason on stderr, and the pass goes on; one "
        "that fails on a database error is left unseen and reported. Either makes the command exit non-zero. "
        "A summary line goes to stdout (none with -v 0; -v 2 adds a line per message)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--watch",
            action="store_true",
            help="Keep running: after each pass wait for new mail with IMAP IDLE (or sleep --interval seconds "
            "when the server has no IDLE), then poll again. Stops cleanly on Ctrl-C or SIGTERM; exits with an "
            "error if the connection is lost, so run it under a supervisor that restarts it.",
        )
        parser.add_argument(
            "--idle-timeout",
            type=float,
            default=DEFAULT_IDLE_TIMEOUT,
            metavar="SECONDS",
            help=f"With --watch, poll again after this long in IDLE without news (default {DEFAULT_IDLE_TIMEOUT}).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=60,
            metavar="SECONDS",
            help="With --watch, seconds between passes when the server has no IDLE (default 60).",
        )
        parser.add_argument(
            "--limit", type=int, default=500, metavar="N", help="At most N messages per pass (default 500)."
        )
        parser.add_argument(
            "--insecure",
            action="store_true",
            help="Do not verify the server's certificate (self-signed test servers only).",
        )
        parser.add_argument(
            "--max-passes",
            type=int,
            default=0,
            metavar="N",
            help="With --watch, stop after N passes (for tests; default 0, no limit).",
        )

    def handle(self, *args, watch, idle_timeout, interval, limit, insecure, max_passes, **options):
        self.verbosity = options["verbosity"]
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        self.config = self.read_config()
        self.counts = dict.fromkeys(OUTCOMES, 0)
        self.set_aside = 0
        self.errors = 0
        self.stop_requested = False
        self.waiting = False
        lock = self.acquire_lock()
        if lock is None:
            if self.verbosity:
                self.stdout.write("poll_imap: another run holds the lock for this mailbox; nothing done.")
            return
        previous_handler = self.catch_sigterm()
        conn = None
        passes = 0
        self.folders_made = set()
        try:
            conn = self.connect(insecure)
            while True:
                if passes:
                    close_old_connections()  # a long --watch must not keep a connection the database dropped
                before = (dict(self.counts), self.errors, self.set_aside)
                found = self.poll(conn, limit)
                passes += 1
                if self.stop_requested:
                    raise Stop()
                if not watch or (max_passes and passes >= max_passes):
                    break
                if found and self.verbosity:
                    self.stdout.write(f"poll_imap: pass {passes}: {self.summary(*before)}")
                self.wait(conn, idle_timeout, interval)
        except (KeyboardInterrupt, Stop):
            self.stderr.write("poll_imap: stopped; messages not yet marked stay unseen for the next run.")
        except (imaplib.IMAP4.error, OSError) as exc:
            raise CommandError(f"IMAP error with {self.config['host']}:{self.config['port']}: {exc}") from exc
        finally:
            if previous_handler is not None:
                signal.signal(signal.SIGTERM, previous_handler)
            if conn is not None:
                self.disconnect(conn)
                if self.verbosity:
                    self.stdout.write(f"poll_imap: {self.summary()}")
            lock.close()
        if self.errors or self.set_aside:
            fates = [f"{self.set_aside} set aside"] if self.set_aside else []
            fates += [f"{self.errors} left unseen"] if self.errors else []
            raise CommandError(f"{self.errors + self.set_aside} messages could not be processed: {', '.join(fates)}.")

    def summary(self, since=None, errors_since=0, set_aside_since=0):
        """Counts per outcome, since a snapshot of the counts if given."""
        counts = {name: count - (since or {}).get(name, 0) for name, count in self.counts.items()}
        set_aside = self.set_aside - set_aside_since
        parts = ", ".join(f"{name} {count}" for name, count in counts.items())
        if set_aside:
            parts += f", set aside {set_aside}"
        return f"{sum(counts.values()) + set_aside} messages: {parts}, errors {self.errors - errors_since}."

    # Settings, lock, signals

    def read_config(self):
        env = os.environ
        config = {
            "host": env.get("BYLINE_IMAP_HOST", "").strip(),
            "user": env.get("BYLINE_IMAP_USER", "").strip(),
            "password": env.get("BYLINE_IMAP_PASSWORD", ""),
            "folder": env.get("BYLINE_IMAP_FOLDER", "").strip() or "INBOX",
            "processed": env.get("BYLINE_IMAP_PROCESSED_FOLDER", "").strip(),
            "quarantine": env.get("BYLINE_IMAP_QUARANTINE_FOLDER", "").strip() or DEFAULT_QUARANTINE_FOLDER,
            "ca_file": env.get("BYLINE_IMAP_CA_FILE", "").strip(),
        }
        missing = [f"BYLINE_IMAP_{key.upper()}" for key in ("host", "user", "password") if not config[key]]
        if missing:
            raise CommandError(f"poll_imap needs these environment variables: {', '.join(missing)}.")
        port = env.get("BYLINE_IMAP_PORT", "").strip() or "993"
        try:
            config["port"] = int(port)
        except ValueError:
            raise CommandError(f"BYLINE_IMAP_PORT must be a number, not {port!r}.") from None
        if config["processed"] == config["folder"]:
            raise CommandError("BYLINE_IMAP_PROCESSED_FOLDER must differ from BYLINE_IMAP_FOLDER.")
        if config["quarantine"] in (config["folder"], config["processed"]):
            raise CommandError(
                "BYLINE_IMAP_QUARANTINE_FOLDER must differ from BYLINE_IMAP_FOLDER and BYLINE_IMAP_PROCESSED_FOLDER."
            )
        for key, variable in (
            ("folder", "BYLINE_IMAP_FOLDER"),
            ("processed", "BYLINE_IMAP_PROCESSED_FOLDER"),
            ("quarantine", "BYLINE_IMAP_QUARANTINE_FOLDER"),
        ):
            if not config[key].isascii():
                # IMAP spells other names in modified UTF-7, which imaplib does not do.
                raise CommandError(f"{variable} must be an ASCII folder name.")
        return config

    def acquire_lock(self):
        """An exclusive, non-blocking fcntl lock for this server, user and folder; None when taken."""
        path = lock_path(self.config)
        try:
            # Never through a symbolic link someone else left in the shared temporary directory.
            handle = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600), "r+")
        except OSError as exc:
            raise CommandError(f"cannot open the lock file {path}: {exc}") from exc
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        return handle  # held, and so locked, for the whole run

    def catch_sigterm(self):
        if threading.current_thread() is not threading.main_thread():
            return None

        def on_sigterm(signum, frame):
            # Finish the message at hand; interrupt at once only a wait for new mail.
            self.stop_requested = True
            if self.waiting:
                raise Stop()

        return signal.signal(signal.SIGTERM, on_sigterm)

    # IMAP

    def connect(self, insecure):
        config = self.config
        if insecure:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        else:
            try:
                context = ssl.create_default_context(cafile=config["ca_file"] or None)
            except (OSError, ssl.SSLError) as exc:
                raise CommandError(f"cannot read BYLINE_IMAP_CA_FILE {config['ca_file']}: {exc}") from exc
        where = f"{config['host']}:{config['port']}"
        try:
            conn = Connection(config["host"], config["port"], ssl_context=context, timeout=COMMAND_TIMEOUT)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise CommandError(f"cannot connect to the IMAP server {where}: {exc}") from exc
        try:
            conn.login(config["user"], config["password"])
            conn.capabilities = self.capabilities(conn)
            if config["processed"]:
                self.ensure_folder(conn, config["processed"])
            typ, data = conn.select(quote(config["folder"]))
            if typ != "OK":
                raise CommandError(f"cannot open the folder {config['folder']!r} on {where}: {self.text(data)}")
        except (OSError, imaplib.IMAP4.error) as exc:
            self.disconnect(conn)
            raise CommandError(f"IMAP error with {where} as {config['user']}: {exc}") from exc
        except CommandError:
            self.disconnect(conn)
            raise
        return conn

    @staticmethod
    def capabilities(conn):
        """What the server offers once logged in (MOVE, IDLE, UIDPLUS): often more than before login,
        which is all imaplib asks for."""
        typ, data = conn.capability()
        if typ != "OK" or not data or not data[-1]:
            return conn.capabilities
        return tuple(data[-1].decode("ascii", "replace").upper().split())

    def ensure_folder(self, conn, folder):
        typ, data = conn.list('""', quote(folder))
        if typ == "OK" and any(item for item in data if item):
            return
        typ, data = conn.create(quote(folder))
        if typ != "OK":
            raise CommandError(f"cannot create the folder {folder!r}: {self.text(data)}")

    def disconnect(self, conn):
        if conn.idling:  # interrupted in IDLE: the server expects DONE, not LOGOUT; just hang up
            conn.shutdown()
            return
        try:
            conn.sock.settimeout(5)
            conn.logout()
        except (OSError, imaplib.IMAP4.error):
            try:
                conn.shutdown()
            except OSError:
                pass

    def poll(self, conn, limit):
        """One pass over the unseen messages; the number found."""
        typ, data = conn.uid("SEARCH", None, "UNSEEN")
        if typ != "OK":
            raise imaplib.IMAP4.error(f"UID SEARCH UNSEEN failed: {self.text(data)}")
        uids = b" ".join(item for item in data if item).split()[:limit]
        for uid in uids:
            if self.stop_requested:
                break
            raw = self.fetch(conn, uid)
            if raw is None:
                continue  # expunged by another client meanwhile
            label = self.label(uid, raw)
            try:
                self.process(conn, uid, raw, label)
            except Fault as fault:
                self.quarantine(conn, uid, label, str(fault))
        return len(uids)

    def process(self, conn, uid, raw, label):
        """Ingest one message, then mark it. Raises Fault when the message itself is to blame."""
        try:
            result = ingest(raw, source="imap")
        except Exception as exc:
            if not operational(exc):
                # RecursionError, a bug, a value the database refuses: the same message would fail again.
                raise Fault(f"could not be processed: {describe(exc)}") from exc
            self.stderr.write(f"{label}: database error, message left unseen: {describe(exc)}")
            self.errors += 1
            return
        # Only now, with the outcome committed, is the message acknowledged.
        self.counts[result.outcome] += 1
        if result.refused or result.duplicate:
            self.stderr.write(f"{label}: {result.outcome}: {result.reason}")
        elif self.verbosity >= 2:
            self.stdout.write(f"{label}: {result.outcome}")
        failed = self.mark(conn, uid)
        if failed:
            self.counts[result.outcome] -= 1  # counted once, as set aside
            raise Fault(f"{result.outcome}, but {failed}")

    def fetch(self, conn, uid):
        typ, data = conn.uid("FETCH", uid, "(BODY.PEEK[])")
        if typ != "OK":
            raise imaplib.IMAP4.error(f"UID FETCH {uid.decode()} failed: {self.text(data)}")
        for item in data:
            if isinstance(item, tuple) and b"BODY[]" in item[0].upper():
                found = re.search(rb"\bUID (\d+)", item[0], re.IGNORECASE)
                if found is None or found.group(1) == uid:
                    return item[1]
        return None

    def mark(self, conn, uid):
        """Acknowledge a message whose outcome is committed: flag it \\Seen, or move it. What failed, or ""."""
        processed = self.config["processed"]
        if not processed:
            return self.run_steps(conn, [("STORE", uid, "+FLAGS.SILENT", "(\\Seen)")])
        return self.move(conn, uid, processed)

    def move(self, conn, uid, folder):
        """Move a message to `folder` (MOVE, or COPY and expunge). What failed, or ""."""
        if "MOVE" in conn.capabilities:
            return self.run_steps(conn, [("MOVE", uid, quote(folder))])
        steps = [("COPY", uid, quote(folder)), ("STORE", uid, "+FLAGS.SILENT", "(\\Deleted)")]
        # UID EXPUNGE (UIDPLUS) removes only this message; plain EXPUNGE every \\Deleted one.
        steps.append(("EXPUNGE", uid) if "UIDPLUS" in conn.capabilities else None)
        return self.run_steps(conn, steps)

    def run_steps(self, conn, steps):
        """Run UID commands (None: EXPUNGE) until one fails; that one's description, or "" when all succeeded.
        A lost connection (imaplib's abort) is raised: nothing more can be done in this run."""
        for step in steps:
            what = f"UID {step[0]}" if step else "EXPUNGE"
            try:
                typ, data = conn.uid(*step) if step else conn.expunge()
            except imaplib.IMAP4.abort:
                raise
            except imaplib.IMAP4.error as exc:  # a BAD answer
                return f"{what} failed: {exc}"
            if typ != "OK":
                return f"{what} failed: {self.text(data)}"
        return ""

    def quarantine(self, conn, uid, label, reason):
        """Set a message aside: into the quarantine folder, or failing that flagged \\Seen and \\Flagged
        (which UNSEEN no longer finds, and mail clients show). The reason goes to stderr."""
        folder = self.config["quarantine"]
        try:
            if folder not in self.folders_made:
                self.ensure_folder(conn, folder)
                self.folders_made.add(folder)
            failed = self.move(conn, uid, folder)
        except imaplib.IMAP4.abort:
            raise
        except (CommandError, imaplib.IMAP4.error) as exc:  # the folder could not be made
            failed = str(exc)
        if not failed:
            self.set_aside += 1
            self.stderr.write(f"{label}: {reason}; set aside in {folder}")
            return
        flagged = self.run_steps(conn, [("STORE", uid, "+FLAGS.SILENT", "(\\Seen \\Flagged)")])
        if not flagged:
            self.set_aside += 1
            self.stderr.write(f"{label}: {reason}; flagged \\Flagged and \\Seen (moving it to {folder}: {failed})")
            return
        self.errors += 1
        self.stderr.write(f"{label}: {reason}; it could not be set aside ({failed}; {flagged}) and stays unseen")

    def wait(self, conn, idle_timeout, interval):
        self.waiting = True
        try:
            if self.stop_requested:
                raise Stop()
            if "IDLE" in conn.capabilities:
                conn.idle_wait(idle_timeout)
            else:
                time.sleep(interval)
        finally:
            self.waiting = False

    @staticmethod
    def label(uid, raw):
        found = _MESSAGE_ID.search(raw[:65536])
        return f"uid {uid.decode()}" + (f" {found.group(1).decode('ascii', 'replace')}" if found else "")

    @staticmethod
    def text(data):
        return " ".join(
            item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item) for item in data if item
        )


def lock_path(config):
    key = f"{config['host']}:{config['port']}:{config['user']}:{config['folder']}".encode()
    return os.path.join(tempfile.gettempdir(), f"byline-poll-imap-{hashlib.sha256(key).hexdigest()[:16]}.lock")
