"""What every part of the WordPress export (bench/wxr.py) shares: the pretend site and its dates,
the WXR namespaces, and WordPress's own encodings: CDATA as wxr_cdata() writes it, sanitize_title()
slugs, PHP's serialize() and the date formats."""

import datetime
import html
import re
import unicodedata
import urllib.parse
from zoneinfo import ZoneInfo

SITE = "https://old.example.com"
UPLOADS = f"{SITE}/wp-content/uploads"
NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
}
# The pretend export date, fixed so that a seed always gives the same bytes. Scheduled posts
# are dated after it; everything else between FIRST_POST and it.
EXPORTED = datetime.datetime(2026, 11, 1, 9, 30, tzinfo=datetime.UTC)
FIRST_POST = datetime.datetime(2009, 1, 1, tzinfo=datetime.UTC)
SITE_TZ = ZoneInfo("Europe/Berlin")  # post_date is the site's local time, post_date_gmt UTC
ZERO_DATE = "0000-00-00 00:00:00"  # WordPress's post_date_gmt for drafts never published
ZERO_PUBDATE = "Mon, 30 Nov -0001 00:00:00 +0000"  # and the <pubDate> PHP makes of it

REMOVE_ACCENTS = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "đ": "d"})
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cdata(text):
    """Text in CDATA, "]]>" split across two sections as WordPress's wxr_cdata() does."""
    return "<![CDATA[" + CONTROL_CHARS.sub("", str(text)).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def esc(text):
    return html.escape(str(text), quote=True)


def wp_slug(title):
    """WordPress's sanitize_title(): accents dropped, other letters percent-encoded, the rest hyphens."""
    text = unicodedata.normalize("NFKD", html.unescape(title).translate(REMOVE_ACCENTS))
    out = []
    for ch in text:
        if unicodedata.combining(ch) or ch in "&'’":
            continue
        if ch.isascii():
            out.append(ch.lower() if ch.isalnum() else "-")
        elif ch.isalnum():
            out.append(urllib.parse.quote(unicodedata.normalize("NFC", ch)).lower())
        else:
            out.append("-")
    return re.sub("-+", "-", "".join(out)).strip("-")[:190] or "untitled"


def php_serialize(value):
    """PHP's serialize() for the str, int, list and dict values WordPress keeps in postmeta."""
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, str):
        return f's:{len(value.encode())}:"{value}";'
    if isinstance(value, list):
        value = dict(enumerate(value))
    return f"a:{len(value)}:{{" + "".join(php_serialize(k) + php_serialize(v) for k, v in value.items()) + "}"


def rfc822(moment):
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


def wp_date(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S")
