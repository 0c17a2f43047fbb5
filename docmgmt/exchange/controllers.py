"""Web door of the exchange: the outbox and receipts of my organisation. (Its API door
is ``api.py``.)"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from . import operations as ops
from .operations import status_label

bp = Blueprint("exchange", __name__, url_prefix="/exchange")

OUTCOME_LABELS = {
    "registered": _l("Đã vào sổ"),
    "duplicate": _l("Trùng, không vào sổ lại"),
    "revoked": _l("Thu hồi"),
    "updated": _l("Cập nhật"),
    "replaced": _l("Thay thế"),
    "unmatched": _l("Không khớp văn bản nào"),
    "status": _l("Trạng thái xử lý"),
    "refused": _l("Từ chối tiếp nhận (chữ ký số)"),
}


@bp.route("/")
@login_required
def index():
    data = ops.overview(current_user)
    return render_template(
        "exchange/index.html", **data, outcome_labels=OUTCOME_LABELS, status_label=status_label
    )


@bp.post("/outbox/<int:message_id>/retry")
@login_required
def retry(message_id: int):
    ops.retry_now(current_user, message_id)
    flash(_("Gói tin sẽ được gửi lại trong lượt gửi tới."), "success")
    return redirect(url_for(".index"))
