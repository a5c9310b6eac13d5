"""Who is told of what waits for an editor: a guest post, a held comment, a copyright complaint."""

from django.conf import settings
from django.contrib.auth import get_user_model

EDITORS_GROUP = "Editors"


def editor_addresses():
    """BYLINE_EDITORS_EMAILS when set; otherwise the addresses of the active members of Editors."""
    if settings.BYLINE_EDITORS_EMAILS:
        return list(settings.BYLINE_EDITORS_EMAILS)
    editors = get_user_model().objects.filter(is_active=True, groups__name=EDITORS_GROUP).exclude(email="")
    return sorted(set(editors.values_list("email", flat=True)))
