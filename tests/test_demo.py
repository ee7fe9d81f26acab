"""The synthetic country (`flask demo generate`): its size, its marks, its reproducibility, its
refusal to mix into a real database, and the coordinator's pages on it.

Each generation at scale 1 takes a few seconds; the tests generate four times in all."""

import hashlib
import re
from datetime import date

import flask_migrate
from flask import template_rendered
from sqlalchemy import case, func, select
from werkzeug.security import generate_password_hash

from tests.conftest import ROOT
from tracker.app import create_app
from tracker.auth.models import User
from tracker.demo.country import MARK
from tracker.demo.generate import EMAIL_DOMAIN, generate
from tracker.executors.models import NATIONAL, Body
from tracker.extensions import db
from tracker.plans.models import Activity, ActivityExecutor, Obligation, Plan
from tracker.reports.models import CompletionReport

DAY = date(2026, 11, 23)
GENERATE = ["demo", "generate", "--scale", "1", "--today", DAY.isoformat()]
COUNTED = (Plan, Activity, Body, ActivityExecutor, Obligation, CompletionReport, User)


def counts() -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED}


def rows_digest() -> str:
    """A hash of the rows that make the country (no timestamps: SQLite and PostgreSQL return them differently)."""
    digest = hashlib.sha256()
    for columns in (
        (Body.id, Body.name, Body.name_ru, Body.abbreviation, Body.region, Body.identity),
        (Plan.id, Plan.title, Plan.region, Plan.period_start, Plan.period_end, Plan.synthetic),
        (Activity.id, Activity.plan_id, Activity.section_id, Activity.number, Activity.text, Activity.deadline_text,
         Activity.funding_amount_kzt),
        (ActivityExecutor.id, ActivityExecutor.activity_id, ActivityExecutor.body_id, ActivityExecutor.role,
         ActivityExecutor.position, ActivityExecutor.by_agreement),
        (Obligation.id, Obligation.activity_id, Obligation.due_date),
        (CompletionReport.id, CompletionReport.obligation_id, CompletionReport.body_id, CompletionReport.kind,
         CompletionReport.version, CompletionReport.state, CompletionReport.submitted_on,
         CompletionReport.reviewed_on, CompletionReport.text),
    ):
        for row in db.session.execute(select(*columns).order_by(columns[0])):
            digest.update(repr(tuple(v.isoformat() if isinstance(v, date) else v for v in row)).encode())
    return digest.hexdigest()


def test_scale_one_is_a_marked_country_of_the_issues_size(app, runner, client):
    result = runner.invoke(args=GENERATE)
    assert result.exit_code == 0, result.output
    assert "Synthetic country, scale 1" in result.output

    found = counts()
    assert found["plan"] == 20 * 5
    assert found["activity"] == 20 * 5 * 60
    per_region = dict(db.session.execute(
        select(Body.region, func.count()).where(Body.region != NATIONAL).group_by(Body.region)).all())
    assert len(per_region) == 20
    assert all(40 <= n <= 60 for n in per_region.values()), per_region
    per_activity = db.session.execute(
        select(func.count(), func.sum(case((ActivityExecutor.role == "lead", 1), else_=0)))
        .group_by(ActivityExecutor.activity_id)).all()
    assert len(per_activity) == found["activity"]
    assert {n for n, _leads in per_activity} <= {3, 4, 5, 6}
    assert {leads for _n, leads in per_activity} == {1}
    assert 40_000 <= found["obligation"] <= 56_000

    due_before = db.session.scalar(select(func.count()).where(Obligation.due_date < DAY))
    reported = db.session.scalar(select(func.count(func.distinct(CompletionReport.obligation_id)))
                                 .where(CompletionReport.kind == "lead"))
    assert 0.55 <= reported / due_before <= 0.65, (reported, due_before)

    assert db.session.scalar(select(func.count()).where(Plan.synthetic.is_not(True))) == 0
    assert all(MARK in title for title in db.session.scalars(select(Plan.title)))

    # New rows after the generated ones get fresh ids (PostgreSQL: the sequences were moved past them).
    highest = db.session.scalar(select(func.max(Body.id)))
    added = Body(name="Жаңа орган (тест)", region=NATIONAL, identity="test-after-generate")
    db.session.add(added)
    db.session.commit()
    assert added.id > highest
    db.session.delete(added)
    db.session.commit()

    # A database that holds plans is refused, and nothing is written.
    again = runner.invoke(args=GENERATE)
    assert again.exit_code == 1
    assert "already holds plans or bodies" in again.output and "--force" in again.output
    assert counts() == found

    # The coordinator's pages answer on it, and the dashboard counts every obligation.
    response = client.post("/login", data={"email": f"coordinator@{EMAIL_DOMAIN}", "password": "demo-pass-2026"})
    assert response.status_code == 302
    app.config["TODAY"] = DAY
    rendered = []

    def remember(_sender, template, context, **_extra):
        rendered.append(context)

    template_rendered.connect(remember, app)
    try:
        dashboard = client.get("/dashboard")
    finally:
        template_rendered.disconnect(remember, app)
    assert dashboard.status_code == 200
    totals = next(c["totals"] for c in rendered if "totals" in c)
    assert sum(totals.values()) == found["obligation"]
    shown = re.findall(r'data-total-status="\w+">([\d\s\u00a0,]+)<', dashboard.get_data(as_text=True))
    if shown:  # the footer of the plans table
        assert sum(int(re.sub(r"\D", "", n)) for n in shown) == found["obligation"]

    plan = db.session.scalar(select(Plan.id).order_by(Plan.id))
    activity = db.session.scalar(select(Activity.id).where(Activity.plan_id == plan).order_by(Activity.position))
    body = db.session.scalar(select(ActivityExecutor.body_id).where(ActivityExecutor.activity_id == activity,
                                                                    ActivityExecutor.role == "lead"))
    for path in (f"/bodies/{body}", f"/plans/{plan}", f"/activities/{activity}"):
        assert client.get(path).status_code == 200, path


def test_the_same_seed_gives_the_same_rows(app, tmp_path):
    password = generate_password_hash("demo-pass-2026")
    generate(1, 7, DAY, ROOT / "plans", password)
    first = rows_digest()

    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'again.sqlite'}",
                        "SECRET_KEY": "test", "PLANS_DIR": str(ROOT / "plans")})
    with other.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        generate(1, 7, DAY, ROOT / "plans", password)
        second = rows_digest()
        db.session.remove()
        db.engine.dispose()
    assert first == second


def test_force_adds_to_a_database_that_holds_bodies(app, runner):
    db.session.add(Body(name="Қостанай облысының білім басқармасы", region="Қостанай облысы", identity="education"))
    db.session.commit()
    before = counts()

    refused = runner.invoke(args=GENERATE)
    assert refused.exit_code == 1
    assert "already holds plans or bodies" in refused.output
    assert counts() == before

    forced = runner.invoke(args=[*GENERATE, "--force"])
    assert forced.exit_code == 0, forced.output
    after = counts()
    assert after["plan"] == 100 and after["activity"] == 6000
    assert after["body"] > before["body"] + 1000
    assert db.session.scalar(select(Body.name).order_by(Body.id)) == "Қостанай облысының білім басқармасы"


# --- the chain below the regions (--chain) ---------------------------------------------------------


def chain_digest() -> str:
    """A hash of the chain's rows (bodies placed in it, sub-obligations, the bodies above them, sub-reports)."""
    from tracker.delegation.models import Delegation, DelegationAbove, SubReport

    digest = hashlib.sha256()
    for columns in (
        (Body.id, Body.level, Body.parent_id, Body.district, Body.registry_key),
        (Delegation.id, Delegation.obligation_id, Delegation.parent_id, Delegation.depth, Delegation.from_body_id,
         Delegation.body_id, Delegation.due_date),
        (DelegationAbove.delegation_id, DelegationAbove.body_id, DelegationAbove.distance),
        (SubReport.id, SubReport.delegation_id, SubReport.version, SubReport.state, SubReport.submitted_on),
    ):
        for row in db.session.execute(select(*columns).order_by(*columns[:2])):
            digest.update(repr(tuple(v.isoformat() if isinstance(v, date) else v for v in row)).encode())
    return digest.hexdigest()


def test_the_chain_hands_a_third_down_region_to_districts_to_schools(app, tmp_path):
    """One region at a tiny scale (3 schools a district, each due date to 2 districts × 2 schools):
    every district of the registry under the region's education department, the schools under
    them, a third of the due dates handed down two levels with the dates, rows and rules of
    tracker.delegation, the widest tree on the region's first, and the country above unchanged."""
    from tracker.calendar import working_calendar
    from tracker.delegation import operations, queries, registry
    from tracker.delegation.models import Delegation, DelegationAbove, SubReport
    from tracker.demo.generate import Chain
    from tracker.executors import districts
    from tracker.history.models import HistoryEntry

    password = generate_password_hash("demo-pass-2026")
    summary = generate(1, 7, DAY, ROOT / "plans", password, regions=1,
                       chain=Chain(schools_per_district=3, fan_out=(2, 2)))
    region = db.session.scalar(select(Plan.region))
    units = districts.units_of(region)
    assert region == f"Абай облысы ({MARK})" and len(units) == 11
    head = db.session.scalar(select(Body).where(Body.region == region, Body.registry_key == "education"))

    # the bodies: every city and district's education department under the region's, 3 schools under each
    department = db.session.scalars(select(Body).where(Body.level == "district").order_by(Body.id)).all()
    assert [d.name for d in department] == [districts.member_names(districts.GROUP_KINDS["district_education"],
                                                                   u)[0] for u in units]
    assert {d.parent_id for d in department} == {head.id} and {d.region for d in department} == {region}
    group = db.session.scalar(select(Body).where(Body.region == region, Body.registry_key == "district_education",
                                                 Body.district.is_(None)))
    assert registry.is_group(group) and registry.members(group) == department  # the group stands for them
    schools = db.session.scalars(select(Body).where(Body.level == "organisation")).all()
    assert len(schools) == 3 * len(units)
    assert {s.parent_id for s in schools} == {d.id for d in department}
    by_id = {b.id: b for b in [head, *department, *schools]}
    assert all(by_id[s.parent_id].district == s.district for s in schools)
    # every one of them has an executor account (the sub-reports are theirs)
    accounts = dict(db.session.execute(select(User.body_id, User.id).where(User.body_id.in_(list(by_id)))).all())
    assert set(accounts) == set(by_id)

    # a third of the due dates, each of an activity the region's education department leads
    handed = set(db.session.scalars(select(Delegation.obligation_id).distinct()))
    total = db.session.scalar(select(func.count()).select_from(Obligation))
    assert 0.2 <= len(handed) / total <= 0.45, (len(handed), total)
    leads = dict(db.session.execute(select(Obligation.id, ActivityExecutor.body_id)
                                    .join(ActivityExecutor, ActivityExecutor.activity_id == Obligation.activity_id)
                                    .where(ActivityExecutor.role == "lead")).all())
    assert {leads[o] for o in handed} == {head.id}

    # two levels: region → districts, 5 working days earlier; district → its own schools, 5 more
    calendar = working_calendar()
    parts = db.session.scalars(select(Delegation)).all()
    due_of = dict(db.session.execute(select(Obligation.id, Obligation.due_date)).all())
    above = {}
    for a in db.session.scalars(select(DelegationAbove)):
        above.setdefault(a.delegation_id, []).append((a.distance, a.body_id))
    by_delegation = {p.id: p for p in parts}
    for part in parts:
        if part.depth == 1:
            assert part.parent_id is None and part.from_body_id == head.id
            assert by_id[part.body_id].level == "district"
            assert part.due_date == calendar.subtract_working_days(due_of[part.obligation_id], 5)
            assert sorted(above[part.id]) == [(1, head.id)]
        else:
            parent = by_delegation[part.parent_id]
            assert part.depth == 2 and parent.depth == 1 and parent.obligation_id == part.obligation_id
            assert part.from_body_id == parent.body_id and by_id[part.body_id].parent_id == parent.body_id
            assert part.due_date == calendar.subtract_working_days(parent.due_date, 5)
            assert sorted(above[part.id]) == [(1, parent.body_id), (2, head.id)]
        assert part.created_at.date() <= DAY and part.created_by_id == accounts[part.from_body_id]
    per_obligation = {}
    for part in parts:
        per_obligation.setdefault(part.obligation_id, []).append(part)
    shapes = sorted(((sum(p.depth == 1 for p in ps), sum(p.depth == 2 for p in ps)) for ps in per_obligation.values()),
                    reverse=True)
    assert shapes[0] == (11, 33)  # the region's first: every district, each to all its schools
    assert set(shapes[1:]) == {(2, 4)}  # the others: 2 districts, 2 schools each
    # one history entry per hand-down, as operations.delegate records it
    created = db.session.scalar(select(func.count()).where(HistoryEntry.action == "delegation.created"))
    assert created == len(per_obligation) + sum(p.depth == 1 for p in parts)

    # sub-reports: by the body it was handed to, reviewed by the body that handed it down
    reports = db.session.scalars(select(SubReport)).all()
    assert reports and summary.sub_reports_by_state
    for r in reports:
        part = by_delegation[r.delegation_id]
        assert r.body_id == part.body_id and r.submitted_by_id == accounts[part.body_id]
        assert r.reviewed_by_id in (None, accounts[part.from_body_id])
        assert r.submitted_on <= DAY and (r.reviewed_on is None or r.submitted_on <= r.reviewed_on <= DAY)
    assert {r.state for r in reports} == {"accepted", "returned", "submitted"}

    # the rules of tracker.delegation agree: the districts are below the region's department, each
    # school below its district; handing one more district down gives the generated row's date
    targets = {t.body_id for t in operations.targets_for(head)}
    assert {d.id for d in department} <= targets
    widest = next(o for o, ps in per_obligation.items() if len(ps) == 44)
    typical = next(o for o, ps in per_obligation.items() if len(ps) == 6)
    tree = queries.tree(db.session.get(Obligation, widest))
    assert len(tree.roots) == 11 and all(len(node.children) == 3 for node in tree.roots)
    given = {p.body_id for p in per_obligation[typical] if p.depth == 1}
    another = next(d for d in department if d.id not in given)
    sample = next(p for p in per_obligation[typical] if p.depth == 1)
    (made,) = operations.delegate(db.session.get(User, accounts[head.id]), db.session.get(Obligation, typical), None,
                                  [f"b{another.id}"], None, "Орындаңыз.", [])
    assert (made.due_date, made.depth, made.from_body_id) == (sample.due_date, 1, head.id)
    assert [(a.distance, a.body_id) for a in db.session.scalars(
        select(DelegationAbove).where(DelegationAbove.delegation_id == made.id))] == [(1, head.id)]
    written = db.session.scalars(select(HistoryEntry).where(HistoryEntry.action == "delegation.created")
                                 .order_by(HistoryEntry.id)).all()
    assert set(written[-1].details) == set(written[0].details)  # the generator's entries say what delegate's say


def test_no_hand_down_is_the_same_country_and_chain_with_nothing_handed_down(app, tmp_path):
    from tracker.delegation.models import Delegation
    from tracker.demo.generate import Chain

    password = generate_password_hash("demo-pass-2026")
    chain = Chain(schools_per_district=2, fan_out=(2, 1))
    generate(1, 7, DAY, ROOT / "plans", password, regions=1, chain=chain)
    handed = rows_digest(), db.session.scalar(select(func.count()).select_from(Delegation))

    def other_database(name: str, **options) -> tuple[str, int, str]:
        other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / name}",
                            "SECRET_KEY": "test", "PLANS_DIR": str(ROOT / "plans")})
        with other.app_context():
            flask_migrate.upgrade(directory=str(ROOT / "migrations"))
            generate(1, 7, DAY, ROOT / "plans", password, regions=1, **options)
            found = (rows_digest(), db.session.scalar(select(func.count()).select_from(Delegation)),
                     db.session.execute(select(Obligation.id, Obligation.due_date).order_by(Obligation.id)).all())
            db.session.remove()
            db.engine.dispose()
        return found

    same, none_handed, _obligations = other_database("kept.sqlite", chain=Chain(schools_per_district=2, fan_out=(2, 1),
                                                                                 hand_down=False))
    assert handed[1] > 0 and none_handed == 0
    assert same == handed[0]  # the same bodies, plans, leads and reports
    # without --chain: the same plans and due dates (only the leads of the activities taken over differ)
    plain, _n, plain_obligations = other_database("plain.sqlite")
    assert plain != same
    assert plain_obligations == db.session.execute(
        select(Obligation.id, Obligation.due_date).order_by(Obligation.id)).all()
