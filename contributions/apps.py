from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    """Guest posts sent by the web form and by email, and their moderation queue.

    Created by the foundation issue; filled by the contributions issues.
    """

    name = "contributions"
    verbose_name = "Contributions"
