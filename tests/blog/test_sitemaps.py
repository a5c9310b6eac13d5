"""Sitemaps, read with lxml against the sitemaps.org and Google News namespaces."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from blog.models import Article
from blog.sitemaps import ArticleSitemap, NewsSitemap
from core.models import Page, SiteSettings
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, DraftFactory

pytestmark = pytest.mark.django_db

SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"sm": SM, "news": NEWS}


def get_xml(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    assert response["X-Robots-Tag"].startswith("noindex")
    return etree.fromstring(response.content)


def w3c_datetime(text):
    """Parse a W3C datetime with a time zone (YYYY-MM-DDThh:mm:ssTZD), failing on anything else."""
    moment = datetime.datetime.fromisoformat(text)
    assert moment.tzinfo is not None, text
    assert moment.microsecond == 0, text
    assert len(text) == len("2026-03-01T09:30:00+00:00"), text
    return moment


def index_entries(client, **extra):
    """(loc, lastmod) of every <sitemap> in the index."""
    root = get_xml(client, reverse("blog:sitemap-index"), **extra)
    assert root.tag == f"{{{SM}}}sitemapindex"
    entries = []
    for sitemap in root.findall("sm:sitemap", NS):
        assert [child.tag for child in sitemap][0] == f"{{{SM}}}loc"
        lastmod = sitemap.findtext("sm:lastmod", namespaces=NS)
        entries.append((sitemap.findtext("sm:loc", namespaces=NS), lastmod and w3c_datetime(lastmod)))
    return entries


def urlset(client, url, **extra):
    """The <url> elements of one sitemap file; checks the namespace, absolute locs and dates."""
    root = get_xml(client, url, **extra)
    assert root.tag == f"{{{SM}}}urlset"
    urls = root.findall("sm:url", NS)
    assert len(urls) <= 50_000
    for element in urls:
        loc = element.findtext("sm:loc", namespaces=NS)
        parts = urlsplit(loc)
        assert parts.scheme in {"http", "https"} and parts.netloc, loc
        lastmod = element.findtext("sm:lastmod", namespaces=NS)
        if lastmod is not None:
            w3c_datetime(lastmod)
    return urls


def locs(client, url, **extra):
    return [element.findtext("sm:loc", namespaces=NS) for element in urlset(client, url, **extra)]


def path_of(loc):
    parts = urlsplit(loc)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def every_loc(client):
    """Every <loc> of every file the index lists."""
    found = []
    for loc, _lastmod in index_entries(client):
        found += locs(client, path_of(loc))
    return found


def absolute(path):
    return f"http://testserver{path}"


class TestIndex:
    def test_lists_every_section_with_urls(self, client):
        ArticleFactory(tags=["robots"], published_at=timezone.now() - datetime.timedelta(hours=3))
        assert [loc for loc, _lastmod in index_entries(client)] == [
            absolute("/sitemap-news.xml"),
            absolute("/sitemap-articles.xml"),
            absolute("/sitemap-categories.xml"),
            absolute("/sitemap-tags.xml"),
            absolute("/sitemap-authors.xml"),
            absolute("/sitemap-pages.xml"),
        ]

    def test_lastmod_is_the_latest_change_of_the_section(self, client):
        now = timezone.now()
        older = ArticleFactory(published_at=now - datetime.timedelta(days=5))
        newer = ArticleFactory(published_at=now - datetime.timedelta(days=3))
        Article.objects.filter(pk=older.pk).update(updated_at=now - datetime.timedelta(hours=1))  # corrected
        Article.objects.filter(pk=newer.pk).update(updated_at=now - datetime.timedelta(days=2))
        lastmods = dict(index_entries(client))
        assert lastmods[absolute("/sitemap-articles.xml")] == (now - datetime.timedelta(hours=1)).replace(microsecond=0)
        assert lastmods[absolute("/sitemap-categories.xml")] == newer.published_at.replace(microsecond=0)

    def test_sections_without_urls_are_left_out(self, client):
        # A <urlset> must hold at least one <url>: only the pages made by the migrations exist.
        assert [loc for loc, _lastmod in index_entries(client)] == [absolute("/sitemap-pages.xml")]

    def test_splits_beyond_the_limit(self, client, monkeypatch):
        monkeypatch.setattr(ArticleSitemap, "limit", 2)
        articles = ArticleFactory.create_batch(5, published_at=timezone.now() - datetime.timedelta(days=3))
        article_files = [loc for loc, _lastmod in index_entries(client) if "sitemap-articles" in loc]
        assert article_files == [
            absolute("/sitemap-articles.xml"),
            absolute("/sitemap-articles.xml?p=2"),
            absolute("/sitemap-articles.xml?p=3"),
        ]
        pages = [locs(client, path_of(loc)) for loc in article_files]
        assert [len(page) for page in pages] == [2, 2, 1]
        assert sorted(loc for page in pages for loc in page) == sorted(
            absolute(article.get_absolute_url()) for article in articles
        )
        assert client.get("/sitemap-articles.xml?p=4").status_code == 404
        assert client.get("/sitemap-articles.xml?p=x").status_code == 404

    def test_urls_use_the_requests_scheme_and_host(self, client, settings):
        settings.ALLOWED_HOSTS = ["news.example.org"]
        article = ArticleFactory()
        https = {"HTTP_HOST": "news.example.org", "secure": True}
        entries = index_entries(client, **https)
        assert entries and all(loc.startswith("https://news.example.org/sitemap-") for loc, _lastmod in entries)
        found = [loc for entry, _lastmod in entries for loc in locs(client, path_of(entry), **https)]
        assert f"https://news.example.org{article.get_absolute_url()}" in found
        assert all(loc.startswith("https://news.example.org/") for loc in found)

    def test_unknown_section_is_404(self, client):
        assert client.get("/sitemap-nothing.xml").status_code == 404


class TestSections:
    def test_articles_with_lastmod(self, client):
        article = ArticleFactory()
        (element,) = urlset(client, "/sitemap-articles.xml")
        assert element.findtext("sm:loc", namespaces=NS) == absolute(article.get_absolute_url())
        lastmod = w3c_datetime(element.findtext("sm:lastmod", namespaces=NS))
        assert lastmod == article.updated_at.replace(microsecond=0)

    def test_articles_first_published_elsewhere_are_left_out(self, client):
        """Their pages name the original as canonical; a sitemap lists canonical URLs only."""
        ours = ArticleFactory(published_at=timezone.now() - datetime.timedelta(hours=1))
        ArticleFactory(
            canonical_url="https://original.example/story", published_at=timezone.now() - datetime.timedelta(hours=2)
        )
        assert locs(client, "/sitemap-articles.xml") == [absolute(ours.get_absolute_url())]
        assert locs(client, reverse("blog:sitemap-news")) == [absolute(ours.get_absolute_url())]

    def test_listings_only_with_live_articles(self, client):
        author, category = AuthorFactory(), CategoryFactory()
        ArticleFactory(author=author, category=category, tags=["robots"])
        DraftFactory(tags=["drafty"])  # its author, category and tag have nothing live
        ArticleFactory(status=Article.Status.WITHDRAWN, tags=["withdrawn"])
        AuthorFactory()
        CategoryFactory()
        assert locs(client, "/sitemap-categories.xml") == [absolute(category.get_absolute_url())]
        assert locs(client, "/sitemap-authors.xml") == [absolute(author.get_absolute_url())]
        assert locs(client, "/sitemap-tags.xml") == [absolute(reverse("blog:tag-detail", kwargs={"slug": "robots"}))]

    def test_listing_lastmod_is_its_latest_live_article(self, client):
        category = CategoryFactory()
        latest = ArticleFactory(category=category, published_at=timezone.now() - datetime.timedelta(days=1))
        ArticleFactory(category=category, published_at=timezone.now() - datetime.timedelta(days=9))
        ArticleFactory(category=category, published_at=timezone.now() + datetime.timedelta(days=1))  # scheduled
        (element,) = urlset(client, "/sitemap-categories.xml")
        lastmod = w3c_datetime(element.findtext("sm:lastmod", namespaces=NS))
        assert lastmod == latest.published_at.replace(microsecond=0)

    def test_tags_listed_only_with_live_articles_and_dated_by_them(self, client):
        DraftFactory(tags=["alpha", "beta", "gamma", "delta"])
        live = ArticleFactory(tags=["delta"])
        older = ArticleFactory(tags=["delta"], published_at=live.published_at - datetime.timedelta(days=3))
        assert older.pk != live.pk
        assert locs(client, "/sitemap-tags.xml") == [absolute("/tag/delta/")]
        root = etree.fromstring(client.get("/sitemap-tags.xml").content)
        (lastmod,) = root.findall(".//{http://www.sitemaps.org/schemas/sitemap/0.9}lastmod")
        assert datetime.datetime.fromisoformat(lastmod.text) == live.published_at.replace(microsecond=0)

    def test_accented_tag_slugs_are_url_encoded(self, client):
        ArticleFactory(tags=["Ελλάδα", "coffee"])
        greek = "/tag/%CE%B5%CE%BB%CE%BB%CE%AC%CE%B4%CE%B1/"
        assert sorted(locs(client, "/sitemap-tags.xml")) == [absolute(greek), absolute("/tag/coffee/")]

    def test_pages(self, client):
        page = Page.objects.create(title="Imprint", slug="imprint", body="<p>Us.</p>")
        found = locs(client, "/sitemap-pages.xml")
        assert absolute(page.get_absolute_url()) in found
        assert len(found) == Page.objects.count()


class TestNews:
    def test_only_the_last_48_hours_with_the_required_elements(self, client):
        SiteSettings.objects.filter(pk=1).update(site_name="Gadget Wire")
        cache.clear()
        fresh = ArticleFactory(title="Robots & < people >", published_at=timezone.now() - datetime.timedelta(hours=47))
        ArticleFactory(published_at=timezone.now() - datetime.timedelta(hours=49))
        root = get_xml(client, reverse("blog:sitemap-news"))
        assert root.tag == f"{{{SM}}}urlset"
        assert root.nsmap["news"] == NEWS
        (url,) = root.findall("sm:url", NS)
        assert url.findtext("sm:loc", namespaces=NS) == absolute(fresh.get_absolute_url())
        news = url.find("news:news", NS)
        assert news.findtext("news:publication/news:name", namespaces=NS) == "Gadget Wire"
        assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
        published = w3c_datetime(news.findtext("news:publication_date", namespaces=NS))
        assert published == fresh.published_at.replace(microsecond=0)
        assert news.findtext("news:title", namespaces=NS) == "Robots & < people >"

    def test_language_is_the_primary_subtag(self, client, settings):
        settings.LANGUAGE_CODE = "en-gb"
        ArticleFactory(published_at=timezone.now() - datetime.timedelta(hours=1))
        root = get_xml(client, reverse("blog:sitemap-news"))
        assert root.findtext(".//news:language", namespaces=NS) == "en"

    def test_at_most_1000_a_file(self, client, monkeypatch):
        assert NewsSitemap.limit == 1000
        monkeypatch.setattr(NewsSitemap, "limit", 2)
        ArticleFactory.create_batch(3, published_at=timezone.now() - datetime.timedelta(hours=1))
        news_files = [loc for loc, _lastmod in index_entries(client) if "news" in loc]
        assert news_files == [absolute("/sitemap-news.xml"), absolute("/sitemap-news.xml?p=2")]
        assert [len(urlset(client, path_of(loc))) for loc in news_files] == [2, 1]


class TestNothingUnpublished:
    @pytest.mark.parametrize(
        "unpublished",
        [
            pytest.param(lambda **kw: DraftFactory(**kw), id="draft"),
            pytest.param(lambda **kw: DraftFactory(status=Article.Status.REVIEW, **kw), id="review"),
            pytest.param(
                lambda **kw: ArticleFactory(published_at=timezone.now() + datetime.timedelta(hours=1), **kw),
                id="scheduled",
            ),
            pytest.param(lambda **kw: ArticleFactory(status=Article.Status.WITHDRAWN, **kw), id="withdrawn"),
            pytest.param(lambda **kw: ArticleFactory(status=Article.Status.TAKEN_DOWN, **kw), id="taken-down"),
        ],
    )
    def test_in_no_sitemap(self, client, unpublished):
        live = ArticleFactory(tags=["shared"])
        hidden = unpublished(tags=["hidden-only", "shared"], slug="hidden-article")
        found = every_loc(client)
        assert absolute(live.get_absolute_url()) in found
        assert not [loc for loc in found if "hidden" in loc]
        assert absolute(hidden.author.get_absolute_url()) not in found
        assert absolute(hidden.category.get_absolute_url()) not in found
        assert "hidden-article" not in client.get(reverse("blog:sitemap-news")).content.decode()


def build(count):
    author, category = AuthorFactory(), CategoryFactory()
    for number in range(count):
        published_at = timezone.now() - datetime.timedelta(minutes=number + 1)  # all in the news window
        ArticleFactory(author=author, category=category, tags=["common", f"topic-{number}"], published_at=published_at)


# Every response renders with the site context processor: site settings and footer menu
# (2, cached together). Index: + the count and latest change of each of six sections.
# A file: + the Site (Django's sitemap view looks it up), the count and the page.
SITEMAP_QUERIES = {"/sitemap.xml": 14, "/sitemap-articles.xml": 5, "/sitemap-tags.xml": 5, "/sitemap-news.xml": 5}


@pytest.mark.parametrize("url", list(SITEMAP_QUERIES))
def test_query_count_does_not_grow_with_the_number_of_articles(client, django_assert_num_queries, url):
    for count in (5, 30):
        Article.objects.all().delete()
        build(count)
        cache.clear()
        Site.objects.clear_cache()
        with django_assert_num_queries(SITEMAP_QUERIES[url]):
            assert client.get(url).status_code == 200
