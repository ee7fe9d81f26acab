"""The lists of My work and of the review inbox: a fixed number of statements whatever the number
of plans, each reading only the rows of one body (My work) or the reports awaiting review (the
inbox), through the same indexes the body page uses."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from tracker.delegation.queries import delegated_work
from tracker.executors.models import Body, body_name, reads_russian
from tracker.extensions import db
from tracker.indicators.models import Indicator, IndicatorState
from tracker.indicators.work import work_of_body
from tracker.plans.models import Activity, ActivityExecutor, Obligation, Plan
from tracker.reports.models import CompletionReport, ReportKind
from tracker.reports.queries import status_table
from tracker.reports.status import ReportState, Status
from tracker.schedule.workdays import WorkingCalendar
from tracker.work.models import Notification

#: My work's groups, in the order a person deals with them
GROUPS = ("returned", "overdue", "due_soon", "submitted", "later")
_GROUP_OF = {Status.RETURNED: "returned", Status.OVERDUE: "overdue", Status.DUE_SOON: "due_soon",
             Status.SUBMITTED: "submitted", Status.UPCOMING: "later", Status.WAITING: "later"}


@dataclass
class Item:
    """One obligation on someone's list."""

    obligation_id: int
    due_date: date | None
    status: str
    role: str
    activity_id: int
    number: str
    text: str
    plan_id: int
    plan_title: str
    #: overdue: days past the due date; due soon: working days left
    days: int | None = None


def my_work(body_id: int, as_of: date, due_soon_days: int, calendar: WorkingCalendar,
            plan_id: int | None = None, status: str | None = None) -> dict[str, list[Item]]:
    """Every obligation the body leads or co-executes, across plans, in My work's groups (done and
    off-control ones are not work any more). One statement."""
    table = status_table(as_of, due_soon_days)
    query = (select(table.c.obligation_id, table.c.due_date, table.c.status, ActivityExecutor.role, Activity.id,
                    Activity.number, Activity.text, Plan.id, Plan.title)
             .join(ActivityExecutor, ActivityExecutor.activity_id == table.c.activity_id)
             .join(Activity, Activity.id == table.c.activity_id).join(Plan, Plan.id == Activity.plan_id)
             .where(ActivityExecutor.body_id == body_id, table.c.status.in_([s.value for s in _GROUP_OF]))
             .order_by(table.c.due_date, Plan.id, Activity.position))
    if plan_id:
        query = query.where(Plan.id == plan_id)
    if status:
        query = query.where(table.c.status == status)
    groups: dict[str, list[Item]] = {group: [] for group in GROUPS}
    seen: set[int] = set()
    for row in db.session.execute(query):
        if row[0] in seen:  # a body named twice on one activity (lead and again among the others)
            continue
        seen.add(row[0])
        item = Item(*row)
        if item.status == Status.OVERDUE:
            item.days = (as_of - item.due_date).days
        elif item.status == Status.DUE_SOON:
            item.days = calendar.working_days_between(as_of, item.due_date)
        groups[_GROUP_OF[Status(item.status)]].append(item)
    # what other bodies handed down to this one (tracker.delegation): its own internal due dates
    for sub in delegated_work(body_id, as_of, due_soon_days, calendar, plan_id=plan_id, status=status):
        if sub.status in _GROUP_OF:
            groups[_GROUP_OF[Status(sub.status)]].append(sub)
    # the actuals of the indicators the body reports (tracker.indicators): one obligation per period
    for period in work_of_body(body_id, as_of, calendar, plan_id=plan_id, status=status):
        groups[_GROUP_OF[Status(period.status)]].append(period)
    for items in groups.values():
        items.sort(key=lambda i: (i.due_date is None, i.due_date or as_of, i.plan_id))
    return groups


def plans_of_body(body_id: int) -> list[tuple[int, str]]:
    """The plans the body takes part in or reports indicators of (My work's plan filter)."""
    return list(db.session.execute(
        select(Plan.id, Plan.title).where(or_(
            Plan.id.in_(select(Activity.plan_id).join(ActivityExecutor, ActivityExecutor.activity_id == Activity.id)
                        .where(ActivityExecutor.body_id == body_id)),
            Plan.id.in_(select(Indicator.plan_id).where(Indicator.body_id == body_id,
                                                        Indicator.state == IndicatorState.CONFIRMED))))
        .order_by(Plan.period_start.desc(), Plan.id)).all())


@dataclass
class Waiting:
    """A lead report awaiting review."""

    report_id: int
    obligation_id: int
    submitted_at: datetime
    submitted_on: date
    version: int
    body: str
    number: str
    activity_id: int
    plan_id: int
    plan_title: str
    due_date: date | None
    #: working days it has waited, and whether that is past the limit
    waited: int = 0
    late: bool = False


def awaiting_review(as_of: date, calendar: WorkingCalendar, limit_working_days: int, page: int = 1,
                    per_page: int | None = None) -> tuple[list[Waiting], int]:
    """The lead reports awaiting review, oldest first — only the latest version of each
    obligation's report can be awaiting — a page of them (all when `per_page` is None), and how
    many there are in all. A country has thousands: the page is cut in SQL."""
    later = aliased(CompletionReport)
    waiting = (CompletionReport.kind == ReportKind.LEAD, CompletionReport.state == ReportState.SUBMITTED,
               ~exists().where(later.obligation_id == CompletionReport.obligation_id, later.kind == ReportKind.LEAD,
                               later.version > CompletionReport.version))
    total = db.session.scalar(select(func.count(CompletionReport.id)).where(*waiting)) or 0
    query = (
        select(CompletionReport.id, CompletionReport.obligation_id, CompletionReport.submitted_at,
               CompletionReport.submitted_on, CompletionReport.version, Body.name, Body.name_ru, Body.abbreviation,
               Activity.number, Activity.id, Plan.id, Plan.title, Obligation.due_date)
        .join(Obligation, Obligation.id == CompletionReport.obligation_id)
        .join(Activity, Activity.id == Obligation.activity_id).join(Plan, Plan.id == Activity.plan_id)
        .join(Body, Body.id == CompletionReport.body_id)
        .where(*waiting)
        .order_by(CompletionReport.submitted_at, CompletionReport.id))
    if per_page is not None:
        query = query.limit(per_page).offset((max(1, page) - 1) * per_page)
    rows = db.session.execute(query).all()
    russian = reads_russian()
    found = []
    for (report_id, obligation_id, submitted_at, submitted_on, version, name, name_ru, abbreviation, number,
         activity_id, plan_id, plan_title, due) in rows:
        label = body_name(name, name_ru, russian) + (f" ({abbreviation})" if abbreviation else "")
        waited = max(0, calendar.working_days_between(submitted_on, as_of))
        found.append(Waiting(report_id, obligation_id, submitted_at, submitted_on, version, label, number,
                             activity_id, plan_id, plan_title, due, waited, waited > limit_working_days))
    return found, total


def contributions_since(moment: datetime | None, limit: int = 200) -> list:
    """Co-executors' contributions posted after `moment` (the coordinator's last visit), newest first."""
    query = (select(CompletionReport.id, CompletionReport.obligation_id, CompletionReport.submitted_at, Body.name,
                    Body.abbreviation, Activity.number, Plan.title)
             .join(Obligation, Obligation.id == CompletionReport.obligation_id)
             .join(Activity, Activity.id == Obligation.activity_id).join(Plan, Plan.id == Activity.plan_id)
             .join(Body, Body.id == CompletionReport.body_id)
             .where(CompletionReport.kind == ReportKind.CONTRIBUTION)
             .order_by(CompletionReport.submitted_at.desc(), CompletionReport.id.desc()).limit(limit))
    if moment is not None:
        query = query.where(CompletionReport.submitted_at > moment)
    return db.session.execute(query).all()


def unread_count(account_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        and_(Notification.account_id == account_id, Notification.read_at.is_(None)))) or 0
