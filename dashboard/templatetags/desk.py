"""`{% desk_panels as panels %}`: the editorial desk's panels for the admin's front page."""

from django import template

from dashboard.panels import panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def desk_panels(context):
    """The panels the signed-in user may see (dashboard.panels), or [] outside a request."""
    request = context.get("request")
    if request is None or not getattr(request, "user", None) or not request.user.is_active:
        return []
    return panels_for(request)
