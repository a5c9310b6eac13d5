"""contributions.emails.authentication: SPF, DKIM and DMARC verdicts.

On messages built by tests/contributions/email_factory.py."""

import pytest

from contributions.emails import parse_authentication_results

from .. import email_factory as f
from ..email_factory import BODY
from .helpers import parse


class TestAuthenticationResults:
    @pytest.mark.parametrize(
        ("headers", "verdicts"),
        [
            (
                [
                    "mx.google.com;\r\n       dkim=pass header.i=@example.org header.s=s1 header.b=AbCd;\r\n"
                    "       spf=pass (google.com: domain of ana@example.org designates 192.0.2.1 as permitted sender)"
                    " smtp.mailfrom=ana@example.org;\r\n   dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.org"
                ],
                {"spf": "pass", "dkim": "pass", "dmarc": "pass"},
            ),
            (["mx.example.org;  SPF=SoftFail smtp.mailfrom=x;   DKIM = FAIL; dmarc=fail (p=reject)"],
             {"spf": "softfail", "dkim": "fail", "dmarc": "fail"}),
            (["mx.example.org;spf=neutral;dkim=none;dmarc=none"], {"spf": "neutral", "dkim": "none", "dmarc": "none"}),
            (["mx.example.org 1; spf=temperror smtp.mailfrom=x; dkim/1=permerror"],
             {"spf": "temperror", "dkim": "permerror"}),
            (["mx.example.org; spf=fail (reason; with; semicolons (nested)) smtp.mailfrom=x; dkim=pass"],
             {"spf": "fail", "dkim": "pass"}),
            (['mx.example.org; dkim=fail reason="bad; signature" header.d=x; dmarc=pass'],
             {"dkim": "fail", "dmarc": "pass"}),
            (["mx.example.org; dkim=fail header.d=a.example; dkim=pass header.d=b.example"], {"dkim": "pass"}),
            (["mx.example.org; spf=pass; spf=fail"], {"spf": "pass"}),
            (["mx.example.org; none"], {}),
            (["mx.example.org; arc=pass; bimi=pass; iprev=pass; auth=pass"], {}),
            (["mx.top.example; spf=fail", "mx.lower.example; spf=pass; dkim=pass"], {"spf": "fail"}),
            (["mx.byline.example; spf=pass", "mx.byline.example; dkim=fail; spf=fail"],
             {"spf": "pass", "dkim": "fail"}),
            (["garbage without structure", "mx.example.org; spf=pass"], {}),
            ([], {}),
        ],
    )  # fmt: skip
    def test_verdicts(self, headers, verdicts):
        raw = f.raw_message([("Authentication-Results", value) for value in headers], BODY)
        assert parse(raw).auth == verdicts
        assert parse_authentication_results(headers) == verdicts

    def test_received_spf_alone_is_not_a_verdict(self):
        assert parse(f.plain(headers=[("Received-SPF", "pass (example.org: 192.0.2.1)")])).auth == {}
