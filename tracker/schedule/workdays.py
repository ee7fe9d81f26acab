"""Working days in Kazakhstan (BRIEF.md, "Working days and reporting periods").

A day is a working day unless it is a Saturday, a Sunday, a public holiday, or a day off the
government moved; a Saturday or Sunday the government made a working day (in exchange for a
bridge day) is a working day. The answer comes from three layers, the later ones winning:

1. the `holidays` package's KZ calendar: the holidays of the law "On holidays in the Republic of
   Kazakhstan", the weekend holidays moved to the next working day, and the government's yearly
   transfer resolutions — holidays 0.85 has those for 2000–2025 (none for 2004 and 2015, years
   without transfers);
2. the table shipped beside this module, kz_calendar.json: what the package lacks, each entry with
   its legal source (today: 30 August is no longer Constitution Day from 2026);
3. the coordinator's overrides, given to `WorkingCalendar(overrides=...)`: a day the portal should
   treat otherwise (a transfer resolution newer than the table, a regional day off).

Counting follows the office rule "within N working days of receipt": the day of receipt does not
count, the N-th working day after it is the last day. `add_working_days(Monday, 1)` is Tuesday.

This is the calendar of a five-day week, the one government bodies work. Pure Python: no Flask,
no database. The package is imported on first use only (it takes ~0.1 s to load), and each year
is computed once per process.
"""

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from itertools import accumulate

from tracker.core.messages import msg

#: the file with the corrections to the package, next to this module
TABLE = "kz_calendar.json"
#: how a due date on a non-working day is treated: kept as stated, or moved to the working day
#: before it (the usual rule for documents on control) or after it
NON_WORKING_RULES = ("keep", "before", "after")

# statuses a table entry can give a day
WORKING, DAY_OFF, NOT_A_HOLIDAY = "working", "day_off", "not_a_holiday"

# The package writes a moved day off as "Day off (substituted from 01/05/2025)" in en_US.
_SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})", re.IGNORECASE)


@dataclass(frozen=True)
class DayOverride:
    """A day the coordinator (or the shipped table) declares working or not, and why."""

    working: bool
    reason: str
    source: str | None = None  #: the resolution or law, where there is one


@dataclass(frozen=True)
class _Special:
    """Why a day is not what its weekday makes it."""

    working: bool
    kind: str  # holiday | moved_off | moved_working | table | override
    detail: str  # the holiday's name, the other day of a transfer (ISO), or a person's reason


# --- the layers ---------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _package_year(year: int) -> dict[date, _Special]:
    """What the holidays package says about `year`, beyond the weekends."""
    import holidays  # here, not at the top: loading the package costs ~0.1 s and most imports need no calendar

    # The following year too: a transfer can take its working Saturday from the year before
    # (2014's 3 January was paid for by Saturday 28 December 2013).
    calendar = holidays.country_holidays("KZ", years=(year, year + 1), language="en_US")
    found: dict[date, _Special] = {}
    for day, name in calendar.items():
        moved = _SUBSTITUTED.search(name)
        if moved:
            source = date(int(moved[3]), int(moved[1]), int(moved[2]))
            if day.year == year:
                found[day] = _Special(False, "moved_off", source.isoformat())
            if source.year == year:
                found[source] = _Special(True, "moved_working", day.isoformat())
        elif day.year == year:
            found[day] = _Special(False, "holiday", name)
    for day in calendar.weekend_workdays:  # a working weekend day whose label we could not read
        if day.year == year and day not in found:
            found[day] = _Special(True, "moved_working", "")
    return found


@lru_cache(maxsize=1)
def shipped_table() -> dict[date, tuple[str, DayOverride]]:
    """The corrections shipped in kz_calendar.json: {day: (status, DayOverride)}."""
    return read_table(json.loads(resources.files(__package__).joinpath(TABLE).read_text(encoding="utf-8")))


def read_table(data: Mapping) -> dict[date, tuple[str, DayOverride]]:
    """Check and read a table of corrections ({"days": [{date, status, reason, source}, …]}): an
    entry without a reason or a source, with an unknown status, or listed twice is an error."""
    table: dict[date, tuple[str, DayOverride]] = {}
    for entry in data["days"]:
        day = date.fromisoformat(entry["date"])
        status = entry.get("status")
        if status not in (WORKING, DAY_OFF, NOT_A_HOLIDAY):
            raise ValueError(f"{TABLE}: {entry['date']}: unknown status {status!r}")
        if not entry.get("reason") or not entry.get("source"):
            raise ValueError(f"{TABLE}: {entry['date']}: every entry needs a reason and a source")
        if day in table:
            raise ValueError(f"{TABLE}: {entry['date']} is listed twice")
        table[day] = (status, DayOverride(status == WORKING, entry["reason"], entry["source"]))
    return table


@lru_cache(maxsize=64)
def _base_year(year: int) -> dict[date, _Special]:
    """The package's year corrected by the shipped table."""
    found = dict(_package_year(year))
    for day, (status, entry) in shipped_table().items():
        if day.year != year:
            continue
        if status == NOT_A_HOLIDAY:
            found.pop(day, None)  # the weekday decides again
            if day.weekday() < 5:  # say why a weekday the package calls a holiday is worked
                found[day] = _Special(True, "table", entry.reason)
        else:
            found[day] = _Special(entry.working, "table", entry.reason)
    return found


@dataclass(frozen=True)
class _Year:
    first: int  # the ordinal of 1 January
    working: bytes  # one flag per day of the year
    through: tuple[int, ...]  # working days from 1 January up to and including each day
    special: dict[date, _Special]


def _build_year(year: int, special: dict[date, _Special]) -> _Year:
    first = date(year, 1, 1).toordinal()
    length = date(year + 1, 1, 1).toordinal() - first
    flags = bytearray(1 if (first + i) % 7 not in (6, 0) else 0 for i in range(length))  # ordinal % 7: 6 Sat, 0 Sun
    for day, what in special.items():
        flags[day.toordinal() - first] = 1 if what.working else 0
    return _Year(first, bytes(flags), tuple(accumulate(flags)), special)


# --- the calendar ---------------------------------------------------------------------------


class WorkingCalendar:
    """Kazakhstan's working days, with the coordinator's overrides.

    `overrides` maps a date to `DayOverride(working, reason)` or to a `(working, reason)` pair.
    Every question is answered from a per-year table built once (cheap: plans ask thousands).
    """

    def __init__(self, overrides: Mapping[date, DayOverride | tuple[bool, str]] | None = None):
        self.overrides: dict[date, DayOverride] = {
            day: value if isinstance(value, DayOverride) else DayOverride(bool(value[0]), str(value[1]))
            for day, value in (overrides or {}).items()
        }
        self._years: dict[int, _Year] = {}

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping]) -> "WorkingCalendar":
        """From stored rows: [{"date": "2026-05-08", "working": false, "reason": "..."}]."""
        return cls({date.fromisoformat(str(r["date"])): DayOverride(bool(r["working"]), str(r.get("reason") or ""),
                                                                     r.get("source"))
                    for r in rows})

    def _year(self, year: int) -> _Year:
        found = self._years.get(year)
        if found is None:
            special = dict(_base_year(year))
            for day, override in self.overrides.items():
                if day.year == year:
                    special[day] = _Special(override.working, "override", override.reason)
            found = self._years[year] = _build_year(year, special)
        return found

    # -- single days

    def is_working_day(self, day: date) -> bool:
        year = self._year(day.year)
        return bool(year.working[day.toordinal() - year.first])

    def reason(self, day: date) -> str | None:
        """Why `day` is not an ordinary day: a weekend, a holiday, a transfer, an entry of the table
        or an override. None for an ordinary Monday–Friday working day."""
        what = self._year(day.year).special.get(day)
        iso = day.isoformat()
        if what is None:
            if day.weekday() == 5:
                return msg("%(day)s is a Saturday", day=iso)
            if day.weekday() == 6:
                return msg("%(day)s is a Sunday", day=iso)
            return None
        if what.kind == "holiday":
            return msg("%(day)s is a public holiday: %(name)s", day=iso, name=what.detail)
        if what.kind == "moved_off":
            return msg("%(day)s is a day off moved from %(moved_from)s", day=iso, moved_from=what.detail)
        if what.kind == "moved_working":
            if what.detail:
                return msg("%(day)s is a working day in exchange for the day off on %(day_off)s", day=iso,
                           day_off=what.detail)
            return msg("%(day)s is a working day by a government transfer", day=iso)
        reason = what.detail or msg("set by the coordinator")  # an override stored without a reason
        if what.working:
            return msg("%(day)s is a working day: %(reason)s", day=iso, reason=reason)
        return msg("%(day)s is a day off: %(reason)s", day=iso, reason=reason)

    def special_days(self, year: int) -> dict[date, bool]:
        """The days of `year` that are not what their weekday makes them: {day: working}.
        For a page that shows the year's holidays and transfers next to the overrides."""
        y = self._year(year)
        return {day: what.working for day, what in sorted(y.special.items())
                if what.working != (day.weekday() < 5)}

    # -- neighbours

    def next_working_day(self, day: date) -> date:
        """The first working day after `day`."""
        return self.add_working_days(day, 1)

    def previous_working_day(self, day: date) -> date:
        """The last working day before `day`."""
        return self.subtract_working_days(day, 1)

    def working_day_on_or_after(self, day: date) -> date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    def working_day_on_or_before(self, day: date) -> date:
        return day if self.is_working_day(day) else self.previous_working_day(day)

    # -- counting

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start`; `start` itself does not count ("within 3 working
        days of receipt on Friday" ends on Wednesday). n = 0 gives `start`; n < 0 counts back."""
        if n < 0:
            return self.subtract_working_days(start, -n)
        day = start
        while n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def subtract_working_days(self, day: date, n: int) -> date:
        """The n-th working day before `day` (an internal due date N working days before a
        parent's). n = 0 gives `day`; n < 0 counts forward."""
        if n < 0:
            return self.add_working_days(day, -n)
        while n:
            day -= timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """The working days after `a` up to and including `b` ("N working days left" from today to a
        due date; "waited N working days" from a sending to today); negative when b is before a.
        `add_working_days(a, working_days_between(a, b)) == b` whenever b is a working day after a."""
        if b < a:
            return -self.working_days_between(b, a)
        count = self._through(b) - self._through(a)
        for year in range(a.year, b.year):  # the years a span crosses add their whole count
            count += self._year(year).through[-1]
        return count

    def _through(self, day: date) -> int:
        year = self._year(day.year)
        return year.through[day.toordinal() - year.first]

    def working_days_in(self, start: date, end: date) -> list[date]:
        """Every working day from `start` to `end`, both included."""
        days = []
        for year_number in range(start.year, end.year + 1):
            year = self._year(year_number)
            lo = max(start.toordinal(), year.first) - year.first
            hi = min(end.toordinal(), year.first + len(year.working) - 1) - year.first
            days.extend(date.fromordinal(year.first + i) for i in range(lo, hi + 1) if year.working[i])
        return days

    # -- due dates on non-working days

    def move(self, day: date, rule: str = "keep") -> tuple[date, str | None]:
        """Where a due date on a non-working day goes under a plan's rule, and the note that says
        so: (day, None) when it stays. Rule "before": the preceding working day; "after": the
        following one; "keep": where the plan put it."""
        if rule not in NON_WORKING_RULES:
            raise ValueError(f"unknown non-working-day rule {rule!r}: one of {', '.join(NON_WORKING_RULES)}")
        if rule == "keep" or self.is_working_day(day):
            return day, None
        moved = self.previous_working_day(day) if rule == "before" else self.next_working_day(day)
        return moved, msg("%(reason)s; moved to %(moved)s", reason=self.reason(day), moved=moved.isoformat())


@lru_cache(maxsize=1)
def default_calendar() -> WorkingCalendar:
    """The calendar without overrides, shared (its years are computed once per process)."""
    return WorkingCalendar()


def years_in_table() -> list[int]:
    """The years the shipped table has entries for."""
    return sorted({day.year for day in shipped_table()})

