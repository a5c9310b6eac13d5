"""Old WordPress addresses answer 301 to the new ones, from the redirects table editors can extend."""

import io

import pytest
from django.contrib.redirects.models import Redirect
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory

from wordpress.middleware import WordPressQueryRedirectMiddleware

from .exports import item, site_export, wxr

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path):
    path = tmp_path / "export.xml"
    path.write_bytes(site_export())
    call_command("import_wordpress", str(path), stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/?p=101", "/2019/03/hello-world/"),
        ("/?p=101&utm_source=newsletter", "/2019/03/hello-world/"),
        ("/2019/03/14/hello-world/", "/2019/03/hello-world/"),
        ("/2020/05/01/hello-world/", "/2020/05/hello-world-2/"),
        ("/?page_id=130", "/pages/about-us/"),
        ("/about-us/", "/pages/about-us/"),
        ("/about-us/team/", "/pages/team/"),
        ("/category/news/tech/", "/category/tech/"),
        ("/category/caf%C3%A9/", "/category/cafe/"),
        ("/?cat=4", "/category/tech/"),
        ("/?tag=python", "/tag/python/"),
        ("/?author=1", "/author/alice/"),
    ],
)
def test_old_addresses_answer_301(client, imported, old, new):
    response = client.get(old)
    assert response.status_code == 301, old
    assert response["Location"] == new


def test_same_shapes_get_no_row(imported):
    """Byline answers /YYYY/MM/slug/, /category/x/, /tag/x/, /author/x/ itself when the slug is kept."""
    paths = set(Redirect.objects.values_list("old_path", flat=True))
    assert "/category/news/" not in paths
    assert "/tag/python/" not in paths
    assert "/author/alice/" not in paths
    assert not any(path == new for path, new in Redirect.objects.values_list("old_path", "new_path"))


def test_drafts_get_no_redirect(client, imported):
    assert not Redirect.objects.filter(old_path="/?p=102").exists()
    assert client.get("/?p=102").status_code == 200  # the home page, as for any query


def test_editors_rows_work_too(client, db):
    Redirect.objects.create(site_id=1, old_path="/old-shop/", new_path="/pages/about/")
    assert client.get("/old-shop/")["Location"] == "/pages/about/"


def test_redirects_are_not_stored_in_the_page_cache(client, imported, settings):
    settings.BYLINE_PAGE_CACHE_SECONDS = 3600
    for _attempt in range(2):
        for old in ("/about-us/", "/?p=101"):
            response = client.get(old)
            assert response.status_code == 301
            assert "X-Page-Cache" not in response
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "X-Page-Cache" not in missing


def test_middleware_costs_no_query_on_ordinary_requests(django_assert_num_queries, db):
    middleware = WordPressQueryRedirectMiddleware(lambda request: HttpResponse("ok"))
    factory = RequestFactory()
    with django_assert_num_queries(0):
        for path in ("/", "/?page=2", "/2019/03/hello/", "/search/?q=p", "/category/x/?p=1"):
            assert middleware(factory.get(path)).status_code == 200
    with django_assert_num_queries(1):
        assert middleware(factory.get("/?p=404")).status_code == 200  # looked up, not found


def test_former_slugs_keep_answering(client, tmp_path):
    renamed = item(
        500,
        "Renamed post",
        name="renamed-post",
        date="2021-06-02 08:00:00",
        meta=[("_wp_old_slug", "first-name"), ("_wp_old_slug", "second-name")],
    )
    path = tmp_path / "renamed.xml"
    path.write_bytes(wxr(renamed))
    call_command("import_wordpress", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    for old in ("/2021/06/02/renamed-post/", "/2021/06/02/first-name/", "/2021/06/02/second-name/", "/?p=500"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, "/2021/06/renamed-post/"), old
