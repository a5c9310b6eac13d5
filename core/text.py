"""Plain text: what a text field stores is text, never markup.

Titles, names, bios, suggested tags, email subjects, complaint fields and comment names go
through here where they enter (core.fields does it on every save), so no later template,
feed, email or API can ever render a tag from them, whether or not it escapes its output.
HTML bodies have their own path: core.sanitizer.
"""

import re
from html import unescape
from html.parser import HTMLParser

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


class _TextOnly(HTMLParser):
    """Keeps character data, drops tags, comments, declarations and processing instructions.

    Only complete tags go ("a < b" and "x<y" are text, as Django's strip_tags has it), and
    character references are kept as written: unescaping is a separate step."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_entityref(self, name):
        self.parts.append(f"&{name};")

    def handle_charref(self, name):
        self.parts.append(f"&#{name};")


def _strip_once(value):
    parser = _TextOnly()
    parser.feed(value)
    parser.close()
    return "".join(parser.parts)


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
    if "<" not in text or _strip_once(text) == text:
        return None
    match = re.search(r"<[^<>]*>?", text[text.index("<") :])
    return (match.group() if match else "<")[:40]
