"""Responsive featured images: the <picture> and the preload link, from `Article.renditions` alone (no query).

`place` names where the picture is shown ("article", "lead" or "card"): it sets
`sizes` (see blog/images.py). Body images are rewritten by `article_body_parts`.
"""

from django import template

from blog import images

register = template.Library()


@register.simple_tag
def featured_picture(article, place, eager=False, alt=None):
    """`article`'s featured image as <picture> (WebP source, srcset, sizes, width, height), or ''.

    `eager=True` for the first large image of a page (loading="eager",
    fetchpriority="high"); every other one is loading="lazy" decoding="async".
    `alt` defaults to the article's alt text; pass alt="" when a link next to the
    picture says the same. Until renditions are made: the original, with its size.
    """
    return images.featured_picture(article, place, eager=eager, alt=alt)


@register.simple_tag
def featured_preload(article, place):
    """<link rel="preload" as="image"> for `article`'s featured image at `place` (in the head), or ''."""
    return images.featured_preload(article, place)


@register.simple_tag
def share_image(article):
    """{"url", "width", "height"} of `article`'s link-preview picture (og:image), or None:
    `{% share_image article as share %}` (blog/images.py)."""
    return images.share_image(article)
