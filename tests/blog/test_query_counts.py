"""Every public page renders in a fixed number of queries, whatever the amount of content.

Each page is rendered with 5 and with 50 articles (and as many tags and authors);
the query count must be the same, and is pinned so a regression fails loudly.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def build_site(n):
    authors = AuthorFactory.create_batch(max(1, n // 5))
    categories = CategoryFactory.create_batch(max(1, n // 10))
    articles = [
        ArticleFactory(
            author=authors[i % len(authors)],
            category=categories[i % len(categories)],
            tags=[f"tag-{i % 7}", f"tag-{i % 11}", f"topic-{i}"],
            is_featured=(i % 9 == 0),
        )
        for i in range(n)
    ]
    return articles, authors, categories


def page_urls(articles, authors, categories):
    article = articles[len(articles) // 2]
    when = article.published_at
    return {
        "home": reverse("blog:home"),
        "article": article.get_absolute_url(),
        "category": categories[0].get_absolute_url(),
        "tag": reverse("blog:tag-detail", kwargs={"slug": "tag-1"}),
        "author": authors[0].get_absolute_url(),
        "year": reverse("blog:archive-year", kwargs={"year": when.year}),
        "month": reverse("blog:archive-month", kwargs={"year": when.year, "month": when.month}),
        "search": reverse("blog:search") + "?q=article",
        "search-empty": reverse("blog:search"),
        "page": "/pages/affiliate-disclosure/",
    }


# Pinned budgets, counted cold (site settings not yet cached). Every blog page pays
# 2 for site settings and the footer menu (cached together) and 3 for the sidebar
# (categories, tag cloud, archive months).
EXPECTED = {
    "home": 10,  # + count, page of articles, their tags, featured article, its tags
    "article": 11,  # + article, its tags, related, previous, next, published comments
    "category": 9,  # + category, count, page, tags
    "tag": 9,  # + tag, count, page, tags
    "author": 9,  # + author, count, page, tags
    "year": 8,  # + count, page, tags
    "month": 8,
    "search": 9,  # + count, the page's ids and snippets, its articles, their tags
    "search-empty": 5,  # no query runs against articles
    "page": 3,  # settings, footer menu, page; no sidebar
}


def count_queries(client, url):
    cache.clear()  # count the cold path: site settings are loaded, not cached
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_query_count_does_not_grow_with_content(client, name):
    small = count_queries(client, page_urls(*build_site(5))[name])
    large = count_queries(client, page_urls(*build_site(50))[name])
    assert small == large, f"{name}: {small} queries with 5 articles, {large} with 55"
    assert large == EXPECTED[name], f"{name}: {large} queries, budget {EXPECTED[name]}"
