"""The image library in the admin: upload two pictures with the file picker (progress, results),
send one again (kept once), open a new picture's page, click on it to set its focal point, save.

Screenshots of the upload page, the detail page and the list, at 1280 and 375 px, light and
dark, go to /tmp/shots/library-*.png (BYLINE_LIBRARY_SHOTS to change it) for a person to look at.
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image as PillowImage
from playwright.sync_api import expect

from library import usage
from library.models import Image
from tests.browser.conftest import BROWSER, DESKTOP, PHONE
from tests.factories import UserFactory

pytestmark = BROWSER

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
SHOTS = Path(os.environ.get("BYLINE_LIBRARY_SHOTS", "/tmp/shots"))

# Records, from before any file is chosen, whether a result row showed a progress bar.
WATCH_PROGRESS = """() => {
  window.libraryProgressSeen = 0;
  new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) {
      if (node.nodeType === 1 && node.querySelector("progress")) window.libraryProgressSeen += 1;
    }
  }).observe(document.querySelector("[data-results]"), {childList: true});
}"""


def jpeg(color, size=(1200, 800)):
    buffer = io.BytesIO()
    picture = PillowImage.new("RGB", size, color)
    # A darker block, so the focal point has something to be on in the screenshots.
    picture.paste(tuple(c // 3 for c in color), (size[0] // 8, size[1] // 2, size[0] // 3, size[1] - size[1] // 8))
    picture.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def dropped(page, *pictures):
    """A DataTransfer holding JPEG files made of `pictures` (bytes), as a drop from the desktop brings."""
    return page.evaluate_handle(
        """(pictures) => {
            const transfer = new DataTransfer();
            pictures.forEach((bytes, n) => transfer.items.add(
                new File([new Uint8Array(bytes)], `dropped-${n}.jpg`, {type: "image/jpeg"})));
            return transfer;
        }""",
        [list(picture) for picture in pictures],
    )


def shots(page, name):
    """The page at 1280 and 375 px, light and dark; the viewport and scheme as they were afterwards."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width_name, viewport in (("1280", DESKTOP), ("375", PHONE)):
        page.set_viewport_size(viewport)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.screenshot(path=str(SHOTS / f"library-{name}-{width_name}-{scheme}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.emulate_media(color_scheme="light")


@pytest.fixture
def errors(page):
    found = []
    page.on("pageerror", lambda exc: found.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: found.append(f"console: {msg.text}") if msg.type == "error" else None)
    return found


def test_upload_two_pictures_then_set_a_focal_point(page, live_server, errors, request, axe):
    user = UserFactory(is_staff=True, is_superuser=True)
    page.goto(live_server.url + reverse("admin:library_image_add"))
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label(re.compile(r"^Username")).fill(user.username)
    page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Upload pictures")).to_be_visible()
    assert axe(page) == []  # before the screenshots: switching the colour scheme leaves colours mid-transition
    shots(page, "upload-empty")

    page.evaluate(WATCH_PROGRESS)
    harbour, field = jpeg((40, 110, 190)), jpeg((190, 150, 40))
    page.get_by_label("or choose them:").set_input_files(
        [
            {"name": "Harbour at dawn.jpg", "mimeType": "image/jpeg", "buffer": harbour},
            {"name": "wheat-field.jpg", "mimeType": "image/jpeg", "buffer": field},
        ]
    )
    rows = page.locator(".library-result")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Harbour at dawn.jpg")
    expect(rows.nth(0)).to_contain_text("New picture, 1200 × 800.")
    expect(rows.nth(1)).to_contain_text("New picture, 1200 × 800.")
    assert page.evaluate("() => window.libraryProgressSeen") == 2
    expect(page.locator(".library-result progress")).to_have_count(0)  # each bar gives way to its result
    assert Image.objects.count() == 2

    # The same picture again, and a file that is no picture.
    page.get_by_label("or choose them:").set_input_files(
        [
            {"name": "harbour-copy.jpg", "mimeType": "image/jpeg", "buffer": harbour},
            {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"just some text"},
        ]
    )
    expect(rows).to_have_count(4)
    expect(rows.nth(2)).to_contain_text("Already in the library")
    expect(rows.nth(3)).to_contain_text("Not uploaded: “notes.jpg” is not a JPEG, PNG, WebP or GIF image.")
    assert Image.objects.count() == 2
    expect(page.locator(".library-result-thumb").first).to_have_attribute("src", re.compile(r"\.webp$"))
    shots(page, "upload-results")

    # The list flags both: no alt text yet. The harbour is used in two articles (a provider as the blog's).
    harbour_image = Image.objects.get(file__endswith="harbour-at-dawn.jpg")

    def articles(images):
        uses = [
            usage.Use("Article “Dawn at sea”", "/admin/blog/article/1/change/", "/dawn/"),
            usage.Use("Article “Harbours of Brittany”", "/admin/blog/article/2/change/"),
        ]
        return {image.pk: uses for image in images if image.pk == harbour_image.pk}

    usage.register(articles)
    request.addfinalizer(lambda: usage.unregister(articles))
    page.goto(live_server.url + reverse("admin:library_image_changelist"))
    expect(page.get_by_text("No alt text")).to_have_count(2)
    expect(page.get_by_text("2 places")).to_be_visible()
    assert axe(page) == []
    shots(page, "list")

    # Dropped on the zone: the same picture once more, and a new one.
    page.goto(live_server.url + reverse("admin:library_image_add"))
    transfer = dropped(page, harbour, jpeg((90, 160, 60)))
    page.locator("[data-dropzone]").dispatch_event("drop", {"dataTransfer": transfer})
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Already in the library")
    expect(rows.nth(1)).to_contain_text("New picture")
    assert Image.objects.count() == 3
    rows.nth(0).get_by_role("link", name="Open it").click()
    expect(page).to_have_url(re.compile(rf"/admin/library/image/{harbour_image.pk}/change/"))

    expect(page.get_by_text("Used in 2 places:")).to_be_visible()
    expect(page.get_by_role("link", name="Article “Harbours of Brittany”")).to_have_attribute(
        "href", "/admin/blog/article/2/change/"
    )
    # Django's breadcrumbs (links told from text by colour only, axe says on this page) are not the library's.
    assert [(rule, targets) for rule, targets in axe(page) if not all(".breadcrumbs" in t[0] for t in targets)] == []
    picture = page.locator("[data-focal-image]")
    expect(picture).to_be_visible()
    box = picture.bounding_box()
    picture.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.7})
    focal_x = float(page.get_by_label("Focal point, across").input_value())
    focal_y = float(page.get_by_label("Focal point, down").input_value())
    assert abs(focal_x - 0.25) < 0.02 and abs(focal_y - 0.7) < 0.02
    expect(page.locator("[data-focal-readout]")).to_contain_text(f"{focal_x:.2f} across")

    # The keyboard moves it too, from the picture; the number inputs move the marker.
    page.locator("[data-focal-picture]").focus()
    page.keyboard.press("ArrowRight")
    assert float(page.get_by_label("Focal point, across").input_value()) == pytest.approx(focal_x + 0.02, abs=0.001)
    page.get_by_label("Focal point, across").fill("0.3")
    expect(page.locator("[data-focal-marker]")).to_have_attribute("style", re.compile(r"left: 30%"))

    page.get_by_label("Alt text").fill("Fishing boats in a harbour at dawn")
    shots(page, "detail")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    harbour_image.refresh_from_db()
    assert harbour_image.alt == "Fishing boats in a harbour at dawn"
    assert harbour_image.focal_x == pytest.approx(0.3)
    assert harbour_image.focal_y == pytest.approx(focal_y)
    expect(page.locator("[data-focal-marker]")).to_have_attribute("style", re.compile(r"left: 30%"))
    # The one failed request is the refused text file's (400, shown above as its result).
    assert [e for e in errors if "status of 400" not in e] == []
    assert len(errors) == 1
