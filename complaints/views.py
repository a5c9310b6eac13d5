from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core import ratelimit

from . import notifications, workflow
from .forms import ComplaintForm, article_from_address
from .models import Complaint

RATE_SCOPE = "complaints"
SESSION_KEY = "complaints:last-id"
# A complaint is a few kilobytes of text; anything much larger is not one.
MAX_REQUEST_BYTES = 64 * 1024
# Longer than the form's own field allows: not an address to fill in.
MAX_PREFILL_LENGTH = 500


def _render_form(request, form, status=200, refusal=None):
    return render(request, "complaints/complaint_form.html", {"form": form, "refusal": refusal}, status=status)


def _too_large(request, limit):
    refusal = _("Your complaint is too long to send (the limit is %(limit)d KB). Shorten it and try again.") % {
        "limit": limit // 1024
    }
    return _render_form(request, ComplaintForm(), status=413, refusal=refusal)


def _prefilled_form(request):
    """The empty form, with the article's address filled in when `?url=` names a live article on
    this site (the link in the footer of an article's page sends it). Anything else (another site,
    a page that is not an article, a draft, an article already taken down) is ignored, silently:
    the reader did not type it. The address filled in is the article's own, not the one sent."""
    address = request.GET.get("url", "")
    if not address or len(address) > MAX_PREFILL_LENGTH:
        return ComplaintForm()
    try:
        article = article_from_address(address)
    except ValidationError:
        return ComplaintForm()
    return ComplaintForm(initial={"article_url": request.build_absolute_uri(article.get_absolute_url())})


@never_cache
@ratelimit.size_checked_form(MAX_REQUEST_BYTES, _too_large)
def complaint(request):
    """The public copyright complaint form."""
    if request.method != "POST":
        return _render_form(request, _prefilled_form(request))

    ip = ratelimit.client_ip(request)
    if ratelimit.is_limited(RATE_SCOPE, ip, settings.BYLINE_COMPLAINTS_PER_HOUR):
        # Keep what was typed (an unvalidated form shows its data).
        refusal = _("You have sent several complaints in the last hour. Please wait an hour and send this one again.")
        return _render_form(request, ComplaintForm(initial=request.POST.dict()), status=429, refusal=refusal)

    form = ComplaintForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form, status=400)
    complaint = workflow.receive(**form.complaint_data(), ip_address=ip)
    ratelimit.count(RATE_SCOPE, ip)
    request.session[SESSION_KEY] = complaint.pk
    return redirect("complaints:received")


@never_cache
def received(request):
    pk = request.session.get(SESSION_KEY)
    complaint = Complaint.objects.select_related("article").filter(pk=pk).first() if pk else None
    if complaint is None:
        return redirect("complaints:complaint")
    return render(request, "complaints/complaint_received.html", {"complaint": complaint})


def article_unavailable(request, article):
    """451 Unavailable For Legal Reasons (RFC 7725) for a taken-down article: why, since when, and who blocks it.

    Called by the article view; one query (the complaint in force) on top of the article's.
    """
    complaint = Complaint.objects.takedown_of(article)
    policy_url = notifications.policy_url()
    context = {
        "article": article,
        "reason": (complaint.reason if complaint else "") or _("A copyright complaint about it was upheld."),
        "taken_down_at": complaint.decided_at if complaint else article.updated_at,
        "policy_url": policy_url,
    }
    response = render(request, "blog/article_unavailable.html", context, status=451)
    # RFC 7725 § 4: the entity implementing the block is this site; its copyright policy explains it.
    response["Link"] = f'<{policy_url}>; rel="blocked-by"'
    return response
