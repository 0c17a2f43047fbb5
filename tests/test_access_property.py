"""The access rules give one answer whichever way they are asked.

Over generated people (any roles, unit, active or not, this commune or another) and
generated documents and meetings (any state, assignments, reviewers, recipients,
participants), what a person may open (the Python predicate) is exactly what every list
and count built from the SQL clause shows them, and exactly what the search index's
tokens let them find.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docmgmt.core.access import principals_of
from docmgmt.core.permissions import Role
from docmgmt.documents.registers import Direction, register_for
from docmgmt.extensions import db
from docmgmt.incoming import access as incoming_access
from docmgmt.incoming import operations as incoming_ops
from docmgmt.incoming.models import Assignment, IncomingDocument
from docmgmt.incoming.workflow import Status as InStatus
from docmgmt.org.models import Organisation, Unit, User
from docmgmt.outgoing import access as outgoing_access
from docmgmt.outgoing import operations as outgoing_ops
from docmgmt.outgoing.models import OutgoingDocument, Recipient, ReviewStep
from docmgmt.outgoing.workflow import Status as OutStatus
from meetings import access as meeting_access
from meetings import operations as meeting_ops
from meetings.models import Meeting, Participant
from tests.commune import user as demo_user

SETTINGS = settings(max_examples=25, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
UNITS = ["VP", "KT", "VHXH", None]
LEVELS = ["thuong", "thuong", "thuong", "mat"]

people = st.lists(st.fixed_dictionaries({
    "roles": st.sets(st.sampled_from(list(Role)), max_size=2),
    "unit": st.sampled_from(UNITS),
    "active": st.sampled_from([True, True, True, False]),
    "home": st.sampled_from([True, True, True, False]),
}), min_size=1, max_size=6)
someone = st.integers(min_value=0, max_value=5)  # an index into the people, wrapped


@contextmanager
def _generated(specs):
    """The generated people in a savepoint, rolled back after the example: (people,
    the commune's id, its units by abbreviation)."""
    savepoint = db.session.begin_nested()
    try:
        users = _make_people(specs)
        org_id = _home(users)
        yield users, org_id, _units(org_id)
    finally:
        savepoint.rollback()


def _make_people(specs) -> list[User]:
    home = db.session.scalar(sa.select(Organisation).where(Organisation.abbreviation == "UBND")
                             .order_by(Organisation.id))
    other = db.session.scalar(sa.select(Organisation).where(Organisation.id != home.id))
    units = {u.abbreviation: u for u in db.session.scalars(
        sa.select(Unit).where(Unit.organisation_id == home.id))}
    made = []
    for spec in specs:
        user = User(organisation_id=(home if spec["home"] else other).id, username=f"p{uuid.uuid4().hex[:12]}",
                    full_name="Người thử", password_hash="x", active=bool(spec["active"]),
                    unit_id=units[spec["unit"]].id if spec["unit"] and spec["home"] else None)
        user.set_roles(spec["roles"])
        db.session.add(user)
        made.append(user)
    db.session.flush()
    return made


def _units(org_id: int) -> dict[str, int]:
    return {u.abbreviation: u.id for u in db.session.scalars(sa.select(Unit).where(Unit.organisation_id == org_id))}


def _pick(users: list[User], index: int) -> User:
    return users[index % len(users)]


def _home(users: list[User]) -> int:
    return db.session.scalar(sa.select(Organisation.id).where(Organisation.abbreviation == "UBND")
                             .order_by(Organisation.id))


def _check_rule(rule, users, objects, model):
    ids = [o.id for o in objects]
    for user in users:
        expected = {o.id for o in objects if rule.allows(user, o)}
        listed = set(db.session.scalars(rule.select(user).with_only_columns(model.id).where(model.id.in_(ids))))
        assert listed == expected, (user.roles, user.unit_id, user.active)
        assert rule.count(user, model.id.in_(ids)) == len(expected)
        # the search index's tokens open exactly the same records (within the commune)
        principals = principals_of(user)
        by_tokens = {o.id for o in objects if user.active and o.organisation_id == user.organisation_id
                     and not principals.isdisjoint(rule.tokens(o))}
        assert by_tokens == expected


assignments = st.lists(st.fixed_dictionaries({
    "role": st.sampled_from(["main", "co", "info"]),
    "person": st.one_of(st.none(), someone),
    "unit": st.sampled_from(UNITS),
    "superseded": st.booleans(),
    "done": st.booleans(),
}), max_size=3)
incoming_docs = st.lists(st.fixed_dictionaries({
    "level": st.sampled_from(LEVELS),
    "status": st.sampled_from([s for s in InStatus if s is not InStatus.PAPER]),
    "assignments": assignments,
}), min_size=1, max_size=5)


@SETTINGS
@given(specs=people, docs=incoming_docs)
def test_incoming_predicate_lists_and_tokens_agree(ctx, specs, docs):
    with _generated(specs) as (users, org_id, units):
        made = []
        for n, spec in enumerate(docs):
            paper = spec["level"] != "thuong"
            register = register_for(org_id, Direction.INCOMING, 2026, paper)
            doc = IncomingDocument(
                organisation_id=org_id, register_id=register.id, arrival_number=10_000 + n,
                arrival_date=date(2026, 3, 2), sender_name="Sở Nội vụ", subject="" if paper else "Về việc",
                confidentiality=spec["level"], status=InStatus.PAPER if paper else spec["status"])
            for a in spec["assignments"]:
                person = _pick(users, a["person"]) if a["person"] is not None else None
                unit_id = units.get(a["unit"]) if a["unit"] else None
                if person is None and unit_id is None:
                    unit_id = units["KT"]
                doc.assignments.append(Assignment(
                    role=a["role"], assignee_user_id=person.id if person else None, assignee_unit_id=unit_id,
                    superseded_at=datetime(2026, 3, 3, tzinfo=UTC) if a["superseded"] else None,
                    done_at=datetime(2026, 3, 4, tzinfo=UTC) if a["done"] else None))
            db.session.add(doc)
            made.append(doc)
        db.session.flush()
        _check_rule(incoming_access.READ, users, made, IncomingDocument)
        for user in users:
            readable = [d.id for d in made if incoming_access.can_read(user, d)]
            listed = {d.id for d in incoming_ops.list_documents(user, limit=10_000) if d.id in {m.id for m in made}}
            assert listed == set(readable)
            # the queue holds only what the person may open, and what concerns them
            queued = [e.document for e in _queue_entries(user) if e.document in made]
            assert all(incoming_access.can_read(user, d) for d in queued)


def _queue_entries(user):
    q = incoming_ops.queue_for(user)
    return q.new + q.in_progress + q.for_information


outgoing_docs = st.lists(st.fixed_dictionaries({
    "level": st.sampled_from(LEVELS),
    "status": st.sampled_from(list(OutStatus)),
    "drafter": someone,
    "signer": st.one_of(st.none(), someone),
    "unit": st.sampled_from(UNITS),
    "reviewers": st.lists(someone, max_size=2),
    "recipients": st.lists(st.one_of(
        st.tuples(st.just("user"), someone), st.tuples(st.just("unit"), st.sampled_from(UNITS[:3])),
        st.tuples(st.just("external"), st.just(0))), max_size=3),
}), min_size=1, max_size=5)


@SETTINGS
@given(specs=people, docs=outgoing_docs)
def test_outgoing_predicate_and_lists_agree(ctx, specs, docs):
    with _generated(specs) as (users, org_id, units):
        made = []
        for spec in docs:
            paper = spec["level"] != "thuong"
            doc = OutgoingDocument(
                organisation_id=org_id, doc_type="cong_van", subject="" if paper else "Về việc",
                confidentiality=spec["level"], status=spec["status"], drafter_id=_pick(users, spec["drafter"]).id,
                signer_id=_pick(users, spec["signer"]).id if spec["signer"] is not None else None,
                drafting_unit_id=units.get(spec["unit"]) if spec["unit"] else None)
            for n, reviewer in enumerate(spec["reviewers"]):
                doc.steps.append(ReviewStep(round=1, kind="leader", reviewer_id=_pick(users, reviewer).id,
                                            version_number=1, decision="approved" if n == 0 else None))
            for kind, ref in spec["recipients"]:
                if kind == "user":
                    doc.recipients.append(Recipient(kind="user", user_id=_pick(users, ref).id))
                elif kind == "unit":
                    doc.recipients.append(Recipient(kind="unit", unit_id=units[ref]))
                else:
                    doc.recipients.append(Recipient(kind="external", organ_name="Sở Tài chính"))
            db.session.add(doc)
            made.append(doc)
        db.session.flush()
        _check_rule(outgoing_access.READ, users, made, OutgoingDocument)
        ids = {d.id for d in made}
        for user in users:
            expected = [d.id for d in sorted(made, key=lambda d: -d.id) if outgoing_access.can_read(user, d)]
            # page by page, two at a time: every page holds what may be opened, in order
            pages = []
            offset = 0
            while True:
                page = [d.id for d in outgoing_ops.list_documents(user, limit=2, offset=offset) if d.id in ids]
                total_page = outgoing_ops.list_documents(user, limit=2, offset=offset)
                if not total_page:
                    break
                pages.extend(page)
                offset += 2
            assert pages == expected


meetings = st.lists(st.fixed_dictionaries({
    "chair": someone, "secretary": someone,
    "participants": st.lists(someone, max_size=4, unique=True),
    "status": st.sampled_from(["draft", "invited", "live", "ended", "cancelled"]),
}), min_size=1, max_size=4)


@SETTINGS
@given(specs=people, meetings_=meetings)
def test_meeting_predicate_and_lists_agree(ctx, specs, meetings_):
    with _generated(specs) as (users, org_id, _units_):
        start = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
        made = []
        for spec in meetings_:
            chair, secretary = _pick(users, spec["chair"]), _pick(users, spec["secretary"])
            m = Meeting(organisation_id=org_id, title="Họp giao ban", starts_at=start, status=spec["status"],
                        chair_id=chair.id, secretary_id=secretary.id, created_by_id=chair.id)
            for user_id in dict.fromkeys(_pick(users, i).id for i in spec["participants"]):
                m.participants.append(Participant(user_id=user_id))
            db.session.add(m)
            made.append(m)
        db.session.flush()
        _check_rule(meeting_access.VIEW, users, made, Meeting)
        _check_rule(meeting_access.MANAGE, users, made, Meeting)
        _check_rule(meeting_access.ATTEND, users, made, Meeting)
        for user in users:
            shown = {m.id for m in meeting_ops.meetings_between(user, date(2026, 12, 7), date(2026, 12, 8))}
            assert shown & {m.id for m in made} == {m.id for m in made if meeting_access.can_view(user, m)}


def test_a_reader_of_12_of_300_outgoing_documents_sees_all_12_page_by_page(ctx):
    """The defect: the list fetched 3 × the page and filtered in Python, so a staff
    member who may read a few documents among many missed them or saw empty pages."""
    clerk, staff = demo_user("vanthu"), demo_user("cv.kt1")
    mine = set()
    for n in range(300):
        drafter = staff if n % 25 == 0 else clerk
        doc = OutgoingDocument(organisation_id=clerk.organisation_id, doc_type="cong_van",
                               subject=f"Văn bản thứ {n}", drafter_id=drafter.id, drafting_unit_id=clerk.unit_id)
        db.session.add(doc)
        db.session.flush()
        if drafter is staff:
            mine.add(doc.id)
    assert len(mine) == 12
    seen: list[int] = []
    for page in range(6):
        seen += [d.id for d in outgoing_ops.list_documents(staff, limit=5, offset=page * 5)]
    assert len(seen) == 12 and set(seen) == mine
    assert seen == sorted(seen, reverse=True)
    assert outgoing_access.READ.count(staff) == 12


def test_ids_beyond_64_bits_are_not_found(ctx):
    from docmgmt.core.errors import NotFound

    clerk = demo_user("vanthu")
    for bad in (2**64, 2**63, -1, 0, "12abc", None):
        with pytest.raises(NotFound):
            incoming_ops.get_readable(clerk, bad)
        with pytest.raises(NotFound):
            outgoing_ops.get_readable(clerk, bad)
        with pytest.raises(NotFound):
            meeting_ops.get_visible(clerk, bad)


def test_urls_with_ids_beyond_64_bits_answer_not_found(client):
    from tests.conftest import login

    login(client, "vanthu")
    huge = 2**70
    for path in (f"/incoming/{huge}", f"/outgoing/{huge}", f"/meetings/{huge}",
                 f"/api/v1/incoming/{huge}", f"/api/v1/outgoing/{huge}", f"/files/{huge}"):
        assert client.get(path).status_code == 404, path


dossier_specs = st.lists(st.fixed_dictionaries({
    "status": st.sampled_from(["planned", "open", "closed", "archived"]),
    "responsible": someone,
    "unit": st.sampled_from(UNITS),
    "loans": st.lists(st.tuples(someone, st.booleans()), max_size=2),  # (borrower, returned)
    "filed": st.lists(st.tuples(st.sampled_from(LEVELS[:3]), st.one_of(st.none(), someone),
                                st.sampled_from(UNITS)), max_size=3),  # incoming: (level, handler, unit)
}), min_size=1, max_size=4)


@SETTINGS
@given(specs=people, dossiers_=dossier_specs)
def test_dossier_predicate_lists_and_items_agree(ctx, specs, dossiers_):
    """A dossier is listed exactly to those who may open it, and inside it each reader
    sees exactly the filed documents they may open by the document's own rule."""
    from docmgmt.records import access as records_access
    from docmgmt.records import operations as records_ops
    from docmgmt.records.models import Dossier, DossierItem, DossierLoan, FilePlan, PlanHeading

    with _generated(specs) as (users, org_id, units):
        plan = FilePlan(organisation_id=org_id, year=2040 + uuid.uuid4().int % 1000, status="approved")
        heading = PlanHeading(plan=plan, position=1, title="Văn phòng", code="VP")
        db.session.add_all([plan, heading])
        register = register_for(org_id, Direction.INCOMING, 2026, False)
        made = []
        for n, spec in enumerate(dossiers_):
            dossier = Dossier(organisation_id=org_id, plan=plan, heading=heading, number=n + 1,
                              notation=f"{n + 1:02d}.VP", title="Hồ sơ thử", status=spec["status"],
                              responsible_id=_pick(users, spec["responsible"]).id,
                              unit_id=units.get(spec["unit"]) if spec["unit"] else None)
            db.session.add(dossier)
            for borrower, returned in spec["loans"]:
                dossier.loans.append(DossierLoan(organisation_id=org_id, borrower_id=_pick(users, borrower).id,
                                                 returned_at=datetime(2026, 3, 5, tzinfo=UTC) if returned else None))
            for k, (level, handler, unit) in enumerate(spec["filed"]):
                doc = IncomingDocument(organisation_id=org_id, register_id=register.id,
                                       arrival_number=20_000 + 10 * n + k, arrival_date=date(2026, 3, 2),
                                       sender_name="Sở Nội vụ", subject="Về việc", confidentiality=level,
                                       status=InStatus.ASSIGNED)
                person = _pick(users, handler) if handler is not None else None
                doc.assignments.append(Assignment(role="main", assignee_user_id=person.id if person else None,
                                                  assignee_unit_id=units.get(unit) if unit else units["KT"]))
                db.session.add(doc)
                db.session.flush()
                dossier.items.append(DossierItem(kind="incoming", incoming_id=doc.id, doc_date=date(2026, 3, 2),
                                                 ordinal=k + 1))
            made.append(dossier)
        db.session.flush()
        _check_rule(records_access.READ, users, made, Dossier)
        ids = {d.id for d in made}
        for user in users:
            listed = {d.id for d in db.session.scalars(records_ops.dossiers(user)) if d.id in ids}
            assert listed == {d.id for d in made if records_access.can_read(user, d)}
            for dossier in made:
                shown = {i.incoming_id for i in records_access.visible_items(user, dossier)}
                expected = {i.incoming_id for i in dossier.items if records_access.can_read(user, dossier)
                            and incoming_access.can_read(user, db.session.get(IncomingDocument, i.incoming_id))}
                assert shown == expected
