"""The editing endpoints of ArticleAdmin and core's PageAdmin: autosave, discard, presence."""

import datetime
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog.models import Article
from core.models import Page
from editing.models import AutosavedCopy
from tests.blog.test_admin import form_data
from tests.factories import ArticleFactory, DraftFactory

pytestmark = pytest.mark.django_db

COPY = {"fields": {"title": ["Typed but not saved"], "body": ["<p>Half a paragraph</p>"]}, "labels": {}}


def autosave(client, url, payload=COPY):
    return client.post(url, json.dumps(payload), content_type="application/json")


def copies_of(user, model=Article):
    return AutosavedCopy.objects.filter(user=user, content_type=ContentType.objects.get_for_model(model))


@pytest.fixture
def article():
    return ArticleFactory(title="The stored title")


def url(name, *args):
    return reverse(f"admin:blog_article_{name}", args=args)


class TestAutosave:
    def test_keeps_one_copy_per_user_and_says_when(self, client, ana, article):
        client.force_login(ana)
        first = autosave(client, url("autosave", article.pk))
        assert first.status_code == 200
        assert first.json()["message"].startswith("Saved a copy at ")
        autosave(client, url("autosave", article.pk), {"fields": {"title": ["Typed again"]}})
        copy = copies_of(ana).get()
        assert copy.object_id == str(article.pk)
        assert copy.fields == {"title": ["Typed again"]}

    def test_a_new_article_has_its_copy_too(self, client, ana):
        client.force_login(ana)
        assert autosave(client, url("autosave_new")).status_code == 200
        assert copies_of(ana).get().object_id is None

    def test_the_csrf_token_and_buttons_are_not_kept(self, client, ana, article):
        client.force_login(ana)
        autosave(
            client,
            url("autosave", article.pk),
            {"fields": {"csrfmiddlewaretoken": ["x"], "_save": [""], "title": ["T"]}},
        )
        assert copies_of(ana).get().fields == {"title": ["T"]}

    def test_anonymous_is_sent_to_log_in(self, client, article):
        response = autosave(client, url("autosave", article.pk))
        assert response.status_code == 302
        assert "/login/" in response["Location"]
        assert not AutosavedCopy.objects.exists()

    def test_permission_to_change_the_object_is_required(self, client, viewer):
        article = DraftFactory(author=viewer.author)  # in their list, but not theirs to change
        client.force_login(viewer)
        response = autosave(client, url("autosave", article.pk))
        assert response.status_code == 403
        assert response.json() == {"error": "You may not change this."}
        assert autosave(client, url("autosave_new")).status_code == 403
        assert not AutosavedCopy.objects.exists()

    def test_an_author_cannot_autosave_someone_elses_draft(self, client, author_only):
        client.force_login(author_only)
        response = autosave(client, url("autosave", DraftFactory().pk))
        assert response.status_code == 404
        assert not AutosavedCopy.objects.exists()

    def test_a_missing_object_is_404(self, client, ana):
        client.force_login(ana)
        assert autosave(client, url("autosave", 999999)).status_code == 404

    def test_get_is_refused(self, client, ana, article):
        client.force_login(ana)
        assert client.get(url("autosave", article.pk)).status_code == 405

    @pytest.mark.parametrize(
        "body, reason",
        [
            ("not json", "Not a copy of the form"),
            (json.dumps(["a"]), '{"fields": {name: [values]}}'),
            (json.dumps({"fields": {"title": "one string"}}), "The values of title must be a list of strings."),
            (json.dumps({"fields": {"title": [1]}}), "The values of title must be a list of strings."),
            (json.dumps({"fields": {}, "labels": {"x": "y"}}), "Send labels as"),
        ],
    )
    def test_bad_input_gets_a_clear_error(self, client, ana, article, body, reason):
        client.force_login(ana)
        response = client.post(url("autosave", article.pk), body, content_type="application/json")
        assert response.status_code == 400
        assert reason in response.json()["error"]

    def test_csrf_is_checked(self, ana, article):
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(ana)
        assert autosave(strict, url("autosave", article.pk)).status_code == 403
        assert not AutosavedCopy.objects.exists()

    def test_query_count(self, client, ana, article, django_assert_num_queries):
        client.force_login(ana)
        autosave(client, url("autosave", article.pk))
        # session, user, permissions (user, groups), the article, the UPDATE of the copy
        with django_assert_num_queries(6):
            assert autosave(client, url("autosave", article.pk)).status_code == 200


class TestSavingAndDiscarding:
    def test_saving_the_article_deletes_the_savers_copy_only(self, client, ana, ben, article):
        client.force_login(ben)
        autosave(client, url("autosave", article.pk))
        client.force_login(ana)
        autosave(client, url("autosave", article.pk))
        response = client.post(url("change", article.pk), form_data(article, title="Saved by Ana"))
        assert response.status_code == 302
        assert not copies_of(ana).exists()
        assert copies_of(ben).count() == 1

    def test_adding_an_article_deletes_the_copy_of_the_new_one(self, client, ana):
        client.force_login(ana)
        autosave(client, url("autosave_new"))
        response = client.post(url("add"), form_data(title="Brand new", slug="brand-new", author=ana.author.pk))
        assert response.status_code == 302
        assert not copies_of(ana).exists()

    def test_deleting_the_article_deletes_every_copy(self, client, ana, ben, article):
        client.force_login(ben)
        autosave(client, url("autosave", article.pk))
        client.force_login(ana)
        client.post(url("delete", article.pk), {"post": "yes"})
        assert not Article.objects.filter(pk=article.pk).exists()
        assert not AutosavedCopy.objects.exists()

    def test_discard(self, client, ana, article, django_assert_num_queries):
        client.force_login(ana)
        autosave(client, url("autosave", article.pk))
        response = client.post(url("discard", article.pk))
        assert response.json() == {"discarded": True, "message": "Discarded the copy."}
        assert not copies_of(ana).exists()
        with django_assert_num_queries(6):  # session, user, permissions (2), the article, the DELETE
            assert client.post(url("discard", article.pk)).json()["discarded"] is False

    def test_discard_needs_the_change_permission(self, client, viewer):
        article = DraftFactory(author=viewer.author)
        client.force_login(viewer)
        assert client.post(url("discard", article.pk)).status_code == 403


class TestTheChangePage:
    def test_offers_a_copy_newer_than_the_article(self, client, ana, article):
        client.force_login(ana)
        autosave(client, url("autosave", article.pk))
        response = client.get(url("change", article.pk))
        assert b'id="editing-banner"' in response.content
        assert b"newer than what is saved" in response.content
        assert b"Restore the copy from" in response.content
        data = json.loads(
            response.content.split(b'id="editing-copy" type="application/json">')[1].split(b"</script>")[0]
        )
        assert data["fields"] == COPY["fields"]

    def test_says_when_the_copy_is_older_than_the_last_save(self, client, ana, article):
        client.force_login(ana)
        autosave(client, url("autosave", article.pk))
        Article.objects.filter(pk=article.pk).update(updated_at=timezone.now() + datetime.timedelta(minutes=5))
        response = client.get(url("change", article.pk))
        assert b"older than the last save" in response.content

    def test_no_offer_without_a_copy(self, client, ana, article):
        client.force_login(ana)
        response = client.get(url("change", article.pk))
        assert b"editing-banner" not in response.content
        assert b'data-autosave-url="%s"' % url("autosave", article.pk).encode() in response.content
        assert b"js/editing.js" in response.content

    def test_the_add_page_offers_the_copy_of_a_new_article(self, client, ana):
        client.force_login(ana)
        autosave(client, url("autosave_new"))
        response = client.get(url("add"))
        assert b'id="editing-banner"' in response.content
        assert b'data-presence-url=""' in response.content

    def test_looking_only_is_not_editing(self, client, viewer, ana):
        article = DraftFactory(author=viewer.author)
        client.force_login(viewer)
        response = client.get(url("change", article.pk))
        assert response.status_code == 200
        assert b"data-autosave-url" not in response.content
        assert b'name="editing_version"' not in response.content
        client.force_login(ana)
        assert client.post(url("presence", article.pk)).json()["others"] == []

    def test_a_copy_to_offer_costs_no_extra_query(self, client, ana, article, django_assert_num_queries):
        client.force_login(ana)
        client.get(url("change", article.pk))  # warm caches (content types, site settings)
        with CaptureQueriesContext(connection) as without:
            client.get(url("change", article.pk))
        count = len(without)  # now: the next request empties the log it reads
        autosave(client, url("autosave", article.pk))
        with django_assert_num_queries(count):
            client.get(url("change", article.pk))


class TestPresence:
    def test_heartbeats_tell_who_else_is_editing(self, client, ana, ben, article, django_assert_num_queries):
        client.force_login(ana)
        assert client.post(url("presence", article.pk)).json() == {"others": [], "message": ""}
        client.force_login(ben)
        with django_assert_num_queries(5):  # session, user, permissions (2), the article; the rest is cache
            answer = client.post(url("presence", article.pk)).json()
        assert [other["name"] for other in answer["others"]] == ["Ana Silva"]
        assert answer["message"].startswith("Ana Silva is editing this article too (since ")

    def test_the_change_page_says_so(self, client, ana, ben, article):
        client.force_login(ana)
        client.get(url("change", article.pk))
        client.force_login(ben)
        response = client.get(url("change", article.pk))
        assert b"Ana Silva is editing this article too (since " in response.content

    def test_leaving_is_forgotten_at_once(self, client, ana, ben, article):
        client.force_login(ana)
        client.post(url("presence", article.pk))
        client.post(url("presence", article.pk), {"leaving": "1"})
        client.force_login(ben)
        assert client.post(url("presence", article.pk)).json()["others"] == []

    def test_presence_needs_the_change_permission(self, client, viewer):
        article = DraftFactory(author=viewer.author)
        client.force_login(viewer)
        assert client.post(url("presence", article.pk)).status_code == 403


class TestCorePages:
    def test_pages_autosave_too(self, client, ana):
        page = Page.objects.create(title="About us", slug="about-us-editing", body="<p>Who we are.</p>")
        client.force_login(ana)
        response = autosave(client, reverse("admin:core_page_autosave", args=[page.pk]))
        assert response.status_code == 200
        assert copies_of(ana, Page).get().object_id == str(page.pk)
        change = client.get(reverse("admin:core_page_change", args=[page.pk]))
        assert b'name="editing_version"' in change.content
        assert change.content.count(b'name="editing_version"') == 1
