"""Who reaches a guest post: its contributor through the unguessable tracking link, editors in the
admin (raw email included), nobody else. Tokens are random enough and compared in constant time."""

import re
import secrets
import string
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contributions import models as contribution_models
from contributions import workflow
from contributions.models import TOKEN_SELECTOR_LENGTH, InboundMessage, Submission, new_token
from tests.factories import AuthorFactory, UserFactory

from .conftest import article_text

pytestmark = pytest.mark.django_db

URL_SAFE = set(string.ascii_letters + string.digits + "-_")
ROLES = ["anonymous", "reader", "staff", "writer", "editor"]


def log_in(client, role):
    """`client` signed in as `role` (see ROLES), or left anonymous."""
    if role == "anonymous":
        return None
    user = UserFactory(is_staff=role != "reader")
    if role in ("writer", "editor"):
        user.groups.add(Group.objects.get(name="Authors" if role == "writer" else "Editors"))
        AuthorFactory(user=user)
    client.force_login(user)
    return user


@pytest.fixture
def secret_submission(incoming):
    """A submission sent by email (so with a raw message), whose title appears nowhere else."""
    return workflow.receive(
        incoming(
            title="Zqsecret battery piece",
            channel="email",
            raw_message=b"From: grace@example.org\r\nSubject: Zqsecret\r\n\r\nZqsecret raw body",
        )
    )


def status_url(token):
    return reverse("contributions:status", kwargs={"token": token})


# --- tokens ----------------------------------------------------------------------------------------------


def test_tokens_are_192_random_bits_from_secrets(monkeypatch):
    asked = []
    real = secrets.token_urlsafe

    def spy(nbytes=None):
        asked.append(nbytes)
        return real(nbytes)

    monkeypatch.setattr(secrets, "token_urlsafe", spy)
    token = new_token()

    assert asked == [24]  # bytes from the operating system's CSPRNG: 192 bits, well over 128
    assert len(token) == 32
    assert set(token) <= URL_SAFE


def test_every_submission_gets_its_own_token(incoming):
    tokens = {workflow.receive(incoming(title=f"Piece {n}")).token for n in range(20)}
    tokens |= {new_token() for _ in range(500)}

    assert len(tokens) == 520
    assert all(len(token) == 32 and set(token) <= URL_SAFE for token in tokens)


def test_the_secret_part_of_a_token_never_reaches_the_database(secret_submission):
    token = secret_submission.token
    with CaptureQueriesContext(connection) as queries:
        assert Submission.objects.by_token(token) == secret_submission
    sql = " ".join(query["sql"] for query in queries.captured_queries)

    assert token[:TOKEN_SELECTOR_LENGTH] in sql.replace("\\", "")  # looked up by the public marker...
    assert token[TOKEN_SELECTOR_LENGTH:] not in sql  # ...and the rest compared in Python
    assert len(token) - TOKEN_SELECTOR_LENGTH >= 22  # that rest alone is over 128 bits (6 bits a character)


def test_tokens_are_compared_in_constant_time(secret_submission, monkeypatch, client):
    compared = []
    real = contribution_models.constant_time_compare

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(contribution_models, "constant_time_compare", spy)
    token = secret_submission.token
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert client.get(status_url(token)).status_code == 200
    assert compared == [(token, token)]
    compared.clear()
    assert client.get(status_url(wrong)).status_code == 404
    assert compared == [(token, wrong)]


def test_by_token_refuses_what_is_not_a_whole_token(secret_submission):
    token = secret_submission.token

    assert Submission.objects.by_token(token) == secret_submission
    for attempt in [None, "", token[:TOKEN_SELECTOR_LENGTH], token[:-1], token + "x", token.swapcase(), 42]:
        assert Submission.objects.by_token(attempt) is None, attempt


# --- the tracking page ------------------------------------------------------------------------------------


def wrong_tokens(token, other_token):
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    return {
        "unknown": new_token(),
        "one-character-wrong": flipped,
        "marker-only": token[:TOKEN_SELECTOR_LENGTH],
        "truncated": token[:-1],
        "half": token[:16],
        "extended": token + "A",
        "other-case": token.swapcase(),
        "marker-of-another": other_token[:TOKEN_SELECTOR_LENGTH] + token[TOKEN_SELECTOR_LENGTH:],
        "like-wildcards": token[:TOKEN_SELECTOR_LENGTH] + "%" * (len(token) - TOKEN_SELECTOR_LENGTH),
        "like-underscores": token[:TOKEN_SELECTOR_LENGTH] + "_" * (len(token) - TOKEN_SELECTOR_LENGTH),
        "sql": token[:TOKEN_SELECTOR_LENGTH] + "' OR '1'='1",
    }


@pytest.mark.parametrize(
    "name",
    [
        "unknown",
        "one-character-wrong",
        "marker-only",
        "truncated",
        "half",
        "extended",
        "other-case",
        "marker-of-another",
        "like-wildcards",
        "like-underscores",
        "sql",
    ],
)
def test_the_tracking_page_needs_the_exact_token(client, secret_submission, incoming, name):
    other = workflow.receive(incoming(title="Someone else's piece"))
    token = wrong_tokens(secret_submission.token, other.token)[name]

    response = client.get(status_url(token))

    assert response.status_code == 404
    assert "Zqsecret" not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_no_role_opens_a_tracking_page_without_its_token(client, secret_submission, role):
    log_in(client, role)

    response = client.get(status_url(secret_submission.token[:-1]))

    assert response.status_code == 404
    assert "Zqsecret" not in response.content.decode()


def test_a_token_opens_its_own_submission_and_no_other(client, secret_submission, incoming):
    other = workflow.receive(incoming(title="Someone else's piece"))

    mine = client.get(secret_submission.get_absolute_url())
    theirs = client.get(other.get_absolute_url())

    assert mine.context["submission"] == secret_submission
    assert "Someone else" not in mine.content.decode()
    assert theirs.context["submission"] == other
    assert "Zqsecret" not in theirs.content.decode()


def test_a_revision_with_a_wrong_token_changes_nothing(client, secret_submission, editor):
    workflow.request_changes(secret_submission, editor, "Please shorten it.")
    data = {"title": "Hijacked", "body": article_text(80), "note": ""}

    response = client.post(status_url(secret_submission.token[:-1] + "x"), data)

    assert response.status_code == 404
    secret_submission.refresh_from_db()
    assert secret_submission.title == "Zqsecret battery piece"
    assert secret_submission.status == Submission.Status.CHANGES_REQUESTED


def test_the_tracking_page_is_neither_cached_indexed_nor_sent_as_referrer(client, secret_submission):
    response = client.get(secret_submission.get_absolute_url())

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    # Links in the piece lead elsewhere: the address, token and all, must not go with them.
    assert response["Referrer-Policy"] in ("same-origin", "no-referrer")


# --- the admin --------------------------------------------------------------------------------------------


def raw_url(submission):
    return reverse("admin:contributions_submission_raw", args=[submission.pk])


def admin_urls(submission):
    inbound = InboundMessage.objects.create(
        key="<zq@example.org>", source="cli", outcome=InboundMessage.Outcome.QUEUED, submission=submission
    )
    return {
        "queue": reverse("admin:contributions_submission_changelist"),
        "submission": reverse("admin:contributions_submission_change", args=[submission.pk]),
        "raw": raw_url(submission),
        "inbound-list": reverse("admin:contributions_inboundmessage_changelist"),
        "inbound": reverse("admin:contributions_inboundmessage_change", args=[inbound.pk]),
        "blocked": reverse("admin:contributions_blockedsender_changelist"),
        "outbox": reverse("admin:outbox_outgoingemail_changelist"),
    }


@pytest.mark.parametrize("role", ["anonymous", "reader"])
def test_non_staff_are_sent_to_the_login_page(client, secret_submission, role):
    log_in(client, role)

    for name, url in admin_urls(secret_submission).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert urlsplit(response["Location"]).path == reverse("admin:login"), name
        assert not getattr(response, "streaming", False), name


@pytest.mark.parametrize("role", ["staff", "writer"])
def test_staff_without_the_permission_reach_no_submission_nor_raw_email(client, secret_submission, role):
    log_in(client, role)

    for name, url in admin_urls(secret_submission).items():
        response = client.get(url)
        assert response.status_code in (403, 404), name  # the raw download answers 404, the rest 403
        assert not getattr(response, "streaming", False), name
        assert b"Zqsecret" not in response.content, name
        assert secret_submission.token.encode() not in response.content, name


def test_editors_reach_the_queue_the_raw_email_and_the_outbox(editor_client, secret_submission):
    urls = admin_urls(secret_submission)

    for name in ("queue", "submission", "inbound-list", "inbound", "blocked", "outbox"):
        assert editor_client.get(urls[name]).status_code == 200, name
    raw = editor_client.get(urls["raw"])
    assert raw.status_code == 200
    assert b"Zqsecret raw body" in b"".join(raw.streaming_content)
    assert raw["Content-Disposition"] == f'attachment; filename="submission-{secret_submission.pk}.eml"'
    assert raw["Content-Type"] == "message/rfc822"  # a download, never rendered by the browser


def test_the_raw_email_of_a_submission_without_one_is_404(editor_client, incoming):
    web = workflow.receive(incoming())

    assert editor_client.get(raw_url(web)).status_code == 404


def test_the_raw_email_is_stored_under_a_random_name_not_its_token(secret_submission):
    name = secret_submission.raw_message.name

    assert re.fullmatch(r"submissions/messages/\d{4}/\d{2}/[A-Za-z0-9_-]{22}\.eml", name), name
    assert secret_submission.token not in name
    assert secret_submission.token[:TOKEN_SELECTOR_LENGTH] not in name


def view_on_site(submission):
    content_type = ContentType.objects.get_for_model(Submission)
    return reverse("admin:view_on_site", kwargs={"content_type_id": content_type.pk, "object_id": submission.pk})


@pytest.mark.parametrize("role", ["staff", "writer", "editor"])
def test_view_on_site_never_hands_out_a_tracking_link(client, secret_submission, role):
    """Django's stock /admin/r/ redirect sends any staff user to get_absolute_url(): the tracking page."""
    log_in(client, role)

    response = client.get(view_on_site(secret_submission))

    assert response.status_code == 404
    assert "Location" not in response
    assert secret_submission.token not in response.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "reader"])
def test_view_on_site_sends_non_staff_to_the_login_page(client, secret_submission, role):
    log_in(client, role)

    response = client.get(view_on_site(secret_submission))

    assert response.status_code == 302
    assert secret_submission.token not in response["Location"]
