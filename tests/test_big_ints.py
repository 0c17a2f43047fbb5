"""Whole numbers beyond what a database column holds (2⁶³−1) name nothing and are refused
at every door: an id in a URL is "not found", a number in a query, a body or a form is a
422 naming the field, a number in a meeting-room event is refused naming the key — never
an ``OverflowError`` (a 500, or ``internal_error`` in the room).

The routes, the API's parameters, the input schemas and the room's events are walked, not
listed: a new door is covered by these tests the day it is added."""

from __future__ import annotations

import re

import pytest
from marshmallow import ValidationError, fields
from werkzeug.routing import AnyConverter, IntegerConverter

from tests.conftest import page_csrf
from tests.input_schemas import input_schemas
from tests.meetings_support import chair_in_a_live_room

HUGE = (2**64, 10**30)
MAX_ID = 2**63 - 1


def _fill(rule, value: int) -> dict:
    """Every int of the route set to ``value``, any other part to something it accepts."""
    values = {}
    for name in rule.arguments:
        conv = rule._converters.get(name)
        if isinstance(conv, IntegerConverter):
            values[name] = value
        elif isinstance(conv, AnyConverter):
            values[name] = sorted(conv.items)[0]
        elif name not in (rule.defaults or {}):
            values[name] = "x"
    return values


def _path(rule, value: int) -> str:
    """The URL by hand: building it through the converter would refuse the number."""
    values = _fill(rule, value)
    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)


def _int_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if any(isinstance(c, IntegerConverter) for c in rule._converters.values())]


def test_every_id_in_a_url_beyond_64_bits_is_not_found(app, login_as, as_user):
    """Every route with a number in its path, with every method, as the administrator
    (pages: session and CSRF token; API: a personal token): a number no column holds is
    "not found", before any permission check or body parsing could answer otherwise."""
    rules = _int_rules(app)
    assert len(rules) > 50, "the route table was not walked"
    pages = login_as("quantri")
    token = page_csrf(pages)
    api = as_user("quantri")
    wrong = []
    for rule in rules:
        for value in HUGE:
            path = _path(rule, value)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if path.startswith("/api/"):
                    response = api.client.open(path, method=method, headers=api.headers, json={})
                else:
                    response = pages.open(path, method=method, data={"csrf_token": token},
                                          headers={"X-CSRFToken": token})
                if response.status_code != 404:
                    wrong.append(f"{method} {path[:60]} → {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_an_id_at_the_largest_column_value_is_still_looked_up(app, login_as):
    """The bound is the column's, not a smaller one: 2⁶³−1 is a number a route accepts
    (and finds nothing under)."""
    client = login_as("vanthu")
    assert client.get(f"/incoming/{MAX_ID}").status_code == 404
    assert app.url_map.bind("x").match(f"/incoming/{MAX_ID}")[1] == {"document_id": MAX_ID}


# --- numbers in the API's query strings ------------------------------------------------------

def _integer_query_parameters(client) -> list[tuple[str, str]]:
    spec = client.get("/api/v1/openapi.json").json
    found = []
    for path, operations in spec["paths"].items():
        if "{" in path:
            continue
        for p in operations.get("get", {}).get("parameters", []):
            if p["in"] == "query" and p.get("schema", {}).get("type") == "integer":
                found.append((path, p["name"]))
    return found


def test_every_number_in_an_api_query_out_of_range_is_a_422_naming_it(as_user, client):
    """``?page=``, ``?per_page=``, ``?year=``, ``?limit=``, ``?before_seq=`` … of every list:
    too large or negative is refused with the stable code and the parameter's name."""
    params = _integer_query_parameters(client)
    assert ("/api/v1/incoming", "page") in params and ("/api/v1/audit", "limit") in params
    api = as_user("quantri")
    wrong = []
    for path, name in params:
        for value in (*HUGE, -1):
            response = api.get(f"{path}?{name}={value}")
            error = (response.json or {}).get("error", {}) if response.is_json else {}
            if response.status_code != 422 or error.get("code") != "validation_error" \
                    or error.get("field") != name:
                wrong.append(f"{path}?{name}={value} → {response.status_code} {error}")
    assert not wrong, "\n".join(wrong)


def test_every_integer_field_of_every_input_schema_is_bounded(app):
    """A body or a form field (``leader_id``, ``signer_id``, ``members``…) loaded through
    any input schema: 2⁶⁴ is refused by the field itself (so under its name), never a
    number handed on to a query."""
    wrong = []
    with app.test_request_context():
        for schema_cls in input_schemas(app):
            for name, field in schema_cls().load_fields.items():
                key = field.data_key or name
                inner = field.inner if isinstance(field, fields.List) else field
                if not isinstance(inner, fields.Integer):
                    continue
                value = [2**64] if isinstance(field, fields.List) else 2**64
                try:
                    field.deserialize(value, name, {key: value})
                except ValidationError:
                    continue
                wrong.append(f"{schema_cls.__name__}.{key}: 2**64 accepted")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", ["/incoming/", "/outgoing/"])
@pytest.mark.parametrize("year", [10**30, 2**64, -1])
def test_a_list_page_with_an_impossible_year_shows_every_year(login_as, path, year):
    """Decided: the pages' year filter outside the registers kept (2000–2100) is dropped
    and the list is shown as without it, like any other value the filter cannot use."""
    client = login_as("vanthu")
    response = client.get(f"{path}?year={year}")
    assert response.status_code == 200


# --- numbers in the meeting room's events ----------------------------------------------------

# Every event of the /meetings namespace and the numbers it reads besides ``meeting_id``;
# a new event must be added here (the test below compares with the registered handlers).
EVENT_NUMBERS = {
    "join": [], "leave": [], "sync": [], "start": [], "end": [],
    "check_in": ["user_id"], "move_item": ["item_id"], "present": ["file_id", "page"],
    "request_speech": [], "grant_speech": ["request_id"], "end_speech": ["request_id"],
    "decline_speech": ["request_id"], "withdraw_speech": ["request_id"],
    "open_vote": ["item_id"], "cast_ballot": ["vote_id", "option_id"], "close_vote": ["vote_id"],
    "save_note": ["item_id"], "save_conclusion": ["item_id"], "timer": ["item_id", "minutes"],
}


@pytest.fixture(scope="module")
def room(template_instance, tmp_path_factory):
    """One server for the module, a live meeting with a speech request and an open vote,
    and the chair in the room."""
    yield from chair_in_a_live_room(template_instance, tmp_path_factory.mktemp("big-ints") / "instance")


def test_every_room_event_is_listed_here(app):
    from meetings.sockets import NAMESPACE, socketio

    registered = set(socketio.server.handlers[NAMESPACE]) - {"connect", "disconnect"}
    assert registered == set(EVENT_NUMBERS)


@pytest.mark.slow
@pytest.mark.parametrize("event", sorted(EVENT_NUMBERS))
def test_a_room_event_with_a_number_beyond_64_bits_is_refused_naming_it(room, event):
    chair, ids = room
    for key in ["meeting_id", *EVENT_NUMBERS[event]]:
        for value in HUGE:
            payload = {**ids, "text": "Ghi chú", "question": "Thông qua?", "topic": "Ý kiến",
                       "action": "extend", key: value}
            reply = chair.call(event, payload)
            assert reply["ok"] is False, (key, reply)
            error = reply["error"]
            assert error["code"] != "internal_error", (key, error)
            assert error["code"] == "not_found" or error["field"] == key, (key, error)
