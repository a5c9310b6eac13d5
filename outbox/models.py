from django.db import models
from django.utils.translation import gettext_lazy as _


class OutgoingEmailQuerySet(models.QuerySet):
    def unsent(self):
        """Emails not yet handed to the mail server (queued, or failed and worth retrying)."""
        return self.filter(status__in=[OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.FAILED])

    def claimable(self, stale_before):
        """Unsent emails no sender is working on: never claimed, or claimed before `stale_before`
        (that sender died mid-send)."""
        return self.unsent().filter(models.Q(claimed_at__isnull=True) | models.Q(claimed_at__lt=stale_before))


class OutgoingEmail(models.Model):
    """One email, written in the same transaction as the change it reports.

    Sending happens after commit (a django-tasks task); a failure is recorded here
    and retried by `manage.py send_queued_email`, so no email is lost and no request
    waits for the mail server.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.JSONField(_("to"), help_text=_("List of addresses."))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=250, unique=True)
    reference = models.CharField(
        _("reference"),
        max_length=100,
        blank=True,
        db_index=True,
        help_text=_("What the email is about, e.g. submission:12."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    claimed_at = models.DateTimeField(
        _("claimed"),
        null=True,
        blank=True,
        help_text=_("When a sender took this email to send it; empty when nobody is sending it."),
    )

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"
