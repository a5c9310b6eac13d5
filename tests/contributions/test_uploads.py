import io
import zipfile

import mammoth
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from contributions import uploads
from contributions.uploads import (
    ALLOWED_IMAGE_FORMATS,
    MAX_DOCX_BYTES,
    MAX_IMAGE_BYTES,
    MAX_PIXELS,
    DocxResult,
    docx_to_html,
    human_size,
)
from core import imaging
from core.sanitizer import sanitize_html
from tests.contributions.docx_factory import Bold, Heading, Link, Picture, make_docx
from tests.core.test_imaging import encode, gps_exif, photo  # the cleaner's own test images

# --- helpers ----------------------------------------------------------------------------------------------


def refusal(call, *args, **kwargs):
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value


def message(error):
    return " ".join(error.messages)


def test_images_are_cleaned_by_core_imaging():
    """Uploads, email attachments and .docx pictures share the one cleaner: tests/core/test_imaging.py tests it."""
    assert uploads.process_image is imaging.process_image
    assert uploads.IMAGE_EXTENSIONS == {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}


def test_constants_and_human_size():
    assert ALLOWED_IMAGE_FORMATS == ("JPEG", "PNG", "WEBP", "GIF")
    assert (MAX_IMAGE_BYTES, MAX_PIXELS, MAX_DOCX_BYTES) == (5 * 1024 * 1024, 40_000_000, 10 * 1024 * 1024)
    assert human_size(1) == "1 byte"
    assert human_size(512) == "512 bytes"
    assert human_size(1536) == "1.5 KB"
    assert human_size(MAX_IMAGE_BYTES) == "5 MB"
    assert human_size(MAX_DOCX_BYTES) == "10 MB"
    assert human_size(3 * 1024**3) == "3 GB"


# --- Word documents ---------------------------------------------------------------------------------------


def full_docx():
    return make_docx(
        body=[
            Heading("The harbour at dawn", 1),
            "Fishing boats come in before six.",
            ["Prices were ", Bold("lower"), " than last year, says ", Link("the port", "https://example.com/port")],
            Picture(photo(), alt="Boats at the quay"),
            Heading("What the buyers say", 2),
            "Most of them come from the town.",
            Picture(photo((30, 20)), fmt="JPEG"),
        ]
    )


def test_docx_is_converted_with_headings_marks_links_and_images():
    result = docx_to_html(full_docx(), name="harbour.docx")

    assert isinstance(result, DocxResult)
    html = result.html
    assert "<h1" not in html
    assert "<h2>The harbour at dawn</h2>" in html
    assert "<h3>What the buyers say</h3>" in html
    assert "<p>Fishing boats come in before six.</p>" in html
    assert "<strong>lower</strong>" in html
    assert '<a href="https://example.com/port">the port</a>' in html
    assert '<img alt="Boats at the quay" src="cid:docx-image-0" />' in html
    assert '<img alt="" src="cid:docx-image-1" />' in html
    assert [(image.format, image.width, image.height) for image in result.images] == [
        ("PNG", 64, 48),
        ("JPEG", 30, 20),
    ]
    assert [image.filename for image in result.images] == ["harbour-image-1.png", "harbour-image-2.jpg"]
    assert result.messages == []


def test_docx_html_survives_the_sanitizer_once_images_are_stored():
    result = docx_to_html(SimpleUploadedFile("harbour.docx", full_docx()))
    html = result.html
    for index in range(len(result.images)):
        html = html.replace(f'src="cid:docx-image-{index}"', f'src="/media/contributions/{index}.png"')

    clean = sanitize_html(html)

    assert '<img alt="Boats at the quay" src="/media/contributions/0.png">' in clean
    assert "<h2>The harbour at dawn</h2>" in clean


def test_the_same_picture_twice_is_stored_once():
    picture = Picture(photo())
    result = docx_to_html(make_docx(body=[picture, "Between.", picture]), name="twice.docx")

    assert len(result.images) == 1
    assert result.html.count('src="cid:docx-image-0"') == 2


def truncated_png():
    complete = encode(Image.effect_noise((64, 64), 64), "PNG")
    return complete[: len(complete) // 2]


@pytest.mark.parametrize("broken", [b"this is not a picture", truncated_png()])
def test_docx_with_a_broken_image_keeps_its_text_and_says_so(broken):
    data = make_docx(body=["Before.", Picture(broken), "After.", Picture(photo())])

    result = docx_to_html(data, name="essay.docx")

    assert "<p>Before.</p>" in result.html
    assert "<p>After.</p>" in result.html
    assert result.html.count("<img") == 1
    assert 'src="cid:docx-image-0"' in result.html
    assert len(result.images) == 1
    assert len(result.messages) == 1
    assert result.messages[0].startswith("Image 1 of “essay.docx” was left out: ")


def test_docx_images_are_cleaned_too():
    jpeg = encode(photo(), "JPEG", exif=gps_exif())

    result = docx_to_html(make_docx(images=[Picture(jpeg, fmt="JPEG")]), name="x.docx")

    assert b"PhoneMaker" not in result.images[0].content


def test_docx_cannot_produce_executable_html():
    data = make_docx(body=[["Click ", Link("here", "javascript:alert(1)"), " or ", Link("there", "data:text/html,x")]])
    styled = io.BytesIO(data)
    mammoth.embed_style_map(styled, "p => script:fresh")  # a document asking for its own HTML elements

    result = docx_to_html(styled.getvalue(), name="x.docx")

    assert result.html == "<p>Click here or there</p>"


@pytest.mark.parametrize(
    "content",
    [
        b"Dear editor, here is my article.",
        b"",
        encode(photo(), "PNG"),
    ],
)
def test_files_that_are_no_zip_are_refused(content):
    error = refusal(docx_to_html, SimpleUploadedFile("article.docx", content))

    assert error.code == "not_docx"
    assert message(error) == "“article.docx” is not a Word (.docx) document."


def test_a_zip_that_is_not_a_word_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("article.txt", "Hello")
        archive.writestr("content.xml", "<office:document/>")  # e.g. an OpenDocument file

    error = refusal(docx_to_html, buffer.getvalue(), name="article.docx")

    assert error.code == "not_docx"


def test_damaged_docx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document><w:body><w:p>unclosed")

    error = refusal(docx_to_html, buffer.getvalue(), name="broken.docx")

    assert error.code == "damaged"
    assert "“broken.docx”" in message(error)


def test_docx_over_10_mb_is_refused():
    error = refusal(docx_to_html, b"PK" + bytes(MAX_DOCX_BYTES), name="big.docx")

    assert error.code == "too_large"
    assert message(error) == "“big.docx” is larger than 10 MB."


def zip_with(members, *, level=9):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_zip_bomb_is_refused():
    bomb = zip_with({"word/document.xml": b"<w:document/>", "word/media/image1.png": bytes(101 * 1024 * 1024)}, level=1)
    assert len(bomb) < 1024 * 1024

    error = refusal(docx_to_html, bomb, name="bomb.docx")

    assert error.code == "too_large"
    assert message(error) == "“bomb.docx” is too large to convert once unpacked (101 MB)."


def test_suspiciously_well_compressed_docx_is_refused():
    bomb = zip_with({"word/document.xml": b"<w:document/>", "word/media/image1.png": bytes(2 * 1024 * 1024)})

    assert refusal(docx_to_html, bomb, name="bomb.docx").code == "too_large"


def test_unpacked_size_limit_counts_every_member(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_DOCX_UNPACKED_BYTES", 50_000)
    data = make_docx(images=[Image.effect_noise((200, 200), 64).convert("RGB")])  # incompressible

    assert refusal(docx_to_html, data, name="x.docx").code == "too_large"


def test_huge_xml_part_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_DOCX_XML_BYTES", 1000)

    assert refusal(docx_to_html, make_docx(paragraphs=["word " * 500]), name="x.docx").code == "too_large"


def test_too_many_images_are_left_out(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_DOCX_IMAGES", 1)
    data = make_docx(images=[Picture(photo()), Picture(photo((10, 10)))])

    result = docx_to_html(data, name="x.docx")

    assert len(result.images) == 1
    assert result.messages == ["Image 2 of “x.docx” was left out: a document may have at most 1 images."]
