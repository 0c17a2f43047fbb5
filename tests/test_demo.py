"""The demo commune a new user meets on first start."""

import sqlalchemy as sa

from docmgmt.core.permissions import Role
from docmgmt.extensions import db
from docmgmt.org.models import Organisation, User


def test_demo_commune_has_every_role(app):
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation).where(Organisation.organ_id == "000.00.12.H42"))
        assert org.name == "Ủy ban nhân dân xã Kim Bôi"
        users = db.session.scalars(sa.select(User).where(User.organisation_id == org.id)).all()
        assert len(users) == 15
        assert set().union(*(u.roles for u in users)) == set(Role)
        assert {u.unit.abbreviation for u in users if u.unit} == {"VP", "KT", "VHXH", "TTPVHCC"}


def test_seed_demo_if_empty_does_not_seed_twice(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert "not empty" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 2


def test_demo_passwords_show_on_the_login_page_only_in_demo_mode(app, client):
    assert 'data-testid="demo-accounts"' not in client.get("/login").get_data(as_text=True)
    app.config["DEMO_MODE"] = True
    html = client.get("/login").get_data(as_text=True)
    assert 'data-testid="demo-accounts"' in html
    assert "xaso2026" in html and "vanthu" in html
