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
        db.engine.dispose()


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
