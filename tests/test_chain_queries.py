"""The pages that show the chain cost a fixed number of SQL statements, however long the chain: the
obligation page with its tree (as the coordinator, and as the region's department that handed it
down, with its hand-down form), the body page (the department, a district's, the collective
executor with its members), the body's chain page and the dashboard — counted on a synthetic
region with its chain (`demo generate --chain`), then on a chain three times the size (three
regions, three times the schools and the fan-out)."""

from datetime import date

import flask_migrate
from flask import g
from sqlalchemy import event, func, select
from werkzeug.security import generate_password_hash

from tests.conftest import ROOT
from tracker.app import create_app
from tracker.delegation.models import Delegation
from tracker.demo.generate import EMAIL_DOMAIN, Chain, generate
from tracker.executors.models import Body
from tracker.extensions import db

DAY = date(2026, 11, 23)
PASSWORD = "demo-pass-2026"


def count_statements(client, url: str) -> int:
    """The statements of one request in the steady state (the first request of a day also brings
    the dashboard's rollups up to date: done once, before counting)."""
    assert client.get(url).status_code == 200, url
    db.session.close()
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200, url
    return len(statements)


def measured(app, regions: int, chain: Chain) -> tuple[dict[str, int], dict[str, int]]:
    """Generate, pick the subjects in the first region, count each page's statements. Returns the
    counts and the size of what was counted."""
    app.config["TODAY"] = DAY
    generate(1, 2026, DAY, ROOT / "plans", generate_password_hash(PASSWORD), regions=regions, chain=chain)
    region = db.session.scalar(select(Body.region).where(Body.level == "district").order_by(Body.id).limit(1))
    head = db.session.scalar(select(Body.id).where(Body.region == region, Body.registry_key == "education",
                                                   Body.level == "region"))
    district = db.session.scalar(select(Body.id).where(Body.region == region, Body.level == "district")
                                 .order_by(Body.id).limit(1))
    group = db.session.scalar(select(Body.id).where(Body.region == region, Body.registry_key == "district_education",
                                                    Body.district.is_(None)))
    trees = db.session.execute(
        select(Delegation.obligation_id, func.count()).join(Body, Body.id == Delegation.from_body_id)
        .where(Body.region == region).group_by(Delegation.obligation_id)
        .order_by(func.count().desc(), Delegation.obligation_id)).all()
    widest, widest_size = trees[0]
    typical, typical_size = trees[len(trees) // 2]
    pages = {
        "obligation, widest tree": f"/obligations/{widest}",
        "obligation, typical tree": f"/obligations/{typical}",
        "body page, the department handing down": f"/bodies/{head}",
        "body page, a district": f"/bodies/{district}",
        "body page, the group with its members": f"/bodies/{group}",
        "chain page of the department": f"/bodies/{head}/chain",
        "dashboard": "/dashboard",
    }
    counts = {}
    coordinator = app.test_client()
    assert coordinator.post("/login", data={"email": f"coordinator@{EMAIL_DOMAIN}", "password": PASSWORD}) \
        .status_code == 302
    for name, url in pages.items():
        counts[name] = count_statements(coordinator, url)
    department = app.test_client()
    assert department.post("/login", data={"email": f"executor-{head}@{EMAIL_DOMAIN}", "password": PASSWORD}) \
        .status_code == 302
    counts["obligation, widest tree, as the department (hand-down form)"] = count_statements(
        department, f"/obligations/{widest}")
    sizes = {"delegations": db.session.scalar(select(func.count()).select_from(Delegation)),
             "widest tree": widest_size, "typical tree": typical_size,
             "bodies": db.session.scalar(select(func.count()).select_from(Body))}
    return counts, sizes


def test_the_chain_pages_keep_a_fixed_number_of_statements(app, tmp_path):
    small, small_sizes = measured(app, 1, Chain(schools_per_district=4, fan_out=(2, 2)))

    bigger = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'bigger.sqlite'}",
                         "SECRET_KEY": "test", "PLANS_DIR": str(ROOT / "plans"), "WTF_CSRF_ENABLED": False})

    @bigger.teardown_request
    def forget_request_state(_exc):  # as tests/conftest.py's app: each request its own `g`
        g.__dict__.clear()
    with bigger.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        try:
            large, large_sizes = measured(bigger, 3, Chain(schools_per_district=12, fan_out=(6, 6)))
        finally:
            db.session.remove()
            db.engine.dispose()

    # the chain really is bigger: three times the regions, the widest tree three times the schools
    assert large_sizes["delegations"] >= 3 * small_sizes["delegations"], (small_sizes, large_sizes)
    assert large_sizes["widest tree"] >= 3 * small_sizes["widest tree"] - 11 * 2
    assert large_sizes["typical tree"] >= 3 * small_sizes["typical tree"]
    assert large == small, {name: (small[name], large[name]) for name in small if small[name] != large[name]}
    assert max(small.values()) < 60, small
