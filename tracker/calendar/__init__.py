"""The working calendar the portal counts on: Kazakhstan's (tracker.schedule.workdays) with the
days a coordinator has declared otherwise (a transfer resolution newer than the shipped table, a
regional day off)."""

from sqlalchemy import select

from tracker.calendar.models import CalendarDay
from tracker.extensions import db
from tracker.schedule.workdays import DayOverride, WorkingCalendar


def working_calendar() -> WorkingCalendar:
    """The calendar with every override stored in the portal (read once per call: a handful of rows)."""
    overrides = {row.day: DayOverride(row.working, row.reason, row.source)
                 for row in db.session.scalars(select(CalendarDay))}
    return WorkingCalendar(overrides)
