"""Names in Chromium: what a contributor types that cannot be a tag or a plain-text title is refused
next to its field and kept in the form; names in other scripts make readable addresses a reader
follows from page to page; a missing page, or an address that is no slug, is the site's own 404.

Each journey runs on a phone and a desktop, in light and dark colour schemes, with screenshots
under test-artifacts/screenshots/names-*.png for a person to look at.
"""

import datetime
import re
from urllib.parse import unquote, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from blog.models import Article
from contributions.models import Submission
from core.slugs import slugify
from tests.browser.conftest import BROWSER, DESKTOP, PHONE, no_horizontal_scroll
from tests.browser.reader_site import build_site
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = BROWSER

LOOKS = [
    pytest.param(PHONE, "light", id="phone-light"),
    pytest.param(PHONE, "dark", id="phone-dark"),
    pytest.param(DESKTOP, "light", id="desktop-light"),
    pytest.param(DESKTOP, "dark", id="desktop-dark"),
]


def look(page, viewport, scheme):
    """Sets the page's viewport and colour scheme; returns the name its screenshots carry."""
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme=scheme)
    return f"{'phone' if viewport is PHONE else 'desktop'}-{scheme}"


def watch(page):
    """Uncaught exceptions, console errors and answers of 400 or more, collected for the whole test."""
    problems = []
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: problems.append(f"console: {msg.text} ({msg.location['url']})") if msg.type == "error" else None,
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {unquote(response.url)}") if response.status >= 400 else None
        ),
    )
    return problems


# site.css: --bg and --accent in each scheme
BACKGROUND = {"light": "rgb(255, 255, 255)", "dark": "rgb(18, 19, 22)"}
ACCENT = {"light": "rgb(185, 28, 28)", "dark": "rgb(255, 138, 138)"}


def colour_of(page, selector, prop):
    """The computed `prop` of `selector`, its nearest opaque background for a transparent one."""
    return page.evaluate(
        """([selector, prop]) => {
          let element = document.querySelector(selector);
          let value = getComputedStyle(element)[prop];
          while (prop === 'backgroundColor' && value === 'rgba(0, 0, 0, 0)' && element.parentElement) {
            element = element.parentElement;
            value = getComputedStyle(element)[prop];
          }
          return value;
        }""",
        [selector, prop],
    )


def path_of(page):
    """The address as the address bar shows it: the path, percent-decoded."""
    return unquote(urlsplit(page.url).path)


def assert_fits(page):
    assert no_horizontal_scroll(page), f"{path_of(page)} scrolls sideways at {page.viewport_size['width']} px"
    # Nothing sticks out of the page's width either, even where an overflow is clipped.
    sticking_out = page.evaluate(
        """() => [...document.querySelectorAll('main *, header *, aside *')]
          .filter((element) => element.checkVisibility() && element.getBoundingClientRect().right > innerWidth + 1
            && !element.closest('.visually-hidden, .hp, .skip-link'))
          .map((element) => element.outerHTML.slice(0, 100))"""
    )
    assert sticking_out == [], f"{path_of(page)}: wider than the {page.viewport_size['width']} px screen"


def squeezed_cards(page):
    """Titles of cards without a picture whose text does not take the card's width."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.card')]
          .filter((card) => !card.querySelector('.card__image'))
          .filter((card) => card.querySelector('.card__body').getBoundingClientRect().width
            < card.getBoundingClientRect().width - 1)
          .map((card) => card.querySelector('.card__title').innerText)"""
    )


# 1. The contributor

TITLE_WITH_TAGS = "Why <b>bold</b> type reads louder on a phone"
TITLE = "Why bold type reads louder on a phone"
BODY = (
    "We printed the same paragraph in four weights and asked forty readers on a train which one "
    "they noticed first. Bold won every time, but not for the reason the designers expected: it was "
    "the extra space around the heavy letters, not their darkness, that caught the eye on a small "
    "screen held at arm's length in a moving carriage."
)


@pytest.mark.parametrize(("viewport", "scheme"), LOOKS)
def test_a_contributor_is_told_why_a_tag_and_a_title_are_refused_and_fixes_them(
    page, live_server, screenshot, axe, viewport, scheme
):
    build_site()  # the site as installed: its guidelines page and footer pages
    name = look(page, viewport, scheme)
    problems = watch(page)

    page.goto(live_server.url + reverse("contributions:submit"))
    # The editor is drawn in the site's colours, not a white box on a dark page.
    expect(page.locator(".prose-editor [contenteditable=true]")).to_be_attached()
    assert colour_of(page, ".prose-editor [contenteditable=true]", "backgroundColor") == BACKGROUND[scheme]
    page.get_by_label(re.compile(r"^Your name")).fill("Grace Contributor")
    page.get_by_label(re.compile(r"^Your email")).fill("grace@example.org")
    title = page.get_by_label(re.compile(r"^Title"))
    title.fill(TITLE_WITH_TAGS)
    body = page.locator(".field").filter(has=page.get_by_text("Your article", exact=False)).first
    body.locator('[contenteditable="true"]').click()
    page.keyboard.type(BODY)
    tags = page.get_by_label(re.compile(r"^Suggested tags"))
    tags.fill(">")
    page.get_by_label("I wrote this piece").check()
    screenshot(page, f"names-contributor-{name}-filled")
    page.get_by_role("button", name="Send my article").click()

    # The summary above the form, then each refusal beside its field, read with it by a screen reader.
    summary = page.get_by_role("alert").filter(has_text="Please correct the fields marked below.")
    expect(summary).to_be_visible()
    refusals = {
        title: "This is plain text, and “<b>” is HTML. Leave the tag out, or put a space after “<” to show the sign.",
        tags: "These cannot be tags, having no letter or digit to make an address from: “>”.",
    }
    for field, reason in refusals.items():
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile(re.escape(reason)))
        error = page.locator("#" + field.get_attribute("id") + "_error")
        expect(error).to_have_text(reason)
        expect(error).to_be_visible()
        # Marked as refused, in the colour of its reason.
        assert colour_of(page, "#" + field.get_attribute("id"), "borderTopColor") == ACCENT[scheme]
        assert colour_of(page, "#" + field.get_attribute("id") + "_error", "color") == ACCENT[scheme]
        # Beside its field: just above it, in the same .field box.
        expect(page.locator(".field--error").filter(has=error).filter(has=field)).to_have_count(1)
    expect(page.locator(".errorlist")).to_have_count(2)

    # What they typed is still there, the tags in the title included.
    expect(title).to_have_value(TITLE_WITH_TAGS)
    expect(tags).to_have_value(">")
    expect(page.get_by_label(re.compile(r"^Your name"))).to_have_value("Grace Contributor")
    expect(page.get_by_label(re.compile(r"^Your email"))).to_have_value("grace@example.org")
    expect(body.locator('[contenteditable="true"]')).to_have_text(BODY)
    expect(page.get_by_label("I wrote this piece")).to_be_checked()
    assert not Submission.objects.exists()
    assert_fits(page)
    assert axe(page) == []  # the refusals readable against their background in either scheme
    screenshot(page, f"names-contributor-{name}-refused")

    title.fill(TITLE)
    tags.fill("typography, Ελλάδα")
    page.get_by_role("button", name="Send my article").click()

    expect(page.get_by_role("heading", name="Thank you: we received your article", level=1)).to_be_visible()
    expect(page.get_by_text(f"“{TITLE}” is now with our editors.")).to_be_visible()
    assert_fits(page)
    screenshot(page, f"names-contributor-{name}-received")
    submission = Submission.objects.get()
    assert (submission.title, submission.suggested_tags) == (TITLE, "typography, Ελλάδα")
    # The refused post answered 400 (and Chromium logs that on the console): nothing else went wrong.
    submit_url = live_server.url + reverse("contributions:submit")
    assert problems == [
        f"400 {submit_url}",
        f"console: Failed to load resource: the server responded with a status of 400 (Bad Request) ({submit_url})",
    ]


# 2. The reader

JAPANESE_TITLE = "日本語テスト：東京の新しい図書館は、夜遅くまで開いている静かな読書室を市民に開放しました"
SLUG = "日本語テスト"
CATEGORY = "Επίπεδο 2"
AUTHOR = "Привет Мир"
TAGS = ["हिन्दी समाचार", "Ελλάδα"]


@pytest.fixture
def unicode_article(db):
    build_site()  # a fresh install and a dozen other articles around it
    article = ArticleFactory(
        title=JAPANESE_TITLE,
        slug=SLUG,
        standfirst="新しい図書館の読書室は、平日は夜十時まで開いています。",
        body="".join(
            f"<p>{text}</p>"
            for text in [
                "東京の新しい図書館が今月開館しました。読書室は平日の夜十時まで開いていて、仕事帰りの人が多く訪れています。",
                "館内には三十万冊の本があり、そのうち二万冊は外国語の本です。ギリシャ語やロシア語の新聞も読めます。",
                "館長は「静かに本を読める場所を、もっと遅い時間まで用意したかった」と話しています。",
                "週末には子ども向けの読み聞かせもあり、家族連れでにぎわっています。",
            ]
        ),
        author=AuthorFactory(name=AUTHOR, slug=slugify(AUTHOR), bio="Пишет о библиотеках и городах."),
        category=CategoryFactory(name=CATEGORY, slug=slugify(CATEGORY), description="Ειδήσεις δεύτερου επιπέδου."),
        published_at=timezone.now() - datetime.timedelta(minutes=5),
        tags=TAGS,
    )
    assert (article.author.slug, article.category.slug) == ("привет-мир", "επίπεδο-2")
    assert sorted(article.tags.slugs()) == sorted(["हिन्दी-समाचार", "ελλάδα"])
    return article


@pytest.mark.parametrize(("viewport", "scheme"), LOOKS)
def test_a_reader_follows_names_in_other_scripts_from_page_to_page(
    page, live_server, unicode_article, screenshot, axe, viewport, scheme
):
    name = look(page, viewport, scheme)
    problems = watch(page)
    article_path = unicode_article.get_absolute_url()
    assert unquote(article_path).endswith(f"/{SLUG}/")

    page.goto(live_server.url + "/")
    expect(page.locator(".card__title").filter(has_text=JAPANESE_TITLE).first).to_be_visible()
    assert_fits(page)
    assert squeezed_cards(page) == [], "cards without a picture squeezed into the picture's column"
    screenshot(page, f"names-reader-{name}-home")

    page.get_by_role("heading", name=JAPANESE_TITLE, exact=True).get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(JAPANESE_TITLE)
    assert path_of(page) == unquote(article_path)
    expect(page.locator(".article__category")).to_have_text(CATEGORY)
    expect(page.locator(".article__meta").get_by_role("link", name=AUTHOR)).to_be_visible()
    assert_fits(page)
    assert axe(page) == []
    screenshot(page, f"names-reader-{name}-article")

    page.locator(".article__footer").get_by_role("link", name=TAGS[0], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TAGS[0])
    assert squeezed_cards(page) == []
    assert path_of(page) == "/tag/हिन्दी-समाचार/"
    expect(page.locator(".card__title").filter(has_text=JAPANESE_TITLE)).to_have_count(1)
    assert_fits(page)
    assert axe(page) == []
    screenshot(page, f"names-reader-{name}-tag")

    card = page.locator(".card").filter(has_text=JAPANESE_TITLE)
    card.locator(".card__category").get_by_role("link", name=CATEGORY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CATEGORY)
    assert squeezed_cards(page) == []
    assert path_of(page) == "/category/επίπεδο-2/"
    assert_fits(page)
    screenshot(page, f"names-reader-{name}-category")

    card = page.locator(".card").filter(has_text=JAPANESE_TITLE)
    card.locator(".card__meta").get_by_role("link", name=AUTHOR).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(AUTHOR)
    assert squeezed_cards(page) == []
    assert path_of(page) == "/author/привет-мир/"
    expect(page.locator(".card__title").filter(has_text=JAPANESE_TITLE)).to_have_count(1)
    assert_fits(page)
    screenshot(page, f"names-reader-{name}-author")

    assert problems == []
    assert Article.objects.live().count() == 13


# 3. The site's own 404


@pytest.mark.parametrize(("viewport", "scheme"), LOOKS)
@pytest.mark.parametrize(("where", "path"), [("missing-tag", "/tag/no-such-tag/"), ("not-a-slug", "/tag/%3E/")])
def test_a_missing_page_is_the_sites_own_404_with_its_styles(
    page, live_server, screenshot, axe, viewport, scheme, where, path
):
    build_site()
    name = look(page, viewport, scheme)
    stylesheets = []
    page.on("response", lambda r: stylesheets.append(r.status) if urlsplit(r.url).path.endswith("/site.css") else None)

    response = page.goto(live_server.url + path)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We can’t find that page")
    expect(page.get_by_role("search", name="Search for the missing page")).to_be_visible()
    expect(page.get_by_role("link", name="Go to the home page")).to_be_visible()
    assert stylesheets == [200]
    style = page.evaluate(
        """() => {
          const page = getComputedStyle(document.querySelector('.error-page'));
          const body = getComputedStyle(document.body);
          const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
          return {maxWidth: parseFloat(page.maxWidth) / rem, background: body.backgroundColor, margin: body.margin,
                  header: getComputedStyle(document.querySelector('.site-header')).borderBottomStyle,
                  // Under the footer of this short page: the footer's colour, not a band of page colour.
                  belowFooter: getComputedStyle(document.documentElement).backgroundColor
                    === getComputedStyle(document.querySelector('.site-footer')).backgroundColor};
        }"""
    )
    assert style == {
        "maxWidth": 42,
        "background": BACKGROUND[scheme],
        "margin": "0px",
        "header": "solid",
        "belowFooter": True,
    }
    assert_fits(page)
    assert axe(page) == []
    screenshot(page, f"names-404-{where}-{name}")
