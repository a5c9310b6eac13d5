import functools

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from blog.commenting import comments_close_at, comments_open

from ..forms import CommentForm
from ..models import Comment

register = template.Library()

# The visible fields of an unbound comment form, rendered once per process and language: they
# are the same on every article (Django renders each widget through templates, about 3 ms).
_UNBOUND_FIELDS = {}


@register.simple_tag
def hidden_comment_fields(form):
    """The hidden fields (target, timestamp, signature, parent) as Django writes them, without
    a template per widget."""
    return format_html_join(
        "",
        '<input type="hidden" name="{}" value="{}" id="{}">',
        (
            (field.html_name, "" if field.value() is None else field.value(), field.auto_id)
            for field in form.hidden_fields()
        ),
    )


@register.simple_tag
def comment_fields(form):
    """The comment form's visible fields with their labels, help and errors."""
    if form.is_bound:
        return render_to_string("discussion/_comment_fields.html", {"form": form})
    language = get_language()
    if language not in _UNBOUND_FIELDS:
        _UNBOUND_FIELDS[language] = render_to_string("discussion/_comment_fields.html", {"form": form})
    return mark_safe(_UNBOUND_FIELDS[language])


def comment_tree(comments):
    """Top-level comments, each with `.children` (replies in order). Orphans are dropped."""
    by_id = {c.pk: c for c in comments}
    roots = []
    for comment in comments:
        comment.children = []
    for comment in comments:
        if comment.parent_id is None:
            roots.append(comment)
        elif comment.parent_id in by_id:
            by_id[comment.parent_id].children.append(comment)
    return roots


@register.inclusion_tag("discussion/_comment_section.html", takes_context=True)
def comments_section(context, article):
    """The article's published comments as a thread and the "Leave a Reply" form.

    One query, run only when the thread is rendered: the template keeps the rendered thread
    until the article's comments change ({% remember %}), and the heading uses the article's
    exact `comment_count`.
    """
    site_settings = context.get("site_settings")
    is_open = comments_open(article, site_settings)

    @functools.cache
    def published():
        return list(Comment.objects.published().for_article(article).order_by("submit_date", "pk"))

    @functools.cache
    def thread():
        return comment_tree(published())

    replying_to = None
    request = context.get("request")
    reply_id = request.GET.get("replyto", "") if request is not None else ""
    if is_open and reply_id.isdecimal():  # not isdigit(): int("²") raises
        replying_to = next((c for c in published() if c.pk == int(reply_id)), None)
    form = None
    if is_open:
        form = CommentForm(article, initial={"parent": replying_to.pk if replying_to else None})
    return {
        "article": article,
        "comments": thread,  # templates call it (once: it is cached)
        "count": article.comment_count,
        "form": form,
        "is_open": is_open,
        "closes_at": comments_close_at(article, site_settings),
        "replying_to": replying_to,
        "site_settings": site_settings,
        "request": request,
    }
