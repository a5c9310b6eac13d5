import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import Image as PillowImage

from core import imaging
from library.models import Image, clean_upload, thumbnail_name
from library.signals import image_changed, image_replaced
from tests.library.helpers import gps_exif, picture_bytes, upload

pytestmark = pytest.mark.django_db


def noise_png(size=(100, 100)):
    buffer = io.BytesIO()
    PillowImage.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def stored_exif(image):
    with default_storage.open(image.name, "rb") as stored, PillowImage.open(stored) as img:
        return dict(img.getexif()), img.info


def test_add_stores_a_cleaned_copy_without_metadata():
    original = upload("Holiday Photo.JPG", exif=gps_exif())
    with PillowImage.open(io.BytesIO(original.read())) as check:
        assert check.getexif().get(0x010F) == "SecretCam"  # the test file does carry EXIF
    image, created = Image.objects.add(original, alt="A beach at dusk")

    assert created
    assert image.name.startswith("library/") and image.name.endswith("/holiday-photo.jpg")
    assert (image.width, image.height) == (640, 360)
    assert len(image.sha256) == 64
    exif, info = stored_exif(image)
    assert exif == {}
    assert "exif" not in info
    assert default_storage.exists(thumbnail_name(image.sha256))
    assert image.thumbnail_url.endswith(".webp")
    assert image.url == default_storage.url(image.name)


def test_the_same_picture_again_is_the_existing_row_with_its_alt_filled_in():
    first, created = Image.objects.add(picture_bytes(), filename="a.jpg")
    assert created and first.alt == ""

    again, created = Image.objects.add(upload("copy-of-a.jpg"), alt="The sea")

    assert not created
    assert again.pk == first.pk
    assert Image.objects.count() == 1
    first.refresh_from_db()
    assert first.alt == "The sea"
    # An alt text it already has is not overwritten by a later upload's.
    Image.objects.add(upload("b.jpg"), alt="Something else")
    first.refresh_from_db()
    assert first.alt == "The sea"


def test_another_picture_is_another_row():
    Image.objects.add(upload("a.jpg", color=(1, 2, 3)))
    Image.objects.add(upload("a.jpg", color=(200, 2, 3)))
    names = list(Image.objects.values_list("file", flat=True))
    assert len(names) == 2 and names[0] != names[1]


def test_bytes_that_are_no_picture_are_refused_with_a_message():
    with pytest.raises(ValidationError) as error:
        Image.objects.add(picture_bytes()[:600], filename="cut.jpg")  # a JPEG cut short
    assert error.value.messages == ["“cut.jpg” is damaged or incomplete."]
    with pytest.raises(ValidationError) as error:
        Image.objects.add(b"%PDF-1.7 nope", filename="report.pdf")
    assert error.value.messages == ["“report.pdf” is not a JPEG, PNG, WebP or GIF image."]
    assert not Image.objects.exists()


def test_oversized_files_and_pictures_are_refused(monkeypatch):
    monkeypatch.setattr(imaging, "MAX_IMAGE_BYTES", 1000)
    with pytest.raises(ValidationError) as error:
        Image.objects.add(noise_png(), filename="big.png")
    assert error.value.code == "too_large"
    assert "larger than 1000 bytes" in error.value.messages[0]

    monkeypatch.setattr(imaging, "MAX_IMAGE_BYTES", 5 * 1024 * 1024)
    monkeypatch.setattr(imaging, "MAX_PIXELS", 100 * 100)
    with pytest.raises(ValidationError) as error:
        Image.objects.add(upload("wide.jpg", size=(200, 100)))
    assert error.value.code == "too_many_pixels"
    assert "(200×100)" in error.value.messages[0]
    assert not Image.objects.exists()


def test_for_name_and_search(make_image):
    beach = make_image(alt="A beach at dusk")
    make_image(alt="Mountains", caption="The Alps in winter")
    assert Image.objects.for_name(beach.name) == beach
    assert Image.objects.for_name("library/none.jpg") is None
    assert Image.objects.for_name("") is None
    assert [i.alt for i in Image.objects.search("alps")] == ["Mountains"]
    assert [i.alt for i in Image.objects.search("beach dusk")] == ["A beach at dusk"]
    assert list(Image.objects.search("beach alps")) == []
    assert Image.objects.search(beach.filename.split(".")[0]).get() == beach


def test_replace_file_keeps_the_row_and_says_so(make_image):
    image = make_image(alt="The old bridge", caption="In 1920")
    image.focal_x, image.focal_y = 0.2, 0.8
    image.save()
    old_name, old_sha = image.name, image.sha256
    received = []
    image_replaced.connect(lambda **kw: received.append(kw), sender=Image, weak=False, dispatch_uid="t-replaced")
    changed = []
    image_changed.connect(lambda **kw: changed.append(kw), sender=Image, weak=False, dispatch_uid="t-changed")
    try:
        image.replace_file(upload("bridge.png", size=(300, 200), color=(9, 9, 9)))
    finally:
        image_replaced.disconnect(dispatch_uid="t-replaced")
        image_changed.disconnect(dispatch_uid="t-changed")

    fresh = Image.objects.get()
    assert fresh.pk == image.pk
    assert (fresh.alt, fresh.caption) == ("The old bridge", "In 1920")
    assert fresh.name != old_name and fresh.name.endswith("bridge.png")
    assert fresh.sha256 != old_sha
    assert (fresh.width, fresh.height) == (300, 200)
    assert (fresh.focal_x, fresh.focal_y) == (0.5, 0.5)
    assert default_storage.exists(old_name), "the old file stays: cached pages may point at it"
    assert default_storage.exists(thumbnail_name(fresh.sha256))
    assert len(received) == 1
    assert received[0]["image"].pk == image.pk
    assert (received[0]["old_name"], received[0]["new_name"]) == (old_name, fresh.name)
    assert changed == []


def test_replace_file_with_a_picture_of_the_same_name_stores_a_new_name(make_image):
    image = make_image()
    old_name = image.name
    image.replace_file(upload(image.filename, color=(250, 250, 0)))
    assert image.name != old_name
    assert default_storage.exists(old_name) and default_storage.exists(image.name)


def test_replace_file_refuses_bad_files_and_other_library_pictures(make_image):
    image = make_image()
    other = make_image(alt="Another one")
    with pytest.raises(ValidationError):
        image.replace_file(b"not a picture", filename="x.jpg")
    with default_storage.open(other.name, "rb") as stored:
        other_bytes = stored.read()
    # The other picture's cleaned file, cleaned again, is another file; its upload is what matters:
    cleaned = clean_upload(other_bytes, "again.jpg")
    Image.objects.filter(pk=other.pk).update(sha256=cleaned.sha256)
    with pytest.raises(ValidationError) as error:
        image.replace_file(cleaned)
    assert error.value.code == "duplicate"
    assert "Another one" in error.value.messages[0]
    image.refresh_from_db()
    assert Image.objects.get(pk=image.pk).name == image.name


def test_image_changed_is_sent_when_the_words_or_the_focal_point_change(make_image):
    image = make_image()
    received = []
    image_changed.connect(lambda **kw: received.append(kw["image"].pk), sender=Image, weak=False, dispatch_uid="t")
    try:
        loaded = Image.objects.get(pk=image.pk)
        loaded.licence = "CC BY 4.0"
        loaded.save()
        assert received == []  # the licence is not shown on pages
        loaded.alt = "A new description"
        loaded.save()
        assert received == [image.pk]
        loaded.save()
        assert received == [image.pk]  # nothing changed
        loaded.focal_x = 0.1
        loaded.save()
        assert received == [image.pk, image.pk]
    finally:
        image_changed.disconnect(dispatch_uid="t")


def test_focal_point_stays_inside_the_picture(make_image):
    from django.db import IntegrityError, transaction

    image = make_image()
    image.focal_x = 1.5
    with pytest.raises(ValidationError):
        image.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        image.save()


def test_an_image_saved_without_add_gets_its_digest(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    image = Image(file=SimpleUploadedFile("plain.jpg", picture_bytes(size=(50, 40))), alt="Plain")
    image.save()
    assert len(image.sha256) == 64
    assert (image.width, image.height) == (50, 40)
