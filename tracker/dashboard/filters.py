"""The dashboard's filters and "as of" day, read from the query string.

The dashboard, the body pages, the charts and every download read them the same way, so a
filtered view is one address that gives the same rows on the page, in the workbook and in a CSV.
"""

from datetime import date

from flask import request

from tracker.core.clock import today
from tracker.dashboard import queries
from tracker.reports.status import STATUSES


def _date_arg(name: str) -> date | None:
    value = request.args.get(name) or ""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def read_filters() -> tuple[queries.Filters, date]:
    """The filters and the "as of" day from the query string (unknown values are ignored)."""
    status = request.args.get("status")
    filters = queries.Filters(
        region=(request.args.get("region") or "").strip()[:120] or None, plan_id=request.args.get("plan", type=int),
        section_id=request.args.get("section", type=int), body_id=request.args.get("body", type=int), status=status if status in STATUSES else None,
        due_from=_date_arg("from"), due_to=_date_arg("to"))
    return filters, _date_arg("as_of") or today()
