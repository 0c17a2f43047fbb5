"""How much a received edXML message may hold: named limits, checked while it is read.

A message over any limit is refused whole — never truncated, never half-stored — with
a stable code and the element concerned (``EdxmlError.field``):

- ``edxml_too_many``  more repeats of an element than any real message has (``To``,
  ``ResponseFor``, ``TraceHeader``, attachments…), or too many elements in all;
- ``edxml_too_long``  a value longer than the register column it goes into (or, for
  values we do not keep, than any real one), or an oversized attribute;
- ``edxml_too_deep``  elements nested deeper than the standard's structure goes;
- ``edxml_too_large`` an attachment (or all of them together) bigger than allowed,
  judged from the length of its base64 text, before it is decoded.

:class:`Watcher` applies them to the parser's events (``safexml.parse_xml``), so a
message with 100,000 ``To`` stops at the 1,001st, before the rest of it is read, before
any base64 is decoded and long before anything is stored or a sandbox is started for
an attachment.

Why these numbers (the reference messages in shared/reference/edxml have depth 8, at
most 118 elements, 3 ``To``, 1 attachment, values of at most 67 characters):

- ``To``/``Place``/``Receiver``/``OrganId`` lists: 1,000. A province-wide circular
  goes to every commune and department of a province on the exchange — a few hundred
  at most — in one message.
- ``ResponseFor``, ``TraceHeader``, ``ReplacementInfo``: 50. A trace header is added
  per hop (1-3 in practice); a document answers or replaces a handful of others.
- Attachments: 30, and 30 files once zipped attachments are unzipped. A document and
  its appendices are a few files; each received file costs a sandboxed check and a
  text extraction (about 0.3-0.6 s), so 30 keeps the worst message to seconds, where
  150 took 100 s.
- 25 MiB per attachment (decoded), 40 MiB in all: a long scanned document is a few
  MiB; the whole message is limited to 50 MiB of base64 (``safexml``) anyway.
- Lengths: what the register keeps (``IncomingCreateSchema`` and the exchange tables:
  OrganId 64, agency name 200, DocumentId 255, number/notation 50, subject 500, signer
  150, field 128, file name 255), checked by tests/exchange/test_hostile_edxml.py;
  values we do not keep get room far beyond any real one (``Content`` 20,000, anything
  else 4,000, a certificate 16,384).
- Depth 24 (the standard needs 9), 20,000 elements, 16 attributes of at most 1,024
  characters per element (edXML uses attributes only in the XML signature).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .errors import TOO_DEEP, TOO_LARGE, TOO_LONG, TOO_MANY, EdxmlError

MIB = 1024 * 1024

# How many times an element may repeat under one parent (elements not named here are
# bounded only by ``max_elements``). ``Attachment`` and ``Reference`` use
# ``max_attachments``.
REPEATS: Mapping[str, int] = MappingProxyType({
    "To": 1_000,
    "Place": 1_000,
    "Receiver": 1_000,
    "OrganId": 1_000,  # Bussiness/ReplacementInfoList/…/OrganIdList
    "ResponseFor": 50,
    "TraceHeader": 50,
    "ReplacementInfo": 50,
    "Appendix": 100,
    "X509Certificate": 10,
})

# Characters (NFC, surrounding whitespace stripped) per element, by local name or by
# ``Parent/Name``; all the text inside the element counts, as the parser reads it.
# Where a value goes into a column, the limit is that column's (module docstring).
# Any other element without children gets ``max_text_chars``.
LENGTHS: Mapping[str, int] = MappingProxyType({
    "OrganId": 64,  # Correspondent.organ_id, ExchangeReceipt.sender_organ_id, sổ đến
    "OrganName": 200,  # sổ đến: tên cơ quan gửi
    "OrganizationInCharge": 200,  # the sender's name when OrganName is empty
    "OrganAdd": 500,
    "Email": 255,
    "Telephone": 64,
    "Fax": 64,
    "Mobile": 64,
    "Website": 255,
    "DocumentId": 255,  # ExchangeReceipt.document_id, OutboxMessage.document_id
    "CodeNumber": 50,  # sổ đến: số, ký hiệu (number and notation together: 50)
    "CodeNotation": 50,
    "ResponseFor/Code": 50,  # a number/notation (MessageHeader/Code is a container)
    "Subject": 500,  # sổ đến: trích yếu
    "Content": 20_000,
    "FullName": 150,  # sổ đến: người ký
    "Position": 255,
    "Competence": 255,
    "SphereOfPromulgation": 128,  # sổ đến: lĩnh vực
    "TyperNotation": 64,
    "TypeName": 100,
    "Place": 255,
    "Appendix": 500,
    "Department": 255,
    "Staff": 255,
    "Description": 2_000,
    "BussinessDocReason": 1_000,
    "DocumentInfo": 1_000,
    "DocumentReceiver": 1_000,
    "AttachmentName": 255,  # StoredFile.original_name
    "ContentId": 255,
    "ContentType": 255,
    "X509Certificate": 16_384,
    # Numbers, codes, dates and flags.
    "Type": 16, "TypeDetail": 16, "Priority": 16, "PromulgationAmount": 16,
    "PageAmount": 16, "SteeringType": 16, "Paper": 16, "ReceiverType": 16,
    "BussinessDocType": 16, "Direction": 16, "StatusCode": 16,
    "PromulgationDate": 32, "DueDate": 32, "Timestamp": 32,
})

# The path of an element in a refusal starts below these (as the parser's own fields:
# ``MessageHeader/To``, ``AttachmentEncoded/Attachment``).
_ENVELOPE = ("edXML", "edXMLEnvelope", "edXMLHeader")


@dataclass(frozen=True)
class MessageLimits:
    max_depth: int = 24
    max_elements: int = 20_000
    max_attributes: int = 16
    max_attribute_chars: int = 1_024
    max_text_chars: int = 4_000
    max_attachments: int = 30
    max_attachment_bytes: int = 25 * MIB
    max_total_attachment_bytes: int = 40 * MIB
    number_symbol_chars: int = 50  # Code as "number/notation", as the register keeps it
    repeats: Mapping[str, int] = field(default_factory=lambda: REPEATS)
    lengths: Mapping[str, int] = field(default_factory=lambda: LENGTHS)

    def repeat_limit(self, name: str) -> int | None:
        if name in ("Attachment", "Reference"):
            return self.max_attachments
        return self.repeats.get(name)

    def length_limit(self, name: str) -> int:
        return self.lengths.get(name, self.max_text_chars)


DEFAULT_LIMITS = MessageLimits()


def local_name(tag: object) -> str:
    """``{ns}Name`` or ``prefix:Name`` (an undeclared prefix read in recover mode) → Name."""
    text = str(tag)
    if text.startswith("{"):
        return text.rpartition("}")[2]
    return text.rpartition(":")[2]


def path_of(names: list[str]) -> str:
    start = 0
    while start < len(names) and start < len(_ENVELOPE) and names[start] == _ENVELOPE[start]:
        start += 1
    return "/".join(names[start:]) or "/".join(names)


_WHITESPACE = " \t\r\n"


class _Open:
    """An element being read: its name, its children so far, its text so far."""

    __slots__ = ("name", "limit", "children", "chars", "parts", "has_children")

    def __init__(self, name: str, limit: int | None) -> None:
        self.name = name
        self.limit = limit  # None: not measured (a container, or the base64 payload)
        self.children: Counter[str] = Counter()
        self.chars = 0  # all text inside it, as ``itertext`` (the parser's reading) sees it
        self.parts: list[str] | None = []  # kept while small enough to measure exactly
        self.has_children = False


class Watcher:
    """A parser target (``safexml.parse_xml(scan=…)``): sees each element start, its
    text and its end without any tree being built, and raises ``EdxmlError`` at the
    first limit passed. One per parse."""

    def __init__(self, limits: MessageLimits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.stack: list[_Open] = [_Open("", None)]
        self.elements = 0
        self.attachments = 0
        self.attachment_bytes = 0
        self.payload: int | None = None  # base64 characters of the attachment being read

    def _names(self) -> list[str]:
        return [entry.name for entry in self.stack[1:]]

    def _path(self) -> str:
        return path_of(self._names())

    def start(self, tag: object, attrib: dict, nsmap: object = None) -> None:
        limits = self.limits
        name = local_name(tag)
        parent = self.stack[-1]
        parent.has_children = True
        parent.children[name] += 1
        self.elements += 1
        key = f"{parent.name}/{name}"
        limit = limits.lengths.get(key, limits.lengths.get(name))
        if name == "ContentTransferEncoded":
            self.payload = 0
        self.stack.append(_Open(name, limit))
        if len(self.stack) - 1 > limits.max_depth:
            raise EdxmlError(
                TOO_DEEP,
                f"Gói tin có các thành phần lồng nhau quá sâu (hơn {limits.max_depth} cấp) "
                f"tại {self._path()}; cấu trúc edXML không sâu như vậy.",
                self._path(),
            )
        if self.elements > limits.max_elements:
            raise EdxmlError(
                TOO_MANY,
                f"Gói tin có quá nhiều thành phần (hơn {_n(limits.max_elements)}); "
                "không có văn bản thật nào cần nhiều như vậy.",
                self._path(),
            )
        allowed = limits.repeat_limit(name)
        if allowed is not None and parent.children[name] > allowed:
            if name in ("Attachment", "Reference") and parent.name != "SignedInfo":
                raise too_many_files(parent.children[name], limits, self._path(), counted=False)
            raise EdxmlError(
                TOO_MANY,
                f"Gói tin có quá nhiều thành phần {name} (hơn {_n(allowed)}) trong "
                f"{path_of(self._names()[:-1]) or 'edXML'}.",
                self._path(),
            )
        if len(attrib) > limits.max_attributes:
            raise EdxmlError(
                TOO_MANY,
                f"Thành phần {self._path()} có quá nhiều thuộc tính (hơn {limits.max_attributes}).",
                self._path(),
            )
        for key, value in attrib.items():
            if len(value) > limits.max_attribute_chars:
                raise _too_long(f"{self._path()}/@{local_name(key)}", len(value),
                                limits.max_attribute_chars)

    def data(self, text: str) -> None:
        current = self.stack[-1]
        if self.payload is not None:
            self.payload += len(text) - sum(map(text.count, _WHITESPACE))
            if self.payload * 3 // 4 > self.limits.max_attachment_bytes:
                self._attachment_too_large(self.payload * 3 // 4)
            return
        current.chars += len(text)
        if current.parts is not None and not current.has_children:
            current.parts.append(text)
            # Beyond this, no stripping or NFC could bring it back under its limit.
            if current.chars > 4 * (current.limit or self.limits.max_text_chars) + 4096:
                current.parts = None
                self._measure(current)

    def end(self, tag: object) -> None:
        if len(self.stack) < 2:
            return  # an end without its start (a broken document read leniently)
        current = self.stack.pop()
        if current.name == "ContentTransferEncoded" and self.payload is not None:
            self._attachment(self.payload * 3 // 4)  # 4 base64 characters carry 3 bytes
            self.payload = None
        elif current.limit is not None or not current.has_children:
            self.stack.append(current)  # for the path in a refusal
            self._measure(current)
            self.stack.pop()
        self.stack[-1].chars += current.chars

    def close(self) -> None:
        return None

    def _measure(self, current: _Open) -> None:
        limit = current.limit if current.limit is not None else self.limits.max_text_chars
        if current.chars <= limit:
            return
        if current.parts is not None and not current.has_children:
            # Exactly as the register would count it: stripped, NFC.
            length = len(unicodedata.normalize("NFC", "".join(current.parts).strip()))
            if length <= limit:
                return
        else:
            length = current.chars
        raise _too_long(self._path(), length, limit)

    def _attachment(self, size: int) -> None:
        limits = self.limits
        if size > limits.max_attachment_bytes:
            self._attachment_too_large(size)
        self.attachments += 1
        self.attachment_bytes += size
        if self.attachment_bytes > limits.max_total_attachment_bytes:
            raise EdxmlError(
                TOO_LARGE,
                f"Các tệp đính kèm cộng lại quá lớn (hơn {_mib(limits.max_total_attachment_bytes)} MiB).",
                self._path(),
            )

    def _attachment_too_large(self, size: int) -> None:
        raise EdxmlError(
            TOO_LARGE,
            f"Tệp đính kèm thứ {self.attachments + 1} quá lớn (hơn {_mib(size)} MiB); mỗi "
            f"tệp tối đa {_mib(self.limits.max_attachment_bytes)} MiB.",
            self._path(),
        )


def too_many_files(
    count: int,
    limits: MessageLimits = DEFAULT_LIMITS,
    field: str = "AttachmentEncoded/Attachment",
    *,
    counted: bool = True,
) -> EdxmlError:
    """More attachments than ``max_attachments`` (``counted``: this many files once
    zipped attachments are unzipped; else: more than the limit, the rest unread)."""
    what = (f"{count} tệp (kể cả các tệp trong tệp nén)" if counted
            else f"hơn {limits.max_attachments} tệp đính kèm")
    return EdxmlError(
        TOO_MANY,
        f"Gói tin chứa {what}; tối đa {limits.max_attachments} tệp cho một văn bản.",
        field,
    )


def check_length(value: str, limit: int, field: str) -> str:
    """The value itself if it fits, else ``edxml_too_long``: never cut to fit."""
    if len(value) > limit:
        raise _too_long(field, len(value), limit)
    return value


def _too_long(field: str, length: int, limit: int) -> EdxmlError:
    return EdxmlError(
        TOO_LONG,
        f"{field} dài {_n(length)} ký tự, vượt giới hạn {_n(limit)} ký tự. Gói tin không "
        "được nhận: hệ thống không cắt bớt dữ liệu của văn bản.",
        field,
    )


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")  # 100.000, as Vietnamese writes it


def _mib(size: int) -> str:
    return f"{size / MIB:.1f}".rstrip("0").rstrip(".")
