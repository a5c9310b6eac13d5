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


def test_text_above_deep_nesting_is_kept_and_the_editors_told_what_was_not_read():
    parsed = parse_message(factory.nested_mime(400, "mixed", text_on_top=True))
    assert "first cars to carry them" in parsed.html
    assert any("nested more than 25 deep" in note for note in parsed.notes)


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
    assert "3 messages" in out and "duplicate 3" in out


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
