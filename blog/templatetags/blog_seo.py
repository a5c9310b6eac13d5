from django import template
from django.utils.safestring import mark_safe

from core.templatetags.seo import jsonld

from .. import seo

register = template.Library()


@register.simple_tag(takes_context=True)
def article_structured_data(context, article):
    """NewsArticle and BreadcrumbList JSON-LD for an article page."""
    request, site_settings = context["request"], context.get("site_settings")
    return mark_safe(
        jsonld(seo.news_article(request, article, site_settings)) + "\n  " + jsonld(seo.breadcrumbs(request, article))
    )


@register.simple_tag(takes_context=True)
def website_structured_data(context):
    """WebSite JSON-LD with the SearchAction, for the home page."""
    return jsonld(seo.website(context["request"], context.get("site_settings")))
