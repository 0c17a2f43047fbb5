"""Every role over every state: a button is shown exactly when the operation accepts it.

For each state of an incoming and an outgoing document and every person of the demo
commune (and one of another commune), three answers must agree: the buttons on the
document's page (``data-action``), the API's ``actions`` list (``available_actions``),
and what the real operation does when that person tries it (in a savepoint, rolled
back). A refusal for who-may or state reasons counts as "refused"; anything else
(the operation went past its rules) counts as "accepted".
"""

from __future__ import annotations

import re

import pytest

from docmgmt.core.errors import DomainError
from docmgmt.extensions import db
from docmgmt.incoming import operations as incoming_ops
from docmgmt.incoming.access import LIFECYCLE as INCOMING_LIFECYCLE
from docmgmt.org.models import User
from docmgmt.outgoing import operations as outgoing_ops
from docmgmt.outgoing.models import OutgoingDocument
from tests.commune import accepted, unit, user
from tests.conftest import DEMO_PASSWORD, login
from tests.files_helpers import make_pdf, make_png

RULE_CODES = {"forbidden", "not_found", "invalid_state", "not_handler", "not_signer", "already_done",
              "not_delegable", "not_confidential", "confidential_no_content"}
PEOPLE = ["quantri", "vanthu", "chutich", "phochutich.kt", "chanhvp", "truongkt", "truongvhxh",
          "cv.vp", "cv.kt1", "cv.kt2", "cv.vhxh", "thuky", "cv.lacson", "vanthu.lacson", "chutich.lacson"]
OTHER_PASSWORD = "matkhau-lacson"
ACTION_RE = re.compile(r'data-action="([a-z_]+)"')


def _other_commune_clerk_and_leader() -> None:
    """The other commune's clerk and chairman hold every permission the documents ask
    for: only the organisation keeps them out."""
    from docmgmt.org.operations import create_user

    other = user("cv.lacson").organisation
    for username, roles in (("vanthu.lacson", ["clerk"]), ("chutich.lacson", ["leader"])):
        create_user(None, other, username=username, full_name="Người xã khác", password=OTHER_PASSWORD,
                    roles=roles)


def _clients(app) -> dict:
    clients = {}
    for name in PEOPLE:
        clients[name] = app.test_client()
        password = OTHER_PASSWORD if name.endswith(".lacson") else DEMO_PASSWORD
        assert login(clients[name], name, password).status_code == 302, name
    return clients


# --- incoming ---------------------------------------------------------------------------------

def _register(subject="Về việc kiểm tra công tác cải cách hành chính", **kw):
    data = incoming_ops.IncomingInput(sender_name="Sở Nội vụ tỉnh Phú Thọ", subject=subject, **kw)
    return incoming_ops.register_incoming(user("vanthu"), data)


def _incoming_states() -> dict[str, int]:
    D, A = incoming_ops.Direction_, incoming_ops.Assignee
    docs = {"registered": _register()}
    docs["submitted"] = _register()
    incoming_ops.submit(user("vanthu"), docs["submitted"])
    docs["assigned_to_unit"] = _register()
    incoming_ops.direct(user("chutich"), docs["assigned_to_unit"],
                        D(main=A(unit_id=unit("KT").id), co=[A(user_id=user("cv.vhxh").id)],
                          info=[A(unit_id=unit("VP").id)]))
    docs["in_progress"] = _register()
    incoming_ops.direct(user("chutich"), docs["in_progress"],
                        D(main=A(user_id=user("cv.kt1").id), co=[A(user_id=user("cv.kt2").id)]))
    incoming_ops.add_progress(user("cv.kt1"), docs["in_progress"], "Đang tổng hợp số liệu")
    docs["co_part_done"] = _register()
    incoming_ops.direct(user("chutich"), docs["co_part_done"],
                        D(main=A(user_id=user("cv.kt1").id), co=[A(user_id=user("cv.kt2").id)]))
    incoming_ops.complete(user("cv.kt2"), docs["co_part_done"], "Đã gửi số liệu phần việc phối hợp")
    docs["done"] = _register()
    incoming_ops.direct(user("chutich"), docs["done"], D(main=A(user_id=user("cv.kt1").id)))
    incoming_ops.complete(user("cv.kt1"), docs["done"], "Đã báo cáo")
    docs["returned"] = _register()
    incoming_ops.return_to_sender(user("vanthu"), docs["returned"], "Gửi nhầm cơ quan")
    docs["paper"] = incoming_ops.register_incoming(user("vanthu"), incoming_ops.IncomingInput(
        sender_name="Công an tỉnh", confidentiality="mat", paper_holder="Đinh Thị Thu"))
    db.session.commit()
    return {state: doc.id for state, doc in docs.items()}


def _incoming_attempts(actor: User, doc):
    D, A = incoming_ops.Direction_, incoming_ops.Assignee
    unit_assignments = [a for a in doc.active_assignments
                        if a.assignee_unit_id is not None and a.assignee_user_id is None]

    def delegate_any():
        """The page offers one "delegate" form per unit assignment the person may hand on."""
        refusals = []
        for a in unit_assignments:
            member = next(u for u in a.assignee_unit.members if u.active and u.id != actor.id)
            try:
                return incoming_ops.delegate(actor, a, member.id)
            except DomainError as err:
                refusals.append(err)
        raise refusals[0]
    return {
        "submit": lambda: incoming_ops.submit(actor, doc),
        "direct": lambda: incoming_ops.direct(actor, doc, D(main=A(user_id=user("cv.vp").id))),
        "reassign": lambda: incoming_ops.reassign(actor, doc, D(main=A(user_id=user("cv.vp").id))),
        "return_to_sender": lambda: incoming_ops.return_to_sender(actor, doc, "Không thuộc thẩm quyền"),
        "progress": lambda: incoming_ops.add_progress(actor, doc, "Đã liên hệ đơn vị"),
        "complete": lambda: incoming_ops.complete(actor, doc, "Đã giải quyết xong"),
        "attach_files": lambda: incoming_ops.attach_files(actor, doc, [incoming_ops.Upload(make_png(), "scan.png")]),
        "transfer_paper": lambda: incoming_ops.transfer_paper(actor, doc, "Hoàng Minh Tuấn"),
        "delegate": delegate_any if unit_assignments else None,
    }


def _walk(app, states: dict[str, int], ops, model, path: str, attempts) -> int:
    """Every person over every state: page buttons, the API's actions and the operations
    agree. Returns how many operation attempts were checked."""
    clients = _clients(app)
    checked = 0
    for state, doc_id in states.items():
        for name in PEOPLE:
            page = clients[name].get(f"/{path}/{doc_id}")
            api = clients[name].get(f"/api/v1/{path}/{doc_id}")
            with app.test_request_context():
                actor, doc = user(name), db.session.get(model, doc_id)
                offered = ops.available_actions(actor, doc)
                if not ops.can_read(actor, doc):
                    assert page.status_code == 404 and api.status_code == 404, (state, name)
                    assert offered == frozenset()
                else:
                    shown = set(ACTION_RE.findall(page.get_data(as_text=True)))
                    assert shown == set(offered), (state, name, shown, offered)
                    assert set(api.json["actions"]) == set(offered), (state, name)
                for action, attempt in attempts(actor, doc).items():
                    if attempt is None:  # nothing to try it on: it must not be offered
                        assert action not in offered, (state, name, action)
                        continue
                    assert accepted(attempt, RULE_CODES) == (action in offered), (state, name, action, offered)
                    checked += 1
    return checked


def test_incoming_buttons_actions_and_operations_agree_for_every_role_and_state(app):
    with app.test_request_context():
        _other_commune_clerk_and_leader()
        states = _incoming_states()
    assert _walk(app, states, incoming_ops, incoming_ops.IncomingDocument, "incoming", _incoming_attempts) > 500


def test_only_the_main_handler_completes_the_document(ctx):
    """"complete" has its part in the lifecycle table: the main handler. A co-handler's
    completion is only their part; a leader who directed it, a clerk who registered it,
    the unit's head: none of them can complete it."""
    D, A = incoming_ops.Direction_, incoming_ops.Assignee
    doc = _register()
    incoming_ops.direct(user("chutich"), doc, D(main=A(user_id=user("cv.kt1").id),
                                                  co=[A(user_id=user("cv.kt2").id)]))
    for name in ("chutich", "vanthu", "truongkt", "cv.kt2", "cv.vhxh"):
        assert not INCOMING_LIFECYCLE.allowed(user(name), doc, "complete"), name
    assert INCOMING_LIFECYCLE.allowed(user("cv.kt1"), doc, "complete")
    for name in ("chutich", "vanthu", "truongkt"):
        with pytest.raises(DomainError):
            incoming_ops.complete(user(name), doc, "Xong")
    incoming_ops.complete(user("cv.kt2"), doc, "Phần phối hợp xong")
    assert doc.status == "assigned"  # the co-handler's part only
    incoming_ops.complete(user("cv.kt1"), doc, "Đã báo cáo UBND huyện")
    assert doc.status == "done"


# --- outgoing ---------------------------------------------------------------------------------

def _draft(drafter="cv.kt1") -> OutgoingDocument:
    data = outgoing_ops.DraftInput(
        doc_type="cong_van", subject="Về việc báo cáo kết quả chuyển đổi số quý IV", signer_id=user("chutich").id,
        recipients=[outgoing_ops.RecipientInput(token=f"unit:{unit('VHXH').id}"),
                    outgoing_ops.RecipientInput(token=f"u:{user('cv.vp').id}")])
    return outgoing_ops.create_draft(user(drafter), data, outgoing_ops.Upload(make_pdf("Dự thảo"), "du-thao.pdf"))


def _outgoing_states() -> dict[str, int]:
    docs = {"draft": _draft()}
    docs["at_head"] = _draft()
    outgoing_ops.submit(user("cv.kt1"), docs["at_head"])
    docs["at_leader"] = _draft()
    outgoing_ops.submit(user("cv.kt1"), docs["at_leader"])
    outgoing_ops.approve(user("truongkt"), docs["at_leader"])
    docs["returned"] = _draft()
    outgoing_ops.submit(user("cv.kt1"), docs["returned"])
    outgoing_ops.return_draft(user("truongkt"), docs["returned"], "Bổ sung số liệu")
    for state in ("approved", "signed", "issued", "recalled"):
        docs[state] = _draft()
        outgoing_ops.submit(user("cv.kt1"), docs[state])
        outgoing_ops.approve(user("truongkt"), docs[state])
        outgoing_ops.approve(user("chutich"), docs[state])
    # Signing and issuing need the commune's keys; the states themselves are what matter.
    for state in ("signed", "issued", "recalled"):
        docs[state].status = state
    db.session.commit()
    return {state: doc.id for state, doc in docs.items()}


def _outgoing_attempts(actor: User, doc: OutgoingDocument):
    return {
        "new_version": lambda: outgoing_ops.add_version(actor, doc, outgoing_ops.Upload(make_pdf("Bản 2"), "v2.pdf")),
        "submit": lambda: outgoing_ops.submit(actor, doc),
        "approve": lambda: outgoing_ops.approve(actor, doc),
        "return": lambda: outgoing_ops.return_draft(actor, doc, "Sửa đoạn 2"),
        "sign": lambda: outgoing_ops.sign(actor, doc),
        "issue": lambda: outgoing_ops.issue(actor, doc),
        "issue_on_paper": lambda: outgoing_ops.issue_on_paper(
            actor, doc, outgoing_ops.Upload(make_pdf("Bản ký tay"), "ban-ky-tay.pdf")),
        "recall": lambda: outgoing_ops.recall(actor, doc, "Sai căn cứ pháp lý"),
    }


def test_outgoing_buttons_actions_and_operations_agree_for_every_role_and_state(app):
    with app.test_request_context():
        _other_commune_clerk_and_leader()
        states = _outgoing_states()
    assert _walk(app, states, outgoing_ops, OutgoingDocument, "outgoing", _outgoing_attempts) > 500
