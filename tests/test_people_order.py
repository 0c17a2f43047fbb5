"""People are listed as Vietnamese lists do: by given name (the last word), then family and
middle names, each by ICU's Vietnamese collation (Đ after D and before E, tones after the
bare letter) — not by character code, which put Đinh and Đỗ after Vũ.
And the direction form offers only those a direction may name."""

from __future__ import annotations

import re

from tests.commune import unit, user, user_id
from tests.conftest import csrf_from, text_of
from tests.test_incoming_pages import registered_doc

SIX = ["Vũ Văn An", "Đỗ Thị Hà", "Đinh Công Sơn", "Bùi Thị Mai", "Nguyễn Thị Ánh", "Lê Văn Bình"]
IN_ORDER = ["Vũ Văn An", "Nguyễn Thị Ánh", "Lê Văn Bình", "Đỗ Thị Hà", "Bùi Thị Mai", "Đinh Công Sơn"]


def test_names_sort_by_given_name_in_vietnamese_order():
    from docmgmt.core.text import person_sort_key

    assert sorted(SIX, key=person_sort_key) == IN_ORDER
    # Same given name: the family name decides, Đ after D and before E; NFD input alike.
    same = ["Ê Văn Tú", "Đinh Văn Tú", "Vũ Văn Tú", "Dương Văn Tú", "Đặng Văn Tú", "Đào Văn Tú"]
    assert sorted(same, key=person_sort_key) == [
        "Dương Văn Tú", "Đào Văn Tú", "Đặng Văn Tú", "Đinh Văn Tú", "Ê Văn Tú", "Vũ Văn Tú"]
    import unicodedata
    assert person_sort_key(unicodedata.normalize("NFD", "Đỗ Thị Hà")) == person_sort_key("Đỗ Thị Hà")


def _add_kt_staff(app):
    """Three more people in the Phòng Kinh tế (Đỗ Thị Hà, Bùi Thị Mai and Đinh Công Sơn are
    already in the demo commune)."""
    from docmgmt.extensions import db
    from docmgmt.org.operations import create_user

    with app.app_context():
        kt = unit("KT")
        for username, name in (("cv.an", "Vũ Văn An"), ("cv.anh", "Nguyễn Thị Ánh"),
                               ("cv.binh", "Lê Văn Bình")):
            create_user(None, kt.organisation, username=username, full_name=name,
                        password="xaso2026-matkhau", roles=["staff"], unit_id=kt.id)
        db.session.commit()


def test_admin_user_list_is_in_vietnamese_order(app, login_as):
    _add_kt_staff(app)
    html = text_of(login_as("quantri").get("/admin/users"))
    listed = re.findall(r'<a href="/admin/users/\d+[^"]*">([^<]+)</a>', html)
    assert [n for n in listed if n in SIX] == IN_ORDER
    assert listed.index("Lý Thị Ý") + 1 == listed.index("Vũ Thị Yến")  # Ý before Yến, as a dictionary


def _direction_form(app, login_as) -> str:
    doc_id = registered_doc(app)
    clerk = login_as("vanthu")
    token = csrf_from(text_of(clerk.get(f"/incoming/{doc_id}")))
    clerk.post(f"/incoming/{doc_id}/submit", data={"submit-csrf_token": token, "submit-leader_id": ""})
    html = text_of(login_as("chutich").get(f"/incoming/{doc_id}"))
    return html.split('data-action="direct"')[1].split("</form>")[0]


def _select(form: str, name: str) -> str:
    return re.search(rf'<select[^>]*name="direct-{name}"[^>]*>(.*?)</select>', form, re.S).group(1)


def test_direction_offers_people_by_unit_in_vietnamese_order(app, login_as):
    _add_kt_staff(app)
    co = _select(_direction_form(app, login_as), "co")
    groups = dict(re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', co, re.S))
    kt = re.findall(r"<option[^>]*>([^<]+) \(KT\)</option>", groups["Phòng Kinh tế"])
    assert kt == ["Vũ Văn An", "Nguyễn Thị Ánh", "Lê Văn Bình", "Phạm Văn Đức", "Đỗ Thị Hà",
                  "Nguyễn Thị Lan"]
    assert "Đơn vị (giao cả đơn vị)" in groups


def test_direction_does_not_offer_the_admin_account_nor_leaders_to_handle(app, login_as):
    """Nobody directs to the administrator's account; leaders are kept informed ("để
    biết") but are not made handlers."""
    form = _direction_form(app, login_as)
    for name in ("main", "co", "info"):
        options = _select(form, name)
        assert f'value="u:{user_id("quantri", app=app)}"' not in options, name
        assert f'value="u:{user_id("cv.kt1", app=app)}"' in options
        for username in ("chutich", "phochutich.kt", "phochutich.vx"):
            offered = f'value="u:{user_id(username, app=app)}"' in options
            assert offered == (name == "info"), (name, username)


def test_assignable_is_the_one_rule_for_the_lists(ctx):
    from docmgmt.incoming.operations import assignable

    people, _units = assignable(user("chutich"))
    names = {u.username for u in people}
    assert "quantri" not in names and "chutich" not in names and "cv.kt1" in names
    with_leaders, _ = assignable(user("vanthu"), leaders=True)  # an outgoing document's recipients
    assert {"chutich", "phochutich.kt"} <= {u.username for u in with_leaders}
    assert "quantri" not in {u.username for u in with_leaders}
