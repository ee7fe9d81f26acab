"""Kazakhstan's working days: the holidays package's KZ calendar, the shipped corrections, the
coordinator's overrides, and counting "within N working days".

The expected days off below are written from the law "On holidays in the Republic of Kazakhstan"
and the government's published calendars (egov.kz), not from the package: a holiday on a Saturday
or Sunday gives the next working day off (religious holidays — Orthodox Christmas, the first day
of Kurban ait — do not move), and the yearly transfer resolutions swap a Saturday for a bridge day.
"""

import pickle
import subprocess
import sys
from datetime import date, timedelta

import pytest

from tests.conftest import ROOT
from tracker.schedule.workdays import (
    DayOverride,
    WorkingCalendar,
    default_calendar,
    read_table,
    shipped_table,
    years_in_table,
)

CAL = default_calendar()


def days(year: int, *month_days: str) -> set[date]:
    return {date(year, int(md[:2]), int(md[3:])) for md in month_days}


# Weekdays that are not worked, and Saturdays/Sundays that are, in each year.
GOVERNMENT_CALENDAR = {
    2024: (
        days(2024, "01-01", "01-02", "03-08", "03-21", "03-22",
             "03-25",  # Nauryz 23 March was a Saturday
             "05-01", "05-07",
             "05-08",  # transfer: Saturday 4 May worked instead
             "05-09",
             "07-08",  # Capital Day 6 July was a Saturday
             "08-30", "10-25", "12-16"),
        days(2024, "05-04"),
    ),
    2025: (
        days(2025, "01-01", "01-02",
             "01-03",  # transfer: Sunday 5 January worked instead
             "01-07",  # Orthodox Christmas
             "03-10",  # 8 March was a Saturday
             "03-21", "03-24", "03-25",  # Nauryz 22–23 March were a weekend
             "05-01", "05-07", "05-09",
             "06-06",  # Kurban ait
             "07-07", "09-01", "10-27",  # 6 July, 30 August, 25 October were weekends
             "12-16"),
        days(2025, "01-05"),
    ),
    2026: (
        days(2026, "01-01", "01-02", "01-07",
             "03-09",  # 8 March is a Sunday
             "03-23", "03-24", "03-25",  # Nauryz 21–22 March are a weekend
             "05-01", "05-07",
             "05-11",  # 9 May is a Saturday
             "05-27",  # Kurban ait
             "07-06", "10-26", "12-16"),  # no 31 August: 30 August is no longer Constitution Day
        set(),
    ),
    2027: (
        days(2027, "01-01",
             "01-04",  # 2 January is a Saturday
             "01-07", "03-08",
             "03-15",  # Constitution Day, from 2027
             "03-22", "03-23", "03-24",  # Nauryz 21 March is a Sunday
             "05-03",  # 1 May is a Saturday
             "05-07",
             "05-10",  # 9 May is a Sunday
             "07-06", "10-25", "12-16"),
        set(),
    ),
}


@pytest.mark.parametrize("year", sorted(GOVERNMENT_CALENDAR))
def test_the_year_matches_the_government_calendar(year):
    off, worked = GOVERNMENT_CALENDAR[year]
    special = CAL.special_days(year)
    if year == 2027:  # Kurban ait 2027 is not fixed yet (the Spiritual Administration of Muslims names
        # the day each year); the package's estimate is left out of the comparison
        special = {d: w for d, w in special.items() if not date(2027, 5, 14) <= d <= date(2027, 5, 18)}
    assert {d for d, working in special.items() if not working} == off
    assert {d for d, working in special.items() if working} == worked


@pytest.mark.parametrize("year", sorted(GOVERNMENT_CALENDAR))
def test_working_days_of_the_year_are_counted_from_the_same_calendar(year):
    off, worked = GOVERNMENT_CALENDAR[year]
    every_day = [date(year, 1, 1) + timedelta(days=i) for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)]
    expected = [d for d in every_day if (d.weekday() < 5 and d not in off) or d in worked]
    if year != 2027:  # (Kurban ait 2027, above)
        assert CAL.working_days_in(date(year, 1, 1), date(year, 12, 31)) == expected
        assert CAL.working_days_between(date(year - 1, 12, 31), date(year, 12, 31)) == len(expected)
    assert all(CAL.is_working_day(d) for d in expected if not (year == 2027 and d.month == 5))


@pytest.mark.parametrize("day, working", [
    (date(2026, 1, 1), False), (date(2026, 1, 2), False),  # New Year
    (date(2026, 3, 6), True), (date(2026, 3, 8), False),  # 8 March (a Sunday)
    (date(2026, 3, 21), False), (date(2026, 3, 22), False), (date(2026, 3, 23), False),  # Nauryz
    (date(2026, 5, 1), False), (date(2026, 5, 7), False), (date(2026, 5, 8), True), (date(2026, 5, 9), False),
    (date(2026, 7, 6), False),  # Capital Day
    (date(2026, 8, 28), True), (date(2026, 8, 31), True),  # 30 August: no longer a holiday
    (date(2026, 10, 25), False), (date(2026, 12, 16), False), (date(2026, 12, 17), True),
    (date(2025, 1, 5), True),  # a working Sunday (transfer)
    (date(2013, 12, 28), True),  # a working Saturday paying for 3 January 2014, the year after
    (date(2014, 1, 3), False),
])
def test_single_days(day, working):
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize("day, reason", [
    (date(2026, 8, 29), "2026-08-29 is a Saturday"),
    (date(2026, 8, 30), "2026-08-30 is a Sunday"),
    (date(2026, 3, 23), "2026-03-23 is a public holiday: Nowruz Holiday"),
    (date(2026, 3, 24), "2026-03-24 is a public holiday: Nowruz Holiday (observed)"),
    (date(2025, 1, 3), "2025-01-03 is a day off moved from 2025-01-05"),
    (date(2025, 1, 5), "2025-01-05 is a working day in exchange for the day off on 2025-01-03"),
    (date(2027, 3, 15), "2027-03-15 is a day off: Constitution Day (15 March since 2027)"),
    (date(2026, 8, 31), "2026-08-31 is a working day: no day off for 30 August, which is no longer Constitution Day"),
    (date(2026, 8, 28), None),  # an ordinary Friday
])
def test_each_non_ordinary_day_says_why(day, reason):
    assert CAL.reason(day) == reason
    if reason:
        assert CAL.reason(day).template  # a message, translated on the page


@pytest.mark.parametrize("start, n, due", [
    (date(2026, 3, 13), 3, date(2026, 3, 18)),  # Friday + 3 working days: Wednesday (Friday does not count)
    (date(2026, 3, 16), 1, date(2026, 3, 17)),  # Monday + 1: Tuesday
    (date(2026, 3, 20), 1, date(2026, 3, 26)),  # Friday before Nauryz: Thursday after it
    (date(2026, 3, 20), 3, date(2026, 3, 30)),
    (date(2025, 12, 31), 1, date(2026, 1, 5)),  # New Year and a weekend
    (date(2025, 1, 2), 1, date(2025, 1, 5)),  # 3 January off, 5 January (a Sunday) worked
    (date(2026, 3, 21), 1, date(2026, 3, 26)),  # counting from a day off: the first working day after it
    (date(2026, 3, 17), 0, date(2026, 3, 17)),
    (date(2026, 3, 18), -3, date(2026, 3, 13)),
])
def test_adding_working_days(start, n, due):
    assert CAL.add_working_days(start, n) == due


def test_subtracting_working_days_for_an_internal_due_date():
    # The region's answer is due 27 May 2026 (a Wednesday, the Kurban ait holiday): the district's
    # is 3 working days before it.
    assert CAL.subtract_working_days(date(2026, 5, 27), 3) == date(2026, 5, 22)
    assert CAL.subtract_working_days(date(2026, 3, 26), 1) == date(2026, 3, 20)
    assert CAL.subtract_working_days(date(2026, 3, 26), 0) == date(2026, 3, 26)
    assert CAL.subtract_working_days(date(2026, 3, 13), -3) == date(2026, 3, 18)


def test_neighbours():
    assert CAL.next_working_day(date(2026, 3, 20)) == date(2026, 3, 26)
    assert CAL.previous_working_day(date(2026, 3, 26)) == date(2026, 3, 20)
    assert CAL.next_working_day(date(2026, 3, 17)) == date(2026, 3, 18)  # strictly after
    assert CAL.working_day_on_or_after(date(2026, 3, 17)) == date(2026, 3, 17)
    assert CAL.working_day_on_or_after(date(2026, 3, 22)) == date(2026, 3, 26)
    assert CAL.working_day_on_or_before(date(2026, 3, 22)) == date(2026, 3, 20)


def test_working_days_between_is_the_inverse_of_adding():
    for start in (date(2025, 12, 20) + timedelta(days=i) for i in range(0, 120, 3)):
        for n in (0, 1, 2, 5, 10, 30):
            due = CAL.add_working_days(start, n)
            assert CAL.working_days_between(start, due) == n, (start, n)
            assert CAL.working_days_between(due, start) == -n
            assert CAL.subtract_working_days(due, n) == CAL.working_day_on_or_before(start) or n == 0
    assert CAL.working_days_between(date(2026, 3, 20), date(2026, 3, 25)) == 0  # Nauryz: no working day left
    assert CAL.working_days_between(date(2026, 3, 20), date(2026, 3, 26)) == 1


def test_a_coordinators_override_wins():
    calendar = WorkingCalendar({
        date(2026, 5, 8): DayOverride(False, "transfer resolution of 2026 (hypothetical)"),
        date(2026, 5, 16): (True, "working Saturday for 8 May"),
        date(2026, 7, 6): (True, "the office works on Capital Day"),
    })
    assert not calendar.is_working_day(date(2026, 5, 8))
    assert calendar.is_working_day(date(2026, 5, 16)) and calendar.is_working_day(date(2026, 7, 6))
    assert calendar.reason(date(2026, 5, 8)) == "2026-05-08 is a day off: transfer resolution of 2026 (hypothetical)"
    assert calendar.reason(date(2026, 5, 16)) == "2026-05-16 is a working day: working Saturday for 8 May"
    # 7 and 8 May off, then the weekend, then 11 May (Victory Day's moved day off)
    assert calendar.add_working_days(date(2026, 5, 6), 1) == date(2026, 5, 12)
    assert calendar.special_days(2026)[date(2026, 5, 16)] is True
    # the shared calendar is untouched
    assert CAL.is_working_day(date(2026, 5, 8)) and not CAL.is_working_day(date(2026, 7, 6))


def test_overrides_from_stored_rows():
    calendar = WorkingCalendar.from_rows([{"date": "2026-12-31", "working": False, "reason": "akim's order"}])
    assert not calendar.is_working_day(date(2026, 12, 31))
    assert calendar.next_working_day(date(2026, 12, 30)) == date(2027, 1, 5)  # 1 Jan, weekend, 4 Jan (2 Jan moved)
    assert calendar.overrides[date(2026, 12, 31)] == DayOverride(False, "akim's order")
    unexplained = WorkingCalendar.from_rows([{"date": "2026-12-31", "working": False}])
    assert unexplained.reason(date(2026, 12, 31)) == "2026-12-31 is a day off: set by the coordinator"


@pytest.mark.parametrize("rule, moved, note", [
    ("keep", date(2026, 8, 29), None),
    ("before", date(2026, 8, 28), "2026-08-29 is a Saturday; moved to 2026-08-28"),
    ("after", date(2026, 8, 31), "2026-08-29 is a Saturday; moved to 2026-08-31"),
])
def test_moving_a_date_off_a_non_working_day(rule, moved, note):
    assert CAL.move(date(2026, 8, 29), rule) == (moved, note)


def test_a_working_day_is_never_moved_and_a_wrong_rule_is_refused():
    assert CAL.move(date(2025, 1, 5), "before") == (date(2025, 1, 5), None)  # a working Sunday
    assert CAL.move(date(2026, 3, 23), "after") == (date(2026, 3, 26), "2026-03-23 is a public holiday: "
                                                                       "Nowruz Holiday; moved to 2026-03-26")
    with pytest.raises(ValueError, match="unknown non-working-day rule"):
        CAL.move(date(2026, 8, 29), "nearest")


def test_the_shipped_table_cites_its_sources_and_is_applied():
    table = shipped_table()
    assert years_in_table() == [2026, 2027, 2028, 2029, 2030]
    for day, (status, entry) in table.items():
        assert entry.reason and entry.source
        if status == "day_off":
            assert not CAL.is_working_day(day), day
        elif status == "not_a_holiday":
            assert CAL.is_working_day(day) is (day.weekday() < 5), day
        else:
            assert CAL.is_working_day(day), day
    assert all(not CAL.is_working_day(date(y, 3, 15)) and CAL.is_working_day(date(y, 8, 30)) for y in range(2027, 2031))


@pytest.mark.parametrize("entry, error", [
    ({"date": "2026-05-08", "status": "day_off", "reason": "transfer"}, "needs a reason and a source"),
    ({"date": "2026-05-08", "status": "holiday", "reason": "x", "source": "y"}, "unknown status"),
])
def test_a_table_entry_without_a_source_or_with_an_unknown_status_is_refused(entry, error):
    with pytest.raises(ValueError, match=error):
        read_table({"days": [entry]})


def test_a_day_listed_twice_is_refused():
    entry = {"date": "2026-05-08", "status": "day_off", "reason": "transfer", "source": "resolution No. 1"}
    assert read_table({"days": [entry]})[date(2026, 5, 8)][1] == DayOverride(False, "transfer", "resolution No. 1")
    with pytest.raises(ValueError, match="listed twice"):
        read_table({"days": [entry, entry]})


def test_reasons_survive_pickling():
    # Reasons are messages (translated on the page) and ride along in a staged import.
    reason = CAL.reason(date(2026, 3, 23))
    again = pickle.loads(pickle.dumps(reason))
    assert again == reason and again.template == "%(day)s is a public holiday: %(name)s"


def test_reading_deadlines_does_not_load_the_holiday_calendar():
    # The holidays package takes ~0.1 s to import: a plan whose deadlines need no calendar must not pay it.
    code = ("import sys; from tracker.schedule.deadlines import Period, due_dates_for; "
            "due_dates_for('тоқсан сайын', Period.years(2025, 2025)); "
            "due_dates_for('10 (он) жұмыс күні ішінде', Period.years(2025, 2025)); print('holidays' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
