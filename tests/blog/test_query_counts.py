"""Every public page and feed renders in a fixed number of queries, whatever the amount of content.

The site is measured with 5 articles, then again after 495 more (with as many more
authors, categories, tags and comments); each page's count must be the same both
times, and equal to its pinned budget, so a regression fails loudly. Counted with
the page cache missed (these are the costs of rendering a page) and with every other
cache empty too (site settings, footer menu, sidebar): the worst case.
"""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Page
from discussion.actions import recount
from discussion.models import Comment
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def add_articles(n, offset):
    authors = AuthorFactory.create_batch(max(1, n // 5))
    categories = CategoryFactory.create_batch(max(1, n // 10))
    articles = [
        ArticleFactory(
            author=authors[i % len(authors)],
            category=categories[i % len(categories)],
            tags=[f"tag-{i % 7}", f"tag-{i % 11}", f"topic-{offset + i}"],
            is_featured=(i % 9 == 0),
            # Hours apart from now (factory sequences run on across tests): the news
            # sitemap holds the last 48 hours.
            published_at=timezone.now() - timedelta(hours=offset + i + 1),
        )
        for i in range(n)
    ]
    article_type = ContentType.objects.get_for_model(articles[0])
    Comment.objects.bulk_create(
        Comment(
            content_type=article_type,
            object_pk=str(article.pk),
            site_id=1,
            user_name="Reader",
            user_email="reader@example.com",
            comment=f"Comment {k} on {article.title}",
            is_public=True,
            submit_date=article.published_at,
        )
        for article in articles[::3]
        for k in range(2)
    )
    recount(article.pk for article in articles)
    return articles, authors, categories


def page_urls(article, author, category):
    when = article.published_at
    tag = "tag-1"
    return {
        "home": reverse("blog:home"),
        "article": article.get_absolute_url(),
        "category": category.get_absolute_url(),
        "tag": reverse("blog:tag-detail", kwargs={"slug": tag}),
        "author": author.get_absolute_url(),
        "year": reverse("blog:archive-year", kwargs={"year": when.year}),
        "month": reverse("blog:archive-month", kwargs={"year": when.year, "month": when.month}),
        "search": reverse("blog:search") + "?q=article",
        "search-empty": reverse("blog:search"),
        "page": Page.objects.get(slug="affiliate-disclosure").get_absolute_url(),
        "feed": reverse("blog:feed"),
        "feed-atom": reverse("blog:feed-atom"),
        "category-feed": reverse("blog:category-feed", kwargs={"slug": category.slug}),
        "tag-feed": reverse("blog:tag-feed", kwargs={"slug": tag}),
        "author-feed": reverse("blog:author-feed", kwargs={"slug": author.slug}),
        "sitemap-index": reverse("blog:sitemap-index"),
        "sitemap-articles": reverse("blog:sitemap-section", kwargs={"section": "articles"}),
        "sitemap-news": reverse("blog:sitemap-news"),
        "robots": reverse("core:robots-txt"),
    }


# Pinned budgets. Cold, blog pages pay 2 for site settings and the footer menu (cached
# together) and 2 for the sidebar (categories and tag cloud; archive months with the
# next scheduled publication), cached until content changes.
EXPECTED = {
    "home": 9,  # + featured article, its tags, count, page of articles, their tags
    "article": 8,  # + article, its tags, related/previous/next (one query), published comments
    "category": 8,  # + category, count, page, tags
    "tag": 8,  # + tag, count, page, tags
    "author": 8,  # + author, count, page, tags
    "year": 7,  # + count, page, tags
    "month": 7,
    "search": 8,  # + count, the page's ids and snippets, its articles, their tags
    "search-empty": 4,  # no query runs against articles
    "page": 3,  # settings, footer menu, page; no sidebar
    "feed": 5,  # settings, footer menu, the Site record (syndication), articles, their tags
    "feed-atom": 5,
    "category-feed": 6,  # + the category
    "tag-feed": 6,
    "author-feed": 6,
    "sitemap-index": 14,  # settings and footer menu (the news publication name), count and last change per section (6)
    "sitemap-articles": 5,  # settings, footer menu, the Site record, count, the page of URLs
    "sitemap-news": 5,  # settings, footer menu, the Site record, count, articles
    "robots": 0,
}


def count_queries(client, url):
    cache.clear()  # the worst case: nothing cached at all
    Site.objects.clear_cache()  # django.contrib.sites keeps the site per process
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_content(client):
    articles, authors, categories = add_articles(5, offset=0)
    urls = page_urls(articles[2], authors[0], categories[0])
    small = {name: count_queries(client, url) for name, url in urls.items()}

    add_articles(495, offset=5)
    large = {name: count_queries(client, url) for name, url in urls.items()}

    grew = {name: (small[name], large[name]) for name in urls if small[name] != large[name]}
    assert not grew, f"queries at 5 and at 500 articles: {grew}"
    assert large == EXPECTED


def test_article_page_within_budget(client):
    """Issue 8: the article page needs at most 8 queries when it is not cached."""
    articles, _authors, _categories = add_articles(5, offset=0)
    assert count_queries(client, articles[2].get_absolute_url()) <= 8
