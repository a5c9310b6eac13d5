"""contributions.emails (the entry point): what is refused, and hostile input, end to end.

On messages built by tests/contributions/email_factory.py."""

import pytest

from contributions import emails
from contributions.emails import parse_message
from core.sanitizer import sanitize_html

from .. import email_factory as f
from ..email_factory import BODY
from .helpers import parse, refusal


class TestRefusals:
    def test_too_large_is_checked_first_without_parsing(self, monkeypatch):
        monkeypatch.setattr(emails, "MAX_MESSAGE_BYTES", 1000)
        assert refusal(f.huge(1001)).code == "too_large"
        assert refusal(b"\x00" * 1001).code == "too_large"  # not even an email: the size is checked first
        assert parse(f.plain("Short but fine. " + BODY)).size < 1000

    def test_exactly_the_limit_is_parsed(self, monkeypatch):
        raw = f.plain().as_bytes()
        monkeypatch.setattr(emails, "MAX_MESSAGE_BYTES", len(raw))
        assert parse(raw).size == len(raw)

    def test_real_limit_is_25_mb(self):
        assert emails.MAX_MESSAGE_BYTES == 25 * 1024 * 1024
        data = b"x" * (emails.MAX_MESSAGE_BYTES + 1)
        caught = refusal(data)
        assert caught.code == "too_large" and "25 MB" in caught.reason

    @pytest.mark.parametrize(
        "raw",
        [
            b"",
            b"just some text, no headers at all",
            f.raw_message([("Subject", "No sender")], BODY, sender=None),
            f.raw_message([("Subject", "Group")], BODY, sender=b"undisclosed-recipients:;"),
            f.raw_message([("Subject", "Not an address")], BODY, sender=b"Ana Writer"),
            f.raw_message([("Subject", "Half")], BODY, sender=b"ana@"),
            f.raw_message([("Subject", "Null")], BODY, sender=b"<>"),
            f.raw_message([("Subject", "8bit")], BODY, sender=b"caf\xe9@example.org"),
            bytes(range(256)) * 4,
        ],
    )
    def test_no_usable_sender_is_not_an_email(self, raw):
        caught = refusal(raw)
        assert caught.code == "not_an_email"
        assert caught.reason

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "   \n\n\t\n",
            "-- \nAna Writer\nCEO of Things",
            "On Mon, 2 Mar 2026 at 10:00, Editor <ed@byline.example> wrote:\n> Please send it again.\n> Thanks",
            "> only\n> quoted\n> text",
            "Sent from my iPhone",
        ],
    )
    def test_no_body_after_trimming(self, text):
        caught = refusal(f.plain(text))
        assert caught.code == "no_body"
        assert isinstance(caught, Exception) and caught.reason == str(caught)

    def test_an_image_alone_is_no_body(self):
        assert refusal(f.with_attached_image("")).code == "no_body"

    def test_empty_html_is_no_body(self):
        assert refusal(f.html_only("<html><head><title>Title only</title></head><body> </body></html>")).code == (
            "no_body"
        )

    def test_str_input_is_accepted(self):
        assert parse_message(f.plain().as_string()).from_address == "ana@example.org"


class TestHostile:
    @pytest.mark.parametrize("build", ["html_only", "alternative", "inline"])
    def test_nothing_executable_survives_the_sanitizer(self, build):
        if build == "html_only":
            msg = f.html_only(f.HOSTILE_HTML)
        elif build == "alternative":
            msg = f.alternative(BODY, f.HOSTILE_HTML)
        else:
            msg = f.with_inline_image(f.HOSTILE_HTML + '<img src="cid:chart1@example.org" onerror="alert(9)">')
        parsed = parse(msg)
        clean = sanitize_html(parsed.html, ugc=True).lower()
        for marker in f.HOSTILE_MARKERS:
            assert marker not in clean, marker
        assert BODY.lower() in clean

    def test_plain_text_markup_is_only_text(self):
        parsed = parse(f.plain(f.HOSTILE_HTML))
        assert "<script" not in parsed.html and "<img" not in parsed.html and "<a " not in parsed.html
        assert "&lt;script&gt;" in parsed.html

    def test_rebuilt_img_escapes_its_attributes(self):
        html = f'<p>{BODY}</p><img src="cid:chart1@example.org" alt=\'"><script>alert(1)</script>\' title=&lt;b&gt;>'
        parsed = parse(f.with_inline_image(html))
        assert '<img src="cid:chart1@example.org" alt="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in parsed.html
        assert "<script>" not in parsed.html

    def test_hostile_headers_stay_text(self):
        parsed = parse(f.plain(sender='"<script>alert(1)</script>" <ana@example.org>', subject="<img src=x onerror=1>"))
        assert parsed.from_name == "<script>alert(1)</script>" and parsed.subject == "<img src=x onerror=1>"
        assert parsed.html == f"<p>{BODY}</p>"
