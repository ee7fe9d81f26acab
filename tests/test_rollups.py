"""The dashboard's rollups against the full statement: after every kind of write and across day
boundaries, the figures read from the rollups equal the figures worked out from scratch — for
every plan and every executor, whole country, one region, one plan, one body."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import KARAGANDA, KOSTANAY
from tests.evidence_files import PDF
from tracker.control import operations as control
from tracker.dashboard import queries
from tracker.extensions import db
from tracker.plans import operations as plan_operations
from tracker.plans.models import Activity, Obligation, Plan
from tracker.reports import operations as reports
from tracker.reports import rollups
from tracker.reports.models import CompletionReport

TODAY = date(2020, 3, 2)


def comparable(plans, bodies) -> tuple:
    return ({p.id: (p.obligations, p.due_so_far, p.extensions, p.activities, p.activities_total) for p in plans},
            {b.key: (b.as_lead, b.as_co_executor, b.lead_due_so_far, b.lead_extensions, b.oldest_overdue)
             for b in bodies})


def assert_rollups_exact(app, step: str) -> None:
    """Rollups (brought to today) and the full statement give the same figures, for the country,
    a region, a plan and a body."""
    day = app.config["TODAY"]
    soon = app.config["DUE_SOON_DAYS"]
    views = [queries.Filters()]
    plan = db.session.scalar(select(Plan).order_by(Plan.id))
    views += [queries.Filters(region=plan.region), queries.Filters(plan_id=plan.id)]
    for filters in views:
        assert queries.rollups_answer(day, soon, filters)
        fast = comparable(*queries.rollup_figures(filters))
        full = comparable(*queries.full_figures(day, soon, filters))
        assert fast[0] == full[0], (step, filters, "plans")
        assert fast[1] == full[1], (step, filters, "bodies")
    for body_key in list(full[1])[:5]:
        if body_key.startswith("written:"):
            continue
        body_id = int(body_key)
        fast_body = queries.rollup_figures(queries.Filters(), executor_body_id=body_id)[1]
        full_body = queries.full_figures(day, soon, queries.Filters(), executor_body_id=body_id)[1]
        assert comparable([], fast_body)[1] == comparable([], full_body)[1], (step, body_id)


@pytest.fixture
def portal(app, seed_plans, make_user):
    app.config["TODAY"] = TODAY
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    seed_plans(KOSTANAY, KARAGANDA)
    plan = db.session.scalar(select(Plan).where(Plan.region == "Қостанай облысы"))
    activity = next(a for a in plan.activities if a.lead and a.lead.body_id
                    and any(o.due_date < TODAY for o in a.obligations) and any(o.due_date > TODAY for o in a.obligations))
    return {"plan": plan, "activity": activity, "lead": make_user("executor", body=activity.lead.body),
            "coordinator": make_user("coordinator")}


def test_every_kind_of_write_and_every_day_boundary_leaves_the_rollups_exact(app, client, portal, runner):
    plan, activity, lead, coordinator = portal["plan"], portal["activity"], portal["lead"], portal["coordinator"]
    assert_rollups_exact(app, "the first reading counts everything")

    past = next(o for o in activity.obligations if o.due_date < TODAY)
    ahead = next(o for o in activity.obligations if o.due_date > TODAY)
    reports.submit_report(past, lead, "Атқарылды", [], [("a.pdf", PDF)], True)
    assert_rollups_exact(app, "a report submitted")
    report = db.session.scalar(select(CompletionReport).where(CompletionReport.obligation_id == past.id))
    reports.review_report(report, coordinator, accept=False, comment="Толықтырыңыз")
    assert_rollups_exact(app, "a report returned")
    reports.submit_report(past, lead, "Толықтырылды", [], [("b.pdf", PDF)], True)
    corrected = db.session.scalar(select(CompletionReport).where(CompletionReport.obligation_id == past.id,
                                                                 CompletionReport.version == 2))
    reports.review_report(corrected, coordinator, accept=True, comment="")
    assert_rollups_exact(app, "a corrected report accepted late")

    request = control.request_extension(ahead, lead, ahead.due_date + timedelta(days=40), "Себебі")
    control.decide_extension(request, coordinator, approve=True, comment="")
    assert_rollups_exact(app, "an extension approved")

    other = next(a for a in plan.activities if a.id != activity.id and a.obligations)
    control.take_off_control(plan, other, coordinator, "lost_relevance", None, None, "")
    assert_rollups_exact(app, "an activity taken off control")

    # Day boundaries: the next morning, a week on (due soon becomes overdue), back in time.
    for step, day in (("the next day", TODAY + timedelta(days=1)), ("a week on", TODAY + timedelta(days=8)),
                      ("past the extended date", ahead.due_date + timedelta(days=41)),
                      ("back in time", TODAY - timedelta(days=3))):
        app.config["TODAY"] = day
        assert_rollups_exact(app, step)
    app.config["TODAY"] = TODAY + timedelta(days=8)
    control.put_back_on_control(plan, other, coordinator)
    assert_rollups_exact(app, "put back on control")

    # Plan changes: a deadline edited, executors rewritten, an executor assigned, a plan re-imported.
    plan_operations.edit_activity(other, number=other.number, section_id=other.section_id, text=other.text,
                                  completion_form=other.completion_form, deadline_text="тоқсан сайын",
                                  funding_text=other.funding_text)
    assert_rollups_exact(app, "a deadline edited")
    plan_operations.set_executors(other, "ДСБ, ББ")
    assert_rollups_exact(app, "executors rewritten")
    karaganda = db.session.scalar(select(Plan).where(Plan.region == "Қарағанды облысы"))
    unnamed = db.session.scalar(select(Activity).where(Activity.plan_id == karaganda.id, Activity.number == "50")).lead
    plan_operations.assign_executor(unnamed, plan_operations.bodies_for(karaganda)[0])
    assert_rollups_exact(app, "an executor assigned")
    assert runner.invoke(args=["plans", "import", str(KARAGANDA)]).exit_code == 0
    assert_rollups_exact(app, "a plan imported again")
    plan_operations.add_activity(plan, number="9.9", section_title="", text="Жаңа", completion_form="",
                                 executors_text="ББ", deadline_text="тексеру нәтижелері бойынша", funding_text="")
    assert_rollups_exact(app, "an activity waiting for an event added")
    waiting = db.session.scalar(select(Obligation).join(Activity).where(Activity.number == "9.9"))
    control.record_event(waiting, coordinator, TODAY + timedelta(days=7))
    assert_rollups_exact(app, "the event recorded")


def test_a_changed_due_soon_window_counts_everything_again(app, portal):
    assert_rollups_exact(app, "first")
    app.config["DUE_SOON_DAYS"] = 30
    assert_rollups_exact(app, "a wider window")


def test_concurrent_posts_and_reviews_leave_the_rollups_exact(app, portal, make_user):
    """Many executors post, then coordinators review, all at once, through a real threaded server."""
    from werkzeug.serving import make_server

    from tests.evidence_files import tiny_pdf
    from tests.test_concurrent_reports import Client, QuietHandler, multipart

    plan = portal["plan"]
    assert_rollups_exact(app, "before")
    jobs = []
    for activity in plan.activities:
        if activity.lead and activity.lead.body_id and len(jobs) < 16:
            obligation = next((o for o in activity.obligations if o.due_date < TODAY), None)
            if obligation is not None:
                jobs.append((obligation.id, make_user("executor", body=activity.lead.body).email))
    coordinators = [make_user("coordinator").email for _ in range(4)]
    httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    answers: list = []
    try:
        clients = []
        for obligation_id, email in jobs:
            client = Client(httpd.server_port)
            client.sign_in(email)
            body = multipart({"text": "Атқарылды", "links": "", "no_personal_data": "y",
                              "submission_token": client.form_token(obligation_id)},
                             [("files", "act.pdf", tiny_pdf(f"Act {obligation_id}"))])
            clients.append((client, obligation_id, body))
        barrier = threading.Barrier(len(clients), timeout=60)

        def post(client, obligation_id, body):
            barrier.wait()
            answers.append(client.request("POST", f"/obligations/{obligation_id}/reports", body[0],
                                          {"Content-Type": body[1]})[0])

        _run_all([(post, job) for job in clients])
        assert sorted(answers) == [302] * len(jobs), answers
        db.session.expire_all()
        submitted = list(db.session.scalars(select(CompletionReport.id).order_by(CompletionReport.id)))
        assert len(submitted) == len(jobs)
        reviewers = []
        for email in coordinators:
            client = Client(httpd.server_port)
            client.sign_in(email)
            reviewers.append(client)
        barrier = threading.Barrier(len(submitted), timeout=60)
        reviewed: list = []

        def review(client, report_id, accept):
            barrier.wait()
            body = ("accept=x&comment=" if accept else "send_back=x&comment=Толықтырыңыз").encode()
            reviewed.append(client.request("POST", f"/reports/{report_id}/review", body,
                                           {"Content-Type": "application/x-www-form-urlencoded"})[0])

        _run_all([(review, (reviewers[i % len(reviewers)], report_id, i % 2 == 0))
                  for i, report_id in enumerate(submitted)])
        assert sorted(reviewed) == [302] * len(submitted), reviewed
    finally:
        httpd.shutdown()
        httpd.server_close()
    db.session.expire_all()
    assert_rollups_exact(app, "after the burst")
    assert rollups.bring_to_today() is False  # every change was counted when it was made


def _run_all(calls) -> None:
    failures: list[BaseException] = []

    def run(function, args):
        try:
            function(*args)
        except BaseException as error:  # noqa: BLE001 — reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=run, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
