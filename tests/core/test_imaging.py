"""core/imaging.py: what it makes of untrusted image bytes (cleaning and renditions), function by function.

tests/contributions/test_hostile_uploads.py sends the attacks end to end through the form and the
email intake; tests/blog/test_images.py and tests/wordpress/ cover the renditions and imports made with it.
"""

import io
import struct
import warnings
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms, ImageFile, ImageSequence, PngImagePlugin

from core import imaging
from core.imaging import MAX_IMAGE_BYTES, ProcessedImage, process_image

# --- helpers ----------------------------------------------------------------------------------------------


def encode(img, fmt, **options):
    buffer = io.BytesIO()
    img.save(buffer, fmt, **options)
    return buffer.getvalue()


def photo(size=(64, 48)):
    """A small image with detail (a gradient and a block), so lossy formats have something to encode."""
    img = Image.linear_gradient("L").resize(size).convert("RGB")
    img.paste((200, 30, 30), (0, 0, size[0] // 2, size[1] // 2))
    return img


def blank_png(width, height):
    """A valid, all-black 1-bit PNG of any size, built without ever holding its pixels: tiny even when huge."""

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor = zlib.compressobj(1)
    row = bytes(1 + (width + 7) // 8)  # filter byte 0, then the packed bits
    rows_per_step = max(1, (1 << 22) // len(row))
    idat = []
    for start in range(0, height, rows_per_step):
        idat.append(compressor.compress(row * min(rows_per_step, height - start)))
    idat.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(idat)) + chunk(b"IEND", b"")


def refusal(call, *args, **kwargs):
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value


def message(error):
    return " ".join(error.messages)


@pytest.fixture
def no_pixel_decoding(monkeypatch):
    """Fail the test if any image gets decoded (ImageFile.load is where the pixel memory is allocated)."""
    calls = []

    def spy(self):
        calls.append(self.size)
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return calls


# --- images: accepted and cleaned -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "mode", "extension", "content_type"),
    [
        ("JPEG", "RGB", ".jpg", "image/jpeg"),
        ("PNG", "RGBA", ".png", "image/png"),
        ("WEBP", "RGBA", ".webp", "image/webp"),
        ("GIF", "P", ".gif", "image/gif"),
    ],
)
def test_valid_images_are_accepted_and_reencoded(fmt, mode, extension, content_type):
    source = photo().convert(mode)
    if mode == "RGBA":
        source.putpixel((0, 0), (10, 20, 30, 128))
    result = process_image(io.BytesIO(encode(source, fmt)), name="My Holiday.img")

    assert isinstance(result, ProcessedImage)
    assert (result.format, result.width, result.height) == (fmt, 64, 48)
    assert result.content_type == content_type
    assert result.filename == "my-holiday" + extension
    with Image.open(io.BytesIO(result.content)) as reopened:
        assert reopened.format == fmt
        assert reopened.size == (64, 48)
        if fmt in ("PNG", "WEBP"):
            assert reopened.mode == "RGBA"  # alpha kept


def test_lossless_formats_keep_their_pixels():
    source = photo().convert("RGBA")
    source.putpixel((0, 0), (1, 2, 3, 128))
    for fmt, options in (("PNG", {}), ("WEBP", {"lossless": True})):
        result = process_image(encode(source, fmt, **options), name="x")
        with Image.open(io.BytesIO(result.content)) as reopened:
            assert reopened.convert("RGBA").tobytes() == source.tobytes(), fmt


def test_transparent_palette_images_stay_transparent():
    source = Image.new("P", (10, 10), 1)
    source.putpalette([0, 0, 0, 255, 0, 0])
    source.putpixel((0, 0), 0)
    for fmt in ("PNG", "GIF"):
        result = process_image(encode(source, fmt, transparency=0), name="x")
        with Image.open(io.BytesIO(result.content)) as reopened:
            rgba = reopened.convert("RGBA")
            assert rgba.getpixel((0, 0))[3] == 0, fmt
            assert rgba.getpixel((5, 5)) == (255, 0, 0, 255), fmt


def test_accepts_a_django_upload_even_if_already_read():
    upload = SimpleUploadedFile("photo.png", encode(photo(), "PNG"), content_type="image/png")
    upload.read()  # e.g. a form field looked at it first

    result = process_image(upload)

    assert result.format == "PNG"
    assert result.filename == "photo.png"


def test_format_comes_from_the_content_not_the_name_or_content_type():
    upload = SimpleUploadedFile("photo.jpg", encode(photo(), "PNG"), content_type="image/jpeg")

    result = process_image(upload)

    assert (result.format, result.filename, result.content_type) == ("PNG", "photo.png", "image/png")


def test_animated_gif_keeps_its_frames_durations_and_loop():
    frames = [Image.new("RGB", (20, 10), colour) for colour in ("red", "lime", "blue")]
    source = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=[100, 200, 300], loop=0)

    result = process_image(source, name="dance.gif")

    with Image.open(io.BytesIO(result.content)) as reopened:
        assert reopened.is_animated
        assert reopened.n_frames == 3
        assert reopened.info["loop"] == 0
        durations, colours = [], []
        for frame in ImageSequence.Iterator(reopened):
            durations.append(frame.info["duration"])
            colours.append(frame.convert("RGB").getpixel((5, 5)))
    assert durations == [100, 200, 300]
    assert colours == [(255, 0, 0), (0, 255, 0), (0, 0, 255)]


def test_animated_webp_keeps_its_frames():
    frames = [Image.new("RGBA", (20, 10), colour) for colour in ("red", "lime", "blue")]
    source = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=[100, 200, 300], lossless=True)

    result = process_image(source, name="dance.webp")

    with Image.open(io.BytesIO(result.content)) as reopened:
        assert reopened.n_frames == 3
        colours = [frame.convert("RGB").getpixel((5, 5)) for frame in ImageSequence.Iterator(reopened)]
    assert colours == [(255, 0, 0), (0, 255, 0), (0, 0, 255)]


def test_animated_png_keeps_its_frames():
    frames = [Image.new("RGB", (20, 10), colour) for colour in ("red", "lime", "blue")]
    source = encode(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=[100, 200, 300], loop=2)

    result = process_image(source, name="dance.png")

    with Image.open(io.BytesIO(result.content)) as reopened:
        assert reopened.n_frames == 3
        assert reopened.info["loop"] == 2
        colours = [frame.convert("RGB").getpixel((5, 5)) for frame in ImageSequence.Iterator(reopened)]
    assert colours == [(255, 0, 0), (0, 255, 0), (0, 0, 255)]


def test_multi_picture_jpeg_from_a_phone_is_a_jpeg():
    source = encode(photo(), "MPO", save_all=True, append_images=[photo((16, 16))])
    with Image.open(io.BytesIO(source)) as original:
        assert original.format == "MPO"

    result = process_image(source, name="portrait.jpg")

    assert (result.format, result.width, result.height, result.filename) == ("JPEG", 64, 48, "portrait.jpg")


def test_still_gif_stays_a_single_frame():
    result = process_image(encode(Image.new("P", (8, 8)), "GIF"), name="still.gif")

    with Image.open(io.BytesIO(result.content)) as reopened:
        assert not getattr(reopened, "is_animated", False)


def gps_exif():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Pocket 3000"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (48.0, 51.0, 24.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (2.0, 21.0, 3.0),
    }
    return exif


def test_gps_exif_and_comments_are_stripped_from_jpeg():
    source = encode(photo(), "JPEG", exif=gps_exif(), comment=b"secret comment", xmp=b"<x:xmpmeta>secret</x:xmpmeta>")
    with Image.open(io.BytesIO(source)) as original:  # the test image really carries the metadata
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert original.info["comment"] == b"secret comment"

    result = process_image(source, name="where.jpg")

    with Image.open(io.BytesIO(result.content)) as cleaned:
        assert not cleaned.getexif()
        assert "exif" not in cleaned.info
        assert "comment" not in cleaned.info
        assert "xmp" not in cleaned.info
    for leak in (b"Exif", b"PhoneMaker", b"Pocket 3000", b"secret"):
        assert leak not in result.content


def test_metadata_is_stripped_from_png_and_webp():
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "secret author")
    text.add_itxt("Comment", "secret comment", zip=True)
    png = encode(photo(), "PNG", pnginfo=text, exif=gps_exif())
    webp = encode(photo(), "WEBP", exif=gps_exif(), xmp=b"<x:xmpmeta>secret</x:xmpmeta>")

    for source in (png, webp):
        result = process_image(source, name="x")
        with Image.open(io.BytesIO(result.content)) as cleaned:
            assert not cleaned.getexif()
            assert not {"exif", "xmp", "Author", "Comment"} & set(cleaned.info)
        for leak in (b"Exif", b"PhoneMaker", b"secret", b"XMP "):
            assert leak not in result.content


def test_exif_orientation_is_applied():
    source = Image.new("RGB", (40, 20), "red")
    source.paste((0, 0, 255), (20, 0, 40, 20))  # left red, right blue
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # the camera was turned: rotate 90° clockwise to view

    result = process_image(encode(source, "PNG", exif=exif), name="turned.png")

    assert (result.width, result.height) == (20, 40)
    with Image.open(io.BytesIO(result.content)) as upright:
        assert upright.getpixel((10, 5)) == (255, 0, 0)  # red on top
        assert upright.getpixel((10, 35)) == (0, 0, 255)  # blue at the bottom
        assert ExifTags.Base.Orientation not in upright.getexif()


def test_matching_icc_profile_is_kept_and_cmyk_becomes_rgb():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    result = process_image(encode(photo(), "JPEG", icc_profile=srgb), name="x")
    with Image.open(io.BytesIO(result.content)) as reopened:
        assert reopened.info.get("icc_profile") == srgb

    result = process_image(encode(photo().convert("CMYK"), "JPEG", icc_profile=srgb), name="x")
    with Image.open(io.BytesIO(result.content)) as reopened:
        assert reopened.mode == "RGB"
        assert "icc_profile" not in reopened.info  # an RGB profile, wrongly on CMYK pixels: dropped


# --- images: refused --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("holiday.jpg", b"<!doctype html><html><script>alert(1)</script></html>"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>'),
        ("logo.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'),
        ("empty.png", b""),
        ("notes.gif", b"GIF? not really"),
        ("paint.bmp", encode(Image.new("RGB", (4, 4)), "BMP")),
        ("scan.tiff", encode(Image.new("RGB", (4, 4)), "TIFF")),
        ("paper.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
    ],
)
def test_non_images_and_other_formats_are_refused(name, content):
    error = refusal(process_image, SimpleUploadedFile(name, content, content_type="image/jpeg"))

    assert error.code == "not_image"
    assert message(error) == f"“{name}” is not a JPEG, PNG, WebP or GIF image."


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_truncated_images_are_refused(fmt):
    noise = Image.effect_noise((128, 128), 64).convert("RGB")
    complete = encode(noise.convert("P") if fmt == "GIF" else noise, fmt)

    error = refusal(process_image, complete[: len(complete) // 2], name="cut.img")

    assert error.code == "damaged"
    assert message(error) == "“cut.img” is damaged or incomplete."


def test_larger_than_5_mb_is_refused_before_decoding(no_pixel_decoding):
    oversized = b"\x89PNG\r\n\x1a\n" + bytes(MAX_IMAGE_BYTES)

    error = refusal(process_image, io.BytesIO(oversized), name="big.png")

    assert error.code == "too_large"
    assert message(error) == "“big.png” is larger than 5 MB."
    assert not no_pixel_decoding


def test_upload_size_is_checked_before_reading():
    upload = SimpleUploadedFile("big.png", b"tiny")
    upload.size = MAX_IMAGE_BYTES + 1  # as Django reports it for a streamed upload

    assert refusal(process_image, upload).code == "too_large"


def test_limit_is_read_at_call_time(monkeypatch):
    valid = encode(photo(), "PNG")
    monkeypatch.setattr(imaging, "MAX_IMAGE_BYTES", len(valid) - 1)

    assert refusal(process_image, valid, name="x.png").code == "too_large"


def test_more_than_40_megapixels_is_refused_from_the_header(no_pixel_decoding):
    huge = blank_png(8000, 5001)  # 40,005,000 pixels, under Pillow's own bomb limit
    assert len(huge) < MAX_IMAGE_BYTES

    error = refusal(process_image, huge, name="huge.png")

    assert error.code == "too_many_pixels"
    assert message(error) == "“huge.png” has more than 40 megapixels (8000×5001)."
    assert not no_pixel_decoding


def test_exactly_40_megapixels_is_fine_in_principle(monkeypatch):
    monkeypatch.setattr(imaging, "MAX_PIXELS", 100 * 50)

    assert process_image(blank_png(100, 50), name="x").format == "PNG"
    assert refusal(process_image, blank_png(101, 50), name="x").code == "too_many_pixels"


@pytest.mark.parametrize(("width", "height"), [(20_000, 20_000), (10_000, 9_000)])
def test_decompression_bombs_are_refused_without_decoding(no_pixel_decoding, width, height):
    """20000×20000 is over twice Pillow's limit (an error), 10000×9000 just over it (a warning)."""
    bomb = blank_png(width, height)
    assert len(bomb) < 300_000
    limit_before, filters_before = Image.MAX_IMAGE_PIXELS, list(warnings.filters)

    error = refusal(process_image, bomb, name="bomb.png")

    assert error.code == "too_many_pixels"
    assert "“bomb.png” has more than 40 megapixels" in message(error)
    assert not no_pixel_decoding
    assert Image.MAX_IMAGE_PIXELS == limit_before
    assert warnings.filters == filters_before


def test_long_animations_are_refused(monkeypatch):
    frames = [Image.new("RGB", (20, 10), colour) for colour in ("red", "lime", "blue")]
    source = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    monkeypatch.setattr(imaging, "MAX_ANIMATION_PIXELS", 2 * 20 * 10)

    error = refusal(process_image, source, name="long.gif")

    assert error.code == "too_many_pixels"
    assert "(3 frames of 20×10)" in message(error)


@pytest.mark.parametrize(
    ("name", "filename", "shown"),
    [
        ("../../etc/passwd.jpg", "passwd.png", "passwd.jpg"),
        ("C:\\Users\\Ann\\Café Crème.JPG", "cafe-creme.png", "Café Crème.JPG"),
        ("<script>alert(1)</script>.png", "script.png", "script>.png"),
        ("фото.png", "image.png", "фото.png"),
        (".png", "png.png", ".png"),
        ("a" * 300 + ".png", "a" * 80 + ".png", "a" * 99 + "…"),
    ],
)
def test_filenames_are_new_and_safe(name, filename, shown):
    assert process_image(encode(photo(), "PNG"), name=name).filename == filename
    error = refusal(process_image, b"<html>", name=name)
    assert f"“{shown}”" in message(error)


def test_without_a_name():
    assert process_image(io.BytesIO(encode(photo(), "PNG"))).filename == "image.png"


def test_constants_and_human_size():
    assert imaging.FORMATS == ("JPEG", "PNG", "WEBP", "GIF")
    assert set(imaging.EXTENSIONS) == set(imaging.CONTENT_TYPES) == set(imaging.FORMATS)
    assert (MAX_IMAGE_BYTES, imaging.MAX_PIXELS, imaging.MAX_ANIMATION_PIXELS) == (
        5 * 1024 * 1024,
        40_000_000,
        50_000_000,
    )
    assert (imaging.JPEG_QUALITY, imaging.WEBP_QUALITY) == (88, 88)
    assert (imaging.RENDITION_JPEG_QUALITY, imaging.RENDITION_WEBP_QUALITY, imaging.RENDITION_WEBP_METHOD) == (
        82,
        80,
        6,
    )
    assert imaging.human_size(1) == "1 byte"
    assert imaging.human_size(512) == "512 bytes"
    assert imaging.human_size(1536) == "1.5 KB"
    assert imaging.human_size(MAX_IMAGE_BYTES) == "5 MB"
    assert imaging.human_size(3 * 1024**3) == "3 GB"


# --- opening, for renditions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"not an image", encode(Image.new("RGB", (4, 4)), "BMP"), encode(Image.new("RGB", (4, 4)), "TIFF")],
    ids=["garbage", "bmp", "tiff"],
)
def test_opened_refuses_what_is_no_allowed_format(content):
    with pytest.raises(imaging.DAMAGED), imaging.opened(content):
        pass


def test_opened_refuses_bombs_and_leaves_the_warnings_filters_alone(monkeypatch, no_pixel_decoding):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # Pillow warns above this and refuses above twice
    filters_before = list(warnings.filters)
    for width in (40, 100):  # 1600 pixels: the warning; 4000: Pillow's own error
        with pytest.raises(imaging.BOMBS), imaging.opened(encode(Image.new("L", (width, 40)), "PNG")):
            pass
    assert warnings.filters == filters_before
    assert not no_pixel_decoding


def test_opened_gives_the_format_size_and_animation():
    frames = [Image.new("RGB", (20, 10), colour) for colour in ("red", "blue")]
    gif = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    mpo = encode(photo(), "MPO", save_all=True, append_images=[photo((16, 16))])
    with imaging.opened(gif) as img:
        assert (imaging.format_of(img), imaging.is_animated(img), imaging.displayed_size(img)) == (
            "GIF",
            True,
            (20, 10),
        )
    with imaging.opened(mpo) as img:  # a phone's photo with extra pictures: no animation
        assert (img.format, imaging.format_of(img), imaging.is_animated(img)) == ("MPO", "JPEG", False)
    with imaging.opened(encode(photo(), "PNG")) as img:
        assert (imaging.format_of(img), imaging.is_animated(img), imaging.displayed_size(img)) == (
            "PNG",
            False,
            (64, 48),
        )


@pytest.mark.parametrize(
    ("orientation", "size"), [(None, (40, 20)), (1, (40, 20)), (3, (40, 20)), (6, (20, 40)), (8, (20, 40))]
)
def test_displayed_size_follows_the_exif_orientation_without_decoding(no_pixel_decoding, orientation, size):
    exif = Image.Exif()
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    with imaging.opened(encode(Image.new("RGB", (40, 20)), "JPEG", exif=exif)) as img:
        assert imaging.displayed_size(img) == size
    assert not no_pixel_decoding


def test_upright_turns_the_pixels_and_returns_the_profile():
    source = Image.new("RGB", (40, 20), "red")
    source.paste((0, 0, 255), (20, 0, 40, 20))  # left red, right blue
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    with imaging.opened(encode(source, "PNG", exif=exif, icc_profile=srgb)) as img:
        assert imaging.upright(img) == srgb
        assert img.size == (20, 40)
        assert img.getpixel((10, 5)) == (255, 0, 0) and img.getpixel((10, 35)) == (0, 0, 255)


def test_upright_fails_on_truncated_data():
    complete = encode(Image.effect_noise((64, 64), 64).convert("RGB"), "JPEG")
    with pytest.raises(imaging.DAMAGED), imaging.opened(complete[: len(complete) // 2]) as img:
        imaging.upright(img)


# --- encoding sizes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("ext", "fmt"), [("jpg", "JPEG"), ("png", "PNG"), ("gif", "GIF"), ("webp", "WEBP")])
def test_encode_size_resizes_and_drops_metadata_but_the_colour_profile(ext, fmt):
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = encode(photo((200, 100)), "JPEG", exif=gps_exif(), comment=b"secret comment", icc_profile=srgb)
    with imaging.opened(source) as img:
        icc = imaging.upright(img)
        content = imaging.encode_size(img, (100, 50), ext, icc)
    with Image.open(io.BytesIO(content)) as made:
        assert (made.format, made.size) == (fmt, (100, 50))
        assert not made.getexif() and "comment" not in made.info
        if fmt != "GIF":
            assert made.info.get("icc_profile") == srgb
    for leak in (b"PhoneMaker", b"secret"):
        assert leak not in content


def test_encode_size_keeps_alpha_and_palettes():
    rgba = Image.new("RGBA", (100, 50), (0, 0, 0, 0))
    rgba.paste((0, 128, 0, 255), (0, 0, 50, 50))
    with imaging.opened(encode(rgba, "PNG")) as img:
        imaging.upright(img)
        for ext in ("png", "webp"):
            with Image.open(io.BytesIO(imaging.encode_size(img, (50, 25), ext))) as made:
                pixels = made.convert("RGBA")
                assert pixels.getpixel((40, 10))[3] == 0 and pixels.getpixel((5, 10))[3] == 255, ext
    with imaging.opened(encode(Image.new("P", (100, 50), 3), "PNG")) as img:
        imaging.upright(img)
        with Image.open(io.BytesIO(imaging.encode_size(img, (50, 25), "png"))) as made:
            assert made.mode == "P"


def test_encode_size_uses_the_rendition_quality(monkeypatch):
    with imaging.opened(encode(Image.effect_noise((200, 200), 64).convert("RGB"), "PNG")) as img:
        imaging.upright(img)
        sizes = {}
        for quality in (82, 20):
            monkeypatch.setattr(imaging, "RENDITION_JPEG_QUALITY", quality)
            sizes[quality] = len(imaging.encode_size(img, (200, 200), "jpg"))
    assert sizes[20] < sizes[82]


def test_image_size_reads_the_header_only(no_pixel_decoding):
    assert imaging.image_size(io.BytesIO(encode(photo((30, 20)), "PNG"))) == (30, 20)
    assert not no_pixel_decoding


# --- files someone sent -----------------------------------------------------------------------------------


def test_read_limited_reads_at_most_one_byte_past_the_limit():
    assert imaging.read_limited(b"12345", 5, "x") == b"12345"
    assert imaging.read_limited(io.BytesIO(b"12345"), 5, "x") == b"12345"
    error = refusal(imaging.read_limited, io.BytesIO(b"123456"), 5, "x.bin")
    assert error.code == "too_large"
    assert message(error) == "“x.bin” is larger than 5 bytes."


def test_display_name_is_a_short_printable_base_name():
    assert imaging.display_name("../../a/b\\c.png", None, default="image") == "c.png"
    assert imaging.display_name(None, SimpleUploadedFile("up.gif", b""), default="image") == "up.gif"
    assert imaging.display_name("\x00\u202e", None, default="image") == "image"
    assert imaging.display_name("a" * 300, None, default="image") == "a" * 99 + "…"
