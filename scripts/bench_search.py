"""Benchmark the product's Whoosh search against SQLite FTS5 and tantivy on Vietnamese documents.

Builds N documents (default 20,000) by recombining real sentences from
../shared/data/articles/ and the decree text in ../shared/reference/nd30/, indexes
them with ``search.whoosh_backend.WhooshBackend``, with SQLite FTS5
(``unicode61 remove_diacritics 2``; đ folded by hand) and with tantivy (the engine
that replaced Whoosh in Paperless-ngx; a simple tokenizer with lower-casing and ASCII
folding, which folds đ→d too), then times a fixed query set: a common word, a
multi-word AND, a phrase and a rare term, each typed with and without diacritics.

Every engine answers the same question per query: the total number of matches and
the best 20 with a highlighted snippet. The Whoosh and tantivy sides also apply the
organisation and ACL filter, as the product does (FTS5 counts every match). The
first round of queries is reported separately (cold caches); p50/p95 are over the
following rounds. The first query in a fresh process is timed in a subprocess that
imports the product's search package, opens the index and runs one query: open +
query is ``whoosh_first_query_ms`` (the worst of the query set), the imports are
reported beside it.

Usage:  python scripts/bench_search.py [--docs 100000] [--rounds 10]
The last output line is one JSON object (docs, whoosh_p95_ms, fts5_p95_ms,
tantivy_p95_ms, ratio_p95, ratio_tantivy_p95, whoosh_docs_per_s, …) for tracking runs.
tantivy comes with the dev extra (``scripts/setup.sh --dev``); without it the tantivy
figures are null.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search.backend import IndexedDoc, SearchQuery  # noqa: E402
from search.whoosh_backend import WhooshBackend  # noqa: E402

SHARED = ROOT.parent / "shared"
QUERIES = [
    ("common word", "công", "cong"),
    ("multi-word AND", "ủy ban nhân dân xã", "uy ban nhan dan xa"),
    ("phrase", '"văn bản điện tử"', '"van ban dien tu"'),
    ("rare term", "ngọc", "ngoc"),
]
TYPES = ["QĐ", "CV", "TB", "KH", "BC", "TTr", "GM", "CT", "HD"]
PRINCIPALS = {"org:1", "u:7", "unit:2", "role:staff"}
PER_PAGE = 20
TEXT_PARTS = ("subject", "number_symbol", "sender", "content")


def load_sentences() -> list[str]:
    files = sorted((SHARED / "data/articles").glob("*.txt"))
    files += sorted((SHARED / "reference/nd30").glob("*.md"))
    out: list[str] = []
    for f in files:
        for para in f.read_text("utf-8").splitlines():
            para = para.strip().lstrip("#").strip()
            out += [s for s in re.split(r"(?<=[.;:!?])\s+", para) if len(s.split()) >= 4]
    return out


def make_docs(n: int, seed: int = 2025) -> Iterator[IndexedDoc]:
    """Deterministic documents: a subject cut from one sentence, 4–20 sentences of
    content drawn at random (so no two documents are alike), a number/symbol."""
    rnd = random.Random(seed)
    sentences = load_sentences()
    start = date(2024, 1, 1)
    for i in range(n):
        kind = rnd.choice(TYPES)
        subject_words = rnd.choice(sentences).split()
        unit = rnd.randint(1, 6)
        acl = [f"unit:{unit}", "role:leader"] + (["org:1"] if rnd.random() < 0.7 else [])
        yield IndexedDoc(
            id=str(i),
            org_id=1,
            direction=rnd.choice(("incoming", "outgoing")),
            doc_type=kind,
            year=2024 + (i % 2),
            unit=str(unit),
            status="done",
            date=start + timedelta(days=rnd.randint(0, 600)),
            number_symbol=f"{rnd.randint(1, 999):02d}/{kind}-UBND",
            subject=" ".join(subject_words[: rnd.randint(8, 25)]),
            sender=rnd.choice(("UBND xã Kim Bôi", "UBND tỉnh Phú Thọ", "Văn phòng UBND xã")),
            content=" ".join(rnd.choice(sentences) for _ in range(rnd.randint(4, 20))),
            acl=acl,
        )


def fold_d(text: str) -> str:
    # FTS5's unicode61 removes diacritics but treats đ/Đ as a letter of its own.
    return text.replace("đ", "d").replace("Đ", "D")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def bench_whoosh(n: int, workdir: Path, rounds: int, workers: int) -> dict[str, object]:
    backend = WhooshBackend(workdir / "whoosh")
    started = time.perf_counter()
    cpu_started = time.process_time()
    last = [0]

    def progress(done: int) -> None:
        if done - last[0] >= 10_000 or done == n:
            last[0] = done
            rate = done / (time.perf_counter() - started)
            print(f"  whoosh indexed {done:>7} docs ({rate:,.0f} docs/s)", flush=True)

    backend.rebuild(make_docs(n), progress=progress, analysis_workers=workers)
    index_s = time.perf_counter() - started
    # This process's CPU time (not the analysis workers'): on a busy machine wall time
    # also counts the other processes' turns.
    index_cpu_s = time.process_time() - cpu_started
    size = sum(f.stat().st_size for f in (workdir / "whoosh").rglob("*") if f.is_file())

    def run(text: str) -> tuple[float, int]:
        q = SearchQuery(text=text, org_id=1, principals=PRINCIPALS, per_page=PER_PAGE)
        t0 = time.perf_counter()
        res = backend.query(q)
        return (time.perf_counter() - t0) * 1000, res.total

    result = _time_queries(run, rounds)
    backend.close()
    first = [_first_query_in_fresh_process(workdir / "whoosh", text) for text in _query_texts()]
    return {
        "index_s": index_s,
        "docs_per_s": n / index_s,
        "docs_per_cpu_s": n / index_cpu_s,
        "bytes": size,
        **result,
        "first_query_ms": max(f["open_query_ms"] for f in first),
        "first_query_import_ms": max(f["import_ms"] for f in first),
        "first_query_worst": max(first, key=lambda f: f["open_query_ms"]),
    }


# Run in a fresh interpreter: import the search package, open the index, one query.
_FIRST_QUERY = """
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
from search.backend import SearchQuery
from search.whoosh_backend import WhooshBackend
t1 = time.perf_counter()
backend = WhooshBackend(sys.argv[2])
res = backend.query(SearchQuery(text=sys.argv[3], org_id=1, principals=set(sys.argv[4].split()),
                                per_page=int(sys.argv[5])))
t2 = time.perf_counter()
print(json.dumps({"import_ms": (t1 - t0) * 1000, "open_query_ms": (t2 - t1) * 1000, "total": res.total,
                  "query": sys.argv[3]}))
"""


def _query_texts() -> list[str]:
    return [text for _label, accented, plain in QUERIES for text in (accented, plain)]


def _first_query_in_fresh_process(index_dir: Path, text: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_QUERY, str(ROOT), str(index_dir), text, " ".join(sorted(PRINCIPALS)),
         str(PER_PAGE)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_tantivy(n: int, workdir: Path, rounds: int) -> dict[str, object] | None:
    """The same corpus in tantivy: one folded text field per part, org and ACL as raw
    terms; a query is the parsed text (words ANDed, quotes a phrase, the subject
    boosted ×3 like Whoosh's) AND the organisation AND any of the principals."""
    try:
        import tantivy
    except ImportError:
        print("  tantivy is not installed (scripts/setup.sh --dev): skipped")
        return None
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("org", tokenizer_name="raw")
    builder.add_text_field("acl", tokenizer_name="raw")
    for name in TEXT_PARTS:
        builder.add_text_field(name, stored=True, tokenizer_name="vi_folded")
    schema = builder.build()
    path = workdir / "tantivy"
    path.mkdir()
    index = tantivy.Index(schema, path=str(path))
    index.register_tokenizer(
        "vi_folded",
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())  # folds đ→d as well
        .build(),
    )
    started = time.perf_counter()
    writer = index.writer(heap_size=256_000_000)
    for d in make_docs(n):
        writer.add_document(
            tantivy.Document(
                id=d.id,
                org=str(d.org_id),
                acl=d.acl,
                subject=d.subject,
                number_symbol=d.number_symbol,
                sender=d.sender,
                content=d.content,
            )
        )
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    index_s = time.perf_counter() - started
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    searcher = index.searcher()
    org = tantivy.Query.term_query(schema, "org", "1")
    acl = tantivy.Query.term_set_query(schema, "acl", sorted(PRINCIPALS))

    def run(text: str) -> tuple[float, int]:
        t0 = time.perf_counter()
        parsed = index.parse_query(
            text, default_field_names=list(TEXT_PARTS), field_boosts={"subject": 3.0}, conjunction_by_default=True
        )
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, parsed), (tantivy.Occur.Must, org), (tantivy.Occur.Must, acl)]
        )
        res = searcher.search(query, limit=PER_PAGE, count=True)
        snippets = tantivy.SnippetGenerator.create(searcher, query, schema, "content")
        for _score, address in res.hits:
            doc = searcher.doc(address)
            snippets.snippet_from_doc(doc).to_html()
        return (time.perf_counter() - t0) * 1000, res.count or 0

    result = _time_queries(run, rounds)
    return {"index_s": index_s, "docs_per_s": n / index_s, "bytes": size, **result}


def bench_fts5(n: int, workdir: Path, rounds: int) -> dict[str, object]:
    db = sqlite3.connect(str(workdir / "fts5.sqlite"))
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(subject, number_symbol, sender, content,"
        " tokenize='unicode61 remove_diacritics 2')"
    )
    started = time.perf_counter()
    batch: list[tuple[int, str, str, str, str]] = []
    for d in make_docs(n):
        batch.append(
            (
                int(d.id),
                fold_d(d.subject),
                fold_d(d.number_symbol),
                fold_d(d.sender),
                fold_d(d.content),
            )
        )
        if len(batch) == 5000:
            db.executemany(
                "INSERT INTO docs(rowid, subject, number_symbol, sender, content)"
                " VALUES (?, ?, ?, ?, ?)",
                batch,
            )
            batch.clear()
    if batch:
        db.executemany(
            "INSERT INTO docs(rowid, subject, number_symbol, sender, content)"
            " VALUES (?, ?, ?, ?, ?)",
            batch,
        )
    db.commit()
    index_s = time.perf_counter() - started
    size = (workdir / "fts5.sqlite").stat().st_size

    def run(text: str) -> tuple[float, int]:
        match = fold_d(text)
        t0 = time.perf_counter()
        total = db.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (match,)).fetchone()[0]
        db.execute(
            "SELECT rowid, snippet(docs, 3, '<mark>', '</mark>', '…', 24) FROM docs"
            " WHERE docs MATCH ? ORDER BY rank LIMIT ?",
            (match, PER_PAGE),
        ).fetchall()
        return (time.perf_counter() - t0) * 1000, total

    result = _time_queries(run, rounds)
    db.close()
    return {"index_s": index_s, "docs_per_s": n / index_s, "bytes": size, **result}


def _time_queries(run, rounds: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    cold: list[float] = []
    warm: list[float] = []
    per_query: dict[str, dict[str, float]] = {}
    totals: dict[str, int] = {}
    for r in range(rounds + 1):
        for label, accented, plain in QUERIES:
            for variant, text in (("accented", accented), ("plain", plain)):
                ms, total = run(text)
                key = f"{label} / {variant}"
                totals[key] = total
                if r == 0:
                    cold.append(ms)
                else:
                    warm.append(ms)
                    per_query.setdefault(key, {"sum": 0.0, "n": 0})
                    per_query[key]["sum"] += ms
                    per_query[key]["n"] += 1
    return {
        "p50_ms": statistics.median(warm),
        "p95_ms": percentile(warm, 95),
        "cold_max_ms": max(cold),
        "per_query_mean_ms": {k: v["sum"] / v["n"] for k, v in per_query.items()},
        "totals": totals,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=10, help="timed rounds after warm-up")
    parser.add_argument(
        "--analysis-workers",
        type=int,
        default=0,
        help="helper processes for text analysis during the Whoosh rebuild",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        sample = list(make_docs(min(args.docs, 2000)))
        words = statistics.mean(len(d.subject.split()) + len(d.content.split()) for d in sample)
        print(f"corpus: {args.docs} documents, ~{words:.0f} words each, real Vietnamese text")
        print("indexing with Whoosh (product backend) …", flush=True)
        w = bench_whoosh(args.docs, workdir, args.rounds, args.analysis_workers)
        print("indexing with SQLite FTS5 …", flush=True)
        f = bench_fts5(args.docs, workdir, args.rounds)
        print("indexing with tantivy …", flush=True)
        t = bench_tantivy(args.docs, workdir, args.rounds)
        engines = [("Whoosh", w), ("FTS5", f)] + ([("tantivy", t)] if t else [])

        def row(label: str, key: str, fmt: str, scale: float = 1.0) -> None:
            cells = "".join(f"{format(e[key] * scale, fmt):>12}" for _name, e in engines)  # type: ignore[operator]
            print(f"{label:28}{cells}")

        print(f"\n{'':28}" + "".join(f"{name:>12}" for name, _e in engines))
        row("index docs/s", "docs_per_s", ",.0f")
        print(f"{'  Whoosh per CPU second':28}{w['docs_per_cpu_s']:>12,.0f}")
        row("index size MB", "bytes", ".1f", 1e-6)
        row("query p50 ms", "p50_ms", ".2f")
        row("query p95 ms", "p95_ms", ".2f")
        row("first-round max ms (cold)", "cold_max_ms", ".2f")
        worst = w["first_query_worst"]
        print(
            f"first query in a fresh process: open + query {w['first_query_ms']:.1f} ms"
            f" (worst: {worst['query']!r}), imports {w['first_query_import_ms']:.0f} ms"  # type: ignore[index]
        )
        print("\nper query (mean ms, matches; FTS5 counts without the ACL):")
        for key in w["per_query_mean_ms"]:  # type: ignore[union-attr]
            cells = "".join(
                f"{e['per_query_mean_ms'][key]:>9.2f} ({e['totals'][key]:>6})"  # type: ignore[index]
                for _name, e in engines
            )
            print(f"  {key:34}{cells}")
        ratio = w["p95_ms"] / f["p95_ms"]  # type: ignore[operator]
        summary = {
            "docs": args.docs,
            "whoosh_p50_ms": round(w["p50_ms"], 2),  # type: ignore[arg-type]
            "whoosh_p95_ms": round(w["p95_ms"], 2),  # type: ignore[arg-type]
            "fts5_p50_ms": round(f["p50_ms"], 2),  # type: ignore[arg-type]
            "fts5_p95_ms": round(f["p95_ms"], 2),  # type: ignore[arg-type]
            "tantivy_p50_ms": round(t["p50_ms"], 2) if t else None,  # type: ignore[arg-type]
            "tantivy_p95_ms": round(t["p95_ms"], 2) if t else None,  # type: ignore[arg-type]
            "ratio_p95": round(ratio, 2),
            "ratio_tantivy_p95": round(w["p95_ms"] / t["p95_ms"], 2) if t else None,  # type: ignore[operator]
            "whoosh_docs_per_s": round(w["docs_per_s"]),  # type: ignore[arg-type]
            "whoosh_docs_per_cpu_s": round(w["docs_per_cpu_s"]),  # type: ignore[arg-type]
            "fts5_docs_per_s": round(f["docs_per_s"]),  # type: ignore[arg-type]
            "tantivy_docs_per_s": round(t["docs_per_s"]) if t else None,  # type: ignore[arg-type]
            "whoosh_cold_max_ms": round(w["cold_max_ms"], 2),  # type: ignore[arg-type]
            "whoosh_first_query_ms": round(w["first_query_ms"], 1),  # type: ignore[arg-type]
            "whoosh_first_query_import_ms": round(w["first_query_import_ms"], 1),  # type: ignore[arg-type]
            "load_avg_1m": round(os.getloadavg()[0], 2),
        }
        print(json.dumps(summary))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
