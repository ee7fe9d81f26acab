"""The workbook's "Indicators" sheet and its CSV: one row per indicator, period and scope —
target, actual, review state, status — with a live line chart (target and actual) per indicator.

tracker.export sits above this package in the stack, so the table is handed over as plain parts
that tracker.export.tables wraps in its own Table and Column (the README's wiring lines), and the
charts as recipes that `insert_charts` turns into xlsxwriter charts once the rows are written.
The figures are `operations.figures_frame`'s: the ones the indicator pages show for the same day.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from tracker.indicators import operations
from tracker.indicators.labels import (
    direction_labels,
    indicator_status_labels,
    period_label,
    scope_labels,
    unit_labels,
)
from tracker.indicators.models import Indicator
from tracker.plans.models import Plan
from tracker.reports.labels import report_state_labels, status_labels

#: charts drawn at most (a country's workbook has thousands of indicators; the table has them all)
MAX_CHARTS = 40


@dataclass
class ChartRecipe:
    """A line chart of one indicator's own scope: rows `first`…`last` of the table (0 = the first
    data row), the period column as categories, the target and actual columns as two lines."""

    title: str
    first: int
    last: int


@dataclass
class IndicatorSheet:
    key: str
    title: str
    #: (key, header, width, kind) — the fields of tracker.export.tables.Column, in order
    columns: list[tuple[str, str, float, str]]
    rows: Iterator[list]
    #: filled while `rows` is read: one recipe per indicator (at most MAX_CHARTS)
    charts: list[ChartRecipe] = field(default_factory=list)


def indicators_sheet(as_of: date, plan_id: int | None = None, region: str | None = None) -> IndicatorSheet:
    """The sheet for the dashboard's filters (a plan, a region) and as-of day."""

    def narrowed(statement):
        if plan_id is not None:
            statement = statement.where(Indicator.plan_id == plan_id)
        if region:
            statement = statement.join(Plan, Plan.id == Indicator.plan_id).where(Plan.region == region)
        return statement

    columns = [
        ("plan", _("Plan"), 40, "wrap"), ("indicator_id", _("Indicator no."), 10, "int"),
        ("indicator", _("Indicator"), 50, "wrap"), ("unit", _("Unit"), 10, "text"),
        ("direction", _("Direction"), 12, "text"), ("body", _("Responsible body"), 30, "wrap"),
        ("scope", _("Scope"), 10, "text"), ("period", _("Period"), 10, "text"),
        ("target", _("Target"), 11, "int"), ("actual", _("Actual"), 11, "int"),
        ("actual_state", _("Review"), 14, "text"), ("indicator_status", _("Indicator status"), 14, "text"),
        ("due_date", _("Due date"), 12, "date"), ("reporting_status", _("Reporting status"), 14, "text"),
    ]
    sheet = IndicatorSheet("indicators", _("Indicators"), columns, iter(()))
    sheet.rows = _rows(operations.confirmed(narrowed), as_of, sheet)
    return sheet


def _rows(indicators: list[Indicator], as_of: date, sheet: IndicatorSheet) -> Iterator[list]:
    units, directions, scopes = unit_labels(), direction_labels(), scope_labels()
    statuses, states, reporting = indicator_status_labels(), report_state_labels(), status_labels()
    by_id = {i.id: i for i in indicators}
    frame = operations.figures_frame(indicators, as_of)
    index = 0
    for indicator_id, group in frame.groupby("indicator_id", sort=False):
        indicator = by_id[int(indicator_id)]
        own_rows = int(group["reporting"].sum())
        if own_rows and len(sheet.charts) < MAX_CHARTS:
            # the frame puts the indicator's own scope first: its periods are the group's first rows
            sheet.charts.append(ChartRecipe(f"#{indicator.id} {indicator.name}"[:120], index, index + own_rows - 1))
        for row in group.itertuples():
            index += 1
            yield [indicator.plan.title, indicator.id, indicator.name, units.get(indicator.unit, indicator.unit),
                   directions.get(indicator.direction, indicator.direction),
                   indicator.body.label if indicator.body else "", scopes.get(row.scope, row.scope),
                   period_label(row.period), operations._num(row.target), operations._num(row.actual),
                   states.get(row.state, "") if isinstance(row.state, str) else "", statuses.get(row.status, ""),
                   row.due_date if row.reporting else None,
                   reporting.get(row.reporting_status, "") if isinstance(row.reporting_status, str) else ""]


def insert_charts(book, sheet, sheet_name: str, header_row: int, charts: list[ChartRecipe], columns) -> None:
    """The recipes as xlsxwriter line charts beside the table, live in Excel (they read the cells).
    `header_row` is the sheet row of the columns' headers; `columns` the column keys in order."""
    keys = [c if isinstance(c, str) else c[0] for c in columns]
    period, target, actual = keys.index("period"), keys.index("target"), keys.index("actual")
    for number, recipe in enumerate(charts):
        first, last = header_row + 1 + recipe.first, header_row + 1 + recipe.last
        chart = book.add_chart({"type": "line"})
        chart.add_series({"name": [sheet_name, header_row, target], "categories": [sheet_name, first, period, last, period],
                          "values": [sheet_name, first, target, last, target],
                          "line": {"color": "#93B7DB", "dash_type": "dash"}, "marker": {"type": "none"}})
        chart.add_series({"name": [sheet_name, header_row, actual], "categories": [sheet_name, first, period, last, period],
                          "values": [sheet_name, first, actual, last, actual],
                          "line": {"color": "#0B5394"}, "marker": {"type": "circle"}})
        chart.set_title({"name": recipe.title, "name_font": {"size": 10}})
        chart.set_size({"width": 480, "height": 260})
        sheet.insert_chart(header_row + 1 + number * 14, len(keys) + 1, chart)
