"""Hostile files from contributors, by the web form and by email, down to what is stored.

What a file is comes from decoding it, never from its name or declared type; pixel and byte
limits hold before anything large is decoded or read; what is stored is re-encoded, under a
generated name inside the upload folder; SVG and everything else that is no JPEG, PNG, WebP
or GIF is refused with a message that names the file. (tests/contributions/test_uploads.py
covers the functions one by one; these are the attacks, end to end.)
"""

import gzip
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image, ImageFile

from contributions import workflow
from contributions.inbound import ingest
from contributions.models import Submission, upload_document, upload_image, upload_message
from contributions.uploads import MAX_DOCX_BYTES, MAX_IMAGE_BYTES, docx_to_html, process_image

from . import email_factory as f
from .conftest import article_text
from .docx_factory import Picture, make_docx

pytestmark = pytest.mark.django_db

STORED_IMAGE = re.compile(r"submissions/images/\d{4}/\d{2}/[A-Za-z0-9_-]{22}\.(jpg|png|webp|gif)")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><rect width="9" height="9"/></svg>'
PHP = b'<?php system($_GET["cmd"]); ?>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
NOT_AN_IMAGE = "is not a JPEG, PNG, WebP or GIF image."


# --- files ------------------------------------------------------------------------------------------------


def encode(img, fmt, **options):
    buffer = io.BytesIO()
    img.save(buffer, fmt, **options)
    return buffer.getvalue()


def photo(size=(48, 32)):
    img = Image.linear_gradient("L").resize(size).convert("RGB")
    img.paste((200, 30, 30), (0, 0, size[0] // 2, size[1] // 2))
    return img


def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width, height):
    """A few dozen bytes of PNG whose header (IHDR) claims `width`×`height` RGB pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(bytes(64)))
        + png_chunk(b"IEND", b"")
    )


def jpeg_claiming(width, height):
    """A tiny JPEG whose frame header (SOF0) is rewritten to claim `width`×`height`."""
    data = bytearray(encode(Image.new("RGB", (8, 8)), "JPEG"))
    start = data.index(b"\xff\xc0")
    data[start + 5 : start + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def gif_claiming(width, height):
    """A tiny GIF whose logical screen claims `width`×`height`."""
    data = bytearray(encode(Image.new("P", (8, 8)), "GIF"))
    data[6:10] = struct.pack("<HH", width, height)
    return bytes(data)


BOMBS = {
    "png-30000x30000": png_claiming(30_000, 30_000),
    "png-12000x12000": png_claiming(12_000, 12_000),  # between Pillow's warning and its error
    "jpeg-65000x65000": jpeg_claiming(65_000, 65_000),
    "gif-65535x65535": gif_claiming(65_535, 65_535),
}


def gps_exif():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyPhone"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (48.0, 51.0, 24.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (2.0, 21.0, 3.0),
    }
    return exif


def zip_of(**members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def jpeg_with_passengers():
    """A valid JPEG carrying GPS EXIF and a script comment, with a ZIP and HTML glued after its end."""
    jpeg = encode(photo(), "JPEG", exif=gps_exif(), comment=b"<script>alert(1)</script>")
    return jpeg + zip_of(**{"shell.php": PHP}) + HTML


def png_with_passengers():
    """A valid PNG with a PHP text chunk before its pixels and HTML after its end (IEND)."""
    png = encode(photo(), "PNG")
    text = png_chunk(b"tEXt", b"Comment\x00" + PHP)
    return png[:33] + text + png[33:] + HTML


PASSENGERS = [b"<script", b"<?php", b"PK\x03\x04", b"shell.php", b"SpyPhone", b"Exif", b"<!doctype"]


@pytest.fixture
def no_pixel_decoding(monkeypatch):
    """Fails if any image has its pixels decoded: where Pillow allocates width × height."""

    def refuse(self):
        raise AssertionError(f"pixels of a {self.size} image were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def refusal(call, *args, **kwargs):
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- the web form -------------------------------------------------------------------------------------


def form_data(**overrides):
    return {
        "name": "Ada Guest",
        "email": "ada@example.net",
        "title": "Inside the chip shortage",
        "body": article_text(150, seed="chip"),
        "consent": "on",
        "website": "",
        **overrides,
    }


def submit(client, *images, **overrides):
    return client.post(reverse("contributions:submit"), form_data(images=list(images), **overrides))


def assert_safely_stored(image, settings):
    """Under a generated name in the upload folder, with a clean display name."""
    assert STORED_IMAGE.fullmatch(image.image.name), image.image.name
    media = Path(settings.MEDIA_ROOT).resolve()
    assert media in Path(image.image.path).resolve().parents
    assert not set(image.original_name) & {"/", "\\", "\x00", "\u202e", ":"}
    assert ".." not in image.original_name
    assert len(image.original_name) <= 90


@pytest.mark.parametrize(
    ("content", "name", "declared", "stored_as"),
    [
        (encode(photo(), "PNG"), "holiday.jpg", "image/jpeg", ("PNG", ".png")),
        (encode(photo(), "JPEG"), "holiday.png", "image/png", ("JPEG", ".jpg")),
        (encode(photo(), "GIF"), "holiday.webp", "image/webp", ("GIF", ".gif")),
        (encode(photo(), "PNG"), "logo.svg", "image/svg+xml", ("PNG", ".png")),
        (encode(photo(), "WEBP"), "page.html", "text/html", ("WEBP", ".webp")),
    ],
    ids=["png-named-jpg", "jpeg-declared-png", "gif-named-webp", "png-named-svg", "webp-named-html"],
)
def test_images_are_stored_as_what_they_decode_to(client, settings, content, name, declared, stored_as):
    response = submit(client, SimpleUploadedFile(name, content, content_type=declared))

    assert response.status_code == 302
    image = Submission.objects.get().images.get()
    fmt, extension = stored_as
    assert image.image.name.endswith(extension)
    assert image.original_name.endswith(extension)
    with Image.open(image.image.path) as stored:
        assert stored.format == fmt
    assert_safely_stored(image, settings)


HOSTILE = {
    "html-as-jpg": ("holiday.jpg", "image/jpeg", HTML),
    "php-as-jpg": ("shell.php.jpg", "image/jpeg", PHP),
    "gif-magic-then-php": ("shell.gif", "image/gif", b"GIF89a" + PHP),
    "png-magic-then-php": ("shell.png", "image/png", b"\x89PNG\r\n\x1a\n" + PHP),
    "svg-by-name": ("logo.svg", "image/svg+xml", SVG),
    "svg-declared-png": ("logo.png", "image/png", SVG),
    "svg-with-bom-and-prolog": ("logo.png", "image/png", b'\xef\xbb\xbf<?xml version="1.0"?>' + SVG),
    "svgz-as-png": ("logo.png", "image/png", gzip.compress(SVG)),
    "zip-as-jpg": ("photo.jpg", "image/jpeg", zip_of(**{"index.html": HTML})),
    "pdf-as-png": ("scan.png", "image/png", b"%PDF-1.7\n1 0 obj <<>> endobj\n"),
    "bmp": ("paint.bmp", "image/bmp", encode(Image.new("RGB", (4, 4)), "BMP")),
    "ico": ("favicon.png", "image/png", encode(Image.new("RGB", (16, 16)), "ICO")),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_files_that_do_not_decode_as_an_allowed_image_are_refused(case):
    name, declared, content = HOSTILE[case]

    error = refusal(process_image, SimpleUploadedFile(name, content, content_type=declared))

    assert error.code == "not_image"
    assert error.messages == [f"“{name}” {NOT_AN_IMAGE}"]


def test_a_jpeg_header_followed_by_html_is_refused_as_damaged():
    error = refusal(process_image, b"\xff\xd8\xff\xe0" + HTML, name="photo.jpg")

    assert error.code == "damaged"
    assert error.messages == ["“photo.jpg” is damaged or incomplete."]


def test_the_form_refuses_every_disguise_and_stores_nothing(client):
    uploads_ = [
        SimpleUploadedFile(name, content, content_type=declared) for name, declared, content in HOSTILE.values()
    ]

    # At most five a submission: send them in groups.
    for start in range(0, len(uploads_), 5):
        response = submit(client, *uploads_[start : start + 5])
        assert response.status_code == 400
        page = response.content.decode()
        for upload in uploads_[start : start + 5]:
            assert f"“{upload.name}” {NOT_AN_IMAGE}" in page
    assert not Submission.objects.exists()


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_decompression_bombs_are_refused_from_their_header(no_pixel_decoding, bomb):
    data = BOMBS[bomb]
    assert len(data) < 1024

    error = refusal(process_image, data, name=f"{bomb}.img")

    assert error.code == "too_many_pixels"
    assert error.messages[0].startswith(f"“{bomb}.img” has more than 40 megapixels")


def test_the_form_refuses_a_bomb_with_a_clear_message(client):
    response = submit(client, SimpleUploadedFile("bomb.png", BOMBS["png-30000x30000"], content_type="image/png"))

    assert response.status_code == 400
    assert "has more than 40 megapixels" in response.content.decode()
    assert not Submission.objects.exists()


class EndlessStream:
    """A file-like object that never ends and has no size (a pipe, a socket): counts what is read from it."""

    def __init__(self, prefix):
        self.prefix, self.read_bytes = prefix, 0

    def read(self, size=-1):
        assert size is not None and size > 0, "asked to read everything"
        chunk = (self.prefix if self.read_bytes == 0 else b"") + bytes(size)
        chunk = chunk[:size]
        self.read_bytes += len(chunk)
        return chunk


@pytest.mark.parametrize(
    ("call", "limit", "prefix"),
    [(process_image, MAX_IMAGE_BYTES, b"\x89PNG\r\n\x1a\n"), (docx_to_html, MAX_DOCX_BYTES, b"PK\x03\x04")],
    ids=["image", "docx"],
)
def test_byte_limits_stop_reading_just_past_the_limit(no_pixel_decoding, call, limit, prefix):
    stream = EndlessStream(prefix)

    error = refusal(call, stream, name="endless")

    assert error.code == "too_large"
    assert stream.read_bytes == limit + 1


class Unreadable:
    """An upload whose size Django already knows (as for a streamed upload); reading it fails the test."""

    name = "big.file"

    def __init__(self, size):
        self.size = size

    def read(self, size=-1):
        raise AssertionError("read although the declared size is over the limit")

    seek = read


@pytest.mark.parametrize(
    ("call", "limit"), [(process_image, MAX_IMAGE_BYTES), (docx_to_html, MAX_DOCX_BYTES)], ids=["image", "docx"]
)
def test_a_declared_size_over_the_limit_is_refused_without_reading(call, limit):
    assert refusal(call, Unreadable(limit + 1)).code == "too_large"


@pytest.mark.parametrize("maker", [jpeg_with_passengers, png_with_passengers], ids=["jpeg", "png"])
def test_stored_images_are_reencoded_without_metadata_or_trailing_data(client, maker):
    source = maker()
    for passenger in (b"<?php", b"<!doctype"):
        assert passenger in source  # the test file really carries them

    assert submit(client, SimpleUploadedFile("photo.img", source, content_type="image/jpeg")).status_code == 302

    stored = Submission.objects.get().images.get()
    content = Path(stored.image.path).read_bytes()
    for passenger in PASSENGERS:
        assert passenger not in content, passenger
    with Image.open(io.BytesIO(content)) as img:
        assert not img.getexif()
        assert not img.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert img.size == (48, 32)


def test_a_valid_gif_carrying_php_in_a_comment_loses_it():
    source = encode(Image.new("P", (8, 8)), "GIF", comment=PHP)
    assert PHP in source

    result = process_image(source, name="shell.php.gif")

    assert PHP not in result.content
    assert result.filename == "shellphp.gif"


HOSTILE_NAMES = [
    "../../../../etc/cron.d/evil.png",
    "/etc/passwd.png",
    "C:\\Windows\\System32\\evil.png",
    "..\\..\\evil.png",
    "evil.php\x00.png",
    "photo\u202egnp.php",  # shows as "photophp.png" in a right-to-left-overridden UI
    "a" * 500 + ".png",
    "..png",
    "....",
    " .png",
    "con.png",
    "evil.png/",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_end_up_as_safe_generated_names_inside_the_upload_folder(settings, incoming, name):
    processed = process_image(encode(photo(), "PNG"), name=name)
    submission = workflow.receive(incoming(images=[(None, processed)]))

    image = submission.images.get()
    assert_safely_stored(image, settings)
    assert image.image.name.endswith(".png")
    assert re.fullmatch(r"[a-z0-9_-]{1,80}\.png", image.original_name), image.original_name


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_messages_never_carry_a_path_or_control_characters(name):
    error = refusal(process_image, HTML, name=name)

    shown = error.messages[0]
    assert not set(shown) & {"/", "\\", "\x00", "\u202e"}
    assert len(shown) < 160


def test_the_form_stores_hostile_names_safely(client, settings):
    upload = SimpleUploadedFile("../../evil\u202egnp.php", encode(photo(), "PNG"), content_type="image/png")

    assert submit(client, upload).status_code == 302

    assert_safely_stored(Submission.objects.get().images.get(), settings)


@pytest.mark.parametrize(
    ("function", "name", "extension"),
    [
        (upload_image, "photo.png", ".png"),
        (upload_image, "photo.jpg", ".jpg"),
        (upload_image, "logo.svg", ".bin"),
        (upload_image, "page.html", ".bin"),
        (upload_image, "x.png/../../../evil.html", ".bin"),
        (upload_image, "noextension", ".bin"),
        (upload_document, "piece.docx", ".docx"),
        (upload_document, "piece.html", ".docx"),
        (upload_document, "piece.docx/../../../evil", ".docx"),
        (upload_document, "piece.svg", ".docx"),
        (upload_message, "whatever.html", ".eml"),
    ],
)
def test_stored_names_are_generated_with_an_extension_of_our_choice(function, name, extension):
    path = function(None, name)

    assert re.fullmatch(r"submissions/(images|documents|messages)/\d{4}/\d{2}/[A-Za-z0-9_-]{22}\.[a-z]+", path)
    assert path.endswith(extension)


# --- Word documents ---------------------------------------------------------------------------------------


def test_a_docx_with_an_svg_or_a_bomb_inside_keeps_its_text_and_drops_them(no_pixel_decoding):
    data = make_docx(body=["Before.", Picture(SVG), "Between.", Picture(BOMBS["png-30000x30000"]), "After."])

    result = docx_to_html(data, name="essay.docx")

    assert result.images == []
    assert "<img" not in result.html
    assert [text in result.html for text in ("Before.", "Between.", "After.")] == [True, True, True]
    assert len(result.messages) == 2
    assert result.messages[0].startswith("Image 1 of “essay.docx” was left out: ")
    assert NOT_AN_IMAGE in result.messages[0]
    assert result.messages[1].startswith("Image 2 of “essay.docx” was left out: ")
    assert "has more than 40 megapixels" in result.messages[1]


def replace_member(docx, name, content):
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            archive.writestr(member.filename, content if member.filename == name else source.read(member.filename))
    return out.getvalue()


def with_doctype(doctype, text):
    """A .docx whose document.xml declares `doctype` and says `text` in its one paragraph."""
    docx = make_docx(paragraphs=["PLACEHOLDER"])
    xml = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    xml = '<?xml version="1.0"?>' + doctype + xml.split("?>", 1)[1].replace("PLACEHOLDER", text)
    return replace_member(docx, "word/document.xml", xml.encode())


def test_a_billion_laughs_docx_is_refused():
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + level)} "{("&" + chr(97 + level) + ";") * 10}">' for level in range(9)
    )
    bomb = with_doctype(f"<!DOCTYPE w:document [{entities}]>", "&j;")  # 10^10 characters once expanded
    assert len(bomb) < 64 * 1024  # python-docx's template and a few hundred bytes of entities

    error = refusal(docx_to_html, bomb, name="laughs.docx")

    assert error.code == "damaged"
    assert error.messages == ["“laughs.docx” is damaged or could not be read as a Word document."]


def test_a_docx_cannot_read_local_files_through_external_entities(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("zqlocalfilesecret")
    docx = with_doctype(f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>', "Hello &xxe; there")

    try:
        html = docx_to_html(docx, name="xxe.docx").html
    except ValidationError as error:
        html = " ".join(error.messages)

    assert "zqlocalfilesecret" not in html


@pytest.mark.parametrize(
    "content",
    [HTML, PHP, SVG, encode(photo(), "PNG"), zip_of(**{"../../evil.sh": b"rm -rf /"}), b"PK\x03\x04" + bytes(100)],
    ids=["html", "php", "svg", "png", "zip-with-traversal", "broken-zip"],
)
def test_the_form_refuses_what_is_named_docx_but_is_no_word_document(client, content):
    upload = SimpleUploadedFile("piece.docx", content, content_type="application/octet-stream")

    response = submit(client, body="", document=upload)

    assert response.status_code == 400
    assert "is not a Word (.docx) document" in response.content.decode()
    assert not Submission.objects.exists()


def test_the_form_refuses_documents_not_named_docx(client):
    docx = make_docx(paragraphs=[article_text(80).removeprefix("<p>").removesuffix("</p>")])
    upload = SimpleUploadedFile("piece.html", docx, content_type="text/html")

    response = submit(client, body="", document=upload)

    assert response.status_code == 400
    assert "Attach a Word document saved as .docx." in response.content.decode()


# --- email attachments ------------------------------------------------------------------------------------


def ingested(msg):
    result = ingest(msg.as_bytes(), source="cli")
    assert result.outcome == "queued", result.reason
    return result.submission


def attach(msg, data, subtype, filename, maintype="image"):
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def notes_of(submission):
    return " ".join(submission.events.values_list("note", flat=True))


def test_email_images_are_stored_as_what_they_decode_to(settings):
    msg = f.plain()
    attach(msg, encode(photo(), "PNG"), "jpeg", "holiday.jpg")
    attach(msg, encode(photo(), "JPEG"), "png", "scan.png")

    submission = ingested(msg)

    stored = {image.original_name: image for image in submission.images.all()}
    assert set(stored) == {"holiday.png", "scan.jpg"}
    for name, image in stored.items():
        assert image.image.name.endswith(Path(name).suffix)
        assert_safely_stored(image, settings)


def test_email_images_that_are_no_images_are_dropped_with_a_note():
    msg = f.plain()
    attach(msg, SVG, "svg+xml", "logo.svg")
    attach(msg, SVG, "png", "chart.png")
    attach(msg, b"GIF89a" + PHP, "gif", "shell.gif")
    attach(msg, HTML, "octet-stream", "photo.jpg", maintype="application")

    submission = ingested(msg)

    assert not submission.images.exists()
    notes = notes_of(submission)
    for name in ("logo.svg", "chart.png", "shell.gif", "photo.jpg"):
        assert f"“{name}” {NOT_AN_IMAGE}" in notes, name


def test_an_inline_svg_disguised_as_png_loses_its_img():
    submission = ingested(f.with_inline_image(image=SVG))

    assert not submission.images.exists()
    assert "<img" not in submission.body
    assert "cid:" not in submission.body
    assert "svg" not in submission.body.lower()


def test_email_bombs_are_dropped_with_a_note_and_the_piece_is_kept(no_pixel_decoding):
    msg = f.plain()
    for name, data in BOMBS.items():
        attach(msg, data, "png", f"{name}.png")

    submission = ingested(msg)

    assert not submission.images.exists()
    notes = notes_of(submission)
    for name in BOMBS:
        assert f"“{name}.png” has more than 40 megapixels" in notes, name


def test_email_images_are_reencoded_without_metadata_or_trailing_data():
    msg = f.plain()
    attach(msg, jpeg_with_passengers(), "jpeg", "where.jpg")
    attach(msg, png_with_passengers(), "png", "where.png")

    submission = ingested(msg)

    assert submission.images.count() == 2
    for image in submission.images.all():
        content = Path(image.image.path).read_bytes()
        for passenger in PASSENGERS:
            assert passenger not in content, (image.original_name, passenger)


def test_email_attachment_names_cannot_leave_the_upload_folder(settings):
    msg = f.plain()
    for number, name in enumerate(["../../../evil.png", "..\\..\\evil.png", "x\u202egnp.php", "a" * 300 + ".png"]):
        attach(msg, encode(photo((8 + number, 8)), "PNG"), "png", name)

    submission = ingested(msg)

    assert submission.images.count() == 4
    for image in submission.images.all():
        assert_safely_stored(image, settings)


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("evil.html", HTML),
        ("evil.svg", SVG),
        ("../../../evil.docx", b"not a zip"),
        ("piece.docx", make_docx(paragraphs=["Hello."])),
    ],
    ids=["html", "svg", "traversal", "docx"],
)
def test_an_emailed_document_is_stored_as_docx_whatever_it_is_called(settings, filename, content):
    """Email may name a part declared as a Word document anything: "evil.html" must not be served as HTML."""
    maintype, subtype = f.DOCX_TYPE
    submission = ingested(attach(f.plain(), content, subtype, filename, maintype=maintype))

    name = submission.original_document.name
    assert re.fullmatch(r"submissions/documents/\d{4}/\d{2}/[A-Za-z0-9_-]{22}\.docx", name), name
    # In the private storage (core/storage.py), never under the public media.
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    assert private in Path(submission.original_document.path).resolve().parents
    assert Path(settings.MEDIA_ROOT).resolve() not in Path(submission.original_document.path).resolve().parents
