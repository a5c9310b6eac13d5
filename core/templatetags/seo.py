"""Page metadata: canonical and pagination links, and JSON-LD blocks."""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def jsonld(data):
    """`data` as <script type="application/ld+json">, escaped so no text can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


def _page_address(request, number):
    params = request.GET.copy()
    params.pop("page", None)
    if number > 1:
        params["page"] = number
    query = params.urlencode()
    return request.build_absolute_uri(request.path + (f"?{query}" if query else ""))


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """`url` made absolute on the request's scheme and host; already absolute ones (media on a
    bucket or CDN) stay as they are."""
    return context["request"].build_absolute_uri(url)


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's absolute address, keeping only `page` (and only from page 2 on)."""
    request = context["request"]
    page_obj = context.get("page_obj")
    number = page_obj.number if page_obj is not None and hasattr(page_obj, "number") else 1
    return _page_address(request, number) if number > 1 else request.build_absolute_uri(request.path)


@register.simple_tag(takes_context=True)
def pagination_links(context):
    """<link rel="prev"> and <link rel="next"> for paginated listings."""
    page_obj = context.get("page_obj")
    if page_obj is None or not hasattr(page_obj, "has_other_pages") or not page_obj.has_other_pages():
        return ""
    request = context["request"]
    links = []
    if page_obj.has_previous():
        links.append(
            format_html('<link rel="prev" href="{}">', _page_address(request, page_obj.previous_page_number()))
        )
    if page_obj.has_next():
        links.append(format_html('<link rel="next" href="{}">', _page_address(request, page_obj.next_page_number())))
    return mark_safe("\n  ".join(links))
