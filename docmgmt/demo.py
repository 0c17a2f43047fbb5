"""The demo commune: a realistic UBND xã with units and people in every role.

Every demo account uses the password ``DEMO_PASSWORD``; the login page lists them
when demo mode is on (``XASO_DEMO=1``), and never otherwise.
"""

from __future__ import annotations

from .core.permissions import Role
from .documents.calendar import VN_HOLIDAYS_2026, Holiday
from .extensions import db
from .org.models import Organisation
from .org.operations import create_organisation, create_unit, create_user, ensure_position

DEMO_PASSWORD = "xaso2026"

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


def seed() -> Organisation:
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
    return org


def demo_accounts() -> list[tuple[str, str, str]]:
    """(username, full name, roles) for the login page in demo mode."""
    return [
        (u, n, ", ".join(r.label for r in roles)) for u, n, roles, _unit, _pos in PEOPLE
    ]
