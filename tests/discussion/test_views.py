"""Posting and showing comments: the article page, the form's checks and limits, threading."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import SiteSettings
from discussion.forms import FRESH
from discussion.models import Comment
from tests.factories import ArticleFactory, DraftFactory

from .conftest import POST_URL, approved_comment, comment_data

pytestmark = pytest.mark.django_db


def page(client, article):
    return client.get(article.get_absolute_url()).content.decode()


class TestPosting:
    def test_a_held_comment_says_so_on_the_article(self, client, article):
        response = client.post(POST_URL, comment_data(article), follow=True)
        assert response.redirect_chain[-1][0].endswith(article.get_absolute_url() + "#comments")
        assert "held for moderation" in response.content.decode()
        assert "Thanks, this helped me" not in response.content.decode()  # not shown before approval

    def test_a_published_comment_is_shown_with_its_anchor(self, client, article):
        approved_comment(article, email="ada@example.org")
        response = client.post(POST_URL, comment_data(article, comment="Second thoughts."), follow=True)
        comment = Comment.objects.get(comment="Second thoughts.")
        assert response.redirect_chain[-1][0].endswith(f"#c{comment.pk}")
        html = response.content.decode()
        assert "your comment is published" in html
        assert f'id="c{comment.pk}"' in html and "Second thoughts." in html

    def test_the_email_is_never_shown(self, client, article):
        approved_comment(article, email="secret-address@example.org")
        assert "secret-address" not in page(client, article)

    def test_hostile_input_is_shown_as_text_and_links_are_ugc(self, client, article):
        hostile = '<script>alert(1)</script><img src=x onerror=alert(2)> <a href="javascript:alert(3)">x</a> https://ok.example/page'
        approved_comment(article, comment=hostile, user_url="javascript:alert(4)")
        html = page(client, article)
        comments = html[html.index('id="comments"') :]
        assert "<script>alert(1)" not in comments and "<img" not in comments
        assert not re.search(r"<a [^>]*href=\"javascript:", comments)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in comments
        link = re.search(r'<a href="https://ok.example/page"[^>]*>', comments).group(0)
        assert "nofollow" in link and "ugc" in link

    def test_the_website_link_carries_ugc_nofollow(self, client, article):
        approved_comment(article, user_url="https://ada.example/")
        link = r'<a href="https://ada.example/" rel="ugc nofollow noopener noreferrer">'
        assert re.search(link, page(client, article))

    def test_drafts_take_no_comments(self, client):
        draft = DraftFactory()
        assert client.post(POST_URL, comment_data(draft)).status_code == 404
        assert not Comment.objects.exists()

    def test_other_models_cannot_be_commented(self, client, article):
        data = comment_data(article, content_type="auth.user")
        assert client.post(POST_URL, data).status_code == 404

    def test_get_is_not_allowed(self, client):
        assert client.get(POST_URL).status_code == 405

    def test_the_same_comment_twice_is_stored_once(self, client, article):
        client.post(POST_URL, comment_data(article))
        client.post(POST_URL, comment_data(article))
        assert Comment.objects.count() == 1

    def test_missing_fields_show_the_form_again_with_what_was_typed(self, client, article):
        response = client.post(POST_URL, comment_data(article, name="", email="not-an-email"))
        assert response.status_code == 400
        html = response.content.decode()
        assert 'role="alert"' in html and "Name: This field is required." in html
        assert "Thanks, this helped me choose a laptop." in html
        assert not Comment.objects.exists()


class TestAbuse:
    def test_honeypot(self, client, article):
        response = client.post(POST_URL, comment_data(article, honeypot="http://spam.example"))
        assert response.status_code == 400
        assert not Comment.objects.exists()

    def test_a_form_sent_back_too_quickly_is_refused(self, client, article):
        response = client.post(POST_URL, comment_data(article, age=0))
        assert response.status_code == 400
        assert "very quick" in response.content.decode()
        assert not Comment.objects.exists()

    def test_an_expired_form_is_refused_with_a_new_one(self, client, article):
        response = client.post(POST_URL, comment_data(article, age=3 * 3600, kind=FRESH))
        assert response.status_code == 400
        assert "open for a long time" in response.content.decode()

    def test_a_tampered_target_is_refused(self, client, article):
        other = ArticleFactory()
        data = comment_data(article, object_pk=str(other.pk))  # hash signed for `article`
        assert client.post(POST_URL, data).status_code == 404
        assert not Comment.objects.exists()

    @pytest.mark.parametrize("object_pk", ["²", "¹²³"])
    def test_a_target_int_cannot_read_is_not_found(self, client, article, object_pk):
        # Superscripts pass str.isdigit() but not int(): they were a 500 (found by make loadtest).
        assert client.post(POST_URL, comment_data(article, object_pk=object_pk)).status_code == 404

    def test_rate_limit_per_address(self, client, article, settings):
        settings.BYLINE_COMMENTS_PER_HOUR = 2
        for n in range(2):
            assert client.post(POST_URL, comment_data(article, comment=f"Comment {n}")).status_code == 302
        response = client.post(POST_URL, comment_data(article, comment="One too many"))
        assert response.status_code == 429
        assert "One too many" in response.content.decode()  # what was typed is kept
        assert Comment.objects.count() == 2

    def test_oversized_bodies_are_refused_before_reading(self, client, article):
        response = client.post(POST_URL, comment_data(article, comment="x" * 70_000))
        assert response.status_code == 413
        assert not Comment.objects.exists()

    def test_overlong_comments_are_refused(self, client, article):
        response = client.post(POST_URL, comment_data(article, comment="x" * 3001))
        assert response.status_code == 400


class TestThreads:
    def test_replies_nest_and_stop_at_three_levels(self, client, article):
        top = approved_comment(article, email="a@example.org", comment="Top")
        reply = approved_comment(article, email="b@example.org", comment="Reply", parent=top)
        deeper = approved_comment(article, email="c@example.org", comment="Deeper", parent=reply)
        too_deep = approved_comment(article, email="d@example.org", comment="Too deep", parent=deeper)
        assert (top.depth, reply.depth, deeper.depth) == (1, 2, 3)
        assert too_deep.depth == 3 and too_deep.parent == reply
        html = page(client, article)
        assert html.count('class="comment-list comment-list--replies"') == 2
        assert html.index("Top") < html.index("Reply") < html.index("Deeper")
        assert f"?replyto={deeper.pk}" not in html  # no reply link at the deepest level

    def test_posting_a_reply(self, client, article):
        top = approved_comment(article, email="ada@example.org")
        client.post(POST_URL, comment_data(article, parent=str(top.pk), comment="I agree."))
        reply = Comment.objects.get(comment="I agree.")
        assert reply.parent == top and reply.depth == 2

    def test_a_reply_to_a_comment_elsewhere_is_refused(self, client, article):
        elsewhere = approved_comment(ArticleFactory())
        response = client.post(POST_URL, comment_data(article, parent=str(elsewhere.pk)))
        assert response.status_code == 400
        assert "no longer available" in response.content.decode()

    def test_the_reply_form_names_the_comment(self, client, article):
        top = approved_comment(article, user_name="Grace")
        html = client.get(article.get_absolute_url() + f"?replyto={top.pk}").content.decode()
        assert "Reply to Grace" in html
        assert f'name="parent" value="{top.pk}"' in html

    def test_a_reply_target_int_cannot_read_is_ignored(self, client, article):
        response = client.get(article.get_absolute_url() + "?replyto=²")  # a 500 before (make loadtest)
        assert response.status_code == 200
        assert "Leave a Reply" in response.content.decode()


class TestPage:
    def test_leave_a_reply_form_is_labelled(self, client, article):
        html = page(client, article)
        assert "Leave a Reply" in html
        for field in ["comment", "name", "email", "url"]:
            assert f'<label for="id_{field}"' in html

    def test_query_count_does_not_grow_with_comments(self, client, article):
        def count():
            cache.clear()  # cold both times: the sidebar and settings are cached after a page
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(article.get_absolute_url()).status_code == 200
            return len(ctx)

        few = count()
        top = approved_comment(article, email="x0@example.org")
        for n in range(20):
            approved_comment(article, email=f"x{n}@example.org", parent=top if n % 2 else None)
        assert count() == few

    def test_listings_show_counts_without_a_query_per_article(self, client, django_assert_max_num_queries):
        articles = [ArticleFactory() for _ in range(3)]
        for n, article in enumerate(articles):
            for m in range(n + 1):
                approved_comment(article, email=f"r{m}@example.org")
        html = client.get("/").content.decode()
        assert "3 comments" in html and "2 comments" in html and "1 comment" in html

    def test_facebook_loads_nothing_before_the_click(self, client, article):
        settings = SiteSettings.load()
        settings.facebook_app_id = "1234567890"
        settings.save()
        html = page(client, article)
        assert "data-facebook-comments" in html and 'data-app-id="1234567890"' in html
        section = html.split('id="comments"')[1].split("</section>")[0]
        assert "facebook.net" not in html and "facebook.com" not in section
        assert not re.search(r'<(script|iframe|img)[^>]+src="(https?:)?//', html)
        assert not re.search(r'<link rel="(stylesheet|preload|modulepreload)"[^>]+href="(https?:)?//', html)

    def test_no_facebook_button_without_an_app_id(self, client, article):
        assert "data-facebook-comments" not in page(client, article)
