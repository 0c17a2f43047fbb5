"""Helpers for the exchange tests: the two communes, an issued document to Lạc Sơn,
counting what a refused message must not leave behind, and the hub as a process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from docmgmt.extensions import db
from docmgmt.org.models import Organisation, Unit, User
from tests.commune import issued, unit, user
from tests.conftest import ROOT, free_port

KIM_BOI = "000.00.12.H42"
LAC_SON = "000.00.13.H42"
REFERENCE_DIR = Path(os.environ.get("XASO_EDXML_REFERENCE", ROOT.parent / "shared" / "reference" / "edxml"))


def reference(name: str) -> bytes:
    import pytest

    path = REFERENCE_DIR / name
    if not path.exists():
        pytest.skip(f"reference message {path} not available")
    return path.read_bytes()


def org(organ_id: str) -> Organisation:
    return db.session.scalar(sa.select(Organisation).where(Organisation.organ_id == organ_id))


def staff_lac_son() -> dict[str, User]:
    """Lạc Sơn gets a clerk and a chairman; cv.lacson handles."""
    from docmgmt.org.operations import create_user

    lac_son = org(LAC_SON)
    office = db.session.scalar(sa.select(Unit).where(Unit.organisation_id == lac_son.id))
    people = {"clerk": user("vanthu.lacson"), "leader": user("chutich.lacson")}
    if people["clerk"] is None:
        people["clerk"] = create_user(None, lac_son, username="vanthu.lacson", full_name="Đinh Thị Hoa",
                                      password="matkhau-lacson", roles=["clerk"], unit_id=office.id)
        people["leader"] = create_user(None, lac_son, username="chutich.lacson",
                                       full_name="Quách Văn Lực", password="matkhau-lacson",
                                       roles=["leader"], position="Chủ tịch")
    people["handler"] = user("cv.lacson")
    db.session.commit()
    return people


def issue_to(organ_id: str = LAC_SON, organ_name: str = "Ủy ban nhân dân xã Lạc Sơn", **overrides):
    """An issued Kim Bôi công văn with an outside recipient reached through the exchange."""
    from docmgmt.outgoing import operations as ops

    fields = {"urgency": "khan", **overrides}
    return issued([ops.RecipientInput(organ_name=organ_name, organ_id=organ_id),
                   ops.RecipientInput(token=f"unit:{unit('KT').id}")], **fields)


def footprint(instance: Path) -> dict:
    """Rows and files a refused message must not add."""
    from docmgmt.exchange.models import Correspondent, ExchangeReceipt, OutboxMessage
    from docmgmt.files.models import Blob, StoredFile
    from docmgmt.incoming.models import IncomingDocument

    counts = {m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
              for m in (IncomingDocument, StoredFile, Blob, ExchangeReceipt, OutboxMessage,
                        Correspondent)}
    counts["files_on_disk"] = sum(1 for p in (instance / "files").rglob("*") if p.is_file()
                                  and "tmp" not in p.parts)
    return counts


class Hub:
    """scripts/province_hub.py as a real process on loopback, restartable on its port."""

    def __init__(self, db_path: Path, communes: dict[str, str], port: int | None = None):
        self.db_path, self.communes = db_path, communes
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Hub:
        import urllib.request

        args = [sys.executable, str(ROOT / "scripts" / "province_hub.py"), "--db", str(self.db_path),
                "--port", str(self.port)]
        for organ_id, token in self.communes.items():
            args += ["--commune", f"{organ_id}={token}"]
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hub exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("hub did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None

    def rows(self, sql: str, *args) -> list[tuple]:
        import sqlite3

        with sqlite3.connect(self.db_path) as conn:
            return conn.execute(sql, args).fetchall()


def wait_for(predicate, timeout: float = 25.0, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)
