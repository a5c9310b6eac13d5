"""The text of one demo article (title, standfirst, HTML body), drawn from the demo's words."""

import random
from html import escape  # the standard library's: much faster than Django's lazy-aware one

from django.utils.text import slugify

from .words import (
    ADJECTIVES,
    CATEGORIES,
    COMPANIES,
    HEADINGS,
    LINKS,
    LIST_ITEMS,
    PEOPLE,
    QUOTES,
    REVIEW_TITLE_TEMPLATES,
    SENTENCES,
    STANDFIRST_TEMPLATES,
    TITLE_TEMPLATES,
)


class ArticleWriter:
    """Deterministic text for one article, drawn from its own random generator.

    Each article has its own generator (seeded with the seed and the article's
    number), so article 7 is the same whether 10 or 10,000 articles are seeded.
    """

    def __init__(self, seed, number):
        self.number = number
        self.rng = random.Random(f"{seed}:{number}")
        self.category_slug = self.rng.choice(list(CATEGORIES))
        self.thing = self.rng.choice(CATEGORIES[self.category_slug][3])
        self.company = self.rng.choice(COMPANIES)

    def fill(self, template, **extra):
        """`template` with its placeholders replaced by this article's words."""
        people, adjective = self.rng.choice(PEOPLE), self.rng.choice(ADJECTIVES)
        return template.format(
            thing=self.thing,
            company=self.rng.choice([self.company, *COMPANIES]),
            number=self.rng.randint(2, 48),
            adjective=adjective,
            a_adjective=("an " if adjective[0] in "aeiou" else "a ") + adjective,
            people=people,
            people_cap=people[0].upper() + people[1:],
            **extra,
        )

    def title(self):
        templates = REVIEW_TITLE_TEMPLATES if self.category_slug == "reviews" else TITLE_TEMPLATES
        title = self.fill(self.rng.choice(templates))
        return title[0].upper() + title[1:]

    def standfirst(self):
        return self.fill(self.rng.choice(STANDFIRST_TEMPLATES))

    def paragraph(self, link=False):
        sentences = [escape(self.fill(s)) for s in self.rng.sample(SENTENCES, self.rng.randint(3, 6))]
        if link:
            url, text = self.rng.choice(LINKS)
            href = self.fill(url, slug=slugify(self.thing))
            sentences.insert(
                self.rng.randrange(len(sentences) + 1),
                f'See <a href="{escape(href)}">{escape(self.fill(text))}</a> for more.',
            )
        return f"<p>{' '.join(sentences)}</p>"

    def body(self):
        """Several paragraphs under h2 headings, with a list, a blockquote and a few links."""
        sections = self.rng.randint(2, 4) + (3 if self.rng.random() < 0.1 else 0)  # some long reads
        headings = self.rng.sample(HEADINGS, sections)
        list_section, quote_section = self.rng.randrange(sections), self.rng.randrange(sections)
        link_budget = self.rng.randint(2, 4)
        parts = [self.paragraph(link=True)]
        link_budget -= 1
        for index, heading in enumerate(headings):
            parts.append(f"<h2>{escape(heading)}</h2>")
            for _ in range(self.rng.randint(1, 3)):
                link = link_budget > 0 and self.rng.random() < 0.4
                link_budget -= link
                parts.append(self.paragraph(link=link))
            if index == list_section:
                items = self.rng.sample(LIST_ITEMS, self.rng.randint(3, 5))
                parts.append("<ul>" + "".join(f"<li>{escape(self.fill(i))}</li>" for i in items) + "</ul>")
            if index == quote_section:
                quote = escape(self.fill(self.rng.choice(QUOTES)))
                parts.append(f"<blockquote><p>{quote}</p></blockquote>")
        parts.append(self.paragraph(link=link_budget > 0))
        return "".join(parts)
