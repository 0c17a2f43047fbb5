"""The demo commune (docmgmt/demo.py) as the tests know it: who holds which role, who
heads and who works in each unit, and loaders for its people and units.

The loaders are plain functions for use inside an app context (the ``ctx`` fixture,
``app.app_context()``, ``app.test_request_context()``). ``user_id`` and ``unit_id`` also
take ``app=``: they then read in a short app context of their own, for tests that drive
the test client (a request made while an app context is pushed would share it, its
session and ``g``, which a browser never does).
"""

from __future__ import annotations

from contextlib import nullcontext

import sqlalchemy as sa

from docmgmt.extensions import db
from docmgmt.org.models import Unit, User

DEMO_ORGANISATION_ID = 1  # Kim Bôi, seeded first (tests/conftest.py); Lạc Sơn, the second commune, is 2

# One person for each role (the leader: the chairman; the commune has two vice-chairmen too).
ROLE_USERS = {
    "admin": "quantri",
    "clerk": "vanthu",
    "leader": "chutich",
    "head_of_unit": "truongkt",
    "staff": "cv.kt1",
    "secretary": "thuky",
}
LEADERS = ("chutich", "phochutich.kt", "phochutich.vx")
UNIT_HEADS = {"VP": "chanhvp", "KT": "truongkt", "VHXH": "truongvhxh", "TTPVHCC": "giamdoc.hcc"}
UNIT_STAFF = {"VP": ("cv.vp", "thuky"), "KT": ("cv.kt1", "cv.kt2"), "VHXH": ("cv.vhxh",),
              "TTPVHCC": ("cv.hcc",)}


def user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def unit(abbreviation: str) -> Unit:
    """A unit of the demo commune (Lạc Sơn has units of the same abbreviations)."""
    return db.session.scalar(sa.select(Unit).where(Unit.abbreviation == abbreviation,
                                                   Unit.organisation_id == DEMO_ORGANISATION_ID))


def user_id(username: str, *, app=None) -> int:
    with app.app_context() if app is not None else nullcontext():
        return db.session.scalar(sa.select(User.id).where(User.username == username))


def unit_id(abbreviation: str, *, app=None) -> int:
    with app.app_context() if app is not None else nullcontext():
        return db.session.scalar(sa.select(Unit.id).where(Unit.abbreviation == abbreviation,
                                                          Unit.organisation_id == DEMO_ORGANISATION_ID))


def accepted(attempt, refusals: set[str]) -> bool:
    """Try an operation in a savepoint and roll it back: did it get past its rules? A
    refusal whose code is in ``refusals`` (who may, which state) counts as "refused";
    anything else — done, or stopped later by the test's thin data — as "accepted"."""
    from docmgmt.core.errors import DomainError

    savepoint = db.session.begin_nested()
    try:
        attempt()
        return True
    except DomainError as err:
        return err.code not in refusals
    except Exception:  # noqa: BLE001 - past its rules, the operation met the test's thin data
        return True
    finally:
        savepoint.rollback()
        db.session.info.pop("xaso_meeting_broadcasts", None)  # nothing rolled back is broadcast


def issued(recipients, *, subject: str = "V/v phối hợp chuyển đổi số liên xã năm 2026", drafter: str = "cv.kt1",
           **fields):
    """An outgoing document drafted in the Economics office (a PDF draft), reviewed by its
    head and the chairman, signed and issued by the clerk; committed. ``recipients`` are
    ``RecipientInput``s."""
    from docmgmt.outgoing import operations as ops
    from tests.files_helpers import make_pdf

    data = ops.DraftInput(doc_type=fields.pop("doc_type", "cong_van"), subject=subject,
                          signer_id=user("chutich").id, recipients=list(recipients), **fields)
    doc = ops.create_draft(user(drafter), data, ops.Upload(make_pdf("Dự thảo"), "du-thao.pdf"))
    ops.submit(user(drafter), doc)
    while doc.current_step is not None:
        ops.approve(doc.current_step.reviewer, doc, "Đồng ý")
    ops.sign(user("chutich"), doc)
    ops.issue(user("vanthu"), doc)
    db.session.commit()
    return doc
