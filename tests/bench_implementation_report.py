"""Benchmark: the implementation report of a large plan (a script, not part of the test suite).

    .venv/bin/python tests/bench_implementation_report.py [--activities 60] [--rounds 5]
                                                          [--database-url postgresql://…/bench_report]

Makes a plan of `--activities` activities over three years (2023–2025), each due every quarter
("тоқсан сайын": 12 due dates), in 4 sections, with three executors each, through the real
operations (`create_plan`, `add_activity`). Then every due date gets its reports in bulk, as
three years of work would leave them: the lead's report (a paragraph of text and two evidence
file names) accepted — on time for most, late for some, returned once and corrected for others —
plus a co-executor's contribution; the last quarter's reports await review or are missing.

Measured, as of 2026-01-31, for the whole plan: gathering the data (`gather`, the SQL), writing
the .docx (`render`), and the two together, median of `--rounds` runs after one warm-up; also
with co-executors' contributions. Prints a table for the README. The target: under 5 s.
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = date(2026, 1, 31)
TEXT = ("Облыстың барлық аудандары мен қалаларында мектеп психологтарына арналған семинар өткізілді, оған "
        "{n} педагог қатысты. Әдістемелік ұсынымдар әзірленіп, білім беру ұйымдарына жіберілді; ата-аналармен "
        "{m} кездесу ұйымдастырылды. Нәтижелері облыстық кеңесте қаралды.")


def build(url: str, activities: int):
    import flask_migrate
    from sqlalchemy import insert, select

    from tracker.app import create_app
    from tracker.auth.operations import create_user
    from tracker.extensions import db
    from tracker.plans import operations as plans
    from tracker.plans.models import Activity, ExecutorRole, Obligation
    from tracker.reports.models import CompletionReport, Evidence, ReportKind
    from tracker.reports.status import ReportState

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench"})
    context = app.app_context()
    context.push()
    if url.startswith("postgresql"):
        from sqlalchemy import text

        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    flask_migrate.upgrade(directory=str(ROOT / "migrations"))
    app.config["TODAY"] = date(2023, 1, 5)
    started = time.perf_counter()
    plan = plans.create_plan(title="Ведомствоаралық іс-шаралар жоспары (бенчмарк)", region="Қостанай облысы",
                             period_start=date(2023, 1, 1), period_end=date(2025, 12, 31),
                             default_frequency="semiannual")
    sections = ["Алдын алу", "Құқық бұзушылық", "Зорлық-зомбылық", "Ата-аналармен жұмыс"]
    for n in range(activities):
        plans.add_activity(plan, number=f"{n // 15 + 1}.{n % 15 + 1}", section_title=sections[n * len(sections) // activities],
                           text=f"Іс-шара {n + 1}: кәмелетке толмағандар арасында құқық бұзушылықтың алдын алу бойынша "
                                "кешенді жұмыс жүргізу, оның ішінде мектептерде профилактикалық сабақтар өткізу",
                           completion_form="Білім басқармасына ақпарат", executors_text="ББ, ДСБ, ПД (келісім бойынша)",
                           deadline_text="тоқсан сайын", funding_text="көзделген қаражат шегінде")
    made = time.perf_counter() - started
    # Who posted is only a reference here (the report names the body); one account serves for all.
    lead_user = create_user(email="reviewer@bench.example", role="coordinator", password="quiet-river-stones-2026")
    rows = db.session.execute(
        select(Obligation.id, Obligation.due_date, Activity.id)
        .join(Activity, Activity.id == Obligation.activity_id).where(Activity.plan_id == plan.id)
        .order_by(Activity.position, Obligation.due_date)).all()
    leads = {a.id: (a.lead.body_id, next(e.body_id for e in a.executors if e.role == ExecutorRole.CO_EXECUTOR))
             for a in db.session.scalars(select(Activity).where(Activity.plan_id == plan.id))}
    reports, files = [], []
    report_id = 0
    for index, (obligation_id, due, activity_id) in enumerate(rows):
        lead, co = leads[activity_id]
        if due > date(2025, 9, 30) and index % 3 == 0:
            continue  # the last quarter: some missing
        report_id += 1
        submitted = due - timedelta(days=5 + index % 7)
        reports.append(dict(id=report_id, obligation_id=obligation_id, body_id=co, kind=ReportKind.CONTRIBUTION,
                            version=1, text="Бізде: " + TEXT.format(n=10 + index % 30, m=index % 9), links=[],
                            state=ReportState.SUBMITTED, submitted_at=_moment(submitted - timedelta(days=2)),
                            submitted_on=submitted - timedelta(days=2), submitted_by_id=lead_user.id,
                            no_personal_data=True, row_version=1))
        version = 1
        if index % 10 == 3:  # returned once, corrected
            report_id += 1
            reports.append(dict(id=report_id, obligation_id=obligation_id, body_id=lead, kind=ReportKind.LEAD,
                                version=1, text=TEXT.format(n=index, m=1), links=[], state=ReportState.RETURNED,
                                submitted_at=_moment(submitted), submitted_on=submitted,
                                submitted_by_id=lead_user.id, reviewed_at=_moment(submitted + timedelta(days=1)),
                                reviewed_on=submitted + timedelta(days=1), reviewed_by_id=lead_user.id,
                                review_comment="Хаттаманы тіркеңіз.", no_personal_data=True, row_version=2))
            version, submitted = 2, submitted + timedelta(days=2)
        report_id += 1
        awaiting = due > date(2025, 9, 30)
        reviewed = submitted + timedelta(days=2 if index % 5 else 12)  # some accepted after the due date
        reports.append(dict(id=report_id, obligation_id=obligation_id, body_id=lead, kind=ReportKind.LEAD,
                            version=version, text=TEXT.format(n=40 + index % 80, m=index % 12), links=[],
                            state=ReportState.SUBMITTED if awaiting else ReportState.ACCEPTED,
                            submitted_at=_moment(submitted), submitted_on=submitted, submitted_by_id=lead_user.id,
                            reviewed_at=None if awaiting else _moment(reviewed),
                            reviewed_on=None if awaiting else reviewed,
                            reviewed_by_id=None if awaiting else lead_user.id, no_personal_data=True, row_version=1))
        for name in (f"hattama-{index}.pdf", f"foto-{index}.jpg"):
            files.append(dict(report_id=report_id, original_name=name, stored_name=f"2025/{report_id}-{name}",
                              kind=name.rsplit(".", 1)[1], content_type="application/pdf", size=12345,
                              sha256="0" * 64, uploaded_by_id=lead_user.id, uploaded_at=_moment(submitted)))
    db.session.execute(insert(CompletionReport), reports)
    db.session.execute(insert(Evidence), files)
    db.session.commit()
    if url.startswith("postgresql"):
        from sqlalchemy import text

        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return app, plan.id, len(rows), len(reports), len(files), made


def _moment(day: date) -> datetime:
    return datetime.combine(day, clock(6), tzinfo=UTC)


def measure(app, plan_id: int, rounds: int, contributions: bool):
    from flask_babel import force_locale

    from tracker.reporting.document import render
    from tracker.reporting.implementation import Period, Scope, gather

    timings = {"gather": [], "render": [], "total": []}
    size = 0
    with app.test_request_context():
        for round_ in range(rounds + 1):  # the first is a warm-up (Babel's locale data, SQL compilation)
            started = time.perf_counter()
            with force_locale("kk"):
                report = gather(Scope.PLAN, plan_id, Period(date(2023, 1, 1), date(2025, 12, 31)), AS_OF,
                                language="kk", prepared_by="bench", due_soon_days=14,
                                with_contributions=contributions)
            gathered = time.perf_counter()
            data = render(report)
            done = time.perf_counter()
            size = len(data)
            if round_:
                timings["gather"].append(gathered - started)
                timings["render"].append(done - gathered)
                timings["total"].append(done - started)
    return {k: statistics.median(v) for k, v in timings.items()}, size, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--activities", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", help="PostgreSQL to run on (its public schema is emptied); default SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        app, plan_id, due_dates, reports, files, made = build(url, args.activities)
        database = "postgresql" if url.startswith("postgresql") else "sqlite"
        print(f"{database}: plan of {args.activities} activities, {due_dates} due dates, {reports} reports, "
              f"{files} evidence files (plan made through the real operations in {made:.1f} s)")
        print()
        print("| database | contributions | gather (SQL) | write .docx | total | document | target |")
        print("|---|---|---|---|---|---|---|")
        for contributions in (False, True):
            timing, size, report = measure(app, plan_id, args.rounds, contributions)
            verdict = "PASS" if timing["total"] < 5 else "FAIL"
            print(f"| {database} | {'with' if contributions else 'without'} | {timing['gather']:.2f} s | "
                  f"{timing['render']:.2f} s | {timing['total']:.2f} s | {size / 1024:.0f} KB, "
                  f"{len(report.activities)} rows, {report.summary.total} due dates, "
                  f"{sum(1 for a in report.activities for i in a.items if i.report_text)} report texts | "
                  f"< 5 s: {verdict} |")


if __name__ == "__main__":
    main()
