"""The incoming register (sổ đến) on paper and in files, and the deadline reminders."""

from __future__ import annotations

import email
import io
from datetime import timedelta
from email import policy

import openpyxl
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from docmgmt.core.timeutil import vn_today
from docmgmt.extensions import db
from docmgmt.incoming import operations as ops
from docmgmt.notifications.models import Notification
from tests.commune import unit, user
from tests.conftest import free_port
from tests.test_incoming_api import metadata

COLUMNS = ["Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu văn bản", "Ngày tháng văn bản",
           "Tên loại và trích yếu nội dung văn bản", "Đơn vị hoặc người nhận", "Ngày chuyển",
           "Ký nhận", "Ghi chú"]
HEADER_ROW = 4


def fill_register(app, subjects: list[str]) -> list[int]:
    """Register documents straight through the domain (fast), direct the first one."""
    today = vn_today()
    with app.test_request_context():
        clerk, leader, kt = user("vanthu"), user("chutich"), unit("KT")
        docs = [ops.register_incoming(clerk, ops.IncomingInput(
            sender_name="Sở Nội vụ tỉnh Phú Thọ", number_symbol=f"{i}/SNV-CCVC",
            issue_date=today - timedelta(days=2), doc_type="ke_hoach" if i == 1 else "cong_van",
            subject=subject, arrival_date=today))
            for i, subject in enumerate(subjects, start=1)]
        ops.direct(leader, docs[0], ops.Direction_(main=ops.Assignee(unit_id=kt.id),
                                                   deadline_working_days=5))
        ids = [d.id for d in docs]
        db.session.commit()
    return ids


# --- XLSX ---------------------------------------------------------------------------------

def test_the_register_exports_to_xlsx_with_the_phu_luc_iv_columns(app, login_as):
    subjects = ["Kế hoạch tuyển dụng công chức cấp xã năm 2026",
                "Về việc rà soát, sắp xếp đội ngũ cán bộ, công chức sau hợp nhất",
                "Về việc hướng dẫn đánh giá, xếp loại chất lượng"]
    fill_register(app, subjects)
    year = vn_today().year
    client = login_as("vanthu")
    response = client.get(f"/incoming/register/{year}/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f"So-den-{year}.xlsx" in response.headers["Content-Disposition"]

    ws = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN XÃ KIM BÔI"
    assert ws["A2"].value == f"SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM {year}"
    assert [c.value for c in ws[HEADER_ROW]] == COLUMNS
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=HEADER_ROW + 1)]
    assert [r[1] for r in rows] == ["01", "02", "03"]
    first = rows[0]
    assert first[0].date() == vn_today() and ws.cell(HEADER_ROW + 1, 1).number_format == "DD/MM/YYYY"
    assert first[2] == "Sở Nội vụ tỉnh Phú Thọ" and first[3] == "1/SNV-CCVC"
    assert first[4].date() == vn_today() - timedelta(days=2)
    assert first[5] == f"Kế hoạch\n{subjects[0]}"
    assert first[6] == "Phòng Kinh tế" and first[7].date() == vn_today()
    assert rows[1][5] == f"Công văn\n{subjects[1]}"
    assert rows[1][6] is None and rows[1][7] is None  # not directed yet
    assert ws.cell(HEADER_ROW + 1, 6).alignment.wrap_text
    assert ws.column_dimensions["F"].width > ws.column_dimensions["B"].width
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"


def test_the_confidential_register_shows_only_the_paper_tracking_columns(app, as_user, login_as):
    clerk = as_user("vanthu")
    clerk.post("/api/v1/incoming", json=metadata())
    clerk.post("/api/v1/incoming", json={"sender_name": "Công an tỉnh Phú Thọ",
                                         "confidentiality": "tuyet_mat",
                                         "paper_holder": "Bùi Văn Khánh"})
    year = vn_today().year
    response = clerk.get(f"/api/v1/incoming/register/{year}.xlsx?confidential=true")
    assert response.status_code == 200
    assert f"So-den-mat-{year}.xlsx" in response.headers["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert ws["A2"].value == f"SỔ ĐĂNG KÝ VĂN BẢN ĐẾN MẬT NĂM {year}"
    assert [c.value for c in ws[HEADER_ROW]] == ["Ngày đến", "Số đến", "Tác giả",
                                                 "Người giữ bản giấy"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=HEADER_ROW + 1)]
    assert [(r[1], r[2], r[3]) for r in rows] == [("01", "Công an tỉnh Phú Thọ", "Bùi Văn Khánh")]
    # …and the ordinary register does not mention it.
    plain = openpyxl.load_workbook(io.BytesIO(clerk.get(f"/api/v1/incoming/register/{year}.xlsx").data))
    assert "Công an tỉnh Phú Thọ" not in str([c.value for r in plain.active.iter_rows() for c in r])

    web = login_as("vanthu").get(f"/incoming/register/{year}/export.xlsx?mat=1")
    assert f"So-den-mat-{year}.xlsx" in web.headers["Content-Disposition"]
    refused = login_as("truongkt").get(f"/incoming/register/{year}/export.xlsx?mat=1")
    assert refused.status_code == 403
    assert as_user("chutich").get(
        f"/api/v1/incoming/register/{year}.pdf?confidential=true").status_code == 200


def test_staff_cannot_export_the_register(app, as_user, client):
    year = vn_today().year
    response = as_user("cv.kt1").get(f"/api/v1/incoming/register/{year}.xlsx")
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    anonymous = client.get(f"/incoming/register/{year}/export.pdf")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


# --- PDF ----------------------------------------------------------------------------------

def test_the_register_prints_to_a_landscape_pdf_with_the_header_on_every_page(app, login_as):
    subjects = [f"Về việc hỗ trợ hộ nghèo xây dựng nhà ở, đợt {i}, theo Chương trình mục tiêu "
                f"quốc gia giảm nghèo bền vững giai đoạn 2026–2030 trên địa bàn xã Kim Bôi"
                for i in range(1, 41)]
    subjects[0] = "Kế hoạch chuyển đổi số năm 2026"
    fill_register(app, subjects)
    year = vn_today().year
    response = login_as("chutich").get(f"/incoming/register/{year}/export.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"So-den-{year}.pdf" in response.headers["Content-Disposition"]

    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) >= 2
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    assert round(float(page.mediabox.width)) == 842 and round(float(page.mediabox.height)) == 595
    texts = [p.extract_text() for p in reader.pages]
    assert f"SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM {year}" in texts[0]
    assert "ỦY BAN NHÂN DÂN XÃ KIM BÔI" in texts[0]
    assert "Kế hoạch chuyển đổi số năm 2026" in texts[0]
    assert "Phòng Kinh tế" in texts[0]
    for text in texts:  # the column headings repeat on every page
        assert "Đơn vị hoặc" in text and "Ký nhận" in text
    assert "40" in texts[-1]
    fonts = str(page["/Resources"]["/Font"].get_object())
    assert "LiberationSerif" in str([f.get_object()["/BaseFont"] for f in
                                     page["/Resources"]["/Font"].get_object().values()]), fonts


def test_a_subject_taller_than_a_page_continues_on_the_next_rows(app, as_user):
    subject = ("Về việc hỗ trợ người dân " * 80)[:2000].strip()  # the longest a subject may be
    fill_register(app, [subject])
    response = as_user("vanthu").get(f"/api/v1/incoming/register/{vn_today().year}.pdf")
    assert response.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert text.count("dân") == subject.count("dân")  # nothing cut off


def test_an_empty_register_still_prints(app, as_user):
    response = as_user("vanthu").get(f"/api/v1/incoming/register/{vn_today().year}.pdf")
    assert response.status_code == 200
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text and "chưa có văn bản" in text


# --- CLI ----------------------------------------------------------------------------------

def test_the_register_exports_from_the_command_line(app, tmp_path):
    fill_register(app, ["Về việc cấp giấy chứng nhận quyền sử dụng đất"])
    year = vn_today().year
    runner = app.test_cli_runner()
    out = tmp_path / "so-den.xlsx"
    result = runner.invoke(args=["incoming", "export-register", "--year", str(year), "--format",
                                 "xlsx", "--out", str(out), "--org", "000.00.12.H42"])
    assert result.exit_code == 0, result.output
    assert "(as vanthu)" in result.output
    ws = openpyxl.load_workbook(out).active
    assert ws.cell(HEADER_ROW + 1, 2).value == "01"
    assert "quyền sử dụng đất" in ws.cell(HEADER_ROW + 1, 6).value

    pdf = tmp_path / "so-den.pdf"
    result = runner.invoke(args=["incoming", "export-register", "--year", str(year), "--format",
                                 "pdf", "--out", str(pdf), "--org", "000.00.12.H42"])
    assert result.exit_code == 0, result.output
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in PdfReader(pdf).pages[0].extract_text()

    refused = runner.invoke(args=["incoming", "export-register", "--year", str(year), "--out",
                                  str(tmp_path / "x.xlsx"), "--org", "000.00.12.H42",
                                  "--as", "cv.kt1"])
    assert refused.exit_code != 0 and "không có quyền" in refused.output
    several = runner.invoke(args=["incoming", "export-register", "--year", str(year), "--out",
                                  str(tmp_path / "y.xlsx")])
    assert several.exit_code != 0 and "--org" in several.output


# --- reminders ----------------------------------------------------------------------------

class Inbox:
    """aiosmtpd handler: keeps what a real SMTP server on loopback receives."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[str] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and \
            (auth_data.login, auth_data.password) == (b"xaso", b"mat-khau-smtp")
        return AuthResult(success=ok)

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(),
                            authenticator=authenticator, auth_required=True,
                            auth_require_tls=False)
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


# Loopback only, and the test proves that the login path works: no TLS needed here.
LOOPBACK_AUTH = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@LOOPBACK_AUTH
def test_reminders_go_out_once_in_app_and_by_email(app, as_user, smtp_server):
    controller, inbox = smtp_server
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_USER="xaso",
                      SMTP_PASSWORD="mat-khau-smtp", SMTP_FROM="Xã Số <xaso@kimboi.phutho.gov.vn>",
                      SMTP_SECURITY="none")
    clerk, leader = as_user("vanthu"), as_user("chutich")
    handler = as_user("cv.kt1")
    due_today = clerk.post("/api/v1/incoming", json=metadata()).json["id"]
    due_tomorrow = clerk.post("/api/v1/incoming", json=metadata(
        number_symbol="9/SKHCN", subject="Về việc báo cáo số liệu dân cư")).json["id"]
    leader.post(f"/api/v1/incoming/{due_today}/direct",
                json={"main": f"u:{handler.id}", "deadline": vn_today().isoformat()})
    leader.post(f"/api/v1/incoming/{due_tomorrow}/direct",
                json={"main": f"u:{handler.id}", "deadline_working_days": 1})

    runner = app.test_cli_runner()
    first = runner.invoke(args=["incoming", "remind"])
    assert first.exit_code == 0, first.output
    assert "2 reminder(s) sent; 2 e-mail(s) delivered" in first.output
    assert sorted(inbox.recipients) == ["cv.kt1@kimboi.phutho.gov.vn"] * 2
    subjects = sorted(str(m["Subject"]) for m in inbox.messages)
    assert subjects == ["Còn 1 ngày làm việc để giải quyết văn bản đến số 02",
                        "Hôm nay là hạn giải quyết văn bản đến số 01"]
    today_mail = next(m for m in inbox.messages if "Hôm nay" in str(m["Subject"]))
    assert "triển khai chuyển đổi số" in today_mail.get_content()
    assert today_mail["From"] == "Xã Số <xaso@kimboi.phutho.gov.vn>"

    second = runner.invoke(args=["incoming", "remind"])
    assert second.exit_code == 0 and "0 reminder(s) sent" in second.output
    assert len(inbox.messages) == 2
    with app.app_context():
        notes = db.session.scalars(sa.select(Notification).where(
            Notification.user_id == handler.id, Notification.kind == "incoming.reminder")).all()
        assert len(notes) == 2
        assert all(n.link.startswith("/incoming/") for n in notes)


@LOOPBACK_AUTH
def test_a_refused_mailbox_does_not_undo_the_reminders(app, as_user, smtp_server):
    controller, inbox = smtp_server
    inbox.refuse.add("cv.kt1@kimboi.phutho.gov.vn")
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_USER="xaso",
                      SMTP_PASSWORD="mat-khau-smtp", SMTP_FROM="xaso@kimboi.phutho.gov.vn",
                      SMTP_SECURITY="none")
    clerk, leader, handler = as_user("vanthu"), as_user("chutich"), as_user("cv.kt1")
    doc = clerk.post("/api/v1/incoming", json=metadata()).json["id"]
    leader.post(f"/api/v1/incoming/{doc}/direct",
                json={"main": f"u:{handler.id}", "deadline": vn_today().isoformat()})
    result = app.test_cli_runner().invoke(args=["incoming", "remind"])
    assert result.exit_code == 0, result.output
    assert "1 reminder(s) sent; 0 e-mail(s) delivered" in result.output
    assert "E-MAIL FAILED cv.kt1@kimboi.phutho.gov.vn" in result.output
    assert inbox.messages == []
    with app.app_context():  # the in-app reminder stays, and is not sent twice
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.kind == "incoming.reminder")) == 1
    assert "0 reminder(s)" in app.test_cli_runner().invoke(args=["incoming", "remind"]).output


def test_without_smtp_reminders_stay_in_the_app(app, as_user):
    clerk, leader, handler = as_user("vanthu"), as_user("chutich"), as_user("cv.kt1")
    doc = clerk.post("/api/v1/incoming", json=metadata()).json["id"]
    leader.post(f"/api/v1/incoming/{doc}/direct",
                json={"main": f"u:{handler.id}", "deadline": vn_today().isoformat()})
    result = app.test_cli_runner().invoke(args=["incoming", "remind"])
    assert result.exit_code == 0
    assert "1 reminder(s) sent (in-app; e-mail not configured)" in result.output

