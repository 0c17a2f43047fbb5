"""Inter-process locking of the index directory.

Several app processes (web workers, CLI, background jobs) may write to one index.
Whoosh refuses a second writer with ``LockError``; instead every write here first
takes a *blocking* ``fcntl.flock`` on ``<index>/writer.lock``, so writers queue up
in the kernel and none fails or loses its update. The kernel drops the lock when a
process dies, so a crash never leaves the index locked.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LockTimeout(RuntimeError):
    """The writer lock could not be taken in time (another writer is very slow)."""


@contextmanager
def exclusive(path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive flock on ``path``; wait up to ``timeout`` s (None: forever)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if timeout is None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockTimeout(f"index writer lock busy: {path}") from None
                    time.sleep(0.01)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
