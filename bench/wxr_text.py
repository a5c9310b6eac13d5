"""The words of the WordPress export: its vocabulary and names, and Text, which draws titles,
sentences, paragraphs and classic-editor bodies (links, captions, shortcodes, the odd code sample
holding "]]>", a few block-editor posts) from the export's random generator."""

import re

from bench.wxr_format import UPLOADS, esc

WORDS = """
the of and to in a is that for on with as was by at from it be this are have has had not but or
which an their were been more its one they who will would about after new also people than into
year years first two last over said time government city council minister report police court
market prices energy water school hospital plan week public local state national council's
village river station budget election vote votes campaign policy health workers union strike
company companies bank rates growth climate weather storm summer winter football club season
match players coach festival museum gallery film music book author theatre science study
researchers data network software phone app users privacy security road rail bus airport train
housing rent homes families children students teachers university farmers food price shop
street centre north south east west morning evening night yesterday today tomorrow later early
small large long short high low open closed free local regional european global independent
""".split()
WORDS_UNICODE = ["café", "naïve", "Zürich", "São Paulo", "Kraków", "Malmö", "Reykjavík", "Québec", "€12m", "façade",
                 "résumé", "Łódź", "Dvořák", "smörgåsbord", "Ångström", "jalapeño", "über", "Ελλάδα", "Москва",
                 "東京", "北京", "مرحبا", "שלום", "—", "…", "½"]  # fmt: skip
PLACES = ["Leeds", "Bristol", "Zürich", "São Paulo", "Kraków", "Malmö", "Reykjavík", "Québec", "Łódź", "Cork",
          "Lyon", "Porto", "Gdańsk", "Tromsø", "Málaga", "Bergen", "東京", "Thessaloniki"]  # fmt: skip
ADJECTIVES = ["New", "Old", "Quiet", "Record", "Late", "Hidden", "Surprise", "Local", "Rising", "Falling",
              "Bold", "Second", "Final", "Long-awaited", "Controversial", "Free", "Small", "Big"]  # fmt: skip
NOUNS = ["council", "budget", "bridge", "festival", "election", "storm", "market", "school", "museum", "league",
         "strike", "rail line", "harbour", "library", "startup", "vaccine", "heatwave", "derby", "report",
         "tram"]  # fmt: skip
VERBS = ["approves", "rejects", "delays", "opens", "closes", "wins", "loses", "faces", "plans", "backs",
         "cancels", "revives", "questions", "celebrates", "reveals"]  # fmt: skip
FIRST_NAMES = ["Anna", "Ben", "Chloé", "Dawid", "Eilidh", "Farah", "Gustav", "Hélène", "Ines", "Jakub", "Kofi",
               "Lena", "Mateo", "Nora", "Oğuz", "Priya", "Quentin", "Rosa", "Søren", "Tomás", "Úna", "Vera",
               "Wiktor", "Xiu", "Yusuf", "Zoë"]  # fmt: skip
LAST_NAMES = ["Andersen", "Brennan", "Castro", "Dąbrowski", "Eriksson", "Fischer", "García", "Hughes", "Ivanova",
              "Jónsson", "Kowalski", "Lefèvre", "Müller", "Nakamura", "O'Brien", "Petrović", "Quinn", "Rossi",
              "Sørensen", "Takahashi", "Ulloa", "Virtanen", "Wiśniewska", "Yılmaz", "Żak"]  # fmt: skip
EXTERNAL = ["https://www.example.org/report.pdf", "https://en.wikipedia.org/wiki/Zürich", "https://example.net/a?b=1&c=2",
            "http://www.example.com/old-page.html", "https://twitter.com/example/status/123456789"]  # fmt: skip


class Text:
    """The text of one export, drawn from its random generator `rng`: links go to the posts in
    `recent_posts` ((id, permalink), the latest written) or elsewhere; `summary` counts the captions."""

    def __init__(self, rng, recent_posts, summary):
        self.rng = rng
        self.recent_posts = recent_posts
        self.summary = summary

    def words(self, n):
        words = self.rng.choices(WORDS, k=n)
        if self.rng.random() < 0.2:
            words[self.rng.randrange(n)] = self.rng.choice(WORDS_UNICODE)
        return words

    def sentence(self):
        words = self.words(self.rng.randint(6, 18))
        words[0] = words[0][:1].upper() + words[0][1:]
        end = self.rng.choices([".", "?", "!", "…", ":"], weights=[85, 5, 3, 4, 3])[0]
        return " ".join(words) + end

    def link(self):
        if self.recent_posts and self.rng.random() < 0.6:
            _, url = self.rng.choice(self.recent_posts)
        else:
            url = self.rng.choice(EXTERNAL)
        return f'<a href="{esc(url)}">{" ".join(self.words(self.rng.randint(1, 4)))}</a>'

    def paragraph(self):
        parts = [self.sentence() for _ in range(self.rng.randint(2, 5))]
        roll = self.rng.random()
        if roll < 0.3:
            parts.insert(self.rng.randrange(len(parts) + 1), self.link())
        elif roll < 0.4:
            parts.insert(1, f"<strong>{self.sentence()}</strong>")
        elif roll < 0.48:
            parts.insert(1, f"<em>{self.sentence()}</em>")
        elif roll < 0.5:
            parts.append("🎉")
        elif roll < 0.53:
            parts.insert(1, "“Quoted”&nbsp;—&nbsp;said someone.")
        text = " ".join(parts)
        if self.rng.random() < 0.05:
            text = text.replace(". ", ".\n", 1)  # a single newline: WordPress makes it a <br />
        return text

    def caption(self, attachment):
        att_id, path, width, height = attachment
        alt = " ".join(self.words(3))
        self.summary["captions"] += 1
        return (
            f'[caption id="attachment_{att_id}" align="aligncenter" width="{width}"]'
            f'<img class="size-full wp-image-{att_id}" src="{UPLOADS}/{path}" alt="{esc(alt)}" '
            f'width="{width}" height="{height}" /> {self.sentence()}[/caption]'
        )

    def body(self, attachments, block_editor=False):
        paragraphs = [self.paragraph() for _ in range(self.rng.randint(2, 6))]
        extras = []
        if attachments and self.rng.random() < 0.25:
            extras.append(self.caption(self.rng.choice(attachments)))
        if attachments and self.rng.random() < 0.05:
            att_id, path, width, height = self.rng.choice(attachments)
            small = re.sub(r"(\.\w+)$", rf"-300x{round(300 * height / width)}\1", path)  # an intermediate size
            extras.append(
                f'<img class="alignright size-medium wp-image-{att_id}" src="{UPLOADS}/{small}" alt="" '
                f'width="300" height="{round(300 * height / width)}" />{self.sentence()}'
            )
        if attachments and self.rng.random() < 0.05:
            ids = ",".join(str(a[0]) for a in self.rng.sample(attachments, min(len(attachments), 3)))
            extras.append(f'[gallery ids="{ids}" columns="3" link="file"]')
        if self.rng.random() < 0.04:
            extras.append(f"[embed]https://www.youtube.com/watch?v={self.rng.randrange(10**9):x}[/embed]")
        if self.rng.random() < 0.03:
            extras.append(f"https://vimeo.com/{self.rng.randrange(10**8)}")  # a bare URL: oEmbed
        if self.rng.random() < 0.02:
            extras.append('[contact-form-7 id="123" title="Contact form 1"]')
        if self.rng.random() < 0.1:
            extras.append(f"<h2>{self.sentence().rstrip('.')}</h2>")
        if self.rng.random() < 0.08:
            items = "\n".join(f"\t<li>{self.sentence()}</li>" for _ in range(self.rng.randint(2, 4)))
            extras.append(f"<ul>\n{items}\n</ul>")
        if self.rng.random() < 0.05:
            extras.append(f"<blockquote>{self.sentence()}</blockquote>")
        if self.rng.random() < 0.005:
            extras.append("<pre><code>if (grid[row[0]]>limit) {\n    return &amp;cells[0];\n}</code></pre>")
        for extra in extras:
            paragraphs.insert(self.rng.randrange(len(paragraphs) + 1), extra)
        if block_editor:
            return "\n\n".join(
                f"<!-- wp:paragraph -->\n<p>{p}</p>\n<!-- /wp:paragraph -->"
                if not p.startswith(("<", "["))
                else f"<!-- wp:html -->\n{p}\n<!-- /wp:html -->"
                for p in paragraphs
            )
        return "\n\n".join(paragraphs)

    def title(self):
        rng = self.rng
        adjective, noun, verb, other = (rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(VERBS), rng.choice(NOUNS))
        place = rng.choice(PLACES)
        return rng.choice(
            [
                f"{adjective} {noun} {verb} {other} in {place}",
                f"{place}: {noun} {verb} {adjective.lower()} {other}",
                f"Q&amp;A: why the {noun} {verb} the {other}",  # WordPress stores a title's & as &amp;
                f"“{adjective} {noun}” — {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} on {other}s",
                f"{rng.randint(3, 12)} things about the {noun} in {place} ({rng.randint(2009, 2026)})",
                f"{adjective} {noun} {verb} {other}",
            ]
        )
