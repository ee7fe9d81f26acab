"""The auditors' progress workbook (xlsxwriter, constant_memory: rows go to disk as they come)."""

from datetime import date, datetime

import xlsxwriter
from flask_babel import format_datetime
from flask_babel import gettext as _

from tracker.core.formatting import long_date
from tracker.dashboard import queries
from tracker.export.tables import Table, all_tables
from tracker.reports.labels import status_labels
from tracker.reports.status import STATUSES, Status

#: Excel's limit for a cell's text; longer activity texts are cut with a mark
MAX_CELL = 32_000


def describe_filters(filters: queries.Filters) -> str:
    from tracker.executors.models import Body
    from tracker.extensions import db
    from tracker.plans.models import Plan, Section

    parts = []
    if filters.region:
        parts.append(f"{_('Region')}: {filters.region}")
    if filters.plan_id and (plan := db.session.get(Plan, filters.plan_id)):
        parts.append(f"{_('Plan')}: {plan.title[:80]}")
    if filters.section_id and (section := db.session.get(Section, filters.section_id)):
        parts.append(f"{_('Section')}: {section.number}. {section.title[:60]}")
    if filters.body_id and (body := db.session.get(Body, filters.body_id)):
        parts.append(f"{_('Executor')}: {body.label}")
    if filters.status:
        parts.append(f"{_('Status')}: {status_labels()[filters.status]}")
    if filters.due_from:
        parts.append(f"{_('Due from')}: {long_date(filters.due_from)}")
    if filters.due_to:
        parts.append(f"{_('Due to')}: {long_date(filters.due_to)}")
    return "; ".join(parts) or _("none (everything)")


def write_workbook(target, as_of: date, filters: queries.Filters, exported_by: str, portal_url: str,
                   exported_at: datetime) -> None:
    """Write the workbook to a path or a binary file object."""
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "remove_timezone": True,
                                        "strings_to_urls": False, "strings_to_formulas": False})
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#DCE6F1", "text_wrap": True, "valign": "top",
                                   "border": 1}),
        "text": book.add_format({"valign": "top"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "int": book.add_format({"num_format": "#,##0", "valign": "top"}),
        "money": book.add_format({"num_format": "#,##0 \"₸\"", "valign": "top"}),
        "percent": book.add_format({"num_format": "0%", "valign": "top"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"}),
        "link": book.add_format({"font_color": "#0B5394", "underline": 1, "valign": "top"}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "label": book.add_format({"bold": True}),
        "overdue": book.add_format({"bg_color": "#FDECEA", "font_color": "#8A1C10"}),
    }
    tables = all_tables(as_of, filters, portal_url)
    meta = [
        (_("As of"), as_of),
        (_("Exported by"), exported_by),
        (_("Exported at"), format_datetime(exported_at, "yyyy-MM-dd HH:mm")),  # in the portal's time zone
        (_("Filters"), describe_filters(filters)),
    ]
    for table in tables:
        sheet = book.add_worksheet(table.title[:31])
        first_row = 0
        if table.key == "summary":
            sheet.write(0, 0, _("Interagency plan tracker: progress workbook"), formats["title"])
            for i, (label, value) in enumerate(meta, start=1):
                sheet.write(i, 0, label, formats["label"])
                if isinstance(value, date):
                    sheet.write_datetime(i, 1, datetime.combine(value, datetime.min.time()), formats["date"])
                else:
                    sheet.write(i, 1, value)
            first_row = len(meta) + 2
        last_row = _write_table(sheet, table, first_row, formats)
        if table.key == "summary":
            _status_chart(book, sheet, table, first_row, last_row)
        elif table.key == "by_body":
            _overdue_chart(book, sheet, table, first_row, last_row)
    book.close()


def _write_table(sheet, table: Table, first_row: int, formats: dict) -> int:
    """Header, rows (streamed), frozen header, autofilter, widths, overdue highlighting. Returns the last row."""
    for col, column in enumerate(table.columns):
        sheet.set_column(col, col, column.width, formats["wrap"] if column.kind == "wrap" else None)
        sheet.write(first_row, col, column.header, formats["header"])
    row = first_row
    for values in table.rows:
        row += 1
        for col, (column, value) in enumerate(zip(table.columns, values, strict=True)):
            _write_cell(sheet, row, col, column.kind, value, formats)
    sheet.freeze_panes(first_row + 1, 0)
    sheet.autofilter(first_row, 0, max(row, first_row), len(table.columns) - 1)
    keys = [c.key for c in table.columns]
    if row > first_row:
        # Overdue stands out in red: the status cell, the days-overdue cell, the overdue counts.
        overdue_label = status_labels()[Status.OVERDUE]
        for key in ("status",):
            if key in keys:
                col = keys.index(key)
                sheet.conditional_format(first_row + 1, col, row, col, {
                    "type": "cell", "criteria": "==", "value": f'"{overdue_label}"', "format": formats["overdue"]})
        for key in ("days_overdue", "overdue", "lead_overdue", "co_overdue", "activities_overdue"):
            if key in keys:
                col = keys.index(key)
                sheet.conditional_format(first_row + 1, col, row, col, {
                    "type": "cell", "criteria": ">", "value": 0, "format": formats["overdue"]})
    return row


def _write_cell(sheet, row: int, col: int, kind: str, value, formats: dict) -> None:
    if value is None or value == "":
        sheet.write_blank(row, col, None, formats.get(kind))
    elif kind == "date":
        sheet.write_datetime(row, col, datetime.combine(value, datetime.min.time()), formats["date"])
    elif kind in ("int", "money", "percent"):
        sheet.write_number(row, col, value, formats[kind])
    elif kind == "link":
        sheet.write_url(row, col, value, formats["link"], string=value)
    else:
        text = str(value)
        sheet.write_string(row, col, text if len(text) <= MAX_CELL else text[:MAX_CELL] + " …",
                           formats["wrap" if kind == "wrap" else "text"])


def _status_chart(book, sheet, table: Table, first_row: int, last_row: int) -> None:
    """Obligations by status per plan: a stacked bar chart that stays live in Excel."""
    if last_row <= first_row:
        return
    keys = [c.key for c in table.columns]
    chart = book.add_chart({"type": "bar", "subtype": "stacked"})
    colors = {"upcoming": "#B7C9DD", "due_soon": "#F0C36D", "overdue": "#C0392B", "submitted": "#5B8DC9",
              "returned": "#E67E22", "done": "#2E8B57", "done_late": "#9BBB59"}
    for status in STATUSES:
        col = keys.index(status)
        chart.add_series({
            "name": [sheet.name, first_row, col],
            "categories": [sheet.name, first_row + 1, 0, last_row, 0],
            "values": [sheet.name, first_row + 1, col, last_row, col],
            "fill": {"color": colors[status]},
        })
    chart.set_title({"name": _("Obligations by status")})
    chart.set_size({"width": 900, "height": 120 + 40 * (last_row - first_row)})
    sheet.insert_chart(last_row + 2, 0, chart)


def _overdue_chart(book, sheet, table: Table, first_row: int, last_row: int) -> None:
    """Overdue per body (the total column; bodies are listed most overdue first)."""
    if last_row <= first_row:
        return
    keys = [c.key for c in table.columns]
    shown_to = min(last_row, first_row + 30)  # the 30 with most overdue; the table has them all
    chart = book.add_chart({"type": "bar"})
    chart.add_series({
        "name": _("Overdue, total"),
        "categories": [sheet.name, first_row + 1, keys.index("name"), shown_to, keys.index("name")],
        "values": [sheet.name, first_row + 1, keys.index("overdue"), shown_to, keys.index("overdue")],
        "fill": {"color": "#C0392B"},
    })
    chart.set_title({"name": _("Overdue per body")})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    chart.set_size({"width": 700, "height": 140 + 18 * (shown_to - first_row)})
    sheet.insert_chart(1, len(table.columns) + 1, chart)
