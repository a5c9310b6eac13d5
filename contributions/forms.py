"""The contributor's web form. It validates and hands an `Incoming` to workflow.receive()."""

import re
from html import unescape

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, strip_tags
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


IMAGE_TYPES = "image/jpeg,image/png,image/webp,image/gif"
DOCX_TYPES = ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ImagesField(forms.FileField):
    """Up to `max_count` images (MAX_IMAGES), each decoded, checked and re-encoded (uploads.process_image)."""

    widget = MultipleFileInput(attrs={"accept": IMAGE_TYPES})

    def __init__(self, *, max_count=MAX_IMAGES, **kwargs):
        self.max_count = max_count
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > self.max_count:
            raise ValidationError(
                _("Attach at most %(max)d images (you attached %(count)d).")
                % {"max": self.max_count, "count": len(files)},
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


class DocumentField(forms.FileField):
    """A Word document: cleaned to its conversion (uploads.DocxResult), or None when none was attached.

    The upload itself stays in the form's `files` (see `uploaded_document`): it is kept as sent.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": DOCX_TYPES}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        document = super().clean(data, initial)
        if not document:
            return None
        if not document.name.lower().endswith(".docx"):
            raise ValidationError(_("Attach a Word document saved as .docx."), code="not_docx")
        return docx_to_html(document, name=document.name)


def uploaded_document(form, name="document"):
    """(file name, bytes) of the .docx attached to `form`'s field `name`, as sent."""
    upload = form.files.get(name)
    upload.seek(0)
    return upload.name, upload.read()


def check_length(html):
    """Refuse an article with no words, too few or too many (the same limits for a first version and a revision)."""
    words = word_count(html)
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
    document = DocumentField(
        label=_("Or a Word document (.docx)"),
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
        check_length(body or (converted.html if converted else ""))
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
            document = uploaded_document(self)
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
    """The contributor's new version after an editor asked for changes: text, document and pictures.

    The limits are the first submission's: MAX_IMAGES attached pictures (those inside a document do not
    count, as on the first form; a piece that already has more may keep them), each checked by
    process_image, a .docx of at most MAX_DOCX_BYTES, the article's length (check_length), and the whole
    request's size (the view's size check). Each picture of the piece gets a choice: keep, replace (with
    the file chosen next to it) or remove; `revision()` hands all of it to workflow.revise.
    """

    KEEP, REPLACE, REMOVE = "keep", "replace", "remove"
    PICTURE_CHOICES = [(KEEP, _("Keep")), (REPLACE, _("Replace")), (REMOVE, _("Remove"))]

    title = PlainTextFormField(label=_("Title"), max_length=200, validators=[validate_sluggable])
    body = ProseEditorFormField(
        label=_("Your revised article"),
        required=False,
        config={"extensions": CONTRIBUTOR_EXTENSIONS},
        sanitize=contributor_html,
    )
    document = DocumentField(
        label=_("Or a new Word document (.docx)"),
        help_text=_(
            "Its text replaces your article, with the pictures that were inside the old document; leave the text "
            "above as it is when you attach one. At most %(size)s."
        )
        % {"size": human_size(MAX_DOCX_BYTES)},
    )
    images = ImagesField(
        label=_("Add pictures"),
        required=False,
        help_text=_(
            "Up to %(count)d pictures in all with those you keep; JPEG, PNG, WebP or GIF, %(size)s and "
            "%(mp)d megapixels each."
        )
        % {"count": MAX_IMAGES, "size": human_size(MAX_IMAGE_BYTES), "mp": MAX_PIXELS // 1_000_000},
    )
    note = PlainParagraphsFormField(
        label=_("A note to the editor (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, submission, **kwargs):
        kwargs.setdefault("initial", {"title": submission.title, "body": submission.body})
        super().__init__(*args, **kwargs)
        self.submission = submission
        # The piece's pictures now (a prefetch filtered to them is used when there is one).
        self.pictures = [image for image in submission.images.all() if image.removed_at is None]
        if any(self.in_text(picture) for picture in self.pictures):
            self.fields["body"].help_text = _(
                "The pictures in your text are not shown here. They stay in it; if you change the text, they are "
                "put back at its end, where an editor places them. To take one out, choose Remove below."
            )
        for number, picture in enumerate(self.pictures, start=1):
            label = _("Picture %(number)d: %(name)s") % {"number": number, "name": picture}
            self.fields[self.choice_name(picture)] = forms.ChoiceField(
                label=label, choices=self.PICTURE_CHOICES, initial=self.KEEP, required=False, widget=forms.RadioSelect
            )
            self.fields[self.file_name(picture)] = ImagesField(
                label=_("New picture for picture %(number)d") % {"number": number},
                max_count=1,
                required=False,
                widget=forms.FileInput(attrs={"accept": IMAGE_TYPES}),
            )

    @staticmethod
    def choice_name(picture):
        return f"picture-{picture.pk}"

    @staticmethod
    def file_name(picture):
        return f"picture-{picture.pk}-file"

    def in_text(self, picture):
        """Whether the picture sits inside the text (it came in a document or inline in an email)."""
        return picture.image.url in self.submission.body

    def picture_rows(self):
        """(picture, its keep/replace/remove field, its file field, in the text?) for the template."""
        return [
            (picture, self[self.choice_name(picture)], self[self.file_name(picture)], self.in_text(picture))
            for picture in self.pictures
        ]

    def main_fields(self):
        return [self[name] for name in ("title", "body", "document")]

    def clean(self):
        cleaned = super().clean()
        self.decisions = {}  # picture -> new ProcessedImage (replace) or None (remove)
        for picture in self.pictures:
            choice = cleaned.get(self.choice_name(picture)) or self.KEEP
            replacement = (cleaned.get(self.file_name(picture)) or [None])[0]
            if self.file_name(picture) in self.errors:
                continue
            if choice == self.REMOVE and replacement:
                self.add_error(
                    self.file_name(picture),
                    _("You chose to remove this picture and attached a new one: choose Replace to swap them."),
                )
            elif choice == self.REPLACE and not replacement:
                self.add_error(self.file_name(picture), _("Choose the new picture, or keep this one."))
            elif choice == self.REMOVE:
                self.decisions[picture] = None
            elif replacement:  # a file chosen next to a picture replaces it, whatever the radio says
                self.decisions[picture] = replacement
        if "images" not in self.errors:
            self._check_picture_count(cleaned.get("images") or [])
        if "body" in self.errors or "document" in self.errors:
            return cleaned
        body, converted = cleaned.get("body") or "", cleaned.get("document")
        if converted and body and _words(body) != _words(self.submission.body):
            raise ValidationError(
                _(
                    "You changed the text and attached a new Word document: send the new version one way or the "
                    "other. Leave the text as it was to use the document, or remove the document to keep your edits."
                ),
                code="both",
            )
        check_length(converted.html if converted else body)
        return cleaned

    def _check_picture_count(self, added):
        attached = [picture for picture in self.pictures if not self.in_text(picture)]
        before = len(attached)
        after = len([picture for picture in attached if self.decisions.get(picture, True) is not None]) + len(added)
        if after > MAX_IMAGES and after > before:
            self.add_error(
                "images",
                ValidationError(
                    _(
                        "A piece may have at most %(max)d pictures (besides those inside a document); with these it "
                        "would have %(count)d. Replace or remove some of the pictures above instead."
                    )
                    % {"max": MAX_IMAGES, "count": after},
                    code="too_many",
                ),
            )

    def revision(self):
        """The keyword arguments of workflow.revise for this valid form."""
        data = self.cleaned_data
        converted = data.get("document")
        images = [(None, image) for image in data.get("images") or []]
        body, document = data.get("body") or "", None
        if converted:
            body = converted.html
            images += [(f"docx-image-{n}", image) for n, image in enumerate(converted.images)]
            document = uploaded_document(self)
        else:
            body = self._keep_pictures_in_text(body)
        return {
            "title": data["title"],
            "body": body,
            "note": data.get("note") or "",
            "images": images,
            "pictures": {picture.pk: new for picture, new in self.decisions.items()},
            "document": document,
        }

    def _keep_pictures_in_text(self, body):
        """`body` with the pictures of the stored text that it lost, at its end, as they were.

        The contributor's editor has no picture tool, so the text it sends back once edited has lost the
        pictures inside it (a document's, an email's inline ones); none is taken out that way: only Remove does.
        """
        for picture in self.pictures:
            url = picture.image.url
            if not self.in_text(picture) or url in body or self.decisions.get(picture, True) is None:
                continue
            tag = re.search(rf"""<img\b[^>]*\bsrc=(["']){re.escape(url)}\1[^>]*>""", self.submission.body)
            body += f"<p>{tag.group()}</p>" if tag else format_html('<p><img src="{}" alt=""></p>', url)
        return body


def _words(html):
    """The words of an HTML text, to tell whether it was edited (the editor rewrites the markup, not the words)."""
    return unescape(strip_tags(html or "")).split()
