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
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
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


def run_worker(mode: str, path: str | os.PathLike[str], limits: Limits, *extra: str) -> Outcome:
    """``search/_worker.py`` on one file: see that script for the modes."""
    return run_limited([sys.executable, "-I", str(WORKER), mode, str(path), *extra], limits)


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()
