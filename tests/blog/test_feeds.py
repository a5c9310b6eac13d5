"""RSS 2.0 and Atom feeds: parsed with feedparser, plus the W3C validator's rules checked by hand."""

import datetime
import email.utils

import feedparser
import pytest
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from blog.feeds import article_guid
from blog.models import Article
from core.models import SiteSettings
from tests.conftest import make_image_file
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, DraftFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"


@pytest.fixture
def article():
    return ArticleFactory(
        title="Fish & Chips <3",
        slug="fish-and-chips",
        standfirst="Crisp & golden, 2 < 3 > 1.",  # text: "<vinegar>" would be a tag, and removed
        body='<p>The whole <a href="/2026/03/batter/">story</a>.</p><p><img src="/media/fish.png" alt="Fish"></p>',
        tags=["food", "uk"],
    )


def feed_urls(article):
    """Every feed that `article` belongs to, RSS and Atom."""
    category, author = article.category.slug, article.author.slug
    tag = article.tags.first().slug
    return [
        reverse("blog:feed"),
        reverse("blog:feed-atom"),
        reverse("blog:category-feed", kwargs={"slug": category}),
        reverse("blog:category-feed-atom", kwargs={"slug": category}),
        reverse("blog:tag-feed", kwargs={"slug": tag}),
        reverse("blog:tag-feed-atom", kwargs={"slug": tag}),
        reverse("blog:author-feed", kwargs={"slug": author}),
        reverse("blog:author-feed-atom", kwargs={"slug": author}),
    ]


def fetch(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response


def parse(client, url, **extra):
    """The feed at `url` as feedparser reads it; fails unless it parsed cleanly (no bozo)."""
    feed = feedparser.parse(fetch(client, url, **extra).content)
    assert feed.bozo == 0, f"{url}: {feed.get('bozo_exception')}"
    return feed


def set_full_text(value):
    site_settings = SiteSettings.load()
    site_settings.feed_full_text = value
    site_settings.save()


class TestEveryFeed:
    def test_parses_cleanly_with_the_right_type(self, client, article):
        for url in feed_urls(article):
            response = fetch(client, url)
            expected = "application/atom+xml" if url.endswith("/atom/") else "application/rss+xml"
            assert response["Content-Type"] == f"{expected}; charset=utf-8"
            feed = parse(client, url)
            assert feed.version == ("atom10" if url.endswith("/atom/") else "rss20")
            assert [entry.link for entry in feed.entries] == [f"http://testserver{article.get_absolute_url()}"]

    def test_titles_include_the_site_name(self, client, article):
        SiteSettings.objects.filter(pk=1).update(site_name="Gadget Wire")
        cache.clear()
        titles = [parse(client, url).feed.title for url in feed_urls(article)]
        assert titles[:2] == ["Gadget Wire", "Gadget Wire"]
        assert titles[2] == f"{article.category.name} · Gadget Wire"
        assert titles[4] == "food · Gadget Wire"
        assert titles[6] == f"{article.author.name} · Gadget Wire"

    def test_unknown_subjects_are_404(self, client):
        for name in ("category-feed", "tag-feed-atom", "author-feed"):
            assert client.get(reverse(f"blog:{name}", kwargs={"slug": "nobody"})).status_code == 404

    def test_empty_feeds_are_valid(self, client):
        for url in (reverse("blog:feed"), reverse("blog:feed-atom")):
            assert parse(client, url).entries == []

    def test_links_use_the_requests_scheme_and_host(self, client, article, settings):
        settings.ALLOWED_HOSTS = ["news.example.org"]
        for url in (reverse("blog:feed"), reverse("blog:feed-atom")):
            feed = parse(client, url, HTTP_HOST="news.example.org", secure=True)
            assert feed.feed.link == "https://news.example.org/"
            assert feed.entries[0].link == f"https://news.example.org{article.get_absolute_url()}"
            self_links = [link.href for link in feed.feed.links if link.rel == "self"]
            assert self_links == [f"https://news.example.org{url}"]


class TestRssRules:
    """What the W3C feed validator requires of RSS 2.0."""

    def test_channel_elements(self, client, article):
        url = reverse("blog:category-feed", kwargs={"slug": article.category.slug})
        channel = etree.fromstring(fetch(client, url).content).find("channel")
        assert channel.findtext("title")
        assert channel.findtext("link") == f"http://testserver{article.category.get_absolute_url()}"
        assert channel.findtext("description") == article.category.description
        assert channel.findtext("language") == "en"
        (self_link,) = channel.findall(f"{ATOM}link")
        assert self_link.get("rel") == "self"
        assert self_link.get("href") == f"http://testserver{url}"
        assert email.utils.parsedate_to_datetime(channel.findtext("lastBuildDate")).tzinfo is not None

    def test_description_falls_back_when_tagline_is_empty(self, client, article):
        SiteSettings.objects.filter(pk=1).update(tagline="")
        cache.clear()
        channel = etree.fromstring(fetch(client, reverse("blog:feed")).content).find("channel")
        assert channel.findtext("description") == "The latest articles on Byline"

    def test_items_have_rfc822_dates_unique_guids_and_authors(self, client, article):
        ArticleFactory.create_batch(3)
        channel = etree.fromstring(fetch(client, reverse("blog:feed")).content).find("channel")
        items = channel.findall("item")
        assert len(items) == 4
        guids = [item.find("guid") for item in items]
        assert len({guid.text for guid in guids}) == 4
        assert {guid.get("isPermaLink") for guid in guids} == {"false"}
        for item in items:
            # RFC 822 (with a four-digit year): "Thu, 26 Nov 2026 12:04:59 +0000".
            assert email.utils.parsedate_to_datetime(item.findtext("pubDate")).tzinfo is not None
            assert item.findtext("{http://purl.org/dc/elements/1.1/}creator")
            assert item.findtext("link").startswith("http://testserver/")
        newest = items[0]
        published = email.utils.parsedate_to_datetime(newest.findtext("pubDate"))
        assert published == article.published_at.replace(microsecond=0)
        assert newest.findtext("{http://purl.org/dc/elements/1.1/}creator") == article.author.name

    def test_author_email_is_never_published(self, client, article):
        for url in feed_urls(article):
            assert article.author.email not in fetch(client, url).content.decode()


class TestAtomRules:
    """What RFC 4287 and the W3C feed validator require of Atom."""

    def test_feed_elements(self, client, article, settings):
        settings.BYLINE_SITE_URL = "https://news.example.com"
        url = reverse("blog:author-feed-atom", kwargs={"slug": article.author.slug})
        root = etree.fromstring(fetch(client, url).content)
        assert root.tag == f"{ATOM}feed"
        assert root.findtext(f"{ATOM}id") == f"https://news.example.com{url}"
        assert datetime.datetime.fromisoformat(root.findtext(f"{ATOM}updated")).tzinfo is not None
        assert root.findtext(f"{ATOM}author/{ATOM}name") == article.author.name
        links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
        assert links == {
            "alternate": f"http://testserver{article.author.get_absolute_url()}",
            "self": f"http://testserver{url}",
        }

    def test_entry_elements(self, client, article, settings):
        settings.BYLINE_SITE_URL = "https://news.example.com"
        root = etree.fromstring(fetch(client, reverse("blog:feed-atom")).content)
        (entry,) = root.findall(f"{ATOM}entry")
        day = article.created_at.astimezone(datetime.UTC).date().isoformat()
        assert entry.findtext(f"{ATOM}id") == f"tag:news.example.com,{day}:article/{article.pk}"
        assert entry.findtext(f"{ATOM}title") == "Fish & Chips <3"
        assert entry.findtext(f"{ATOM}author/{ATOM}name") == article.author.name
        published = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}published"))
        updated = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
        assert published == article.published_at
        assert updated == article.updated_at
        assert updated >= published
        assert [category.get("term") for category in entry.findall(f"{ATOM}category")] == [
            article.category.name,
            "food",
            "uk",
        ]

    def test_updated_is_never_before_published(self, client):
        """An article scheduled, then left alone until it went live, was updated when it appeared."""
        article = ArticleFactory()
        Article.objects.filter(pk=article.pk).update(
            updated_at=article.published_at - datetime.timedelta(days=2),
        )
        entry = parse(client, reverse("blog:feed-atom")).entries[0]
        assert entry.updated_parsed == entry.published_parsed


class TestIds:
    def test_ids_survive_slug_date_and_content_changes(self, client, article):
        before = {url: [entry.id for entry in parse(client, url).entries] for url in feed_urls(article)}
        assert before[reverse("blog:feed")] == [article_guid(article)]

        article.slug = "fish-and-chips-revisited"
        article.title = "Fish and chips, revisited"
        article.published_at -= datetime.timedelta(days=40)
        article.save()
        article.tags.add("seaside")

        for url, ids in before.items():
            feed = parse(client, url)
            assert [entry.id for entry in feed.entries] == ids, url
            assert feed.entries[0].link.endswith("/fish-and-chips-revisited/")

    def test_ids_are_tag_uris_on_the_configured_host(self, client, article, settings):
        settings.BYLINE_SITE_URL = "https://news.example.com:8443"
        settings.ALLOWED_HOSTS = ["mirror.example.org"]
        entry = parse(client, reverse("blog:feed"), HTTP_HOST="mirror.example.org").entries[0]
        assert entry.id.startswith("tag:news.example.com,")
        assert entry.id.endswith(f":article/{article.pk}")
        assert entry.guidislink is False


class TestContent:
    def test_full_text(self, client, article):
        set_full_text(True)
        for url in (reverse("blog:feed"), reverse("blog:feed-atom")):
            summary = parse(client, url).entries[0].summary
            assert "<p>The whole" in summary
            # Root-relative addresses are made absolute: readers would resolve them against their own host.
            assert 'href="http://testserver/2026/03/batter/"' in summary
            assert 'src="http://testserver/media/fish.png"' in summary

    def test_full_text_with_affiliate_links_carries_the_disclosure(self, client, article):
        Article.objects.filter(pk=article.pk).update(has_affiliate_links=True)
        SiteSettings.objects.filter(pk=1).update(affiliate_disclosure="We may earn a fee & more.")
        cache.clear()
        summary = parse(client, reverse("blog:feed")).entries[0].summary
        assert summary.startswith("<p><em>We may earn a fee &amp; more.</em></p><p>The whole")

    def test_excerpt(self, client, article):
        set_full_text(False)
        for url in (reverse("blog:feed"), reverse("blog:feed-atom")):
            summary = parse(client, url).entries[0].summary
            assert summary == "Crisp &amp; golden, 2 &lt; 3 &gt; 1."

    def test_excerpt_from_the_body_when_there_is_no_standfirst(self, client):
        set_full_text(False)
        ArticleFactory(standfirst="", body="<p>Salt &amp; vinegar, <strong>lots</strong>.</p>")
        summary = parse(client, reverse("blog:feed")).entries[0].summary
        assert summary == "Salt &amp; vinegar, lots."

    def test_title_is_text(self, client, article):
        for url in (reverse("blog:feed"), reverse("blog:feed-atom")):
            assert parse(client, url).entries[0].title == "Fish & Chips <3"


class TestFeaturedImage:
    def test_media_content_with_dimensions_and_alt_text(self, client, article):
        article.featured_image = make_image_file(size=(1200, 675))
        article.featured_image_alt = "A plate of fish and chips"
        article.save()
        for url in (reverse("blog:feed"), reverse("blog:feed-atom")):
            (media,) = parse(client, url).entries[0].media_content
            assert media == {
                "url": f"http://testserver{article.featured_image.url}",
                "medium": "image",
                "type": "image/png",
                "width": "1200",
                "height": "675",
            }
            root = etree.fromstring(fetch(client, url).content)
            description = root.find(f".//{MEDIA}content/{MEDIA}description")
            assert description.text == "A plate of fish and chips"
            assert description.get("type") == "plain"

    def test_no_image_no_media(self, client, article):
        for url in (reverse("blog:feed"), reverse("blog:feed-atom")):
            assert "media_content" not in parse(client, url).entries[0]

    def test_a_missing_file_does_not_break_the_feed(self, client, article):
        article.featured_image = make_image_file()
        article.featured_image_alt = "Fish"
        article.save()
        article.featured_image.storage.delete(article.featured_image.name)
        assert parse(client, reverse("blog:feed")).entries[0].media_content[0]["width"] == "800"


class TestWhatEachFeedHolds:
    def test_subject_feeds_hold_only_their_articles(self, client):
        author, category = AuthorFactory(), CategoryFactory()
        by_author = ArticleFactory(author=author)
        in_category = ArticleFactory(category=category)
        tagged = ArticleFactory(tags=["robots"])
        ArticleFactory(tags=["other"])
        expected = {
            reverse("blog:author-feed", kwargs={"slug": author.slug}): by_author,
            reverse("blog:author-feed-atom", kwargs={"slug": author.slug}): by_author,
            reverse("blog:category-feed", kwargs={"slug": category.slug}): in_category,
            reverse("blog:category-feed-atom", kwargs={"slug": category.slug}): in_category,
            reverse("blog:tag-feed", kwargs={"slug": "robots"}): tagged,
            reverse("blog:tag-feed-atom", kwargs={"slug": "robots"}): tagged,
        }
        for url, article in expected.items():
            assert [entry.id for entry in parse(client, url).entries] == [article_guid(article)], url
        assert len(parse(client, reverse("blog:feed")).entries) == 4

    def test_latest_twenty_newest_first(self, client):
        articles = ArticleFactory.create_batch(22)  # the factory dates each an hour before the last
        ids = [entry.id for entry in parse(client, reverse("blog:feed")).entries]
        assert ids == [article_guid(article) for article in articles[:20]]

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
    def test_unpublished_articles_appear_in_no_feed(self, client, article, unpublished):
        hidden = unpublished(author=article.author, category=article.category, tags=["food"], title="Secret")
        for url in feed_urls(article):
            response = fetch(client, url)
            assert article_guid(hidden) not in response.content.decode(), url
            assert b"Secret" not in response.content, url
            assert len(parse(client, url).entries) == 1


def build(count):
    author, category = AuthorFactory(), CategoryFactory()
    for number in range(count):
        article = ArticleFactory(author=author, category=category, tags=["common", f"topic-{number}"])
        if number % 2:
            article.featured_image = make_image_file()
            article.featured_image_alt = "Picture"
            article.save()
    return author, category


def feed_query_count(client, django_assert_num_queries, url, expected):
    cache.clear()  # site settings read cold
    Site.objects.clear_cache()  # the syndication view looks the Site up
    with django_assert_num_queries(expected):
        fetch(client, url)


# Site settings and footer menu (2, cached together), the Site (1), the articles and their tags.
FEED_QUERIES = {"feed": 5, "feed-atom": 5, "category-feed": 6, "tag-feed-atom": 6, "author-feed": 6}


@pytest.mark.parametrize("name", list(FEED_QUERIES))
def test_query_count_does_not_grow_with_the_number_of_articles(client, django_assert_num_queries, name):
    for count in (5, 30):
        Article.objects.all().delete()
        author, category = build(count)
        kwargs = {"category-feed": {"slug": category.slug}, "author-feed": {"slug": author.slug}}
        kwargs["tag-feed-atom"] = {"slug": "common"}
        url = reverse(f"blog:{name}", kwargs=kwargs.get(name))
        feed_query_count(client, django_assert_num_queries, url, FEED_QUERIES[name])
        assert len(parse(client, url).entries) == min(count, 20)


class TestAutodiscovery:
    def links(self, client, url):
        root = etree.HTML(fetch(client, url).content)
        return [
            (link.get("type"), link.get("title"), link.get("href"))
            for link in root.iterfind(".//head/link[@rel='alternate']")
        ]

    def test_site_feeds_on_every_page(self, client):
        article = ArticleFactory()
        for url in (
            reverse("blog:home"),
            article.get_absolute_url(),
            reverse("blog:search"),
            "/pages/affiliate-disclosure/",
        ):
            assert self.links(client, url) == [
                ("application/rss+xml", "Byline (RSS)", reverse("blog:feed")),
                ("application/atom+xml", "Byline (Atom)", reverse("blog:feed-atom")),
            ], url

    def test_listing_feeds_on_listing_pages(self, client):
        article = ArticleFactory(tags=["robots"])
        category, author = article.category, article.author
        pages = {
            category.get_absolute_url(): (category.name, "category-feed", category.slug),
            reverse("blog:tag-detail", kwargs={"slug": "robots"}): ("robots", "tag-feed", "robots"),
            author.get_absolute_url(): (author.name, "author-feed", author.slug),
        }
        for url, (name, route, slug) in pages.items():
            assert self.links(client, url)[2:] == [
                ("application/rss+xml", f"{name} · Byline (RSS)", reverse(f"blog:{route}", kwargs={"slug": slug})),
                (
                    "application/atom+xml",
                    f"{name} · Byline (Atom)",
                    reverse(f"blog:{route}-atom", kwargs={"slug": slug}),
                ),
            ], url
