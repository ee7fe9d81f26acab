"""Keeping an activity's obligations in step with its deadline without losing any report."""

from dataclasses import dataclass, field
from datetime import date

from tracker.core.messages import Message, msg
from tracker.plans.models import Activity, Obligation, Plan
from tracker.plans.signals import obligations_kept_by_others
from tracker.schedule.deadlines import WITHOUT_DATES, Deadline, Period, due_dates_for
from tracker.schedule.workdays import WorkingCalendar


def _reported(obligations) -> set[int]:
    """The ids of those obligations that have reports (asked of the reports package, which builds on this one)."""
    return obligations_kept_by_others([o.id for o in obligations if o.id is not None])


def activity_has_reports(activity: Activity) -> bool:
    return bool(_reported(activity.obligations))


def sync_obligations(activity: Activity, wanted: dict[date, str | None], waiting: list[str] = ()) -> list[date]:
    """Make the obligations the wanted due dates (each with its deliverable; a `DueDate` also
    brings the period it covers and any move off a non-working day) and one obligation per event
    in `waiting` (a deadline with no date until its event is recorded).

    An obligation is the same one when the plan states the same date for it (`moved_from`, or
    the date itself): an extension's new date in force, or the plan's rule for non-working days
    changing, does not make it another. One no longer wanted is dropped — unless reports hang on
    it: then it stays, and its date is returned so a person can decide."""
    wanted_keys: dict[object, date | None] = {_stated(due): due for due in wanted}
    wanted_keys.update({("event", words): None for words in waiting})
    current = {_identity(o): o for o in activity.obligations}
    dropped = [o for key, o in current.items() if key not in wanted_keys]
    reported = _reported(dropped)
    kept = []
    for key, obligation in current.items():
        if key in wanted_keys:
            if wanted_keys[key] is not None:
                _give_date(obligation, wanted_keys[key], wanted[wanted_keys[key]])
        elif obligation.id in reported:
            if obligation.original_due_date is not None:
                kept.append(obligation.original_due_date)
        else:
            activity.obligations.remove(obligation)
    for key, due in wanted_keys.items():
        if key in current:
            continue
        if due is None:
            activity.obligations.append(Obligation(waits_for=key[1]))
        else:
            obligation = Obligation()
            _give_date(obligation, due, wanted[due])
            activity.obligations.append(obligation)
    return kept


def _stated(due: date) -> date:
    """The date the plan states for a due date (before any move off a non-working day)."""
    return getattr(due, "moved_from", None) or date(due.year, due.month, due.day)


def _identity(obligation: Obligation) -> object:
    if obligation.waits_for is not None:
        return ("event", obligation.waits_for)
    return obligation.moved_from or obligation.original_due_date


def _give_date(obligation: Obligation, due: date, deliverable: str | None) -> None:
    """The plan's date, what it covers and why it moved; the date in force follows unless an
    extension set another."""
    plain = date(due.year, due.month, due.day)
    if obligation.due_date is None or not obligation.extensions:
        obligation.due_date = plain
    obligation.original_due_date = plain
    obligation.deliverable = deliverable
    covers = getattr(due, "covers", None)
    obligation.covers_start, obligation.covers_end = (covers.start, covers.end) if covers else (None, None)
    obligation.moved_from = getattr(due, "moved_from", None)
    notes = [note.data if isinstance(note, Message) else {"t": str(note), "p": {}} for note in getattr(due, "notes", ())]
    obligation.due_notes = notes or None


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


@dataclass
class Schedule:
    """What an activity's deadline gives: its due dates with their deliverables, the events (or
    starts) it waits for without a date, the problems of its texts, and the convention that gave
    them (stored as `Activity.deadline_rule`)."""

    wanted: dict[date, str | None]
    waiting: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rule: str | None = None


def waits_of(deadlines: list[Deadline]) -> list[str]:
    """The events the deadlines wait for: their words, or, for an offset from a start the text
    does not name ("10 (он) жұмыс күні ішінде"), the deadline itself."""
    return list(dict.fromkeys(d.waits_for or d.text for d in deadlines if d.rule in WITHOUT_DATES))


def schedule_of(activity: Activity, plan: Plan, calendar: WorkingCalendar | None = None) -> Schedule:
    """The activity's schedule from its stored deadline (or its sub-rows' deadlines), within the
    plan's period, by the plan's rules: the frequency of ongoing items and what happens to a date
    on a non-working day (`calendar`: the portal's, tracker.calendar.working_calendar)."""
    period = Period(plan.period_start, plan.period_end)
    rules = dict(default_frequency=plan.default_frequency, non_working=plan.non_working_rule or "keep",
                 calendar=calendar)
    if activity.parts:
        deadlines = [due_dates_for(part.get("deadline", ""), period, **rules) for part in activity.parts]
        parts = [(part.get("completion_form", ""), deadline.due_dates)
                 for part, deadline in zip(activity.parts, deadlines, strict=True)]
        wanted = deliverables_by_due_date(list({day for _form, days in parts for day in days}), parts)
        return Schedule(wanted, waits_of(deadlines), [d.problem for d in deadlines if d.problem], "parts")
    deadline = due_dates_for(activity.deadline_text, period, **rules)
    return Schedule(dict.fromkeys(deadline.due_dates), waits_of([deadline]),
                    [deadline.problem] if deadline.problem else [], deadline.rule)
