"""Registers (sổ văn bản) and their number series.

Numbers run 1, 2, … through a calendar year per register and restart on 1 January.
A number is taken with one ``UPDATE … SET last_number = last_number + 1 RETURNING``:
on PostgreSQL the row lock makes concurrent transactions queue, on SQLite the write
lock does; the unique constraint on (register, number) in each document table is the
last line of defence. The number is taken inside the transaction that writes the
document, so a failure rolls the counter back too: no gap, no duplicate.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model, db
from ..org.models import OrgScoped


class Direction(enum.StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


class Register(OrgScoped, Model):
    __tablename__ = "register"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "direction", "year", "confidential"),
        sa.CheckConstraint("direction IN ('incoming','outgoing')", name="direction"),
        sa.CheckConstraint("last_number >= 0", name="last_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(sa.String(16))
    year: Mapped[int]
    confidential: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str] = mapped_column(sa.String(255))
    last_number: Mapped[int] = mapped_column(default=0)

    @property
    def label(self) -> str:
        return self.name


def register_for(organisation_id: int, direction: Direction, year: int, confidential: bool) -> Register:
    """This year's register, created on first use (numbers restart every 1 January)."""
    query = sa.select(Register).where(
        Register.organisation_id == organisation_id, Register.direction == str(direction),
        Register.year == year, Register.confidential == confidential,
    )
    register = db.session.scalar(query)
    if register is not None:
        return register
    kind = "đến" if direction is Direction.INCOMING else "đi"
    name = f"Sổ văn bản {kind} {'mật ' if confidential else ''}năm {year}"
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Two clerks registering the first document of the year at once both succeed.
    db.session.execute(
        insert(Register).values(
            organisation_id=organisation_id, direction=str(direction), year=year,
            confidential=confidential, name=name, last_number=0,
        ).on_conflict_do_nothing()
    )
    register = db.session.scalar(query)
    assert register is not None  # inserted just now, or by the clerk who got there first
    return register


def take_number(register: Register) -> int:
    table = Register.__table__
    assert isinstance(table, sa.Table)
    number = db.session.execute(
        sa.update(table).where(table.c.id == register.id)
        .values(last_number=table.c.last_number + 1).returning(table.c.last_number)
    ).scalar_one()
    db.session.expire(register, ["last_number"])
    return number


def format_number(number: int) -> str:
    """NĐ30: numbers below 10 get a leading zero (01, 02, … 09, 10, 11 …)."""
    return f"{number:02d}"
