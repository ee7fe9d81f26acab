"""Plans in the browser: the list and one plan's activities."""

from datetime import date

from flask import Blueprint, abort, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.plans.models import Activity, ActivityExecutor, Obligation, Plan

bp = Blueprint("plans", __name__)


def today() -> date:
    """'Today' for due-date views; tests and later the status rules set it through config."""
    from flask import current_app

    return current_app.config.get("TODAY") or date.today()


@bp.get("/")
def index():
    counts = dict(db.session.execute(
        select(Activity.plan_id, func.count(Activity.id)).group_by(Activity.plan_id)).all())
    due = dict(db.session.execute(
        select(Activity.plan_id, func.count(Obligation.id)).join(Obligation).group_by(Activity.plan_id)).all())
    plans = db.session.scalars(select(Plan).order_by(Plan.period_start.desc(), Plan.id)).all()
    return render_template("plans/index.html", plans=plans, counts=counts, due=due)


@bp.get("/plans/<int:plan_id>")
def show(plan_id: int):
    plan = db.session.get(Plan, plan_id) or abort(404)
    activities = db.session.scalars(
        select(Activity).where(Activity.plan_id == plan.id).order_by(Activity.position).options(
            selectinload(Activity.executors).selectinload(ActivityExecutor.body),
            selectinload(Activity.obligations),
            selectinload(Activity.section),
        )
    ).all()
    warnings_by_activity: dict[str | None, list] = {}
    for warning in plan.warnings:
        warnings_by_activity.setdefault(warning.activity_number, []).append(warning)
    return render_template("plans/show.html", plan=plan, activities=activities,
                           warnings=warnings_by_activity, today=today())
