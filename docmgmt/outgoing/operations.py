"""Outgoing documents: drafting, review, signature, numbering, issuance, recall.

Every operation checks permission and the lifecycle table (``workflow.TRANSITIONS``),
changes state, records history (timeline and audit chain), notifies the people
concerned and emits a signal. The number is taken inside the issuing transaction, so
a failed issuance (a signing error, a crash) rolls the counter back with everything
else: no number is ever burnt, and none is given twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core import signals
from ..core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from ..core.permissions import Permission, Role
from ..core.text import clean
from ..core.timeutil import utcnow, vn_today
from ..documents.history import add_event
from ..documents.registers import Direction, register_for, take_number
from ..documents.types import BY_CODE, TYPE_CODES, Confidentiality, Urgency
from ..extensions import db
from ..files.models import StoredFile
from ..files.operations import ACCESS_CHECKS
from ..files.store import DOCX_MIME, FileStore, store_file
from ..notifications.operations import notify
from ..org.models import Organisation, Unit, User
from .models import DraftVersion, OutgoingDocument, Recipient, ReviewStep
from .workflow import DRAFTER, EDITABLE, REVIEWER, TRANSITIONS, Status

DIRECTION = Direction.OUTGOING.value
DRAFT_MIME = {"application/pdf", DOCX_MIME}


@dataclass
class Upload:
    stream: BinaryIO | bytes
    name: str


@dataclass
class RecipientInput:
    """``unit:3``, ``u:12`` or an outside organisation (name and edXML OrganId)."""

    token: str = ""
    organ_name: str = ""
    organ_id: str = ""


@dataclass
class DraftInput:
    doc_type: str = "cong_van"
    subject: str = ""
    urgency: str = Urgency.NORMAL.value
    due_date: date | None = None
    recipients: list[RecipientInput] = field(default_factory=list)
    signer_id: int | None = None  # the leader expected to sign
    body: list[str] = field(default_factory=list)  # for a draft built from a template


# --- reading ---------------------------------------------------------------------------------

def can_read(user: User, doc: OutgoingDocument) -> bool:
    if doc.organisation_id != user.organisation_id or not user.active:
        return False
    if doc.is_confidential:
        return user.can(Permission.VIEW_CONFIDENTIAL)
    if user.can(Permission.VIEW_ALL_DOCUMENTS) or user.id in (doc.drafter_id, doc.signer_id):
        return True
    if any(step.reviewer_id == user.id for step in doc.steps):
        return True
    if (user.has_role(Role.HEAD_OF_UNIT) and doc.drafting_unit_id is not None
            and user.unit_id == doc.drafting_unit_id):
        return True
    if doc.status_enum in (Status.ISSUED, Status.RECALLED):
        return any((r.kind == "user" and r.user_id == user.id)
                   or (r.kind == "unit" and r.unit_id is not None and r.unit_id == user.unit_id)
                   for r in doc.recipients)
    return False


def get_readable(user: User, document_id: int) -> OutgoingDocument:
    doc = db.session.get(OutgoingDocument, document_id)
    if doc is None or not can_read(user, doc):
        raise NotFound("not_found", _("Không tìm thấy văn bản hoặc bạn không có quyền xem."))
    return doc


def file_access(user: User, stored: StoredFile) -> bool:
    """Registered with the file store: versions, signed and issued files of documents I may read."""
    docs = db.session.scalars(
        sa.select(OutgoingDocument).where(sa.or_(
            OutgoingDocument.signed_file_id == stored.id,
            OutgoingDocument.issued_file_id == stored.id,
            OutgoingDocument.id.in_(sa.select(DraftVersion.document_id).where(sa.or_(
                DraftVersion.source_file_id == stored.id, DraftVersion.pdf_file_id == stored.id))),
        ))
    )
    return any(can_read(user, d) for d in docs)


ACCESS_CHECKS.append(file_access)


def _forbidden() -> PermissionDenied:
    return PermissionDenied("forbidden", _("Bạn không có quyền thực hiện thao tác này."))


def _check(user: User, doc: OutgoingDocument, action: str) -> Status:
    sources, target, who = TRANSITIONS[action]
    if who is DRAFTER:
        allowed = user.id == doc.drafter_id
    elif who is REVIEWER:
        step = doc.current_step
        allowed = (step is not None and step.reviewer_id == user.id) or (
            doc.status_enum is Status.APPROVED and user.id == doc.signer_id)
    else:
        allowed = user.can(who)  # type: ignore[arg-type]
    if not allowed or doc.organisation_id != user.organisation_id:
        raise _forbidden()
    if doc.status_enum not in sources:
        raise Conflict(
            "invalid_state",
            _("Văn bản đang ở trạng thái “%(s)s”, không thể thực hiện thao tác này.",
              s=doc.status_enum.label),
        )
    return target


def available_actions(user: User, doc: OutgoingDocument) -> frozenset[str]:
    """What the operations would accept from this user now (the doors show only these)."""
    actions = set()
    for action in TRANSITIONS:
        try:
            _check(user, doc, action)
        except DomainError:
            continue
        actions.add(action)
    if "sign" in actions and user.id != doc.signer_id:
        actions.discard("sign")
    return frozenset(actions)


# --- drafting ----------------------------------------------------------------------------------

def _validate(data: DraftInput) -> DraftInput:
    data.subject = clean(data.subject)
    if data.doc_type not in TYPE_CODES:
        raise ValidationFailed("invalid_type", _("Loại văn bản không hợp lệ."), "doc_type")
    if not data.subject:
        raise ValidationFailed("required", _("Hãy nhập trích yếu nội dung."), "subject")
    if len(data.subject) > 2000:
        raise ValidationFailed("too_long", _("Trích yếu quá dài (tối đa 2000 ký tự)."), "subject")
    try:
        Urgency(data.urgency)
    except ValueError:
        raise ValidationFailed("invalid_urgency", _("Độ khẩn không hợp lệ."), "urgency") from None
    if data.due_date is not None and data.due_date < vn_today():
        raise ValidationFailed("past_date", _("Hạn trả lời không thể trước hôm nay."), "due_date")
    data.body = [clean(p) for p in data.body]
    return data


def _signer(actor: User, signer_id: int | None) -> User | None:
    if signer_id is None:
        return None
    signer = db.session.get(User, signer_id)
    if (signer is None or signer.organisation_id != actor.organisation_id or not signer.active
            or not signer.can(Permission.APPROVE_OUTGOING)):
        raise ValidationFailed("invalid_signer", _("Người ký phải là lãnh đạo của cơ quan."),
                               "signer_id")
    return signer


def _recipients(actor: User, items: list[RecipientInput]) -> list[Recipient]:
    result = []
    for item in items:
        kind, _sep, ident = clean(item.token).partition(":")
        if kind == "unit" and ident.isdigit():
            unit = db.session.get(Unit, int(ident))
            if unit is None or unit.organisation_id != actor.organisation_id:
                raise ValidationFailed("invalid_recipient", _("Đơn vị nhận không thuộc cơ quan."),
                                       "recipients")
            result.append(Recipient(kind="unit", unit_id=unit.id))
        elif kind in ("u", "user") and ident.isdigit():
            person = db.session.get(User, int(ident))
            if person is None or person.organisation_id != actor.organisation_id:
                raise ValidationFailed("invalid_recipient", _("Người nhận không thuộc cơ quan."),
                                       "recipients")
            result.append(Recipient(kind="user", user_id=person.id))
        elif clean(item.organ_name):
            result.append(Recipient(kind="external", organ_name=clean(item.organ_name),
                                    organ_id=clean(item.organ_id)))
        else:
            raise ValidationFailed("invalid_recipient", _("Nơi nhận không hợp lệ."), "recipients")
    return result


def create_draft(actor: User, data: DraftInput, upload: Upload | None = None) -> OutgoingDocument:
    """Start a draft from an uploaded DOCX/PDF, or from the NĐ30 template of its type."""
    if not actor.can(Permission.DRAFT_OUTGOING):
        raise _forbidden()
    data = _validate(data)
    signer = _signer(actor, data.signer_id)
    doc = OutgoingDocument(
        organisation_id=actor.organisation_id, doc_type=data.doc_type, subject=data.subject,
        drafting_unit_id=actor.unit_id, drafter_id=actor.id,
        signer_id=signer.id if signer else None, urgency=data.urgency, due_date=data.due_date,
    )
    doc.recipients = _recipients(actor, data.recipients)
    db.session.add(doc)
    db.session.flush()
    if upload is None:
        from .drafting import template_docx

        upload = Upload(template_docx(actor, doc, data.body, signer),
                        f"{BY_CODE[doc.doc_type].name} - dự thảo.docx")
    _add_version(actor, doc, upload, _("Dự thảo đầu tiên"))
    add_event(doc, DIRECTION, actor, "drafted", to_status=doc.status,
              comment=doc.subject[:300])
    signals.outgoing_changed.send(doc)
    return doc


def _add_version(actor: User, doc: OutgoingDocument, upload: Upload, note: str) -> DraftVersion:
    stored = store_file(upload.stream, upload.name, organisation_id=actor.organisation_id,
                        uploaded_by_id=actor.id, allowed=DRAFT_MIME)
    version = DraftVersion(number=len(doc.versions) + 1, source_file_id=stored.id,
                           note=clean(note), created_by_id=actor.id)
    if stored.mime == "application/pdf":
        from ..files.sandbox import inspect_pdf

        info = inspect_pdf(FileStore.from_app().path_for(stored.sha256))
        if not info.ok:
            raise ValidationFailed("pdf_invalid", _("Tệp PDF không đọc được hoặc bị hỏng."), "file")
        version.pdf_file_id = stored.id
    else:
        version.pdf_file_id = _render(actor, stored)
    doc.versions.append(version)
    db.session.flush()
    return version


def _render(actor: User, docx: StoredFile) -> int | None:
    """The PDF of a DOCX, when LibreOffice is installed; None otherwise (the drafter is
    then asked for a PDF upload)."""
    from .render import RenderFailed, RenderUnavailable, docx_to_pdf

    try:
        pdf = docx_to_pdf(FileStore.from_app().path_for(docx.sha256).read_bytes())
    except RenderUnavailable:
        return None
    except RenderFailed as exc:
        raise ValidationFailed("render_failed", _("Không chuyển được tệp Word sang PDF: %(e)s", e=str(exc)),
                               "file") from exc
    name = docx.original_name.rsplit(".", 1)[0] + ".pdf"
    return store_file(pdf, name, organisation_id=actor.organisation_id,
                      uploaded_by_id=actor.id, allowed={"application/pdf"}).id


def add_version(actor: User, doc: OutgoingDocument, upload: Upload, note: str = "") -> DraftVersion:
    """Every upload is a new version; earlier versions stay readable."""
    _check(actor, doc, "new_version")
    version = _add_version(actor, doc, upload, note)
    add_event(doc, DIRECTION, actor, "new_version", comment=clean(note),
              data={"version": version.number})
    signals.outgoing_changed.send(doc)
    return version


# --- review ------------------------------------------------------------------------------------

def _head_of(unit_id: int | None, organisation_id: int) -> User | None:
    if unit_id is None:
        return None
    heads = db.session.scalars(sa.select(User).where(
        User.organisation_id == organisation_id, User.unit_id == unit_id, User.active.is_(True)))
    return next((u for u in heads if u.has_role(Role.HEAD_OF_UNIT)), None)


def submit(actor: User, doc: OutgoingDocument, signer_id: int | None = None, comment: str = "") -> None:
    """Trình duyệt: head of the drafting unit first (if the unit says so), then the leader."""
    target = _check(actor, doc, "submit")
    version = doc.current_version
    if version is None or version.pdf_file_id is None:
        raise ValidationFailed(
            "pdf_required",
            _("Chưa có bản PDF của dự thảo (máy chủ chưa cài LibreOffice để chuyển tệp Word). "
              "Hãy tải lên bản PDF."), "file")
    signer = _signer(actor, signer_id) if signer_id is not None else doc.signer
    if signer is None:
        raise ValidationFailed("invalid_signer", _("Hãy chọn lãnh đạo ký văn bản."), "signer_id")
    doc.signer_id = signer.id
    round_ = max((s.round for s in doc.steps), default=0) + 1
    unit = db.session.get(Unit, doc.drafting_unit_id) if doc.drafting_unit_id else None
    head = _head_of(doc.drafting_unit_id, doc.organisation_id)
    if unit is not None and unit.review_by_head and head is not None and head.id not in (actor.id, signer.id):
        doc.steps.append(ReviewStep(round=round_, kind="head_of_unit", reviewer_id=head.id,
                                    version_number=version.number))
    doc.steps.append(ReviewStep(round=round_, kind="leader", reviewer_id=signer.id,
                                version_number=version.number))
    old = doc.status
    doc.status = target.value
    db.session.flush()
    add_event(doc, DIRECTION, actor, "submitted", from_status=old, to_status=doc.status,
              comment=clean(comment), data={"round": round_, "version": version.number})
    _notify_reviewer(doc)
    signals.outgoing_changed.send(doc)


def _notify_reviewer(doc: OutgoingDocument) -> None:
    step = doc.current_step
    if step is not None:
        notify(step.reviewer, "outgoing.review",
               _("Dự thảo chờ bạn duyệt: %(s)s", s=doc.subject[:200]), _link(doc))


def approve(actor: User, doc: OutgoingDocument, comment: str = "") -> None:
    _check(actor, doc, "approve")
    step = doc.current_step
    assert step is not None
    step.decision, step.comment, step.decided_at = "approved", clean(comment), utcnow()
    old = doc.status
    if doc.current_step is None:
        doc.status = Status.APPROVED.value
        notify(doc.drafter, "outgoing.approved",
               _("Dự thảo đã được duyệt: %(s)s", s=doc.subject[:200]), _link(doc))
    else:
        _notify_reviewer(doc)
    add_event(doc, DIRECTION, actor, "approved", from_status=old, to_status=doc.status,
              comment=step.comment, data={"step": step.kind, "round": step.round})
    signals.outgoing_changed.send(doc)


def return_draft(actor: User, doc: OutgoingDocument, comment: str) -> None:
    """Trả lại: back to the drafter with comments; the round's open steps are closed."""
    target = _check(actor, doc, "return")
    comment = clean(comment)
    if not comment:
        raise ValidationFailed("required", _("Hãy ghi ý kiến để người soạn thảo sửa."), "comment")
    step = doc.current_step
    if step is not None:
        step.decision, step.comment, step.decided_at = "returned", comment, utcnow()
        for later in [s for s in doc.steps if s.decision is None]:
            doc.steps.remove(later)
    old = doc.status
    doc.status = target.value
    add_event(doc, DIRECTION, actor, "returned", from_status=old, to_status=doc.status, comment=comment)
    notify(doc.drafter, "outgoing.returned",
           _("Dự thảo bị trả lại: %(s)s", s=doc.subject[:200]), _link(doc))
    signals.outgoing_changed.send(doc)


# --- signing, numbering, issuance ------------------------------------------------------------

def _signing_error(exc: Exception) -> DomainError:
    code = getattr(exc, "code", "signing_failed")
    message = getattr(exc, "message_vi", None) or getattr(exc, "message", None) or str(exc)
    return DomainError(code, _("Ký số không thành công: %(m)s", m=message), status=502)


def sign(actor: User, doc: OutgoingDocument) -> StoredFile:
    """The leader signs the approved PDF (a certification signature that still allows
    the clerk to fill in the number and date at issuance)."""
    target = _check(actor, doc, "sign")
    if actor.id != doc.signer_id:
        raise PermissionDenied("not_signer", _("Chỉ lãnh đạo được trình ký mới ký văn bản này."))
    from ..signing.prepare import prepare_for_issuance
    from ..signing.signer import sign_as_leader

    version = doc.current_version
    assert version is not None and version.pdf_file is not None
    pdf = FileStore.from_app().path_for(version.pdf_file.sha256).read_bytes()
    try:
        signed = sign_as_leader(prepare_for_issuance(pdf), actor)
    except Exception as exc:
        if type(exc).__name__ != "SigningError":
            raise
        raise _signing_error(exc) from exc
    stored = store_file(signed, f"{BY_CODE[doc.doc_type].name} - đã ký.pdf",
                        organisation_id=doc.organisation_id, uploaded_by_id=actor.id,
                        allowed={"application/pdf"})
    doc.signed_file_id = stored.id
    old = doc.status
    doc.status = target.value
    add_event(doc, DIRECTION, actor, "signed", from_status=old, to_status=doc.status,
              data={"version": version.number})
    for clerk in _clerks(doc.organisation_id):
        notify(clerk, "outgoing.signed",
               _("Văn bản đã ký, chờ cấp số và phát hành: %(s)s", s=doc.subject[:200]), _link(doc))
    signals.outgoing_changed.send(doc)
    return stored


def format_number_symbol(number: int, doc_type: str, org: Organisation, unit: Unit | None) -> str:
    """NĐ30: ``05/QĐ-UBND``; for công văn (no type abbreviation) ``12/UBND-VP``."""
    abbreviation = BY_CODE[doc_type].abbreviation
    if abbreviation:
        return f"{number:02d}/{abbreviation}-{org.abbreviation}"
    return f"{number:02d}/{org.abbreviation}-{unit.abbreviation}" if unit else f"{number:02d}/{org.abbreviation}"


def issue(actor: User, doc: OutgoingDocument, issued_on: date | None = None) -> OutgoingDocument:
    """Cấp số, ký số của cơ quan, phát hành — in one transaction.

    The number is taken as late as possible (just before it is written into the PDF),
    so the counter row is locked for the shortest time; any failure after that rolls
    the number back with the transaction.
    """
    target = _check(actor, doc, "issue")
    from ..signing.signer import fill_number, sign_as_organisation

    issued_on = issued_on or vn_today()
    if issued_on > vn_today():
        raise ValidationFailed("future_date", _("Ngày ban hành không thể sau hôm nay."), "issued_on")
    assert doc.signed_file is not None
    signed = FileStore.from_app().path_for(doc.signed_file.sha256).read_bytes()
    org = db.session.get(Organisation, doc.organisation_id)
    register = register_for(doc.organisation_id, Direction.OUTGOING, issued_on.year, doc.is_confidential)
    number = take_number(register)
    symbol = format_number_symbol(number, doc.doc_type, org, doc.drafting_unit)
    try:
        final = sign_as_organisation(fill_number(signed, symbol, issued_on), org, number_symbol=symbol)
    except Exception as exc:
        if type(exc).__name__ != "SigningError":
            raise
        raise _signing_error(exc) from exc
    stored = store_file(final, f"{symbol.replace('/', '-')}.pdf", organisation_id=doc.organisation_id,
                        uploaded_by_id=actor.id, allowed={"application/pdf"})
    doc.register_id, doc.number, doc.number_symbol = register.id, number, symbol
    doc.issued_on, doc.issued_at, doc.issued_by_id = issued_on, utcnow(), actor.id
    doc.issued_file_id = stored.id
    doc.retained_by = doc.retained_by or _("Văn thư")
    old = doc.status
    doc.status = target.value
    add_event(doc, DIRECTION, actor, "issued", from_status=old, to_status=doc.status,
              comment=_("Cấp số %(s)s", s=symbol), data={"number": number, "symbol": symbol})
    _distribute(actor, doc, stored)
    db.session.flush()
    signals.outgoing_issued.send(doc)
    return doc


def _distribute(actor: User, doc: OutgoingDocument, stored: StoredFile) -> None:
    """Internal recipients find it in their incoming queue at once; outside recipients
    are queued for the provincial exchange."""
    from ..incoming.operations import Assignee, receive_internal

    internal = [r for r in doc.recipients if r.kind in ("unit", "user")]
    if internal:
        incoming = receive_internal(
            actor, doc, stored,
            [Assignee(unit_id=r.unit_id) if r.kind == "unit" else Assignee(user_id=r.user_id)
             for r in internal],
        )
        for r in internal:
            r.incoming_document_id = incoming.id
    now = utcnow()
    for r in doc.recipients:
        if r.kind == "external":
            r.exchange_status, r.exchange_updated_at = "queued", now


def recall(actor: User, doc: OutgoingDocument, reason: str) -> None:
    """Thu hồi: every recipient sees the recall and its reason."""
    target = _check(actor, doc, "recall")
    reason = clean(reason)
    if not reason:
        raise ValidationFailed("required", _("Hãy ghi lý do thu hồi."), "reason")
    old = doc.status
    doc.status = target.value
    doc.recalled_at, doc.recall_reason = utcnow(), reason
    add_event(doc, DIRECTION, actor, "recalled", from_status=old, to_status=doc.status, comment=reason)
    from ..incoming.operations import mark_recalled

    for incoming_id in {r.incoming_document_id for r in doc.recipients if r.incoming_document_id}:
        mark_recalled(actor, incoming_id, doc.number_symbol, reason)
    signals.outgoing_recalled.send(doc)


# --- lists -----------------------------------------------------------------------------------

def _clerks(organisation_id: int) -> list[User]:
    users = db.session.scalars(sa.select(User).where(
        User.organisation_id == organisation_id, User.active.is_(True)))
    return [u for u in users if u.can(Permission.ISSUE_OUTGOING)]


def to_review(user: User) -> list[OutgoingDocument]:
    """Drafts whose current review step is this person's."""
    candidates = db.session.scalars(
        sa.select(OutgoingDocument).join(ReviewStep).where(
            OutgoingDocument.organisation_id == user.organisation_id,
            OutgoingDocument.status == Status.REVIEWING.value,
            ReviewStep.reviewer_id == user.id, ReviewStep.decision.is_(None))
        .order_by(OutgoingDocument.id)
    ).unique()
    return [d for d in candidates if d.current_step is not None and d.current_step.reviewer_id == user.id]


def to_sign(user: User) -> list[OutgoingDocument]:
    return list(db.session.scalars(sa.select(OutgoingDocument).where(
        OutgoingDocument.organisation_id == user.organisation_id,
        OutgoingDocument.status == Status.APPROVED.value, OutgoingDocument.signer_id == user.id)))


def to_issue(user: User) -> list[OutgoingDocument]:
    if not user.can(Permission.ISSUE_OUTGOING):
        return []
    return list(db.session.scalars(sa.select(OutgoingDocument).where(
        OutgoingDocument.organisation_id == user.organisation_id,
        OutgoingDocument.status == Status.SIGNED.value).order_by(OutgoingDocument.id)))


def my_drafts(user: User) -> list[OutgoingDocument]:
    return list(db.session.scalars(sa.select(OutgoingDocument).where(
        OutgoingDocument.drafter_id == user.id,
        OutgoingDocument.status.in_([s.value for s in EDITABLE | {Status.REVIEWING, Status.APPROVED,
                                                                   Status.SIGNED}]))
        .order_by(OutgoingDocument.id.desc())))


def list_documents(user: User, *, year: int | None = None, status: str | None = None,
                   limit: int = 200, offset: int = 0) -> list[OutgoingDocument]:
    query = sa.select(OutgoingDocument).where(OutgoingDocument.organisation_id == user.organisation_id)
    if not user.can(Permission.VIEW_CONFIDENTIAL):
        query = query.where(OutgoingDocument.confidentiality == Confidentiality.NONE.value)
    if status:
        query = query.where(OutgoingDocument.status == status)
    if year:
        query = query.where(sa.extract("year", OutgoingDocument.created_at) == year)
    docs = db.session.scalars(query.order_by(OutgoingDocument.id.desc()).limit(limit * 3).offset(offset))
    return [d for d in docs if can_read(user, d)][:limit]


def register_documents(user: User, year: int, confidential: bool = False) -> list[OutgoingDocument]:
    """The sổ đi of a year, in number order."""
    if not (user.can(Permission.ISSUE_OUTGOING) or user.can(Permission.VIEW_ALL_DOCUMENTS)):
        raise _forbidden()
    if confidential and not user.can(Permission.VIEW_CONFIDENTIAL):
        raise _forbidden()
    register = register_for(user.organisation_id, Direction.OUTGOING, year, confidential)
    return list(db.session.scalars(sa.select(OutgoingDocument).where(
        OutgoingDocument.register_id == register.id).order_by(OutgoingDocument.number)))


def _link(doc: OutgoingDocument) -> str:
    return f"/outgoing/{doc.id}"


ACTION_LABELS = {
    "drafted": _l("Tạo dự thảo"), "new_version": _l("Phiên bản mới"), "submitted": _l("Trình duyệt"),
    "approved": _l("Duyệt"), "returned": _l("Trả lại"), "signed": _l("Lãnh đạo ký số"),
    "issued": _l("Cấp số, phát hành"), "recalled": _l("Thu hồi"),
}
