"""The contributor follows an accepted piece to publication, and proposes their author profile.

The tracking page of a published piece links to it; the profile form (bio, website, a picture)
is sent from the same page and waits for an editor.
"""

import io
import re

from django.db import transaction
from PIL import Image
from playwright.sync_api import expect

from blog import publishing
from contributions import workflow
from contributions.models import ProfileChange
from tests.browser.conftest import BROWSER, DESKTOP, PHONE
from tests.factories import CategoryFactory

pytestmark = BROWSER
SHORT = 15_000  # ms: a page of this server answers well within this

TITLE = "What a winter of heat-pump readings taught us"
BODY = "<p>" + " ".join(["We logged the flow temperature and the meter every ten minutes."] * 12) + "</p>"


def accepted_piece(editor):
    incoming = workflow.Incoming(
        channel="web",
        name="Grace Contributor",
        email="grace@example.org",
        title=TITLE,
        body=BODY,
        bio="Grace builds battery test rigs.",
        consent=True,
    )
    submission = workflow.receive(incoming)
    workflow.accept(submission, editor)
    submission.refresh_from_db()
    return submission


def publish(submission):
    with transaction.atomic():
        article = submission.article
        article.category = CategoryFactory()
        publishing.publish_now(article)
    return article


def write_picture(path):
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (40, 120, 90)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_published_piece_links_to_the_article_and_the_profile_is_proposed(
    page, live_server, editor, tmp_path, screenshot
):
    submission = accepted_piece(editor)
    article = publish(submission)
    tracking = live_server.url + submission.get_absolute_url()

    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.goto(tracking)
        expect(page.get_by_role("heading", name="Status: Published")).to_be_visible(timeout=SHORT)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(page.get_by_role("listitem").filter(has_text="Published")).to_have_count(1, timeout=SHORT)

    page.get_by_role("link", name="Read it on the site").click()
    expect(page).to_have_url(live_server.url + article.get_absolute_url(), timeout=SHORT)
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible(timeout=SHORT)

    page.goto(tracking)
    profile = page.get_by_role("region", name="Your author profile")
    expect(profile.get_by_label("Short bio")).to_have_value("Grace builds battery test rigs.", timeout=SHORT)
    profile.get_by_label("Website").fill("not a website")
    profile.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("Enter a valid URL.")).to_be_visible(timeout=SHORT)
    profile = page.get_by_role("region", name="Your author profile")
    expect(profile.get_by_label("Website")).to_have_value("not a website", timeout=SHORT)  # kept

    profile.get_by_label("Short bio").fill("Grace builds battery rigs, and writes about what they show.")
    profile.get_by_label("Website").fill("https://grace.example.org/")
    profile.get_by_label(re.compile("^Picture")).set_input_files(write_picture(tmp_path / "grace.png"))
    profile.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("Thank you: an editor will look at your profile")).to_be_visible(timeout=SHORT)
    expect(page.get_by_role("status").filter(has_text="is waiting for an editor.")).to_be_visible(timeout=SHORT)
    screenshot(page, "contributor-progress-profile-pending")

    change = ProfileChange.objects.get()
    assert (change.status, change.bio, change.website) == (
        ProfileChange.Status.PENDING,
        "Grace builds battery rigs, and writes about what they show.",
        "https://grace.example.org/",
    )
    assert (change.avatar_width, change.avatar_height) == (400, 300)
