"""Keeping an activity's obligations in step with its deadline without losing any report."""

from datetime import date

from tracker.core.messages import Message, msg
from tracker.plans.models import Activity, Obligation, Plan
from tracker.plans.signals import obligations_kept_by_others
from tracker.schedule.deadlines import Deadline, Period, due_dates_for


def _reported(obligations) -> set[int]:
    """The ids of those obligations that have reports (asked of the reports package, which builds on this one)."""
    return obligations_kept_by_others([o.id for o in obligations if o.id is not None])


def activity_has_reports(activity: Activity) -> bool:
    return bool(_reported(activity.obligations))


def sync_obligations(activity: Activity, wanted: dict[date, str | None]) -> list[date]:
    """Make the obligations the wanted due dates. One whose date is no longer wanted is dropped —
    unless reports hang on it: then it stays, and its date is returned so a person can decide."""
    kept = []
    current = {o.due_date: o for o in activity.obligations}
    dropped = [o for due, o in current.items() if due not in wanted]
    reported = _reported(dropped)
    for due, obligation in current.items():
        if due in wanted:
            obligation.deliverable = wanted[due]
        elif obligation.id in reported:
            kept.append(due)
        else:
            activity.obligations.remove(obligation)
    for due, deliverable in wanted.items():
        if due not in current:
            activity.obligations.append(Obligation(due_date=due, deliverable=deliverable))
    return kept


def kept_due_date(day: date) -> Message:
    """The warning for a due date that the deadline no longer gives but that keeps its reports
    (after a re-import or an edited deadline: the same words either way)."""
    return msg("due date %(day)s is no longer given by the deadline but keeps its reports; "
               "a coordinator should decide about it", day=day.isoformat())


def deliverables_by_due_date(due_dates: list[date], parts: list[tuple[str, list[date]]]) -> dict[date, str | None]:
    """Each due date with the deliverables that fall due that day when the activity has several
    sub-rows — `parts` gives (completion form, due dates) of each (Kostanay 3.4: the monthly
    information and the quarterly list) — else None."""
    if len(parts) <= 1:
        return dict.fromkeys(sorted(due_dates))
    return {day: "; ".join(form for form, days in parts if form and day in days) or None for day in sorted(due_dates)}


def due_dates_of(activity: Activity, plan: Plan) -> tuple[dict[date, str | None], list[str], str | None]:
    """The due dates the activity's deadline text gives within the plan's period, with the
    deliverable of each when the activity has sub-rows; the problems the texts have; and the
    convention that gave them (stored as `Activity.deadline_rule`)."""
    period = Period(plan.period_start, plan.period_end)
    if activity.parts:
        deadlines = [due_dates_for(part.get("deadline", ""), period, plan.default_frequency) for part in activity.parts]
        parts = [(part.get("completion_form", ""), deadline.due_dates)
                 for part, deadline in zip(activity.parts, deadlines, strict=True)]
        wanted = deliverables_by_due_date(list({day for _form, days in parts for day in days}), parts)
        return wanted, [d.problem for d in deadlines if d.problem], "parts"
    deadline: Deadline = due_dates_for(activity.deadline_text, period, plan.default_frequency)
    return dict.fromkeys(deadline.due_dates), [deadline.problem] if deadline.problem else [], deadline.rule
