"""The Editors and Authors groups.

Editors: everything editorial, including publishing. Authors: write and edit their
own drafts and submit them for review; they cannot publish (no blog.publish_article).
"""

from django.db import migrations

from core.permissions import grant

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
    for app_label, models in EDITOR_PERMISSIONS.items():
        grant(apps, "Editors", app_label, models=models)
    # To link an Author to a staff login (autocomplete on users).
    grant(apps, "Editors", "auth", codenames=["view_user"])
    for app_label in {app_label for app_label, _codename in AUTHOR_PERMISSIONS}:
        codenames = [codename for label, codename in AUTHOR_PERMISSIONS if label == app_label]
        grant(apps, "Authors", app_label, codenames=codenames)


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
