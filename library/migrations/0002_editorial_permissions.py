"""The library for the editorial groups: Editors do everything with it; Authors upload
pictures, describe them and choose them for their articles, but delete none."""

from django.db import migrations

from core.permissions import grant

AUTHOR_CODENAMES = ["add_image", "change_image", "view_image"]


def grant_groups(apps, schema_editor):
    grant(apps, "Editors", "library", models=["image"])
    grant(apps, "Authors", "library", codenames=AUTHOR_CODENAMES)


def revoke_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="library")
    for group in Group.objects.filter(name__in=["Editors", "Authors"]):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_groups, revoke_groups)]
