"""Bad files: one clear line naming the problem, a non-zero exit, nothing stored."""

import io
import zipfile

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.plans.engine import PlanFormatError, parse_plan
from tracker.plans.models import Activity, Plan


def docx_bytes_without_plan_table() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Хат: мәліметтерді 27 мамырға дейін жіберу сұралады.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


CASES = [
    ("empty.txt", b"", "empty.txt is empty"),
    ("blank.txt", b"  \n\n\t\n", "blank.txt is empty"),
    ("letter.txt", "Құрметті әріптестер!\nАқпаратты 27 мамырға дейін жіберуді сұраймыз.".encode(),
     "no plan table found"),
    ("broken.docx", b"PK\x03\x04 this is not really a zip", "broken.docx is damaged"),
    ("broken.xlsx", b"PK\x05\x06" + b"\x00" * 18, "broken.xlsx is damaged"),
    ("random.docx", bytes(range(256)) * 4, "is damaged"),
    ("binary.txt", b"\x00\x01\x02\x03binary", "is not a text file"),
    ("old.doc", b"\xd0\xcf\x11\xe0old word", "old binary .doc format"),
    ("scan.pdf", b"%PDF-1.7 ...", "is a PDF"),
    ("letter.docx", None, "no plan table found"),
    ("no-activity-column.csv",
     "№;Жауапты орындаушылар;Орындалу мерзімі\n1;ББ;жыл сайын\n".encode(), "row 1: the table has no activity column"),
    ("header-only.csv", "№;Іс-шара;Жауапты орындаушылар\n".encode(), "has a header but no activities"),
]


@pytest.mark.parametrize("filename, data, message", CASES, ids=[c[0] for c in CASES])
def test_bad_files_raise_one_clear_error(filename, data, message):
    data = docx_bytes_without_plan_table() if data is None else data
    with pytest.raises(PlanFormatError) as error:
        parse_plan(data, filename)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_size_limit():
    with pytest.raises(PlanFormatError, match=r"big.txt is 2 MB, over the 1 MB limit for a plan file"):
        parse_plan(b"x" * (2 * 1024 * 1024), "big.txt", max_bytes=1024 * 1024)


def test_zip_bomb_refused_before_unpacking():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\x00" * (210 * 1024 * 1024))
    with pytest.raises(PlanFormatError, match="unpacks to more than 200 MB"):
        parse_plan(buffer.getvalue(), "bomb.docx")


def test_windows_1251_text_is_read():
    text = "№\tІс-шара\tЖауапты орындаушылар\tОрындалу мерзімі\n1\tСеминар\tББ\t2020 жыл\n2\tКездесу\tДСБ\tжыл сайын\n" \
           "3\tАкция\tПД\tай сайын\n"
    plan = parse_plan(("Жоспар 2020-2021 жылдарға арналған іс-шаралар жоспары\n" + text).encode("cp1251",
                                                                                            errors="replace"), "p.txt")
    assert [a.number for a in plan.activities] == ["1", "2", "3"]


@pytest.mark.parametrize("filename, data, message", [
    ("empty.txt", b"", "empty.txt is empty"),
    ("broken.docx", b"PK\x03\x04 nope", "broken.docx is damaged"),
    ("letter.txt", "Хат мәтіні, кестесі жоқ.".encode(), "no plan table found"),
])
def test_cli_import_of_a_bad_file_fails_and_stores_nothing(runner, tmp_path, filename, data, message):
    path = tmp_path / filename
    path.write_bytes(data)
    result = runner.invoke(args=["plans", "import", str(path)])
    assert result.exit_code == 1
    assert message in result.output
    assert db.session.scalar(select(func.count(Plan.id))) == 0


def test_cli_parse_of_an_oversized_file(runner, app, tmp_path):
    app.config["MAX_PLAN_BYTES"] = 1024
    path = tmp_path / "plan.txt"
    path.write_bytes(b"a" * 4096)
    result = runner.invoke(args=["plans", "parse", str(path), "--json"])
    assert result.exit_code == 1
    assert "error: plan.txt is 4 KB, over the 1 KB limit for a plan file" in result.output
    assert db.session.scalar(select(func.count(Activity.id))) == 0


# --- found by the import fuzzing (tests/test_fuzz_import.py) -------------------------------------------

FUZZ_HEAD = "Жоспар 2020-2021 жылдарға арналған іс-шаралар жоспары\n\n№\tІс-шара\tЖауапты орындаушылар\tОрындалу мерзімі\t" \
            "Болжамдалатын шығындар\n"


def fuzz_plan(first_row: str) -> bytes:
    """A tab-separated plan whose first activity row is `first_row`, then two ordinary ones."""
    return (FUZZ_HEAD + first_row + "\n2\tКездесу\tДСБ\tжыл сайын\tталап етілмейді\n"
            "3\tАкция\tПД\tай сайын\tталап етілмейді\n").encode()


def test_csv_with_mac_line_endings_is_read():
    # Was: _csv.Error "new-line character seen in unquoted field" out of parse_plan.
    text = ("Жоспар 2020-2021 жылдарға арналған іс-шаралар жоспары\r№;Іс-шара;Жауапты орындаушылар;Орындалу мерзімі\r"
            "1;Семинар;ББ;2020 жыл\r2;\"Кездесу,\rекі жолда\";ДСБ;жыл сайын\r")
    plan = parse_plan(text.encode(), "mac.csv")
    assert [(a.number, a.text) for a in plan.activities] == [("1", "Семинар"), ("2", "Кездесу,\nекі жолда")]


def test_a_csv_cell_over_the_csv_modules_limit_is_one_clear_error():
    # Was: _csv.Error "field larger than field limit (131072)" out of parse_plan.
    data = ("№;Іс-шара;Жауапты орындаушылар\n1;" + "ә" * 200_000 + ";ББ\n").encode()
    with pytest.raises(PlanFormatError) as error:
        parse_plan(data, "giant.csv")
    assert str(error.value).startswith("line 2: the CSV file cannot be read (field larger than field limit")
    assert "\n" not in str(error.value)


def test_a_giant_funding_cell_of_digits_is_read_at_once():
    # Was: the amount pattern tried every digit as a start — 16,000 digits took 30 s, 100,000 minutes.
    from tests.fuzz_settings import time_limit
    from tracker.plans.engine.funding import classify_funding

    with time_limit(5):
        assert classify_funding("1" * 100_000).kind == "unspecified"
        assert classify_funding("1 " * 50_000).kind == "unspecified"
        plan = parse_plan(fuzz_plan("1\tСеминар\tББ\t2020 жыл\t" + "1" * 100_000), "digits.txt")
    assert plan.activities[0].funding.kind == "unspecified"
    assert classify_funding("ЖБ 1 200,5 мың теңге").amount_kzt == 1_200_500  # amounts read as before


def test_an_amount_beyond_any_budget_is_not_an_amount():
    # Was: OverflowError (400 digits are an infinite float); 20 digits did not fit the database's BIGINT.
    from tracker.plans.engine.funding import MAX_AMOUNT_KZT, classify_funding

    assert classify_funding("9" * 400 + " тг").kind == "unspecified"
    assert classify_funding("9" * 20 + " тг").kind == "unspecified"
    assert classify_funding("ЖБ " + "9" * 400 + " тг").kind == "local_budget"
    assert classify_funding("9 000 000 000 000 тг").amount_kzt == 9 * 10**12 <= MAX_AMOUNT_KZT
    plan = parse_plan(fuzz_plan("1\tСеминар\tББ\t2020 жыл\t" + "9" * 400 + " тг"), "huge.txt")
    assert any("not understood" in w.message for w in plan.warnings if w.activity == "1")


@pytest.mark.parametrize("cell, due", [
    ("2020 " * 20_000, ["2020-12-31"]),
    ("1 қаңтар 2020 " * 7_000, ["2020-01-01"]),
    ("қаңтар " * 14_000, ["2020-01-31", "2021-01-31"]),
    ("01.02.2020 " * 9_000, ["2020-02-01"]),
], ids=["years", "days-and-months", "months", "dates"])
def test_a_giant_deadline_cell_is_read_at_once(cell, due):
    # Was: every date word was checked against every other (quadratic): a 100,000-character cell of
    # years took most of a minute.
    from tests.fuzz_settings import time_limit
    from tracker.schedule.deadlines import Period, due_dates_for

    with time_limit(5):
        dates = due_dates_for(cell, Period.years(2020, 2021)).due_dates
    assert [d.isoformat() for d in dates] == due


def test_one_executor_written_many_times_is_resolved_once():
    # Was: "Белгісіз орган, " 40,000 times in a cell was matched 40,000 times (13 s for the row).
    from tests.fuzz_settings import time_limit

    with time_limit(5):
        plan = parse_plan(fuzz_plan("1\tСеминар\t" + "Белгісіз орган, " * 40_000 + "\t2020 жыл\tталап етілмейді"),
                          "repeated.txt")
    assert [e.written for e in plan.activities[0].executors] == ["Белгісіз орган"]
    assert len([w for w in plan.warnings if w.activity == "1" and w.field == "executors"]) == 1


def test_a_period_written_backwards_is_read_forwards():
    # Was: Period(2021-01-01, 2019-12-31), which no due date can fall inside.
    plan = parse_plan(fuzz_plan("1\tСеминар\tББ\t2020 жыл\tталап етілмейді").replace(b"2020-2021", b"2021-2019"),
                      "backwards.txt")
    assert (plan.period.start.isoformat(), plan.period.end.isoformat()) == ("2019-01-01", "2021-12-31")
    assert [d.isoformat() for d in plan.activities[0].deadline.due_dates] == ["2020-12-31"]
    assert "the years 2021–2019 are written backwards; the period is read as 2019–2021" in [
        w.message for w in plan.warnings]


def test_a_damaged_xlsx_is_reported_on_one_line():
    # Was: openpyxl's three-line ValueError inside the message.
    import re

    import openpyxl

    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Іс-шара"
    workbook.save(buffer)
    damaged = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":  # a creation date that is no date
                content = re.sub(rb"(<dcterms:created[^>]*>)[^<]*", rb"\g<1>not a date", content)
            target.writestr(info.filename, content)
    with pytest.raises(PlanFormatError) as error:
        parse_plan(damaged.getvalue(), "damaged.xlsx")
    assert str(error.value).startswith("damaged.xlsx is damaged and cannot be read (ValueError: Unable to read workbook")
    assert len(str(error.value).splitlines()) == 1


def seed_package_with(tmp_path, fmt: str, member: str, change) -> bytes:
    """The Karaganda plan as a real .docx/.xlsx with one member of the package changed."""
    from tests.conftest import KARAGANDA
    from tests.plan_documents import write_docx, write_xlsx
    from tracker.plans.engine import parse_plan_file

    path = {"docx": write_docx, "xlsx": write_xlsx}[fmt](parse_plan_file(KARAGANDA), tmp_path / f"plan.{fmt}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info.filename, change(content) if info.filename == member else content)
    return buffer.getvalue()


@pytest.mark.parametrize("change", [
    # one cell in the sheet's last column: openpyxl walked the whole rectangle (327 million cells here)
    lambda xml: xml.replace(b"</sheetData>", b'<row r="20000"><c r="XFD20000" t="inlineStr"><is><t>x</t></is></c>'
                                             b"</row></sheetData>"),
    # a merged range: openpyxl made an object for every cell of it (15 s for a million)
    lambda xml: xml.replace(b"<mergeCell ", b'<mergeCell ref="A200:Z40000"/><mergeCell ', 1),
], ids=["far-corner-cell", "huge-merge"])
def test_an_xlsx_that_claims_a_huge_sheet_is_read_at_once(tmp_path, change):
    from tests.fuzz_settings import time_limit

    data = seed_package_with(tmp_path, "xlsx", "xl/worksheets/sheet1.xml", change)
    with time_limit(5):
        plan = parse_plan(data, "huge.xlsx")
    assert len(plan.activities) == 56


def test_a_docx_cell_spanning_thirty_million_columns_is_read_at_once(tmp_path):
    # Was: thirty million empty cells made for the row (20 s; a billion ran out of memory).
    from tests.fuzz_settings import time_limit

    data = seed_package_with(tmp_path, "docx", "word/document.xml",
                             lambda xml: xml.replace(b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="30000000"/>', 1))
    with time_limit(5):
        plan = parse_plan(data, "span.docx")
    assert len(plan.activities) == 56


def test_tens_of_thousands_of_sub_rows_are_read_at_once():
    # Was: each of 50,000 sub-rows read its activity's deadline again with dateutil's rrule (10 s).
    from tests.conftest import KARAGANDA
    from tests.fuzz_settings import time_limit

    lines = KARAGANDA.read_text(encoding="utf-8").split("\n")
    lines[83] = "\t1\n" * 50_000  # a cell of "1" lines inside an activity: one sub-row each
    with time_limit(5):
        plan = parse_plan("\n".join(lines).encode(), "sub-rows.txt")
    assert sum(len(a.parts) for a in plan.activities) > 45_000


def test_a_value_too_long_for_its_column_is_refused_with_its_row_before_anything_is_stored(app, client, login,
                                                                                           tmp_path, runner):
    """PostgreSQL enforces column lengths only at the commit, SQLite never: without this check a
    41-character activity number passed the preview and then failed with a 500 at confirm."""
    from tests.conftest import KOSTANAY

    long_number = "1." + "1" * 45
    text = KOSTANAY.read_text(encoding="utf-8").replace("\t1.1.\n", f"\t{long_number}\n", 1)
    path = tmp_path / "long-number.txt"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["plans", "import", str(path)])
    assert "activity number «1.1111" in result.output and "longer than 40 characters" in result.output
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0
    login("coordinator")
    with app.app_context():
        response = client.post("/import", data={"document": (io.BytesIO(text.encode()), "long-number.txt")})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "іс-шара нөмірі 40 таңбадан ұзын" in page and "жол" in page
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0
