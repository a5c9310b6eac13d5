"""The comment form's minimum-time check on cached pages (discussion/forms.py): the token in a
cached page says when the page was rendered, not when this reader got it, so it never passes on its
own (the post comes back with a fresh token, its text kept); readers with JavaScript get a fresh
token from an endpoint that is never cached."""

import datetime
import re

import lxml.html
import pytest
from django.core.cache import cache
from django.urls import reverse

from discussion.forms import FRESH, PAGE
from discussion.models import Comment
from tests.factories import DraftFactory

from .conftest import POST_URL, comment_data

pytestmark = pytest.mark.django_db

TOKEN_URL = reverse("discussion:token")


def comment_form(html):
    return lxml.html.fromstring(html).xpath("//form[contains(@class, 'comment-form')]")[0]


def form_fields(html):
    """The comment form's fields as a browser would send them (hidden ones included; a browser
    drops the newline Django writes first in a textarea)."""
    return {name: (value or "").removeprefix("\n") for name, value in comment_form(html).form_values()}


class TestTheTokenEndpoint:
    def test_a_fresh_token_for_a_live_article_never_cached_and_without_a_cookie(self, client, article, settings):
        settings.BYLINE_PAGE_CACHE_SECONDS = 3600
        first = client.get(TOKEN_URL, {"object_pk": article.pk})
        assert first.status_code == 200
        token = first.json()
        assert set(token) == {"timestamp", "security_hash", "token_kind"}
        assert token["token_kind"] == FRESH
        control = first["Cache-Control"]
        assert "no-store" in control and "private" in control and "public" not in control
        assert first.cookies == {} and "Set-Cookie" not in first
        assert "X-Page-Cache" not in first  # neither served from nor stored in the page cache
        assert first["X-Robots-Tag"] == "noindex"
        second = client.get(TOKEN_URL, {"object_pk": article.pk})
        assert "X-Page-Cache" not in second

    def test_its_token_is_accepted_once_old_enough(self, client, article, time_machine):
        time_machine.move_to(datetime.datetime.now(tz=datetime.UTC), tick=False)
        token = client.get(TOKEN_URL, {"object_pk": article.pk}).json()
        data = {**comment_data(article), **token}
        assert client.post(POST_URL, data).status_code == 400  # at once: a script
        assert not Comment.objects.exists()
        time_machine.shift(datetime.timedelta(seconds=30))
        assert client.post(POST_URL, data).status_code == 302
        assert Comment.objects.count() == 1

    @pytest.mark.parametrize("object_pk", ["", "abc", "²", "999999"])
    def test_no_token_for_what_is_not_an_article(self, client, object_pk):
        response = client.get(TOKEN_URL, {"object_pk": object_pk})
        assert response.status_code == 404
        assert "not available" in response.json()["error"]

    def test_no_token_for_a_draft(self, client):
        assert client.get(TOKEN_URL, {"object_pk": DraftFactory().pk}).status_code == 404

    def test_only_read(self, client, article):
        assert client.post(TOKEN_URL, {"object_pk": article.pk}).status_code == 405


ASKED_AGAIN = "please check your comment below and send it once more"


class TestPageTokens:
    @pytest.mark.parametrize("age", [5, 60, 3600])
    def test_a_page_token_gets_a_fresh_form_that_keeps_the_comment(self, client, article, age):
        posted = comment_data(article, age=age, kind=PAGE, comment="My words, kept.")
        response = client.post(POST_URL, posted)
        assert response.status_code == 400
        html = response.content.decode()
        assert ASKED_AGAIN in html
        assert "Please correct the following" not in html  # nothing to correct: only to send again
        assert not Comment.objects.exists()
        again = form_fields(html)
        assert again["comment"] == "My words, kept." and again["name"] == "Ada Reader"
        assert again["token_kind"] == FRESH  # issued with this answer to a post, which is never cached
        assert "no-store" in response["Cache-Control"]

    def test_with_something_to_correct_too_the_list_says_all(self, client, article):
        response = client.post(POST_URL, comment_data(article, kind=PAGE, email="not an address"))
        html = response.content.decode()
        assert response.status_code == 400
        assert "Please correct the following" in html and ASKED_AGAIN in html and "Email:" in html

    def test_the_form_shown_again_is_accepted_once_old_enough(self, client, article, time_machine):
        time_machine.move_to(datetime.datetime.now(tz=datetime.UTC), tick=False)
        response = client.post(POST_URL, comment_data(article, age=60, kind=PAGE))
        again = form_fields(response.content.decode())
        assert "very quick" in client.post(POST_URL, again).content.decode()  # sent back at once: a script
        time_machine.shift(datetime.timedelta(seconds=20))
        assert client.post(POST_URL, again).status_code == 302
        assert Comment.objects.count() == 1

    def test_a_fresh_token_of_any_age_up_to_the_limit_is_fine(self, client, article):
        assert client.post(POST_URL, comment_data(article, age=3600, kind=FRESH)).status_code == 302

    def test_a_form_from_before_token_kinds_is_a_page_token(self, client, article):
        data = comment_data(article, age=60, kind=PAGE)
        del data["token_kind"]
        response = client.post(POST_URL, data)
        assert response.status_code == 400 and ASKED_AGAIN in response.content.decode()

    @pytest.mark.parametrize(("signed", "claimed"), [(PAGE, FRESH), (FRESH, PAGE)])
    def test_one_kind_cannot_pass_for_the_other(self, client, article, signed, claimed):
        data = comment_data(article, age=60, kind=signed)
        data["token_kind"] = claimed
        assert client.post(POST_URL, data).status_code == 404  # "This comment form was altered"
        assert not Comment.objects.exists()


class TestACachedPage:
    @pytest.fixture(autouse=True)
    def page_cache(self, settings):
        settings.BYLINE_PAGE_CACHE_SECONDS = 24 * 3600
        settings.BYLINE_REMEMBER_SECONDS = 24 * 3600
        cache.clear()

    @pytest.mark.parametrize("cached_for", [datetime.timedelta(seconds=30), datetime.timedelta(hours=1)])
    def test_a_bot_posting_a_cached_page_at_once_is_refused(self, client, article, time_machine, cached_for):
        time_machine.move_to(datetime.datetime.now(tz=datetime.UTC), tick=False)
        url = article.get_absolute_url()
        assert client.get(url)["X-Page-Cache"] == "miss"
        time_machine.shift(cached_for)  # a copy a minute old is as unknown an age as one a day old

        cached = client.get(url)
        assert cached["X-Page-Cache"] == "hit"
        fields = form_fields(cached.content.decode())
        assert fields["token_kind"] == PAGE
        fields.update(name="Bot", email="bot@example.org", comment="Buy now at spam.example")
        response = client.post(POST_URL, fields)  # at once
        assert response.status_code == 400
        assert ASKED_AGAIN in response.content.decode()
        assert not Comment.objects.exists()

        # Sending the form shown again at once is still too quick; a person a little later is fine.
        again = form_fields(response.content.decode())
        assert "very quick" in client.post(POST_URL, again).content.decode()
        time_machine.shift(datetime.timedelta(seconds=20))
        assert client.post(POST_URL, again).status_code == 302
        assert Comment.objects.get().user_name == "Bot"  # held for moderation like any first comment

    def test_the_article_page_stays_cacheable_and_the_same_for_everyone(self, client, article):
        url = article.get_absolute_url()
        first = client.get(url)
        second = client.get(url)
        assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
        assert "public" in second["Cache-Control"] and "Set-Cookie" not in second
        assert first.content == second.content
        form = comment_form(second.content.decode())
        assert form.get("data-token-url") == TOKEN_URL
        assert form.xpath(".//input[@name='token_kind']")[0].get("value") == PAGE
        # The remember box is the script's: hidden without it, and never a field of the form.
        box = form.xpath(".//*[@data-remember-commenter]")[0]
        assert box.get("hidden") is not None
        assert box.xpath(".//input[@type='checkbox']")[0].get("name") is None
        assert re.search(r'<script src="/static/js/comments\.js" defer></script>', second.content.decode())
