"""Personal API tokens: shown once, hashed at rest, revocable."""

import re

import sqlalchemy as sa

from docmgmt.auth.models import ApiToken
from tests.commune import user
from tests.conftest import page_csrf


def _create_token_in_browser(client, name="Kịch bản báo cáo") -> str:
    token = page_csrf(client, "/account/tokens")
    html = client.post("/account/tokens", data={"csrf_token": token, "name": name}).get_data(as_text=True)
    match = re.search(r'data-testid="new-token">(xs_[^<]+)<', html)
    assert match, "the new token is shown once on the page"
    return match.group(1)


def test_a_token_authenticates_api_calls_without_a_session(app, login_as):
    clear = _create_token_in_browser(login_as("vanthu"))
    script = app.test_client()  # no cookie at all
    response = script.get("/api/v1/me", headers={"Authorization": f"Bearer {clear}"})
    assert response.status_code == 200
    assert response.json["username"] == "vanthu"


def test_token_calls_need_no_csrf_header(app, login_as):
    clear = _create_token_in_browser(login_as("quantri"))
    response = app.test_client().post(
        "/api/v1/units", json={"name": "Phòng Tư pháp", "abbreviation": "TP"},
        headers={"Authorization": f"Bearer {clear}"})
    assert response.status_code == 201


def test_the_token_is_stored_only_as_a_digest(app, login_as):
    clear = _create_token_in_browser(login_as("vanthu"))
    with app.app_context():
        from docmgmt.extensions import db

        row = db.session.scalar(sa.select(ApiToken))
        assert clear not in (row.digest, row.prefix)
        assert clear.startswith(row.prefix)
        dump = "\n".join(db.session.connection().connection.driver_connection.iterdump())
        assert clear not in dump


def test_a_revoked_token_stops_working_at_once(app, login_as):
    client = login_as("vanthu")
    clear = _create_token_in_browser(client)
    headers = {"Authorization": f"Bearer {clear}"}
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200
    token_id = client.get("/api/v1/tokens").json[0]["id"]
    response = client.delete(f"/api/v1/tokens/{token_id}", headers={"X-CSRFToken": page_csrf(client)})
    assert response.status_code == 204
    refused = app.test_client().get("/api/v1/me", headers=headers)
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "invalid_token"


def test_a_made_up_token_is_refused(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer xs_made-up"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_token"


def test_an_expired_token_is_refused(app, login_as):
    from datetime import timedelta

    from docmgmt.core.timeutil import utcnow

    clear = _create_token_in_browser(login_as("vanthu"))
    with app.app_context():
        from docmgmt.extensions import db

        row = db.session.scalar(sa.select(ApiToken))
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {clear}"})
    assert response.status_code == 401


def test_a_token_of_a_disabled_user_is_refused(app, login_as):
    clear = _create_token_in_browser(login_as("cv.kt2"))
    with app.app_context():
        from docmgmt.extensions import db

        user("cv.kt2").active = False
        db.session.commit()
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {clear}"})
    assert response.status_code == 401


def test_nobody_revokes_someone_elses_token(app, login_as):
    owner = login_as("vanthu")
    _create_token_in_browser(owner)
    token_id = owner.get("/api/v1/tokens").json[0]["id"]
    other = app.test_client()
    from tests.conftest import login

    login(other, "cv.kt1")
    response = other.delete(f"/api/v1/tokens/{token_id}", headers={"X-CSRFToken": page_csrf(other)})
    assert response.status_code == 403
    assert owner.get("/api/v1/tokens").json[0]["revoked_at"] is None


def test_changing_the_password_revokes_the_tokens_and_says_so(app, login_as):
    """A password change usually answers a suspected compromise: the tokens go too."""
    client = login_as("cv.vp")
    clear = _create_token_in_browser(client)
    _create_token_in_browser(client, "Đồng bộ lịch")
    headers = {"Authorization": f"Bearer {clear}"}
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200
    response = client.post("/account", data={
        "csrf_token": page_csrf(client, "/account"), "current": "xaso2026",
        "new": "mat-khau-moi-2026", "confirm": "mat-khau-moi-2026"}, follow_redirects=True)
    assert "thu hồi 2 mã truy cập API" in response.get_data(as_text=True)
    refused = app.test_client().get("/api/v1/me", headers=headers)
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "invalid_token"
    assert all(t["revoked_at"] for t in client.get("/api/v1/tokens").json)


def test_an_administrators_reset_revokes_the_tokens_too(app, login_as):
    """A reset answers a lost or stolen password: the person's scripts stop with it."""
    clear = _create_token_in_browser(login_as("cv.kt1"))
    headers = {"Authorization": f"Bearer {clear}"}
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200
    with app.app_context():
        from docmgmt.extensions import db
        from docmgmt.org import operations as org_ops

        org_ops.update_user(user("quantri"), user("cv.kt1"), password="mat-khau-dat-lai-2026")
        db.session.commit()
    refused = app.test_client().get("/api/v1/me", headers=headers)
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "invalid_token"
