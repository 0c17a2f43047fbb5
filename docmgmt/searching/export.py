"""The results of a search as a document to keep or print: DOCX and PDF.

Every page of the results (at most ``MAX_ROWS`` rows, the cap stated in the document) is
read through ``operations.search`` as the person exporting — the one question every door
asks — so the file holds exactly what the search page would show them, never a record
they may not open. The columns are the person's choice (``saved.COLUMNS``).

The document — the title "KẾT QUẢ TÌM KIẾM", the question and its filters in one line,
who exported it and when (Vietnam time), the count, then a table numbered by STT — is a
``records.export.Form``, written by the same ``form_docx`` (python-docx) and
``form_pdf`` (fpdf2) as the records' forms: no second writer, no LibreOffice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from meetings.models import AgendaDocument, AgendaItem, Meeting

from ..core.timeutil import format_date, format_datetime, to_vn, utcnow
from ..documents.types import type_label
from ..extensions import db
from ..incoming.models import IncomingDocument
from ..org.models import Organisation, Unit, User
from ..outgoing.models import OutgoingDocument
from ..records.export import Form, FormColumn, FormRow, FormTable, form_docx, form_pdf, line, send
from ..records.models import Dossier
from . import kinds
from . import operations as ops
from .kinds import DIRECTION_LABELS, KINDS
from .saved import COLUMNS, Question, columns_of

MAX_ROWS = 1000  # one export: a list to read, not a dump of the index
PAGE = ops.MAX_PER_PAGE
FORMATS = ("docx", "pdf")


def collect(user: User, question: Question) -> tuple[list[ops.FoundDocument], int, bool]:
    """The results in their order, page after page (at most ``MAX_ROWS``), how many there
    are in all and whether that is an estimate — asked as ``user``, so only what they may
    open."""
    found: list[ops.FoundDocument] = []
    page, total, estimated = 1, 0, False
    while len(found) < MAX_ROWS:
        result = ops.search(user, question.text, question.filters, order=question.order, page=page, per_page=PAGE)
        total, estimated = result.results.total, result.results.total_is_estimate
        found += result.documents
        if not result.results.has_next or not result.documents:
            break
        page += 1
    return found[:MAX_ROWS], total, estimated


def _facts(documents: Sequence[ops.FoundDocument]) -> dict[str, tuple[str, str]]:
    """Index id → (document type code, status) of each found record, read from its table
    (the index does not return them): one query per kind."""
    ids: dict[str, list[int]] = {}
    for d in documents:
        ids.setdefault(d.kind, []).append(d.document_id)
    facts: dict[str, tuple[str, str]] = {}
    for kind, wanted in ids.items():
        if kind == kinds.INCOMING:
            query = sa.select(IncomingDocument.id, IncomingDocument.doc_type, IncomingDocument.status) \
                .where(IncomingDocument.id.in_(wanted))
        elif kind in (kinds.OUTGOING, kinds.MINUTES):
            query = sa.select(OutgoingDocument.id, OutgoingDocument.doc_type, OutgoingDocument.status) \
                .where(OutgoingDocument.id.in_(wanted))
        elif kind == kinds.MEETING:
            query = sa.select(Meeting.id, sa.literal(""), Meeting.status).where(Meeting.id.in_(wanted))
        elif kind == kinds.AGENDA:  # the meeting's status, as the index has it
            query = (sa.select(AgendaDocument.id, sa.literal(""), Meeting.status)
                     .join(AgendaItem, AgendaItem.id == AgendaDocument.item_id)
                     .join(Meeting, Meeting.id == AgendaItem.meeting_id).where(AgendaDocument.id.in_(wanted)))
        elif kind == kinds.DOSSIER:
            query = sa.select(Dossier.id, sa.literal(""), Dossier.status).where(Dossier.id.in_(wanted))
        else:
            continue
        for record_id, doc_type, status in db.session.execute(query):
            facts[f"{kind}:{record_id}"] = (doc_type or "", status or "")
    return facts


def _cells(d: ops.FoundDocument, facts: tuple[str, str], base_url: str) -> dict[str, str]:
    doc_type, status = facts
    h = d.hit
    return {
        "number": h.number_symbol,
        "date": format_date(d.day),
        "kind": d.kind_label,
        "doc_type": type_label(doc_type) if doc_type else "",
        "subject": h.subject,
        "sender": h.sender,
        "status": d.kind_info.status_label(status) if status else "",
        "url": base_url.rstrip("/") + d.url if d.url else "",
    }


def question_line(question: Question, organisation_id: int) -> str:
    """The question and its filters, as one line: «Từ khóa: “…” · Loại kết quả: … · Năm: …»."""
    f = question.filters
    parts = [_("Từ khóa: “%(q)s”", q=question.text) if question.text else _("Từ khóa: (không có)")]
    if f.kind:
        parts.append(_("Loại kết quả: %(v)s", v=KINDS[f.kind].label))
    if f.direction:
        parts.append(_("Sổ: %(v)s", v=DIRECTION_LABELS[f.direction]))
    if f.doc_type:
        parts.append(_("Loại văn bản: %(v)s", v=type_label(f.doc_type)))
    if f.year:
        parts.append(_("Năm: %(v)s", v=f.year))
    if f.status:
        owner = KINDS.get(f.kind or "") or next((k for k in KINDS.values() if f.status in k.statuses), None)
        parts.append(_("Trạng thái: %(v)s", v=owner.status_label(f.status) if owner else f.status))
    if f.unit:
        name = db.session.scalar(sa.select(Unit.name).where(Unit.organisation_id == organisation_id,
                                                            Unit.abbreviation == f.unit))
        parts.append(_("Đơn vị: %(v)s", v=name or f.unit))
    parts.append(_("Sắp xếp: %(v)s", v=_("mới nhất") if question.order == "date" else _("phù hợp nhất")))
    return " · ".join(parts)


def results_form(user: User, question: Question, columns: Sequence[str], base_url: str,
                 at: datetime | None = None) -> Form:
    """The export, format-independent (``base_url``: where the records' pages are, for the
    Đường dẫn column)."""
    question.check()
    chosen = columns_of(columns)
    documents, total, estimated = collect(user, question)
    facts = _facts(documents)
    org = db.session.get_one(Organisation, user.organisation_id)
    table_columns = [FormColumn(_("STT"), 7)] + [
        FormColumn(str(COLUMNS[c].label), COLUMNS[c].width, left=COLUMNS[c].left) for c in chosen]
    rows = []
    for n, d in enumerate(documents, start=1):
        cells = _cells(d, facts.get(d.hit.id, ("", "")), base_url)
        rows.append(FormRow([str(n)] + [cells[c] for c in chosen]))
    if estimated:
        count = _("Số kết quả: khoảng %(n)s; chỉ xuất %(shown)s kết quả đầu tiên (mỗi lần xuất tối đa %(max)s "
                  "dòng).", n=total, shown=len(documents), max=MAX_ROWS)
    elif total > len(documents):
        count = _("Số kết quả: %(n)s; chỉ xuất %(shown)s kết quả đầu tiên (mỗi lần xuất tối đa %(max)s dòng).",
                  n=total, shown=len(documents), max=MAX_ROWS)
    else:
        count = _("Số kết quả: %(n)s (mỗi lần xuất tối đa %(max)s dòng).", n=total, max=MAX_ROWS)
    title = _("KẾT QUẢ TÌM KIẾM")
    return Form(
        title=title, author=org.name,
        before=[line(org.name.upper(), bold=True, size=12),
                line(title, bold=True, size=14, space_before=4),
                line(question_line(question, org.id), align="L", size=12, space_before=3),
                line(_("Người xuất: %(name)s · Thời gian xuất: %(at)s",
                       name=user.full_name, at=format_datetime(at or utcnow())), align="L", size=12),
                line(count, align="L", size=12)],
        table=FormTable(table_columns, rows, numbered=False),
    )


def filename(fmt: str, at: datetime | None = None) -> str:
    return f"Ket-qua-tim-kiem-{to_vn(at or utcnow()).strftime('%Y%m%d-%H%M')}.{fmt}"


def render(form: Form, fmt: str) -> bytes:
    return form_docx(form) if fmt == "docx" else form_pdf(form)


def send_results(user: User, question: Question, columns: Sequence[str], fmt: str, base_url: str):
    """The download (docx | pdf) for both doors: the results ``user`` may open."""
    at = utcnow()
    return send(render(results_form(user, question, columns, base_url, at), fmt), filename(fmt, at))
