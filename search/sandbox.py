"""Running a parser of untrusted input in a child process, with limits.

A file from outside (a citizen's scan, another agency's PDF or DOCX) may be built to
exhaust whatever parses it: a decompression bomb, a cyclic structure, a parser bug that
recurses forever. It is therefore never parsed in a web or worker process. The parsing
runs in a child that

* starts an isolated interpreter (``-I``: no user site, no environment variables) with
  only the standard library, the parsing libraries and one self-contained script;
* sets its own address-space, CPU-time and file-size limits before it reads a byte of
  the file (a small trampoline applies them, then ``exec``\\ s the parser, so external
  tools such as tesseract get the same limits; no ``preexec_fn``, which is unsafe in
  the threaded web server);
* runs in a session of its own, so the parent kills the whole process group at the
  wall-clock deadline, grandchildren included.

The parent reads one JSON object from the child's standard output. Whatever the file
does, the parent gets an :class:`Outcome` back, at the latest at the deadline.

Starting an interpreter and importing pypdf and pyHanko costs most of a second, so the
Python parsers (``search/_worker.py``, :func:`run_worker`) run in a :class:`WorkerPool`
of such children started beforehand, with the same isolation: each is an isolated
interpreter in a session of its own, with a small environment, hard address-space and
file-size caps, and before every job its soft limits lowered to the job's (address
space, file size; CPU time: what it used so far plus the job's seconds). A job is one
JSON line and its bytes on the worker's standard input, the answer one JSON line on its
standard output; the parent waits with a selector (cooperative under gevent's
monkey-patching) until the wall-clock deadline, and on a timeout, a crash or a memory
failure kills the worker's process group and starts another: a hostile file costs one
worker, and the caller gets the same :class:`Outcome` as from a child of its own. A
worker is replaced after ``RECYCLE_JOBS`` jobs, when its resident memory grew beyond
``RECYCLE_RSS_BYTES``, or after a job that exhausted its memory or stack.

There is one pool per process, started on first use, closed at exit and started anew
in a child after ``fork``; its size is ``XASO_SANDBOX_WORKERS`` (default 2) or what
:func:`configure` says. Size 0 means a fresh interpreter per job, as before the pool.
External tools (OCRmyPDF, pdftoppm, LibreOffice) keep their own child each
(:func:`run_limited`).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKER = HERE / "_worker.py"
STDERR_KEPT = 4096  # the end of a failed child's standard error, kept for the log

# Applies the limits to itself, then becomes the command (exec keeps rlimits).
_TRAMPOLINE = (
    "import os,resource,sys\n"
    "m,c,f=(int(v) for v in sys.argv[1:4])\n"
    "resource.setrlimit(resource.RLIMIT_AS,(m,m))\n"
    "resource.setrlimit(resource.RLIMIT_CPU,(c,c+1))\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE,(f,f))\n"
    "resource.setrlimit(resource.RLIMIT_CORE,(0,0))\n"
    "os.execvp(sys.argv[4],sys.argv[4:])\n"
)


@dataclass(frozen=True, slots=True)
class Limits:
    memory_bytes: int
    cpu_seconds: int
    wall_seconds: float
    file_bytes: int = 256 * 1024 * 1024  # what the child may write to a file (pdftoppm)


@dataclass(slots=True)
class Outcome:
    # "ok" (the child answered), "timeout" (wall clock or CPU limit), "memory",
    # "crashed" (died otherwise), "unreadable" (it answered something that is not JSON)
    status: str
    answer: dict = field(default_factory=dict)
    stdout: bytes = b""
    # The child's exit code (None when it never ran) and the end of what it said on
    # standard error: for a tool that reports why it failed by both (OCRmyPDF).
    code: int | None = None
    stderr: bytes = b""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def run_limited(command: list[str], limits: Limits, *, stdin: bytes | None = None, expect_json: bool = True,
                env: dict[str, str] | None = None) -> Outcome:
    """Run ``command`` under ``limits``; never raises because of what the child does.
    ``env`` adds variables to the child's small environment (e.g. ``TMPDIR``, so that a
    tool killed at the deadline leaves its temporary files where the caller cleans up)."""
    argv = [
        sys.executable,
        "-I",
        "-c",
        _TRAMPOLINE,
        str(limits.memory_bytes),
        str(limits.cpu_seconds),
        str(limits.file_bytes),
        *command,
    ]
    env = {"PATH": os.environ.get("PATH", os.defpath), "LANG": "C.UTF-8", "OMP_THREAD_LIMIT": "1", **(env or {})}
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            close_fds=True,
            start_new_session=True,
        )
    except OSError:
        return Outcome("crashed")
    try:
        out, err = proc.communicate(stdin, timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        return Outcome("timeout")
    except BaseException:  # interrupted (KeyboardInterrupt, …): leave nothing behind
        _kill_group(proc)
        raise
    _kill_group(proc)  # grandchildren the child left running
    code = proc.returncode
    said = err[-STDERR_KEPT:]
    if code in (-signal.SIGXCPU, 128 + signal.SIGXCPU):
        return Outcome("timeout", code=code, stderr=said)
    if code != 0 or not expect_json:
        if code != 0:
            memory = b"MemoryError" in err or b"std::bad_alloc" in err or b"Cannot allocate" in err
            return Outcome("memory" if memory or code == -signal.SIGKILL else "crashed", stdout=out,
                           code=code, stderr=said)
        return Outcome("ok", stdout=out, code=code, stderr=said)
    try:
        answer = json.loads(out.decode("utf-8") or "{}")
    except ValueError:
        return Outcome("unreadable", stdout=out)
    if not isinstance(answer, dict):
        return Outcome("unreadable", stdout=out)
    return Outcome("ok", answer, out)


def run_worker(mode: str, path: str | os.PathLike[str], limits: Limits, *extra: str,
               payload: bytes | None = None) -> Outcome:
    """``search/_worker.py`` on one file (or on ``payload``, the bytes a mode such as
    ``verify-signatures`` reads): see that script for the modes. In a worker of the
    process's pool when there is one and the job fits its caps, else in a child of its own."""
    pool = shared_pool()
    if pool is not None and pool.accepts(limits):
        outcome = pool.run(mode, str(path), list(extra), limits, payload)
        if outcome is not None:
            return outcome
    return run_alone(mode, path, limits, *extra, payload=payload)


def run_alone(mode: str, path: str | os.PathLike[str], limits: Limits, *extra: str,
              payload: bytes | None = None) -> Outcome:
    """One job in a fresh interpreter of its own (no pool)."""
    return run_limited([sys.executable, "-I", str(WORKER), mode, str(path), *extra], limits, stdin=payload)


def _died(code: int | None, err: bytes) -> str:
    """What a child's death means for the caller: "timeout", "memory" or "crashed"."""
    if code in (-signal.SIGXCPU, 128 + signal.SIGXCPU):
        return "timeout"
    memory = b"MemoryError" in err or b"std::bad_alloc" in err or b"Cannot allocate" in err
    return "memory" if memory or code == -signal.SIGKILL else "crashed"


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


# --- the pool of started workers --------------------------------------------------------

MiB = 1024 * 1024
DEFAULT_WORKERS = 2
MAX_WORKERS = 32
# A pooled worker's hard caps; a job asking for more runs in a child of its own.
POOL_MEMORY_CAP = 2048 * MiB
POOL_FILE_CAP = 1024 * MiB
RECYCLE_JOBS = 200  # jobs a worker takes before it is replaced
RECYCLE_RSS_BYTES = 320 * MiB  # resident memory after a job beyond which it is replaced (leaks, fragments)
STARTUP_SECONDS = 60.0  # for a new worker to import its libraries and say it is ready
MAX_ANSWER_BYTES = 64 * MiB
PIPE_CHUNK = 64 * 1024


class _Worker:
    """One started ``_worker.py serve``: its process, the three pipes (non-blocking,
    waited on with a selector), the jobs it has done."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        ends: list[int] = []
        try:
            stdin_r, stdin_w = os.pipe()
            ends += [stdin_r, stdin_w]
            out_r, out_w = os.pipe()
            ends += [out_r, out_w]
            err_r, err_w = os.pipe()
            ends += [err_r, err_w]
            self.proc = subprocess.Popen(argv, stdin=stdin_r, stdout=out_w, stderr=err_w, env=env,
                                         close_fds=True, start_new_session=True)
        except BaseException:
            for fd in ends:
                os.close(fd)
            raise
        for fd in (stdin_r, out_w, err_w):
            os.close(fd)
        self.to_child, self.from_child, self.errors = stdin_w, out_r, err_r
        for fd in (stdin_w, out_r, err_r):
            os.set_blocking(fd, False)
        self.pid = self.proc.pid
        self.ready = False
        self.jobs = 0
        self.closed = False
        self._pending = b""  # what came after the last answer's line
        self.stderr_tail = b""

    def alive(self) -> bool:
        return not self.closed and self.proc.poll() is None

    def exchange(self, data: bytes, deadline: float) -> tuple[str, bytes]:
        """Send ``data`` and wait for one line back: ("line", the line), or ("eof", b"")
        when the worker closed its output (it died), ("timeout", b"") at the deadline,
        ("too-long", b"") when it talks past ``MAX_ANSWER_BYTES``. Standard error is
        read meanwhile (its end kept), so the worker never blocks on it."""
        selector = selectors.DefaultSelector()
        try:
            selector.register(self.from_child, selectors.EVENT_READ, "out")
            selector.register(self.errors, selectors.EVENT_READ, "err")
            view, sent = memoryview(data), 0
            if data:
                selector.register(self.to_child, selectors.EVENT_WRITE, "in")
            received = bytearray(self._pending)
            self._pending = b""
            while True:
                end = received.find(b"\n")
                if end >= 0:
                    self._pending = bytes(received[end + 1:])
                    return "line", bytes(received[:end])
                if len(received) > MAX_ANSWER_BYTES:
                    return "too-long", b""
                left = deadline - time.monotonic()
                if left <= 0:
                    return "timeout", b""
                for key, _events in selector.select(left):
                    if key.data == "in":
                        try:
                            sent += os.write(self.to_child, view[sent:sent + PIPE_CHUNK])
                        except BlockingIOError:
                            continue
                        except OSError:  # it stopped reading (died, or answered early)
                            sent = len(data)
                        if sent >= len(data):
                            selector.unregister(self.to_child)
                        continue
                    try:
                        chunk = os.read(key.fd, PIPE_CHUNK)
                    except BlockingIOError:
                        continue
                    if key.data == "out":
                        if not chunk:
                            return "eof", b""
                        received += chunk
                    elif chunk:
                        self.stderr_tail = (self.stderr_tail + chunk)[-STDERR_KEPT:]
                    else:
                        selector.unregister(self.errors)
        finally:
            selector.close()

    def exit_code(self, wait: float = 5.0) -> int | None:
        """The exit code of a worker that closed its output (killed if it lingers)."""
        try:
            return self.proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.proc.returncode

    def rss(self) -> int:
        try:
            with open(f"/proc/{self.pid}/statm", encoding="ascii") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            return 0

    def kill(self) -> None:
        """Kill its process group (grandchildren included), reap it, close the pipes."""
        if self.closed:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        self.proc.wait()
        self.close_pipes()

    def close_pipes(self) -> None:
        if not self.closed:
            self.closed = True
            for fd in (self.to_child, self.from_child, self.errors):
                with contextlib.suppress(OSError):
                    os.close(fd)


class WorkerPool:
    """Up to ``size`` started workers, shared by the threads (or greenlets) of one
    process; a job takes an idle worker or waits for one."""

    def __init__(self, size: int, *, diagnostics: bool = False, memory_cap: int = POOL_MEMORY_CAP,
                 file_cap: int = POOL_FILE_CAP, recycle_jobs: int = RECYCLE_JOBS,
                 recycle_rss: int = RECYCLE_RSS_BYTES) -> None:
        self.size = max(1, size)
        self.pid = os.getpid()
        self.memory_cap, self.file_cap = memory_cap, file_cap
        self.recycle_jobs, self.recycle_rss = recycle_jobs, recycle_rss
        self._argv = [sys.executable, "-I", str(WORKER), "serve", "--memory-cap", str(memory_cap),
                      "--file-cap", str(file_cap), *(["--diagnostics"] if diagnostics else [])]
        self._env = {"PATH": os.environ.get("PATH", os.defpath), "LANG": "C.UTF-8", "OMP_THREAD_LIMIT": "1"}
        self._lock = threading.Condition()
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self.closed = False
        self.started = 0  # workers started so far (for the curious: tests, benchmarks)

    def accepts(self, limits: Limits) -> bool:
        return limits.memory_bytes <= self.memory_cap and limits.file_bytes <= self.file_cap

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._all)

    def run(self, mode: str, path: str, args: list[str], limits: Limits,
            payload: bytes | None = None) -> Outcome | None:
        """The job's outcome; None when the pool cannot take it (closed, or no worker
        would start): the caller then runs it in a child of its own."""
        worker = self._checkout()
        if worker is None:
            return None
        keep = False
        try:
            if not worker.ready and not self._started(worker):
                return None
            outcome, keep = self._job(worker, mode, path, args, limits, payload or b"")
            return outcome
        finally:
            self._checkin(worker, keep)

    def _started(self, worker: _Worker) -> bool:
        status, line = worker.exchange(b"", time.monotonic() + STARTUP_SECONDS)
        try:
            worker.ready = status == "line" and json.loads(line).get("ready") == worker.pid
        except (ValueError, AttributeError):
            worker.ready = False
        return worker.ready

    def _job(self, worker: _Worker, mode: str, path: str, args: list[str], limits: Limits,
             payload: bytes) -> tuple[Outcome, bool]:
        request = {"mode": mode, "path": path, "args": args, "payload": len(payload),
                   "memory": limits.memory_bytes, "cpu": limits.cpu_seconds, "file": limits.file_bytes}
        worker.stderr_tail = b""
        status, line = worker.exchange(json.dumps(request).encode() + b"\n" + payload,
                                       time.monotonic() + limits.wall_seconds)
        worker.jobs += 1
        if status == "timeout":
            return Outcome("timeout"), False
        if status == "too-long":
            return Outcome("unreadable"), False
        if status == "eof":
            code = worker.exit_code()
            died = "crashed" if self.closed else _died(code, worker.stderr_tail)  # closed: killed by us
            return Outcome(died, code=code, stderr=worker.stderr_tail), False
        try:
            message = json.loads(line.decode("utf-8"))
        except ValueError:
            return Outcome("unreadable", stdout=line), False
        if not isinstance(message, dict):
            return Outcome("unreadable", stdout=line), False
        keep = not message.get("retire") and worker.jobs < self.recycle_jobs
        if "failed" in message:
            failed = message["failed"]
            return Outcome(failed if failed in ("memory", "timeout") else "crashed"), False
        answer = message.get("answer")
        if not isinstance(answer, dict):
            return Outcome("unreadable", stdout=line), False
        if keep and worker.rss() > self.recycle_rss:
            keep = False
        return Outcome("ok", answer, line), keep

    def _checkout(self) -> _Worker | None:
        with self._lock:
            while True:
                if self.closed or os.getpid() != self.pid:
                    return None
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive():
                        return worker
                    self._all.discard(worker)
                    worker.kill()
                if len(self._all) < self.size:
                    return self._spawn()
                self._lock.wait()

    def _spawn(self) -> _Worker | None:
        """A new worker (the lock held); None if the system would not start one."""
        try:
            worker = _Worker(self._argv, self._env)
        except OSError:
            return None
        self._all.add(worker)
        self.started += 1
        return worker

    def _checkin(self, worker: _Worker, keep: bool) -> None:
        """Back to the idle ones, or killed and replaced by a new worker, which imports
        its libraries while nobody waits for it."""
        with self._lock:
            usable = not self.closed and os.getpid() == self.pid
            keep = keep and usable
            if keep:
                self._idle.append(worker)
            else:
                self._all.discard(worker)
                if usable and len(self._all) < self.size:
                    replacement = self._spawn()
                    if replacement is not None:
                        self._idle.append(replacement)
            self._lock.notify()
        if not keep:
            worker.kill()

    def close(self) -> None:
        """Kill every worker: the idle ones now, the busy ones too (their jobs end as
        "crashed"). Nothing is left running."""
        with self._lock:
            self.closed = True
            idle, busy = list(self._idle), self._all - set(self._idle)
            self._idle.clear()
            self._all -= set(idle)
            self._lock.notify_all()
        for worker in idle:
            worker.kill()
        for worker in busy:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(worker.pid, signal.SIGKILL)

    def abandon(self) -> None:
        """In a child after ``fork``: forget the parent's workers (they are not ours to
        kill or reap), closing our copies of their pipes."""
        self.closed = True
        for worker in list(self._all):
            worker.close_pipes()
            worker.proc.returncode = 0  # not our child: never to be waited for here
        self._all.clear()
        self._idle.clear()


_shared: WorkerPool | None = None
_shared_lock = threading.Lock()
_configured: int | None = None


def configure(workers: int | None) -> None:
    """The size of the process's pool (None: ``XASO_SANDBOX_WORKERS``); 0: no pool."""
    global _configured
    _configured = None if workers is None else max(0, min(int(workers), MAX_WORKERS))


def configured_workers() -> int:
    if _configured is not None:
        return _configured
    try:
        return max(0, min(int(os.environ.get("XASO_SANDBOX_WORKERS", DEFAULT_WORKERS)), MAX_WORKERS))
    except ValueError:
        return DEFAULT_WORKERS


def shared_pool() -> WorkerPool | None:
    """This process's pool, started on first use (None when its size is 0)."""
    global _shared
    size = configured_workers()
    pool = _shared
    if pool is not None and pool.pid == os.getpid() and not pool.closed and pool.size == size:
        return pool
    retired = None
    with _shared_lock:
        pool = _shared
        if pool is not None and pool.pid != os.getpid():
            pool.abandon()
            pool = _shared = None
        if pool is not None and (pool.closed or pool.size != size):
            retired, pool, _shared = pool, None, None
        if pool is None and size > 0:
            pool = _shared = WorkerPool(size)
    if retired is not None:
        retired.close()
    return pool


def close_shared_pool() -> None:
    global _shared
    with _shared_lock:
        pool, _shared = _shared, None
    if pool is not None:
        if pool.pid == os.getpid():
            pool.close()
        else:
            pool.abandon()


def _after_fork_in_child() -> None:
    global _shared, _shared_lock
    _shared_lock = threading.Lock()  # another thread of the parent may have held it
    pool, _shared = _shared, None
    if pool is not None:
        pool.abandon()


atexit.register(close_shared_pool)
os.register_at_fork(after_in_child=_after_fork_in_child)
