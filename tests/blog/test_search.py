"""Full-text search (blog/search.py): the same results and order on SQLite (FTS5) and PostgreSQL."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from blog.models import Article
from blog.search import ensure_index, parse, search
from tests.factories import ArticleFactory, DraftFactory

pytestmark = pytest.mark.django_db
SEARCH = reverse("blog:search")


def titles(query):
    return [a.title for a in search(query)[:50]]


@pytest.fixture
def corpus(db):
    """A small corpus where the ranking is unambiguous."""
    return {
        "title": ArticleFactory(title="Battery breakthrough in solid-state cells", standfirst="", body="<p>News.</p>"),
        "standfirst": ArticleFactory(
            title="Weekly roundup", standfirst="A battery story and more", body="<p>Short items.</p>"
        ),
        "body": ArticleFactory(title="Phone review", standfirst="", body="<p>The battery lasts two days.</p>"),
        "other": ArticleFactory(title="Privacy settings explained", standfirst="", body="<p>Cookies and you.</p>"),
    }


class TestRelevance:
    def test_title_beats_standfirst_beats_body(self, corpus):
        assert titles("battery") == [
            "Battery breakthrough in solid-state cells",
            "Weekly roundup",
            "Phone review",
        ]

    def test_every_word_must_match(self, corpus):
        assert titles("battery phone") == ["Phone review"]

    def test_stemming_finds_other_forms(self, corpus):
        assert "Battery breakthrough in solid-state cells" in titles("batteries")
        assert titles("explaining privacy") == ["Privacy settings explained"]

    def test_phrases_and_exclusions(self, corpus):
        assert titles('"lasts two days"') == ["Phone review"]
        assert titles('"two lasts days"') == []
        assert titles("battery -phone -roundup") == ["Battery breakthrough in solid-state cells"]

    def test_html_is_not_indexed_only_text(self, db):
        ArticleFactory(
            title="Plain", body='<p><strong>Bold</strong> claim with <a href="https://x.example/">link</a></p>'
        )
        assert titles("strong") == [] and titles("href") == []
        assert titles("bold claim") == ["Plain"]

    def test_text_that_looks_like_tags_is_indexed(self, db):
        ArticleFactory(
            title="The < video > element", standfirst="", body="<p>Use &lt;script&gt; sparingly in widgets.</p>"
        )
        assert titles("element") == ["The < video > element"]
        assert titles("widgets") == ["The < video > element"]

    def test_snippets_highlight_and_escape(self, client, db):
        ArticleFactory(title="Scripts", body="<p>Never trust &lt;script&gt; tags in a battery review.</p>")
        html = client.get(SEARCH, {"q": "battery"}).content.decode()
        assert "<mark>battery</mark>" in html
        assert "&lt;script&gt;" in html and "<script> tags" not in html


class TestWhatIsFound:
    def test_only_live_articles(self, db):
        ArticleFactory(title="Live battery")
        DraftFactory(title="Draft battery")
        ArticleFactory(title="Scheduled battery", published_at=timezone.now() + datetime.timedelta(days=1))
        ArticleFactory(title="Withdrawn battery", status=Article.Status.WITHDRAWN)
        ArticleFactory(title="Taken down battery", status=Article.Status.TAKEN_DOWN)
        assert titles("battery") == ["Live battery"]

    def test_live_articles_ranked_below_many_drafts_are_still_found(self, client, db):
        for n in range(45):
            DraftFactory(title=f"Battery draft {n}", standfirst="Battery battery", body="<p>Battery.</p>")
        for n in range(3):
            ArticleFactory(title=f"Live {n}", standfirst="", body="<p>Long text that mentions the battery once.</p>")
        response = client.get(SEARCH, {"q": "battery"})
        assert response.context["page_obj"].paginator.count == 3
        assert sorted(a.title for a in response.context["articles"]) == ["Live 0", "Live 1", "Live 2"]

    def test_the_index_follows_edits_and_deletions(self, db):
        article = ArticleFactory(title="Old words")
        article.title = "Fresh headline"
        article.body = "<p>Entirely new text about tablets.</p>"
        article.save()
        assert titles("old") == [] and titles("tablets") == ["Fresh headline"]
        article.delete()
        assert titles("tablets") == []

    def test_bulk_created_articles_are_indexed(self, db):
        author = ArticleFactory().author
        Article.objects.bulk_create(
            [
                Article(
                    title=f"Bulk {n}",
                    slug=f"bulk-{n}",
                    author=author,
                    body_text="imported laptop text",
                    status=Article.Status.PUBLISHED,
                    published_at=timezone.now(),
                )
                for n in range(3)
            ]
        )
        assert len(titles("laptop")) == 3

    def test_newest_first_among_equals(self, db):
        for days in (3, 1, 2):
            ArticleFactory(
                title=f"Tablet {days}",
                standfirst="",
                body="<p>Same.</p>",
                published_at=timezone.now() - datetime.timedelta(days=days),
            )
        assert titles("tablet") == ["Tablet 1", "Tablet 2", "Tablet 3"]


class TestQueries:
    @pytest.mark.parametrize(
        "query",
        [
            '"',
            '""',
            "-",
            "--",
            "*",
            "NEAR(a b)",
            "a OR",
            "OR",
            "AND",
            "NOT",
            "title:battery",
            "^battery",
            "battery*",
            "(battery",
            "'; DROP TABLE blog_article; --",
            "\x00",
            "日本語",
            "a" * 200,
            "-battery",
        ],
    )
    def test_hostile_queries_never_fail(self, client, corpus, query):
        response = client.get(SEARCH, {"q": query})
        assert response.status_code == 200

    def test_only_exclusions_find_nothing(self, corpus):
        assert parse("-battery") == [] and titles("-battery") == []

    def test_terms_are_capped(self):
        assert len(parse(" ".join(f"w{n}" for n in range(50)))) == 12

    def test_results_paginate(self, client, db):
        for n in range(13):
            ArticleFactory(title=f"Camera {n}")
        first = client.get(SEARCH, {"q": "camera"})
        second = client.get(SEARCH, {"q": "camera", "page": 2})
        assert first.context["page_obj"].paginator.count == 13
        assert len(first.context["articles"]) == 10 and len(second.context["articles"]) == 3
        assert not {a.pk for a in first.context["articles"]} & {a.pk for a in second.context["articles"]}

    def test_the_page_is_noindex(self, client, corpus):
        assert '<meta name="robots" content="noindex, follow">' in client.get(SEARCH, {"q": "battery"}).content.decode()


class TestIndex:
    def test_ensure_index_is_idempotent_and_rebuild_keeps_results(self, corpus):
        assert ensure_index() == ""
        assert ensure_index(force=True) == "rebuilt"
        assert titles("battery")[0] == "Battery breakthrough in solid-state cells"

    def test_rebuild_command(self, corpus):
        call_command("rebuild_search_index")
        assert len(titles("battery")) == 3


class TestWindow:
    """Only the newest BYLINE_SEARCH_MAX_RESULTS matches are ranked and counted."""

    def test_the_newest_matches_are_ranked_and_the_count_says_there_are_more(self, client, db, settings):
        settings.BYLINE_SEARCH_MAX_RESULTS = 5
        # The oldest match is the best one (the word in its title), but outside the window.
        ArticleFactory(title="Camera of the year", standfirst="", body="<p>Camera camera.</p>")
        newer = [ArticleFactory(title=f"Note {n}", standfirst="", body="<p>A camera, once.</p>") for n in range(7)]
        response = client.get(SEARCH, {"q": "camera"})
        results = response.context["results"]
        assert results.more
        assert response.context["page_obj"].paginator.count == 5
        assert {a.pk for a in response.context["articles"]} == {a.pk for a in newer[-5:]}
        assert "The 5 newest of many results for “camera”" in response.content.decode()

    def test_exactly_the_limit_is_not_more(self, client, db, settings):
        settings.BYLINE_SEARCH_MAX_RESULTS = 3
        for n in range(3):
            ArticleFactory(title=f"Drone {n}")
        response = client.get(SEARCH, {"q": "drone"})
        assert not response.context["results"].more
        assert "3 results for “drone”" in response.content.decode()

    def test_new_drafts_and_scheduled_articles_do_not_take_the_window(self, db, settings):
        settings.BYLINE_SEARCH_MAX_RESULTS = 3
        live = [ArticleFactory(title=f"Router {n}") for n in range(4)]
        for n in range(60):  # newer than every live one
            DraftFactory(title=f"Router draft {n}")
        ArticleFactory(title="Router soon", published_at=timezone.now() + datetime.timedelta(days=1))
        results = search("router")
        assert results.count() == 3 and results.more
        assert {a.pk for a in results[:10]} == {a.pk for a in live[1:]}

    def test_the_ranking_inside_the_window_is_by_relevance(self, db, settings):
        settings.BYLINE_SEARCH_MAX_RESULTS = 3
        ArticleFactory(title="Speaker old", standfirst="", body="<p>speaker</p>")
        ArticleFactory(title="Plain", standfirst="", body="<p>A speaker.</p>")
        ArticleFactory(title="Speaker speaker", standfirst="", body="<p>speaker speaker</p>")
        ArticleFactory(title="Other", standfirst="", body="<p>The speaker, again.</p>")
        assert titles("speaker")[0] == "Speaker speaker"
        assert "Speaker old" not in titles("speaker")
