"""Faults: ingestion killed mid-batch, and the servers around a submission being down.

The kill tests run the real commands in a subprocess against a file-based SQLite database, and SIGKILL
that process right after the Nth call of a function returns: `contributions.workflow:receive` (the message
is fetched and its submission written, but the transaction is not committed), or the command's `ingest`
(committed, but not yet acknowledged to its source). Then a normal run must leave every message in the
database exactly once, and the source marked accordingly.
"""

import mailbox
import os
import signal
import sqlite3
import subprocess
import sys
from email.message import EmailMessage
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from contributions.management.commands import poll_imap
from contributions.models import Submission
from outbox.models import OutgoingEmail
from tests.services import HANG_SECONDS, free_port

from . import dovecot
from .conftest import article_text

ROOT = Path(__file__).resolve().parents[2]
BODY = (
    "Community gardens change more than the empty lots they grow on. In our district the first one opened "
    "three years ago, and since then neighbours who never spoke now share tools, seeds and recipes. This "
    "piece looks at what it took to start and what we would do differently next spring."
)
# Runs `manage.py ARGS...` with the function MODULE:NAME wrapped so that the process SIGKILLs itself
# right after the Nth call returns: `python -c KILLER MODULE:NAME N ARGS...`.
KILLER = """
import importlib, os, signal, sys
import django
django.setup()
module_name, name = sys.argv[1].split(":")
module = importlib.import_module(module_name)
real, calls = getattr(module, name), []
def killing(*args, **kwargs):
    result = real(*args, **kwargs)
    calls.append(name)
    if len(calls) == int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)
    return result
setattr(module, name, killing)
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", *sys.argv[3:]])
"""
KILLED = -signal.SIGKILL
IN_TRANSACTION = "contributions.workflow:receive"


def message(n):
    msg = EmailMessage()
    msg["From"] = f"Writer {n} <writer{n}@example.org>"
    msg["To"] = "contribute@byline.example"
    msg["Subject"] = f"Garden diary {n}"
    msg["Message-ID"] = f"<garden-{n}@example.org>"
    msg.set_content(BODY)
    return msg


def message_ids(count):
    return [f"<garden-{n}@example.org>" for n in range(count)]


class Site:
    """A file-based SQLite database, a media folder and the environment for `manage.py` with them."""

    def __init__(self, directory, template):
        self.db = directory / "byline.sqlite3"
        with sqlite3.connect(template) as source, sqlite3.connect(self.db) as copy:
            source.backup(copy)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BYLINE_"))}
        self.env.update(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=f"sqlite:///{self.db}",
            DJANGO_MEDIA_ROOT=str(directory / "media"),
        )

    def manage(self, *args):
        return self._run(["manage.py", *args])

    def manage_killed(self, function, nth, *args):
        """`manage.py ARGS`, SIGKILLed right after the `nth` call of `function` (MODULE:NAME) returns."""
        return self._run(["-c", KILLER, function, str(nth), *args])

    def _run(self, args):
        return subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=HANG_SECONDS
        )

    def query(self, sql):
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql).fetchall()

    def inbound_keys(self):
        return sorted(key for (key,) in self.query("SELECT key FROM contributions_inboundmessage"))

    def submission_titles(self):
        return sorted(title for (title,) in self.query("SELECT title FROM contributions_submission"))

    def receipts(self):
        """Receipts to contributors, by address (one each, or someone got two)."""
        rows = self.query("SELECT \"to\" FROM outbox_outgoingemail WHERE reference LIKE 'submission:%'")
        return sorted(to for (to,) in rows)


@pytest.fixture
def site(tmp_path, migrated_sqlite):
    """A site on a copy of the run's migrated database (tests/conftest.py)."""
    return Site(tmp_path, migrated_sqlite)


def expected_titles(count):
    return sorted(f"Garden diary {n}" for n in range(count))


def expected_receipts(count):
    return sorted(f'["writer{n}@example.org"]' for n in range(count))


class TestMailboxFilesKilledMidBatch:
    def test_mbox_killed_before_a_commit_is_completed_by_the_next_run(self, site, tmp_path):
        path = tmp_path / "in.mbox"
        box = mailbox.mbox(path)
        for n in range(5):
            box.add(message(n))
        box.flush()

        killed = site.manage_killed(IN_TRANSACTION, 3, "ingest_email", "--mbox", str(path))

        assert killed.returncode == KILLED
        # The third message's submission was written but never committed: none of it survives.
        assert site.inbound_keys() == message_ids(2)
        assert site.submission_titles() == expected_titles(2)

        rerun = site.manage("ingest_email", "--mbox", str(path))

        assert rerun.returncode == 0, rerun.stderr
        assert "queued 3, reply 0, refused 0, duplicate 2." in rerun.stdout
        assert site.inbound_keys() == message_ids(5)
        assert site.submission_titles() == expected_titles(5)
        assert site.receipts() == expected_receipts(5)

    def test_maildir_killed_between_commit_and_acknowledgement(self, site, tmp_path):
        path = tmp_path / "Maildir"
        box = mailbox.Maildir(path)
        for n in range(4):
            box.add(mailbox.MaildirMessage(message(n)))

        killed = site.manage_killed(
            "contributions.management.commands.ingest_email:ingest", 2, "ingest_email", "--maildir", str(path)
        )

        assert killed.returncode == KILLED
        committed = site.inbound_keys()
        assert len(committed) == 2
        # Of the two committed, only the first was acknowledged (moved to cur/, seen); the rest wait in new/.
        acknowledged = maildir_state(path)["cur"]
        assert len(acknowledged) == 1 and set(acknowledged) < set(committed)
        assert sorted(maildir_state(path)["new"]) == sorted(set(message_ids(4)) - set(acknowledged))

        rerun = site.manage("ingest_email", "--maildir", str(path))

        assert rerun.returncode == 0, rerun.stderr
        # The acknowledged one is skipped silently; the committed one still in new/ is found a duplicate.
        assert "queued 2, reply 0, refused 0, duplicate 1; 1 in cur/ already processed, skipped." in rerun.stdout
        assert rerun.stderr.count(": duplicate: ") == 1
        assert site.inbound_keys() == message_ids(4)
        assert site.submission_titles() == expected_titles(4)
        assert site.receipts() == expected_receipts(4)
        assert maildir_state(path) == {"cur": message_ids(4), "new": []}


def maildir_state(path):
    """Message-IDs in new/, and in cur/ flagged seen (a message in cur/ without the flag fails the test)."""
    state = {"cur": [], "new": []}
    for message in mailbox.Maildir(path, create=False):
        assert message.get_subdir() == "new" or "S" in message.get_flags()
        state[message.get_subdir()].append(message["Message-ID"])
    return {subdir: sorted(ids) for subdir, ids in state.items()}


@pytest.fixture(scope="module")
def dovecot_server():
    """One Dovecot for the module. Missing Dovecot fails (never skips): the integration would go untested."""
    if not dovecot.installed():
        pytest.fail(dovecot.INSTALL_HINT, pytrace=False)
    server = dovecot.Dovecot().start()
    yield server
    server.stop()
    config = {"host": server.host, "port": server.port, "user": server.user, "folder": "INBOX"}
    Path(poll_imap.lock_path(config)).unlink(missing_ok=True)


@pytest.fixture
def imap(dovecot_server, site):
    """An empty mailbox, and the site's environment pointing at it."""
    dovecot_server.clear()
    site.env.update(dovecot_server.environ())
    return dovecot_server


def folder_size(imap, folder):
    """How many messages a folder holds (`messages()` is keyed by Message-ID, so it would hide copies)."""
    with imap.client() as conn:
        typ, data = conn.select(f'"{folder}"', readonly=True)
        assert typ == "OK", data
        return int(data[0])


class TestImapKilledMidBatch:
    def test_killed_before_a_commit_leaves_that_message_and_the_rest_unseen(self, site, imap):
        for n in range(4):
            imap.deliver(message(n))
        ids = message_ids(4)

        killed = site.manage_killed(IN_TRANSACTION, 3, "poll_imap")

        assert killed.returncode == KILLED
        assert site.inbound_keys() == ids[:2]
        assert imap.messages() == {ids[0]: {"\\Seen"}, ids[1]: {"\\Seen"}, ids[2]: set(), ids[3]: set()}

        rerun = site.manage("poll_imap")

        assert rerun.returncode == 0, rerun.stderr
        assert "2 messages: queued 2, reply 0, refused 0, duplicate 0, errors 0." in rerun.stdout
        assert imap.messages() == dict.fromkeys(ids, {"\\Seen"})
        assert folder_size(imap, "INBOX") == 4
        assert site.inbound_keys() == ids
        assert site.submission_titles() == expected_titles(4)
        assert site.receipts() == expected_receipts(4)

    def test_killed_between_commit_and_move_is_moved_by_the_next_run_and_not_queued_again(self, site, imap):
        site.env["BYLINE_IMAP_PROCESSED_FOLDER"] = "Processed"
        for n in range(4):
            imap.deliver(message(n))
        ids = message_ids(4)

        killed = site.manage_killed("contributions.management.commands.poll_imap:ingest", 2, "poll_imap")

        assert killed.returncode == KILLED
        assert site.inbound_keys() == ids[:2]  # the second was committed...
        assert set(imap.messages("Processed")) == {ids[0]}
        assert imap.messages() == dict.fromkeys(ids[1:], set())  # ...but is still unseen in INBOX

        rerun = site.manage("poll_imap")

        assert rerun.returncode == 0, rerun.stderr
        assert "3 messages: queued 2, reply 0, refused 0, duplicate 1, errors 0." in rerun.stdout
        assert imap.messages() == {}
        assert set(imap.messages("Processed")) == set(ids)
        assert folder_size(imap, "Processed") == 4
        assert site.inbound_keys() == ids
        assert site.submission_titles() == expected_titles(4)
        assert site.receipts() == expected_receipts(4)


def test_imap_server_down_is_one_clear_line_and_a_non_zero_status(site, dovecot_server):
    site.env.update(dovecot_server.environ(), BYLINE_IMAP_PORT=str(port := free_port()))
    try:
        result = site.manage("poll_imap")
    finally:
        config = {"host": dovecot_server.host, "port": port, "user": dovecot_server.user, "folder": "INBOX"}
        Path(poll_imap.lock_path(config)).unlink(missing_ok=True)

    assert result.returncode == 1
    assert result.stderr == (
        f"CommandError: cannot connect to the IMAP server 127.0.0.1:{port}: [Errno 111] Connection refused\n"
    )
    assert result.stdout == ""
    assert site.inbound_keys() == []


# The mail server and the task queue down, seen from the web form. These tests commit (transaction=True):
# in production the email is handed on right after the view's transaction commits, inside the request,
# and a failure there must not reach the contributor.


SUBMIT = reverse("contributions:submit")


def form_data():
    return {
        "name": "Ada Guest",
        "email": "ada@example.net",
        "title": "Inside the chip shortage",
        "body": article_text(150, seed="chip"),
        "consent": "on",
        "website": "",
    }


@pytest.fixture
def smtp_down(settings):
    """Django's SMTP backend, pointed at a local port where nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_TIMEOUT = 5
    settings.BYLINE_EDITORS_EMAILS = ["desk@example.com"]
    return settings


def server_back(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def submit_and_follow(client):
    response = client.post(SUBMIT, form_data(), follow=True)
    assert response.redirect_chain == [(reverse("contributions:thanks"), 302)]
    assert response.status_code == 200
    assert "Thank you: we received your article" in response.content.decode()
    return response


@pytest.mark.django_db(transaction=True)
def test_mail_server_down_the_guest_post_is_stored_and_its_emails_wait_for_retry(client, smtp_down):
    submit_and_follow(client)

    submission = Submission.objects.get()
    emails = OutgoingEmail.objects.filter(reference=f"submission:{submission.pk}").order_by("pk")
    assert [(e.to, e.status, e.attempts) for e in emails] == [
        (["ada@example.net"], OutgoingEmail.Status.FAILED, 1),
        (["desk@example.com"], OutgoingEmail.Status.FAILED, 1),
    ]
    assert all(e.last_error.startswith("ConnectionRefusedError") for e in emails)

    server_back(smtp_down)
    call_command("send_queued_email", stdout=StringIO())
    call_command("send_queued_email", stdout=StringIO())

    assert [m.to for m in mail.outbox] == [["ada@example.net"], ["desk@example.com"]]  # once each
    assert submission.tracking_url in mail.outbox[0].body
    assert set(emails.values_list("status", flat=True)) == {OutgoingEmail.Status.SENT}


@pytest.fixture
def queue_down(settings):
    settings.TASKS = {"default": {"BACKEND": "tests.outbox.unreachable_queue.TaskBackend"}}
    settings.BYLINE_EDITORS_EMAILS = ["desk@example.com"]


@pytest.mark.django_db(transaction=True)
def test_task_queue_down_the_guest_post_is_stored_and_its_emails_stay_queued(client, queue_down):
    submit_and_follow(client)

    submission = Submission.objects.get()
    emails = OutgoingEmail.objects.filter(reference=f"submission:{submission.pk}")
    assert sorted(emails.values_list("status", "attempts")) == [(OutgoingEmail.Status.QUEUED, 0)] * 2
    assert mail.outbox == []

    call_command("send_queued_email", stdout=StringIO())

    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.net", "desk@example.com"]


@pytest.mark.django_db(transaction=True)
def test_task_queue_down_email_ingestion_still_queues_every_message(tmp_path, queue_down):
    path = tmp_path / "in.mbox"
    box = mailbox.mbox(path)
    for n in range(3):
        box.add(message(n))
    box.flush()
    out = StringIO()

    call_command("ingest_email", "--mbox", str(path), stdout=out, stderr=StringIO())

    assert "queued 3, reply 0, refused 0, duplicate 0." in out.getvalue()
    assert sorted(Submission.objects.values_list("title", flat=True)) == expected_titles(3)
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {OutgoingEmail.Status.QUEUED}
    assert OutgoingEmail.objects.count() == 6  # a receipt and the editors' email for each
