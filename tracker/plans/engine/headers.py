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

# Checked in this order: "Орындалу мерзімі" is a deadline before it is an executor, and
# "Қаржыландыру сомасы" (the sub-column of "Қаржыландыру" that holds the sum) is an amount before it is
# the funding.
_HEADER_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("number", ("р/с", "п/п", "№")),
    ("deadline", ("мерзім", "срок")),
    ("executors", ("жауапты", "орындаушы", "ответствен", "исполнител")),
    ("completion_form", ("аяқтау", "нысаны", "форма заверш", "форма")),
    ("funding_amount", ("сомасы", "сумма", "көлемі", "объем")),
    ("funding", ("шығын", "қаржы", "расход", "финанс", "источник")),
    ("text", ("іс-шара", "іс шара", "атауы", "мероприят", "наименован", "шаралар")),
)
_HEADER_FOLDED = tuple((column, tuple(fold(w) for w in words)) for column, words in _HEADER_WORDS)

#: the line that opens the legend of abbreviations ("Аббревиатураларды таратып жазу:", "Ескертпе: …",
#: "Расшифровка аббревиатур:", "Шартты қысқартулар:")
LEGEND_MARKER = re.compile(r"аббревиатур|сокращени|ескертпе|примечание|қысқарту", re.IGNORECASE)
#: a cell that begins with the legend's heading, in whichever column people put it
LEGEND_HEADING = re.compile(r"^\W*(?:аббревиатур|сокращени|ескертпе|примечание|расшифровка|шартты|қысқарту)",
                            re.IGNORECASE)
_COLUMN_LABEL = re.compile(r"^(\d{1,2})\.?$")
#: the unit a funding header names: "сомасы, мың теңге", "(тыс. тенге)", "млн теңге", "теңге"
_UNIT = re.compile(r"(?:(?P<scale>млрд|млн|мың|тыс)\.?\s*)?(?<!\w)(?P<currency>теңге|тенге|тг|kzt)(?!\w)", re.IGNORECASE)


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
    """Column name → cell index, for the cells that name a column (the first cell of each wins).

    "funding_amount" is a sub-column of the funding that holds the sum; alone, it is the funding."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = column_of(cell)
        if column and column not in found:
            found[column] = index
    if "funding_amount" in found and "funding" not in found:
        found["funding"] = found.pop("funding_amount")
    return found


def amount_unit(header: str) -> str | None:
    """The unit a funding column's header names, written as an amount's words: "мың теңге" for
    "Қаржыландыру сомасы, мың теңге", "тыс. тенге" for "Сумма (тыс. тенге)"; None if it names none."""
    match = _UNIT.search(clean(header))
    if not match:
        return None
    scale = (match["scale"] or "").lower()
    currency = match["currency"].lower()
    return f"{scale}{'.' if scale == 'тыс' else ''} {currency}".strip()


def sub_header(header: list[str], below: list[str]) -> bool:
    """Is `below` the second row of a two-row header: labels under a parent cell merged across
    them ("Қаржыландыру" over "көзі" and "сомасы, мың теңге")? At least one label sits under an
    empty header cell (the parent's merged span), none is a number, and none is long."""
    filled = [(index, clean(cell)) for index, cell in enumerate(below) if clean(cell)]
    if not filled or column_number_row(below) is not None:
        return False
    if any(_COLUMN_LABEL.match(text) or re.match(r"^\d+(\.\d+)*\.?$", text) for _, text in filled):
        return False
    if any(len(text) > 60 or len(text.split()) > 6 for _, text in filled):
        return False
    return any(index >= len(header) or not clean(header[index]) for index, _ in filled)


def combined_header(header: list[str], below: list[str]) -> list[str]:
    """One label per column of a two-row header: the parent's words before the sub-column's
    ("Қаржыландыру көзі", "Қаржыландыру сомасы, мың теңге"). A sub-column under an empty cell
    belongs to the nearest parent on its left (the merged cell starts there)."""
    width = max(len(header), len(below))
    labels = []
    parent = ""
    for index in range(width):
        top = clean(header[index]) if index < len(header) else ""
        sub = clean(below[index]) if index < len(below) else ""
        if top:
            parent = top
        labels.append(f"{top or parent} {sub}".strip() if sub else top)
    return labels


def is_header(cells: list[str]) -> bool:
    """A header row names the activity column and at least one other."""
    found = header_columns(cells)
    return "text" in found and len(found) >= 2


def column_number_row(cells: list[str]) -> list[tuple[int, str]] | None:
    """The "1 2 3 4 5 6" row under a header, or None if the row is not one.

    '1 2 3 4 5 6' → []; '1 | 2 шектелген заттар… | 3 …' → [(1, 'шектелген заттар…')]: text that a
    PDF extract put inside the column-number row belongs to the cell of that column. Any style
    people number columns in is one too: "1. 2. 3.", or numbers that run on in order but skip a
    column where a merged cell covers two ("1 2 3 4 5 6" over seven columns)."""
    filled = [(i, clean(c)) for i, c in enumerate(cells) if clean(c)]
    if len(filled) < 3:
        return None
    labels = [_COLUMN_LABEL.match(text) for _, text in filled]
    if all(labels):
        numbers = [int(label[1]) for label in labels]
        if numbers[0] in (0, 1) and numbers == list(range(numbers[0], numbers[0] + len(numbers))):
            return []
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
