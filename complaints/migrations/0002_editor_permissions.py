"""The Editors' permissions on complaints: see and decide on them, see their history.

No add (complaints come through the public form) and no delete: a complaint and its
history are the record of a legal notice and of what we did about it.
"""

from django.db import migrations

from core.permissions import grant

CODENAMES = ["view_complaint", "change_complaint", "view_complaintevent"]


def grant_editors(apps, schema_editor):
    grant(apps, "Editors", "complaints", codenames=CODENAMES)


def revoke_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="complaints", codename__in=CODENAMES)
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
        ("blog", "0002_editorial_groups"),
    ]

    operations = [migrations.RunPython(grant_editors, revoke_editors)]
