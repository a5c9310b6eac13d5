"""Editors moderate comments in the admin: the queue, bulk actions, the approval email."""

import pytest
from django.core import mail
from django.urls import reverse

from discussion.models import Comment

from .conftest import approved_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


CHANGELIST = reverse("admin:discussion_comment_changelist")


def act(client, action, comments):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [c.pk for c in comments]}, follow=True)


@pytest.fixture
def held(article):
    return approved_comment(
        article,
        email="held@example.org",
        is_public=False,
        notify_on_approval=True,
        held_reason=Comment.HeldReason.FIRST,
        comment="Please approve me",
    )


def test_queue_lists_held_comments_with_a_count(editor_client, article, held):
    approved_comment(article, comment="Already public")
    response = editor_client.get(CHANGELIST, {"status": "held"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please approve me" in html and "Already public" not in html
    assert "1 comment awaiting approval" in html


def test_approve_publishes_counts_and_tells_the_commenter(editor_client, article, held, capture):
    with capture(execute=True):
        act(editor_client, "approve", [held])
    held.refresh_from_db()
    article.refresh_from_db()
    assert held.is_public and article.comment_count == 1
    (email,) = mail.outbox
    assert email.to == ["held@example.org"]
    assert f"#c{held.pk}" in email.body


def test_no_approval_email_without_the_opt_in(editor_client, article, held, capture):
    Comment.objects.filter(pk=held.pk).update(notify_on_approval=False)
    with capture(execute=True):
        act(editor_client, "approve", [held])
    assert mail.outbox == []


def test_spam_and_not_spam(editor_client, article, held):
    act(editor_client, "mark_spam", [held])
    held.refresh_from_db()
    assert held.is_spam and not held.is_public
    assert "Please approve me" in editor_client.get(CHANGELIST, {"status": "spam"}).content.decode()
    assert "Please approve me" not in editor_client.get(CHANGELIST, {"status": "published"}).content.decode()
    act(editor_client, "mark_not_spam", [held])
    held.refresh_from_db()
    article.refresh_from_db()
    assert not held.is_spam and held.is_public and article.comment_count == 1


def test_delete_recounts(editor_client, article):
    comments = [approved_comment(article, email=f"{n}@example.org") for n in range(3)]
    act(editor_client, "delete_comments", comments[:2])
    article.refresh_from_db()
    assert Comment.objects.count() == 1 and article.comment_count == 1


def test_change_form_renders(editor_client, held):
    response = editor_client.get(reverse("admin:discussion_comment_change", args=[held.pk]))
    assert response.status_code == 200
    assert "First comment from this address" in response.content.decode()


def test_writers_cannot_moderate(writer_client, held):
    assert writer_client.get(CHANGELIST).status_code == 403
