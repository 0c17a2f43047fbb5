"""Sessions live on the server: logging out ends them wherever their cookies went."""

from datetime import timedelta

import sqlalchemy as sa

from docmgmt.auth.models import UserSession
from docmgmt.core.timeutil import utcnow
from docmgmt.extensions import db
from tests import commune
from tests.conftest import csrf_from, login, page_csrf

SESSION_COOKIE = "xaso_session"
REMEMBER_COOKIE = "remember_token"


def _copy_cookie(source, target, name: str) -> None:
    cookie = source.get_cookie(name)
    assert cookie is not None, f"no {name} cookie to copy"
    target.set_cookie(name, cookie.value)


def _login_remembered(client, username: str = "vanthu"):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": "xaso2026",
                                           "remember": "y", "csrf_token": token})
    assert response.status_code == 302
    return response


def _logout(client) -> None:
    assert client.post("/logout", data={"csrf_token": page_csrf(client)}).status_code == 302


def _sessions(app, username: str) -> list[UserSession]:
    with app.app_context():
        user_id = commune.user(username).id
        rows = list(db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user_id)))
        db.session.expunge_all()
        return rows


def test_a_session_cookie_copied_before_logout_is_dead_after_it(app):
    owner, thief = app.test_client(), app.test_client()
    login(owner, "vanthu")
    _copy_cookie(owner, thief, SESSION_COOKIE)
    assert thief.get("/api/v1/me").json["username"] == "vanthu"
    _logout(owner)
    refused = thief.get("/api/v1/me")
    assert refused.status_code == 401
    assert thief.get("/").status_code == 302


def test_a_remember_cookie_copied_before_logout_is_dead_after_it(app):
    owner, thief = app.test_client(), app.test_client()
    _login_remembered(owner)
    _copy_cookie(owner, thief, REMEMBER_COOKIE)  # the remember-me cookie alone
    assert thief.get("/api/v1/me").json["username"] == "vanthu"
    _logout(owner)
    assert thief.get("/api/v1/me").status_code == 401


def test_logging_out_of_a_remembered_browser_signs_it_out(client):
    _login_remembered(client)
    _logout(client)
    assert client.get_cookie(REMEMBER_COOKIE) is None
    assert client.get("/").status_code == 302


def test_the_remember_cookie_lasts_a_week_by_default(client):
    response = _login_remembered(client)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(REMEMBER_COOKIE))
    assert "HttpOnly" in cookie
    expires = client.get_cookie(REMEMBER_COOKIE).expires
    assert timedelta(days=6, hours=23) < expires - utcnow() <= timedelta(days=7)


def test_the_remember_duration_comes_from_the_environment(monkeypatch):
    from docmgmt.config import Config

    monkeypatch.setenv("XASO_REMEMBER_DAYS", "3")
    duration = Config().REMEMBER_COOKIE_DURATION
    assert duration == timedelta(days=3)


def test_a_remembered_session_ends_when_its_cookie_does(app):
    owner, later = app.test_client(), app.test_client()
    _login_remembered(owner)
    _copy_cookie(owner, later, REMEMBER_COOKIE)
    with app.app_context():
        row = db.session.scalar(sa.select(UserSession))
        assert row.remember
        assert row.expires_at - row.created_at == timedelta(days=7)
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert later.get("/api/v1/me").status_code == 401


def test_an_idle_session_expires(app, client):
    login(client, "vanthu")
    with app.app_context():
        row = db.session.scalar(sa.select(UserSession))
        assert not row.remember
        assert row.expires_at - row.created_at == app.permanent_session_lifetime
        row.last_seen_at = row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_a_session_in_use_is_written_only_every_few_minutes(app, client):
    login(client, "vanthu")
    (first,) = _sessions(app, "vanthu")
    client.get("/")
    client.get("/api/v1/me")
    (unchanged,) = _sessions(app, "vanthu")
    assert unchanged.last_seen_at == first.last_seen_at
    with app.app_context():
        row = db.session.get(UserSession, first.id)
        row.last_seen_at = utcnow() - timedelta(minutes=10)
        row.expires_at = utcnow() + timedelta(minutes=30)
        db.session.commit()
    assert client.get("/").status_code == 200
    (touched,) = _sessions(app, "vanthu")
    assert utcnow() - touched.last_seen_at < timedelta(minutes=1)
    assert touched.expires_at - touched.last_seen_at == app.permanent_session_lifetime  # idle limit moves


def test_the_session_key_is_kept_only_as_a_digest(app, client):
    login(client, "vanthu")
    key = app.session_interface.get_signing_serializer(app).loads(
        client.get_cookie(SESSION_COOKIE).value)["_user_id"]
    assert len(key) >= 40
    assert not key.startswith(str(commune.user_id("vanthu", app=app)) + ".")
    with app.app_context():
        dump = "\n".join(db.session.connection().connection.driver_connection.iterdump())
        assert key not in dump


def test_the_account_page_lists_the_sessions_and_ends_the_others(app):
    here, there = app.test_client(), app.test_client()
    there.environ_base.update({"REMOTE_ADDR": "10.0.0.9", "HTTP_USER_AGENT":
                               "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                               "(KHTML, like Gecko) coc_coc_browser/120.0 Chrome/120.0 Safari/537.36"})
    login(there, "cv.vp")
    login(here, "cv.vp")
    page = here.get("/account").get_data(as_text=True)
    assert "Cốc Cốc · Windows" in page and "10.0.0.9" in page
    assert "Phiên này" in page
    response = here.post("/account/sessions/end-others", data={"csrf_token": csrf_from(page)},
                         follow_redirects=True)
    assert "Đã kết thúc 1 phiên đăng nhập khác." in response.get_data(as_text=True)
    assert there.get("/").status_code == 302
    assert here.get("/").status_code == 200
    assert "10.0.0.9" not in here.get("/account").get_data(as_text=True)


def test_one_session_can_be_ended_but_not_someone_elses(app):
    mine, other_browser, colleague = app.test_client(), app.test_client(), app.test_client()
    login(other_browser, "cv.vp")
    (other,) = _sessions(app, "cv.vp")
    login(mine, "cv.vp")
    login(colleague, "cv.kt1")
    (colleague_session,) = _sessions(app, "cv.kt1")
    refused = mine.post(f"/account/sessions/{colleague_session.id}/end",
                        data={"csrf_token": page_csrf(mine)})
    assert refused.status_code == 404
    assert colleague.get("/").status_code == 200
    assert mine.post(f"/account/sessions/{other.id}/end",
                     data={"csrf_token": page_csrf(mine)}).status_code == 302
    assert other_browser.get("/").status_code == 302
    assert mine.get("/").status_code == 200


def test_an_administrators_password_reset_ends_the_users_sessions(app):
    from docmgmt.org.operations import update_user

    browser = app.test_client()
    login(browser, "cv.kt2")
    with app.app_context():
        update_user(commune.user("quantri"), commune.user("cv.kt2"), password="mat-khau-moi-2026")
        db.session.commit()
    assert browser.get("/api/v1/me").status_code == 401


def test_a_disabled_users_session_ends(app):
    browser = app.test_client()
    login(browser, "cv.kt2")
    with app.app_context():
        commune.user("cv.kt2").active = False
        db.session.commit()
    assert browser.get("/api/v1/me").status_code == 401


def test_pages_and_api_answers_of_a_signed_in_person_are_not_cached(client, login_as):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login_as("vanthu")
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me").headers["Cache-Control"] == "no-store"
    assert client.get("/account").headers["Cache-Control"] == "no-store"
    static = client.get("/static/app.js")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_file_downloads_keep_their_private_headers_and_conditional_requests(login_as):
    import io

    from tests.files_helpers import make_pdf

    client = login_as("vanthu")
    uploaded = client.post("/api/v1/files", data={"file": (io.BytesIO(make_pdf()), "Quyết định.pdf")},
                           headers={"X-CSRFToken": page_csrf(client)}, content_type="multipart/form-data")
    assert uploaded.status_code == 201
    response = client.get(f"/files/{uploaded.json['id']}")
    assert response.headers["Cache-Control"] == "private, max-age=0"
    again = client.get(f"/files/{uploaded.json['id']}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_behind_a_trusted_proxy_the_client_address_is_the_forwarded_one(instance):
    from docmgmt import create_app
    from tests.conftest import instance_config

    app = create_app({**instance_config(instance), "TRUSTED_PROXIES": 1})
    client = app.test_client()
    client.environ_base.update({"HTTP_X_FORWARDED_FOR": "203.0.113.5"})
    login(client, "vanthu")
    (row,) = _sessions(app, "vanthu")
    assert row.address == "203.0.113.5"


def test_sessions_over_for_a_month_are_forgotten_at_the_next_sign_in(app):
    login(app.test_client(), "vanthu")
    with app.app_context():
        old = db.session.scalar(sa.select(UserSession))
        old.revoked_at = utcnow() - timedelta(days=31)
        db.session.commit()
        old_id = old.id
    login(app.test_client(), "vanthu")
    assert old_id not in {s.id for s in _sessions(app, "vanthu")}
    assert len(_sessions(app, "vanthu")) == 1


def test_a_meeting_room_connection_stops_acting_once_its_session_ends(app, monkeypatch):
    from meetings import sockets

    monkeypatch.setattr(sockets, "_start_sweeper", lambda _app: None)  # no background thread
    owner, thief = app.test_client(), app.test_client()
    login(owner, "chutich")
    _copy_cookie(owner, thief, SESSION_COOKIE)
    room = sockets.socketio.test_client(app, namespace=sockets.NAMESPACE, flask_test_client=thief)
    assert room.is_connected(sockets.NAMESPACE)
    before = room.emit("join", {"meeting_id": 1}, namespace=sockets.NAMESPACE, callback=True)
    assert before.get("error", {}).get("code") != "unauthenticated"
    _logout(owner)
    after = room.emit("join", {"meeting_id": 1}, namespace=sockets.NAMESPACE, callback=True)
    assert after["error"]["code"] == "unauthenticated"
    room.disconnect(namespace=sockets.NAMESPACE)
