"""Plans as people read them: the list of plans, a plan's page with its activities' statuses and
filters, an activity's page with its due dates, reports, warnings and history.

These pages combine plans, reports and statuses, so they live above both packages; the
coordinator's forms on them post to tracker.plans.routes.
"""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.control.operations import off_control_panel
from tracker.core.clock import today
from tracker.extensions import db, htmx
from tracker.history import entries_for
from tracker.plans import operations as plan_operations
from tracker.plans.forms import AssignForm, ExecutorsForm, ResolveWarningForm
from tracker.plans.models import Activity, ActivityExecutor, Obligation, Plan, PlanWarning
from tracker.reports.operations import reports_by_obligation, statuses
from tracker.reports.status import STATUSES, activity_status

bp = Blueprint("progress", __name__)


@bp.get("/")
def index():
    counts = dict(db.session.execute(
        select(Activity.plan_id, func.count(Activity.id)).group_by(Activity.plan_id)).all())
    due = dict(db.session.execute(
        select(Activity.plan_id, func.count(Obligation.id)).join(Obligation).group_by(Activity.plan_id)).all())
    plans = db.session.scalars(select(Plan).order_by(Plan.period_start.desc(), Plan.id)).all()
    return render_template("progress/index.html", plans=plans, counts=counts, due=due)


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int):
    plan = db.session.get(Plan, plan_id) or abort(404)
    activities = db.session.scalars(
        select(Activity).where(Activity.plan_id == plan.id).order_by(Activity.position).options(
            selectinload(Activity.executors).selectinload(ActivityExecutor.body),
            selectinload(Activity.obligations),
            selectinload(Activity.section),
        )
    ).all()
    obligation_status = statuses([o for a in activities for o in a.obligations])
    status_of = {a.id: activity_status([obligation_status[o.id] for o in a.obligations]) for a in activities}

    # Filters: section, status, words. A filtered view is a URL that can be bookmarked and sent.
    section = request.args.get("section", type=int)
    wanted_status = request.args.get("status") if request.args.get("status") in STATUSES else None
    words = (request.args.get("q") or "").strip()
    shown = [a for a in activities
             if (section is None or a.section_id == section)
             and (wanted_status is None or status_of[a.id] == wanted_status)
             and (not words or words.lower() in (a.text + " " + a.number + " " + " ".join(
                 e.written for e in a.executors)).lower())]

    warnings_by_activity: dict[str | None, list] = {}
    for warning in plan.warnings:
        if warning.resolved_at is None:
            warnings_by_activity.setdefault(warning.activity_number, []).append(warning)
    context = dict(plan=plan, activities=shown, total=len(activities), warnings=warnings_by_activity,
                   today=today(), status_of=status_of, section=section, wanted_status=wanted_status,
                   words=words, resolve_form=ResolveWarningForm())
    if htmx and htmx.target == "plan-table" and not htmx.history_restore_request:
        return render_template("progress/_table.html", **context)
    return render_template("progress/show.html", history=entries_for(plan_id=plan.id, limit=30),
                           off_control=off_control_panel(plan, None, current_user), **context)


@bp.get("/activities/<int:activity_id>")
def activity(activity_id: int):
    item = db.session.get(Activity, activity_id) or abort(404)
    status_of = statuses(item.obligations)
    reports = reports_by_obligation(item.obligations)
    warnings = db.session.scalars(select(PlanWarning).where(
        PlanWarning.plan_id == item.plan_id, PlanWarning.activity_number == item.number)).all()
    assign_form = AssignForm(formdata=None).offer(plan_operations.bodies_for(item.plan))
    return render_template(
        "progress/activity.html", activity=item, plan=item.plan, status_of=status_of, reports=reports,
        activity_status=activity_status(list(status_of.values())), warnings=warnings, today=today(),
        assign_form=assign_form, resolve_form=ResolveWarningForm(),
        executors_form=ExecutorsForm(executors_text=plan_operations.executors_as_written(item)),
        history=entries_for(activity_id=item.id), off_control=off_control_panel(item.plan, item, current_user))
