"""Several app processes write at once: none fails, no update is lost."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from searchkit import make_doc, query

from search.whoosh_backend import WhooshBackend


def _writer(index_dir: str, prefix: str, count: int) -> None:
    backend = WhooshBackend(index_dir)
    for i in range(count):
        # One commit per document: the most contention a web app can produce.
        backend.index([make_doc(f"{prefix}-{i}", f"Công văn số {i} của {prefix}")])
        if i % 10 == 0:
            backend.delete([f"{prefix}-gone"])
    backend.close()


def test_two_processes_indexing_at_once_lose_nothing(tmp_path: Path):
    index_dir = str(tmp_path / "index")
    WhooshBackend(index_dir).close()
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(index_dir, p, 40)) for p in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]  # no LockError in either

    backend = WhooshBackend(index_dir)
    res = backend.query(query("công văn", per_page=100))
    assert res.total == 80
    assert {h.id for h in res.hits} == {f"{p}-{i}" for p in "ab" for i in range(40)}
    assert backend.check(expected_docs=80)["ok"]
    backend.close()


def test_reader_in_another_process_sees_new_commits(tmp_path: Path):
    index_dir = tmp_path / "index"
    reader = WhooshBackend(index_dir)
    assert reader.query(query("giao ban")).total == 0
    ctx = mp.get_context("spawn")
    p = ctx.Process(target=_writer, args=(str(index_dir), "c", 2))
    p.start()
    p.join(60)
    assert reader.query(query("công văn")).total == 2
    reader.close()
