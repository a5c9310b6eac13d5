"""The Editors and Authors groups.

Editors: everything editorial, including publishing. Authors: write and edit their
own drafts and submit them for review; they cannot publish (no blog.publish_article).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "blog": ["article", "author", "category", "articleslugredirect", "taggedarticle"],
    "taggit": ["tag", "taggeditem"],
    "core": ["page", "sitesettings"],
}
AUTHOR_PERMISSIONS = [
    ("blog", "add_article"),
    ("blog", "change_article"),
    ("blog", "delete_article"),
    ("blog", "view_article"),
    ("blog", "view_author"),
    ("blog", "view_category"),
    ("taggit", "view_tag"),
    ("taggit", "add_tag"),
]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    editors, _ = Group.objects.get_or_create(name="Editors")
    editor_perms = Permission.objects.filter(
        content_type__app_label__in=EDITOR_PERMISSIONS.keys(),
    )
    editor_perms = [p for p in editor_perms if p.content_type.model in EDITOR_PERMISSIONS[p.content_type.app_label]]
    editors.permissions.add(*editor_perms)
    # To link an Author to a staff login (autocomplete on users).
    editors.permissions.add(Permission.objects.get(content_type__app_label="auth", codename="view_user"))

    authors, _ = Group.objects.get_or_create(name="Authors")
    for app_label, codename in AUTHOR_PERMISSIONS:
        authors.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Authors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0001_initial"),
        ("core", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
