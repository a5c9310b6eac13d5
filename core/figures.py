"""A figure never saves without its picture (issue 19).

The editor (static/js/editor-figures.js) removes a figure whole when an edit would lose its
picture, but a body can still come in broken: an older browser tab, a forged request, a paste
of HTML whose <img> has no usable address (the sanitizer drops a `javascript:` src, leaving
`<img>`). The admin forms of articles and pages refuse such a body with `refuse_lost_pictures`,
naming each figure by its caption, instead of saving a figure readers would see empty.

Works on sanitized HTML (what the form field's `clean()` returns).
"""

from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .html import END, START, TEXT, attributes, tokens
from .sanitizer import plain_text


def _has_address(attrs):
    return bool(attrs.get("src", "").strip())


def lost_pictures(html):
    """The pictures `html` lost: one entry per figure without an <img src> (its caption's text, maybe ''),
    and per <img> outside a figure that has no address (None)."""
    lost = []
    figure = None  # the open figure: {"text": [...], "image": bool}
    html = html or ""
    for token in tokens(html):
        if token.kind == TEXT:
            if figure is not None:
                figure["text"].append(html[token.start : token.end])
        elif token.kind == START and token.name == "img":
            has_address = _has_address(attributes(token))
            if figure is not None:
                figure["image"] = figure["image"] or has_address
            elif not has_address:
                lost.append(None)
        elif token.kind == START and token.name == "figure":
            if figure is not None and not figure["image"]:  # a figure left open: judged where the next starts
                lost.append(plain_text("".join(figure["text"])))
            figure = {"text": [], "image": False}
        elif token.kind == END and token.name == "figure" and figure is not None:
            if not figure["image"]:
                lost.append(plain_text("".join(figure["text"])))
            figure = None
    if figure is not None and not figure["image"]:
        lost.append(plain_text("".join(figure["text"])))
    return lost


def lost_pictures_message(lost):
    """The refusal shown above the body for `lost` (from `lost_pictures`)."""
    described = [
        _("a picture with no address")
        if caption is None
        else (f"“{Truncator(caption).chars(60)}”" if caption else _("one without a caption"))
        for caption in lost
    ]
    return ngettext(
        "Not saved: a figure has lost its picture (%(figures)s). Choose its picture again with the image "
        "button, or delete the figure.",
        "Not saved: %(count)d figures have lost their picture (%(figures)s). Choose their pictures again "
        "with the image button, or delete those figures.",
        len(lost),
    ) % {"count": len(lost), "figures": ", ".join(described)}


def refuse_lost_pictures(html):
    """Return `html`, or raise the form's ValidationError when a figure in it has no picture."""
    lost = lost_pictures(html)
    if lost:
        raise forms.ValidationError(lost_pictures_message(lost), code="figure_without_picture")
    return html
