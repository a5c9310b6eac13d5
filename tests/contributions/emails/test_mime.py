"""contributions.emails.mime: text parts in any charset, and broken MIME structures.

On messages built by tests/contributions/email_factory.py."""

import random
import sys

import pytest

from contributions import emails
from contributions.emails import Refusal, parse_message
from core.sanitizer import sanitize_html

from .. import email_factory as f
from ..email_factory import BODY
from .helpers import assert_clean_text, parse, refusal


class TestCharsets:
    @pytest.mark.parametrize(
        ("charset", "cte", "text"),
        [
            ("iso-8859-1", "8bit", "Un café crème, s'il vous plaît."),
            ("iso-8859-1", "quoted-printable", "Un café crème, s'il vous plaît."),
            ("utf-8", "base64", "Привет, мир: 日本語 and emoji 🔋."),
            ("koi8-r", "8bit", "Привет, мир."),
            ("shift_jis", "base64", "日本語の記事です。"),
            ("windows-1252", "quoted-printable", "“Smart quotes” – and a dash…"),
        ],
    )
    def test_declared_charsets(self, charset, cte, text):
        parsed = parse(f.text_in_charset(f"{text} {BODY}", charset, cte=cte))
        assert text in parsed.html
        assert "\ufffd" not in parsed.html and parsed.notes == []

    def test_html_part_in_latin_1(self):
        parsed = parse(f.text_in_charset(f"<p>Café {BODY}</p>", "iso-8859-1", subtype="html"))
        assert parsed.html == f"<p>Café {BODY}</p>"

    @pytest.mark.parametrize("declared", ["x-unknown", "klingon", 'utf-8"><script>', "base64", "rot13"])
    def test_unknown_charset_degrades_with_a_note(self, declared):
        parsed = parse(f.text_in_charset(f"Café {BODY}", "iso-8859-1", declared=declared))
        assert "Caf\ufffd" in parsed.html and "Solid-state" in parsed.html
        assert any("could not be decoded" in note for note in parsed.notes)
        assert_clean_text(parsed)

    def test_wrong_declared_charset_degrades_with_a_note(self):
        parsed = parse(f.text_in_charset(f"Café {BODY}", "iso-8859-1", declared="utf-8"))
        assert "Caf\ufffd" in parsed.html
        assert any("utf-8" in note and "could not be decoded" in note for note in parsed.notes)

    def test_us_ascii_that_is_really_utf_8(self):
        parsed = parse(f.text_in_charset(f"Café {BODY}", "utf-8", declared="us-ascii"))
        assert "Café" in parsed.html
        assert parsed.notes  # the mislabel is worth knowing

    def test_no_declared_charset(self):
        assert "Café" in parse(f.text_in_charset(f"Café {BODY}", "utf-8", declared="")).html
        parsed = parse(f.text_in_charset(f"Café {BODY}", "iso-8859-1", declared=""))
        assert "Caf\ufffd" in parsed.html and parsed.notes

    def test_utf_16(self):
        parsed = parse(f.text_in_charset(f"Grüße {BODY}", "utf-16", cte="base64"))
        assert "Grüße" in parsed.html


class TestBroken:
    def test_wrong_boundary_shows_the_raw_text_with_a_note(self):
        parsed = parse(f.wrong_boundary())
        assert BODY in parsed.html
        assert any("MIME structure is damaged" in note for note in parsed.notes)

    def test_missing_closing_boundary_and_cut_image(self):
        parsed = parse(f.missing_close_boundary())
        assert BODY in parsed.html and parsed.images == []
        assert any("cut.png" in note for note in parsed.notes)

    def test_truncated_base64(self):
        parsed = parse(f.truncated_base64())
        assert "Solid-state batteries promise" in parsed.html
        assert_clean_text(parsed)

    def test_headers_only(self):
        assert refusal(b"From: ana@example.org\r\nSubject: nothing else").code == "no_body"

    def test_absurd_nesting_is_refused_not_crashed(self, monkeypatch):
        assert refusal(f.deeply_nested(300)).reason == emails.TOO_DEEP  # from the bytes, before parsing
        # Should the scan miss it, the email package's RecursionError is a refusal too. It recurses per
        # level (and slows down with each): a low limit keeps the test quick.
        monkeypatch.setattr(emails, "mime_depth", lambda raw, limit: 0)
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(250)
        try:
            caught = refusal(f.deeply_nested(300))
        finally:
            sys.setrecursionlimit(limit)
        assert caught.code == "not_an_email"

    def test_deep_but_sane_nesting(self):
        parsed = parse(f.deeply_nested(10))
        assert BODY in parsed.html
        assert refusal(f.deeply_nested(emails.MAX_DEPTH + 5)).code == "no_body"

    def test_unterminated_html_constructs(self):
        for tail in ['<a href="x', "<!-- never closed", "<div class=gmail_quote", "<script>alert(1)", "</"]:
            parsed = parse(f.html_only(f"<p>{BODY}</p>{tail}"))
            assert BODY in parsed.html
            assert "alert" not in sanitize_html(parsed.html)

    def test_mutated_messages_never_crash(self):
        rng = random.Random(20260302)
        seeds = [
            f.with_inline_image().as_bytes(),
            f.nested().as_bytes(),
            f.alternative(BODY, f.HOSTILE_HTML).as_bytes(),
            f.dsn(),
            f.subject_message(f.encoded_word("Привет", "koi8-r")),
        ]
        for round_number in range(80):
            data = bytearray(rng.choice(seeds))
            for _flip in range(rng.randint(1, 12)):
                position = rng.randrange(len(data))
                data[position] = rng.choice(b"<>\"'=;:\r\n-\x00\xff\xe9" + bytes([rng.randrange(256)]))
            if round_number % 5 == 0:
                data = data[: rng.randrange(len(data))]
            try:
                parsed = parse_message(bytes(data))
            except Refusal as caught:
                assert caught.code in ("not_an_email", "no_body") and caught.reason
            else:
                assert_clean_text(parsed)
                assert isinstance(parsed.auth, dict) and isinstance(parsed.images, list)
