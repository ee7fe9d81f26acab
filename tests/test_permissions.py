"""The permission matrix: every route of the portal, every role, the answer each one gets.

The table below is the specification. A route added to the app without a row here makes
`test_every_route_is_in_the_table` fail, so nobody ships a page whose access was never decided.

Each role runs against its own fresh database (the `app` fixture is function-scoped), so one
role's successful POST never changes the answer another role gets. Within one role the requests
run in the table's order: GETs first, then POSTs, with the staged import confirmed after the
preview was read and after every other write, and sign-in/sign-out last. A POST that uses up what
it acts on (a feed revoked, a calendar day removed, notifications marked read) acts on something
no later request of the run needs.
"""

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from flask import current_app, url_for
from sqlalchemy import func, select
from wtforms import BooleanField, FieldList, FileField, FormField, SubmitField

from tests.conftest import KOSTANAY, PASSWORD
from tests.evidence_files import PDF
from tracker.auth.models import User
from tracker.control import operations as control_operations
from tracker.core.clock import today
from tracker.delegation import operations as delegation_operations
from tracker.delegation import registry
from tracker.delegation.models import DelegationFile
from tracker.executors import districts
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.feeds import operations as feed_operations
from tracker.feeds.models import FeedScope
from tracker.history.models import HistoryEntry
from tracker.indicators import operations as indicator_operations
from tracker.indicators import spreadsheet
from tracker.indicators.routes import _prefix as proposal_prefix
from tracker.jobs import exports, queue
from tracker.letters import operations as letter_operations
from tracker.letters.forms import PreviewForm
from tracker.letters.forms import form_data as letter_form_data
from tracker.letters.models import Letter
from tracker.mail import batch
from tracker.mail.models import Delivery, MailPreference, OutgoingMessage
from tracker.plans import operations as plan_operations
from tracker.plans.engine.convert import SOFFICE_ENV
from tracker.plans.models import Activity, ActivityExecutor, Obligation, Plan, PlanWarning
from tracker.reports import operations as report_operations
from tracker.work.models import Notification

LETTERS = Path(__file__).resolve().parent / "letters"
#: a stored letter (its covering letter is proposed to be passed down) …
PROGRAMME = LETTERS / "police-programme-000.txt"
#: … and one staged for the coordinator's preview and confirmation
MINISTRY = LETTERS / "ministry-assignment-002.txt"
REGION = "Қостанай облысы"

ROLES = ("anonymous", "admin", "coordinator", "auditor", "executor_lead", "executor_other")


#  (endpoint, method): answers of (anonymous, admin, coordinator, auditor, executor_lead, executor_other)
#  302 for anonymous is the redirect to /login; 302 for a signed-in role is the success redirect.
EXPECTED: dict[tuple[str, str], tuple[int, int, int, int, int, int]] = {
    # --- reading: every signed-in role ---------------------------------------------------------
    ("progress.index", "GET"):           (302, 200, 200, 200, 200, 200),
    ("progress.plan", "GET"):            (302, 200, 200, 200, 200, 200),
    ("progress.activity", "GET"):        (302, 200, 200, 200, 200, 200),
    ("reports.obligation", "GET"):    (302, 200, 200, 200, 200, 200),
    ("reports.download", "GET"):      (302, 200, 200, 200, 200, 200),
    ("auth.password", "GET"):         (302, 200, 200, 200, 200, 200),
    ("auth.login", "GET"):            (200, 302, 302, 302, 302, 302),
    ("dashboard.index", "GET"):       (302, 200, 200, 200, 200, 200),
    ("dashboard.overdue_of", "GET"):  (302, 200, 200, 200, 200, 200),
    ("dashboard.body", "GET"):        (302, 200, 200, 200, 200, 200),
    ("dashboard.plan_charts", "GET"): (302, 200, 200, 200, 200, 200),
    ("export.workbook", "GET"):       (302, 200, 200, 200, 200, 200),
    ("export.table_csv", "GET"):      (302, 200, 200, 200, 200, 200),
    ("auth.account", "GET"):          (302, 200, 200, 200, 200, 200),
    ("control.calendar", "GET"):      (302, 200, 200, 200, 200, 200),
    ("delegation.show", "GET"):       (302, 200, 200, 200, 200, 200),
    ("delegation.quote", "GET"):      (302, 200, 200, 200, 200, 200),
    ("delegation.download", "GET"):   (302, 200, 200, 200, 200, 200),
    ("delegation.body_chain", "GET"): (302, 200, 200, 200, 200, 200),
    ("indicators.plan_indicators", "GET"): (302, 200, 200, 200, 200, 200),
    ("indicators.indicator", "GET"):  (302, 200, 200, 200, 200, 200),
    ("indicators.template", "GET"):   (302, 200, 200, 200, 200, 200),
    ("indicators.download", "GET"):   (302, 200, 200, 200, 200, 200),
    ("letters.show", "GET"):          (302, 200, 200, 200, 200, 200),
    ("reporting.plan_docx", "GET"):   (302, 200, 200, 200, 200, 200),
    ("reporting.body_docx", "GET"):   (302, 200, 200, 200, 200, 200),
    ("reporting.changes", "GET"):     (302, 200, 200, 200, 200, 200),
    # past the gate, 503: LibreOffice is switched off here (no_libreoffice), so the answer is the
    # same on every machine and no role waits for a conversion
    ("reporting.plan_pdf", "GET"):    (302, 503, 503, 503, 503, 503),
    ("reporting.body_pdf", "GET"):    (302, 503, 503, 503, 503, 503),
    ("work.notifications", "GET"):    (302, 200, 200, 200, 200, 200),
    # starting a background workbook: everyone, on to the job's page
    ("jobs.new_export", "GET"):       (302, 302, 302, 302, 302, 302),
    # --- the calendar feed: its secret URL is the key, for anyone holding it ------------------------
    ("feeds.feed", "GET"):            (200, 200, 200, 200, 200, 200),
    # --- one's own things: the account that owns them (and, for a workbook, administrators); another
    # account's is not found (404), so nobody learns which ids exist ------------------------------
    ("jobs.export_job", "GET"):       (302, 200, 404, 404, 200, 404),
    ("jobs.export_progress", "GET"):  (302, 200, 404, 404, 200, 404),
    ("jobs.export_download", "GET"):  (302, 200, 404, 404, 200, 404),
    ("work.open_notification", "GET"): (302, 404, 404, 404, 302, 404),
    # --- landing pages: an executor's work, the coordinator's review inbox ------------------------
    ("work.my_work", "GET"):          (302, 403, 403, 403, 200, 200),
    ("work.inbox", "GET"):            (302, 403, 200, 403, 403, 403),
    # --- plan editing pages: the coordinator only ---------------------------------------------
    ("plans.edit_activity", "GET"):   (302, 403, 200, 403, 403, 403),
    ("plans.edit_plan", "GET"):       (302, 403, 200, 403, 403, 403),
    ("plans.new_plan", "GET"):        (302, 403, 200, 403, 403, 403),
    ("plans.new_activity", "GET"):    (302, 403, 200, 403, 403, 403),
    ("plans.upload", "GET"):          (302, 403, 200, 403, 403, 403),
    ("plans.preview", "GET"):         (302, 403, 200, 403, 403, 403),
    ("indicators.edit", "GET"):       (302, 403, 200, 403, 403, 403),
    ("letters.upload", "GET"):        (302, 403, 200, 403, 403, 403),
    ("letters.preview", "GET"):       (302, 403, 200, 403, 403, 403),
    # --- administration pages: the administrator only ----------------------------------------
    ("admin.users", "GET"):            (302, 200, 403, 403, 403, 403),
    ("admin.new_user", "GET"):         (302, 200, 403, 403, 403, 403),
    ("admin.edit_user", "GET"):        (302, 200, 403, 403, 403, 403),
    ("admin.bodies", "GET"):           (302, 200, 403, 403, 403, 403),
    ("admin.edit_body", "GET"):        (302, 200, 403, 403, 403, 403),
    ("districts.index", "GET"):        (302, 200, 403, 403, 403, 403),
    ("districts.import_organisations", "GET"): (302, 200, 403, 403, 403, 403),
    ("districts.place", "GET"):        (302, 200, 403, 403, 403, 403),
    ("mail.outbox", "GET"):            (302, 200, 403, 403, 403, 403),
    ("mail.message", "GET"):           (302, 200, 403, 403, 403, 403),
    ("mail.message_file", "GET"):      (302, 200, 403, 403, 403, 403),
    # --- plan writes: the coordinator only -----------------------------------------------------
    ("plans.edit_activity", "POST"):  (302, 403, 302, 403, 403, 403),
    ("plans.set_executors", "POST"):  (302, 403, 302, 403, 403, 403),
    ("plans.assign_executor", "POST"): (302, 403, 302, 403, 403, 403),
    ("plans.resolve_warning", "POST"): (302, 403, 302, 403, 403, 403),
    ("plans.edit_plan", "POST"):      (302, 403, 302, 403, 403, 403),
    ("plans.new_plan", "POST"):       (302, 403, 302, 403, 403, 403),
    ("plans.new_activity", "POST"):   (302, 403, 302, 403, 403, 403),
    ("plans.upload", "POST"):         (302, 403, 302, 403, 403, 403),
    ("plans.confirm", "POST"):        (302, 403, 302, 403, 403, 403),
    ("indicators.add_text", "POST"):  (302, 403, 302, 403, 403, 403),
    ("indicators.confirm", "POST"):   (302, 403, 302, 403, 403, 403),
    ("indicators.dismiss", "POST"):   (302, 403, 302, 403, 403, 403),
    ("indicators.edit", "POST"):      (302, 403, 302, 403, 403, 403),
    ("letters.upload", "POST"):       (302, 403, 302, 403, 403, 403),
    ("letters.confirm", "POST"):      (302, 403, 302, 403, 403, 403),
    # --- items on control: the coordinator decides (take off and put back run on the same plan) ---
    ("control.decide_extension", "POST"):    (302, 403, 302, 403, 403, 403),
    ("control.take_off_control", "POST"):    (302, 403, 302, 403, 403, 403),
    ("control.put_back_on_control", "POST"): (302, 403, 302, 403, 403, 403),
    ("control.record_event", "POST"):        (302, 403, 302, 403, 403, 403),
    ("control.set_calendar_day", "POST"):    (302, 403, 302, 403, 403, 403),
    ("control.remove_calendar_day", "POST"): (302, 403, 302, 403, 403, 403),
    # the lead body's staff ask; the refusal of everyone else is the form's page (422, nothing
    # stored: "Only the lead executor's staff may ask for an extension."), not the 403 page
    ("control.request_extension", "POST"):   (302, 422, 422, 422, 302, 422),
    # --- reports: the lead body posts, the coordinator reviews --------------------------------
    ("reports.post_report", "POST"):  (302, 403, 403, 403, 302, 403),
    ("reports.review", "POST"):       (302, 403, 302, 403, 403, 403),
    ("indicators.post_actual", "POST"): (302, 403, 403, 403, 302, 403),
    ("indicators.review", "POST"):    (302, 403, 302, 403, 403, 403),
    # the preview of a spreadsheet of actuals (200): an executor of a body that reports one of the
    # plan's indicators; storing it: any executor's account, for its own staged file only (another
    # account finds no file of its own under the token: a flash and back, nothing stored)
    ("indicators.upload", "POST"):    (302, 403, 403, 403, 200, 403),
    ("indicators.confirm_upload", "POST"): (302, 403, 403, 403, 302, 403),
    # --- the chain: the lead body hands down and reviews what came up; only the body a sub-obligation
    # was handed to reports on it or hands it further (none of these roles: see
    # tests/test_delegation_ownership.py for that body's own answers) ------------------------------
    ("delegation.delegate_obligation", "POST"): (302, 403, 403, 403, 302, 403),
    ("delegation.delegate_further", "POST"):    (302, 403, 403, 403, 403, 403),
    ("delegation.post_report", "POST"):         (302, 403, 403, 403, 403, 403),
    ("delegation.review", "POST"):              (302, 403, 403, 403, 302, 403),
    # a collective executor's expansion: the coordinator, or the body above its members (the lead)
    ("delegation.expand", "POST"):              (302, 403, 302, 403, 302, 403),
    # a covering letter passes down by its signing body's executors (Zhambyl's education
    # department: neither executor here, hence the letter page's refusal, 422); other roles 403
    ("letters.pass_down", "POST"):              (302, 403, 403, 403, 422, 422),
    # --- administration writes -----------------------------------------------------------------
    ("admin.new_user", "POST"):        (302, 302, 403, 403, 403, 403),
    ("admin.edit_user", "POST"):       (302, 302, 403, 403, 403, 403),
    ("admin.edit_body", "POST"):       (302, 302, 403, 403, 403, 403),
    ("districts.index", "POST"):       (302, 302, 403, 403, 403, 403),
    ("districts.create_members", "POST"): (302, 302, 403, 403, 403, 403),
    ("districts.import_organisations", "POST"): (302, 302, 403, 403, 403, 403),
    ("districts.place", "POST"):       (302, 302, 403, 403, 403, 403),
    ("jobs.send_failed_again", "POST"): (302, 302, 403, 403, 403, 403),
    # --- one's own account: reminders, feeds, notifications — everybody signed in; a feed of
    # another account is not found -----------------------------------------------------------------
    ("mail.set_preference", "POST"):  (302, 302, 302, 302, 302, 302),
    ("feeds.make_feed", "POST"):      (302, 302, 302, 302, 302, 302),
    ("feeds.regenerate_feed", "POST"): (302, 404, 404, 404, 302, 404),
    ("feeds.revoke_feed", "POST"):    (302, 404, 404, 404, 302, 404),
    ("work.mark_all_read", "POST"):   (302, 302, 302, 302, 302, 302),
    # --- one's own session and password: everybody signed in ----------------------------------
    ("auth.password", "POST"):        (302, 302, 302, 302, 302, 302),
    ("auth.login", "POST"):           (302, 302, 302, 302, 302, 302),
    ("auth.logout", "POST"):          (302, 302, 302, 302, 302, 302),
}

#: the history actions each role's successful requests leave (and nothing else)
EXPECTED_HISTORY = {
    "anonymous": set(),
    "admin": {"account.created", "account.edited", "account.password_changed",
              "districts.corrected", "districts.bodies_created", "organisations.imported"},
    # the staged plan, imported again after the coordinator's corrections (its executors set, an
    # activity added), is an amendment of the plan: "plan.amended"; the letter's assignments are
    # new plans: "plan.imported"
    "coordinator": {"activity.edited", "executor.assigned", "warning.resolved", "plan.created", "activity.added",
                    "plan.amended", "report.accepted", "account.password_changed",
                    "indicator.text_added", "indicator.confirmed", "indicator.dismissed", "actual.accepted",
                    "plan.imported", "extension.approved", "control.taken_off", "control.put_back", "event.recorded",
                    "calendar.day_set", "calendar.day_removed", "delegation.group_expanded"},
    "auditor": {"account.password_changed"},
    "executor_lead": {"report.submitted", "account.password_changed", "extension.requested", "actual.submitted",
                      "delegation.created", "subreport.accepted", "delegation.group_expanded"},
    "executor_other": {"account.password_changed"},
}


def routes(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_is_in_the_table(app):
    assert routes(app) == set(EXPECTED)


@pytest.fixture(autouse=True)
def queue_in_memory():
    """Background work queued by these requests (a workbook, mail sent again) goes to a queue of
    this test's own, in memory: nothing is written under instance/, nothing runs."""
    before = queue.huey.url
    queue.huey.configure(None)
    queue.huey.configure("memory://")
    yield
    queue.huey.configure(before)


@pytest.fixture(autouse=True)
def no_libreoffice(monkeypatch):
    """No PDF conversions: past the permission check a PDF report answers the 503 that offers the
    .docx, on every machine (with LibreOffice or without), and no role waits for LibreOffice."""
    monkeypatch.setenv(SOFFICE_ENV, "")


def seed(app, seed_plans, make_user) -> dict:
    """Both seed plans, one account per role, a submitted lead report with evidence, a staged upload;
    and an object behind every other URL argument (seed_rest)."""
    app.config["TODAY"] = date(2026, 11, 23)
    folder = Path(app.config["EVIDENCE_DIR"]).parent
    app.config.update(EXPORTS_DIR=str(folder / "exports"), OUTBOX_DIR=str(folder / "outbox"))
    seed_plans(KOSTANAY, KOSTANAY.parent / "karaganda-2023-2025.txt")
    kostanay = db.session.scalar(select(Plan).where(Plan.region == "Қостанай облысы"))
    karaganda = db.session.scalar(select(Plan).where(Plan.region == "Қарағанды облысы"))
    activity = db.session.scalar(select(Activity).where(Activity.plan_id == kostanay.id, Activity.number == "1.4"))
    lead_body = activity.lead.body
    assert lead_body.abbreviation == "ББ" and lead_body.region == "Қостанай облысы"
    # Unrelated: the Karaganda education department — the same abbreviation, another body.
    other_body = db.session.scalar(select(Body).where(Body.region == "Қарағанды облысы", Body.abbreviation == "ББ"))
    assert other_body.id not in {e.body_id for e in activity.executors}

    users = {
        "admin": make_user("admin"),
        "coordinator": make_user("coordinator"),
        "auditor": make_user("auditor"),
        "executor_lead": make_user("executor", body=lead_body),
        "executor_other": make_user("executor", body=other_body),
    }
    target = make_user("auditor", email="target@test.example")

    reviewed, to_post = activity.obligations[0], activity.obligations[1]
    report = report_operations.submit_report(reviewed, users["executor_lead"], "Жасалды.", [],
                                             [("evidence.pdf", PDF)], True)
    unnamed = db.session.scalar(select(ActivityExecutor).join(Activity).where(
        Activity.plan_id == karaganda.id, Activity.number == "50", ActivityExecutor.role == "lead"))
    assert unnamed.written == "(келісім бойынша)" and unnamed.body_id is None
    warning = db.session.scalar(select(PlanWarning).where(
        PlanWarning.plan_id == karaganda.id, PlanWarning.activity_number == "27", PlanWarning.resolved_at.is_(None)))
    token, _parsed = plan_operations.stage_upload(KOSTANAY.name, KOSTANAY.read_bytes())

    data = {
        "users": users,
        "args": {
            "plan_id": kostanay.id, "activity_id": activity.id, "obligation_id": to_post.id,
            "executor_id": unnamed.id, "warning_id": warning.id, "report_id": report.id,
            "evidence_id": report.evidence[0].id, "user_id": target.id, "body_id": lead_body.id, "token": token, "table": "overdue",
        },
        #: endpoint → URL arguments of its own, where a parameter name means another object there
        "url_args": {},
        "plan": kostanay, "activity": activity, "target": target, "body": lead_body,
        "assign_to": db.session.scalar(select(Body).where(Body.region == "Қарағанды облысы", Body.abbreviation == "ДСБ")),
    }
    seed_rest(data, make_user, to_post)
    return data


def seed_rest(data: dict, make_user, to_post: Obligation) -> None:
    """The objects of the indicators, control, the chain, feeds, jobs, mail, notifications and
    letters, each made by its package's operations, as that package's tests make them."""
    users, args, url_args = data["users"], data["args"], data["url_args"]
    plan, lead_body, lead, coordinator = data["plan"], data["body"], users["executor_lead"], users["coordinator"]

    # Indicators: three results of the plan proposed from lines; the first confirmed with the lead
    # body responsible, an actual of it awaiting review with evidence; the second is left for the
    # coordinator to confirm, the third to dismiss; the lead's spreadsheet of actuals is staged.
    indicator_operations.add_text(plan, "1) жасөспірімдердің кемінде 70%-ын бос уақыт және еңбек қызметіне тарту;\n"
                                        "2) қайталама қылмыстылықтың кемінде 20%-ға төмендеуі;\n"
                                        "3) білім беру ұйымдарында сабаққа қатыспау жағдайларының азаюы;",
                                  None, coordinator)
    proposals = indicator_operations.plan_proposals(plan)
    assert [p.key for p in proposals] == ["text:1:1", "text:1:2", "text:1:3"]
    wanted = indicator_operations.input_from_proposal(proposals[0], plan)
    wanted.body_id = lead_body.id
    indicator = indicator_operations.confirm_proposal(plan, wanted, coordinator)
    assert [p.period for p in indicator.periods] == ["2019", "2020", "2021"]
    actual = indicator_operations.submit_actual(indicator, lead, period="2019", scope=indicator.scope, value="72",
                                                comment="", files=[("statistics.pdf", PDF)], no_personal_data=True)
    data.update(indicator=indicator, actual=actual, to_confirm=proposals[1], to_dismiss=proposals[2],
                actuals_csv=f"Indicator,Period,Value\n#{indicator.id},2021,75\n".encode())
    args.update(indicator_id=indicator.id, actual_id=actual.id)
    url_args["indicators.download"] = {"evidence_id": actual.evidence[0].id}  # not a report's evidence
    data["actuals_token"] = spreadsheet.stage(lead, "actuals.csv", data["actuals_csv"])

    # Control: a plan of this year and the next for the lead body — a due date ahead (the lead asks
    # for an extension of it), one with an extension already asked for, one that waits for an event.
    ahead = plan_operations.create_plan(
        title="Бақылаудағы синтетикалық жоспар (СИНТЕТИКА)", region=REGION, period_start=date(2026, 1, 1),
        period_end=date(2027, 12, 31), default_frequency="quarterly")
    due = {}
    for number, deadline in (("1", "2026 жылғы 25 желтоқсанға дейін"), ("2", "2027 жылғы 25 маусымға дейін"),
                             ("3", "тексеру нәтижелері ұсынылғаннан кейін 5 жұмыс күні ішінде")):
        item = plan_operations.add_activity(ahead, number=number, section_title="", text="Синтетикалық іс-шара",
                                            completion_form="", executors_text="ББ", deadline_text=deadline,
                                            funding_text="")
        assert item.lead.body_id == lead_body.id
        (due[number],) = item.obligations
    assert due["1"].due_date > today() and due["3"].waits_for is not None
    url_args["control.request_extension"] = {"obligation_id": due["1"].id}
    url_args["control.record_event"] = {"obligation_id": due["3"].id}
    extension = control_operations.request_extension(due["2"], lead, date(2027, 7, 15), "Деректер кешігіп келеді")
    day = control_operations.set_calendar_day(coordinator, date(2027, 1, 5), False, "Облыс әкімінің өкімі (сынақ)", None)
    args.update(request_id=extension.id, day_id=day.id)

    # The chain: the lead body hands the obligation down to one district (with a file); the district
    # reports back (awaiting the lead's review); a second district is there to be handed it too.
    district, second = registry.ensure_members(REGION, "district_education", only={
        "district_education:алтынсарин ауданы", "district_education:амангелди ауданы"})
    db.session.commit()
    (delegation,) = delegation_operations.delegate(lead, to_post, None, [f"b{district.id}"], None, "Орындаңыз.",
                                                  [("instruction.pdf", PDF)])
    sub_report = delegation_operations.submit(delegation, make_user("executor", body=district), "Аудан өткізді.",
                                              [], [], True)
    args.update(delegation_id=delegation.id, sub_report_id=sub_report.id, file_id=db.session.scalar(
        select(DelegationFile.id).where(DelegationFile.delegation_id == delegation.id)))
    data["second_district"] = second
    group = db.session.scalar(select(Activity).where(Activity.plan_id == plan.id, Activity.number == "1.10")).lead
    assert registry.is_group(group.body) and registry.head_of(group.body).id == lead_body.id
    url_args["delegation.expand"] = {"executor_id": group.id}  # a collective executor, not the unnamed one

    # Feeds of the lead's account: its own (renewed in the run) and its body's (revoked in the run).
    account_feed = feed_operations.make_feed(lead, FeedScope.ACCOUNT)
    body_feed = feed_operations.make_feed(lead, FeedScope.BODY, lead_body)
    args.update(feed_id=account_feed.id)
    url_args["feeds.feed"] = {"token": account_feed.token}
    url_args["feeds.revoke_feed"] = {"feed_id": body_feed.id}

    # The lead's workbook, made (it leaves the lead a notification); the day's reminders composed,
    # one of them failed (to be sent again).
    job, _new = exports.start_export(lead, "", today(), "en")
    exports.run_export(job.id)
    notification = db.session.scalar(select(Notification).where(Notification.account_id == lead.id,
                                                                Notification.kind == exports.EXPORT_READY))
    assert batch.compose_day(today()).messages > 0
    message = db.session.scalar(select(OutgoingMessage).order_by(OutgoingMessage.id).limit(1))
    message.state = Delivery.FAILED
    db.session.commit()
    args.update(job_id=job.id, notification_id=notification.id, message_id=message.id)

    # Letters: a programme stored (its covering letter waits to be passed down), a ministry's
    # assignment staged by the coordinator for the preview.
    letter_bytes = PROGRAMME.read_bytes()
    chain = letter_operations.read_upload(letter_bytes, PROGRAMME.name)
    letter_operations.confirm(chain, letter_operations.edit_of(chain), PROGRAMME.name, letter_bytes, coordinator)
    covering = db.session.scalar(select(Letter).where(Letter.position == 1))
    assert covering.state == "proposed"
    args["letter_id"] = covering.id
    data["letter_token"] = letter_operations.stage(coordinator, MINISTRY.name, MINISTRY.read_bytes())
    url_args["letters.preview"] = url_args["letters.confirm"] = {"token": data["letter_token"]}


def browser_fields(form) -> dict[str, str]:
    """A form's fields as a browser sends them back unchanged (ticked boxes only, no buttons)."""
    values = {}
    for field in form:
        if isinstance(field, FieldList | FormField):
            values |= browser_fields(field)
        elif isinstance(field, BooleanField):
            if field.data:
                values[field.name] = "y"
        elif not isinstance(field, SubmitField | FileField):
            values[field.name] = field._value()
    return values


def indicator_fields(data: indicator_operations.IndicatorInput, prefix: str = "") -> dict[str, str]:
    """An indicator's form as the page fills it (the fields of a proposal carry its prefix)."""
    name = (lambda field: f"{prefix}-{field}") if prefix else str
    fields = {name(field): str(value) for field, value in vars(data).items() if not isinstance(value, bool)}
    fields |= {name(field): "y" for field, value in vars(data).items() if value is True}
    return fields | ({"form_prefix": prefix} if prefix else {})


def letter_preview_fields(user: User, token: str) -> dict[str, str]:
    """The preview form of the staged letter, as the page shows it."""
    with current_app.test_request_context():
        filename, content = letter_operations.staged(user, token)
        chain = letter_operations.read_upload(content, filename)
        return browser_fields(PreviewForm(formdata=None, data=letter_form_data(letter_operations.edit_of(chain))))


def form_data(endpoint: str, role: str, data: dict):
    """Valid minimal form data for each POST (the data a successful request would send)."""
    plan, activity, body = data["plan"], data["activity"], data["body"]
    signing_in = data["users"]["executor_lead"] if role == "anonymous" else data["users"][role]
    return {
        "auth.password": lambda: {"current": PASSWORD, "new": PASSWORD, "repeat": PASSWORD},
        "auth.login": lambda: {"email": signing_in.email, "password": PASSWORD},
        "auth.logout": dict,
        "plans.edit_activity": lambda: {
            "number": activity.number, "section_id": str(activity.section_id or 0), "text": activity.text,
            "completion_form": activity.completion_form, "deadline_text": activity.deadline_text,
            "funding_text": activity.funding_text},
        "plans.set_executors": lambda: {"executors_text": "ББ, ДСБ"},
        "plans.assign_executor": lambda: {"body_id": str(data["assign_to"].id)},
        "plans.resolve_warning": dict,
        "plans.edit_plan": lambda: {
            "title": plan.title, "region": plan.region, "period_start": plan.period_start.isoformat(),
            "period_end": plan.period_end.isoformat(), "default_frequency": plan.default_frequency},
        "plans.new_plan": lambda: {
            "title": "Синтетикалық жоспар", "region": "Тест облысы", "period_start": "2026-01-01",
            "period_end": "2026-12-31", "default_frequency": "quarterly"},
        "plans.new_activity": lambda: {
            "number": "99", "text": "Синтетикалық іс-шара", "executors_text": "ББ",
            "deadline_text": "2020 жылғы 25 желтоқсан"},
        "plans.upload": lambda: {"document": (io.BytesIO(KOSTANAY.read_bytes()), KOSTANAY.name)},
        "plans.confirm": lambda: {"amendment_number": "№ 45", "amendment_date": "2026-11-20"},
        "reports.post_report": lambda: {
            "text": "Іс-шара өткізілді.", "no_personal_data": "y", "files": [(io.BytesIO(PDF), "evidence.pdf")]},
        "reports.review": lambda: {"accept": "y", "comment": ""},
        "admin.new_user": lambda: {
            "email": "new-account@test.example", "name": "", "role": "auditor", "body_id": "0",
            "password": "long-enough-1", "active": "y"},
        "admin.edit_user": lambda: {
            "email": data["target"].email, "name": "Renamed", "role": "auditor", "body_id": "0", "password": "",
            "active": "y"},
        "admin.edit_body": lambda: {"name": body.name, "name_ru": body.name_ru or "",
                                   "abbreviation": body.abbreviation or ""},
        # indicators
        "indicators.add_text": lambda: {
            "text": "сүйемелдеудегі балалар арасында суицидтік қайталама әрекеттердің болмауы;", "frequency": ""},
        "indicators.confirm": lambda: indicator_fields(
            replace(indicator_operations.input_from_proposal(data["to_confirm"], plan), body_id=body.id),
            proposal_prefix(data["to_confirm"].key)),
        "indicators.dismiss": lambda: {"source_key": data["to_dismiss"].key},
        "indicators.edit": lambda: indicator_fields(indicator_operations.input_from_indicator(data["indicator"])),
        "indicators.post_actual": lambda: {"period": "2020", "scope": data["indicator"].scope, "value": "74",
                                           "comment": ""},
        "indicators.review": lambda: {"accept": "1", "comment": "", "seen_version": str(data["actual"].row_version)},
        "indicators.upload": lambda: {"file": (io.BytesIO(data["actuals_csv"]), "actuals.csv")},
        "indicators.confirm_upload": lambda: {"token": data["actuals_token"], "no_personal_data": "y"},
        # letters
        "letters.upload": lambda: {"document": (io.BytesIO(MINISTRY.read_bytes()), MINISTRY.name)},
        "letters.confirm": lambda: letter_preview_fields(data["users"]["coordinator"], data["letter_token"]),
        "letters.pass_down": lambda: {"targets": []},
        # control
        "control.request_extension": lambda: {"new_due_date": "2027-01-15", "reason": "Мектептердің деректері кешігіп келеді"},
        "control.decide_extension": lambda: {"approve": "x", "comment": ""},
        "control.take_off_control": lambda: {"grounds": "executed", "decision_number": "", "decision_date": "",
                                             "comment": ""},
        "control.put_back_on_control": dict,
        "control.record_event": lambda: {"event_on": "2026-11-20"},
        "control.set_calendar_day": lambda: {"day": "2027-01-04", "working": "0", "reason": "Облыс әкімінің өкімі (сынақ)",
                                             "source": ""},
        "control.remove_calendar_day": dict,
        # the chain
        "delegation.delegate_obligation": lambda: {
            "targets": [f"b{data['second_district'].id}"], "due_date": "", "instruction": "Ауданға: орындаңыз."},
        "delegation.delegate_further": lambda: {
            "targets": [f"b{data['second_district'].id}"], "due_date": "", "instruction": "Әрі қарай: орындаңыз."},
        "delegation.post_report": lambda: {"text": "Аудан өткізді.", "links": "", "no_personal_data": "y",
                                           "files": [(io.BytesIO(PDF), "report.pdf")]},
        "delegation.review": lambda: {"accept": "y", "comment": ""},
        "delegation.expand": dict,
        # administration
        "districts.index": lambda: {"region": REGION, "units": districts.units_text(registry.units(REGION))},
        "districts.create_members": lambda: {"region": REGION},
        "districts.import_organisations": lambda: {"region": REGION, "document": (io.BytesIO(
            "Атауы,Орысша атауы,Аудан\n№1 мектеп (СИНТЕТИКА),Школа №1 (СИНТЕТИКА),Рудный қаласы\n".encode()),
            "organisations.csv")},
        "districts.place": lambda: {"level": body.level, "parent": "", "district": ""},
        "jobs.send_failed_again": dict,
        # one's own account
        "mail.set_preference": lambda: {"digest": "weekly"},
        "feeds.make_feed": lambda: {"scope": "body", "body_id": str(signing_in.body_id or body.id)},
        "feeds.regenerate_feed": dict,
        "feeds.revoke_feed": dict,
        "work.mark_all_read": dict,
    }[endpoint]()


def ordered() -> list[tuple[str, str]]:
    """GETs, then POSTs in the table's order; the staged plan confirmed after every other write (the
    plan imported again has new executor rows: the collective executor expanded before is one of
    them), signing in and out last."""
    last = [("plans.confirm", "POST"), ("auth.login", "POST"), ("auth.logout", "POST")]
    gets = [key for key in EXPECTED if key[1] == "GET"]
    posts = [key for key in EXPECTED if key[1] == "POST" and key not in last]
    return gets + posts + last


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(app, client, runner, make_user, login, role, seed_plans):
    data = seed(app, seed_plans, make_user)
    if role != "anonymous":
        login(data["users"][role])
    # the messages below are the English ones (chosen after signing in: signing out, the login
    # fixture's first step, empties the session)
    client.get("/login?lang=en")
    column = ROLES.index(role)
    # A rule's defaults are not arguments of its URL (/plans/<plan_id>/control/off has activity_id=None);
    # of an endpoint's two rules the last one is asked for, so take off and put back name the same plan.
    with app.test_request_context():
        urls = {endpoint: url_for(endpoint, **({name: data["args"][name] for name in rule.arguments - set(rule.defaults or ())}
                                               | data["url_args"].get(endpoint, {})))
                for rule in app.url_map.iter_rules() if (endpoint := rule.endpoint) != "static"}
    urls["dashboard.overdue_of"] += f"?executor={data['args']['body_id']}"  # whose overdue list
    first_new_entry = db.session.scalar(select(func.max(HistoryEntry.id))) or 0

    answers = {}
    for endpoint, method in ordered():
        url = urls[endpoint]
        payload = None
        if method == "POST":  # made in a request context of its own: a word it translates outside a request
            with app.test_request_context():  # would otherwise fix the language of the next request
                payload = form_data(endpoint, role, data)
        response = client.open(url, method=method, data=payload)
        response.close()  # a download holds its file open until then
        answers[(endpoint, method)] = response.status_code
        location = response.headers.get("Location", "")
        if response.status_code == 302:
            if endpoint == "auth.logout":
                assert location.startswith("/login"), (endpoint, location)
            elif role == "anonymous" and endpoint != "auth.login":
                assert location.startswith("/login?next="), (endpoint, method, location)
            else:  # a success redirect, never a bounce to the sign-in page
                assert not location.startswith("/login"), (endpoint, method, location)
        if response.status_code == 403:
            assert "Your role does not allow this." in response.get_data(as_text=True)

    expected = {key: EXPECTED[key][column] for key in EXPECTED}
    wrong = {key: (answers[key], expected[key]) for key in EXPECTED if answers[key] != expected[key]}
    assert not wrong, f"{role}: (got, expected) {wrong}"

    # What the role could do left exactly its traces in the history; what it could not left none.
    entries = db.session.scalars(select(HistoryEntry).where(HistoryEntry.id > first_new_entry)).all()
    assert {e.action for e in entries} == EXPECTED_HISTORY[role]
    if role != "anonymous":
        assert {e.user_id for e in entries} == {data["users"][role].id}


def test_successful_writes_really_happened(app, client, runner, make_user, login, seed_plans):
    """The 302s of the matrix are successes, not silent failures: check a few effects."""
    data = seed(app, seed_plans, make_user)
    login(data["users"]["executor_lead"])
    response = client.post(f"/obligations/{data['args']['obligation_id']}/reports",
                           data=form_data("reports.post_report", "executor_lead", data))
    assert response.status_code == 302
    posted = report_operations.reports_of(db.session.get(Obligation, data["args"]["obligation_id"]))
    assert [(r.kind, r.state, r.body_id) for r in posted] == [("lead", "submitted", data["body"].id)]
    with client.get(f"/evidence/{data['args']['evidence_id']}") as download:
        assert download.status_code == 200 and download.data == PDF
        assert "evidence.pdf" in download.headers["Content-Disposition"]

    # The account's own writes answer 302 whatever happened and leave no history: their effects.
    lead = data["users"]["executor_lead"]
    feeds_before = {feed.id for feed in feed_operations.live_feeds(lead)}
    for endpoint, url in (
            ("feeds.make_feed", "/account/feeds"),
            ("feeds.regenerate_feed", f"/account/feeds/{data['args']['feed_id']}/regenerate"),
            ("feeds.revoke_feed", f"/account/feeds/{data['url_args']['feeds.revoke_feed']['feed_id']}/revoke"),
            ("mail.set_preference", "/account/reminders"), ("work.mark_all_read", "/notifications/read")):
        assert client.post(url, data=form_data(endpoint, "executor_lead", data)).status_code == 302, endpoint
    db.session.expire_all()
    live = feed_operations.live_feeds(lead)
    # the account feed renewed (a new token), the body's revoked, a new one of the body made
    assert not feeds_before & {feed.id for feed in live}
    assert sorted((feed.scope, feed.body_id) for feed in live) == [("account", None), ("body", data["body"].id)]
    assert db.session.get(MailPreference, lead.id).digest == "weekly"
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.account_id == lead.id, Notification.read_at.is_(None))) == 0

    login(data["users"]["admin"])
    assert client.post(f"/admin/users/{data['target'].id}", data=form_data(
        "admin.edit_user", "admin", data)).status_code == 302
    assert db.session.get(User, data["target"].id).name == "Renamed"
    assert client.post("/admin/outbox/send-again").status_code == 302
    db.session.expire_all()
    assert db.session.get(OutgoingMessage, data["args"]["message_id"]).state == Delivery.PENDING


#: with an id that does not exist: 404 where the role may use the route, the same 403 where it
#: may not (a refused role learns nothing about which ids exist)
MISSING = {
    "/plans/999999": (404, 404),
    "/activities/999999": (404, 404),
    "/obligations/999999": (404, 404),
    "/evidence/999999": (404, 404),
    "/activities/999999/edit": (404, 403),
    "/plans/999999/edit": (404, 403),
    "/plans/999999/activities/new": (404, 403),
    "/import/" + "0" * 32: (404, 403),
    "/import/not-a-token": (404, 403),
}
MISSING_POSTS = {
    "/activities/999999/executors": (404, 403),
    "/executors/999999/assign": (404, 403),
    "/warnings/999999/resolve": (404, 403),
    "/reports/999999/review": (404, 403),
    "/obligations/999999/reports": (404, 404),
}


@pytest.mark.parametrize("role", ["coordinator", "executor"])
def test_missing_ids(app, client, runner, make_user, login, role, seed_plans):
    data = seed(app, seed_plans, make_user)
    login(data["users"]["coordinator" if role == "coordinator" else "executor_lead"])
    column = 0 if role == "coordinator" else 1
    got = {url: client.get(url).status_code for url in MISSING}
    got |= {url: client.post(url, data={}).status_code for url in MISSING_POSTS}
    assert got == {url: answer[column] for url, answer in (MISSING | MISSING_POSTS).items()}


def test_confirming_an_upload_that_is_gone_goes_back_to_the_upload_page(app, client, runner, make_user, login, seed_plans):
    data = seed(app, seed_plans, make_user)
    login(data["users"]["coordinator"])
    plans = db.session.scalar(select(func.count()).select_from(Plan))
    response = client.post("/import/" + "0" * 32, data={})
    assert response.status_code == 302 and response.headers["Location"] == "/import"
    assert db.session.scalar(select(func.count()).select_from(Plan)) == plans


def test_admin_user_pages_404_for_unknown_ids(app, client, runner, make_user, login, seed_plans):
    data = seed(app, seed_plans, make_user)
    login(data["users"]["admin"])
    assert client.get("/admin/users/999999").status_code == 404
    assert client.get("/admin/bodies/999999").status_code == 404
    login(data["users"]["coordinator"])
    assert client.get("/admin/users/999999").status_code == 403
