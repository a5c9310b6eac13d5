"""The library's forms: one picture sent to the upload endpoint, and the admin's detail page."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import imaging
from core.fields import PlainTextFormField

from .models import Image, clean_upload

ACCEPT = ",".join(imaging.CONTENT_TYPES.values())


class UploadForm(forms.Form):
    """What the upload page and the editor send: the file, and (from the editor) its alt text."""

    file = forms.FileField(
        error_messages={"required": _("Choose a picture to upload."), "empty": _("The file is empty.")},
    )
    alt = PlainTextFormField(max_length=250, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.cleaned_image = clean_upload(upload, upload.name)
        return upload


class FocalPointInput(forms.NumberInput):
    """0 (left/top) to 1 (right/bottom), by hundredths; the picture above it sets it by a click."""

    def __init__(self, attrs=None):
        super().__init__({"min": "0", "max": "1", "step": "0.01", **(attrs or {})})


class ImageForm(forms.ModelForm):
    """The detail page: words about the picture, its rights, its focal point, and a file to put in its place."""

    replace_with = forms.FileField(
        label=_("Replace the picture"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_(
            "A new file for this same picture (a better crop, a corrected version). The text above is kept, "
            "the focal point goes back to the middle, and the pages that show it are updated."
        ),
    )

    class Meta:
        model = Image
        fields = ["alt", "caption", "credit", "licence", "licence_expires", "focal_x", "focal_y"]
        widgets = {
            "focal_x": FocalPointInput(),
            "focal_y": FocalPointInput(),
            "licence_expires": forms.DateInput(attrs={"type": "date"}),
        }
        error_messages = {"alt": {"required": _("Describe the picture for readers who cannot see it.")}}

    cleaned_image = None

    def clean_replace_with(self):
        upload = self.cleaned_data.get("replace_with")
        if not upload:
            return upload
        cleaned = clean_upload(upload, upload.name)
        other = Image.objects.filter(sha256=cleaned.sha256).exclude(pk=self.instance.pk).first()
        if other is not None:
            raise ValidationError(
                _("This picture is already in the library (“%(other)s”): use that one, or delete it first."),
                code="duplicate",
                params={"other": str(other)},
            )
        self.cleaned_image = cleaned
        return upload

    def clean_focal_x(self):
        return _fraction(self.cleaned_data.get("focal_x"))

    def clean_focal_y(self):
        return _fraction(self.cleaned_data.get("focal_y"))


def _fraction(value):
    if value is None:
        return 0.5
    if not 0 <= value <= 1:
        raise ValidationError(_("Give a number from 0 to 1 (0.5 is the middle)."), code="out_of_range")
    return value
