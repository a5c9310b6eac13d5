from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide pieces: the site-settings record, static pages, the HTML sanitizer."""

    name = "core"
    verbose_name = "Site"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)
