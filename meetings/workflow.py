"""The meeting lifecycle and who may do what in the live room, as data: code, tests and
documentation read these tables."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Status(enum.StrEnum):
    DRAFT = "draft"  # đang chuẩn bị
    INVITED = "invited"  # đã gửi giấy mời
    LIVE = "live"  # đang họp
    ENDED = "ended"  # đã kết thúc
    CANCELLED = "cancelled"  # đã hủy

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    Status.DRAFT: _l("Đang chuẩn bị"),
    Status.INVITED: _l("Đã mời"),
    Status.LIVE: _l("Đang họp"),
    Status.ENDED: _l("Đã kết thúc"),
    Status.CANCELLED: _l("Đã hủy"),
}


class Who(enum.StrEnum):
    ORGANISER = "organiser"  # chair, secretary, or anyone who manages meetings
    RUNNER = "runner"  # the chair or the secretary
    SECRETARY = "secretary"  # the secretary (thư ký), or the chair standing in
    PRESENTER = "presenter"  # the current item's presenter, the chair or the secretary
    PARTICIPANT = "participant"  # anyone invited (members, guests, delegates)
    VOTER = "voter"  # a voting member


S = Status
W = Who

# Lifecycle: action → (from statuses, to status, who)
TRANSITIONS: dict[str, tuple[frozenset[Status], Status, Who]] = {
    "invite": (frozenset({S.DRAFT}), S.INVITED, W.ORGANISER),
    "start": (frozenset({S.DRAFT, S.INVITED}), S.LIVE, W.RUNNER),
    "end": (frozenset({S.LIVE}), S.ENDED, W.RUNNER),
    "cancel": (frozenset({S.DRAFT, S.INVITED}), S.CANCELLED, W.ORGANISER),
}

# What the agenda and participants may still be edited in.
EDITABLE = frozenset({S.DRAFT, S.INVITED, S.LIVE})

# The live room: action → (statuses it is allowed in, who)
LIVE_ACTIONS: dict[str, tuple[frozenset[Status], Who]] = {
    "check_in": (frozenset({S.INVITED, S.LIVE}), W.PARTICIPANT),  # self; for others: RUNNER
    "move_item": (frozenset({S.LIVE}), W.RUNNER),
    "present": (frozenset({S.LIVE}), W.PRESENTER),
    "request_speech": (frozenset({S.LIVE}), W.PARTICIPANT),
    "withdraw_speech": (frozenset({S.LIVE}), W.PARTICIPANT),
    "grant_speech": (frozenset({S.LIVE}), W.RUNNER),
    "end_speech": (frozenset({S.LIVE}), W.RUNNER),
    "decline_speech": (frozenset({S.LIVE}), W.RUNNER),
    "open_vote": (frozenset({S.LIVE}), W.RUNNER),
    "cast_ballot": (frozenset({S.LIVE}), W.VOTER),
    "close_vote": (frozenset({S.LIVE}), W.RUNNER),
    "save_note": (frozenset({S.INVITED, S.LIVE, S.ENDED}), W.PARTICIPANT),
    "save_conclusion": (frozenset({S.LIVE, S.ENDED}), W.SECRETARY),
    "timer": (frozenset({S.LIVE}), W.RUNNER),
}

# The choices of a vote unless the chair gives others (NĐ-style biểu quyết).
DEFAULT_OPTIONS = ("Tán thành", "Không tán thành", "Không ý kiến")
