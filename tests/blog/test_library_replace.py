"""A library picture replaced: every article showing it follows (bodies, featured images), its renditions
are made again and the pages showing it are purged; one described anew (alt, focal point) purges them too."""

import io
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tasks.signals import task_enqueued
from PIL import Image as PILImage

from blog.library_uses import replace_in_body
from blog.models import Article
from core import cachetags
from library.models import Image
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def jpeg(color, size=(1000, 500)):
    out = io.BytesIO()
    PILImage.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def enqueued():
    seen = []

    def record(sender, task_result, **kwargs):
        if task_result.task.name == "make_renditions_task":
            seen.append(task_result.args[0])

    task_enqueued.connect(record)
    yield seen
    task_enqueued.disconnect(record)


@pytest.fixture
def invalidated():
    """The cache tags every page-cache invalidation was asked for."""
    names = set()
    with mock.patch("pagecache.cache.invalidate", side_effect=lambda tags, urls=(): names.update(map(str, tags))):
        yield names


@pytest.fixture
def scene(django_capture_on_commit_callbacks):
    """A library picture featured by one live article and shown in another's body, renditions made."""
    picture, _created = Image.objects.add(jpeg((200, 0, 0)), filename="harbour.jpg", alt="The harbour")
    other, _created = Image.objects.add(jpeg((0, 0, 200)), filename="other.jpg", alt="Another")
    body = (
        f'<p>Look:</p><figure><img src="{picture.url}" alt="The harbour" width="500" height="250">'
        f'<figcaption>At dawn</figcaption></figure><p><img src="{other.url}" alt="Another"></p>'
    )
    with django_capture_on_commit_callbacks(execute=True):
        featuring = ArticleFactory(featured_image=picture.name, featured_image_alt="The harbour")
        showing = ArticleFactory(body=body)
        unrelated = ArticleFactory(body=f'<p><img src="{other.url}" alt="x"></p>')
    for article in (featuring, showing, unrelated):
        article.refresh_from_db()
    assert picture.name in featuring.renditions and picture.name in showing.renditions
    return picture, featuring, showing, unrelated


def test_replacing_a_picture_moves_every_article_to_the_new_file(
    scene, enqueued, invalidated, django_capture_on_commit_callbacks
):
    picture, featuring, showing, unrelated = scene
    old_name = picture.name
    updated = {a.pk: a.updated_at for a in (featuring, showing)}
    with django_capture_on_commit_callbacks(execute=True):
        picture.replace_file(ContentFile(jpeg((0, 200, 0), (1600, 900)), name="harbour-new.jpg"))
    new_name = picture.name
    assert new_name != old_name and default_storage.exists(old_name)  # the old file stays

    featuring.refresh_from_db()
    assert featuring.featured_image.name == new_name
    assert (featuring.featured_image_width, featuring.featured_image_height) == (1600, 900)
    showing.refresh_from_db()
    assert default_storage.url(old_name) not in showing.body
    assert f'<img src="{default_storage.url(new_name)}" alt="The harbour" width="500" height="250">' in showing.body
    assert "<figcaption>At dawn</figcaption>" in showing.body and "Another" in showing.body
    assert showing.body_images.split() == [new_name, Image.objects.exclude(pk=picture.pk).get().name]
    # Not saved: no new revision date.
    assert {a.pk: a.updated_at for a in Article.objects.filter(pk__in=updated)} == updated

    # Renditions made again for the new file (the task ran after commit), the old entries gone.
    assert sorted(enqueued) == sorted([featuring.pk, showing.pk])
    assert new_name in featuring.renditions and old_name not in featuring.renditions
    assert featuring.renditions[new_name]["width"] == 1600
    assert new_name in showing.renditions and old_name not in showing.renditions
    # The pages showing them are purged, the unrelated article's are not.
    assert {cachetags.article(featuring.pk), cachetags.article(showing.pk)} <= invalidated
    assert cachetags.article(unrelated.pk) not in invalidated


def test_a_picture_nobody_shows_is_replaced_without_touching_articles(enqueued, django_capture_on_commit_callbacks):
    picture, _created = Image.objects.add(jpeg((10, 10, 10)), filename="alone.jpg", alt="Alone")
    article = ArticleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        picture.replace_file(ContentFile(jpeg((20, 20, 20)), name="alone2.jpg"))
    assert enqueued == []
    assert Article.objects.get(pk=article.pk).body == article.body


def test_a_focal_point_moved_purges_the_pages_and_makes_new_crops(
    scene, enqueued, invalidated, django_capture_on_commit_callbacks
):
    picture, featuring, showing, unrelated = scene
    old_share = featuring.renditions[picture.name]["crops"]["focal"]
    with django_capture_on_commit_callbacks(execute=True):
        picture.focal_x, picture.focal_y = 0.1, 0.9
        picture.save()
    assert {cachetags.article(featuring.pk), cachetags.article(showing.pk)} <= invalidated
    assert cachetags.article(unrelated.pk) not in invalidated
    assert enqueued == [featuring.pk]  # only a featured image has crops
    featuring.refresh_from_db()
    assert old_share == [500, 500] and featuring.renditions[picture.name]["crops"]["focal"] == [100, 900]


def test_alt_text_changed_purges_the_pages(scene, invalidated, django_capture_on_commit_callbacks):
    picture, featuring, showing, unrelated = scene
    with django_capture_on_commit_callbacks(execute=True):
        picture.alt = "The harbour at dawn"
        picture.save()
    assert {cachetags.article(featuring.pk), cachetags.article(showing.pk)} <= invalidated


class TestReplaceInBody:
    def test_only_the_images_of_that_file(self):
        body = (
            '<p><img src="/media/a.jpg" alt="A &amp; B" class="wide"></p>'
            '<p><img src="/media/a.jpg.old" alt="x"><img src="/media/b.jpg" alt="b"></p>'
        )
        new = replace_in_body(body, "a.jpg", "/media/library/2026/05/a2.jpg")
        assert new == (
            '<p><img src="/media/library/2026/05/a2.jpg" alt="A &amp; B" class="wide"></p>'
            '<p><img src="/media/a.jpg.old" alt="x"><img src="/media/b.jpg" alt="b"></p>'
        )

    def test_no_image_no_change(self):
        assert replace_in_body("<p>Text</p>", "a.jpg", "/media/b.jpg") == "<p>Text</p>"
