"""Completion reports through the browser: post, return, correct, accept — and what is refused."""

import html
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import flask_babel
import pytest
from sqlalchemy import func, select

from tests.conftest import KARAGANDA, KOSTANAY, ROOT
from tests.evidence_files import PDF, tiny_pdf
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.plans.models import Activity, Obligation, Plan
from tracker.reports import operations
from tracker.reports.models import CompletionReport, Evidence

TODAY = date(2026, 11, 23)




@dataclass
class Case:
    activity: Activity
    obligation: Obligation
    lead_body: Body
    co_body: Body
    other_body: Body


def import_seeds(seed_plans) -> None:
    seed_plans(KOSTANAY, KARAGANDA)


def lead_case(seed_plans) -> Case:
    """A Kostanay activity whose lead and one co-executor are known bodies; its first due date;
    and a Karaganda body that has nothing to do with it."""
    import_seeds(seed_plans)
    plan = db.session.scalar(select(Plan).where(Plan.source_filename == KOSTANAY.name))
    for item in db.session.scalars(select(Activity).where(Activity.plan_id == plan.id).order_by(Activity.position)):
        lead = item.lead
        co = next((e for e in item.executors if e.role == "co_executor" and e.body_id
                   and e.body_id != getattr(lead, "body_id", None)), None)
        if lead is not None and lead.body_id and co is not None and item.obligations:
            involved = {e.body_id for e in item.executors}
            other = db.session.scalar(select(Body).where(Body.region == "Қарағанды облысы", Body.id.not_in(involved))
                                      .order_by(Body.id).limit(1))
            assert other is not None
            return Case(item, item.obligations[0], lead.body, co.body, other)
    raise AssertionError("no Kostanay activity with a lead and a co-executor")


def post_report(client, obligation_id: int, text: str = "Held a seminar for school psychologists.",
                files=(("protocol.pdf", PDF),), links: str = "", confirm: bool = True, keep=None, headers=None):
    data = {"text": text, "links": links}
    if confirm:
        data["no_personal_data"] = "y"
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    if keep:
        data["keep_evidence"] = [str(i) for i in keep]
    return client.post(f"/obligations/{obligation_id}/reports", data=data, content_type="multipart/form-data",
                       headers=headers or {})


def review(client, report_id: int, accept: bool, comment: str = "", headers=None):
    data = {"comment": comment, ("accept" if accept else "send_back"): "x"}
    return client.post(f"/reports/{report_id}/review", data=data, headers=headers or {})


def page(client, obligation_id: int) -> str:
    response = client.get(f"/obligations/{obligation_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def shown_status(page_html: str) -> str:
    """The status badge in the page's heading."""
    heading = re.search(r"<h1>(.*?)</h1>", page_html, re.S).group(1)
    return re.search(r'class="status status-(\w+)"', heading).group(1)


def history_actions(page_html: str) -> list[str]:
    return re.findall(r'<li data-action="([^"]+)"', page_html)


def error_message(page_html: str) -> str:
    found = re.search(r'<p class="flash error" role="alert">(.*?)</p>', page_html, re.S)
    assert found, "no error message on the page"
    return html.unescape(found.group(1))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored_files(app) -> list[Path]:
    """Evidence files on disk — not those a refused form keeps for its next send (EVIDENCE_DIR/.staged,
    tracker.reports.staged_files; tests/test_staged_files.py)."""
    folder = Path(app.config["EVIDENCE_DIR"])
    return [p for p in folder.rglob("*") if p.is_file() and ".staged" not in p.relative_to(folder).parts
            ] if folder.exists() else []


def lead_reports(obligation) -> list[CompletionReport]:
    return list(db.session.scalars(select(CompletionReport).where(
        CompletionReport.obligation_id == obligation.id, CompletionReport.kind == "lead")
        .order_by(CompletionReport.version)))


def use_english(app) -> None:
    """Pages in English, so that messages can be asserted whatever the Kazakh catalogue says. (The
    tests' requests share one app context, where Flask-Babel keeps the locale it chose first.)"""
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    flask_babel.refresh()


@pytest.fixture(autouse=True)
def english(app):
    use_english(app)


@pytest.fixture
def case(app, runner, seed_plans):
    app.config["TODAY"] = TODAY
    return lead_case(seed_plans)


# --- the journey: submitted → returned → corrected → accepted (late) ----------------------------


def test_done_means_journey(app, client, case, make_user, login):
    obligation = case.obligation
    assert obligation.due_date < TODAY  # the Kostanay plan ran 2019–2021
    executor = login(make_user("executor", body=case.lead_body))
    assert shown_status(page(client, obligation.id)) == "overdue"

    response = post_report(client, obligation.id, text="Held a seminar for school psychologists.",
                           files=[("akt.pdf", PDF)])
    assert response.status_code == 302
    assert response.headers["Location"].split("?")[0].endswith(f"/obligations/{obligation.id}")
    shown = page(client, obligation.id)
    assert shown_status(shown) == "submitted"
    assert "Held a seminar for school psychologists." in shown and "akt.pdf" in shown
    [first] = lead_reports(obligation)
    assert (first.kind, first.version, first.state, first.body_id) == ("lead", 1, "submitted", case.lead_body.id)
    assert first.submitted_on == TODAY and first.submitted_by_id == executor.id and first.no_personal_data
    assert [e.original_name for e in first.evidence] == ["akt.pdf"]
    first_evidence = first.evidence[0]

    coordinator = login("coordinator")
    response = review(client, first.id, accept=False, comment="Attach the signed attendance list.")
    assert response.status_code == 302
    shown = page(client, obligation.id)
    assert shown_status(shown) == "returned"
    assert "Attach the signed attendance list." in shown
    db.session.refresh(first)
    assert (first.state, first.reviewed_by_id, first.reviewed_on) == ("returned", coordinator.id, TODAY)

    app.config["TODAY"] = TODAY + timedelta(days=2)
    login(executor)
    shown = page(client, obligation.id)
    # the corrected version is offered with the returned one's text and files
    assert re.search(rf'name="keep_evidence"[^>]*value="{first_evidence.id}"', shown) or \
        re.search(rf'value="{first_evidence.id}"[^>]*name="keep_evidence"', shown)
    response = post_report(client, obligation.id, text="Held a seminar; the attendance list is attached.",
                           files=[("attendance.pdf", tiny_pdf("Attendance"))], keep=[first_evidence.id])
    assert response.status_code == 302, error_message(response.get_data(as_text=True))
    first_again, second = lead_reports(obligation)
    assert first_again.state == "returned"  # the returned version is kept as it was
    assert (second.version, second.previous_id, second.state) == (2, first.id, "submitted")
    assert second.submitted_on == TODAY + timedelta(days=2)
    assert sorted(e.original_name for e in second.evidence) == ["akt.pdf", "attendance.pdf"]
    carried = next(e for e in second.evidence if e.original_name == "akt.pdf")
    assert carried.id != first_evidence.id and carried.stored_name == first_evidence.stored_name
    assert carried.sha256 == first_evidence.sha256
    assert shown_status(page(client, obligation.id)) == "submitted"

    app.config["TODAY"] = TODAY + timedelta(days=4)
    login(coordinator)
    response = review(client, second.id, accept=True)
    assert response.status_code == 302
    shown = page(client, obligation.id)
    assert shown_status(shown) == "done_late"
    assert operations.statuses([obligation]) == {obligation.id: "done_late"}
    db.session.refresh(second)
    assert (second.state, second.reviewed_on) == ("accepted", TODAY + timedelta(days=4))
    assert history_actions(shown) == ["report.accepted", "report.resubmitted", "report.returned", "report.submitted"]

    # the same rows replay every earlier day
    assert operations.statuses([obligation], as_of=TODAY - timedelta(days=1)) == {obligation.id: "overdue"}
    assert operations.statuses([obligation], as_of=TODAY) == {obligation.id: "returned"}
    assert operations.statuses([obligation], as_of=TODAY + timedelta(days=1)) == {obligation.id: "returned"}
    assert operations.statuses([obligation], as_of=TODAY + timedelta(days=3)) == {obligation.id: "submitted"}
    assert operations.statuses([obligation], as_of=TODAY + timedelta(days=4)) == {obligation.id: "done_late"}


@pytest.mark.parametrize(("accepted_after_due", "expected"), [(-5, "done"), (0, "done"), (1, "done_late")])
def test_on_time_journey(app, client, case, make_user, login, accepted_after_due, expected):
    obligation = case.obligation
    due = obligation.due_date
    app.config["TODAY"] = due - timedelta(days=10)
    executor = login(make_user("executor", body=case.lead_body))
    assert shown_status(page(client, obligation.id)) == "due_soon"
    assert post_report(client, obligation.id).status_code == 302
    assert shown_status(page(client, obligation.id)) == "submitted"

    app.config["TODAY"] = due + timedelta(days=accepted_after_due)
    login("coordinator")
    assert review(client, lead_reports(obligation)[0].id, accept=True).status_code == 302
    assert shown_status(page(client, obligation.id)) == expected

    app.config["TODAY"] = due + timedelta(days=365)  # a year on, still the same
    assert operations.statuses([obligation]) == {obligation.id: expected}
    assert operations.statuses([obligation], as_of=due - timedelta(days=20)) == {obligation.id: "upcoming"}
    assert executor.id == lead_reports(obligation)[0].submitted_by_id


def test_htmx_gets_the_fragment(client, case, make_user, login):
    obligation = case.obligation
    login(make_user("executor", body=case.lead_body))
    response = post_report(client, obligation.id, headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and "<body" not in fragment
    assert shown_status(fragment) == "submitted"
    assert "Report submitted." in fragment
    assert "<html" in page(client, obligation.id)  # the whole page without the header

    login("coordinator")
    report = lead_reports(obligation)[0]
    response = review(client, report.id, accept=False, comment="Missing the protocol.", headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and shown_status(fragment) == "returned"
    assert "Missing the protocol." in fragment


# --- co-executors ----------------------------------------------------------------------------


def test_contribution_is_shown_to_the_lead_and_does_not_change_the_status(client, case, make_user, login):
    obligation = case.obligation
    login(make_user("executor", body=case.co_body))
    shown = page(client, obligation.id)
    assert "post-report" in shown
    response = post_report(client, obligation.id, text="Our department held two parent meetings.", files=())
    assert response.status_code == 302, error_message(response.get_data(as_text=True))
    [contribution] = db.session.scalars(select(CompletionReport)).all()
    assert (contribution.kind, contribution.body_id, contribution.state) == ("contribution", case.co_body.id,
                                                                             "submitted")
    assert operations.statuses([obligation]) == {obligation.id: "overdue"}

    login(make_user("executor", body=case.lead_body))
    shown = page(client, obligation.id)
    assert shown_status(shown) == "overdue"
    assert "Our department held two parent meetings." in shown
    assert 'class="report report-contribution' in shown
    assert "go into your consolidated report" in html.unescape(shown)
    assert "report.contributed" in history_actions(shown)
    # contributions are not reviewed
    login("coordinator")
    response = review(client, contribution.id, accept=True)
    assert response.status_code == 422
    assert "not reviewed" in error_message(response.get_data(as_text=True))
    db.session.refresh(contribution)
    assert contribution.state == "submitted" and contribution.reviewed_at is None


def test_lead_cannot_post_again_while_a_report_awaits_review(client, case, make_user, login):
    obligation = case.obligation
    login(make_user("executor", body=case.lead_body))
    assert post_report(client, obligation.id).status_code == 302
    assert "post-report" not in page(client, obligation.id)
    files_before = count(Evidence)
    response = post_report(client, obligation.id, text="A second try.")
    assert response.status_code == 422
    assert "awaits review" in error_message(response.get_data(as_text=True))
    assert len(lead_reports(obligation)) == 1 and count(Evidence) == files_before


def test_co_executor_may_contribute_while_the_lead_report_awaits_review(client, case, make_user, login):
    obligation = case.obligation
    login(make_user("executor", body=case.lead_body))
    assert post_report(client, obligation.id).status_code == 302
    login(make_user("executor", body=case.co_body))
    assert post_report(client, obligation.id, text="Our part is done.", files=()).status_code == 302
    assert count(CompletionReport) == 2
    assert operations.statuses([obligation]) == {obligation.id: "submitted"}


def test_nobody_can_post_after_acceptance(client, case, make_user, login):
    obligation = case.obligation
    lead = make_user("executor", body=case.lead_body)
    co = make_user("executor", body=case.co_body)
    login(lead)
    assert post_report(client, obligation.id).status_code == 302
    login("coordinator")
    assert review(client, lead_reports(obligation)[0].id, accept=True).status_code == 302
    reports_before, files_before = count(CompletionReport), count(Evidence)
    for user in (lead, co):
        login(user)
        assert "post-report" not in page(client, obligation.id)
        response = post_report(client, obligation.id, text="Something more.")
        assert response.status_code == 422
        assert "already accepted" in error_message(response.get_data(as_text=True))
    assert (count(CompletionReport), count(Evidence)) == (reports_before, files_before)
    assert operations.statuses([obligation]) == {obligation.id: "done_late"}


def test_a_report_cannot_be_reviewed_twice(client, case, make_user, login):
    obligation = case.obligation
    login(make_user("executor", body=case.lead_body))
    post_report(client, obligation.id)
    login("coordinator")
    report_id = lead_reports(obligation)[0].id
    assert review(client, report_id, accept=True).status_code == 302
    response = review(client, report_id, accept=False, comment="Changed my mind.")
    assert response.status_code == 409
    assert "was accepted by" in error_message(response.get_data(as_text=True))
    assert lead_reports(obligation)[0].state == "accepted"


def test_returning_needs_a_comment(client, case, make_user, login):
    obligation = case.obligation
    login(make_user("executor", body=case.lead_body))
    post_report(client, obligation.id)
    login("coordinator")
    response = review(client, lead_reports(obligation)[0].id, accept=False, comment="  ")
    assert response.status_code == 422
    assert "comment is empty" in error_message(response.get_data(as_text=True))
    assert lead_reports(obligation)[0].state == "submitted"


# --- who may post and review ---------------------------------------------------------------------


def test_executor_of_an_unrelated_body_gets_403(app, client, case, make_user, login):
    obligation = case.obligation
    login(make_user("executor", body=case.other_body))
    shown = page(client, obligation.id)
    assert "post-report" not in shown
    response = post_report(client, obligation.id)
    assert response.status_code == 403
    assert count(CompletionReport) == 0 and stored_files(app) == []


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_only_executors_post_reports(app, client, case, login, role):
    login(role)
    assert post_report(client, case.obligation.id).status_code == 403
    assert count(CompletionReport) == 0 and stored_files(app) == []


def test_executors_cannot_review(client, case, make_user, login):
    obligation = case.obligation
    login(make_user("executor", body=case.lead_body))
    post_report(client, obligation.id)
    report_id = lead_reports(obligation)[0].id
    assert review(client, report_id, accept=True).status_code == 403
    assert lead_reports(obligation)[0].state == "submitted"


# --- what a report must have -----------------------------------------------------------------------


def test_empty_text_is_refused_and_nothing_is_stored(app, client, case, make_user, login):
    login(make_user("executor", body=case.lead_body))
    response = post_report(client, case.obligation.id, text="   ")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # The message stands under the field it concerns, and the file sent with it is kept for the next send.
    assert re.search(r'<div class="field invalid">\s*<label for="text">.*?<p class="error" role="alert">This field is '
                     r'required.</p>', page, re.S)
    assert re.search(r'id="staged-files">.*?<span class="file-name">protocol.pdf</span>', page, re.S)
    assert count(CompletionReport) == 0 and count(Evidence) == 0 and stored_files(app) == []


def test_missing_confirmation_is_refused_and_nothing_is_stored(app, client, case, make_user, login):
    login(make_user("executor", body=case.lead_body))
    response = post_report(client, case.obligation.id, confirm=False)
    assert response.status_code == 422
    assert "Confirm that the report names no minor" in error_message(response.get_data(as_text=True))
    assert count(CompletionReport) == 0 and count(Evidence) == 0 and stored_files(app) == []


def test_lead_report_needs_a_file_or_a_link(app, client, case, make_user, login):
    obligation = case.obligation
    login(make_user("executor", body=case.lead_body))
    response = post_report(client, obligation.id, files=())
    assert response.status_code == 422
    assert "at least one evidence file or give a link" in error_message(response.get_data(as_text=True))
    assert count(CompletionReport) == 0

    response = post_report(client, obligation.id, files=(), links="https://edu.test.example/news/42\n")
    assert response.status_code == 302
    [report] = lead_reports(obligation)
    assert report.links == ["https://edu.test.example/news/42"] and report.evidence == []
    assert "https://edu.test.example/news/42" in page(client, obligation.id)


@pytest.mark.parametrize(("links", "number", "bad"), [
    ("ftp://x", 1, "ftp://x"),
    ("https://ok.test.example/a\nnot a link", 2, "not a link"),
])
def test_links_are_checked(app, client, case, make_user, login, links, number, bad):
    login(make_user("executor", body=case.lead_body))
    response = post_report(client, case.obligation.id, links=links)
    assert response.status_code == 422
    message = error_message(response.get_data(as_text=True))
    assert f"Link {number} («{bad}»)" in message and "http://" in message
    assert count(CompletionReport) == 0 and stored_files(app) == []


# --- evidence on disk and its download ----------------------------------------------------------------


def test_evidence_is_stored_under_a_generated_name_outside_static(app, client, case, make_user, login):
    login(make_user("executor", body=case.lead_body))
    assert post_report(client, case.obligation.id, files=[("Акт семинара.pdf", PDF)]).status_code == 302
    [item] = db.session.scalars(select(Evidence)).all()
    assert item.original_name == "Акт семинара.pdf"
    assert re.fullmatch(rf"{TODAY.year}/[0-9a-f]{{32}}\.pdf", item.stored_name)
    assert "семинар" not in item.stored_name
    path = Path(app.config["EVIDENCE_DIR"]) / item.stored_name
    assert path.read_bytes() == PDF
    assert stored_files(app) == [path]
    assert (ROOT / "static").resolve() not in path.resolve().parents
    assert (item.kind, item.content_type, item.size) == ("pdf", "application/pdf", len(PDF))
    assert client.get(f"/static/{item.stored_name}").status_code == 404


def test_evidence_download_is_for_signed_in_users(client, case, make_user, login):
    login(make_user("executor", body=case.lead_body))
    post_report(client, case.obligation.id, files=[("akt.pdf", PDF)])
    [item] = db.session.scalars(select(Evidence)).all()
    for who in ("coordinator", make_user("executor", body=case.other_body)):
        login(who)
        response = client.get(f"/evidence/{item.id}")
        assert response.status_code == 200
        assert response.data == PDF
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert "akt.pdf" in response.headers["Content-Disposition"]
        response.close()
    assert client.get(f"/evidence/{item.id + 1000}").status_code == 404

    client.post("/logout")
    response = client.get(f"/evidence/{item.id}")
    assert response.status_code == 302
    assert response.headers["Location"].split("?")[0].endswith("/login")
