"""The exact text (subject and whole body) of every email a contributor gets, and of the editors' two.

The emails the contributor gets after acceptance (scheduled, live, profile...) are tested with that work.
"""

import datetime

import pytest
from django.core import mail

from contributions import workflow
from contributions.models import RejectionReason

from .conftest import article_text

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
NOW = datetime.datetime(2026, 3, 14, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def fixed_time(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run `action` and return the emails it sent (after commit, as in production)."""

    def run(action, *args, **kwargs):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            action(*args, **kwargs)
        return mail.outbox[before:]

    return run


@pytest.fixture
def omar(incoming, send, settings):
    settings.BYLINE_EDITORS_EMAILS = ["desk@byline.example"]
    sent = []
    submission = None

    def receive():
        nonlocal submission
        submission = workflow.receive(
            incoming(name="Omar Haddad", email="omar@example.org", title="Night trains of Europe")
        )

    sent = send(receive)
    return submission, sent


def only(emails, to):
    matching = [email for email in emails if email.to == [to]]
    assert len(matching) == 1, [(email.to, email.subject) for email in emails]
    return matching[0]


def tag(submission):
    return f"[#{submission.token[:8]}]"


def tracking(submission):
    return f"{SITE}/contribute/status/{submission.token}/"


def test_received(omar):
    submission, sent = omar
    email = only(sent, "omar@example.org")
    assert email.subject == f"We received “Night trains of Europe” — Byline {tag(submission)}"
    assert email.body == (
        "Hello Omar Haddad,\n"
        "\n"
        "Thank you for sending “Night trains of Europe” to Byline. It is now in our editors' queue.\n"
        "\n"
        "You can see where it stands at any time here:\n"
        f"{tracking(submission)}\n"
        "\n"
        "We read every submission and will write to you when we have decided. This usually takes a few days.\n"
        "\n"
        "— The editors of Byline\n"
    )


def test_editors_are_told_of_a_new_one_and_of_a_revision(omar, send, editor):
    submission, sent = omar
    admin = f"{SITE}/admin/contributions/submission/{submission.pk}/change/"
    new = only(sent, "desk@byline.example")
    assert new.subject == "New guest post: Night trains of Europe"
    assert new.body == (
        "A new guest post arrived by web form.\n"
        "\n"
        "Title: Night trains of Europe\n"
        "From: Omar Haddad <omar@example.org>\n"
        f"Words: {submission.word_count}\n"
        "\n"
        f"Review it: {admin}\n"
    )
    send(workflow.request_changes, submission, editor, "Please add the timetable.")
    sent = send(workflow.revise, submission, title="Night trains of Europe", body=article_text(130))
    assert [email.to for email in sent] == [["desk@byline.example"]]  # nothing to the contributor
    assert sent[0].subject == "Revised guest post: Night trains of Europe"
    assert sent[0].body == (
        "Omar Haddad sent a revised version of “Night trains of Europe” after you asked for changes.\n"
        "\n"
        f"Review it: {admin}\n"
    )


CHANGES_BODY = (
    "Hello Omar Haddad,\n"
    "\n"
    "Thank you for “Night trains of Europe”. Before we can publish it, our editors would like a few changes:\n"
    "\n"
    "{message}\n"
    "\n"
    "Send your revised version from your submission's page, where you can also add or replace pictures and "
    "attach a new Word document:\n"
    "{tracking}\n"
    "\n"
    "Or reply to this email with the revised text, its pictures or the document attached.\n"
    "\n"
    "— The editors of Byline\n"
)


@pytest.mark.parametrize(
    "message",
    [
        "Please add the timetable and a picture of the sleeper car.",
        # The editor wrote a letter: its greeting, thank-you and sign-off are the template's already.
        "Hello Omar,\n\nThank you for your piece!\nPlease add the timetable and a picture of the sleeper car.\n\n"
        "Best regards,\nLena Fischer",
        "Hi Omar, please add the timetable and a picture of the sleeper car.",
    ],
)
def test_changes_requested(omar, send, editor, message):
    submission, _sent = omar
    email = only(send(workflow.request_changes, submission, editor, message), "omar@example.org")
    assert email.subject == f"Changes requested: Night trains of Europe {tag(submission)}"
    assert email.body == CHANGES_BODY.format(
        message="Please add the timetable and a picture of the sleeper car.", tracking=tracking(submission)
    )


def test_changes_requested_keeps_a_message_that_is_all_greeting(omar, send, editor):
    submission, _sent = omar
    email = only(send(workflow.request_changes, submission, editor, "Hello Omar,"), "omar@example.org")
    assert email.body == CHANGES_BODY.format(message="Hello Omar,", tracking=tracking(submission))


def test_accepted(omar, send, editor):
    submission, _sent = omar
    email = only(send(workflow.accept, submission, editor), "omar@example.org")
    assert email.subject == f"Accepted: Night trains of Europe {tag(submission)}"
    assert email.body == (
        "Hello Omar Haddad,\n"
        "\n"
        "Good news: we have accepted “Night trains of Europe”. An editor is preparing it for publication and may "
        "make small edits for length and style.\n"
        "\n"
        "You can follow it here:\n"
        f"{tracking(submission)}\n"
        "\n"
        "Thank you for writing for Byline.\n"
        "\n"
        "— The editors of Byline\n"
    )


def rejected_body(reasons):
    opening = (
        "Hello Omar Haddad,\n"
        "\n"
        "Thank you for sending “Night trains of Europe” to Byline. We have decided not to publish it.\n"
    )
    return opening + (f"\n{reasons}\n" if reasons else "") + "\n— The editors of Byline\n"


@pytest.mark.parametrize(
    ("title", "reasons"),
    [
        # The reasons seeded by the migrations open with "Hello {name},\n\nThank you for “{title}”.": once only.
        (
            "Not a fit for our readers",
            "It is not a fit for what our readers come to us for, so we will not publish it.",
        ),
        (
            "Published elsewhere",
            "We only publish pieces that have not appeared anywhere else, and this one has.",
        ),
        (
            "Promotional",
            "It reads as promotion for a product or service, which we do not publish as a guest post.",
        ),
        (
            "Not enough substance",
            "We need more depth, sources and first-hand detail than this piece offers.",
        ),
    ],
)
def test_rejected_with_a_seeded_reason_greets_once(omar, send, editor, title, reasons):
    submission, _sent = omar
    reason = RejectionReason.objects.get(title=title)
    assert reason.message.startswith("Hello {name},")  # what the editors picked from, as stored
    email = only(send(workflow.reject, submission, editor, reason=reason), "omar@example.org")
    assert email.subject == f"About your submission: Night trains of Europe {tag(submission)}"
    assert email.body == rejected_body(reasons)
    assert email.body.count("Hello") == 1
    assert email.body.count("Thank you") == 1


def test_rejected_with_a_reason_without_greeting_and_a_message(omar, send, editor):
    submission, _sent = omar
    reason = RejectionReason.objects.create(title="Off topic", message="We cover technology, not travel.")
    email = only(
        send(workflow.reject, submission, editor, reason=reason, message="Try a travel magazine."),
        "omar@example.org",
    )
    assert email.body == rejected_body("We cover technology, not travel.\n\nTry a travel magazine.")


def test_rejected_with_a_letter_of_the_editors_own(omar, send, editor):
    submission, _sent = omar
    message = (
        "Dear Omar,\n\nThanks so much for sending “Trains. Again.” to us.\nIt is too close to a piece we ran."
        "\n\nCheers,\nLena"
    )
    email = only(send(workflow.reject, submission, editor, message=message), "omar@example.org")
    assert email.body == rejected_body("It is too close to a piece we ran.")


def test_rejected_with_nothing_but_a_greeting_leaves_no_empty_paragraph(omar, send, editor):
    submission, _sent = omar
    email = only(send(workflow.reject, submission, editor, message="Hello Omar,\n\nThank you."), "omar@example.org")
    assert email.body == rejected_body("")
