"""Readable differences between two saved versions of an article (django-reversion).

Text fields are compared as text (the body paragraph by paragraph); pictures are compared as
pictures: the featured image as a before/after pair of thumbnails, and the body's <img>
elements as lists of pictures added, removed, or given another description (by src and alt).
"""

import difflib
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.utils.html import strip_tags
from django.utils.translation import gettext as _

# Fields worth showing an editor; bookkeeping columns are left out.
COMPARED_FIELDS = [
    "title",
    "slug",
    "author",
    "category",
    "standfirst",
    "body",
    "featured_image",
    "featured_image_alt",
    "featured_image_caption",
    "featured_image_credit",
    "status",
    "published_at",
    "is_featured",
    "meta_description",
    "canonical_url",
]
# Shown as a line-by-line diff even when short.
LONG_TEXT_FIELDS = {"body", "standfirst"}
# The pseudo-field under which the body's pictures are compared.
BODY_PICTURES = "body_pictures"


@dataclass(frozen=True)
class Picture:
    src: str
    alt: str
    old_alt: str = ""  # for a picture kept with another description: what it said before


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str
    lines: list = field(default_factory=list)  # unified-diff lines for long text, [] for short values
    # The featured image: where the before/after files are served from ("" for none), and their sizes.
    old_image: dict = field(default_factory=dict)
    new_image: dict = field(default_factory=dict)
    # The body's pictures (name == BODY_PICTURES): lists of Picture.
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    described: list = field(default_factory=list)

    @property
    def is_image(self):
        return self.name == "featured_image"

    @property
    def images(self):
        """Before and after, for the featured image's two cells."""
        return [self.old_image, self.new_image]

    @property
    def is_pictures(self):
        return self.name == BODY_PICTURES


class _ImageCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pictures = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            values = dict(attrs)
            src = (values.get("src") or "").strip()
            if src:
                self.pictures.append(Picture(src=src, alt=(values.get("alt") or "").strip()))

    handle_startendtag = handle_starttag


def body_pictures(html):
    """The <img> elements of `html`, in order, as Picture(src, alt); those without a src are skipped."""
    collector = _ImageCollector()
    collector.feed(html or "")
    collector.close()
    return collector.pictures


def compare_pictures(old_html, new_html):
    """(added, removed, described): pictures only in the new body, only in the old one, and those
    in both whose description (alt) changed, as lists of Picture. A picture is known by its src."""
    old = {picture.src: picture for picture in body_pictures(old_html)}
    new = {picture.src: picture for picture in body_pictures(new_html)}
    added = [picture for src, picture in new.items() if src not in old]
    removed = [picture for src, picture in old.items() if src not in new]
    described = [
        Picture(src=src, alt=picture.alt, old_alt=old[src].alt)
        for src, picture in new.items()
        if src in old and old[src].alt != picture.alt
    ]
    return added, removed, described


def _as_text(field, value):
    if value is None:
        return ""
    if field.name == "body":
        # Compare the text paragraph by paragraph rather than one long line of markup.
        return "\n".join(line.strip() for line in strip_tags(value.replace("</", "\n</")).splitlines() if line.strip())
    if field.is_relation:
        related = field.related_model.objects.filter(pk=value).first()
        return str(related) if related else f"#{value} (deleted)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _image(field, name, data):
    """The featured image as the template shows it: its address and size, or {} for none."""
    if not name:
        return {}
    return {
        "url": field.storage.url(str(name)),
        "name": str(name),
        "width": data.get("featured_image_width"),
        "height": data.get("featured_image_height"),
    }


def _value(data, field):
    return data.get(field.attname, data.get(field.name))


def diff_versions(model, old_version, new_version):
    """Return a list of FieldChange for the fields that differ between two versions.

    `old_version` may be None (the first version), which compares against empty values. The
    body's pictures, when any were added, removed or described anew, follow the body's text.
    """
    old_data = old_version.field_dict if old_version else {}
    new_data = new_version.field_dict
    changes = []
    for name in COMPARED_FIELDS:
        field_ = model._meta.get_field(name)
        old = _as_text(field_, _value(old_data, field_))
        new = _as_text(field_, _value(new_data, field_))
        if old != new:
            changes.append(_change(field_, old, new, old_data, new_data))
        if name == "body":
            changes.extend(_body_pictures_change(_value(old_data, field_), _value(new_data, field_)))
    return changes


def _change(field_, old, new, old_data, new_data):
    change = FieldChange(name=field_.name, label=str(field_.verbose_name), old=old, new=new)
    if field_.name == "featured_image":
        change.old_image = _image(field_, old, old_data)
        change.new_image = _image(field_, new, new_data)
    elif field_.name in LONG_TEXT_FIELDS or "\n" in old or "\n" in new or len(old) > 120 or len(new) > 120:
        change.lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1))[2:]
    return change


def _body_pictures_change(old_html, new_html):
    added, removed, described = compare_pictures(old_html or "", new_html or "")
    if not (added or removed or described):
        return []
    return [
        FieldChange(
            name=BODY_PICTURES,
            label=_("pictures in the body"),
            old="",
            new="",
            added=added,
            removed=removed,
            described=described,
        )
    ]
