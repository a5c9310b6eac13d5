"""Check and clean the files a guest contributor sends: images and Word documents.

Pure functions, no models: the web form and the email intake call them and
store what they return.

`process_image` is core/imaging.py's (re-exported here with its limits for the
form and the email intake): it decodes an image with Pillow, refuses anything
that is not a complete JPEG, PNG, WebP or GIF of sensible size, and re-encodes
the pixels into a fresh file, so no metadata (EXIF with GPS, XMP, comments,
text chunks) and nothing smuggled after the image data survives.

`docx_to_html` converts a .docx with mammoth. Embedded images go through
`process_image` and come back as `<img src="cid:docx-image-N">`, N being the
index into `DocxResult.images`; the caller stores the images, replaces the
`cid:` sources with their URLs and then passes the HTML through
`core.sanitizer.sanitize_html` (which would drop `cid:` sources).

Every refusal is a `ValidationError` with a message that names the file and one
of these codes: "not_image", "not_docx", "too_large", "too_many_pixels",
"damaged".
"""

import hashlib
import io
import mimetypes
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import mammoth
import mammoth.documents
import mammoth.transforms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import imaging
from core.imaging import (
    MAX_IMAGE_BYTES,
    MAX_PIXELS,
    ProcessedImage,
    display_name,
    human_size,
    process_image,
    read_limited,
)
from core.sanitizer import URL_SCHEMES

__all__ = [
    "ALLOWED_IMAGE_FORMATS",
    "IMAGE_EXTENSIONS",
    "MAX_DOCX_BYTES",
    "MAX_IMAGE_BYTES",
    "MAX_PIXELS",
    "DocxResult",
    "ProcessedImage",
    "docx_to_html",
    "human_size",
    "process_image",
]

ALLOWED_IMAGE_FORMATS = imaging.FORMATS
IMAGE_EXTENSIONS = {fmt: f".{extension}" for fmt, extension in imaging.EXTENSIONS.items()}
MAX_DOCX_BYTES = 10 * 1024 * 1024
# Zip bomb guards: what the archive says it unpacks to, in total and per XML part
# (mammoth parses XML with minidom, which needs many times the text's size in memory).
MAX_DOCX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_DOCX_XML_BYTES = 20 * 1024 * 1024
MAX_DOCX_RATIO = 100  # unpacked / packed, checked once the document unpacks to more than 1 MB
MAX_DOCX_MEMBERS = 5000
MAX_DOCX_IMAGES = 50

# Word's heading 1 is the first level of the text, but h1 is the page title: shift
# every level down by one (h4 is the deepest the editor and the sanitizer keep).
DOCX_STYLE_MAP = "\n".join(
    [
        *(
            f"p[style-name='{style} {level}'] => h{min(level + 1, 4)}:fresh"
            for style in ("Heading", "heading")
            for level in range(1, 7)
        ),
        *(f"p.Heading{level} => h{min(level + 1, 4)}:fresh" for level in range(1, 7)),
        "p[style-name='Heading'] => h2:fresh",  # Apple Pages
        "p.Heading => h2:fresh",
        # The document's title: a heading (dropped from the draft when it repeats the piece's title).
        "p[style-name='Title'] => h1:fresh",
        "p.Title => h1:fresh",
        "p[style-name='Quote'] => blockquote > p:fresh",
        "p[style-name='Intense Quote'] => blockquote > p:fresh",
    ]
)


@dataclass(frozen=True)
class DocxResult:
    html: str  # not sanitized; images as <img src="cid:docx-image-N">
    images: list[ProcessedImage] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


# --- Word documents ---------------------------------------------------------------------------------------


def docx_to_html(file, *, name: str | None = None) -> DocxResult:
    """Convert a .docx to (unsanitized) HTML with its images validated and re-encoded.

    `file` is a Django UploadedFile, any binary file-like object or bytes.
    Images that fail `process_image` are left out, with a note in `messages`
    next to mammoth's own warnings. Raises ValidationError (codes "too_large",
    "not_docx", "damaged").
    """
    display = display_name(name, file, default="document.docx")
    data = read_limited(file, MAX_DOCX_BYTES, display)
    _check_docx_archive(data, display)

    stem = PurePosixPath(display).stem or "document"
    images: list[ProcessedImage] = []
    notes: list[str] = []
    seen: dict[bytes, int] = {}  # digest of the embedded file -> index in images
    number = 0

    def convert(image):
        nonlocal number
        number += 1
        if number > MAX_DOCX_IMAGES:
            notes.append(
                _("Image %(number)s of “%(document)s” was left out: a document may have at most %(max)s images.")
                % {"number": number, "document": display, "max": MAX_DOCX_IMAGES}
            )
            return []
        extension = mimetypes.guess_extension(image.content_type or "") or ""
        image_name = f"{stem}-image-{number}{extension}"
        try:
            with image.open() as embedded:
                raw = embedded.read(imaging.MAX_IMAGE_BYTES + 1)
            digest = hashlib.sha256(raw).digest()
            if digest not in seen:
                images.append(process_image(raw, name=image_name))
                seen[digest] = len(images) - 1
        except ValidationError as error:
            problem = " ".join(error.messages)
        except Exception:  # missing or unreadable part of the archive, a linked (external) image...
            problem = _("the picture could not be read.")
        else:
            src = f"cid:docx-image-{seen[digest]}"
            return mammoth.images.img_element(lambda image: {"src": src, "alt": image.alt_text or ""})(image)
        notes.append(
            _("Image %(number)s of “%(document)s” was left out: %(problem)s")
            % {"number": number, "document": display, "problem": problem}
        )
        return []

    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data),
            style_map=DOCX_STYLE_MAP,
            include_embedded_style_map=False,  # the document must not choose its own HTML elements
            external_file_access=False,  # no reading of files or URLs that a document links to
            transform_document=_drop_unsafe_links,
            convert_image=convert,
        )
    except Exception as exc:
        raise ValidationError(
            _("“%(name)s” is damaged or could not be read as a Word document."),
            code="damaged",
            params={"name": display},
        ) from exc
    messages = [message.message for message in result.messages]
    return DocxResult(html=result.value, images=images, messages=notes + messages)


def _check_docx_archive(data, display):
    not_docx = ValidationError(
        _("“%(name)s” is not a Word (.docx) document."), code="not_docx", params={"name": display}
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise not_docx from exc
    names = {member.filename for member in members}
    if "word/document.xml" not in names:
        raise not_docx
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    largest_xml = max(
        (member.file_size for member in members if member.filename.endswith((".xml", ".rels"))), default=0
    )
    if (
        len(members) > MAX_DOCX_MEMBERS
        or unpacked > MAX_DOCX_UNPACKED_BYTES
        or largest_xml > MAX_DOCX_XML_BYTES
        or (unpacked > 1024 * 1024 and unpacked > MAX_DOCX_RATIO * max(packed, 1))
    ):
        raise ValidationError(
            _("“%(name)s” is too large to convert once unpacked (%(size)s)."),
            code="too_large",
            params={"name": display, "size": human_size(unpacked)},
        )


def _drop_unsafe_links(document):
    """Links with a scheme the sanitizer would not keep (javascript:, file:, data:...) become plain text."""

    def transform(link):
        if link.href is not None:
            scheme = urlsplit(link.href.strip()).scheme.lower()
            if scheme and scheme not in URL_SCHEMES:
                return mammoth.documents.run(children=link.children)
        return link.copy(target_frame=None)

    return mammoth.transforms.element_of_type(mammoth.documents.Hyperlink, transform)(document)
