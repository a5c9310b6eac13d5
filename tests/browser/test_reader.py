"""The reader's journeys in Chromium: browsing, searching and commenting on a phone and a desktop,
and the same pages with the keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from discussion.models import Comment
from tests.browser.conftest import BROWSER, DESKTOP, PHONE, images_without_size, no_horizontal_scroll
from tests.browser.reader_site import ARTICLES, SEARCH_WORD, TAG, build_site

pytestmark = BROWSER

VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
COMMENT = "Did you try it on a north-facing window? Mine barely charged there."


@pytest.fixture
def articles(db):
    return build_site()


def assert_fits(page):
    """What every page of a journey must satisfy, whatever the viewport."""
    assert no_horizontal_scroll(page), f"{page.url} scrolls sideways at {page.viewport_size['width']} px"
    assert images_without_size(page) == [], f"{page.url} has images without width and height"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_reader_browses_searches_and_comments(page, live_server, articles, screenshot, axe, viewport):
    page.set_viewport_size(viewport)
    name = "phone" if viewport is PHONE else "desktop"

    # Home: the lead article and the latest ones, more than fit on one page.
    page.goto(live_server.url + "/")
    expect(page.locator(".featured .card__title")).to_have_text(articles[0].title)
    expect(page.get_by_role("navigation", name="Pages").get_by_role("link", name="Older articles")).to_be_visible()
    assert_fits(page)

    # An article, from its card; it has a featured image, the call-out after paragraph 3,
    # the share bar, the comment form and the Facebook button, which nobody clicks here.
    reading = articles[2]
    page.get_by_role("heading", name=reading.title, exact=True).get_by_role("link").click()
    expect(page).to_have_url(live_server.url + reading.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(reading.title)
    expect(page.locator(".article__image img")).to_be_visible()
    expect(page.locator(".article__body > p + p + p + .callout")).to_be_visible()
    expect(
        page.get_by_role("region", name="Share this article").get_by_role("link", name="Share on Facebook")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Leave a Reply")).to_be_visible()
    expect(page.get_by_role("button", name="Show Facebook comments")).to_be_visible()
    expect(page.locator("#facebook-comments-box")).to_be_hidden()
    expect(page.locator("script[src*='facebook']")).to_have_count(0)
    assert_fits(page)

    # Its tag, from the list under the article.
    page.locator(".article__footer").get_by_role("link", name=TAG, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/tag/{TAG}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TAG)
    expect(page.locator(".listing .card")).to_have_count(10)
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    assert_fits(page)

    # Search, with the form in the header.
    search = page.get_by_role("search", name="Site search")
    search.get_by_role("searchbox", name="Search articles").fill(SEARCH_WORD)
    search.get_by_role("searchbox", name="Search articles").press("Enter")
    expect(page).to_have_url(re.compile(rf"/search/\?q={SEARCH_WORD}$"))
    expect(page.locator("#results-title")).to_have_text(f"{ARTICLES} results for “{SEARCH_WORD}”")
    expect(page.locator(".listing .card")).to_have_count(10)
    expect(page.locator(".card__excerpt--snippet mark").first).to_have_text(re.compile(SEARCH_WORD, re.I))
    assert_fits(page)

    # The next page of results.
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Older articles").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page.locator(".listing .card")).to_have_count(ARTICLES - 10)
    assert_fits(page)

    # Back to an article, the first on that page, to leave a comment.
    card_link = page.locator(".listing .card__title a").first
    commenting = next(article for article in articles if article.title == card_link.inner_text())
    card_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(commenting.title)
    form = page.locator("form.comment-form")
    form.get_by_label(re.compile(r"^Comment:?$")).fill(COMMENT)
    form.get_by_label(re.compile(r"^Name:?$")).fill("Rosa Reader")
    form.get_by_label(re.compile(r"^Email:?$")).fill("rosa@example.com")
    form.get_by_role("button", name="Post Comment").click()

    # A first comment from an address waits for an editor: the reader is told so, and it is not shown.
    expect(page).to_have_url(live_server.url + commenting.get_absolute_url() + "#comments")
    # The page opens at the comments: the message must be there, not at the top out of sight.
    expect(page.get_by_role("status").filter(has_text="held for moderation")).to_be_in_viewport()
    expect(page.get_by_text(COMMENT)).to_have_count(0)
    expect(page.get_by_role("heading", name="0 comments", exact=True)).to_be_visible()
    comment = Comment.objects.get()
    assert (comment.comment, comment.user_name, comment.is_public) == (COMMENT, "Rosa Reader", False)
    assert_fits(page)
    assert axe(page) == []
    screenshot(page, f"reader-{name}")


FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex], [contenteditable='true']"

# Marks every element a keyboard user should reach: rendered, enabled, not taken out of the tab
# order on purpose (tabindex=-1) and not hidden from assistive technology.
MARK_TARGETS = """(selector) => {
  const targets = [];
  const skipped = [];
  for (const element of document.querySelectorAll(selector)) {
    if (!element.checkVisibility({ visibilityProperty: true }) || element.disabled || element.closest("[inert]")) {
      continue;
    }
    if (element.tabIndex < 0 || element.closest("[aria-hidden='true']")) {
      skipped.push({ html: element.outerHTML.slice(0, 120), href: element.getAttribute("href") });
      continue;
    }
    element.dataset.keyboardTarget = targets.length;
    targets.push(element.outerHTML.slice(0, 120));
  }
  return { targets, skipped };
}"""

# What has the focus now, whether it shows a ring, and how that ring contrasts with what is around it.
FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body || element === document.documentElement) {
    return null;
  }
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== "none";

  function rgb(color) {
    const [r, g, b, a = 1] = color.match(/[\\d.]+/g).map(Number);
    return { r, g, b, a };
  }
  function luminance({ r, g, b }) {
    const [R, G, B] = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  }
  // The ring is drawn around the element, so it is seen against its parent's background.
  let around = element.parentElement;
  let background = null;
  while (around) {
    const color = rgb(getComputedStyle(around).backgroundColor);
    if (color.a === 1) { background = color; break; }
    around = around.parentElement;
  }
  background = background || { r: 255, g: 255, b: 255 };
  const [lighter, darker] = [luminance(rgb(style.outlineColor)), luminance(background)].sort((x, y) => y - x);
  const box = element.getBoundingClientRect();
  return {
    target: element.dataset.keyboardTarget ?? null,
    html: element.outerHTML.slice(0, 120),
    href: element.getAttribute("href"),
    skipLink: element.classList.contains("skip-link"),
    ring: outline || shadow,
    ringContrast: outline ? (lighter + 0.05) / (darker + 0.05) : null,
    onScreen: box.width > 0 && box.height > 0
      && box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth,
  };
}"""


def tab_through(page, limit=300):
    """Press Tab from the top of the page until the focus leaves it or comes back round; return each stop."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or (stops and focused["html"] == stops[0]["html"]):
            return stops
        stops.append(focused)
    pytest.fail(f"still tabbing after {limit} presses")


@pytest.mark.parametrize(
    ("viewport", "scheme"),
    [
        pytest.param(PHONE, "light", id="phone"),
        pytest.param(DESKTOP, "light", id="desktop"),
        pytest.param(DESKTOP, "dark", id="desktop-dark"),
    ],
)
@pytest.mark.parametrize("where", ["home", "article"])
def test_keyboard_reaches_every_link_with_a_visible_focus_ring(page, live_server, articles, viewport, scheme, where):
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server.url + ("/" if where == "home" else articles[0].get_absolute_url()))
    marked = page.evaluate(MARK_TARGETS, FOCUSABLE)

    stops = tab_through(page)

    assert stops[0]["skipLink"], f"the first Tab stop is {stops[0]['html']}, not the skip link"
    reached = {stop["target"] for stop in stops}
    missed = [html for index, html in enumerate(marked["targets"]) if str(index) not in reached]
    assert missed == [], "never reached with Tab"
    # Links left out of the tab order (a card's picture) must lead where a reachable link leads.
    reached_hrefs = {stop["href"] for stop in stops}
    assert [s["html"] for s in marked["skipped"] if s["href"] and s["href"] not in reached_hrefs] == []
    assert [s["html"] for s in stops if not s["ring"]] == [], "focused without a visible focus ring"
    assert [s["html"] for s in stops if s["ringContrast"] is not None and s["ringContrast"] < 3] == [], (
        "focus ring with less than 3:1 contrast against its background"
    )
    assert [s["html"] for s in stops if not s["onScreen"]] == [], "focused but not on screen"

    # The skip link takes the focus past the header, into the content.
    page.goto(page.url)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
