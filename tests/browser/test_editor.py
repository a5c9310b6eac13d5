"""The editor's journeys in the admin: a guest post from the queue to the home page, and a takedown.

The editor logs in with the login form, uses the buttons on the moderation pages, and edits
the article in the rich-text editor with its toolbar and dialogs (a heading, a link, an image),
so a Content-Security-Policy or a script error that breaks the admin fails here.
"""

import re

from django.urls import reverse
from playwright.sync_api import expect

from blog.models import Article
from complaints.models import Complaint
from contributions import workflow
from contributions.models import Submission
from contributions.uploads import process_image
from library.models import Image as LibraryImage
from tests.browser.conftest import BROWSER
from tests.conftest import make_image_file
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = BROWSER

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
GUEST_TITLE = "Repairing a fifty-year-old radio"
GUEST_BODY = (
    "<p>My grandfather's valve radio had not made a sound since the eighties. Over three winter weekends "
    "I replaced its dried-out capacitors, cleaned the tuning gang and restrung the dial cord, and on the "
    "last Sunday it played the shipping forecast as clearly as it must have done in 1974.</p>"
    "<p>The work needs patience more than tools: a soldering iron, a multimeter, a variac to bring the "
    "old transformer up slowly, and a notebook to record where every wire went before it moves.</p>"
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


def move_caret(body, *keys):
    """Press keys that the browser itself handles (arrows, Home, End), then wait for the editor to follow.

    ProseMirror learns of such moves from the `selectionchange` event, which Chromium may deliver
    after the next key press: a script is faster than a person, and Enter or the toolbar would act
    where the editor last saw the caret. Also, 20 ms after the editor gains focus, ProseMirror puts
    the caret back where it believes it is: a timeout of the same length, started before the keys,
    runs after that check (timers of equal length run in the order they were started).
    """
    page = body.page
    page.evaluate("() => new Promise(resolve => setTimeout(resolve, 20))")
    for key in keys:
        page.keyboard.press(key)
    page.wait_for_function(
        """el => {
            const view = el.editor.view, dom = document.getSelection();
            return dom.focusNode !== null
                && view.state.selection.head === view.posAtDOM(dom.focusNode, dom.focusOffset)
                && view.state.selection.anchor === view.posAtDOM(dom.anchorNode, dom.anchorOffset);
        }""",
        arg=body.element_handle(),
    )


def log_in(page, live_server, user):
    page.goto(live_server.url + reverse("admin:index"))
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label(re.compile(r"^Username")).fill(user.username)
    page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def guest_submission():
    pictures = [
        (None, process_image(make_image_file("valves.png", color=(180, 120, 40)), name="valves.png")),
        (None, process_image(make_image_file("dial.jpg", color=(40, 40, 40), fmt="JPEG"), name="dial.jpg")),
    ]
    incoming = workflow.Incoming(
        channel="web",
        name="Grace Contributor",
        email="grace@example.org",
        title=GUEST_TITLE,
        body=GUEST_BODY,
        bio="Grace mends old electronics.",
        suggested_tags="radio, repair",
        consent=True,
        images=pictures,
    )
    return workflow.receive(incoming)


def test_an_editor_takes_a_guest_post_from_the_queue_to_the_home_page(page, live_server, editor, screenshot):
    errors = browser_errors(page)
    submission = guest_submission()
    CategoryFactory(name="Repairs", slug="repairs")
    workbench, _created = LibraryImage.objects.add(
        make_image_file("workbench.png", color=(90, 140, 60)), filename="workbench.png"
    )
    workbench_url = workbench.url
    log_in(page, live_server, editor)

    # The queue, then the submission.
    page.get_by_role("link", name="Submissions").click()
    expect(page.get_by_role("heading", name=re.compile("submission to change", re.I))).to_be_visible()
    page.get_by_role("link", name=GUEST_TITLE).click()
    expect(page.get_by_text("Nobody has claimed this submission yet.")).to_be_visible()

    page.get_by_role("button", name="Claim").click()
    expect(page.locator(".messagelist")).to_contain_text("You claimed it.")
    expect(page.get_by_text(re.compile(r"Claimed by .* ago\."))).to_be_visible()

    # The preview, as readers would see it, with the pictures beside it.
    preview = page.get_by_role("region", name="Preview (as readers would see it)")
    expect(preview.get_by_role("heading", name=GUEST_TITLE)).to_be_visible()
    expect(preview).to_contain_text("played the shipping forecast")
    pictures = page.get_by_role("region", name="Pictures")
    expect(pictures.get_by_role("img")).to_have_count(2)

    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Accepted.")
    # The guest's second picture came without alt text, which blocks publishing (blog/checklist.py): it gets its
    # description here, as the editor would write it (the checklist's own journey: tests/browser/test_checklist.py).
    draft = Article.objects.get(title=GUEST_TITLE)
    assert 'alt=""' in draft.body
    Article.objects.filter(pk=draft.pk).update(body=draft.body.replace('alt=""', 'alt="The dial, lit"'))
    page.locator(".messagelist").get_by_role("link", name="Edit the article draft").click()
    expect(page.get_by_label(re.compile(r"^Title"))).to_have_value(GUEST_TITLE)
    # A draft without a category cannot be published either: the editor picks one.
    page.locator(".field-category .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Repairs")
    page.get_by_role("option", name="Repairs").click()
    expect(page.locator(".field-category .select2-selection__rendered")).to_have_text(re.compile("Repairs"))
    # The featured picture (the guest's first) came without a caption: its alt text is a placeholder that blocks
    # publishing until the editor describes the picture.
    alt = page.get_by_label(re.compile(r"^Image alt text"))
    expect(alt).to_have_value(f"Illustration for “{GUEST_TITLE}”")
    alt.fill("Glowing valves on the radio's chassis")

    # The body, in the rich-text editor: a heading, a paragraph with a link, a figure.
    body_field = page.locator(".form-row.field-body")
    toolbar = body_field.locator(".prose-menubar")
    body = body_field.locator('[contenteditable="true"]')
    body.get_by_text("grandfather's valve radio").click()
    move_caret(body, "Control+Home")
    page.keyboard.press("Enter")
    move_caret(body, "ArrowUp")
    toolbar.locator(".prose-menubar__selected").click()  # the block-type picker
    toolbar.get_by_role("button", name="Heading 2").click()
    page.keyboard.type("Three weekends, one radio")
    page.keyboard.press("Enter")
    page.keyboard.type("Start with the schematic before you open the case.")
    move_caret(body, *["ArrowLeft"] * len(" before you open the case."), *["Shift+ArrowLeft"] * len("schematic"))
    toolbar.get_by_role("button", name="insert link").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("URL").fill("https://www.radiomuseum.org/")
    dialog.get_by_role("button", name="Update").click()
    expect(dialog).to_have_count(0)
    move_caret(body, "End")
    page.keyboard.press("Enter")
    toolbar.get_by_role("button", name="figure").click()
    dialog = page.get_by_role("dialog", name="Insert a picture")  # static/js/editor-figures-dialog.js
    dialog.get_by_role("button", name=re.compile("workbench")).click()  # its thumbnail, named by its file
    dialog.get_by_label("Alt text (required)").fill("The radio's chassis on the workbench")
    dialog.get_by_label("Caption (optional)").fill("Out of its case")
    dialog.get_by_role("button", name="Insert").click()
    expect(dialog).to_have_count(0)
    expect(body.locator("h2")).to_have_text("Three weekends, one radio")
    expect(body.get_by_role("link")).to_have_text("schematic")
    expect(body.locator(f'img[src="{workbench_url}"]')).to_have_count(1)

    page.get_by_label(re.compile(r"^Status")).select_option(label="Published")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    article = Article.objects.get(title=GUEST_TITLE)
    assert article.status == Article.Status.PUBLISHED
    assert article.is_live

    # The reader's side: the home page lists it, and the article shows what the editor added.
    page.get_by_role("link", name="View site").click()
    expect(page).to_have_url(live_server.url + "/")
    card = page.get_by_role("main").get_by_role("article").filter(has_text=GUEST_TITLE)
    listed = card.get_by_role("link", name=GUEST_TITLE)
    expect(listed).to_be_visible()
    # No standfirst yet: the card starts the body, its blocks still apart ("radio Start", not "radioStart").
    expect(card).to_contain_text("Three weekends, one radio Start with the schematic before you open the case.")
    screenshot(page, "editor-home")
    listed.click()
    expect(page).to_have_url(live_server.url + article.get_absolute_url())
    expect(page.get_by_role("heading", name=GUEST_TITLE, level=1)).to_be_visible()
    text = page.locator(".article__body")
    expect(text.get_by_role("heading", name="Three weekends, one radio", level=2)).to_be_visible()
    expect(text.get_by_role("link", name="schematic")).to_have_attribute("href", "https://www.radiomuseum.org/")
    picture = text.get_by_role("img", name="The radio's chassis on the workbench")
    expect(picture).to_have_attribute("src", workbench_url)
    # Served and decoded: the browser picks the original or one of its renditions (srcset), all from our media.
    served = picture.evaluate("img => img.complete && img.naturalWidth > 0 && img.currentSrc")
    assert served and served.startswith(live_server.url + "/media/"), served
    expect(text.locator("figcaption")).to_have_text("Out of its case")
    # Both pictures carry their size (the editor's from the renditions map): no layout shift.
    expect(text.locator('img[width="800"][height="450"]')).to_have_count(2)
    expect(text).to_contain_text("played the shipping forecast")

    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED
    assert submission.claimed_by == editor
    assert submission.decided_by == editor
    assert submission.article == article
    assert errors == []


def test_an_editor_takes_an_article_down_after_a_copyright_complaint(page, live_server, editor, screenshot):
    errors = browser_errors(page)
    article = ArticleFactory(
        title="A history of the transistor radio",
        author=AuthorFactory(name="Pat Writer", email="pat@example.com"),
    )
    address = live_server.url + article.get_absolute_url()
    response = page.goto(address)
    assert response.status == 200

    # A rights holder files a complaint with the public form.
    page.goto(live_server.url + reverse("complaints:complaint"))
    page.get_by_label(re.compile(r"^Your full name")).fill("Ada Lovelace")
    page.get_by_label(re.compile(r"^Your email")).fill("ada@rights.example")
    page.get_by_label(re.compile(r"^Organisation")).fill("Analytical Press")
    page.get_by_label(re.compile(r"^Your original work")).fill(
        "Chapter 3 of our handbook, “Radios for everyone”: https://press.example/radios"
    )
    page.get_by_label(re.compile(r"^The article on our site")).fill(address)
    page.get_by_label(re.compile(r"^I have a good faith belief")).check()
    page.get_by_label(re.compile(r"^The information in this notice is accurate")).check()
    page.get_by_label(re.compile(r"^Electronic signature")).fill("Ada Lovelace")
    page.get_by_role("button", name="Send the complaint").click()
    expect(page.get_by_role("heading", name="Thank you: we received your complaint", level=1)).to_be_visible()
    complaint = Complaint.objects.get()
    assert complaint.article == article

    # The editor upholds it in the queue.
    log_in(page, live_server, editor)
    page.locator("#complaints-complaint").get_by_role("link", name="Copyright complaints").click()
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Analytical Press")
    row.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"/admin/complaints/complaint/{complaint.pk}/change/"))
    expect(page.get_by_label("Reason shown to readers")).to_have_value(re.compile("Analytical Press"))
    page.get_by_role("button", name="Uphold and take the article down").click()
    expect(page.locator(".messagelist")).to_contain_text("Upheld: the article is taken down")

    # Its address now answers 451, says why, and names who blocks it (RFC 7725).
    response = page.goto(address)
    assert response.status == 451
    assert re.fullmatch(r'<https?://[^>]+/pages/copyright-policy/>; rel="blocked-by"', response.headers["link"])
    expect(page.get_by_role("heading", name="Unavailable for legal reasons", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Reason")).to_contain_text(
        "Removed after a copyright complaint from Analytical Press"
    )
    expect(page.get_by_text(f"The article “{article.title}” is no longer available")).to_be_visible()
    screenshot(page, "editor-451")
    page.goto(live_server.url + reverse("blog:home"))
    expect(page.get_by_role("main")).not_to_contain_text(article.title)  # and it has left the listings

    complaint.refresh_from_db()
    article.refresh_from_db()
    assert complaint.status == Complaint.Status.UPHELD
    assert complaint.decided_by == editor
    assert article.status == Article.Status.TAKEN_DOWN
    # The one failed load is the article itself, answering 451 as it should.
    assert errors == [
        f"console: Failed to load resource: the server responded with a status of 451 "
        f"(Unavailable For Legal Reasons) ({address})"
    ]
