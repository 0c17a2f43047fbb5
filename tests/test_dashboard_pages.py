"""The figures' pages against a commune whose answers are known (the fixture of
tests/test_reports_figures.py: November 2026, 12 entries of the sổ đến): the dashboard,
the list behind each figure, the JSON API and the XLSX show the same numbers, in the
Vietnamese way of writing them; a head of unit sees their unit, a staff member their own,
an administrator nothing, and another commune never appears."""

from __future__ import annotations

import html
import io
import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from flask import g
from markupsafe import escape
from openpyxl import load_workbook

from docmgmt.extensions import db
from tests.conftest import DEMO_PASSWORD, login
from tests.reports_support import build_november, incoming, unit, user
from tests.test_reports_figures import TODAY

NOV = "period=month&month=2026-11"


@pytest.fixture
def november(ctx):
    """The commune of tests/reports_support.build_november: its documents by name."""
    return build_november()


@pytest.fixture(autouse=True)
def on_the_seventh_of_december(monkeypatch):
    """The fixture's answers are those of Monday 7/12/2026 (what is overdue depends on the day)."""
    from docmgmt.reports import api, controllers

    monkeypatch.setattr(controllers, "vn_today", lambda: TODAY)
    monkeypatch.setattr(api, "vn_today", lambda: TODAY)


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.get_data(as_text=True)[:800])
    return response.get_data(as_text=True)


def api(client, path: str, status: int = 200) -> dict:
    response = client.get(path)
    assert response.status_code == status, (path, response.get_data(as_text=True)[:800])
    return response.json


def shown(html_text: str, link: str) -> tuple[int, str]:
    """The number a page shows as a link to ``link``: (its value, the text the reader sees)."""
    found = re.search(r'href="' + re.escape(str(escape(link))) + r'"[^>]*data-value="(\d+)"[^>]*>(.*?)</a>',
                      html_text, re.S)
    assert found, f"the page has no link to {link}"
    text = re.search(r">\s*([\d.,]+)\s*<", ">" + found[2] + "<")
    assert text, found[2]
    return int(found[1]), text[1]


def listed(client, link: str) -> tuple[int, set[int]]:
    """The list page behind a figure: (its total, the ids of its rows on the first page)."""
    text = page(client, link)
    total = re.search(r'data-testid="list-total" data-value="(\d+)"', text)
    assert total, link
    return int(total[1]), {int(i) for i in re.findall(r'<tr data-id="(\d+)"', text)}


def another(app, username: str, password: str = DEMO_PASSWORD):
    """A second person's browser. (The commune fixture keeps an app context pushed, which the
    test client's requests share: ``g`` remembers who is signed in and the CSRF token.)"""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    other = app.test_client()
    assert login(other, username, password).status_code == 302
    return other


def api_list(client, link: str) -> dict:
    return api(client, "/api/v1/reports/documents?" + urlsplit(link).query + "&per_page=200")


def sheet_rows(content: bytes, sheet: str) -> dict[str, list]:
    """A workbook sheet's rows by their first cell."""
    ws = load_workbook(io.BytesIO(content))[sheet]
    return {str(row[0]): list(row[1:]) for row in ws.iter_rows(values_only=True) if row and row[0]}


# --- the chairman: page, list, API and XLSX agree --------------------------------------------

def test_the_page_the_list_the_api_and_the_xlsx_agree(november, client, login_as):
    login_as("chutich")
    data = api(client, f"/api/v1/reports/dashboard?{NOV}")
    dashboard = page(client, f"/dashboard?{NOV}")
    xlsx = client.get(f"/dashboard/export.xlsx?{NOV}")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    assert "So-lieu-2026-11.xlsx" in xlsx.headers["Content-Disposition"]
    headline = {h["key"]: h for h in data["headline"]}
    total = data["handling"]["total"]
    by_unit = {r["label"]: r for r in data["handling"]["by_unit"]}
    by_person = {r["label"]: r for r in data["handling"]["by_person"]}
    november = next(p for p in data["series"]["received_per_month"] if p["key"] == "2026-11")
    # (figure, its cell in the API, the answer the fixture knows, its XLSX sheet and row, column)
    checks = [
        (headline["incoming.received"], 12, "Tong hop", "Văn bản đến", 0),
        (total["on_time"], 3, "Theo don vi", "Tổng cộng", 1),
        (total["late"], 2, "Theo don vi", "Tổng cộng", 2),
        (total["open_overdue"], 2, "Theo don vi", "Tổng cộng", 5),
        (by_unit["Phòng Kinh tế"]["on_time"], 3, "Theo don vi", "Phòng Kinh tế", 1),
        (by_unit["Phòng Kinh tế"]["received"], 9, "Theo don vi", "Phòng Kinh tế", 0),
        (by_person["Phạm Văn Đức"]["late"], 1, "Theo nguoi", "Phạm Văn Đức", 2),
        (by_person["Đỗ Thị Hà"]["open_in_time"], 2, "Theo nguoi", "Đỗ Thị Hà", 4),
        (november, 12, "Theo thang", "11/2026", 0),
    ]
    for cell, answer, sheet, row, column in checks:
        assert cell["value"] == answer, cell
        assert shown(dashboard, cell["link"]) == (answer, str(answer)), cell["link"]
        total_listed, ids = listed(client, cell["link"])
        assert total_listed == answer and len(ids) == answer, cell["link"]
        as_json = api_list(client, cell["link"])
        assert as_json["total"] == answer
        assert {item["id"] for item in as_json["items"]} == ids
        assert sheet_rows(xlsx.data, sheet)[row][column] == answer, (sheet, row)
    # The on-time rate: 3 of 5 done with a deadline; Đức 3 of 4.
    assert total["rate"] == 0.6 and by_person["Phạm Văn Đức"]["rate"] == 0.75
    assert 'data-testid="on-time-rate">60 %<' in dashboard
    duc = by_person["Phạm Văn Đức"]["key"]
    assert re.search(rf'<tr data-row="{duc}">.*?data-rate>75 %<', dashboard, re.S)
    assert sheet_rows(xlsx.data, "Theo don vi")["Tổng cộng"][7] == pytest.approx(0.6)


def test_every_number_on_the_dashboard_links_to_a_list_of_as_many_documents(november, client, login_as):
    login_as("chutich")
    dashboard = page(client, f"/dashboard?{NOV}")
    links = set(re.findall(r'href="(/dashboard/list\?[^"]+)"[^>]*data-value="(\d+)"', dashboard))
    assert len(links) > 60
    for link, value in sorted(links)[::4]:  # a quarter of them: each list is a request
        assert api_list(client, html.unescape(link))["total"] == int(value), link


def test_the_list_behind_a_cell_says_what_it_is(november, client, login_as):
    login_as("chutich")
    kt = unit("KT")
    text = page(client, f"/dashboard/list?figure=incoming.on_time&{NOV}&by=unit&value={kt.id}")
    assert "<h1 class=\"h4 mb-0\">Giải quyết đúng hạn — Phòng Kinh tế</h1>" in text
    assert "Toàn xã" in text and "Tháng 11/2026" in text
    assert f'<a href="/incoming/{november["at_night"].id}"' in text
    # Handed to nobody yet: the table's last line, and its list.
    none = api(client, f"/api/v1/reports/documents?figure=incoming.received&{NOV}&by=unit&value=")
    assert {i["id"] for i in none["items"]} == {november["undirected"].id, november["returned"].id}
    assert none["figure"]["cell"] == "Chưa phân công"


def test_a_long_list_is_paginated_and_keeps_its_total(ctx, client, login_as):
    org = user("chutich").organisation_id
    duc = user("cv.kt1")
    for day in range(1, 31):
        incoming(org, date(2026, 9, day), to=duc, deadline=date(2026, 10, 15))
        incoming(org, date(2026, 9, day), to=duc)
    db.session.commit()
    login_as("chutich")
    first = page(client, "/dashboard/list?figure=incoming.received&period=month&month=2026-09")
    assert 'data-testid="list-total" data-value="60"' in first
    assert len(re.findall(r"<tr data-id=", first)) == 50
    second = page(client, "/dashboard/list?figure=incoming.received&period=month&month=2026-09&page=2")
    assert len(re.findall(r"<tr data-id=", second)) == 10
    ids = set(re.findall(r'<tr data-id="(\d+)"', first)) | set(re.findall(r'<tr data-id="(\d+)"', second))
    assert len(ids) == 60
    paged = api(client, "/api/v1/reports/documents?figure=incoming.received&period=year&year=2026"
                        "&per_page=25&page=3")
    assert (paged["total"], paged["pages"], len(paged["items"]), paged["has_more"]) == (60, 3, 10, False)


# --- who sees what ------------------------------------------------------------------------------

def test_a_head_of_unit_sees_their_unit_only(november, client, login_as):
    login_as("truongkt")
    text = page(client, f"/dashboard?{NOV}")
    data = api(client, f"/api/v1/reports/dashboard?{NOV}")
    assert data["scope"]["level"] == "unit" and data["handling"]["total"]["received"]["value"] == 3
    assert shown(text, data["handling"]["total"]["received"]["link"])[0] == 3
    assert 'name="unit"' not in text  # no other unit to choose
    people = re.search(r'<select[^>]*name="person">(.*?)</select>', text, re.S)[1]
    assert "Phạm Văn Đức" in people and "Lê Thị Ngọc" not in people
    assert "Lê Thị Ngọc" not in text  # the VP office's handler is no business of this page
    vp, ngoc = unit("VP"), user("cv.vp")
    refused = page(client, f"/dashboard?{NOV}&unit={vp.id}", 403)
    assert "Bạn chỉ xem được số liệu của bộ phận mình." in refused
    assert api(client, f"/api/v1/reports/dashboard?{NOV}&person={ngoc.id}", 403)["error"]["code"] == "forbidden"
    assert api(client, f"/api/v1/reports/documents?figure=incoming.received&{NOV}&unit={vp.id}",
               403)["error"]["code"] == "forbidden"


def test_a_staff_member_sees_their_own(november, client, login_as):
    login_as("cv.kt1")
    text = page(client, f"/dashboard?{NOV}")
    data = api(client, f"/api/v1/reports/dashboard?{NOV}")
    assert data["scope"] == {"level": "own", "unit_id": None, "person_id": user("cv.kt1").id,
                             "title": "Phạm Văn Đức"}
    assert data["handling"]["total"]["received"]["value"] == 4
    assert 'name="unit"' not in text and 'name="person"' not in text
    assert 'data-testid="handling-by-person"' not in text
    listed_ids = {i["id"] for i in api_list(client, data["handling"]["total"]["received"]["link"])["items"]}
    assert listed_ids == {november[k].id for k in ("early", "at_night", "via_unit", "after_midnight")}
    other = user("cv.kt2")
    assert "Bạn chỉ xem được số liệu của chính mình." in page(client, f"/dashboard?{NOV}&person={other.id}", 403)


def test_an_administrator_has_no_figures_and_no_menu_entry(november, app, client, login_as):
    login_as("quantri")
    assert "Thống kê" not in page(client, "/")
    text = page(client, f"/dashboard?{NOV}", 403)
    assert "Tài khoản này không xem báo cáo, thống kê." in text
    for path in ("/api/v1/reports/dashboard", "/api/v1/reports/paperless", "/api/v1/reports/incoming",
                 "/api/v1/reports/documents?figure=incoming.received"):
        assert api(client, path, 403)["error"]["code"] == "forbidden"
    chairman = another(app, "chutich")
    home = page(chairman, "/")
    assert re.search(r'href="/dashboard"\s+data-testid="nav-reports"', home)


def test_another_commune_never_appears(november, app, client, login_as):
    login_as("chutich")
    received = api_list(client, f"/dashboard/list?figure=incoming.received&{NOV}")
    assert november["other_commune"].id not in {i["id"] for i in received["items"]}
    lac_son_unit = user("cv.lacson").unit_id
    assert "Không tìm thấy bộ phận." in page(client, f"/dashboard?{NOV}&unit={lac_son_unit}", 404)
    refused = api(client, f"/api/v1/reports/documents?figure=incoming.received&{NOV}&by=unit&value={lac_son_unit}",
                  422)
    assert refused["error"]["field"] == "value"
    # Lạc Sơn's own staff member: their one document, none of Kim Bôi's names.
    lac_son = another(app, "cv.lacson", "matkhau-lacson")
    theirs = api(lac_son, f"/api/v1/reports/dashboard?{NOV}")
    assert theirs["handling"]["total"]["received"]["value"] == 1
    text = page(lac_son, f"/dashboard?{NOV}")
    assert "Phòng Kinh tế" not in text and "Phạm Văn Đức" not in text


# --- refusals ---------------------------------------------------------------------------------------

def test_a_period_that_does_not_exist_is_refused_naming_its_field(november, client, login_as):
    login_as("chutich")
    text = page(client, "/dashboard?period=month&month=2026-13", 422)
    assert re.search(r'data-testid="error-month">Tháng không hợp lệ \(dạng mm/yyyy\).<', text)
    error = api(client, "/api/v1/reports/dashboard?period=month&month=2026-13", 422)["error"]
    assert (error["code"], error["field"]) == ("invalid_period", "month")
    text = page(client, "/reports/incoming?period=custom&start=30/11/2026&end=01/11/2026", 422)
    assert 'data-testid="error-end">Ngày kết thúc không thể trước ngày bắt đầu.<' in text
    error = api(client, "/api/v1/reports/incoming?period=custom&start=2026-11-30&end=2026-11-01", 422)["error"]
    assert error["field"] == "end"
    error = api(client, "/api/v1/reports/paperless?period=year&year=1999", 422)["error"]
    assert (error["code"], error["field"]) == ("validation_error", "year")
    assert "Năm phải từ 2000 đến 2100." in page(client, "/dashboard/paperless?period=year&year=1999", 422)
    error = api(client, f"/api/v1/reports/documents?figure=incoming.nothing&{NOV}", 422)["error"]
    assert (error["code"], error["field"]) == ("unknown_figure", "figure")
    error = api(client, f"/api/v1/reports/documents?figure=incoming.received&{NOV}&per_page=1000", 422)["error"]
    assert error["field"] == "per_page"
    assert "Không có số liệu này." in page(client, f"/dashboard/list?figure=nothing&{NOV}", 422)
    assert client.get(f"/reports/incoming?{NOV}&format=docx").status_code == 422


# --- the legal reports --------------------------------------------------------------------------------

def xlsx_value(content: bytes, label: str):
    for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True):
        cells = [c for c in row if c is not None]
        if cells and cells[0] == label:
            return cells[1]
    raise AssertionError(f"no line {label!r}")


def test_the_incoming_report_agrees_with_the_dashboard_in_every_door(november, client, login_as):
    login_as("chutich")
    text = page(client, f"/reports/incoming?{NOV}")
    report = api(client, f"/api/v1/reports/incoming?{NOV}")
    dashboard = api(client, f"/api/v1/reports/dashboard?{NOV}")["handling"]["total"]
    workbook = client.get(f"/reports/incoming?{NOV}&format=xlsx")
    assert workbook.headers["Content-Disposition"].endswith("Bao-cao-giai-quyet-van-ban-den-2026-11.xlsx")
    pdf = client.get(f"/reports/incoming?{NOV}&format=pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert workbook.headers["Cache-Control"] == "private, no-store"
    for key, figure, label in (("received", "received", "Tổng số văn bản đến"),
                               ("done_on_time", "on_time", "- Đúng hạn"),
                               ("open_overdue", "open_overdue", "- Quá hạn"),
                               ("returned", "returned", "Đã trả lại nơi gửi")):
        value = dashboard[figure]["value"]
        assert report["totals"][key] == value
        assert re.search(rf'<tr data-key="{key}">.*?data-value="{value}">{value}<', text, re.S)
        assert xlsx_value(workbook.data, label) == value
    assert report["totals"]["on_time_rate"] == pytest.approx(0.6)
    assert xlsx_value(workbook.data, "Tỷ lệ giải quyết đúng hạn") == "60 %"
    assert len(report["rows"]) == 12 and text.count('<a href="/incoming/') == 12
    # The summary's numbers open the dashboard's lists.
    assert re.search(r'<tr data-key="done_late">.*?href="/dashboard/list\?figure=incoming\.late&amp;', text, re.S)


def test_the_outgoing_report_page_and_api(ctx, client, login_as):
    from tests.reports_support import outgoing, vn

    org = user("chutich").organisation_id
    outgoing(org, user("cv.kt1"), status="issued", created=date(2026, 11, 2), issued_on=date(2026, 11, 4),
             issued_at=vn(date(2026, 11, 4), 8))
    outgoing(org, user("cv.kt2"), status="reviewing", created=date(2026, 11, 20))
    db.session.commit()
    login_as("chutich")
    report = api(client, f"/api/v1/reports/outgoing?{NOV}")
    assert (report["totals"]["issued"], report["totals"]["in_flow"]) == (1, 1)
    text = page(client, f"/reports/outgoing?{NOV}")
    assert re.search(r'<tr data-key="issued">.*?data-value="1">1<', text, re.S)
    assert "2 ngày" in text  # two days from draft to issuance
    assert client.get(f"/reports/outgoing?{NOV}&format=xlsx").status_code == 200


# --- the paperless progress ----------------------------------------------------------------------

def test_the_paperless_page_api_and_lists_agree(november, client, login_as):
    org = user("chutich").organisation_id
    duc = user("cv.kt1")
    incoming(org, date(2026, 11, 26), to=duc, medium="scan", sender_organ_id="000.00.01.H42")
    incoming(org, date(2026, 11, 27), to=duc, medium="scan")
    db.session.commit()
    login_as("chutich")
    data = api(client, f"/api/v1/reports/paperless?{NOV}")
    text = page(client, f"/dashboard/paperless?{NOV}")
    scans = data["incoming"]["scan"]
    assert (data["incoming"]["electronic"]["value"], scans["value"]) == (12, 2)
    assert data["incoming"]["share"] == pytest.approx(12 / 14, abs=1e-4)
    assert re.search(r'data-kind="incoming">.*?data-share-text>85,7 %<', text, re.S)
    assert shown(text, scans["link"]) == (2, "2")
    assert listed(client, scans["link"])[0] == 2 == api_list(client, scans["link"])["total"]
    persists = data["paper_persists"]["by_unit"]
    cell = next(r for r in persists if r["scans_from_exchange_senders"]["value"])["scans_from_exchange_senders"]
    assert cell["value"] == 1 and api_list(client, cell["link"])["total"] == 1
    assert shown(text, cell["link"])[0] == 1
    assert data["projection"]["label"] in html.unescape(text)
    # The dashboard carries the same shares.
    dashboard = page(client, f"/dashboard?{NOV}")
    assert shown(dashboard, scans["link"]) == (2, "2")


# --- numbers as a Vietnamese reader writes them -------------------------------------------------------

def test_numbers_are_written_the_vietnamese_way(app):
    env = app.jinja_env
    assert env.filters["vnnum"](1234567) == "1.234.567"
    assert env.filters["vnnum"](2.25) == "2,3"
    assert env.filters["vnnum"](None) == "—"
    assert env.filters["vnpercent"](692 / 705) == "98,2 %"  # 692 online of 705 dossiers
    assert env.filters["vnpercent"](1.0) == "100 %"
    assert env.filters["vnpercent"](None) == "—"


def test_the_openapi_document_describes_the_reports(client):
    spec = client.get("/api/v1/openapi.json").json
    for path in ("dashboard", "documents", "paperless", "incoming", "outgoing"):
        assert f"/api/v1/reports/{path}" in spec["paths"]
    params = {p["name"]: p for p in spec["paths"]["/api/v1/reports/documents"]["get"]["parameters"]}
    assert params["figure"]["required"] is True
    assert params["per_page"]["schema"]["maximum"] == 200
    assert (params["year"]["schema"]["minimum"], params["year"]["schema"]["maximum"]) == (2000, 2100)
    assert params["unit"]["schema"]["maximum"] == 2**63 - 1
