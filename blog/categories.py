"""Which category a piece of writing belongs in: a small score, for the guest posts an editor accepts.

`best(text, tag_names, profiles)` weighs each category's own words (its name and slug) and the tags its
articles carry against the piece's suggested tags and its text, and names the one category that scores
highest. No match, or a tie at the top, gives None: the editor chooses. Pure: the queryset method
`Category.objects.suggest_for` (blog/models.py) reads the profiles from the database.

Points, per category:
- its name (or slug) is one of the suggested tags: 6; it appears in the text: 3;
- each word of a name of several words, as a suggested tag: 2; in the text: 1;
- each tag its articles carry, as a suggested tag: 2, in the text: 1, times that category's share of the
  articles with the tag (a tag used everywhere says little about where a piece belongs).
A category needs at least 1 point.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

MIN_SCORE = 1.0
_STOP_WORDS = frozenset({"and", "the", "for", "with", "from", "news", "of", "in", "on", "a", "an", "to", "et", "und"})


def words(text: str) -> list:
    """The words of `text`, compared without case or accents' compatibility forms: "Solid-State" is solid, state."""
    return re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text or "").casefold())


def phrase(text: str) -> str:
    return " ".join(words(text))


@dataclass
class Profile:
    """What a category is known by: its name and slug, and the tags of its articles ({tag name: articles})."""

    key: object
    names: tuple = ()
    tags: Counter = field(default_factory=Counter)


def scores(text: str, tag_names, profiles) -> dict:
    """{profile key: points} (see the module's doc)."""
    in_text = f" {phrase(text)} "
    suggested = {phrase(name) for name in tag_names} - {""}
    tag_totals = Counter()
    for profile in profiles:
        for name, count in profile.tags.items():
            tag_totals[phrase(name)] += count

    def found(words_, as_tag, in_body):
        if words_ in suggested:
            return as_tag
        return in_body if f" {words_} " in in_text else 0

    result = {}
    for profile in profiles:
        points = 0.0
        names = {phrase(name) for name in profile.names} - {""}
        for name in names:
            points += found(name, 6, 3)
        parts = {word for name in names if " " in name for word in name.split()} - _STOP_WORDS - names
        for word in parts:
            if len(word) > 2:
                points += found(word, 2, 1)
        tags = Counter()
        for name, count in profile.tags.items():
            tags[phrase(name)] += count
        for name, count in tags.items():
            if name and name not in names:
                points += found(name, 2, 1) * count / tag_totals[name]
        result[profile.key] = round(points, 6)
    return result


def best(text: str, tag_names, profiles):
    """The key of the one best-scoring profile, or None (no match, or a tie at the top)."""
    result = scores(text, tag_names, profiles)
    top = max(result.values(), default=0)
    if top < MIN_SCORE:
        return None
    winners = [key for key, points in result.items() if points == top]
    return winners[0] if len(winners) == 1 else None
