"""The index writer lock under gevent (gunicorn's worker: ``make run`` and production).

Two greenlets of one process writing to the index must queue, not freeze the process:
before the process-local lock, the second one's blocking ``flock`` stopped the event
loop while the first, which held the lock, could never run again to release it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()
    import sys, time
    import gevent
    from pathlib import Path
    from search.locking import exclusive

    path = Path(sys.argv[1])
    order, ticks = [], []

    def writer(name, hold):
        with exclusive(path):
            order.append(name + ' in')
            gevent.sleep(hold)  # a write that yields (its file I/O, a database round trip)
            order.append(name + ' out')

    def ticker():
        for _ in range(40):
            ticks.append(time.monotonic())
            gevent.sleep(0.01)

    jobs = [gevent.spawn(writer, 'a', 0.3), gevent.spawn(writer, 'b', 0.0), gevent.spawn(ticker)]
    gevent.joinall(jobs, timeout=20)
    print(' '.join(order), len(ticks))
""")


def test_two_greenlets_writing_queue_on_the_lock_and_the_loop_keeps_running(tmp_path):
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "writer.lock")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    order, ticks = done.stdout.rsplit(" ", 1)
    assert order == "a in a out b in b out"  # one writer at a time, both got through
    assert int(ticks) == 40  # other greenlets ran while b waited


def test_a_writer_of_another_process_is_waited_for_and_a_timeout_says_so(tmp_path):
    import fcntl
    import os

    import pytest

    from search.locking import LockTimeout, exclusive

    path = tmp_path / "writer.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl,os,sys,time\n"
                               f"fd=os.open({str(path)!r}, os.O_RDWR)\n"
                               "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(30)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockTimeout), exclusive(path, timeout=0.2):
            pass
    finally:
        holder.kill()
        holder.wait()
    # Released by the kernel when the holder died: ours now, and nobody else's meanwhile.
    with exclusive(path, timeout=5), pytest.raises(BlockingIOError):
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.close(fd)
