"""The dashboard's filters and "as of" day, read from the query string.

The dashboard, the body pages, the charts and every download read them the same way, so a
filtered view is one address that gives the same rows on the page, in the workbook and in a CSV.

A day — the as-of day, due from, due to, on a page or on the command line — must lie between
1 January 2000 and the end of the year fifty years from today (`day_range`). Plans run a few
years; nothing the portal tracks is older than the Kazakh interagency plans of the 2000s, and a
plan may look decades ahead, but not to the year 9999, where counting "due soon" (as of + 14
days) overflows Python's calendar. A day outside the range, or no day at all ("abc",
"2026-02-30"), is ignored with a message naming the argument and the range: on the dashboard
above the results, on the body and chart pages as a notice at the top; a download or a fragment
answers 400 with the message instead (a file cannot carry a notice, and a workbook of "today"
when another day was asked for would be wrong without saying so); a command prints one line and
exits with code 2.
"""

from dataclasses import dataclass
from datetime import date

from flask import flash, render_template, request
from flask_babel import gettext as _

from tracker.core.clock import today
from tracker.core.days import cli_day, day_range, parse_day  # noqa: F401  (cli_day: the commands' days)
from tracker.core.formatting import long_date
from tracker.dashboard import queries
from tracker.reports.status import STATUSES

#: the query arguments that hold days
DAY_ARGUMENTS = ("as_of", "from", "to")


@dataclass(frozen=True)
class DayProblem:
    """A date argument that was given but could not be used."""

    argument: str  #: as_of, from or to
    value: str

    def message(self, refused: bool = False) -> str:
        """What the page says: the day was ignored, or (a download, a fragment) nothing was made of it."""
        first, last = day_range()
        values = dict(field={"as_of": _("As of"), "from": _("Due from"), "to": _("Due to")}[self.argument],
                      argument=self.argument, value=self.value[:40], first=long_date(first), last=long_date(last))
        if refused:
            return _("%(field)s (%(argument)s=%(value)s) is not a day between %(first)s and %(last)s; "
                     "choose a day in that range.", **values)
        return _("%(field)s (%(argument)s=%(value)s) is not a day between %(first)s and %(last)s; it was ignored.",
                 **values)


def _date_arg(name: str) -> tuple[date | None, DayProblem | None]:
    value = request.args.get(name) or ""
    if not value.strip():
        return None, None
    try:
        return parse_day(value), None
    except ValueError:
        return None, DayProblem(name, value)


def read_filters() -> tuple[queries.Filters, date]:
    """The filters and the "as of" day from the query string (unknown values are ignored; a day
    that cannot be used is reported by `date_problems`)."""
    status = request.args.get("status")
    filters = queries.Filters(
        region=(request.args.get("region") or "").strip()[:120] or None, plan_id=request.args.get("plan", type=int),
        section_id=request.args.get("section", type=int), body_id=request.args.get("body", type=int), status=status if status in STATUSES else None,
        due_from=_date_arg("from")[0], due_to=_date_arg("to")[0])
    return filters, _date_arg("as_of")[0] or today()


def date_problems() -> list[DayProblem]:
    """The date arguments of this request that were given but ignored."""
    return [problem for name in DAY_ARGUMENTS if (problem := _date_arg(name)[1])]


def flash_date_problems() -> None:
    """A page shown anyway (the day ignored) says so at its top."""
    for problem in date_problems():
        flash(problem.message(), "warning")


def refuse_bad_dates():
    """For a download or a fragment: the 400 page naming the unusable day, or None when all are fine."""
    problems = date_problems()
    if not problems:
        return None
    return render_template("error.html", code=400, message=" ".join(p.message(refused=True) for p in problems)), 400
