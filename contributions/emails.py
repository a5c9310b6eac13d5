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
module writes itself (paragraphs from plain text, rebuilt <img> tags) is
escaped, and cutting quoted parts out never joins text into new markup.
"""

import base64
import functools
import hashlib
import html as html_lib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import NamedTuple
from urllib.parse import unquote

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.html import VOID_ELEMENTS, attributes, tokens

from .uploads import human_size, process_image

MAX_MESSAGE_BYTES = 25 * 1024 * 1024
MAX_IMAGES = 20
MAX_PARTS = 1000  # MIME parts looked at, in all
MAX_DEPTH = 25  # nesting of multiparts read for the body
MAX_NOTES = 50
MAX_HEADER_CHARS = 2000
MAX_HEADER_VALUES = 50
MAX_TEXT_CHARS = 5_000_000  # of one text part: an article is never that long, and parsing HTML costs time

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
READABLE_HEADERS = (
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Reply-To",
    "Return-Path",
    "Authentication-Results",
    "Received-SPF",
    "Auto-Submitted",
    "Precedence",
    "List-Id",
    "X-Mailer",
    "User-Agent",
)
AUTH_METHODS = ("spf", "dkim", "dmarc")

_PLAIN_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown"})
_SIGNATURE_TYPES = frozenset(
    {"application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature"}
)
_REPORT_TYPES = frozenset(
    {"message/delivery-status", "message/global-delivery-status", "message/disposition-notification"}
)
_BROKEN_MIME_DEFECTS = frozenset(
    {
        "StartBoundaryNotFoundDefect",
        "CloseBoundaryNotFoundDefect",
        "MultipartInvariantViolationDefect",
        "MissingHeaderBodySeparatorDefect",
        "InvalidBase64PaddingDefect",
        "InvalidBase64CharactersDefect",
        "InvalidBase64LengthDefect",
    }
)
_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp")


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


# --- entry point ------------------------------------------------------------------------------------------


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
    so a depth above MAX_DEPTH means parts below what `_render` reads. Never raises."""
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
    senders = [(name, address) for name, address in _addresses(msg, "From") if _usable_address(address)]
    if not senders:
        raise Refusal("not_an_email", "The message has no usable From address.")
    from_name, from_address = senders[0]
    parsed = ParsedEmail(
        from_name=from_name,
        from_address=from_address,
        content_hash=content_hash,
        size=len(raw),
    )

    subject = _header(msg, "Subject") or ""
    if "\ufffd" in subject:
        notes.add(_("Some characters of the subject could not be decoded."))
    parsed.subject = _FORWARD_PREFIX.sub("", subject)[:998]
    message_ids = _message_ids(_raw_header(msg, "Message-ID") or "")
    parsed.message_id = message_ids[0] if message_ids else ""
    in_reply_to = _message_ids(_raw_header(msg, "In-Reply-To") or "")
    parsed.in_reply_to = in_reply_to[0] if in_reply_to else ""
    parsed.references = list(dict.fromkeys(_message_ids(" ".join(_raw_headers(msg, "References")))))[:100]
    parsed.return_path = _return_path(msg)
    parsed.date = _date(msg)
    parsed.auth = parse_authentication_results(_raw_headers(msg, "Authentication-Results"))
    parsed.auto_reason = classify_auto(msg)
    parsed.headers = _readable_headers(msg)

    reply_to = [address for _name, address in _addresses(msg, "Reply-To") if _usable_address(address)]
    if reply_to and reply_to[0] != from_address:
        notes.add(
            _("The Reply-To address (%(reply_to)s) differs from the sender (%(sender)s); the sender's is used.")
            % {"reply_to": reply_to[0], "sender": from_address}
        )

    body = _render(msg, 0, top=True) or _Body()
    notes.extend(body.notes)
    html = body.html
    kept_refs = _scan_html(html).cids if body.cids else set()
    trimmed_away = {_cid_key(cid) for cid in body.cids} - {_cid_key(cid) for cid in kept_refs}

    image_parts, docx, attachment_notes = _attachments(msg, body.consumed)
    notes.extend(attachment_notes)
    if docx:
        parsed.docx_name, parsed.docx_bytes = docx
    images, cid_map, known_cids = _process_images(image_parts, trimmed_away, notes)
    parsed.images = images

    result = _scan_html(html, cid_map=cid_map)
    for cid in sorted(result.missing):
        if _cid_key(cid) not in known_cids:
            notes.add(_("The text shows an image (cid:%(cid)s) that is not in the message.") % {"cid": cid[:80]})
    parsed.html = result.html
    parsed.text_words = len(result.text.split())

    if _has_broken_mime(msg):
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


# --- text and headers -------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _per_part(function):
    """Remember `function(part, *args)` on the part: the email package parses a header anew on every access."""
    key = function.__name__

    @functools.wraps(function)
    def cached(part, *args):
        try:
            cache = part.__dict__.setdefault("_byline_parsed", {})
        except AttributeError:
            return function(part, *args)
        if (key, *args) not in cache:
            cache[(key, *args)] = function(part, *args)
        return cache[(key, *args)]

    return cached


def _fix_text(text: str) -> str:
    """`text` without lone surrogates (undecodable bytes become U+FFFD, valid UTF-8 is read) or controls."""
    text = str(text)
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeError:
        pass
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", text))


def _clean_line(text: str) -> str:
    return " ".join(_fix_text(text).split())


def _raw_headers(msg, name) -> list[str]:
    """The undecoded values of header `name`, top first."""
    wanted = name.lower()
    try:
        items = msg.raw_items()
        return [str(value) for key, value in items if str(key).lower() == wanted][:MAX_HEADER_VALUES]
    except Exception:
        return []


def _raw_header(msg, name):
    values = _raw_headers(msg, name)
    return _fix_text(values[0]) if values else None


def _decode_header(name, raw) -> str:
    try:
        value = str(policy.default.header_fetch_parse(name, raw))
    except Exception:  # the modern header parser has had crashes on hostile input
        try:
            value = str(make_header(decode_header(raw)))
        except Exception:
            value = raw
    return _clean_line(value)


@_per_part
def _headers(msg, name) -> list[str]:
    return [_decode_header(name, raw) for raw in _raw_headers(msg, name)]


def _header(msg, name) -> str | None:
    values = _headers(msg, name)
    return values[0] if values else None


def _readable_headers(msg) -> dict:
    headers = {}
    for name in READABLE_HEADERS:
        values = _headers(msg, name)
        if values:
            headers[name] = "\n".join(values)[:MAX_HEADER_CHARS]
    return headers


_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"\\]{1,64}@[^\s@<>()\[\],;:\"\\]{1,189}")


def _usable_address(address: str) -> bool:
    if not _ADDRESS.fullmatch(address) or "\ufffd" in address:
        return False
    domain = address.rsplit("@", 1)[1]
    return not (domain.startswith(("-", ".")) or domain.endswith(("-", ".")) or ".." in domain)


@_per_part
def _addresses(msg, name) -> list[tuple[str, str]]:
    """[(display name, lowercased address)] of an address header, usable or not."""
    found = []
    for raw in _raw_headers(msg, name):
        pairs = []
        try:
            header = policy.default.header_fetch_parse(name, raw)
            pairs = [(address.display_name, address.addr_spec) for address in header.addresses]
        except Exception:
            pairs = []
        if not any(_usable_address(_fix_text(address).strip().lower()) for _name, address in pairs):
            try:
                pairs = getaddresses([" ".join(_fix_text(raw).split())])
            except Exception:
                pairs = []
        for display, address in pairs:
            display = _clean_line(display or "").strip("\"' ")[:200]
            found.append((display, _fix_text(address or "").strip().lower()))
    return found


_MESSAGE_ID = re.compile(r"<([^<>]{1,250})>")


def _message_ids(value: str) -> list[str]:
    """The "<...>" message ids in a header value, whitespace removed."""
    value = "".join(_fix_text(value).split())
    ids = [f"<{found}>" for found in _MESSAGE_ID.findall(value)]
    if not ids and value and "<" not in value and ">" not in value and "@" in value and len(value) <= 250:
        ids = [f"<{value}>"]  # a bare id, as some broken mailers write it
    return ids


def _return_path(msg):
    value = _raw_header(msg, "Return-Path")
    if value is None:
        return None
    value = value.strip()
    match = re.search(r"<([^<>]*)>", value)
    return "".join((match.group(1) if match else value).split()).lower()


def _date(msg):
    value = _raw_header(msg, "Date")
    if not value:
        return None
    try:
        date = parsedate_to_datetime(" ".join(value.split()))
    except Exception:
        return None
    if date is None:
        return None
    return date if date.tzinfo is not None else date.replace(tzinfo=UTC)


# --- Authentication-Results ---------------------------------------------------------------------------------

_COMMENT = re.compile(r"\([^()]*\)")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_RESINFO = re.compile(r"\s*([A-Za-z0-9_.-]+)\s*(?:/\s*\d+\s*)?=\s*([A-Za-z0-9_.-]+)")


def parse_authentication_results(values: list[str]) -> dict:
    """{"spf": ..., "dkim": ..., "dmarc": ...} from Authentication-Results header values, top first.

    The topmost header is the one our own server added: its verdicts win. Further
    headers count only when they come from the same server (several milters each
    add one) and only for methods the topmost one does not have. Within one header
    the first verdict of a method counts, except that any dkim=pass wins (a
    message may carry several signatures).
    """
    result: dict[str, str] = {}
    first_server = None
    for index, value in enumerate(values[:20]):
        server, verdicts = _parse_auth_header(value)
        if index == 0:
            first_server = server
        elif not first_server or server != first_server:
            continue
        found: dict[str, str] = {}
        for method, verdict in verdicts:
            if method not in found or (method == "dkim" and verdict == "pass"):
                found[method] = verdict
        for method, verdict in found.items():
            result.setdefault(method, verdict)
    return result


def _parse_auth_header(value):
    text = " ".join(_fix_text(value).split())
    for _round in range(10):  # comments may nest
        stripped = _COMMENT.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    text = _QUOTED.sub('""', text)
    clauses = text.split(";")
    head = clauses[0].split()
    server = head[0].lower() if head else ""
    verdicts = []
    for clause in clauses[1:]:
        match = _RESINFO.match(clause)
        if match and match.group(1).lower() in AUTH_METHODS:
            verdicts.append((match.group(1).lower(), match.group(2).lower()))
    return server, verdicts


# --- automatic mail -----------------------------------------------------------------------------------------


def classify_auto(msg) -> str:
    """Why `msg` is automatic (auto-reply, bounce, list or bulk mail), or "" for a person's message."""
    try:
        return _classify_auto(msg)
    except Exception:
        return ""


def _classify_auto(msg):
    auto_submitted = _header(msg, "Auto-Submitted")
    if auto_submitted:
        value = auto_submitted.split(";")[0].strip().lower()
        if value and value != "no":
            return f"Auto-Submitted: {value[:50]}"
    precedence = (_header(msg, "Precedence") or "").replace(";", " ").split()
    if precedence and precedence[0].lower() in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence[0].lower()}"
    for name in ("List-Id", "List-Unsubscribe"):
        if _raw_headers(msg, name):
            return f"{name} header (list mail)"
    for name in ("X-Autoreply", "X-Autorespond"):
        values = _headers(msg, name)
        if values and values[0].strip().lower() not in ("no", "false", "0"):
            return f"{name} header"
    suppress = _header(msg, "X-Auto-Response-Suppress")
    if suppress:
        tokens = {token.lower() for token in re.split(r"[\s,;]+", suppress) if token}
        matched = sorted(tokens & {"all", "oof", "autoreply"})
        if matched:
            return f"X-Auto-Response-Suppress: {', '.join(matched)}"
    if _return_path(msg) == "":
        return "empty Return-Path (a bounce)"
    for _name, address in _addresses(msg, "From"):
        local = address.rsplit("@", 1)[0].strip('"').lower()
        if local in ("mailer-daemon", "postmaster"):
            return f"sent by {local.upper() if local == 'mailer-daemon' else local}"
    if not _addresses(msg, "From"):
        raw_from = (_raw_header(msg, "From") or "").strip().lower()
        if raw_from.startswith(("mailer-daemon", "postmaster")):
            return "sent by MAILER-DAEMON"
    if _ctype(msg) == "multipart/report" or any(_ctype(part) in _REPORT_TYPES for part in _iter_parts(msg)):
        return "delivery report"
    if _raw_headers(msg, "X-Failed-Recipients"):
        return "X-Failed-Recipients header (a bounce)"
    return ""


# --- MIME helpers -------------------------------------------------------------------------------------------


@_per_part
def _ctype(part) -> str:
    try:
        # Without controls: it goes into the editors' notes, and a NUL there is refused by PostgreSQL.
        return _fix_text(part.get_content_type()).lower()
    except Exception:
        return "application/octet-stream"


def _children(part) -> list:
    try:
        if not part.is_multipart():
            return []
        payload = part.get_payload()
    except Exception:
        return []
    return [child for child in payload if isinstance(child, Message)] if isinstance(payload, list) else []


def _is_container(part) -> bool:
    return _ctype(part).startswith("multipart/") and bool(_children(part))


def _iter_parts(root):
    """Every part under `root` (itself included), depth first, never inside attached messages."""
    stack, seen = [root], 0
    while stack and seen < MAX_PARTS:
        part = stack.pop()
        seen += 1
        yield part
        if not _ctype(part).startswith("message/"):
            stack.extend(reversed(_children(part)))


@_per_part
def _param(part, name) -> str:
    try:
        value = part.get_param(name)
    except Exception:
        return ""
    if isinstance(value, tuple):  # RFC 2231 (charset, language, value)
        value = value[2]
    return _clean_line(value) if isinstance(value, str) else ""


@_per_part
def _disposition(part) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


@_per_part
def _filename(part) -> str | None:
    """The part's file name, decoded and made safe for messages (a base name, printable, at most 100)."""
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        name = _param(part, "name")
    if not name:
        return None
    name = _fix_text(name)
    if "=?" in name:
        try:
            name = str(make_header(decode_header(name)))
        except Exception:
            pass
    name = _clean_line(name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > 100:
        name = name[:99] + "…"
    return name or None


def _is_attachment(part) -> bool:
    return _disposition(part) == "attachment" or _filename(part) is not None


@_per_part
def _content_id(part) -> str | None:
    value = _raw_header(part, "Content-ID")
    if not value:
        return None
    value = " ".join(value.split()).strip().strip("<>").strip()
    return value[:250] or None


def _payload(part) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if any(type(defect).__name__ == "InvalidBase64LengthDefect" for defect in getattr(part, "defects", ())):
        # Cut in the middle of a quantum: the email package gives up and returns the base64 text.
        encoded = re.sub(rb"[^A-Za-z0-9+/]", b"", data if isinstance(data, bytes) else b"")
        try:
            data = base64.b64decode(encoded[: len(encoded) // 4 * 4])
        except ValueError:
            data = b""
    if data is None:
        try:
            payload = part.get_payload()
            data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
        except Exception:
            data = b""
    return data if isinstance(data, bytes) else b""


def _decode_text(data: bytes, charset: str, label: str, notes: list) -> str:
    """Decode a text part with its declared charset; UTF-8 with U+FFFD (and a note) when that fails."""
    if charset:
        try:
            return data.decode(charset)
        except LookupError:
            notes.append(
                _(
                    "The %(part)s declares an unknown character set (“%(charset)s”): it was read as UTF-8, "
                    "and what could not be decoded shows as �."
                )
                % {"part": label, "charset": charset[:40]}
            )
        except Exception:
            notes.append(
                _(
                    "The %(part)s is not valid %(charset)s: it was read as UTF-8, "
                    "and what could not be decoded shows as �."
                )
                % {"part": label, "charset": charset[:40]}
            )
    else:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            notes.append(
                _("The %(part)s declares no character set and is not UTF-8: what could not be decoded shows as �.")
                % {"part": label}
            )
    return data.decode("utf-8", "replace")


# --- the body ----------------------------------------------------------------------------------------------


@dataclass
class _Body:
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
    return {id(p) for p in _iter_parts(part)}


def _kind(part) -> str | None:
    """The best body this part (or its subtree) can give: "html", "plain" or None."""
    kinds = set()
    for sub in _iter_parts(part):
        ctype = _ctype(sub)
        if ctype == "text/html" and not _is_attachment(sub):
            return "html"
        if ctype in _PLAIN_TYPES and not _is_attachment(sub):
            kinds.add("plain")
    return "plain" if kinds else None


def _render(part, depth, *, top=False) -> _Body | None:
    """The body this part gives (None: none), and which parts it used."""
    if depth > MAX_DEPTH:
        # Never read, and no note per attachment in there: one note says why.
        note = _("Parts of the message are nested more than %(max)s deep: they were not read.") % {"max": MAX_DEPTH}
        return _Body(consumed=_subtree(part), notes=[note], too_deep=True)
    ctype = _ctype(part)
    if ctype.startswith("multipart/"):
        children = _children(part)
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
            return _render(children[0], depth + 1)
        if ctype == "multipart/encrypted":
            return _Body(consumed=_subtree(part), notes=[_("The message is encrypted: it cannot be read.")])
        body = _Body()
        for child in children:
            if _ctype(child).startswith("text/") and _is_attachment(child):
                continue  # an attached file, not the text
            rendered = _render(child, depth + 1)
            if rendered is not None:
                body.add(rendered)
        return body
    if ctype == "text/html" or ctype in _PLAIN_TYPES:
        if _is_attachment(part) and not top:
            return None
        return _text_part(part, ctype)
    return None


def _alternative(children, depth):
    kinds = [(child, _kind(child)) for child in children]
    order = [child for child, kind in reversed(kinds) if kind == "html"]
    order += [child for child, kind in reversed(kinds) if kind == "plain"]
    chosen = chosen_part = None
    for child in order:
        rendered = _render(child, depth + 1)
        if rendered is None:
            continue
        if chosen is None or rendered.has_text:
            chosen, chosen_part = rendered, child
        if rendered.has_text:
            break
    body = chosen or _Body()
    for child in children:  # the versions not chosen are left out silently
        if child is not chosen_part:
            body.consumed |= _subtree(child)
    return body


def _related(part, children, depth):
    start = _param(part, "start").strip("<>")
    root = next((child for child in children if start and _content_id(child) == start), children[0])
    body = _render(root, depth + 1) or _Body()
    for child in children:
        if child is root:
            continue
        ctype = _ctype(child)
        if not ctype.startswith(("image/", "multipart/", "message/")) and _filename(child) is None:
            body.consumed.add(id(child))  # style sheets and such, for the HTML alone
    return body


def _text_part(part, ctype):
    notes = []
    label = _("HTML text") if ctype == "text/html" else _("plain text")
    text = _decode_text(_payload(part), _param(part, "charset"), label, notes)
    if len(text) > MAX_TEXT_CHARS:
        notes.append(
            _("The %(part)s is very long: only its first %(count)s characters were kept.")
            % {"part": label, "count": f"{MAX_TEXT_CHARS:,}"}
        )
        text = text[:MAX_TEXT_CHARS]
    text = _fix_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    if ctype == "text/html":
        html, cids, has_text = _trim_html(text)
    else:
        if _param(part, "format").lower() == "flowed":
            text = _unflow(text, delsp=_param(part, "delsp").lower() == "yes")
        text = _trim_plain(text)
        html, cids, has_text = _plain_to_html(text), set(), bool(text.strip())
    return _Body(html=html, has_text=has_text, consumed={id(part)}, notes=notes, cids=cids)


# --- plain text ----------------------------------------------------------------------------------------------

_ATTRIBUTION = re.compile(
    r"\s*(?:On\s.{1,300}\swrote|Le\s.{1,300}\sa\s+écrit|Am\s.{1,300}\sschrieb.{0,300}|El\s.{1,300}\sescribió"
    r"|Il\s.{1,300}\sha\s+scritto|Op\s.{1,300}\sschreef.{0,300}|Em\s.{1,300}\sescreveu)\s*:\s*",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(r"\s*(?:On|Le|Am|El|Il|Op|Em)\s", re.IGNORECASE)
_ORIGINAL_MESSAGE = re.compile(
    r"\s*-{3,}\s*(?:Original Message|Message d'origine|Ursprüngliche Nachricht|Mensaje original"
    r"|Messaggio originale|Oorspronkelijk bericht)\s*-{3,}\s*",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"\s*_{10,}\s*")
_FROM_LINE = re.compile(r"\s*\*?(?:From|De|Von|Van|Da)\s*:\*?\s*\S.*", re.IGNORECASE)
_SENT_LINE = re.compile(r"\s*\*?(?:Sent|Envoyé|Gesendet|Verzonden|Inviato|Enviado)\s*:\*?\s*\S.*", re.IGNORECASE)
_FOOTER = re.compile(
    r"(?:Sent from my \S.{0,40}|Sent from (?:Yahoo )?Mail (?:for|on) \S.{0,30}|Sent from Outlook(?: for \S.{0,30})?"
    r"|Get Outlook for \S.{0,30}|Envoyé de mon \S.{0,40}|Von meinem \S.{0,40} gesendet)",
    re.IGNORECASE,
)


def _quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _only_quotes(lines) -> bool:
    return all(not line.strip() or _quoted(line) or _FOOTER.fullmatch(line.strip()) for line in lines)


def _attribution_span(lines, index) -> int:
    """How many lines the reply attribution at `index` spans (0: none); Gmail wraps long ones."""
    line = lines[index]
    if not _ATTRIBUTION_START.match(line) or len(line) > 1000:
        return 0
    if _ATTRIBUTION.fullmatch(line):
        return 1
    if index + 1 < len(lines) and _ATTRIBUTION.fullmatch(f"{line} {lines[index + 1].strip()}"):
        return 2
    return 0


def _outlook_header(lines, index) -> bool:
    line = lines[index]
    if _ORIGINAL_MESSAGE.fullmatch(line):
        return True
    following = [candidate for candidate in lines[index + 1 : index + 6] if candidate.strip()]
    if _UNDERSCORES.fullmatch(line):
        return bool(following) and bool(_FROM_LINE.fullmatch(following[0]))
    if _FROM_LINE.fullmatch(line):
        return any(_SENT_LINE.fullmatch(candidate) for candidate in following[:4])
    return False


def _is_content(line: str) -> bool:
    return bool(line.strip()) and not (_ORIGINAL_MESSAGE.fullmatch(line) or _UNDERSCORES.fullmatch(line))


def _trim_plain(text: str) -> str:
    """`text` without the quoted message it answers, the signature and mobile footers."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line == "-- ":  # the signature delimiter (RFC 3676)
            lines = lines[:index]
            break
    for index, line in enumerate(lines):
        if not line.strip() or _quoted(line):
            continue
        span = _attribution_span(lines, index)
        if span and _only_quotes(lines[index + span :]):
            lines = lines[:index]
            break
        # Outlook copies the original below its headers, unquoted: cut it unless it is all there is (a forward).
        if _outlook_header(lines, index) and any(_is_content(earlier) for earlier in lines[:index]):
            lines = lines[:index]
            break
    while lines and (not lines[-1].strip() or _quoted(lines[-1])):
        lines.pop()
    for index in range(len(lines) - 1, 0, -1):
        if lines[index].strip() == "--":  # a delimiter whose space was eaten: only before a short signature
            if sum(1 for line in lines[index + 1 :] if line.strip()) <= 6:
                lines = lines[:index]
            break
    while lines and (not lines[-1].strip() or _FOOTER.fullmatch(lines[-1].strip())):
        lines.pop()
    return "\n".join(lines).strip("\n")


def _unflow(text: str, *, delsp: bool) -> str:
    """Join the soft line breaks of format=flowed text (RFC 3676)."""
    out = []
    current, current_depth = None, 0

    def flush():
        if current is not None:
            out.append((">" * current_depth + " " if current_depth else "") + current)

    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        if content == "-- ":
            flush()
            current = None
            out.append((">" * depth + " " if depth else "") + content)
            continue
        flowed = content.endswith(" ")
        if flowed and delsp:
            content = content[:-1]
        if current is not None and depth == current_depth:
            current += content
        else:
            flush()
            current, current_depth = content, depth
        if not flowed:
            flush()
            current = None
    flush()
    return "\n".join(out)


_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def _plain_to_html(text: str) -> str:
    """Paragraphs for blank-line separated blocks, <br> for single newlines; everything escaped."""
    paragraphs = []
    for block in _BLANK_LINES.split(text.strip("\n")):
        lines = [html_lib.escape(line.rstrip(), quote=False) for line in block.split("\n")]
        if any(line.strip() for line in lines):
            paragraphs.append("<p>" + "<br>".join(lines) + "</p>")
    return "".join(paragraphs)


# --- HTML ----------------------------------------------------------------------------------------------------
#
# Walked with core.html's tokenizer (linear time: html.parser is quadratic on unclosed tags).


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


def _trim_html(source: str) -> tuple[str, set, bool]:
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
                if _FOOTER.fullmatch(text):
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


def _scan_html(source: str, *, cid_map: dict | None = None) -> _Scan:
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
        target = cid_map.get(cid) or cid_map.get(_cid_key(cid))
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


# --- attachments and images ----------------------------------------------------------------------------------


def _cid_key(cid: str) -> str:
    return cid.strip().strip("<>").strip().lower()


def _safe_cid(cid: str) -> str:
    """A content id the caller can put in src="cid:..." and match with a regular expression."""
    return re.sub(r"[^A-Za-z0-9._@+=~$!*-]", "_", cid)[:200] or "image"


def _is_docx(ctype, name) -> bool:
    return ctype == DOCX_CONTENT_TYPE or bool(name and name.lower().endswith(".docx"))


def _is_image(ctype, name) -> bool:
    if ctype.startswith("image/"):
        return True
    return ctype == "application/octet-stream" and bool(name and name.lower().endswith(_IMAGE_EXTENSIONS))


def _attachments(msg, consumed):
    """([image parts], (docx name, bytes) or None, [notes]) for the parts the body did not use."""
    images, docx, notes = [], None, []
    for part in _iter_parts(msg):
        if id(part) in consumed or _is_container(part):
            continue
        ctype = _ctype(part)
        name = _filename(part)
        if ctype.startswith("message/"):
            label = name or _attached_subject(part) or _("untitled")
            notes.append(_("The attached email “%(name)s” (%(type)s) was not kept.") % {"name": label, "type": ctype})
        elif _is_docx(ctype, name):
            if docx is None:
                data = _payload(part)
                if data:
                    docx = (name or "document.docx", data)
                else:
                    notes.append(_("The Word document “%(name)s” is empty.") % {"name": name or "document.docx"})
            else:
                notes.append(
                    _("Only the first Word document is kept: “%(name)s” was not.") % {"name": name or "document.docx"}
                )
        elif _is_image(ctype, name):
            images.append(part)
        elif ctype in _SIGNATURE_TYPES:
            continue
        else:
            notes.append(
                _("The attachment “%(name)s” (%(type)s) was not kept.")
                % {"name": name or _("unnamed"), "type": ctype[:80]}
            )
    return images, docx, notes


def _attached_subject(part):
    children = _children(part)
    if not children:
        return None
    subject = _header(children[0], "Subject")
    return subject[:100] if subject else None


def _process_images(parts, trimmed_away, notes):
    """([(content id or None, ProcessedImage)], {content id or its key: safe content id}, {keys of all ids})."""
    images, cid_map, known, used = [], {}, set(), set()
    left_out = 0
    for number, part in enumerate(parts, start=1):
        cid = _content_id(part)
        name = _filename(part)
        label = name or (f"cid:{cid[:60]}" if cid else _("image %(number)s") % {"number": number})
        if cid:
            known.add(_cid_key(cid))
            if _cid_key(cid) in trimmed_away:
                notes.add(_("The image “%(name)s” was only in the quoted reply or signature.") % {"name": label})
                continue
        if len(images) >= MAX_IMAGES:
            left_out += 1
            continue
        data = _payload(part)
        try:
            if not data:
                raise ValidationError(_("“%(name)s” is empty.") % {"name": label}, code="damaged")
            processed = process_image(data, name=name or "image")
        except ValidationError as exc:
            notes.add(_("An image was left out: %(reason)s") % {"reason": " ".join(exc.messages)})
            continue
        except Exception:  # a bug in an image library must not lose the message
            notes.add(_("An image was left out: “%(name)s” could not be read.") % {"name": label})
            continue
        safe = None
        if cid:
            safe = _safe_cid(cid)
            if safe in used:
                safe = f"{safe}-{number}"
            used.add(safe)
            cid_map.setdefault(cid, safe)
            cid_map.setdefault(_cid_key(cid), safe)
        images.append((safe, processed))
    if left_out:
        notes.add(
            _("%(count)s more images were left out: a message may have at most %(max)s.")
            % {"count": left_out, "max": MAX_IMAGES}
        )
    return images, cid_map, known


def _has_broken_mime(msg) -> bool:
    for part in _iter_parts(msg):
        try:
            defects = part.defects
        except Exception:
            continue
        if any(type(defect).__name__ in _BROKEN_MIME_DEFECTS for defect in defects):
            return True
    return False
