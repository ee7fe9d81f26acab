"""Evidence files: judged by their content, stored under generated names, never half-stored."""

import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import openpyxl
import pytest
from sqlalchemy import select

from tests.evidence_files import evidence_on_disk, kept_anywhere
from tests.test_reports import (
    PDF,
    TODAY,
    count,
    error_message,
    lead_case,
    post_report,
    stored_files,
    tiny_pdf,
    use_english,
)
from tracker.core.personal_data import masked
from tracker.core.sizes import human_size
from tracker.extensions import db
from tracker.reports import evidence
from tracker.reports.evidence import ALLOWED, EvidenceError, check, path_of, sniff, store
from tracker.reports.models import CompletionReport, Evidence

OLE = bytes.fromhex("D0CF11E0A1B11AE1")


def synthetic_iin() -> str:
    """A number that passes every IIN check, for a birth date no living person has (2091-03-15)."""
    for serial in range(10000):
        head = f"910315 5{serial:04d}".replace(" ", "")
        digits = [int(c) for c in head]
        check_digit = sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11
        if check_digit == 10:
            check_digit = sum(d * w for d, w in zip(digits, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2], strict=True)) % 11
            if check_digit == 10:
                continue
        return head + str(check_digit)
    raise AssertionError("no serial gives a valid check digit")


IIN = synthetic_iin()


def make_docx(*paragraphs: str, table_cell: str | None = None) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table_cell is not None:
        document.add_table(rows=1, cols=1).cell(0, 0).text = table_cell
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_xlsx(*cells) -> bytes:
    book = openpyxl.Workbook()
    for row, value in enumerate(cells, start=1):
        book.active.cell(row=row, column=1, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def make_zip(**entries: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name.replace("__", "/"), content)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PNG = (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
       + _chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + _chunk(b"IEND", b""))
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(64) + b"\xff\xd9"
# Word 97 and Excel 97 as filetype knows them: the OLE container with the Word FIB / Excel sector marks
DOC = OLE + bytes(504) + b"\xec\xa5\xc1\x00" + bytes(512)
XLS = OLE + bytes(504) + b"\xfd\xff\xff\xff\x00\x00\x00" + bytes(512)
# …and as only the stream names inside the container say
DOC_BY_STREAM = OLE + bytes(1016) + "WordDocument".encode("utf-16-le") + bytes(64)
XLS_BY_STREAM = OLE + bytes(1016) + "Workbook".encode("utf-16-le") + bytes(64)
DOCX = make_docx("Seminar for school psychologists held on 12 March.")
XLSX = make_xlsx("Participants", 42)


# --- sniff: the kind from the bytes -----------------------------------------------------------------


SNIFFED = {
    "pdf": (PDF, "pdf"), "docx": (DOCX, "docx"), "xlsx": (XLSX, "xlsx"), "jpg": (JPG, "jpg"), "png": (PNG, "png"),
    "doc": (DOC, "doc"), "xls": (XLS, "xls"), "doc-by-stream": (DOC_BY_STREAM, "doc"),
    "xls-by-stream": (XLS_BY_STREAM, "xls"),
}


@pytest.mark.parametrize(("data", "kind"), SNIFFED.values(), ids=SNIFFED.keys())
def test_sniff_reads_the_kind_from_the_content(data, kind):
    assert sniff(data) == kind


NOT_EVIDENCE = {
    "exe": b"MZ\x90\x00" + bytes(200),
    "zip": make_zip(notes__txt="hello"),
    "text": b"Just some words, not a document at all.\n",
    "ole-powerpoint": OLE + bytes(1016) + "PowerPoint Document".encode("utf-16-le"),  # neither Word nor Excel
    "ole-bare": OLE + bytes(1024),
    "gif": b"GIF89a" + bytes(40),
    "empty": b"",
}


@pytest.mark.parametrize("data", NOT_EVIDENCE.values(), ids=NOT_EVIDENCE.keys())
def test_sniff_refuses_other_content(data):
    assert sniff(data) is None


# --- check: every refusal names the file ------------------------------------------------------------


@pytest.fixture
def english(app):
    """The messages as an English-speaking user reads them."""
    use_english(app)
    with app.test_request_context("/"):
        yield


# Real Word 97 and Excel 97 files are accepted too, and read (tests/test_iin_everywhere.py): the
# bare signatures above are no readable file, so they are refused as damaged (below).
ACCEPTED = [
    ("protocol.pdf", PDF, "pdf"), ("plan.docx", DOCX, "docx"), ("list.xlsx", XLSX, "xlsx"),
    ("photo.jpg", JPG, "jpg"), ("photo.jpeg", JPG, "jpg"), ("PHOTO.PNG", PNG, "png"),
]


@pytest.mark.parametrize(("name", "data", "kind"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_check_accepts_the_allowed_kinds(english, name, data, kind):
    assert check(name, data, 1024 * 1024) == kind


REFUSED_BY_CHECK = [
    ("setup.pdf", b"MZ\x90\x00" + bytes(200), "judged by its content, not its name"),
    ("archive.pdf", make_zip(notes__txt="hello"), "judged by its content, not its name"),
    ("notes.pdf", b"Just some words.\n", "judged by its content, not its name"),
    ("photo.pdf", PNG, "is named .pdf but its content is PNG"),
    ("scan.png", JPG, "is named .png but its content is JPG"),
    ("report.docx", PDF, "is named .docx but its content is PDF"),
    ("noextension", PDF, "is named .— but its content is PDF"),
    ("empty.pdf", b"", "is empty"),
    ("broken.docx", make_zip(word__document_xml="<not really xml"), "cannot be opened; it may be damaged"),
    ("broken.xlsx", make_zip(xl__workbook_xml="<not really xml"), "cannot be opened; it may be damaged"),
    # an OLE2 signature and the marks of Word or Excel 97, but no compound file behind them: the
    # text cannot be read, so the file cannot be checked for IINs
    ("old.doc", DOC, "looks like DOC but cannot be opened; it may be damaged"),
    ("old.xls", XLS, "looks like XLS but cannot be opened; it may be damaged"),
    ("older.doc", DOC_BY_STREAM, "cannot be opened; it may be damaged"),
    ("older.xls", XLS_BY_STREAM, "cannot be opened; it may be damaged"),
]


@pytest.mark.parametrize(("name", "data", "words"), REFUSED_BY_CHECK, ids=[r[0] for r in REFUSED_BY_CHECK])
def test_check_refuses_with_the_file_named(english, name, data, words):
    with pytest.raises(EvidenceError) as refused:
        check(name, data, 1024 * 1024)
    assert f"«{name}»" in str(refused.value)
    assert words in str(refused.value)


def test_check_refuses_a_file_over_the_limit_naming_the_limit(english):
    big = tiny_pdf("x" * 3000)
    with pytest.raises(EvidenceError) as refused:
        check("big.pdf", big, 2048)
    assert "«big.pdf»" in str(refused.value) and "the limit is 2 KB" in str(refused.value)
    assert check("big.pdf", big, len(big)) == "pdf"  # exactly at the limit is fine


def test_check_uses_only_the_file_name_not_the_path(english):
    with pytest.raises(EvidenceError) as refused:
        check("C:\\Users\\someone/Documents/setup.pdf", b"MZ" + bytes(100), 1024)
    assert "«setup.pdf»" in str(refused.value) and "Documents" not in str(refused.value)


CARRYING_AN_IIN = [
    ("plan.docx", make_docx("Participants:", f"Pupil, IIN {IIN}")),
    ("table.docx", make_docx("Participants", table_cell=IIN[:6] + " " + IIN[6:])),
    ("list.xlsx", make_xlsx("Participants", f"IIN {IIN}")),
    ("numbers.xlsx", make_xlsx("Participants", int(IIN))),
    (f"{IIN}.pdf", PDF),
]


@pytest.mark.parametrize(("name", "data"), CARRYING_AN_IIN, ids=["docx", "docx-table", "xlsx", "xlsx-number", "name"])
def test_check_refuses_an_iin_inside_or_in_the_name(english, name, data):
    with pytest.raises(EvidenceError) as refused:
        check(name, data, 1024 * 1024)
    message = str(refused.value)
    assert "contains an IIN" in message and masked(IIN) in message
    assert IIN not in message.replace(f"«{IIN}.pdf»", "")  # only the name itself may repeat it


def test_a_docx_without_an_iin_but_with_other_numbers_passes(english):
    data = make_docx("Budget 2 000 000 tenge, 120 participants, phone 8 700 000 0000, order 202403150001")
    assert check("report.docx", data, 1024 * 1024) == "docx"


# --- store and path_of ------------------------------------------------------------------------------


def test_store_writes_under_a_generated_name(app, tmp_path):
    app.config["TODAY"] = TODAY
    stored = store("Протокол №3.pdf", PDF, "pdf", tmp_path)
    assert stored.original_name == "Протокол №3.pdf"
    assert stored.stored_name.startswith(f"{TODAY.year}/") and stored.stored_name.endswith(".pdf")
    assert "Протокол" not in stored.stored_name
    assert stored.path == tmp_path / stored.stored_name and stored.path.read_bytes() == PDF
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest() and stored.size == len(PDF)
    assert stored.content_type == ALLOWED["pdf"][0]
    assert [p.name for p in tmp_path.rglob("*.part")] == []
    again = store("Протокол №3.pdf", PDF, "pdf", tmp_path)
    assert again.stored_name != stored.stored_name  # the same name twice is two files


@pytest.mark.parametrize("name", ["../outside.pdf", "2026/../../outside.pdf", "/etc/passwd"])
def test_path_of_refuses_names_leading_outside(tmp_path, name):
    with pytest.raises(EvidenceError):
        path_of(name, tmp_path / "evidence")


def test_download_of_a_name_leading_outside_is_404(app, client, runner, make_user, login, seed_plans):
    app.config["TODAY"] = TODAY
    case = lead_case(seed_plans)
    login(make_user("executor", body=case.lead_body))
    assert post_report(client, case.obligation.id).status_code == 302
    item = db.session.scalars(select(Evidence)).one()
    secret = Path(app.config["EVIDENCE_DIR"]).parent / "secret.pdf"
    secret.write_bytes(PDF)
    item.stored_name = "../secret.pdf"
    db.session.commit()
    assert client.get(f"/evidence/{item.id}").status_code == 404


# --- through the route --------------------------------------------------------------------------------


@pytest.fixture
def lead(app, client, runner, make_user, login, seed_plans):
    """Signed in as the lead executor of a past-due Kostanay obligation; returns the obligation."""
    use_english(app)
    app.config["TODAY"] = TODAY
    case = lead_case(seed_plans)
    login(make_user("executor", body=case.lead_body))
    return case.obligation


@pytest.mark.parametrize(("name", "data", "kind"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_route_accepts_each_kind(app, client, lead, name, data, kind):
    response = post_report(client, lead.id, files=[(name, data)])
    assert response.status_code == 302, error_message(response.get_data(as_text=True))
    item = db.session.scalars(select(Evidence)).one()
    assert (item.original_name, item.kind, item.content_type, item.size) == (name, kind, ALLOWED[kind][0], len(data))
    assert item.stored_name.endswith(f".{kind}")
    assert (Path(app.config["EVIDENCE_DIR"]) / item.stored_name).read_bytes() == data
    download = client.get(f"/evidence/{item.id}")
    assert download.data == data and download.mimetype == ALLOWED[kind][0]
    download.close()


def test_route_stores_several_files(app, client, lead):
    response = post_report(client, lead.id, files=[("a.pdf", PDF), ("b.png", PNG), ("c.docx", DOCX)])
    assert response.status_code == 302
    report = db.session.scalars(select(CompletionReport)).one()
    assert [e.original_name for e in report.evidence] == ["a.pdf", "b.png", "c.docx"]
    assert len(stored_files(app)) == 3


REFUSED = [
    ("setup.pdf", b"MZ\x90\x00" + bytes(200), "judged by its content"),
    ("archive.pdf", make_zip(notes__txt="hello"), "judged by its content"),
    ("notes.pdf", b"Just some words.\n", "judged by its content"),
    ("photo.pdf", PNG, "is named .pdf but its content is PNG"),
    ("empty.pdf", b"", "is empty"),
    ("broken.docx", make_zip(word__document_xml="<not really xml"), "may be damaged"),
    ("pupils.docx", make_docx("Participants:", f"Pupil, IIN {IIN}"), f"contains an IIN ({masked(IIN)})"),
    ("pupils.xlsx", make_xlsx("Participants", IIN), f"contains an IIN ({masked(IIN)})"),
    ("old.doc", DOC, "cannot be opened; it may be damaged"),
]


@pytest.mark.parametrize(("name", "data", "words"), REFUSED, ids=[r[0] for r in REFUSED])
def test_route_refuses_and_stores_nothing(app, client, lead, name, data, words):
    response = post_report(client, lead.id, files=[(name, data)])
    assert response.status_code == 422
    message = error_message(response.get_data(as_text=True))
    assert f"«{name}»" in message and words in message
    assert IIN not in message
    assert count(CompletionReport) == 0 and count(Evidence) == 0
    assert evidence_on_disk(app) == [] and kept_anywhere(app, data, IIN) == []


def test_route_refuses_a_file_over_the_limit(app, client, lead):
    app.config["MAX_EVIDENCE_BYTES"] = 2048
    response = post_report(client, lead.id, files=[("big.pdf", tiny_pdf("x" * 3000))])
    assert response.status_code == 422
    message = error_message(response.get_data(as_text=True))
    assert "«big.pdf»" in message and f"the limit is {human_size(2048)}" in message
    assert count(CompletionReport) == 0 and evidence_on_disk(app) == []


def test_one_bad_file_among_good_ones_stores_none_of_them(app, client, lead):
    response = post_report(client, lead.id, files=[("good.pdf", PDF), ("good.png", PNG), ("bad.pdf", b"MZ" + bytes(99))])
    assert response.status_code == 422
    assert "«bad.pdf»" in error_message(response.get_data(as_text=True))
    # the good ones may wait, kept for the form to be sent again; none is stored as evidence
    assert count(CompletionReport) == 0 and count(Evidence) == 0 and evidence_on_disk(app) == []


@pytest.mark.parametrize("failing", ["history", "commit"])
def test_files_are_removed_when_the_report_cannot_be_stored(app, client, lead, monkeypatch, failing):
    seen_on_disk = []

    def boom(*args, **kwargs):
        seen_on_disk.append(len(stored_files(app)))
        raise RuntimeError("the database went away")

    if failing == "history":
        monkeypatch.setattr("tracker.history.record", boom)
    else:
        monkeypatch.setattr(db.session, "commit", boom)
    with pytest.raises(RuntimeError, match="went away"):
        post_report(client, lead.id, files=[("a.pdf", PDF), ("b.png", PNG)])
    monkeypatch.undo()
    assert seen_on_disk == [2]  # the files were written before the failure…
    assert stored_files(app) == []  # …and removed after it
    db.session.rollback()
    assert count(CompletionReport) == 0 and count(Evidence) == 0


def test_evidence_module_lists_the_seven_kinds():
    assert set(evidence.ALLOWED) == {"pdf", "doc", "docx", "xls", "xlsx", "jpg", "png"}


@pytest.mark.parametrize(("given", "kept"), [
    ("..\\..\\Windows\\акт.pdf", "акт.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("акт\x00\r\n.pdf", "акт.pdf"),
    (".hidden.pdf", "hidden.pdf"),
    ("report\u202egpj.exe", "reportgpj.exe"),  # the right-to-left override that disguises a name
    ("Хаттама № 5 (қол қойылған).pdf", "Хаттама № 5 (қол қойылған).pdf"),
    ("", ""),
])
def test_file_names_are_cleaned_but_keep_their_letters(given, kept):
    from tracker.reports.evidence import clean_file_name

    assert clean_file_name(given) == kept
    long = clean_file_name("ж" * 400 + ".xlsx")
    assert len(long) == 255 and long.endswith(".xlsx")
