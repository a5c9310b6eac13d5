"""The duplicate fingerprints of `contributions.fingerprints` (pure functions, no database)."""

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from contributions.fingerprints import (
    BANDS,
    BINS,
    DUPLICATE_THRESHOLD,
    EMPTY,
    SHINGLE_SIZE,
    Fingerprint,
    band_keys,
    estimate_similarity,
    fingerprint,
    jaccard,
    normalize_words,
    shingles,
    signature,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Two vocabularies with no word in common, so texts drawn from them share no shingle.
NEWS_WORDS = (
    "the council voted on a new budget for schools roads and parks after months of debate residents "
    "asked questions about taxes while the mayor promised better services and a public library would "
    "open next spring near the river where families gather on weekends to watch boats pass under old "
    "bridges built by workers who came from many towns across the region during hard winters"
).split()
GARDEN_WORDS = (
    "tomatoes need sunlight compost mulch water gently each morning prune suckers stake vines harvest "
    "ripe fruit basil thrives beside peppers cucumbers climb trellises beans fix nitrogen soil worms "
    "aerate beds slugs nibble lettuce seedlings frost threatens tender sprouts cover rows fleece "
    "autumn leaves enrich heaps rake paths sow garlic cloves"
).split()
assert not set(NEWS_WORDS) & set(GARDEN_WORDS)

FOX = "The quick brown fox jumps over the lazy dog while the cat sleeps."


def make_text(vocabulary, words, seed):
    """A deterministic pseudo-article of `words` words drawn from `vocabulary`."""
    rng = random.Random(seed)
    return " ".join(rng.choice(vocabulary) for _ in range(words))


def edit(text, every, seed, append=0):
    """Replace every `every`-th word with a word from outside both vocabularies, then append `append` new words."""
    rng = random.Random(seed)
    words = text.split()
    for i in range(0, len(words), every):
        words[i] = f"edit{rng.randrange(10**6)}"
    words += [f"extra{rng.randrange(10**6)}" for _ in range(append)]
    return " ".join(words)


def as_html(text, per_paragraph=40):
    """The same words as HTML paragraphs, with inline marks and an entity-encoded apostrophe-free ampersand."""
    words = text.split()
    paragraphs = []
    for start in range(0, len(words), per_paragraph):
        chunk = words[start : start + per_paragraph]
        chunk[0] = f"<strong>{chunk[0]}</strong>"
        paragraphs.append("<p>" + " ".join(chunk) + "</p>")
    return "\n".join(paragraphs)


def exact(a, b):
    return jaccard(shingles(normalize_words(a)), shingles(normalize_words(b)))


# ---------------------------------------------------------------------------
# Words and shingles
# ---------------------------------------------------------------------------


def test_constants():
    assert (SHINGLE_SIZE, BINS, BANDS, DUPLICATE_THRESHOLD) == (5, 64, 32, 0.5)


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("<p>Hello, <em>World</em>!</p><p>Again&nbsp;&amp; again…</p>", ["hello", "world", "again", "again"]),
        ("<p>one</p><p>two</p><ul><li>three</li><li>four</li></ul>three<br>five", None),
        ("wo<em>rd</em> <strong>b</strong>old", ["word", "bold"]),
        ("Café naïve ÆRØ 東京 Straße", ["café", "naïve", "ærø", "東京", "strasse"]),
        ("-- ... ___ !!! snake_case __init__ — – 3.14", ["snake_case", "__init__", "3", "14"]),
        ("<script>var hidden = 1;</script><style>p{}</style><p>shown</p><!-- not me -->", ["shown"]),
        ("Ada Lovelace&#39;s notes &lt;b&gt;", ["ada", "lovelace", "s", "notes", "b"]),
        ("", []),
        (None, []),
    ],
)
def test_normalize_words(source, words):
    if words is None:  # block tags separate words
        words = ["one", "two", "three", "four", "three", "five"]
    assert normalize_words(source) == words


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("<script/>var hidden = 1;</script><p>shown</p>", ["shown"]),  # "/>" does not end a <script>
        ("<xmp><b>bold</b></xmp>", ["b", "bold", "b"]),  # <xmp> shows its markup as text
        ("<p>shown</p><!-- a comment left open hides the rest", ["shown"]),
        ("Why a<b holds", ["why", "a", "b", "holds"]),  # a tag left open at the end: the end of plain text
    ],
)
def test_words_as_a_browser_reads_the_html(source, words):
    assert normalize_words(source) == words


def test_shingles():
    words = "a b c d e f g".split()
    assert shingles(words) == {"a b c d e", "b c d e f", "c d e f g"}
    assert shingles(words, k=3) == {"a b c", "b c d", "c d e", "d e f", "e f g"}
    assert shingles(["short", "text"]) == {"short text"}
    assert shingles("a b c d e".split()) == {"a b c d e"}
    assert shingles([]) == set()


def test_jaccard():
    assert jaccard({1, 2, 3}, {2, 3, 4}) == 0.5
    assert jaccard({1}, {1}) == 1.0
    assert jaccard({1}, {2}) == 0.0
    assert jaccard(set(), set()) == 0.0


# ---------------------------------------------------------------------------
# Signatures and similarity
# ---------------------------------------------------------------------------


def test_identical_texts_are_fully_similar():
    text = make_text(NEWS_WORDS, 600, seed=1)
    a, b = fingerprint(text), fingerprint(text)
    assert estimate_similarity(a.signature, b.signature) == 1.0
    assert a.band_keys == b.band_keys
    assert a.words == 600


def test_near_copy_is_detected_and_shares_a_band():
    original = make_text(NEWS_WORDS, 600, seed=2)
    copy = edit(original, every=20, seed=3, append=30)  # 30 words changed, 30 appended: ~10%
    assert exact(original, copy) >= DUPLICATE_THRESHOLD
    a, b = fingerprint(original), fingerprint(copy)
    assert estimate_similarity(a.signature, b.signature) >= DUPLICATE_THRESHOLD
    assert set(a.band_keys) & set(b.band_keys)


def test_unrelated_texts_are_not_similar():
    pairs = [
        (fingerprint(make_text(NEWS_WORDS, 500, seed=10 + i)), fingerprint(make_text(GARDEN_WORDS, 500, seed=20 + i)))
        for i in range(6)
    ]
    for a, b in pairs:
        assert estimate_similarity(a.signature, b.signature) < 0.2
    sharing = sum(1 for a, b in pairs if set(a.band_keys) & set(b.band_keys))
    assert sharing <= 1


def test_different_texts_from_the_same_vocabulary_are_not_similar():
    a = fingerprint(make_text(NEWS_WORDS, 500, seed=30))
    b = fingerprint(make_text(NEWS_WORDS, 500, seed=31))
    assert estimate_similarity(a.signature, b.signature) < 0.2


@pytest.mark.parametrize(
    ("every", "append", "truncate"),
    [(4, 0, None), (8, 0, None), (15, 40, None), (40, 0, None), (10**6, 0, 300), (10**6, 0, 150)],
)
def test_estimate_is_close_to_exact_jaccard(every, append, truncate):
    original = make_text(NEWS_WORDS, 600, seed=40)
    other = edit(original, every=every, seed=41, append=append) if every < 10**6 else original
    if truncate:
        other = " ".join(other.split()[:truncate])
    estimate = estimate_similarity(fingerprint(original).signature, fingerprint(other).signature)
    assert abs(estimate - exact(original, other)) <= 0.15


def test_short_texts():
    a, b = fingerprint("Breaking news tonight"), fingerprint("breaking NEWS, tonight!")
    assert estimate_similarity(a.signature, b.signature) == 1.0
    assert estimate_similarity(a.signature, fingerprint("Weather tomorrow").signature) == 0.0
    assert all(0 <= value < 2**63 for value in a.signature)


def test_empty_text():
    empty = fingerprint("")
    assert empty == Fingerprint(words=0, signature=[EMPTY] * BINS, band_keys=[])
    assert fingerprint("<p> &nbsp; </p><!-- x -->").signature == empty.signature
    assert signature(set()) == [EMPTY] * BINS
    assert estimate_similarity(empty.signature, empty.signature) == 0.0
    assert estimate_similarity(empty.signature, fingerprint(FOX).signature) == 0.0
    assert estimate_similarity([], []) == 0.0
    assert band_keys(empty.signature) == []


def test_html_and_plain_text_give_the_same_signature():
    text = make_text(NEWS_WORDS, 300, seed=50)
    html = as_html(text)
    assert html != text
    assert fingerprint(html) == fingerprint(text)
    assert normalize_words("<p>Tom &amp; Jerry&#8217;s <em>show</em></p>") == normalize_words("Tom & Jerry’s show")


def test_signature_values_fit_a_signed_64_bit_column():
    for text in (FOX, "one", make_text(NEWS_WORDS, 1000, seed=60)):
        sig = fingerprint(text).signature
        assert len(sig) == BINS
        assert all(type(value) is int and 0 <= value < 2**63 for value in sig)
        keys = band_keys(sig)
        assert len(keys) == BANDS
        assert all(type(key) is int and 0 <= key < 2**63 for key in keys)
        json.dumps(sig)


# Changing any of these values means every stored fingerprint must be recomputed.
FOX_SIGNATURE_HEAD = [172397765462079490, 28282577386223618, 219121108916917729, 75005920841061857]
FOX_FIRST_BAND_KEYS = [3028294728347094234, 6517739443485981211]


def test_signature_is_a_fixed_stable_hash():
    fox = fingerprint("The quick brown fox jumps over the lazy dog")
    assert fox.signature[:4] == FOX_SIGNATURE_HEAD
    assert fox.band_keys[:2] == FOX_FIRST_BAND_KEYS


def test_signature_is_the_same_in_another_process():
    code = (
        "from contributions.fingerprints import fingerprint; "
        "f = fingerprint('The quick brown fox jumps over the lazy dog'); print(f.signature[:4], f.band_keys[:2])"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"{FOX_SIGNATURE_HEAD} {FOX_FIRST_BAND_KEYS}"


def test_signature_argument_checks():
    with pytest.raises(ValueError):
        band_keys(fingerprint(FOX).signature, bands=5)
    with pytest.raises(ValueError):
        estimate_similarity(signature({"a"}, bins=64), signature({"a"}, bins=32))
