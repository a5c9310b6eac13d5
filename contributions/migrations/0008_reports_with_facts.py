"""Stored intake reports written again with the rules of this release (contributions/intake.py).

Reports written before kept "short: N words" among the spam signals, so nearly every genuine short
piece in the queue showed "1 spam signal"; they now list a short text as a fact, and the signals
are calibrated on a labelled set. The report is a pure function of the stored body, the number of
pictures and the sender's verification, so writing it again loses nothing. Reversing keeps the new
reports (the old rules are gone).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def rewrite_reports(apps, schema_editor):
    from contributions.intake import intake_report  # pure: no models, no database

    Submission = apps.get_model("contributions", "Submission")
    SubmissionImage = apps.get_model("contributions", "SubmissionImage")
    site_host = urlsplit(settings.BYLINE_SITE_URL).hostname or ""
    for submission in Submission.objects.only("pk", "body", "sender_verification").iterator(chunk_size=500):
        pictures = SubmissionImage.objects.filter(submission_id=submission.pk, removed_at__isnull=True).count()
        report = intake_report(
            submission.body,
            site_host=site_host,
            image_count=pictures,
            sender_verification=submission.sender_verification,
        )
        Submission.objects.filter(pk=submission.pk).update(report=report, word_count=report["word_count"])


class Migration(migrations.Migration):
    dependencies = [("contributions", "0007_publication_progress")]

    operations = [migrations.RunPython(rewrite_reports, migrations.RunPython.noop, elidable=True)]
