"""Saved searches (tìm kiếm đã lưu): a person keeps a question of the search page under a
name, reruns it from the menu and exports its results with the columns they chose.

A saved search is its owner's alone: to anyone else — of the commune or not — it does
not exist (404), so nobody learns what a colleague looks for. It keeps the question,
never its answers: rerunning or exporting it asks ``operations.search`` again as the
person asking, so it shows what they may open on that day and nothing more.

The export's columns (``COLUMNS``) are chosen per export and remembered with the search.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.errors import Conflict, ValidationFailed, not_found
from ..core.schemas import MAX_INT
from ..core.text import clean, vn_sort_key
from ..extensions import db
from ..org.models import User
from . import operations as ops
from .models import SavedSearch

MAX_SAVED = 50  # per person: a menu, not an archive
MAX_NAME_CHARS = 120


# --- the export's columns ---------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    code: str  # stable: the API's ``columns`` and what a saved search keeps
    label: Any  # lazy: the heading, in the reader's language
    width: float  # relative, in the printed table
    left: bool = False  # long text left-aligned; the rest centred


COLUMNS: dict[str, Column] = {c.code: c for c in (
    Column("number", _l("Số, ký hiệu"), 15),
    Column("date", _l("Ngày"), 13),
    Column("kind", _l("Loại"), 11),
    Column("doc_type", _l("Loại văn bản"), 11),
    Column("subject", _l("Trích yếu"), 32, left=True),
    Column("sender", _l("Nơi gửi/Đơn vị"), 17, left=True),
    Column("status", _l("Trạng thái"), 11),
    Column("url", _l("Đường dẫn"), 22, left=True),
)}
COLUMN_CODES = tuple(COLUMNS)
DEFAULT_COLUMNS = ("number", "date", "kind", "subject", "sender", "status")


def columns_of(codes: Iterable[str] | None) -> list[str]:
    """The chosen columns, each once, in the table's order; at least one."""
    wanted = set(codes or ())
    unknown = wanted - set(COLUMNS)
    if unknown:
        raise ValidationFailed("invalid_column", _("Cột không hợp lệ: %(names)s.", names=", ".join(sorted(unknown))),
                               "columns")
    chosen = [code for code in COLUMNS if code in wanted]
    if not chosen:
        raise ValidationFailed("columns_required", _("Hãy chọn ít nhất một cột."), "columns")
    return chosen


# --- the question ------------------------------------------------------------------------------

@dataclass
class Question:
    """What the search page asks: words, filters, order (no page: a saved search and an
    export are about every page)."""

    text: str = ""
    filters: ops.Filters = field(default_factory=ops.Filters)
    order: str = "relevance"

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Question:
        """From the loaded fields of a schema (``q``, ``type``, ``kind`` … ``order``)."""
        return cls(
            text=clean(data.get("q") or ""),
            filters=ops.Filters(doc_type=data.get("type") or None, direction=data.get("direction") or None,
                                year=data.get("year"), status=data.get("status") or None,
                                unit=data.get("unit") or None, kind=data.get("kind") or None),
            order=data.get("order") or "relevance",
        )

    @property
    def asked(self) -> bool:
        return bool(self.text) or self.filters.any

    def params(self) -> dict[str, Any]:
        """The search page's URL arguments (those set): ``/search?q=…&kind=…``."""
        f = self.filters
        values: dict[str, Any] = {
            "q": self.text, "kind": f.kind, "direction": f.direction, "type": f.doc_type, "unit": f.unit,
            "year": f.year, "status": f.status, "order": self.order if self.order != "relevance" else None}
        return {k: v for k, v in values.items() if v not in (None, "")}

    def check(self) -> None:
        """The search's own limits (``operations.search`` refuses alike), and something asked."""
        ops._validate(self.text, self.filters, self.order, 1, 1)  # the search's one definition
        if not self.asked:
            raise ValidationFailed("empty_search", _("Hãy nhập từ khóa hoặc chọn bộ lọc trước."), "q")


def question_of(saved: SavedSearch) -> Question:
    return Question(
        text=saved.text,
        filters=ops.Filters(doc_type=saved.doc_type, direction=saved.direction, year=saved.year,
                            status=saved.status, unit=saved.unit, kind=saved.kind),
        order=saved.order,
    )


# --- reading ----------------------------------------------------------------------------------

def list_mine(user: User) -> list[SavedSearch]:
    """My saved searches, by name in Vietnamese dictionary order."""
    found = db.session.scalars(sa.select(SavedSearch).where(SavedSearch.user_id == user.id))
    return sorted(found, key=lambda s: (vn_sort_key(s.name), s.id))


def find_mine(user: User, saved_id: int) -> SavedSearch | None:
    if not 0 < saved_id <= MAX_INT:  # no row has it (and no query is asked with it)
        return None
    saved = db.session.get(SavedSearch, saved_id)
    return saved if saved is not None and saved.owned_by(user) else None


def get_mine(user: User, saved_id: int) -> SavedSearch:
    """One of my saved searches; anyone else's is "not found"."""
    saved = find_mine(user, saved_id)
    if saved is None:
        raise not_found(_("Không tìm thấy tìm kiếm đã lưu."))
    return saved


# --- acts -----------------------------------------------------------------------------------------

def _name(value: str) -> str:
    name = clean(value)
    if not name:
        raise ValidationFailed("name_required", _("Hãy đặt tên cho tìm kiếm."), "name")
    if len(name) > MAX_NAME_CHARS:
        raise ValidationFailed("too_long", _("%(what)s quá dài (tối đa %(max)s ký tự).",
                                             what=_("Tên tìm kiếm"), max=MAX_NAME_CHARS), "name")
    return name


def _same_name(user: User, name: str, but: SavedSearch | None = None) -> SavedSearch | None:
    """My saved search of this name (case aside: "Công văn" and "công văn" are one name in a menu)."""
    key = name.casefold()
    return next((s for s in db.session.scalars(sa.select(SavedSearch).where(SavedSearch.user_id == user.id))
                 if s.name.casefold() == key and s is not but), None)


def _taken(name: str) -> Conflict:
    return Conflict("name_taken", _("Bạn đã có một tìm kiếm đã lưu tên “%(name)s”. Hãy đặt tên khác, "
                                    "hoặc chọn ghi đè để thay tìm kiếm cũ.", name=name), "name")


def _fill(saved: SavedSearch, question: Question, columns: list[str]) -> None:
    f = question.filters
    saved.text, saved.order, saved.columns = question.text, question.order, list(columns)
    saved.kind, saved.doc_type, saved.direction = f.kind, f.doc_type, f.direction
    saved.year, saved.status, saved.unit = f.year, f.status, f.unit


def save(user: User, name: str, question: Question, columns: Iterable[str] | None = None, *,
         overwrite: bool = False) -> SavedSearch:
    """Keep ``question`` under ``name``. A name I already use is refused, unless
    ``overwrite``: then that saved search takes the new question and columns."""
    name = _name(name)
    question.check()
    chosen = columns_of(DEFAULT_COLUMNS if columns is None else columns)
    saved = _same_name(user, name)
    if saved is not None and not overwrite:
        raise _taken(saved.name)
    if saved is None:
        count = db.session.scalar(sa.select(sa.func.count()).select_from(SavedSearch)
                                  .where(SavedSearch.user_id == user.id)) or 0
        if count >= MAX_SAVED:
            raise Conflict("too_many_saved", _("Mỗi người lưu được tối đa %(n)s tìm kiếm. Hãy xóa bớt những "
                                               "tìm kiếm không dùng nữa.", n=MAX_SAVED))
        saved = SavedSearch(user_id=user.id, organisation_id=user.organisation_id)
        db.session.add(saved)
    saved.name = name
    _fill(saved, question, chosen)
    db.session.flush()
    return saved


def update(user: User, saved: SavedSearch, *, name: str | None = None,
           columns: Iterable[str] | None = None) -> SavedSearch:
    """Rename it and/or change its columns (the owner only)."""
    if not saved.owned_by(user):
        raise not_found(_("Không tìm thấy tìm kiếm đã lưu."))
    if name is not None:
        name = _name(name)
        if _same_name(user, name, but=saved) is not None:
            raise _taken(name)
        saved.name = name
    if columns is not None:
        saved.columns = columns_of(columns)
    db.session.flush()
    return saved


def delete(user: User, saved: SavedSearch) -> None:
    """Forget it (the owner only)."""
    if not saved.owned_by(user):
        raise not_found(_("Không tìm thấy tìm kiếm đã lưu."))
    db.session.delete(saved)
    db.session.flush()
