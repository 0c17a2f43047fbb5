"""Ủy quyền: a leader away lets another leader direct and sign in their name — the
lifecycle and its refusals, acting under it (and not without it, nor after it), what the
history and the audit log say, the NĐ30 signature block forms in the template and in
the signature, who sees what, the pages and the API."""

from __future__ import annotations

import io
from datetime import date, timedelta

import docx
import pytest
import sqlalchemy as sa

from docmgmt.audit.models import AuditEntry
from docmgmt.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from docmgmt.core.timeutil import vn_today
from docmgmt.delegation import operations as dops
from docmgmt.delegation.access import acting_for, can_read, received
from docmgmt.delegation.models import Delegation
from docmgmt.delegation.schemas import DelegationInput
from docmgmt.delegation.workflow import Power, SigningForm, Status
from docmgmt.documents.history import events_of
from docmgmt.extensions import db
from docmgmt.files.store import FileStore
from docmgmt.incoming import operations as inc
from docmgmt.notifications.models import Notification
from docmgmt.org.models import User
from docmgmt.outgoing import operations as out
from docmgmt.outgoing.drafting import form_lines, signature_lines
from docmgmt.outgoing.templates_docx import DraftSpec, build_draft
from docmgmt.signing.appearance import LEADER_FIELD
from tests.commune import unit, user
from tests.conftest import csrf_from, page_csrf, text_of
from tests.files_helpers import make_pdf
from tests.signing_helpers import appearance_text
from tests.test_signed_layout import pdftotext
from tests.test_signed_layout import soffice as soffice  # a fixture: LibreOffice renders the template

CHAIRMAN, VICE, OTHER_VICE = "chutich", "phochutich.kt", "phochutich.vx"
TRIP = "Đi công tác, dự hội nghị tại tỉnh"


def give(delegator: str = CHAIRMAN, delegate: str = VICE, powers=("direct", "sign"), start: date | None = None,
         days: int = 5, form: str | None = None, reason: str = TRIP) -> Delegation:
    start = start or vn_today()
    delegation = dops.create_delegation(user(delegator), DelegationInput(
        delegate_id=user(delegate).id, start_date=start, end_date=start + timedelta(days=days - 1),
        powers=list(powers), reason=reason, form=form))
    db.session.flush()
    return delegation


def dm(day: date) -> str:
    return day.strftime("%d/%m")


def notes_of(username: str, kind: str) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.title).where(
        Notification.user_id == user(username).id, Notification.kind == kind).order_by(Notification.id)))


def leader_of_lac_son() -> User:
    from docmgmt.org.operations import create_user

    return create_user(None, user("cv.lacson").organisation, username="chutich.lacson", full_name="Hà Văn Sơn",
                       password="matkhau-lacson", roles=["leader"], position="Chủ tịch")


def member_leader(username: str = "uyvien", position: str = "Ủy viên Ủy ban nhân dân") -> User:
    """A leader of the committee who is not a deputy (an Ủy viên): the chairman's
    authorisation makes them sign TUQ. (or TL.)."""
    from docmgmt.org.operations import create_user
    from docmgmt.signing.keys import init_keys

    org = user(CHAIRMAN).organisation
    person = create_user(None, org, username=username, full_name="Lò Văn Thắng", password="xaso2026",
                         roles=["leader"], position=position)
    init_keys(org)  # their signing certificate, as the administrator's page issues one
    return person


# --- giving one, and its lifecycle ---------------------------------------------------------------

def test_the_chairman_delegates_direction_and_signature_to_a_vice_chairman_for_some_days(ctx):
    today = vn_today()
    d = give(days=5)
    assert d.status is Status.RUNNING and d.runs_on(today) and d.runs_on(today + timedelta(days=4))
    assert not d.runs_on(today + timedelta(days=5))  # the end date is included, the day after is not
    assert d.signing_form is SigningForm.KT  # a vice-chairman signs in the chairman's place
    assert [x.id for x in received(user(VICE), Power.DIRECT)] == [d.id]
    assert acting_for(user(VICE), user(CHAIRMAN).id, Power.SIGN) == d
    assert acting_for(user(OTHER_VICE), user(CHAIRMAN).id, Power.SIGN) is None
    # Both are told it starts now.
    assert notes_of(VICE, "delegation.started") == [
        f"Bạn được Bùi Văn Khánh ủy quyền chỉ đạo văn bản đến, duyệt, ký văn bản đi từ {today:%d/%m/%Y} "
        f"đến {today + timedelta(days=4):%d/%m/%Y}: các văn bản chờ Bùi Văn Khánh xử lý hiện ở trang chủ của bạn."]
    assert len(notes_of(CHAIRMAN, "delegation.started")) == 1
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "delegation.created")).one()
    assert entry.actor_id == user(CHAIRMAN).id and "Quách Thị Hương" in entry.summary and TRIP in entry.summary


def test_a_delegation_for_next_week_starts_and_ends_by_itself_and_both_are_told_once(ctx, monkeypatch):
    today = vn_today()
    start = today + timedelta(days=7)
    d = give(powers=("sign",), start=start, days=3)
    assert d.status is Status.SCHEDULED
    assert acting_for(user(VICE), user(CHAIRMAN).id, Power.SIGN) is None  # not yet
    assert notes_of(VICE, "delegation.created") == [
        f"Bùi Văn Khánh sẽ ủy quyền cho bạn duyệt, ký văn bản đi từ {start:%d/%m/%Y} đến "
        f"{start + timedelta(days=2):%d/%m/%Y}: {TRIP}"]
    assert notes_of(VICE, "delegation.started") == [] and notes_of(CHAIRMAN, "delegation.started") == []

    assert dops.notify_due(today) == 0
    assert dops.notify_due(start) == 1 and dops.notify_due(start) == 0
    assert len(notes_of(VICE, "delegation.started")) == len(notes_of(CHAIRMAN, "delegation.started")) == 1
    assert acting_for(user(VICE), user(CHAIRMAN).id, Power.SIGN, start + timedelta(days=2)) == d

    after = start + timedelta(days=3)
    assert d.status_on(after) is Status.ENDED
    assert acting_for(user(VICE), user(CHAIRMAN).id, Power.SIGN, after) is None
    assert dops.notify_due(after) == 1 and dops.notify_due(after) == 0
    ended = (f"Ủy quyền duyệt, ký văn bản đi của Bùi Văn Khánh cho Quách Thị Hương đã hết hạn "
             f"({start + timedelta(days=2):%d/%m/%Y}).")
    assert notes_of(VICE, "delegation.ended") == notes_of(CHAIRMAN, "delegation.ended") == [ended]


def test_the_delegator_ends_it_early_and_it_is_recorded(ctx):
    d = give()
    with pytest.raises(PermissionDenied):
        dops.end_delegation(user(VICE), d, "Tôi không đồng ý")  # only the delegator
    with pytest.raises(NotFound):
        dops.end_delegation(user("cv.kt1"), d)  # who may not see it learns nothing
    dops.end_delegation(user(CHAIRMAN), d, "Đã về cơ quan sớm")
    assert d.status is Status.ENDED_EARLY and d.ended_by_id == user(CHAIRMAN).id
    assert d.end_reason == "Đã về cơ quan sớm" and d.last_day == vn_today()
    assert acting_for(user(VICE), user(CHAIRMAN).id, Power.DIRECT) is None
    with pytest.raises(Conflict) as refused:
        dops.end_delegation(user(CHAIRMAN), d)
    assert refused.value.code == "invalid_state"
    assert len(notes_of(VICE, "delegation.ended")) == len(notes_of(CHAIRMAN, "delegation.ended")) == 1
    assert dops.notify_due(vn_today() + timedelta(days=30)) == 0  # told already
    assert db.session.scalars(sa.select(AuditEntry.summary).where(AuditEntry.action == "delegation.ended")).one() \
        == "Kết thúc sớm ủy quyền cho Quách Thị Hương: Đã về cơ quan sớm"


def test_one_given_for_later_and_ended_before_it_starts_is_cancelled(ctx):
    d = give(start=vn_today() + timedelta(days=3))
    dops.end_delegation(user(CHAIRMAN), d)
    assert d.status is Status.CANCELLED
    give(start=vn_today() + timedelta(days=3))  # the days are free again


# --- refusals --------------------------------------------------------------------------------------

def refusal(call) -> DomainError:
    savepoint = db.session.begin_nested()
    try:
        with pytest.raises(DomainError) as refused:
            call()
    finally:
        savepoint.rollback()
    return refused.value


def test_the_same_power_is_not_delegated_twice_for_the_same_days(ctx):
    today = vn_today()
    give(powers=("sign",), days=5)
    err = refusal(lambda: give(delegate=OTHER_VICE, powers=("sign", "direct"), start=today + timedelta(days=4)))
    assert err.code == "overlap" and err.status == 409
    assert err.message.startswith(
        f"Bạn đã ủy quyền duyệt, ký văn bản đi cho Quách Thị Hương từ {today:%d/%m/%Y} đến "
        f"{today + timedelta(days=4):%d/%m/%Y}")
    give(delegate=OTHER_VICE, powers=("direct",))  # another power, the same days: fine
    give(delegate=OTHER_VICE, powers=("sign",), start=today + timedelta(days=5))  # the day after: fine


@pytest.mark.parametrize(("delegator", "delegate", "code", "field"), [
    (CHAIRMAN, CHAIRMAN, "self_delegation", "delegate_id"),
    (CHAIRMAN, "cv.kt1", "not_a_leader", "delegate_id"),  # a staff member
    (CHAIRMAN, "chanhvp", "not_a_leader", "delegate_id"),  # a head of unit is not a leader
    (CHAIRMAN, "quantri", "not_a_leader", "delegate_id"),
])
def test_who_may_not_receive_a_delegation(ctx, delegator, delegate, code, field):
    err = refusal(lambda: give(delegator, delegate))
    assert (err.code, err.field, err.status) == (code, field, 422)


def test_nobody_of_another_commune_receives_one_and_nobody_but_a_leader_gives_one(ctx):
    other = leader_of_lac_son()
    err = refusal(lambda: give(CHAIRMAN, "chutich.lacson"))
    assert (err.code, err.message) == ("invalid_delegate", "Người nhận ủy quyền không thuộc cơ quan.")
    err = refusal(lambda: dops.create_delegation(other, DelegationInput(
        delegate_id=user(VICE).id, start_date=vn_today(), end_date=vn_today(), powers=["sign"], reason=TRIP)))
    assert err.code == "invalid_delegate"
    for name in ("vanthu", "cv.kt1", "truongkt", "quantri"):
        assert isinstance(refusal(lambda n=name: give(n, VICE)), PermissionDenied), name


def test_dates_and_reason_are_checked(ctx):
    today = vn_today()
    cases = {
        "past_date": dict(start_date=today - timedelta(days=1), end_date=today),
        "dates_in_order": dict(start_date=today + timedelta(days=2), end_date=today + timedelta(days=1)),
        "too_long": dict(start_date=today, end_date=today + timedelta(days=90)),
    }
    for code, days in cases.items():
        err = refusal(lambda d=days: dops.create_delegation(user(CHAIRMAN), DelegationInput(
            delegate_id=user(VICE).id, powers=["direct"], reason=TRIP, **d)))
        assert err.code == code, code
    dops.create_delegation(user(CHAIRMAN), DelegationInput(  # 90 days, both ends included: the most
        delegate_id=user(VICE).id, powers=["direct"], reason=TRIP, start_date=today,
        end_date=today + timedelta(days=89)))
    err = refusal(lambda: give(powers=("sign",), reason="  "))
    assert (err.code, err.field) == ("required", "reason")


def test_a_delegate_cannot_pass_on_what_they_received(ctx):
    today = vn_today()
    give(CHAIRMAN, VICE, powers=("sign",), days=5)
    err = refusal(lambda: give(VICE, OTHER_VICE, powers=("sign",), start=today + timedelta(days=2)))
    assert err.code == "re_delegation" and err.status == 409
    assert err.message == (
        f"Từ {today:%d/%m/%Y} đến {today + timedelta(days=4):%d/%m/%Y} bạn đang nhận ủy quyền duyệt, ký văn "
        "bản đi của Bùi Văn Khánh. Người nhận ủy quyền không được ủy quyền lại cho người khác (Nghị định "
        "30/2020/NĐ-CP, Điều 13); hãy đề nghị Bùi Văn Khánh ủy quyền trực tiếp.")
    # Their own direction, which they did not receive, and other days are theirs to delegate.
    give(VICE, OTHER_VICE, powers=("direct",))
    give(VICE, OTHER_VICE, powers=("sign",), start=today + timedelta(days=5))


def test_nobody_delegates_to_a_leader_who_is_away_too(ctx):
    give(OTHER_VICE, VICE, powers=("direct",))
    err = refusal(lambda: give(CHAIRMAN, OTHER_VICE, powers=("direct",)))
    assert err.code == "delegate_away" and "Đinh Công Sơn cũng vắng mặt" in err.message


def test_the_signing_form_follows_who_signs_for_whom(ctx):
    assert give(powers=("sign",), form="q").signing_form is SigningForm.Q  # the acting chairman
    err = refusal(lambda: give(CHAIRMAN, OTHER_VICE, powers=("sign",), form="tuq"))
    assert (err.code, err.field) == ("form_not_allowed", "form")
    member_leader()
    assert give(CHAIRMAN, "uyvien", powers=("sign",), start=vn_today() + timedelta(days=10)).signing_form \
        is SigningForm.TUQ
    # Between deputies each signs as always; only the chairman authorises a non-deputy.
    assert give(OTHER_VICE, VICE, powers=("sign",)).signing_form is SigningForm.KT
    err = refusal(lambda: give(VICE, "uyvien", powers=("sign",)))
    assert err.code == "form_not_allowed" and "Chỉ Chủ tịch" in err.message


# --- acting under it: incoming ---------------------------------------------------------------------

def submitted_to_chairman(subject="Về việc triển khai kế hoạch phòng chống thiên tai năm 2026"):
    doc = inc.register_incoming(user("vanthu"), inc.IncomingInput(sender_name="Sở Nông nghiệp và Môi trường",
                                                                  subject=subject))
    inc.submit(user("vanthu"), doc, leader_id=user(CHAIRMAN).id, comment="Kính trình Chủ tịch")
    db.session.flush()
    return doc


def direction():
    return inc.Direction_(main=inc.Assignee(unit_id=unit("KT").id), deadline_working_days=5,
                          text="Giao Phòng Kinh tế chủ trì, tham mưu kế hoạch.")


def test_the_delegate_directs_what_waits_for_the_delegator_and_it_is_recorded_in_their_name(ctx):
    today = vn_today()
    doc = submitted_to_chairman()
    assert doc.submitted_to_id == user(CHAIRMAN).id
    # Put before the chairman: his to direct, not a vice-chairman's.
    assert doc in inc.awaiting_direction(user(CHAIRMAN)) and doc not in inc.awaiting_direction(user(VICE))
    assert "direct" not in inc.available_actions(user(VICE), doc)
    with pytest.raises(PermissionDenied):
        inc.direct(user(VICE), doc, direction())

    give(powers=("direct",), days=5)
    assert doc in inc.awaiting_direction(user(VICE)) and inc.delegated_from(user(VICE), doc) == user(CHAIRMAN)
    assert doc not in inc.awaiting_direction(user(OTHER_VICE))
    assert "direct" in inc.available_actions(user(VICE), doc)
    inc.direct(user(VICE), doc, direction())
    assert doc.status == "assigned"

    event = events_of("incoming", doc.id)[-1]
    assert (event.action, event.actor_id) == ("directed", user(VICE).id)
    assert event.actor_label == (f"Quách Thị Hương (thay Chủ tịch Bùi Văn Khánh theo ủy quyền từ {dm(today)} "
                                 f"đến {dm(today + timedelta(days=4))})")
    assert event.data["on_behalf"]["user_id"] == user(CHAIRMAN).id and event.delegation_id is not None
    audit = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "incoming.directed")).one()
    assert audit.actor_id == user(VICE).id
    assert audit.summary.endswith(f"(thay Chủ tịch Bùi Văn Khánh theo ủy quyền từ {dm(today)} đến "
                                  f"{dm(today + timedelta(days=4))})")
    assert audit.data["on_behalf"]["name"] == "Bùi Văn Khánh"
    assert notes_of(CHAIRMAN, "incoming.directed_for_you") == [
        f"Quách Thị Hương đã chỉ đạo thay bạn (ủy quyền) Văn bản đến số {doc.arrival_label}: {doc.subject}"]


def test_what_waits_for_every_leader_any_leader_directs_without_a_delegation(ctx):
    doc = inc.register_incoming(user("vanthu"), inc.IncomingInput(sender_name="Sở Tài chính", subject="V/v ngân sách"))
    inc.submit(user("vanthu"), doc)
    assert doc.submitted_to_id is None and doc in inc.awaiting_direction(user(VICE))
    inc.direct(user(VICE), doc, direction())
    assert "on_behalf" not in events_of("incoming", doc.id)[-1].data


def test_direction_under_a_delegation_stops_when_it_ends_early_or_by_itself(ctx, monkeypatch):
    today = vn_today()
    d = give(powers=("direct",), days=1)
    doc = submitted_to_chairman()
    assert "direct" in inc.available_actions(user(VICE), doc)
    # The next day it has ended by itself.
    monkeypatch.setattr("docmgmt.delegation.access.vn_today", lambda: today + timedelta(days=1))
    monkeypatch.setattr("docmgmt.delegation.models.vn_today", lambda: today + timedelta(days=1))
    assert d.status is Status.ENDED
    assert "direct" not in inc.available_actions(user(VICE), doc) and doc not in inc.awaiting_direction(user(VICE))
    with pytest.raises(PermissionDenied):
        inc.direct(user(VICE), doc, direction())
    monkeypatch.undo()
    dops.end_delegation(user(CHAIRMAN), d, "Đã về")
    with pytest.raises(PermissionDenied):
        inc.direct(user(VICE), doc, direction())


def test_a_delegation_of_signature_alone_gives_no_direction(ctx):
    give(powers=("sign",))
    doc = submitted_to_chairman()
    with pytest.raises(PermissionDenied):
        inc.direct(user(VICE), doc, direction())


# --- acting under it: outgoing ----------------------------------------------------------------------

def draft_for(signer: str = CHAIRMAN, **extra):
    data = out.DraftInput(doc_type="cong_van", subject="V/v tăng cường phòng chống dịch bệnh gia súc",
                          signer_id=user(signer).id, recipients=[out.RecipientInput(token=f"unit:{unit('VHXH').id}")],
                          **extra)
    doc = out.create_draft(user("cv.kt1"), data, out.Upload(make_pdf("Công văn phòng chống dịch"), "du-thao.pdf"))
    out.submit(user("cv.kt1"), doc)
    out.approve(user("truongkt"), doc, "Đồng ý trình")
    db.session.flush()
    return doc


def stored(file) -> bytes:
    return FileStore.from_app().path_for(file.sha256).read_bytes()


def test_the_delegate_approves_and_signs_the_delegators_draft_in_their_name(ctx):
    today = vn_today()
    doc = draft_for()
    assert doc.current_step.reviewer_id == user(CHAIRMAN).id
    with pytest.raises(PermissionDenied):
        out.approve(user(VICE), doc, "Đồng ý")
    assert doc not in out.to_review(user(VICE))

    give(powers=("sign",), days=3)
    assert doc in out.to_review(user(VICE)) and out.delegated_from(user(VICE), doc) == user(CHAIRMAN)
    out.approve(user(VICE), doc, "Đồng ý ban hành")
    assert doc.status == "approved"
    assert doc in out.to_sign(user(VICE)) and doc in out.to_sign(user(CHAIRMAN))
    assert doc not in out.to_sign(user(OTHER_VICE))
    with pytest.raises(PermissionDenied) as refused:
        out.sign(user(OTHER_VICE), doc)
    assert refused.value.code == "not_signer"
    out.sign(user(VICE), doc)
    assert doc.status == "signed"

    signed = stored(doc.signed_file)
    block = appearance_text(signed, LEADER_FIELD)
    assert "KT. CHỦ TỊCH" in block and "PHÓ CHỦ TỊCH" in block and "Quách Thị Hương" in block
    assert "TM." not in block and "Bùi Văn Khánh" not in block

    span = f"từ {dm(today)} đến {dm(today + timedelta(days=2))}"
    approved, signed_event = events_of("outgoing", doc.id)[-2:]
    assert approved.action == "approved" and signed_event.action == "signed"
    for event in (approved, signed_event):
        assert event.actor_label == f"Quách Thị Hương (thay Chủ tịch Bùi Văn Khánh theo ủy quyền {span})"
    assert signed_event.data["block"] == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert notes_of(CHAIRMAN, "outgoing.done_for_you") == [
        f"Quách Thị Hương đã duyệt thay bạn (ủy quyền): {doc.subject}",
        f"Quách Thị Hương đã ký thay bạn (ủy quyền): {doc.subject}"]
    out.issue(user("vanthu"), doc)  # the clerk numbers and issues it as any signed document
    assert doc.status == "issued"


def test_without_a_delegation_or_after_it_the_delegators_draft_is_not_signed_by_another(ctx):
    doc = draft_for()
    out.approve(user(CHAIRMAN), doc, "Đồng ý")
    for attempt in range(2):
        with pytest.raises(PermissionDenied) as refused:
            out.sign(user(VICE), doc)
        assert refused.value.code == "not_signer"
        assert "sign" not in out.available_actions(user(VICE), doc) and doc not in out.to_sign(user(VICE))
        if attempt == 0:
            d = give(powers=("sign",))
            assert "sign" in out.available_actions(user(VICE), doc)
            dops.end_delegation(user(CHAIRMAN), d)


# --- the signature block forms (NĐ30 Điều 13, Phụ lục I) --------------------------------------------

def docx_text(data: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines += [p.text for p in cell.paragraphs]
    return [line.strip() for line in lines if line.strip()]


def block_of(lines: list[str], name: str) -> list[str]:
    """The signature cell: the two lines above the name, and the name."""
    at = lines.index(name)
    return [line for line in lines[at - 6:at + 1] if line.isupper() or line == name][-3:]


FORMS = {  # form → (authority, position) for a signer of that standing, for the chairman
    "tm": ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
    "kt": ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
    "q": ("TM. ỦY BAN NHÂN DÂN", "Q. CHỦ TỊCH"),
    "tuq": ("TUQ. CHỦ TỊCH", "ỦY VIÊN ỦY BAN NHÂN DÂN"),
    "tl": ("TL. CHỦ TỊCH", "ỦY VIÊN ỦY BAN NHÂN DÂN"),
}


@pytest.mark.parametrize("form", list(FORMS))
def test_each_form_reads_right_in_the_filled_template(ctx, form):
    org = user(CHAIRMAN).organisation
    position = {"tm": "Chủ tịch", "kt": "Phó Chủ tịch", "q": "Phó Chủ tịch"}.get(form, "Ủy viên Ủy ban nhân dân")
    authority, line = form_lines(org, SigningForm(form), position)
    assert (authority, line) == FORMS[form]
    spec = DraftSpec(doc_type="cong_van", issuing_body=org.name, abbreviation="UBND", place_name="Kim Bôi",
                     subject="V/v kiểm tra", body=["Nội dung."], signer_authority=authority,
                     signer_position=line, signer_name="Người Ký Thử", recipients=["Như trên"])
    assert block_of(docx_text(build_draft(spec)), "Người Ký Thử") == [*FORMS[form], "Người Ký Thử"]


def test_the_blocks_of_signing_in_ones_own_place_and_under_each_delegation(ctx):
    org = user(CHAIRMAN).organisation
    assert signature_lines(org, user(CHAIRMAN)) == FORMS["tm"]
    assert signature_lines(org, user(VICE)) == FORMS["kt"]
    assert signature_lines(org, user(VICE), give(powers=("sign",), form="q")) == FORMS["q"]
    member_leader()
    later = vn_today() + timedelta(days=20)
    assert signature_lines(org, user("uyvien"), give(CHAIRMAN, "uyvien", powers=("sign",), start=later)) \
        == FORMS["tuq"]
    assert signature_lines(org, user("uyvien"), give(CHAIRMAN, "uyvien", powers=("sign",), form="tl",
                                                     start=later + timedelta(days=10))) == FORMS["tl"]
    # A deputy delegating to the chairman: he signs for the committee, as always.
    assert signature_lines(org, user(CHAIRMAN), give(OTHER_VICE, CHAIRMAN, powers=("sign",),
                                                     start=later + timedelta(days=40))) == FORMS["tm"]


@pytest.mark.parametrize(("delegate", "form", "expected"), [
    (VICE, None, "kt"), (VICE, "q", "q"), ("uyvien", None, "tuq"), ("uyvien", "tl", "tl"),
])
def test_each_form_reads_right_in_the_signature_appearance(ctx, delegate, form, expected):
    member_leader()
    doc = draft_for()
    give(CHAIRMAN, delegate, powers=("sign",), form=form)
    out.approve(user(delegate), doc, "Đồng ý")
    out.sign(user(delegate), doc)
    text = " ".join(appearance_text(stored(doc.signed_file), LEADER_FIELD).split())
    authority, position = FORMS[expected]
    assert text.startswith(f"{authority} {position}") and user(delegate).full_name in text
    assert "Bùi Văn Khánh" not in text


def test_the_chairman_signs_tm_in_the_appearance(ctx):
    doc = draft_for()
    out.approve(user(CHAIRMAN), doc, "Đồng ý")
    out.sign(user(CHAIRMAN), doc)
    text = " ".join(appearance_text(stored(doc.signed_file), LEADER_FIELD).split())
    assert text.startswith("TM. ỦY BAN NHÂN DÂN CHỦ TỊCH") and "Bùi Văn Khánh" in text


def test_a_draft_made_while_the_signer_is_away_prints_the_delegates_block(ctx):
    give(powers=("sign",))
    data = out.DraftInput(doc_type="cong_van", subject="V/v báo cáo tình hình", signer_id=user(CHAIRMAN).id,
                          body=["Ủy ban nhân dân xã báo cáo như sau."])
    doc = out.create_draft(user("cv.kt1"), data)
    lines = docx_text(stored(doc.current_version.source_file))
    assert block_of(lines, "Quách Thị Hương") == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Quách Thị Hương"]
    assert "Bùi Văn Khánh" not in lines and "TM. ỦY BAN NHÂN DÂN" not in lines


def test_a_draft_printed_for_the_chairman_is_signed_with_the_block_of_the_vice_chairman(ctx, soffice):
    """The template printed “TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH / Bùi Văn Khánh” when it was
    drafted; the chairman left, the vice-chairman signs: the signed and the issued PDF read
    her block, and his name is no longer in the page's text."""
    data = out.DraftInput(doc_type="cong_van", subject="V/v tổng kết công tác năm 2026", signer_id=user(CHAIRMAN).id,
                          body=["Ủy ban nhân dân xã đề nghị các đơn vị báo cáo tổng kết."],
                          recipients=[out.RecipientInput(token=f"unit:{unit('VHXH').id}")])
    doc = out.create_draft(user("cv.kt1"), data)
    drafted = pdftotext(stored(doc.current_version.pdf_file))
    assert "TM. ỦY BAN NHÂN DÂN" in drafted and "Bùi Văn Khánh" in drafted
    out.submit(user("cv.kt1"), doc)
    out.approve(user("truongkt"), doc, "Đồng ý trình")
    give(powers=("sign",))
    out.approve(user(VICE), doc, "Đồng ý")
    out.sign(user(VICE), doc)
    out.issue(user("vanthu"), doc)
    for pdf in (stored(doc.signed_file), stored(doc.issued_file)):
        text = pdftotext(pdf)
        assert "KT. CHỦ TỊCH" in text and "PHÓ CHỦ TỊCH" in text and "Quách Thị Hương" in text
        assert "TM. ỦY BAN NHÂN DÂN" not in text and "Bùi Văn Khánh" not in text
    assert doc.number_symbol in pdftotext(stored(doc.issued_file))


# --- who sees what ----------------------------------------------------------------------------------

def test_who_sees_a_delegation(ctx):
    d = give()
    leader_of_lac_son()
    for name in (CHAIRMAN, VICE, OTHER_VICE, "vanthu"):
        assert can_read(user(name), d), name
        assert d in dops.list_for(user(name)), name
    for name in ("cv.kt1", "truongkt", "quantri", "thuky", "chutich.lacson"):
        assert not can_read(user(name), d), name
        assert dops.list_for(user(name)) == [], name
    assert dops.list_for(user(VICE), "received") == [d] and dops.list_for(user(VICE), "given") == []
    assert dops.available_actions(user(CHAIRMAN), d) == {"end"}
    assert dops.available_actions(user(VICE), d) == frozenset()
    assert dops.available_actions(user("chutich.lacson"), d) == frozenset()


def test_the_audit_log_shows_a_delegation_only_to_who_may_see_it(ctx):
    from docmgmt.audit.operations import readable_entries

    give()
    db.session.commit()

    def summary(name: str) -> str:
        return next(e.summary for e in readable_entries(user(name)) if e.action == "delegation.created")

    assert "Quách Thị Hương" in summary(CHAIRMAN)
    assert "Quách Thị Hương" not in summary("quantri")  # the administrator reads the trail, not the content


# --- pages and API ---------------------------------------------------------------------------------

def test_the_chairman_delegates_on_the_page_and_ends_it_early(client, login_as, app):
    login_as(CHAIRMAN)
    page = client.get("/delegations/new")
    assert page.status_code == 200
    with app.app_context():
        vice_id = user(VICE).id
    today = vn_today()
    form = {"csrf_token": csrf_from(text_of(page)), "delegate_id": str(vice_id), "powers": ["direct", "sign"],
            "start_date": today.strftime("%d/%m/%Y"), "end_date": (today + timedelta(days=2)).strftime("%d/%m/%Y"),
            "reason": TRIP, "form": ""}
    created = client.post("/delegations/new", data=form)
    assert created.status_code == 302, text_of(created)[:2000]
    shown = client.get(created.headers["Location"])
    html = text_of(shown)
    assert "Đang có hiệu lực" in html and "KT. — ký thay Chủ tịch" in html
    assert f"Từ {today:%d/%m/%Y} đến hết {today + timedelta(days=2):%d/%m/%Y}" in html
    # The same days again: refused, said under the field, nothing saved.
    again = client.post("/delegations/new", data={**form, "csrf_token": page_csrf(client, "/delegations/new")})
    assert again.status_code == 409 and "hai ủy quyền cùng một việc không được trùng ngày" in text_of(again)
    listing = text_of(client.get("/delegations/"))
    assert listing.count('data-delegation="') == 1 and "Quách Thị Hương" in listing
    path = created.headers["Location"]
    ended = client.post(path + "/end", data={"csrf_token": page_csrf(client, path), "end-csrf_token":
                                             page_csrf(client, path), "end-reason": "Hoãn chuyến công tác"})
    assert ended.status_code == 302, text_of(ended)[:1000]
    assert "Đã kết thúc sớm" in text_of(client.get(path)) or "Đã hủy" in text_of(client.get(path))


def test_the_delegate_sees_the_delegators_queue_marked_on_home_and_queue_pages(client, login_as, app):
    with app.test_request_context():
        give()
        doc = submitted_to_chairman("Về việc kiểm tra an toàn hồ đập mùa mưa lũ")
        draft = draft_for()
        db.session.commit()
        doc_id, draft_id = doc.id, draft.id
    login_as(VICE)
    home = text_of(client.get("/"))
    assert "Ủy quyền của Bùi Văn Khánh" in home and "Về việc kiểm tra an toàn hồ đập mùa mưa lũ" in home
    awaiting = text_of(client.get("/incoming/awaiting"))
    assert f'data-doc="{doc_id}"' in awaiting and 'data-testid="delegated"' in awaiting
    review = text_of(client.get("/outgoing/review"))
    assert f'data-doc="{draft_id}"' in review and "Ủy quyền của Bùi Văn Khánh" in review
    page = text_of(client.get(f"/incoming/{doc_id}"))
    assert 'data-testid="acting-note"' in page and "Bạn thực hiện thay Bùi Văn Khánh" in page


def test_staff_have_no_delegation_pages_and_see_no_delegation(client, login_as, app):
    with app.test_request_context():
        d = give()
        db.session.commit()
        delegation_id = d.id
    login_as("cv.kt1")
    assert client.get("/delegations/").status_code == 403
    assert client.get("/delegations/new").status_code == 403
    assert client.get(f"/delegations/{delegation_id}").status_code == 404
    login_as(VICE)
    page = client.get(f"/delegations/{delegation_id}")
    assert page.status_code == 200 and 'data-action="end"' not in text_of(page)
    assert client.post(f"/delegations/{delegation_id}/end",
                       data={"end-csrf_token": page_csrf(client, f"/delegations/{delegation_id}")}).status_code == 403


def test_the_api_lists_creates_and_ends_with_the_standard_errors(app, as_user):
    chairman, vice, staff = as_user(CHAIRMAN), as_user(VICE), as_user("cv.kt1")
    today = vn_today()
    body = {"delegate_id": vice.id, "powers": ["sign"], "start_date": today.isoformat(),
            "end_date": (today + timedelta(days=1)).isoformat(), "reason": TRIP}
    created = chairman.post("/api/v1/delegations", json=body)
    assert created.status_code == 201, created.json
    d = created.json
    assert (d["delegate"]["full_name"], d["powers"], d["form"], d["form_prefix"], d["status"]) == (
        "Quách Thị Hương", ["sign"], "kt", "KT.", "running")
    assert d["actions"] == ["end"] and d["acts"] == []
    overlap = chairman.post("/api/v1/delegations", json=body)
    assert overlap.status_code == 409 and overlap.json["error"]["code"] == "overlap"
    assert overlap.json["error"]["field"] == "start_date"
    bad = chairman.post("/api/v1/delegations", json={**body, "powers": []})
    assert bad.status_code == 422 and bad.json["error"]["code"] == "validation_error"
    assert bad.json["error"]["field"] == "powers"
    self_ = chairman.post("/api/v1/delegations", json={**body, "delegate_id": chairman.id})
    assert (self_.status_code, self_.json["error"]["code"]) == (422, "self_delegation")
    assert staff.post("/api/v1/delegations", json=body).json["error"]["code"] == "forbidden"
    assert [x["id"] for x in vice.get("/api/v1/delegations?role=received").json] == [d["id"]]
    assert vice.get("/api/v1/delegations?role=given").json == []
    assert staff.get(f"/api/v1/delegations/{d['id']}").status_code == 404
    assert vice.post(f"/api/v1/delegations/{d['id']}/end", json={}).status_code == 403
    ended = chairman.post(f"/api/v1/delegations/{d['id']}/end", json={"reason": "Đã về"})
    assert ended.status_code == 200 and ended.json["status"] == "ended_early" and ended.json["end_reason"] == "Đã về"
    again = chairman.post(f"/api/v1/delegations/{d['id']}/end", json={})
    assert (again.status_code, again.json["error"]["code"]) == (409, "invalid_state")


def test_the_api_shows_acts_and_the_history_says_on_whose_behalf(app, as_user):
    with app.test_request_context():
        give(powers=("direct",))
        doc = submitted_to_chairman()
        db.session.commit()
        doc_id = doc.id
    vice = as_user(VICE)
    directed = vice.post(f"/api/v1/incoming/{doc_id}/direct", json={"main": f"unit:{unit_id_kt(app)}"})
    assert directed.status_code == 200, directed.json
    last = directed.json["history"][-1]
    assert last["actor"] == "Quách Thị Hương" and "thay Chủ tịch Bùi Văn Khánh theo ủy quyền" in last["actor_label"]
    assert last["data"]["on_behalf"]["name"] == "Bùi Văn Khánh"
    listed = vice.get("/api/v1/delegations?role=received").json
    detail = vice.get(f"/api/v1/delegations/{listed[0]['id']}").json
    assert [(a["direction"], a["document_id"], a["action"]) for a in detail["acts"]] == [
        ("incoming", doc_id, "directed")]


def unit_id_kt(app) -> int:
    from tests.commune import unit_id

    return unit_id("KT", app=app)


def test_the_delegation_api_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json
    for path, method in (("/api/v1/delegations", "get"), ("/api/v1/delegations", "post"),
                         ("/api/v1/delegations/{delegation_id}", "get"),
                         ("/api/v1/delegations/{delegation_id}/end", "post")):
        assert method in spec["paths"][path], (path, method)
    assert {"409", "422"} <= set(spec["paths"]["/api/v1/delegations"]["post"]["responses"])


def test_the_delegation_pages_speak_english_from_the_catalogue(client, login_as, app):
    """Every text of the interface on the delegation pages (and the marks on the queues)
    comes from the catalogue: no text node equals a translated Vietnamese msgid."""
    from html.parser import HTMLParser

    from tests.test_english_pages import _vietnamese_msgids

    class Texts(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found, self.skip = [], 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("script", "style")

        def handle_endtag(self, tag):
            self.skip -= tag in ("script", "style")

        def handle_data(self, data):
            if not self.skip and data.split():
                self.found.append(" ".join(data.split()))

    with app.test_request_context():
        d = give()
        submitted_to_chairman()
        db.session.commit()
        delegation_id = d.id
    msgids = _vietnamese_msgids()
    for name, pages in ((CHAIRMAN, ["/delegations/", "/delegations/new", f"/delegations/{delegation_id}"]),
                        (VICE, ["/", "/incoming/awaiting", f"/delegations/{delegation_id}"])):
        login_as(name)
        client.post("/lang/en", data={"csrf_token": page_csrf(client), "next": "/"})
        for path in pages:
            parser = Texts()
            parser.feed(text_of(client.get(path)))
            left = sorted({t for t in parser.found if t in msgids})
            assert left == [], (name, path, left)
    assert "Delegated by Bùi Văn Khánh" in text_of(client.get("/incoming/awaiting"))
