"""The one email parser, on messages built with the standard library's email package."""

import io
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from PIL import Image

from contributions import emails
from contributions.emails import Refusal, parse_message
from core.sanitizer import sanitize_html

from ..docx_factory import make_docx

BODY = "A paragraph about batteries that is long enough to count as a real guest post body. " * 3


def png_bytes(color=(0, 120, 0)):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, "PNG")
    return buffer.getvalue()


def base(subject="Guest post", sender="Ana Writer <ana@example.org>"):
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "contribute@byline.example"
    msg["Subject"] = subject
    msg["Message-ID"] = "<m1@example.org>"
    return msg


def parse(msg):
    return parse_message(msg.as_bytes())


class TestBodies:
    def test_plain_text_becomes_escaped_paragraphs(self):
        msg = base()
        msg.set_content("First <para> & more.\nSame paragraph.\n\nSecond paragraph. " + BODY)
        parsed = parse(msg)
        assert parsed.html.startswith("<p>First &lt;para&gt; &amp; more.<br>Same paragraph.</p><p>Second")
        assert parsed.from_name == "Ana Writer" and parsed.from_address == "ana@example.org"
        assert parsed.message_id == "<m1@example.org>"

    def test_html_is_preferred_over_plain(self):
        msg = base()
        msg.set_content("plain " + BODY)
        msg.add_alternative(f"<html><body><h1>Title</h1><p><b>{BODY}</b></p></body></html>", subtype="html")
        assert parse(msg).html.startswith("<h1>Title</h1><p><b>A paragraph")

    def test_nested_multiparts(self):
        outer = MIMEMultipart("mixed")
        outer["From"], outer["Subject"] = "ana@example.org", "Nested"
        alternative = MIMEMultipart("alternative")
        alternative.attach(MIMEText("plain " + BODY, "plain"))
        related = MIMEMultipart("related")
        related.attach(MIMEText(f"<p>{BODY}</p>", "html"))
        alternative.attach(related)
        outer.attach(alternative)
        assert parse_message(outer.as_bytes()).html == f"<p>{BODY}</p>"

    def test_quoted_replies_and_signatures_are_trimmed_from_plain_text(self):
        msg = base()
        msg.set_content(BODY + "\n\n-- \nAna Writer\nCEO of Things\n\nOn Mon, 1 Jan 2026, Editor wrote:\n> old text\n")
        parsed = parse(msg)
        assert "CEO of Things" not in parsed.html and "old text" not in parsed.html
        msg = base()
        msg.set_content(BODY + "\n\nOn Mon, 1 Jan 2026 at 10:00, Editor <ed@byline.example> wrote:\n> quoted\n> more")
        assert "quoted" not in parse(msg).html
        msg = base()
        msg.set_content(BODY + "\n\nSent from my iPhone")
        assert "iPhone" not in parse(msg).html

    def test_quoted_replies_and_signatures_are_trimmed_from_html(self):
        for marker in [
            '<div class="gmail_quote">On Mon, Editor wrote:<blockquote>old</blockquote></div>',
            '<blockquote type="cite">old</blockquote>',
            '<div class="moz-signature">-- Ana, CEO</div>',
            '<div id="appendonsend"></div><hr><b>From:</b> Editor',
        ]:
            msg = base()
            msg.add_alternative(f"<p>{BODY}</p>{marker}", subtype="html")
            html = parse(msg).html
            assert "old" not in html and "CEO" not in html and "From:" not in html, marker

    def test_no_body_is_refused(self):
        msg = base()
        msg.set_content("   \n")
        with pytest.raises(Refusal) as exc:
            parse(msg)
        assert exc.value.code == "no_body"

    def test_too_large_is_refused_before_parsing(self, monkeypatch):
        monkeypatch.setattr(emails, "MAX_MESSAGE_BYTES", 100)
        msg = base()
        msg.set_content(BODY)
        with pytest.raises(Refusal) as exc:
            parse(msg)
        assert exc.value.code == "too_large"
        with pytest.raises(Refusal):
            parse_message(b"x" * 101)

    def test_no_sender_is_refused(self):
        with pytest.raises(Refusal) as exc:
            parse_message(b"Subject: hi\r\n\r\n" + BODY.encode())
        assert exc.value.code == "not_an_email"

    def test_broken_mime_does_not_crash(self):
        raw = (
            b"From: ana@example.org\r\nSubject: Broken\r\nContent-Type: multipart/mixed; boundary=XYZ\r\n\r\n"
            b"--WRONG\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nnot*base64!!\r\n"
        )
        try:
            parse_message(raw)
        except Refusal as refusal:
            assert refusal.code == "no_body"


class TestHeaders:
    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            (b"=?iso-8859-1?q?Caf=E9_cr=E8me?=", "Café crème"),
            (b"=?utf-8?b?0J/RgNC40LLQtdGCINC80LjRgA==?=", "Привет мир"),
            (b"=?utf-8?q?caf=C3=A9?=", "café"),
            (b"=?koi8-r?b?8NLJ18XU?=", "Привет"),
            (b"=?shift_jis?b?k/qWe4zq?=", "日本語"),
        ],
    )
    def test_encoded_subjects(self, header, expected):
        raw = b"From: ana@example.org\r\nSubject: " + header + b"\r\n\r\n" + BODY.encode()
        assert parse_message(raw).subject == expected

    @pytest.mark.parametrize(
        "header",
        [b"=?x-unknown?q?caf=E9?=", b"Caf\xe9 raw latin-1", b"=?utf-8?b?broken base64?=", b"\xff\xfe\x00garbage"],
    )
    def test_broken_or_unknown_charsets_degrade_never_crash(self, header):
        raw = b"From: ana@example.org\r\nSubject: " + header + b"\r\n\r\n" + BODY.encode()
        parsed = parse_message(raw)
        assert isinstance(parsed.subject, str)
        parsed.subject.encode("utf-8")  # always valid text

    def test_body_in_a_wrong_declared_charset(self):
        raw = (
            b"From: ana@example.org\r\nSubject: x\r\nContent-Type: text/plain; charset=klingon\r\n\r\n"
            + BODY.encode()
            + b" caf\xe9"
        )
        parsed = parse_message(raw)
        assert "batteries" in parsed.html and "\ufffd" in parsed.html
        assert any("could not be decoded" in note for note in parsed.notes)

    def test_title_and_tracking_marker(self):
        msg = base(subject="Re: Fwd: Changes requested: My piece [#abcD_-12]")
        msg.set_content(BODY)
        parsed = parse(msg)
        assert parsed.tracking_marker == "abcD_-12"
        assert parsed.title == "Changes requested: My piece"
        msg = base(subject="")
        msg.set_content(BODY)
        assert parse(msg).title == "(no subject)"

    def test_threading_headers(self):
        msg = base()
        msg["In-Reply-To"] = "<ours-1@byline.example>"
        msg["References"] = "<a@x> <ours-1@byline.example>"
        msg.set_content(BODY)
        parsed = parse(msg)
        assert parsed.in_reply_to == "<ours-1@byline.example>"
        assert parsed.references == ["<a@x>", "<ours-1@byline.example>"]

    def test_content_hash_is_stable(self):
        msg = base()
        msg.set_content(BODY)
        assert parse(msg).content_hash == parse(msg).content_hash != ""

    @pytest.mark.parametrize(
        ("headers", "verdicts"),
        [
            (["mx.example.org; spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org; dmarc=pass"],
             {"spf": "pass", "dkim": "pass", "dmarc": "pass"}),
            (["mx.example.org;  SPF=SoftFail smtp.mailfrom=x;   DKIM = fail; dmarc=fail (p=reject)"],
             {"spf": "softfail", "dkim": "fail", "dmarc": "fail"}),
            (["mx.top.example; spf=fail", "mx.lower.example; spf=pass"], {"spf": "fail"}),
            ([], {}),
        ],
    )  # fmt: skip
    def test_authentication_results(self, headers, verdicts):
        msg = base()
        for value in headers:
            msg["Authentication-Results"] = value
        msg.set_content(BODY)
        assert parse(msg).auth == verdicts


class TestAutomaticMail:
    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("Auto-Submitted", "auto-replied"),
            ("Auto-Submitted", "auto-generated"),
            ("Precedence", "bulk"),
            ("Precedence", "junk"),
            ("Precedence", "list"),
            ("List-Id", "<news.example.org>"),
            ("List-Unsubscribe", "<mailto:u@example.org>"),
            ("X-Autoreply", "yes"),
            ("X-Autorespond", "yes"),
            ("X-Auto-Response-Suppress", "OOF, AutoReply"),
            ("Return-Path", "<>"),
            ("X-Failed-Recipients", "someone@example.org"),
        ],
    )
    def test_classified(self, name, value):
        msg = base()
        msg[name] = value
        msg.set_content(BODY)
        assert parse(msg).auto_reason

    def test_auto_submitted_no_is_a_person(self):
        msg = base()
        msg["Auto-Submitted"] = "no"
        msg.set_content(BODY)
        assert parse(msg).auto_reason == ""

    @pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.example.org", "postmaster@example.org"])
    def test_daemons(self, sender):
        msg = base(sender=sender)
        msg.set_content(BODY)
        assert parse(msg).auto_reason

    def test_delivery_status_notification(self):
        raw = (
            b"From: mx@example.org\r\nSubject: Undelivered\r\n"
            b"Content-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n"
            b"--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
            b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
            b"Final-Recipient: rfc822; x@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n--B--\r\n"
        )
        assert parse_message(raw).auto_reason == "delivery report"


class TestAttachments:
    def test_inline_cid_image_is_kept_with_its_content_id(self):
        msg = base()
        msg.set_content(BODY)
        msg.add_alternative(f'<p>{BODY}</p><img src="cid:chart1@x" alt="Chart">', subtype="html")
        msg.get_payload()[1].add_related(png_bytes(), "image", "png", cid="<chart1@x>")
        parsed = parse(msg)
        ((content_id, image),) = parsed.images
        assert content_id == "chart1@x"
        assert image.format == "PNG"
        assert 'src="cid:chart1@x"' in parsed.html

    def test_attached_images_and_bad_images(self):
        msg = base()
        msg.set_content(BODY)
        msg.add_attachment(png_bytes(), maintype="image", subtype="png", filename="photo.png")
        msg.add_attachment(b"<html>not an image</html>", maintype="image", subtype="jpeg", filename="fake.jpg")
        parsed = parse(msg)
        assert len(parsed.images) == 1
        assert any("fake.jpg" in note for note in parsed.notes)

    def test_docx_attachment_is_captured_and_the_body_may_be_short(self):
        msg = base()
        msg.set_content("Hi, my piece is attached.")
        msg.add_attachment(
            make_docx(paragraphs=[BODY]),
            maintype="application",
            subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
            filename="piece.docx",
        )
        parsed = parse(msg)
        assert parsed.docx_name == "piece.docx" and parsed.docx_bytes.startswith(b"PK")

    def test_other_attachments_and_attached_messages_are_noted(self):
        msg = base()
        msg.set_content(BODY)
        msg.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="cv.pdf")
        inner = base(subject="Inner")
        inner.set_content("inner text")
        msg.add_attachment(inner)
        parsed = parse(msg)
        assert "inner text" not in parsed.html
        assert any("cv.pdf" in note for note in parsed.notes)
        assert any("attached email" in note for note in parsed.notes)


def test_hostile_html_never_survives_the_sanitizer():
    msg = base()
    msg.add_alternative(
        f"<p>{BODY}</p><script>alert(1)</script><p onclick='x()'>c</p><a href='javascript:alert(1)'>j</a>"
        "<a href='data:text/html,x'>d</a><svg onload='alert(1)'><circle/></svg><iframe src='https://e.example'>"
        "</iframe><form action='https://e.example'><input></form>"
        "<meta http-equiv='refresh' content='0;url=https://e.example'><img src=x onerror='alert(1)'>",
        subtype="html",
    )
    clean = sanitize_html(parse(msg).html, ugc=True)
    for bad in ["<script", "onclick", "javascript:", "data:", "<svg", "<iframe", "<form", "<input", "<meta", "onerror"]:
        assert bad not in clean
