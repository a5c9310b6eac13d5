from django.conf import settings
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.fields import PlainParagraphsField, PlainTextField


class ComplaintQuerySet(models.QuerySet):
    def open(self):
        """Complaints an editor still has to decide on."""
        return self.filter(status__in=Complaint.OPEN_STATUSES)

    def in_force(self):
        """Upheld complaints whose takedown has not been lifted."""
        return self.filter(status=Complaint.Status.UPHELD, restored_at__isnull=True)

    def takedown_of(self, article):
        """The latest upheld complaint still in force against `article`, or None. One query."""
        return self.in_force().filter(article=article).order_by("-decided_at", "-pk").first()

    def counts_by_status(self):
        """{status: count} for every status, in one query."""
        counts = dict(self.order_by().values_list("status").annotate(n=Count("pk")))
        return {status: counts.get(status, 0) for status, _label in Complaint.Status.choices}


class Complaint(models.Model):
    """A rights holder's copyright complaint about one of our articles, and where it stands."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        UNDER_REVIEW = "under_review", _("Under review")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    OPEN_STATUSES = [Status.NEW, Status.UNDER_REVIEW]

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)

    # What the claimant sent
    claimant_name = PlainTextField(_("claimant"), max_length=120)
    claimant_email = models.EmailField(_("claimant's email"))
    organisation = PlainTextField(_("organisation"), max_length=200, blank=True)
    original_work = PlainParagraphsField(
        _("original work"), max_length=2000, help_text=_("The claimant's description of the work, and/or its address.")
    )
    # PROTECT: a complaint is the record of a legal notice and of what we did about it;
    # deleting the article must not erase it silently.
    article = models.ForeignKey(
        "blog.Article", verbose_name=_("article"), on_delete=models.PROTECT, related_name="complaints"
    )
    article_url = PlainTextField(_("address given"), max_length=500, help_text=_("As the claimant typed it."))
    good_faith = models.BooleanField(_("good-faith statement"), default=False)
    accuracy = models.BooleanField(_("accuracy statement"), default=False)
    affirmed_at = models.DateTimeField(_("statements affirmed"), null=True, blank=True)
    signature = PlainTextField(_("electronic signature"), max_length=120, help_text=_("The full name as typed."))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    # What we decided
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decided_complaints",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = PlainParagraphsField(
        _("reason shown to readers"),
        max_length=1000,
        blank=True,
        help_text=_("Shown on the article's “unavailable for legal reasons” page while it is taken down."),
    )
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("restored by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="restored_complaints",
    )
    restored_at = models.DateTimeField(
        _("article restored"), null=True, blank=True, help_text=_("When the takedown this complaint caused was lifted.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("copyright complaint")
        indexes = [models.Index(fields=["status", "-created_at"], name="complaint_status_idx")]

    def __str__(self):
        return gettext("Complaint #%(number)s by %(claimant)s") % {
            "number": self.pk or "—",
            "claimant": self.organisation or self.claimant_name,
        }

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def is_in_force(self):
        """Upheld, and the takedown not lifted since."""
        return self.status == self.Status.UPHELD and self.restored_at is None

    def default_reason(self):
        """What readers are told when the editor writes nothing else: who complained, about what."""
        return gettext("Removed after a copyright complaint from %(claimant)s about this work: %(work)s") % {
            "claimant": self.organisation or self.claimant_name,
            "work": Truncator(" ".join(self.original_work.split())).chars(200),
        }


class ComplaintEvent(models.Model):
    """One line of a complaint's history: who did what, when, and why."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        REVIEW_STARTED = "review_started", _("Review started")
        UPHELD = "upheld", _("Upheld: article taken down")
        REJECTED = "rejected", _("Rejected")
        RESTORED = "restored", _("Article restored")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Complaint.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Complaint.Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"
