"""Signing in and out, CSRF, lockout, cookies."""

from datetime import timedelta

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


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client):
    unknown = login(client, "khongtontai", "abcdefgh").get_data(as_text=True)
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in unknown


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


def test_lockout_after_five_failures_refuses_even_the_right_password(app, client):
    for _ in range(5):
        assert login(client, "cv.kt1", "sai-mat-khau").status_code == 401
    response = login(client, "cv.kt1")  # right password, but locked
    assert response.status_code == 401
    assert "Tài khoản tạm khóa" in response.get_data(as_text=True)
    with app.app_context():
        user = commune.user("cv.kt1")
        assert user.locked_until is not None


def test_lockout_ends_when_its_time_is_over(app, client):
    for _ in range(5):
        login(client, "cv.kt1", "sai-mat-khau")
    with app.app_context():
        from docmgmt.extensions import db

        user = commune.user("cv.kt1")
        user.locked_until = user.locked_until - timedelta(minutes=16)
        db.session.commit()
    assert login(client, "cv.kt1").status_code == 302


def test_admin_unlocks_a_locked_account(app, client, login_as):
    for _ in range(5):
        login(client, "cv.kt1", "sai-mat-khau")
    login_as("quantri")
    home = client.get("/").get_data(as_text=True)
    assert "Phạm Văn Đức" in home  # the admin's home shows the locked account
    user_id = commune.user_id("cv.kt1", app=app)
    token = page_csrf(client, f"/admin/users/{user_id}")
    assert client.post(f"/admin/users/{user_id}/unlock", data={"csrf_token": token}).status_code == 302
    client.post("/logout", data={"csrf_token": page_csrf(client)})
    assert login(client, "cv.kt1").status_code == 302


def test_successful_login_resets_the_failure_count(app, client):
    for _ in range(4):
        login(client, "cv.kt1", "sai-mat-khau")
    assert login(client, "cv.kt1").status_code == 302
    client.post("/logout", data={"csrf_token": page_csrf(client)})
    for _ in range(4):
        login(client, "cv.kt1", "sai-mat-khau")
    assert login(client, "cv.kt1").status_code == 302  # 4 + 4 failures never made 5 in a row


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
