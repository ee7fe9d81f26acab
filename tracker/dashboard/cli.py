"""`flask --app wsgi status [--plan ID] [--as-of YYYY-MM-DD] --json`: the dashboard's numbers
for scheduled jobs and monitoring (the same functions the pages use)."""

import json
import sys
from datetime import date

import click
from flask import current_app

from tracker.dashboard import queries
from tracker.dashboard.filters import cli_day


def status_report(as_of: date, plan_id: int | None = None) -> dict:
    filters = queries.Filters(plan_id=plan_id)
    soon = current_app.config["DUE_SOON_DAYS"]
    plans, bodies = queries.figures(as_of, soon, filters)  # one statement for both
    return {
        "as_of": as_of.isoformat(),
        "due_soon_days": soon,
        "plans": [{
            "id": p.id, "title": p.title, "region": p.region, "obligations": p.obligations, "total": p.total,
            "due_so_far": p.due_so_far, "on_time_rate": p.on_time_rate, "activities": p.activities,
            "activities_total": p.activities_total,
        } for p in plans],
        "bodies": [{
            "id": b.body_id, "name": b.name, "abbreviation": b.abbreviation, "region": b.region,
            "resolved": b.resolved, "as_lead": b.as_lead, "as_co_executor": b.as_co_executor,
            "on_time_rate": b.on_time_rate,
            "oldest_overdue": b.oldest_overdue.isoformat() if b.oldest_overdue else None,
        } for b in bodies],
    }


@click.command("status")
@click.option("--plan", "plan_id", type=int, help="Only this plan.")
@click.option("--as-of", "as_of", help="The day to count as of (YYYY-MM-DD); default today.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only output format).")
def status_command(plan_id: int | None, as_of: str | None, as_json: bool) -> None:
    """Obligations by status per plan and per body, and on-time rates."""
    day = cli_day("--as-of", as_of)
    report = status_report(day, plan_id)
    if plan_id is not None and not any(p["id"] == plan_id for p in report["plans"]):
        click.echo(f"error: there is no plan {plan_id}", err=True)
        sys.exit(1)
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))
