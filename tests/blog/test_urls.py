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
