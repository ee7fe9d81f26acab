"""Delegation down the chain, through the routes: Kostanay's collective executor expanded into its
20 members, a regional department handing a due date down to three districts 5 working days
earlier, one district handing its part to two schools, reviews by the body that handed it down,
"returned" going back one level only, accepted reports as material on the level above, the lead's
consolidated report quoting them, and a body's figures kept apart from its sub-executors'."""

import io
import re
from datetime import date

from sqlalchemy import func, select, text

from tests.conftest import KOSTANAY
from tests.evidence_files import tiny_pdf
from tests.test_personal_data import IIN
from tracker.calendar import working_calendar
from tracker.delegation import operations, queries, registry
from tracker.delegation.models import Delegation, DelegationAbove, SubReport
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.plans.models import Activity, ActivityExecutor, Obligation, Plan
from tracker.reports import operations as report_operations
from tracker.reports.models import CompletionReport
from tracker.reports.status import ReportState, Status
from tracker.work.models import Notification, NotificationKind

REGION = "Қостанай облысы"
#: BRIEF.md, "Letters and the chain": 4 cities of regional significance and 16 districts
KOSTANAY_EDUCATION_DEPARTMENTS = [
    "Қостанай қаласының білім бөлімі", "Рудный қаласының білім бөлімі", "Арқалық қаласының білім бөлімі",
    "Лисаков қаласының білім бөлімі",
    "Алтынсарин ауданының білім бөлімі", "Амангелді ауданының білім бөлімі", "Әулиекөл ауданының білім бөлімі",
    "Бейімбет Майлин ауданының білім бөлімі", "Денисов ауданының білім бөлімі", "Жангелдин ауданының білім бөлімі",
    "Жітіқара ауданының білім бөлімі", "Қамысты ауданының білім бөлімі", "Қарабалық ауданының білім бөлімі",
    "Қарасу ауданының білім бөлімі", "Қостанай ауданының білім бөлімі", "Меңдіқара ауданының білім бөлімі",
    "Наурызым ауданының білім бөлімі", "Сарыкөл ауданының білім бөлімі", "Ұзынкөл ауданының білім бөлімі",
    "Федоров ауданының білім бөлімі",
]


def kostanay(seed_plans) -> Plan:
    seed_plans(KOSTANAY)
    return db.session.scalar(select(Plan).where(Plan.region == REGION))


def activity(plan: Plan, number: str) -> Activity:
    return db.session.scalar(select(Activity).where(Activity.plan_id == plan.id, Activity.number == number))


def region_education(plan: Plan) -> Body:
    return db.session.scalar(select(Body).where(Body.region == REGION, Body.identity == "education"))


def pdf(words: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(tiny_pdf(words)), "report.pdf"


def report(client, delegation_id: int, text: str, files: bool = True):
    data = {"text": text, "links": "", "no_personal_data": "y"}
    if files:
        data["files"] = [pdf(text[:20])]
    return client.post(f"/delegations/{delegation_id}/reports", data=data, content_type="multipart/form-data")


def review(client, report_id: int, accept: bool, comment: str = ""):
    data = {"comment": comment, "accept" if accept else "send_back": "y"}
    return client.post(f"/sub-reports/{report_id}/review", data=data)


def latest(delegation_id: int) -> SubReport:
    return db.session.scalar(select(SubReport).where(SubReport.delegation_id == delegation_id)
                             .order_by(SubReport.version.desc()).limit(1))


def status_of(obligation: Obligation, delegation_id: int) -> str:
    db.session.expire_all()
    return queries.tree(obligation).by_id[delegation_id].status


# --- groups ----------------------------------------------------------------------------------------


def test_kostanay_collective_education_departments_expand_to_4_cities_and_16_districts(
        app, client, login, make_user, seed_plans):
    app.config["TODAY"] = date(2026, 11, 23)
    plan = kostanay(seed_plans)
    item = activity(plan, "1.10")  # led by «қалалар мен аудандардың білім бөлімдері»
    group_executor = item.lead
    group = group_executor.body
    assert group.registry_key == "district_education" and registry.is_group(group)
    assert registry.members(group) == []  # nothing exists before the expansion

    login("coordinator")
    response = client.post(f"/executors/{group_executor.id}/expand", data={})
    assert response.status_code == 302
    members = registry.members(group)
    assert [m.name for m in members] == KOSTANAY_EDUCATION_DEPARTMENTS
    assert members[0].name_ru == "Отдел образования города Костанай"
    assert members[4].name_ru == "Отдел образования Алтынсаринского района"
    assert {m.level for m in members} == {"district"} and {m.region for m in members} == {REGION}
    head = region_education(plan)
    assert {m.parent_id for m in members} == {head.id}  # the region's department is above them
    parts = db.session.scalars(select(Delegation).where(Delegation.group_body_id == group.id)).all()
    assert len(parts) == 20 * len(item.obligations)
    assert {p.from_body_id for p in parts} == {head.id}  # the region's department reviews the parts
    # expanding again gives nobody a second part
    assert client.post(f"/executors/{group_executor.id}/expand", data={}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Delegation)) == len(parts)

    # The group shows as one executor, with each member under it, on the obligation's page.
    obligation = item.obligations[0]
    page = client.get(f"/obligations/{obligation.id}?lang=kk").get_data(as_text=True)
    assert 'id="chain"' in page and f'id="g-{group.id}"' in page
    assert all(name in page for name in KOSTANAY_EDUCATION_DEPARTMENTS)

    # Every member's part is reportable by the member; the body above reviews it.
    reviewer = make_user("executor", body=head)
    for number, member in enumerate(members):
        part = next(p for p in parts if p.body_id == member.id and p.obligation_id == obligation.id)
        if number == 7:  # one member never reports: its part is late
            continue
        login(make_user("executor", body=member))
        assert report(client, part.id, f"{member.name}: семинар өткізілді.").status_code == 302
        login(reviewer)
        assert review(client, latest(part.id).id, accept=True).status_code == 302
    tree = queries.tree(obligation)
    (group_node,) = tree.groups
    statuses = [node.status for node in group_node.members]
    assert statuses.count(Status.OVERDUE) == 1 and statuses.count(Status.DONE_LATE) == 19
    assert group_node.status == Status.OVERDUE  # a member's late part shows on the group

    # The group's drill-down lists its members with their own figures.
    page = client.get(f"/bodies/{group.id}/chain?lang=kk").get_data(as_text=True)
    assert all(name in page for name in KOSTANAY_EDUCATION_DEPARTMENTS)
    late_member = members[7]
    figures = {m.body.id: m for m in queries.group_figures(group, date(2026, 11, 23), 14)}
    assert figures[late_member.id].counts.overdue == len(item.obligations)
    assert figures[members[0].id].counts.overdue == len(item.obligations) - 1


def test_the_group_expands_only_for_the_coordinator_or_the_body_above(app, client, login, make_user, seed_plans):
    plan = kostanay(seed_plans)
    group_executor = activity(plan, "1.10").lead
    outsider = db.session.scalar(select(Body).where(Body.region == REGION, Body.identity != "education",
                                                    Body.registry_key == "health"))
    login(make_user("executor", body=outsider))
    assert client.post(f"/executors/{group_executor.id}/expand", data={}).status_code == 403
    login("auditor")
    assert client.post(f"/executors/{group_executor.id}/expand", data={}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Delegation)) == 0
    assert registry.members(group_executor.body) == []
    login(make_user("executor", body=region_education(plan)))
    assert client.post(f"/executors/{group_executor.id}/expand", data={}).status_code == 302
    assert len(registry.members(group_executor.body)) == 20


# --- the chain: region → 3 districts → 2 schools -------------------------------------------------------


SCHOOLS_CSV = ("Атауы;Орысша атауы;Аудан\n"
               "№1 Алтынсарин мектебі (СИНТЕТИКА);Школа №1 (СИНТЕТИКА);Алтынсарин ауданы\n"
               "№2 Алтынсарин мектебі (СИНТЕТИКА);Школа №2 (СИНТЕТИКА);Алтынсарин\n").encode()


def test_region_to_three_districts_to_two_schools_and_back_up(app, client, login, make_user, seed_plans):
    app.config["TODAY"] = date(2019, 1, 10)  # before the plan's first due dates: nothing is late yet
    plan = kostanay(seed_plans)
    item = activity(plan, "1.4")  # led by the regional education department
    head = region_education(plan)
    assert item.lead.body_id == head.id
    obligation = item.obligations[0]
    calendar = working_calendar()
    internal = calendar.subtract_working_days(obligation.due_date, 5)

    # The administrator imports the schools of Алтынсарин district (they go under its department).
    login("admin")
    response = client.post("/admin/organisations", data={"region": REGION, "document": (io.BytesIO(SCHOOLS_CSV),
                                                                                       "schools.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    altynsarin = db.session.scalar(select(Body).where(Body.name == "Алтынсарин ауданының білім бөлімі"))
    schools = db.session.scalars(select(Body).where(Body.parent_id == altynsarin.id).order_by(Body.name)).all()
    assert [s.name for s in schools] == ["№1 Алтынсарин мектебі (СИНТЕТИКА)", "№2 Алтынсарин мектебі (СИНТЕТИКА)"]
    assert {s.level for s in schools} == {"organisation"} and altynsarin.parent_id == head.id

    # The region's department hands the due date down to three district departments.
    region_user = make_user("executor", body=head)
    login(region_user)
    page = client.get(f"/obligations/{obligation.id}?lang=kk").get_data(as_text=True)
    assert "Амангелді ауданының білім бөлімі" in page  # offered from the registry, not yet in the portal
    choices = {t.label: t.value for t in operations.targets_for(head)}
    districts = ["Алтынсарин ауданының білім бөлімі (ББ)", "Амангелді ауданының білім бөлімі",
                 "Әулиекөл ауданының білім бөлімі"]
    response = client.post(f"/obligations/{obligation.id}/delegations", data={
        "targets": [choices[name] for name in districts], "instruction": "Семинар өткізіп, ақпарат беріңіздер.",
        "due_date": "", "files": [(io.BytesIO(tiny_pdf("Instruction")), "нұсқау.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    top = db.session.scalars(select(Delegation).where(Delegation.obligation_id == obligation.id,
                                                      Delegation.parent_id.is_(None))).all()
    assert len(top) == 3 and {d.due_date for d in top} == {internal}  # 5 working days before, by default
    assert calendar.is_working_day(internal) and (obligation.due_date - internal).days >= 5
    assert all(len(d.files) == 1 for d in top)
    district_part = next(d for d in top if d.body_id == altynsarin.id)

    # The district is told, sees it in its list of work, and hands its part down to two schools.
    district_user = make_user("executor", body=altynsarin)
    told = db.session.scalars(select(Notification).where(Notification.account_id == district_user.id)).all()
    assert told == []  # the account was made after the hand-down; the next one is told
    work = queries.delegated_work(altynsarin.id, date(2019, 1, 10), 14, calendar)
    assert [w.delegation_id for w in work] == [district_part.id] and work[0].role == "sub_executor"
    login(district_user)
    listed = client.get("/my-work?lang=kk").get_data(as_text=True)
    assert f'data-delegation="{district_part.id}"' in listed and f'href="/delegations/{district_part.id}"' in listed
    school_internal = calendar.subtract_working_days(internal, 5)
    response = client.post(f"/delegations/{district_part.id}/delegations", data={
        "targets": [f"b{s.id}" for s in schools], "instruction": "Мектептерде семинар өткізіңіздер.",
        "due_date": school_internal.isoformat()}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    school_parts = db.session.scalars(select(Delegation).where(Delegation.parent_id == district_part.id)
                                      .order_by(Delegation.body_id)).all()
    assert [d.body_id for d in school_parts] == [s.id for s in schools]
    assert {d.depth for d in school_parts} == {2}
    above = {(a.delegation_id, a.body_id, a.distance) for a in db.session.scalars(select(DelegationAbove))}
    assert (school_parts[0].id, altynsarin.id, 1) in above and (school_parts[0].id, head.id, 2) in above

    # The schools report; the district reviews (not the region, not the coordinator).
    school_users = [make_user("executor", body=s) for s in schools]
    texts = ["1-мектепте 120 оқушы қатысты.", "2-мектепте 85 оқушы қатысты."]
    for user, part, written in zip(school_users, school_parts, texts, strict=True):
        login(user)
        assert report(client, part.id, written).status_code == 302
    assert db.session.scalars(select(Notification.kind).where(
        Notification.account_id == district_user.id)).all().count(NotificationKind.SUB_REPORT_SUBMITTED) == 2
    login(region_user)
    assert review(client, latest(school_parts[0].id).id, accept=True).status_code == 403  # two levels up
    login("coordinator")
    assert review(client, latest(school_parts[0].id).id, accept=True).status_code == 403
    login(district_user)
    assert review(client, latest(school_parts[0].id).id, accept=True).status_code == 302
    assert review(client, latest(school_parts[1].id).id, accept=False, comment="Қатысушылар санын көрсетіңіз.")\
        .status_code == 302
    assert status_of(obligation, school_parts[1].id) == Status.RETURNED
    login(school_users[1])
    form = client.get(f"/delegations/{school_parts[1].id}?lang=kk").get_data(as_text=True)
    assert texts[1] in form  # the correction starts from the returned text
    assert report(client, school_parts[1].id, texts[1] + " 12 мұғалім.", files=False).status_code == 302
    corrected = latest(school_parts[1].id)
    assert corrected.version == 2 and len(corrected.files) == 1  # the returned version's file carried over
    login(district_user)
    assert review(client, corrected.id, accept=True).status_code == 302

    # The schools' accepted reports are on the district's sub-obligation, ready to quote.
    page = client.get(f"/delegations/{district_part.id}?lang=kk").get_data(as_text=True)
    assert texts[0] in page and texts[1] + " 12 мұғалім." in page
    assert status_of(obligation, district_part.id) == Status.UPCOMING  # the district has not reported yet
    district_text = "Ауданның 2 мектебінде семинарлар өтті:\n" + queries.quote(
        queries.tree(obligation).by_id[district_part.id].children)
    assert report(client, district_part.id, district_text).status_code == 302

    # The region returns the district's report: it goes back to the district only.
    login(region_user)
    assert review(client, latest(district_part.id).id, accept=False, comment="Қорытынды жоқ.").status_code == 302
    assert status_of(obligation, district_part.id) == Status.RETURNED
    assert [latest(p.id).state for p in school_parts] == [ReportState.ACCEPTED, ReportState.ACCEPTED]
    assert status_of(obligation, school_parts[0].id) == Status.DONE
    login(district_user)
    assert report(client, district_part.id, district_text + "\nҚорытынды: жоспар орындалды.").status_code == 302
    login(region_user)
    assert review(client, latest(district_part.id).id, accept=True).status_code == 302

    # The region's obligation shows the district's accepted report; the lead quotes it.
    page = client.get(f"/obligations/{obligation.id}?lang=kk").get_data(as_text=True)
    assert "Қорытынды: жоспар орындалды." in page
    quoted = client.get(f"/obligations/{obligation.id}/quote?text=Облыс+бойынша.",
                        headers={"HX-Request": "true"}).get_data(as_text=True)
    assert quoted.startswith('<textarea id="text"') and "Облыс бойынша." in quoted
    assert "Алтынсарин ауданының білім бөлімі: Ауданның 2 мектебінде" in quoted
    assert texts[0] in quoted  # the schools' words, through the district's report
    consolidated = re.search(r">(.*)</textarea>", quoted, re.S).group(1)
    import html

    response = client.post(f"/obligations/{obligation.id}/reports", data={
        "text": html.unescape(consolidated), "no_personal_data": "y", "links": "",
        "files": [pdf("Consolidated")]}, content_type="multipart/form-data")
    assert response.status_code == 302
    lead_report = db.session.scalar(select(CompletionReport).where(CompletionReport.obligation_id == obligation.id))
    assert texts[0] in lead_report.text and "Қорытынды: жоспар орындалды." in lead_report.text

    # The coordinator's review of the lead's report is unchanged, and a return there reopens nothing below.
    login("coordinator")
    assert client.post(f"/reports/{lead_report.id}/review", data={"comment": "Толықтырыңыз.", "send_back": "y"})\
        .status_code == 302
    assert report_operations.statuses([obligation])[obligation.id] == Status.RETURNED
    assert latest(district_part.id).state == ReportState.ACCEPTED
    assert [latest(p.id).state for p in school_parts] == [ReportState.ACCEPTED, ReportState.ACCEPTED]

    # The implementation report quotes the district's accepted text under the region's due date.
    import docx

    plan_id = obligation.activity.plan_id
    response = client.get(f"/plans/{plan_id}/implementation-report.docx", query_string={"lang": "kk"})
    document = docx.Document(io.BytesIO(response.data))
    response.close()
    cells = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "Алтынсарин ауданының білім бөлімі (ББ) (төмен тұрған орган, " in cells  # the branch, marked as such
    assert "Қорытынды: жоспар орындалды." in cells

    # Figures apart: the region's own obligations are counted as before; its branch beside them.
    day = date(2019, 1, 10)
    figures = queries.delegated_figures([head.id, altynsarin.id], day, 14)
    assert figures[head.id].owed.total == 0
    assert figures[head.id].below.total == 5  # three districts, two schools
    assert figures[altynsarin.id].owed.total == 1 and figures[altynsarin.id].below.total == 2
    assert figures[altynsarin.id].below.by_status[Status.DONE] == 2


def test_a_late_school_shows_on_its_district_without_making_the_district_late(
        app, client, login, make_user, seed_plans):
    app.config["TODAY"] = date(2019, 1, 10)
    plan = kostanay(seed_plans)
    item = activity(plan, "1.4")
    head = region_education(plan)
    obligation = item.obligations[0]
    region_user = make_user("executor", body=head)
    district, = registry.ensure_members(REGION, "district_education",
                                        only={"district_education:алтынсарин ауданы"})
    school = Body(name="Мектеп (СИНТЕТИКА)", region=REGION, identity="organisation:test", level="organisation",
                  parent_id=district.id, district="Алтынсарин ауданы")
    db.session.add(school)
    db.session.commit()
    (part,) = operations.delegate(region_user, obligation, None, [f"b{district.id}"], None, "Орындаңыз.", [])
    district_user = make_user("executor", body=district)
    school_due = working_calendar().subtract_working_days(part.due_date, 3)
    (school_part,) = operations.delegate(district_user, obligation, part, [f"b{school.id}"], school_due,
                                         "Мектепте өткізіңіз.", [])
    # The school's date passes before the district's: the school is late, the district is not.
    app.config["TODAY"] = working_calendar().add_working_days(school_due, 1)
    assert app.config["TODAY"] < part.due_date
    node = queries.tree(obligation).by_id[part.id]
    assert node.status == Status.DUE_SOON and node.children[0].status == Status.OVERDUE
    assert node.branch_status == Status.OVERDUE
    login(region_user)
    page = client.get(f"/bodies/{district.id}/chain?lang=kk").get_data(as_text=True)
    assert "Мектеп (СИНТЕТИКА)" in page
    figures = queries.delegated_figures([district.id], app.config["TODAY"], 14)[district.id]
    assert figures.owed.by_status[Status.DUE_SOON] == 1 and figures.owed.overdue == 0
    assert figures.below.overdue == 1 and figures.below.on_time_rate == 0.0
    rows = queries.branch_rows(district.id, app.config["TODAY"], 14)
    assert [(r.body, r.status) for r in rows] == [("Мектеп (СИНТЕТИКА)", Status.OVERDUE)]


def test_handing_down_refuses_what_it_must(app, client, login, make_user, seed_plans):
    app.config["TODAY"] = date(2019, 1, 10)
    plan = kostanay(seed_plans)
    obligation = activity(plan, "1.4").obligations[0]
    head = region_education(plan)
    district, other = registry.ensure_members(REGION, "district_education",
                                              only={"district_education:алтынсарин ауданы",
                                                    "district_education:амангелди ауданы"})
    db.session.commit()
    region_user = make_user("executor", body=head)
    login(region_user)
    client.get("/my-work?lang=en")  # the refusals are asserted in English (signing in starts a new session)

    def send(**data):
        base = {"targets": [f"b{district.id}"], "instruction": "Орындаңыз.", "due_date": ""}
        return client.post(f"/obligations/{obligation.id}/delegations", data={**base, **data},
                           content_type="multipart/form-data")

    later = working_calendar().add_working_days(obligation.due_date, 1).isoformat()
    answer = send(due_date=later)
    assert answer.status_code == 422 and "after the due date above" in answer.get_data(as_text=True)
    assert send(instruction="").status_code == 422
    answer = send(instruction=f"ЖСН {IIN} бойынша")  # a birth date in 2091: no real person's
    assert answer.status_code == 422 and "IIN" in answer.get_data(as_text=True)
    outsider = db.session.scalar(select(Body).where(Body.region == "Қостанай облысы", Body.registry_key == "health"))
    answer = send(targets=[f"b{outsider.id}"])
    assert answer.status_code == 422 and "not below yours" in answer.get_data(as_text=True)
    assert send(targets=[]).status_code == 422
    assert send().status_code == 302
    answer = send()
    assert answer.status_code == 422 and "Already handed down" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Delegation)) == 1
    # the district cannot hand it back up to the region
    part = db.session.scalar(select(Delegation))
    login(make_user("executor", body=district))
    answer = client.post(f"/delegations/{part.id}/delegations", data={
        "targets": [f"b{head.id}"], "instruction": "Қайтарамыз.", "due_date": ""}, content_type="multipart/form-data")
    assert answer.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Delegation)) == 1
    assert other.id not in {d.body_id for d in db.session.scalars(select(Delegation))}


def test_the_default_internal_date_follows_the_plans_setting(app, seed_plans, make_user):
    plan = kostanay(seed_plans)
    obligation = activity(plan, "1.4").obligations[0]
    calendar = working_calendar()
    assert operations.default_due_date(obligation.due_date, plan.id) == calendar.subtract_working_days(
        obligation.due_date, 5)
    # the plan form sets it (its field is the plan editor's); here it is written as the form would
    db.session.execute(text("UPDATE plan SET delegation_working_days = 10 WHERE id = :id"), {"id": plan.id})
    db.session.commit()
    assert operations.working_days_before(plan.id) == 10
    assert operations.default_due_date(obligation.due_date, plan.id) == calendar.subtract_working_days(
        obligation.due_date, 10)


def test_parse_json_names_the_groups_members(runner):
    import json

    result = runner.invoke(args=["plans", "parse", str(KOSTANAY), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    groups = [e for a in data["activities"] for e in a["executors"] if e.get("group")]
    assert groups and all(e["members"] == KOSTANAY_EDUCATION_DEPARTMENTS for e in groups)
    plain = [e for a in data["activities"] for e in a["executors"] if e["abbreviation"] == "ДСБ"]
    assert plain and not any("group" in e or "members" in e for e in plain)


def test_activity_executor_of_the_group_is_one_row(app, seed_plans):
    plan = kostanay(seed_plans)
    executors = db.session.scalars(select(ActivityExecutor).where(
        ActivityExecutor.activity_id == activity(plan, "1.10").id)).all()
    assert sum(1 for e in executors if e.body and e.body.registry_key == "district_education") == 1
