"""No body acts for another down the chain: a school may not review its district, a district may
not hand down what is not its own, a body outside the tree can change nothing. Every attempt
must be refused and must leave every table row and every file byte as it was (compared as
tests/test_ownership.py compares them); positive controls show the same requests succeed for
the body whose turn it is."""

import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from tests.conftest import KOSTANAY
from tests.evidence_files import tiny_pdf
from tests.test_ownership import describe, diff, snapshot
from tracker.delegation import operations, registry
from tracker.delegation.models import Delegation, DelegationFile, SubReport
from tracker.executors.districts import GROUP_KINDS
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.plans.models import Activity, Plan
from tracker.reports.status import ReportState

REGION = "Қостанай облысы"


@dataclass
class World:
    ids: dict
    users: dict


def build(app, seed_plans, make_user) -> World:
    """Region → districts A and B; A → school S1, B → school S2. S1 and A have reports awaiting
    review; the group of activity 1.10 is not expanded yet."""
    app.config["TODAY"] = date(2019, 1, 10)
    seed_plans(KOSTANAY)
    plan = db.session.scalar(select(Plan).where(Plan.region == REGION))
    item = db.session.scalar(select(Activity).where(Activity.plan_id == plan.id, Activity.number == "1.4"))
    group_item = db.session.scalar(select(Activity).where(Activity.plan_id == plan.id, Activity.number == "1.10"))
    head = db.session.scalar(select(Body).where(Body.region == REGION, Body.identity == "education"))
    a, b = registry.ensure_members(REGION, "district_education", only={"district_education:алтынсарин ауданы",
                                                                       "district_education:амангелди ауданы"})
    s1 = Body(name="S1 мектебі (СИНТЕТИКА)", region=REGION, identity="organisation:s1", level="organisation",
              parent_id=a.id)
    s2 = Body(name="S2 мектебі (СИНТЕТИКА)", region=REGION, identity="organisation:s2", level="organisation",
              parent_id=b.id)
    db.session.add_all([s1, s2])
    db.session.commit()
    # a Kostanay body that takes no part in activity 1.4 nor in the chain
    involved = {e.body_id for e in item.executors} | {head.id, a.id, b.id, s1.id, s2.id}
    outsider = db.session.scalar(select(Body).where(Body.region == REGION, Body.id.not_in(involved),
                                                    Body.district.is_(None), Body.registry_key.not_in(GROUP_KINDS))
                                 .order_by(Body.id).limit(1))
    users = {name: make_user("executor", body=body) for name, body in
             (("region", head), ("a", a), ("b", b), ("s1", s1), ("s2", s2), ("outsider", outsider))}
    users.update(coordinator=make_user("coordinator"), auditor=make_user("auditor"), admin=make_user("admin"))
    obligation = item.obligations[0]
    d_a, d_b = operations.delegate(users["region"], obligation, None, [f"b{a.id}", f"b{b.id}"], None,
                                   "Орындаңыз.", [("нұсқау.pdf", tiny_pdf("Instruction"))])
    (d_s1,) = operations.delegate(users["a"], obligation, d_a, [f"b{s1.id}"], None, "Мектепте.", [])
    (d_s2,) = operations.delegate(users["b"], obligation, d_b, [f"b{s2.id}"], None, "Мектепте.", [])
    r_s1 = operations.submit(d_s1, users["s1"], "S1 өткізді.", [], [("r.pdf", tiny_pdf("S1"))], True)
    r_a = operations.submit(d_a, users["a"], "A өткізді.", [], [], True)
    ids = dict(obligation=obligation.id, d_a=d_a.id, d_b=d_b.id, d_s1=d_s1.id, d_s2=d_s2.id, r_s1=r_s1.id,
               r_a=r_a.id, a=a.id, b=b.id, s1=s1.id, s2=s2.id, head=head.id, group_executor=group_item.lead.id,
               file=db.session.scalar(select(DelegationFile.id).where(DelegationFile.delegation_id == d_a.id)),
               outsider=outsider.id)
    return World(ids, users)


def pdf_upload():
    return [(io.BytesIO(tiny_pdf("Attempt")), "attempt.pdf")]


def report_form(**extra):
    return {"text": "Жасадық.", "links": "", "no_personal_data": "y", "files": pdf_upload(), **extra}


def delegate_form(targets, **extra):
    return {"targets": targets, "instruction": "Орындаңыз.", "due_date": "", "files": pdf_upload(), **extra}


def accept(**extra):
    return {"accept": "y", "comment": "", **extra}


#: (who, path, form, answers allowed, why)
def attempts(i: dict) -> list[tuple]:
    return [
        ("s1", f"/sub-reports/{i['r_a']}/review", accept(), {403}, "a school reviews its district"),
        ("s1", f"/sub-reports/{i['r_s1']}/review", accept(), {403}, "a school reviews its own report"),
        ("b", f"/sub-reports/{i['r_s1']}/review", accept(), {403}, "a district reviews another district's school"),
        ("region", f"/sub-reports/{i['r_s1']}/review", accept(), {403}, "the region reviews two levels down"),
        ("coordinator", f"/sub-reports/{i['r_s1']}/review", accept(), {403}, "the coordinator reviews a sub-report"),
        ("outsider", f"/sub-reports/{i['r_a']}/review", {"send_back": "y", "comment": "x"}, {403}, "outside the tree"),
        ("a", f"/sub-reports/{i['r_a']}/review", accept(), {403}, "a district reviews its own report"),
        ("b", f"/delegations/{i['d_a']}/delegations", delegate_form([f"b{i['s2']}"]), {403},
         "a district hands down what is not its own"),
        ("a", f"/obligations/{i['obligation']}/delegations", delegate_form([f"b{i['s1']}"]), {403},
         "a district hands down the plan's obligation it does not execute"),
        ("a", f"/delegations/{i['d_a']}/delegations", delegate_form([f"b{i['s2']}"]), {422},
         "a district hands down to another district's school"),
        ("a", f"/delegations/{i['d_a']}/delegations", delegate_form([f"b{i['head']}"]), {422},
         "a district hands its work back up"),
        ("s1", f"/delegations/{i['d_s1']}/delegations", delegate_form([f"b{i['s2']}"]), {422},
         "a school hands down to a body not below it"),
        ("outsider", f"/obligations/{i['obligation']}/delegations", delegate_form([f"b{i['a']}"]), {403},
         "outside the tree hands down the obligation"),
        ("outsider", f"/delegations/{i['d_a']}/delegations", delegate_form([f"b{i['s1']}"]), {403},
         "outside the tree hands down a sub-obligation"),
        ("outsider", f"/delegations/{i['d_s1']}/reports", report_form(), {403}, "outside the tree reports"),
        ("a", f"/delegations/{i['d_s1']}/reports", report_form(), {403}, "a district reports for its school"),
        ("region", f"/delegations/{i['d_a']}/reports", report_form(), {403}, "the region reports for a district"),
        ("b", f"/delegations/{i['d_a']}/reports", report_form(body_id=str(i["a"])), {403},
         "a district reports for another, with the other's id smuggled in"),
        ("s2", f"/delegations/{i['d_s1']}/reports", report_form(), {403}, "a school reports for another school"),
        ("s1", f"/delegations/{i['d_s1']}/reports", report_form(), {422}, "a second report while one awaits review"),
        ("auditor", f"/delegations/{i['d_s1']}/reports", report_form(), {403}, "an auditor reports"),
        ("coordinator", f"/delegations/{i['d_a']}/delegations", delegate_form([f"b{i['s1']}"]), {403},
         "the coordinator hands down"),
        ("outsider", f"/executors/{i['group_executor']}/expand", {}, {403}, "outside the tree expands a group"),
        ("a", f"/executors/{i['group_executor']}/expand", {}, {403}, "a member expands its own group"),
        ("auditor", f"/executors/{i['group_executor']}/expand", {}, {403}, "an auditor expands a group"),
        ("outsider", "/admin/districts", {"region": REGION, "units": "Жаңа ауданы | Новый район"}, {403},
         "an executor corrects the district registry"),
        ("coordinator", "/admin/districts/bodies", {"region": REGION}, {403}, "the coordinator creates bodies"),
        ("region", "/admin/organisations", {"region": REGION, "document": (io.BytesIO(b"x"), "x.csv")}, {403},
         "an executor imports organisations"),
        ("region", f"/admin/bodies/{i['s2']}/place", {"level": "organisation", "parent": str(i["head"])}, {403},
         "an executor moves a school under itself"),
        ("admin", f"/delegations/{i['d_s1']}/reports", report_form(), {403}, "the administrator reports"),
        ("admin", f"/sub-reports/{i['r_s1']}/review", accept(), {403}, "the administrator reviews"),
    ]


def test_no_body_acts_for_another_down_the_chain(app, client, login, make_user, seed_plans):
    world = build(app, seed_plans, make_user)
    problems = []
    cases = attempts(world.ids)
    for who, path, form, allowed, why in cases:
        login(world.users[who])
        before = snapshot(app)
        response = client.post(path, data=form, content_type="multipart/form-data")
        db.session.rollback()
        changes = diff(before, snapshot(app))
        if response.status_code not in allowed or changes:
            problems.append(f"{why} ({who} → {path}): answered {response.status_code}, changed {describe(changes)}")
    assert not problems, "\n".join(problems)
    assert len(cases) >= 30

    # Downloads and pages are reads: every signed-in role may open them, and they change nothing.
    for who in ("outsider", "auditor", "s2"):
        login(world.users[who])
        before = snapshot(app)
        assert client.get(f"/delegations/{world.ids['d_s1']}").status_code == 200
        with client.get(f"/delegation-files/{world.ids['file']}") as download:
            assert download.status_code == 200 and download.data.startswith(b"%PDF")
        assert client.get(f"/bodies/{world.ids['a']}/chain").status_code == 200
        assert not diff(before, snapshot(app))
    # The forms are not offered to the wrong body either.
    login(world.users["s1"])
    page = client.get(f"/delegations/{world.ids['d_a']}").get_data(as_text=True)
    assert "/review" not in page and f"/delegations/{world.ids['d_a']}/reports" not in page


def test_the_same_requests_succeed_for_the_right_body(app, client, login, make_user, seed_plans):
    """Positive controls: the refusals above are the rules, not broken requests."""
    world = build(app, seed_plans, make_user)
    i = world.ids
    login(world.users["a"])
    assert client.post(f"/sub-reports/{i['r_s1']}/review", data=accept()).status_code == 302
    assert db.session.get(SubReport, i["r_s1"]).state == ReportState.ACCEPTED
    login(world.users["region"])
    assert client.post(f"/sub-reports/{i['r_a']}/review",
                       data={"send_back": "y", "comment": "Толықтырыңыз."}).status_code == 302
    login(world.users["a"])
    assert client.post(f"/delegations/{i['d_a']}/reports", data=report_form(),
                       content_type="multipart/form-data").status_code == 302
    login(world.users["s2"])
    assert client.post(f"/delegations/{i['d_s2']}/reports", data=report_form(),
                       content_type="multipart/form-data").status_code == 302
    login(world.users["region"])
    assert client.post(f"/executors/{i['group_executor']}/expand", data={}).status_code == 302
    login(world.users["b"])
    school = Body(name="S3 мектебі (СИНТЕТИКА)", region=REGION, identity="organisation:s3", level="organisation",
                  parent_id=i["b"])
    db.session.add(school)
    db.session.commit()
    assert client.post(f"/delegations/{i['d_b']}/delegations", data=delegate_form([f"b{school.id}"]),
                       content_type="multipart/form-data").status_code == 302
    assert db.session.scalar(select(Delegation).where(Delegation.body_id == school.id)).from_body_id == i["b"]
