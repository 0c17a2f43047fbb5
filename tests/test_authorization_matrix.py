"""The authorization matrix: every page route, API operation and Socket.IO event, for
every role, on an object of their own unit, of another unit, of another commune and on
a confidential entry, answers as tests/authz_expectations.py says — and nothing it
answers shows what that person may not see.

The routes come from the application itself (``app.url_map``, the OpenAPI document, the
Socket.IO server's handlers): a route, operation or event without an entry in the
expectations fails the test, saying what to add; an entry for a route that no longer
exists fails too.

Conventions:

* One commune world is built once for the module (the demo commune, and Lạc Sơn with
  its own documents), and every request runs in a transaction rolled back before the
  request's commit (an ``after_request`` hook; Socket.IO events, which commit by hand,
  get a commit that rolls back). So every cell sees the same world, and a state-changing
  request can be sent *valid*: a cell expected "ok" may well be carried out.
* What is sent: GET for reads; for a state-changing route the body an allowed person
  would send (form fields with the CSRF token, or JSON with ``X-CSRFToken``). The answer
  counts as "ok" when served (2xx, a redirect not to the login page) or refused only on
  the object's state (409) or the data (400/422) — never 401/403/404; 403 and 404 are
  compared exactly (404: "you may not know it exists").
* The leak check: every object of the world carries a marker in its text (subject,
  title, name). Whatever a person receives — any page, JSON, download name, Socket.IO
  reply, from any cell, allowed or denied — must not contain the marker of an object
  that person may not see (``SEES``). An "ok" on a document's own page must show it.
* Lists and search must show *everything* of a kind the person may open, not only
  nothing more; and a part of another commune's object named under one's own parent (an
  assignment, an agenda item, a file of another document: ``mixed`` entries) is "not
  found" to everyone.
* A signed-out visitor gets the login page (pages), 401 (API) or a refused connection
  (Socket.IO) everywhere but on the public routes.

The last run's figures (cells, allowed, denied, leaks) are printed (``pytest -s``).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from tests import authz_expectations as X
from tests.commune import ROLE_USERS
from tests.conftest import csrf_from, instance_config, login
from tests.files_helpers import make_pdf, make_png

ANONYMOUS = "anonymous"
UNITS = ("VP", "KT", "VHXH")
OTHER_UNIT = "VHXH"  # none of the six people belongs to it
FOREIGN, SECRET = "LS", "SECRET"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
MARK = "AZMK"
PARENT_ID = {"incoming": "document_id", "outgoing": "document_id", "meeting": "meeting_id",
             "consultation": "consultation_id"}
UNIT_KINDS = ("incoming", "personal", "outgoing", "file", "user", "unit",  # "own" = of the person's unit
              "dossier", "transfer")
PLAN_KEYS = {"own": "APPROVED", "other": "DRAFT"}  # records: this year's plan, approved; next year's, a draft
SUMMARY: dict[str, int] = {}  # the last run's figures


def marker(kind: str, key: str) -> str:
    """A word no text of the application contains, unique to one object."""
    return f"{MARK}{kind}{re.sub(r'[^A-Za-z0-9]', '', key)}Z"


# --- the world --------------------------------------------------------------------------------------


@dataclass
class World:
    ids: dict[str, object] = field(default_factory=dict)  # names usable in bodies: u_chutich, unit_KT…
    objects: dict[str, dict[str, dict]] = field(default_factory=dict)  # kind → key → URL/body values
    markers: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, key, marker)
    unit_of: dict[str, str] = field(default_factory=dict)  # username → abbreviation of "own unit"

    def add(self, kind: str, key: str, values: dict, mark: str | None = None) -> None:
        self.objects.setdefault(kind, {})[key] = values
        if mark is not None:
            self.markers.append((kind, key, mark))

    def key_for(self, kind: str, scope: str, username: str) -> str | None:
        if kind in UNIT_KINDS:
            keys = {"own": self.unit_of[username], "other": OTHER_UNIT, "foreign": FOREIGN, "secret": SECRET}
        elif kind in ("meeting", "consultation"):
            keys = {"own": "IN", "other": "OUT", "foreign": FOREIGN}
        elif kind in ("token", "note", "session", "schedule_link", "saved_search"):
            keys = {"own": username, "other": "cv.vhxh", "foreign": FOREIGN}
        elif kind == "message":
            keys = {"own": "HOME", "foreign": FOREIGN}
        elif kind == "register":
            keys = {"own": "PLAIN", "secret": SECRET}
        elif kind == "schedule":
            keys = {"own": "HOME", "foreign": FOREIGN}
        elif kind == "plan":
            keys = {**PLAN_KEYS, "foreign": FOREIGN}
        else:
            raise KeyError(kind)
        key = keys.get(scope)
        return key if key in self.objects.get(kind, {}) else None

    def scope_of(self, kind: str, key: str, username: str) -> str:
        """The inverse: what an object is to this person (for the leak check)."""
        if key == FOREIGN:
            return "foreign"
        if key == SECRET:
            return "secret"
        if kind in UNIT_KINDS:
            return "own" if key == self.unit_of.get(username) else "other"
        if kind in ("meeting", "consultation"):
            return "own" if key == "IN" else "other"
        if kind in ("token", "note", "session", "schedule_link", "saved_search"):
            return "own" if key == username else "other"
        if kind == "plan":
            return "own" if key == PLAN_KEYS["own"] else "other"
        return "own"

    def hidden_from(self, role: str) -> list[str]:
        """The markers this role may not see anywhere."""
        username = ROLE_USERS.get(role)
        hidden = []
        for kind, key, mark in self.markers:
            if username is None:  # signed out: nothing
                hidden.append(mark)
                continue
            cell = X.SEES[kind][role].get(self.scope_of(kind, key, username), X.NA)
            if cell != X.OK:
                hidden.append(mark)
        return hidden


def _build_world() -> World:  # noqa: PLR0915 - one commune, told in order
    from docmgmt.auth.operations import create_token, open_session
    from docmgmt.core.timeutil import VN_TZ, vn_today
    from docmgmt.exchange.models import OutboxMessage
    from docmgmt.extensions import db
    from docmgmt.incoming import operations as inc
    from docmgmt.notifications.operations import notify
    from docmgmt.org.models import Unit, User
    from docmgmt.org.operations import create_unit
    from docmgmt.outgoing import operations as out
    from docmgmt.outgoing.models import OutgoingDocument
    from meetings import operations as mops

    def user(username: str) -> User:
        return db.session.scalar(sa.select(User).where(User.username == username))

    w = World()
    kim_boi = user("vanthu").organisation
    lac_son = user("cv.lacson").organisation
    units = {u.abbreviation: u for u in db.session.scalars(sa.select(Unit).where(Unit.organisation_id == kim_boi.id))}
    ls_vp = db.session.scalar(sa.select(Unit).where(Unit.organisation_id == lac_son.id))

    # Lạc Sơn: a clerk and a chairman (every permission a document asks for), a staff member
    # and a unit whose names carry markers.
    def colleague_of_lac_son(username: str, full_name: str, roles: list[str], unit: Unit | None) -> User:
        person = User(
            organisation_id=lac_son.id,
            username=username,
            full_name=full_name,
            active=True,
            password_hash=user("cv.lacson").password_hash,
            unit_id=unit.id if unit else None,
        )
        person.set_roles(roles)  # (no one signs in as them: the hash is borrowed, not computed)
        db.session.add(person)
        return person

    colleague_of_lac_son("vanthu.lacson", "Người xã khác", ["clerk"], ls_vp)
    colleague_of_lac_son("chutich.lacson", "Người xã khác", ["leader"], None)
    nv = colleague_of_lac_son("nv.lacson", f"Lò Văn {marker('user', FOREIGN)}", ["staff"], ls_vp)
    ls_unit = create_unit(None, lac_son, f"Phòng {marker('unit', FOREIGN)}", "KTLS")
    db.session.flush()

    for username in ROLE_USERS.values():
        person = user(username)
        w.unit_of[username] = person.unit.abbreviation if person.unit else "KT"
    for person in db.session.scalars(sa.select(User)):
        w.ids["u_" + person.username.replace(".", "_")] = person.id
    for abbr, u in units.items():
        w.ids[f"unit_{abbr}"] = u.id
    w.ids["today"] = vn_today().strftime("%d/%m/%Y")
    w.ids["meeting_day"] = (vn_today() + timedelta(days=7)).strftime("%d/%m/%Y")
    colleague = {"VP": "cv.vp", "KT": "cv.kt2", "VHXH": "cv.vhxh"}

    # Incoming: one per unit, directed to the unit as a whole; Lạc Sơn's; a paper-only entry.
    def incoming(clerk: User, leader: User, unit: Unit, key: str, member: User, n: int) -> None:
        mark = marker("incoming", key)
        doc = inc.register_incoming(
            clerk,
            inc.IncomingInput(
                sender_name="Sở Nội vụ tỉnh Phú Thọ",
                number_symbol=f"{n}/SNV-VP",
                subject=f"Về việc kiểm tra phân quyền {mark}",
            ),
            [inc.Upload(make_pdf(), f"{mark}.pdf")],
        )
        [assignment] = inc.direct(leader, doc, inc.Direction_(main=inc.Assignee(unit_id=unit.id)))
        file_id = doc.files[0].stored_file_id
        w.add(
            "incoming",
            key,
            {"document_id": doc.id, "assignment_id": assignment.id, "member_id": member.id, "file_id": file_id},
            mark,
        )
        w.add("file", key, {"file_id": file_id})
        # …and one given by name to a colleague of that unit (none of the six).
        mark = marker("personal", key)
        doc = inc.register_incoming(
            clerk,
            inc.IncomingInput(
                sender_name="Sở Tài chính tỉnh Phú Thọ",
                number_symbol=f"{n}/STC-VP",
                subject=f"Về việc kiểm tra phân quyền {mark}",
            ),
        )
        inc.direct(leader, doc, inc.Direction_(main=inc.Assignee(user_id=member.id)))
        w.add("personal", key, {"document_id": doc.id}, mark)

    for n, abbr in enumerate(UNITS, start=1):
        incoming(user("vanthu"), user("chutich"), units[abbr], abbr, user(colleague[abbr]), n)
    incoming(user("vanthu.lacson"), user("chutich.lacson"), ls_vp, FOREIGN, nv, 9)
    mark = marker("incoming", SECRET)
    paper = inc.register_incoming(
        user("vanthu"),
        inc.IncomingInput(sender_name=f"Công an tỉnh {mark}", confidentiality="mat", paper_holder="Đinh Thị Thu"),
    )
    w.add("incoming", SECRET, {"document_id": paper.id, "assignment_id": 0, "member_id": 0, "file_id": 0}, mark)

    # Outgoing: one draft per unit by a colleague of the unit, before its head; Lạc Sơn's
    # draft; a paper-only confidential entry of the Economics office.
    def draft(drafter: User, signer: User, key: str, submit: bool) -> OutgoingDocument:
        mark = marker("outgoing", key)
        doc = out.create_draft(
            drafter,
            out.DraftInput(
                subject=f"Về việc báo cáo phân quyền {mark}",
                signer_id=signer.id,
                recipients=[out.RecipientInput(token=f"unit:{units[OTHER_UNIT].id}")] if submit else [],
            ),
            out.Upload(make_pdf("Dự thảo"), "du-thao.pdf"),
        )
        if submit:
            out.submit(drafter, doc)
        w.add("outgoing", key, {"document_id": doc.id, "file_id": doc.versions[0].source_file_id}, mark)
        return doc

    for abbr in UNITS:
        draft(user(colleague[abbr]), user("chutich"), abbr, submit=True)
    draft(user("cv.lacson"), user("chutich.lacson"), FOREIGN, submit=False)
    secret = OutgoingDocument(
        organisation_id=kim_boi.id,
        doc_type="cong_van",
        subject="",
        drafting_unit_id=units["KT"].id,
        drafter_id=user("cv.kt2").id,
        signer_id=user("chutich").id,
        confidentiality="mat",
        status="draft",
    )
    db.session.add(secret)
    db.session.flush()
    w.add("outgoing", SECRET, {"document_id": secret.id, "file_id": 0})

    # Meetings, live: one the six are invited to, one they are not, Lạc Sơn's.
    starts = (datetime.now(VN_TZ) + timedelta(hours=1)).replace(second=0, microsecond=0, tzinfo=None)

    def meeting(
        key: str, organiser: User, chair: User, secretary: User, members: list[User], presenter: User, speaker: User
    ) -> None:
        mark = marker("meeting", key)
        m = mops.create_meeting(
            organiser,
            mops.MeetingInput(
                title=f"Họp giao ban {mark}",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                location="Phòng họp tầng 2",
                chair_id=chair.id,
                secretary_id=secretary.id,
                members=[u.id for u in members],
            ),
        )
        first = mops.add_item(organiser, m, "Tình hình kinh tế – xã hội", presenter_id=presenter.id)
        mops.add_item(organiser, m, "Kế hoạch chuyển đổi số", presenter_id=members[-1].id)
        mops.transition(organiser, m, "invite")
        document = mops.attach_document(organiser, first, upload=(make_pdf("Tài liệu họp"), "tai-lieu.pdf"))
        mops.transition(chair, m, "start")
        request = mops.request_speech(speaker, m, "Xin phát biểu")
        vote = mops.open_vote(chair, m, first.id, "Thông qua báo cáo?")
        db.session.flush()
        w.add(
            "meeting",
            key,
            {
                "meeting_id": m.id,
                "item_id": first.id,
                "document_id": document.id,
                "file_id": document.stored_file_id,
                "vote_id": vote.id,
                "option_id": vote.options[0].id,
                "request_id": request.id,
            },
            mark,
        )

    meeting(
        "IN",
        user("thuky"),
        user("chutich"),
        user("thuky"),
        [user(u) for u in ("quantri", "vanthu", "truongkt", "cv.kt1")],
        user("truongkt"),
        user("cv.kt1"),
    )
    meeting(
        "OUT",
        user("phochutich.kt"),
        user("phochutich.kt"),
        user("chanhvp"),
        [user("truongvhxh"), user("cv.vhxh")],
        user("cv.vhxh"),
        user("cv.vhxh"),
    )
    meeting(FOREIGN, user("chutich.lacson"), user("chutich.lacson"), user("cv.lacson"), [nv], nv, nv)

    _consultations(w, user, starts, nv)

    # The commune: people, units, tokens, notifications, exchange messages.
    for abbr in UNITS:
        w.add("user", abbr, {"user_id": user(colleague[abbr]).id})
        w.add("unit", abbr, {"unit_id": units[abbr].id})
    w.add("user", FOREIGN, {"user_id": nv.id}, marker("user", FOREIGN))
    w.add("unit", FOREIGN, {"unit_id": ls_unit.id}, marker("unit", FOREIGN))
    for username in (*ROLE_USERS.values(), "cv.vhxh", "cv.lacson"):
        key = FOREIGN if username == "cv.lacson" else username
        w.add("session", key, {"session_id": open_session(user(username)).id})
        token, _clear = create_token(user(username), f"Mã {marker('token', key)}")
        note = notify(user(username), "authz.test", f"Thông báo {marker('note', key)}", "/")
        db.session.flush()
        w.add("token", key, {"token_id": token.id}, marker("token", key))
        w.add("note", key, {"note_id": note.id}, marker("note", key))
    for key, org in (("HOME", kim_boi), (FOREIGN, lac_son)):
        mark = marker("message", key)
        message = OutboxMessage(
            organisation_id=org.id,
            kind="edoc",
            destination="000.00.00.H42",
            document_id=mark,
            payload=b"<edXML/>",
            sha256="0" * 64,
        )
        db.session.add(message)
        db.session.flush()
        w.add("message", key, {"message_id": message.id}, mark)
    _schedule(w, user)
    _schedule_links(w, user)
    _saved_searches(w, user)
    _records(w, user, colleague, nv)
    _ocr_copies()
    year = vn_today().year
    w.add("register", "PLAIN", {"year": year})
    w.add("register", SECRET, {"year": year, "_query": "confidential=1"})
    db.session.commit()
    return w


def _schedule(w: World, user) -> None:
    """The weekly work schedule: next week drafted by Kim Bôi's office (a row carrying the
    marker), Lạc Sơn's published; a room of each commune's catalogue."""
    from docmgmt.core.timeutil import vn_today
    from docmgmt.schedule import operations as sops
    from docmgmt.schedule.queries import monday_of
    from docmgmt.schedule.schemas import EntrySchema, RoomSchema

    monday = monday_of(vn_today()) + timedelta(days=7)
    w.ids["monday"] = monday.isoformat()
    communes = (("HOME", "vanthu", None, "quantri"), (FOREIGN, "vanthu.lacson", "chutich.lacson", "quantri.lacson"))
    for key, clerk, chairman, admin in communes:
        mark = marker("schedule", key)
        week = sops.open_week(user(clerk), monday)
        entry = sops.add_entry(user(clerk), week, EntrySchema().load(
            {"day": monday.isoformat(), "start_time": "08:00", "title": f"Làm việc với đoàn kiểm tra {mark}"}))
        room = sops.create_room(user(admin), RoomSchema().load({"name": f"Phòng họp kiểm tra {key}"}))
        if chairman is not None:
            sops.submit(user(clerk), week)
            sops.publish(user(chairman), week)
        w.add("schedule", key, {"entry_id": entry.id, "room_id": room.id}, mark)


def _records(w: World, user, colleague: dict[str, str], nv) -> None:
    """Electronic records. Kim Bôi: this year's plan, approved (a heading per unit), in which
    each unit's colleague (none of the six) keeps an open dossier holding the unit's incoming
    document and the one given to them by name, and a closed one announced for transfer to
    the archive; next year's plan, a draft. Lạc Sơn: the same for its staff member, in a plan
    of a year Kim Bôi has none of. A dossier's title is the approved plan's (everyone of the
    commune reads it: the "dossier" marker); what it holds is each document's own (its marker)."""
    from docmgmt.core.timeutil import vn_today
    from docmgmt.extensions import db
    from docmgmt.records import operations as rops
    from docmgmt.records.schemas import (
        ApprovalInput,
        DossierInput,
        FilingInput,
        HeadingInput,
        PlanInput,
        TransferInput,
    )

    year, today = vn_today().year, vn_today()
    communes = (("HOME", "vanthu", "chutich", year, {abbr: colleague[abbr] for abbr in UNITS}),
                (FOREIGN, "vanthu.lacson", "chutich.lacson", year + 3, {FOREIGN: nv.username}))
    for home, clerk, chairman, plan_year, keepers in communes:
        plan = rops.create_plan(user(clerk), PlanInput(year=plan_year, copy_previous=False))
        plan_key = PLAN_KEYS["own"] if home == "HOME" else FOREIGN
        rows = {}
        for n, (key, keeper) in enumerate(keepers.items(), start=1):
            title = f"Đề mục {marker('plan', plan_key)}" if n == 1 else f"Đề mục {key}"
            heading = rops.add_heading(user(clerk), plan, HeadingInput(title=title, code=f"DM{n}"))
            kept, handed = (rops.add_planned_dossier(user(clerk), plan, DossierInput(
                heading_id=heading.id, title=f"{what} {marker('dossier', key)}", retention_years=10,
                responsible_id=user(keeper).id)) for what in ("Hồ sơ", "Hồ sơ nộp lưu"))
            rows[key] = (heading, kept, handed)
        rops.approve_plan(user(chairman), plan, ApprovalInput(decision_number="01/QĐ-UBND", decision_date=today))
        for key, (heading, kept, handed) in rows.items():
            keeper = user(keepers[key])
            documents = [w.objects["incoming"][key]["document_id"]]
            if key in w.objects.get("personal", {}):
                documents.append(w.objects["personal"][key]["document_id"])
            for dossier in (kept, handed):
                rops.open_dossier(keeper, dossier)
            items = rops.file_documents(keeper, kept, FilingInput(incoming_ids=documents))
            rops.file_documents(keeper, handed, FilingInput(incoming_ids=documents[:1]))
            rops.close_dossier(keeper, handed)
            w.add("dossier", key, {"dossier_id": kept.id, "item_id": items[0].id, "year": plan_year,
                                   "heading_id": heading.id}, marker("dossier", key))
        for transfer in rops.announce_transfer(user(clerk), TransferInput(year=plan_year,
                                                                          due_date=today + timedelta(days=60))):
            key = next(k for k, keeper in keepers.items() if user(keeper).id == transfer.giver_id)
            transfer.title = f"Hồ sơ nộp lưu {marker('transfer', key)}"
            w.add("transfer", key, {"transfer_id": transfer.id}, marker("transfer", key))
        first_heading = next(iter(rows.values()))[0]
        w.add("plan", plan_key, {"year": plan_year, "heading_id": first_heading.id}, marker("plan", plan_key))
    draft = rops.create_plan(user("vanthu"), PlanInput(year=year + 1, copy_previous=False))
    heading = rops.add_heading(user("vanthu"), draft, HeadingInput(title=f"Đề mục {marker('plan', 'DRAFT')}",
                                                                   code="DM1"))
    rops.add_planned_dossier(user("vanthu"), draft, DossierInput(
        heading_id=heading.id, title="Hồ sơ dự kiến", retention_years=5, responsible_id=user("cv.kt2").id))
    w.add("plan", "DRAFT", {"year": year + 1, "heading_id": heading.id}, marker("plan", "DRAFT"))
    db.session.flush()


def _schedule_links(w: World, user) -> None:
    """Each person's calendar feed link (iCalendar), the name carrying a marker: the six,
    a colleague of another unit, Lạc Sơn's staff member."""
    from docmgmt.schedule.links import Kind, create_link

    for username in (*ROLE_USERS.values(), "cv.vhxh", "cv.lacson"):
        key = FOREIGN if username == "cv.lacson" else username
        link, _clear = create_link(user(username), Kind.FEED, f"Lịch {marker('schedule_link', key)}")
        w.add("schedule_link", key, {"link_id": link.id}, marker("schedule_link", key))


def _ocr_copies() -> None:
    """Every file of the world has a copy with a text layer, as if OCR had read it (the
    copy is the file itself): the copy's door then answers exactly as the file's own."""
    from docmgmt.extensions import db
    from docmgmt.files.models import StoredFile
    from docmgmt.searching.models import OcrCopy

    for sha256 in set(db.session.scalars(sa.select(StoredFile.sha256))):
        db.session.add(OcrCopy(sha256=sha256, searchable_sha256=sha256, made_by="matrix"))
    db.session.flush()


def _saved_searches(w: World, user) -> None:
    """Each person's saved search, its name carrying a marker: the six, a colleague of
    another unit, Lạc Sơn's staff member."""
    from docmgmt.searching.saved import Question, save

    for username in (*ROLE_USERS.values(), "cv.vhxh", "cv.lacson"):
        key = FOREIGN if username == "cv.lacson" else username
        saved = save(user(username), f"Tìm {marker('saved_search', key)}", Question(text="phân quyền"))
        w.add("saved_search", key, {"saved_id": saved.id}, marker("saved_search", key))


def _consultations(w: World, user, starts: datetime, nv) -> None:
    """Written consultations (phiếu lấy ý kiến), open, each with a document: one asking the
    six but its issuer (thuky, for chutich), one none of them is asked in, Lạc Sơn's."""
    from docmgmt.extensions import db
    from meetings import consultations as cops
    from meetings.consultation_schemas import ConsultationInput

    w.ids["deadline_iso"] = (starts + timedelta(days=7)).isoformat()

    def consultation(key: str, issuer, chair, members: list) -> None:
        mark = marker("consultation", key)
        c = cops.create(issuer, ConsultationInput(title=f"Xin ý kiến {mark}", deadline=starts + timedelta(days=2),
                                                  chair_id=chair.id, members=[u.id for u in members],
                                                  questions=["Đồng ý thông qua?"]))
        document = cops.attach_document(issuer, c, upload=(make_pdf("Tờ trình"), "to-trinh.pdf"))
        cops.issue(issuer, c)
        db.session.flush()
        w.add("consultation", key, {"consultation_id": c.id, "question_id": c.questions[0].id,
                                    "document_id": document.id, "file_id": document.stored_file_id}, mark)

    consultation("IN", user("thuky"), user("chutich"),
                 [user(u) for u in ("quantri", "vanthu", "chutich", "truongkt", "cv.kt1")])
    consultation("OUT", user("phochutich.kt"), user("phochutich.kt"), [user("truongvhxh"), user("cv.vhxh")])
    consultation(FOREIGN, user("chutich.lacson"), user("chutich.lacson"), [nv])


# --- the application, once for the module ------------------------------------------------------------


@dataclass
class Matrix:
    app: object
    world: World
    clients: dict
    csrf: dict


@pytest.fixture(scope="module")
def matrix(template_instance, tmp_path_factory):
    from flask import current_app

    from docmgmt import create_app
    from docmgmt.extensions import db
    from docmgmt.outgoing import render
    from docmgmt.searching.indexing import drain

    folder = tmp_path_factory.mktemp("authz") / "instance"
    shutil.copytree(template_instance, folder)
    app = create_app(instance_config(folder))
    patch = pytest.MonkeyPatch()
    # No LibreOffice: a DOCX draft stays a DOCX (rendering is not what is tested here).
    patch.setattr(render, "soffice_executable", lambda: None)
    with app.app_context(), app.test_request_context():
        world = _build_world()
        drain()

    @app.after_request
    def _roll_back(response):  # runs before the transaction's own commit (registered later)
        if current_app.config.get("AUTHZ_ROLL_BACK"):
            db.session.rollback()
        return response

    clients, csrf = {}, {}
    for role, username in (*ROLE_USERS.items(), (ANONYMOUS, None)):
        client = app.test_client()
        if username is not None:
            assert login(client, username).status_code == 302, username
            csrf[role] = csrf_from(client.get("/account").get_data(as_text=True))
        else:
            csrf[role] = csrf_from(client.get("/login").get_data(as_text=True))
        clients[role] = client
    app.config["AUTHZ_ROLL_BACK"] = True
    yield Matrix(app, world, clients, csrf)
    patch.undo()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- the routes, as the application knows them ----------------------------------------------------------

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _routes(app) -> set[str]:
    """``endpoint METHOD`` for every rule of the URL map."""
    return {
        f"{rule.endpoint} {method}" for rule in app.url_map.iter_rules() for method in rule.methods - IGNORED_METHODS
    }


def _entry_route(key: str) -> str:
    return key.split(" [", 1)[0]


def _socket_events(app) -> set[str]:
    from meetings.sockets import NAMESPACE, socketio

    return set(socketio.server.handlers.get(NAMESPACE, {}))


def _openapi_operations(app) -> set[str]:
    """``endpoint METHOD`` of every operation in the OpenAPI document."""
    from docmgmt.api import api

    with app.app_context():
        paths = api.spec.to_dict()["paths"]
    by_rule = {}
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - IGNORED_METHODS:
            by_rule[(path, method)] = f"{rule.endpoint} {method}"
    operations = set()
    for path, item in paths.items():
        for method in item:
            if method.upper() in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                operations.add(by_rule.get((path, method.upper()), f"<not routed> {method.upper()} {path}"))
    return operations


def test_every_route_operation_and_event_has_an_expectation(matrix):
    app = matrix.app
    routes = _routes(app)
    described = {_entry_route(k) for k in X.EXPECTATIONS}
    missing = sorted(routes - described)
    assert not missing, (
        "routes without an entry in tests/authz_expectations.py EXPECTATIONS — add who may reach each "
        f"(its grid, the kind of object it names, a valid body): {missing}"
    )
    gone = sorted(described - routes)
    assert not gone, f"entries in tests/authz_expectations.py for routes that no longer exist: {gone}"
    operations = _openapi_operations(app)
    assert all(op.startswith("api-") for op in operations), operations
    assert not sorted(op for op in operations if op.startswith("<not routed>"))
    assert operations <= described, f"API operations without an entry: {sorted(operations - described)}"
    events = _socket_events(app)
    assert not sorted(events - set(X.SOCKET_EXPECTATIONS)), (
        f"Socket.IO events without an entry in SOCKET_EXPECTATIONS: {sorted(events - set(X.SOCKET_EXPECTATIONS))}"
    )
    assert not sorted(set(X.SOCKET_EXPECTATIONS) - events), (
        f"SOCKET_EXPECTATIONS for events that no longer exist: {sorted(set(X.SOCKET_EXPECTATIONS) - events)}"
    )


# --- one cell ------------------------------------------------------------------------------------


def _fill(value, values: dict):
    """Put the ids into a body: ``"{x}"`` alone becomes the value itself (an int stays an
    int in JSON), inside text it is formatted in; keys are filled too."""
    if isinstance(value, dict):
        return {_fill(k, values): _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole:
            return values[whole.group(1)]
        return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), value)
    return value


def _with_files(body: dict) -> dict:
    made = {
        X.PDF: lambda: (io.BytesIO(make_pdf("Tệp kiểm tra")), "kiem-tra.pdf"),
        X.PNG: lambda: (io.BytesIO(make_png()), "kiem-tra.png"),
    }
    return {k: made[v]() if isinstance(v, str) and v in made else v for k, v in body.items()}


def _text_of(response) -> str:
    """What a person receives: headers, body, and the texts inside an XLSX/DOCX download."""
    data = response.get_data()
    parts = [str(response.headers)]
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts += [z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")]
    else:
        parts.append(data.decode("utf-8", "replace"))
    return "\n".join(parts)


def _outcome(response) -> str:
    status = response.status_code
    if status in (401, 403, 404):
        return str(status)
    if 300 <= status < 400:
        return "login" if "/login" in response.headers.get("Location", "") else X.OK
    if status == 400 and response.is_json and (response.json or {}).get("error", {}).get("code") == "csrf_failed":
        return "csrf_failed"
    if status < 300 or status in (400, 409, 422):
        return X.OK
    return f"error {status}"


def _anonymous_expectation(entry: X.Entry, api: bool) -> str:
    if entry.anonymous is not None:
        return entry.anonymous
    if entry.public:
        return X.OK
    return "401" if api else "login"


SHOWN_ON = {
    "incoming.show GET",
    "api-incoming.IncomingItem GET",
    "incoming.show GET [given to a colleague by name]",
    "api-incoming.IncomingItem GET [given to a colleague by name]",
    "outgoing.show GET",
    "api-outgoing.OutgoingItem GET",
    "meetings.show GET",
}
# Lists and search show *everything* of a kind the person may open (not only nothing more):
# kind, and the objects they leave out by design (search never holds a paper-only entry).
LISTS = {
    "incoming.index GET": (("incoming", "personal"), ()),
    "api-incoming.IncomingCollection GET": (("incoming", "personal"), ()),
    "search.results GET": (("incoming", "personal"), (SECRET,)),
    "api-search.Search GET": (("incoming", "personal"), (SECRET,)),
    "search.export_results POST": (("incoming", "personal"), (SECRET,)),  # the subject column
    "api-search.Export GET": (("incoming", "personal"), (SECRET,)),
    "outgoing.index GET": (("outgoing",), ()),
    "api-outgoing.OutgoingCollection GET": (("outgoing",), ()),
}


def _missing_from_list(world: World, key: str, role: str, text: str) -> list[str]:
    kinds, left_out = LISTS[key]
    username = ROLE_USERS[role]
    return [
        mark
        for k, obj_key, mark in world.markers
        if k in kinds
        and obj_key not in left_out
        and mark not in text
        and X.SEES[k][role].get(world.scope_of(k, obj_key, username)) == X.OK
    ]


@dataclass
class Tally:
    cells: int = 0
    allowed: int = 0
    denied: int = 0
    failures: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)

    def record(self, label: str, expected: str, got: str, detail: str = "") -> None:
        self.cells += 1
        self.outcomes[got] += 1
        if expected == X.OK:
            self.allowed += 1
        else:
            self.denied += 1
        if got != expected:
            self.failures.append(f"{label}: expected {expected}, got {got} {detail}".rstrip())

    def check_leaks(self, label: str, text: str, hidden: list[str], expected: str) -> None:
        if MARK not in text:  # every marker starts so: most answers show none at all
            return
        seen = [m for m in hidden if m in text]
        if seen:
            kind = "LEAK" if expected != X.OK else "LEAK (in an allowed answer)"
            self.leaks.append(f"{label}: {kind} of {seen}")


def _cells(matrix: Matrix, key: str, entry: X.Entry, roles):
    """(role, scope, values) of every cell of an entry."""
    for role in roles:
        username = ROLE_USERS.get(role)
        if entry.on is None:
            yield role, X.ANY, {}
            continue
        for scope in X.SCOPES:
            expected = X.OK if role == ANONYMOUS else entry.expect[role].get(scope, X.NA)
            if expected == X.NA:
                continue
            obj_key = matrix.world.key_for(entry.on, scope, username or ROLE_USERS["staff"])
            assert obj_key is not None, f"{key}: no {entry.on} object for scope {scope}"
            values = matrix.world.objects[entry.on][obj_key]
            if entry.mixed:  # the parent of this scope, its parts taken from another commune's
                donor = matrix.world.objects[entry.on][
                    FOREIGN if obj_key != FOREIGN else "OUT" if entry.on in ("meeting", "consultation") else OTHER_UNIT
                ]
                parent = PARENT_ID[entry.on]
                values = {**{k: v for k, v in donor.items() if k != parent}, parent: values[parent]}
            yield role, scope, values
            if role == ANONYMOUS:
                break  # one object is enough to see the door is shut


def _request(matrix: Matrix, role: str, key: str, entry: X.Entry, values: dict):
    from flask import Flask

    app: Flask = matrix.app
    endpoint, method = _entry_route(key).rsplit(" ", 1)
    rule = next(r for r in app.url_map.iter_rules(endpoint) if method in r.methods)
    url_values = {**matrix.world.ids, **values, **entry.args}
    adapter = app.url_map.bind("localhost")
    url = adapter.build(endpoint, {k: url_values[k] for k in rule.arguments if k in url_values}, method=method)
    query = "&".join(q for q in (entry.query, values.get("_query", "")) if q)
    if query:
        url += ("&" if "?" in url else "?") + query
    api = endpoint.startswith("api-")
    client = matrix.clients[role]
    csrf = matrix.csrf[role]
    kwargs: dict = {}
    if method != "GET":
        body = _fill(entry.body or {}, {**url_values})
        if api:
            kwargs["headers"] = {"X-CSRFToken": csrf}
            if entry.multipart:
                kwargs["data"] = _with_files(body)
            elif method != "DELETE":
                kwargs["json"] = body
        else:
            kwargs["data"] = {**_with_files(body), "csrf_token": csrf}
    return client.open(url, method=method, **kwargs), api, client


def _flashes(client) -> str:
    """The messages a redirect left for the next page (taken, so each cell sees its own)."""
    with client.session_transaction() as session:
        return repr(session.pop("_flashes", []))


def test_every_cell_of_the_matrix_answers_as_expected_and_leaks_nothing(matrix):
    started = time.monotonic()
    tally = Tally()
    spent: Counter = Counter()
    hidden = {role: matrix.world.hidden_from(role) for role in (*X.ROLES, ANONYMOUS)}
    entries = [(k, e) for k, e in X.EXPECTATIONS.items() if not e.last]
    last = [(k, e) for k, e in X.EXPECTATIONS.items() if e.last]
    for key, entry in entries + [("socket", None)] + last:
        if entry is None:  # the room's events, while everyone is still signed in
            _socket_cells(matrix, tally, hidden)
            continue
        for role, scope, values in _cells(matrix, key, entry, (*X.ROLES, ANONYMOUS)):
            began = time.monotonic()
            response, api, client = _request(matrix, role, key, entry, values)
            expected = _anonymous_expectation(entry, api) if role == ANONYMOUS else entry.expect[role][scope]
            got = _outcome(response)
            label = f"{key} as {role} on {scope}"
            detail = ""
            if got != expected:
                detail = f"({response.status_code} {response.get_data()[:160].decode('utf-8', 'replace')!r})"
            tally.record(label, expected, got, detail)
            text = _text_of(response)
            if 300 <= response.status_code < 400 and not api:
                text += _flashes(client)
            tally.check_leaks(label, text, hidden[role], expected)
            if key in SHOWN_ON and got == X.OK and entry.on is not None:
                obj_key = matrix.world.key_for(entry.on, scope, ROLE_USERS[role])
                mark = next((m for k, kk, m in matrix.world.markers if k == entry.on and kk == obj_key), None)
                if mark is not None and mark not in text:
                    tally.failures.append(f"{label}: answered but does not show {mark}")
            if key in LISTS and role != ANONYMOUS and (missing := _missing_from_list(matrix.world, key, role, text)):
                tally.failures.append(f"{label}: the list leaves out what {role} may open: {missing}")
            spent[key] += time.monotonic() - began
    SUMMARY.update(
        cells=tally.cells,
        allowed=tally.allowed,
        denied=tally.denied,
        leaks=len(tally.leaks),
        seconds=round(time.monotonic() - started),
    )
    print(f"\nauthorization matrix: {SUMMARY} outcomes={dict(tally.outcomes)}")
    print("slowest:", [(k, round(v, 1)) for k, v in spent.most_common(15)])
    problems = tally.leaks + tally.failures
    assert not problems, f"{len(problems)} cells disagree:\n" + "\n".join(problems)


def test_the_administrators_account_reads_nothing_given_to_its_unit_as_a_whole(matrix):
    """quantri sits in the VP office with the admin role alone: nobody may direct or send a
    document to that account, so a document given to the VP office as a whole is opened to
    the office's people who handle documents (thuky, vanthu), not to it."""
    vp_doc = matrix.world.objects["incoming"]["VP"]["document_id"]
    admin, secretary = _signed_in(matrix, "admin"), _signed_in(matrix, "secretary")
    assert admin.get(f"/incoming/{vp_doc}").status_code == 404
    assert admin.get(f"/api/v1/incoming/{vp_doc}").status_code == 404
    assert marker("incoming", "VP") not in admin.get("/search?q=phân quyền").get_data(as_text=True)
    assert secretary.get(f"/incoming/{vp_doc}").status_code == 200


def _signed_in(matrix: Matrix, role: str):
    """A new browser of this person (the matrix's own are signed out at its end)."""
    client = matrix.app.test_client()
    matrix.app.config["AUTHZ_ROLL_BACK"] = False  # the sign-in itself is kept
    try:
        assert login(client, ROLE_USERS[role]).status_code == 302
    finally:
        matrix.app.config["AUTHZ_ROLL_BACK"] = True
    return client


def _audit_text(matrix: Matrix, role: str) -> str:
    client = _signed_in(matrix, role)
    return client.get("/admin/audit").get_data(as_text=True) + client.get("/api/v1/audit").get_data(as_text=True)


def test_the_audit_log_shows_no_content_its_reader_may_not_open(matrix):
    for role in ("admin", "leader"):
        text = _audit_text(matrix, role)
        leaked = [m for m in matrix.world.hidden_from(role) if m in text]
        assert not leaked, f"the audit log shows {role} {leaked}"


# --- Socket.IO ---------------------------------------------------------------------------------------


def _socket_outcome(reply) -> str:
    if not isinstance(reply, dict):
        return f"error {reply!r}"
    if reply.get("ok"):
        return X.OK
    code = (reply.get("error") or {}).get("code")
    return {
        "not_found": "404",
        "forbidden": "403",
        "not_participant": "403",
        "unauthenticated": "401",
        "internal_error": "error internal_error",
    }.get(code, X.OK)


def _socket_cells(matrix: Matrix, tally: Tally, hidden: dict) -> None:
    from docmgmt.extensions import db
    from meetings import sockets

    app = matrix.app
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sockets, "_start_sweeper", lambda _app: None)  # no background thread from a test
        mp.setattr(db.session, "commit", db.session.rollback)  # the events commit by hand: roll back
        # Signed out: the connection itself is refused.
        anonymous = sockets.socketio.test_client(app, namespace=sockets.NAMESPACE, flask_test_client=app.test_client())
        tally.record(
            "socket connect as anonymous",
            "refused",
            "refused" if not anonymous.is_connected(sockets.NAMESPACE) else "connected",
        )
        for role in X.ROLES:
            client = sockets.socketio.test_client(
                app, namespace=sockets.NAMESPACE, flask_test_client=matrix.clients[role]
            )
            tally.record(
                f"socket connect as {role}", X.OK, X.OK if client.is_connected(sockets.NAMESPACE) else "refused"
            )
            for event, entry in X.SOCKET_EXPECTATIONS.items():
                if entry.on is None:
                    continue
                for scope in X.SCOPES:
                    expected = entry.expect[role].get(scope, X.NA)
                    if expected == X.NA:
                        continue
                    values = matrix.world.objects["meeting"][matrix.world.key_for("meeting", scope, ROLE_USERS[role])]
                    payload = {"meeting_id": values["meeting_id"], **_fill(entry.body or {}, values)}
                    reply = client.emit(event, payload, namespace=sockets.NAMESPACE, callback=True)
                    label = f"socket {event} as {role} on {scope}"
                    got = _socket_outcome(reply)
                    tally.record(label, expected, got, "" if got == expected else repr(reply)[:200])
                    tally.check_leaks(label, json.dumps(reply, ensure_ascii=False, default=str), hidden[role], expected)
            received = json.dumps(client.get_received(sockets.NAMESPACE), ensure_ascii=False, default=str)
            tally.check_leaks(f"socket broadcasts to {role}", received, hidden[role], X.FORBIDDEN)
            client.disconnect(namespace=sockets.NAMESPACE)
