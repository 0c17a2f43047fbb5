"""Every limit on every door: no text reaches a column longer than the column, whichever
door it comes through — the API, a page, the command line or the meeting room.

SQLite stores a 3,000-character name in a VARCHAR(255) without a word; PostgreSQL refuses
it, and the request ends as a 500. So the limits are read from the input schemas (the one
definition of each command's fields) and checked against the tables, generated from the
doors: a new schema or field is checked the day it is added. Then the doors are tried
with text one character too long, on PostgreSQL where the column would complain."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from marshmallow import ValidationError, fields, validate

from docmgmt.core.schemas import MaxTotalLength
from docmgmt.core.timeutil import vn_today
from docmgmt.extensions import db
from tests.conftest import csrf_from
from tests.input_schemas import input_schemas
from tests.meetings_support import chair_in_a_live_room

# Where a field lands when its name is not its column's (or names several columns).
LANDS_IN = {
    "TransferPaperSchema.holder": "IncomingDocument.paper_holder",
    "UnitSchema.name": "Unit.name",
    "UnitSchema.abbreviation": "Unit.abbreviation",
    "UserCreateSchema.position": "Position.name",
    "UserUpdateSchema.position": "Position.name",
    "UserCreateSchema.email": "User.email",
    "UserUpdateSchema.email": "User.email",
    "OutsideRecipientSchema.organ_name": "Recipient.organ_name",
    "OutsideRecipientSchema.organ_id": "Recipient.organ_id",
    "ConsultationListQuerySchema.status": "Consultation.status",  # a filter on it
    "MeetingListQuerySchema.status": "Meeting.status",  # a filter on it (not a vote's status)
    # records: a dossier's title and a filed file's, not a heading's or a transfer's (255)
    "DossierSchema.title": "Dossier.title",
    "FileItemSchema.title": "DossierItem.title",
}


def _columns() -> dict[str, dict[str, list[tuple[str, sa.types.TypeEngine]]]]:
    """By package, then by column name: (Model.column, type) of every mapped table."""
    found: dict[str, dict[str, list]] = {}
    for mapper in db.Model.registry.mappers:
        cls = mapper.class_
        package = cls.__module__.rsplit(".", 1)[0]
        for column in mapper.columns:
            found.setdefault(package, {}).setdefault(column.key, []).append(
                (f"{cls.__name__}.{column.key}", column.type))
    return found


def _landing(schema_cls, name: str, columns) -> list[tuple[str, sa.types.TypeEngine]]:
    """The columns of the schema's own package named like the field (all of them: the
    tightest counts), or the one ``LANDS_IN`` names."""
    key = f"{schema_cls.__name__}.{name}"
    if key in LANDS_IN:
        every = [c for per_package in columns.values() for cs in per_package.values() for c in cs]
        return [c for c in every if c[0] == LANDS_IN[key]]
    return columns.get(schema_cls.__module__.rsplit(".", 1)[0], {}).get(name, [])


def _limit(field: fields.Field, container: fields.Field | None) -> int | None:
    """The most characters the field lets through: its length limit, its longest choice,
    or (for a list's items) the list's total."""
    for validator in field.validators:
        if isinstance(validator, validate.Length) and validator.max is not None:
            return validator.max
        if isinstance(validator, validate.OneOf):
            return max(len(str(c)) for c in validator.choices)
    if container is not None:
        return next((v.max for v in container.validators if isinstance(v, MaxTotalLength)), None)
    return None


def _text_fields(schema_cls):
    for name, field in schema_cls().load_fields.items():
        if isinstance(field, fields.List) and isinstance(field.inner, fields.String):
            yield name, field.inner, field
        elif isinstance(field, fields.String):
            yield name, field, None


def test_every_text_field_of_every_input_schema_has_a_limit_that_fits_its_column(app):
    schemas = input_schemas(app)
    assert len(schemas) > 30, "the doors were not walked"
    wrong = []
    with app.app_context():
        columns = _columns()
        for schema_cls in schemas:
            for name, field, container in _text_fields(schema_cls):
                limit = _limit(field, container)
                where = f"{schema_cls.__module__}.{schema_cls.__name__}.{name}"
                if limit is None:
                    wrong.append(f"{where}: no limit")
                    continue
                for column, kind in _landing(schema_cls, name, columns):
                    size = getattr(kind, "length", None)
                    if size is not None and limit > size:
                        wrong.append(f"{where}: {limit} characters into {column} ({size})")
    assert not wrong, "\n".join(wrong)


def test_every_text_field_one_character_over_its_limit_is_refused_by_the_field(app):
    """The limit is enforced, not only declared: the field itself refuses, so the refusal
    carries the field's name at every door."""
    wrong = []
    with app.test_request_context():
        for schema_cls in input_schemas(app):
            for name, field, container in _text_fields(schema_cls):
                limit = _limit(field, container)
                if limit is None or any(isinstance(v, validate.OneOf) for v in field.validators):
                    continue
                value = "x" * (limit + 1)
                target = container or field
                try:
                    target.deserialize([value] if container else value, name, {name: value})
                except ValidationError:
                    continue
                wrong.append(f"{schema_cls.__name__}.{name}: {limit + 1} characters accepted")
    assert not wrong, "\n".join(wrong)


# --- the doors, on PostgreSQL ----------------------------------------------------------------

@pytest.fixture
def pg_app(pg_commune):
    from docmgmt import create_app

    app = create_app(pg_commune)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _token_client(app, username: str):
    from docmgmt.auth.operations import create_token
    from tests.commune import user

    with app.app_context():
        _token, clear = create_token(user(username), "kiểm thử")
        db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {clear}"
    return client


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


HOLDER = "Đồng chí Nguyễn Văn An, Chỉ huy trưởng Ban Chỉ huy Quân sự xã; " * 48  # 3,000+
NUMBER = "125/BCH-TM-" * 182  # 2,000 characters


def _confidential(**fields) -> dict:
    return {"sender_name": "Bộ Chỉ huy Quân sự tỉnh Phú Thọ", "number_symbol": "17/BCH-TM",
            "issue_date": vn_today().isoformat(), "doc_type": "cong_van",
            "confidentiality": "mat", "paper_holder": "Đinh Thị Thu (văn thư)", **fields}


@pytest.mark.postgres
def test_a_confidential_paper_entry_with_a_3000_character_holder_is_refused_on_postgresql(pg_app):
    """The entry of the report: a 3,053-character holder and a 2,000-character number,
    through the API and through the page; each refused naming its field, nothing stored."""
    from docmgmt.incoming.models import IncomingDocument

    assert len(HOLDER) > 3000 and len(NUMBER) == 2002
    api = _token_client(pg_app, "vanthu")
    for field, value in (("paper_holder", HOLDER), ("number_symbol", NUMBER)):
        response = api.post("/api/v1/incoming", json=_confidential(**{field: value}))
        assert response.status_code == 422, response.get_data(as_text=True)[:300]
        assert response.json["error"]["field"] == field

    from tests.conftest import login

    page = pg_app.test_client()
    assert login(page, "vanthu").status_code == 302
    token = csrf_from(page.get("/incoming/new").get_data(as_text=True))
    form = {"csrf_token": token, **_confidential(issue_date=vn_today().strftime("%d/%m/%Y")),
            "urgency": "thuong", "arrival_date": ""}
    for field, value in (("paper_holder", HOLDER), ("number_symbol", NUMBER)):
        response = page.post("/incoming/new", data={**form, field: value},
                             content_type="multipart/form-data")
        assert response.status_code == 422
        assert "quá dài" in response.get_data(as_text=True)
    assert _count(pg_app, IncomingDocument) == 0

    # The paper then changes hands: the new holder has the same limit.
    created = api.post("/api/v1/incoming", json=_confidential())
    assert created.status_code == 201, created.get_data(as_text=True)[:300]
    moved = api.post(f"/api/v1/incoming/{created.json['id']}/transfer-paper", json={"holder": HOLDER})
    assert moved.status_code == 422 and moved.json["error"]["field"] == "holder"


# The API's writes that need no record to exist first, each with a body that is accepted.
WRITES = {
    "/api/v1/incoming": ("vanthu", {
        "sender_name": "Sở Nội vụ tỉnh Phú Thọ", "number_symbol": "125/SNV-VP",
        "issue_date": vn_today().isoformat(), "subject": "V/v chuyển đổi số"}),
    "/api/v1/outgoing": ("cv.kt1", {"doc_type": "cong_van", "subject": "V/v báo cáo",
                                    "body": ["Kính gửi."]}),
    "/api/v1/users": ("quantri", {"username": "nguoimoi", "full_name": "Lê Văn Mới",
                                  "password": "matkhau-moi-1", "roles": ["staff"]}),
    "/api/v1/units": ("quantri", {"name": "Ban Chỉ huy Quân sự", "abbreviation": "BCHQS"}),
    "/api/v1/tokens": ("quantri", {"name": "Máy quét văn thư"}),
    "/api/v1/schedule/rooms": ("quantri", {"name": "Phòng họp số 3"}),
    # (the chair and the secretary are ids this table cannot know: a text over its limit is
    # refused before anyone is looked up)
    "/api/v1/meetings": ("chutich", {"title": "Họp giao ban", "starts_at": "2030-03-15T08:00:00",
                                     "location": "Phòng họp tầng 2"}),
    "/api/v1/consultations": ("thuky", {"title": "Xin ý kiến", "deadline": "2030-03-15T17:00:00",
                                        "questions": ["Đồng ý thông qua?"]}),
    # (the delegate is an id this table cannot know: the text is refused before the lookup)
    "/api/v1/delegations": ("chutich", {"delegate_id": 1, "powers": ["sign"], "start_date": "2030-03-11",
                                        "end_date": "2030-03-15", "reason": "Đi công tác"}),
    "/api/v1/records/plans": ("vanthu", {"year": 2045, "copy_previous": False}),
    "/api/v1/records/transfers": ("vanthu", {"year": 2045, "due_date": "2030-03-15",
                                             "title": "Hồ sơ, tài liệu năm 2045"}),
    "/api/v1/search/saved": ("vanthu", {"name": "Văn bản chuyển đổi số", "q": "chuyển đổi số"}),
}


@pytest.mark.postgres
def test_every_text_of_every_api_write_one_over_its_limit_is_refused_on_postgresql(pg_app):
    """Each text field of each body the API documents, one character over the limit the
    OpenAPI document states: a 422 naming the field, never a 500 from the column."""
    spec = pg_app.test_client().get("/api/v1/openapi.json").json
    writes = {path for path, ops in spec["paths"].items() if "{" not in path
              and any(m in ops and "requestBody" in ops[m] for m in ("post", "put", "patch"))
              and path not in ("/api/v1/files", "/api/v1/signatures/verify")}  # files only
    assert writes == set(WRITES), "a new write operation: add a body it accepts to WRITES"
    wrong = []
    for path, (username, body) in WRITES.items():
        api = _token_client(pg_app, username)
        content = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        schema = spec["components"]["schemas"][content["$ref"].rsplit("/", 1)[1]]
        for name, prop in schema["properties"].items():
            item = prop.get("items", prop) if prop.get("type") == "array" else prop
            if item.get("type") != "string" or "maxLength" not in item or "enum" in item:
                continue
            value = "x" * (item["maxLength"] + 1)
            response = api.post(path, json={**body, name: [value] if item is not prop else value})
            field = (response.json or {}).get("error", {}).get("field") if response.is_json else None
            if response.status_code != 422 or field != name:
                wrong.append(f"{path} {name}: {response.status_code} {field}")
    assert not wrong, "\n".join(wrong)


def test_the_command_line_refuses_a_name_longer_than_its_column(app):
    from docmgmt.org.models import User

    before = _count(app, User)
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--org", "000.00.12.H42", "--username", "quantri2",
        "--full-name", "Nguyễn Văn " * 40, "--role", "admin", "--password", "matkhau-dai-1"])
    assert result.exit_code != 0
    assert "--full-name" in result.output and "quá dài (tối đa 255 ký tự)" in result.output
    assert _count(app, User) == before


# --- the meeting room -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def room(template_instance, tmp_path_factory):
    yield from chair_in_a_live_room(template_instance, tmp_path_factory.mktemp("limits") / "instance")


@pytest.mark.slow
@pytest.mark.parametrize("event, payload, field", [
    ("request_speech", {"topic": "x" * 501}, "topic"),
    ("save_note", {"text": "x" * 20001}, "text"),
    ("save_conclusion", {"text": "x" * 20001}, "text"),
    ("open_vote", {"question": "x" * 501}, "question"),
    ("open_vote", {"question": "Thông qua?", "options": ["Đồng ý", "x" * 201]}, "options"),
])
def test_room_text_over_its_limit_is_refused_naming_the_field(room, event, payload, field):
    chair, ids = room
    reply = chair.call(event, {"meeting_id": ids["meeting_id"], "item_id": ids["item_id"], **payload})
    assert reply["ok"] is False
    assert (reply["error"]["code"], reply["error"]["field"]) == ("too_long", field), reply
