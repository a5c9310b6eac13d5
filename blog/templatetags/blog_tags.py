"""The sidebar (cached HTML); the article page's share bar and call-out."""

from urllib.parse import quote, urlencode

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from blog import sidebar as sidebar_module
from blog.callout import encode_email, readable_email, split_after_paragraph
from blog.images import responsive_body

register = template.Library()


@register.simple_tag
def sidebar():
    """The sidebar's HTML: categories, tag cloud and archive months, cached (blog/sidebar.py)."""
    return mark_safe(sidebar_module.load()["html"])


# Article page: share links, the body with its call-out, the obfuscated contributions address.


@register.simple_tag(takes_context=True)
def share_links(context, article):
    """Plain share links for `article`, built here so nothing loads from those sites until a click.

    Returns {"url", "title", "links"}; each link has `network`, `name` (shown),
    `label` (the accessible name) and `url`. Pinterest needs a picture, so it is
    offered only when the article has a featured image. No database query.
    """
    request = context["request"]
    url = request.build_absolute_uri(article.get_absolute_url())
    title = article.title

    def address(base, **params):
        return f"{base}?{urlencode(params, quote_via=quote)}"

    links = [
        ("facebook", "Facebook", address("https://www.facebook.com/sharer/sharer.php", u=url)),
        ("x", "X", address("https://x.com/intent/post", url=url, text=title)),
    ]
    if article.featured_image:
        image = request.build_absolute_uri(article.featured_image.url)
        pin = address("https://www.pinterest.com/pin/create/button/", url=url, media=image, description=title)
        links.append(("pinterest", "Pinterest", pin))
    links += [
        ("linkedin", "LinkedIn", address("https://www.linkedin.com/sharing/share-offsite/", url=url)),
        ("whatsapp", "WhatsApp", address("https://wa.me/", text=f"{title} {url}")),
        ("telegram", "Telegram", address("https://t.me/share/url", url=url, text=title)),
    ]
    share = [
        {"network": network, "name": name, "label": _("Share on %(network)s") % {"network": name}, "url": href}
        for network, name, href in links
    ]
    email = address("mailto:", subject=title, body=url)
    share.append({"network": "email", "name": _("Email"), "label": _("Share by email"), "url": email})
    return {"url": url, "title": title, "links": share}


@register.simple_tag(takes_context=True)
def article_body_parts(context, article):
    """The article body as {"before", "after"} around the guest-post call-out.

    `after` is empty when there is no call-out: switched off site-wide or for this
    article, or the body too short (see blog/callout.py). The body is sanitized
    when saved, so both parts are safe to output as they are. Its images are shown
    responsive, from `article.renditions` (blog/images.py; the stored body is not changed).
    """
    body = responsive_body(article.body, article.renditions)
    settings = context.get("site_settings")
    after_paragraph = settings.callout_after_paragraph if settings else 0
    if not article.show_callout or not after_paragraph:
        return {"before": mark_safe(body), "after": ""}
    before, after = split_after_paragraph(body, after_paragraph)
    return {"before": mark_safe(before), "after": mark_safe(after)}


@register.simple_tag
def obfuscated_email(address):
    """`address` as "name [at] example [dot] com", encoded in a data attribute for article.js.

    Neither the address nor a mailto: link is in the HTML, which defeats the
    scrapers that harvest addresses from pages.
    """
    if not address:
        return ""
    return format_html(
        '<span class="obfuscated-email" data-obfuscated-email="{}">{}</span>',
        encode_email(address),
        readable_email(address),
    )
