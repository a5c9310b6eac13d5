"""Text and headers: decoding whatever the charset, addresses, message ids, dates."""

import functools
import re
from datetime import UTC
from email import policy
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime

from .limits import MAX_HEADER_CHARS, MAX_HEADER_VALUES

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


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def per_part(function):
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


def fix_text(text: str) -> str:
    """`text` without lone surrogates (undecodable bytes become U+FFFD, valid UTF-8 is read) or controls."""
    text = str(text)
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeError:
        pass
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", text))


def clean_line(text: str) -> str:
    return " ".join(fix_text(text).split())


def raw_headers(msg, name) -> list[str]:
    """The undecoded values of header `name`, top first."""
    wanted = name.lower()
    try:
        items = msg.raw_items()
        return [str(value) for key, value in items if str(key).lower() == wanted][:MAX_HEADER_VALUES]
    except Exception:
        return []


def first_raw_header(msg, name):
    values = raw_headers(msg, name)
    return fix_text(values[0]) if values else None


def _decode_header(name, raw) -> str:
    try:
        value = str(policy.default.header_fetch_parse(name, raw))
    except Exception:  # the modern header parser has had crashes on hostile input
        try:
            value = str(make_header(decode_header(raw)))
        except Exception:
            value = raw
    return clean_line(value)


@per_part
def header_values(msg, name) -> list[str]:
    return [_decode_header(name, raw) for raw in raw_headers(msg, name)]


def first_header(msg, name) -> str | None:
    values = header_values(msg, name)
    return values[0] if values else None


def readable_headers(msg) -> dict:
    headers = {}
    for name in READABLE_HEADERS:
        values = header_values(msg, name)
        if values:
            headers[name] = "\n".join(values)[:MAX_HEADER_CHARS]
    return headers


_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"\\]{1,64}@[^\s@<>()\[\],;:\"\\]{1,189}")


def usable_address(address: str) -> bool:
    if not _ADDRESS.fullmatch(address) or "\ufffd" in address:
        return False
    domain = address.rsplit("@", 1)[1]
    return not (domain.startswith(("-", ".")) or domain.endswith(("-", ".")) or ".." in domain)


@per_part
def addresses(msg, name) -> list[tuple[str, str]]:
    """[(display name, lowercased address)] of an address header, usable or not."""
    found = []
    for raw in raw_headers(msg, name):
        pairs = []
        try:
            header = policy.default.header_fetch_parse(name, raw)
            pairs = [(address.display_name, address.addr_spec) for address in header.addresses]
        except Exception:
            pairs = []
        if not any(usable_address(fix_text(address).strip().lower()) for _name, address in pairs):
            try:
                pairs = getaddresses([" ".join(fix_text(raw).split())])
            except Exception:
                pairs = []
        for display, address in pairs:
            display = clean_line(display or "").strip("\"' ")[:200]
            found.append((display, fix_text(address or "").strip().lower()))
    return found


_MESSAGE_ID = re.compile(r"<([^<>]{1,250})>")


def find_message_ids(value: str) -> list[str]:
    """The "<...>" message ids in a header value, whitespace removed."""
    value = "".join(fix_text(value).split())
    ids = [f"<{found}>" for found in _MESSAGE_ID.findall(value)]
    if not ids and value and "<" not in value and ">" not in value and "@" in value and len(value) <= 250:
        ids = [f"<{value}>"]  # a bare id, as some broken mailers write it
    return ids


def return_path(msg):
    value = first_raw_header(msg, "Return-Path")
    if value is None:
        return None
    value = value.strip()
    match = re.search(r"<([^<>]*)>", value)
    return "".join((match.group(1) if match else value).split()).lower()


def message_date(msg):
    value = first_raw_header(msg, "Date")
    if not value:
        return None
    try:
        date = parsedate_to_datetime(" ".join(value.split()))
    except Exception:
        return None
    if date is None:
        return None
    return date if date.tzinfo is not None else date.replace(tzinfo=UTC)
