import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
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


def client_ip(remote, forwarded=None):
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return ratelimit.client_ip(request)


def test_without_trusted_proxies_the_client_is_the_peer_whatever_it_forwards(settings):
    settings.BYLINE_TRUSTED_PROXIES = []
    assert client_ip("203.0.113.5") == "203.0.113.5"
    assert client_ip("127.0.0.1", "203.0.113.5") == "127.0.0.1"


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # Varnish on this machine, reached directly: it appended the reader's address.
        ("127.0.0.1", "203.0.113.5", "203.0.113.5"),
        # nginx -> Varnish -> the app, both trusted.
        ("127.0.0.1", "203.0.113.5, 127.0.0.1", "203.0.113.5"),
        # A reader who sends X-Forwarded-For of their own: theirs is left of what the proxy appended.
        ("127.0.0.1", "198.51.100.1, 10.9.9.9, 203.0.113.5", "203.0.113.5"),
        ("127.0.0.1", "not an address, 203.0.113.5", "203.0.113.5"),
        # A proxy inside a trusted network, behind another.
        ("10.0.0.2", "203.0.113.5, 10.0.0.3", "203.0.113.5"),
        # IPv6 readers, and a peer address in IPv4-mapped IPv6 (gunicorn bound to [::]).
        ("127.0.0.1", "2001:db8::7", "2001:db8::7"),
        ("::ffff:127.0.0.1", "203.0.113.5", "203.0.113.5"),
        # Only proxies on the way: the farthest one is all that is known.
        ("10.0.0.2", "10.0.0.4", "10.0.0.4"),
        # A trusted proxy that forwarded nothing.
        ("127.0.0.1", None, "127.0.0.1"),
        ("127.0.0.1", "", "127.0.0.1"),
    ],
)
def test_behind_trusted_proxies_the_client_is_the_first_untrusted_address_from_the_right(
    settings, remote, forwarded, client
):
    settings.BYLINE_TRUSTED_PROXIES = ["127.0.0.1", "::1", "10.0.0.0/8"]
    assert client_ip(remote, forwarded) == client


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(settings):
    settings.BYLINE_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip("203.0.113.5", "198.51.100.1") == "203.0.113.5"
    assert client_ip("203.0.113.5", "198.51.100.1, 127.0.0.1") == "203.0.113.5"


def test_a_trusted_proxy_that_is_not_an_address_is_refused(settings):
    settings.BYLINE_TRUSTED_PROXIES = ["127.0.0.1", "varnish.internal"]
    with pytest.raises(ImproperlyConfigured, match="varnish.internal"):
        client_ip("127.0.0.1", "203.0.113.5")


def test_counts_per_scope_and_address(settings):
    ratelimit.count("test", "10.0.0.1")
    ratelimit.count("test", "10.0.0.1")
    assert ratelimit.is_limited("test", "10.0.0.1", 2)
    assert not ratelimit.is_limited("test", "10.0.0.2", 2)
    assert not ratelimit.is_limited("other", "10.0.0.1", 2)
    assert not ratelimit.is_limited("test", None, 0)


class RecordingInput(io.BytesIO):
    """A request body (wsgi.input) that remembers whether anything read it."""

    read_calls = 0

    def read(self, *args):
        self.read_calls += 1
        return super().read(*args)


def multipart(fields, boundary="BylineBoundary"):
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    return ("".join(parts) + f"--{boundary}--\r\n").encode(), f"multipart/form-data; boundary={boundary}"


def send(client, url, fields):
    """POST `fields` as a browser would, the body read through a RecordingInput."""
    body, content_type = multipart(fields)
    stream = RecordingInput(body)
    response = client.generic(
        "POST",
        url,
        b"",
        HTTP_ORIGIN="http://testserver",
        **{"wsgi.input": stream, "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": content_type},
    )
    return response, stream


FORMS = [
    ("contributions:submit", "BYLINE_SUBMISSION_MAX_REQUEST_BYTES", "title"),
    ("complaints:complaint", None, "reason"),
    ("discussion:post", None, "comment"),
]


@pytest.fixture
def csrf_client(db, user):
    """A signed-in browser that holds a CSRF cookie; Django's CSRF checks are enforced."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("contributions:submit"))
    return client


@pytest.mark.parametrize(("name", "setting", "field"), FORMS)
def test_an_oversized_form_post_is_refused_before_anything_reads_it(csrf_client, settings, name, setting, field):
    """Django's CSRF middleware parses the body before view code runs; these views refuse first."""
    if setting:
        setattr(settings, setting, 64 * 1024)
    token = csrf_client.cookies["csrftoken"].value
    response, stream = send(csrf_client, reverse(name), {"csrfmiddlewaretoken": token, field: "x" * 70_000})
    assert response.status_code == 413
    assert stream.read_calls == 0


@pytest.mark.parametrize(("name", "setting", "field"), FORMS)
def test_csrf_is_still_checked_after_the_size(csrf_client, name, setting, field):
    response, stream = send(csrf_client, reverse(name), {field: "a forged post"})
    assert response.status_code == 403
    assert b"CSRF" in response.content


@pytest.mark.parametrize(("name", "setting", "field"), FORMS)
def test_a_post_with_its_token_passes_the_csrf_check(csrf_client, name, setting, field):
    token = csrf_client.cookies["csrftoken"].value
    response, stream = send(csrf_client, reverse(name), {"csrfmiddlewaretoken": token, field: "x"})
    assert response.status_code not in (403, 413)
    assert stream.read_calls > 0  # the view went on to read the form


@pytest.mark.parametrize(("name", "setting", "field"), FORMS)
@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_unsafe_methods_are_csrf_checked_too(csrf_client, name, setting, field, method):
    """Found by make loadtest: exempt from the middleware, a PATCH rendered the form (200)."""
    response = csrf_client.generic(method, reverse(name), b"", HTTP_ORIGIN="http://testserver")
    assert response.status_code in (403, 405)
