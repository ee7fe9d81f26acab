"""The implementation report ("орындалуы туралы ақпарат"): a Word document laid out like the plan,
built from reports posted and reviewed through the real operations, opened again with
python-docx and checked row by row; its summary against `flask status --json`; two builds
compared byte for byte; an IIN stored behind the portal's back masked; the PDF rendered by the
real LibreOffice and looked at as a PNG."""

import io
import json
import re
import shutil
import subprocess
import zipfile
from datetime import date, timedelta
from pathlib import Path

import docx
import pytest
from sqlalchemy import select, update

from tests.conftest import KARAGANDA
from tests.evidence_files import PDF
from tests.test_personal_data import IIN
from tracker.control import operations as control
from tracker.dashboard.cli import status_report
from tracker.extensions import db
from tracker.plans.models import Activity, ExecutorRole, Plan
from tracker.reporting.document import SUMMARY_STYLE, mask_iins
from tracker.reporting.pdf import soffice
from tracker.reports import operations as reports
from tracker.reports.models import CompletionReport, ReportKind
from tracker.reports.status import Status

#: the day the report is replayed as of: every 2023 due date of the Karaganda roadmap has passed
AS_OF = date(2026, 1, 31)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _on(app, day: date) -> None:
    app.config["TODAY"] = day


def _post(app, obligation, user, text: str, day: date, files=(("hattama.pdf", PDF),)):
    _on(app, day)
    return reports.submit_report(obligation, user, text, [], list(files), True)


def _review(app, report, coordinator, day: date, accept: bool = True):
    _on(app, day)
    return reports.review_report(report, coordinator, accept, "" if accept else "Хаттаманы тіркеңіз.")


@pytest.fixture
def world(app, seed_plans, make_user):
    """The Karaganda roadmap with one activity per way a 2023 due date can end up, reported
    through the real operations on the days they would have happened."""
    seed_plans(KARAGANDA)
    plan = db.session.scalar(select(Plan))
    coordinator = make_user("coordinator")
    executors = {}

    def executor_of(activity):
        body = activity.lead.body
        if body.id not in executors:
            executors[body.id] = make_user("executor", body=body)
        return executors[body.id]

    chosen = []
    for activity in db.session.scalars(select(Activity).where(Activity.plan_id == plan.id).order_by(Activity.position)):
        lead = activity.lead
        in_2023 = [o for o in activity.obligations if o.due_date.year == 2023 and o.due_date <= date(2023, 9, 30)]
        in_2025 = [o for o in activity.obligations if o.due_date.year == 2025]
        if lead and lead.body_id and in_2023 and in_2025:
            chosen.append((activity, in_2023[0], in_2025[-1]))
    assert len(chosen) >= 8, "the Karaganda roadmap has fewer activities with 2023 and 2025 due dates than expected"

    def co_executor(activity):
        return next((e for e in activity.executors if e.role == ExecutorRole.CO_EXECUTOR and e.body_id
                     and e.body_id != activity.lead.body_id), None)

    # The activity done on time has a co-executor, whose contribution comes before the lead's report.
    chosen.sort(key=lambda found: co_executor(found[0]) is None)
    (done, o_done, o_2025), (late, o_late, _x), (review, o_review, _y), (back, o_back, _z), \
        (extended, o_ext, _e), (idle, o_idle, _i), (off, o_off, _o), *_rest = chosen

    co = co_executor(done)
    assert co is not None
    _post(app, o_done, make_user("executor", body=co.body), "Біздің үлесіміз: 3 тренинг.",
          o_done.due_date - timedelta(days=12))
    text_done = "Облыстық семинар өткізілді, 120 педагог қатысты.\nӘдістемелік ұсынымдар мектептерге жіберілді."
    report = _post(app, o_done, executor_of(done), text_done, o_done.due_date - timedelta(days=10),
                   files=(("hattama-1.pdf", PDF), ("tizim.pdf", PDF)))
    _review(app, report, coordinator, o_done.due_date - timedelta(days=5))
    text_late = "Ата-аналарға арналған 14 кездесу ұйымдастырылды."
    report = _post(app, o_late, executor_of(late), text_late, o_late.due_date + timedelta(days=3))
    _review(app, report, coordinator, o_late.due_date + timedelta(days=10))
    _post(app, o_review, executor_of(review), "Мониторинг нәтижелері жинақталды.", o_review.due_date - timedelta(days=1))
    report = _post(app, o_back, executor_of(back), "Жоспар бойынша жұмыс жүргізілді.", o_back.due_date - timedelta(days=3))
    _review(app, report, coordinator, o_back.due_date - timedelta(days=1), accept=False)
    _on(app, o_ext.due_date - timedelta(days=7))
    new_date = o_ext.due_date + timedelta(days=60)
    request = control.request_extension(o_ext, executor_of(extended), new_date, "Мектептердің деректері кешігеді")
    _on(app, o_ext.due_date - timedelta(days=5))
    control.decide_extension(request, coordinator, True, "")
    _on(app, date(2023, 1, 10))
    control.take_off_control(plan, off, coordinator, "executed", None, None, "")
    text_2025 = "2025 жылғы есеп: интерактивті карта жаңартылды."
    report = _post(app, o_2025, executor_of(done), text_2025, o_2025.due_date - timedelta(days=2))
    _review(app, report, coordinator, o_2025.due_date - timedelta(days=1))
    _on(app, AS_OF)
    return {"plan": plan, "coordinator": coordinator, "executors": executors, "co": co,
            "done": (done, o_done, text_done), "late": (late, o_late, text_late), "review": (review, o_review),
            "back": (back, o_back), "extended": (extended, o_ext, new_date), "idle": (idle, o_idle),
            "off": (off, o_off), "text_2025": text_2025, "o_2025": o_2025}


def download(client, path: str, **args):
    response = client.get(path, query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)[-1500:]
    return response


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def plan_table(document):
    """The plan's table: the one with seven columns."""
    return next(t for t in document.tables if len(t.columns) == 7)


def activity_rows(table) -> dict[str, list[str]]:
    """Activity number → the texts of its seven cells (section rows span the table: one cell)."""
    found = {}
    for row in table.rows[2:]:
        if len(row._tr.tc_lst) == 7:
            cells = [cell.text for cell in row.cells]
            assert cells[0] not in found, f"activity {cells[0]} has two rows"
            found[cells[0]] = cells
    return found


def report_of(client, world, **args):
    plan = world["plan"]
    args = {"as_of": AS_OF.isoformat(), "lang": "kk", **args}
    return open_docx(download(client, f"/plans/{plan.id}/implementation-report.docx", **args).data)


# --- the layout: the plan's own table ---------------------------------------------------------------


def test_one_row_per_activity_in_the_plans_order_with_its_columns(client, login, world):
    login("auditor")
    document = report_of(client, world, **{"from": "2023-01-01", "to": "2023-12-31"})
    table = plan_table(document)
    rows = activity_rows(table)
    activities = list(db.session.scalars(select(Activity).where(Activity.plan_id == world["plan"].id)
                                         .order_by(Activity.position)))
    assert list(rows) == [a.number for a in activities]
    done = world["done"][0]
    number, text, form, executors, deadline, funding, _progress = rows[done.number]
    assert (text, form, deadline, funding) == (done.text, done.completion_form, done.deadline_text, done.funding_text)
    lead = done.lead.body
    assert executors.splitlines()[0] == f"{lead.name} ({lead.abbreviation})" if lead.abbreviation else lead.name
    assert len(executors.splitlines()) == len(done.executors)
    # Section rows between them, with the section's number and title.
    spanning = [row.cells[0].text for row in table.rows[2:] if len(row._tr.tc_lst) == 1]
    assert spanning and spanning[0].startswith("1.")


def test_header_rows_repeat_rows_do_not_split_and_the_page_is_a4_landscape(client, login, world):
    login("auditor")
    document = report_of(client, world)
    table = plan_table(document)
    for row in table.rows[:2]:
        assert row._tr.trPr.find(f"{W}tblHeader") is not None
    rows = table.rows[2:]
    kept = [row._tr.trPr is not None and row._tr.trPr.find(f"{W}cantSplit") is not None for row in rows]
    # Only a row about as tall as a page may split: 16 due dates of two lines fill the table on a page.
    assert all(len(row.cells[6].paragraphs) >= 28 for row, k in zip(rows, kept, strict=True) if not k)
    assert sum(kept) >= 0.9 * len(kept)
    assert [c.text for c in table.rows[1].cells] == [str(n) for n in range(1, 8)]
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    footer = section.footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer and 'w:fldCharType="begin"' in footer
    grid = table._tbl.tblGrid.findall(f"{W}gridCol")
    assert len(grid) == 7 and sum(int(c.get(f"{W}w")) for c in grid) <= (297 - 35) / 10 * 567 + 10


# --- what the progress column says -----------------------------------------------------------------


def progress_of(document, activity) -> str:
    """The progress cell's text, with Babel's narrow no-break spaces in dates as plain spaces."""
    return activity_rows(plan_table(document))[activity.number][6].replace("\u202f", " ")


def test_every_accepted_text_of_the_period_is_under_its_activity_and_nothing_from_outside(client, login, world):
    login("coordinator")
    document = report_of(client, world, **{"from": "2023-01-01", "to": "2023-12-31"})
    done, o_done, text_done = world["done"]
    late, o_late, text_late = world["late"]
    cell = progress_of(document, done)
    for line in text_done.splitlines():
        assert line in cell
    assert "hattama-1.pdf" in cell and "tizim.pdf" in cell
    assert text_late in progress_of(document, late)
    whole = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        c.text for t in document.tables for r in t.rows for c in r.cells)
    assert world["text_2025"] not in whole  # accepted, but for a 2025 due date: outside the period
    # A report text appears under its own activity only.
    cells = activity_rows(plan_table(document))
    assert [n for n, c in cells.items() if text_late in c[6]] == [late.number]

    document = report_of(client, world, **{"from": "2025-01-01", "to": "2025-12-31"})
    assert world["text_2025"] in progress_of(document, done)
    assert text_done.splitlines()[0] not in progress_of(document, done)


def test_where_nothing_was_accepted_the_cell_says_why_in_kazakh(client, login, world):
    login("coordinator")
    document = report_of(client, world, **{"from": "2023-01-01", "to": "2023-12-31"})
    idle, o_idle = world["idle"]
    assert f"есеп берілмеді; мерзімі өтті, {(AS_OF - o_idle.due_date).days} күн" in progress_of(document, idle)
    assert "қарауда" in progress_of(document, world["review"][0])
    assert "пысықтауға қайтарылды" in progress_of(document, world["back"][0])
    extended, _o, new_date = world["extended"]
    months = ["қаңтарға", "ақпанға", "наурызға", "сәуірге", "мамырға", "маусымға", "шілдеге", "тамызға",
              "қыркүйекке", "қазанға", "қарашаға", "желтоқсанға"]
    assert (f"мерзімі ұзартылды ({new_date.year} жылғы {new_date.day} {months[new_date.month - 1]} дейін)"
            in progress_of(document, extended))
    off, o_off = world["off"]
    assert "бақылаудан алынды" in progress_of(document, off)
    late, o_late, _t = world["late"]
    assert "мерзімінен 10 күн кеш" in progress_of(document, late)


def test_the_same_in_russian(client, login, world):
    login("auditor")
    document = report_of(client, world, lang="ru", **{"from": "2023-01-01", "to": "2023-12-31"})
    idle, o_idle = world["idle"]
    assert f"отчёт не представлен; срок истёк, {(AS_OF - o_idle.due_date).days} дн." in progress_of(document, idle)
    assert "на рассмотрении" in progress_of(document, world["review"][0])
    extended, _o, new_date = world["extended"]
    months = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря"]
    assert (f"срок продлён (до {new_date.day} {months[new_date.month - 1]} {new_date.year} г.)"
            in progress_of(document, extended))
    header = [c.text for c in plan_table(document).rows[0].cells]
    assert header[6] == "Ход исполнения" and header[3] == "Ответственные исполнители"
    done = world["done"][0]
    # Imported content as written (Kazakh), names of registry bodies in Russian.
    assert activity_rows(plan_table(document))[done.number][1] == done.text
    assert document.paragraphs[0].text == "ИНФОРМАЦИЯ О ХОДЕ ИСПОЛНЕНИЯ"


def test_as_of_an_earlier_day_the_report_is_replayed(client, login, world):
    """Before the acceptance the same due date was under review; before the submission, coming up."""
    login("auditor")
    done, o_done, text_done = world["done"]
    document = report_of(client, world, as_of=(o_done.due_date - timedelta(days=7)).isoformat(),
                         **{"from": "2023-01-01", "to": "2023-12-31"})
    cell = progress_of(document, done)
    assert text_done.splitlines()[0] not in cell and "қарауда" in cell
    document = report_of(client, world, as_of=(o_done.due_date - timedelta(days=20)).isoformat(),
                         **{"from": "2023-01-01", "to": "2023-12-31"})
    assert "мерзімі әлі келген жоқ" in progress_of(document, done)


def test_contributions_are_sub_paragraphs_only_when_asked_for(client, login, world):
    done, o_done, _text = world["done"]
    login("auditor")
    plain = report_of(client, world, **{"from": "2023-01-01", "to": "2023-12-31"})
    assert "Біздің үлесіміз" not in progress_of(plain, done)
    chosen = report_of(client, world, contributions="1", **{"from": "2023-01-01", "to": "2023-12-31"})
    cell = progress_of(chosen, done)
    assert "Біздің үлесіміз: 3 тренинг." in cell and world["co"].body.name in cell
    assert cell.index("Біздің үлесіміз") > cell.index(world["done"][2].splitlines()[0])  # under the lead's text


# --- the summary -----------------------------------------------------------------------------------


def summary_numbers(document) -> list[int]:
    paragraph = next(p for p in document.paragraphs if p.style.name == SUMMARY_STYLE)
    return [int(n) for n in re.findall(r"\d+", paragraph.text)]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_summary_equals_status_json_for_the_same_day(client, runner, login, world, lang):
    login("auditor")
    plan = world["plan"]
    document = report_of(client, world, lang=lang)  # the whole plan
    result = runner.invoke(args=["status", "--json", "--plan", str(plan.id), "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)["plans"][0]
    counts = figures["obligations"]
    numbers = summary_numbers(document)
    assert numbers[:9] == [figures["total"], figures["due_so_far"], counts[Status.DONE], counts[Status.DONE_LATE],
                           counts[Status.OVERDUE], counts[Status.SUBMITTED], counts[Status.RETURNED],
                           counts[Status.OFF_CONTROL], counts[Status.DUE_SOON] + counts[Status.UPCOMING]]
    assert numbers[9] == round(figures["on_time_rate"] * 100)
    assert sorted(numbers[10:12]) == sorted([counts[Status.DONE], figures["due_so_far"]])
    assert counts[Status.DONE] >= 2 and counts[Status.DONE_LATE] == 1 and counts[Status.RETURNED] == 1
    # The rates by body: every lead executor with something due, the weakest first.
    rates = next(t for t in document.tables if len(t.columns) == 4)
    shown = [int(r.cells[3].text.rstrip(" %")) for r in rates.rows[1:]]
    assert shown == sorted(shown)
    bodies = [b for b in status_report(AS_OF, plan.id)["bodies"] if sum(b["as_lead"].values())]
    assert len(rates.rows) - 1 == len([b for b in bodies if b["on_time_rate"] is not None])


# --- reproducible, properties, personal data --------------------------------------------------------


def test_two_builds_are_the_same_bytes_and_carry_the_as_of_day(client, login, world):
    login("auditor")
    plan = world["plan"]
    path = f"/plans/{plan.id}/implementation-report.docx"
    args = {"as_of": AS_OF.isoformat(), "lang": "kk", "from": "2023-01-01", "to": "2023-12-31"}
    first = download(client, path, **args).data
    second = download(client, path, **args).data
    with zipfile.ZipFile(io.BytesIO(first)) as a, zipfile.ZipFile(io.BytesIO(second)) as b:
        assert a.read("word/document.xml") == b.read("word/document.xml")
        assert a.namelist() == b.namelist() and a.namelist()[0] == "[Content_Types].xml"
        # Dated the as-of day, not the moment of building (python-docx dates them "now").
        assert {info.date_time for info in a.infolist()} == {(AS_OF.year, AS_OF.month, AS_OF.day, 0, 0, 0)}
    assert first == second
    properties = open_docx(first).core_properties
    assert properties.created.date() == properties.modified.date() == AS_OF
    assert AS_OF.isoformat() in properties.keywords and properties.title == plan.title
    # Another day gives another document.
    assert download(client, path, **{**args, "as_of": "2025-06-30"}).data != first


def test_an_iin_stored_behind_the_portals_back_is_masked(client, login, world):
    done, o_done, _text = world["done"]
    report = db.session.scalar(select(CompletionReport).where(CompletionReport.obligation_id == o_done.id,
                                                              CompletionReport.kind == ReportKind.LEAD))
    db.session.execute(update(CompletionReport).where(CompletionReport.id == report.id).values(
        text=f"Оқушы {IIN[:6]} {IIN[6:]} бойынша жұмыс жүргізілді."))
    db.session.commit()
    login("auditor")
    data = download(client, f"/plans/{world['plan'].id}/implementation-report.docx", as_of=AS_OF.isoformat(),
                    **{"from": "2023-01-01", "to": "2023-12-31"}).data
    document = open_docx(data)
    cell = progress_of(document, done)
    assert f"{IIN[:2]}••••••••{IIN[-2:]}" in cell
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            text = package.read(name).decode("utf-8", "replace")
            assert IIN not in text and f"{IIN[:6]} {IIN[6:]}" not in text, name
    assert mask_iins(f"ЖСН {IIN}") == f"ЖСН {IIN[:2]}••••••••{IIN[-2:]}"


# --- a body's report ---------------------------------------------------------------------------------


def test_a_bodys_report_covers_its_items_across_plans(client, login, world):
    login("auditor")
    from tracker.executors.models import Body
    from tracker.plans.models import ActivityExecutor

    body = db.session.scalar(select(Body).where(Body.abbreviation == "ББ", Body.region == world["plan"].region))
    response = download(client, f"/bodies/{body.id}/implementation-report.docx", as_of=AS_OF.isoformat())
    document = open_docx(response.data)
    rows = activity_rows(plan_table(document))
    named = db.session.scalars(select(Activity.number).join(ActivityExecutor).where(
        ActivityExecutor.body_id == body.id).order_by(Activity.position)).all()
    assert list(rows) == list(dict.fromkeys(named))
    assert body.name in document.paragraphs[1].text
    # Its plan heads its activities (a body's items come from every plan that names it).
    assert any(world["plan"].title in row.cells[0].text for row in plan_table(document).rows[2:4])
    assert "attachment; filename=implementation-body-" in response.headers["Content-Disposition"]


# --- bad arguments, missing things ---------------------------------------------------------------------


@pytest.mark.parametrize(("args", "named"), [
    ({"from": "2023-13-01"}, "from=2023-13-01"),
    ({"to": "abc"}, "to=abc"),
    ({"as_of": "1999-12-31"}, "as_of=1999-12-31"),
    ({"as_of": "9999-01-01"}, "as_of=9999-01-01"),
    ({"from": "2024-01-01", "to": "2023-12-31"}, "from=2024-01-01"),
    ({"lang": "de"}, "lang=de"),
])
def test_a_bad_argument_is_a_400_naming_it(client, login, world, args, named):
    login("auditor")
    response = client.get(f"/plans/{world['plan'].id}/implementation-report.docx", query_string=args)
    assert response.status_code == 400
    assert named in response.get_data(as_text=True)


def test_no_such_plan_or_body_is_a_404(client, login, world):
    login("auditor")
    assert client.get("/plans/99999/implementation-report.docx").status_code == 404
    assert client.get("/bodies/99999/implementation-report.pdf").status_code == 404


def test_signing_in_is_needed(client, world):
    response = client.get(f"/plans/{world['plan'].id}/implementation-report.docx")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- PDF -------------------------------------------------------------------------------------------


def test_without_libreoffice_the_pdf_is_a_clear_503_and_the_docx_still_works(app, client, login, world, monkeypatch):
    monkeypatch.setenv("TRACKER_SOFFICE", "")  # the setting that turns LibreOffice off (tracker.plans.engine.convert)
    login("auditor")
    response = client.get(f"/plans/{world['plan'].id}/implementation-report.pdf")
    assert response.status_code == 503
    assert "LibreOffice" in response.get_data(as_text=True)
    assert client.get(f"/plans/{world['plan'].id}/implementation-report.docx").status_code == 200


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed: no PDF to render")
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_the_pdf_renders_and_its_first_page_is_saved_to_look_at(client, login, world, tmp_path):
    login("auditor")
    response = download(client, f"/plans/{world['plan'].id}/implementation-report.pdf", as_of=AS_OF.isoformat(),
                        lang="kk", **{"from": "2023-01-01", "to": "2023-12-31"})
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    source = tmp_path / "report.pdf"
    source.write_bytes(response.data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(source), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3  # the summary and 56 activities do not fit on two A4 pages
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.data))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    first = reader.pages[0].extract_text()
    assert "Орындалу барысы" in first or "ОРЫНДАЛУЫ" in first.upper()
    last = reader.pages[-1].extract_text()
    assert f"{len(reader.pages)} / {len(reader.pages)}" in last  # the page numbers are fields, filled in
    shutil.copyfile(pages[0], Path("/tmp") / "report-up_page1.png")


# --- the command line ------------------------------------------------------------------------------


def test_the_command_writes_the_same_document_as_the_page(client, runner, login, world, tmp_path):
    plan = world["plan"]
    out = tmp_path / "report.docx"
    result = runner.invoke(args=["report", "implementation", "--plan", str(plan.id), "--from", "2023-01-01",
                                 "--to", "2023-12-31", "--as-of", AS_OF.isoformat(), "--lang", "ru", str(out)])
    assert result.exit_code == 0, result.output
    document = open_docx(out.read_bytes())
    assert world["late"][2] in progress_of(document, world["late"][0])
    assert "command line" in document.paragraphs[-1].text
    login("auditor")
    page = download(client, f"/plans/{plan.id}/implementation-report.docx", as_of=AS_OF.isoformat(), lang="ru",
                    **{"from": "2023-01-01", "to": "2023-12-31"}).data
    with zipfile.ZipFile(io.BytesIO(page)) as a, zipfile.ZipFile(out) as b:
        body = [z.read("word/document.xml").decode() for z in (a, b)]
    # The same document but for who prepared it.
    assert re.sub(r"подготовил: [^<]*", "", body[0]) == re.sub(r"подготовил: [^<]*", "", body[1])


@pytest.mark.parametrize(("args", "message"), [
    (["--plan", "1", "--from", "2024-01-01", "--to", "2023-01-01"], "after it ends"),
    (["--plan", "1", "--as-of", "tomorrow"], "--as-of «tomorrow»"),
    (["--from", "2023-01-01"], "one of --plan ID or --body ID"),
    (["--plan", "99999"], "there is no plan 99999"),
])
def test_the_command_refuses_bad_options_with_one_line(runner, world, tmp_path, args, message):
    result = runner.invoke(args=["report", "implementation", *args, str(tmp_path / "r.docx")])
    assert result.exit_code in (1, 2)
    assert message in result.output
    assert not (tmp_path / "r.docx").exists()


# --- the form the dashboard, plan and body pages include ----------------------------------------------


def test_the_report_form_fragment_downloads_what_it_offers(app, client, login, world):
    """The fragment as the plan page includes it: its form's action and the PDF button's
    formaction lead to the downloads, with the fields it holds as the query."""
    from flask import render_template_string

    login("auditor")
    plan = world["plan"]
    with app.test_request_context("/"):
        html = render_template_string(
            '{% with report_scope="plan", report_id=plan_id %}{% include "reporting/_report_form.html" %}{% endwith %}',
            plan_id=plan.id, as_of=AS_OF)
        nothing = render_template_string(
            '{% with report_scope=none, report_id=none %}{% include "reporting/_report_form.html" %}{% endwith %}')
    action = re.search(r'<form[^>]*action="([^"]+)"', html).group(1)
    pdf = re.search(r'id="report-pdf" formaction="([^"]+)"', html).group(1)
    assert action == f"/plans/{plan.id}/implementation-report.docx"
    assert pdf == f"/plans/{plan.id}/implementation-report.pdf"
    names = set(re.findall(r'name="([a-z_]+)"', html))
    assert names == {"from", "to", "as_of", "lang", "contributions"}
    assert f'value="{AS_OF.isoformat()}"' in html
    # What the browser sends when the form is left as it is (empty period: the whole plan).
    response = client.get(action, query_string={"from": "", "to": "", "as_of": AS_OF.isoformat(), "lang": "kk"})
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    assert "<form" not in nothing and "report-docx" not in nothing
