"""Roles and permissions, decided in one place.

Roles come from the trade (văn thư, lãnh đạo, trưởng bộ phận, …). What each role may
do is this table; models and operations ask ``user.can(Permission.X)`` and templates
only reflect that answer, never decide on their own.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Role(enum.StrEnum):
    ADMIN = "admin"
    CLERK = "clerk"
    LEADER = "leader"
    HEAD_OF_UNIT = "head_of_unit"
    STAFF = "staff"
    SECRETARY = "secretary"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: _l("Quản trị"),
    Role.CLERK: _l("Văn thư"),
    Role.LEADER: _l("Lãnh đạo"),
    Role.HEAD_OF_UNIT: _l("Trưởng bộ phận"),
    Role.STAFF: _l("Chuyên viên"),
    Role.SECRETARY: _l("Thư ký họp"),
}


class Permission(enum.StrEnum):
    MANAGE_USERS = "manage_users"
    MANAGE_ORGANISATION = "manage_organisation"
    VIEW_AUDIT = "view_audit"
    MANAGE_KEYS = "manage_keys"
    MANAGE_INTEGRATION = "manage_integration"
    REGISTER_INCOMING = "register_incoming"
    DIRECT_INCOMING = "direct_incoming"
    HANDLE_ASSIGNED = "handle_assigned"
    VIEW_ALL_DOCUMENTS = "view_all_documents"
    VIEW_CONFIDENTIAL = "view_confidential"
    DRAFT_OUTGOING = "draft_outgoing"
    REVIEW_UNIT_DRAFTS = "review_unit_drafts"
    APPROVE_OUTGOING = "approve_outgoing"
    ISSUE_OUTGOING = "issue_outgoing"
    SIGN_AS_ORGANISATION = "sign_as_organisation"
    MANAGE_REGISTERS = "manage_registers"
    MANAGE_MEETINGS = "manage_meetings"
    CHAIR_MEETINGS = "chair_meetings"
    # Lịch công tác tuần: drafting and editing the week's schedule (the office: văn thư,
    # thư ký). Approving and publishing it is for the leaders (CHAIR_MEETINGS).
    MANAGE_SCHEDULE = "manage_schedule"
    VIEW_REPORTS = "view_reports"
    # Hồ sơ, lưu trữ (NĐ30 Điều 28–31): the archive role (Lưu trữ cơ quan, the clerk by
    # default) drafts the year's dossier plan, announces the dossiers due for transfer,
    # receives them and lends them out; the head of the commune approves the plan and
    # reopens a closed dossier.
    MANAGE_RECORDS = "manage_records"
    APPROVE_RECORDS = "approve_records"


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        {P.MANAGE_USERS, P.MANAGE_ORGANISATION, P.VIEW_AUDIT, P.MANAGE_KEYS,
         P.MANAGE_INTEGRATION, P.MANAGE_REGISTERS}
    ),
    Role.CLERK: frozenset(
        {P.REGISTER_INCOMING, P.ISSUE_OUTGOING, P.SIGN_AS_ORGANISATION, P.VIEW_ALL_DOCUMENTS,
         P.VIEW_CONFIDENTIAL, P.MANAGE_REGISTERS, P.HANDLE_ASSIGNED, P.DRAFT_OUTGOING,
         P.VIEW_REPORTS, P.MANAGE_SCHEDULE, P.MANAGE_RECORDS}
    ),
    Role.LEADER: frozenset(
        {P.DIRECT_INCOMING, P.APPROVE_OUTGOING, P.VIEW_ALL_DOCUMENTS, P.VIEW_CONFIDENTIAL,
         P.HANDLE_ASSIGNED, P.DRAFT_OUTGOING, P.CHAIR_MEETINGS, P.MANAGE_MEETINGS,
         P.VIEW_REPORTS, P.VIEW_AUDIT, P.APPROVE_RECORDS}
    ),
    Role.HEAD_OF_UNIT: frozenset(
        {P.REVIEW_UNIT_DRAFTS, P.HANDLE_ASSIGNED, P.DRAFT_OUTGOING, P.VIEW_REPORTS}
    ),
    Role.STAFF: frozenset({P.HANDLE_ASSIGNED, P.DRAFT_OUTGOING}),
    Role.SECRETARY: frozenset({P.MANAGE_MEETINGS, P.HANDLE_ASSIGNED, P.DRAFT_OUTGOING, P.MANAGE_SCHEDULE}),
}


def permissions_for(roles) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[Role(role)]
    return frozenset(granted)
