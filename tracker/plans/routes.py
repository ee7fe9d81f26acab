"""Changing plans in the browser (the coordinator): corrections, executors, warnings, plans by hand,
import with a preview. The pages that show plans with their statuses are tracker.progress."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tracker.auth.permissions import can_edit_plans, require
from tracker.core.formatting import translated_message
from tracker.core.urls import is_local_path
from tracker.executors.models import Body
from tracker.extensions import db, htmx
from tracker.plans import operations
from tracker.plans.amendments import amendment_of
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
from tracker.plans.models import Activity, ActivityExecutor, Plan, PlanWarning

bp = Blueprint("plans", __name__)


def _plan(plan_id: int) -> Plan:
    return db.session.get(Plan, plan_id) or abort(404)


def _activity(activity_id: int) -> Activity:
    return db.session.get(Activity, activity_id) or abort(404)


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
            return redirect(url_for("progress.activity", activity_id=item.id))
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
    return redirect(url_for("progress.activity", activity_id=item.id))


@bp.post("/executors/<int:executor_id>/assign")
@require(can_edit_plans)
def assign_executor(executor_id: int):
    executor = db.session.get(ActivityExecutor, executor_id) or abort(404)
    form = AssignForm().offer(operations.bodies_for(executor.activity.plan))
    if not form.validate_on_submit():
        untouched = form.body_id.data is None  # the list still on "— choose a body —"
        flash(_("Choose the body from the list first; nothing was assigned.") if untouched
              else _("Choose a body from the list."), "error")
    else:
        try:
            changed = operations.assign_executor(executor, db.session.get(Body, form.body_id.data))
        except operations.PlanEditError as exc:
            flash(str(exc), "error")
        else:
            flash(_("«%(written)s» is now %(body)s in %(n)s place(s); the next import reads it so.",
                    written=executor.written, body=executor.body.label, n=len(changed)))
    return redirect(url_for("progress.activity", activity_id=executor.activity_id))


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
    target = request.form.get("next") or url_for("progress.plan", plan_id=warning.plan_id)
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
                                 default_frequency=form.default_frequency.data,
                                 non_working_rule=form.non_working_rule.data,
                                 escalation_working_days=form.escalation_working_days.data,
                                 delegation_working_days=form.delegation_working_days.data)
        except operations.PlanEditError as exc:
            error = str(exc)
        else:
            flash(_("Plan saved."))
            return redirect(url_for("progress.plan", plan_id=plan.id))
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
            return redirect(url_for("progress.activity", activity_id=item.id))
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
        filename, _data, parsed = operations.staged_plan(token)
    except LookupError:
        abort(404)
    except PlanFormatError as exc:
        return render_template("plans/upload.html", form=UploadForm(), error=translated_message(exc.message)), 422
    return _preview_page(parsed, filename, token, ConfirmImportForm())


#: activities shown per page of the preview (a 20,000-activity plan is read a page at a time;
#: every warning is listed above the table whatever the page)
PREVIEW_ROWS = 200


def _preview_page(parsed, filename: str, token: str, form, error: str | None = None, status: int = 200):
    warnings: dict[str | None, list] = {}
    for warning in parsed.warnings:
        warnings.setdefault(warning.activity, []).append(warning)
    existing = operations.existing_plan_for(parsed)
    amendment = amendment_of(existing, parsed) if existing is not None else None
    pages = max(1, -(-len(parsed.activities) // PREVIEW_ROWS))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    shown = parsed.activities[(page - 1) * PREVIEW_ROWS:page * PREVIEW_ROWS]
    return render_template("plans/preview.html", parsed=parsed, filename=filename, token=token, warnings=warnings,
                           existing=existing, amendment=amendment, form=form, error=error, shown=shown,
                           page=page, pages=pages, first_shown=(page - 1) * PREVIEW_ROWS + 1,
                           due_dates=sum(len(a.deadline.due_dates) for a in parsed.activities)), status


@bp.post("/import/<token>")
@require(can_edit_plans)
def confirm(token: str):
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        summary = operations.confirm_import(token, form.amendment_number.data, form.amendment_date.data)
    except operations.PlanEditError as exc:
        filename, _data, parsed = operations.staged_plan(token)
        return _preview_page(parsed, filename, token, form, error=str(exc), status=422)
    except LookupError:
        flash(_("That upload is no longer waiting; upload the file again."), "error")
        return redirect(url_for("plans.upload"))
    except PlanFormatError as exc:
        flash(translated_message(exc.message), "error")
        return redirect(url_for("plans.upload"))
    flash(_("Plan imported: %(a)s activities, %(o)s due dates, %(w)s warnings.", a=summary.activities,
            o=summary.obligations, w=len(summary.warnings)))
    return redirect(url_for("progress.plan", plan_id=summary.plan_id))
