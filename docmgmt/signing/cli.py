"""``flask --app docmgmt keys …``: the commune CA and signing certificates."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..core.transaction import transactional
from ..extensions import db
from ..org.models import Organisation, User
from .errors import SigningError
from .keys import credentials, ensure_user_key, init_keys

keys_cli = AppGroup("keys", help="Signing keys: the commune CA and its certificates.")




@keys_cli.command("init")
@click.option("--org", "organ_id", help="Only this organisation (edXML OrganId); default: all.")
@transactional
def keys_init(organ_id: str | None):
    """Create the CA, the organisation certificate and leaders'/clerks' certificates
    where missing (running it again changes nothing)."""
    query = sa.select(Organisation).order_by(Organisation.id)
    if organ_id:
        query = query.where(Organisation.organ_id == organ_id)
    orgs = list(db.session.scalars(query))
    if not orgs:
        raise click.ClickException(f"no organisation {organ_id}" if organ_id else "no organisation")
    for org in orgs:
        before = len(credentials(org))
        init_keys(org)
        after = len(credentials(org))
        click.echo(f"{org.organ_id} {org.name}: {after - before} created, {after} in all")


@keys_cli.command("user")
@click.argument("username")
@transactional
def keys_user(username: str):
    """Issue a certificate to one more user (any role)."""
    user = db.session.scalar(sa.select(User).where(User.username == username.lower()))
    if user is None:
        raise click.ClickException(f"no user {username}")
    try:
        ensure_user_key(user)
    except SigningError as err:
        raise click.ClickException(err.message_vi) from None
    click.echo(f"{user.username}: certificate ready")


@keys_cli.command("show")
@click.option("--org", "organ_id", help="Only this organisation (edXML OrganId).")
def keys_show(organ_id: str | None):
    """List certificates (never keys): holder, subject, serial, validity."""
    query = sa.select(Organisation).order_by(Organisation.id)
    if organ_id:
        query = query.where(Organisation.organ_id == organ_id)
    for org in db.session.scalars(query):
        click.echo(f"{org.organ_id} {org.name}")
        for cred in credentials(org):
            click.echo(f"  {cred.holder:<14} {cred.key_type}  serial {cred.serial[:16]}…  "
                       f"{cred.not_before:%Y-%m-%d} → {cred.not_after:%Y-%m-%d}  {cred.subject}")
