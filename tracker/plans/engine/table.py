"""RawDocument → activities: the meaning of a plan table, the same for every format.

Columns are recognised by their header words (Kazakh or Russian), never by
position. A repeated header or a "1 2 3 4 5 6" column-number row marks a page
break: a following row with an empty number continues the previous activity
(Karaganda 17, 45), and text inside the column-number row does too (23, 28).
Without a page break, a row with an empty number is a sub-row of the activity
(a vertically merged Word/Excel cell); blank-line separated parts repeated
across cells are sub-rows too (Kostanay 3.4).
"""

import re
from dataclasses import dataclass, field

from tracker.core.messages import msg
from tracker.core.text import clean, clean_lines, fold
from tracker.plans.engine.errors import PlanFormatError
from tracker.plans.engine.readers import RawDocument, RawRow

COLUMNS = ("number", "text", "completion_form", "executors", "deadline", "funding")

# Checked in this order: "Орындалу мерзімі" is a deadline before it is an executor.
_HEADER_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("number", ("р/с", "п/п", "№")),
    ("deadline", ("мерзім", "срок")),
    ("executors", ("жауапты", "орындаушы", "ответствен", "исполнител")),
    ("completion_form", ("аяқтау", "нысаны", "форма заверш", "форма")),
    ("funding", ("шығын", "қаржы", "расход", "финанс", "источник")),
    ("text", ("іс-шара", "іс шара", "атауы", "мероприят", "наименован", "шаралар")),
)
_HEADER_FOLDED = tuple((column, tuple(fold(w) for w in words)) for column, words in _HEADER_WORDS)
_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)[.)]?$")
_SECTION = re.compile(r"^(\d+|[IVX]+)\.?\s+(\S.{2,})$", re.DOTALL)
LEGEND_MARKER = re.compile(r"аббревиатура|сокращени|ескертпе|примечание", re.IGNORECASE)


def column_of(cell: str) -> str | None:
    """Which plan column a header cell names, if it is a header cell at all."""
    text = fold(clean(cell))
    if not text or len(text) > 60 or len(text.split()) > 6:
        return None
    for column, words in _HEADER_FOLDED:
        if any(word in text for word in words):
            return column
    return None


def header_columns(cells: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = column_of(cell)
        if column and column not in found:
            found[column] = index
    return found


def is_header(cells: list[str]) -> bool:
    found = header_columns(cells)
    return "text" in found and len(found) >= 2


def _column_number_row(cells: list[str]) -> list[tuple[int, str]] | None:
    """'1 2 3 4 5 6' → []; '1 | 2 шектелген заттар… | 3 …' → [(1, 'шектелген заттар…')]."""
    filled = [(i, clean(c)) for i, c in enumerate(cells) if clean(c)]
    if len(filled) < 3:
        return None
    exact = 0
    extra: list[tuple[int, str]] = []
    for index, text in filled:
        label = str(index + 1)
        if text == label:
            exact += 1
        elif text.startswith(label + " "):
            extra.append((index, text[len(label) + 1:].strip()))
        else:
            return None
    return extra if exact >= len(filled) / 2 else None


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


def _split_parts(text: str) -> list[str]:
    return [part.strip("\n ") for part in re.split(r"\n\s*\n", text.strip("\n ")) if part.strip()]


def interpret(document: RawDocument) -> TableResult:
    rows = document.rows
    header_at = next((i for i, row in enumerate(rows) if is_header(row.cells)), None)
    if header_at is None:
        partial = next((row for row in rows if len(header_columns(row.cells)) >= 2), None)
        if partial is not None:
            found = ", ".join(header_columns(partial.cells))
            raise PlanFormatError(msg(
                "%(ref)s: the table has no activity column (Іс-шара / Атауы / Мероприятие); found only: %(found)s",
                ref=partial.ref, found=found))
        raise PlanFormatError(msg(
            "no plan table found: no header row naming the activities (Іс-шара / Атауы / Мероприятие) "
            "and the executors, deadline or other columns"))
    columns = header_columns(rows[header_at].cells)
    preamble = list(document.preamble)
    for row in rows[:header_at]:  # rows above the table: each its own paragraph
        preamble += [" ".join(clean(c) for c in row.cells if clean(c)), ""]
    trailing: list[str] = []
    sections: list[RawSection] = []
    activities: list[RawActivity] = []
    notes: list[tuple[str | None, str, str]] = []
    section: str | None = None
    page_break = False
    seen_numbers: dict[str, int] = {}

    def cell(cells: list[str], column: str) -> str:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    body = rows[header_at + 1:]
    for position, row in enumerate(body):
        cells = row.cells
        if any(LEGEND_MARKER.search(c) for c in cells[:1]) or (
            row.paragraph and LEGEND_MARKER.search(" ".join(cells))
        ):
            trailing.extend(_row_lines(r) for r in body[position:])
            break
        if is_header(cells):
            page_break = True
            continue
        continuation = _column_number_row(cells)
        if continuation is not None:
            page_break = True
            if activities:
                for index, text in continuation:
                    column = next((c for c, i in columns.items() if i == index), None)
                    if column:
                        _append(activities[-1].cells, column, text)
            continue
        filled = [clean(c) for c in cells if clean(c)]
        if not filled:
            continue
        first = clean(cells[0]) if cells else ""
        number_text = clean(cell(cells, "number"))
        others = [clean(cell(cells, c)) for c in ("completion_form", "executors", "deadline", "funding")]

        heading = _section_heading(first, filled, number_text, clean(cell(cells, "text")), others, columns)
        if heading is not None:
            section = heading[0]
            sections.append(RawSection(*heading))
            page_break = False
            continue
        if row.paragraph:
            if activities:
                trailing.append(_row_lines(row))
            else:
                preamble.append(_row_lines(row))
            continue

        number_match = _NUMBER.match(number_text)
        if "number" in columns and not number_match:
            if number_text:
                # A line such as a signature or a legend entry in the number column.
                if activities and not clean(cell(cells, "text")):
                    trailing.append(_row_lines(row))
                    continue
                notes.append((None, "table", msg("%(ref)s: «%(text)s» is not an activity number; row skipped",
                                                  ref=row.ref, text=number_text)))
                continue
            if not activities:
                notes.append((None, "table", msg("%(ref)s: a row without a number before the first activity; skipped",
                                                  ref=row.ref)))
                continue
            target = activities[-1]
            if page_break:
                for column in COLUMNS[1:]:
                    _append(target.cells, column, cell(cells, column))
            else:
                target.subrows.append({c: cell(cells, c) for c in COLUMNS[2:]})
            page_break = False
            continue

        number = number_match.group(1) if number_match else str(len(activities) + 1)
        if number in seen_numbers:
            seen_numbers[number] += 1
            notes.append((number, "number", msg("%(ref)s: activity number %(number)s appears again; kept as %(number)s (%(n)s)",
                                               ref=row.ref, number=number, n=seen_numbers[number])))
            number = f"{number} ({seen_numbers[number]})"
        else:
            seen_numbers[number] = 1
        if len(filled) > len(columns) + 1 and len(cells) > max(columns.values()) + 2:
            notes.append((number, "table", msg("%(ref)s: the row has more cells than the header; extra cells ignored",
                                                ref=row.ref)))
        activity_section = section or (number.split(".")[0] if "." in number else None)
        activities.append(RawActivity(number, activity_section, row.ref, {c: cell(cells, c) for c in COLUMNS[1:]}))
        page_break = False

    trailing.extend(document.trailing)
    for activity in activities:
        _split_subrows(activity)
    return TableResult(columns, sections, activities, preamble, trailing, notes)


def _section_heading(first: str, filled: list[str], number: str, text: str, others: list[str],
                     columns: dict[str, int]) -> tuple[str, str] | None:
    """A section row: "1. Title" alone in the row, or a whole number with a title and nothing else."""
    if len(filled) == 1:
        match = _SECTION.match(first)
        if match:
            return match.group(1), clean(match.group(2))
    number_match = _NUMBER.match(number)
    if number_match and "." not in number_match.group(1) and text and not any(others) and len(columns) > 2:
        return number_match.group(1), text
    return None


def _row_lines(row: RawRow) -> str:
    filled = [clean(c) for c in row.cells if clean(c)]
    # A two-column legend table ("ББ" | "Білім басқармасы") reads as "ББ – Білім басқармасы".
    return " – ".join(filled) if len(filled) == 2 and not row.paragraph else " ".join(filled)


def _append(cells: dict[str, str], column: str, text: str) -> None:
    text = text.strip()
    if text:
        cells[column] = f"{cells.get(column, '').rstrip()} {text}".strip()


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
