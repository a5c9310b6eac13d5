"""The spam signals measured on a labelled corpus: no genuine guest post shows one, every spam post does.

The corpus is tests/contributions/corpus/spam/ (genuine/*.html, spam/*.html, read by
tests/contributions/corpus/spam_corpus.py). Each sample runs through the code path of a submission:
`sanitize_html(..., ugc=True)` and `intake_report`, and through `workflow.receive` as a whole.
The held-out posts (holdout/), never tuned on, must not raise a false alarm either; how many of
their spam posts are caught is measured and stated in the README, not required.
"""

import html
import re
from pathlib import Path

import pytest
from django.urls import reverse

from contributions import workflow
from contributions.intake import RULES, SHORT_TEXT_WORDS
from contributions.models import Submission

from .corpus.spam_corpus import CorpusError, describe, figures, load, parse, report_for

SAMPLES = load()
HOLDOUT = load(split="holdout")
GENUINE = [sample for sample in SAMPLES if sample.label == "genuine"]
SPAM = [sample for sample in SAMPLES if sample.label == "spam"]
README = Path(__file__).resolve().parents[2] / "README.md"


def _received(sample):
    return workflow.receive(
        workflow.Incoming(
            channel=sample.channel,
            name=sample.name,
            email=sample.email,
            title=sample.title,
            body=sample.body,
            consent=True,
            sender_verification=sample.verification,
        )
    )


def _listing(pairs):
    return "\n".join(f"  {name}: {detail}" for name, detail in pairs)


def test_the_corpus_has_the_shapes_it_stands_for():
    assert len(GENUINE) >= 25 and len(SPAM) >= 25
    reports = {sample.file_name: report_for(sample) for sample in SAMPLES}
    genuine_words = [reports[sample.file_name]["word_count"] for sample in GENUINE]
    # Short news items, as most genuine posts to a news blog are, and longer pieces.
    assert sum(1 for n in genuine_words if 100 <= n <= 250) >= 8
    assert sum(1 for n in genuine_words if n >= SHORT_TEXT_WORDS) >= 3
    # Genuine posts link to their sources, some to one site several times, some to the author's own site.
    assert sum(1 for sample in GENUINE if len(reports[sample.file_name]["links"]) >= 3) >= 8
    assert any("<pre><code>" in sample.body for sample in GENUINE)
    assert any(re.search(r"[^\x00-\x7f]", sample.name) for sample in GENUINE)
    # Both ways in, on both sides, and email that fails verification on the spam side only.
    for group in (GENUINE, SPAM):
        assert {sample.channel for sample in group} == {"web", "email"}
    assert any("fail" in sample.verification.values() for sample in SPAM)
    assert any(sample.verification.get("spf") == "softfail" for sample in GENUINE)  # forwarded, DMARC passes
    # Every file's shape is described, and no two files are the same sample.
    assert len({sample.body for sample in SAMPLES}) == len(SAMPLES)
    assert all(len(sample.shape) > 20 for sample in SAMPLES)


def test_every_genuine_post_shows_no_signal():
    flagged = [(sample.file_name, report_for(sample)["signals"]) for sample in GENUINE]
    false_alarms = [(name, signals) for name, signals in flagged if signals]
    assert not false_alarms, f"genuine posts with spam signals:\n{_listing(false_alarms)}"


def test_no_held_out_genuine_post_shows_a_signal():
    genuine = [sample for sample in HOLDOUT if sample.label == "genuine"]
    assert len(genuine) >= 5 and len(HOLDOUT) > len(genuine)
    false_alarms = [(sample.file_name, signals) for sample in genuine if (signals := report_for(sample)["signals"])]
    assert not false_alarms, f"held-out genuine posts with spam signals:\n{_listing(false_alarms)}"


def test_every_spam_post_shows_a_signal():
    misses = [sample.file_name for sample in SPAM if not report_for(sample)["signals"]]
    assert not misses, "spam posts without a spam signal:\n" + "\n".join(f"  {name}" for name in misses)


def test_a_short_genuine_post_is_noted_as_short_not_flagged():
    short = [sample for sample in GENUINE if report_for(sample)["word_count"] < SHORT_TEXT_WORDS]
    assert len(short) >= 10
    for sample in short:
        report = report_for(sample)
        assert report["facts"] == [f"short text: under {SHORT_TEXT_WORDS} words"], sample.file_name


@pytest.mark.django_db
@pytest.mark.parametrize("sample", SAMPLES, ids=[sample.file_name for sample in SAMPLES])
def test_each_sample_received_as_a_submission(sample):
    """The whole intake (workflow.receive: sanitizer, cleaning, report, duplicate check) gives the same verdict."""
    submission = _received(sample)
    stored = Submission.objects.get(pk=submission.pk).report
    if sample.label == "genuine":
        assert stored["signals"] == [], f"{sample.file_name}: {stored['signals']}"
    else:
        assert stored["signals"], f"{sample.file_name} shows no spam signal"
    assert Submission.objects.exclude(report__signals=[]).filter(pk=submission.pk).exists() is (
        sample.label == "spam"
    )  # the queue's "Spam signals" filter


def test_the_figures_and_what_each_rule_catches():
    result = figures()
    assert (result["genuine"], result["spam"]) == (len(GENUINE), len(SPAM))
    assert result["precision"] == result["recall"] == 1.0
    assert result["false_alarms"] == result["misses"] == []
    # Every rule earns its place on the corpus, and none fires on a genuine post.
    for rule in RULES:
        assert result["rules"][rule].get("spam", 0) >= 1, rule
        assert result["rules"][rule].get("genuine", 0) == 0, rule
    assert describe(result).startswith(f"{len(GENUINE)} genuine and {len(SPAM)} spam posts: ")


def test_the_readme_states_the_figures_measured_here():
    text = " ".join(README.read_text(encoding="utf-8").split())
    result, holdout = figures(), figures(HOLDOUT)
    assert f"Spam signals, measured on {result['genuine']} genuine and {result['spam']} spam posts" in text
    assert f"{result['true_positives']} of {result['spam']} spam posts show at least one signal" in text
    assert f"{result['false_positives']} of {result['genuine']} genuine posts do" in text
    assert (
        f"On {len(HOLDOUT)} posts written after the rules were fixed (`holdout/`), "
        f"{holdout['false_positives']} of {holdout['genuine']} genuine posts and "
        f"{holdout['true_positives']} of {holdout['spam']} spam posts show a signal"
    ) in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<p>No header</p>", "no <!-- metadata --> comment"),
        ("<!--\ntitle: T\n-->\n<p>x</p>", "metadata without name, email, channel, shape"),
        ("<!--\ntitle: T\nname: N\nemail: e\nchannel: fax\nshape: s\n-->", "channel must be web or email"),
        ("<!--\ntitle T\n-->", "metadata line without a colon"),
        ("<!--\ntitle: T\nname: N\nemail: e\nchannel: web\nshape: s\nverification: spf=pass\n-->", "only email"),
        ("<!--\ntitle: T\nname: N\nemail: e\nchannel: email\nshape: s\nverification: spf\n-->", "without '='"),
    ],
)
def test_a_corpus_file_that_cannot_be_read_says_why(tmp_path, text, message):
    path = tmp_path / "bad.html"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match=re.escape(message)) as error:
        parse(path, "genuine")
    assert str(error.value).startswith("bad.html: ")


def _by_name(name):
    [sample] = [sample for sample in SAMPLES if sample.path.name == name]
    return sample


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("g18-djangocon-cfp-news.html", "No spam signals"),
        ("s16-bio-betting-link.html", "1 spam signal"),
        ("s13-hidden-period-link.html", "2 spam signals"),
    ],
)
def test_the_change_page_counts_signals_and_shows_facts_apart(editor_client, name, heading):
    submission = _received(_by_name(name))
    page = editor_client.get(reverse("admin:contributions_submission_change", args=[submission.pk])).content.decode()
    assert re.search(rf'<h3 id="signals-title">\s*{heading}\s*</h3>', page)
    assert "Short text: under 300 words" in page  # a fact, outside the signals
    signals = page.split('id="signals-title"', 1)[1].split("</section>", 1)[0]
    assert "Short text" not in signals
    for signal in submission.report["signals"]:
        assert signal[:1].upper() + signal[1:40] in html.unescape(signals)
