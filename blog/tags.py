"""Tags: a name is plain text, its slug readable and never empty (core.slugs).

Every way a tag comes in (the article admin, a guest post's suggested tags, email, an import)
parses names with parse_names(), which says which ones cannot be tags; clean_tag, run before
every Tag save (blog/receivers.py), keeps the rule for any other path, taggit's own admin included.
"""

from django.utils.translation import gettext as _
from taggit.models import Tag
from taggit.utils import parse_tags

from core.slugs import NoSlug, is_slug, slugify, unique_slug
from core.text import plain_line

MAX_LENGTH = Tag._meta.get_field("name").max_length


def parse_names(text_or_names):
    """(names, refused): the tag names in a comma-separated string (or a list), as plain text,
    each once (case-insensitively, as TAGGIT_CASE_INSENSITIVE looks them up), and the ones that
    have no letter or digit to make an address from."""
    raw = parse_tags(text_or_names) if isinstance(text_or_names, str) else list(text_or_names)
    names, refused, seen = [], [], set()
    for name in raw:
        name = plain_line(name)[:MAX_LENGTH].strip()
        if not name or name.casefold() in seen:
            continue
        seen.add(name.casefold())
        (names if slugify(name) else refused).append(name)
    return names, refused


def refusal_message(refused):
    return _("These cannot be tags, having no letter or digit to make an address from: %(names)s.") % {
        "names": ", ".join(f"“{name}”" for name in refused)
    }


def clean_tag(instance):
    """Before a Tag is saved (blog/receivers.py): its name plain text, its slug readable and never empty."""
    raw, instance.name = instance.name, plain_line(instance.name)[:MAX_LENGTH]
    if instance._state.adding and (not instance.slug or instance.slug == instance.slugify(raw)):
        # Ours rather than the one taggit's save() made from the raw name: taggit gives "" for
        # ">" and "braspberryb-pi" for "<b>Raspberry</b> Pi".
        instance.slug = unique_slug(Tag, instance.name, MAX_LENGTH)
    elif not is_slug(instance.slug):
        raise NoSlug(instance.slug)
