from django.utils.text import slugify


def unique_slug(model, text, max_length=200, field="slug"):
    """A slug for `text` that no `model` row uses yet: "title", then "title-2", "title-3"…"""
    base = slugify(text)[: max_length - 8].strip("-") or "untitled"
    slug, n = base, 2
    while model._default_manager.filter(**{field: slug}).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
