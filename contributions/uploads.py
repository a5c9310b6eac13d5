"""Check and clean the files a guest contributor sends: images and Word documents.

Pure functions, no models: the web form (and later the email intake) calls
them and stores what they return.

`process_image` decodes an upload with Pillow, refuses anything that is not a
complete JPEG, PNG, WebP or GIF of sensible size, and re-encodes the pixels
into a fresh file, so no metadata (EXIF with GPS, XMP, comments, text chunks)
and nothing smuggled after the image data survives.

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
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import mammoth
import mammoth.documents
import mammoth.transforms
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageCms, ImageOps, ImageSequence

from core.sanitizer import URL_SCHEMES

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Animations are decoded frame by frame and kept in memory: frames × width × height.
MAX_ANIMATION_PIXELS = 50_000_000
MAX_DOCX_BYTES = 10 * 1024 * 1024
# Zip bomb guards: what the archive says it unpacks to, in total and per XML part
# (mammoth parses XML with minidom, which needs many times the text's size in memory).
MAX_DOCX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_DOCX_XML_BYTES = 20 * 1024 * 1024
MAX_DOCX_RATIO = 100  # unpacked / packed, checked once the document unpacks to more than 1 MB
MAX_DOCX_MEMBERS = 5000
MAX_DOCX_IMAGES = 50

ALLOWED_IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
IMAGE_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
IMAGE_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
JPEG_QUALITY = 88
WEBP_QUALITY = 88

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
        "p[style-name='Quote'] => blockquote > p:fresh",
        "p[style-name='Intense Quote'] => blockquote > p:fresh",
    ]
)


@dataclass(frozen=True)
class ProcessedImage:
    content: bytes
    format: str  # one of ALLOWED_IMAGE_FORMATS
    width: int
    height: int
    filename: str  # a new, safe name: slugified stem + the extension of `format`
    content_type: str


@dataclass(frozen=True)
class DocxResult:
    html: str  # not sanitized; images as <img src="cid:docx-image-N">
    images: list[ProcessedImage] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def human_size(n: int) -> str:
    """`n` bytes for people: "512 bytes", "1.5 KB", "5 MB" (binary units, as the limits are)."""
    if n < 1024:
        return f"{n} byte" if n == 1 else f"{n} bytes"
    value = float(n)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            break
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text} {unit}"


# --- images -----------------------------------------------------------------------------------------------


def process_image(file, *, name: str | None = None) -> ProcessedImage:
    """Validate an uploaded image and return it re-encoded without metadata.

    `file` is a Django UploadedFile, any binary file-like object or bytes; `name`
    (default: the file's own name) is used in messages and for the new filename.
    Raises ValidationError (codes "too_large", "not_image", "too_many_pixels",
    "damaged").
    """
    display = _display_name(name, file, default="image")
    data = _read_limited(file, MAX_IMAGE_BYTES, display)
    if not data:
        raise _not_image(display)

    with warnings.catch_warnings():
        # Pillow warns above Image.MAX_IMAGE_PIXELS and raises above twice that; both are refusals.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data), formats=ALLOWED_IMAGE_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels(display) from exc
        except Image.UnidentifiedImageError as exc:
            raise _not_image(display) from exc
        except Exception as exc:  # a recognised header followed by nonsense
            raise _damaged(display) from exc

        with img:
            # Phones write multi-picture JPEGs (MPO): the first picture is the photo, the rest is dropped.
            fmt = "JPEG" if img.format == "MPO" else img.format
            if fmt not in ALLOWED_IMAGE_FORMATS:  # `formats=` already ensures it; never trust it twice
                raise _not_image(display)
            width, height = img.size
            # Checked on the header's size, before any pixel is decoded.
            if width * height > MAX_PIXELS:
                raise _too_many_pixels(display, width, height)
            try:
                frames, durations = _decode(img, fmt, display)
            except ValidationError:
                raise
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
                raise _too_many_pixels(display) from exc
            except Exception as exc:  # truncated data, bad checksums, broken compression...
                raise _damaged(display) from exc
            info = dict(img.info)
            if fmt == "WEBP":
                info["lossless"] = _webp_is_lossless(data)

    try:
        content = _encode(fmt, frames, durations, info)
    except (OSError, ValueError) as exc:
        raise _damaged(display) from exc
    width, height = frames[0].size
    return ProcessedImage(
        content=content,
        format=fmt,
        width=width,
        height=height,
        filename=_safe_filename(display, fmt),
        content_type=IMAGE_CONTENT_TYPES[fmt],
    )


def _decode(img, fmt, display):
    """Fully decode `img`: ([frame, ...], [duration, ...]), each frame a fresh image with pixels only."""
    animated = fmt in ("GIF", "WEBP", "PNG") and getattr(img, "is_animated", False)
    n_frames = img.n_frames if animated else 1
    if n_frames > 1:
        width, height = img.size
        if n_frames * width * height > MAX_ANIMATION_PIXELS:
            raise ValidationError(
                _("“%(name)s” is an animation too large to process (%(frames)s frames of %(width)s×%(height)s)."),
                code="too_many_pixels",
                params={"name": display, "frames": n_frames, "width": width, "height": height},
            )
        frames, durations = [], []
        for frame in ImageSequence.Iterator(img):
            frame.load()
            durations.append(frame.info.get("duration", 100))
            frames.append(_bare(frame.convert("RGBA" if _has_alpha(frame) else "RGB")))  # profiles dropped
        return frames, durations

    img.load()  # decodes everything: a truncated file fails here
    icc = _icc_profile(img)
    if _exif_orientation(img) not in (None, 1):
        img = ImageOps.exif_transpose(img)
    if img.mode == "CMYK" and icc is not None and fmt == "JPEG":
        img, icc = _cmyk_to_srgb(img, icc[1]), None
    img = _convert_for(fmt, img)
    keep_icc = icc is not None and _COLOUR_SPACES.get(img.mode) == icc[1].profile.xcolor_space.strip()
    return [_bare(img, icc=icc[0] if keep_icc else None)], [None]


def _exif_orientation(img):
    try:
        return img.getexif().get(ExifTags.Base.Orientation)
    except Exception:  # unreadable EXIF is dropped anyway
        return None


def _has_alpha(img):
    return img.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in img.info


def _convert_for(fmt, img):
    """`img` in a mode `fmt` can store (and browsers show): alpha kept where the format has it."""
    mode = img.mode
    if fmt == "JPEG":
        return img if mode in ("L", "RGB") else img.convert("L" if mode == "1" else "RGB")
    if fmt == "PNG":
        if mode in ("1", "L", "LA", "I;16", "P", "RGB", "RGBA"):
            return img
        return img.convert("RGBA" if _has_alpha(img) else "RGB")
    if fmt == "GIF":
        return img if mode in ("L", "P") else img.convert("RGBA" if _has_alpha(img) else "RGB")
    # WEBP
    return img if mode in ("RGB", "RGBA") else img.convert("RGBA" if _has_alpha(img) else "RGB")


def _bare(img, *, icc=None):
    """A new image with `img`'s pixels (and palette, transparency, `icc` profile) and nothing else."""
    bare = Image.new(img.mode, img.size)
    if img.mode in ("P", "PA"):
        bare.putpalette(img.getpalette() or [])
    bare.paste(img, (0, 0))
    # Whitelisted, harmless information the encoders need; everything else in img.info is dropped.
    transparency = img.info.get("transparency")
    if transparency is not None and img.mode in ("1", "L", "P", "RGB", "I;16"):
        bare.info["transparency"] = transparency
    if icc:
        bare.info["icc_profile"] = icc
    return bare


# The colour space an ICC profile must describe to fit pixels of each mode.
_COLOUR_SPACES = {
    **dict.fromkeys(("1", "L", "LA", "I;16"), "GRAY"),
    **dict.fromkeys(("P", "RGB", "RGBA"), "RGB"),
    "CMYK": "CMYK",
}


def _icc_profile(img):
    """(bytes, profile) of `img`'s ICC profile if it is readable and fits its pixels; None otherwise."""
    icc = img.info.get("icc_profile")
    if not icc or len(icc) > 1024 * 1024:
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        space = profile.profile.xcolor_space.strip()
    except Exception:  # a broken profile is simply dropped
        return None
    return (icc, profile) if space == _COLOUR_SPACES.get(img.mode) else None


def _cmyk_to_srgb(img, profile):
    """Print-ready CMYK pixels in sRGB through their profile (or naively if that fails)."""
    try:
        return ImageCms.profileToProfile(img, profile, ImageCms.createProfile("sRGB"), outputMode="RGB")
    except Exception:
        return img.convert("RGB")


def _encode(fmt, frames, durations, info):
    first, rest = frames[0], frames[1:]
    options = {}
    icc = first.info.get("icc_profile")
    if icc and fmt in ("JPEG", "PNG", "WEBP"):
        options["icc_profile"] = icc
    if "transparency" in first.info and fmt in ("PNG", "GIF") and not rest:
        options["transparency"] = first.info["transparency"]
    if fmt == "JPEG":
        options.update(quality=JPEG_QUALITY, optimize=True)
    elif fmt == "WEBP":
        if info.get("lossless"):
            options["lossless"] = True
        else:
            options["quality"] = WEBP_QUALITY
    if rest:
        options.update(save_all=True, append_images=rest, duration=durations)
        loop = info.get("loop")
        if isinstance(loop, int):
            options["loop"] = loop
        elif fmt in ("WEBP", "PNG"):
            options["loop"] = 0
        if fmt == "GIF" and any(frame.mode == "RGBA" for frame in frames):
            options["disposal"] = 2  # full frames with holes: clear before drawing the next one
    out = io.BytesIO()
    first.save(out, fmt, **options)
    return out.getvalue()


def _webp_is_lossless(data):
    """Whether the (first) frame of a WebP file is VP8L (lossless): then it is re-encoded losslessly too."""
    position = 12  # after "RIFF", size, "WEBP"
    while position + 8 <= len(data):
        tag, size = data[position : position + 4], int.from_bytes(data[position + 4 : position + 8], "little")
        if tag in (b"VP8 ", b"VP8L"):
            return tag == b"VP8L"
        if tag == b"ANMF":
            position += 8 + 16  # into the frame: its header, then its own chunks
            continue
        position += 8 + size + (size & 1)
    return False


def _safe_filename(display, fmt):
    stem = slugify(PurePosixPath(display).stem)[:80].strip("-_") or "image"
    return stem + IMAGE_EXTENSIONS[fmt]


def _not_image(name):
    return ValidationError(
        _("“%(name)s” is not a JPEG, PNG, WebP or GIF image."), code="not_image", params={"name": name}
    )


def _too_many_pixels(name, width=None, height=None):
    megapixels = f"{MAX_PIXELS / 1_000_000:g}"
    if width is None:
        return ValidationError(
            _("“%(name)s” has more than %(megapixels)s megapixels."),
            code="too_many_pixels",
            params={"name": name, "megapixels": megapixels},
        )
    return ValidationError(
        _("“%(name)s” has more than %(megapixels)s megapixels (%(width)s×%(height)s)."),
        code="too_many_pixels",
        params={"name": name, "megapixels": megapixels, "width": width, "height": height},
    )


def _damaged(name):
    return ValidationError(_("“%(name)s” is damaged or incomplete."), code="damaged", params={"name": name})


# --- Word documents ---------------------------------------------------------------------------------------


def docx_to_html(file, *, name: str | None = None) -> DocxResult:
    """Convert a .docx to (unsanitized) HTML with its images validated and re-encoded.

    `file` is a Django UploadedFile, any binary file-like object or bytes.
    Images that fail `process_image` are left out, with a note in `messages`
    next to mammoth's own warnings. Raises ValidationError (codes "too_large",
    "not_docx", "damaged").
    """
    display = _display_name(name, file, default="document.docx")
    data = _read_limited(file, MAX_DOCX_BYTES, display)
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
                raw = embedded.read(MAX_IMAGE_BYTES + 1)
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


# --- shared -----------------------------------------------------------------------------------------------


def _display_name(name, file, *, default):
    """The file's base name for messages: never a path, never control characters, never huge."""
    raw = name if name else getattr(file, "name", None)
    if not isinstance(raw, str):
        raw = ""
    raw = PurePosixPath(raw.replace("\\", "/")).name
    raw = "".join(ch for ch in raw if ch.isprintable()).strip()
    if len(raw) > 100:
        raw = raw[:99] + "…"
    return raw or default


def _read_limited(file, limit, display):
    """At most `limit` + 1 bytes of `file` (from its start); ValidationError "too_large" beyond `limit`."""
    too_large = ValidationError(
        _("“%(name)s” is larger than %(limit)s."),
        code="too_large",
        params={"name": display, "limit": human_size(limit)},
    )
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file[: limit + 1])
    else:
        size = getattr(file, "size", None)  # Django's UploadedFile knows it without reading
        if isinstance(size, int) and size > limit:
            raise too_large
        if hasattr(file, "seek"):
            try:
                file.seek(0)
            except (OSError, ValueError, AttributeError):
                pass
        chunks, remaining = [], limit + 1
        while remaining > 0:
            chunk = file.read(remaining)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
    if len(data) > limit:
        raise too_large
    return data
