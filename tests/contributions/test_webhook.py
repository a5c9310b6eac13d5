import hashlib
import hmac
import time
from email.message import EmailMessage

import pytest

from contributions.models import InboundMessage, Submission

pytestmark = pytest.mark.django_db
KEY = "test-signing-key"
URL = "/anymail/mailgun/inbound_mime/"
WORDS = " ".join(["A guest post that arrived through the email provider's inbound webhook."] * 8)


def mime():
    msg = EmailMessage()
    msg["From"] = "Webhook Writer <hook@example.org>"
    msg["To"] = "contribute@byline.example"
    msg["Subject"] = "Sent through Mailgun"
    msg["Message-ID"] = "<hook-1@example.org>"
    msg.set_content(WORDS)
    return msg.as_string()


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
