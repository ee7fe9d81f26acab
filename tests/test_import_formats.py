"""The files people actually receive: PDF, Word 97, RTF, OpenDocument, Excel 97, spreadsheets built
by hand, a Russian plan, a plan with bodies written in full (issue 17).

The corpus (tests/format_corpus.py) writes four documents — the two seed plans and two plans of our
own (tests/format_plans.py) — in every format, the converted ones by real LibreOffice runs, and
each file must read as its source: the same activities in the same order, executors, due dates,
funding, texts, sections, legend, title, region and period. Focused tests then pin each rule:
where a PDF row was cut by a page, which line breaks a PDF keeps, two-row headers, units, number
formats, hidden rows, legends, commas in bodies' names, funding phrases, and the refusals (a scan,
a password, a damaged file, no LibreOffice, a conversion over its time).

Without `soffice` the LibreOffice formats are skipped with that reason; `.ci/run` installs it.
"""

import io
import re
from pathlib import Path

import openpyxl
import pytest

from tests.format_corpus import FORMATS, SEEDS, SOFFICE, build_corpus, collapse, compare, libreoffice
from tests.format_plans import CULTURE_KK, EDUCATION_KK, FULL_NAMES, HAND_WRITTEN, RUSSIAN
from tests.plan_documents import Activity, Part, PlanDocument, Section, write_docx, write_xlsx
from tracker.executors.resolve import BodyResolver, LegendEntry
from tracker.plans.engine import PlanFormatError, ole, parse_plan, parse_plan_file
from tracker.plans.engine import convert as convert_module
from tracker.plans.engine.funding import FUNDING_PHRASES, classify_funding
from tracker.plans.engine.headers import amount_unit, column_number_row
from tracker.plans.engine.ole import OleSummary, summarize
from tracker.plans.engine.parse import split_executors_by_bodies
from tracker.plans.engine.readers import read_document

FIXTURES = Path(__file__).resolve().parent / "formats"
NEEDS_SOFFICE = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                                           "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui")
CONVERTED = ("pdf", "pdf (header repeated)", "doc", "rtf", "odt", "xls")
DOCUMENTS = ("kostanay", "karaganda", "russian", "full-names")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return build_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def sources(corpus):
    return {name: parse_plan_file(corpus[(name, "docx")]) for name in DOCUMENTS}


def one_line(error: PlanFormatError) -> str:
    text = str(error.value if hasattr(error, "value") else error)
    assert "\n" not in text and text.strip()
    return text


# --- the corpus: every document in every format reads as its source --------------------------------------


def test_the_docx_sources_are_what_they_say(sources):
    """The .docx every other file is compared with: the seeds as their text reads, the hand-written
    plans as a person reads them (tests/format_plans.py)."""
    for name, path in SEEDS.items():
        seed = parse_plan_file(path)
        measured = compare(seed, sources[name], "docx", name, 0)
        assert measured.perfect, measured
    for name, (_document, expected, region, (first, last)) in HAND_WRITTEN.items():
        plan = sources[name]
        assert [a.number for a in plan.activities] == list(expected), name
        assert plan.region == region
        assert (plan.period.start.year, plan.period.end.year) == (first, last)
        for activity in plan.activities:
            want = expected[activity.number]
            assert tuple(d.isoformat() for d in activity.deadline.due_dates) == want.due, activity.number
            assert (activity.funding.kind, activity.funding.amount_kzt) == want.funding, activity.number
            assert tuple((e.body, e.by_agreement) for e in activity.executors) == want.executors, activity.number
            assert activity.executors[0].lead and not any(e.lead for e in activity.executors[1:])
        assert not plan.warnings, [w.message for w in plan.warnings]


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "docx"])
@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_format_reads_as_its_source(corpus, sources, name, fmt):
    if fmt in CONVERTED and SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: the converted formats are not made")
    source, parsed = sources[name], parse_plan_file(corpus[(name, fmt)])

    measured = compare(source, parsed, fmt, name, 0)
    assert measured.found == measured.expected == len(parsed.activities), measured
    assert measured.executors_same == measured.executors_total, measured
    assert measured.due_same == measured.expected, measured
    assert measured.funding_same == measured.expected, measured
    assert measured.text_same == measured.expected, measured
    assert parsed.sections == source.sections
    assert parsed.legend == source.legend
    assert (parsed.title, parsed.region, parsed.period) == (source.title, source.region, source.period)
    # Nothing new to check, nothing lost — beyond what the format itself says (hidden rows).
    findings = sorted((w.activity or "", w.field) for w in parsed.warnings if "hidden" not in w.message)
    assert findings == sorted((w.activity or "", w.field) for w in source.warnings)
    expected_format = {"xls": "xls", "doc": "doc", "rtf": "rtf", "odt": "odt"}.get(fmt, fmt.split(" ")[0])
    assert parsed.source_format == expected_format


# --- PDF ------------------------------------------------------------------------------------------------


@NEEDS_SOFFICE
def test_pdf_rows_cut_by_a_page_are_merged_back(corpus, sources):
    """Without a repeated header only the page break tells a row continued from the page before from
    a sub-row: the corpus really has such rows, and each continues its activity."""
    document = read_document(corpus[("kostanay", "pdf")].read_bytes(), "kostanay.pdf")
    continued = [row for row in document.rows if row.page_break and not row.cells[0].strip()
                 and any(c.strip() for c in row.cells[1:])]
    assert continued, "no row of this PDF is cut by a page: the test proves nothing"
    plan = parse_plan_file(corpus[("kostanay", "pdf")])
    for row in continued:
        words = next(c for c in row.cells[1:] if c.strip()).split()
        assert any(" ".join(words) in collapse(a.text + " " + a.completion_form + " " + " ".join(
            e.written for e in a.executors) + " " + a.deadline.text + " " + a.funding.text) for a in plan.activities)
    # the sub-rows the source has are the only ones (3.4), none made from a page break
    assert [a.number for a in plan.activities if len(a.parts) > 1] == \
        [a.number for a in sources["kostanay"].activities if len(a.parts) > 1] == ["3.4"]


@NEEDS_SOFFICE
def test_pdf_keeps_the_writers_line_breaks_and_joins_the_layouts(tmp_path):
    """Executors one per paragraph stay apart; a long name the column wrapped stays one name; a
    word cut at a hyphen is one word again."""
    plan = PlanDocument("Қостанай облысында балалардың құқықтарын қорғаудың 2024-2025 жылдарға арналған іс-шаралар "
                        "жоспары", "Қостанай облысы", [
                            Activity("1", "Ата-аналарға арналған психологиялық-педагогикалық семинарлар өткізу",
                                     [Part("ақпарат", "ББ\nДСБ\nПД (келісім бойынша)", "жыл сайын", "көзделмеген")]),
                            Activity("2", "Семинар", [Part("ақпарат", "Жастар саясаты мәселелері жөніндегі басқарма, "
                                                           "Дене шынықтыру және спорт басқармасы", "2024 жыл",
                                                           "көзделмеген")]),
                        ], [("ББ", "Білім басқармасы"), ("ДСБ", "Денсаулық сақтау басқармасы")])
    (pdf,) = libreoffice([write_docx(plan, tmp_path / "plan.docx")], "pdf", tmp_path)

    first, second = parse_plan_file(pdf).activities

    assert [(e.written, e.by_agreement) for e in first.executors] == [("ББ", False), ("ДСБ", False), ("ПД", True)]
    assert [e.body for e in second.executors] == ["Жастар саясаты мәселелері жөніндегі басқарма",
                                                 "Дене шынықтыру және спорт басқармасы"]
    assert first.text == "Ата-аналарға арналған психологиялық-педагогикалық семинарлар өткізу"


def test_pdf_fixtures_read_without_libreoffice():
    """The committed PDFs (tests/make_format_fixtures.py) read as the seeds do, on any machine."""
    for name, count in (("kostanay", 50), ("karaganda", 56)):
        plan = parse_plan_file(FIXTURES / f"seed-{name}.pdf")
        seed = parse_plan_file(SEEDS[name])
        assert plan.source_format == "pdf" and len(plan.activities) == count
        measured = compare(seed, plan, "pdf", name, 0)
        assert measured.perfect, measured


def _scanned_pdf() -> bytes:
    """A page that is only a picture of text, as a scanner makes it (Pillow writes it as a PDF)."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    for y in range(200, 1500, 60):
        draw.line((150, y, 1100, y), fill=0, width=3)  # the table's rules
        draw.text((170, y + 15), "1.1  Ата-аналарға арналған семинарлар   ББ   жыл сайын", fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=150)
    return buffer.getvalue()


def test_a_scanned_pdf_is_named_as_a_scan():
    with pytest.raises(PlanFormatError) as error:
        parse_plan(_scanned_pdf(), "scan.pdf")
    text = one_line(error)
    assert text.startswith("scan.pdf is a PDF scanned from paper") and "no text layer" in text


def test_a_pdf_with_a_password_is_named_as_such():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(FIXTURES / "seed-kostanay.pdf"))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)

    with pytest.raises(PlanFormatError) as error:
        parse_plan(buffer.getvalue(), "signed.pdf")
    assert one_line(error) == ("signed.pdf is a PDF protected by a password; remove the password (or upload the plan "
                               "as Word or Excel) and upload again")


def test_a_pdf_that_only_restricts_printing_is_read():
    """An owner password (no printing, no copying) with an empty user password opens without asking."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(FIXTURES / "seed-karaganda.pdf"))
    writer.encrypt(user_password="", owner_password="owner", permissions_flag=0, algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)

    assert len(parse_plan(buffer.getvalue(), "restricted.pdf").activities) == 56


def test_damaged_and_oversized_pdfs_give_one_line():
    from pypdf import PdfWriter

    data = (FIXTURES / "seed-kostanay.pdf").read_bytes()
    for broken in (data[:400], b"%PDF-1.7\n" + bytes(range(256)) * 20):
        with pytest.raises(PlanFormatError) as error:
            parse_plan(broken, "broken.pdf")
        assert one_line(error).startswith("broken.pdf is a PDF")
    writer = PdfWriter()
    for _ in range(401):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(PlanFormatError, match=r"huge.pdf is a PDF of 401 pages; a plan of more than 400 pages"):
        parse_plan(buffer.getvalue(), "huge.pdf")


# --- Word 97, RTF, OpenDocument, Excel 97 ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["protected.doc", "protected.xls", "protected.docx"])
def test_password_protected_office_files_are_named_before_any_conversion(name, monkeypatch):
    monkeypatch.setenv(convert_module.SOFFICE_ENV, "")  # LibreOffice is not even asked
    data = (FIXTURES / name).read_bytes()
    assert summarize(data).encrypted
    with pytest.raises(PlanFormatError) as error:
        parse_plan(data, name)
    assert one_line(error) == f"{name} is protected by a password; open it, save it without the password and upload again"


def test_without_libreoffice_an_old_file_says_how_to_enable_it(monkeypatch):
    monkeypatch.setenv(convert_module.SOFFICE_ENV, "")
    assert convert_module.soffice() is None
    with pytest.raises(PlanFormatError) as error:
        parse_plan((FIXTURES / "small-plan.doc").read_bytes(), "old.doc")
    assert one_line(error) == (
        "old.doc is an old .doc file: the portal reads it only when LibreOffice is installed on the server "
        "(apt-get install libreoffice-writer-nogui libreoffice-calc-nogui); or save it as .docx and upload again")


@NEEDS_SOFFICE
def test_a_word_97_file_is_converted_and_read():
    plan = parse_plan((FIXTURES / "small-plan.doc").read_bytes(), "жоспар.doc")
    assert plan.source_format == "doc"
    assert [(a.number, [e.written for e in a.executors], a.funding.amount_kzt) for a in plan.activities] == [
        ("1", ["ББ", "ДСБ"], None), ("2", ["ББ"], None), ("3", ["ДСБ", "ПД"], 1_500_000)]


@NEEDS_SOFFICE
def test_an_rtf_saved_as_doc_and_a_docx_saved_as_doc_are_read(corpus):
    """Old offices' "Save as Word" writes RTF under a .doc name; a .docx renamed .doc is a .docx."""
    rtf = corpus[("karaganda", "rtf")].read_bytes()
    assert rtf.startswith(b"{\\rtf")
    assert len(parse_plan(rtf, "roadmap.doc").activities) == 56
    docx = corpus[("karaganda", "docx")].read_bytes()
    assert parse_plan(docx, "roadmap.doc").source_format == "docx"


@NEEDS_SOFFICE
def test_a_damaged_word_97_file_gives_one_line():
    data = bytearray((FIXTURES / "small-plan.doc").read_bytes())
    with pytest.raises(PlanFormatError) as error:
        parse_plan(bytes(data[:700]), "cut.doc")  # the directory is past the end
    assert one_line(error) == ("cut.doc is damaged: it is not a readable file of the old binary .doc format "
                               "(Word 97 / Excel 97)")
    # A readable directory, but the Word document inside zeroed (its FIB): LibreOffice cannot load it.
    assert summarize(bytes(data)) == OleSummary("doc", encrypted=False)
    directory = {name.lower(): start for name, start, _size in ole._Reader(bytes(data)).entries()}
    sector = 512
    at = (directory["worddocument"] + 1) * sector
    data[at:at + sector] = bytes(sector)
    with pytest.raises(PlanFormatError) as error:
        parse_plan(bytes(data), "zeros.doc")
    assert one_line(error) == "zeros.doc: LibreOffice could not open it as a .doc document; the file is damaged"


@NEEDS_SOFFICE
def test_a_conversion_over_its_time_is_stopped(monkeypatch):
    with pytest.raises(PlanFormatError) as error:
        convert_module.convert((FIXTURES / "small-plan.doc").read_bytes(), "slow.doc", ".doc", timeout=0.2)
    assert one_line(error) == "slow.doc: the conversion by LibreOffice took longer than 0.2 s; refused"


@NEEDS_SOFFICE
def test_conversions_run_side_by_side(tmp_path):
    """Each conversion has its own LibreOffice profile: two at once do not wait for or break each other."""
    from concurrent.futures import ThreadPoolExecutor

    data = (FIXTURES / "small-plan.doc").read_bytes()
    with ThreadPoolExecutor(max_workers=2) as pool:
        converted = list(pool.map(lambda n: convert_module.convert(data, f"plan{n}.doc", ".doc"), range(2)))
    assert all(c[:2] == b"PK" for c in converted)


# --- spreadsheets as people build them -----------------------------------------------------------------------


def _sheet(rows: list[list], path: Path, formats: dict[tuple[int, int], str] | None = None,
           merges: tuple[str, ...] = ()) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for (row, column), number_format in (formats or {}).items():
        sheet.cell(row, column).number_format = number_format
    for merge in merges:
        sheet.merge_cells(merge)
    workbook.save(path)
    return path


TITLE = "Қостанай облысында балалардың құқықтарын қорғаудың 2024-2025 жылдарға арналған іс-шаралар жоспары"


def test_a_two_row_header_reads_source_and_sum_into_one_funding(tmp_path):
    path = _sheet([
        ["«БЕКІТЕМІН»"], [TITLE], [],
        ["№", "Іс-шара", "Жауапты орындаушылар", "Орындалу мерзімі", "Қаржыландыру", None],
        [None, None, None, None, "көзі", "сомасы, мың теңге"],
        [1, 2, 3, 4, 5, 6],
        ["1", "Семинар", "ББ", "2024 жыл", "ЖБ", 1500],
        ["2", "Кездесу", "ДСБ", "2025 жыл", "көзделмеген", None],
        ["3", "Акция", "ББ", "2024 жыл", None, 250.5],
    ], tmp_path / "plan.xlsx", merges=("E4:F4", "A4:A5", "B4:B5", "C4:C5", "D4:D5"))

    plan = parse_plan_file(path)

    assert [(a.number, a.funding.kind, a.funding.amount_kzt, a.funding.text) for a in plan.activities] == [
        ("1", "local_budget", 1_500_000, "ЖБ; 1500 мың теңге"),
        ("2", "none", None, "көзделмеген"),
        ("3", "amount", 250_500, "250.5 мың теңге"),
    ]
    assert not plan.warnings


@pytest.mark.parametrize("header, cell, amount", [
    ("Болжамдалатын шығындар, теңге", "2 000 000", 2_000_000),
    ("Предполагаемые расходы (тыс. тенге)", "1500", 1_500_000),
    ("Қаржыландыру сомасы, млн теңге", "15,5", 15_500_000),
    ("Болжамдалатын шығындар", "15,5 млн тенге", 15_500_000),  # the unit in the text
])
def test_amounts_under_a_header_naming_the_unit(tmp_path, header, cell, amount):
    path = _sheet([[TITLE], ["№", "Іс-шара", "Жауапты орындаушылар", header], ["1", "Семинар", "ББ", cell]],
                  tmp_path / "plan.xlsx")
    (activity,) = parse_plan_file(path).activities
    assert (activity.funding.kind, activity.funding.amount_kzt) == ("amount", amount)


def test_a_bare_number_without_a_unit_is_not_an_amount(tmp_path):
    path = _sheet([[TITLE], ["№", "Іс-шара", "Жауапты орындаушылар", "Қаржыландыру көздері"],
                   ["1", "Семинар", "ББ", "1500"]], tmp_path / "plan.xlsx")
    plan = parse_plan_file(path)
    assert plan.activities[0].funding.kind == "unspecified"
    assert any("funding «1500» not understood" in w.message for w in plan.warnings)


def test_header_units():
    assert amount_unit("Қаржыландыру сомасы, мың теңге") == "мың теңге"
    assert amount_unit("Сумма (тыс.тенге)") == "тыс. тенге"
    assert amount_unit("млн. теңге") == "млн теңге"
    assert amount_unit("Болжамдалатын шығындар, теңге") == "теңге"
    assert amount_unit("Қаржыландыру көзі") is None
    assert amount_unit("Тенгизское") is None


@pytest.mark.parametrize("cells", [
    ["1", "2", "3", "4", "5", "6"],
    ["1.", "2.", "3.", "4.", "5.", "6."],
    ["1", "2", "3", "4", "5", "", "6"],  # a merged cell over two sub-columns
    ["", "1", "2", "3", "4"],
])
def test_column_number_rows_in_any_style(cells):
    assert column_number_row(cells) == []


@pytest.mark.parametrize("cells", [["1.1", "Семинар", "ББ"], ["1", "3", "5"], ["2", "3", "4"], ["1", "2"]])
def test_rows_that_are_not_column_numbers(cells):
    assert column_number_row(cells) is None


def test_number_cells_read_as_their_format_shows_them(tmp_path):
    path = _sheet([[TITLE], ["№", "Іс-шара", "Жауапты орындаушылар"],
                   [1.1, "Бірінші", "ББ"], [1.10, "Оныншы", "ББ"], [2, "Екінші бөлім", "ББ"], [2.05, "Бесінші", "ББ"]],
                  tmp_path / "plan.xlsx", formats={(3, 1): "0.0", (4, 1): "0.00", (6, 1): "#,##0.0#"})
    plan = parse_plan_file(path)
    assert [a.number for a in plan.activities] == ["1.1", "1.10", "2", "2.05"]
    assert not [w for w in plan.warnings if w.field == "number"]


def test_decimal_numbers_in_the_general_format_get_one_warning(tmp_path):
    path = _sheet([[TITLE], ["№", "Іс-шара", "Жауапты орындаушылар"],
                   [1.1, "Бірінші", "ББ"], [1.2, "Екінші", "ББ"], [3, "Үшінші", "ББ"]], tmp_path / "plan.xlsx")
    plan = parse_plan_file(path)
    assert [a.number for a in plan.activities] == ["1.1", "1.2", "3"]
    (warning,) = [w for w in plan.warnings if w.field == "number"]
    assert warning.message == ("row 3…row 4: 2 activity numbers are decimal numbers in the General format, which "
                               "shows 1.10 as 1.1; check the numbering (or format the number column as text)")


def test_hidden_rows_and_columns_are_left_out_with_a_note(corpus):
    plan = parse_plan_file(corpus[("kostanay", "xlsx (department)")])
    assert "99" not in [a.number for a in plan.activities]
    (note,) = [w for w in plan.warnings if "hidden" in w.message]
    assert note.message == "sheet «Жоспар»: 2 hidden rows and 1 hidden columns (C) are not read"
    assert not any("ID-" in a.text + a.completion_form + a.deadline.text for a in plan.activities)


def test_the_plan_sheet_is_found_by_its_header_and_the_legend_on_its_own_sheet(corpus, sources):
    workbook = openpyxl.load_workbook(corpus[("karaganda", "xlsx (department)")], read_only=True)
    assert workbook.sheetnames == ["Мазмұны", "Ескі нұсқа", "Жоспар", "Аббревиатуралар"]
    workbook.close()
    plan = parse_plan_file(corpus[("karaganda", "xlsx (department)")])
    assert len(plan.activities) == 56 and plan.legend == sources["karaganda"].legend


@pytest.mark.parametrize("layout", ["xlsx (akimat)", "xlsx (by hand)"])
def test_the_legend_where_people_put_it(corpus, sources, layout):
    """Below the table in the second column one entry per row (akimat), or all in one cell (by hand)."""
    for name in DOCUMENTS:
        assert parse_plan_file(corpus[(name, layout)]).legend == sources[name].legend, name
    assert len(sources["kostanay"].legend) > 10


def test_a_note_inside_the_table_does_not_end_it(tmp_path):
    path = _sheet([[TITLE], ["№", "Іс-шара", "Жауапты орындаушылар"], ["1", "Семинар", "ББ"],
                   [None, "Примечание: по согласованию с акиматами"], ["2", "Кездесу", "ДСБ"],
                   [None, "Ескертпе: аббревиатуралардың толық жазылуы"], [None, "ББ", "Білім басқармасы"]],
                  tmp_path / "plan.xlsx")
    plan = parse_plan_file(path)
    assert [a.number for a in plan.activities] == ["1", "2"]
    assert [(e.abbreviation, e.name) for e in plan.legend] == [("ББ", "Білім басқармасы")]


# --- words ---------------------------------------------------------------------------------------------------


def test_a_comma_inside_a_bodys_name_is_not_a_separator():
    resolver = BodyResolver([LegendEntry("МТДАІБ", CULTURE_KK), LegendEntry("ББ", EDUCATION_KK)])
    split = split_executors_by_bodies
    assert split(f"{CULTURE_KK}, ББ", resolver.resolve) == [(CULTURE_KK, False), ("ББ", False)]
    # the registry knows it too, in Russian
    assert split("Управление культуры, архивов и документации, УО", resolver.resolve) == [
        ("Управление культуры, архивов и документации", False), ("УО", False)]
    # a near miss of the legend's name joins pieces that alone name nothing ("Облыстың" left out)
    assert split("мәдениет, тілдерді дамыту және архив ісі басқармасы (келісім бойынша), ДСБ", resolver.resolve) == [
        ("мәдениет, тілдерді дамыту және архив ісі басқармасы", True), ("ДСБ", False)]
    # bodies that resolve on their own stay apart, abbreviations are never joined, unknown pieces stay as written
    assert split("ББ, ДСБ, ПД (келісім бойынша)", resolver.resolve) == [("ББ", False), ("ДСБ", False), ("ПД", True)]
    assert split("білім бөлімдері, денсаулық сақтау басқармасы", resolver.resolve) == [
        ("білім бөлімдері", False), ("денсаулық сақтау басқармасы", False)]
    assert split("Мұражай, кітапхана", resolver.resolve) == [("Мұражай", False), ("кітапхана", False)]
    # a semicolon or a line break always separates
    assert split("Ақпараттандыру; мемлекеттік қызметтер көрсету және архивтер басқармасы", resolver.resolve) == [
        ("Ақпараттандыру", False), ("мемлекеттік қызметтер көрсету және архивтер басқармасы", False)]


def test_bodies_written_in_full_in_every_format(corpus):
    for fmt in ("docx", "xlsx", "csv", "xlsx (akimat)"):
        plan = parse_plan_file(corpus[("full-names", fmt)])
        culture = [e for a in plan.activities for e in a.executors if e.body == CULTURE_KK]
        assert len(culture) == 3 and all(e.written == CULTURE_KK for e in culture), fmt
        assert not [w for w in plan.warnings if w.field == "executors"], fmt


#: funding as plans write it, with the kind a person reads in it (BRIEF.md, "Funding", and beyond)
FUNDING_IN_PLANS = [
    ("в рамках текущего финансирования", "allocated", None),
    ("бюджет қаражаты есебінен", "local_budget", None),
    ("за счёт средств местного бюджета", "local_budget", None),
    ("за счет средств местного бюджета", "local_budget", None),
    ("жергілікті бюджет қаражаты есебінен", "local_budget", None),
    ("облыстық бюджет", "local_budget", None),
    ("за счет средств республиканского бюджета", "republican_budget", None),
    ("республикалық бюджет қаражаты есебінен", "republican_budget", None),
    ("ағымдағы қаржыландыру шеңберінде", "allocated", None),
    ("В пределах средств, предусмотренных на текущую деятельность", "allocated", None),
    ("Қаржыландыруды қажет етпейді", "none", None),
    ("Не требует финансирования", "none", None),
    ("бюджет қаражатын талап етпейді", "none", None),
    ("без дополнительного финансирования", "none", None),
    ("15,5 млн тенге", "amount", 15_500_000),
    ("1500 тыс. тенге", "amount", 1_500_000),
    ("ЖБ; 1500 мың теңге", "local_budget", 1_500_000),
    ("РБ – 2 000 000 тг.", "republican_budget", 2_000_000),
    ("демеушілер қаражаты", "unspecified", None),
]


@pytest.mark.parametrize("text, kind, amount", FUNDING_IN_PLANS)
def test_funding_phrases_in_both_languages(text, kind, amount):
    funding = classify_funding(text)
    assert (funding.kind, funding.amount_kzt) == (kind, amount)


@pytest.mark.parametrize("phrase, kind", FUNDING_PHRASES)
def test_every_phrase_of_the_table_reads_as_its_kind_inside_a_sentence(phrase, kind):
    """Order matters (the first phrase found wins): no phrase is shadowed by an earlier one."""
    assert classify_funding(f"Іс-шара {phrase.upper()} жүзеге асырылады").kind == kind


def test_a_russian_plan_reads_as_a_kazakh_one(corpus):
    plan = parse_plan_file(corpus[("russian", "docx")])
    assert plan.legend[0] == LegendEntry("УО", "Управление образования акимата Костанайской области")
    assert plan.title.startswith("План мероприятий") and "УТВЕРЖДАЮ" not in plan.title
    police = [e for a in plan.activities for e in a.executors if e.written == "ДП"]
    assert police and all(e.by_agreement and e.match == "legend" for e in police)


def test_the_seed_round_trips_still_hold_with_the_new_layouts(tmp_path):
    """The Word and Excel files of tests/plan_documents.py (now landscape, with set widths) read as before."""
    seed = parse_plan_file(SEEDS["kostanay"])
    for writer in (write_docx, write_xlsx):
        plan = parse_plan_file(writer(seed, tmp_path / f"plan.{writer.__name__[6:]}"))
        assert compare(seed, plan, "docx", "kostanay", 0).perfect


def test_documents_of_the_corpus_name_no_person():
    """The corpus is about programmes: no IIN (12 digits) in any cell of the hand-written plans."""
    for document in (RUSSIAN, FULL_NAMES):
        for item in document.body:
            texts = [item.title] if isinstance(item, Section) else [item.text, *(c for p in item.parts for c in p.cells())]
            assert not any(re.search(r"(?<!\d)\d{12}(?!\d)", text) for text in texts)


def test_section_titles_in_the_activity_column_but_not_text_carried_over_a_page():
    """A hand-made sheet's "2. Title" in the activity column is a section; after a page break the
    same shape ("15 мектепте…") is the previous activity's text going on."""
    header = "№\tІс-шара\tЖауапты орындаушылар\tОрындалу мерзімі"
    text = "\n".join([TITLE, header, "\t1. Бірінші бөлім\t\t", "1.1\tСеминарлар өткізу облыстың\tББ\t2024 жыл",
                      header, "\t15 мектепте\t\t", "\t2. Екінші бөлім\t\t", "2.1\tКездесу\tДСБ\t2025 жыл"])
    plan = parse_plan(text.encode(), "plan.txt")
    assert plan.sections == [("1", "Бірінші бөлім"), ("2", "Екінші бөлім")]
    assert [(a.number, a.section, a.text) for a in plan.activities] == [
        ("1.1", "1", "Семинарлар өткізу облыстың 15 мектепте"), ("2.1", "2", "Кездесу")]
