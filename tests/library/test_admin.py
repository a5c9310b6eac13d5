import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from library.models import Image
from library.signals import image_replaced
from tests.factories import UserFactory
from tests.library.helpers import upload

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:library_image_changelist")


def change_url(image):
    return reverse("admin:library_image_change", args=[image.pk])


def form_data(image, **changes):
    data = {
        "alt": image.alt,
        "caption": image.caption,
        "credit": image.credit,
        "licence": image.licence,
        "licence_expires": "",
        "focal_x": image.focal_x,
        "focal_y": image.focal_y,
    }
    data.update(changes)
    return data


def queries_for(client, url, django_assert_num_queries, count):
    """The page, asked twice: the first time fills the process's caches (content types)."""
    assert client.get(url).status_code == 200
    with django_assert_num_queries(count):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("query", ["", "?use=used", "?use=unused", "?alt=missing", "?q=blue", "?licence=soon"])
def test_changelist_runs_a_fixed_number_of_queries(
    editor_client, make_image, provider, query, django_assert_num_queries
):
    provider.use(make_image())
    make_image(alt="")
    editor_client.get(CHANGELIST + query)  # fills the process's caches
    with CaptureQueriesContext(connection) as two:
        assert editor_client.get(CHANGELIST + query).status_code == 200
    for _ in range(6):
        provider.use(make_image())
        make_image(alt="")
    with CaptureQueriesContext(connection) as fourteen:
        assert editor_client.get(CHANGELIST + query).status_code == 200
    assert len(two) == len(fourteen)
    queries_for(editor_client, CHANGELIST + query, django_assert_num_queries, len(two))


def test_changelist_shows_thumbnails_flags_and_uses(editor_client, make_image, provider):
    used = make_image(alt="A lighthouse")
    provider.use(used)
    provider.use(used, "Page “About”")
    bare = make_image(alt="")

    html = editor_client.get(CHANGELIST).content.decode()
    assert 'class="library-thumb"' in html
    assert used.thumbnail_url in html
    assert "No alt text" in html and bare.filename in html
    assert "2 places" in html and "Not used" in html
    assert "Upload pictures" in html and reverse("admin:library_image_add") in html

    used_only = editor_client.get(CHANGELIST + "?use=used")
    assert list(used_only.context["cl"].result_list) == [used]
    unused_only = editor_client.get(CHANGELIST + "?use=unused")
    assert list(unused_only.context["cl"].result_list) == [bare]
    missing = editor_client.get(CHANGELIST + "?alt=missing")
    assert list(missing.context["cl"].result_list) == [bare]
    searched = editor_client.get(CHANGELIST + "?q=lighthouse")
    assert list(searched.context["cl"].result_list) == [used]


def test_upload_page_renders(writer_client, django_assert_num_queries):
    # The session, the user, the user's and the groups' permissions.
    response = queries_for(writer_client, reverse("admin:library_image_add"), django_assert_num_queries, 4)
    html = response.content.decode()
    assert 'type="file"' in html and "multiple" in html
    assert 'data-upload-url="' + reverse("admin:library_image_upload") + '"' in html
    assert "js/library-upload.js" in html
    assert "csrfmiddlewaretoken" in html


def test_upload_page_needs_the_add_permission(client, make_image):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_image"))
    client.force_login(viewer)
    assert client.get(reverse("admin:library_image_add")).status_code == 403
    assert client.get(CHANGELIST).status_code == 200


def test_detail_page_shows_the_picture_its_sizes_and_uses(
    editor_client, make_image, provider, django_assert_num_queries
):
    image = make_image(alt="A lighthouse", focal_x=0.25, focal_y=0.75)
    provider.use(image, "Article “Storms”", "/admin/blog/article/7/change/", "/storms/")
    provider.use(image, "Article “Coasts”", "/admin/blog/article/8/change/", "")
    provider.use(image, "Article “Light”", "/admin/blog/article/9/change/", "/light/")

    # The session, the user, the picture, the permissions (2); the provider's own are not counted here.
    response = queries_for(editor_client, change_url(image), django_assert_num_queries, 5)
    html = response.content.decode()
    assert "Used in 3 places:" in html
    assert '<a href="/admin/blog/article/7/change/">Article “Storms”</a>' in html
    assert 'href="/storms/"' in html
    assert "640 × 360 px" in html
    assert "data-focal-picture" in html and "left: 25%; top: 75%" in html
    assert 'id="id_focal_x"' in html and 'step="0.01"' in html
    assert 'name="replace_with"' in html
    assert "js/library-focal.js" in html


def test_detail_page_saves_words_and_focal_point(editor_client, make_image):
    image = make_image()
    response = editor_client.post(
        change_url(image),
        form_data(image, alt="A harbour at night", credit="Photo: Ann Lee", focal_x="0.3", focal_y="0.6"),
    )
    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.alt, image.credit, image.focal_x, image.focal_y) == ("A harbour at night", "Photo: Ann Lee", 0.3, 0.6)


def test_detail_page_requires_alt_and_a_focal_point_inside(editor_client, make_image):
    image = make_image()
    response = editor_client.post(change_url(image), form_data(image, alt="", focal_x="1.5"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["alt"] == ["Describe the picture for readers who cannot see it."]
    assert form.errors["focal_x"] == ["Give a number from 0 to 1 (0.5 is the middle)."]


def test_detail_page_replaces_the_file_in_place(editor_client, make_image):
    image = make_image(alt="The old bridge")
    old_name = image.name
    received = []
    image_replaced.connect(lambda **kw: received.append(kw["new_name"]), sender=Image, weak=False, dispatch_uid="t")
    try:
        response = editor_client.post(
            change_url(image),
            {**form_data(image), "replace_with": upload("bridge-2.png", size=(120, 80), color=(5, 5, 5))},
        )
    finally:
        image_replaced.disconnect(dispatch_uid="t")
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.alt == "The old bridge"
    assert image.name != old_name and image.name.endswith("bridge-2.png")
    assert (image.width, image.height) == (120, 80)
    assert received == [image.name]
    assert default_storage.exists(old_name)


def test_detail_page_refuses_a_bad_replacement(editor_client, make_image):
    image = make_image()
    response = editor_client.post(
        change_url(image), {**form_data(image), "replace_with": SimpleUploadedFile("x.jpg", b"nope")}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["replace_with"] == [
        "“x.jpg” is not a JPEG, PNG, WebP or GIF image."
    ]


def test_a_picture_in_use_cannot_be_deleted(editor_client, make_image, provider):
    image = make_image(alt="A lighthouse")
    provider.use(image, "Article “Storms”", "/admin/blog/article/7/change/")
    url = reverse("admin:library_image_delete", args=[image.pk])

    html = editor_client.get(url).content.decode()
    assert "is in use, so it cannot be deleted" in html
    assert '<a href="/admin/blog/article/7/change/">Article “Storms”</a>' in html
    assert "Yes, I’m sure" not in html
    response = editor_client.post(url, {"post": "yes"})
    assert "is in use, so it cannot be deleted" in response.content.decode()
    assert Image.objects.filter(pk=image.pk).exists()


def test_the_delete_action_refuses_pictures_in_use(editor_client, make_image, provider):
    used, unused = make_image(alt="Used one"), make_image(alt="Unused one")
    provider.use(used, "Article “Storms”")
    data = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [used.pk, unused.pk]}

    response = editor_client.post(CHANGELIST, data)
    html = response.content.decode()
    assert "Some of the selected pictures are in use, so none was deleted." in html
    assert "Used one" in html and "Article “Storms”" in html
    editor_client.post(CHANGELIST, {**data, "post": "yes"})
    assert Image.objects.count() == 2

    editor_client.post(CHANGELIST, {"action": "delete_selected", ACTION_CHECKBOX_NAME: [unused.pk], "post": "yes"})
    assert list(Image.objects.all()) == [used]


def test_an_unused_picture_can_be_deleted(editor_client, make_image, provider):
    image = make_image()
    url = reverse("admin:library_image_delete", args=[image.pk])
    assert "Yes, I’m sure" in editor_client.get(url).content.decode()
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    assert not Image.objects.exists()


def test_authors_may_not_delete(writer_client, make_image):
    image = make_image()
    assert writer_client.get(reverse("admin:library_image_delete", args=[image.pk])).status_code == 403
