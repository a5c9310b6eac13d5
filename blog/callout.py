"""The guest-post call-out: where it goes in an article body, and the address it shows.

The call-out sits after the nth top-level paragraph of the (sanitized) body:
paragraphs inside blockquotes, list items, figures or tables do not count, nor do
empty ones. It needs text on both sides: when the body has fewer than n such
paragraphs, or nothing after the nth, there is no call-out, so that a short
article never ends on an invitation followed by "Continue reading below".
"""

import base64
from html.parser import HTMLParser

# Elements that never have content or an end tag.
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
}  # fmt: skip


class _ParagraphEnds(HTMLParser):
    """Records where each non-empty top-level </p> ends, as (line, column) after the tag."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.ends = []
        self.has_content = False

    def handle_starttag(self, tag, attrs):
        if tag in VOID_ELEMENTS:
            if tag != "br" and self.stack and self.stack[0] == "p":
                self.has_content = True  # an image is content; a line break alone is not
            return
        if not self.stack and tag == "p":
            self.has_content = False
        self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self.stack and self.stack[-1] == tag:
            self.stack.pop()  # "<span/>": nothing inside it

    def handle_endtag(self, tag):
        if tag not in self.stack:
            return  # a stray end tag changes nothing
        while self.stack.pop() != tag:
            pass
        if tag == "p" and not self.stack and self.has_content:
            self.ends.append(self.getpos())

    def handle_data(self, data):
        if self.stack and self.stack[0] == "p" and data.strip():
            self.has_content = True


def split_after_paragraph(html, n):
    """Return (before, after): `html` split just after its nth top-level paragraph.

    `after` is '' when there is no call-out to place: n < 1, fewer than n
    top-level paragraphs, or nothing but whitespace after the nth. `before` is
    then the whole of `html`.
    """
    html = html or ""
    if n < 1:
        return html, ""
    parser = _ParagraphEnds()
    parser.feed(html)
    parser.close()
    if len(parser.ends) < n:
        return html, ""
    line, column = parser.ends[n - 1]
    line_start = 0
    for _line in range(line - 1):
        line_start = html.index("\n", line_start) + 1
    split = html.index(">", line_start + column) + 1  # getpos() is the start of "</p>"
    before, after = html[:split], html[split:]
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
