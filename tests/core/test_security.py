"""Security headers on every kind of page, the CSP's one inline script, and the admin sign-in lockout."""

import re

import pytest
from django.urls import reverse

from core.security import editor_importmap_hash, script_hash
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL)
# Data blocks: the browser does not run them, and CSP does not apply to them.
_DATA_TYPES = ("application/ld+json", "application/json")


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def inline_scripts(html):
    """The text of every inline script the browser would run."""
    found = []
    for attributes, text in _SCRIPT.findall(html):
        if "src=" in attributes or any(kind in attributes for kind in _DATA_TYPES):
            continue
        found.append(text)
    return found


def assert_csp_allows_page(response):
    policy = directives(response)
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    for text in inline_scripts(response.content.decode()):
        assert script_hash(text) in policy["script-src"], f"inline script not allowed by the CSP: {text[:80]}"


def test_public_pages_carry_the_security_headers(client):
    article = ArticleFactory()
    for url in (reverse("blog:home"), article.get_absolute_url(), reverse("blog:search") + "?q=x", "/nowhere/"):
        response = client.get(url)
        policy = directives(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]
        assert policy["base-uri"] == ["'self'"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]
        assert_csp_allows_page(response)


def test_the_header_is_the_same_for_every_response_so_cached_pages_stay_valid(client):
    article = ArticleFactory()
    first = client.get(article.get_absolute_url())["Content-Security-Policy"]
    assert client.get(article.get_absolute_url())["Content-Security-Policy"] == first
    assert client.get(reverse("blog:home"))["Content-Security-Policy"] == first
    assert "nonce-" not in first


def test_the_editor_pages_run_only_the_import_map_allowed_by_its_hash(editor_client):
    response = editor_client.get(reverse("admin:blog_article_add"))
    assert response.status_code == 200
    scripts = inline_scripts(response.content.decode())
    assert len(scripts) == 1 and '"imports"' in scripts[0]
    assert script_hash(scripts[0]) == editor_importmap_hash()
    assert_csp_allows_page(response)


def test_the_guest_post_form_is_allowed_by_the_policy(client):
    response = client.get(reverse("contributions:submit"))
    assert response.status_code == 200
    assert inline_scripts(response.content.decode()), "the form renders the editor's import map"
    assert_csp_allows_page(response)


def test_an_injected_script_would_not_be_allowed():
    assert script_hash("alert(1)") != editor_importmap_hash()


# --- admin sign-in -----------------------------------------------------------------------------------------


def sign_in(client, username, password, ip="203.0.113.9"):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=ip, follow=False
    )


def test_admin_sign_in_is_locked_after_repeated_failures(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 3
    editor.set_password("right-password")
    editor.save()
    for _ in range(2):
        response = sign_in(client, editor.username, "wrong")
        assert response.status_code == 200  # the form again, with its error
    response = sign_in(client, editor.username, "wrong")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()

    # Locked: even the right password does not get in from that address.
    response = sign_in(client, editor.username, "right-password")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session

    # Another address is not locked out (the lock is per user name and address).
    response = sign_in(client, editor.username, "right-password", ip="198.51.100.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


def test_behind_a_trusted_proxy_the_lockout_is_per_forwarded_client(client, editor, settings):
    # Every request comes from Varnish (127.0.0.1); the lock is for the reader it forwards.
    settings.AXES_FAILURE_LIMIT = 3
    settings.BYLINE_TRUSTED_PROXIES = ["127.0.0.1"]
    editor.set_password("right-password")
    editor.save()

    def through_the_proxy(password, reader):
        return client.post(
            reverse("admin:login"),
            {"username": editor.username, "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=reader,
        )

    for _ in range(3):
        through_the_proxy("wrong", "203.0.113.9")
    assert through_the_proxy("right-password", "203.0.113.9").status_code == 429
    assert through_the_proxy("right-password", "198.51.100.7").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, editor, settings, time_machine):
    import datetime

    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
    editor.set_password("right-password")
    editor.save()
    time_machine.move_to("2026-01-01 10:00Z", tick=False)
    for _ in range(2):
        sign_in(client, editor.username, "wrong")
    assert sign_in(client, editor.username, "right-password").status_code == 429
    time_machine.move_to("2026-01-01 10:31Z", tick=False)
    assert sign_in(client, editor.username, "right-password").status_code == 302


def test_a_successful_sign_in_resets_the_count(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 3
    editor.set_password("right-password")
    editor.save()
    sign_in(client, editor.username, "wrong")
    sign_in(client, editor.username, "wrong")
    assert sign_in(client, editor.username, "right-password").status_code == 302
    client.logout()
    sign_in(client, editor.username, "wrong")
    sign_in(client, editor.username, "wrong")
    assert sign_in(client, editor.username, "right-password").status_code == 302


def test_reader_pages_allow_no_inline_style(client):
    assert directives(client.get(reverse("blog:home")))["style-src"] == ["'self'"]


def test_the_editor_pages_allow_inline_styles_but_never_inline_scripts(client, editor_client):
    # ProseMirror styles what it draws inline; scripts stay limited to files and the import map.
    for response in (editor_client.get(reverse("admin:blog_article_add")), client.get(reverse("contributions:submit"))):
        policy = directives(response)
        assert "'unsafe-inline'" in policy["style-src"]
        assert policy["script-src"] == ["'self'", editor_importmap_hash()]
