"""Images from outside, decoded and encoded safely: the one module that runs Pillow on them.

Every image Byline did not draw itself passes through here: a guest's upload, a picture in
a .docx or an email (contributions/uploads.py), a file of an imported WordPress site
(wordpress/media.py), and the stored images that renditions are made of (blog/images.py).
Whatever the use, an image is opened only as one of `FORMATS` (no exotic decoders on
outside data) with Pillow's decompression-bomb warning turned into a refusal (`opened`).

`process_image` cleans an image someone sent: it refuses anything that is not a complete
JPEG, PNG, WebP or GIF of sensible size (bytes, pixels, frames), applies the EXIF
orientation and re-encodes the pixels into a fresh file at `JPEG_QUALITY`/`WEBP_QUALITY`,
so no metadata (EXIF with GPS, XMP, comments, text chunks) and nothing smuggled after the
image data survives; animations keep their frames, durations and loop. Every refusal is a
`ValidationError` with a message that names the file and one of the codes "too_large",
"not_image", "too_many_pixels", "damaged".

`displayed_size`, `is_animated`, `upright` and `encode_size` make renditions: an opened
image's size as shown, turned upright, and encoded at a given size in a given format at
the `RENDITION_*` settings, with no metadata but its colour profile.

Pure functions, no models: callers store what they get back.
"""

import io
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageCms, ImageOps, ImageSequence

# The formats Pillow may decode here, and the extension and content type of each. A phone's
# multi-picture JPEG (MPO), which Pillow's JPEG decoder opens by itself, counts as a JPEG.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}

# Limits of `process_image`, read at call time.
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Animations are decoded frame by frame and kept in memory: frames × width × height.
MAX_ANIMATION_PIXELS = 50_000_000

# A clean copy replaces the original (renditions are made from it later): close to the original.
JPEG_QUALITY = 88
WEBP_QUALITY = 88
# Renditions are visually lossless for photographs at screen sizes; WebP reaches the same look
# at a lower number (WordPress uses 82 for JPEG, Squoosh and Next.js 75-80 for WebP).
RENDITION_JPEG_QUALITY = 82
RENDITION_WEBP_QUALITY = 80
RENDITION_WEBP_METHOD = 6  # slowest and smallest: renditions are made once, off the request path

# What opening an image with too many pixels raises (over Image.MAX_IMAGE_PIXELS, or twice that).
BOMBS = (Image.DecompressionBombError, Image.DecompressionBombWarning)
# What Pillow raises for damaged data, while opening or decoding.
DAMAGED = (Image.UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError)


@dataclass(frozen=True)
class ProcessedImage:
    content: bytes
    format: str  # one of FORMATS
    width: int
    height: int
    filename: str  # a new, safe name: slugified stem + the extension of `format`
    content_type: str


# --- opening ---------------------------------------------------------------------------------------------


@contextmanager
def refusing_bombs():
    """Within it, Pillow's DecompressionBombWarning raises, as its DecompressionBombError does: both are refusals.

    Pillow warns above Image.MAX_IMAGE_PIXELS and raises above twice that. The warnings
    filters are as they were afterwards.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


@contextmanager
def opened(data):
    """The image in `data` (bytes), opened lazily as one of FORMATS, with bombs refused while it is open.

    Raises one of BOMBS for too many pixels and one of DAMAGED for anything else
    that is no image of an allowed format (or breaks while it is used).
    """
    with refusing_bombs(), Image.open(io.BytesIO(data), formats=FORMATS) as img:
        yield img


def format_of(img):
    """The format an opened image counts as: one of FORMATS (an MPO is a JPEG), or Pillow's own name."""
    return "JPEG" if img.format == "MPO" else img.format


def is_animated(img):
    """Whether an opened image has several frames to show (an MPO's extra pictures are no animation)."""
    return img.format in ("GIF", "WEBP", "PNG") and bool(getattr(img, "is_animated", False))


def exif_orientation(img):
    """The EXIF orientation of an opened image (1-8), or None; unreadable EXIF is ignored, as browsers do."""
    try:
        return img.getexif().get(ExifTags.Base.Orientation)
    except Exception:
        return None


def displayed_size(img):
    """(width, height) of an opened image as shown, its EXIF orientation applied, read from its header."""
    width, height = img.size
    if exif_orientation(img) in (5, 6, 7, 8):  # a quarter turn: the picture stands the other way
        return height, width
    return width, height


def upright(img):
    """Decode `img` and turn it upright as its EXIF orientation says, in place; return its ICC profile or None.

    Decoding reads everything: a truncated file fails here (with one of DAMAGED).
    """
    img.load()
    icc = img.info.get("icc_profile")
    ImageOps.exif_transpose(img, in_place=True)
    return icc


# --- cleaning what someone sent ----------------------------------------------------------------------------


def process_image(file, *, name: str | None = None) -> ProcessedImage:
    """Validate an image someone sent and return it re-encoded without metadata.

    `file` is a Django UploadedFile, any binary file-like object or bytes; `name`
    (default: the file's own name) is used in messages and for the new filename.
    Raises ValidationError (codes "too_large", "not_image", "too_many_pixels",
    "damaged").
    """
    display = display_name(name, file, default="image")
    data = read_limited(file, MAX_IMAGE_BYTES, display)
    if not data:
        raise _not_image(display)

    with refusing_bombs():
        try:
            img = Image.open(io.BytesIO(data), formats=FORMATS)
        except BOMBS as exc:
            raise _too_many_pixels(display) from exc
        except Image.UnidentifiedImageError as exc:
            raise _not_image(display) from exc
        except Exception as exc:  # a recognised header followed by nonsense
            raise _damaged(display) from exc

        with img:
            # Phones write multi-picture JPEGs (MPO): the first picture is the photo, the rest is dropped.
            fmt = format_of(img)
            if fmt not in FORMATS:  # `formats=` already ensures it; never trust it twice
                raise _not_image(display)
            width, height = img.size
            # Checked on the header's size, before any pixel is decoded.
            if width * height > MAX_PIXELS:
                raise _too_many_pixels(display, width, height)
            try:
                frames, durations = _decode(img, fmt, display)
            except ValidationError:
                raise
            except BOMBS as exc:
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
        content_type=CONTENT_TYPES[fmt],
    )


def _decode(img, fmt, display):
    """Fully decode `img`: ([frame, ...], [duration, ...]), each frame a fresh image with pixels only."""
    n_frames = img.n_frames if is_animated(img) else 1
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
    if exif_orientation(img) not in (None, 1):
        img = ImageOps.exif_transpose(img)
    if img.mode == "CMYK" and icc is not None and fmt == "JPEG":
        img, icc = _cmyk_to_srgb(img, icc[1]), None
    img = _convert_for(fmt, img)
    keep_icc = icc is not None and _COLOUR_SPACES.get(img.mode) == icc[1].profile.xcolor_space.strip()
    return [_bare(img, icc=icc[0] if keep_icc else None)], [None]


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
    return f"{stem}.{EXTENSIONS[fmt]}"


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


# --- renditions ------------------------------------------------------------------------------------------


def _gray(mode):
    return mode in ("1", "L", "LA", "La", "I", "I;16", "F")


def encode_size(source, size, ext, icc=None):
    """`source` (decoded and upright: see `upright`) resized to `size` and encoded as `ext` ("jpg", "png",
    "gif", "webp"), with no metadata but its colour profile `icc`."""
    alpha = _has_alpha(source)
    if ext == "jpg":
        mode = "L" if _gray(source.mode) else "RGB"
    elif ext == "png" and source.mode in ("L", "LA", "RGB", "RGBA"):
        mode = source.mode
    else:  # WebP, GIF (Pillow makes the palette when saving), a palette or 16-bit PNG
        mode = "RGBA" if alpha else "RGB"
    working = source if source.mode == mode else source.convert(mode)
    # Lanczos, after a fast box reduction down to three times the target (visually the same).
    image = working.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    image.info = {}  # resize() copies EXIF, XMP, comments...: none of it goes out
    options = {}
    if icc and _gray(source.mode) == _gray(image.mode) and source.mode != "CMYK":
        options["icc_profile"] = icc  # colours, not metadata: without it, wide-gamut photos look dull
    if ext == "jpg":
        options.update(quality=RENDITION_JPEG_QUALITY, optimize=True, progressive=True)
    elif ext == "webp":
        options.update(quality=RENDITION_WEBP_QUALITY, method=RENDITION_WEBP_METHOD)
    elif ext == "png":
        options.update(optimize=True)
        if source.mode == "P":  # a palette image stays one: a few colours compress far better
            image = image.quantize(256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    image.save(out, {"jpg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}[ext], **options)
    return out.getvalue()


def image_size(file):
    """(width, height) of the image in `file` (a binary file), from its header, opened as `opened` does."""
    with refusing_bombs(), Image.open(file, formats=FORMATS) as img:
        return img.size


# --- files someone sent ----------------------------------------------------------------------------------


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


def display_name(name, file, *, default):
    """The file's base name for messages: never a path, never control characters, never huge."""
    raw = name if name else getattr(file, "name", None)
    if not isinstance(raw, str):
        raw = ""
    raw = PurePosixPath(raw.replace("\\", "/")).name
    raw = "".join(ch for ch in raw if ch.isprintable()).strip()
    if len(raw) > 100:
        raw = raw[:99] + "…"
    return raw or default


def read_limited(file, limit, display):
    """At most `limit` + 1 bytes of `file` (from its start); ValidationError "too_large" beyond `limit`.

    `file` is bytes or a binary file-like object; a Django UploadedFile whose size is
    known to be over the limit is not read at all.
    """
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
