from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core import ratelimit
from core.models import Page
from core.security import editor_page

from . import tracking, workflow
from .forms import RevisionForm, SubmissionForm
from .models import Submission, SubmissionEvent, SubmissionImage
from .uploads import human_size

GUIDELINES_SLUG = "contribution-guidelines"
SESSION_KEY = "contributions:last-token"


RATE_SCOPE = "submissions"


def _render_form(request, form, status=200, refusal=None):
    guidelines = Page.objects.filter(slug=GUIDELINES_SLUG).first()
    context = {"form": form, "guidelines": guidelines, "refusal": refusal}
    return render(request, "contributions/submission_form.html", context, status=status)


def _too_large(request, limit):
    refusal = _(
        "Your submission is too large (%(size)d MB; the limit is %(limit)d MB). "
        "Attach fewer or smaller pictures and try again."
    ) % {"size": ratelimit.declared_size(request) // (1024 * 1024), "limit": limit // (1024 * 1024)}
    return _render_form(request, SubmissionForm(), status=413, refusal=refusal)


@never_cache
@editor_page
@ratelimit.size_checked_form("BYLINE_SUBMISSION_MAX_REQUEST_BYTES", _too_large)
def submit(request):
    """The public guest-post form: guidelines above, the form below."""
    if request.method != "POST":
        return _render_form(request, SubmissionForm())

    ip = ratelimit.client_ip(request)
    if ratelimit.is_limited(RATE_SCOPE, ip, settings.BYLINE_SUBMISSIONS_PER_HOUR):
        # Keep what was typed (an unvalidated form shows its data); files must be attached again.
        refusal = _("You have sent several submissions in the last hour. Please wait an hour and send this one again.")
        return _render_form(request, SubmissionForm(initial=request.POST.dict()), status=429, refusal=refusal)

    form = SubmissionForm(request.POST, request.FILES)
    if not form.is_valid():
        if request.FILES:
            messages.warning(request, _("Please attach your files again: browsers do not keep them after an error."))
        return _render_form(request, form, status=400)
    headers = {
        "User-Agent": request.headers.get("user-agent", "")[:300],
        "Referer": request.headers.get("referer", "")[:300],
        "Accept-Language": request.headers.get("accept-language", "")[:100],
    }
    submission = workflow.receive(form.to_incoming(ip_address=ip, headers=headers))
    ratelimit.count(RATE_SCOPE, ip)
    request.session[SESSION_KEY] = submission.token
    return redirect("contributions:thanks")


@never_cache
def thanks(request):
    token = request.session.get(SESSION_KEY)
    submission = Submission.objects.filter(token=token).first() if token else None
    if submission is None:
        return redirect("contributions:submit")
    return render(request, "contributions/submission_received.html", {"submission": submission})


def _revision_too_large(request, limit):
    """The tracking page again, with the revision form as stored (the refused body is never read), and why: 413."""
    refusal = _(
        "Your revised version is too large (%(size)s; the limit is %(limit)s). "
        "Attach fewer or smaller pictures or a smaller document and try again."
    ) % {"size": human_size(ratelimit.declared_size(request)), "limit": human_size(limit)}
    return _tracking_page(request, request.resolver_match.kwargs["token"], refusal=refusal)


def _current_images():
    # The piece's pictures: those a revision replaced or took out are kept, but no longer shown.
    return Prefetch("images", queryset=SubmissionImage.objects.filter(removed_at__isnull=True))


@never_cache
@editor_page
@ratelimit.size_checked_form("BYLINE_SUBMISSION_MAX_REQUEST_BYTES", _revision_too_large)
def status(request, token):
    """Where a submission stands, for whoever has its unguessable link. No internal notes."""
    return _tracking_page(request, token)


def _tracking_page(request, token, refusal=None):
    submission = (
        Submission.objects.select_related("article", "author").prefetch_related(_current_images()).by_token(token)
    )
    if submission is None or submission.status == Submission.Status.SPAM:
        raise Http404  # unknown token; and never confirm anything to a spammer
    form = None
    if submission.status == Submission.Status.CHANGES_REQUESTED:
        if refusal:
            # Not read: the body was refused unread. What was typed cannot come back; the page says why.
            form = RevisionForm(submission=submission)
        elif request.method == "POST":
            form = RevisionForm(request.POST, request.FILES, submission=submission)
            if form.is_valid():
                workflow.revise(submission, **form.revision())
                messages.success(request, _("Thank you: your revised version is back with the editors."))
                return redirect(submission)
            if request.FILES:
                messages.warning(
                    request, _("Please attach your files again: browsers do not keep them after an error.")
                )
        else:
            form = RevisionForm(submission=submission)
    events = submission.events.filter(kind__in=SubmissionEvent.PUBLIC_KINDS)
    response = render(
        request,
        "contributions/submission_status.html",
        # Once accepted: the article's stage, the history brought up to date, the profile form (tracking.py).
        {"submission": submission, "events": events, "form": form, "refusal": refusal}
        | tracking.after_acceptance(submission, events),
        status=413 if refusal else 400 if form is not None and form.is_bound else 200,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
