"""The auditors' progress workbook (xlsxwriter, constant_memory: rows go to disk as they come)."""

import re
from datetime import date, datetime

import xlsxwriter
from flask_babel import gettext as _
from flask_babel import to_user_timezone

from tracker.core.formatting import long_date
from tracker.dashboard import queries
from tracker.export.layout import fitted_width, line_capacity, row_height, text_lines
from tracker.export.tables import Table, all_tables
from tracker.indicators.export import insert_charts
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
                   exported_at: datetime, progress=None, since: date | None = None) -> None:
    """Write the workbook to a path or a binary file object. `progress`, if given, is called with
    1 for every row written (a background export's progress bar, a terminal's)."""
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "remove_timezone": True,
                                        "strings_to_urls": False, "strings_to_formulas": False})
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#DCE6F1", "text_wrap": True, "valign": "top",
                                   "border": 1}),
        "group": book.add_format({"bold": True, "bg_color": "#DCE6F1", "align": "center", "valign": "top",
                                  "border": 1}),
        # Every text wraps: a cell never runs into its neighbour or hides its end, and the row is
        # made as tall as its longest text needs (tracker.export.layout).
        "text": book.add_format({"text_wrap": True, "valign": "top"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "int": book.add_format({"num_format": "#,##0", "valign": "top"}),
        "money": book.add_format({"num_format": "#,##0 \"₸\"", "valign": "top"}),
        "percent": book.add_format({"num_format": "0%", "valign": "top"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm", "align": "left", "valign": "top"}),
        "link": book.add_format({"font_color": "#0B5394", "underline": 1, "valign": "top"}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "label": book.add_format({"bold": True}),
        "overdue": book.add_format({"bg_color": "#FDECEA", "font_color": "#8A1C10"}),
    }
    tables = all_tables(as_of, filters, portal_url, since)
    if progress is not None:
        tables = [_counted(table, progress) for table in tables]
    meta = [
        (_("As of"), as_of),
        (_("Exported by"), exported_by),
        # a real date-time, in the portal's time zone: Excel keeps no time zone
        (_("Exported at"), to_user_timezone(exported_at).replace(tzinfo=None)),
        (_("Filters"), describe_filters(filters)),
    ]
    for table in tables:
        # Excel refuses []:*?/\ in a sheet's name (a translated title may have a colon)
        sheet = book.add_worksheet(re.sub(r"[\[\]:*?/\\]", " ", table.title)[:31].strip())
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        first_row = 0
        if table.key == "summary":
            sheet.write_string(0, 0, _("Interagency plan tracker: progress workbook"), formats["title"])
            for i, (label, value) in enumerate(meta, start=1):
                sheet.write_string(i, 0, label, formats["label"])
                if isinstance(value, datetime):
                    sheet.write_datetime(i, 1, value, formats["datetime"])
                elif isinstance(value, date):
                    sheet.write_datetime(i, 1, datetime.combine(value, datetime.min.time()), formats["date"])
                else:
                    sheet.write_string(i, 1, value)  # left unwrapped: it runs on over the empty cells beside it
            first_row = len(meta) + 2
        header_row, last_row = _write_table(sheet, table, first_row, formats)
        if table.key == "summary":
            _status_chart(book, sheet, table, header_row, last_row)
        elif table.key == "by_body":
            _overdue_chart(book, sheet, table, header_row, last_row)
        elif table.charts:
            insert_charts(book, sheet, sheet.name, header_row, table.charts, [c.key for c in table.columns])
    book.close()


def _counted(table: Table, progress) -> Table:
    def rows():
        for values in table.rows:
            yield values
            progress(1)

    return Table(table.key, table.title, table.columns, rows(), table.charts)


def _write_header(sheet, table: Table, first_row: int, widths: list[float], formats: dict) -> int:
    """The header: one row, or two where columns are grouped ("as lead" over its seven statuses).
    Returns the row of the columns' own headers (the one with the autofilter)."""
    header_row = first_row + 1 if any(c.group for c in table.columns) else first_row
    if header_row > first_row:
        sheet.set_row(first_row, row_height(1))
        col = 0
        while col < len(table.columns):
            group = table.columns[col].group
            end = col
            while end + 1 < len(table.columns) and group and table.columns[end + 1].group == group:
                end += 1
            if not group:
                sheet.write_blank(first_row, col, None, formats["header"])
            elif end > col:
                sheet.merge_range(first_row, col, first_row, end, group, formats["group"])
            else:
                sheet.write_string(first_row, col, group, formats["group"])
            col = end + 1
    lines = max(text_lines(c.label, line_capacity(w, bold=True)) for c, w in zip(table.columns, widths, strict=True))
    sheet.set_row(header_row, row_height(lines))
    for col, column in enumerate(table.columns):
        sheet.write_string(header_row, col, column.label, formats["header"])
    return header_row


def _write_table(sheet, table: Table, first_row: int, formats: dict) -> tuple[int, int]:
    """Header, rows (streamed), frozen header, autofilter, widths, row heights, overdue highlighting.
    Returns the header's row and the last row."""
    widths = [fitted_width(c.width, c.label) for c in table.columns]
    for col, (column, width) in enumerate(zip(table.columns, widths, strict=True)):
        sheet.set_column(col, col, width, formats["wrap"] if column.kind in TEXT_KINDS else None)
    header_row = _write_header(sheet, table, first_row, widths, formats)
    capacities = [line_capacity(w) if c.kind in TEXT_KINDS else None
                  for c, w in zip(table.columns, widths, strict=True)]
    row = header_row
    for values in table.rows:
        row += 1
        # constant_memory writes a row out once the next begins: its height is set before its cells
        lines = max((text_lines(_text(value), capacity) for value, capacity in zip(values, capacities, strict=True)
                     if capacity and value not in (None, "")), default=1)
        if lines > 1:
            sheet.set_row(row, row_height(lines))
        for col, (column, value) in enumerate(zip(table.columns, values, strict=True)):
            _write_cell(sheet, row, col, column.kind, value, formats)
    sheet.freeze_panes(header_row + 1, 0)
    sheet.repeat_rows(first_row, header_row)  # printed: the header on every page
    sheet.autofilter(header_row, 0, max(row, header_row), len(table.columns) - 1)
    keys = [c.key for c in table.columns]
    if row > header_row:
        # Overdue stands out in red: the status cell, the days-overdue cell, the overdue counts.
        overdue_label = status_labels()[Status.OVERDUE]
        for key in ("status",):
            if key in keys:
                col = keys.index(key)
                sheet.conditional_format(header_row + 1, col, row, col, {
                    "type": "cell", "criteria": "==", "value": f'"{overdue_label}"', "format": formats["overdue"]})
        for key in ("days_overdue", "overdue", "lead_overdue", "co_overdue", "activities_overdue"):
            if key in keys:
                col = keys.index(key)
                sheet.conditional_format(header_row + 1, col, row, col, {
                    "type": "cell", "criteria": ">", "value": 0, "format": formats["overdue"]})
    return header_row, row


#: the kinds of column whose cells are text, wrapped
TEXT_KINDS = ("text", "wrap")


def _text(value) -> str:
    text = str(value)
    return text if len(text) <= MAX_CELL else text[:MAX_CELL] + " …"


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
        # always write_string: a text that starts with "=" stays text (strings_to_formulas is off too)
        sheet.write_string(row, col, _text(value), formats[kind])


def _status_chart(book, sheet, table: Table, first_row: int, last_row: int) -> None:
    """Obligations by status per plan: a stacked bar chart that stays live in Excel."""
    if last_row <= first_row:
        return
    keys = [c.key for c in table.columns]
    chart = book.add_chart({"type": "bar", "subtype": "stacked"})
    colors = {"upcoming": "#B7C9DD", "due_soon": "#F0C36D", "overdue": "#C0392B", "submitted": "#5B8DC9",
              "returned": "#E67E22", "done": "#2E8B57", "done_late": "#9BBB59",
              "waiting": "#D9D2E9", "off_control": "#BFBFBF"}
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
