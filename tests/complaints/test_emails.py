"""The exact text (subject and whole body) of every email a complainant gets, and of the author's."""

import datetime

import pytest
from django.core import mail

from complaints import workflow

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
POLICY = f"{SITE}/pages/copyright-policy/"
NOW = datetime.datetime(2026, 3, 14, 9, 30, tzinfo=datetime.UTC)
SIGNED = "\n— The editors of Byline\n"


@pytest.fixture(autouse=True)
def fixed_time(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            action(*args, **kwargs)
        return {email.to[0]: email for email in mail.outbox[before:]}

    return run


@pytest.fixture
def filed(complaint_data, send):
    """A complaint as received, and what that sent."""
    holder = {}
    sent = send(lambda: holder.setdefault("complaint", workflow.receive(**complaint_data())))
    return holder["complaint"], sent


def url(article):
    return SITE + article.get_absolute_url()


def test_received(filed, article):
    complaint, sent = filed
    email = sent["ada@rights.example"]
    assert email.subject == f"We received your copyright complaint — Byline [complaint #{complaint.pk}]"
    assert email.body == (
        "Hello Ada Lovelace,\n"
        "\n"
        f"We received your copyright complaint (number {complaint.pk}) about this article:\n"
        "How to wire a heat pump\n"
        f"{url(article)}\n"
        "\n"
        "The original work you named:\n"
        "“Heat pumps explained”, chapter 3 of our handbook: https://press.example/heat-pumps\n"
        "\n"
        "An editor will review it and write to you at this address when we have decided. If we uphold it, the "
        "article is taken down and its address tells readers it is unavailable for legal reasons.\n"
        "\n"
        f"Our copyright policy: {POLICY}\n" + SIGNED
    )


def test_upheld_tells_the_claimant_and_the_author(filed, article, send, editor):
    complaint, _sent = filed
    sent = send(workflow.uphold, complaint, editor, reason="Chapter 3 of “Heat pumps explained”, copied.")
    claimant = sent["ada@rights.example"]
    assert (
        claimant.subject == f"Your copyright complaint was upheld: How to wire a heat pump [complaint #{complaint.pk}]"
    )
    assert claimant.body == (
        "Hello Ada Lovelace,\n"
        "\n"
        f"We upheld your copyright complaint (number {complaint.pk}) and took this article down:\n"
        "How to wire a heat pump\n"
        f"{url(article)}\n"
        "\n"
        "Its address now tells readers that it is unavailable for legal reasons, with this explanation:\n"
        "Chapter 3 of “Heat pumps explained”, copied.\n"
        "\n"
        f"Our copyright policy: {POLICY}\n" + SIGNED
    )
    author = sent["pat@example.com"]
    assert author.subject == "Taken down after a copyright complaint: How to wire a heat pump"
    assert author.body == (
        "Hello Pat Writer,\n"
        "\n"
        "We received a copyright complaint about your article “How to wire a heat pump” and, after review, upheld "
        "it. The article is taken down: it no longer appears on the site, in listings or in search, and its address "
        "tells readers it is unavailable for legal reasons.\n"
        "\n"
        "The complaint came from Analytical Press, about this original work:\n"
        "“Heat pumps explained”, chapter 3 of our handbook: https://press.example/heat-pumps\n"
        "\n"
        "Readers see this explanation:\n"
        "Chapter 3 of “Heat pumps explained”, copied.\n"
        "\n"
        "If you believe the complaint is mistaken (you own the material, or have permission to use it), reply to "
        "this email with the details: an editor can restore the article.\n"
        "\n"
        f"Our copyright policy: {POLICY}\n" + SIGNED
    )


REJECTED = (
    "Hello Ada Lovelace,\n"
    "\n"
    "We reviewed your copyright complaint (number {pk}) about “How to wire a heat pump” and did not uphold it. "
    "The article stays online.\n"
    "\n"
    "Our reasons:\n"
    "{reasons}\n"
    "\n"
    f"Our copyright policy: {POLICY}\n" + SIGNED
)


@pytest.mark.parametrize(
    "note",
    [
        "The article quotes two sentences, with credit: that is fair use.",
        "Dear Ms Lovelace,\n\nThank you for your complaint.\nThe article quotes two sentences, with credit: that is "
        "fair use.\n\nKind regards,\nLena Fischer",
    ],
)
def test_rejected_greets_once(filed, send, editor, note):
    complaint, _sent = filed
    email = send(workflow.reject, complaint, editor, note)["ada@rights.example"]
    assert email.subject == f"About your copyright complaint: How to wire a heat pump [complaint #{complaint.pk}]"
    assert email.body == REJECTED.format(
        pk=complaint.pk, reasons="The article quotes two sentences, with credit: that is fair use."
    )


@pytest.mark.parametrize(
    ("note", "why"),
    [
        ("", ""),
        ("Hello Pat,\n\nThe claimant withdrew the complaint.", "\nWhy:\nThe claimant withdrew the complaint.\n"),
    ],
)
def test_restored(filed, article, send, editor, note, why):
    complaint, _sent = filed
    workflow.uphold(complaint, editor)
    sent = send(workflow.restore, complaint, editor, note)
    author = sent["pat@example.com"]
    assert author.subject == "Restored: How to wire a heat pump"
    assert author.body == (
        "Hello Pat Writer,\n"
        "\n"
        "Your article “How to wire a heat pump”, taken down after a copyright complaint, has been restored.\n"
        f"{url(article)}\n" + why + SIGNED
    )
    claimant = sent["ada@rights.example"]
    assert claimant.subject == f"The article is back online: How to wire a heat pump [complaint #{complaint.pk}]"
    assert claimant.body == (
        "Hello Ada Lovelace,\n"
        "\n"
        f"The article your copyright complaint (number {complaint.pk}) concerned, “How to wire a heat pump”, was "
        "taken down and has now been restored.\n"
        f"{url(article)}\n" + why + "\n"
        f"Our copyright policy: {POLICY}\n" + SIGNED
    )
