"""The checklist before publishing: what an article still lacks, and which of it blocks publishing.

Each check reads a `Draft` (what the checks need of an article: `Draft.from_article`, or
`Draft.from_form` for an admin form's cleaned data before anything is saved) and says what is
wrong in words an editor can act on ("2 pictures have no alt text: photo.jpg, dial.jpg").
Whether a failed check blocks or only warns is the site settings' choice
(`SiteSettings.publishing_blockers`, ticked in Admin → Site settings → Before publishing);
the checks and their labels are core's `PublishingCheck`. The body is read with core/html.py's
tokens, as stored: sanitized HTML.

Where it is enforced, in one place each:

- `blog.publishing.publish_now` refuses a blocked article (`PublishingBlocked`, listing the
  blockers), so the admin's "Publish now" action skips it and says which and why;
- the article admin form refuses to save a blocked article as published (or scheduled, which is
  published with a later time), with the blockers as the form's error. That holds for a change to
  an article already live too (an imported one with pictures without alt text, say): the form
  judges what its save would publish; withdrawing it, or saving it as a draft, is never refused.

What it deliberately does not guard: `Article.save()`. Importers and seeds (the WordPress
import, the demo content, tests/factories.py) write published articles as they come, since they
copy a site that already published them; accepting a guest post makes a draft. The checklist
guards an editor's decision to publish, not every write of a published row. There is no
"publish anyway": to publish a blocked article, fix it, or untick the check in the settings.
"""

import re
from dataclasses import dataclass, field
from posixpath import basename
from urllib.parse import unquote, urlsplit

from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.affiliates import find_affiliate_links, parse_patterns
from core.greetings import greeting, sign_off
from core.hosts import AFFILIATE_HOSTS, listed_domain, normalize_host
from core.html import END, START, TEXT, attributes, tokens
from core.models import PublishingCheck, SiteSettings
from core.sanitizer import plain_text, sanitize_html

OK, WARNING, BLOCKED = "ok", "warning", "blocked"

META_DESCRIPTION_MAX = 160  # what search results show before cutting
MIN_WORDS = 150  # below this a news article is a note
SIGN_OFF_LINES = 5  # how many of the last lines may hold a sign-off, a signature or a mail app's footer
# Link texts that say nothing about where a link goes (WCAG 2.4.4), compared lowercased without punctuation.
VAGUE_LINK_TEXTS = frozenset(
    {"click here", "click", "here", "this", "this link", "link", "read more", "more", "click this link", "go"}
    | {"this page", "see here", "find out more", "learn more", "continue", "details"}
)
_BLOCK_TAGS = frozenset(
    {"p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figure", "figcaption", "pre", "td", "th", "hr"}
    | {"ul", "ol", "table", "tr", "br"}
)
_HEADING = re.compile(r"h([1-6])")
PLACEHOLDER_ALT = gettext_lazy("Illustration for “%(title)s”")
_PUNCTUATION = re.compile(r"[^\w\s]+")


@dataclass(frozen=True)
class Draft:
    """What the checks read of an article. `body` is sanitized HTML."""

    body: str = ""
    standfirst: str = ""
    meta_description: str = ""
    has_category: bool = False
    featured_image: str = ""  # the stored file's name, '' without one
    featured_image_alt: str = ""
    featured_image_caption: str = ""

    @classmethod
    def from_article(cls, article):
        return cls(
            body=article.body or "",
            standfirst=article.standfirst or "",
            meta_description=article.meta_description or "",
            has_category=article.category_id is not None,
            featured_image=article.featured_image.name if article.featured_image else "",
            featured_image_alt=article.featured_image_alt or "",
            featured_image_caption=article.featured_image_caption or "",
        )

    @classmethod
    def from_form(cls, cleaned_data, instance):
        """The article as the admin form would save it: its cleaned data, the instance for fields it lacks
        (read-only ones). An image field's cleaned value is the upload, the current file, False (cleared), or
        a storage name (a picture chosen from the library: blog/library_choice.py)."""

        def value(name):
            return cleaned_data[name] if name in cleaned_data else getattr(instance, name)

        image = value("featured_image")
        return cls(
            body=sanitize_html(value("body") or ""),
            standfirst=value("standfirst") or "",
            meta_description=value("meta_description") or "",
            has_category=value("category") is not None,
            featured_image=_image_name(image),
            featured_image_alt=value("featured_image_alt") or "",
            featured_image_caption=value("featured_image_caption") or "",
        )


def _image_name(image):
    if not image:
        return ""
    return image if isinstance(image, str) else (getattr(image, "name", "") or "")


@dataclass(frozen=True)
class Result:
    """One line of the checklist: `status` is OK, WARNING or BLOCKED; `message` says what is wrong ('' if OK)."""

    code: str
    label: str
    status: str
    message: str = ""

    @property
    def passed(self):
        return self.status == OK


@dataclass(frozen=True)
class Checklist:
    results: list = field(default_factory=list)

    @property
    def blockers(self):
        return [result for result in self.results if result.status == BLOCKED]

    @property
    def warnings(self):
        return [result for result in self.results if result.status == WARNING]

    @property
    def passed(self):
        return [result for result in self.results if result.status == OK]

    @property
    def by_severity(self):
        """The blockers, then the warnings, then what passed; each in the checks' order."""
        return [*self.blockers, *self.warnings, *self.passed]

    @property
    def is_blocked(self):
        return bool(self.blockers)

    def summary(self):
        """The blockers' messages in one line (each a sentence), for an error or an admin message."""
        return " ".join(result.message for result in self.blockers)


# The checks. Each returns None when it passes, else (message, may_block): a problem with a fallback
# (no meta description, but a standfirst to use) is a warning whatever the settings say.


def _check_category(draft, context):
    return None if draft.has_category else (_("No category is chosen."), True)


def _check_featured_image(draft, context):
    if draft.featured_image:
        return None
    return _("There is no featured picture: listings, the home page and share previews show none."), True


def placeholder_alt(title):
    """The alt text of a picture nobody has described yet (a guest post's, accepted without a caption): it
    lets the draft be saved, and the checklist flags it as it flags a missing one."""
    return PLACEHOLDER_ALT % {"title": title}


def _is_placeholder(alt):
    head, _title, tail = str(PLACEHOLDER_ALT).partition("%(title)s")
    return len(alt) > len(head) + len(tail) and alt.startswith(head) and alt.endswith(tail)


def _check_featured_image_alt(draft, context):
    if not draft.featured_image:
        return None
    name = basename(draft.featured_image)
    alt = " ".join(draft.featured_image_alt.split())
    if not alt:
        return _("The featured picture (%(name)s) has no alt text.") % {"name": name}, True
    if _is_placeholder(alt):
        return _("The featured picture (%(name)s) has a placeholder for alt text: describe what it shows.") % {
            "name": name
        }, True
    if alt.casefold() == " ".join(draft.featured_image_caption.split()).casefold():
        # A guest's caption proposed as both on acceptance; screen readers would read it twice anyway.
        return _(
            "The featured picture's alt text repeats its caption (“%(alt)s”): check that it describes the "
            "picture, and say what it shows in other words."
        ) % {"alt": Truncator(alt).chars(60)}, True
    return None


def _file_name(src):
    path = unquote(urlsplit(src).path) if src else ""
    return basename(path.rstrip("/")) or src or _("(no address)")


def _check_image_alt(draft, context):
    missing = [_file_name(attrs.get("src", "")) for attrs in context["images"] if not attrs.get("alt", "").strip()]
    if not missing:
        return None
    message = ngettext(
        "%(count)d picture has no alt text: %(names)s.", "%(count)d pictures have no alt text: %(names)s.", len(missing)
    ) % {"count": len(missing), "names": ", ".join(missing)}
    return message, True


def _check_empty_figure(draft, context):
    empty = context["empty_figures"]
    if not empty:
        return None
    described = [f"“{Truncator(caption).chars(40)}”" if caption else _("one without a caption") for caption in empty]
    message = ngettext(
        "%(count)d figure has no picture: %(figures)s.", "%(count)d figures have no picture: %(figures)s.", len(empty)
    ) % {"count": len(empty), "figures": ", ".join(described)}
    return message, True


def _check_heading_order(draft, context):
    problems, previous, previous_text = [], 1, None
    for level, text in context["headings"]:
        if level > previous + 1:
            after = (
                _("follows the title (h1)")
                if previous_text is None
                else _("follows an h%(level)d") % {"level": previous}
            )
            problems.append(
                _("Heading “%(text)s” (h%(level)d) %(after)s")
                % {"text": Truncator(text).chars(50) or _("(empty)"), "level": level, "after": after}
            )
        previous, previous_text = level, text
    if not problems:
        return None
    return "; ".join(problems) + ".", True


def _check_link_text(draft, context):
    problems = []
    for href, text, has_image in context["links"]:
        words = " ".join(_PUNCTUATION.sub(" ", text.lower()).split())
        where = Truncator(href).chars(60) or _("nowhere")
        if not words and not has_image:
            problems.append(_("an empty link to %(href)s") % {"href": where})
        elif words in VAGUE_LINK_TEXTS:
            problems.append(_("“%(text)s” (%(href)s)") % {"text": text.strip(), "href": where})
    if not problems:
        return None
    message = ngettext(
        "%(count)d link does not say where it goes: %(links)s.",
        "%(count)d links do not say where they go: %(links)s.",
        len(problems),
    ) % {"count": len(problems), "links": ", ".join(problems)}
    return message, True


def _check_body_length(draft, context):
    words = len(context["text"].split())
    if words >= MIN_WORDS:
        return None
    message = ngettext(
        "The text has %(words)d word; an article usually has at least %(minimum)d.",
        "The text has %(words)d words; an article usually has at least %(minimum)d.",
        words,
    ) % {"words": words, "minimum": MIN_WORDS}
    return message, True


def _check_meta_description(draft, context):
    description = draft.meta_description.strip()
    if not description:
        if draft.standfirst.strip():
            return _("No meta description: search and share previews will use the standfirst instead."), False
        return _("No meta description and no standfirst: previews will show the start of the text."), True
    if len(description) > META_DESCRIPTION_MAX:
        return _("The meta description has %(length)d characters; search results cut it after about %(maximum)d.") % {
            "length": len(description),
            "maximum": META_DESCRIPTION_MAX,
        }, True
    return None


def _check_salutation(draft, context):
    lines = context["lines"]
    opening = greeting(lines[0]) if lines else ""
    closings = [closing for line in lines[1:][-SIGN_OFF_LINES:] if (closing := sign_off(line))]
    found = []
    if opening:
        found.append(_("“%(text)s” at the top") % {"text": opening})
    if closings:
        found.append(_("%(texts)s at the foot") % {"texts": ", ".join(f"“{text}”" for text in closings)})
    if not found:
        return None
    return _("Left from the email it came in: %(found)s.") % {"found": "; ".join(found)}, True


def _check_affiliate_disclosure(draft, context):
    settings = context["settings"]
    marked = find_affiliate_links(draft.body, context["patterns"])
    if marked and not (settings.affiliate_disclosure or "").strip():
        message = ngettext(
            "%(count)d affiliate link, but the disclosure text in the site settings is empty.",
            "%(count)d affiliate links, but the disclosure text in the site settings is empty.",
            len(marked),
        ) % {"count": len(marked)}
        return message, True
    unmarked = []
    for href, _text, _image in context["links"]:
        try:
            host = normalize_host(urlsplit(href).hostname or "")
        except ValueError:
            continue
        if host and listed_domain(host, AFFILIATE_HOSTS) and href not in marked and href not in unmarked:
            unmarked.append(href)
    if not unmarked:
        return None
    message = ngettext(
        "%(count)d link goes to an affiliate network the site's patterns do not match, so the article "
        "shows no disclosure: %(links)s.",
        "%(count)d links go to affiliate networks the site's patterns do not match, so the article "
        "shows no disclosure: %(links)s.",
        len(unmarked),
    ) % {"count": len(unmarked), "links": ", ".join(Truncator(href).chars(60) for href in unmarked)}
    return message, True


CHECKS = {
    PublishingCheck.CATEGORY: _check_category,
    PublishingCheck.FEATURED_IMAGE: _check_featured_image,
    PublishingCheck.FEATURED_IMAGE_ALT: _check_featured_image_alt,
    PublishingCheck.IMAGE_ALT: _check_image_alt,
    PublishingCheck.EMPTY_FIGURE: _check_empty_figure,
    PublishingCheck.HEADING_ORDER: _check_heading_order,
    PublishingCheck.LINK_TEXT: _check_link_text,
    PublishingCheck.BODY_LENGTH: _check_body_length,
    PublishingCheck.META_DESCRIPTION: _check_meta_description,
    PublishingCheck.SALUTATION: _check_salutation,
    PublishingCheck.AFFILIATE_DISCLOSURE: _check_affiliate_disclosure,
}


def read_body(html):
    """What the checks need of a body, in one walk: its pictures' attributes, empty figures' captions,
    headings (level, text), links (href, text, has a picture), lines of text (blocks and <br> apart)."""
    images, empty_figures, headings, links, lines = [], [], [], [], [""]
    figure = heading = link = None  # the open figure/heading/link: a dict of what it gathered
    for token in tokens(html):
        if token.kind == TEXT:
            text = html[token.start : token.end]
            for open_element in (figure, heading, link):
                if open_element is not None:
                    open_element["text"].append(text)
            lines[-1] += text
            continue
        if token.name in _BLOCK_TAGS and lines[-1].strip():
            lines.append("")
        if token.kind == START:
            if token.name == "img":
                attrs = attributes(token)
                images.append(attrs)
                if figure is not None and attrs.get("src", "").strip():
                    figure["image"] = True
                if link is not None:
                    link["image"] = bool(attrs.get("alt", "").strip()) or link["image"]
            elif token.name == "figure":
                figure = {"text": [], "image": False}
            elif _HEADING.fullmatch(token.name):
                heading = {"text": [], "level": int(token.name[1])}
            elif token.name == "a":
                link = {"text": [], "image": False, "href": attributes(token).get("href", "")}
        elif token.kind == END:
            if token.name == "figure" and figure is not None:
                if not figure["image"]:
                    empty_figures.append(_unescaped(figure["text"]))
                figure = None
            elif heading is not None and token.name == f"h{heading['level']}":
                headings.append((heading["level"], _unescaped(heading["text"])))
                heading = None
            elif token.name == "a" and link is not None:
                links.append((link["href"], _unescaped(link["text"]), link["image"]))
                link = None
    return {
        "images": images,
        "empty_figures": empty_figures,
        "headings": headings,
        "links": links,
        "lines": [line for line in (_unescaped([raw]) for raw in lines) if line],
        "text": plain_text(html),
    }


def _unescaped(pieces):
    return plain_text("".join(pieces))  # entities decoded, whitespace as one space


def run_checks(draft, settings=None):
    """The Checklist of `draft`: every check in order, each OK, or WARNING or BLOCKED as `settings`
    (by default the site settings) say for a failed one."""
    settings = settings or SiteSettings.load()
    blocking = set(settings.publishing_blockers or [])
    context = {
        **read_body(draft.body),
        "settings": settings,
        "patterns": parse_patterns(settings.affiliate_patterns),
    }
    results = []
    for code, check in CHECKS.items():
        problem = check(draft, context)
        if problem is None:
            results.append(Result(code.value, code.label, OK))
            continue
        message, may_block = problem
        status = BLOCKED if may_block and code.value in blocking else WARNING
        results.append(Result(code.value, code.label, status, message))
    return Checklist(results)


def check_article(article, settings=None):
    """The Checklist of a saved (or derived) article."""
    return run_checks(Draft.from_article(article), settings)
