"""The exchange with the province, as domain operations (liên thông văn bản).

- **Export**: an issued outgoing document becomes an edXML message (``edoc_for``) and,
  when it is issued, one outbox row per outside recipient with an OrganId
  (``queue_issued``); a recall queues a revocation (BussinessDocType 1).
- **Import**: ``receive_message`` (the doors: hub, drop folder, CLI) checks that a
  message is addressed to us, then ``import_message`` turns it into an incoming document in
  the register (channel ``edxml``), or applies a revocation, an update, a replacement
  or a status. Receipt is idempotent: a message already received changes nothing, and
  a DocumentId is registered once.
- **Statuses**: as an incoming document that came by edXML moves, the status codes it
  has reached (01 arrived, 03 registered, 04 assigned, 05 in progress, 06 done, 02
  refused) are queued back to its sender, each once (``queue_statuses``). Statuses we
  receive update the per-recipient tracking of our outgoing document.
- **Signatures**: every outbox row is signed as it is written (``signatures``); every
  received message is checked first, the result kept on its receipts and in the
  document's history. Under ``XASO_EXCHANGE_SIGNATURE_POLICY=refuse`` a message
  without a valid signature registers nothing and a document's sender gets status 02.

Everything here runs inside the caller's transaction: the outbox row commits with the
domain change that caused it, or not at all.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import unicodedata
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from lxml import etree
from marshmallow import ValidationError

from ..core import signals
from ..core.access import get_scoped
from ..core.errors import Conflict, DomainError, ValidationFailed, forbidden
from ..core.permissions import Permission
from ..core.schemas import field_errors, max_length, value_range
from ..core.timeutil import utcnow, vn_today
from ..documents.history import add_event, events_of, register_event_labels
from ..documents.registers import Direction
from ..documents.types import DOC_TYPES, Urgency
from ..extensions import db
from ..files.sandbox import inspect_docx, inspect_pdf
from ..files.store import ALLOWED_MIME, FileStore, store_file
from ..incoming.models import IncomingDocument, IncomingFile
from ..incoming.operations import IncomingInput, mark_recalled, register_incoming
from ..incoming.schemas import IncomingCreateSchema
from ..org.models import Organisation, User
from ..outgoing.models import OutgoingDocument, Recipient
from . import edxml
from .edxml import (
    VIETNAM_TZ,
    Attachment,
    Bussiness,
    BussinessDocType,
    Code,
    DocumentType,
    EdocMessage,
    EdxmlError,
    OtherInfo,
    PromulgationInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusCode,
    StatusMessage,
    TraceHeader,
)
from .edxml import Organisation as EdxmlOrganisation
from .errors import CONFIDENTIAL, INVALID, NOT_ADDRESSED
from .limits import check_length
from .models import Correspondent, ExchangeReceipt, OutboxMessage
from .safexml import parse_xml
from .settings import settings
from .signatures import check_incoming, sign_outgoing, state_label
from .xmlsig import VALID, SignatureCheck

# --- vocabulary --------------------------------------------------------------------------

# QCVN 102 OtherInfo/Priority: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ.
PRIORITY_BY_URGENCY = {
    Urgency.NORMAL.value: 0,
    Urgency.KHAN.value: 1,
    Urgency.THUONG_KHAN.value: 2,
    Urgency.HOA_TOC.value: 3,
}
URGENCY_BY_PRIORITY = {
    0: Urgency.NORMAL.value,
    1: Urgency.KHAN.value,
    2: Urgency.THUONG_KHAN.value,
    3: Urgency.HOA_TOC.value,
    4: Urgency.HOA_TOC.value,
}
_TYPE_BY_NAME = {unicodedata.normalize("NFC", t.name).casefold(): t.code for t in DOC_TYPES}

# Where a recipient stands, for "never go backwards" when statuses arrive out of order.
_RANK = {
    "": 0,
    "queued": 0,
    "failed": 0,
    "sent": 1,
    "01": 2,
    "03": 3,
    "04": 4,
    "05": 5,
    "06": 6,
    "02": 6,
    "13": 7,
    "15": 8,
    "16": 8,
}

# The order in which an incoming document reaches the statuses its sender hears about.
_STATUS_ORDER = (
    StatusCode.ARRIVED,
    StatusCode.ACCEPTED,
    StatusCode.REFUSED,
    StatusCode.ASSIGNED,
    StatusCode.IN_PROGRESS,
    StatusCode.DONE,
)
_CODE_BY_STATUS = {
    "registered": StatusCode.ACCEPTED,
    "submitted": StatusCode.ACCEPTED,
    "assigned": StatusCode.ASSIGNED,
    "in_progress": StatusCode.IN_PROGRESS,
    "done": StatusCode.DONE,
    "returned": StatusCode.REFUSED,
}

# Names under which senders put a confidentiality level (độ mật). The standard has no
# such field because confidential documents never travel on the exchange; a message
# that claims one anyway is refused whole.
_SECRECY_NAMES = frozenset(
    {
        "secret",
        "secretlevel",
        "secrecy",
        "security",
        "securitylevel",
        "confidential",
        "confidentiality",
        "confidentialitylevel",
        "classification",
        "domat",
        "mat",
    }
)
_NOT_SECRET = frozenset({"", "0", "false", "no", "none", "normal", "thuong", "thường", "khong", "không"})

# Timeline words for the events this module adds to incoming and outgoing documents
# (documents.history.event_label reads them).
INCOMING_EVENT_LABELS = {
    "edxml_received": _l("Nhận qua trục liên thông"),
    "edxml_updated": _l("Nơi gửi cập nhật văn bản"),
    "edxml_replaced": _l("Nơi gửi thay thế văn bản"),
    "edxml_signature": _l("Chữ ký số của gói tin liên thông"),
}
OUTGOING_EVENT_LABELS = {
    "exchange_sent": _l("Đã gửi qua trục liên thông"),
    "exchange_status": _l("Trạng thái liên thông"),
    "exchange_revoke_sent": _l("Đã gửi yêu cầu thu hồi qua trục liên thông"),
}
register_event_labels(Direction.INCOMING, INCOMING_EVENT_LABELS)
register_event_labels(Direction.OUTGOING, OUTGOING_EVENT_LABELS)


def status_label(code: str) -> str:
    """The Vietnamese words of an edXML status code (the code itself if unknown)."""
    try:
        return StatusCode(code).label_vi
    except ValueError:
        return code


@dataclass
class ImportResult:
    """What a received message did. ``outcome``: registered, duplicate, already,
    revoked, updated, replaced, status, unmatched, refused (its signature, under the
    ``refuse`` policy)."""

    outcome: str
    document_id: str
    message: str
    incoming_document_id: int | None = None
    outgoing_document_id: int | None = None


# --- export ------------------------------------------------------------------------------


def _organisation(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    assert org is not None, org_id
    return org


def our_party(org: Organisation) -> EdxmlOrganisation:
    return EdxmlOrganisation(
        organ_id=org.organ_id,
        organ_name=org.name,
        organization_in_charge=org.governing_body or None,
        organ_add=org.address or None,
        email=org.email or None,
        telephone=org.telephone or None,
    )


def document_id_of(doc) -> str:
    """``OrganId,yyyy/MM/dd,number/notation`` of an issued outgoing document."""
    org = _organisation(doc.organisation_id)
    return edxml.make_document_id(org.organ_id, doc.issued_on, Code.from_text(doc.number_symbol))


def _page_count(data: bytes) -> int | None:
    try:
        from pypdf import PdfReader

        return len(PdfReader(io.BytesIO(data)).pages)
    except Exception:  # noqa: BLE001 - a count we cannot read is left out, not fatal
        return None


def _competence(position: str) -> str | None:
    """NĐ30 signing authority from the signer's position (TM. / KT.)."""
    name = position.casefold()
    if name == "chủ tịch":
        return "TM. ỦY BAN NHÂN DÂN"
    if name.startswith("phó chủ tịch"):
        return "KT. CHỦ TỊCH"
    return None


def edoc_for(doc, *, revoke: bool = False) -> EdocMessage:
    """The edXML message of an issued outgoing document (or its revocation)."""
    if doc.issued_on is None or not doc.number_symbol:
        raise ValidationFailed(
            "not_issued", str(_l("Văn bản chưa phát hành nên chưa gửi liên thông được.")), "document_id"
        )
    org = _organisation(doc.organisation_id)
    code = Code.from_text(doc.number_symbol)
    document_id = edxml.make_document_id(org.organ_id, doc.issued_on, code)
    externals = [r for r in doc.recipients if r.via_exchange]
    signer = doc.signer
    position = signer.position.name if signer is not None and signer.position else ""
    pdf = b""
    attachments = []
    if doc.issued_file is not None and not revoke:
        pdf = FileStore.from_app().path_for(doc.issued_file.sha256).read_bytes()
        attachments.append(
            Attachment(
                attachment_name=doc.issued_file.original_name,
                data=pdf,
                content_type="application/pdf",
                description="Văn bản đã ký số",
            )
        )
    issuer = doc.issued_by
    # What other agencies read is always Vietnamese, whatever the clerk's UI language.
    reason = f"Thu hồi văn bản điện tử: {doc.recall_reason}" if revoke else "Văn bản điện tử mới"
    issued_at = (doc.issued_at or utcnow()).astimezone(VIETNAM_TZ)
    return EdocMessage(
        from_=our_party(org),
        to=[EdxmlOrganisation(organ_id=r.organ_id, organ_name=r.organ_name or None) for r in externals],
        document_id=document_id,
        code=code,
        promulgation_info=PromulgationInfo(doc.issued_on, place=org.place_name or None),
        document_type=DocumentType(type=1, type_name=doc.type_name),
        subject=doc.subject,
        signer_info=SignerInfo(
            competence=_competence(position),
            position=position or None,
            full_name=signer.full_name if signer else None,
        )
        if signer
        else None,
        due_date=doc.due_date,
        other_info=OtherInfo(
            priority=PRIORITY_BY_URGENCY.get(doc.urgency, 0),
            promulgation_amount=doc.copies or None,
            page_amount=_page_count(pdf) if pdf else None,
        ),
        to_places=[r.label for r in doc.recipients if r.label],
        trace_headers=[TraceHeader(org.organ_id, issued_at if not revoke else utcnow())],
        bussiness=Bussiness(
            bussiness_doc_type=BussinessDocType.REVOKE if revoke else BussinessDocType.NEW,
            bussiness_doc_reason=reason,
            document_id=document_id,
            paper=0,
            staff_info=StaffInfo(
                department=issuer.unit.name if issuer and issuer.unit else None,
                staff=issuer.full_name if issuer else None,
                email=(issuer.email or None) if issuer else None,
            )
            if issuer
            else None,
        ),
        attachments=attachments,
    )


def export_edoc(doc) -> bytes:
    """The bytes of the edXML message for an issued outgoing document."""
    return edxml.build_edoc(edoc_for(doc))


def _outbox(
    org_id: int, kind: str, destination: str, document_id: str, payload: bytes, **refs
) -> OutboxMessage:
    payload, algorithm = sign_outgoing(org_id, destination, payload)
    row = OutboxMessage(
        organisation_id=org_id,
        kind=kind,
        destination=destination,
        document_id=document_id[:255],
        payload=payload,
        signature_algorithm=algorithm,
        sha256=hashlib.sha256(payload).hexdigest(),
        next_attempt_at=utcnow(),
        **refs,
    )
    db.session.add(row)
    return row


def queue_issued(doc) -> list[OutboxMessage]:
    """Issued: one outbox row per outside recipient that has an OrganId."""
    externals = [r for r in doc.recipients if r.via_exchange]
    if not externals:
        return []
    msg = edoc_for(doc)
    payload = edxml.build_edoc(msg)
    return [
        _outbox(
            doc.organisation_id,
            "edoc",
            r.organ_id,
            msg.identity,
            payload,
            bussiness_doc_type=int(BussinessDocType.NEW),
            outgoing_document_id=doc.id,
            recipient_id=r.id,
        )
        for r in externals
    ]


def queue_revocation(doc) -> list[OutboxMessage]:
    """Recalled: the recipients it went to by edXML get a revocation (BussinessDocType 1)."""
    sent_to = set(
        db.session.scalars(
            sa.select(OutboxMessage.recipient_id).where(
                OutboxMessage.outgoing_document_id == doc.id,
                OutboxMessage.kind == "edoc",
                OutboxMessage.bussiness_doc_type == int(BussinessDocType.NEW),
            )
        )
    )
    recipients = [r for r in doc.recipients if r.id in sent_to]
    if not recipients:
        return []
    msg = edoc_for(doc, revoke=True)
    msg.to = [EdxmlOrganisation(organ_id=r.organ_id, organ_name=r.organ_name or None) for r in recipients]
    payload = edxml.build_edoc(msg)
    rows = [
        _outbox(
            doc.organisation_id,
            "edoc",
            r.organ_id,
            msg.identity,
            payload,
            bussiness_doc_type=int(BussinessDocType.REVOKE),
            outgoing_document_id=doc.id,
            recipient_id=r.id,
        )
        for r in recipients
    ]
    add_event(
        doc,
        "outgoing",
        None,
        "exchange_revoke_sent",
        comment=", ".join(r.label for r in recipients),
        data={"recipients": [r.organ_id for r in recipients]},
    )
    return rows


# --- import ------------------------------------------------------------------------------


def organisation_by_organ_id(organ_id: str) -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.organ_id == organ_id))
    if org is None:
        raise DomainError(
            "unknown_organisation", str(_l("Không có cơ quan có mã định danh %(o)s.", o=organ_id)), "org"
        )
    return org


def exchange_clerk(org: Organisation, username: str = "") -> User:
    """Who registers received documents: the configured clerk, or the first active one."""
    users = list(
        db.session.scalars(
            sa.select(User).where(User.organisation_id == org.id, User.active.is_(True)).order_by(User.id)
        )
    )
    if username:
        user = next((u for u in users if u.username == username.lower()), None)
    else:
        user = next((u for u in users if u.can(Permission.REGISTER_INCOMING)), None)
    if user is None or not user.can(Permission.REGISTER_INCOMING):
        raise DomainError(
            "no_clerk",
            str(
                _l(
                    "%(org)s chưa có văn thư đang hoạt động để vào sổ văn bản nhận qua liên thông.",
                    org=org.name,
                )
            ),
            "clerk",
            status=409,
        )
    return user


def claimed_confidentiality(data: bytes) -> str | None:
    """The confidentiality level a message claims in its header, if any."""
    root = parse_xml(data)
    for node in root.iter(tag=etree.Element):
        local = (
            etree.QName(node).localname if str(node.tag).startswith("{") else str(node.tag).rpartition(":")[2]
        )
        if local.casefold() in _SECRECY_NAMES and len(node) == 0:
            value = unicodedata.normalize("NFC", "".join(node.itertext()).strip())
            if value.casefold() not in _NOT_SECRET:
                return value
    return None


def _refuse_confidential(data: bytes) -> None:
    level = claimed_confidentiality(data)
    if level is not None:
        raise EdxmlError(
            CONFIDENTIAL,
            f"Gói tin khai báo độ mật “{level}”. Văn bản mật không được gửi, nhận qua trục "
            "liên thông và không được đưa lên hệ thống: hãy nhận bản giấy theo quy định.",
            "MessageHeader/OtherInfo",
        )


def check_addressed(org: Organisation, msg: EdocMessage | StatusMessage) -> None:
    """A message is received only by an organisation it names (``edxml.addressees``:
    a document's ``To``, a status's ``ResponseFor``) — the rule the hub routes by,
    applied again by every door that receives, so a message meant for another commune
    (or for nobody) is never registered in the wrong register."""
    named = edxml.addressees(msg)
    if org.organ_id in named:
        return
    field = "MessageHeader/ResponseFor/OrganId" if isinstance(msg, StatusMessage) else "MessageHeader/To/OrganId"
    shown = ", ".join(named[:5]) + (f" và {len(named) - 5} nơi khác" if len(named) > 5 else "")
    raise EdxmlError(
        NOT_ADDRESSED,
        f"Gói tin không gửi cho {org.name} ({org.organ_id}): "
        + (f"nơi nhận là {shown}." if named else "gói tin không ghi nơi nhận nào.")
        + " Không vào sổ văn bản gửi cho cơ quan khác.",
        field,
    )


def receive_message(org: Organisation, data: bytes, *, clerk: str = "") -> ImportResult:
    """Receive a message from outside for ``org``: what every door calls (the pull from
    the hub or the drop folder, ``flask import-edxml``). Refused (``EdxmlError``, nothing
    stored) unless it is within the limits (``limits``) and addressed to ``org``."""
    msg = edxml.parse_edxml(data)
    check_addressed(org, msg)
    return _import(org, msg, data, clerk)


def import_message(org: Organisation, data: bytes, *, clerk: str = "") -> ImportResult:
    """Apply one received edXML message to ``org``, whoever it is addressed to (doors
    receiving from outside use :func:`receive_message`). Raises ``EdxmlError`` on a
    message we cannot accept, before anything is stored."""
    return _import(org, edxml.parse_edxml(data), data, clerk)


def _import(org: Organisation, msg: EdocMessage | StatusMessage, data: bytes, clerk: str) -> ImportResult:
    _refuse_confidential(data)
    digest = hashlib.sha256(data).hexdigest()
    check = check_incoming(data)
    if check.state != VALID and settings().signature_policy == "refuse":
        return _refuse_signature(org, msg, digest, check)
    token = _signature.set(check)
    try:
        if isinstance(msg, StatusMessage):
            return _apply_status(org, msg, digest)
        result = _apply_edoc(org, msg, data, digest, clerk)
    finally:
        _signature.reset(token)
    if result.incoming_document_id is not None and result.outcome not in ("already", "duplicate"):
        _record_signature(result.incoming_document_id, check)
    return result


# The signature check of the message being imported, for every receipt it writes.
_signature: ContextVar[SignatureCheck | None] = ContextVar("exchange_signature", default=None)


def _record_signature(incoming_document_id: int, check: SignatureCheck) -> None:
    """The signature in the document's history: signed or not, by whom, valid or why not."""
    doc = db.session.get(IncomingDocument, incoming_document_id)
    if doc is None:
        return
    comment = " · ".join(p for p in (state_label(check.state), check.signer, check.reason) if p)
    add_event(doc, "incoming", None, "edxml_signature", comment=comment[:1000], data={
        "state": check.state, "signer": check.signer, "issuer": check.issuer,
        "algorithm": check.algorithm, "reason": check.reason,
    })


def _refuse_signature(org: Organisation, msg, digest: str, check: SignatureCheck) -> ImportResult:
    """Policy ``refuse``: nothing registered; the receipt says why, and a document's
    sender gets status 02 (từ chối tiếp nhận) with the reason."""
    reason = check.reason or state_label(check.state)
    if isinstance(msg, StatusMessage):
        document_id = msg.response_for.document_id or ""
        kind, code, sender = 0, StatusCode(msg.status_code).value, msg.from_.organ_id
    else:
        document_id, kind, code, sender = msg.identity, int(msg.doc_type), "", msg.from_.organ_id
    earlier = _already(org, document_id, kind, code, digest)
    if earlier is not None:
        return ImportResult("already", document_id, "Gói tin này đã nhận trước đó; không thay đổi gì.")
    token = _signature.set(check)
    try:
        _receipt(org, document_id, kind, code, digest, sender, "refused")
    finally:
        _signature.reset(token)
    if isinstance(msg, EdocMessage):
        status = StatusMessage(
            from_=our_party(org),
            response_for=ResponseFor(
                organ_id=msg.from_.organ_id, code=str(msg.code),
                promulgation_date=msg.promulgation_info.promulgation_date, document_id=document_id),
            status_code=StatusCode.REFUSED,
            timestamp=utcnow(),
            description=f"Từ chối tiếp nhận: {reason}"[:1000],
        )
        _outbox(org.id, "status", sender, document_id, edxml.build_status(status), status_code="02")
    return ImportResult("refused", document_id, f"Từ chối tiếp nhận: {reason}")


def _receipt(
    org: Organisation, document_id: str, kind: int, code: str, digest: str, sender: str, outcome: str, **refs
) -> ExchangeReceipt:
    row = ExchangeReceipt(
        organisation_id=org.id,
        document_id=document_id[:255],
        bussiness_doc_type=kind,
        status_code=code,
        message_hash=digest,
        sender_organ_id=sender[:64],
        outcome=outcome,
        **refs,
    )
    check = _signature.get()
    if check is not None:
        row.signature_state = check.state
        row.signature_signer = check.signer[:255]
        row.signature_reason = check.reason
    db.session.add(row)
    db.session.flush()
    return row


def _already(org: Organisation, document_id: str, kind: int, code: str, digest: str):
    return db.session.scalar(
        sa.select(ExchangeReceipt).where(
            ExchangeReceipt.organisation_id == org.id,
            ExchangeReceipt.document_id == document_id[:255],
            ExchangeReceipt.bussiness_doc_type == kind,
            ExchangeReceipt.status_code == code,
            ExchangeReceipt.message_hash == digest,
        )
    )


def registered_receipt(org_id: int, document_ids: list[str], sender: str | None = None):
    """The receipt that registered one of these DocumentIds (from this sender)."""
    query = sa.select(ExchangeReceipt).where(
        ExchangeReceipt.organisation_id == org_id,
        ExchangeReceipt.document_id.in_([d[:255] for d in document_ids]),
        ExchangeReceipt.bussiness_doc_type == int(BussinessDocType.NEW),
        ExchangeReceipt.outcome == "registered",
    )
    if sender is not None:
        query = query.where(ExchangeReceipt.sender_organ_id == sender)
    return db.session.scalars(query.order_by(ExchangeReceipt.id)).first()


def _may_change(sender: str, receipt: ExchangeReceipt) -> bool:
    """The sender of a revoke/update/replace is the one who sent us the document, or the
    issuer its DocumentId names (a provincial hub may relay on the issuer's behalf)."""
    parts = edxml.parse_document_id(receipt.document_id)
    return sender in {receipt.sender_organ_id, parts.organ_id if parts else None}


def correspondent(org: Organisation, party: EdxmlOrganisation) -> Correspondent:
    """The sender as our register knows it: matched by OrganId, or created."""
    known = db.session.scalar(
        sa.select(Correspondent).where(
            Correspondent.organisation_id == org.id, Correspondent.organ_id == party.organ_id[:64]
        )
    )
    if known is None:
        known = Correspondent(
            organisation_id=org.id,
            organ_id=party.organ_id[:64],
            name=(party.organ_name or party.organization_in_charge or party.organ_id)[:255],
        )
        db.session.add(known)
    known.last_seen_at = utcnow()
    return known


def _doc_type_code(msg: EdocMessage) -> str:
    name = msg.document_type.type_name if msg.document_type else None
    return _TYPE_BY_NAME.get(unicodedata.normalize("NFC", name or "").casefold(), "cong_van")


# The register fields a message fills, and the element each comes from (a refusal names it).
EDXML_ELEMENTS = {
    "sender_name": "MessageHeader/From/OrganName",
    "sender_organ_id": "MessageHeader/From/OrganId",
    "number_symbol": "MessageHeader/Code",
    "issue_date": "MessageHeader/PromulgationInfo/PromulgationDate",
    "subject": "MessageHeader/Subject",
    "signer": "MessageHeader/SignerInfo/FullName",
    "sender_due_date": "MessageHeader/DueDate",
    "page_count": "MessageHeader/OtherInfo/PageAmount",
    "field": "MessageHeader/OtherInfo/SphereOfPromulgation",
}


def _incoming_input(org: Organisation, msg: EdocMessage, sender_name: str) -> IncomingInput:
    """The register entry of a received document, loaded through the same schema (fields
    and limits) as a clerk's entry. A value longer than the register keeps is refused
    (``edxml_too_long``, naming the element), never cut: the parser's limits
    (``limits.LENGTHS``) already hold every one of them to these columns."""
    def fit(name: str, value: str) -> str:
        return check_length(value, max_length(IncomingCreateSchema, name), EDXML_ELEMENTS[name])

    today = vn_today()
    issue_date: date | None = msg.promulgation_info.promulgation_date
    if issue_date is not None and (issue_date > today or issue_date.year < 1945):
        issue_date = None  # a sender's clock or typo must not stop the document
    due = msg.due_date if msg.due_date and (issue_date is None or msg.due_date >= issue_date) else None
    other = msg.other_info or OtherInfo()
    low, high = value_range(IncomingCreateSchema, "page_count")
    pages = other.page_amount if other.page_amount and low <= other.page_amount <= high else None
    signer = msg.signer_info
    values = {
        "sender_name": fit("sender_name", sender_name),
        "number_symbol": fit("number_symbol", str(msg.code).replace(" ", "")),
        "issue_date": issue_date,
        "doc_type": _doc_type_code(msg),
        "subject": msg.subject,
        "signer": fit("signer", (signer.full_name or "") if signer else ""),
        "urgency": URGENCY_BY_PRIORITY.get(other.priority or 0, Urgency.NORMAL.value),
        "sender_due_date": due,
        "page_count": pages,
        "field": fit("field", other.sphere_of_promulgation or ""),
        "sender_organ_id": fit("sender_organ_id", msg.from_.organ_id),
        "allow_duplicate": True,
    }
    try:
        data: IncomingInput = IncomingCreateSchema().load(values)
    except ValidationError as err:
        name, messages = next(iter(field_errors(err.normalized_messages()).items()))
        raise EdxmlError(INVALID, messages[0], EDXML_ELEMENTS.get(name)) from None
    data.channel = "edxml"
    return data


def _hostile_file(content: bytes) -> str | None:
    """A received PDF or Word file goes through the same sandbox as an uploaded one (time
    and memory limits, decompression-bomb checks); a broken or hostile one is set aside,
    with the reason in the history."""
    head = content.lstrip()[:1024]
    if head.startswith(b"%PDF-"):
        suffix, label = ".pdf", _l("tệp PDF")
    elif content.startswith(b"PK\x03\x04"):
        suffix, label = ".docx", _l("tệp Word")
    else:
        return None
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        tmp.write(content)
        tmp.flush()
        path = Path(tmp.name)
        info = inspect_pdf(path) if suffix == ".pdf" else inspect_docx(path)
    if info.ok:
        return None
    return str(_l("%(kind)s hỏng hoặc có dấu hiệu độc hại (%(e)s)", kind=label, e=info.error))


def _store_files(
    actor: User, doc, files: list[tuple[str, bytes]], raw: bytes, document_id: str, kind: str = "original"
) -> tuple[list, list[str]]:
    """Store received files on the document; the raw package too, as evidence."""
    stored, skipped = [], []
    for name, content in files:
        if (problem := _hostile_file(content)) is not None:
            skipped.append(f"{os.path.basename(name)}: {problem}")
            continue
        try:
            item = store_file(
                content,
                os.path.basename(name) or "tep",
                organisation_id=doc.organisation_id,
                uploaded_by_id=actor.id,
                allowed=set(ALLOWED_MIME),
            )
        except ValidationFailed as err:
            skipped.append(f"{os.path.basename(name)}: {err.message}")
            continue
        doc.files.append(IncomingFile(stored_file_id=item.id, kind=kind, added_by_id=actor.id))
        stored.append(item)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in document_id)[:120]
    try:
        package = store_file(
            raw,
            f"{safe}.edxml",
            organisation_id=doc.organisation_id,
            uploaded_by_id=actor.id,
            allowed={"application/xml"},
        )
        doc.files.append(IncomingFile(stored_file_id=package.id, kind="edxml", added_by_id=actor.id))
    except ValidationFailed as err:
        skipped.append(f"edXML: {err.message}")
    db.session.flush()
    return stored, skipped


def _apply_edoc(org: Organisation, msg: EdocMessage, raw: bytes, digest: str, clerk: str) -> ImportResult:
    kind = msg.doc_type
    document_id = msg.identity
    sender = msg.from_.organ_id
    earlier = _already(org, document_id, int(kind), "", digest)
    if earlier is not None:
        return ImportResult(
            "already",
            document_id,
            "Gói tin này đã nhận trước đó; không thay đổi gì.",
            earlier.incoming_document_id,
        )
    # Unzip before anything is stored: a broken zip refuses the message whole.
    files = edxml.expand_attachments(msg.attachments)
    actor = exchange_clerk(org, clerk)
    party = correspondent(org, msg.from_)

    if kind is BussinessDocType.NEW:
        first = registered_receipt(org.id, [document_id])
        if first is not None:
            _receipt(
                org,
                document_id,
                int(kind),
                "",
                digest,
                sender,
                "duplicate",
                incoming_document_id=first.incoming_document_id,
            )
            return ImportResult(
                "duplicate",
                document_id,
                "Văn bản này đã vào sổ trước đó; không vào sổ lần nữa.",
                first.incoming_document_id,
            )
        return _register(org, actor, msg, party, files, digest, raw)

    targets = msg.affected_document_ids()
    target = registered_receipt(org.id, targets)
    if target is not None and not _may_change(sender, target):
        target = None  # nobody but the issuer (or whoever sent it to us) revokes a document
    if target is None:
        if kind is BussinessDocType.REVOKE:
            _receipt(org, document_id, int(kind), "", digest, sender, "unmatched")
            return ImportResult(
                "unmatched", document_id, "Không có văn bản đã nhận nào khớp với yêu cầu thu hồi."
            )
        # An update or replacement of something we never received: register it as new.
        return _register(org, actor, msg, party, files, digest, raw)

    doc = db.session.get(IncomingDocument, target.incoming_document_id)
    assert doc is not None  # receipts are never deleted, nor are incoming documents
    reason = (msg.bussiness.bussiness_doc_reason if msg.bussiness else None) or ""
    if kind is BussinessDocType.REVOKE:
        mark_recalled(actor, doc.id, doc.number_symbol, reason or "Thu hồi văn bản điện tử")
        _receipt(org, document_id, int(kind), "", digest, sender, "revoked", incoming_document_id=doc.id)
        return ImportResult(
            "revoked", document_id, f"Đã ghi nhận thu hồi văn bản đến số {doc.arrival_label}.", doc.id
        )
    version = 1 + (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ExchangeReceipt)
            .where(
                ExchangeReceipt.incoming_document_id == doc.id,
                ExchangeReceipt.outcome.in_(("updated", "replaced")),
            )
        )
        or 0
    )
    stored, skipped = _store_files(actor, doc, files, raw, document_id)
    action, outcome = (
        ("edxml_replaced", "replaced") if kind is BussinessDocType.REPLACE else ("edxml_updated", "updated")
    )
    add_event(
        doc,
        "incoming",
        actor,
        action,
        comment=f"Phiên bản {version + 1}: {reason}".strip().rstrip(":")
        + (" · " + str(_l("Không lưu: %(files)s", files="; ".join(skipped))) if skipped else ""),
        data={
            "document_id": document_id,
            "version": version + 1,
            "files": [s.original_name for s in stored],
            "skipped": skipped,
        },
    )
    _receipt(org, document_id, int(kind), "", digest, sender, outcome, incoming_document_id=doc.id)
    db.session.flush()
    signals.incoming_changed.send(doc)
    return ImportResult(
        outcome,
        document_id,
        f"Đã cập nhật văn bản đến số {doc.arrival_label} ({len(stored)} tệp mới).",
        doc.id,
    )


def _register(org, actor, msg, party, files, digest, raw) -> ImportResult:
    document_id = msg.identity
    doc = register_incoming(actor, _incoming_input(org, msg, party.name))
    _receipt(
        org,
        document_id,
        int(msg.doc_type),
        "",
        digest,
        msg.from_.organ_id,
        "registered",
        incoming_document_id=doc.id,
    )
    stored, skipped = _store_files(actor, doc, files, raw, document_id)
    add_event(
        doc,
        "incoming",
        actor,
        "edxml_received",
        comment=f"{party.name} ({party.organ_id}) · {document_id}"
        + (" · " + str(_l("Không lưu: %(files)s", files="; ".join(skipped))) if skipped else ""),
        data={
            "document_id": document_id,
            "files": [s.original_name for s in stored],
            "skipped": skipped,
            "addressed": [t.organ_id for t in msg.to],
            "signer_position": msg.signer_info.position if msg.signer_info else None,
        },
    )
    db.session.flush()
    signals.incoming_changed.send(doc)  # files attached: index them; statuses 01, 03 queued
    return ImportResult(
        "registered", document_id, f"Đã vào sổ đến số {doc.arrival_label}: {doc.subject[:120]}", doc.id
    )


# --- statuses we send ----------------------------------------------------------------------


def _reached(doc) -> dict[StatusCode, object]:
    """The statuses this document has reached, each with the event that reached it."""
    reached: dict[StatusCode, object] = {}
    events = events_of("incoming", doc.id)
    for event in events:
        code = _CODE_BY_STATUS.get(event.to_status or "")
        if event.action == "registered":
            reached.setdefault(StatusCode.ARRIVED, event)
        if code is not None:
            reached.setdefault(code, event)
    code = _CODE_BY_STATUS.get(doc.status)
    if code is not None:
        reached.setdefault(code, None)
    reached.setdefault(StatusCode.ARRIVED, None)
    return reached


_STATUS_TEXT = {
    StatusCode.ARRIVED: "Đã đến: phần mềm quản lý văn bản đã nhận",
    StatusCode.ACCEPTED: "Văn thư tiếp nhận, vào sổ văn bản đến số {n}",
    StatusCode.REFUSED: "Từ chối tiếp nhận: {c}",
    StatusCode.ASSIGNED: "Lãnh đạo chỉ đạo, phân công xử lý",
    StatusCode.IN_PROGRESS: "Đang xử lý",
    StatusCode.DONE: "Hoàn thành xử lý",
}


def queue_statuses(doc) -> list[OutboxMessage]:
    """Queue every status this edXML document has reached and its sender has not had."""
    if doc.channel != "edxml":
        return []
    receipt = db.session.scalar(
        sa.select(ExchangeReceipt).where(
            ExchangeReceipt.incoming_document_id == doc.id, ExchangeReceipt.outcome == "registered"
        )
    )
    if receipt is None:
        return []
    sent = set(
        db.session.scalars(
            sa.select(OutboxMessage.status_code).where(
                OutboxMessage.incoming_document_id == doc.id, OutboxMessage.kind == "status"
            )
        )
    )
    reached = _reached(doc)
    org = _organisation(doc.organisation_id)
    rows = []
    for code in _STATUS_ORDER:
        if code not in reached or code.value in sent:
            continue
        event = reached[code]
        actor = getattr(event, "actor", None)
        text = _STATUS_TEXT[code].format(n=doc.arrival_label, c=getattr(event, "comment", "") or "")
        message = StatusMessage(
            from_=our_party(org),
            response_for=ResponseFor(
                organ_id=receipt.sender_organ_id,
                code=doc.number_symbol or None,
                promulgation_date=doc.issue_date,
                document_id=receipt.document_id,
            ),
            status_code=code,
            timestamp=utcnow(),
            description=text,
            staff_info=StaffInfo(
                department=actor.unit.name if actor and actor.unit else None,
                staff=actor.full_name,
                email=actor.email or None,
            )
            if actor
            else None,
        )
        rows.append(
            _outbox(
                doc.organisation_id,
                "status",
                receipt.sender_organ_id,
                receipt.document_id,
                edxml.build_status(message),
                status_code=code.value,
                incoming_document_id=doc.id,
            )
        )
    if rows:
        db.session.flush()
    return rows


# --- statuses we receive -----------------------------------------------------------------


def _outgoing_for(org: Organisation, response: ResponseFor):
    if response.document_id:
        found = db.session.scalar(
            sa.select(OutboxMessage.outgoing_document_id)
            .where(
                OutboxMessage.organisation_id == org.id,
                OutboxMessage.kind == "edoc",
                OutboxMessage.document_id == response.document_id[:255],
            )
            .limit(1)
        )
        if found:
            return db.session.get(OutgoingDocument, found)
        parts = edxml.parse_document_id(response.document_id)
        organ, day, code = (
            (parts.organ_id, parts.promulgation_date, parts.code) if parts else (None, None, None)
        )
    else:
        organ, day, code = response.organ_id, response.promulgation_date, response.code
    if organ != org.organ_id or not code:
        return None
    query = sa.select(OutgoingDocument).where(
        OutgoingDocument.organisation_id == org.id, OutgoingDocument.number_symbol == code
    )
    if isinstance(day, date):
        query = query.where(OutgoingDocument.issued_on == day)
    return db.session.scalars(query).first()


def _apply_status(org: Organisation, msg: StatusMessage, digest: str) -> ImportResult:
    response = msg.response_for
    key = response.document_id or f"{response.organ_id},,{response.code}"
    code = StatusCode(msg.status_code)
    sender = msg.from_.organ_id
    if _already(org, key, 0, code.value, digest) is not None:
        return ImportResult("already", key, "Gói tin này đã nhận trước đó; không thay đổi gì.")
    doc = _outgoing_for(org, response)
    recipient = (
        next((r for r in doc.recipients if r.kind == "external" and r.organ_id == sender), None)
        if doc is not None
        else None
    )
    if recipient is None:
        _receipt(
            org, key, 0, code.value, digest, sender, "unmatched", outgoing_document_id=doc.id if doc else None
        )
        return ImportResult(
            "unmatched", key, f"Trạng thái {code.value} của {sender} không khớp văn bản đi nào."
        )
    seen = db.session.scalar(
        sa.select(ExchangeReceipt.id)
        .where(
            ExchangeReceipt.organisation_id == org.id,
            ExchangeReceipt.document_id == key[:255],
            ExchangeReceipt.status_code == code.value,
            ExchangeReceipt.sender_organ_id == sender,
            ExchangeReceipt.outcome == "status",
        )
        .limit(1)
    )
    if seen is not None:
        _receipt(org, key, 0, code.value, digest, sender, "duplicate", outgoing_document_id=doc.id)
        return ImportResult(
            "duplicate", key, "Trạng thái này đã ghi nhận trước đó.", outgoing_document_id=doc.id
        )
    if _RANK.get(code.value, 0) >= _RANK.get(recipient.exchange_status, 0):
        recipient.exchange_status = code.value
        recipient.exchange_updated_at = utcnow()
    label = code.label_vi
    add_event(
        doc,
        "outgoing",
        None,
        "exchange_status",
        comment=f"{recipient.label}: {label}" + (f" — {msg.description}" if msg.description else ""),
        data={
            "recipient_id": recipient.id,
            "organ_id": sender,
            "status_code": code.value,
            "at": edxml.format_datetime(msg.timestamp),
        },
    )
    _receipt(org, key, 0, code.value, digest, sender, "status", outgoing_document_id=doc.id)
    return ImportResult("status", key, f"{recipient.label}: {label}", outgoing_document_id=doc.id)


def status_trail(doc) -> list[dict]:
    """Per recipient reached through the exchange: the statuses received, oldest first
    (for the document page)."""
    events = [e for e in events_of("outgoing", doc.id) if e.action == "exchange_status"]
    rows = db.session.execute(
        sa.select(OutboxMessage.recipient_id, OutboxMessage.signature_algorithm)
        .where(OutboxMessage.outgoing_document_id == doc.id, OutboxMessage.kind == "edoc",
               OutboxMessage.bussiness_doc_type == int(BussinessDocType.NEW))
        .order_by(OutboxMessage.id)
    ).tuples()
    signed = {recipient_id: algorithm for recipient_id, algorithm in rows}
    trail = []
    for r in doc.recipients:
        if not r.via_exchange:
            continue
        codes = [(e.data.get("status_code"), e.at) for e in events if e.data.get("recipient_id") == r.id]
        trail.append({"recipient": r, "codes": codes, "signature": signed.get(r.id, "")})
    return trail


def receipt_signature(doc) -> ExchangeReceipt | None:
    """The latest package received for this incoming document, for its signature state."""
    return db.session.scalar(
        sa.select(ExchangeReceipt)
        .where(ExchangeReceipt.incoming_document_id == doc.id,
               ExchangeReceipt.outcome.in_(("registered", "updated", "replaced", "revoked")))
        .order_by(ExchangeReceipt.id.desc())
        .limit(1)
    )


# --- delivery bookkeeping ---------------------------------------------------------------


def mark_delivered(row: OutboxMessage) -> None:
    row.delivered_at = utcnow()
    row.attempts += 1
    row.last_error = ""
    if row.kind != "edoc" or row.recipient_id is None:
        return
    recipient = db.session.get(Recipient, row.recipient_id)
    if row.bussiness_doc_type == int(BussinessDocType.NEW) and recipient is not None:
        if _RANK.get(recipient.exchange_status, 0) <= _RANK["sent"]:
            recipient.exchange_status, recipient.exchange_updated_at = "sent", utcnow()
        doc = db.session.get(OutgoingDocument, row.outgoing_document_id)
        add_event(
            doc,
            "outgoing",
            None,
            "exchange_sent",
            comment=recipient.label,
            data={"recipient_id": recipient.id, "organ_id": row.destination},
        )


FAILED_AFTER = 5


def mark_failed(row: OutboxMessage, error: str, retry_base: float, retry_max: float) -> None:
    row.attempts += 1
    row.last_error = error[:2000]
    delay = min(retry_max, retry_base * (2 ** (row.attempts - 1)))
    row.next_attempt_at = utcnow() + timedelta(seconds=delay)
    if row.kind == "edoc" and row.recipient_id and row.attempts >= FAILED_AFTER:
        recipient = db.session.get(Recipient, row.recipient_id)
        if recipient is not None and recipient.exchange_status in ("queued", ""):
            recipient.exchange_status, recipient.exchange_updated_at = "failed", utcnow()


# --- reading (the exchange page and API) --------------------------------------------------

EXCHANGE_PERMISSIONS = (
    Permission.MANAGE_INTEGRATION,
    Permission.ISSUE_OUTGOING,
    Permission.REGISTER_INCOMING,
)


def can_view(user: User) -> bool:
    return user.active and any(user.can(p) for p in EXCHANGE_PERMISSIONS)


def overview(actor: User, limit: int = 100) -> dict:
    """The organisation's outbox and receipts, newest first."""
    if not can_view(actor):
        raise forbidden()
    org_id = actor.organisation_id
    outbox = list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.organisation_id == org_id)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )
    receipts = list(
        db.session.scalars(
            sa.select(ExchangeReceipt)
            .where(ExchangeReceipt.organisation_id == org_id)
            .order_by(ExchangeReceipt.id.desc())
            .limit(limit)
        )
    )
    pending = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.organisation_id == org_id, OutboxMessage.delivered_at.is_(None))
    )
    return {"outbox": outbox, "receipts": receipts, "pending": pending,
            "agencies": _agency_names(org_id, outbox), "documents": _document_labels(outbox, receipts)}


def _agency_names(org_id: int, outbox: list[OutboxMessage]) -> dict[str, str]:
    """OrganId → the agency's name, as the clerk knows it: the names our recipients were
    given, then the names correspondents sent us."""
    names = {c.organ_id: c.name for c in db.session.scalars(
        sa.select(Correspondent).where(Correspondent.organisation_id == org_id))}
    recipient_ids = {m.recipient_id for m in outbox if m.recipient_id}
    if recipient_ids:
        for r in db.session.scalars(sa.select(Recipient).where(Recipient.id.in_(recipient_ids))):
            if r.organ_id and r.organ_name:
                names[r.organ_id] = r.organ_name
    return names


def _document_labels(outbox, receipts) -> dict[tuple[str, int], str]:
    """(direction, id) → the document as a clerk names it: its number and symbol, or its
    arrival number, with the start of its subject."""
    wanted: dict[str, set[int]] = {"outgoing": set(), "incoming": set()}
    for row in [*outbox, *receipts]:
        if row.outgoing_document_id:
            wanted["outgoing"].add(row.outgoing_document_id)
        if row.incoming_document_id:
            wanted["incoming"].add(row.incoming_document_id)
    labels: dict[tuple[str, int], str] = {}
    for doc in db.session.scalars(sa.select(OutgoingDocument).where(OutgoingDocument.id.in_(wanted["outgoing"]))):
        labels["outgoing", doc.id] = f"{doc.number_symbol or doc.type_label} — {doc.subject[:80]}"
    for incoming in db.session.scalars(
            sa.select(IncomingDocument).where(IncomingDocument.id.in_(wanted["incoming"]))):
        number = incoming.number_symbol or incoming.arrival_label
        labels["incoming", incoming.id] = f"{number} — {(incoming.subject or incoming.sender_name)[:80]}"
    return labels


def retry_now(actor: User, message_id: object) -> OutboxMessage:
    """Send a waiting message at the next pass of the worker instead of after its back-off
    (the hub was down, the network came back)."""
    if not can_view(actor):
        raise forbidden()
    row = get_scoped(OutboxMessage, message_id, actor, str(_l("Không tìm thấy gói tin.")))
    if row.delivered_at is not None:
        raise Conflict("already_delivered", str(_l("Gói tin này đã được gửi.")))
    row.next_attempt_at = utcnow()
    if row.recipient_id is not None:
        recipient = db.session.get(Recipient, row.recipient_id)
        if recipient is not None and recipient.exchange_status == "failed":
            recipient.exchange_status, recipient.exchange_updated_at = "queued", utcnow()
    return row
