from django.db import migrations, models

import contributions.models
import core.storage

FIELDS = ("raw_message", "original_document")


def move_to_private_storage(apps, schema_editor):
    """Files stored before, in the public media, move to the private storage (same names)."""
    from django.core.files.storage import default_storage

    private = core.storage.private_storage()
    Submission = apps.get_model("contributions", "Submission")
    for submission in Submission.objects.exclude(raw_message="", original_document="").iterator():
        for field in FIELDS:
            name = getattr(submission, field).name
            if not name or private.exists(name) or not default_storage.exists(name):
                continue
            with default_storage.open(name, "rb") as public_copy:
                saved = private.save(name, public_copy)
            if saved != name:  # kept under another name: point the row at it
                Submission.objects.filter(pk=submission.pk).update(**{field: saved})
            default_storage.delete(name)


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0003_inbound_message"),
    ]

    operations = [
        migrations.AlterField(
            model_name="submission",
            name="original_document",
            field=models.FileField(
                blank=True,
                storage=core.storage.private_storage,
                upload_to=contributions.models.upload_document,
                verbose_name="original document",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="raw_message",
            field=models.FileField(
                blank=True,
                storage=core.storage.private_storage,
                upload_to=contributions.models.upload_message,
                verbose_name="raw message",
            ),
        ),
        migrations.RunPython(move_to_private_storage, migrations.RunPython.noop, elidable=True),
    ]
