"""Outgoing documents: drafting, review, signature, numbering, issuance, recall.

Every operation checks permission and the lifecycle table (``workflow.TRANSITIONS``),
changes state, records history (timeline and audit chain), notifies the people
concerned and emits a signal. The number is taken inside the issuing transaction, so
a failed issuance (a signing error, a crash) rolls the counter back with everything
else: no number is ever burnt, and none is given twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit.operations import readable_through, register_content_check
from ..core import signals
from ..core.access import find_scoped
from ..core.errors import DomainError, ValidationFailed, forbidden
from ..core.permissions import Permission, Role
from ..core.text import clean
from ..core.timeutil import utcnow, vn_today
from ..delegation.access import delegators_of, running_on
from ..delegation.models import Delegation
from ..delegation.workflow import Power
from ..documents.history import add_event, register_event_labels
from ..documents.registers import Direction, register_for, take_number
from ..documents.types import BY_CODE, TYPE_CODES, Urgency
from ..extensions import db
from ..files.models import StoredFile
from ..files.operations import ACCESS_CHECKS
from ..files.sandbox import check_upload
from ..files.store import DOCX_MIME, FileStore, store_file
from ..incoming.operations import Assignee, mark_recalled, receive_internal
from ..notifications.operations import notify
from ..org.models import Organisation, Unit, User
from ..signing import signer  # called as signer.…: a test may stand in for the signing device
from ..signing.errors import SigningError
from ..signing.prepare import SignatureBlock, prepare_for_issuance
from .access import LIFECYCLE, READ, acting_reviewer, acting_signer, can_read
from .drafting import signature_lines, template_docx
from .models import BY_POST, DraftVersion, OutgoingDocument, Recipient, ReviewStep
from .render import RenderFailed, RenderUnavailable, docx_to_pdf
from .schemas import DraftInput, RecipientInput  # the inputs, defined with their limits
from .workflow import EDITABLE, Status

DIRECTION = Direction.OUTGOING.value
DRAFT_MIME = {"application/pdf", DOCX_MIME}


@dataclass
class Upload:
    stream: BinaryIO | bytes
    name: str


# --- reading (the rule itself lives in access.py) ------------------------------------------

NOT_FOUND = _l("Không tìm thấy văn bản hoặc bạn không có quyền xem.")


def get_readable(user: User, document_id: object) -> OutgoingDocument:
    return READ.get(user, document_id, str(NOT_FOUND))


def file_access(user: User, stored: StoredFile) -> bool:
    """Registered with the file store: versions, signed and issued files of documents I may read."""
    docs = db.session.scalars(
        READ.select(user).where(sa.or_(
            OutgoingDocument.signed_file_id == stored.id,
            OutgoingDocument.issued_file_id == stored.id,
            OutgoingDocument.id.in_(sa.select(DraftVersion.document_id).where(sa.or_(
                DraftVersion.source_file_id == stored.id, DraftVersion.pdf_file_id == stored.id))),
        )).limit(1)
    )
    return docs.first() is not None


ACCESS_CHECKS.append(file_access)
# The audit log shows an entry's summary about a document to those who may open it.
register_content_check("outgoing_document", readable_through(READ))


def available_actions(user: User, doc: OutgoingDocument) -> frozenset[str]:
    """What the operations would accept from this user now (the doors show only these):
    new_version, submit, approve, return, sign, issue, issue_on_paper, recall."""
    if not can_read(user, doc):
        return frozenset()
    return frozenset(LIFECYCLE.available(user, doc))


# --- drafting ----------------------------------------------------------------------------------

def _validate(data: DraftInput) -> DraftInput:
    data.subject = clean(data.subject)
    if data.doc_type not in TYPE_CODES:
        raise ValidationFailed("invalid_type", _("Loại văn bản không hợp lệ."), "doc_type")
    if not data.subject:
        raise ValidationFailed("required", _("Hãy nhập trích yếu nội dung."), "subject")
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
    signer = find_scoped(User, signer_id, actor)
    if (signer is None or not signer.active
            or not signer.can(Permission.APPROVE_OUTGOING)):
        raise ValidationFailed("invalid_signer", _("Người ký phải là lãnh đạo của cơ quan."),
                               "signer_id")
    return signer


def _recipients(actor: User, items: list[RecipientInput]) -> list[Recipient]:
    result = []
    for item in items:
        kind, _sep, ident = clean(item.token).partition(":")
        if kind == "unit" and (ident.isdecimal() and len(ident) <= 18):
            unit = find_scoped(Unit, ident, actor)
            if unit is None:
                raise ValidationFailed("invalid_recipient", _("Đơn vị nhận không thuộc cơ quan."),
                                       "recipients")
            result.append(Recipient(kind="unit", unit_id=unit.id))
        elif kind in ("u", "user") and (ident.isdecimal() and len(ident) <= 18):
            person = find_scoped(User, ident, actor)
            if person is None:
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
        raise forbidden()
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
        # While the signer is away, the draft prints the block of whom they delegated
        # signature to (checked again at signature).
        away = _signing_delegation(signer) if signer is not None else None
        upload = Upload(template_docx(actor, doc, data.body, signer, away),
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
    check_upload(stored)  # a hostile or broken PDF/DOCX is refused before any rendering
    if stored.mime == "application/pdf":
        version.pdf_file_id = stored.id
    else:
        version.pdf_file_id = _render(actor, stored)
    doc.versions.append(version)
    db.session.flush()
    return version


def _render(actor: User, docx: StoredFile) -> int | None:
    """The PDF of a DOCX, when LibreOffice is installed; None otherwise (the drafter is
    then asked for a PDF upload)."""
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
    LIFECYCLE.check(actor, doc, "new_version")
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
    target = LIFECYCLE.check(actor, doc, "submit")
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
               _l("Dự thảo chờ bạn duyệt: %(s)s", s=doc.subject[:200]), _link(doc))


def approve(actor: User, doc: OutgoingDocument, comment: str = "") -> None:
    """Duyệt the current step: its reviewer, or the leader the reviewer delegated approval
    and signature to while away (recorded in the reviewer's name)."""
    LIFECYCLE.check(actor, doc, "approve")
    acting = acting_reviewer(actor, doc)
    step = doc.current_step
    assert step is not None
    step.decision, step.comment, step.decided_at = "approved", clean(comment), utcnow()
    old = doc.status
    if doc.current_step is None:
        doc.status = Status.APPROVED.value
        notify(doc.drafter, "outgoing.approved",
               _l("Dự thảo đã được duyệt: %(s)s", s=doc.subject[:200]), _link(doc))
    else:
        _notify_reviewer(doc)
    add_event(doc, DIRECTION, actor, "approved", from_status=old, to_status=doc.status,
              comment=step.comment, data={"step": step.kind, "round": step.round}, on_behalf=acting)
    signals.outgoing_changed.send(doc)
    _tell_delegator(acting, actor, doc, _l("%(name)s đã duyệt thay bạn (ủy quyền): %(s)s",
                                           name=actor.full_name, s=doc.subject[:200]))


def return_draft(actor: User, doc: OutgoingDocument, comment: str) -> None:
    """Trả lại: back to the drafter with comments; the round's open steps are closed."""
    target = LIFECYCLE.check(actor, doc, "return")
    acting = acting_reviewer(actor, doc)
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
    add_event(doc, DIRECTION, actor, "returned", from_status=old, to_status=doc.status, comment=comment,
              on_behalf=acting)
    signals.outgoing_changed.send(doc)
    _tell_delegator(acting, actor, doc, _l("%(name)s đã trả lại dự thảo thay bạn (ủy quyền): %(s)s",
                                           name=actor.full_name, s=doc.subject[:200]))
    notify(doc.drafter, "outgoing.returned",
           _l("Dự thảo bị trả lại: %(s)s", s=doc.subject[:200]), _link(doc))


# --- signing, numbering, issuance ------------------------------------------------------------

def _signing_error(exc: Exception) -> DomainError:
    code = getattr(exc, "code", "signing_failed")
    message = getattr(exc, "message_vi", None) or getattr(exc, "message", None) or str(exc)
    return DomainError(code, _("Ký số không thành công: %(m)s", m=message), status=502)


def sign(actor: User, doc: OutgoingDocument) -> StoredFile:
    """The leader signs the approved PDF (a certification signature that still allows
    the clerk to fill in the number and date at issuance) — or, while that leader is
    away, the leader they delegated signature to, in the form the delegation gives
    (“KT. CHỦ TỊCH”, “TUQ. CHỦ TỊCH”, “Q. CHỦ TỊCH”…) and recorded in their name."""
    acting = acting_signer(actor, doc)
    if (actor.can(Permission.APPROVE_OUTGOING) and actor.id != doc.signer_id and acting is None
            and doc.organisation_id == actor.organisation_id):
        raise forbidden(_("Chỉ lãnh đạo được trình ký, hoặc người được lãnh đạo đó ủy quyền ký, mới ký "
                          "văn bản này."), "not_signer")
    target = LIFECYCLE.check(actor, doc, "sign")
    version = doc.current_version
    assert version is not None and version.pdf_file is not None
    pdf = FileStore.from_app().path_for(version.pdf_file.sha256).read_bytes()
    try:
        org = db.session.get(Organisation, doc.organisation_id)
        authority, position = signature_lines(org, actor, acting) if org is not None else ("", "")
        # A page that prints the block keeps it when it reads right; one printed for
        # someone else (a draft made for the leader now away) is drawn anew; one that
        # prints none gets it drawn, TM./KT./TUQ./Q. included.
        block = SignatureBlock((authority, position), actor.full_name, exact=acting is not None)
        signed = signer.sign_as_leader(prepare_for_issuance(pdf, block=block), actor, authority=authority,
                                       position=position)
    except SigningError as exc:
        raise _signing_error(exc) from exc
    stored = store_file(signed, f"{BY_CODE[doc.doc_type].name} - đã ký.pdf",
                        organisation_id=doc.organisation_id, uploaded_by_id=actor.id,
                        allowed={"application/pdf"})
    doc.signed_file_id = stored.id
    old = doc.status
    doc.status = target.value
    add_event(doc, DIRECTION, actor, "signed", from_status=old, to_status=doc.status,
              data={"version": version.number, "block": [authority, position]}, on_behalf=acting)
    signals.outgoing_changed.send(doc)
    _tell_delegator(acting, actor, doc, _l("%(name)s đã ký thay bạn (ủy quyền): %(s)s",
                                           name=actor.full_name, s=doc.subject[:200]))
    for clerk in _clerks(doc.organisation_id):
        notify(clerk, "outgoing.signed",
               _l("Văn bản đã ký, chờ cấp số và phát hành: %(s)s", s=doc.subject[:200]), _link(doc))
    return stored


def format_number_symbol(number: int, doc_type: str, org: Organisation, unit: Unit | None) -> str:
    """NĐ30: ``05/QĐ-UBND``; for công văn (no type abbreviation) ``12/UBND-VP``."""
    abbreviation = BY_CODE[doc_type].abbreviation
    if abbreviation:
        return f"{number:02d}/{abbreviation}-{org.abbreviation}"
    return f"{number:02d}/{org.abbreviation}-{unit.abbreviation}" if unit else f"{number:02d}/{org.abbreviation}"


def _issue_date(issued_on: date | None) -> date:
    issued_on = issued_on or vn_today()
    if issued_on > vn_today():
        raise ValidationFailed("future_date", _("Ngày ban hành không thể sau hôm nay."), "issued_on")
    return issued_on


@dataclass(frozen=True)
class _Number:
    register_id: int
    number: int
    symbol: str


def _take_number(doc: OutgoingDocument, issued_on: date) -> tuple[_Number, Organisation]:
    """The next số đi of the issuance year's register, taken inside this transaction (a
    failure later gives it back), and the số, ký hiệu it makes."""
    org = db.session.get(Organisation, doc.organisation_id)
    assert org is not None  # a document's organisation is a foreign key
    register = register_for(doc.organisation_id, Direction.OUTGOING, issued_on.year, doc.is_confidential)
    number = take_number(register)
    return _Number(register.id, number, format_number_symbol(number, doc.doc_type, org, doc.drafting_unit)), org


def _record_issuance(actor: User, doc: OutgoingDocument, target: Status, taken: _Number, issued_on: date,
                     stored: StoredFile, action: str, comment: str) -> None:
    """What every issuance writes, however the document was signed: the number in the
    sổ đi, the issued file (bản lưu), the history, the distribution, the signal."""
    doc.register_id, doc.number, doc.number_symbol = taken.register_id, taken.number, taken.symbol
    doc.issued_on, doc.issued_at, doc.issued_by_id = issued_on, utcnow(), actor.id
    doc.issued_file_id = stored.id
    # The register keeps the Vietnamese word, whoever issues; the pages translate it.
    doc.retained_by = doc.retained_by or "Văn thư"
    old = doc.status
    doc.status = target.value
    add_event(doc, DIRECTION, actor, action, from_status=old, to_status=doc.status, comment=comment,
              data={"number": taken.number, "symbol": taken.symbol, "medium": doc.medium})
    _distribute(actor, doc, stored)
    db.session.flush()
    signals.outgoing_issued.send(doc)


def issue(actor: User, doc: OutgoingDocument, issued_on: date | None = None) -> OutgoingDocument:
    """Cấp số, ký số của cơ quan, phát hành — in one transaction.

    The number is taken as late as possible (just before it is written into the PDF),
    so the counter row is locked for the shortest time; any failure after that rolls
    the number back with the transaction.
    """
    target = LIFECYCLE.check(actor, doc, "issue")
    issued_on = _issue_date(issued_on)
    assert doc.signed_file is not None
    signed = FileStore.from_app().path_for(doc.signed_file.sha256).read_bytes()
    taken, org = _take_number(doc, issued_on)
    try:
        final = signer.sign_as_organisation(signer.fill_number(signed, taken.symbol, issued_on), org,
                                            number_symbol=taken.symbol)
    except SigningError as exc:
        raise _signing_error(exc) from exc
    stored = store_file(final, f"{taken.symbol.replace('/', '-')}.pdf", organisation_id=doc.organisation_id,
                        uploaded_by_id=actor.id, allowed={"application/pdf"})
    _record_issuance(actor, doc, target, taken, issued_on, stored, "issued",
                     _("Cấp số %(s)s", s=taken.symbol))
    return doc


def issue_on_paper(actor: User, doc: OutgoingDocument, scan: Upload | None,
                   issued_on: date | None = None) -> OutgoingDocument:
    """Phát hành bản giấy: the leader signed the approved document by hand. The clerk
    takes its number from the sổ đi (as ``issue`` does), records the scan of the signed
    paper (a PDF, checked like every upload) as the issued file; internal recipients
    receive that scan in their queue, every outside recipient is marked to go by post.
    The paperless figures count it as paper."""
    target = LIFECYCLE.check(actor, doc, "issue_on_paper")
    issued_on = _issue_date(issued_on)
    if scan is None:
        raise ValidationFailed("required", _("Hãy chọn bản scan (PDF) của văn bản lãnh đạo đã ký."), "file")
    stored = store_file(scan.stream, scan.name, organisation_id=doc.organisation_id,
                        uploaded_by_id=actor.id, allowed={"application/pdf"})
    check_upload(stored, field="file")  # a hostile or broken PDF is refused before any number is taken
    taken, _org = _take_number(doc, issued_on)
    doc.medium = "paper"
    _record_issuance(actor, doc, target, taken, issued_on, stored, "issued_on_paper",
                     _("Cấp số %(s)s, phát hành bản giấy", s=taken.symbol))
    return doc


def _distribute(actor: User, doc: OutgoingDocument, stored: StoredFile) -> None:
    """Internal recipients find it in their queue at once, for information (it is the
    commune's own document: no entry in the sổ đến, no số đến); outside recipients
    with an OrganId are queued for the provincial exchange (``exchange.receivers``
    writes the messages), the others are marked to be sent by post or e-mail — as is
    every outside recipient of a document issued on paper."""
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
            electronic = r.via_exchange and doc.medium == "electronic"
            r.exchange_status, r.exchange_updated_at = ("queued" if electronic else BY_POST), now


def recall(actor: User, doc: OutgoingDocument, reason: str) -> None:
    """Thu hồi: every recipient sees the recall and its reason."""
    target = LIFECYCLE.check(actor, doc, "recall")
    reason = clean(reason)
    if not reason:
        raise ValidationFailed("required", _("Hãy ghi lý do thu hồi."), "reason")
    old = doc.status
    doc.status = target.value
    doc.recalled_at, doc.recall_reason = utcnow(), reason
    add_event(doc, DIRECTION, actor, "recalled", from_status=old, to_status=doc.status, comment=reason)
    for incoming_id in {r.incoming_document_id for r in doc.recipients if r.incoming_document_id}:
        mark_recalled(actor, incoming_id, doc.number_symbol, reason)
    signals.outgoing_recalled.send(doc)


# --- lists -----------------------------------------------------------------------------------

def _clerks(organisation_id: int) -> list[User]:
    users = db.session.scalars(sa.select(User).where(
        User.organisation_id == organisation_id, User.active.is_(True)))
    return [u for u in users if u.can(Permission.ISSUE_OUTGOING)]


def _signing_delegation(leader: User) -> Delegation | None:
    """The delegation of signature ``leader`` has given that runs today, if any."""
    return db.session.scalars(sa.select(Delegation).where(
        Delegation.organisation_id == leader.organisation_id, Delegation.delegator_id == leader.id,
        Delegation.sign.is_(True), running_on(vn_today())).limit(1)).first()


def _tell_delegator(acting: Delegation | None, actor: User, doc: OutgoingDocument, title) -> None:
    """What was done in an absent leader's name, they learn of."""
    if acting is not None:
        notify(acting.delegator, "outgoing.done_for_you", title, _link(doc))


def _mine_or_delegated(user: User, principal_id: int | None, doc: OutgoingDocument,
                       away: dict[int, Delegation]) -> bool:
    """Put before this person, or before a leader whose signature they hold today (never
    a confidential document: a delegation does not reach those)."""
    return principal_id == user.id or (principal_id in away and not doc.is_confidential)


def to_review(user: User) -> list[OutgoingDocument]:
    """Drafts whose current review step is this person's — or a leader's who delegated
    approval and signature to them while away (``delegated_from`` names that leader)."""
    away = delegators_of(user, Power.SIGN)
    candidates = db.session.scalars(
        READ.select(user).join(ReviewStep).where(
            OutgoingDocument.status == Status.REVIEWING.value,
            ReviewStep.reviewer_id.in_([user.id, *away]), ReviewStep.decision.is_(None))
        .order_by(OutgoingDocument.id)
    ).unique()
    return [d for d in candidates if d.current_step is not None
            and _mine_or_delegated(user, d.current_step.reviewer_id, d, away)]


def to_sign(user: User) -> list[OutgoingDocument]:
    """Approved documents put before this person for signature, or before a leader who
    delegated signature to them while away."""
    away = delegators_of(user, Power.SIGN)
    docs = db.session.scalars(READ.select(user).where(
        OutgoingDocument.status == Status.APPROVED.value, OutgoingDocument.signer_id.in_([user.id, *away]))
        .order_by(OutgoingDocument.id))
    return [d for d in docs if _mine_or_delegated(user, d.signer_id, d, away)]


def delegated_from(user: User, doc: OutgoingDocument) -> User | None:
    """The leader in whose name ``user`` would approve or sign this document now (for the
    "Ủy quyền của …" mark), or None."""
    acting = acting_reviewer(user, doc) or acting_signer(user, doc)
    return acting.delegator if acting is not None else None


def to_issue(user: User) -> list[OutgoingDocument]:
    if not user.can(Permission.ISSUE_OUTGOING):
        return []
    return list(db.session.scalars(READ.select(user).where(
        OutgoingDocument.status == Status.SIGNED.value).order_by(OutgoingDocument.id)))


def my_drafts(user: User) -> list[OutgoingDocument]:
    return list(db.session.scalars(READ.select(user).where(
        OutgoingDocument.drafter_id == user.id,
        OutgoingDocument.status.in_([s.value for s in EDITABLE | {Status.REVIEWING, Status.APPROVED,
                                                                   Status.SIGNED}]))
        .order_by(OutgoingDocument.id.desc())))


def list_documents(user: User, *, year: int | None = None, status: str | None = None,
                   limit: int = 200, offset: int = 0) -> list[OutgoingDocument]:
    """Documents this user may read, newest first: the access rule is part of the query,
    so every page holds exactly what may be opened."""
    query = READ.select(user)
    if status:
        query = query.where(OutgoingDocument.status == status)
    if year:
        query = query.where(sa.extract("year", OutgoingDocument.created_at) == year)
    return list(db.session.scalars(query.order_by(OutgoingDocument.id.desc()).limit(limit).offset(offset)))


def register_documents(user: User, year: int, confidential: bool = False) -> list[OutgoingDocument]:
    """The sổ đi of a year, in number order."""
    if not (user.can(Permission.ISSUE_OUTGOING) or user.can(Permission.VIEW_ALL_DOCUMENTS)):
        raise forbidden()
    if confidential and not user.can(Permission.VIEW_CONFIDENTIAL):
        raise forbidden()
    register = register_for(user.organisation_id, Direction.OUTGOING, year, confidential)
    return list(db.session.scalars(sa.select(OutgoingDocument).where(
        OutgoingDocument.register_id == register.id).order_by(OutgoingDocument.number)))


def _link(doc: OutgoingDocument) -> str:
    return f"/outgoing/{doc.id}"


# Timeline words of the events this module records (documents.history.event_label).
ACTION_LABELS = {
    "drafted": _l("Tạo dự thảo"), "new_version": _l("Phiên bản mới"), "submitted": _l("Trình duyệt"),
    "approved": _l("Duyệt"), "returned": _l("Trả lại"), "signed": _l("Lãnh đạo ký số"),
    "issued": _l("Cấp số, phát hành"), "issued_on_paper": _l("Cấp số, phát hành bản giấy"),
    "recalled": _l("Thu hồi"),
}
register_event_labels(DIRECTION, ACTION_LABELS)
