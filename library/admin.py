"""The library in the admin: the list of pictures, the upload page, the detail page, the JSON endpoints.

- The list shows thumbnails, flags pictures without alt text, says where each is used
  (library/usage.py, one call per provider for the whole page) and filters by use, alt text,
  licence and upload date.
- "Upload pictures" (the add page) sends files one by one to the upload endpoint (views.py).
- The detail page shows the picture, where it is used, its sizes; a click on the picture sets
  its focal point; a new file can replace it in place.
- A picture in use cannot be deleted: the delete page (and the bulk action) lists its uses.
"""

import datetime

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core import imaging

from . import usage, views
from .forms import ImageForm
from .models import THUMBNAIL_SIZE, Image

LIST_THUMBNAIL = 96  # CSS pixels, the longest side
# The previews of crops on the detail page (library.css gives each its shape).
CROP_SHAPES = [("square", _("Square")), ("wide", _("Wide, 16:9")), ("tall", _("Tall, 3:4"))]


def _fit(width, height, longest):
    """(width, height) scaled to fit a `longest` × `longest` square, never enlarged."""
    if not width or not height:
        return longest, longest
    scale = min(1.0, longest / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


class UsageFilter(admin.SimpleListFilter):
    title = _("use")
    parameter_name = "use"

    def lookups(self, request, model_admin):
        return [("used", _("Used")), ("unused", _("Not used"))]

    def queryset(self, request, queryset):
        if self.value() == "used":
            return usage.used(queryset)
        if self.value() == "unused":
            return usage.unused(queryset)
        return queryset


class AltTextFilter(admin.SimpleListFilter):
    title = _("alt text")
    parameter_name = "alt"

    def lookups(self, request, model_admin):
        return [("missing", _("Missing")), ("given", _("Given"))]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(alt="")
        if self.value() == "given":
            return queryset.exclude(alt="")
        return queryset


class LicenceFilter(admin.SimpleListFilter):
    title = _("licence")
    parameter_name = "licence"

    def lookups(self, request, model_admin):
        return [
            ("expired", _("Expired")),
            ("soon", _("Expires within 30 days")),
            ("none", _("No licence noted")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "expired":
            return queryset.filter(licence_expires__lt=today)
        if self.value() == "soon":
            return queryset.filter(licence_expires__gte=today, licence_expires__lte=today + datetime.timedelta(30))
        if self.value() == "none":
            return queryset.filter(licence="")
        return queryset


class ImageChangeList(ChangeList):
    """The admin's list, with each picture's uses read once for the whole page (`image.uses`)."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        uses = usage.uses_of(self.result_list)
        for image in self.result_list:
            image.uses = uses.get(image.pk, [])


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = ["thumbnail", "description", "used_in", "dimensions", "uploaded"]
    list_display_links = ["thumbnail", "description"]
    list_filter = [UsageFilter, AltTextFilter, LicenceFilter, ("created_at", admin.DateFieldListFilter)]
    search_fields = ["alt", "caption", "credit", "file"]
    list_per_page = 48
    show_full_result_count = False  # one count query, not two
    fieldsets = [
        (_("For readers"), {"fields": ["alt", "caption", "credit"]}),
        (_("Rights"), {"fields": ["licence", "licence_expires"]}),
        (
            _("Focal point"),
            {
                "fields": ["focal_x", "focal_y"],
                "description": _(
                    "What must stay in view when the picture is cropped: click on it above, or give the "
                    "position as fractions of its width and height from the top left (0.5, 0.5 is the middle)."
                ),
            },
        ),
        (_("File"), {"fields": ["replace_with"]}),
    ]

    # --- the list ---------------------------------------------------------------------------------

    def get_changelist(self, request, **kwargs):
        return ImageChangeList

    @admin.display(description=_("Picture"))
    def thumbnail(self, obj):
        width, height = _fit(obj.width, obj.height, LIST_THUMBNAIL)
        return format_html(
            '<img class="library-thumb" src="{}" width="{}" height="{}" alt="{}" loading="lazy">',
            obj.thumbnail_url,
            width,
            height,
            # The thumbnail links to the picture's page: it needs a name, and the picture's own is the best.
            obj.alt or obj.filename,
        )

    @admin.display(description=_("Alt text"), ordering="alt")
    def description(self, obj):
        if not obj.alt:
            return format_html(
                '<span class="library-flag library-flag-missing">{}</span><br><span class="library-filename">{}</span>',
                _("No alt text"),
                obj.filename,
            )
        return format_html('{}<br><span class="library-filename">{}</span>', obj.alt, obj.filename)

    @admin.display(description=_("Used in"))
    def used_in(self, obj):
        uses = getattr(obj, "uses", [])
        if not uses:
            return format_html('<span class="library-quiet">{}</span>', _("Not used"))
        return ngettext("%(count)s place", "%(count)s places", len(uses)) % {"count": len(uses)}

    @admin.display(description=_("Size"))
    def dimensions(self, obj):
        if not obj.width:
            return "—"
        return f"{obj.width}\N{NO-BREAK SPACE}×\N{NO-BREAK SPACE}{obj.height}"

    @admin.display(description=_("Uploaded"), ordering="created_at")
    def uploaded(self, obj):
        return date_format(timezone.localtime(obj.created_at), "j M Y")

    # --- the upload page and the JSON endpoints ---------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(lambda request: views.upload(request, self)), name="library_image_upload"),
            path("choose/", view(lambda request: views.choose(request, self)), name="library_image_choose"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        """Pictures come in through the upload page: several at once, cleaned and de-duplicated."""
        return views.upload_page(request, self)

    # --- the detail page --------------------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            # The picture as stored (the form's instance may hold values refused by validation).
            context.update(self._detail_context(obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _detail_context(self, image):
        try:
            file_size = imaging.human_size(image.file.size)
        except (OSError, ValueError):
            file_size = None
        preview_width, preview_height = _fit(image.width, image.height, 960)
        thumb_width, thumb_height = _fit(image.width, image.height, THUMBNAIL_SIZE)
        today = timezone.localdate()
        return {
            "image": image,
            "uses": usage.uses_of_one(image),
            "file_size": file_size,
            "preview_size": (preview_width, preview_height),
            "thumbnail_size": (thumb_width, thumb_height),
            "licence_expired": bool(image.licence_expires and image.licence_expires < today),
            "crop_shapes": CROP_SHAPES,
        }

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.cleaned_image is not None:
            obj.replace_file(form.cleaned_image, user=request.user)

    # --- deleting ---------------------------------------------------------------------------------

    def get_deleted_objects(self, objs, request):
        """A picture in use is protected: the delete page lists its uses instead of a Yes button."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        images = list(objs)
        uses = usage.uses_of(images)
        for image in images:
            if uses.get(image.pk):
                protected.append(_image_uses_html(image, uses[image.pk]))
        return deleted, counts, perms_needed, protected


def _image_uses_html(image, uses):
    links = format_html_join(", ", "{}", ((_use_html(use),) for use in uses))
    return format_html(
        '<a href="{}">{}</a> — {}: {}',
        reverse("admin:library_image_change", args=[image.pk]),
        str(image),
        ngettext("used in %(count)s place", "used in %(count)s places", len(uses)) % {"count": len(uses)},
        links,
    )


def _use_html(use):
    return format_html('<a href="{}">{}</a>', use.admin_url, use.label) if use.admin_url else use.label
