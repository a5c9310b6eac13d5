"""contributions.emails.attachments: images, the .docx and the other attachments.

On messages built by tests/contributions/email_factory.py."""

import re

import pytest

from contributions import emails
from core.sanitizer import sanitize_html

from .. import email_factory as f
from ..email_factory import BODY
from .helpers import parse, parsed_notes


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
