"""Everything that happens to a copyright complaint: receipt, then one function per transition.

Each transition checks that the move is allowed, stamps who and when, writes a
history row and queues the emails, all in one transaction: the emails go out
only after commit. Upholding takes the article down (status TAKEN_DOWN, so it
leaves every listing, and its address answers 451); restoring puts back the
status it had before.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from blog import publishing
from blog.models import Article

from . import notifications
from .models import Complaint, ComplaintEvent

Status = Complaint.Status
Kind = ComplaintEvent.Kind
TAKEN_DOWN = Article.Status.TAKEN_DOWN


class TransitionError(Exception):
    """A transition that is not allowed now; the message says why, for the editor."""


@transaction.atomic
def receive(
    *,
    article,
    article_url,
    claimant_name,
    claimant_email,
    original_work,
    signature,
    good_faith,
    accuracy,
    organisation="",
    ip_address=None,
):
    """Store a validated complaint, record it, and queue the receipt and the editors' notice. Returns it."""
    if not (good_faith and accuracy):
        raise ValueError("A complaint needs both the good-faith and the accuracy statements.")
    complaint = Complaint.objects.create(
        article=article,
        article_url=article_url,
        claimant_name=claimant_name,
        claimant_email=claimant_email,
        organisation=organisation,
        original_work=original_work,
        signature=signature,
        good_faith=True,
        accuracy=True,
        affirmed_at=timezone.now(),
        ip_address=ip_address,
    )
    _record(complaint, Kind.RECEIVED, to_status=Status.NEW)
    notifications.complaint_received(complaint)
    return complaint


# Transitions


def _record(complaint, kind, *, actor=None, from_status="", to_status="", note="", data=None):
    return ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def _locked(complaint):
    # Serialise concurrent decisions on one complaint (SQLite serialises writers anyway).
    return Complaint.objects.select_for_update(of=("self",)).get(pk=complaint.pk)


def _locked_article(pk):
    return Article.objects.select_for_update(of=("self",)).select_related("author").get(pk=pk)


def _check(complaint, allowed, action):
    if complaint.status not in allowed:
        raise TransitionError(
            _("You cannot %(action)s a complaint that is %(status)s.")
            % {"action": action, "status": complaint.get_status_display().lower()}
        )


def _move(complaint, user, to_status, kind, *, note="", data=None):
    from_status = complaint.status
    complaint.status = to_status
    complaint.decided_by = user
    complaint.decided_at = timezone.now()
    complaint.save()
    return _record(complaint, kind, actor=user, from_status=from_status, to_status=to_status, note=note, data=data)


def status_before_takedown(article):
    """The status `article` had before it was taken down, from the latest uphold; PUBLISHED if unknown."""
    data = (
        ComplaintEvent.objects.filter(complaint__article=article, kind=Kind.UPHELD)
        .order_by("-created_at", "-pk")
        .values_list("data", flat=True)
        .first()
    )
    previous = (data or {}).get("previous_status")
    if previous in Article.Status.values and previous != TAKEN_DOWN:
        return previous
    return Article.Status.PUBLISHED


@transaction.atomic
def start_review(complaint, user):
    """An editor starts looking into a new complaint."""
    current = _locked(complaint)
    _check(current, [Status.NEW], _("start reviewing"))
    _move(current, user, Status.UNDER_REVIEW, Kind.REVIEW_STARTED)
    return current


@transaction.atomic
def uphold(complaint, user, reason=""):
    """Uphold the complaint and take the article down; readers see `reason` (or the default) on the 451 page.

    The article's previous status goes into the history, so restore() can put it back.
    An article already taken down by another complaint stays down; the complaint is upheld all the same.
    """
    current = _locked(complaint)
    _check(current, Complaint.OPEN_STATUSES, _("uphold"))
    article = _locked_article(current.article_id)
    if article.status == TAKEN_DOWN:
        previous = status_before_takedown(article)
    else:
        previous = article.status
        publishing.take_down(article)
    current.article = article
    current.reason = reason.strip() or current.default_reason()
    data = {"article": article.pk, "previous_status": previous, "reason": current.reason}
    _move(current, user, Status.UPHELD, Kind.UPHELD, data=data)
    notifications.upheld(current)
    return current


@transaction.atomic
def reject(complaint, user, note):
    """Reject the complaint; the article stays up and the claimant is told why (`note`)."""
    if not note.strip():
        raise TransitionError(_("Write why the complaint is rejected: the claimant receives this."))
    current = _locked(complaint)
    _check(current, Complaint.OPEN_STATUSES, _("reject"))
    _move(current, user, Status.REJECTED, Kind.REJECTED, note=note.strip())
    notifications.rejected(current, note.strip())
    return current


@transaction.atomic
def restore(complaint_or_article, user, note=""):
    """Lift a takedown: the article gets back the status it had, and its author and the claimants are told.

    Given a complaint, it must be upheld and still in force. Every upheld complaint still in
    force against the article is marked restored (the takedown is the article's, not one
    complaint's). Returns the article.
    """
    if isinstance(complaint_or_article, Article):
        article_id = complaint_or_article.pk
    else:
        current = _locked(complaint_or_article)
        if not current.is_in_force:
            raise TransitionError(
                _("Only an upheld complaint whose takedown is still in force can be restored (this one is %(state)s).")
                % {"state": _("restored") if current.restored_at else current.get_status_display().lower()}
            )
        article_id = current.article_id
    article = _locked_article(article_id)
    if article.status != TAKEN_DOWN:
        raise TransitionError(
            _("“%(title)s” is not taken down (it is %(status)s): there is nothing to restore.")
            % {"title": article.title, "status": article.get_status_display().lower()}
        )
    restored_status = status_before_takedown(article)
    publishing.restore(article, restored_status)
    now = timezone.now()
    complaints = list(Complaint.objects.in_force().filter(article=article).select_for_update(of=("self",)))
    for complaint in complaints:
        complaint.restored_by = user
        complaint.restored_at = now
        complaint.save(update_fields=["restored_by", "restored_at", "updated_at"])
        _record(
            complaint,
            Kind.RESTORED,
            actor=user,
            from_status=complaint.status,
            to_status=complaint.status,
            note=note.strip(),
            data={"article": article.pk, "restored_status": restored_status},
        )
    notifications.restored(article, complaints, note.strip())
    return article
