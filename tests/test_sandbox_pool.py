"""The pool of started sandbox workers (``search.sandbox.WorkerPool``): a hostile job
costs one worker and nothing else, answers reach the right caller, workers are reused
and replaced, limits hold, nothing is left running, a forked child has its own pool,
and waiting for a worker does not block gevent's loop."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from search import sandbox
from search.sandbox import Limits, WorkerPool
from tests.hostile_pdfs import decompression_bomb

MiB = 1024 * 1024
ROOT = Path(__file__).resolve().parent.parent
JOB = Limits(memory_bytes=512 * MiB, cpu_seconds=10, wall_seconds=30)


@pytest.fixture
def pool():
    pool = WorkerPool(2, diagnostics=True)
    yield pool
    pool.close()


def _gone(pid: int) -> bool:
    """No such process, or a zombie about to be reaped by whoever adopted it."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def _wait_until(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _pdf(tmp_path: Path, pages: int, name: str = "doc") -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    path = tmp_path / f"{name}-{pages}.pdf"
    with open(path, "wb") as f:
        writer.write(f)
    return path


def _both_started(pool: WorkerPool) -> list[int]:
    """Two jobs at once, so that both workers are started; their pids."""
    threads = [threading.Thread(target=pool.run, args=("sleep", "", ["--seconds", "0.3"], JOB)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pids = pool.pids()
    assert len(pids) == 2
    return pids


def test_a_worker_is_reused_for_consecutive_jobs_and_reads_real_files(pool, tmp_path):
    first = pool.run("ping", "", [], JOB)
    second = pool.run("ping", "", [], JOB)
    assert first is not None and second is not None
    assert first.ok and second.ok
    assert first.answer["pid"] == second.answer["pid"]
    pdf = pool.run("inspect-pdf", str(_pdf(tmp_path, 3)), ["--text"], JOB)
    assert pdf is not None and pdf.ok and pdf.answer["ok"] is True and pdf.answer["pages"] == 3
    assert pool.started == 1


HOSTILE = {
    # what the job does, its limits, the outcome the caller must get
    "wall clock": ("sleep", ["--seconds", "3600"], Limits(512 * MiB, 10, 1.0), "timeout"),
    "cpu time": ("spin", ["--seconds", "3600"], Limits(512 * MiB, 1, 60), "timeout"),
    "crash": ("crash", [], JOB, "crashed"),
    "memory": ("allocate", ["--bytes", str(1024 * MiB)], Limits(256 * MiB, 10, 30), "memory"),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_job_kills_only_its_worker_and_the_next_job_gets_a_fresh_one(pool, kind):
    before = _both_started(pool)
    mode, args, limits, status = HOSTILE[kind]
    outcome = pool.run(mode, "", args, limits)
    assert outcome is not None and outcome.status == status
    after = pool.pids()
    survivors = [pid for pid in before if pid in after]
    assert len(survivors) == 1, (before, after)  # the other worker was not touched
    (killed,) = [pid for pid in before if pid not in after]
    assert _gone(killed)
    assert not _gone(survivors[0])
    # both workers answer again: the survivor and the replacement
    answered: set[int] = set()
    barrier = threading.Barrier(2)

    def ping() -> None:
        barrier.wait()
        result = pool.run("sleep", "", ["--seconds", "0.3"], JOB)
        assert result is not None and result.ok
        answered.add(pool.run("ping", "", [], JOB).answer["pid"])  # type: ignore[union-attr]

    threads = [threading.Thread(target=ping) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert killed not in answered and answered <= set(pool.pids())


def test_a_job_beyond_its_memory_limit_gets_memory_and_the_next_one_succeeds(pool):
    small = Limits(300 * MiB, 10, 30)
    outcome = pool.run("allocate", "", ["--bytes", str(400 * MiB)], small)
    assert outcome is not None and outcome.status == "memory"
    fine = pool.run("allocate", "", ["--bytes", str(64 * MiB)], small)
    assert fine is not None and fine.ok and fine.answer["allocated"] == 64 * MiB


def test_a_bomb_is_refused_by_a_pooled_worker_which_then_reads_the_next_file(pool, tmp_path):
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(decompression_bomb(400))
    refused = pool.run("inspect-pdf", str(bomb), [], JOB)
    assert refused is not None and refused.ok and refused.answer == {"ok": False, "error": "bomb"}
    good = pool.run("inspect-pdf", str(_pdf(tmp_path, 2)), [], JOB)
    assert good is not None and good.answer["ok"] is True and good.answer["pages"] == 2


def test_concurrent_jobs_from_several_threads_each_get_their_own_answer(pool, tmp_path):
    files = {pages: _pdf(tmp_path, pages) for pages in range(1, 7)}
    wrong: list[str] = []

    def clerk(number: int) -> None:
        for round_ in range(4):
            pages = (number + round_) % 6 + 1
            outcome = pool.run("inspect-pdf", str(files[pages]), [], JOB)
            if outcome is None or not outcome.ok or outcome.answer.get("pages") != pages:
                wrong.append(f"{number}/{round_}: {outcome}")

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert pool.started == 2  # 24 files, read by the same two workers


def test_a_worker_is_replaced_after_its_quota_of_jobs():
    pool = WorkerPool(1, diagnostics=True, recycle_jobs=3)
    try:
        pids = [pool.run("ping", "", [], JOB).answer["pid"] for _ in range(7)]  # type: ignore[union-attr]
    finally:
        pool.close()
    assert pids[0] == pids[1] == pids[2] != pids[3]
    assert pids[3] == pids[4] == pids[5] != pids[6]


def test_a_worker_whose_memory_grew_is_replaced():
    pool = WorkerPool(1, diagnostics=True, recycle_rss=1)  # every worker has grown "too much"
    try:
        first = pool.run("ping", "", [], JOB)
        second = pool.run("ping", "", [], JOB)
    finally:
        pool.close()
    assert first is not None and second is not None and first.answer["pid"] != second.answer["pid"]


def test_nothing_is_left_running_after_the_pool_closes():
    pool = WorkerPool(2, diagnostics=True)
    workers = _both_started(pool)
    spawned = pool.run("spawn", "", ["--seconds", "3600"], JOB)
    assert spawned is not None and spawned.ok
    grandchild = spawned.answer["child"]
    busy: list[object] = []
    sleeper = threading.Thread(target=lambda: busy.append(pool.run("sleep", "", ["--seconds", "3600"], JOB)))
    sleeper.start()
    assert _wait_until(lambda: len(pool._idle) == 1)  # one worker busy, one idle
    assert pool.pids() == workers
    pool.close()
    sleeper.join(timeout=30)
    assert not sleeper.is_alive()
    assert busy and getattr(busy[0], "status", None) == "crashed"  # the busy worker's job ended
    for pid in workers:  # reaped: not even a zombie of ours
        assert not Path(f"/proc/{pid}").exists()
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    assert _wait_until(lambda: _gone(grandchild))
    assert pool.run("ping", "", [], JOB) is None  # a closed pool takes no job


def test_after_fork_the_child_gets_its_own_pool():
    sandbox.configure(1)
    try:
        parent_pid = sandbox.run_worker("ping", "", JOB).answer["pid"]
        read_end, write_end = os.pipe()
        child = os.fork()
        if child == 0:  # the child: its own worker, whose parent it is
            try:
                os.close(read_end)
                answer = sandbox.run_worker("ping", "", JOB).answer
                with open(f"/proc/{answer['pid']}/stat", encoding="ascii") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                os.write(write_end, json.dumps({"worker": answer["pid"], "its_parent": ppid,
                                                "me": os.getpid()}).encode())
                sandbox.close_shared_pool()
            finally:
                os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as f:
            said = json.loads(f.read() or b"{}")
        os.waitpid(child, 0)
        assert said["worker"] != parent_pid and said["its_parent"] == said["me"] == child
        assert _gone(said["worker"])  # the child closed its pool
        # the parent's worker was neither killed nor disturbed by the child
        assert sandbox.run_worker("ping", "", JOB).answer["pid"] == parent_pid
    finally:
        sandbox.close_shared_pool()
        sandbox.configure(None)


def test_without_a_pool_every_job_gets_a_fresh_interpreter():
    sandbox.configure(0)
    try:
        assert sandbox.shared_pool() is None
        pids = {sandbox.run_worker("ping", "", JOB).answer["pid"] for _ in range(2)}
    finally:
        sandbox.configure(None)
    assert len(pids) == 2


def test_waiting_for_a_worker_does_not_block_gevents_loop():
    """Under gunicorn's gevent worker: while one greenlet waits for its job, others run."""
    script = textwrap.dedent("""
        from gevent import monkey
        monkey.patch_all()
        import json, gevent
        from search.sandbox import Limits, WorkerPool
        pool = WorkerPool(1, diagnostics=True)
        pool.run("ping", "", [], Limits(512 << 20, 10, 30))  # started
        ticks = []
        def ticker():
            while True:
                ticks.append(1)
                gevent.sleep(0.01)
        t = gevent.spawn(ticker)
        job = gevent.spawn(pool.run, "sleep", "", ["--seconds", "1"], Limits(512 << 20, 10, 30))
        job.join()
        during_job = len(ticks)
        late = gevent.spawn(pool.run, "sleep", "", ["--seconds", "60"], Limits(512 << 20, 10, 0.5))
        late.join()
        t.kill()
        pool.close()
        print(json.dumps({"ok": job.value.ok, "ticks": during_job, "late": late.value.status}))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    said = json.loads(done.stdout.strip().splitlines()[-1])
    assert said["ok"] is True and said["late"] == "timeout"
    assert said["ticks"] >= 10  # a blocked loop would have let the ticker run once at most
