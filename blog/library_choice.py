"""The article admin's "choose from the library" for the featured image.

`LibraryChoiceForm` is mixed into the article's admin form (blog/admin.py): it adds
`library_image`, a choice among the `RECENT` newest library pictures shown as thumbnails
(one query). Choosing one sets `featured_image` to that picture's storage name on save (the
article keeps a storage name: blog/library_uses.py), and fills the alt text, caption and
credit the editor left empty from the library's. Uploading a file and choosing a picture at
once is refused with a message.
"""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from library.models import Image

RECENT = 24  # the chooser's thumbnails: the newest pictures, as the library's own chooser pages them


class ThumbnailRadioSelect(forms.RadioSelect):
    """Radio buttons laid out as a grid of thumbnails (the admin allows inline styles: core/security.py).

    `thumbnails`: {choice value (str): <img> markup} shown under each choice's label.
    """

    thumbnails = {}

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        options = [option for _group, group_options, _index in context["optgroups"] for option in group_options]
        items = format_html_join(
            "",
            '<label for="{}" style="display:flex;flex-direction:column;gap:0.25rem;width:{};font-size:0.8rem;'
            'line-height:1.3;cursor:pointer"><span><input type="radio" name="{}" value="{}" id="{}"{}> {}</span>'
            "{}</label>",
            (
                (
                    option["attrs"]["id"],
                    "8rem" if option["value"] else "100%",  # "none" on a line of its own, above the pictures
                    name,
                    option["value"],
                    option["attrs"]["id"],
                    mark_safe(" checked") if option["selected"] else "",
                    option["label"],
                    self.thumbnails.get(str(option["value"]), ""),
                )
                for option in options
            ),
        )
        return format_html(
            '<div id="{}" class="library-choice" style="display:flex;flex-wrap:wrap;gap:0.75rem 1rem">{}</div>',
            context["attrs"].get("id", ""),
            items,
        )


class LibraryImageField(forms.ModelChoiceField):
    """A library picture; the choices shown are set by the form (`recent`), any picture is accepted."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Image.objects.all(),
            required=False,
            empty_label=_("None: keep the picture above, or upload one"),
            widget=ThumbnailRadioSelect,
            **kwargs,
        )

    def label_from_instance(self, obj):
        """A picture's alt text (shortened) and size."""
        return format_html(
            "{} <small>({}×{})</small>", Truncator(str(obj)).chars(60), obj.width or "?", obj.height or "?"
        )


def thumbnail_html(image):
    return format_html(
        '<img src="{}" alt="" width="128" style="height:auto;max-height:96px;object-fit:cover;border-radius:4px"'
        ' loading="lazy">',
        image.thumbnail_url,
    )


class LibraryChoiceForm(forms.Form):
    """Mixed into a ModelForm of a model with `featured_image` (and its alt, caption and credit)."""

    library_image = LibraryImageField(
        label=_("Or choose from the library"),
        help_text=_("The newest pictures of the image library; choosing one replaces the featured image on save."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("library_image")
        if field is not None:
            recent = list(Image.objects.order_by("-created_at", "-id")[:RECENT])
            field.widget.choices = [("", field.empty_label)] + [
                (image.pk, field.label_from_instance(image)) for image in recent
            ]
            field.widget.thumbnails = {str(image.pk): thumbnail_html(image) for image in recent}

    def clean(self):
        cleaned = super().clean()
        image = cleaned.get("library_image")
        if image is None:
            return cleaned
        if self.files.get(self.add_prefix("featured_image")):
            self.add_error(
                "library_image", _("Upload a picture or choose one from the library, not both: which one is it?")
            )
            return cleaned
        cleaned["featured_image"] = image.name
        for field, value in (
            ("featured_image_alt", image.alt),
            ("featured_image_caption", image.caption),
            ("featured_image_credit", image.credit),
        ):
            if field in self.fields and not (cleaned.get(field) or "").strip():
                cleaned[field] = value
        return cleaned
