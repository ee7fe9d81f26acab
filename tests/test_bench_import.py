"""Parse speed of the seed plans in every format: `make bench` times them (pytest-benchmark).

In `make test` these run once, untimed (--benchmark-disable), so they also prove the
benchmark still works. No timing is asserted: this machine is too noisy for that.

The issue's targets are timed here too: a 40-page PDF plan (under 3 s) and a Word 97 .doc
(under 10 s, the LibreOffice conversion included), both made by LibreOffice from the Word plan
(skipped where `soffice` is not installed).
"""

import pytest

from tests.conftest import KARAGANDA, KOSTANAY
from tests.format_corpus import SOFFICE, libreoffice, long_plan
from tests.plan_documents import write_docx, write_xlsx
from tracker.plans.engine import parse_plan, parse_plan_file

SEEDS = {"kostanay": KOSTANAY, "karaganda": KARAGANDA}


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    files = {}
    for name, path in SEEDS.items():
        parsed = parse_plan_file(path)
        files[(name, "txt")] = path.read_bytes()
        files[(name, "docx")] = write_docx(parsed, folder / f"{name}.docx").read_bytes()
        files[(name, "xlsx")] = write_xlsx(parsed, folder / f"{name}.xlsx").read_bytes()
    return files


@pytest.mark.parametrize("fmt", ["txt", "docx", "xlsx"])
@pytest.mark.parametrize("name", ["kostanay", "karaganda"])
def test_parse_speed(benchmark, documents, name, fmt):
    data = documents[(name, fmt)]
    plan = benchmark(parse_plan, data, f"{name}.{fmt}")
    assert len(plan.activities) == {"kostanay": 50, "karaganda": 56}[name]


@pytest.fixture(scope="module")
def long_documents(tmp_path_factory):
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: the 40-page PDF and the .doc are not made")
    import pypdfium2

    folder = tmp_path_factory.mktemp("bench-long")
    document = long_plan()
    docx = write_docx(document, folder / "long-plan.docx", repeat_header=True)
    (pdf,) = libreoffice([docx], "pdf", folder)
    (doc,) = libreoffice([docx], "doc", folder)
    pages = len(pypdfium2.PdfDocument(pdf))
    assert pages >= 40, f"the long plan is {pages} pages"
    activities = sum(1 for item in document.body if hasattr(item, "parts"))
    return {"pdf": pdf.read_bytes(), "doc": doc.read_bytes(), "pages": pages, "activities": activities}


@pytest.mark.parametrize("fmt", ["pdf", "doc"])
def test_parse_speed_of_a_40_page_plan(benchmark, long_documents, fmt):
    data = long_documents[fmt]
    rounds = {"pdf": 5, "doc": 3}[fmt]
    plan = benchmark.pedantic(parse_plan, args=(data, f"long-plan.{fmt}"), rounds=rounds, iterations=1)
    assert len(plan.activities) == long_documents["activities"]
    assert plan.source_format == fmt
