"""The records pages (hồ sơ, lưu trữ): every role opens the plans and the plan of the
year; the buttons are exactly the acts the domain allows; the clerk drafts a plan with
the forms and the chairman approves it; a staff member opens their dossier, files a
completed document from its page in two clicks (and several from a list at once), and
finds it in the dossier's Mục lục; nobody opens a colleague's dossier they may not read;
closing, reopening with a reason, handing over to the archive and lending are recorded;
refusals are said in Vietnamese."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest

from docmgmt.core.timeutil import vn_today
from tests.commune import ROLE_USERS
from tests.conftest import login, page_csrf, text_of

YEAR = vn_today().year
SUBJECT = "V/v rà soát hộ nghèo, hộ cận nghèo năm 2026"
OTHER_SUBJECT = "V/v kiểm tra hạ tầng giao thông nông thôn"
UNIT_SUBJECT = "V/v báo cáo tiến độ xây dựng nông thôn mới"


def ddmm(day) -> str:
    return day.strftime("%d/%m/%Y")


def as_person(client, username: str):
    response = login(client, username)
    assert response.status_code == 302, username
    return client


def flashes(response) -> list[str]:
    """The messages on top of a page (and under its fields)."""
    found = re.findall(r'class="(?:alert alert-\w+[^"]*|invalid-feedback)"[^>]*>\s*([^<]+?)\s*<', text_of(response))
    return [html_lib.unescape(f) for f in found]


def _incoming(handler: str, subject: str, *, complete: bool = True, confidential: bool = False,
              unit: str | None = None) -> int:
    """A registered incoming document given to ``handler`` (completed by them, unless not),
    or to a ``unit`` as a whole."""
    from docmgmt.incoming import operations as inc
    from tests.commune import user
    from tests.files_helpers import make_pdf

    if confidential:  # a paper-only entry: no subject, no file
        data = inc.IncomingInput(sender_name="Bộ Công an", number_symbol="12/BCA-MẬT", confidentiality="mat",
                                 paper_holder="Văn thư")
    else:
        data = inc.IncomingInput(sender_name="Sở Lao động tỉnh Phú Thọ", number_symbol="45/SLĐ-BTXH",
                                 subject=subject)
    doc = inc.register_incoming(user("vanthu"), data, [] if confidential else [inc.Upload(make_pdf(subject), "vb.pdf")])
    if not confidential:
        from tests.commune import unit as unit_of

        main = inc.Assignee(unit_id=unit_of(unit).id) if unit else inc.Assignee(user_id=user(handler).id)
        inc.direct(user("chutich"), doc, inc.Direction_(main=main))
        if complete and not unit:
            inc.complete(user(handler), doc, "Đã rà soát xong")
    return doc.id


@pytest.fixture
def world(app) -> dict:
    """This year's plan, approved: I. Văn phòng (01.VP, the clerk's), II. Kinh tế (02.KT of
    cv.kt1, open; 03.KT of cv.kt2, open; 04.KT of cv.kt1, still planned). A completed
    document of cv.kt1 and one in progress; a confidential entry."""
    from docmgmt.extensions import db
    from docmgmt.records import operations as rec
    from docmgmt.records.schemas import ApprovalInput, DossierInput, HeadingInput, PlanInput
    from tests.commune import unit, user

    # Its own short context: the test client's requests must not share an app context (and
    # its ``g``, where the CSRF token is kept) with the fixture.
    with app.test_request_context():
        clerk = user("vanthu")
        plan = rec.create_plan(clerk, PlanInput(year=YEAR, copy_previous=False))
        vp = rec.add_heading(clerk, plan, HeadingInput(title="Văn phòng HĐND và UBND", code="VP",
                                                       unit_id=unit("VP").id))
        kt = rec.add_heading(clerk, plan, HeadingInput(title="Phòng Kinh tế", code="KT", unit_id=unit("KT").id))

        def row(heading, title, who, years=10):
            return rec.add_planned_dossier(clerk, plan, DossierInput(
                heading_id=heading.id, title=title, retention_years=years, responsible_id=user(who).id))

        office = row(vp, "Hồ sơ về công tác văn thư, lưu trữ", "vanthu")
        mine = row(kt, "Hồ sơ rà soát hộ nghèo năm " + str(YEAR), "cv.kt1")
        colleague = row(kt, "Hồ sơ quản lý đất đai", "cv.kt2")
        planned = row(kt, "Hồ sơ kiểm tra hạ tầng giao thông", "cv.kt1", years=5)
        rec.approve_plan(user("chutich"), plan, ApprovalInput("01/QĐ-UBND", vn_today()))
        rec.open_dossier(user("cv.kt1"), mine)
        rec.open_dossier(user("cv.kt2"), colleague)
        ids = {
            "office": office.id, "mine": mine.id, "colleague": colleague.id, "planned": planned.id,
            "notation": mine.notation, "completed": _incoming("cv.kt1", SUBJECT),
            "in_progress": _incoming("cv.kt1", OTHER_SUBJECT, complete=False),
            "secret": _incoming("cv.kt1", "", confidential=True),
            "unit_doc": _incoming("cv.kt1", UNIT_SUBJECT, unit="KT"),
        }
        db.session.commit()
        db.session.remove()
    return ids


def file_from_page(client, doc_id: int, dossier_id: int):
    token = page_csrf(client, f"/incoming/{doc_id}")
    return client.post("/records/file", data={"csrf_token": token, "next": f"/incoming/{doc_id}",
                                              "incoming_ids": str(doc_id), "dossier_id": str(dossier_id)})


# --- every role --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_every_role_opens_the_records_pages(app, client, world, role):
    as_person(client, ROLE_USERS[role])
    for path in ("/records/", f"/records/plans/{YEAR}", "/records/transfers/", "/"):
        response = client.get(path)
        assert response.status_code == 200, (role, path)
    page = text_of(client.get(f"/records/plans/{YEAR}"))
    # The approved plan is the commune's: every row shows, with its số và ký hiệu.
    assert "Danh mục hồ sơ năm" in page and "01/QĐ-UBND" in page
    assert "01.VP" in page and "02.KT" in page and "Hồ sơ quản lý đất đai" in page
    # Their own planned row: the clerk (01.VP) and cv.kt1 (04.KT) may open it.
    assert page.count('data-testid="open-dossier"') == (1 if role in ("staff", "clerk") else 0)
    assert 'data-action="approve"' not in page and 'data-action="dossier"' not in page
    assert ('data-testid="action-revise"' in page) == (role == "clerk")
    # The menu's records group leads to the dossiers and the transfers.
    for link in ("/records/", "/records/transfers/"):
        assert re.search(rf'class="dropdown-item[^"]*" href="{link}"', page), link


def test_the_menu_and_the_home_panel(app, client, world):
    as_person(client, "cv.kt1")
    home = text_of(client.get("/"))
    assert 'data-panel="records"' in home
    assert f"{world['notation']} — Hồ sơ rà soát hộ nghèo" in home


# --- the plan: drafted by the clerk, approved by the chairman ----------------------------------------

def test_clerk_drafts_next_years_plan_and_the_chairman_approves_it(app, client, world):
    nxt = YEAR + 1
    as_person(client, "cv.kt1")
    assert 'data-testid="plan-form"' not in text_of(client.get("/records/"))

    as_person(client, "vanthu")
    token = page_csrf(client, "/records/")
    response = client.post("/records/plans", data={"csrf_token": token, "plan-year": str(nxt),
                                                    "plan-numbering": "plan", "plan-copy_previous": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/records/plans/{nxt}")
    page = text_of(client.get(f"/records/plans/{nxt}"))
    # Copied forward: the headings and the rows, numbered through the plan.
    assert "Dự thảo, chưa phê duyệt" in page and "01.VP" in page and "02.KT" in page and "04.KT" in page
    for form in ("dossier", "heading", "numbering"):
        assert f'data-action="{form}"' in page
    assert 'data-action="approve"' not in page  # the clerk drafts, the chairman approves
    # A second plan of the same year is refused, in Vietnamese.
    response = client.post("/records/plans", data={"csrf_token": token, "plan-year": str(nxt),
                                                    "plan-numbering": "plan"})
    assert response.status_code == 409
    assert any(str(nxt) in f for f in flashes(response))

    # A heading and a dossier through the forms.
    token = page_csrf(client, f"/records/plans/{nxt}")
    response = client.post(f"/records/plans/{nxt}/headings", data={
        "csrf_token": token, "heading-title": "Văn hóa - Xã hội", "heading-code": "VHXH"})
    assert response.status_code == 302
    page = text_of(client.get(f"/records/plans/{nxt}"))
    assert "III." in page and "Văn hóa - Xã hội" in page
    heading_id = int(re.findall(r'data-heading="(\d+)"', page)[-1])
    staff_id = _user_id(app, "cv.vhxh")
    response = client.post(f"/records/plans/{nxt}/dossiers", data={
        "csrf_token": token, "dossier-heading_id": str(heading_id), "dossier-title": "Hồ sơ lễ hội truyền thống",
        "dossier-permanent": "y", "dossier-responsible_id": str(staff_id)})
    assert response.status_code == 302
    page = text_of(client.get(f"/records/plans/{nxt}"))
    assert "05.VHXH" in page and "Hồ sơ lễ hội truyền thống" in page and "Vĩnh viễn" in page
    # A title is required: said next to the field.
    response = client.post(f"/records/plans/{nxt}/dossiers", data={
        "csrf_token": token, "dossier-heading_id": str(heading_id), "dossier-title": "",
        "dossier-retention_years": "5", "dossier-responsible_id": str(staff_id)})
    assert response.status_code == 422 and "Hãy nhập tiêu đề hồ sơ." in flashes(response)
    # Numbering from 01 in each large heading: the rows are renumbered.
    response = client.post(f"/records/plans/{nxt}/numbering", data={"csrf_token": token,
                                                                     "numbering-numbering": "heading"})
    assert response.status_code == 302
    page = text_of(client.get(f"/records/plans/{nxt}"))
    assert "01.VHXH" in page and "01.KT" in page and "03.KT" in page and "05.VHXH" not in page

    # The draft is for the office and the chairman: a staff member is told nothing of it.
    as_person(client, "cv.kt1")
    assert client.get(f"/records/plans/{nxt}").status_code == 404

    as_person(client, "chutich")
    page = text_of(client.get(f"/records/plans/{nxt}"))
    assert 'data-action="approve"' in page and 'data-action="dossier"' not in page
    token = page_csrf(client, f"/records/plans/{nxt}")
    response = client.post(f"/records/plans/{nxt}/approve", data={
        "csrf_token": token, "approve-decision_number": "", "approve-decision_date": ddmm(vn_today())})
    assert response.status_code == 422 and "Hãy nhập số quyết định phê duyệt." in flashes(response)
    response = client.post(f"/records/plans/{nxt}/approve", data={
        "csrf_token": token, "approve-decision_number": "15/QĐ-UBND", "approve-decision_date": ddmm(vn_today())})
    assert response.status_code == 302
    page = text_of(client.get(f"/records/plans/{nxt}"))
    assert "Đã phê duyệt" in page and f"Kèm theo Quyết định số 15/QĐ-UBND ngày {ddmm(vn_today())}" in page
    assert 'data-action="approve"' not in page

    as_person(client, "cv.kt1")
    assert client.get(f"/records/plans/{nxt}").status_code == 200


def _user_id(app, username: str) -> int:
    from tests.commune import user_id

    return user_id(username, app=app)


def test_headings_and_rows_are_edited_on_their_own_pages(app, client, world):
    nxt = YEAR + 1
    as_person(client, "vanthu")
    token = page_csrf(client, "/records/")
    client.post("/records/plans", data={"csrf_token": token, "plan-year": str(nxt), "plan-numbering": "plan",
                                        "plan-copy_previous": "y"})
    page = text_of(client.get(f"/records/plans/{nxt}"))
    heading_id = int(re.findall(r'data-heading="(\d+)"', page)[0])
    dossier_id = int(re.findall(r'data-dossier="(\d+)"', page)[0])
    form = client.get(f"/records/headings/{heading_id}/edit")
    assert form.status_code == 200 and "Văn phòng HĐND và UBND" in text_of(form)
    token = page_csrf(client, f"/records/headings/{heading_id}/edit")
    response = client.post(f"/records/headings/{heading_id}/edit", data={
        "csrf_token": token, "heading-title": "Văn phòng", "heading-code": "VP"})
    assert response.status_code == 302
    form = client.get(f"/records/dossiers/{dossier_id}/edit")
    assert form.status_code == 200
    token = page_csrf(client, f"/records/dossiers/{dossier_id}/edit")
    response = client.post(f"/records/dossiers/{dossier_id}/edit", data={
        "csrf_token": token, "dossier-heading_id": str(heading_id), "dossier-title": "Hồ sơ văn thư (sửa)",
        "dossier-retention_years": "20", "dossier-responsible_id": str(_user_id(app, "vanthu"))})
    assert response.status_code == 302
    page = text_of(client.get(f"/records/plans/{nxt}"))
    assert "Văn phòng</td>" in page.replace(" <span", "</td>", 1) or "Văn phòng" in page
    assert "Hồ sơ văn thư (sửa)" in page and "20 năm" in page
    # Last year's approved plan is not edited that way: the state answers.
    this_year = text_of(client.get(f"/records/plans/{YEAR}"))
    approved_heading = int(re.findall(r'data-heading="(\d+)"', this_year)[0])
    assert client.get(f"/records/headings/{approved_heading}/edit").status_code == 409
    # Nor by anyone else.
    as_person(client, "cv.kt1")
    assert client.get(f"/records/headings/{approved_heading}/edit").status_code == 403


# --- dossiers -----------------------------------------------------------------------------------------

def test_staff_opens_their_planned_dossier_from_the_plan(app, client, world):
    as_person(client, "cv.kt1")
    page = text_of(client.get(f"/records/plans/{YEAR}"))
    assert page.count('data-testid="open-dossier"') == 1
    token = page_csrf(client, f"/records/plans/{YEAR}")
    response = client.post(f"/records/dossiers/{world['planned']}/open",
                           data={"csrf_token": token, "next": f"/records/dossiers/{world['planned']}"})
    assert response.status_code == 302
    page = text_of(client.get(f"/records/dossiers/{world['planned']}"))
    assert "Đang lập" in page and "Đã mở hồ sơ" in page
    # Another's planned row: not theirs to open.
    as_person(client, "cv.kt2")
    token = page_csrf(client, "/records/")
    response = client.post(f"/records/dossiers/{world['planned']}/open", data={"csrf_token": token})
    assert response.status_code == 404


def test_a_staff_member_cannot_open_a_colleagues_dossier(app, client, world):
    as_person(client, "cv.kt1")
    assert client.get(f"/records/dossiers/{world['colleague']}").status_code == 404
    assert client.get(f"/records/dossiers/{world['colleague']}/muc-luc.pdf").status_code == 404
    assert client.get(f"/records/dossiers/{world['colleague']}/package.zip").status_code == 404
    assert client.get(f"/records/dossiers/{world['office']}").status_code == 404
    # Nor file into it: the dossier is unknown to them.
    response = file_from_page(client, world["completed"], world["colleague"])
    assert response.status_code == 404
    page = text_of(client.get("/records/"))
    assert "Hồ sơ quản lý đất đai" not in page.split('data-testid="my-dossiers"')[1].split("</table>")[0]
    # Their unit's head reads both; the chairman and the clerk read every dossier.
    for who in ("truongkt", "chutich", "vanthu"):
        as_person(client, who)
        assert client.get(f"/records/dossiers/{world['colleague']}").status_code == 200, who


def test_filing_a_completed_document_from_its_page(app, client, world):
    doc = world["completed"]
    as_person(client, "cv.kt1")
    page = text_of(client.get(f"/incoming/{doc}"))
    assert 'data-testid="file-into"' in page and 'data-testid="held-in"' not in page
    # The suggestion is their open dossier; the colleague's is not offered.
    suggested = page.split('data-testid="suggested-dossiers"')[1].split("</div>")[0]
    assert f'value="{world["mine"]}"' in suggested and f'value="{world["colleague"]}"' not in suggested
    response = file_from_page(client, doc, world["mine"])
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/incoming/{doc}")
    page = client.get(f"/incoming/{doc}")
    assert f"Đã đưa vào hồ sơ {world['notation']}." in flashes(page)
    held = text_of(page).split('data-testid="held-in"')[1].split("</ul>")[0]
    assert world["notation"] in held
    assert 'data-testid="file-into"' not in text_of(page)  # nowhere else to put it
    # The dossier's Mục lục: ordinal 1, the number, the subject, the sender.
    page = text_of(client.get(f"/records/dossiers/{world['mine']}"))
    table = page.split('data-testid="muc-luc"')[1].split("</table>")[0]
    assert "45/SLĐ-BTXH" in table and SUBJECT in table and "Sở Lao động tỉnh Phú Thọ" in table
    assert '<td class="text-center" data-testid="ordinal">1</td>' in table
    assert "Đưa văn bản vào hồ sơ" in page  # the history
    # The same document again: refused, in Vietnamese.
    response = file_from_page(client, doc, world["mine"])
    assert response.status_code == 302
    assert any("đã có trong hồ sơ" in f for f in flashes(client.get(f"/incoming/{doc}")))
    # The clerk, who reads the document, sees where it is filed.
    as_person(client, "vanthu")
    assert world["notation"] in text_of(client.get(f"/incoming/{doc}")).split('data-testid="held-in"')[1]


def test_a_reader_sees_only_what_they_may_open_numbered_without_gaps(app, client, world):
    """The unit's head reads the dossier but not the document given to cv.kt1 by name: it is
    neither shown nor counted, and the rows they see are numbered 1, 2, … without a gap."""
    as_person(client, "cv.kt1")
    token = page_csrf(client, "/incoming/mine")
    client.post("/records/file", data={"csrf_token": token, "next": "/incoming/mine",
                                       "dossier_id": str(world["mine"]), "incoming_ids": str(world["completed"])})
    client.post("/records/file", data={"csrf_token": token, "next": "/incoming/mine",
                                       "dossier_id": str(world["mine"]), "incoming_ids": str(world["unit_doc"])})
    page = text_of(client.get(f"/records/dossiers/{world['mine']}"))
    assert re.findall(r'data-testid="ordinal">(\d+)<', page) == ["1", "2"] and "2 văn bản" in page

    as_person(client, "truongkt")
    page = text_of(client.get(f"/records/dossiers/{world['mine']}"))
    assert UNIT_SUBJECT in page and SUBJECT not in page
    assert re.findall(r'data-testid="ordinal">(\d+)<', page) == ["1"] and "1 văn bản" in page
    assert 'data-testid="remove-item"' not in page  # theirs to read, not to change
    # Nor is the document's page theirs: the dossier does not open it.
    assert client.get(f"/incoming/{world['completed']}").status_code == 404
    # The history does not give it away either: one filing shown, not two (page and API).
    assert page.count("Đưa văn bản vào hồ sơ") == 1
    events = client.get(f"/api/v1/records/dossiers/{world['mine']}/history").json
    filed = [e for e in (events.get("items", events) if isinstance(events, dict) else events)
             if e.get("kind") == "filed"]
    assert len(filed) == 1 and filed[0]["data"]["incoming_id"] == world["unit_doc"]


def test_a_confidential_entry_is_never_offered_for_filing(app, client, world):
    as_person(client, "vanthu")
    token = page_csrf(client, "/records/")
    client.post(f"/records/dossiers/{world['office']}/open", data={"csrf_token": token})
    page = text_of(client.get(f"/incoming/{world['secret']}"))
    assert 'data-testid="file-into"' not in page
    response = client.post("/records/file", data={"csrf_token": token, "next": "/incoming/",
                                                  "incoming_ids": str(world["secret"]),
                                                  "dossier_id": str(world["office"])})
    assert response.status_code == 302
    assert "Văn bản mật chỉ được quản lý bằng bản giấy, không đưa vào hồ sơ điện tử." in flashes(
        client.get("/incoming/"))


def test_filing_several_documents_from_my_list(app, client, world):
    as_person(client, "cv.kt1")
    page = text_of(client.get("/incoming/mine"))
    assert 'data-testid="bulk-file"' in page and 'name="incoming_ids"' in page
    token = page_csrf(client, "/incoming/mine")
    response = client.post("/records/file", data={
        "csrf_token": token, "next": "/incoming/mine", "dossier_id": str(world["mine"]),
        "incoming_ids": [str(world["completed"]), str(world["in_progress"])]})
    assert response.status_code == 302 and response.headers["Location"].endswith("/incoming/mine")
    assert f"Đã đưa 2 văn bản vào hồ sơ {world['notation']}." in flashes(client.get("/incoming/mine"))
    page = text_of(client.get(f"/records/dossiers/{world['mine']}"))
    assert SUBJECT in page and OTHER_SUBJECT in page and "2 văn bản" in page
    # Nothing ticked: said so.
    response = client.post("/records/file", data={"csrf_token": token, "next": "/incoming/mine",
                                                  "dossier_id": str(world["mine"])})
    assert response.status_code == 302
    assert "Hãy chọn văn bản cần đưa vào hồ sơ." in flashes(client.get("/incoming/mine"))
    # Someone with no open dossier gets no check boxes.
    as_person(client, "cv.vhxh")
    assert 'data-testid="bulk-file"' not in text_of(client.get("/incoming/mine"))


def test_an_issued_outgoing_document_is_filed_from_the_outgoing_list(app, client, world):
    from docmgmt.extensions import db
    from docmgmt.outgoing.schemas import RecipientInput
    from tests.commune import issued

    with app.test_request_context():
        out_id = issued([RecipientInput(organ_name="Sở Nội vụ tỉnh Phú Thọ", organ_id="000.00.00.H45")],
                        subject="Báo cáo kết quả rà soát hộ nghèo").id
        db.session.remove()
    as_person(client, "cv.kt1")
    page = text_of(client.get("/outgoing/"))
    assert f'name="outgoing_ids" value="{out_id}"' in page
    token = page_csrf(client, "/outgoing/")
    response = client.post("/records/file", data={"csrf_token": token, "next": "/outgoing/",
                                                  "dossier_id": str(world["mine"]), "outgoing_ids": str(out_id)})
    assert response.status_code == 302
    page = text_of(client.get(f"/outgoing/{out_id}"))
    assert world["notation"] in page.split('data-testid="held-in"')[1]
    table = text_of(client.get(f"/records/dossiers/{world['mine']}")).split('data-testid="muc-luc"')[1]
    assert "Báo cáo kết quả rà soát hộ nghèo" in table


def test_another_file_is_uploaded_into_the_dossier(app, client, world):
    from tests.files_helpers import make_pdf

    as_person(client, "cv.kt1")
    url = f"/records/dossiers/{world['mine']}"
    page = text_of(client.get(url))
    assert 'data-action="add_file"' in page
    token = page_csrf(client, url)
    response = client.post(f"{url}/files", data={
        "csrf_token": token, "add_file-title": "Biên bản họp thôn về rà soát hộ nghèo",
        "add_file-author": "Thôn Đồng Bưng", "add_file-doc_date": ddmm(vn_today()),
        "add_file-file": (__import__("io").BytesIO(make_pdf("Biên bản")), "bien-ban.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302, flashes(response)
    page = text_of(client.get(url))
    assert "Biên bản họp thôn về rà soát hộ nghèo" in page and "Thôn Đồng Bưng" in page
    link = re.search(r'href="(/records/items/\d+/file)"', page).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    # No file chosen: said next to the field.
    response = client.post(f"{url}/files", data={"csrf_token": token, "add_file-title": "Ảnh",
                                                 "add_file-doc_date": ddmm(vn_today())},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "Hãy chọn tệp." in flashes(response)
    # A colleague cannot download it.
    as_person(client, "cv.kt2")
    assert client.get(link).status_code == 404


def test_a_documents_file_cannot_be_filed_as_another_file(app, world):
    """"Another file" is shown to every reader of the dossier: a file of an incoming
    document (which its handler may read) or someone else's upload is refused there."""
    from docmgmt.core.errors import DomainError
    from docmgmt.extensions import db
    from docmgmt.files.operations import upload
    from docmgmt.incoming.models import IncomingDocument
    from docmgmt.records import operations as rec
    from docmgmt.records.models import Dossier
    from docmgmt.records.schemas import FileItemInput
    from tests.commune import user
    from tests.files_helpers import make_pdf

    with app.test_request_context():
        dossier = db.session.get(Dossier, world["mine"])
        letter = db.session.get(IncomingDocument, world["completed"])
        refusals = {letter.files[0].stored_file_id: "invalid_file",  # the handler may read it, not file it
                    upload(user("cv.kt2"), make_pdf("Ảnh"), "anh.pdf").id: "not_found"}
        for file_id, code in refusals.items():
            with pytest.raises(DomainError) as refused:
                rec.add_file(user("cv.kt1"), dossier, FileItemInput(
                    file_id=file_id, title="Tài liệu", doc_date=vn_today()))
            assert refused.value.code == code
        own = upload(user("cv.kt1"), make_pdf("Biên bản"), "bien-ban.pdf")
        item = rec.add_file(user("cv.kt1"), dossier, FileItemInput(file_id=own.id, title="Biên bản",
                                                                  doc_date=vn_today()))
        assert item.file_id == own.id
        db.session.rollback()


def test_close_reopen_with_a_reason_transfer_and_lending(app, client, world):
    dossier = f"/records/dossiers/{world['mine']}"
    as_person(client, "cv.kt1")
    token = page_csrf(client, dossier)
    # An empty dossier is not closed.
    response = client.post(f"{dossier}/close", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Hồ sơ chưa có văn bản nào, không kết thúc được." in flashes(client.get(dossier))
    file_from_page(client, world["completed"], world["mine"])
    page = text_of(client.get(dossier))
    assert 'data-testid="action-close"' in page and 'data-testid="remove-item"' in page
    assert 'data-action="reopen"' not in page
    client.post(f"{dossier}/close", data={"csrf_token": token})
    page = text_of(client.get(dossier))
    assert "Đã kết thúc" in page and 'data-testid="remove-item"' not in page
    assert 'data-testid="action-close"' not in page and 'data-action="add_file"' not in page

    # The chairman reopens it, saying why; the reason is in the history.
    as_person(client, "chutich")
    page = text_of(client.get(dossier))
    assert 'data-action="reopen"' in page
    token = page_csrf(client, dossier)
    response = client.post(f"{dossier}/reopen", data={"csrf_token": token, "reopen-reason": ""})
    assert response.status_code == 422 and "Hãy ghi lý do mở lại hồ sơ." in flashes(response)
    response = client.post(f"{dossier}/reopen", data={"csrf_token": token,
                                                      "reopen-reason": "Bổ sung biên bản họp thôn"})
    assert response.status_code == 302
    page = text_of(client.get(dossier))
    assert "Đang lập" in page and "Bổ sung biên bản họp thôn" in page and "Mở lại hồ sơ" in page

    as_person(client, "cv.kt1")
    client.post(f"{dossier}/close", data={"csrf_token": page_csrf(client, dossier)})

    # The clerk announces the transfer; cv.kt1 is told on the home page and hands over.
    as_person(client, "vanthu")
    page = text_of(client.get("/records/transfers/"))
    assert 'data-testid="announce-form"' in page
    token = page_csrf(client, "/records/transfers/")
    due = vn_today() + timedelta(days=20)
    response = client.post("/records/transfers/", data={"csrf_token": token, "transfer-year": str(YEAR),
                                                        "transfer-due_date": ddmm(due)})
    assert response.status_code == 302, flashes(response)
    response = client.post("/records/transfers/", data={"csrf_token": token, "transfer-year": str(YEAR),
                                                        "transfer-due_date": ddmm(due)})
    assert response.status_code == 409
    assert f"Không có hồ sơ năm {YEAR} đã kết thúc cần nộp lưu." in flashes(response)

    as_person(client, "cv.kt1")
    home = text_of(client.get("/"))
    assert f"Nộp lưu hồ sơ năm {YEAR}" in home and f"Hạn nộp {ddmm(due)}" in home
    transfer = re.search(r'href="(/records/transfers/\d+)"', home).group(1)
    page = text_of(client.get(transfer))
    assert 'data-testid="action-submit"' in page and 'data-action="receive"' not in page
    assert world["notation"] in page
    response = client.post(f"{transfer}/submit", data={"csrf_token": page_csrf(client, transfer)})
    assert response.status_code == 302
    # A colleague has no business with it.
    as_person(client, "cv.kt2")
    assert client.get(transfer).status_code == 404

    as_person(client, "vanthu")
    page = text_of(client.get(transfer))
    assert 'data-action="receive"' in page and 'data-testid="action-submit"' not in page
    response = client.post(f"{transfer}/receive", data={"csrf_token": page_csrf(client, transfer),
                                                        "receive-condition": "Đầy đủ, còn tốt"})
    assert response.status_code == 302
    page = text_of(client.get(transfer))
    assert "Đã tiếp nhận" in page and "Đầy đủ, còn tốt" in page

    # Archived: the archive lends it out and takes it back; both are in the history.
    page = text_of(client.get(dossier))
    assert "Đã nộp lưu" in page and 'data-action="lend"' in page
    response = client.post(f"{dossier}/lend", data={
        "csrf_token": page_csrf(client, dossier), "lend-borrower_id": str(_user_id(app, "cv.kt2")),
        "lend-purpose": "Tra cứu số liệu", "lend-due_date": ddmm(vn_today() + timedelta(days=7))})
    assert response.status_code == 302
    page = text_of(client.get(dossier))
    assert 'data-testid="lent"' in page and 'data-testid="action-take-back"' in page
    as_person(client, "cv.kt2")  # the borrower reads it while it is lent
    assert client.get(dossier).status_code == 200
    as_person(client, "vanthu")
    client.post(f"{dossier}/take-back", data={"csrf_token": page_csrf(client, dossier)})
    page = text_of(client.get(dossier))
    history = page.split('data-testid="history"')[1]
    for label in ("Mở hồ sơ", "Đưa văn bản vào hồ sơ", "Kết thúc hồ sơ", "Mở lại hồ sơ", "Thông báo nộp lưu",
                  "Nộp lưu", "Lưu trữ cơ quan tiếp nhận", "Cho mượn", "Nhận lại hồ sơ cho mượn"):
        assert label in history, label
    as_person(client, "cv.kt2")
    assert client.get(dossier).status_code == 404


def test_opening_a_dossier_outside_the_plan(app, client, world):
    as_person(client, "cv.kt1")
    page = text_of(client.get(f"/records/plans/{YEAR}"))
    assert 'data-action="unplanned"' in page
    heading_id = re.search(r'<option value="(\d+)">II\. Phòng Kinh tế', page).group(1)
    token = page_csrf(client, f"/records/plans/{YEAR}")
    response = client.post(f"/records/plans/{YEAR}/unplanned", data={
        "csrf_token": token, "unplanned-heading_id": heading_id, "unplanned-title": "Hồ sơ phòng chống bão số 3",
        "unplanned-retention_years": "10"})
    assert response.status_code == 302
    assert "Đã mở hồ sơ 05.KT ngoài Danh mục." in flashes(client.get(f"/records/plans/{YEAR}"))
    page = text_of(client.get("/records/"))
    mine = page.split('data-testid="my-dossiers"')[1].split("</table>")[0]
    assert "Hồ sơ phòng chống bão số 3" in mine and "Ngoài danh mục" in mine
