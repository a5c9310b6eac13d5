"""URL converters shared by the apps' URLconfs."""

from django.urls import register_converter

from .slugs import is_slug


class UnicodeSlugConverter:
    """Slugs in any script, as core.slugs makes them ("日本語テスト", "επίπεδο-2", "cafe-deja").

    The pattern takes any path segment; to_python refuses what is not a slug, so the URL does
    not match (a 404), and reverse() refuses an empty slug as every converter does."""

    regex = r"[^/]+"

    def to_python(self, value):
        if not is_slug(value):
            raise ValueError(value)
        return value

    def to_url(self, value):
        if not is_slug(value):
            raise ValueError(value)
        return value


register_converter(UnicodeSlugConverter, "uslug")
