"""The one email parser: an RFC 5322 message (bytes) becomes a ParsedEmail, or a Refusal.

Whatever the sender's mail client did, parsing never crashes: undecodable text
degrades to replacement characters, and every problem becomes either a refusal
with a reason or a note for the editor.
"""

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from django.core.exceptions import ValidationError

from .uploads import process_image

MAX_MESSAGE_BYTES = 25 * 1024 * 1024
MAX_IMAGES = 20
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

KEPT_HEADERS = [
    "From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Reply-To", "Return-Path",
    "Authentication-Results", "Received-SPF", "Auto-Submitted", "Precedence", "List-Id", "X-Mailer", "User-Agent",
]  # fmt: skip

TRACKING_MARKER = re.compile(r"\[#([A-Za-z0-9_-]{8})\]")
REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


class Refusal(Exception):
    """A message we will not queue; `reason` says why, for the operator and the editors."""

    def __init__(self, code, reason):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class ParsedEmail:
    message_id: str = ""
    in_reply_to: str = ""
    references: list = field(default_factory=list)
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    return_path: str | None = None
    date: datetime | None = None
    html: str = ""
    text_words: int = 0
    images: list = field(default_factory=list)  # [(content_id or None, ProcessedImage)]
    docx_name: str | None = None
    docx_bytes: bytes | None = None
    notes: list = field(default_factory=list)
    auth: dict = field(default_factory=dict)
    auto_reason: str = ""
    headers: dict = field(default_factory=dict)
    content_hash: str = ""
    size: int = 0

    @property
    def tracking_marker(self):
        match = TRACKING_MARKER.search(self.subject)
        return match.group(1) if match else ""

    @property
    def title(self):
        title = TRACKING_MARKER.sub("", self.subject)
        title = REPLY_PREFIX.sub("", title).strip()
        return title[:200] or "(no subject)"


def _header(msg, name):
    """A header as text whatever its encoding; '' when absent or undecodable."""
    try:
        value = msg.get(name)
    except Exception:
        return ""
    if value is None:
        return ""
    try:
        text = str(value)
    except Exception:
        text = value.encode("ascii", "replace").decode() if isinstance(value, str) else ""
    # Raw 8-bit bytes smuggled in headers come through as surrogates: make them visible.
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace").strip()


def _message_ids(value):
    return re.findall(r"<[^<>\s]{1,250}>", value or "")


def classify_auto(msg):
    """Why this message is automatic or bulk mail ('' when a person sent it). RFC 3834 and friends."""
    auto_submitted = _header(msg, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = _header(msg, "Precedence").lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"Precedence: {precedence}"
    for name in ("List-Id", "List-Unsubscribe", "X-Autoreply", "X-Autorespond", "X-Failed-Recipients"):
        if msg.get(name) is not None:
            return f"{name} header"
    suppress = _header(msg, "X-Auto-Response-Suppress").lower()
    if any(word in suppress for word in ("all", "oof", "autoreply")):
        return f"X-Auto-Response-Suppress: {suppress}"
    if msg.get("Return-Path") is not None and _header(msg, "Return-Path").strip() in {"<>", ""}:
        return "empty Return-Path (a bounce)"
    local = parseaddr(_header(msg, "From"))[1].split("@")[0].lower()
    if local in {"mailer-daemon", "postmaster"}:
        return f"sent by {local}"
    if msg.get_content_type() == "multipart/report":
        return "delivery report"
    for part in msg.walk():
        if part.get_content_type() in {"message/delivery-status", "message/disposition-notification"}:
            return "delivery report"
    return ""


def _auth_results(msg):
    """SPF, DKIM and DMARC verdicts from the topmost Authentication-Results header."""
    values = msg.get_all("Authentication-Results") or []
    verdicts = {}
    if values:
        text = str(values[0])
        for method in ("spf", "dkim", "dmarc"):
            match = re.search(rf"\b{method}\s*=\s*([a-z]+)", text, re.IGNORECASE)
            if match:
                verdicts[method] = match.group(1).lower()
    if "spf" not in verdicts:
        received_spf = _header(msg, "Received-SPF")
        if received_spf:
            verdicts["spf"] = received_spf.split()[0].lower()
    return verdicts


def _text_of(part, notes):
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        notes.append(f"Part declared as {charset} could not be decoded; unreadable characters were replaced.")
        return payload.decode("utf-8", "replace")


QUOTE_HEADER = re.compile(
    r"^(On .{0,300} wrote:|Le .{0,300} a écrit ?:|Am .{0,300} schrieb .{0,100}:|-{2,} ?Original Message ?-{2,}|"
    r"-{2,} ?Forwarded message ?-{2,}|From: .{0,300})\s*$",
    re.IGNORECASE,
)
MOBILE_FOOTER = re.compile(r"^(Sent from my \w+|Get Outlook for \w+|Sent from Mail for Windows)", re.IGNORECASE)


def trim_plain(text):
    """Cut quoted replies, forwarded headers and signatures from a plain-text body."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = []
    for index, line in enumerate(lines):
        if line == "-- " or line.rstrip() == "--" and index > 0:
            break
        if MOBILE_FOOTER.match(line.strip()):
            break
        if QUOTE_HEADER.match(line.strip()):
            rest = [r for r in lines[index + 1 :] if r.strip()]
            if (
                not rest
                or all(r.startswith(">") for r in rest)
                or line.strip().lower().startswith(("on ", "le ", "am "))
            ):
                break
        kept.append(line)
    while kept and (kept[-1].startswith(">") or not kept[-1].strip()):
        kept.pop()
    return "\n".join(line for line in kept if not line.startswith(">")).strip()


def plain_to_html(text):
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in para.split("\n")) + "</p>"
        for para in paragraphs
        if para.strip()
    )


QUOTE_MARKERS = re.compile(
    r"""<(?:blockquote[^>]*type=["']?cite|div[^>]*class=["'][^"']*(?:gmail_quote|gmail_signature|moz-cite-prefix|"""
    r"""moz-signature|OutlookMessageHeader)|div[^>]*id=["']?(?:appendonsend|divRplyFwdMsg|Signature))""",
    re.IGNORECASE,
)


def trim_html(markup):
    """Cut an HTML body at the first quoted reply or signature block (the sanitizer repairs the nesting)."""
    match = QUOTE_MARKERS.search(markup)
    if match:
        markup = markup[: match.start()]
    match = re.search(r"<body[^>]*>(.*)", markup, re.IGNORECASE | re.DOTALL)
    if match:
        markup = match.group(1)
    return re.sub(r"</body>.*", "", markup, flags=re.IGNORECASE | re.DOTALL).strip()


def _word_count(markup):
    return len(re.sub(r"<[^>]+>", " ", markup).split())


def _walk(msg, state, notes):
    """Collect the best body parts, images and the first .docx, not descending into attached messages."""
    for part in msg.iter_parts() if msg.is_multipart() else [msg]:
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            notes.append("An attached email message was not kept.")
            continue
        if part.is_multipart():
            _walk(part, state, notes)
            continue
        filename = part.get_filename() or ""
        disposition = part.get_content_disposition()
        if content_type.startswith("image/"):
            state["images"].append(part)
        elif content_type == DOCX_TYPE or filename.lower().endswith(".docx"):
            if state["docx"] is None:
                state["docx"] = part
            else:
                notes.append(f"Only the first Word document was kept; “{filename}” was not.")
        elif content_type == "text/html" and disposition != "attachment" and state["html"] is None:
            state["html"] = part
        elif content_type == "text/plain" and disposition != "attachment" and state["plain"] is None:
            state["plain"] = part
        elif disposition == "attachment" or filename:
            notes.append(f"The attachment “{filename or 'unnamed'}” ({content_type}) was not kept.")


def parse_message(raw):
    """Parse one message. Raises Refusal for messages that cannot become a submission."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise Refusal("too_large", f"larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MB")
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:
        raise Refusal("not_an_email", f"not an email message ({type(exc).__name__})") from exc

    parsed = ParsedEmail(content_hash=hashlib.sha256(raw).hexdigest(), size=len(raw))
    notes = parsed.notes
    for name in KEPT_HEADERS:
        value = _header(msg, name)
        if value:
            parsed.headers[name] = value[:2000]
    name, address = parseaddr(_header(msg, "From"))
    if not address or "@" not in address:
        addresses = getaddresses([_header(msg, "From")])
        name, address = addresses[0] if addresses else ("", "")
    if not address or "@" not in address:
        raise Refusal("not_an_email", "no sender address (From)")
    parsed.from_name, parsed.from_address = name.strip().strip('"'), address.strip().lower()
    reply_to = parseaddr(_header(msg, "Reply-To"))[1].lower()
    if reply_to and reply_to != parsed.from_address:
        notes.append(f"Reply-To ({reply_to}) differs from the sender; we answer the sender.")
    parsed.subject = _header(msg, "Subject")
    if parsed.subject.lower().startswith(("fwd:", "fw:")):
        parsed.subject = parsed.subject.split(":", 1)[1].strip()
    ids = _message_ids(_header(msg, "Message-ID"))
    parsed.message_id = ids[0] if ids else ""
    in_reply_to = _message_ids(_header(msg, "In-Reply-To"))
    parsed.in_reply_to = in_reply_to[0] if in_reply_to else ""
    parsed.references = _message_ids(_header(msg, "References"))
    parsed.return_path = _header(msg, "Return-Path") if msg.get("Return-Path") is not None else None
    try:
        parsed.date = parsedate_to_datetime(_header(msg, "Date")) if msg.get("Date") else None
    except (TypeError, ValueError):
        parsed.date = None
    parsed.auto_reason = classify_auto(msg)
    parsed.auth = _auth_results(msg)

    state = {"html": None, "plain": None, "images": [], "docx": None}
    try:
        _walk(msg, state, notes)
    except Exception as exc:
        notes.append(f"Part of the message could not be read ({type(exc).__name__}).")
    body = ""
    if state["html"] is not None:
        body = trim_html(_text_of(state["html"], notes))
    if not _word_count(body) and state["plain"] is not None:
        body = plain_to_html(trim_plain(_text_of(state["plain"], notes)))
    parsed.html = body
    parsed.text_words = _word_count(body)

    for part in state["images"][:MAX_IMAGES]:
        content_id = (_header(part, "Content-ID") or "").strip("<> ") or None
        try:
            data = part.get_payload(decode=True) or b""
            image = process_image(data, name=part.get_filename() or "image")
        except ValidationError as exc:
            notes.append(" ".join(exc.messages))
            continue
        except Exception as exc:
            notes.append(f"An image could not be read ({type(exc).__name__}).")
            continue
        parsed.images.append((content_id, image))
    if len(state["images"]) > MAX_IMAGES:
        notes.append(f"Only the first {MAX_IMAGES} images were kept.")
    if state["docx"] is not None:
        parsed.docx_name = state["docx"].get_filename() or "document.docx"
        parsed.docx_bytes = state["docx"].get_payload(decode=True) or b""

    if parsed.text_words == 0 and not parsed.docx_bytes and not parsed.auto_reason:
        raise Refusal("no_body", "no usable body: the message has no text and no Word document")
    return parsed
