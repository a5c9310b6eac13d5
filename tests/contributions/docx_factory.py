"""Build real .docx files for tests with python-docx (a test-only dependency).

    make_docx(heading="Title", paragraphs=["One.", ["A ", Bold("bold"), " word and ", Link("a link", url)]],
              images=[Image.new("RGB", (40, 30), "red"), Picture(b"not an image", alt="Broken")])

`body` gives full control over the order: a list of Heading, Picture, str or a
list of parts (str, Bold, Italic, Link) for a paragraph.
"""

import hashlib
import io
from dataclasses import dataclass

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches
from PIL import Image

_PLACEHOLDER_SIZE = (8, 8)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Bold:
    text: str


@dataclass(frozen=True)
class Italic:
    text: str


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class Picture:
    """An image: a PIL image (saved as `fmt`) or raw bytes, stored as they are even if they are no image."""

    data: object
    alt: str | None = None
    fmt: str = "PNG"


def make_docx(paragraphs=("Hello from a guest writer.",), *, heading=None, images=(), body=None) -> bytes:
    """A .docx: `heading` (Heading 1), then `paragraphs`, then `images` (or exactly `body`)."""
    if body is None:
        body = [*([Heading(heading)] if heading else []), *paragraphs, *images]
    document = Document()
    for block in body:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Picture | Image.Image | bytes):
            _add_picture(document, block if isinstance(block, Picture) else Picture(block))
        else:
            _add_paragraph(document, [block] if isinstance(block, str) else block)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _add_paragraph(document, parts):
    paragraph = document.add_paragraph()
    for part in parts:
        if isinstance(part, Bold):
            paragraph.add_run(part.text).bold = True
        elif isinstance(part, Italic):
            paragraph.add_run(part.text).italic = True
        elif isinstance(part, Link):
            _add_link(paragraph, part)
        else:
            paragraph.add_run(part)


def _add_link(paragraph, link):
    """python-docx has no API for hyperlinks: write the w:hyperlink and its relationship by hand."""
    rel_id = paragraph.part.relate_to(link.url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = link.text
    text.set(qn("xml:space"), "preserve")
    run.append(text)
    hyperlink.append(run)
    paragraph._p.append(hyperlink)


def _add_picture(document, picture):
    """Add the picture in its own paragraph; bytes python-docx cannot read replace a placeholder's content."""
    data = picture.data
    if isinstance(data, Image.Image):
        buffer = io.BytesIO()
        data.save(buffer, picture.fmt)
        data = buffer.getvalue()
    try:
        shape = document.add_picture(io.BytesIO(data), width=Inches(1))
    except Exception:  # not an image python-docx understands: embed a placeholder and swap its bytes
        placeholder = io.BytesIO()  # one per content: python-docx shares parts with the same bytes
        Image.new("RGB", _PLACEHOLDER_SIZE, tuple(hashlib.sha256(data).digest()[:3])).save(placeholder, "PNG")
        shape = document.add_picture(io.BytesIO(placeholder.getvalue()), width=Inches(1))
        rel_id = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        document.part.related_parts[rel_id]._blob = data
    if picture.alt is not None:
        shape._inline.docPr.set("descr", picture.alt)
