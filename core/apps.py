from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide pieces: the site-settings record, static pages, the HTML sanitizer."""

    name = "core"
    verbose_name = "Site"

    def ready(self):
        from django.conf import settings

        from . import checks  # noqa: F401  (registers the deployment checks)
        from .ratelimit import trusted_networks

        # A misspelt proxy address stops the start, not the first sign-in or post.
        trusted_networks(tuple(settings.BYLINE_TRUSTED_PROXIES))
