"""One input shape per command: the schema holds each field's limit once, and every door
— the page, the JSON API, the edXML import and its CLI — refuses the same over-long or
out-of-range input with the same field and the same Vietnamese sentence, writing nothing."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from docmgmt.core.timeutil import vn_today
from docmgmt.extensions import db
from tests.conftest import csrf_from, page_csrf

SUBJECT_TOO_LONG = "Trích yếu quá dài (tối đa 500 ký tự)."
LONG_SUBJECT = "V/v " + "triển khai " * 50  # 554 characters, NĐ30 allows 500


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(page: str, field: str) -> list[str]:
    """The messages shown under one form field (Bootstrap's invalid-feedback)."""
    match = re.search(rf'id="{field}"[^>]*>(.*?)</div>\s*</div>', page, re.S) or \
        re.search(rf'id="{field}"[^>]*>(.*?)</div>', page, re.S)
    assert match, f"no field {field} on the page"
    return re.findall(r'<div class="invalid-feedback">([^<]+)</div>', match.group(0))


def api_post(app, username: str, path: str, **kwargs):
    """A script calling the API with a personal token (no cookie, no CSRF)."""
    from docmgmt.auth.operations import create_token
    from docmgmt.org.models import User

    with app.app_context():
        person = db.session.scalar(sa.select(User).where(User.username == username))
        _token, clear = create_token(person, "kiểm thử")
        db.session.commit()
    return app.test_client().post(path, headers={"Authorization": f"Bearer {clear}"}, **kwargs)


def api_error(response) -> dict:
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    return response.json["error"]


# --- registering an incoming document -----------------------------------------------------------

def incoming_form(client, **fields) -> dict:
    token = csrf_from(client.get("/incoming/new").get_data(as_text=True))
    return {"csrf_token": token, "sender_name": "Sở Nội vụ tỉnh Phú Thọ",
            "number_symbol": "125/SNV-VP", "issue_date": "05/01/2026", "doc_type": "cong_van",
            "urgency": "thuong", "confidentiality": "thuong",
            "subject": "V/v triển khai chuyển đổi số cấp xã", "arrival_date": "", **fields}


def incoming_json(**fields) -> dict:
    return {"sender_name": "Sở Nội vụ tỉnh Phú Thọ", "number_symbol": "125/SNV-VP",
            "issue_date": (vn_today() - timedelta(days=3)).isoformat(),
            "subject": "V/v triển khai chuyển đổi số cấp xã", **fields}


@pytest.mark.parametrize("field, value, message", [
    ("subject", LONG_SUBJECT, SUBJECT_TOO_LONG),
    ("sender_name", "Ủy ban nhân dân " * 20, "Tên cơ quan, tổ chức gửi quá dài (tối đa 200 ký tự)."),
    ("number_symbol", "125/" + "UBND-" * 12, "Số, ký hiệu quá dài (tối đa 50 ký tự)."),
    ("page_count", 1000, "Số trang phải từ 1 đến 999."),
    ("page_count", 0, "Số trang phải từ 1 đến 999."),
])
def test_register_incoming_refuses_the_same_input_alike_on_page_and_api(
        app, login_as, field, value, message):
    from docmgmt.incoming.models import IncomingDocument

    client = login_as("vanthu")
    page = client.post("/incoming/new", data=incoming_form(client, **{field: str(value)}),
                       content_type="multipart/form-data")
    assert page.status_code == 422
    assert field_error(text_of(page), field) == [message]

    error = api_error(api_post(app, "vanthu", "/api/v1/incoming",
                               json=incoming_json(**{field: value})))
    assert (error["code"], error["field"]) == ("validation_error", field)
    assert message in error["message"]
    assert count(app, IncomingDocument) == 0


def test_the_limit_is_the_schemas_and_fits_the_nd30_subject(app):
    from docmgmt.core.schemas import max_length, value_range
    from docmgmt.incoming.schemas import IncomingCreateSchema
    from docmgmt.outgoing.schemas import DraftCreateSchema

    assert max_length(IncomingCreateSchema, "subject") == 500  # NĐ30 Phụ lục VI: Subject
    assert max_length(DraftCreateSchema, "subject") == 500
    assert max_length(IncomingCreateSchema, "number_symbol") == 50
    assert value_range(IncomingCreateSchema, "page_count") == (1, 999)  # PageAmount: 3 digits


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


def _long_subject_edxml() -> bytes:
    from tests.exchange_support import reference

    text = reference("edoc_new.edxml").decode()
    text, n = re.subn(r"(<edXML:Subject>)[^<]*(</edXML:Subject>)", rf"\g<1>{LONG_SUBJECT}\g<2>", text)
    assert n == 1
    return text.encode()


def test_an_edxml_message_with_an_over_long_subject_is_refused_and_leaves_nothing(ctx, instance):
    from docmgmt.exchange import operations as xops
    from docmgmt.exchange.errors import TOO_LONG, EdxmlError
    from tests.exchange_support import KIM_BOI, footprint, org

    before = footprint(instance)
    with pytest.raises(EdxmlError) as err:
        xops.import_message(org(KIM_BOI), _long_subject_edxml())
    db.session.rollback()
    assert (err.value.code, err.value.field) == (TOO_LONG, xops.EDXML_ELEMENTS["subject"])
    assert err.value.message_vi.startswith(f"{xops.EDXML_ELEMENTS['subject']} dài ")
    assert "vượt giới hạn 500 ký tự" in err.value.message_vi
    assert "không cắt bớt" in err.value.message_vi
    assert footprint(instance) == before


def test_the_import_command_refuses_it_too(ctx, app, instance, tmp_path):
    from tests.exchange_support import KIM_BOI, footprint

    message = tmp_path / "long.edxml"
    message.write_bytes(_long_subject_edxml())
    before = footprint(instance)
    result = app.test_cli_runner().invoke(args=["import-edxml", str(message), "--org", KIM_BOI])
    assert result.exit_code != 0
    assert "edxml_too_long [MessageHeader/Subject]" in result.output
    assert "vượt giới hạn 500 ký tự" in result.output
    db.session.rollback()
    assert footprint(instance) == before


def test_edxml_names_longer_than_the_register_keeps_are_refused_never_cut(ctx):
    """A register entry is evidence: a sender's name the column cannot hold refuses the
    message (the sender hears why) rather than registering a shortened name."""
    from docmgmt.core.schemas import max_length
    from docmgmt.exchange import edxml
    from docmgmt.exchange import operations as xops
    from docmgmt.exchange.errors import TOO_LONG, EdxmlError
    from docmgmt.incoming.schemas import IncomingCreateSchema
    from tests.exchange_support import KIM_BOI, org, reference

    msg = edxml.parse_edxml(reference("edoc_new.edxml"))
    limit = max_length(IncomingCreateSchema, "sender_name")
    with pytest.raises(EdxmlError) as err:
        xops._incoming_input(org(KIM_BOI), msg, "Ủy" * 150)
    assert err.value.code == TOO_LONG
    assert f"vượt giới hạn {limit} ký tự" in err.value.message_vi
    data = xops._incoming_input(org(KIM_BOI), msg, "Ủy" * (limit // 2))
    assert data.sender_name == "Ủy" * (limit // 2) and data.channel == "edxml"


# --- creating a draft ---------------------------------------------------------------------------

def draft_form(client, **fields) -> dict:
    token = csrf_from(client.get("/outgoing/new").get_data(as_text=True))
    return {"csrf_token": token, "doc_type": "cong_van",
            "subject": "Về việc báo cáo kết quả chuyển đổi số", "urgency": "thuong",
            "source": "template", "body": "Ủy ban nhân dân xã báo cáo như sau.", **fields}


@pytest.mark.parametrize("form_field, api_field, form_value, api_value, message", [
    ("subject", "subject", LONG_SUBJECT, LONG_SUBJECT, SUBJECT_TOO_LONG),
    ("outside", "external", "Sở Nội vụ tỉnh Phú Thọ | 000.00.31.H42.X9",
     ["Sở Nội vụ tỉnh Phú Thọ|000.00.31.H42.X9"],
     "Mã định danh cơ quan nhận quá dài (tối đa 13 ký tự)."),
])
def test_create_draft_refuses_the_same_input_alike_on_page_and_api(
        app, login_as, form_field, api_field, form_value, api_value, message):
    from docmgmt.outgoing.models import OutgoingDocument

    client = login_as("cv.kt1")
    page = client.post("/outgoing/new", data=draft_form(client, **{form_field: form_value}))
    assert page.status_code == 422
    assert field_error(text_of(page), form_field) == [message]

    error = api_error(api_post(app, "cv.kt1", "/api/v1/outgoing", json={
        "subject": "Về việc báo cáo kết quả chuyển đổi số", api_field: api_value}))
    assert (error["code"], error["field"]) == ("validation_error", api_field)
    assert message in error["message"]
    assert count(app, OutgoingDocument) == 0


# --- scheduling a meeting -----------------------------------------------------------------------

def meeting_form(app, client, **fields) -> dict:
    from docmgmt.org.models import User

    with app.app_context():
        ids = dict(db.session.execute(sa.select(User.username, User.id)).all())
    token = csrf_from(client.get("/meetings/new").get_data(as_text=True))
    day = vn_today() + timedelta(days=2)
    return {"csrf_token": token, "title": "Họp giao ban", "day": day.strftime("%d/%m/%Y"),
            "start_time": "08:00", "end_time": "10:00", "location": "Hội trường UBND xã",
            "chair_id": str(ids["chutich"]), "secretary_id": str(ids["thuky"]), **fields}


@pytest.mark.parametrize("field, value, message", [
    ("title", "Họp " * 200, "Tên cuộc họp quá dài (tối đa 500 ký tự)."),
    ("location", "Phòng họp " * 30, "Phòng họp, địa điểm quá dài (tối đa 255 ký tự)."),
])
def test_create_meeting_refuses_the_same_input_alike_on_page_and_schema(app, login_as, field, value,
                                                                          message):
    from marshmallow import ValidationError

    from meetings.models import Meeting
    from meetings.schemas import MeetingSchema

    client = login_as("thuky")
    page = client.post("/meetings/new", data=meeting_form(app, client, **{field: value}))
    assert page.status_code == 422
    assert field_error(text_of(page), field) == [message]
    assert count(app, Meeting) == 0
    # Meetings have no JSON API; any other door (Socket.IO, a script) loads the same schema.
    with app.test_request_context(), pytest.raises(ValidationError) as err:
        MeetingSchema().load({field: value})
    assert err.value.messages == {field: [message]}


def test_an_agenda_item_longer_than_a_working_day_is_refused_on_its_field(app, login_as):
    from meetings.models import AgendaItem
    from tests.meetings_support import build_meeting

    with app.test_request_context():
        meeting_id = build_meeting()
        db.session.commit()
    before = count(app, AgendaItem)
    client = login_as("thuky")
    token = page_csrf(client, f"/meetings/{meeting_id}")
    page = client.post(f"/meetings/{meeting_id}/items", data={
        "csrf_token": token, "item-csrf_token": token, "item-title": "Báo cáo tình hình",
        "item-duration_minutes": "481"})
    assert page.status_code == 422
    assert "Thời lượng phải từ 1 đến 480 phút." in text_of(page)
    assert count(app, AgendaItem) == before


# --- the limits exist once ------------------------------------------------------------------------

def _schema_forms():
    from docmgmt.core.forms import SchemaForm
    from docmgmt.incoming import forms as incoming_forms
    from docmgmt.outgoing import forms as outgoing_forms
    from meetings import forms as meeting_forms

    for module in (incoming_forms, outgoing_forms, meeting_forms):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, SchemaForm) and value.schema:
                yield value


def test_forms_have_no_limits_of_their_own_for_the_fields_their_schema_defines(app):
    from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

    forms = list(_schema_forms())
    assert {f.__name__ for f in forms} >= {"RegisterForm", "DraftForm", "MeetingForm", "DirectForm",
                                          "ItemForm"}
    with app.test_request_context():
        for form_cls in forms:
            form = form_cls(meta={"csrf": False})
            for name in form_cls.schema().load_fields:
                if name not in form:
                    continue
                own = [v for v in form[name].validators
                       if isinstance(v, Length | NumberRange | DataRequired | InputRequired)]
                assert not own, f"{form_cls.__name__}.{name} repeats the schema's limits: {own}"


def test_the_pages_read_their_maxlength_from_the_schema(app, login_as):
    client = login_as("vanthu")
    page = client.get("/incoming/new").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*id="subject"[^>]*maxlength="500"|'
                     r'<textarea[^>]*maxlength="500"[^>]*id="subject"', page)
    assert re.search(r'id="page_count"[^>]*max="999"|max="999"[^>]*id="page_count"', page)


def test_every_schema_limit_fits_its_column(app):
    from docmgmt.core.schemas import length_limits
    from docmgmt.incoming.models import IncomingDocument
    from docmgmt.incoming.schemas import IncomingCreateSchema
    from docmgmt.outgoing.models import OutgoingDocument, Recipient
    from docmgmt.outgoing.schemas import DraftCreateSchema, OutsideRecipientSchema
    from meetings.models import AgendaItem, Meeting
    from meetings.schemas import AgendaItemSchema, MeetingSchema

    checked = 0
    for schema, model in [(IncomingCreateSchema, IncomingDocument), (DraftCreateSchema, OutgoingDocument),
                          (OutsideRecipientSchema, Recipient), (MeetingSchema, Meeting),
                          (AgendaItemSchema, AgendaItem)]:
        columns = model.__table__.columns
        for name, limit in length_limits(schema).items():
            if name in columns:
                size = getattr(columns[name].type, "length", None)
                assert size is None or size >= limit, f"{model.__name__}.{name}: {size} < {limit}"
                checked += 1
    assert checked >= 10


def test_a_new_field_needs_only_the_model_the_schema_and_its_templates(app):
    """The registration page and the register entry follow the schema: every labelled
    schema field is a field of the page's form, and every input field that is a column of
    the entry is written to it as loaded, so adding one touches the model, its migration,
    the schema and the templates that show it — not the form, the page code or the
    operation."""
    from docmgmt.incoming import operations as ops
    from docmgmt.incoming.forms import RegisterForm
    from docmgmt.incoming.models import IncomingDocument
    from docmgmt.incoming.schemas import IncomingCreateSchema, IncomingInput

    with app.test_request_context():
        form = RegisterForm()
        labelled = {name for name, f in IncomingCreateSchema._declared_fields.items()
                    if f.metadata.get("form") is not False}
        assert labelled <= set(form._fields), labelled - set(form._fields)
        assert str(form.subject.label.text) == "Trích yếu nội dung"
        assert form.subject.type == "TextAreaField" and form.issue_date.format == ["%d/%m/%Y", "%Y-%m-%d"]
        columns = set(IncomingDocument.__table__.columns.keys())
        data = IncomingInput(sender_name="Sở Y tế", subject="Về việc tiêm chủng", field="Y tế", signer="Nguyễn Văn A",
                             number_symbol="12/SYT-NVY")
        entry = ops._entry_of(data)
        assert {"sender_name", "subject", "field", "signer", "number_symbol", "sender_organ_id"} <= set(entry)
        assert set(entry) <= columns and entry["field"] == "Y tế"


def test_numbers_in_other_digits_are_refused_or_ignored_never_a_crash(app, login_as):
    """`str.isdigit` takes "²" as a digit but `int` does not, and `int` refuses more than
    4,300 digits: every number read from a URL gives a page (the value ignored or
    refused), never a server error."""
    client = login_as("chutich")
    for odd in ("²", "①", "٣٣", "9" * 5000):
        for url in (f"/records/?year={odd}", f"/records/transfers/?year={odd}",
                    f"/search?q=quyết+định&year={odd}&page={odd}", f"/dashboard/list?figure=received&page={odd}",
                    f"/dashboard?unit={odd}&person={odd}", f"/schedule/?version={odd}",
                    f"/schedule/rooms?room={odd}"):
            response = client.get(url)
            assert response.status_code < 500, (url, response.status_code)
