from django.urls import path

import core.converters  # noqa: F401  (registers "uslug")

from . import sitemaps, views
from .feeds import AtomFeed, AuthorFeed, CategoryFeed, LatestArticlesFeed, TagFeed

app_name = "blog"


# These URL shapes are a contract: feeds, sitemaps, imports and redirects build on them.
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.search, name="search"),
    path("feed/", LatestArticlesFeed.as_view(), name="feed"),
    path("feed/atom/", LatestArticlesFeed.as_view(feed_type=AtomFeed), name="feed-atom"),
    path("sitemap.xml", sitemaps.index, name="sitemap-index"),
    path("sitemap-news.xml", sitemaps.news, name="sitemap-news"),
    path("sitemap-<slug:section>.xml", sitemaps.section, name="sitemap-section"),
    path("category/<uslug:slug>/", views.CategoryDetailView.as_view(), name="category-detail"),
    path("category/<uslug:slug>/feed/", CategoryFeed.as_view(), name="category-feed"),
    path("category/<uslug:slug>/feed/atom/", CategoryFeed.as_view(feed_type=AtomFeed), name="category-feed-atom"),
    path("tag/<uslug:slug>/", views.TagDetailView.as_view(), name="tag-detail"),
    path("tag/<uslug:slug>/feed/", TagFeed.as_view(), name="tag-feed"),
    path("tag/<uslug:slug>/feed/atom/", TagFeed.as_view(feed_type=AtomFeed), name="tag-feed-atom"),
    path("author/<uslug:slug>/", views.AuthorDetailView.as_view(), name="author-detail"),
    path("author/<uslug:slug>/feed/", AuthorFeed.as_view(), name="author-feed"),
    path("author/<uslug:slug>/feed/atom/", AuthorFeed.as_view(feed_type=AtomFeed), name="author-feed-atom"),
    path("preview/<str:token>/", views.ArticlePreviewView.as_view(), name="article-preview"),
    path("<int:year>/", views.YearArchiveView.as_view(), name="archive-year"),
    path("<int:year>/<int:month>/", views.MonthArchiveView.as_view(), name="archive-month"),
    path("<int:year>/<int:month>/<uslug:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
]
