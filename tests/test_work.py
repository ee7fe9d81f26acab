"""My work, the review inbox and notifications: what each person is shown as theirs, and exactly
who is told what when reports, reviews and extensions happen."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from tests.conftest import KARAGANDA, KOSTANAY, PASSWORD
from tests.test_reports import post_report
from tracker.auth.models import User
from tracker.control import operations as control
from tracker.extensions import db
from tracker.plans.models import Activity, Obligation, Plan
from tracker.reports import operations as reports
from tracker.reports.models import CompletionReport
from tracker.work.models import Notification

TODAY = date(2020, 3, 2)


@pytest.fixture
def world(app, seed_plans, make_user):
    app.config["TODAY"] = TODAY
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    seed_plans(KOSTANAY, KARAGANDA)
    kostanay = db.session.scalar(select(Plan).where(Plan.region == "Қостанай облысы"))
    activities = db.session.scalars(select(Activity).where(Activity.plan_id == kostanay.id)
                                    .order_by(Activity.position)).all()
    activity = next(a for a in activities if a.lead and a.lead.body_id and any(
        e.role == "co_executor" and e.body_id and e.body_id != a.lead.body_id for e in a.executors)
        and any(o.due_date < TODAY for o in a.obligations) and any(o.due_date > TODAY for o in a.obligations))
    lead_body = activity.lead.body
    co_body = next(e.body for e in activity.executors if e.role == "co_executor" and e.body_id
                   and e.body_id != lead_body.id)
    return {
        "activity": activity, "lead_body": lead_body, "co_body": co_body,
        "lead": make_user("executor", body=lead_body), "lead2": make_user("executor", body=lead_body),
        "co": make_user("executor", body=co_body), "coordinator": make_user("coordinator"),
        "coordinator2": make_user("coordinator"), "auditor": make_user("auditor"),
    }


def signed_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def notified(kind: str | None = None) -> dict[int, int]:
    """account id → how many notifications (of `kind`) it has."""
    query = select(Notification.account_id)
    if kind:
        query = query.where(Notification.kind == kind)
    found: dict[int, int] = {}
    for account_id in db.session.scalars(query):
        found[account_id] = found.get(account_id, 0) + 1
    return found


def past(world) -> Obligation:
    return next(o for o in world["activity"].obligations if o.due_date < TODAY)


def ahead(world) -> Obligation:
    return next(o for o in world["activity"].obligations if o.due_date > TODAY)


# --- My work ------------------------------------------------------------------------------------------


def test_my_work_shows_only_the_bodys_items_grouped(app, world):
    lead_page = signed_in(app, world["lead"]).get("/my-work")
    co_page = signed_in(app, world["co"]).get("/my-work")
    assert lead_page.status_code == co_page.status_code == 200
    mine = set(db.session.scalars(select(Obligation.id).join(Activity).where(Activity.id.in_(
        select(Activity.id).join(Activity.executors).where(Activity.executors.any(body_id=world["lead_body"].id))))))

    def listed(page) -> set[int]:
        import re

        return {int(n) for n in re.findall(r'data-obligation="(\d+)"', page.get_data(as_text=True))}

    lead_listed, co_listed = listed(lead_page), listed(co_page)
    assert past(world).id in lead_listed and past(world).id in co_listed  # the activity both take part in
    assert lead_listed <= mine  # nothing of another body
    others = set(db.session.scalars(select(Obligation.id))) - mine
    assert not lead_listed & others
    # Grouping: the past one is overdue, with its days overdue.
    page = lead_page.get_data(as_text=True)
    overdue_section = page.split('data-group="overdue"')[1].split("</section>")[0]
    assert f'data-obligation="{past(world).id}"' in overdue_section
    assert f"{(TODAY - past(world).due_date).days} days overdue" in overdue_section
    # Other roles have no My work.
    assert signed_in(app, world["coordinator"]).get("/my-work").status_code == 403


def test_a_returned_report_comes_first_and_working_days_left_are_counted(app, world):
    obligation = past(world)
    lead = signed_in(app, world["lead"])
    assert post_report(lead, obligation.id).status_code == 302
    page = lead.get("/my-work").get_data(as_text=True)
    assert f'data-obligation="{obligation.id}"' in page.split('data-group="submitted"')[1].split("</section>")[0]
    report = db.session.scalar(select(CompletionReport))
    reports.review_report(report, world["coordinator"], accept=False, comment="Дәлел жоқ")
    page = lead.get("/my-work").get_data(as_text=True)
    returned = page.split('data-group="returned"')[1].split("</section>")[0]
    assert f'data-obligation="{obligation.id}"' in returned
    # Due soon: working days left, on the Kazakh calendar (Nauryz 21–23 March 2020 is not counted).
    app.config["TODAY"] = date(2020, 3, 19)
    soon = next((o for o in world["activity"].obligations if date(2020, 3, 19) < o.due_date <= date(2020, 4, 2)), None)
    if soon is not None:
        from tracker.calendar import working_calendar

        left = working_calendar().working_days_between(date(2020, 3, 19), soon.due_date)
        page = lead.get("/my-work").get_data(as_text=True)
        assert f"{left} working days left" in page.split('data-group="due_soon"')[1].split("</section>")[0]


def test_my_work_keeps_a_fixed_number_of_queries(app, world, make_user):
    lead = signed_in(app, world["lead"])
    counted = []

    def count(*_args):
        counted.append(1)

    engine = db.engine
    lead.get("/my-work")  # the first request of a session loads what later ones keep
    event.listen(engine, "before_cursor_execute", count)
    try:
        lead.get("/my-work")
        with_both_plans = len(counted)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # A third plan for the same body: the page costs the same number of statements.
    from tracker.plans import operations as plan_operations

    plan = plan_operations.create_plan(title="Сынақ жоспары 2020 жылға", region="Қостанай облысы",
                                       period_start=date(2020, 1, 1), period_end=date(2020, 12, 31),
                                       default_frequency="semiannual")
    plan_operations.add_activity(plan, number="1", section_title="", text="Сынақ", completion_form="",
                                 executors_text=world["lead_body"].abbreviation or world["lead_body"].name,
                                 deadline_text="тоқсан сайын", funding_text="")
    lead.get("/my-work")  # the test's session expired what it held when the plan was committed
    counted.clear()
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = lead.get("/my-work").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert "Сынақ жоспары" in page
    assert len(counted) == with_both_plans <= 8, (with_both_plans, len(counted))


# --- the review inbox ----------------------------------------------------------------------------------


def test_the_inbox_lists_what_awaits_review_oldest_first_and_a_review_clears_it_for_everyone(app, world):
    obligations = [o for o in world["activity"].obligations if o.due_date < TODAY][:2]
    lead = signed_in(app, world["lead"])
    for day, obligation in zip((date(2020, 2, 3), date(2020, 2, 24)), obligations, strict=False):
        app.config["TODAY"] = day
        assert post_report(lead, obligation.id).status_code == 302
    app.config["TODAY"] = TODAY
    first, second = signed_in(app, world["coordinator"]), signed_in(app, world["coordinator2"])
    page = first.get("/inbox").get_data(as_text=True)
    ids = [r.id for r in db.session.scalars(select(CompletionReport).order_by(CompletionReport.submitted_at))]
    positions = [page.index(f'data-report="{i}"') for i in ids]
    assert positions == sorted(positions)  # oldest first
    # 3 Feb → 2 Mar 2020: 20 working days (no holiday in February 2020), past the limit of 5.
    assert 'data-waited="20"' in page and "over the limit" in page
    assert second.post(f"/reports/{ids[0]}/review", data={"accept": "x", "comment": ""}).status_code == 302
    for client in (first, second):
        waiting = awaiting(client.get("/inbox").get_data(as_text=True))
        assert waiting == ids[1:], waiting
    assert signed_in(app, world["lead"]).get("/inbox").status_code == 403
    assert signed_in(app, world["auditor"]).get("/inbox").status_code == 403


def test_the_inbox_is_paged_oldest_first(app, world, monkeypatch):
    from tracker.work import routes

    obligations = world["activity"].obligations[:2]
    assert len(obligations) == 2
    lead = signed_in(app, world["lead"])
    for day, obligation in zip((date(2020, 2, 3), date(2020, 2, 24)), obligations, strict=True):
        app.config["TODAY"] = day
        assert post_report(lead, obligation.id).status_code == 302
    app.config["TODAY"] = TODAY
    monkeypatch.setattr(routes, "INBOX_PAGE_SIZE", 1)  # two reports stand for a country's thousands
    ids = [r.id for r in db.session.scalars(select(CompletionReport).order_by(CompletionReport.submitted_at))]
    coordinator = signed_in(app, world["coordinator"])
    first, second = (coordinator.get(f"/inbox?page={n}").get_data(as_text=True) for n in (1, 2))
    assert awaiting(first) == ids[:1] and awaiting(second) == ids[1:]
    assert 'rel="next"' in first and 'rel="prev"' in second and "Reports 2–2 of 2" in second


def awaiting(page: str) -> list[int]:
    """The reports in the inbox's table of reports awaiting review, in the page's order."""
    import re

    if 'id="awaiting-review"' not in page:
        return []
    table = page.split('id="awaiting-review"')[1].split("</table>")[0]
    return [int(n) for n in re.findall(r'<tr data-report="(\d+)"', table)]


def test_the_inbox_shows_contributions_new_since_the_last_visit(app, world):
    coordinator = signed_in(app, world["coordinator"])
    coordinator.get("/inbox")  # the first visit
    app.config["TODAY"] = TODAY + timedelta(days=1)  # the clock is pinned to noon: the contribution comes later
    co = signed_in(app, world["co"])
    assert post_report(co, past(world).id).status_code == 302
    page = coordinator.get("/inbox").get_data(as_text=True)
    contribution = db.session.scalar(select(CompletionReport).where(CompletionReport.kind == "contribution"))
    assert f'data-report="{contribution.id}"' in page.split('id="new-contributions"')[1]
    again = coordinator.get("/inbox").get_data(as_text=True)
    assert 'id="new-contributions"' not in again  # seen: not new any more


# --- notifications ------------------------------------------------------------------------------------


def test_each_event_tells_exactly_whom_it_should(app, world):
    lead_accounts = {world["lead"].id, world["lead2"].id}
    coordinators = {world["coordinator"].id, world["coordinator2"].id}
    disabled = User(email="gone@test.example", role="coordinator", password_hash="x", active=False)
    db.session.add(disabled)
    db.session.commit()
    obligation = past(world)
    lead, co = signed_in(app, world["lead"]), signed_in(app, world["co"])

    steps = []
    assert post_report(co, obligation.id).status_code == 302
    steps.append(("contribution_posted", lead_accounts))
    assert post_report(lead, obligation.id).status_code == 302
    steps.append(("report_submitted", coordinators))
    report = db.session.scalar(select(CompletionReport).where(CompletionReport.kind == "lead"))
    reports.review_report(report, world["coordinator"], accept=False, comment="Хаттама қоса берілмеген")
    steps.append(("report_returned", lead_accounts))
    soon = ahead(world)
    request = control.request_extension(soon, world["lead"], soon.due_date + timedelta(days=10), "Кешігу себебі")
    steps.append(("extension_requested", coordinators))
    control.decide_extension(request, world["coordinator2"], approve=True, comment="")
    steps.append(("extension_decided", lead_accounts))
    for kind, accounts in steps:
        assert notified(kind) == dict.fromkeys(accounts, 1), kind
    assert disabled.id not in notified()
    assert world["co"].id not in notified("report_returned") and world["auditor"].id not in notified()


@pytest.mark.parametrize("lang, words", [("kk", "қайтарылды"), ("ru", "возвращён"), ("en", "was returned")])
def test_a_notification_reads_in_the_readers_language_and_opens_what_it_is_about(app, world, lang, words):
    obligation = past(world)
    assert post_report(signed_in(app, world["lead"]), obligation.id).status_code == 302
    report = db.session.scalar(select(CompletionReport))
    reports.review_report(report, world["coordinator"], accept=False, comment="Дәлел жоқ")
    lead = signed_in(app, world["lead2"])
    page = lead.get(f"/notifications?lang={lang}").get_data(as_text=True)
    assert words in page and "Дәлел жоқ" in page
    item = db.session.scalar(select(Notification).where(Notification.account_id == world["lead2"].id))
    opened = lead.get(f"/notifications/{item.id}")
    assert opened.status_code == 302 and opened.headers["Location"] == f"/obligations/{obligation.id}"
    db.session.expire_all()
    assert db.session.get(Notification, item.id).read_at is not None


def test_nobody_opens_or_marks_another_accounts_notifications(app, world):
    assert post_report(signed_in(app, world["lead"]), past(world).id).status_code == 302
    theirs = db.session.scalar(select(Notification).where(Notification.account_id == world["coordinator"].id))
    other = signed_in(app, world["coordinator2"])
    assert other.get(f"/notifications/{theirs.id}").status_code == 404
    assert other.post("/notifications/read").status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None
    assert f'data-notification="{theirs.id}"' not in other.get("/notifications").get_data(as_text=True)
