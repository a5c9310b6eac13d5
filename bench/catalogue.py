"""What the load test's visitors ask for, read from the seeded database in the seeding child
(bench/loadtest.py --prepare): a sample of every kind of public URL, the articles open for comments,
words to search for, the rate limits; and the stored comments, guest posts and complaints, counted
before and after the run. Imported once Django is set up."""

import random
import re

from django.conf import settings
from django.urls import reverse
from taggit.models import Tag

from bench.traffic import LIMIT_SETTINGS
from blog.models import Article, Author, Category
from blog.sitemaps import SECTIONS
from complaints.models import Complaint
from contributions.models import Submission
from core.models import Page, SiteSettings
from discussion.models import Comment
from discussion.moderation import comments_open


def stored_counts():
    """Comments, guest posts and complaints in the database, by scope."""
    return {
        "comments": Comment.objects.count(),
        "submissions": Submission.objects.count(),
        "complaints": Complaint.objects.count(),
    }


def catalogue(sample=1000):
    """What the simulated visitors ask for: a sample of every kind of public URL, the articles open
    for comments and their comments, words to search for, the rate limits and the stored counts."""
    rng = random.Random(7)
    live = Article.objects.live()
    articles = list(live.order_by("?")[:sample])
    site_settings = SiteSettings.load()
    recent = list(live.order_by("-published_at")[:sample])
    open_articles = [a for a in recent if comments_open(a, site_settings)]
    replies = [
        {"url": article.get_absolute_url(), "parent": pk}
        for article in open_articles
        for pk in Comment.objects.published().for_article(article).values_list("pk", flat=True)[:5]
    ]
    # Commenting as someone with an approved comment publishes at once (and refreshes the page).
    known = Comment.objects.published().exclude(user_email="").values_list("user_email", flat=True)
    months = sorted({(a.published_at.year, a.published_at.month) for a in articles})
    tags = Tag.objects.filter(blog_taggedarticle_items__isnull=False).distinct()
    tag_urls = [reverse("blog:tag-detail", kwargs={"slug": slug}) for slug in tags.values_list("slug", flat=True)]
    words = sorted({w.lower() for a in articles for w in re.findall(r"[A-Za-z]{4,}", a.title)})
    categories = list(Category.objects.all())
    authors = list(Author.objects.filter(articles__isnull=False).distinct())
    return {
        "articles": [a.get_absolute_url() for a in articles],
        "commentable": [{"pk": a.pk, "url": a.get_absolute_url()} for a in open_articles],
        "replies": replies,
        "commenter_emails": sorted(set(known[:100]))[:20],
        "tags": rng.sample(tag_urls, min(len(tag_urls), 200)),
        "categories": [c.get_absolute_url() for c in categories],
        "authors": [a.get_absolute_url() for a in authors],
        "years": sorted({reverse("blog:archive-year", kwargs={"year": y}) for y, _ in months}),
        "months": [reverse("blog:archive-month", kwargs={"year": y, "month": m}) for y, m in months],
        "pages": [p.get_absolute_url() for p in Page.objects.all()],
        "feeds": [
            reverse("blog:feed"),
            reverse("blog:feed-atom"),
            *[reverse("blog:category-feed", kwargs={"slug": c.slug}) for c in categories[:3]],
            *[reverse("blog:tag-feed", kwargs={"slug": t}) for t in tags.values_list("slug", flat=True)[:3]],
            *[reverse("blog:author-feed", kwargs={"slug": a.slug}) for a in authors[:3]],
        ],
        "sitemaps": [
            reverse("blog:sitemap-index"),
            reverse("blog:sitemap-news"),
            *[reverse("blog:sitemap-section", kwargs={"section": name}) for name in SECTIONS],
        ],
        "words": words,
        "limits": {scope: getattr(settings, name) for scope, name in LIMIT_SETTINGS.items()},
        "comment_min_seconds": settings.BYLINE_COMMENT_MIN_SECONDS,
        "stored": stored_counts(),
    }
