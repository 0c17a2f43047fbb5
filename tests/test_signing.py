"""Signing: the commune CA, the NĐ30 issuance chain, appearances and verification."""

from __future__ import annotations

import io
import shutil
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import instance_config
from tests.signing_helpers import appearance_text, count, crop, pixels, render, widget

LEADER_AUTHORITY = "TM. ỦY BAN NHÂN DÂN"
SYMBOL = "05/QĐ-UBND"


@pytest.fixture(scope="module")
def signing_app(template_instance, tmp_path_factory):
    """One commune with keys, shared by the module (signing never writes the database)."""
    from docmgmt import create_app
    from docmgmt.extensions import db
    from docmgmt.org.models import Organisation
    from docmgmt.signing.keys import init_keys

    folder = tmp_path_factory.mktemp("signing") / "instance"
    shutil.copytree(template_instance, folder)
    app = create_app(instance_config(folder))
    with app.app_context():
        for org in db.session.scalars(sa.select(Organisation)):
            init_keys(org)
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def people(signing_app):
    from docmgmt.extensions import db
    from docmgmt.org.models import Organisation
    from tests.commune import user

    leader = user("chutich")
    org = db.session.get(Organisation, leader.organisation_id)
    return leader, org


@pytest.fixture(scope="module")
def chain(people):
    """The three steps on the sample decision: (prepared, leader-signed, numbered, issued)."""
    from docmgmt.signing.prepare import prepare_for_issuance
    from docmgmt.signing.sample import sample_pdf
    from docmgmt.signing.signer import fill_number, sign_as_leader, sign_as_organisation

    leader, org = people
    prepared = prepare_for_issuance(sample_pdf())
    signed = sign_as_leader(prepared, leader, authority=LEADER_AUTHORITY)
    numbered = fill_number(signed, SYMBOL, date(2026, 3, 5))
    issued = sign_as_organisation(numbered, org, number_symbol=SYMBOL)
    return prepared, signed, numbered, issued


def by_field(reports):
    return {r.field_name: r for r in reports}


# --- keys ------------------------------------------------------------------------------

def test_keys_init_is_idempotent_and_covers_leaders_and_clerks(db_session):
    from docmgmt.org.models import Organisation, User
    from docmgmt.signing.keys import credentials, init_keys
    from docmgmt.signing.models import SigningCredential

    org = db_session.scalar(sa.select(Organisation).where(Organisation.organ_id == "000.00.12.H42"))
    init_keys(org)
    first = {(c.holder, c.serial) for c in credentials(org)}
    init_keys(org)
    assert {(c.holder, c.serial) for c in credentials(org)} == first
    holders = {h for h, _s in first}
    signers = db_session.scalars(sa.select(User).where(User.organisation_id == org.id)).all()
    expected = {f"user:{u.id}" for u in signers if {"leader", "clerk"} & {str(r) for r in u.roles}}
    assert {"ca", "organisation"} | expected == holders
    org_cert = db_session.scalar(sa.select(SigningCredential).where(
        SigningCredential.organisation_id == org.id, SigningCredential.kind == "organisation"))
    assert f"CN={org.name}" in org_cert.subject and org.organ_id in org_cert.subject


def test_keys_user_command_and_keys_show(app):
    runner = app.test_cli_runner()
    assert "created" in runner.invoke(args=["keys", "init"]).output
    result = runner.invoke(args=["keys", "user", "cv.vp"])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(args=["keys", "show", "--org", "000.00.12.H42"]).output
    assert "ec-p256" in shown and "Lê Thị Ngọc" in shown
    assert runner.invoke(args=["keys", "user", "nobody"]).exit_code != 0


def test_private_keys_are_encrypted_at_rest(app, instance):
    from cryptography.hazmat.primitives import serialization

    from docmgmt.extensions import db
    from docmgmt.org.models import Organisation
    from docmgmt.signing.errors import SigningError
    from docmgmt.signing.keys import decrypt_key, init_keys
    from docmgmt.signing.models import SigningCredential

    with app.app_context():
        org = db.session.scalar(sa.select(Organisation).where(Organisation.organ_id == "000.00.12.H42"))
        init_keys(org)
        db.session.commit()
        creds = db.session.scalars(sa.select(SigningCredential)).all()
        raw_keys = []
        for cred in creds:
            key = decrypt_key(cred.private_key)
            raw_keys.append(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
            scalar = key.private_numbers().private_value.to_bytes(32, "big")
            raw_keys.append(scalar)
            with pytest.raises(SigningError) as wrong:
                decrypt_key(cred.private_key, passphrase="not the passphrase")
            assert wrong.value.code == "key_decrypt_failed"
        db.session.remove()
        db.engine.dispose()
    database = (instance / "xaso.sqlite3").read_bytes()
    for wal in instance.glob("xaso.sqlite3-wal"):
        database += wal.read_bytes()
    assert len(raw_keys) == 2 * len(creds) >= 8
    for secret in raw_keys:
        assert secret not in database


# --- the issuance chain ------------------------------------------------------------------------

def test_issued_document_signatures_verify_and_chain_to_the_commune_ca(chain, people):
    from docmgmt.signing.verify import verify_pdf

    leader, org = people
    *_, issued = chain
    reports = by_field(verify_pdf(issued))
    assert set(reports) == {"chu_ky_lanh_dao", "chu_ky_co_quan"}
    lead, seal = reports["chu_ky_lanh_dao"], reports["chu_ky_co_quan"]
    for r in (lead, seal):
        assert r.valid and r.intact and r.crypto_valid and r.trusted and not r.modified_not_allowed
        assert f"CA ký số {org.name}" in r.issuer
        assert r.signing_time is not None and r.signing_time.utcoffset().total_seconds() == 7 * 3600
    assert lead.signer_name == leader.full_name and lead.certification and lead.docmdp == "form_filling"
    assert lead.modification_level == "form_filling"  # the number and date, filled after
    assert seal.signer_name == org.name and not seal.certification and seal.covers_whole_file
    assert seal.reason == f"Phát hành văn bản số {SYMBOL}"


def test_filling_the_number_keeps_the_leaders_signature_valid(chain):
    from docmgmt.signing.verify import verify_pdf

    _prepared, signed, numbered, _issued = chain
    assert by_field(verify_pdf(signed))["chu_ky_lanh_dao"].modification_level == "none"
    report = by_field(verify_pdf(numbered))["chu_ky_lanh_dao"]
    assert report.valid and report.modification_level == "form_filling" and not report.modified_not_allowed
    assert "điền số" in report.summary_vi
    assert appearance_text(numbered, "so_ky_hieu").strip() == SYMBOL
    assert appearance_text(numbered, "ngay_ban_hanh").strip() == "ngày 05 tháng 3 năm 2026"


def test_number_fields_filled_once_and_leader_certifies_once(chain, people):
    from docmgmt.signing.errors import SigningError
    from docmgmt.signing.sample import sample_pdf
    from docmgmt.signing.signer import fill_number, sign_as_leader

    leader, _org = people
    _prepared, signed, numbered, _issued = chain
    with pytest.raises(SigningError) as twice:
        fill_number(numbered, "06/QĐ-UBND", date(2026, 3, 6))
    assert twice.value.code == "field_filled"
    with pytest.raises(SigningError) as unprepared:
        fill_number(sample_pdf(), SYMBOL, date(2026, 3, 5))
    assert unprepared.value.code == "field_missing"
    with pytest.raises(SigningError) as again:
        sign_as_leader(signed, leader)
    assert again.value.code in ("already_certified", "signing_failed")
    with pytest.raises(SigningError) as junk:
        sign_as_leader(b"not a pdf", leader)
    assert junk.value.code == "not_a_pdf" and junk.value.message_vi


def test_nd30_date_zero_pads_days_below_10_and_months_1_and_2_only():
    from docmgmt.signing.fill import nd30_date

    assert nd30_date(date(2026, 1, 5)) == "ngày 05 tháng 01 năm 2026"
    assert nd30_date(date(2026, 2, 28)) == "ngày 28 tháng 02 năm 2026"
    assert nd30_date(date(2026, 3, 5)) == "ngày 05 tháng 3 năm 2026"
    assert nd30_date(date(2026, 12, 15)) == "ngày 15 tháng 12 năm 2026"


# --- tampering -------------------------------------------------------------------------------

def test_a_flipped_byte_after_signing_is_detected(chain):
    from docmgmt.signing.verify import verify_pdf

    *_, issued = chain
    data = bytearray(issued)
    # a byte inside page 1's content stream: covered by both signatures
    at = data.index(b"stream", data.index(b"/Contents")) + 40
    data[at] ^= 0x01
    reports = verify_pdf(bytes(data))
    assert reports and all(not r.intact and not r.valid for r in reports)
    assert all("không hợp lệ" in r.summary_vi for r in reports)


def test_an_incremental_edit_after_signing_is_not_allowed(chain):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from docmgmt.signing.verify import verify_pdf

    *_, issued = chain
    writer = IncrementalPdfFileWriter(io.BytesIO(issued))
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(
        stream_data=b"0 0 1 rg 100 100 200 50 re f")))  # a box drawn over page 1
    out = io.BytesIO()
    writer.write(out)
    reports = by_field(verify_pdf(out.getvalue()))
    for report in reports.values():
        assert report.intact and report.crypto_valid  # the signed bytes are untouched …
        assert report.modification_level == "other" and report.modified_not_allowed  # … but not the page
        assert not report.valid and "không được phép" in report.summary_vi


def test_a_page_added_with_pypdf_after_signing_is_not_allowed(chain):
    import pypdf

    from docmgmt.signing.verify import verify_pdf

    *_, issued = chain
    writer = pypdf.PdfWriter(io.BytesIO(issued), incremental=True)
    writer.add_blank_page()
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(issued)  # really an incremental update
    assert all(r.modified_not_allowed and not r.valid for r in verify_pdf(out.getvalue()))


def test_unknown_ca_is_valid_but_untrusted_not_an_error(chain):
    from docmgmt.signing.verify import verify_pdf

    *_, issued = chain
    reports = verify_pdf(issued, trust_roots=[])  # as another agency sees our document
    assert reports and all(r.crypto_valid and r.intact and not r.trusted and not r.valid for r in reports)
    assert all("chưa được tin cậy" in r.summary_vi for r in reports)


def test_verify_unsigned_pdf_gives_no_reports_and_junk_is_refused():
    from docmgmt.signing.errors import SigningError
    from docmgmt.signing.sample import sample_pdf
    from docmgmt.signing.verify import verify_pdf

    assert verify_pdf(sample_pdf(), trust_roots=[]) == []
    with pytest.raises(SigningError):
        verify_pdf(b"%PDF-1.7 garbage")


@pytest.mark.parametrize("make", [
    "signature_value_not_a_dictionary",  # AttributeError inside pyHanko
    "signature_field_tree_too_deep",  # RecursionError
    "signature_value_refers_to_itself",  # RecursionError
])
def test_a_pdf_that_breaks_the_verifier_is_refused_not_a_crash(make):
    """pyHanko runs in a child with limits: what makes it fail is a 422 refusal with a
    stable code, and the process asking goes on."""
    from docmgmt.core.errors import ValidationFailed
    from docmgmt.signing.verify import verify_pdf
    from tests import hostile_pdfs

    with pytest.raises(ValidationFailed) as refused:
        verify_pdf(getattr(hostile_pdfs, make)(), trust_roots=[])
    assert refused.value.code == "signature_unverifiable" and refused.value.status == 422
    assert "Không kiểm tra được chữ ký số" in refused.value.message


# --- appearances --------------------------------------------------------------------------------

def test_leader_appearance_is_blue_ink_between_the_printed_position_and_name(chain):
    import pypdf

    from docmgmt.signing.appearance import PRINTED_KEY, image_rect

    _prepared, signed, *_ = chain
    # the sample prints authority, position and name: the appearance adds the image only
    assert appearance_text(signed, "chu_ky_lanh_dao").strip() == ""
    page_ix, annot = widget(signed, "chu_ky_lanh_dao")
    assert annot.get(PRINTED_KEY)
    text = pypdf.PdfReader(io.BytesIO(signed)).pages[page_ix].extract_text()
    assert text.index(LEADER_AUTHORITY) < text.index("CHỦ TỊCH") < text.index("Nguyễn Văn Hùng")
    box = [float(v) for v in annot["/Rect"]]
    image = render(signed, page_ix)
    x1, y1, x2, y2 = image_rect(box, printed=True)
    right_two_thirds = (x1 + (x2 - x1) / 3, y1, x2, y2)
    blue = count(crop(image, right_two_thirds, 841.89), "blue")
    assert blue > 150, blue
    assert count(crop(image, box, 841.89), "red") < 20  # no seal yet


def test_seal_is_red_and_covers_the_left_third_of_the_signature_image(chain):
    from docmgmt.signing.appearance import image_rect

    *_, issued = chain
    page_ix, leader_annot = widget(issued, "chu_ky_lanh_dao")
    _ix, seal_annot = widget(issued, "chu_ky_co_quan")
    leader_box = [float(v) for v in leader_annot["/Rect"]]
    seal_box = [float(v) for v in seal_annot["/Rect"]]
    ix1, iy1, ix2, iy2 = image_rect(leader_box, printed=True)
    assert seal_box[2] == pytest.approx(ix1 + (ix2 - ix1) / 3, abs=1)  # right edge at one third
    assert seal_box[1] < (iy1 + iy2) / 2 < seal_box[3]
    assert seal_box[2] - seal_box[0] == pytest.approx(35 * 72 / 25.4, abs=1)  # real size, 35 mm
    image = render(issued, page_ix)
    assert count(crop(image, seal_box, 841.89), "red") > 300
    assert count(crop(image, (seal_box[2] + 5, iy1, ix2, iy2), 841.89), "blue") > 100


def test_number_and_date_render_on_page_one(chain):
    *_, issued = chain
    assert appearance_text(issued, "so_ky_hieu").strip() == SYMBOL
    _ix, annot = widget(issued, "so_ky_hieu")
    box = [float(v) for v in annot["/Rect"]]
    ink = crop(render(issued, 0), box, 841.89).convert("L")
    assert sum(1 for p in pixels(ink) if p < 100) > 30  # dark text in the field


def test_attachment_signature_top_right_with_number_and_iso_time(people):
    import re

    from docmgmt.signing.sample import sample_pdf
    from docmgmt.signing.signer import sign_attachment
    from docmgmt.signing.verify import verify_pdf

    _leader, org = people
    signed = sign_attachment(sample_pdf(header=False), org, SYMBOL)
    page_ix, annot = widget(signed, "chu_ky_co_quan_kem_theo")
    x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
    assert page_ix == 0 and x1 > 595.28 / 2 and y1 > 841.89 - 80
    text = appearance_text(signed, "chu_ky_co_quan_kem_theo")
    assert f"Số, ký hiệu: {SYMBOL}" in text
    stamp = re.search(r"Thời gian ký: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00)", text)
    assert stamp, text
    (report,) = verify_pdf(signed)
    assert report.valid and report.signing_time.isoformat() == stamp.group(1)
    font = [f for f in annot["/AP"]["/N"]["/Resources"]["/Font"].values()][0].get_object()
    assert "LiberationSerif-Regular" in font["/BaseFont"]


def test_placeholder_in_template_places_the_signature(people):
    from docmgmt.signing.prepare import prepare_for_issuance
    from docmgmt.signing.sample import sample_pdf
    from docmgmt.signing.signer import sign_as_leader

    leader, _org = people
    plain = sign_as_leader(sample_pdf(placeholder=True), leader)  # not prepared: located at sign time
    _ix, annot = widget(plain, "chu_ky_lanh_dao")
    x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
    assert 330 < (x1 + x2) / 2 < 530
    prepared = prepare_for_issuance(sample_pdf(placeholder=True, header=False), place_name="Kim Bôi")
    assert prepare_for_issuance(prepared) == prepared  # idempotent
    _ix, date_field = widget(prepared, "ngay_ban_hanh")
    assert date_field["/XaSoPrefix"] == "Kim Bôi, "  # no date line on the page: fallback place


def test_uploaded_signature_image_is_made_blue_on_transparency(signing_app, people):
    from PIL import Image

    from docmgmt.signing import images
    from docmgmt.signing.signer import set_signature_image, signature_png

    leader, _org = people
    scan = Image.new("RGB", (300, 100), "white")
    for x in range(20, 280):
        scan.putpixel((x, 50), (0, 0, 0))
        scan.putpixel((x, 51), (0, 0, 0))
    out = io.BytesIO()
    scan.save(out, "PNG")
    set_signature_image(leader, out.getvalue())
    try:
        stored = Image.open(io.BytesIO(signature_png(leader))).convert("RGBA")
        opaque = [p for p in pixels(stored) if p[3] > 128]
        assert opaque and all(p[:3] == images.BLUE for p in opaque)
        assert stored.getpixel((0, 0))[3] == 0 or stored.size[1] <= 3
    finally:
        from docmgmt.extensions import db

        db.session.rollback()


def test_repeated_signatures_use_the_fast_cms_and_poppler_agrees(chain, people):
    """After an identity's first signature the CMS comes from fastcms' template; an
    independent verifier (poppler's pdfsig, NSS) must accept it like pyHanko does."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from docmgmt.signing.keys import identity_for_user
    from docmgmt.signing.signer import sign_as_leader
    from docmgmt.signing.verify import verify_pdf

    leader, _org = people
    prepared, *_ = chain
    again = sign_as_leader(prepared, leader)
    assert identity_for_user(leader)._cms_template  # the template reproduced pyHanko's DER
    (report,) = verify_pdf(again)
    assert report.valid
    if shutil.which("pdfsig") is None:
        pytest.skip("poppler-utils pdfsig not installed")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "signed.pdf"
        path.write_bytes(again)
        out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout
    assert "Signature is Valid." in out and "Bùi Văn Khánh" in out
