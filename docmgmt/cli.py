"""Command-line door: ``flask --app docmgmt <command>``.

Commands are thin: they call the same operations as the web and the API and commit
once at the end, like a request.
"""

from __future__ import annotations

import functools
import sys

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from .extensions import db


def transactional(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            result = fn(*args, **kwargs)
            db.session.commit()
            return result
        except BaseException:
            db.session.rollback()
            raise

    return wrapper


audit_cli = AppGroup("audit", help="The hash-chained audit log.")
users_cli = AppGroup("users", help="Users and accounts.")
files_cli = AppGroup("files", help="The file store.")


@audit_cli.command("verify")
@click.option("--org", "organ_id", help="Only this organisation (edXML OrganId).")
def audit_verify(organ_id: str | None):
    """Walk every chain; name the first edited, inserted or deleted entry."""
    from .audit.operations import verify
    from .org.models import Organisation

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
    from .org.models import Organisation
    from .org.operations import create_user

    org = db.session.scalar(sa.select(Organisation).where(Organisation.organ_id == organ_id))
    if org is None:
        raise click.ClickException(f"no organisation {organ_id}")
    user = create_user(None, org, username=username, full_name=full_name, password=password,
                       roles=roles)
    click.echo(f"created {user.username}")


@users_cli.command("unlock")
@click.argument("username")
@transactional
def users_unlock(username):
    """Lift a lockout after repeated failed logins."""
    from .audit.operations import record
    from .org.models import User

    user = db.session.scalar(sa.select(User).where(User.username == username.lower()))
    if user is None:
        raise click.ClickException(f"no user {username}")
    user.locked_until = None
    user.failed_logins = 0
    record(user.organisation_id, None, "auth.unlocked", user, "CLI")
    click.echo(f"unlocked {user.username}")


@files_cli.command("check")
@click.option("--remove-orphans", is_flag=True, help="Delete files on disk that have no record.")
def files_check(remove_orphans):
    """Every record has its file and every file its record."""
    from .files.store import orphans_and_missing

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


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when an organisation exists already.")
@transactional
def seed_demo(if_empty):
    """Load the demo commune (UBND xã Kim Bôi): units, users of every role."""
    from .demo import seed
    from .org.models import Organisation

    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)):
        click.echo("database not empty: demo not loaded")
        return
    org = seed()
    click.echo(f"demo commune loaded: {org.name} ({org.organ_id})")


def register_cli(app: Flask) -> None:
    app.cli.add_command(audit_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(files_cli)
    app.cli.add_command(seed_demo)
