"""WordPress's content filters, the little of them an import needs: [caption] and autop. Pure functions.

`render_content(text)` turns a post's content:encoded into HTML as WordPress would show it:
`[caption]` shortcodes become `<figure>` with a `<figcaption>`, then `autop` wraps
paragraphs. Any other shortcode (`[gallery]`, `[embed]`, `[contact-form-7 id="1"]`) is
left in the text as it is, and counted by name for the import's report: its output
depended on the old site's plugins. The result is not sanitized; the caller passes it
through `core.sanitizer.sanitize_html` (Article.save and Page.save do).
"""

import re
from collections import Counter

# [caption id="attachment_5" align="alignnone" width="300"]<img …> Text[/caption]; older
# exports carry the text in a caption="…" attribute instead. [wp_caption] is an old alias.
_CAPTION = re.compile(r"\[(wp_caption|caption)\b([^\]]*)\](.*?)\[/\1\]", re.IGNORECASE | re.DOTALL)
_CAPTION_ATTRIBUTE = re.compile(r"""\bcaption=(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_CAPTIONED_IMAGE = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.IGNORECASE | re.DOTALL)

# [name], [name attr="v"], [name/], and the escaped form [[name]] that WordPress prints as "[name]".
_SHORTCODE = re.compile(r"\[(\[?)(/?)([A-Za-z][\w-]*)((?:\s[^\[\]]*)?)(/?)\](\]?)")


def _caption(match):
    attributes, inner = match.group(2), match.group(3)
    found = _CAPTIONED_IMAGE.match(inner)
    if not found:
        return inner  # no picture to caption: keep what was inside
    image, text = found.group(1), " ".join(found.group(2).split())
    if not text:
        attribute = _CAPTION_ATTRIBUTE.search(attributes)
        text = (attribute.group(1) or attribute.group(2) or "").strip() if attribute else ""
    caption = f"<figcaption>{text}</figcaption>" if text else ""
    return f"<figure>{image}{caption}</figure>"


def shortcodes(text):
    """(`text` with [caption] made into figures, Counter of the other shortcodes' names).

    Something in brackets counts as a shortcode when it looks like one: a bare
    `[name]`, attributes with `=`, a self-closing `[name /]`, or a matching `[/name]`.
    "[citation needed]" or "[1]" are text. Escaped `[[name]]` becomes "[name]".
    """
    text = _CAPTION.sub(_caption, text or "")
    unknown = Counter()

    def visit(match):
        escaped = match.group(1) == "[" and match.group(6) == "]"
        if escaped:
            return match.group(0)[1:-1]
        if match.group(2):  # a closing tag: counted with its opening one
            return match.group(0)
        name, attributes = match.group(3), match.group(4)
        if not attributes.strip() or "=" in attributes or match.group(5) or f"[/{name}]".lower() in text.lower():
            unknown[name.lower()] += 1
        return match.group(0)

    return _SHORTCODE.sub(visit, text), unknown


# --- autop ---------------------------------------------------------------------------------------------

# WordPress's list of block elements (wp-includes/formatting.php, wpautop).
_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|"
    r"blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|"
    r"footer|nav|figure|figcaption|details|menu|summary)"
)
_OPEN_BLOCK = re.compile(rf"(<{_BLOCKS}[\s/>])", re.IGNORECASE)
_CLOSE_BLOCK = re.compile(rf"(</{_BLOCKS}>)", re.IGNORECASE)
# Left whole: preformatted text, and figures (the [caption]s made before autop runs).
_KEPT = re.compile(r"<(pre|figure)\b.*?</\1>", re.IGNORECASE | re.DOTALL)
_DOUBLE_BR = re.compile(r"<br\s*/?>\s*<br\s*/?>", re.IGNORECASE)
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")


def _line_breaks(chunk):
    """Single newlines in text (not inside tags) become <br>, as in wpautop."""
    parts = _TAG_OR_TEXT.split(chunk)
    return "".join(part if part.startswith("<") else part.replace("\n", "<br>\n") for part in parts)


def autop(text):
    """Paragraphs from blank lines, <br> from single newlines: WordPress's wpautop, minimally.

    What it does, in wpautop's order: <pre> and <figure> are left alone; two <br> in a row are a
    paragraph break; block elements (the list WordPress uses) start and end paragraphs,
    and are never wrapped in <p>; a <p> opening a <blockquote> moves inside it. What it
    leaves out: wptexturize (curly quotes), newlines kept inside <script>/<style>/<svg>
    (the sanitizer removes those anyway), and <option> handling. Content made with the
    block editor (it holds "<!-- wp:" comments) is already HTML: WordPress skips autop for
    it, and so does this.
    """
    if not text or not text.strip():
        return ""
    if "<!-- wp:" in text:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = {}

    def keep(match):
        key = f"<pre wp-autop-{len(kept)}></pre>"
        kept[key] = match.group(0)
        return key

    text = _KEPT.sub(keep, text)
    text = _DOUBLE_BR.sub("\n\n", text)
    text = _OPEN_BLOCK.sub(r"\n\n\1", text)
    text = _CLOSE_BLOCK.sub(r"\1\n\n", text)
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", text)]
    html = "".join(f"<p>{_line_breaks(chunk)}</p>\n" for chunk in chunks if chunk)

    html = re.sub(r"<p>\s*</p>", "", html)
    html = re.sub(rf"<p>\s*(</?{_BLOCKS}[^>]*>)\s*</p>", r"\1", html, flags=re.IGNORECASE)
    html = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", html, flags=re.IGNORECASE)
    html = re.sub(r"</blockquote></p>", "</p></blockquote>", html, flags=re.IGNORECASE)
    html = re.sub(rf"<p>\s*(</?{_BLOCKS}[^>]*>)", r"\1", html, flags=re.IGNORECASE)
    html = re.sub(rf"(</?{_BLOCKS}[^>]*>)\s*</p>", r"\1", html, flags=re.IGNORECASE)
    html = re.sub(rf"(</?{_BLOCKS}[^>]*>)\s*<br>", r"\1", html, flags=re.IGNORECASE)
    html = re.sub(r"<br>(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", html, flags=re.IGNORECASE)
    for key, original in kept.items():
        html = html.replace(key, original)
    return html.strip()


def render_content(text):
    """(HTML of a post's content as WordPress shows it, Counter of the unknown shortcodes' names)."""
    html, unknown = shortcodes(text)
    return autop(html), unknown
