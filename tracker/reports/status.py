"""The status of an obligation and of an activity (BRIEF.md, "Reporting").

Plain functions of plain values, so that the rule is written once, read easily and tested
without a database:

- done       — the lead executor's report was accepted on or before the due date;
- done_late  — it was accepted after the due date;
- submitted  — a report awaits the coordinator's review;
- returned   — the coordinator sent the report back; the executor must correct it;
- overdue    — the due date has passed and nothing is accepted or awaiting review;
- due_soon   — due within DUE_SOON_DAYS (14 by default), nothing submitted yet;
- upcoming   — due later.

Only the lead executor's reports count; co-executors' contributions go into the lead's report.
"""

from dataclasses import dataclass
from datetime import date, timedelta

STATUSES = ("upcoming", "due_soon", "overdue", "submitted", "returned", "done", "done_late")

#: an activity shows the most pressing status among its obligations, in this order
_ACTIVITY_PRECEDENCE = ("overdue", "returned", "submitted", "due_soon", "upcoming", "done_late", "done")


@dataclass(frozen=True)
class LeadReportState:
    """Where the latest lead report of an obligation stood on the day asked about."""

    state: str  #: submitted | accepted | returned
    reviewed_on: date | None = None


def obligation_status(due_date: date, latest: LeadReportState | None, today: date, due_soon_days: int = 14) -> str:
    if latest is not None:
        if latest.state == "accepted":
            return "done" if latest.reviewed_on is not None and latest.reviewed_on <= due_date else "done_late"
        if latest.state in ("submitted", "returned"):
            return latest.state
    if due_date < today:
        return "overdue"
    if due_date <= today + timedelta(days=due_soon_days):
        return "due_soon"
    return "upcoming"


def activity_status(statuses: list[str]) -> str | None:
    """None for an activity without due dates (nothing can be late)."""
    present = set(statuses)
    return next((s for s in _ACTIVITY_PRECEDENCE if s in present), None)


def state_as_of(state: str, submitted_on: date, reviewed_on: date | None, as_of: date) -> LeadReportState | None:
    """A report as it stood at the end of `as_of`: not yet there, awaiting review, or reviewed."""
    if submitted_on > as_of:
        return None
    if state in ("accepted", "returned") and reviewed_on is not None and reviewed_on <= as_of:
        return LeadReportState(state, reviewed_on)
    return LeadReportState("submitted")
