"""Slugs: the readable last part of an address, made from a name in any script.

As WordPress does: Latin letters lose their accents ("Café déjà" → "cafe-deja"), other scripts
stay as they are, marks included ("日本語テスト", "επίπεδο-2", "привет", "हिन्दी-समाचार");
punctuation and symbols go, spaces and dashes become one "-". A name with no letter or digit
("&gt;", "!!!", "🔥") gives no slug: intake refuses it (NoSlug), rather than inventing one.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from .text import plain_line


class NoSlug(ValueError):
    """A name that has no letter or digit to make an address from."""

    def __init__(self, name):
        self.name = name
        super().__init__(f"{name!r} has no letter or digit to make an address from")


_DASHES = re.compile(r"-{2,}")


def _fold_latin(text):
    """Drop the accents of Latin letters only: "é" → "e", while "й" and "ά" keep theirs."""
    out, base_is_latin = [], False
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            if not base_is_latin:
                out.append(char)
            continue
        base_is_latin = char.isascii() or unicodedata.name(char, "").startswith("LATIN")
        out.append(char)
    folded = unicodedata.normalize("NFC", "".join(out))
    # Letters that are not a base plus an accent: "ß", "æ", "ø", "đ", "ł", "þ".
    return folded.translate(_LATIN_LETTERS)


_LATIN_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "þ": "th", "ð": "d"})


def slugify(name) -> str:
    """The slug of `name`, or "" when it has no letter or digit."""
    text = _fold_latin(unicodedata.normalize("NFKC", plain_line(name)).lower())
    out = []
    for char in text:
        kind = unicodedata.category(char)
        if kind[0] in "LNM" or char == "_":
            out.append(char)
        elif kind[0] == "Z" or kind == "Pd" or char in "/\\.:+":
            out.append("-")
        # Other punctuation, symbols, emoji and invisible characters are dropped.
    slug = _DASHES.sub("-", "".join(out)).strip("-_")
    return slug if is_slug(slug) else ""


def slug_or_refuse(name) -> str:
    """The slug of `name`; NoSlug when it has none."""
    slug = slugify(name)
    if not slug:
        raise NoSlug(name)
    return slug


def is_slug(value) -> bool:
    """Letters, marks and digits of any script, "_" and "-", with at least one letter or digit:
    what slugify() makes, and what the URL converter and the slug fields accept."""
    if not value or not isinstance(value, str):
        return False
    kinds = [unicodedata.category(char)[0] for char in value]
    return ("L" in kinds or "N" in kinds) and all(
        kind in "LNM" or char in "-_" for kind, char in zip(kinds, value, strict=True)
    )


@deconstructible
class SlugValidator:
    message = _("Use letters, digits, hyphens or underscores, in any script, with at least one letter or digit.")
    code = "invalid"

    def __call__(self, value):
        if not is_slug(value):
            raise ValidationError(self.message, code=self.code, params={"value": value})

    def __eq__(self, other):
        return isinstance(other, SlugValidator)


validate_slug = SlugValidator()


def validate_sluggable(value):
    """For names that will become an address (a guest post's title, a contributor's name)."""
    if value and not slugify(value):
        raise ValidationError(
            _("Use at least one letter or digit: “%(value)s” has none to make an address from."),
            code="no_slug",
            params={"value": value},
        )


def _truncate(slug, length):
    return slug[:length].rstrip("-_") or slug[:length]


def unique_slug(model, text, max_length=200, field="slug", fallback=None, exclude_pk=None):
    """A slug for `text` that no `model` row uses yet: "title", then "title-2", "title-3"…

    A `text` with no letter or digit takes `fallback`'s slug when given (an article's title of
    "???" is still an article), else raises NoSlug for the intake to report.
    """
    base = slugify(text) or (slugify(fallback) if fallback else "")
    if not base:
        raise NoSlug(text)
    base = _truncate(base, max_length - 8)
    taken = model._default_manager.filter(**{f"{field}__startswith": base})
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    taken = set(taken.values_list(field, flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
