"""contributions.emails.headers: the sender, the subject and the other headers, decoded.

On messages built by tests/contributions/email_factory.py."""

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from contributions import emails

from .. import email_factory as f
from ..email_factory import BODY
from .helpers import assert_clean_text, parse


class TestSender:
    def test_name_and_lowercased_address(self):
        parsed = parse(f.plain(sender="Ana Writer <Ana.Writer@Example.ORG>"))
        assert (parsed.from_name, parsed.from_address) == ("Ana Writer", "ana.writer@example.org")

    def test_encoded_name(self):
        raw = f.raw_message([("Subject", "x")], BODY, sender=b"=?utf-8?q?Ren=C3=A9e_M=C3=BCller?= <renee@example.org>")
        assert parse(raw).from_name == "Renée Müller"

    def test_quoted_name_and_bare_address(self):
        assert parse(f.plain(sender='"Writer, Ana" <ana@example.org>')).from_name == "Writer, Ana"
        parsed = parse(f.plain(sender="ana@example.org"))
        assert (parsed.from_name, parsed.from_address) == ("", "ana@example.org")

    def test_raw_8bit_name_degrades(self):
        raw = f.raw_message([("Subject", "x")], BODY, sender=b"Ren\xe9e <renee@example.org>")
        parsed = parse(raw)
        assert parsed.from_address == "renee@example.org"
        assert parsed.from_name == "Ren\ufffde"

    def test_first_of_several_senders(self):
        parsed = parse(f.plain(sender="Ana <ana@example.org>, Bo <bo@example.org>"))
        assert parsed.from_address == "ana@example.org"

    def test_reply_to_that_differs_is_noted_but_from_is_kept(self):
        parsed = parse(f.plain(headers=[("Reply-To", "Someone <other@example.net>")]))
        assert parsed.from_address == "ana@example.org"
        assert any("other@example.net" in note and "Reply-To" in note for note in parsed.notes)
        assert not parse(f.plain(headers=[("Reply-To", "ANA@example.org")])).notes


class TestSubject:
    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            (b"=?iso-8859-1?q?Caf=E9_cr=E8me?=", "Café crème"),
            (f.encoded_word("Un café crème", "iso-8859-1", "q"), "Un café crème"),
            (f.encoded_word("Привет мир", "utf-8", "b"), "Привет мир"),
            (f.encoded_word("Grüße aus Köln", "utf-8", "q"), "Grüße aus Köln"),
            (f.encoded_word("Привет", "koi8-r", "b"), "Привет"),
            (f.encoded_word("日本語の記事", "shift_jis", "b"), "日本語の記事"),
            (f.encoded_word("Ελληνικά", "iso-8859-7", "q"), "Ελληνικά"),
            # Several charsets in one header; adjacent encoded words join without the space between them.
            (f.encoded_word("café", "iso-8859-1") + b" " + f.encoded_word("Привет", "koi8-r"), "caféПривет"),
            (b"Plain " + f.encoded_word("and encoded", "utf-8", "q") + b" words", "Plain and encoded words"),
            ("Raw UTF-8 in the header: café".encode(), "Raw UTF-8 in the header: café"),
            (b"Folded\r\n  over two lines", "Folded over two lines"),
        ],
    )
    def test_decoded_whatever_the_charset(self, header, expected):
        parsed = parse(f.subject_message(header))
        assert parsed.subject == expected
        assert not any("subject" in note for note in parsed.notes)

    @pytest.mark.parametrize(
        ("header", "readable"),
        [
            (b"=?x-unknown?q?caf=E9?=", "caf"),
            (b"Caf\xe9 raw latin-1", " raw latin-1"),
            (b"=?utf-8?q?caf=E9_wrong_charset?=", "caf"),
            (b"=?utf-8?b?broken base64?=", ""),
            (b"=?iso-8859-1?q?unterminated", "unterminated"),
            (b"\xff\xfe\x00garbage\x01\x07", "garbage"),
        ],
    )
    def test_unknown_wrong_or_raw_charsets_degrade(self, header, readable):
        parsed = parse(f.subject_message(header))
        assert readable in parsed.subject
        assert_clean_text(parsed)

    @pytest.mark.parametrize("header", [b"=?x-unknown?q?caf=E9?=", b"Caf\xe9 raw latin-1"])
    def test_undecodable_subject_shows_replacement_characters_and_a_note(self, header):
        parsed = parse(f.subject_message(header))
        assert "\ufffd" in parsed.subject
        assert any("subject" in note for note in parsed.notes)

    @pytest.mark.parametrize(
        ("subject", "kept"),
        [
            ("Fwd: My piece", "My piece"),
            ("FW: My piece", "My piece"),
            ("Fwd: Fw: My piece", "My piece"),
            ("Re: My piece", "Re: My piece"),
            ("Re: Fwd: My piece", "Re: Fwd: My piece"),
            ("Forwarding my piece", "Forwarding my piece"),
        ],
    )
    def test_only_a_leading_forward_prefix_is_removed(self, subject, kept):
        assert parse(f.plain(subject=subject)).subject == kept

    @pytest.mark.parametrize(
        ("subject", "title", "marker"),
        [
            ("My piece", "My piece", ""),
            ("Re: Changes requested: My piece [#abcdEFGH]", "Changes requested: My piece", "abcdEFGH"),
            ("RE: Re: Fwd: [#a1_-B2c3] About cells", "About cells", "a1_-B2c3"),
            ("[#abcdEFGH] Re: Title", "Title", "abcdEFGH"),
            ("Re[2]: AW: Title", "Title", ""),
            ("Re: [#short] Title", "[#short] Title", ""),
            ("Re: [#toolong123] Title", "[#toolong123] Title", ""),
            ("Re: [#abc$EFGH] Title", "[#abc$EFGH] Title", ""),
            ("Re:", "(no subject)", ""),
            ("", "(no subject)", ""),
            ("[#abcdEFGH]", "(no subject)", "abcdEFGH"),
        ],
    )
    def test_title_and_tracking_marker(self, subject, title, marker):
        parsed = parse(f.plain(subject=subject))
        assert parsed.title == title
        assert parsed.tracking_marker == marker

    def test_missing_subject(self):
        parsed = parse(f.plain(subject=None))
        assert (parsed.subject, parsed.title) == ("", "(no subject)")

    def test_title_is_at_most_200_characters(self):
        parsed = parse(f.plain(subject="Re: " + "word " * 100))
        assert len(parsed.title) <= 200 and parsed.title.startswith("word word")
        assert not parsed.title.endswith(" ")


class TestHeaders:
    def test_threading(self):
        parsed = parse(f.reply())
        assert parsed.message_id == "<m1@example.org>"
        assert parsed.in_reply_to == "<ours-1@byline.example>"
        assert parsed.references == ["<first@example.org>", "<ours-1@byline.example>"]
        assert parsed.tracking_marker == "abcdEFGH"

    def test_message_ids_are_normalized(self):
        raw = f.raw_message(
            [
                ("Message-ID", "  < spaced@example.org >  "),
                ("In-Reply-To", "Editor's message <a@x> (comment)"),
                ("References", "<one@x>\r\n\t<two@x> <one@x>"),
            ],
            BODY,
        )
        parsed = parse(raw)
        assert parsed.message_id == "<spaced@example.org>"
        assert parsed.in_reply_to == "<a@x>"
        assert parsed.references == ["<one@x>", "<two@x>"]

    def test_bare_message_id_gets_brackets(self):
        assert parse(f.raw_message([("Message-ID", "bare@example.org")], BODY)).message_id == "<bare@example.org>"

    def test_missing_message_id_and_the_content_hash(self):
        raw = f.plain(message_id=None).as_bytes()
        parsed = parse(raw)
        assert (parsed.message_id, parsed.in_reply_to, parsed.references) == ("", "", [])
        assert parsed.content_hash == hashlib.sha256(raw).hexdigest() == parse(raw).content_hash
        assert parsed.size == len(raw)
        assert parse(raw + b"\n").content_hash != parsed.content_hash

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("Mon, 02 Mar 2026 10:15:00 +0100", datetime(2026, 3, 2, 10, 15, tzinfo=timezone(timedelta(hours=1)))),
            ("Mon, 02 Mar 2026 10:15:00 -0000", datetime(2026, 3, 2, 10, 15, tzinfo=UTC)),
            ("2 Mar 2026 10:15 GMT", datetime(2026, 3, 2, 10, 15, tzinfo=UTC)),
            ("yesterday, around noon", None),
            ("Mon, 99 Foo 2026 99:99:99 +9999", None),
            ("", None),
        ],
    )
    def test_date(self, value, expected):
        date = parse(f.raw_message([("Date", value)], BODY)).date
        assert date == expected
        assert date is None or date.tzinfo is not None

    def test_return_path(self):
        assert parse(f.plain()).return_path is None
        assert parse(f.plain(headers=[("Return-Path", "<Bounce+X@Example.org>")])).return_path == "bounce+x@example.org"
        assert parse(f.plain(headers=[("Return-Path", "<>")])).return_path == ""

    def test_readable_headers(self):
        msg = f.reply(sender="=?utf-8?q?Ren=C3=A9e?= <renee@example.org>")
        msg["X-Mailer"] = "Mail " + "x" * 3000
        msg["Authentication-Results"] = "mx.byline.example; spf=pass"
        msg["Authentication-Results"] = "mx.byline.example; dkim=pass"
        msg["X-Secret-Internal"] = "not kept"
        headers = parse(msg).headers
        assert headers["From"] == "Renée <renee@example.org>"
        assert headers["Subject"] == "Re: Changes requested: My piece [#abcdEFGH]"
        assert headers["In-Reply-To"] == "<ours-1@byline.example>"
        assert headers["Authentication-Results"] == "mx.byline.example; spf=pass\nmx.byline.example; dkim=pass"
        assert len(headers["X-Mailer"]) == 2000
        assert "X-Secret-Internal" not in headers and "Cc" not in headers
        assert set(headers) <= set(emails.READABLE_HEADERS)
        assert all(isinstance(value, str) for value in headers.values())
