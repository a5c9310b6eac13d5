"""A contributor's author profile (bio, website, picture): proposed from the tracking page, decided by an editor.

Once a submission is accepted, its tracking page offers `ProfileForm`. What the contributor sends
is stored as a pending `ProfileChange` (`propose`), never applied at once: an editor approves it
(`approve`: the author's bio, website and picture become the proposed ones) or declines it
(`decline`), from the admin, and the contributor is emailed the outcome. One function per
transition, as in workflow.py: each checks the move, stamps who and when, writes the history line
and queues the email in one transaction. Nothing proposed is lost: a newer proposal marks a pending
one replaced, and an approved picture is copied to the author, the proposal keeping its own.
"""

from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.fields import PlainParagraphsFormField

from . import notifications
from .models import ProfileChange, Submission, SubmissionEvent
from .uploads import MAX_IMAGE_BYTES, human_size, process_image
from .workflow import TransitionError

Kind = SubmissionEvent.Kind
Status = ProfileChange.Status

MAX_BIO_CHARS = 1000
IMAGE_TYPES = "image/jpeg,image/png,image/webp,image/gif"
# One picture and a few fields: anything much larger than the picture's limit is refused unread.
MAX_REQUEST_BYTES = MAX_IMAGE_BYTES + 256 * 1024
CHANGES_PER_HOUR = 10


class ProfileForm(forms.Form):
    """What a contributor may change of their author page; the picture passes the upload checks."""

    bio = PlainParagraphsFormField(
        label=gettext_lazy("Short bio"),
        required=False,
        max_length=MAX_BIO_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("A few sentences about you, in plain text, shown on your author page."),
    )
    website = forms.URLField(
        label=gettext_lazy("Website"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=gettext_lazy("Your own site or a profile page, starting with https:// or http://."),
    )
    avatar = forms.FileField(
        label=gettext_lazy("Picture"),
        required=False,
        widget=forms.FileInput(attrs={"accept": IMAGE_TYPES}),
        help_text=format_lazy(
            gettext_lazy(
                "A JPEG, PNG, WebP or GIF of at most {size}, shown as a circle: a square picture fits best. "
                "Leave it empty to keep your current picture."
            ),
            size=human_size(MAX_IMAGE_BYTES),
        ),
    )
    remove_avatar = forms.BooleanField(label=gettext_lazy("Remove my current picture"), required=False)

    def __init__(self, *args, author=None, **kwargs):
        self.author = author
        super().__init__(*args, **kwargs)
        if author is None or not author.avatar:
            del self.fields["remove_avatar"]

    def clean_website(self):
        website = self.cleaned_data["website"]
        if website and urlsplit(website).scheme not in ("http", "https"):
            raise ValidationError(_("Enter an address starting with https:// or http://."), code="scheme")
        return website

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        return process_image(upload, name=upload.name) if upload else None

    def clean(self):
        data = super().clean()
        if data.get("avatar") and data.get("remove_avatar"):
            raise ValidationError(_("Choose either a new picture or no picture, not both."), code="both")
        author = self.author
        if (
            author is not None
            and not self.errors
            and not data.get("avatar")
            and not data.get("remove_avatar")
            and data.get("bio", "") == author.bio
            and data.get("website", "") == author.website
        ):
            raise ValidationError(_("This is your profile as it is: change something before sending it."), code="same")
        return data


def latest(author_id):
    """The author's latest profile change (the one the tracking page shows), or None."""
    return ProfileChange.objects.filter(author_id=author_id).select_related("decided_by").first()


def _event(change, kind, actor=None):
    submission = change.submission
    return SubmissionEvent.objects.create(
        submission=submission,
        kind=kind,
        actor=actor,
        from_status=submission.status,
        to_status=submission.status,
        data={"profile_change": change.pk},
    )


@transaction.atomic
def propose(submission, *, bio, website, avatar=None, remove_avatar=False):
    """Store the contributor's proposal (avatar: an uploads.ProcessedImage) until an editor decides.

    A pending proposal of the same author is marked replaced (kept). Returns the new ProfileChange.
    """
    current = Submission.objects.select_for_update(of=("self",)).get(pk=submission.pk)
    if current.status != Submission.Status.ACCEPTED or current.author_id is None:
        raise TransitionError(_("A profile can be proposed only for an accepted piece."))
    ProfileChange.objects.pending().filter(author_id=current.author_id).update(status=Status.REPLACED)
    change = ProfileChange(
        submission=current,
        author_id=current.author_id,
        bio=bio.strip(),
        website=website.strip(),
        remove_avatar=bool(remove_avatar) and avatar is None,
    )
    if avatar is not None:
        change.avatar.save(avatar.filename, ContentFile(avatar.content), save=False)
    change.save()
    _event(change, Kind.PROFILE_PROPOSED)
    notifications.profile_proposed(change)
    return change


def _locked(change):
    return (
        ProfileChange.objects.select_for_update(of=("self",)).select_related("author", "submission").get(pk=change.pk)
    )


def _check_pending(change):
    if change.status != Status.PENDING:
        raise TransitionError(
            _("This profile change is already decided (%(status)s).") % {"status": change.get_status_display().lower()}
        )


def _decide(change, user, status):
    change.status = status
    change.decided_by = user
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])


@transaction.atomic
def approve(change, user):
    """Apply the proposal to the author (bio, website; the picture, or none), and tell the contributor."""
    current = _locked(change)
    _check_pending(current)
    author = current.author
    author.bio = current.bio
    author.website = current.website
    if current.avatar:
        with current.avatar.open("rb") as source:
            author.avatar.save(current.avatar.name.rsplit("/", 1)[-1], ContentFile(source.read()), save=False)
    elif current.remove_avatar:
        author.avatar = ""  # the file stays in storage, as every picture once shown
    author.save()  # the author's page and bylines refresh (blog/receivers.py)
    _decide(current, user, Status.APPROVED)
    _event(current, Kind.PROFILE_APPROVED, actor=user)
    notifications.profile_decided(current)
    return current


@transaction.atomic
def decline(change, user):
    """Leave the author as they are; the proposal is kept, declined, and the contributor is told."""
    current = _locked(change)
    _check_pending(current)
    _decide(current, user, Status.DECLINED)
    _event(current, Kind.PROFILE_DECLINED, actor=user)
    notifications.profile_decided(current)
    return current
