"""The portal on a synthetic country (`flask demo generate --scale 1`: 100 plans, ~1,000 bodies,
~50,000 obligations; generated once for the module): the overdue list comes in pages that together hold every executor exactly
once, one body's figures computed for its page alone equal its figures in the whole country, and
the dashboard's filters offer what the chosen plan holds rather than the whole country."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import make_app, on_a_fresh_database
from tests.test_dashboard import parse, read_dashboard
from tracker.dashboard import queries
from tracker.dashboard.cli import status_report
from tracker.dashboard.routes import OVERDUE_PAGE_SIZE
from tracker.executors.models import NATIONAL, Body
from tracker.extensions import db, limiter
from tracker.plans.models import Activity, ActivityExecutor, Plan, Section

DAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def country(tmp_path_factory):
    """One synthetic country for the whole module (the tests only read it): generating takes seconds."""
    app = make_app(tmp_path_factory.mktemp("country"))
    with on_a_fresh_database(app):
        result = app.test_cli_runner().invoke(args=["demo", "generate", "--scale", "1", "--today", DAY.isoformat()])
        assert result.exit_code == 0, result.output
        app.config["TODAY"] = DAY
        yield app


@pytest.fixture
def coordinator(country):
    limiter.reset()
    client = country.test_client()
    response = client.post("/login", data={"email": "coordinator@synthetic.tracker.example",
                                           "password": "demo-pass-2026"})
    assert response.status_code == 302
    yield client
    db.session.rollback()  # nothing a test read stays in the session for the next one


def test_the_overdue_list_comes_in_pages_that_hold_every_executor_once(coordinator):
    expected = {str(b["id"]) for b in status_report(DAY)["bodies"]
                if b["as_lead"]["overdue"] + b["as_co_executor"]["overdue"]}
    assert len(expected) > 2 * OVERDUE_PAGE_SIZE  # a country: several pages
    seen, page = [], 1
    while True:
        html = coordinator.get("/dashboard", query_string={"sort": "name", "page": page}).get_data(as_text=True)
        listing = read_dashboard(html)
        assert len(listing.overdue) <= OVERDUE_PAGE_SIZE
        seen.extend(key for key, _lead, _co in listing.overdue)
        pager = parse(html).find_all("a", "rel", "next")
        if not pager:
            break
        assert f"page={page + 1}" in pager[0].attrs["href"] and "sort=name" in pager[0].attrs["href"]
        page += 1
    assert page == -(-len(expected) // OVERDUE_PAGE_SIZE)
    assert len(seen) == len(set(seen)) and set(seen) == expected
    # A page past the end shows the last one rather than nothing.
    last = read_dashboard(coordinator.get("/dashboard", query_string={"sort": "name", "page": 9999}).get_data(
        as_text=True))
    assert [k for k, _l, _c in last.overdue] == seen[-len(last.overdue):]


def test_one_body_counted_alone_equals_its_counts_in_the_whole_country(country):
    with country.test_request_context():
        everyone = {f.body_id: f for f in queries.body_figures(DAY, 14)}
        lead_counts = db.session.execute(
            select(ActivityExecutor.body_id, func.count()).where(ActivityExecutor.role == "lead")
            .group_by(ActivityExecutor.body_id).order_by(func.count().desc(), ActivityExecutor.body_id)).all()
        for body_id, _n in lead_counts[:3] + lead_counts[-3:]:
            alone = queries.figures_of_body(body_id, DAY, 14)
            assert alone is not None
            whole = everyone[body_id]
            assert (alone.as_lead, alone.as_co_executor, alone.lead_due_so_far, alone.oldest_overdue) == (
                whole.as_lead, whole.as_co_executor, whole.lead_due_so_far, whole.oldest_overdue)
            assert sum(alone.as_lead.values()) > 0


def test_the_body_page_shows_the_body_and_only_its_obligations(country, coordinator):
    body_id = db.session.scalar(select(ActivityExecutor.body_id).where(ActivityExecutor.role == "lead")
                                .order_by(ActivityExecutor.id).limit(1))
    html = coordinator.get(f"/bodies/{body_id}").get_data(as_text=True)
    with country.test_request_context():
        rows = queries.body_obligations(body_id, DAY, 14)
    assert rows and html.count('href="/obligations/') >= len(rows)
    other_region = db.session.scalar(select(Body.region).where(Body.region != db.session.get(Body, body_id).region,
                                                              Body.region.like("%СИНТЕТИКА%")))
    assert other_region not in html


def test_the_filters_offer_what_the_chosen_plan_holds(coordinator):
    plan = db.session.scalars(select(Plan).order_by(Plan.id)).first()
    root = parse(coordinator.get("/dashboard", query_string={"plan": plan.id}).get_data(as_text=True))
    sections = {int(o.attrs["value"]) for o in root.by_id("filter-section").find_all("option") if o.attrs["value"]}
    assert sections == set(db.session.scalars(select(Section.id).where(Section.plan_id == plan.id)))
    bodies = {int(o.attrs["value"]) for o in root.by_id("filter-body").find_all("option") if o.attrs["value"]}
    named = set(db.session.scalars(select(ActivityExecutor.body_id).join(Activity).where(Activity.plan_id == plan.id)))
    assert bodies == named and len(bodies) < db.session.scalar(select(func.count(Body.id))) / 10
    # With neither plan nor region chosen, a country's thousand bodies are not listed: the national
    # ones are, and a disabled line asks for a region; no plan's sections are listed.
    assert db.session.scalar(select(func.count(Body.id))) > queries.BODY_CHOICES_LIMIT
    root = parse(coordinator.get("/dashboard").get_data(as_text=True))
    options = root.by_id("filter-body").find_all("option")
    national = set(db.session.scalars(select(Body.id).where(Body.region == NATIONAL)))
    assert national and {int(o.attrs["value"]) for o in options if o.attrs["value"]} == national
    assert "disabled" in options[-1].attrs and options[-1].attrs["value"] == ""
    assert len(root.by_id("filter-section").find_all("option")) == 1
    # A body chosen from the overdue list (no region in the query) stays offered and selected.
    regional = db.session.scalar(select(Body.id).where(Body.region != NATIONAL).order_by(Body.id))
    chosen = parse(coordinator.get("/dashboard", query_string={"body": regional}).get_data(as_text=True))
    selected = [o for o in chosen.by_id("filter-body").find_all("option") if "selected" in o.attrs]
    assert [int(o.attrs["value"]) for o in selected] == [regional]


def test_a_region_narrows_the_figures_the_plans_and_the_executors_offered(coordinator):
    region = db.session.scalar(select(Plan.region).order_by(Plan.id).limit(1))
    in_region = set(db.session.scalars(select(Plan.id).where(Plan.region == region)))
    html = coordinator.get("/dashboard", query_string={"region": region}).get_data(as_text=True)
    page, root = read_dashboard(html), parse(html)
    assert set(page.plans) == in_region and len(in_region) == 5
    assert page.totals == {s: sum(p["obligations"][s] for p in page.plans.values()) for s in page.totals}
    offered = {int(o.attrs["value"]) for o in root.by_id("filter-plan").find_all("option") if o.attrs["value"]}
    assert offered == in_region
    bodies = {int(o.attrs["value"]) for o in root.by_id("filter-body").find_all("option") if o.attrs["value"]}
    assert bodies == set(db.session.scalars(select(Body.id).where(Body.region.in_((region, NATIONAL)))))
    # The same numbers as the whole country's, which a hundred plans show one row per region
    # (DASHBOARD_PLAN_ROWS); and the workbook names the region.
    rows = parse(coordinator.get("/dashboard").get_data(as_text=True)).by_id("plan-figures").one("tbody").find_all("tr")
    whole = {row.attrs["data-region"]: {td.attrs["data-status"]: int(td.text()) for td in row.find_all("td")
                                        if "data-status" in td.attrs} for row in rows}
    assert len(whole) == 20
    assert whole[region] == {s: sum(p["obligations"][s] for p in page.plans.values()) for s in page.totals}
    regions = [o.attrs["value"] for o in root.by_id("filter-region").find_all("option") if o.attrs["value"]]
    assert len(regions) == 20 and region in regions
