"""Editors moderate comments: every permission on them, including can_moderate."""

from django.db import migrations

from core.permissions import grant


def grant_editors(apps, schema_editor):
    grant(apps, "Editors", "discussion", models=["comment"])


class Migration(migrations.Migration):
    dependencies = [("discussion", "0001_initial"), ("blog", "0002_editorial_groups")]

    operations = [migrations.RunPython(grant_editors, migrations.RunPython.noop)]
