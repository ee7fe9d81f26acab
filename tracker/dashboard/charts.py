"""The data of a plan's responsibility charts, counted by the database.

Each chart is drawn from a list of plain rows, and the same rows are printed as the table
beside it, so the picture and the figures cannot differ.
"""

from dataclasses import dataclass

from sqlalchemy import case, distinct, extract, func, select

from tracker.delegation import registry
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.plans.models import Activity, ActivityExecutor, ExecutorRole, Obligation, Section


@dataclass
class Executor:
    """A chart label: the abbreviation (or the written name) short, the full name on hover."""

    key: str
    short: str
    name: str
    resolved: bool
    #: a collective executor ("аудандар мен қалалардың білім бөлімдері"): the charts open it on its
    #: members (`?open=<key>`, tracker.delegation.routes.group_members_in_plan)
    group: bool = False


def _executor_columns():
    # Unresolved executors are charted as written, marked.
    return (ActivityExecutor.body_id,
            case((ActivityExecutor.body_id.is_(None), ActivityExecutor.written), else_=None).label("written"))


def _labels(body_ids) -> dict[int, Body]:
    ids = {i for i in body_ids if i is not None}
    return {b.id: b for b in db.session.scalars(select(Body).where(Body.id.in_(ids)))} if ids else {}


def _executor(body_id, written, bodies) -> Executor:
    if body_id is None:
        return Executor("written:" + written, written, written, False)
    body = bodies[body_id]
    return Executor(str(body_id), body.abbreviation or body.display_name, body.display_name, True,
                    registry.is_group(body))


def activities_per_body(plan_id: int) -> list[tuple[Executor, int, int]]:
    """(executor, activities it leads, activities it co-executes), the busiest first."""
    body_id, written = _executor_columns()
    rows = db.session.execute(
        select(body_id, written, func.sum(case((ActivityExecutor.role == ExecutorRole.LEAD, 1), else_=0)),
               func.sum(case((ActivityExecutor.role != ExecutorRole.LEAD, 1), else_=0)))
        .join(Activity, Activity.id == ActivityExecutor.activity_id).where(Activity.plan_id == plan_id)
        .group_by(body_id, written)).all()
    bodies = _labels(r[0] for r in rows)
    result = [(_executor(b, w, bodies), int(lead or 0), int(co or 0)) for b, w, lead, co in rows]
    return sorted(result, key=lambda r: (-(r[1] + r[2]), r[0].short))


def body_section_matrix(plan_id: int) -> tuple[list[Section], list[tuple[Executor, dict[int, int]]]]:
    """How many activities of each section name each executor (the heat map)."""
    body_id, written = _executor_columns()
    rows = db.session.execute(
        select(body_id, written, Activity.section_id, func.count(distinct(Activity.id)))
        .join(Activity, Activity.id == ActivityExecutor.activity_id).where(Activity.plan_id == plan_id)
        .group_by(body_id, written, Activity.section_id)).all()
    sections = list(db.session.scalars(select(Section).where(Section.plan_id == plan_id).order_by(Section.position)))
    bodies = _labels(r[0] for r in rows)
    matrix: dict[str, tuple[Executor, dict[int, int]]] = {}
    for b, w, section_id, count in rows:
        executor = _executor(b, w, bodies)
        matrix.setdefault(executor.key, (executor, {}))[1][section_id or 0] = count
    ordered = sorted(matrix.values(), key=lambda item: (-sum(item[1].values()), item[0].short))
    return sections, ordered


def by_agreement_share(plan_id: int) -> dict:
    """Of the bodies named in the plan, how many take part "by agreement" (outside the akimat)."""
    rows = db.session.execute(
        select(ActivityExecutor.by_agreement, func.count(), func.count(distinct(ActivityExecutor.body_id)))
        .join(Activity, Activity.id == ActivityExecutor.activity_id).where(Activity.plan_id == plan_id)
        .group_by(ActivityExecutor.by_agreement)).all()
    bodies_total = db.session.scalar(
        select(func.count(distinct(ActivityExecutor.body_id)))
        .join(Activity, Activity.id == ActivityExecutor.activity_id).where(Activity.plan_id == plan_id)) or 0
    named = {bool(flag): (int(n), int(b)) for flag, n, b in rows}
    agreement_mentions, agreement_bodies = named.get(True, (0, 0))
    mentions = sum(n for n, _b in named.values())
    return {
        "bodies": bodies_total, "bodies_by_agreement": agreement_bodies,
        "mentions": mentions, "mentions_by_agreement": agreement_mentions,
        "share": round(agreement_bodies / bodies_total, 4) if bodies_total else None,
    }


def due_dates_per_month(plan_id: int) -> list[tuple[str, int]]:
    """("2023-03", 12): how many due dates fall in each month of the plan period."""
    year, month = extract("year", Obligation.due_date), extract("month", Obligation.due_date)
    rows = db.session.execute(
        select(year, month, func.count()).join(Activity, Activity.id == Obligation.activity_id)
        .where(Activity.plan_id == plan_id).group_by(year, month).order_by(year, month)).all()
    return [(f"{int(y)}-{int(m):02d}", int(n)) for y, m, n in rows]
