"""contributions 0008: stored intake reports are written again with this release's rules, so a
short genuine piece received before no longer shows "1 spam signal" for its length alone."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from contributions.models import Submission

pytestmark = pytest.mark.django_db

migration = importlib.import_module("contributions.migrations.0008_reports_with_facts")

SHORT_GENUINE = (
    "<p>The city council approved the new cycle lanes on Tuesday after a year of consultation. "
    'The plan, <a href="https://example.org/council/minutes">published in the minutes</a>, adds '
    "twelve kilometres of protected lanes by 2027.</p>"
)
STUFFED = '<p>Read on.</p><p><a href="https://cheap-casino-bonus.example/">best cheap casino bonus 2026</a></p>'


@pytest.fixture
def apps():
    return MigrationLoader(connection).project_state(("contributions", "0008_reports_with_facts")).apps


def stored(body, report):
    return Submission.objects.create(
        name="Ines Ortiz", email="ines@example.org", title="Cycle lanes", body=body, report=report, word_count=1
    )


def test_an_old_report_that_counted_a_short_text_as_a_signal_is_written_again(apps):
    old = stored(SHORT_GENUINE, {"word_count": 31, "signals": ["short: 31 words"], "links": []})
    spam = stored(STUFFED, {"word_count": 2, "signals": [], "links": []})

    migration.rewrite_reports(apps, None)

    old.refresh_from_db()
    assert old.report["signals"] == []
    assert any("short" in fact for fact in old.report["facts"])
    assert old.word_count == old.report["word_count"] > 20
    spam.refresh_from_db()
    assert spam.report["signals"]  # a link farm written before without a signal now has one


def test_it_comes_after_the_migration_that_made_the_progress_kinds():
    assert ("contributions", "0007_publication_progress") in migration.Migration.dependencies
