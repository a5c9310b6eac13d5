"""Metadata for search engines and link previews: canonical URLs, Open Graph, Twitter cards, JSON-LD."""

import json
import re
from datetime import datetime

import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import make_image_file
from tests.factories import ArticleFactory, CategoryFactory

TITLE_BREAKOUT = "</script><script>alert(1)</script>"

pytestmark = pytest.mark.django_db
HOST = "http://testserver"


def jsonld(html):
    return [
        json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def meta(html, key):
    """Values of <meta property|name="key" content="…"> in order."""
    return re.findall(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)


def link(html, rel):
    return re.findall(rf'<link rel="{rel}" href="([^"]*)">', html)


@pytest.fixture
def article(db):
    article = ArticleFactory(
        title="Chips & dips: a “quoted” review",
        standfirst="The standfirst.",
        category=CategoryFactory(name="Reviews"),
        featured_image=make_image_file("cover.png", size=(1200, 630)),
        featured_image_alt="A chip on a desk",
        tags=["laptops", "chips"],
    )
    return article


@pytest.fixture
def article_html(client, article):
    return client.get(article.get_absolute_url()).content.decode()


class TestArticle:
    def test_open_graph(self, article_html, article):
        url = HOST + article.get_absolute_url()
        assert meta(article_html, "og:type") == ["article"]
        assert meta(article_html, "og:url") == [url]
        assert meta(article_html, "og:title") == ["Chips &amp; dips: a “quoted” review"]
        assert meta(article_html, "og:description") == ["The standfirst."]
        assert meta(article_html, "article:section") == ["Reviews"]
        assert sorted(meta(article_html, "article:tag")) == ["chips", "laptops"]
        assert datetime.fromisoformat(meta(article_html, "article:published_time")[0]) == article.published_at
        assert datetime.fromisoformat(meta(article_html, "article:modified_time")[0]) >= article.published_at
        assert meta(article_html, "og:image") == [HOST + article.featured_image.url]
        assert meta(article_html, "og:image:width") == ["1200"] and meta(article_html, "og:image:height") == ["630"]
        assert meta(article_html, "twitter:card") == ["summary_large_image"]
        assert link(article_html, "canonical") == [url]

    def test_news_article(self, article_html, article):
        news = next(block for block in jsonld(article_html) if block["@type"] == "NewsArticle")
        assert news["@context"] == "https://schema.org"
        assert news["headline"] == article.title
        assert news["url"] == news["mainEntityOfPage"]["@id"] == HOST + article.get_absolute_url()
        assert datetime.fromisoformat(news["datePublished"]) == article.published_at
        assert datetime.fromisoformat(news["dateModified"]) >= article.published_at
        assert news["author"] == [
            {"@type": "Person", "name": article.author.name, "url": HOST + article.author.get_absolute_url()}
        ]
        assert news["image"] == [
            {"@type": "ImageObject", "url": HOST + article.featured_image.url, "width": 1200, "height": 630}
        ]
        publisher = news["publisher"]
        assert publisher["@type"] == "Organization" and publisher["name"] == "Byline"
        assert publisher["logo"]["url"].startswith(HOST + "/static/") and publisher["logo"]["width"] == 512
        assert news["articleSection"] == "Reviews" and sorted(news["keywords"]) == ["chips", "laptops"]

    def test_breadcrumbs(self, article_html, article):
        crumbs = next(block for block in jsonld(article_html) if block["@type"] == "BreadcrumbList")
        items = crumbs["itemListElement"]
        assert [i["position"] for i in items] == [1, 2, 3]
        assert [i["name"] for i in items] == ["Byline", "Reviews", article.title]
        assert items[0]["item"] == HOST + "/" and items[2]["item"] == HOST + article.get_absolute_url()

    def test_json_cannot_break_out_of_the_script(self, client):
        hostile = ArticleFactory(title="x", standfirst="x")
        # Titles are stored as text now (core.fields); an earlier release stored them raw.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE blog_article SET title = %s WHERE id = %s", [TITLE_BREAKOUT, hostile.pk])
        html = client.get(hostile.get_absolute_url()).content.decode()
        assert "</script><script>alert(1)" not in html
        assert jsonld(html)[0]["headline"] == TITLE_BREAKOUT

    def test_no_image_gives_a_summary_card(self, client):
        plain = ArticleFactory()
        html = client.get(plain.get_absolute_url()).content.decode()
        assert meta(html, "twitter:card") == ["summary"] and meta(html, "og:image") == []
        assert "image" not in jsonld(html)[0]

    def test_a_canonical_elsewhere_is_respected(self, client):
        syndicated = ArticleFactory(canonical_url="https://original.example/story")
        assert link(client.get(syndicated.get_absolute_url()).content.decode(), "canonical") == [
            "https://original.example/story"
        ]


class TestListings:
    def test_home_has_website_with_search_action(self, client, article):
        (site,) = jsonld(client.get("/").content.decode())
        assert site["@type"] == "WebSite" and site["url"] == HOST + "/"
        action = site["potentialAction"]
        assert action["@type"] == "SearchAction"
        assert action["target"]["urlTemplate"] == HOST + reverse("blog:search") + "?q={search_term_string}"
        assert action["query-input"] == "required name=search_term_string"

    def test_pages_have_canonical_urls_and_prev_next(self, client, monkeypatch):
        from blog.views import HomeView

        monkeypatch.setattr(HomeView, "paginate_by", 2)
        for _ in range(7):
            ArticleFactory()
        assert link(client.get("/?utm_source=x").content.decode(), "canonical") == [HOST + "/"]
        first = client.get("/").content.decode()
        assert link(first, "prev") == [] and link(first, "next") == [HOST + "/?page=2"]
        second = client.get("/?page=2").content.decode()
        assert link(second, "canonical") == [HOST + "/?page=2"]
        assert link(second, "prev") == [HOST + "/"] and link(second, "next") == [HOST + "/?page=3"]
        last = client.get("/?page=4").content.decode()
        assert link(last, "next") == []

    @pytest.mark.parametrize("path", ["/", "/search/?q=chips", "/pages/about/", "/contribute/"])
    def test_every_page_has_a_title_description_and_canonical(self, client, article, path):
        html = client.get(path).content.decode()
        assert re.search(r"<title>[^<]+</title>", html)
        assert re.search(r'<meta name="description" content="[^"]+">', html)
        assert len(link(html, "canonical")) == 1

    def test_listing_pages_name_themselves_for_link_previews(self, client, article):
        html = client.get(article.category.get_absolute_url()).content.decode()
        assert meta(html, "og:title") == ["Reviews"]
