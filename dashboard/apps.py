from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The admin's front page as an editorial desk: what waits for an editor, across the apps."""

    name = "dashboard"
    verbose_name = "Dashboard"
