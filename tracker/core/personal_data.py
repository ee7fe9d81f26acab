"""Keep minors' personal data out of reports (BRIEF.md, "Personal data"; rules 003, arts. 33–34).

A person's IIN (ЖСН / ИИН) is 12 digits: birth date YYMMDD, a century-and-sex digit (1–6),
four serial digits and a check digit. Any number that passes all of these checks is refused
in report text, links and the text of Word and Excel evidence. A name cannot be recognised by
a program, so the person posting a report also confirms that it carries none.
"""

import io
import re
from datetime import date

_SEPARATOR = re.compile(r"[ \u00a0\u202f-]")
_DIGIT_RUN = re.compile(r"\d+(?:[ \u00a0\u202f-]\d+)*")
_WEIGHTS_1 = list(range(1, 12))
_WEIGHTS_2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]


def is_iin(number: str) -> bool:
    if len(number) != 12 or not number.isdigit():
        return False
    digits = [int(c) for c in number]
    century = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}.get(digits[6])
    if century is None:
        return False
    try:
        date(century + int(number[0:2]), int(number[2:4]), int(number[4:6]))
    except ValueError:
        return False
    check = sum(d * w for d, w in zip(digits, _WEIGHTS_1, strict=False)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, _WEIGHTS_2, strict=False)) % 11
        if check == 10:
            return False
    return check == digits[11]


def find_iins(text: str) -> list[str]:
    """IINs in the text, spaces inside the number ignored ("050101 5 00000 1" too).

    Digit groups joined by single spaces or hyphens are tried from every group, so an IIN
    next to another number ("2 сынып", a space-separated list of IINs) is found as well."""
    found = []
    for run in _DIGIT_RUN.findall(text or ""):
        groups = _SEPARATOR.split(run)
        for start in range(len(groups)):
            joined = ""
            for group in groups[start:]:
                joined += group
                if len(joined) >= 12:
                    break
            if len(joined) == 12 and is_iin(joined):
                found.append(joined)
    return found


def masked(iin: str) -> str:
    return f"{iin[:2]}••••••••{iin[-2:]}"


def document_text(data: bytes, kind: str) -> str | None:
    """The words of a Word or Excel file, to be checked for IINs ("" for kinds whose words we
    cannot read: PDF, images, old .doc/.xls); None when the file is damaged."""
    try:
        if kind == "docx":
            import docx

            document = docx.Document(io.BytesIO(data))
            cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
            return "\n".join([p.text for p in document.paragraphs] + cells)
        if kind == "xlsx":
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            return "\n".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                             for v in row if v is not None)
    except Exception:  # noqa: BLE001 — any failure to open means a damaged file, reported as such
        return None
    return ""
