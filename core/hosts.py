"""Host names: the one normaliser, the hosts the site knows as affiliate networks and URL shorteners, and the
trades that spam links' hosts are named for.

Pure functions and constants; imports nothing of ours. The affiliate patterns
(core/affiliates.py) and the intake report (contributions/intake.py) compare hosts
through `normalize_host`, so "WWW.Example.com." and "example.com" are one host to both.
"""

from urllib.parse import urlsplit

#: The affiliate links of the site's default affiliate patterns (core/models.py): a link to one of
#: these hosts or a subdomain is one when it carries the query parameter given ('' for every link).
#: In this order, they are the default's lines, and that text is also a migration's default
#: (core/migrations/0003): changing this changes the default for new sites and needs a migration.
DEFAULT_AFFILIATE_HOSTS = {
    "amzn.to": "",
    "amazon.com": "tag",  # an Amazon associate's tag
    "amazon.co.uk": "tag",
    "amazon.de": "tag",
    "shareasale.com": "",
    "awin1.com": "",
    "anrdoezrs.net": "",  # CJ
    "dpbolvw.net": "",
    "jdoqocy.com": "",
    "kqzyfj.com": "",
    "tkqlhce.com": "",
    "click.linksynergy.com": "",  # Rakuten
    "go.skimresources.com": "",  # Skimlinks
    "redirect.viglink.com": "",
    "prf.hn": "",
}

#: Hosts (and their subdomains) that only exist to track affiliate clicks: every link to one is an
#: affiliate link. The intake report flags them all; the default patterns name the common ones.
AFFILIATE_HOSTS = frozenset(
    {
        *(host for host, param in DEFAULT_AFFILIATE_HOSTS.items() if not param),
        "amzn.eu", "amzn.asia",
        "linksynergy.com",  # Rakuten, every subdomain
        "go.redirectingat.com",  # Skimlinks
        "clickbank.net",  # also hop.clickbank.net
        "impact.com", "sjv.io", "pxf.io", "7eer.net", "evyy.net", "ojrq.net",  # impact.com
        "pntra.com", "avantlink.com", "rstyle.me", "howl.me", "shopstyle.it",
        "clk.tradedoubler.com", "track.webgains.com",
    }
)  # fmt: skip

#: General-purpose URL shorteners: they hide where a link goes, so editors want to know.
SHORTENER_HOSTS = frozenset(
    {
        "bit.ly", "bitly.com", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "v.gd", "buff.ly",
        "rebrand.ly", "cutt.ly", "shorturl.at", "tiny.cc", "rb.gy", "t.ly", "s.id", "lnkd.in", "a.co",
        "bl.ink", "soo.gd", "clck.ru", "shorte.st", "adf.ly", "tr.ee", "qr.ae", "y2u.be",
    }
)  # fmt: skip


def normalize_host(host, *, url=False):
    """`host` as the site compares hosts: stripped, lowercased, without trailing dots or a leading "www.".

    With `url=True`, `host` may be written as people paste a site's address
    ("https://www.example.com:8000/", "user@example.com:80", "[::1]:8000"): the host is
    taken from it first, without its scheme, user, port, path or IPv6 brackets; '' when it
    cannot be read. Without it, `host` is taken as a host name (urlsplit's `hostname`, a
    pattern's domain) and nothing else is cut from it. No IDNA conversion: "bücher.de" and
    "xn--bcher-kva.de" stay two spellings.
    """
    host = (host or "").strip().lower()
    if url:
        host = host.rstrip(".")
        if "//" in host:
            try:
                host = urlsplit(host).hostname or ""
            except ValueError:
                return ""
        host = host.split("/", 1)[0].rsplit("@", 1)[-1]
        if host.startswith("[") or host.count(":") > 1:  # an IPv6 literal
            host = host.strip("[]").split("]")[0]
        else:
            host = host.split(":", 1)[0]
    return host.rstrip(".").removeprefix("www.")


def listed_domain(host, domains):
    """The entry of `domains` that `host` is or is a subdomain of, the shortest if several ('' if none)."""
    parts = host.split(".")
    for i in range(len(parts) - 2, -1, -1):
        candidate = ".".join(parts[i:])
        if candidate in domains:
            return candidate
    return ""


#: Words that name a trade link sellers push and a news blog's sources almost never are: gambling,
#: lending, essay mills, pharmacies, replicas, escorts. Matched inside a host's labels
#: ("quickcash-loans.example", "essaywritingpro.example") by `risky_trade_in_host`.
RISKY_TRADE_HOST_WORDS = (
    "casino", "betting", "gambling", "sportsbook", "poker", "payday", "loans", "essay", "dissertation",
    "homework", "viagra", "cialis", "pharmacy", "kratom", "replica", "escort", "forex",
)  # fmt: skip
#: Too short to be matched inside a word ("pcbdesign" is not CBD): matched only at the start of a
#: label or after a hyphen ("cbd-shop.example", "cbdoil.example", "best-cbd.example").
RISKY_TRADE_HOST_PREFIXES = ("cbd",)


def risky_trade_in_host(host):
    """The word of `RISKY_TRADE_HOST_WORDS` or `RISKY_TRADE_HOST_PREFIXES` in `host`'s labels ('' if none).

    Every label is read, the top-level domain too: ".casino" and ".loans" are such trades' own domains.
    """
    for label in host.split("."):
        for word in RISKY_TRADE_HOST_WORDS:
            if word in label:
                return word
        for part in label.split("-"):
            for prefix in RISKY_TRADE_HOST_PREFIXES:
                if part.startswith(prefix):
                    return prefix
    return ""
