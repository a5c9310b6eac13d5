"""The guest-post call-out: after the nth top-level paragraph, switchable, with an address scrapers cannot read."""

import base64
import re

import pytest
from django.urls import reverse

from blog.callout import encode_email, readable_email, split_after_paragraph
from core.models import SiteSettings
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

NESTED = (
    "<p>P1</p>"
    "<blockquote><p>quoted</p></blockquote>"
    "<ul><li><p>listed</p></li></ul>"
    "<figure><img src='/a.png' alt=''><figcaption><p>caption</p></figcaption></figure>"
    "<table><tbody><tr><td><p>cell</p></td></tr></tbody></table>"
    "<p>P2</p><p>P3</p><p>P4</p>"
)


def paragraphs(count):
    return "".join(f"<p>Paragraph {i}.</p>" for i in range(1, count + 1))


@pytest.fixture
def site_settings():
    settings = SiteSettings.load()
    settings.callout_after_paragraph = 2
    settings.contributions_email = "guest.posts@example.org"
    settings.save()
    return settings


class TestSplit:
    @pytest.mark.parametrize("n", [1, 2, 3])
    def test_splits_after_exactly_the_nth_paragraph(self, n):
        before, after = split_after_paragraph(paragraphs(4), n)
        assert before == paragraphs(n)
        assert after == "".join(f"<p>Paragraph {i}.</p>" for i in range(n + 1, 5))

    def test_nested_paragraphs_do_not_count(self):
        before, after = split_after_paragraph(NESTED, 2)
        assert before.endswith("<p>P2</p>")
        assert after == "<p>P3</p><p>P4</p>"

    def test_void_elements_attributes_entities_and_line_breaks(self):
        html = (
            '<h2 id="x">Title</h2>\n'
            '<p class="lead">One<br>line &amp; <a href="/a?b=1&amp;c=2" title="a > b">more</a></p>\n'
            "<hr>\n<p>Two <img src='/i.png' alt='i'/></p>\n<p>Three</p>"
        )
        before, after = split_after_paragraph(html, 2)
        assert before + after == html
        assert before.endswith("<p>Two <img src='/i.png' alt='i'/></p>")
        assert after == "\n<p>Three</p>"

    def test_empty_paragraphs_do_not_count(self):
        before, after = split_after_paragraph("<p>One</p><p></p><p> <br> </p><p>Two</p><p>Three</p>", 2)
        assert before.endswith("<p>Two</p>") and after == "<p>Three</p>"

    @pytest.mark.parametrize(
        ("html", "n"),
        [
            (paragraphs(2), 3),  # fewer paragraphs than n
            (paragraphs(3), 3),  # nothing after the nth: no call-out at the very end
            (paragraphs(3) + "  \n", 3),
            (NESTED, 5),  # four top-level paragraphs only
            (paragraphs(3), 0),
            ("", 1),
        ],
    )
    def test_no_place_for_a_call_out(self, html, n):
        assert split_after_paragraph(html, n) == (html, "")


class TestEmailObfuscation:
    def test_encoded_and_readable_forms(self):
        encoded = encode_email("guest.posts@example.org")
        assert base64.b64decode(encoded).decode()[::-1] == "guest.posts@example.org"
        assert "@" not in encoded and "example" not in encoded
        assert readable_email("guest.posts@example.org") == "guest.posts [at] example [dot] org"


class TestArticlePage:
    def test_call_out_after_paragraph_n_of_the_page(self, client, site_settings):
        article = ArticleFactory(body=NESTED)
        html = client.get(article.get_absolute_url()).content.decode()
        callout = html.index('<aside class="callout" aria-label="Write for us">')
        marker = html.index('<p class="continue-reading">Continue reading below</p>')
        assert html.index("<p>P2</p>") < callout < marker < html.index("<p>P3</p>")
        assert html.index("quoted") < callout  # the blockquote's paragraph was not counted
        assert html.count('class="callout"') == 1
        aside = html[callout : html.index("</aside>", callout)]
        assert "Write for us." in aside  # the editable text from the site settings
        assert f'href="{reverse("contributions:submit")}"' in aside

    def test_switched_off_for_one_article(self, client, site_settings):
        article = ArticleFactory(body=paragraphs(5), show_callout=False)
        html = client.get(article.get_absolute_url()).content.decode()
        assert 'class="callout"' not in html and "Continue reading below" not in html
        assert "Paragraph 5." in html

    def test_switched_off_site_wide(self, client, site_settings):
        site_settings.callout_after_paragraph = 0
        site_settings.save()
        article = ArticleFactory(body=paragraphs(5))
        html = client.get(article.get_absolute_url()).content.decode()
        assert 'class="callout"' not in html
        assert "Paragraph 5." in html

    def test_short_article_has_none(self, client, site_settings):
        article = ArticleFactory(body=paragraphs(2))
        html = client.get(article.get_absolute_url()).content.decode()
        assert 'class="callout"' not in html
        assert "Paragraph 2." in html

    def test_address_is_not_in_the_page(self, client, site_settings):
        article = ArticleFactory(body=paragraphs(4))
        html = client.get(article.get_absolute_url()).content.decode()
        assert 'class="callout"' in html
        for form in ("guest.posts@example.org", "guest.posts%40example.org", "guest.posts&#64;", "posts@"):
            assert form not in html
        # The only mailto: on the page is the share bar's, which names no address.
        assert re.findall(r"mailto:.", html) == ["mailto:?"]
        aside = html[html.index('<aside class="callout"') : html.index("</aside>")]
        assert "mailto" not in aside
        assert "guest.posts [at] example [dot] org" in aside
        encoded = re.search(r'data-obfuscated-email="([^"]+)"', aside).group(1)
        assert base64.b64decode(encoded).decode()[::-1] == "guest.posts@example.org"
