from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportedObject(models.Model):
    """What one WordPress object became here, so that importing again updates it instead of adding another."""

    class Kind(models.TextChoices):
        AUTHOR = "author", _("Author")
        CATEGORY = "category", _("Category")
        TAG = "tag", _("Tag")
        POST = "post", _("Post")
        PAGE = "page", _("Page")
        COMMENT = "comment", _("Comment")
        MEDIA = "media", _("Media file")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    wp_id = models.CharField(
        _("WordPress id"),
        max_length=64,
        help_text=_("The id in WordPress; for media files, a digest of the path under wp-content/uploads/."),
    )
    guid = models.CharField(
        _("GUID"),
        max_length=500,
        blank=True,
        help_text=_("WordPress's GUID of a post or page (matched when ids changed); a media file's uploads path."),
    )
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    stored_name = models.CharField(
        _("stored file"), max_length=255, blank=True, help_text=_("For media files: the name in the media storage.")
    )
    source_hash = models.CharField(
        _("source digest"),
        max_length=64,
        help_text=_("Of the WordPress data last imported: unchanged items are skipped."),
    )
    imported_at = models.DateTimeField(_("last imported"), auto_now=True)

    class Meta:
        verbose_name = _("imported WordPress object")
        constraints = [models.UniqueConstraint(fields=["kind", "wp_id"], name="wordpress_kind_wp_id_unique")]
        indexes = [models.Index(fields=["kind", "guid"], name="wordpress_kind_guid_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.wp_id}"
