from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    """Readers' comments ("Leave a Reply"), built on django-contrib-comments and its moderation."""

    name = "discussion"
    verbose_name = "Comments"

    def ready(self):
        from . import moderation, signals  # noqa: F401

        moderation.register()
