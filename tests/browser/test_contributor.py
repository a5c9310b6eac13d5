"""The contributor's journey: a guest post through /contribute/, then its tracking page.

Everything is done as a person would: labels, the editor's toolbar and keyboard, real files.
The body is typed into the rich-text editor, so a Content-Security-Policy that stops its
scripts (or its styles) fails this test rather than the first contributor.
"""

import io
import re

from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from contributions.models import Submission
from tests.browser.conftest import BROWSER

pytestmark = BROWSER

TITLE = "What a winter of heat-pump readings taught us"
OPENING = (
    "We logged the outdoor temperature, the flow temperature and the electricity meter of a small "
    "terraced house every ten minutes from November to March, and compared them with the gas bills "
    "of the winter before. The numbers surprised the owners and, frankly, us."
)
CLOSING = (
    "None of this needs special equipment: a cheap energy monitor and a notebook get you most of the "
    "way, and the installer will thank you for the data when something needs adjusting."
)


def browser_errors(page):
    """Uncaught exceptions and console errors on the page, collected for the whole test."""
    errors = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: errors.append(f"console: {msg.text} ({msg.location['url']})") if msg.type == "error" else None,
    )
    return errors


def write_image(path, fmt, color):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 360), color).save(buffer, fmt)
    path.write_bytes(buffer.getvalue())
    return path


def test_a_contributor_sends_a_guest_post_and_tracks_it(page, live_server, tmp_path, screenshot):
    errors = browser_errors(page)
    pictures = [
        write_image(tmp_path / "radiator.png", "PNG", (200, 60, 40)),
        write_image(tmp_path / "meter.jpg", "JPEG", (30, 90, 200)),
    ]

    page.goto(live_server.url + reverse("contributions:submit"))
    expect(page.get_by_role("heading", name="Write for us", level=1)).to_be_visible()
    page.get_by_label(re.compile(r"^Your name")).fill("Grace Contributor")
    page.get_by_label(re.compile(r"^Your email")).fill("grace@example.org")
    page.get_by_label(re.compile(r"^Title")).fill(TITLE)

    # The body: typed into the editor, formatted with its toolbar and its keyboard shortcut.
    field = page.locator(".field").filter(has=page.get_by_text("Your article", exact=False)).first
    toolbar = field.locator(".prose-menubar")
    body = field.locator('[contenteditable="true"]')
    body.click()
    page.keyboard.type(OPENING + " ")
    toolbar.get_by_role("button", name="bold", exact=True).click()
    page.keyboard.type("The house used a third less energy")
    toolbar.get_by_role("button", name="bold", exact=True).click()
    page.keyboard.type(" than with the old boiler.")
    page.keyboard.press("Enter")
    page.keyboard.type("What made the difference:")
    page.keyboard.press("Enter")
    toolbar.get_by_role("button", name="unordered list", exact=True).click()
    page.keyboard.type("lower flow temperatures")
    page.keyboard.press("Enter")
    page.keyboard.type("weather compensation")
    page.keyboard.press("Enter")
    page.keyboard.type("leaving it on")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # a second Enter on an empty item leaves the list
    page.keyboard.press("Control+i")
    page.keyboard.type("In short:")
    page.keyboard.press("Control+i")
    page.keyboard.type(" " + CLOSING)
    expect(body.locator("strong")).to_have_text("The house used a third less energy")
    expect(body.locator("ul > li")).to_have_count(3)
    expect(body.locator("em")).to_have_text("In short:")

    page.get_by_label(re.compile(r"^Pictures")).set_input_files(pictures)
    page.get_by_label(re.compile(r"^A short bio")).fill("Grace builds battery test rigs and measures everything.")
    page.get_by_label(re.compile(r"^Suggested tags")).fill("heat pumps, energy")
    page.get_by_label("I wrote this piece").check()
    page.get_by_role("button", name="Send my article").click()

    expect(page.get_by_role("heading", name="Thank you: we received your article", level=1)).to_be_visible()
    expect(page.get_by_text(f"“{TITLE}” is now with our editors.")).to_be_visible()
    tracking = page.locator(".tracking-link a")
    tracking_text = tracking.inner_text()

    tracking.click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Status: Received", level=2)).to_be_visible()
    expect(page.get_by_text("Your article is waiting for an editor.")).to_be_visible()
    screenshot(page, "contributor-tracking")

    submission = Submission.objects.get()
    assert page.url == live_server.url + submission.get_absolute_url()
    assert tracking_text.endswith(submission.get_absolute_url())
    assert submission.status == Submission.Status.RECEIVED
    assert submission.title == TITLE
    assert submission.channel == Submission.Channel.WEB
    assert submission.consent_at is not None
    assert "<strong>The house used a third less energy</strong>" in submission.body
    assert "<ul><li><p>lower flow temperatures</p></li>" in submission.body
    assert "<em>In short:</em>" in submission.body
    assert sorted(image.original_name for image in submission.images.all()) == ["meter.jpg", "radiator.png"]
    assert submission.images.count() == 2
    assert errors == []
