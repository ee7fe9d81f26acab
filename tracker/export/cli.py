"""`flask --app wsgi export xlsx OUT.xlsx [--plan ID] [--as-of YYYY-MM-DD]` — scheduled exports."""

import sys
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from tracker.core.clock import now, today
from tracker.dashboard.queries import Filters
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
    try:
        day = date.fromisoformat(as_of) if as_of else today()
    except ValueError:
        click.echo(f"error: --as-of «{as_of}» is not a date like 2026-11-23", err=True)
        sys.exit(2)
    from tracker.extensions import db
    from tracker.plans.models import Plan

    if plan_id is not None and db.session.get(Plan, plan_id) is None:
        click.echo(f"error: there is no plan {plan_id}", err=True)
        sys.exit(1)
    with force_locale(lang):
        write_workbook(out, day, Filters(plan_id=plan_id), exported_by="command line",
                       portal_url=current_app.config["PORTAL_URL"], exported_at=now())
    click.echo(f"wrote {out} (as of {day.isoformat()})")
