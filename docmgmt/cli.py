"""Command-line door: ``flask --app docmgmt <command>``.

Commands are thin: they call the same operations as the web and the API and commit
once at the end, like a request.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from marshmallow import ValidationError

from .audit.operations import record, verify
from .auth.operations import lift_lockout
from .core.errors import DomainError
from .core.permissions import Permission
from .core.schemas import field_errors
from .core.transaction import transactional
from .delegation.operations import notify_due
from .demo import ORGANISATION, seed
from .exchange.cli import exchange_cli, export_edxml, import_edxml, run_exchange_once
from .extensions import db
from .files.operations import prune_unattached
from .files.store import orphans_and_missing
from .incoming.export import FORMATS, register_export
from .incoming.operations import send_reminders
from .maintenance.check import sweep_leftovers
from .maintenance.cli import register as register_maintenance_cli
from .notifications.mail import SmtpMailer
from .org.models import Organisation, User
from .org.operations import create_user
from .org.schemas import UserCreateSchema
from .records.cli import records_cli
from .records.cli import remind_once as remind_transfers
from .searching.indexing import drain, extract_missing
from .signing.cli import keys_cli

audit_cli = AppGroup("audit", help="The hash-chained audit log.")
users_cli = AppGroup("users", help="Users and accounts.")
files_cli = AppGroup("files", help="The file store.")
incoming_cli = AppGroup("incoming", help="Incoming documents: reminders, the register.")


@audit_cli.command("verify")
@click.option("--org", "organ_id", help="Only this organisation (edXML OrganId).")
def audit_verify(organ_id: str | None):
    """Walk every chain; name the first edited, inserted or deleted entry."""
    org_id = None
    if organ_id:
        org_id = db.session.scalar(sa.select(Organisation.id).where(Organisation.organ_id == organ_id))
        if org_id is None:
            raise click.ClickException(f"no organisation {organ_id}")
    problems = verify(org_id)
    if problems:
        for problem in problems:
            click.echo(f"BROKEN: {problem}", err=True)
        sys.exit(1)
    click.echo("audit chain intact")


@users_cli.command("create")
@click.option("--org", "organ_id", required=True, help="edXML OrganId of the organisation")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option("--role", "roles", multiple=True, required=True)
@click.password_option()
@transactional
def users_create(organ_id, username, full_name, roles, password):
    """Create a user (the first administrator of a commune, for instance)."""
    org = db.session.scalar(sa.select(Organisation).where(Organisation.organ_id == organ_id))
    if org is None:
        raise click.ClickException(f"no organisation {organ_id}")
    try:  # the API's definition of a new account: its fields and their limits
        data = UserCreateSchema().load({"username": username, "full_name": full_name,
                                        "password": password, "roles": list(roles)})
    except ValidationError as err:
        name, problems = next(iter(field_errors(err.messages).items()))
        raise click.ClickException(f"--{name.replace('_', '-')}: {problems[0]}") from None
    user = create_user(None, org, **data)
    click.echo(f"created {user.username}")


@users_cli.command("unlock")
@click.argument("username")
@transactional
def users_unlock(username):
    """Lift a lockout after repeated failed logins."""
    user = db.session.scalar(sa.select(User).where(User.username == username.lower()))
    if user is None:
        raise click.ClickException(f"no user {username}")
    lift_lockout(user)  # every address and device locked out of it
    record(user.organisation_id, None, "auth.unlocked", user, "CLI")
    click.echo(f"unlocked {user.username}")


@files_cli.command("check")
@click.option("--remove-orphans", is_flag=True, help="Delete files on disk that have no record.")
def files_check(remove_orphans):
    """Every record has its file and every file its record."""
    orphans, missing = orphans_and_missing()
    for sha in missing:
        click.echo(f"MISSING {sha}", err=True)
    for path in orphans:
        click.echo(f"ORPHAN {path}")
        if remove_orphans:
            path.unlink()
    if missing:
        sys.exit(1)
    click.echo(f"{len(missing)} missing, {len(orphans)} orphan(s)")


@files_cli.command("prune")
@click.option("--older-than", "hours", type=click.FloatRange(min=0), default=None,
              help="Grace period in hours (default: XASO_UNATTACHED_GRACE_HOURS, 24).")
def files_prune(hours):
    """Remove uploaded files that nothing refers to, older than the grace period (each
    removal in the audit log; the worker does this every hour)."""
    click.echo(str(prune_unattached(older_than=None if hours is None else timedelta(hours=hours))))


def send_reminders_once() -> str:
    """Remind handlers one working day before and on their deadline; one line of report.

    In-app notifications always; e-mail too when XASO_SMTP_HOST and XASO_SMTP_FROM are
    set. Each reminder goes out once, however often this runs.
    """
    mailer = SmtpMailer.from_app()
    if mailer is None:
        return f"{send_reminders()} reminder(s) sent (in-app; e-mail not configured)"
    with mailer:
        sent = send_reminders(mailer=mailer)
    report = f"{sent} reminder(s) sent; {mailer.sent} e-mail(s) delivered to {mailer.host}:{mailer.port}"
    for to, problem in mailer.failed:
        report += f"\nE-MAIL FAILED {to}: {problem}"
    return report


@incoming_cli.command("remind")
@transactional
def incoming_remind():
    """Send due reminders now (the worker does this every few minutes)."""
    click.echo(send_reminders_once())


@incoming_cli.command("export-register")
@click.option("--year", type=int, required=True, help="Calendar year of the register.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "pdf"]), default="xlsx",
              show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), required=True,
              help="File to write.")
@click.option("--org", "organ_id", help="edXML OrganId (needed when several communes share "
              "the database).")
@click.option("--as", "username", help="Export as this user (default: the organisation's "
              "first active clerk); the domain checks their right to see the register.")
@click.option("--confidential", is_flag=True, help="The confidential series (sổ mật).")
@transactional
def incoming_export_register(year, fmt, out, organ_id, username, confidential):
    """Write the incoming register (sổ đến, NĐ30 Phụ lục IV) of a year to XLSX or PDF."""
    orgs = list(db.session.scalars(sa.select(Organisation).order_by(Organisation.id)))
    if organ_id:
        orgs = [o for o in orgs if o.organ_id == organ_id]
    if len(orgs) != 1:
        raise click.ClickException(f"no organisation {organ_id}" if organ_id else
                                   "several organisations: choose one with --org")
    org = orgs[0]
    users = db.session.scalars(
        sa.select(User).where(User.organisation_id == org.id, User.active.is_(True))
        .order_by(User.id))
    if username:
        user = next((u for u in users if u.username == username.lower()), None)
    else:
        user = next((u for u in users if u.can(Permission.REGISTER_INCOMING)), None)
    if user is None:
        raise click.ClickException(f"no active user {username or 'with the clerk role'} "
                                   f"in {org.name}")
    try:
        export = register_export(user, year, confidential)
    except DomainError as err:
        raise click.ClickException(f"{user.username}: {err.message}") from None
    render, _mime = FORMATS[fmt]
    data = render(export)
    path = Path(out)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    click.echo(f"{export.title}: {len(export.rows)} document(s) → {path} (as {user.username})")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when an organisation exists already.")
@transactional
def seed_demo(if_empty):
    """Load the demo commune (UBND xã Kim Bôi): units, users of every role."""
    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)):
        click.echo("database not empty: demo not loaded")
        return
    existing = db.session.scalar(sa.select(Organisation).where(Organisation.organ_id == ORGANISATION["organ_id"]))
    if existing is not None:
        click.echo(f"the demo commune exists already: {existing.name} ({existing.organ_id}); nothing loaded")
        return
    org = seed()
    click.echo(f"demo commune loaded: {org.name} ({org.organ_id})")


def _consultation_jobs() -> str:
    from meetings.consultations import run_jobs  # meetings is built on docmgmt: imported when run

    return run_jobs()


# A pass of the worker's file reading starts no new file after this many seconds: a backlog
# of scans for OCR (a page takes seconds) must not hold up reminders and the exchange.
EXTRACT_BUDGET_S = 60.0


@click.command("worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Run every job once and exit (for cron or tests).")
@click.option("--reminders-every", default=300, show_default=True, help="Seconds between reminder runs.")
@click.option("--drain-every", default=30, show_default=True, help="Seconds between search-index drains.")
@click.option("--extract-every", default=5, show_default=True,
              help="Seconds between readings of attached files' text for the index.")
@click.option("--exchange-every", default=15, show_default=True,
              help="Seconds between provincial exchange passes (when configured).")
@click.option("--prune-every", default=3600, show_default=True,
              help="Seconds between removals of old unattached uploads (files prune).")
def worker(once, reminders_every, drain_every, extract_every, exchange_every, prune_every):
    """Background jobs for one deployment: deadline reminders (incoming documents, written
    consultations, which also close at their deadline), the text of attached files
    for the search index, and leftover search-index updates. `make run` starts one beside
    the web server; at province scale run one per deployment (the jobs are idempotent, so
    a second one does no harm)."""
    jobs = [("reminders", reminders_every, lambda: send_reminders_once()),
            ("search-drain", drain_every, lambda: f"{drain()} index job(s) applied"),
            ("files-prune", prune_every, lambda: str(prune_unattached())),
            # What crashes leave in the store (bytes never committed, half uploads).
            ("files-leftovers", prune_every, lambda: sweep_leftovers()),
            # Off the request path: each file read once, in the sandbox, one at a time.
            ("search-extract", extract_every,
             lambda: f"{extract_missing(lock_timeout=0, budget_s=EXTRACT_BUDGET_S)} file(s) read for the index"),
            ("exchange", exchange_every, run_exchange_once),
            # Written consultations: closed at their deadline, the members reminded.
            ("consultations", reminders_every, _consultation_jobs),
            # Delegations that started or ended by themselves: both people are told, once.
            ("delegations", reminders_every, lambda: f"{notify_due()} delegation(s) announced"),
            # Records: who still has dossiers to hand over, told 30 days before the due date.
            ("records", reminders_every, remind_transfers)]
    due = {name: 0.0 for name, _every, _fn in jobs}
    while True:
        now = time.monotonic()
        for name, every, fn in jobs:
            if now < due[name]:
                continue
            try:
                report = fn()
                db.session.commit()
                if report and not report.startswith("0 "):
                    click.echo(f"[{name}] {report}")
            except Exception as exc:  # noqa: BLE001 - a job's failure must not stop the others
                db.session.rollback()
                click.echo(f"[{name}] failed: {type(exc).__name__}: {exc}", err=True)
            due[name] = now + every
        db.session.remove()
        if once:
            return
        time.sleep(min(every for _name, every, _fn in jobs) / 3)


def register_cli(app: Flask) -> None:
    app.cli.add_command(audit_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(files_cli)
    app.cli.add_command(incoming_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(keys_cli)
    app.cli.add_command(worker)
    app.cli.add_command(exchange_cli)
    app.cli.add_command(export_edxml)
    app.cli.add_command(import_edxml)
    app.cli.add_command(records_cli)
    register_maintenance_cli(app)
