"""The coordinator's views: dashboard with the overdue list, body pages, responsibility charts."""

from datetime import date

from flask import Blueprint, abort, current_app, render_template, request

from tracker.dashboard import charts, queries
from tracker.dashboard.filters import date_problems, day_range, flash_date_problems, read_filters, refuse_bad_dates
from tracker.delegation.queries import delegated_figures
from tracker.executors.models import Body
from tracker.extensions import db, htmx
from tracker.plans.models import Plan
from tracker.reports.status import Status

bp = Blueprint("dashboard", __name__)

#: executors with overdue obligations shown per page of the overdue list (the country has thousands)
OVERDUE_PAGE_SIZE = 100


@bp.get("/dashboard")
def index():
    filters, as_of = read_filters()
    date_messages = [p.message() for p in date_problems()]  # shown above the results, htmx or not
    soon = current_app.config["DUE_SOON_DAYS"]
    sort = request.args.get("sort") if request.args.get("sort") in queries.OVERDUE_SORTS else "overdue"
    figures = queries.dashboard_figures(as_of, soon, filters, sort, request.args.get("dir") == "desc",
                                        request.args.get("page", 1, type=int), OVERDUE_PAGE_SIZE,
                                        current_app.config["DASHBOARD_PLAN_ROWS"])
    overdue = figures.overdue
    # beside each shown executor's own figures, its sub-executors' branch (tracker.delegation): a
    # department is not late because a school is, but the list shows that the school is
    below = delegated_figures([b.body_id for b in overdue.bodies if b.body_id], as_of, soon)
    context = dict(
        plans=figures.plans, regions_only=figures.by_region, plans_in_view=figures.plans_in_view,
        bodies=overdue.bodies, below=below, bodies_total=overdue.total, page=overdue.page, pages=overdue.pages,
        first_shown=overdue.first_shown,
        totals=figures.totals, as_of=as_of, filters=filters, sort=sort, date_messages=date_messages, day_range=day_range(),
        direction=request.args.get("dir", "asc"), args=filters.as_args(),
        regions=queries.region_choices(),
        sections=queries.section_choices(filters),
    )
    context["body_choices"], context["body_choices_cut"] = queries.body_choices(filters)
    context["all_plans"], context["plan_choices_cut"] = queries.plan_choices(filters)
    if htmx and htmx.target == "dashboard-results" and not htmx.history_restore_request:
        return render_template("dashboard/_results.html", **context)
    return render_template("dashboard/index.html", **context)


@bp.get("/dashboard/overdue")
def overdue_of():
    """The overdue obligations of one executor (opened from the overdue list)."""
    if (refusal := refuse_bad_dates()) is not None:
        return refusal
    filters, as_of = read_filters()
    body_id = request.args.get("executor", type=int)
    written = request.args.get("written")
    if body_id is None and not written:
        abort(404)
    rows = queries.overdue_obligations(as_of, current_app.config["DUE_SOON_DAYS"], filters, body_id, written)
    return render_template("dashboard/_overdue_items.html", rows=rows, as_of=as_of)


@bp.get("/bodies/<int:body_id>")
def body(body_id: int):
    item = db.session.get(Body, body_id) or abort(404)
    _filters, as_of = read_filters()
    flash_date_problems()
    soon = current_app.config["DUE_SOON_DAYS"]
    figures = queries.figures_of_body(body_id, as_of, soon) or queries.BodyFigures(
        item.id, item.display_name, item.abbreviation, item.region)
    return render_template("dashboard/body.html", body=item, figures=figures, as_of=as_of,
                           obligations=queries.body_obligations(body_id, as_of, soon),
                           quarters=queries.body_quarters(body_id, as_of, soon))


@bp.get("/plans/<int:plan_id>/charts")
def plan_charts(plan_id: int):
    plan = db.session.get(Plan, plan_id) or abort(404)
    _filters, as_of = read_filters()
    flash_date_problems()
    soon = current_app.config["DUE_SOON_DAYS"]
    sections, matrix = charts.body_section_matrix(plan.id)
    per_month = dict(charts.due_dates_per_month(plan.id))
    months = [f"{y}-{m:02d}" for y in range(plan.period_start.year, plan.period_end.year + 1) for m in range(1, 13)
              if date(y, m, 1) >= plan.period_start.replace(day=1) and date(y, m, 1) <= plan.period_end]
    overdue = [b for b in queries.body_figures(as_of, soon, queries.Filters(plan_id=plan.id)) if b.overdue]
    per_body = charts.activities_per_body(plan.id)
    return render_template(
        "dashboard/charts.html", plan=plan, as_of=as_of, per_body=per_body, sections=sections, matrix=matrix,
        peak=max((n for _e, cells in matrix for n in cells.values()), default=0),
        unsectioned=any(0 in cells for _e, cells in matrix),
        agreement=charts.by_agreement_share(plan.id), months=[(m, per_month.get(m, 0)) for m in months],
        overdue=overdue,
        # (short label, full name, resolved, [bar values]) for the SVG bars
        per_body_rows=[(e.short, e.name, e.resolved, [lead, co]) for e, lead, co in per_body],
        overdue_rows=[(b.label, b.name, b.resolved, [b.as_lead[Status.OVERDUE], b.as_co_executor[Status.OVERDUE]])
                      for b in overdue])
