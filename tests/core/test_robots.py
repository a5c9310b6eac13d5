import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_robots_txt(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /contribute/status/",
        "Disallow: /comments/",
        "Disallow: /search/",
        "",
        "Sitemap: http://testserver/sitemap.xml",
        "Sitemap: http://testserver/sitemap-news.xml",
    ]


def test_sitemaps_on_the_requests_scheme_and_host(client, settings):
    settings.ALLOWED_HOSTS = ["news.example.org"]
    body = client.get("/robots.txt", HTTP_HOST="news.example.org", secure=True).content.decode()
    assert "Sitemap: https://news.example.org/sitemap.xml\n" in body
    assert "Sitemap: https://news.example.org/sitemap-news.xml\n" in body


def test_disallowed_prefixes_match_the_routes():
    """The rules follow the URLs they keep crawlers from."""
    assert reverse("admin:index") == "/admin/"
    assert reverse("blog:article-preview", kwargs={"token": "t"}).startswith("/preview/")
    assert reverse("contributions:status", kwargs={"token": "t"}).startswith("/contribute/status/")
    assert reverse("discussion:post").startswith("/comments/")
    assert reverse("blog:search") == "/search/"


def test_the_sitemaps_it_names_exist(client):
    for line in client.get("/robots.txt").content.decode().splitlines():
        if line.startswith("Sitemap: "):
            path = line.removeprefix("Sitemap: http://testserver")
            assert client.get(path).status_code == 200, path
