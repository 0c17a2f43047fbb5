"""Command-line door: ``flask --app docmgmt search reindex|drain|extract|check|status|ocr``."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from . import ocr
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
    report["ocr"] = ocr.backlog().as_dict()
    click.echo(json.dumps(report, ensure_ascii=False))
    if not report["ok"]:
        click.echo("index damaged or incomplete: run `flask --app docmgmt search reindex`",
                   err=True)
        sys.exit(1)


@search_cli.command("status")
def status_command():
    """The index's state in a few lines: documents, queued updates, and the scans read
    by OCR, waiting for it, or that it could not read."""
    report = get_backend().check(expected_docs=indexable_count())
    state = "ok" if report["ok"] else f"DAMAGED or incomplete ({report.get('error')})"
    click.echo(f"index: {state}; {report.get('docs')} documents, {pending_count()} update(s) queued")
    _echo_ocr(ocr.backlog())


def _echo_ocr(figure: ocr.Backlog) -> None:
    percent = f" ({figure.read * 100 // figure.total}%)" if figure.total else ""
    click.echo(f"scans (OCR): {figure.read} read{percent}, {figure.waiting} waiting, {figure.failed} failed")
    if figure.missing_tools:
        click.echo(f"OCR unavailable here: {figure.missing_tools}. Install it: "
                   "sudo apt-get install -y ocrmypdf tesseract-ocr-vie (or run scripts/setup.sh as root); "
                   "the waiting scans are then read by the worker.")


@search_cli.command("ocr")
@click.option("--retry-failed", is_flag=True, help="Read again the scans OCR could not read before.")
def ocr_command(retry_failed):
    """Read the scans waiting for OCR now (what the worker does in the background), and
    say how many are read, waiting or failed."""
    if retry_failed:
        click.echo(f"{ocr.retry_failed()} failed scan(s) to read again")
    click.echo(f"{extract_missing()} file(s) read")
    _echo_ocr(ocr.backlog())
