"""Near-duplicate fingerprints of submissions and articles (pure functions, no database).

Callers store the results (see `Fingerprint` and `FingerprintBand` in `contributions.models`;
contributions/duplicates.py looks them up).

Text is reduced to lowercase word tokens, cut into overlapping 5-word shingles, and the
shingle set is summarised by a 64-bin one-permutation MinHash signature with rotation
densification. Two signatures agree in a bin with probability ≈ the Jaccard similarity of
the shingle sets, so `estimate_similarity` estimates it (standard error ≈ sqrt(J(1-J)/64),
about ±0.06 at J = 0.5). For lookup, the signature is split into 32 bands of 2 rows and
each band is hashed to a key (`band_keys`); candidates are the pieces that share a key.

Every hash is an unkeyed BLAKE2b, so signatures and keys are identical across
processes, machines and Python versions (Python's `hash()` is salted per process and
must never be used here). Changing any hashing detail invalidates stored fingerprints.
"""

import hashlib
import re
import struct
import unicodedata
from dataclasses import dataclass
from html import unescape

from core.html import COMMENT, END, START, TEXT, VOID_ELEMENTS, tokens

SHINGLE_SIZE = 5
BINS = 64
BANDS = 32
DUPLICATE_THRESHOLD = 0.5

#: The value of every bin of an empty text's signature. It never counts as a match.
EMPTY = -1

_MAX_INT63 = 2**63

# ---------------------------------------------------------------------------
# HTML to text
# ---------------------------------------------------------------------------

# Tags whose content is never text (the sanitizer drops them, but raw input may carry them).
_SKIP_CONTENT_TAGS = frozenset({"script", "style", "template", "noscript", "iframe", "object", "embed", "textarea"})
# Tags that do not separate words: `wo<em>rd</em>` is one word. Every other tag is a boundary.
_INLINE_TAGS = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd", "mark", "q", "s",
     "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "del", "ins"}
)  # fmt: skip


def visible_text(html: str | None):
    """(token, text) for each text and tag token of `html` (core/html.py) outside content that is never text.

    `text` is what the token adds to the visible text: a text token's decoded characters, " " for
    a tag that separates words, '' for an inline one. Comments and doctypes add nothing and are
    left out. Joined, the texts are the visible text. A tag left open at the end of `html` comes
    last, as text with `None` for its token, so that plain text such as "a<b" keeps its words.
    """
    source = str(html or "")
    skip_depth, position = 0, 0
    for token in tokens(source):
        position = token.end
        if token.name in _SKIP_CONTENT_TAGS:
            if token.kind == START and token.name not in VOID_ELEMENTS:
                skip_depth += 1
            elif token.kind == END and skip_depth:
                skip_depth -= 1
        elif skip_depth or token.kind == COMMENT:
            continue
        elif token.kind == TEXT:
            yield token, unescape(source[token.start : token.end])
        else:
            yield token, "" if token.name in _INLINE_TAGS else " "
    if position < len(source) and not skip_depth:
        yield None, unescape(source[position:])


# A run of word characters (`\w+`) that is not made only of underscores (which are "punctuation" here).
_WORD_RE = re.compile(r"\w*[^\W_]\w*")


def text_words(text: str) -> list[str]:
    """The lowercase word tokens of plain text (NFKC-normalised, case-folded)."""
    return _WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold())


def normalize_words(text_or_html: str | None) -> list[str]:
    """Return the lowercase word tokens of plain text or HTML.

    Tags are removed with core/html.py (block tags separate words, inline ones do not), entities are
    decoded, script/style content is dropped, text is NFKC-normalised and case-folded, and tokens are
    Unicode `\\w+` runs; runs made only of underscores are dropped. Plain text and the same content as
    HTML give the same words.
    """
    if not text_or_html:
        return []
    return text_words("".join(text for _token, text in visible_text(text_or_html)))


# ---------------------------------------------------------------------------
# Shingles and MinHash
# ---------------------------------------------------------------------------


def shingles(words: list[str], k: int = SHINGLE_SIZE) -> set[str]:
    """Return the set of k-word shingles ("w1 w2 w3 w4 w5") of `words`.

    A text shorter than k words gives one shingle of all its words; no words gives an empty set.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    if not words:
        return set()
    if len(words) <= k:
        return {" ".join(words)}
    return {" ".join(gram) for gram in zip(*(words[i:] for i in range(k)), strict=False)}  # the shortest ends it


def jaccard(a: set, b: set) -> float:
    """Exact Jaccard similarity |a ∩ b| / |a ∪ b| (0.0 when both are empty)."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def _hash64(data: bytes, person: bytes = b"") -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8, person=person).digest(), "big")


def signature(shingle_set: set[str], bins: int = BINS) -> list[int]:
    """Return the one-permutation MinHash signature of `shingle_set`: `bins` ints in [0, 2**63).

    Each shingle is hashed once (64-bit BLAKE2b of its UTF-8 bytes): bin = h % bins, value =
    (h // bins) % span with span = 2**63 // bins, and each bin keeps its smallest value. An empty bin
    is filled by rotation densification: it copies the nearest non-empty bin to its right (circularly)
    at distance d, plus d * span, so a borrowed value can only match a value borrowed from the same
    distance in the other signature, which keeps the estimator close to unbiased for short texts.
    All values stay below 2**63 (they fit a signed 64-bit column).

    An empty set gives `[EMPTY] * bins`, which never matches anything.
    """
    if bins < 1:
        raise ValueError("bins must be at least 1")
    if not shingle_set:
        return [EMPTY] * bins
    span = _MAX_INT63 // bins
    blake2b = hashlib.blake2b
    digests = b"".join([blake2b(shingle.encode("utf-8"), digest_size=8).digest() for shingle in shingle_set])
    mins = [span] * bins  # span marks an empty bin here: real values are < span
    for h in struct.unpack(f">{len(shingle_set)}Q", digests):  # the digests as big-endian unsigned 64-bit ints
        index = h % bins
        value = (h // bins) % span
        if value < mins[index]:
            mins[index] = value

    # Rotation densification: walk leftwards from a non-empty bin, remembering the nearest
    # non-empty bin to the right of the current position and how far away it is.
    start = next(i for i, value in enumerate(mins) if value != span)
    sig = list(mins)
    nearest, distance = mins[start], 0
    for step in range(1, bins):
        i = (start - step) % bins
        if mins[i] != span:
            nearest, distance = mins[i], 0
        else:
            distance += 1
            sig[i] = nearest + distance * span
    return sig


def _is_empty(sig: list[int]) -> bool:
    return not sig or all(value == EMPTY for value in sig)


def estimate_similarity(sig_a: list[int], sig_b: list[int]) -> float:
    """Estimated Jaccard similarity: the fraction of bins where both signatures hold the same value.

    Bins holding the EMPTY marker never match; 0.0 if either signature is empty. Signatures of
    different lengths cannot be compared (ValueError).
    """
    if _is_empty(sig_a) or _is_empty(sig_b):
        return 0.0
    if len(sig_a) != len(sig_b):
        raise ValueError("signatures have different lengths")
    equal = sum(1 for a, b in zip(sig_a, sig_b, strict=True) if a == b and a != EMPTY)
    return equal / len(sig_a)


def band_keys(sig: list[int], bands: int = BANDS) -> list[int]:
    """Return one LSH key per band of `sig` (32 bands of 2 rows for 64 bins), each an int in [0, 2**63).

    A key is the BLAKE2b hash of the band's index and its values, so equal keys mean (barring a 2**-63
    collision) that the two signatures agree on every row of that band. Two texts whose shingle sets
    have Jaccard similarity J share at least one key with probability 1 - (1 - J**2) ** 32:
    J = 0.5 -> 0.9999, J = 0.3 -> 0.95, J = 0.2 -> 0.73, J = 0.1 -> 0.28, J = 0.05 -> 0.08.
    So a piece at or above DUPLICATE_THRESHOLD is almost never missed, and candidates are then
    confirmed with `estimate_similarity`. An empty signature has no keys.
    """
    if _is_empty(sig):
        return []
    if bands < 1 or len(sig) % bands:
        raise ValueError("the signature length must be a multiple of the number of bands")
    rows = len(sig) // bands
    keys = []
    for band in range(bands):
        data = band.to_bytes(4, "big") + b"".join(
            value.to_bytes(8, "big", signed=True) for value in sig[band * rows : (band + 1) * rows]
        )
        keys.append(_hash64(data, person=b"byline-lsh-band") >> 1)
    return keys


@dataclass
class Fingerprint:
    """What the duplicate check stores for a piece of text."""

    words: int
    signature: list[int]
    band_keys: list[int]


def fingerprint(text_or_html: str | None) -> Fingerprint:
    """Word count, MinHash signature and LSH band keys of plain text or HTML, with the module's settings."""
    words = normalize_words(text_or_html)
    sig = signature(shingles(words, SHINGLE_SIZE), BINS)
    return Fingerprint(words=len(words), signature=sig, band_keys=band_keys(sig, BANDS))
