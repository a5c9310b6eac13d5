import pytest
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from blog.models import Article, ArticleSlugRedirect
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, DraftFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:blog_article_changelist")
ADD = reverse("admin:blog_article_add")


def change_url(article):
    return reverse("admin:blog_article_change", args=[article.pk])


def form_data(article=None, **overrides):
    """A complete, valid POST for the article change form."""
    data = {
        "title": "An article",
        "slug": "an-article",
        "author": "",
        "category": "",
        "tags": [],
        "new_tags": "",
        "standfirst": "Short standfirst.",
        "body": "<p>Body text.</p>",
        "featured_image_alt": "",
        "featured_image_caption": "",
        "featured_image_credit": "",
        "status": Article.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "meta_description": "",
        "canonical_url": "",
    }
    if article is not None:
        data.update(
            title=article.title,
            slug=article.slug,
            author=article.author_id,
            category=article.category_id or "",
            standfirst=article.standfirst,
            body=article.body,
            status=article.status,
        )
        if article.published_at:
            local = timezone.localtime(article.published_at)
            data.update(published_at_0=local.strftime("%Y-%m-%d"), published_at_1=local.strftime("%H:%M:%S"))
    data.update(overrides)
    return data


class TestChangelist:
    def test_lists_filters_and_searches(self, editor_client):
        ArticleFactory(title="Findable quantum piece", tags=["chips"])
        DraftFactory(title="Other draft")
        response = editor_client.get(CHANGELIST)
        assert response.status_code == 200
        assert response.context["cl"].result_count == 2
        searched = editor_client.get(CHANGELIST, {"q": "quantum"})
        assert searched.context["cl"].result_count == 1
        by_status = editor_client.get(CHANGELIST, {"status__exact": "draft"})
        assert [a.title for a in by_status.context["cl"].result_list] == ["Other draft"]
        tag_id = Article.objects.get(title="Findable quantum piece").tags.get().pk
        by_tag = editor_client.get(CHANGELIST, {"tags__id__exact": tag_id})
        assert by_tag.context["cl"].result_count == 1

    def test_scheduled_articles_are_labelled(self, editor_client):
        ArticleFactory(published_at=timezone.now() + timezone.timedelta(days=2))
        assert "Scheduled" in editor_client.get(CHANGELIST).content.decode()


class TestEditing:
    def test_add_article_with_existing_and_new_tags(self, editor_client, editor):
        from taggit.models import Tag

        existing = Tag.objects.create(name="Hardware", slug="hardware")
        data = form_data(author=editor.author.pk, tags=[existing.pk], new_tags="Chips, ai")
        response = editor_client.post(ADD, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        article = Article.objects.get(slug="an-article")
        assert sorted(t.name for t in article.tags.all()) == ["Chips", "Hardware", "ai"]

    def test_body_is_sanitized_on_save(self, editor_client, editor):
        data = form_data(
            author=editor.author.pk,
            body='<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(1)">x</a></p>',
        )
        editor_client.post(ADD, data)
        body = Article.objects.get(slug="an-article").body
        assert "script" not in body and "onclick" not in body and "javascript" not in body

    def test_image_requires_alt_text(self, editor_client, editor, image_file):
        data = form_data(author=editor.author.pk, featured_image=image_file)
        response = editor_client.post(ADD, data)
        assert response.status_code == 200
        assert "featured_image_alt" in response.context["adminform"].form.errors

    def test_image_with_alt_text_stores_dimensions(self, editor_client, editor, image_file):
        data = form_data(author=editor.author.pk, featured_image=image_file, featured_image_alt="A blue square")
        assert editor_client.post(ADD, data).status_code == 302
        article = Article.objects.get(slug="an-article")
        assert (article.featured_image_width, article.featured_image_height) == (800, 450)
        page = editor_client.get(change_url(article)).content.decode()
        assert article.featured_image.url in page  # image preview

    def test_publishing_without_a_date_stamps_now(self, editor_client, editor):
        data = form_data(author=editor.author.pk, category=CategoryFactory().pk, status=Article.Status.PUBLISHED)
        editor_client.post(ADD, data)
        article = Article.objects.get(slug="an-article")
        assert article.is_live

    def test_slug_change_keeps_old_address(self, editor_client):
        article = ArticleFactory(slug="first-name")
        old_url = article.get_absolute_url()
        response = editor_client.post(change_url(article), form_data(article, slug="second-name"))
        assert response.status_code == 302
        assert ArticleSlugRedirect.objects.filter(old_slug="first-name", article=article).exists()
        redirect = editor_client.get(old_url)
        assert redirect.status_code == 301
        assert redirect["Location"].endswith("/second-name/")

    def test_change_form_offers_preview_link_and_view_on_site(self, editor_client):
        draft = DraftFactory()
        page = editor_client.get(change_url(draft)).content.decode()
        assert "/preview/" in page
        assert "Open preview" in page


class TestActions:
    def act(self, client, action, articles):
        return client.post(CHANGELIST, {"action": action, "_selected_action": [a.pk for a in articles]}, follow=True)

    def test_publish_now(self, editor_client):
        drafts = DraftFactory.create_batch(2)
        response = self.act(editor_client, "publish_now", drafts)
        assert "2 articles published." in response.content.decode()
        assert Article.objects.live().count() == 2

    def test_publish_now_leaves_taken_down_articles_alone(self, editor_client):
        taken_down = ArticleFactory(status=Article.Status.TAKEN_DOWN)
        self.act(editor_client, "publish_now", [taken_down])
        taken_down.refresh_from_db()
        assert taken_down.status == Article.Status.TAKEN_DOWN

    def test_the_form_cannot_take_down_or_restore(self, editor_client):
        article = ArticleFactory()
        response = editor_client.post(change_url(article), form_data(article, status=Article.Status.TAKEN_DOWN))
        assert response.status_code == 200 and "status" in response.context["adminform"].form.errors
        taken_down = ArticleFactory(status=Article.Status.TAKEN_DOWN)
        editor_client.post(change_url(taken_down), form_data(taken_down, status=Article.Status.PUBLISHED))
        taken_down.refresh_from_db()
        assert taken_down.status == Article.Status.TAKEN_DOWN

    def test_unpublish_withdraws(self, editor_client):
        article = ArticleFactory()
        self.act(editor_client, "unpublish", [article])
        article.refresh_from_db()
        assert article.status == Article.Status.WITHDRAWN
        assert not Article.objects.live().exists()

    def test_feature_and_unfeature(self, editor_client):
        article = ArticleFactory()
        self.act(editor_client, "feature", [article])
        article.refresh_from_db()
        assert article.is_featured
        self.act(editor_client, "unfeature", [article])
        article.refresh_from_db()
        assert not article.is_featured

    def test_actions_keep_revisions(self, editor_client):
        article = DraftFactory()
        self.act(editor_client, "publish_now", [article])
        assert Version.objects.get_for_object(article).count() == 1


class TestAuthorsCannotPublish:
    def test_author_sees_only_own_articles(self, writer_client, writer):
        mine = DraftFactory(author=writer.author)
        DraftFactory()
        response = writer_client.get(CHANGELIST)
        assert list(response.context["cl"].result_list) == [mine]

    def test_author_has_no_publish_actions_or_status(self, writer_client, writer):
        DraftFactory(author=writer.author)
        response = writer_client.get(CHANGELIST)
        assert "publish_now" not in response.content.decode()
        form = writer_client.get(ADD).context["adminform"].form
        assert [value for value, _ in form.fields["status"].choices] == ["draft", "review"]

    def test_author_cannot_publish_through_the_form(self, writer_client, writer):
        response = writer_client.post(ADD, form_data(status=Article.Status.PUBLISHED))
        assert response.status_code == 200
        assert "status" in response.context["adminform"].form.errors
        assert not Article.objects.exists()

    def test_author_submits_for_review_as_themselves(self, writer_client, writer):
        other = AuthorFactory()
        response = writer_client.post(ADD, form_data(status=Article.Status.REVIEW, author=other.pk))
        assert response.status_code == 302
        article = Article.objects.get()
        assert article.author == writer.author
        assert article.status == Article.Status.REVIEW
        assert article.published_at is None

    def test_author_cannot_publish_with_the_action(self, writer_client, writer):
        draft = DraftFactory(author=writer.author)
        writer_client.post(CHANGELIST, {"action": "publish_now", "_selected_action": [draft.pk]})
        draft.refresh_from_db()
        assert draft.status == Article.Status.DRAFT

    def test_author_cannot_change_a_published_article(self, writer_client, writer):
        published = ArticleFactory(author=writer.author, title="Out there")
        response = writer_client.post(change_url(published), form_data(published, title="Changed"))
        assert response.status_code == 403
        published.refresh_from_db()
        assert published.title == "Out there"

    def test_author_cannot_open_someone_elses_draft(self, writer_client):
        response = writer_client.get(change_url(DraftFactory()))
        assert response.status_code == 302  # admin redirects to the index for objects it cannot see


class TestRevisions:
    def test_each_save_keeps_a_version_with_a_readable_diff(self, editor_client):
        article = ArticleFactory(title="Old title", body="<p>Old paragraph.</p>")
        editor_client.post(change_url(article), form_data(article, title="New title"))
        editor_client.post(change_url(article), form_data(article, title="New title", body="<p>New paragraph.</p>"))
        versions = Version.objects.get_for_object(article)
        assert versions.count() == 2
        history = editor_client.get(reverse("admin:blog_article_history", args=[article.pk]))
        assert history.status_code == 200
        assert len(history.context["version_rows"]) == 2
        latest = versions.order_by("-pk").first()
        diff = editor_client.get(reverse("admin:blog_article_diff", args=[article.pk, latest.pk]))
        assert diff.status_code == 200
        changes = {c.name: c for c in diff.context["changes"]}
        assert set(changes) == {"body"}
        assert "-Old paragraph." in changes["body"].lines
        assert "+New paragraph." in changes["body"].lines
        first = versions.order_by("pk").first()
        first_diff = editor_client.get(reverse("admin:blog_article_diff", args=[article.pk, first.pk]))
        assert "title" in {c.name for c in first_diff.context["changes"]}

    def test_restore_an_old_version(self, editor_client):
        article = ArticleFactory(title="Original")
        editor_client.post(change_url(article), form_data(article, title="Original"))
        editor_client.post(change_url(article), form_data(article, title="Rewritten"))
        first = Version.objects.get_for_object(article).order_by("pk").first()
        revert_url = reverse("admin:blog_article_revision", args=[article.pk, first.pk])
        assert editor_client.get(revert_url).status_code == 200
        editor_client.post(revert_url, form_data(article, title="Original"))
        article.refresh_from_db()
        assert article.title == "Original"


class TestOtherAdmins:
    @pytest.mark.parametrize(
        "name", ["blog_author", "blog_category", "blog_articleslugredirect", "core_page", "taggit_tag"]
    )
    def test_changelists_open(self, editor_client, name):
        AuthorFactory()
        CategoryFactory()
        assert editor_client.get(reverse(f"admin:{name}_changelist")).status_code == 200

    def test_site_settings_is_a_single_record(self, editor_client):
        response = editor_client.get(reverse("admin:core_sitesettings_changelist"))
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:core_sitesettings_change", args=[1])
        assert editor_client.get(response["Location"]).status_code == 200

    def test_tag_autocomplete(self, editor_client):
        ArticleFactory(tags=["Rust", "Ruby"])
        response = editor_client.get(
            reverse("admin:autocomplete"),
            {"term": "ru", "app_label": "blog", "model_name": "article", "field_name": "tags"},
        )
        assert response.status_code == 200
        assert sorted(r["text"] for r in response.json()["results"]) == ["Ruby", "Rust"]
