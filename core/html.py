"""The site's one HTML walker: a small tokenizer for stored and received HTML.

It follows the HTML5 tokenizer's rules where they matter to the scanners built on it
(quoted attribute values, comments, raw text elements such as <script>, a tag left open
at the end is no tag) and runs in linear time: html.parser is quadratic on unclosed tags.
It builds no tree: a scanner that needs nesting keeps its own stack of names (see
`VOID_ELEMENTS`).

    for token in tokens(html):
        if token.kind == START and token.name == "a":
            href = attributes(token).get("href", "")
            raw = html[token.start : token.end]  # the start tag as written

Offsets index into the string given, so a scanner can rewrite exactly the tag it found
and leave the rest of the source untouched. Imports nothing of ours.
"""

import re
from html import unescape
from typing import NamedTuple

TEXT = "text"
START = "start"
END = "end"
COMMENT = "comment"  # also doctypes, <?...> and other bogus comments such as "</ x>"

# Their content is text up to their own end tag, whatever it looks like.
RAW_TEXT_ELEMENTS = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"}
)
# Elements that never have content or an end tag.
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source", "track"}
    | {"wbr"}
)


class Token(NamedTuple):
    """One token: `source[start:end]` is its text as written.

    `name` (lowercased) is set for start and end tags; `raw_attrs` is a start tag's text
    between its name and its ">" (parse it with `attributes`).
    """

    kind: str  # TEXT, START, END or COMMENT
    start: int
    end: int
    name: str = ""
    raw_attrs: str = ""

    @property
    def self_closing(self) -> bool:
        """A start tag written "<name .../>" (which HTML ignores except on foreign elements).

        Not "<a href=x/>": a slash inside an unquoted value is the value's (href="x/"), as
        in the HTML5 tokenizer; after a name, a quoted value or a space it closes the tag.
        """
        if not self.raw_attrs.endswith("/"):
            return False
        # Names and quoted values never end in "/": only an unquoted value can take it.
        attributes_end = max((match.end() for match in _ATTRIBUTE_PARTS.finditer(self.raw_attrs)), default=0)
        return attributes_end < len(self.raw_attrs)


_WS = r"[\t\n\f\r ]"
_VALUE = r""""[^"]*+(?:"|\Z)|'[^']*+(?:'|\Z)|[^\t\n\f\r >"'][^\t\n\f\r >]*+"""
_ATTRIBUTE = rf"[^\t\n\f\r />][^\t\n\f\r /=>]*+(?:{_WS}*+={_WS}*+(?:{_VALUE}))?"
_ATTRIBUTES = rf"(?:[\t\n\f\r /]++|{_ATTRIBUTE})*+"
# Possessive quantifiers everywhere: no backtracking, so a tag that never ends costs one scan.
_MARKUP = re.compile(
    r"(?P<text>(?:[^<]++|<(?![A-Za-z/!?]))++)"
    rf"|<(?P<start>[A-Za-z][^\t\n\f\r />]*+)(?P<attrs>{_ATTRIBUTES})>"
    rf"|</(?P<end>[A-Za-z][^\t\n\f\r />]*+){_ATTRIBUTES}>"
    r"|(?P<comment><!--(?:>|->|.*?(?:--!?>|\Z))|<[!?][^>]*+(?:>|\Z)|</(?![A-Za-z])[^>]*+(?:>|\Z))"
    r"|<",
    re.DOTALL,
)
_ATTRIBUTE_PARTS = re.compile(
    r"(?P<name>[^\t\n\f\r />][^\t\n\f\r /=>]*+)"
    rf"""(?:{_WS}*+={_WS}*+(?:"(?P<dq>[^"]*+)(?:"|\Z)|'(?P<sq>[^']*+)(?:'|\Z)"""
    r"""|(?P<uq>[^\t\n\f\r >"'][^\t\n\f\r >]*+)))?"""
)
_RAW_TEXT_END = {name: re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE) for name in RAW_TEXT_ELEMENTS}


def tokens(source: str):
    """The tokens of `source` in document order, covering it without gaps or overlaps.

    Text is one token up to the next tag or comment: a stray "<" that starts no tag is
    text. The content of a raw text element (<script>, <style>, <title>...) is one text
    token up to its end tag; after <plaintext> everything is text. A tag still open at
    the end of `source` yields nothing, as browsers drop it, so the tokens may stop short
    of `len(source)`.
    """
    length, pos, text_start = len(source), 0, None
    while pos < length:
        match = _MARKUP.match(source, pos)
        kind = match.lastgroup
        if kind == "text" or kind is None:
            if kind is None and (source[pos + 1 : pos + 2].isalpha() or source[pos + 1 : pos + 3].startswith("/")):
                break  # a tag open at the end of the file is no tag: browsers drop it
            if text_start is None:
                text_start = pos
            pos = match.end()
            continue
        if text_start is not None:
            yield Token(TEXT, text_start, pos)
            text_start = None
        end = match.end()
        if kind == "attrs":
            name = match.group("start").lower()
            yield Token(START, pos, end, name, match.group("attrs"))
            pos = end
            if name in _RAW_TEXT_END:
                closing = _RAW_TEXT_END[name].search(source, pos)
                stop = closing.start() if closing else length
                if stop > pos:
                    yield Token(TEXT, pos, stop)
                pos = stop
            elif name == "plaintext":
                if pos < length:
                    yield Token(TEXT, pos, length)
                return
            continue
        if kind == "end":
            yield Token(END, pos, end, match.group("end").lower())
        else:
            yield Token(COMMENT, pos, end)
        pos = end
    if text_start is not None:
        yield Token(TEXT, text_start, pos)


def attributes(token: Token) -> dict:
    """{lowercased name: value} of a start tag's attributes (an empty dict for other tokens).

    The first of duplicated attributes wins, as in browsers; an attribute without a
    value has "". Character references in values are decoded (as `html.unescape` does).
    """
    attrs = {}
    for match in _ATTRIBUTE_PARTS.finditer(token.raw_attrs):
        name = match.group("name").lower()
        if name not in attrs:
            value = match.group("dq")
            if value is None:
                value = match.group("sq")
            if value is None:
                value = match.group("uq")
            attrs[name] = unescape(value) if value else ""
    return attrs


def start_tags(source: str, *names: str):
    """The start tag tokens of `source` named one of `names` (all start tags without names), in order."""
    wanted = frozenset(name.lower() for name in names)
    for token in tokens(source):
        if token.kind == START and (not wanted or token.name in wanted):
            yield token


def attribute_spans(token: Token):
    """(lowercased name, start, end) of each attribute of a start tag, in order, duplicates included.

    `source[start:end]` is the attribute as written, its value included; the offsets index
    the source, as the token's do, so a scanner can rewrite one attribute in place.
    """
    offset = token.end - 1 - len(token.raw_attrs)  # the attributes end just before the tag's ">"
    for match in _ATTRIBUTE_PARTS.finditer(token.raw_attrs):
        yield match.group("name").lower(), offset + match.start(), offset + match.end()
