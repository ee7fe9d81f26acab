"""The status rule (tracker/reports/status.py) as plain functions: no app, no database."""

from datetime import date, timedelta

import pytest

from tracker.reports.status import (
    STATUSES,
    LeadReportState,
    activity_status,
    obligation_status,
    state_as_of,
)

DUE = date(2024, 6, 30)


# --- obligation_status without a report -----------------------------------------------------


def test_far_ahead_is_upcoming():
    assert obligation_status(DUE, None, date(2024, 1, 1)) == "upcoming"


def test_due_soon_boundary_is_fourteen_days_inclusive():
    assert obligation_status(DUE, None, DUE - timedelta(days=15)) == "upcoming"
    assert obligation_status(DUE, None, DUE - timedelta(days=14)) == "due_soon"
    assert obligation_status(DUE, None, DUE - timedelta(days=1)) == "due_soon"


def test_due_today_is_due_soon_not_overdue():
    assert obligation_status(DUE, None, DUE) == "due_soon"


def test_overdue_from_the_day_after_the_due_date():
    assert obligation_status(DUE, None, DUE + timedelta(days=1)) == "overdue"
    assert obligation_status(DUE, None, date(2026, 11, 23)) == "overdue"


def test_custom_due_soon_days():
    assert obligation_status(DUE, None, DUE - timedelta(days=20), due_soon_days=30) == "due_soon"
    assert obligation_status(DUE, None, DUE - timedelta(days=31), due_soon_days=30) == "upcoming"
    assert obligation_status(DUE, None, DUE - timedelta(days=8), due_soon_days=7) == "upcoming"
    assert obligation_status(DUE, None, DUE - timedelta(days=7), due_soon_days=7) == "due_soon"
    # zero days: only the due date itself is "due soon"
    assert obligation_status(DUE, None, DUE - timedelta(days=1), due_soon_days=0) == "upcoming"
    assert obligation_status(DUE, None, DUE, due_soon_days=0) == "due_soon"


# --- obligation_status with the lead's report -----------------------------------------------


@pytest.mark.parametrize("today", [DUE - timedelta(days=60), DUE - timedelta(days=3), DUE + timedelta(days=90)])
def test_awaiting_review_is_submitted_whatever_the_day(today):
    assert obligation_status(DUE, LeadReportState("submitted"), today) == "submitted"


@pytest.mark.parametrize("today", [DUE - timedelta(days=60), DUE + timedelta(days=90)])
def test_returned_stays_returned_even_past_the_due_date(today):
    assert obligation_status(DUE, LeadReportState("returned", DUE - timedelta(days=70)), today) == "returned"


def test_accepted_on_the_due_date_is_done():
    assert obligation_status(DUE, LeadReportState("accepted", DUE), DUE + timedelta(days=400)) == "done"


def test_accepted_before_the_due_date_is_done():
    assert obligation_status(DUE, LeadReportState("accepted", DUE - timedelta(days=10)), DUE) == "done"


def test_accepted_one_day_after_the_due_date_is_done_late():
    assert obligation_status(DUE, LeadReportState("accepted", DUE + timedelta(days=1)), DUE + timedelta(days=1)) \
        == "done_late"


def test_accepted_without_a_review_day_counts_as_late():
    assert obligation_status(DUE, LeadReportState("accepted", None), DUE) == "done_late"


def test_every_status_is_reachable_and_listed():
    reached = {
        obligation_status(DUE, None, DUE - timedelta(days=30)),
        obligation_status(DUE, None, DUE - timedelta(days=3)),
        obligation_status(DUE, None, DUE + timedelta(days=3)),
        obligation_status(DUE, LeadReportState("submitted"), DUE),
        obligation_status(DUE, LeadReportState("returned", DUE), DUE),
        obligation_status(DUE, LeadReportState("accepted", DUE), DUE),
        obligation_status(DUE, LeadReportState("accepted", DUE + timedelta(days=1)), DUE),
        obligation_status(None, None, DUE),  # the deadline waits for an event
        obligation_status(DUE, None, DUE, on_control=False),  # taken off control before it came
    }
    assert reached == set(STATUSES)


# --- activity_status ----------------------------------------------------------------------


def test_activity_without_obligations_has_no_status():
    assert activity_status([]) is None


@pytest.mark.parametrize(("statuses", "expected"), [
    (["done", "done_late", "upcoming", "due_soon", "submitted", "returned", "overdue"], "overdue"),
    (["done", "returned", "submitted", "due_soon"], "returned"),
    (["upcoming", "submitted", "done"], "submitted"),
    (["upcoming", "due_soon", "done_late"], "due_soon"),
    (["done", "upcoming", "done_late"], "upcoming"),
    (["done", "done_late", "done"], "done_late"),
    (["done", "done"], "done"),
    (["overdue"], "overdue"),
])
def test_activity_shows_the_most_pressing_status(statuses, expected):
    assert activity_status(statuses) == expected
    assert activity_status(list(reversed(statuses))) == expected


# --- state_as_of --------------------------------------------------------------------------


def test_report_not_yet_submitted_on_the_day_asked_about():
    assert state_as_of("accepted", date(2024, 6, 10), date(2024, 6, 20), date(2024, 6, 9)) is None
    assert state_as_of("submitted", date(2024, 6, 10), None, date(2024, 6, 9)) is None


def test_submitted_that_day_counts():
    assert state_as_of("submitted", date(2024, 6, 10), None, date(2024, 6, 10)) == LeadReportState("submitted")


@pytest.mark.parametrize("state", ["accepted", "returned"])
def test_reviewed_later_is_still_submitted_on_the_day_asked_about(state):
    then = state_as_of(state, date(2024, 6, 10), date(2024, 6, 20), date(2024, 6, 15))
    assert then == LeadReportState("submitted")
    assert then.reviewed_on is None


@pytest.mark.parametrize("state", ["accepted", "returned"])
def test_reviewed_by_the_day_asked_about(state):
    assert state_as_of(state, date(2024, 6, 10), date(2024, 6, 20), date(2024, 6, 20)) == \
        LeadReportState(state, date(2024, 6, 20))
    assert state_as_of(state, date(2024, 6, 10), date(2024, 6, 20), date(2025, 1, 1)) == \
        LeadReportState(state, date(2024, 6, 20))


def test_as_of_feeds_the_status_rule():
    """Accepted late, but looked at the day before acceptance: it was awaiting review then."""
    submitted, reviewed = DUE - timedelta(days=2), DUE + timedelta(days=5)
    before = state_as_of("accepted", submitted, reviewed, DUE)
    after = state_as_of("accepted", submitted, reviewed, reviewed)
    assert obligation_status(DUE, before, DUE) == "submitted"
    assert obligation_status(DUE, after, reviewed) == "done_late"
    assert obligation_status(DUE, state_as_of("accepted", submitted, reviewed, DUE - timedelta(days=3)),
                             DUE - timedelta(days=3)) == "due_soon"
