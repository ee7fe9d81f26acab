"""Items on control: extensions asked and decided, activities and plans taken off control and put
back, deadlines that wait for an event, the working calendar — through the real routes, with the
database checked after each step, and the dashboard's SQL held to the Python rule on many days."""

import threading
from datetime import date, timedelta

import pytest
from flask_sqlalchemy.session import Session
from sqlalchemy import event, func, select

from tests.conftest import KOSTANAY, PASSWORD
from tracker.control.models import ExtensionRequest, ExtensionState, OffControl
from tracker.dashboard import queries
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.plans.models import Activity, Obligation, Plan
from tracker.reports import operations as report_operations
from tracker.reports.status import Status

#: the portal's "today" in these tests: Kostanay's 2019–2021 plan is half done
TODAY = date(2020, 3, 2)


@pytest.fixture
def world(app, seed_plans, make_user):
    app.config["TODAY"] = TODAY
    app.config["BABEL_DEFAULT_LOCALE"] = "en"  # refusals asserted in English
    seed_plans(KOSTANAY)
    plan = db.session.scalar(select(Plan))
    # An activity with a resolved lead and a co-executor, and a due date a few weeks ahead.
    for activity in db.session.scalars(select(Activity).where(Activity.plan_id == plan.id).order_by(Activity.position)):
        lead = activity.lead
        co = next((e for e in activity.executors if e.role == "co_executor" and e.body_id
                   and e.body_id != getattr(lead, "body_id", None)), None)
        ahead = [o for o in activity.obligations if TODAY < o.due_date <= TODAY + timedelta(days=120)]
        past = [o for o in activity.obligations if o.due_date < TODAY]
        if lead and lead.body_id and co and ahead and past:
            break
    else:
        pytest.fail("no suitable activity in the Kostanay plan")
    return {
        "plan": plan, "activity": activity, "obligation": ahead[0], "past": past[-1],
        "lead": make_user("executor", body=lead.body), "co": make_user("executor", body=co.body),
        "coordinator": make_user("coordinator"), "other_coordinator": make_user("coordinator"),
        "auditor": make_user("auditor"),
    }


def signed_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def ask(client, obligation, new_date, reason="Мектептердің деректері кешігіп келеді"):
    return client.post(f"/obligations/{obligation.id}/extensions",
                       data={"new_due_date": new_date.isoformat(), "reason": reason})


def decide(client, request_id, approve=True, comment="", seen=None):
    data = {"approve" if approve else "refuse": "x", "comment": comment}
    if seen is not None:
        data["seen_version"] = str(seen)
    return client.post(f"/extensions/{request_id}/decision", data=data)


def sql_status(obligation_id: int, day: date) -> str:
    table = queries.status_table(day, 14)
    return db.session.scalar(select(table.c.status).where(table.c.obligation_id == obligation_id))


def python_status(obligation_id: int, day: date) -> str:
    obligation = db.session.get(Obligation, obligation_id)
    return report_operations.statuses([obligation], day)[obligation_id]


def both_statuses(obligation_id: int, day: date) -> str:
    """The status on `day` by the SQL the dashboard counts with and by the Python rule: equal."""
    sql, python = sql_status(obligation_id, day), python_status(obligation_id, day)
    assert sql == python, (day, sql, python)
    return sql


def entries(action: str) -> list[HistoryEntry]:
    return list(db.session.scalars(select(HistoryEntry).where(HistoryEntry.action == action)))


# --- extensions ------------------------------------------------------------------------------------


def test_an_approved_extension_moves_the_date_in_force_and_keeps_the_plans(app, world):
    obligation, plan_date = world["obligation"], world["obligation"].due_date
    new_date = plan_date + timedelta(days=30)
    lead = signed_in(app, world["lead"])
    assert ask(lead, obligation, new_date).status_code == 302
    request = db.session.scalar(select(ExtensionRequest))
    assert (request.state, request.due_date_then, request.new_due_date) == ("pending", plan_date, new_date)
    assert db.session.get(Obligation, obligation.id).due_date == plan_date  # nothing moves before the decision

    decided_on = plan_date - timedelta(days=3)
    app.config["TODAY"] = decided_on
    assert decide(signed_in(app, world["coordinator"]), request.id).status_code == 302
    db.session.expire_all()
    stored = db.session.get(Obligation, obligation.id)
    assert (stored.due_date, stored.original_due_date, stored.extensions, stored.due_changed_on) == (
        new_date, plan_date, 1, decided_on)
    assert [e.changes["due_date"] for e in entries("extension.approved")] == [[plan_date.isoformat(),
                                                                              new_date.isoformat()]]
    assert len(entries("extension.requested")) == 1

    # The day after the plan's date it is not overdue: the new date (29 days away) is in force.
    assert both_statuses(obligation.id, plan_date + timedelta(days=1)) == Status.UPCOMING
    # As of the day before the decision the plan's date was in force: replayed exactly.
    day_before = decided_on - timedelta(days=1)
    table = queries.status_table(day_before, 14)
    assert db.session.scalar(select(table.c.due_date).where(table.c.obligation_id == obligation.id)) == plan_date
    assert db.session.scalar(select(table.c.extensions).where(table.c.obligation_id == obligation.id)) == 0
    assert both_statuses(obligation.id, day_before) == Status.DUE_SOON
    # Long after both dates, nothing accepted: overdue against the new date.
    assert both_statuses(obligation.id, new_date + timedelta(days=1)) == Status.OVERDUE
    assert both_statuses(obligation.id, new_date) == Status.DUE_SOON


def test_a_report_accepted_after_the_plans_date_but_by_the_extended_date_is_on_time(app, world):
    obligation, plan_date = world["obligation"], world["obligation"].due_date
    new_date = plan_date + timedelta(days=30)
    assert ask(signed_in(app, world["lead"]), obligation, new_date).status_code == 302
    request = db.session.scalar(select(ExtensionRequest))
    assert decide(signed_in(app, world["coordinator"]), request.id).status_code == 302
    app.config["TODAY"] = plan_date + timedelta(days=10)
    lead = signed_in(app, world["lead"])
    from tests.test_reports import post_report

    assert post_report(lead, obligation.id).status_code == 302
    report = db.session.scalar(select(report_operations.CompletionReport))
    report_operations.review_report(report, world["coordinator"], accept=True, comment="")
    day = plan_date + timedelta(days=20)
    assert both_statuses(obligation.id, day) == Status.DONE  # on time against the date in force
    figures = queries.figures_of_body(world["lead"].body_id, day, 14)
    assert figures.lead_extensions == 1 and figures.as_lead[Status.DONE] >= 1


@pytest.mark.parametrize("case", ["after the due date", "a second pending request", "an earlier date",
                                  "the same date", "no reason", "a co-executor", "an auditor", "an IIN"])
def test_extension_requests_refused_change_nothing(app, world, case):
    from tests.test_personal_data import IIN

    obligation, plan_date = world["obligation"], world["obligation"].due_date
    who, new_date, reason = world["lead"], plan_date + timedelta(days=10), "Себебі бар"
    if case == "after the due date":
        app.config["TODAY"] = plan_date + timedelta(days=1)
    elif case == "a second pending request":
        assert ask(signed_in(app, world["lead"]), obligation, plan_date + timedelta(days=5)).status_code == 302
    elif case == "an earlier date":
        new_date = plan_date - timedelta(days=1)
    elif case == "the same date":
        new_date = plan_date
    elif case == "no reason":
        reason = " "
    elif case == "a co-executor":
        who = world["co"]
    elif case == "an auditor":
        who = world["auditor"]
    elif case == "an IIN":
        reason = f"Оқушы {IIN} ауырып қалды"
    before = db.session.scalar(select(func.count()).select_from(ExtensionRequest))
    response = ask(signed_in(app, who), obligation, new_date, reason)
    assert response.status_code == 422, response.status_code
    page = response.get_data(as_text=True)
    expected = {"after the due date": "this one has passed", "a second pending request": "already awaits",
                "an earlier date": "later than the current one", "the same date": "later than the current one",
                "no reason": "Why the date should move", "a co-executor": "Only the lead executor",
                "an auditor": "Only the lead executor", "an IIN": "contains an IIN"}[case]
    assert expected in page, page[-1500:]
    if case == "an IIN":
        assert IIN not in page
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ExtensionRequest)) == before
    assert db.session.get(Obligation, obligation.id).due_date == plan_date


def test_only_a_coordinator_decides_and_a_refusal_needs_a_comment(app, world):
    obligation, plan_date = world["obligation"], world["obligation"].due_date
    assert ask(signed_in(app, world["lead"]), obligation, plan_date + timedelta(days=9)).status_code == 302
    request_id = db.session.scalar(select(ExtensionRequest.id))
    for user in (world["lead"], world["auditor"]):
        assert decide(signed_in(app, user), request_id).status_code == 403
    coordinator = signed_in(app, world["coordinator"])
    refused = decide(coordinator, request_id, approve=False, comment="")
    assert refused.status_code == 422 and "the comment is empty" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ExtensionRequest, request_id).state == ExtensionState.PENDING
    assert decide(coordinator, request_id, approve=False, comment="Мерзім заңмен белгіленген").status_code == 302
    db.session.expire_all()
    request = db.session.get(ExtensionRequest, request_id)
    assert request.state == ExtensionState.REFUSED and request.decision_comment == "Мерзім заңмен белгіленген"
    assert db.session.get(Obligation, obligation.id).due_date == plan_date
    # A decided request cannot be decided again, and the executor may ask anew.
    assert decide(coordinator, request_id).status_code == 409
    assert ask(signed_in(app, world["lead"]), obligation, plan_date + timedelta(days=4)).status_code == 302


def test_two_coordinators_deciding_at_once_one_wins_the_other_is_told(app, world):
    obligation = world["obligation"]
    assert ask(signed_in(app, world["lead"]), obligation, obligation.due_date + timedelta(days=15)).status_code == 302
    request = db.session.scalar(select(ExtensionRequest))
    request_id, seen = request.id, request.row_version
    clients = [signed_in(app, world["coordinator"]), signed_in(app, world["other_coordinator"])]
    both_read = threading.Barrier(2, timeout=20)

    def wait_for_the_other(session, _context, _instances):
        if any(isinstance(item, ExtensionRequest) for item in session.dirty):
            both_read.wait()

    answers: list = [None, None]

    def decision(index):
        response = decide(clients[index], request_id, approve=index == 0, comment="Жоқ" if index else "", seen=seen)
        answers[index] = (response.status_code, response.get_data(as_text=True))

    event.listen(Session, "before_flush", wait_for_the_other)
    try:
        threads = [threading.Thread(target=decision, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        event.remove(Session, "before_flush", wait_for_the_other)
    assert sorted(code for code, _page in answers) == [302, 409]
    winner = next(i for i, (code, _page) in enumerate(answers) if code == 302)
    db.session.expire_all()
    stored = db.session.get(ExtensionRequest, request_id)
    assert stored.state == (ExtensionState.APPROVED if winner == 0 else ExtensionState.REFUSED)
    loser_page = next(page for code, page in answers if code == 409)
    assert (world["coordinator"], world["other_coordinator"])[winner].email in loser_page
    decisions = db.session.scalar(select(func.count()).select_from(HistoryEntry).where(
        HistoryEntry.action.in_(("extension.approved", "extension.refused"))))
    assert decisions == 1
    assert db.session.get(Obligation, obligation.id).extensions == (1 if winner == 0 else 0)


# --- off control ---------------------------------------------------------------------------------------


def take_off(client, activity=None, plan=None, grounds="lost_relevance", **extra):
    url = f"/activities/{activity.id}/control/off" if activity else f"/plans/{plan.id}/control/off"
    return client.post(url, data={"grounds": grounds, **extra})


def test_an_activity_off_control_leaves_the_counts_from_then_on_and_comes_back(app, world):
    activity, ahead, past = world["activity"], world["obligation"], world["past"]
    coordinator = signed_in(app, world["coordinator"])
    plan_figures = {p.id: p for p in queries.plan_figures(TODAY, 14)}[world["plan"].id]
    before = dict(plan_figures.obligations)
    assert before[Status.OFF_CONTROL] == 0

    assert take_off(coordinator, activity, comment="Мектептер жабылды").status_code == 302
    assert both_statuses(ahead.id, TODAY) == Status.OFF_CONTROL
    assert both_statuses(past.id, TODAY) == Status.OVERDUE  # what was due before keeps its status
    later = ahead.due_date + timedelta(days=40)
    assert both_statuses(ahead.id, later) == Status.OFF_CONTROL  # never becomes overdue while off
    assert both_statuses(ahead.id, TODAY - timedelta(days=1)) != Status.OFF_CONTROL  # the day before: on control
    after = {p.id: p for p in queries.plan_figures(TODAY, 14)}[world["plan"].id]
    future = sum(1 for o in activity.obligations if o.due_date > TODAY)
    assert after.obligations[Status.OFF_CONTROL] == future
    assert after.total == plan_figures.total  # kept, only counted apart
    assert after.due_so_far == plan_figures.due_so_far  # nothing due so far left the counts today

    # Put back the next day: from then on it counts again; the day it was off stays off.
    app.config["TODAY"] = TODAY + timedelta(days=1)
    assert coordinator.post(f"/activities/{activity.id}/control/on").status_code == 302
    assert both_statuses(ahead.id, TODAY + timedelta(days=1)) != Status.OFF_CONTROL
    assert both_statuses(ahead.id, TODAY) == Status.OFF_CONTROL
    period = db.session.scalar(select(OffControl))
    assert (period.since, period.until) == (TODAY, TODAY + timedelta(days=1))
    assert [e.action for e in db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.action.like("control.%")).order_by(HistoryEntry.id))] == ["control.taken_off", "control.put_back"]


def test_a_whole_plan_off_control_and_the_refusals(app, world):
    plan, coordinator = world["plan"], signed_in(app, world["coordinator"])
    missing = take_off(coordinator, plan=plan, grounds="superseded")
    assert missing.status_code == 422 and "give the number and the date" in missing.get_data(as_text=True)
    assert take_off(coordinator, plan=plan, grounds="").status_code == 422
    assert take_off(signed_in(app, world["lead"]), plan=plan).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(OffControl)) == 0
    assert take_off(coordinator, plan=plan, grounds="superseded", decision_number="№ 12-р",
                    decision_date=TODAY.isoformat()).status_code == 302
    again = take_off(coordinator, plan=plan)
    assert again.status_code == 422 and "already off control" in again.get_data(as_text=True)
    figures = {p.id: p for p in queries.plan_figures(TODAY, 14)}[plan.id]
    future = db.session.scalar(select(func.count()).select_from(Obligation).join(Activity).where(
        Activity.plan_id == plan.id, Obligation.due_date > TODAY))
    assert figures.obligations[Status.OFF_CONTROL] == future
    assert figures.obligations[Status.UPCOMING] == figures.obligations[Status.DUE_SOON] == 0


# --- events ---------------------------------------------------------------------------------------------


def test_a_deadline_that_waits_for_an_event_has_no_date_until_the_event_is_recorded(app, world):
    from tracker.plans import operations as plan_operations

    plan, coordinator = world["plan"], world["coordinator"]
    activity = plan_operations.add_activity(
        plan, number="9.1", section_title="", text="Тексеру нәтижелері бойынша ұсыныстар дайындау",
        completion_form="ББ-ға ақпарат", executors_text="ББ",
        deadline_text="тексеру нәтижелері ұсынылғаннан кейін 5 жұмыс күні ішінде", funding_text="")
    [obligation] = activity.obligations
    assert (obligation.due_date, obligation.waits_for) == (None, "тексеру нәтижелері ұсынылғаннан кейін")
    assert both_statuses(obligation.id, TODAY) == Status.WAITING
    assert {p.id: p for p in queries.plan_figures(TODAY, 14)}[plan.id].obligations[Status.WAITING] == 1

    client = signed_in(app, coordinator)
    future = client.post(f"/obligations/{obligation.id}/event", data={"event_on": (TODAY + timedelta(days=2)).isoformat()})
    assert future.status_code == 422 and "in the future" in future.get_data(as_text=True)
    # Friday 28 February 2020: five working days later is Friday 6 March (the weekend does not count).
    assert client.post(f"/obligations/{obligation.id}/event", data={"event_on": "2020-02-28"}).status_code == 302
    db.session.expire_all()
    stored = db.session.get(Obligation, obligation.id)
    assert (stored.event_on, stored.due_date, stored.event_recorded_on) == (date(2020, 2, 28), date(2020, 3, 6), TODAY)
    assert both_statuses(obligation.id, TODAY) == Status.DUE_SOON
    assert both_statuses(obligation.id, TODAY - timedelta(days=1)) == Status.WAITING  # before it was recorded
    again = client.post(f"/obligations/{obligation.id}/event", data={"event_on": "2020-02-27"})
    assert again.status_code == 422 and "already recorded" in again.get_data(as_text=True)
    # The plan imported again keeps the dated obligation: it is the same event.
    assert plan_operations.schedule_of(stored.activity, plan).waiting == [stored.waits_for]


# --- the working calendar -------------------------------------------------------------------------------


def test_a_day_declared_off_moves_a_plans_date_when_the_plan_moves_dates(app, world):
    from tracker.plans import operations as plan_operations

    plan, client = world["plan"], signed_in(app, world["coordinator"])
    # 2020-05-29 (a Friday) declared a day off by the coordinator, with the reason.
    assert client.post("/calendar", data={"day": "2020-05-29", "working": "0",
                                          "reason": "Облыс әкімінің өкімі (сынақ)"}).status_code == 302
    assert client.get("/calendar").status_code == 200
    activity = plan_operations.add_activity(
        plan, number="9.2", section_title="", text="Сынақ іс-шарасы", completion_form="", executors_text="ББ",
        deadline_text="2020 жылғы 30 мамырға дейін", funding_text="")
    assert [o.due_date for o in activity.obligations] == [date(2020, 5, 30)]  # "keep": the date as the plan says
    plan_operations.edit_plan(plan, title=plan.title, region=plan.region, period_start=plan.period_start,
                              period_end=plan.period_end, default_frequency=plan.default_frequency,
                              non_working_rule="before")
    db.session.expire_all()
    activity = db.session.get(Activity, activity.id)
    [obligation] = activity.obligations
    # Saturday 30 May → the working day before: not Friday 29 (declared off) but Thursday 28.
    assert (obligation.due_date, obligation.moved_from) == (date(2020, 5, 28), date(2020, 5, 30))
    from tracker.core.messages import from_data

    assert [str(from_data(note)) for note in obligation.due_notes] == ["2020-05-30 is a Saturday; moved to 2020-05-28"]
    auditor_page = signed_in(app, world["auditor"]).post("/calendar", data={"day": "2020-06-01", "working": "0",
                                                                           "reason": "x"})
    assert auditor_page.status_code == 403


def test_python_and_sql_agree_on_every_obligation_on_many_days(app, world):
    """Extensions, a period off control and reports mixed; the two forms of the rule over every
    obligation of the plan on days around each change."""
    obligation = world["obligation"]
    assert ask(signed_in(app, world["lead"]), obligation, obligation.due_date + timedelta(days=20)).status_code == 302
    app.config["TODAY"] = TODAY + timedelta(days=3)
    assert decide(signed_in(app, world["coordinator"]), db.session.scalar(select(ExtensionRequest.id))).status_code == 302
    app.config["TODAY"] = TODAY + timedelta(days=6)
    other = next(a for a in world["plan"].activities if a.id != world["activity"].id and a.obligations)
    assert take_off(signed_in(app, world["coordinator"]), other).status_code == 302
    ids = list(db.session.scalars(select(Obligation.id)))
    for day in [TODAY + timedelta(days=d) for d in (-1, 0, 2, 3, 5, 6, 7, 30, 200)]:
        table = queries.status_table(day, 14)
        sql = dict(db.session.execute(select(table.c.obligation_id, table.c.status)).all())
        python = report_operations.statuses(db.session.scalars(select(Obligation)).all(), day)
        assert sql == python, [(i, sql[i], python[i]) for i in ids if sql[i] != python[i]][:5]
