"""Listing cards and the header at 375 and 1280 px: a card without a picture uses the whole width,
the header fits in 15% of a phone's screen, and the search page has one search box."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from blog.models import Article
from tests.browser.conftest import BROWSER, no_horizontal_scroll
from tests.browser.reader_site import build_site

pytestmark = BROWSER

WIDTHS = [pytest.param(375, id="375"), pytest.param(1280, id="1280")]
SCHEMES = [pytest.param("light", id="light"), pytest.param("dark", id="dark")]
PHONE_SCREEN = {"width": 375, "height": 667}
# A title of eleven words: in the picture's 12rem column it would take four or more lines.
BARE_TITLE = "Kestrel notes on charging a phone from a folding panel in winter"


@pytest.fixture
def articles(db):
    articles = build_site()
    # The lead (articles[0]) and articles[1] without a picture; articles[2] keeps its own.
    Article.objects.filter(pk=articles[0].pk).update(featured_image="", featured_image_alt="")
    Article.objects.filter(pk=articles[1].pk).update(title=BARE_TITLE)
    return [Article.objects.get(pk=article.pk) for article in articles]


def card_layout(page, title):
    """The card holding the link `title`: its width, its text column's width, its title's lines."""
    link = page.locator(".card__title").get_by_role("link", name=title, exact=True).first
    expect(link).to_be_visible(timeout=15_000)
    return link.evaluate(
        """a => {
            const card = a.closest('.card'), body = card.querySelector('.card__body');
            const heading = a.closest('.card__title'), style = getComputedStyle(heading);
            const line = parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
            return {
                card: card.getBoundingClientRect().width,
                body: body.getBoundingClientRect().width,
                lines: Math.round(heading.getBoundingClientRect().height / line),
            };
        }"""
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_a_card_without_a_picture_uses_the_whole_width(page, live_server, articles, width, screenshot):
    page.set_viewport_size({"width": width, "height": 900})
    bare, pictured = articles[1], articles[2]
    month = reverse("blog:archive-month", kwargs={"year": bare.published_at.year, "month": bare.published_at.month})
    listings = {
        "home": "/",
        "tag": reverse("blog:tag-detail", kwargs={"slug": "solar"}),
        "category": reverse("blog:category-detail", kwargs={"slug": "hardware"}),
        "author": reverse("blog:author-detail", kwargs={"slug": "ada-reporter"}),
        "archive": month,
        "search": reverse("blog:search") + "?q=Kestrel",
    }
    for name, url in listings.items():
        page.goto(live_server.url + url)
        layout = card_layout(page, bare.title)
        assert layout["body"] == pytest.approx(layout["card"], abs=1), (name, layout)
        # Two lines at most on a desktop, three on a phone: not one word a line.
        assert layout["lines"] <= (2 if width == 1280 else 3), (name, layout)
        if name != "search":  # the search finds the bare one only
            with_picture = card_layout(page, pictured.title)
            if width == 1280:  # beside its 12rem picture
                assert with_picture["body"] < with_picture["card"] - 150, (name, with_picture)
            else:  # under it
                assert with_picture["body"] == pytest.approx(with_picture["card"], abs=1), (name, with_picture)
        assert no_horizontal_scroll(page), name
        if name in ("home", "tag", "search"):
            for scheme in ("dark", "light"):
                page.emulate_media(color_scheme=scheme)
                screenshot(page, f"readers-cards-{name}-{width}-{scheme}")

    # The lead card on the home page, without a picture too.
    page.goto(live_server.url + "/")
    lead = page.locator(".featured .card")
    expect(lead).to_have_class(re.compile(r"\bcard--no-image\b"), timeout=15_000)
    layout = card_layout(page, articles[0].title)
    assert layout["body"] == pytest.approx(layout["card"], abs=1)
    assert layout["lines"] <= 2


def header_height(page):
    header = page.locator(".site-header")
    expect(header).to_be_visible(timeout=15_000)
    return header.bounding_box()["height"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_header_fits_in_15_percent_of_a_phone_screen(page, live_server, articles, scheme, screenshot, axe):
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(PHONE_SCREEN)
    for url in ["/", articles[2].get_absolute_url(), reverse("blog:search") + "?q=Kestrel"]:
        page.goto(live_server.url + url)
        assert header_height(page) <= 0.15 * PHONE_SCREEN["height"], url
        assert no_horizontal_scroll(page), url
        # Every link of the navigation is there, in one row that scrolls sideways if it must.
        nav = page.get_by_role("navigation", name="Main")
        for name in ("Latest", "Topics", "Write for us"):
            link = nav.get_by_role("link", name=name, exact=True)
            link.focus()
            expect(link).to_be_in_viewport(timeout=15_000)
    page.goto(live_server.url + "/")
    screenshot(page, f"readers-header-375-{scheme}")
    assert axe(page) == []

    # The header's search box is there on a phone, with the keyboard, no script needed.
    search = page.get_by_role("search", name="Site search").get_by_role("searchbox", name="Search articles")
    expect(search).to_be_visible(timeout=15_000)
    search.fill("Kestrel")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=Kestrel$"), timeout=15_000)
    expect(page.get_by_role("searchbox")).to_have_count(1, timeout=15_000)
    expect(page.get_by_role("search")).to_have_count(1)
    expect(page.get_by_role("searchbox", name="Search articles")).to_have_value("Kestrel")
    assert header_height(page) <= 0.15 * PHONE_SCREEN["height"]
    screenshot(page, f"readers-search-375-{scheme}")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_header_on_a_desktop(page, live_server, articles, scheme, screenshot):
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    # One row: title, tagline, navigation and the search box side by side.
    assert header_height(page) <= 100
    expect(page.locator(".site-tagline")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("search", name="Site search")).to_be_visible()
    screenshot(page, f"readers-header-1280-{scheme}")
    page.goto(live_server.url + reverse("blog:search") + "?q=Kestrel")
    expect(page.get_by_role("searchbox")).to_have_count(1, timeout=15_000)
    expect(page.get_by_role("search")).to_have_count(1)
    screenshot(page, f"readers-search-1280-{scheme}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_complaint_link_under_an_article_fills_in_its_address(page, live_server, articles, width, screenshot):
    page.set_viewport_size({"width": width, "height": 900})
    article = articles[2]
    page.goto(live_server.url + article.get_absolute_url())
    page.get_by_role("contentinfo").get_by_role("link", name="Report a copyright infringement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a copyright infringement", timeout=15_000)
    address = page.get_by_label("The article on our site")
    expect(address).to_have_value(live_server.url + article.get_absolute_url())
    assert no_horizontal_scroll(page)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        screenshot(page, f"readers-complaint-form-{width}-{scheme}")
