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
from tracker.plans.engine.errors import PlanFormatError
from tracker.plans.engine.headers import column_of, header_columns, is_header


@dataclass
class RawRow:
    cells: list[str]
    ref: str  #: where a person finds it: "line 83", "row 12", "table 1, row 7"
    paragraph: bool = False  #: text outside the table grid (a heading, a signature)


@dataclass
class RawDocument:
    format: str
    rows: list[RawRow]
    preamble: list[str] = field(default_factory=list)
    trailing: list[str] = field(default_factory=list)


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
    if suffix in (".doc", ".xls"):
        raise PlanFormatError(msg("%(name)s: the old binary %(suffix)s format is not read; save it as %(suffix)sx "
                                   "and upload again", name=name, suffix=suffix))
    if data[:2] == b"PK" or suffix in (".docx", ".xlsx"):
        return _read_zip(data, name, suffix)
    if data[:5] == b"%PDF-":
        raise PlanFormatError(msg("%(name)s is a PDF; export its text (or save the plan as .docx/.xlsx) and upload that",
                                   name=name))
    text = _decode(data, name)
    if suffix == ".csv":
        return read_csv_text(text)
    return read_text(text)


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
    import openpyxl

    # Read-only, openpyxl streams the cells the file holds instead of making one for every cell of
    # a merged or linked range (A1:XFD1048576 is 17 billion), and rows and columns are bounded, so
    # that one cell at XFD1048576 is not a rectangle of empty ones to walk.
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)

    def values(sheet, max_row: int = XLSX_MAX_ROWS):
        return sheet.iter_rows(max_row=max_row, max_col=XLSX_MAX_COLUMNS, values_only=True)

    try:
        chosen = workbook.worksheets[0]
        for sheet in workbook.worksheets:  # the sheet that holds the plan table
            if any(is_header(_xlsx_cells(row)) for row in values(sheet, 60)):
                chosen = sheet
                break
        rows = [
            RawRow(_xlsx_cells(row), msg("row %(row)s", row=number))
            for number, row in enumerate(values(chosen), start=1)
            if row.count(None) + row.count("") < len(row)  # not empty (counted in C: a million empty rows are quick)
        ]
    finally:
        workbook.close()
    return RawDocument("xlsx", rows)


def _xlsx_cells(values) -> list[str]:
    import datetime

    cells = []
    for value in values:
        if value is None:
            cells.append("")
        elif isinstance(value, datetime.datetime | datetime.date):
            cells.append(value.strftime("%d.%m.%Y"))
        elif isinstance(value, float) and value.is_integer():
            cells.append(str(int(value)))
        else:
            cells.append(str(value))
    return cells


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
