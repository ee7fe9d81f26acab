"""The format corpus: each plan as the files people actually receive, and how well each reads.

Every document (the two seed plans, a Russian plan and a Kazakh plan with bodies written in full,
tests/format_plans.py) is written as:

- .docx (tests/plan_documents.py), then converted by LibreOffice to PDF (twice: with the header
  repeated on every page, as the Karaganda plan has it, and without, so that rows broken across
  pages have only the page break to go by), to Word 97 .doc, to .rtf and to .odt;
- .xlsx in three layouts people build by hand (below), and the first of them converted by
  LibreOffice to Excel 97 .xls;
- .csv (Russian headers in another column order).

`measure()` parses each file and compares it with its source, activity by activity: the numbers,
the executors (who, lead, by agreement), the due dates and the funding. `python -m
tests.format_corpus` prints the table the README shows; tests/test_import_formats.py asserts it.

LibreOffice runs here in its own temporary profile and folder, under a time limit; without
`soffice` the converted formats are left out (the tests say so and skip them).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.format_plans import HAND_WRITTEN
from tests.plan_documents import (
    WIDTH,
    Activity,
    PlanDocument,
    Section,
    plan_document,
    write_csv,
    write_docx,
    write_xlsx,
)
from tracker.plans.engine import ParsedActivity, ParsedPlan, parse_plan_file

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {"kostanay": ROOT / "plans" / "kostanay-2019-2021.txt", "karaganda": ROOT / "plans" / "karaganda-2023-2025.txt"}
SOFFICE = shutil.which("soffice")
#: seconds one LibreOffice run of the corpus may take (it converts every file of one kind at once)
LIBREOFFICE_TIMEOUT = 240


def source_documents() -> dict[str, PlanDocument]:
    """Every document of the corpus as rows of cells: the seeds as parsed from their text, the hand-written plans."""
    documents = {name: plan_document(parse_plan_file(path)) for name, path in SEEDS.items()}
    documents.update({name: document for name, (document, *_rest) in HAND_WRITTEN.items()})
    return documents


# --- LibreOffice ----------------------------------------------------------------------------------


def libreoffice(sources: list[Path], target: str, folder: Path, timeout: float = LIBREOFFICE_TIMEOUT,
                profile: Path | None = None) -> list[Path]:
    """Convert the files with LibreOffice headless, as a person's "Save as" would; the converted
    files, in the order given. The profile is private to `folder` (a test worker's own): runs in
    one folder, one after another, may share it, which saves LibreOffice's first start."""
    assert SOFFICE, "LibreOffice is not installed"
    out = folder / f"out-{target.split(':')[0]}"
    profile = profile or Path(tempfile.mkdtemp(prefix="lo-profile-", dir=folder))
    env = {**os.environ, "HOME": str(profile)}
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", target, "--outdir", str(out), *map(str, sources)],
                   check=True, capture_output=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL)
    suffix = target.split(":")[0]
    converted = [out / f"{source.stem}.{suffix}" for source in sources]
    missing = [path.name for path in converted if not path.is_file()]
    assert not missing, f"LibreOffice did not write {missing}"
    return converted


# --- spreadsheets as people build them -------------------------------------------------------------------


def _number_cell(text: str) -> tuple[float | int | str, str]:
    """How a person's Excel holds an activity number: 12 as a number, 1.10 as the number 1.1 with a
    format that shows two places, 1.2.3 as text."""
    parts = text.split(".")
    if text.isdigit():
        return int(text), "0"
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return float(text), "0." + "0" * len(parts[1])
    return text, "@"


def _funding_source_and_sum(text: str) -> tuple[str, int | None]:
    """A funding cell split as a two-column "Қаржыландыру" has it: the source in words, the sum in thousands."""
    from tracker.plans.engine.funding import classify_funding

    funding = classify_funding(text)
    if funding.amount_kzt is not None and funding.kind == "amount":
        return "", funding.amount_kzt // 1000
    return text, None


def write_akimat_xlsx(document: PlanDocument, path: Path) -> Path:
    """An akimat's layout: the approval block top right over four rows, the title merged across, a
    two-row header with "Қаржыландыру" merged over "көзі" and "сомасы, мың теңге", a "1. 2. 3."
    column-number row, activity numbers stored as numbers with formats that show them as written,
    and the legend below the table in the second column, one entry per row."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Жоспар")
    wrap = workbook.add_format({"text_wrap": True, "valign": "top", "border": 1})
    bold = workbook.add_format({"bold": True, "text_wrap": True, "align": "center", "valign": "vcenter", "border": 1})
    formats: dict[str, object] = {}
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 55)
    sheet.set_column(2, 6, 22)
    stamp = [*document.approval_lines, "__________________", "«___» ____________ 20__ ж."]
    for row, line in enumerate(stamp):
        sheet.write(row, 5, line)
    row = len(stamp) + 1
    sheet.merge_range(row, 0, row, 6, document.title, bold)
    row += 2
    headers = list(document.headers)
    for column in range(5):
        sheet.merge_range(row, column, row + 1, column, headers[column], bold)
    sheet.merge_range(row, 5, row, 6, "Қаржыландыру" if document.language == "kk" else "Финансирование", bold)
    sheet.write(row + 1, 5, "көзі" if document.language == "kk" else "источник", bold)
    sheet.write(row + 1, 6, "сомасы, мың теңге" if document.language == "kk" else "сумма, тыс. тенге", bold)
    row += 2
    sheet.write_row(row, 0, [f"{n}." for n in range(1, 8)], bold)
    row += 1
    for item in document.body:
        if isinstance(item, Section):
            sheet.merge_range(row, 0, row, 6, item.label, bold)
            row += 1
            continue
        for offset, part in enumerate(item.parts):
            source, amount = _funding_source_and_sum(part.funding)
            sheet.write_row(row + offset, 2, [part.completion_form, part.executors, part.deadline, source], wrap)
            if amount is not None:
                sheet.write_number(row + offset, 6, amount, wrap)
            else:
                sheet.write_blank(row + offset, 6, None, wrap)
        value, number_format = _number_cell(item.number)
        if number_format not in formats:
            formats[number_format] = workbook.add_format({"num_format": number_format, "valign": "top", "border": 1})
        last = row + len(item.parts) - 1
        if last > row:
            sheet.merge_range(row, 0, last, 0, None, formats[number_format])
            sheet.merge_range(row, 1, last, 1, None, wrap)
        sheet.write(row, 0, value, formats[number_format])
        sheet.write_string(row, 1, item.text, wrap)
        row = last + 1
    row += 1
    sheet.write(row, 1, document.legend_heading)
    for abbreviation, name in document.legend:
        row += 1
        sheet.write(row, 1, abbreviation)
        sheet.write(row, 2, name)
    workbook.close()
    return path


def write_department_xlsx(document: PlanDocument, path: Path) -> Path:
    """A department's workbook: a cover sheet first, a hidden sheet with an old draft, the plan on
    the third sheet with the deadline before the executors, a hidden column of internal marks, two
    hidden rows of withdrawn activities, a column-number row that skips the hidden column, amounts
    as bare numbers under "Болжамдалатын шығындар, мың теңге", numbers as text, and the legend on a
    sheet of its own."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    cover = workbook.add_worksheet("Мазмұны")
    cover.write(0, 0, document.title)
    cover.write(2, 0, "Жоспар «Жоспар» парағында, аббревиатуралар «Аббревиатуралар» парағында.")
    draft = workbook.add_worksheet("Ескі нұсқа")
    draft.write_row(0, 0, ["№", "Іс-шара", "Жауапты орындаушылар"])
    draft.write_row(1, 0, ["1", "Жобаның алғашқы нұсқасы", "ББ"])
    draft.hide()
    sheet = workbook.add_worksheet("Жоспар")
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    language = document.language
    headers = dict(zip(("number", "text", "completion_form", "executors", "deadline", "funding"),
                       document.headers, strict=True))
    headers["funding"] = "Болжамдалатын шығындар, мың теңге" if language == "kk" else "Предполагаемые расходы, тыс. тенге"
    # number, text, (hidden marks), deadline, executors, completion form, funding
    order = ["number", "text", "marks", "deadline", "executors", "completion_form", "funding"]
    sheet.set_column(2, 2, 10, None, {"hidden": True})
    for row, line in enumerate(document.approval_lines):
        sheet.write(row, 5, line)
    top = len(document.approval_lines) + 1
    sheet.merge_range(top, 0, top, len(order) - 1, document.title)
    sheet.write_row(top + 2, 0, [headers.get(column, "ішкі белгі") for column in order])
    sheet.write_row(top + 3, 0, ["1", "2", "", "3", "4", "5", "6"])  # the hidden column has no number
    row = top + 4
    withdrawn = 0
    for item in document.body:
        if isinstance(item, Section):
            sheet.write(row, 0, item.label)
            row += 1
            continue
        for index, part in enumerate(item.parts):
            funding = part.funding
            source, amount = _funding_source_and_sum(funding)
            values = {"number": item.number if index == 0 else "", "text": item.text if index == 0 else "",
                      "marks": f"ID-{row}", "deadline": part.deadline, "executors": part.executors,
                      "completion_form": part.completion_form, "funding": str(amount) if amount is not None else source}
            sheet.write_row(row, 0, [values[column] for column in order], wrap)
            row += 1
        if withdrawn < 2:  # a withdrawn activity, kept in the file and hidden
            sheet.write_row(row, 0, ["99", "Алынып тасталған іс-шара", "x", "2030 жыл", "Белгісіз орган", "—", "—"])
            sheet.set_row(row, None, None, {"hidden": True})
            withdrawn += 1
            row += 1
    legend = workbook.add_worksheet("Аббревиатуралар")
    for number, (abbreviation, name) in enumerate(document.legend):
        legend.write_row(number, 0, [abbreviation, name])
    workbook.close()
    return path


def write_hand_xlsx(document: PlanDocument, path: Path) -> Path:
    """A sheet typed by hand: a long approval block, the header on the eleventh row with the
    executors before the activity, column numbers typed as numbers, section titles in the activity
    column, amounts in words ("2 млн теңге"), and the whole legend in one cell below the table."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Sheet1")
    stamp = [*document.approval_lines, "", "____________________", "", "«____» ____________ 20___ ж.", "", ""]
    for row, line in enumerate(stamp):
        sheet.write(row, 3, line)
    title_row = len(stamp)
    sheet.write(title_row, 1, document.title)
    header_row = title_row + 1
    order = ["number", "executors", "text", "deadline", "completion_form", "funding"]
    headers = dict(zip(("number", "text", "completion_form", "executors", "deadline", "funding"),
                       document.headers, strict=True))
    sheet.write_row(header_row, 0, [headers[column] for column in order])
    sheet.write_row(header_row + 1, 0, list(range(1, WIDTH + 1)))
    row = header_row + 2
    for item in document.body:
        if isinstance(item, Section):
            sheet.write(row, 2, item.label)
            row += 1
            continue
        for index, part in enumerate(item.parts):
            funding = part.funding
            source, amount = _funding_source_and_sum(funding)
            if amount is not None:  # thousands → words as a person types them
                funding = f"{amount / 1000:g} млн теңге".replace(".", ",") if amount >= 1000 else f"{amount} мың теңге"
            values = {"number": item.number if index == 0 else "", "text": item.text if index == 0 else "",
                      "deadline": part.deadline, "executors": part.executors,
                      "completion_form": part.completion_form, "funding": funding}
            sheet.write_row(row, 0, [values[column] for column in order])
            row += 1
    legend = "\n".join([document.legend_heading, *(f"{a} – {n}" for a, n in document.legend)])
    sheet.write(row + 2, 2, legend)
    workbook.close()
    return path


XLSX_LAYOUTS: dict[str, Callable[[PlanDocument, Path], Path]] = {
    "xlsx (akimat)": write_akimat_xlsx,
    "xlsx (department)": write_department_xlsx,
    "xlsx (by hand)": write_hand_xlsx,
}


# --- a long plan, for the benchmark ----------------------------------------------------------------------


def long_plan(copies: int = 2, extra_sections: int = 1) -> PlanDocument:
    """A plan of 40 pages as a PDF from Word (the defaults): Kostanay's sections and Karaganda's,
    `copies` times over, then the first `extra_sections` of Kostanay's once more, each section and
    activity numbered anew (1.1 … 13.n), under Kostanay's title and both legends."""
    documents = source_documents()
    kostanay, karaganda = documents["kostanay"], documents["karaganda"]
    items = [item for document in [kostanay, karaganda] * copies for item in document.body]
    starts = [i for i, item in enumerate(kostanay.body) if isinstance(item, Section)] + [len(kostanay.body)]
    items += kostanay.body[:starts[extra_sections]]
    body: list[Section | Activity] = []
    section = count = 0
    for item in items:
        if isinstance(item, Section):
            section += 1
            count = 0
            body.append(Section(str(section), item.title))
        else:
            count += 1
            body.append(Activity(f"{section}.{count}", item.text, item.parts))
    legend = list(dict.fromkeys([*kostanay.legend, *karaganda.legend]))
    return PlanDocument(kostanay.title, kostanay.region, body, legend)


# --- the corpus ------------------------------------------------------------------------------------------


def build_corpus(folder: Path, with_libreoffice: bool = True) -> dict[tuple[str, str], Path]:
    """(document, format) → file. The converted formats only where LibreOffice is installed."""
    files: dict[tuple[str, str], Path] = {}
    docx_plain, docx_repeat, akimat = [], [], []
    for name, document in source_documents().items():
        files[(name, "docx")] = write_docx(document, folder / f"{name}.docx")
        files[(name, "xlsx")] = write_xlsx(document, folder / f"{name}.xlsx")
        files[(name, "csv")] = write_csv(document, folder / f"{name}.csv")
        for label, writer in XLSX_LAYOUTS.items():
            slug = label.split("(")[1].rstrip(")").replace(" ", "-")
            files[(name, label)] = writer(document, folder / f"{name}-{slug}.xlsx")
        docx_plain.append(files[(name, "docx")])
        docx_repeat.append(write_docx(document, folder / f"{name}-repeated-header.docx", repeat_header=True))
        akimat.append(files[(name, "xlsx (akimat)")])
    if with_libreoffice and SOFFICE:
        names = list(source_documents())
        profile = folder / "lo-profile"
        for label, sources, target in (("pdf", docx_plain, "pdf"), ("pdf (header repeated)", docx_repeat, "pdf"),
                                       ("doc", docx_plain, "doc"), ("rtf", docx_plain, "rtf"),
                                       ("odt", docx_plain, "odt"), ("xls", akimat, "xls")):
            for name, path in zip(names, libreoffice(sources, target, folder, profile=profile), strict=True):
                files[(name, label)] = path
    return files


FORMATS = ("docx", "xlsx", "csv", *XLSX_LAYOUTS, "pdf", "pdf (header repeated)", "doc", "rtf", "odt", "xls")
#: formats whose reader cannot know where the writer broke a line (a PDF keeps glyph positions only):
#: their texts are compared with all white space as one space
LINE_BREAKS_LOST = ("pdf", "pdf (header repeated)")


def collapse(text: str) -> str:
    return " ".join(text.split())


def executors_of(activity: ParsedActivity) -> list[tuple]:
    return [(e.written, e.body, e.lead, e.by_agreement, e.match) for e in activity.executors]


def due_of(activity: ParsedActivity) -> list:
    return [*activity.deadline.due_dates, *(d for part in activity.parts for d in part.deadline.due_dates)]


def funding_of(activity: ParsedActivity) -> list[tuple]:
    return [(p.funding.kind, p.funding.amount_kzt) for p in activity.parts]


@dataclass
class Measure:
    document: str
    format: str
    expected: int
    found: int  #: activities with the source's numbers, in its order
    executors_total: int
    executors_same: int  #: executors read as the source's: the same written form, body, lead, agreement, match
    due_same: int  #: activities whose due dates (and sub-rows' due dates) equal the source's
    funding_same: int
    text_same: int  #: activities whose text, completion form and deadline text equal the source's
    seconds: float

    @property
    def perfect(self) -> bool:
        return (self.found == self.expected == self.due_same == self.funding_same == self.text_same
                and self.executors_same == self.executors_total)


def compare(source: ParsedPlan, parsed: ParsedPlan, fmt: str, document: str, seconds: float) -> Measure:
    found = sum(1 for a, b in zip(source.activities, parsed.activities, strict=False) if a.number == b.number)
    by_number = {a.number: a for a in parsed.activities}
    executors_total = executors_same = due_same = funding_same = text_same = 0
    tidy = collapse if fmt in LINE_BREAKS_LOST else (lambda text: text)
    for before in source.activities:
        executors_total += len(before.executors)
        after = by_number.get(before.number)
        if after is None:
            continue
        executors_same += sum(1 for x, y in zip(executors_of(before), executors_of(after), strict=False) if x == y)
        due_same += due_of(before) == due_of(after)
        funding_same += funding_of(before) == funding_of(after)
        text_same += (collapse(before.text) == collapse(after.text)
                      and collapse(before.completion_form) == collapse(after.completion_form)
                      and [tidy(p.deadline.text) for p in before.parts] == [tidy(p.deadline.text) for p in after.parts])
    return Measure(document, fmt, len(source.activities), found, executors_total, executors_same, due_same,
                   funding_same, text_same, seconds)


def measure(files: dict[tuple[str, str], Path]) -> list[Measure]:
    """Each file of the corpus against its source: the .docx of the same document (itself checked
    against the seed or the hand-written expectations by the tests)."""
    results = []
    for (name, fmt), path in sorted(files.items(), key=lambda item: (item[0][0], FORMATS.index(item[0][1]))):
        source = parse_plan_file(files[(name, "docx")])
        started = time.perf_counter()
        parsed = parse_plan_file(path)
        results.append(compare(source, parsed, fmt, name, time.perf_counter() - started))
    return results


def markdown(results: list[Measure]) -> str:
    documents = list(dict.fromkeys(r.document for r in results))
    formats = [f for f in FORMATS if any(r.format == f for r in results)]
    cell = {(r.document, r.format): r for r in results}
    lines = ["| format | " + " | ".join(documents) + " |", "|---|" + "---|" * len(documents)]
    for fmt in formats:
        row = []
        for document in documents:
            r = cell.get((document, fmt))
            row.append("—" if r is None else
                       f"{r.found}/{r.expected}; {r.executors_same}/{r.executors_total}; {r.due_same}/{r.expected}")
        lines.append(f"| {fmt} | " + " | ".join(row) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="format-corpus-") as folder:
        corpus = build_corpus(Path(folder))
        results = measure(corpus)
    print("activities found/expected; executors read as the source's; activities with equal due dates")
    print(markdown(results))
    imperfect = [r for r in results if not r.perfect]
    for r in imperfect:
        print(f"not equal: {r.document} {r.format}: {r}", file=sys.stderr)
    sys.exit(1 if imperfect else 0)
