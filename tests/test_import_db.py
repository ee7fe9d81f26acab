"""Storing plans: counts, re-import, one transaction, bodies per region."""

import json

import pytest
from sqlalchemy import func, select

from tests.conftest import KARAGANDA, KOSTANAY
from tracker.executors.models import NATIONAL, Body, BodyAlias
from tracker.extensions import db
from tracker.plans import importer
from tracker.plans.engine import parse_plan_file
from tracker.plans.models import Activity, ActivityExecutor, Obligation, Plan, PlanWarning


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_parse_json_prints_the_plan_and_stores_nothing(runner):
    result = runner.invoke(args=["plans", "parse", str(KARAGANDA), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["activities"]) == 56
    assert data["period"] == {"start": "2023-01-01", "end": "2025-12-31"}
    first = data["activities"][0]
    assert first["deadline"]["due_dates"] == ["2023-11-30"]
    assert first["executors"][0]["written"] == "облыс әкімдігі" and first["executors"][0]["lead"]
    assert count(Plan) == 0 and count(Body) == 0


def test_import_both_seed_plans(runner, kostanay, karaganda):
    result = runner.invoke(args=["plans", "import-folder"])
    assert result.exit_code == 0, result.output
    assert result.output.count("imported plan") == 2
    assert count(Plan) == 2 and count(Activity) == 106
    expected_due = sum(len(a.deadline.due_dates) for a in kostanay.activities + karaganda.activities)
    assert count(Obligation) == expected_due
    expected_executors = sum(len(a.executors) for a in kostanay.activities + karaganda.activities)
    assert count(ActivityExecutor) == expected_executors
    assert count(PlanWarning) == len(kostanay.warnings) + len(karaganda.warnings)
    assert "warning: 44 [deadline]" in result.output


def test_stored_activity_matches_the_parse(runner):
    runner.invoke(args=["plans", "import", str(KOSTANAY)])
    item = db.session.scalar(select(Activity).where(Activity.number == "1.4"))
    assert item.section.number == "1"
    assert [o.due_date.isoformat() for o in item.obligations][:2] == ["2019-06-30", "2019-12-31"]
    assert item.lead.written == "ББ" and item.lead.body.name == "Білім басқармасы"
    assert item.lead.body.name_ru == "Управление образования"
    assert [e.role for e in item.executors] == ["lead"] + ["co_executor"] * 5
    split = db.session.scalar(select(Activity).where(Activity.number == "3.4"))
    assert len(split.parts) == 2
    quarter_end = next(o for o in split.obligations if o.due_date.isoformat() == "2019-03-31")
    assert quarter_end.deliverable == "Білім басқармасына ақпарат; ББ –ға тізімді құрам"
    month_end = next(o for o in split.obligations if o.due_date.isoformat() == "2019-01-31")
    assert month_end.deliverable == "Білім басқармасына ақпарат"
    money = db.session.scalar(select(Activity).where(Activity.number == "1.20"))
    assert (money.funding_kind, money.funding_amount_kzt) == ("amount", 2_000_000)


def test_bodies_are_per_region_and_national_bodies_are_shared(runner):
    runner.invoke(args=["plans", "import", str(KOSTANAY), str(KARAGANDA)])
    health = db.session.scalars(select(Body).where(Body.registry_key == "health")).all()
    assert sorted(b.region for b in health) == ["Қарағанды облысы", "Қостанай облысы"]
    ombudsman = db.session.scalars(select(Body).where(Body.registry_key == "children_ombudsman")).all()
    assert [b.region for b in ombudsman] == [NATIONAL]
    # УО, ББ and every written form of the Kostanay education department are one body with aliases
    education = db.session.scalar(select(Body).where(Body.registry_key == "education", Body.region == "Қостанай облысы"))
    assert {"ББ", "УО"} <= {a.written for a in education.aliases}
    employment = db.session.scalar(select(Body).where(Body.registry_key == "employment",
                                                      Body.region == "Қарағанды облысы"))
    # the spelling variants fold to one alias key, so one alias row finds them all
    from tracker.core.text import norm

    assert {norm(w) for w in ("ЖҚҰӘББ", "ЖКУӘББ", "ЖҚҮӘББ")} == {norm("ЖҚҰӘББ")} <= {a.normalized for a in employment.aliases}
    # a fuzzy guess is not remembered as an alias until a person confirms it
    assert not db.session.scalar(select(BodyAlias).where(BodyAlias.written == "АМЖКАБ"))
    unresolved = db.session.scalars(select(ActivityExecutor).where(ActivityExecutor.body_id.is_(None))).all()
    assert [(e.activity.number, e.written, e.by_agreement) for e in unresolved] == [("50", "(келісім бойынша)", True)]


def test_reimport_updates_instead_of_duplicating(runner):
    runner.invoke(args=["plans", "import", str(KOSTANAY)])
    plan_id = db.session.scalar(select(Plan.id))
    obligation_ids = set(db.session.scalars(select(Obligation.id)))
    bodies = count(Body)
    result = runner.invoke(args=["plans", "import", str(KOSTANAY)])
    assert result.exit_code == 0 and f"updated plan {plan_id}" in result.output
    assert count(Plan) == 1 and count(Activity) == 50 and count(Body) == bodies
    assert set(db.session.scalars(select(Obligation.id))) == obligation_ids  # kept: reports will hang on them


def test_reimport_applies_a_changed_deadline(app, kostanay):
    importer.import_plan(kostanay, "kostanay.txt")
    changed = parse_plan_file(KOSTANAY)
    item = next(a for a in changed.activities if a.number == "1.5")
    from tracker.schedule.deadlines import due_dates_for

    item.deadline = due_dates_for("2019 жылдың 3-тоқсаны", changed.period)
    changed.activities = [a for a in changed.activities if a.number != "3.14"]
    importer.import_plan(changed, "kostanay.txt")
    stored = db.session.scalar(select(Activity).where(Activity.number == "1.5"))
    assert [o.due_date.isoformat() for o in stored.obligations] == ["2019-09-30"]
    assert count(Activity) == 49
    assert not db.session.scalar(select(Activity).where(Activity.number == "3.14"))


def test_failed_import_leaves_nothing_behind(app, kostanay, monkeypatch):
    calls = {"n": 0}
    original = importer.sync_obligations

    def fail_halfway(activity, wanted, *waiting):
        calls["n"] += 1
        if calls["n"] == 30:
            raise RuntimeError("disk full")
        return original(activity, wanted, *waiting)

    monkeypatch.setattr(importer, "sync_obligations", fail_halfway)
    with pytest.raises(RuntimeError, match="disk full"):
        importer.import_plan(kostanay, "kostanay.txt")
    assert count(Plan) == 0 and count(Activity) == 0 and count(Body) == 0 and count(Obligation) == 0


def test_pages_list_plans_and_show_activities(app, runner, client, login):
    from datetime import date

    app.config["TODAY"] = date(2023, 1, 1)
    runner.invoke(args=["plans", "import", str(KOSTANAY), str(KARAGANDA)])
    login("auditor")
    page = client.get("/").get_data(as_text=True)
    assert "ведомствоаралық іс-шаралар жоспары" in page and "ЖОЛ КАРТАСЫ" in page
    plan_id = db.session.scalar(select(Plan.id).where(Plan.region == "Қарағанды облысы"))
    response = client.get(f"/plans/{plan_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True).replace("\u202f", " ")  # Babel: narrow no-break space
    assert html.count('<tr id="a-') == 56
    assert "Бала құқықтары жөніндегі уәкіл" in html and "(БҚЖУ)" in html
    assert "2023 ж. 30 қараша" in html  # item 1's next due date, as a coordinator reads dates
    assert "2023 ж. 1 қаңтар — 2025 ж. 31 желтоқсан" in html
    # The engine's findings read in the page's language, the row reference too (Karaganda 50).
    assert "жол: «(келісім бойынша)» алдында орындаушы жоқ" in html
    assert "executor is missing before" not in html and "line " not in html
    assert client.get("/plans/999").status_code == 404
    with app.app_context():  # a fresh context, as a real request has: Flask-Babel caches the locale on it
        russian = client.get(f"/plans/{plan_id}?lang=ru").get_data(as_text=True).replace("\u202f", " ")
    assert "30 ноября 2023 г." in russian
    assert "строка " in russian and "перед «(келісім бойынша)» не указан исполнитель" in russian


def test_a_resolved_warning_stays_resolved_when_the_plan_comes_again(app, runner):
    from datetime import UTC, datetime

    runner.invoke(args=["plans", "import", str(KARAGANDA)])
    warning = db.session.scalars(select(PlanWarning).order_by(PlanWarning.id)).first()
    key = (warning.activity_number, warning.field, warning.message)
    warning.resolved_at = datetime(2026, 11, 1, tzinfo=UTC)
    db.session.commit()
    open_before = db.session.scalar(select(func.count()).where(PlanWarning.resolved_at.is_(None)))
    runner.invoke(args=["plans", "import", str(KARAGANDA)])
    db.session.expire_all()
    again = db.session.scalars(select(PlanWarning).where(
        PlanWarning.activity_number == key[0], PlanWarning.field == key[1], PlanWarning.message == key[2])).all()
    assert len(again) == 1 and again[0].resolved_at is not None
    assert db.session.scalar(select(func.count()).where(PlanWarning.resolved_at.is_(None))) == open_before


def statements_of(work) -> dict[str, int]:
    """The SQL statements `work()` sends, counted by kind and table ("INSERT activity": 1, …); an
    executemany or a multi-row INSERT counts once, as the database sees one statement."""
    import re

    from sqlalchemy import event

    seen: dict[str, int] = {}

    def count(_conn, _cursor, statement, _params, _context, _executemany):
        found = re.match(r'\s*(INSERT INTO|UPDATE|DELETE FROM|SELECT)\s+"?(\w+)', statement)
        key = f"{found.group(1).split()[0]} {found.group(2)}" if found else statement.split()[0]
        seen[key] = seen.get(key, 0) + 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return seen


def test_a_plan_is_stored_by_bulk_inserts_not_a_statement_per_row(app, kostanay):
    """A 200-activity plan (Kostanay's activities four times over): each table's rows go in one or
    two INSERTs (1,000 rows a statement), not one per row, and importing it again takes as few."""
    from dataclasses import replace

    plan = replace(kostanay, activities=[replace(a, number=f"{copy}.{a.number}") for copy in range(4)
                                         for a in kostanay.activities])
    rows = {"activity": 200, "activity_executor": 4 * sum(len(a.executors) for a in kostanay.activities),
            "obligation": 4 * sum(len(a.deadline.due_dates) for a in kostanay.activities)}
    fresh = statements_of(lambda: importer.import_plan(plan, "kostanay-x4.txt"))
    assert (count(Activity), count(ActivityExecutor), count(Obligation)) == tuple(rows.values())
    for table in ("plan", "section", "activity", "activity_executor", "obligation", "plan_warning", "history_entry"):
        assert fresh.get(f"INSERT {table}", 0) <= 2, (table, fresh)
    # what is left grows with the bodies named (a look-up each, created once), not with the rows
    assert sum(fresh.values()) < 100, fresh

    again = statements_of(lambda: importer.import_plan(plan, "kostanay-x4.txt"))
    assert (count(Activity), count(ActivityExecutor), count(Obligation)) == tuple(rows.values())
    assert again.get("INSERT activity_executor", 0) <= 2 and again.get("INSERT plan_warning", 0) <= 2, again
    assert sum(again.values()) < 100, again
    from tracker.history.models import HistoryEntry

    assert list(db.session.scalars(select(HistoryEntry.action).order_by(HistoryEntry.id))) == \
        ["plan.imported", "plan.reimported"]
