"""The demo commune a new user meets on first start."""

import sqlalchemy as sa

from docmgmt.core.permissions import Role
from docmgmt.core.timeutil import vn_today
from docmgmt.extensions import db
from docmgmt.org.models import Organisation, User
from tests.commune import DEMO_ORGANISATION_ID, LEADERS, ROLE_USERS, UNIT_HEADS, UNIT_STAFF, unit, user


def test_demo_commune_has_every_role(app):
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation).where(Organisation.organ_id == "000.00.12.H42"))
        assert org.name == "Ủy ban nhân dân xã Kim Bôi"
        users = db.session.scalars(sa.select(User).where(User.organisation_id == org.id)).all()
        assert len(users) == 15
        assert set().union(*(u.roles for u in users)) == set(Role)
        assert {u.unit.abbreviation for u in users if u.unit} == {"VP", "KT", "VHXH", "TTPVHCC"}


def test_the_tests_name_the_demo_commune_as_it_is_seeded(app):
    """tests/commune.py: who holds which role, who heads and who works in each unit."""
    with app.app_context():
        assert db.session.get(Organisation, DEMO_ORGANISATION_ID).organ_id == "000.00.12.H42"
        for role, username in ROLE_USERS.items():
            assert Role(role) in user(username).roles, username
        assert {u.username for u in db.session.scalars(sa.select(User).where(
            User.organisation_id == DEMO_ORGANISATION_ID)) if Role.LEADER in u.roles} == set(LEADERS)
        assert set(UNIT_HEADS) == set(UNIT_STAFF) == {"VP", "KT", "VHXH", "TTPVHCC"}
        for abbreviation, head in UNIT_HEADS.items():
            members = unit(abbreviation).members
            assert [u.username for u in members if Role.HEAD_OF_UNIT in u.roles] == [head]
            assert {u.username for u in members if Role.STAFF in u.roles} == set(UNIT_STAFF[abbreviation])


def test_seed_demo_if_empty_does_not_seed_twice(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert "not empty" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 2


def test_seed_demo_twice_says_the_demo_exists_and_changes_nothing(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0 and result.exception is None, result.output
    assert "the demo commune exists already" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 2


def test_demo_passwords_show_on_the_login_page_only_in_demo_mode(app, client):
    assert 'data-testid="demo-accounts"' not in client.get("/login").get_data(as_text=True)
    app.config["DEMO_MODE"] = True
    html = client.get("/login").get_data(as_text=True)
    assert 'data-testid="demo-accounts"' in html
    assert "xaso2026" in html and "vanthu" in html


def test_demo_documents_cover_every_state(tmp_path):
    """What a new user sees on first start: documents from real news, in every state."""
    import flask_migrate

    from docmgmt import create_app
    from docmgmt.demo import seed
    from docmgmt.incoming.models import IncomingDocument
    from tests.conftest import instance_config

    app = create_app(instance_config(tmp_path))
    with app.app_context():
        flask_migrate.upgrade()
        seed()
        db.session.commit()
        docs = db.session.scalars(sa.select(IncomingDocument)).all()
        assert {d.status for d in docs} == {"registered", "submitted", "assigned", "done", "paper"}
        assert any("Kim Bôi" in d.subject for d in docs)
        assert sum(1 for d in docs if d.deadline and d.status == "assigned"
                   and d.is_overdue(vn_today())) == 1
        _a_believable_week()
        _records_kept_as_a_commune_keeps_them()
        _the_readmes_search_example_finds_the_demos_decision()
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "the demo commune exists already" in result.output, result.output
    with app.app_context():
        db.engine.dispose()


def _the_readmes_search_example_finds_the_demos_decision() -> None:
    """Tried as a new user would: the number the README gives as an example of searching
    by number/symbol is an issued document of the demo, found by the clerk."""
    import re
    import shutil
    from pathlib import Path

    from docmgmt.searching import operations as search_ops
    from docmgmt.searching.indexing import settle

    if not shutil.which("soffice"):  # without LibreOffice the demo issues nothing
        return
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    example = re.search(r"by number/symbol \(`([^`]+)`", readme).group(1)
    settle()
    from flask import current_app

    with current_app.test_request_context():  # a hit carries its page's URL
        found = search_ops.search(user("vanthu"), example)
    numbers = {d.hit.number_symbol for d in found.documents if d.hit.id.startswith("outgoing:")}
    assert example in numbers, (example, numbers)


def _a_believable_week() -> None:
    """The demo reads like a week of a commune office: numbers of the sổ đến run forward
    with the arrival dates, on working days; meetings start in office hours on working
    days, the chair has answered every invitation, no agenda item names a date already
    past; and outgoing documents are there too."""
    import re
    from datetime import date

    from docmgmt.core.timeutil import to_vn
    from docmgmt.documents.calendar import is_working_day
    from docmgmt.incoming.models import IncomingDocument
    from docmgmt.outgoing.models import OutgoingDocument
    from meetings.models import Meeting

    registered = db.session.scalars(sa.select(IncomingDocument).where(
        IncomingDocument.confidentiality == "thuong", IncomingDocument.arrival_number.is_not(None))
        .order_by(IncomingDocument.arrival_number)).all()
    dates = [d.arrival_date for d in registered]
    assert dates == sorted(dates) and all(is_working_day(d) for d in dates)
    today = vn_today()
    for m in db.session.scalars(sa.select(Meeting)):
        start = to_vn(m.starts_at)
        assert is_working_day(start.date()) and 7 <= start.hour < 17, (m.title, start)
        chair = m.participant(m.chair_id)
        assert chair is not None and chair.rsvp == "attend", m.title
        for item in m.items:
            for day, month in re.findall(r"\b(\d{1,2})/(\d{1,2})\b", item.title):
                assert date(today.year, int(month), int(day)) >= today, item.title
    statuses = {d.status for d in db.session.scalars(sa.select(OutgoingDocument))}
    import shutil

    # With LibreOffice the templates become PDFs: one under review, one issued; without
    # it the drafts stay drafts (tests/test_outgoing_pages.py covers that page).
    assert statuses == ({"draft", "reviewing", "issued"} if shutil.which("soffice") else {"draft"})


def _records_kept_as_a_commune_keeps_them() -> None:
    """This year's Danh mục hồ sơ, copied from last year's and approved: headings by unit
    with the office's sub-headings, dossiers numbered through the plan, some opened and
    holding completed incoming and issued outgoing documents (one in two dossiers); last
    year's closed dossiers, some announced for transfer with the 30-day reminder sent,
    some archived, one lent out; and every closed dossier's manifest checks out."""
    import shutil
    from collections import Counter
    from datetime import timedelta

    from docmgmt.incoming.models import IncomingDocument
    from docmgmt.maintenance.check import run_checks
    from docmgmt.outgoing.models import OutgoingDocument
    from docmgmt.records.models import ArchiveTransfer, Dossier, DossierItem, FilePlan

    today = vn_today()
    plans = {p.year: p for p in db.session.scalars(sa.select(FilePlan))}
    assert set(plans) == {today.year - 1, today.year}
    plan, last = plans[today.year], plans[today.year - 1]
    assert plan.status == last.status == "approved" and plan.decision_number and last.decision_number
    assert plan.copied_from_id == last.id and plan.numbering == "plan"
    assert [(h.numeral, h.code) for h in plan.top_headings] == [("I", "VP"), ("II", "KT"), ("III", "VHXH"),
                                                                ("IV", "TTPVHCC")]
    assert [h.numeral for h in plan.top_headings[0].children] == ["1", "2"]
    assert len(plan.dossiers) >= 10
    numbers = sorted(d.number for d in plan.dossiers)
    assert numbers == list(range(1, len(numbers) + 1))  # through the plan
    assert {d.notation for d in plan.dossiers} >= {"01.VP", "05.KT"}

    opened = [d for d in plan.dossiers if d.status == "open"]
    assert len(opened) >= 3 and all(d.status in ("open", "planned") for d in plan.dossiers)
    items = [i for d in opened for i in d.items]
    assert sum(1 for d in opened if d.items) >= 3
    for item in items:
        if item.kind == "incoming":
            assert db.session.get(IncomingDocument, item.incoming_id).status == "done"
        else:
            assert item.kind == "outgoing" and db.session.get(OutgoingDocument, item.outgoing_id).status == "issued"
    assert any(i.kind == "incoming" for i in items)
    if shutil.which("soffice"):  # issued outgoing documents exist only where templates become PDFs
        assert any(i.kind == "outgoing" for i in items)
    in_two = Counter(i.incoming_id for i in db.session.scalars(sa.select(DossierItem)) if i.incoming_id)
    assert max(in_two.values()) == 2  # one document in the dossiers of two people

    kept = {d.status for d in last.dossiers}
    assert kept == {"planned", "closed", "archived"}
    transfers = db.session.scalars(sa.select(ArchiveTransfer)).all()
    announced = [t for t in transfers if t.status == "announced"]
    assert announced and all(t.due_date <= today + timedelta(days=30) and t.reminded_at for t in announced)
    assert all(d.status == "closed" and d.manifest_sha256 for t in announced for d in t.dossiers)
    assert any(t.status == "received" for t in transfers)
    lent = [d for d in last.dossiers if d.open_loan is not None]
    assert len(lent) == 1 and lent[0].status == "archived"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dossier).where(
        Dossier.status.in_(("closed", "archived")))) >= 4
    db.session.commit()
    report = run_checks(areas=["records"])
    assert report.ok and report.checked["records"]["dossiers"] >= 4, [f.message for f in report.findings]
