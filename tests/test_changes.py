"""What changed between two days: each kind of change made through the real operations on the
days it would have happened — inside the window and on both sides of it — and found again by
`changes()`, the page, `flask report changes --json` and the workbook's sheets."""

import json
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import KARAGANDA, KOSTANAY
from tests.evidence_files import PDF
from tracker.control import operations as control
from tracker.dashboard import queries
from tracker.extensions import db
from tracker.plans import operations as plans
from tracker.plans.models import Activity, Plan
from tracker.reporting import changes as changes_module
from tracker.reporting.changes import ChangeKind, changes, default_since
from tracker.reports import operations as reports
from tracker.reports.status import Status

SINCE, UNTIL = date(2020, 3, 31), date(2020, 6, 30)


def on(app, day: date) -> None:
    app.config["TODAY"] = day


@pytest.fixture
def world(app, seed_plans, make_user):
    """The Kostanay plan (plan 1; Karaganda is plan 2, to show the plan filter) with a change of
    every kind between 31 March and 30 June 2020, and some just outside."""
    seed_plans(KOSTANAY, KARAGANDA)
    plan = db.session.get(Plan, 1)
    coordinator = make_user("coordinator")
    users = {}

    def lead_user(activity):
        body = activity.lead.body
        users.setdefault(body.id, make_user("executor", body=body))
        return users[body.id]

    activities = [a for a in db.session.scalars(select(Activity).where(Activity.plan_id == plan.id)
                                                .order_by(Activity.position)) if a.lead and a.lead.body_id]
    free = iter(activities)

    def take(predicate):
        for activity in free:
            found = next((o for o in activity.obligations if predicate(o.due_date)), None)
            if found is not None:
                return activity, found
        pytest.fail("the Kostanay plan has no activity left with such a due date")

    _a, overdue = take(lambda d: SINCE <= d < UNTIL)
    done_activity, done = take(lambda d: d == UNTIL)
    late_activity, late = take(lambda d: d == date(2019, 12, 31))
    _b, returned = take(lambda d: d == date(2019, 12, 31))
    _c, extended = take(lambda d: d == UNTIL)
    off_activity, _off = take(lambda d: d > date(2020, 5, 5))
    before_activity, before = take(lambda d: d == date(2019, 12, 31))
    after_activity, after = take(lambda d: d == date(2019, 12, 31))
    edited, _e = take(lambda d: True)
    staffed, _s = take(lambda d: True)
    early, _x = take(lambda d: True)

    def post(obligation, day):
        on(app, day)
        return reports.submit_report(obligation, lead_user(obligation.activity), "Іс-шара өткізілді.", [],
                                     [("hattama.pdf", PDF)], True)

    def review(report, day, accept=True):
        on(app, day)
        reports.review_report(report, coordinator, accept, "" if accept else "Хаттаманы тіркеңіз.")

    # Just before the window: accepted, and an edit — neither is a change of the window.
    review(post(before, date(2020, 3, 10)), date(2020, 3, 15))
    on(app, date(2020, 3, 1))
    plans.edit_activity(early, number=early.number, section_id=early.section_id, text=early.text,
                        completion_form=early.completion_form, deadline_text="2020 жылғы желтоқсан",
                        funding_text=early.funding_text)
    # Inside the window.
    review(post(done, date(2020, 6, 10)), date(2020, 6, 20))
    review(post(late, date(2020, 4, 10)), date(2020, 4, 15))
    review(post(returned, date(2020, 4, 1)), date(2020, 4, 5), accept=False)
    on(app, date(2020, 4, 20))
    request = control.request_extension(extended, lead_user(extended.activity), date(2020, 9, 30), "Деректер кешігеді")
    on(app, date(2020, 4, 25))
    control.decide_extension(request, coordinator, True, "")
    on(app, date(2020, 5, 5))
    control.take_off_control(plan, off_activity, coordinator, "lost_relevance", None, None, "")
    on(app, date(2020, 5, 10))
    old_deadline = edited.deadline_text
    plans.edit_activity(edited, number=edited.number, section_id=edited.section_id, text=edited.text,
                        completion_form=edited.completion_form, deadline_text="тоқсан сайын",
                        funding_text=edited.funding_text)
    on(app, date(2020, 5, 12))
    old_executors = plans.executors_as_written(staffed)
    plans.set_executors(staffed, "ДСБ, ББ")
    # Just after: submitted in the window, accepted after it — done only after the window.
    report = post(after, date(2020, 6, 25))
    review(report, date(2020, 7, 5))
    on(app, date(2026, 11, 23))
    return {"plan": plan, "overdue": overdue, "done": done, "late": late, "returned": returned,
            "extended": extended, "off_activity": off_activity, "before": before, "after": after,
            "edited": edited, "old_deadline": old_deadline, "staffed": staffed, "old_executors": old_executors,
            "early": early, "late_activity": late_activity, "done_activity": done_activity}


def kinds_of(found) -> dict[int, set[str]]:
    kinds: dict[int, set[str]] = {}
    for change in found.obligations:
        kinds.setdefault(change.obligation_id, set()).add(change.kind)
    return kinds


def test_each_kind_of_change_in_the_window_is_found_and_nothing_outside(app, world):
    found = changes(SINCE, UNTIL, queries.Filters(plan_id=world["plan"].id))
    kinds = kinds_of(found)
    assert kinds[world["overdue"].id] == {ChangeKind.BECAME_OVERDUE}
    assert kinds[world["done"].id] == {ChangeKind.DONE}
    assert kinds[world["late"].id] == {ChangeKind.DONE_LATE}
    assert kinds[world["returned"].id] == {ChangeKind.RETURNED}
    assert kinds[world["extended"].id] == {ChangeKind.EXTENDED}
    off = {o.id for o in world["off_activity"].obligations if o.due_date > date(2020, 5, 5)}
    assert off and all(kinds[i] == {ChangeKind.OFF_CONTROL} for i in off)
    # Accepted before the window; accepted after it (submitted inside: "awaiting review" is no change listed).
    assert world["before"].id not in kinds and world["after"].id not in kinds
    late = next(c for c in found.obligations if c.obligation_id == world["late"].id)
    assert (late.status_then, late.status_now, late.on) == (Status.OVERDUE, Status.DONE_LATE, date(2020, 4, 15))
    returned = next(c for c in found.obligations if c.obligation_id == world["returned"].id)
    assert returned.on == date(2020, 4, 5) and returned.detail == "Хаттаманы тіркеңіз."
    extended = next(c for c in found.obligations if c.obligation_id == world["extended"].id)
    assert (extended.on, extended.detail, extended.due_date) == (date(2020, 4, 25), "2020-06-30 → 2020-09-30",
                                                                date(2020, 9, 30))
    assert found.counts()[ChangeKind.RETURNED] == 1 and found.counts()[ChangeKind.EXTENDED] == 1
    lead = world["late_activity"].lead.body
    assert late.lead == (f"{lead.name} ({lead.abbreviation})" if lead.abbreviation else lead.name)


def test_deadline_and_executor_edits_come_from_the_history(world):
    found = changes(SINCE, UNTIL, queries.Filters(plan_id=world["plan"].id))
    edits = {(e.activity_id, e.what): e for e in found.edits}
    deadline = edits[(world["edited"].id, "deadline_text")]
    assert (deadline.before, deadline.after, deadline.number) == (world["old_deadline"], "тоқсан сайын",
                                                                  world["edited"].number)
    staffed = edits[(world["staffed"].id, "executors")]
    assert staffed.after == "ДСБ, ББ" and staffed.before
    assert (world["off_activity"].id, "control.taken_off") in edits
    assert (world["extended"].activity_id, "extension.approved") in edits
    assert edits[(world["extended"].activity_id, "extension.approved")].after == "2020-09-30"
    assert not any(e.activity_id == world["early"].id for e in found.edits)  # edited on 1 March: before


def test_on_time_rates_then_and_now_are_the_dashboards_of_each_day(app, world):
    filters = queries.Filters(plan_id=world["plan"].id)
    found = changes(SINCE, UNTIL, filters)
    then = {b.body_id: b for b in queries.figures(SINCE, 14, filters)[1]}
    now = {b.body_id: b for b in queries.figures(UNTIL, 14, filters)[1]}
    body = world["late_activity"].lead.body_id
    rate = next(r for r in found.rates if r.body_id == body)
    assert (rate.rate_then, rate.rate_now) == (then[body].on_time_rate, now[body].on_time_rate)
    assert (rate.due_then, rate.done_now) == (then[body].lead_due_so_far, now[body].as_lead[Status.DONE])
    assert rate.difference == round(rate.rate_now - rate.rate_then, 4)
    differences = [r.difference for r in found.rates if r.difference is not None]
    assert differences == sorted(differences)  # the largest fall first


def test_the_plan_filter_keeps_other_plans_out(world):
    everything = changes(SINCE, UNTIL)
    only = changes(SINCE, UNTIL, queries.Filters(plan_id=world["plan"].id))
    assert {c.plan_id for c in only.obligations} == {world["plan"].id}
    assert {c.obligation_id for c in only.obligations} <= {c.obligation_id for c in everything.obligations}
    karaganda = changes(SINCE, UNTIL, queries.Filters(plan_id=2))
    assert not karaganda.obligations and not karaganda.edits  # its plan runs 2023–2025


def test_the_page_lists_the_changes_with_the_dashboards_filters(client, login, world):
    login("auditor")
    response = client.get("/dashboard/changes", query_string={"from": SINCE.isoformat(), "to": UNTIL.isoformat(),
                                                               "plan": world["plan"].id})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'data-obligation="{world["late"].id}"' in page and 'data-kind="done_late"' in page
    assert f'data-obligation="{world["before"].id}"' not in page
    assert 'data-what="deadline_text"' in page and "тоқсан сайын" in page
    assert 'id="rate-changes"' in page


@pytest.mark.parametrize(("args", "named"), [
    ({"from": "2020-06-30", "to": "2020-03-31"}, "from=2020-06-30"),
    ({"from": "2020-06-30", "to": "2020-06-30"}, "to=2020-06-30"),
    ({"from": "2020-02-30"}, "from=2020-02-30"),
    ({"to": "9999-12-31"}, "to=9999-12-31"),
])
def test_a_bad_pair_of_days_is_a_400_naming_it(client, login, world, args, named):
    login("auditor")
    response = client.get("/dashboard/changes", query_string=args)
    assert response.status_code == 400 and named in response.get_data(as_text=True)


def test_the_command_prints_the_same_as_json(app, runner, world):
    result = runner.invoke(args=["report", "changes", "--from", SINCE.isoformat(), "--to", UNTIL.isoformat(),
                                 "--plan", str(world["plan"].id), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    expected = changes_module.as_json(changes(SINCE, UNTIL, queries.Filters(plan_id=world["plan"].id)))
    assert printed == json.loads(json.dumps(expected, ensure_ascii=False))
    assert printed["counts"]["done_late"] == 1
    bad = runner.invoke(args=["report", "changes", "--from", UNTIL.isoformat(), "--to", SINCE.isoformat(), "--json"])
    assert bad.exit_code == 2 and "must come before" in bad.output


def test_the_workbook_sheets_hold_every_change(app, world):
    filters = queries.Filters(plan_id=world["plan"].id)
    found = changes(SINCE, UNTIL, filters)
    sheet = changes_module.changes_sheet(SINCE, UNTIL, filters, found)
    rows = list(sheet.rows)
    assert len(rows) == len(found.obligations) + len(found.edits)
    assert all(len(row) == len(sheet.columns) for row in rows)
    keys = [c.key for c in sheet.columns]
    due = keys.index("due_date")
    assert any(row[due] == world["late"].due_date for row in rows)
    rates = changes_module.rates_sheet(SINCE, UNTIL, filters, found)
    assert [row[0] for row in rates.rows] == [r.name for r in found.rates]
    from tracker.export.tables import Column, Table  # what the export makes of them (it is above us)

    table = Table(sheet.key, sheet.title, [Column(*c) for c in sheet.columns], iter(rows))
    assert [c.kind for c in table.columns] == [c.kind for c in sheet.columns]


@pytest.mark.parametrize(("until", "since"), [
    (date(2026, 11, 23), date(2026, 9, 30)), (date(2026, 9, 30), date(2026, 6, 30)),
    (date(2026, 1, 1), date(2025, 12, 31)), (date(2026, 12, 31), date(2026, 9, 30)),
])
def test_by_default_the_window_is_the_quarter_so_far(until, since):
    assert default_since(until) == since
