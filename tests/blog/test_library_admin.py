"""The article admin's "choose from the library" for the featured image (blog/library_choice.py)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage

from blog.library_choice import RECENT
from blog.models import Article
from library.models import Image
from tests.blog.test_admin import ADD, change_url, form_data
from tests.factories import DraftFactory

pytestmark = pytest.mark.django_db


def jpeg(color, size=(800, 450)):
    out = io.BytesIO()
    PILImage.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def add_picture(n, **fields):
    image, _created = Image.objects.add(
        jpeg(((n * 40) % 256, (n * 90) % 256, (n * 20) % 256)), filename=f"pic{n}.jpg", alt=f"Picture {n}"
    )
    for key, value in fields.items():
        setattr(image, key, value)
    if fields:
        image.save()
    return image


def test_the_newest_pictures_are_offered_with_thumbnails(editor_client):
    pictures = [add_picture(n) for n in range(3)]
    html = editor_client.get(ADD).content.decode()
    assert 'name="library_image"' in html
    for n, picture in enumerate(pictures):
        assert f'value="{picture.pk}"' in html and picture.thumbnail_url in html and f"Picture {n}" in html
    assert html.index("Picture 2") < html.index("Picture 0")  # newest first


def test_choosing_one_sets_the_featured_image_and_its_words(editor_client, editor):
    picture = add_picture(1, caption="Harbour at dawn", credit="Photo: Ana")
    article = DraftFactory(author=editor.author)
    response = editor_client.post(change_url(article), form_data(article, library_image=picture.pk))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.featured_image.name == picture.name
    assert (article.featured_image_width, article.featured_image_height) == (800, 450)
    assert (article.featured_image_alt, article.featured_image_caption, article.featured_image_credit) == (
        "Picture 1",
        "Harbour at dawn",
        "Photo: Ana",
    )


def test_the_editors_own_alt_text_is_kept(editor_client, editor):
    picture = add_picture(2)
    article = DraftFactory(author=editor.author)
    editor_client.post(change_url(article), form_data(article, library_image=picture.pk, featured_image_alt="Mine"))
    article.refresh_from_db()
    assert article.featured_image.name == picture.name and article.featured_image_alt == "Mine"


def test_uploading_and_choosing_at_once_is_refused(editor_client, editor):
    picture = add_picture(3)
    article = DraftFactory(author=editor.author)
    upload = SimpleUploadedFile("up.jpg", jpeg((1, 2, 3)), content_type="image/jpeg")
    data = form_data(article, library_image=picture.pk, featured_image=upload, featured_image_alt="x")
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "not both" in str(response.context["adminform"].form.errors["library_image"])
    assert not Article.objects.get(pk=article.pk).featured_image


def test_a_picture_that_does_not_exist_is_refused(editor_client, editor):
    article = DraftFactory(author=editor.author)
    response = editor_client.post(change_url(article), form_data(article, library_image=999999))
    assert response.status_code == 200 and "library_image" in response.context["adminform"].form.errors


def test_the_chooser_costs_the_same_queries_however_large_the_library(editor_client, editor):
    article = DraftFactory(author=editor.author)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(change_url(article)).status_code == 200
        return len(queries)

    add_picture(0)
    editor_client.get(change_url(article))  # warm: the first request of a client loads more (session, user)
    few = count()
    for n in range(1, RECENT + 6):
        add_picture(n)
    many = count()
    assert few == many
    html = editor_client.get(change_url(article)).content.decode()
    assert html.count('name="library_image"') == RECENT + 1  # the newest, and "none"
