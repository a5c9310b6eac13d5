"""Full-text search over live articles, ranked, with highlighted snippets, on both databases.

- PostgreSQL: a stored generated `tsvector` column on blog_article (title weighted A,
  standfirst B, body C) with a GIN index; `websearch_to_tsquery` (quotes, `-word`, `or`),
  `ts_rank_cd`, and `ts_headline` for snippets.
- SQLite: an FTS5 table over the same three columns, kept in sync by triggers, with the
  porter stemmer for English; `bm25` with the same weights, and `snippet`.

Both index `Article.body_text` (the body as plain text, kept by `Article.save`). The index
is created or repaired after every `migrate` (`ensure_index`, from a post_migrate signal),
because SQLite's schema editor rebuilds tables on some ALTERs and drops their triggers; a
change of BYLINE_SEARCH_LANGUAGE takes effect there too, or with `rebuild_search_index`.

`search(query)` returns a lazy `SearchResults` that Django's Paginator pages: one count
query, one query for the page's ids, ranks and snippets, one to load those articles.
"""

import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core import cachetags
from pagecache import cache as pages

from .models import Article

MAX_TERMS = 12
WEIGHTS = (10.0, 4.0, 1.0)  # title, standfirst, body (SQLite's bm25; PostgreSQL weighs A, B, C)
# Snippet markers, replaced by <mark> after escaping: private-use characters, which no text
# contains (ts_headline ignores control characters as markers). PostgreSQL's headline parser
# would also drop anything that looks like a tag, so < and > travel as private-use characters.
_START, _STOP, _LT, _GT = "\ue000", "\ue001", "\ue002", "\ue003"
_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')


def language():
    return settings.BYLINE_SEARCH_LANGUAGE


# --- the query -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase
    exclude: bool = False


def parse(query):
    """The user's query as terms: words, "quoted phrases" and -excluded words; anything else ignored.

    Only word characters survive, so nothing the user types reaches a query language unquoted.
    """
    terms = []
    for negated, phrase, bare in _TOKEN.findall(query):
        exclude = bool(negated)
        if bare:
            exclude = bare.startswith("-") and len(bare) > 1
            if bare.lower() == "or":
                continue  # both engines need every word here; "or" would only widen the search
            phrase = bare
        words = tuple(w.lower() for w in _WORD.findall(phrase))
        if words:
            terms.append(Term(words, exclude))
        if len(terms) == MAX_TERMS:
            break
    if terms and all(t.exclude for t in terms):
        return []  # nothing to look for, only things to leave out
    return terms


def _fts5_query(terms):
    parts = []
    for term in terms:
        quoted = '"' + " ".join(term.words) + '"'
        parts.append(f"NOT {quoted}" if term.exclude else quoted)
    # FTS5's NOT is binary (a NOT b), never first: exclusions go last.
    parts.sort(key=lambda p: p.startswith("NOT "))
    return " ".join(parts)


def _websearch_query(terms):
    parts = []
    for term in terms:
        text = '"' + " ".join(term.words) + '"' if len(term.words) > 1 else term.words[0]
        parts.append(f"-{text}" if term.exclude else text)
    return " ".join(parts)


# --- results ---------------------------------------------------------------------------------------------


def _highlight(text):
    text = (text or "").replace(_LT, "<").replace(_GT, ">")
    return mark_safe(escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>"))


class SearchResults:
    """Live articles matching a query, best first; sliced by the Paginator (lazy).

    Only the `limit` most recently added matches (BYLINE_SEARCH_MAX_RESULTS) are ranked and
    counted: the window of candidates is read newest first from the index and stops there, so a
    common word costs the same at 100,000 articles as at 1,000 (ranking every match of "battery"
    made search cost grow with the archive). `more` says that there were more matches. The
    window and each page's ranked rows are remembered (pagecache.remember) until a live article
    changes.
    """

    def __init__(self, query, limit=None):
        self.terms = parse(query)
        self.limit = limit or settings.BYLINE_SEARCH_MAX_RESULTS
        self.now = timezone.now()
        self._window = None
        self._span = 0

    def window(self):
        """The ids of the newest live matches, newest first: at most limit + 1 (one more tells `more`)."""
        if self._window is None:
            if self.terms:
                # Remembered until a live article changes (LIST, blog/invalidation.py): a query
                # that many readers send (a story's name) is worked out once.
                (self._window, self._span), _tags = pages.remember(
                    self._memo_key("window"), lambda: (self._run_window(), [cachetags.LIST])
                )
            else:
                self._window = []
        return self._window

    def _memo_key(self, part):
        terms = repr([(term.words, term.exclude) for term in self.terms])
        digest = hashlib.sha256(f"{language()}|{self.limit}|{terms}".encode()).hexdigest()[:32]
        return f"search:{digest}:{part}"

    def count(self):
        return min(len(self.window()), self.limit)

    @property
    def more(self):
        return len(self.window()) > self.limit

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        if stop is None:
            stop = self.count()
        if not self.terms or stop <= start or not self.count():
            return []
        oldest = self.window()[self.count() - 1]
        rows, _tags = pages.remember(
            self._memo_key(f"{start}:{stop}"), lambda: (self._run_page(oldest, start, stop - start), [cachetags.LIST])
        )
        # Without those withdrawn since the rows were worked out.
        page = Article.objects.live_in_order([pk for pk, _rank, _snippet in rows])
        found = {pk: (rank, snippet) for pk, rank, snippet in rows}
        for article in page:
            rank, snippet = found[article.pk]
            article.search_rank = rank
            article.search_snippet = _highlight(snippet)
        return page

    def _execute(self, sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _run_window(self):
        wanted = self.limit + 1
        if connection.vendor == "postgresql":
            sql = f"SELECT a.id FROM blog_article a, {_PG_QUERY} WHERE {_PG_WHERE} ORDER BY a.id DESC LIMIT %s"
            rows = self._execute(sql, [language(), _websearch_query(self.terms), self.now, wanted])
            return [pk for (pk,) in rows], len(rows)
        # FTS5 reads its matches newest first (ORDER BY rowid DESC) and stops at the LIMIT; the
        # ones that are not live (drafts, the scheduled: often the newest) are left out here.
        # When too many were, ask for more.
        sql = f"""
            SELECT f.rowid, {_SQLITE_LIVE} FROM (
                SELECT rowid FROM blog_article_fts WHERE blog_article_fts MATCH %s ORDER BY rowid DESC LIMIT %s
            ) f JOIN blog_article a ON a.id = f.rowid
            ORDER BY f.rowid DESC
        """
        asked = wanted + wanted // 4
        while True:
            rows = self._execute(sql, [self.now, _fts5_query(self.terms), asked])
            live = [pk for pk, is_live in rows if is_live]
            if len(live) >= wanted or len(rows) < asked:
                live = live[:wanted]
                # Index rows from the newest to the window's oldest, live or not: what the
                # ranking query reads at most.
                span = next(n for n, (pk, _) in enumerate(rows, 1) if pk == live[-1]) if live else 0
                return live, span
            asked *= 2

    def _run_page(self, oldest, offset, limit):
        """(id, rank, snippet) of the window's matches ranked offset to offset + limit."""
        if connection.vendor == "postgresql":
            sql = f"""
                SELECT page.id, page.rank,
                       ts_headline(%s::regconfig, translate(a.body_text, '<>', %s), page.q, %s)
                FROM (
                    SELECT a.id, ts_rank_cd(a.search_vector, q, 1) AS rank, q, a.published_at
                    FROM blog_article a, {_PG_QUERY}
                    WHERE {_PG_WHERE} AND a.id >= %s
                    ORDER BY rank DESC, a.published_at DESC, a.id DESC
                    LIMIT %s OFFSET %s
                ) page JOIN blog_article a ON a.id = page.id
                ORDER BY page.rank DESC, page.published_at DESC, page.id DESC
            """
            options = (
                f'StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
            )
            params = [language(), _LT + _GT, options, language(), _websearch_query(self.terms), self.now, oldest]
            return self._execute(sql, params + [limit, offset])
        # FTS5 ranks inside its index ("ORDER BY rank" with the bm25 weights set on the table),
        # over the window only (rowid >= its oldest), and stops after `wanted` rows, whose
        # snippets alone are made; only those are joined to filter what is not live. When too
        # few of them are live, ask for more.
        sql = f"""
            SELECT f.rowid, f.rank, f.snippet FROM (
                SELECT rowid, rank, snippet(blog_article_fts, 2, %s, %s, ' … ', 24) AS snippet
                FROM blog_article_fts WHERE blog_article_fts MATCH %s AND rowid >= %s ORDER BY rank LIMIT %s
            ) f JOIN blog_article a ON a.id = f.rowid
            WHERE {_SQLITE_LIVE}
            ORDER BY f.rank, a.published_at DESC, a.id DESC
        """
        wanted = offset + limit + max(limit, 20)
        while True:
            rows = self._execute(sql, [_START, _STOP, _fts5_query(self.terms), oldest, wanted, self.now])
            if len(rows) >= offset + limit or wanted >= self._span:
                return rows[offset : offset + limit]
            wanted *= 2


_PUBLISHED = Article.Status.PUBLISHED.value
_PG_QUERY = "websearch_to_tsquery(%s::regconfig, %s) q"
_PG_WHERE = f"a.search_vector @@ q AND a.status = '{_PUBLISHED}' AND a.published_at <= %s"
_SQLITE_LIVE = f"a.status = '{_PUBLISHED}' AND a.published_at <= %s"


def search(query):
    """Live articles matching `query` (words, "phrases", -exclusions), best first: a SearchResults."""
    return SearchResults(query)


# --- the index -------------------------------------------------------------------------------------------


def _sqlite_tokenizer():
    # The porter stemmer only knows English; other languages get plain Unicode words.
    return "porter unicode61 remove_diacritics 2" if language() == "english" else "unicode61 remove_diacritics 2"


_SQLITE_TRIGGERS = {
    "blog_article_fts_ai": """
        CREATE TRIGGER blog_article_fts_ai AFTER INSERT ON blog_article BEGIN
          INSERT INTO blog_article_fts(rowid, title, standfirst, body_text)
          VALUES (new.id, new.title, new.standfirst, new.body_text);
        END""",
    "blog_article_fts_ad": """
        CREATE TRIGGER blog_article_fts_ad AFTER DELETE ON blog_article BEGIN
          INSERT INTO blog_article_fts(blog_article_fts, rowid, title, standfirst, body_text)
          VALUES ('delete', old.id, old.title, old.standfirst, old.body_text);
        END""",
    "blog_article_fts_au": """
        CREATE TRIGGER blog_article_fts_au AFTER UPDATE OF title, standfirst, body_text ON blog_article BEGIN
          INSERT INTO blog_article_fts(blog_article_fts, rowid, title, standfirst, body_text)
          VALUES ('delete', old.id, old.title, old.standfirst, old.body_text);
          INSERT INTO blog_article_fts(rowid, title, standfirst, body_text)
          VALUES (new.id, new.title, new.standfirst, new.body_text);
        END""",
}


def _pg_expression(config):
    # PostgreSQL's parser reads "<script>" in text as the start of a script block and skips the
    # rest: < and > are indexed as spaces.
    def vector(column, weight):
        text = f"translate(coalesce({column}, ''), '<>', '  ')"
        return f"setweight(to_tsvector('{config}'::regconfig, {text}), '{weight}')"

    return " || ".join([vector("title", "A"), vector("standfirst", "B"), vector("body_text", "C")])


@transaction.atomic
def ensure_index(using=None, *, force=False):
    """Create the search index if it is missing or built for another language; rebuild it when `force`.

    Returns what was done ("created", "rebuilt" or "" when it was already in place).
    """
    from django.db import connections

    conn = connections[using or "default"]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            return _ensure_postgresql(cursor, force)
        if conn.vendor == "sqlite":
            return _ensure_sqlite(cursor, force)
    return ""


def _ensure_postgresql(cursor, force):
    config = language()
    cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [config])
    if cursor.fetchone() is None:
        raise ValueError(f"BYLINE_SEARCH_LANGUAGE={config!r} is not a PostgreSQL text search configuration.")
    cursor.execute(
        "SELECT generation_expression FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = 'blog_article' AND column_name = 'search_vector'"
    )
    row = cursor.fetchone()
    current = row[0] if row is not None else ""
    if not force and f"'{config}'::regconfig" in current and "translate(" in current:
        return ""
    # Deferred foreign-key checks of this transaction must run before the table can be altered.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    if row is not None:
        cursor.execute("ALTER TABLE blog_article DROP COLUMN search_vector")
    expression = _pg_expression(config)
    cursor.execute(
        f"ALTER TABLE blog_article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}) STORED"
    )
    cursor.execute("CREATE INDEX blog_article_search_idx ON blog_article USING gin (search_vector)")
    return "rebuilt" if row is not None else "created"


def _ensure_sqlite(cursor, force):
    cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'blog_article_fts'")
    row = cursor.fetchone()
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'blog_article_fts_%'")
    triggers = {name for (name,) in cursor.fetchall()}
    tokenizer = _sqlite_tokenizer()
    rank = "bm25({}, {}, {})".format(*WEIGHTS)
    if row is not None and not force and f"tokenize='{tokenizer}'" in row[0] and triggers == set(_SQLITE_TRIGGERS):
        cursor.execute("SELECT v FROM blog_article_fts_config WHERE k = 'rank'")
        if (cursor.fetchone() or [None])[0] != rank:
            cursor.execute("INSERT INTO blog_article_fts(blog_article_fts, rank) VALUES ('rank', %s)", [rank])
        return ""
    cursor.execute("DROP TABLE IF EXISTS blog_article_fts")
    for name in _SQLITE_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    cursor.execute(
        "CREATE VIRTUAL TABLE blog_article_fts USING fts5("
        "title, standfirst, body_text, content='blog_article', content_rowid='id', "
        f"tokenize='{tokenizer}')"
    )
    for sql in _SQLITE_TRIGGERS.values():
        cursor.execute(sql)
    # "ORDER BY rank" then ranks with these weights inside FTS5 (title, standfirst, body).
    cursor.execute("INSERT INTO blog_article_fts(blog_article_fts, rank) VALUES ('rank', %s)", [rank])
    cursor.execute("INSERT INTO blog_article_fts(blog_article_fts) VALUES ('rebuild')")
    return "rebuilt" if row is not None else "created"
