"""The Editors may look up what each WordPress id became (*Admin → WordPress import*).

Only view: the import command writes these rows, and the admin is read-only.
"""

from django.db import migrations

from core.permissions import grant

CODENAMES = ["view_importedobject"]


def grant_editors(apps, schema_editor):
    grant(apps, "Editors", "wordpress", codenames=CODENAMES)


def revoke_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="wordpress", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("wordpress", "0001_initial"),
        ("blog", "0002_editorial_groups"),
    ]

    operations = [migrations.RunPython(grant_editors, revoke_editors)]
