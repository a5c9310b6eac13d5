import pytest
from django.test import RequestFactory
from django.urls import reverse

from core import ratelimit


@pytest.mark.parametrize(("header", "size"), [(None, 0), ("", 0), ("120", 120), ("abc", 0), ("-5", 0)])
def test_declared_size(header, size):
    request = RequestFactory().post("/")
    request.META.pop("CONTENT_LENGTH", None)
    if header is not None:
        request.META["CONTENT_LENGTH"] = header
    assert ratelimit.declared_size(request) == size


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["contributions:submit", "complaints:complaint", "discussion:post"])
def test_a_malformed_content_length_is_not_a_server_error(client, name):
    response = client.post(reverse(name), {}, CONTENT_LENGTH="abc")
    assert response.status_code < 500


def test_counts_per_scope_and_address(settings):
    ratelimit.count("test", "10.0.0.1")
    ratelimit.count("test", "10.0.0.1")
    assert ratelimit.is_limited("test", "10.0.0.1", 2)
    assert not ratelimit.is_limited("test", "10.0.0.2", 2)
    assert not ratelimit.is_limited("other", "10.0.0.1", 2)
    assert not ratelimit.is_limited("test", None, 0)
