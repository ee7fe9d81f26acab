"""Downloads: the whole workbook, or any single table as CSV, for what the dashboard shows."""

import csv
import io
import tempfile

from flask import Blueprint, Response, abort, request, send_file, stream_with_context
from flask_login import current_user

from tracker.core.clock import now
from tracker.dashboard.filters import read_filters
from tracker.export.tables import TABLE_KEYS, one_table
from tracker.export.workbook import write_workbook

bp = Blueprint("export", __name__)


def _portal_url() -> str:
    return request.host_url


@bp.get("/export/workbook.xlsx")
def workbook():
    """"Export what I see": the dashboard's filters and as-of day, as query arguments."""
    filters, as_of = read_filters()
    # A temporary file on disk, not memory: constant_memory mode streams the rows there.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 — send_file closes it when the response ends
    write_workbook(handle, as_of, filters, exported_by=current_user.email, portal_url=_portal_url(),
                   exported_at=now())
    handle.seek(0)
    return send_file(handle, as_attachment=True, download_name=f"tracker-{as_of.isoformat()}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", max_age=0)


@bp.get("/export/<table>.csv")
def table_csv(table: str):
    if table not in TABLE_KEYS:
        abort(404)
    filters, as_of = read_filters()
    data = one_table(table, as_of, filters, _portal_url())

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        yield "\ufeff"  # the byte-order mark makes Excel read the file as UTF-8 (Cyrillic stays readable)
        writer.writerow([c.header for c in data.columns])
        for row in data.rows:
            writer.writerow(["" if v is None else v.isoformat() if hasattr(v, "isoformat") else v for v in row])
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(stream_with_context(lines()), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={table}-{as_of.isoformat()}.csv"})
