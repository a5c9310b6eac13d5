"""Structured data (schema.org JSON-LD) for search engines: NewsArticle, BreadcrumbList, WebSite.

Builders return plain dicts; `core.templatetags.seo.jsonld` writes them into the page.
"""

from django.templatetags.static import static
from django.urls import reverse

from core.models import SiteSettings

from . import images

LOGO = ("img/logo.png", 512, 512)  # the publisher logo: a static file, with its size


def _absolute(request, path):
    return request.build_absolute_uri(path)


def publisher(request, site_settings=None):
    site_settings = site_settings or SiteSettings.load()
    path, width, height = LOGO
    return {
        "@type": "Organization",
        "name": site_settings.site_name,
        "url": _absolute(request, reverse("blog:home")),
        "logo": {"@type": "ImageObject", "url": _absolute(request, static(path)), "width": width, "height": height},
    }


def image_of(request, article):
    """The featured image as an ImageObject with its size, or None."""
    if not article.featured_image:
        return None
    return {
        "@type": "ImageObject",
        "url": _absolute(request, article.featured_image.url),
        "width": article.featured_image_width,
        "height": article.featured_image_height,
    }


def share_image_of(request, article):
    """The link-preview picture (blog/images.py `share_image`) as an ImageObject with its size, or None."""
    share = images.share_image(article)
    if share is None:
        return None
    return {
        "@type": "ImageObject",
        "url": _absolute(request, share["url"]),
        "width": share["width"],
        "height": share["height"],
    }


def news_article(request, article, site_settings=None):
    url = _absolute(request, article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title[:110],
        "description": article.description,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": (article.updated_at or article.published_at).isoformat() if article.published_at else None,
        "author": [
            {
                "@type": "Person",
                "name": article.author.name,
                "url": _absolute(request, article.author.get_absolute_url()),
            }
        ],
        "publisher": publisher(request, site_settings),
        "wordCount": len(article.body_text.split()),
        "keywords": [tag.name for tag in article.tags.all()],
    }
    image = image_of(request, article)
    if image:
        data["image"] = [image]
        share = share_image_of(request, article)
        if share and share["url"] != image["url"]:
            data["image"].append(share)  # 1200×630 around the focal point: the large previews search engines show
    if article.category_id:
        data["articleSection"] = article.category.name
    return {key: value for key, value in data.items() if value not in (None, [], "")}


def breadcrumbs(request, article):
    """Home → category (when there is one) → the article."""
    trail = [(SiteSettings.load().site_name, reverse("blog:home"))]
    if article.category_id:
        trail.append((article.category.name, article.category.get_absolute_url()))
    trail.append((article.title, article.get_absolute_url()))
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": _absolute(request, path)}
            for n, (name, path) in enumerate(trail, start=1)
        ],
    }


def website(request, site_settings=None):
    """The site, with the search box search engines may show (SearchAction)."""
    site_settings = site_settings or SiteSettings.load()
    search = _absolute(request, reverse("blog:search"))
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": site_settings.site_name,
        "description": site_settings.tagline,
        "url": _absolute(request, reverse("blog:home")),
        "publisher": publisher(request, site_settings),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{search}?q={{search_term_string}}"},
            "query-input": "required name=search_term_string",
        },
    }
