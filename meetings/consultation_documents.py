"""What a written consultation produces on paper: the Thông báo kết quả lấy ý kiến (NĐ30
Mẫu 1.5's Thông báo) or the Biên bản kiểm phiếu (Mẫu 1.9), from the tally and the
chairman's conclusion, handed to the outgoing flow for his signature the way a meeting's
biên bản is (``meetings.documents``: ``committee_spec``, ``to_outgoing``)."""

from __future__ import annotations

from flask_babel import gettext as _

from docmgmt.audit.operations import record as audit
from docmgmt.core.errors import Conflict, ValidationFailed, forbidden
from docmgmt.core.permissions import Permission
from docmgmt.core.timeutil import format_date, format_datetime, to_vn
from docmgmt.org.models import User
from docmgmt.outgoing.templates_docx import BodyParagraph, build_draft

from .consultation_models import Consultation
from .consultation_schemas import RESULT_KINDS
from .consultations import CONSULTATION, QuestionTally, Tally, tally
from .documents import _when as spoken_time
from .documents import _who as name_and_position
from .documents import committee_spec, to_outgoing
from .workflow import ANSWER_WORDS, ConsultationStatus

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The rule, in the words of the document (always Vietnamese).
RULE_WORDS = ("Nội dung được thông qua khi quá nửa tổng số thành viên Ủy ban nhân dân được lấy ý kiến "
              "đồng ý (tính trên tổng số thành viên được lấy ý kiến).")
NAMES = {"thong_bao": "Thông báo kết quả lấy ý kiến", "bien_ban": "Biên bản kiểm phiếu lấy ý kiến"}


def _require_closed(c: Consultation) -> None:
    if c.status_enum not in (ConsultationStatus.CLOSED, ConsultationStatus.DECIDED):
        raise Conflict("not_closed", _("Chỉ lập văn bản kết quả khi đã kết thúc lấy ý kiến."))


def question_result(q: QuestionTally) -> str:
    """"Đồng ý 4/5, Không đồng ý 0/5, Ý kiến khác 1/5, Không trả lời 0/5 — thông qua"."""
    n = q.asked
    counts = (f"{ANSWER_WORDS['agree']} {q.agree}/{n}, {ANSWER_WORDS['disagree']} {q.disagree}/{n}, "
              f"{ANSWER_WORDS['other']} {q.other}/{n}, Không trả lời {q.not_answered}/{n}")
    return f"{counts} — {'thông qua' if q.passed else 'không thông qua'}"


def _other_opinions(q: QuestionTally) -> str:
    return "; ".join(f"{a.user.full_name}: {a.comment}" for a in q.by_choice("other"))


def _names(q: QuestionTally, choice: str) -> str:
    return ", ".join(a.user.full_name for a in q.by_choice(choice)) or "không có"


def _results(t: Tally, with_names: bool) -> list[BodyParagraph | str]:
    body: list[BodyParagraph | str] = []
    for q in t.questions:
        body.append(BodyParagraph(f"Câu {q.question.position}. {q.question.text}", bold=True))
        body.append(f"Kết quả: {question_result(q)}.")
        if with_names:
            body.append(f"{ANSWER_WORDS['agree']}: {_names(q, 'agree')}. "
                        f"{ANSWER_WORDS['disagree']}: {_names(q, 'disagree')}. "
                        f"Không trả lời: {', '.join(u.full_name for u in q.silent) or 'không có'}.")
        if q.other:
            body.append(f"{ANSWER_WORDS['other']}: {_other_opinions(q)}.")
    return body


def result_docx(c: Consultation, kind: str = "thong_bao") -> bytes:
    """The result as a DOCX: a Thông báo (counts, other opinions, the conclusion) or a
    Biên bản kiểm phiếu (with the names of who answered what)."""
    _require_closed(c)
    if kind not in RESULT_KINDS:
        raise ValidationFailed("invalid_kind", _("Loại văn bản không hợp lệ."), "kind")
    t = tally(c)
    asked = [m.user for m in c.members]
    issued = c.issued_at or c.created_at
    closed = c.closed_at or c.deadline
    intro = (f"Ngày {format_date(issued)}, Chủ tịch Ủy ban nhân dân đã lấy ý kiến {len(asked)} thành viên "
             f"Ủy ban nhân dân bằng phiếu lấy ý kiến về {c.title}; hạn trả lời {format_datetime(c.deadline)}, "
             f"kết thúc lấy ý kiến lúc {format_datetime(closed)}.")
    conclusion = [BodyParagraph("Kết luận của Chủ tịch Ủy ban nhân dân: " + c.conclusion)] if c.conclusion else []
    if kind == "bien_ban":
        local = to_vn(closed)
        spec = committee_spec(
            c.chair, c.created_by, "bien_ban", f"Kiểm phiếu lấy ý kiến thành viên Ủy ban nhân dân: {c.title}",
            body=[intro, *([c.description] if c.description else []), *_results(t, with_names=True),
                  RULE_WORDS, *conclusion],
            details={"Thời gian bắt đầu": spoken_time(issued),
                     "Địa điểm": "Lấy ý kiến bằng văn bản (phiếu lấy ý kiến trên hệ thống), không họp tập trung",
                     "Thành phần tham dự": "Các thành viên Ủy ban nhân dân được lấy ý kiến: "
                                           + "; ".join(name_and_position(u) for u in asked),
                     "Chủ trì (chủ tọa)": name_and_position(c.chair),
                     "Thư ký (người ghi biên bản)": name_and_position(c.created_by)},
            closing=f"Việc kiểm phiếu kết thúc vào {local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}./.",
            secretary_name=c.created_by.full_name, recipients=[u.full_name for u in asked][:8],
        )
    else:
        spec = committee_spec(
            c.chair, c.created_by, "thong_bao", f"Kết quả lấy ý kiến thành viên Ủy ban nhân dân: {c.title}",
            body=[intro, *([c.description] if c.description else []), "Kết quả như sau:",
                  *_results(t, with_names=False), RULE_WORDS, *conclusion,
                  "Ủy ban nhân dân thông báo để các thành viên Ủy ban nhân dân biết, thực hiện."],
            recipients=["Các thành viên Ủy ban nhân dân"],
        )
    return build_draft(spec)


def make_draft(actor: User, c: Consultation, kind: str = "thong_bao"):
    """The result enters the outgoing flow (review, the chairman's signature, number,
    issuance to the members asked): a Thông báo kết quả lấy ý kiến, or a Biên bản."""
    CONSULTATION.check(actor, c, "make_draft")
    if not actor.can(Permission.DRAFT_OUTGOING):
        raise forbidden()
    if kind not in RESULT_KINDS:
        raise ValidationFailed("invalid_kind", _("Loại văn bản không hợp lệ."), "kind")
    if c.result_draft_id is not None:
        raise Conflict("already_drafted", _("Kết quả đã được chuyển vào luồng trình ký."))
    content = result_docx(c, kind)
    subject = (f"Kết quả lấy ý kiến thành viên Ủy ban nhân dân: {c.title}" if kind == "thong_bao"
               else f"Kiểm phiếu lấy ý kiến thành viên Ủy ban nhân dân: {c.title}")
    doc = to_outgoing(actor, kind, subject, c.chair_id, content, f"{NAMES[kind]} - dự thảo.docx",
                      recipients=[f"u:{m.user_id}" for m in c.members])
    c.result_draft_id, c.result_kind = doc.id, kind
    audit(actor.organisation_id, actor, "consultation.drafted", c, c.title[:300],
          {"outgoing_id": doc.id, "kind": kind})
    return doc
