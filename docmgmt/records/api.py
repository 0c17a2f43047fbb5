"""API door for electronic records (hồ sơ điện tử, NĐ30 Điều 28–31), under /api/v1/records.

The year's dossier plan (Danh mục hồ sơ) is named by its year, always in the caller's own
commune; dossiers, their items, transfers (nộp lưu) by id. Each view parses its input,
calls one operation and serialises the result; the operations decide who may act and
when, and every refusal (stable ``code``, Vietnamese ``message``, ``field``). A dossier
lists only the documents its reader may open (``access.visible_items``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..api.blueprint import api_blueprint
from ..core.errors import ValidationFailed, not_found
from ..extensions import db
from ..incoming import operations as incoming_ops
from ..incoming.models import IncomingDocument
from ..org.models import Organisation
from ..outgoing import operations as outgoing_ops
from ..outgoing.models import OutgoingDocument
from . import access, export
from . import operations as ops
from .models import ArchiveTransfer, Dossier, DossierItem, FilePlan
from .schemas import (
    ApprovalSchema,
    DossierDetailSchema,
    DossierListQuerySchema,
    DossierPageSchema,
    DossierSchema,
    DossierSummarySchema,
    EventDetailSchema,
    FileItemSchema,
    FilingSchema,
    HeadingOutSchema,
    HeadingSchema,
    LoanDetailSchema,
    LoanSchema,
    NumberingSchema,
    PlanCreateSchema,
    PlanDetailSchema,
    PlanSummarySchema,
    ReopenSchema,
    SuggestionQuerySchema,
    TransferDetailSchema,
    TransferListQuerySchema,
    TransferOutSchema,
    TransferReceiveSchema,
    TransferSchema,
)

bp = api_blueprint(
    "records", __name__,
    "Electronic records (hồ sơ điện tử, NĐ30 Điều 28–31): the year's dossier plan (Danh mục "
    "hồ sơ: headings, planned dossiers, numbering, approval), dossiers (open, file documents "
    "without copying them, close, reopen), transfer to the commune's archive (nộp lưu) and "
    "lending archived dossiers.",
)

PLAN_STATES = "invalid_state (the plan is approved: revise it first)"
DOSSIER_STATES = "invalid_state (the dossier is not in a state that allows it)"


# --- shaping ---------------------------------------------------------------------------------

def _plan(plan: FilePlan, *, detail: bool = False) -> FilePlan:
    plan.actions = access.plan_actions(current_user, plan)  # type: ignore[attr-defined]
    if detail:
        # Each row's actions and access read its loans and items: two queries for them all.
        db.session.scalars(sa.select(Dossier).where(Dossier.plan_id == plan.id)
                           .options(selectinload(Dossier.loans), selectinload(Dossier.items))).all()
        for dossier in plan.dossiers:
            _summary(dossier)
    return plan


def _summary(dossier: Dossier) -> Dossier:
    dossier.actions = access.dossier_actions(current_user, dossier)  # type: ignore[attr-defined]
    if not access.can_read(current_user, dossier):  # a row of the plan: no date of what it holds
        dossier.dates = (None, None)  # type: ignore[attr-defined]
    return dossier


def _item(item: DossierItem, organisation_name: str) -> dict[str, Any]:
    """A row of the Mục lục văn bản: what the item stands for, from the document itself."""
    row: dict[str, Any] = {
        "id": item.id, "ordinal": item.ordinal, "kind": item.kind, "incoming_id": item.incoming_id,
        "outgoing_id": item.outgoing_id, "file_id": item.file_id, "doc_date": item.doc_date,
        "number_symbol": "", "author": item.author, "title": item.title, "page_count": item.page_count,
        "added_at": item.added_at,
        "added_by": {"id": item.added_by.id, "name": item.added_by.full_name} if item.added_by else None,
    }
    if item.kind == "incoming":
        doc = db.session.get(IncomingDocument, item.incoming_id)
        if doc is not None:
            row.update(number_symbol=doc.number_symbol, author=doc.sender_name, title=doc.subject,
                       page_count=item.page_count or doc.page_count)
    elif item.kind == "outgoing":
        out = db.session.get(OutgoingDocument, item.outgoing_id)
        if out is not None:
            row.update(number_symbol=out.number_symbol, author=organisation_name, title=out.subject)
    return row


def _detail(dossier: Dossier) -> Dossier:
    organisation = db.session.get(Organisation, dossier.organisation_id)
    name = organisation.name if organisation is not None else ""
    visible = access.visible_items(current_user, dossier)
    dossier.visible = [_item(i, name) for i in visible]  # type: ignore[attr-defined]
    _summary(dossier)
    if len(visible) != len(dossier.items):  # the dates of what this reader may open
        days = sorted(i.doc_date for i in visible)
        dossier.dates = (days[0], days[-1]) if days else (None, None)  # type: ignore[attr-defined]
    return dossier


def _transfer(transfer: ArchiveTransfer, *, detail: bool = False) -> ArchiveTransfer:
    transfer.actions = access.transfer_actions(current_user, transfer)  # type: ignore[attr-defined]
    if detail:
        for dossier in transfer.dossiers:
            _summary(dossier)
    return transfer


def _plan_of(year: int) -> FilePlan:
    plan = ops.plan_of_year(current_user, year)
    if plan is None:
        raise not_found(_("Chưa có Danh mục hồ sơ năm %(year)s.", year=year))
    return plan


def _dossier(dossier_id: int) -> Dossier:
    return ops.get_dossier(current_user, dossier_id)


def _document(args: dict) -> dict[str, Any]:
    """The document a suggestion is asked for: exactly one, which the caller may open."""
    if (args["incoming_id"] is None) == (args["outgoing_id"] is None):
        raise ValidationFailed("document_required", _("Hãy chỉ ra một văn bản đến hoặc một văn bản đi."),
                               field="incoming_id")
    if args["incoming_id"] is not None:
        return {"incoming": incoming_ops.get_readable(current_user, args["incoming_id"])}
    return {"outgoing": outgoing_ops.get_readable(current_user, args["outgoing_id"])}


# --- the plan (Danh mục hồ sơ) ----------------------------------------------------------------

@bp.route("/records/plans")
class Plans(MethodView):
    @bp.response(200, PlanSummarySchema(many=True))
    def get(self):
        """The plans I may open, newest year first (a draft only for the archive role and the
        approvers)."""
        return [_plan(p) for p in ops.plans(current_user)]

    @bp.arguments(PlanCreateSchema)
    @bp.response(201, PlanDetailSchema)
    @bp.alt_response(403, description="forbidden: the archive role (the clerk) drafts the plan")
    @bp.alt_response(409, description="plan_exists: the year has its plan already")
    def post(self, data):
        """Lập Danh mục hồ sơ of a year, as a draft; ``copy_previous`` starts it from last
        year's plan (its headings and dossiers, as planned rows)."""
        return _plan(ops.create_plan(current_user, data), detail=True)


@bp.route("/records/plans/<int:year>")
class PlanOfYear(MethodView):
    @bp.response(200, PlanDetailSchema)
    def get(self, year):
        """The plan of a year: headings, dossiers, and what I may do (``actions``)."""
        return _plan(_plan_of(year), detail=True)


@bp.route("/records/plans/<int:year>/numbering")
class PlanNumbering(MethodView):
    @bp.arguments(NumberingSchema)
    @bp.response(200, PlanDetailSchema)
    @bp.alt_response(403, description="forbidden: the archive role")
    @bp.alt_response(409, description=PLAN_STATES)
    def put(self, data, year):
        """How the plan's dossiers are numbered (through the plan, or within each large
        heading); every dossier is renumbered."""
        plan = _plan_of(year)
        return _plan(ops.set_numbering(current_user, plan, data["numbering"]), detail=True)


@bp.route("/records/plans/<int:year>/headings")
class PlanHeadings(MethodView):
    @bp.arguments(HeadingSchema)
    @bp.response(201, HeadingOutSchema)
    @bp.alt_response(403, description="forbidden: the archive role")
    @bp.alt_response(409, description=PLAN_STATES)
    @bp.alt_response(422, description="validation_error, invalid_parent, invalid_unit, code_required, code_taken")
    def post(self, data, year):
        """Add a heading (đề mục): a large one (no ``parent_id``) or a sub-heading."""
        return ops.add_heading(current_user, _plan_of(year), data)


@bp.route("/records/headings/<int:heading_id>")
class Heading(MethodView):
    @bp.arguments(HeadingSchema)
    @bp.response(200, HeadingOutSchema)
    @bp.alt_response(403, description="forbidden: the archive role")
    @bp.alt_response(409, description=PLAN_STATES)
    def put(self, data, heading_id):
        """Change a heading (send every field to keep)."""
        heading = ops.get_heading(current_user, heading_id)
        return ops.update_heading(current_user, heading, data)

    @bp.response(204)
    @bp.alt_response(403, description="forbidden: the archive role")
    @bp.alt_response(409, description="heading_not_empty (it holds dossiers or sub-headings), " + PLAN_STATES)
    def delete(self, heading_id):
        """Remove an empty heading."""
        ops.remove_heading(current_user, ops.get_heading(current_user, heading_id))
        return None


@bp.route("/records/plans/<int:year>/dossiers")
class PlanDossiers(MethodView):
    @bp.arguments(DossierSchema)
    @bp.response(201, DossierDetailSchema)
    @bp.alt_response(403, description="forbidden: the archive role")
    @bp.alt_response(409, description=PLAN_STATES)
    @bp.alt_response(422, description="validation_error, heading_required, invalid_heading, invalid_person, "
                     "retention_required")
    def post(self, data, year):
        """Add a dossier to the plan (a planned row); its số và ký hiệu ("01.VP") follows
        from the plan's numbering."""
        return _detail(ops.add_planned_dossier(current_user, _plan_of(year), data))


@bp.route("/records/plans/<int:year>/unplanned")
class UnplannedDossier(MethodView):
    @bp.arguments(DossierSchema)
    @bp.response(201, DossierDetailSchema)
    @bp.alt_response(409, description="plan_not_approved")
    @bp.alt_response(422, description="validation_error, heading_required, invalid_heading, retention_required")
    def post(self, data, year):
        """Open a dossier outside the plan (Điều 29.2.c): I am its person responsible; it
        takes the next number."""
        return _detail(ops.open_unplanned(current_user, _plan_of(year), data))


@bp.route("/records/plans/<int:year>/approve")
class ApprovePlan(MethodView):
    @bp.arguments(ApprovalSchema)
    @bp.response(200, PlanDetailSchema)
    @bp.alt_response(403, description="forbidden: the head of the commune approves")
    @bp.alt_response(409, description="invalid_state (approved already)")
    def post(self, data, year):
        """Phê duyệt: approve the plan by a decision (its number and date are kept)."""
        return _plan(ops.approve_plan(current_user, _plan_of(year), data), detail=True)


@bp.route("/records/plans/<int:year>/revise")
class RevisePlan(MethodView):
    @bp.response(200, PlanDetailSchema)
    @bp.alt_response(403, description="forbidden: the archive role")
    @bp.alt_response(409, description="invalid_state (still a draft)")
    def post(self, year):
        """Take the approved plan back to draft to change it (it is approved again)."""
        return _plan(ops.revise_plan(current_user, _plan_of(year)), detail=True)


# --- dossiers --------------------------------------------------------------------------------

@bp.route("/records/dossiers")
class Dossiers(MethodView):
    @bp.arguments(DossierListQuerySchema, location="query")
    @bp.response(200, DossierPageSchema)
    def get(self, args):
        """Dossiers I may read, by số và ký hiệu; filters year, status, mine, q; paginated."""
        per_page, page = args["per_page"], args["page"]
        query = ops.dossiers(current_user, year=args["year"], status=args["status"], mine=args["mine"],
                             text=args["q"])
        found = list(db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)))
        return {"items": [_summary(d) for d in found[:per_page]], "page": page, "per_page": per_page,
                "has_more": len(found) > per_page}


@bp.route("/records/dossiers/<int:dossier_id>")
class DossierView(MethodView):
    @bp.response(200, DossierDetailSchema)
    def get(self, dossier_id):
        """A dossier: its Mục lục văn bản (only the documents I may open), dates, totals and
        what I may do (``actions``)."""
        return _detail(_dossier(dossier_id))

    @bp.arguments(DossierSchema)
    @bp.response(200, DossierDetailSchema)
    @bp.alt_response(403, description="forbidden: the archive role (a planned row), the person "
                     "responsible (an open dossier)")
    @bp.alt_response(409, description=PLAN_STATES + "; " + DOSSIER_STATES)
    def put(self, data, dossier_id):
        """Change a dossier (send every field to keep): a planned row of a draft plan (the
        archive role), or an open dossier's title, retention and notes (its person
        responsible)."""
        dossier = _dossier(dossier_id)
        if dossier.status == "planned":
            return _detail(ops.update_planned_dossier(current_user, dossier, data))
        return _detail(ops.update_dossier(current_user, dossier, data))

    @bp.response(204)
    @bp.alt_response(403, description="forbidden: the archive role")
    @bp.alt_response(409, description=PLAN_STATES + "; " + DOSSIER_STATES + " (only a planned row)")
    def delete(self, dossier_id):
        """Remove a planned row from a draft plan."""
        ops.remove_planned_dossier(current_user, _dossier(dossier_id))
        return None


@bp.route("/records/dossiers/<int:dossier_id>/open")
class OpenDossier(MethodView):
    @bp.response(200, DossierDetailSchema)
    @bp.alt_response(403, description="forbidden: its person responsible opens it")
    @bp.alt_response(409, description="plan_not_approved, " + DOSSIER_STATES)
    def post(self, dossier_id):
        """Mở hồ sơ: the person responsible opens a planned dossier of the approved plan."""
        return _detail(ops.open_dossier(current_user, _dossier(dossier_id)))


@bp.route("/records/dossiers/<int:dossier_id>/documents")
class FileDocuments(MethodView):
    @bp.arguments(FilingSchema)
    @bp.response(200, DossierDetailSchema)
    @bp.alt_response(403, description="forbidden: its person responsible files")
    @bp.alt_response(404, description="not_found: a document I may not open (named in the message)")
    @bp.alt_response(409, description="already_filed, confidential_not_filed, not_issued, " + DOSSIER_STATES)
    def post(self, data, dossier_id):
        """Đưa vào hồ sơ: file incoming and outgoing documents (all or nothing), without
        copying them; ordinals follow the documents' dates."""
        dossier = _dossier(dossier_id)
        ops.file_documents(current_user, dossier, data)
        return _detail(dossier)


@bp.route("/records/dossiers/<int:dossier_id>/files")
class FileOther(MethodView):
    @bp.arguments(FileItemSchema)
    @bp.response(201, DossierDetailSchema)
    @bp.alt_response(403, description="forbidden: its person responsible files")
    @bp.alt_response(409, description=DOSSIER_STATES)
    @bp.alt_response(422, description="validation_error, invalid_file (not an upload of mine)")
    def post(self, data, dossier_id):
        """File another document (an upload of mine: POST /api/v1/files first)."""
        dossier = _dossier(dossier_id)
        ops.add_file(current_user, dossier, data)
        return _detail(dossier)


@bp.route("/records/items/<int:item_id>")
class Item(MethodView):
    @bp.response(204)
    @bp.alt_response(403, description="forbidden: its person responsible")
    @bp.alt_response(409, description=DOSSIER_STATES + " (a closed dossier is frozen)")
    def delete(self, item_id):
        """Rút khỏi hồ sơ: take an item out of an open dossier (the document itself stays)."""
        ops.remove_item(current_user, ops.get_item(current_user, item_id))
        return None


@bp.route("/records/dossiers/<int:dossier_id>/close")
class CloseDossier(MethodView):
    @bp.response(200, DossierDetailSchema)
    @bp.alt_response(403, description="forbidden: its person responsible closes it")
    @bp.alt_response(409, description="dossier_empty, " + DOSSIER_STATES)
    def post(self, dossier_id):
        """Kết thúc hồ sơ: close it; its files are fixed by their SHA-256."""
        return _detail(ops.close_dossier(current_user, _dossier(dossier_id)))


@bp.route("/records/dossiers/<int:dossier_id>/reopen")
class ReopenDossier(MethodView):
    @bp.arguments(ReopenSchema)
    @bp.response(200, DossierDetailSchema)
    @bp.alt_response(403, description="forbidden: the head of the commune reopens")
    @bp.alt_response(409, description=DOSSIER_STATES + " (handed over to the archive)")
    def post(self, data, dossier_id):
        """Mở lại: the head of the commune reopens a closed dossier, saying why."""
        return _detail(ops.reopen_dossier(current_user, _dossier(dossier_id), data["reason"]))


@bp.route("/records/dossiers/<int:dossier_id>/lend")
class LendDossier(MethodView):
    @bp.arguments(LoanSchema)
    @bp.response(201, LoanDetailSchema)
    @bp.alt_response(403, description="forbidden: the archive role lends")
    @bp.alt_response(409, description=DOSSIER_STATES + " (only an archived dossier, not lent already)")
    @bp.alt_response(422, description="validation_error, invalid_person")
    def post(self, data, dossier_id):
        """Cho mượn: lend an archived dossier to a person of the commune."""
        return ops.lend_dossier(current_user, _dossier(dossier_id), data)


@bp.route("/records/dossiers/<int:dossier_id>/take-back")
class TakeBack(MethodView):
    @bp.response(200, LoanDetailSchema)
    @bp.alt_response(403, description="forbidden: the archive role")
    @bp.alt_response(409, description=DOSSIER_STATES + " (not lent)")
    def post(self, dossier_id):
        """Nhận lại: the lent dossier is back in the archive."""
        return ops.take_back(current_user, _dossier(dossier_id))


@bp.route("/records/dossiers/<int:dossier_id>/history")
class History(MethodView):
    @bp.response(200, EventDetailSchema(many=True))
    def get(self, dossier_id):
        """What was done to the dossier, in order (opened, filed, closed, reopened with the
        reason, handed over, lent, returned…)."""
        return ops.history(current_user, _dossier(dossier_id))


@bp.route("/records/dossiers/<int:dossier_id>/package.zip")
class DossierPackage(MethodView):
    @bp.response(200, {"format": "binary", "type": "string"}, content_type="application/zip")
    def get(self, dossier_id):
        """The dossier as one package: ``<FileCode>/metadata.xml`` (Phụ lục VI Part II
        fields), ``<FileCode>/muc-luc.pdf`` and each document's files in DocOrdinal order —
        only the documents I may open."""
        return export.send_package(current_user, _dossier(dossier_id))


@bp.route("/records/suggestions")
class Suggestions(MethodView):
    @bp.arguments(SuggestionQuerySchema, location="query")
    @bp.response(200, DossierSummarySchema(many=True))
    @bp.alt_response(422, description="document_required: exactly one of incoming_id, outgoing_id")
    def get(self, args):
        """My open dossiers to file a document in (those of its unit first), not those
        holding it already."""
        return [_summary(d) for d in ops.suggestions(current_user, **_document(args), limit=args["limit"])]


@bp.route("/records/containing")
class Containing(MethodView):
    @bp.arguments(SuggestionQuerySchema, location="query")
    @bp.response(200, DossierSummarySchema(many=True))
    @bp.alt_response(422, description="document_required: exactly one of incoming_id, outgoing_id")
    def get(self, args):
        """The dossiers I may read that hold a document (``limit`` is ignored)."""
        return [_summary(d) for d in ops.dossiers_of(current_user, **_document(args))]


# --- transfer to the archive (nộp lưu) --------------------------------------------------------

@bp.route("/records/transfers")
class Transfers(MethodView):
    @bp.arguments(TransferListQuerySchema, location="query")
    @bp.response(200, TransferOutSchema(many=True))
    def get(self, args):
        """Transfers I may read (mine, my unit's as its head, all for the archive role)."""
        return [_transfer(t) for t in ops.transfers(current_user, year=args["year"])]

    @bp.arguments(TransferSchema)
    @bp.response(201, TransferOutSchema(many=True))
    @bp.alt_response(403, description="forbidden: the archive role announces")
    @bp.alt_response(409, description="nothing_due: no closed dossier of that year is due")
    def post(self, data):
        """Thông báo nộp lưu: one transfer per person responsible for the year's closed
        dossiers due (kept 5 years or more); each is told, and reminded 30 days ahead."""
        return [_transfer(t) for t in ops.announce_transfer(current_user, data)]


@bp.route("/records/transfers/<int:transfer_id>")
class TransferView(MethodView):
    @bp.response(200, TransferDetailSchema)
    def get(self, transfer_id):
        """A transfer with its dossiers (Mục lục hồ sơ nộp lưu)."""
        return _transfer(ops.get_transfer(current_user, transfer_id), detail=True)


@bp.route("/records/transfers/<int:transfer_id>/submit")
class SubmitTransfer(MethodView):
    @bp.response(200, TransferDetailSchema)
    @bp.alt_response(403, description="forbidden: the person handing over submits")
    @bp.alt_response(409, description="invalid_state")
    def post(self, transfer_id):
        """Nộp lưu: hand the dossiers over to the archive."""
        transfer = ops.get_transfer(current_user, transfer_id)
        return _transfer(ops.submit_transfer(current_user, transfer), detail=True)


@bp.route("/records/transfers/<int:transfer_id>/receive")
class ReceiveTransfer(MethodView):
    @bp.arguments(TransferReceiveSchema)
    @bp.response(200, TransferDetailSchema)
    @bp.alt_response(403, description="forbidden: the archive role receives")
    @bp.alt_response(409, description="invalid_state")
    def post(self, data, transfer_id):
        """Tiếp nhận: the archive receives the dossiers handed over; they are archived."""
        transfer = ops.get_transfer(current_user, transfer_id)
        return _transfer(ops.receive_transfer(current_user, transfer, data["condition"]), detail=True)
