"""The share bar: plain links with the article's address, title and picture, nothing loaded from elsewhere."""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from blog.models import Article
from blog.previews import preview_url
from core.models import SiteSettings
from tests.factories import ArticleFactory, DraftFactory

pytestmark = pytest.mark.django_db

TRICKY_TITLE = 'Tom & Jerry\'s "best" café — 100% < real > #1 + more?'


class Elements(HTMLParser):
    """Every start tag of a page as (tag, attributes dict), in document order."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def share_links(html):
    """{network: href} for the share links of a page."""
    links = {}
    for tag, attrs in Elements(html).elements:
        classes = (attrs.get("class") or "").split()
        if tag == "a" and "share-bar__link" in classes:
            network = next(c.removeprefix("share-bar__link--") for c in classes if c.startswith("share-bar__link--"))
            links[network] = attrs
    return links


def query(href):
    """The decoded query parameters of `href`, one value each."""
    return {name: values[0] for name, values in parse_qs(urlsplit(href).query, strict_parsing=True).items()}


@pytest.fixture
def pictured(image_file):
    return ArticleFactory(title=TRICKY_TITLE, featured_image=image_file, featured_image_alt="A picture")


def test_links_carry_the_encoded_address_title_and_image(client, pictured):
    html = client.get(pictured.get_absolute_url()).content.decode()
    links = share_links(html)
    url = "http://testserver" + pictured.get_absolute_url()
    image = "http://testserver" + pictured.featured_image.url
    hrefs = {network: attrs["href"] for network, attrs in links.items()}

    assert list(hrefs) == ["facebook", "x", "pinterest", "linkedin", "whatsapp", "telegram", "email"]
    expected = {
        "facebook": ("www.facebook.com", "/sharer/sharer.php", {"u": url}),
        "x": ("x.com", "/intent/post", {"url": url, "text": TRICKY_TITLE}),
        "pinterest": (
            "www.pinterest.com",
            "/pin/create/button/",
            {"url": url, "media": image, "description": TRICKY_TITLE},
        ),
        "linkedin": ("www.linkedin.com", "/sharing/share-offsite/", {"url": url}),
        "whatsapp": ("wa.me", "/", {"text": f"{TRICKY_TITLE} {url}"}),
        "telegram": ("t.me", "/share/url", {"url": url, "text": TRICKY_TITLE}),
    }
    for network, (host, path, params) in expected.items():
        parts = urlsplit(hrefs[network])
        assert (parts.scheme, parts.netloc, parts.path) == ("https", host, path), network
        assert query(hrefs[network]) == params, network
    mail = urlsplit(hrefs["email"])
    assert (mail.scheme, mail.path) == ("mailto", "")  # no address: the reader picks one
    assert query(hrefs["email"]) == {"subject": TRICKY_TITLE, "body": url}
    # Spaces are %20, not "+", which mail programs would show literally.
    assert "+" not in mail.query.replace("%2B", "")


def test_links_are_plain_accessible_and_untracked(client, pictured):
    links = share_links(client.get(pictured.get_absolute_url()).content.decode())
    assert links["facebook"]["aria-label"] == "Share on Facebook"
    assert links["email"]["aria-label"] == "Share by email"
    for attrs in links.values():
        assert attrs["rel"] == "noopener noreferrer nofollow"
        assert "target" not in attrs


def test_pinterest_needs_a_picture(client):
    article = ArticleFactory()
    links = share_links(client.get(article.get_absolute_url()).content.decode())
    assert "pinterest" not in links
    assert "facebook" in links


def test_copy_and_native_share_buttons_wait_for_javascript(client, pictured):
    html = client.get(pictured.get_absolute_url()).content.decode()
    buttons = [
        attrs
        for tag, attrs in Elements(html).elements
        if tag == "button" and "share-bar__button" in attrs.get("class", "")
    ]
    copy = next(attrs for attrs in buttons if "data-copy-link" in attrs)
    native = next(attrs for attrs in buttons if "data-native-share" in attrs)
    url = "http://testserver" + pictured.get_absolute_url()
    assert copy["data-copy-link"] == url
    assert native["data-url"] == url and native["data-title"] == TRICKY_TITLE
    assert "hidden" in copy and "hidden" in native  # article.js shows them when the browser can
    assert 'role="status" aria-live="polite"' in html


def test_prompt_and_profiles_come_from_site_settings(client):
    settings = SiteSettings.load()
    settings.share_prompt = "Liked it? Tell a friend."
    settings.instagram_url = "https://www.instagram.com/byline"
    settings.save()
    article = ArticleFactory()
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<p class="share-bar__prompt">Liked it? Tell a friend.</p>' in html
    share_bar = html[html.index('class="share-bar"') :]
    assert 'href="https://www.instagram.com/byline"' in share_bar

    settings.share_prompt = ""
    settings.save()
    assert "share-bar__prompt" not in client.get(article.get_absolute_url()).content.decode()


def test_no_share_bar_on_previews(client):
    draft = DraftFactory()
    html = client.get(preview_url(draft)).content.decode()
    assert "share-bar" not in html


def test_share_bar_and_body_render_without_queries(django_assert_num_queries, image_file):
    article = ArticleFactory(
        title=TRICKY_TITLE,
        featured_image=image_file,
        featured_image_alt="A picture",
        body="<p>One</p><p>Two</p><p>Three <a href='https://amzn.to/x'>deal</a></p><p>Four</p>",
    )
    article = Article.objects.select_related("author", "category").get(pk=article.pk)
    settings = SiteSettings.load()
    request = RequestFactory().get(article.get_absolute_url())
    context = {"article": article, "site_settings": settings, "request": request}
    with django_assert_num_queries(0):
        share = render_to_string("blog/_share_bar.html", context)
        body = render_to_string("blog/_article_body.html", context)
    assert "share-bar__link--pinterest" in share
    assert 'class="callout"' in body and 'class="affiliate-notice"' in body


class TestNothingLoadsFromElsewhere:
    """An article page makes the browser ask no other site for anything, and runs no inline code."""

    LOADING = {"script": ["src"], "link": ["href"], "img": ["src", "srcset"], "iframe": ["src"], "source": ["src"]}

    @pytest.fixture
    def article_html(self, client, image_file):
        settings = SiteSettings.load()
        settings.instagram_url = "https://www.instagram.com/byline"
        settings.save()
        article = ArticleFactory(
            title=TRICKY_TITLE,
            featured_image=image_file,
            featured_image_alt="A picture",
            body="<p>One <a href='https://amzn.to/x'>deal</a></p><p>Two</p><p>Three</p><p>Four</p>",
        )
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        return response.content.decode()

    def test_no_resource_from_another_origin(self, article_html):
        for tag, attrs in Elements(article_html).elements:
            assert tag not in ("iframe", "embed", "object"), tag
            for attribute in self.LOADING.get(tag, []):
                for url in (attrs.get(attribute) or "").split(","):
                    netloc = urlsplit(url.strip().split(" ")[0]).netloc
                    assert netloc in ("", "testserver"), f"<{tag} {attribute}={url}>"

    def test_no_inline_script_handler_or_style_in_the_article(self, article_html):
        article = article_html[article_html.index("<article") : article_html.index("</article>")]
        assert "<script" not in article
        for tag, attrs in Elements(article).elements:
            assert "style" not in attrs, tag
            assert not [name for name in attrs if name.startswith("on")], tag
        scripts = [attrs for tag, attrs in Elements(article_html).elements if tag == "script"]
        # Scripts come from files; JSON-LD is a data block, never executed.
        assert scripts and all(attrs.get("src") or attrs.get("type") == "application/ld+json" for attrs in scripts)
