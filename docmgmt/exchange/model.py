"""The edXML message model (QCVN 102:2016/BTTTT), as plain typed dataclasses.

Each dataclass mirrors one element of the standard; attribute names are the element
names in snake_case (``OrganAdd`` → ``organ_add``, ``From`` → ``from_``), and the
standard's own spelling is kept where it matters (``Bussiness``, double s). Values are
already cleaned: stripped, NFC, dates as ``date``/``datetime``; codes that real senders
fill with letters (``CodeNumber``) stay strings.

Also here: the date/time formats of the standard (``yyyy/MM/dd`` and
``yyyy/MM/dd HH:mm:ss``, Vietnam time) and the DocumentId helpers
(``OrganId,yyyy/MM/dd,number/notation``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from enum import IntEnum, StrEnum

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

# Times in edXML carry no zone; senders and the national hub mean Vietnam time (UTC+7,
# no daylight saving), so that is how we read and write them.
VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")


class BussinessDocType(IntEnum):
    """What a message does to the document it carries (``BussinessDocType``)."""

    NEW = 0  # văn bản mới
    REVOKE = 1  # thu hồi
    UPDATE = 2  # cập nhật
    REPLACE = 3  # thay thế


class StatusCode(StrEnum):
    """Processing statuses a recipient reports back to the sender (``StatusCode``)."""

    ARRIVED = "01"  # đã đến
    REFUSED = "02"  # từ chối tiếp nhận
    ACCEPTED = "03"  # đã tiếp nhận (vào sổ)
    ASSIGNED = "04"  # phân công
    IN_PROGRESS = "05"  # đang xử lý
    DONE = "06"  # hoàn thành
    RECALL_REQUESTED = "13"  # yêu cầu lấy lại
    RECALL_AGREED = "15"  # đồng ý lấy lại/cập nhật
    RECALL_REFUSED = "16"  # từ chối lấy lại/cập nhật

    @property
    def label_vi(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    StatusCode.ARRIVED: "Đã đến",
    StatusCode.REFUSED: "Từ chối tiếp nhận",
    StatusCode.ACCEPTED: "Đã tiếp nhận",
    StatusCode.ASSIGNED: "Phân công",
    StatusCode.IN_PROGRESS: "Đang xử lý",
    StatusCode.DONE: "Hoàn thành",
    StatusCode.RECALL_REQUESTED: "Yêu cầu lấy lại",
    StatusCode.RECALL_AGREED: "Đồng ý lấy lại/cập nhật",
    StatusCode.RECALL_REFUSED: "Từ chối lấy lại/cập nhật",
}


@dataclass
class Organisation:
    """``From`` / ``To``: an organisation on the exchange, identified by ``OrganId``."""

    organ_id: str
    organ_name: str | None = None
    organization_in_charge: str | None = None
    organ_add: str | None = None
    email: str | None = None
    telephone: str | None = None
    fax: str | None = None
    website: str | None = None


@dataclass
class Code:
    """``Code``: the document's number and notation (số và ký hiệu), e.g. 7816/VPCP-TTĐT.

    ``code_number`` is a string on purpose: real senders put letters in it.
    """

    code_number: str
    code_notation: str = ""

    def __str__(self) -> str:
        return (
            f"{self.code_number}/{self.code_notation}" if self.code_notation else (self.code_number)
        )

    @classmethod
    def from_text(cls, text: str) -> Code:
        """Split ``number/notation`` at the first slash (``33/2015/QĐ-UBND`` → 33)."""
        number, _, notation = text.strip().partition("/")
        return cls(number.strip(), notation.strip())


@dataclass
class PromulgationInfo:
    """``PromulgationInfo``: where and when the document was issued."""

    promulgation_date: date
    place: str | None = None


@dataclass
class DocumentType:
    """``DocumentType``: kind of document; ``type_name`` carries the meaning (Công văn)."""

    type: int | None = None
    type_detail: int | None = None
    type_name: str | None = None


@dataclass
class SignerInfo:
    """``SignerInfo``: who signed, with what authority (TL., KT., Q.)."""

    competence: str | None = None
    position: str | None = None
    full_name: str | None = None


@dataclass
class OtherInfo:
    """``OtherInfo``: priority (độ khẩn), sphere, typist, copies, pages, appendixes."""

    priority: int | None = None
    sphere_of_promulgation: str | None = None
    typer_notation: str | None = None
    promulgation_amount: int | None = None
    page_amount: int | None = None
    direction: bool | None = None
    appendixes: list[str] = field(default_factory=list)


@dataclass
class StaffInfo:
    """``StaffInfo``: the clerk who handled the message."""

    department: str | None = None
    staff: str | None = None
    mobile: str | None = None
    email: str | None = None


@dataclass
class ResponseFor:
    """``ResponseFor``: the earlier document a message answers or reports on.

    ``code`` stays the single ``number/notation`` string the senders put there.
    """

    organ_id: str | None = None
    code: str | None = None
    promulgation_date: date | None = None
    document_id: str | None = None


@dataclass
class TraceHeader:
    """``TraceHeader``: one hop of the message (who, when)."""

    organ_id: str
    timestamp: datetime


@dataclass
class Receiver:
    """``Receiver`` in a ``BussinessDocumentInfo/ReceiverList`` (update messages)."""

    organ_id: str
    receiver_type: int | None = None


@dataclass
class BussinessDocumentInfo:
    """``BussinessDocumentInfo``: what an update changes and for whom."""

    document_info: str | None = None
    document_receiver: str | None = None
    receiver_list: list[Receiver] = field(default_factory=list)


@dataclass
class ReplacementInfo:
    """``ReplacementInfo``: a document replaced by this one, and where it had gone."""

    document_id: str
    organ_ids: list[str] = field(default_factory=list)


@dataclass
class Bussiness:
    """``Bussiness`` (sic, as in the standard): new / revoke / update / replace."""

    bussiness_doc_type: BussinessDocType = BussinessDocType.NEW
    bussiness_doc_reason: str | None = None
    document_id: str | None = None
    bussiness_document_info: BussinessDocumentInfo | None = None
    paper: int | None = None
    staff_info: StaffInfo | None = None
    replacement_info_list: list[ReplacementInfo] = field(default_factory=list)


@dataclass
class Attachment:
    """An attachment: manifest ``Reference`` metadata plus the decoded bytes."""

    attachment_name: str
    data: bytes
    content_id: str | None = None
    content_type: str | None = None
    description: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def looks_like_zip(self) -> bool:
        """Do the bytes start like a ZIP archive? (Also true of .docx, .xlsx, .odt.)

        See ``attachments.is_sender_zipped`` for "did the sender zip this".
        """
        return self.data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


@dataclass
class EdocMessage:
    """An edXML document message (văn bản điện tử)."""

    from_: Organisation
    to: list[Organisation]
    code: Code
    promulgation_info: PromulgationInfo
    subject: str
    document_id: str | None = None
    document_type: DocumentType | None = None
    content: str | None = None
    signer_info: SignerInfo | None = None
    due_date: date | None = None
    other_info: OtherInfo | None = None
    response_for: list[ResponseFor] = field(default_factory=list)
    steering_type: int | None = None
    to_places: list[str] = field(default_factory=list)
    trace_headers: list[TraceHeader] = field(default_factory=list)
    bussiness: Bussiness | None = None
    attachments: list[Attachment] = field(default_factory=list)
    # A Signature element was present. Not verified here (parsing stays pure): the
    # import checks it with ``xmlsig.verify_package`` against the trust roots.
    signed: bool = False

    @property
    def doc_type(self) -> BussinessDocType:
        """The business action; a message without ``Bussiness`` is a new document."""
        return self.bussiness.bussiness_doc_type if self.bussiness else BussinessDocType.NEW

    @property
    def identity(self) -> str:
        """The DocumentId as sent, or the one the standard derives from the header.

        Receipt is idempotent on this value, so it is never recomputed when present:
        senders do send DocumentIds that disagree with their own header.
        """
        if self.document_id:
            return self.document_id
        return make_document_id(
            self.from_.organ_id, self.promulgation_info.promulgation_date, self.code
        )

    def affected_document_ids(self) -> list[str]:
        """For revoke/update/replace: DocumentIds of the earlier document, best first.

        The reference revocation names its target only by repeating the original's
        header DocumentId (its ``Bussiness`` has none), so that comes first; a
        ``Bussiness/DocumentId`` is the fallback. A replacement names the replaced
        documents in ``ReplacementInfoList``. A new document affects nothing.
        """
        if self.doc_type is BussinessDocType.NEW:
            return []
        candidates: list[str] = []
        if self.doc_type is BussinessDocType.REPLACE and self.bussiness:
            candidates += [r.document_id for r in self.bussiness.replacement_info_list]
        else:
            candidates.append(self.identity)
        if self.bussiness and self.bussiness.document_id:
            candidates.append(self.bussiness.document_id)
        return list(dict.fromkeys(c for c in candidates if c))


@dataclass
class StatusMessage:
    """An edXML status message (thông điệp trạng thái) about an earlier document."""

    from_: Organisation
    response_for: ResponseFor
    status_code: StatusCode
    timestamp: datetime
    description: str | None = None
    staff_info: StaffInfo | None = None


# --- DocumentId ---------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentIdParts:
    """The three parts of ``OrganId,yyyy/MM/dd,number/notation``.

    ``promulgation_date_text`` is kept as written because real messages carry
    impossible dates (``2014/02/30`` in the reference revocation); ``promulgation_date``
    is ``None`` then.
    """

    organ_id: str
    promulgation_date_text: str
    code: str

    @property
    def promulgation_date(self) -> date | None:
        return parse_date(self.promulgation_date_text)

    @property
    def code_parts(self) -> Code:
        return Code.from_text(self.code)


def make_document_id(organ_id: str, promulgation_date: date, code: Code | str) -> str:
    """Build ``OrganId,yyyy/MM/dd,number/notation``."""
    organ_id = organ_id.strip()
    code_text = str(code).strip()
    if not organ_id or "," in organ_id:
        raise ValueError(f"OrganId không hợp lệ cho DocumentId: {organ_id!r}")
    if not code_text:
        raise ValueError("Thiếu số và ký hiệu văn bản cho DocumentId")
    return f"{organ_id},{format_date(promulgation_date)},{code_text}"


def parse_document_id(text: str | None) -> DocumentIdParts | None:
    """Split a DocumentId; ``None`` when it is not of the standard form.

    Some senders use their own identifiers (a UUID in the reference's inner message);
    those are still valid identities, they just have no parts.
    """
    if not text:
        return None
    parts = [p.strip() for p in text.strip().split(",", 2)]
    if len(parts) != 3 or not all(parts):
        return None
    if not _DATE_SHAPE.fullmatch(parts[1]):
        return None
    return DocumentIdParts(parts[0], parts[1], parts[2])


# --- dates and times ----------------------------------------------------------------

_DATE_SHAPE = re.compile(r"\d{4}[/.-]\d{1,2}[/.-]\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}")
_DATETIME_RE = re.compile(
    r"""(?P<date>\d{4}[/.-]\d{1,2}[/.-]\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4})
        (?:[ T]+(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?)?
        \s*(?P<tz>Z|[+-]\d{2}:?\d{2})?""",
    re.X,
)


def _split_date(text: str) -> tuple[int, int, int]:
    a, b, c = re.split(r"[/.-]", text)
    if len(a) == 4:  # yyyy/MM/dd, the standard's form
        return int(a), int(b), int(c)
    return int(c), int(b), int(a)  # dd/MM/yyyy, what Vietnamese forms write


def parse_date(text: str | None) -> date | None:
    """Read a date; ``None`` if absent or impossible. Accepts a time part and ignores it."""
    moment = _parse_moment(text)
    return moment[0] if moment else None


def parse_datetime(text: str | None) -> datetime | None:
    """Read a timestamp as an aware datetime (Vietnam time unless a zone is given)."""
    moment = _parse_moment(text)
    if not moment:
        return None
    day, clock, tz = moment
    return datetime.combine(day, clock, tzinfo=tz).astimezone(VIETNAM_TZ)


def _parse_moment(text: str | None) -> tuple[date, time, timezone] | None:
    if not text:
        return None
    match = _DATETIME_RE.fullmatch(text.strip())
    if not match:
        return None
    try:
        day = date(*_split_date(match["date"]))
        clock = time(int(match["h"] or 0), int(match["m"] or 0), int(match["s"] or 0))
    except ValueError:
        return None
    return day, clock, _zone(match["tz"])


def _zone(text: str | None) -> timezone:
    if not text:
        return VIETNAM_TZ
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def format_date(value: date) -> str:
    # f-string rather than strftime: strftime does not zero-pad years below 1000.
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def format_datetime(value: datetime) -> str:
    """Write Vietnam time; a naive datetime is taken to be Vietnam time already."""
    if value.tzinfo is not None:
        value = value.astimezone(VIETNAM_TZ)
    return f"{format_date(value)} {value.hour:02d}:{value.minute:02d}:{value.second:02d}"
