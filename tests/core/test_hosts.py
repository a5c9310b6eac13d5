"""core/hosts.py: the one host normaliser and the lists of affiliate and shortener hosts."""

import importlib

import pytest

from contributions.intake import intake_report
from core.affiliates import Pattern, is_affiliate_url, parse_patterns
from core.hosts import AFFILIATE_HOSTS, DEFAULT_AFFILIATE_HOSTS, SHORTENER_HOSTS, listed_domain, normalize_host
from core.models import DEFAULT_AFFILIATE_PATTERNS


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("example.com", "example.com"),
        ("  Example.COM  ", "example.com"),
        ("example.com.", "example.com"),
        ("example.com..", "example.com"),
        ("www.example.com", "example.com"),
        ("WWW.Example.com.", "example.com"),
        ("www.www.example.com", "www.example.com"),  # one "www." only
        ("www", "www"),
        ("www.", "www"),
        ("wwwexample.com", "wwwexample.com"),
        ("sub.www.example.com", "sub.www.example.com"),
        ("bücher.de", "bücher.de"),  # no IDNA conversion
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("::1", "::1"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_host(host, expected):
    assert normalize_host(host) == expected


@pytest.mark.parametrize(
    "host",
    ["example.com:8000", "https://example.com/", "user@example.com", "example.com/path", "[::1]"],
)
def test_a_host_name_is_not_cut(host):
    """Without url=True nothing but case, spaces, dots and "www." goes: a pattern's domain with a port stays invalid."""
    assert normalize_host(host) == host


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("example.com", "example.com"),
        ("https://www.byline.example:8000/", "byline.example"),
        ("HTTPS://WWW.Byline.Example/about/", "byline.example"),
        ("//byline.example/x", "byline.example"),
        ("www.byline.example:8000", "byline.example"),
        ("byline.example/some/path", "byline.example"),
        ("editor@byline.example:25", "byline.example"),
        ("[::1]:8000", "::1"),
        ("http://[::1]:8000/", "::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("byline.example.", "byline.example"),
        ("https://byline.example./", "byline.example"),  # the trailing dot after the host goes too
        ("http://[::1/", ""),  # unreadable
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_host_from_an_address(value, expected):
    assert normalize_host(value, url=True) == expected


def test_listed_domain():
    domains = frozenset({"linksynergy.com", "click.linksynergy.com", "amzn.to"})
    assert listed_domain("amzn.to", domains) == "amzn.to"
    assert listed_domain("eu.amzn.to", domains) == "amzn.to"
    assert listed_domain("click.linksynergy.com", domains) == "linksynergy.com"  # the broadest entry
    assert listed_domain("notamzn.to", domains) == ""
    assert listed_domain("amzn.to.evil.example", domains) == ""
    assert listed_domain("to", frozenset({"to"})) == ""  # a top-level domain alone is never listed
    assert listed_domain("", domains) == ""


def test_the_default_patterns_are_the_default_affiliate_hosts():
    patterns = parse_patterns(DEFAULT_AFFILIATE_PATTERNS)
    hosts = [(pattern.domain, pattern.param) for pattern in patterns if pattern.domain]
    assert hosts == list(DEFAULT_AFFILIATE_HOSTS.items())
    assert [pattern for pattern in patterns if not pattern.domain] == [
        Pattern("", "affiliate_id"),
        Pattern("", "aff_id"),
    ]


def test_the_default_patterns_are_the_migrations_default():
    """The default text is a migration's default too: a new list needs a new migration."""
    migration = importlib.import_module("core.migrations.0003_settings_for_engagement").Migration
    [field] = [op.field for op in migration.operations if getattr(op, "name", "") == "affiliate_patterns"]
    assert field.default == DEFAULT_AFFILIATE_PATTERNS


def test_every_default_affiliate_host_is_flagged_by_the_intake_report():
    for host, param in DEFAULT_AFFILIATE_HOSTS.items():
        url = f"https://{host}/x" + (f"?{param}=someone-20" if param else "")
        assert is_affiliate_url(url, parse_patterns(DEFAULT_AFFILIATE_PATTERNS)), host
        [info] = intake_report(f'<p><a href="{url}">a shop</a></p>')["links"]
        assert info["affiliate"] is True, host
        if not param:
            assert host in AFFILIATE_HOSTS


def test_the_lists_are_normalised_hosts():
    for host in (*DEFAULT_AFFILIATE_HOSTS, *AFFILIATE_HOSTS, *SHORTENER_HOSTS):
        assert normalize_host(host) == host
    assert not AFFILIATE_HOSTS & SHORTENER_HOSTS
