"""The words of a plan table's header: which column is which, in Kazakh or Russian.

Used by the readers (to find where the table starts in a text extract, which sheet of a workbook
holds it, which CSV delimiter makes a header appear) and by the table (to map columns by their
header, never by position, and to tell a repeated header or a "1 2 3 4 5 6" column-number row
from an activity). Knows no file format.
"""

import re

from tracker.core.text import clean, fold

#: the columns of a plan table, in the order the engine names them
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

#: the line that opens the legend of abbreviations ("Аббревиатураларды таратып жазу:", "Ескертпе: …")
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
    """Column name → cell index, for the cells that name a column (the first cell of each wins)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = column_of(cell)
        if column and column not in found:
            found[column] = index
    return found


def is_header(cells: list[str]) -> bool:
    """A header row names the activity column and at least one other."""
    found = header_columns(cells)
    return "text" in found and len(found) >= 2


def column_number_row(cells: list[str]) -> list[tuple[int, str]] | None:
    """The "1 2 3 4 5 6" row under a header, or None if the row is not one.

    '1 2 3 4 5 6' → []; '1 | 2 шектелген заттар… | 3 …' → [(1, 'шектелген заттар…')]: text that a
    PDF extract put inside the column-number row belongs to the cell of that column."""
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
