"""The one HTML sanitizer: every piece of rich text passes through `sanitize_html`.

It allows what the editor can produce (paragraphs, headings, lists, links,
blockquotes, figures with images, tables, a few inline marks) and strips
everything else, including scripts, styles, event handlers and `javascript:`
URLs. Article bodies, pages and (later) contributions all use it, so what an
editor sees in the admin is exactly what a reader gets.
"""

import re
from html import unescape

import nh3
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.functional import lazy

from .html import TEXT, tokens

ALLOWED_TAGS = {
    "p", "br", "hr",
    "h2", "h3", "h4",
    "strong", "em", "s", "sub", "sup", "code", "pre",
    "ul", "ol", "li",
    "a",
    "blockquote",
    "figure", "figcaption", "img",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}

URL_SCHEMES = {"http", "https", "mailto"}

_STRIPPED_BLOCK_END = re.compile(
    r"</(?:div|section|article|header|footer|aside|main|nav|address|dl|dt|dd|form|fieldset|details|summary)\s*>",
    re.IGNORECASE,
)

# Whitespace and byte order marks at either end. nh3 drops a U+FEFF that starts its input, so one left
# at the start of the output would go on a second pass: sanitizing would not be idempotent.
_EDGE_SPACE = re.compile(r"^[\s\ufeff]+|[\s\ufeff]+$")


def _cleaner(link_rel):
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        # "*": nothing on every tag; without it nh3 keeps ammonia's default generic attributes (lang, title).
        attributes={**ALLOWED_ATTRIBUTES, "*": set()},
        url_schemes=URL_SCHEMES,
        link_rel=link_rel,
        strip_comments=True,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"},
    )


_editorial = _cleaner("noopener noreferrer")
# Text from readers and contributors that no editor has vouched for yet: search
# engines are told the links are user-generated (rel="ugc") and not endorsed.
_user_generated = _cleaner("ugc nofollow noopener noreferrer")

_MAX_ROUNDS = 4
_H1 = re.compile(r"<(/?)h1(?=[\s/>])", re.IGNORECASE)


def _clean(cleaner, html):
    cleaned = cleaner.clean(html)
    # "&#13;" comes out as a bare CR, which any HTML parser reads as LF (and the next pass would change).
    return _EDGE_SPACE.sub("", cleaned.replace("\r\n", "\n").replace("\r", "\n"))


def sanitize_html(html: str | None, *, ugc: bool = False) -> str:
    """Return `html` reduced to the allowed tags and attributes ('' for empty input).

    `ugc=True` marks every link rel="ugc nofollow" (contributed text not yet
    accepted). Idempotent: sanitizing sanitized HTML changes nothing. An h1 in a
    body becomes an h2 (the page's title is its only h1).
    """
    if not html:
        return ""
    html = _H1.sub(r"<\1h2", html)
    # Block elements that are stripped must still separate words: "<div>One</div><div>two</div>".
    html = _STRIPPED_BLOCK_END.sub(lambda m: m.group(0) + "\n", html)
    cleaner = _user_generated if ugc else _editorial
    cleaned = _clean(cleaner, html)
    # A stripped tag can leave markup that parses into another tree: "<h2><x><h2></h2></x></h2>" loses
    # the <x>, and a parser then splits the nested headings. Clean again until nothing changes.
    for _round in range(_MAX_ROUNDS):
        again = _clean(cleaner, cleaned)
        if again == cleaned:
            break
        cleaned = again
    # ProseMirror always leaves one empty paragraph behind in an empty editor.
    if cleaned in {"<p></p>", "<p><br></p>"}:
        return ""
    return cleaned


# The editor's extensions, matched to ALLOWED_TAGS so that what the toolbar
# offers is exactly what the sanitizer keeps.
PROSE_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Code": True,
    "CodeBlock": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    # Figure, Image and Caption are static/js/editor-figures.js's (DJANGO_PROSE_EDITOR_EXTENSIONS):
    # pictures come from the image library or are uploaded on the spot, always with alt text.
    "Figure": True,
    "Image": True,
    "Caption": True,
    # Its addresses reach the script in the widget's data attribute (the CSP allows no inline script).
    "FigureLibrary": {
        "chooseUrl": reverse_lazy("admin:library_image_choose"),
        "uploadUrl": reverse_lazy("admin:library_image_upload"),
        "cssUrl": lazy(static, str)("css/editor-figures.css"),
    },
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "History": True,
}


# Tags that separate words; inline ones (<strong>, <a>, …) do not: "<strong>lots</strong>." is "lots.".
_BREAKING_TAGS = frozenset(
    {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "figure", "figcaption",
     "img", "pre", "table", "thead", "tbody", "tr", "th", "td"}
)  # fmt: skip


def plain_text(html: str | None) -> str:
    """The text of sanitized HTML: blocks do not run together, inline tags go, entities are decoded."""
    html = html or ""
    pieces = []
    for token in tokens(html):
        if token.kind == TEXT:
            pieces.append(html[token.start : token.end])
        elif token.name in _BREAKING_TAGS:
            pieces.append(" ")
    return " ".join(unescape("".join(pieces)).split())
