"""The copyright-complaint link under an article opens the form with that article's address filled
in (?url=); only a live article's address on this site is filled in, anything else is ignored."""

import re
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blog.models import Article
from tests.factories import DraftFactory

pytestmark = pytest.mark.django_db
FORM = reverse("complaints:complaint")


def filled_in(client, address):
    """The value of the form's article address field when opened with ?url=`address`."""
    response = client.get(FORM, {"url": address})
    assert response.status_code == 200
    field = re.search(r'<input[^>]*name="article_url"[^>]*>', response.content.decode()).group(0)
    value = re.search(r'value="([^"]*)"', field)
    return value.group(1) if value else ""


def complaint_link(html):
    return re.search(r'<a href="([^"]*)">Report a copyright infringement</a>', html).group(1)


def test_the_link_under_an_article_carries_its_address(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    address = f"http://testserver{article.get_absolute_url()}"
    assert complaint_link(html) == f"{FORM}?url={quote(address, safe='')}"


def test_other_pages_link_to_the_empty_form(client, article):
    for url in (reverse("blog:home"), reverse("blog:search") + "?q=heat", article.author.get_absolute_url()):
        assert complaint_link(client.get(url).content.decode()) == FORM, url


def test_following_the_link_fills_in_the_address(client, article):
    link = complaint_link(client.get(article.get_absolute_url()).content.decode())
    response = client.get(link.replace("&amp;", "&"))
    assert f'value="http://testserver{article.get_absolute_url()}"' in response.content.decode()


@pytest.mark.parametrize(
    "address",
    [
        "http://testserver{path}",
        "https://localhost{path}",
        "{path}",
        "http://testserver{path_without_slash}",
    ],
)
def test_this_site_s_article_addresses_are_filled_in_as_the_article_s_own(client, article, address):
    path = article.get_absolute_url()
    sent = address.format(path=path, path_without_slash=path.rstrip("/"))
    assert filled_in(client, sent) == f"http://testserver{path}"


def test_a_former_address_fills_in_the_current_one(client, article):
    old = article.get_absolute_url()
    article.slug = "a-new-slug"
    article.save()  # keeps the old slug as a redirect
    assert filled_in(client, f"http://testserver{old}") == f"http://testserver{article.get_absolute_url()}"


@pytest.mark.parametrize(
    "address",
    [
        "https://elsewhere.example{path}",
        "https://testserver.elsewhere.example{path}",
        "javascript:alert(1)",
        "http://testserver/",
        "http://testserver/tag/python/",
        "http://testserver/2020/01/no-such-article/",
        "http://testserver{path}" + "x" * 500,
        '"><script>alert(1)</script>',
        "http://[::1",
    ],
)
def test_anything_else_is_ignored(client, article, address):
    assert filled_in(client, address.format(path=article.get_absolute_url())) == ""


def test_unpublished_and_taken_down_articles_are_ignored(client, article):
    draft = DraftFactory()
    assert filled_in(client, f"http://testserver{draft.get_absolute_url()}") == ""
    Article.objects.filter(pk=article.pk).update(status=Article.Status.TAKEN_DOWN)
    assert filled_in(client, f"http://testserver{article.get_absolute_url()}") == ""


def test_filling_in_costs_one_query(client, article):
    """The article's; the form page's own queries (site settings, footer menu) are cached."""
    address = f"http://testserver{article.get_absolute_url()}"
    client.get(FORM, {"url": address})
    with CaptureQueriesContext(connection) as plain:
        client.get(FORM)
    with CaptureQueriesContext(connection) as prefilled:
        client.get(FORM, {"url": address})
    assert len(prefilled) == len(plain) + 1
