"""Sidebar pieces, each one query whatever the number of articles."""

from django import template
from django.db.models import Count, Q
from django.utils import timezone
from taggit.models import Tag

from blog.models import Article, Category

register = template.Library()


@register.inclusion_tag("blog/_category_list.html")
def category_list():
    """Categories that have live articles, with their counts."""
    live = Q(articles__status=Article.Status.PUBLISHED, articles__published_at__lte=timezone.now())
    categories = Category.objects.annotate(num_articles=Count("articles", filter=live)).filter(num_articles__gt=0)
    return {"categories": categories}


@register.inclusion_tag("blog/_archive_months.html")
def archive_months(limit=12):
    """The most recent months that have live articles."""
    months = Article.objects.live().dates("published_at", "month", order="DESC")[:limit]
    return {"months": months}


@register.inclusion_tag("blog/_tag_cloud.html")
def tag_cloud(limit=20):
    """The tags used by the most live articles, alphabetically."""
    now = timezone.now()
    tags = (
        Tag.objects.filter(
            blog_taggedarticle_items__content_object__status=Article.Status.PUBLISHED,
            blog_taggedarticle_items__content_object__published_at__lte=now,
        )
        .annotate(num_articles=Count("blog_taggedarticle_items"))
        .order_by("-num_articles", "name")[:limit]
    )
    return {"tags": sorted(tags, key=lambda tag: tag.name.lower())}
