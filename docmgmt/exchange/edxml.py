"""Parse and build edXML messages (QCVN 102:2016/BTTTT).

``parse_edxml`` turns bytes from the province into an ``EdocMessage`` (a document:
new, revoked, updated, replaced) or a ``StatusMessage`` (01 đã đến … 16); ``build_edoc``
and ``build_status`` turn ours into bytes. All refusals are ``EdxmlError`` with a
stable code, a Vietnamese message and the field concerned.

Liberal in what we accept, because real senders are messy (see the reference messages
in ../shared/reference/edxml): elements found by local name in the edXML namespace *or*
no namespace (the references put ``AttachmentEncoded`` sometimes unprefixed, sometimes
prefixed, and ``Signature`` in either namespace); children in any order; whitespace,
tabs and CRLF around values; empty optional elements (an all-empty ``ResponseFor``);
non-numeric ``CodeNumber``; DocumentIds that are not of the standard form or disagree
with the header; impossible dates where they are not needed; several date layouts.

Strict in what we send: the standard's element names (``Bussiness``, double s), the
namespace and prefixing of the reference messages (root ``edXML`` in the default
namespace, ``edXML:`` prefix inside the envelope, ``AttachmentEncoded`` outside it with
``edXML:ContentTransferEncoded``), their element order, ``yyyy/MM/dd`` dates and
``yyyy/MM/dd HH:mm:ss`` Vietnam times, values NFC without XML-illegal characters.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime

from lxml import etree

from .attachments import (
    DEFAULT_ZIP_LIMITS,
    ZipLimits,
    decode_base64,
    encode_base64,
    expand_attachments,
    is_sender_zipped,
    unzip_attachment,
)
from .errors import INVALID, MISSING, NAMESPACE, EdxmlError
from .limits import DEFAULT_LIMITS, MessageLimits, Watcher, check_length
from .model import (
    NAMESPACE as EDXML_NS,
)
from .model import (
    VIETNAM_TZ,
    Attachment,
    Bussiness,
    BussinessDocType,
    BussinessDocumentInfo,
    Code,
    DocumentIdParts,
    DocumentType,
    EdocMessage,
    Organisation,
    OtherInfo,
    PromulgationInfo,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusCode,
    StatusMessage,
    TraceHeader,
    format_date,
    format_datetime,
    make_document_id,
    parse_date,
    parse_datetime,
    parse_document_id,
)
from .safexml import DEFAULT_MAX_BYTES, parse_xml

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_ZIP_LIMITS",
    "EDXML_NS",
    "VIETNAM_TZ",
    "Attachment",
    "Bussiness",
    "BussinessDocType",
    "BussinessDocumentInfo",
    "Code",
    "DocumentIdParts",
    "DocumentType",
    "EdocMessage",
    "EdxmlError",
    "Organisation",
    "OtherInfo",
    "PromulgationInfo",
    "Receiver",
    "ReplacementInfo",
    "ResponseFor",
    "SignerInfo",
    "StaffInfo",
    "StatusCode",
    "StatusMessage",
    "TraceHeader",
    "ZipLimits",
    "addressees",
    "build_edoc",
    "build_status",
    "decode_base64",
    "expand_attachments",
    "format_date",
    "format_datetime",
    "is_sender_zipped",
    "make_document_id",
    "parse_date",
    "parse_datetime",
    "parse_document_id",
    "parse_edxml",
    "unzip_attachment",
]

_ACCEPTED_NS = (EDXML_NS, None)


# ======================================================================================
# Parsing
# ======================================================================================


def parse_edxml(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, limits: MessageLimits | None = None
) -> EdocMessage | StatusMessage:
    """Read an edXML message from bytes. Raises ``EdxmlError``; never touches disk/net.

    The message's shape is held to ``limits`` (``limits.DEFAULT_LIMITS``) while it is
    parsed, and the whole header is read before any attachment's base64 is decoded."""
    limits = limits or DEFAULT_LIMITS
    root = parse_xml(data, max_bytes=max_bytes, scan=Watcher(limits))
    _check_root(root)
    envelope = _require(root, "edXMLEnvelope", "edXML")
    header = _require(envelope, "edXMLHeader", "edXMLEnvelope")
    message_header = _require(header, "MessageHeader", "edXMLHeader")
    if _child(message_header, "StatusCode") is not None:
        return _read_status(message_header)
    return _read_edoc(root, envelope, header, message_header, limits)


def _check_root(root: etree._Element) -> None:
    # The root must really be in the namespace: an undeclared ``edXML:`` prefix, which
    # we forgive deeper down, is no namespace at all here.
    namespace, local = _split_tag(root) or (None, "")
    if not str(root.tag).startswith("{"):
        namespace = None
    if namespace != EDXML_NS:
        got = namespace or "không có"
        raise EdxmlError(
            NAMESPACE,
            "Gói tin không thuộc không gian tên (namespace) của QCVN 102:2016/BTTTT "
            f"({EDXML_NS}); gói tin dùng: {got}.",
            "edXML",
        )
    if local != "edXML":
        raise EdxmlError(
            MISSING,
            f"Gói tin không phải edXML: phần tử gốc là “{local}”, không phải “edXML”.",
            "edXML",
        )


# --- reading helpers ------------------------------------------------------------------


def _split_tag(node: etree._Element) -> tuple[str | None, str] | None:
    """``(namespace, local name)`` of an element; ``None`` for comments and PIs.

    Not ``etree.QName``: a message read in recover mode (see ``safexml``) keeps an
    undeclared prefix in the tag itself — the reference's inner message writes
    ``edXML:AttachmentEncoded`` outside the envelope that declares ``edXML``. Such a
    tag is ours when the prefix is ``edXML``.
    """
    tag = node.tag
    if not isinstance(tag, str):
        return None
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    prefix, colon, local = tag.partition(":")
    if not colon:
        return None, tag
    return (EDXML_NS if prefix.lower() == "edxml" else f"undeclared:{prefix}"), local


def _is_ours(node: etree._Element, name: str) -> bool:
    parts = _split_tag(node)
    return parts is not None and parts[1] == name and parts[0] in _ACCEPTED_NS


def _local_name(node: etree._Element) -> str | None:
    parts = _split_tag(node)
    return parts[1] if parts else None


def _children(parent: etree._Element | None, name: str) -> list[etree._Element]:
    if parent is None:
        return []
    return [node for node in parent if _is_ours(node, name)]


def _child(parent: etree._Element | None, name: str) -> etree._Element | None:
    found = _children(parent, name)
    return found[0] if found else None


def _require(parent: etree._Element, name: str, path: str) -> etree._Element:
    node = _child(parent, name)
    if node is not None:
        return node
    field = f"{path}/{name}"
    for other in parent:
        parts = _split_tag(other)
        if parts is not None and parts[1] == name:
            raise EdxmlError(
                NAMESPACE,
                f"Thành phần “{name}” nằm trong không gian tên “{parts[0]}”, "
                "không phải của QCVN 102:2016/BTTTT.",
                field,
            )
    raise _missing(field)


def _missing(field: str) -> EdxmlError:
    return EdxmlError(MISSING, f"Gói tin edXML thiếu thành phần bắt buộc: {field}.", field)


def _clean(text: str | None) -> str | None:
    """Stripped NFC text, or ``None`` when empty: senders pad values with tabs/CRLF."""
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text.strip())
    return text or None


def _text(parent: etree._Element | None, name: str) -> str | None:
    node = _child(parent, name)
    # itertext, not .text: a value split by a comment (<!-- --> inside it) stays whole.
    return None if node is None else _clean("".join(node.itertext()))


def _require_text(parent: etree._Element, name: str, path: str) -> str:
    value = _text(parent, name)
    if value is None:
        raise _missing(f"{path}/{name}")
    return value


def _int(parent: etree._Element | None, name: str) -> int | None:
    value = _text(parent, name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None  # optional number we cannot read: not worth refusing a document


def _bool(parent: etree._Element | None, name: str) -> bool | None:
    value = (_text(parent, name) or "").lower()
    return {"true": True, "1": True, "false": False, "0": False}.get(value)


def _required_date(parent: etree._Element, name: str, path: str) -> date:
    text = _require_text(parent, name, path)
    value = parse_date(text)
    if value is None:
        raise _invalid(f"{path}/{name}", text, "ngày phải có dạng yyyy/MM/dd")
    return value


def _required_datetime(parent: etree._Element, name: str, path: str) -> datetime:
    text = _require_text(parent, name, path)
    value = parse_datetime(text)
    if value is None:
        raise _invalid(f"{path}/{name}", text, "thời điểm phải có dạng yyyy/MM/dd HH:mm:ss")
    return value


def _invalid(field: str, value: str, reason: str) -> EdxmlError:
    return EdxmlError(INVALID, f"Giá trị “{value}” của {field} không hợp lệ: {reason}.", field)


# --- document messages ----------------------------------------------------------------


def _read_edoc(
    root: etree._Element,
    envelope: etree._Element,
    header: etree._Element,
    mh: etree._Element,
    limits: MessageLimits = DEFAULT_LIMITS,
) -> EdocMessage:
    path = "MessageHeader"
    recipients = _children(mh, "To")
    if not recipients:
        raise _missing(f"{path}/To")
    code_node = _require(mh, "Code", path)
    code = Code(
        code_number=_require_text(code_node, "CodeNumber", f"{path}/Code"),
        code_notation=_text(code_node, "CodeNotation") or "",
    )
    # Number and notation each fit; together they must fit the register's column too.
    check_length(str(code), limits.number_symbol_chars, f"{path}/Code")
    promulgation = _require(mh, "PromulgationInfo", path)
    traces = _child(header, "TraceHeaderList")
    message = EdocMessage(
        from_=_read_organisation(_require(mh, "From", path), f"{path}/From"),
        to=[_read_organisation(node, f"{path}/To") for node in recipients],
        document_id=_text(mh, "DocumentId"),
        code=code,
        promulgation_info=PromulgationInfo(
            promulgation_date=_required_date(
                promulgation, "PromulgationDate", f"{path}/PromulgationInfo"
            ),
            place=_text(promulgation, "Place"),
        ),
        document_type=_read_document_type(_child(mh, "DocumentType")),
        subject=_require_text(mh, "Subject", path),
        content=_text(mh, "Content"),
        signer_info=_read_signer(_child(mh, "SignerInfo")),
        due_date=parse_date(_text(mh, "DueDate")),
        other_info=_read_other_info(_child(mh, "OtherInfo")),
        response_for=[r for r in map(_read_response_for, _children(mh, "ResponseFor")) if r],
        steering_type=_int(mh, "SteeringType"),
        to_places=_texts(_child(mh, "ToPlaces"), "Place"),
        trace_headers=[_read_trace_header(node) for node in _children(traces, "TraceHeader")],
        bussiness=_read_bussiness(_child(traces, "Bussiness")),
        signed=any(_local_name(node) == "Signature" for node in header),
    )
    # Last: only a message whose header is complete and within limits costs a decode.
    message.attachments = _read_attachments(root, envelope)
    return message


def _texts(parent: etree._Element | None, name: str) -> list[str]:
    return [t for t in (_clean("".join(n.itertext())) for n in _children(parent, name)) if t]


def _read_organisation(node: etree._Element, path: str) -> Organisation:
    return Organisation(
        organ_id=_require_text(node, "OrganId", path),
        organ_name=_text(node, "OrganName"),
        organization_in_charge=_text(node, "OrganizationInCharge"),
        organ_add=_text(node, "OrganAdd"),
        email=_text(node, "Email"),
        telephone=_text(node, "Telephone"),
        fax=_text(node, "Fax"),
        website=_text(node, "Website"),
    )


def _read_document_type(node: etree._Element | None) -> DocumentType | None:
    if node is None:
        return None
    return DocumentType(
        type=_int(node, "Type"),
        type_detail=_int(node, "TypeDetail"),
        type_name=_text(node, "TypeName"),
    )


def _read_signer(node: etree._Element | None) -> SignerInfo | None:
    if node is None:
        return None
    return SignerInfo(
        competence=_text(node, "Competence"),
        position=_text(node, "Position"),
        full_name=_text(node, "FullName"),
    )


def _read_other_info(node: etree._Element | None) -> OtherInfo | None:
    if node is None:
        return None
    return OtherInfo(
        priority=_int(node, "Priority"),
        sphere_of_promulgation=_text(node, "SphereOfPromulgation"),
        typer_notation=_text(node, "TyperNotation"),
        promulgation_amount=_int(node, "PromulgationAmount"),
        page_amount=_int(node, "PageAmount"),
        direction=_bool(node, "Direction"),
        appendixes=_texts(_child(node, "Appendixes"), "Appendix"),
    )


def _read_response_for(node: etree._Element) -> ResponseFor | None:
    """An all-empty ``ResponseFor`` (real senders send one) means there is none."""
    response = ResponseFor(
        organ_id=_text(node, "OrganId"),
        code=_text(node, "Code"),
        promulgation_date=parse_date(_text(node, "PromulgationDate")),
        document_id=_text(node, "DocumentId"),
    )
    if not any((response.organ_id, response.code, response.document_id)):
        return None
    return response


def _read_staff(node: etree._Element | None) -> StaffInfo | None:
    if node is None:
        return None
    staff = StaffInfo(
        department=_text(node, "Department"),
        staff=_text(node, "Staff"),
        mobile=_text(node, "Mobile"),
        email=_text(node, "Email"),
    )
    return staff if any(vars(staff).values()) else None


def _read_trace_header(node: etree._Element) -> TraceHeader:
    path = "TraceHeaderList/TraceHeader"
    return TraceHeader(
        organ_id=_require_text(node, "OrganId", path),
        timestamp=_required_datetime(node, "Timestamp", path),
    )


def _read_bussiness(node: etree._Element | None) -> Bussiness | None:
    if node is None:
        return None
    path = "TraceHeaderList/Bussiness"
    raw_type = _text(node, "BussinessDocType")
    try:
        doc_type = BussinessDocType(int(raw_type)) if raw_type else BussinessDocType.NEW
    except ValueError:
        raise _invalid(
            f"{path}/BussinessDocType",
            raw_type or "",
            "chỉ nhận 0 (mới), 1 (thu hồi), 2 (cập nhật), 3 (thay thế)",
        ) from None
    return Bussiness(
        bussiness_doc_type=doc_type,
        bussiness_doc_reason=_text(node, "BussinessDocReason"),
        document_id=_text(node, "DocumentId"),
        bussiness_document_info=_read_bussiness_document_info(
            _child(node, "BussinessDocumentInfo")
        ),
        paper=_int(node, "Paper"),
        staff_info=_read_staff(_child(node, "StaffInfo")),
        replacement_info_list=[
            _read_replacement(r)
            for r in _children(_child(node, "ReplacementInfoList"), "ReplacementInfo")
            if _text(r, "DocumentId")
        ],
    )


def _read_bussiness_document_info(node: etree._Element | None) -> BussinessDocumentInfo | None:
    if node is None:
        return None
    receivers = [
        Receiver(organ_id=organ_id, receiver_type=_int(r, "ReceiverType"))
        for r in _children(_child(node, "ReceiverList"), "Receiver")
        if (organ_id := _text(r, "OrganId"))
    ]
    return BussinessDocumentInfo(
        document_info=_text(node, "DocumentInfo"),
        document_receiver=_text(node, "DocumentReceiver"),
        receiver_list=receivers,
    )


def _read_replacement(node: etree._Element) -> ReplacementInfo:
    return ReplacementInfo(
        document_id=_text(node, "DocumentId") or "",
        organ_ids=_texts(_child(node, "OrganIdList"), "OrganId"),
    )


# --- attachments ----------------------------------------------------------------------


def _read_attachments(root: etree._Element, envelope: etree._Element) -> list[Attachment]:
    """Join manifest ``Reference``s (in the envelope) with ``Attachment`` data (outside).

    Matched by ContentId; the data element's own metadata wins, the manifest fills gaps
    (the reference's inner message leaves ContentType out of the manifest).
    """
    manifest = _child(_child(envelope, "edXMLBody"), "edXMLManifest")
    references = {_text(r, "ContentId"): r for r in _children(manifest, "Reference")}
    attachments: list[Attachment] = []
    seen: set[str | None] = set()
    for index, node in enumerate(_children(_child(root, "AttachmentEncoded"), "Attachment"), 1):
        content_id = _text(node, "ContentId")
        reference = references.get(content_id) if content_id else None

        def meta(
            name: str, node: etree._Element = node, reference: etree._Element | None = reference
        ) -> str | None:
            return _text(node, name) or _text(reference, name)

        name = meta("AttachmentName") or meta("Description") or content_id or f"tep-{index}"
        payload = _child(node, "ContentTransferEncoded")
        field = "AttachmentEncoded/Attachment/ContentTransferEncoded"
        if payload is None:
            raise EdxmlError(
                MISSING, f"Tệp đính kèm “{name}” không có nội dung (ContentTransferEncoded).", field
            )
        attachments.append(
            Attachment(
                attachment_name=name,
                data=decode_base64("".join(payload.itertext()), name=name, field=field),
                content_id=content_id,
                content_type=meta("ContentType"),
                description=meta("Description"),
            )
        )
        seen.add(content_id)
    for content_id, reference in references.items():
        if content_id and content_id not in seen:
            name = _text(reference, "AttachmentName") or content_id or "?"
            raise EdxmlError(
                MISSING,
                f"Tệp đính kèm “{name}” có trong danh mục (edXMLManifest) nhưng gói tin "
                "không chứa nội dung của tệp.",
                "AttachmentEncoded/Attachment",
            )
    return attachments


# --- who a message is for --------------------------------------------------------------


def addressees(msg: EdocMessage | StatusMessage) -> list[str]:
    """The OrganIds a message is for, in order, once each: a document's ``To``; for a
    status, the organisation of the document it reports on (``ResponseFor/OrganId``,
    else the issuer its ``DocumentId`` names). The hub routes by this, and a receiver
    takes only what names it (``operations.check_addressed``)."""
    if isinstance(msg, StatusMessage):
        response = msg.response_for
        parts = parse_document_id(response.document_id or "")
        organ = response.organ_id or (parts.organ_id if parts else None)
        return [organ] if organ else []
    return list(dict.fromkeys(o.organ_id for o in msg.to if o.organ_id))


# --- status messages ------------------------------------------------------------------


def _read_status(mh: etree._Element) -> StatusMessage:
    path = "MessageHeader"
    response = _read_response_for(_require(mh, "ResponseFor", path))
    if response is None or not (response.document_id or (response.organ_id and response.code)):
        raise EdxmlError(
            MISSING,
            "Thông điệp trạng thái không cho biết văn bản nào (ResponseFor cần DocumentId, "
            "hoặc OrganId và Code).",
            f"{path}/ResponseFor",
        )
    return StatusMessage(
        from_=_read_organisation(_require(mh, "From", path), f"{path}/From"),
        response_for=response,
        status_code=_read_status_code(_require_text(mh, "StatusCode", path)),
        timestamp=_required_datetime(mh, "Timestamp", path),
        description=_text(mh, "Description"),
        staff_info=_read_staff(_child(mh, "StaffInfo")),
    )


def _read_status_code(text: str) -> StatusCode:
    try:
        return StatusCode(text.zfill(2))  # "3" → "03": some senders drop the zero
    except ValueError:
        allowed = ", ".join(code.value for code in StatusCode)
        raise _invalid(
            "MessageHeader/StatusCode", text, f"mã trạng thái phải là một trong {allowed}"
        ) from None


# ======================================================================================
# Building
# ======================================================================================

_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# Characters XML 1.0 cannot carry at all; a stray control character in a subject typed
# into a form must not make the whole message unreadable at the other end.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def build_edoc(msg: EdocMessage) -> bytes:
    """Serialise a document message. Raises ``EdxmlError`` if a required part is missing.

    Defaults filled in, since the standard requires them: the DocumentId derived from
    the header, a TraceHeader for the sender now, and a ``Bussiness`` of type new.
    Unsigned: ``xmlsig.sign_package`` adds the organisation's XML signature when the
    outbox takes the message (``signatures.sign_outgoing``).
    """
    _check_edoc(msg)
    root, envelope = _skeleton()
    header = _sub(envelope, "edXMLHeader")
    mh = _sub(header, "MessageHeader")
    _write_organisation(mh, "From", msg.from_, _EDOC_ORGAN_ORDER)
    for recipient in msg.to:
        _write_organisation(mh, "To", recipient, _EDOC_ORGAN_ORDER)
    document_id = msg.identity
    _leaf(mh, "DocumentId", document_id)
    code = _sub(mh, "Code")
    _leaf(code, "CodeNumber", msg.code.code_number)
    _leaf(code, "CodeNotation", msg.code.code_notation)
    promulgation = _sub(mh, "PromulgationInfo")
    _leaf(promulgation, "Place", msg.promulgation_info.place)
    _leaf(promulgation, "PromulgationDate", format_date(msg.promulgation_info.promulgation_date))
    _write_document_type(mh, msg.document_type)
    _leaf(mh, "Subject", msg.subject)
    _leaf(mh, "Content", msg.content)
    _write_signer(mh, msg.signer_info)
    _leaf(mh, "DueDate", msg.due_date and format_date(msg.due_date))
    _write_other_info(mh, msg.other_info)
    for response in msg.response_for:
        _write_response_for(mh, response, _EDOC_RESPONSE_ORDER)
    _leaf(mh, "SteeringType", msg.steering_type)
    _write_list(mh, "ToPlaces", "Place", msg.to_places)
    _write_traces(header, msg, document_id)
    _write_attachments(root, envelope, msg.attachments)
    return _serialise(root)


def build_status(msg: StatusMessage) -> bytes:
    """Serialise a status message (From, ResponseFor, StaffInfo, StatusCode, …)."""
    _check_status(msg)
    root, envelope = _skeleton()
    mh = _sub(_sub(envelope, "edXMLHeader"), "MessageHeader")
    _write_organisation(mh, "From", msg.from_, _STATUS_ORGAN_ORDER)
    _write_response_for(mh, msg.response_for, _STATUS_RESPONSE_ORDER)
    _write_staff(mh, msg.staff_info, _STATUS_STAFF_ORDER)
    _leaf(mh, "StatusCode", StatusCode(msg.status_code).value)
    _leaf(mh, "Description", msg.description)
    _leaf(mh, "Timestamp", format_datetime(msg.timestamp))
    return _serialise(root)


# --- what must be there before we send ------------------------------------------------


def _check_edoc(msg: EdocMessage) -> None:
    path = "MessageHeader"
    _need(msg.from_.organ_id, f"{path}/From/OrganId")
    _need(msg.to, f"{path}/To")
    for recipient in msg.to:
        _need(recipient.organ_id, f"{path}/To/OrganId")
    _need(msg.code.code_number, f"{path}/Code/CodeNumber")
    _need(msg.subject, f"{path}/Subject")
    for index, attachment in enumerate(msg.attachments, 1):
        _need(attachment.attachment_name, f"AttachmentEncoded/Attachment[{index}]/AttachmentName")
    if msg.document_id is None:
        try:
            make_document_id(msg.from_.organ_id, msg.promulgation_info.promulgation_date, msg.code)
        except ValueError as exc:
            raise EdxmlError(INVALID, str(exc), f"{path}/DocumentId") from None


def _check_status(msg: StatusMessage) -> None:
    path = "MessageHeader"
    _need(msg.from_.organ_id, f"{path}/From/OrganId")
    response = msg.response_for
    if not (response.document_id or (response.organ_id and response.code)):
        raise _missing(f"{path}/ResponseFor/DocumentId")
    try:
        StatusCode(msg.status_code)
    except ValueError:
        raise _invalid(
            f"{path}/StatusCode", str(msg.status_code), "mã trạng thái không có trong quy chuẩn"
        ) from None


def _need(value: object, field: str) -> None:
    if not value or (isinstance(value, str) and not value.strip()):
        raise _missing(field)


# --- writing helpers ------------------------------------------------------------------

_EDOC_ORGAN_ORDER = (
    "OrganId",
    "OrganizationInCharge",
    "OrganName",
    "OrganAdd",
    "Email",
    "Telephone",
    "Fax",
    "Website",
)
_STATUS_ORGAN_ORDER = (
    "OrganId",
    "OrganName",
    "OrganizationInCharge",
    "OrganAdd",
    "Email",
    "Telephone",
    "Fax",
    "Website",
)
# The references order StaffInfo and ResponseFor differently in a status and in a
# document message; we follow each.
_EDOC_RESPONSE_ORDER = ("OrganId", "Code", "DocumentId", "PromulgationDate")
_STATUS_RESPONSE_ORDER = ("OrganId", "Code", "PromulgationDate", "DocumentId")
_STATUS_STAFF_ORDER = ("Department", "Staff", "Mobile", "Email")
_BUSSINESS_STAFF_ORDER = ("Department", "Staff", "Email", "Mobile")

_ORGAN_FIELDS = {
    "OrganId": "organ_id",
    "OrganName": "organ_name",
    "OrganizationInCharge": "organization_in_charge",
    "OrganAdd": "organ_add",
    "Email": "email",
    "Telephone": "telephone",
    "Fax": "fax",
    "Website": "website",
}
_STAFF_FIELDS = {"Department": "department", "Staff": "staff", "Mobile": "mobile", "Email": "email"}


def _q(name: str) -> str:
    return f"{{{EDXML_NS}}}{name}"


def _skeleton() -> tuple[etree._Element, etree._Element]:
    # Default namespace on the root, the edXML prefix declared on the envelope: lxml
    # then writes edXML: inside the envelope and no prefix outside, as the references.
    root = etree.Element(_q("edXML"), nsmap={None: EDXML_NS})
    envelope = etree.SubElement(root, _q("edXMLEnvelope"), nsmap={"edXML": EDXML_NS})
    return root, envelope


def _sub(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, _q(name))


def _xml_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _XML_ILLEGAL.sub("", unicodedata.normalize("NFC", str(value).strip()))


def _leaf(parent: etree._Element, name: str, value: object) -> None:
    """Write ``<name>value</name>``; nothing at all for ``None`` or empty text."""
    if value is None:
        return
    text = _xml_text(value)
    if text:
        _sub(parent, name).text = text


def _write_fields(
    parent: etree._Element, obj: object, order: Iterable[str], fields: dict[str, str]
) -> None:
    for name in order:
        _leaf(parent, name, getattr(obj, fields[name]))


def _write_organisation(
    parent: etree._Element, tag: str, organ: Organisation, order: tuple[str, ...]
) -> None:
    _write_fields(_sub(parent, tag), organ, order, _ORGAN_FIELDS)


def _write_staff(parent: etree._Element, staff: StaffInfo | None, order: tuple[str, ...]) -> None:
    if staff is not None and any(vars(staff).values()):
        _write_fields(_sub(parent, "StaffInfo"), staff, order, _STAFF_FIELDS)


def _write_list(parent: etree._Element, tag: str, item: str, values: list[str]) -> None:
    values = [v for v in values if v and v.strip()]
    if values:
        node = _sub(parent, tag)
        for value in values:
            _leaf(node, item, value)


def _write_group(parent: etree._Element, tag: str, leaves: Iterable[tuple[str, object]]) -> None:
    leaves = [(name, value) for name, value in leaves if value is not None and value != ""]
    if leaves:
        node = _sub(parent, tag)
        for name, value in leaves:
            _leaf(node, name, value)


def _write_document_type(parent: etree._Element, doc_type: DocumentType | None) -> None:
    if doc_type is not None:
        _write_group(
            parent,
            "DocumentType",
            (
                ("Type", doc_type.type),
                ("TypeDetail", doc_type.type_detail),
                ("TypeName", doc_type.type_name),
            ),
        )


def _write_signer(parent: etree._Element, signer: SignerInfo | None) -> None:
    if signer is not None:
        _write_group(
            parent,
            "SignerInfo",
            (
                ("Competence", signer.competence),
                ("Position", signer.position),
                ("FullName", signer.full_name),
            ),
        )


def _write_other_info(parent: etree._Element, other: OtherInfo | None) -> None:
    if other is None:
        return
    node = _sub(parent, "OtherInfo")
    _leaf(node, "Priority", other.priority)
    _leaf(node, "SphereOfPromulgation", other.sphere_of_promulgation)
    _leaf(node, "TyperNotation", other.typer_notation)
    _leaf(node, "PromulgationAmount", other.promulgation_amount)
    _leaf(node, "PageAmount", other.page_amount)
    _leaf(node, "Direction", other.direction)
    _write_list(node, "Appendixes", "Appendix", other.appendixes)
    if len(node) == 0:
        parent.remove(node)


def _write_response_for(
    parent: etree._Element, response: ResponseFor, order: tuple[str, ...]
) -> None:
    values = {
        "OrganId": response.organ_id,
        "Code": response.code,
        "PromulgationDate": response.promulgation_date and format_date(response.promulgation_date),
        "DocumentId": response.document_id,
    }
    _write_group(parent, "ResponseFor", ((name, values[name]) for name in order))


def _write_traces(header: etree._Element, msg: EdocMessage, document_id: str) -> None:
    traces = msg.trace_headers or [
        TraceHeader(organ_id=msg.from_.organ_id, timestamp=datetime.now(VIETNAM_TZ))
    ]
    trace_list = _sub(header, "TraceHeaderList")
    for trace in traces:
        node = _sub(trace_list, "TraceHeader")
        _leaf(node, "OrganId", trace.organ_id)
        _leaf(node, "Timestamp", format_datetime(trace.timestamp))
    _write_bussiness(trace_list, msg.bussiness or Bussiness(document_id=document_id))


def _write_bussiness(parent: etree._Element, bussiness: Bussiness) -> None:
    node = _sub(parent, "Bussiness")
    _leaf(node, "DocumentId", bussiness.document_id)
    _leaf(node, "BussinessDocType", int(bussiness.bussiness_doc_type))
    _leaf(node, "BussinessDocReason", bussiness.bussiness_doc_reason)
    info = bussiness.bussiness_document_info
    if info is not None:
        info_node = _sub(node, "BussinessDocumentInfo")
        _leaf(info_node, "DocumentInfo", info.document_info)
        _leaf(info_node, "DocumentReceiver", info.document_receiver)
        if info.receiver_list:
            receivers = _sub(info_node, "ReceiverList")
            for receiver in info.receiver_list:
                receiver_node = _sub(receivers, "Receiver")
                _leaf(receiver_node, "ReceiverType", receiver.receiver_type)
                _leaf(receiver_node, "OrganId", receiver.organ_id)
    _leaf(node, "Paper", bussiness.paper)
    _write_staff(node, bussiness.staff_info, _BUSSINESS_STAFF_ORDER)
    if bussiness.replacement_info_list:
        replacements = _sub(node, "ReplacementInfoList")
        for replacement in bussiness.replacement_info_list:
            replacement_node = _sub(replacements, "ReplacementInfo")
            _leaf(replacement_node, "DocumentId", replacement.document_id)
            _write_list(replacement_node, "OrganIdList", "OrganId", replacement.organ_ids)


def _write_attachments(
    root: etree._Element, envelope: etree._Element, attachments: list[Attachment]
) -> None:
    if not attachments:
        return
    manifest = _sub(_sub(envelope, "edXMLBody"), "edXMLManifest")
    manifest.set("version", "1.0")
    encoded = _sub(root, "AttachmentEncoded")
    for index, attachment in enumerate(attachments, 1):
        content_id = attachment.content_id or f"cid:{index}"
        content_type = attachment.content_type or _guess_type(attachment.attachment_name)
        reference = _sub(manifest, "Reference")
        _leaf(reference, "ContentId", content_id)
        _leaf(reference, "ContentType", content_type)
        _leaf(reference, "Description", attachment.description)
        _leaf(reference, "AttachmentName", attachment.attachment_name)
        node = _sub(encoded, "Attachment")
        _leaf(node, "ContentId", content_id)
        _leaf(node, "AttachmentName", attachment.attachment_name)
        _leaf(node, "Description", attachment.description)
        _leaf(node, "ContentType", content_type)
        # Re-declaring the prefix here is what the reference messages do.
        payload = etree.SubElement(node, _q("ContentTransferEncoded"), nsmap={"edXML": EDXML_NS})
        payload.text = encode_base64(attachment.data)


def _guess_type(name: str) -> str:
    return mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"


def _serialise(root: etree._Element) -> bytes:
    etree.indent(root, space="  ")
    return _XML_DECLARATION + etree.tostring(root, encoding="UTF-8") + b"\n"
