"""The two NĐ30 reports on handling (Phụ lục VI Part I §V.2 and §V.4) and the dashboard
workbook, computed from documents written straight into the database with known dates,
deadlines and completion times, then read back from their XLSX and PDF files.

The third quarter of 2026 is reported on 05/10/2026: it holds a weekend, the national
day holiday (01–02/09), a document completed at 23:30 on its deadline day (on time) and
one completed at 00:30 the next morning (a day late — on the UTC date it would still be
the deadline day).
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time, timedelta

import openpyxl
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from docmgmt.core.timeutil import VN_TZ
from docmgmt.documents.calendar import add_working_days, holidays_of
from docmgmt.documents.registers import Direction, register_for
from docmgmt.extensions import db
from docmgmt.incoming.models import Assignment, IncomingDocument
from docmgmt.org.models import Unit, User
from docmgmt.outgoing.models import OutgoingDocument, Recipient
from docmgmt.reports import legal, periods
from docmgmt.reports.scope import Scope
from tests.commune import DEMO_ORGANISATION_ID, unit, user

Q3 = periods.quarter(2026, 3)
TODAY = date(2026, 10, 5)  # a Monday


def vn(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in Vietnam time, as the UTC datetime the database stores."""
    return datetime.combine(day, time(hour, minute), tzinfo=VN_TZ).astimezone(UTC)


class Book:
    """Writes incoming and outgoing documents as they stand after their handling."""

    def __init__(self, organisation_id: int = DEMO_ORGANISATION_ID):
        self.org = organisation_id
        self.numbers: dict[tuple[bool, str], int] = {}

    def incoming(self, subject: str, arrived: date, *, status: str = "registered", deadline: date | None = None,
                 done_at: datetime | None = None, main_unit: str | None = None, main_user: str | None = None,
                 co_unit: str | None = None, result: str = "", confidential: bool = False,
                 channel: str = "upload", urgency: str = "thuong") -> IncomingDocument:
        in_register = channel not in ("internal", "meeting")
        register = register_for(self.org, Direction.INCOMING, arrived.year, confidential) if in_register else None
        number = None
        if register is not None:
            register.last_number += 1
            number = register.last_number
        doc = IncomingDocument(
            organisation_id=self.org, register_id=register.id if register else None, arrival_number=number,
            arrival_date=arrived, sender_name="Sở Tài nguyên và Môi trường tỉnh Phú Thọ",
            number_symbol=f"{100 + (number or 0)}/STNMT-ĐĐ", issue_date=arrived - timedelta(days=2),
            doc_type="cong_van", subject="" if confidential else subject,
            confidentiality="mat" if confidential else "thuong", status=status, deadline=deadline,
            completed_at=done_at, result_summary=result, channel=channel, urgency=urgency,
            paper_holder="Văn thư" if confidential else "")
        db.session.add(doc)
        db.session.flush()
        if main_unit or main_user:
            db.session.add(Assignment(
                document_id=doc.id, role="main", deadline=deadline,
                assignee_unit_id=self._unit(main_unit), assignee_user_id=self._user(main_user),
                done_at=done_at))
        if co_unit:
            db.session.add(Assignment(document_id=doc.id, role="co", assignee_unit_id=self._unit(co_unit)))
        db.session.flush()
        return doc

    def outgoing(self, subject: str, *, drafter: str, created: datetime, status: str = "issued",
                 issued: datetime | None = None, medium: str = "electronic", recipients=(),
                 confidential: bool = False, recall_reason: str = "", due: date | None = None) -> OutgoingDocument:
        drafter_user = self._find_user(drafter)
        register = number = None
        if issued is not None:
            register = register_for(self.org, Direction.OUTGOING, issued.year, confidential)
            register.last_number += 1
            number = register.last_number
        doc = OutgoingDocument(
            organisation_id=self.org, doc_type="cong_van", subject="" if confidential else subject,
            drafting_unit_id=drafter_user.unit_id, drafter_id=drafter_user.id,
            signer_id=self._user("chutich") if self.org == DEMO_ORGANISATION_ID else None,
            confidentiality="mat" if confidential else "thuong", status=status, due_date=due,
            register_id=register.id if register else None, number=number,
            number_symbol=f"{number:02d}/UBND-KT" if number else "",
            issued_on=issued.astimezone(VN_TZ).date() if issued else None, issued_at=issued,
            recall_reason=recall_reason, created_at=created, medium=medium)
        db.session.add(doc)
        db.session.flush()
        for kind, target, status_ in recipients:
            if kind == "unit":
                db.session.add(Recipient(document_id=doc.id, kind="unit", unit_id=self._unit(target)))
            else:
                name, organ_id = target
                db.session.add(Recipient(document_id=doc.id, kind="external", organ_name=name, organ_id=organ_id,
                                         exchange_status=status_))
        db.session.flush()
        return doc

    def _find_user(self, username: str) -> User:
        return db.session.scalar(sa.select(User).where(User.username == username))

    def _user(self, username: str | None) -> int | None:
        return self._find_user(username).id if username else None

    def _unit(self, abbreviation: str | None) -> int | None:
        if abbreviation is None:
            return None
        return db.session.scalar(sa.select(Unit.id).where(Unit.abbreviation == abbreviation,
                                                          Unit.organisation_id == self.org))


def fill_quarter() -> dict:
    """The third quarter of 2026 in Kim Bôi (and a little of Lạc Sơn), committed."""
    b = Book()
    holidays = holidays_of(DEMO_ORGANISATION_ID, date(2026, 9, 1))
    docs = {}
    # Across a weekend and the national day holiday: three working days from Friday 28/08.
    across = add_working_days(date(2026, 8, 28), 3, holidays)
    docs["before"] = b.incoming("Về việc báo cáo quý II", date(2026, 6, 30), status="done", deadline=date(2026, 7, 3),
                                done_at=vn(date(2026, 7, 2)), main_unit="KT", main_user="cv.kt1", result="Đã báo cáo")
    docs["holiday"] = b.incoming("Về việc kiểm kê đất đai", date(2026, 8, 28), status="done", deadline=across,
                                 done_at=vn(across, 23, 30), main_unit="VHXH", result="Đã gửi số liệu kiểm kê")
    docs["on_time"] = b.incoming("Về việc cấp giấy chứng nhận", date(2026, 9, 3), status="done",
                                 deadline=date(2026, 9, 10), done_at=vn(date(2026, 9, 10), 23, 30), main_unit="KT",
                                 main_user="cv.kt1", co_unit="VHXH", result="Đã cấp 12 giấy chứng nhận",
                                 urgency="khan")
    docs["day_late"] = b.incoming("Về việc thu hồi đất dự án", date(2026, 9, 3), status="done",
                                  deadline=date(2026, 9, 10), done_at=vn(date(2026, 9, 11), 0, 30), main_unit="KT",
                                  main_user="cv.kt1", result="Đã lập phương án")
    docs["weekend"] = b.incoming("Về việc đo đạc bản đồ", date(2026, 9, 7), status="done",
                                 deadline=date(2026, 9, 12), done_at=vn(date(2026, 9, 14), 8), main_unit="KT",
                                 main_user="cv.kt2", result="Đã đo đạc xong")
    docs["early"] = b.incoming("Về việc trồng cây phân tán", date(2026, 9, 8), status="done",
                               deadline=date(2026, 9, 25), done_at=vn(date(2026, 9, 21)), main_unit="VHXH",
                               result="Đã trồng 500 cây")
    docs["no_deadline"] = b.incoming("Về việc phổ biến luật đất đai", date(2026, 9, 14), status="done",
                                     done_at=vn(date(2026, 9, 20)), main_unit="KT", main_user="cv.kt1",
                                     result="Đã phổ biến tại 5 thôn")
    docs["overdue"] = b.incoming("Về việc rà soát hộ nghèo", date(2026, 9, 21), status="assigned",
                                 deadline=date(2026, 9, 30), main_unit="KT")
    docs["open"] = b.incoming("Về việc chuẩn bị đại hội", date(2026, 9, 28), status="in_progress",
                              deadline=date(2026, 10, 20), main_user="cv.vp")
    docs["returned"] = b.incoming("Về việc gửi nhầm địa chỉ", date(2026, 9, 29), status="returned")
    docs["waiting"] = b.incoming("Về việc mời dự hội nghị", date(2026, 9, 30), status="submitted")
    docs["secret"] = b.incoming("", date(2026, 9, 15), status="paper", confidential=True, main_unit="KT")
    docs["internal"] = b.incoming("Thông báo nội bộ về lịch trực", date(2026, 9, 16), status="assigned",
                                  channel="internal", main_unit="KT")
    other = Book(2)
    docs["other_commune"] = other.incoming("Việc riêng của xã Lạc Sơn", date(2026, 9, 10), status="assigned",
                                           deadline=date(2026, 9, 20), main_unit="VP", main_user="cv.lacson")

    out = {}
    out["issued"] = b.outgoing("V/v triển khai chuyển đổi số", drafter="cv.kt1", created=vn(date(2026, 9, 7), 8),
                               issued=vn(date(2026, 9, 10), 20), recipients=[
                                   ("unit", "VHXH", ""),
                                   ("external", ("Sở Khoa học và Công nghệ", "000.00.05.H42"), "03"),
                                   ("external", ("Công ty Điện lực Phú Thọ", ""), "by_post")],
                               due=date(2026, 9, 30))
    out["paper"] = b.outgoing("V/v kế hoạch phòng chống lụt bão", drafter="cv.vp", created=vn(date(2026, 9, 14), 8),
                              issued=vn(date(2026, 9, 15), 8), medium="paper", recipients=[
                                  ("external", ("Ban Chỉ huy PCTT tỉnh", "000.00.07.H42"), "by_post")])
    out["recalled"] = b.outgoing("V/v số liệu dân số", drafter="cv.kt1", created=vn(date(2026, 9, 18), 8),
                                 issued=vn(date(2026, 9, 20), 8), status="recalled", recall_reason="Sai số liệu")
    out["in_flow"] = b.outgoing("V/v dự thảo quy chế làm việc", drafter="cv.kt1", created=vn(date(2026, 9, 25), 8),
                                status="reviewing", recipients=[("unit", "VP", "")])
    out["old_draft"] = b.outgoing("V/v dự thảo cũ", drafter="cv.kt1", created=vn(date(2026, 6, 1), 8), status="draft")
    out["old_issued"] = b.outgoing("V/v văn bản quý II", drafter="cv.kt1", created=vn(date(2026, 6, 1), 8),
                                   issued=vn(date(2026, 6, 10), 8))
    out["secret"] = b.outgoing("", drafter="cv.kt1", created=vn(date(2026, 9, 1), 8), issued=vn(date(2026, 9, 2), 8),
                               confidential=True)
    out["other_commune"] = other.outgoing("V/v việc của xã Lạc Sơn", drafter="cv.lacson",
                                          created=vn(date(2026, 9, 1), 8), issued=vn(date(2026, 9, 3), 8))
    db.session.commit()
    return {"in": {k: d.id for k, d in docs.items()}, "out": {k: d.id for k, d in out.items()}, "across": across}


@pytest.fixture
def quarter(ctx):
    return fill_quarter()


INCOMING_SUMMARY = [
    ("Tổng số văn bản đến", 10),
    ("Đã giải quyết", 6), ("- Đúng hạn", 3), ("- Quá hạn", 2), ("- Không có thời hạn", 1),
    ("Đang giải quyết", 3), ("- Trong hạn", 2), ("- Quá hạn", 1),
    ("Đã trả lại nơi gửi", 1),
    ("Tỷ lệ giải quyết đúng hạn", "60 %"),
]
OUTGOING_SUMMARY = [
    ("Tổng số văn bản đi", 4), ("Đã phát hành", 3), ("- Phát hành điện tử", 2), ("- Phát hành bản giấy", 1),
    ("- Đã thu hồi", 1), ("Đang soạn thảo, trình duyệt, chờ ký", 1),
    ("Thời gian xử lý trung bình (từ dự thảo đến phát hành)", "2,2 ngày"),  # (3,5 + 1 + 2) / 3
]


def report_of(username: str, kind: str = "incoming", period=Q3, today=TODAY, args=None):
    scope = Scope.of(user(username), args or {})
    make = legal.incoming_report if kind == "incoming" else legal.outgoing_report
    return make(scope, period, today)


def rows_by_id(report) -> dict[int, dict]:
    return {r["id"]: r for r in legal.as_dict(report)["rows"]}


# --- the incoming report -------------------------------------------------------------------

def test_deadlines_are_met_by_the_vietnam_date_and_late_days_are_calendar_days(quarter):
    assert quarter["across"] == date(2026, 9, 4)  # Mon 31/08, (holidays 01–02/09), Thu 03/09, Fri 04/09
    report = report_of("chutich")
    ids = quarter["in"]
    rows = rows_by_id(report)
    progress = {name: rows[ids[name]]["progress"] for name in
                ("holiday", "on_time", "day_late", "weekend", "early", "no_deadline", "overdue", "open",
                 "returned", "waiting")}
    assert progress == {
        "holiday": "Đã giải quyết đúng hạn (04/09/2026)",  # 23:30 on the deadline day
        "on_time": "Đã giải quyết đúng hạn (10/09/2026)",  # 23:30 on the deadline day
        "day_late": "Đã giải quyết, quá hạn 1 ngày",  # 00:30 the next morning (still 10/09 in UTC)
        "weekend": "Đã giải quyết, quá hạn 2 ngày",  # deadline Saturday 12/09, done Monday 14/09
        "early": "Đã giải quyết đúng hạn (21/09/2026)",
        "no_deadline": "Đã giải quyết (20/09/2026)",
        "overdue": "Quá hạn 5 ngày",  # deadline 30/09, reported on 05/10
        "open": "Đang giải quyết",
        "returned": "Đã trả lại",
        "waiting": "Đang giải quyết",
    }
    assert [r["progress_key"] for r in legal.as_dict(report)["rows"]] == [
        "on_time", "on_time", "late", "late", "on_time", "no_deadline", "open_overdue", "open_in_time",
        "returned", "open_in_time"]


def test_the_incoming_report_lists_the_quarter_in_arrival_order_with_the_clerks_columns(quarter):
    report = report_of("chutich")
    ids = quarter["in"]
    expected = ["holiday", "on_time", "day_late", "weekend", "early", "no_deadline", "overdue", "open",
                "returned", "waiting"]
    assert report.ids == [ids[name] for name in expected]  # not before 01/07, not internal, not secret
    assert [c.label for c in report.register.columns] == [
        "Số đến", "Ngày đến", "Tên loại, số, ký hiệu, ngày tháng và cơ quan ban hành", "Trích yếu nội dung",
        "Đơn vị hoặc người chủ trì", "Thời hạn giải quyết", "Tiến độ giải quyết", "Kết quả giải quyết",
        "Ghi chú"]
    row = rows_by_id(report)[ids["on_time"]]
    assert row["arrival_date"] == "2026-09-03" and row["deadline"] == "2026-09-10"
    assert row["document"] == (f"Công văn số {100 + int(row['arrival_number'])}/STNMT-ĐĐ ngày 01/09/2026 "
                               "của Sở Tài nguyên và Môi trường tỉnh Phú Thọ")
    assert row["subject"] == "Về việc cấp giấy chứng nhận"
    assert row["handler"] == "Phòng Kinh tế (Phạm Văn Đức)\nPhối hợp: Phòng Văn hóa - Xã hội"
    assert row["result"] == "Đã cấp 12 giấy chứng nhận" and row["note"] == "Khẩn"
    rows = rows_by_id(report)
    assert rows[ids["overdue"]]["handler"] == "Phòng Kinh tế" and rows[ids["overdue"]]["result"] == ""
    assert rows[ids["open"]]["handler"] == "Lê Thị Ngọc"
    assert rows[ids["waiting"]]["note"] == "Chờ chỉ đạo"
    assert report.title == "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT VĂN BẢN ĐẾN"
    assert report.period_line == "Từ ngày 01/07/2026 đến ngày 30/09/2026"
    assert report.date_line == "Kim Bôi, ngày 05 tháng 10 năm 2026"


def test_the_summary_counts_the_rows_by_the_dashboards_definitions(quarter):
    from docmgmt.reports import figures

    report = report_of("chutich")
    assert report.summary == INCOMING_SUMMARY
    assert report.totals["on_time_rate"] == pytest.approx(0.6)
    # The dashboard of the same period and scope counts the same documents.
    scope = Scope.of(user("chutich"))
    for key, total in (("incoming.received", 10), ("incoming.on_time", 3), ("incoming.late", 2),
                       ("incoming.no_deadline", 1), ("incoming.open_in_time", 2), ("incoming.open_overdue", 1),
                       ("incoming.returned", 1)):
        assert figures.count(scope, Q3, TODAY, key) == total, key


def test_a_head_of_unit_reports_their_unit_and_a_staff_member_their_own_work(quarter):
    ids = quarter["in"]
    head = report_of("truongkt")
    assert set(head.ids) == {ids[n] for n in ("on_time", "day_late", "weekend", "no_deadline", "overdue")}
    assert head.scope_line == "Phạm vi: Phòng Kinh tế"
    assert dict(head.summary)["Tổng số văn bản đến"] == 5
    own = report_of("cv.kt1")
    assert set(own.ids) == {ids[n] for n in ("on_time", "day_late", "no_deadline")}
    assert own.totals["done_on_time"] == 1 and own.totals["done_late"] == 1
    assert own.summary[-1] == ("Tỷ lệ giải quyết đúng hạn", "50 %")
    vhxh = report_of("chutich", args={"unit": str(unit("VHXH").id)})
    assert set(vhxh.ids) == {ids["holiday"], ids["early"]}


def test_another_commune_and_confidential_documents_never_appear(quarter):
    ids = quarter["in"]
    for username in ("chutich", "vanthu", "truongkt", "cv.kt1"):
        report = report_of(username)
        assert ids["secret"] not in report.ids and ids["other_commune"] not in report.ids, username
        text = repr(legal.as_dict(report))
        assert "Lạc Sơn" not in text and "Văn thư" not in text
    theirs = report_of("cv.lacson")
    assert theirs.ids == [ids["other_commune"]] and theirs.organisation == "Ủy ban nhân dân xã Lạc Sơn"
    out = report_of("chutich", "outgoing")
    assert quarter["out"]["secret"] not in out.ids and quarter["out"]["other_commune"] not in out.ids


def test_705_received_692_on_time_is_98_2_percent(ctx):
    register = register_for(DEMO_ORGANISATION_ID, Direction.INCOMING, 2026, False)
    day = date(2026, 7, 1)
    kt = unit("KT").id
    db.session.execute(sa.insert(IncomingDocument), [
        {"organisation_id": DEMO_ORGANISATION_ID, "register_id": register.id, "arrival_number": n,
         "arrival_date": day + timedelta(days=n % 90), "sender_name": "Công dân", "status": "done",
         "deadline": day + timedelta(days=n % 90 + 5),
         "completed_at": vn(day + timedelta(days=n % 90 + (5 if n <= 692 else 6)), 23, 59)}
        for n in range(1, 706)])
    ids = db.session.scalars(sa.select(IncomingDocument.id).where(IncomingDocument.register_id == register.id))
    db.session.execute(sa.insert(Assignment), [{"document_id": i, "role": "main", "assignee_unit_id": kt}
                                               for i in ids])
    db.session.commit()
    report = report_of("chutich")
    assert report.totals["received"] == 705 and report.totals["done_on_time"] == 692
    assert report.totals["done_late"] == 13
    assert dict(report.summary)["Tỷ lệ giải quyết đúng hạn"] == "98,2 %"
    assert legal.vn_percent(legal.rate(692, 13)) == "98,2 %"
    assert legal.vn_percent(None) == "—" and legal.vn_number(1234.25) == "1.234,3"


# --- the outgoing report -------------------------------------------------------------------

def test_the_outgoing_report_shows_issuance_and_how_each_recipient_was_reached(quarter):
    ids = quarter["out"]
    report = report_of("chutich", "outgoing")
    assert report.ids == [ids["issued"], ids["paper"], ids["recalled"], ids["in_flow"]]
    rows = rows_by_id(report)
    first = rows[ids["issued"]]
    assert first["number_symbol"] == "01/UBND-KT" and first["issued_on"] == "2026-09-10"
    assert first["type_and_subject"] == "Công văn\nV/v triển khai chuyển đổi số"
    assert first["drafting_unit"] == "Phòng Kinh tế\nPhạm Văn Đức" and first["signer"] == "Bùi Văn Khánh"
    assert first["drafted_on"] == "2026-09-07" and first["status"] == "Đã phát hành"
    assert first["days_to_issue"] == 3.5 and first["reply_due"] == "2026-09-30"
    assert first["recipients"] == ("Phòng Văn hóa - Xã hội\n"
                                   "Sở Khoa học và Công nghệ (qua trục liên thông: đã nhận)\n"
                                   "Công ty Điện lực Phú Thọ (gửi bưu điện)")
    assert rows[ids["paper"]]["note"] == "Phát hành bản giấy"
    assert rows[ids["paper"]]["recipients"] == "Ban Chỉ huy PCTT tỉnh (gửi bưu điện)"
    assert rows[ids["recalled"]]["status"] == "Đã thu hồi" and rows[ids["recalled"]]["note"] == "Thu hồi: Sai số liệu"
    flow = rows[ids["in_flow"]]
    assert flow["status"] == "Đang trình duyệt" and flow["days_to_issue"] is None and flow["issued_on"] is None
    assert report.summary == OUTGOING_SUMMARY
    assert report.totals["avg_days_to_issue"] == pytest.approx(6.5 / 3)
    own = report_of("cv.vp", "outgoing")
    assert own.ids == [ids["paper"]]


def test_the_reports_count_alike_on_postgresql(pg_commune):
    from docmgmt import create_app
    from docmgmt.org.operations import create_organisation, create_unit, create_user
    from tests.conftest import OTHER_COMMUNE

    app = create_app(pg_commune)
    try:
        with app.app_context(), app.test_request_context():
            other = create_organisation(**OTHER_COMMUNE)
            lacson_vp = create_unit(None, other, "Văn phòng HĐND và UBND", "VP")
            create_user(None, other, username="cv.lacson", full_name="Bùi Thị Nga", password="matkhau-lacson",
                        roles=["staff"], unit_id=lacson_vp.id)
            ids = fill_quarter()
            incoming = report_of("chutich")
            assert incoming.summary == INCOMING_SUMMARY
            progress = {r["id"]: r["progress"] for r in legal.as_dict(incoming)["rows"]}
            assert progress[ids["in"]["on_time"]] == "Đã giải quyết đúng hạn (10/09/2026)"
            assert progress[ids["in"]["day_late"]] == "Đã giải quyết, quá hạn 1 ngày"
            assert set(report_of("truongkt").ids) == {ids["in"][n] for n in
                                                      ("on_time", "day_late", "weekend", "no_deadline", "overdue")}
            outgoing = report_of("chutich", "outgoing")
            assert outgoing.summary == OUTGOING_SUMMARY
            assert outgoing.ids == [ids["out"][n] for n in ("issued", "paper", "recalled", "in_flow")]
            db.session.rollback()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- the files -------------------------------------------------------------------------------

def _plain(value):
    if isinstance(value, datetime):
        return value.date()
    return "" if value is None else value


def test_the_xlsx_holds_the_heading_the_summary_the_rows_and_the_signatures(quarter):
    report = report_of("chutich")
    ws = openpyxl.load_workbook(io.BytesIO(legal.to_xlsx(report))).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    assert cells[0][0] == "ỦY BAN NHÂN DÂN XÃ KIM BÔI"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells[0] and "Độc lập - Tự do - Hạnh phúc" in cells[1]
    assert "Kim Bôi, ngày 05 tháng 10 năm 2026" in cells[2]
    flat = [v for row in cells for v in row if v is not None]
    assert report.title in flat and report.period_line in flat
    top = next(i for i, row in enumerate(cells) if row[0] == "I. TỔNG HỢP")
    summary = [(row[0], next(v for v in row[1:] if v is not None))
               for row in cells[top + 1:top + 1 + len(report.summary)]]
    assert summary == report.summary
    header = next(i for i, row in enumerate(cells) if row[0] == "Số đến")
    assert cells[header] == [c.label for c in report.register.columns]
    assert ws.print_title_rows == f"${header + 1}:${header + 1}"
    body = cells[header + 1:header + 1 + len(report.register.rows)]
    assert [[_plain(v) for v in row] for row in body] == [[_plain(v) for v in row] for row in report.register.rows]
    assert ws.cell(header + 2, 2).number_format == "DD/MM/YYYY"
    assert "NGƯỜI LẬP BÁO CÁO" in flat and "THỦ TRƯỞNG CƠ QUAN" in flat and "Bùi Văn Khánh" in flat
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)


def test_the_outgoing_xlsx_keeps_days_as_numbers(quarter):
    report = report_of("chutich", "outgoing")
    ws = openpyxl.load_workbook(io.BytesIO(legal.to_xlsx(report))).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(i for i, row in enumerate(cells) if row[0] == "Số, ký hiệu")
    days = [row[7] for row in cells[header + 1:header + 5]]
    assert days == [3.5, 1.0, 2.0, None] and ws.cell(header + 2, 8).number_format == "0.0"


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_pdf_reads_as_a_signed_report(quarter):
    report = report_of("chutich")
    data = legal.to_pdf(report)
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert round(float(page.mediabox.width)) == 842 and round(float(page.mediabox.height)) == 595
    text = _pdf_text(data)
    for words in ("ỦY BAN NHÂN DÂN XÃ KIM BÔI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "Kim Bôi, ngày 05 tháng 10 năm 2026", report.title, "Từ ngày 01/07/2026 đến ngày 30/09/2026",
                  "Tỷ lệ giải quyết đúng hạn", "60 %", "Về việc kiểm kê đất đai", "04/09/2026",
                  "Quá hạn 5 ngày", "NGƯỜI LẬP BÁO CÁO", "THỦ TRƯỞNG CƠ QUAN", "Bùi Văn Khánh"):
        assert words in text, words
    assert "Lạc Sơn" not in text


def test_an_empty_period_still_prints_with_its_summary(ctx):
    report = report_of("chutich", period=periods.month(2025, 2), today=date(2025, 3, 3))
    assert report.register.rows == [] and dict(report.summary)["Tổng số văn bản đến"] == 0
    assert dict(report.summary)["Tỷ lệ giải quyết đúng hạn"] == "—"
    text = _pdf_text(legal.to_pdf(report))
    assert "Từ ngày 01/02/2025 đến ngày 28/02/2025" in text and legal.EMPTY_TEXT in text
    assert report.date_line == "Kim Bôi, ngày 03 tháng 3 năm 2025"
    assert legal.nd30_date_line("Kim Bôi", date(2026, 2, 5)) == "Kim Bôi, ngày 05 tháng 02 năm 2026"
    ws = openpyxl.load_workbook(io.BytesIO(legal.to_xlsx(report))).active
    assert "Số đến" in [row[0] for row in ws.iter_rows(values_only=True)]


def test_the_json_has_stable_keys_and_the_printed_summary(quarter):
    data = legal.as_dict(report_of("chutich", "outgoing"))
    assert [c["key"] for c in data["columns"]] == list(legal.OUTGOING_KEYS)
    assert data["summary"][0] == {"key": "total", "label": "Tổng số văn bản đi", "value": 4}
    assert data["totals"]["paper"] == 1 and data["period"]["start"] == "2026-07-01"
    assert set(data["rows"][0]) >= {"id", *legal.OUTGOING_KEYS, "status_code", "medium"}


# --- the dashboard workbook -------------------------------------------------------------------

def _cell(value: int) -> dict:
    return {"value": value, "link": "/dashboard/list?figure=x"}


DASHBOARD = {
    "period": {"kind": "month", "start": "2026-09-01", "end": "2026-09-30", "label": "Tháng 09/2026"},
    "today": "2026-10-05",
    "scope": {"level": "commune", "unit_id": None, "person_id": None, "title": "Toàn xã"},
    "headline": [
        {"key": "incoming.received", "label": "Văn bản đến", "value": 705, "link": "/x"},
        {"key": "incoming.on_time", "label": "Giải quyết đúng hạn", "value": 692, "link": "/x", "rate": 0.9816},
        {"key": "load.overdue", "label": "Đang quá hạn", "value": 4, "link": "/x"},
        {"key": "outgoing.issued", "label": "Văn bản đi đã phát hành", "value": 31, "link": "/x"},
    ],
    "series": {
        "received_per_month": [{"key": "2026-08", "label": "08/2026", "value": 320, "link": "/x"},
                               {"key": "2026-09", "label": "09/2026", "value": 385, "link": "/x"}],
        "issued_per_month": [{"key": "2026-09", "label": "09/2026", "value": 31, "link": "/x"}],
        "drafts_by_stage": [{"key": "draft", "label": "Dự thảo", "value": 3, "link": "/x"},
                            {"key": "reviewing", "label": "Đang trình duyệt", "value": 2, "link": "/x"}],
    },
    "handling": {
        "total": {"key": None, "label": "Tổng cộng", "received": _cell(705), "on_time": _cell(692),
                  "late": _cell(13), "no_deadline": _cell(0), "open_in_time": _cell(0), "open_overdue": _cell(0),
                  "returned": _cell(0), "rate": 0.9816},
        "by_unit": [{"key": 2, "label": "Phòng Kinh tế", "received": _cell(405), "on_time": _cell(400),
                     "late": _cell(5), "no_deadline": _cell(0), "open_in_time": _cell(0),
                     "open_overdue": _cell(0), "returned": _cell(0), "rate": 0.9877}],
        "by_person": [{"key": 11, "label": "Phạm Văn Đức", "received": _cell(10), "on_time": _cell(0),
                       "late": _cell(0), "no_deadline": _cell(2), "open_in_time": _cell(8),
                       "open_overdue": _cell(0), "returned": _cell(0), "rate": None}],
    },
    "load": {"by_unit": [{"key": 2, "label": "Phòng Kinh tế", "open": _cell(12), "overdue": _cell(4),
                          "due_soon": _cell(3)}],
             "by_person": [{"key": 11, "label": "Phạm Văn Đức", "open": _cell(8), "overdue": _cell(1),
                            "due_soon": _cell(2)}]},
    "due_soon": [{"id": 1, "title": "12/STNMT — Về việc kiểm kê", "deadline": "2026-10-07", "handler": "Phạm Văn Đức",
                  "link": "/incoming/1"}],
    "overdue": [],
    "outgoing": {"issued": _cell(31), "avg_days_to_issue": 2.4, "in_flow": _cell(5)},
    "meetings": {"held": _cell(4), "participants": 40, "present": 38, "attendance_rate": 0.95, "votes": _cell(6),
                 "tasks": {"total": _cell(10), "done": _cell(7), "on_time": _cell(6), "open_overdue": _cell(1),
                           "rate": 0.857}},
    "confidential": {"incoming": 3, "outgoing": 1},
}


def _sheet_rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(min_row=5, values_only=True)]


def test_the_dashboard_workbook_has_a_sheet_per_table(app):
    with app.app_context():
        wb = openpyxl.load_workbook(io.BytesIO(legal.dashboard_xlsx(DASHBOARD)))
    assert wb.sheetnames[0] == "Tong hop"
    headline = dict((r[0], r[1]) for r in _sheet_rows(wb["Tong hop"]))
    assert headline["Văn bản đến"] == 705 and headline["Giải quyết đúng hạn"] == 692
    assert headline["Tỷ lệ giải quyết đúng hạn"] == 0.9816 and headline["Đang quá hạn"] == 4
    assert headline["Văn bản đến mật (chỉ theo dõi bản giấy)"] == 3
    rate_cell = next(c for c in wb["Tong hop"]["A"] if c.value == "Tỷ lệ giải quyết đúng hạn").offset(column=1)
    assert rate_cell.number_format == "0.0%"
    assert wb["Tong hop"]["A2"].value == "Tháng 09/2026 — Toàn xã"

    units = wb["Theo don vi"]
    assert [c.value for c in units[4]] == ["Đơn vị", "Văn bản đến", "Giải quyết đúng hạn", "Giải quyết quá hạn",
                                          "Giải quyết, không có hạn", "Đang giải quyết, trong hạn",
                                          "Đang giải quyết, quá hạn", "Trả lại nơi gửi", "Tỷ lệ đúng hạn"]
    assert _sheet_rows(units) == [["Phòng Kinh tế", 405, 400, 5, 0, 0, 0, 0, 0.9877],
                                  ["Tổng cộng", 705, 692, 13, 0, 0, 0, 0, 0.9816]]
    assert _sheet_rows(wb["Theo nguoi"]) == [["Phạm Văn Đức", 10, 0, 0, 2, 8, 0, 0, None]]
    assert _sheet_rows(wb["Dang xu ly theo don vi"]) == [["Phòng Kinh tế", 12, 4, 3]]
    assert _sheet_rows(wb["Dang xu ly theo nguoi"]) == [["Phạm Văn Đức", 8, 1, 2]]
    assert _sheet_rows(wb["Theo thang"]) == [["08/2026", 320, None], ["09/2026", 385, 31]]
    assert _sheet_rows(wb["Du thao"]) == [["Dự thảo", 3], ["Đang trình duyệt", 2]]
    meetings = dict((r[0], r[1]) for r in _sheet_rows(wb["Cuoc hop"]))
    assert meetings["Cuộc họp đã tổ chức"] == 4 and meetings["Tỷ lệ tham dự"] == 0.95
    assert meetings["Việc hoàn thành đúng hạn"] == 6 and meetings["Tỷ lệ hoàn thành đúng hạn"] == 0.857
    due = _sheet_rows(wb["Sap den han, qua han"])
    assert due[0][:3] == ["Sắp đến hạn", "12/STNMT — Về việc kiểm kê", "Phạm Văn Đức"]
    assert due[0][3].date() == date(2026, 10, 7)


def test_the_dashboard_workbook_matches_the_dashboards_own_figures(quarter):
    from docmgmt.reports import figures

    scope = Scope.of(user("chutich"))
    data = figures.dashboard(scope, Q3, TODAY)
    wb = openpyxl.load_workbook(io.BytesIO(legal.dashboard_xlsx(data)))
    units = {r[0]: r for r in _sheet_rows(wb["Theo don vi"])}
    total = units[data["handling"]["total"]["label"]]
    assert total[1:4] == [10, 3, 2]  # received, on time, late: as the legal report counts them
    report = report_of("chutich")
    assert total[1] == report.totals["received"] and total[2] == report.totals["done_on_time"]


# --- the leader's home page --------------------------------------------------------------------

def test_the_leaders_home_shows_this_months_figures(ctx):
    from docmgmt.core.timeutil import vn_today
    from docmgmt.home.waiting import panels_for
    from docmgmt.reports import home

    today = vn_today()
    b = Book()
    b.incoming("Đúng hạn", today, status="done", deadline=today, done_at=vn(today, 0, 1), main_unit="KT",
               main_user="cv.kt1")
    b.incoming("Đang làm", today, status="assigned", deadline=today - timedelta(days=1), main_unit="KT")
    b.incoming("Bên kia", today, status="assigned", main_unit="VHXH")
    b.outgoing("V/v tháng này", drafter="cv.kt1", created=vn(today, 0, 1), issued=vn(today, 0, 2))
    db.session.commit()
    figures_ = home.headline(user("chutich"))
    assert figures_ == {"received": 3, "on_time": 1, "late": 0, "on_time_rate": 1.0, "overdue": 1, "issued": 1}
    assert home.headline(user("truongvhxh"))["received"] == 1
    assert home.headline(user("cv.kt1")) is None and home.headline(user("quantri")) is None
    panel = next(p for p in panels_for(user("chutich")) if p.key == "headline")
    assert [i.title for i in panel.items] == ["Văn bản đến: 3", "Giải quyết đúng hạn: 100 %", "Đang quá hạn: 1",
                                              "Văn bản đi đã phát hành: 1"]
    assert panel.items[2].urgent and all(i.link.endswith("/dashboard") for i in panel.items)
    assert not any(p.key == "headline" for p in panels_for(user("cv.kt1")))


# --- the shared register writer's shortcut -------------------------------------------------------

def test_a_cell_the_writer_does_not_measure_never_runs_past_a_page(app):
    """The PDF writer skips measuring short cells; whenever it does, measuring would have
    found them within the lines a table row may take."""
    from fpdf import FPDF

    from docmgmt.documents import register_export as book

    with app.app_context():
        pdf = FPDF(orientation="L", unit="mm", format="A4")
        pdf.add_font(book.PDF_FAMILY, "", str(book.font_dir() / "LiberationSerif-Regular.ttf"))
        pdf.add_page()
        pdf.set_font(book.PDF_FAMILY, "", 10)
        texts = ["Về việc cấp giấy chứng nhận quyền sử dụng đất " * k for k in range(1, 12)]
        texts += ["W" * n for n in (10, 40, 90, 200)] + ["—" * n for n in (20, 60, 120)]
        texts += ["ĐĐ " * n for n in (15, 45, 80)] + ["a\n" * n for n in (5, 14, 29, 31)]
        texts += ["Mmmmmmmmmmmmmmmm " * n for n in (2, 6, 12)]
        checked = 0
        for width in (12, 20, 35, 60):
            for text in texts:
                if book._surely_fits(pdf, text, width):
                    checked += 1
                    lines = pdf.multi_cell(width, book.LINE_HEIGHT, text, dry_run=True, output="LINES")
                    assert len(lines) <= book.MAX_LINES_PER_ROW, (width, text[:40], len(lines))
        assert checked > 20


def test_the_home_page_shows_the_figures_to_leaders_and_heads_not_to_staff(app, login_as):
    import docmgmt.reports.home  # noqa: F401 - registers the panel (the reports' pages import it too)

    for username, shown in (("chutich", True), ("truongkt", True), ("cv.kt1", False), ("quantri", False)):
        page = login_as(username).get("/")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert ('data-panel="headline"' in html) is shown, username
        if shown:
            assert "Giải quyết đúng hạn: —" in html and 'href="/dashboard"' in html
