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
