from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    """Guest posts sent by the web form (and by email), and the editors' moderation queue."""

    name = "contributions"
    verbose_name = "Contributions"

    def ready(self):
        from . import signals  # noqa: F401
