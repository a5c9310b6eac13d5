"""The intake report of a submission for the moderation queue (pure functions, no database).

`intake_report` lists a submission's links and tells two things apart:

- *signals*, suspicions of spam, each one a pattern of paid or manipulative links: failed sender
  verification, affiliate links, URL shorteners, keyword-stuffed or repeated anchor text, commercial
  anchors on links to a site's landing pages, links to sites named for a risky trade (gambling,
  loans, essay mills...), links with no readable text, wording of paid placement where pitches and
  sponsorship notes stand, and a piece that is mostly links;
- *facts*, what editors like to know but is no suspicion by itself: a short text, no text.

The rules are measured on a labelled corpus of genuine and spam guest posts
(tests/contributions/corpus/spam/, tests/contributions/test_spam_calibration.py).
The caller stores the result (`Submission.report`, contributions/workflow.py).
"""

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from core.hosts import AFFILIATE_HOSTS, SHORTENER_HOSTS, listed_domain, normalize_host, risky_trade_in_host
from core.html import END, START, TEXT, attributes

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

# Words of a trade link sellers push: one in an anchor on a link to a landing page is a signal by itself.
TRADE_WORDS = frozenset(
    {
        "casino", "casinos", "gambling", "betting", "bookmaker", "bookmakers", "sportsbook", "poker", "roulette",
        "blackjack", "sweepstakes", "payday", "loan", "loans", "viagra", "cialis", "pharmacy", "kratom", "cbd",
        "replica", "replicas", "escort", "escorts", "seo", "backlinks", "followers", "forex",
    }
)  # fmt: skip
# Words that are ordinary alone ("his essay", "the homework") and a trade in these phrases.
TRADE_PHRASES = (
    ("essay", "writing"), ("write", "my", "essay"), ("essay", "writer"), ("essay", "help"), ("buy", "essays"),
    ("custom", "essays"), ("homework", "help"), ("do", "my", "homework"), ("assignment", "help"),
)  # fmt: skip
# Words that sell a product or a service: commercial in an anchor of at least two words that say something.
TRANSACTIONAL_WORDS = frozenset(
    {
        "buy", "cheap", "cheapest", "affordable", "discount", "discounts", "coupon", "coupons", "promo", "deal",
        "deals", "hire", "services", "agency", "agencies", "solutions", "outsourcing",
    }
)  # fmt: skip
# Words that do not count towards an anchor's length ("the company", "our services").
_FILLER_WORDS = frozenset(
    {"a", "an", "the", "our", "your", "my", "their", "its", "his", "her", "this", "that", "of", "for", "to", "in",
     "on", "and", "or", "with", "at", "by", "from", "me"}
)  # fmt: skip
# Lowercase words that may stand inside a name ("Bank of America", "Ludwig van Beethoven").
_NAME_PARTICLES = frozenset({"of", "the", "and", "for", "de", "da", "del", "der", "van", "von", "la", "le", "du"})

# Where pitches and sponsorship notes stand: the opening paragraphs of a letter, the footer of a post.
PAID_PLACEMENT_PHRASES = (
    ("sponsored", "post"), ("sponsored", "article"), ("sponsored", "content"), ("paid", "post"),
    ("paid", "placement"), ("advertorial",), ("dofollow",), ("do", "follow", "link"), ("do", "follow", "links"),
    ("link", "insertion"), ("niche", "edit"), ("paid", "guest", "post"), ("guest", "post", "fee"),
    ("in", "exchange", "for", "a", "link"),
)  # fmt: skip
OPENING_BLOCKS = 2  # paragraphs (or headings, list items...) read at the start for paid-placement wording
CLOSING_BLOCKS = 1  # ...and at the end

SHORT_TEXT_WORDS = 300  # fewer words than this is noted for editors: a fact, not a spam signal
LINK_DENSITY_LIMIT = 3.0  # links per 100 words above which (with LINK_DENSITY_MIN_LINKS) editors get a signal
LINK_DENSITY_MIN_LINKS = 5
_MAX_ANCHOR_IN_SIGNAL = 80
_FAILED_VERDICTS = frozenset({"fail", "failed", "softfail", "permerror", "hardfail"})


# Tags that start or end a paragraph-like block of text (a heading, a list item, a cell...).
_BLOCK_TAGS = frozenset(
    {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "th", "figcaption", "figure", "div",
     "ul", "ol", "table", "tr", "dt", "dd", "hr"}
)  # fmt: skip


@dataclass
class _Link:
    href: str
    rel: str = ""
    parts: list[str] = field(default_factory=list)
    alt: list[str] = field(default_factory=list)
    images: int = 0

    @property
    def anchor(self) -> str:
        text = " ".join("".join(self.parts).split())
        return text or " ".join(" ".join(self.alt).split())


def _extract(html):
    """(visible text, its blocks' word lists, links with their anchor text, number of <img>) of `html`.

    Never raises on odd markup. A block is the text between two block tags (`_BLOCK_TAGS`) that has words.
    """
    chunks, blocks, block, links, images, link = [], [], [], [], 0, None

    def end_block():
        if words := text_words("".join(block)):
            blocks.append(words)
        block.clear()

    for token, text in visible_text(html):
        chunks.append(text)
        if token is not None and token.kind in (START, END) and token.name in _BLOCK_TAGS:
            end_block()
        else:
            block.append(text)
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
            if link is not None:
                link.images += 1
                if alt := attributes(token).get("alt"):
                    link.alt.append(alt)
    if link is not None:
        links.append(link)
    end_block()
    return "".join(chunks), blocks, links, images


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


def _has_phrase(words: list[str], phrases) -> tuple[str, ...]:
    """The first of `phrases` (tuples of words) that occurs in `words`, in a row (() if none)."""
    for phrase in phrases:
        n = len(phrase)
        if any(tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1)):
            return phrase
    return ()


def _is_name(anchor: str) -> bool:
    """True when every word of `anchor` starts with a capital (or is a particle): "Amazon Web Services"."""
    words = [word for word in anchor.split() if word[:1].isalpha()]
    return bool(words) and all(word[0].isupper() or word in _NAME_PARTICLES for word in words)


def _anchor_is_commercial(anchor: str) -> bool:
    """True when anchor text sells: a trade ("online casino", "write my essay"), or a product or service in
    an anchor of two words or more that is not a name ("hire dedicated React developers", not "Amazon
    Web Services")."""
    words = text_words(anchor)
    if any(word in TRADE_WORDS for word in words) or _has_phrase(words, TRADE_PHRASES):
        return True
    content = [word for word in words if word not in _FILLER_WORDS]
    selling = any(word in TRANSACTIONAL_WORDS for word in words) or bool(_has_phrase(words, [("near", "me")]))
    return selling and len(content) >= 2 and not _is_name(anchor)


def _is_landing_page(path: str) -> bool:
    """A site's front page or a page one step below it ("/", "/shop", "/write-my-essay.html"), which is where
    a paid link sends readers; a source is a page deeper in a site ("/docs/5.2/ref/", "/2025/03/story/")."""
    return len([segment for segment in path.split("/") if segment]) <= 1


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
    anchor = link.anchor
    return {
        "url": url,
        "domain": host,
        "anchor": anchor,
        "external": external,
        "affiliate": bool(reason),
        "affiliate_reason": reason,
        "shortener": bool(shortener),
        "keyword_stuffed": _anchor_is_stuffed(anchor),
        "repeated_anchor": False,
        "commercial_anchor": external and _is_landing_page(path) and _anchor_is_commercial(anchor),
        "risky_trade": risky_trade_in_host(host) if external else "",
        # Nothing a reader could read or see: a link hidden on a full stop or a space.
        "hidden": not link.images and not any(char.isalnum() for char in anchor),
    }


#: The rules behind the signals, in the order their signals are listed (most serious first).
RULES = (
    "sender_verification", "affiliate", "shortener", "risky_trade", "commercial_anchor", "stuffed_anchor",
    "repeated_anchor", "hidden_link", "paid_placement", "link_density",
)  # fmt: skip


def failed_verification(verification: dict) -> list[str]:
    """The checks of `verification` that failed, lowercased and sorted, unless DMARC passed.

    A DMARC pass means an aligned SPF or DKIM check passed, so the sender is verified: SPF alone
    fails on every message a mailing list or a forwarding address passes on.
    """
    verdicts = {str(name).lower(): verdict for name, verdict in verification.items()}
    if isinstance(verdicts.get("dmarc"), str) and verdicts["dmarc"].strip().lower() == "pass":
        return []
    return sorted(
        name
        for name, verdict in verdicts.items()
        if verdict is False or (isinstance(verdict, str) and verdict.strip().lower() in _FAILED_VERDICTS)
    )


def _paid_placement_phrase(blocks: list[list[str]]) -> str:
    """The wording of paid placement ("sponsored post", "dofollow", "link insertion") in the opening or the
    closing blocks of the text, where a pitch or a sponsorship note stands ('' if none). A piece that
    reports on such links names them in its body, which is not read."""
    ends = blocks[:OPENING_BLOCKS] + blocks[max(OPENING_BLOCKS, len(blocks) - CLOSING_BLOCKS) :]
    for words in ends:
        if phrase := _has_phrase(words, PAID_PLACEMENT_PHRASES):
            return " ".join(phrase)
    return ""


def _signals(links, blocks, word_count, density, anchor_uses, verification):
    """[(rule, sentence for editors)] for the suspicions of spam, in the order of `RULES`."""
    signals = []
    if failed := failed_verification(verification):
        signals.append(("sender_verification", f"sender verification failed ({', '.join(failed).upper()})"))
    if affiliate_count := sum(1 for info in links if info["affiliate"]):
        signals.append(("affiliate", _plural(affiliate_count, "affiliate-looking link")))
    if shortener_domains := sorted({info["domain"] for info in links if info["shortener"]}):
        label = "a URL shortener" if len(shortener_domains) == 1 else "URL shorteners"
        signals.append(("shortener", f"links to {label} ({', '.join(shortener_domains)})"))
    trades = {info["domain"]: info["risky_trade"] for info in links if info["risky_trade"]}
    if trades:
        named = ", ".join(f"{domain} ({word})" for domain, word in sorted(trades.items()))
        label = "a site" if len(trades) == 1 else "sites"
        signals.append(("risky_trade", f"links to {label} named for a risky trade: {named}"))
    seen = set()
    for info in links:
        key = info["anchor"].casefold()
        if info["commercial_anchor"] and not info["keyword_stuffed"] and key not in seen:
            seen.add(key)
            signals.append(
                (
                    "commercial_anchor",
                    f"commercial anchor text {_quote(info['anchor'])} on a link to a landing page of {info['domain']}",
                )
            )
    seen = set()
    for info in links:
        key = info["anchor"].casefold()
        if info["keyword_stuffed"] and not info["repeated_anchor"] and key not in seen:
            seen.add(key)
            signals.append(("stuffed_anchor", f"anchor text {_quote(info['anchor'])} looks keyword-stuffed"))
    seen = set()
    for info in links:
        key = " ".join(text_words(info["anchor"]))
        if info["repeated_anchor"] and key not in seen:
            seen.add(key)
            signals.append(
                ("repeated_anchor", f"anchor text {_quote(info['anchor'])} is used on {anchor_uses[key]} links")
            )
    if hidden := sorted({info["domain"] or info["url"] for info in links if info["hidden"]}):
        label = "a link" if sum(1 for info in links if info["hidden"]) == 1 else "links"
        signals.append(("hidden_link", f"{label} with no readable text ({', '.join(hidden)})"))
    if phrase := _paid_placement_phrase(blocks):
        signals.append(("paid_placement", f"wording of paid placement at the start or end of the text: “{phrase}”"))
    if len(links) >= LINK_DENSITY_MIN_LINKS and density > LINK_DENSITY_LIMIT:
        signals.append(("link_density", f"{_plural(len(links), 'link')} in {_plural(word_count, 'word')}"))
    return signals


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
                 repeated_anchor, commercial_anchor, risky_trade (the word, or ''), hidden}],
        links_per_100_words, external_domains (sorted, unique), affiliate_links, shortener_links,
        keyword_stuffed_links (links whose anchor is stuffed or repeated), sender_verification
        (as given, or {}), signals: short sentences for editors about suspicions of spam, most serious
        first, signal_rules: the rule (of `RULES`) behind each signal, in the same order, and facts:
        short sentences that are information, not suspicion ("short text: under 300 words").

    `site_host` ("example.com", with or without scheme, port or "www.") marks links to the site and its
    subdomains as internal; relative links are always internal. javascript:/data: and other non-web
    hrefs are ignored. Malformed HTML never raises.
    """
    text, blocks, found_links, inline_images = _extract(html)
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

    density = round(len(links) * 100 / word_count, 2) if word_count else (float(len(links)) if links else 0.0)
    verification = dict(sender_verification or {})
    signals = _signals(links, blocks, word_count, density, anchor_uses, verification)

    facts: list[str] = []
    if word_count == 0:
        facts.append("no text")
    elif word_count < SHORT_TEXT_WORDS:
        facts.append(f"short text: under {SHORT_TEXT_WORDS} words")

    return {
        "word_count": word_count,
        "image_count": int(image_count or 0),
        "inline_image_count": inline_images,
        "links": links,
        "links_per_100_words": density,
        "external_domains": sorted({info["domain"] for info in links if info["external"]}),
        "affiliate_links": sum(1 for info in links if info["affiliate"]),
        "shortener_links": sum(1 for info in links if info["shortener"]),
        "keyword_stuffed_links": sum(1 for info in links if info["keyword_stuffed"]),
        "sender_verification": verification,
        "signals": [sentence for _rule, sentence in signals],
        "signal_rules": [rule for rule, _sentence in signals],
        "facts": facts,
    }
