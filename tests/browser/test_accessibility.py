"""axe-core on the pages readers and contributors land on, in light and dark colour schemes,
on a phone and a desktop: no serious or critical violations."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BROWSER, DESKTOP, PHONE, no_horizontal_scroll
from tests.browser.reader_site import SEARCH_WORD, TAG, build_site

pytestmark = BROWSER

# Each page, and what shows it is ready to be checked (scripts that change the page have run).
PAGES = {
    "home": ("/", ".featured .card"),
    "article": (None, ".share-bar"),
    "tag": (f"/tag/{TAG}/", ".listing .card"),
    "search": (f"/search/?q={SEARCH_WORD}", ".listing .card"),
    "contribute": ("/contribute/", ".ProseMirror[role='textbox']"),
    "complaint": ("/copyright/complaint/", "form.stacked-form"),
}

# "#id" links (skip link, "Topics", comment anchors) must lead somewhere on the page.
IN_PAGE_LINKS_WITHOUT_TARGET = """() => [...document.querySelectorAll("a[href^='#']")]
  .map((link) => link.getAttribute("href"))
  .filter((href) => href.length > 1 && !document.getElementById(decodeURIComponent(href.slice(1))))"""


@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_violations(page, live_server, axe, screenshot, scheme, viewport):
    articles = build_site()  # with a Facebook app id: its button is on the article page, never clicked
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme=scheme)

    found = {}
    for name, (path, ready) in PAGES.items():
        page.goto(live_server.url + (path or articles[0].get_absolute_url()))
        expect(page.locator(ready).first).to_be_attached()
        violations = axe(page)
        if violations:
            found[name] = violations
        assert no_horizontal_scroll(page), f"{name} scrolls sideways at {viewport['width']} px"
        assert page.evaluate(IN_PAGE_LINKS_WITHOUT_TARGET) == [], f"{name} has links to nothing on the page"
    if viewport is DESKTOP:
        screenshot(page, f"accessibility-{scheme}")  # the last page checked: the complaint form
    assert found == {}
