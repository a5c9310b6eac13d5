"""An upheld copyright complaint takes an article down everywhere; restoring brings it back."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from blog.models import Article
from blog.previews import preview_url
from complaints import workflow
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db
LINK = '<http://127.0.0.1:8000/pages/copyright-policy/>; rel="blocked-by"'


@pytest.fixture
def article(db):
    return ArticleFactory(
        title="Quantum heat pumps explained",
        slug="quantum-heat-pumps",
        author=AuthorFactory(email="pat@example.com"),
        tags=["heat-pumps"],
    )


@pytest.fixture
def neighbour(article):
    """Another live article in the same category, tag, author and month."""
    return ArticleFactory(
        title="Another story",
        author=article.author,
        category=article.category,
        published_at=article.published_at - datetime.timedelta(minutes=5),
        tags=["heat-pumps"],
    )


@pytest.fixture
def complaint(article):
    return workflow.receive(
        article=article,
        article_url=article.get_absolute_url(),
        claimant_name="Ada Lovelace",
        claimant_email="ada@rights.example",
        original_work="Our handbook, chapter 3",
        signature="Ada Lovelace",
        good_faith=True,
        accuracy=True,
    )


def listing_pages(article):
    when = timezone.localtime(article.published_at)
    return {
        "home": reverse("blog:home"),
        "category": article.category.get_absolute_url(),
        "tag": reverse("blog:tag-detail", kwargs={"slug": "heat-pumps"}),
        "author": article.author.get_absolute_url(),
        "year": reverse("blog:archive-year", kwargs={"year": when.year}),
        "month": reverse("blog:archive-month", kwargs={"year": when.year, "month": when.month}),
        "search": reverse("blog:search") + "?q=quantum",
    }


def listed_on(client, url, article):
    response = client.get(url)
    assert response.status_code == 200, url
    return article in response.context["articles"] or response.context.get("featured") == article


def assert_everywhere(client, article, present):
    for name, url in listing_pages(article).items():
        assert listed_on(client, url, article) is present, name
    assert Article.objects.live().filter(pk=article.pk).exists() is present


class TestTakedown:
    def test_before_the_decision_the_article_is_everywhere(self, client, article, neighbour, complaint):
        assert client.get(article.get_absolute_url()).status_code == 200
        assert_everywhere(client, article, present=True)

    def test_upheld_answers_451_with_the_reason(self, client, article, complaint, editor):
        workflow.uphold(complaint, editor, "It reproduced chapter 3 of “Heat pumps explained” without permission.")
        response = client.get(article.get_absolute_url())
        assert response.status_code == 451
        assert "blog/article_unavailable.html" in [t.name for t in response.templates]
        assert response["Link"] == LINK
        page = response.content.decode()
        assert "Unavailable for legal reasons" in page
        assert "It reproduced chapter 3 of “Heat pumps explained” without permission." in page
        assert "Quantum heat pumps explained" in page
        complaint.refresh_from_db()
        assert f'<time datetime="{timezone.localtime(complaint.decided_at).isoformat()}">' in page
        assert '<meta name="robots" content="noindex">' in page
        assert 'href="http://127.0.0.1:8000/pages/copyright-policy/"' in page
        assert 'rel="canonical"' not in page
        assert "First paragraph" not in page  # nothing of the body

    def test_upheld_leaves_every_listing(self, client, article, neighbour, complaint, editor):
        before = client.get(neighbour.get_absolute_url()).context
        assert article in list(before["related"]) and before["next_article"] == article
        workflow.uphold(complaint, editor)
        assert_everywhere(client, article, present=False)
        assert listed_on(client, reverse("blog:home"), neighbour)
        # Nor is it offered next to other articles.
        response = client.get(neighbour.get_absolute_url())
        assert response.status_code == 200
        assert article not in list(response.context["related"])
        assert article not in (response.context["previous_article"], response.context["next_article"])

    def test_other_addresses_lead_to_the_451(self, client, article, complaint, editor):
        old_url = article.get_absolute_url()
        article.slug = "quantum-heat-pumps-v2"
        article.save()
        workflow.uphold(complaint, editor)
        canonical = Article.objects.get(pk=article.pk).get_absolute_url()
        assert client.get(old_url)["Location"] == canonical  # former slug
        wrong_month = reverse("blog:article-detail", kwargs={"year": 2001, "month": "01", "slug": article.slug})
        response = client.get(wrong_month)
        assert (response.status_code, response["Location"]) == (301, canonical)
        assert client.get(canonical).status_code == 451

    def test_451_runs_a_fixed_number_of_queries(self, client, article, complaint, editor, django_assert_num_queries):
        workflow.uphold(complaint, editor)
        cache.clear()
        # site settings, footer menu, live article (none), taken-down article, complaint in force
        with django_assert_num_queries(5):
            assert client.get(article.get_absolute_url()).status_code == 451

    def test_taken_down_by_hand_still_answers_451(self, client, article):
        Article.objects.filter(pk=article.pk).update(status=Article.Status.TAKEN_DOWN)
        response = client.get(article.get_absolute_url())
        assert response.status_code == 451
        assert "A copyright complaint about it was upheld." in response.content.decode()

    def test_preview_links_keep_working(self, client, article, complaint, editor):
        workflow.uphold(complaint, editor)
        response = client.get(preview_url(Article.objects.get(pk=article.pk)))
        assert response.status_code == 200
        assert "Taken down (copyright)" in response.content.decode()

    def test_other_unpublished_articles_are_still_404(self, client, article):
        Article.objects.filter(pk=article.pk).update(status=Article.Status.WITHDRAWN)
        assert client.get(article.get_absolute_url()).status_code == 404


class TestRestoreAndReject:
    def test_restore_brings_it_back_everywhere(self, client, article, neighbour, complaint, editor):
        workflow.uphold(complaint, editor)
        assert client.get(article.get_absolute_url()).status_code == 451
        workflow.restore(complaint, editor, "Licence shown.")
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert "Link" not in response
        assert_everywhere(client, article, present=True)

    def test_reject_leaves_it_up(self, client, article, neighbour, complaint, editor):
        workflow.reject(complaint, editor, "Fair quotation with credit.")
        assert client.get(article.get_absolute_url()).status_code == 200
        assert_everywhere(client, article, present=True)
