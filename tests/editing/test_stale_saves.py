"""A save made stale by another editor's save is refused, with what changed, the typed values kept."""

import pytest
from django.urls import reverse

from blog.models import Article
from editing.versions import TOUCHED_FIELD, VERSION_FIELD, make_version
from tests.blog.test_admin import form_data
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:blog_article_change", args=[article.pk])


def open_form(client, article):
    """GET the change form; return the version mark it carries."""
    response = client.get(change_url(article))
    assert response.status_code == 200
    mark = response.context["adminform"].form[VERSION_FIELD].value()
    assert mark
    assert response.content.count(f'name="{VERSION_FIELD}"'.encode()) == 1
    return mark


@pytest.fixture
def article():
    return ArticleFactory(title="Stored title", standfirst="Stored standfirst.", body="<p>Stored body.</p>")


def test_a_save_after_anothers_save_is_refused_with_the_changed_fields_named(client, ana, ben, article):
    client.force_login(ana)
    mark = open_form(client, article)

    client.force_login(ben)
    ben_saves = client.post(change_url(article), form_data(article, title="Ben's title", body="<p>Ben's body.</p>"))
    assert ben_saves.status_code == 302

    client.force_login(ana)
    typed = form_data(article, standfirst="Ana typed this standfirst.", **{VERSION_FIELD: mark})
    response = client.post(change_url(article), typed)
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1
    assert errors[0].startswith("Not saved: Ben Okafor saved this article at ")
    assert "Changed since: Title, Body" in errors[0]  # (and Show call-out: form_data leaves it unticked)
    assert "Standfirst" not in errors[0]
    assert "You changed Title, Body" in errors[0]  # the browser did not say what was touched: all kept
    assert b"Ana typed this standfirst." in response.content  # the typed values are kept
    article.refresh_from_db()
    assert article.title == "Ben's title"
    assert article.standfirst == "Stored standfirst."


def test_the_refused_form_carries_the_current_version_so_saving_again_is_a_choice(client, ana, ben, article):
    client.force_login(ana)
    mark = open_form(client, article)
    client.force_login(ben)
    client.post(change_url(article), form_data(article, title="Ben's title"))
    client.force_login(ana)
    refused = client.post(change_url(article), form_data(article, title="Ana's title", **{VERSION_FIELD: mark}))
    fresh = refused.context["adminform"].form[VERSION_FIELD].value()
    assert fresh != mark
    assert f'value="{fresh}"'.encode() in refused.content
    saved = client.post(change_url(article), form_data(article, title="Ana's title", **{VERSION_FIELD: fresh}))
    assert saved.status_code == 302
    article.refresh_from_db()
    assert article.title == "Ana's title"


def test_a_save_from_the_current_version_goes_through(client, ana, article):
    client.force_login(ana)
    mark = open_form(client, article)
    response = client.post(change_url(article), form_data(article, title="Changed", **{VERSION_FIELD: mark}))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Changed"


def test_a_change_made_outside_the_admin_is_caught_without_a_name(client, ana, article):
    client.force_login(ana)
    mark = open_form(client, article)
    Article.objects.filter(pk=article.pk).update(standfirst="Changed by a script.")
    response = client.post(change_url(article), form_data(article, **{VERSION_FIELD: mark}))
    errors = response.context["adminform"].form.non_field_errors()
    assert errors[0].startswith("Not saved: someone else saved this article")
    assert "Changed since: Standfirst." in errors[0]


def test_the_same_user_in_another_window_is_named_so(client, ana, article):
    client.force_login(ana)
    mark = open_form(client, article)
    client.post(change_url(article), form_data(article, title="From the other window"))
    response = client.post(change_url(article), form_data(article, title="From this window", **{VERSION_FIELD: mark}))
    errors = response.context["adminform"].form.non_field_errors()
    assert errors[0].startswith("Not saved: you (in another window) saved this article at ")


def test_an_unreadable_version_is_refused_clearly(client, ana, article):
    client.force_login(ana)
    response = client.post(change_url(article), form_data(article, title="X", **{VERSION_FIELD: "forged"}))
    errors = response.context["adminform"].form.non_field_errors()
    assert "version mark cannot be read" in errors[0]
    article.refresh_from_db()
    assert article.title == "Stored title"


def test_a_form_without_a_version_saves_as_before(client, ana, article):
    client.force_login(ana)
    assert client.post(change_url(article), form_data(article, title="No mark")).status_code == 302


def test_a_mark_for_other_fields_ignores_the_fields_it_does_not_know(client, ana, article):
    from django.utils import timezone

    client.force_login(ana)
    mark = make_version({"a_field_no_longer_on_the_form": "0"}, timezone.now())
    assert client.post(change_url(article), form_data(article, **{VERSION_FIELD: mark})).status_code == 302


def test_core_pages_refuse_stale_saves_too(client, ana):
    from core.models import Page

    page = Page.objects.create(title="About", slug="about-stale", body="<p>Us.</p>")
    url = reverse("admin:core_page_change", args=[page.pk])
    client.force_login(ana)
    mark = client.get(url).context["adminform"].form[VERSION_FIELD].value()
    Page.objects.filter(pk=page.pk).update(body="<p>Them.</p>")
    data = {"title": "About", "slug": "about-stale", "body": "<p>Mine.</p>", "meta_description": "",
            "in_footer": "on", "footer_position": "0", VERSION_FIELD: mark}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Changed since: Body." in response.context["adminform"].form.non_field_errors()[0]


def test_the_fields_left_alone_show_the_other_editors_value_and_the_touched_keep_the_typed(client, ana, ben, article):
    client.force_login(ana)
    mark = open_form(client, article)
    client.force_login(ben)
    client.post(change_url(article), form_data(article, title="Ben's title", standfirst="Ben's standfirst."))
    client.force_login(ana)
    typed = form_data(article, standfirst="Ana's standfirst.", **{VERSION_FIELD: mark})
    typed[TOUCHED_FIELD] = '["standfirst"]'
    response = client.post(change_url(article), typed)
    form = response.context["adminform"].form
    error = form.non_field_errors()[0]
    assert "The form now shows their Title" in error  # (and Show call-out, unticked by form_data)
    assert "You changed Standfirst too: yours is kept below, and saving again replaces theirs." in error
    assert form["title"].value() == "Ben's title"
    assert form["standfirst"].value() == "Ana's standfirst."
    again = {**typed, "title": form["title"].value(), VERSION_FIELD: form[VERSION_FIELD].value()}
    assert client.post(change_url(article), again).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.standfirst) == ("Ben's title", "Ana's standfirst.")


@pytest.mark.parametrize("touched", ["not json", '{"a": 1}', ""])
def test_an_unreadable_touched_list_keeps_everything_typed(client, ana, article, touched):
    client.force_login(ana)
    mark = open_form(client, article)
    Article.objects.filter(pk=article.pk).update(title="Changed by a script")
    response = client.post(
        change_url(article), form_data(article, title="Typed", **{VERSION_FIELD: mark, TOUCHED_FIELD: touched})
    )
    assert response.context["adminform"].form["title"].value() == "Typed"
