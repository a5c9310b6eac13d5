"""Affiliate links: pattern matching, rel="sponsored", the article flag, the disclosure and re-scans."""

import pytest
from django.urls import reverse
from reversion.models import Version

from blog.affiliates import rescan_articles
from blog.models import Article
from core.affiliates import (
    Pattern,
    find_affiliate_links,
    invalid_pattern_lines,
    is_affiliate_url,
    mark_affiliate_links,
    parse_patterns,
)
from core.models import DEFAULT_AFFILIATE_PATTERNS, SiteSettings
from core.sanitizer import sanitize_html
from tests.blog.test_admin import form_data
from tests.factories import ArticleFactory

PATTERNS = parse_patterns("amzn.to\namazon.com?tag\n?aff_id\n")
SPONSORED = 'rel="sponsored nofollow noopener noreferrer"'


class TestPatterns:
    def test_parses_domains_parameters_and_comments(self):
        text = (
            "# Amazon\namzn.to\n\n  WWW.Amazon.com?tag=  # the associate tag\nhttps://shareasale.com/r.cfm\n?AFF_ID\n"
        )
        assert parse_patterns(text) == [
            Pattern("amzn.to"),
            Pattern("amazon.com", "tag"),
            Pattern("shareasale.com"),
            Pattern("", "aff_id"),
        ]

    def test_default_patterns_all_parse(self):
        assert invalid_pattern_lines(DEFAULT_AFFILIATE_PATTERNS) == []
        assert Pattern("amazon.co.uk", "tag") in parse_patterns(DEFAULT_AFFILIATE_PATTERNS)

    def test_unreadable_lines_are_reported_and_skipped(self):
        text = "amzn.to\nnot a domain\n?\nexample.com?a b\n"
        assert invalid_pattern_lines(text) == ["not a domain", "?", "example.com?a b"]
        assert parse_patterns(text) == [Pattern("amzn.to")]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://amzn.to/3xYz", True),
        ("http://AMZN.TO/3xYz", True),
        ("https://www.amzn.to/3xYz", True),
        ("//amzn.to/3xYz", True),
        ("https://amazon.com/dp/B0?tag=byline-20", True),
        ("https://www.amazon.com/dp/B0?ref=x&tag=byline-20", True),
        ("https://smile.amazon.com:443/dp/B0?tag=", True),  # a subdomain, a port, an empty value
        ("https://www.amazon.com/dp/B0", False),  # Amazon without the tag
        ("https://www.amazon.com/dp/B0?tags=x", False),
        ("https://notamazon.com/dp/B0?tag=x", False),
        ("https://amazon.com.evil.example/dp/B0?tag=x", False),
        ("https://amazon.com@evil.example/?tag=x", False),  # userinfo, not the host
        ("https://evil.example/amazon.com?tag=x", False),
        ("https://shop.example/item?aff_id=42", True),
        ("/internal?aff_id=42", False),  # this site's own links
        ("mailto:deals@amzn.to", False),
        ("https://[::1", False),  # unparseable
        ("", False),
    ],
)
def test_is_affiliate_url(url, expected):
    assert is_affiliate_url(url, PATTERNS) is expected


class TestMarking:
    def test_marks_matching_links_only_and_keeps_everything_else(self):
        body = sanitize_html(
            "<p><a href='https://www.amazon.com/dp/B0?tag=byline-20&amp;th=1' title='Buy &quot;it&quot;'>buy</a> "
            "<a href='https://www.amazon.com/dp/B0'>read</a> &amp; "
            "<a href='https://amzn.to/x'>short</a></p>"
        )
        marked, links = mark_affiliate_links(body, PATTERNS)
        assert links == ["https://www.amazon.com/dp/B0?tag=byline-20&th=1", "https://amzn.to/x"]
        assert marked == (
            '<p><a href="https://www.amazon.com/dp/B0?tag=byline-20&amp;th=1" title="Buy &quot;it&quot;" '
            f'{SPONSORED}>buy</a> <a href="https://www.amazon.com/dp/B0" rel="noopener noreferrer">read</a> &amp; '
            f'<a href="https://amzn.to/x" {SPONSORED}>short</a></p>'
        )
        assert sanitize_html(marked) == body  # nothing but rel changed

    def test_merges_existing_rel_and_adds_a_missing_one(self):
        html = (
            "<p><a rel='nofollow me' href=\"https://amzn.to/a\">a</a>"
            '<a href="https://amzn.to/b">b</a><a href="https://amzn.to/c"/></p>'
        )
        marked, links = mark_affiliate_links(html, PATTERNS)
        assert len(links) == 3
        assert '<a rel="sponsored nofollow noopener me" href="https://amzn.to/a">' in marked
        assert '<a href="https://amzn.to/b" rel="sponsored nofollow noopener">' in marked
        assert '<a href="https://amzn.to/c" rel="sponsored nofollow noopener"/>' in marked

    def test_repeated_link_listed_once(self):
        html = '<p><a href="https://amzn.to/a">a</a></p>\n<p>\n<a href="https://amzn.to/a">again</a></p>'
        marked, links = mark_affiliate_links(html, PATTERNS)
        assert links == ["https://amzn.to/a"]
        assert marked.count(SPONSORED.replace(" noreferrer", "")) == 2
        assert find_affiliate_links(marked, PATTERNS) == links

    def test_no_patterns_no_change(self):
        html = '<p><a href="https://amzn.to/a">a</a></p>'
        assert mark_affiliate_links(html, []) == (html, [])


@pytest.mark.django_db
class TestArticle:
    def test_save_marks_links_and_stores_flag_and_list(self):
        article = ArticleFactory(body="<p><a href='https://amzn.to/a?x=1&amp;y=2'>deal</a></p>")
        article.refresh_from_db()
        assert article.has_affiliate_links
        assert article.affiliate_links == ["https://amzn.to/a?x=1&y=2"]
        assert f'<a href="https://amzn.to/a?x=1&amp;y=2" {SPONSORED}>' in article.body

        article.body = "<p><a href='https://example.com/'>plain</a></p>"
        article.save()
        article.refresh_from_db()
        assert not article.has_affiliate_links and article.affiliate_links == []

    def test_plain_article_is_not_flagged(self):
        article = ArticleFactory()
        assert not article.has_affiliate_links
        assert "sponsored" not in article.body


@pytest.mark.django_db
class TestDisclosure:
    def test_notice_comes_before_the_first_affiliate_link(self, client):
        article = ArticleFactory(
            body="<p>Intro with <a href='https://example.com/'>a plain link</a>.</p>"
            "<p>Two</p><p>Three</p><p>Buy <a href='https://amzn.to/a'>here</a>.</p>"
        )
        html = client.get(article.get_absolute_url()).content.decode()
        notice = html.index('<aside class="affiliate-notice"')
        assert notice < html.index('href="https://amzn.to/a"')
        assert notice < html.index('class="article__body')
        aside = html[notice : html.index("</aside>", notice)]
        page = SiteSettings.load().affiliate_page
        assert f'href="{page.get_absolute_url()}"' in aside
        assert SiteSettings.load().affiliate_disclosure[:40] in aside
        assert 'id="affiliate-disclosure-title"' in html  # the footer's disclosure is still there

    def test_no_notice_without_affiliate_links(self, client):
        html = client.get(ArticleFactory().get_absolute_url()).content.decode()
        assert "affiliate-notice" not in html
        assert 'id="affiliate-disclosure-title"' in html


@pytest.mark.django_db
class TestRescan:
    @pytest.fixture
    def articles(self):
        return [
            ArticleFactory(body="<p><a href='https://amzn.to/a'>a</a></p>"),
            ArticleFactory(body="<p><a href='https://deals.example/x'>x</a></p>"),
            ArticleFactory(body="<p>No links.</p>"),
        ]

    def test_changing_the_patterns_rescans_every_article(self, articles, django_capture_on_commit_callbacks):
        before = {a.pk: (a.updated_at, Version.objects.get_for_object(a).count()) for a in articles}
        settings = SiteSettings.load()
        settings.affiliate_patterns = "# only the deals site now\ndeals.example\n"
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            settings.save()
        assert len(callbacks) == 1

        amazon, deals, plain = (Article.objects.get(pk=a.pk) for a in articles)
        assert not amazon.has_affiliate_links and "sponsored" not in amazon.body
        assert amazon.body == '<p><a href="https://amzn.to/a" rel="noopener noreferrer">a</a></p>'
        assert deals.has_affiliate_links and deals.affiliate_links == ["https://deals.example/x"]
        assert f'<a href="https://deals.example/x" {SPONSORED}>' in deals.body
        assert not plain.has_affiliate_links
        # A bulk update: no new revision, no new "updated" time.
        after = {a.pk: (a.updated_at, Version.objects.get_for_object(a).count()) for a in (amazon, deals, plain)}
        assert after == before

    def test_unchanged_patterns_do_not_rescan(self, articles, django_capture_on_commit_callbacks):
        settings = SiteSettings.load()
        settings.site_name = "Renamed"
        with django_capture_on_commit_callbacks() as callbacks:
            settings.save()
        assert callbacks == []

    def test_rescan_in_small_batches_writes_only_changes(self, articles, django_assert_max_num_queries):
        patterns = parse_patterns("deals.example")
        assert rescan_articles(patterns, batch_size=1) == 2  # amazon loses its mark, deals gains one
        assert rescan_articles(patterns, batch_size=1) == 0
        with django_assert_max_num_queries(6) as captured:  # two reads (one batch, one empty), in savepoints
            assert rescan_articles(patterns, batch_size=10) == 0
        assert not [query for query in captured.captured_queries if query["sql"].startswith("UPDATE")]


@pytest.mark.django_db
class TestAdmin:
    def test_changelist_shows_and_filters_the_flag(self, editor_client):
        ArticleFactory(title="Deal of the day", body="<p><a href='https://amzn.to/a'>a</a></p>")
        ArticleFactory(title="Plain story")
        url = reverse("admin:blog_article_changelist")
        response = editor_client.get(url)
        assert response.status_code == 200
        assert "column-has_affiliate_links" in response.content.decode()
        filtered = editor_client.get(url, {"has_affiliate_links__exact": "1"}).content.decode()
        assert "Deal of the day" in filtered and "Plain story" not in filtered

    def test_change_form_lists_matched_links(self, editor_client):
        article = ArticleFactory(body="<p><a href='https://amzn.to/a?b=1&amp;c=2'>a</a></p>")
        response = editor_client.get(reverse("admin:blog_article_change", args=[article.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "<li><code>https://amzn.to/a?b=1&amp;c=2</code></li>" in html
        assert 'name="show_callout"' in html and 'name="comments_close_after_days"' in html
        assert 'name="has_affiliate_links"' not in html  # read-only

    def test_editor_switches_the_call_out_off(self, editor_client):
        article = ArticleFactory(body="<p>Body</p>")
        data = form_data(article, comments_close_after_days="7")  # no show_callout: the box is unticked
        response = editor_client.post(reverse("admin:blog_article_change", args=[article.pk]), data)
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.show_callout is False
        assert article.comments_close_after_days == 7


@pytest.mark.django_db
def test_the_scan_command_marks_bulk_created_articles():
    from django.core.management import call_command

    author = ArticleFactory().author
    Article.objects.bulk_create(
        [Article(title="Imported", slug="imported", author=author, body='<p><a href="https://amzn.to/x">buy</a></p>')]
    )
    call_command("scan_affiliate_links")
    imported = Article.objects.get(slug="imported")
    assert imported.has_affiliate_links and 'rel="sponsored nofollow noopener' in imported.body
