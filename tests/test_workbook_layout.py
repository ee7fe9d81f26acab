"""Row heights and column widths of the workbook (tracker.export.layout): pure functions, and what
the writer makes of them in the file (read back with openpyxl)."""

import pytest

from tests import test_dashboard as dash
from tracker.export.layout import (
    LINE_HEIGHT,
    MAX_HEIGHT,
    fitted_width,
    line_capacity,
    row_height,
    text_lines,
    width_for,
)
from tracker.reports.status import STATUSES

seeds = dash.seeds


@pytest.mark.parametrize(("text", "capacity", "lines"), [
    ("", 10, 1),
    ("short", 10, 1),
    ("exactly 10", 10, 1),
    ("one two three", 10, 2),  # "one two" | "three"
    ("one two three four five", 10, 3),  # "one two" | "three four" | "five"
    ("a\nb\nc", 10, 3),  # line breaks count
    ("a\n\nb", 10, 3),  # an empty line too
    ("abcdefghijklmnopqrstuvwxy", 10, 3),  # a word longer than a line is broken over several
    ("ab abcdefghijklmnopqrst", 10, 3),  # "ab" | "abcdefghij" | "klmnopqrst"
    ("word" + " " * 30 + "word", 10, 2),  # spaces where the line breaks take no line
    ("ҚҚҚҚҚҚҚҚ", 10, 2),  # capitals are wider: 8 × 1.3 > 10
    ("ққққққққ", 10, 1),
])
def test_text_lines(text, capacity, lines):
    assert text_lines(text, capacity) == lines


def test_the_title_of_a_plan_wraps_over_as_many_lines_as_its_words_need():
    title = ("Қарағанды облысында Балаларды зорлық-зомбылықтан қорғау, суицидтің алдын алу және олардың "
             "құқықтары мен саламаттығын қамтамасыз ету жөніндегі 2023 – 2025 жылдарға арналған кешенді "
             "жоспарды іске асыру жөніндегі ЖОЛ КАРТАСЫ")
    capacity = line_capacity(60)
    lines = text_lines(title, capacity)
    # greedy wrapping by hand: no line longer than the capacity, and as few lines as that allows
    built, current = [], ""
    for word in title.split():
        candidate = f"{current} {word}".strip()
        width = len(candidate) + 0.3 * sum(c.isupper() for c in candidate) - 0.5 * candidate.count(" ")
        if width <= capacity:
            current = candidate
        else:
            built.append(current)
            current = word
    built.append(current)
    assert lines == len(built) >= 4


def test_heights_widths_and_capacities():
    assert row_height(1) == LINE_HEIGHT and row_height(3) == 3 * LINE_HEIGHT
    assert row_height(1000) == MAX_HEIGHT  # Excel's limit
    assert line_capacity(60) > line_capacity(60, bold=True) > 0
    assert line_capacity(0) == 1  # never zero: a text in a hidden column still counts as lines
    # a header's longest word fits on one line of its column
    header = "мерзімі өтіп кетті (Іс-шаралар)"
    width = fitted_width(11, header)
    assert width > 11
    longest = max(header.split(), key=len)
    assert text_lines(longest, line_capacity(width, bold=True)) == 1
    assert fitted_width(40, header) == 40  # wide enough already: kept
    # a status word on one line of normal text
    labels = ["алдағы", "пысықтауға қайтарылды"]
    assert all(text_lines(label, line_capacity(width_for(labels, 10))) == 1 for label in labels)
    assert width_for(["ok"], 16) == 16


# --- in the file -------------------------------------------------------------------------------


def test_every_row_is_as_tall_as_its_texts(app, seeds, runner, tmp_path):
    import openpyxl
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from tracker.dashboard.queries import Filters
    from tracker.export import tables

    out = tmp_path / "book.xlsx"
    result = runner.invoke(args=["export", "xlsx", str(out), "--as-of", "2026-11-23", "--lang", "kk"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    tall = 0
    for key, ws in zip(tables.TABLE_KEYS, book.worksheets, strict=True):
        with force_locale("kk"):
            columns = tables.one_table(key, dash.AS_OF, Filters(), "http://x/").columns
        widths = [fitted_width(c.width, c.label) for c in columns]
        header = {"summary": 7, "by_body": 2}.get(key, 1)
        # the header: every label on as many lines as it needs, in bold
        needed = max(text_lines(c.label, line_capacity(w, bold=True)) for c, w in zip(columns, widths, strict=True))
        assert needed > 1 and ws.row_dimensions[header].height == row_height(needed), key
        for row in ws.iter_rows(min_row=header + 1, max_row=ws.max_row, max_col=len(columns)):
            lines = max((text_lines(cell.value, line_capacity(w)) for cell, c, w in zip(row, columns, widths, strict=True)
                         if c.kind in ("text", "wrap") and cell.value), default=1)
            height = ws.row_dimensions[row[0].row].height
            if lines > 1:
                tall += 1
                assert height == row_height(lines), (key, row[0].row, lines, height)
            else:
                assert height in (None, LINE_HEIGHT), (key, row[0].row, height)
    assert tall > 100  # plan titles, activity texts and executors' names wrap all over the workbook
    # By body: the statuses under their group, one merged cell each for "as lead" and "as co-executor"
    by_body = book.worksheets[1]
    merged = sorted((r.min_row, r.max_row, r.min_col, r.max_col) for r in by_body.merged_cells.ranges)
    assert [(a, b) for a, b, _c, _d in merged] == [(1, 1), (1, 1)]
    assert all(d - c + 1 == len(STATUSES) for _a, _b, c, d in merged)
    with force_locale("kk"):
        assert [by_body.cell(1, c).value for _a, _b, c, _d in merged] == [_("as lead"), _("as co-executor")]
