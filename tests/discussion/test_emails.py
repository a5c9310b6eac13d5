"""The exact text (subject and whole body) of the email a commenter gets when their held comment is approved."""

import datetime

import pytest
from django.core import mail

from discussion.models import Comment
from discussion.notifications import comment_approved
from tests.factories import ArticleFactory

from .conftest import approved_comment

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def fixed_time(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 14, 9, 30, tzinfo=datetime.UTC), tick=False)


def test_approved(django_capture_on_commit_callbacks):
    article = ArticleFactory(title="Choosing a laptop for school")
    comment = approved_comment(
        article,
        email="ada@example.org",
        user_name="Ada Reader",
        is_public=True,
        notify_on_approval=True,
        held_reason=Comment.HeldReason.FIRST,
        comment="Thanks, this helped me choose a laptop.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        comment_approved(comment, article)
    (email,) = mail.outbox
    assert email.to == ["ada@example.org"]
    assert email.subject == "Your comment on “Choosing a laptop for school” is published"
    assert email.body == (
        "Hello Ada Reader,\n"
        "\n"
        "Your comment on “Choosing a laptop for school” has been approved and is now published:\n"
        f"{SITE}{article.get_absolute_url()}#c{comment.pk}\n"
        "\n"
        "Thank you for joining the conversation.\n"
        "\n"
        "— The editors of Byline\n"
    )
