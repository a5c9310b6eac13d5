"""The admin as a workplace, measured in Chromium: the desk on the front page, list pages at
1280 px and 375 px, the revision diff's width and pictures, and the body editor's height."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from reversion.models import Version

from tests.browser.conftest import BROWSER, DESKTOP, PHONE, no_horizontal_scroll, sign_in
from tests.conftest import make_image_file
from tests.dashboard.factories import (
    FailedTaskFactory,
    HeldCommentFactory,
    OutgoingEmailFactory,
    SubmissionFactory,
    days_ago,
)
from tests.factories import ArticleFactory, AuthorFactory, DraftFactory, UserFactory

pytestmark = BROWSER

SHOTS = Path(os.environ.get("BYLINE_DESK_SHOTS", "/tmp/shots"))
TWELVE_WORDS = "How a small town library rebuilt its reading room after the winter flood"
LONG_SUBJECT = "Your guest post about repairing a fifty-year-old valve radio has been accepted for publication"
LONG_PARAGRAPH = ("Unbroken" * 625)[:5000]  # 5,000 characters and no space: the worst case for wrapping
VIEWPORTS = {"1280": DESKTOP, "375": PHONE}


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"desk-{name}.png"), full_page=True)


@pytest.fixture
def superuser(transactional_db):
    user = UserFactory(is_staff=True, is_superuser=True, first_name="Dana", last_name="Desk")
    AuthorFactory(user=user, name="Dana Desk")
    return user


@pytest.fixture
def signed_in(page, live_server, superuser):
    return sign_in(page, live_server, superuser)


@pytest.fixture
def desk_data(superuser):
    for days, title in [(9, "Repairing a fifty-year-old radio"), (3, TWELVE_WORDS), (1, "Notes from a night ferry")]:
        SubmissionFactory(title=title, received_at=days_ago(days))
    HeldCommentFactory(comment="Is the second edition of the handbook worth buying?", submit_date=days_ago(2))
    ArticleFactory(title=TWELVE_WORDS, published_at=timezone.now() + datetime.timedelta(days=2))
    for n in range(3):
        ArticleFactory(title=f"{TWELVE_WORDS} ({n})")
    DraftFactory(title="Half a draft about heat pumps", author=superuser.author)
    OutgoingEmailFactory(subject=LONG_SUBJECT)
    FailedTaskFactory(task_path="outbox.mail.send_email_task")


def title_lines(page, text):
    """How many lines the list's title cell holding the link `text` is tall: its bounding box's
    height, less its padding, over its line height."""
    link = page.locator("#result_list").get_by_role("link", name=text, exact=True).first
    expect(link).to_be_visible()
    return link.evaluate(
        """a => {
            const cell = a.closest('th, td'), style = getComputedStyle(cell);
            const line = parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
            const inner = cell.getBoundingClientRect().height
                - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
            return Math.round(inner / line);
        }"""
    )


def columns_reachable(page):
    """Every column of the list is inside the page or in a box that scrolls sideways to it."""
    return page.evaluate(
        """() => {
            const table = document.querySelector('#result_list');
            const box = table.closest('.results') || table.parentElement;
            const scrolls = ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
            const fits = table.getBoundingClientRect().right <= box.getBoundingClientRect().right + 1;
            return (fits || scrolls) && box.scrollWidth >= table.scrollWidth;
        }"""
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", ["1280", "375"])
def test_the_desk_on_the_front_page(signed_in, live_server, desk_data, scheme, width, axe):
    page = signed_in
    page.set_viewport_size(VIEWPORTS[width])
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server.url + reverse("admin:index"))
    desk = page.locator(".desk")
    expect(desk.get_by_role("heading", name=re.compile("Guest posts waiting"))).to_be_visible()
    guest_posts = desk.locator(".desk-submissions")
    expect(guest_posts.locator(".desk-item-label").first).to_have_text("Repairing a fifty-year-old radio")
    expect(guest_posts.locator(".desk-age").first).to_have_text(re.compile(r"1\sweek"))
    for title in ["Held comments", "Open complaints", "Scheduled in the next 7 days", "My drafts", "Failed emails"]:
        expect(desk.get_by_role("heading", name=re.compile(title))).to_be_visible()
    expect(desk.locator(".desk-tasks .desk-item-label")).to_have_text("send_email_task")
    expect(page.locator("#content-main .app-blog")).to_be_visible()  # Django's app list, below
    assert no_horizontal_scroll(page)
    assert axe(page) == []
    shoot(page, f"dashboard-{width}-{scheme}")


def list_pages():
    """(changelist name, text of a long title shown in it) for each list the issue names."""
    pages = [
        ("blog_article", TWELVE_WORDS),
        ("contributions_submission", TWELVE_WORDS),
        ("discussion_comment", None),
        ("outbox_outgoingemail", None),
    ]
    library_image = next((m for m in admin.site._registry if m._meta.label == "library.Image"), None)
    if library_image is not None:
        pages.append(("library_image", None))
    return pages, library_image


def library_picture(model):
    """A picture in the media library (its list shows nothing without one)."""
    model.objects.add(make_image_file("library.png", color=(200, 120, 40)), alt=TWELVE_WORDS)


@pytest.mark.parametrize("width", ["1280", "375"])
def test_list_pages_keep_titles_readable(signed_in, live_server, desk_data, superuser, width):
    page = signed_in
    page.set_viewport_size(VIEWPORTS[width])
    HeldCommentFactory(comment=TWELVE_WORDS)
    pages, library_image = list_pages()
    if library_image is not None:
        library_picture(library_image)
    for name, title in pages:
        page.goto(live_server.url + reverse(f"admin:{name}_changelist"))
        expect(page.locator("#result_list")).to_be_visible()
        assert no_horizontal_scroll(page), name
        assert columns_reachable(page), name
        if title and width == "1280":
            assert title_lines(page, title) <= 3, name
        if name != "blog_article":
            shoot(page, f"list-{name}-{width}-light")
        else:
            for scheme in ["light", "dark"]:
                page.emulate_media(color_scheme=scheme)
                shoot(page, f"article-list-{width}-{scheme}")
            page.emulate_media(color_scheme="light")


def test_comment_and_email_lists_at_1280(signed_in, live_server, superuser):
    page = signed_in
    HeldCommentFactory(comment=TWELVE_WORDS + ", and what the readers said about it")
    OutgoingEmailFactory(subject=LONG_SUBJECT)
    page.goto(live_server.url + reverse("admin:discussion_comment_changelist"))
    excerpt = page.locator("#result_list tbody th").first
    assert excerpt.evaluate("th => th.getBoundingClientRect().width") >= 200
    page.goto(live_server.url + reverse("admin:outbox_outgoingemail_changelist"))
    subject = page.locator("#result_list tbody th").first
    assert subject.evaluate("th => th.getBoundingClientRect().width") >= 200
    assert columns_reachable(page)


def article_with_versions(superuser):
    """An article saved twice through the admin: a 5,000-character paragraph and a new picture."""
    client = Client()
    client.force_login(superuser)
    article = ArticleFactory(author=superuser.author, body="<p>Short first paragraph.</p>")
    url = reverse("admin:blog_article_change", args=[article.pk])
    form = {
        "title": article.title,
        "slug": article.slug,
        "author": article.author.pk,
        "category": article.category.pk,
        "standfirst": article.standfirst,
        "status": article.status,
        "published_at_0": timezone.localtime(article.published_at).strftime("%Y-%m-%d"),
        "published_at_1": timezone.localtime(article.published_at).strftime("%H:%M:%S"),
        "comments_close_after_days": "",
        "body": "<p>Short first paragraph.</p>",
    }
    assert client.post(url, form).status_code == 302
    second = {
        **form,
        "body": f"<p>{LONG_PARAGRAPH}</p><p><img src='/media/radio.png' alt='The radio on the bench'></p>",
        "featured_image": make_image_file("featured.png"),
        "featured_image_alt": "The finished radio",
    }
    response = client.post(url, second)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    version = Version.objects.get_for_object(article).order_by("-pk").first()
    return article, version


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", ["1280", "375"])
def test_the_revision_diff_wraps_and_shows_pictures(signed_in, live_server, superuser, scheme, width):
    page = signed_in
    article, version = article_with_versions(superuser)
    page.set_viewport_size(VIEWPORTS[width])
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server.url + reverse("admin:blog_article_diff", args=[article.pk, version.pk]))
    expect(page.locator("pre.diff")).to_contain_text(LONG_PARAGRAPH[:40])
    assert no_horizontal_scroll(page), page.evaluate("document.documentElement.scrollWidth")
    featured = page.locator(".version-diff-featured_image")
    expect(featured.get_by_text("No picture")).to_be_visible()
    after = featured.get_by_role("img", name="The featured image after")
    expect(after).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=after.element_handle())
    pictures = page.locator(".version-diff-body_pictures")
    expect(pictures).to_contain_text("/media/radio.png")
    expect(pictures).to_contain_text("The radio on the bench")
    shoot(page, f"diff-{width}-{scheme}")


def test_the_body_editor_opens_at_a_writable_height(signed_in, live_server, superuser):
    page = signed_in
    article = DraftFactory(author=superuser.author, body="<p>One line.</p>")
    page.goto(live_server.url + reverse("admin:blog_article_change", args=[article.pk]))
    editor = page.get_by_role("textbox").and_(page.locator(".prose-editor .ProseMirror[contenteditable]"))
    expect(editor).to_be_visible()
    assert editor.evaluate("el => el.getBoundingClientRect().height") >= 300
    # The toolbar's menus share the class ProseMirror: they keep their own height.
    menu = page.locator(".prose-editor .ProseMirror:not([contenteditable])").first
    menu_height = menu.evaluate("el => { el.style.display = 'block'; return el.getBoundingClientRect().height; }")
    assert menu_height < 300
    shoot(page, "editor-1280-light")


def test_the_body_editor_is_named_by_its_label(signed_in, live_server, superuser):
    """Screen readers announce the admin's body editor as "Body", as they do on the guest forms
    (static/js/prose-editor-label.js), and a click on the label puts the cursor in it."""
    page = signed_in
    article = DraftFactory(author=superuser.author, body="<p>One line.</p>")
    page.goto(live_server.url + reverse("admin:blog_article_change", args=[article.pk]))
    editor = page.get_by_role("textbox", name="Body")
    expect(editor).to_be_visible()
    expect(editor).to_have_attribute("aria-multiline", "true")
    page.locator('label[for="id_body"]').click()
    expect(editor).to_be_focused()
