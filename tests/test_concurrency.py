"""Two coordinators review the same report at the same moment: one wins, the other is told the
report changed meanwhile, and nothing is written twice (optimistic locking on row_version)."""

import threading

import pytest
from flask_sqlalchemy.session import Session
from sqlalchemy import event, func, select

from tests.conftest import KOSTANAY, PASSWORD
from tests.test_reports import post_report
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.plans.models import Obligation
from tracker.reports.models import CompletionReport


@pytest.fixture
def submitted_report(app, seed_plans, make_user):
    seed_plans(KOSTANAY)
    obligation = db.session.scalar(select(Obligation).order_by(Obligation.id))
    executor = make_user("executor", body=obligation.activity.executors[0].body)
    client = app.test_client()
    client.post("/login", data={"email": executor.email, "password": PASSWORD})
    assert post_report(client, obligation.id).status_code == 302
    return db.session.scalar(select(CompletionReport))


def signed_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def test_two_reviews_at_once_one_wins_the_other_is_told(app, make_user, submitted_report):
    report_id, seen = submitted_report.id, submitted_report.row_version
    first, second = make_user("coordinator"), make_user("coordinator")
    clients = [signed_in(app, first), signed_in(app, second)]
    decisions = [{"accept": "x", "comment": ""}, {"send_back": "x", "comment": "Хаттама жоқ"}]

    # Both requests must have read the report before either writes: each waits at its flush
    # until the other has reached it too. Then both UPDATE … WHERE row_version = seen.
    both_read = threading.Barrier(2, timeout=20)

    def wait_for_the_other(session, _context, _instances):
        if any(isinstance(item, CompletionReport) for item in session.dirty):
            both_read.wait()

    answers: list = [None, None]

    def review(index):
        response = clients[index].post(f"/reports/{report_id}/review", data={**decisions[index], "seen_version": seen})
        answers[index] = (response.status_code, response.get_data(as_text=True))

    event.listen(Session, "before_flush", wait_for_the_other)
    try:
        threads = [threading.Thread(target=review, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        event.remove(Session, "before_flush", wait_for_the_other)

    codes = sorted(code for code, _page in answers)
    assert codes == [302, 409], [code for code, _ in answers]
    winner = next(i for i, (code, _page) in enumerate(answers) if code == 302)
    loser_page = next(page for code, page in answers if code == 409)
    db.session.expire_all()
    report = db.session.get(CompletionReport, report_id)
    assert report.state == ("accepted" if winner == 0 else "returned")
    assert report.reviewed_by_id == (first, second)[winner].id
    assert report.row_version == seen + 1
    said = "қабылдады" if winner == 0 else "пысықтауға қайтарды"
    assert (first, second)[winner].email in loser_page and said in loser_page
    assert "ештеңеңіз сақталмады" in loser_page  # nothing you sent was saved
    reviews = db.session.scalar(select(func.count()).select_from(HistoryEntry).where(
        HistoryEntry.action.in_(("report.accepted", "report.returned"))))
    assert reviews == 1


def test_a_review_sent_from_a_page_opened_before_another_review_is_refused(app, make_user, submitted_report):
    report_id, seen = submitted_report.id, submitted_report.row_version
    first, second = signed_in(app, make_user("coordinator")), signed_in(app, make_user("coordinator"))
    assert first.post(f"/reports/{report_id}/review", data={"accept": "x", "seen_version": seen}).status_code == 302
    late = second.post(f"/reports/{report_id}/review",
                       data={"send_back": "x", "comment": "Қайта жасаңыз", "seen_version": seen},
                       headers={"HX-Request": "true", "HX-Target": "obligation"})
    assert late.status_code == 409  # htmx swaps 409 in: the coordinator sees the message in place
    assert "Сіз оқып отырғанда бұл есепті" in late.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CompletionReport, report_id).state == "accepted"
