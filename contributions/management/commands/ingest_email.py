"""`manage.py ingest_email`: guest posts sent by email, from files, stdin, mbox or maildir.

A message that cannot be processed, at whatever step (reading it, ingesting it, acknowledging it once its
outcome is committed), never stops the run: a maildir message is set aside in the maildir's `.Quarantine`
folder with its reason, any other is reported with its reason, and the run goes on with the next message.
Only a database that cannot be reached leaves a message where it was, to be read again by the next run.
"""

import mailbox
import os
import sys
import time
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from contributions.inbound import already_received, describe, ingest, operational

# sysexits.h EX_TEMPFAIL: an MTA piping a message to us keeps it and retries later.
EX_TEMPFAIL = 75
# The Maildir++ folder (a "." subdirectory, as Dovecot and Courier name theirs) for messages set aside.
QUARANTINE = ".Quarantine"
QUARANTINE_LOG = "byline-quarantine.log"  # in the quarantine folder: one line per message, with its reason


class Fault(Exception):
    """A message that could not be processed, for a reason of its own: it is set aside, not retried."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class Command(BaseCommand):
    help = (
        "Queue guest posts sent by email. Each PATH is a file holding one message; '-' or no PATH reads one "
        "message from standard input (for a Postfix or Exim pipe). --mbox and --maildir read every message "
        "in those mailboxes. Refused and duplicate messages are reported on stderr, one line each, with the "
        "reason. A message that cannot be processed at some step is reported too and, in a maildir, moved "
        f"to its {QUARANTINE} folder with the reason in {QUARANTINE}/{QUARANTINE_LOG}; the run goes on. "
        "The exit status is 0 when every message was queued or refused on purpose; 75 (EX_TEMPFAIL) when "
        "the message on standard input could not be processed, so the mail server keeps it and retries; "
        "otherwise 1 when any message could not be processed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", metavar="PATH")
        parser.add_argument("--mbox", action="append", default=[], metavar="PATH", help="An mbox file.")
        parser.add_argument(
            "--maildir",
            action="append",
            default=[],
            metavar="PATH",
            help="A maildir; messages in new/ are moved to cur/ and marked seen once their outcome is saved "
            "(a later run skips them silently); those that cannot be processed are moved to its "
            f"{QUARANTINE} folder.",
        )

    def handle(self, *args, paths, mbox, maildir, **options):
        self.counts = {"queued": 0, "reply": 0, "refused": 0, "duplicate": 0}
        self.set_aside = 0
        self.errors = 0
        self.skipped = 0  # in a maildir's cur/, processed by an earlier run
        started = time.perf_counter()
        from_stdin = not (paths or mbox or maildir) or paths == ["-"]
        if from_stdin:
            try:
                self.process(sys.stdin.buffer.read(), "stdin", "cli")
            except Exception as exc:
                # The mail server keeps the message and retries; its log shows this line as the reason.
                what = "database error" if isinstance(exc, DatabaseError) else "could not be processed"
                self.stderr.write(f"stdin: {what}, message not queued: {describe(exc)}")
                sys.exit(EX_TEMPFAIL)
        for path in [p for p in paths if p != "-"]:
            try:
                with open(path, "rb") as handle:
                    raw = handle.read()
            except OSError as exc:
                self.stderr.write(f"{path}: cannot read: {exc.strerror}")
                self.errors += 1
                continue
            self.reported(raw, path, "cli")
        for path in mbox:
            self.read_mbox(path)
        for path in maildir:
            self.read_maildir(path)
        elapsed = time.perf_counter() - started
        total = sum(self.counts.values()) + self.set_aside
        rate = total / elapsed if elapsed > 0 else 0
        summary = ", ".join(f"{name} {count}" for name, count in self.counts.items())
        if self.set_aside:
            summary += f", set aside {self.set_aside}"
        if self.skipped:
            summary += f"; {self.skipped} in cur/ already processed, skipped"
        self.stdout.write(f"{total} messages in {elapsed:.1f}s ({rate:.0f}/s): {summary}.")
        if self.errors or self.set_aside:
            fates = [f"{self.set_aside} set aside in {QUARANTINE}"] if self.set_aside else []
            fates += [f"{self.errors} left where they were"] if self.errors else []
            raise CommandError(f"{self.errors + self.set_aside} messages could not be processed: {', '.join(fates)}.")

    def guarded(self, raw, label, source):
        """The message's result; None for a database error (reported: the message stays for the next run).
        Raises Fault when the message itself could not be processed."""
        try:
            return self.process(raw, label, source)
        except Exception as exc:
            if operational(exc):
                self.stderr.write(f"{label}: database error, message not queued: {describe(exc)}")
                self.errors += 1
                return None
            # RecursionError, a bug, a value the database refuses: the same message would fail again.
            raise Fault(f"could not be processed: {describe(exc)}") from exc

    def process(self, raw, label, source):
        result = ingest(raw, source=source)
        self.counts[result.outcome] += 1
        if result.refused or result.duplicate:
            self.stderr.write(f"{label}: {result.outcome}: {result.reason}")
        return result

    def reported(self, raw, label, source):
        """`guarded`, for a message that cannot be moved aside (a file, an mbox): a Fault is reported."""
        try:
            return self.guarded(raw, label, source)
        except Fault as fault:
            self.stderr.write(f"{label}: {fault.reason}")
            self.errors += 1
            return None

    # mbox

    def read_mbox(self, path):
        try:
            box = mailbox.mbox(path, create=False)
            keys = list(box.keys())
        except (OSError, mailbox.Error) as exc:
            self.stderr.write(f"{path}: cannot read mailbox: {exc}")
            self.errors += 1
            return
        progress = self.progress(path, len(keys))
        for number, key in enumerate(keys, start=1):
            progress(number)
            label = f"{path} #{number}"
            try:
                raw = box.get_bytes(key)
            except Exception as exc:
                self.stderr.write(f"{label}: cannot read: {describe(exc)}")
                self.errors += 1
                continue
            # An mbox has no place to set a message aside: it is reported, and the next run reads it again.
            self.reported(raw, label, "mbox")
        progress(None)

    # maildir

    def read_maildir(self, path):
        """Every message in new/ and cur/. The files are read and moved as they are, never parsed or
        rewritten (the email package cannot write a message nested hundreds of levels deep back out)."""
        try:
            files = maildir_files(path)
        except OSError as exc:
            self.stderr.write(f"{path}: cannot read mailbox: {exc.strerror or exc}")
            self.errors += 1
            return
        progress = self.progress(path, len(files))
        for number, (subdir, name) in enumerate(files, start=1):
            progress(number)
            label = f"{path} #{number} ({subdir}/{name})"
            try:
                self.maildir_message(path, subdir, name, label)
            except Fault as fault:
                self.quarantine(path, subdir, name, label, fault.reason)
        progress(None)

    def maildir_message(self, path, subdir, name, label):
        try:
            with open(os.path.join(path, subdir, name), "rb") as handle:
                raw = handle.read()
        except FileNotFoundError:
            return  # taken meanwhile by another reader of the maildir
        except OSError as exc:
            raise Fault(f"cannot read: {exc.strerror or exc}") from exc
        if acknowledged(subdir, name):
            # Moved to cur/ and flagged seen once its outcome was committed: by an earlier run, when the
            # database has it (a mail client reading the maildir flags messages seen too). Not a new duplicate.
            try:
                if already_received(raw):
                    self.skipped += 1
                    return
            except Exception as exc:
                if operational(exc):
                    self.stderr.write(f"{label}: database error, message not queued: {describe(exc)}")
                    self.errors += 1
                    return
                raise Fault(f"could not be processed: {describe(exc)}") from exc
        result = self.guarded(raw, label, "maildir")
        if result is None:
            return  # a database error: left in place, read again by the next run
        # Acknowledge only now that the outcome is committed: in cur/, flagged seen.
        try:
            acknowledge(path, subdir, name)
        except FileNotFoundError:
            return
        except Exception as exc:
            raise Fault(f"{result.outcome}, but could not be moved to cur/: {describe(exc)}") from exc

    def quarantine(self, path, subdir, name, label, reason):
        try:
            where = set_aside(path, subdir, name)
        except FileNotFoundError:
            self.stderr.write(f"{label}: {reason}; it is gone from the maildir")
            self.errors += 1
            return
        except Exception as exc:
            self.stderr.write(f"{label}: {reason}; it could not be set aside ({describe(exc)}) and stays")
            self.errors += 1
            return
        self.set_aside += 1
        self.stderr.write(f"{label}: {reason}; set aside in {where}")
        line = " ".join(f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} {where} {label}: {reason}".split())
        try:
            with open(os.path.join(path, QUARANTINE, QUARANTINE_LOG), "a", encoding="utf-8") as log:
                log.write(line + "\n")
        except OSError as exc:
            self.stderr.write(f"{path}: cannot write {QUARANTINE}/{QUARANTINE_LOG}: {exc.strerror or exc}")

    def progress(self, path, total):
        show = self.stderr.isatty()

        def step(number):
            if show:
                self.stderr.write(f"\r{path}: {number}/{total}" if number else "", ending="" if number else "\n")

        return step


# Maildir files, handled by name (https://cr.yp.to/proto/maildir.html): "unique[:2,FLAGS]".


def maildir_files(path):
    """[(subdir, file name)] of the messages in new/ then cur/, oldest name first."""
    files = []
    for subdir in ("new", "cur"):
        names = sorted(name for name in os.listdir(os.path.join(path, subdir)) if not name.startswith("."))
        files.extend((subdir, name) for name in names)
    return files


def _flags(name):
    info = name.partition(":")[2]
    return info[2:] if info.startswith("2,") else ""


def acknowledged(subdir, name):
    """Whether a message is where `acknowledge` leaves one: in cur/, flagged seen."""
    return subdir == "cur" and "S" in _flags(name)


def acknowledge(path, subdir, name):
    """Move a message to cur/ with the seen flag (S), keeping its other flags."""
    if acknowledged(subdir, name):
        return
    unique = name.partition(":")[0]
    flags = _flags(name)
    flags = "".join(sorted(set(flags) | {"S"}))
    os.rename(os.path.join(path, subdir, name), os.path.join(path, "cur", f"{unique}:2,{flags}"))


def set_aside(path, subdir, name):
    """Move a message into the maildir's quarantine folder (in its new/: unread). Returns where, from `path`."""
    folder = os.path.join(path, QUARANTINE)
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(folder, sub), mode=0o700, exist_ok=True)
    marker = os.path.join(folder, "maildirfolder")  # Maildir++: this is a folder of the maildir above
    if not os.path.exists(marker):
        open(marker, "a").close()
    unique = name.partition(":")[0]
    target = os.path.join(folder, "new", unique)
    if os.path.exists(target):
        target += f".{time.time_ns()}"
    os.rename(os.path.join(path, subdir, name), target)
    return os.path.relpath(target, path)
