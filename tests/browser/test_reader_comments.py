"""The comment form in Chromium: "Remember my name and email on this device" (localStorage only),
and the fresh token that static/js/comments.js fetches, so that a cached page can still be
commented on at once by a person and not by a script (discussion/forms.py)."""

import json
import re

import pytest
from playwright.sync_api import expect

from discussion.models import Comment
from tests.browser.conftest import BROWSER, SCREENSHOTS, no_horizontal_scroll
from tests.browser.reader_site import build_site

pytestmark = BROWSER

WIDTHS = [pytest.param(375, id="375"), pytest.param(1280, id="1280")]
KEY = "byline.commenter"


@pytest.fixture
def articles(db):
    # A page token never passes on its own: only a token of the reader's own (the script's) gets a
    # comment through at the first try.
    return build_site()


def open_form(page, live_server, article):
    page.goto(live_server.url + article.get_absolute_url())
    form = page.locator("form.comment-form")
    expect(form).to_be_visible(timeout=15_000)
    return form


def field(form, label):
    return form.get_by_label(re.compile(rf"^{label}:?$"))


def stored(page):
    return page.evaluate(f"() => window.localStorage.getItem({KEY!r})")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_reader_is_remembered_on_this_device_only_when_asked(page, live_server, articles, width):
    page.set_viewport_size({"width": width, "height": 900})
    first, second, third = articles[1], articles[2], articles[3]

    form = open_form(page, live_server, first)
    remember = form.get_by_role("checkbox", name="Remember my name and email on this device")
    expect(remember).to_be_visible(timeout=15_000)
    expect(remember).not_to_be_checked()
    with page.expect_response(re.compile(r"/comments/token/\?object_pk=")) as token:
        field(form, "Comment").fill("Does it charge through a window?")
    assert token.value.status == 200
    expect(form.locator("input[name=token_kind]")).to_have_value("fresh", timeout=15_000)
    field(form, "Name").fill("Rosa Reader")
    field(form, "Email").fill("rosa@example.com")
    field(form, r"Website \(optional\)").fill("https://rosa.example/")
    remember.check()
    form.get_by_role("button", name="Post Comment").click()
    expect(page.get_by_role("status").filter(has_text="held for moderation")).to_be_visible(timeout=15_000)
    assert Comment.objects.filter(user_name="Rosa Reader").count() == 1
    details = json.loads(stored(page))
    assert details == {"name": "Rosa Reader", "email": "rosa@example.com", "url": "https://rosa.example/"}
    # On this device only: in no cookie, so never sent to the server.
    assert all("rosa" not in cookie["value"] for cookie in page.context.cookies())

    # Another article: filled in, box ticked.
    form = open_form(page, live_server, second)
    expect(field(form, "Name")).to_have_value("Rosa Reader", timeout=15_000)
    expect(field(form, "Email")).to_have_value("rosa@example.com")
    expect(field(form, r"Website \(optional\)")).to_have_value("https://rosa.example/")
    remember = form.get_by_role("checkbox", name="Remember my name and email on this device")
    expect(remember).to_be_checked()
    assert no_horizontal_scroll(page)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("#respond").screenshot(path=str(SCREENSHOTS / f"readers-comment-form-{width}-{scheme}.png"))
    page.emulate_media(color_scheme="light")

    # Unticked, the details are forgotten once the comment is sent.
    field(form, "Comment").fill("Second thoughts: it did, slowly.")
    remember.uncheck()
    form.get_by_role("button", name="Post Comment").click()
    expect(page.get_by_role("status").filter(has_text="held for moderation")).to_be_visible(timeout=15_000)
    assert Comment.objects.filter(user_name="Rosa Reader").count() == 2
    assert stored(page) is None

    form = open_form(page, live_server, third)
    expect(field(form, "Name")).to_have_value("", timeout=15_000)
    expect(field(form, "Email")).to_have_value("")
    expect(form.get_by_role("checkbox", name="Remember my name and email on this device")).not_to_be_checked()


@pytest.mark.parametrize("width", WIDTHS)
def test_without_javascript_a_clear_retry_that_keeps_the_comment(browser, live_server, articles, width):
    context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        form = open_form(page, live_server, articles[1])
        # No script: no remember box, and the page's own token.
        expect(form.locator("[data-remember-commenter]")).to_be_hidden()
        expect(form.locator("input[name=token_kind]")).to_have_value("page")
        field(form, "Comment").fill("Written without any script.")
        field(form, "Name").fill("Noah Noscript")
        field(form, "Email").fill("noah@example.com")
        form.get_by_role("button", name="Post Comment").click()

        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("please check your comment below and send it once more", timeout=15_000)
        form = page.locator("form.comment-form")
        expect(field(form, "Comment")).to_have_value("Written without any script.")
        expect(form.locator("input[name=token_kind]")).to_have_value("fresh")
        assert not Comment.objects.exists()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"readers-comment-retry-{width}-light.png"), full_page=True)
        form.get_by_role("button", name="Post Comment").click()
        expect(page.get_by_role("status").filter(has_text="held for moderation")).to_be_visible(timeout=15_000)
        assert Comment.objects.get().comment == "Written without any script."
    finally:
        context.close()
