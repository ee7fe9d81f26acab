"""Benchmark: the auditors' workbook at national scale (not part of the test suite).

    .venv/bin/python tests/bench_export.py [--copies 2]

Builds a SQLite database in a temporary folder with the two seed plans imported for each of
Kazakhstan's 17 regions, `--copies` times each (plans told apart by title), reports on about
a third of the due dates (accepted, returned or awaiting review), then measures:

- the export: `write_workbook` for everything, as of 2026-11-23 — wall time and peak Python
  memory (tracemalloc);
- the floor: bare xlsxwriter (constant_memory) writing exactly the same cells, values prepared
  beforehand — what writing the file costs with no database and no formatting logic.

Prints a table for the README.
"""

import argparse
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REGIONS = ["Абай", "Ақмола", "Ақтөбе", "Алматы", "Атырау", "Батыс Қазақстан", "Жамбыл", "Жетісу", "Қарағанды",
           "Қостанай", "Қызылорда", "Маңғыстау", "Павлодар", "Солтүстік Қазақстан", "Түркістан", "Ұлытау",
           "Шығыс Қазақстан"]


def build(copies: int, folder: Path):
    import flask_migrate
    from sqlalchemy import insert, select

    from tracker.app import create_app
    from tracker.auth.operations import create_user
    from tracker.extensions import db
    from tracker.plans.engine import parse_plan_file
    from tracker.plans.importer import import_plan
    from tracker.plans.models import Activity, ActivityExecutor, Obligation
    from tracker.reports.models import CompletionReport

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}", "TESTING": True})
    context = app.app_context()
    context.push()
    flask_migrate.upgrade(directory=str(ROOT / "migrations"))
    seeds = [parse_plan_file(ROOT / "plans" / name) for name in ("kostanay-2019-2021.txt", "karaganda-2023-2025.txt")]
    for region in REGIONS:
        for copy in range(copies):
            for seed in seeds:
                seed.region = f"{region} облысы"
                original = seed.title
                seed.title = f"{original} ({copy + 1})"
                import_plan(seed, "bench.txt")
                seed.title = original
    user = create_user(email="bench@bench.example", role="coordinator", password="wide-meadow-7 quiet")
    rows = db.session.execute(
        select(Obligation.id, Obligation.due_date, ActivityExecutor.body_id)
        .join(Activity, Activity.id == Obligation.activity_id)
        .join(ActivityExecutor, (ActivityExecutor.activity_id == Activity.id) & (ActivityExecutor.role == "lead"))
        .where(ActivityExecutor.body_id.is_not(None))).all()
    rng = random.Random(7)
    reports = []
    for obligation_id, due, body_id in rng.sample(rows, len(rows) // 3):
        submitted = due + timedelta(days=rng.randint(-20, 60))
        state = rng.choice(["accepted", "accepted", "returned", "submitted"])
        reviewed = submitted + timedelta(days=3) if state != "submitted" else None
        reports.append(dict(
            obligation_id=obligation_id, body_id=body_id, kind="lead", version=1, text="Орындалды", links=[],
            state=state, submitted_at=datetime.combine(submitted, datetime.min.time(), UTC), submitted_on=submitted,
            submitted_by_id=user.id, reviewed_at=datetime.combine(reviewed, datetime.min.time(), UTC) if reviewed else None,
            reviewed_on=reviewed, reviewed_by_id=user.id if reviewed else None, no_personal_data=True))
    db.session.execute(insert(CompletionReport), reports)
    db.session.commit()
    return app, context, len(rows), len(reports)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=2)
    args = parser.parse_args()
    import xlsxwriter
    from sqlalchemy import func, select

    from tracker.dashboard.queries import Filters
    from tracker.export.tables import all_tables
    from tracker.export.workbook import write_workbook
    from tracker.extensions import db
    from tracker.plans.models import Activity, Obligation, Plan

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        app, context, _lead_obligations, report_count = build(args.copies, folder)
        built = time.perf_counter() - started
        plans = db.session.scalar(select(func.count(Plan.id)))
        activities = db.session.scalar(select(func.count(Activity.id)))
        obligations = db.session.scalar(select(func.count(Obligation.id)))
        as_of = date(2026, 11, 23)
        with app.test_request_context():
            db.session.expire_all()
            started = time.perf_counter()
            write_workbook(folder / "export.xlsx", as_of, Filters(), "bench", "http://127.0.0.1:5000/",
                           datetime.now(UTC))
            export_seconds = time.perf_counter() - started
            # Memory in a second run: tracing slows Python down, so it does not share the timing run.
            db.session.expire_all()
            tracemalloc.start()
            write_workbook(folder / "export2.xlsx", as_of, Filters(), "bench", "http://127.0.0.1:5000/",
                           datetime.now(UTC))
            _current, export_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()

            # The floor: the same cells, prepared in advance, written by bare xlsxwriter.
            tables = [(t.title, [c.header for c in t.columns], list(t.rows)) for t in all_tables(as_of, Filters(), "http://x/")]
            cells = sum(len(rows) * len(header) for _t, header, rows in tables)
            started = time.perf_counter()
            book = xlsxwriter.Workbook(str(folder / "floor.xlsx"), {"constant_memory": True})
            for title, header, rows in tables:
                sheet = book.add_worksheet(title[:31])
                sheet.write_row(0, 0, header)
                for number, row in enumerate(rows, start=1):
                    sheet.write_row(number, 0, [v if not isinstance(v, date) else datetime.combine(v, datetime.min.time())
                                                for v in row])
            book.close()
            floor_seconds = time.perf_counter() - started
        size = (folder / "export.xlsx").stat().st_size
        context.pop()
    print(f"data: {plans} plans, {activities} activities, {obligations} due dates, {report_count} reports "
          f"(built in {built:.0f} s)")
    print(f"cells written: {cells}; workbook {size / 1024 / 1024:.1f} MB")
    print("| | time | peak Python memory |")
    print("|---|---|---|")
    print(f"| export (`write_workbook`) | {export_seconds:.1f} s | {export_peak / 1024 / 1024:.1f} MB |")
    print(f"| floor (bare xlsxwriter, same cells) | {floor_seconds:.1f} s | — |")
    print(f"ratio export / floor: {export_seconds / floor_seconds:.1f}")


if __name__ == "__main__":
    main()
