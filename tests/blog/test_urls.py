import pytest
from django.urls import resolve, reverse

CASES = [
    ("blog:home", {}, "/"),
    ("blog:search", {}, "/search/"),
    ("blog:category-detail", {"slug": "gadgets"}, "/category/gadgets/"),
    ("blog:tag-detail", {"slug": "ai"}, "/tag/ai/"),
    ("blog:author-detail", {"slug": "ada"}, "/author/ada/"),
    ("blog:archive-year", {"year": 2026}, "/2026/"),
    ("blog:archive-month", {"year": 2026, "month": "03"}, "/2026/03/"),
    ("blog:article-detail", {"year": 2026, "month": "03", "slug": "hello"}, "/2026/03/hello/"),
    ("core:page-detail", {"slug": "about"}, "/pages/about/"),
]


@pytest.mark.parametrize(("name", "kwargs", "path"), CASES)
def test_reverse_and_resolve(name, kwargs, path):
    assert reverse(name, kwargs=kwargs) == path
    assert resolve(path).view_name == name


@pytest.mark.django_db
def test_tags_with_accented_slugs_have_pages(client):
    from taggit.models import Tag

    from tests.factories import ArticleFactory

    # "café" as taggit made it before Latin accents were folded ("cafe" now), and a new Greek one.
    old = Tag.objects.create(name="café")
    Tag.objects.filter(pk=old.pk).update(slug="café")
    article = ArticleFactory(tags=[Tag.objects.get(pk=old.pk), "Ελλάδα"])
    assert sorted(article.tags.slugs()) == ["café", "ελλάδα"]
    assert client.get("/").status_code == 200  # the tag cloud links to them
    for tag in article.tags.all():
        response = client.get(reverse("blog:tag-detail", kwargs={"slug": tag.slug}))
        assert response.status_code == 200 and article.title in response.content.decode()
