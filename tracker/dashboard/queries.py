"""The coordinator's numbers, counted by the database.

Every figure on the dashboard, the overdue list, the body pages, the charts and
`flask status --json` comes from the functions here, so they cannot disagree. Each status
is computed in SQL by `status_table` — the same rule as `tracker.reports.status`, written as
one CASE expression (tests hold the two to the same answer for every obligation) — and
counted with GROUP BY; no Python loop walks the obligations.

"As of" a day: only lead reports submitted by the end of that day count, and a review counts
only if it was made by then — so the numbers are those the portal would have shown that day.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, extract, func, literal, select
from sqlalchemy.orm import aliased

from tracker.executors.models import Body
from tracker.extensions import db
from tracker.plans.models import Activity, ActivityExecutor, Obligation, Plan, Section
from tracker.reports.models import CompletionReport
from tracker.reports.status import STATUSES

#: how an activity is counted on the dashboard
ACTIVITY_STATES = ("done", "in_progress", "overdue")


@dataclass
class Filters:
    """What the coordinator narrowed the view to; every field optional."""

    plan_id: int | None = None
    section_id: int | None = None
    body_id: int | None = None
    status: str | None = None
    due_from: date | None = None
    due_to: date | None = None

    def as_args(self) -> dict:
        values = {"plan": self.plan_id, "section": self.section_id, "body": self.body_id, "status": self.status,
                  "from": self.due_from.isoformat() if self.due_from else None,
                  "to": self.due_to.isoformat() if self.due_to else None}
        return {k: v for k, v in values.items() if v not in (None, "")}


def status_table(as_of: date, due_soon_days: int):
    """A subquery: one row per obligation with its plan, section, activity, due date and status."""
    latest_version = (
        select(CompletionReport.obligation_id, func.max(CompletionReport.version).label("version"))
        .where(CompletionReport.kind == "lead", CompletionReport.submitted_on <= as_of)
        .group_by(CompletionReport.obligation_id)
        .subquery()
    )
    latest = aliased(CompletionReport)
    reviewed_by_then = latest.reviewed_on <= as_of
    accepted = and_(latest.state == "accepted", reviewed_by_then)
    status = case(
        (and_(accepted, latest.reviewed_on <= Obligation.due_date), literal("done")),
        (accepted, literal("done_late")),
        (and_(latest.state == "returned", reviewed_by_then), literal("returned")),
        (latest.id.is_not(None), literal("submitted")),
        (Obligation.due_date < as_of, literal("overdue")),
        (Obligation.due_date <= as_of + timedelta(days=due_soon_days), literal("due_soon")),
        else_=literal("upcoming"),
    )
    return (
        select(
            Obligation.id.label("obligation_id"),
            Obligation.activity_id,
            Obligation.due_date,
            Activity.plan_id,
            Activity.section_id,
            status.label("status"),
            latest.reviewed_on.label("reviewed_on"),
            latest.submitted_on.label("submitted_on"),
            latest.reviewed_by_id.label("reviewed_by_id"),
        )
        .join(Activity, Activity.id == Obligation.activity_id)
        .outerjoin(latest_version, latest_version.c.obligation_id == Obligation.id)
        .outerjoin(latest, and_(latest.obligation_id == Obligation.id, latest.kind == "lead",
                                latest.version == latest_version.c.version))
        .subquery("obligation_status")
    )


def filtered(query, table, filters: Filters):
    if filters.plan_id:
        query = query.where(table.c.plan_id == filters.plan_id)
    if filters.section_id:
        query = query.where(table.c.section_id == filters.section_id)
    if filters.status:
        query = query.where(table.c.status == filters.status)
    if filters.due_from:
        query = query.where(table.c.due_date >= filters.due_from)
    if filters.due_to:
        query = query.where(table.c.due_date <= filters.due_to)
    if filters.body_id:
        named = select(ActivityExecutor.activity_id).where(ActivityExecutor.body_id == filters.body_id)
        query = query.where(table.c.activity_id.in_(named))
    return query


def _empty_counts() -> dict[str, int]:
    return dict.fromkeys(STATUSES, 0)


def on_time_rate(done: int, due_so_far: int) -> float | None:
    """Accepted on time ÷ due so far: the body's (or plan's) executive discipline."""
    return round(done / due_so_far, 4) if due_so_far else None


@dataclass
class PlanFigures:
    id: int
    title: str
    region: str | None
    obligations: dict[str, int] = field(default_factory=_empty_counts)
    due_so_far: int = 0
    activities: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIVITY_STATES, 0))
    #: every activity in view, those without due dates too (they are neither done nor late)
    activities_total: int = 0

    @property
    def total(self) -> int:
        return sum(self.obligations.values())

    @property
    def on_time_rate(self) -> float | None:
        return on_time_rate(self.obligations["done"], self.due_so_far)


def plan_figures(as_of: date, due_soon_days: int, filters: Filters | None = None) -> list[PlanFigures]:
    filters = filters or Filters()
    table = status_table(as_of, due_soon_days)
    plans = {p.id: PlanFigures(p.id, p.title, p.region) for p in db.session.execute(
        select(Plan.id, Plan.title, Plan.region).order_by(Plan.period_start.desc(), Plan.id)).all()
        if not filters.plan_id or p.id == filters.plan_id}
    rows = db.session.execute(filtered(
        select(table.c.plan_id, table.c.status, func.count(),
               func.sum(case((table.c.due_date <= as_of, 1), else_=0)))
        .group_by(table.c.plan_id, table.c.status), table, filters)).all()
    for plan_id, status, count, due_so_far in rows:
        if plan_id in plans:
            plans[plan_id].obligations[status] += count
            plans[plan_id].due_so_far += int(due_so_far or 0)

    # Activities: done when every obligation is done (on time or late); overdue when any is; else in progress.
    per_activity = (
        filtered(select(
            table.c.plan_id, table.c.activity_id,
            func.sum(case((table.c.status == "overdue", 1), else_=0)).label("overdue"),
            func.sum(case((table.c.status.in_(("done", "done_late")), 1), else_=0)).label("done"),
            func.count().label("total"),
        ).group_by(table.c.plan_id, table.c.activity_id), table, filters).subquery()
    )
    state = case((per_activity.c.overdue > 0, "overdue"), (per_activity.c.done == per_activity.c.total, "done"),
                 else_="in_progress")
    for plan_id, activity_state, count in db.session.execute(
            select(per_activity.c.plan_id, state, func.count()).group_by(per_activity.c.plan_id, state)).all():
        if plan_id in plans:
            plans[plan_id].activities[activity_state] += count
    if filters.status or filters.due_from or filters.due_to:
        for plan in plans.values():  # a filter on due dates: only activities with such due dates are in view
            plan.activities_total = sum(plan.activities.values())
    else:
        every = select(Activity.plan_id, func.count(Activity.id)).group_by(Activity.plan_id)
        if filters.section_id:
            every = every.where(Activity.section_id == filters.section_id)
        if filters.body_id:
            every = every.where(Activity.id.in_(
                select(ActivityExecutor.activity_id).where(ActivityExecutor.body_id == filters.body_id)))
        for plan_id, count in db.session.execute(every).all():
            if plan_id in plans:
                plans[plan_id].activities_total = count
    return list(plans.values())


@dataclass
class BodyFigures:
    """One executor across the plans: a Body, or an unresolved written name (body_id None)."""

    body_id: int | None
    name: str
    abbreviation: str | None
    region: str | None
    as_lead: dict[str, int] = field(default_factory=_empty_counts)
    as_co_executor: dict[str, int] = field(default_factory=_empty_counts)
    lead_due_so_far: int = 0
    oldest_overdue: date | None = None

    @property
    def resolved(self) -> bool:
        return self.body_id is not None

    @property
    def key(self) -> str:
        return str(self.body_id) if self.body_id else "written:" + self.name

    @property
    def on_time_rate(self) -> float | None:
        # Only the lead's report is reviewed, so discipline is measured on the obligations it leads.
        return on_time_rate(self.as_lead["done"], self.lead_due_so_far)

    @property
    def overdue(self) -> int:
        return self.as_lead["overdue"] + self.as_co_executor["overdue"]

    @property
    def label(self) -> str:
        return self.abbreviation or self.name


def body_figures(as_of: date, due_soon_days: int, filters: Filters | None = None) -> list[BodyFigures]:
    """Per body and role: obligations by status. An obligation counts once for each body named on
    its activity, so the lead counts across bodies add up to the obligations of the plans."""
    filters = filters or Filters()
    table = status_table(as_of, due_soon_days)
    # Unresolved executors have no body: they are counted by the name as written.
    written = case((ActivityExecutor.body_id.is_(None), ActivityExecutor.written), else_=None)
    query = filtered(
        select(ActivityExecutor.body_id, written, ActivityExecutor.role, table.c.status,
               func.count(), func.sum(case((table.c.due_date <= as_of, 1), else_=0)),
               func.min(case((table.c.status == "overdue", table.c.due_date), else_=None)))
        .join(ActivityExecutor, ActivityExecutor.activity_id == table.c.activity_id)
        .group_by(ActivityExecutor.body_id, written, ActivityExecutor.role, table.c.status),
        table, filters)
    rows = db.session.execute(query).all()
    body_ids = {r[0] for r in rows if r[0] is not None}
    bodies = {b.id: b for b in db.session.scalars(select(Body).where(Body.id.in_(body_ids)))} if body_ids else {}
    figures: dict[str, BodyFigures] = {}
    for body_id, written, role, status, count, due_so_far, oldest in rows:
        if body_id is not None:
            body = bodies[body_id]
            item = figures.setdefault(str(body_id), BodyFigures(body_id, body.display_name, body.abbreviation, body.region))
        else:
            item = figures.setdefault("written:" + written, BodyFigures(None, written, None, None))
        target = item.as_lead if role == "lead" else item.as_co_executor
        target[status] += count
        if role == "lead":
            item.lead_due_so_far += int(due_so_far or 0)
        if oldest is not None:
            oldest = oldest if isinstance(oldest, date) else date.fromisoformat(str(oldest))
            item.oldest_overdue = min(filter(None, [item.oldest_overdue, oldest]))
    return sorted(figures.values(), key=lambda f: (-f.overdue, f.name))


def overdue_obligations(as_of: date, due_soon_days: int, filters: Filters, body_id: int | None = None,
                        written: str | None = None, limit: int = 500) -> list:
    """The overdue obligations of one executor (links on the overdue list), oldest first."""
    table = status_table(as_of, due_soon_days)
    query = (
        select(table.c.obligation_id, table.c.due_date, Activity.id, Activity.number, Activity.text, Plan.id,
               Plan.title, ActivityExecutor.role)
        .join(Activity, Activity.id == table.c.activity_id).join(Plan, Plan.id == Activity.plan_id)
        .join(ActivityExecutor, ActivityExecutor.activity_id == Activity.id)
        .where(table.c.status == "overdue")
        .order_by(table.c.due_date, Plan.id, Activity.position)
        .limit(limit)
    )
    query = query.where(ActivityExecutor.body_id == body_id) if body_id is not None else query.where(
        ActivityExecutor.body_id.is_(None), ActivityExecutor.written == written)
    return db.session.execute(filtered(query, table, Filters(
        plan_id=filters.plan_id, section_id=filters.section_id, body_id=filters.body_id, due_from=filters.due_from,
        due_to=filters.due_to))).all()


def body_obligations(body_id: int, as_of: date, due_soon_days: int) -> list:
    """Every obligation of a body across plans, with its role and status (the body page)."""
    table = status_table(as_of, due_soon_days)
    return db.session.execute(
        select(table.c.obligation_id, table.c.due_date, table.c.status, ActivityExecutor.role, Activity.id,
               Activity.number, Activity.text, Plan.id, Plan.title)
        .join(ActivityExecutor, ActivityExecutor.activity_id == table.c.activity_id)
        .join(Activity, Activity.id == table.c.activity_id).join(Plan, Plan.id == Activity.plan_id)
        .where(ActivityExecutor.body_id == body_id)
        .order_by(table.c.due_date, Plan.id, Activity.position)).all()


def body_quarters(body_id: int, as_of: date, due_soon_days: int) -> list[tuple[str, int, int, float | None]]:
    """Per quarter of due date, for the obligations the body leads and that were due by `as_of`:
    (quarter, due, done on time, on-time rate) — the trend of its executive discipline."""
    table = status_table(as_of, due_soon_days)
    year = extract("year", table.c.due_date)
    month = extract("month", table.c.due_date)
    quarter = case((month <= 3, 1), (month <= 6, 2), (month <= 9, 3), else_=4)
    rows = db.session.execute(
        select(year, quarter, func.count(), func.sum(case((table.c.status == "done", 1), else_=0)))
        .join(ActivityExecutor, ActivityExecutor.activity_id == table.c.activity_id)
        .where(ActivityExecutor.body_id == body_id, ActivityExecutor.role == "lead", table.c.due_date <= as_of)
        .group_by(year, quarter).order_by(year, quarter)).all()
    return [(f"{int(y)} Q{int(q)}", int(n), int(done or 0), on_time_rate(int(done or 0), int(n)))
            for y, q, n, done in rows]


def sections_of(plan_id: int | None) -> list[Section]:
    query = select(Section).order_by(Section.plan_id, Section.position)
    if plan_id:
        query = query.where(Section.plan_id == plan_id)
    return list(db.session.scalars(query))
