"""The CSV form of a table: UTF-8 with a byte-order mark, every text cell safe to open in Excel.

A CSV carries no types: Excel and LibreOffice read a cell that starts with "=", "+", "-" or "@"
as a formula and run it when the file is opened — `=HYPERLINK(...)` in an imported activity
text would be a link that sends the neighbouring cells away, `=cmd|...` a command. Plans and
reports are written by people outside the office, so every text cell goes through `csv_cell`,
which applies OWASP's rule (CSV Injection): a text starting with a formula character is prefixed
with a single quote, which spreadsheets take as "this is text" and do not show. Numbers and
dates the exporter writes itself are not text and stay as they are, negative ones included.
"""

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from tracker.export.tables import Table

#: what makes a spreadsheet read a cell as a formula (OWASP), with the full-width forms
#: Excel also accepts in East Asian input, the line breaks and NUL that some readers skip
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20")

#: a streamed download sends its rows in pieces of about this many characters
CHUNK = 64 * 1024


def csv_cell(value):
    """One value as the CSV writer should get it: numbers as numbers, dates as ISO text, and any
    other text neutralised against formula injection."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    text = str(value)
    # Spaces in front do not stop Excel reading the rest as a formula.
    if text.lstrip(" ")[:1] in FORMULA_TRIGGERS:
        return "'" + text
    return text


def csv_lines(table: Table) -> Iterator[str]:
    """The table as CSV text, in pieces: the byte-order mark, the header, the rows as they come."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"  # makes Excel read the file as UTF-8 (Cyrillic stays readable)
    writer.writerow([csv_cell(c.header) for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(v) for v in row])
        if buffer.tell() > CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
