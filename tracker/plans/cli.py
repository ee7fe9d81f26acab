"""`flask --app wsgi plans parse FILE --json` and `plans import FILE…`."""

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from tracker.core import terminal
from tracker.plans.engine import PlanFormatError, parse_plan_file
from tracker.plans.importer import import_plan
from tracker.plans.operations import learned_aliases
from tracker.plans.signals import parsed_plan_extras

plans_cli = AppGroup("plans", help="Read and import plan documents.")


def _parse_or_exit(path: str):
    try:
        return parse_plan_file(path, max_bytes=current_app.config["MAX_PLAN_BYTES"], learned_aliases=learned_aliases)
    except PlanFormatError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


@plans_cli.command("parse")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the parsed plan as JSON.")
def parse_command(file: str, as_json: bool) -> None:
    """Read FILE and print what would be imported. Stores nothing."""
    parsed = _parse_or_exit(file)
    if as_json:
        # the packages built on plans add what they read in it (tracker.indicators: "indicators")
        click.echo(json.dumps(parsed.to_json() | parsed_plan_extras(parsed), ensure_ascii=False, indent=2))
        return
    click.echo(f"{parsed.title}\n{parsed.region or '—'}, {parsed.period.start.year}–{parsed.period.end.year}")
    click.echo(f"{len(parsed.sections)} sections, {len(parsed.activities)} activities, "
               f"{sum(len(a.deadline.due_dates) for a in parsed.activities)} due dates, "
               f"{len(parsed.legend)} legend entries")
    for warning in parsed.warnings:
        click.echo(f"warning: {warning.activity or '—'} [{warning.field}] {warning.message}")


@plans_cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def import_command(files: tuple[str, ...]) -> None:
    """Import each FILE in its own transaction (a failing file leaves nothing behind)."""
    failed = 0
    with terminal.progress("Importing plans", len(files)) as step:
        for file in files:
            if not _import_one(file):
                failed += 1
            step(1)
    if failed:
        sys.exit(1)


def _import_one(file: str) -> bool:
    """Import one file and say how it went; False when it could not be read."""
    try:
        parsed = parse_plan_file(file, max_bytes=current_app.config["MAX_PLAN_BYTES"], learned_aliases=learned_aliases)
        summary = import_plan(parsed, Path(file).name, Path(file).read_bytes())
    except PlanFormatError as exc:
        terminal.echo(f"error: {exc}", err=True)
        return False
    verb = "imported" if summary.created else "updated"
    terminal.echo(f"{verb} plan {summary.plan_id}: {parsed.title[:90]}")
    terminal.echo(f"  {summary.activities} activities, {summary.obligations} due dates, "
                  f"{summary.bodies_created} new bodies, {len(summary.warnings)} warnings")
    for warning in summary.warnings:
        terminal.echo(f"  warning: {warning}")
    return True


#: the files `import-folder` takes: text extracts, Word, Excel and CSV, PDF, and the old formats
#: LibreOffice converts (.doc/.rtf/.odt/.xls/.ods; refused with one line where it is not installed)
PLAN_SUFFIXES = (".txt", ".docx", ".xlsx", ".csv", ".pdf", ".doc", ".rtf", ".odt", ".xls", ".ods")


@plans_cli.command("import-folder")
@click.argument("folder", required=False, type=click.Path(file_okay=False))
@click.pass_context
def import_folder_command(ctx: click.Context, folder: str | None) -> None:
    """Import every plan document in FOLDER (default: the plans/ folder)."""
    folder_path = Path(folder or current_app.config["PLANS_DIR"])
    files = sorted(str(p) for p in folder_path.iterdir()
                   if p.suffix.lower() in PLAN_SUFFIXES and not p.name.startswith("."))
    if not files:
        click.echo(f"no plan documents in {folder_path}")
        return
    ctx.invoke(import_command, files=tuple(files))
