"""MIME helpers: walking the parts, their types, parameters, file names, content ids and payloads."""

import base64
import re
from email.header import decode_header, make_header
from email.message import Message

from django.utils.translation import gettext as _

from .headers import clean_line, first_raw_header, fix_text, per_part
from .limits import MAX_PARTS

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


@per_part
def type_of(part) -> str:
    try:
        # Without controls: it goes into the editors' notes, and a NUL there is refused by PostgreSQL.
        return fix_text(part.get_content_type()).lower()
    except Exception:
        return "application/octet-stream"


def subparts(part) -> list:
    try:
        if not part.is_multipart():
            return []
        payload = part.get_payload()
    except Exception:
        return []
    return [child for child in payload if isinstance(child, Message)] if isinstance(payload, list) else []


def is_container(part) -> bool:
    return type_of(part).startswith("multipart/") and bool(subparts(part))


def iter_parts(root):
    """Every part under `root` (itself included), depth first, never inside attached messages."""
    stack, seen = [root], 0
    while stack and seen < MAX_PARTS:
        part = stack.pop()
        seen += 1
        yield part
        if not type_of(part).startswith("message/"):
            stack.extend(reversed(subparts(part)))


@per_part
def param(part, name) -> str:
    try:
        value = part.get_param(name)
    except Exception:
        return ""
    if isinstance(value, tuple):  # RFC 2231 (charset, language, value)
        value = value[2]
    return clean_line(value) if isinstance(value, str) else ""


@per_part
def disposition(part) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


@per_part
def filename(part) -> str | None:
    """The part's file name, decoded and made safe for messages (a base name, printable, at most 100)."""
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        name = param(part, "name")
    if not name:
        return None
    name = fix_text(name)
    if "=?" in name:
        try:
            name = str(make_header(decode_header(name)))
        except Exception:
            pass
    name = clean_line(name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > 100:
        name = name[:99] + "…"
    return name or None


def is_attachment(part) -> bool:
    return disposition(part) == "attachment" or filename(part) is not None


@per_part
def content_id(part) -> str | None:
    value = first_raw_header(part, "Content-ID")
    if not value:
        return None
    value = " ".join(value.split()).strip().strip("<>").strip()
    return value[:250] or None


def payload_bytes(part) -> bytes:
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


def decode_text(data: bytes, charset: str, label: str, notes: list) -> str:
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


def cid_key(cid: str) -> str:
    return cid.strip().strip("<>").strip().lower()


def has_broken_mime(msg) -> bool:
    for part in iter_parts(msg):
        try:
            defects = part.defects
        except Exception:
            continue
        if any(type(defect).__name__ in _BROKEN_MIME_DEFECTS for defect in defects):
            return True
    return False
