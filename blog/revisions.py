"""Readable differences between two saved versions of an article (django-reversion)."""

import difflib
from dataclasses import dataclass

from django.utils.html import strip_tags

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


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str
    lines: list  # unified-diff lines for long text, [] for short values


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


def diff_versions(model, old_version, new_version):
    """Return a list of FieldChange for the fields that differ between two versions.

    `old_version` may be None (the first version), which compares against empty values.
    """
    old_data = old_version.field_dict if old_version else {}
    new_data = new_version.field_dict
    changes = []
    for name in COMPARED_FIELDS:
        field = model._meta.get_field(name)
        key = field.attname
        old = _as_text(field, old_data.get(key, old_data.get(name)))
        new = _as_text(field, new_data.get(key, new_data.get(name)))
        if old == new:
            continue
        lines = []
        if name in LONG_TEXT_FIELDS or "\n" in old or "\n" in new or len(old) > 120 or len(new) > 120:
            lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1))[2:]
        changes.append(FieldChange(name=name, label=str(field.verbose_name), old=old, new=new, lines=lines))
    return changes
