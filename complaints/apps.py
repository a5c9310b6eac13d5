from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    """Copyright complaints from rights holders, and the takedown of articles they uphold."""

    name = "complaints"
    verbose_name = "Copyright complaints"
