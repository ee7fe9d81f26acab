"""An amended plan uploaded again: the preview shows what changes against what the portal holds,
and the coordinator confirms with the amending resolution's number and date, kept in the history."""

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import KOSTANAY
from tests.test_reports import post_report
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.plans.models import Activity, Obligation, Plan

TODAY = date(2026, 11, 23)


def amended_kostanay() -> bytes:
    """Kostanay with 1.1's text changed."""
    text = KOSTANAY.read_text(encoding="utf-8")
    assert "\t1.1.\n\tПедагог" in text
    text = text.replace("\t1.1.\n\tПедагог", "\t1.1.\n\tӨЗГЕРТІЛГЕН: педагог", 1)
    return text.encode()


@pytest.fixture
def portal(app, seed_plans, login, make_user):
    app.config["TODAY"] = TODAY
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    seed_plans(KOSTANAY)
    return db.session.scalar(select(Plan))


def upload(client, data: bytes, name="amended.txt") -> str:
    response = client.post("/import", data={"document": (io.BytesIO(data), name)})
    assert response.status_code == 302, response.get_data(as_text=True)[-800:]
    return response.headers["Location"]


def test_the_preview_shows_the_changes_and_confirming_needs_the_resolution(app, client, login, make_user, portal):
    plan = portal
    # A report on a due date the amendment will drop: 3.14 is removed below, and it has a report.
    removed = db.session.scalar(select(Activity).where(Activity.plan_id == plan.id, Activity.number == "3.14"))
    executor = make_user("executor", body=removed.lead.body)
    login(executor)
    assert post_report(client, removed.obligations[0].id).status_code == 302
    coordinator = login("coordinator")

    text = amended_kostanay().decode()
    cut = text[:text.index("\t3.14.")] + text[text.index("Аббревиатураларды таратып жазу:"):]  # 3.14 is the last row
    location = upload(client, cut.encode())
    page = client.get(location).get_data(as_text=True)
    assert "What the amended plan changes" in page
    assert "ӨЗГЕРТІЛГЕН: педагог" in page and "1.1" in page
    assert "3.14" in page and "kept because they have reports" in page

    before = db.session.scalar(select(func.count()).select_from(HistoryEntry))
    refused = client.post(location, data={})
    assert refused.status_code == 422
    assert "give the number and the date of the resolution" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(HistoryEntry)) == before
    assert "ӨЗГЕРТІЛГЕН" not in db.session.scalar(select(Activity.text).where(
        Activity.plan_id == plan.id, Activity.number == "1.1"))

    future = client.post(location, data={"amendment_number": "№ 45", "amendment_date": "2027-01-01"})
    assert future.status_code == 422 and "in the future" in future.get_data(as_text=True)

    done = client.post(location, data={"amendment_number": "№ 45", "amendment_date": "2026-11-20"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Activity.text).where(Activity.plan_id == plan.id, Activity.number == "1.1")
                             ).startswith("ӨЗГЕРТІЛГЕН")
    # 3.14 has a report: it stays, with a warning, and its report with it.
    assert db.session.scalar(select(Activity).where(Activity.plan_id == plan.id, Activity.number == "3.14"))
    entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.action == "plan.amended"))
    assert entry.user_id == coordinator.id
    assert (entry.details["number"], entry.details["date"]) == ("№ 45", "2026-11-20")
    assert entry.details["changes"]["removed_with_reports"] == ["3.14"]
    assert "1.1" in entry.details["changes"]["changed"]
    assert db.session.scalar(select(func.count()).select_from(Obligation).join(Activity).where(
        Activity.number == "3.14")) >= 1


def test_an_unchanged_upload_needs_no_resolution(app, client, login, portal):
    login("coordinator")
    location = upload(client, KOSTANAY.read_bytes(), "same.txt")
    page = client.get(location).get_data(as_text=True)
    assert "What the amended plan changes" not in page
    assert client.post(location, data={}).status_code == 302
    assert db.session.scalar(select(HistoryEntry.action).order_by(HistoryEntry.id.desc()).limit(1)) == "plan.reimported"
