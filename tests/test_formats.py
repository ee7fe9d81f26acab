"""The same plan as Word, Excel and CSV reads the same as its text seed.

Each seed plan is parsed from its text, written back as a real .docx/.xlsx/.csv
(tests/plan_documents.py) and parsed again: the activities, their executors, due
dates and funding, the sections, the legend and the plan's heading must not change
with the file format. Focused tests then pin the Word and Excel features a reader
can get wrong: paragraphs inside a cell, line breaks inside a cell, merged cells.
"""

import csv
import functools
import re
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from tests.plan_documents import (
    CSV_COLUMNS,
    KAZAKH_HEADERS,
    Activity,
    Part,
    PlanDocument,
    Section,
    write_csv,
    write_docx,
    write_xlsx,
)
from tracker.plans.engine import ParsedActivity, ParsedPlan, parse_plan_file

PLANS = Path(__file__).resolve().parent.parent / "plans"
SEEDS = {"kostanay": PLANS / "kostanay-2019-2021.txt", "karaganda": PLANS / "karaganda-2023-2025.txt"}
WRITERS = {"docx": write_docx, "xlsx": write_xlsx, "csv": write_csv}
CASES = [pytest.param(seed, fmt, id=f"{seed}-{fmt}") for seed in SEEDS for fmt in WRITERS]


@functools.cache
def seed(name: str) -> ParsedPlan:
    return parse_plan_file(SEEDS[name])


def reparse(name: str, fmt: str, directory: Path) -> ParsedPlan:
    path = WRITERS[fmt](seed(name), directory / f"{name}.{fmt}")
    return parse_plan_file(path)


def collapse(text: str) -> str:
    return " ".join(text.split())


def summary(activity: ParsedActivity) -> dict:
    """What must not change with the file format (source refs and line breaks may)."""
    return {
        "number": activity.number,
        "section": activity.section,
        "text": collapse(activity.text),
        "completion_form": collapse(activity.completion_form),
        "executors": [(e.written, e.body, e.lead, e.by_agreement, e.match) for e in activity.executors],
        "deadline": collapse(activity.deadline.text),
        "rule": activity.deadline.rule,
        "due_dates": activity.deadline.due_dates,
        "funding": (activity.funding.kind, activity.funding.amount_kzt),
        "parts": [
            (collapse(p.completion_form), p.deadline.text, p.deadline.rule, p.deadline.due_dates, p.funding.kind)
            for p in activity.parts
        ],
    }


def by_number(plan: ParsedPlan, number: str) -> ParsedActivity:
    return next(a for a in plan.activities if a.number == number)


# --- the seed plans in every format ------------------------------------------------------------


@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_activities_are_the_same(name, fmt, tmp_path):
    original, parsed = seed(name), reparse(name, fmt, tmp_path)

    assert parsed.source_format == fmt
    assert [a.number for a in parsed.activities] == [a.number for a in original.activities]
    for before, after in zip(original.activities, parsed.activities, strict=True):
        assert summary(after) == summary(before), f"activity {before.number} changed in the {fmt} file"


@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_sections_legend_region_period_are_the_same(name, fmt, tmp_path):
    original, parsed = seed(name), reparse(name, fmt, tmp_path)

    assert parsed.sections == original.sections
    assert len(parsed.sections) == 3
    assert parsed.legend == original.legend
    assert parsed.region == original.region
    assert parsed.period == original.period


@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_warnings_are_the_same(name, fmt, tmp_path):
    """Nothing new to check (and nothing lost): the same findings, on the same activities."""
    original, parsed = seed(name), reparse(name, fmt, tmp_path)

    def findings(plan):
        return sorted((w.activity or "", w.field) for w in plan.warnings)

    assert findings(parsed) == findings(original)


@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_title_is_the_same(name, fmt, tmp_path):
    """The «БЕКІТЕМІН» stamp and the deputy's line above the title are separate paragraphs/rows:
    they must not be glued onto the title (Word and Excel keep no blank line between them)."""
    original, parsed = seed(name), reparse(name, fmt, tmp_path)

    assert parsed.title == original.title
    assert "БЕКІТЕМІН" not in parsed.title
    assert "орынбасары" not in parsed.title


@pytest.mark.parametrize("fmt", WRITERS)
def test_kostanay_sub_rows_survive(fmt, tmp_path):
    """3.4 is two table rows under one number: a monthly report and a quarterly list."""
    original = by_number(seed("kostanay"), "3.4")
    parsed = by_number(reparse("kostanay", fmt, tmp_path), "3.4")

    assert [p.deadline.text for p in parsed.parts] == ["ай сайын", "тоқсан сайын"]
    assert [p.deadline.rule for p in parsed.parts] == ["monthly", "quarterly"]
    assert [p.completion_form for p in parsed.parts] == ["Білім басқармасына ақпарат", "ББ –ға тізімді құрам"]
    assert parsed.deadline.rule == "parts"
    assert len(parsed.deadline.due_dates) == 36  # every month-end of 2019–2021; the quarter-ends are among them
    assert parsed.deadline.due_dates == original.deadline.due_dates
    assert [e.written for e in parsed.executors] == ["ПД ЖПҚ"]
    assert collapse(parsed.text) == collapse(original.text)


def test_csv_columns_are_in_another_order(tmp_path):
    """The CSV round trip only proves columns are found by header if the order really differs."""
    path = write_csv(seed("karaganda"), tmp_path / "plan.csv")
    with open(path, encoding="utf-8", newline="") as handle:
        header = next(row for row in csv.reader(handle, delimiter=";") if "№ п/п" in row)

    assert header == [title for _, title in CSV_COLUMNS]
    assert header.index("Форма завершения") != KAZAKH_HEADERS.index("Аяқтау нысаны")
    assert header.index("Ответственные исполнители") != KAZAKH_HEADERS.index("Жауапты орындаушылар")
    assert parse_plan_file(path).activities[0].completion_form == seed("karaganda").activities[0].completion_form


def test_csv_without_padded_rows(tmp_path):
    """One-cell title rows and quoted multi-line cells defeat csv.Sniffer on Karaganda: the ';'
    delimiter must still be found (by the header row), not replaced by ','."""
    path = write_csv(seed("karaganda"), tmp_path / "plan.csv", padded=False)
    with open(path, encoding="utf-8") as handle:
        assert handle.readline().rstrip("\r\n") == "«БЕКІТЕМІН»"  # really unpadded

    parsed = parse_plan_file(path)

    assert [a.number for a in parsed.activities] == [str(n) for n in range(1, 57)]
    assert [summary(a) for a in parsed.activities] == [summary(a) for a in seed("karaganda").activities]


# --- focused: the Word and Excel features a reader can get wrong --------------------------------

LEGEND = [("ББ", "Білім басқармасы"), ("ДСБ", "Денсаулық сақтау басқармасы")]
TITLE = "Қостанай облысында балалардың құқықтарын қорғаудың 2024-2025 жылдарға арналған іс-шаралар жоспары"


def small_plan(*body: Section | Activity) -> PlanDocument:
    return PlanDocument(TITLE, "Қостанай облысы", list(body), LEGEND)


def activity(number: str, text: str = "Ата-аналарға арналған семинарлар өткізу", **cells: str) -> Activity:
    defaults = {
        "completion_form": "ақпарат",
        "executors": "ББ",
        "deadline": "2024 жылғы желтоқсан",
        "funding": "көзделмеген",
    }
    return Activity(number, text, [Part(**(defaults | cells))])


def test_docx_executors_in_separate_paragraphs(tmp_path):
    path = write_docx(small_plan(activity("1", executors="ББ\nДСБ")), tmp_path / "plan.docx")
    cell = docx.Document(str(path)).tables[0].rows[2].cells[3]
    assert [p.text for p in cell.paragraphs] == ["ББ", "ДСБ"]  # two paragraphs, no line break inside one

    parsed = parse_plan_file(path)

    (only,) = parsed.activities
    assert [(e.written, e.body, e.lead, e.match) for e in only.executors] == [
        ("ББ", "Білім басқармасы", True, "legend"),
        ("ДСБ", "Денсаулық сақтау басқармасы", False, "legend"),
    ]
    assert not [w for w in parsed.warnings if w.field == "executors"]


def test_docx_text_in_several_paragraphs_is_one_activity(tmp_path):
    text = "Озық тәжірибені зерделеу:\n- Астана\n- Алматы"
    path = write_docx(small_plan(activity("1", text), activity("2")), tmp_path / "plan.docx")

    parsed = parse_plan_file(path)

    assert [a.number for a in parsed.activities] == ["1", "2"]
    assert parsed.activities[0].text.split("\n") == ["Озық тәжірибені зерделеу:", "- Астана", "- Алматы"]


def test_xlsx_line_break_inside_a_cell(tmp_path):
    plan = small_plan(
        activity(
            "1",
            "Семинар өткізу\n(ата-аналар үшін)",
            executors="ББ,\nДСБ",
            deadline="2024, наурыз\n2025, наурыз",
            funding="5 млн теңге",
        )
    )
    path = write_xlsx(plan, tmp_path / "plan.xlsx")
    sheet = openpyxl.load_workbook(path).active
    deadline_cell = next(c for row in sheet.iter_rows() for c in row if c.value and "наурыз" in str(c.value))
    assert deadline_cell.value == "2024, наурыз\n2025, наурыз"
    assert deadline_cell.alignment.wrap_text

    (parsed,) = parse_plan_file(path).activities

    assert parsed.text == "Семинар өткізу\n(ата-аналар үшін)"
    assert parsed.deadline.due_dates == [date(2024, 3, 31), date(2025, 3, 31)]
    assert [e.written for e in parsed.executors] == ["ББ", "ДСБ"]
    assert (parsed.funding.kind, parsed.funding.amount_kzt) == ("amount", 5_000_000)


def test_docx_section_row_merged_across_all_columns(tmp_path):
    plan = small_plan(
        Section("1", "Зорлық-зомбылықтың алдын алу"),
        activity("1"),
        Section("2", "Суицидтің алдын алу"),
        activity("2"),
        activity("3"),
    )
    path = write_docx(plan, tmp_path / "plan.docx")
    section_row = docx.Document(str(path)).tables[0].rows[2]._tr
    (section_cell,) = section_row.tc_lst
    assert section_cell.tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "6"

    parsed = parse_plan_file(path)

    assert parsed.sections == [("1", "Зорлық-зомбылықтың алдын алу"), ("2", "Суицидтің алдын алу")]
    # Whole numbers say nothing of the section: only the merged rows put 2 and 3 in section 2.
    assert [(a.number, a.section) for a in parsed.activities] == [("1", "1"), ("2", "2"), ("3", "2")]
    assert not any("Суицидтің" in a.text for a in parsed.activities)


def test_docx_vertically_merged_cells_make_sub_rows(tmp_path):
    two_rows = Activity(
        "1",
        "Мониторинг жүргізу",
        [
            Part("ББ-ға ақпарат", "ББ", "ай сайын", "көзделмеген"),
            Part("ДСБ-ға тізім", "ДСБ", "тоқсан сайын", "көзделмеген"),
        ],
    )
    path = write_docx(small_plan(two_rows, activity("2")), tmp_path / "plan.docx")
    rows = docx.Document(str(path)).tables[0].rows
    merges = [tc.vMerge for tc in rows[3]._tr.tc_lst[:2]]
    assert merges == ["continue", "continue"]

    parsed = parse_plan_file(path)

    assert [a.number for a in parsed.activities] == ["1", "2"]
    first = parsed.activities[0]
    assert [(p.completion_form, p.deadline.rule) for p in first.parts] == [
        ("ББ-ға ақпарат", "monthly"),
        ("ДСБ-ға тізім", "quarterly"),
    ]
    assert [e.written for e in first.executors] == ["ББ", "ДСБ"]
    assert re.fullmatch(r"table 1, row \d+", first.source_ref)


def test_docx_value_repeated_in_a_merged_continuation_cell_is_ignored(tmp_path):
    """Some converters repeat a vertically merged value in every cell of the merge; only the
    first cell counts, or the sub-row would read as a second activity numbered 1."""
    two_rows = Activity(
        "1",
        "Мониторинг жүргізу",
        [
            Part("ББ-ға ақпарат", "ББ", "ай сайын", "көзделмеген"),
            Part("ДСБ-ға тізім", "ДСБ", "тоқсан сайын", "көзделмеген"),
        ],
    )
    path = write_docx(small_plan(two_rows), tmp_path / "plan.docx")
    word = docx.Document(str(path))
    continuation = word.tables[0].rows[3]._tr.tc_lst
    for tc, text in zip(continuation[:2], ["1", "Мониторинг жүргізу"], strict=True):
        assert tc.vMerge == "continue"
        tc.p_lst[0].add_r().text = text
    word.save(str(path))

    parsed = parse_plan_file(path)

    assert [a.number for a in parsed.activities] == ["1"]
    assert [p.deadline.rule for p in parsed.activities[0].parts] == ["monthly", "quarterly"]
    assert not [w for w in parsed.warnings if w.field == "number"]
