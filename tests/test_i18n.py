"""Vietnamese by default, English through the catalogue; Vietnam time, dd/mm/yyyy."""

from datetime import UTC, date, datetime

from docmgmt.core.timeutil import format_date, format_datetime
from tests.conftest import page_csrf


def test_pages_are_vietnamese_by_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Tên đăng nhập" in html and "Mật khẩu" in html


def test_english_comes_from_the_catalogue(client, login_as):
    login_as("vanthu")
    token = page_csrf(client)
    client.post("/lang/en", data={"csrf_token": token, "next": "/"})
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Hello, Đinh Thị Thu" in html  # names stay as they are
    assert "Xin chào" not in html


def test_api_errors_follow_the_chosen_language(client, login_as):
    login_as("cv.kt1")
    client.post("/lang/en", data={"csrf_token": page_csrf(client), "next": "/"})
    response = client.get("/api/v1/users")
    assert response.json["error"]["code"] == "forbidden"
    assert response.json["error"]["message"] == "You do not have permission to perform this action."


def test_dates_are_day_month_year_in_vietnam_time():
    # 20:30 UTC on 31/12 is already 03:30 on 1 January in Hà Nội.
    moment = datetime(2025, 12, 31, 20, 30, tzinfo=UTC)
    assert format_datetime(moment) == "01/01/2026 03:30"
    assert format_date(moment) == "01/01/2026"
    assert format_date(date(2026, 9, 30)) == "30/09/2026"


def test_a_notification_speaks_the_language_of_whom_it_is_for(ctx):
    """An English-speaking handler gets an English notification when a Vietnamese-speaking
    leader directs, and the Vietnamese-speaking clerk gets Vietnamese from the same act."""
    import sqlalchemy as sa

    from docmgmt.extensions import db
    from docmgmt.incoming import operations as ops
    from docmgmt.notifications.models import Notification
    from tests.commune import user

    handler = user("cv.kt1")
    handler.locale = "en"
    doc = ops.register_incoming(user("vanthu"), ops.IncomingInput(
        sender_name="Sở Tài chính", subject="Về việc quyết toán ngân sách"))
    ops.direct(user("chutich"), doc, ops.Direction_(main=ops.Assignee(user_id=handler.id),
                                                    co=[ops.Assignee(user_id=user("cv.kt2").id)]))
    db.session.flush()

    def titles(name: str) -> list[str]:
        return list(db.session.scalars(sa.select(Notification.title).where(Notification.user_id == user(name).id)))

    english, vietnamese = titles("cv.kt1"), titles("cv.kt2")
    assert english and all("giao bạn" not in t for t in english), english
    assert any("Về việc quyết toán ngân sách" in t for t in english)  # the data stays as written
    assert vietnamese and all("giao bạn" in t for t in vietnamese), vietnamese
