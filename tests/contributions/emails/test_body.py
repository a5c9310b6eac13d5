"""contributions.emails.body: which part is the body, and how it is read.

On messages built by tests/contributions/email_factory.py."""

from .. import email_factory as f
from ..email_factory import BODY
from .helpers import parse, refusal


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
