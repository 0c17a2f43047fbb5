"""Web door: home page, notifications, health check."""

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from ..extensions import csrf, db
from ..files.store import FileStore
from ..notifications import operations as notes
from ..searching.health import index_health
from .waiting import panels_for

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    return render_template("home/index.html", panels=panels_for(current_user))


@bp.get("/notifications")
@login_required
def notifications():
    return render_template("home/notifications.html", items=notes.unread_for(current_user, 200))


@bp.post("/notifications/<int:note_id>/read")
@login_required
def read_notification(note_id: int):
    note = notes.mark_read(current_user, note_id)
    return redirect(note.link or url_for("home.notifications"))


def health() -> dict:
    checks: dict[str, dict] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = {"ok": True, "backend": db.engine.dialect.name}
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    checks["file_store"] = FileStore.from_app().check()
    checks["search_index"] = search_index_health()
    return {"ok": all(c["ok"] for c in checks.values()), "checks": checks}


def search_index_health() -> dict:
    try:
        return index_health()
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


@bp.get("/healthz")
@csrf.exempt
def healthz():
    result = health()
    return jsonify(result), 200 if result["ok"] else 503
