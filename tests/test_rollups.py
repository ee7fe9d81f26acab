"""The dashboard's rollups against the full statement: after every kind of write and across day
boundaries, the figures read from the rollups equal the figures worked out from scratch — for
every plan and every executor, whole country, one region, one plan, one body."""

import re
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

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


# --- the overdue list, sorted, filtered, counted and cut into pages by the database -----------------

WORLD_DAY = date(2024, 6, 3)  # Kostanay's due dates are all past, Karaganda's in part
ROWS = 60  # DASHBOARD_PLAN_ROWS: the two seed plans are listed one by one
PAGE = 5  # a seed plan's dozen executors, and the two plans' score, stand for a country's ten thousand


def shown(bodies) -> list:
    """What the overdue list shows of each executor, and the figures behind it."""
    return [(b.key, b.name, b.abbreviation, b.region, b.as_lead, b.as_co_executor, b.lead_due_so_far,
             b.lead_extensions, b.oldest_overdue, b.on_time_rate) for b in bodies]


@pytest.fixture
def reported_world(app, seed_plans, make_user):
    """Both seed plans as of WORLD_DAY, with lead reports accepted on time on a share of the due
    dates (more for some leads than others), so that the executors differ in overdue counts,
    oldest overdue dates and on-time rates — and many still tie."""
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    seed_plans(KOSTANAY, KARAGANDA)
    coordinator = make_user("coordinator")
    accepted = []
    for number, activity in enumerate(db.session.scalars(select(Activity).order_by(Activity.id))):
        if activity.lead is None or activity.lead.body_id is None:
            continue
        due = [o for o in activity.obligations if o.due_date < WORLD_DAY - timedelta(days=5)]
        accepted += [(o.due_date, o.id, activity.lead.body) for o in due[:number % 4]]
    accepted = sorted(accepted, key=lambda a: (a[0], a[1]))[::3][:40]  # in time order: the rollups move forward
    users: dict = {}
    for due, obligation_id, body in accepted:
        app.config["TODAY"] = due - timedelta(days=3)
        user = users.setdefault(body.id, make_user("executor", body=body))
        report = reports.submit_report(db.session.get(Obligation, obligation_id), user, "Атқарылды", [],
                                       [("a.pdf", PDF)], True)
        reports.review_report(report, coordinator, accept=True, comment="")
    app.config["TODAY"] = WORLD_DAY
    assert len(users) > 5
    return app


def _views() -> list:
    plan = db.session.scalar(select(Plan).where(Plan.region == "Қостанай облысы"))
    return [queries.Filters(), queries.Filters(region=plan.region), queries.Filters(plan_id=plan.id)]


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_overdue_list_cut_in_sql_is_the_python_sort_of_every_executor(reported_world, language):
    """Every order of the overdue list (and `dir=desc`), every page and one past the end, for the
    country, a region and a plan: the page the rollups' SQL sorts, counts and cuts is the page the
    full statement's figures of every executor give sorted in Python — the same executors in the
    same order with the same figures; the Python sort is the one the dashboard did before the SQL
    (`OVERDUE_SORTS` over `full_figures`' list). Kostanay's and Karaganda's health departments
    share a name, so ties by name are there too. In Russian the bodies are named, and sorted, by
    name_ru."""
    app = reported_world
    app.config["BABEL_DEFAULT_LOCALE"] = language
    day, soon = app.config["TODAY"], app.config["DUE_SOON_DAYS"]
    for filters in _views():
        with app.test_request_context():
            assert queries.rollups_answer(day, soon, filters)
            everyone = queries.full_figures(day, soon, filters)[1]
            overdue = [b for b in everyone if b.overdue]
            assert len({b.key for b in overdue}) == len(overdue) > 2 * PAGE, filters
            for sort, key in queries.OVERDUE_SORTS.items():
                for descending in (False, True):
                    expected = sorted(overdue, key=key, reverse=descending)
                    pages = -(-len(expected) // PAGE)
                    for page in range(1, pages + 2):
                        got = queries.dashboard_figures(day, soon, filters, sort, descending, page, PAGE,
                                                        ROWS).overdue
                        last = min(page, pages)
                        assert (got.total, got.page, got.pages) == (len(expected), last, pages)
                        assert shown(got.bodies) == shown(expected[(last - 1) * PAGE:last * PAGE]), (
                            filters, sort, descending, page)
    with app.test_request_context():
        names = [b.name for b in queries.full_figures(day, soon)[1] if b.overdue]
    assert len(set(names)) < len(names)  # the world holds ties by name


def test_the_fall_back_path_sorts_and_cuts_in_python(reported_world, monkeypatch):
    """A filter the rollups do not count by (a status, a section, a past day): the full statement
    gives every executor's figures and the page is cut from them — as the SQL path cuts it."""
    app = reported_world
    day, soon = app.config["TODAY"], app.config["DUE_SOON_DAYS"]
    with app.test_request_context():
        by_sql = queries.dashboard_figures(day, soon, queries.Filters(), "rate", True, 2, PAGE, ROWS)
        monkeypatch.setattr(queries, "rollups_answer", lambda *_args: False)
        in_python = queries.dashboard_figures(day, soon, queries.Filters(), "rate", True, 2, PAGE, ROWS)
        assert shown(in_python.overdue.bodies) == shown(by_sql.overdue.bodies)
        assert in_python.overdue.total == by_sql.overdue.total
        # and a status filter, which the rollups do not count by, still lists what is overdue
        filtered = queries.dashboard_figures(day, soon, queries.Filters(status="overdue"), "name", False, 1, PAGE, ROWS)
        assert filtered.overdue.total == by_sql.overdue.total


def test_rates_half_way_between_two_roundings_are_ordered_as_python_rounds_them(app, portal):
    """The rate order rounds done ÷ due to 4 decimals as `on_time_rate` does. In integer arithmetic
    that is exact but for ratios lying exactly half-way: 5/32 is a double (half to even), 1/160 and
    7/800 are not, and which way Python rounds them depends on the division's rounding. Executors
    with such ratios (each between two of Python's rounding, named so that either mistake shows),
    ratios above 1 (done early), exactly 2 (the same as "no rate") and none due are added to the
    country's rollups; the SQL page equals Python's sort of them all."""
    half_way = [(1, 160), (3, 160), (9, 160), (2, 320), (7, 800), (13, 800), (21, 4000)]
    others = [(5, 32), (3, 32), (1, 3), (2, 3), (1, 6), (0, 4), (4, 4), (3, 2), (2, 1), (0, 0), (1, 0), (1, 2), (0, 7)]
    executors = {f"Ratio {number:02d} b": ratio for number, ratio in enumerate(half_way + others)}
    for number, (done, due) in enumerate(half_way):
        # a rate on either side of each half-way one, where Python puts it: rounded the other way, it
        # would pass one of them
        rounded = round(queries.on_time_rate(done, due) * 10_000)
        executors[f"Ratio {number:02d} a"] = executors[f"Ratio {number:02d} c"] = (rounded, 10_000)
    with app.test_request_context():
        queries.rollup_figures(queries.Filters())  # counted first: what follows is added to the counts
        for number, (name, (done, due)) in enumerate(sorted(executors.items())):
            key = "written:" + name
            for role, status, is_due, n in _rollup_rows(done, due, co_overdue=number % 2):
                db.session.add(rollups.RollupExecutor(executor_key=key, role=role, status=status, due=is_due, n=n,
                                                      extensions=0))
            db.session.add(rollups.RollupOldest(executor_key=key, oldest=TODAY - timedelta(days=number)))
        db.session.commit()
        everyone = queries.rollup_figures(queries.Filters())[1]
        made = {b.key: b for b in everyone if b.key.startswith("written:Ratio")}
        assert {b.name: (b.as_lead["done"], b.lead_due_so_far) for b in made.values()} == executors
        assert set(queries._rate_ties(queries._overdue_executors(None, with_rate=True))) == set(half_way)
        overdue = [b for b in everyone if b.overdue]
        for descending in (False, True):
            expected = sorted(overdue, key=queries.OVERDUE_SORTS["rate"], reverse=descending)
            pages = -(-len(expected) // PAGE)
            for page in range(1, pages + 1):
                got = queries.rollup_overdue_page(None, "rate", descending, page, PAGE)
                assert shown(got.bodies) == shown(expected[(page - 1) * PAGE:page * PAGE]), (descending, page)


@pytest.mark.parametrize("sort", ["overdue", "name", "rate"])
def test_the_country_overdue_list_reads_the_rollups_not_the_obligations(app, client, portal, login, sort):
    """The plans the database makes of the overdue list's statements (the whole country, as the
    dashboard asks for it): the rollup tables and the registry — never the obligations, their
    executors or the reports, which are what a country has half a million of. Read from the plan's
    text, on SQLite and on PostgreSQL alike."""
    login(portal["coordinator"])
    assert client.get("/dashboard").status_code == 200  # a day's first reading counts; then the steady state
    postgresql = db.engine.dialect.name == "postgresql"
    plans: list[str] = []

    def explain(conn, _cursor, statement, parameters, _context, _executemany):
        if "overdue_executors" in statement:
            cursor = conn.connection.cursor()  # its own connection: SQLite's python_lower is lent to it
            cursor.execute(("EXPLAIN " if postgresql else "EXPLAIN QUERY PLAN ") + statement, parameters)
            plans.append("\n".join(" ".join(str(value) for value in row) for row in cursor.fetchall()))
            cursor.close()

    event.listen(db.engine, "after_cursor_execute", explain)
    try:
        assert client.get("/dashboard", query_string={"sort": sort, "dir": "desc"}).status_code == 200
    finally:
        event.remove(db.engine, "after_cursor_execute", explain)
    assert len(plans) == 1
    for plan in plans:
        assert "rollup_executor" in plan, plan
        assert not re.findall(r"\b(obligation|activity_executor|activity|completion_report)\b", plan), plan


def test_the_regions_added_up_by_the_database_are_the_plans_added_up_in_python(app, portal):
    """A country of more plans than the dashboard lists shows one row per region: summed from the
    rollups in SQL for today, they are `by_region` of every plan's figures — and of the full
    statement's, which a past day or another filter adds up in Python."""
    day, soon = app.config["TODAY"], app.config["DUE_SOON_DAYS"]

    def rows(plans):
        return [(p.title, p.region, p.obligations, p.due_so_far, p.extensions, p.activities, p.activities_total)
                for p in plans]

    with app.test_request_context():
        by_plan = queries.dashboard_figures(day, soon, queries.Filters(), "overdue", False, 1, PAGE, ROWS)
        assert not by_plan.by_region and by_plan.plans_in_view == len(by_plan.plans) == 2
        by_region = queries.dashboard_figures(day, soon, queries.Filters(), "overdue", False, 1, PAGE, 1)
        assert by_region.by_region and by_region.plans_in_view == 2
        assert rows(by_region.plans) == rows(queries.by_region(by_plan.plans))
        assert rows(by_region.plans) == rows(queries.by_region(queries.full_figures(day, soon)[0]))
        assert by_region.totals == by_plan.totals and sum(by_plan.totals.values()) > 0
        # a region chosen: its plans, one by one, whatever their number
        chosen = queries.dashboard_figures(day, soon, queries.Filters(region=portal["plan"].region), "overdue",
                                           False, 1, PAGE, 0)
        assert not chosen.by_region and [p.id for p in chosen.plans] == [portal["plan"].id]


def _rollup_rows(done: int, due: int, co_overdue: int) -> list[tuple[str, str, bool, int]]:
    """Rollup rows (role, status, due so far, n) of an executor leading `due` obligations due so far
    and `done` accepted on time (those beyond `due` done ahead of their due dates), one of them
    overdue when any is due, and `co_overdue` overdue as co-executor (one when it leads none due:
    only executors with something overdue are listed)."""
    lead_overdue = 1 if due else 0
    done_due = min(done, due - lead_overdue)
    rows = [("lead", "overdue", True, lead_overdue), ("lead", "done", True, done_due),
            ("lead", "done", False, done - done_due), ("lead", "submitted", True, due - lead_overdue - done_due),
            ("lead", "upcoming", False, 2), ("co_executor", "overdue", True, co_overdue or (0 if due else 1))]
    return [row for row in rows if row[3]]
