"""contributions.emails.html_quotes: quoted replies and signatures cut from HTML.

On messages built by tests/contributions/email_factory.py."""

import pytest

from core.sanitizer import sanitize_html

from .. import email_factory as f
from ..email_factory import BODY
from .helpers import parse


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
