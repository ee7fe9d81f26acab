"""Assignments from letters in the portal: upload → preview → confirm through the routes, with
the preview's corrections taken, nothing stored before the confirmation, the coordinator only;
one assignment per receiving region; a programme with its reporting duties; the command line."""

import io
import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.test_letters_reading import MINISTRY, PROGRAMME
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.letters.models import Letter, LetterChain, LetterPlan, LetterRole, PassState, RegionTask
from tracker.letters.places import REGIONS
from tracker.plans.models import Activity, ExecutorRole, Obligation, Plan, PlanKind

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def coordinator(app, client, login):
    app.config["TODAY"] = date(2026, 12, 1)
    client.get("/login?lang=en")  # messages are asserted in English
    return login("coordinator")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def nothing_stored() -> bool:
    return count(Plan) == 0 and count(Letter) == 0 and count(LetterChain) == 0 and count(Obligation) == 0


class _Controls(HTMLParser):
    """The preview form's controls as a browser would send them: text, hidden and date inputs,
    ticked checkboxes, textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind == "checkbox":
                if "checked" in attrs:
                    self.values[attrs["name"]] = attrs.get("value", "y")
            elif kind not in ("submit", "file"):
                self.values[attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.values[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def controls(page: str) -> dict[str, str]:
    parser = _Controls()
    parser.feed(page)
    # a browser drops the single newline that follows <textarea>
    return {k: v.removeprefix("\r").removeprefix("\n") for k, v in parser.values.items()}


def upload(client, path: Path, name: str | None = None):
    return client.post("/letters/import", data={"document": (io.BytesIO(path.read_bytes()), name or path.name)},
                       content_type="multipart/form-data")


def preview_of(client, path: Path) -> tuple[str, dict[str, str]]:
    response = upload(client, path)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    return response.headers["Location"], controls(page.get_data(as_text=True))


def field_named(values: dict[str, str], letter: int, name: str) -> str:
    return f"letters-{letter}-{name}"


def task_field(values: dict[str, str], letter: int, number: str, name: str) -> str:
    """The form name of a task's field, found by the task's number."""
    index = next(k.split("-")[3] for k, v in values.items()
                 if k.startswith(f"letters-{letter}-tasks-") and k.endswith("-number") and v == number)
    return f"letters-{letter}-tasks-{index}-{name}"


# --- the ministry's assignment ---------------------------------------------------------------------


def test_upload_shows_a_preview_and_stores_nothing(client, coordinator):
    location, values = preview_of(client, MINISTRY)
    page = client.get(location).get_data(as_text=True)
    assert nothing_stored()
    assert values[field_named(values, 1, "number")] == "03-4279"
    assert values[field_named(values, 1, "date")] == "2024-05-01"
    assert values[field_named(values, 2, "number")] == "3-05-4/3494-И"  # taken from the akimat's citation
    assert values[field_named(values, 2, "basis_number")] == "23-63-8.19"
    assert values["recipients"].splitlines() == [place.name for place in REGIONS]
    assert "which is later: one of the dates is wrong" in page  # the akimat's basis, dated after it
    assert "taken from the letter above" in page
    assert "2024 жылғы 27 мамырға дейінгі мерзімде" in page or "27 мамыр" in values[field_named(values, 2, "reply_deadline")]
    assert values[field_named(values, 2, "reply_deadline")] == "ағымдағы жылғы 27 мамырға дейінгі мерзімде"


def test_confirming_makes_one_assignment_per_region_with_the_letter_s_fields(client, coordinator):
    location, values = preview_of(client, MINISTRY)
    response = client.post(location, data=values)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]

    plans = list(db.session.scalars(select(Plan).order_by(Plan.id)))
    assert [plan.region for plan in plans] == [place.name for place in REGIONS]
    assert {plan.kind for plan in plans} == {PlanKind.ASSIGNMENT}
    zhambyl = next(plan for plan in plans if plan.region == "Жамбыл облысы")
    assert response.headers["Location"].endswith(f"/plans/{zhambyl.id}")  # the region the covering letters are from
    assert (zhambyl.letter_number, zhambyl.letter_date) == ("3-05-4/3494-И", date(2024, 5, 24))
    assert zhambyl.letter_issuer == "Қазақстан Республикасының Оқу-ағарту министрлігі"
    assert (zhambyl.basis_number, zhambyl.basis_date) == ("23-63-8.19", date(2023, 2, 2))
    assert zhambyl.reply_due == date(2024, 5, 27)
    assert zhambyl.chain_position == 2
    assert "медиация" in zhambyl.title

    # the stages and the reply are obligations with the right dates
    due = {a.text[:7]: [o.due_date for o in a.obligations] for a in zhambyl.activities}
    assert due["1 кезең"] == [date(2024, 12, 25)]
    assert due["2 кезең"] == [date(2025, 12, 31), date(2026, 12, 31)]
    assert due["3 кезең"] == [date(2026, 12, 1)]
    reply = next(a for a in zhambyl.activities if a.deadline_text.startswith("2024 жылғы 27 мамыр"))
    assert [o.due_date for o in reply.obligations] == [date(2024, 5, 27)]
    # …owed by the receiving body: the region's akimat (a city's own for a city)
    assert reply.lead.role == ExecutorRole.LEAD and reply.lead.body.identity == "regional_akimat"
    assert reply.lead.body.region == "Жамбыл облысы"
    astana = next(plan for plan in plans if plan.region == "Астана қаласы")
    assert astana.activities[0].lead.body.name == "Астана қаласының әкімдігі"
    assert all(len(plan.activities) == 4 for plan in plans)

    # which region carries which project
    carried = {(row.region, row.text[:30]) for row in db.session.scalars(select(RegionTask))}
    assert len(carried) == 20
    mediation = {row.region for row in db.session.scalars(select(RegionTask)) if "медиация" in row.text}
    assert mediation == {"Жамбыл облысы", "Қарағанды облысы"}

    # the chain: the assignment and its two covering letters, proposed to be passed down
    letters = list(db.session.scalars(select(Letter).order_by(Letter.position)))
    assert [(row.position, row.role, row.number) for row in letters] == [
        (0, LetterRole.DELEGATION, None), (1, LetterRole.DELEGATION, "03-4279"), (2, LetterRole.ASSIGNMENT, "3-05-4/3494-И")]
    assert letters[0].parent_id == letters[1].id and letters[1].parent_id == letters[2].id
    # a parent is stored before the letters above it, so a backup restores in primary-key order
    assert letters[2].id < letters[1].id < letters[0].id
    assert [row.state for row in letters] == [PassState.PROPOSED, PassState.PROPOSED, None]
    assert letters[1].addressees == ["Тараз қаласы мен аудандардың әкімдеріне", "Мемлекеттік органдардың басшыларына"]
    assert count(LetterPlan) == 20
    assert db.session.scalar(select(func.count()).select_from(HistoryEntry)
                             .where(HistoryEntry.action == "plan.imported")) == 20

    # the letter's page lists the chain and the twenty assignments
    page = client.get(f"/letters/{letters[2].id}").get_data(as_text=True)
    assert "03-4279" in page and page.count('href="/plans/') == 20
    # and each plan links back to the letters it came from, the covering letter to pass down first
    plan_page = client.get(f"/plans/{zhambyl.id}").get_data(as_text=True)
    shown = plan_page.split('id="plan-letters"')[1].split("</p>")[0]
    assert re.findall(r'href="/letters/(\d+)"', shown) == [str(row.id) for row in letters]


def test_the_preview_s_corrections_are_what_is_stored(client, coordinator):
    location, values = preview_of(client, MINISTRY)
    values[field_named(values, 0, "number")] = "01-15/88"
    values[field_named(values, 0, "date")] = "2024-06-03"
    values[task_field(values, 2, "1", "deadline")] = "2024 жылғы 1 шілдеге дейін"  # the grant question, now dated
    values[task_field(values, 2, "1", "on_control")] = "y"
    values["recipients"] = "Жамбыл облысы\nҚарағанды облысы"
    values["title"] = "Оқу-ағарту министрлігінің тапсырмасы"
    assert client.post(location, data=values).status_code == 302

    plans = list(db.session.scalars(select(Plan).order_by(Plan.id)))
    assert [p.region for p in plans] == ["Жамбыл облысы", "Қарағанды облысы"]
    assert plans[0].title.startswith("Оқу-ағарту министрлігінің тапсырмасы — «Мектептерде")
    grant = next(a for a in plans[0].activities if a.number == "1")
    assert [o.due_date for o in grant.obligations] == [date(2024, 7, 1)]
    top = db.session.scalar(select(Letter).where(Letter.position == 0))
    assert (top.number, top.date) == ("01-15/88", date(2024, 6, 3))


def test_what_cannot_stand_is_refused_beside_its_field_and_nothing_is_stored(client, coordinator):
    location, values = preview_of(client, MINISTRY)
    values[field_named(values, 2, "date")] = ""
    response = client.post(location, data=values)
    assert response.status_code == 422
    assert "Enter the date of the letter" in response.get_data(as_text=True)
    assert nothing_stored()

    _location, values = preview_of(client, MINISTRY)
    values["recipients"] = "Жамбыл облысы\nНарния облысы"
    response = client.post(location, data=values)
    assert response.status_code == 422
    assert "«Нарния» is no region or city of republican significance" in response.get_data(as_text=True)
    assert nothing_stored()

    location, values = preview_of(client, MINISTRY)
    values[task_field(values, 2, "3", "deadline")] = "қашан болса да"  # stage 2, no date in it
    response = client.post(location, data=values)
    assert response.status_code == 422
    assert "Task 3: the deadline «қашан болса да» gives no due date" in response.get_data(as_text=True)
    assert nothing_stored()


def test_the_same_document_twice_is_refused(client, coordinator):
    location, values = preview_of(client, MINISTRY)
    assert client.post(location, data=values).status_code == 302
    plans = count(Plan)
    location, values = preview_of(client, MINISTRY)
    assert "This document is already in the portal" in client.get(location).get_data(as_text=True)
    response = client.post(location, data=values)
    assert response.status_code == 422
    assert "already in the portal" in response.get_data(as_text=True)
    assert count(Plan) == plans


def test_not_a_letter_is_one_message_and_nothing_is_staged(app, client, coordinator):
    response = upload(client, ROOT / "plans" / "kostanay-2019-2021.txt")
    assert response.status_code == 422
    assert "is a plan table, not a letter" in response.get_data(as_text=True)
    response = client.post("/letters/import", data={"document": (io.BytesIO(b"just some words"), "words.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "is not a letter" in response.get_data(as_text=True)
    staged = Path(app.config["IMPORTS_DIR"]) / "letters"
    assert not staged.exists() or not any(staged.iterdir())
    assert nothing_stored()


@pytest.mark.parametrize("role", ["admin", "auditor", "executor"])
def test_only_the_coordinator_puts_letters_on_control(app, client, login, make_user, role):
    app.config["TODAY"] = date(2026, 12, 1)
    coordinator = login("coordinator")
    location, values = preview_of(client, MINISTRY)
    token = location.rsplit("/", 1)[1]
    body = None
    if role == "executor":
        body = Body(name="Білім басқармасы", region="Жамбыл облысы", identity="education", registry_key="education")
        db.session.add(body)
        db.session.commit()
    login(make_user(role, body=body))
    assert client.get("/letters/import").status_code == 403
    assert upload(client, MINISTRY).status_code == 403
    assert client.get(f"/letters/import/{token}").status_code == 403
    assert client.post(f"/letters/import/{token}", data=values).status_code == 403
    assert nothing_stored()
    # …and the coordinator's staged letter is the coordinator's alone: another coordinator finds nothing
    login("coordinator")
    assert client.get(f"/letters/import/{token}").status_code == 404
    assert coordinator.id


# --- the programme passed down -----------------------------------------------------------------------


def test_a_programme_goes_on_control_with_its_reporting_duties_and_indicators(client, coordinator):
    location, values = preview_of(client, PROGRAMME)
    assert values["indicators"].splitlines()[0] == "қайталама қылмыстылықтың кемінде 20%-ға төмендеуі"
    response = client.post(location, data=values)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]

    plan = db.session.scalar(select(Plan))
    assert plan.kind == PlanKind.PROGRAMME and plan.region == "Жамбыл облысы"
    assert (plan.letter_number, plan.letter_date) == ("5/1-5-42/515-И", date(2026, 4, 7))
    assert plan.title.startswith("Бағдарлама: ерекше назарды қажет ететін")
    assert (plan.period_start, plan.period_end) == (date(2026, 4, 1), date(2026, 12, 31))
    monthly = [a for a in plan.activities if a.deadline_text == "ай сайын"]
    assert [a.lead.written for a in monthly] == [
        "ішкі істер органдары", "білім басқармасы", "денсаулық сақтау басқармасы", "әлеуметтік қорғау органдары",
        "кемелетке толмағандардың істері және олардың құқықтарын қорғау жөніндегі комиссиялар"]
    assert all(len(a.executors) == 1 for a in monthly)  # each responsible body reports for itself
    assert [o.due_date for o in monthly[1].obligations][:2] == [date(2026, 4, 30), date(2026, 5, 31)]
    assert len(monthly[1].obligations) == 9
    assert monthly[1].lead.body.identity == "education"  # "білім басқармасы", from the registry
    quarterly = next(a for a in plan.activities if a.deadline_text == "тоқсан сайын")
    assert [o.due_date for o in quarterly.obligations] == [date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)]
    assert len(quarterly.executors) == 5
    assert count(Activity) == 6  # the per-case stages are the programme's text, not obligations
    assert plan.expected_results[0] == "қайталама қылмыстылықтың кемінде 20%-ға төмендеуі"
    # the indicators package proposes them on the plan's page
    from tracker.indicators.operations import plan_proposals

    assert len(plan_proposals(plan)) == 5

    letters = list(db.session.scalars(select(Letter).order_by(Letter.position)))
    assert [(row.number, row.received_number, row.received_on) for row in letters] == [
        (None, None, None), ("03-2530", "121", date(2026, 5, 8)), ("5/1-5-42/515-И", None, None)]
    assert letters[1].addressees[1] == "Колледждердің басшыларына"
    assert letters[2].inferred == ["number", "date"]


# --- the command line -----------------------------------------------------------------------------------


def test_parse_json_prints_the_proposal_and_stores_nothing(app, runner):
    app.config["TODAY"] = date(2026, 12, 1)
    result = runner.invoke(args=["assignments", "parse", str(MINISTRY), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"issuer", "number", "date", "basis", "addressees", "tasks", "reply_due", "warnings"} <= set(data)
    assert set(data["basis"]) >= {"issuer", "number", "date"}
    task = data["tasks"][0]
    assert {"text", "deadline", "regions"} <= set(task)
    stage = next(t for t in data["tasks"] if t["kind"] == "stage")
    assert {"text", "due_dates"} <= set(stage["deadline"])
    assert data["reply_due"]["date"] == "2024-05-27"
    assert len(data["assignments"]) == 20 and len(data["chain"]) == 3
    assert nothing_stored()


def test_import_stores_it_and_a_bad_file_is_one_line(app, runner, tmp_path):
    app.config["TODAY"] = date(2026, 12, 1)
    result = runner.invoke(args=["assignments", "import", str(PROGRAMME)])
    assert result.exit_code == 0, result.output
    assert "1 assignment(s), 6 activities, 48 due dates" in result.output
    assert count(Plan) == 1 and count(Letter) == 3

    bad = tmp_path / "notes.txt"
    bad.write_text("just some words", encoding="utf-8")
    result = runner.invoke(args=["assignments", "import", str(bad)])
    assert result.exit_code == 1 and "error: notes.txt is not a letter" in result.output
    undated = tmp_path / "undated.txt"
    undated.write_text(MINISTRY.read_text(encoding="utf-8").replace("24.05.2024 жылғы ", ""), encoding="utf-8")
    result = runner.invoke(args=["assignments", "import", str(undated)])
    assert result.exit_code == 1 and "error:" in result.output
    assert count(Plan) == 1


# --- passing the covering letters down (tracker.delegation) ----------------------------------------------


def _ticked_targets(page: str) -> list[str]:
    values = []
    parser = _Targets()
    parser.feed(page)
    values += parser.ticked
    return values


class _Targets(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ticked: list[str] = []
        self.all: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") == "targets":
            self.all.append(attrs["value"])
            if "checked" in attrs:
                self.ticked.append(attrs["value"])


def _import(client, path: Path) -> None:
    location, values = preview_of(client, path)
    assert client.post(location, data=values).status_code == 302


def _letter(position: int) -> Letter:
    return db.session.scalar(select(Letter).where(Letter.position == position))


def _body(region: str, identity: str) -> Body:
    return db.session.scalar(select(Body).where(Body.region == region, Body.identity == identity))


def _pass(client, login, make_user, letter: Letter, body: Body, targets: list[str] | None = None):
    login(make_user("executor", body=body))
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    ticked = _ticked_targets(page)
    return client.post(f"/letters/{letter.id}/pass-down", data={"targets": targets if targets is not None else ticked}), \
        ticked


def test_the_programme_is_passed_down_to_the_districts_and_then_to_schools(client, coordinator, login, make_user):
    from tracker.delegation import operations as delegation
    from tracker.delegation.models import Delegation
    from tracker.reports.status import ReportState

    _import(client, PROGRAMME)
    region = "Жамбыл облысы"
    department = _body(region, "education")  # the regional education department, which signed 03-2530
    response, ticked = _pass(client, login, make_user, _letter(1), department)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert len(ticked) == 11  # "Тараз қаласы мен аудандық білім бөлімдерінің басшыларына": Taraz and 10 districts
    letter = _letter(1)
    db.session.refresh(letter)
    assert letter.state == PassState.PASSED
    made = list(db.session.scalars(select(Delegation).where(Delegation.id.in_(letter.delegation_ids))))
    # what the department owes of the programme: its 9 monthly reports (lead) and the 3 quarterly analyses (co-executor)
    assert len(made) == 11 * 12
    assert {d.from_body_id for d in made} == {department.id}
    assert all(d.instruction.startswith("Хат № 03-2530, 2026-05-05") for d in made)
    district = next(d.body for d in made if d.body.name == "Т.Рысқұлов ауданының білім бөлімі")
    assert all(d.due_date < d.obligation.due_date for d in made)  # an earlier internal date for the level below

    # the district's own letter (on top of the stack) hands its part to its schools
    schools = [Body(name=f"№ {n} мектеп-гимназия", region=region, identity=f"school:{n}", parent_id=district.id,
                    level="organisation", district="Т.Рысқұлов ауданы") for n in (1, 2)]
    db.session.add_all(schools)
    db.session.commit()
    response, ticked = _pass(client, login, make_user, _letter(0), district)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert sorted(ticked) == sorted(f"b{s.id}" for s in schools)  # "Білім беру мекемелерінің басшыларына"
    top = _letter(0)
    db.session.refresh(top)
    below = list(db.session.scalars(select(Delegation).where(Delegation.id.in_(top.delegation_ids))))
    assert len(below) == 2 * 12 and {d.depth for d in below} == {2}
    assert {d.parent.body_id for d in below} == {district.id}

    # accepted school reports roll up: the district reviews the school's, the region the district's
    part = below[0]
    school_user = make_user("executor", body=part.body)
    district_user = make_user("executor", body=district)
    department_user = make_user("executor", body=department)
    report = delegation.submit(part, school_user, "Жүргізілген жұмыс туралы ақпарат", [], [], True)
    assert delegation.review(report, district_user, True, "").state == ReportState.ACCEPTED
    report = delegation.submit(part.parent, district_user, "Аудан бойынша жиынтық ақпарат", [], [], True)
    assert delegation.review(report, department_user, True, "").state == ReportState.ACCEPTED


def test_the_ministry_s_assignment_passes_down_through_the_akimat(client, coordinator, login, make_user):
    from tracker.delegation import operations as delegation
    from tracker.delegation.models import Delegation

    _import(client, MINISTRY)
    region = "Жамбыл облысы"
    akimat = _body(region, "regional_akimat")
    # the region's education department sits under the akimat (one of its "state bodies")
    department = Body(name="Білім басқармасы", region=region, identity="education", registry_key="education",
                      parent_id=akimat.id)
    db.session.add(department)
    db.session.commit()

    # the district's letter cannot go first: nothing of the assignment has reached the district yet
    district = Body(name="Т.Рысқұлов ауданының білім бөлімі", region=region, identity="district_education:т рыскулов ауданы",
                    registry_key="district_education", level="district", district="Т.Рысқұлов ауданы",
                    parent_id=department.id)
    db.session.add(district)
    db.session.commit()
    response, _ticked = _pass(client, login, make_user, _letter(0), district)
    assert response.status_code == 422
    assert "Nothing of this assignment has reached" in response.get_data(as_text=True)

    # 03-4279: to the city and district akims (ticked from the addressees) and the education department
    login(make_user("executor", body=akimat))
    page = client.get(f"/letters/{_letter(1).id}").get_data(as_text=True)
    ticked = _ticked_targets(page)
    assert len(ticked) == 11  # "Тараз қаласы мен аудандардың әкімдеріне"
    response = client.post(f"/letters/{_letter(1).id}/pass-down", data={"targets": ticked + [f"b{department.id}"]})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    made = list(db.session.scalars(select(Delegation).where(Delegation.id.in_(_letter(1).delegation_ids))))
    plan = db.session.scalar(select(Plan).where(Plan.region == region))
    obligations = sum(len(a.obligations) for a in plan.activities)
    assert obligations == 5 and len(made) == 12 * obligations
    assert all(d.instruction.startswith("Хат № 03-4279, 2024-05-01") for d in made)

    # the department hands its part to the district (in the portal: that step has no letter in the stack) …
    department_user = make_user("executor", body=department)
    for item in [d for d in made if d.body_id == department.id]:
        delegation.delegate(department_user, item.obligation, item, [f"b{district.id}"], None, "Аудандарға", [])
    # … and now the district's letter passes it down to its schools
    school = Body(name="№ 5 мектеп", region=region, identity="school:5", parent_id=district.id, level="organisation")
    db.session.add(school)
    db.session.commit()
    response, ticked = _pass(client, login, make_user, _letter(0), district)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert ticked == [f"b{school.id}"]
    below = list(db.session.scalars(select(Delegation).where(Delegation.id.in_(_letter(0).delegation_ids))))
    assert len(below) == obligations and {d.depth for d in below} == {3}
    assert all(d.instruction.startswith("Хат (Т.Рысқұлов ауданы білім бөлімі)") for d in below)  # no number, no date


def test_only_the_signing_body_passes_its_letter_down(client, coordinator, login, make_user):
    from tracker.delegation.models import Delegation

    _import(client, PROGRAMME)
    letter = _letter(1)  # 03-2530, signed by the regional education department
    health = _body("Жамбыл облысы", "health")  # carries its own monthly reports of the same programme
    assert health is not None
    response, _ticked = _pass(client, login, make_user, letter, health, targets=[])
    assert response.status_code == 422
    response = client.post(f"/letters/{letter.id}/pass-down", data={"targets": ["b1"]})
    assert response.status_code == 422
    assert "Only an executor of the body that signed the letter" in response.get_data(as_text=True)
    for role in ("coordinator", "auditor", "admin"):
        login(role)
        assert client.post(f"/letters/{letter.id}/pass-down", data={"targets": ["b1"]}).status_code == 403
    db.session.refresh(letter)
    assert letter.state == PassState.PROPOSED and letter.delegation_ids == []
    assert count(Delegation) == 0
