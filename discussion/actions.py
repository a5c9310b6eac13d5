"""What editors do to comments, and the per-article count listings show.

Every change that can make a comment appear or disappear recounts its articles'
`comment_count` (one UPDATE), so list pages show counts without a query per article.
"""

from django.db import transaction
from django.db.models import CharField, Count, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce

from blog.invalidation import update_articles
from blog.models import Article

from . import notifications
from .models import Comment


def article_ids(comments):
    return {
        int(c.object_pk)
        for c in comments
        if c.content_type.app_label == "blog" and c.content_type.model == "article" and c.object_pk.isdigit()
    }


def recount(ids):
    """Set `comment_count` of the articles `ids` to their number of published comments."""
    ids = list(ids)
    if not ids:
        return
    published = (
        Comment.objects.published()
        .filter(
            content_type__app_label="blog",
            content_type__model="article",
            object_pk=Cast(OuterRef("pk"), output_field=CharField()),
        )
        .values("object_pk")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # Their pages show the comments, listings the counts: update_articles refreshes both.
    update_articles(ids, comment_count=Coalesce(Subquery(published), 0))


@transaction.atomic
def approve(queryset):
    """Publish the comments; commenters who asked are told when theirs was waiting. Returns how many."""
    comments = list(queryset.select_related("content_type"))
    articles = Article.objects.in_bulk(article_ids(comments))
    for comment in comments:
        if comment.is_public and not comment.is_spam and not comment.is_removed:
            continue
        was_held = comment.is_held
        Comment.objects.filter(pk=comment.pk).update(is_public=True, is_spam=False, is_removed=False)
        article = articles.get(int(comment.object_pk)) if comment.object_pk.isdigit() else None
        if was_held and article is not None:
            notifications.comment_approved(comment, article)
    recount(articles)
    return len(comments)


@transaction.atomic
def mark_spam(queryset):
    comments = list(queryset.select_related("content_type"))
    Comment.objects.filter(pk__in=[c.pk for c in comments]).update(is_spam=True, is_public=False)
    recount(article_ids(comments))
    return len(comments)


@transaction.atomic
def mark_not_spam(queryset):
    """Not spam after all: published, as an editor has now looked at it."""
    return approve(queryset)


@transaction.atomic
def delete(queryset):
    comments = list(queryset.select_related("content_type"))
    ids = article_ids(comments)
    Comment.objects.filter(pk__in=[c.pk for c in comments]).delete()
    recount(ids)
    return len(comments)
