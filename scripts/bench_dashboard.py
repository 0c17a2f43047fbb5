#!/usr/bin/env python3
"""The dashboard's and the reports' server time on a commune with 100,000 documents.

Per backend (SQLite in a temporary instance folder, PostgreSQL in a fresh database on
the server of this machine, dropped afterwards), the script:

1. migrates (``flask db upgrade``) and seeds the demo commune's units and people, a
   dozen more staff, and a small second commune (whose figures must never show);
2. seeds ``--docs`` incoming documents of the sổ đến spread over the last two years —
   registers and arrival numbers, main assignments to units and persons (delegated or
   not, some reassigned), co-handlers and for-information, deadlines met, late, met on
   the deadline day itself, open and overdue, returned, confidential entries — plus the
   commune's own entries (internal deliveries, tasks from meeting conclusions);
   outgoing documents (~40 % of the incoming count) at every stage with recipients;
   meetings (~1 per 100 documents) with participants, check-ins, votes and tasks.
   Everything in bulk (SQLAlchemy Core executemany), deterministic (``--seed``);
3. times, with the real functions, in a request context, as the chairman (the
   commune), a head of unit and a staff member: ``reports.figures.dashboard`` for a
   month, a quarter and a year; the first page of each main figure's drill-down list;
   the legal reports (month); the paperless progress; and ``/dashboard`` and
   ``/api/v1/reports/dashboard`` through the Flask test client. A view whose module
   is not there (yet) is reported as missing, not timed;
4. times every SQL statement of the dashboard (cursor events) and prints the slowest
   with its plan (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE).

One warm-up run per view, then ``--repeat`` timed runs; p50/p95 are over those runs
(linear interpolation), per person; a view's figure is its slowest person's.
PostgreSQL is ANALYZEd after the load (autovacuum would, in a running commune);
SQLite is not (the app never runs ANALYZE).

Usage:
  .venv/bin/python scripts/bench_dashboard.py                      # 100,000 docs, both
  .venv/bin/python scripts/bench_dashboard.py --quick --backend sqlite
  .venv/bin/python scripts/bench_dashboard.py --docs 300 --repeat 1 --backend sqlite

Human-readable lines first; the LAST line is one JSON object: docs, backend, p95_ms
(per backend, the slowest view's p95), slowest_view, per_view (per backend), load, …
Goal (issue 14): p95 < 300 ms on SQLite and on PostgreSQL at 100,000 documents.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import json
import logging
import math
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("XASO_SECRET_KEY", "bench-dashboard-secret-key")
os.environ.setdefault("XASO_INSTANCE", "/tmp/xaso-bench-unused-instance")

PG_ADMIN_URL = os.environ.get("XASO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
GOAL_MS = 300.0
PAGE = 50  # rows on the first page of a drill-down list
BATCH = 5000
VN = timedelta(hours=7)  # Asia/Ho_Chi_Minh: UTC+7 all year
PEOPLE = {"chairman": "chutich", "head": "truongkt", "staff": "cv.kt1"}
PASSWORD = "xaso2026"


def log(msg: str = "") -> None:
    print(msg, flush=True)


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def vn_moment(day: date, hour: float) -> datetime:
    """A UTC moment at ``hour`` (fractional) o'clock Vietnam time on ``day``."""
    return datetime.combine(day, dtime(), tzinfo=UTC) + timedelta(hours=hour) - VN


# --- the instance ------------------------------------------------------------------------

def instance_config(folder: Path, url: str | None) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{folder / 'xaso.sqlite3'}",
        "FILE_STORE_DIR": str(folder / "files"), "SEARCH_INDEX_DIR": str(folder / "index"),
        "INSTANCE_DIR": str(folder), "RATELIMIT_ENABLED": False,
    }


@contextlib.contextmanager
def pg_database(admin_url: str) -> Iterator[str]:
    """A fresh, empty database on the PostgreSQL server, dropped afterwards."""
    import sqlalchemy as sa

    name = f"xaso_bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                         {"n": name})
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def pg_unreachable(admin_url: str) -> str | None:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - reported, the other backend still runs
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    return None


# --- who works in the commune ---------------------------------------------------------------

@dataclass
class UnitPeople:
    id: int
    abbr: str
    head: int | None
    staff: list[int]
    weight: float  # share of the incoming documents it handles


@dataclass
class Commune:
    org_id: int
    clerk: int
    leaders: list[int]  # the chairman first
    secretary: int
    units: list[UnitPeople]
    everyone: list[int] = field(default_factory=list)

    def unit_of(self, user_id: int) -> UnitPeople | None:
        return next((u for u in self.units if user_id in u.staff or user_id == u.head), None)


UNIT_WEIGHTS = {"VP": 0.2, "KT": 0.35, "VHXH": 0.3, "TTPVHCC": 0.15}
EXTRA_STAFF = 3  # per unit, beside the demo's one or two
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc", "Hữu", "Thanh"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Linh", "Long",
         "Mai", "Nam", "Nga", "Phong", "Quang", "Sơn", "Thảo", "Trang", "Tuấn", "Việt", "Xuân", "Yến"]


def _name(rnd: random.Random) -> str:
    return f"{rnd.choice(FAMILY)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"


def seed_people(rnd: random.Random) -> tuple[Commune, Commune]:
    """The demo commune (its units and people, plus ``EXTRA_STAFF`` per unit, inserted in
    bulk with a demo person's password hash) and a small second commune."""
    import sqlalchemy as sa

    from docmgmt.demo import seed
    from docmgmt.extensions import db
    from docmgmt.org.models import Unit, User, UserRole
    from docmgmt.org.operations import create_organisation, create_unit, create_user

    org = seed(with_documents=False)
    db.session.flush()

    def uid(username: str) -> int:
        return db.session.scalar(sa.select(User.id).where(User.username == username))

    units = {u.abbreviation: u for u in db.session.scalars(sa.select(Unit).where(Unit.organisation_id == org.id))}
    template = db.session.scalar(sa.select(User).where(User.username == "cv.kt1"))
    users = [dict(organisation_id=org.id, username=f"cv.{abbr.lower()}.{k + 3}", full_name=_name(rnd), email="",
                  password_hash=template.password_hash, unit_id=unit.id, position_id=template.position_id,
                  active=True, locale="vi", failed_logins=0, created_at=datetime.now(UTC))
             for abbr, unit in sorted(units.items()) for k in range(EXTRA_STAFF)]
    db.session.execute(sa.insert(User), users)  # ids from the table's own sequence
    added = db.session.scalars(sa.select(User.id).where(User.username.in_([u["username"] for u in users])))
    db.session.execute(sa.insert(UserRole), [dict(user_id=uid_, role="staff") for uid_ in added])
    people = list(db.session.execute(sa.select(User.id, User.username, User.unit_id)
                                     .where(User.organisation_id == org.id)))
    heads = {"VP": "chanhvp", "KT": "truongkt", "VHXH": "truongvhxh", "TTPVHCC": "giamdoc.hcc"}
    not_staff = {"quantri", "vanthu", "chutich", "phochutich.kt", "phochutich.vx", *heads.values()}
    commune = Commune(
        org_id=org.id, clerk=uid("vanthu"), secretary=uid("thuky"),
        leaders=[uid("chutich"), uid("phochutich.kt"), uid("phochutich.vx")],
        units=[UnitPeople(unit.id, abbr, uid(heads[abbr]),
                          sorted(p.id for p in people if p.unit_id == unit.id and p.username not in not_staff),
                          UNIT_WEIGHTS.get(abbr, 0.1))
               for abbr, unit in sorted(units.items())],
        everyone=[p.id for p in people if p.username != "quantri"],
    )
    other = create_organisation(name="Ủy ban nhân dân xã Lạc Sơn", organ_id="000.00.13.H42", abbreviation="UBND",
                                governing_body="Tỉnh Phú Thọ", place_name="Lạc Sơn")
    vp = create_unit(None, other, "Văn phòng HĐND và UBND", "VP")
    leader = create_user(None, other, username="chutich.lacson", full_name="Hà Văn Tâm",
                         password="matkhau-lacson", roles=["leader"])
    staff = create_user(None, other, username="cv.lacson", full_name="Bùi Thị Nga",
                        password="matkhau-lacson", roles=["staff"], unit_id=vp.id)
    db.session.flush()
    second = Commune(org_id=other.id, clerk=leader.id, secretary=staff.id, leaders=[leader.id],
                     units=[UnitPeople(vp.id, "VP", None, [staff.id], 1.0)], everyone=[leader.id, staff.id])
    return commune, second


# --- documents, in bulk ------------------------------------------------------------------------

SENDERS = [
    ("Ủy ban nhân dân tỉnh Phú Thọ", "000.00.00.H42", "UBND-NC"),
    ("Sở Nội vụ tỉnh Phú Thọ", "000.00.31.H42", "SNV-CCHC"),
    ("Văn phòng Ủy ban nhân dân tỉnh", "000.00.01.H42", "VPUBND-TH"),
    ("Sở Nông nghiệp và Môi trường", "000.00.09.H42", "SNNMT-QLĐĐ"),
    ("Sở Khoa học và Công nghệ", "000.00.19.H42", "SKHCN-CĐS"),
    ("Sở Tài chính", "000.00.07.H42", "STC-QLNS"),
    ("Sở Y tế", "000.00.22.H42", "SYT-NVY"),
    ("Bảo hiểm xã hội tỉnh", "", "BHXH-QLT"),
    ("Công an tỉnh Phú Thọ", "", "CAT-PV01"),
    ("Trường Tiểu học Kim Bôi", "", "THKB"),
    ("Ngân hàng Chính sách xã hội", "", "NHCSXH"),
    ("Hội Nông dân xã", "", "HND"),
]
IN_TYPES = ["cong_van"] * 6 + ["thong_bao", "ke_hoach", "quyet_dinh", "huong_dan", "bao_cao", "giay_moi"]
OUT_TYPES = ["cong_van"] * 5 + ["quyet_dinh"] * 3 + ["bao_cao", "to_trinh", "thong_bao", "ke_hoach",
                                                       "giay_moi", "bien_ban"]
FIELDS = ["Đất đai", "Xây dựng", "Tài chính", "Y tế", "Giáo dục", "Văn hóa", "Lao động", "Nội vụ", ""]
SUBJECTS = [
    "V/v triển khai chuyển đổi số cấp xã năm {y}", "V/v báo cáo kết quả thu ngân sách quý",
    "V/v rà soát hộ nghèo, hộ cận nghèo", "V/v tăng cường phòng chống dịch bệnh",
    "V/v cấp giấy chứng nhận quyền sử dụng đất", "V/v tổ chức Ngày hội đại đoàn kết",
    "V/v kiểm tra an toàn thực phẩm", "V/v tuyển sinh vào lớp 1", "V/v phòng chống thiên tai, lụt bão",
    "V/v giải quyết đơn thư của công dân", "V/v sắp xếp đơn vị hành chính", "V/v thực hiện chế độ BHXH",
]
DEADLINE_DAYS = [3, 5, 5, 7, 10, 10, 15, 20]


class Ids:
    """Explicit primary keys, so children reference parents without a round trip."""

    def __init__(self, start: dict[str, int]):
        self.next = dict(start)

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] += 1
        return value


@dataclass
class Rows:
    tables: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, table: str, row: dict | None = None, **values) -> dict:
        """Append a row (the dict itself, so it can still be completed) and return it."""
        row = row if row is not None else {}
        row.update(values)
        self.tables.setdefault(table, []).append(row)
        return row


def working_days(start: date, end: date, holidays: set[date]) -> list[date]:
    out, day = [], start
    while day <= end:
        if day.weekday() < 5 and day not in holidays:
            out.append(day)
        day += timedelta(days=1)
    return out


class Seeder:
    """One commune's documents. Fractions are chosen so that the dashboard shows what a
    busy commune's does: most documents done, about three in four on time, a tail of
    late and of open overdue ones, a few returned and confidential."""

    def __init__(self, commune: Commune, rows: Rows, ids: Ids, rnd: random.Random, today: date,
                 holidays: set[date]):
        self.c, self.rows, self.ids, self.rnd, self.today = commune, rows, ids, rnd, today
        self.holidays = holidays
        self.registers: dict[tuple[str, int, bool], list[int]] = {}  # → [register id, last number]
        self.handlers = [u for u in commune.units for _ in range(max(1, round(u.weight * 20)))]
        self.staff = [s for u in commune.units for s in u.staff]

    # -- helpers --
    def _register(self, direction: str, year: int, confidential: bool) -> tuple[int, int]:
        key = (direction, year, confidential)
        if key not in self.registers:
            rid = self.ids.take("register")
            self.registers[key] = [rid, 0]
            kind = "đến" if direction == "incoming" else "đi"
            self.rows.add("register", id=rid, organisation_id=self.c.org_id, direction=direction, year=year,
                          confidential=confidential, name=f"Sổ văn bản {kind} {'mật ' if confidential else ''}"
                          f"năm {year}", last_number=0)
        entry = self.registers[key]
        entry[1] += 1
        return entry[0], entry[1]

    def _add_working(self, day: date, n: int) -> date:
        while n > 0:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in self.holidays:
                n -= 1
        return day

    def _office_hour(self) -> float:
        return self.rnd.uniform(7.5, 17.0)

    def _on_paper(self, day: date, two_years_ago: float, now: float) -> bool:
        """Paper or not, with the share of paper falling steadily over the two years (the
        commune on its way to the 30/9 target), so the paperless trend has a slope."""
        age = min(max((self.today - day).days / 730, 0.0), 1.0)
        return self.rnd.random() < now + (two_years_ago - now) * age

    def _main_handler(self) -> tuple[int | None, int | None]:
        """(user, unit) of a main assignment: a person by name, or a unit (delegated to one
        of its people three times in four)."""
        unit = self.rnd.choice(self.handlers)
        pick = self.rnd.random()
        if pick < 0.45 and unit.staff:
            return self.rnd.choice(unit.staff), None
        if pick < 0.5 and unit.head:
            return unit.head, None
        if self.rnd.random() < 0.75 and unit.staff:
            return self.rnd.choice(unit.staff), unit.id
        return None, unit.id

    # -- incoming --
    def incoming(self, count: int, days: int) -> None:
        """``count`` entries of the sổ đến over the last ``days`` days, in arrival order."""
        start = self.today - timedelta(days=days)
        arrival_days = working_days(start, self.today, self.holidays)
        # A busy commune gets more in the last months than two years ago.
        dates = sorted(self.rnd.choices(arrival_days, weights=[1 + i / len(arrival_days)
                                                               for i in range(len(arrival_days))], k=count))
        for arrived in dates:
            self._one_incoming(arrived)

    def _one_incoming(self, arrived: date) -> None:
        rnd = self.rnd
        doc_id = self.ids.take("incoming_document")
        received = vn_moment(arrived, self._office_hour())
        confidential = rnd.random() < 0.02
        register_id, number = self._register("incoming", arrived.year, confidential)
        sender, organ, symbol = rnd.choice(SENDERS)
        electronic = bool(organ) and rnd.random() < 0.85
        channel = "paper" if confidential else ("edxml" if electronic else "upload")
        age = (self.today - arrived).days
        row = dict(
            id=doc_id, organisation_id=self.c.org_id, register_id=register_id, arrival_number=number,
            arrival_date=arrived, received_at=received, sender_name=sender, sender_organ_id=organ,
            number_symbol=f"{rnd.randint(1, 3000)}/{symbol}", issue_date=arrived - timedelta(days=rnd.randint(0, 4)),
            doc_type=rnd.choice(IN_TYPES), subject="" if confidential else
            rnd.choice(SUBJECTS).format(y=arrived.year), signer="" if confidential else "Nguyễn Văn Hùng",
            urgency="khan" if rnd.random() < 0.08 else "thuong",
            confidentiality=rnd.choice(["mat", "mat", "toi_mat"]) if confidential else "thuong",
            sender_due_date=None, page_count=rnd.randint(1, 12),
            field="" if confidential else rnd.choice(FIELDS), channel=channel,
            paper_holder="Văn thư" if confidential or channel == "upload" else "",
            status="registered", deadline=None, direction_text="", completed_at=None, result_summary="",
            registered_by_id=self.c.clerk, created_at=received,
            medium="paper" if confidential else "scan" if channel == "upload" and self._on_paper(arrived, 0.9, 0.4)
            else "electronic",
        )
        if confidential:
            row["status"] = "paper"
            self.rows.add("incoming_document", row)
            return
        fate = rnd.random()
        if age <= 2 and fate < 0.7:  # waiting for the clerk or the leader
            row["status"] = "registered" if fate < 0.3 else "submitted"
        elif fate < 0.02 + (0.3 if age <= 2 else 0):
            row["status"] = "returned"
        else:
            self._handle(row, arrived)
        self.rows.add("incoming_document", row)

    def _handle(self, row: dict, arrived: date) -> None:
        """Directed a day or two after arrival; done, late, or still open."""
        rnd, today = self.rnd, self.today
        directed = min(self._add_working(arrived, rnd.choice([0, 0, 1, 1, 2])), today)
        directed_at = vn_moment(directed, self._office_hour())
        deadline = self._add_working(directed, rnd.choice(DEADLINE_DAYS)) if rnd.random() < 0.8 else None
        outcome = rnd.random()
        done: date | None
        if outcome < 0.03:
            done = None  # forgotten: open, overdue once its deadline passes
        elif deadline is not None and outcome < 0.72:  # on time, one in eight on the day itself
            span = (deadline - directed).days
            done = deadline if rnd.random() < 0.125 else directed + timedelta(days=rnd.randint(0, span))
        elif deadline is not None:
            done = deadline + timedelta(days=1 + int(rnd.expovariate(1 / 6)))
        else:
            done = directed + timedelta(days=int(rnd.expovariate(1 / 8)))
        if done is not None and done > today:
            done = None
        completed_at = None
        if done is not None:
            hour = self._office_hour()
            if done == deadline and rnd.random() < 0.2:
                hour = rnd.choice([6.5, 23.5])  # the previous or the same UTC day: the Vietnam date decides
            completed_at = max(vn_moment(done, hour), directed_at + timedelta(minutes=5))
        row.update(status="done" if completed_at else rnd.choice(["assigned", "in_progress", "in_progress"]),
                   deadline=deadline, completed_at=completed_at, direction_text="Giao chủ trì giải quyết.",
                   result_summary="Đã giải quyết." if completed_at else "")
        self._assign(row["id"], directed_at, deadline, completed_at, row["status"] == "in_progress")

    def _assign(self, doc_id: int, at: datetime, deadline: date | None, done_at: datetime | None,
                started: bool) -> None:
        rnd = self.rnd
        chairman = self.c.leaders[0]

        def assignment(role: str, user: int | None, unit: int | None, **kw) -> None:
            values = dict(id=self.ids.take("assignment"), document_id=doc_id, role=role, assignee_user_id=user,
                          assignee_unit_id=unit, deadline=deadline if role != "info" else None,
                          assigned_by_id=chairman, assigned_at=at, started_at=None, done_at=None,
                          superseded_at=None, reminded_before_at=None, reminded_due_at=None)
            values.update(kw)
            self.rows.add("assignment", **values)

        if rnd.random() < 0.04:  # reassigned: the first handler's part superseded
            user, unit = self._main_handler()
            assignment("main", user, unit, superseded_at=at + timedelta(days=1))
            at += timedelta(days=1)
        user, unit = self._main_handler()
        begun = at + timedelta(hours=rnd.uniform(1, 30)) if (done_at or started) else None
        if done_at is not None and begun is not None and begun > done_at:
            begun = done_at
        assignment("main", user, unit, started_at=begun, done_at=done_at)
        if rnd.random() < 0.25:
            co_user, co_unit = self._main_handler()
            if (co_user, co_unit) != (user, unit):
                assignment("co", co_user, co_unit, done_at=done_at)
        if rnd.random() < 0.3:
            assignment("info", rnd.choice(self.c.leaders[1:] or self.c.leaders), None)

    # -- outgoing --
    def outgoing(self, count: int, days: int) -> list[tuple[dict, date]]:
        """``count`` drafts over the last ``days`` days; those of the last three weeks at
        every stage, older ones issued (a few recalled, a few abandoned drafts). Returns
        the deliveries to units of the commune: (the recipient row, issued on)."""
        rnd, today = self.rnd, self.today
        created_days = sorted(rnd.choices(working_days(today - timedelta(days=days), today, self.holidays), k=count))
        out = []
        issued: list[dict] = []
        for created in created_days:
            doc_id = self.ids.take("outgoing_document")
            unit = rnd.choice(self.handlers)
            drafter = rnd.choice(unit.staff or [unit.head or self.c.clerk])
            created_at = vn_moment(created, self._office_hour())
            confidential = rnd.random() < 0.015
            age = (today - created).days
            if age < 21:
                status = rnd.choices(["draft", "reviewing", "returned", "approved", "signed", "issued"],
                                     [25, 25, 8, 10, 8, 24 + age * 3])[0]
            else:
                status = rnd.choices(["issued", "recalled", "draft"], [96, 1, 3])[0]
            row = dict(
                id=doc_id, organisation_id=self.c.org_id, doc_type=rnd.choice(OUT_TYPES),
                subject="" if confidential else rnd.choice(SUBJECTS).format(y=created.year),
                drafting_unit_id=unit.id, drafter_id=drafter, signer_id=rnd.choice(self.c.leaders),
                urgency="thuong", confidentiality="mat" if confidential else "thuong", status=status,
                due_date=None, copies=rnd.randint(1, 5), register_id=None, number=None, number_symbol="",
                issued_on=None, issued_at=None, issued_by_id=None, signed_file_id=None, issued_file_id=None,
                retained_by="", recalled_at=None, recall_reason="", created_at=created_at,
                medium="paper" if confidential or self._on_paper(created, 0.45, 0.05) else "electronic",
            )
            if status in ("issued", "recalled"):
                issued_at = created_at + timedelta(days=rnd.expovariate(1 / 3) + 0.05)
                if issued_at.date() > today:
                    issued_at = created_at + timedelta(hours=2)
                row.update(issued_at=issued_at, issued_on=(issued_at + VN).date(), issued_by_id=self.c.clerk,
                           retained_by="Văn thư")
                if status == "recalled":
                    row.update(recalled_at=issued_at + timedelta(days=2), recall_reason="Sai sót nội dung")
                issued.append(row)
            if status != "draft":
                self._review(doc_id, unit, row["signer_id"], status, created_at)
            self.rows.add("outgoing_document", row)
            for _ in range(rnd.choice([1, 1, 2, 2, 3, 4])):
                kind = rnd.choices(["external", "external", "unit", "user"], [5, 2, 2, 1])[0]
                recipient = dict(id=self.ids.take("outgoing_recipient"), document_id=doc_id, kind=kind,
                                 unit_id=None, user_id=None, organ_name="", organ_id="", exchange_status="",
                                 exchange_updated_at=None, incoming_document_id=None)
                if kind == "external":
                    name, organ, _sym = rnd.choice(SENDERS)
                    recipient.update(organ_name=name, organ_id=organ)
                    if row["issued_at"] is not None:
                        by_exchange = organ and row["medium"] == "electronic"
                        recipient.update(exchange_status="03" if by_exchange else "by_post",
                                         exchange_updated_at=row["issued_at"] + timedelta(minutes=5))
                elif kind == "unit":
                    target = rnd.choice(self.c.units)
                    recipient["unit_id"] = target.id
                    if row["issued_at"] is not None and not confidential and status == "issued" \
                            and rnd.random() < 0.5:
                        out.append((recipient, row["issued_on"]))
                else:
                    recipient["user_id"] = rnd.choice(self.c.everyone)
                self.rows.add("outgoing_recipient", **recipient)
        # Số đi in the order of issuance, per register year.
        for row in sorted(issued, key=lambda r: r["issued_at"]):
            rid, number = self._register("outgoing", row["issued_on"].year, row["confidentiality"] != "thuong")
            unit_abbr = next(u.abbr for u in self.c.units if u.id == row["drafting_unit_id"])
            row.update(register_id=rid, number=number,
                       number_symbol=f"{number:02d}/UBND-{unit_abbr}" if row["doc_type"] == "cong_van"
                       else f"{number:02d}/{row['doc_type'][:2].upper()}-UBND")
        return out

    def _review(self, doc_id: int, unit: UnitPeople, signer: int, status: str, at: datetime) -> None:
        """The review chain a draft went through: its unit's head, then the leader who signs;
        a returned draft was sent back at the first step, a draft under review waits at one."""
        chain = ([("head_of_unit", unit.head)] if unit.head else []) + [("leader", signer)]
        waiting = self.rnd.randrange(len(chain)) if status == "reviewing" else None
        for position, (kind, reviewer) in enumerate(chain):
            decision: str | None = "approved"
            if status == "returned" and position == 0:
                decision = "returned"
            elif waiting is not None and position == waiting:
                decision = None
            decided = at + timedelta(hours=4 * (position + 1)) if decision else None
            self.rows.add("review_step", id=self.ids.take("review_step"), document_id=doc_id, round=1, kind=kind,
                          reviewer_id=reviewer, version_number=1, decision=decision, comment="", decided_at=decided)
            if decision != "approved":
                break

    def internal(self, deliveries: list[tuple[dict, date]]) -> None:
        """Issued documents delivered to a unit of the commune: its own entries (no số đến),
        for information of the unit, as ``incoming.operations.receive_internal`` makes them."""
        for recipient, issued_on in deliveries:
            doc_id = self.ids.take("incoming_document")
            recipient["incoming_document_id"] = doc_id
            at = vn_moment(issued_on, self._office_hour())
            entry = self._own_entry(doc_id, issued_on, at, "internal", "Ủy ban nhân dân xã (nội bộ)")
            entry["subject"] = "Văn bản nội bộ"
            self.rows.add("incoming_document", entry)
            self.rows.add("assignment", id=self.ids.take("assignment"), document_id=doc_id, role="info",
                          assignee_user_id=None, assignee_unit_id=recipient["unit_id"], deadline=None,
                          assigned_by_id=self.c.clerk, assigned_at=at, started_at=None, done_at=None,
                          superseded_at=None, reminded_before_at=None, reminded_due_at=None)

    def _own_entry(self, doc_id: int, day: date, at: datetime, channel: str, sender: str) -> dict:
        return dict(
            id=doc_id, organisation_id=self.c.org_id, register_id=None, arrival_number=None, arrival_date=day,
            received_at=at, sender_name=sender, sender_organ_id="", number_symbol="", issue_date=day,
            doc_type="thong_bao", subject="Thực hiện kết luận cuộc họp", signer="", urgency="thuong",
            confidentiality="thuong", sender_due_date=None, page_count=None, field="", channel=channel,
            paper_holder="", status="assigned", deadline=None, direction_text="", completed_at=None,
            result_summary="", registered_by_id=self.c.leaders[0], created_at=at, medium="electronic",
        )

    # -- meetings --
    def meetings(self, count: int, days: int) -> None:
        rnd, today = self.rnd, self.today
        members = self.c.leaders + [u.head for u in self.c.units if u.head]
        guests = [s for s in self.staff if s not in members]
        for day in sorted(rnd.choices(working_days(today - timedelta(days=days), today + timedelta(days=14),
                                                   self.holidays), k=count)):
            mid = self.ids.take("meeting")
            starts = vn_moment(day, rnd.choice([8, 8.5, 14, 14.5]))
            past = day < today
            status = ("cancelled" if rnd.random() < 0.03 else "ended") if past else rnd.choice(["draft", "invited"])
            started = starts + timedelta(minutes=rnd.randint(0, 15)) if status == "ended" else None
            on_paper = started is not None and self._on_paper(day, 0.6, 0.1)
            ended = started + timedelta(hours=rnd.uniform(1, 3)) if started else None
            self.rows.add("meeting", id=mid, organisation_id=self.c.org_id,
                          title=f"Họp giao ban UBND xã tháng {day.month}/{day.year}", description="",
                          starts_at=starts, ends_at=starts + timedelta(hours=2), location="Phòng họp tầng 2",
                          online_link="", chair_id=self.c.leaders[0], secretary_id=self.c.secretary,
                          status=status, seq=0, current_item_id=None, presentation={},
                          created_by_id=self.c.secretary, created_at=starts - timedelta(days=5),
                          invited_at=starts - timedelta(days=4) if status != "draft" else None,
                          started_at=started, ended_at=ended, invitation_draft_id=None, minutes_draft_id=None,
                          held_on_paper=on_paper, paper_note="Họp theo tài liệu giấy" if on_paper else "")
            invited = members + rnd.sample(guests, min(len(guests), rnd.randint(1, 5)))
            voters = []
            for user_id in invited:
                role = "member" if user_id in members else "guest"
                present = started is not None and rnd.random() < 0.88
                if present and role == "member":
                    voters.append(user_id)
                self.rows.add("meeting_participant", id=self.ids.take("meeting_participant"), meeting_id=mid,
                              user_id=user_id, role=role, rsvp="attend" if present or not past else "absent",
                              rsvp_reason="", rsvp_at=starts - timedelta(days=2), delegate_id=None,
                              delegate_for_id=None, checked_in_at=started if present else None,
                              checked_in_by_id=self.c.secretary if present else None)
            for position in range(1, rnd.randint(2, 5) + 1):
                item_id = self.ids.take("agenda_item")
                concluded = started is not None and rnd.random() < 0.7
                self.rows.add("agenda_item", id=item_id, meeting_id=mid, position=position,
                              title=rnd.choice(SUBJECTS).format(y=day.year)[5:], presenter_id=rnd.choice(members),
                              duration_minutes=15, extra_minutes=0, started_at=started, paused_remaining=None,
                              conclusion="Thống nhất giao các bộ phận triển khai." if concluded else "",
                              conclusion_by_id=self.c.leaders[0] if concluded else None)
                if started is not None and voters and rnd.random() < 0.35:
                    self._vote(mid, item_id, voters, started)
                if concluded and ended is not None:
                    for _ in range(rnd.choice([0, 1, 1, 2])):
                        self._task(item_id, ended)

    def _vote(self, meeting_id: int, item_id: int, voters: list[int], at: datetime) -> None:
        vote_id = self.ids.take("vote")
        self.rows.add("vote", id=vote_id, meeting_id=meeting_id, item_id=item_id, question="Thông qua nội dung",
                      secret=False, status="closed", opened_by_id=self.c.leaders[0], opened_at=at,
                      closed_at=at + timedelta(minutes=3))
        options = []
        for position, label in enumerate(["Tán thành", "Không tán thành", "Không biểu quyết"], 1):
            options.append(dict(id=self.ids.take("vote_option"), vote_id=vote_id, position=position, label=label,
                                count=0))
        for user_id in voters:
            option = options[0] if self.rnd.random() < 0.85 else self.rnd.choice(options[1:])
            option["count"] += 1
            self.rows.add("ballot", id=self.ids.take("ballot"), vote_id=vote_id, user_id=user_id,
                          option_id=option["id"])
        for option in options:
            self.rows.add("vote_option", option)

    def _task(self, item_id: int, at: datetime) -> None:
        rnd, today = self.rnd, self.today
        day = (at + VN).date()
        doc_id = self.ids.take("incoming_document")
        row = self._own_entry(doc_id, day, at, "meeting", "Cuộc họp: Họp giao ban UBND xã")
        deadline = self._add_working(day, rnd.choice(DEADLINE_DAYS))
        outcome = rnd.random()
        done = (None if outcome < 0.1 else
                deadline - timedelta(days=rnd.randint(0, 3)) if outcome < 0.75 else
                deadline + timedelta(days=1 + rnd.randint(0, 10)))
        completed_at = vn_moment(done, self._office_hour()) if done is not None and done <= today else None
        if completed_at is not None and completed_at < at:
            completed_at = at + timedelta(hours=1)
        row.update(status="done" if completed_at else "assigned", deadline=deadline, completed_at=completed_at,
                   direction_text="Giao việc từ kết luận cuộc họp.")
        self.rows.add("incoming_document", row)
        self._assign(doc_id, at, deadline, completed_at, False)
        self.rows.add("meeting_task", id=self.ids.take("meeting_task"), item_id=item_id, incoming_id=doc_id,
                      created_by_id=self.c.secretary, created_at=at)


ORDER = ["register", "incoming_document", "assignment", "outgoing_document", "outgoing_recipient", "review_step",
         "meeting", "meeting_participant", "agenda_item", "vote", "vote_option", "ballot", "meeting_task"]


def seed_documents(docs: int, seed: int, today: date) -> dict[str, int]:
    """Seed both communes' documents; returns the row count per table."""
    import sqlalchemy as sa

    from docmgmt.documents.calendar import holidays_of
    from docmgmt.extensions import db

    rnd = random.Random(seed)
    commune, second = seed_people(rnd)
    tables = {name: db.metadata.tables[name] for name in ORDER}
    ids = Ids({name: (db.session.scalar(sa.select(sa.func.max(t.c.id))) or 0) + 1 for name, t in tables.items()})
    rows = Rows()
    days = 730
    for c, share in ((commune, 1.0), (second, 0.03)):
        n = max(1, round(docs * share))
        s = Seeder(c, rows, ids, rnd, today, holidays_of(c.org_id) | holidays_of(commune.org_id))
        s.incoming(n, days)
        s.internal(s.outgoing(round(n * 0.4), days))
        s.meetings(max(1, round(n / 100)), days)
    # The registers' counters where the last number taken stands.
    last: dict[int, int] = {}
    for t in ("incoming_document", "outgoing_document"):
        for row in rows.tables.get(t, []):
            key = row.get("register_id") or 0
            last[key] = max(last.get(key, 0), row.get("arrival_number") or row.get("number") or 0)
    for row in rows.tables.get("register", []):
        row["last_number"] = last.get(row["id"], 0)
    counts = {}
    for name in ORDER:
        batch = rows.tables.get(name, [])
        for i in range(0, len(batch), BATCH):
            db.session.execute(sa.insert(tables[name]), batch[i:i + BATCH])
        counts[name] = len(batch)
    if db.engine.dialect.name == "postgresql":  # the sequences past the explicit keys
        for name in ORDER:
            db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                       f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"))
    db.session.commit()
    return counts


# --- what is timed ----------------------------------------------------------------------------

def module(name: str):
    """The module if it exists (others are writing them while this script is used)."""
    try:
        if importlib.util.find_spec(name) is None:
            return None
        return importlib.import_module(name)
    except ImportError:
        return None


@dataclass
class View:
    name: str
    run: Callable[[], object]
    person: str  # chairman | head | staff


class StatementTimer:
    """Every SQL statement's time, from the cursor events of the engine."""

    def __init__(self, engine):
        import sqlalchemy as sa

        self.engine, self.sa = engine, sa
        self.on = False
        self.samples: list[tuple[float, str, object]] = []

    def __enter__(self) -> StatementTimer:
        self.sa.event.listen(self.engine, "before_cursor_execute", self._before)
        self.sa.event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc) -> None:
        self.sa.event.remove(self.engine, "before_cursor_execute", self._before)
        self.sa.event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_t0"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.samples.append(((time.perf_counter() - conn.info.pop("bench_t0")) * 1000, statement, parameters))

    @contextlib.contextmanager
    def recording(self) -> Iterator[list[tuple[float, str, object]]]:
        self.samples, self.on = [], True
        try:
            yield self.samples
        finally:
            self.on = False


def explain(statement: str, parameters: object, dialect: str) -> list[str]:
    from docmgmt.extensions import db

    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
    try:
        conn = db.session.connection()
        result = conn.exec_driver_sql(prefix + statement, parameters)  # type: ignore[arg-type]
        if dialect == "sqlite":
            return [f"{'  ' * 0}{row[-1]}  (id {row[0]} parent {row[1]})" for row in result]
        return [row[0] for row in result]
    except Exception as exc:  # noqa: BLE001 - a plan is a diagnostic, never fatal
        db.session.rollback()
        return [f"(no plan: {type(exc).__name__}: {str(exc)[:200]})"]


def build_views(app, today: date) -> tuple[list[View], list[str], dict]:
    """The views to time, per person, and the names of those missing (module not there)."""
    import sqlalchemy as sa

    from docmgmt.extensions import db
    from docmgmt.org.models import User
    from docmgmt.reports import periods
    from docmgmt.reports.scope import Scope

    figures = module("docmgmt.reports.figures")
    legal = module("docmgmt.reports.legal")
    paperless = module("docmgmt.reports.paperless")
    missing: list[str] = []
    views: list[View] = []
    last_month = (today.replace(day=1) - timedelta(days=1))
    month = periods.month(last_month.year, last_month.month)  # a whole month (the current one may be a week old)
    quarter = periods.quarter(today.year, (today.month - 1) // 3 + 1)
    year = periods.year(today.year)
    chosen = {"month": month, "quarter": quarter, "year": year}
    meta = {"periods": {k: p.to_dict() for k, p in chosen.items()}, "drill_keys": []}

    def person(username: str) -> User:
        return db.session.scalar(sa.select(User).where(User.username == username))

    users = {role: person(name) for role, name in PEOPLE.items()}
    scopes = {role: Scope.of(u, {}) for role, u in users.items()}

    if figures is not None and hasattr(figures, "dashboard"):
        for role, scope in scopes.items():
            for kind, period in chosen.items():
                views.append(View(f"dashboard_{kind}", lambda s=scope, p=period: figures.dashboard(s, p, today),
                                  role))
        if hasattr(figures, "drilldown"):
            keys = drill_keys(figures, scopes["chairman"], month, today)
            meta["drill_keys"] = keys
            for role, scope in scopes.items():
                for key in keys:
                    views.append(View(f"drill:{key}", lambda s=scope, k=key: first_page(figures, s, month, today, k),
                                      role))
            # One cell of the per-unit table (the unit of the head of unit timed here).
            unit_id = str(users["head"].unit_id)
            for role in ("chairman", "head"):
                views.append(View("drill:incoming.late@unit", lambda s=scopes[role]: first_page(
                    figures, s, month, today, "incoming.late", "unit", unit_id), role))
        else:
            missing.append("drilldown")
    else:
        missing += ["dashboard", "drilldown"]

    if legal is not None:
        for name in ("incoming_report", "outgoing_report"):
            fn = getattr(legal, name, None)
            if fn is None:
                missing.append(f"legal_{name}")
                continue
            for role, scope in scopes.items():
                views.append(View(f"legal_{name}", lambda f=fn, s=scope: call_report(f, s, month, today), role))
    else:
        missing += ["legal_incoming_report", "legal_outgoing_report"]

    if paperless is not None and hasattr(paperless, "progress"):
        for role, scope in scopes.items():
            views.append(View("paperless_year", lambda s=scope: paperless.progress(s, year, today), role))
    else:
        missing.append("paperless_year")

    return views, missing, meta


def build_door_views(app, meta: dict) -> tuple[list[View], list[str]]:
    """The doors, through the test client, with no context of ours pushed (a request made
    while an app context is pushed would share its session and ``g``): the pages, signed in
    with the form, and the API, with a personal token."""
    import sqlalchemy as sa

    from docmgmt.auth.operations import create_token
    from docmgmt.extensions import db
    from docmgmt.org.models import User

    rules = {r.rule for r in app.url_map.iter_rules()}
    month = meta["periods"]["month"]["start"][:7]
    query = f"period=month&month={month}"
    views: list[View] = []
    missing: list[str] = []
    with app.app_context():
        tokens = {}
        for role, username in PEOPLE.items():
            person = db.session.scalar(sa.select(User).where(User.username == username))
            tokens[role] = create_token(person, "bench")[1]
        db.session.commit()
    if "/dashboard" in rules:
        for role, username in PEOPLE.items():
            client = signed_in(app, username)
            views.append(View("page_dashboard", lambda c=client: get_ok(c, f"/dashboard?{query}"), role))
            if "/dashboard/list" in rules:
                views.append(View("page_drilldown", lambda c=client: get_ok(
                    c, f"/dashboard/list?figure=incoming.on_time&{query}"), role))
    else:
        missing.append("page_dashboard")
    if "/api/v1/reports/dashboard" in rules:
        for role in PEOPLE:
            client = app.test_client()
            headers = {"Authorization": f"Bearer {tokens[role]}"}
            views.append(View("api_dashboard", lambda c=client, h=headers: get_ok(
                c, f"/api/v1/reports/dashboard?{query}", headers=h), role))
    else:
        missing.append("api_dashboard")
    return views, missing


def drill_keys(figures, scope, period, today: date) -> list[str]:
    """The main figures: the dashboard's headline, then the handling classification."""
    try:
        data = figures.dashboard(scope, period, today)
    except Exception:  # noqa: BLE001 - reported by the dashboard's own view
        data = {}
    keys = [h["key"] for h in data.get("headline", [])]
    for key in getattr(figures, "FIGURES", {}):
        if key.startswith("incoming.") and key not in keys and len(keys) < 14:
            keys.append(key)
    return keys


def first_page(figures, scope, period, today: date, key: str, by: str | None = None,
               value: str | None = None) -> int:
    """What the list page computes: the total and the first page of rows, described."""
    from docmgmt.extensions import db

    listing = module("docmgmt.reports.listing")
    if listing is not None and hasattr(listing, "listing"):
        return len(listing.listing(scope, period, today, key, by, value, page=1, per_page=PAGE).items)
    query = figures.drilldown(scope, period, today, key, by, value)
    rows = db.session.execute(query.limit(PAGE)).all()
    if hasattr(figures, "count"):
        figures.count(scope, period, today, key, by, value)
    return len(rows)


def call_report(fn, scope, period, today: date):
    """The legal reports take (scope, period[, today]) — whichever their author chose."""
    import inspect

    params = list(inspect.signature(fn).parameters)
    if "today" in params:
        return fn(scope, period, today=today)
    return fn(scope, period)


def signed_in(app, username: str):
    import re

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token.group(1) if token else ""})
    if response.status_code != 302:
        raise RuntimeError(f"{username} could not sign in: {response.status_code}")
    return client


def get_ok(client, path: str, **kw) -> int:
    response = client.get(path, **kw)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
    return len(response.data)


# --- one backend ---------------------------------------------------------------------------------

def run_backend(backend: str, args, today: date) -> dict:
    import flask_migrate

    from docmgmt import create_app
    from docmgmt.extensions import db

    with contextlib.ExitStack() as stack:
        if args.keep and backend == "sqlite":
            folder = Path(args.keep)
            folder.mkdir(parents=True, exist_ok=False)
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="xaso-bench-dash-")))
        url = stack.enter_context(pg_database(args.pg_url)) if backend == "postgresql" else None
        app = create_app(instance_config(folder, url))
        result: dict = {"backend": backend}
        with app.app_context():
            started = time.perf_counter()
            flask_migrate.upgrade()
            counts = seed_documents(args.docs, args.seed, today)
            if backend == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql("ANALYZE")
            result["seed_s"] = round(time.perf_counter() - started, 1)
            result["rows"] = counts
            log(f"[{backend}] seeded in {result['seed_s']} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
            db.session.remove()
        try:
            result.update(measure(app, backend, args, today))
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    return result


def measure(app, backend: str, args, today: date) -> dict:
    from docmgmt.extensions import db

    clock = Clock(args.repeat, args.verbose)
    with app.app_context(), app.test_request_context():
        views, missing, meta = build_views(app, today)
        clock.run(views, reset=db.session.rollback)  # as a request ends: nothing kept in the session
        dashboard_timed = any(v.name.startswith("dashboard_") for v in views)
        queries, report = profile_statements(backend, today) if dashboard_timed else ([], [])
        db.session.remove()
    doors, door_missing = build_door_views(app, meta)
    missing += door_missing
    clock.run(doors)  # no context of ours pushed: each request brings its own
    per_person: dict[str, dict[str, dict[str, float]]] = {}
    for (name, person), samples in clock.wall.items():
        cpu = clock.cpu[(name, person)]
        per_person.setdefault(name, {})[person] = {"p50": round(percentile(samples, 50), 1),
                                                   "p95": round(percentile(samples, 95), 1),
                                                   "cpu_p95": round(percentile(cpu, 95), 1)}
    per_view = {name: max(v["p95"] for v in by.values()) for name, by in per_person.items()}
    cpu_view = {name: max(v["cpu_p95"] for v in by.values()) for name, by in per_person.items()}
    slowest = max(per_view, key=per_view.__getitem__) if per_view else None
    log(f"\n[{backend}] server time p50 / p95 in ms over {args.repeat} runs (after one warm-up); the last column: "
        "this process's CPU p95 (all of it on SQLite; without the server's on PostgreSQL)")
    log(f"  {'view':30} " + " ".join(f"{p:>17}" for p in PEOPLE) + f" {'cpu':>7}")
    for name, by in per_person.items():
        cells = " ".join(f"{by[p]['p50']:>8.1f}/{by[p]['p95']:<8.1f}" if p in by else f"{'-':>17}" for p in PEOPLE)
        mark = "  <-- over goal" if per_view[name] >= GOAL_MS else ""
        log(f"  {name:30} {cells} {cpu_view[name]:>7.1f}{mark}")
    if missing:
        log(f"  not timed (module or route not there): {', '.join(missing)}")
    for name, error in clock.failed.items():
        log(f"  not timed (failed): {name}: {error}")
    for line in report:
        log(line)
    return {"per_view": per_view, "cpu_per_view": cpu_view, "per_person": per_person, "missing": missing,
            "failed": clock.failed, "p95_ms": per_view[slowest] if slowest else None, "slowest_view": slowest,
            "slow_queries": queries, "periods": meta["periods"]}


class Clock:
    """One warm-up run per view (a view that fails then is reported, not timed), then
    ``repeat`` rounds over all views, so that each view sees the same machine load."""

    def __init__(self, repeat: int, verbose: bool):
        self.repeat, self.verbose = repeat, verbose
        self.wall: dict[tuple[str, str], list[float]] = {}
        self.cpu: dict[tuple[str, str], list[float]] = {}
        self.failed: dict[str, str] = {}

    def run(self, views: list[View], reset: Callable[[], None] = lambda: None) -> None:
        for view in list(views):  # warm-up: caches, compiled statements, the first connection
            t0 = time.perf_counter()
            try:
                view.run()
            except Exception as exc:  # noqa: BLE001 - a view still being written: reported, not timed
                self.failed[view.name] = f"{type(exc).__name__}: {str(exc)[:200]}"
                views.remove(view)
            reset()
            if self.verbose:
                log(f"  warm-up {view.name} ({view.person}): {(time.perf_counter() - t0) * 1000:.0f} ms")
        for _ in range(self.repeat):
            for view in views:
                c0, t0 = time.process_time(), time.perf_counter()
                view.run()
                t1, c1 = time.perf_counter(), time.process_time()
                self.wall.setdefault((view.name, view.person), []).append((t1 - t0) * 1000)
                self.cpu.setdefault((view.name, view.person), []).append((c1 - c0) * 1000)
                reset()


def profile_statements(backend: str, today: date, top: int = 6) -> tuple[list[dict], list[str]]:
    """The dashboard's statements timed one by one (the chairman, the year: the heaviest),
    the slowest with their plans: (the slowest as data, the lines to print)."""
    import sqlalchemy as sa

    from docmgmt.extensions import db
    from docmgmt.org.models import User
    from docmgmt.reports import figures, periods
    from docmgmt.reports.scope import Scope

    chairman = db.session.scalar(sa.select(User).where(User.username == PEOPLE["chairman"]))
    scope = Scope.of(chairman, {})
    period = periods.year(today.year)
    runs = 3
    by_sql: dict[str, tuple[list[float], object]] = {}
    with StatementTimer(db.engine) as timer:
        for _ in range(runs):
            with timer.recording() as samples:
                figures.dashboard(scope, period, today)
            db.session.rollback()
            for ms, statement, params in samples:
                by_sql.setdefault(statement, ([], params))[0].append(ms)
    ranked = sorted(by_sql.items(), key=lambda kv: -median(kv[1][0]))
    total = sum(median(times) * len(times) / runs for times, _ in by_sql.values())
    lines = [f"\n[{backend}] the dashboard's SQL (chairman, year {today.year}): {len(by_sql)} distinct statements, "
             f"{total:.1f} ms in the database per page (medians of {runs} runs)"]
    out = []
    for statement, (times, params) in ranked[:top]:
        ms = median(times)
        flat = " ".join(statement.split())
        lines.append(f"\n  {ms:8.1f} ms  x{max(1, len(times) // runs)}  {flat[:600]}{' …' if len(flat) > 600 else ''}")
        plan = explain(statement, params, db.engine.dialect.name)
        lines += [f"      | {line}" for line in plan[:30]]
        out.append({"ms": round(ms, 1), "sql": flat[:300], "plan": plan[:12]})
    db.session.rollback()
    return out, lines


def median(values: list[float]) -> float:
    return percentile(values, 50)


# --- the run -------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="incoming documents of the sổ đến")
    parser.add_argument("--quick", action="store_true", help="10,000 documents")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per view (after one warm-up)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--pg-url", default=PG_ADMIN_URL, help="an administrator URL of the PostgreSQL server")
    parser.add_argument("--keep", metavar="DIR", help="SQLite: seed into DIR and keep it (to study the queries)")
    parser.add_argument("--verbose", action="store_true", help="print each view's warm-up time")
    args = parser.parse_args(argv)
    if args.quick:
        args.docs = 10_000
    args.repeat = max(1, args.repeat)
    logging.disable(logging.WARNING)

    from docmgmt.core.timeutil import vn_today

    today = vn_today()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results, skipped = {}, {}
    for backend in backends:
        problem = pg_unreachable(args.pg_url) if backend == "postgresql" else None
        if problem:
            log(f"[{backend}] skipped: the server is unreachable at {args.pg_url}: {problem}")
            skipped[backend] = problem
            continue
        results[backend] = run_backend(backend, args, today)
    if not results:
        print(json.dumps({"docs": args.docs, "backend": args.backend, "p95_ms": {}, "per_view": {},
                          "skipped": skipped, "load": [round(x, 2) for x in os.getloadavg()]}), flush=True)
        return 1
    backends = list(results)
    p95 = {b: r["p95_ms"] for b, r in results.items()}
    known = [v for v in p95.values() if v is not None]
    summary = {
        "docs": args.docs, "backend": args.backend, "repeat": args.repeat, "today": today.isoformat(),
        "p95_ms": p95, "p95_max_ms": max(known) if known else None,
        "slowest_view": {b: r["slowest_view"] for b, r in results.items()},
        "goal_ms": GOAL_MS, "goal_met": bool(known) and max(known) < GOAL_MS,
        "per_view": {b: r["per_view"] for b, r in results.items()},
        "cpu_p95_ms": {b: r["cpu_per_view"] for b, r in results.items()},
        "per_person": {b: r["per_person"] for b, r in results.items()},
        "missing": sorted({m for r in results.values() for m in r["missing"]}), "skipped": skipped,
        "failed": {b: r["failed"] for b, r in results.items() if r["failed"]},
        "slow_queries": {b: [{"ms": q["ms"], "sql": q["sql"]} for q in r["slow_queries"]] for b, r in results.items()},
        "seed_s": {b: r["seed_s"] for b, r in results.items()},
        "rows": results[backends[0]]["rows"],
        "periods": results[backends[0]]["periods"],
        "load_at_start": load_at_start, "load": [round(x, 2) for x in os.getloadavg()], "cores": os.cpu_count(),
    }
    log()
    print(json.dumps(summary, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
