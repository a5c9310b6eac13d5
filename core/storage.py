"""Private files: what only editors may read (guest posts' raw emails and the Word documents
they came in), kept apart from the public media.

Public media (MEDIA_ROOT, or the media bucket) are served to anyone who has a URL. Private
files live in the "private" storage (settings.STORAGES): a folder outside MEDIA_ROOT
(PRIVATE_MEDIA_ROOT) by default, or a bucket (prefix) whose objects are not public in
production; they have no public URL, and the admin streams them after a permission check.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils.functional import LazyObject, cached_property


class PrivateFileSystemStorage(FileSystemStorage):
    """A FileSystemStorage under settings.PRIVATE_MEDIA_ROOT, and no URL to give out."""

    def __init__(self, location=None, **kwargs):
        super().__init__(location=location, base_url=None, **kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("Private files have no public URL: the admin serves them.")


class _PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages["private"]


_private = _PrivateStorage()


def private_storage():
    """The "private" storage, for FileField(storage=private_storage)."""
    return _private
