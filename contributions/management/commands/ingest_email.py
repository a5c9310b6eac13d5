"""`manage.py ingest_email`: guest posts sent by email, from files, stdin, mbox or maildir."""

import mailbox
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from contributions.inbound import ingest

# sysexits.h EX_TEMPFAIL: an MTA piping a message to us keeps it and retries later.
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = (
        "Queue guest posts sent by email. Each PATH is a file holding one message; '-' or no PATH reads one "
        "message from standard input (for a Postfix or Exim pipe). --mbox and --maildir read every message "
        "in those mailboxes. Refused messages are reported on stderr, one line each; the exit status is 0 "
        "when every message was queued or refused on purpose, and non-zero only for operational errors "
        "(75, EX_TEMPFAIL, when reading standard input, so the mail server retries)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", metavar="PATH")
        parser.add_argument("--mbox", action="append", default=[], metavar="PATH", help="An mbox file.")
        parser.add_argument(
            "--maildir",
            action="append",
            default=[],
            metavar="PATH",
            help="A maildir; messages in new/ are moved to cur/ and marked seen once queued.",
        )

    def handle(self, *args, paths, mbox, maildir, **options):
        self.counts = {"queued": 0, "reply": 0, "refused": 0, "duplicate": 0}
        self.errors = 0
        started = time.perf_counter()
        from_stdin = not (paths or mbox or maildir) or paths == ["-"]
        if from_stdin:
            try:
                self.process(sys.stdin.buffer.read(), "stdin", "cli")
            except DatabaseError as exc:
                self.stderr.write(f"stdin: database error, message not queued: {exc}")
                sys.exit(EX_TEMPFAIL)
        for path in [p for p in paths if p != "-"]:
            try:
                with open(path, "rb") as handle:
                    raw = handle.read()
            except OSError as exc:
                self.stderr.write(f"{path}: cannot read: {exc.strerror}")
                self.errors += 1
                continue
            self.guarded(raw, path, "cli")
        for path in mbox:
            self.read_mailbox(mailbox.mbox(path, create=False), path, "mbox")
        for path in maildir:
            self.read_mailbox(mailbox.Maildir(path, create=False), path, "maildir")
        elapsed = time.perf_counter() - started
        total = sum(self.counts.values())
        rate = total / elapsed if elapsed > 0 else 0
        summary = ", ".join(f"{name} {count}" for name, count in self.counts.items())
        self.stdout.write(f"{total} messages in {elapsed:.1f}s ({rate:.0f}/s): {summary}.")
        if self.errors:
            raise CommandError(f"{self.errors} messages could not be processed; they were left where they were.")

    def guarded(self, raw, label, source):
        try:
            return self.process(raw, label, source)
        except DatabaseError as exc:
            self.stderr.write(f"{label}: database error, message not queued: {exc}")
            self.errors += 1
            return None

    def process(self, raw, label, source):
        result = ingest(raw, source=source)
        self.counts[result.outcome] += 1
        if result.refused:
            self.stderr.write(f"{label}: refused: {result.reason}")
        return result

    def read_mailbox(self, box, path, source):
        try:
            keys = list(box.keys())
        except (OSError, mailbox.Error) as exc:
            self.stderr.write(f"{path}: cannot read mailbox: {exc}")
            self.errors += 1
            return
        show_progress = self.stderr.isatty()
        for number, key in enumerate(keys, start=1):
            if show_progress:
                self.stderr.write(f"\r{path}: {number}/{len(keys)}", ending="")
            try:
                raw = box.get_bytes(key)
            except (OSError, KeyError, mailbox.Error) as exc:
                self.stderr.write(f"{path} #{number}: cannot read: {exc}")
                self.errors += 1
                continue
            result = self.guarded(raw, f"{path} #{number}", source)
            if result is not None and isinstance(box, mailbox.Maildir):
                # Acknowledge only now that the outcome is committed: move to cur/, flag seen.
                message = box.get_message(key)
                if message.get_subdir() == "new" or "S" not in message.get_flags():
                    message.set_subdir("cur")
                    message.add_flag("S")
                    box[key] = message
        if show_progress:
            self.stderr.write("")
