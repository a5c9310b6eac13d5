import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from library.models import Image
from library.views import PAGE_SIZE
from tests.factories import UserFactory
from tests.library.helpers import upload

pytestmark = pytest.mark.django_db

UPLOAD = "admin:library_image_upload"
CHOOSE = "admin:library_image_choose"


@pytest.fixture
def staff_without_library(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(user)
    return client


def test_upload_needs_a_login_and_the_add_permission(staff_without_library):
    response = Client().post(reverse(UPLOAD), {"file": upload()})
    assert response.status_code == 302 and "/login/" in response["Location"]

    response = staff_without_library.post(reverse(UPLOAD), {"file": upload()})
    assert response.status_code == 403
    assert response.json() == {"error": "You may not add pictures to the library."}
    assert not Image.objects.exists()


def test_upload_checks_csrf(editor):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(reverse(UPLOAD), {"file": upload()}).status_code == 403
    strict.get(reverse("admin:library_image_add"))
    token = strict.cookies["csrftoken"].value
    response = strict.post(reverse(UPLOAD), {"file": upload()}, headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_upload_a_new_picture_then_the_same_again(writer_client, writer):
    response = writer_client.post(reverse(UPLOAD), {"file": upload("Sunset.jpg")})
    assert response.status_code == 201
    body = response.json()
    image = Image.objects.get()
    assert body["id"] == image.pk
    assert body["duplicate"] is False
    assert (body["width"], body["height"]) == (640, 360)
    assert body["url"] == image.url and body["alt"] == "" and body["caption"] == ""
    assert body["admin_url"] == reverse("admin:library_image_change", args=[image.pk])
    assert image.uploaded_by == writer

    response = writer_client.post(reverse(UPLOAD), {"file": upload("sunset-copy.jpg"), "alt": "The sun going down"})
    assert response.status_code == 200
    body = response.json()
    assert body["duplicate"] is True and body["id"] == image.pk
    assert body["alt"] == "The sun going down"
    assert Image.objects.count() == 1


def test_upload_refuses_bad_files_with_a_message(editor_client):
    response = editor_client.post(reverse(UPLOAD), {"file": SimpleUploadedFile("notes.txt", b"hello")})
    assert response.status_code == 400
    assert response.json() == {"error": "“notes.txt” is not a JPEG, PNG, WebP or GIF image."}

    response = editor_client.post(reverse(UPLOAD), {})
    assert response.status_code == 400
    assert response.json() == {"error": "Choose a picture to upload."}

    response = editor_client.post(reverse(UPLOAD), {"file": upload(), "alt": "A <script> tag"})
    assert response.status_code == 400
    assert "is HTML" in response.json()["error"]
    assert not Image.objects.exists()


def test_upload_is_post_only(editor_client):
    assert editor_client.get(reverse(UPLOAD)).status_code == 405


def test_choose_needs_the_view_permission(staff_without_library):
    response = staff_without_library.get(reverse(CHOOSE))
    assert response.status_code == 403
    assert "error" in response.json()


def test_choose_pages_newest_first_in_a_fixed_number_of_queries(writer_client, make_image, django_assert_num_queries):
    images = [make_image(alt=f"Picture {n}") for n in range(PAGE_SIZE + 3)]

    # The session, the user, then one query for the page (its groups' permissions are cached on the user).
    with django_assert_num_queries(5):
        first = writer_client.get(reverse(CHOOSE)).json()
    assert [r["id"] for r in first["results"]] == [i.pk for i in reversed(images)][:PAGE_SIZE]
    assert first["next"] == 2
    result = first["results"][0]
    assert set(result) == {"id", "url", "thumbnail", "width", "height", "alt", "caption"}
    assert result["thumbnail"].endswith(".webp")

    with django_assert_num_queries(5):
        second = writer_client.get(reverse(CHOOSE), {"page": 2}).json()
    assert [r["id"] for r in second["results"]] == [i.pk for i in reversed(images[:3])]
    assert second["next"] is None

    assert writer_client.get(reverse(CHOOSE), {"page": 9}).json() == {"results": [], "next": None}


def test_choose_searches_alt_caption_credit_and_file_name(editor_client, make_image):
    beach = make_image(alt="A beach at dusk")
    alps = make_image(alt="Mountains", caption="The Alps in winter")
    credited = make_image(alt="A cat", credit="Photo: Jane Doe")
    make_image(alt="Something else")

    def found(q):
        return [r["id"] for r in editor_client.get(reverse(CHOOSE), {"q": q}).json()["results"]]

    assert found("beach") == [beach.pk]
    assert found("ALPS") == [alps.pk]
    assert found("jane") == [credited.pk]
    assert found(beach.filename.removesuffix(".jpg")) == [beach.pk]
    assert found("nothing-like-it") == []


def test_choose_refuses_bad_pages(editor_client):
    for page in ("0", "-1", "two"):
        response = editor_client.get(reverse(CHOOSE), {"page": page})
        assert response.status_code == 400
        assert response.json()["error"].startswith("“page” is a page number")
