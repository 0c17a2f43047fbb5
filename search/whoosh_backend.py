"""The Whoosh implementation of ``SearchBackend``.

Layout of the index directory::

    <index_dir>/writer.lock        flock taken by every writer (see search.locking)
    <index_dir>/current -> gen-…   symlink to the live Whoosh index
    <index_dir>/gen-…/             a Whoosh index (TOC + compound segments)

Writes go through ``BulkSegmentWriter`` under the writer lock. ``rebuild`` builds a
fresh generation next to the live one and switches the symlink atomically, so
searches keep working during a rebuild and a failed rebuild changes nothing.

Reads use one reader per process, reopened only when the symlink or the Whoosh TOC
generation changes; decoded posting lists are cached per immutable segment, so a
small incremental commit does not throw away the work done on the big segments.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec, W3Segment

from search import mapped
from search.analysis import TOKEN_RE, fold, prepare
from search.backend import (
    Hit,
    IndexedDoc,
    ProgressFn,
    SearchBackend,
    SearchQuery,
    SearchResults,
    unique_batches,
)
from search.engine import Engine, PostingCache
from search.highlight import mark, snippets
from search.locking import exclusive
from search.querying import FEW_RESULTS, build_plan, last_word
from search.schema import SCHEMA_VERSION, AnalysedBatch, analyse, build_schema
from search.segment_writer import BulkSegmentWriter
from search.telex import decode as telex_decode

CURRENT = "current"
LOCK_FILE = "writer.lock"
# Documents per segment during a rebuild: bounds the writer's memory (~12 bytes per
# posting, ~300 MB at the flush of a segment of 25,000 ordinary documents).
SEGMENT_DOCS = 25_000
# Documents analysed together (``search.schema.analyse``); divides SEGMENT_DOCS.
BATCH_DOCS = 1_000
_TOC_RE = re.compile(r"^_MAIN_(\d+)\.toc$")

# Read compound segments in place instead of copying them into the heap on open.
mapped.install()


class _Codec(W3Codec):  # type: ignore[misc]
    """Whoosh's codec with segment names from the OS's randomness: Whoosh draws them from
    the ``random`` module, whose state a caller may have seeded (tests with hypothesis
    do, per example), and a name drawn twice in one index breaks its next commit."""

    def new_segment(self, storage: Any, indexname: str) -> W3Segment:
        return W3Segment(self, indexname, segid=uuid.uuid4().hex[:16])


def _commit(writer: BulkSegmentWriter) -> None:
    """``writer.commit()``, releasing Whoosh's lock when the commit fails: Whoosh keeps
    it then, and every later write of this process would wait for it in vain."""
    try:
        writer.commit()
    except BaseException:
        if not writer.is_closed:
            try:
                writer.cancel()
            except Exception:
                writer.writelock.release()
                writer.is_closed = True
        raise


def _codec() -> W3Codec:
    # Bigger blocks, no zlib: posting lists are decoded whole, so fewer and
    # uncompressed blocks are faster to read; the disk cost is modest.
    return _Codec(blocklimit=512, compression=0)


class IndexDamaged(RuntimeError):
    """The index cannot be read; ``rebuild()`` it from the database."""


class WhooshBackend(SearchBackend):
    def __init__(
        self,
        index_dir: str | os.PathLike[str],
        *,
        cache_bytes: int = 256 * 1024 * 1024,
        lock_timeout: float | None = None,
    ) -> None:
        self.root = Path(index_dir)
        self.root.mkdir(parents=True, exist_ok=True)
        self.lock_path = self.root / LOCK_FILE
        self.lock_timeout = lock_timeout
        self._cache = PostingCache(cache_bytes)
        self._state = threading.RLock()
        self._key: tuple[str, int] | None = None
        self._engine: Engine | None = None
        if not (self.root / CURRENT).exists():
            with exclusive(self.lock_path, self.lock_timeout):
                if not (self.root / CURRENT).exists():
                    self._switch(self._new_generation())

    # -- layout ----------------------------------------------------------------------

    def _current_dir(self) -> Path:
        return self.root / os.readlink(self.root / CURRENT)

    def _new_generation(self) -> Path:
        gen = self.root / f"gen-{time.time_ns():x}-{uuid.uuid4().hex[:6]}"
        gen.mkdir()
        (gen / "SCHEMA_VERSION").write_text(str(SCHEMA_VERSION))
        whoosh_index.create_in(str(gen), build_schema())
        return gen

    def _switch(self, gen: Path) -> None:
        """Point ``current`` at ``gen`` atomically (rename over the old symlink)."""
        tmp = self.root / f".current-{uuid.uuid4().hex[:8]}"
        os.symlink(gen.name, tmp)
        os.replace(tmp, self.root / CURRENT)
        fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        for old in self.root.glob("gen-*"):
            if old.name != gen.name:
                # Other processes may still read the old files; on POSIX an unlinked
                # open file stays readable until closed, and they reopen on next query.
                shutil.rmtree(old, ignore_errors=True)

    def _open_index(self) -> Any:
        return whoosh_index.open_dir(str(self._current_dir()))

    # -- writing ---------------------------------------------------------------------

    def _writer(self, ix: Any) -> BulkSegmentWriter:
        # Whoosh's own lock is always free here (we hold the flock); the timeout only
        # covers a writer that bypasses this class.
        return BulkSegmentWriter(ix, codec=_codec(), timeout=30.0, delay=0.05)

    def index(self, docs: Iterable[IndexedDoc]) -> None:
        batch = {d.id: d for d in docs}  # the last version of an id wins
        if not batch:
            return
        analysed = analyse(list(batch.values()))  # outside the lock
        with exclusive(self.lock_path, self.lock_timeout):
            writer = self._writer(self._open_index())
            try:
                # What ``update_document`` does per document: replace by id.
                with writer.searcher() as searcher:
                    for doc_id in batch:
                        writer.delete_by_term("id", doc_id, searcher=searcher)
                writer.add_batch(analysed)
            except BaseException:
                writer.cancel()
                raise
            _commit(writer)

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return
        with exclusive(self.lock_path, self.lock_timeout):
            writer = self._writer(self._open_index())
            try:
                for doc_id in ids:
                    writer.delete_by_term("id", doc_id)
            except BaseException:
                writer.cancel()
                raise
            _commit(writer)

    def rebuild(
        self,
        docs: Iterable[IndexedDoc],
        progress: ProgressFn | None = None,
        *,
        analysis_workers: int | None = None,
    ) -> int:
        """See ``SearchBackend.rebuild``. Text analysis runs in ``analysis_workers``
        helper processes (default: one if the machine has a second core) while this
        process writes segments. Worth it only when a core is idle; the default
        (0) keeps a reindex on one core so that it never starves the web workers."""
        if analysis_workers is None:
            analysis_workers = 0
        with exclusive(self.lock_path, self.lock_timeout):
            gen = self._new_generation()
            try:
                count = self._fill(gen, docs, progress, analysis_workers)
            except BaseException:
                shutil.rmtree(gen, ignore_errors=True)
                raise
            self._switch(gen)
        with self._state:
            self._key = None
        return count

    def _fill(
        self, gen: Path, docs: Iterable[IndexedDoc], progress: ProgressFn | None, workers: int
    ) -> int:
        ix = whoosh_index.open_dir(str(gen))
        seen: set[str] = set()

        def batches() -> Iterator[list[IndexedDoc]]:
            return unique_batches(docs, BATCH_DOCS, seen)

        if workers > 0:
            import multiprocessing  # only here: not on the web workers' start-up path

            pool = multiprocessing.get_context("spawn").Pool(workers)
            analysed: Iterator[AnalysedBatch] = pool.imap(analyse, batches())
        else:
            pool = None
            analysed = map(analyse, batches())
        try:
            return self._write_all(ix, analysed, progress)
        finally:
            if pool is not None:
                pool.terminate()

    def _write_all(
        self, ix: Any, analysed: Iterator[AnalysedBatch], progress: ProgressFn | None
    ) -> int:
        count = 0
        writer: BulkSegmentWriter | None = None
        for batch in analysed:
            if writer is None:
                writer = self._writer(ix)
            # A fresh index holds no older version of an id: add, not update.
            writer.add_batch(batch)
            count += batch.count
            if count % SEGMENT_DOCS == 0:
                writer.commit(merge=False)
                writer = None
            if progress:
                progress(count)
        if writer is not None:
            writer.commit(merge=False)
        if progress:
            progress(count)
        return count

    # -- reading ---------------------------------------------------------------------

    def _snapshot(self) -> Engine:
        """The engine over the latest committed index, reopened only on change."""
        target = os.readlink(self.root / CURRENT)
        key = (target, _toc_generation(self.root / target))
        with self._state:
            if self._engine is None or key != self._key:
                ix = whoosh_index.open_dir(str(self.root / target))
                self._engine = Engine(ix.reader(), self._cache)
                self._key = key
            return self._engine

    def query(self, q: SearchQuery) -> SearchResults:
        started = time.perf_counter()
        page, per_page = q.bounds()
        if not q.principals:
            return SearchResults(0, [], page, per_page)
        engine = self._snapshot()
        plan = build_plan(q, engine)
        ranked = engine.run(plan, limit=page * per_page, order=q.order)
        if ranked.total < FEW_RESULTS and plan.correctable:
            # Little found as typed: a long word may be a typo that made another word.
            plan = build_plan(q, engine, correct=True)
            ranked = engine.run(plan, limit=page * per_page, order=q.order)
        terms, prefixes = plan.highlight, plan.highlight_prefixes
        hits = []
        for score, docnum in ranked.hits[(page - 1) * per_page : page * per_page]:
            stored = engine.reader.stored_fields(docnum)
            hits.append(
                Hit(
                    id=stored["id"],
                    score=round(score, 4),
                    subject=stored.get("subject", ""),
                    number_symbol=stored.get("number_symbol", ""),
                    sender=stored.get("sender", ""),
                    date=stored.get("date_iso", ""),
                    text_searchable=stored.get("searchable") == "1",
                    snippets=(
                        snippets(stored.get("content", ""), terms, prefixes=prefixes)
                        if terms or prefixes
                        else []
                    ),
                    subject_html=mark(stored.get("subject", ""), terms, prefixes),
                )
            )
        took = (time.perf_counter() - started) * 1000
        return SearchResults(ranked.total, hits, page, per_page, took_ms=round(took, 2))

    def suggest(
        self, prefix_text: str, org_id: int, principals: Iterable[str], limit: int = 8
    ) -> list[str]:
        """See ``SearchBackend.suggest``. Counted in the documents the principals may
        open that hold the words typed before the last one (none of them: in all
        the documents they may open) — the same work as a query of those words."""
        principals = set(principals)
        split = last_word(prefix_text)
        if not principals or split is None or limit <= 0:
            return []
        head, word = split
        engine = self._snapshot()
        context = build_plan(SearchQuery(text=head, org_id=org_id, principals=principals))
        if context.nothing:
            context.clauses, context.nothing = [], False
        words = [word]
        if word.isascii() and not engine.has_term("f", word):
            words += telex_decode(word)
        before = TOKEN_RE.findall(prepare(head))
        previous = fold(before[-1]) if before and head[-1:].isspace() else None
        return engine.completions(context, words, limit, previous)

    def ids(self) -> Iterator[str]:
        """Every indexed id (for reconciliation with the database)."""
        engine = self._snapshot()
        for docnum in range(engine.reader.doc_count_all()):
            if not engine.reader.is_deleted(docnum):
                yield engine.reader.stored_fields(docnum)["id"]

    # -- health ----------------------------------------------------------------------

    def check(self, expected_docs: int | None = None) -> dict[str, Any]:
        """Open the index and read every segment's metadata, stored fields and
        filter postings; a crash that left missing, truncated or corrupt files shows
        up here as ``ok: False``. ``expected_docs`` (the app's count of indexable
        documents) also catches a lost update."""
        report: dict[str, Any] = {"ok": False, "docs": None, "segments": None, "error": None}
        try:
            report["generation"] = os.readlink(self.root / CURRENT)
            ix = self._open_index()
            with ix.reader() as reader:
                report["docs"] = reader.doc_count()
                leaves = list(reader.leaf_readers())
                report["segments"] = len(leaves)
                for leaf, _offset in leaves:
                    n = leaf.doc_count_all()
                    for docnum in {0, n // 2, n - 1} if n else set():
                        leaf.stored_fields(docnum)
                    for fieldname in ("org", "acl", "f"):
                        for tbytes in list(leaf.lexicon(fieldname))[:50]:
                            m = leaf.postings(fieldname, tbytes)
                            while m.is_active():
                                m.id()
                                m.next()
            if expected_docs is not None and expected_docs != report["docs"]:
                report["error"] = f"index has {report['docs']} documents, database {expected_docs}"
                return report
            report["ok"] = True
        except Exception as exc:  # any failure to read means: rebuild
            report["error"] = f"{type(exc).__name__}: {exc}"
        return report

    def close(self) -> None:
        with self._state:
            if self._engine is not None:
                self._engine.reader.close()
            self._engine = None
            self._key = None
        self._cache.clear()


def _toc_generation(path: Path) -> int:
    """Latest Whoosh TOC generation in ``path`` (one cheap directory listing)."""
    best = -1
    for name in os.listdir(path):
        m = _TOC_RE.match(name)
        if m:
            best = max(best, int(m.group(1)))
    return best
