"""Posting a comment. The form, its signed target and the moderation are django-contrib-comments';
this view adds what its stock view lacks: only live articles, size and rate limits, clear errors
shown on a page of ours, and a message on the article saying whether the comment is published."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django_comments import signals

from blog.commenting import comments_open
from blog.models import Article
from core import ratelimit

from .forms import FRESH, CommentForm

RATE_SCOPE = "comments"
MAX_REQUEST_BYTES = 64 * 1024


def _refuse(request, article, form, message, status):
    return render(
        request, "discussion/comment_form.html", {"article": article, "form": form, "refusal": message}, status=status
    )


def _too_large(request, limit):
    return render(request, "discussion/comment_form.html", {"too_large": True}, status=413)


def _signed_in(request):
    return request.user.is_authenticated


@never_cache
@require_POST
@ratelimit.size_checked_form(MAX_REQUEST_BYTES, _too_large, csrf_for=_signed_in)
def post_comment(request):
    """Anonymous comments carry no CSRF token, so article pages can be cached whole. A forged
    anonymous post gains nothing over posting directly: the form's target and timestamp are
    signed, and the rate limits and moderation still apply. A signed-in user's comment bears
    their name, so theirs are checked as usual (their pages are never cached and carry a token).
    """
    # isdecimal(), not isdigit(): superscripts such as "²" are digits that int() refuses (a 500).
    if request.POST.get("content_type") != "blog.article" or not request.POST.get("object_pk", "").isdecimal():
        raise Http404(_("There is nothing to comment on at this address."))
    article = Article.objects.live().filter(pk=request.POST["object_pk"]).first()
    if article is None:
        raise Http404(_("This article is not available."))

    data = request.POST.copy()
    if request.user.is_authenticated:
        data.setdefault("name", request.user.get_full_name() or request.user.get_username())
        data.setdefault("email", request.user.email)
    form = CommentForm(article, data=data)
    ip = ratelimit.client_ip(request)
    if ratelimit.is_limited(RATE_SCOPE, ip, settings.BYLINE_COMMENTS_PER_HOUR):
        message = _("You have posted several comments in the last hour. Please wait a while and send this one again.")
        return _refuse(request, article, CommentForm(article, data=form.refreshed_data()), message, 429)
    if form.security_errors():
        raise Http404(_("This comment form was altered. Reload the article and write your comment again."))
    if not comments_open(article):
        return _refuse(request, article, None, _("Comments on this article are closed."), 403)
    if not form.is_valid():
        form.refresh_security()
        return _refuse(request, article, form, "", 400)

    comment = form.get_comment_object(site_id=settings.SITE_ID)
    if comment.pk is not None:  # the same comment sent twice: nothing new
        return redirect(article.get_absolute_url() + "#comments")
    comment.ip_address = ip
    if request.user.is_authenticated:
        comment.user = request.user
    responses = signals.comment_will_be_posted.send(sender=comment.__class__, comment=comment, request=request)
    if any(response is False for _receiver, response in responses):
        return _refuse(request, article, None, _("Comments on this article are closed."), 403)
    comment.save()
    signals.comment_was_posted.send(sender=comment.__class__, comment=comment, request=request)
    ratelimit.count(RATE_SCOPE, ip)

    if comment.is_public:
        messages.success(request, _("Thank you: your comment is published."))
        return redirect(f"{article.get_absolute_url()}#c{comment.pk}")
    messages.info(
        request, _("Thank you: your comment is held for moderation and will appear once an editor approves it.")
    )
    return redirect(article.get_absolute_url() + "#comments")


@never_cache
@require_safe
def comment_token(request):
    """A fresh signed timestamp for the comment form on article `object_pk`, as JSON: what
    static/js/comments.js puts in the form when the reader starts writing (see discussion/forms.py).

    Never cached anywhere (Cache-Control: no-store, private; Varnish passes /comments/), sets no
    cookie, and keeps no state: the token is the signed time it was issued, for one article.
    """
    pk = request.GET.get("object_pk", "")
    article = Article.objects.live().filter(pk=pk).first() if pk.isdecimal() else None
    if article is None:
        response = JsonResponse({"error": _("This article is not available.")}, status=404)
    else:
        data = CommentForm(article).generate_security_data(kind=FRESH)
        response = JsonResponse({name: data[name] for name in ("timestamp", "security_hash", "token_kind")})
    response["X-Robots-Tag"] = "noindex"
    return response
