"""Keep minors' personal data out of reports (BRIEF.md, "Personal data"; rules 003, arts. 33–34).

A person's IIN (ЖСН / ИИН) is 12 digits: birth date YYMMDD, a century-and-sex digit (1–6),
four serial digits and a check digit. Any number that passes all of these checks is refused
in report text, links and the text of Word and Excel evidence. A name cannot be recognised by
a program, so the person posting a report also confirms that it carries none.
"""

import io
import re
from datetime import date

from tracker.core.sizes import MAX_UNPACKED_BYTES, unpacked_size

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


#: the pages of a PDF whose text layer is read (a report's evidence is rarely longer)
MAX_PDF_PAGES = 500


class UnpacksTooLarge(ValueError):
    """The zip container declares more unpacked bytes than MAX_UNPACKED_BYTES."""


def document_text(data: bytes, kind: str) -> str | None:
    """The words of a Word, Excel or PDF file, to be checked for IINs ("" for kinds whose words
    we cannot read: images, old .doc/.xls, a PDF without a text layer); None when the file is
    damaged. Raises UnpacksTooLarge for a zip bomb, before anything is unpacked."""
    if kind in ("docx", "xlsx"):
        size = unpacked_size(data)
        if size is None:
            return None
        if size > MAX_UNPACKED_BYTES:
            raise UnpacksTooLarge(size)
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
        if kind == "pdf":
            return _pdf_text(data)
    except Exception:  # noqa: BLE001 — any failure to open means a damaged file, reported as such
        return None
    return ""


def _pdf_text(data: bytes) -> str:
    """The PDF's text layer (a scan has none). pypdf bounds what a compressed stream may inflate
    to; a page whose text cannot be extracted is skipped rather than failing the whole file."""
    import warnings

    from pypdf import PdfReader

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pypdf warns about every small irregularity of real PDFs
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return ""  # protected by a password: its words cannot be read, like a scan
        pages = []
        for page in reader.pages[:MAX_PDF_PAGES]:
            try:
                pages.append(page.extract_text() or "")
            except Exception:  # noqa: BLE001,S112 — one unreadable page does not make the file damaged
                continue
        return "\n".join(pages)
