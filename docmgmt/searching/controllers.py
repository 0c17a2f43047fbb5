"""Web door: the results page behind the search box in the header, the saved searches
(saved from the results, listed in the header's menu, rerun in one click, renamed,
deleted) and the export of the results to DOCX and PDF."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from ..core.errors import DomainError
from ..core.forms import load_form, show_error
from ..documents.types import DOC_TYPES
from ..extensions import db
from ..org.models import Unit
from . import export
from . import operations as ops
from . import saved as saved_ops
from .forms import RenameForm, ResultsForm
from .kinds import DIRECTION_LABELS, KINDS, status_choices
from .schemas import ExportArgsSchema, SavedSearchCreateSchema, SavedSearchUpdateSchema

bp = Blueprint("search", __name__)
PER_PAGE = 20


@bp.app_context_processor
def _menu():
    # The header's "Tìm kiếm đã lưu" menu, beside the search box.
    return {"saved_searches_of": saved_ops.list_mine}


def _int(source: MultiDict, name: str, default: int | None) -> int | None:
    value = (source.get(name) or "").strip()
    return int(value) if (value.isdecimal() and len(value) <= 18) else default


def _question(source: MultiDict) -> saved_ops.Question:
    """The question of the search page's fields (``request.args``, or a form's hidden copy)."""
    return saved_ops.Question(
        text=source.get("q", ""),
        filters=ops.Filters(
            doc_type=source.get("type") or None,
            direction=source.get("direction") or None,
            year=_int(source, "year", None),
            status=source.get("status") or None,
            unit=source.get("unit") or None,
            kind=source.get("kind") or None,
        ),
        order=source.get("order") or "relevance",
    )


def _results_form(question: saved_ops.Question, active=None) -> ResultsForm:
    """The save/export form for the question shown, its columns those of the saved search
    being rerun (else the usual ones)."""
    given = {"name": active.name, "columns": list(active.columns)} if active is not None and active.columns else {}
    form = ResultsForm(formdata=None, **given)
    params = question.params()
    for name in ("q", "type", "kind", "direction", "year", "status", "unit", "order"):
        getattr(form, name).data = params.get(name)
    return form


def _render(question: saved_ops.Question, page: int = 1, form: ResultsForm | None = None, active=None,
            status: int = 200):
    filters = question.filters
    found = ops.search(current_user, question.text, filters, order=question.order, page=page, per_page=PER_PAGE)
    return render_template(
        "search/results.html", found=found, args=question.params(), active=active, max_rows=export.MAX_ROWS,
        form=form or _results_form(question, active),
        types=[(t.code, t.label) for t in DOC_TYPES],
        statuses=status_choices(filters.kind if filters.kind in KINDS else None),
        kinds=[(k.name, str(k.label)) for k in KINDS.values()],
        directions=[(code, str(label)) for code, label in DIRECTION_LABELS.items()],
        units=[(u.abbreviation, u.name) for u in db.session.scalars(
            sa.select(Unit).where(Unit.organisation_id == current_user.organisation_id).order_by(Unit.name))],
    ), status


@bp.get("/search")
@login_required
def results():
    saved_id = _int(request.args, "saved", None)  # rerun from the menu: its name and columns stand ready
    active = saved_ops.find_mine(current_user, saved_id) if saved_id is not None else None
    return _render(_question(request.args), page=_int(request.args, "page", 1) or 1, active=active)


@bp.get("/search/suggest")
@login_required
def suggest():
    """JSON for the list under the search box: completions of the word being typed."""
    q = request.args.get("q", "")
    return jsonify({"q": q, "suggestions": ops.suggest(current_user, q)})


# --- saved searches ----------------------------------------------------------------------------

@bp.post("/search/saved")
@login_required
def save():
    """Lưu tìm kiếm: the question shown, under a name, with the columns ticked."""
    form = ResultsForm()
    question = _question(request.form)
    if not form.validate_on_submit():
        return _render(question, form=form, status=422)
    data = load_form(form, SavedSearchCreateSchema)
    if data is None:
        return _render(question, form=form, status=422)
    try:
        saved = saved_ops.save(current_user, data["name"], saved_ops.Question.of(data), data["columns"],
                               overwrite=data["overwrite"])
    except DomainError as err:
        show_error(form, err)
        return _render(question, form=form, status=err.status)
    flash(_("Đã lưu tìm kiếm “%(name)s”.", name=saved.name), "success")
    return redirect(url_for(".results", **saved_ops.question_of(saved).params(), saved=saved.id))


@bp.get("/search/saved")
@login_required
def saved_index():
    """My saved searches: rerun, rename, delete."""
    mine = saved_ops.list_mine(current_user)
    return render_template(
        "search/saved.html", saved=mine, rename_forms={s.id: RenameForm(formdata=None, prefix=f"s{s.id}", name=s.name)
                                                       for s in mine},
        question_line=lambda s: export.question_line(saved_ops.question_of(s), current_user.organisation_id),
        column_labels=lambda s: ", ".join(str(saved_ops.COLUMNS[c].label) for c in s.columns if c in saved_ops.COLUMNS),
        max_saved=saved_ops.MAX_SAVED)


@bp.get("/search/saved/<int:saved_id>")
@login_required
def rerun(saved_id: int):
    """One click from the menu: the results page asking the saved question again."""
    saved = saved_ops.get_mine(current_user, saved_id)
    return redirect(url_for(".results", **saved_ops.question_of(saved).params(), saved=saved.id))


@bp.post("/search/saved/<int:saved_id>/rename")
@login_required
def rename(saved_id: int):
    saved = saved_ops.get_mine(current_user, saved_id)
    form = RenameForm(prefix=f"s{saved.id}")
    if form.validate_on_submit() and (data := load_form(form, SavedSearchUpdateSchema)) is not None:
        try:
            saved_ops.update(current_user, saved, name=data["name"] if data["name"] is not None else "")
        except DomainError as err:
            if err.status in (403, 404):
                raise
            flash(err.message, "danger")
            return redirect(url_for(".saved_index"))
        flash(_("Đã đổi tên tìm kiếm thành “%(name)s”.", name=saved.name), "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
    return redirect(url_for(".saved_index"))


@bp.post("/search/saved/<int:saved_id>/delete")
@login_required
def delete_saved(saved_id: int):
    saved = saved_ops.get_mine(current_user, saved_id)
    name = saved.name
    saved_ops.delete(current_user, saved)
    flash(_("Đã xóa tìm kiếm đã lưu “%(name)s”.", name=name), "success")
    return redirect(url_for(".saved_index"))


# --- export ----------------------------------------------------------------------------------

@bp.post("/search/export")
@login_required
def export_results():
    """Xuất DOCX / Xuất PDF: every page of the results shown, with the columns ticked."""
    form = ResultsForm()
    question = _question(request.form)
    fmt = request.form.get("format", "")
    if not form.validate_on_submit():
        return _render(question, form=form, status=422)
    data = load_form(form, ExportArgsSchema, columns=",".join(form.columns.data or []), format=fmt)
    if data is None:
        return _render(question, form=form, status=422)
    try:
        return export.send_results(current_user, saved_ops.Question.of(data), data["columns"], data["format"],
                                   request.host_url)
    except DomainError as err:
        if err.status in (403, 404, 503):
            raise
        show_error(form, err)
        return _render(question, form=form, status=err.status)
