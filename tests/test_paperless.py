"""The road to paperless by the target date: how each document arrived or was issued and
how each meeting was held, counted with known answers; confidential documents apart; the
weekly trend and the projection; where paper persists; issuing on paper and meetings held
on paper; the administrator's target date; another commune never counted.

Large fixtures are written straight into the tables (705 arrivals in one statement), the
acts themselves (registering, issuing on paper, recording a meeting) go through the
operations and the doors.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from docmgmt.core.errors import DomainError
from docmgmt.core.timeutil import VN_TZ, vn_today
from docmgmt.documents.registers import Direction, register_for, take_number
from docmgmt.exchange.models import Correspondent, OutboxMessage
from docmgmt.extensions import db
from docmgmt.incoming import operations as incoming_ops
from docmgmt.incoming.models import Assignment, IncomingDocument
from docmgmt.org.models import Organisation
from docmgmt.outgoing import operations as outgoing_ops
from docmgmt.outgoing.models import OutgoingDocument, Recipient
from docmgmt.reports import paperless, periods
from docmgmt.reports.scope import Scope
from meetings.models import Meeting, Participant
from tests.commune import DEMO_ORGANISATION_ID, unit, unit_id, user, user_id
from tests.conftest import csrf_from, text_of
from tests.files_helpers import make_docx, make_pdf, make_png

OTHER_COMMUNE = 2  # Lạc Sơn (tests/conftest.py)
JULY = periods.month(2026, 7)


# --- fast fixtures: rows written straight into the tables ------------------------------------------

def _arrivals(days_and_media: list[tuple[date, str]], *, organisation_id: int = DEMO_ORGANISATION_ID,
              confidential: bool = False, sender: str = "Sở Nội vụ tỉnh Phú Thọ", sender_organ_id: str = "",
              unit_abbreviation: str | None = None) -> list[int]:
    """Entries of the sổ đến (numbered from the register, as registration numbers them),
    optionally handed to a unit as its main handler; returns their ids in order."""
    clerk = user("vanthu") if organisation_id == DEMO_ORGANISATION_ID else user("quantri.lacson")
    rows = []
    for day, medium in days_and_media:
        register = register_for(organisation_id, Direction.INCOMING, day.year, confidential)
        rows.append({
            "organisation_id": organisation_id, "register_id": register.id, "arrival_number": take_number(register),
            "arrival_date": day, "sender_name": sender, "sender_organ_id": sender_organ_id,
            "subject": "" if confidential else "Về việc triển khai chuyển đổi số",
            "confidentiality": "mat" if confidential else "thuong", "channel": "paper" if confidential else "upload",
            "medium": medium, "status": "paper" if confidential else "registered",
            "paper_holder": "Bùi Văn Khánh" if confidential else "", "registered_by_id": clerk.id,
        })
    ids = list(db.session.scalars(sa.insert(IncomingDocument).returning(
        IncomingDocument.id, sort_by_parameter_order=True), rows))
    if unit_abbreviation is not None:
        unit_of = unit(unit_abbreviation).id
        db.session.execute(sa.insert(Assignment), [
            {"document_id": i, "role": "main", "assignee_unit_id": unit_of, "assigned_by_id": user("chutich").id}
            for i in ids])
    return ids


def _issued(issued_on: date, *, medium: str = "electronic", drafter: str = "cv.kt1", confidential: bool = False,
            status: str = "issued", recipients: tuple[tuple[str, str], ...] = ()) -> OutgoingDocument:
    """An issued outgoing document; ``recipients``: (organ name, exchange status)."""
    person = user(drafter)
    doc = OutgoingDocument(
        organisation_id=person.organisation_id, doc_type="cong_van", subject="" if confidential else "Về việc báo cáo",
        drafter_id=person.id, drafting_unit_id=person.unit_id, status=status, issued_on=issued_on,
        confidentiality="mat" if confidential else "thuong", medium=medium,
        recipients=[Recipient(kind="external", organ_name=name, exchange_status=state) for name, state in recipients],
    )
    db.session.add(doc)
    db.session.flush()
    return doc


def _meeting(day: date, *, on_paper: bool = False, status: str = "ended", organisation_id: int = DEMO_ORGANISATION_ID,
             chair: str = "chutich", secretary: str = "thuky") -> Meeting:
    start = datetime.combine(day, time(8), tzinfo=VN_TZ).astimezone(UTC)
    m = Meeting(organisation_id=organisation_id, title="Họp giao ban", starts_at=start, chair_id=user(chair).id,
                secretary_id=user(secretary).id, status=status, presentation={},
                started_at=start if status == "ended" else None,
                ended_at=start + timedelta(hours=2) if status == "ended" else None, held_on_paper=on_paper,
                participants=[Participant(user_id=user(chair).id)])
    db.session.add(m)
    db.session.flush()
    return m


def _ids(select) -> set[int]:
    return {record.id for record in db.session.scalars(select)}


def _in_july(n: int) -> list[date]:
    return [date(2026, 7, 1 + i % 31) for i in range(n)]


# --- the known answers ----------------------------------------------------------------------------

def test_705_received_692_electronic_13_scans_is_98_2_percent(ctx):
    electronic = _arrivals([(d, "electronic") for d in _in_july(692)])
    scans = _arrivals([(d, "scan") for d in _in_july(13)])
    _arrivals([(date(2026, 6, 30), "scan"), (date(2026, 8, 1), "electronic")])  # outside July
    secret = _arrivals([(date(2026, 7, 9), "paper")] * 3, confidential=True)
    other = _arrivals([(d, "scan") for d in _in_july(50)], organisation_id=OTHER_COMMUNE)
    assert db.session.scalar(sa.select(sa.func.count()).where(IncomingDocument.organisation_id == OTHER_COMMUNE)) == 50

    chairman = Scope.of(user("chutich"))
    figures = paperless.progress(chairman, JULY, date(2026, 7, 31))
    incoming = figures["incoming"]
    assert (incoming["electronic"]["value"], incoming["scan"]["value"]) == (692, 13)
    assert incoming["share"] == round(692 / 705, 4) and round(incoming["share"] * 100, 1) == 98.2
    assert figures["overall"] == {"electronic": 692, "total": 705, "share": round(692 / 705, 4)}
    # Confidential entries stay on paper by law: never in a share, counted apart for those
    # who may see the confidential register.
    assert figures["confidential"] == {"incoming": 3, "outgoing": 0}
    assert incoming["scan"]["link"] == "/dashboard/list?figure=paperless.incoming_scan&period=month&month=2026-07"

    # The list behind each figure is exactly the records counted.
    scan_list = paperless.drilldown(chairman, JULY, date(2026, 7, 31), "paperless.incoming_scan")
    assert _ids(scan_list) == set(scans)
    assert _ids(paperless.drilldown(chairman, JULY, date(2026, 7, 31), "paperless.incoming_electronic")) \
        == set(electronic)
    assert paperless.count(chairman, JULY, date(2026, 7, 31), "paperless.incoming_scan") == 13
    assert not _ids(scan_list) & (set(secret) | set(other))

    # The clerk files the figures too, and tracks the confidential paper.
    clerk = paperless.progress(Scope.of(user("vanthu")), JULY, date(2026, 7, 31))
    assert clerk["incoming"]["share"] == incoming["share"] and clerk["confidential"] == {"incoming": 3, "outgoing": 0}


def test_a_head_of_unit_counts_the_units_documents_and_never_the_confidential_ones(ctx):
    kt_electronic = _arrivals([(date(2026, 7, 6), "electronic")] * 20, unit_abbreviation="KT")
    kt_scans = _arrivals([(date(2026, 7, 7), "scan")] * 5, unit_abbreviation="KT")
    _arrivals([(date(2026, 7, 8), "scan")] * 7, unit_abbreviation="VHXH")
    _arrivals([(date(2026, 7, 9), "paper")] * 2, confidential=True)

    head = Scope.of(user("truongkt"))
    figures = paperless.progress(head, JULY, date(2026, 7, 31))
    assert (figures["incoming"]["electronic"]["value"], figures["incoming"]["scan"]["value"]) == (20, 5)
    assert figures["incoming"]["share"] == 0.8
    assert figures["confidential"] is None  # a head of unit does not see the confidential register
    assert _ids(paperless.drilldown(head, JULY, date(2026, 7, 31), "paperless.incoming_scan")) == set(kt_scans)
    assert _ids(paperless.drilldown(head, JULY, date(2026, 7, 31), "paperless.incoming_electronic")) \
        == set(kt_electronic)

    # The chairman narrowed to the unit sees the same; the whole commune, all of them.
    narrowed = paperless.progress(Scope.of(user("chutich"), {"unit": str(unit("KT").id)}), JULY, date(2026, 7, 31))
    assert (narrowed["incoming"]["electronic"]["value"], narrowed["incoming"]["scan"]["value"]) == (20, 5)
    assert narrowed["incoming"]["scan"]["link"].endswith(f"&unit={unit('KT').id}")
    whole = paperless.progress(Scope.of(user("chutich")), JULY, date(2026, 7, 31))
    assert (whole["incoming"]["electronic"]["value"], whole["incoming"]["scan"]["value"]) == (20, 12)


def test_outgoing_is_electronic_only_when_signed_digitally_and_sent_through_the_exchange(ctx):
    digital = _issued(date(2026, 7, 3), recipients=(("Sở Nội vụ tỉnh Phú Thọ", "03"),))
    internal_only = _issued(date(2026, 7, 10))
    by_post = _issued(date(2026, 7, 14), recipients=(("Sở Nội vụ tỉnh Phú Thọ", "sent"), ("Hội Nông dân", "by_post")))
    on_paper = _issued(date(2026, 7, 20), medium="paper")
    recalled = _issued(date(2026, 7, 21), status="recalled")
    _issued(date(2026, 7, 22), confidential=True)
    _issued(date(2026, 6, 30))  # June
    _issued(date(2026, 7, 23), status="approved")  # not issued

    chairman = Scope.of(user("chutich"))
    figures = paperless.progress(chairman, JULY, date(2026, 7, 31))
    assert (figures["outgoing"]["electronic"]["value"], figures["outgoing"]["paper"]["value"]) == (3, 2)
    assert figures["outgoing"]["share"] == 0.6
    assert figures["confidential"] == {"incoming": 0, "outgoing": 1}
    today = date(2026, 7, 31)
    assert _ids(paperless.drilldown(chairman, JULY, today, "paperless.outgoing_electronic")) == {
        digital.id, internal_only.id, recalled.id}
    assert _ids(paperless.drilldown(chairman, JULY, today, "paperless.outgoing_paper")) == {by_post.id, on_paper.id}
    # Where paper persists: only what was issued on paper, in its drafting unit.
    rows = figures["paper_persists"]["by_unit"]
    assert [(r["unit"], r["paper_issued"]["value"]) for r in rows] == [("Phòng Kinh tế", 1)]
    assert _ids(paperless.drilldown(chairman, JULY, today, "paperless.paper_issued", "unit", unit("KT").id)) \
        == {on_paper.id}
    assert rows[0]["paper_issued"]["link"].endswith(f"&by=unit&value={unit('KT').id}")


def test_meetings_in_the_room_and_on_paper(ctx):
    room = [_meeting(date(2026, 7, d)) for d in (2, 9, 16)]
    paper = _meeting(date(2026, 7, 23), on_paper=True)
    _meeting(date(2026, 7, 24), status="cancelled")
    _meeting(date(2026, 8, 3))
    chairman = Scope.of(user("chutich"))
    figures = paperless.progress(chairman, JULY, date(2026, 7, 31))
    assert figures["meetings"] == {
        "room": {"value": 3, "link": "/dashboard/list?figure=paperless.meetings_room&period=month&month=2026-07"},
        "paper": {"value": 1, "link": "/dashboard/list?figure=paperless.meetings_paper&period=month&month=2026-07"},
        "share": 0.75}
    assert _ids(paperless.drilldown(chairman, JULY, date(2026, 7, 31), "paperless.meetings_room")) == {
        m.id for m in room}
    assert _ids(paperless.drilldown(chairman, JULY, date(2026, 7, 31), "paperless.meetings_paper")) == {paper.id}
    # A staff member counts the meetings they were invited to: none here.
    staff = paperless.progress(Scope.of(user("cv.kt1")), JULY, date(2026, 7, 31))
    assert staff["meetings"]["share"] is None and staff["overall"]["total"] == 0


def test_another_commune_is_never_counted(ctx):
    _arrivals([(d, "scan") for d in _in_july(40)], organisation_id=OTHER_COMMUNE)
    _meeting(date(2026, 7, 8), organisation_id=OTHER_COMMUNE, chair="cv.lacson", secretary="cv.lacson")
    other_doc = _issued(date(2026, 7, 8), medium="paper", drafter="cv.lacson")
    assert other_doc.organisation_id == OTHER_COMMUNE
    figures = paperless.progress(Scope.of(user("chutich")), JULY, date(2026, 7, 31))
    assert figures["overall"] == {"electronic": 0, "total": 0, "share": None}
    assert figures["paper_persists"]["by_unit"] == []
    # … while the other commune's own person does see what is theirs.
    theirs = paperless.progress(Scope.of(user("cv.lacson")), JULY, date(2026, 7, 31))
    assert theirs["outgoing"]["paper"]["value"] == 1 and theirs["meetings"]["room"]["value"] == 1


# --- the weekly trend and the projection ------------------------------------------------------------

def test_week_trend_and_projection_on_a_rising_series(ctx):
    today = date(2026, 8, 5)  # a Wednesday; this week starts on 3 August
    first = date(2026, 5, 18)  # eleven weeks before
    for week in range(12):
        if week == 4:
            continue  # a week without any document: no share, no point on the line
        tuesday = first + timedelta(weeks=week, days=1)
        _arrivals([(tuesday, "electronic")] * (10 + week) + [(tuesday, "scan")] * (30 - week))
    figures = paperless.progress(Scope.of(user("chutich")), periods.month(2026, 8), today)
    weeks = figures["weeks"]
    assert [w["week"] for w in weeks] == [(first + timedelta(weeks=i)).isoformat() for i in range(12)]
    assert weeks[0] == {"week": "2026-05-18", "electronic": 10, "total": 40, "share": 0.25}
    assert weeks[4] == {"week": "2026-06-15", "electronic": 0, "total": 0, "share": None}
    assert weeks[11] == {"week": "2026-08-03", "electronic": 21, "total": 40, "share": 0.525}
    # 25 % rising 2.5 points a week reaches 100 % thirty weeks after 18 May: 14 December,
    # later than the default target (30 September of the year).
    projection = figures["projection"]
    assert projection["pace_per_week"] == 0.025
    assert projection["date"] == "2026-12-14" and projection["on_track"] is False
    assert "14/12/2026" in projection["label"] and "30/09/2026" in projection["label"]
    assert figures["target"] == "2026-09-30" and figures["target_label"] == "30/09/2026"

    paperless.set_target(user("quantri"), date(2026, 12, 31))
    later = paperless.progress(Scope.of(user("chutich")), periods.month(2026, 8), today)
    assert later["target_label"] == "31/12/2026" and later["projection"]["on_track"] is True


def _weeks(shares: list[float | None]) -> list[dict]:
    first = date(2026, 5, 18)
    return [{"week": (first + timedelta(weeks=i)).isoformat(), "electronic": 0,
             "total": 0 if s is None else 10, "share": s} for i, s in enumerate(shares)]


def test_a_flat_or_falling_pace_never_reaches_100_percent(ctx):
    target, today = date(2026, 9, 30), date(2026, 8, 5)
    falling = paperless.project(_weeks([0.9, 0.85, None, 0.8, 0.7]), today, target)
    assert falling["date"] is None and falling["on_track"] is False and falling["pace_per_week"] < 0
    assert "không tăng" in falling["label"]
    flat = paperless.project(_weeks([0.6, 0.6, 0.6]), today, target)
    assert flat["date"] is None and flat["on_track"] is False
    nothing = paperless.project(_weeks([None] * 12), today, target)
    assert nothing == {"date": None, "on_track": None, "pace_per_week": None, "label": nothing["label"]}
    one = paperless.project(_weeks([None, 0.5, None]), today, target)
    assert one["date"] is None and one["on_track"] is None
    done = paperless.project(_weeks([None, 1.0, 1.0]), today, target)
    assert done["date"] == "2026-05-25" and done["on_track"] is True


# --- where paper persists --------------------------------------------------------------------------

def test_scans_from_senders_on_the_exchange_are_shown_per_handling_unit(ctx):
    db.session.add(Correspondent(organisation_id=DEMO_ORGANISATION_ID, organ_id="000.00.01.H42",
                                 name="Văn phòng Ủy ban nhân dân tỉnh"))
    db.session.add(Correspondent(organisation_id=OTHER_COMMUNE, organ_id="000.00.77.H42", name="Hội Nông dân xã"))
    by_organ_id = _arrivals([(date(2026, 7, 2), "scan")], sender="Sở Y tế", sender_organ_id="000.00.15.H42",
                            unit_abbreviation="VHXH")
    by_name = _arrivals([(date(2026, 7, 3), "scan")] * 2, sender="Văn phòng Ủy ban nhân dân tỉnh",
                        unit_abbreviation="KT")
    unassigned = _arrivals([(date(2026, 7, 3), "scan")], sender="Văn phòng Ủy ban nhân dân tỉnh")
    _arrivals([(date(2026, 7, 6), "scan")] * 4, sender="Hội Nông dân xã", unit_abbreviation="KT")  # not on it here
    _arrivals([(date(2026, 7, 6), "electronic")] * 3, sender="Văn phòng Ủy ban nhân dân tỉnh",
              unit_abbreviation="KT")
    chairman, today = Scope.of(user("chutich")), date(2026, 7, 31)
    rows = paperless.progress(chairman, JULY, today)["paper_persists"]["by_unit"]
    assert [(r["unit"], r["scans_from_exchange_senders"]["value"]) for r in rows] == [
        ("Phòng Kinh tế", 2), ("Phòng Văn hóa - Xã hội", 1), ("Chưa phân công", 1)]
    key = "paperless.scans_from_exchange_senders"
    assert _ids(paperless.drilldown(chairman, JULY, today, key, "unit", unit("KT").id)) == set(by_name)
    assert _ids(paperless.drilldown(chairman, JULY, today, key, "unit", unit("VHXH").id)) == set(by_organ_id)
    assert _ids(paperless.drilldown(chairman, JULY, today, key, "unit", "none")) == set(unassigned)
    assert rows[2]["scans_from_exchange_senders"]["link"].endswith("&by=unit&value=none")
    with pytest.raises(DomainError) as refused:
        paperless.drilldown(chairman, JULY, today, "paperless.incoming_scan", "unit", unit("KT").id)
    assert refused.value.code == "invalid_breakdown"


# --- how a registered document arrived --------------------------------------------------------------

def _text_pdf(text: str = "Cong van ve viec trien khai chuyen doi so") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def test_registration_tells_a_scan_from_a_born_digital_file_unless_the_clerk_says(ctx):
    clerk = user("vanthu")

    def register(*files, **fields):
        data = incoming_ops.IncomingInput(sender_name="Sở Tư pháp tỉnh Phú Thọ", subject="Về việc phổ biến luật",
                                          allow_duplicate=True, **fields)
        return incoming_ops.register_incoming(clerk, data, [incoming_ops.Upload(c, n) for c, n in files]).medium

    assert register((make_png(), "scan.png")) == "scan"
    assert register((make_pdf("no text layer"), "scan.pdf")) == "scan"  # a page without text
    assert register((_text_pdf(), "cong-van.pdf")) == "electronic"
    assert register((make_docx(), "cong-van.docx")) == "electronic"
    assert register((make_png(), "scan.png"), medium="electronic") == "electronic"  # the clerk knows better
    assert register((_text_pdf(), "cong-van.pdf"), medium="scan") == "scan"
    assert register() == "scan"  # the paper arrived before the scanner
    assert register(channel="edxml", medium="scan") == "electronic"
    secret = incoming_ops.register_incoming(clerk, incoming_ops.IncomingInput(
        sender_name="Công an tỉnh", confidentiality="mat", paper_holder="Đinh Thị Thu"))
    assert secret.medium == "paper"


def test_the_registration_form_and_the_api_take_the_medium(app, login_as, as_user):
    client = login_as("vanthu")
    page = client.get("/incoming/new")
    html = text_of(page)
    assert 'data-testid="medium"' in html and "Bản scan từ giấy" in html and "Văn bản điện tử" in html
    response = client.post("/incoming/new", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(html), "sender_name": "Sở Tư pháp tỉnh Phú Thọ", "subject": "Về việc phổ biến luật",
        "doc_type": "cong_van", "urgency": "thuong", "confidentiality": "thuong", "medium": "electronic",
        "arrival_date": vn_today().strftime("%d/%m/%Y"), "files": (io.BytesIO(make_png()), "scan.png")})
    assert response.status_code == 302, text_of(response)[-2000:]
    document_id = int(response.headers["Location"].split("/incoming/")[1].split("?")[0])

    api = as_user("vanthu")
    assert api.get(f"/api/v1/incoming/{document_id}").json["medium"] == "electronic"
    made = api.post("/api/v1/incoming", content_type="multipart/form-data", data={
        "sender_name": "Sở Tư pháp tỉnh Phú Thọ", "subject": "Về việc tuyên truyền", "medium": "scan",
        "files": (io.BytesIO(_text_pdf()), "cong-van.pdf")})
    assert made.status_code == 201 and made.json["medium"] == "scan"
    refused = api.post("/api/v1/incoming", json={"sender_name": "Sở Tư pháp", "subject": "Về việc", "medium": "fax"})
    assert refused.status_code == 422 and "medium" in str(refused.json)


# --- issuing on paper ------------------------------------------------------------------------------

def _approved(subject: str = "Về việc rà soát hộ nghèo năm 2026") -> OutgoingDocument:
    data = outgoing_ops.DraftInput(doc_type="cong_van", subject=subject, signer_id=user("chutich").id, recipients=[
        outgoing_ops.RecipientInput(token=f"unit:{unit('VHXH').id}"),
        outgoing_ops.RecipientInput(organ_name="Sở Nội vụ tỉnh Phú Thọ", organ_id="000.00.31.H42"),
        outgoing_ops.RecipientInput(organ_name="Hội Nông dân xã Kim Bôi")])
    doc = outgoing_ops.create_draft(user("cv.kt1"), data, outgoing_ops.Upload(make_pdf("Dự thảo"), "du-thao.pdf"))
    outgoing_ops.submit(user("cv.kt1"), doc)
    while doc.current_step is not None:
        outgoing_ops.approve(doc.current_step.reviewer, doc, "Đồng ý")
    assert doc.status == "approved"
    return doc


def _refusal(attempt) -> tuple[str, int]:
    """The refusal's code and status; whatever the attempt began is rolled back."""
    savepoint = db.session.begin_nested()
    try:
        with pytest.raises(DomainError) as refused:
            attempt()
    finally:
        savepoint.rollback()
    return refused.value.code, refused.value.status


def test_a_paper_signed_by_hand_is_numbered_from_the_register_and_its_scan_distributed(ctx):
    from tests.commune import issued

    digital = issued([outgoing_ops.RecipientInput(token=f"unit:{unit('VP').id}")])
    assert digital.number == 1
    doc, clerk = _approved(), user("vanthu")
    draft = outgoing_ops.create_draft(user("cv.kt1"), outgoing_ops.DraftInput(
        doc_type="cong_van", subject="Về việc khác", signer_id=user("chutich").id),
        outgoing_ops.Upload(make_pdf("Dự thảo"), "du-thao.pdf"))
    scan = outgoing_ops.Upload(make_pdf("scan"), "ky-tay.pdf")

    assert "issue_on_paper" in outgoing_ops.available_actions(clerk, doc)
    assert "issue_on_paper" not in outgoing_ops.available_actions(user("chutich"), doc)
    assert _refusal(lambda: outgoing_ops.issue_on_paper(clerk, draft, scan)) == ("invalid_state", 409)
    for name in ("cv.kt1", "chutich", "truongkt"):
        assert _refusal(lambda n=name: outgoing_ops.issue_on_paper(user(n), doc, scan)) == ("forbidden", 403)
    assert _refusal(lambda: outgoing_ops.issue_on_paper(
        clerk, doc, outgoing_ops.Upload(make_png(), "scan.png"))) == ("file_type", 422)
    assert _refusal(lambda: outgoing_ops.issue_on_paper(
        clerk, doc, outgoing_ops.Upload(make_docx(), "scan.docx"))) == ("file_type", 422)
    assert _refusal(lambda: outgoing_ops.issue_on_paper(clerk, doc, None)) == ("required", 422)
    assert _refusal(lambda: outgoing_ops.issue_on_paper(
        clerk, doc, outgoing_ops.Upload(b"%PDF-1.4 broken", "hong.pdf"))) == ("pdf_invalid", 422)

    outgoing_ops.issue_on_paper(clerk, doc, outgoing_ops.Upload(make_pdf("scan"), "ky-tay.pdf"))
    db.session.commit()
    # The next number of the same sổ đi: no number burnt by the refusals.
    assert (doc.status, doc.medium, doc.number, doc.number_symbol) == ("issued", "paper", 2, "02/UBND-KT")
    assert doc.issued_file.original_name == "ky-tay.pdf" and doc.signed_file_id is None
    internal, to_exchange, by_post = doc.recipients
    received = db.session.get(IncomingDocument, internal.incoming_document_id)
    assert received.channel == "internal" and received.medium == "scan"
    assert [f.stored_file_id for f in received.files] == [doc.issued_file_id]
    assert (to_exchange.exchange_status, by_post.exchange_status) == ("by_post", "by_post")
    assert not to_exchange.via_exchange
    assert db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.outgoing_document_id == doc.id)) == 0
    from docmgmt.documents.history import events_of
    assert [e.action for e in events_of("outgoing", doc.id)][-1] == "issued_on_paper"

    figures = paperless.progress(Scope.of(user("chutich")), periods.month(vn_today().year, vn_today().month),
                                 vn_today())
    assert (figures["outgoing"]["electronic"]["value"], figures["outgoing"]["paper"]["value"]) == (1, 1)


def test_issuing_on_paper_through_the_page_and_the_api(app, login_as, as_user):
    with app.test_request_context():
        first, second = _approved().id, _approved("Về việc thứ hai").id
        db.session.commit()
    client = login_as("vanthu")
    page = text_of(client.get(f"/outgoing/{first}"))
    assert 'data-action="issue_on_paper"' in page and "Phát hành bản giấy" in page
    refused = client.post(f"/outgoing/{first}/issue-on-paper", content_type="multipart/form-data", data={
        "issue_on_paper-csrf_token": csrf_from(page), "issue_on_paper-file": (io.BytesIO(make_png()), "scan.png")})
    assert refused.status_code == 422 and "Định dạng tệp không được chấp nhận" in text_of(refused)
    done = client.post(f"/outgoing/{first}/issue-on-paper", content_type="multipart/form-data", data={
        "issue_on_paper-csrf_token": csrf_from(page), "issue_on_paper-file": (io.BytesIO(make_pdf()), "ky-tay.pdf")})
    assert done.status_code == 302
    shown = text_of(client.get(f"/outgoing/{first}"))
    assert 'data-testid="issued-on-paper"' in shown and "01/UBND-KT" in shown
    assert "Gửi bản giấy qua bưu điện" in shown

    clerk, leader = as_user("vanthu"), as_user("chutich")
    path = f"/api/v1/outgoing/{second}/issue-on-paper"
    assert "issue_on_paper" in clerk.get(f"/api/v1/outgoing/{second}").json["actions"]
    wrong = clerk.post(path, content_type="multipart/form-data", data={"file": (io.BytesIO(make_png()), "s.png")})
    assert wrong.status_code == 422 and wrong.json["error"]["code"] == "file_type"
    assert wrong.json["error"]["field"] == "file"
    forbidden = leader.post(path, content_type="multipart/form-data", data={"file": (io.BytesIO(make_pdf()), "s.pdf")})
    assert forbidden.status_code == 403 and forbidden.json["error"]["code"] == "forbidden"
    made = clerk.post(path, content_type="multipart/form-data", data={"file": (io.BytesIO(make_pdf()), "s.pdf")})
    assert made.status_code == 200 and made.json["medium"] == "paper" and made.json["number_symbol"] == "02/UBND-KT"
    again = clerk.post(path, content_type="multipart/form-data", data={"file": (io.BytesIO(make_pdf()), "s.pdf")})
    assert again.status_code == 409 and again.json["error"]["code"] == "invalid_state"
    spec = app.test_client().get("/api/v1/openapi.json").json
    assert "post" in spec["paths"]["/api/v1/outgoing/{document_id}/issue-on-paper"]


# --- a meeting held on paper -----------------------------------------------------------------------

def test_a_meeting_held_on_paper_is_recorded_with_its_note_and_counted_as_paper(app, login_as):
    from tests.meetings_support import build_meeting

    with app.test_request_context():
        invited, live = build_meeting("invited"), build_meeting("live")
    secretary = login_as("thuky")
    page = text_of(secretary.get(f"/meetings/{invited}"))
    assert 'data-testid="do-record_on_paper"' in page
    empty = secretary.post(f"/meetings/{invited}/record-on-paper",
                           data={"paper-csrf_token": csrf_from(page), "paper-note": "  "})
    assert empty.status_code == 422 and "Hãy ghi cuộc họp đã diễn ra thế nào" in text_of(empty)
    note = "Họp trực tiếp tại hội trường do mất mạng; biên bản viết tay do thư ký lưu."
    done = secretary.post(f"/meetings/{invited}/record-on-paper",
                          data={"paper-csrf_token": csrf_from(page), "paper-note": note})
    assert done.status_code == 302
    shown = text_of(secretary.get(f"/meetings/{invited}"))
    assert 'data-testid="held-on-paper"' in shown and note in shown
    assert 'data-testid="do-record_on_paper"' not in shown  # ended: nothing more to record

    with app.test_request_context():
        from meetings import operations as meeting_ops

        m = db.session.get(Meeting, invited)
        assert (m.status, m.held_on_paper, m.paper_note) == ("ended", True, note)
        assert m.started_at is not None and m.ended_at is not None
        staff_tries = _refusal(lambda: meeting_ops.record_on_paper(user("cv.kt1"), db.session.get(Meeting, live),
                                                                   note))
        assert staff_tries == ("forbidden", 403)
        assert _refusal(lambda: meeting_ops.record_on_paper(user("thuky"), db.session.get(Meeting, live), note)) \
            == ("wrong_status", 409)
        today = vn_today()  # recorded before its hour: it took place now
        figures = paperless.progress(Scope.of(user("chutich")), periods.month(today.year, today.month), today)
        assert figures["meetings"]["paper"]["value"] == 1 and figures["meetings"]["room"]["value"] == 0


# --- the administrator's target date ---------------------------------------------------------------

def test_the_administrator_sets_the_target_date_as_dd_mm_yyyy(app, login_as):
    admin = login_as("quantri")
    page = text_of(admin.get("/admin/units"))
    assert 'data-testid="paperless-target"' in page and "30/09/" in page
    token = csrf_from(page)
    for bad in ("31/02/2026", "2026/13/01", "ba mươi tháng chín"):
        refused = admin.post("/admin/paperless-target", data={"target-csrf_token": token, "target-target": bad})
        assert refused.status_code == 422 and "Ngày không hợp lệ" in text_of(refused), bad
    with app.app_context():
        assert db.session.get(Organisation, DEMO_ORGANISATION_ID).paperless_target is None
    assert admin.post("/admin/paperless-target", data={"target-csrf_token": token, "target-target": "15/08/2027"}) \
        .status_code == 302
    assert 'value="15/08/2027"' in text_of(admin.get("/admin/units"))
    with app.test_request_context():
        assert db.session.get(Organisation, DEMO_ORGANISATION_ID).paperless_target == date(2027, 8, 15)
        assert paperless.progress(Scope.of(user("chutich")), JULY, date(2026, 7, 31))["target_label"] == "15/08/2027"
        # Another commune keeps its own (the default).
        assert paperless.target_of(OTHER_COMMUNE, date(2026, 7, 31)) == date(2026, 9, 30)
    assert admin.post("/admin/paperless-target", data={"target-csrf_token": token, "target-target": ""}) \
        .status_code == 302
    with app.app_context():
        assert db.session.get(Organisation, DEMO_ORGANISATION_ID).paperless_target is None

    clerk = login_as("vanthu")
    assert clerk.post("/admin/paperless-target", data={"target-csrf_token": csrf_from(text_of(clerk.get("/"))),
                                                       "target-target": "01/01/2027"}).status_code == 403


def test_a_migrated_database_says_how_each_old_entry_arrived(tmp_path):
    """The 0012 backfill: edXML and the commune's own entries electronic, confidential
    entries paper, uploads scans."""
    import flask_migrate

    from docmgmt import create_app
    from tests.conftest import instance_config

    app = create_app(instance_config(tmp_path))
    with app.app_context():
        flask_migrate.upgrade(revision="0011_access_log")
        org = db.session.execute(sa.text(
            "INSERT INTO organisation (name, organ_id, abbreviation, governing_body, place_name, address, email,"
            " telephone, created_at) VALUES ('X', '000.00.99.H42', 'UBND', '', '', '', '', '', '2026-01-01')"))
        org_id = org.lastrowid
        db.session.execute(sa.text(
            "INSERT INTO register (organisation_id, direction, year, confidential, name, last_number)"
            " VALUES (:o, 'incoming', 2026, 0, 'Sổ', 9)"), {"o": org_id})
        for number, channel in enumerate(("upload", "edxml", "paper"), start=1):
            db.session.execute(sa.text(
                "INSERT INTO incoming_document (organisation_id, register_id, arrival_number, arrival_date,"
                " received_at, sender_name, sender_organ_id, number_symbol, doc_type, subject, signer, urgency,"
                " confidentiality, field, channel, paper_holder, status, direction_text, result_summary, created_at)"
                " VALUES (:o, 1, :n, '2026-07-01', '2026-07-01', 'S', '', '', 'cong_van', '', '', 'thuong',"
                " :c, '', :ch, '', 'registered', '', '', '2026-07-01')"),
                {"o": org_id, "n": number, "ch": channel, "c": "mat" if channel == "paper" else "thuong"})
        db.session.commit()
        flask_migrate.upgrade()
        media = db.session.execute(sa.text("SELECT channel, medium FROM incoming_document ORDER BY arrival_number"))
        assert [tuple(r) for r in media] == [("upload", "scan"), ("edxml", "electronic"), ("paper", "paper")]
        db.session.remove()
        db.engine.dispose()


def test_unknown_figures_and_bad_unit_values_are_refused(ctx):
    chairman = Scope.of(user("chutich"))
    assert _refusal(lambda: paperless.drilldown(chairman, JULY, date(2026, 7, 31), "paperless.nothing")) \
        == ("invalid_figure", 422)
    assert _refusal(lambda: paperless.drilldown(chairman, JULY, date(2026, 7, 31), "paperless.paper_issued",
                                                "unit", "abc")) == ("invalid_id", 422)
    assert set(paperless.FIGURES) >= {f"paperless.{k}" for k in (
        "incoming_electronic", "incoming_scan", "outgoing_electronic", "outgoing_paper", "meetings_room",
        "meetings_paper", "scans_from_exchange_senders", "paper_issued")}
    assert re.fullmatch(r"/dashboard/list\?figure=paperless\.paper_issued&period=month&month=2026-07&by=unit&value=7",
                        paperless.drill_link("paperless.paper_issued", JULY, chairman, "unit", 7))
    assert unit_id("KT") and user_id("cv.kt1")  # the loaders the other tests use name real rows


def _check_portable_figures() -> None:
    """Weeks, Vietnam dates, the per-unit joins and the EXISTS of a by-post recipient:
    the same counts on SQLite and PostgreSQL."""
    today = date(2026, 7, 29)  # a Wednesday; this week starts on 27 July
    for week, electronic in ((9, 6), (10, 7), (11, 9)):  # 60 %, 70 %, 90 % of ten
        tuesday = date(2026, 5, 4) + timedelta(weeks=week, days=1)
        _arrivals([(tuesday, "electronic")] * electronic + [(tuesday, "scan")] * (10 - electronic),
                  sender_organ_id="000.00.31.H42", unit_abbreviation="KT")
    _issued(date(2026, 7, 28), medium="paper")
    _issued(date(2026, 7, 28), recipients=(("Hội Nông dân", "by_post"),))
    _meeting(date(2026, 7, 27), on_paper=True)
    # 23:30 in Vietnam on Sunday 26 July belongs to the week before, though 16:30 UTC.
    late = _meeting(date(2026, 7, 26))
    late.started_at = datetime(2026, 7, 26, 16, 30, tzinfo=UTC)
    figures = paperless.progress(Scope.of(user("chutich")), JULY, today)
    assert (figures["incoming"]["electronic"]["value"], figures["incoming"]["scan"]["value"]) == (22, 8)
    assert (figures["outgoing"]["electronic"]["value"], figures["outgoing"]["paper"]["value"]) == (0, 2)
    assert (figures["meetings"]["room"]["value"], figures["meetings"]["paper"]["value"]) == (1, 1)
    assert [(w["week"], w["electronic"], w["total"]) for w in figures["weeks"][-4:]] == [
        ("2026-07-06", 6, 10), ("2026-07-13", 7, 10), ("2026-07-20", 10, 11), ("2026-07-27", 0, 3)]
    assert [(r["unit"], r["scans_from_exchange_senders"]["value"], r["paper_issued"]["value"])
            for r in figures["paper_persists"]["by_unit"]] == [("Phòng Kinh tế", 8, 1)]
    assert paperless.count(Scope.of(user("chutich")), JULY, today, "paperless.scans_from_exchange_senders",
                           "unit", unit("KT").id) == 8


def test_weeks_vietnam_dates_and_units_on_sqlite(ctx):
    _check_portable_figures()


@pytest.mark.postgres
def test_the_same_figures_on_postgresql(pg_commune):
    from docmgmt import create_app

    app = create_app(pg_commune)
    with app.app_context(), app.test_request_context():
        _check_portable_figures()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
