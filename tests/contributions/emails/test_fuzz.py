"""Fuzzing the one email parser: "The email parser never raises on any input".

What is allowed, precisely:

- `parse_message(raw)` returns a `ParsedEmail` whose fields have their documented
  types: text is `str` (never bytes), free of lone surrogates and NULs (the
  database takes neither), and the HTML passes through the sanitizer clean;
- or it raises `Refusal` with one of the documented codes ("too_large",
  "not_an_email", "no_body"). That is the only exception the caller handles:
  `inbound.ingest` records a refused message; anything else propagates out of
  `ingest`, so `ingest_email` and `poll_imap` stop and the message is retried
  again and again;
- and the refusal must be a decision, not a crash. `parse_message` ends in a
  last-resort net that turns an exception in its own code into
  `Refusal("not_an_email", "The message could not be read (...)")`: reaching it
  means a bug that loses a guest post, so these tests fail on it too. Only the
  email package's own parser failing ("could not be parsed", e.g. RecursionError
  on absurd nesting) is an accepted refusal.
"""

import base64
import hashlib
import quopri
import re
import traceback
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contributions.emails import AUTH_METHODS, MAX_NOTES, ParsedEmail, Refusal, parse_message
from contributions.uploads import ProcessedImage
from core.sanitizer import sanitize_html
from tests.core.html_safety import policy_violations

from .. import email_factory as factory

REFUSAL_CODES = {"too_large", "not_an_email", "no_body"}
# The email package itself gave up (too deep for its recursive parser, or a bug of its own): accepted.
PARSER_FAILED = (
    "The message could not be parsed.",
    "The message could not be parsed: its parts are nested too deeply.",
)

FUZZ = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


# Control characters other than tab and line breaks: the parser removes them from all it returns.
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean_text(value, what):
    assert isinstance(value, str), f"{what} is {type(value).__name__}, not str"
    value.encode("utf-8")  # raises on a lone surrogate
    assert not CONTROLS.search(value), f"control character (a NUL is refused by PostgreSQL) in {what}: {value!r}"


def check(raw: bytes):
    """Parse `raw`; fail unless the outcome is one of those the module docstring allows."""
    try:
        parsed = parse_message(raw)
    except Refusal as refusal:
        assert refusal.code in REFUSAL_CODES, refusal.code
        _clean_text(refusal.reason, "reason")
        crash = refusal.__cause__
        assert crash is None or refusal.reason in PARSER_FAILED, "".join(traceback.format_exception(crash))
        return refusal
    assert isinstance(parsed, ParsedEmail)
    for name in ("message_id", "in_reply_to", "subject", "from_name", "from_address", "html", "auto_reason"):
        _clean_text(getattr(parsed, name), name)
    _clean_text(parsed.title, "title")
    assert 0 < len(parsed.title) <= 200
    _clean_text(parsed.tracking_marker, "tracking_marker")
    assert "@" in parsed.from_address
    assert parsed.content_hash == hashlib.sha256(raw).hexdigest() and parsed.size == len(raw)
    for reference in parsed.references:
        _clean_text(reference, "references")
    assert parsed.return_path is None or isinstance(parsed.return_path, str)
    assert parsed.date is None or (isinstance(parsed.date, datetime) and parsed.date.tzinfo is not None)
    for content_id, image in parsed.images:
        assert content_id is None or isinstance(content_id, str)
        assert isinstance(image, ProcessedImage) and isinstance(image.content, bytes)
    assert (parsed.docx_name is None) == (parsed.docx_bytes is None)
    assert parsed.docx_name is None or (isinstance(parsed.docx_name, str) and isinstance(parsed.docx_bytes, bytes))
    assert len(parsed.notes) <= MAX_NOTES + 1
    for note in parsed.notes:
        _clean_text(note, "note")
    assert set(parsed.auth) <= set(AUTH_METHODS)
    for key, value in [*parsed.auth.items(), *parsed.headers.items()]:
        _clean_text(key, "header name")
        _clean_text(value, f"header {key}")
    assert isinstance(parsed.text_words, int)
    assert parsed.text_words > 0 or parsed.docx_bytes is not None or parsed.auto_reason
    # What the caller does next: the HTML goes through the one sanitizer.
    assert policy_violations(sanitize_html(parsed.html, ugc=True)) == []
    return parsed


# --- (a) arbitrary bytes -------------------------------------------------------------------------------------


@settings(FUZZ, max_examples=300)
@given(raw=st.binary(max_size=2000))
def test_arbitrary_bytes(raw):
    check(raw)


MIME_HEAD = st.sampled_from(
    [
        b"From: ana@example.org\r\n\r\n",
        b"From: ana@example.org\r\nContent-Type: text/html; charset=utf-8\r\n\r\n",
        b"From: ana@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n",
        b"From: ana@example.org\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: ",
        b"From: ana@example.org\r\nContent-Transfer-Encoding: base64\r\n\r\n",
        b"From: ana@example.org\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
        b"From: ana@example.org\r\nSubject: =?",
        b"From: ",
    ]
)


@settings(FUZZ, max_examples=300)
@given(head=MIME_HEAD, tail=st.binary(max_size=1500))
def test_arbitrary_bytes_after_a_plausible_start(head, tail):
    """Random bytes get past the From check only rarely on their own: give them a head start."""
    check(head + tail)


# --- (b) generated messages ----------------------------------------------------------------------------------

CHARSETS = [
    "utf-8", "us-ascii", "iso-8859-1", "windows-1252", "koi8-r", "shift_jis", "utf-16", "utf-32", "utf-7",
    "x-unknown", "", "unicode-1-1-utf-7", "idna", "punycode", "rot13", "base64", "undefined", "utf-8*en",
    "iso-2022-jp", "gb2312", '"utf-8"', "utf-8'en'", "\xff\xfe",
]  # fmt: skip
LIES = st.sampled_from(CHARSETS)
WORDS = st.text(st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=40)
ANY_TEXT = st.text(max_size=300)
RAW_BYTES = st.binary(max_size=200)
LINE_BYTES = RAW_BYTES.map(lambda data: data.replace(b"\r", b"").replace(b"\n", b""))


@st.composite
def encoded_words(draw):
    charset = draw(LIES)
    encoding = draw(st.sampled_from(["Q", "q", "B", "b", "X", ""]))
    payload = draw(
        st.one_of(
            WORDS.map(lambda text: base64.b64encode(text.encode()).decode()),
            WORDS.map(lambda text: quopri.encodestring(text.encode(), header=True).decode("latin-1")),
            st.sampled_from(["broken base64", "=E9=ZZ=", "====", "=", "_", "?", "w6k", "w6", "=C3"]),
            WORDS,
        )
    )
    return f"=?{charset}?{encoding}?{payload}?=".encode("utf-8", "surrogateescape")


HEADER_VALUES = st.one_of(
    WORDS.map(str.encode),
    encoded_words(),
    st.lists(encoded_words(), min_size=2, max_size=4).map(b" ".join),
    LINE_BYTES,
    st.integers(900, 20_000).map(lambda size: b"x" * size),
    st.integers(10, 400).map(lambda size: b"(" * size + b"a@b" + b")" * (size // 2)),
    st.lists(WORDS.map(str.encode), min_size=2, max_size=5).map(b"\r\n\t".join),
    st.sampled_from(
        [
            b"\x00\x01\x02",
            b"\xff\xfe\xfd raw 8-bit",
            b"Caf\xe9",
            b"<>",
            b"<@>",
            b'"unterminated <ana@example.org',
            b"group: a@b.c, d@e.f;",
            b"=?utf-8?q?=00?=",
            b"mx.example.org; spf=pass (a (nested (comment))) smtp.mailfrom=x; dkim=fail; dmarc=none",
            b"auto-replied",
            b"bulk",
            b"Mon, 32 Foo 99999 25:61:61 +9999",
            b"Thu, 01 Jan 1970 00:00:00 -0000",
        ]
    ),
)
HEADER_NAMES = st.sampled_from(
    [
        b"From", b"To", b"Cc", b"Subject", b"Date", b"Message-ID", b"In-Reply-To", b"References", b"Reply-To",
        b"Return-Path", b"Authentication-Results", b"Auto-Submitted", b"Precedence", b"List-Id", b"X-Autoreply",
        b"X-Auto-Response-Suppress", b"Content-Type", b"Content-Transfer-Encoding", b"Content-Disposition",
        b"Content-ID", b"MIME-Version", b"X-Failed-Recipients", b"Received-SPF", b"X-Mailer",
    ]
)  # fmt: skip
GOOD_SENDERS = [b"Ana Writer <ana@example.org>", b"ana@example.org", b"=?utf-8?q?Ana_W=C3=A9?= <a@b.example>"]
# Mostly a usable sender, or the message is refused before its body is read.
SENDERS = st.integers(0, 4).flatmap(lambda pick: st.sampled_from(GOOD_SENDERS) if pick else HEADER_VALUES)
EXTRA_HEADERS = st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=5)

TYPES = [
    "text/plain", "text/html", "text/markdown", "text/x-unknown", "image/png", "image/gif", "image/jpeg",
    "application/octet-stream", "application/pdf", factory.DOCX_TYPE[0] + "/" + factory.DOCX_TYPE[1],
    "message/delivery-status", "application/pgp-signature", "garbage", "text/", "application/x\x00nul",
    "message/x\x01\x7f", "image/png\x00",
]  # fmt: skip
ENCODINGS = ["7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "BASE64", "garbage", None]
FILENAMES = [
    None,
    b'filename="photo.png"',
    b"filename*=utf-8''%E2%82%AC%20chart.png",
    b"filename*0*=utf-8''%E2%82; filename*1*=%AC.docx",
    b"filename*=x-bad'en'%FF%FE.png",
    b'filename="=?utf-8?b?w6k=?=.png"',
    b'filename="../../etc/passwd"',
    b"filename*0=a; filename*2=c",
    b"name=\xff\xfe.jpg",
]
PNG = factory.png_bytes()
DOCX = factory.docx_bytes()
# Pieces of what mail clients write: quoted replies, signatures, Outlook's headers, cid: images, broken tags.
HTML_PIECES = [
    "<html><head><title>t</title><style>p{}</style></head><body>", "</body></html>", "<head>", "<p>", "</p>",
    '<div class="gmail_quote">', '<blockquote type="cite">', "</blockquote>", "</div>", '<div id="appendonsend">',
    '<div style="border-top:solid #E1E1E1 1.0pt">', '<div class="moz-signature">-- Ana</div>', "<!-- c -->",
    '<img src="cid:chart1@example.org" alt="A">', '<img src="cid:%3Cx%3E">', "<img src=cid:>", "<script>x",
    "<title>", "<", "</", "<p class=", "Sent from my iPhone", "On Mon, Ana wrote:", "> quoted", "\n-- \n",
    "&amp;", "&#0;", "&#xD800;", "<plaintext>", "<textarea>", "<svg><p>",
]  # fmt: skip
EMAIL_HTML = st.lists(st.one_of(st.sampled_from(HTML_PIECES), WORDS), max_size=15).map("".join)
BODY_TEXTS = st.one_of(ANY_TEXT, st.just(factory.BODY), st.just(factory.HOSTILE_HTML), EMAIL_HTML)
TEXT_PARAMETERS = [b"", b"; format=flowed", b"; format=flowed; delsp=yes", b"; name=body.txt"]


@st.composite
def leaf_parts(draw):
    ctype = draw(st.sampled_from(TYPES))
    charset = draw(LIES)
    headers = [
        b"Content-Type: "
        + ctype.encode()
        + (b"; charset=" + charset.encode("utf-8", "replace"))
        + draw(st.sampled_from(TEXT_PARAMETERS))
    ]
    encoding = draw(st.sampled_from(ENCODINGS))
    if encoding:
        headers.append(b"Content-Transfer-Encoding: " + encoding.encode())
    filename = draw(st.sampled_from(FILENAMES))
    if filename:
        disposition = draw(st.sampled_from([b"attachment", b"inline", b"", b"attachment;"]))
        headers.append(b"Content-Disposition: " + disposition + b"; " + filename)
    if draw(st.booleans()):
        headers.append(b"Content-ID: <" + draw(LINE_BYTES)[:40] + b">")
    if ctype.startswith("image/") or ctype == "application/octet-stream":
        data = draw(st.sampled_from([PNG, PNG[: len(PNG) // 2], b"GIF89a", b""]))
    else:
        text = draw(BODY_TEXTS)
        data = text.encode(draw(st.sampled_from(["utf-8", "latin-1", "utf-16"])), "replace")
    if encoding and encoding.lower() == "base64":
        data = base64.encodebytes(data)
        data = draw(st.sampled_from([data, data[:-3] + b"*!", data.replace(b"=", b""), data[: len(data) // 3]]))
    elif encoding == "quoted-printable":
        data = quopri.encodestring(data) + draw(st.sampled_from([b"", b"=ZZ", b"=", b"=\r\n", b"=E"]))
    elif encoding == "x-uuencode":
        data = draw(st.sampled_from([b"begin 644 x\n" + data + b"\nend\n", data]))
    return b"\r\n".join(headers) + b"\r\n\r\n" + data


@st.composite
def multiparts(draw, children):
    subtype = draw(st.sampled_from(["mixed", "alternative", "related", "signed", "encrypted", "report", "x-odd"]))
    boundary = b"b" + str(draw(st.integers(0, 10**6))).encode()
    parameter = draw(
        st.sampled_from(
            [
                b"boundary=" + boundary,
                b'boundary="' + boundary + b'"',
                b"boundary*0=" + boundary[:1] + b"; boundary*1=" + boundary[1:],
                b"boundary*=utf-8''" + boundary,
                b'boundary=""',
                b"",
                b"boundary=other",
            ]
        )
    )
    start = draw(st.sampled_from([b"", b"; start=<x@y>", b"; type=text/html", b"; report-type=delivery-status"]))
    parts = draw(st.lists(children, max_size=4))
    close = draw(st.sampled_from([b"--" + boundary + b"--\r\n", b"", b"--" + boundary + b"\r\n", b"--wrong--"]))
    preamble = draw(st.sampled_from([b"", b"This is a MIME message.\r\n", b"--" + boundary[:-1] + b"\r\n"]))
    body = preamble + b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts) + close
    head = b"Content-Type: multipart/" + subtype.encode() + b"; " + parameter + start
    return head + b"\r\n\r\n" + body


@st.composite
def attached_messages(draw, children):
    return b"Content-Type: message/rfc822\r\n\r\nFrom: else@example.net\r\nSubject: old\r\n" + draw(children)


PARTS = st.recursive(
    leaf_parts(), lambda children: st.one_of(multiparts(children), attached_messages(children)), max_leaves=6
)


@st.composite
def generated_messages(draw):
    headers = [b"From: " + draw(SENDERS)]
    headers += [name + b": " + value for name, value in draw(EXTRA_HEADERS)]
    if draw(st.booleans()):
        headers.append(b"MIME-Version: 1.0")
    separator = draw(st.sampled_from([b"\r\n", b"\n"]))
    message = b"\r\n".join(headers) + b"\r\n" + draw(PARTS)
    return message.replace(b"\r\n", separator)


@settings(FUZZ, max_examples=300)
@given(raw=generated_messages())
def test_generated_messages(raw):
    check(raw)


@settings(FUZZ, max_examples=100)
@given(
    subject=WORDS.map(lambda text: " ".join(text.splitlines())),  # EmailMessage refuses line breaks in headers
    text=ANY_TEXT,
    html=st.one_of(ANY_TEXT, st.just(factory.HOSTILE_HTML)),
    cte=st.sampled_from([None, "8bit", "base64", "quoted-printable"]),
    charset=LIES,
    attachment=st.sampled_from([None, "image", "docx", "pdf", "message"]),
)
def test_messages_built_with_the_email_package(subject, text, html, cte, charset, attachment):
    """EmailMessage builds them correctly; the declared charset is then swapped for one that may lie."""
    msg = factory.message(subject=subject)
    msg.set_content(text, cte=cte)
    msg.add_alternative(html, subtype="html", cte=cte)
    if attachment == "image":
        factory.with_attachment(msg, PNG, "image", "png", "photo.png")
    elif attachment == "docx":
        factory.with_attachment(msg, DOCX, *factory.DOCX_TYPE, "piece.docx")
    elif attachment == "pdf":
        factory.with_attachment(msg, b"%PDF-1.4", "application", "pdf")
    elif attachment == "message":
        msg.add_attachment(factory.plain("inner"))
    raw = msg.as_bytes().replace(b'charset="utf-8"', b'charset="' + charset.encode("utf-8", "replace") + b'"')
    check(raw)


@settings(FUZZ, max_examples=15)
@given(levels=st.integers(1, 150), text=st.sampled_from([factory.BODY, ""]))
def test_deeply_nested_multiparts(levels, text):
    check(factory.deeply_nested(levels).replace(factory.BODY.encode(), text.encode()))


# --- (c) mutations of realistic messages ---------------------------------------------------------------------

SEEDS = [
    factory.plain().as_bytes(),
    factory.alternative(factory.BODY, f"<p>{factory.BODY}</p>").as_bytes(),
    factory.with_inline_image().as_bytes(),
    factory.nested().as_bytes(),
    factory.with_docx().as_bytes(),
    factory.reply().as_bytes(),
    factory.with_attached_message().as_bytes(),
    factory.dsn(),
    factory.truncated_base64(),
    factory.subject_message(factory.encoded_word("Привет", "koi8-r")),
    factory.text_in_charset("Café crème brûlée " * 10, "latin-1", declared="utf-8", cte="quoted-printable"),
]
MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "truncate", "delete_line", "duplicate_line", "insert", "boundary", "swap_lines"]),
        st.integers(0, 1 << 16),
        st.integers(0, 255),
        st.binary(max_size=8),
    ),
    min_size=1,
    max_size=6,
)


def mutate(raw: bytes, mutations) -> bytes:
    data = bytearray(raw)
    for kind, position, value, insert in mutations:
        lines = bytes(data).split(b"\n")
        at = position % max(1, len(data))
        line = position % len(lines)
        if kind == "flip" and data:
            data[at] = value
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = insert
        elif kind == "delete_line":
            data = bytearray(b"\n".join(lines[:line] + lines[line + 1 :]))
        elif kind == "duplicate_line":
            data = bytearray(b"\n".join(lines[: line + 1] + lines[line:]))
        elif kind == "swap_lines":
            other = value % len(lines)
            lines[line], lines[other] = lines[other], lines[line]
            data = bytearray(b"\n".join(lines))
        elif kind == "boundary":
            # Damage the boundary lines: a character less, another one, or the closing dashes gone.
            boundaries = [index for index, text in enumerate(lines) if text.startswith(b"--")]
            if boundaries:
                index = boundaries[position % len(boundaries)]
                text = lines[index].rstrip(b"\r")
                lines[index] = [text[:-1], text + b"x", text.rstrip(b"-"), b"--", text[:2] + insert][value % 5]
                data = bytearray(b"\n".join(lines))
    return bytes(data)


@settings(FUZZ, max_examples=400)
@given(seed=st.sampled_from(SEEDS), mutations=MUTATIONS)
def test_mutated_real_messages(seed, mutations):
    check(mutate(seed, mutations))


def test_seeds_parse_before_mutation():
    """The seeds are real messages: unmutated, each one parses (or is the bounce it is meant to be)."""
    outcomes = [check(seed) for seed in SEEDS]
    assert all(isinstance(outcome, ParsedEmail) for outcome in outcomes)
    assert [outcome.auto_reason for outcome in outcomes].count("delivery report") == 1


# --- found by the fuzzing --------------------------------------------------------------------------------------


def test_control_characters_of_a_content_type_stay_out_of_the_notes():
    """A NUL in an attachment's Content-Type went into an editor's note (PostgreSQL refuses to store it)."""
    raw = (
        b"From: ana@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\n" + factory.BODY.encode() + b"\r\n"
        b"--b\r\nContent-Type: application/x\x00evil\x01\r\n\r\ndata\r\n"
        b"--b\r\nContent-Type: message/x\x00mail\x7f\r\n\r\nSubject: inner\r\n\r\ntext\r\n--b--\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.notes == [
        "The attachment “unnamed” (application/xevil) was not kept.",
        "The attached email “inner” (message/xmail) was not kept.",
    ]
    check(raw)
