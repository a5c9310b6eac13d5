"""The moderation rules: who waits for an editor, when comments close, and the count listings show."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from core.models import SiteSettings
from discussion.models import Comment
from discussion.moderation import comments_open
from tests.factories import ArticleFactory

from .conftest import approved_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


Held = Comment.HeldReason


def last_comment():
    return Comment.objects.order_by("-pk").first()


def set_site(**values):
    settings = SiteSettings.load()
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()


class TestHolding:
    def test_a_first_comment_is_held(self, article, post_comment):
        post_comment(article)
        comment = last_comment()
        assert not comment.is_public and comment.held_reason == Held.FIRST

    def test_an_address_with_an_approved_comment_publishes_at_once(self, article, post_comment):
        approved_comment(article, email="ada@example.org")
        post_comment(article, email="ADA@example.org")
        comment = last_comment()
        assert comment.is_public and comment.held_reason == ""

    def test_an_address_whose_comments_were_all_held_or_spam_still_waits(self, article, post_comment):
        approved_comment(article, email="ada@example.org", is_public=False)
        approved_comment(article, email="ada@example.org", is_spam=True, comment="spam")
        post_comment(article)
        assert not last_comment().is_public

    def test_too_many_links_are_held_even_for_known_addresses(self, article, post_comment):
        approved_comment(article, email="ada@example.org")
        text = "See https://a.example/1 and https://b.example/2 and www.c.example/3"
        post_comment(article, comment=text)
        comment = last_comment()
        assert not comment.is_public and comment.held_reason == Held.LINKS

    def test_links_up_to_the_limit_are_fine(self, article, post_comment):
        approved_comment(article, email="ada@example.org")
        post_comment(article, comment="See https://a.example/1 and https://b.example/2")
        assert last_comment().is_public

    @pytest.mark.parametrize(
        "field,value",
        [
            ("comment", "Cheap PILLS here"),
            ("name", "pills seller"),
            ("email", "x@pills.example"),
            ("url", "https://pills.example"),
        ],
    )
    def test_the_blocklist_holds_matches_in_any_field(self, article, post_comment, field, value):
        set_site(comment_blocklist="# spam words\npills\n")
        approved_comment(article, email="ada@example.org")
        approved_comment(article, email="x@pills.example")
        post_comment(article, **{field: value})
        comment = last_comment()
        assert not comment.is_public and comment.held_reason == Held.BLOCKLIST

    def test_held_comments_are_reported_to_editors(self, article, post_comment, editor, capture):
        with capture(execute=True):
            post_comment(article)
        (email,) = mail.outbox
        assert email.to == [editor.email]
        assert article.title in email.subject
        assert "First comment from this address" in email.body or "first comment" in email.body.lower()

    def test_published_comments_do_not_email_editors(self, article, post_comment, editor, capture):
        approved_comment(article, email="ada@example.org")
        with capture(execute=True):
            post_comment(article)
        assert mail.outbox == []


class TestClosing:
    def test_open_within_the_site_window(self):
        set_site(comments_close_after_days=30)
        assert comments_open(ArticleFactory(published_at=timezone.now() - datetime.timedelta(days=29)))

    def test_closed_after_the_site_window(self, post_comment):
        set_site(comments_close_after_days=30)
        old = ArticleFactory(published_at=timezone.now() - datetime.timedelta(days=31))
        assert not comments_open(old)
        response = post_comment(old)
        assert response.status_code == 403
        assert "closed" in response.content.decode()
        assert not Comment.objects.exists()

    def test_zero_on_the_site_keeps_comments_open(self):
        set_site(comments_close_after_days=0)
        assert comments_open(ArticleFactory(published_at=timezone.now() - datetime.timedelta(days=3000)))

    def test_an_article_can_keep_comments_open_longer(self):
        set_site(comments_close_after_days=30)
        article = ArticleFactory(
            published_at=timezone.now() - datetime.timedelta(days=40), comments_close_after_days=60
        )
        assert comments_open(article)

    def test_an_article_can_close_comments_now(self):
        assert not comments_open(ArticleFactory(comments_close_after_days=0))

    def test_the_closed_article_page_says_so_and_has_no_form(self, client):
        article = ArticleFactory(comments_close_after_days=0)
        html = client.get(article.get_absolute_url()).content.decode()
        assert "Comments are closed" in html
        assert 'action="/comments/post/"' not in html


class TestCounts:
    def test_count_follows_publication_spam_and_deletion(self, article):
        from discussion import actions

        held = approved_comment(article, email="a@example.org", is_public=False)
        approved_comment(article, email="b@example.org")
        article.refresh_from_db()
        assert article.comment_count == 1
        actions.approve(Comment.objects.filter(pk=held.pk))
        article.refresh_from_db()
        assert article.comment_count == 2
        actions.mark_spam(Comment.objects.filter(pk=held.pk))
        article.refresh_from_db()
        assert article.comment_count == 1
        actions.delete(Comment.objects.all())
        article.refresh_from_db()
        assert article.comment_count == 0

    def test_counts_are_per_article(self, article):
        other = ArticleFactory()
        approved_comment(article)
        approved_comment(article, email="b@example.org")
        approved_comment(other)
        article.refresh_from_db()
        other.refresh_from_db()
        assert (article.comment_count, other.comment_count) == (2, 1)
