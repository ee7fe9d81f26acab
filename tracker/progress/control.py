"""The forms of items on control: extension requests and decisions, taking off control and
putting back, the day of an event, the working calendar. Each posts here and goes back to the
page it came from; a refusal is a page of its own that says why (422), and nothing is changed.

The rules are tracker.control.operations; this blueprint sits above reports because asking for
an extension needs to know whether the report is accepted already.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tracker.auth.permissions import require
from tracker.calendar import working_calendar
from tracker.calendar.models import CalendarDay
from tracker.control import operations
from tracker.control.forms import (
    CalendarDayForm,
    EventForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    PutBackForm,
    RemoveCalendarDayForm,
    TakeOffControlForm,
)
from tracker.control.models import ExtensionRequest
from tracker.core.clock import today
from tracker.extensions import db
from tracker.plans.models import Activity, Obligation, Plan
from tracker.reports.operations import latest_lead_report
from tracker.reports.status import ReportState

bp = Blueprint("control", __name__)


def _refused(message: str, back: str):
    return render_template("control/refused.html", message=message, back=back), 422


def _form_problem(form) -> str:
    return "; ".join(f"{getattr(form, name).label.text}: {', '.join(errors)}" for name, errors in form.errors.items())


@bp.post("/obligations/<int:obligation_id>/extensions")
def request_extension(obligation_id: int):
    obligation = db.session.get(Obligation, obligation_id) or abort(404)
    back = url_for("reports.obligation", obligation_id=obligation.id)
    form = ExtensionRequestForm()
    latest = latest_lead_report(obligation)
    accepted = latest is not None and latest.state == ReportState.ACCEPTED
    if not form.validate_on_submit():
        return _refused(_form_problem(form) or _("The form is incomplete."), back)
    try:
        operations.request_extension(obligation, current_user, form.new_due_date.data, form.reason.data, accepted)
    except operations.ControlError as exc:
        return _refused(str(exc), back)
    flash(_("Your request for %(day)s is sent to the coordinator.", day=form.new_due_date.data.isoformat()))
    return redirect(back)


@bp.post("/extensions/<int:request_id>/decision")
@require(operations.can_decide)
def decide_extension(request_id: int):
    request = db.session.get(ExtensionRequest, request_id) or abort(404)
    back = url_for("reports.obligation", obligation_id=request.obligation_id)
    form = ExtensionDecisionForm()
    if not form.validate_on_submit():
        return _refused(_form_problem(form) or _("The form is incomplete."), back)
    seen = int(form.seen_version.data) if (form.seen_version.data or "").isdigit() else None
    try:
        operations.decide_extension(request, current_user, approve=bool(form.approve.data), comment=form.comment.data,
                                    seen_version=seen)
    except operations.DecidedMeanwhile as exc:
        return render_template("control/refused.html", message=str(exc), back=back), 409
    except operations.ControlError as exc:
        return _refused(str(exc), back)
    flash(_("The new due date is in force.") if form.approve.data else _("The request is refused."))
    return redirect(back)


def _subject(plan_id: int | None, activity_id: int | None) -> tuple[Plan, Activity | None, str]:
    if activity_id is not None:
        activity = db.session.get(Activity, activity_id) or abort(404)
        return activity.plan, activity, url_for("progress.activity", activity_id=activity.id)
    plan = db.session.get(Plan, plan_id) or abort(404)
    return plan, None, url_for("progress.plan", plan_id=plan.id)


@bp.post("/plans/<int:plan_id>/control/off", defaults={"activity_id": None})
@bp.post("/activities/<int:activity_id>/control/off", defaults={"plan_id": None})
@require(operations.can_decide)
def take_off_control(plan_id: int | None, activity_id: int | None):
    plan, activity, back = _subject(plan_id, activity_id)
    form = TakeOffControlForm()
    if not form.validate_on_submit():
        return _refused(_form_problem(form) or _("The form is incomplete."), back)
    try:
        operations.take_off_control(plan, activity, current_user, form.grounds.data, form.decision_number.data,
                                    form.decision_date.data, form.comment.data)
    except operations.ControlError as exc:
        return _refused(str(exc), back)
    flash(_("Taken off control: its due dates from tomorrow on leave the counts."))
    return redirect(back)


@bp.post("/plans/<int:plan_id>/control/on", defaults={"activity_id": None})
@bp.post("/activities/<int:activity_id>/control/on", defaults={"plan_id": None})
@require(operations.can_decide)
def put_back_on_control(plan_id: int | None, activity_id: int | None):
    plan, activity, back = _subject(plan_id, activity_id)
    if not PutBackForm().validate_on_submit():
        return _refused(_("The form is incomplete."), back)
    try:
        operations.put_back_on_control(plan, activity, current_user)
    except operations.ControlError as exc:
        return _refused(str(exc), back)
    flash(_("Back on control."))
    return redirect(back)


@bp.post("/obligations/<int:obligation_id>/event")
@require(operations.can_decide)
def record_event(obligation_id: int):
    obligation = db.session.get(Obligation, obligation_id) or abort(404)
    back = url_for("reports.obligation", obligation_id=obligation.id)
    form = EventForm()
    if not form.validate_on_submit():
        return _refused(_form_problem(form) or _("The form is incomplete."), back)
    try:
        operations.record_event(obligation, current_user, form.event_on.data)
    except operations.ControlError as exc:
        return _refused(str(exc), back)
    flash(_("The event is recorded; the due date is %(day)s.", day=obligation.due_date.isoformat()))
    return redirect(back)


# --- the working calendar ----------------------------------------------------------------------


@bp.get("/calendar")
def calendar():
    year = today().year
    shown = working_calendar()
    special = {y: sorted(shown.special_days(y).items()) for y in (year, year + 1)}
    rows = list(db.session.scalars(select(CalendarDay).order_by(CalendarDay.day)))
    return render_template("control/calendar.html", rows=rows, special=special, calendar=shown,
                           form=CalendarDayForm(), remove_form=RemoveCalendarDayForm(),
                           can_edit=operations.can_decide(current_user))


@bp.post("/calendar")
@require(operations.can_decide)
def set_calendar_day():
    form = CalendarDayForm()
    back = url_for("control.calendar")
    if not form.validate_on_submit():
        return _refused(_form_problem(form) or _("The form is incomplete."), back)
    try:
        operations.set_calendar_day(current_user, form.day.data, form.working.data == "1", form.reason.data,
                                    form.source.data)
    except operations.ControlError as exc:
        return _refused(str(exc), back)
    flash(_("%(day)s is saved in the calendar.", day=form.day.data.isoformat()))
    return redirect(back)


@bp.post("/calendar/<int:day_id>/remove")
@require(operations.can_decide)
def remove_calendar_day(day_id: int):
    row = db.session.get(CalendarDay, day_id) or abort(404)
    if RemoveCalendarDayForm().validate_on_submit():
        operations.remove_calendar_day(current_user, row)
        flash(_("The day is removed from the calendar."))
    return redirect(url_for("control.calendar"))
