"""The Editors' permissions on what the README says they manage outside the editorial apps.

Redirects (django.contrib.redirects): old addresses and their own, so all four permissions.
Sign-in lockouts (django-axes): see the attempts and the logs, and unlock, which is deleting
the attempt; the rows are written by axes only, so nothing else.
"""

from django.db import migrations

from core.permissions import grant

CODENAMES = {
    "redirects": ["add_redirect", "change_redirect", "delete_redirect", "view_redirect"],
    "axes": ["view_accessattempt", "delete_accessattempt", "view_accesslog", "view_accessfailurelog"],
}


def grant_editors(apps, schema_editor):
    for app_label, codenames in CODENAMES.items():
        grant(apps, "Editors", app_label, codenames=codenames)


def revoke_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Editors"):
        for app_label, codenames in CODENAMES.items():
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_feed_full_text"),
        ("blog", "0002_editorial_groups"),
        ("redirects", "0002_alter_redirect_new_path_help_text"),
        ("axes", "0008_accessfailurelog"),
    ]

    operations = [migrations.RunPython(grant_editors, revoke_editors)]
