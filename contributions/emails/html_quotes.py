"""HTML: quoted replies, signatures and Outlook's copy of the original cut off; visible text; cid: images.

Walked with core.html's tokenizer, which runs in linear time (html.parser is quadratic on unclosed tags).
"""

import html as html_lib
import re
from typing import NamedTuple
from urllib.parse import unquote

from core.html import VOID_ELEMENTS, attributes, tokens

from .mime import cid_key
from .plain_quotes import FOOTER

_QUOTE_CLASSES = frozenset(
    {
        "gmail_quote",
        "gmail_quote_container",
        "gmail_attr",
        "gmail_signature",
        "moz-cite-prefix",
        "moz-signature",
        "yahoo_quoted",
        "protonmail_quote",
    }
)
_QUOTE_IDS = frozenset({"ms-outlook-mobile-signature"})
_CUT_IDS = frozenset({"appendonsend", "divrplyfwdmsg"})  # Outlook: the original message follows, to the end
_CUT_CLASSES = frozenset({"outlookmessageheader"})
# Outlook on Windows and Mac: the reply header sits in a div with this top border and no class at all.
_OUTLOOK_BORDER = re.compile(r"border-top:\s*solid\s+#(?:e1e1e1|b5c4df)", re.IGNORECASE)
_HEAD_TAGS = frozenset({"meta", "link", "title", "style", "script", "base", "noscript", "template"})
# Their content is not text a reader sees (the sanitizer drops it too).
_NO_TEXT = frozenset({"script", "style", "template", "noscript", "iframe", "object", "svg", "math", "title", "head"})
_INLINE = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins", "kbd"}
    | {"label", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var"}
)


def _marker(token) -> str | None:
    """What the tag starts: "remove" (a quoted part or signature), "cut" (Outlook's copy of the original)."""
    attrs = attributes(token)
    classes = {name.lower() for name in attrs.get("class", "").split()}
    element_id = attrs.get("id", "").strip().lower()
    if element_id in _CUT_IDS or classes & _CUT_CLASSES:
        return "cut"
    if token.name == "div" and _OUTLOOK_BORDER.search(attrs.get("style", "")):
        return "cut"
    if token.name == "blockquote" and attrs.get("type", "").strip().lower() == "cite":
        return "remove"
    if classes & _QUOTE_CLASSES or element_id in _QUOTE_IDS:
        return "remove"
    return None


def _img_cid(token) -> str | None:
    src = attributes(token).get("src", "").strip()
    if src[:4].lower() != "cid:":
        return None
    return unquote(src[4:]).strip().strip("<>") or None


def trim_html(source: str) -> tuple[str, set, bool]:
    """`source` without <head>, <title>, quoted replies, signatures and Outlook's copy of the original.

    Returns it with the cid: references of the untrimmed HTML, and whether any text is left.
    """
    removals = []
    cids = set()
    active = None  # [tag name, depth, start] of the element being removed
    head_start = None
    cut = None
    seen_text = False
    no_text_depth = 0
    for token in tokens(source):
        if token.kind == "start" and token.name == "img":
            cid = _img_cid(token)
            if cid:
                cids.add(cid)
        if cut is not None:
            continue  # only the images still matter
        if active is not None:
            if token.name == active[0] and token.kind == "start" and token.name not in VOID_ELEMENTS:
                active[1] += 1
            elif token.name == active[0] and token.kind == "end":
                active[1] -= 1
                if active[1] == 0:
                    removals.append((active[2], token.end, "\n"))
                    active = None
            continue
        if head_start is not None:
            if token.kind == "end" and token.name == "head":
                removals.append((head_start, token.end))
                head_start = None
                continue
            ends_head = (token.kind == "start" and token.name not in _HEAD_TAGS) or (
                token.kind == "text" and no_text_depth == 0 and source[token.start : token.end].strip()
            )
            if not ends_head:
                if token.kind == "start" and token.name in _NO_TEXT and token.name not in VOID_ELEMENTS:
                    no_text_depth += 1
                elif token.kind == "end" and token.name in _NO_TEXT:
                    no_text_depth = max(0, no_text_depth - 1)
                continue
            removals.append((head_start, token.start))  # the body started without </head>
            head_start = None
            no_text_depth = 0
        if token.kind == "comment" or token.name in ("html", "body"):
            removals.append((token.start, token.end))  # wrappers, doctype and comments: nothing for a reader
            continue
        if token.kind == "start":
            if token.name == "head":
                head_start = token.start
                continue
            marker = _marker(token)
            if marker == "cut" and seen_text:
                cut = token.start
                continue
            if marker == "remove" or token.name == "title":
                if token.name in VOID_ELEMENTS:
                    removals.append((token.start, token.end, "\n"))
                else:
                    active = [token.name, 1, token.start]
                continue
            if token.name in _NO_TEXT and token.name not in VOID_ELEMENTS:
                no_text_depth += 1
        elif token.kind == "end":
            if token.name in _NO_TEXT:
                no_text_depth = max(0, no_text_depth - 1)
        elif token.kind == "text" and no_text_depth == 0:
            text = html_lib.unescape(source[token.start : token.end]).strip()
            if text:
                if FOOTER.fullmatch(text):
                    removals.append((token.start, token.end, "\n"))
                else:
                    seen_text = True
    end = len(source)
    if active is not None:
        removals.append((active[2], end))
    if head_start is not None:
        removals.append((head_start, end))
    if cut is not None:
        removals.append((cut, end))
    return _splice(source, removals).strip(), cids, seen_text


def _splice(source, removals) -> str:
    """`source` without the (start, end[, replacement]) ranges; a removed block leaves a line break, so the
    words around it stay apart. Never joins a "<" left before a cut to what follows it."""
    out, pos = [], 0
    for start, end, *replacement in sorted(removals):
        if start >= pos:
            piece = source[pos:start]
            out.append(piece[:-1] + "&lt;" if piece.endswith("<") else piece)
            out.extend(replacement)
        pos = max(pos, end)
    out.append(source[pos:])
    return "".join(out)


class _Scan(NamedTuple):
    html: str
    text: str
    cids: set  # cid: references found
    missing: set  # cid: references with no image (their <img> was removed)


def scan_html(source: str, *, cid_map: dict | None = None) -> _Scan:
    """The visible text and cid: references of `source`; with `cid_map`, also `source` with each <img> of a
    cid: source rebuilt to point at the mapped content id (or removed when there is none)."""
    parts, out, pos = [], [], 0
    cids, missing = set(), set()
    no_text_depth = 0
    for token in tokens(source):
        if token.kind == "text":
            if no_text_depth == 0:
                parts.append(source[token.start : token.end])
            continue
        if token.kind == "comment":
            continue
        if token.name in _NO_TEXT:
            if token.kind == "start" and token.name not in VOID_ELEMENTS and not token.self_closing:
                no_text_depth += 1
            elif token.kind == "end":
                no_text_depth = max(0, no_text_depth - 1)
        elif token.name not in _INLINE:
            parts.append(" ")
        if token.kind != "start" or token.name != "img":
            continue
        cid = _img_cid(token)
        if not cid:
            continue
        cids.add(cid)
        if cid_map is None:
            continue
        target = cid_map.get(cid) or cid_map.get(cid_key(cid))
        piece = source[pos : token.start]
        if target:
            out.append(piece)
            out.append(_img_tag(target, attributes(token)))
        else:
            missing.add(cid)
            out.append(piece[:-1] + "&lt;" if piece.endswith("<") else piece)
        pos = token.end
    text = html_lib.unescape("".join(parts))
    if cid_map is None:
        return _Scan(source, text, cids, missing)
    out.append(source[pos:])
    return _Scan("".join(out), text, cids, missing)


def _img_tag(content_id, attrs) -> str:
    """A new <img> for a cid: image, with the few harmless attributes of the original, all escaped."""
    tag = [f'<img src="cid:{html_lib.escape(content_id)}"']
    for name in ("alt", "title", "width", "height"):
        if name in attrs:
            value = attrs[name][:300]
            tag.append(f' {name}="{html_lib.escape(value)}"')
    return "".join(tag) + ">"
