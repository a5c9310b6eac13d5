"""The checklist before publishing, in the admin: a raw guest draft (greeting on top, a picture without
alt text, no category) shows what blocks it, and neither the form nor the Publish now action publishes it."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from blog.models import Article
from contributions import workflow
from contributions.models import Submission
from contributions.uploads import process_image
from tests.browser.conftest import BROWSER, DESKTOP, PHONE, SCREENSHOTS
from tests.browser.test_editor import browser_errors, log_in
from tests.conftest import make_image_file

pytestmark = BROWSER

GUEST_BODY = (
    "<p>Hi editors,</p>"
    "<p>Here is the piece about restoring my grandfather's valve radio that we talked about. Over three winter "
    "weekends I replaced its capacitors, cleaned the tuning gang and restrung the dial cord.</p>"
    "<p>Regards,<br>Omar</p><p>Sent from my iPhone</p>"
)


def raw_guest_draft(editor_user):
    """A guest post accepted as it came: two pictures (the first becomes the featured one, with a placeholder
    alt text, the second a figure in the text without alt text), no category, the email's greeting and
    sign-off still in it."""
    pictures = [
        (None, process_image(make_image_file("valves.png", color=(180, 120, 40)), name="valves.png")),
        (None, process_image(make_image_file("dial.jpg", color=(40, 40, 40), fmt="JPEG"), name="dial.jpg")),
    ]
    submission = workflow.receive(
        workflow.Incoming(
            channel="web",
            name="Omar Haddad",
            email="omar@example.org",
            title="Bringing a valve radio back to life",
            body=GUEST_BODY,
            bio="Omar mends old electronics.",
            suggested_tags="radio",
            consent=True,
            images=pictures,
        )
    )
    # As it came: a guest post is cleaned on arrival (contributions/cleaning.py); an editor may paste one back.
    Submission.objects.filter(pk=submission.pk).update(body=submission.original_body)
    workflow.claim(submission, editor_user)
    return workflow.accept(submission, editor_user).article


def shoot(page, name, locator=None):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SCREENSHOTS / f"checklist-{name}.png")
    (locator or page).screenshot(path=path)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_raw_guest_draft_shows_its_blockers_and_is_not_published(page, live_server, editor, scheme):
    errors = browser_errors(page)
    page.emulate_media(color_scheme=scheme)
    article = raw_guest_draft(editor)
    log_in(page, live_server, editor)
    change = live_server.url + reverse("admin:blog_article_change", args=[article.pk])

    page.goto(change)
    section = page.locator("fieldset.checklist-fieldset")
    expect(section.get_by_role("heading", name="Before publishing")).to_be_visible()
    expect(section.locator(".publishing-checklist__summary")).to_contain_text("3 things block publishing.")
    blocked = section.locator(".publishing-checklist__item--blocked")
    expect(blocked).to_have_count(3)
    expect(blocked.nth(0)).to_contain_text("No category is chosen.")
    expect(blocked.nth(1)).to_contain_text("has a placeholder for alt text: describe what it shows.")
    expect(blocked.nth(2)).to_contain_text(re.compile(r"1 picture has no alt text: \S+\.jpg\."))  # the stored name
    salutation = section.locator('[data-check="salutation"]')
    expect(salutation).to_contain_text("“Hi editors,” at the top")
    expect(salutation).to_contain_text("“Regards,”, “Sent from my iPhone” at the foot")
    section.scroll_into_view_if_needed()
    shoot(page, f"section-1280-{scheme}", section)
    page.set_viewport_size(PHONE)
    shoot(page, f"section-375-{scheme}", section)
    page.set_viewport_size(DESKTOP)

    # The form refuses to publish it, and says why.
    page.get_by_label(re.compile(r"^Status")).select_option(label="Published")
    page.get_by_role("button", name="Save", exact=True).click()
    note = page.locator(".errorlist.nonfield")
    expect(note).to_contain_text("Not published: fix what blocks it")
    expect(note).to_contain_text("No category is chosen.")
    expect(note).to_contain_text("1 picture has no alt text:")
    shoot(page, f"form-refused-1280-{scheme}")
    page.set_viewport_size(PHONE)
    shoot(page, f"form-refused-375-{scheme}")
    page.set_viewport_size(DESKTOP)

    # So does the Publish now action, on the list.
    page.goto(live_server.url + reverse("admin:blog_article_changelist"))
    page.locator(f'input[name="_selected_action"][value="{article.pk}"]').check()
    page.locator('select[name="action"]').select_option("publish_now")
    page.locator('button[name="index"]').click()
    messages = page.locator(".messagelist")
    expect(messages.locator(".success")).to_have_count(0)  # nothing published: no "0 articles published."
    expect(messages.locator(".error")).to_contain_text(
        f"“{article.title}” was not published: No category is chosen. The featured picture"
    )
    expect(messages.locator(".error")).to_contain_text("1 picture has no alt text:")
    shoot(page, f"action-refused-1280-{scheme}")
    page.set_viewport_size(PHONE)
    shoot(page, f"action-refused-375-{scheme}")

    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert errors == []
