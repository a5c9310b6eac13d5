"""contributions.emails: the one email parser, on messages built by email_factory."""

import hashlib
import random
import re
import sys
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy

import pytest

from contributions import emails
from contributions.emails import ParsedEmail, Refusal, classify_auto, parse_authentication_results, parse_message
from core.sanitizer import sanitize_html

from . import email_factory as f
from .email_factory import BODY


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


# --- refusals ------------------------------------------------------------------------------------------------


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


# --- sender, threading and other headers -----------------------------------------------------------------------


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


# --- the body ----------------------------------------------------------------------------------------------


class TestBody:
    def test_plain_text_becomes_escaped_paragraphs(self):
        text = 'First <b>not bold</b> & "quotes".\nSame paragraph.\n\n\n  \nSecond: https://example.org/a?b=1&c=2\n\n'
        parsed = parse(f.plain(text + BODY))
        assert parsed.html.startswith(
            '<p>First &lt;b&gt;not bold&lt;/b&gt; &amp; "quotes".<br>Same paragraph.</p>'
            "<p>Second: https://example.org/a?b=1&amp;c=2</p><p>Solid-state"
        )
        assert "<a " not in parsed.html  # bare URLs stay text
        assert parsed.text_words == 9 + len(BODY.split())

    def test_html_is_preferred_over_plain(self):
        parsed = parse(f.alternative("PLAIN " + BODY, f"<html><body><h2>Title</h2><p>{BODY}</p></body></html>"))
        assert parsed.html.startswith("<h2>Title</h2><p>Solid-state")
        assert "PLAIN" not in parsed.html and "<body" not in parsed.html
        assert parsed.text_words == 1 + len(BODY.split())
        assert parsed.notes == []

    def test_the_last_alternative_wins(self):
        msg = f.message()
        msg.set_content(f"<p>FIRST {BODY}</p>", subtype="html")
        msg.add_alternative(f"<p>SECOND {BODY}</p>", subtype="html")
        assert "SECOND" in parse(msg).html and "FIRST" not in parse(msg).html

    def test_plain_when_the_html_alternative_is_empty(self):
        parsed = parse(f.alternative("PLAIN " + BODY, '<div class="gmail_quote">all quoted</div>'))
        assert parsed.html.startswith("<p>PLAIN Solid-state")

    def test_head_title_and_comments_are_dropped(self):
        html = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Window title</title>"
            "<style>p { color: red }</style></head><body><!-- a comment --><p>" + BODY + "</p></body></html>"
        )
        parsed = parse(f.html_only(html))
        assert parsed.html == f"<p>{BODY}</p>"

    def test_nested_mixed_alternative_related(self):
        parsed = parse(f.nested(html=f'<p>{BODY}</p><p><img src="cid:photo@example.org" alt="Photo"></p>'))
        assert parsed.html == f'<p>{BODY}</p><p><img src="cid:photo@example.org" alt="Photo"></p>'
        ((content_id, image),) = parsed.images
        assert content_id == "photo@example.org" and image.format == "PNG"
        assert any("notes.pdf" in note and "application/pdf" in note for note in parsed.notes)

    def test_an_attached_message_is_never_the_body(self):
        parsed = parse(f.with_attached_message())
        assert "forwarded text" not in parsed.html
        assert parsed.html == f"<p>{BODY}</p>"
        assert any("attached email" in note and "Old thread" in note for note in parsed.notes)

    def test_a_message_that_is_only_an_attached_message_has_no_body(self):
        msg = f.message()
        inner = f.plain("Inner text that is long enough. " + BODY)
        msg.set_content(inner)
        assert refusal(msg).code == "no_body"

    def test_inline_text_parts_are_joined(self):
        # Apple Mail splits the text around an inline picture into several parts of a multipart/mixed.
        msg = f.message()
        msg.set_content("First part of the text, before the picture. " + BODY)
        msg.add_attachment(f.png_bytes(), maintype="image", subtype="png", disposition="inline")
        msg.add_attachment("Second part, after the picture.", disposition="inline")
        parsed = parse(msg)
        assert "First part" in parsed.html and "Second part" in parsed.html
        assert len(parsed.images) == 1

    def test_text_attachments_are_not_the_body(self):
        msg = f.plain()
        msg.add_attachment("Attached notes, not the body.", filename="notes.txt")
        parsed = parse(msg)
        assert "Attached notes" not in parsed.html
        assert any("notes.txt" in note for note in parsed.notes)

    def test_format_flowed_is_joined(self):
        text = "This is a long line that the client \r\nwrapped softly.\r\nA hard break.\r\n\r\n" + BODY
        raw = f.raw_message([("Subject", "Flowed")], text, content_type="text/plain; charset=utf-8; format=flowed")
        html = parse(raw).html
        assert html.startswith("<p>This is a long line that the client wrapped softly.<br>A hard break.</p>")

    def test_format_flowed_delsp(self):
        text = "Joined with\r\nout a space. " + BODY
        raw = f.raw_message(
            [("Subject", "Flowed")],
            text.replace("with\r\n", "with \r\n"),
            content_type="text/plain; format=flowed; delsp=yes",
        )
        assert parse(raw).html.startswith("<p>Joined without a space.")

    def test_crlf_and_cr_line_endings(self):
        raw = f.raw_message([("Subject", "x")], ("One\rTwo\r\n\r\nThree " + BODY).encode())
        assert parse(raw).html.startswith("<p>One<br>Two</p><p>Three")

    def test_nul_and_control_characters_are_dropped(self):
        parsed = parse(f.raw_message([("Subject", "x")], ("A\x00B\x07C " + BODY).encode()))
        assert parsed.html.startswith("<p>ABC Solid-state")


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


# --- trimming ------------------------------------------------------------------------------------------------


class TestTrimPlain:
    @pytest.mark.parametrize(
        "tail",
        [
            "On Mon, 2 Mar 2026 at 10:00, Editor <ed@byline.example> wrote:\n> Please add sources.\n> Thanks",
            "On Mon, 2 Mar 2026 at 10:00, A Very Long Editor Name Indeed <\ned@byline.example> wrote:\n\n> quoted",
            "On 02/03/2026 10:00, Editor wrote:\n>\n> quoted\n>> deeper\n",
            "Le lun. 2 mars 2026 à 10:00, Rédaction <ed@byline.example> a écrit :\n> Merci",
            "Am Mo., 2. März 2026 um 10:00 Uhr schrieb Redaktion <ed@byline.example>:\n> Danke",
            "-----Original Message-----\nFrom: Editor\nSent: Monday\nTo: Ana\nSubject: Changes\n\nPlease add sources.",
            "----- Original Message -----\nFrom: Editor\n\nPlease add sources.",
            "From: Editor <ed@byline.example>\nSent: Monday, 2 March 2026 10:00\nTo: Ana\n\nPlease add sources.",
            "________________________________\nFrom: Editor\nSent: Monday\n\nPlease add sources.",
            "> trailing quote\n> block",
            "-- \nAna Writer\nCEO of Things\nhttps://ana.example",
            "--\nAna Writer\nCEO of Things",
            "Sent from my iPhone",
            "Sent from my Android phone",
            "Get Outlook for iOS",
            "Envoyé de mon iPhone",
            "Sent from my iPhone\n\nOn 2 Mar 2026, at 10:00, Editor <ed@byline.example> wrote:\n\n> Add sources.",
            "-- \nAna\n\nOn Mon, Editor wrote:\n> quoted",
        ],
    )
    def test_trimmed(self, tail):
        parsed = parse(f.plain(f"{BODY}\n\nBest,\nAna\n\n{tail}\n"))
        assert parsed.html == f"<p>{BODY}</p><p>Best,<br>Ana</p>"

    def test_inline_replies_keep_the_new_text(self):
        text = f"On Mon, Editor wrote:\n> Can you add sources?\n\nYes: {BODY}\n\n> And a photo?\n\nAttached.\n"
        html = parse(f.plain(text)).html
        assert "Yes: Solid-state" in html and "Attached." in html
        assert "&gt; Can you add sources?" in html

    def test_a_forward_without_a_comment_is_kept(self):
        text = f"-----Original Message-----\nFrom: Ana\nSent: Monday\nSubject: My piece\n\n{BODY}"
        assert BODY in parse(f.plain(text, subject="Fwd: My piece")).html

    def test_dashes_inside_the_text_are_not_a_signature(self):
        text = f"{BODY}\n--\nA second part of the article, after a separator line.\n" + "More text.\n" * 8
        assert "A second part" in parse(f.plain(text)).html

    def test_wrote_inside_a_sentence_is_kept(self):
        text = f"On Monday the minister wrote: cells are the future.\n\n{BODY}"
        assert "minister wrote" in parse(f.plain(text)).html


class TestTrimHtml:
    @pytest.mark.parametrize(
        "tail",
        [
            '<blockquote type="cite">On Mon, Editor wrote:<br>OLD</blockquote>',
            "<BLOCKQUOTE TYPE=CITE><div>OLD</div><blockquote type='cite'>OLDER</blockquote>OLD</BLOCKQUOTE>",
            '<div class="gmail_quote"><div class="gmail_attr">On Mon, Editor wrote:</div>'
            '<blockquote class="gmail_quote">OLD</blockquote></div>',
            '<div class="gmail_quote gmail_quote_container"><div dir="ltr">OLD</div></div>',
            '<div dir="ltr" class="gmail_signature" data-smartmail="gmail_signature">Ana — CEO OLD</div>',
            '<div class="moz-cite-prefix">On 02/03/2026, Editor wrote:<br></div><blockquote type="cite" '
            'cite="mid:x@y">OLD</blockquote>',
            '<pre class="moz-signature" cols="72">-- \nAna, CEO OLD</pre>',
            '<div id="appendonsend"></div><hr style="display:inline-block"><div id="divRplyFwdMsg"><b>From:</b> '
            "Editor OLD</div><div>OLD original</div><p>OLD more</p>",
            '<div class="OutlookMessageHeader"><b>From:</b> Editor</div><p>OLD original</p>',
            '<div id="divRplyFwdMsg"><b>From:</b> Editor OLD</div><div>OLD</div>',
            '<div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
            '<p class="MsoNormal"><b>From:</b> Editor<br><b>Sent:</b> Monday</p></div></div><p>OLD</p>',
            "<div><br></div><div>Sent from my iPhone</div>",
            '<div id="ms-outlook-mobile-signature">Get <a href="https://aka.ms/o0ukef">Outlook for iOS</a></div>',
        ],
    )
    def test_trimmed(self, tail):
        parsed = parse(f.html_only(f"<div><p>{BODY}</p><p>Best, Ana</p>{tail}</div>"))
        text = sanitize_html(parsed.html)
        assert "OLD" not in text and "Editor" not in text and "iPhone" not in text and "Outlook" not in text
        assert BODY in text and "Best, Ana" in text
        assert parsed.text_words == len(BODY.split()) + 2

    def test_apple_mail_interleaved_reply_keeps_the_answers(self):
        html = (
            '<blockquote type="cite">Can you add sources?</blockquote><div>Yes, here they are.</div>'
            f'<blockquote type="cite">And a photo?</blockquote><div>{BODY}</div>'
        )
        parsed = parse(f.html_only(html))
        assert "Yes, here they are." in parsed.html and BODY in parsed.html
        assert "Can you add" not in parsed.html and "a photo?" not in parsed.html

    def test_removed_blocks_leave_words_apart(self):
        parsed = parse(f.html_only(f'<p>{BODY}</p>end<blockquote type="cite">OLD</blockquote>word'))
        assert parsed.text_words == len(BODY.split()) + 2

    def test_outlook_forward_without_a_comment_is_kept(self):
        html = f'<div id="appendonsend"></div><div id="divRplyFwdMsg"><b>From:</b> Ana</div><p>{BODY}</p>'
        assert BODY in parse(f.html_only(html, subject="Fwd: My piece")).html

    def test_markers_in_text_or_other_attributes_are_not_markers(self):
        html = f'<p title="gmail_quote">{BODY}</p><p>The class gmail_quote is how Gmail marks quotes.</p>'
        html += '<blockquote type="quote">A real quotation in the article.</blockquote>'
        parsed = parse(f.html_only(html))
        assert "how Gmail marks quotes" in parsed.html and "A real quotation" in parsed.html

    def test_unclosed_quote_runs_to_the_end(self):
        assert parse(f.html_only(f'<p>{BODY}</p><div class="gmail_quote">OLD <div>OLD')).html == f"<p>{BODY}</p>"

    def test_cutting_never_joins_text_into_markup(self):
        html = f'<p>{BODY}</p>a<<blockquote type="cite">x</blockquote>script>alert(1)</script>'
        parsed = parse(f.html_only(html))
        assert "<script>" not in parsed.html and "<\n" not in parsed.html
        assert "<script" not in sanitize_html(parsed.html)


# --- images, documents, attachments ----------------------------------------------------------------------------


class TestImages:
    def test_inline_cid_image_keeps_its_content_id_and_reference(self):
        parsed = parse(f.with_inline_image())
        ((content_id, image),) = parsed.images
        assert content_id == "chart1@example.org"
        assert (image.format, image.width, image.height, image.content_type) == ("PNG", 40, 30, "image/png")
        assert '<img src="cid:chart1@example.org" alt="A chart">' in parsed.html

    def test_the_caller_can_swap_the_url(self):
        # What workflow.receive does with the content id.
        parsed = parse(f.with_inline_image())
        content_id = parsed.images[0][0]
        body = re.sub(rf"""(["'])cid:{re.escape(content_id)}\1""", r"\1/media/chart.png\1", parsed.html)
        assert '<img src="/media/chart.png" alt="A chart">' in sanitize_html(body, ugc=True)

    @pytest.mark.parametrize(
        ("reference", "cid"),
        [
            ("src=cid:chart1@example.org", "chart1@example.org"),
            ("src='CID:chart1@example.org'", "chart1@example.org"),
            ('src="cid:chart1%40example.org"', "chart1@example.org"),
            ('src=" cid:CHART1@EXAMPLE.ORG "', "chart1@example.org"),
        ],
    )
    def test_cid_references_are_normalized(self, reference, cid):
        parsed = parse(f.with_inline_image(f"<p>{BODY}</p><img {reference} width=40 onerror=alert(1)>", cid=cid))
        assert '<img src="cid:chart1@example.org" width="40">' in parsed.html
        assert "onerror" not in parsed.html

    def test_odd_content_ids_are_made_safe(self):
        cid = "a b\"c<d>'e"
        msg = f.with_inline_image(f'<p>{BODY}</p><img src="cid:a%20b%22c%3Cd%3E\'e">', cid="placeholder")
        msg.get_payload()[1].get_payload()[1].replace_header("Content-ID", f"<{cid}>")
        parsed = parse(msg)
        ((content_id, _image),) = parsed.images
        assert content_id == "a_b_c_d__e"
        assert f'<img src="cid:{content_id}">' in parsed.html

    def test_image_attachments_without_content_id(self):
        parsed = parse(f.with_attached_image(filename="photo.jpg", data=f.jpeg_bytes(), subtype="jpeg"))
        ((content_id, image),) = parsed.images
        assert content_id is None
        assert (image.format, image.filename) == ("JPEG", "photo.jpg")
        assert "<img" not in parsed.html

    def test_unreferenced_image_keeps_its_content_id(self):
        parsed = parse(f.with_attached_image(cid="spare@example.org"))
        assert parsed.images[0][0] == "spare@example.org"

    def test_image_sent_as_octet_stream_with_an_image_name(self):
        msg = f.plain()
        msg.add_attachment(f.png_bytes(), maintype="application", subtype="octet-stream", filename="IMG_1.PNG")
        assert parse(msg).images[0][1].format == "PNG"

    @pytest.mark.parametrize(
        ("data", "subtype", "filename"),
        [
            (b"<html>not an image</html>", "jpeg", "fake.jpg"),
            (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "svg+xml", "evil.svg"),
            (f.png_bytes()[:60], "png", "cut.png"),
            (b"", "png", "empty.png"),
        ],
    )
    def test_bad_images_are_dropped_with_a_note(self, data, subtype, filename):
        parsed = parse(f.with_attached_image(data=data, subtype=subtype, filename=filename))
        assert parsed.images == []
        assert any(filename in note for note in parsed.notes)

    def test_a_referenced_image_that_fails_loses_its_img(self):
        parsed = parse(f.with_inline_image(image=b"not a png"))
        assert parsed.images == [] and "cid:" not in parsed.html and "<img" not in parsed.html
        assert len([note for note in parsed.notes if "image" in note.lower()]) == 1

    def test_a_reference_to_a_missing_part_is_removed_with_a_note(self):
        parsed = parse(f.html_only(f'<p>{BODY}</p><img src="cid:nowhere@example.org" alt="x">'))
        assert "<img" not in parsed.html
        assert any("cid:nowhere@example.org" in note for note in parsed.notes)

    def test_images_only_in_the_quoted_reply_are_left_out(self):
        html = (
            f'<p>{BODY}</p><img src="cid:mine@x"><div class="gmail_quote">Editor wrote: '
            '<img src="cid:logo@byline.example"></div>'
        )
        msg = f.alternative(BODY, html)
        msg.get_payload()[1].add_related(f.png_bytes(), "image", "png", cid="<mine@x>")
        msg.get_payload()[1].add_related(f.png_bytes(color=(0, 0, 0)), "image", "png", cid="<logo@byline.example>")
        parsed = parse(msg)
        assert [content_id for content_id, _image in parsed.images] == ["mine@x"]
        assert any("quoted" in note for note in parsed.notes)

    def test_at_most_20_images(self):
        msg = f.plain()
        for number in range(emails.MAX_IMAGES + 3):
            msg.add_attachment(f.png_bytes((4, 4)), maintype="image", subtype="png", filename=f"p{number}.png")
        parsed = parse(msg)
        assert len(parsed.images) == 20 == emails.MAX_IMAGES
        assert [image.filename for _cid, image in parsed.images][-1] == "p19.png"
        assert any("3 more images" in note for note in parsed.notes)

    def test_images_is_a_list_the_caller_may_extend(self):
        parsed = parse(f.plain())
        parsed.images.append(("docx-image-0", None))
        assert len(parsed.images) == 1


class TestDocx:
    def test_docx_is_captured_and_a_short_body_is_enough(self):
        data = f.docx_bytes()
        parsed = parse(f.with_docx(data=data))
        assert (parsed.docx_name, parsed.docx_bytes) == ("piece.docx", data)
        assert parsed.text_words == 5

    def test_docx_with_no_body_at_all(self):
        parsed = parse(f.with_docx(""))
        assert parsed.docx_bytes.startswith(b"PK") and parsed.html == ""

    def test_docx_with_a_generic_content_type(self):
        msg = f.with_attachment(f.plain(""), f.docx_bytes(), "application", "octet-stream", "My Piece.DOCX")
        assert parse(msg).docx_name == "My Piece.DOCX"

    def test_docx_content_type_without_a_name(self):
        msg = f.with_attachment(f.plain(""), f.docx_bytes(), *f.DOCX_TYPE)
        assert parse(msg).docx_name == "document.docx"

    def test_only_the_first_docx(self):
        msg = f.with_docx(filename="first.docx")
        f.with_attachment(msg, f.docx_bytes("Second."), *f.DOCX_TYPE, filename="second.docx")
        parsed = parse(msg)
        assert parsed.docx_name == "first.docx"
        assert any("second.docx" in note for note in parsed.notes)


class TestAttachments:
    def test_other_attachments_are_noted(self):
        msg = f.plain()
        f.with_attachment(msg, b"%PDF-1.4", "application", "pdf", "cv.pdf")
        f.with_attachment(msg, b"PK\x03\x04", "application", "zip", None)
        parsed = parse(msg)
        assert "“cv.pdf” (application/pdf) was not kept" in " ".join(parsed.notes)
        assert any("application/zip" in note for note in parsed.notes)

    def test_encoded_attachment_names(self):
        msg = f.plain()
        f.with_attachment(msg, b"%PDF", "application", "pdf", "Résumé ünïcode.pdf")
        assert any("Résumé ünïcode.pdf" in note for note in parsed_notes(msg))

    def test_attachment_names_are_made_safe(self):
        msg = f.plain()
        f.with_attachment(msg, b"%PDF", "application", "pdf", "../../etc/pass\x07wd" + "x" * 300 + ".pdf")
        (note,) = parsed_notes(msg)
        assert "../" not in note and "\x07" not in note and "…" in note

    def test_signatures_are_not_noted(self):
        msg = f.plain()
        f.with_attachment(msg, b"-----BEGIN PGP SIGNATURE-----", "application", "pgp-signature", "signature.asc")
        assert parsed_notes(msg) == []


# --- automatic mail ---------------------------------------------------------------------------------------------


class TestAutomaticMail:
    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("Auto-Submitted", "auto-replied"),
            ("Auto-Submitted", "auto-generated"),
            ("Auto-Submitted", "Auto-Replied; owner-email=ana@example.org"),
            ("Auto-Submitted", "auto-notified"),
            ("Precedence", "bulk"),
            ("Precedence", "JUNK"),
            ("Precedence", "list"),
            ("Precedence", "auto_reply"),
            ("List-Id", "Newsletter <news.example.org>"),
            ("List-Unsubscribe", "<mailto:unsubscribe@example.org>"),
            ("X-Autoreply", "yes"),
            ("X-Autorespond", "Out of office"),
            ("X-Auto-Response-Suppress", "All"),
            ("X-Auto-Response-Suppress", "OOF"),
            ("X-Auto-Response-Suppress", "DR, RN, NRN, OOF, AutoReply"),
            ("Return-Path", "<>"),
            ("X-Failed-Recipients", "someone@example.org"),
        ],
    )
    def test_classified_and_not_refused(self, name, value):
        parsed = parse(f.auto([(name, value)]))
        assert parsed.auto_reason
        assert parsed.html  # parsed all the same: the caller decides (silently)

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("Auto-Submitted", "no"),
            ("Auto-Submitted", "No"),
            ("Precedence", "first-class"),
            ("X-Auto-Response-Suppress", "DR, RN"),
            ("X-Autoreply", "no"),
            ("Return-Path", "<ana@example.org>"),
        ],
    )
    def test_people(self, name, value):
        assert parse(f.auto([(name, value)])).auto_reason == ""

    @pytest.mark.parametrize(
        "sender",
        ["MAILER-DAEMON@mx.example.org", "Mail Delivery System <mailer-daemon@example.org>", "PostMaster@example.org"],
    )
    def test_daemons(self, sender):
        assert parse(f.plain(sender=sender)).auto_reason

    def test_a_person_is_not_automatic(self):
        assert parse(f.plain()).auto_reason == ""
        assert parse(f.plain(sender="postmaster-fan@example.org")).auto_reason == ""

    def test_delivery_status_notification(self):
        parsed = parse(f.dsn())
        assert parsed.auto_reason == "delivery report"
        assert "could not be delivered" in parsed.html and "Original." not in parsed.html

    def test_delivery_status_part_in_a_mixed_message(self):
        assert parse(f.delivery_status_in_mixed()).auto_reason == "delivery report"

    def test_automatic_mail_without_a_body_is_not_refused(self):
        assert parse(f.auto([("Auto-Submitted", "auto-replied")], text="")).auto_reason

    def test_classify_auto_on_a_message_object(self):
        msg = f.auto([("Precedence", "bulk")])
        assert classify_auto(msg) == "Precedence: bulk"
        assert classify_auto(BytesParser(policy=default_policy).parsebytes(f.plain().as_bytes())) == ""
        assert classify_auto(EmailMessage()) == ""


# --- Authentication-Results ---------------------------------------------------------------------------------------


class TestAuthenticationResults:
    @pytest.mark.parametrize(
        ("headers", "verdicts"),
        [
            (
                [
                    "mx.google.com;\r\n       dkim=pass header.i=@example.org header.s=s1 header.b=AbCd;\r\n"
                    "       spf=pass (google.com: domain of ana@example.org designates 192.0.2.1 as permitted sender)"
                    " smtp.mailfrom=ana@example.org;\r\n   dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.org"
                ],
                {"spf": "pass", "dkim": "pass", "dmarc": "pass"},
            ),
            (["mx.example.org;  SPF=SoftFail smtp.mailfrom=x;   DKIM = FAIL; dmarc=fail (p=reject)"],
             {"spf": "softfail", "dkim": "fail", "dmarc": "fail"}),
            (["mx.example.org;spf=neutral;dkim=none;dmarc=none"], {"spf": "neutral", "dkim": "none", "dmarc": "none"}),
            (["mx.example.org 1; spf=temperror smtp.mailfrom=x; dkim/1=permerror"],
             {"spf": "temperror", "dkim": "permerror"}),
            (["mx.example.org; spf=fail (reason; with; semicolons (nested)) smtp.mailfrom=x; dkim=pass"],
             {"spf": "fail", "dkim": "pass"}),
            (['mx.example.org; dkim=fail reason="bad; signature" header.d=x; dmarc=pass'],
             {"dkim": "fail", "dmarc": "pass"}),
            (["mx.example.org; dkim=fail header.d=a.example; dkim=pass header.d=b.example"], {"dkim": "pass"}),
            (["mx.example.org; spf=pass; spf=fail"], {"spf": "pass"}),
            (["mx.example.org; none"], {}),
            (["mx.example.org; arc=pass; bimi=pass; iprev=pass; auth=pass"], {}),
            (["mx.top.example; spf=fail", "mx.lower.example; spf=pass; dkim=pass"], {"spf": "fail"}),
            (["mx.byline.example; spf=pass", "mx.byline.example; dkim=fail; spf=fail"],
             {"spf": "pass", "dkim": "fail"}),
            (["garbage without structure", "mx.example.org; spf=pass"], {}),
            ([], {}),
        ],
    )  # fmt: skip
    def test_verdicts(self, headers, verdicts):
        raw = f.raw_message([("Authentication-Results", value) for value in headers], BODY)
        assert parse(raw).auth == verdicts
        assert parse_authentication_results(headers) == verdicts

    def test_received_spf_alone_is_not_a_verdict(self):
        assert parse(f.plain(headers=[("Received-SPF", "pass (example.org: 192.0.2.1)")])).auth == {}


# --- hostile and broken input ------------------------------------------------------------------------------------


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
