"""Group permissions for data migrations.

Django creates permissions after all migrations have run (post_migrate); a data
migration that grants them must create them first.
"""

from django.contrib.auth.management import create_permissions


def grant(apps, group_name, app_label, models=None, codenames=None):
    """Give `group_name` the permissions of `app_label`'s `models` (or exactly `codenames`). Idempotent."""
    for app_config in apps.get_app_configs():
        # create_permissions skips apps without a models module; the migration state's app
        # configs have none. Put back what was there: the live registry's must not lose it.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=group_name)
    permissions = Permission.objects.filter(content_type__app_label=app_label)
    if models is not None:
        permissions = permissions.filter(content_type__model__in=models)
    if codenames is not None:
        permissions = permissions.filter(codename__in=codenames)
    group.permissions.add(*permissions)
    return group
