"""The one email parser: an RFC 5322 message (bytes) in, a guest-post submission out.

`parse_message(raw)` never crashes on what it is given: every problem is either
a `Refusal` (too large, not an email, no body) or a degraded value (U+FFFD for
what cannot be decoded) with a human note for the editors in `ParsedEmail.notes`.

What it does:

- headers are decoded whatever their charset (RFC 2047 encoded words, raw 8-bit,
  unknown or wrong charsets become U+FFFD);
- the body is the HTML of the best `multipart/alternative` (or text/plain turned
  into paragraphs), with quoted replies, signatures and mobile footers cut off;
  attached messages (message/rfc822) are never read for the body;
- images (inline `cid:` parts and image attachments) are validated and re-encoded
  by `uploads.process_image`; the first .docx is kept as bytes for the caller
  (which converts it with `uploads.docx_to_html`); other attachments are noted;
- automatic mail (auto-replies, bounces, list mail) is recognised and named in
  `auto_reason`: the caller refuses it silently and never answers it;
- SPF, DKIM and DMARC verdicts come from the topmost Authentication-Results
  header (plus further headers of the same server).

The HTML is not sanitized here: the caller swaps the `cid:` sources for stored
images and passes the result through `core.sanitizer.sanitize_html`. What this
package writes itself (paragraphs from plain text, rebuilt <img> tags) is
escaped, and cutting quoted parts out never joins text into new markup.

This module is the entry point (and reads the raw bytes for `mime_depth` and
`identity_hash`); the parts, each importing only those listed before it:

- `limits`: the MAX_* limits;
- `headers`: text and headers (decoding, addresses, message ids, dates);
- `authentication`: the Authentication-Results verdicts;
- `mime`: walking the MIME parts, their types, names, content ids and payloads;
- `automatic`: recognising auto-replies, bounces and list mail;
- `plain_quotes`: plain text without quoted replies and signatures, as paragraphs;
- `html_quotes`: HTML without quoted replies and signatures (walked with core.html);
- `body`: choosing and reading the text parts;
- `attachments`: the .docx, the images, notes for the rest.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import Message
from email.parser import BytesParser

from django.utils.translation import gettext as _

from ..uploads import human_size
from .attachments import DOCX_CONTENT_TYPE, process_images, sort_attachments
from .authentication import AUTH_METHODS, parse_authentication_results
from .automatic import classify_auto
from .body import Body, render
from .headers import (
    READABLE_HEADERS,
    addresses,
    find_message_ids,
    first_header,
    first_raw_header,
    message_date,
    raw_headers,
    readable_headers,
    return_path,
    usable_address,
)
from .html_quotes import scan_html
from .limits import (
    MAX_DEPTH,
    MAX_HEADER_CHARS,
    MAX_HEADER_VALUES,
    MAX_IMAGES,
    MAX_MESSAGE_BYTES,
    MAX_NOTES,
    MAX_PARTS,
    MAX_TEXT_CHARS,
)
from .mime import cid_key, has_broken_mime

__all__ = [
    "AUTH_METHODS",
    "DOCX_CONTENT_TYPE",
    "MAX_DEPTH",
    "MAX_HEADER_CHARS",
    "MAX_HEADER_VALUES",
    "MAX_IMAGES",
    "MAX_MESSAGE_BYTES",
    "MAX_NOTES",
    "MAX_PARTS",
    "MAX_TEXT_CHARS",
    "READABLE_HEADERS",
    "TOO_DEEP",
    "TRACE_HEADERS",
    "TRACE_HEADER_PREFIXES",
    "ParsedEmail",
    "Refusal",
    "classify_auto",
    "identity_hash",
    "mime_depth",
    "parse_authentication_results",
    "parse_message",
]


class Refusal(Exception):
    """A message that cannot become a submission. `code` for programs, `reason` for people."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code  # "too_large", "not_an_email", "no_body" ("auto" is reported in ParsedEmail.auto_reason)
        self.reason = reason


_MARKER = re.compile(r"\[#([A-Za-z0-9_-]{8})\]")
_FORWARD_PREFIX = re.compile(r"^(?:\s*fwd?\s*:)+\s*", re.IGNORECASE)
_REPLY_PREFIX = re.compile(r"^(?:\s*(?:re|fwd?|aw|wg)(?:\s*\[\d+\]|\s*\(\d+\))?\s*:)+\s*", re.IGNORECASE)


@dataclass
class ParsedEmail:
    message_id: str = ""  # "<...>" or ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    subject: str = ""  # decoded; a leading "Fwd:" removed
    from_name: str = ""
    from_address: str = ""  # lowercased
    return_path: str | None = None  # None: no header; "": "<>" (a bounce)
    date: datetime | None = None  # aware
    html: str = ""  # not sanitized; inline images as src="cid:<content id>"
    text_words: int = 0
    images: list = field(default_factory=list)  # [(content id or None, uploads.ProcessedImage)]
    image_captions: dict = field(default_factory=dict)  # {index in images: the part's Content-Description}
    docx_name: str | None = None
    docx_bytes: bytes | None = None
    notes: list[str] = field(default_factory=list)  # for the editors: what was left out, and why
    auth: dict = field(default_factory=dict)  # {"spf": "pass", "dkim": "fail", "dmarc": "none"}
    auto_reason: str = ""  # non-empty for auto-replies, bounces and list mail
    headers: dict = field(default_factory=dict)  # a readable subset, decoded
    content_hash: str = ""  # sha256 of the raw bytes
    size: int = 0

    @property
    def title(self) -> str:
        """The subject without "Re:"/"Fwd:" and our "[#xxxxxxxx]" marker, for a submission's title."""
        text = " ".join(_MARKER.sub(" ", self.subject).split())
        text = _REPLY_PREFIX.sub("", text).strip()
        return text[:200].rstrip() or "(no subject)"

    @property
    def tracking_marker(self) -> str:
        """The 8 characters of a "[#xxxxxxxx]" marker in the subject (our emails carry one), or ""."""
        match = _MARKER.search(self.subject)
        return match.group(1) if match else ""


def parse_message(raw: bytes) -> ParsedEmail:
    """Parse one raw message. Raises Refusal ("too_large", "not_an_email", "no_body"); never anything else."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    elif isinstance(raw, bytearray | memoryview):
        raw = bytes(raw)
    elif not isinstance(raw, bytes):
        raise Refusal("not_an_email", "This is not an email message.")
    if len(raw) > MAX_MESSAGE_BYTES:
        raise Refusal("too_large", f"The message is larger than {human_size(MAX_MESSAGE_BYTES)}.")
    if mime_depth(raw, MAX_DEPTH) > MAX_DEPTH:
        # Never handed to the email package, which parses each level one call deeper and slower (seconds
        # for a few thousand levels): what is nested deeper than it reads is refused from the bytes.
        raise Refusal("no_body", TOO_DEEP)
    content_hash = hashlib.sha256(raw).hexdigest()
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except RecursionError as exc:  # the email package parses each level of nesting one call deeper
        raise Refusal("not_an_email", "The message could not be parsed: its parts are nested too deeply.") from exc
    except Exception as exc:  # a parser bug
        raise Refusal("not_an_email", "The message could not be parsed.") from exc
    try:
        return _parse(msg, raw, content_hash)
    except Refusal:
        raise
    except Exception as exc:  # the last safety net: a message must never crash the intake
        raise Refusal("not_an_email", f"The message could not be read ({type(exc).__name__}).") from exc


TOO_DEEP = f"The message has no text that could be read: its parts are nested more than {MAX_DEPTH} deep."
_DELIMITER_END = re.compile(rb"[ \t]*\Z")
_HEADER_FIELD = re.compile(rb"[\041-\071\073-\176]+[ \t]*:")  # the email package's idea of a header line
_SCANNED_HEADER_BYTES = 8192  # of one Content-Type header: a longer one is read that far


def mime_depth(raw: bytes, limit: int = MAX_DEPTH) -> int:
    """How deep the MIME containers (multipart/*, and message/* holding a message) of `raw` nest, read from
    the bytes as the email package's parser would split them, without parsing: one pass over the lines,
    each looked at once; stops as soon as the nesting is deeper than `limit`. The top-level multipart is 1,
    so a depth above MAX_DEPTH means parts below what `body.render` reads. Never raises."""
    stack = []  # the open containers, outermost first: (boundary bytes or None for an attached message, digest)
    open_at = {}  # boundary -> the outermost place it is open in `stack`: a delimiter line closes what is inside
    deepest = 0
    in_headers, content_type, in_content_type = True, None, False

    def pop_to(size):
        while len(stack) > size:
            boundary, _digest = stack.pop()
            if boundary is not None and open_at.get(boundary) == len(stack):
                del open_at[boundary]

    def end_of_headers():
        """Open the container the headers just read declare; whether a header block follows (an attached message)."""
        nonlocal deepest
        parent_digest = bool(stack) and stack[-1][1]
        if content_type is None:
            kind, boundary = ("message/rfc822" if parent_digest else "text/plain"), None
        else:
            kind, boundary = _container(content_type)
        if kind.startswith("multipart/"):
            if boundary is None:
                return False  # the email package reads it as text
            if boundary not in open_at:
                open_at[boundary] = len(stack)
            stack.append((boundary, kind == "multipart/digest"))
        elif kind.startswith("message/") and kind != "message/delivery-status":
            stack.append((None, False))
        else:
            return False
        deepest = max(deepest, len(stack))
        return boundary is None  # an attached message: its own headers come next

    for line in raw.splitlines():
        if line[:2] == b"--" and open_at:
            candidate = line[2 : len(line) - len(_DELIMITER_END.search(line).group())]
            if candidate in open_at:  # "--boundary": the next part of that multipart starts
                pop_to(open_at[candidate] + 1)
                in_headers, content_type, in_content_type = True, None, False
                continue
            if candidate[-2:] == b"--" and candidate[:-2] in open_at:  # "--boundary--": it ends
                pop_to(open_at[candidate[:-2]])
                in_headers, in_content_type = False, False
                continue
        if not in_headers:
            continue
        if line[:1] in (b" ", b"\t"):  # a folded header line
            if in_content_type and len(content_type) < _SCANNED_HEADER_BYTES:
                content_type += b" " + line.strip()
            continue
        if line and (_HEADER_FIELD.match(line) or line.startswith(b"From ")):
            name, _sep, value = line.partition(b":")
            in_content_type = name.strip().lower() == b"content-type" and content_type is None
            if in_content_type:
                content_type = value.strip()
            continue
        # A blank line, or one that is no header (the email package then takes it as the body's first line).
        in_headers = end_of_headers()
        content_type, in_content_type = None, False
        if deepest > limit:
            return deepest
    if in_headers:
        end_of_headers()
    return deepest


def _container(value: bytes):
    """(content type, boundary or None) of a Content-Type header's value, as the email package reads them."""
    text = value[:_SCANNED_HEADER_BYTES].decode("ascii", "surrogateescape")
    kind = text.split(";", 1)[0].strip().lower()
    if not kind.startswith(("multipart/", "message/")):
        return kind, None
    header = Message()
    try:
        header["Content-Type"] = text
        boundary = header.get_boundary() if kind.startswith("multipart/") else None
        # A boundary it decoded to U+FFFD matches no line for the email package either: no parts.
        return kind, boundary.encode("ascii", "surrogateescape") if boundary else None
    except Exception:
        return kind, None


# Added on the way, by each server and mailbox that handled a copy: two copies of one message differ in them.
TRACE_HEADERS = frozenset(
    {
        "received",
        "x-received",
        "return-path",
        "delivered-to",
        "x-delivered-to",
        "x-original-to",
        "envelope-to",
        "x-envelope-to",
        "x-envelope-from",
        "received-spf",
        "authentication-results",
        "x-original-authentication-results",
        "dkim-signature",
        "x-google-dkim-signature",
        "x-gm-message-state",
        "x-virus-scanned",
        "x-virus-status",
        "x-quarantine-id",
        "status",  # mbox readers (mutt, pine, Thunderbird) mark what was read in these
        "x-status",
        "x-keywords",
        "x-uid",
        "x-mozilla-status",
        "x-mozilla-status2",
        "x-mozilla-keys",
    }
)
TRACE_HEADER_PREFIXES = ("arc-", "x-spam-", "x-rspamd-", "x-amavis-", "x-ms-exchange-", "x-forefront-")


def identity_hash(raw: bytes) -> str:
    """The sha256 that says which message `raw` is when it has no Message-ID: two copies that differ only in
    line endings (CRLF or LF, trailing blank lines), an mbox "From " line or the trace headers servers add on
    the way (TRACE_HEADERS) hash alike. Works on the bytes, without parsing; never raises."""
    data = bytes(raw).replace(b"\r\n", b"\n")
    if data.startswith(b"From "):  # an mbox envelope line, not part of the message
        data = data.partition(b"\n")[2]
    if data.startswith(b"\n"):
        head, body = b"", data[1:]
    else:
        head, _sep, body = data.partition(b"\n\n")
    kept, keep = [], True
    for line in head.split(b"\n"):
        if line[:1] not in (b" ", b"\t"):  # a new field; the others continue (fold) the one before
            name = line.split(b":", 1)[0].strip().lower() if b":" in line else b""
            text = name.decode("ascii", "replace")
            keep = not (text in TRACE_HEADERS or text.startswith(TRACE_HEADER_PREFIXES))
        if keep:
            kept.append(line)
    return hashlib.sha256(b"\n".join(kept) + b"\n\n" + body.rstrip(b"\n")).hexdigest()


def _parse(msg, raw, content_hash):
    notes = _Notes()
    senders = [(name, address) for name, address in addresses(msg, "From") if usable_address(address)]
    if not senders:
        raise Refusal("not_an_email", "The message has no usable From address.")
    from_name, from_address = senders[0]
    parsed = ParsedEmail(
        from_name=from_name,
        from_address=from_address,
        content_hash=content_hash,
        size=len(raw),
    )

    subject = first_header(msg, "Subject") or ""
    if "\ufffd" in subject:
        notes.add(_("Some characters of the subject could not be decoded."))
    parsed.subject = _FORWARD_PREFIX.sub("", subject)[:998]
    message_ids = find_message_ids(first_raw_header(msg, "Message-ID") or "")
    parsed.message_id = message_ids[0] if message_ids else ""
    in_reply_to = find_message_ids(first_raw_header(msg, "In-Reply-To") or "")
    parsed.in_reply_to = in_reply_to[0] if in_reply_to else ""
    parsed.references = list(dict.fromkeys(find_message_ids(" ".join(raw_headers(msg, "References")))))[:100]
    parsed.return_path = return_path(msg)
    parsed.date = message_date(msg)
    parsed.auth = parse_authentication_results(raw_headers(msg, "Authentication-Results"))
    parsed.auto_reason = classify_auto(msg)
    parsed.headers = readable_headers(msg)

    reply_to = [address for _name, address in addresses(msg, "Reply-To") if usable_address(address)]
    if reply_to and reply_to[0] != from_address:
        notes.add(
            _("The Reply-To address (%(reply_to)s) differs from the sender (%(sender)s); the sender's is used.")
            % {"reply_to": reply_to[0], "sender": from_address}
        )

    body = render(msg, 0, top=True) or Body()
    notes.extend(body.notes)
    html = body.html
    kept_refs = scan_html(html).cids if body.cids else set()
    trimmed_away = {cid_key(cid) for cid in body.cids} - {cid_key(cid) for cid in kept_refs}

    image_parts, docx, attachment_notes = sort_attachments(msg, body.consumed)
    notes.extend(attachment_notes)
    if docx:
        parsed.docx_name, parsed.docx_bytes = docx
    images, cid_map, known_cids = process_images(image_parts, trimmed_away, notes, parsed.image_captions)
    parsed.images = images

    result = scan_html(html, cid_map=cid_map)
    for cid in sorted(result.missing):
        if cid_key(cid) not in known_cids:
            notes.add(_("The text shows an image (cid:%(cid)s) that is not in the message.") % {"cid": cid[:80]})
    parsed.html = result.html
    parsed.text_words = len(result.text.split())

    if has_broken_mime(msg):
        notes.add(_("The message's MIME structure is damaged: parts of it may be missing or garbled."))
    parsed.notes = notes.finish()

    if parsed.text_words == 0 and parsed.docx_bytes is None and not parsed.auto_reason:
        if body.too_deep:
            raise Refusal("no_body", TOO_DEEP)
        raise Refusal(
            "no_body",
            "The message has no text (once quoted replies and signatures are removed) and no .docx attachment.",
        )
    return parsed


class _Notes:
    def __init__(self):
        self.items: list[str] = []
        self.left_out = 0

    def add(self, note):
        if note in self.items:
            return
        if len(self.items) < MAX_NOTES:
            self.items.append(note)
        else:
            self.left_out += 1

    def extend(self, notes):
        for note in notes:
            self.add(note)

    def finish(self):
        if self.left_out:
            return [*self.items, _("…and %(count)s more notes.") % {"count": self.left_out}]
        return list(self.items)
