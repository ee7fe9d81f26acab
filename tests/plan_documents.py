"""Write a plan as the Word, Excel and CSV files an akimat sends, for the format tests.

The seed plans ship as text (what Word's "save as text" gives). These helpers take
the plan parsed from that text and write the same plan the way a person would have
typed it: a real .docx table with a section row merged across the columns, cells
holding several paragraphs and an activity whose number and text cells are merged
down over its sub-rows; a real .xlsx with merged ranges and wrapped line breaks; a
";" separated .csv with Russian headers in another column order.

Everything a reader could get wrong is written from the parsed values *as written*
(executors from `written`, deadlines from their text), so parsing the file again
runs every rule of the engine on the same input.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from tracker.plans.engine import ParsedActivity, ParsedPlan

KAZAKH_HEADERS = (
    "Р/с №",
    "Іс-шара",
    "Аяқтау нысаны",
    "Жауапты орындаушылар",
    "Орындалу мерзімі",
    "Болжамдалатын шығындар",
)
#: the same columns as a Russian plan heads them
RUSSIAN_HEADERS = (
    "№ п/п",
    "Наименование мероприятия",
    "Форма завершения",
    "Ответственные исполнители",
    "Срок исполнения",
    "Предполагаемые расходы",
)
#: the widths of the Word table's columns in centimetres, as a landscape A4 plan has them: a wide
#: activity column (rendered as PDF, narrow equal columns would break words inside every cell)
DOCX_WIDTHS_CM = (1.3, 8.5, 4.2, 4.6, 3.4, 3.6)
#: the CSV's columns, in its own order, with the header each one has there
CSV_COLUMNS = (
    ("number", "№ п/п"),
    ("text", "Мероприятие"),
    ("executors", "Ответственные исполнители"),
    ("deadline", "Срок исполнения"),
    ("completion_form", "Форма завершения"),
    ("funding", "Источники финансирования"),
)
LEGEND_HEADING = "Аббревиатураларды таратып жазу:"
RUSSIAN_LEGEND_HEADING = "Расшифровка аббревиатур:"
BY_AGREEMENT = "(келісім бойынша)"
WIDTH = len(KAZAKH_HEADERS)


# --- what is written: a plan as rows of cell texts -----------------------------------------


@dataclass
class Part:
    """One table row of an activity; a line break in a value is a new line (paragraph) in its cell."""

    completion_form: str = ""
    executors: str = ""
    deadline: str = ""
    funding: str = ""

    def cells(self) -> list[str]:
        return [self.completion_form, self.executors, self.deadline, self.funding]


@dataclass
class Activity:
    number: str
    text: str
    #: one per table row; with more than one, the number and text cells are merged down over them
    parts: list[Part] = field(default_factory=list)


@dataclass
class Section:
    number: str
    title: str

    @property
    def label(self) -> str:
        return f"{self.number}. {self.title}"


@dataclass
class PlanDocument:
    title: str
    region: str | None
    body: list[Section | Activity]
    legend: list[tuple[str, str]] = field(default_factory=list)
    #: "kk" or "ru": the language of the headers, the stamp and the legend's heading
    language: str = "kk"

    @property
    def approval_lines(self) -> list[str]:
        """The «БЕКІТЕМІН» stamp above the title: "Қостанай облысы әкімінің орынбасары"
        («УТВЕРЖДАЮ» / "Заместитель акима Костанайской области" in a Russian plan)."""
        if self.language == "ru":
            return ["«УТВЕРЖДАЮ»", f"Заместитель акима {self.region}" if self.region else "Заместитель акима"]
        lines = ["«БЕКІТЕМІН»"]
        if self.region:
            lines.append(f"{self.region} әкімінің орынбасары")
        return lines

    @property
    def headers(self) -> tuple[str, ...]:
        return RUSSIAN_HEADERS if self.language == "ru" else KAZAKH_HEADERS

    @property
    def legend_heading(self) -> str:
        return RUSSIAN_LEGEND_HEADING if self.language == "ru" else LEGEND_HEADING


def executors_text(activity: ParsedActivity) -> str:
    """'ББ, ПД (келісім бойынша)': the executors as the plan wrote them."""
    written = []
    for executor in activity.executors:
        if executor.by_agreement and executor.written != BY_AGREEMENT:
            written.append(f"{executor.written} {BY_AGREEMENT}")
        else:
            written.append(executor.written)
    return ", ".join(written)


def plan_document(plan: ParsedPlan) -> PlanDocument:
    """The rows of a parsed plan: each section row just before its first activity."""
    pending = [Section(number, title) for number, title in plan.sections]
    body: list[Section | Activity] = []
    for activity in plan.activities:
        while pending and activity.section in {s.number for s in pending}:
            body.append(pending.pop(0))
        executors = executors_text(activity)
        if len(activity.parts) > 1:
            parts = [Part(p.completion_form, executors, p.deadline.text, p.funding.text) for p in activity.parts]
        else:
            parts = [Part(activity.completion_form, executors, activity.deadline.text, activity.funding.text)]
        body.append(Activity(activity.number, activity.text, parts))
    body.extend(pending)
    legend = [(entry.abbreviation, entry.name) for entry in plan.legend]
    return PlanDocument(plan.title, plan.region, body, legend)


def _as_document(plan: ParsedPlan | PlanDocument) -> PlanDocument:
    return plan if isinstance(plan, PlanDocument) else plan_document(plan)


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


# --- .docx ---------------------------------------------------------------------------------


def write_docx(plan: ParsedPlan | PlanDocument, path: Path, repeat_header: bool = False) -> Path:
    """A Word plan on landscape A4: the stamp and title, one table, the legend as paragraphs after it.

    `repeat_header` marks the header and the column-number row to repeat on every page, as the
    Karaganda plan has them (rendered as PDF, each page then starts with both)."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    document = _as_document(plan)
    word = docx.Document()
    section = word.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    for line in document.approval_lines:
        word.add_paragraph(line)
    word.add_paragraph("")
    word.add_paragraph(document.title)
    word.add_paragraph("")

    table = word.add_table(rows=0, cols=WIDTH)
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, DOCX_WIDTHS_CM, strict=True):
        column.width = Cm(width)
    header_rows = [_docx_row(table, document.headers),
                   _docx_row(table, [str(i) for i in range(1, WIDTH + 1)])]  # the "1 2 3 4 5 6" row under the header
    if repeat_header:
        for row in header_rows:
            row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
            row._tr.trPr[-1].set(qn("w:val"), "true")
    for item in document.body:
        if isinstance(item, Section):
            row = table.add_row()
            _fill(row.cells[0].merge(row.cells[WIDTH - 1]), item.label)
            continue
        rows = [_docx_row(table, ["", "", *part.cells()]) for part in item.parts]
        number, text = rows[0].cells[0], rows[0].cells[1]
        if len(rows) > 1:
            number = number.merge(rows[-1].cells[0])
            text = text.merge(rows[-1].cells[1])
        _fill(number, item.number)
        _fill(text, item.text)

    word.add_paragraph("")
    word.add_paragraph(document.legend_heading)
    for abbreviation, name in document.legend:
        word.add_paragraph(f"{abbreviation} – {name}")
    word.save(path)
    return path


def _docx_row(table, texts):
    from docx.shared import Cm

    row = table.add_row()
    for cell, text, width in zip(row.cells, texts, DOCX_WIDTHS_CM, strict=True):
        cell.width = Cm(width)  # Word and LibreOffice take the width of each cell, not of the column
        _fill(cell, text)
    return row


def _fill(cell, text: str) -> None:
    """Each line of the text as its own paragraph in the cell, as Word keeps them."""
    lines = _lines(text)
    cell.paragraphs[0].text = lines[0] if lines else ""
    for line in lines[1:]:
        cell.add_paragraph(line)


# --- .xlsx ---------------------------------------------------------------------------------


def write_xlsx(plan: ParsedPlan | PlanDocument, path: Path) -> Path:
    """An Excel plan: the stamp on the right, the title merged across the top, the table, the legend."""
    import xlsxwriter

    document = _as_document(plan)
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Жоспар")
    wrap = workbook.add_format({"text_wrap": True, "valign": "top", "border": 1})
    bold = workbook.add_format({"bold": True, "text_wrap": True, "align": "center", "valign": "vcenter", "border": 1})
    title_format = workbook.add_format({"bold": True, "text_wrap": True, "align": "center"})
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, WIDTH - 1, 25)

    row = 0
    for line in document.approval_lines:
        sheet.write(row, WIDTH - 1, line)
        row += 1
    row += 1  # an empty row before the title
    sheet.merge_range(row, 0, row, WIDTH - 1, document.title, title_format)
    sheet.set_row(row, 45)
    row += 2
    sheet.write_row(row, 0, document.headers, bold)
    row += 1
    for item in document.body:
        if isinstance(item, Section):
            sheet.merge_range(row, 0, row, WIDTH - 1, item.label, bold)
            row += 1
            continue
        for offset, part in enumerate(item.parts):
            sheet.write_row(row + offset, 2, part.cells(), wrap)
        last = row + len(item.parts) - 1
        if last > row:
            sheet.merge_range(row, 0, last, 0, item.number, wrap)
            sheet.merge_range(row, 1, last, 1, item.text, wrap)
        else:
            sheet.write_string(row, 0, item.number, wrap)
            sheet.write_string(row, 1, item.text, wrap)
        row = last + 1

    row += 1
    sheet.write(row, 0, document.legend_heading)
    for abbreviation, name in document.legend:
        row += 1
        sheet.write(row, 0, abbreviation)
        sheet.write(row, 1, name)
    workbook.close()
    return path


# --- .csv ----------------------------------------------------------------------------------


def write_csv(plan: ParsedPlan | PlanDocument, path: Path, padded: bool = True) -> Path:
    """A ";" separated export with Russian headers in another order than the Word table's.

    Excel's "Save as CSV" writes every row as wide as the table (`title;;;;;`); `padded=False`
    writes the short rows a script or a hand-made file has.
    """
    document = _as_document(plan)
    order = [column for column, _ in CSV_COLUMNS]
    rows: list[list[str]] = [[line] for line in document.approval_lines]
    rows.append([document.title])
    rows.append([header for _, header in CSV_COLUMNS])
    for item in document.body:
        if isinstance(item, Section):
            rows.append([item.label])
            continue
        for index, part in enumerate(item.parts):
            values = {
                "number": item.number if index == 0 else "",
                "text": item.text if index == 0 else "",
                "completion_form": part.completion_form,
                "executors": part.executors,
                "deadline": part.deadline,
                "funding": part.funding,
            }
            rows.append([values[column] for column in order])
    rows.append([document.legend_heading])
    rows.extend([abbreviation, name] for abbreviation, name in document.legend)

    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        for row in rows:
            writer.writerow(row + [""] * (WIDTH - len(row)) if padded else row)
    return path
