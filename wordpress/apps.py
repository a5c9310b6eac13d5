from django.apps import AppConfig


class WordpressConfig(AppConfig):
    """Moving in from WordPress: the import command, what it imported, and the old addresses' middleware."""

    name = "wordpress"
    verbose_name = "WordPress import"
