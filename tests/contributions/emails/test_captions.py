"""What a sender writes about a picture, as the parser hands it on (an image part's Content-Description), and a
Word document's Title paragraph read as a heading (so a title repeated there can be dropped from the draft)."""

from email.message import EmailMessage

from contributions.emails import parse_message
from contributions.uploads import docx_to_html

from ..docx_factory import Heading, make_docx
from ..email_factory import BODY, png_bytes


def with_images(*descriptions):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Ana <ana@example.org>", "contribute@byline.example", "Pictures"
    msg.set_content(BODY)
    for number, description in enumerate(descriptions):
        msg.add_attachment(
            png_bytes(color=(number * 40, 0, 0)), maintype="image", subtype="png", filename=f"{number}.png"
        )
        if description is not None:
            msg.get_payload()[-1]["Content-Description"] = description
    return msg.as_bytes()


def test_content_descriptions_by_the_images_index():
    parsed = parse_message(with_images("The dial at dusk", None, "  Le cadran   à la tombée  "))
    assert len(parsed.images) == 3
    assert parsed.image_captions == {0: "The dial at dusk", 2: "Le cadran à la tombée"}  # decoded (RFC 2047)


def test_a_left_out_image_shifts_no_caption():
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Ana <ana@example.org>", "contribute@byline.example", "Pictures"
    msg.set_content(BODY)
    msg.add_attachment(b"not an image", maintype="image", subtype="png", filename="broken.png")
    msg.get_payload()[-1]["Content-Description"] = "First, broken"
    msg.add_attachment(png_bytes(), maintype="image", subtype="png", filename="fine.png")
    msg.get_payload()[-1]["Content-Description"] = "Second"
    parsed = parse_message(msg.as_bytes())
    assert len(parsed.images) == 1  # the broken one is left out, with a note
    assert parsed.image_captions == {0: "Second"}


def test_no_descriptions():
    assert parse_message(with_images(None)).image_captions == {}


def test_a_words_title_paragraph_is_a_heading():
    converted = docx_to_html(make_docx(body=[Heading("The quiet keyboard", level=0), "Text.", Heading("Part", 1)]))
    assert converted.html == "<h1>The quiet keyboard</h1><p>Text.</p><h2>Part</h2>"
    assert not [message for message in converted.messages if "Title" in message]  # no "unrecognised style" note
