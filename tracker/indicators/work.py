"""Indicators' reporting periods as work: on the responsible body's My work, in the day's digest,
and actuals awaiting review in the coordinator's inbox.

Each reporting period of an indicator is an obligation of the indicator's responsible body
(tracker.indicators.operations): its due date and its reporting status come from `figures_frame`,
the one place they are computed, so My work, the digest and the indicator page never disagree.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from tracker.executors.models import Body, body_name, reads_russian
from tracker.extensions import db
from tracker.indicators.labels import period_label
from tracker.indicators.models import Indicator, IndicatorActual, IndicatorPeriod, indicator_activity
from tracker.indicators.operations import confirmed, figures_frame
from tracker.plans.models import Activity, Plan
from tracker.reports.status import ReportState, Status

#: the role an indicator's period has on My work (beside lead, co-executor and sub-executor)
REPORTS_ACTUAL = "reports_actual"
#: the reporting statuses that are still work (My work's groups: returned, overdue, due soon,
#: awaiting review, later)
WORK_STATUSES = (Status.RETURNED, Status.OVERDUE, Status.DUE_SOON, Status.SUBMITTED, Status.UPCOMING)


@dataclass
class IndicatorItem:
    """An indicator's reporting period on My work, in the shape of tracker.work.queries.Item (its
    first ten fields), with where to open it."""

    obligation_id: None
    due_date: date
    status: str
    role: str
    activity_id: int | None
    number: str
    text: str
    plan_id: int
    plan_title: str
    days: int | None = None
    indicator_id: int = 0
    period: str = ""
    body_id: int = 0
    #: the actual in force (returned ones: the one the comment is on)
    actual_id: int | None = None
    reviewed_on: date | None = None
    #: the plan's escalation limit (None: the digest's default)
    escalation_limit: int | None = None

    @property
    def path(self) -> str:
        return f"/indicators/{self.indicator_id}?period={self.period}"

    @property
    def period_label(self) -> str:
        return period_label(self.period)


def open_periods(body_ids: list[int] | None, as_of: date, calendar, statuses=WORK_STATUSES,
                 plan_id: int | None = None) -> list[IndicatorItem]:
    """The reporting periods of the confirmed indicators these bodies report (every body when
    None) whose reporting status on `as_of` is one of `statuses`, by due date: overdue ones with
    their days overdue, those due soon with the working days left."""

    def narrowed(statement):
        statement = statement.where(Indicator.body_id.is_not(None))
        if body_ids is not None:
            statement = statement.where(Indicator.body_id.in_(body_ids))
        if plan_id:
            statement = statement.where(Indicator.plan_id == plan_id)
        return statement

    indicators = confirmed(narrowed)
    if not indicators:
        return []
    frame = figures_frame(indicators, as_of)
    own = frame[frame["reporting"] & frame["reporting_status"].isin([str(s) for s in statuses])].sort_values(
        ["due_date", "indicator_id"])
    by_id = {i.id: i for i in indicators}
    first_activity = _first_activities([i.id for i in indicators])
    items = []
    for row in own.itertuples():
        indicator = by_id[int(row.indicator_id)]
        item = IndicatorItem(
            None, row.due_date, row.reporting_status, REPORTS_ACTUAL, first_activity.get(indicator.id), "",
            indicator.name, indicator.plan_id, indicator.plan.title, None, indicator.id, row.period,
            indicator.body_id, _id(row.actual_id), row.reviewed_on if isinstance(row.reviewed_on, date) else None,
            indicator.plan.escalation_working_days)
        if item.status == Status.OVERDUE:
            item.days = (as_of - item.due_date).days
        elif item.status == Status.DUE_SOON:
            item.days = calendar.working_days_between(as_of, item.due_date)
        items.append(item)
    return items


def _id(value) -> int | None:
    """An id from the frame, where a missing one is NaN (pandas' merge)."""
    return None if value is None or value != value else int(value)


def _first_activities(indicator_ids: list[int]) -> dict[int, int]:
    """The first activity each indicator belongs to (My work's № column links to it)."""
    found: dict[int, int] = {}
    for indicator_id, activity_id in db.session.execute(
            select(indicator_activity.c.indicator_id, Activity.id)
            .join(Activity, Activity.id == indicator_activity.c.activity_id)
            .where(indicator_activity.c.indicator_id.in_(indicator_ids)).order_by(Activity.position)):
        found.setdefault(indicator_id, activity_id)
    return found


def work_of_body(body_id: int, as_of: date, calendar, plan_id: int | None = None,
                 status: str | None = None) -> list[IndicatorItem]:
    """My work's indicator periods of one body (narrowed to a plan or a status as My work is)."""
    statuses = [s for s in WORK_STATUSES if status is None or s == status]
    return open_periods([body_id], as_of, calendar, statuses, plan_id) if statuses else []


def return_comments(actual_ids) -> dict[int, str]:
    """The coordinator's comment on each of these returned actuals."""
    ids = [i for i in actual_ids if i]
    if not ids:
        return {}
    return dict(db.session.execute(select(IndicatorActual.id, IndicatorActual.review_comment)
                                   .where(IndicatorActual.id.in_(ids))).all())


# --- the review inbox ------------------------------------------------------------------------------


@dataclass
class WaitingActual:
    """An actual awaiting the coordinator's review."""

    actual_id: int
    indicator_id: int
    name: str
    period: str
    scope: str
    value: float
    version: int
    submitted_at: datetime
    submitted_on: date
    body: str
    plan_id: int
    plan_title: str
    row_version: int
    #: working days it has waited, and whether that is past the limit
    waited: int = 0
    late: bool = False

    @property
    def period_label(self) -> str:
        return period_label(self.period)


def awaiting_review(as_of: date, calendar, limit_working_days: int, page: int = 1,
                    per_page: int | None = None) -> tuple[list[WaitingActual], int]:
    """Actuals awaiting review, oldest first — only the latest version of a period and scope can be
    awaiting — a page of them (all when `per_page` is None), and how many there are in all."""
    later = aliased(IndicatorActual)
    waiting = (IndicatorActual.state == ReportState.SUBMITTED,
               ~exists().where(later.period_id == IndicatorActual.period_id, later.scope == IndicatorActual.scope,
                               later.version > IndicatorActual.version))
    total = db.session.scalar(select(func.count(IndicatorActual.id)).where(*waiting)) or 0
    query = (select(IndicatorActual.id, Indicator.id, Indicator.name, IndicatorPeriod.period, IndicatorActual.scope,
                    IndicatorActual.value, IndicatorActual.version, IndicatorActual.submitted_at,
                    IndicatorActual.submitted_on, Body.name, Body.name_ru, Body.abbreviation, Plan.id, Plan.title,
                    IndicatorActual.row_version)
             .join(Indicator, Indicator.id == IndicatorActual.indicator_id)
             .join(IndicatorPeriod, IndicatorPeriod.id == IndicatorActual.period_id)
             .join(Plan, Plan.id == Indicator.plan_id).join(Body, Body.id == IndicatorActual.body_id)
             .where(*waiting).order_by(IndicatorActual.submitted_at, IndicatorActual.id))
    if per_page is not None:
        query = query.limit(per_page).offset((max(1, page) - 1) * per_page)
    russian = reads_russian()
    found = []
    for (actual_id, indicator_id, name, period, scope, value, version, submitted_at, submitted_on, body, body_ru,
         abbreviation, plan_id, plan_title, row_version) in db.session.execute(query):
        waited = max(0, calendar.working_days_between(submitted_on, as_of))
        found.append(WaitingActual(actual_id, indicator_id, name, period, scope, value, version, submitted_at,
                                   submitted_on, body_name(body, body_ru, russian)
                                   + (f" ({abbreviation})" if abbreviation else ""),
                                   plan_id, plan_title, row_version, waited, waited > limit_working_days))
    return found, total
