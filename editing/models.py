from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# How long an autosaved copy nobody came back to is kept (settings.BYLINE_AUTOSAVE_KEEP_DAYS).
DEFAULT_KEEP_DAYS = 30


def keep_days():
    return getattr(settings, "BYLINE_AUTOSAVE_KEEP_DAYS", DEFAULT_KEEP_DAYS)


class AutosavedCopyQuerySet(models.QuerySet):
    def of(self, user, content_type, object_id):
        """The copy of one user for one object (`object_id` None: the object they are adding)."""
        return self.filter(user=user, content_type=content_type, object_id=object_id)

    def expired(self, now=None):
        """Copies older than BYLINE_AUTOSAVE_KEEP_DAYS."""
        return self.filter(saved_at__lt=(now or timezone.now()) - timedelta(days=keep_days()))

    def prune(self, now=None):
        """Delete the expired copies; return how many went."""
        return self.expired(now).delete()[0]

    def keep(self, user, content_type, object_id, data):
        """Write this user's copy of the object, replacing the one before; return its saved_at.

        One UPDATE when a copy exists. The first copy is an INSERT, and prunes the expired copies
        of everybody at the same time (so the table stays small without a scheduled job; the
        command `prune_autosaved_copies` does the same on demand).
        """
        now = timezone.now()
        if self.of(user, content_type, object_id).update(data=data, saved_at=now):
            return now
        try:
            with transaction.atomic(using=self.db):
                self.create(user=user, content_type=content_type, object_id=object_id, data=data, saved_at=now)
        except IntegrityError:  # the same user's other tab created it meanwhile
            self.of(user, content_type, object_id).update(data=data, saved_at=now)
            return now
        self.prune(now)
        return now


class AutosavedCopy(models.Model):
    """What one user typed into an object's change form and has not saved yet (one per user and object).

    `data` is {"fields": {name: [values]}, "labels": {name: {value: text}}}: every field of the
    form except files, as the browser would post them, and the text of the options chosen in
    the selects that fetch their options (autocomplete), so that they can be shown again.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="autosaved_copies"
    )
    content_type = models.ForeignKey(ContentType, verbose_name=_("content type"), on_delete=models.CASCADE)
    # NULL, not "": the object is not saved yet (each case has its own unique constraint below).
    object_id = models.CharField(  # noqa: DJ001
        _("object id"), max_length=255, null=True, blank=True, help_text=_("Empty for an object not saved yet.")
    )
    content_object = GenericForeignKey("content_type", "object_id")
    data = models.JSONField(_("form data"), default=dict)
    saved_at = models.DateTimeField(_("saved at"), db_index=True)

    objects = AutosavedCopyQuerySet.as_manager()

    class Meta:
        verbose_name = _("autosaved copy")
        verbose_name_plural = _("autosaved copies")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"],
                condition=Q(object_id__isnull=False),
                name="autosavedcopy_one_per_object",
            ),
            models.UniqueConstraint(
                fields=["user", "content_type"],
                condition=Q(object_id__isnull=True),
                name="autosavedcopy_one_per_new_object",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.content_type} {self.object_id or '(new)'} · {self.saved_at:%Y-%m-%d %H:%M}"

    @property
    def fields(self):
        return self.data.get("fields", {})
