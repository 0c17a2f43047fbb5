"""Delegations: give one, end it early, tell both people when it starts and ends.

Whoever asks (the page, the API), the rules are here: only a leader delegates, only
their own powers, to another active leader of the same commune, for days from today on
(at most ``MAX_DAYS``), never twice the same power for the same days, never onward what
they themselves received, and never to someone who is away too. The act itself — a
direction, an approval, a signature in the delegator's name — is checked and recorded by
the incoming and outgoing modules, through ``access.acting_for``.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from ..audit.operations import readable_through, record, register_content_check
from ..core.access import find_scoped
from ..core.errors import Conflict, ValidationFailed, forbidden, not_found
from ..core.permissions import Permission, Role
from ..core.text import clean, sorted_people
from ..core.timeutil import format_date, utcnow, vn_today
from ..documents.history import DocumentEvent
from ..extensions import db
from ..notifications.operations import notify
from ..org.models import User
from .access import LIFECYCLE, READ, can_read, running_on
from .models import Delegation
from .schemas import DelegationInput
from .workflow import MAX_AHEAD_DAYS, MAX_DAYS, Power, SigningForm, Status, signing_forms

NOT_FOUND = _l("Không tìm thấy ủy quyền hoặc bạn không có quyền xem.")

# The audit log shows an entry about a delegation to those who may see it.
register_content_check("delegation", readable_through(READ))


# --- reading ----------------------------------------------------------------------------------

def get_readable(user: User, delegation_id: object) -> Delegation:
    return READ.get(user, delegation_id, str(NOT_FOUND))


def available_actions(user: User, delegation: Delegation) -> frozenset[str]:
    """What the operations would accept from this person now: end."""
    if not can_read(user, delegation):
        return frozenset()
    return frozenset(LIFECYCLE.available(user, delegation))


def may_delegate(user: User) -> bool:
    """A leader, who holds some power to delegate."""
    return user.active and user.has_role(Role.LEADER) and any(user.can(p.permission) for p in Power)


def may_list(user: User) -> bool:
    """Who has a delegations page: a leader (their own, given and received), and whoever
    reads every document (the clerk: who signs for whom this week)."""
    return may_delegate(user) or user.can(Permission.VIEW_ALL_DOCUMENTS)


def list_for(user: User, role: str = "all") -> list[Delegation]:
    """given: mine to others; received: others' to me; all: every one I may see. Newest
    first by start date."""
    query = READ.select(user)
    if role == "given":
        query = query.where(Delegation.delegator_id == user.id)
    elif role == "received":
        query = query.where(Delegation.delegate_id == user.id)
    return list(db.session.scalars(query.order_by(Delegation.start_date.desc(), Delegation.id.desc())))


def candidates(user: User) -> list[User]:
    """Whom this person may delegate to: the other active leaders of the commune, in
    Vietnamese list order."""
    people = db.session.scalars(sa.select(User).where(
        User.organisation_id == user.organisation_id, User.active.is_(True), User.id != user.id))
    return sorted_people(u for u in people if u.has_role(Role.LEADER))


def acts_under(delegation: Delegation) -> list[DocumentEvent]:
    """The history events recorded under this delegation, oldest first."""
    return list(db.session.scalars(sa.select(DocumentEvent).where(
        DocumentEvent.organisation_id == delegation.organisation_id,
        DocumentEvent.delegation_id == delegation.id).order_by(DocumentEvent.id)))


# --- giving a delegation ------------------------------------------------------------------------

def _overlapping(organisation_id: int, column, person_id: int, power: Power, start: date,
                 end: date) -> Delegation | None:
    """A delegation not ended early, of ``power``, where ``column`` is the person, sharing
    a day with [start, end]."""
    power_column = Delegation.direct if power is Power.DIRECT else Delegation.sign
    return db.session.scalars(sa.select(Delegation).where(
        Delegation.organisation_id == organisation_id, column == person_id, power_column.is_(True),
        Delegation.ended_at.is_(None), Delegation.start_date <= end, Delegation.end_date >= start)
        .order_by(Delegation.start_date).limit(1)).first()


def _days(d: Delegation) -> dict:
    return {"start": format_date(d.start_date), "end": format_date(d.end_date)}


def _delegate(actor: User, delegate_id: int) -> User:
    delegate = find_scoped(User, delegate_id, actor)
    if delegate is None:
        raise ValidationFailed("invalid_delegate", _("Người nhận ủy quyền không thuộc cơ quan."), "delegate_id")
    if delegate.id == actor.id:
        raise ValidationFailed("self_delegation", _("Không thể tự ủy quyền cho chính mình."), "delegate_id")
    if not delegate.active:
        raise ValidationFailed("invalid_delegate", _("Tài khoản của người nhận ủy quyền đã ngừng hoạt động."),
                               "delegate_id")
    if not delegate.has_role(Role.LEADER):
        raise ValidationFailed("not_a_leader",
                               _("Chỉ ủy quyền cho lãnh đạo của cơ quan (Chủ tịch, Phó Chủ tịch)."),
                               "delegate_id")
    return delegate


def _dates(data: DelegationInput, today: date) -> None:
    if data.start_date < today:
        raise ValidationFailed("past_date", _("Ngày bắt đầu không thể trước hôm nay."), "start_date")
    if data.start_date > today + timedelta(days=MAX_AHEAD_DAYS):
        raise ValidationFailed("too_far", _("Ngày bắt đầu quá xa (tối đa một năm kể từ hôm nay)."),
                               "start_date")
    if data.end_date < data.start_date:
        raise ValidationFailed("dates_in_order", _("Ngày kết thúc không thể trước ngày bắt đầu."), "end_date")
    if (data.end_date - data.start_date).days + 1 > MAX_DAYS:
        raise ValidationFailed("too_long", _("Mỗi lần ủy quyền tối đa %(n)s ngày.", n=MAX_DAYS), "end_date")


def _form(actor: User, delegate: User, data: DelegationInput, powers: list[Power]) -> SigningForm:
    allowed = signing_forms(actor, delegate)
    if Power.SIGN not in powers:
        return allowed[0] if allowed else SigningForm.KT  # not used: nothing to sign
    if not allowed:
        raise ValidationFailed(
            "form_not_allowed",
            _("Chỉ Chủ tịch mới ủy quyền ký cho người không phải Phó Chủ tịch (ký thừa ủy quyền, "
              "Nghị định 30/2020/NĐ-CP Điều 13)."), "delegate_id")
    if data.form is None:
        return allowed[0]
    form = SigningForm(data.form)
    if form not in allowed:
        raise ValidationFailed(
            "form_not_allowed",
            _("%(name)s không ký theo hình thức %(form)s khi nhận ủy quyền của bạn; hình thức phù hợp: %(ok)s.",
              name=delegate.full_name, form=form.prefix, ok=", ".join(f.prefix for f in allowed)), "form")
    return form


def _check_free(actor: User, delegate: User, powers: list[Power], start: date, end: date) -> None:
    """No overlap of the same power by the same person; no re-delegation of what one
    received; no delegation to someone away for those days."""
    org = actor.organisation_id
    for power in powers:
        held = _overlapping(org, Delegation.delegate_id, actor.id, power, start, end)
        if held is not None:
            raise Conflict(
                "re_delegation",
                _("Từ %(start)s đến %(end)s bạn đang nhận ủy quyền %(power)s của %(name)s. Người nhận ủy quyền "
                  "không được ủy quyền lại cho người khác (Nghị định 30/2020/NĐ-CP, Điều 13); hãy đề nghị "
                  "%(name)s ủy quyền trực tiếp.", power=power.label, name=held.delegator.full_name, **_days(held)),
                "start_date")
        given = _overlapping(org, Delegation.delegator_id, actor.id, power, start, end)
        if given is not None:
            raise Conflict(
                "overlap",
                _("Bạn đã ủy quyền %(power)s cho %(name)s từ %(start)s đến %(end)s; hai ủy quyền cùng một việc "
                  "không được trùng ngày. Hãy kết thúc ủy quyền đó hoặc chọn ngày khác.",
                  power=power.label, name=given.delegate.full_name, **_days(given)), "start_date")
        away = _overlapping(org, Delegation.delegator_id, delegate.id, power, start, end)
        if away is not None:
            raise Conflict(
                "delegate_away",
                _("%(name)s cũng vắng mặt: đã ủy quyền %(power)s cho %(other)s từ %(start)s đến %(end)s. "
                  "Hãy chọn người khác.", name=delegate.full_name, power=power.label,
                  other=away.delegate.full_name, **_days(away)), "delegate_id")


def create_delegation(actor: User, data: DelegationInput) -> Delegation:
    """Ủy quyền: the actor lets another leader act in their name for these days."""
    if not may_delegate(actor):
        raise forbidden(_("Chỉ lãnh đạo mới ủy quyền chỉ đạo, ký văn bản."))
    powers = [Power(p) for p in dict.fromkeys(data.powers)]
    if not powers:
        raise ValidationFailed("required", _("Hãy chọn việc ủy quyền."), "powers")
    for power in powers:
        if not actor.can(power.permission):
            raise forbidden(_("Bạn không có quyền %(power)s để ủy quyền.", power=power.label))
    today = vn_today()
    _dates(data, today)
    reason = clean(data.reason)
    if not reason:
        raise ValidationFailed("required", _("Hãy ghi lý do ủy quyền."), "reason")
    delegate = _delegate(actor, data.delegate_id)
    for power in powers:
        if not delegate.can(power.permission):
            raise ValidationFailed("not_a_leader", _("%(name)s không có quyền %(power)s.",
                                                     name=delegate.full_name, power=power.label), "delegate_id")
    form = _form(actor, delegate, data, powers)
    _check_free(actor, delegate, powers, data.start_date, data.end_date)
    delegation = Delegation(
        organisation_id=actor.organisation_id, delegator_id=actor.id, delegate_id=delegate.id,
        direct=Power.DIRECT in powers, sign=Power.SIGN in powers, form=form.value,
        start_date=data.start_date, end_date=data.end_date, reason=reason, created_by_id=actor.id)
    db.session.add(delegation)
    db.session.flush()
    record(actor.organisation_id, actor, "delegation.created", delegation,
           f"Ủy quyền {delegation.powers_label} cho {delegate.full_name} từ {format_date(data.start_date)} "
           f"đến {format_date(data.end_date)}: {reason}",
           {"delegate": delegate.id, "powers": [p.value for p in powers], "form": form.value,
            "start": data.start_date.isoformat(), "end": data.end_date.isoformat()})
    if delegation.runs_on(today):
        _notify_start(delegation)
    else:
        notify(delegate, "delegation.created",
               _l("%(name)s sẽ ủy quyền cho bạn %(powers)s từ %(start)s đến %(end)s: %(reason)s",
                  name=actor.full_name, powers=_powers_text(delegation), reason=reason[:200],
                  **_days(delegation)), _link(delegation))
    return delegation


# --- ending ---------------------------------------------------------------------------------------

def end_delegation(actor: User, delegation: Delegation, reason: str = "") -> Delegation:
    """Kết thúc sớm: the delegator is back (or changed their mind before it began)."""
    if not can_read(actor, delegation):
        raise not_found(str(NOT_FOUND))
    if not LIFECYCLE.is_who(actor, delegation, LIFECYCLE["end"].who):
        raise forbidden(_("Chỉ người ủy quyền mới kết thúc ủy quyền."))
    if not LIFECYCLE.in_state(delegation, "end"):
        raise Conflict("invalid_state", _("Ủy quyền này đã kết thúc (%(s)s).", s=delegation.status.label))
    was_running = delegation.status is Status.RUNNING
    now = utcnow()
    delegation.ended_at, delegation.ended_by_id = now, actor.id
    delegation.end_reason = clean(reason)
    delegation.end_notified_at = now
    record(actor.organisation_id, actor, "delegation.ended", delegation,
           f"Kết thúc sớm ủy quyền cho {delegation.delegate.full_name}"
           + (f": {delegation.end_reason}" if delegation.end_reason else ""),
           {"was_running": was_running})
    title = (_l("Ủy quyền %(powers)s của %(name)s cho %(delegate)s đã kết thúc sớm (%(day)s).",
                powers=_powers_text(delegation), name=delegation.delegator.full_name,
                delegate=delegation.delegate.full_name, day=format_date(vn_today()))
             if was_running else
             _l("Ủy quyền %(powers)s của %(name)s cho %(delegate)s từ %(start)s đến %(end)s đã được hủy.",
                powers=_powers_text(delegation), name=delegation.delegator.full_name,
                delegate=delegation.delegate.full_name, **_days(delegation)))
    for person in (delegation.delegate, delegation.delegator):
        notify(person, "delegation.ended", title, _link(delegation))
    return delegation


# --- telling both people when it starts and when it ends by itself --------------------------------

def _powers_text(delegation: Delegation) -> LazyString:
    """The powers' words, rendered when the notification is (in its reader's language)."""
    return LazyString(lambda: delegation.powers_label)


def _notify_start(delegation: Delegation) -> None:
    days = _days(delegation)
    notify(delegation.delegate, "delegation.started",
           _l("Bạn được %(name)s ủy quyền %(powers)s từ %(start)s đến %(end)s: các văn bản chờ %(name)s "
              "xử lý hiện ở trang chủ của bạn.", name=delegation.delegator.full_name,
              powers=_powers_text(delegation), **days), _link(delegation))
    notify(delegation.delegator, "delegation.started",
           _l("Ủy quyền %(powers)s cho %(name)s có hiệu lực từ %(start)s đến %(end)s.",
              name=delegation.delegate.full_name, powers=_powers_text(delegation), **days), _link(delegation))
    delegation.start_notified_at = utcnow()


def notify_due(today: date | None = None) -> int:
    """The worker's job: tell both people of each delegation that started or ended by
    itself since the last run (each once). Returns how many delegations were announced."""
    today = today or vn_today()
    count = 0
    starting = db.session.scalars(sa.select(Delegation).where(
        running_on(today), Delegation.start_notified_at.is_(None)))
    for delegation in starting:
        _notify_start(delegation)
        count += 1
    ended = db.session.scalars(sa.select(Delegation).where(
        Delegation.ended_at.is_(None), Delegation.end_date < today, Delegation.end_notified_at.is_(None)))
    for delegation in ended:
        title = _l("Ủy quyền %(powers)s của %(name)s cho %(delegate)s đã hết hạn (%(end)s).",
                   powers=_powers_text(delegation), name=delegation.delegator.full_name,
                   delegate=delegation.delegate.full_name, end=format_date(delegation.end_date))
        for person in (delegation.delegate, delegation.delegator):
            notify(person, "delegation.ended", title, _link(delegation))
        now = utcnow()
        delegation.start_notified_at = delegation.start_notified_at or now
        delegation.end_notified_at = now
        record(delegation.organisation_id, None, "delegation.expired", delegation,
               f"Hết hạn ủy quyền cho {delegation.delegate.full_name} ({format_date(delegation.end_date)})")
        count += 1
    return count


def _link(delegation: Delegation) -> str:
    return f"/delegations/{delegation.id}"



def away_note(leader: User, power: Power = Power.DIRECT, day: date | None = None) -> str:
    """“(vắng — ủy quyền cho Quách Thị Hương đến 11/12/2026)” when the leader has delegated
    ``power`` today; "" otherwise (for the pickers that name leaders)."""
    power_column = Delegation.direct if power is Power.DIRECT else Delegation.sign
    given = db.session.scalars(sa.select(Delegation).where(
        Delegation.organisation_id == leader.organisation_id, Delegation.delegator_id == leader.id,
        power_column.is_(True), running_on(day or vn_today())).limit(1)).first()
    if given is None:
        return ""
    return _("(vắng — ủy quyền cho %(delegate)s đến %(end)s)", delegate=given.delegate.full_name,
             end=format_date(given.end_date))


def away_label(leader: User, power: Power = Power.DIRECT, day: date | None = None) -> str:
    """A leader's name with ``away_note``."""
    note = away_note(leader, power, day)
    return f"{leader.full_name} {note}" if note else leader.full_name
