"""Building the records behind the dashboard's figures directly, with known answers.

The figures count hundreds of documents in given states; going through the operations
for each would take minutes, so these helpers write the rows the operations would have
written (a number from the sổ đến, the main assignment, the completion moment) and
nothing else. Times are given in Vietnam time, as a clerk would say them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from docmgmt.core.timeutil import VN_TZ
from docmgmt.documents.registers import Direction, register_for, take_number
from docmgmt.extensions import db
from docmgmt.incoming.models import Assignment, IncomingDocument
from docmgmt.org.models import Organisation, Unit, User
from docmgmt.outgoing.models import OutgoingDocument


def user(username: str) -> User:
    return db.session.scalars(sa.select(User).where(User.username == username)).one()


def unit(abbreviation: str, organisation_id: int | None = None) -> Unit:
    query = sa.select(Unit).where(Unit.abbreviation == abbreviation)
    if organisation_id is not None:
        query = query.where(Unit.organisation_id == organisation_id)
    return db.session.scalars(query).first()


def vn(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A moment given in Vietnam time, as stored (UTC)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN_TZ).astimezone(UTC)


def incoming(org: Organisation | int, arrival: date, *, to: User | Unit | None = None,
             via: Unit | None = None, deadline: date | None = None, done_at: datetime | None = None,
             status: str | None = None,
             confidential: bool = False, channel: str = "upload", subject: str = "Về việc báo cáo",
             sender: str = "UBND tỉnh Phú Thọ", **extra) -> IncomingDocument:
    """A document of the sổ đến (or, for channel internal/meeting, the commune's own) with its
    main handler (``to``; ``via``: the unit it was given to, whose head handed it on to ``to``).
    ``status`` defaults to done when ``done_at`` is given, else to assigned
    (registered when nobody handles it)."""
    org_id = org if isinstance(org, int) else org.id
    own = channel in ("internal", "meeting")
    number = register = None
    if not own:
        register = register_for(org_id, Direction.INCOMING, arrival.year, confidential)
        number = take_number(register)
    if status is None:
        status = "done" if done_at else ("assigned" if to is not None else "registered")
    if confidential:
        status, channel, subject = "paper", "paper", ""
    doc = IncomingDocument(
        organisation_id=org_id, register_id=register.id if register else None, arrival_number=number,
        arrival_date=arrival, received_at=vn(arrival, 8), sender_name=sender,
        number_symbol=f"{number or 0}/UBND-VP", issue_date=arrival - timedelta(days=1),
        doc_type="cong_van", subject=subject, channel=channel, status=status, deadline=deadline,
        completed_at=done_at, confidentiality="mat" if confidential else "thuong",
        paper_holder="Văn thư" if confidential else "", created_at=vn(arrival, 8), **extra,
    )
    db.session.add(doc)
    db.session.flush()
    if to is not None:
        db.session.add(Assignment(
            document_id=doc.id, role="main", deadline=deadline, assigned_at=vn(arrival, 10),
            assignee_user_id=to.id if isinstance(to, User) else None,
            assignee_unit_id=to.id if isinstance(to, Unit) else (via.id if via else None),
            done_at=done_at,
        ))
        db.session.flush()
    return doc


def outgoing(org: Organisation | int, drafter: User, *, status: str = "draft", created: date,
             issued_on: date | None = None, issued_at: datetime | None = None, confidential: bool = False,
             subject: str = "Về việc triển khai", **extra) -> OutgoingDocument:
    org_id = org if isinstance(org, int) else org.id
    number = register = None
    if issued_on is not None:
        register = register_for(org_id, Direction.OUTGOING, issued_on.year, confidential)
        number = take_number(register)
    doc = OutgoingDocument(
        organisation_id=org_id, doc_type="cong_van", subject="" if confidential else subject,
        drafting_unit_id=drafter.unit_id, drafter_id=drafter.id, status=status,
        confidentiality="mat" if confidential else "thuong", created_at=vn(created, 8),
        register_id=register.id if register else None, number=number,
        number_symbol=f"{number}/UBND-VP" if number else "", issued_on=issued_on,
        issued_at=issued_at or (vn(issued_on, 15) if issued_on else None), **extra,
    )
    db.session.add(doc)
    db.session.flush()
    return doc


def build_november() -> dict:
    """November 2026 in the demo commune, document by document:

    on time (3): done the day before the deadline; done at 23:30 on the deadline day; done
      early with the unit's help — all Phạm Văn Đức's (KT), the last through the unit;
    late (2): done at 00:30 the day after the deadline (Đức); done two days late (Đỗ Thị Hà, KT);
    done with no deadline (1): Hà;
    open within the deadline (3): Hà's with a deadline after today; Hà's with none; one not
      yet directed (nobody handles it);
    open overdue (2): one the KT unit has not handed on; one of Lê Thị Ngọc (VP);
    returned (1).
    Outside the figures: a confidential entry, a document of October, one of another commune.
    """
    chair = user("chutich")
    org = chair.organisation_id
    kt = unit("KT", org)
    duc, ha, ngoc = user("cv.kt1"), user("cv.kt2"), user("cv.vp")
    d = {}
    d["early"] = incoming(org, date(2026, 11, 2), to=duc, deadline=date(2026, 11, 13),
                          done_at=vn(date(2026, 11, 12), 10))
    d["at_night"] = incoming(org, date(2026, 11, 3), to=duc, deadline=date(2026, 11, 13),
                             done_at=vn(date(2026, 11, 13), 23, 30))
    d["via_unit"] = incoming(org, date(2026, 11, 4), to=duc, via=kt, deadline=date(2026, 11, 20),
                             done_at=vn(date(2026, 11, 16), 8))
    d["after_midnight"] = incoming(org, date(2026, 11, 5), to=duc, deadline=date(2026, 11, 13),
                                   done_at=vn(date(2026, 11, 14), 0, 30))
    d["two_days_late"] = incoming(org, date(2026, 11, 9), to=ha, via=kt, deadline=date(2026, 11, 18),
                                  done_at=vn(date(2026, 11, 20), 14))
    d["no_deadline"] = incoming(org, date(2026, 11, 10), to=ha, done_at=vn(date(2026, 11, 11), 9))
    d["open_later"] = incoming(org, date(2026, 11, 20), to=ha, deadline=date(2026, 12, 10))
    d["open_none"] = incoming(org, date(2026, 11, 21), to=ha, status="in_progress")
    d["undirected"] = incoming(org, date(2026, 11, 30))
    d["unit_overdue"] = incoming(org, date(2026, 11, 23), to=kt, deadline=date(2026, 11, 30))
    d["ngoc_overdue"] = incoming(org, date(2026, 11, 24), to=ngoc, deadline=date(2026, 12, 1))
    d["returned"] = incoming(org, date(2026, 11, 25), status="returned")
    d["secret"] = incoming(org, date(2026, 11, 6), confidential=True)
    d["october"] = incoming(org, date(2026, 10, 30), to=duc, deadline=date(2026, 11, 2),
                            done_at=vn(date(2026, 11, 3), 9))
    other = user("cv.lacson")
    d["other_commune"] = incoming(other.organisation_id, date(2026, 11, 2), to=other,
                                  deadline=date(2026, 11, 3), done_at=vn(date(2026, 11, 5), 9))
    db.session.commit()
    return d
