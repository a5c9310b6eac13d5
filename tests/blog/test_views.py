import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Article
from blog.previews import preview_url
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, DraftFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(db):
    return ArticleFactory(title="Live story", tags=["python", "django"])


def _article_url(article):
    return article.get_absolute_url()


class TestHome:
    def test_lists_live_articles_and_featured(self, client, live):
        featured = ArticleFactory(title="The big one", is_featured=True)
        DraftFactory(title="Secret draft")
        response = client.get(reverse("blog:home"))
        assert response.status_code == 200
        assert "blog/home.html" in [t.name for t in response.templates]
        assert response.context["featured"] == featured
        assert list(response.context["articles"]) == [live]  # the lead is not repeated below
        assert "Live story" in response.content.decode()
        assert "Secret draft" not in response.content.decode()

    def test_paginates_ten_per_page(self, client):
        ArticleFactory.create_batch(12)
        first = client.get(reverse("blog:home"))
        assert len(first.context["articles"]) == 10
        assert 'rel="next"' in first.content.decode()
        second = client.get(reverse("blog:home"), {"page": 2})
        assert len(second.context["articles"]) == 2
        assert "featured" not in second.context

    def test_every_page_carries_both_footers(self, client, live):
        for url in [reverse("blog:home"), live.get_absolute_url(), reverse("blog:search")]:
            body = client.get(url).content.decode()
            assert "affiliate links" in body
            assert 'href="/pages/affiliate-disclosure/"' in body
            assert "Copyright &amp; warning" in body
            assert "protected by copyright" in body


class TestArticleDetail:
    def test_renders_article(self, client, live):
        related = ArticleFactory(title="Related one", tags=["python"])
        response = client.get(live.get_absolute_url())
        assert response.status_code == 200
        assert "blog/article_detail.html" in [t.name for t in response.templates]
        assert response.context["article"] == live
        assert list(response.context["related"]) == [related]
        page = response.content.decode()
        assert '<h1 id="article-title">Live story</h1>' in page
        assert live.author.get_absolute_url() in page
        assert "min read" in page

    def test_url_shape(self, live):
        when = timezone.localtime(live.published_at)
        assert live.get_absolute_url() == f"/{when.year}/{when.month:02d}/{live.slug}/"

    def test_previous_and_next(self, client):
        older = ArticleFactory(published_at=timezone.now() - datetime.timedelta(days=3))
        middle = ArticleFactory(published_at=timezone.now() - datetime.timedelta(days=2))
        newer = ArticleFactory(published_at=timezone.now() - datetime.timedelta(days=1))
        response = client.get(middle.get_absolute_url())
        assert response.context["previous_article"] == older
        assert response.context["next_article"] == newer

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"status": Article.Status.DRAFT, "published_at": None},
            {"status": Article.Status.REVIEW, "published_at": None},
            {"status": Article.Status.WITHDRAWN},
            {"status": Article.Status.PUBLISHED, "published_at": timezone.now() + datetime.timedelta(days=1)},
        ],
        ids=["draft", "review", "withdrawn", "scheduled"],
    )
    def test_hidden_articles_are_404(self, client, kwargs):
        article = ArticleFactory(**kwargs)
        url = reverse("blog:article-detail", kwargs={"year": 2025, "month": "01", "slug": article.slug})
        response = client.get(url)
        assert response.status_code == 404
        assert "blog/article_detail.html" not in [t.name for t in response.templates]

    def test_wrong_date_in_url_redirects_to_canonical(self, client, live):
        url = reverse("blog:article-detail", kwargs={"year": 2001, "month": 1, "slug": live.slug})
        response = client.get(url)
        assert response.status_code == 301
        assert response["Location"] == live.get_absolute_url()

    def test_old_slug_redirects_permanently(self, client, live):
        old_url = live.get_absolute_url()
        live.slug = "renamed-story"
        live.save()
        response = client.get(old_url)
        assert response.status_code == 301
        assert response["Location"] == live.get_absolute_url()
        assert client.get(live.get_absolute_url()).status_code == 200

    def test_scheduled_article_appears_by_itself(self, client, time_machine):
        time_machine.move_to(timezone.now(), tick=False)
        article = ArticleFactory(published_at=timezone.now() + datetime.timedelta(hours=1))
        assert client.get(reverse("blog:home")).context["articles"].count() == 0
        time_machine.shift(datetime.timedelta(hours=1, seconds=1))
        assert list(client.get(reverse("blog:home")).context["articles"]) == [article]
        assert client.get(article.get_absolute_url()).status_code == 200


class TestPreview:
    def test_signed_link_shows_draft_without_login(self, client):
        draft = DraftFactory(title="Work in progress")
        response = client.get(preview_url(draft))
        assert response.status_code == 200
        assert "Work in progress" in response.content.decode()
        assert "Preview: this article is not public" in response.content.decode()
        assert "no-cache" in response["Cache-Control"]
        assert response["X-Robots-Tag"] == "noindex, nofollow"

    def test_tampered_link_is_404(self, client):
        draft = DraftFactory()
        url = preview_url(draft)
        assert client.get(url[:-3] + "abc/").status_code == 404

    def test_expired_link_is_404(self, client, settings, time_machine):
        time_machine.move_to(timezone.now(), tick=False)
        settings.BYLINE_PREVIEW_MAX_AGE = 60
        url = preview_url(DraftFactory())
        time_machine.shift(datetime.timedelta(seconds=61))
        response = client.get(url)
        assert response.status_code == 404

    def test_renamed_draft_invalidates_old_link(self, client):
        draft = DraftFactory()
        url = preview_url(draft)
        draft.slug = "another-slug"
        draft.save()
        assert client.get(url).status_code == 404


class TestListings:
    def test_category(self, client):
        category = CategoryFactory(name="Gadgets")
        inside = ArticleFactory(category=category)
        ArticleFactory()
        DraftFactory(category=category)
        response = client.get(reverse("blog:category-detail", kwargs={"slug": category.slug}))
        assert response.status_code == 200
        assert list(response.context["articles"]) == [inside]
        assert "<h1>Gadgets</h1>" in response.content.decode()

    def test_tag(self, client):
        tagged = ArticleFactory(tags=["rust"])
        ArticleFactory(tags=["go"])
        response = client.get(reverse("blog:tag-detail", kwargs={"slug": "rust"}))
        assert list(response.context["articles"]) == [tagged]

    def test_author(self, client):
        author = AuthorFactory(name="Ada Writer", bio="Writes about compilers.")
        theirs = ArticleFactory(author=author)
        ArticleFactory()
        response = client.get(author.get_absolute_url())
        assert list(response.context["articles"]) == [theirs]
        assert "Writes about compilers." in response.content.decode()

    def test_year_and_month_archives(self, client):
        in_2024 = ArticleFactory(published_at=datetime.datetime(2024, 3, 10, 12, tzinfo=datetime.UTC))
        ArticleFactory(published_at=datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.UTC))
        ArticleFactory(published_at=datetime.datetime(2023, 3, 1, 12, tzinfo=datetime.UTC))
        assert client.get(reverse("blog:archive-year", kwargs={"year": 2024})).context["paginator"].count == 2
        month = client.get(reverse("blog:archive-month", kwargs={"year": 2024, "month": "03"}))
        assert list(month.context["articles"]) == [in_2024]
        assert "March 2024" in month.content.decode()

    def test_invalid_month_is_404(self, client):
        assert client.get("/2024/13/").status_code == 404

    @pytest.mark.parametrize("url", ["/category/nope/", "/tag/nope/", "/author/nope/", "/pages/nope/"])
    def test_unknown_slugs_are_404(self, client, url):
        response = client.get(url)
        assert response.status_code == 404
        assert "We can’t find that page" in response.content.decode()


class TestSearch:
    def test_finds_live_articles_matching_all_words(self, client):
        hit = ArticleFactory(title="Quantum chips arrive", body="<p>New silicon from the lab.</p>")
        ArticleFactory(title="Quantum weather")
        DraftFactory(title="Quantum chips draft")
        response = client.get(reverse("blog:search"), {"q": "quantum   silicon"})
        assert response.status_code == 200
        assert list(response.context["articles"]) == [hit]
        assert response.context["query"] == "quantum silicon"
        assert '<meta name="robots" content="noindex, follow">' in response.content.decode()

    def test_empty_query_shows_form_only(self, client):
        response = client.get(reverse("blog:search"), {"q": "   "})
        assert response.status_code == 200
        assert list(response.context["articles"]) == []

    def test_long_and_hostile_queries_are_harmless(self, client, live):
        response = client.get(reverse("blog:search"), {"q": "x" * 5000})
        assert response.status_code == 200
        assert len(response.context["query"]) == 200
        response = client.get(reverse("blog:search"), {"q": "<script>alert(1)</script> ' OR 1=1 --"})
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()


class TestPages:
    def test_affiliate_disclosure_page_exists(self, client):
        response = client.get("/pages/affiliate-disclosure/")
        assert response.status_code == 200
        assert "Affiliate disclosure" in response.content.decode()

    def test_healthz(self, client):
        response = client.get("/healthz/")
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
