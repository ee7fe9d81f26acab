"""Downloads: the whole workbook, or any single table as CSV, for what the dashboard shows."""

import tempfile

from flask import Blueprint, Response, abort, current_app, redirect, request, send_file, stream_with_context, url_for
from flask_login import current_user
from sqlalchemy import func, select

from tracker.core.clock import now
from tracker.dashboard import queries
from tracker.dashboard.filters import read_filters, refuse_bad_dates
from tracker.export.csvfile import csv_lines
from tracker.export.naming import content_disposition
from tracker.export.tables import TABLE_KEYS, one_table
from tracker.export.workbook import write_workbook

bp = Blueprint("export", __name__)


def due_dates_in(as_of, filters) -> int:
    """The due dates the workbook would list (its Obligations sheet, the largest)."""
    from tracker.extensions import db

    table = queries.status_table(as_of, current_app.config["DUE_SOON_DAYS"])
    return db.session.scalar(queries.filtered(select(func.count()).select_from(table), table, filters)) or 0


def _portal_url() -> str:
    return request.host_url


@bp.get("/export/workbook.xlsx")
def workbook():
    """"Export what I see": the dashboard's filters and as-of day, as query arguments."""
    if (refusal := refuse_bad_dates()) is not None:
        return refusal
    filters, as_of = read_filters()
    if request.args.get("background") == "1" or due_dates_in(as_of, filters) > current_app.config["EXPORT_BACKGROUND_ROWS"]:
        # The whole country takes minutes: the worker makes it, the page shows its progress
        # (tracker.jobs.routes). Small exports stay immediate.
        return redirect(url_for("jobs.new_export", **request.args.to_dict(flat=True)))
    # A temporary file on disk, not memory: constant_memory mode streams the rows there.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 — send_file closes it when the response ends
    write_workbook(handle, as_of, filters, exported_by=current_user.email, portal_url=_portal_url(),
                   exported_at=now(), since=_since(as_of))
    handle.seek(0)
    response = send_file(handle, as_attachment=True, download_name="tracker.xlsx", max_age=0,
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = content_disposition(as_of, filters)
    return response


def _since(as_of):
    """`since=YYYY-MM-DD` (the first day of the changes page): the workbook adds what changed from
    then to the as-of day. (`from` and `to` are the dashboard's due-date filter.)"""
    from datetime import date

    try:
        since = date.fromisoformat(request.args.get("since", ""))
    except ValueError:
        return None
    return since if since < as_of else None


@bp.get("/export/<table>.csv")
def table_csv(table: str):
    if table not in TABLE_KEYS:
        abort(404)
    # Checked before the first byte: a streamed download cannot turn into an error page halfway.
    if (refusal := refuse_bad_dates()) is not None:
        return refusal
    filters, as_of = read_filters()
    data = one_table(table, as_of, filters, _portal_url())
    return Response(stream_with_context(csv_lines(data)), mimetype="text/csv",
                    headers={"Content-Disposition": content_disposition(as_of, filters, table)})
