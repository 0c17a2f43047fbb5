"""Signing in and out, CSRF, lockout, cookies."""

import re
from datetime import timedelta

import pytest

from tests import commune
from tests.conftest import csrf_from, login, page_csrf


def test_clerk_signs_in_and_sees_her_name(client):
    response = login(client, "vanthu", follow=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Xin chào, Đinh Thị Thu" in html
    assert "Việc đang chờ bạn" in html


def test_wrong_password_is_refused_in_vietnamese(client):
    response = login(client, "vanthu", "sai-mat-khau")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def _comparable(response, username: str) -> tuple:
    """Status and page of a refused sign-in, without what differs by construction: the
    username typed back into the form and the form's CSRF token."""
    html = response.get_data(as_text=True).replace(f'value="{username}"', 'value="…"')
    return response.status_code, re.sub(r'(name="csrf[-_]token"[^>]*?(value|content)=)"[^"]+"', r"\1", html)


class CountingHasher:
    """The Argon2 hasher, counting verifications (a stand-in for measuring time)."""

    def __init__(self, real):
        self.real, self.verified = real, 0

    def verify(self, *args):
        self.verified += 1
        return self.real.verify(*args)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_unknown_user_wrong_password_and_locked_account_look_the_same(app, monkeypatch):
    from docmgmt.auth import passwords

    hasher = CountingHasher(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    for _ in range(5):  # lock cv.kt2 from this address
        login(app.test_client(), "cv.kt2", "sai-mat-khau")
    answers = {}
    for case, username, password in (("unknown", "cv.kt9", "sai-mat-khau"),
                                     ("wrong", "cv.kt1", "sai-mat-khau"),
                                     ("locked, right password", "cv.kt2", "xaso2026")):
        before = hasher.verified
        answers[case] = _comparable(login(app.test_client(), username, password), username)
        assert hasher.verified == before + 1, f"{case}: one password hash verified, as for the others"
    assert answers["unknown"] == answers["wrong"] == answers["locked, right password"]
    status, html = answers["unknown"]
    assert status == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in html
    assert "khóa" not in html


def test_logout_ends_the_session(client, login_as):
    login_as("vanthu")
    token = page_csrf(client, "/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert "/login" in client.get("/").headers["Location"]


def test_logout_is_not_a_get(client, login_as):
    login_as("vanthu")
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_login_form_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"username": "vanthu", "password": "xaso2026"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_a_form_with_a_forged_csrf_token_is_refused(client, login_as):
    login_as("vanthu")
    response = client.post("/logout", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)
    assert client.get("/").status_code == 200  # still signed in


STRANGER = {"REMOTE_ADDR": "10.0.0.66"}
COLLEAGUE_DESK = {"REMOTE_ADDR": "10.0.0.7"}


def test_lockout_after_five_failures_refuses_even_the_right_password_from_there(app, client):
    for _ in range(5):
        assert login(client, "cv.kt1", "sai-mat-khau").status_code == 401
    response = login(client, "cv.kt1")  # right password, but this address is locked out
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    with app.app_context():
        user = commune.user("cv.kt1")
        assert user.locked_until is not None  # what the administrator sees


def test_a_stranger_cannot_lock_a_colleague_out_from_another_address(app):
    stranger = app.test_client()
    stranger.environ_base.update(STRANGER)
    for _ in range(6):
        assert login(stranger, "cv.kt1", "sai-mat-khau").status_code == 401
    assert login(stranger, "cv.kt1").status_code == 401  # locked from there
    victim = app.test_client()
    victim.environ_base.update(COLLEAGUE_DESK)
    assert login(victim, "cv.kt1").status_code == 302


def test_a_colleague_behind_the_same_address_cannot_lock_out_the_owners_browser(app):
    """A commune's staff share one public address: the browser the account signed in on
    before (its device cookie) is a source of its own."""
    owner = app.test_client()
    assert login(owner, "cv.kt1").status_code == 302
    owner.post("/logout", data={"csrf_token": page_csrf(owner)})
    colleague = app.test_client()  # same address, no device cookie for cv.kt1
    for _ in range(5):
        login(colleague, "cv.kt1", "sai-mat-khau")
    assert login(colleague, "cv.kt1").status_code == 401  # even the right password, from there
    assert login(owner, "cv.kt1").status_code == 302


def test_a_forged_device_cookie_counts_for_nothing(app):
    colleague = app.test_client()
    for _ in range(5):
        login(colleague, "cv.kt1", "sai-mat-khau")
    colleague.set_cookie("xaso_device", "W1syMCwiYWJjIl1d.forged.signature")
    assert login(colleague, "cv.kt1").status_code == 401


def test_lockout_ends_when_its_time_is_over(app, client):
    import sqlalchemy as sa

    from docmgmt.auth.models import LoginAttempt
    from docmgmt.extensions import db

    for _ in range(5):
        login(client, "cv.kt1", "sai-mat-khau")
    with app.app_context():
        attempt = db.session.scalar(sa.select(LoginAttempt))
        attempt.locked_until = attempt.locked_until - timedelta(minutes=16)
        db.session.commit()
    assert login(client, "cv.kt1").status_code == 302


def test_admin_unlocks_a_locked_account(app, client, login_as):
    for _ in range(5):
        login(client, "cv.kt1", "sai-mat-khau")
    login_as("quantri")
    home = client.get("/").get_data(as_text=True)
    assert "Phạm Văn Đức" in home  # the admin's home shows the account under attack
    user_id = commune.user_id("cv.kt1", app=app)
    token = page_csrf(client, f"/admin/users/{user_id}")
    assert client.post(f"/admin/users/{user_id}/unlock", data={"csrf_token": token}).status_code == 302
    client.post("/logout", data={"csrf_token": page_csrf(client)})
    assert login(client, "cv.kt1").status_code == 302


def test_the_unlock_command_lifts_every_lockout_of_the_account(app, client):
    for _ in range(5):
        login(client, "cv.kt1", "sai-mat-khau")
    result = app.test_cli_runner().invoke(args=["users", "unlock", "cv.kt1"])
    assert result.exit_code == 0, result.output
    assert login(client, "cv.kt1").status_code == 302
    with app.app_context():
        assert commune.user("cv.kt1").locked_until is None


def test_successful_login_resets_the_failure_count(app, client):
    for _ in range(4):
        login(client, "cv.kt1", "sai-mat-khau")
    assert login(client, "cv.kt1").status_code == 302
    client.post("/logout", data={"csrf_token": page_csrf(client)})
    for _ in range(4):
        login(client, "cv.kt1", "sai-mat-khau")
    assert login(client, "cv.kt1").status_code == 302  # 4 + 4 failures never made 5 in a row


def test_an_address_guessing_across_accounts_is_slowed_down(app, monkeypatch):
    from docmgmt.auth import operations
    from docmgmt.core.timeutil import utcnow

    app.config["LOGIN_THROTTLE_FREE"] = 3
    frozen = utcnow()
    monkeypatch.setattr(operations, "utcnow", lambda: frozen)  # no time passes between tries
    sprayer = app.test_client()
    sprayer.environ_base.update(STRANGER)
    for username in ("cv.kt1", "cv.kt2", "khongco", "cv.vp"):
        assert login(sprayer, username, "sai-mat-khau").status_code == 401
    for username in ("chutich", "khongco2"):  # known or not, the same wait
        response = login(sprayer, username, "xaso2026")
        assert response.status_code == 429
        assert "Hãy chờ 1 giây rồi thử lại." in response.get_data(as_text=True)
    elsewhere = app.test_client()
    elsewhere.environ_base.update(COLLEAGUE_DESK)
    assert login(elsewhere, "chutich").status_code == 302  # the delay is the address's only


def test_the_delay_grows_with_each_failure_up_to_a_limit(app, monkeypatch):
    from docmgmt.auth import operations
    from docmgmt.core.timeutil import utcnow

    app.config.update(LOGIN_THROTTLE_FREE=0, LOGIN_THROTTLE_MAX_SECONDS=5)
    clock = [utcnow()]
    monkeypatch.setattr(operations, "utcnow", lambda: clock[0])
    waits = []
    for _ in range(5):
        assert login(app.test_client(), "khongco", "sai-mat-khau").status_code == 401
        refused = login(app.test_client(), "khongco", "sai-mat-khau")
        assert refused.status_code == 429
        waits.append(int(re.search(r"Hãy chờ (\d+) giây", refused.get_data(as_text=True))[1]))
        clock[0] += timedelta(seconds=60)  # the wait is over, the count is not forgotten
    assert waits == [1, 2, 4, 5, 5]


def test_session_cookie_is_httponly_and_samesite(client):
    response = login(client, "vanthu")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure(instance):
    from docmgmt import create_app
    from docmgmt.config import ProductionConfig
    from tests.conftest import instance_config

    app = create_app(ProductionConfig())
    assert app.config["SESSION_COOKIE_SECURE"] is True
    app.config.update(instance_config(instance))
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_next_parameter_cannot_redirect_to_another_site(client):
    page = client.get("/login?next=//evil.example/phish")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(
        "/login?next=//evil.example/phish",
        data={"username": "vanthu", "password": "xaso2026", "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_changing_the_password_signs_out_other_sessions(app, login_as):
    first = app.test_client()
    second = app.test_client()
    login(first, "cv.vp")
    login(second, "cv.vp")
    token = page_csrf(first, "/account")
    response = first.post("/account", data={
        "csrf_token": token, "current": "xaso2026", "new": "mat-khau-moi-2026",
        "confirm": "mat-khau-moi-2026"})
    assert response.status_code == 302
    assert first.get("/").status_code == 200  # the session that changed it stays in
    assert second.get("/").status_code == 302  # the other one is signed out
    assert login(app.test_client(), "cv.vp", "mat-khau-moi-2026").status_code == 302


def test_login_rate_limit_per_address(instance):
    from docmgmt import create_app
    from tests.conftest import instance_config

    app = create_app({**instance_config(instance), "RATELIMIT_ENABLED": True,
                      "LOGIN_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    codes = [login(client, f"khongco{i}", "abcdefgh").status_code for i in range(4)]
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429


@pytest.mark.postgres
def test_concurrent_guesses_cannot_slip_under_the_limit_on_postgresql(pg_commune):
    from concurrent.futures import ThreadPoolExecutor

    from docmgmt import create_app

    app = create_app(pg_commune)
    with ThreadPoolExecutor(5) as pool:  # five wrong guesses at once, each counted
        codes = list(pool.map(lambda _: login(app.test_client(), "cv.kt1", "sai-mat-khau").status_code,
                              range(5)))
    assert codes == [401] * 5
    assert login(app.test_client(), "cv.kt1").status_code == 401  # locked from here
    owner = app.test_client()
    owner.environ_base.update(COLLEAGUE_DESK)
    assert login(owner, "cv.kt1").status_code == 302
    assert owner.get("/api/v1/me").json["username"] == "cv.kt1"
    owner.post("/logout", data={"csrf_token": page_csrf(owner)})
    assert owner.get("/api/v1/me").status_code == 401
    with app.app_context():
        from docmgmt.extensions import db

        db.session.remove()
        db.engine.dispose()
