"""The contributor's web form. It validates and hands an `Incoming` to workflow.receive()."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField

from blog import tags
from core.fields import PlainParagraphsFormField, PlainTextFormField
from core.sanitizer import sanitize_html
from core.slugs import validate_sluggable

from .uploads import MAX_DOCX_BYTES, MAX_IMAGE_BYTES, MAX_PIXELS, docx_to_html, human_size, process_image
from .workflow import Incoming, check_sender

MAX_IMAGES = 5
MIN_WORDS = 50
MAX_WORDS = 20_000

# A reduced toolbar for contributors: no tables, figures or code blocks.
CONTRIBUTOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "History": True,
}


def contributor_html(html):
    return sanitize_html(html, ugc=True)


def word_count(html):
    return len(strip_tags(html or "").split())


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ImagesField(forms.FileField):
    """Up to MAX_IMAGES images, each decoded, checked and re-encoded (uploads.process_image)."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_IMAGES:
            raise ValidationError(
                _("Attach at most %(max)d images (you attached %(count)d).") % {"max": MAX_IMAGES, "count": len(files)},
                code="too_many",
            )
        processed, errors = [], []
        for upload in files:
            try:
                processed.append(process_image(upload, name=upload.name))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return processed


class SubmissionForm(forms.Form):
    name = PlainTextFormField(
        label=_("Your name"),
        max_length=120,
        validators=[validate_sluggable],
        help_text=_("As it should appear in the byline."),
    )
    email = forms.EmailField(
        label=_("Your email"), help_text=_("We write to you here about your piece. It is never published.")
    )
    title = PlainTextFormField(label=_("Title"), max_length=200, validators=[validate_sluggable])
    body = ProseEditorFormField(
        label=_("Your article"),
        required=False,
        config={"extensions": CONTRIBUTOR_EXTENSIONS},
        sanitize=contributor_html,
        help_text=_("Write or paste your article here, or attach a Word document below instead."),
    )
    document = forms.FileField(
        label=_("Or a Word document (.docx)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        ),
        help_text=_("Instead of the text above; pictures inside it are kept. At most %(size)s.")
        % {"size": human_size(MAX_DOCX_BYTES)},
    )
    images = ImagesField(
        label=_("Pictures"),
        required=False,
        help_text=_("Up to %(count)d JPEG, PNG, WebP or GIF images, %(size)s and %(mp)d megapixels each.")
        % {"count": MAX_IMAGES, "size": human_size(MAX_IMAGE_BYTES), "mp": MAX_PIXELS // 1_000_000},
    )
    bio = PlainParagraphsFormField(
        label=_("A short bio"),
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two or three sentences about you, shown with your article."),
    )
    suggested_tags = PlainTextFormField(
        label=_("Suggested tags"), required=False, max_length=300, help_text=_("Separated by commas.")
    )
    consent = forms.BooleanField(
        label=_(
            "I wrote this piece, I have the right to publish its text and pictures, and I agree to the "
            "contribution guidelines and to publication under the site's licence."
        ),
        error_messages={"required": _("Please confirm that you agree to the guidelines and the licence.")},
    )
    # Honeypot: hidden from people (CSS and aria-hidden); bots fill every field.
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def clean_email(self):
        email = self.cleaned_data["email"]
        check_sender(email)
        return email

    def clean_suggested_tags(self):
        names, refused = tags.parse_names(self.cleaned_data.get("suggested_tags") or "")
        if refused:
            raise ValidationError(tags.refusal_message(refused), code="no_slug")
        return ", ".join(names)

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if not document:
            return None
        if not document.name.lower().endswith(".docx"):
            raise ValidationError(_("Attach a Word document saved as .docx."), code="not_docx")
        return docx_to_html(document, name=document.name)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            # Shown above the form: the honeypot field itself is invisible.
            raise ValidationError(
                _("This looks like an automated submission. If you are a person, leave the field “%(label)s” empty.")
                % {"label": self.fields["website"].label},
                code="honeypot",
            )
        body, converted = cleaned.get("body"), cleaned.get("document")
        if "body" in self.errors or "document" in self.errors:
            return cleaned
        if body and converted:
            raise ValidationError(
                _("Send your article either in the editor or as a Word document, not both."), code="both"
            )
        text = body or (converted.html if converted else "")
        words = word_count(text)
        if words == 0:
            raise ValidationError(_("Write your article in the editor or attach it as a Word document."), code="empty")
        if words < MIN_WORDS:
            raise ValidationError(
                _("Your article has %(words)d words; we need at least %(min)d.") % {"words": words, "min": MIN_WORDS},
                code="too_short",
            )
        if words > MAX_WORDS:
            raise ValidationError(
                _("Your article has %(words)d words; the most we can take is %(max)d.")
                % {"words": words, "max": MAX_WORDS},
                code="too_long",
            )
        return cleaned

    def to_incoming(self, *, ip_address=None, headers=None):
        data = self.cleaned_data
        converted = data.get("document")
        images = [(None, image) for image in data.get("images") or []]
        body = data.get("body") or ""
        document = None
        if converted:
            body = converted.html
            images += [(f"docx-image-{n}", image) for n, image in enumerate(converted.images)]
            upload = self.files.get("document")
            upload.seek(0)
            document = (upload.name, upload.read())
        return Incoming(
            channel="web",
            name=data["name"],
            email=data["email"],
            title=data["title"],
            body=body,
            bio=data.get("bio", ""),
            suggested_tags=data.get("suggested_tags", ""),
            consent=data["consent"],
            images=images,
            document=document,
            headers=headers or {},
            sender_verification={"method": "web form"},
            ip_address=ip_address,
        )


class RevisionForm(forms.Form):
    """The contributor's new version after an editor asked for changes."""

    title = PlainTextFormField(label=_("Title"), max_length=200, validators=[validate_sluggable])
    body = ProseEditorFormField(
        label=_("Your revised article"), config={"extensions": CONTRIBUTOR_EXTENSIONS}, sanitize=contributor_html
    )
    note = PlainParagraphsFormField(
        label=_("A note to the editor (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_body(self):
        body = self.cleaned_data["body"]
        if word_count(body) < MIN_WORDS:
            raise ValidationError(_("Your article needs at least %(min)d words.") % {"min": MIN_WORDS})
        return body
