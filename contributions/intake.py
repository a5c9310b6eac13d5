"""The intake report of a submission for the moderation queue (pure functions, no database).

`intake_report` lists a submission's links and flags the patterns editors care about:
affiliate links, URL shorteners, keyword-stuffed or repeated anchor text, link density.
The caller stores the result (`Submission.report`, contributions/workflow.py).
"""

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from core.hosts import AFFILIATE_HOSTS, SHORTENER_HOSTS, listed_domain, normalize_host
from core.html import START, TEXT, attributes

from .fingerprints import text_words, visible_text

AFFILIATE_PARAMS = frozenset(
    {"aff", "aff_id", "affid", "aff_sub", "affiliate", "affiliate_id", "affiliateid", "ref", "ref_id", "irclickid",
     "clickid"}
)  # fmt: skip
AFFILIATE_PATH_SEGMENTS = frozenset({"aff", "affiliate", "affiliates", "go", "recommends", "refer", "referral"})
_AMAZON_HOST_RE = re.compile(r"(?:^|\.)amazon\.(?:[a-z]{2,3}|co\.[a-z]{2}|com\.[a-z]{2})$")

# Words that sell. An anchor made mostly of them is written for search engines, not readers.
COMMERCIAL_WORDS = frozenset(
    {
        "best", "cheap", "cheapest", "buy", "discount", "discounts", "deal", "deals", "coupon", "coupons", "promo",
        "review", "reviews", "top", "price", "prices", "pricing", "sale", "sales", "casino", "casinos", "betting",
        "bonus", "loan", "loans", "payday", "mortgage", "insurance", "vpn", "vpns", "crypto", "bitcoin", "forex",
        "seo", "backlinks", "essay", "essays", "viagra", "cbd", "affordable", "replica",
    }
)  # fmt: skip
_YEAR_RE = re.compile(r"^20[2-3]\d$")
# Anchors too generic to be suspicious when they repeat.
_GENERIC_ANCHORS = frozenset(
    {"here", "click here", "this", "link", "this link", "read more", "learn more", "more", "source", "website", "site"}
)

SHORT_TEXT_WORDS = 300  # fewer words than this earns a signal
LINK_DENSITY_LIMIT = 1.0  # links per 100 words above which (with at least 3 links) editors get a signal
_MAX_ANCHOR_IN_SIGNAL = 80
_FAILED_VERDICTS = frozenset({"fail", "failed", "softfail", "permerror", "hardfail"})


@dataclass
class _Link:
    href: str
    rel: str = ""
    parts: list[str] = field(default_factory=list)
    alt: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        text = " ".join("".join(self.parts).split())
        return text or " ".join(" ".join(self.alt).split())


def _extract(html):
    """(visible text, links with their anchor text, number of <img>) of `html`. Never raises on odd markup."""
    chunks, links, images, link = [], [], 0, None
    for token, text in visible_text(html):
        chunks.append(text)
        if link is not None:
            link.parts.append(text)
        if token is None or token.kind == TEXT:
            continue
        if token.name == "a":
            if link is not None:  # </a> ends a link, and so does a new <a>: they cannot nest
                links.append(link)
                link = None
            href = attributes(token).get("href") if token.kind == START else None
            if href is not None:
                link = _Link(href=href.strip(), rel=attributes(token).get("rel", ""))
        elif token.name == "img" and token.kind == START:
            images += 1
            if link is not None and (alt := attributes(token).get("alt")):
                link.alt.append(alt)
    if link is not None:
        links.append(link)
    return "".join(chunks), links, images


def _affiliate_reason(host: str, path: str, query: str, rel: str) -> str:
    """Why a link looks like an affiliate link ('' if it does not)."""
    if network := listed_domain(host, AFFILIATE_HOSTS):
        return f"affiliate network ({network})"
    params = [(key.lower(), value.lower()) for key, value in parse_qsl(query, keep_blank_values=True)]
    keys = {key for key, _value in params}
    if _AMAZON_HOST_RE.search(host) and "tag" in keys:
        return "Amazon associate tag"
    if found := sorted(keys & AFFILIATE_PARAMS):
        return f"affiliate parameter ({found[0]})"
    if any(key == "utm_medium" and value.startswith("affiliate") for key, value in params):
        return "utm_medium=affiliate"
    segments = [segment.lower() for segment in path.split("/")]
    for i, segment in enumerate(segments[:-1]):
        if segment in AFFILIATE_PATH_SEGMENTS and segments[i + 1]:
            return f"affiliate redirect path (/{segment}/)"
    if "sponsored" in rel.lower().split():
        return 'rel="sponsored"'
    return ""


def _anchor_is_stuffed(anchor: str) -> bool:
    """True when anchor text is long and mostly sales keywords ("best cheap vpn deals 2026")."""
    words = text_words(anchor)
    n = len(words)
    if n < 3:
        return False
    hits = 0
    for i, word in enumerate(words):
        if word in COMMERCIAL_WORDS or _YEAR_RE.match(word):
            hits += 1
        elif (word == "near" and i + 1 < n and words[i + 1] == "me") or (word == "me" and i and words[i - 1] == "near"):
            hits += 1
    if n == 3:
        return hits == 3
    return hits >= 2 and hits / n >= 0.4


def _quote(anchor: str) -> str:
    if len(anchor) > _MAX_ANCHOR_IN_SIGNAL:
        anchor = anchor[: _MAX_ANCHOR_IN_SIGNAL - 1].rstrip() + "…"
    return f"“{anchor}”"


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def _analyse_link(link: _Link, site_host: str) -> dict | None:
    url = link.href
    if not url:
        return None
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = normalize_host(parts.hostname) if parts.netloc else ""
        path, query = parts.path, parts.query
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        host, path, query = "", "", ""
    if scheme not in {"", "http", "https", "mailto"}:
        return None  # javascript:, data:, and whatever else is not a reader's link
    if scheme == "mailto":
        host = ""
    external = bool(host) and not (site_host and (host == site_host or host.endswith("." + site_host)))
    shortener = listed_domain(host, SHORTENER_HOSTS) if host else ""
    reason = _affiliate_reason(host, path, query, link.rel) if host else ""
    return {
        "url": url,
        "domain": host,
        "anchor": link.anchor,
        "external": external,
        "affiliate": bool(reason),
        "affiliate_reason": reason,
        "shortener": bool(shortener),
        "keyword_stuffed": _anchor_is_stuffed(link.anchor),
        "repeated_anchor": False,
    }


def intake_report(
    html: str,
    *,
    site_host: str = "",
    image_count: int = 0,
    sender_verification: dict | None = None,
) -> dict:
    """Describe a submission's (sanitized) HTML for the moderation queue. The result is JSON-serializable.

    Keys:
        word_count, image_count (as given: uploaded images), inline_image_count (<img> in the HTML),
        links: [{url, domain, anchor, external, affiliate, affiliate_reason, shortener, keyword_stuffed,
                 repeated_anchor}],
        links_per_100_words, external_domains (sorted, unique), affiliate_links, shortener_links,
        keyword_stuffed_links (links whose anchor is stuffed or repeated), sender_verification
        (as given, or {}), and signals: short sentences for editors, most serious first.

    `site_host` ("example.com", with or without scheme, port or "www.") marks links to the site and its
    subdomains as internal; relative links are always internal. javascript:/data: and other non-web
    hrefs are ignored. Malformed HTML never raises.
    """
    text, found_links, inline_images = _extract(html)
    words = text_words(text)
    word_count = len(words)
    site = normalize_host(site_host, url=True)

    links = [info for link in found_links if (info := _analyse_link(link, site)) is not None]

    # The same anchor text on several links is a classic of paid link placement.
    anchor_uses: dict[str, int] = {}
    for info in links:
        key = " ".join(text_words(info["anchor"]))
        if len(key.split()) >= 2 and key not in _GENERIC_ANCHORS:
            anchor_uses[key] = anchor_uses.get(key, 0) + 1
    repeated = {key for key, uses in anchor_uses.items() if uses > 1}
    for info in links:
        if " ".join(text_words(info["anchor"])) in repeated:
            info["repeated_anchor"] = True
            info["keyword_stuffed"] = True

    affiliate_count = sum(1 for info in links if info["affiliate"])
    stuffed_count = sum(1 for info in links if info["keyword_stuffed"])
    shortener_domains = sorted({info["domain"] for info in links if info["shortener"]})
    external_domains = sorted({info["domain"] for info in links if info["external"]})
    density = round(len(links) * 100 / word_count, 2) if word_count else (float(len(links)) if links else 0.0)

    signals: list[str] = []
    verification = dict(sender_verification or {})
    failed = sorted(
        str(name)
        for name, verdict in verification.items()
        if verdict is False or (isinstance(verdict, str) and verdict.strip().lower() in _FAILED_VERDICTS)
    )
    if failed:
        signals.append(f"sender verification failed ({', '.join(failed).upper()})")
    if affiliate_count:
        signals.append(_plural(affiliate_count, "affiliate-looking link"))
    if shortener_domains:
        label = "a URL shortener" if len(shortener_domains) == 1 else "URL shorteners"
        signals.append(f"links to {label} ({', '.join(shortener_domains)})")
    seen_stuffed = set()
    for info in links:
        key = info["anchor"].casefold()
        if info["keyword_stuffed"] and not info["repeated_anchor"] and key not in seen_stuffed:
            seen_stuffed.add(key)
            signals.append(f"anchor text {_quote(info['anchor'])} looks keyword-stuffed")
    seen_repeated = set()
    for info in links:
        key = " ".join(text_words(info["anchor"]))
        if info["repeated_anchor"] and key not in seen_repeated:
            seen_repeated.add(key)
            signals.append(f"anchor text {_quote(info['anchor'])} is used on {anchor_uses[key]} links")
    if len(links) >= 3 and density > LINK_DENSITY_LIMIT:
        signals.append(f"{_plural(len(links), 'link')} in {_plural(word_count, 'word')}")
    if word_count == 0:
        signals.append("no text")
    elif word_count < SHORT_TEXT_WORDS:
        signals.append(f"short: {_plural(word_count, 'word')}")

    return {
        "word_count": word_count,
        "image_count": int(image_count or 0),
        "inline_image_count": inline_images,
        "links": links,
        "links_per_100_words": density,
        "external_domains": external_domains,
        "affiliate_links": affiliate_count,
        "shortener_links": sum(1 for info in links if info["shortener"]),
        "keyword_stuffed_links": stuffed_count,
        "sender_verification": verification,
        "signals": signals,
    }
