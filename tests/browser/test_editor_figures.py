"""Figures in the article editor (issue 19), in Chromium: the image button's dialog (library and
upload), pasting a picture file, how figures behave under the keyboard, and what is saved.

The editor's code is static/js/editor-figures.js and editor-figures-dialog.js; the library's
endpoints are library/views.py; the server's refusal of a figure without its picture is
core/figures.py.
"""

import base64
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from blog.models import Article
from library.models import Image
from tests.browser.conftest import BROWSER, DESKTOP, PHONE, SCREENSHOTS
from tests.browser.test_editor import browser_errors, log_in, move_caret
from tests.conftest import make_image_file
from tests.factories import DraftFactory

pytestmark = BROWSER

FIGURE = re.compile(r"<figure>(.*?)</figure>", re.DOTALL)


@pytest.fixture(autouse=True)
def _leave_the_page(page):
    """Off the admin page before the database is flushed: nothing the page still sends (an autosave)
    reaches the server while the flush runs."""
    yield
    page.goto("about:blank")


@pytest.fixture
def library_editor(fresh_install, editor):
    """tests.conftest's editor (Editors group, a known password), who may use the library."""
    return editor


def library_image(name, alt, color, caption=""):
    image, _created = Image.objects.add(make_image_file(name, color=color), filename=name, alt=alt)
    if caption:
        image.caption = caption
        image.save()
    return image


def open_article(page, live_server, article):
    page.goto(live_server.url + reverse("admin:blog_article_change", args=[article.pk]))
    body = page.locator(".form-row.field-body").locator('[contenteditable="true"]')
    expect(body).to_be_visible()
    return body


def toolbar(page):
    return page.locator(".form-row.field-body .prose-menubar")


def body_html(page):
    """What the form would send: the textarea the editor keeps up to date."""
    return page.locator(".form-row.field-body textarea").input_value()


def visible_part(page, name):
    """A screenshot of what the screen shows (a modal dialog's backdrop covers only that)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def picture_dialog(page):
    return page.get_by_role("dialog", name=re.compile(r"Insert a picture|Change the picture"))


def test_an_editor_inserts_a_picture_from_the_library(page, live_server, library_editor):
    errors = browser_errors(page)
    bicycle = library_image("bicycle.png", "A red bicycle against a wall", (200, 30, 30), caption="Parked")
    library_image("harbour.png", "Boats in the harbour at dawn", (30, 90, 200))
    article = DraftFactory(body="<p>The ride began at seven.</p>")
    log_in(page, live_server, library_editor)
    body = open_article(page, live_server, article)
    body.get_by_text("The ride began at seven.").click()
    move_caret(body, "End")

    toolbar(page).get_by_role("button", name="figure").click()
    dialog = picture_dialog(page)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("tab", name="Library")).to_have_attribute("aria-selected", "true")
    expect(dialog.get_by_label("Search the library")).to_be_focused()
    expect(dialog.locator(".figure-dialog__choice")).to_have_count(2)

    # Searching narrows the thumbnails; picking one fills in its alt text and caption.
    dialog.get_by_label("Search the library").fill("bicycle")
    expect(dialog.locator(".figure-dialog__choice")).to_have_count(1)
    dialog.get_by_role("button", name="A red bicycle against a wall").click()
    expect(dialog.get_by_role("button", name="A red bicycle against a wall")).to_have_attribute("aria-pressed", "true")
    expect(dialog.get_by_label("Alt text (required)")).to_have_value("A red bicycle against a wall")
    expect(dialog.get_by_label("Caption (optional)")).to_have_value("Parked")

    # The alt text is required: the dialog refuses to insert without it.
    dialog.get_by_label("Alt text (required)").fill("   ")
    dialog.get_by_role("button", name="Insert").click()
    expect(dialog.get_by_role("alert")).to_contain_text("The alt text is required")
    expect(dialog.get_by_label("Alt text (required)")).to_be_focused()
    assert "<figure>" not in body_html(page)

    dialog.get_by_label("Alt text (required)").fill("A red bicycle leaning on a brick wall")
    dialog.get_by_label("Caption (optional)").fill("Ready for the ride")
    dialog.get_by_role("button", name="Insert").click()
    expect(dialog).to_have_count(0)
    expect(body.locator(f'figure img[src="{bicycle.url}"]')).to_have_count(1)
    assert FIGURE.findall(body_html(page)) == [
        f'<img src="{bicycle.url}" alt="A red bicycle leaning on a brick wall" width="800" height="450">'
        "<figcaption>Ready for the ride</figcaption>"
    ]

    # Typing now writes a new paragraph below the figure.
    page.keyboard.type("Then the hills.")
    expect(body.locator("figure + p")).to_have_text("Then the hills.")
    expect(body.locator(f'figure img[src="{bicycle.url}"]')).to_have_count(1)
    assert errors == []


def test_an_editor_uploads_a_picture_in_the_dialog_and_saves(page, live_server, library_editor):
    errors = browser_errors(page)
    article = DraftFactory(body="<p>Our new office.</p>")
    log_in(page, live_server, library_editor)
    body = open_article(page, live_server, article)
    body.get_by_text("Our new office.").click()
    move_caret(body, "End")
    toolbar(page).get_by_role("button", name="figure").click()
    dialog = picture_dialog(page)
    expect(dialog.get_by_text("The library has no pictures yet: upload one.")).to_be_visible()

    # The tabs answer the arrow keys.
    dialog.get_by_role("tab", name="Library").focus()
    page.keyboard.press("ArrowRight")
    expect(dialog.get_by_role("tab", name="Upload")).to_be_focused()
    expect(dialog.get_by_role("tab", name="Upload")).to_have_attribute("aria-selected", "true")
    expect(dialog.get_by_label("Search the library")).to_be_hidden()

    dialog.get_by_role("button", name="Insert").click()
    expect(dialog.get_by_role("alert")).to_have_text("Choose the picture file to upload.")
    picture = make_image_file("office.png", size=(640, 480), color=(90, 140, 60))
    dialog.get_by_label("Picture file").set_input_files(
        {"name": "office.png", "mimeType": "image/png", "buffer": picture.read()}
    )
    dialog.get_by_role("button", name="Insert").click()
    expect(dialog.get_by_role("alert")).to_contain_text("The alt text is required")
    assert not Image.objects.exists()  # nothing is uploaded without its alt text

    dialog.get_by_label("Alt text (required)").fill("Desks by the window of the new office")
    dialog.get_by_role("button", name="Insert").click()
    expect(dialog).to_have_count(0)
    image = Image.objects.get()
    assert image.alt == "Desks by the window of the new office"
    assert (image.width, image.height) == (640, 480)
    expect(body.locator(f'figure img[src="{image.url}"]')).to_have_count(1)

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert article.body == (
        "<p>Our new office.</p>"
        f'<figure><img src="{image.url}" alt="Desks by the window of the new office" width="640" height="480">'
        "</figure><p></p>"  # the paragraph below the figure, where the cursor went
    )

    # Readers get it as a figure whose picture carries its size.
    Article.objects.filter(pk=article.pk).update(
        status=Article.Status.PUBLISHED, published_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    article.refresh_from_db()
    page.goto(live_server.url + article.get_absolute_url())
    shown = page.locator(".article__body figure").get_by_role("img", name="Desks by the window of the new office")
    expect(shown).to_have_attribute("width", "640")
    expect(shown).to_have_attribute("height", "480")
    assert shown.evaluate("img => img.complete && img.naturalWidth") == 640
    assert errors == []


PNG_BASE64 = base64.b64encode(make_image_file("pasted.png", size=(300, 200), color=(240, 200, 40)).read()).decode()


def test_pasting_a_picture_file_uploads_it_after_asking_for_its_alt_text(page, live_server, library_editor):
    errors = browser_errors(page)
    article = DraftFactory(body="<p>Look at this.</p>")
    log_in(page, live_server, library_editor)
    body = open_article(page, live_server, article)
    body.get_by_text("Look at this.").click()
    move_caret(body, "End")
    body.evaluate(
        """(el, data) => {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "pasted.png", {type: "image/png"}));
            el.dispatchEvent(new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true, cancelable: true}));
        }""",
        PNG_BASE64,
    )
    dialog = picture_dialog(page)
    expect(dialog.get_by_role("tab", name="Upload")).to_have_attribute("aria-selected", "true")
    expect(dialog.get_by_text("To upload: pasted.png")).to_be_visible()
    expect(dialog.get_by_label("Alt text (required)")).to_be_focused()
    page.keyboard.type("A yellow square")
    page.keyboard.press("Enter")  # submits the dialog
    expect(dialog).to_have_count(0)
    image = Image.objects.get()
    assert (image.alt, image.width, image.height) == ("A yellow square", 300, 200)
    expect(body.locator(f'p + figure img[src="{image.url}"][alt="A yellow square"]')).to_have_count(1)
    assert errors == []


def test_dropping_a_picture_file_uploads_it_where_it_was_dropped(page, live_server, library_editor):
    errors = browser_errors(page)
    article = DraftFactory(body="<p>First.</p><p>Second.</p>")
    log_in(page, live_server, library_editor)
    body = open_article(page, live_server, article)
    body.get_by_text("First.").evaluate(
        """(el, data) => {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "dropped.png", {type: "image/png"}));
            const box = el.getBoundingClientRect();
            el.dispatchEvent(new DragEvent("drop", {
                dataTransfer: transfer, bubbles: true, cancelable: true,
                clientX: box.left + 5, clientY: box.top + box.height / 2,
            }));
        }""",
        PNG_BASE64,
    )
    dialog = picture_dialog(page)
    dialog.get_by_label("Alt text (required)").fill("A dropped square")
    dialog.get_by_role("button", name="Insert").click()
    expect(dialog).to_have_count(0)
    image = Image.objects.get()
    # Below the paragraph it was dropped on, above the next one.
    expect(body.locator("p:first-child + figure img")).to_have_attribute("src", image.url)
    expect(body.locator("figure ~ p").last).to_have_text("Second.")
    assert errors == []


def figure_body(image, caption="On the quay"):
    return (
        "<p>Before the picture.</p>"
        f'<figure><img src="{image.url}" alt="Boats" width="800" height="450">'
        f"<figcaption>{caption}</figcaption></figure>"
        "<p>After the picture.</p>"
    )


def test_a_selected_figure_keeps_its_picture_when_typing_and_enter_leaves_its_caption(
    page, live_server, library_editor
):
    errors = browser_errors(page)
    image = library_image("boats.png", "Boats", (30, 90, 200))
    article = DraftFactory(body=figure_body(image))
    log_in(page, live_server, library_editor)
    body = open_article(page, live_server, article)

    # Typing with the picture selected: a new paragraph below the figure, the picture kept.
    body.locator("figure img").click()
    expect(body.locator("figure img.ProseMirror-selectednode")).to_have_count(1)
    page.keyboard.type("Typed after.")
    expect(body.locator("figure + p")).to_have_text("Typed after.")
    expect(body.locator(f'figure img[src="{image.url}"]')).to_have_count(1)

    # Enter at the end of the caption: out of the figure, into a new paragraph after it.
    body.locator("figcaption").click()
    move_caret(body, "End")
    page.keyboard.press("Enter")
    page.keyboard.type("Out of the caption.")
    expect(body.locator("figcaption")).to_have_text("On the quay")
    expect(body.locator("figure + p")).to_have_text("Out of the caption.")
    html = body_html(page)
    assert FIGURE.findall(html) == [
        f'<img src="{image.url}" alt="Boats" width="800" height="450"><figcaption>On the quay</figcaption>'
    ]
    assert html.endswith("<p>Out of the caption.</p><p>Typed after.</p><p>After the picture.</p>")
    assert errors == []


def test_the_image_button_on_a_figure_changes_its_picture(page, live_server, library_editor):
    errors = browser_errors(page)
    boats = library_image("boats.png", "Boats", (30, 90, 200))
    field = library_image("field.png", "A green field", (90, 160, 60))
    article = DraftFactory(body=figure_body(boats))
    log_in(page, live_server, library_editor)
    body = open_article(page, live_server, article)
    body.locator("figcaption").click()
    toolbar(page).get_by_role("button", name="figure").click()
    dialog = page.get_by_role("dialog", name="Change the picture")
    expect(dialog.get_by_text("The current picture.")).to_be_visible()
    expect(dialog.get_by_label("Alt text (required)")).to_have_value("Boats")
    expect(dialog.get_by_label("Caption (optional)")).to_have_count(0)  # it has one, edited in place
    dialog.get_by_role("button", name="A green field").click()
    dialog.get_by_role("button", name="Update").click()
    expect(dialog).to_have_count(0)
    assert FIGURE.findall(body_html(page)) == [
        f'<img src="{field.url}" alt="A green field" width="800" height="450"><figcaption>On the quay</figcaption>'
    ]
    assert errors == []


def test_deleting_a_figure_removes_it_whole(page, live_server, library_editor):
    errors = browser_errors(page)
    image = library_image("boats.png", "Boats", (30, 90, 200))
    article = DraftFactory(body=figure_body(image) + figure_body(image, caption="Second"))
    log_in(page, live_server, library_editor)
    body = open_article(page, live_server, article)

    # The picture selected, Delete: the figure goes, caption and all.
    body.locator("figure img").first.click()
    page.keyboard.press("Delete")
    expect(body.locator("figure")).to_have_count(1)
    expect(body.locator("figcaption")).to_have_text("Second")

    # Backspace at the start of the paragraph after a figure selects it, the next removes it.
    body.get_by_text("After the picture.").last.click()
    move_caret(body, "Home")
    page.keyboard.press("Backspace")
    expect(body.locator("figure.ProseMirror-selectednode")).to_have_count(1)
    page.keyboard.press("Backspace")
    expect(body.locator("figure")).to_have_count(0)
    html = body_html(page)
    assert "<img" not in html and "figcaption" not in html
    assert html.count("After the picture.") == 2

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert "<figure" not in article.body and "<img" not in article.body
    assert errors == []


def test_a_forged_body_with_an_empty_figure_is_refused_with_a_message(page, live_server, library_editor):
    article = DraftFactory(body="<p>Kept as it was.</p>")
    log_in(page, live_server, library_editor)
    open_article(page, live_server, article)
    # What an old editor saved (issue 19): a figure whose picture lost its address.
    page.locator(".form-row.field-body textarea").evaluate(
        """el => { el.value = '<p>Kept as it was.</p><figure><img contenteditable="false" draggable="true">'
                   + '<figcaption>The harbour</figcaption></figure>'; }"""
    )
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".form-row.field-body .errorlist")).to_contain_text(
        "Not saved: a figure has lost its picture (“The harbour”)."
    )
    article.refresh_from_db()
    assert article.body == "<p>Kept as it was.</p>"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_screenshots_of_the_dialog_and_a_figure(page, live_server, library_editor, viewport, scheme, axe):
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme=scheme)
    for n, (name, color) in enumerate([("harbour", (30, 90, 200)), ("field", (90, 160, 60)), ("brick", (170, 70, 40))]):
        library_image(f"{name}.png", f"Picture of the {name}", color, caption=f"Caption {n}")
    image = Image.objects.get(alt="Picture of the harbour")
    article = DraftFactory(body=figure_body(image))
    log_in(page, live_server, library_editor)
    body = open_article(page, live_server, article)
    width = viewport["width"]
    body.locator("figure img").click()
    body.locator("figure").scroll_into_view_if_needed()
    visible_part(page, f"editor-figure-{width}-{scheme}")

    body.get_by_text("After the picture.").click()  # below the figure: its caption menu covers the paragraph above
    toolbar(page).get_by_role("button", name="figure").click()
    dialog = picture_dialog(page)
    expect(dialog.locator(".figure-dialog__choice")).to_have_count(3)
    dialog.get_by_role("button", name="Picture of the field").click()
    visible_part(page, f"editor-dialog-{width}-{scheme}")
    # axe finds nothing serious in the dialog (the rest of the admin is not this test's).
    assert [v for v in axe(page) if any("figure-dialog" in str(target) for target in v[1])] == []
    # On a phone the dialog fits the screen: nothing sticks out sideways.
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
