"""Web door of the exchange: the outbox and receipts of my organisation. (Its API door
is ``api.py``.)"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from . import operations as ops
from .operations import status_label

bp = Blueprint("exchange", __name__, url_prefix="/exchange")

OUTCOME_LABELS = {
    "registered": "Đã vào sổ",
    "duplicate": "Trùng, không vào sổ lại",
    "revoked": "Thu hồi",
    "updated": "Cập nhật",
    "replaced": "Thay thế",
    "unmatched": "Không khớp văn bản nào",
    "status": "Trạng thái xử lý",
}


@bp.route("/")
@login_required
def index():
    data = ops.overview(current_user)
    return render_template(
        "exchange/index.html", **data, outcome_labels=OUTCOME_LABELS, status_label=status_label
    )
