"""The tracking page once a piece is accepted: where its article stands, and the contributor's profile.

views.status renders the page; `after_acceptance` adds what an accepted piece shows (its article's
stage, computed from the article: contributions/progress.py; the profile form and the latest
proposal: contributions/profiles.py) in a fixed number of queries. `profile` is the profile form's
POST: a pending change for an editor to decide, or the page again with the errors (400).
"""

import logging

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core import ratelimit
from core.security import editor_page

from . import notifications, profiles, progress
from .models import Submission, SubmissionEvent
from .tasks import record_progress_task
from .workflow import TransitionError

logger = logging.getLogger(__name__)

TEMPLATE = "contributions/submission_status.html"
RATE_SCOPE = "profile-changes"


def after_acceptance(submission, events, *, profile_form=None):
    """The accepted piece's part of the page's context ({} before acceptance): `stage`, `events`
    (brought up to date when the history is behind the article), `profile_form`, `profile_change`.

    One query more than before acceptance (the latest profile change); the article and the author
    come with the submission (select_related). When the history lacks a line (a piece that went
    live by time alone, say), it is recorded here, as the tasks would, and the events read again.
    """
    if submission.status != Submission.Status.ACCEPTED:
        return {}
    article = submission.article
    events = list(events)
    if article is not None and progress.pending(article, events):
        try:
            if record_progress_task.call(article.pk):
                events = list(submission.events.filter(kind__in=SubmissionEvent.PUBLIC_KINDS))
        except Exception:  # the page still tells the truth (the stage); the next view or save records it
            logger.exception("Could not record the progress of article %s.", article.pk)
    for event in events:
        if event.kind == SubmissionEvent.Kind.SCHEDULED and event.data.get("published_at"):
            when = parse_datetime(event.data["published_at"])
            event.detail = _("for %(when)s") % {"when": notifications.local_time(when)}
    context = {"stage": progress.stage(article), "events": events}
    author = submission.author
    if author is not None:
        change = profiles.latest(author.pk)
        if profile_form is None:
            pending = change if change is not None and change.status == change.Status.PENDING else None
            source = pending or author
            profile_form = profiles.ProfileForm(author=author, initial={"bio": source.bio, "website": source.website})
        context.update(profile_form=profile_form, profile_change=change, author=author)
    return context


def _too_large(request, limit):
    """The page again, the profile form as stored (the refused body is never read), and why: 413."""
    submission = _accepted(request.resolver_match.kwargs["token"])
    refusal = _("Your picture is too large: the limit is %(limit)s. Choose a smaller file and try again.") % {
        "limit": profiles.human_size(profiles.MAX_IMAGE_BYTES)
    }
    return _page(request, submission, None, status=413, refusal=refusal)


def _accepted(token):
    submission = Submission.objects.select_related("article", "author").by_token(token)
    if submission is None or submission.status != Submission.Status.ACCEPTED or submission.author_id is None:
        raise Http404
    return submission


def _page(request, submission, profile_form, status, refusal=None):
    events = submission.events.filter(kind__in=SubmissionEvent.PUBLIC_KINDS)
    context = {
        "submission": submission,
        "form": None,
        "refusal": None,
        "profile_refusal": refusal,
        **after_acceptance(submission, events, profile_form=profile_form),
    }
    response = render(request, TEMPLATE, context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@editor_page
@ratelimit.size_checked_form(profiles.MAX_REQUEST_BYTES, _too_large)
def profile(request, token):
    """The profile form of an accepted piece's tracking page: stored for an editor to approve."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    submission = _accepted(token)
    form = profiles.ProfileForm(request.POST, request.FILES, author=submission.author)
    ip = ratelimit.client_ip(request)
    if ratelimit.is_limited(RATE_SCOPE, ip, profiles.CHANGES_PER_HOUR):
        form.is_valid()  # the fields keep what was typed
        form.add_error(None, _("You have sent several profile changes in the last hour. Please wait an hour."))
        return _page(request, submission, form, status=429)
    if not form.is_valid():
        if request.FILES:
            messages.warning(request, _("Please choose your picture again: browsers do not keep it after an error."))
        return _page(request, submission, form, status=400)
    data = form.cleaned_data
    try:
        profiles.propose(
            submission,
            bio=data["bio"],
            website=data["website"],
            avatar=data["avatar"],
            remove_avatar=data.get("remove_avatar", False),
        )
    except TransitionError as exc:
        form.add_error(None, str(exc))
        return _page(request, submission, form, status=400)
    ratelimit.count(RATE_SCOPE, ip)
    messages.success(request, _("Thank you: an editor will look at your profile and we will write to you."))
    return redirect(submission.get_absolute_url() + "#profile")
