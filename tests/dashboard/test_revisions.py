"""The admin's revision diff (blog/revisions.py), part of the desk work of issue 19: pictures
are compared as pictures, and the page's markup lets long paragraphs wrap."""

import pytest
from django.urls import reverse
from reversion import create_revision
from reversion.models import Version

from blog.models import Article
from blog.revisions import BODY_PICTURES, Picture, body_pictures, compare_pictures, diff_versions
from tests.factories import ArticleFactory


class FakeVersion:
    def __init__(self, **fields):
        self.field_dict = fields


def test_body_pictures_in_order_without_the_srcless():
    html = '<p><img src="/a.png" alt="A dog"></p><img alt="no src"><figure><img src="/b.jpg"/></figure>'
    assert body_pictures(html) == [Picture("/a.png", "A dog"), Picture("/b.jpg", "")]


def test_pictures_added_removed_and_described_anew():
    old = '<img src="/kept.png" alt="Old words"><img src="/gone.png" alt="Gone">'
    new = '<img src="/kept.png" alt="New words"><img src="/new.png" alt="">'
    added, removed, described = compare_pictures(old, new)
    assert added == [Picture("/new.png", "")]
    assert removed == [Picture("/gone.png", "Gone")]
    assert described == [Picture("/kept.png", "New words", old_alt="Old words")]


def test_a_picture_only_change_is_not_hidden():
    old = FakeVersion(body="<p>Same words.</p>")
    new = FakeVersion(body='<p>Same words.</p><p><img src="/media/radio.png" alt="The radio"></p>')
    changes = diff_versions(Article, old, new)
    assert [change.name for change in changes] == [BODY_PICTURES]
    assert changes[0].added == [Picture("/media/radio.png", "The radio")]


def test_the_pictures_follow_the_body_text():
    old = FakeVersion(title="A", body="<p>One.</p>")
    new = FakeVersion(title="B", body='<p>Two.</p><img src="/x.png" alt="X">')
    assert [change.name for change in diff_versions(Article, old, new)] == ["title", "body", BODY_PICTURES]


def test_featured_image_before_and_after(settings):
    settings.MEDIA_URL = "/media/"
    old = FakeVersion(featured_image="articles/old.png", featured_image_width=800, featured_image_height=450)
    new = FakeVersion(featured_image="articles/new.png", featured_image_width=640, featured_image_height=480)
    (change,) = diff_versions(Article, old, new)
    assert change.is_image
    assert change.old_image == {
        "url": "/media/articles/old.png",
        "name": "articles/old.png",
        "width": 800,
        "height": 450,
    }
    assert change.new_image["url"] == "/media/articles/new.png"
    removed = diff_versions(Article, new, FakeVersion(featured_image=""))[0]
    assert removed.new_image == {}


@pytest.mark.django_db
def test_the_diff_page_shows_the_pictures(editor_client, editor):
    article = ArticleFactory(author=editor.author, body="<p>Words.</p>")
    for body in ["<p>Words.</p>", '<p>Words.</p><p><img src="/media/dial.jpg" alt="The dial, restrung"></p>']:
        with create_revision():
            article.body = body
            article.save()
    latest = Version.objects.get_for_object(article).order_by("-pk").first()
    url = reverse("admin:blog_article_diff", args=[article.pk, latest.pk])
    response = editor_client.get(url)
    assert response.status_code == 200
    text = response.text
    assert "Pictures in the body" in text
    assert "/media/dial.jpg" in text and "The dial, restrung" in text
    assert 'class="version-diff"' in text
