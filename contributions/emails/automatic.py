"""Automatic mail: auto-replies, bounces, delivery reports and list or bulk mail."""

import re

from .headers import addresses, first_header, first_raw_header, header_values, raw_headers, return_path
from .mime import iter_parts, type_of

_REPORT_TYPES = frozenset(
    {"message/delivery-status", "message/global-delivery-status", "message/disposition-notification"}
)


def classify_auto(msg) -> str:
    """Why `msg` is automatic (auto-reply, bounce, list or bulk mail), or "" for a person's message."""
    try:
        return _classify_auto(msg)
    except Exception:
        return ""


def _classify_auto(msg):
    auto_submitted = first_header(msg, "Auto-Submitted")
    if auto_submitted:
        value = auto_submitted.split(";")[0].strip().lower()
        if value and value != "no":
            return f"Auto-Submitted: {value[:50]}"
    precedence = (first_header(msg, "Precedence") or "").replace(";", " ").split()
    if precedence and precedence[0].lower() in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence[0].lower()}"
    for name in ("List-Id", "List-Unsubscribe"):
        if raw_headers(msg, name):
            return f"{name} header (list mail)"
    for name in ("X-Autoreply", "X-Autorespond"):
        values = header_values(msg, name)
        if values and values[0].strip().lower() not in ("no", "false", "0"):
            return f"{name} header"
    suppress = first_header(msg, "X-Auto-Response-Suppress")
    if suppress:
        tokens = {token.lower() for token in re.split(r"[\s,;]+", suppress) if token}
        matched = sorted(tokens & {"all", "oof", "autoreply"})
        if matched:
            return f"X-Auto-Response-Suppress: {', '.join(matched)}"
    if return_path(msg) == "":
        return "empty Return-Path (a bounce)"
    for _name, address in addresses(msg, "From"):
        local = address.rsplit("@", 1)[0].strip('"').lower()
        if local in ("mailer-daemon", "postmaster"):
            return f"sent by {local.upper() if local == 'mailer-daemon' else local}"
    if not addresses(msg, "From"):
        raw_from = (first_raw_header(msg, "From") or "").strip().lower()
        if raw_from.startswith(("mailer-daemon", "postmaster")):
            return "sent by MAILER-DAEMON"
    if type_of(msg) == "multipart/report" or any(type_of(part) in _REPORT_TYPES for part in iter_parts(msg)):
        return "delivery report"
    if raw_headers(msg, "X-Failed-Recipients"):
        return "X-Failed-Recipients header (a bounce)"
    return ""
