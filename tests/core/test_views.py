import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from core.models import Page, SiteSettings

pytestmark = pytest.mark.django_db


def test_server_error_page_renders_without_the_database(settings, monkeypatch):
    """The 500 page must not need the database: it may be what failed."""
    settings.DEBUG = False

    def broken_view(request):
        raise RuntimeError("boom")

    monkeypatch.setattr("blog.views.HomeView.get", lambda self, request, *a, **k: broken_view(request))
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(lambda *args: (_ for _ in ()).throw(AssertionError("queried"))):
        response = client.get(reverse("blog:home"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.parametrize("error", ["OperationalError", "InterfaceError"])
def test_a_database_outage_is_a_503_asking_to_retry(settings, monkeypatch, error):
    import django.db

    settings.DEBUG = False

    def unreachable(self, request, *args, **kwargs):
        raise getattr(django.db, error)("connection to server at 127.0.0.1 failed")

    monkeypatch.setattr("blog.views.HomeView.get", unreachable)
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(lambda *args: (_ for _ in ()).throw(AssertionError("queried"))):
        response = client.get(reverse("blog:home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "no-cache" in response["Cache-Control"]
    assert "cannot reach its database" in response.content.decode()


def test_site_settings_are_editable_and_shown(client, editor_client):
    url = reverse("admin:core_sitesettings_change", args=[1])
    # Every other field as it is (the admin form posts them all).
    data = {k: v for k, v in model_to_dict(SiteSettings.load()).items() if v is not None and k != "id"}
    data |= {
        "site_name": "Gadget Wire",
        "tagline": "Small news about small machines",
        "affiliate_disclosure": "We may earn a fee from links.",
        "affiliate_page": Page.objects.get(slug="affiliate-disclosure").pk,
        "copyright_notice": "Do not copy our work.",
    }
    assert editor_client.post(url, data).status_code == 302
    body = client.get(reverse("blog:home")).content.decode()
    assert "Gadget Wire" in body
    assert "Small news about small machines" in body
    assert "We may earn a fee from links." in body
    assert "Do not copy our work." in body


def test_site_settings_load_is_cached(django_assert_num_queries):
    SiteSettings.load()
    with django_assert_num_queries(0):
        assert SiteSettings.load().site_name == "Byline"


def test_page_body_is_sanitized():
    page = Page.objects.create(title="Imprint", slug="imprint", body="<p>Hi</p><script>x()</script>")
    assert page.body == "<p>Hi</p>"


def test_favicon_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
