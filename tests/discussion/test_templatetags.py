"""The comment form's fields rendered by discussion_tags are what Django's widgets would write."""

import lxml.html
import pytest

from discussion.forms import CommentForm
from discussion.templatetags.discussion_tags import comment_fields, hidden_comment_fields
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def inputs(html):
    return [dict(element.attrib) for element in lxml.html.fragment_fromstring(html, create_parent="div").iter("input")]


def test_hidden_fields_match_django_s_widgets():
    form = CommentForm(ArticleFactory(), initial={"parent": 7})
    ours = inputs(str(hidden_comment_fields(form)))
    django = inputs("".join(str(field) for field in form.hidden_fields()))
    assert ours == django
    assert {field["name"] for field in ours} == {
        "content_type",
        "object_pk",
        "timestamp",
        "security_hash",
        "parent",
        "token_kind",
    }


def test_unbound_visible_fields_are_the_same_for_every_article_and_bound_ones_show_errors():
    first, second = CommentForm(ArticleFactory()), CommentForm(ArticleFactory())
    assert str(comment_fields(first)) == str(comment_fields(second))
    bound = CommentForm(ArticleFactory(), data={"name": "", "email": "not an address"})
    bound.is_valid()
    assert "field--error" in str(comment_fields(bound))
