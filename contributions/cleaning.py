"""A guest post as a clean draft: its title without the email's prefixes, its text without the letter around it.

Pure functions, used by `workflow.receive` for every way in (the web form, email, a .docx): what was sent
is stored as it came (`Submission.original_title`, `original_body`), and these give the draft.

- `clean_title`: "Re: Fwd: [Guest Post] Guest post: Solar roofs" is "Solar roofs". Reply and forward
  prefixes in the languages mail apps write them ("AW:", "WG:", "SV:", "Réf. :", "TR:", "R:", "回复："),
  bracketed tags ("[External]") and our own labels ("Guest post:", "Submission -"), repeated and mixed,
  case-insensitively; a title that would be left empty is kept as it was.
- `clean_body`: sanitized HTML without a greeting opening it ("Hi editors,"), without the sign-off,
  signature and footers closing it ("Regards,<br>Lena Fischer", "Sent from my iPhone", a confidentiality
  notice), and without a first heading or paragraph that only repeats the title (a .docx's heading).
  Only whole paragraphs, or whole lines of one split at <br>, at the start and at the end: nothing in
  the middle, nothing inside a list, a quote, a table or a figure. A body that would be left without text
  keeps its text. The patterns are core/greetings.py's, the one list the checklist before publishing reads.
- `captions`: what the contributor wrote about each picture in the text (its <figcaption>, a "Caption: …"
  line right after it, its alt text), by the picture's address; `usable_caption` leaves out what is no
  caption (a file name, Word's "Description automatically generated").
"""

import re
import unicodedata
from dataclasses import dataclass, field
from html import unescape

from core.greetings import DELIMITER, SIGNATURE, footer, is_greeting, sign_off, signature_line
from core.html import END, START, TEXT, VOID_ELEMENTS, attributes, start_tags, tokens
from core.sanitizer import plain_text

MAX_CAPTION = 300

# --- Titles ---------------------------------------------------------------------------------------------

# What mail apps put before a subject when replying or forwarding, by language: English, German (AW, WG),
# Scandinavian (SV, VS, VL, VB), Dutch (Antw, Doorst), French (Réf, TR), Italian (R, I, RIF), Spanish and
# Portuguese (RV, ENC, RES), Polish (Odp, PD), Turkish (YNT, ILT), Greek, Russian, Chinese; with a count
# ("Re[2]:", "Re(3):", "Re^2:") and a full-width colon.
_REPLY_WORDS = (
    r"re|res|fw|fwd|aw|wg|antw|antwort|doorst|sv|vs|vl|vb|réf\.?|ref\.?|tr|rif|r|i|rv|enc|odp|pd|ynt|ilt"
    r"|απ|σχετ|πρθ|отв|ответ|пересл|回复|回覆|答复|转发|轉寄|転送"
)
_PREFIXES = re.compile(
    rf"(?:(?:{_REPLY_WORDS})(?:\s*\[\d+\]|\s*\(\d+\)|\^\d+)?\s*[:：]"
    r"|\[[^\[\]]{1,40}\]|\((?:guest\s*post|submission|pitch)\)"
    r"|(?:guest[\s-]*post|guest[\s-]*article|guest[\s-]*contribution|article\s+submission|submission|pitch"
    r"|gastbeitrag|article\s+invité|artículo\s+invitado)\s*(?:[:：|]|\s[-–—]|[-–—]\s))\s*",
    re.IGNORECASE,
)


def clean_title(title: str) -> str:
    """`title` without the prefixes a subject line gathers; `title` itself (spaces tidied) if nothing is left."""
    text = " ".join((title or "").split())
    cleaned = text
    while True:
        stripped = _PREFIXES.sub("", cleaned, count=1) if _PREFIXES.match(cleaned) else cleaned
        if stripped == cleaned:
            break
        cleaned = stripped.strip()
    cleaned = cleaned.lstrip(" -–—:|")
    return cleaned if normalised(cleaned) else text


def normalised(text: str) -> str:
    """`text` for comparing: compatibility forms, case, punctuation and spacing left out."""
    text = unicodedata.normalize("NFKC", unescape(text or "")).casefold()
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


# --- Bodies ---------------------------------------------------------------------------------------------

_LINE_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6"})  # split into lines at <br>
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
SIGNATURE_LINES = 6  # at most this many lines of name, role and contact under a sign-off
_FOOT_WINDOW = 10  # the sign-off is looked for among the last lines only


@dataclass
class _Line:
    start: int  # offsets of the line's HTML in the body (inside its block)
    end: int
    text: str
    heading: bool = False
    fixed: bool = False  # a list, quote, table, figure...: never cut, and cutting stops there
    has_image: bool = False


@dataclass
class _Block:
    start: int
    end: int
    open_end: int = 0  # where the inner HTML starts (after the start tag); 0 for a run of text at the top level
    close_start: int = 0
    lines: list = field(default_factory=list)


def _blocks(html):
    """The top-level blocks of sanitized HTML, each with its lines."""
    blocks, depth, block, line_start, pieces, image = [], 0, None, None, [], False
    run = None  # text and inline tags at the top level, outside any block

    def close_line(end):
        nonlocal line_start, pieces, image
        target = block if block is not None else run
        if target is not None:  # an empty line too ("<p><br></p>", "<br><br>"): it goes with its neighbours
            text = " ".join(unescape("".join(pieces)).split())
            start = end if line_start is None else line_start
            target.lines.append(_Line(start, end, text, heading=heading_name in _HEADINGS, has_image=image))
        line_start, pieces, image = None, [], False

    heading_name = ""
    for token in tokens(html):
        if depth == 0 and block is None:
            if token.kind == START and (token.name in _LINE_BLOCKS or token.name not in _INLINE):
                if run is not None:
                    close_line(token.start)
                    run.end = token.start
                    blocks.append(run)
                    run = None
                if token.name in VOID_ELEMENTS:  # <hr>, or a picture on its own
                    blocks.append(_Block(token.start, token.end, lines=[_fixed(token.start, token.end, "")]))
                    blocks[-1].lines[0].has_image = token.name == "img"
                    continue
                block = _Block(token.start, 0, open_end=token.end)
                heading_name = token.name
                depth = 1
                if token.name not in _LINE_BLOCKS:
                    block.lines.append(_fixed(token.start, 0, ""))
                continue
            if token.kind == TEXT and not html[token.start : token.end].strip() and run is None:
                continue  # the spaces between blocks
            if run is None:
                run = _Block(token.start, 0)
                heading_name = ""
            if token.kind == START and token.name == "br":
                close_line(token.start)
                continue
            if line_start is None:
                line_start = token.start
            if token.kind == TEXT:
                pieces.append(html[token.start : token.end])
            elif token.kind == START and token.name == "img":
                image = True
            run.end = token.end
            continue
        # Inside a top-level block.
        fixed = block.lines and block.lines[0].fixed
        if token.kind == START and token.name not in VOID_ELEMENTS:
            depth += 1
        elif token.kind == END:
            depth -= 1
            if depth == 0:
                block.end, block.close_start = token.end, token.start
                if fixed:
                    block.lines[0].end = token.end
                else:
                    close_line(token.start)
                blocks.append(block)
                block = None
                continue
        if fixed:
            if token.kind == TEXT:
                block.lines[0].text += " " + " ".join(unescape(html[token.start : token.end]).split())
            elif token.kind == START and token.name == "img":
                block.lines[0].has_image = True
            continue
        if token.kind == START and token.name == "br" and depth == 1:
            close_line(token.start)
            continue
        if line_start is None:
            line_start = token.start
        if token.kind == TEXT:
            pieces.append(html[token.start : token.end])
        elif token.kind == START and token.name == "img":
            image = True
    if block is not None:  # not sanitized HTML after all: leave it alone
        return None
    if run is not None:
        close_line(run.end)
        blocks.append(run)
    for each in blocks:
        for line in each.lines:
            line.text = line.text.strip()
    return blocks


_INLINE = frozenset({"a", "strong", "em", "s", "sub", "sup", "code", "br", "img", "b", "i", "u", "span"})


def _fixed(start, end, text):
    return _Line(start, end, text, fixed=True)


def clean_body(html: str, *, title: str = "", titles: tuple = ()) -> str:
    """Sanitized `html` without the greeting, sign-off, signature and footers around the text, and without a
    first heading (or paragraph) repeating the title (`title`, or any of `titles`). See the module's doc."""
    blocks = _blocks(html or "")
    if not blocks:
        return html or ""
    lines = [(b, line) for b, block in enumerate(blocks) for line in block.lines]
    drop = set()
    wanted = {normalised(text) for text in (title, *titles)} - {""}

    def content(index):
        return lines[index][1].text or lines[index][1].has_image

    # The opening: a greeting and the title repeated (in either order, once each), and the empty lines around.
    index, greeted, titled, opened = 0, False, not wanted, False
    while index < len(lines):
        line = lines[index][1]
        if line.fixed:
            break
        if not content(index):
            index += 1
            continue
        if not greeted and not line.heading and not line.has_image and is_greeting(line.text):
            greeted = opened = True
        elif not titled and not line.has_image and normalised(line.text) in wanted:
            titled = opened = True
        else:
            break
        index += 1
    opening_end = index if opened else 0
    drop.update(range(opening_end))

    # The foot: footers, then a sign-off with the signature under it, then footers again.
    end = len(lines)
    while True:
        cut = _foot(lines, max(opening_end, 0), end)
        if cut is None:
            break
        end = cut
    if end < len(lines):
        drop.update(range(end, len(lines)))
        while end > opening_end and not content(end - 1) and not lines[end - 1][1].fixed:
            end -= 1
            drop.add(end)

    if not drop:
        return html
    kept = [index for index in range(len(lines)) if index not in drop]
    if not any(lines[index][1].text or lines[index][1].has_image for index in kept):
        return html  # all of it is letter: the contributor's text stays as it came
    return _rebuild(html, blocks, lines, drop)


def _foot(lines, first, end):
    """Where the letter's foot starts among lines[first:end] (footers, or a sign-off and its signature), or None."""
    last = end - 1
    while last >= first and not lines[last][1].text and not lines[last][1].fixed and not lines[last][1].has_image:
        last -= 1
    if last < first or lines[last][1].fixed or lines[last][1].has_image or lines[last][1].heading:
        return None
    if footer(lines[last][1].text):
        return last
    # A sign-off among the last lines, with nothing under it but a short signature.
    window = [i for i in range(last, first - 1, -1) if lines[i][1].text or lines[i][1].has_image or lines[i][1].fixed]
    window = window[:_FOOT_WINDOW]  # empty lines are passed over; a picture, a list... stop the search
    best = None
    under = 0
    for i in window:
        line = lines[i][1]
        if line.fixed or line.has_image or line.heading:
            break
        if _closes(line.text):
            best = i
        elif signature_line(line.text) or footer(line.text):
            under += 1
            if under > SIGNATURE_LINES:
                break
            continue
        else:
            break
    return best


def _closes(text):
    return bool(sign_off(text) or DELIMITER.fullmatch(text) or SIGNATURE.fullmatch(text))


def _rebuild(html, blocks, lines, drop):
    out, pos, index = [], 0, 0
    for block in blocks:
        count = len(block.lines)
        mine = range(index, index + count)
        index += count
        gone = [i for i in mine if i in drop]
        if not gone:
            continue
        out.append(html[pos : block.start])
        pos = block.end
        if len(gone) == count:
            continue  # the whole block
        kept = [lines[i][1] for i in mine if i not in drop]
        inner = "<br>".join(html[line.start : line.end] for line in kept)
        if block.open_end:
            out.append(html[block.start : block.open_end] + inner + html[block.close_start : block.end])
        else:
            out.append(inner)
    out.append(html[pos:])
    return re.sub(r"^\s+|\s+$", "", "".join(out))


def without_leading_picture(html: str, src: str, caption: str = "") -> str | None:
    """Sanitized `html` without its first block when that block is only the picture at `src` (a figure, or a
    paragraph holding just the <img>; with no text but its caption): the picture that opens a piece, which
    becomes the featured image above it. None when the piece does not open with it."""
    blocks = _blocks(html or "")
    start = None
    for block in blocks or ():
        start = block.start if start is None else start
        if all(not line.text and not line.has_image and not line.fixed for line in block.lines):
            continue  # empty paragraphs before it: they go with it
        source = html[block.start : block.end]
        images = [attributes(token).get("src", "") for token in start_tags(source, "img")]
        text = " ".join(line.text for line in block.lines).strip()
        if images == [src] and (not text or normalised(text) == normalised(caption)):
            rest = re.sub(r"^\s+|\s+$", "", html[:start] + html[block.end :])
            return rest if plain_text(rest) else None  # the picture alone: it stays
        return None
    return None


# --- Captions -------------------------------------------------------------------------------------------

_CAPTION_LINE = re.compile(
    r"(?:caption|photo|picture|image|pictured|above|below|légende|bildunterschrift|bild|foto|pie de foto"
    r"|didascalia|bijschrift)\s*[:：]\s*(?P<caption>\S.*)",
    re.IGNORECASE,
)
_FILE_NAME = re.compile(r"[\w\s().,+~-]*\.(?:jpe?g|png|gif|webp|heic|heif|bmp|tiff?|avif)", re.IGNORECASE)
_GENERIC = re.compile(
    r"(?:image|img|photo|picture|pic|screenshot|bild|foto|imagen|inline[ -]?image|dsc|dscn|pxl)?[\s_-]*\d*",
    re.IGNORECASE,
)
_AUTOMATIC = re.compile(r"description (?:automatically|generated automatically)|automatisch generierte", re.I)


def usable_caption(text: str, *file_names: str) -> str:
    """`text` tidied as a caption (at most MAX_CAPTION characters), or '' when it is none: a file name, a
    word such as "image", Word's automatic description."""
    text = " ".join((text or "").split())
    if not text or _FILE_NAME.fullmatch(text) or _GENERIC.fullmatch(text) or _AUTOMATIC.search(text):
        return ""
    stems = {normalised(name.rsplit(".", 1)[0]) for name in file_names if name} - {""}
    if normalised(text) in stems:
        return ""
    if len(text) > MAX_CAPTION:
        text = text[: MAX_CAPTION - 1].rstrip() + "…"
    return text


def captions(html: str) -> dict:
    """{picture address: what the contributor wrote about it} for the pictures in sanitized `html`.

    A figure's <figcaption>; else a "Caption: …" line right after the picture; else its alt text.
    The caller passes what it finds through `usable_caption`."""
    found = {}
    figure = None  # {"srcs": [...], "caption": [...], "in_caption": bool}
    pending = None  # the address of a picture outside a figure, waiting for the line after it
    line = []
    alts = {}

    def end_line():
        nonlocal pending, line
        text = " ".join(unescape("".join(line)).split())
        line = []
        if pending and text:
            match = _CAPTION_LINE.fullmatch(text)
            if match:
                found.setdefault(pending, match.group("caption"))
            pending = None

    for token in tokens(html or ""):
        if token.kind == TEXT:
            if figure is not None and figure["in_caption"]:
                figure["caption"].append(html[token.start : token.end])
            elif figure is None:
                line.append(html[token.start : token.end])
            continue
        name = token.name
        if token.kind == START and name == "img":
            attrs = attributes(token)
            src = attrs.get("src", "").strip()
            if not src:
                continue
            alts.setdefault(src, attrs.get("alt", ""))
            if figure is not None:
                figure["srcs"].append(src)
            else:
                end_line()
                pending = src
            continue
        if name in _INLINE:
            continue
        if token.kind == START and name == "figure":
            end_line()
            figure = {"srcs": [], "caption": [], "in_caption": False}
        elif token.kind == START and name == "figcaption" and figure is not None:
            figure["in_caption"] = True
        elif token.kind == END and name == "figcaption" and figure is not None:
            figure["in_caption"] = False
        elif token.kind == END and name == "figure" and figure is not None:
            text = " ".join(unescape("".join(figure["caption"])).split())
            for src in figure["srcs"]:
                if text:
                    found.setdefault(src, text)
            # A figure without a caption: the line after it may say what it shows.
            pending = None if text or not figure["srcs"] else figure["srcs"][-1]
            figure = None
            continue
        else:
            end_line()
    end_line()
    for src, alt in alts.items():
        if " ".join(alt.split()):
            found.setdefault(src, alt)
    return found
