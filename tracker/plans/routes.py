"""Plans in the browser: list, plan page with filters, activity page, corrections, import preview."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.auth.permissions import can_edit_plans, require
from tracker.auth.routes import is_local_path
from tracker.core.clock import today
from tracker.core.formatting import translated_message
from tracker.executors.models import Body
from tracker.extensions import db, htmx
from tracker.history import entries_for
from tracker.plans import operations
from tracker.plans.engine import PlanFormatError
from tracker.plans.forms import (
    ActivityForm,
    AssignForm,
    ConfirmImportForm,
    ExecutorsForm,
    NewActivityForm,
    PlanForm,
    ResolveWarningForm,
    UploadForm,
)
from tracker.plans.models import Activity, ActivityExecutor, Obligation, Plan, PlanWarning
from tracker.reports.operations import reports_by_obligation, statuses
from tracker.reports.status import STATUSES, activity_status

bp = Blueprint("plans", __name__)


@bp.get("/")
def index():
    counts = dict(db.session.execute(
        select(Activity.plan_id, func.count(Activity.id)).group_by(Activity.plan_id)).all())
    due = dict(db.session.execute(
        select(Activity.plan_id, func.count(Obligation.id)).join(Obligation).group_by(Activity.plan_id)).all())
    plans = db.session.scalars(select(Plan).order_by(Plan.period_start.desc(), Plan.id)).all()
    return render_template("plans/index.html", plans=plans, counts=counts, due=due)


def _plan(plan_id: int) -> Plan:
    return db.session.get(Plan, plan_id) or abort(404)


def _activity(activity_id: int) -> Activity:
    return db.session.get(Activity, activity_id) or abort(404)


@bp.get("/plans/<int:plan_id>")
def show(plan_id: int):
    plan = _plan(plan_id)
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
        return render_template("plans/_table.html", **context)
    return render_template("plans/show.html", history=entries_for(plan_id=plan.id, limit=30), **context)


@bp.get("/activities/<int:activity_id>")
def activity(activity_id: int):
    item = _activity(activity_id)
    status_of = statuses(item.obligations)
    reports = reports_by_obligation(item.obligations)
    warnings = db.session.scalars(select(PlanWarning).where(
        PlanWarning.plan_id == item.plan_id, PlanWarning.activity_number == item.number)).all()
    assign_form = AssignForm()
    assign_form.body_id.choices = [(b.id, f"{b.label}") for b in operations.bodies_for(item.plan)]
    return render_template(
        "plans/activity.html", activity=item, plan=item.plan, status_of=status_of, reports=reports,
        activity_status=activity_status(list(status_of.values())), warnings=warnings, today=today(),
        assign_form=assign_form, resolve_form=ResolveWarningForm(),
        executors_form=ExecutorsForm(executors_text=_written_executors(item)),
        history=entries_for(activity_id=item.id))


def _written_executors(item: Activity) -> str:
    return ", ".join(e.written + (" (келісім бойынша)" if e.by_agreement and e.written != operations.UNNAMED else "")
                     for e in item.executors)


# --- corrections (coordinator) ------------------------------------------------------------------


def _form_status(form, error: str | None) -> int:
    """422 for a form sent back with a problem (htmx swaps it; a client can tell), 200 otherwise."""
    return 422 if error or (form.is_submitted() and form.errors) else 200


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@require(can_edit_plans)
def edit_activity(activity_id: int):
    item = _activity(activity_id)
    form = ActivityForm(obj=item)
    form.section_id.choices = [(0, "—")] + [(s.id, f"{s.number}. {s.title[:80]}") for s in item.plan.sections]
    if request.method == "GET":
        form.section_id.data = item.section_id or 0
    error = None
    if form.validate_on_submit():
        try:
            operations.edit_activity(
                item, number=form.number.data, section_id=form.section_id.data or None, text=form.text.data,
                completion_form=form.completion_form.data or "", deadline_text=form.deadline_text.data or "",
                funding_text=form.funding_text.data or "")
        except operations.PlanEditError as exc:
            error = str(exc)
        else:
            flash(_("Activity %(number)s saved.", number=item.number))
            return redirect(url_for("plans.activity", activity_id=item.id))
    return render_template("plans/activity_form.html", form=form, activity=item, plan=item.plan,
                           error=error), _form_status(form, error)


@bp.post("/activities/<int:activity_id>/executors")
@require(can_edit_plans)
def set_executors(activity_id: int):
    item = _activity(activity_id)
    form = ExecutorsForm()
    if form.validate_on_submit():
        problems = operations.set_executors(item, form.executors_text.data)
        for problem in problems:
            flash(problem, "warning")
        flash(_("Executors of %(number)s saved.", number=item.number))
    else:
        flash(_("Name at least one executor; the first named is the lead."), "error")
    return redirect(url_for("plans.activity", activity_id=item.id))


@bp.post("/executors/<int:executor_id>/assign")
@require(can_edit_plans)
def assign_executor(executor_id: int):
    executor = db.session.get(ActivityExecutor, executor_id) or abort(404)
    form = AssignForm()
    form.body_id.choices = [(b.id, b.label) for b in operations.bodies_for(executor.activity.plan)]
    if not form.validate_on_submit():
        flash(_("Choose a body from the list."), "error")
    else:
        try:
            changed = operations.assign_executor(executor, db.session.get(Body, form.body_id.data))
        except operations.PlanEditError as exc:
            flash(str(exc), "error")
        else:
            flash(_("«%(written)s» is now %(body)s in %(n)s place(s); the next import reads it so.",
                    written=executor.written, body=executor.body.label, n=len(changed)))
    return redirect(url_for("plans.activity", activity_id=executor.activity_id))


@bp.post("/warnings/<int:warning_id>/resolve")
@require(can_edit_plans)
def resolve_warning(warning_id: int):
    warning = db.session.get(PlanWarning, warning_id) or abort(404)
    if ResolveWarningForm().validate_on_submit():
        try:
            operations.resolve_warning(warning)
        except operations.PlanEditError as exc:
            flash(str(exc), "error")
    if htmx:
        return ""  # the warning disappears from the page
    target = request.form.get("next") or url_for("plans.show", plan_id=warning.plan_id)
    return redirect(target if is_local_path(target) else "/")


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@require(can_edit_plans)
def edit_plan(plan_id: int):
    plan = _plan(plan_id)
    form = PlanForm(obj=plan)
    error = None
    if form.validate_on_submit():
        try:
            operations.edit_plan(plan, title=form.title.data, region=form.region.data,
                                 period_start=form.period_start.data, period_end=form.period_end.data,
                                 default_frequency=form.default_frequency.data)
        except operations.PlanEditError as exc:
            error = str(exc)
        else:
            flash(_("Plan saved."))
            return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("plans/plan_form.html", form=form, plan=plan, error=error), _form_status(form, error)


@bp.route("/plans/new", methods=["GET", "POST"])
@require(can_edit_plans)
def new_plan():
    form = PlanForm()
    error = None
    if form.validate_on_submit():
        try:
            plan = operations.create_plan(title=form.title.data, region=form.region.data,
                                          period_start=form.period_start.data, period_end=form.period_end.data,
                                          default_frequency=form.default_frequency.data)
        except operations.PlanEditError as exc:
            error = str(exc)
        else:
            flash(_("Plan created; add its activities."))
            return redirect(url_for("plans.new_activity", plan_id=plan.id))
    return render_template("plans/plan_form.html", form=form, plan=None, error=error), _form_status(form, error)


@bp.route("/plans/<int:plan_id>/activities/new", methods=["GET", "POST"])
@require(can_edit_plans)
def new_activity(plan_id: int):
    plan = _plan(plan_id)
    form = NewActivityForm()
    error = None
    if form.validate_on_submit():
        try:
            item = operations.add_activity(
                plan, number=form.number.data, section_title=form.section_title.data or "", text=form.text.data,
                completion_form=form.completion_form.data or "", executors_text=form.executors_text.data,
                deadline_text=form.deadline_text.data, funding_text=form.funding_text.data or "")
        except operations.PlanEditError as exc:
            error = str(exc)
        else:
            flash(_("Activity %(number)s added with %(n)s due dates.", number=item.number, n=len(item.obligations)))
            return redirect(url_for("plans.activity", activity_id=item.id))
    return render_template("plans/new_activity.html", form=form, plan=plan, error=error), _form_status(form, error)


# --- import from the browser -----------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@require(can_edit_plans)
def upload():
    form = UploadForm()
    error = None
    if form.validate_on_submit():
        document = form.document.data
        try:
            token, _parsed = operations.stage_upload(document.filename or "plan", document.read())
        except PlanFormatError as exc:
            error = translated_message(exc.message)
        else:
            return redirect(url_for("plans.preview", token=token))
    elif form.is_submitted():
        error = _("Choose a plan document to upload.")
    return render_template("plans/upload.html", form=form, error=error), 422 if error else 200


@bp.get("/import/<token>")
@require(can_edit_plans)
def preview(token: str):
    try:
        filename, data = operations.staged(token)
    except LookupError:
        abort(404)
    try:
        parsed = operations.parse_document(data, filename)
    except PlanFormatError as exc:
        return render_template("plans/upload.html", form=UploadForm(), error=translated_message(exc.message)), 422
    warnings: dict[str | None, list] = {}
    for warning in parsed.warnings:
        warnings.setdefault(warning.activity, []).append(warning)
    return render_template("plans/preview.html", parsed=parsed, filename=filename, token=token, warnings=warnings,
                           existing=operations.existing_plan_for(parsed), form=ConfirmImportForm())


@bp.post("/import/<token>")
@require(can_edit_plans)
def confirm(token: str):
    if not ConfirmImportForm().validate_on_submit():
        abort(400)
    try:
        summary = operations.confirm_import(token)
    except LookupError:
        flash(_("That upload is no longer waiting; upload the file again."), "error")
        return redirect(url_for("plans.upload"))
    except PlanFormatError as exc:
        flash(translated_message(exc.message), "error")
        return redirect(url_for("plans.upload"))
    flash(_("Plan imported: %(a)s activities, %(o)s due dates, %(w)s warnings.", a=summary.activities,
            o=summary.obligations, w=len(summary.warnings)))
    return redirect(url_for("plans.show", plan_id=summary.plan_id))
