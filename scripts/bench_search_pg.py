"""Benchmark the PostgreSQL search backend beside the Whoosh one on the same corpus.

The corpus, the query set and the timing are those of scripts/bench_search.py (real
Vietnamese sentences recombined into N documents; a common word, a multi-word AND, a
phrase and a rare term, each with and without diacritics; the total and the best 20
with snippets, under the organisation and ACL filter). The PostgreSQL side loads the
documents through the backend's batch path (``PostgresBackend.rebuild``: COPY in
batches of 1,000 into the GIN-indexed table, one transaction) into a database created
for the run and dropped at the end (``XASO_BENCH_PG``: the server's admin URL).
The first query round is reported apart (cold caches); p50/p95 are over the others.

Usage:  python scripts/bench_search_pg.py [--docs 100000] [--rounds 5] [--engines whoosh,postgresql]
The last output line is one JSON object (docs, pg_docs_per_s, pg_p50_ms, pg_p95_ms,
whoosh_…, table size, load average).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_search import PER_PAGE, PRINCIPALS, ROOT, _time_queries, bench_whoosh, make_docs  # noqa: E402

sys.path.insert(0, str(ROOT))
from search.backend import SearchQuery  # noqa: E402
from search.postgres_backend import PostgresBackend, create_schema  # noqa: E402

ADMIN_URL = os.environ.get("XASO_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def bench_postgres(n: int, rounds: int) -> dict[str, object]:
    name = f"xaso_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = sa.create_engine(ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    try:
        create_schema(engine)
        backend = PostgresBackend(engine)
        started = time.perf_counter()
        cpu_started = time.process_time()
        last = [0]

        def progress(done: int) -> None:
            if done - last[0] >= 10_000 or done == n:
                last[0] = done
                rate = done / (time.perf_counter() - started)
                print(f"  postgresql indexed {done:>7} docs ({rate:,.0f} docs/s)", flush=True)

        backend.rebuild(make_docs(n), progress=progress)
        index_s = time.perf_counter() - started
        index_cpu_s = time.process_time() - cpu_started
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE search_entries")
            conn.exec_driver_sql("VACUUM ANALYZE search_terms")
            size = conn.execute(sa.text("SELECT pg_total_relation_size('search_entries')")).scalar_one()
        print(f"  postgresql: {index_s:.0f} s to load, then VACUUM ANALYZE; table + indexes {size / 1e6:.0f} MB")

        def run(text: str) -> tuple[float, int]:
            q = SearchQuery(text=text, org_id=1, principals=PRINCIPALS, per_page=PER_PAGE)
            t0 = time.perf_counter()
            res = backend.query(q)
            return (time.perf_counter() - t0) * 1000, res.total

        result = _time_queries(run, rounds)
        return {
            "index_s": index_s,
            "docs_per_s": n / index_s,
            "client_cpu_s": index_cpu_s,
            "bytes": size,
            **result,
        }
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds after warm-up")
    parser.add_argument("--engines", default="whoosh,postgresql")
    args = parser.parse_args()
    engines = set(args.engines.split(","))

    workdir = Path(tempfile.mkdtemp(prefix="bench-search-pg-"))
    try:
        print(f"corpus: {args.docs} documents, real Vietnamese text")
        w = p = None
        if "whoosh" in engines:
            print("indexing with Whoosh …", flush=True)
            w = bench_whoosh(args.docs, workdir, args.rounds, 0)
        if "postgresql" in engines:
            print("indexing with PostgreSQL …", flush=True)
            p = bench_postgres(args.docs, args.rounds)
        shown = [(label, e) for label, e in (("Whoosh", w), ("PostgreSQL", p)) if e]
        print(f"\n{'':28}" + "".join(f"{label:>14}" for label, _e in shown))
        for label, key, fmt, scale in (
            ("index docs/s", "docs_per_s", ",.0f", 1.0),
            ("index size MB", "bytes", ".1f", 1e-6),
            ("query p50 ms", "p50_ms", ".2f", 1.0),
            ("query p95 ms", "p95_ms", ".2f", 1.0),
            ("first-round max ms (cold)", "cold_max_ms", ".2f", 1.0),
        ):
            print(f"{label:28}" + "".join(f"{format(e[key] * scale, fmt):>14}" for _l, e in shown))  # type: ignore[operator]
        print("\nper query (mean ms, matches):")
        for key in shown[0][1]["per_query_mean_ms"]:  # type: ignore[union-attr]
            cells = "".join(
                f"{e['per_query_mean_ms'][key]:>9.2f} ({e['totals'][key]:>7})"  # type: ignore[index]
                for _l, e in shown
            )
            print(f"  {key:34}{cells}")
        summary: dict[str, object] = {"docs": args.docs, "rounds": args.rounds}
        for prefix, e in (("whoosh", w), ("pg", p)):
            if e:
                summary[f"{prefix}_docs_per_s"] = round(e["docs_per_s"])  # type: ignore[arg-type]
                summary[f"{prefix}_p50_ms"] = round(e["p50_ms"], 2)  # type: ignore[arg-type]
                summary[f"{prefix}_p95_ms"] = round(e["p95_ms"], 2)  # type: ignore[arg-type]
                summary[f"{prefix}_cold_max_ms"] = round(e["cold_max_ms"], 2)  # type: ignore[arg-type]
                summary[f"{prefix}_mb"] = round(e["bytes"] / 1e6, 1)  # type: ignore[operator]
        if p:
            summary["pg_totals"] = p["totals"]
        summary["load_avg"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(summary, ensure_ascii=False))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
