import secrets

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from core.fields import PlainParagraphsField, PlainTextField
from core.storage import private_storage

from . import uploads
from .fingerprints import DUPLICATE_THRESHOLD

# The first characters of a tracking token: email subjects carry them ([#xxxxxxxx], see
# notifications.py) so that replies find their submission. Not secret, then; the rest is.
TOKEN_SELECTOR_LENGTH = 8


def new_token():
    """An unguessable tracking token: 24 random bytes (192 bits), 32 URL-safe characters."""
    return secrets.token_urlsafe(24)


# What each kind of stored file is named with. Media is served publicly, with a content type
# guessed from the extension: a name the sender chose ("piece.html" sent as a Word document by
# email) must never make the server hand out HTML or SVG from the site's own origin.
IMAGE_EXTENSIONS = {extension.lstrip(".") for extension in uploads.IMAGE_EXTENSIONS.values()}


def _random_path(folder, extension):
    # Random names: neither the contributor's file name nor a guessable counter is in the URL.
    return f"submissions/{folder}/{timezone.now():%Y/%m}/{secrets.token_urlsafe(16)}.{extension}"


def upload_document(instance, filename):
    return _random_path("documents", "docx")  # the only kind of document kept


def upload_message(instance, filename):
    return _random_path("messages", "eml")


def upload_image(instance, filename):
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return _random_path("images", extension if extension in IMAGE_EXTENSIONS else "bin")


class SubmissionQuerySet(models.QuerySet):
    def awaiting_review(self):
        """Submissions an editor still has to decide on."""
        return self.filter(status__in=Submission.OPEN_STATUSES)

    def from_address(self, email):
        return self.filter(email__iexact=email)

    def by_token(self, token):
        """The submission whose tracking token is `token`, or None.

        The database is asked only for the first TOKEN_SELECTOR_LENGTH characters (which email
        subjects show anyway); the whole token is then compared in constant time, so response
        times tell nothing about how much of a guessed token is right.
        """
        if not isinstance(token, str) or len(token) <= TOKEN_SELECTOR_LENGTH:
            return None
        # startswith may match more than the exact prefix (LIKE ignores case on SQLite).
        for candidate in self.filter(token__startswith=token[:TOKEN_SELECTOR_LENGTH]):
            if constant_time_compare(candidate.token, token):
                return candidate
        return None

    def counts_by_status(self):
        """{status: count} for every status, in one query."""
        counts = dict(self.order_by().values_list("status").annotate(n=Count("pk")))
        return {status: counts.get(status, 0) for status, _label in Submission.Status.choices}


class Submission(models.Model):
    """A guest post sent through the web form or by email, and where it stands."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_REVIEW = "in_review", _("In review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Spam")

    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        EMAIL = "email", _("Email")

    OPEN_STATUSES = [Status.RECEIVED, Status.IN_REVIEW, Status.CHANGES_REQUESTED]

    token = models.CharField(_("tracking token"), max_length=64, unique=True, default=new_token, editable=False)
    channel = models.CharField(_("source"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)

    # What the contributor sent
    name = PlainTextField(_("name"), max_length=120)
    email = models.EmailField(_("email"), db_index=True)
    title = PlainTextField(_("title"), max_length=200)
    body = models.TextField(_("body"), help_text=_("Sanitized HTML; links carry rel=ugc until accepted."))
    # As sent, before the intake cleaned them (subject prefixes such as "Fwd:" off the title; greetings
    # and sign-offs off the body): the draft is made from title and body, these keep what was sent.
    original_title = PlainTextField(_("title as sent"), max_length=300, blank=True)
    original_body = models.TextField(_("body as sent"), blank=True, help_text=_("Sanitized HTML, before cleaning."))
    bio = PlainParagraphsField(_("short bio"), blank=True)
    suggested_tags = PlainTextField(_("suggested tags"), max_length=300, blank=True)
    consent_at = models.DateTimeField(_("agreed to the guidelines"), null=True, blank=True)
    # Only editors may read these (core/storage.py): the admin serves them, they have no public URL.
    original_document = models.FileField(
        _("original document"), upload_to=upload_document, storage=private_storage, blank=True
    )
    raw_message = models.FileField(_("raw message"), upload_to=upload_message, storage=private_storage, blank=True)
    headers = models.JSONField(_("original headers"), default=dict, blank=True)
    sender_verification = models.JSONField(
        _("sender verification"), default=dict, blank=True, help_text=_("SPF, DKIM and DMARC verdicts for email.")
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    # What we found on receipt
    word_count = models.PositiveIntegerField(_("words"), default=0)
    report = models.JSONField(_("intake report"), default=dict, blank=True)
    duplicate_score = models.FloatField(
        _("overlap"), null=True, blank=True, help_text=_("Highest estimated text overlap with an existing piece.")
    )
    matches = models.JSONField(_("similar pieces"), default=list, blank=True)

    # Where it stands
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claimed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_submissions",
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decided_submissions",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    author = models.ForeignKey(
        "blog.Author",
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    article = models.OneToOneField(
        "blog.Article",
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submission",
    )

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("submission")
        indexes = [models.Index(fields=["status", "-received_at"], name="submission_status_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The contributor's tracking page."""
        return reverse("contributions:status", kwargs={"token": self.token})

    @property
    def tracking_url(self):
        return settings.BYLINE_SITE_URL + self.get_absolute_url()

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def is_possible_duplicate(self):
        return self.duplicate_score is not None and self.duplicate_score >= DUPLICATE_THRESHOLD


class SubmissionImage(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to=upload_image, width_field="width", height_field="height")
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    caption = PlainTextField(
        _("caption"), max_length=300, blank=True, help_text=_("What the contributor wrote about the picture.")
    )
    position = models.PositiveSmallIntegerField(default=0)
    # A picture a revision replaced or took out: kept (nothing sent is lost), no longer part of the piece.
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("submission image")

    def __str__(self):
        return self.original_name or self.image.name


class SubmissionEvent(models.Model):
    """One line of a submission's history: who did what, when, and why."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        CLAIMED = "claimed", _("Claimed")
        RELEASED = "released", _("Released")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        REVISED = "revised", _("Revised by the contributor")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Marked as spam")
        NOTE = "note", _("Note")
        # What became of the accepted piece's article (contributions/progress.py).
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        UPDATED = "updated", _("Updated")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        TAKEN_DOWN = "taken_down", _("Taken down")
        RESTORED = "restored", _("Restored")
        # The contributor's profile (contributions/profiles.py).
        PROFILE_PROPOSED = "profile_proposed", _("Profile change proposed")
        PROFILE_APPROVED = "profile_approved", _("Profile change approved")
        PROFILE_DECLINED = "profile_declined", _("Profile change declined")

    #: What happened to the article after acceptance, in the order it can happen.
    PROGRESS_KINDS = [
        Kind.SCHEDULED, Kind.PUBLISHED, Kind.UPDATED, Kind.WITHDRAWN, Kind.TAKEN_DOWN, Kind.RESTORED,
    ]  # fmt: skip
    PROFILE_KINDS = [Kind.PROFILE_PROPOSED, Kind.PROFILE_APPROVED, Kind.PROFILE_DECLINED]
    # Events the contributor may see on the tracking page (with their public message).
    PUBLIC_KINDS = [
        Kind.RECEIVED, Kind.CHANGES_REQUESTED, Kind.REVISED, Kind.ACCEPTED, Kind.REJECTED,
        *PROGRESS_KINDS, *PROFILE_KINDS,
    ]  # fmt: skip

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Submission.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Submission.Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(
        _("internal note"), blank=True, help_text=_("Editors only: never shown to the contributor.")
    )
    message = models.TextField(_("message to the contributor"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class RejectionReason(models.Model):
    """A reusable rejection message editors pick from."""

    title = models.CharField(_("title"), max_length=120, help_text=_("What editors see in the list."))
    message = models.TextField(
        _("message"),
        help_text=_("Sent to the contributor. {name} and {title} are replaced with theirs."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("rejection reason")

    def __str__(self):
        return self.title

    def render(self, submission):
        return self.message.replace("{name}", submission.name).replace("{title}", submission.title)


class BlockedSender(models.Model):
    """An address (or a whole domain, written as @example.com) whose submissions are refused."""

    address = models.CharField(_("address or @domain"), max_length=254, unique=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["address"]
        verbose_name = _("blocked sender")

    def __str__(self):
        return self.address

    def save(self, *args, **kwargs):
        self.address = self.address.strip().lower()
        super().save(*args, **kwargs)

    @classmethod
    def is_blocked(cls, email):
        email = email.strip().lower()
        domain = "@" + email.rsplit("@", 1)[-1] if "@" in email else None
        return cls.objects.filter(Q(address=email) | Q(address=domain)).exists()


class Fingerprint(models.Model):
    """A MinHash signature of an article's or a submission's text, for the duplicate check."""

    article = models.OneToOneField(
        "blog.Article", null=True, blank=True, on_delete=models.CASCADE, related_name="fingerprint"
    )
    submission = models.OneToOneField(
        Submission, null=True, blank=True, on_delete=models.CASCADE, related_name="fingerprint"
    )
    signature = models.JSONField()
    words = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, submission__isnull=True)
                | Q(article__isnull=True, submission__isnull=False),
                name="fingerprint_one_owner",
            )
        ]

    def __str__(self):
        return (
            f"Fingerprint of {'article' if self.article_id else 'submission'} {self.article_id or self.submission_id}"
        )


class FingerprintBand(models.Model):
    """One locality-sensitive-hashing band key of a fingerprint (indexed for lookup)."""

    fingerprint = models.ForeignKey(Fingerprint, on_delete=models.CASCADE, related_name="bands")
    key = models.BigIntegerField(db_index=True)

    def __str__(self):
        return str(self.key)


class InboundMessage(models.Model):
    """Every email that reached the contributions address, and what became of it.

    `key` (the Message-ID, or a hash of the content when there is none) is unique:
    the same message ingested twice is recognised and queues nothing new.
    """

    class Outcome(models.TextChoices):
        QUEUED = "queued", _("Queued as a submission")
        REPLY = "reply", _("Attached to a submission")
        REFUSED = "refused", _("Refused")

    key = models.CharField(_("message key"), max_length=255, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    content_hash = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    from_address = models.CharField(_("from"), max_length=254, blank=True, db_index=True)
    subject = PlainTextField(_("subject"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=20, help_text=_("cli, mbox, maildir, imap or webhook."))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_messages"
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")

    def __str__(self):
        return f"{self.subject or self.key} ({self.get_outcome_display()})"


def upload_avatar(instance, filename):
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return _random_path("avatars", extension if extension in IMAGE_EXTENSIONS else "bin")


class ProfileChangeQuerySet(models.QuerySet):
    def pending(self):
        """Proposals an editor still has to decide on."""
        return self.filter(status=ProfileChange.Status.PENDING)


class ProfileChange(models.Model):
    """A contributor's proposed bio, website and picture for their author page, until an editor decides.

    Made from the tracking page of an accepted submission (contributions/profiles.py); applied to
    the author on approval. Nothing proposed is deleted: a newer proposal replaces a pending one.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an editor")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        REPLACED = "replaced", _("Replaced by a newer proposal")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="profile_changes")
    author = models.ForeignKey(
        "blog.Author", verbose_name=_("author"), on_delete=models.CASCADE, related_name="profile_changes"
    )
    bio = PlainParagraphsField(_("proposed bio"), blank=True)
    website = models.URLField(_("proposed website"), blank=True)
    avatar = models.ImageField(
        _("proposed picture"),
        upload_to=upload_avatar,
        width_field="avatar_width",
        height_field="avatar_height",
        blank=True,
        help_text=_("Empty: the author keeps their picture (unless it is to be removed)."),
    )
    avatar_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    avatar_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    remove_avatar = models.BooleanField(_("remove the picture"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = ProfileChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("profile change")
        indexes = [models.Index(fields=["status", "-proposed_at"], name="profilechange_status_idx")]

    def __str__(self):
        return f"{self.author} ({self.get_status_display()})"
