"""Every kind of record in the search, each found by the right people and only by them.

Over generated people (any roles, unit, active or not, this commune or another) and
generated records of every kind — incoming documents with their assignments, outgoing
ones at every step with their drafter, signer, reviewers and recipients, a meeting's
minutes, meetings with their chair, secretary and participants, their agenda documents,
dossiers with their keeper and borrowers — indexed through the real outbox and drain,
each person's results for a word all the records share are exactly the records whose
page that person may open (the kind's own rule), per kind; a confidential record and a
row of the dossier plan not yet opened are found by nobody. Then the same through the
operations, the page and the API: an issued decision by its number, a draft by its
review chain, an agenda document by the meeting's participants, the minutes, the kind
and direction filters.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docmgmt.core.permissions import Role
from docmgmt.documents.registers import Direction, register_for
from docmgmt.extensions import db
from docmgmt.files.store import store_file
from docmgmt.incoming import access as incoming_access
from docmgmt.incoming.models import Assignment, IncomingDocument
from docmgmt.incoming.workflow import Status as InStatus
from docmgmt.org.models import Organisation, Unit, User
from docmgmt.outgoing import access as outgoing_access
from docmgmt.outgoing import operations as out
from docmgmt.outgoing.models import OutgoingDocument, Recipient, ReviewStep
from docmgmt.outgoing.workflow import Status as OutStatus
from docmgmt.records import access as records_access
from docmgmt.records.models import Dossier, DossierLoan, FilePlan, PlanHeading
from docmgmt.searching import indexing
from docmgmt.searching import operations as search_ops
from docmgmt.searching.indexing import settle
from meetings import access as meeting_access
from meetings import operations as meeting_ops
from meetings.models import AgendaDocument, AgendaItem, Meeting, Participant
from tests.commune import issued, unit, user
from tests.files_helpers import make_pdf
from tests.meetings_support import build_meeting
from tests.test_access_property import _make_people

SETTINGS = settings(max_examples=20, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
UNITS = ["VP", "KT", "VHXH", None]
LEVELS = ["thuong", "thuong", "thuong", "mat"]
_counter = itertools.count(1)


def hits(username_or_user, text: str, **filters) -> set[str]:
    """The ids ("<kind>:<id>") of everything the person finds."""
    person = user(username_or_user) if isinstance(username_or_user, str) else username_or_user
    page = search_ops.search(person, text, search_ops.Filters(**filters) if filters else None, per_page=100)
    assert page.results.total == len(page.documents)
    return {d.hit.id for d in page.documents}


def kinds_of(found: set[str]) -> set[str]:
    return {i.partition(":")[0] for i in found}


# --- the property ---------------------------------------------------------------------------------

people = st.lists(st.fixed_dictionaries({
    "roles": st.sets(st.sampled_from(list(Role)), max_size=2),
    "unit": st.sampled_from(UNITS),
    "active": st.sampled_from([True, True, True, False]),
    "home": st.sampled_from([True, True, True, False]),
}), min_size=1, max_size=6)
someone = st.integers(min_value=0, max_value=5)  # an index into the people, wrapped

records = st.fixed_dictionaries({
    "incoming": st.lists(st.fixed_dictionaries({
        "level": st.sampled_from(LEVELS),
        "status": st.sampled_from([s for s in InStatus if s is not InStatus.PAPER]),
        "assignments": st.lists(st.fixed_dictionaries({
            "role": st.sampled_from(["main", "co", "info"]), "person": st.one_of(st.none(), someone),
            "unit": st.sampled_from(UNITS), "superseded": st.booleans()}), max_size=2),
    }), max_size=3),
    "outgoing": st.lists(st.fixed_dictionaries({
        "level": st.sampled_from(LEVELS),
        "status": st.sampled_from(list(OutStatus)),
        "drafter": someone,
        "signer": st.one_of(st.none(), someone),
        "unit": st.sampled_from(UNITS),
        "reviewers": st.lists(someone, max_size=2),
        "recipients": st.lists(st.one_of(st.tuples(st.just("user"), someone),
                                         st.tuples(st.just("unit"), st.sampled_from(UNITS[:3]))), max_size=2),
        "minutes": st.booleans(),  # the biên bản of one of the meetings
    }), max_size=4),
    "meetings": st.lists(st.fixed_dictionaries({
        "chair": someone, "secretary": someone,
        "participants": st.lists(someone, max_size=3, unique=True),
        "status": st.sampled_from(["draft", "invited", "live", "ended", "cancelled"]),
        "documents": st.integers(min_value=0, max_value=2),
    }), max_size=3),
    "dossiers": st.lists(st.fixed_dictionaries({
        "status": st.sampled_from(["planned", "open", "closed", "archived"]),
        "responsible": someone,
        "unit": st.sampled_from(UNITS),
        "loans": st.lists(st.tuples(someone, st.booleans()), max_size=2),  # (borrower, returned)
    }), max_size=3),
})


def _word() -> str:
    """A word no other example's records hold, nor one close to it: letters only (one
    token), all of one length (none is a prefix of another, which the search completes
    while typing), drawn at random from the OS (not ``random``, which hypothesis seeds), so
    two are never one typo apart."""
    n = uuid.uuid4().int
    letters = []
    for _ in range(12):
        n, r = divmod(n, 26)
        letters.append(chr(ord("a") + r))
    return "kiemthu" + "".join(letters)


# The generated people: the builder of the access property test (same specs).
_people = _make_people


def _build(spec, users: list[User], word: str) -> dict[str, list]:
    """The generated records of the home commune, committed with their index jobs."""
    org_id = db.session.scalar(sa.select(Organisation.id).where(Organisation.abbreviation == "UBND")
                               .order_by(Organisation.id))
    units = {u.abbreviation: u.id for u in db.session.scalars(sa.select(Unit).where(Unit.organisation_id == org_id))}

    def pick(index: int) -> User:
        return users[index % len(users)]

    made: dict[str, list] = {"incoming": [], "outgoing": [], "meetings": [], "agenda": [], "dossiers": []}
    n = next(_counter)
    for k, s in enumerate(spec["incoming"]):
        paper = s["level"] != "thuong"
        doc = IncomingDocument(
            organisation_id=org_id, register_id=register_for(org_id, Direction.INCOMING, 2026, paper).id,
            arrival_number=100_000 + 10 * n + k, arrival_date=date(2026, 3, 2), sender_name="Sở Nội vụ",
            subject="" if paper else f"Về việc {word}", confidentiality=s["level"],
            status=InStatus.PAPER if paper else s["status"])
        for a in s["assignments"]:
            person = pick(a["person"]) if a["person"] is not None else None
            unit_id = units.get(a["unit"]) if a["unit"] else None
            doc.assignments.append(Assignment(
                role=a["role"], assignee_user_id=person.id if person else None,
                assignee_unit_id=unit_id if unit_id or person else units["KT"],
                superseded_at=datetime(2026, 3, 3, tzinfo=UTC) if a["superseded"] else None))
        db.session.add(doc)
        made["incoming"].append(doc)
    for s in spec["outgoing"]:
        paper = s["level"] != "thuong"
        doc = OutgoingDocument(
            organisation_id=org_id, doc_type="cong_van", subject="" if paper else f"V/v {word}",
            confidentiality=s["level"], status=s["status"], drafter_id=pick(s["drafter"]).id,
            signer_id=pick(s["signer"]).id if s["signer"] is not None else None,
            drafting_unit_id=units.get(s["unit"]) if s["unit"] else None)
        for i, reviewer in enumerate(s["reviewers"]):
            doc.steps.append(ReviewStep(round=1, kind="leader", reviewer_id=pick(reviewer).id, version_number=1,
                                        decision="approved" if i == 0 else None))
        for kind, ref in s["recipients"]:
            doc.recipients.append(Recipient(kind="user", user_id=pick(ref).id) if kind == "user"
                                  else Recipient(kind="unit", unit_id=units[ref]))
        db.session.add(doc)
        made["outgoing"].append(doc)
    db.session.flush()
    stored = store_file(make_pdf("Tài liệu họp"), "tai-lieu.pdf", organisation_id=org_id, uploaded_by_id=None)
    minutes = [d for d, s in zip(made["outgoing"], spec["outgoing"], strict=True) if s["minutes"]]
    for s in spec["meetings"]:
        chair, secretary = pick(s["chair"]), pick(s["secretary"])
        m = Meeting(organisation_id=org_id, title=f"Họp {word}", starts_at=datetime(2026, 12, 7, 2, tzinfo=UTC),
                    status=s["status"], chair_id=chair.id, secretary_id=secretary.id, created_by_id=chair.id,
                    minutes_draft_id=minutes.pop().id if minutes else None)
        for user_id in dict.fromkeys(pick(i).id for i in s["participants"]):
            m.participants.append(Participant(user_id=user_id))
        item = AgendaItem(position=1, title="Nội dung chính")
        item.documents = [AgendaDocument(stored_file_id=stored.id, title=f"Tài liệu {word} {i}")
                          for i in range(s["documents"])]
        m.items.append(item)
        db.session.add(m)
        made["meetings"].append(m)
        made["agenda"] += item.documents
    plan = FilePlan(organisation_id=org_id, year=2100 + n, status="approved")
    heading = PlanHeading(plan=plan, position=1, title="Văn phòng", code="VP")
    db.session.add_all([plan, heading])
    for i, s in enumerate(spec["dossiers"]):
        dossier = Dossier(organisation_id=org_id, plan=plan, heading=heading, number=i + 1,
                          notation=f"{i + 1:02d}.VP", title=f"Hồ sơ {word}", status=s["status"],
                          responsible_id=pick(s["responsible"]).id,
                          unit_id=units.get(s["unit"]) if s["unit"] else None)
        for borrower, returned in s["loans"]:
            dossier.loans.append(DossierLoan(organisation_id=org_id, borrower_id=pick(borrower).id,
                                             returned_at=datetime(2026, 3, 5, tzinfo=UTC) if returned else None))
        db.session.add(dossier)
        made["dossiers"].append(dossier)
    db.session.flush()
    # Every record through the outbox, as the modules' signals queue them; the commit drains.
    for kind, rows in (("incoming", made["incoming"]), ("outgoing", made["outgoing"]),
                       ("meeting", made["meetings"]), ("agenda", made["agenda"]), ("dossier", made["dossiers"])):
        for row in rows:
            indexing.enqueue(kind, row.id)
    db.session.commit()
    assert indexing.pending_count() == 0
    return made


def _may_open(person: User, made: dict[str, list]) -> set[str]:
    """What the person's pages would show: each kind's own rule; never a confidential
    record (a paper-tracking entry) nor a row of the dossier plan not yet opened."""
    minutes = {m.minutes_draft_id for m in made["meetings"]}
    expected = {f"incoming:{d.id}" for d in made["incoming"]
                if d.confidentiality == "thuong" and incoming_access.READ.allows(person, d)}
    expected |= {f"{'minutes' if d.id in minutes else 'outgoing'}:{d.id}" for d in made["outgoing"]
                 if d.confidentiality == "thuong" and outgoing_access.READ.allows(person, d)}
    expected |= {f"meeting:{m.id}" for m in made["meetings"] if meeting_access.VIEW.allows(person, m)}
    expected |= {f"agenda:{d.id}" for d in made["agenda"] if meeting_access.ATTEND.allows(person, d.item.meeting)}
    expected |= {f"dossier:{d.id}" for d in made["dossiers"]
                 if d.status != "planned" and records_access.READ.allows(person, d)}
    return expected


@SETTINGS
@given(specs=people, spec=records, probe=someone)
def test_each_kind_is_found_by_exactly_those_who_may_open_its_page(ctx, specs, spec, probe):
    word = _word()
    users = _people(specs)
    made = _build(spec, users, word)
    for person in users:
        expected = _may_open(person, made)
        assert hits(person, word) == expected, (person.roles, person.unit_id, person.active)
    # One kind at a time: the kind filter narrows to exactly that kind's share.
    person = users[probe % len(users)]
    expected = _may_open(person, made)
    for kind in ("incoming", "outgoing", "minutes", "agenda", "meeting", "dossier"):
        assert hits(person, word, kind=kind) == {i for i in expected if i.startswith(f"{kind}:")}, kind


# --- through the operations, the page and the API ------------------------------------------------

def test_the_issued_decision_is_found_by_its_number_by_whoever_may_read_it(app, login_as):
    with app.test_request_context():
        decision = issued([out.RecipientInput(token=f"unit:{unit('KT').id}")], doc_type="quyet_dinh",
                          subject="Quyết định thành lập Tổ công tác chuyển đổi số")
        number, decision_id = decision.number_symbol, decision.id
        assert number.endswith("/QĐ-UBND")
        for username in ("vanthu", "chutich", "cv.kt1", "cv.kt2", "truongkt"):  # office, leaders, recipients
            assert f"outgoing:{decision_id}" in hits(username, number), username
        for username in ("cv.vhxh", "cv.hcc", "truongvhxh"):
            assert f"outgoing:{decision_id}" not in hits(username, number), username
    client = login_as("cv.kt2")
    body = client.get("/api/v1/search", query_string={"q": number}).json
    # The issued document, and the copy its recipients received in their queue (văn bản đến).
    assert sorted(h["kind"] for h in body["hits"]) == ["incoming", "outgoing"]
    [first] = [h for h in body["hits"] if h["kind"] == "outgoing"]
    assert (first["id"], first["url"]) == (f"outgoing:{decision_id}", f"/outgoing/{decision_id}")
    assert first["kind_label"] == "Văn bản đi" and first["number_symbol"] == number
    page = client.get("/search", query_string={"q": number}).get_data(as_text=True)
    card = page.split(f'data-id="outgoing:{decision_id}"')[1].split("</article>")[0]
    assert 'data-kind="outgoing"' in page and "Văn bản đi" in card and "ngày ban hành" in card


def test_a_draft_is_found_by_its_review_chain_and_not_by_an_unrelated_colleague(ctx):
    drafter = user("cv.kt1")
    draft = out.create_draft(drafter, out.DraftInput(
        doc_type="to_trinh", subject="Tờ trình đề nghị hỗ trợ kinh phí xây dựng cầu dân sinh",
        signer_id=user("chutich").id), out.Upload(make_pdf("Dự thảo"), "du-thao.pdf"))
    db.session.commit()
    key = f"outgoing:{draft.id}"
    assert key in hits("cv.kt1", "cau dan sinh")
    assert key in hits("truongkt", "cau dan sinh")  # the head of the drafting unit
    for outsider in ("cv.kt2", "cv.vhxh", "truongvhxh"):
        assert key not in hits(outsider, "cau dan sinh"), outsider
    # Put before a reviewer: now theirs to find too; still nobody else's.
    out.submit(drafter, draft)
    db.session.commit()
    reviewers = {s.reviewer.username for s in draft.steps}
    assert reviewers >= {"chutich"}
    for username in reviewers:
        assert key in hits(username, "cau dan sinh"), username
    assert key not in hits("cv.kt2", "cau dan sinh")
    assert hits("cv.kt1", "cau dan sinh", status="reviewing") == {key}
    assert hits("cv.kt1", "cau dan sinh", status="draft") == set()


def test_agenda_documents_are_found_by_the_participants_and_the_meeting_by_who_may_see_it(ctx):
    secretary = user("thuky")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    m = meeting_ops.create_meeting(secretary, meeting_ops.MeetingInput(
        title="Họp bàn phương án nạo vét kênh mương nội đồng", starts_at=start, ends_at=start + timedelta(hours=2),
        location="Hội trường UBND xã", chair_id=user("chutich").id, secretary_id=secretary.id,
        members=[user("truongkt").id], guests=[user("cv.vp").id]))
    item = meeting_ops.add_item(secretary, m, "Phương án nạo vét kênh mương")
    attached = meeting_ops.attach_document(secretary, item, upload=(make_pdf("Phương án"), "Phuong an nao vet.pdf"))
    db.session.commit()
    doc_key, meeting_key = f"agenda:{attached.id}", f"meeting:{m.id}"
    for participant in ("chutich", "thuky", "truongkt", "cv.vp"):
        assert {doc_key, meeting_key} <= hits(participant, "nao vet"), participant
    # A leader who organises meetings sees the meeting, but its files are for those invited.
    found = hits("phochutich.vx", "nao vet")
    assert meeting_key in found and doc_key not in found
    assert hits("cv.kt1", "nao vet") == set()  # not invited
    # Its page: the meeting, at the agenda item.
    [hit] = [d for d in search_ops.search(user("cv.vp"), "nao vet", search_ops.Filters(kind="agenda")).documents]
    assert hit.url == f"/meetings/{m.id}#item-{item.id}" and hit.kind_label == "Tài liệu họp"
    # A guest added later finds them; a document taken off is found by nobody.
    meeting_ops.update_meeting(secretary, m, meeting_ops.MeetingInput(
        title=m.title, starts_at=m.starts_at, ends_at=m.ends_at, location=m.location, chair_id=m.chair_id,
        secretary_id=m.secretary_id,
        members=[user("truongkt").id], guests=[user("cv.vp").id, user("cv.kt1").id]))
    db.session.commit()
    assert doc_key in hits("cv.kt1", "nao vet")
    meeting_ops.remove_document(secretary, attached)
    db.session.commit()
    assert doc_key not in hits("chutich", "nao vet") and meeting_key in hits("chutich", "nao vet")


def test_a_meetings_conclusions_and_minutes_are_found(ctx):
    meeting_id = build_meeting(status="live", items=2, title="Họp giao ban tháng mười hai")
    m = db.session.get(Meeting, meeting_id)
    chair = user("chutich")
    meeting_ops.save_conclusion(chair, m, m.items[0].id, "Giao Phòng Kinh tế khảo sát đường giao thông nông thôn")
    meeting_ops.transition(chair, m, "end")
    db.session.commit()
    assert f"meeting:{m.id}" in hits("truongkt", "giao thong nong thon")  # a member
    assert hits("cv.kt1", "giao thong nong thon") == set()  # not invited
    from meetings import documents as meeting_docs

    minutes = meeting_docs.create_minutes_draft(user("thuky"), m)
    db.session.commit()
    key = f"minutes:{minutes.id}"
    assert key in hits("thuky", "giao ban thang muoi hai", kind="minutes")
    assert key in hits("thuky", "giao ban thang muoi hai", direction="outgoing")
    assert f"outgoing:{minutes.id}" not in hits("thuky", "giao ban thang muoi hai")
    # The biên bản's page is the outgoing document's: its readers are that page's.
    assert key not in hits("truongkt", "giao ban thang muoi hai")


def test_the_kind_and_direction_filters(app, login_as):
    with app.test_request_context():
        from docmgmt.incoming import operations as incoming_ops

        incoming = incoming_ops.register_incoming(user("vanthu"), incoming_ops.IncomingInput(
            sender_name="Sở Nông nghiệp", subject="Về việc phòng chống dịch tả lợn châu Phi", doc_type="cong_van"))
        draft = out.create_draft(user("vanthu"), out.DraftInput(
            doc_type="ke_hoach", subject="Kế hoạch phòng chống dịch tả lợn châu Phi", signer_id=user("chutich").id),
            out.Upload(make_pdf("Dự thảo"), "du-thao.pdf"))
        m = meeting_ops.create_meeting(user("thuky"), meeting_ops.MeetingInput(
            title="Họp chống dịch tả lợn châu Phi", starts_at=datetime.now(UTC) + timedelta(days=1),
            location="Phòng họp", chair_id=user("chutich").id, secretary_id=user("thuky").id,
            members=[user("vanthu").id]))
        db.session.commit()
        everything = {f"incoming:{incoming.id}", f"outgoing:{draft.id}", f"meeting:{m.id}"}
        assert hits("vanthu", "dich ta lon") == everything
        assert hits("vanthu", "dich ta lon", kind="outgoing") == {f"outgoing:{draft.id}"}
        assert hits("vanthu", "dich ta lon", kind="meeting") == {f"meeting:{m.id}"}
        assert hits("vanthu", "dich ta lon", direction="incoming") == {f"incoming:{incoming.id}"}
        assert hits("vanthu", "dich ta lon", direction="outgoing") == {f"outgoing:{draft.id}"}
        assert hits("vanthu", "dich ta lon", direction="incoming", kind="meeting") == set()
        assert hits("vanthu", "", kind="meeting") >= {f"meeting:{m.id}"}  # a filter alone lists
        assert hits("vanthu", "dich ta lon", status="draft") == {f"outgoing:{draft.id}", f"meeting:{m.id}"}
        assert hits("vanthu", "dich ta lon", status="draft", kind="meeting") == {f"meeting:{m.id}"}
        assert hits("vanthu", "dich ta lon", unit="VP") == {f"outgoing:{draft.id}"}  # drafted in the office
        assert hits("vanthu", "dich ta lon", doc_type="ke_hoach") == {f"outgoing:{draft.id}"}
    client = login_as("vanthu")
    body = client.get("/api/v1/search", query_string={"q": "dich ta lon", "kind": "meeting"}).json
    assert [(h["kind"], h["document_id"], h["url"]) for h in body["hits"]] == [("meeting", m.id, f"/meetings/{m.id}")]
    body = client.get("/api/v1/search", query_string={"q": "dich ta lon", "direction": "outgoing"}).json
    assert [h["kind"] for h in body["hits"]] == ["outgoing"]
    for bad in ({"kind": "letter"}, {"direction": "internal"}, {"status": "nonsense"}):
        assert client.get("/api/v1/search", query_string={"q": "dich", **bad}).status_code == 422, bad
    page = client.get("/search", query_string={"q": "dich ta lon"}).get_data(as_text=True)
    assert {"Văn bản đến", "Văn bản đi", "Cuộc họp"} <= set(_badges(page))
    assert 'data-testid="filter-kind"' in page and 'data-testid="filter-direction"' in page
    assert "ngày họp" in page and "ngày đến" in page and "ngày tạo" in page
    page = client.get("/search", query_string={"q": "dich ta lon", "kind": "meeting"}).get_data(as_text=True)
    assert _badges(page) == ["Cuộc họp"]
    # The status filter offers the chosen kind's states, in its own words.
    assert "Đang chuẩn bị" in page and "Đã phát hành" not in page


def _badges(page: str) -> list[str]:
    import re

    return [b.strip() for b in re.findall(r'data-testid="hit-kind"><i class="[^"]+"></i>([^<]+)</span>', page)]


def test_the_text_of_an_outgoing_draft_and_of_an_agenda_document_is_read_and_found(ctx):
    from fpdf import FPDF

    from docmgmt.signing.fonts import face_file

    def pdf(text: str) -> bytes:
        doc = FPDF()
        doc.add_page()
        doc.add_font("Serif", "", str(face_file("regular")))
        doc.set_font("Serif", size=12)
        doc.multi_cell(0, 8, text=text)
        return bytes(doc.output())

    draft = out.create_draft(user("cv.kt1"), out.DraftInput(
        doc_type="bao_cao", subject="Báo cáo kết quả tháng", signer_id=user("chutich").id),
        out.Upload(pdf("Sản lượng lúa vụ chiêm xuân đạt bảy mươi tạ mỗi héc-ta"), "bao-cao.pdf"))
    m = meeting_ops.create_meeting(user("thuky"), meeting_ops.MeetingInput(
        title="Họp tổng kết", starts_at=datetime.now(UTC) + timedelta(days=1), location="Phòng họp",
        chair_id=user("chutich").id,
        secretary_id=user("thuky").id, members=[user("cv.kt1").id]))
    item = meeting_ops.add_item(user("thuky"), m, "Tổng kết")
    paper = meeting_ops.attach_document(user("thuky"), item,
                                        upload=(pdf("Đề xuất mua máy gặt đập liên hợp"), "de-xuat.pdf"))
    db.session.commit()
    settle()  # the background step reads the files
    assert hits("cv.kt1", "chiem xuan") == {f"outgoing:{draft.id}"}
    assert hits("cv.kt1", "may gat dap") == {f"agenda:{paper.id}"}
    assert db.session.execute(indexing.missing_text()).first() is None  # nothing left unread


def test_the_check_finds_every_kind_in_the_index_and_nothing_else(ctx):
    from docmgmt.maintenance.check import run_checks

    issued([out.RecipientInput(token=f"unit:{unit('KT').id}")])
    build_meeting(status="invited", items=1, title="Họp kiểm tra chỉ mục")
    db.session.commit()
    report = run_checks(areas=["search"])
    assert report.ok, [f.message for f in report.findings]
    assert report.checked["search"]["expected"] == report.checked["search"]["indexed"] >= 3
