"""`flask --app wsgi export xlsx OUT.xlsx [--plan ID] [--as-of YYYY-MM-DD]` — scheduled exports."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from tracker.core import terminal
from tracker.core.clock import now
from tracker.dashboard.filters import cli_day
from tracker.dashboard.queries import Filters
from tracker.export.tables import estimated_rows
from tracker.export.workbook import write_workbook

export_cli = AppGroup("export", help="The auditors' progress workbook.")


@export_cli.command("xlsx")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--plan", "plan_id", type=int, help="Only this plan.")
@click.option("--as-of", "as_of", help="The day to count as of (YYYY-MM-DD); default today.")
@click.option("--lang", type=click.Choice(["kk", "ru", "en"]), default="kk", show_default=True,
              help="The language of the headers.")
def xlsx_command(out: str, plan_id: int | None, as_of: str | None, lang: str) -> None:
    """Write the same workbook the dashboard's export button gives."""
    day = cli_day("--as-of", as_of)
    from tracker.extensions import db
    from tracker.plans.models import Plan

    if plan_id is not None and db.session.get(Plan, plan_id) is None:
        click.echo(f"error: there is no plan {plan_id}", err=True)
        sys.exit(1)
    filters = Filters(plan_id=plan_id)
    with force_locale(lang), terminal.progress("Writing rows", lambda: estimated_rows(day, filters)) as step:
        write_workbook(out, day, filters, exported_by="command line", portal_url=current_app.config["PORTAL_URL"],
                       exported_at=now(), progress=step)
    click.echo(f"wrote {out} (as of {day.isoformat()})")
