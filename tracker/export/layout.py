"""How tall a wrapped row must be, and how wide a column, so the workbook reads in LibreOffice too.

Excel fits a row's height to wrapped text when it draws the sheet; LibreOffice does not on
opening an .xlsx, and xlsxwriter cannot fit anything (it has no fonts). A row left at the default
height shows one line of a wrapped cell: plan titles run into the row below, and a header of
fourteen columns reads fourteen times the same first word. So the writer computes every row's
height from its texts and its columns' widths, with the functions here.

The estimate is on the safe side. A column's width is in units of a digit's width; the portal's
workbooks are read in Excel (Calibri) and in LibreOffice, which draws DejaVu Sans where Calibri is
missing — wider than Calibri, and bold wider still. Measured on the plans' Kazakh and Russian text
in DejaVu Sans: about 1.0 character per unit, 0.9 in bold; capital letters about 1.3 units each,
a space half of one.
The counts below are a little under that, so a text is never cut; Excel shows an empty line at
the bottom of some tall cells instead.
"""

from functools import lru_cache
from math import ceil

#: characters per unit of column width, normal and bold text
CHARS_PER_UNIT = 0.9
CHARS_PER_UNIT_BOLD = 0.8
#: a capital letter is this many ordinary characters wide, a space this many
CAPITAL = 1.3
SPACE = 0.5
#: a cell's inner margins, in units of width
PADDING = 1.0
#: one line of 11-point text (Calibri's default row height is 15 points)
LINE_HEIGHT = 15.0
#: Excel's tallest row; a text longer than that shows its beginning
MAX_HEIGHT = 409.0


def line_capacity(width: float, bold: bool = False) -> float:
    """How many ordinary characters one line of a column this wide holds."""
    return max(1.0, (width - PADDING) * (CHARS_PER_UNIT_BOLD if bold else CHARS_PER_UNIT))


def _length(text: str) -> float:
    return (len(text) + (CAPITAL - 1) * sum(1 for c in text if c.isupper())
            - (1 - SPACE) * text.count(" "))


@lru_cache(maxsize=16384)  # plan titles and executors' names repeat on every row of a table
def text_lines(text: str, capacity: float) -> int:
    """The lines `text` takes when wrapped at word boundaries into lines of `capacity` characters;
    a word longer than a line is broken over several, as spreadsheets do."""
    lines = 0
    for paragraph in text.split("\n"):
        if _length(paragraph) <= capacity:
            lines += 1
            continue
        used = capacity  # "full", so that the first word opens the paragraph's first line
        opened = 0
        for word in paragraph.split(" "):  # runs of spaces take room too
            length = _length(word)
            if not length:  # a space where the line breaks is not drawn
                used = min(capacity, used + SPACE)
                continue
            if used + SPACE + length <= capacity:
                used += SPACE + length
                continue
            full = max(0, ceil(length / capacity) - 1)  # lines a long word fills completely
            opened += 1 + full
            used = length - full * capacity
        lines += max(1, opened)
    return lines


def row_height(lines: int) -> float:
    return min(MAX_HEIGHT, lines * LINE_HEIGHT)


def fitted_width(width: float, header: str) -> float:
    """The column's width, widened so that the longest word of its (bold) header fits on a line:
    a header broken inside a word reads as two words."""
    longest = max((_length(word) for word in header.split()), default=0)
    return max(width, ceil(longest / CHARS_PER_UNIT_BOLD + PADDING))


def width_for(texts, minimum: float) -> float:
    """A width that shows each of `texts` (status words, say) on one line of normal text."""
    longest = max((_length(text) for text in texts), default=0)
    return max(minimum, ceil(longest / CHARS_PER_UNIT + PADDING))
