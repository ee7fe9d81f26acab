"""What a body owes besides its own activities' due dates — the actuals of the indicators it
reports and the sub-obligations handed down to it — on My work, in the coordinator's review inbox
and in the day's digest, through the routes and the real digest rendering.

The world: the Karaganda roadmap with two of its expected results confirmed as indicators reported
by the police department (tests/test_indicators.py builds it the same way), and Kostanay's
regional education department handing a due date down to a district and on to a school."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import KARAGANDA, KOSTANAY
from tests.test_indicators import body, confirm_with_body, latest, post_actual, review, signed_in
from tracker.calendar import working_calendar
from tracker.delegation import operations as delegation_operations
from tracker.delegation import registry
from tracker.delegation.models import SubReport
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.mail.digest import LineKind, digests_for_day, render
from tracker.mail.models import ItemReason
from tracker.plans.models import Activity, Plan

BASE = "https://tracker.example"


@pytest.fixture
def karaganda(app, seed_plans, make_user):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    app.config["TODAY"] = date(2025, 3, 3)
    seed_plans(KARAGANDA)
    plan = db.session.scalar(select(Plan))
    police, education = body("ПД"), body("ББ")
    world = {"plan": plan, "police": police, "education": education,
             "coordinator": make_user("coordinator"), "police_executor": make_user("executor", body=police),
             "education_executor": make_user("executor", body=education)}
    coordinator = signed_in(app, world["coordinator"])
    world["coordinator_client"] = coordinator
    world["offences"] = confirm_with_body(coordinator, plan, "result:1", police)
    world["level"] = confirm_with_body(coordinator, plan, "result:4", police)
    world["executor"] = signed_in(app, world["police_executor"])
    return world


def work_rows(html: str) -> dict[str, list[tuple[int, str]]]:
    """My work's indicator rows per group: (indicator id, period)."""
    found = {}
    for section in re.finditer(r'data-group="(\w+)">(.*?)</section>', html, re.S):
        found[section.group(1)] = [(int(i), p) for i, p in re.findall(
            r'<tr data-indicator="(\d+)" data-period="([^"]+)">', section.group(2))]
    return found


def periods_of(indicator) -> dict[str, date]:
    return {p.period: p.due_date for p in indicator.periods}


def test_my_work_lists_the_indicator_periods_the_body_reports_and_their_course(app, karaganda):
    offences, level, executor = karaganda["offences"], karaganda["level"], karaganda["executor"]
    due = periods_of(offences)
    assert sorted(due) == ["2023", "2024", "2025"]
    assert due["2024"] < date(2025, 3, 3) < due["2025"]

    page = executor.get("/my-work").get_data(as_text=True)
    rows = work_rows(page)
    # 2023 and 2024 are overdue for both indicators; 2025 comes later
    assert sorted(rows["overdue"]) == sorted([(offences.id, "2023"), (offences.id, "2024"),
                                              (level.id, "2023"), (level.id, "2024")])
    assert (offences.id, "2025") in rows["later"] and rows["submitted"] == rows["returned"] == []
    assert f'href="/indicators/{offences.id}?period=2024#actual-form"' in page  # the Report button
    assert "reports the actual" in page
    days = (date(2025, 3, 3) - due["2024"]).days
    assert f"{days} days overdue" in page

    # An actual sent: awaiting review; returned: back on top with the Report button; accepted: gone.
    assert post_actual(executor, offences, "2024", "86").status_code == 302
    assert (offences.id, "2024") in work_rows(executor.get("/my-work").get_data(as_text=True))["submitted"]
    assert review(karaganda["coordinator_client"], latest(offences, "2024"), accept=False,
                  comment="Аудандар бойынша бөліп жазыңыз").status_code == 302
    rows = work_rows(executor.get("/my-work").get_data(as_text=True))
    assert rows["returned"] == [(offences.id, "2024")] and (offences.id, "2024") not in rows["overdue"]
    assert post_actual(executor, offences, "2024", "85").status_code == 302
    assert review(karaganda["coordinator_client"], latest(offences, "2024")).status_code == 302
    rows = work_rows(executor.get("/my-work").get_data(as_text=True))
    assert all((offences.id, "2024") not in items for items in rows.values())

    # The link opens the indicator with the owed period chosen in the form.
    form = executor.get(f"/indicators/{offences.id}?period=2025").get_data(as_text=True)
    assert re.search(r'<option selected value="2025"|<option value="2025" selected', form), "period not preselected"

    # Filters narrow the indicators too; another body sees none of them.
    only_returned = work_rows(executor.get("/my-work?status=returned").get_data(as_text=True))
    assert all(items == [] for items in only_returned.values())
    other = signed_in(app, karaganda["education_executor"]).get("/my-work").get_data(as_text=True)
    assert 'data-indicator="' not in other


def test_the_review_inbox_lists_the_actuals_awaiting_the_coordinator(app, karaganda):
    offences, level, executor = karaganda["offences"], karaganda["level"], karaganda["executor"]
    coordinator = karaganda["coordinator_client"]
    assert post_actual(executor, offences, "2023", "95").status_code == 302
    assert review(coordinator, latest(offences, "2023"), accept=False, comment="Дерек толық емес").status_code == 302
    app.config["TODAY"] = date(2025, 3, 4)
    assert post_actual(executor, offences, "2023", "91").status_code == 302
    assert post_actual(executor, level, "2024", "93").status_code == 302
    app.config["TODAY"] = date(2025, 3, 20)

    page = coordinator.get("/inbox").get_data(as_text=True)
    listed = re.findall(r'<tr data-actual="(\d+)"', page)
    second, other = latest(offences, "2023"), latest(level, "2024")
    assert [int(i) for i in listed] == [second.id, other.id]  # the returned first version is not waiting
    assert "version 2" in page and f'href="/indicators/{offences.id}#a-{second.id}"' in page
    waited = working_calendar().working_days_between(date(2025, 3, 4), date(2025, 3, 20))
    assert f'data-waited="{waited}"' in page and "over the limit" in page
    assert "(2)" in page.split('id="actuals"')[1][:200]

    assert review(coordinator, second).status_code == 302
    page = coordinator.get("/inbox").get_data(as_text=True)
    assert [int(i) for i in re.findall(r'<tr data-actual="(\d+)"', page)] == [other.id]
    assert executor.get("/inbox").status_code == 403  # an executor has no inbox


def test_the_inbox_pages_the_actuals(app, karaganda, monkeypatch):
    from tracker.work import routes

    offences, level, executor = karaganda["offences"], karaganda["level"], karaganda["executor"]
    for indicator in (offences, level):
        for period in ("2023", "2024"):
            assert post_actual(executor, indicator, period, "90").status_code == 302
    monkeypatch.setattr(routes, "INBOX_PAGE_SIZE", 3)
    coordinator = karaganda["coordinator_client"]
    first = coordinator.get("/inbox").get_data(as_text=True)
    second = coordinator.get("/inbox?actuals=2").get_data(as_text=True)
    ids = re.findall(r'<tr data-actual="(\d+)"', first) + re.findall(r'<tr data-actual="(\d+)"', second)
    assert len(ids) == len(set(ids)) == 4 and "Actuals 1–3 of 4" in first and "Actuals 4–4 of 4" in second


def digest_of(user_email: str, day: date):
    return next((d for d in digests_for_day(day) if d.recipient.email == user_email), None)


def indicator_lines(digest, indicator_id: int):
    return [line for line in (digest.lines if digest else []) if line.indicator_id == indicator_id]


def test_the_digest_reminds_of_an_indicators_actual_and_escalates_it(app, karaganda):
    offences, police_user = karaganda["offences"], karaganda["police_executor"]
    calendar = working_calendar()
    due = periods_of(offences)["2025"]
    plan = karaganda["plan"]

    # Due in 3 working days: the police are reminded, the coordinator is not.
    three_before = calendar.subtract_working_days(due, 3)
    app.config["TODAY"] = three_before
    digest = digest_of(police_user.email, three_before)
    (line,) = [line for line in indicator_lines(digest, offences.id) if line.period == "2025"]
    assert (line.kind, line.reason, line.days, line.obligation_id) == (LineKind.INDICATOR, ItemReason.DUE, 3, None)
    assert line.path == f"/indicators/{offences.id}?period=2025"
    assert not indicator_lines(digest_of(karaganda["coordinator"].email, three_before), offences.id)
    subject, text, html = render(digest, BASE)
    assert f"{BASE}/indicators/{offences.id}?period=2025" in text and f'href="{BASE}/indicators/{offences.id}?period=2025"' in html
    assert "the actual for 2025: due " in text and offences.name[:40] in text

    # The first working day after the due date: overdue; at the plan's limit: escalated to the coordinator.
    day_after = calendar.add_working_days(due, 1)
    app.config["TODAY"] = day_after
    (line,) = [line for line in indicator_lines(digest_of(police_user.email, day_after), offences.id)
               if line.period == "2025"]
    assert line.reason == ItemReason.OVERDUE
    limit_day = calendar.add_working_days(due, plan.escalation_working_days)
    app.config["TODAY"] = limit_day
    escalations = [line for line in indicator_lines(digest_of(karaganda["coordinator"].email, limit_day), offences.id)
                   if line.period == "2025"]
    assert [line.reason for line in escalations] == [ItemReason.ESCALATION]
    _subject, text, _html = render(digest_of(karaganda["coordinator"].email, limit_day), BASE)
    assert "escalated" in text and "Полиция департаменті" in text


def test_the_digest_tells_of_a_returned_actual_with_the_coordinators_comment(app, karaganda):
    offences, executor, police_user = karaganda["offences"], karaganda["executor"], karaganda["police_executor"]
    calendar = working_calendar()
    assert post_actual(executor, offences, "2024", "88").status_code == 302
    assert review(karaganda["coordinator_client"], latest(offences, "2024"), accept=False,
                  comment="Аудандар бойынша бөліп жазыңыз").status_code == 302
    next_day = calendar.add_working_days(date(2025, 3, 3), 1)
    app.config["TODAY"] = next_day
    digest = digest_of(police_user.email, next_day)
    (line,) = [line for line in indicator_lines(digest, offences.id) if line.period == "2024"]
    assert line.reason == ItemReason.RETURNED and line.comment == "Аудандар бойынша бөліп жазыңыз"
    _subject, text, _html = render(digest, BASE)
    assert "The coordinator's comment: Аудандар бойынша бөліп жазыңыз" in text


def chain(app, seed_plans, make_user):
    """Kostanay's regional education department hands activity 1.4's first due date down to
    Алтынсарин district's department, which hands it on to a school 3 working days earlier."""
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    app.config["TODAY"] = date(2019, 1, 10)
    seed_plans(KOSTANAY)
    plan = db.session.scalar(select(Plan).where(Plan.region == "Қостанай облысы"))
    item = db.session.scalar(select(Activity).where(Activity.plan_id == plan.id, Activity.number == "1.4"))
    head = db.session.scalar(select(Body).where(Body.region == plan.region, Body.identity == "education"))
    obligation = item.obligations[0]
    district, = registry.ensure_members(plan.region, "district_education", only={"district_education:алтынсарин ауданы"})
    school = Body(name="Мектеп (СИНТЕТИКА)", region=plan.region, identity="organisation:chain", level="organisation",
                  parent_id=district.id, district="Алтынсарин ауданы")
    db.session.add(school)
    db.session.commit()
    users = {"region": make_user("executor", body=head), "district": make_user("executor", body=district),
             "school": make_user("executor", body=school)}
    (part,) = delegation_operations.delegate(users["region"], obligation, None, [f"b{district.id}"], None,
                                             "Орындаңыз.", [])
    school_due = working_calendar().subtract_working_days(part.due_date, 3)
    (school_part,) = delegation_operations.delegate(users["district"], obligation, part, [f"b{school.id}"], school_due,
                                                    "Мектепте өткізіңіз.", [])
    return {"item": item, "obligation": obligation, "head": head, "district": district, "school": school,
            "users": users, "part": part, "school_part": school_part, "school_due": school_due}


def test_a_sub_obligation_is_in_the_digest_of_the_body_it_was_handed_down_to(app, make_user, seed_plans):
    world = chain(app, seed_plans, make_user)
    item, part, school_part, school_due = world["item"], world["part"], world["school_part"], world["school_due"]
    district_user, school_user = world["users"]["district"], world["users"]["school"]
    calendar = working_calendar()

    # Seven working days before the school's date: the school is reminded of its part, by its date.
    day = calendar.subtract_working_days(school_due, 7)
    app.config["TODAY"] = day
    digest = digest_of(school_user.email, day)
    (line,) = [line for line in digest.lines if line.kind == LineKind.DELEGATION]
    assert (line.delegation_id, line.reason, line.days, line.due_date) == (school_part.id, ItemReason.DUE, 7, school_due)
    _subject, text, html = render(digest, BASE)
    assert f"{BASE}/delegations/{school_part.id}" in text and "(handed down by Алтынсарин" in text
    assert item.number in text
    # The district is reminded of its own part on its own date, not of the school's.
    district_lines = [line for line in (digest_of(district_user.email, day) or _Empty()).lines
                      if line.kind == LineKind.DELEGATION]
    assert all(line.delegation_id == part.id for line in district_lines)

    # The school reports, the district returns it: the school is told the next working day, with the comment.
    school_client = signed_in(app, school_user)
    response = school_client.post(f"/delegations/{school_part.id}/reports", data={
        "text": "Мектепте семинар өткізілді.", "links": "", "no_personal_data": "y"}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    sub_report = db.session.scalar(select(SubReport).where(SubReport.delegation_id == school_part.id))
    district_client = signed_in(app, district_user)
    assert district_client.post(f"/sub-reports/{sub_report.id}/review", data={
        "comment": "Қатысушылар санын жазыңыз", "send_back": "y"}).status_code == 302
    returned_on = db.session.get(SubReport, sub_report.id).reviewed_on
    next_day = calendar.add_working_days(returned_on, 1)
    app.config["TODAY"] = next_day
    (line,) = [line for line in digest_of(school_user.email, next_day).lines if line.kind == LineKind.DELEGATION]
    assert line.reason == ItemReason.RETURNED and line.comment == "Қатысушылар санын жазыңыз"
    _subject, text, _html = render(digest_of(school_user.email, next_day), BASE)
    assert "The comment of Алтынсарин ауданының білім бөлімі" in text and "Қатысушылар санын жазыңыз" in text
    # the coordinator is not told of a school's part: the district deals with it
    coordinator = make_user("coordinator")
    told = digest_of(coordinator.email, next_day + timedelta(days=0))
    assert not [line for line in (told.lines if told else []) if line.kind == LineKind.DELEGATION]


class _Empty:
    lines: list = []


def notices(user) -> list:
    from tracker.work.models import Notification

    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.account_id == user.id)
                                   .order_by(Notification.id)))


def test_coordinators_are_told_of_actuals_and_the_body_of_their_review(app, karaganda, make_user):
    import io

    offences, level, executor = karaganda["offences"], karaganda["level"], karaganda["executor"]
    coordinator, police_user = karaganda["coordinator"], karaganda["police_executor"]
    assert post_actual(executor, offences, "2024", "86").status_code == 302
    (told,) = notices(coordinator)
    assert told.kind == "actual_submitted" and told.path == f"/indicators/{offences.id}#a-{latest(offences, '2024').id}"
    page = karaganda["coordinator_client"].get("/notifications?lang=kk").get_data(as_text=True)
    assert "Полиция департаменті" in page and offences.name[:30] in page

    assert review(karaganda["coordinator_client"], latest(offences, "2024"), accept=False,
                  comment="Аудандар бойынша бөліп жазыңыз").status_code == 302
    (returned,) = notices(police_user)
    assert returned.kind == "actual_returned" and returned.path == f"/indicators/{offences.id}?period=2024"
    page = executor.get("/notifications?lang=en").get_data(as_text=True)
    assert "was returned: Аудандар бойынша бөліп жазыңыз" in page
    assert notices(karaganda["education_executor"]) == []  # another body hears nothing

    # A spreadsheet of three actuals: one notice per coordinator for the file, not three.
    csv = (f"Показатель;2023;2024\n#{offences.id};90;\n#{level.id};91;92\n").encode("utf-8-sig")
    plan = karaganda["plan"]
    preview = executor.post(f"/plans/{plan.id}/indicators/upload", data={"file": (io.BytesIO(csv), "f.csv")},
                            content_type="multipart/form-data")
    token = re.search(r'name="token" type="hidden" value="([^"]+)"|name="token" value="([^"]+)"',
                      preview.get_data(as_text=True))
    token = token.group(1) or token.group(2)
    assert executor.post(f"/plans/{plan.id}/indicators/upload/confirm",
                         data={"token": token, "no_personal_data": "y"}).status_code == 302
    after = notices(coordinator)
    assert len(after) == 2 and after[-1].kind == "actual_submitted" and after[-1].path == "/inbox#actuals"
    assert after[-1].message["p"]["n"] == 3


def test_the_overdue_list_shows_each_executors_branch_beside_its_own_figures(app, client, login, make_user,
                                                                             seed_plans):
    world = chain(app, seed_plans, make_user)
    obligation, head = world["obligation"], world["head"]
    app.config["TODAY"] = obligation.due_date + timedelta(days=3)  # everyone's date has passed
    login("coordinator")
    page = client.get(f"/dashboard?as_of={app.config['TODAY'].isoformat()}").get_data(as_text=True)
    row = re.search(rf'<tr data-executor="{head.id}">(.*?)</tr>', page, re.S).group(1)
    below = re.search(r"<td class=\"num\" data-below>(.*?)</td>", row, re.S).group(1)
    # the district's part and the school's, both overdue, none done: the branch's, not the department's
    assert re.sub(r"<[^>]+>", "", below).split() == ["2", "/", "0", "%"]
    assert f'href="/bodies/{head.id}/chain' in below
    own_lead = re.search(r"data-lead>(\d+)<", row).group(1)
    assert int(own_lead) >= 1  # its own overdue due dates, counted apart
    # an executor that handed nothing down shows a dash
    others = re.findall(r'<tr data-executor="\d+">.*?<td class="num" data-below>(.*?)</td>', page, re.S)
    assert "—" in others
