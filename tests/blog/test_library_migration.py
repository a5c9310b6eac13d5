"""blog 0009: the pictures articles showed before the image library go into it, as they are."""

import hashlib
import importlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from PIL import Image as PILImage

from blog.models import Article
from library.models import Image
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("blog.migrations.0009_library_images")


def png(color, size=(300, 200)):
    out = io.BytesIO()
    PILImage.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def historical():
    """(Article, Image) as the migration sees them: the models of the project's state at blog 0009."""
    state = MigrationLoader(connection).project_state(("blog", "0009_library_images"))
    return state.apps.get_model("blog", "Article"), state.apps.get_model("library", "Image")


def test_the_migration_depends_on_the_library():
    assert ("library", "0001_initial") in migration.Migration.dependencies


def test_existing_pictures_are_catalogued_and_what_cannot_be_is_counted(historical):
    featured = default_storage.save("articles/2024/01/lead.png", ContentFile(png((200, 0, 0), (1200, 800))))
    in_body = default_storage.save("articles/2024/01/chart.png", ContentFile(png((0, 200, 0))))
    copy = default_storage.save("articles/2024/01/chart-copy.png", ContentFile(png((0, 200, 0))))
    fake = default_storage.save("articles/2024/01/fake.png", ContentFile(b"no picture"))
    known = default_storage.save("articles/2024/01/known.png", ContentFile(png((0, 0, 200))))
    Image.objects.register_stored(known, alt="Already in the library")
    body = "".join(
        f'<figure><img src="{default_storage.url(name)}" alt="{alt}"></figure>'
        for name, alt in [(in_body, "A green chart"), (copy, ""), (fake, ""), (known, "")]
    )
    first = ArticleFactory(
        featured_image=featured,
        featured_image_alt="A red cover",
        featured_image_caption="Cover",
        featured_image_credit="Photo: Bo",
        body=body,
    )
    second = ArticleFactory(body='<p><img src="/media/articles/2024/01/gone.png" alt="gone"></p>')
    # As before the library: no derived list yet (blog 0008 added the column empty).
    Article.objects.update(body_images="")

    counts = migration.catalogue_existing(*historical)

    assert counts == {"added": 2, "known": 1, "missing": 1, "unreadable": 1, "copies": 1, "articles": 2}
    cover = Image.objects.for_name(featured)
    assert (cover.alt, cover.caption, cover.credit, cover.width, cover.height) == (
        "A red cover",
        "Cover",
        "Photo: Bo",
        1200,
        800,
    )
    with default_storage.open(featured) as file:
        assert cover.sha256 == hashlib.sha256(file.read()).hexdigest()  # not re-encoded
    assert Image.objects.for_name(in_body).alt == "A green chart"
    assert Image.objects.for_name(known).alt == "Already in the library"
    assert Image.objects.count() == 3
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.body_images == f"\n{in_body}\n{copy}\n{fake}\n{known}\n"
    assert second.body_images == "\narticles/2024/01/gone.png\n"

    # Running it again adds nothing.
    again = migration.catalogue_existing(*historical)
    assert again["added"] == 0 and again["known"] == 3 and Image.objects.count() == 3
