"""The image library: every picture the site shows, stored once, cleaned, with its words for readers.

A picture comes in through `Image.objects.add` (the admin's upload page, the editor, an
import): core/imaging.py decodes it, refuses what is not a complete JPEG, PNG, WebP or GIF
within the limits (`core.imaging.MAX_IMAGE_BYTES`, `MAX_PIXELS`) and re-encodes it with no
metadata. The SHA-256 of the cleaned bytes identifies it: the same picture sent again is the
row already there. A small WebP thumbnail (`THUMBNAIL_SIZE`) is made next to it for the
admin's lists and the editor's chooser; the blog makes the renditions that pages show.

Where a picture is used is not stored here: library/usage.py asks the apps that use pictures.
"""

import hashlib
import logging
import posixpath
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import imaging
from core.fields import PlainTextField

from .signals import image_changed, image_replaced

logger = logging.getLogger(__name__)

UPLOAD_TO = "library/%Y/%m/"
THUMBNAIL_PREFIX = "library/thumbnails/"
THUMBNAIL_SIZE = 320  # the longest side, in pixels: twice a 160 px cell of the admin's grids

# The fields whose change `image_changed` announces (the file has `image_replaced`).
DESCRIBING_FIELDS = ("alt", "caption", "credit", "focal_x", "focal_y")


def thumbnail_name(sha256):
    """The storage name of the thumbnail of the cleaned file with this digest."""
    return f"{THUMBNAIL_PREFIX}{sha256[:2]}/{sha256}.webp"


def make_thumbnail(content, sha256, storage=None):
    """Store the thumbnail of `content` (cleaned image bytes) unless it exists; its storage name.

    A picture that cannot be reduced (it passed `process_image`, so this is unlikely) only
    loses its thumbnail: the lists show the file itself then.
    """
    storage = storage or default_storage
    name = thumbnail_name(sha256)
    if storage.exists(name):
        return name
    try:
        with imaging.opened(content) as img:
            icc = imaging.upright(img)
            width, height = img.size
            scale = min(1.0, THUMBNAIL_SIZE / max(width, height))
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            data = imaging.encode_size(img, size, "webp", icc)
    except (*imaging.BOMBS, *imaging.DAMAGED):
        logger.warning("No thumbnail for library image %s: it could not be decoded", sha256)
        return None
    storage.save(name, ContentFile(data))
    return name


@dataclass(frozen=True)
class CleanedImage:
    """A picture someone sent, through `core.imaging.process_image`, with the digest that identifies it."""

    processed: imaging.ProcessedImage
    sha256: str


def clean_upload(file, filename=None):
    """The CleanedImage of what someone sent (bytes or a Django file); ValidationError if it is refused.

    Forms clean a file with it (to show the refusal beside the field), then hand the result to
    `Image.replace_file`, so a picture is never decoded and re-encoded twice.
    """
    if isinstance(file, CleanedImage):
        return file
    processed = imaging.process_image(file, name=filename)
    return CleanedImage(processed, hashlib.sha256(processed.content).hexdigest())


class ImageQuerySet(models.QuerySet):
    def for_name(self, storage_name):
        """The image stored under `storage_name` (as in a page's <img src>), or None."""
        if not storage_name:
            return None
        return self.filter(file=storage_name).first()

    def search(self, query):
        """Images whose alt text, caption, credit or file name contain every word of `query`."""
        qs = self
        for word in (query or "").split()[:10]:
            qs = qs.filter(
                models.Q(alt__icontains=word)
                | models.Q(caption__icontains=word)
                | models.Q(credit__icontains=word)
                | models.Q(file__icontains=word)
            )
        return qs

    def without_alt(self):
        return self.filter(alt="")

    def add(self, file, *, filename=None, alt="", user=None):
        """Clean and store a picture: (image, created).

        `file` is a Django File/UploadedFile, bytes or a `CleanedImage`; `filename` (default: the file's name)
        names the stored file and appears in messages. The same cleaned picture already in
        the library is returned with created=False (its alt text filled in with `alt` if it
        had none). Raises ValidationError with a message for people when the file is refused.
        """
        cleaned = clean_upload(file, filename)
        processed, sha256 = cleaned.processed, cleaned.sha256
        existing = self.filter(sha256=sha256).first()
        if existing is not None:
            return _fill_alt(existing, alt), False
        image = self.model(alt=alt or "", uploaded_by=user, sha256=sha256)
        image.file.save(processed.filename, ContentFile(processed.content), save=False)
        image.width, image.height = processed.width, processed.height
        try:
            with transaction.atomic():
                image.save()
        except IntegrityError:
            # Someone stored the same picture between our look-up and our insert: theirs wins.
            image.file.delete(save=False)
            existing = self.filter(sha256=sha256).first()
            if existing is None:
                raise
            return _fill_alt(existing, alt), False
        make_thumbnail(processed.content, sha256, image.file.storage)
        return image, True

    def register_stored(self, name, *, alt="", caption="", credit="", storage=None):
        """Catalogue a file already in storage under `name`, as it is: (image, created).

        For pictures the site showed before the library (featured images, images in bodies,
        imported media: written by the blog's receivers and its data migration). The file is
        NOT re-encoded or moved (pages point at `name`): its bytes are read once for the
        SHA-256 and checked to be an image of core/imaging.py's FORMATS; its size is read
        from its header. A row already there for `name` is returned (created=False); so is
        the row of the same bytes stored under another name (the library keeps one row per
        picture: the caller decides what to do with the copy). Raises ValidationError when
        there is no such file, it is too large to read (`imaging.MAX_PIXELS` and 50 MB), or
        it is no image.
        """
        existing = self.filter(file=name).first()
        if existing is not None:
            return existing, False
        storage = storage or self.model._meta.get_field("file").storage
        display = posixpath.basename(name or "") or "image"
        try:
            with storage.open(name, "rb") as stored:
                data = imaging.read_limited(stored, REGISTER_MAX_BYTES, display)
        except FileNotFoundError as exc:
            raise ValidationError(
                _("There is no stored file “%(name)s”."), code="missing", params={"name": display}
            ) from exc
        try:
            with imaging.opened(data) as img:
                if imaging.format_of(img) not in imaging.FORMATS:
                    raise ValueError(img.format)
                width, height = imaging.displayed_size(img)
        except (*imaging.BOMBS, *imaging.DAMAGED) as exc:
            raise ValidationError(
                _("“%(name)s” is not a JPEG, PNG, WebP or GIF image that can be read."),
                code="not_image",
                params={"name": display},
            ) from exc
        sha256 = hashlib.sha256(data).hexdigest()
        same = self.filter(sha256=sha256).first()
        if same is not None:
            return same, False
        image = self.model(
            file=name, width=width, height=height, sha256=sha256, alt=alt, caption=caption, credit=credit
        )
        try:
            with transaction.atomic():
                image.save()
        except IntegrityError:  # registered meanwhile (same name or same bytes): that row wins
            found = self.filter(models.Q(file=name) | models.Q(sha256=sha256)).first()
            if found is None:
                raise
            return found, False
        make_thumbnail(data, sha256, storage)
        return image, True


# The largest stored file `register_stored` reads (the blog makes renditions of files up to this size).
REGISTER_MAX_BYTES = 50 * 1024 * 1024


def _fill_alt(image, alt):
    if alt and not image.alt:
        image.alt = alt
        image.save(update_fields=["alt", "updated_at"])
    return image


def _fraction(name):
    return models.FloatField(
        name,
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )


class Image(models.Model):
    file = models.ImageField(
        gettext_lazy("file"), upload_to=UPLOAD_TO, width_field="width", height_field="height", max_length=255
    )
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    sha256 = models.CharField(
        max_length=64, unique=True, editable=False, help_text="SHA-256 of the cleaned file, to spot the same picture."
    )
    alt = PlainTextField(
        gettext_lazy("alt text"),
        max_length=250,
        help_text=gettext_lazy(
            "Describe the picture for readers who cannot see it. What matters in it, in a sentence; not “image of”."
        ),
    )
    caption = PlainTextField(
        gettext_lazy("caption"), max_length=300, blank=True, help_text=gettext_lazy("Shown under the picture.")
    )
    credit = PlainTextField(
        gettext_lazy("credit"),
        max_length=200,
        blank=True,
        help_text=gettext_lazy("Who made it: “Photo: Jane Doe / Agency”."),
    )
    licence = PlainTextField(
        gettext_lazy("licence"),
        max_length=200,
        blank=True,
        help_text=gettext_lazy("The terms we may use it under: “CC BY 4.0”, “bought from Agency, web only”."),
    )
    licence_expires = models.DateField(
        gettext_lazy("licence expires"),
        null=True,
        blank=True,
        help_text=gettext_lazy("The last day we may show it, if the licence ends."),
    )
    focal_x = _fraction(gettext_lazy("focal point, across"))
    focal_y = _fraction(gettext_lazy("focal point, down"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_images",
        editable=False,
    )
    created_at = models.DateTimeField(gettext_lazy("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"
        verbose_name = gettext_lazy("image")
        verbose_name_plural = gettext_lazy("images")
        indexes = [models.Index(fields=["-created_at"], name="library_image_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="library_image_focal_point_inside",
            )
        ]

    def __str__(self):
        return self.alt or posixpath.basename(self.file.name or "") or f"Image {self.pk}"

    def save(self, *args, **kwargs):
        if not self.sha256 and self.file:
            # Saved without `add` (a fixture, a script): the digest of the file as it is.
            self.file.open("rb")
            self.file.seek(0)
            self.sha256 = hashlib.sha256(self.file.read()).hexdigest()
        before = getattr(self, "_described", None)
        super().save(*args, **kwargs)
        after = self._describing_values()
        self._described = after
        if before is not None and before != after:
            image_changed.send(sender=Image, image=self)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._described = instance._describing_values()
        return instance

    def _describing_values(self):
        return {name: self.__dict__.get(name) for name in DESCRIBING_FIELDS}

    @property
    def url(self):
        return self.file.url

    @property
    def name(self):
        return self.file.name

    @property
    def filename(self):
        return posixpath.basename(self.file.name or "")

    @property
    def thumbnail_url(self):
        """The small WebP of the picture (see `make_thumbnail`); the file itself for an image saved without one."""
        if not self.sha256:
            return self.url
        return self.file.storage.url(thumbnail_name(self.sha256))

    @property
    def missing_alt(self):
        return not self.alt

    def replace_file(self, file, user=None, *, filename=None):
        """Put a new picture in place of this one's file, keeping the row and everything said about it.

        `file` is as `ImageQuerySet.add` takes it (a `CleanedImage` is not cleaned again). The new
        file is cleaned as `add` cleans and stored under a new storage
        name; the focal point goes back to the middle (the old one was about another picture).
        The old file is kept in storage: pages cached elsewhere (a CDN, a feed reader, an
        archive) may still point at it. Then `image_replaced` is sent with both names.
        Raises ValidationError if the file is refused or is another library picture already.
        """
        cleaned = clean_upload(file, filename or getattr(file, "name", None) or self.filename)
        processed, sha256 = cleaned.processed, cleaned.sha256
        other = Image.objects.filter(sha256=sha256).exclude(pk=self.pk).first()
        if other is not None:
            raise ValidationError(
                _("This picture is already in the library (“%(other)s”): use that one, or delete it first."),
                code="duplicate",
                params={"other": str(other)},
            )
        old_name = self.file.name
        self.sha256 = sha256
        self.file.save(processed.filename, ContentFile(processed.content), save=False)
        self.width, self.height = processed.width, processed.height
        if self.file.name == old_name:  # the storage reused the name: never overwrite what pages point at
            raise ValidationError(_("The new file could not be stored under a new name."), code="storage")
        self.focal_x = self.focal_y = 0.5
        if user is not None and self.uploaded_by_id is None:
            self.uploaded_by = user
        # The focal point reset belongs to the replacement: announced by image_replaced, not image_changed.
        self._described = self._describing_values()
        self.save()
        make_thumbnail(processed.content, sha256, self.file.storage)
        image_replaced.send(sender=Image, image=self, old_name=old_name, new_name=self.file.name)
        return self
