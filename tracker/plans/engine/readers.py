"""File → RawDocument: every format becomes the same grid of rows.

Readers know about file formats only (tabs, Word cells, merged Excel cells); what the rows
mean is decided once, in `table.py`, for every format. Where a reader must find the table in a
file (the first header row of a text extract, the sheet that holds the plan, the CSV delimiter
under which a header appears) it asks `headers.py`, which knows the header words.
"""

import contextlib
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tracker.core.messages import msg
from tracker.core.sizes import DEFAULT_MAX_PLAN_BYTES, MAX_UNPACKED_BYTES, human_size
from tracker.plans.engine import convert, ole
from tracker.plans.engine.errors import PlanFormatError
from tracker.plans.engine.headers import column_of, header_columns, is_header


@dataclass
class RawRow:
    cells: list[str]
    ref: str  #: where a person finds it: "line 83", "row 12", "table 1, row 7"
    paragraph: bool = False  #: text outside the table grid (a heading, a signature)
    #: the first row on a new page of a PDF: a row continued from the page before may follow the break
    page_break: bool = False


@dataclass
class RawDocument:
    format: str
    rows: list[RawRow]
    preamble: list[str] = field(default_factory=list)
    trailing: list[str] = field(default_factory=list)
    #: what the reader noticed for a person to check: (activity, field, message), e.g. hidden rows
    notes: list[tuple[str | None, str, str]] = field(default_factory=list)


def size_error(name: str, size: int, limit: int) -> PlanFormatError:
    return PlanFormatError(msg("%(name)s is %(size)s, over the %(limit)s limit for a plan file",
                               name=name, size=human_size(size), limit=human_size(limit)))


def read_document(data: bytes, filename: str, max_bytes: int = DEFAULT_MAX_PLAN_BYTES) -> RawDocument:
    name = Path(filename).name
    if len(data) > max_bytes:
        raise size_error(name, len(data), max_bytes)
    if not data.strip():
        raise PlanFormatError(msg("%(name)s is empty", name=name))
    suffix = Path(filename).suffix.lower()
    if data[:5] == b"%PDF-" or (suffix == ".pdf" and b"%PDF-" in data[:1024]):
        from tracker.plans.engine.pdf import read_pdf

        return read_pdf(data, name)
    if ole.is_compound_file(data) or suffix in (".doc", ".xls"):
        return _read_old_office(data, name, suffix)
    if data[:64].lstrip()[:5] == b"{\\rtf":  # Word's Rich Text Format, also what some "save as .doc" write
        return _converted(data, name, ".rtf")
    if data[:2] == b"PK" or suffix in (".docx", ".xlsx", ".odt", ".ods"):
        return _read_zip(data, name, suffix)
    if suffix == ".pdf":
        raise PlanFormatError(msg("%(name)s is a PDF that cannot be read: it is damaged (no PDF header)", name=name))
    text = _decode(data, name)
    if suffix == ".csv":
        return read_csv_text(text)
    return read_text(text)


def _read_old_office(data: bytes, name: str, suffix: str) -> RawDocument:
    """Word 97 / Excel 97 (an OLE2 compound file): converted by LibreOffice, then read as .docx/.xlsx.
    A password-protected .doc/.xls/.docx/.xlsx is named as such before anything runs."""
    if data[:64].lstrip()[:5] == b"{\\rtf":  # an RTF file saved under a .doc name
        return _converted(data, name, ".rtf")
    if data[:2] == b"PK":  # a .docx renamed to .doc
        return _read_zip(data, name, suffix)
    shown = suffix if suffix in (".doc", ".xls") else ".doc/.xls"
    try:
        summary = ole.summarize(data)
    except ole.NotCompoundFile:
        raise PlanFormatError(msg("%(name)s is damaged: it is not a readable file of the old binary %(suffix)s format "
                                  "(Word 97 / Excel 97)", name=name, suffix=shown)) from None
    if summary.encrypted:
        raise PlanFormatError(msg("%(name)s is protected by a password; open it, save it without the password "
                                  "and upload again", name=name))
    if summary.kind == "doc":
        return _converted(data, name, ".doc")
    if summary.kind == "xls":
        return _converted(data, name, ".xls")
    raise PlanFormatError(msg("%(name)s is an old binary Office file but neither a Word (.doc) nor an Excel (.xls) "
                              "document", name=name))


def _converted(data: bytes, name: str, suffix: str) -> RawDocument:
    """A format LibreOffice converts (convert.py), read as the .docx/.xlsx it becomes."""
    converted = convert.convert(data, name, suffix)
    document = _read_zip(converted, name, "." + convert.TARGETS[suffix])
    document.format = suffix.lstrip(".")
    return document


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096]:
        raise PlanFormatError(msg("%(name)s is not a text file, a Word (.docx) or an Excel (.xlsx) document", name=name))
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PlanFormatError(msg("%(name)s: the text is neither UTF-8 nor Windows-1251", name=name))


def _read_zip(data: bytes, name: str, suffix: str) -> RawDocument:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise PlanFormatError(msg("%(name)s is damaged: it is not a readable Word or Excel file (%(detail)s)",
                                   name=name, detail=_one_line(str(exc)))) from None
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise PlanFormatError(msg("%(name)s unpacks to more than %(limit)s MB; refused",
                                   name=name, limit=MAX_UNPACKED_BYTES // 1024 // 1024))
    names = {member.filename for member in members}
    if "mimetype" in names and "content.xml" in names:  # OpenDocument (LibreOffice's own .odt/.ods)
        with contextlib.suppress(KeyError, zipfile.BadZipFile, ValueError, OSError, NotImplementedError):
            kind = archive.read("mimetype")[:80]
            if kind.endswith(b"opendocument.text"):
                return _converted(data, name, ".odt")
            if kind.endswith(b"opendocument.spreadsheet"):
                return _converted(data, name, ".ods")
    try:
        if "word/document.xml" in names:
            return read_docx(data)
        if "xl/workbook.xml" in names:
            return read_xlsx(data)
    except PlanFormatError:
        raise
    except Exception as exc:  # python-docx / openpyxl raise many kinds on broken XML
        raise PlanFormatError(msg("%(name)s is damaged and cannot be read (%(detail)s)",
                                   name=name, detail=_one_line(f"{type(exc).__name__}: {exc}"))) from None
    if suffix in (".docx", ".xlsx"):
        raise PlanFormatError(msg("%(name)s is damaged: the %(suffix)s package has no document inside",
                                   name=name, suffix=suffix))
    raise PlanFormatError(msg("%(name)s is a zip archive but neither a Word (.docx) nor an Excel (.xlsx) document",
                               name=name))


def _one_line(detail: str, limit: int = 200) -> str:
    """A library's error as a detail of our one-line message: openpyxl's run over three lines,
    lxml's may quote the broken XML at length."""
    detail = " ".join(detail.split())
    return detail if len(detail) <= limit else detail[: limit - 1] + "…"


# --- text extracted from Word: a tab starts a cell, a blank line may end a row ---------

_TAB_CELL = re.compile(r"^ *\t")


def read_text(text: str) -> RawDocument:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    inner_tab = sum(1 for line in lines if re.search(r"\S\t|\t\S.*\t", line))
    if inner_tab >= 3:
        return _read_tab_separated(lines)
    return _read_cell_per_line(lines)


@dataclass
class _Cell:
    lines: list[str]
    line_no: int
    after_blank: bool

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip("\n ")


def _read_cell_per_line(lines: list[str]) -> RawDocument:
    """Word → text: each cell starts with a tab; a line without a tab continues the cell;
    blank lines sit inside cells too, so rows are closed by counting cells."""
    tab_lines = [i for i, line in enumerate(lines) if _TAB_CELL.match(line)]
    if not tab_lines:
        return RawDocument("text", [], preamble=[line for line in lines if line.strip()])
    end = tab_lines[-1]
    while end + 1 < len(lines) and lines[end + 1].strip():
        end += 1

    preamble: list[str] = []
    cells: list[_Cell] = []
    blank = False
    for i, line in enumerate(lines[: end + 1]):
        if _TAB_CELL.match(line):
            cells.append(_Cell([line.split("\t", 1)[1]], i + 1, blank))
            blank = False
        elif not line.strip():
            blank = True
            if cells:
                cells[-1].lines.append("")
        elif cells:
            cells[-1].lines.append(line)
        else:
            preamble.append(line)
    trailing = lines[end + 1:]

    start = next(
        (i for i, cell in enumerate(cells) if column_of(cell.text) in ("number", "text")),
        None,
    )
    if start is None:
        preamble += [cell.text for cell in cells]
        return RawDocument("text", [], preamble=preamble, trailing=trailing)
    for cell in cells[:start]:
        preamble.extend(cell.text.split("\n"))

    rows: list[RawRow] = []
    current: list[_Cell] = []
    width = 0
    for cell in cells[start:]:
        if current and cell.after_blank and (
            (width and len(current) >= width) or (len(current) == 1 and _section_like(current[0].text)) or not width
        ):
            rows.append(RawRow([c.text for c in current], msg("line %(line)s", line=current[0].line_no)))
            width = width or len(current)
            current = []
        current.append(cell)
    if current:
        rows.append(RawRow([c.text for c in current], msg("line %(line)s", line=current[0].line_no)))
    return RawDocument("text", rows, preamble=preamble, trailing=trailing)


def _section_like(text: str) -> bool:
    return bool(re.match(r"^(\d+|[IVX]+)\.?\s+\S{3,}", text))


def _read_tab_separated(lines: list[str]) -> RawDocument:
    """PDF → text: one table row per line, cells separated by tabs."""
    tabbed = [i for i, line in enumerate(lines) if "\t" in line]
    start = next((i for i in tabbed if is_header(lines[i].split("\t"))), tabbed[0])
    end = tabbed[-1]
    rows: list[RawRow] = []
    for i in range(start, end + 1):
        line = lines[i]
        if "\t" in line:
            rows.append(RawRow(line.split("\t"), msg("line %(line)s", line=i + 1)))
        elif line.strip():
            rows.append(RawRow([line.strip()], msg("line %(line)s", line=i + 1), paragraph=True))
    return RawDocument("text", rows, preamble=lines[:start], trailing=lines[end + 1:])


# --- .docx ----------------------------------------------------------------------------


def read_docx(data: bytes) -> RawDocument:
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    preamble: list[str] = []
    rows: list[RawRow] = []
    pending: list[str] = []  # paragraphs after the last table seen so far
    tables = 0
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            text = Paragraph(child, document).text
            if text.strip():
                # A blank line after each paragraph keeps Word paragraphs apart (the stamp is not the title).
                (pending if tables else preamble).extend([text, ""])
        elif child.tag == qn("w:tbl"):
            tables += 1
            for text in filter(None, pending):
                rows.append(RawRow([text], msg("paragraph before table %(table)s", table=tables), paragraph=True))
            pending = []
            table = Table(child, document)
            for number, tr in enumerate(child.tr_lst, start=1):
                cells: list[str] = []
                for tc in tr.tc_lst:
                    # A vertically merged cell's value belongs to the row where it starts.
                    text = "" if tc.vMerge == "continue" else _Cell(tc, table).text
                    cells.append(text)
                    # A Word table has at most 63 columns: a span of a billion is a damaged file, not a row.
                    cells.extend([""] * (min(tc.grid_span, 63) - 1))
                rows.append(RawRow(cells, msg("table %(table)s, row %(row)s", table=tables, row=number)))
    return RawDocument("docx", rows, preamble=preamble, trailing=pending)


# --- .xlsx ----------------------------------------------------------------------------


#: no sheet has more rows (Excel's limit)
XLSX_MAX_ROWS = 1_048_576
#: no plan table is wider (a Word table has at most 63 columns)
XLSX_MAX_COLUMNS = 64



def read_xlsx(data: bytes) -> RawDocument:
    """The plan sheet's rows as the cells show them, hidden rows and columns left out (with a note),
    and the legend from another sheet when it is there ("Аббревиатуралар")."""
    import openpyxl
    from openpyxl.cell.read_only import EMPTY_CELL  # the one object given for every cell not in the file

    # Read-only, openpyxl streams the cells the file holds instead of making one for every cell of
    # a merged or linked range (A1:XFD1048576 is 17 billion), and rows and columns are bounded, so
    # that one cell at XFD1048576 is not a rectangle of empty ones to walk.
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets = workbook.worksheets
        chosen = _plan_sheet(sheets)
        hidden_rows, hidden_columns = _hidden_rows_and_columns(data, getattr(chosen, "_worksheet_path", ""))
        rows: list[RawRow] = []
        general_numbers: dict[int, set[int]] = {}  # row position → cells holding a decimal in the General format
        skipped_rows = 0
        for number, row in enumerate(chosen.iter_rows(max_row=XLSX_MAX_ROWS, max_col=XLSX_MAX_COLUMNS), start=1):
            if not row or (row[0] is EMPTY_CELL and len(set(map(id, row))) == 1):
                continue  # an empty row, told in C: a million of them are quick
            if number in hidden_rows:
                skipped_rows += 1
                continue
            cells, general = _shown_cells(row, hidden_columns)
            if any(cells):
                if general:
                    general_numbers[len(rows)] = general
                rows.append(RawRow(cells, msg("row %(row)s", row=number)))
        trailing = [line for sheet in sheets if sheet is not chosen for line in _legend_sheet_lines(sheet)]
    finally:
        workbook.close()
    document = RawDocument("xlsx", rows, trailing=trailing)
    shown_hidden_columns = sorted(c for c in hidden_columns if c < XLSX_MAX_COLUMNS)
    if skipped_rows or shown_hidden_columns:
        document.notes.append((None, "table", msg(
            "sheet «%(sheet)s»: %(rows)s hidden rows and %(columns)s hidden columns (%(letters)s) are not read",
            sheet=chosen.title, rows=skipped_rows, columns=len(shown_hidden_columns),
            letters=", ".join(_column_letter(c) for c in shown_hidden_columns[:10]) or "—")))
    _note_general_numbers(document, general_numbers)
    return document


def _plan_sheet(sheets):
    """The sheet whose header names the most plan columns (visible sheets first; ties: the first)."""
    best, best_score = None, (-1, -1)
    for sheet in sheets:
        score = max((len(header_columns(cells)) for cells in
                     (_xlsx_cells(row) for row in sheet.iter_rows(max_row=60, max_col=XLSX_MAX_COLUMNS, values_only=True))
                     if is_header(cells)), default=0)
        ranked = (int(sheet.sheet_state == "visible"), score)
        if ranked > best_score:
            best, best_score = sheet, ranked
    return best if best is not None else sheets[0]


def _legend_sheet_lines(sheet) -> list[str]:
    """Lines of a sheet that holds the legend: named for it, or with the legend's heading in it."""
    from tracker.plans.engine.headers import LEGEND_MARKER

    if sheet.sheet_state != "visible":
        return []
    rows = [cells for cells in (_xlsx_cells(row) for row in
                                sheet.iter_rows(max_row=500, max_col=XLSX_MAX_COLUMNS, values_only=True)) if any(cells)]
    named = bool(LEGEND_MARKER.search(sheet.title))
    if not named and not any(LEGEND_MARKER.search(cell) for cells in rows[:20] for cell in cells):
        return []
    lines = [sheet.title] if named else []
    for cells in rows:
        filled = [cell.strip() for cell in cells if cell.strip()]
        if len(filled) == 2 and not any("\n" in cell for cell in filled):
            lines.append(" – ".join(filled))  # "ББ" | "Білім басқармасы"
        else:
            lines.extend(line for cell in filled for line in cell.splitlines() if line.strip())
    return lines


def _hidden_rows_and_columns(data: bytes, member: str) -> tuple[set[int], set[int]]:
    """Rows (1-based) and columns (0-based) the sheet hides. openpyxl's read-only mode does not give
    them, so the sheet's XML is streamed once more for the attributes alone; a sheet that cannot be
    read here is read (and refused) by openpyxl itself."""
    # defusedxml: an uploaded workbook's XML may declare entities (a "billion laughs"); refused
    import defusedxml.ElementTree as ElementTree

    rows: set[int] = set()
    columns: set[int] = set()
    if not member:
        return rows, columns
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(member.lstrip("/")) as stream:
            for _event, element in ElementTree.iterparse(stream, events=("end",)):
                tag = element.tag.rsplit("}", 1)[-1]
                if tag == "row":
                    if element.get("hidden") in ("1", "true"):
                        rows.add(int(element.get("r", "0")))
                    element.clear()
                elif tag == "col" and element.get("hidden") in ("1", "true"):
                    first, last = int(element.get("min", "1")), int(element.get("max", "1"))
                    columns.update(range(max(first, 1) - 1, min(last, XLSX_MAX_COLUMNS)))
                elif tag == "c":
                    element.clear()
    except Exception:  # noqa: BLE001 — a broken sheet is openpyxl's to report
        return set(), set()
    return rows, columns


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _note_general_numbers(document: RawDocument, general_numbers: dict[int, set[int]]) -> None:
    """Activity numbers typed as decimal numbers in the General format: 1.10 is stored and shown as
    1.1, so the file cannot tell them apart. One note naming the rows, for a person to check."""
    header_at = next((i for i, row in enumerate(document.rows) if is_header(row.cells)), None)
    if header_at is None:
        return
    column = header_columns(document.rows[header_at].cells).get("number")
    refs = [document.rows[i].ref for i, cells in sorted(general_numbers.items()) if i > header_at and column in cells]
    if refs:
        document.notes.append((None, "number", msg(
            "%(first)s…%(last)s: %(n)s activity numbers are decimal numbers in the General format, which shows "
            "1.10 as 1.1; check the numbering (or format the number column as text)",
            first=refs[0], last=refs[-1], n=len(refs))))


def _shown_cells(row, hidden_columns: set[int]) -> tuple[list[str], set[int]]:
    """Each cell's text as its number format shows it; hidden columns stay empty so that the others
    keep their places. Also which cells hold a decimal number the General format cannot tell (1.1 or 1.10)."""
    cells: list[str] = []
    general: set[int] = set()
    for index, cell in enumerate(row):
        value = getattr(cell, "value", None)
        if index in hidden_columns or value is None:
            cells.append("")
            continue
        number_format = getattr(cell, "number_format", None) or "General"
        if isinstance(value, float) and not value.is_integer() and _decimals(number_format) is None:
            general.add(index)
        cells.append(_shown(value, number_format))
    return cells, general


def _shown(value, number_format: str = "General") -> str:
    import datetime

    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, int | float) and not isinstance(value, bool):
        decimals = _decimals(number_format)
        if decimals is not None:
            zeros, optional = decimals
            text = f"{value:.{zeros + optional}f}"
            for _ in range(optional):  # "0.##": the optional places drop their trailing zeros
                if text.endswith("0") and "." in text:
                    text = text[:-1]
            return text.removesuffix(".")
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
    return str(value)


_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def _decimals(number_format: str) -> tuple[int, int] | None:
    """(fixed, optional) decimal places a number format shows: "0.00" → (2, 0), "0.0#" → (1, 1),
    "#,##0" → (0, 0); None for General, text, percent, fractions and exponents (shown as stored)."""
    section = _FORMAT_LITERALS.sub("", number_format.split(";")[0])
    if not re.search(r"[0#?]", section) or re.search(r"[%/Ee@]", section) or section.lower() == "general":
        return None
    match = re.search(r"\.([0#?]+)", section)
    if not match:
        return (0, 0)
    places = match[1]
    return places.count("0"), len(places) - places.count("0")


def _xlsx_cells(values) -> list[str]:
    return ["" if value is None else _shown(value) for value in values]


# --- .csv -----------------------------------------------------------------------------


def read_csv_text(text: str) -> RawDocument:
    """The delimiter is the one under which a plan header row appears: csv.Sniffer alone gives up
    on plans whose title rows have one cell and whose cells hold commas and line breaks."""
    # Line breaks as in text extracts: a lone "\r" (a Mac CSV) ends a row rather than upsetting the csv module.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    candidates: list[str] = []
    with contextlib.suppress(csv.Error):
        candidates.append(csv.Sniffer().sniff(text[:8192], delimiters=",;\t").delimiter)
    candidates += [d for d in (";", "\t", ",") if d not in candidates]
    def header_score(delimiter: str) -> tuple[list | PlanFormatError, tuple[bool, int]]:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            parsed = list(enumerate(reader, start=1))
        except csv.Error as exc:  # a cell over the csv module's field limit: this delimiter loses
            return PlanFormatError(msg("line %(line)s: the CSV file cannot be read (%(detail)s)",
                                       line=reader.line_num, detail=str(exc))), (False, -1)
        head = [cells for _, cells in parsed[:60]]
        return parsed, (any(is_header(c) for c in head), max((len(header_columns(c)) for c in head), default=0))

    scored = [header_score(d) for d in candidates]
    parsed = max(scored, key=lambda item: item[1])[0]  # the first best: ties keep the sniffer's choice
    if isinstance(parsed, PlanFormatError):  # unreadable under every delimiter
        raise parsed
    rows = [RawRow(cells, msg("row %(row)s", row=number)) for number, cells in parsed if any(cell.strip() for cell in cells)]
    return RawDocument("csv", rows)
