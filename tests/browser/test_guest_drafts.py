"""An accepted guest post in the admin and its public preview: a clean draft (no greeting, no sign-off, the
title's prefixes gone), the first picture proposed as the featured image with the contributor's caption as alt
text (flagged for the editor to check), a category proposed from the tags and the text."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from blog.previews import preview_url
from contributions import workflow
from contributions.uploads import process_image
from tests.browser.conftest import BROWSER, DESKTOP, PHONE, no_horizontal_scroll, sign_in
from tests.browser.test_editor import browser_errors
from tests.conftest import make_image_file
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = BROWSER

SHOTS = Path("/tmp/shots")
TITLE = "What solid-state batteries change"
CAPTION = "The test rig at night, cells wired in series"
TEXT = (
    "<p>Solid-state batteries promise more range and faster charging, but the first cars to carry them will be "
    "expensive. The factories that make the cells are still being built, and nobody knows yet how the new "
    "chemistry ages after ten winters.</p>"
    "<p>We ran twelve cells through a year of charging in a cold garage. The results surprised us: the cells "
    "kept most of their capacity, but the connectors between them did not.</p>"
)


def accepted_guest_post(editor_user):
    cars = CategoryFactory(name="Electric cars", slug="electric-cars")
    CategoryFactory(name="Phones", slug="phones")
    ArticleFactory(category=cars).tags.add("batteries")
    lead = process_image(make_image_file("rig.png", size=(1200, 675), color=(200, 120, 30)), name="rig.png")
    submission = workflow.receive(
        workflow.Incoming(
            channel="web",
            name="Lena Fischer",
            email="lena@example.org",
            title=f"Re: [Guest Post] Guest post: {TITLE}",
            body=(
                "<p>Hi editors,</p>"
                + f'<figure><img src="cid:lead" alt=""><figcaption>{CAPTION}</figcaption></figure>'
                + TEXT
                + "<p>Kind regards,<br>Lena Fischer<br>lena@example.org</p><p>Sent from my iPhone</p>"
            ),
            suggested_tags="batteries, cars",
            consent=True,
            images=[("lead", lead)],
        )
    )
    workflow.claim(submission, editor_user)
    return workflow.accept(submission, editor_user).article


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"drafts-{name}.png"), full_page=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_accepted_draft_in_the_admin_and_its_preview(page, live_server, editor, scheme):
    errors = browser_errors(page)
    page.emulate_media(color_scheme=scheme)
    article = accepted_guest_post(editor)
    sign_in(page, live_server, editor)

    page.goto(live_server.url + reverse("admin:blog_article_change", args=[article.pk]))
    expect(page.get_by_label(re.compile(r"^Title"))).to_have_value(TITLE, timeout=15_000)
    expect(page.locator(".field-category .select2-selection__rendered")).to_have_text(
        re.compile("Electric cars"), timeout=15_000
    )
    expect(page.get_by_label(re.compile(r"^Image alt text"))).to_have_value(CAPTION, timeout=15_000)
    expect(page.get_by_label(re.compile(r"^Image caption"))).to_have_value(CAPTION, timeout=15_000)
    preview = page.locator(".field-image_preview img")
    expect(preview).to_be_visible(timeout=15_000)
    assert preview.evaluate("img => img.complete && img.naturalWidth > 0")
    checklist = page.locator("fieldset.checklist-fieldset")
    expect(checklist.locator('[data-check="featured_image_alt"]')).to_contain_text(
        f"repeats its caption (“{CAPTION}”)", timeout=15_000
    )
    expect(checklist.locator('[data-check="category"]')).to_contain_text("Passed", timeout=15_000)
    expect(checklist.locator('[data-check="salutation"]')).to_contain_text("Passed", timeout=15_000)
    body = page.locator(".form-row.field-body [contenteditable='true']")
    expect(body).to_contain_text("Solid-state batteries promise", timeout=15_000)
    expect(body.locator("img")).to_have_count(0, timeout=15_000)  # the opening picture moved up, as the featured one
    expect(body).not_to_contain_text("Hi editors", timeout=15_000)
    expect(body).not_to_contain_text("Kind regards", timeout=15_000)
    page.set_viewport_size(DESKTOP)
    shoot(page, f"admin-article-1280-{scheme}")

    # The public preview, as readers will see it once published.
    for name, size in (("375", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.goto(live_server.url + preview_url(article))
        expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible(timeout=15_000)
        lead = page.get_by_role("img", name=CAPTION)
        expect(lead).to_have_count(1, timeout=15_000)  # shown once
        expect(lead).to_be_visible(timeout=15_000)
        assert lead.evaluate("img => img.complete && img.naturalWidth > 0")
        text = page.locator(".article__body")
        expect(text).not_to_contain_text("Hi editors", timeout=15_000)
        expect(text).not_to_contain_text("Sent from my iPhone", timeout=15_000)
        assert no_horizontal_scroll(page)
        shoot(page, f"preview-{name}-{scheme}")
    assert errors == []
