"""Command-line door of records: ``flask records …``.

Thin, like every command: each calls the operations (and the exports) the pages and the
API call, as a person of the commune — ``--as``, or the commune's first active archive
role (the clerk) — so the same rules decide what they may read; a refusal is a one-line
message, never a traceback.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..core.errors import DomainError
from ..core.permissions import Permission
from ..core.timeutil import format_date
from ..core.transaction import transactional
from ..extensions import db
from ..org.models import Organisation, User
from . import access, export
from . import operations as ops

records_cli = AppGroup("records", help="Electronic records: dossier plans, dossiers, transfers to the archive.")

PLAN_FORMATS = ("docx", "pdf", "xlsx")


def _organisation(organ_id: str | None) -> Organisation:
    orgs = list(db.session.scalars(sa.select(Organisation).order_by(Organisation.id)))
    if organ_id:
        orgs = [o for o in orgs if o.organ_id == organ_id]
    if len(orgs) != 1:
        raise click.ClickException(f"no organisation {organ_id}" if organ_id else
                                   "several organisations: choose one with --org")
    return orgs[0]


def _actor(organ_id: str | None, username: str | None) -> User:
    """``--as`` (of that commune), or the commune's first active person of the archive role."""
    if username and not organ_id:  # (usernames are unique: the person names their commune)
        person = db.session.scalar(sa.select(User).where(User.username == username.lower(), User.active.is_(True)))
        if person is None:
            raise click.ClickException(f"no active user {username}")
        return person
    org = _organisation(organ_id)
    people = db.session.scalars(sa.select(User).where(User.organisation_id == org.id, User.active.is_(True))
                                .order_by(User.id))
    if username:
        person = next((u for u in people if u.username == username.lower()), None)
    else:
        person = next((u for u in people if u.can(Permission.MANAGE_RECORDS)), None)
    if person is None:
        raise click.ClickException(f"no active user {username or 'with the archive role (clerk)'} in {org.name}")
    return person


def _run(person: User, act: Callable[[], Any]) -> Any:
    try:
        return act()
    except DomainError as err:
        raise click.ClickException(f"{person.username}: {err.message}") from None


def _write(out: str, data: bytes | IO[bytes]) -> Path:
    """All or nothing: a half-written file never takes the name. ``data``: bytes, or an
    open file (a package), copied in chunks and closed."""
    path = Path(out)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            with data, tmp.open("wb") as target:
                shutil.copyfileobj(data, target, 1024 * 1024)
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {path}: {err.strerror or err}") from None
    return path


_ORG = click.option("--org", "organ_id", help="edXML OrganId (needed when several communes share the database).")
_AS = click.option("--as", "username", help="Act as this user (default: the commune's first active clerk); "
                   "the same rules as on the pages decide what they may read.")


@records_cli.command("plans")
@_ORG
@_AS
@transactional
def records_plans(organ_id: str | None, username: str | None) -> None:
    """List the dossier plans (Danh mục hồ sơ), newest year first."""
    person = _actor(organ_id, username)
    plans = _run(person, lambda: ops.plans(person))
    if not plans:
        click.echo("no dossier plan")
        return
    for plan in plans:
        approval = (f"Quyết định số {plan.decision_number} ngày {format_date(plan.decision_date)}"
                    if plan.decision_number else "")
        counts: dict[str, int] = {}
        for dossier in plan.dossiers:
            counts[dossier.status] = counts.get(dossier.status, 0) + 1
        states = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        click.echo(f"{plan.year}\t{plan.status_enum.label}\t{len(plan.dossiers)} dossier(s)"
                   f"{f' ({states})' if states else ''}\t{approval}".rstrip())


@records_cli.command("export-plan")
@click.option("--year", type=int, required=True, help="The plan's year.")
@click.option("--format", "fmt", type=click.Choice(PLAN_FORMATS), default="docx", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True, help="File to write.")
@_ORG
@_AS
@transactional
def records_export_plan(year, fmt, out, organ_id, username):
    """Write the Danh mục hồ sơ of a year (Phụ lục V layout) to DOCX, PDF or XLSX."""
    person = _actor(organ_id, username)
    plan = _run(person, lambda: ops.plan_of_year(person, year))
    if plan is None:
        raise click.ClickException(f"{person.username}: no dossier plan of {year} they may open")
    render = {"docx": export.plan_docx, "pdf": export.plan_pdf, "xlsx": export.plan_xlsx}[fmt]
    data = _run(person, lambda: render(plan, ops.organisation_of(plan)))
    path = _write(out, data)
    click.echo(f"Danh mục hồ sơ năm {plan.year}: {len(plan.dossiers)} dossier(s) → {path} (as {person.username})")


@records_cli.command("export-dossier")
@click.option("--id", "dossier_id", type=click.IntRange(min=1), required=True, help="The dossier's id.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True, help="ZIP file to write.")
@_ORG
@_AS
@transactional
def records_export_dossier(dossier_id, out, organ_id, username):
    """Write a dossier as one package (ZIP: every document's PDF in order, the metadata as
    XML, the Mục lục văn bản as PDF)."""
    person = _actor(organ_id, username)
    dossier = _run(person, lambda: ops.get_dossier(person, dossier_id))
    # As that person may see it: only the documents they may open.
    data = _run(person, lambda: export.package_zip(dossier, access.visible_items(person, dossier),
                                                   ops.organisation_of(dossier)))
    path = _write(out, data)
    click.echo(f"hồ sơ {dossier.notation} ({dossier.plan.year}) → {path} (as {person.username})")


def remind_once() -> str:
    """The worker's job: owners told 30 days before a transfer's due date, once."""
    return f"{ops.remind_due_transfers()} transfer reminder(s) sent"


@records_cli.command("remind")
@transactional
def records_remind():
    """Remind the people who still have dossiers to hand over, 30 days before the due date
    (once each; the worker does this every few minutes)."""
    click.echo(remind_once())
