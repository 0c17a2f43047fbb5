"""One archive holding an instance, taken while it runs, and its restore.

What goes in, in this order::

    database/xaso.sqlite3 | database/xaso.pgdump   the snapshot
    instance/<name>                                 the instance folder's own files
                                                    (secret_key: it decrypts the signing
                                                    keys and keys the audit chain)
    files/<aa>/<bb>/<sha256>                        every blob the snapshot records
    manifest.json                                   last: versions, counts, each
                                                    member's size and SHA-256

Consistency without stopping anyone: the database is copied first, as one snapshot —
SQLite through its online backup API in a single step (one read transaction: writers
go on in the WAL meanwhile), PostgreSQL by ``pg_dump`` run inside a snapshot exported
from a REPEATABLE READ transaction, in which the list of blobs is read too. Blobs are
immutable and named by their content, and a row is committed only after its bytes are
on disk (``files.store``), so every blob the snapshot records exists when it is copied;
one written after the snapshot is simply not taken. A recorded blob that is missing or
whose bytes no longer match its name is listed in the manifest as an error.

Restore verifies every member against the manifest before it touches anything, refuses
an instance that holds data (unless forced), loads the database, lays the blobs back,
upgrades the schema if the archive is older than the code, and rebuilds the search
index from the database (the index is derived data and is never archived).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from flask import current_app

from ..core.timeutil import utcnow
from ..extensions import db
from ..files.models import Blob
from ..files.store import FileStore, fsync_dir
from .check import Report, run_checks, schema_revisions

FORMAT = "xaso-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBER = {"sqlite": "database/xaso.sqlite3", "postgresql": "database/xaso.pgdump"}
BLOB_RE = re.compile(r"^files/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})$")
INSTANCE_RE = re.compile(r"^instance/([A-Za-z0-9][A-Za-z0-9._-]{0,99})$")
CHUNK = 1024 * 1024
SECRET_FILE = "secret_key"

Log = Callable[[str], None]


class MaintenanceError(RuntimeError):
    """A backup or restore that cannot go on; the message says why and what to do."""


def _quiet(_message: str) -> None:
    pass


# --- small tools ---------------------------------------------------------------------------

class _HashingReader:
    """A file object that hashes what is read through it."""

    def __init__(self, f: IO[bytes]) -> None:
        self.f = f
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def fingerprint(secret: str) -> str:
    """Names a key without revealing it (compare two instances' keys)."""
    return hashlib.sha256(b"xaso-key-fingerprint:" + secret.encode()).hexdigest()[:16]


def _dialect() -> str:
    return db.engine.dialect.name


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise MaintenanceError("the database is in memory: nothing to back up or restore")
    return Path(database)


def _libpq(url: sa.engine.URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for pg_dump/pg_restore, and the environment carrying the
    password (never on the command line, where ``ps`` shows it)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise MaintenanceError(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise MaintenanceError(f"{tool} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _app_tables() -> list[str]:
    return [t.name for t in db.metadata.sorted_tables]


# --- backup --------------------------------------------------------------------------------

@dataclass
class Snapshot:
    dialect: str
    member: str
    path: Path
    revision: str | None
    counts: dict[str, int]
    blobs: list[tuple[str, int]]


def _snapshot_sqlite(staging: Path) -> Snapshot:
    path = staging / "xaso.sqlite3"
    source = sqlite3.connect(_sqlite_path(), timeout=60)
    copy = sqlite3.connect(path)
    try:
        source.backup(copy)  # all pages in one step: one consistent read transaction
    finally:
        source.close()
    try:
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        problems = [r[0] for r in copy.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise MaintenanceError(f"the database fails SQLite's quick_check: {problems[:5]}")
        names = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        counts = {t: copy.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                  for t in _app_tables() if t in names}
        revision = (copy.execute("SELECT version_num FROM alembic_version").fetchone() or [None])[0] \
            if "alembic_version" in names else None
        blobs = [(sha, size) for sha, size in copy.execute("SELECT sha256, size FROM blob ORDER BY sha256")]
    finally:
        copy.close()
    return Snapshot("sqlite", DB_MEMBER["sqlite"], path, revision, counts, blobs)


def _snapshot_postgresql(staging: Path) -> Snapshot:
    path = staging / "xaso.pgdump"
    uri, env = _libpq(db.engine.url)
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot_id = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            # pg_dump sees exactly what this transaction sees, and so do the reads below.
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot_id}", f"--file={path}", f"--dbname={uri}"], env)
            names = set(sa.inspect(conn).get_table_names())
            counts = {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                      for t in _app_tables() if t in names}
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() \
                if "alembic_version" in names else None
            blobs = [(sha, size) for sha, size in conn.execute(
                sa.text("SELECT sha256, size FROM blob ORDER BY sha256"))]
    return Snapshot("postgresql", DB_MEMBER["postgresql"], path, revision, counts, blobs)


def _instance_files() -> list[Path]:
    """The instance folder's own files (not its folders, not the SQLite database)."""
    folder = Path(current_app.config["INSTANCE_DIR"])
    skip: set[str] = set()
    if _dialect() == "sqlite":
        database = _sqlite_path().resolve()
        if database.parent == folder.resolve():
            skip = {database.name + suffix for suffix in ("", "-wal", "-shm", "-journal")}
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.is_symlink() and p.name not in skip
                  and INSTANCE_RE.match(f"instance/{p.name}") and not p.name.endswith(".tmp"))


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]

    @property
    def problems(self) -> list[str]:
        files = self.manifest["files"]
        return ([f"blob {sha} is recorded but missing from the store" for sha in files["missing"]]
                + [f"blob {sha} no longer matches its SHA-256 (not archived)" for sha in files["corrupt"]])


ATTEMPTS = 3


def backup(out: Path | str, log: Log = _quiet) -> BackupResult:
    """Write the archive ``out`` (``.tar``, or gzip'ed when named ``.tar.gz``/``.tgz``).

    A blob the snapshot records may be removed, with its record, before it is copied (an
    unattached upload pruned by the worker): the snapshot is then out of date and is
    taken again (up to ``ATTEMPTS`` times). A blob missing while its record still exists
    is damage, listed in the manifest."""
    out = Path(out).resolve()
    if out.is_dir():
        raise MaintenanceError(f"{out} is a folder: name the archive file")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    for attempt in range(1, ATTEMPTS + 1):
        try:
            manifest = _write_archive(partial, out.name.endswith((".tar.gz", ".tgz")), log)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        gone = _removed_since(manifest["files"]["missing"])
        if not gone or attempt == ATTEMPTS:
            break
        log(f"{len(gone)} blob(s) were removed with their records after the snapshot: taking it again")
    os.replace(partial, out)
    fsync_dir(out.parent)
    return BackupResult(out, manifest)


def _removed_since(shas: list[str]) -> list[str]:
    """Those of ``shas`` that no longer have a record in the live database."""
    if not shas:
        return []
    with db.engine.connect() as conn:
        live = {sha for i in range(0, len(shas), 500)
                for sha in conn.scalars(sa.select(Blob.sha256).where(Blob.sha256.in_(shas[i:i + 500])))}
    return [sha for sha in shas if sha not in live]


def _write_archive(partial: Path, compress: bool, log: Log) -> dict[str, Any]:
    store = FileStore.from_app()
    members: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    corrupt: list[str] = []
    with tempfile.TemporaryDirectory(dir=partial.parent, prefix=".xaso-backup-") as staging:
        dialect = _dialect()
        log(f"snapshot of the {dialect} database …")
        snap = _snapshot_sqlite(Path(staging)) if dialect == "sqlite" else _snapshot_postgresql(Path(staging))
        db.session.remove()
        log(f"{sum(snap.counts.values())} rows, {len(snap.blobs)} blobs recorded; writing the archive …")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the key
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz" if compress else "w", format=tarfile.PAX_FORMAT) as tar:
                members[snap.member] = _add_file(tar, snap.member, snap.path)
                for path in _instance_files():
                    name = f"instance/{path.name}"
                    members[name] = _add_file(tar, name, path)
                for sha, _size in snap.blobs:
                    name = f"files/{sha[:2]}/{sha[2:4]}/{sha}"
                    try:
                        entry = _add_file(tar, name, store.path_for(sha))
                    except FileNotFoundError:
                        missing.append(sha)
                        continue
                    if entry["sha256"] != sha:
                        corrupt.append(sha)
                    members[name] = entry
                secret = current_app.config["SECRET_KEY"]
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": utcnow().isoformat(timespec="seconds"),
                    "app_version": _app_version(),
                    "database": {"dialect": snap.dialect, "member": snap.member,
                                 "revision": snap.revision, "counts": snap.counts},
                    "files": {"count": len(snap.blobs) - len(missing) - len(corrupt),
                              "bytes": sum(s for _sha, s in snap.blobs),
                              "missing": missing, "corrupt": corrupt},
                    "secret_key": {"fingerprint": fingerprint(secret),
                                   "included": f"instance/{SECRET_FILE}" in members,
                                   "from_environment": bool(os.environ.get("XASO_SECRET_KEY"))},
                    "members": members,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(utcnow().timestamp()), 0o600
                tar.addfile(info, _BytesReader(data))
            raw.flush()
            os.fsync(raw.fileno())
    return manifest


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def read(self, n: int = -1) -> bytes:
        end = len(self.data) if n < 0 else self.pos + n
        chunk, self.pos = self.data[self.pos:end], min(end, len(self.data))
        return chunk


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict[str, Any]:
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = st.st_size, int(st.st_mtime), 0o600
        reader = _HashingReader(f)
        tar.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": info.size}


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xaso")
    except PackageNotFoundError:
        return "unknown"


# --- reading an archive --------------------------------------------------------------------

def _members(tar: tarfile.TarFile) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    for info in tar:
        if not info.isfile():
            raise MaintenanceError(f"unexpected member {info.name!r} (not a regular file)")
        f = tar.extractfile(info)
        assert f is not None
        yield info, f


def verify_archive(archive: Path | str) -> dict[str, Any]:
    """Read the whole archive once; return its manifest if every member is there, is
    expected, and has the size and SHA-256 the manifest gives. Raises otherwise."""
    seen: dict[str, dict[str, Any]] = {}
    manifest_bytes = None
    try:
        with tarfile.open(archive, "r:*") as tar:
            for info, f in _members(tar):
                if info.name == MANIFEST:
                    manifest_bytes = f.read(10 * 1024 * 1024)
                    continue
                if not (info.name in DB_MEMBER.values() or BLOB_RE.match(info.name)
                        or INSTANCE_RE.match(info.name)):
                    raise MaintenanceError(f"unexpected member {info.name!r}")
                if info.name in seen:
                    raise MaintenanceError(f"member {info.name!r} appears twice")
                reader = _HashingReader(f)
                while reader.read(CHUNK):
                    pass
                seen[info.name] = {"sha256": reader.digest.hexdigest(), "size": reader.size}
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise MaintenanceError(f"{archive}: not a readable archive ({type(exc).__name__}: {exc})") from None
    if manifest_bytes is None:
        raise MaintenanceError(f"{archive}: no {MANIFEST}: not an Xã Số backup, or cut short")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as exc:
        raise MaintenanceError(f"{MANIFEST} is not JSON: {exc}") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise MaintenanceError(f"unsupported archive format {manifest.get('format')!r} "
                               f"version {manifest.get('format_version')!r}")
    expected: dict[str, dict[str, Any]] = manifest.get("members", {})
    problems = []
    for name in sorted(set(expected) | set(seen)):
        if name not in seen:
            problems.append(f"{name}: listed in the manifest, absent from the archive")
        elif name not in expected:
            problems.append(f"{name}: in the archive, not in the manifest")
        elif seen[name] != {"sha256": expected[name].get("sha256"), "size": expected[name].get("size")}:
            problems.append(f"{name}: content differs from the manifest (damaged or altered)")
    if manifest.get("database", {}).get("member") not in seen:
        problems.append("the archive holds no database")
    if problems:
        raise MaintenanceError("the archive does not match its manifest; nothing was restored:\n  "
                               + "\n  ".join(problems[:50]))
    return manifest


# --- restore -------------------------------------------------------------------------------

def instance_contents() -> list[str]:
    """What the current instance holds (empty list: an empty instance)."""
    found = []
    existing = set(sa.inspect(db.engine).get_table_names())
    for table in db.metadata.sorted_tables:
        if table.name in existing and db.session.execute(sa.select(sa.literal(1)).select_from(table)
                                                         .limit(1)).first():
            found.append(f"table {table.name} has rows")
    db.session.rollback()
    root = FileStore.from_app().root
    blobs = sum(1 for p in root.glob("??/??/*") if p.is_file()) if root.is_dir() else 0
    if blobs:
        found.append(f"the file store holds {blobs} file(s)")
    return found


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    report: Report
    indexed: int
    problems: list[str] = field(default_factory=list)  # the restored data differs from the archive
    warnings: list[str] = field(default_factory=list)


def restore(archive: Path | str, *, force: bool = False, log: Log = _quiet) -> RestoreResult:
    archive = Path(archive)
    log(f"verifying {archive.name} …")
    manifest = verify_archive(archive)
    dialect = _dialect()
    source = manifest["database"]["dialect"]
    if source != dialect:
        raise MaintenanceError(f"the archive holds a {source} database and this instance uses "
                               f"{dialect}: restore into a {source} instance")
    revision = manifest["database"].get("revision")
    _current, heads = schema_revisions()
    if revision and revision not in heads and not _known_revision(revision):
        raise MaintenanceError(f"the archive's schema revision {revision} is unknown to this "
                               "version of Xã Số (a newer one made it): upgrade the code first")
    held = instance_contents()
    if held and not force:
        raise MaintenanceError("this instance is not empty (" + "; ".join(held[:5]) + "): restore "
                               "into an empty one, or pass --force to replace it (stop its server first)")
    warnings: list[str] = []
    db.session.remove()
    db.engine.dispose()
    store = FileStore.from_app()
    instance = Path(current_app.config["INSTANCE_DIR"])
    with tarfile.open(archive, "r:*") as tar:
        for info, f in _members(tar):
            if info.name == manifest["database"]["member"]:
                log(f"loading the {dialect} database …")
                _restore_database(f, dialect, replace=bool(held))
            elif m := BLOB_RE.match(info.name):
                sha = m.group(3)
                if sha in manifest["files"].get("corrupt", []):
                    continue
                _restore_blob(store, sha, f)
            elif m := INSTANCE_RE.match(info.name):
                _write_atomically(instance / m.group(1), f)
    _fsync_tree(store.root)
    warnings += _adopt_secret(manifest, instance)
    db.session.remove()
    db.engine.dispose()
    problems = _compare_counts(manifest)
    if revision not in heads:
        import flask_migrate

        log(f"upgrading the schema from {revision} …")
        flask_migrate.upgrade()
    log("rebuilding the search index …")
    from ..searching.indexing import reindex, settle

    indexed = reindex()
    settle()  # the text of files the archived instance had not read yet
    log("checking …")
    report = run_checks(quick=True, repair=force, grace=0 if force else 300)
    for problem in manifest["files"].get("missing", []) + manifest["files"].get("corrupt", []):
        warnings.append(f"blob {problem} was already missing or damaged when the backup was taken")
    return RestoreResult(manifest, report, indexed, problems, warnings)


def _known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    config = current_app.extensions["migrate"].migrate.get_config()
    try:
        return ScriptDirectory.from_config(config).get_revision(revision) is not None
    except CommandError:
        return False


def _restore_database(f: IO[bytes], dialect: str, *, replace: bool) -> None:
    with _spooled(f) as path:
        if dialect == "sqlite":
            target = _sqlite_path()
            target.parent.mkdir(parents=True, exist_ok=True)
            source = sqlite3.connect(path)
            dest = sqlite3.connect(target, timeout=60)
            try:
                source.backup(dest)
            finally:
                dest.close()
                source.close()
            return
        uri, env = _libpq(db.engine.url)
        command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                   "--single-transaction", f"--dbname={uri}"]
        if replace or set(sa.inspect(db.engine).get_table_names()):
            command[1:1] = ["--clean", "--if-exists"]
        db.engine.dispose()
        _run([*command, str(path)], env)


@contextmanager
def _spooled(f: IO[bytes]) -> Iterator[Path]:
    """The member in a file of its own (sqlite3 and pg_restore read paths)."""
    folder = Path(current_app.config["INSTANCE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix=".restore-", suffix=".db")
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(f, out, CHUNK)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _restore_blob(store: FileStore, sha: str, f: IO[bytes]) -> None:
    final = store.path_for(sha)
    if final.exists():
        from .check import sha256_of

        if sha256_of(final) == sha:
            return
    fd, name = tempfile.mkstemp(dir=store.tmp_dir(), prefix="restore-")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            reader = _HashingReader(f)
            while chunk := reader.read(CHUNK):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if reader.digest.hexdigest() != sha:  # verified already; a changed archive file
            raise MaintenanceError(f"blob {sha} changed while it was being restored")
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_atomically(path: Path, f: IO[bytes]) -> None:
    tmp = path.with_name(f".{path.name}.restore")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(f, out, CHUNK)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def _fsync_tree(root: Path) -> None:
    """Make the renames of restored blobs durable (one fsync per folder)."""
    for folder in [root, *root.glob("??"), *root.glob("??/??")]:
        if folder.is_dir():
            fsync_dir(folder)


def _adopt_secret(manifest: dict[str, Any], instance: Path) -> list[str]:
    """Use the restored instance's key (unless XASO_SECRET_KEY overrides it) and say so
    when the key in force is not the one the backup was taken with."""
    restored = instance / SECRET_FILE
    if manifest["secret_key"]["included"] and not os.environ.get("XASO_SECRET_KEY"):
        current_app.config["SECRET_KEY"] = restored.read_text().strip()
    if fingerprint(current_app.config["SECRET_KEY"]) == manifest["secret_key"]["fingerprint"]:
        return []
    where = ("the backed-up instance took it from XASO_SECRET_KEY"
             if manifest["secret_key"].get("from_environment") else
             f"the archive's instance/{SECRET_FILE} holds it")
    return [f"the secret key in force is not the one the backup was taken with ({where}): "
            "the audit chain will not verify and the signing keys will not open until "
            "XASO_SECRET_KEY is that key"]


def _compare_counts(manifest: dict[str, Any]) -> list[str]:
    counts: dict[str, int] = manifest["database"].get("counts", {})
    existing = set(sa.inspect(db.engine).get_table_names())
    problems = []
    for table, expected in sorted(counts.items()):
        if table not in existing:
            continue
        got = db.session.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar_one()
        if got != expected:
            problems.append(f"table {table}: {got} rows restored, {expected} in the archive")
    db.session.rollback()
    return problems
