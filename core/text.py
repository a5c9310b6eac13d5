"""Plain text: what a text field stores is text, never markup.

Titles, names, bios, suggested tags, email subjects, complaint fields and comment names go
through here where they enter (core.fields does it on every save), so no later template,
feed, email or API can ever render a tag from them, whether or not it escapes its output.
HTML bodies have their own path: core.sanitizer.
"""

import re
from html import unescape

from .html import COMMENT, TEXT, tokens

# After stripping, a "<" followed by one of these could still open a tag, a comment or a
# declaration in an HTML consumer that does not escape ("x<y", "hello <script" at the end).
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")
# Only complete character references, with their semicolon: "&amp;" is "&", "?a=1&copy=2" stays.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# C0 and C1 controls (PostgreSQL refuses NUL), and the bidirectional embeddings, overrides and
# isolates that make a name display as something else ("\u202egnp.exe"). Tab and newline are
# handled by the callers; zero-width joiners stay (Persian, Indic scripts and emoji need them).
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
_ROUNDS = 4


def _markup(value):
    """(start, end) of each complete tag, comment, declaration and "<?...>" of `value`, in order.

    Read with core/html.py's tokens; only complete ones count: "a < b" and "x<y" are text, as
    Django's strip_tags has it, and so are a tag left open at the end ("hello <script") and a
    comment never closed ("<!-- x"). What follows such a "<!--" is read on as if it were text
    (no comment after it can close either), so "<!-- <b>x" still has its tag.
    """
    for token in tokens(value):
        if token.kind == TEXT:
            continue
        if token.kind == COMMENT and token.end == len(value) and not _closed(value[token.start :]):
            if value.startswith("<!--", token.start):
                # Every "<!--" after it is unclosed too: each is masked as text (same length, so
                # the offsets still hold) and the markup between them read in one more pass.
                offset = token.start + 4
                masked = value[offset:].replace("<!--", "\0!--")
                yield from ((offset + start, offset + end) for start, end in _markup(masked))
            return  # after "<!x", "<?x" or "</ x" without a ">", nothing can be markup
        yield token.start, token.end


def _closed(comment):
    """Whether a comment, declaration or "<?...>" that runs to the end of the value has its end."""
    return comment.endswith(("-->", "--!>")) if comment.startswith("<!--") else comment.endswith(">")


def _strip_once(value):
    """`value` without its markup (see `_markup`), the rest as written (character references too)."""
    parts, position = [], 0
    for start, end in _markup(value):
        parts.append(value[position:start])
        position = end
    parts.append(value[position:])
    return "".join(parts)


def _unescape_complete(value):
    return _ENTITY.sub(lambda match: unescape(match.group()), value)


def strip_markup(value) -> str:
    """`value` with every tag, comment and declaration removed and entities decoded.

    Repeats until nothing changes (a decoded "&lt;b&gt;" is a tag again), at most a few rounds;
    whatever could still open a tag after that gets a space ("< y"), so the result never does.
    """
    text = "" if value is None else str(value)
    for _ in range(_ROUNDS):
        if "<" not in text and "&" not in text:
            break
        stripped = _unescape_complete(_strip_once(text)) if "<" in text else _unescape_complete(text)
        if stripped == text:
            break
        text = stripped
    return _TAG_OPEN.sub("< ", _INVISIBLE.sub("", text))


def plain_line(value) -> str:
    """One line of text (a title, a name, a tag, a subject): no markup, whitespace runs as one space."""
    return " ".join(strip_markup(value).split())


def plain_paragraphs(value) -> str:
    """Text that may run over several lines (a bio, a statement): no markup, line breaks kept,
    spaces at the ends of lines and more than one blank line dropped."""
    text = strip_markup(str(value or "").replace("\r\n", "\n").replace("\r", "\n"))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def first_tag(value):
    """The first tag, comment or declaration in `value` ("<b>", "<!-- x -->"), or None."""
    text = "" if value is None else str(value)
    if "<" in text:
        for start, end in _markup(text):
            return text[start:end][:40]
    return None
