"""Helpers shared by the email parser's tests."""

import pytest

from contributions.emails import ParsedEmail, Refusal, parse_message


def parse(msg) -> ParsedEmail:
    return parse_message(msg if isinstance(msg, bytes) else msg.as_bytes())


def parsed_notes(msg) -> list[str]:
    return parse(msg).notes


def refusal(raw) -> Refusal:
    with pytest.raises(Refusal) as caught:
        parse(raw)
    return caught.value


def assert_clean_text(parsed):
    """Every string of a ParsedEmail is valid Unicode (no lone surrogates), without NUL or other controls."""
    strings = [parsed.subject, parsed.from_name, parsed.from_address, parsed.html, parsed.message_id, *parsed.notes]
    strings += list(parsed.headers.values())
    for text in strings:
        text.encode("utf-8")
        assert "\x00" not in text
