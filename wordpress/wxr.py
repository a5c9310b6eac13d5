"""A streaming reader of WordPress eXtended RSS (WXR 1.0-1.2) exports: small dataclasses, no Django.

`read_wxr(source)` walks the file with lxml's iterparse and yields one record per
top-level element of the channel (`WXRAuthor`, `WXRCategory`, `WXRTag`, `WXRItem`), in
document order, clearing each element once read: memory stays bounded whatever the
size of the export (an item's own text is the largest thing held).

The reader is lenient about an item's contents (a missing element reads as "") and
strict about the file: anything that is not XML, or XML that is not a WordPress export,
raises `WXRError` with a message for people. Validating an item (its id, its dates)
is the importer's job, so one bad item is skipped and the rest are imported.

Entities are not resolved and nothing is fetched from the network (XXE).
"""

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

WP_NAMESPACE_PREFIX = "http://wordpress.org/export/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ZERO_DATE = "0000-00-00 00:00:00"


class WXRError(Exception):
    """The file cannot be read as a WordPress export."""


@dataclass(frozen=True)
class WXRAuthor:
    wp_id: str
    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class WXRCategory:
    wp_id: str
    slug: str  # wp:category_nicename, percent-encoded as WordPress stores it
    name: str
    parent_slug: str = ""
    description: str = ""


@dataclass(frozen=True)
class WXRTag:
    wp_id: str
    slug: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class WXRTerm:
    """A category or tag an item is filed under: <category domain="category" nicename="news">News</category>."""

    domain: str  # "category", "post_tag", or a custom taxonomy
    slug: str
    name: str


@dataclass(frozen=True)
class WXRComment:
    wp_id: str
    author: str = ""
    author_email: str = ""
    author_url: str = ""
    author_ip: str = ""
    date: str = ""
    date_gmt: str = ""
    content: str = ""
    approved: str = ""  # "1", "0", "spam", "trash"
    type: str = ""  # "", "comment", "pingback", "trackback"
    parent_id: str = "0"


@dataclass(frozen=True)
class WXRItem:
    post_id: str
    post_type: str
    title: str = ""
    link: str = ""
    guid: str = ""
    creator: str = ""  # the author's login
    content: str = ""
    excerpt: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    post_name: str = ""
    status: str = ""
    post_parent: str = "0"
    is_sticky: bool = False
    password: str = ""
    attachment_url: str = ""
    terms: tuple[WXRTerm, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)  # the first value of each key
    old_slugs: tuple[str, ...] = ()  # every _wp_old_slug: WordPress redirected these itself
    comments: tuple[WXRComment, ...] = ()


def parse_wp_date(text):
    """A naive datetime from WordPress's "YYYY-MM-DD HH:MM:SS"; None for empty or the zero date.

    Raises ValueError for anything else.
    """
    text = (text or "").strip()
    if not text or text == ZERO_DATE:
        return None
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def _split(tag):
    """(namespace, local name) of an element's tag."""
    if not isinstance(tag, str):  # comments and processing instructions
        return "", ""
    if tag.startswith("{"):
        namespace, _brace, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _is_wp(namespace):
    return namespace.startswith(WP_NAMESPACE_PREFIX) and not namespace.rstrip("/").endswith("excerpt")


def _is_excerpt(namespace):
    return namespace.startswith(WP_NAMESPACE_PREFIX) and namespace.rstrip("/").endswith("excerpt")


def _text(element):
    return element.text or ""


def _wp_children(element):
    """{local name: text} of `element`'s children in the wp namespace (the first of repeated names)."""
    found = {}
    for child in element:
        namespace, local = _split(child.tag)
        if _is_wp(namespace):
            found.setdefault(local, _text(child))
    return found


class WXRReader:
    """Reads one export. After (or during) iteration, `version` and `base_site_url` hold the channel's values."""

    def __init__(self, source):
        self.source = source  # a path or a binary file object
        self.version = ""
        self.base_site_url = ""
        self.base_blog_url = ""

    def __iter__(self):
        try:
            events = etree.iterparse(
                self.source,
                events=("start", "end"),
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                huge_tree=True,  # a post of more than 10 MB of text is legal
                remove_comments=True,
                remove_pis=True,
            )
            depth = 0
            for event, element in events:
                if event == "start":
                    depth += 1
                    if depth == 1:
                        self._check_root(element)
                    continue
                depth -= 1
                if depth != 2:  # only the channel's children are records; their insides are read whole
                    continue
                record = self._record(element)
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
                if record is not None:
                    if not self.version:  # it comes first in every export WordPress writes
                        raise WXRError("Not a WordPress export: no wp:wxr_version before the content.")
                    yield record
            if not self.version:
                raise WXRError("Not a WordPress export: no wp:wxr_version in the channel.")
        except etree.XMLSyntaxError as exc:
            line = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
            raise WXRError(f"Not well-formed XML{line}: {exc.msg}") from exc

    def _check_root(self, root):
        namespace, local = _split(root.tag)
        if local != "rss" or namespace:
            raise WXRError(f"Not a WordPress export: the document is <{local}>, not <rss>.")
        if not any(uri and _is_wp(uri) for uri in root.nsmap.values()):
            raise WXRError("Not a WordPress export: the wp namespace (http://wordpress.org/export/1.x/) is missing.")

    def _record(self, element):
        namespace, local = _split(element.tag)
        if not namespace and local == "item":
            return _item(element)
        if not _is_wp(namespace):
            return None
        if local == "wxr_version":
            self.version = _text(element).strip()
        elif local == "base_site_url":
            self.base_site_url = _text(element).strip()
        elif local == "base_blog_url":
            self.base_blog_url = _text(element).strip()
        elif local == "author":
            wp = _wp_children(element)
            return WXRAuthor(
                wp_id=wp.get("author_id", "").strip(),
                login=wp.get("author_login", "").strip(),
                email=wp.get("author_email", "").strip(),
                display_name=wp.get("author_display_name", "").strip(),
                first_name=wp.get("author_first_name", "").strip(),
                last_name=wp.get("author_last_name", "").strip(),
            )
        elif local == "category":
            wp = _wp_children(element)
            return WXRCategory(
                wp_id=wp.get("term_id", "").strip(),
                slug=wp.get("category_nicename", "").strip(),
                name=wp.get("cat_name", "").strip(),
                parent_slug=wp.get("category_parent", "").strip(),
                description=wp.get("category_description", "").strip(),
            )
        elif local == "tag":
            wp = _wp_children(element)
            return WXRTag(
                wp_id=wp.get("term_id", "").strip(),
                slug=wp.get("tag_slug", "").strip(),
                name=wp.get("tag_name", "").strip(),
                description=wp.get("tag_description", "").strip(),
            )
        return None


def _item(element):
    values = {}
    terms, meta, comments, old_slugs = [], {}, [], []
    for child in element:
        namespace, local = _split(child.tag)
        if not namespace:
            if local == "category":
                terms.append(
                    WXRTerm(
                        domain=child.get("domain", "category"),
                        slug=child.get("nicename", "").strip(),
                        name=_text(child).strip(),
                    )
                )
            elif local in ("title", "link", "guid"):
                values.setdefault(local, _text(child))
        elif namespace == CONTENT_NS and local == "encoded":
            values.setdefault("content", _text(child))
        elif _is_excerpt(namespace) and local == "encoded":
            values.setdefault("excerpt", _text(child))
        elif namespace == DC_NS and local == "creator":
            values.setdefault("creator", _text(child).strip())
        elif _is_wp(namespace):
            if local == "postmeta":
                wp = _wp_children(child)
                meta.setdefault(wp.get("meta_key", ""), wp.get("meta_value", ""))
                if wp.get("meta_key") == "_wp_old_slug" and wp.get("meta_value", "").strip():
                    old_slugs.append(wp["meta_value"].strip())
            elif local == "comment":
                wp = _wp_children(child)
                comments.append(
                    WXRComment(
                        wp_id=wp.get("comment_id", "").strip(),
                        author=wp.get("comment_author", "").strip(),
                        author_email=wp.get("comment_author_email", "").strip(),
                        author_url=wp.get("comment_author_url", "").strip(),
                        author_ip=wp.get("comment_author_IP", "").strip(),
                        date=wp.get("comment_date", "").strip(),
                        date_gmt=wp.get("comment_date_gmt", "").strip(),
                        content=wp.get("comment_content", ""),
                        approved=wp.get("comment_approved", "").strip(),
                        type=wp.get("comment_type", "").strip(),
                        parent_id=wp.get("comment_parent", "0").strip() or "0",
                    )
                )
            else:
                values.setdefault(local, _text(child))
    return WXRItem(
        post_id=values.get("post_id", "").strip(),
        post_type=values.get("post_type", "").strip(),
        title=values.get("title", "").strip(),
        link=values.get("link", "").strip(),
        guid=values.get("guid", "").strip(),
        creator=values.get("creator", ""),
        content=values.get("content", ""),
        excerpt=values.get("excerpt", ""),
        post_date=values.get("post_date", "").strip(),
        post_date_gmt=values.get("post_date_gmt", "").strip(),
        post_name=values.get("post_name", "").strip(),
        status=values.get("status", "").strip(),
        post_parent=values.get("post_parent", "0").strip() or "0",
        is_sticky=values.get("is_sticky", "0").strip() == "1",
        password=values.get("post_password", ""),
        attachment_url=values.get("attachment_url", "").strip(),
        terms=tuple(terms),
        meta=meta,
        old_slugs=tuple(old_slugs),
        comments=tuple(comments),
    )
