"""The guest-post call-out: where it goes in an article body, and the address it shows.

The call-out sits after the nth top-level paragraph of the (sanitized) body:
paragraphs inside blockquotes, list items, figures or tables do not count, nor do
empty ones. It needs text on both sides: when the body has fewer than n such
paragraphs, or nothing after the nth, there is no call-out, so that a short
article never ends on an invitation followed by "Continue reading below".
"""

import base64
from html import unescape

from core.html import END, START, TEXT, VOID_ELEMENTS, tokens


def _paragraph_ends(html):
    """The offset just after each non-empty top-level </p> of `html` (core/html.py's tokens)."""
    stack, ends, has_content = [], [], False
    for token in tokens(html):
        tag = token.name
        if token.kind == START:
            if tag in VOID_ELEMENTS:
                if tag != "br" and stack and stack[0] == "p":
                    has_content = True  # an image is content; a line break alone is not
                continue
            if not stack and tag == "p":
                has_content = False
            if not token.self_closing:  # "<span/>": nothing inside it; "<a href=/x/>" is open
                stack.append(tag)
        elif token.kind == END:
            if tag not in stack:
                continue  # a stray end tag changes nothing
            while stack.pop() != tag:
                pass
            if tag == "p" and not stack and has_content:
                ends.append(token.end)
        elif token.kind == TEXT and stack and stack[0] == "p" and unescape(html[token.start : token.end]).strip():
            has_content = True
    return ends


def split_after_paragraph(html, n):
    """Return (before, after): `html` split just after its nth top-level paragraph.

    `after` is '' when there is no call-out to place: n < 1, fewer than n
    top-level paragraphs, or nothing but whitespace after the nth. `before` is
    then the whole of `html`.
    """
    html = html or ""
    if n < 1:
        return html, ""
    ends = _paragraph_ends(html)
    if len(ends) < n:
        return html, ""
    before, after = html[: ends[n - 1]], html[ends[n - 1] :]
    if not after.strip():
        return html, ""
    return before, after


def encode_email(address):
    """`address` reversed and base64-encoded, for article.js to turn back into a link."""
    return base64.b64encode(address[::-1].encode()).decode("ascii")


def readable_email(address):
    """`address` as "name [at] example [dot] com": readable by people, not by simple scrapers."""
    local, _at, domain = address.rpartition("@")
    return f"{local} [at] {' [dot] '.join(domain.split('.'))}" if local else address
