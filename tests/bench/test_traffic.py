"""What the load test's visitors send and how their answers are judged (bench/traffic.py).

No server and no locust here (importing locust patches the standard library): `make loadtest` runs it.
"""

import pytest

from bench.traffic import client_address, judge_status, post_scope


def test_client_addresses_are_loopback_and_clear_of_127_0_0_1():
    assert [client_address(n) for n in (0, 1, 254, 255)] == ["127.1.0.1", "127.1.0.2", "127.1.0.255", "127.1.1.0"]
    with pytest.raises(ValueError):
        client_address(1 << 24)


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("POST", "/comments/post/", "comments"),
        ("post", "/contribute/?from=nav", "submissions"),
        ("POST", "/copyright/complaint/", "complaints"),
        ("GET", "/contribute/", None),
        ("POST", "/contribute/thanks/", None),
        ("POST", "/admin/login/", None),
    ],
)
def test_post_scope(method, path, scope):
    assert post_scope(method, path) == scope


@pytest.mark.parametrize(
    ("status", "expect", "verdict"),
    [
        (200, None, None),
        (404, None, None),  # an expected 4xx is a success, counted under its status
        (429, None, None),
        (0, None, "connection error"),
        (500, None, "HTTP 500"),
        (503, {503}, "HTTP 503"),  # a 5xx always fails
        (400, {400, 404}, None),
        (302, {400}, "HTTP 302, expected 400"),  # bad input accepted
        (200, {404, 400}, "HTTP 200, expected 400/404"),
    ],
)
def test_judge_status(status, expect, verdict):
    assert judge_status(status, expect) == verdict
