"""The labelled corpus of guest posts that the spam signals are measured on (contributions/intake.py).

Every file under spam/genuine/ is a genuine guest post and every file under spam/spam/ is spam or a
link-farm post, all written for this corpus in the shapes real ones take: the calibration set, on
which the rules were tuned. spam/holdout/genuine/ and spam/holdout/spam/ were written after the
rules were fixed and never tuned on: they show how the rules do on posts they have not seen.
A file is the HTML body as the contributor sent it, after a metadata comment:

    <!--
    title: What we got wrong moving 2 TB of PostgreSQL
    name: Hassan Idris
    email: hassan@idris.example
    channel: web                                   (or email)
    verification: spf=pass dkim=pass dmarc=pass    (email only: the Authentication-Results verdicts)
    shape: what real submissions this one stands for
    -->

`load()` reads a set; `report_for(sample)` runs a sample through the code path of a submission
(`sanitize_html(..., ugc=True)`, then `intake_report`); `figures()` measures the rules on the whole
corpus and `python -m tests.contributions.corpus.spam_corpus` prints them for both sets (the README
quotes them).
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from contributions.intake import RULES, intake_report
from core.sanitizer import sanitize_html

ROOT = Path(__file__).parent / "spam"
LABELS = ("genuine", "spam")
SPLITS = {"calibration": ROOT, "holdout": ROOT / "holdout"}
SITE_HOST = "byline.example"
REQUIRED = ("title", "name", "email", "channel", "shape")

_HEADER = re.compile(r"\A\s*<!--(?P<meta>.*?)-->", re.DOTALL)


class CorpusError(ValueError):
    """A corpus file that cannot be read as a sample; the message names the file."""


@dataclass(frozen=True)
class Sample:
    path: Path
    label: str  # "genuine" or "spam"
    split: str  # "calibration" or "holdout"
    title: str
    name: str
    email: str
    channel: str  # "web" or "email"
    shape: str
    body: str
    verification: dict = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        prefix = "" if self.split == "calibration" else f"{self.split}/"
        return f"{prefix}{self.label}/{self.path.name}"


def parse(path: Path, label: str, split: str = "calibration") -> Sample:
    """The sample in the file at `path`; CorpusError when its header is missing or incomplete."""
    source = path.read_text(encoding="utf-8")
    match = _HEADER.match(source)
    if not match:
        raise CorpusError(f"{path.name}: no <!-- metadata --> comment at the start")
    meta = {}
    for line in match["meta"].strip().splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            raise CorpusError(f"{path.name}: metadata line without a colon: {line.strip()!r}")
        meta[key.strip()] = value.strip()
    if missing := [key for key in REQUIRED if not meta.get(key)]:
        raise CorpusError(f"{path.name}: metadata without {', '.join(missing)}")
    if meta["channel"] not in {"web", "email"}:
        raise CorpusError(f"{path.name}: channel must be web or email, not {meta['channel']!r}")
    verification = {}
    for item in meta.get("verification", "").split():
        check, sep, verdict = item.partition("=")
        if not sep:
            raise CorpusError(f"{path.name}: verification item without '=': {item!r}")
        verification[check] = verdict
    if verification and meta["channel"] != "email":
        raise CorpusError(f"{path.name}: only email has sender verification")
    return Sample(
        path=path,
        label=label,
        split=split,
        title=meta["title"],
        name=meta["name"],
        email=meta["email"],
        channel=meta["channel"],
        shape=meta["shape"],
        body=source[match.end() :].strip(),
        verification=verification,
    )


def load(label: str | None = None, split: str = "calibration") -> list[Sample]:
    """Every sample of a set (or those of one label), in file-name order."""
    labels = [label] if label else LABELS
    folder = SPLITS[split]
    return [parse(path, each, split) for each in labels for path in sorted((folder / each).glob("*.html"))]


def report_for(sample: Sample) -> dict:
    """The intake report of `sample` as a submission gets it: sanitized like contributed text first."""
    return intake_report(
        sanitize_html(sample.body, ugc=True), site_host=SITE_HOST, sender_verification=sample.verification
    )


def figures(samples: list[Sample] | None = None) -> dict:
    """How the signals separate the corpus: counts, precision and recall of "at least one signal means
    spam", the samples each way wrong, and per rule the samples it fired on by label."""
    samples = load() if samples is None else samples
    hits = {rule: Counter() for rule in RULES}
    flagged = {label: [] for label in LABELS}
    counts = Counter()
    for sample in samples:
        report = report_for(sample)
        counts[sample.label] += 1
        for rule in set(report["signal_rules"]):
            hits[rule][sample.label] += 1
        if report["signals"]:
            flagged[sample.label].append(sample.file_name)
    true_positives, false_positives = len(flagged["spam"]), len(flagged["genuine"])
    return {
        "genuine": counts["genuine"],
        "spam": counts["spam"],
        "true_positives": true_positives,
        "false_positives": false_positives,
        "precision": true_positives / (true_positives + false_positives) if true_positives + false_positives else 0.0,
        "recall": true_positives / counts["spam"] if counts["spam"] else 0.0,
        "false_alarms": flagged["genuine"],
        "misses": sorted(
            sample.file_name for sample in samples if sample.label == "spam" and sample.file_name not in flagged["spam"]
        ),
        "rules": {rule: dict(hits[rule]) for rule in RULES},
    }


def describe(result: dict) -> str:
    """`figures()` as the lines the README quotes."""
    lines = [
        f"{result['genuine']} genuine and {result['spam']} spam posts: "
        f"{result['true_positives']} of {result['spam']} spam posts show a signal "
        f"(recall {result['recall']:.0%}), {result['false_positives']} of {result['genuine']} genuine ones do "
        f"(precision {result['precision']:.0%}).",
        "Spam posts each rule fires on (genuine ones in brackets):",
    ]
    for rule, by_label in result["rules"].items():
        lines.append(f"  {rule}: {by_label.get('spam', 0)} ({by_label.get('genuine', 0)})")
    for kind in ("false_alarms", "misses"):
        if result[kind]:
            lines.append(f"{kind.replace('_', ' ')}: {', '.join(result[kind])}")
    return "\n".join(lines)


if __name__ == "__main__":
    for split in SPLITS:
        print(f"{split}: {describe(figures(load(split=split)))}\n")
