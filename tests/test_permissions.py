"""The permission matrix: every route of the portal, every role, the answer each one gets.

The table below is the specification. A route added to the app without a row here makes
`test_every_route_is_in_the_table` fail, so nobody ships a page whose access was never decided.

Each role runs against its own fresh database (the `app` fixture is function-scoped), so one
role's successful POST never changes the answer another role gets. Within one role the requests
run in the table's order: GETs first, then POSTs, with the staged import confirmed after the
preview was read, and sign-in/sign-out last.
"""

import io
from datetime import date

import pytest
from flask import url_for
from sqlalchemy import func, select

from tests.conftest import KOSTANAY, PASSWORD
from tests.evidence_files import PDF
from tracker.auth.models import User
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.plans import operations as plan_operations
from tracker.plans.models import Activity, ActivityExecutor, Obligation, Plan, PlanWarning
from tracker.reports import operations as report_operations

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
    # --- plan editing pages: the coordinator only ---------------------------------------------
    ("plans.edit_activity", "GET"):   (302, 403, 200, 403, 403, 403),
    ("plans.edit_plan", "GET"):       (302, 403, 200, 403, 403, 403),
    ("plans.new_plan", "GET"):        (302, 403, 200, 403, 403, 403),
    ("plans.new_activity", "GET"):    (302, 403, 200, 403, 403, 403),
    ("plans.upload", "GET"):          (302, 403, 200, 403, 403, 403),
    ("plans.preview", "GET"):         (302, 403, 200, 403, 403, 403),
    # --- administration pages: the administrator only ----------------------------------------
    ("admin.users", "GET"):            (302, 200, 403, 403, 403, 403),
    ("admin.new_user", "GET"):         (302, 200, 403, 403, 403, 403),
    ("admin.edit_user", "GET"):        (302, 200, 403, 403, 403, 403),
    ("admin.bodies", "GET"):           (302, 200, 403, 403, 403, 403),
    ("admin.edit_body", "GET"):        (302, 200, 403, 403, 403, 403),
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
    # --- reports: the lead body posts, the coordinator reviews --------------------------------
    ("reports.post_report", "POST"):  (302, 403, 403, 403, 302, 403),
    ("reports.review", "POST"):       (302, 403, 302, 403, 403, 403),
    # --- administration writes -----------------------------------------------------------------
    ("admin.new_user", "POST"):        (302, 302, 403, 403, 403, 403),
    ("admin.edit_user", "POST"):       (302, 302, 403, 403, 403, 403),
    ("admin.edit_body", "POST"):       (302, 302, 403, 403, 403, 403),
    # --- one's own session and password: everybody signed in ----------------------------------
    ("auth.password", "POST"):        (302, 302, 302, 302, 302, 302),
    ("auth.login", "POST"):           (302, 302, 302, 302, 302, 302),
    ("auth.logout", "POST"):          (302, 302, 302, 302, 302, 302),
}

#: the history actions each role's successful requests leave (and nothing else)
EXPECTED_HISTORY = {
    "anonymous": set(),
    "admin": {"account.created", "account.edited", "account.password_changed"},
    "coordinator": {"activity.edited", "executor.assigned", "warning.resolved", "plan.created", "activity.added",
                    "plan.reimported", "report.accepted", "account.password_changed"},
    "auditor": {"account.password_changed"},
    "executor_lead": {"report.submitted", "account.password_changed"},
    "executor_other": {"account.password_changed"},
}


def routes(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_is_in_the_table(app):
    assert routes(app) == set(EXPECTED)


def seed(app, seed_plans, make_user) -> dict:
    """Both seed plans, one account per role, a submitted lead report with evidence, a staged upload."""
    app.config["TODAY"] = date(2026, 11, 23)
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

    return {
        "users": users,
        "args": {
            "plan_id": kostanay.id, "activity_id": activity.id, "obligation_id": to_post.id,
            "executor_id": unnamed.id, "warning_id": warning.id, "report_id": report.id,
            "evidence_id": report.evidence[0].id, "user_id": target.id, "body_id": lead_body.id, "token": token, "table": "overdue",
        },
        "plan": kostanay, "activity": activity, "target": target, "body": lead_body,
        "assign_to": db.session.scalar(select(Body).where(Body.region == "Қарағанды облысы", Body.abbreviation == "ДСБ")),
    }


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
        "plans.confirm": dict,
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
    }[endpoint]()


def ordered() -> list[tuple[str, str]]:
    """GETs, then POSTs in the table's order; signing in and out come last."""
    last = [("auth.login", "POST"), ("auth.logout", "POST")]
    gets = [key for key in EXPECTED if key[1] == "GET"]
    posts = [key for key in EXPECTED if key[1] == "POST" and key not in last]
    return gets + posts + last


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(app, client, runner, make_user, login, role, seed_plans):
    data = seed(app, seed_plans, make_user)
    client.get("/login?lang=en")  # the messages below are the English ones
    if role != "anonymous":
        login(data["users"][role])
    column = ROLES.index(role)
    with app.test_request_context():
        urls = {endpoint: url_for(endpoint, **{name: data["args"][name] for name in rule.arguments})
                for rule in app.url_map.iter_rules() if (endpoint := rule.endpoint) != "static"}
    urls["dashboard.overdue_of"] += f"?executor={data['args']['body_id']}"  # whose overdue list
    first_new_entry = db.session.scalar(select(func.max(HistoryEntry.id))) or 0

    answers = {}
    for endpoint, method in ordered():
        url = urls[endpoint]
        response = client.open(url, method=method, data=form_data(endpoint, role, data) if method == "POST" else None)
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

    login(data["users"]["admin"])
    assert client.post(f"/admin/users/{data['target'].id}", data=form_data(
        "admin.edit_user", "admin", data)).status_code == 302
    assert db.session.get(User, data["target"].id).name == "Renamed"


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
    response = client.post("/import/" + "0" * 32, data={})
    assert response.status_code == 302 and response.headers["Location"] == "/import"
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 2


def test_admin_user_pages_404_for_unknown_ids(app, client, runner, make_user, login, seed_plans):
    data = seed(app, seed_plans, make_user)
    login(data["users"]["admin"])
    assert client.get("/admin/users/999999").status_code == 404
    assert client.get("/admin/bodies/999999").status_code == 404
    login(data["users"]["coordinator"])
    assert client.get("/admin/users/999999").status_code == 403
