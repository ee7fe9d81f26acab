"""The coordinator's work on plans: browser import with a preview, assigning executors (and the
aliases that teaches the resolver), corrections, plans made by hand, the plan page's filters,
resolving warnings. Every change lands in the history."""

import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from tests.conftest import KARAGANDA, KOSTANAY
from tests.evidence_files import PDF
from tracker.executors.models import Body, BodyAlias
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.plans.engine import PlanFormatError, parse_plan
from tracker.plans.models import Activity, ActivityExecutor, Obligation, Plan, PlanWarning
from tracker.plans.operations import UNNAMED
from tracker.reports import operations as report_operations

KOSTANAY_REGION, KARAGANDA_REGION = "Қостанай облысы", "Қарағанды облысы"


@pytest.fixture
def today(app):
    app.config["TODAY"] = date(2026, 11, 23)


@pytest.fixture
def coordinator(client, login, today):
    client.get("/login?lang=en")  # messages are asserted in English
    return login("coordinator")


@pytest.fixture
def seeded(seed_plans):
    seed_plans(KOSTANAY, KARAGANDA)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def plan_of(region: str) -> Plan:
    return db.session.scalar(select(Plan).where(Plan.region == region))


def activity(region: str, number: str) -> Activity:
    return db.session.scalar(select(Activity).join(Plan).where(Plan.region == region, Activity.number == number))


def body(region: str, abbreviation: str) -> Body:
    return db.session.scalar(select(Body).where(Body.region == region, Body.abbreviation == abbreviation))


def actions(**where) -> list[str]:
    query = select(HistoryEntry.action).order_by(HistoryEntry.id)
    for name, value in where.items():
        query = query.where(getattr(HistoryEntry, name) == value)
    return list(db.session.scalars(query))


def rows(html: str) -> list[str]:
    """The activity numbers of the plan page's rows, in order."""
    return re.findall(r'<tr id="a-([\w.]+)"', html)


def staged_files(app) -> list[Path]:
    folder = Path(app.config["IMPORTS_DIR"])
    return list(folder.iterdir()) if folder.exists() else []


# --- import in the browser ------------------------------------------------------------------------


def preview_rows(html: str) -> dict[str, str]:
    """Activity number → the HTML of its row in the preview table."""
    found = {}
    for chunk in html.split("<tr")[1:]:
        number = re.match(r'[^>]*>\s*<td>([\w.]+)<br>', chunk)
        if number:
            found[number[1]] = chunk.split("</tr>")[0]
    return found


def test_upload_preview_confirm(app, client, coordinator, kostanay):
    response = client.post("/import", data={"document": (io.BytesIO(KOSTANAY.read_bytes()), KOSTANAY.name)})
    assert response.status_code == 302
    token = re.fullmatch(r"/import/([0-9a-f]{32})", response.headers["Location"])[1]
    assert count(Plan) == 0  # nothing is stored before the coordinator confirms

    page = client.get(f"/import/{token}").get_data(as_text=True)
    table = preview_rows(page)
    assert list(table) == [a.number for a in kostanay.activities]
    assert str(escape(kostanay.activities[0].text)) in table["1.1"]
    # Each warning is shown inside its own activity's row; the plan-wide ones above the table.
    warned = {w.activity for w in kostanay.warnings if w.activity}
    assert warned and {n for n, row in table.items() if 'class="has-warning"' in row} == warned
    for warning in kostanay.warnings:
        shown = str(escape(warning.message))
        if warning.activity:
            assert shown in table[warning.activity]
        else:
            assert shown in page.split("<table")[0]
    assert "1.13" in warned and "suggested" in table["1.13"]  # a fuzzy match is marked as a suggestion

    response = client.post(f"/import/{token}")
    plan = db.session.scalar(select(Plan))
    assert response.status_code == 302 and response.headers["Location"] == f"/plans/{plan.id}"
    assert count(Activity) == len(kostanay.activities) == 50
    assert count(Obligation) == sum(len(a.deadline.due_dates) for a in kostanay.activities)
    assert plan.source_filename == KOSTANAY.name and plan.source_format == "text"
    entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.plan_id == plan.id))
    assert entry.action == "plan.imported" and entry.user_id == coordinator.id
    assert entry.details["file"] == KOSTANAY.name and entry.details["activities"] == 50
    assert 'data-action="plan.imported"' in client.get(f"/plans/{plan.id}").get_data(as_text=True)
    # The staged upload is gone once imported.
    assert staged_files(app) == []
    assert client.get(f"/import/{token}").status_code == 404


def test_the_upload_is_read_once_and_confirming_stores_what_the_preview_showed(app, client, coordinator, kostanay):
    response = client.post("/import", data={"document": (io.BytesIO(KOSTANAY.read_bytes()), KOSTANAY.name)})
    token = response.headers["Location"].rsplit("/", 1)[1]
    # the staged bytes no longer are a plan: a preview or a confirmation that read the file again
    # would refuse it; both use the plan as it was read on upload
    [data_file] = [p for p in staged_files(app) if p.suffix == ".txt"]
    data_file.write_bytes(b"not a plan any more")
    page = client.get(f"/import/{token}")
    assert page.status_code == 200 and list(preview_rows(page.get_data(as_text=True))) == \
        [a.number for a in kostanay.activities]
    assert client.post(f"/import/{token}").status_code == 302
    assert count(Activity) == len(kostanay.activities)


def test_a_kept_plan_the_portal_did_not_sign_is_never_unpickled(app, client, coordinator, kostanay):
    import pickle

    response = client.post("/import", data={"document": (io.BytesIO(KOSTANAY.read_bytes()), KOSTANAY.name)})
    token = response.headers["Location"].rsplit("/", 1)[1]
    [kept] = [p for p in staged_files(app) if p.suffix == ".parsed"]
    forged = kostanay.__class__.__new__(kostanay.__class__)  # a pickle of something else entirely
    kept.write_bytes(b"\0" * 32 + pickle.dumps(forged))
    page = client.get(f"/import/{token}")  # read from the staged file again, not from the forged pickle
    assert page.status_code == 200 and list(preview_rows(page.get_data(as_text=True))) == \
        [a.number for a in kostanay.activities]


def test_a_long_plan_is_previewed_a_page_at_a_time_with_every_warning_above(app, client, coordinator, monkeypatch):
    from tracker.plans import routes

    monkeypatch.setattr(routes, "PREVIEW_ROWS", 20)  # Karaganda's 50-odd activities stand for 20,000
    parsed = parse_plan(KARAGANDA.read_bytes(), KARAGANDA.name)
    response = client.post("/import", data={"document": (io.BytesIO(KARAGANDA.read_bytes()), KARAGANDA.name)})
    url = response.headers["Location"]
    pages = [client.get(url, query_string={"page": n}).get_data(as_text=True) for n in (1, 2, 3)]
    numbers = [a.number for a in parsed.activities]
    assert [list(preview_rows(p)) for p in pages] == [numbers[:20], numbers[20:40], numbers[40:60]]
    assert f"{len(parsed.activities)} activities" in pages[1]  # the summary counts the whole plan
    warned = [w for w in parsed.warnings if w.activity]
    assert any(w.activity in numbers[20:] for w in warned)
    for page in pages:
        listed = page.split('id="all-warnings"')[1].split("</section>")[0]
        assert all(f"<b>{w.activity}</b>" in listed for w in warned)
    assert 'rel="next"' in pages[0] and 'rel="prev"' in pages[2]
    assert client.post(url).status_code == 302  # the confirmation stores every page
    assert count(Activity) == len(parsed.activities)


def test_uploading_a_plan_again_updates_it(client, seeded, coordinator):
    plan = plan_of(KOSTANAY_REGION)
    response = client.post("/import", data={"document": (io.BytesIO(KOSTANAY.read_bytes()), "again.txt")})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"already in the portal (plan {plan.id})" in page
    client.post(response.headers["Location"])
    assert count(Plan) == 2
    assert actions(plan_id=plan.id)[-1] == "plan.reimported"
    assert db.session.get(Plan, plan.id).source_filename == "again.txt"


def random_docx() -> bytes:
    return bytes(range(256)) * 4


@pytest.mark.parametrize("filename, data", [
    ("plan.docx", random_docx()),
    ("letter.txt", "Құрметті әріптестер!\nАқпаратты 27 мамырға дейін жіберуді сұраймыз.".encode()),
    ("plan.pdf", b"%PDF-1.7 scanned"),
], ids=["random-docx", "txt-without-table", "pdf"])
def test_a_bad_upload_is_refused_with_the_engines_message(app, client, coordinator, filename, data):
    with pytest.raises(PlanFormatError) as engine:
        parse_plan(data, filename)
    response = client.post("/import", data={"document": (io.BytesIO(data), filename)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert str(escape(str(engine.value))) in page
    assert 'role="alert"' in page
    assert count(Plan) == 0 and staged_files(app) == []
    assert actions() == ["account.created"]


def test_an_upload_without_a_file_is_refused(client, coordinator):
    response = client.post("/import", data={})
    assert response.status_code == 422
    assert "Choose a plan document to upload." in response.get_data(as_text=True)


# --- executors ----------------------------------------------------------------------------------------


def test_assign_the_unnamed_lead_of_karaganda_50(client, seeded, coordinator):
    item = activity(KARAGANDA_REGION, "50")
    unnamed = item.lead
    assert (unnamed.written, unnamed.body_id, unnamed.match) == (UNNAMED, None, "unresolved")
    warning = db.session.scalar(select(PlanWarning).where(
        PlanWarning.plan_id == item.plan_id, PlanWarning.activity_number == "50", PlanWarning.field == "executors"))
    assert warning.resolved_at is None
    chosen = body(KARAGANDA_REGION, "ДСБ")
    aliases_before = count(BodyAlias)

    response = client.post(f"/executors/{unnamed.id}/assign", data={"body_id": str(chosen.id)})
    assert response.status_code == 302 and response.headers["Location"] == f"/activities/{item.id}"
    executor = db.session.get(ActivityExecutor, unnamed.id)
    assert (executor.body_id, executor.match, executor.role) == (chosen.id, "assigned", "lead")
    assert db.session.get(PlanWarning, warning.id).resolved_at is not None
    entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.action == "executor.assigned"))
    assert entry.activity_id == item.id and entry.body_id == chosen.id and entry.user_id == coordinator.id
    assert entry.details == {"written": UNNAMED, "number": "50"}
    assert entry.changes == {"body": [None, chosen.label]}
    # "(келісім бойынша)" names no body, so it is never learned as an alias.
    assert count(BodyAlias) == aliases_before and "alias.learned" not in actions()
    page = client.get(f"/activities/{item.id}").get_data(as_text=True)
    assert 'data-action="executor.assigned"' in page and f'id="w-{warning.id}"' not in page


def test_assigning_a_fuzzy_form_teaches_an_alias_that_the_next_import_uses(client, seeded, coordinator, runner):
    plan = plan_of(KARAGANDA_REGION)
    unsure = db.session.scalars(select(ActivityExecutor).join(Activity).where(
        Activity.plan_id == plan.id, ActivityExecutor.match.in_(("unresolved", "fuzzy")),
        ActivityExecutor.written != UNNAMED).order_by(ActivityExecutor.id)).all()
    written = "АМЖКАБ"  # written twice in the plan (27 and 47); read as a near miss of АМҚКАБ
    same_form = [e for e in unsure if e.written == written]
    assert [e.activity.number for e in same_form] == ["27", "47"] and {e.match for e in same_form} == {"fuzzy"}
    suggested = same_form[0].body
    # The coordinator decides it is another body than the suggestion (and not named in 27 or 47 already:
    # a body named twice in one activity is read once).
    chosen = body(KARAGANDA_REGION, "ДШЖСБ")
    assert chosen.id != suggested.id
    assert chosen.id not in {e.body_id for item in same_form for e in item.activity.executors}

    response = client.post(f"/executors/{same_form[0].id}/assign", data={"body_id": str(chosen.id)})
    assert response.status_code == 302
    for executor in same_form:  # the plan's other executors written the same way follow
        assert (db.session.get(ActivityExecutor, executor.id).body_id, executor.match) == (chosen.id, "assigned")
    open_warnings = db.session.scalars(select(PlanWarning).where(
        PlanWarning.plan_id == plan.id, PlanWarning.resolved_at.is_(None))).all()
    assert not [w for w in open_warnings if f"«{written}»" in w.message]
    alias = db.session.scalar(select(BodyAlias).where(BodyAlias.written == written))
    assert (alias.body_id, alias.source) == (chosen.id, "coordinator")
    assert actions(plan_id=plan.id)[-3:] == ["executor.assigned", "executor.assigned", "alias.learned"]

    # `plans parse` and `plans import` read the learned alias.
    parsed = json.loads(runner.invoke(args=["plans", "parse", str(KARAGANDA), "--json"]).output)
    read = [e for a in parsed["activities"] for e in a["executors"] if e["written"] == written]
    assert [(e["match"], e["body"]) for e in read] == [("alias", chosen.name)] * 2

    result = runner.invoke(args=["plans", "import", str(KARAGANDA)])
    assert result.exit_code == 0 and "updated plan" in result.output
    again = db.session.scalars(select(ActivityExecutor).where(ActivityExecutor.written == written)).all()
    assert [(e.activity.number, e.match, e.body_id) for e in again] == [("27", "alias", chosen.id),
                                                                         ("47", "alias", chosen.id)]
    assert not db.session.scalars(select(PlanWarning).where(
        PlanWarning.plan_id == plan.id, PlanWarning.message.contains(f"«{written}»"))).all()

    # A browser upload of the plan previews the form as learned.
    staged = client.post("/import", data={"document": (io.BytesIO(KARAGANDA.read_bytes()), KARAGANDA.name)})
    table = preview_rows(client.get(staged.headers["Location"]).get_data(as_text=True))
    assert "learned" in table["27"] and "learned" in table["47"]


def test_assign_refuses_a_body_of_another_region(client, seeded, coordinator):
    item = activity(KARAGANDA_REGION, "50")
    unnamed = item.lead
    foreign = body(KOSTANAY_REGION, "ББ")
    response = client.post(f"/executors/{unnamed.id}/assign", data={"body_id": str(foreign.id)})
    assert response.status_code == 302
    assert db.session.get(ActivityExecutor, unnamed.id).body_id is None
    assert "executor.assigned" not in actions()
    assert "Choose a body from the list." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_rewrite_the_executors(client, seeded, coordinator):
    item = activity(KOSTANAY_REGION, "1.4")
    before = ", ".join(e.written for e in item.executors)
    response = client.post(f"/activities/{item.id}/executors", data={"executors_text": "ДСБ, ББ (келісім бойынша)"})
    assert response.status_code == 302
    executors = db.session.get(Activity, item.id).executors
    assert [(e.written, e.role, e.by_agreement) for e in executors] == [
        ("ДСБ", "lead", False), ("ББ", "co_executor", True)]
    assert executors[0].body_id == body(KOSTANAY_REGION, "ДСБ").id
    entry = db.session.scalars(select(HistoryEntry).where(HistoryEntry.action == "activity.edited")).one()
    assert entry.changes == {"executors": [before, "ДСБ, ББ"]}


# --- corrections --------------------------------------------------------------------------------------


def activity_form(item: Activity, **changes) -> dict:
    data = {"number": item.number, "section_id": str(item.section_id or 0), "text": item.text,
            "completion_form": item.completion_form, "deadline_text": item.deadline_text,
            "funding_text": item.funding_text}
    data.update(changes)
    return data


def test_edit_the_deadline(client, seeded, coordinator):
    item = activity(KOSTANAY_REGION, "1.4")
    old = item.deadline_text
    assert [o.due_date for o in item.obligations][:2] == [date(2019, 6, 30), date(2019, 12, 31)]
    response = client.post(f"/activities/{item.id}/edit",
                           data=activity_form(item, deadline_text="жыл сайын 25 тамызға дейін"))
    assert response.status_code == 302 and response.headers["Location"] == f"/activities/{item.id}"
    item = db.session.get(Activity, item.id)
    assert [o.due_date for o in item.obligations] == [date(2019, 8, 25), date(2020, 8, 25), date(2021, 8, 25)]
    assert item.deadline_text == "жыл сайын 25 тамызға дейін" and item.deadline_rule == "dates"
    entry = db.session.scalars(select(HistoryEntry).where(HistoryEntry.action == "activity.edited")).one()
    assert entry.activity_id == item.id and entry.user_id == coordinator.id
    assert entry.changes == {"deadline_text": [old, "жыл сайын 25 тамызға дейін"]}
    page = client.get(f"/activities/{item.id}").get_data(as_text=True)
    assert 'data-action="activity.edited"' in page and "жыл сайын 25 тамызға дейін" in page


def test_an_unreadable_deadline_changes_nothing(client, seeded, coordinator):
    item = activity(KOSTANAY_REGION, "1.4")
    before = ([o.id for o in item.obligations], item.deadline_text, item.text)
    response = client.post(f"/activities/{item.id}/edit",
                           data=activity_form(item, deadline_text="қашан болса да", text="Жаңа мәтін"))
    assert response.status_code == 422  # sent back with the problem
    assert "Deadline: deadline not understood: «қашан болса да»" in response.get_data(as_text=True)
    db.session.expire_all()
    item = db.session.get(Activity, item.id)
    assert ([o.id for o in item.obligations], item.deadline_text, item.text) == before
    assert "activity.edited" not in actions()


def test_a_due_date_with_a_report_is_kept_when_the_deadline_changes(client, seeded, coordinator, make_user):
    item = activity(KOSTANAY_REGION, "1.4")
    reported = item.obligations[0]
    lead = make_user("executor", body=item.lead.body)
    report = report_operations.submit_report(reported, lead, "Жасалды.", [], [("evidence.pdf", PDF)], True)
    client.post(f"/activities/{item.id}/edit", data=activity_form(item, deadline_text="жыл сайын 25 тамызға дейін"))
    item = db.session.get(Activity, item.id)
    assert [o.due_date for o in item.obligations] == [
        date(2019, 6, 30), date(2019, 8, 25), date(2020, 8, 25), date(2021, 8, 25)]
    assert item.obligations[0].id == reported.id
    assert db.session.get(type(report), report.id).obligation_id == reported.id
    assert db.session.scalar(select(PlanWarning).where(
        PlanWarning.plan_id == item.plan_id, PlanWarning.activity_number == "1.4",
        PlanWarning.message.contains("2019-06-30 is no longer given by the deadline but keeps its reports")))


def test_a_changed_number_takes_its_warnings_along(client, seeded, coordinator):
    item = activity(KOSTANAY_REGION, "1.13")
    warnings = db.session.scalars(select(PlanWarning).where(
        PlanWarning.plan_id == item.plan_id, PlanWarning.activity_number == "1.13")).all()
    assert warnings
    assert client.post(f"/activities/{item.id}/edit", data=activity_form(item, number="1.13а")).status_code == 302
    assert {db.session.get(PlanWarning, w.id).activity_number for w in warnings} == {"1.13а"}
    clash = client.post(f"/activities/{item.id}/edit", data=activity_form(item, number="1.14"))
    assert clash.status_code == 422 and "Activity 1.14 already exists in this plan." in clash.get_data(as_text=True)


# --- plans made by hand, reporting frequency -------------------------------------------------------------


def new_plan_form(**changes) -> dict:
    data = {"title": "Синтетикалық нұсқау хат", "region": KOSTANAY_REGION, "period_start": "2026-01-01",
            "period_end": "2026-12-31", "default_frequency": "quarterly"}
    data.update(changes)
    return data


def test_a_plan_made_by_hand(client, seeded, coordinator):
    response = client.post("/plans/new", data=new_plan_form())
    plan = db.session.scalar(select(Plan).where(Plan.source_format == "manual"))
    assert response.status_code == 302 and response.headers["Location"] == f"/plans/{plan.id}/activities/new"
    assert (plan.region, plan.period_start, plan.default_frequency) == (KOSTANAY_REGION, date(2026, 1, 1), "quarterly")

    response = client.post(f"/plans/{plan.id}/activities/new", data={
        "number": "1", "section_title": "Алдын алу", "text": "Мектептерде семинар өткізу",
        "completion_form": "Ақпарат", "executors_text": "ББ, ДСБ (келісім бойынша)",
        "deadline_text": "2026 жылғы 25 желтоқсан", "funding_text": "қаржыландыруды қажет етпейді"})
    item = db.session.scalar(select(Activity).where(Activity.plan_id == plan.id))
    assert response.status_code == 302 and response.headers["Location"] == f"/activities/{item.id}"
    assert [o.due_date for o in item.obligations] == [date(2026, 12, 25)]
    lead, other = item.executors
    # The registry reads ББ as the education department — the Kostanay body the seed plan made.
    assert (lead.written, lead.role, lead.match, lead.body_id) == ("ББ", "lead", "registry",
                                                                   body(KOSTANAY_REGION, "ББ").id)
    assert (other.written, other.role, other.by_agreement) == ("ДСБ", "co_executor", True)
    assert other.body is not None
    assert item.section.title == "Алдын алу" and item.source_ref == "portal"
    assert actions(plan_id=plan.id) == ["plan.created", "activity.added", "activity.edited"]

    clash = client.post("/plans/new", data=new_plan_form())
    assert clash.status_code == 422 and "A plan with this title and region already exists." in clash.get_data(
        as_text=True)
    backwards = client.post("/plans/new", data=new_plan_form(title="Басқа", period_end="2025-12-31"))
    assert "The period ends before it starts." in backwards.get_data(as_text=True)
    no_date = client.post(f"/plans/{plan.id}/activities/new", data={
        "number": "2", "text": "Іс-шара", "executors_text": "ББ", "deadline_text": "2019 жыл"})
    assert no_date.status_code == 422
    assert "Deadline: deadline «2019 жыл» falls outside the plan period 2026–2026" in no_date.get_data(as_text=True)
    assert count(Plan) == 3 and db.session.scalar(select(func.count(Activity.id)).where(Activity.plan_id == plan.id)) == 1


def test_changing_the_default_frequency_recomputes_ongoing_items(client, seeded, coordinator):
    client.post("/plans/new", data=new_plan_form())
    plan = db.session.scalar(select(Plan).where(Plan.source_format == "manual"))
    for number, deadline in [("1", "тұрақты"), ("2", "2026 жылғы 25 желтоқсан")]:
        client.post(f"/plans/{plan.id}/activities/new", data={
            "number": number, "text": f"Іс-шара {number}", "executors_text": "ББ", "deadline_text": deadline})
    ongoing, dated = db.session.scalars(select(Activity).where(Activity.plan_id == plan.id)
                                        .order_by(Activity.position)).all()
    assert [o.due_date.month for o in ongoing.obligations] == [3, 6, 9, 12]

    response = client.post(f"/plans/{plan.id}/edit", data=new_plan_form(default_frequency="monthly"))
    assert response.status_code == 302 and response.headers["Location"] == f"/plans/{plan.id}"
    db.session.expire_all()
    assert [o.due_date.month for o in db.session.get(Activity, ongoing.id).obligations] == list(range(1, 13))
    assert [o.due_date for o in db.session.get(Activity, dated.id).obligations] == [date(2026, 12, 25)]
    entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.action == "plan.edited"))
    assert entry.changes == {"default_frequency": ["quarterly", "monthly"]}


def test_a_reported_due_date_survives_a_frequency_change(client, seeded, coordinator, make_user):
    plan = plan_of(KOSTANAY_REGION)
    ongoing = activity(KOSTANAY_REGION, "1.3")
    assert ongoing.deadline_rule == "ongoing:semiannual" and len(ongoing.obligations) == 6
    explicit = activity(KOSTANAY_REGION, "1.4")  # "жарты жылда 1 рет" says its own frequency
    explicit_dates = [o.due_date for o in explicit.obligations]
    reported = ongoing.obligations[0]
    report_operations.submit_report(reported, make_user("executor", body=ongoing.lead.body), "Жасалды.", [],
                                    [("evidence.pdf", PDF)], True)
    response = client.post(f"/plans/{plan.id}/edit", data={
        "title": plan.title, "region": plan.region, "period_start": plan.period_start.isoformat(),
        "period_end": plan.period_end.isoformat(), "default_frequency": "annual"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [o.due_date for o in db.session.get(Activity, ongoing.id).obligations] == [
        date(2019, 6, 30), date(2019, 12, 31), date(2020, 12, 31), date(2021, 12, 31)]
    assert db.session.get(Activity, ongoing.id).obligations[0].id == reported.id
    assert [o.due_date for o in db.session.get(Activity, explicit.id).obligations] == explicit_dates


def test_the_plan_form_sets_the_rule_for_non_working_days_escalation_and_the_handed_down_date(
        client, seeded, coordinator):
    from tracker.calendar import working_calendar
    from tracker.delegation.operations import working_days_before

    plan = plan_of(KOSTANAY_REGION)
    calendar = working_calendar()
    on_days_off = {o.id: o.due_date for a in plan.activities for o in a.obligations
                   if not calendar.is_working_day(o.due_date)}
    assert on_days_off, "the seed plan states some dates that fall on a weekend or a holiday"
    page = client.get(f"/plans/{plan.id}/edit").get_data(as_text=True)
    assert 'name="non_working_rule"' in page and 'name="delegation_working_days"' in page
    response = client.post(f"/plans/{plan.id}/edit", data={
        "title": plan.title, "region": plan.region, "period_start": plan.period_start.isoformat(),
        "period_end": plan.period_end.isoformat(), "default_frequency": plan.default_frequency,
        "non_working_rule": "before", "escalation_working_days": "7", "delegation_working_days": "3"})
    assert response.status_code == 302, response.get_data(as_text=True)[-800:]
    db.session.expire_all()
    plan = plan_of(KOSTANAY_REGION)
    assert (plan.non_working_rule, plan.escalation_working_days, plan.delegation_working_days) == ("before", 7, 3)
    assert working_days_before(plan.id) == 3
    moved = {o.id: o.due_date for a in plan.activities for o in a.obligations if o.id in on_days_off}
    for obligation_id, before in on_days_off.items():
        if obligation_id in moved:
            assert moved[obligation_id] < before and calendar.is_working_day(moved[obligation_id])
    assert moved
    entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.action == "plan.edited"))
    assert entry.changes["non_working_rule"] == ["keep", "before"]
    assert entry.changes["delegation_working_days"] == [5, 3]
    wrong = client.post(f"/plans/{plan.id}/edit", data={
        "title": plan.title, "region": plan.region, "period_start": plan.period_start.isoformat(),
        "period_end": plan.period_end.isoformat(), "default_frequency": plan.default_frequency,
        "delegation_working_days": "99"})
    assert wrong.status_code == 422 and "Between 0 and 60 working days." in wrong.get_data(as_text=True)


# --- the plan page ----------------------------------------------------------------------------------------


def finish(item: Activity, user, reviewer, accept: bool) -> None:
    for obligation in item.obligations:
        report = report_operations.submit_report(obligation, user, "Жасалды.", [], [("evidence.pdf", PDF)], True)
        if accept:
            report_operations.review_report(report, reviewer, accept=True, comment="")


def test_plan_page_filters(client, seeded, coordinator, make_user):
    plan = plan_of(KOSTANAY_REGION)
    everything = [a.number for a in plan.activities]
    done, submitted = activity(KOSTANAY_REGION, "1.5"), activity(KOSTANAY_REGION, "1.8")
    finish(done, make_user("executor", body=done.lead.body), coordinator, accept=True)
    finish(submitted, make_user("executor", body=submitted.lead.body), coordinator, accept=False)

    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert rows(page) == everything and len(everything) == 50

    def shown(**query) -> list[str]:
        response = client.get(f"/plans/{plan.id}", query_string=query)
        assert response.status_code == 200
        return rows(response.get_data(as_text=True))

    # On 23 November 2026 every due date of the 2019–2021 plan has passed.
    assert shown(status="overdue") == [n for n in everything if n not in ("1.5", "1.8")]
    assert shown(status="done_late") == ["1.5"]
    assert shown(status="submitted") == ["1.8"]
    assert shown(status="upcoming") == []
    assert shown(status="no-such-status") == everything  # an unknown status is no filter
    section = next(s for s in plan.sections if s.number == "2")
    assert shown(section=section.id) == [a.number for a in plan.activities if a.section_id == section.id]
    assert set(shown(section=section.id)) == {n for n in everything if n.startswith("2.")}
    assert shown(q="бейнебақылау") == ["3.14"]
    assert shown(q="ПҚжҚББӨО".lower()) == []  # the resolved name is not searched, only what the plan wrote
    assert shown(q="психологиялық қолдау", section=section.id) == [
        n for n in shown(section=section.id) if n in shown(q="психологиялық қолдау")]
    empty = client.get(f"/plans/{plan.id}", query_string={"q": "ешқандай сөз жоқ"}).get_data(as_text=True)
    assert "No activity matches the filters (50 in the plan)." in empty


def test_htmx_filter_returns_only_the_filters_and_the_table(client, seeded, coordinator):
    plan = plan_of(KOSTANAY_REGION)
    response = client.get(f"/plans/{plan.id}", query_string={"q": "бейнебақылау"},
                          headers={"HX-Request": "true", "HX-Target": "plan-table"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert rows(html) == ["3.14"]
    assert "<html" not in html and "<h1" not in html and 'id="history"' not in html
    # The filter form comes back with the table, holding the filter, so the browser's history
    # snapshot of the page shows the controls as they were.
    assert html.lstrip().startswith('<form class="filters"') and 'value="бейнебақылау"' in html
    # Restoring history after a cache miss asks for the whole page.
    restored = client.get(f"/plans/{plan.id}", headers={"HX-Request": "true", "HX-Target": "plan-table",
                                                       "HX-History-Restore-Request": "true"})
    assert "<html" in restored.get_data(as_text=True)
    # Another htmx target gets the whole page.
    whole = client.get(f"/plans/{plan.id}", headers={"HX-Request": "true", "HX-Target": "elsewhere"})
    assert "<html" in whole.get_data(as_text=True)


# --- warnings ---------------------------------------------------------------------------------------------


def test_resolving_a_warning(client, seeded, coordinator):
    plan = plan_of(KOSTANAY_REGION)
    warning = db.session.scalar(select(PlanWarning).where(
        PlanWarning.plan_id == plan.id, PlanWarning.activity_number == "1.13"))
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert f'id="w-{warning.id}"' in page

    back = f"/plans/{plan.id}?status=overdue"
    response = client.post(f"/warnings/{warning.id}/resolve", data={"next": back})
    assert response.status_code == 302 and response.headers["Location"] == back
    assert db.session.get(PlanWarning, warning.id).resolved_at is not None
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert f'id="w-{warning.id}"' not in page
    entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.action == "warning.resolved"))
    assert (entry.plan_id, entry.user_id) == (plan.id, coordinator.id)
    assert entry.details["number"] == "1.13" and entry.details["message"] == warning.message
    assert 'data-action="warning.resolved"' in page

    again = client.post(f"/warnings/{warning.id}/resolve")
    assert again.headers["Location"] == f"/plans/{plan.id}"
    assert actions().count("warning.resolved") == 1
    assert "This warning is already resolved." in client.get(f"/plans/{plan.id}").get_data(as_text=True)


@pytest.mark.parametrize("target", ["http://evil.example/", "//evil.example/", "/\t/evil.example/"])
def test_resolving_a_warning_never_redirects_elsewhere(client, seeded, coordinator, target):
    warning = db.session.scalar(select(PlanWarning).where(PlanWarning.resolved_at.is_(None)))
    response = client.post(f"/warnings/{warning.id}/resolve", data={"next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_resolving_a_warning_with_htmx(client, seeded, coordinator):
    warning = db.session.scalar(select(PlanWarning).where(PlanWarning.resolved_at.is_(None)))
    response = client.post(f"/warnings/{warning.id}/resolve", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.get_data(as_text=True) == ""
    assert db.session.get(PlanWarning, warning.id).resolved_at is not None
