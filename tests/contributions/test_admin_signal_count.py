"""The queue's flags column counts spam signals in words that agree with the number (contributions/admin.py)."""

import re

import pytest
from django.urls import reverse

from contributions import workflow
from contributions.models import Submission

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:contributions_submission_changelist")


def _flags(page, title):
    row = page.split(title, 1)[1].split("</tr>", 1)[0]
    return re.findall(r'<span class="flag">([^<]*)</span>', row)


def test_the_queue_counts_one_signal_and_several_and_leaves_a_short_post_alone(editor_client, incoming):
    short = workflow.receive(incoming(title="Short news item", body="<p>" + "word " * 150 + "</p>"))
    one = workflow.receive(
        incoming(title="One link", body="<p>" + "word " * 150 + '<a href="https://bit.ly/x">a link</a></p>')
    )
    several = workflow.receive(
        incoming(
            title="Several links",
            body="<p>" + "word " * 150 + '<a href="https://bit.ly/x">a</a> <a href="https://casino.example/">b</a></p>',
        )
    )
    assert short.report["signals"] == [] and short.report["facts"] == ["short text: under 300 words"]
    assert len(one.report["signals"]) == 1 and len(several.report["signals"]) == 2

    page = editor_client.get(CHANGELIST).content.decode()
    assert "spam signal" not in " ".join(_flags(page, "Short news item"))
    assert "1 spam signal" in _flags(page, "One link")
    assert "2 spam signals" in _flags(page, "Several links")
    assert "1 spam signals" not in page

    flagged = editor_client.get(CHANGELIST, {"flag": "signals"}).context["cl"].result_list
    assert set(flagged) == set(Submission.objects.filter(pk__in=[one.pk, several.pk]))


def test_the_queue_judges_sender_verification_as_the_intake_report_does(editor_client, incoming):
    body = "<p>" + " ".join(f"forwarded{i}" for i in range(400)) + "</p>"
    workflow.receive(
        incoming(title="Forwarded", channel="email", body=body,
                 sender_verification={"spf": "softfail", "dkim": "pass", "dmarc": "pass"})
    )  # fmt: skip
    workflow.receive(
        incoming(title="Forged", channel="email", body=body.replace("forwarded", "forged"),
                 sender_verification={"spf": "fail", "dkim": "fail", "dmarc": "fail"})
    )  # fmt: skip
    page = editor_client.get(CHANGELIST).content.decode()
    assert _flags(page, "Forwarded") == []
    assert _flags(page, "Forged") == ["1 spam signal", "auth failed: DKIM/DMARC/SPF"]
