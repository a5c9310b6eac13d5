"""Cache tags come from one vocabulary (core/cachetags.py): pages and changes cannot spell them apart."""

import ast
import datetime

import pytest
from django.utils import timezone

from core import cachetags
from tests.test_layers import source_files


def test_the_vocabulary():
    assert (cachetags.SITE, cachetags.LIST, cachetags.SIDEBAR) == ("site", "list", "sidebar")
    assert cachetags.article(12) == "a12"
    assert cachetags.category(3) == "c3"
    assert cachetags.tag(4) == "t4"
    assert cachetags.author(5) == "u5"
    assert cachetags.year(2026) == "y2026"
    assert cachetags.month(2026, 3) == "m2026-03"


def test_tags_are_what_the_varnish_configuration_accepts():
    """deploy/varnish/byline.vcl bans by a comma-separated list of [a-z0-9-] names."""
    names = [cachetags.SITE, cachetags.LIST, cachetags.SIDEBAR, cachetags.article(1), cachetags.month(2026, 12)]
    assert all(name.replace("-", "").isalnum() and name == name.lower() for name in names)


class FakeRequest:
    pass


def test_a_request_records_what_its_page_shows_and_until_when():
    request = FakeRequest()
    assert cachetags.request_tags(request) == set()
    cachetags.page_shows(request, cachetags.LIST, cachetags.article(1), None)
    cachetags.page_shows(request, cachetags.article(2))
    assert cachetags.request_tags(request) == {"list", "a1", "a2"}
    soon, later = timezone.now() + datetime.timedelta(hours=1), timezone.now() + datetime.timedelta(hours=2)
    cachetags.expire_by(request, later)
    cachetags.expire_by(request, soon)
    cachetags.expire_by(request, timezone.now() - datetime.timedelta(hours=1))  # the past changes nothing
    assert cachetags.expires_at(request) == soon.timestamp()


TAGGING_CALLS = {"invalidate", "page_shows"}


def literal_tags(tree):
    """(line, text) of each tag written as a string literal in a call that tags or invalidates pages."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
        if name not in TAGGING_CALLS:
            continue
        for argument in node.args:
            parts = argument.elts if isinstance(argument, (ast.Set, ast.List, ast.Tuple)) else [argument]
            for part in parts:
                if isinstance(part, ast.GeneratorExp | ast.ListComp | ast.SetComp):
                    part = part.elt
                if isinstance(part, ast.Constant | ast.JoinedStr):
                    found.append((node.lineno, ast.unparse(part)))
    return found


def test_no_tag_is_spelled_outside_the_vocabulary():
    spelled = [
        f"{path.name}:{line} {text}"
        for path in source_files()
        if path.name != "cachetags.py"
        for line, text in literal_tags(ast.parse(path.read_text()))
    ]
    assert spelled == []


@pytest.mark.parametrize(
    "source",
    [
        'invalidate({"site"})',
        'pages.invalidate([f"a{pk}"])',
        'cachetags.page_shows(request, "list", *names)',
        'invalidate(f"t{tag}" for tag in tags)',
    ],
)
def test_the_check_sees_a_spelled_tag(source):
    assert literal_tags(ast.parse(source)) != []


def test_the_check_lets_the_vocabulary_through():
    assert literal_tags(ast.parse("invalidate({cachetags.SITE, cachetags.article(pk)}, urls)")) == []
