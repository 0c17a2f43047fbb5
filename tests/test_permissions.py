"""Who may do what: decided by the operations, the same through every door."""

from tests.commune import user_id
from tests.conftest import page_csrf


def test_staff_cannot_open_the_user_administration(login_as):
    client = login_as("cv.kt1")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Bạn không có quyền thực hiện thao tác này." in response.get_data(as_text=True)


def test_staff_menu_has_no_administration_entries(login_as):
    html = login_as("cv.kt1").get("/").get_data(as_text=True)
    assert "/admin/users" not in html
    admin_html = login_as("quantri").get("/").get_data(as_text=True)
    assert "/admin/users" in admin_html


def test_staff_cannot_list_users_through_the_api(login_as):
    response = login_as("cv.kt1").get("/api/v1/users")
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert response.json["error"]["message"] == "Bạn không có quyền thực hiện thao tác này."


def test_api_without_credentials_is_401_with_the_error_shape(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert set(response.json["error"]) == {"code", "message", "field"}
    assert response.json["error"]["code"] == "unauthenticated"


def test_admin_creates_a_user_through_the_web_form(app, login_as):
    client = login_as("quantri")
    token = page_csrf(client, "/admin/users/new")
    response = client.post("/admin/users/new", data={
        "csrf_token": token, "username": "cv.moi", "full_name": "Nguyễn Thị Mới",
        "password": "matkhau-rat-dai", "roles": ["staff"], "unit_id": "", "active": "y"})
    assert response.status_code == 302
    assert "Nguyễn Thị Mới" in client.get("/admin/users").get_data(as_text=True)


def test_a_refused_form_says_why_next_to_the_field(login_as):
    client = login_as("quantri")
    token = page_csrf(client, "/admin/users/new")
    response = client.post("/admin/users/new", data={
        "csrf_token": token, "username": "vanthu", "full_name": "Trùng Tên",
        "password": "matkhau-rat-dai", "roles": ["staff"], "unit_id": ""})
    assert response.status_code == 409
    assert "Tên đăng nhập vanthu đã được dùng." in response.get_data(as_text=True)


def test_api_validation_error_names_the_field(login_as):
    client = login_as("quantri")
    token = page_csrf(client)
    response = client.post("/api/v1/users", json={"username": "x1", "full_name": "A"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert error["field"] in {"password", "roles"}


def test_api_domain_refusal_has_a_stable_code(login_as):
    client = login_as("quantri")
    token = page_csrf(client)
    response = client.post("/api/v1/users", headers={"X-CSRFToken": token}, json={
        "username": "Có Dấu", "full_name": "Ai Đó", "password": "matkhau-rat-dai",
        "roles": ["staff"]})
    assert response.status_code == 422
    assert response.json["error"] == {
        "code": "invalid_username", "field": "username",
        "message": "Tên đăng nhập gồm 2–64 ký tự: chữ thường không dấu, chữ số, dấu chấm, gạch."}


def test_session_api_call_that_changes_something_needs_the_csrf_header(login_as):
    client = login_as("quantri")
    payload = {"name": "Phòng Tư pháp", "abbreviation": "TP"}
    refused = client.post("/api/v1/units", json=payload)
    assert refused.status_code == 400
    assert refused.json["error"]["code"] == "csrf_failed"
    accepted = client.post("/api/v1/units", json=payload, headers={"X-CSRFToken": page_csrf(client)})
    assert accepted.status_code == 201
    assert accepted.json["abbreviation"] == "TP"


def test_an_admin_never_sees_another_communes_users(app, login_as):
    kim_boi_clerk = user_id("vanthu", app=app)
    client = login_as("quantri.lacson", "matkhau-lacson")
    listed = {u["username"] for u in client.get("/api/v1/users").json}
    assert listed == {"quantri.lacson", "cv.lacson"}
    assert client.get(f"/api/v1/users/{kim_boi_clerk}").status_code == 404
    assert client.get(f"/admin/users/{kim_boi_clerk}").status_code == 404


def test_admin_cannot_take_away_their_own_admin_role(app, login_as):
    client = login_as("quantri")
    me = client.get("/api/v1/me").json
    response = client.patch(f"/api/v1/users/{me['id']}", json={"roles": ["staff"]},
                            headers={"X-CSRFToken": page_csrf(client)})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "self_demotion"


def test_text_is_stored_in_nfc(app, login_as):
    import unicodedata

    client = login_as("quantri")
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hường")
    response = client.post("/api/v1/users", headers={"X-CSRFToken": page_csrf(client)}, json={
        "username": "cv.huong", "full_name": decomposed, "password": "matkhau-rat-dai",
        "roles": ["staff"]})
    assert response.status_code == 201
    assert response.json["full_name"] == "Nguyễn Thị Hường"
    assert unicodedata.is_normalized("NFC", response.json["full_name"])


def test_every_role_has_a_home_page(login_as):
    for username in ("quantri", "vanthu", "chutich", "truongkt", "cv.kt1", "thuky"):
        html = login_as(username).get("/").get_data(as_text=True)
        assert "Việc đang chờ bạn" in html, username
