"""Work is never lost in the article form: autosave and restore, a question before leaving, and two
editors on one article (who else is editing; a stale save refused).

Screenshots (1280 and 375 px, light and dark) go to /tmp/shots/editing-*.png (BYLINE_EDITING_SHOTS).
"""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from blog.models import Article
from editing.models import AutosavedCopy
from tests.browser.conftest import BROWSER, DESKTOP, PHONE
from tests.browser.test_editor import browser_errors, log_in, move_caret
from tests.factories import ArticleFactory, UserFactory

pytestmark = BROWSER

SHOTS = Path(os.environ.get("BYLINE_EDITING_SHOTS", "/tmp/shots"))
TYPED = " Typed words that must not be lost."


def editor_named(first, last):
    return UserFactory(is_staff=True, is_superuser=True, first_name=first, last_name=last)


@pytest.fixture
def ana(transactional_db):
    return editor_named("Ana", "Silva")


@pytest.fixture
def ben(transactional_db):
    return editor_named("Ben", "Okafor")


@pytest.fixture
def article(transactional_db):
    return ArticleFactory(title="Night trains of Europe", body="<p>The sleeper leaves at nine.</p>")


def change_url(live_server, article):
    return live_server.url + reverse("admin:blog_article_change", args=[article.pk])


def body_editor(page):
    return page.locator(".form-row.field-body [contenteditable='true']")


def type_at_the_end_of_the_body(page, text):
    body = body_editor(page)
    body.get_by_text("The sleeper leaves at nine.").click()
    move_caret(body, "End")
    page.keyboard.type(text)


def shoot(page, name, locator=None):
    """The top of the page at both widths and in both schemes; back to desktop light afterwards."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, width in ((DESKTOP, 1280), (PHONE, 375)):
        page.set_viewport_size(size)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            if locator is not None:
                locator.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"editing-{name}-{width}-{scheme}.png"))
    page.set_viewport_size(DESKTOP)
    page.emulate_media(color_scheme="light")


def test_a_typed_draft_is_autosaved_and_restored_after_a_reload(page, live_server, ana, article, axe):
    errors = browser_errors(page)
    log_in(page, live_server, ana)
    page.goto(change_url(live_server, article))
    type_at_the_end_of_the_body(page, TYPED)
    status = page.locator("#editing-status")
    expect(status).to_have_text(re.compile(r"^Saved a copy at \d\d:\d\d$"))
    assert TYPED.strip() in AutosavedCopy.objects.get(user=ana).fields["body"][0]
    shoot(page, "saved", body_editor(page))

    # The reload asks first (unsaved changes); the copy is offered on the page that comes back.
    page.once("dialog", lambda dialog: dialog.accept())
    page.reload()
    banner = page.locator("#editing-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("You have an unsaved copy of this form from")
    expect(body_editor(page)).not_to_contain_text(TYPED.strip())
    shoot(page, "banner", banner)
    found = axe(page)
    assert [(rule, targets) for rule, targets in found if "editing" in str(targets)] == []

    banner.get_by_role("button", name=re.compile(r"^Restore the copy from \d\d:\d\d$")).click()
    expect(banner).to_have_count(0)
    expect(body_editor(page)).to_contain_text(TYPED.strip())
    expect(status).to_contain_text("Restored the copy from")

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert TYPED.strip() in article.body
    assert not AutosavedCopy.objects.filter(user=ana).exists()  # saved: the copy is done with
    expect(page.locator("#editing-banner")).to_have_count(0)
    assert errors == []


def test_discarding_the_copy(page, live_server, ana, article):
    log_in(page, live_server, ana)
    page.goto(change_url(live_server, article))
    page.get_by_label(re.compile(r"^Title")).fill("A title typed, then thrown away")
    expect(page.locator("#editing-status")).to_have_text(re.compile(r"^Saved a copy at"))
    page.once("dialog", lambda dialog: dialog.accept())
    page.reload()
    page.locator("#editing-banner").get_by_role("button", name="Discard").click()
    expect(page.locator("#editing-status")).to_have_text("Discarded the copy.")
    expect(page.locator("#editing-banner")).to_have_count(0)
    assert not AutosavedCopy.objects.exists()


def test_leaving_with_unsaved_changes_asks_first_but_saving_does_not(page, live_server, ana, article):
    log_in(page, live_server, ana)
    address = change_url(live_server, article)
    page.goto(address)
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    home = page.locator(".breadcrumbs").get_by_role("link", name="Home")
    home.click()  # nothing typed yet: leaves without a question
    expect(page).to_have_url(live_server.url + reverse("admin:index"))
    assert asked == []

    page.goto(address)
    page.get_by_label(re.compile(r"^Title")).fill("Night trains of Europe, revised")
    with page.expect_event("dialog") as question:
        home.click()
    assert question.value.type == "beforeunload"
    expect(page).to_have_url(address)  # the question was answered "stay"
    assert asked == ["beforeunload"]

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert asked == ["beforeunload"]
    assert Article.objects.get(pk=article.pk).title == "Night trains of Europe, revised"


def test_two_editors_see_each_other_and_a_stale_save_is_refused(page, browser, live_server, ana, ben, article):
    log_in(page, live_server, ana)
    page.goto(change_url(live_server, article))

    other = browser.new_context(viewport=DESKTOP, locale="en-GB")
    try:
        bens = other.new_page()
        log_in(bens, live_server, ben)
        bens.goto(change_url(live_server, article))
        presence = bens.locator("#editing-presence")
        expect(presence).to_have_text(re.compile(r"^Ana Silva is editing this article too \(since \d\d:\d\d\)\.$"))
        shoot(bens, "presence", presence)

        # Ana saves first; Ben's form, opened before, is now stale.
        page.get_by_label(re.compile(r"^Title")).fill("Night trains of Europe (2027 timetable)")
        page.get_by_role("button", name="Save and continue editing").click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
        # Ana's page hears of Ben at its next heartbeat.
        expect(page.locator("#editing-presence")).to_contain_text("Ben Okafor is editing this article too")

        bens.get_by_label(re.compile(r"^Standfirst")).fill("Ben's standfirst, typed meanwhile.")
        bens.get_by_role("button", name="Save and continue editing").click()
        refusal = bens.locator(".errorlist.nonfield")
        expect(refusal).to_contain_text(re.compile(r"Not saved: Ana Silva saved this article at \d\d:\d\d"))
        expect(refusal).to_contain_text("Changed since: Title.")
        expect(refusal).to_contain_text("The form now shows their Title, which you had not changed.")
        expect(bens.get_by_label(re.compile(r"^Standfirst"))).to_have_value("Ben's standfirst, typed meanwhile.")
        expect(bens.get_by_label(re.compile(r"^Title"))).to_have_value("Night trains of Europe (2027 timetable)")
        expect(bens.locator("#editing-status")).to_have_text(re.compile(r"^Saved a copy at"))  # as the refusal says
        assert AutosavedCopy.objects.get(user=ben).fields["standfirst"] == ["Ben's standfirst, typed meanwhile."]
        shoot(bens, "stale", refusal)
        article.refresh_from_db()
        assert article.title == "Night trains of Europe (2027 timetable)"
        assert article.standfirst != "Ben's standfirst, typed meanwhile."

        # Knowing what changed, Ben saves again: his form now carries the current version, and
        # Ana's title, which he had left alone.
        bens.get_by_role("button", name="Save and continue editing").click()
        expect(bens.locator(".messagelist")).to_contain_text("was changed successfully")
        article.refresh_from_db()
        assert article.standfirst == "Ben's standfirst, typed meanwhile."
        assert article.title == "Night trains of Europe (2027 timetable)"
    finally:
        other.close()


def test_a_new_article_typed_then_left_is_offered_again(page, live_server, ana):
    log_in(page, live_server, ana)
    add = live_server.url + reverse("admin:blog_article_add")
    page.goto(add)
    page.get_by_label(re.compile(r"^Title")).fill("An article never saved")
    expect(page.locator("#editing-status")).to_have_text(re.compile(r"^Saved a copy at"))
    assert AutosavedCopy.objects.get(user=ana).object_id is None
    page.once("dialog", lambda dialog: dialog.accept())
    page.goto(add)
    expect(page.get_by_label(re.compile(r"^Title"))).to_have_value("")
    page.locator("#editing-banner").get_by_role("button", name=re.compile("^Restore the copy")).click()
    expect(page.get_by_label(re.compile(r"^Title"))).to_have_value("An article never saved")
