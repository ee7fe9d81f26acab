"""RawDocument → activities: the meaning of a plan table, the same for every format.

Columns are recognised by their header words (Kazakh or Russian, `headers.py`), never by
position. Under the header, `TableReader` takes the rows one at a time and hands each to the
method for its kind:

- a repeated header (a new page of a PDF) and a "1 2 3 4 5 6" column-number row mark a page
  break; text inside the column-number row continues the last activity (Karaganda 23, 28);
- a section row ("1. Кәмелетке толмағандар арасында…") groups the activities below it;
- a row with an activity number is an activity;
- a row with an empty number continues the previous activity after a page break (Karaganda 17,
  45), and is otherwise a sub-row of it (a vertically merged Word/Excel cell); blank-line
  separated parts repeated across cells are sub-rows too (Kostanay 3.4);
- a paragraph outside the grid belongs to the text before or after the table;
- the legend of abbreviations ("Аббревиатураларды таратып жазу:") ends the table.

The readers of new formats (PDF tables, spreadsheets with multi-row headers) produce the same
rows, so they reuse all of this.
"""

import re
from dataclasses import dataclass, field

from tracker.core.messages import msg
from tracker.core.text import clean, clean_lines
from tracker.plans.engine.errors import PlanFormatError
from tracker.plans.engine.headers import (
    COLUMNS,
    LEGEND_HEADING,
    LEGEND_MARKER,
    amount_unit,
    column_number_row,
    combined_header,
    header_columns,
    is_header,
    sub_header,
)
from tracker.plans.engine.readers import RawDocument, RawRow

_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)[.)]?$")
#: a bare amount in a funding column whose header names the unit: "1500", "1 500,5"
_BARE_AMOUNT = re.compile(r"^\d[\d\s\u00a0]*(?:[.,]\d+)?$")
#: the funding's cells, in the order they are joined: the source, then the sum
_FUNDING_COLUMNS = ("funding", "funding_amount")
_SECTION = re.compile(r"^(\d+|[IVX]+)\.?\s+(\S.{2,})$", re.DOTALL)
#: the cells that are neither the number nor the activity's text
_DETAIL_COLUMNS = ("completion_form", "executors", "deadline", "funding")


@dataclass
class RawActivity:
    number: str
    section: str | None
    ref: str
    cells: dict[str, str]
    subrows: list[dict[str, str]] = field(default_factory=list)


@dataclass
class RawSection:
    number: str
    title: str


@dataclass
class TableResult:
    columns: dict[str, int]
    sections: list[RawSection]
    activities: list[RawActivity]
    preamble: list[str]
    trailing: list[str]
    notes: list[tuple[str | None, str, str]]  #: (activity, field, message) findings


def interpret(document: RawDocument) -> TableResult:
    rows = document.rows
    header_at = _header_row(rows)
    labels = rows[header_at].cells
    body_at = header_at + 1
    repeated: list[list[str]] = []
    if body_at < len(rows) and sub_header(labels, rows[body_at].cells):
        # A two-row header: "Қаржыландыру" merged over "көзі" and "сомасы, мың теңге".
        repeated.append([clean(c) for c in rows[body_at].cells])
        labels = combined_header(labels, rows[body_at].cells)
        body_at += 1
    reader = TableReader(header_columns(labels), list(document.preamble), labels, repeated)
    for row in rows[:header_at]:  # rows above the table: each its own paragraph
        reader.preamble += [" ".join(clean(c) for c in row.cells if clean(c)), ""]
    reader.notes.extend(document.notes)
    reader.read(rows[body_at:])
    reader.trailing.extend(document.trailing)
    return reader.result()


def _header_row(rows: list[RawRow]) -> int:
    """The index of the header row; PlanFormatError naming what is missing when there is none."""
    header_at = next((i for i, row in enumerate(rows) if is_header(row.cells)), None)
    if header_at is not None:
        return header_at
    partial = next((row for row in rows if len(header_columns(row.cells)) >= 2), None)
    if partial is not None:
        found = ", ".join(header_columns(partial.cells))
        raise PlanFormatError(msg(
            "%(ref)s: the table has no activity column (Іс-шара / Атауы / Мероприятие); found only: %(found)s",
            ref=partial.ref, found=found))
    raise PlanFormatError(msg(
        "no plan table found: no header row naming the activities (Іс-шара / Атауы / Мероприятие) "
        "and the executors, deadline or other columns"))


class TableReader:
    """The rows under a plan table's header, read one at a time, each by the method for its kind."""

    def __init__(self, columns: dict[str, int], preamble: list[str], labels: list[str] | None = None,
                 repeated_rows: list[list[str]] | None = None):
        self.columns = columns
        self.preamble = preamble
        #: the unit a funding column's header names ("мың теңге"): its bare numbers are amounts in it
        self.units = {column: amount_unit(labels[index]) for column, index in columns.items()
                      if column in _FUNDING_COLUMNS and labels and index < len(labels)}
        #: header rows below the first (a two-row header's labels), repeated on every PDF page too
        self._repeated_rows = repeated_rows or []
        self.trailing: list[str] = []
        self.sections: list[RawSection] = []
        self.activities: list[RawActivity] = []
        self.notes: list[tuple[str | None, str, str]] = []
        self._section: str | None = None
        #: the last row was a repeated header or a column-number row: a new page has begun
        self._page_break = False
        self._seen_numbers: dict[str, int] = {}

    def read(self, rows: list[RawRow]) -> None:
        for position, row in enumerate(rows):
            if self._opens_legend(row) or (self._heads_legend(row) and not self._activities_in(rows[position + 1:])):
                self.legend(rows[position:])
                return
            self.row(row)

    def row(self, row: RawRow) -> None:
        cells = row.cells
        if row.page_break:  # a PDF page begins: what has no number here was cut off by the page's end
            self._page_break = True
        if is_header(cells) or [clean(c) for c in cells] in self._repeated_rows:
            self.repeated_header()
            return
        extra = column_number_row(cells)
        if extra is not None:
            self.column_numbers(extra)
            return
        if not any(clean(c) for c in cells):
            return
        heading = self._section_heading(row)
        if heading is not None:
            self.section(*heading)
        elif row.paragraph:
            self.paragraph(row)
        elif "number" in self.columns and not _NUMBER.match(self._cell(row, "number")):
            self.unnumbered(row)
        else:
            self.activity(row)

    # --- one method per kind of row -------------------------------------------------------

    def repeated_header(self) -> None:
        """The header again at the top of a new page."""
        self._page_break = True

    def column_numbers(self, extra: list[tuple[int, str]]) -> None:
        """"1 2 3 4 5 6": a page break; words inside it continue the last activity (Karaganda 23, 28)."""
        self._page_break = True
        if not self.activities:
            return
        by_index = {index: column for column, index in self.columns.items()}
        for index, text in extra:
            if index in by_index:
                _append(self.activities[-1].cells, by_index[index], text)

    def section(self, number: str, title: str) -> None:
        self._section = number
        self.sections.append(RawSection(number, title))
        self._page_break = False

    def paragraph(self, row: RawRow) -> None:
        """Text outside the grid: before the first activity it introduces the plan, after it it follows."""
        (self.trailing if self.activities else self.preamble).append(_row_lines(row))

    def unnumbered(self, row: RawRow) -> None:
        """A row whose number cell is empty or not a number."""
        number_text = self._cell(row, "number")
        if number_text:
            if self.activities and not self._cell(row, "text"):
                self.trailing.append(_row_lines(row))  # a signature or a legend entry in the number column
            else:
                self.notes.append((None, "table", msg("%(ref)s: «%(text)s» is not an activity number; row skipped",
                                                      ref=row.ref, text=number_text)))
            return
        if not self.activities:
            self.notes.append((None, "table", msg("%(ref)s: a row without a number before the first activity; skipped",
                                                  ref=row.ref)))
            return
        if self._page_break:
            self.continuation(row)
        else:
            self.subrow(row)
        self._page_break = False

    def continuation(self, row: RawRow) -> None:
        """The previous activity's cells, carried over a page break (Karaganda 17, 45)."""
        for column in COLUMNS[1:]:
            _append(self.activities[-1].cells, column, self._raw(row, column))

    def subrow(self, row: RawRow) -> None:
        """A vertically merged cell's second line: its own deliverable, deadline, funding."""
        self.activities[-1].subrows.append({c: self._raw(row, c) for c in COLUMNS[2:]})

    def activity(self, row: RawRow) -> None:
        match = _NUMBER.match(self._cell(row, "number"))
        number = match.group(1) if match else str(len(self.activities) + 1)
        if number in self._seen_numbers:
            self._seen_numbers[number] += 1
            self.notes.append((number, "number", msg(
                "%(ref)s: activity number %(number)s appears again; kept as %(number)s (%(n)s)",
                ref=row.ref, number=number, n=self._seen_numbers[number])))
            number = f"{number} ({self._seen_numbers[number]})"
        else:
            self._seen_numbers[number] = 1
        filled = [c for c in row.cells if clean(c)]
        if len(filled) > len(self.columns) + 1 and len(row.cells) > max(self.columns.values()) + 2:
            self.notes.append((number, "table", msg("%(ref)s: the row has more cells than the header; extra cells ignored",
                                                    ref=row.ref)))
        section = self._section or (number.split(".")[0] if "." in number else None)
        self.activities.append(RawActivity(number, section, row.ref, {c: self._raw(row, c) for c in COLUMNS[1:]}))
        self._page_break = False

    def legend(self, rows: list[RawRow]) -> None:
        """From the legend's heading on, everything is the text after the table: a row per entry
        ("ББ" | "Білім басқармасы"), or the whole legend in one cell, a line per entry."""
        for row in rows:
            filled = [c for c in row.cells if clean(c)]
            if any("\n" in c for c in filled):
                self.trailing.extend(line for c in filled for line in clean_lines(c).split("\n"))
            else:
                self.trailing.append(_row_lines(row))

    # --- reading cells ------------------------------------------------------------------------

    def _raw(self, row: RawRow, column: str) -> str:
        if column == "funding":
            # The source and the sum of a two-column funding are one funding: "ЖБ; 1500 мың теңге".
            return "; ".join(text for text in (self._funding_cell(row, c) for c in _FUNDING_COLUMNS) if text.strip())
        index = self.columns.get(column)
        return row.cells[index] if index is not None and index < len(row.cells) else ""

    def _funding_cell(self, row: RawRow, column: str) -> str:
        index = self.columns.get(column)
        text = row.cells[index] if index is not None and index < len(row.cells) else ""
        unit = self.units.get(column)
        if unit and _BARE_AMOUNT.match(clean(text)):
            return f"{clean(text)} {unit}"  # "1500" under "сомасы, мың теңге" is 1,500,000 tenge
        return text

    def _cell(self, row: RawRow, column: str) -> str:
        return clean(self._raw(row, column))

    @staticmethod
    def _opens_legend(row: RawRow) -> bool:
        return any(LEGEND_MARKER.search(c) for c in row.cells[:1]) or (
            row.paragraph and bool(LEGEND_MARKER.search(" ".join(row.cells))))

    def _heads_legend(self, row: RawRow) -> bool:
        """The legend's heading below the table in any column: a cell that begins with it, alone in
        its row or with the legend itself beside it (never a header row, never an activity)."""
        filled = [clean(c) for c in row.cells if clean(c)]
        return (1 <= len(filled) <= 2 and bool(LEGEND_HEADING.match(filled[0])) and not is_header(row.cells)
                and not _NUMBER.match(self._cell(row, "number")))

    def _activities_in(self, rows: list[RawRow]) -> bool:
        """Numbered activities further down: the row was a note inside the table ("Примечание: …"), not the legend."""
        return any(_NUMBER.match(self._cell(r, "number")) and self._cell(r, "text") for r in rows if not r.paragraph)

    def _section_heading(self, row: RawRow) -> tuple[str, str] | None:
        """A section row: "1. Title" alone in the row, or a whole number with a title and nothing else."""
        filled = [clean(c) for c in row.cells if clean(c)]
        if len(filled) == 1:
            match = _SECTION.match(clean(row.cells[0]) if row.cells else "")
            if match:
                return match.group(1), clean(match.group(2))
            # A sheet typed by hand may put the section's title in the activity column: there, and
            # only with a section's number ("2. …", "II …"; never "2024 жылғы қараша"), and never in
            # text carried over a page break ("15 мектепте…" goes on the activity before it).
            text_only = "text" in self.columns and not (self._page_break and self.activities)
            match = _SECTION.match(self._cell(row, "text")) if text_only else None
            if match and (len(match.group(1)) <= 2 or not match.group(1).isdigit()):
                return match.group(1), clean(match.group(2))
        number = _NUMBER.match(self._cell(row, "number"))
        text = self._cell(row, "text")
        others = [self._cell(row, c) for c in _DETAIL_COLUMNS]
        if number and "." not in number.group(1) and text and not any(others) and len(self.columns) > 2:
            return number.group(1), text
        return None

    def result(self) -> TableResult:
        for activity in self.activities:
            _split_subrows(activity)
        return TableResult(self.columns, self.sections, self.activities, self.preamble, self.trailing, self.notes)


def _row_lines(row: RawRow) -> str:
    filled = [clean(c) for c in row.cells if clean(c)]
    # A two-column legend table ("ББ" | "Білім басқармасы") reads as "ББ – Білім басқармасы".
    return " – ".join(filled) if len(filled) == 2 and not row.paragraph else " ".join(filled)


def _append(cells: dict[str, str], column: str, text: str) -> None:
    """Text carried over a page break joins the cell with a space, or with a line break where the
    reader saw that the writer ended the line there (a PDF cell whose next word would have fitted)."""
    before = cells.get(column, "").rstrip()
    separator = "\n" if text.startswith("\n") else " "
    if len(before) >= 2 and before[-1] == "-" and before[-2].isalnum():
        separator = ""  # "ата-" at the foot of a page, "аналар" at the top of the next: one word
    text = text.strip()
    if text:
        cells[column] = f"{before}{separator}{text}".strip()


def _split_parts(text: str) -> list[str]:
    return [part.strip("\n ") for part in re.split(r"\n\s*\n", text.strip("\n ")) if part.strip()]


def _split_subrows(activity: RawActivity) -> None:
    """Blank-line separated parts that line up across the cells are sub-rows (Kostanay 3.4)."""
    parts = {c: _split_parts(activity.cells.get(c, "")) for c in COLUMNS[2:]}
    counts = [len(p) for p in parts.values() if len(p) > 1]
    if len(counts) >= 2 and len(set(counts)) == 1 and not activity.subrows:
        k = counts[0]
        rows = [{c: (p[i] if len(p) == k else (p[0] if i == 0 and p else "")) for c, p in parts.items()}
                for i in range(k)]
        activity.cells.update(rows[0])
        activity.subrows = rows[1:]
    for column in COLUMNS[1:]:
        activity.cells[column] = clean_lines(activity.cells.get(column, ""))
    for subrow in activity.subrows:
        for column in list(subrow):
            subrow[column] = clean_lines(subrow[column])
