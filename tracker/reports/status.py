"""The status of an obligation and the progress of an activity (BRIEF.md, "Reporting").

The rule, in the order it is decided:

- done       — the lead executor's report was accepted on or before the due date;
- done_late  — it was accepted after the due date;
- returned   — the coordinator sent the report back; the executor must correct it;
- submitted  — a report awaits the coordinator's review;
- off_control — the activity or its plan was taken off control before this due date came
  (tracker.control): it leaves the counts but is kept;
- waiting    — the deadline waits for an event whose day is not yet recorded: no date yet;
- overdue    — the due date has passed and nothing is accepted or awaiting review;
- due_soon   — due within DUE_SOON_DAYS (14 by default), nothing submitted yet;
- upcoming   — due later.

Only the lead executor's reports count; co-executors' contributions go into the lead's report.
"As of" a day, a report counts only if it was submitted by the end of that day, and its review
only if the review was made by then. The due date is the one in force that day (an approved
extension moves it; tracker.control.rules gives it, with whether the item was on control).

The rule exists in two forms, written side by side here: `obligation_status` in Python (one
obligation's page, the plan page) and `status_sql` as one CASE expression (the dashboard counts
half a million obligations with GROUP BY). tests/test_dashboard.py holds the two to the same
answer for every obligation on many days. The same goes for an activity's progress
(`activity_progress` and `progress_sql`).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import and_, case, literal, or_


class Status(StrEnum):
    """The status of one obligation (stored nowhere: computed from the reports and the day)."""

    UPCOMING = "upcoming"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    DONE = "done"
    DONE_LATE = "done_late"
    WAITING = "waiting"
    OFF_CONTROL = "off_control"


STATUSES = tuple(Status)
#: statuses that are not "due so far" whatever the day: no date yet, or out of the counts
NOT_DUE = (Status.WAITING, Status.OFF_CONTROL)


class ReportState(StrEnum):
    """Where a completion report stands: awaiting review, or reviewed one way or the other."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class Progress(StrEnum):
    """How the dashboard counts an activity: overdue when any due date is overdue; done when every
    due date still on control is done (on time or late); off control when none is on control any
    more; in progress otherwise."""

    DONE = "done"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"
    OFF_CONTROL = "off_control"


ACTIVITY_PROGRESS = tuple(Progress)

#: an activity shows the most pressing status among its obligations, in this order
_ACTIVITY_PRECEDENCE = (Status.OVERDUE, Status.RETURNED, Status.SUBMITTED, Status.DUE_SOON, Status.UPCOMING,
                        Status.WAITING, Status.DONE_LATE, Status.DONE, Status.OFF_CONTROL)


@dataclass(frozen=True)
class LeadReportState:
    """Where the latest lead report of an obligation stood on the day asked about."""

    state: str  #: a ReportState
    reviewed_on: date | None = None


# --- the obligation: Python --------------------------------------------------------------------


def obligation_status(due_date: date | None, latest: LeadReportState | None, today: date, due_soon_days: int = 14,
                      on_control: bool = True) -> str:
    """`due_date` is the date in force on `today` (None: waiting for an event), `on_control`
    whether the item was still on control that day (tracker.control.rules.in_force)."""
    if latest is not None:
        if latest.state == ReportState.ACCEPTED:
            on_time = latest.reviewed_on is not None and (due_date is None or latest.reviewed_on <= due_date)
            return Status.DONE if on_time else Status.DONE_LATE
        if latest.state in (ReportState.SUBMITTED, ReportState.RETURNED):
            return Status(latest.state)
    if not on_control:
        return Status.OFF_CONTROL
    if due_date is None:
        return Status.WAITING
    if due_date < today:
        return Status.OVERDUE
    if due_date <= today + timedelta(days=due_soon_days):
        return Status.DUE_SOON
    return Status.UPCOMING


def state_as_of(state: str, submitted_on: date, reviewed_on: date | None, as_of: date) -> LeadReportState | None:
    """A report as it stood at the end of `as_of`: not yet there, awaiting review, or reviewed."""
    if submitted_on > as_of:
        return None
    if state in (ReportState.ACCEPTED, ReportState.RETURNED) and reviewed_on is not None and reviewed_on <= as_of:
        return LeadReportState(state, reviewed_on)
    return LeadReportState(ReportState.SUBMITTED)


# --- the obligation: SQL -----------------------------------------------------------------------


def status_sql(*, due_date, report_id, report_state, reviewed_on, as_of: date, due_soon_days: int, on_control):
    """`obligation_status` ∘ `state_as_of` as one CASE expression over the latest lead report
    submitted by `as_of` (its columns, NULL when there is none), the date in force and whether the
    item is on control that day (tracker.control.rules.in_force_sql)."""
    reviewed_by_then = reviewed_on <= as_of
    accepted = and_(report_state == ReportState.ACCEPTED.value, reviewed_by_then)
    return case(
        (and_(accepted, or_(due_date.is_(None), reviewed_on <= due_date)), literal(Status.DONE.value)),
        (accepted, literal(Status.DONE_LATE.value)),
        (and_(report_state == ReportState.RETURNED.value, reviewed_by_then), literal(Status.RETURNED.value)),
        (report_id.is_not(None), literal(Status.SUBMITTED.value)),
        (~on_control, literal(Status.OFF_CONTROL.value)),
        (due_date.is_(None), literal(Status.WAITING.value)),
        (due_date < as_of, literal(Status.OVERDUE.value)),
        (due_date <= as_of + timedelta(days=due_soon_days), literal(Status.DUE_SOON.value)),
        else_=literal(Status.UPCOMING.value),
    )


# --- the activity --------------------------------------------------------------------------------


def activity_status(statuses: list[str]) -> str | None:
    """The most pressing status of an activity's obligations (None for an activity without due
    dates: nothing can be late)."""
    present = set(statuses)
    return next((s for s in _ACTIVITY_PRECEDENCE if s in present), None)


def activity_progress(statuses: list[str]) -> str | None:
    """Done, in progress, overdue or off control (None without due dates) — read off the most
    pressing status: overdue if any is; done only if the most pressing is a kind of done (then
    the others are done or off control); off control only if every one is."""
    pressing = activity_status(statuses)
    if pressing is None:
        return None
    if pressing == Status.OVERDUE:
        return Progress.OVERDUE
    if pressing == Status.OFF_CONTROL:
        return Progress.OFF_CONTROL
    return Progress.DONE if pressing in (Status.DONE, Status.DONE_LATE) else Progress.IN_PROGRESS


def progress_sql(*, overdue, done, done_late, off_control, total):
    """`activity_progress` over an activity's counts per status (columns of a GROUP BY activity)."""
    return case((overdue > 0, literal(Progress.OVERDUE.value)),
                (off_control == total, literal(Progress.OFF_CONTROL.value)),
                (done + done_late + off_control == total, literal(Progress.DONE.value)),
                else_=literal(Progress.IN_PROGRESS.value))
