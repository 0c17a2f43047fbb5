"""The outgoing-document pages through the Flask test client: a draft goes from the
drafter through the head of unit and the leader to the clerk, with a return and a
resubmission; what each role sees and is refused; the sổ đi page; signature checks."""

from __future__ import annotations

import io
import re

import pytest

from tests.commune import unit_id, user, user_id
from tests.conftest import csrf_from, text_of
from tests.files_helpers import make_pdf

SUBJECT = "Về việc báo cáo kết quả chuyển đổi số quý IV năm 2026"


@pytest.fixture
def phone_refuses(monkeypatch):
    """The leader's remote signer says no (SmartCA/MySign: refused on the phone)."""
    from docmgmt.signing import signer
    from docmgmt.signing.errors import SigningError

    def refuse(*args, **kwargs):
        raise SigningError("remote_refused")

    monkeypatch.setattr(signer, "sign_as_leader", refuse)


def create_draft(app, client, *, pdf: bool = True, **fields) -> tuple[int, object]:
    page = client.get("/outgoing/new")
    assert page.status_code == 200, text_of(page)[:500]
    data = {
        "csrf_token": csrf_from(text_of(page)), "doc_type": "cong_van", "subject": SUBJECT,
        "urgency": "thuong", "signer_id": str(user_id("chutich", app=app)),
        "recipients": [f"unit:{unit_id('VHXH', app=app)}"],
        "outside": "Sở Nội vụ tỉnh Phú Thọ | 000.00.31.H42",
        "source": "upload" if pdf else "template",
        "body": "Ủy ban nhân dân xã báo cáo như sau.\nĐề nghị Sở tổng hợp.",
        **fields,
    }
    if pdf:
        data["file"] = (io.BytesIO(make_pdf("Báo cáo chuyển đổi số")), "du-thao.pdf")
    response = client.post("/outgoing/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, text_of(response)[-3000:]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1]), response


def act(client, doc_id: int, action: str, prefix: str | None = None, **fields):
    page = client.get(f"/outgoing/{doc_id}")
    assert page.status_code == 200
    prefix = prefix or action
    data = {f"{prefix}-csrf_token": csrf_from(text_of(page))}
    data.update({f"{prefix}-{k}": v for k, v in fields.items()})
    path = {"new_version": "version"}.get(action, action)
    return client.post(f"/outgoing/{doc_id}/{path}", data=data, content_type="multipart/form-data")


def actions_on(html: str) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', html))


def status_of(html: str) -> str:
    return re.search(r'data-testid="status">([^<]+)<', html).group(1)


# --- the review chain through the pages -----------------------------------------------------

def test_a_draft_goes_through_review_with_a_return_and_a_resubmission(app, login_as):
    drafter = login_as("cv.kt1")
    doc_id, _response = create_draft(app, drafter)
    html = text_of(drafter.get(f"/outgoing/{doc_id}"))
    assert "Đã tạo dự thảo." in html and SUBJECT in html
    assert status_of(html) == "Dự thảo"
    assert actions_on(html) == {"submit", "new_version"}
    assert 'data-testid="pdf-preview"' in html and "inline=1" in html
    assert "Sở Nội vụ tỉnh Phú Thọ" in html and "000.00.31.H42" in html and "Văn hóa" in html
    assert f'<option selected value="{user_id("chutich", app=app)}">' in html  # signer pre-chosen

    assert act(drafter, doc_id, "submit", comment="Kính trình").status_code == 302
    html = text_of(drafter.get(f"/outgoing/{doc_id}"))
    assert status_of(html) == "Đang trình duyệt" and actions_on(html) == set()

    # The head of unit finds it waiting and returns it with a comment.
    head = login_as("truongkt")
    assert SUBJECT in text_of(head.get("/outgoing/review"))
    home = text_of(head.get("/"))
    assert 'data-panel="outgoing_review"' in home and SUBJECT[:40] in home
    html = text_of(head.get(f"/outgoing/{doc_id}"))
    assert actions_on(html) == {"approve", "return"}
    refused = act(head, doc_id, "return", comment="")
    assert refused.status_code == 422
    assert "Hãy ghi ý kiến để người soạn thảo sửa." in text_of(refused)
    assert act(head, doc_id, "return", comment="Bổ sung số liệu tháng 12").status_code == 302

    # The drafter sees it came back, uploads version 2 and resubmits.
    drafter = login_as("cv.kt1")
    home = text_of(drafter.get("/"))
    assert 'data-panel="outgoing_returned"' in home and "Bổ sung số liệu tháng 12" in home
    html = text_of(drafter.get(f"/outgoing/{doc_id}"))
    assert status_of(html) == "Trả lại để sửa" and "Bổ sung số liệu tháng 12" in html
    response = act(drafter, doc_id, "new_version", note="Đã bổ sung số liệu",
                   file=(io.BytesIO(make_pdf("Bản sửa")), "du-thao-2.pdf"))
    assert response.status_code == 302, text_of(response)[-2000:]
    html = text_of(drafter.get(f"/outgoing/{doc_id}"))
    assert 'data-version="2"' in html and 'data-version="1"' in html  # the first stays readable
    assert "du-thao-2.pdf" in html and "du-thao.pdf" in html
    assert act(drafter, doc_id, "submit", signer_id=str(user_id("chutich", app=app))).status_code == 302

    head = login_as("truongkt")
    assert act(head, doc_id, "approve", comment="Đồng ý trình").status_code == 302
    leader = login_as("chutich")
    assert SUBJECT in text_of(leader.get("/outgoing/review"))
    assert act(leader, doc_id, "approve", comment="Đồng ý ban hành").status_code == 302
    html = text_of(leader.get(f"/outgoing/{doc_id}"))
    assert status_of(html) == "Đã duyệt, chờ ký"
    assert "sign" in actions_on(html)
    assert SUBJECT in text_of(leader.get("/outgoing/to-sign"))
    steps = html.split('data-testid="steps"')[1].split("</table>")[0]
    assert steps.count('data-step="head_of_unit"') == 2 and steps.count('data-step="leader"') == 1
    assert "Bổ sung số liệu tháng 12" in steps and "Đồng ý ban hành" in steps
    timeline = html.split('data-testid="timeline"')[1]
    labels = re.findall(r'<span class="fw-semibold">([^<]+)</span>', timeline)
    assert labels == ["Tạo dự thảo", "Trình duyệt", "Trả lại", "Phiên bản mới", "Trình duyệt",
                      "Duyệt", "Duyệt"]


def test_clerk_cannot_issue_an_unapproved_draft(app, login_as):
    drafter = login_as("cv.kt1")
    doc_id, _r = create_draft(app, drafter)
    assert act(drafter, doc_id, "submit").status_code == 302
    clerk = login_as("vanthu")
    html = text_of(clerk.get(f"/outgoing/{doc_id}"))
    assert 'data-action="issue"' not in html and "Phát hành" not in html
    assert SUBJECT not in text_of(clerk.get("/outgoing/to-issue"))
    forged = act(clerk, doc_id, "issue", issued_on="")
    assert forged.status_code == 409
    assert "không thể thực hiện thao tác này" in text_of(forged)
    assert status_of(text_of(clerk.get(f"/outgoing/{doc_id}"))) == "Đang trình duyệt"


def test_people_outside_the_draft_see_nothing_and_staff_get_no_clerk_pages(app, login_as):
    doc_id, _r = create_draft(app, login_as("cv.kt1"))
    other = login_as("cv.vhxh")
    assert other.get(f"/outgoing/{doc_id}").status_code == 404
    token = csrf_from(text_of(other.get("/outgoing/drafts")))
    assert other.post(f"/outgoing/{doc_id}/submit", data={"submit-csrf_token": token}).status_code == 404
    assert other.get("/outgoing/to-issue").status_code == 403
    assert other.get("/outgoing/to-sign").status_code == 403
    assert other.get("/outgoing/register").status_code == 403
    nav = text_of(other.get("/"))
    assert "Soạn văn bản" in nav and "Chờ phát hành" not in nav and "Sổ đi" not in nav
    clerk_nav = text_of(login_as("vanthu").get("/"))
    assert "Chờ phát hành" in clerk_nav and "Sổ đi" in clerk_nav and "Kiểm tra chữ ký số" in clerk_nav


def test_form_lists_templated_types_first_and_asks_for_a_file_when_uploading(app, login_as):
    client = login_as("cv.kt1")
    html = text_of(client.get("/outgoing/new"))
    types = re.findall(r'<option (?:selected )?value="([a-z_]+)">', html.split('name="doc_type"')[1]
                       .split("</select>")[0])
    assert types[:8] == ["cong_van", "quyet_dinh", "to_trinh", "thong_bao", "ke_hoach", "bao_cao",
                         "giay_moi", "bien_ban"]
    assert len(types) == 29
    assert "Tạo từ mẫu" in html and 'accept=".pdf,.docx' in html
    leaders = html.split('name="signer_id"')[1].split("</select>")[0]
    assert "Đinh Thị Thu" not in leaders  # the clerk does not sign
    page = client.get("/outgoing/new")
    response = client.post("/outgoing/new", data={
        "csrf_token": csrf_from(text_of(page)), "doc_type": "cong_van", "subject": SUBJECT,
        "urgency": "thuong", "source": "upload"}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Hãy chọn tệp DOCX hoặc PDF của dự thảo." in text_of(response)


def test_without_libreoffice_the_form_says_so_and_submit_asks_for_a_pdf(app, login_as, monkeypatch,
                                                                         tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice anywhere
    from docmgmt.outgoing import render

    assert render.libreoffice_available() is False
    client = login_as("cv.kt1")
    html = text_of(client.get("/outgoing/new"))
    assert 'data-testid="no-libreoffice"' in html
    assert "Máy chủ chưa cài LibreOffice" in html and "Hãy tải lên bản PDF" in html
    doc_id, _r = create_draft(app, client, pdf=False)  # from the template: a DOCX only
    html = text_of(client.get(f"/outgoing/{doc_id}"))
    assert 'data-testid="pdf-missing"' in html and "chưa có bản PDF" in html
    refused = act(client, doc_id, "submit")
    assert refused.status_code == 422
    assert "Chưa có bản PDF của dự thảo" in text_of(refused)
    # A PDF uploaded as version 2 lets it go.
    assert act(client, doc_id, "new_version",
               file=(io.BytesIO(make_pdf()), "ban-pdf.pdf")).status_code == 302
    assert act(client, doc_id, "submit").status_code == 302


# --- signing, issuance, the register, verification ---------------------------------------

def issue_through_the_pages(app, login_as) -> tuple[int, str]:
    doc_id, _r = create_draft(app, login_as("cv.kt1"))
    assert act(login_as("cv.kt1"), doc_id, "submit").status_code == 302
    assert act(login_as("truongkt"), doc_id, "approve").status_code == 302
    leader = login_as("chutich")
    assert act(leader, doc_id, "approve").status_code == 302
    response = act(leader, doc_id, "sign")
    assert response.status_code == 302, text_of(response)[-2000:]
    clerk = login_as("vanthu")
    assert SUBJECT in text_of(clerk.get("/outgoing/to-issue"))
    assert 'data-panel="outgoing_issue"' in text_of(clerk.get("/"))
    response = act(clerk, doc_id, "issue")
    assert response.status_code == 302, text_of(response)[-2000:]
    return doc_id, text_of(clerk.get(response.headers["Location"]))


def test_leader_signs_and_clerk_issues_with_the_number_and_verified_signatures(app, login_as):
    doc_id, html = issue_through_the_pages(app, login_as)
    assert "Đã cấp số 01/UBND-KT và phát hành." in html
    assert status_of(html) == "Đã phát hành"
    assert '<span data-testid="number-symbol">01/UBND-KT</span>' in html
    signatures = html.split('data-testid="signatures"')[1]
    assert signatures.count('data-valid="true"') == 2 and 'data-valid="false"' not in signatures
    # the certificates in the reader's words, not X.500 attribute names
    assert "Tên: Bùi Văn Khánh" in signatures and "Common Name" not in signatures
    assert "Organization" not in signatures and "Country" not in signatures
    assert "Chờ gửi qua trục liên thông" in html and "Đã chuyển vào văn bản đến" in html
    assert "recall" not in actions_on(html)
    assert "Cấp số, phát hành" in html.split('data-testid="timeline"')[1]
    leader = login_as("chutich")
    assert "recall" in actions_on(text_of(leader.get(f"/outgoing/{doc_id}")))
    assert act(leader, doc_id, "recall", reason="Sai số liệu ở mục 2").status_code == 302
    html = text_of(leader.get(f"/outgoing/{doc_id}"))
    assert status_of(html) == "Đã thu hồi" and "Sai số liệu ở mục 2" in html


def test_a_signing_failure_is_shown_in_vietnamese(app, login_as, phone_refuses):
    """The signing fails: the leader reads why, and the document stays approved."""
    doc_id, _r = create_draft(app, login_as("cv.kt1"))
    assert act(login_as("cv.kt1"), doc_id, "submit").status_code == 302
    assert act(login_as("truongkt"), doc_id, "approve").status_code == 302
    leader = login_as("chutich")
    assert act(leader, doc_id, "approve").status_code == 302
    response = act(leader, doc_id, "sign")
    assert response.status_code == 502
    assert "Ký số không thành công: Người ký đã từ chối ký trên điện thoại." in text_of(response)
    assert status_of(text_of(response)) == "Đã duyệt, chờ ký"


def test_the_register_page_has_the_appendix_iv_columns_for_outgoing(app, login_as):
    issue_through_the_pages(app, login_as)
    from docmgmt.core.timeutil import vn_today

    html = text_of(login_as("vanthu").get("/outgoing/register"))
    heads = re.findall(r"<th>([^<]+)</th>", html.split('data-testid="register"')[1].split("</tr>")[0])
    assert heads == ["Số, ký hiệu văn bản", "Ngày tháng văn bản",
                     "Tên loại và trích yếu nội dung văn bản", "Người ký", "Nơi nhận văn bản",
                     "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ngày chuyển", "Ký nhận",
                     "Ghi chú"]
    body = html.split("<tbody>")[1]
    assert "01/UBND-KT" in body and SUBJECT in body and "Phạm Văn" not in heads
    assert "Sở Nội vụ tỉnh Phú Thọ" in body and "Văn thư" in body
    assert vn_today().strftime("%d/%m/%Y") in body
    year = vn_today().year
    assert f"/outgoing/register/{year}/export.xlsx" in html and "data-print" in html


def test_the_verification_page_tells_a_signed_pdf_from_a_tampered_one(app, login_as):
    from docmgmt.extensions import db
    from docmgmt.files.store import FileStore
    from docmgmt.outgoing.models import OutgoingDocument

    doc_id, _html = issue_through_the_pages(app, login_as)
    with app.app_context():
        doc = db.session.get(OutgoingDocument, doc_id)
        pdf = FileStore.from_app().path_for(doc.issued_file.sha256).read_bytes()
        issued_file_id = doc.issued_file_id
    client = login_as("cv.vhxh")  # anyone may check any PDF

    def check(content: bytes):
        page = client.get("/signatures/verify")
        return client.post("/signatures/verify", data={
            "csrf_token": csrf_from(text_of(page)), "file": (io.BytesIO(content), "cong-van.pdf")},
            content_type="multipart/form-data")

    good = text_of(check(pdf))
    assert "Tất cả 2 chữ ký hợp lệ" in good and good.count('data-valid="true"') == 2
    assert "Ủy ban nhân dân xã Kim Bôi" in good or "UBND" in good
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}", good)  # signing time
    # One flipped byte inside what both signatures cover: the binary comment under the
    # header, which changes nothing a reader parses, only the bytes that were signed.
    tampered = bytearray(pdf)
    at = pdf.index(b"\n%", 0, 64) + 2
    tampered[at] ^= 0x01
    bad = text_of(check(bytes(tampered)))
    assert 'data-valid="false"' in bad and "không hợp lệ" in bad
    assert "text-bg-danger" in bad  # shown in red
    # Not a PDF at all.
    refused = check(b"hello")
    assert refused.status_code == 422 and "Tệp không phải PDF hợp lệ." in text_of(refused)
    # The same report for a stored file: readable by a recipient, hidden from others.
    html = text_of(client.get(f"/signatures/files/{issued_file_id}"))
    assert html.count('data-valid="true"') == 2
    assert login_as("cv.lacson", "matkhau-lacson").get(
        f"/signatures/files/{issued_file_id}").status_code == 404


def test_incoming_pages_offer_a_signature_check_for_pdf_files(app, login_as):
    from docmgmt.extensions import db
    from docmgmt.incoming import operations as incoming_ops

    with app.test_request_context():
        clerk = user("vanthu")
        doc = incoming_ops.register_incoming(clerk, incoming_ops.IncomingInput(
            sender_name="Sở Tài chính tỉnh Phú Thọ", subject="V/v quyết toán"),
            [incoming_ops.Upload(make_pdf(), "cong-van-den.pdf")])
        db.session.commit()
        doc_id, file_id = doc.id, doc.files[0].stored_file_id
    client = login_as("vanthu")
    html = text_of(client.get(f"/incoming/{doc_id}"))
    assert f"/signatures/files/{file_id}" in html and "Kiểm tra chữ ký" in html
    report = text_of(client.get(f"/signatures/files/{file_id}"))
    assert "Tệp không có chữ ký số nào." in report
