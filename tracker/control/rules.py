"""Which date is in force on a day, whether an obligation is on control then, and how many
extensions it has had — the rules the status of an obligation builds on.

Written twice, side by side, like the status rule they feed (tracker.reports.status): in Python
for the pages that show a few obligations (`in_force`), and as SQL expressions for the dashboard's
GROUP BY over every obligation (`in_force_sql`); tests/test_control.py holds the two equal.

- The date in force on day D is the plan's date (`original_due_date`), or the new date of the
  last extension approved by the end of D. An obligation waiting for an event has no date until
  the day its event was recorded.
- An obligation is off control on D when its activity, or its whole plan, was taken off control
  on a day on or before D and not put back by D, and the obligation was still to come that day
  (its date in force after the day it was taken off, or no date yet). It leaves the counts but is
  kept; its past obligations keep their status.

`Obligation.due_changed_on`, the last day the date in force changed, lets nearly every obligation
skip the replay: asked about a day on or after it, the stored `due_date` is the answer.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, exists, func, null, or_, select
from sqlalchemy.orm import aliased

from tracker.control.models import ExtensionRequest, ExtensionState, OffControl
from tracker.extensions import db
from tracker.plans.models import Activity, Obligation


@dataclass(frozen=True)
class InForce:
    """An obligation as it stood on a day: its date then, whether it was still on control, and
    the extensions approved by then."""

    due_date: date | None
    on_control: bool = True
    extensions: int = 0


# --- Python ----------------------------------------------------------------------------------


def in_force(obligations, as_of: date) -> dict[int, InForce]:
    """Obligation id → InForce on `as_of`, for a page's worth of obligations (two queries at most)."""
    obligations = list(obligations)
    replayed = [o.id for o in obligations if o.due_changed_on is not None and o.due_changed_on > as_of]
    approved: dict[int, list[tuple[date, int, date]]] = {}
    if replayed:
        for obligation_id, decided_on, request_id, new_due in db.session.execute(
                select(ExtensionRequest.obligation_id, ExtensionRequest.decided_on, ExtensionRequest.id,
                       ExtensionRequest.new_due_date)
                .where(ExtensionRequest.obligation_id.in_(replayed),
                       ExtensionRequest.state == ExtensionState.APPROVED, ExtensionRequest.decided_on <= as_of)):
            approved.setdefault(obligation_id, []).append((decided_on, request_id, new_due))
    plan_of = _plans_of(obligations)
    periods = _periods_off_control(set(plan_of.values()), as_of)
    found = {}
    for o in obligations:
        if o.id in replayed:
            decisions = sorted(approved.get(o.id, []))
            if o.event_recorded_on is not None and o.event_recorded_on > as_of:
                due = None
            else:
                due = decisions[-1][2] if decisions else o.original_due_date
            extensions = len(decisions)
        else:
            due, extensions = o.due_date, o.extensions
        off = any(period_activity in (None, o.activity_id) and (due is None or due > since)
                  for period_activity, since in periods.get(plan_of[o.id], ()))
        found[o.id] = InForce(due, not off, extensions)
    return found


def _plans_of(obligations) -> dict[int, int]:
    activity_ids = {o.activity_id for o in obligations}
    if not activity_ids:
        return {}
    plan_of_activity = dict(db.session.execute(
        select(Activity.id, Activity.plan_id).where(Activity.id.in_(activity_ids))).all())
    return {o.id: plan_of_activity[o.activity_id] for o in obligations}


def _periods_off_control(plan_ids: set[int], as_of: date) -> dict[int, list[tuple[int | None, date]]]:
    """Plan id → [(activity id or None for the whole plan, since)] of the periods off control on `as_of`."""
    if not plan_ids:
        return {}
    periods: dict[int, list] = {}
    for plan_id, activity_id, since in db.session.execute(
            select(OffControl.plan_id, OffControl.activity_id, OffControl.since)
            .where(OffControl.plan_id.in_(plan_ids), OffControl.since <= as_of,
                   or_(OffControl.until.is_(None), OffControl.until > as_of))):
        periods.setdefault(plan_id, []).append((activity_id, since))
    return periods


# --- SQL -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InForceSql:
    """SQL expressions over Obligation (and Activity, joined) for one "as of" day."""

    due_date: object
    on_control: object
    extensions: object


def in_force_sql(as_of: date) -> InForceSql:
    """`in_force` as column expressions, for a statement that selects from Obligation joined to
    Activity. Only obligations whose date changed after `as_of` run the correlated replay, and only
    plans with a period off control run the EXISTS (the IN list is computed once)."""
    approved = aliased(ExtensionRequest)
    approved_by_then = and_(approved.obligation_id == Obligation.id, approved.state == ExtensionState.APPROVED.value,
                            approved.decided_on <= as_of)
    last_approved = (select(approved.new_due_date).where(approved_by_then)
                     .order_by(approved.decided_on.desc(), approved.id.desc()).limit(1).scalar_subquery())
    current = or_(Obligation.due_changed_on.is_(None), Obligation.due_changed_on <= as_of)
    replay = case((and_(Obligation.event_recorded_on.is_not(None), Obligation.event_recorded_on > as_of), null()),
                  else_=func.coalesce(last_approved, Obligation.original_due_date))
    due = case((current, Obligation.due_date), else_=replay)
    extensions = case((current, Obligation.extensions),
                      else_=select(func.count(approved.id)).where(approved_by_then).scalar_subquery())

    period = aliased(OffControl)
    off = and_(
        Activity.plan_id.in_(select(OffControl.plan_id).where(OffControl.since <= as_of)),
        exists().where(period.plan_id == Activity.plan_id,
                       or_(period.activity_id.is_(None), period.activity_id == Activity.id),
                       period.since <= as_of, or_(period.until.is_(None), period.until > as_of),
                       or_(due.is_(None), due > period.since)))
    return InForceSql(due, ~off, extensions)
