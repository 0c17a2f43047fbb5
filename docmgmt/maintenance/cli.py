"""Command-line door: ``flask --app docmgmt check | backup | restore``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from .backup import MaintenanceError, backup, restore
from .check import AREAS, DEFAULT_GRACE_S, render_text, run_checks


@click.command("check")
@click.option("--quick", is_flag=True, help="Check that each blob exists with its size; skip the SHA-256.")
@click.option("--repair", is_flag=True,
              help="Remove leftovers of crashes (files without a record, half-written uploads) and "
                   "rebuild the search index if it disagrees with the database. Records, numbers, "
                   "the audit log and meeting logs are never changed.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of the report.")
@click.option("--grace", type=float, default=DEFAULT_GRACE_S, show_default=True,
              help="Seconds during which a new file or index job may still belong to a request "
                   "in flight (not reported). 0 on a stopped instance.")
@click.option("--only", "areas", multiple=True, type=click.Choice(AREAS), help="Only these areas.")
@with_appcontext
def check_command(quick, repair, as_json, grace, areas):
    """Verify the whole instance: files and their hashes, registers without gaps, the
    audit chain, the search index, meeting logs. Exit 1 if anything is wrong."""
    report = run_checks(quick=quick, repair=repair, grace=grace, areas=areas or AREAS)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, default=str))
    else:
        click.echo(render_text(report))
    sys.exit(0 if report.ok else 1)


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(out: Path):
    """Archive the running instance into OUT (.tar, or .tar.gz): a database snapshot, the
    blobs it records, the instance folder's key, a manifest. Keep it safe: it holds the
    key that opens the signing keys."""
    try:
        result = backup(out, log=lambda m: click.echo(m, err=True))
    except MaintenanceError as exc:
        raise click.ClickException(str(exc)) from None
    m = result.manifest
    click.echo(f"{result.path}: revision {m['database']['revision']}, "
               f"{sum(m['database']['counts'].values())} rows, {m['files']['count']} blobs "
               f"({m['files']['bytes']} bytes), {len(m['members'])} members")
    for problem in result.problems:
        click.echo(f"ERROR: {problem}", err=True)
    sys.exit(1 if result.problems else 0)


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace an instance that holds data (stop its server and worker first).")
@with_appcontext
def restore_command(archive: Path, force: bool):
    """Bring an archive made by `backup` back into this (empty) instance; the search index
    is rebuilt and the result checked."""
    try:
        result = restore(archive, force=force, log=lambda m: click.echo(m, err=True))
    except MaintenanceError as exc:
        raise click.ClickException(str(exc)) from None
    m = result.manifest
    click.echo(f"restored {archive.name} (taken {m['created_at']}, revision "
               f"{m['database']['revision']}): {m['files']['count']} blobs, "
               f"{result.indexed} documents indexed")
    for warning in result.warnings:
        click.echo(f"WARNING: {warning}", err=True)
    for problem in result.problems:
        click.echo(f"ERROR: {problem}", err=True)
    click.echo(render_text(result.report))
    sys.exit(0 if result.report.ok and not result.problems else 1)


def register(app: Flask) -> None:
    app.cli.add_command(check_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
