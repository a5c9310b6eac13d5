"""Sidebar pieces, each one query whatever the number of articles."""

from django import template
from django.db.models import Count, Exists, OuterRef
from taggit.models import Tag

from blog.models import Article, Category

register = template.Library()


@register.inclusion_tag("blog/_category_list.html")
def category_list():
    """Categories that have live articles: one index probe per category, not a count of all articles."""
    live = Article.objects.live().filter(category=OuterRef("pk"))
    return {"categories": Category.objects.filter(Exists(live))}


@register.inclusion_tag("blog/_archive_months.html")
def archive_months(limit=12):
    """The most recent months that have live articles."""
    return {"months": Article.objects.archive_months(limit=limit)}


@register.inclusion_tag("blog/_tag_cloud.html")
def tag_cloud(limit=20, window=500):
    """The tags used most by the latest `window` live articles, alphabetically.

    The window keeps the cloud about current topics and its cost independent of
    the size of the archive.
    """
    recent = Article.objects.live().order_by("-published_at").values("pk")[:window]
    tags = (
        Tag.objects.filter(blog_taggedarticle_items__content_object__in=recent)
        .annotate(num_articles=Count("blog_taggedarticle_items"))
        .order_by("-num_articles", "name")[:limit]
    )
    return {"tags": sorted(tags, key=lambda tag: tag.name.lower())}
