"""Inter-process locking of the index directory.

Several app processes (web workers, CLI, background jobs) may write to one index.
Whoosh refuses a second writer with ``LockError``; instead every write here first
takes an exclusive ``fcntl.flock`` on ``<index>/writer.lock``, so writers queue up and
none fails or loses its update. The kernel drops the lock when a process dies, so a
crash never leaves the index locked.

Within one process, writers first queue on a lock of the process (a ``threading.Lock``,
which gevent's monkey-patching makes cooperative), and only then on the flock. Two
flocks of one process on the same file conflict like two processes' do; under gevent
(gunicorn's worker: ``make run`` and production) a greenlet blocked in ``flock`` would
stop the whole event loop, so the greenlet holding the lock could never release it.
Under gevent the wait for another process's flock is a loop of non-blocking attempts
and cooperative sleeps for the same reason.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_process_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()
POLL_SECONDS = 0.005


class LockTimeout(RuntimeError):
    """The writer lock could not be taken in time (another writer is very slow)."""


def _process_lock(path: Path) -> threading.Lock:
    key = os.path.realpath(path)
    with _guard:
        lock = _process_locks.get(key)
        if lock is None:
            lock = _process_locks[key] = threading.Lock()
        return lock


def _cooperative() -> bool:
    """True under gevent's monkey-patching, where a blocking flock would stop every greenlet."""
    try:
        from gevent import monkey
    except ImportError:
        return False
    return bool(monkey.is_module_patched("threading"))


@contextmanager
def exclusive(path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive flock on ``path``; wait up to ``timeout`` s (None: forever)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    local = _process_lock(path)
    if not local.acquire(timeout=-1 if deadline is None else max(0.0, deadline - time.monotonic())):
        raise LockTimeout(f"index writer lock busy in this process: {path}")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if deadline is None and not _cooperative():
                fcntl.flock(fd, fcntl.LOCK_EX)  # the kernel queues the other processes' writers
            else:
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if deadline is not None and time.monotonic() >= deadline:
                            raise LockTimeout(f"index writer lock busy: {path}") from None
                        time.sleep(POLL_SECONDS)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    finally:
        local.release()
