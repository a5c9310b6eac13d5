"""`manage.py poll_imap` against a real IMAP server: a throwaway Dovecot (see dovecot.py)."""

import fcntl
import re
import signal
import threading
from email.message import EmailMessage
from email.utils import make_msgid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from contributions import emails
from contributions.inbound import ingest
from contributions.management.commands import poll_imap
from contributions.models import InboundMessage, Submission
from tests.services import HANG_SECONDS, free_port

from . import dovecot
from . import email_factory as factory

pytestmark = pytest.mark.django_db(transaction=True)  # ingest commits for real, as in production

BODY = (
    "Community gardens change more than the empty lots they grow on. In our district the first one opened "
    "three years ago, and since then neighbours who never spoke now share tools, seeds and recipes. This "
    "piece looks at what it took to start, what the city asked for, and what we would do differently if we "
    "began again next spring with what we know now."
)
ENV = [
    "BYLINE_IMAP_HOST",
    "BYLINE_IMAP_PORT",
    "BYLINE_IMAP_USER",
    "BYLINE_IMAP_PASSWORD",
    "BYLINE_IMAP_FOLDER",
    "BYLINE_IMAP_PROCESSED_FOLDER",
    "BYLINE_IMAP_CA_FILE",
]


class Killed(BaseException):
    """Stands for the process being killed (SIGKILL, power loss): nothing in the command handles it."""


def message(subject="Our community garden", sender="Ana Gardener <ana@example.org>", **headers):
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "contribute@byline.example"
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="example.org")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(BODY)
    return msg


@pytest.fixture(scope="module")
def dovecot_server():
    """One Dovecot for the module. Missing Dovecot fails (never skips): the integration would go untested."""
    if not dovecot.installed():
        pytest.fail(dovecot.INSTALL_HINT, pytrace=False)
    server = dovecot.Dovecot().start()
    yield server
    server.stop()
    # The command's lock file is named after the server, whose port is new every run: do not leave it behind.
    config = {"host": server.host, "port": server.port, "user": server.user, "folder": "INBOX"}
    Path(poll_imap.lock_path(config)).unlink(missing_ok=True)


@pytest.fixture
def imap(dovecot_server, monkeypatch):
    """An empty mailbox, and the BYLINE_IMAP_* environment pointing at it."""
    dovecot_server.clear()
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in dovecot_server.environ().items():
        monkeypatch.setenv(name, value)
    return dovecot_server


def poll(*args, **options):
    """Run the command; (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command("poll_imap", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_unseen_messages_are_queued_then_flagged_seen(imap):
    first, second = message(), message(subject="Seed library", sender="Bo <bo@example.org>")
    imap.deliver(first)
    imap.deliver(second)
    assert imap.messages() == {first["Message-ID"]: set(), second["Message-ID"]: set()}

    out, err = poll()

    assert set(Submission.objects.values_list("title", flat=True)) == {"Our community garden", "Seed library"}
    assert set(InboundMessage.objects.values_list("source", flat=True)) == {"imap"}
    assert imap.messages() == {first["Message-ID"]: {"\\Seen"}, second["Message-ID"]: {"\\Seen"}}
    assert "2 messages: queued 2, reply 0, refused 0, duplicate 0, errors 0." in out
    assert err == ""


def test_already_seen_messages_are_ignored(imap):
    imap.deliver(message(), seen=True)

    out, _err = poll()

    assert Submission.objects.count() == 0
    assert InboundMessage.objects.count() == 0
    assert "0 messages" in out


def test_with_a_processed_folder_messages_are_moved_there(imap, monkeypatch):
    monkeypatch.setenv("BYLINE_IMAP_PROCESSED_FOLDER", "Processed guest posts")
    msg = message()
    imap.deliver(msg)

    poll()

    assert Submission.objects.count() == 1
    assert imap.messages() == {}
    assert set(imap.messages("Processed guest posts")) == {msg["Message-ID"]}


def test_without_move_they_are_copied_and_expunged(imap, monkeypatch):
    monkeypatch.setenv("BYLINE_IMAP_PROCESSED_FOLDER", "Processed")
    real = poll_imap.Command.capabilities
    monkeypatch.setattr(
        poll_imap.Command, "capabilities", staticmethod(lambda conn: tuple(c for c in real(conn) if c != "MOVE"))
    )
    msg = message()
    imap.deliver(msg)
    imap.deliver(message(), seen=True)  # not ours to process: stays where it is

    poll()

    assert Submission.objects.count() == 1
    assert len(imap.messages()) == 1
    assert set(imap.messages("Processed")) == {msg["Message-ID"]}


def test_refused_messages_are_reported_and_still_marked(imap):
    msg = message(subject="Out of office", Auto_Submitted="auto-replied")
    imap.deliver(msg)

    out, err = poll()

    assert Submission.objects.count() == 0
    assert InboundMessage.objects.get().outcome == "refused"
    assert re.fullmatch(rf"uid \d+ {re.escape(msg['Message-ID'])}: refused: automatic message\b.*\n", err)
    assert "refused 1" in out
    assert imap.messages() == {msg["Message-ID"]: {"\\Seen"}}


def test_a_run_killed_between_ingest_and_marking_loses_and_duplicates_nothing(imap, monkeypatch):
    msg = message()
    imap.deliver(msg)

    def killed(self, *args):
        raise KeyboardInterrupt  # what Ctrl-C or a kill at that instant does

    with monkeypatch.context() as patch:
        patch.setattr(poll_imap.Command, "mark", killed)
        _out, err = poll()
    assert "stopped" in err
    assert InboundMessage.objects.count() == 1  # ingest had committed
    assert imap.messages() == {msg["Message-ID"]: set()}  # but the message was not acknowledged

    out, _err = poll()

    assert "duplicate 1" in out
    assert imap.messages() == {msg["Message-ID"]: {"\\Seen"}}
    assert Submission.objects.count() == 1
    assert InboundMessage.objects.count() == 1


def test_a_crash_right_after_the_fetch_leaves_the_message_for_the_next_run(imap, monkeypatch):
    msg = message()
    imap.deliver(msg)
    fetched = []

    def crash(raw, *, source):
        fetched.append(raw)
        raise Killed()  # the process dies: not an exception the message is to blame for

    with monkeypatch.context() as patch:
        patch.setattr(poll_imap, "ingest", crash)
        with pytest.raises(Killed):
            poll()
    assert msg["Message-ID"].encode() in fetched[0]
    assert imap.messages() == {msg["Message-ID"]: set()}  # BODY.PEEK[] did not mark it seen
    assert InboundMessage.objects.count() == 0

    out, _err = poll()

    assert "queued 1" in out
    assert imap.messages() == {msg["Message-ID"]: {"\\Seen"}}
    assert Submission.objects.count() == 1
    assert InboundMessage.objects.count() == 1


def test_a_database_error_leaves_that_message_unseen_and_the_others_go_on(imap, monkeypatch):
    broken, fine = message(subject="Broken"), message(subject="Fine")
    imap.deliver(broken)
    imap.deliver(fine)

    def flaky(raw, *, source):
        if b"Subject: Broken" in raw:
            raise DatabaseError("database is locked")
        return ingest(raw, source=source)

    monkeypatch.setattr(poll_imap, "ingest", flaky)
    with pytest.raises(CommandError, match="1 messages could not be processed"):
        poll()

    assert imap.messages() == {broken["Message-ID"]: set(), fine["Message-ID"]: {"\\Seen"}}
    assert list(Submission.objects.values_list("title", flat=True)) == ["Fine"]


def test_limit_caps_one_pass(imap):
    for n in range(3):
        imap.deliver(message(subject=f"Post {n}"))

    out, _err = poll("--limit", "2")

    assert "queued 2" in out
    assert sorted(flags == {"\\Seen"} for flags in imap.messages().values()) == [False, True, True]


def test_an_overlapping_run_does_nothing(imap):
    imap.deliver(message())
    config = {"host": imap.host, "port": imap.port, "user": imap.user, "folder": "INBOX"}
    with open(poll_imap.lock_path(config), "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        out, _err = poll()
    assert "another run holds the lock" in out
    assert Submission.objects.count() == 0
    assert list(imap.messages().values()) == [set()]


@pytest.fixture
def idling(monkeypatch):
    """An Event set once the command waits in IDLE (the server has accepted it); `.results` gets what
    each IDLE returned: True when it ended because the server announced new mail."""
    event = threading.Event()
    event.results = []
    real_wait, real_readline_within = poll_imap.Connection.idle_wait, poll_imap.Connection.readline_within

    def idle_wait(conn, timeout):
        event.results.append(real_wait(conn, timeout))
        return event.results[-1]

    def readline_within(conn, seconds):
        event.set()
        return real_readline_within(conn, seconds)

    monkeypatch.setattr(poll_imap.Connection, "idle_wait", idle_wait)
    monkeypatch.setattr(poll_imap.Connection, "readline_within", readline_within)
    return event


def test_watch_picks_up_a_message_delivered_while_idling(imap, idling):
    msg = message()
    delivery = threading.Thread(target=lambda: idling.wait(HANG_SECONDS) and imap.deliver(msg))
    delivery.start()
    try:
        # IDLE waits as long as the suite's bound: the announcement ends it, however loaded the machine.
        out, _err = poll("--watch", "--idle-timeout", str(HANG_SECONDS), "--max-passes", "2")
    finally:
        idling.set()
        delivery.join()

    assert idling.results == [True]  # IDLE ended because the server announced the new message, not by timeout
    assert Submission.objects.get().title == "Our community garden"
    assert imap.messages() == {msg["Message-ID"]: {"\\Seen"}}
    assert "1 messages: queued 1" in out


def test_watch_stops_cleanly_on_sigterm_while_idling(imap, idling):
    def terminate():
        if idling.wait(HANG_SECONDS):  # to the main thread, which waits in IDLE, as a service manager's stop would
            signal.pthread_kill(threading.main_thread().ident, signal.SIGTERM)

    # Ours until the command installs its own handler (and again after): a missed SIGTERM must not kill pytest.
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    thread = threading.Thread(target=terminate)
    thread.start()
    try:
        out, err = poll("--watch", "--idle-timeout", "20", "--max-passes", "2")
    finally:
        idling.set()
        thread.join()
        signal.signal(signal.SIGTERM, previous)

    assert idling.results == []  # interrupted in IDLE, not ended by it
    assert "stopped" in err
    assert "0 messages" in out


def test_watch_without_idle_sleeps_the_interval(imap, monkeypatch):
    real = poll_imap.Command.capabilities
    monkeypatch.setattr(
        poll_imap.Command, "capabilities", staticmethod(lambda conn: tuple(c for c in real(conn) if c != "IDLE"))
    )
    slept = []
    monkeypatch.setattr(poll_imap.time, "sleep", slept.append)
    imap.deliver(message())

    out, _err = poll("--watch", "--interval", "7", "--max-passes", "2")

    assert slept == [7]
    assert "queued 1" in out


def test_missing_settings_are_a_command_error(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BYLINE_IMAP_HOST", "imap.example.org")
    with pytest.raises(CommandError, match="BYLINE_IMAP_USER, BYLINE_IMAP_PASSWORD"):
        poll()


def test_no_server_is_a_command_error(imap, monkeypatch):
    port = free_port()
    monkeypatch.setenv("BYLINE_IMAP_PORT", str(port))
    with pytest.raises(CommandError, match="cannot connect"):
        poll()
    Path(poll_imap.lock_path({"host": imap.host, "port": port, "user": imap.user, "folder": "INBOX"})).unlink()


def test_the_certificate_is_verified_unless_insecure(imap, monkeypatch):
    monkeypatch.delenv("BYLINE_IMAP_CA_FILE")  # the system CAs do not know our self-signed certificate
    imap.deliver(message())
    with pytest.raises(CommandError, match="CERTIFICATE_VERIFY_FAILED"):
        poll()
    assert Submission.objects.count() == 0

    out, _err = poll("--insecure")
    assert "queued 1" in out


# Last: after a failed login Dovecot holds back the next login from the same address for a few seconds
# (its auth penalty, even for login_trusted_networks), which would slow every later test down.
def test_wrong_password_is_a_command_error(imap, monkeypatch):
    monkeypatch.setenv("BYLINE_IMAP_PASSWORD", "wrong")
    with pytest.raises(CommandError, match="IMAP error"):
        poll()


# --- a message that cannot be processed is set aside; the pass goes on ----------------------------------------


def test_a_duplicate_is_reported_on_stderr_with_its_reason(imap):
    msg = message()
    imap.deliver(msg)
    imap.deliver(msg)  # delivered twice, as a retrying mail server may

    out, err = poll()

    assert "queued 1, reply 0, refused 0, duplicate 1" in out
    assert re.search(
        r"^uid \d+ <[^>]+>: duplicate: already received on .* via imap \(queued as submission \d+\)$", err, re.M
    )
    assert list(imap.messages().values()) == [{"\\Seen"}]


def test_a_message_that_cannot_be_processed_is_moved_to_the_quarantine_folder_and_the_pass_goes_on(imap, monkeypatch):
    broken, fine = message(subject="Broken"), message(subject="Fine")
    imap.deliver(broken)
    imap.deliver(fine)

    def failing(raw, *, source):
        if b"Subject: Broken" in raw:
            raise RecursionError("maximum recursion depth exceeded")
        return ingest(raw, source=source)

    monkeypatch.setattr(poll_imap, "ingest", failing)
    with pytest.raises(CommandError, match="1 messages could not be processed: 1 set aside"):
        poll()

    assert imap.messages() == {fine["Message-ID"]: {"\\Seen"}}
    assert imap.messages("Quarantine") == {broken["Message-ID"]: set()}
    assert list(Submission.objects.values_list("title", flat=True)) == ["Fine"]

    monkeypatch.setattr(poll_imap, "ingest", ingest)
    out, err = poll()  # the next run does not meet it again
    assert "0 messages" in out and err == ""


def test_a_message_that_cannot_be_moved_after_its_commit_is_set_aside(imap, monkeypatch):
    monkeypatch.setenv("BYLINE_IMAP_PROCESSED_FOLDER", "Processed")
    monkeypatch.setenv("BYLINE_IMAP_QUARANTINE_FOLDER", "Set aside")
    first, second = message(subject="First"), message(subject="Second")
    imap.deliver(first)
    imap.deliver(second)

    def ingest_then_lose_the_folder(raw, *, source):
        result = ingest(raw, source=source)
        if b"Subject: First" in raw:  # another client deletes the processed folder: the MOVE fails
            with imap.client() as other:
                assert other.delete('"Processed"')[0] == "OK"
        return result

    monkeypatch.setattr(poll_imap, "ingest", ingest_then_lose_the_folder)
    with pytest.raises(CommandError, match="2 messages could not be processed: 2 set aside"):
        poll()

    assert imap.messages() == {}
    assert set(imap.messages("Set aside")) == {first["Message-ID"], second["Message-ID"]}
    assert Submission.objects.count() == 2  # both committed: set aside, neither lost nor queued twice


def test_deep_nesting_is_refused_from_the_bytes_without_parsing(imap, monkeypatch):
    imap.deliver(factory.nested_mime(5000, "forwarded", text_on_top=True, message_id="<deep@example.org>"))

    def parser(*args, **kwargs):
        raise AssertionError("the email package's parser was called")

    monkeypatch.setattr(emails, "BytesParser", parser)
    out, err = poll()

    assert "refused 1" in out
    assert f"<deep@example.org>: refused: {emails.TOO_DEEP}" in err
    assert InboundMessage.objects.get().reason == emails.TOO_DEEP


@pytest.mark.parametrize("levels", [400, 5000])
def test_deeply_nested_messages_are_refused_with_their_reason_and_marked(imap, levels):
    imap.deliver(factory.nested_mime(levels, "mixed", message_id="<deep@example.org>"))
    fine = message()
    imap.deliver(fine)

    out, err = poll()

    assert "queued 1, reply 0, refused 1" in out
    assert "<deep@example.org>: refused: " in err and "nested" in err
    assert imap.messages() == {"<deep@example.org>": {"\\Seen"}, fine["Message-ID"]: {"\\Seen"}}
