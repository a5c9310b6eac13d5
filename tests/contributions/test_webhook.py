import hashlib
import hmac
import time
from email import policy as email_policy
from email.message import EmailMessage
from io import BytesIO, StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.core.management import call_command
from django.db import OperationalError
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from contributions import emails, inbound, webhooks
from contributions.models import InboundMessage, Submission
from contributions.webhooks import parse_multipart
from core.storage import private_storage

from . import email_factory as factory

pytestmark = pytest.mark.django_db
KEY = "test-signing-key"
URL = "/anymail/mailgun/inbound_mime/"
WORDS = " ".join(["A guest post that arrived through the email provider's inbound webhook."] * 8)


def message(subject="Sent through Mailgun", message_id="<hook-1@example.org>"):
    msg = EmailMessage()
    msg["From"] = "Webhook Writer <hook@example.org>"
    msg["To"] = "contribute@byline.example"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg.set_content(WORDS)
    return msg


def mime():
    return message().as_string()


def signed(key=KEY):
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {"timestamp": timestamp, "token": token, "signature": signature}


@pytest.fixture(autouse=True)
def mailgun(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}


def test_valid_signature_queues_the_message(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"body-mime": mime(), "recipient": "contribute@byline.example", **signed()})
    assert response.status_code == 200
    submission = Submission.objects.get()
    assert (submission.title, submission.email, submission.channel) == (
        "Sent through Mailgun",
        "hook@example.org",
        "email",
    )
    assert InboundMessage.objects.get().source == "webhook"


def test_invalid_signature_is_rejected(client):
    response = client.post(URL, {"body-mime": mime(), **signed(key="wrong-key")})
    assert response.status_code == 400
    assert not Submission.objects.exists()
    assert not InboundMessage.objects.exists()


def test_provider_retry_is_idempotent(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            assert client.post(URL, {"body-mime": mime(), **signed()}).status_code == 200
    assert Submission.objects.count() == 1


def test_an_oversized_post_is_refused_before_it_is_read(client, settings):
    settings.BYLINE_WEBHOOK_MAX_REQUEST_BYTES = 1000
    response = client.generic("POST", URL, b"x" * 10, content_type="application/octet-stream", CONTENT_LENGTH="5000000")
    assert response.status_code == 413
    assert b"too large" in response.content
    assert not InboundMessage.objects.exists()


def test_posts_beyond_the_hourly_limit_get_429_and_a_retry_later(client, settings, django_capture_on_commit_callbacks):
    settings.BYLINE_WEBHOOK_POSTS_PER_HOUR = 2
    for _ in range(2):
        assert client.post(URL, {"body-mime": mime(), **signed(key="wrong-key")}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"body-mime": mime(), **signed()})
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert not InboundMessage.objects.exists()  # nothing parsed: the provider sends it again later
    # Another address (another of the provider's senders) is not limited.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"body-mime": mime(), **signed()}, REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 200
    assert Submission.objects.count() == 1


def test_an_email_larger_than_djangos_form_limit_is_taken(client, settings, django_capture_on_commit_callbacks):
    """Mailgun sends the whole message as one form field; Django alone refuses a field over
    DATA_UPLOAD_MAX_MEMORY_SIZE with a 400, and the provider would drop the email after retrying."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    msg = message("A post with a large attachment", "<hook-large@example.org>")
    msg.add_attachment(bytes(range(256)) * 1000, maintype="application", subtype="octet-stream", filename="data.bin")
    assert len(msg.as_string()) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"body-mime": msg.as_string(), **signed()})
    assert response.status_code == 200
    assert Submission.objects.get().title == "A post with a large attachment"


def test_the_webhook_body_limit_still_holds(client, settings):
    settings.BYLINE_WEBHOOK_MAX_REQUEST_BYTES = 10_000
    response = client.post(URL, {"body-mime": "x" * 20_000, **signed()})
    assert response.status_code == 413
    assert not InboundMessage.objects.exists()


FORM_BODIES = [
    {"fields": {"a": "one", "b": "two\r\nlines\nand\rends\r\n"}, "files": {}},
    {"fields": {"same": "1"}, "files": {"f": ("r\u00e9sum\u00e9.docx", bytes(range(256)) * 3 + b"\r\n--x\r\n")}},
    {
        "fields": {"text": "caf\u00e9 \u2014 \u00fcber", "empty": ""},
        "files": {"g": ("a.txt", b""), "h": ("b.bin", b"\r\n")},
    },
]


@pytest.mark.parametrize("form", FORM_BODIES)
def test_parse_multipart_reads_what_djangos_parser_reads(form):
    data = dict(form["fields"])
    for name, (filename, content) in form["files"].items():
        data[name] = SimpleUploadedFile(filename, content, "application/octet-stream")
    body = encode_multipart(BOUNDARY, data)
    fields, files = parse_multipart(body, MULTIPART_CONTENT)
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    django_fields, django_files = MultiPartParser(meta, BytesIO(body), [MemoryFileUploadHandler()]).parse()
    assert dict(fields.lists()) == dict(django_fields.lists())
    assert sorted(files) == sorted(django_files)
    for name in files:
        ours, theirs = files[name], django_files[name]
        assert (ours.name, ours.read()) == (theirs.name, theirs.read())


def test_parse_multipart_refuses_a_body_that_is_not_multipart():
    with pytest.raises(ValueError):
        parse_multipart(b"a=1", "application/x-www-form-urlencoded")


# --- a message that cannot be processed never makes the provider retry it -------------------------------------


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@pytest.fixture
def parses(monkeypatch):
    """The raw messages the webhook hands to the email package's parser (anymail's and ours); not the
    form-data body the provider posts them in (policy.HTTP), where the message is one field's text."""
    seen = []
    real_bytes_parser = emails.BytesParser

    def parser(*args, **kwargs):
        class Recording:
            def parsebytes(self, data):
                if kwargs.get("policy") is not email_policy.HTTP:
                    seen.append(data)
                return real_bytes_parser(*args, **kwargs).parsebytes(data)

        return Recording()

    monkeypatch.setattr(emails, "BytesParser", parser)
    monkeypatch.setattr(webhooks, "BytesParser", parser)
    return seen


@pytest.mark.parametrize("levels", [400, 5000])
def test_a_deeply_nested_message_is_refused_with_its_reason_unparsed_and_answered_200(client, parses, levels):
    raw = factory.nested_mime(levels, message_id="<hook-deep@example.org>")

    response = client.post(URL, {"body-mime": raw.decode(), **signed()})

    assert response.status_code == 200  # the provider stops: a retry would never succeed
    kept = InboundMessage.objects.get()
    assert (kept.key, kept.outcome, kept.reason) == ("<hook-deep@example.org>", "refused", emails.TOO_DEEP)
    assert not any(b"Subject: Deep" in data for data in parses)  # neither anymail nor we parsed it
    assert client.post(URL, {"body-mime": raw.decode(), **signed()}).status_code == 200  # a retry: a duplicate
    assert InboundMessage.objects.count() == 1


def test_the_bytes_the_provider_sent_are_ingested_not_the_parsed_message_written_out(
    client, parses, django_capture_on_commit_callbacks
):
    raw = crlf(message(message_id="<hook-bytes@example.org>").as_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"body-mime": raw.decode(), **signed()})
    assert response.status_code == 200
    with Submission.objects.get().raw_message.open("rb") as stored:
        assert stored.read() == raw
    assert parses.count(raw) == 2  # by anymail, then by ingest: the very bytes


def test_a_message_that_cannot_be_processed_is_kept_refused_with_its_reason_and_answered_200(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    raw = crlf(message(message_id="<hook-bug@example.org>").as_bytes())

    def failing(raw, *, source):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(inbound, "ingest", failing)
    for _ in range(2):  # the provider's retry finds it set aside already
        assert client.post(URL, {"body-mime": raw.decode(), **signed()}).status_code == 200

    kept = InboundMessage.objects.get()
    assert kept.outcome == "refused" and kept.source == "webhook" and kept.message_id == "<hook-bug@example.org>"
    assert kept.reason.startswith("could not be processed: RecursionError: maximum recursion depth exceeded; kept as ")
    name = kept.reason.rpartition("kept as ")[2]
    with private_storage().open(name, "rb") as stored:
        assert stored.read() == raw  # the bytes the provider sent, nothing lost

    monkeypatch.undo()  # once the fault is fixed, the kept file is ingested as it is
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ingest_email", str(private_storage().path(name)), stdout=StringIO(), stderr=StringIO())
    assert Submission.objects.get().title == "Sent through Mailgun"


def test_a_database_outage_answers_500_so_that_the_provider_retries(client, monkeypatch):
    def failing(raw, *, source):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(inbound, "ingest", failing)
    with pytest.raises(OperationalError):  # Django's handler turns it into a 500
        client.post(URL, {"body-mime": mime(), **signed()})
    assert not InboundMessage.objects.exists()
