"""Command-line door: ``flask --app docmgmt search reindex|drain|check``."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from .backend import get_backend
from .indexing import extract_missing, indexable_count, pending_count, reindex_with_bar, settle

search_cli = AppGroup("search", help="The full-text search index.")


@search_cli.command("reindex")
def reindex_command():
    """Rebuild the whole index from the database (searches keep working meanwhile)."""
    count = reindex_with_bar()
    click.echo(f"{count} documents indexed")


@search_cli.command("drain")
def drain_command():
    """Bring the index up to date now: read the attached files not read yet (sandboxed,
    one at a time), then apply every queued update (including those left by a process
    that stopped mid-way)."""
    before = pending_count()
    applied = settle()
    click.echo(f"{applied} queued updates applied, {pending_count()} left (of {before})")


@search_cli.command("extract")
def extract_command():
    """Read the text of attached files not read yet (what the worker does in the
    background), then index it."""
    click.echo(f"{extract_missing()} file(s) read")


@search_cli.command("check")
def check_command():
    """Read every segment and compare the count with the database; exit 1 if damaged."""
    report = get_backend().check(expected_docs=indexable_count())
    report["queued"] = pending_count()
    click.echo(json.dumps(report, ensure_ascii=False))
    if not report["ok"]:
        click.echo("index damaged or incomplete: run `flask --app docmgmt search reindex`",
                   err=True)
        sys.exit(1)
