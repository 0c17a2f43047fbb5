"""Incoming documents: the rules, whichever door asks (web, API, edXML, CLI).

Every operation loads nothing itself beyond what it needs, checks permission and the
lifecycle table (``workflow.TRANSITIONS``), changes state, records history (timeline
and audit chain), notifies the people concerned and emits a signal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import BinaryIO, Protocol

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit.operations import readable_through, register_content_check
from ..core import signals
from ..core.access import find_scoped, principals_of, scoped
from ..core.errors import Conflict, ValidationFailed, forbidden, not_found
from ..core.permissions import Permission, Role
from ..core.text import clean, sorted_people, vn_sort_key
from ..core.timeutil import format_date, utcnow, vn_today
from ..delegation.access import delegators_of
from ..delegation.workflow import Power
from ..documents.calendar import add_working_days, holidays_of, is_working_day, working_days_between
from ..documents.history import add_event, register_event_labels
from ..documents.registers import Direction, register_for, take_number
from ..documents.types import TYPE_CODES, Confidentiality, Urgency
from ..extensions import db
from ..files.models import StoredFile
from ..files.operations import ACCESS_CHECKS
from ..files.sandbox import PdfInfo, check_upload
from ..files.store import DOCX_MIME, store_file
from ..notifications.operations import in_language_of, notify
from ..org.models import Unit, User
from .access import CONCERNS, HANDS_ON, LIFECYCLE, READ, acting_director, can_read, concerns
from .models import OWN_CHANNELS, Assignment, IncomingDocument, IncomingFile, ProgressNote
from .schemas import Assignee, Direction_, IncomingInput  # the inputs, defined with their limits
from .workflow import HANDLING, OPEN_STATUSES, Status

DIRECTION = Direction.INCOMING.value
DUE_SOON_WORKING_DAYS = 2

# Scans and documents a commune receives; XML arrives through the exchange, not here.
INCOMING_MIME = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "image/jpeg", "image/png", "image/tiff",
}


# Files a scanner makes; a PDF counts as scanned when its pages carry no text layer.
SCAN_MIME = {"image/jpeg", "image/png", "image/tiff"}


@dataclass
class Upload:
    stream: BinaryIO | bytes
    name: str


# --- reading (the rule itself lives in access.py) ---------------------------------------

NOT_FOUND = _l("Không tìm thấy văn bản hoặc bạn không có quyền xem.")


def get_readable(user: User, document_id: object) -> IncomingDocument:
    return READ.get(user, document_id, str(NOT_FOUND))


def file_access(user: User, stored: StoredFile) -> bool:
    """Registered with the file store: a file attached to a document I may read."""
    docs = db.session.scalars(
        READ.select(user).join(IncomingFile).where(IncomingFile.stored_file_id == stored.id).limit(1))
    return docs.first() is not None


def _require_readable(user: User, doc: IncomingDocument) -> None:
    """Whoever may not open a document may do nothing with it, and learns nothing of it."""
    if not can_read(user, doc):
        raise not_found(str(NOT_FOUND))


def _require(user: User, permission: Permission) -> None:
    if not user.can(permission):
        raise forbidden()


# --- registering -------------------------------------------------------------------------

CONFIDENTIAL_REFUSAL = _l(
    "Văn bản mật không được đưa lên hệ thống: chỉ ghi số đến, ngày đến, nơi gửi và "
    "người giữ bản giấy. Không đính kèm tệp, không ghi trích yếu hay nội dung."
)


def _validate(data: IncomingInput, today: date) -> IncomingInput:
    data.sender_name = clean(data.sender_name)
    data.number_symbol = clean(data.number_symbol).replace(" ", "")
    data.subject = clean(data.subject)
    data.signer = clean(data.signer)
    data.field = clean(data.field)
    data.paper_holder = clean(data.paper_holder)
    data.sender_organ_id = clean(data.sender_organ_id)
    if not data.sender_name:
        raise ValidationFailed("required", _("Hãy nhập cơ quan, tổ chức gửi văn bản."),
                               "sender_name")
    if data.doc_type not in TYPE_CODES:
        raise ValidationFailed("invalid_type", _("Loại văn bản không hợp lệ."), "doc_type")
    try:
        Urgency(data.urgency)
    except ValueError:
        raise ValidationFailed("invalid_urgency", _("Độ khẩn không hợp lệ."), "urgency") from None
    try:
        Confidentiality(data.confidentiality)
    except ValueError:
        raise ValidationFailed("invalid_confidentiality", _("Độ mật không hợp lệ."),
                               "confidentiality") from None
    data.arrival_date = data.arrival_date or today
    if data.arrival_date > today:
        raise ValidationFailed("future_date", _("Ngày đến không thể sau hôm nay."), "arrival_date")
    if data.arrival_date < today - timedelta(days=366):
        raise ValidationFailed("too_old", _("Ngày đến quá xa trong quá khứ."), "arrival_date")
    if data.issue_date is not None:
        if data.issue_date > data.arrival_date:
            raise ValidationFailed(
                "issue_after_arrival", _("Ngày văn bản không thể sau ngày đến."), "issue_date")
        if data.issue_date.year < 1945:
            raise ValidationFailed("impossible_date", _("Ngày văn bản không hợp lệ."), "issue_date")
    if data.sender_due_date is not None and data.issue_date is not None \
            and data.sender_due_date < data.issue_date:
        raise ValidationFailed(
            "due_before_issue", _("Hạn trả lời không thể trước ngày văn bản."), "sender_due_date")
    return data


def _store_checked(actor: User, upload: Upload) -> tuple[StoredFile, int | None]:
    stored, info = _store_inspected(actor, upload)
    return stored, info.pages if stored.mime == "application/pdf" else None


def _store_inspected(actor: User, upload: Upload) -> tuple[StoredFile, PdfInfo]:
    """Store one upload after checking it by content (PDFs and DOCX in the sandbox)."""
    stored = store_file(upload.stream, upload.name, organisation_id=actor.organisation_id,
                        uploaded_by_id=actor.id, allowed=INCOMING_MIME)
    info = check_upload(stored, field="files", want_text=True)
    if stored.mime == "application/pdf":
        # The text is in hand: the search index reuses it instead of reading the PDF again.
        signals.file_text_extracted.send(stored, session=db.session, sha256=stored.sha256,
                                         text=info.text, pages=info.pages)
    return stored, info


def file_medium(stored: StoredFile, info: PdfInfo) -> str:
    """Born digital (electronic) or scanned from paper (scan), as far as the file tells:
    an image is a scan; a PDF is a scan when its pages carry no text layer (the text the
    sandbox read while checking it); a Word file is electronic."""
    if stored.mime in SCAN_MIME:
        return "scan"
    if stored.mime == "application/pdf":
        return "electronic" if info.text.strip() else "scan"
    return "electronic" if stored.mime == DOCX_MIME else "scan"


def _medium(data: IncomingInput, confidential: bool, inspected: list[tuple[StoredFile, PdfInfo]]) -> str:
    """How the document reached the commune, for the paperless figures: a confidential
    entry is paper and an edXML one electronic whatever was said; an upload is what the
    clerk chose, else what its first file (the document; the others are annexes) tells;
    a paper registered before it is scanned counts as a scan."""
    if confidential:
        return "paper"
    if data.channel == "edxml":
        return "electronic"
    if data.medium is not None:
        return data.medium
    return file_medium(*inspected[0]) if inspected else "scan"


def _enter_register(actor: User, arrival_date: date, confidential: bool, **entry) -> IncomingDocument:
    """The one way into the sổ đến: the register of the arrival year, its next number
    (taken inside this transaction, so a refusal later gives it back), the entry.
    Registration of what arrived from outside (upload, paper, edXML) comes through here;
    it checks first who may."""
    register = register_for(actor.organisation_id, Direction.INCOMING, arrival_date.year, confidential)
    return _enter(actor, arrival_date, register_id=register.id, arrival_number=take_number(register),
                  **entry)


def _enter_own(actor: User, arrival_date: date, **entry) -> IncomingDocument:
    """The commune's own document delivered to its units, or a task it gives itself: it
    reaches the queues like an arrived document but is not entered in the sổ đến and
    takes no số đến (the schema allows that only for channels ``OWN_CHANNELS``)."""
    assert entry.get("channel") in OWN_CHANNELS
    return _enter(actor, arrival_date, **entry)


def _enter(actor: User, arrival_date: date, **entry) -> IncomingDocument:
    doc = IncomingDocument(organisation_id=actor.organisation_id, arrival_date=arrival_date,
                           registered_by_id=actor.id, **entry)
    db.session.add(doc)
    db.session.flush()
    return doc


def _entry_of(data: IncomingInput) -> dict:
    """Every input field that is a column of the register entry, copied as loaded: a new
    field needs only the model, its migration and the schema (and the pages showing it)."""
    columns = IncomingDocument.__table__.columns.keys()
    return {f.name: getattr(data, f.name) for f in fields(data)
            if f.name in columns and f.name != "arrival_date"}


def find_duplicates(actor: User, data: IncomingInput) -> list[IncomingDocument]:
    if not data.number_symbol or data.issue_date is None:
        return []
    return list(db.session.scalars(
        scoped(IncomingDocument, actor).where(
            IncomingDocument.sender_name == data.sender_name,
            IncomingDocument.number_symbol == data.number_symbol,
            IncomingDocument.issue_date == data.issue_date,
        )
    ))


def register_incoming(actor: User, data: IncomingInput, uploads: Sequence[Upload] = ()) -> IncomingDocument:
    """Register (vào sổ) an arrived document and give it the next số đến of the year."""
    _require(actor, Permission.REGISTER_INCOMING)
    data = _validate(data, vn_today())
    confidential = Confidentiality(data.confidentiality).is_confidential
    if confidential:
        if uploads or data.subject or data.signer or data.field:
            raise ValidationFailed("confidential_no_content", str(CONFIDENTIAL_REFUSAL),
                                   "files" if uploads else "subject")
        if not data.paper_holder:
            raise ValidationFailed("required", _("Hãy ghi người đang giữ bản giấy."),
                                   "paper_holder")
    elif not data.subject:
        raise ValidationFailed("required", _("Hãy nhập trích yếu nội dung."), "subject")
    if not data.allow_duplicate and (dups := find_duplicates(actor, data)):
        raise Conflict(
            "duplicate_suspected",
            _("Văn bản số %(ns)s ngày %(d)s của %(s)s đã vào sổ (số đến %(n)s). "
              "Nếu đúng là văn bản khác, hãy xác nhận đăng ký tiếp.",
              ns=data.number_symbol, d=format_date(data.issue_date), s=data.sender_name,
              n=", ".join(d.arrival_label for d in dups)),
            "number_symbol",
        )
    inspected = [_store_inspected(actor, u) for u in uploads]
    assert data.arrival_date is not None  # _validate gives today when none is given
    entry = _entry_of(data)
    pages = sum(info.pages for stored, info in inspected if stored.mime == "application/pdf")
    entry.update(
        page_count=data.page_count or pages or None,
        channel="paper" if confidential else data.channel,
        medium=_medium(data, confidential, inspected),
        status=(Status.PAPER if confidential else Status.REGISTERED).value,
    )
    doc = _enter_register(actor, data.arrival_date, confidential, **entry)
    for stored, _info in inspected:
        doc.files.append(IncomingFile(stored_file_id=stored.id, kind="original",
                                      added_by_id=actor.id))
    add_event(doc, DIRECTION, actor, "registered", to_status=doc.status,
              comment=_("Vào sổ đến số %(n)s", n=doc.arrival_label),
              data={"files": len(inspected), "medium": doc.medium})
    db.session.flush()
    signals.incoming_registered.send(doc)
    return doc


def attach_files(actor: User, doc: IncomingDocument, uploads: list[Upload]) -> list[IncomingFile]:
    """Add scans to a registered document (the paper arrived before the scanner)."""
    _require_readable(actor, doc)
    _require(actor, Permission.REGISTER_INCOMING)
    if doc.is_confidential:
        raise ValidationFailed("confidential_no_content", str(CONFIDENTIAL_REFUSAL), "files")
    if not uploads:
        raise ValidationFailed("required", _("Hãy chọn tệp."), "files")
    added = []
    for upload in uploads:
        stored, _pages = _store_checked(actor, upload)
        added.append(IncomingFile(stored_file_id=stored.id, kind="original",
                                  added_by_id=actor.id))
    doc.files.extend(added)
    add_event(doc, DIRECTION, actor, "files_added",
              comment=", ".join(f.stored.original_name for f in added if f.stored) or "")
    db.session.flush()
    signals.incoming_changed.send(doc)
    return added


def transfer_paper(actor: User, doc: IncomingDocument, holder: str, comment: str = "") -> None:
    """Record who now holds the paper of a confidential document."""
    _require_readable(actor, doc)
    _require(actor, Permission.VIEW_CONFIDENTIAL)
    if not doc.is_confidential:
        raise ValidationFailed("not_confidential", _("Chỉ dùng cho văn bản mật."), "holder")
    holder = clean(holder)
    if not holder:
        raise ValidationFailed("required", _("Hãy ghi người nhận bản giấy."), "holder")
    old = doc.paper_holder
    doc.paper_holder = holder
    add_event(doc, DIRECTION, actor, "paper_transferred", comment=clean(comment),
              data={"from": old, "to": holder})


def receive_internal(actor: User, outgoing, stored: StoredFile, assignees: list[Assignee]) -> IncomingDocument:
    """An outgoing document issued to our own units or people arrives in their incoming
    queue at once, handed to them for information (a leader may still direct it for
    action). It did not arrive from outside: no entry in the sổ đến, no số đến; its
    sender is the issuing unit of the commune."""
    _require(actor, Permission.ISSUE_OUTGOING)
    org_name = outgoing.drafter.organisation.name
    unit = outgoing.drafting_unit
    sender = f"{unit.name}, {org_name}" if unit is not None else org_name
    doc = _enter_own(
        actor, outgoing.issued_on,
        sender_name=sender[:255], number_symbol=outgoing.number_symbol, issue_date=outgoing.issued_on,
        doc_type=outgoing.doc_type, subject=outgoing.subject,
        signer=outgoing.signer.full_name if outgoing.signer else "", urgency=outgoing.urgency,
        sender_due_date=outgoing.due_date, channel="internal", status=Status.ASSIGNED.value,
        # what the commune issued on paper reaches its units as the scan of that paper
        medium="scan" if outgoing.medium == "paper" else "electronic",
    )
    doc.files.append(IncomingFile(stored_file_id=stored.id, kind="original", added_by_id=actor.id))
    seen = set()
    for a in assignees:
        _resolve(actor, a, "recipients")
        if a.token in seen:
            continue
        seen.add(a.token)
        doc.assignments.append(Assignment(role="info", assignee_user_id=a.user_id,
                                          assignee_unit_id=a.unit_id, assigned_by_id=actor.id))
    db.session.flush()
    add_event(doc, DIRECTION, actor, "received_internal", to_status=doc.status,
              comment=_("Văn bản nội bộ %(s)s", s=outgoing.number_symbol),
              data={"outgoing_id": outgoing.id})
    _notify_assignees(doc, doc.assignments)
    signals.incoming_registered.send(doc)
    return doc


def mark_recalled(actor: User, document_id: int, number_symbol: str, reason: str) -> None:
    """The issuer recalled the document: every recipient sees it, with the reason."""
    doc = find_scoped(IncomingDocument, document_id, actor)
    if doc is None:
        return
    add_event(doc, DIRECTION, actor, "recalled_by_sender",
              comment=_("Văn bản %(s)s đã bị thu hồi: %(r)s", s=number_symbol, r=reason))
    for a in doc.active_assignments:
        for person in _people(a):
            notify(person, "incoming.recalled",
                   _l("Văn bản %(s)s đã bị thu hồi: %(r)s", s=number_symbol, r=reason[:200]),
                   _link(doc))
    signals.incoming_changed.send(doc)


# --- submitting and directing -------------------------------------------------------------

def leaders_of(organisation_id: int) -> list[User]:
    users = db.session.scalars(
        sa.select(User).where(User.organisation_id == organisation_id, User.active.is_(True))
    )
    return [u for u in users if u.has_role(Role.LEADER)]


def submit(actor: User, doc: IncomingDocument, leader_id: int | None = None, comment: str = "") -> None:
    """Trình: put the document before a leader (or all leaders) for direction."""
    target = LIFECYCLE.check(actor, doc, "submit")
    leaders = leaders_of(doc.organisation_id)
    if leader_id is not None:
        leaders = [u for u in leaders if u.id == leader_id]
        if not leaders:
            raise ValidationFailed("invalid_leader", _("Người nhận trình phải là lãnh đạo."),
                                   "leader_id")
    old = doc.status
    doc.status = target.value
    doc.submitted_to_id = leaders[0].id if leader_id is not None else None
    add_event(doc, DIRECTION, actor, "submitted", from_status=old, to_status=doc.status,
              comment=clean(comment), data={"leaders": [u.id for u in leaders]})
    for leader in leaders:
        notify(leader, "incoming.submitted",
               _l("Văn bản đến số %(n)s chờ chỉ đạo: %(s)s", n=doc.arrival_label, s=doc.subject[:200]),
               _link(doc))
    signals.incoming_changed.send(doc)


def _resolve(actor: User, assignee: Assignee, field_name: str) -> Assignee:
    if assignee.user_id is not None:
        user = find_scoped(User, assignee.user_id, actor)
        if user is None or not user.active:
            raise ValidationFailed("invalid_assignee", _("Người được giao không thuộc cơ quan."),
                                   field_name)
    else:
        unit = find_scoped(Unit, assignee.unit_id, actor)
        if unit is None:
            raise ValidationFailed("invalid_assignee", _("Đơn vị được giao không thuộc cơ quan."),
                                   field_name)
    return assignee


def _deadline(actor: User, direction: Direction_, start: date) -> date | None:
    if direction.deadline is not None and direction.deadline_working_days is not None:
        raise ValidationFailed("deadline_twice", _("Chỉ chọn hạn theo ngày hoặc theo số ngày làm việc."),
                               "deadline")
    if direction.deadline_working_days is not None:  # 1–365: DirectionSchema
        return add_working_days(start, direction.deadline_working_days,
                                holidays_of(actor.organisation_id, start))
    if direction.deadline is not None and direction.deadline < start:
        raise ValidationFailed("past_deadline", _("Hạn giải quyết không thể trước hôm nay."),
                               "deadline")
    return direction.deadline


def _make_assignments(actor: User, doc: IncomingDocument, direction: Direction_) -> list[Assignment]:
    main = _resolve(actor, direction.main, "main")
    co = [_resolve(actor, a, "co") for a in direction.co]
    info = [_resolve(actor, a, "info") for a in direction.info]
    tokens = [main.token] + [a.token for a in co]
    if len(set(tokens)) != len(tokens):
        raise ValidationFailed("duplicate_assignee",
                               _("Một người (đơn vị) không thể vừa chủ trì vừa phối hợp."), "co")
    deadline = _deadline(actor, direction, vn_today())
    created = []
    for role, people in (("main", [main]), ("co", co), ("info", info)):
        for a in people:
            assignment = Assignment(
                role=role, assignee_user_id=a.user_id,
                assignee_unit_id=a.unit_id, deadline=deadline if role != "info" else None,
                assigned_by_id=actor.id,
            )
            doc.assignments.append(assignment)
            created.append(assignment)
    doc.deadline = deadline
    doc.direction_text = clean(direction.text)
    db.session.flush()
    return created


def direct(actor: User, doc: IncomingDocument, direction: Direction_) -> list[Assignment]:
    """Chỉ đạo: a leader assigns the main handler, co-handlers, for-information, deadline.
    A document put before one leader is theirs to direct — or, while they are away, the
    leader's they delegated direction to, who acts in their name (recorded as such)."""
    target = LIFECYCLE.check(actor, doc, "direct")
    acting = acting_director(actor, doc)
    old = doc.status
    created = _make_assignments(actor, doc, direction)
    doc.status = target.value
    add_event(doc, DIRECTION, actor, "directed", from_status=old, to_status=doc.status,
              comment=doc.direction_text, data=_assignment_data(created, doc), on_behalf=acting)
    _notify_assignees(doc, created)
    if acting is not None:
        notify(acting.delegator, "incoming.directed_for_you",
               _l("%(name)s đã chỉ đạo thay bạn (ủy quyền) %(doc)s: %(s)s", name=actor.full_name,
                  doc=_named(doc), s=doc.subject[:200]), _link(doc))
    signals.incoming_changed.send(doc)
    return created


class TaskOrigin(Protocol):
    """Where a task the commune gives itself comes from (an agenda item's conclusion)."""

    def may_give_tasks(self, user: User) -> bool: ...

    def task_entry(self, text: str) -> dict:
        """The entry's sender_name, issue_date, subject, signer and channel ("meeting")."""
        ...


def register_task(actor: User, origin: TaskOrigin, text: str, direction: Direction_) -> IncomingDocument:
    """A task the commune gives itself: not an arrived document, so not in the sổ đến and
    without a số đến, but assigned at once by the person who records it, through the same
    assignments, queues and reminders as a directed document. Who may give it is the
    origin's rule, asked here so that no door can skip it."""
    if not origin.may_give_tasks(actor):
        raise forbidden()
    doc = _enter_own(actor, vn_today(), doc_type="thong_bao", status=Status.REGISTERED.value,
                     medium="electronic", **origin.task_entry(text))
    created = _make_assignments(actor, doc, direction)
    doc.status = Status.ASSIGNED.value
    add_event(doc, DIRECTION, actor, "task_assigned", from_status=Status.REGISTERED.value,
              to_status=doc.status, comment=doc.direction_text, data=_assignment_data(created, doc))
    _notify_assignees(doc, created)
    signals.incoming_registered.send(doc)
    return doc


def reassign(actor: User, doc: IncomingDocument, direction: Direction_, reason: str = "") -> list[Assignment]:
    target = LIFECYCLE.check(actor, doc, "reassign")
    now = utcnow()
    for a in doc.active_assignments:
        a.superseded_at = now
    old = doc.status
    created = _make_assignments(actor, doc, direction)
    doc.status = target.value
    add_event(doc, DIRECTION, actor, "reassigned", from_status=old, to_status=doc.status,
              comment=clean(reason) or doc.direction_text, data=_assignment_data(created, doc))
    _notify_assignees(doc, created)
    signals.incoming_changed.send(doc)
    return created


def delegate(actor: User, assignment: Assignment, user_id: int) -> Assignment:
    """A head of unit hands the unit's assignment to one of its people."""
    doc = assignment.document
    if (assignment.assignee_unit_id is None or assignment.superseded_at is not None
            or assignment.assignee_user_id is not None):
        raise Conflict("not_delegable", _("Phần việc này không giao cho đơn vị."))
    if assignment not in delegable_assignments(actor, doc):
        raise forbidden(_("Chỉ trưởng đơn vị được giao mới phân công tiếp."))
    person = find_scoped(User, user_id, actor)
    if person is None or person.unit_id != assignment.assignee_unit_id or not person.active:
        raise ValidationFailed("invalid_assignee", _("Người được giao phải thuộc đơn vị."), "user_id")
    assignment.assignee_user_id = person.id
    add_event(doc, DIRECTION, actor, "delegated",
              comment=_("Giao %(name)s", name=person.full_name),
              data={"assignment": assignment.id, "user": person.id})
    _notify_assignees(doc, [assignment])
    signals.incoming_changed.send(doc)  # who may read it changed: the unit → one person
    return assignment


def _assignment_data(created: list[Assignment], doc: IncomingDocument) -> dict:
    return {
        "deadline": doc.deadline.isoformat() if doc.deadline else None,
        "assignments": [{"role": a.role, "user": a.assignee_user_id, "unit": a.assignee_unit_id}
                        for a in created],
    }


def _people(assignment: Assignment) -> list[User]:
    if assignment.assignee_user_id is not None:
        user = assignment.assignee_user or db.session.get(User, assignment.assignee_user_id)
        return [user] if user else []
    unit = assignment.assignee_unit or db.session.get(Unit, assignment.assignee_unit_id)
    members = [u for u in (unit.members if unit else []) if u.active]
    heads = [u for u in members if u.has_role(Role.HEAD_OF_UNIT)]
    return heads or members


ROLE_WORDS = {"main": _l("chủ trì"), "co": _l("phối hợp"), "info": _l("để biết")}


def _named(doc: IncomingDocument) -> str:
    """How a message names the document: by its số đến, or — the commune's own, which has
    none — as an internal document with its number and symbol, or as a task."""
    if doc.in_register:
        return _("Văn bản đến số %(n)s", n=doc.arrival_label)
    if doc.channel == "internal":
        return _("Văn bản nội bộ %(s)s", s=doc.number_symbol)
    return _("Việc giao")


def _notify_assignees(doc: IncomingDocument, assignments: list[Assignment]) -> None:
    for a in assignments:
        for person in _people(a):
            notify(person, f"incoming.assigned.{a.role}",
                   _l("%(doc)s giao bạn (%(role)s): %(s)s", doc=_named(doc),
                     role=str(ROLE_WORDS[a.role]), s=doc.subject[:200]),
                   _link(doc))


# --- handling -----------------------------------------------------------------------------

def my_assignments(user: User, doc: IncomingDocument) -> list[Assignment]:
    return [a for a in doc.active_assignments if concerns(user, a)]


def _handler_assignment(actor: User, doc: IncomingDocument, *, main_only: bool) -> Assignment:
    mine = [a for a in my_assignments(actor, doc) if a.role in (("main",) if main_only else ("main", "co"))]
    if not mine:
        raise forbidden(_("Chỉ người chủ trì giải quyết mới thực hiện được thao tác này.") if main_only
                        else _("Bạn không được giao giải quyết văn bản này."), "not_handler")
    return mine[0]


def add_progress(actor: User, doc: IncomingDocument, text: str, uploads: Sequence[Upload] = ()) -> ProgressNote:
    """A progress note (and result files) from someone handling the document."""
    _require_readable(actor, doc)
    if doc.status_enum not in (Status.ASSIGNED, Status.IN_PROGRESS):
        raise Conflict("invalid_state", _("Văn bản không ở trạng thái đang giải quyết."))
    assignment = _handler_assignment(actor, doc, main_only=False)
    text = clean(text)
    if not text:
        raise ValidationFailed("required", _("Hãy nhập nội dung tiến độ."), "text")
    note = ProgressNote(document_id=doc.id, author_id=actor.id, text=text)
    db.session.add(note)
    for upload in uploads:
        stored, _pages = _store_checked(actor, upload)
        doc.files.append(IncomingFile(stored_file_id=stored.id, kind="result",
                                      added_by_id=actor.id))
    now = utcnow()
    if assignment.started_at is None:
        assignment.started_at = now
    old = doc.status
    if assignment.role == "main" and doc.status_enum is Status.ASSIGNED:
        doc.status = Status.IN_PROGRESS.value
    add_event(doc, DIRECTION, actor, "progress", from_status=old, to_status=doc.status, comment=text,
              data={"files": len(uploads)})
    db.session.flush()
    signals.incoming_changed.send(doc)
    return note


def complete(actor: User, doc: IncomingDocument, summary: str = "", uploads: Sequence[Upload] = ()) -> None:
    """Mark my part done; when the main handler completes, the document is done."""
    _require_readable(actor, doc)
    assignment = _handler_assignment(actor, doc, main_only=False)
    if assignment.done_at is not None:
        raise Conflict("already_done", _("Bạn đã báo hoàn thành phần việc này."))
    summary = clean(summary)
    if assignment.role == "main":
        LIFECYCLE.check(actor, doc, "complete")
        if not summary:
            raise ValidationFailed("required", _("Hãy ghi kết quả giải quyết."), "summary")
    for upload in uploads:
        stored, _pages = _store_checked(actor, upload)
        doc.files.append(IncomingFile(stored_file_id=stored.id, kind="result",
                                      added_by_id=actor.id))
    now = utcnow()
    assignment.done_at = now
    assignment.started_at = assignment.started_at or now
    old = doc.status
    if assignment.role == "main":
        doc.status = Status.DONE.value
        doc.completed_at = now
        doc.result_summary = summary
        action = "completed"
    else:
        action = "part_completed"
    add_event(doc, DIRECTION, actor, action, from_status=old, to_status=doc.status, comment=summary)
    if doc.status_enum is Status.DONE and doc.registered_by is not None:
        notify(doc.registered_by, "incoming.completed",
               _l("%(doc)s đã giải quyết xong.", doc=_named(doc)), _link(doc))
    db.session.flush()
    signals.incoming_changed.send(doc)


def return_to_sender(actor: User, doc: IncomingDocument, reason: str) -> None:
    """Trả lại: the document is not for us or not acceptable; the reason goes back."""
    target = LIFECYCLE.check(actor, doc, "return_to_sender")
    reason = clean(reason)
    if not reason:
        raise ValidationFailed("required", _("Hãy ghi lý do trả lại."), "reason")
    old = doc.status
    doc.status = target.value
    add_event(doc, DIRECTION, actor, "returned", from_status=old, to_status=doc.status, comment=reason)
    signals.incoming_changed.send(doc)


# --- what a person may do here (asked by the doors, so none re-implements a rule) ----------

def delegable_assignments(user: User, doc: IncomingDocument) -> list[Assignment]:
    """The unit assignments this user may hand to one of the unit's people."""
    if not can_read(user, doc):
        return []
    return [a for a in doc.active_assignments
            if a.assignee_unit_id is not None and a.assignee_user_id is None and HANDS_ON.allows(user, a)]


def available_actions(user: User, doc: IncomingDocument) -> frozenset[str]:
    """The actions the operations above would accept from this user on this document now:
    submit, direct, reassign, return_to_sender, delegate, progress, complete,
    attach_files, transfer_paper."""
    if not can_read(user, doc):
        return frozenset()
    if doc.is_confidential:
        return frozenset({"transfer_paper"} if user.can(Permission.VIEW_CONFIDENTIAL) else ())
    actions = LIFECYCLE.available(user, doc, ("submit", "direct", "reassign", "return_to_sender"))
    if user.can(Permission.REGISTER_INCOMING):
        actions.add("attach_files")
    handling = doc.status_enum in HANDLING
    if handling and delegable_assignments(user, doc):
        actions.add("delegate")
    mine = [a for a in my_assignments(user, doc) if a.role in ("main", "co")]
    if handling and mine:
        actions.add("progress")
        if mine[0].done_at is None:
            actions.add("complete")
    return frozenset(actions)


def assignable(user: User, *, leaders: bool = False) -> tuple[list[User], list[Unit]]:
    """People and units of the user's organisation a direction may name: active people who
    handle documents, so not the administrator's account and, unless `leaders`, not the
    commune's leaders (they direct; an outgoing document's recipients may include them).
    People come in Vietnamese list order, units by their Vietnamese name."""
    people = [u for u in db.session.scalars(scoped(User, user).where(User.active.is_(True)))
              if u.can(Permission.HANDLE_ASSIGNED) and (leaders or not u.has_role(Role.LEADER))]
    units = sorted(db.session.scalars(scoped(Unit, user)), key=lambda u: vn_sort_key(u.name))
    return sorted_people(people), units


# --- queues -------------------------------------------------------------------------------

@dataclass
class QueueEntry:
    document: IncomingDocument
    assignment: Assignment
    deadline: date | None
    days_left: int | None  # working days; negative = overdue


@dataclass
class Queue:
    new: list[QueueEntry] = field(default_factory=list)
    in_progress: list[QueueEntry] = field(default_factory=list)
    due_soon: list[QueueEntry] = field(default_factory=list)
    overdue: list[QueueEntry] = field(default_factory=list)
    for_information: list[QueueEntry] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return len(self.new) + len(self.in_progress)


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One open assignment of a queue, light as a tuple: enough to sort it into the tabs
    and count them; its document is loaded only when it is shown (``queue_entries``)."""

    assignment_id: int
    role: str
    started: bool
    deadline: date | None
    assigned_at: datetime


@dataclass
class QueueOverview:
    """A person's queue by tab, counted in full, without the documents (a head of unit at
    province scale has hundreds of open assignments; a page shows a few)."""

    today: date
    holidays: set[date]
    new: list[QueueRow] = field(default_factory=list)
    in_progress: list[QueueRow] = field(default_factory=list)
    due_soon: list[QueueRow] = field(default_factory=list)
    overdue: list[QueueRow] = field(default_factory=list)
    for_information: list[QueueRow] = field(default_factory=list)


def due_soon_until(today: date, holidays: set[date]) -> date:
    """The last day a deadline may fall on and still be "due soon": at most
    DUE_SOON_WORKING_DAYS working days after ``today``."""
    day, count = today, 0
    while True:
        following = day + timedelta(days=1)
        after = count + (1 if is_working_day(following, holidays) else 0)
        if after > DUE_SOON_WORKING_DAYS:
            return day
        day, count = following, after


def queue_overview(user: User, today: date | None = None) -> QueueOverview:
    """What this person has to handle, by state and urgency of the deadline: one query of
    plain columns, in the queue's order (deadline first, none last)."""
    today = today or vn_today()
    overview = QueueOverview(today, holidays_of(user.organisation_id, today))
    soon = due_soon_until(today, overview.holidays)
    rows = db.session.execute(
        sa.select(Assignment.id, Assignment.role, Assignment.started_at, Assignment.deadline, Assignment.assigned_at)
        .join(IncomingDocument)
        .where(CONCERNS.clause(principals_of(user)), Assignment.superseded_at.is_(None),
               Assignment.done_at.is_(None), READ.clause(user),
               IncomingDocument.status.in_([s.value for s in OPEN_STATUSES]))
        .order_by(Assignment.deadline.is_(None), Assignment.deadline, Assignment.id)
    )
    for assignment_id, role, started_at, deadline, assigned_at in rows:
        row = QueueRow(assignment_id, role, started_at is not None, deadline, assigned_at)
        if role == "info":
            overview.for_information.append(row)
            continue
        (overview.in_progress if row.started else overview.new).append(row)
        if deadline is not None and deadline < today:
            overview.overdue.append(row)
        elif deadline is not None and deadline <= soon:
            overview.due_soon.append(row)
    return overview


def queue_entries(overview: QueueOverview, rows: Iterable[QueueRow]) -> dict[int, QueueEntry]:
    """The shown rows with their documents (one query), by assignment id."""
    ids = {r.assignment_id for r in rows}
    if not ids:
        return {}
    found = db.session.scalars(
        sa.select(Assignment).join(IncomingDocument).where(Assignment.id.in_(ids))
        .options(sa.orm.contains_eager(Assignment.document)))
    return {a.id: QueueEntry(a.document, a, a.deadline,
                             working_days_between(overview.today, a.deadline, overview.holidays)
                             if a.deadline else None)
            for a in found}


def queue_for(user: User, today: date | None = None) -> Queue:
    """The whole queue with its documents (the API); pages show a part of it through
    ``queue_overview`` and ``queue_entries``."""
    overview = queue_overview(user, today)
    entries = queue_entries(overview, overview.new + overview.in_progress + overview.for_information)
    return Queue(**{name: [entries[r.assignment_id] for r in getattr(overview, name) if r.assignment_id in entries]
                    for name in ("new", "in_progress", "due_soon", "overdue", "for_information")})


def awaiting_direction(user: User) -> list[IncomingDocument]:
    """Submitted documents this leader may direct: those put before every leader, before
    them, or before a leader whose direction they hold by a running delegation (those are
    ``submitted_to`` someone else: the pages mark them "Ủy quyền của …")."""
    if not user.can(Permission.DIRECT_INCOMING):
        return []
    leaders = [user.id, *delegators_of(user, Power.DIRECT)]
    return list(db.session.scalars(
        READ.select(user).where(IncomingDocument.status == Status.SUBMITTED.value,
                                sa.or_(IncomingDocument.submitted_to_id.is_(None),
                                       IncomingDocument.submitted_to_id.in_(leaders),
                                       IncomingDocument.submitted_to_id.in_(_no_longer_leading(user))))
        .order_by(IncomingDocument.arrival_date, IncomingDocument.arrival_number)
    ))


def _no_longer_leading(user: User) -> sa.Select:
    """People of the commune whose account was closed: what waits for them, any leader directs."""
    return sa.select(User.id).where(User.organisation_id == user.organisation_id, User.active.is_(False))


def delegated_from(user: User, doc: IncomingDocument) -> User | None:
    """The leader in whose name ``user`` would direct this document (for the "Ủy quyền
    của …" mark), or None."""
    acting = acting_director(user, doc)
    return acting.delegator if acting is not None else None


def list_documents(user: User, *, year: int | None = None, status: str | None = None,
                   overdue: bool = False, q: str = "", limit: int = 200, offset: int = 0) -> list[IncomingDocument]:
    """Documents this user may read, newest first (the overview for clerks and leaders):
    the access rule is part of the query, so every page holds exactly what may be opened."""
    query = READ.select(user)
    if year:  # the register's year is the arrival year; own entries have no register
        query = query.where(IncomingDocument.arrival_date.between(date(year, 1, 1), date(year, 12, 31)))
    if status:
        query = query.where(IncomingDocument.status == status)
    if overdue:
        query = query.where(IncomingDocument.deadline < vn_today(),
                            IncomingDocument.status.in_([s.value for s in OPEN_STATUSES]))
    if q:
        like = f"%{clean(q)}%"
        query = query.where(sa.or_(IncomingDocument.subject.ilike(like),
                                   IncomingDocument.number_symbol.ilike(like),
                                   IncomingDocument.sender_name.ilike(like)))
    query = query.order_by(IncomingDocument.arrival_date.desc(), IncomingDocument.id.desc())
    return list(db.session.scalars(query.limit(limit).offset(offset)))


# --- the register (sổ đến) ----------------------------------------------------------------

def register_documents(user: User, year: int, confidential: bool = False) -> list[IncomingDocument]:
    _require(user, Permission.REGISTER_INCOMING if not user.can(Permission.VIEW_ALL_DOCUMENTS)
             else Permission.VIEW_ALL_DOCUMENTS)
    if confidential:
        _require(user, Permission.VIEW_CONFIDENTIAL)
    register = register_for(user.organisation_id, Direction.INCOMING, year, confidential)
    return list(db.session.scalars(
        sa.select(IncomingDocument).where(IncomingDocument.register_id == register.id)
        .order_by(IncomingDocument.arrival_number)
    ))


# --- reminders ----------------------------------------------------------------------------

def send_reminders(today: date | None = None, mailer=None) -> int:
    """In-app (and e-mail, when SMTP is configured) reminders one working day before and
    on the deadline. Idempotent: each reminder is sent once per assignment."""
    today = today or vn_today()
    now = utcnow()
    sent = 0
    rows = db.session.scalars(
        sa.select(Assignment).join(IncomingDocument).where(
            Assignment.superseded_at.is_(None), Assignment.done_at.is_(None),
            Assignment.deadline.is_not(None), Assignment.role != "info",
            IncomingDocument.status.in_([s.value for s in OPEN_STATUSES]),
        )
    )
    for a in rows:
        doc, deadline = a.document, a.deadline
        assert deadline is not None  # the query asks for one
        holidays = holidays_of(doc.organisation_id, today)
        left = working_days_between(today, deadline, holidays)
        if left <= 0 and a.reminded_due_at is None:
            title = (_l("Văn bản đến số %(n)s đã quá hạn giải quyết (%(d)s)", n=doc.arrival_label,
                        d=deadline.strftime("%d/%m/%Y")) if deadline < today else
                     _l("Hôm nay là hạn giải quyết văn bản đến số %(n)s", n=doc.arrival_label))
            a.reminded_due_at = now
            a.reminded_before_at = a.reminded_before_at or now
        elif left == 1 and a.reminded_before_at is None:
            title = _l("Còn 1 ngày làm việc để giải quyết văn bản đến số %(n)s", n=doc.arrival_label)
            a.reminded_before_at = now
        else:
            continue
        if not doc.in_register:  # no số đến to name it by
            title = _l("Nhắc hạn giải quyết %(d)s: %(doc)s", d=deadline.strftime("%d/%m/%Y"), doc=_named(doc))
        for person in _people(a):
            notify(person, "incoming.reminder", _l("%(title)s: %(subject)s", title=title, subject=doc.subject[:150]),
                   _link(doc))
            if mailer is not None and person.email:
                with in_language_of(person):
                    heading = str(title)
                mailer(person.email, heading, f"{heading}\n\n{doc.subject}")
            sent += 1
    return sent


def _link(doc: IncomingDocument) -> str:
    # Stored in notifications and e-mails: a stable path, valid outside a request too.
    return f"/incoming/{doc.id}"



ACCESS_CHECKS.append(file_access)
# The audit log shows an entry's summary about a document to those who may open it.
register_content_check("incoming_document", readable_through(READ))


# The timeline's words for the events written above.
EVENT_LABELS = {
    "registered": _l("Vào sổ đến"),
    "files_added": _l("Thêm tệp"),
    "paper_transferred": _l("Chuyển bản giấy"),
    "submitted": _l("Trình lãnh đạo"),
    "directed": _l("Chỉ đạo, phân công"),
    "reassigned": _l("Phân công lại"),
    "delegated": _l("Giao tiếp trong đơn vị"),
    "progress": _l("Cập nhật tiến độ"),
    "part_completed": _l("Hoàn thành phần phối hợp"),
    "completed": _l("Hoàn thành"),
    "returned": _l("Trả lại nơi gửi"),
    "received_internal": _l("Nhận văn bản nội bộ"),
    "task_assigned": _l("Giao việc từ kết luận cuộc họp"),
    "recalled_by_sender": _l("Nơi ban hành thu hồi"),
}
register_event_labels(DIRECTION, EVENT_LABELS)
