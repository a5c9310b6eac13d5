"""`{% remember "name" part ... %}…{% endremember %}`: a part of a page rendered once and kept
until a tag of the page changes (pagecache.cache.remember).

For parts that are costly to render and the same for every reader, such as an article's
text, picture and share links: they are kept with the tags the view has named so far (so
put the tag after the view's work, in a template), and for the request's scheme and host
and the active language. Previews are never kept: their content changes without any
invalidation.
"""

import hashlib

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core import cachetags
from pagecache import cache as pages

register = template.Library()


class RememberNode(template.Node):
    def __init__(self, nodelist, parts):
        self.nodelist = nodelist
        self.parts = parts

    def render(self, context):
        request = context.get("request")
        if request is None or context.get("is_preview"):
            return self.nodelist.render(context)
        parts = [
            request.scheme,
            request.get_host(),
            get_language() or "",
            *(str(p.resolve(context)) for p in self.parts),
        ]
        key = "fragment:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

        def render():
            return self.nodelist.render(context), cachetags.request_tags(request)

        html, _tags = pages.remember(key, render)
        return mark_safe(html)


@register.tag
def remember(parser, token):
    parts = token.split_contents()[1:]
    if not parts:
        raise template.TemplateSyntaxError("{% remember %} needs a name, e.g. {% remember 'article' article.pk %}.")
    nodelist = parser.parse(("endremember",))
    parser.delete_first_token()
    return RememberNode(nodelist, [parser.compile_filter(part) for part in parts])
