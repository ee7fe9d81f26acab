"""The implementation report as a Word document (python-docx), laid out like the plan it reports on.

A4 landscape; the plan's title and period; the summary on top; the plan's own table — №,
activity, completion form, responsible executors with full names, deadline, funding — with the
column «Орындалу барысы» (progress of execution) filled in for every activity; the legend of
abbreviations and who prepared it at the end. The table's header rows repeat on every page
(w:tblHeader), a row that fits on a page is never split across two (w:cantSplit), and the footer
numbers the pages (PAGE and NUMPAGES fields).

The same report gives the same bytes: the core properties (created, modified, last printed) are
the as-of day, not the moment of building, and the package is zipped again with every entry dated
that day — so two builds of the same plan, period and day can be compared byte for byte.

No IIN ever reaches the document: every text written into it — imported plan text, report texts,
file names, names — passes `mask_iins` (reports are checked when posted, but a row stored by other
means, or a plan imported before the check existed, must not leak one into a letter).
"""

import io
import math
import re
import zipfile
from datetime import date, datetime, time
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from flask_babel import force_locale
from flask_babel import gettext as _

from tracker.core.formatting import long_date
from tracker.core.personal_data import find_iins, masked
from tracker.reporting import labels
from tracker.reporting.implementation import (
    ActivityRow,
    Contribution,
    DueItem,
    ImplementationReport,
    Scope,
)
from tracker.reports.status import Status

#: the table's columns: widths in cm, on A4 landscape less the margins (26.2 cm)
WIDTHS_CM = (1.1, 5.6, 3.0, 4.0, 2.4, 2.9, 7.2)
FONT = "Times New Roman"
#: the style of the summary paragraph (named, so a reader — or a test — finds it)
SUMMARY_STYLE = "Tracker summary"
TABLE_PT = 10
#: the page's text height less the repeated header rows: a row estimated taller than this may split
ROW_FITS_CM = 15.0
#: characters per cm of a column, the height of a line and the space above each due date, at
#: TABLE_PT in FONT — measured in LibreOffice's PDF (16 due dates of two lines fill a page)
CHARS_PER_CM = 5.6
LINE_CM = 0.42
ITEM_GAP_CM = 0.14

MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: a run of digits and what people put between them: where an IIN found in a text is written
_DIGITS = re.compile(r"\d(?:[\s./_\\\-\u2010-\u2015\u2212\u00a0]*\d)+")


def mask_iins(text: str | None) -> str:
    """The text with every IIN in it masked as the portal shows one («05••••••••01»), and with
    the characters XML cannot hold removed."""
    text = _NOT_XML.sub("", text or "")
    if not find_iins(text):
        return text

    def mask(run: re.Match) -> str:
        found = find_iins(run.group())
        return " ".join(masked(n) for n in found) if found else run.group()

    text = _DIGITS.sub(mask, text)
    if find_iins(text):  # written in a way the runs above do not catch: no digit may stay then
        text = re.sub(r"\d", "•", text)
    return text


# --- the document ------------------------------------------------------------------------------


def render(report: ImplementationReport) -> bytes:
    """The .docx of `report`, in the report's language whatever the page's."""
    with force_locale(report.language):
        document = _document(report)
    raw = io.BytesIO()
    document.save(raw)
    return _dated_package(raw.getvalue(), report.as_of)


def file_name(report: ImplementationReport, suffix: str = ".docx") -> str:
    """«implementation-plan-2-2023-01-01-2025-12-31-as-of-2026-11-23-kk.docx»"""
    return (f"implementation-{report.scope}-{report.subject_id}-{report.period.start.isoformat()}-"
            f"{report.period.end.isoformat()}-as-of-{report.as_of.isoformat()}-{report.language}{suffix}")


def _document(report: ImplementationReport):
    document = Document()
    _page(document)
    _styles(document, report.language)
    _properties(document, report)
    _heading(document, report)
    _summary(document, report)
    if report.indicators:
        _indicators(document, report)
    _table(document, report)
    _legend(document, report)
    closing = document.add_paragraph()
    closing.paragraph_format.space_before = Pt(12)
    _run(closing, _("Prepared in the portal as of %(date)s by %(who)s.", date=long_date(report.as_of),
                    who=report.prepared_by), italic=True)
    return document


def _page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin, section.right_margin = Mm(20), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(15)
    section.header_distance, section.footer_distance = Mm(8), Mm(8)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(footer, "PAGE")
    footer.add_run(" / ")
    _field(footer, "NUMPAGES")


def _styles(document, language: str) -> None:
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(12)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    normal.paragraph_format.space_after = Pt(4)
    cell = document.styles.add_style("Tracker cell", WD_STYLE_TYPE.PARAGRAPH)
    cell.style_id = CELL_STYLE
    cell.base_style = normal
    cell.font.size = Pt(TABLE_PT)
    cell.paragraph_format.space_before, cell.paragraph_format.space_after = Pt(0), Pt(1)
    summary = document.styles.add_style(SUMMARY_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    summary.base_style = normal
    summary.paragraph_format.first_line_indent = Cm(1.25)
    summary.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    # The language of the text for spelling and hyphenation, on the document's defaults.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_defaults.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_defaults.append(lang)
    lang.set(qn("w:val"), "kk-KZ" if language == "kk" else "ru-RU")


def _properties(document, report: ImplementationReport) -> None:
    """Title, subject and the as-of day; every date in them is the as-of day (reproducible)."""
    moment = datetime.combine(report.as_of, time(0))
    properties = document.core_properties
    properties.title = mask_iins(report.title)[:250]
    properties.subject = _("Information on the implementation") + f" · {_period_text(report)}"
    properties.author = _("Interagency plan tracker")
    properties.last_modified_by = mask_iins(report.prepared_by)
    properties.keywords = f"as-of {report.as_of.isoformat()}; period {report.period.start.isoformat()}/" \
                          f"{report.period.end.isoformat()}; {report.scope} {report.subject_id}"
    properties.comments = _("As of %(date)s", date=long_date(report.as_of))
    properties.category = _("Information on the implementation")
    properties.identifier = (f"tracker:{report.scope}:{report.subject_id}:{report.period.start.isoformat()}:"
                             f"{report.period.end.isoformat()}:{report.as_of.isoformat()}:{report.language}")
    properties.language = "kk-KZ" if report.language == "kk" else "ru-RU"
    properties.revision = 1
    properties.created = properties.modified = properties.last_printed = moment


def _period_text(report: ImplementationReport) -> str:
    return _("Reporting period: %(start)s – %(end)s; as of %(as_of)s", start=long_date(report.period.start),
             end=long_date(report.period.end), as_of=long_date(report.as_of))


def _heading(document, report: ImplementationReport) -> None:
    first = _centered(document, space_after=2)
    _run(first, _("Information on the implementation").upper(), bold=True, size=14)
    _run(_centered(document, space_after=2), report.title, bold=True, size=13)
    if report.scope == Scope.BODY:
        _run(_centered(document, space_after=2), _("on every activity it carries out, across the plans"), italic=True)
    if report.region:
        _run(_centered(document, space_after=2), report.region)
    _run(_centered(document, space_after=10), _period_text(report))


def _centered(document, space_after: int = 4):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def _percent(rate: float | None) -> str:
    return f"{round(rate * 100)} %" if rate is not None else "—"


def summary_text(report: ImplementationReport) -> list[str]:
    """The summary's sentences, in the report's language (the caller forces it)."""
    s = report.summary
    parts = [(_("done on time"), s.counts[Status.DONE]), (_("done late"), s.counts[Status.DONE_LATE]),
             (_("overdue"), s.counts[Status.OVERDUE]), (_("awaiting review"), s.counts[Status.SUBMITTED]),
             (_("returned for correction"), s.counts[Status.RETURNED]),
             (_("taken off control"), s.counts[Status.OFF_CONTROL]),
             (_("not yet due"), s.counts[Status.DUE_SOON] + s.counts[Status.UPCOMING])]
    sentences = [
        _("Due dates in the period: %(total)s, of them due by the as-of day and on control: %(due)s.",
          total=s.total,
          due=s.due_so_far),
        "; ".join(f"{label} — {n}" for label, n in parts) + ".",
        _("On-time rate: %(rate)s (accepted on time %(done)s of %(due)s due so far).", rate=_percent(s.rate),
          done=s.done, due=s.due_so_far),
    ]
    if s.lead_rate is not None:
        sentences.append(_("As the lead executor: %(rate)s (%(done)s of %(due)s).", rate=_percent(s.lead_rate.rate),
                           done=s.lead_rate.on_time, due=s.lead_rate.due_so_far))
    return sentences


def _summary(document, report: ImplementationReport) -> None:
    _run(document.add_paragraph(style=SUMMARY_STYLE), " ".join(summary_text(report)))
    rates = report.summary.rates
    if not rates:
        return
    caption = document.add_paragraph()
    caption.paragraph_format.keep_with_next = True
    _run(caption, _("On-time rate by lead executor, the weakest first:") if report.scope == Scope.PLAN
         else _("On-time rate by plan, the weakest first:"), bold=True)
    headers = [_("Executor") if report.scope == Scope.PLAN else _("Plan"), _("Due so far"), _("Done on time"),
               _("On-time rate")]
    rows = [[r.name if r.label == r.name else f"{r.label} — {r.name}", str(r.due_so_far), str(r.on_time),
             _percent(r.rate)] for r in rates]
    _small_table(document, headers, rows, (15.0, 3.2, 3.2, 3.2))


def _indicators(document, report: ImplementationReport) -> None:
    caption = document.add_paragraph()
    caption.paragraph_format.keep_with_next = True
    _run(caption, _("Indicators against their targets"), bold=True)
    _small_table(document, [_("Indicator"), _("Target"), _("Actual")],
                 [[i.name, i.target, i.actual or "—"] for i in report.indicators],
                 (13.0, 6.0, 6.0))


def _small_table(document, headers: list[str], rows: list[list[str]], widths: tuple[float, ...]) -> None:
    table = _new_table(document, widths)
    xml = [_tr([_tc([_p([_r(text, bold=True)])], width, fill=HEADER_FILL) for text, width in zip(headers, widths, strict=True)],
               header=True)]
    xml += [_tr([_tc([_p([_r(text)])], width) for text, width in zip(values, widths, strict=True)]) for values in rows]
    _append_rows(table, xml)
    document.add_paragraph().paragraph_format.space_after = Pt(2)


# --- the plan's table -----------------------------------------------------------------------------


def _table(document, report: ImplementationReport) -> None:
    headers = ["№", _("Activity"), _("Completion form"), _("Responsible executors"), _("Deadline"), _("Funding"),
               _("Progress of execution")]
    table = _new_table(document, WIDTHS_CM)
    xml = [_tr([_tc([_p([_r(text, bold=True, size=TABLE_PT - 1)], center=True)], width, fill=HEADER_FILL)
                for text, width in zip(texts, WIDTHS_CM, strict=True)], header=True)
           for texts in (headers, [str(n) for n in range(1, len(headers) + 1)])]
    for plan in report.plans:
        if report.scope == Scope.BODY:
            region = f", {plan.region}" if plan.region else ""
            xml.append(_merged_row(f"{plan.title} ({plan.period.start.year}–{plan.period.end.year}{region})",
                                   fill=PLAN_FILL))
        section_id = -1
        for activity in plan.activities:
            if activity.section_id != section_id:
                section_id = activity.section_id
                if section_id is not None and section_id in plan.sections:
                    head = plan.sections[section_id]
                    xml.append(_merged_row(f"{head.number}. {head.title}"))
            xml.append(_activity_row(activity, report))
    if not report.activities:
        xml.append(_merged_row(_("No activities."), bold=False))
    _append_rows(table, xml)


def _activity_row(activity: ActivityRow, report: ImplementationReport) -> str:
    executors = [_p(_executor_runs(e)) for e in activity.executors] or [_p([])]
    progress, lines = _progress(activity, report)
    texts = [activity.text, activity.completion_form, "\n".join(e.name for e in activity.executors),
             activity.deadline_text, activity.funding_text]
    heights = [_height(text, width) for text, width in zip(texts, WIDTHS_CM[1:6], strict=True)]
    heights.append(sum(_height(line, WIDTHS_CM[6]) for line in lines) + ITEM_GAP_CM * len(activity.items))
    widths = WIDTHS_CM
    cells = [_tc(_text_paragraphs(activity.number, center=True), widths[0]),
             _tc(_text_paragraphs(activity.text), widths[1]),
             _tc(_text_paragraphs(activity.completion_form), widths[2]),
             _tc(executors, widths[3]),
             _tc(_text_paragraphs(activity.deadline_text), widths[4]),
             _tc(_text_paragraphs(activity.funding_text), widths[5]),
             _tc(progress, widths[6])]
    # A row taller than a page cannot stay on one; Word and LibreOffice then split it anyway, but
    # only after pushing it to a new page and leaving the rest of the previous one empty.
    return _tr(cells, keep=max(heights) <= ROW_FITS_CM)


def _executor_runs(executor) -> list[str]:
    name = executor.name + (f" ({executor.abbreviation})" if executor.abbreviation else "")
    runs = [_r(name, bold=executor.lead)]
    if executor.by_agreement:
        runs.append(_r(f" ({_('by agreement')})", italic=True))
    if not executor.resolved:
        runs.append(_r(" [?]"))
    return runs


def _progress(activity: ActivityRow, report: ImplementationReport) -> tuple[list[str], list[str]]:
    """The «Орындалу барысы» cell: each due date of the period with what was reported, as
    paragraphs, and the lines written (to estimate the row's height)."""
    if not activity.items:
        text = _("no due date in this period")
        return [_p([_r(text, italic=True)])], [text]
    paragraphs: list[str] = []
    lines: list[str] = []
    for item in activity.items:
        day = long_date(item.due_date) + ":"
        head = [_r(day, bold=True)]
        if item.deliverable and item.deliverable.strip():  # a sub-row's deliverable (Kostanay 3.4)
            head.append(_r(" " + item.deliverable, italic=True))
        paragraphs.append(_p(head, before=4 if paragraphs else 0, keep_next=False))
        lines.append(day + (item.deliverable or ""))
        if item.report_text is not None:
            for line in [line for line in item.report_text.splitlines() if line.strip()] or [""]:
                paragraphs.append(_p([_r(line)]))
                lines.append(line)
            note = _acceptance(item)
            if item.files:
                note += "; " + _("files: %(names)s", names=", ".join(item.files))
            paragraphs.append(_p([_r(note, italic=True, color=GREY, size=TABLE_PT - 1)]))
            lines.append(note)
        else:
            phrase = status_phrase(item, report.as_of)
            paragraphs.append(_p([_r(phrase, italic=True, color=RED if item.status == Status.OVERDUE else None)]))
            lines.append(phrase)
        for contribution in item.contributions:
            paragraphs.append(_sub_paragraph(contribution, _("co-executor")))
            lines.append(contribution.body + contribution.text)
        for branch in item.delegated:
            paragraphs.append(_sub_paragraph(branch, _("delegated")))
            lines.append(branch.body + branch.text)
    return paragraphs, lines


def _sub_paragraph(part: Contribution, kind: str) -> str:
    """A co-executor's (or a delegated branch's) text under the lead's, indented."""
    text = " ".join(line.strip() for line in part.text.splitlines() if line.strip())
    runs = [_r(f"{part.body} ({kind}, {long_date(part.submitted_on)}): ", bold=True, size=TABLE_PT - 1),
            _r(text, size=TABLE_PT - 1)]
    if part.files:
        runs.append(_r(" (" + _("files: %(names)s", names=", ".join(part.files)) + ")", italic=True,
                       size=TABLE_PT - 1))
    return _p(runs, indent_cm=0.4)


def _acceptance(item: DueItem) -> str:
    if item.reviewed_on is None:
        return ""
    if item.status == Status.DONE_LATE:
        return labels.accepted_late(item.reviewed_on, (item.reviewed_on - item.due_date).days)
    return labels.accepted_on(item.reviewed_on)


def status_phrase(item: DueItem, as_of: date) -> str:
    """What stands in the progress column where no report was accepted by the as-of day."""
    extended = labels.extended(item.due_date) if item.extensions else None
    late = labels.past_due((as_of - item.due_date).days) if item.due_date < as_of else None
    if item.status == Status.OVERDUE:
        words = [extended, labels.not_submitted(), late]
    elif item.status == Status.RETURNED:
        words = [extended, labels.returned_for_correction(), late]
    elif item.status == Status.SUBMITTED:
        words = [extended, labels.under_review()]
    elif item.status == Status.OFF_CONTROL:
        words = [labels.taken_off_control()]
    elif item.status in (Status.UPCOMING, Status.DUE_SOON):
        words = [extended or labels.not_yet_due()]
    else:  # done without an accepted report found cannot be; say the status rather than nothing
        from tracker.reports.labels import status_labels

        words = [status_labels()[item.status]]
    return "; ".join(w for w in words if w)


def _legend(document, report: ImplementationReport) -> None:
    if not report.legend:
        return
    caption = document.add_paragraph()
    caption.paragraph_format.space_before = Pt(12)
    caption.paragraph_format.keep_with_next = True
    _run(caption, _("Abbreviations in full:"), bold=True)
    for entry in report.legend:
        line = document.add_paragraph()
        line.paragraph_format.space_after = Pt(0)
        _run(line, entry.abbreviation, bold=True)
        _run(line, " – " + entry.name)


# --- Word's XML ------------------------------------------------------------------------------
#
# The tables are written as XML text and parsed once: python-docx's object model costs about a
# millisecond per run, and a plan of 60 activities over three years has thousands of runs. The
# elements inside each property element are in the order the schema requires (Word refuses a
# document otherwise).

HEADER_FILL, PLAN_FILL = "D9D9D9", "EDEDED"
GREY, RED = "444444", "9C1C10"
CELL_STYLE = "TrackerCell"
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _new_table(document, widths_cm: tuple[float, ...]):
    """An empty table with fixed column widths (Word reads the cells', LibreOffice the grid's),
    all borders, centred on the page."""
    table = document.add_table(rows=0, cols=len(widths_cm))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        for key, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "000000")):
            line.set(qn(f"w:{key}"), value)
        borders.append(line)
    properties.append(borders)
    properties.append(parse_xml(f'<w:tblLayout {_W} w:type="fixed"/>'))
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm, strict=True):
        column.set(qn("w:w"), str(_twips(width)))
    return table


def _append_rows(table, rows: list[str]) -> None:
    for row in parse_xml(f"<w:tbl {_W}>{''.join(rows)}</w:tbl>").findall(qn("w:tr")):
        table._tbl.append(row)


def _twips(cm: float) -> int:
    return round(cm * 567)


def _text(text: str) -> str:
    return escape(mask_iins(text))


def _r(text: str, *, bold: bool = False, italic: bool = False, color: str | None = None,
       size: float | None = None) -> str:
    properties = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") + (
        f'<w:color w:val="{color}"/>' if color else "") + (f'<w:sz w:val="{round(size * 2)}"/>' if size else "")
    return (f"<w:r>{f'<w:rPr>{properties}</w:rPr>' if properties else ''}"
            f'<w:t xml:space="preserve">{_text(text)}</w:t></w:r>')


def _p(runs: list[str], *, center: bool = False, keep_next: bool = False, before: int = 0,
       indent_cm: float = 0) -> str:
    properties = f'<w:pStyle w:val="{CELL_STYLE}"/>' + ("<w:keepNext/>" if keep_next else "") + (
        f'<w:spacing w:before="{before * 20}"/>' if before else "") + (
        f'<w:ind w:left="{_twips(indent_cm)}"/>' if indent_cm else "") + ('<w:jc w:val="center"/>' if center else "")
    return f"<w:p><w:pPr>{properties}</w:pPr>{''.join(runs)}</w:p>"


def _text_paragraphs(text: str | None, center: bool = False) -> list[str]:
    return [_p([_r(line)], center=center) for line in (text or "").splitlines()] or [_p([])]


def _tc(paragraphs: list[str], width_cm: float, span: int = 1, fill: str | None = None) -> str:
    properties = f'<w:tcW w:w="{_twips(width_cm)}" w:type="dxa"/>' + (
        f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + (
        f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else "")
    return f"<w:tc><w:tcPr>{properties}</w:tcPr>{''.join(paragraphs)}</w:tc>"


def _tr(cells: list[str], *, header: bool = False, keep: bool = True) -> str:
    """A row: w:cantSplit keeps it on one page, w:tblHeader repeats it on every page (in the
    schema's order: cantSplit before tblHeader)."""
    properties = ("<w:cantSplit/>" if keep else "") + ("<w:tblHeader/>" if header else "")
    return f"<w:tr>{f'<w:trPr>{properties}</w:trPr>' if properties else ''}{''.join(cells)}</w:tr>"


def _merged_row(text: str, bold: bool = True, fill: str | None = None) -> str:
    """A row across the table: a section's title (kept with the row after it) or a plan's."""
    return _tr([_tc([_p([_r(text, bold=bold)], keep_next=True)], sum(WIDTHS_CM), span=len(WIDTHS_CM), fill=fill)])


def _run(paragraph, text: str, *, bold: bool = False, italic: bool = False, size: float | None = None):
    """A run outside the tables (python-docx: there are few)."""
    run = paragraph.add_run(mask_iins(text))
    if bold:
        run.bold = True
    if italic:
        run.italic = True
    if size:
        run.font.size = Pt(size)
    return run


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) with "1" as its last shown value, as Word writes one."""
    for kind, text in (("begin", None), (None, f" {instruction} "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == "1":
            run.text = text
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)


def _height(text: str | None, width_cm: float) -> float:
    """How tall a text is in a column, estimated on the safe side (in cm)."""
    per_line = max(1.0, (width_cm - 0.2) * CHARS_PER_CM)
    lines = sum(max(1, math.ceil(len(line) / per_line)) for line in (text or "").splitlines() or [""])
    return lines * LINE_CM


def _dated_package(data: bytes, day: date) -> bytes:
    """The package again, every entry dated `day` (python-docx dates them with the moment of
    saving): the same report gives the same bytes."""
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():  # in order: [Content_Types].xml stays first
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()

