"""'Today' and 'now' for every rule that depends on the date.

Statuses (overdue, due soon, done late) are computed against today's date in
Kazakhstan. Tests, demos and the "as of" views set the day through the
`TODAY` setting (a `date`); `NOW` (an aware `datetime`) pins the clock itself.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def _zone() -> ZoneInfo:
    name = current_app.config.get("TIMEZONE", "Asia/Almaty") if has_app_context() else "Asia/Almaty"
    return ZoneInfo(name)


def now() -> datetime:
    """The current moment (UTC); with TODAY set, noon of that day in Kazakhstan."""
    if has_app_context():
        pinned = current_app.config.get("NOW")
        if pinned:
            return pinned.astimezone(UTC)
        day = current_app.config.get("TODAY")
        if isinstance(day, str):
            day = date.fromisoformat(day)
        if day:
            return datetime.combine(day, time(12), tzinfo=_zone()).astimezone(UTC)
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Kazakhstan (a report posted at 01:00 Almaty time belongs to that day)."""
    return local_date(now())


def local_date(moment: datetime) -> date:
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_zone()).date()
