"""Where each library picture is used: asked of the apps that use pictures, never stored here.

The library sits under the apps that show pictures (blog: article bodies, featured images),
so it cannot look into them. Each of them registers a *provider* once, in its AppConfig.ready():

    from library import usage

    def article_uses(images):
        '''{image.pk: [usage.Use(label, admin_url, public_url), ...]} for the images given.'''
        ...

    article_uses.used_filter = lambda: Q(pk__in=<a queryset of library image ids in use>)
    usage.register(article_uses)

A provider is called with a list of `library.models.Image` (one page of the admin's list,
or the one picture on its detail page) and returns a dict from image pk to the `Use`s it
knows of; images it does not use may be left out. It should run a fixed number of queries
whatever the number of images (one look-up for all of them, not one per image).

For the changelist's "used / unused" filter, a provider should also offer ONE of:

- `provider.used_filter()` -> a `Q` over library.Image that matches the images it uses,
  typically `Q(pk__in=subquery)` or `Q(file__in=subquery_of_storage_names)` (no query runs
  until the changelist's own query: the filter costs no extra query);
- `provider.used_names()` -> an iterable of the storage names it uses (`Image.file` values,
  as `Image.objects.for_name` takes them), read in one query.

A provider with neither is still counted: `used_q` calls it with every image in the library
(one call, however many queries the provider makes for a list), which is correct but heavy on
a large library.

Deleting a picture that `uses_of` reports as used is refused by the admin, with the uses.
"""

from dataclasses import dataclass

from django.db.models import Q

_providers = []


@dataclass(frozen=True)
class Use:
    """One place a picture appears: "Article “Spring in Lyon” (featured image)"."""

    label: str
    admin_url: str = ""  # where to edit the place that shows it ("" if none)
    public_url: str = ""  # where readers see it ("" for a draft)


def register(provider):
    """Add a provider (see the module's docstring). Registering the same one again does nothing."""
    if not callable(provider):
        raise TypeError(f"A usage provider must be callable with a list of images, not {provider!r}.")
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister(provider):
    """Remove a provider (tests); removing one that was never registered does nothing."""
    if provider in _providers:
        _providers.remove(provider)


def providers():
    return tuple(_providers)


def uses_of(images):
    """{image.pk: [Use, ...]} for `images` (Image instances), every provider merged, the images in no use left out."""
    images = list(images)
    if not images:
        return {}
    wanted = {image.pk for image in images}
    merged = {}
    for provider in _providers:
        for pk, uses in (provider(images) or {}).items():
            if pk in wanted and uses:
                merged.setdefault(pk, []).extend(uses)
    return merged


def uses_of_one(image):
    """The `Use`s of one image (a list, empty when it is not used)."""
    return uses_of([image]).get(image.pk, [])


def used_q():
    """A Q over library.Image matching every image some provider uses (Q(pk__in=[]) when none does).

    Costs at most one query per provider that offers `used_names` or neither hook (see above);
    providers with `used_filter` cost none.
    """
    from .models import Image  # models import nothing from here; kept local to keep it that way

    condition = Q(pk__in=[])
    for provider in _providers:
        if hasattr(provider, "used_filter"):
            condition |= provider.used_filter()
        elif hasattr(provider, "used_names"):
            names = [name for name in provider.used_names() if name]
            if names:
                condition |= Q(file__in=names)
        else:
            used = [pk for pk, uses in (provider(list(Image.objects.all())) or {}).items() if uses]
            if used:
                condition |= Q(pk__in=used)
    return condition


def used(queryset):
    """The images of `queryset` in use somewhere."""
    return queryset.filter(used_q())


def unused(queryset):
    """The images of `queryset` used nowhere."""
    return queryset.exclude(used_q())
