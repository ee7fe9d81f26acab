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
