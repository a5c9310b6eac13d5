"""A contributor revises a piece after "changes requested": replaces a picture, adds one, and sends it.

The form is looked at on a phone and a desktop, light and dark, with axe on it; the screenshots go to
/tmp/shots/ (BYLINE_SHOTS) for a person to look at.
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from contributions import workflow
from contributions.models import Submission, SubmissionEvent, SubmissionImage
from contributions.uploads import process_image
from tests.browser.conftest import BROWSER, DESKTOP, PHONE, no_horizontal_scroll, sign_in
from tests.contributions.conftest import article_text
from tests.factories import UserFactory

pytestmark = BROWSER
SHOTS = Path(os.environ.get("BYLINE_SHOTS", "/tmp/shots"))
WAIT = 15_000


def png(color, size=(640, 400)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def write_png(path, color):
    path.write_bytes(png(color))
    return path


@pytest.fixture
def changes_requested(transactional_db):
    pictures = [
        (None, process_image(png((200, 60, 40)), name="harbour.png")),
        (None, process_image(png((30, 90, 200), (400, 640)), name="crane-at-the-quay.png")),
    ]
    submission = workflow.receive(
        workflow.Incoming(
            channel="web",
            name="Omar Haddad",
            email="omar@example.org",
            title="The new container terminal",
            body=article_text(140, seed="terminal"),
            consent=True,
            images=pictures,
        )
    )
    workflow.request_changes(submission, None, "Please replace the harbour picture and add one of the terminal.")
    return submission


def test_revising_with_pictures(page, live_server, changes_requested, tmp_path, axe):
    SHOTS.mkdir(parents=True, exist_ok=True)
    submission = changes_requested
    url = live_server.url + submission.get_absolute_url()
    page.goto(url)
    form = page.locator("form.revision-form")
    expect(form.get_by_role("group", name=re.compile(r"^Picture 1: harbour\.png"))).to_be_visible(timeout=WAIT)

    for width, size in (("375", PHONE), ("1280", DESKTOP)):
        for scheme in ("light", "dark"):
            page.set_viewport_size(size)
            page.emulate_media(color_scheme=scheme)
            expect(form).to_be_visible(timeout=WAIT)
            assert no_horizontal_scroll(page), f"horizontal scrolling at {width} px, {scheme}"
            page.screenshot(path=str(SHOTS / f"revisions-form-{width}-{scheme}.png"), full_page=True)
            assert axe(page) == [], f"axe at {width} px, {scheme}"
    page.emulate_media(color_scheme="light")

    harbour = form.get_by_role("group", name=re.compile(r"^Picture 1: harbour\.png"))
    harbour.get_by_label("Replace").check()
    form.get_by_label("New picture for picture 1").set_input_files(
        write_png(tmp_path / "harbour-at-dusk.png", (9, 9, 60))
    )
    form.get_by_label(re.compile(r"^Add pictures")).set_input_files(write_png(tmp_path / "terminal.png", (0, 120, 60)))
    form.get_by_label(re.compile(r"^A note to the editor")).fill("New harbour picture, and the terminal.")
    form.get_by_role("button", name="Send the revised version").click()

    expect(page.get_by_text("Thank you: your revised version is back with the editors.")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("heading", name="Status: Received", level=2)).to_be_visible(timeout=WAIT)
    page.screenshot(path=str(SHOTS / "revisions-sent-1280-light.png"), full_page=True)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.RECEIVED
    current = SubmissionImage.objects.filter(submission=submission, removed_at__isnull=True)
    assert [image.original_name for image in current] == [
        "harbour-at-dusk.png",
        "crane-at-the-quay.png",
        "terminal.png",
    ]
    assert SubmissionImage.objects.get(submission=submission, original_name="harbour.png").removed_at is not None
    event = submission.events.filter(kind=SubmissionEvent.Kind.REVISED).get()
    assert event.message == "New harbour picture, and the terminal."
    assert event.data["pictures_replaced"] == [{"old": "harbour.png", "new": "harbour-at-dusk.png"}]
    assert event.data["pictures_added"] == ["terminal.png"]

    # The editors' history says what changed; the replaced picture is gone from the pictures shown.
    editor = UserFactory(is_staff=True, is_superuser=True)
    sign_in(page, live_server, editor)
    page.goto(live_server.url + reverse("admin:contributions_submission_change", args=[submission.pk]))
    expect(page.get_by_text("Picture replaced: harbour.png by harbour-at-dusk.png")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Picture added: terminal.png")).to_be_visible(timeout=WAIT)
    removed = SubmissionImage.objects.get(submission=submission, original_name="harbour.png")
    assert page.locator(f'.submission-images img[src="{removed.image.url}"]').count() == 0
    expect(page.locator(".submission-images img")).to_have_count(3, timeout=WAIT)
    page.screenshot(path=str(SHOTS / "revisions-admin-history-1280-light.png"), full_page=True)


def test_a_refused_picture_is_named_and_the_text_stays(page, live_server, changes_requested, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(live_server.url + changes_requested.get_absolute_url())
    form = page.locator("form.revision-form")
    form.get_by_label(re.compile(r"^Title")).fill("The new container terminal, revised")
    fake = tmp_path / "terminal.png"
    fake.write_bytes(b"not a picture at all")
    form.get_by_label(re.compile(r"^Add pictures")).set_input_files(fake)
    form.get_by_role("button", name="Send the revised version").click()

    expect(page.get_by_text("Please correct the fields marked below.")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text(re.compile("“terminal.png”"))).to_be_visible(timeout=WAIT)
    expect(page.locator("form.revision-form").get_by_label(re.compile(r"^Title"))).to_have_value(
        "The new container terminal, revised", timeout=WAIT
    )
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(SHOTS / f"revisions-error-375-{scheme}.png"), full_page=True)
    changes_requested.refresh_from_db()
    assert changes_requested.status == Submission.Status.CHANGES_REQUESTED


def test_pictures_in_the_text_are_kept_when_the_text_is_edited(page, live_server, tmp_path):
    """The contributor's editor has no picture tool: it drops a document's pictures from the text it shows.
    Unchanged, the text comes back as stored, its picture in place; edited, the picture is put back at its end."""
    html = article_text(80, seed="depot") + '<p><img src="cid:docx-image-0" alt="The depot at night"></p><p>After.</p>'
    submission = workflow.receive(
        workflow.Incoming(
            channel="web",
            name="Omar Haddad",
            email="omar@example.org",
            title="The depot",
            body=html,
            consent=True,
            images=[("docx-image-0", process_image(png((90, 90, 20)), name="piece-image-1.png"))],
        )
    )
    in_text = submission.images.get()
    tag = f'<img src="{in_text.image.url}" alt="The depot at night">'
    for n, edit in enumerate(("", " More words here.")):
        workflow.request_changes(submission, None, "Please add a picture of the yard.")
        page.goto(live_server.url + submission.get_absolute_url())
        form = page.locator("form.revision-form")
        expect(form.get_by_text("The pictures in your text are not shown here.")).to_be_visible(timeout=WAIT)
        expect(form.get_by_text("(in the text)")).to_be_visible(timeout=WAIT)
        if edit:
            form.locator('[contenteditable="true"]').click()
            page.keyboard.press("Control+End")
            page.keyboard.type(edit)
        yard = write_png(tmp_path / f"yard-{n}.png", (0, 60, 90))
        form.get_by_label(re.compile(r"^Add pictures")).set_input_files(yard)
        form.get_by_role("button", name="Send the revised version").click()
        expect(page.get_by_text("Thank you: your revised version is back with the editors.")).to_be_visible(
            timeout=WAIT
        )
        submission.refresh_from_db()
        assert submission.body.count(tag) == 1
        if edit:
            assert submission.body.index("After. More words here.") < submission.body.index(tag)  # at the end
        else:
            assert submission.body.index(tag) < submission.body.index("After.")  # where it was
    assert submission.images.filter(removed_at__isnull=True).count() == 3
