"""The PostgreSQL implementation of ``SearchBackend`` (``XASO_SEARCH_BACKEND=postgresql``).

One row per document in ``search_entries`` and one ``tsvector`` per row, ``terms``,
holding the same terms as the Whoosh index (``search.schema``), computed by the same
Python analysis (``search.analysis``) so that both engines read a text alike:

* folded words ("quyet", "dinh"; đ→d, leading zeros of numbers dropped), with their
  positions (for quoted phrases: ``<->``) and a weight per part of the document
  (subject A, number/symbol B, sender C, content D; the parts are 64 positions apart,
  so that no phrase spans two of them);
* the same words as written when they carry diacritics ("quyết"), same positions:
  an exact-diacritic match lifts a document one tier, as in Whoosh;
* folded word pairs ("~quyet dinh") and the whole number/symbol ("#5/qd-ubnd"),
  without positions, marked so that no word prefix (``'hie':*``) reaches them: a
  lexeme without positions that a phrase's prefix matches makes the phrase fail.

Folding in Python and not with PostgreSQL's ``unaccent`` + text parser: the parser
cuts "05/QĐ-UBND" into a file path, keeps "05" and "5" apart and drops the pairs, so
the two engines would disagree on what a query finds; the extension is not needed.

``search_terms`` is the dictionary (folded and accented words, each with the number
of documents holding it), kept up to date by every write: the query side asks it for
what Whoosh's lexicon answers (is this a word of the index, the most frequent words
starting with what is being typed, the words one edit away), so that Telex, the word
being typed and typos behave as they do with Whoosh (``search.querying``).

A query: the Whoosh plan (``search.querying.build_plan``) turned into a ``tsquery``
matched through the GIN index, the organisation, the ACL (``acl && principals``, GIN
too) and the filters in the WHERE clause, the tiers and ``ts_rank`` in the ORDER BY.
Its work is bounded, whatever the number of matches: the matches are first estimated
from a sample of about SAMPLE_ROWS rows, and counted exactly (a scan stopping at
CANDIDATES + 1) unless the estimate is clearly larger. Up to CANDIDATES matches, all
are ranked and the total is exact (no phrase-check budget as in Whoosh). Beyond, only
the newest CANDIDATES (a walk down the date index, or for rarer matches a bitmap
scan) are ranked and make the first pages; the other matches follow by date; the
total is the estimate, rounded to two significant digits. Snippets are made by
``search.highlight`` on the stored text, as with Whoosh.

Writes take a transaction-level advisory lock, so writers queue as they do on
Whoosh's file lock; ``rebuild`` replaces every row in one transaction: searches see
the old index until it commits.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from search.analysis import SYMBOL_RE, TOKEN_RE, bigrams, fold, nfc, normalize_symbol, prepare, token_views
from search.backend import Hit, IndexedDoc, ProgressFn, SearchBackend, SearchQuery, SearchResults, unique_batches
from search.engine import COMPLETION_CANDIDATES, Plan, _distance, _edits1
from search.highlight import mark, snippets
from search.querying import FEW_RESULTS, build_plan, last_word
from search.schema import date_key
from search.telex import decode as telex_decode

# A query matching more than CANDIDATES documents ranks only the newest CANDIDATES of
# them (the others follow by date) and its total is estimated from a sample of about
# SAMPLE_ROWS rows: the work no longer grows with the number of matches.
CANDIDATES = 1_000
SAMPLE_ROWS = 2_000
# An estimate above SURELY_MANY × CANDIDATES is trusted without counting.
SURELY_MANY = 3
BATCH_DOCS = 1_000
# The tables this engine owns (created by migration 0021, filled and rebuilt here, not
# ORM models): schema comparisons and `db migrate` leave them alone (``not_a_model``).
TABLES = frozenset({"search_entries", "search_entries_next", "search_terms"})
# pg_advisory_xact_lock key of the index writers ("xaso" in ASCII).
WRITE_LOCK = 0x7861736F
# tsvector limits: positions up to 16383, 256 per lexeme, lexemes < 2 KB, 1 MB in all.
MAX_POS = 16_383
MAX_POSITIONS = 255
MAX_LEXEME_BYTES = 1_000
TSVECTOR_BUDGET = 900_000
PART_GAP = 64
PARTS = (("subject", "A"), ("number_symbol", "B"), ("sender", "C"), ("content", "D"))
_WORD_RE = re.compile(r"\w+")
_TOP = "\U0010ffff"  # above every character: "p" ≤ term < "p" + _TOP is a prefix scan
# Lexeme marks of the fields without positions (words have none).
PAIR = "~"
SYMBOL = "#"
MARKS = {"b": PAIR, "n": SYMBOL}

# The schema (a frozen copy lives in the migration 0021_search_postgres).
SCHEMA_SQL = (
    """CREATE TABLE IF NOT EXISTS search_entries (
        id text PRIMARY KEY,
        org_id integer NOT NULL,
        direction text NOT NULL,
        doc_type text NOT NULL,
        year integer NOT NULL,
        unit text,
        status text NOT NULL,
        date_key bigint NOT NULL,
        date_iso text NOT NULL,
        number_symbol text NOT NULL,
        subject text NOT NULL,
        sender text NOT NULL,
        content text NOT NULL,
        acl text[] NOT NULL,
        text_searchable boolean NOT NULL,
        terms tsvector NOT NULL)""",
    # Rows up to a page stay whole, the tsvector uncompressed: a query reads it once per
    # reference (match, rank, tiers) and would otherwise fetch and inflate it each time.
    "ALTER TABLE search_entries SET (toast_tuple_target = 8160)",
    "ALTER TABLE search_entries ALTER COLUMN terms SET STORAGE EXTERNAL",
    "CREATE INDEX IF NOT EXISTS ix_search_entries_terms ON search_entries USING gin (terms)",
    "CREATE INDEX IF NOT EXISTS ix_search_entries_acl ON search_entries USING gin (acl)",
    "CREATE INDEX IF NOT EXISTS ix_search_entries_org_date ON search_entries (org_id, date_key)",
    """CREATE TABLE IF NOT EXISTS search_terms (
        field char(1) NOT NULL,
        term text COLLATE "C" NOT NULL,
        folded text COLLATE "C" NOT NULL,
        df integer NOT NULL,
        PRIMARY KEY (field, term))""",
    "CREATE INDEX IF NOT EXISTS ix_search_terms_folded ON search_terms (field, folded)",
)
COLUMNS = (
    "id",
    "org_id",
    "direction",
    "doc_type",
    "year",
    "unit",
    "status",
    "date_key",
    "date_iso",
    "number_symbol",
    "subject",
    "sender",
    "content",
    "acl",
    "text_searchable",
    "terms",
)


def create_schema(engine: sa.Engine) -> None:
    """The tables and indexes (what the migration creates), for tests and benchmarks."""
    with engine.begin() as conn:
        for statement in SCHEMA_SQL:
            conn.exec_driver_sql(statement)


# --- documents → rows ------------------------------------------------------------------


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(doc: IndexedDoc) -> tuple[str, Counter[tuple[str, str]]]:
    """The ``terms`` of a document as tsvector input, and its dictionary words
    (("f" | "x", word) → 1). Lexemes need no escaping: words are ``\\w+`` runs, pairs
    two words and a space, symbols letters, digits and ``/-.``."""
    folded_at: dict[str, list[str]] = {}
    exact_at: dict[str, list[str]] = {}
    pairs: dict[str, None] = {}
    base = 0
    for name, weight in PARTS:
        text = nfc(getattr(doc, name) or "")
        if not text:
            continue
        raw, folded = token_views(text, is_nfc=True)
        labels = [f"{min(MAX_POS, p)}{weight}" for p in range(base + 1, base + len(raw) + 1)]
        for f, label in zip(folded, labels, strict=True):
            at = folded_at.get(f)
            if at is None:
                folded_at[f] = [label]
            else:
                at.append(label)
        for r, f, label in zip(raw, folded, labels, strict=True):
            if r != f:
                at = exact_at.get(r)
                if at is None:
                    exact_at[r] = [label]
                else:
                    at.append(label)
        pairs.update(dict.fromkeys(PAIR + b for b in bigrams(folded)))
        base = min(MAX_POS, base + len(raw) + PART_GAP)
    for sym in SYMBOL_RE.findall(nfc(doc.number_symbol or "").lower()):
        pairs[SYMBOL + normalize_symbol(sym)] = None
    words: Counter[tuple[str, str]] = Counter()
    out: list[str] = []
    for field_, table in (("f", folded_at), ("x", exact_at)):
        for term, at in table.items():
            if len(term) * 4 > MAX_LEXEME_BYTES and len(term.encode()) > MAX_LEXEME_BYTES:
                continue
            # tsvector input sorts positions and drops repeats (clamped ones).
            out.append(f"'{term}':{','.join(at[:MAX_POSITIONS])}")
            words[(field_, term)] = 1
    size = sum(map(len, out))
    for term in pairs:
        if size > TSVECTOR_BUDGET:
            break  # a huge text: the word pairs past the budget are left out, never its words
        if len(term) * 4 <= MAX_LEXEME_BYTES or len(term.encode()) <= MAX_LEXEME_BYTES:
            out.append(f"'{term}'")
            size += len(term) + 6
    return " ".join(out), words


def _row(doc: IndexedDoc) -> tuple[tuple[Any, ...], Counter[tuple[str, str]]]:
    terms, words = tsvector_literal(doc)
    row = (
        doc.id,
        int(doc.org_id),
        doc.direction,
        doc.doc_type,
        int(doc.year),
        None if doc.unit in (None, "") else str(doc.unit),
        doc.status,
        date_key(doc.date),
        doc.date.isoformat(),
        nfc(doc.number_symbol or ""),
        nfc(doc.subject or ""),
        nfc(doc.sender or ""),
        nfc(doc.content or ""),
        list(dict.fromkeys(doc.acl)),
        bool(doc.text_searchable),
        terms,
    )
    return row, words


def _dictionary_words(lexemes: Iterable[str]) -> Counter[tuple[str, str]]:
    """The dictionary words among a stored tsvector's lexemes (not pairs, not symbols)."""
    out: Counter[tuple[str, str]] = Counter()
    for t in lexemes:
        if _WORD_RE.fullmatch(t):
            out[("x" if fold(t) != t else "f", t)] += 1
    return out


# --- plans → SQL -------------------------------------------------------------------------


def _q(term: str, prefix: bool = False) -> str:
    return _lexeme(term) + (":*" if prefix else "")


def _field_q(fieldname: str, term: str) -> str:
    return _q(MARKS.get(fieldname, "") + term)


def _alternatives(alternatives: Sequence[Sequence[tuple[str, str]]]) -> str:
    parts = []
    for conj in alternatives:
        terms = [_field_q(f, t) for f, t in conj]
        parts.append(terms[0] if len(terms) == 1 else "(" + " & ".join(terms) + ")")
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def _any_of(terms: Iterable[tuple[str, str]]) -> str:
    return "(" + " | ".join(_field_q(f, t) for f, t in dict.fromkeys(terms)) + ")"


class _Sql:
    """A WHERE clause, its parameters, and named tsqueries."""

    def __init__(self) -> None:
        self.where: list[str] = []
        self.params: dict[str, Any] = {}

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def tsquery(self, text: str) -> str:
        return f"CAST({self.param(text)} AS tsquery)"


def _restrict(sql: _Sql, plan: Plan) -> bool:
    """The plan's restrictions as conditions; False when nothing can match."""
    for key, values in plan.restrictions:
        if key == "org":
            sql.where.append(f"org_id = {sql.param(int(values[0]))}")
        elif key == "acl":
            sql.where.append(f"acl && CAST({sql.param(list(values))} AS text[])")
        elif key == "year":
            years = [int(v) for v in values if v.lstrip("-").isdigit()]
            if not years:
                return False
            sql.where.append(f"year = ANY(CAST({sql.param(years)} AS integer[]))")
        else:  # direction, doc_type, unit, status: names checked by build_plan
            sql.where.append(f"{key} = ANY(CAST({sql.param(list(values))} AS text[]))")
    return True


def _match(sql: _Sql, plan: Plan) -> None:
    """The clauses and phrases, ANDed into one tsquery (matched through the GIN index)."""
    parts = [_alternatives(c.alternatives) for c in plan.clauses]
    for phrase in plan.phrases:
        last = len(phrase.tokens) - 1
        parts.append(
            "(" + " <-> ".join(_q(t, phrase.open_end and i == last) for i, t in enumerate(phrase.tokens)) + ")"
        )
    if parts:
        sql.where.append(f"terms @@ {sql.tsquery(' & '.join(parts))}")


class _Lexicon:
    """What ``build_plan`` needs of the dictionary, from ``search_terms``."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def has_term(self, fieldname: str, term: str) -> bool:
        return (
            self.conn.execute(
                sa.text("SELECT 1 FROM search_terms WHERE field = :f AND term = :t AND df > 0"),
                {"f": fieldname, "t": term},
            ).first()
            is not None
        )

    def terms_with_prefix(self, fieldname: str, prefix: str, limit: int) -> list[str]:
        if not prefix:
            return []
        rows = self.conn.execute(
            sa.text(
                "SELECT term FROM search_terms WHERE field = :f AND term >= :p AND term < :top AND df > 0"
                " ORDER BY df DESC, length(term), term LIMIT :n"
            ),
            {"f": fieldname, "p": prefix, "top": prefix + _TOP, "n": limit},
        )
        return [r[0] for r in rows]

    def frequencies(self, fieldname: str, starts: Iterable[str], *, folded: bool = False) -> dict[str, int]:
        """Terms starting with one of ``starts`` (``folded``: whose folded form does)."""
        column = "folded" if folded else "term"
        out: dict[str, int] = {}
        for p in dict.fromkeys(starts):
            rows = self.conn.execute(
                sa.text(
                    f"SELECT term, df FROM search_terms WHERE field = :f AND {column} >= :p"
                    f" AND {column} < :top AND df > 0 ORDER BY df DESC LIMIT :n"
                ),
                {"f": fieldname, "p": p, "top": p + _TOP, "n": COMPLETION_CANDIDATES},
            )
            out.update({t: n for t, n in rows})
        return out

    def fuzzy_terms(self, fieldname: str, word: str, max_dist: int, limit: int = 8) -> list[str]:
        """As ``search.engine.Engine.fuzzy_terms``: every neighbour one edit away, and
        (two edits) the terms sharing the word's first two letters."""
        found: dict[str, int] = dict(
            self.conn.execute(  # type: ignore[arg-type]
                sa.text("SELECT term, df FROM search_terms WHERE field = :f AND term = ANY(:c) AND df > 0"),
                {"f": fieldname, "c": sorted(_edits1(word))},
            ).all()
        )
        if max_dist >= 2 and len(word) > 2:
            for term, df in self.conn.execute(
                sa.text(
                    "SELECT term, df FROM search_terms WHERE field = :f AND term >= :p AND term < :top"
                    " AND df > 0 AND length(term) BETWEEN :lo AND :hi"
                ),
                {
                    "f": fieldname,
                    "p": word[:2],
                    "top": word[:2] + _TOP,
                    "lo": len(word) - max_dist,
                    "hi": len(word) + max_dist,
                },
            ):
                if term != word and _distance(word, term, max_dist) <= max_dist:
                    found[term] = df
        found.pop(word, None)
        return [t for t, _n in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


class PostgresBackend(SearchBackend):
    """``engine``: a SQLAlchemy engine on the app's PostgreSQL database (or its URL).
    ``root``: a folder for the app's lock files (``docmgmt.searching.indexing``)."""

    def __init__(self, engine: sa.Engine | str, *, root: str | Path | None = None) -> None:
        self._own_engine = isinstance(engine, str)
        self.engine = sa.create_engine(engine) if isinstance(engine, str) else engine
        if self.engine.dialect.name != "postgresql":
            raise ValueError("the postgresql search backend needs a PostgreSQL database")
        self.root = Path(root) if root is not None else Path(tempfile.gettempdir()) / "xaso-search"
        self.root.mkdir(parents=True, exist_ok=True)

    # -- writing ---------------------------------------------------------------------

    def _copy(self, conn: sa.Connection, rows: list[tuple[Any, ...]], table: str = "search_entries") -> None:
        """COPY with psycopg 3 (the app's driver); plain INSERTs with another driver."""
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        if not hasattr(cursor, "copy"):
            values = ", ".join(f":{c}" for c in COLUMNS).replace(":terms", "CAST(:terms AS tsvector)")
            insert = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({values})"
            conn.execute(sa.text(insert), [dict(zip(COLUMNS, row, strict=True)) for row in rows])
            return
        with cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    @staticmethod
    def _lock(conn: sa.Connection) -> None:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK})

    @staticmethod
    def _count_words(conn: sa.Connection, delta: Counter[tuple[str, str]]) -> None:
        changed = [(f, t, n) for (f, t), n in sorted(delta.items()) if n]
        if not changed:
            return
        conn.execute(
            sa.text(
                "INSERT INTO search_terms (field, term, folded, df)"
                " SELECT * FROM unnest(CAST(:f AS text[]), CAST(:t AS text[]), CAST(:fo AS text[]),"
                " CAST(:n AS integer[]))"
                " ON CONFLICT (field, term) DO UPDATE SET df = search_terms.df + excluded.df"
            ),
            {
                "f": [c[0] for c in changed],
                "t": [c[1] for c in changed],
                "fo": [fold(c[1]) for c in changed],
                "n": [c[2] for c in changed],
            },
        )

    def _remove(self, conn: sa.Connection, ids: list[str]) -> Counter[tuple[str, str]]:
        gone: Counter[tuple[str, str]] = Counter()
        for (lexemes,) in conn.execute(
            sa.text("DELETE FROM search_entries WHERE id = ANY(:ids) RETURNING tsvector_to_array(terms)"),
            {"ids": ids},
        ):
            gone.update(_dictionary_words(lexemes))
        return gone

    def index(self, docs: Iterable[IndexedDoc]) -> None:
        batch = {d.id: d for d in docs}  # the last version of an id wins
        if not batch:
            return
        built = [_row(d) for d in batch.values()]  # outside the transaction
        delta: Counter[tuple[str, str]] = Counter()
        for _r, words in built:
            delta.update(words)
        with self.engine.begin() as conn:
            self._lock(conn)
            delta.subtract(self._remove(conn, list(batch)))
            self._copy(conn, [r for r, _w in built])
            self._count_words(conn, delta)

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return
        with self.engine.begin() as conn:
            self._lock(conn)
            delta: Counter[tuple[str, str]] = Counter()
            delta.subtract(self._remove(conn, ids))
            self._count_words(conn, delta)

    def rebuild(self, docs: Iterable[IndexedDoc], progress: ProgressFn | None = None) -> int:
        """See ``SearchBackend.rebuild``. Like Whoosh's new generation: the rows go into
        a new table without indexes (COPY), its indexes are built once at the end
        (``pg_indexes`` says which: the migrations' own), and in the same transaction
        it replaces the live table, locked only for the swap; searches read the old
        table until the commit, and a failed rebuild changes nothing."""
        count = 0
        seen: set[str] = set()
        words: Counter[tuple[str, str]] = Counter()
        with self.engine.begin() as conn:
            self._lock(conn)
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
            indexes = conn.execute(
                sa.text(
                    "SELECT i.indexname, i.indexdef, c.conname FROM pg_indexes i"
                    " LEFT JOIN pg_constraint c ON c.conname = i.indexname AND c.contype = 'p'"
                    " WHERE i.schemaname = current_schema() AND i.tablename = 'search_entries'"
                )
            ).all()
            options = conn.execute(
                sa.text("SELECT reloptions FROM pg_class WHERE oid = CAST('search_entries' AS regclass)")
            ).scalar_one()
            conn.exec_driver_sql("DROP TABLE IF EXISTS search_entries_next")
            conn.exec_driver_sql(
                "CREATE TABLE search_entries_next (LIKE search_entries INCLUDING DEFAULTS INCLUDING STORAGE)"
            )
            if options:
                conn.exec_driver_sql(f"ALTER TABLE search_entries_next SET ({', '.join(options)})")
            for batch in unique_batches(docs, BATCH_DOCS, seen):
                rows = []
                for doc in batch:
                    row, w = _row(doc)
                    rows.append(row)
                    words.update(w)
                self._copy(conn, rows, table="search_entries_next")
                count += len(rows)
                if progress:
                    progress(count)
            for name, definition, constraint in indexes:
                if constraint:
                    conn.exec_driver_sql(f"ALTER TABLE search_entries_next ADD CONSTRAINT {name}_next PRIMARY KEY (id)")
                else:
                    definition = definition.replace(f"INDEX {name} ON", f"INDEX {name}_next ON", 1)
                    conn.exec_driver_sql(re.sub(r" ON (\S+\.)?search_entries ", " ON search_entries_next ", definition))
            conn.execute(sa.text("DELETE FROM search_terms"))
            self._count_words(conn, words)
            conn.exec_driver_sql("DROP TABLE search_entries")
            conn.exec_driver_sql("ALTER TABLE search_entries_next RENAME TO search_entries")
            for name, _definition, constraint in indexes:
                if constraint:
                    conn.exec_driver_sql(f"ALTER TABLE search_entries RENAME CONSTRAINT {name}_next TO {name}")
                else:
                    conn.exec_driver_sql(f"ALTER INDEX {name}_next RENAME TO {name}")
        with self.engine.begin() as conn:  # fresh statistics: plans and the estimates of totals
            conn.exec_driver_sql("ANALYZE search_entries")
        if progress:
            progress(count)
        return count

    # -- reading ---------------------------------------------------------------------

    def query(self, q: SearchQuery) -> SearchResults:
        started = time.perf_counter()
        page, per_page = q.bounds()
        if not q.principals:
            return SearchResults(0, [], page, per_page)
        with self.engine.connect() as conn:
            lexicon = _Lexicon(conn)
            plan = build_plan(q, lexicon)
            total, rows, estimated = self._run(conn, plan, page, per_page, q.order)
            if total < FEW_RESULTS and plan.correctable:
                # Little found as typed: a long word may be a typo that made another word.
                plan = build_plan(q, lexicon, correct=True)
                total, rows, estimated = self._run(conn, plan, page, per_page, q.order)
        terms, prefixes = plan.highlight, plan.highlight_prefixes
        hits = [
            Hit(
                id=r.id,
                score=round(float(r.score), 4),
                subject=r.subject,
                number_symbol=r.number_symbol,
                sender=r.sender,
                date=r.date_iso,
                text_searchable=r.text_searchable,
                snippets=snippets(r.content, terms, prefixes=prefixes) if terms or prefixes else [],
                subject_html=mark(r.subject, terms, prefixes),
            )
            for r in rows
        ]
        took = (time.perf_counter() - started) * 1000
        return SearchResults(total, hits, page, per_page, took_ms=round(took, 2), total_is_estimate=estimated)

    def _run(self, conn: sa.Connection, plan: Plan, page: int, per_page: int,
             order: str) -> tuple[int, list[Any], bool]:
        """(total, the page's rows, whether the total is an estimate)."""
        if plan.nothing or (not plan.clauses and not plan.restrictions):
            return 0, [], False
        sql = _Sql()
        if not _restrict(sql, plan):
            return 0, [], False
        _match(sql, plan)
        where = " AND ".join(sql.where)
        # Relevance: documents meeting fewer clauses only through expansions first, then
        # more exact-diacritic groups, then ts_rank of every scoring term.
        scoring = [(f, t) for f, t, _b in plan.scoring] + [(f, t) for g in plan.scoring_groups for f, t, _b in g]
        score = f"ts_rank(terms, {sql.tsquery(_any_of(scoring))}, 1)" if scoring else "0"
        width = len(plan.exact) + 1
        tiers = [f"(terms @@ {sql.tsquery(_any_of(('x', t) for t in group))})::int" for group in plan.exact]
        tiers += [
            f"-{width} * (NOT terms @@ {sql.tsquery(_alternatives(c.alternatives[: c.strong]))})::int"
            for c in plan.clauses
            if c.strong is not None and c.strong < len(c.alternatives)
        ]
        primary = " + ".join(tiers) or "0"
        start = (page - 1) * per_page
        columns = "e.subject, e.number_symbol, e.sender, e.content, e.date_iso, e.text_searchable"
        # How many match: first estimated from a sample (constant work); when that is
        # not clearly above CANDIDATES, counted exactly up to one past it (a scan that
        # stops there).
        estimate, table_rows, exact = self._estimate(conn, where, sql.params)
        found = int(estimate) if exact else CANDIDATES + 1
        if not exact and estimate <= SURELY_MANY * CANDIDATES:
            found = conn.execute(
                sa.text(f"SELECT count(*) FROM (SELECT 1 FROM search_entries WHERE {where} LIMIT {CANDIDATES + 1}) m"),
                sql.params,
            ).scalar_one()
        if not found:
            return 0, [], False
        if found <= CANDIDATES:
            # Few enough: every match is ranked (on narrow rows; the page's texts are read
            # for its rows only).
            order_by = (
                "date_key DESC, score DESC, id" if order == "date" else "rank DESC, score DESC, date_key DESC, id"
            )
            statement = (
                f"WITH page AS (SELECT id, date_key, {primary} AS rank, {score} AS score"
                f" FROM search_entries WHERE {where} ORDER BY {order_by}"
                f" LIMIT {sql.param(per_page)} OFFSET {sql.param(start)})"
                f" SELECT id, {columns}, page.rank, page.score FROM page JOIN search_entries AS e USING (id)"
                f" ORDER BY {order_by.replace('date_key', 'page.date_key')}"
            )
            return int(found), list(conn.execute(sa.text(statement), sql.params).all()), False
        # Many matches: the newest CANDIDATES are ranked and come first, the others
        # follow, newest first; the total is the estimate. The work no longer grows with
        # the number of matches, and every match still has its place in the pages.
        # Two significant digits: an estimate does not pretend to be a count.
        total = int(estimate) if exact else max(CANDIDATES + 1, int(float(f"{estimate:.2g}")))
        if estimate * estimate >= CANDIDATES * table_rows:
            # Frequent enough that walking the date index finds the newest CANDIDATES
            # after reading about CANDIDATES × rows / matches rows, fewer than the matches
            # a bitmap scan (which the planner may prefer) would read.
            conn.execute(
                sa.text(
                    "SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)"
                )
            )
        newest = f"SELECT id, date_key FROM search_entries WHERE {where} ORDER BY date_key DESC, id"
        rows: list[Any] = []
        if order != "date" and start < CANDIDATES:
            statement = (
                f"WITH candidates AS MATERIALIZED ({newest} LIMIT {CANDIDATES}),"
                f" page AS (SELECT id, c.date_key, {primary} AS rank, {score} AS score"
                f" FROM candidates AS c JOIN search_entries USING (id)"
                f" ORDER BY rank DESC, score DESC, date_key DESC, id LIMIT {sql.param(per_page)}"
                f" OFFSET {sql.param(start)})"
                f" SELECT id, {columns}, page.rank, page.score, (SELECT count(*) FROM candidates) AS found"
                f" FROM page JOIN search_entries AS e USING (id)"
                f" ORDER BY page.rank DESC, page.score DESC, page.date_key DESC, id"
            )
            rows = list(conn.execute(sa.text(statement), sql.params).all())
            if rows and rows[0].found < CANDIDATES:  # the sample was wrong: all of them, counted
                return int(rows[0].found), rows, False
        if len(rows) < per_page:
            # By date: after the ranked candidates, or every match when sorting by date.
            statement = (
                f"WITH page AS ({newest} LIMIT {sql.param(per_page - len(rows))}"
                f" OFFSET {sql.param(start if order == 'date' else max(start, CANDIDATES))})"
                f" SELECT id, {columns}, {primary} AS rank, {score} AS score"
                f" FROM page JOIN search_entries AS e USING (id) ORDER BY page.date_key DESC, id"
            )
            rows += conn.execute(sa.text(statement), sql.params).all()
        return total, rows, not exact

    def _estimate(self, conn: sa.Connection, where: str, params: dict[str, Any]) -> tuple[float, int, bool]:
        """The number of matches estimated from a sample of about ``SAMPLE_ROWS`` rows
        (whole pages drawn with a fixed seed, so that a query gives the same figure from
        page to page), the table's number of rows (as of its last ANALYZE), and whether
        the figure is exact (a small table is counted whole)."""
        rows = conn.execute(
            sa.text("SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = CAST('search_entries' AS regclass)")
        ).scalar_one()
        share = min(1.0, SAMPLE_ROWS / max(1.0, float(rows)))
        if share >= 1.0:
            matched = conn.execute(sa.text(f"SELECT count(*) FROM search_entries WHERE {where}"), params).scalar_one()
            return float(matched), int(rows), True
        sampled, matched = conn.execute(
            sa.text(
                f"SELECT count(*), count(*) FILTER (WHERE {where}) FROM search_entries"
                f" TABLESAMPLE SYSTEM ({100.0 * share:.6f}) REPEATABLE (7)"
            ),
            params,
        ).one()
        return (float(rows) * matched / sampled if sampled else 0.0), int(rows), False

    def suggest(self, prefix_text: str, org_id: int, principals: Iterable[str], limit: int = 8) -> list[str]:
        """See ``SearchBackend.suggest``; the same choice as the Whoosh backend's
        (``search.engine.Engine.completions``), counted in SQL."""
        principals = set(principals)
        split = last_word(prefix_text)
        if not principals or split is None or limit <= 0:
            return []
        head, word = split
        with self.engine.connect() as conn:
            lexicon = _Lexicon(conn)
            context = build_plan(SearchQuery(text=head, org_id=org_id, principals=principals), lexicon)
            if context.nothing:
                context.clauses, context.phrases, context.nothing = [], [], False
            words = [word]
            if word.isascii() and not lexicon.has_term("f", word):
                words += telex_decode(word)
            before = TOKEN_RE.findall(prepare(head))
            previous = fold(before[-1]) if before and head[-1:].isspace() else None
            return self._completions(conn, lexicon, context, words, limit, previous)

    def _completions(
        self,
        conn: sa.Connection,
        lexicon: _Lexicon,
        context: Plan,
        words: list[str],
        limit: int,
        previous: str | None,
    ) -> list[str]:
        folded_starts = [f for f in dict.fromkeys(map(fold, words)) if f]
        if not folded_starts:
            return []
        accented_typed = [w for w in words if fold(w) != w]
        if accented_typed:  # diacritics typed: only words that start with them as typed
            x_df, f_df = lexicon.frequencies("x", accented_typed), {}
        else:
            x_df = lexicon.frequencies("x", folded_starts, folded=True)
            f_df = lexicon.frequencies("f", folded_starts)
        x_terms = sorted(x_df, key=lambda t: -x_df[t])[:COMPLETION_CANDIDATES]
        accented_folds = {fold(t) for t in x_terms}
        # A word written without diacritics is offered only when the documents never
        # write it with them ("internet", not "cong" beside "công").
        f_terms = [t for t in sorted(f_df, key=lambda t: -f_df[t])[:COMPLETION_CANDIDATES] if t not in accented_folds]
        if not x_terms and not f_terms:
            return []
        counts = self._counts(conn, context, x_terms + f_terms)
        if context.clauses and not counts and not self._counts(conn, context, None):
            counts = self._counts(conn, Plan(restrictions=context.restrictions), x_terms + f_terms)
        follows: dict[str, float] = {}
        if previous and counts:
            by_fold: dict[str, int] = {}
            for t, n in counts.items():
                by_fold[fold(t)] = by_fold.get(fold(t), 0) + n
            pairs = self._counts(conn, context, [f"{PAIR}{previous} {w}" for w in by_fold])
            for t, n in counts.items():
                p = pairs.get(f"{PAIR}{previous} {fold(t)}", 0)
                if p:
                    follows[t] = p * n / by_fold[fold(t)]
        ranked = sorted(counts.items(), key=lambda kv: (-follows.get(kv[0], 0.0), -kv[1], len(kv[0]), kv[0]))
        return [t for t, _n in ranked[:limit]]

    def _counts(self, conn: sa.Connection, context: Plan, terms: list[str] | None) -> dict[str, int]:
        """Documents ``context`` finds holding each of ``terms`` (None: any, one count)."""
        sql = _Sql()
        if not _restrict(sql, context):
            return {}
        _match(sql, context)
        where = " AND ".join(sql.where)
        if terms is None:
            n = conn.execute(sa.text(f"SELECT 1 FROM search_entries WHERE {where} LIMIT 1"), sql.params).first()
            return {"": 1} if n else {}
        if not terms:
            return {}
        statement = (
            f"SELECT c.term, count(*) FROM unnest(CAST({sql.param(terms)} AS text[]),"
            f" CAST({sql.param([_q(t) for t in terms])} AS tsquery[])) AS c(term, q)"
            f" JOIN search_entries ON terms @@ c.q WHERE {where} GROUP BY c.term"
        )
        return {t: int(n) for t, n in conn.execute(sa.text(statement), sql.params)}

    def ids(self) -> Iterator[str]:
        """Every indexed id (for reconciliation with the database)."""
        with self.engine.connect() as conn:
            yield from conn.execute(sa.text("SELECT id FROM search_entries ORDER BY id")).scalars()

    # -- health ----------------------------------------------------------------------

    def check(self, expected_docs: int | None = None) -> dict[str, Any]:
        report: dict[str, Any] = {"ok": False, "docs": None, "segments": None, "error": None, "engine": "postgresql"}
        try:
            with self.engine.connect() as conn:
                report["docs"] = conn.execute(sa.text("SELECT count(*) FROM search_entries")).scalar_one()
            if expected_docs is not None and expected_docs != report["docs"]:
                report["error"] = f"index has {report['docs']} documents, database {expected_docs}"
                return report
            report["ok"] = True
        except Exception as exc:  # any failure to read means: look at the database
            report["error"] = f"{type(exc).__name__}: {exc}"
        return report

    def close(self) -> None:
        if self._own_engine:
            self.engine.dispose()


def not_a_model(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's ``include_name`` hook: False for this engine's tables and their indexes."""
    if type_ == "table":
        return name not in TABLES
    if type_ in ("index", "unique_constraint", "foreign_key_constraint", "column"):
        return parent_names.get("table_name") not in TABLES
    return True
