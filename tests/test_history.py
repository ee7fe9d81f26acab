"""The append-only history: recorded with each change, shown on the pages, never rewritten."""

import re
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import func, select, text

from tests.conftest import KOSTANAY
from tests.test_reports import TODAY, history_actions, lead_case, post_report, review, use_english
from tracker import history
from tracker.extensions import db
from tracker.history import HistoryIsAppendOnly
from tracker.history.models import HistoryEntry
from tracker.plans.models import Activity, Plan


def entries(**where) -> list[HistoryEntry]:
    query = select(HistoryEntry).order_by(HistoryEntry.id)
    for name, value in where.items():
        query = query.where(getattr(HistoryEntry, name) == value)
    return list(db.session.scalars(query))


def import_kostanay(runner) -> Plan:
    result = runner.invoke(args=["plans", "import", str(KOSTANAY)])
    assert result.exit_code == 0, result.output
    return db.session.scalar(select(Plan).where(Plan.source_filename == KOSTANAY.name))


# --- imports -------------------------------------------------------------------------------------------


def test_import_records_plan_imported_by_the_command_line(runner):
    plan = import_kostanay(runner)
    [entry] = entries(plan_id=plan.id)
    assert (entry.action, entry.actor, entry.user_id) == ("plan.imported", "command line", None)
    assert entry.details["file"] == KOSTANAY.name
    assert entry.details["activities"] == len(plan.activities) == 50
    assert entry.activity_id is None and entry.obligation_id is None


def test_reimport_records_plan_reimported(runner):
    plan = import_kostanay(runner)
    again = import_kostanay(runner)
    assert again.id == plan.id
    assert [(e.action, e.actor) for e in entries(plan_id=plan.id)] == [
        ("plan.imported", "command line"), ("plan.reimported", "command line")]


# --- record() and the pages ------------------------------------------------------------------------------


def test_recorded_entries_appear_on_the_activity_and_plan_pages(app, client, runner, login):
    use_english(app)
    plan = import_kostanay(runner)
    item = db.session.scalar(select(Activity).where(Activity.plan_id == plan.id, Activity.number == "1.4"))
    other = db.session.scalar(select(Activity).where(Activity.plan_id == plan.id, Activity.number == "1.5"))
    entry = history.record("activity.edited", activity=item,
                           changes={"deadline_text": ("жыл сайын", "тоқсан сайын"), "text": ("same", "same")})
    db.session.commit()
    assert (entry.plan_id, entry.activity_id, entry.actor) == (plan.id, item.id, "command line")
    assert entry.changes == {"deadline_text": ["жыл сайын", "тоқсан сайын"]}  # unchanged fields are left out

    login("coordinator")
    shown = client.get(f"/activities/{item.id}").get_data(as_text=True)
    assert history_actions(shown) == ["activity.edited"]
    listed = shown[shown.index('<section class="history"'):]
    assert "<del>жыл сайын</del>" in listed and "<ins>тоқсан сайын</ins>" in listed
    assert listed.count("<del>") == 1  # the unchanged text is not listed as a change
    assert history_actions(client.get(f"/activities/{other.id}").get_data(as_text=True)) == []

    shown = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert history_actions(shown) == ["activity.edited", "plan.imported"]  # newest first
    assert "тоқсан сайын" in shown


def test_report_entries_name_who_acted_and_reach_the_activity_page(app, client, runner, make_user, login, seed_plans):
    use_english(app)
    app.config["TODAY"] = TODAY
    case = lead_case(seed_plans)
    executor = login(make_user("executor", body=case.lead_body))
    assert post_report(client, case.obligation.id).status_code == 302
    coordinator = login("coordinator")
    report_entry = entries(action="report.submitted")[0]
    assert review(client, report_entry.report_id, accept=True).status_code == 302

    recorded = entries(obligation_id=case.obligation.id)
    assert [(e.action, e.actor, e.user_id) for e in recorded] == [
        ("report.submitted", executor.email, executor.id), ("report.accepted", coordinator.email, coordinator.id)]
    assert all((e.plan_id, e.activity_id, e.body_id) == (case.activity.plan_id, case.activity.id,
                                                            case.lead_body.id) for e in recorded)
    assert recorded[0].details["files"] == ["protocol.pdf"]
    assert recorded[0].details["due_date"] == case.obligation.due_date.isoformat()

    shown = client.get(f"/activities/{case.activity.id}").get_data(as_text=True)
    assert history_actions(shown) == ["report.accepted", "report.submitted"]
    assert executor.email in shown and coordinator.email in shown
    assert "report.accepted" in history_actions(client.get(f"/plans/{case.activity.plan_id}").get_data(as_text=True))


def test_record_refuses_an_unknown_action(app):
    with pytest.raises(AssertionError):
        history.record("plan.deleted")


# --- nobody rewrites the past ---------------------------------------------------------------------------


@pytest.fixture
def entry(runner) -> HistoryEntry:
    plan = import_kostanay(runner)
    return entries(plan_id=plan.id)[0]


def test_the_orm_refuses_to_change_an_entry(entry):
    entry.actor = "someone else"
    with pytest.raises(HistoryIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(HistoryEntry, entry.id).actor == "command line"


def test_the_orm_refuses_to_delete_an_entry(entry):
    db.session.delete(entry)
    with pytest.raises(HistoryIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(HistoryEntry, entry.id) is not None


def test_the_orm_still_appends(entry):
    history.record("plan.edited", changes={"title": ("before", "after")})
    db.session.commit()
    assert [e.action for e in entries()] == ["plan.imported", "plan.edited"]


@pytest.mark.parametrize("statement", [
    "UPDATE history_entry SET actor = 'someone else' WHERE id = :id",
    "UPDATE history_entry SET action = 'plan.edited'",
    "DELETE FROM history_entry WHERE id = :id",
    "DELETE FROM history_entry",
])
def test_the_database_refuses_updates_and_deletes(entry, statement):
    entry_id, before = entry.id, db.session.scalar(select(func.count()).select_from(HistoryEntry))
    db.session.commit()
    with pytest.raises(sqlalchemy.exc.DBAPIError) as refused:
        db.session.execute(text(statement), {"id": entry_id})
        db.session.flush()
    assert "history entries are never changed or deleted" in str(refused.value)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(HistoryEntry)) == before
    row = db.session.execute(text("SELECT actor, action FROM history_entry WHERE id = :id"), {"id": entry_id}).one()
    assert tuple(row) == ("command line", "plan.imported")


def test_the_database_still_accepts_inserts(entry):
    db.session.execute(text(
        "INSERT INTO history_entry (at, actor, action, details, changes) "
        "VALUES (CURRENT_TIMESTAMP, 'command line', 'plan.edited', '{}', '{}')"))
    db.session.commit()
    assert [e.action for e in entries()] == ["plan.imported", "plan.edited"]


def test_every_action_the_history_knows_is_said_in_words_on_the_pages(app):
    """A history list never shows a raw action name ("subreport.returned"): each action the portal
    records has its label in templates/history/_list.html, and each package's own list of actions
    is part of the one every entry is checked against."""
    from tracker.delegation import ACTIONS as CHAIN_ACTIONS
    from tracker.indicators.operations import INDICATOR_ACTIONS

    template = (Path(app.root_path).parent / "templates" / "history" / "_list.html").read_text(encoding="utf-8")
    labelled = set(re.findall(r'"([a-z_]+\.[a-z_]+)": _\(', template))
    assert set(history.ACTIONS) - labelled == set()
    assert set(CHAIN_ACTIONS) | set(INDICATOR_ACTIONS) <= set(history.ACTIONS)
    recorded = set()
    for source in Path(app.root_path).rglob("*.py"):
        recorded |= set(re.findall(r'history\.record\(\s*"([a-z_]+\.[a-z_]+)"', source.read_text(encoding="utf-8")))
    assert recorded and recorded <= set(history.ACTIONS)
