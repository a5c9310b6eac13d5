"""blog/checklist.py: each check firing and not firing, the settings choosing block or warn, and the
places that enforce it (publish_now, the admin form, the Publish now action); the change page's queries."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blog import publishing
from blog.checklist import BLOCKED, OK, WARNING, Draft, check_article, run_checks
from blog.models import Article
from core.greetings import greeting, sign_off
from core.models import PublishingCheck, SiteSettings, default_publishing_blockers
from tests.blog.test_admin import change_url, form_data
from tests.conftest import make_image_file
from tests.core.test_admin_settings import URL as SETTINGS_URL
from tests.core.test_admin_settings import form_data as settings_form
from tests.factories import ArticleFactory, CategoryFactory, DraftFactory

pytestmark = pytest.mark.django_db

LONG_TEXT = "<p>" + " ".join(["word"] * 200) + "</p>"
GOOD = Draft(
    body=LONG_TEXT + '<h2>Setup</h2><h3>Parts</h3><p>See <a href="https://example.com/spec">the full spec</a>.</p>'
    '<figure><img src="/media/articles/board.jpg" alt="The circuit board"><figcaption>Board</figcaption></figure>',
    standfirst="A standfirst.",
    meta_description="A short description of the article for search results.",
    has_category=True,
    featured_image="articles/2026/12/lead.jpg",
    featured_image_alt="A soldering iron on a bench",
)
RAW_GUEST_DRAFT = (
    "<p>Hi editors,</p><p>Here is my piece about the radio.</p>"
    '<figure><img src="/media/articles/guest/photo.jpg" alt=""></figure>'
    "<p>Regards,<br>Omar</p><p>Sent from my iPhone</p>"
)


def results(draft, settings=None):
    return {result.code: result for result in run_checks(draft, settings or SiteSettings.load()).results}


def with_body(body, **changes):
    return Draft(**{**GOOD.__dict__, "body": body, **changes})


def test_a_complete_article_passes_every_check():
    assert {code: result.status for code, result in results(GOOD).items()} == {
        code.value: OK for code in PublishingCheck
    }
    assert not run_checks(GOOD).is_blocked


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"has_category": False}, "category", "No category is chosen."),
        ({"featured_image": "", "featured_image_alt": ""}, "featured_image", "There is no featured picture"),
        ({"featured_image_alt": " "}, "featured_image_alt", "The featured picture (lead.jpg) has no alt text."),
        ({"meta_description": "x" * 161}, "meta_description", "has 161 characters"),
        (
            {"meta_description": ""},
            "meta_description",
            "No meta description: search and share previews will use the standfirst",
        ),
        ({"meta_description": "", "standfirst": ""}, "meta_description", "No meta description and no standfirst"),
    ],
)
def test_fields_checks_fire(changes, code, message):
    result = results(Draft(**{**GOOD.__dict__, **changes}))[code]
    assert result.status != OK
    assert message in result.message


def test_no_featured_picture_means_no_alt_text_to_miss():
    assert results(Draft(**{**GOOD.__dict__, "featured_image": "", "featured_image_alt": ""}))[
        "featured_image_alt"
    ].passed


def test_a_meta_description_of_160_characters_passes():
    assert results(Draft(**{**GOOD.__dict__, "meta_description": "x" * 160}))["meta_description"].passed


def test_pictures_without_alt_text_are_named():
    body = (
        LONG_TEXT + '<figure><img src="/media/articles/photo.jpg" alt=""></figure>'
        '<p><img src="https://cdn.example/a/dial%20face.png"></p><p><img src="/media/ok.png" alt="A dial"></p>'
    )
    result = results(with_body(body))["image_alt"]
    assert result.status == BLOCKED
    assert result.message == "2 pictures have no alt text: photo.jpg, dial face.png."


def test_an_empty_figure_is_found_with_its_caption():
    result = results(with_body(LONG_TEXT + "<figure><figcaption>The radio, restored</figcaption></figure>"))
    assert result["empty_figure"].status == BLOCKED
    assert result["empty_figure"].message == "1 figure has no picture: “The radio, restored”."
    assert results(GOOD)["empty_figure"].passed


@pytest.mark.parametrize(
    ("headings", "message"),
    [
        ("<h2>Intro</h2><h4>Pricing</h4>", "Heading “Pricing” (h4) follows an h2."),
        ("<h3>Pricing</h3>", "Heading “Pricing” (h3) follows the title (h1)."),
    ],
)
def test_headings_out_of_order(headings, message):
    result = results(with_body(LONG_TEXT + headings))["heading_order"]
    assert result.status == WARNING
    assert result.message == message


def test_headings_going_back_up_are_in_order():
    assert results(with_body(LONG_TEXT + "<h2>A</h2><h3>B</h3><h4>C</h4><h2>D</h2><h3>E</h3>"))["heading_order"].passed


def test_click_here_and_empty_links():
    body = (
        LONG_TEXT + '<p>For the schematic <a href="https://example.com/s">click here</a>. '
        '<a href="https://example.com/empty"> </a> <a href="https://example.com/more">Read more…</a></p>'
    )
    result = results(with_body(body))["link_text"]
    assert result.status == WARNING
    assert result.message == (
        "3 links do not say where they go: “click here” (https://example.com/s), an empty link to "
        "https://example.com/empty, “Read more…” (https://example.com/more)."
    )


def test_a_link_around_a_described_picture_says_where_it_goes():
    body = LONG_TEXT + '<p><a href="https://example.com/x"><img src="/media/x.png" alt="The museum"></a></p>'
    assert results(with_body(body))["link_text"].passed


def test_a_very_short_text():
    result = results(with_body("<p>Just a few words here.</p>"))["body_length"]
    assert result.status == WARNING
    assert result.message == "The text has 5 words; an article usually has at least 150."


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("<p>Hi editors,</p>" + LONG_TEXT, "“Hi editors,” at the top"),
        ("<p>Dear editor</p>" + LONG_TEXT, "“Dear editor” at the top"),
        ("<p>Hello team! Here is my draft.</p>" + LONG_TEXT, "“Hello team!” at the top"),
        (LONG_TEXT + "<p>-- Lena Fischer</p>", "“-- Lena Fischer” at the foot"),
        (LONG_TEXT + "<p>Regards, Omar</p>", "“Regards, Omar” at the foot"),
        (LONG_TEXT + "<p>Best regards,<br>Omar Haddad</p>", "“Best regards,” at the foot"),
        (LONG_TEXT + "<p>Sent from my iPhone</p>", "“Sent from my iPhone” at the foot"),
    ],
)
def test_greetings_and_sign_offs_left_from_an_email(body, found):
    result = results(with_body(body))["salutation"]
    assert result.status == WARNING
    assert found in result.message


@pytest.mark.parametrize(
    "body",
    [
        "<p>Hello world programs are where every language starts.</p>" + LONG_TEXT,
        LONG_TEXT + "<p>Thanks for reading, and see you at the show.</p>",
        LONG_TEXT + "<p>The best regards of the season went to the builders.</p>",
    ],
)
def test_ordinary_first_and_last_lines_are_no_salutation(body):
    assert results(with_body(body))["salutation"].passed


def test_the_shared_patterns_from_core():
    assert greeting("Hi editors, here is my piece") == "Hi editors,"
    assert greeting("Highlights of the week") == ""
    assert sign_off("Regards, Omar") == "Regards, Omar"
    assert sign_off("Sent from my iPhone") == "Sent from my iPhone"
    assert sign_off("Regards to the team at the lab, who helped a great deal with it all") == ""


def test_affiliate_links_the_patterns_miss():
    body = LONG_TEXT + '<p><a href="https://hop.clickbank.net/?affiliate=me">the course</a></p>'
    result = results(with_body(body))["affiliate_disclosure"]
    assert result.status == WARNING
    assert result.message.startswith("1 link goes to an affiliate network the site's patterns do not match")
    assert "https://hop.clickbank.net/?affiliate=me" in result.message


def test_affiliate_links_with_the_disclosure_text_empty():
    settings = SiteSettings.load()
    body = LONG_TEXT + '<p><a href="https://amzn.to/abc">the kit</a></p>'
    assert results(with_body(body), settings)["affiliate_disclosure"].passed  # matched: the disclosure shows
    settings.affiliate_disclosure = ""
    result = results(with_body(body), settings)["affiliate_disclosure"]
    assert result.message == "1 affiliate link, but the disclosure text in the site settings is empty."


def test_the_settings_choose_what_blocks():
    settings = SiteSettings.load()
    assert settings.publishing_blockers == default_publishing_blockers()
    draft = Draft(**{**GOOD.__dict__, "has_category": False, "body": "<p>Hi editors,</p>" + LONG_TEXT})
    assert results(draft, settings)["category"].status == BLOCKED
    assert results(draft, settings)["salutation"].status == WARNING
    settings.publishing_blockers = ["salutation"]
    assert results(draft, settings)["category"].status == WARNING
    assert results(draft, settings)["salutation"].status == BLOCKED
    settings.publishing_blockers = []
    assert not run_checks(draft, settings).is_blocked


def test_a_meta_description_falling_back_to_the_standfirst_never_blocks():
    settings = SiteSettings.load()
    settings.publishing_blockers = ["meta_description"]
    assert results(Draft(**{**GOOD.__dict__, "meta_description": ""}), settings)["meta_description"].status == WARNING
    over = Draft(**{**GOOD.__dict__, "meta_description": "x" * 200})
    assert results(over, settings)["meta_description"].status == BLOCKED


def test_a_raw_guest_draft_is_blocked_and_says_why():
    article = DraftFactory(category=None, body=RAW_GUEST_DRAFT, standfirst="", meta_description="")
    checklist = check_article(article)
    assert [result.code for result in checklist.blockers] == ["category", "image_alt"]
    assert checklist.summary() == "No category is chosen. 1 picture has no alt text: photo.jpg."
    assert {result.code for result in checklist.warnings} == {
        "featured_image",
        "body_length",
        "meta_description",
        "salutation",
    }


# Enforcement


def test_publish_now_refuses_a_blocked_article():
    article = DraftFactory(category=None, body=RAW_GUEST_DRAFT)
    with pytest.raises(publishing.PublishingBlocked) as refusal:
        publishing.publish_now(article)
    assert "No category is chosen." in str(refusal.value)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_publish_now_publishes_with_warnings_only():
    article = DraftFactory(body="<p>Short.</p>")
    publishing.publish_now(article)
    article.refresh_from_db()
    assert article.is_live


def test_importers_and_factories_write_published_articles_without_the_check():
    article = ArticleFactory(category=None, body=RAW_GUEST_DRAFT)
    assert article.is_live and check_article(article).is_blocked


def test_the_publish_action_skips_blocked_articles_and_says_why(editor_client):
    ready = DraftFactory(title="Ready one")
    raw = DraftFactory(title="Raw guest draft", category=None, body=RAW_GUEST_DRAFT)
    response = editor_client.post(
        reverse("admin:blog_article_changelist"),
        {"action": "publish_now", "_selected_action": [ready.pk, raw.pk]},
        follow=True,
    )
    texts = [str(message) for message in get_messages(response.wsgi_request)] or [
        str(message) for message in response.context["messages"]
    ]
    assert "1 article published." in texts
    assert "“Raw guest draft” was not published: No category is chosen. 1 picture has no alt text: photo.jpg." in texts
    ready.refresh_from_db()
    raw.refresh_from_db()
    assert ready.is_live
    assert raw.status == Article.Status.DRAFT


@pytest.mark.parametrize("scheduled", [False, True])
def test_the_form_refuses_to_publish_or_schedule_a_blocked_article(editor_client, scheduled):
    raw = DraftFactory(category=None, body=RAW_GUEST_DRAFT)
    data = form_data(raw, status=Article.Status.PUBLISHED)
    if scheduled:
        data.update(published_at_0="2099-01-01", published_at_1="09:00:00")
    response = editor_client.post(change_url(raw), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert list(errors) == [
        "Not published: fix what blocks it (see “Before publishing”), then save again.",
        "No category is chosen.",
        "1 picture has no alt text: photo.jpg.",
    ]
    raw.refresh_from_db()
    assert raw.status == Article.Status.DRAFT


def test_the_form_checks_what_is_sent_not_what_is_stored(editor_client):
    raw = DraftFactory(category=None, body=RAW_GUEST_DRAFT)
    fixed_body = RAW_GUEST_DRAFT.replace('alt=""', 'alt="The radio on the bench"')
    data = form_data(raw, status=Article.Status.PUBLISHED, category=CategoryFactory().pk, body=fixed_body)
    response = editor_client.post(change_url(raw), data)
    assert response.status_code == 302
    raw.refresh_from_db()
    assert raw.is_live


def test_the_form_saves_a_blocked_draft_as_a_draft(editor_client):
    raw = DraftFactory(category=None, body=RAW_GUEST_DRAFT)
    response = editor_client.post(change_url(raw), form_data(raw, title="Still a draft"))
    assert response.status_code == 302


def test_the_form_refuses_a_featured_picture_without_alt_text(editor_client):
    # Article.clean() refuses it too; the checklist's message is among the form's errors.
    data = form_data(category=CategoryFactory().pk, status=Article.Status.PUBLISHED, body=LONG_TEXT)
    data["featured_image"] = make_image_file("lead.png")
    data["author"] = ArticleFactory().author_id
    response = editor_client.post(reverse("admin:blog_article_add"), data)
    assert response.status_code == 200
    assert "The featured picture (lead.png) has no alt text." in response.context["adminform"].form.non_field_errors()


# The change page


def test_the_change_page_shows_the_checklist(editor_client):
    raw = DraftFactory(category=None, body=RAW_GUEST_DRAFT)
    page = editor_client.get(change_url(raw)).content.decode()
    assert "Before publishing" in page
    assert "2 things block publishing." in page
    assert "4 warnings." in page
    assert 'data-check="image_alt"' in page and "1 picture has no alt text: photo.jpg." in page
    assert "css/admin-checklist.css" in page


def test_the_add_page_explains_the_checklist_comes_after_saving(editor_client):
    page = editor_client.get(reverse("admin:blog_article_add")).content.decode()
    assert "Save the article to see what it still needs before it can be published." in page


def test_the_checklist_itself_runs_no_queries():
    article = DraftFactory(body=RAW_GUEST_DRAFT + LONG_TEXT)
    SiteSettings.load()
    with CaptureQueriesContext(connection) as queries:
        check_article(article)
    assert len(queries) == 0


def test_the_change_page_runs_as_many_queries_whatever_the_body(editor_client):
    """Session, user, permissions (2), the article, its tags (2), author, category, guest submission, the
    transaction's savepoints (2), the library's newest pictures for the featured-image chooser and this
    editor's autosaved copy: the checklist adds none, however many pictures, links and headings."""
    plain = DraftFactory(body="<p>Short.</p>")
    busy_body = "".join(
        f'<h2>Part {i}</h2><figure><img src="/media/p{i}.jpg" alt=""></figure><p><a href="https://x.example/{i}">here</a></p>'
        for i in range(30)
    )
    busy = DraftFactory(body=busy_body)
    counts = []
    for article in (plain, busy, plain):
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(change_url(article)).status_code == 200
        counts.append(len(queries))
    assert counts[1] == counts[2] == 14, counts


# The site settings


def test_the_settings_page_chooses_what_blocks(editor_client):
    page = editor_client.get(SETTINGS_URL).content.decode()
    assert "Checks that block publishing" in page
    assert re.search(r'<input type="checkbox" name="publishing_blockers" value="category"[^>]* checked>', page)
    assert re.search(r'<input type="checkbox" name="publishing_blockers" value="salutation"[^>]*id="[^"]+">', page)
    response = editor_client.post(SETTINGS_URL, settings_form(publishing_blockers=["salutation", "heading_order"]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert SiteSettings.objects.get().publishing_blockers == ["salutation", "heading_order"]
    assert editor_client.post(SETTINGS_URL, settings_form(publishing_blockers=[])).status_code == 302
    assert SiteSettings.objects.get().publishing_blockers == []


def test_the_settings_page_refuses_an_unknown_check(editor_client):
    response = editor_client.post(SETTINGS_URL, settings_form(publishing_blockers=["spelling"]))
    assert response.status_code == 200
    assert "publishing_blockers" in response.context["adminform"].form.errors
    assert SiteSettings.objects.get().publishing_blockers == default_publishing_blockers()


def test_a_check_unticked_in_the_settings_lets_the_action_publish(editor_client):
    settings = SiteSettings.load()
    settings.publishing_blockers = ["image_alt"]
    settings.save()
    article = DraftFactory(category=None, body="<p>Fine.</p>")
    editor_client.post(
        reverse("admin:blog_article_changelist"), {"action": "publish_now", "_selected_action": [article.pk]}
    )
    article.refresh_from_db()
    assert article.is_live


def test_a_featured_picture_chosen_from_the_library_counts():
    # blog/library_choice.py puts the chosen picture's storage name in the cleaned data.
    instance = Article()
    cleaned = {"featured_image": "library/2026/12/lead.jpg", "featured_image_alt": "", "body": LONG_TEXT}
    draft = Draft.from_form(cleaned, instance)
    assert draft.featured_image == "library/2026/12/lead.jpg"
    assert results(draft)["featured_image_alt"].message == "The featured picture (lead.jpg) has no alt text."
    assert Draft.from_form({**cleaned, "featured_image": False}, instance).featured_image == ""
