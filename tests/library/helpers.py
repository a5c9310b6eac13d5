"""Pictures for the library's tests, made in memory."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PillowImage


def picture_bytes(size=(640, 360), color=(30, 90, 200), fmt="JPEG", exif=None):
    buffer = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    PillowImage.new("RGB", size, color).save(buffer, fmt, **options)
    return buffer.getvalue()


def upload(name="photo.jpg", **kwargs):
    fmt = kwargs.setdefault("fmt", "PNG" if name.endswith(".png") else "JPEG")
    return SimpleUploadedFile(name, picture_bytes(**kwargs), content_type=f"image/{fmt.lower()}")


def gps_exif():
    """EXIF with a camera make and a GPS position: what must never reach readers."""
    exif = PillowImage.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}  # GPSInfo
    return exif
