"""The body: the HTML of the best `multipart/alternative`, or text/plain turned into paragraphs."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .headers import fix_text
from .html_quotes import trim_html
from .limits import MAX_DEPTH, MAX_TEXT_CHARS
from .mime import content_id, decode_text, filename, is_attachment, iter_parts, param, payload_bytes, subparts, type_of
from .plain_quotes import plain_to_html, trim_plain, unflow

_PLAIN_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown"})


@dataclass
class Body:
    html: str = ""
    has_text: bool = False
    consumed: set = field(default_factory=set)  # id() of parts dealt with: no attachment note for them
    notes: list = field(default_factory=list)
    cids: set = field(default_factory=set)  # cid: references in the HTML before trimming
    too_deep: bool = False  # some parts were nested deeper than MAX_DEPTH and not read

    def add(self, other):
        if other.html:
            self.html = f"{self.html}\n{other.html}" if self.html else other.html
        self.has_text = self.has_text or other.has_text
        self.too_deep = self.too_deep or other.too_deep
        self.consumed |= other.consumed
        self.notes.extend(other.notes)
        self.cids |= other.cids


def _subtree(part) -> set:
    return {id(p) for p in iter_parts(part)}


def _kind(part) -> str | None:
    """The best body this part (or its subtree) can give: "html", "plain" or None."""
    kinds = set()
    for sub in iter_parts(part):
        ctype = type_of(sub)
        if ctype == "text/html" and not is_attachment(sub):
            return "html"
        if ctype in _PLAIN_TYPES and not is_attachment(sub):
            kinds.add("plain")
    return "plain" if kinds else None


def render(part, depth, *, top=False) -> Body | None:
    """The body this part gives (None: none), and which parts it used."""
    if depth > MAX_DEPTH:
        # Never read, and no note per attachment in there: one note says why.
        note = _("Parts of the message are nested more than %(max)s deep: they were not read.") % {"max": MAX_DEPTH}
        return Body(consumed=_subtree(part), notes=[note], too_deep=True)
    ctype = type_of(part)
    if ctype.startswith("multipart/"):
        children = subparts(part)
        if not children:
            try:
                broken = not part.is_multipart()
            except Exception:
                broken = False
            # A boundary that never comes: the raw text is all there is.
            return _text_part(part, "text/plain") if broken else None
        if ctype == "multipart/alternative":
            return _alternative(children, depth)
        if ctype == "multipart/related":
            return _related(part, children, depth)
        if ctype == "multipart/signed":
            return render(children[0], depth + 1)
        if ctype == "multipart/encrypted":
            return Body(consumed=_subtree(part), notes=[_("The message is encrypted: it cannot be read.")])
        body = Body()
        for child in children:
            if type_of(child).startswith("text/") and is_attachment(child):
                continue  # an attached file, not the text
            rendered = render(child, depth + 1)
            if rendered is not None:
                body.add(rendered)
        return body
    if ctype == "text/html" or ctype in _PLAIN_TYPES:
        if is_attachment(part) and not top:
            return None
        return _text_part(part, ctype)
    return None


def _alternative(children, depth):
    kinds = [(child, _kind(child)) for child in children]
    order = [child for child, kind in reversed(kinds) if kind == "html"]
    order += [child for child, kind in reversed(kinds) if kind == "plain"]
    chosen = chosen_part = None
    for child in order:
        rendered = render(child, depth + 1)
        if rendered is None:
            continue
        if chosen is None or rendered.has_text:
            chosen, chosen_part = rendered, child
        if rendered.has_text:
            break
    body = chosen or Body()
    for child in children:  # the versions not chosen are left out silently
        if child is not chosen_part:
            body.consumed |= _subtree(child)
    return body


def _related(part, children, depth):
    start = param(part, "start").strip("<>")
    root = next((child for child in children if start and content_id(child) == start), children[0])
    body = render(root, depth + 1) or Body()
    for child in children:
        if child is root:
            continue
        ctype = type_of(child)
        if not ctype.startswith(("image/", "multipart/", "message/")) and filename(child) is None:
            body.consumed.add(id(child))  # style sheets and such, for the HTML alone
    return body


def _text_part(part, ctype):
    notes = []
    label = _("HTML text") if ctype == "text/html" else _("plain text")
    text = decode_text(payload_bytes(part), param(part, "charset"), label, notes)
    if len(text) > MAX_TEXT_CHARS:
        notes.append(
            _("The %(part)s is very long: only its first %(count)s characters were kept.")
            % {"part": label, "count": f"{MAX_TEXT_CHARS:,}"}
        )
        text = text[:MAX_TEXT_CHARS]
    text = fix_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    if ctype == "text/html":
        html, cids, has_text = trim_html(text)
    else:
        if param(part, "format").lower() == "flowed":
            text = unflow(text, delsp=param(part, "delsp").lower() == "yes")
        text = trim_plain(text)
        html, cids, has_text = plain_to_html(text), set(), bool(text.strip())
    return Body(html=html, has_text=has_text, consumed={id(part)}, notes=notes, cids=cids)
