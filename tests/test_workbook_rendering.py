"""The workbook as LibreOffice shows it: rendered to PDF by soffice, its text layer read back with
pdftotext (poppler) with the position of every word.

LibreOffice does not fit row heights to wrapped text when it opens an .xlsx, so the workbook sets
them itself. Without that, the By body header showed the same first word over all its status
columns and the Summary's plan titles ran over each other.
"""

import re
import shutil
import subprocess
from collections import Counter
from html import unescape
from pathlib import Path

import openpyxl
import pytest
from flask_babel import force_locale

from tests import test_dashboard as dash
from tracker.dashboard.queries import Filters
from tracker.export import tables

seeds = dash.seeds
AS_OF = dash.AS_OF

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="needs LibreOffice (soffice) and poppler-utils (pdftotext) to render the workbook")


def render(xlsx: Path, folder: Path) -> Path:
    """The workbook as PDF, one page per sheet (SinglePageSheets), in a profile of its own."""
    profile = folder / "profile"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}', "--outdir", str(folder),
         str(xlsx)], capture_output=True, text=True, timeout=240, check=False)
    pdf = folder / (xlsx.stem + ".pdf")
    assert pdf.exists(), (result.returncode, result.stdout, result.stderr)
    return pdf


def words(pdf: Path, page: int) -> list[tuple[float, float, float, str]]:
    """(top, left, right, text) of every word on a page."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, timeout=60, check=True).stdout
    return [(float(y0), float(x0), float(x1), unescape(text)) for x0, y0, x1, text in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html)]


def lines(found: list[tuple[float, float, float, str]]) -> list[str]:
    """Words on one baseline (within 2 points) joined, top to bottom."""
    rows: list[list] = []
    for top, left, _right, text in sorted(found):
        if rows and abs(rows[-1][0] - top) <= 2:
            rows[-1][1].append((left, text))
        else:
            rows.append([top, [(left, text)]])
    return [" ".join(text for _left, text in sorted(row)) for _top, row in rows]


def normal(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def rendered(app, seeds, runner, tmp_path):
    out = tmp_path / "workbook.xlsx"
    result = runner.invoke(args=["export", "xlsx", str(out), "--as-of", AS_OF.isoformat(), "--lang", "kk"])
    assert result.exit_code == 0, result.output
    return out, render(out, tmp_path)


def test_by_body_headers_read_whole(app, rendered):
    xlsx, pdf = rendered
    with force_locale("kk"):
        columns = tables.one_table("by_body", AS_OF, Filters(), "http://x/").columns
    groups = [c.group for c in columns if c.group]
    assert len(groups) == 2 * len(tables.STATUSES)
    expected = Counter()
    for group in dict.fromkeys(groups):  # each group's name once, over its columns
        expected.update(group.split())
    for column in columns:
        expected.update(column.label.split())
    # the header is what lies above the first body's name
    first_body = openpyxl.load_workbook(xlsx).worksheets[1].cell(3, 1).value
    page = words(pdf, 2)
    top_of_data = min(top for top, _l, _r, text in page if text == first_body.split()[0])
    header = Counter(text for top, _l, _r, text in page if top < top_of_data)
    missing = expected - header
    assert not missing, f"header words cut or missing: {dict(missing)}; the page has {dict(header)}"
    # the groups read on one line over their columns: "as lead" stays "as lead"
    header_lines = lines([w for w in page if w[0] < top_of_data])
    for group in dict.fromkeys(groups):
        assert any(group in line for line in header_lines), (group, header_lines)


def test_summary_plan_titles_do_not_overlap(app, rendered):
    xlsx, pdf = rendered
    sheet = openpyxl.load_workbook(xlsx).worksheets[0]
    titles = [sheet.cell(row, 1).value for row in (8, 9)]
    assert all(titles) and len(set(titles)) == 2
    page = words(pdf, 1)
    with force_locale("kk"):
        plan_header, region_header = (c.label for c in tables.summary(AS_OF, Filters(), []).columns[:2])
    header_top = next(top for top, _l, _r, text in page if text == plan_header)
    region_left = min(left for top, left, _r, text in page if text == region_header.split()[0]
                      and abs(top - header_top) <= 2)
    # the Plan column, below its header: the first title on lines of its own, then the second —
    # no line holds words of both (they would if the rows were too low and the texts overlapped)
    column = lines([w for w in page if w[0] > header_top + 2 and w[2] <= region_left])
    first, second = normal(titles[0]), normal(titles[1])
    read, count = "", 0
    while read != first and count < len(column):
        read = normal(f"{read} {column[count]}")
        count += 1
        assert first.startswith(read), (read, first, column[:12])
    assert read == first and count >= 2, (count, column[:12])  # the title wraps, and all of it shows
    assert normal(" ".join(column[count:])).startswith(second), column[count:count + 12]
