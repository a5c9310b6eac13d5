"""The checklist's featured-picture alt check: an alt text an editor has still to check (a placeholder, or the
caption repeated, as a guest post's acceptance proposes them) stays flagged until it is changed."""

import pytest

from blog.checklist import BLOCKED, OK, WARNING, Draft, check_article, placeholder_alt
from core.models import SiteSettings
from tests.blog.test_admin import change_url, form_data
from tests.blog.test_checklist import GOOD, results
from tests.factories import CategoryFactory, DraftFactory

pytestmark = pytest.mark.django_db


def alt_result(**changes):
    return results(Draft(**{**GOOD.__dict__, **changes}))["featured_image_alt"]


def test_a_described_picture_passes():
    assert alt_result(featured_image_caption="Board").status == OK


def test_the_placeholder_is_flagged_like_a_missing_alt():
    result = alt_result(featured_image_alt=placeholder_alt("Solar roofs"))
    assert result.status == BLOCKED  # a blocker on a new site, as a missing alt is
    assert result.message == "The featured picture (lead.jpg) has a placeholder for alt text: describe what it shows."
    assert placeholder_alt("Solar roofs") == "Illustration for “Solar roofs”"


def test_a_real_alt_that_merely_starts_alike_passes():
    assert alt_result(featured_image_alt="Illustration for a children's book, in ink").status == OK
    assert alt_result(featured_image_alt="Illustration for “”").status == OK  # nothing between: not ours


def test_an_alt_repeating_the_caption_is_flagged_until_either_changes():
    same = {"featured_image_alt": "The dial at dusk", "featured_image_caption": "The  dial at dusk"}
    result = alt_result(**same)
    assert result.status == BLOCKED
    assert result.message == (
        "The featured picture's alt text repeats its caption (“The dial at dusk”): check that it describes the "
        "picture, and say what it shows in other words."
    )
    assert alt_result(**{**same, "featured_image_alt": "A brass radio dial lit orange"}).status == OK
    assert alt_result(**{**same, "featured_image_caption": ""}).status == OK


def test_unticked_in_the_settings_it_only_warns():
    settings = SiteSettings.load()
    settings.publishing_blockers = []
    settings.save()
    assert alt_result(featured_image_alt=placeholder_alt("X")).status == WARNING


def test_from_the_article_and_from_the_form(editor_client, image_file):
    article = DraftFactory(
        category=CategoryFactory(),
        featured_image=image_file,
        featured_image_alt="The dial",
        featured_image_caption="The dial",
    )
    assert "featured_image_alt" in {result.code for result in check_article(article).blockers}
    # Published from the form: refused with the message while the alt repeats the caption.
    same = {"featured_image_alt": "The dial", "featured_image_caption": "The dial", "status": "published"}
    response = editor_client.post(change_url(article), form_data(article, **same))
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert any("repeats its caption" in error for error in errors)
    # Saved as a draft it is not refused: the checklist guards publishing only.
    response = editor_client.post(change_url(article), form_data(article, **{**same, "status": "draft"}))
    assert response.status_code == 302
