"""Listing cards say whether they have a picture (the stylesheet gives the picture's column only to
those that do), and the search page has one search box, not the header's too."""

import re

import pytest
from django.urls import reverse

from tests.conftest import make_image_file
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def card_classes(html):
    """{title: the card's classes} for every card on the page."""
    cards = re.findall(
        r'<article class="(card[^"]*)">.*?<h2 class="card__title"><a href="[^"]*">([^<]*)</a>', html, re.S
    )
    return {title: set(classes.split()) for classes, title in cards}


@pytest.fixture
def listed(db):
    pictured = ArticleFactory(title="With a picture", featured_image=make_image_file(), tags=["solar"])
    bare = ArticleFactory(title="Without a picture", tags=["solar"])
    lead = ArticleFactory(title="The lead, bare", is_featured=True, tags=["solar"])
    return pictured, bare, lead


@pytest.mark.parametrize(
    "url",
    [
        lambda a: reverse("blog:home"),
        lambda a: reverse("blog:tag-detail", kwargs={"slug": "solar"}),
        lambda a: a.category.get_absolute_url(),
        lambda a: a.author.get_absolute_url(),
        lambda a: reverse("blog:archive-month", kwargs={"year": a.published_at.year, "month": a.published_at.month}),
        lambda a: reverse("blog:search") + "?q=picture",
    ],
    ids=["home", "tag", "category", "author", "archive", "search"],
)
def test_cards_with_and_without_a_picture_are_told_apart(client, listed, url):
    pictured, bare, _lead = listed
    for article in (pictured, bare):
        cards = card_classes(client.get(url(article)).content.decode())
        if article.title in cards:
            expected = "card--image" if article is pictured else "card--no-image"
            other = "card--no-image" if article is pictured else "card--image"
            assert expected in cards[article.title] and other not in cards[article.title], (article.title, cards)
    cards = card_classes(client.get(url(bare)).content.decode())
    assert "Without a picture" in cards


def test_the_home_page_lead_without_a_picture_is_one_column(client, listed):
    cards = card_classes(client.get(reverse("blog:home")).content.decode())
    assert cards["The lead, bare"] == {"card", "card--lead", "card--no-image"}
    assert cards["With a picture"] == {"card", "card--image"}


def test_the_search_page_has_one_search_box(client, listed):
    html = client.get(reverse("blog:search"), {"q": "picture"}).content.decode()
    assert html.count('type="search"') == 1
    assert html.count('role="search"') == 1
    assert 'id="page-search"' in html and 'id="header-search"' not in html
    assert 'class="site-header site-header--no-search"' in html


def test_other_pages_keep_the_header_search_box(client, listed):
    for url in (
        reverse("blog:home"),
        listed[0].get_absolute_url(),
        reverse("blog:tag-detail", kwargs={"slug": "solar"}),
    ):
        html = client.get(url).content.decode()
        assert html.count('type="search"') == 1, url
        assert 'id="header-search"' in html, url
