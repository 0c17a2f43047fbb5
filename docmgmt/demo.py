"""The demo commune: a realistic UBND xã with units and people in every role.

Every demo account uses the password ``DEMO_PASSWORD``; the login page lists them
when demo mode is on (``XASO_DEMO=1``), and never otherwise.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import docx
import sqlalchemy as sa

from .core.errors import DomainError
from .core.permissions import Role
from .core.timeutil import VN_TZ, vn_today
from .documents.calendar import VN_HOLIDAYS_2026, Holiday, add_working_days, holidays_of, is_working_day
from .exchange.models import Correspondent
from .extensions import db
from .incoming import operations as ops
from .incoming.schemas import IncomingCreateSchema
from .org.models import Organisation, Unit, User
from .org.operations import create_organisation, create_unit, create_user, ensure_position
from .outgoing import operations as out
from .outgoing.models import OutgoingDocument
from .outgoing.schemas import DraftCreateSchema
from .signing.keys import init_keys

DEMO_PASSWORD = "xaso2026"

# Demo data of the packages built on docmgmt (meetings, …), which docmgmt does not
# import: each registers a function of the demo organisation, called once the demo
# documents are in place.
DOCUMENT_SEEDERS: list[Callable[[Organisation], None]] = []


def document_seeder(fn: Callable[[Organisation], None]) -> Callable[[Organisation], None]:
    if fn not in DOCUMENT_SEEDERS:
        DOCUMENT_SEEDERS.append(fn)
    return fn

ORGANISATION = dict(
    name="Ủy ban nhân dân xã Kim Bôi",
    organ_id="000.00.12.H42",
    abbreviation="UBND",
    governing_body="Tỉnh Phú Thọ",
    place_name="Kim Bôi",
    address="Khu Bo, xã Kim Bôi, tỉnh Phú Thọ",
    email="ubndxa.kimboi@phutho.gov.vn",
    telephone="0218 3871 234",
)

UNITS = [
    ("VP", "Văn phòng HĐND và UBND"),
    ("KT", "Phòng Kinh tế"),
    ("VHXH", "Phòng Văn hóa - Xã hội"),
    ("TTPVHCC", "Trung tâm Phục vụ hành chính công"),
]

POSITIONS = [
    ("Chủ tịch", 1), ("Phó Chủ tịch", 2), ("Chánh Văn phòng", 10), ("Trưởng phòng", 11),
    ("Giám đốc Trung tâm", 12), ("Văn thư", 30), ("Chuyên viên", 40), ("Quản trị hệ thống", 50),
]

# username, full name, roles, unit, position
PEOPLE = [
    ("quantri", "Nguyễn Văn Quản", [Role.ADMIN], "VP", "Quản trị hệ thống"),
    ("vanthu", "Đinh Thị Thu", [Role.CLERK], "VP", "Văn thư"),
    ("chutich", "Bùi Văn Khánh", [Role.LEADER], None, "Chủ tịch"),
    ("phochutich.kt", "Quách Thị Hương", [Role.LEADER], None, "Phó Chủ tịch"),
    ("phochutich.vx", "Đinh Công Sơn", [Role.LEADER], None, "Phó Chủ tịch"),
    ("chanhvp", "Hoàng Minh Tuấn", [Role.HEAD_OF_UNIT], "VP", "Chánh Văn phòng"),
    ("truongkt", "Nguyễn Thị Lan", [Role.HEAD_OF_UNIT], "KT", "Trưởng phòng"),
    ("truongvhxh", "Bùi Thị Mai", [Role.HEAD_OF_UNIT], "VHXH", "Trưởng phòng"),
    ("giamdoc.hcc", "Trần Văn Hải", [Role.HEAD_OF_UNIT], "TTPVHCC", "Giám đốc Trung tâm"),
    ("cv.vp", "Lê Thị Ngọc", [Role.STAFF], "VP", "Chuyên viên"),
    ("cv.kt1", "Phạm Văn Đức", [Role.STAFF], "KT", "Chuyên viên"),
    ("cv.kt2", "Đỗ Thị Hà", [Role.STAFF], "KT", "Chuyên viên"),
    ("cv.vhxh", "Vũ Thị Yến", [Role.STAFF], "VHXH", "Chuyên viên"),
    ("cv.hcc", "Ngô Văn Bình", [Role.STAFF], "TTPVHCC", "Chuyên viên"),
    ("thuky", "Lý Thị Ý", [Role.SECRETARY, Role.STAFF], "VP", "Chuyên viên"),
]


def seed(with_documents: bool = True) -> Organisation:
    org = create_organisation(**ORGANISATION)
    units = {abbr: create_unit(None, org, name, abbr) for abbr, name in UNITS}
    for name, rank in POSITIONS:
        ensure_position(org, name, rank)
    for day, name in VN_HOLIDAYS_2026:
        db.session.add(Holiday(organisation_id=org.id, day=day, name=name))
    for username, full_name, roles, unit, position in PEOPLE:
        create_user(
            None, org, username=username, full_name=full_name, password=DEMO_PASSWORD,
            roles=roles, unit_id=units[unit].id if unit else None, position=position,
            email=f"{username}@kimboi.phutho.gov.vn",
        )
    db.session.flush()
    # The commune's certificate authority, so leaders and the clerk can sign from day one.
    init_keys(org)
    _seed_schedule_rooms(org)
    if with_documents:
        seed_documents(org)
    return org


ARTICLES = Path(__file__).parent / "demo_data" / "articles"

# (article, sender, their number/symbol, type, what happens to it in the demo)
DEMO_INCOMING = [
    ("article-0.txt", "Ủy ban nhân dân tỉnh Phú Thọ", "1520/UBND-NC", "cong_van", "submitted"),
    ("article-1.txt", "Sở Nội vụ tỉnh Phú Thọ", "342/SNV-CCHC", "huong_dan", "assigned"),
    ("article-2.txt", "Văn phòng Ủy ban nhân dân tỉnh", "88/TB-VPUBND", "thong_bao", "overdue"),
    ("article-3.txt", "Sở Nông nghiệp và Môi trường", "57/KH-SNNMT", "ke_hoach", "done"),
    ("article-4.txt", "Sở Khoa học và Công nghệ", "215/SKHCN-CĐS", "cong_van", "registered"),
]


def _article(name: str) -> tuple[str, str]:
    """(title, body) of a demo article: real Vietnamese news about commune offices."""
    lines = [ln.strip() for ln in (ARTICLES / name).read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if ln]
    title = lines[0]
    if title.startswith("date "):
        title = title.split(" ", 2)[2]
    if title == "Chỉ đạo, Điều hành":  # a section heading, not the title
        title = lines[1]
    return title, "\n".join(lines[1:])


def _docx(title: str, body: str) -> bytes:
    document = docx.Document()
    document.add_heading(title, level=1)
    for paragraph in body.split("\n"):
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# Organisations the commune already exchanges documents with (edXML OrganId): a scan of a
# paper from one of them is paper that need not have been (the paperless page shows it).
EXCHANGE_CORRESPONDENTS = [
    ("000.00.31.H42", "Sở Nội vụ tỉnh Phú Thọ"),
    ("000.00.01.H42", "Văn phòng Ủy ban nhân dân tỉnh"),
]

# The weeks before the demo week, for the paperless trend: (weeks back, [(sender, subject,
# scanned?)]) — fewer and fewer papers scanned at the desk as the senders move to the exchange.
DEMO_EARLIER = [
    (7, [("Sở Nội vụ tỉnh Phú Thọ", "Về việc rà soát vị trí việc làm cấp xã", True),
         ("Hội Nông dân xã Kim Bôi", "Về việc đề nghị hỗ trợ hội nghị tập huấn nông dân", True),
         ("Sở Tài chính tỉnh Phú Thọ", "Về việc quyết toán ngân sách xã năm trước", False),
         ("Ủy ban nhân dân tỉnh Phú Thọ", "Về việc triển khai Đề án 06 tại cấp xã", False)]),
    (6, [("Văn phòng Ủy ban nhân dân tỉnh", "Về việc chuẩn bị nội dung làm việc với Đoàn công tác", True),
         ("Sở Y tế tỉnh Phú Thọ", "Về việc tiêm chủng mở rộng đợt 2", False),
         ("Sở Nông nghiệp và Môi trường", "Về việc phòng chống dịch tả lợn châu Phi", False)]),
    (5, [("Trường Tiểu học Kim Bôi", "Về việc đề nghị sửa chữa phòng học", True),
         ("Sở Giáo dục và Đào tạo tỉnh Phú Thọ", "Về việc tuyển sinh đầu cấp", False),
         ("Công an tỉnh Phú Thọ", "Về việc cấp căn cước cho người dân trên địa bàn", False),
         ("Sở Khoa học và Công nghệ", "Về việc triển khai nền tảng số dùng chung", False)]),
    (4, [("Sở Nội vụ tỉnh Phú Thọ", "Về việc báo cáo số lượng cán bộ, công chức cấp xã", True),
         ("Sở Văn hóa, Thể thao và Du lịch", "Về việc tổ chức Ngày hội văn hóa các dân tộc", False),
         ("Sở Xây dựng tỉnh Phú Thọ", "Về việc kiểm tra công trình nhà ở nông thôn", False)]),
    (3, [("Ủy ban nhân dân tỉnh Phú Thọ", "Về việc tăng cường cải cách hành chính", False),
         ("Sở Tư pháp tỉnh Phú Thọ", "Về việc phổ biến, giáo dục pháp luật năm nay", False),
         ("Bảo hiểm xã hội tỉnh Phú Thọ", "Về việc phát triển người tham gia bảo hiểm xã hội tự nguyện",
          False)]),
]


def _font(size: int):
    from PIL import ImageFont

    for path in ("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
                 "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"):
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def _scan(sender: str, subject: str) -> bytes:
    """A paper as the clerk's scanner gives it: one page as an image, no text layer."""
    from PIL import Image, ImageDraw

    page = Image.new("L", (827, 1169), 246)  # A4 at 100 dpi, paper grey
    draw = ImageDraw.Draw(page)
    draw.text((70, 70), sender.upper(), font=_font(20), fill=40)
    draw.text((480, 70), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=_font(16), fill=40)
    y = 220
    for line in textwrap.wrap(subject, 52):
        draw.text((110, y), line, font=_font(26), fill=25)
        y += 40
    for row in range(14):  # the body, as the eye sees it at a glance
        draw.line((90, y + 60 + 32 * row, 740, y + 60 + 32 * row), fill=170, width=2)
    out = io.BytesIO()
    page.save(out, "PDF", resolution=100.0)
    return out.getvalue()


def working_days_before(day: date, count: int, holidays: set[date]) -> date:
    """The working day ``count`` working days before ``day`` (``day`` itself if 0 and
    it is a working day)."""
    while not is_working_day(day, holidays):
        day -= timedelta(days=1)
    while count:
        day -= timedelta(days=1)
        count -= is_working_day(day, holidays)
    return day


def seed_documents(org: Organisation) -> None:
    """Incoming documents in every state, written from the demo articles."""
    def user(name: str) -> User:
        found = db.session.scalar(sa.select(User).where(User.username == name))
        assert found is not None, f"the demo commune has no user {name!r}"
        return found

    clerk, chairman = user("vanthu"), user("chutich")
    today = vn_today()
    holidays = holidays_of(org.id, today)
    seed_earlier_weeks(org, user, working_days_before(today, 2 * (len(DEMO_INCOMING) - 1), holidays))
    # Registered in the order they arrived, one every other working day up to today, so
    # that the numbers of the sổ đến run forward with the dates.
    for age, (article, sender, number, doc_type, fate) in reversed(list(enumerate(DEMO_INCOMING))):
        title, body = _article(article)
        arrived = working_days_before(today, 2 * age, holidays)
        doc = ops.register_incoming(clerk, IncomingCreateSchema().load({
            "sender_name": sender, "number_symbol": number, "issue_date": arrived - timedelta(days=1),
            "doc_type": doc_type, "subject": f"Về việc: {title}", "signer": "Nguyễn Văn Hùng",
            "arrival_date": arrived, "urgency": "khan" if fate == "overdue" else "thuong",
        }), [ops.Upload(_docx(title, body), f"{number.replace('/', '-')}.docx")])
        if fate == "registered":
            continue
        ops.submit(clerk, doc, leader_id=chairman.id, comment="Kính trình Chủ tịch cho ý kiến chỉ đạo")
        if fate == "submitted":
            continue
        kt = db.session.scalar(sa.select(Unit).where(Unit.organisation_id == org.id,
                                                     Unit.abbreviation == "KT"))
        assert kt is not None, "the demo commune has no Phòng Kinh tế (KT)"
        main = ops.Assignee(user_id=user("cv.kt1").id) if fate != "overdue" else ops.Assignee(unit_id=kt.id)
        ops.direct(chairman, doc, ops.Direction_(
            main=main, co=[ops.Assignee(user_id=user("cv.vhxh").id)],
            info=[ops.Assignee(user_id=user("phochutich.kt").id)], deadline_working_days=5,
            text="Giao Phòng Kinh tế chủ trì, phối hợp Phòng Văn hóa - Xã hội tham mưu trả lời."))
        if fate == "overdue":
            # Demo data only: a deadline already passed, as if directed two weeks ago.
            for a in doc.active_assignments:
                if a.deadline:
                    a.deadline = today - timedelta(days=3)
            doc.deadline = today - timedelta(days=3)
        if fate == "done":
            ops.add_progress(user("cv.kt1"), doc, "Đã tổng hợp số liệu, dự thảo báo cáo.")
            ops.complete(user("cv.kt1"), doc, "Đã gửi báo cáo kết quả thực hiện cho Sở.")
    ops.register_incoming(clerk, IncomingCreateSchema().load({
        "sender_name": "Công an tỉnh Phú Thọ", "number_symbol": "112/CAT-PV01", "confidentiality": "mat",
        "issue_date": today - timedelta(days=1), "paper_holder": "Bùi Văn Khánh (Chủ tịch)"}))
    seed_outgoing(org, user)
    _seed_delegations(org)
    for seeder in DOCUMENT_SEEDERS:
        seeder(org)
    _seed_schedule(org)  # after the meetings: the week shows them
    _seed_records(org)  # after every document: the dossiers hold the completed and issued ones


# --- the weekly work schedule (docmgmt/schedule/demo.py) --------------------------------------------
# Imported when called: the schedule reads the meetings, whose package adds its own demo here.

def _seed_schedule_rooms(org: Organisation) -> None:
    from .schedule.demo import seed_rooms

    seed_rooms(org)


def _seed_schedule(org: Organisation) -> None:
    from .schedule.demo import seed_schedule

    seed_schedule(org)


# --- delegations (docmgmt/delegation/demo.py) ----------------------------------------------------

def _seed_delegations(org: Organisation) -> None:
    from .delegation.demo import seed_delegations

    seed_delegations(org)


# --- records (docmgmt/records/demo.py) ----------------------------------------------------------

def _seed_records(org: Organisation) -> None:
    from .records.demo import seed_records

    seed_records(org)


def seed_earlier_weeks(org: Organisation, user: Callable[[str], User], before: date) -> None:
    """The weeks before the demo week, handled and done, so that the paperless page has a
    trend: electronic files mostly, and papers scanned at the desk — some from senders
    that are on the exchange already. Registered in arrival order, on working days, before
    ``before`` and within this year's register."""
    for organ_id, name in EXCHANGE_CORRESPONDENTS:
        db.session.add(Correspondent(organisation_id=org.id, organ_id=organ_id, name=name))
    clerk, chairman = user("vanthu"), user("chutich")
    today = vn_today()
    holidays = holidays_of(org.id, today)
    units = {u.abbreviation: u for u in db.session.scalars(sa.select(Unit).where(Unit.organisation_id == org.id))}
    handlers = [("KT", "cv.kt1"), ("VHXH", "cv.vhxh"), ("VP", "cv.vp")]
    monday = today - timedelta(days=today.weekday())
    turn = 0
    for weeks_back, arrivals in DEMO_EARLIER:
        start = monday - timedelta(weeks=weeks_back)
        days = [d for d in (start + timedelta(days=i) for i in range(5))
                if is_working_day(d, holidays) and d.year == today.year and d < before]
        for i, (sender, subject, scanned) in enumerate(arrivals if days else []):
            arrived = days[min(i, len(days) - 1)]
            upload = (ops.Upload(_scan(sender, subject), "scan.pdf") if scanned
                      else ops.Upload(_docx(subject, f"{sender}\n{subject}"), "van-ban.docx"))
            doc = ops.register_incoming(clerk, IncomingCreateSchema().load({
                "sender_name": sender, "number_symbol": f"{40 + 7 * turn}/{'CV' if scanned else 'VB'}",
                "issue_date": arrived - timedelta(days=2), "subject": subject, "arrival_date": arrived,
            }), [upload])
            abbreviation, person = handlers[turn % len(handlers)]
            turn += 1
            ops.submit(clerk, doc)
            ops.direct(chairman, doc, ops.Direction_(main=ops.Assignee(unit_id=units[abbreviation].id),
                                                     deadline_working_days=5))
            ops.complete(user(person), doc, "Đã giải quyết, báo cáo lãnh đạo.")
            _as_handled_then(doc, arrived, holidays, late=turn % 6 == 0)


def _as_handled_then(doc, arrived: date, holidays: set[date], late: bool) -> None:
    """An earlier week's document as it was handled at the time: five working days from its
    arrival to deal with it, done in three — or, now and then, two days past the deadline
    (the dashboard's on-time rate is not always 100 %)."""
    deadline = add_working_days(arrived, 5, holidays)
    done = add_working_days(arrived, 7 if late else 3, holidays)
    done_at = datetime.combine(done, time(16, 30), tzinfo=VN_TZ).astimezone(UTC)
    doc.deadline, doc.completed_at = deadline, done_at
    for assignment in doc.assignments:
        assignment.assigned_at = datetime.combine(arrived, time(10), tzinfo=VN_TZ).astimezone(UTC)
        assignment.deadline = deadline if assignment.role != "info" else None
        assignment.done_at = done_at if assignment.done_at else None


def seed_outgoing(org: Organisation, user: Callable[[str], User]) -> None:
    """Outgoing documents at each step a clerk sees in a week: a draft being written, one
    waiting for the unit head and the chairman, and — where LibreOffice renders the
    template to PDF — one signed, numbered and issued."""
    chairman = user("chutich")
    today = vn_today()

    def draft(drafter: str, doc_type: str, subject: str, body: list[str], **extra) -> OutgoingDocument:
        data = DraftCreateSchema().load({"doc_type": doc_type, "subject": subject, "signer_id": chairman.id,
                                         "body": body, **extra})
        return out.create_draft(user(drafter), data)

    draft("cv.kt1", "bao_cao", f"Báo cáo kết quả thực hiện chuyển đổi số tháng {today.month}/{today.year}",
          ["Thực hiện Kế hoạch chuyển đổi số của Ủy ban nhân dân tỉnh, Ủy ban nhân dân xã báo cáo kết quả "
           "như sau:", "1. Tỷ lệ văn bản đi, đến được xử lý trên môi trường điện tử.",
           "2. Khó khăn, vướng mắc và đề xuất."],
          external=[{"organ_name": "Sở Khoa học và Công nghệ tỉnh Phú Thọ", "organ_id": "000.00.25.H42"}])
    units = {u.abbreviation: u.id for u in db.session.scalars(sa.select(Unit).where(Unit.organisation_id == org.id))}
    plan = draft("cv.vhxh", "ke_hoach", "Kế hoạch tổ chức các hoạt động mừng Đảng, mừng Xuân",
                 ["Nhằm tạo không khí vui tươi, phấn khởi trong Nhân dân, Ủy ban nhân dân xã ban hành "
                  "Kế hoạch tổ chức các hoạt động mừng Đảng, mừng Xuân như sau:",
                  "I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG, THỜI GIAN", "III. TỔ CHỨC THỰC HIỆN"],
                 recipients=[f"unit:{units['VP']}", f"unit:{units['KT']}"])
    notice = draft("cv.vp", "thong_bao", "Thông báo lịch tiếp công dân định kỳ của Chủ tịch Ủy ban nhân dân xã",
                   ["Chủ tịch Ủy ban nhân dân xã tiếp công dân định kỳ vào ngày 15 hằng tháng tại Trụ sở "
                    "Ủy ban nhân dân xã.", "Văn phòng HĐND và UBND xã thông báo để Nhân dân biết."],
                   recipients=[f"unit:{units[u]}" for u in ("KT", "VHXH", "TTPVHCC")])
    if any(d.current_version is None or d.current_version.pdf_file_id is None for d in (plan, notice)):
        return  # no LibreOffice here: the drafts stay drafts (their page says why)
    out.submit(user("cv.vhxh"), plan)  # waits for the head of unit, then the chairman
    out.submit(user("cv.vp"), notice)
    while notice.current_step is not None:
        out.approve(notice.current_step.reviewer, notice, "Đồng ý")
    try:
        out.sign(chairman, notice)
        out.issue(user("vanthu"), notice)
    except DomainError:
        pass  # a signing device refusing leaves it signed-or-approved, as in real life
    # The chairman signed one by hand, at a meeting away from his desk: issued on paper.
    subject = "Quyết định thành lập Tổ công tác rà soát hộ nghèo, hộ cận nghèo"
    decision = draft("cv.kt1", "quyet_dinh", subject,
                     ["Căn cứ Luật Tổ chức chính quyền địa phương;", "Điều 1. Thành lập Tổ công tác.",
                      "Điều 2. Tổ công tác có nhiệm vụ rà soát, báo cáo kết quả."],
                     recipients=[f"unit:{units['KT']}", f"unit:{units['VHXH']}"],
                     external=[{"organ_name": "Sở Y tế tỉnh Phú Thọ", "organ_id": "000.00.15.H42"}])
    out.submit(user("cv.kt1"), decision)
    while decision.current_step is not None:
        out.approve(decision.current_step.reviewer, decision, "Đồng ý")
    out.issue_on_paper(user("vanthu"), decision, out.Upload(_scan(org.name, subject), "quyet-dinh-ky-tay.pdf"))


def demo_accounts() -> list[tuple[str, str, str]]:
    """(username, full name, roles) for the login page in demo mode."""
    return [
        (u, n, ", ".join(r.label for r in roles)) for u, n, roles, _unit, _pos in PEOPLE
    ]
