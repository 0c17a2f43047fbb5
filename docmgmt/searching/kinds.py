"""What the search index holds: every kind of record, each with its readers.

A *kind* is what a person sees on a hit — "Văn bản đến", "Văn bản đi", "Biên bản họp",
"Tài liệu họp", "Cuộc họp", "Hồ sơ" — and what the engine's ``direction`` field holds,
so the index format is the same for all of them; an index id is ``"<kind>:<id>"``.

A *source* is the table a kind's records come from, and the name of the jobs of the
outbox (``search_job.kind``). Each source says, once:

* which rows enter the index at all (``indexable``: never a confidential record, which
  exists only as a paper-tracking entry; never a row of the dossier plan not yet
  opened, which holds nothing);
* who may find each row: the tokens of **the same rule object its page asks**
  (``incoming.access.READ``, ``outgoing.access.READ``, ``meetings.access.VIEW`` for a
  meeting, ``meetings.access.ATTEND`` for its documents — the rule that serves their
  files — and ``records.access.READ``), never tokens written here;
* what text goes in: the record's own fields and the cached text of the files it is
  read by (incoming: its originals; outgoing: the issued file, else the signed one, else
  the latest draft; an agenda document: its file; a meeting and a dossier: their fields
  only — a dossier never shows the text of what it holds, whose rules are their own);
* which files' text it needs (``text_files``), for the extraction step.

Sources and kinds are not one to one: an outgoing document that is a meeting's biên
bản (``Meeting.minutes_draft_id``) is indexed as kind ``minutes``, with the outgoing
document's own rule (its page is the outgoing page), and a meeting gives the kind
``meeting`` while its agenda documents are the source and kind ``agenda``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.elements import ColumnElement

from meetings import access as meeting_access
from meetings.models import AgendaDocument, AgendaItem, Meeting
from meetings.workflow import STATUS_LABELS as MEETING_LABELS
from search.backend import IndexedDoc

from ..core.timeutil import to_vn
from ..documents.types import Confidentiality
from ..extensions import db
from ..files.models import StoredFile
from ..incoming import access as incoming_access
from ..incoming.models import Assignment, IncomingDocument, IncomingFile
from ..incoming.workflow import STATUS_LABELS as INCOMING_LABELS
from ..incoming.workflow import Status as InStatus
from ..org.models import Organisation
from ..outgoing import access as outgoing_access
from ..outgoing.models import DraftVersion, OutgoingDocument, Recipient
from ..outgoing.workflow import STATUS_LABELS as OUTGOING_LABELS
from ..records import access as records_access
from ..records.models import Dossier
from ..records.workflow import DOSSIER_LABELS, DossierStatus
from .models import BlobText

BATCH = 200
OPEN_CONFIDENTIALITY = Confidentiality.NONE.value

INCOMING, OUTGOING, MINUTES, AGENDA, MEETING, DOSSIER = (
    "incoming", "outgoing", "minutes", "agenda", "meeting", "dossier")


# --- kinds: what a hit is ---------------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    """What a person is told a hit is, and how the filters reach it."""

    name: str  # the index's ``direction`` value and the prefix of its ids
    label: Any  # lazy: "Văn bản đến"
    direction: str | None  # the đến/đi filter: "incoming", "outgoing", or neither
    date_label: Any  # what a hit's date is: "ngày đến", "ngày họp", …
    statuses: Mapping[str, Any]  # status value → its label for this kind
    icon: str  # Bootstrap icon of the badge

    def status_label(self, value: str) -> str:
        label = self.statuses.get(value)
        return str(label) if label is not None else value


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind(INCOMING, _l("Văn bản đến"), "incoming", _l("ngày đến"),
         {s.value: INCOMING_LABELS[s] for s in InStatus if s is not InStatus.PAPER}, "box-arrow-in-down"),
    Kind(OUTGOING, _l("Văn bản đi"), "outgoing", _l("ngày"),
         {s.value: label for s, label in OUTGOING_LABELS.items()}, "box-arrow-up"),
    Kind(MINUTES, _l("Biên bản họp"), "outgoing", _l("ngày"),
         {s.value: label for s, label in OUTGOING_LABELS.items()}, "journal-text"),
    Kind(AGENDA, _l("Tài liệu họp"), None, _l("ngày họp"),
         {s.value: label for s, label in MEETING_LABELS.items()}, "file-earmark-text"),
    Kind(MEETING, _l("Cuộc họp"), None, _l("ngày họp"),
         {s.value: label for s, label in MEETING_LABELS.items()}, "people"),
    Kind(DOSSIER, _l("Hồ sơ"), None, _l("ngày mở"),
         {s.value: label for s, label in DOSSIER_LABELS.items() if s is not DossierStatus.PLANNED},
         "folder2-open"),
)}

# The đến/đi filter: the kinds of each direction.
DIRECTIONS: dict[str, tuple[str, ...]] = {
    "incoming": tuple(k.name for k in KINDS.values() if k.direction == "incoming"),
    "outgoing": tuple(k.name for k in KINDS.values() if k.direction == "outgoing"),
}
DIRECTION_LABELS = {"incoming": _l("Văn bản đến"), "outgoing": _l("Văn bản đi")}
# Every status any kind has: what the status filter accepts.
STATUSES: frozenset[str] = frozenset(s for k in KINDS.values() for s in k.statuses)


def status_choices(kind: str | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The status filter's options grouped by kind (one kind's only, when one is chosen)."""
    return [(str(k.label), [(value, str(label)) for value, label in k.statuses.items()])
            for k in KINDS.values() if kind in (None, k.name)]


def urls(kind: str, record_ids: Sequence[int]) -> dict[int, str]:
    """The page of each hit of ``kind``: where the person opens what they found."""
    if kind == INCOMING:
        return {i: url_for("incoming.show", document_id=i) for i in record_ids}
    if kind in (OUTGOING, MINUTES):
        return {i: url_for("outgoing.show", document_id=i) for i in record_ids}
    if kind == MEETING:
        return {i: url_for("meetings.show", meeting_id=i) for i in record_ids}
    if kind == DOSSIER:
        return {i: url_for("records.dossier", dossier_id=i) for i in record_ids}
    if kind == AGENDA and record_ids:  # the meeting's page, at the agenda item holding it
        rows = db.session.execute(
            sa.select(AgendaDocument.id, AgendaItem.meeting_id, AgendaItem.id)
            .join(AgendaItem, AgendaItem.id == AgendaDocument.item_id)
            .where(AgendaDocument.id.in_(list(record_ids))))
        return {doc_id: url_for("meetings.show", meeting_id=meeting_id, _anchor=f"item-{item_id}")
                for doc_id, meeting_id, item_id in rows}
    return {}


# --- sources: where records come from -------------------------------------------------------------

def _day(value) -> date:
    return to_vn(value).date()


def _texts(session: Session, files: Iterable[StoredFile | None]) -> list[BlobText]:
    """The cached text of these files (those read so far), in their order."""
    wanted = [f.sha256 for f in files if f is not None]
    if not wanted:
        return []
    found = {t.sha256: t for t in session.scalars(sa.select(BlobText).where(BlobText.sha256.in_(set(wanted))))}
    return [found[sha] for sha in dict.fromkeys(wanted) if sha in found]


def _content(header: Iterable[str], texts: Sequence[BlobText]) -> str:
    return "\n".join([" ".join(h for h in header if h), *(t.text for t in texts if t.text)])


@dataclass
class Source:
    """The records of one table, as the index sees them."""

    name: ClassVar[str]  # the job kind (search_job.kind)
    model: ClassVar[Any]
    kinds: ClassVar[tuple[str, ...]]  # the kinds its records may be indexed as

    def indexable(self) -> ColumnElement[bool]:
        """The rows the index holds (SQL)."""
        return sa.true()

    def confidential(self) -> ColumnElement[bool] | None:
        """The rows that must never be in the index (SQL), if the table has such rows."""
        return None

    def options(self) -> list:
        return []

    def build(self, session: Session, rows: list[Any]) -> list[IndexedDoc]:
        raise NotImplementedError

    def index_ids(self, record_id: int) -> list[str]:
        """Every id a record of this table may have in the index."""
        return [f"{k}:{record_id}" for k in self.kinds]

    def text_files(self) -> sa.Select | None:
        """``SELECT stored_file.id AS file_id, <record id> AS record_id`` of the files whose
        text the index holds, of indexable rows; None: the kind indexes no file."""
        return None

    def expected_ids(self, session: Session) -> set[str]:
        """The ids the index should hold now (for ``flask check``)."""
        return {f"{self.kinds[0]}:{i}" for i in session.scalars(sa.select(self.model.id).where(self.indexable()))}

    # -- loading ---------------------------------------------------------------------------------

    def _query(self) -> sa.Select:
        return sa.select(self.model).where(self.indexable()).options(*self.options()).order_by(self.model.id)

    def docs(self, session: Session, ids: Iterable[int] | None = None) -> Iterator[IndexedDoc]:
        """The index's view of the given rows (those indexable), or of every row in keyset
        pages: a reindex of 100 000 records never holds them all."""
        query = self._query()
        if ids is not None:
            wanted = sorted(set(ids))
            for start in range(0, len(wanted), BATCH):
                chunk = wanted[start:start + BATCH]
                yield from self.build(session, list(session.scalars(query.where(self.model.id.in_(chunk)))))
            return
        last = 0
        while True:
            page = list(session.scalars(query.where(self.model.id > last).limit(BATCH)))
            if not page:
                return
            last = page[-1].id
            yield from self.build(session, page)
            session.expunge_all()

    def count(self, session: Session) -> int:
        return session.scalar(sa.select(sa.func.count()).select_from(self.model).where(self.indexable())) or 0


class IncomingSource(Source):
    name, model, kinds = INCOMING, IncomingDocument, (INCOMING,)
    rule = incoming_access.READ

    def indexable(self) -> ColumnElement[bool]:
        return IncomingDocument.confidentiality == OPEN_CONFIDENTIALITY

    def confidential(self) -> ColumnElement[bool]:
        return IncomingDocument.confidentiality != OPEN_CONFIDENTIALITY

    def options(self) -> list:
        return [
            selectinload(IncomingDocument.register),
            selectinload(IncomingDocument.files).selectinload(IncomingFile.stored),
            selectinload(IncomingDocument.assignments).selectinload(Assignment.assignee_unit),
            selectinload(IncomingDocument.assignments).selectinload(Assignment.assignee_user),
        ]

    @staticmethod
    def unit_of(doc: IncomingDocument) -> str:
        """Abbreviation of the unit handling the document: the main assignment's unit, or
        the unit of its main handler."""
        main = doc.main_assignment
        if main is None:
            return ""
        if main.assignee_unit is not None:
            return main.assignee_unit.abbreviation
        if main.assignee_user is not None and main.assignee_user.unit is not None:
            return main.assignee_user.unit.abbreviation
        return ""

    def one(self, session: Session, doc: IncomingDocument) -> IndexedDoc:
        texts = _texts(session, [f.stored for f in doc.files if f.kind == "original"])
        year = doc.arrival_date.year  # the register's year; own entries have no register
        arrival = f"Số đến {doc.arrival_number:02d}" if doc.arrival_number is not None else ""
        header = [f"{arrival}/{year}." if arrival else f"{doc.arrival_label} {year}."]
        if doc.signer:
            header.append(f"Người ký: {doc.signer}.")
        if doc.field:
            header.append(f"Lĩnh vực: {doc.field}.")
        return IndexedDoc(
            id=f"{INCOMING}:{doc.id}", org_id=doc.organisation_id, direction=INCOMING,
            doc_type=doc.doc_type, year=year, unit=self.unit_of(doc), status=doc.status,
            date=doc.arrival_date,
            # Their number/symbol and our số đến: a clerk looks for either.
            number_symbol=" · ".join(p for p in (doc.number_symbol, arrival) if p),
            subject=doc.subject, sender=doc.sender_name, content=_content(header, texts),
            acl=self.rule.tokens(doc), text_searchable=any(t.text_searchable for t in texts),
        )

    def build(self, session: Session, rows: list[IncomingDocument]) -> list[IndexedDoc]:
        return [self.one(session, d) for d in rows]

    def text_files(self) -> sa.Select:
        return (sa.select(IncomingFile.stored_file_id.label("file_id"), IncomingFile.document_id.label("record_id"))
                .join(IncomingDocument, IncomingDocument.id == IncomingFile.document_id)
                .where(IncomingFile.kind == "original", self.indexable()))


def _latest_draft_file() -> sa.ScalarSelect:
    """The latest version's PDF (its source where no PDF was made) of an outgoing document."""
    return (sa.select(sa.func.coalesce(DraftVersion.pdf_file_id, DraftVersion.source_file_id))
            .where(DraftVersion.document_id == OutgoingDocument.id)
            .order_by(DraftVersion.number.desc()).limit(1).correlate(OutgoingDocument).scalar_subquery())


class OutgoingSource(Source):
    name, model, kinds = OUTGOING, OutgoingDocument, (OUTGOING, MINUTES)
    rule = outgoing_access.READ

    def indexable(self) -> ColumnElement[bool]:
        return OutgoingDocument.confidentiality == OPEN_CONFIDENTIALITY

    def confidential(self) -> ColumnElement[bool]:
        return OutgoingDocument.confidentiality != OPEN_CONFIDENTIALITY

    def options(self) -> list:
        return [
            selectinload(OutgoingDocument.steps), selectinload(OutgoingDocument.drafting_unit),
            selectinload(OutgoingDocument.recipients).selectinload(Recipient.unit),
            selectinload(OutgoingDocument.recipients).selectinload(Recipient.user),
            selectinload(OutgoingDocument.versions).selectinload(DraftVersion.pdf_file),
            selectinload(OutgoingDocument.versions).selectinload(DraftVersion.source_file),
            selectinload(OutgoingDocument.issued_file), selectinload(OutgoingDocument.signed_file),
            selectinload(OutgoingDocument.signer), selectinload(OutgoingDocument.drafter),
        ]

    @staticmethod
    def file_of(doc: OutgoingDocument) -> StoredFile | None:
        """The file whose text is the document's: the issued one (bản lưu), else the signed
        one, else the latest draft (its PDF, or its source where none was made)."""
        if doc.issued_file is not None:
            return doc.issued_file
        if doc.signed_file is not None:
            return doc.signed_file
        version = doc.current_version
        return None if version is None else (version.pdf_file or version.source_file)

    @staticmethod
    def minutes_of(session: Session, ids: Iterable[int]) -> dict[int, str]:
        """Of these outgoing documents, the meetings' biên bản: id → the meeting's title."""
        ids = list(ids)
        if not ids:
            return {}
        rows = session.execute(sa.select(Meeting.minutes_draft_id, Meeting.title)
                               .where(Meeting.minutes_draft_id.in_(ids))).tuples().all()
        return {draft_id: title for draft_id, title in rows if draft_id is not None}

    def build(self, session: Session, rows: list[OutgoingDocument]) -> list[IndexedDoc]:
        minutes = self.minutes_of(session, [d.id for d in rows])
        files = {d.id: self.file_of(d) for d in rows}
        texts = {t.sha256: t for t in _texts(session, files.values())}
        out = []
        for doc in rows:
            stored = files[doc.id]
            text = texts.get(stored.sha256) if stored is not None else None
            kind = MINUTES if doc.id in minutes else OUTGOING
            header = [f"Biên bản cuộc họp: {minutes[doc.id]}." if kind == MINUTES else "",
                      f"Người ký: {doc.signer.full_name}." if doc.signer else "",
                      f"Người soạn thảo: {doc.drafter.full_name}.",
                      "Nơi nhận: " + "; ".join(r.label for r in doc.recipients) + "." if doc.recipients else ""]
            day = doc.issued_on or _day(doc.created_at)
            out.append(IndexedDoc(
                id=f"{kind}:{doc.id}", org_id=doc.organisation_id, direction=kind, doc_type=doc.doc_type,
                year=day.year, unit=doc.drafting_unit.abbreviation if doc.drafting_unit else "",
                status=doc.status, date=day, number_symbol=doc.number_symbol, subject=doc.subject,
                sender=doc.drafting_unit.name if doc.drafting_unit else "",
                content=_content(header, [text] if text is not None else []),
                acl=self.rule.tokens(doc), text_searchable=text is not None and text.text_searchable,
            ))
        return out

    def expected_ids(self, session: Session) -> set[str]:
        minutes = set(session.scalars(sa.select(Meeting.minutes_draft_id).where(Meeting.minutes_draft_id.is_not(None))))
        return {f"{MINUTES if i in minutes else OUTGOING}:{i}"
                for i in session.scalars(sa.select(OutgoingDocument.id).where(self.indexable()))}

    def text_files(self) -> sa.Select:
        file_id = sa.func.coalesce(OutgoingDocument.issued_file_id, OutgoingDocument.signed_file_id,
                                   _latest_draft_file())
        return (sa.select(file_id.label("file_id"), OutgoingDocument.id.label("record_id"))
                .where(self.indexable(), file_id.is_not(None)))


class MeetingSource(Source):
    """The meeting itself: its title, details, agenda and conclusions (never a
    participant's private notes), for those who may see it."""

    name, model, kinds = MEETING, Meeting, (MEETING,)
    rule = meeting_access.VIEW

    def options(self) -> list:
        return [selectinload(Meeting.participants), selectinload(Meeting.items), selectinload(Meeting.chair)]

    def build(self, session: Session, rows: list[Meeting]) -> list[IndexedDoc]:
        out = []
        for m in rows:
            agenda = [f"{n}. {i.title}." + (f" Kết luận: {i.conclusion}" if i.conclusion else "")
                      for n, i in enumerate(m.items, start=1)]
            header = [m.description, f"Địa điểm: {m.location}." if m.location else "",
                      f"Chủ trì: {m.chair.full_name}.", *agenda, m.paper_note]
            day = _day(m.starts_at)
            out.append(IndexedDoc(
                id=f"{MEETING}:{m.id}", org_id=m.organisation_id, direction=MEETING, doc_type="", year=day.year,
                unit=None, status=m.status, date=day, number_symbol="", subject=m.title,
                sender=m.chair.full_name, content=_content(header, []), acl=self.rule.tokens(m),
                text_searchable=True,
            ))
        return out


class AgendaSource(Source):
    """A document put on a meeting's agenda, for the meeting's participants: the rule that
    serves the meeting's files (``meetings.access.ATTEND``)."""

    name, model, kinds = AGENDA, AgendaDocument, (AGENDA,)
    rule = meeting_access.ATTEND

    def options(self) -> list:
        return [selectinload(AgendaDocument.stored),
                selectinload(AgendaDocument.item).selectinload(AgendaItem.meeting)
                .selectinload(Meeting.participants)]

    def build(self, session: Session, rows: list[AgendaDocument]) -> list[IndexedDoc]:
        texts = {t.sha256: t for t in _texts(session, [d.stored for d in rows])}
        out = []
        for d in rows:
            m = d.item.meeting
            text = texts.get(d.stored.sha256)
            day = _day(m.starts_at)
            out.append(IndexedDoc(
                id=f"{AGENDA}:{d.id}", org_id=m.organisation_id, direction=AGENDA, doc_type="", year=day.year,
                unit=None, status=m.status, date=day, number_symbol="", subject=d.title, sender=m.title,
                content=_content([f"Mục {d.item.position}: {d.item.title}."], [text] if text else []),
                acl=self.rule.tokens(m), text_searchable=text is not None and text.text_searchable,
            ))
        return out

    def text_files(self) -> sa.Select:
        return sa.select(AgendaDocument.stored_file_id.label("file_id"), AgendaDocument.id.label("record_id"))


class DossierSource(Source):
    """A dossier (hồ sơ) by its metadata: title, số và ký hiệu, notes, the plan's year, the
    person responsible. A row of the plan not yet opened holds nothing and is not indexed."""

    name, model, kinds = DOSSIER, Dossier, (DOSSIER,)
    rule = records_access.READ

    def indexable(self) -> ColumnElement[bool]:
        return Dossier.status != DossierStatus.PLANNED.value

    def options(self) -> list:
        return [selectinload(Dossier.plan), selectinload(Dossier.responsible), selectinload(Dossier.unit),
                selectinload(Dossier.heading), selectinload(Dossier.loans)]

    def build(self, session: Session, rows: list[Dossier]) -> list[IndexedDoc]:
        organ = dict(session.execute(sa.select(Organisation.id, Organisation.organ_id).where(
            Organisation.id.in_({d.organisation_id for d in rows}))).tuples().all()) if rows else {}
        out = []
        for d in rows:
            retention = "Vĩnh viễn" if d.retention_years is None else f"{d.retention_years} năm"
            header = [d.description, f"Danh mục hồ sơ năm {d.plan.year}.", f"Đề mục: {d.heading.title}.",
                      f"Người lập hồ sơ: {d.responsible.full_name}.", f"Thời hạn bảo quản: {retention}.",
                      f"Mã hồ sơ: {d.file_code(organ.get(d.organisation_id, ''))}."]
            opened = d.opened_at or d.created_at
            out.append(IndexedDoc(
                id=f"{DOSSIER}:{d.id}", org_id=d.organisation_id, direction=DOSSIER, doc_type="", year=d.plan.year,
                unit=d.unit.abbreviation if d.unit else "", status=d.status, date=_day(opened),
                number_symbol=d.notation, subject=d.title, sender=d.responsible.full_name,
                content=_content(header, []), acl=self.rule.tokens(d), text_searchable=True,
            ))
        return out


SOURCES: dict[str, Source] = {s.name: s for s in (
    IncomingSource(), OutgoingSource(), AgendaSource(), MeetingSource(), DossierSource())}
# A job may name any kind; the kinds share their source's table (minutes: outgoing).
SOURCE_OF: dict[str, Source] = {k: s for s in SOURCES.values() for k in s.kinds}
JOB_KINDS = tuple(KINDS)


@dataclass
class Expected:
    """What the index should hold (``expected``) and must never hold (``confidential``)."""

    expected: set[str] = field(default_factory=set)
    confidential: set[str] = field(default_factory=set)


def expected(session: Session) -> Expected:
    """For ``flask check``: every id the index should hold, and every confidential record's."""
    answer = Expected()
    for source in SOURCES.values():
        answer.expected |= source.expected_ids(session)
        secret = source.confidential()
        if secret is not None:
            for i in session.scalars(sa.select(source.model.id).where(secret)):
                answer.confidential.update(source.index_ids(i))
    return answer


def text_files() -> sa.Select:
    """``(file_id, kind, record_id)`` of every file whose text the index holds, of every
    source: the extraction step reads those lacking their text."""
    parts = []
    for source in SOURCES.values():
        files = source.text_files()
        if files is not None:
            sub = files.subquery()
            parts.append(sa.select(sub.c.file_id, sa.literal(source.name).label("kind"), sub.c.record_id))
    return sa.union_all(*parts)  # type: ignore[return-value]
