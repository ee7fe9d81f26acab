"""`flask --app wsgi report …`: the implementation report and what changed, for scheduled jobs.

    flask --app wsgi report implementation (--plan ID | --body ID) [--from D] [--to D] [--as-of D]
                                           [--lang kk|ru] [--contributions] OUT.docx|OUT.pdf
    flask --app wsgi report changes --from D --to D [--plan ID] --json
"""

import json
import sys
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from tracker.dashboard.filters import cli_day
from tracker.dashboard.queries import Filters
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.reporting import changes as changes_module
from tracker.reporting.document import render
from tracker.reporting.implementation import Period, ReportSubjectMissing, Scope, default_period, gather
from tracker.reporting.labels import REPORT_LANGUAGES
from tracker.reporting.pdf import PdfError, docx_to_pdf

report_cli = AppGroup("report", help="The implementation report (Word, PDF) and what changed between two days.")


def _fail(message: str, code: int = 2):
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@report_cli.command("implementation")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--plan", "plan_id", type=int, help="The plan's report.")
@click.option("--body", "body_id", type=int, help="One body's report on all its items across plans.")
@click.option("--from", "start", help="The period's first day (YYYY-MM-DD); default the plan's first.")
@click.option("--to", "end", help="The period's last day (YYYY-MM-DD); default the plan's last.")
@click.option("--as-of", "as_of", help="The day the report is replayed as of (YYYY-MM-DD); default today.")
@click.option("--lang", type=click.Choice(REPORT_LANGUAGES), default=REPORT_LANGUAGES[0], show_default=True,
              help="The language of the report.")
@click.option("--contributions", is_flag=True, help="Co-executors' contributions under each accepted report.")
def implementation_command(out: str, plan_id: int | None, body_id: int | None, start: str | None, end: str | None,
                           as_of: str | None, lang: str, contributions: bool) -> None:
    """Write the implementation report as .docx (or, for OUT.pdf, as PDF through LibreOffice)."""
    if (plan_id is None) == (body_id is None):
        _fail("give one of --plan ID or --body ID")
    scope, subject_id = (Scope.PLAN, plan_id) if plan_id is not None else (Scope.BODY, body_id)
    suffix = Path(out).suffix.lower()
    if suffix not in (".docx", ".pdf"):
        _fail(f"OUT must end in .docx or .pdf, not «{Path(out).name}»")
    day = cli_day("--as-of", as_of)
    whole = default_period(scope, subject_id)
    first = cli_day("--from", start) if start else (whole.start if whole else date(day.year, 1, 1))
    last = cli_day("--to", end) if end else (whole.end if whole else date(day.year, 12, 31))
    if first > last:
        _fail(f"the period starts (--from {first.isoformat()}) after it ends (--to {last.isoformat()})")
    try:
        with force_locale(lang):
            report = gather(scope, subject_id, Period(first, last), day, language=lang, prepared_by="command line",
                            due_soon_days=current_app.config["DUE_SOON_DAYS"], with_contributions=contributions)
    except ReportSubjectMissing:
        _fail(f"there is no {scope} {subject_id}", 1)
    data = render(report)
    if suffix == ".pdf":
        try:
            data = docx_to_pdf(data)
        except PdfError as error:
            _fail(f"{error}; write OUT.docx instead", 1)
    Path(out).write_bytes(data)
    click.echo(f"wrote {out} ({len(report.activities)} activities, {report.summary.total} due dates in "
               f"{first.isoformat()}…{last.isoformat()}, as of {day.isoformat()}, {lang})")


@report_cli.command("changes")
@click.option("--from", "since", required=True, help="The first day (YYYY-MM-DD): changes after its end count.")
@click.option("--to", "until", required=True, help="The second day (YYYY-MM-DD), included.")
@click.option("--plan", "plan_id", type=int, help="Only this plan.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only output format).")
def changes_command(since: str, until: str, plan_id: int | None, as_json: bool) -> None:
    """What became overdue, done, done late, returned, extended or taken off control between two
    days; deadline and executor edits; each executor's on-time rate on both days."""
    first, second = cli_day("--from", since), cli_day("--to", until)
    if first >= second:
        _fail(f"--from {first.isoformat()} must come before --to {second.isoformat()}")
    if plan_id is not None and db.session.get(Plan, plan_id) is None:
        _fail(f"there is no plan {plan_id}", 1)
    found = changes_module.changes(first, second, Filters(plan_id=plan_id))
    click.echo(json.dumps(changes_module.as_json(found), ensure_ascii=False, indent=2))
