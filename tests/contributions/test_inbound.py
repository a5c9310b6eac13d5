import mailbox
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core import mail
from django.core.management import call_command

from contributions import workflow
from contributions.inbound import ingest
from contributions.models import BlockedSender, InboundMessage, Submission, SubmissionEvent

from .conftest import article_text

pytestmark = pytest.mark.django_db

WORDS = " ".join(["Solid-state cells change how long a phone lasts and how fast it charges."] * 12)


def message(subject="My guest post", body=WORDS, sender="Lin Writer <lin@example.org>", **headers):
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "contribute@byline.example"
    msg["Subject"] = subject
    msg["Message-ID"] = headers.pop("message_id", make_msgid(domain="example.org"))
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def raw(msg):
    return msg.as_bytes()


@pytest.fixture
def ingest_now(django_capture_on_commit_callbacks):
    """ingest(), with its after-commit work (the emails) run as soon as it returns, as in production."""

    def run(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return ingest(*args, **kwargs)

    return run


class TestIngest:
    def test_queues_a_submission_with_the_raw_message(self, ingest_now):
        result = ingest_now(raw(message()), source="cli")
        assert result.outcome == "queued"
        sub = result.submission
        assert (sub.channel, sub.name, sub.email, sub.title) == (
            "email",
            "Lin Writer",
            "lin@example.org",
            "My guest post",
        )
        assert sub.raw_message.read().startswith(b"From: Lin Writer")
        assert "<p>" in sub.body
        assert mail.outbox[0].to == ["lin@example.org"]
        assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-replied"
        assert InboundMessage.objects.get().outcome == "queued"

    def test_same_message_twice_queues_nothing_new(self, ingest_now):
        data = raw(message())
        assert ingest_now(data).outcome == "queued"
        assert ingest_now(data).outcome == "duplicate"
        assert Submission.objects.count() == 1
        assert InboundMessage.objects.count() == 1

    def test_without_message_id_the_content_identifies_it(self, ingest_now):
        msg = message()
        del msg["Message-ID"]
        assert ingest_now(raw(msg)).outcome == "queued"
        assert ingest_now(raw(msg)).outcome == "duplicate"
        assert InboundMessage.objects.get().key.startswith("sha256:")

    @pytest.mark.parametrize(
        "headers",
        [
            {"Auto_Submitted": "auto-replied"},
            {"Precedence": "bulk"},
            {"List_Id": "<news.example.org>"},
            {"X_Autoreply": "yes"},
            {"Return_Path": "<>"},
        ],
    )
    def test_automatic_mail_is_refused_and_never_answered(self, ingest_now, headers):
        result = ingest_now(raw(message(**headers)))
        assert result.refused and "automatic" in result.reason
        assert not Submission.objects.exists()
        assert mail.outbox == []

    def test_mailer_daemon_is_never_answered(self, ingest_now):
        result = ingest_now(raw(message(sender="MAILER-DAEMON@mx.example.org")))
        assert result.refused
        assert mail.outbox == []

    def test_blocked_sender(self, ingest_now):
        BlockedSender.objects.create(address="lin@example.org")
        assert ingest_now(raw(message())).reason == "blocked sender"
        assert mail.outbox == []

    def test_no_body(self, ingest_now):
        result = ingest_now(raw(message(body="")))
        assert result.refused
        assert InboundMessage.objects.get().outcome == "refused"

    def test_over_25_mb_is_refused_without_parsing(self, ingest_now):
        data = raw(message()) + b"x" * (25 * 1024 * 1024)
        result = ingest_now(data)
        assert result.refused and "25 MB" in result.reason

    def test_receipts_are_rate_limited_per_sender(self, ingest_now, settings):
        settings.BYLINE_ACKS_PER_SENDER_PER_DAY = 2
        for n in range(4):
            assert ingest_now(raw(message(subject=f"Piece {n}"))).outcome == "queued"
        receipts = [m for m in mail.outbox if m.to == ["lin@example.org"]]
        assert len(receipts) == 2
        assert Submission.objects.count() == 4


class TestReplies:
    def test_reply_to_our_email_becomes_a_revision(self, ingest_now, editor, django_capture_on_commit_callbacks):
        sub = ingest_now(raw(message())).submission
        with django_capture_on_commit_callbacks(execute=True):
            workflow.request_changes(sub, editor, "Please add sources.")
        ours = [m for m in mail.outbox if "Changes requested" in m.subject][-1]
        reply = message(
            subject="Re: " + ours.subject,
            body=WORDS + " Sources: https://example.org/study",
            In_Reply_To=ours.extra_headers["Message-ID"],
        )
        result = ingest_now(raw(reply))
        assert result.outcome == "reply"
        assert result.submission == sub
        sub.refresh_from_db()
        assert sub.status == Submission.Status.RECEIVED
        assert "example.org/study" in sub.body
        assert Submission.objects.count() == 1
        assert sub.events.filter(kind=SubmissionEvent.Kind.REVISED).exists()

    def test_tracking_token_in_the_subject_threads_too(self, ingest_now):
        sub = ingest_now(raw(message())).submission
        result = ingest_now(raw(message(subject=f"Another picture [#{sub.token[:8]}]", body="Here it is. " + WORDS)))
        assert (result.outcome, result.submission) == ("reply", sub)

    def test_a_stranger_cannot_thread_onto_someone_elses_submission(self, ingest_now):
        sub = ingest_now(raw(message())).submission
        result = ingest_now(raw(message(subject=f"Re: [#{sub.token[:8]}]", sender="eve@example.net")))
        assert result.outcome == "queued"
        assert result.submission != sub


class TestCommand:
    def test_files_and_stdin(self, tmp_path, capsys):
        good, auto = tmp_path / "good.eml", tmp_path / "auto.eml"
        good.write_bytes(raw(message()))
        auto.write_bytes(raw(message(Auto_Submitted="auto-replied")))
        call_command("ingest_email", str(good), str(auto))
        err = capsys.readouterr().err
        assert "auto.eml: refused: automatic message" in err
        assert Submission.objects.count() == 1

    def test_stdin(self, monkeypatch):
        import io
        import sys

        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw(message(subject="Piped")))))
        call_command("ingest_email")
        assert Submission.objects.get().title == "Piped"

    def test_unreadable_file_is_an_operational_error(self, tmp_path):
        from django.core.management import CommandError

        with pytest.raises(CommandError):
            call_command("ingest_email", str(tmp_path / "missing.eml"))

    def test_mbox(self, tmp_path, capsys):
        box = mailbox.mbox(tmp_path / "in.mbox")
        for n in range(5):
            box.add(raw(message(subject=f"Mbox {n}")))
        box.add(raw(message(Precedence="junk")))
        box.flush()
        call_command("ingest_email", "--mbox", str(tmp_path / "in.mbox"))
        assert Submission.objects.count() == 5
        assert "queued 5" in capsys.readouterr().out
        call_command("ingest_email", "--mbox", str(tmp_path / "in.mbox"))  # again: nothing new
        assert Submission.objects.count() == 5

    def test_maildir_marks_messages_seen_after_commit(self, tmp_path):
        box = mailbox.Maildir(tmp_path / "Maildir")
        key = box.add(mailbox.MaildirMessage(raw(message())))
        call_command("ingest_email", "--maildir", str(tmp_path / "Maildir"))
        stored = box.get_message(key)
        assert stored.get_subdir() == "cur" and "S" in stored.get_flags()
        assert Submission.objects.count() == 1


def test_hostile_html_email_never_survives(ingest_now):
    msg = message()
    msg.add_alternative(
        article_text() + '<p onclick="x()"><script>alert(1)</script><a href="javascript:alert(1)">j</a>'
        '<img src="data:image/png;base64,AAAA"><svg onload="alert(1)"></svg><iframe src="https://e.example"></iframe>'
        '<form><input></form><meta http-equiv="refresh" content="0;url=https://e.example"></p>',
        subtype="html",
    )
    sub = ingest_now(raw(msg)).submission
    for bad in ["<script", "onclick", "javascript:", "data:", "<svg", "<iframe", "<form", "<meta"]:
        assert bad not in sub.body
