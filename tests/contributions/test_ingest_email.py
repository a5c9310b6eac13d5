"""Email intake never stalls: `ingest_email` (maildir, mbox, files, stdin) and the parser under it.

A message that cannot be processed, at whatever step, is set aside with its reason (a maildir's
.Quarantine folder) or reported (mbox, files), and the run goes on; deeply nested MIME is refused with a
reason, never a RecursionError; a duplicate says so on stderr; and two copies of one message that differ
only in line endings or in the trace headers servers add on the way are one message.
"""

import mailbox
import os
from email import policy
from io import BytesIO, StringIO, TextIOWrapper

import pytest
from django.core.management import CommandError, call_command
from django.db import DataError, OperationalError

from contributions import emails
from contributions.emails import Refusal, parse_message
from contributions.inbound import ingest
from contributions.management.commands import ingest_email
from contributions.models import InboundMessage, Submission

from . import email_factory as factory

pytestmark = pytest.mark.django_db


def good(n):
    return factory.plain(subject=f"Piece {n}", message_id=f"<piece-{n}@example.org>").as_bytes()


def run(*args):
    """`ingest_email ARGS`: (stdout, stderr, the CommandError or None)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("ingest_email", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def make_maildir(path, messages):
    box = mailbox.Maildir(path)
    for raw in messages:
        box.add(raw)  # bytes: stored as they are
    return box


def maildir_names(path, subdir):
    return sorted(os.listdir(path / subdir))


def titles():
    return sorted(Submission.objects.values_list("title", flat=True))


# --- the parser -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("nesting", factory.NESTINGS[:4])
@pytest.mark.parametrize("levels", [400, 5000])
def test_deeply_nested_mime_is_refused_with_a_reason_that_names_the_nesting(nesting, levels):
    with pytest.raises(Refusal) as refused:
        parse_message(factory.nested_mime(levels, nesting))
    assert "nested" in refused.value.reason


def test_text_above_deep_nesting_is_kept_and_the_editors_told_what_was_not_read(monkeypatch):
    # Only when the scan of the bytes (below) lets it through to the parser: what the parser reads is kept.
    monkeypatch.setattr(emails, "mime_depth", lambda raw, limit: 0)
    parsed = parse_message(factory.nested_mime(40, "mixed", text_on_top=True))
    assert "first cars to carry them" in parsed.html
    assert any("nested more than 25 deep" in note for note in parsed.notes)


class ParserCalled(AssertionError):
    pass


@pytest.fixture
def no_parser(monkeypatch):
    """The email package's parser, wherever the intake would call it, fails the test."""

    def parser(*args, **kwargs):
        raise ParserCalled("the email package's parser was called")

    monkeypatch.setattr(emails, "BytesParser", parser)


DEEP = [(nesting, levels) for nesting in factory.NESTINGS for levels in (emails.MAX_DEPTH + 1, 400, 5000)]


@pytest.mark.parametrize(("nesting", "levels"), DEEP)
@pytest.mark.parametrize("text_on_top", [False, True])
def test_nesting_deeper_than_the_parser_reads_is_refused_from_the_bytes_without_parsing(
    no_parser, nesting, levels, text_on_top
):
    raw = factory.nested_mime(levels, nesting, text_on_top=text_on_top)
    assert emails.mime_depth(raw) > emails.MAX_DEPTH

    result = ingest(raw, source="cli")

    assert (result.outcome, result.reason) == ("refused", emails.TOO_DEEP)
    assert InboundMessage.objects.get(key=factory.MESSAGE_ID).reason == emails.TOO_DEEP


@pytest.mark.parametrize("nesting", factory.NESTINGS[:4])
def test_the_scan_of_the_bytes_refuses_exactly_what_the_parser_would(monkeypatch, nesting):
    for levels in (emails.MAX_DEPTH, emails.MAX_DEPTH + 1):
        raw = factory.nested_mime(levels, nesting)
        with monkeypatch.context() as parser_alone:
            parser_alone.setattr(emails, "mime_depth", lambda raw, limit: 0)
            try:
                by_parser = parse_message(raw).subject
            except Refusal as refusal:
                by_parser = refusal.reason
        try:
            by_scan = parse_message(raw).subject
        except Refusal as refusal:
            by_scan = refusal.reason
        assert by_scan == by_parser == ("Deep" if levels == emails.MAX_DEPTH else emails.TOO_DEEP)


def test_deep_nesting_is_refused_without_parsing_on_every_channel_of_the_command(tmp_path, monkeypatch, no_parser):
    deep = factory.nested_mime(5000, message_id="<deep-file@example.org>")
    (tmp_path / "deep.eml").write_bytes(deep)
    box = mailbox.mbox(tmp_path / "in.mbox")
    box.add(factory.nested_mime(5000, "alternative", message_id="<deep-mbox@example.org>"))
    box.flush()
    make_maildir(
        tmp_path / "Maildir", [factory.nested_mime(5000, "forwarded", message_id="<deep-maildir@example.org>")]
    )

    _out, err, failed = run(
        str(tmp_path / "deep.eml"), "--mbox", str(tmp_path / "in.mbox"), "--maildir", str(tmp_path / "Maildir")
    )

    assert failed is None, err
    assert err.count(f"refused: {emails.TOO_DEEP}") == 3
    assert sorted(InboundMessage.objects.values_list("key", "reason")) == [
        ("<deep-file@example.org>", emails.TOO_DEEP),
        ("<deep-maildir@example.org>", emails.TOO_DEEP),
        ("<deep-mbox@example.org>", emails.TOO_DEEP),
    ]

    monkeypatch.setattr(
        "sys.stdin", TextIOWrapper(BytesIO(factory.nested_mime(5000, message_id="<deep-in@example.org>")))
    )
    err = StringIO()
    call_command("ingest_email", stdout=StringIO(), stderr=err)
    assert f"stdin: refused: {emails.TOO_DEEP}" in err.getvalue()


# --- maildir: nothing stops the run ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nesting", "levels"), [("mixed", 400), ("mixed", 5000), ("alternative", 400), ("forwarded", 400)]
)
def test_a_deeply_nested_message_in_a_maildir_neither_crashes_nor_stops_the_run(tmp_path, nesting, levels):
    path = tmp_path / "Maildir"
    make_maildir(path, [good(1), factory.nested_mime(levels, nesting, message_id="<deep@example.org>"), good(2)])

    _out, err, failed = run("--maildir", str(path))

    assert failed is None, err
    # Refused for its nesting, or (forwarded) queued for the note on top: either way, recorded.
    assert set(titles()) - {"Deep"} == {"Piece 1", "Piece 2"}
    assert maildir_names(path, "new") == []
    assert all(name.endswith(":2,S") for name in maildir_names(path, "cur"))
    assert len(maildir_names(path, "cur")) == 3
    assert InboundMessage.objects.filter(key="<deep@example.org>").exists()

    out, err, failed = run("--maildir", str(path))  # and every later run reads past it too
    assert failed is None, err
    assert err == "" and "3 in cur/ already processed, skipped" in out


def test_a_message_whose_ingestion_fails_is_set_aside_with_its_reason_and_the_run_goes_on(tmp_path, monkeypatch):
    path = tmp_path / "Maildir"
    make_maildir(path, [good(1), good(2), good(3)])

    def failing(raw, *, source):
        if b"Piece 2" in raw:
            raise RecursionError("maximum recursion depth exceeded")
        return ingest(raw, source=source)

    monkeypatch.setattr(ingest_email, "ingest", failing)
    _out, err, failed = run("--maildir", str(path))

    assert failed is not None and "1 messages could not be processed" in str(failed)
    assert titles() == ["Piece 1", "Piece 3"]
    assert maildir_names(path, "new") == []
    assert len(maildir_names(path, "cur")) == 2
    quarantined = maildir_names(path, ".Quarantine/new")
    assert len(quarantined) == 1
    assert b"Piece 2" in (path / ".Quarantine" / "new" / quarantined[0]).read_bytes()
    assert "could not be processed: RecursionError" in err and "set aside in .Quarantine/new/" in err
    log = (path / ".Quarantine" / "byline-quarantine.log").read_text()
    assert quarantined[0] in log and "RecursionError: maximum recursion depth exceeded" in log
    # The quarantine is a Maildir++ folder of the maildir, which mail clients and Dovecot show as such.
    assert mailbox.Maildir(path).list_folders() == ["Quarantine"]

    monkeypatch.undo()
    _out, err, failed = run("--maildir", str(path))  # the next run does not meet it again
    assert failed is None, err


def test_a_message_that_cannot_be_moved_to_cur_after_its_commit_is_set_aside(tmp_path, monkeypatch):
    path = tmp_path / "Maildir"
    make_maildir(path, [good(1), good(2)])
    real_rename = os.rename

    def rename(source, target, *args, **kwargs):
        if os.sep + "cur" + os.sep in str(target) and "Piece 1" in open(source, encoding="utf-8").read():
            raise OSError(5, "Input/output error")
        return real_rename(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "rename", rename)
    _out, err, failed = run("--maildir", str(path))

    assert failed is not None
    assert titles() == ["Piece 1", "Piece 2"]  # queued: the outcome was committed before the move
    assert len(maildir_names(path, "cur")) == 1 and maildir_names(path, "new") == []
    assert len(maildir_names(path, ".Quarantine/new")) == 1
    assert "queued, but could not be moved to cur/: OSError" in err


def test_a_value_the_database_refuses_is_set_aside_but_a_database_outage_leaves_the_message(tmp_path, monkeypatch):
    path = tmp_path / "Maildir"
    make_maildir(path, [good(1), good(2), good(3)])

    def failing(raw, *, source):
        if b"Piece 1" in raw:
            raise DataError("invalid byte sequence for encoding UTF8: 0x00")  # the message's fault
        if b"Piece 2" in raw:
            raise OperationalError("could not connect to server")  # not the message's: try again later
        return ingest(raw, source=source)

    monkeypatch.setattr(ingest_email, "ingest", failing)
    _out, err, failed = run("--maildir", str(path))

    assert failed is not None
    assert titles() == ["Piece 3"]
    assert len(maildir_names(path, ".Quarantine/new")) == 1
    assert b"Piece 1" in (path / ".Quarantine" / "new" / maildir_names(path, ".Quarantine/new")[0]).read_bytes()
    assert [b"Piece 2" in (path / "new" / name).read_bytes() for name in maildir_names(path, "new")] == [True]
    assert "database error, message not queued: OperationalError" in err


# --- mbox, files and stdin: reported ------------------------------------------------------------------------


def test_mbox_a_failing_message_is_reported_and_the_rest_are_queued(tmp_path, monkeypatch):
    box = mailbox.mbox(tmp_path / "in.mbox")
    for n in range(1, 4):
        box.add(good(n))
    box.flush()

    def failing(raw, *, source):
        if b"Piece 2" in raw:
            raise ValueError("a bug")
        return ingest(raw, source=source)

    monkeypatch.setattr(ingest_email, "ingest", failing)
    _out, err, failed = run("--mbox", str(tmp_path / "in.mbox"))

    assert failed is not None
    assert titles() == ["Piece 1", "Piece 3"]
    assert f"{tmp_path / 'in.mbox'} #2: could not be processed: ValueError: a bug" in err


def test_stdin_a_failing_message_asks_the_mail_server_to_retry(monkeypatch):
    monkeypatch.setattr("sys.stdin", TextIOWrapper(BytesIO(good(1))))

    def failing(raw, *, source):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(ingest_email, "ingest", failing)
    err = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("ingest_email", stdout=StringIO(), stderr=err)
    assert exited.value.code == ingest_email.EX_TEMPFAIL
    assert "stdin: could not be processed, message not queued: RecursionError" in err.getvalue()


# --- duplicates -----------------------------------------------------------------------------------------------


def test_a_duplicate_is_reported_on_stderr_with_its_reason(tmp_path):
    first, again = tmp_path / "first.eml", tmp_path / "again.eml"
    first.write_bytes(good(1))
    again.write_bytes(good(1))

    _out, err, failed = run(str(first), str(again))

    assert failed is None
    lines = [line for line in err.splitlines() if ": duplicate: " in line]
    assert len(lines) == 1
    assert lines[0].startswith(f"{again}: duplicate: already received on ")
    assert lines[0].endswith(f"via cli (queued as submission {Submission.objects.get().pk})")


def test_a_later_run_skips_what_it_processed_silently_and_reports_only_new_duplicates(tmp_path):
    path = tmp_path / "Maildir"
    box = make_maildir(path, [good(1), good(2), factory.nested_mime(400, message_id="<deep@example.org>")])
    _out, err, failed = run("--maildir", str(path))
    assert failed is None, err
    assert len(maildir_names(path, "cur")) == 3

    out, err, failed = run("--maildir", str(path))
    assert failed is None, err
    assert err == ""  # no line per message processed by the first run
    assert out.startswith("0 messages") and "3 in cur/ already processed, skipped" in out

    box.add(good(1))  # delivered again: a new duplicate, reported once
    out, err, failed = run("--maildir", str(path))
    assert failed is None, err
    assert [line.split(": ", 2)[1] for line in err.splitlines()] == ["duplicate"]
    assert "duplicate 1" in out and "3 in cur/ already processed, skipped" in out
    assert run("--maildir", str(path))[1] == ""  # and the run after that is silent again


def test_a_message_in_cur_flagged_seen_but_never_processed_is_ingested(tmp_path):
    """A mail client reading the maildir flags messages seen and moves them to cur/ too: the flag alone
    is not proof that this command processed a message."""
    path = tmp_path / "Maildir"
    make_maildir(path, [])
    (path / "cur" / "1700000000.M1P1.mail:2,S").write_bytes(good(1))

    out, err, failed = run("--maildir", str(path))

    assert failed is None, err
    assert titles() == ["Piece 1"] and "queued 1" in out


def test_a_message_left_behind_by_a_database_outage_is_retried_by_the_next_run(tmp_path, monkeypatch):
    path = tmp_path / "Maildir"
    make_maildir(path, [good(1), good(2)])

    def failing(raw, *, source):
        if b"Piece 2" in raw:
            raise OperationalError("could not connect to server")
        return ingest(raw, source=source)

    monkeypatch.setattr(ingest_email, "ingest", failing)
    run("--maildir", str(path))
    assert titles() == ["Piece 1"] and len(maildir_names(path, "new")) == 1

    monkeypatch.undo()
    out, err, failed = run("--maildir", str(path))
    assert failed is None, err
    assert titles() == ["Piece 1", "Piece 2"] and err == ""
    assert "queued 1" in out and "1 in cur/ already processed, skipped" in out


TRACE = (
    b"Return-Path: <ana@example.org>\r\n"
    b"Delivered-To: contribute@byline.example\r\n"
    b"X-Original-To: contribute@byline.example\r\n"
    b"Received: from mx.example.net (mx.example.net [192.0.2.7])\r\n"
    b"\tby mail.byline.example (Postfix) with ESMTPS id 4F2A1\r\n"
    b"\tfor <contribute@byline.example>; Mon, 02 Mar 2026 10:15:03 +0100 (CET)\r\n"
    b"Authentication-Results: mail.byline.example; spf=pass smtp.mailfrom=example.org\r\n"
    b"ARC-Seal: i=1; a=rsa-sha256; d=example.net; s=arc; cv=none; b=AbC\r\n"
    b"ARC-Message-Signature: i=1; a=rsa-sha256; d=example.net; s=arc; h=from:to; b=dEf\r\n"
    b"ARC-Authentication-Results: i=1; mx.example.net; spf=pass\r\n"
    b"DKIM-Signature: v=1; a=rsa-sha256; d=example.net; s=fwd; h=from:to:subject;\r\n"
    b" bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=GhI\r\n"
)


def test_copies_without_a_message_id_that_differ_in_line_endings_or_trace_headers_are_one_message():
    """Each copy as it arrives another way: an LF-only file, the same with trace headers (one by one and
    all of them), an mbox "From " line, trailing blank lines; refused messages (no From) as well."""
    for sender in (factory.SENDER, None):
        crlf = factory.plain(sender=sender, message_id=None, subject=f"Copies {sender}").as_bytes(
            policy=policy.default.clone(linesep="\r\n")
        )
        assert b"\r\n" in crlf
        lf = crlf.replace(b"\r\n", b"\n")
        copies = [lf, TRACE + crlf, (TRACE + crlf).replace(b"\r\n", b"\n"), b"From ana@example.org  Mon Mar  2\n" + lf]
        copies += [line + b"\r\n" + crlf for line in TRACE.split(b"\r\n") if line and line[:1] not in b" \t"]
        copies.append(crlf + b"\r\n\r\n")
        first = ingest(crlf)
        assert first.outcome == ("queued" if sender else "refused")
        for copy in copies:
            again = ingest(copy)
            assert again.outcome == "duplicate", copy[:200]
            assert again.submission == first.submission
    assert InboundMessage.objects.count() == 2
    assert Submission.objects.count() == 1
    # A copy that differs in what the sender wrote is another message.
    assert ingest(factory.plain(message_id=None, subject="Copies, revised").as_bytes()).outcome == "queued"
