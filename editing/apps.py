from django.apps import AppConfig


class EditingConfig(AppConfig):
    """Work that is never lost: autosaved copies, who else is editing, and stale saves refused."""

    name = "editing"
    verbose_name = "Editing"
