"""The intake report's table of links on a submission's admin page, on a phone: an address may
break anywhere, but an anchor or a flag ("commercial anchor") breaks between words only."""

import pytest
from playwright.sync_api import expect

from contributions import workflow
from tests.browser.conftest import BROWSER, PHONE, SCREENSHOTS, sign_in

pytestmark = BROWSER

BODY = (
    "<p>" + " ".join(["Storm season is hard on roofs, and small repairs done early save large ones."] * 8) + "</p>"
    '<p>Call <a href="https://summit-roofers.example/emergency">emergency roofing services</a> or find '
    '<a href="https://summit-roofers.example/contact">roofers near me</a> today.</p>'
)

# For each cell of the anchor and flags columns: is it at least as wide as its longest word?
WORDS_FIT = """table => [...table.querySelectorAll("tbody td:not(:first-child)")].map(cell => {
  const probe = document.createElement("span");
  probe.style.whiteSpace = "nowrap";
  cell.appendChild(probe);
  const widest = Math.max(...cell.firstChild.textContent.split(/\\s+/).filter(Boolean).map(word => {
    probe.textContent = word;
    return probe.getBoundingClientRect().width;
  }));
  probe.remove();
  const style = getComputedStyle(cell);
  const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return [cell.textContent.trim(), room + 0.5 >= widest];
})"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_anchors_and_flags_keep_their_words_whole_on_a_phone(browser, live_server, admin_user, scheme):
    submission = workflow.receive(
        workflow.Incoming(
            channel="web", name="Sam Seo", email="sam@example.org", title="Roof care", body=BODY, consent=True
        )
    )
    context = browser.new_context(viewport=PHONE, color_scheme=scheme)
    page = sign_in(context.new_page(), live_server, admin_user)
    try:
        page.goto(f"{live_server.url}/admin/contributions/submission/{submission.pk}/change/")
        table = page.locator("table.links-table")
        expect(table).to_be_visible(timeout=15_000)
        cells = table.evaluate(WORDS_FIT)
        assert any("commercial anchor" in text for text, _fits in cells)
        assert [text for text, fits in cells if not fits] == []
        table.scroll_into_view_if_needed()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        table.screenshot(path=str(SCREENSHOTS / f"admin-intake-links-375-{scheme}.png"))
    finally:
        context.close()
