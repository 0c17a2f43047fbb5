"""The demo commune's records: last year's Danh mục hồ sơ, approved in January, whose
dossiers were kept and closed (the economy officer's handed over to the archive, one of
them lent out now; the office's announced for transfer, due in three weeks, so the 30-day
reminder shows; one kept 3 years stays with its unit; one never opened); and this year's,
copied forward from it, completed and approved, with dossiers opened by the people
responsible and this year's completed incoming and issued outgoing documents filed in
them — one document in two dossiers of different people.

Headings by unit (I. VĂN PHÒNG …, II. PHÒNG KINH TẾ …), sub-headings under the office,
dossiers numbered through the plan (01.VP … 10.TTPVHCC). Everything goes through the
operations, as people would do it; only the dates of last year's acts are set back to
last year afterwards (no operation acts in the past).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from ..core.timeutil import VN_TZ, vn_today
from ..extensions import db
from ..files.operations import upload
from ..incoming import access as incoming_access
from ..incoming.models import Assignment, IncomingDocument
from ..org.models import Organisation, Unit, User
from ..outgoing import access as outgoing_access
from ..outgoing.models import OutgoingDocument
from . import operations as ops
from .models import Dossier, FilePlan, PlanHeading
from .schemas import (
    ApprovalInput,
    DossierInput,
    FileItemInput,
    FilingInput,
    HeadingInput,
    LoanInput,
    PlanInput,
    TransferInput,
)

PERMANENT = None

# Large headings by unit: (code, title); sub-headings of the office.
HEADINGS = [
    ("VP", "VĂN PHÒNG HĐND VÀ UBND"),
    ("KT", "PHÒNG KINH TẾ"),
    ("VHXH", "PHÒNG VĂN HÓA - XÃ HỘI"),
    ("TTPVHCC", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"),
]
OFFICE_SUBHEADINGS = ["Công tác tổng hợp", "Hành chính, văn thư, lưu trữ"]

# Last year's dossiers: (heading code, or "VP/1" for the office's first sub-heading; title;
# retention, None: vĩnh viễn; the person responsible; what became of it; the papers scanned
# into it: (title, author, month, day)).
LAST_YEAR = [
    ("VP/1", "Kế hoạch, báo cáo công tác năm của Ủy ban nhân dân xã", PERMANENT, "cv.vp", "closed",
     [("Kế hoạch công tác năm của Ủy ban nhân dân xã", "UBND xã Kim Bôi", 1, 12),
      ("Báo cáo sơ kết công tác 6 tháng đầu năm", "UBND xã Kim Bôi", 7, 8),
      ("Báo cáo tổng kết công tác năm", "UBND xã Kim Bôi", 12, 18)]),
    ("VP/1", "Hồ sơ các cuộc họp giao ban của Ủy ban nhân dân xã", 10, "cv.vp", "closed",
     [("Biên bản họp giao ban tháng 3", "Văn phòng HĐND và UBND", 3, 30),
      ("Biên bản họp giao ban tháng 9", "Văn phòng HĐND và UBND", 9, 28)]),
    ("VP/2", "Hồ sơ về công tác văn thư, lưu trữ và chuyển đổi số", 10, "cv.vp", "closed",
     [("Biên bản kiểm tra công tác văn thư, lưu trữ", "Sở Nội vụ tỉnh Phú Thọ", 10, 15),
      ("Báo cáo công tác văn thư, lưu trữ năm", "Văn phòng HĐND và UBND", 11, 20)]),
    ("KT", "Hồ sơ về xây dựng nông thôn mới", 20, "cv.kt1", "closed",
     [("Kế hoạch xây dựng xã đạt chuẩn nông thôn mới nâng cao", "UBND xã Kim Bôi", 2, 20),
      ("Báo cáo kết quả thực hiện các tiêu chí nông thôn mới", "Phòng Kinh tế", 11, 5)]),
    ("KT", "Hồ sơ về phát triển sản xuất nông nghiệp, phòng chống dịch bệnh", 10, "cv.kt1", "closed",
     [("Phương án phòng chống dịch bệnh trên đàn vật nuôi", "Phòng Kinh tế", 3, 12)]),
    ("VHXH", "Hồ sơ tổ chức Ngày hội Đại đoàn kết toàn dân tộc", 3, "cv.vhxh", "closed",
     [("Kế hoạch tổ chức Ngày hội Đại đoàn kết toàn dân tộc", "UBND xã Kim Bôi", 10, 20),
      ("Báo cáo kết quả tổ chức Ngày hội", "Phòng Văn hóa - Xã hội", 11, 25)]),
    ("TTPVHCC", "Hồ sơ tiếp công dân định kỳ của Chủ tịch Ủy ban nhân dân xã", 10, "cv.hcc", "planned", []),
]
LENT = "Hồ sơ về xây dựng nông thôn mới"

# Added to this year's plan after copying last year's: (heading, title, retention, responsible).
THIS_YEAR_NEW = [
    ("KT", "Hồ sơ rà soát hộ nghèo, hộ cận nghèo", 20, "cv.kt1"),
    ("VHXH", "Hồ sơ về công tác văn hóa, y tế, giáo dục trên địa bàn", 10, "cv.vhxh"),
    ("TTPVHCC", "Hồ sơ báo cáo kết quả giải quyết thủ tục hành chính", 10, "cv.hcc"),
]


def seed_records(org: Organisation) -> None:
    def user(name: str) -> User:
        found = db.session.scalar(sa.select(User).where(User.organisation_id == org.id, User.username == name))
        assert found is not None, f"the demo commune has no user {name!r}"
        return found

    clerk, chairman = user("vanthu"), user("chutich")
    today = vn_today()
    units = {u.abbreviation: u for u in db.session.scalars(sa.select(Unit).where(Unit.organisation_id == org.id))}
    last = _last_year(user, units, today.year - 1)
    plan = ops.create_plan(clerk, PlanInput(year=today.year, numbering="plan", copy_previous=True))
    headings = _headings_by_place(plan)
    for place, title, retention, person in THIS_YEAR_NEW:
        ops.add_planned_dossier(clerk, plan, _dossier(headings[place], title, retention, user(person)))
    ops.approve_plan(chairman, plan, ApprovalInput("03/QĐ-UBND", min(date(today.year, 1, 8), today)))
    _open_and_file(plan, user)
    _transfer_and_lend(last, user, today)


# --- last year ---------------------------------------------------------------------------------------

def _last_year(user: Callable[[str], User], units: dict[str, Unit], year: int) -> FilePlan:
    clerk, chairman = user("vanthu"), user("chutich")
    plan = ops.create_plan(clerk, PlanInput(year=year, numbering="plan", copy_previous=False))
    for code, title in HEADINGS:
        top = ops.add_heading(clerk, plan, HeadingInput(title=title, code=code, unit_id=units[code].id))
        if code == "VP":
            for sub in OFFICE_SUBHEADINGS:
                ops.add_heading(clerk, plan, HeadingInput(title=sub, parent_id=top.id, unit_id=units[code].id))
    headings = _headings_by_place(plan)
    rows = [(ops.add_planned_dossier(clerk, plan, _dossier(headings[place], title, retention, user(person))),
             fate, files) for place, title, retention, person, fate, files in LAST_YEAR]
    drafted, decided = date(year, 1, 5), date(year, 1, 10)
    ops.approve_plan(chairman, plan, ApprovalInput("05/QĐ-UBND", decided))
    plan.created_at, plan.approved_at = _at(drafted, 9), _at(decided, 15)
    for dossier, _fate, _files in rows:
        for event in dossier.events:
            event.at = plan.created_at
    for dossier, fate, files in rows:
        if fate == "planned":  # never opened: the work did not happen that year
            continue
        person = dossier.responsible
        ops.open_dossier(person, dossier)
        for title, author, month, day in files:
            stored = upload(person, _scan(author, title), f"{_slug(title)}.pdf")
            ops.add_file(person, dossier, FileItemInput(file_id=stored.id, title=title, author=author,
                                                        doc_date=date(year, month, day)))
        ops.close_dossier(person, dossier)
        _as_kept_last_year(dossier, year)
    return plan


def _as_kept_last_year(dossier: Dossier, year: int) -> None:
    """Demo history only: opened once the plan was approved, documents filed on their
    dates, closed at the end of the year."""
    opened, closed = _at(date(year, 1, 11), 8), _at(date(year, 12, 29), 16)
    dossier.opened_at, dossier.closed_at = opened, closed
    for item in dossier.items:
        item.added_at = _at(item.doc_date, 15)
    for event in dossier.events:
        if event.kind == "opened":
            event.at = opened
        elif event.kind == "filed":
            filed = next((i for i in dossier.items if event.data and i.file_id == event.data.get("file_id")), None)
            event.at = _at(filed.doc_date, 15) if filed is not None else opened
        elif event.kind == "closed":
            event.at = closed


def _transfer_and_lend(plan: FilePlan, user: Callable[[str], User], today: date) -> None:
    """The archive announces last year's dossiers due (kept 5 years or more) with a due date
    three weeks away; the economy officer hands his over at once and the archive receives
    them; one is lent to the vice-chairman. The office's remain announced: reminded 30 days
    ahead."""
    clerk, economy = user("vanthu"), user("cv.kt1")
    transfers = ops.announce_transfer(clerk, TransferInput(year=plan.year, due_date=today + timedelta(days=21)))
    for transfer in transfers:
        if transfer.giver_id == economy.id:
            ops.submit_transfer(economy, transfer)
            ops.receive_transfer(clerk, transfer, "Hồ sơ đầy đủ, tài liệu còn tốt.")
            lent = next(d for d in transfer.dossiers if d.title == LENT)
            ops.lend_dossier(clerk, lent, LoanInput(
                borrower_id=user("phochutich.kt").id, due_date=today + timedelta(days=10),
                purpose="Phục vụ đánh giá xã đạt chuẩn nông thôn mới nâng cao"))
    ops.remind_due_transfers(today)  # what the worker does within minutes of the start


# --- this year ---------------------------------------------------------------------------------------

def _open_and_file(plan: FilePlan, user: Callable[[str], User]) -> None:
    """The people responsible open their dossiers and file this year's completed incoming
    documents their unit handled and the issued outgoing documents they may open."""
    dossiers = {d.title: d for d in plan.dossiers}
    done = list(db.session.scalars(sa.select(IncomingDocument).where(
        IncomingDocument.organisation_id == plan.organisation_id, IncomingDocument.status == "done",
        IncomingDocument.confidentiality == "thuong").order_by(IncomingDocument.arrival_date, IncomingDocument.id)))
    issued = list(db.session.scalars(sa.select(OutgoingDocument).where(
        OutgoingDocument.organisation_id == plan.organisation_id, OutgoingDocument.status == "issued",
        OutgoingDocument.confidentiality == "thuong").order_by(OutgoingDocument.id)))

    def handled_by_unit_of(person: User) -> list[int]:
        main = {a.document_id: a for a in db.session.scalars(sa.select(Assignment).where(
            Assignment.role == "main", Assignment.superseded_at.is_(None),
            Assignment.document_id.in_([d.id for d in done])))}
        return [d.id for d in done if d.id in main
                and (main[d.id].assignee_user_id == person.id or main[d.id].assignee_unit_id == person.unit_id)
                and incoming_access.READ.allows(person, d)]

    def outgoing_about(person: User, *words: str) -> list[int]:
        return [o.id for o in issued if any(w in o.subject for w in words) and outgoing_access.READ.allows(person, o)]

    filings = [
        ("Kế hoạch, báo cáo công tác năm của Ủy ban nhân dân xã", lambda p: (handled_by_unit_of(p)[-4:], [])),
        ("Hồ sơ về phát triển sản xuất nông nghiệp, phòng chống dịch bệnh",
         lambda p: (handled_by_unit_of(p)[-5:], [])),
        ("Hồ sơ rà soát hộ nghèo, hộ cận nghèo", lambda p: ([], outgoing_about(p, "hộ nghèo"))),
        ("Hồ sơ về công tác văn hóa, y tế, giáo dục trên địa bàn", lambda p: (handled_by_unit_of(p)[-5:], [])),
        ("Hồ sơ tiếp công dân định kỳ của Chủ tịch Ủy ban nhân dân xã",
         lambda p: ([], outgoing_about(p, "tiếp công dân"))),
    ]
    # One document in two dossiers: the latest the economy officer completed, which the
    # culture officer co-handled (the Sở Nông nghiệp's plan), is in hers too.
    shared: int | None = None
    by_id = {d.id: d for d in done}
    for title, documents in filings:
        dossier = dossiers[title]
        person = dossier.responsible
        ops.open_dossier(person, dossier)
        incoming, outgoing = documents(person)
        if title.startswith("Hồ sơ về phát triển") and incoming:
            shared = incoming[-1]
        if title.startswith("Hồ sơ về công tác văn hóa") and shared is not None and shared not in incoming \
                and incoming_access.READ.allows(person, by_id[shared]):
            incoming = [*incoming, shared]
        if incoming or outgoing:
            ops.file_documents(person, dossier, FilingInput(incoming_ids=incoming, outgoing_ids=outgoing))


# --- helpers -----------------------------------------------------------------------------------------

def _headings_by_place(plan: FilePlan) -> dict[str, PlanHeading]:
    """"VP" → the large heading, "VP/1" → its first sub-heading."""
    places: dict[str, PlanHeading] = {}
    for top in plan.top_headings:
        places[top.code] = top
        for child in top.children:
            places[f"{top.code}/{child.position}"] = child
    return places


def _dossier(heading: PlanHeading, title: str, retention: int | None, person: User) -> DossierInput:
    return DossierInput(heading_id=heading.id, title=title, retention_years=retention,
                        permanent=retention is None, responsible_id=person.id)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=VN_TZ).astimezone(UTC)


def _slug(title: str) -> str:
    from search.analysis import fold

    return "-".join(fold(title.lower()).split())[:60]


def _scan(author: str, title: str) -> bytes:
    from ..demo import _scan as scan  # the demo's scanned paper (imported when run: it imports us)

    return scan(author, title)
