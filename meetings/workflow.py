"""The meeting lifecycle and who may do what in the live room, as data: code, tests and
documentation read these tables."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from docmgmt.core.workflow import Transition

if TYPE_CHECKING:
    from .models import Vote


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

# Lifecycle: action → from statuses, to status, who
TRANSITIONS: dict[str, Transition[Status]] = {
    "invite": Transition({S.DRAFT}, S.INVITED, W.ORGANISER),
    "start": Transition({S.DRAFT, S.INVITED}, S.LIVE, W.RUNNER),
    "end": Transition({S.LIVE}, S.ENDED, W.RUNNER),
    "cancel": Transition({S.DRAFT, S.INVITED}, S.CANCELLED, W.ORGANISER),
    # It happened on paper, not in the room: recorded afterwards, with what happened.
    "record_on_paper": Transition({S.DRAFT, S.INVITED}, S.ENDED, W.ORGANISER),
}

# What the agenda and participants may still be edited in.
EDITABLE = frozenset({S.DRAFT, S.INVITED, S.LIVE})

# The live room: action → statuses it is allowed in (the status stays), who
LIVE_ACTIONS: dict[str, Transition[Status]] = {
    "check_in": Transition({S.INVITED, S.LIVE}, None, W.PARTICIPANT),  # oneself
    "check_in_others": Transition({S.INVITED, S.LIVE}, None, W.RUNNER),
    "move_item": Transition({S.LIVE}, None, W.RUNNER),
    "present": Transition({S.LIVE}, None, W.PRESENTER),
    "request_speech": Transition({S.LIVE}, None, W.PARTICIPANT),
    "withdraw_speech": Transition({S.LIVE}, None, W.PARTICIPANT),
    "grant_speech": Transition({S.LIVE}, None, W.RUNNER),
    "end_speech": Transition({S.LIVE}, None, W.RUNNER),
    "decline_speech": Transition({S.LIVE}, None, W.RUNNER),
    "open_vote": Transition({S.LIVE}, None, W.RUNNER),
    "cast_ballot": Transition({S.LIVE}, None, W.VOTER),
    "close_vote": Transition({S.LIVE}, None, W.RUNNER),
    "save_note": Transition({S.INVITED, S.LIVE, S.ENDED}, None, W.PARTICIPANT),
    "save_conclusion": Transition({S.LIVE, S.ENDED}, None, W.SECRETARY),
    "timer": Transition({S.LIVE}, None, W.RUNNER),
}

# The choices of a vote unless the chair gives others (NĐ-style biểu quyết).
DEFAULT_OPTIONS = ("Tán thành", "Không tán thành", "Không ý kiến")


def voting_members(vote: Vote) -> int:
    """The members who vote (guests do not), present or not."""
    return sum(1 for p in vote.item.meeting.participants if p.votes)


# What a closed vote decided: in the words of a biên bản (always Vietnamese) …
OUTCOME_WORDS = {
    "passed": "thông qua",
    "rejected": "không thông qua",
    "chosen": "phương án «%(label)s» được quá nửa số thành viên tán thành",
    "none": "không phương án nào được quá nửa số thành viên",
}
# … and on the pages, in the reader's language.
OUTCOME_LABELS = {
    "passed": _l("Thông qua"),
    "rejected": _l("Không thông qua"),
    "chosen": _l("Phương án «%(label)s» được quá nửa số thành viên tán thành"),
    "none": _l("Không phương án nào được quá nửa số thành viên"),
}


def vote_outcome(vote: Vote) -> tuple[str, str] | None:
    """What a closed vote decided, as the law on local government counts it: a decision
    of the People's Committee needs more than half of ALL its voting members (not of
    those who voted). With the default choices: ("passed" | "rejected", ""); with the
    chair's own choices: ("chosen", the option more than half chose) or ("none", "").
    None while the vote is open."""
    if vote.status != "closed":
        return None
    voters = voting_members(vote)
    if tuple(o.label for o in vote.options) == DEFAULT_OPTIONS:
        return ("passed" if 2 * vote.options[0].count > voters else "rejected"), ""
    chosen = next((o for o in vote.options if 2 * o.count > voters), None)
    return ("chosen", chosen.label) if chosen else ("none", "")


# --- Phiếu lấy ý kiến: written consultations of the committee (meetings.consultations) --------

class ConsultationStatus(enum.StrEnum):
    DRAFT = "draft"  # đang soạn
    OPEN = "open"  # đã phát phiếu, đang lấy ý kiến
    CLOSED = "closed"  # hết hạn hoặc kết thúc sớm: đã kiểm phiếu
    DECIDED = "decided"  # Chủ tịch đã ghi kết luận
    CANCELLED = "cancelled"  # đã hủy

    @property
    def label(self) -> str:
        return str(CONSULTATION_STATUS_LABELS[self])


CONSULTATION_STATUS_LABELS = {
    ConsultationStatus.DRAFT: _l("Đang soạn"),
    ConsultationStatus.OPEN: _l("Đang lấy ý kiến"),
    ConsultationStatus.CLOSED: _l("Đã kết thúc lấy ý kiến"),
    ConsultationStatus.DECIDED: _l("Đã có kết luận"),
    ConsultationStatus.CANCELLED: _l("Đã hủy"),
}


class ConsultationWho(enum.StrEnum):
    ORGANISER = "organiser"  # the issuer, the chairman, or anyone who manages meetings
    RUNNER = "runner"  # the issuer or the chairman of this consultation
    CHAIR = "chair"  # the chairman who asks
    ASKED = "asked"  # a member asked for their opinion


CS = ConsultationStatus
CW = ConsultationWho

# Lifecycle and acts: action → from statuses, to status (None: it stays), who.
CONSULTATION_TRANSITIONS: dict[str, Transition[ConsultationStatus]] = {
    "edit": Transition({CS.DRAFT}, None, CW.ORGANISER),  # questions, documents, members, deadline
    "issue": Transition({CS.DRAFT}, CS.OPEN, CW.ORGANISER),  # phát phiếu: the members are notified
    "answer": Transition({CS.OPEN}, None, CW.ASKED),  # and change it, until closed
    "remind": Transition({CS.OPEN}, None, CW.RUNNER),  # nhắc those who have not answered
    "close": Transition({CS.OPEN}, CS.CLOSED, CW.RUNNER),  # early; the worker closes at the deadline
    "cancel": Transition({CS.DRAFT, CS.OPEN}, CS.CANCELLED, CW.ORGANISER),
    "record_result": Transition({CS.CLOSED, CS.DECIDED}, CS.DECIDED, CW.CHAIR),  # the conclusion
    "make_draft": Transition({CS.CLOSED, CS.DECIDED}, None, CW.ORGANISER),  # into the outgoing flow
}

# An answer to one question of a consultation.
ANSWER_CHOICES = ("agree", "disagree", "other")
ANSWER_LABELS = {
    "agree": _l("Đồng ý"),
    "disagree": _l("Không đồng ý"),
    "other": _l("Ý kiến khác"),
}
# … and in the words of a Thông báo or a biên bản (always Vietnamese).
ANSWER_WORDS = {"agree": "Đồng ý", "disagree": "Không đồng ý", "other": "Ý kiến khác"}


def consultation_passes(agree: int, asked: int) -> bool:
    """The rule of a written consultation: a question passes when MORE THAN HALF of the
    members asked agree — of all those asked, not of those who answered, as a decision of
    the People's Committee needs more than half of its members (Luật Tổ chức chính quyền
    địa phương). Not answering counts like not agreeing; so does an "other opinion"."""
    return asked > 0 and 2 * agree > asked
