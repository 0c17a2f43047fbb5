"""The acts of records: every door (pages, API, CLI, the demo, the worker) calls these.

Each checks who may act and in which state (``access.*_LIFECYCLE``), changes the records,
writes the dossier's history (``DossierEvent``) and the audit log, and tells people what
concerns them — all in the caller's one transaction.

* The plan (Danh mục hồ sơ, Điều 28): the archive role drafts it — headings, dossiers,
  how dossiers are numbered — often from last year's; the head of the commune approves it
  with the decision's number and date. Numbers and ký hiệu follow the headings' order
  (:func:`_renumber`) while the plan is a draft; a dossier opened outside an approved plan
  (Điều 29.2.c) takes the next number and leaves the others as they were issued.
* Dossiers (Điều 29): the person responsible opens one, files documents in it *without
  copying them* (one document can be in several dossiers), the DocOrdinal following the
  documents' dates; closing fixes each file by its SHA-256 in a manifest
  (:func:`verify_dossier` is what ``flask check`` asks); reopening is the head of the
  commune's act, with the reason.
* Nộp lưu (Điều 30–31): the archive announces the closed dossiers due (kept 5 years or
  more), one transfer per person responsible; each is reminded 30 days before the due
  date (Phụ lục VI Part I §III.5.b); the person submits, the archive receives, and the
  dossiers become the archive's, which lends them out and takes them back.

A confidential document is never filed: it exists only as its paper-tracking entry.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from search.analysis import fold

from ..audit.operations import readable_through, register_content_check
from ..audit.operations import record as audit
from ..core import signals
from ..core.access import find_scoped, load
from ..core.errors import Conflict, ValidationFailed, forbidden, not_found
from ..core.text import clean
from ..core.timeutil import format_date, utcnow, vn_today
from ..documents.types import Confidentiality
from ..extensions import db
from ..files.models import StoredFile
from ..files.store import FileStore
from ..incoming import access as incoming_access
from ..incoming.models import IncomingDocument
from ..notifications.operations import notify
from ..org.models import Organisation, Unit, User
from ..outgoing import access as outgoing_access
from ..outgoing.models import OutgoingDocument
from ..outgoing.workflow import Status as OutStatus
from .access import (
    DOSSIER_LIFECYCLE,
    PLAN_LIFECYCLE,
    PLAN_VIEW,
    READ,
    TRANSFER_LIFECYCLE,
    TRANSFER_READ,
    is_archivist,
    may_read_document,
    readable_documents,
)
from .models import ArchiveTransfer, Dossier, DossierEvent, DossierItem, DossierLoan, FilePlan, PlanHeading
from .schemas import (
    NUMBERINGS,
    ApprovalInput,
    DossierInput,
    FileItemInput,
    FilingInput,
    HeadingInput,
    LoanInput,
    PlanInput,
    TransferInput,
)
from .workflow import DossierStatus, PlanStatus, TransferStatus

register_content_check("file_plan", readable_through(PLAN_VIEW))
register_content_check("dossier", readable_through(READ))
register_content_check("archive_transfer", readable_through(TRANSFER_READ))

# Điều 31.3.c: what is kept 5 years or more goes to the archive.
TRANSFER_MIN_YEARS = 5
# Phụ lục VI Part I §III.5.b: owners are told 30 days before the due date.
REMINDER_DAYS = 30
# The most documents one filing act takes (a list's selection).
MAX_FILING = 200

NO_PLAN = _l("Không tìm thấy Danh mục hồ sơ.")
NO_DOSSIER = _l("Không tìm thấy hồ sơ.")
NO_TRANSFER = _l("Không tìm thấy đợt nộp lưu.")


def link_of(dossier: Dossier) -> str:
    return f"/records/dossiers/{dossier.id}"


def transfer_link(transfer: ArchiveTransfer) -> str:
    return f"/records/transfers/{transfer.id}"


def retention_label(retention_years: int | None) -> str:
    return _("Vĩnh viễn") if retention_years is None else _("%(n)s năm", n=retention_years)


# --- finding --------------------------------------------------------------------------------------

def get_plan(actor: User, plan_id: object) -> FilePlan:
    return PLAN_VIEW.get(actor, plan_id, str(NO_PLAN))


def plan_of_year(actor: User, year: int) -> FilePlan | None:
    plan = db.session.scalar(PLAN_VIEW.select(actor).where(FilePlan.year == year))
    return plan


def plans(actor: User) -> list[FilePlan]:
    return list(db.session.scalars(PLAN_VIEW.select(actor).order_by(FilePlan.year.desc())))


def get_heading(actor: User, heading_id: object) -> PlanHeading:
    heading = find_scoped_heading(actor, heading_id)
    if heading is None:
        raise not_found(_("Không tìm thấy đề mục."))
    return heading


def find_scoped_heading(actor: User, heading_id: object) -> PlanHeading | None:
    heading = load(PlanHeading, heading_id)
    if heading is None or not PLAN_VIEW.allows(actor, heading.plan):
        return None
    return heading


def get_dossier(actor: User, dossier_id: object) -> Dossier:
    return READ.get(actor, dossier_id, str(NO_DOSSIER))


def get_item(actor: User, item_id: object) -> DossierItem:
    item = load(DossierItem, item_id)
    if item is None or not READ.allows(actor, item.dossier) or not may_read_document(actor, item):
        raise not_found(_("Không tìm thấy văn bản trong hồ sơ."))
    return item


def get_transfer(actor: User, transfer_id: object) -> ArchiveTransfer:
    return TRANSFER_READ.get(actor, transfer_id, str(NO_TRANSFER))


def dossiers(actor: User, *, year: int | None = None, status: str | None = None, mine: bool = False,
             text: str = "") -> sa.Select:
    """The dossiers this person may open, with the filters, in the plan's order."""
    query = READ.select(actor).join(FilePlan, FilePlan.id == Dossier.plan_id)
    if year is not None:
        query = query.where(FilePlan.year == year)
    if status:
        query = query.where(Dossier.status == status)
    if mine:
        query = query.where(Dossier.responsible_id == actor.id)
    words = clean(text)
    if words:
        pattern = f"%{words}%"
        query = query.where(sa.or_(Dossier.title.ilike(pattern), Dossier.notation.ilike(pattern)))
    return query.order_by(FilePlan.year.desc(), Dossier.number, Dossier.id)


def my_open_dossiers(actor: User) -> list[Dossier]:
    return list(db.session.scalars(
        sa.select(Dossier).where(Dossier.organisation_id == actor.organisation_id,
                                 Dossier.responsible_id == actor.id,
                                 Dossier.status == DossierStatus.OPEN.value)
        .order_by(Dossier.opened_at.desc(), Dossier.id.desc())))


def transfers(actor: User, *, year: int | None = None) -> list[ArchiveTransfer]:
    query = TRANSFER_READ.select(actor)
    if year is not None:
        query = query.where(ArchiveTransfer.year == year)
    return list(db.session.scalars(query.order_by(ArchiveTransfer.announced_at.desc(), ArchiveTransfer.id.desc())))


def history(actor: User, dossier: Dossier) -> list[DossierEvent]:
    """The dossier's acts, less the filing and removal of documents the person may not
    open (the history must not reveal what the Mục lục hides)."""
    if not READ.allows(actor, dossier):
        raise not_found(str(NO_DOSSIER))
    events = list(dossier.events)
    refs = [e.data or {} for e in events if e.kind in ("filed", "removed")]
    readable_in, readable_out = readable_documents(
        actor, [r.get("incoming_id") for r in refs if r.get("kind") == "incoming"],
        [r.get("outgoing_id") for r in refs if r.get("kind") == "outgoing"])

    def shown(event: DossierEvent) -> bool:
        ref = event.data or {}
        if event.kind not in ("filed", "removed") or ref.get("kind") not in ("incoming", "outgoing"):
            return True
        return (ref.get("incoming_id") in readable_in if ref["kind"] == "incoming"
                else ref.get("outgoing_id") in readable_out)

    return [e for e in events if shown(e)]


# --- helpers --------------------------------------------------------------------------------------

def _event(dossier: Dossier, what: str, actor: User | None, reason: str = "", **data: Any) -> DossierEvent:
    event = DossierEvent(dossier=dossier, kind=what, actor_id=actor.id if actor else None, at=utcnow(),
                         reason=reason, data=data or None)
    db.session.add(event)
    signals.dossier_changed.send(dossier)  # every act on a dossier: its text, state or readers
    return event


def _colleague(actor: User, user_id: int | None, field_name: str) -> User:
    person = find_scoped(User, user_id, actor) if user_id else None
    if person is None or not person.active:
        raise ValidationFailed("invalid_person", _("Hãy chọn người trong cơ quan."), field_name)
    return person


def _retention(data: DossierInput) -> int | None:
    if data.permanent:
        return None
    if data.retention_years is None:
        raise ValidationFailed("required", _("Hãy chọn thời hạn bảo quản (vĩnh viễn hoặc số năm)."),
                               "retention_years")
    if not 1 <= data.retention_years <= 200:
        raise ValidationFailed("invalid_retention", _("Thời hạn bảo quản từ 1 đến 200 năm."), "retention_years")
    return data.retention_years


def _title(value: str, field_name: str = "title", what: str | None = None) -> str:
    title = clean(value)
    if not title:
        raise ValidationFailed("required", what or _("Hãy nhập tiêu đề hồ sơ."), field_name)
    return title


def _plan_heading(plan: FilePlan, heading_id: int | None) -> PlanHeading:
    heading = next((h for h in plan.headings if h.id == heading_id), None) if heading_id else None
    if heading is None:
        raise ValidationFailed("invalid_heading", _("Hãy chọn đề mục của Danh mục hồ sơ."), "heading_id")
    return heading


def _in_order(plan: FilePlan) -> list[tuple[PlanHeading, list[Dossier]]]:
    """The plan's headings in reading order (I, I.1, I.2, II, …) with their dossiers."""
    by_heading: dict[int, list[Dossier]] = {}
    for dossier in plan.dossiers:
        by_heading.setdefault(dossier.heading_id, []).append(dossier)
    out: list[tuple[PlanHeading, list[Dossier]]] = []
    for top in plan.top_headings:
        out.append((top, sorted(by_heading.get(top.id, []), key=lambda d: (d.position, d.id))))
        for child in sorted(top.children, key=lambda h: h.position):
            out.append((child, sorted(by_heading.get(child.id, []), key=lambda d: (d.position, d.id))))
    return out


def in_order(plan: FilePlan) -> list[tuple[PlanHeading, list[Dossier]]]:
    return _in_order(plan)


def _notation(number: int, heading: PlanHeading) -> str:
    code = heading.abbreviation
    return f"{number:02d}.{code}" if code else f"{number:02d}"


def _renumber(plan: FilePlan) -> None:
    """Numbers and ký hiệu of every dossier from the headings' order: through the whole
    plan, or from 01 within each large heading (Phụ lục V §I.2)."""
    db.session.flush()
    # From the database: a dossier made with ``plan=`` before the plan's collection was
    # loaded is not in the collection loaded since (no backref cascade in SQLAlchemy 2).
    db.session.expire(plan, ["dossiers"])
    order = _in_order(plan)
    # Out of the way first: (plan, notation) is unique, and the new ones may swap.
    for _heading, rows in order:
        for dossier in rows:
            dossier.notation = f"~{dossier.id}"
    db.session.flush()
    counter = 0
    current_top: int | None = None
    for heading, rows in order:
        if plan.numbering == "heading" and heading.top.id != current_top:
            counter = 0
        current_top = heading.top.id
        for dossier in rows:
            counter += 1
            dossier.number = counter
            dossier.notation = _notation(counter, heading)
            signals.dossier_changed.send(dossier)
    db.session.flush()


def _next_number(plan: FilePlan, heading: PlanHeading) -> int:
    """For a dossier opened in an approved plan: after the last of its numbering's scope."""
    query = sa.select(sa.func.max(Dossier.number)).where(Dossier.plan_id == plan.id)
    if plan.numbering == "heading":
        top = heading.top
        ids = [top.id] + [c.id for c in top.children]
        query = query.where(Dossier.heading_id.in_(ids))
    return int(db.session.scalar(query) or 0) + 1


def _place(rows: list[Any], item: Any, position: int | None) -> None:
    """Put ``item`` at ``position`` (1-based; None: last) among ``rows``, renumbering positions."""
    rows = [r for r in rows if r is not item]
    index = len(rows) if position is None else max(0, min(position - 1, len(rows)))
    rows.insert(index, item)
    for i, row in enumerate(rows, start=1):
        row.position = i


# --- the plan -------------------------------------------------------------------------------------

def create_plan(actor: User, data: PlanInput) -> FilePlan:
    """Open the plan of a year as a draft, from last year's if asked (its headings and
    dossiers, as rows to be opened again)."""
    if not is_archivist(actor):
        raise forbidden()
    year = data.year
    if year is None or not 1945 <= year <= 9999:
        raise ValidationFailed("invalid_year", _("Năm không hợp lệ."), "year")
    if data.numbering not in NUMBERINGS:
        raise ValidationFailed("invalid_numbering", _("Cách đánh số hồ sơ không hợp lệ."), "numbering")
    exists = db.session.scalar(sa.select(FilePlan.id).where(FilePlan.organisation_id == actor.organisation_id,
                                                            FilePlan.year == year))
    if exists is not None:
        raise Conflict("plan_exists", _("Danh mục hồ sơ năm %(y)s đã có.", y=year), "year")
    previous = db.session.scalar(sa.select(FilePlan).where(FilePlan.organisation_id == actor.organisation_id,
                                                           FilePlan.year == year - 1)) \
        if data.copy_previous else None
    plan = FilePlan(organisation_id=actor.organisation_id, year=year, status=PlanStatus.DRAFT.value,
                    numbering=previous.numbering if previous is not None else data.numbering,
                    created_by_id=actor.id, copied_from_id=previous.id if previous is not None else None)
    if not data.copy_previous or previous is None:
        plan.numbering = data.numbering
    try:
        with db.session.begin_nested():
            db.session.add(plan)
            db.session.flush()
    except IntegrityError:  # the same year opened by someone else at the same moment
        raise Conflict("plan_exists", _("Danh mục hồ sơ năm %(y)s đã có.", y=year), "year") from None
    if previous is not None:
        _copy_forward(actor, previous, plan)
    audit(actor.organisation_id, actor, "records.plan_created", plan, _("Danh mục hồ sơ năm %(y)s", y=year),
          {"copied_from": previous.year if previous is not None else None})
    return plan


def _copy_forward(actor: User, previous: FilePlan, plan: FilePlan) -> None:
    mapping: dict[int, PlanHeading] = {}
    for top in previous.top_headings:
        new_top = PlanHeading(plan=plan, parent=None, position=top.position, title=top.title, code=top.code,
                              unit_id=top.unit_id)
        db.session.add(new_top)
        mapping[top.id] = new_top
        for child in sorted(top.children, key=lambda h: h.position):
            new_child = PlanHeading(plan=plan, parent=new_top, position=child.position, title=child.title,
                                    code=child.code, unit_id=child.unit_id)
            db.session.add(new_child)
            mapping[child.id] = new_child
    db.session.flush()
    for heading, rows in _in_order(previous):
        for old in rows:
            responsible = old.responsible if old.responsible.active else actor
            dossier = Dossier(organisation_id=plan.organisation_id, plan=plan, heading=mapping[heading.id],
                              position=old.position, number=old.number, notation=f"~{old.id}", title=old.title,
                              retention_years=old.retention_years, rights=old.rights, language=old.language,
                              description=old.description, responsible_id=responsible.id,
                              unit_id=responsible.unit_id, in_plan=True, status=DossierStatus.PLANNED.value)
            db.session.add(dossier)
    db.session.flush()
    _renumber(plan)
    for dossier in plan.dossiers:
        _event(dossier, "planned", actor, copied_from=previous.year)


def set_numbering(actor: User, plan: FilePlan, numbering: str) -> FilePlan:
    PLAN_LIFECYCLE.check(actor, plan, "edit")
    if numbering not in NUMBERINGS:
        raise ValidationFailed("invalid_numbering", _("Cách đánh số hồ sơ không hợp lệ."), "numbering")
    plan.numbering = numbering
    _renumber(plan)
    audit(actor.organisation_id, actor, "records.plan_numbering", plan, numbering)
    return plan


def _heading_fields(actor: User, plan: FilePlan, heading: PlanHeading, data: HeadingInput) -> None:
    new = heading.id is None  # (read first: loading plan.headings below autoflushes it)
    heading.title = _title(data.title, "title", _("Hãy nhập tên đề mục."))
    parent = None
    if data.parent_id is not None:
        parent = _plan_heading(plan, data.parent_id)
        if parent.parent_id is not None or parent is heading:
            raise ValidationFailed("invalid_heading", _("Đề mục nhỏ chỉ nằm trong một đề mục lớn."), "parent_id")
        if heading.children:
            raise ValidationFailed("invalid_heading", _("Đề mục đang có đề mục nhỏ không thể thành đề mục nhỏ."),
                                   "parent_id")
    code = clean(data.code).upper()
    if parent is None:
        if not code:
            raise ValidationFailed("required", _("Hãy nhập chữ viết tắt của đề mục lớn (ví dụ VP)."), "code")
        if not re.fullmatch(r"[A-Z0-9Đ]{1,16}", code):
            raise ValidationFailed("invalid_code", _("Chữ viết tắt chỉ gồm chữ cái và chữ số, không dấu cách."),
                                   "code")
        clash = next((h for h in plan.headings if h.parent_id is None and h is not heading and h.code == code), None)
        if clash is not None:
            raise Conflict("code_taken", _("Chữ viết tắt “%(c)s” đã dùng cho đề mục “%(t)s”.", c=code, t=clash.title),
                           "code")
    heading.code = code if parent is None else ""
    unit = None
    if data.unit_id is not None:
        unit = find_scoped(Unit, data.unit_id, actor)
        if unit is None:
            raise ValidationFailed("invalid_unit", _("Hãy chọn đơn vị trong cơ quan."), "unit_id")
    heading.unit_id = unit.id if unit is not None else None
    old_parent = heading.parent
    heading.parent = parent
    siblings = [h for h in plan.headings if h.parent is parent and h is not heading]
    if old_parent is not parent or data.position is not None or new:
        _place(sorted(siblings, key=lambda h: h.position), heading, data.position)
        if old_parent is not parent:
            remaining = [h for h in plan.headings if h.parent is old_parent and h is not heading]
            for i, h in enumerate(sorted(remaining, key=lambda h: h.position), start=1):
                h.position = i


def add_heading(actor: User, plan: FilePlan, data: HeadingInput) -> PlanHeading:
    PLAN_LIFECYCLE.check(actor, plan, "edit")
    heading = PlanHeading(plan=plan, position=1, title="", code="")
    db.session.add(heading)
    _heading_fields(actor, plan, heading, data)
    _renumber(plan)
    audit(actor.organisation_id, actor, "records.heading_added", plan, heading.title)
    return heading


def update_heading(actor: User, heading: PlanHeading, data: HeadingInput) -> PlanHeading:
    plan = heading.plan
    PLAN_LIFECYCLE.check(actor, plan, "edit")
    _heading_fields(actor, plan, heading, data)
    _renumber(plan)
    audit(actor.organisation_id, actor, "records.heading_changed", plan, heading.title)
    return heading


def remove_heading(actor: User, heading: PlanHeading) -> None:
    plan = heading.plan
    PLAN_LIFECYCLE.check(actor, plan, "edit")
    if heading.children or heading.dossiers:
        raise Conflict("heading_not_empty", _("Đề mục còn hồ sơ hoặc đề mục nhỏ, không xoá được."))
    parent = heading.parent
    plan.headings.remove(heading)
    db.session.delete(heading)
    siblings = sorted((h for h in plan.headings if h.parent is parent), key=lambda h: h.position)
    for i, h in enumerate(siblings, start=1):
        h.position = i
    _renumber(plan)
    audit(actor.organisation_id, actor, "records.heading_removed", plan, heading.title)


def _dossier_fields(actor: User, plan: FilePlan, dossier: Dossier, data: DossierInput, *,
                    responsible: User | None = None) -> None:
    heading = _plan_heading(plan, data.heading_id)
    dossier.title = _title(data.title)
    dossier.retention_years = _retention(data)
    dossier.description = clean(data.description)
    person = responsible or _colleague(actor, data.responsible_id, "responsible_id")
    dossier.responsible_id = person.id
    dossier.unit_id = person.unit_id
    moved = dossier.heading_id != heading.id
    dossier.heading = heading
    if moved or data.position is not None or dossier.id is None:
        siblings = [d for d in plan.dossiers if d.heading is heading and d is not dossier]
        _place(sorted(siblings, key=lambda d: (d.position, d.id or 0)), dossier, data.position)


def add_planned_dossier(actor: User, plan: FilePlan, data: DossierInput) -> Dossier:
    PLAN_LIFECYCLE.check(actor, plan, "edit")
    dossier = Dossier(organisation_id=plan.organisation_id, plan=plan, number=1, notation="~new", title="",
                      responsible_id=actor.id, status=DossierStatus.PLANNED.value, in_plan=True)
    with db.session.no_autoflush:  # (not in the session until its fields are set)
        _dossier_fields(actor, plan, dossier, data)
    db.session.add(dossier)
    db.session.flush()
    _renumber(plan)
    _event(dossier, "planned", actor)
    audit(actor.organisation_id, actor, "records.dossier_planned", dossier, f"{dossier.notation} {dossier.title}")
    return dossier


def _planned_in_draft(actor: User, dossier: Dossier) -> FilePlan:
    plan = dossier.plan
    PLAN_LIFECYCLE.check(actor, plan, "edit")
    if dossier.status_enum is not DossierStatus.PLANNED:
        raise Conflict("dossier_opened", _("Hồ sơ đã được mở, không sửa trong Danh mục được."))
    return plan


def update_planned_dossier(actor: User, dossier: Dossier, data: DossierInput) -> Dossier:
    plan = _planned_in_draft(actor, dossier)
    _dossier_fields(actor, plan, dossier, data)
    _renumber(plan)
    audit(actor.organisation_id, actor, "records.dossier_changed", dossier, f"{dossier.notation} {dossier.title}")
    return dossier


def remove_planned_dossier(actor: User, dossier: Dossier) -> None:
    plan = _planned_in_draft(actor, dossier)
    heading = dossier.heading
    audit(actor.organisation_id, actor, "records.dossier_unplanned", dossier, f"{dossier.notation} {dossier.title}")
    with db.session.no_autoflush:  # (deleting loads its items: no UPDATE of a row without its plan first)
        plan.dossiers.remove(dossier)
        db.session.delete(dossier)
    db.session.flush()
    for i, d in enumerate(sorted((d for d in plan.dossiers if d.heading is heading), key=lambda d: d.position), 1):
        d.position = i
    _renumber(plan)


def approve_plan(actor: User, plan: FilePlan, data: ApprovalInput) -> FilePlan:
    target = PLAN_LIFECYCLE.check(actor, plan, "approve")
    number = clean(data.decision_number)
    if not number:
        raise ValidationFailed("required", _("Hãy nhập số quyết định phê duyệt."), "decision_number")
    if data.decision_date is None:
        raise ValidationFailed("required", _("Hãy nhập ngày quyết định (dd/mm/yyyy)."), "decision_date")
    if not plan.dossiers:
        raise Conflict("plan_empty", _("Danh mục chưa có hồ sơ nào."))
    plan.status = target.value
    plan.decision_number = number
    plan.decision_date = data.decision_date
    plan.approved_by_id = actor.id
    plan.approved_at = utcnow()
    audit(actor.organisation_id, actor, "records.plan_approved", plan,
          _("Danh mục hồ sơ năm %(y)s — Quyết định số %(n)s ngày %(d)s", y=plan.year, n=number,
            d=format_date(data.decision_date)))
    for person in {d.responsible for d in plan.dossiers if d.responsible.active}:
        mine = sum(1 for d in plan.dossiers if d.responsible_id == person.id)
        notify(person, "records_plan", _l("Danh mục hồ sơ năm %(y)s đã được phê duyệt: %(n)s hồ sơ do bạn lập.",
                                          y=plan.year, n=mine), f"/records/plans/{plan.year}")
    return plan


def revise_plan(actor: User, plan: FilePlan) -> FilePlan:
    target = PLAN_LIFECYCLE.check(actor, plan, "revise")
    if any(d.status_enum is not DossierStatus.PLANNED or not d.in_plan for d in plan.dossiers):
        raise Conflict("plan_in_use", _("Đã có hồ sơ được mở theo Danh mục này; không đưa về dự thảo được."))
    plan.status = target.value
    audit(actor.organisation_id, actor, "records.plan_revised", plan, str(plan.year))
    return plan


# --- dossiers -------------------------------------------------------------------------------------

def _approved(plan: FilePlan) -> None:
    if plan.status_enum is not PlanStatus.APPROVED:
        raise Conflict("plan_not_approved", _("Danh mục hồ sơ năm %(y)s chưa được phê duyệt.", y=plan.year))


def open_dossier(actor: User, dossier: Dossier) -> Dossier:
    target = DOSSIER_LIFECYCLE.check(actor, dossier, "open")
    _approved(dossier.plan)
    dossier.status = target.value
    dossier.opened_at = utcnow()
    dossier.unit_id = actor.unit_id
    _event(dossier, "opened", actor)
    audit(actor.organisation_id, actor, "records.dossier_opened", dossier, f"{dossier.notation} {dossier.title}")
    return dossier


def open_unplanned(actor: User, plan: FilePlan, data: DossierInput) -> Dossier:
    """A dossier not in the plan (Điều 29.2.c): the person opening it is responsible."""
    if not PLAN_VIEW.allows(actor, plan):
        raise not_found(str(NO_PLAN))
    _approved(plan)
    dossier = Dossier(organisation_id=plan.organisation_id, plan=plan, number=1, notation="~new", title="",
                      responsible_id=actor.id, status=DossierStatus.OPEN.value, in_plan=False)
    with db.session.no_autoflush:  # (not in the session until its fields are set)
        _dossier_fields(actor, plan, dossier, data, responsible=actor)
        dossier.number = _next_number(plan, dossier.heading)
    dossier.notation = _notation(dossier.number, dossier.heading)
    dossier.opened_at = utcnow()
    try:
        with db.session.begin_nested():
            db.session.add(dossier)
            db.session.flush()
    except IntegrityError:
        raise Conflict("notation_taken", _("Số hồ sơ vừa được người khác dùng; hãy thử lại.")) from None
    _event(dossier, "opened", actor, outside_plan=True)
    audit(actor.organisation_id, actor, "records.dossier_opened", dossier,
          f"{dossier.notation} {dossier.title} (ngoài danh mục)")
    return dossier


def update_dossier(actor: User, dossier: Dossier, data: DossierInput) -> Dossier:
    DOSSIER_LIFECYCLE.check(actor, dossier, "edit")
    dossier.title = _title(data.title)
    dossier.retention_years = _retention(data)
    dossier.description = clean(data.description)
    _event(dossier, "edited", actor)
    audit(actor.organisation_id, actor, "records.dossier_changed", dossier, f"{dossier.notation} {dossier.title}")
    return dossier


def _order_items(dossier: Dossier) -> None:
    """DocOrdinal in time order (the document's date, then the order of filing);
    StartDate/EndDate from the first and last."""
    db.session.flush()
    items = sorted(dossier.items, key=lambda i: (i.doc_date, i.added_at, i.id))
    for n, item in enumerate(items, start=1):
        item.ordinal = n
    dossier.items.sort(key=lambda i: i.ordinal)
    dossier.start_date = items[0].doc_date if items else None
    dossier.end_date = items[-1].doc_date if items else None


def _incoming_date(doc: IncomingDocument) -> date:
    return doc.issue_date or doc.arrival_date


def _readable_incoming(actor: User, doc_id: int) -> IncomingDocument:
    doc = incoming_access.READ.get(actor, doc_id, _("Không tìm thấy văn bản đến số %(id)s.", id=doc_id))
    if doc.confidentiality != Confidentiality.NONE.value:
        raise Conflict("confidential_not_filed",
                       _("Văn bản mật chỉ được quản lý bằng bản giấy, không đưa vào hồ sơ điện tử."), "incoming_ids")
    return doc


def _readable_outgoing(actor: User, doc_id: int) -> OutgoingDocument:
    doc = outgoing_access.READ.get(actor, doc_id, _("Không tìm thấy văn bản đi số %(id)s.", id=doc_id))
    if doc.confidentiality != Confidentiality.NONE.value:
        raise Conflict("confidential_not_filed",
                       _("Văn bản mật chỉ được quản lý bằng bản giấy, không đưa vào hồ sơ điện tử."), "outgoing_ids")
    if doc.status != OutStatus.ISSUED.value or doc.issued_on is None:
        raise Conflict("not_issued", _("Chỉ đưa vào hồ sơ văn bản đi đã phát hành (“%(s)s” chưa phát hành).",
                                       s=doc.subject[:80]), "outgoing_ids")
    return doc


def _pdf_pages(stored: StoredFile | None) -> int | None:
    if stored is None or stored.mime != "application/pdf":
        return None
    from ..files.sandbox import inspect_pdf

    info = inspect_pdf(FileStore.from_app().path_for(stored.sha256))
    return info.pages or None if info.ok else None


def file_documents(actor: User, dossier: Dossier, data: FilingInput) -> list[DossierItem]:
    """File documents in the dossier, all or none."""
    DOSSIER_LIFECYCLE.check(actor, dossier, "file")
    incoming_ids = list(dict.fromkeys(data.incoming_ids or []))
    outgoing_ids = list(dict.fromkeys(data.outgoing_ids or []))
    if not incoming_ids and not outgoing_ids:
        raise ValidationFailed("required", _("Hãy chọn văn bản để đưa vào hồ sơ."), "incoming_ids")
    if len(incoming_ids) + len(outgoing_ids) > MAX_FILING:
        raise ValidationFailed("too_many", _("Mỗi lần đưa tối đa %(n)s văn bản.", n=MAX_FILING), "incoming_ids")
    held_in = {i.incoming_id for i in dossier.items if i.kind == "incoming"}
    held_out = {i.outgoing_id for i in dossier.items if i.kind == "outgoing"}
    now = utcnow()
    added: list[DossierItem] = []
    with db.session.no_autoflush:  # (the items join the session together, below)
        for doc_id in incoming_ids:
            doc = _readable_incoming(actor, doc_id)
            if doc.id in held_in:
                raise Conflict("already_filed", _("Văn bản “%(s)s” đã có trong hồ sơ %(n)s.",
                                                  s=doc.number_symbol or doc.subject[:80], n=dossier.notation))
            added.append(DossierItem(dossier=dossier, kind="incoming", incoming_id=doc.id, doc_date=_incoming_date(doc),
                                     ordinal=len(dossier.items) + len(added) + 1, page_count=doc.page_count,
                                     added_by_id=actor.id, added_at=now))
        for doc_id in outgoing_ids:
            out = _readable_outgoing(actor, doc_id)
            if out.id in held_out:
                raise Conflict("already_filed", _("Văn bản “%(s)s” đã có trong hồ sơ %(n)s.",
                                                  s=out.number_symbol or out.subject[:80], n=dossier.notation))
            assert out.issued_on is not None
            added.append(DossierItem(dossier=dossier, kind="outgoing", outgoing_id=out.id, doc_date=out.issued_on,
                                     ordinal=len(dossier.items) + len(added) + 1,
                                     page_count=_pdf_pages(out.issued_file or out.signed_file),
                                     added_by_id=actor.id, added_at=now))
    for item in added:
        db.session.add(item)
    _order_items(dossier)
    for item in added:
        _event(dossier, "filed", actor, **_item_ref(item))
    audit(actor.organisation_id, actor, "records.documents_filed", dossier,
          _("%(n)s văn bản vào hồ sơ %(d)s", n=len(added), d=dossier.notation))
    return added


def add_file(actor: User, dossier: Dossier, data: FileItemInput) -> DossierItem:
    """Another file (a photo, a recording, a paper scanned by the person) in the dossier."""
    DOSSIER_LIFECYCLE.check(actor, dossier, "file")
    from ..files.operations import get_readable, unattached

    if data.file_id is None:
        raise ValidationFailed("required", _("Hãy chọn tệp."), "file_id")
    stored = get_readable(actor, data.file_id)
    # Only a file of the person's own, attached to nothing yet: a document's file filed as
    # "another file" would be shown to every reader of the dossier, past the document's
    # own rule.
    if stored.uploaded_by_id != actor.id or not db.session.scalar(
            sa.select(sa.exists().where(StoredFile.id == stored.id, unattached()))):
        raise ValidationFailed("invalid_file", _("Chỉ đưa vào hồ sơ tệp bạn vừa tải lên; văn bản đến, văn bản đi "
                                                 "hãy đưa vào bằng “Đưa vào hồ sơ”."), "file_id")
    title = _title(data.title, "title", _("Hãy nhập tên tài liệu."))
    if data.doc_date is None:
        raise ValidationFailed("required", _("Hãy nhập ngày của tài liệu (dd/mm/yyyy)."), "doc_date")
    item = DossierItem(dossier=dossier, kind="file", file_id=stored.id, title=title, author=clean(data.author),
                       doc_date=data.doc_date, ordinal=len(dossier.items) + 1,
                       page_count=data.page_count if data.page_count else _pdf_pages(stored),
                       added_by_id=actor.id, added_at=utcnow())
    db.session.add(item)
    _order_items(dossier)
    _event(dossier, "filed", actor, **_item_ref(item))
    audit(actor.organisation_id, actor, "records.file_filed", dossier, f"{dossier.notation}: {title}")
    return item


def _item_ref(item: DossierItem) -> dict[str, Any]:
    return {"kind": item.kind, "incoming_id": item.incoming_id, "outgoing_id": item.outgoing_id,
            "file_id": item.file_id, "ordinal": item.ordinal}


def remove_item(actor: User, item: DossierItem) -> None:
    dossier = item.dossier
    DOSSIER_LIFECYCLE.check(actor, dossier, "file")
    ref = _item_ref(item)
    dossier.items.remove(item)
    db.session.delete(item)
    _order_items(dossier)
    _event(dossier, "removed", actor, **ref)
    audit(actor.organisation_id, actor, "records.document_removed", dossier, dossier.notation, ref)


def item_files(item: DossierItem) -> list[StoredFile]:
    """The files an item stands for: an incoming document's originals, an outgoing
    document's bản lưu (or the signed file), the other file itself."""
    if item.kind == "incoming":
        doc = db.session.get(IncomingDocument, item.incoming_id)
        return [f.stored for f in doc.files if f.kind == "original"] if doc is not None else []
    if item.kind == "outgoing":
        out = db.session.get(OutgoingDocument, item.outgoing_id)
        stored = (out.issued_file or out.signed_file) if out is not None else None
        return [stored] if stored is not None else []
    return [item.file] if item.file is not None else []


def _manifest_of(item: DossierItem) -> list[dict[str, Any]]:
    return [{"file_id": f.id, "name": f.original_name, "sha256": f.sha256, "size": f.size} for f in item_files(item)]


def manifest_hash(dossier: Dossier) -> str:
    """SHA-256 over the manifests of the items in order (canonical JSON)."""
    manifests = [item.manifest for item in sorted(dossier.items, key=lambda i: i.ordinal)]
    payload = json.dumps(manifests, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(payload).hexdigest()


def close_dossier(actor: User, dossier: Dossier) -> Dossier:
    target = DOSSIER_LIFECYCLE.check(actor, dossier, "close")
    if not dossier.items:
        raise Conflict("dossier_empty", _("Hồ sơ chưa có văn bản nào, không kết thúc được."))
    for item in dossier.items:
        item.manifest = _manifest_of(item)
    dossier.manifest_sha256 = manifest_hash(dossier)
    dossier.status = target.value
    dossier.closed_at = utcnow()
    dossier.closed_by_id = actor.id
    _event(dossier, "closed", actor, manifest_sha256=dossier.manifest_sha256)
    audit(actor.organisation_id, actor, "records.dossier_closed", dossier,
          f"{dossier.notation} {dossier.title}", {"manifest_sha256": dossier.manifest_sha256})
    return dossier


def reopen_dossier(actor: User, dossier: Dossier, reason: str) -> Dossier:
    target = DOSSIER_LIFECYCLE.check(actor, dossier, "reopen")
    why = clean(reason)
    if not why:
        raise ValidationFailed("required", _("Hãy nêu lý do mở lại hồ sơ."), "reason")
    transfer = dossier.transfer
    if transfer is not None and transfer.status_enum is not TransferStatus.ANNOUNCED:
        raise Conflict("in_transfer", _("Hồ sơ đã nộp lưu, không mở lại được."))
    if transfer is not None:  # announced but not handed over: it leaves the transfer
        dossier.transfer = None
    dossier.status = target.value
    dossier.closed_at = None
    dossier.closed_by_id = None
    dossier.manifest_sha256 = ""
    for item in dossier.items:
        item.manifest = None
    _event(dossier, "reopened", actor, why)
    audit(actor.organisation_id, actor, "records.dossier_reopened", dossier, f"{dossier.notation}: {why}")
    if dossier.responsible_id != actor.id and dossier.responsible.active:
        notify(dossier.responsible, "records_reopened",
               _l("Hồ sơ %(n)s đã được mở lại: %(r)s", n=dossier.notation, r=why), link_of(dossier))
    return dossier


def verify_dossier(dossier: Dossier, *, quick: bool = False) -> list[str]:
    """What no longer matches a closed dossier's manifest: the manifest itself, a filed
    document now pointing at other files, or a file's bytes (sizes only, ``quick``)."""
    if dossier.status_enum not in (DossierStatus.CLOSED, DossierStatus.ARCHIVED):
        return []
    name = f"{dossier.notation} ({dossier.plan.year})"
    problems: list[str] = []
    if manifest_hash(dossier) != dossier.manifest_sha256:
        problems.append(f"dossier {name}: its manifest differs from the one fixed at closing")
    store = FileStore.from_app()
    for item in sorted(dossier.items, key=lambda i: i.ordinal):
        fixed = item.manifest or []
        now = [(f["file_id"], f["sha256"]) for f in _manifest_of(item)]
        if [(f.get("file_id"), f.get("sha256")) for f in fixed] != now:
            problems.append(f"dossier {name}: document {item.ordinal} now points at other files than at closing")
        for entry in fixed:
            path = store.path_for(str(entry.get("sha256", "")))
            if not path.is_file():
                problems.append(f"dossier {name}: document {item.ordinal}: file {entry.get('name')} is missing")
                continue
            if path.stat().st_size != entry.get("size"):
                problems.append(f"dossier {name}: document {item.ordinal}: file {entry.get('name')} changed size")
                continue
            if not quick:
                digest = hashlib.sha256()
                with path.open("rb") as handle:
                    for chunk in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(chunk)
                if digest.hexdigest() != entry.get("sha256"):
                    problems.append(f"dossier {name}: document {item.ordinal}: file {entry.get('name')} "
                                    "does not match its SHA-256 fixed at closing")
    return problems


# --- filing where the work is done ----------------------------------------------------------------

_WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(fold(text)) if len(w) > 2}


def _units_of(incoming: IncomingDocument | None, outgoing: OutgoingDocument | None) -> set[int]:
    if incoming is not None:
        return {a.assignee_unit_id for a in incoming.assignments if a.assignee_unit_id is not None}
    if outgoing is not None and outgoing.drafting_unit_id is not None:
        return {outgoing.drafting_unit_id}
    return set()


def suggestions(actor: User, *, incoming: IncomingDocument | None = None, outgoing: OutgoingDocument | None = None,
                limit: int = 5) -> list[Dossier]:
    """The person's open dossiers a document could go in, best first: the document's
    unit's, then those sharing most words with its subject, then the latest opened."""
    if (incoming is None) == (outgoing is None):
        raise ValueError("one document")
    subject = (incoming or outgoing).subject  # type: ignore[union-attr]
    held = {d.id for d in _holding(incoming, outgoing)}
    units = _units_of(incoming, outgoing) | ({actor.unit_id} if actor.unit_id else set())
    words = _words(subject)
    candidates = [d for d in my_open_dossiers(actor) if d.id not in held]

    def rank(d: Dossier) -> tuple:
        return (d.unit_id not in units, -len(words & _words(d.title)),
                -(d.opened_at.timestamp() if d.opened_at else 0), d.id)

    return sorted(candidates, key=rank)[:limit]


def _holding(incoming: IncomingDocument | None, outgoing: OutgoingDocument | None) -> list[Dossier]:
    column = DossierItem.incoming_id if incoming is not None else DossierItem.outgoing_id
    target = incoming.id if incoming is not None else outgoing.id  # type: ignore[union-attr]
    return list(db.session.scalars(sa.select(Dossier).join(DossierItem).where(column == target)))


def dossiers_of(actor: User, *, incoming: IncomingDocument | None = None,
                outgoing: OutgoingDocument | None = None) -> list[Dossier]:
    """The dossiers holding a document that this person may open."""
    return sorted((d for d in _holding(incoming, outgoing) if READ.allows(actor, d)),
                  key=lambda d: (-d.plan.year, d.number))


# --- transfer to the archive (nộp lưu) and lending ------------------------------------------------

def due_dossiers(actor: User, year: int) -> list[Dossier]:
    """Closed dossiers of a year's plan kept 5 years or more, not yet in a transfer."""
    if not is_archivist(actor):
        raise forbidden()
    return list(db.session.scalars(
        sa.select(Dossier).join(FilePlan, FilePlan.id == Dossier.plan_id)
        .where(Dossier.organisation_id == actor.organisation_id, FilePlan.year == year,
               Dossier.status == DossierStatus.CLOSED.value, Dossier.transfer_id.is_(None),
               sa.or_(Dossier.retention_years.is_(None), Dossier.retention_years >= TRANSFER_MIN_YEARS))
        .order_by(Dossier.number, Dossier.id)))


def announce_transfer(actor: User, data: TransferInput) -> list[ArchiveTransfer]:
    """The archive's notice: one transfer per person responsible, with the due date."""
    if not is_archivist(actor):
        raise forbidden()
    if data.year is None:
        raise ValidationFailed("required", _("Hãy chọn năm của hồ sơ."), "year")
    if data.due_date is None:
        raise ValidationFailed("required", _("Hãy nhập hạn nộp lưu (dd/mm/yyyy)."), "due_date")
    if data.due_date < vn_today():
        raise ValidationFailed("due_in_past", _("Hạn nộp lưu không được trước hôm nay."), "due_date")
    due = due_dossiers(actor, data.year)
    if not due:
        raise Conflict("nothing_due", _("Không có hồ sơ năm %(y)s đã kết thúc cần nộp lưu.", y=data.year), "year")
    by_person: dict[int, list[Dossier]] = {}
    for dossier in due:
        by_person.setdefault(dossier.responsible_id, []).append(dossier)
    made: list[ArchiveTransfer] = []
    for person_id, rows in by_person.items():
        person = db.session.get(User, person_id)
        assert person is not None
        title = clean(data.title) or _("Hồ sơ, tài liệu năm %(y)s của %(p)s", y=data.year, p=person.full_name)
        transfer = ArchiveTransfer(organisation_id=actor.organisation_id, year=data.year, giver_id=person.id,
                                   unit_id=person.unit_id, status=TransferStatus.ANNOUNCED.value,
                                   due_date=data.due_date, title=title[:255], announced_by_id=actor.id,
                                   announced_at=utcnow())
        db.session.add(transfer)
        for dossier in rows:
            dossier.transfer = transfer
        db.session.flush()
        for dossier in rows:
            _event(dossier, "announced", actor, transfer_id=transfer.id, due_date=data.due_date.isoformat())
        audit(actor.organisation_id, actor, "records.transfer_announced", transfer,
              _("%(n)s hồ sơ của %(p)s, hạn %(d)s", n=len(rows), p=person.full_name, d=format_date(data.due_date)))
        if person.active:
            notify(person, "records_transfer",
                   _l("Lưu trữ cơ quan đề nghị nộp lưu %(n)s hồ sơ năm %(y)s trước ngày %(d)s.",
                      n=len(rows), y=data.year, d=format_date(data.due_date)), transfer_link(transfer))
        made.append(transfer)
    return made


def remind_due_transfers(today: date | None = None) -> int:
    """Tell each person once, 30 days before the due date, of the dossiers they still
    have to hand over (every commune; the worker runs this)."""
    today = today or vn_today()
    due = list(db.session.scalars(
        sa.select(ArchiveTransfer).where(ArchiveTransfer.status == TransferStatus.ANNOUNCED.value,
                                         ArchiveTransfer.reminded_at.is_(None),
                                         ArchiveTransfer.due_date <= today + timedelta(days=REMINDER_DAYS))
        .order_by(ArchiveTransfer.id)))
    for transfer in due:
        transfer.reminded_at = utcnow()
        if transfer.giver.active:
            notify(transfer.giver, "records_transfer_due",
                   _l("Còn %(d)s ngày đến hạn nộp lưu %(n)s hồ sơ năm %(y)s (hạn %(due)s).",
                      d=max((transfer.due_date - today).days, 0), n=len(transfer.dossiers), y=transfer.year,
                      due=format_date(transfer.due_date)), transfer_link(transfer))
    return len(due)


def submit_transfer(actor: User, transfer: ArchiveTransfer) -> ArchiveTransfer:
    target = TRANSFER_LIFECYCLE.check(actor, transfer, "submit")
    if not transfer.dossiers:
        raise Conflict("transfer_empty", _("Đợt nộp lưu không còn hồ sơ nào."))
    transfer.status = target.value
    transfer.submitted_at = utcnow()
    for dossier in transfer.dossiers:
        _event(dossier, "submitted", actor, transfer_id=transfer.id)
    audit(actor.organisation_id, actor, "records.transfer_submitted", transfer, transfer.title)
    archivists = db.session.scalars(sa.select(User).where(User.organisation_id == actor.organisation_id,
                                                          User.active.is_(True)))
    for person in archivists:
        if is_archivist(person):
            notify(person, "records_transfer_submitted",
                   _l("%(p)s đã nộp lưu %(n)s hồ sơ năm %(y)s, chờ tiếp nhận.", p=actor.full_name,
                      n=len(transfer.dossiers), y=transfer.year), transfer_link(transfer))
    return transfer


def receive_transfer(actor: User, transfer: ArchiveTransfer, condition: str = "") -> ArchiveTransfer:
    """The archive receives: the dossiers become the archive's (archived)."""
    target = TRANSFER_LIFECYCLE.check(actor, transfer, "receive")
    now = utcnow()
    for dossier in transfer.dossiers:
        dossier.status = DOSSIER_LIFECYCLE.check(actor, dossier, "archive").value
        dossier.archived_at = now
        _event(dossier, "received", actor, transfer_id=transfer.id)
    transfer.status = target.value
    transfer.received_by_id = actor.id
    transfer.received_at = now
    transfer.condition = clean(condition)
    audit(actor.organisation_id, actor, "records.transfer_received", transfer, transfer.title)
    if transfer.giver.active:
        notify(transfer.giver, "records_transfer_received",
               _l("Lưu trữ cơ quan đã tiếp nhận %(n)s hồ sơ năm %(y)s bạn nộp lưu.",
                  n=len(transfer.dossiers), y=transfer.year), transfer_link(transfer))
    return transfer


def lend_dossier(actor: User, dossier: Dossier, data: LoanInput) -> DossierLoan:
    DOSSIER_LIFECYCLE.check(actor, dossier, "lend")
    if dossier.open_loan is not None:
        raise Conflict("already_lent", _("Hồ sơ đang cho %(p)s mượn.", p=dossier.open_loan.borrower.full_name))
    borrower = _colleague(actor, data.borrower_id, "borrower_id")
    if data.due_date is not None and data.due_date < vn_today():
        raise ValidationFailed("due_in_past", _("Hạn trả không được trước hôm nay."), "due_date")
    loan = DossierLoan(organisation_id=dossier.organisation_id, dossier=dossier, borrower_id=borrower.id,
                       purpose=clean(data.purpose)[:500], due_date=data.due_date, lent_by_id=actor.id,
                       lent_at=utcnow())
    db.session.add(loan)
    db.session.flush()
    _event(dossier, "lent", actor, data.purpose, borrower_id=borrower.id, borrower=borrower.full_name,
           due_date=data.due_date.isoformat() if data.due_date else None)
    audit(actor.organisation_id, actor, "records.dossier_lent", dossier, f"{dossier.notation} → {borrower.full_name}")
    notify(borrower, "records_loan", _l("Lưu trữ cơ quan cho bạn mượn hồ sơ %(n)s.", n=dossier.notation),
           link_of(dossier))
    return loan


def take_back(actor: User, dossier: Dossier) -> DossierLoan:
    DOSSIER_LIFECYCLE.check(actor, dossier, "take_back")
    loan = dossier.open_loan
    if loan is None:
        raise Conflict("not_lent", _("Hồ sơ không có ai đang mượn."))
    loan.returned_at = utcnow()
    loan.received_by_id = actor.id
    _event(dossier, "returned", actor, borrower_id=loan.borrower_id, borrower=loan.borrower.full_name)
    audit(actor.organisation_id, actor, "records.dossier_returned", dossier,
          f"{dossier.notation} ← {loan.borrower.full_name}")
    return loan


# --- for other modules ----------------------------------------------------------------------------

def organisation_of(obj: Any) -> Organisation:
    organisation = db.session.get(Organisation, obj.organisation_id)
    assert organisation is not None
    return organisation
