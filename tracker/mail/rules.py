"""Who is reminded of what, on which day — each rule written once, in plain functions of working
days (tracker.schedule.workdays counts them on the portal's working calendar).

- Digests go out on working days only: "due in 3 working days" is the same number on a Friday and
  on the Saturday after it, and nobody reads the akimat's mail on a Sunday.
- **Due**: an obligation is named on the days it is due in 14, 7, 3 and 1 working days (`DUE_IN`).
- **Returned**: the first working day after its report was returned, then every 5 working days
  (a week) while it stays returned. Told to the lead body only: the returned report is the lead's.
- **Overdue**: the first working day after its due date, then weekly (every 5 working days) — with
  the days it is overdue.
- **Escalation**: once an obligation is overdue `escalation_working_days` working days (a plan
  setting, 10 by default), on that day and weekly after it also goes to every coordinator and to
  the head of the lead body (an executor account marked as head). Not when the lead body takes
  part "by agreement" (police, prosecutor, ombudsman): it does not report to the akimat; it keeps
  its own reminders.
- Awaiting review: never named (the ball is in the akimat's court).
- **Weekly digest**: on the first working day of the week, everything open: due within 14
  working days, every overdue item, every returned one. **Returned only**: returned items.
  Returned items and escalations (`ESSENTIAL`) come on their days whatever the account chose.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from tracker.mail.models import DigestChoice, ItemReason
from tracker.reports.status import Status
from tracker.schedule.workdays import WorkingCalendar

#: an obligation is named when it is due in this many working days
DUE_IN = (14, 7, 3, 1)
#: returned and overdue items come back every this many working days (a week)
REPEAT_EVERY = 5
#: what no digest choice switches off
ESSENTIAL = (ItemReason.RETURNED, ItemReason.ESCALATION)
#: the longest digest: past this, the message says how many more wait in the portal
MAX_ITEMS = 100


def sends_on(day: date, calendar: WorkingCalendar) -> bool:
    return calendar.is_working_day(day)


def is_weekly_day(day: date, calendar: WorkingCalendar) -> bool:
    """The first working day of the week (a Monday, or the Tuesday after a Monday holiday)."""
    if not calendar.is_working_day(day):
        return False
    monday = day - timedelta(days=day.weekday())
    return not any(calendar.is_working_day(monday + timedelta(days=i)) for i in range(day.weekday()))


def on_repeat(working_days_since: int, first: int = 1) -> bool:
    """Day `first` after the start, then weekly."""
    return working_days_since >= first and (working_days_since - first) % REPEAT_EVERY == 0


def escalated(working_days_overdue: int, limit: int, lead_by_agreement: bool) -> bool:
    """Whether an overdue obligation is escalated on this day (the day it reaches the plan's limit,
    then weekly)."""
    return not lead_by_agreement and on_repeat(working_days_overdue, first=max(1, limit))


def escalation_reached(working_days_overdue: int, limit: int, lead_by_agreement: bool) -> bool:
    """Whether it is past the limit at all (a coordinator's feed, the weekly digest)."""
    return not lead_by_agreement and working_days_overdue >= max(1, limit)


@dataclass(frozen=True)
class Candidate:
    """One obligation as it stands on the day, with what the day's rules say of it."""

    obligation_id: int
    status: str
    due_date: date | None
    #: working days left (due) or overdue; None when it has no date
    working_days: int | None
    #: calendar days overdue (shown to people, as My work shows them)
    days_overdue: int | None
    #: working days since the report was returned (returned items)
    since_return: int | None
    lead_by_agreement: bool
    escalation_limit: int


def reasons_for(item: Candidate, role_is_lead: bool, choice: str, weekly_day: bool,
                is_head: bool = False, is_coordinator: bool = False) -> list[tuple[ItemReason, int | None]]:
    """What one account is told of one obligation today: [(reason, days)], in the digest's order."""
    found: list[tuple[ItemReason, int | None]] = []
    everything = choice == DigestChoice.WEEKLY and weekly_day
    if is_coordinator or (is_head and role_is_lead):
        if item.status == Status.OVERDUE and item.working_days is not None and (
                escalation_reached(item.working_days, item.escalation_limit, item.lead_by_agreement) if everything
                else escalated(item.working_days, item.escalation_limit, item.lead_by_agreement)):
            found.append((ItemReason.ESCALATION, item.days_overdue))
        if is_coordinator:
            return found
    if item.status == Status.RETURNED:
        if role_is_lead and item.since_return is not None and (everything or on_repeat(item.since_return)):
            found.append((ItemReason.RETURNED, item.since_return))
        return found
    if choice == DigestChoice.RETURNED_ONLY or (choice == DigestChoice.WEEKLY and not weekly_day):
        return found
    if found:  # the head's escalation already names it
        return found
    if item.status == Status.OVERDUE and item.working_days is not None:
        if everything or on_repeat(item.working_days):
            found.append((ItemReason.OVERDUE, item.days_overdue))
    elif item.working_days is not None and item.working_days >= 1 and (
            item.working_days in DUE_IN if not everything else item.working_days <= max(DUE_IN)):
        found.append((ItemReason.DUE, item.working_days))
    return found
