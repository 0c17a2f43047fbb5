"""Is this instance whole? One pass over everything that must agree with something else.

Areas, in the order they are checked:

* ``database``  — SQLite's own integrity and foreign-key checks; the schema revision;
* ``files``     — every blob record has its bytes on disk with the right size and
  SHA-256 (``quick``: existence and size only), every file record its blob; no bytes
  on disk without a record, no upload left half-written in ``<store>/tmp``;
* ``registers`` — numbers of each register (incoming số đến, outgoing số đi, per
  organisation, year and series) run 1 … last number, each once;
* ``audit``     — every organisation's hash chain (:func:`docmgmt.audit.operations.verify`);
* ``search``    — the index holds exactly the indexable records of every kind (never a
  confidential one; ``searching.kinds``), can be read, its outbox is not stuck and no
  attached file waits long for its text;
* ``meetings``  — each meeting's event log runs 1 … its sequence number, each once;
* ``records``   — every closed or archived dossier still holds what its manifest fixed
  at closing: each filed document still points at the files listed, each file record
  and its bytes on disk have the listed size and SHA-256 (``quick``: sizes only), and
  the manifest itself has the dossier's recorded hash.

A finding is either an *inconsistency* (something recorded is missing, wrong, or
disagrees with something else) or *debris*: what a crash leaves behind by design and
that harms nobody (bytes written before a transaction that never committed, a
temporary upload, index jobs not yet applied). ``repair`` removes debris older than the
grace period and rebuilds the search index when it disagrees with the database; it
never touches records, numbers, the audit log or meeting logs, which are evidence.

Anything younger than ``grace`` seconds may belong to a request in flight on a running
instance and is not reported.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from ..audit.operations import verify as verify_audit
from ..core.timeutil import utcnow
from ..documents.registers import Direction, Register
from ..extensions import db
from ..files.models import Blob, StoredFile
from ..files.store import FileStore, release_blob, unnamed_blob
from ..incoming.models import IncomingDocument
from ..org.models import Organisation
from ..outgoing.models import OutgoingDocument
from ..records.models import Dossier
from ..records.operations import verify_dossier
from ..records.workflow import DossierStatus
from ..searching import kinds as search_kinds
from ..searching.backend import get_backend
from ..searching.indexing import missing_text, reindex, settle
from ..searching.models import SearchJob

AREAS = ("database", "files", "registers", "audit", "search", "meetings", "records")
DEFAULT_GRACE_S = 300
HASH_CHUNK = 1024 * 1024
LISTED = 20  # at most this many items named in one finding's message
SHA256_RE = re.compile(r"[0-9a-f]{64}")


@dataclass
class Finding:
    area: str
    kind: str  # stable code, e.g. blob_missing, register_gap, audit_edited
    message: str
    debris: bool = False  # a harmless leftover of a crash, removable by repair
    repaired: bool = False
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, dict[str, Any]] = field(default_factory=lambda: {a: {} for a in AREAS})
    seconds: float = 0.0
    quick: bool = False
    repair: bool = False

    def add(self, finding: Finding) -> Finding:
        self.findings.append(finding)
        return finding

    @property
    def inconsistencies(self) -> list[Finding]:
        return [f for f in self.findings if not f.debris]

    @property
    def debris(self) -> list[Finding]:
        return [f for f in self.findings if f.debris]

    @property
    def unrepaired(self) -> list[Finding]:
        return [f for f in self.findings if not f.repaired]

    @property
    def ok(self) -> bool:
        """Nothing wrong is left (what repair fixed does not count against it)."""
        return not self.unrepaired

    def of(self, area: str) -> list[Finding]:
        return [f for f in self.findings if f.area == area]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "inconsistencies": len(self.inconsistencies),
            "debris": len(self.debris),
            "repaired": sum(f.repaired for f in self.findings),
            "quick": self.quick,
            "repair": self.repair,
            "seconds": round(self.seconds, 2),
            "areas": {area: {"ok": not [f for f in self.of(area) if not f.repaired],
                             "checked": self.checked[area],
                             "findings": [asdict(f) for f in self.of(area)]}
                      for area in AREAS},
        }


def run_checks(*, quick: bool = False, repair: bool = False, grace: float = DEFAULT_GRACE_S,
               areas: Iterable[str] = AREAS) -> Report:
    """Check the instance of the current app; ``repair`` as described in the module."""
    started = time.monotonic()
    report = Report(quick=quick, repair=repair)
    wanted = set(areas)
    for area, fn in (("database", _database), ("files", _files), ("registers", _registers),
                     ("audit", _audit), ("search", _search), ("meetings", _meetings),
                     ("records", _records)):
        if area in wanted:
            fn(report, quick=quick, repair=repair, grace=grace)
            db.session.rollback()  # end the read transaction: never hold SQLite's snapshot
    report.seconds = time.monotonic() - started
    return report


def _listing(items: list, limit: int = LISTED) -> str:
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f" … ({len(items)} in all)" if len(items) > limit else "")


def _ranges(numbers: Iterable[int]) -> list[str]:
    """[3, 4, 5, 9] → ["3–5", "9"]."""
    out: list[str] = []
    run: list[int] = []
    for n in sorted(numbers):
        if run and n == run[-1] + 1:
            run.append(n)
            continue
        if run:
            out.append(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [n]
    if run:
        out.append(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]))
    return out


# --- the database itself ------------------------------------------------------------------

def schema_revisions() -> tuple[str | None, set[str]]:
    """(the database's Alembic revision, the heads this code knows)."""
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    try:
        current = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    except sa.exc.DBAPIError:
        db.session.rollback()
        current = None
    return current, heads


def _database(report: Report, *, quick: bool, **_kw) -> None:
    checked = report.checked["database"]
    dialect = db.engine.dialect.name
    checked["dialect"] = dialect
    current, heads = schema_revisions()
    checked["revision"] = current
    if current not in heads:
        report.add(Finding("database", "schema_outdated",
                           f"schema revision {current}, this version needs {_listing(sorted(heads))}: "
                           "run `flask --app docmgmt db upgrade`",
                           data={"revision": current, "heads": sorted(heads)}))
    if dialect != "sqlite":
        return
    pragma = "quick_check" if quick else "integrity_check"
    rows = [r[0] for r in db.session.execute(sa.text(f"PRAGMA {pragma}"))]
    checked[pragma] = rows[:LISTED]
    if rows != ["ok"]:
        report.add(Finding("database", "database_corrupt",
                           f"SQLite {pragma}: {_listing(rows)}", data={"messages": rows[:100]}))
    problems = db.session.execute(sa.text("PRAGMA foreign_key_check")).all()
    checked["foreign_key_problems"] = len(problems)
    if problems:
        named = [f"{table} row {rowid} → {parent}" for table, rowid, parent, _fk in problems]
        report.add(Finding("database", "foreign_key",
                           f"{len(problems)} row(s) refer to rows that do not exist: {_listing(named)}",
                           data={"rows": named[:100]}))


# --- files ---------------------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _files(report: Report, *, quick: bool, repair: bool, grace: float) -> None:
    checked = report.checked["files"]
    store = FileStore.from_app()
    missing, wrong_size, corrupt = [], [], []
    known: set[str] = set()
    total_bytes = 0
    rows = db.session.execute(sa.select(Blob.sha256, Blob.size).order_by(Blob.sha256)
                              .execution_options(yield_per=1000))
    for sha, size in rows:
        known.add(sha)
        path = store.path_for(sha)
        try:
            actual = path.stat().st_size
        except FileNotFoundError:
            missing.append(sha)
            continue
        total_bytes += actual
        if actual != size:
            wrong_size.append((sha, size, actual))
        elif not quick and sha256_of(path) != sha:
            corrupt.append(sha)
    checked.update(blobs=len(known), bytes=total_bytes, hashed=not quick)
    if missing:  # removed meanwhile with its record (an unattached file pruned)? Ask again.
        with db.engine.connect() as conn:
            still = {sha for i in range(0, len(missing), 500) for sha in conn.scalars(
                sa.select(Blob.sha256).where(Blob.sha256.in_(missing[i:i + 500])))}
        missing = [sha for sha in missing if sha in still and not store.path_for(sha).exists()]
    users = _file_records_of(missing + [s for s, _a, _b in wrong_size] + corrupt)
    for sha in missing:
        report.add(Finding("files", "blob_missing",
                           f"blob {sha} is missing from the store ({users[sha]})",
                           data={"sha256": sha, "path": str(store.path_for(sha))}))
    for sha, size, actual in wrong_size:
        report.add(Finding("files", "blob_size",
                           f"blob {sha} has {actual} bytes on disk, {size} recorded ({users[sha]})",
                           data={"sha256": sha, "recorded": size, "on_disk": actual}))
    for sha in corrupt:
        report.add(Finding("files", "blob_corrupt",
                           f"blob {sha}: the bytes on disk no longer have this SHA-256 ({users[sha]})",
                           data={"sha256": sha}))

    # File records: each names a blob that exists and has the same size.
    records = db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) or 0
    checked["file_records"] = records
    bad = db.session.execute(
        sa.select(StoredFile.id, StoredFile.sha256, StoredFile.size, Blob.size)
        .outerjoin(Blob, Blob.sha256 == StoredFile.sha256)
        .where(sa.or_(Blob.sha256.is_(None), Blob.size != StoredFile.size))
        .order_by(StoredFile.id).limit(1000)
    ).all()
    for file_id, sha, size, blob_size in bad:
        if blob_size is None:
            report.add(Finding("files", "file_without_blob",
                               f"file record #{file_id} names blob {sha}, which has no record",
                               data={"stored_file_id": file_id, "sha256": sha}))
        else:
            report.add(Finding("files", "file_size",
                               f"file record #{file_id} says {size} bytes, its blob {blob_size}",
                               data={"stored_file_id": file_id, "sha256": sha}))

    # Blob records no file record names: a prune of unattached uploads interrupted
    # between its two steps (the next prune releases them too).
    limit = utcnow() - timedelta(seconds=grace)
    unnamed = list(db.session.scalars(
        sa.select(Blob.sha256).where(unnamed_blob(Blob.sha256),  # no file record, no OCR copy's row
                                     Blob.created_at < limit).order_by(Blob.sha256)))
    for sha in unnamed:
        finding = report.add(Finding("files", "blob_unreferenced",
                                     f"blob {sha} is recorded but no file record names it",
                                     debris=True, data={"sha256": sha}))
        if repair:
            release_blob(sha)
            finding.repaired = True

    # Bytes without a record: written by a transaction that never committed.
    now = time.time()
    orphans, young = [], 0
    for path in sorted(store.root.glob("??/??/*")):
        if path.name in known or not path.is_file():
            continue
        try:
            age = now - path.stat().st_mtime
        except FileNotFoundError:  # removed meanwhile (a rollback cleaning up)
            continue
        if age < grace:
            young += 1
        else:
            orphans.append((path, age))
    checked["orphans_in_grace"] = young
    for path, age in orphans:
        finding = report.add(Finding(
            "files", "orphan_blob",
            f"{path.relative_to(store.root)} has no record ({path.stat().st_size} bytes, "
            f"{_age(age)} old)", debris=True, data={"path": str(path)}))
        if repair and _remove_orphan(path, grace):
            finding.repaired = True

    # Half-written uploads.
    tmp = store.root / "tmp"
    stale = []
    if tmp.is_dir():
        for path in sorted(tmp.iterdir()):
            try:
                age = now - path.stat().st_mtime
            except FileNotFoundError:
                continue
            if path.is_file() and age >= grace:
                stale.append((path, age))
    for path, age in stale:
        finding = report.add(Finding("files", "stale_tmp",
                                     f"tmp/{path.name}: an upload left half-written {_age(age)} ago",
                                     debris=True, data={"path": str(path)}))
        if repair:
            path.unlink(missing_ok=True)
            finding.repaired = True


def sweep_leftovers(grace: float = 3600) -> str:
    """The worker's hourly job: remove what crashes left in the file store (bytes without
    a record, half-written uploads, records of blobs nothing names) once older than
    ``grace``; say so if the store has real problems."""
    report = run_checks(areas=["files"], quick=True, repair=True, grace=grace)
    removed = sum(f.repaired for f in report.findings)
    line = f"{removed} leftover file(s) removed"
    if report.inconsistencies:  # first: the worker does not print reports starting "0 "
        line = (f"PROBLEMS in the file store ({len(report.inconsistencies)}): run "
                f"`flask --app docmgmt check`; {line}")
    return line


def _remove_orphan(path: Path, grace: float) -> bool:
    """Remove bytes without a record through the store's own removal (``release_blob``:
    under the per-blob lock, in a transaction of its own, so bytes that a transaction is
    recording right now are left alone). True if they are gone."""
    try:
        if time.time() - path.stat().st_mtime < grace:
            return False
    except FileNotFoundError:
        return True
    if SHA256_RE.fullmatch(path.name):
        release_blob(path.name)
    else:  # not a blob's name at all: nothing records it
        path.unlink(missing_ok=True)
    return not path.exists()


def _file_records_of(shas: list[str]) -> dict[str, str]:
    """For each hash, a few words naming the file records that use it."""
    named: dict[str, list[str]] = defaultdict(list)
    for i in range(0, len(shas), 500):
        for file_id, sha, name in db.session.execute(
            sa.select(StoredFile.id, StoredFile.sha256, StoredFile.original_name)
            .where(StoredFile.sha256.in_(shas[i:i + 500])).order_by(StoredFile.id)
        ):
            named[sha].append(f"#{file_id} {name!r}")
    return defaultdict(lambda: "no file record", {
        sha: f"file record{'s' if len(v) > 1 else ''} {_listing(v, 3)}" for sha, v in named.items()})


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


# --- registers -----------------------------------------------------------------------------

def _register_numbers() -> sa.Subquery:
    incoming = sa.select(IncomingDocument.register_id.label("register_id"),
                         IncomingDocument.arrival_number.label("number"),
                         sa.literal(str(Direction.INCOMING)).label("direction")
                         ).where(IncomingDocument.register_id.is_not(None))
    outgoing = sa.select(OutgoingDocument.register_id, OutgoingDocument.number,
                         sa.literal(str(Direction.OUTGOING))
                         ).where(OutgoingDocument.register_id.is_not(None))
    return sa.union_all(incoming, outgoing).subquery()


def _sequence_faults(used: list[int], last: int) -> tuple[list[int], list[int], list[int]]:
    """What is wrong with numbers meant to run 1 … ``last`` once each (a register's
    numbers, a meeting's events): the missing ones, those used twice, those outside."""
    counts = Counter(used)
    gaps = [i for i in range(1, last + 1) if i not in counts]
    twice = sorted(i for i, c in counts.items() if c > 1)
    outside = sorted(i for i in counts if i > last or i < 1)
    return gaps, twice, outside


def _registers(report: Report, **_kw) -> None:
    checked = report.checked["registers"]
    numbers = _register_numbers()
    stats = {row.register_id: row for row in db.session.execute(
        sa.select(numbers.c.register_id, sa.func.count().label("n"),
                  sa.func.count(sa.distinct(numbers.c.number)).label("distinct"),
                  sa.func.min(numbers.c.number).label("low"),
                  sa.func.max(numbers.c.number).label("high"))
        .group_by(numbers.c.register_id))}
    wrong_direction: dict[int, int] = {reg_id: n for reg_id, n in db.session.execute(
        sa.select(numbers.c.register_id, sa.func.count())
        .join(Register, Register.id == numbers.c.register_id)
        .where(Register.direction != numbers.c.direction).group_by(numbers.c.register_id))}
    orgs: dict[int, str] = {i: name for i, name in db.session.execute(
        sa.select(Organisation.id, Organisation.name))}
    registers = db.session.scalars(sa.select(Register).order_by(Register.id)).all()
    checked.update(registers=len(registers), numbers=sum(s.n for s in stats.values()))
    for reg in registers:
        label = f"{reg.name} ({orgs.get(reg.organisation_id, reg.organisation_id)}, register #{reg.id})"
        row = stats.get(reg.id)
        n, distinct, low, high = (row.n, row.distinct, row.low, row.high) if row else (0, 0, 0, 0)
        if wrong_direction.get(reg.id):
            report.add(Finding("registers", "register_direction",
                               f"{label}: {wrong_direction[reg.id]} document(s) of the other "
                               "direction carry its numbers", data={"register_id": reg.id}))
        if n == distinct == reg.last_number and (n == 0 or (low == 1 and high == reg.last_number)):
            continue
        used = [num for (num,) in db.session.execute(
            sa.select(numbers.c.number).where(numbers.c.register_id == reg.id))]
        top = max([reg.last_number, *used]) if used else reg.last_number
        gaps, twice, ahead = _sequence_faults(used, reg.last_number)
        base = {"register_id": reg.id, "last_number": reg.last_number, "highest_used": top}
        if gaps:
            report.add(Finding("registers", "register_gap",
                               f"{label}: number(s) {_listing(_ranges(gaps))} taken but held by no "
                               f"document (last number given: {reg.last_number})",
                               data={**base, "missing": gaps[:1000]}))
        if twice:
            report.add(Finding("registers", "register_duplicate",
                               f"{label}: number(s) {_listing(twice)} given twice",
                               data={**base, "duplicates": twice[:1000]}))
        if ahead:
            report.add(Finding("registers", "register_ahead",
                               f"{label}: number(s) {_listing(_ranges(ahead))} used but the register's "
                               f"counter says {reg.last_number}: the next numbers would collide",
                               data={**base, "ahead": ahead[:1000]}))


# --- audit ---------------------------------------------------------------------------------

def _audit(report: Report, **_kw) -> None:
    from ..audit.models import AuditEntry

    checked = report.checked["audit"]
    checked["chains"] = db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))
    checked["entries"] = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    for problem in verify_audit():
        report.add(Finding("audit", f"audit_{problem.kind}", str(problem),
                           data={"organisation_id": problem.organisation_id, "seq": problem.seq,
                                 "entry_id": problem.entry_id}))


# --- search --------------------------------------------------------------------------------

def _search_state(grace: float) -> dict[str, Any]:
    """What the database expects the index to hold and what it holds."""
    # Every kind the index holds, each as its source says (searching.kinds).
    wanted = search_kinds.expected(db.session())
    expected, confidential = wanted.expected, wanted.confidential
    jobs = db.session.execute(sa.select(SearchJob.kind, SearchJob.document_id, SearchJob.enqueued_at)).all()
    queued = {i for kind, doc_id, _at in jobs for i in search_kinds.SOURCE_OF[kind].index_ids(doc_id)}
    limit = utcnow() - timedelta(seconds=grace)
    stuck = [at for _k, _d, at in jobs if at is not None and at < limit]
    # Files whose text the extraction step (worker, background thread) has not read yet.
    lacking = missing_text().subquery()
    unread = db.session.execute(
        sa.select(lacking.c.sha256, sa.func.min(lacking.c.created_at)).group_by(lacking.c.sha256)).all()
    health = get_backend().check()
    indexed: set[str] = set()
    if health["ok"]:
        try:
            indexed = set(get_backend().ids())
        except Exception as exc:  # noqa: BLE001 - unreadable is what we report
            health = {**health, "ok": False, "error": f"{type(exc).__name__}: {exc}"}
    db.session.rollback()
    return {"expected": expected, "confidential": confidential, "queued": queued, "jobs": len(jobs),
            "stuck": stuck, "health": health, "indexed": indexed, "unread": len(unread),
            "unread_old": sorted(sha for sha, at in unread if at is None or at < limit)}


def _search_findings(st: dict[str, Any]) -> list[Finding]:
    found: list[Finding] = []
    health = st["health"]
    if not health["ok"]:
        found.append(Finding("search", "search_damaged",
                             f"the index cannot be read: {health.get('error')}",
                             data={"generation": health.get("generation")}))
        return found
    settled = st["indexed"] - st["queued"]
    missing = sorted(st["expected"] - st["indexed"] - st["queued"])
    leaked = sorted(st["confidential"] & settled)
    gone = sorted(settled - st["expected"] - st["confidential"])
    if missing:
        found.append(Finding("search", "search_missing",
                             f"{len(missing)} document(s) not in the index: {_listing(missing)}",
                             data={"ids": missing[:1000]}))
    if leaked:
        found.append(Finding("search", "search_confidential",
                             f"{len(leaked)} confidential document(s) in the index: {_listing(leaked)}",
                             data={"ids": leaked[:1000]}))
    if gone:
        found.append(Finding("search", "search_unknown",
                             f"{len(gone)} indexed document(s) that the database does not hold: "
                             f"{_listing(gone)}", data={"ids": gone[:1000]}))
    if st["stuck"]:
        oldest = min(st["stuck"])
        found.append(Finding("search", "search_stuck",
                             f"{len(st['stuck'])} index job(s) waiting since {oldest.isoformat(timespec='seconds')}"
                             " (is anything draining? `flask --app docmgmt search drain`)",
                             debris=True, data={"jobs": len(st["stuck"])}))
    if st["unread_old"]:
        found.append(Finding("search", "search_text_pending",
                             f"{len(st['unread_old'])} attached file(s) whose text has not been read for "
                             "the index (is the worker running? `flask --app docmgmt search drain`)",
                             debris=True, data={"sha256": st["unread_old"][:100]}))
    return found


def _search(report: Report, *, repair: bool, grace: float, **_kw) -> None:
    st = _search_state(grace)
    report.checked["search"].update(expected=len(st["expected"]), indexed=len(st["indexed"]),
                                    queued=st["jobs"], files_without_text=st["unread"])
    found = _search_findings(st)
    for finding in found:
        report.add(finding)
    if not (repair and found):
        return
    # Read what is unread and apply the queue first; rebuild from the database if that
    # was not enough.
    settle()
    after = _search_findings(_search_state(grace))
    if after and any(not f.debris for f in after):
        reindex()
        after = _search_findings(_search_state(grace))
    still = {f.kind for f in after}
    for finding in found:
        finding.repaired = finding.kind not in still
    report.checked["search"]["repair"] = "rebuilt" if still != {f.kind for f in found} else "none"


# --- meetings ------------------------------------------------------------------------------

def _meetings(report: Report, **_kw) -> None:
    """Through the tables (the meetings package is built on docmgmt, not the reverse)."""
    tables = db.metadata.tables
    if "meeting" not in tables or "meeting_event" not in tables:
        report.checked["meetings"]["skipped"] = "meetings not installed"
        return
    meeting, event = tables["meeting"], tables["meeting_event"]
    rows = db.session.execute(
        sa.select(meeting.c.id, meeting.c.title, meeting.c.seq, sa.func.count(event.c.id).label("n"),
                  sa.func.count(sa.distinct(event.c.seq)).label("distinct"),
                  sa.func.min(event.c.seq).label("low"), sa.func.max(event.c.seq).label("high"))
        .outerjoin(event, event.c.meeting_id == meeting.c.id)
        .group_by(meeting.c.id, meeting.c.title, meeting.c.seq).order_by(meeting.c.id)).all()
    report.checked["meetings"].update(meetings=len(rows), events=sum(r.n for r in rows))
    for row in rows:
        if row.n == row.distinct == row.seq and (row.n == 0 or (row.low == 1 and row.high == row.seq)):
            continue
        seqs = [s for (s,) in db.session.execute(
            sa.select(event.c.seq).where(event.c.meeting_id == row.id))]
        label = f"meeting #{row.id} {row.title!r}"
        gaps, twice, ahead = _sequence_faults(seqs, row.seq)
        data = {"meeting_id": row.id, "seq": row.seq}
        if gaps:
            report.add(Finding("meetings", "meeting_gap",
                               f"{label}: event(s) {_listing(_ranges(gaps))} missing from its log "
                               f"(last event {row.seq})", data={**data, "missing": gaps[:1000]}))
        if ahead:
            report.add(Finding("meetings", "meeting_ahead",
                               f"{label}: event(s) {_listing(ahead)} beyond its sequence number {row.seq}",
                               data={**data, "ahead": ahead[:1000]}))
        if twice:
            report.add(Finding("meetings", "meeting_duplicate",
                               f"{label}: event number(s) {_listing(twice)} used twice",
                               data={**data, "duplicates": twice[:1000]}))


# --- records -------------------------------------------------------------------------------

FROZEN_STATUSES = (DossierStatus.CLOSED.value, DossierStatus.ARCHIVED.value)
DOSSIER_BATCH = 200


def _records(report: Report, *, quick: bool, **_kw) -> None:
    """Closed and archived dossiers against the manifests fixed when they were closed
    (``records.operations.verify_dossier``, the one definition of that comparison)."""
    orgs: dict[int, str] = {i: name for i, name in db.session.execute(
        sa.select(Organisation.id, Organisation.name))}
    ids = list(db.session.scalars(sa.select(Dossier.id).where(Dossier.status.in_(FROZEN_STATUSES))
                                  .order_by(Dossier.id)))
    items = files = 0
    for i in range(0, len(ids), DOSSIER_BATCH):
        batch = db.session.scalars(
            sa.select(Dossier).where(Dossier.id.in_(ids[i:i + DOSSIER_BATCH])).order_by(Dossier.id)
            .options(selectinload(Dossier.items), selectinload(Dossier.plan))).all()
        for dossier in batch:
            where = f"{orgs.get(dossier.organisation_id, dossier.organisation_id)}, dossier #{dossier.id}"
            for problem in verify_dossier(dossier, quick=quick):
                report.add(Finding("records", "dossier_changed", f"{problem} ({where})",
                                   data={"dossier_id": dossier.id, "notation": dossier.notation,
                                         "year": dossier.plan.year, "title": dossier.title}))
            items += len(dossier.items)
            files += sum(len(item.manifest or []) for item in dossier.items)
    report.checked["records"].update(dossiers=len(ids), items=items, files=files, hashed=not quick)


def render_text(report: Report) -> str:
    """The report as people read it: one line per area, one per finding."""
    lines = []
    for area in AREAS:
        found = report.of(area)
        checked = ", ".join(f"{k} {v}" for k, v in report.checked[area].items()
                            if not isinstance(v, list))
        left = [f for f in found if not f.repaired]
        status = "ok" if not left else f"{len(left)} problem(s)"
        lines.append(f"{area:<10} {status:<13} {checked}")
        for f in found:
            tag = "REPAIRED" if f.repaired else ("LEFTOVER" if f.debris else "PROBLEM")
            lines.append(f"  {tag:<9}{f.kind}: {f.message}")
    verdict = "OK" if report.ok else "NOT OK"
    lines.append(f"{verdict}: {len(report.inconsistencies)} inconsistenc"
                 f"{'y' if len(report.inconsistencies) == 1 else 'ies'}, {len(report.debris)} "
                 f"leftover(s), {sum(f.repaired for f in report.findings)} repaired "
                 f"({report.seconds:.1f} s{', quick' if report.quick else ''})")
    return "\n".join(lines)
