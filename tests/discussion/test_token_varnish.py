"""The comment form's fresh-token endpoint through deploy/varnish/byline.vcl in a real Varnish:
never cached there, whatever the response says, and it sets no cookie."""

import json

import pytest

from discussion.forms import FRESH
from tests.factories import ArticleFactory
from tests.pagecache.test_varnish import backend, site_behind_varnish, varnish  # noqa: F401 (fixtures)


def test_the_vcl_passes_the_token_endpoint_even_if_it_were_marked_shareable(varnish, backend):  # noqa: F811
    path = "/comments/token/?object_pk=12"
    backend.serve("/comments/token/")  # as if the app said public, s-maxage=300
    for _ in range(3):
        status, headers, _body = varnish.request("GET", path)
        assert (status, headers["X-Cache"]) == (200, "MISS")
    assert backend.hits(path) == 3


@pytest.mark.django_db(transaction=True)
def test_each_reader_gets_a_token_of_their_own_from_the_app(site_behind_varnish, live_server):  # noqa: F811
    article = ArticleFactory()
    host = {"Host": live_server.url.removeprefix("http://")}
    path = f"/comments/token/?object_pk={article.pk}"
    for _ in range(3):
        status, headers, body = site_behind_varnish.request("GET", path, headers=host)
        assert (status, headers["X-Cache"]) == (200, "MISS")
        assert "Set-Cookie" not in headers
        assert "no-store" in headers["Cache-Control"]
        assert json.loads(body)["token_kind"] == FRESH
