"""CLI doors of the exchange: ``export-edxml``, ``import-edxml``, ``exchange run``."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup, with_appcontext

from ..core.errors import DomainError
from ..extensions import db
from ..org.models import Organisation
from ..outgoing.models import OutgoingDocument
from .delivery import run_once
from .errors import (
    BASE64,
    CONFIDENTIAL,
    ENTITY,
    INVALID,
    MALFORMED,
    MISSING,
    NAMESPACE,
    NOT_ADDRESSED,
    TOO_DEEP,
    TOO_LARGE,
    TOO_LONG,
    TOO_MANY,
    ZIP,
    EdxmlError,
)
from .operations import export_edoc, organisation_by_organ_id, receive_message
from .safexml import DEFAULT_MAX_BYTES
from .settings import settings

exchange_cli = AppGroup("exchange", help="The provincial edXML exchange (liên thông văn bản).")


# The operator at the command line may not read Vietnamese: each refusal also in English.
ENGLISH = {
    MALFORMED: "not well-formed XML (truncated or broken)",
    NAMESPACE: "not in the QCVN 102:2016 edXML namespace",
    MISSING: "a required element is missing",
    INVALID: "a value cannot be understood",
    BASE64: "an attachment is not valid base64",
    ENTITY: "DOCTYPE or entity declarations are refused",
    TOO_LARGE: "over a size limit",
    TOO_MANY: "an element is repeated more than allowed",
    TOO_LONG: "a value is longer than allowed (refused, never truncated)",
    TOO_DEEP: "elements are nested too deep",
    ZIP: "a zipped attachment is unsafe or broken",
    CONFIDENTIAL: "claims a confidentiality level: never received online",
    NOT_ADDRESSED: "the message is not addressed to this organisation; nothing registered",
}


def _edxml_failure(exc: EdxmlError) -> click.ClickException:
    where = f" [{exc.field}]" if exc.field else ""
    english = ENGLISH.get(exc.code, "")
    return click.ClickException(f"{exc.code}{where}: {exc.message_vi}" + (f"\n({english})" if english else ""))


@click.command("export-edxml")
@with_appcontext
@click.argument("document_id", type=int)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True),
    help="File to write (default: standard output).",
)
def export_edxml(document_id, out):
    """Write the edXML message of an issued outgoing document (by its id)."""
    doc = db.session.get(OutgoingDocument, document_id)
    if doc is None:
        raise click.ClickException(f"no outgoing document {document_id}")
    try:
        data = export_edoc(doc)
    except DomainError as err:
        raise click.ClickException(err.message) from None
    except EdxmlError as exc:
        raise _edxml_failure(exc) from None
    if not out:
        sys.stdout.buffer.write(data)
        return
    path = Path(out)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    click.echo(f"{doc.number_symbol} → {path} ({len(data)} bytes)", err=True)


@click.command("import-edxml")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--org", "organ_id", help="Our organisation's OrganId (needed when several communes share the database)."
)
@click.option("--clerk", default="", help="Register as this clerk (default: the first one).")
def import_edxml(file, organ_id, clerk):
    """Receive an edXML message from a file: register it, or apply it.

    Only a message addressed to the organisation (its ``To``, or for a status the
    ``ResponseFor``) is taken, as from the hub; anything else is refused, exit code 1."""
    if organ_id:
        try:
            org = organisation_by_organ_id(organ_id)
        except DomainError as err:
            raise click.ClickException(f"{err.code}: {err.message}") from None
    else:
        orgs = list(db.session.scalars(sa.select(Organisation)))
        if len(orgs) != 1:
            raise click.ClickException("several organisations: choose one with --org")
        org = orgs[0]
    path = Path(file)
    if path.stat().st_size > DEFAULT_MAX_BYTES:  # refused before it is read into memory
        raise _edxml_failure(EdxmlError(
            TOO_LARGE, f"Gói tin edXML quá lớn; giới hạn cho phép là {DEFAULT_MAX_BYTES // (1024 * 1024)} MiB."))
    data = path.read_bytes()
    try:
        result = receive_message(org, data, clerk=clerk)
        db.session.commit()
    except EdxmlError as exc:
        db.session.rollback()
        raise _edxml_failure(exc) from None
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(f"{err.code}: {err.message}") from None
    click.echo(f"{result.outcome}: {result.document_id} — {result.message}")


def run_exchange_once() -> str:
    """One pass: push what is due, pull what waits; one report for the worker's log."""
    report = run_once()
    return "" if report.idle else str(report)


@exchange_cli.command("run")
@click.option("--once", is_flag=True, help="One pass, then exit (cron, tests).")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between passes.")
def exchange_run(once, interval):
    """Deliver the outbox and receive from the hub (or drop folder), with retries."""
    cfg = settings()
    if not cfg.configured:
        raise click.ClickException(
            "exchange not configured: set XASO_EXCHANGE_URL (and a token) or XASO_EXCHANGE_DIR"
        )
    while True:
        try:
            report = run_once(cfg)
            if not report.idle:
                click.echo(str(report))
        except Exception as exc:  # noqa: BLE001 - a bad pass must not stop the loop
            db.session.rollback()
            click.echo(f"exchange pass failed: {type(exc).__name__}: {exc}", err=True)
            if once:
                raise
        finally:
            db.session.remove()
        if once:
            return
        time.sleep(interval)
