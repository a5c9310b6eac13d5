from django.apps import AppConfig


class LibraryConfig(AppConfig):
    """The image library: every picture the site shows, cleaned once, with its alt text, credit and licence."""

    name = "library"
    verbose_name = "Media library"
