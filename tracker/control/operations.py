"""What people do to items on control: ask for an extension and decide it, take an activity or a
plan off control and put it back, record the day of the event a deadline waits for, declare a
day working or not.

Each function checks who may do it and whether it still can be done, records the history, and
commits — or raises ControlError and changes nothing.
"""

from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from tracker import history
from tracker.auth.models import AccountRole, User
from tracker.calendar import working_calendar
from tracker.calendar.models import CalendarDay
from tracker.control import signals
from tracker.control.forms import (
    EventForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    PutBackForm,
    TakeOffControlForm,
)
from tracker.control.models import ExtensionRequest, ExtensionState, OffControl, OffControlGrounds
from tracker.core.clock import local_date, now, today
from tracker.core.personal_data import find_iins, masked
from tracker.core.text import clean
from tracker.extensions import db
from tracker.plans.models import Activity, ExecutorRole, Obligation, Plan
from tracker.plans.permissions import reporting_role
from tracker.schedule.deadlines import Period, due_dates_for


class ControlError(ValueError):
    """Why a change to an item on control cannot be made, for the person in front of the form."""


class DecidedMeanwhile(ControlError):
    """Another coordinator decided the request after this one opened the page."""


def _no_personal_data(*texts: str) -> None:
    for text in texts:
        found = find_iins(text or "")
        if found:
            raise ControlError(_("The text contains an IIN (%(iin)s); remove it.", iin=masked(found[0])))


# --- extensions ----------------------------------------------------------------------------------


def pending_request(obligation: Obligation) -> ExtensionRequest | None:
    return db.session.scalar(select(ExtensionRequest).where(
        ExtensionRequest.obligation_id == obligation.id, ExtensionRequest.state == ExtensionState.PENDING))


def requests_of(obligation: Obligation) -> list[ExtensionRequest]:
    return list(db.session.scalars(select(ExtensionRequest).where(ExtensionRequest.obligation_id == obligation.id)
                                   .order_by(ExtensionRequest.requested_at, ExtensionRequest.id)))


def extension_refusal(obligation: Obligation, user: User, accepted: bool) -> ControlError | None:
    """Why `user` cannot ask for an extension of this obligation now, or None. `accepted`: its
    report is accepted already (the reports package knows; nothing is left to extend then)."""
    if reporting_role(user, obligation.activity) != ExecutorRole.LEAD:
        return ControlError(_("Only the lead executor's staff may ask for an extension."))
    if obligation.due_date is None:
        return ControlError(_("This item has no due date yet: it waits for an event."))
    if accepted:
        return ControlError(_("The report for this due date is already accepted."))
    if today() > obligation.due_date:
        return ControlError(_("An extension is asked before the due date; this one has passed (%(day)s).",
                              day=obligation.due_date.isoformat()))
    if pending_request(obligation) is not None:
        return ControlError(_("A request for this due date already awaits the coordinator's decision."))
    return None


def request_extension(obligation: Obligation, user: User, new_due_date: date | None, reason: str,
                      accepted: bool = False) -> ExtensionRequest:
    """An executor of the lead body asks, before the due date, for a later one."""
    refusal = extension_refusal(obligation, user, accepted)
    if refusal is not None:
        raise refusal
    reason = (reason or "").strip()
    if new_due_date is None:
        raise ControlError(_("New due date: give the date you ask for."))
    if new_due_date <= obligation.due_date:
        raise ControlError(_("New due date: it must be later than the current one (%(day)s).",
                             day=obligation.due_date.isoformat()))
    plan = obligation.activity.plan
    if new_due_date > date(plan.period_end.year + 1, 12, 31):
        raise ControlError(_("New due date: %(day)s is beyond the plan's period and the year after it.",
                             day=new_due_date.isoformat()))
    if not reason:
        raise ControlError(_("Reason: say why the date should move."))
    _no_personal_data(reason)
    moment = now()
    request = ExtensionRequest(
        obligation=obligation, body_id=user.body_id, requested_by_id=user.id, requested_at=moment,
        requested_on=local_date(moment), due_date_then=obligation.due_date, new_due_date=new_due_date,
        reason=reason, state=ExtensionState.PENDING)
    db.session.add(request)
    db.session.flush()
    history.record("extension.requested", obligation=obligation, body=user.body, details={
        "number": obligation.activity.number, "due_date": obligation.due_date.isoformat(),
        "new_due_date": new_due_date.isoformat(), "reason": reason})
    signals.extension_requested.send(None, request=request)
    db.session.commit()
    return request


def can_decide(user: User) -> bool:
    """The coordinator decides extensions (the body that delegated an item will too, once
    delegation exists)."""
    return user.is_authenticated and user.role == AccountRole.COORDINATOR


def decide_extension(request: ExtensionRequest, decider: User, approve: bool, comment: str,
                     seen_version: int | None = None) -> ExtensionRequest:
    """Approve (the new date is in force from today) or refuse (with a comment), in one
    transaction; of two coordinators deciding at once, one wins and the other hears who did."""
    comment = (comment or "").strip()
    if not can_decide(decider):
        raise ControlError(_("Your role does not allow this."))
    if (seen_version is not None and seen_version != request.row_version) or request.state != ExtensionState.PENDING:
        raise _decided_meanwhile(request)
    if not approve and not comment:
        raise ControlError(_("Say why the request is refused: the comment is empty."))
    _no_personal_data(comment)
    moment = now()
    day = local_date(moment)
    request.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
    request.decided_by_id, request.decided_at, request.decided_on = decider.id, moment, day
    request.decision_comment = comment or None
    try:
        obligation = request.obligation
        if approve:
            before = obligation.due_date
            obligation.due_date = request.new_due_date
            obligation.extensions = (obligation.extensions or 0) + 1
            obligation.due_changed_on = day
            history.record("extension.approved", obligation=obligation, actor=decider, changes={
                "due_date": (before, request.new_due_date)}, details={"number": obligation.activity.number,
                                                                      "comment": comment})
        else:
            history.record("extension.refused", obligation=obligation, actor=decider, details={
                "number": obligation.activity.number, "new_due_date": request.new_due_date.isoformat(),
                "comment": comment})
        signals.extension_decided.send(None, request=request)
        db.session.commit()
    except StaleDataError:  # another coordinator's decision landed between our read and our write
        db.session.rollback()
        raise _decided_meanwhile(request) from None
    return request


def _decided_meanwhile(request: ExtensionRequest) -> DecidedMeanwhile:
    db.session.refresh(request)
    who = request.decided_by.email if request.decided_by else "—"
    if request.state == ExtensionState.APPROVED:
        return DecidedMeanwhile(_("This request was approved by %(who)s while you were reading it; nothing you sent "
                                  "was saved.", who=who))
    if request.state == ExtensionState.REFUSED:
        return DecidedMeanwhile(_("This request was refused by %(who)s while you were reading it; nothing you sent "
                                  "was saved.", who=who))
    return DecidedMeanwhile(_("This request changed while you were reading it; nothing you sent was saved."))


# --- taking off control ----------------------------------------------------------------------------


def open_period(plan: Plan, activity: Activity | None) -> OffControl | None:
    """The current period off control of the activity (or, with None, of the whole plan)."""
    query = select(OffControl).where(OffControl.plan_id == plan.id, OffControl.until.is_(None))
    query = query.where(OffControl.activity_id.is_(None) if activity is None else OffControl.activity_id == activity.id)
    return db.session.scalar(query)


def periods_of(plan: Plan) -> list[OffControl]:
    return list(db.session.scalars(select(OffControl).where(OffControl.plan_id == plan.id)
                                   .order_by(OffControl.since, OffControl.id)))


def take_off_control(plan: Plan, activity: Activity | None, coordinator: User, grounds: str,
                     decision_number: str | None, decision_date: date | None, comment: str) -> OffControl:
    """Take an activity, or the whole plan, off control from today on. Its obligations due after
    today leave the counts but are kept; those already due keep their status."""
    if not can_decide(coordinator):
        raise ControlError(_("Your role does not allow this."))
    if activity is not None and activity.plan_id != plan.id:
        raise ControlError(_("This activity is not in this plan."))
    if grounds not in OffControlGrounds.__members__.values():
        raise ControlError(_("Grounds: choose why the item is taken off control."))
    if open_period(plan, activity) is not None:
        raise ControlError(_("This item is already off control."))
    decision_number, comment = clean(decision_number) or None, (comment or "").strip()
    if grounds == OffControlGrounds.SUPERSEDED and not (decision_number and decision_date):
        raise ControlError(_("Superseded: give the number and the date of the decision that supersedes it."))
    if decision_date is not None and decision_date > today():
        raise ControlError(_("Decision date: %(day)s is in the future.", day=decision_date.isoformat()))
    _no_personal_data(comment, decision_number or "")
    period = OffControl(plan=plan, activity=activity, since=today(), grounds=grounds, decision_number=decision_number,
                        decision_date=decision_date, comment=comment, taken_by_id=coordinator.id, taken_at=now())
    db.session.add(period)
    db.session.flush()
    history.record("control.taken_off", plan=plan, activity=activity, actor=coordinator, details={
        "number": activity.number if activity else None, "grounds": grounds, "decision_number": decision_number,
        "decision_date": decision_date.isoformat() if decision_date else None, "comment": comment})
    signals.control_changed.send(None, plan_id=plan.id, activity_id=activity.id if activity else None)
    db.session.commit()
    return period


def put_back_on_control(plan: Plan, activity: Activity | None, coordinator: User) -> OffControl:
    """Its period off control ends today: from tomorrow on its obligations count again."""
    if not can_decide(coordinator):
        raise ControlError(_("Your role does not allow this."))
    period = open_period(plan, activity)
    if period is None:
        raise ControlError(_("This item is on control."))
    # Off from `since` until the day before `until`: put back the same day, no day saw it off control.
    period.until = today()
    period.returned_by_id, period.returned_at = coordinator.id, now()
    history.record("control.put_back", plan=plan, activity=activity, actor=coordinator, details={
        "number": activity.number if activity else None, "since": period.since.isoformat()})
    signals.control_changed.send(None, plan_id=plan.id, activity_id=activity.id if activity else None)
    db.session.commit()
    return period


# --- events ------------------------------------------------------------------------------------------


def record_event(obligation: Obligation, coordinator: User, event_on: date) -> Obligation:
    """The day of the event the deadline waits for ("талдау нәтижелері ұсынылғаннан кейін 5 жұмыс
    күні ішінде"): the due date follows from it, counted on the working calendar."""
    if not can_decide(coordinator):
        raise ControlError(_("Your role does not allow this."))
    if obligation.waits_for is None:
        raise ControlError(_("This item's due date does not wait for an event."))
    if obligation.event_on is not None:
        raise ControlError(_("The event's day is already recorded (%(day)s).", day=obligation.event_on.isoformat()))
    if event_on > today():
        raise ControlError(_("Event day: %(day)s is in the future; record it when it has happened.",
                             day=event_on.isoformat()))
    activity = obligation.activity
    plan = activity.plan
    texts = [part.get("deadline", "") for part in activity.parts] or [activity.deadline_text]
    calendar = working_calendar()
    period = Period(plan.period_start, plan.period_end)
    deadline = next((d for d in (due_dates_for(t, period, plan.default_frequency) for t in texts)
                     if (d.waits_for or d.text) == obligation.waits_for), None)
    if deadline is None:
        raise ControlError(_("The deadline changed since; this item no longer waits for «%(event)s».",
                             event=obligation.waits_for))
    due = deadline.due_from(event_on, calendar, plan.non_working_rule or "keep")
    day = today()
    obligation.event_on, obligation.event_recorded_on = event_on, day
    obligation.due_date = obligation.original_due_date = date(due.year, due.month, due.day)
    obligation.moved_from = getattr(due, "moved_from", None)
    obligation.due_changed_on = day
    history.record("event.recorded", obligation=obligation, actor=coordinator, details={
        "number": activity.number, "event": obligation.waits_for, "event_on": event_on.isoformat(),
        "due_date": obligation.due_date.isoformat()})
    signals.event_recorded.send(None, obligation=obligation)
    db.session.commit()
    return obligation


# --- the working calendar --------------------------------------------------------------------------


def set_calendar_day(coordinator: User, day: date, working: bool, reason: str, source: str | None) -> CalendarDay:
    """Declare a day working or not (a transfer resolution newer than the shipped table, a regional
    day off). Due dates already computed keep their dates; plans that move dates off non-working
    days are recomputed when their deadlines next change."""
    if not can_decide(coordinator):
        raise ControlError(_("Your role does not allow this."))
    reason = (reason or "").strip()
    if not reason:
        raise ControlError(_("Reason: say why (the resolution or order that makes it so)."))
    if not date(2000, 1, 1) <= day <= date(today().year + 5, 12, 31):
        raise ControlError(_("Day: %(day)s is outside the years the calendar covers.", day=day.isoformat()))
    _no_personal_data(reason, source or "")
    row = db.session.scalar(select(CalendarDay).where(CalendarDay.day == day))
    before = (row.working, row.reason) if row else None
    if row is None:
        row = CalendarDay(day=day)
        db.session.add(row)
    row.working, row.reason, row.source = working, reason, clean(source) or None
    row.set_by_id, row.set_at = coordinator.id, now()
    history.record("calendar.day_set", actor=coordinator, details={
        "day": day.isoformat(), "working": working, "reason": reason, "before": list(before) if before else None})
    db.session.commit()
    return row


def remove_calendar_day(coordinator: User, row: CalendarDay) -> None:
    if not can_decide(coordinator):
        raise ControlError(_("Your role does not allow this."))
    history.record("calendar.day_removed", actor=coordinator, details={
        "day": row.day.isoformat(), "working": row.working, "reason": row.reason})
    db.session.delete(row)
    db.session.commit()


# --- what a page shows ---------------------------------------------------------------------------


@dataclass
class ObligationPanel:
    """What the obligation's page shows of it on control, and which forms this person gets."""

    requests: list[ExtensionRequest]
    can_decide: bool
    may_request: bool
    request_form: object
    decision_form: object
    event_form: object


def obligation_panel(obligation: Obligation, user: User, accepted: bool) -> ObligationPanel:
    return ObligationPanel(requests=requests_of(obligation), can_decide=can_decide(user),
                           may_request=extension_refusal(obligation, user, accepted) is None,
                           request_form=ExtensionRequestForm(formdata=None),
                           decision_form=ExtensionDecisionForm(formdata=None), event_form=EventForm(formdata=None))


def off_control_panel(plan: Plan, activity: Activity | None, user: User) -> dict:
    """What a plan's or an activity's page shows of it on control: its period off control, and the
    coordinator's forms to take it off or put it back."""
    target = {"activity_id": activity.id} if activity is not None else {"plan_id": plan.id}
    return {"period": open_period(plan, activity), "can_decide": can_decide(user),
            "take_off_form": TakeOffControlForm(formdata=None), "put_back_form": PutBackForm(formdata=None),
            "take_off_url": url_for("control.take_off_control", **target),
            "put_back_url": url_for("control.put_back_on_control", **target)}
