"""core/templatetags/seo.py: absolute_url."""

from django.template import Context, Template
from django.test import RequestFactory


def render(url):
    request = RequestFactory().get("/", headers={"host": "testserver"}, secure=True)
    return Template("{% load seo %}{% absolute_url url %}").render(Context({"request": request, "url": url}))


def test_a_root_relative_address_gets_the_request_s_scheme_and_host():
    assert render("/media/a.jpg") == "https://testserver/media/a.jpg"


def test_an_absolute_address_on_a_bucket_or_cdn_stays_as_it_is():
    assert render("https://media.example.net/a.jpg") == "https://media.example.net/a.jpg"
