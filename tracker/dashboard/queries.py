"""The coordinator's numbers, counted by the database.

Every figure on the dashboard, the overdue list, the body pages, the charts and
`flask status --json` comes from the functions here, so they cannot disagree. Each status
is computed in SQL by `status_table` with the CASE expression of `tracker.reports.status`
(`status_sql`, written beside the Python rule it equals) and counted with GROUP BY; no Python
loop walks the obligations.

"As of" a day: only lead reports submitted by the end of that day count, and a review counts
only if it was made by then — so the numbers are those the portal would have shown that day.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Date, Integer, String, and_, case, cast, extract, func, literal, null, or_, select, union_all
from sqlalchemy import text as text_sql

from tracker.executors.models import NATIONAL, Body, body_name, reads_russian
from tracker.extensions import db
from tracker.plans.models import Activity, ActivityExecutor, ExecutorRole, Obligation, Plan, Section
from tracker.reports import rollups
from tracker.reports.queries import status_table
from tracker.reports.rollups import RollupExecutor, RollupOldest, RollupPlan, RollupPlanExecutor, RollupPlanProgress
from tracker.reports.status import ACTIVITY_PROGRESS, NOT_DUE, STATUSES, Status, progress_sql


@dataclass
class Filters:
    """What the coordinator narrowed the view to; every field optional."""

    #: a plan's region ("Қостанай облысы"): at national scale the coordinator narrows to one first
    region: str | None = None
    plan_id: int | None = None
    section_id: int | None = None
    body_id: int | None = None
    status: str | None = None
    due_from: date | None = None
    due_to: date | None = None

    def as_args(self) -> dict:
        values = {"region": self.region, "plan": self.plan_id, "section": self.section_id, "body": self.body_id, "status": self.status,
                  "from": self.due_from.isoformat() if self.due_from else None,
                  "to": self.due_to.isoformat() if self.due_to else None}
        return {k: v for k, v in values.items() if v not in (None, "")}


def filtered(query, table, filters: Filters):
    if filters.region:
        query = query.where(table.c.plan_id.in_(select(Plan.id).where(Plan.region == filters.region)))
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
    #: extensions approved on its obligations (by the as-of day)
    extensions: int = 0
    activities: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIVITY_PROGRESS, 0))
    #: every activity in view, those without due dates too (they are neither done nor late)
    activities_total: int = 0

    @property
    def total(self) -> int:
        return sum(self.obligations.values())

    @property
    def on_time_rate(self) -> float | None:
        return on_time_rate(self.obligations[Status.DONE], self.due_so_far)


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
    #: extensions approved on the obligations it leads: a body that extends everything shows it
    lead_extensions: int = 0
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
        return on_time_rate(self.as_lead[Status.DONE], self.lead_due_so_far)

    @property
    def overdue(self) -> int:
        return self.as_lead[Status.OVERDUE] + self.as_co_executor[Status.OVERDUE]

    @property
    def label(self) -> str:
        return self.abbreviation or self.name


def figures(as_of: date, due_soon_days: int, filters: Filters | None = None,
            executor_body_id: int | None = None) -> tuple[list[PlanFigures], list[BodyFigures]]:
    """The dashboard's numbers per plan and per executor: for today, from the rollups kept
    counted (tracker.reports.rollups) when the filters are ones they count by (region, plan);
    otherwise — a past day, a section, a status, due dates, an executor filter — from the full
    statement (`full_figures`). The two give the same numbers (tests/test_rollups.py)."""
    filters = filters or Filters()
    if rollups_answer(as_of, due_soon_days, filters):
        return rollup_figures(filters, executor_body_id)
    return full_figures(as_of, due_soon_days, filters, executor_body_id)


def rollups_answer(as_of: date, due_soon_days: int, filters: Filters) -> bool:
    """Whether the rollups hold these figures: today's, with the configured "due soon" window,
    narrowed at most to a region or a plan."""
    from flask import current_app

    from tracker.core.clock import today

    return (as_of == today() and due_soon_days == current_app.config["DUE_SOON_DAYS"]
            and not (filters.section_id or filters.body_id or filters.status or filters.due_from or filters.due_to))


def rollup_figures(filters: Filters, executor_body_id: int | None = None) -> tuple[list[PlanFigures], list[BodyFigures]]:
    """`full_figures` for today, read from the rollups (brought to today first)."""
    rollups.bring_to_today()
    if executor_body_id is not None:
        key = str(executor_body_id)
        oldest = {key: db.session.scalar(select(RollupOldest.oldest).where(RollupOldest.executor_key == key))}
        return [], _body_figures(_executor_rows(RollupExecutor, [RollupExecutor.executor_key == key], oldest))
    plan_ids = _plan_ids_in_view(filters)
    if plan_ids is None:
        oldest = dict(db.session.execute(select(RollupOldest.executor_key, RollupOldest.oldest)
                                         .where(RollupOldest.oldest.is_not(None))).all())
        rows = _executor_rows(RollupExecutor, [RollupExecutor.n != 0], oldest)
    else:
        rows = _executor_rows(RollupPlanExecutor, [RollupPlanExecutor.plan_id.in_(plan_ids), RollupPlanExecutor.n != 0],
                              _oldest_overdue_in(plan_ids))
    return _rollup_plan_figures(filters, plan_ids), _body_figures(rows)


def _plan_ids_in_view(filters: Filters):
    """The plans the rollups are read for (a selectable), or None for the whole country."""
    if filters.plan_id:
        return select(Plan.id).where(Plan.id == filters.plan_id)
    if filters.region:
        return select(Plan.id).where(Plan.region == filters.region)
    return None


def _rollup_plan_figures(filters: Filters, plan_ids) -> list[PlanFigures]:
    """Every plan's figures from the rollups: a country's thousand plans are ~10,000 small rows."""
    plan_rows = select(RollupPlan.plan_id, RollupPlan.status, RollupPlan.due, RollupPlan.n, RollupPlan.extensions)
    progress_rows = select(RollupPlanProgress.plan_id, RollupPlanProgress.progress, RollupPlanProgress.n)
    if plan_ids is not None:
        plan_rows = plan_rows.where(RollupPlan.plan_id.in_(plan_ids))
        progress_rows = progress_rows.where(RollupPlanProgress.plan_id.in_(plan_ids))
    plans = _plans_in_view(filters, None, set())
    for plan_id, status, due, n, extensions in db.session.execute(plan_rows):
        if plan_id in plans and n:
            plans[plan_id].obligations[status] += n
            plans[plan_id].due_so_far += n if due else 0
            plans[plan_id].extensions += extensions
    for plan_id, progress, n in db.session.execute(progress_rows):
        if plan_id in plans:
            plans[plan_id].activities[progress] += n
    _count_all_activities(plans, filters)
    return list(plans.values())


def _executor_rows(model, where: list, oldest: dict[str, date]) -> list:
    """The rows `_body_figures` reads — (body id, written name, role, counts by status, due so far,
    oldest overdue, extensions) — one per executor and role, added up in SQL from the rollup rows
    (one per status and due-or-not): a country's 10,000 bodies are 20,000 rows, not 130,000."""
    by_status = [func.sum(case((model.status == s.value, model.n), else_=0)) for s in STATUSES]
    query = (select(model.executor_key, model.role, *by_status,
                    func.sum(case((model.due.is_(True), model.n), else_=0)), func.sum(model.extensions))
             .where(*where).group_by(model.executor_key, model.role))
    found = []
    for key, role, *counts, due, extensions in db.session.execute(query):
        body_id, written = (None, key[len("written:"):]) if key.startswith("written:") else (int(key), None)
        found.append((body_id, written, role, dict(zip(STATUSES, map(int, counts), strict=True)), int(due or 0),
                      oldest.get(key), int(extensions or 0)))
    return found


def _oldest_overdue_in(plan_ids) -> dict[str, date]:
    """Each executor's oldest overdue due date within some plans, from what the obligations remember."""
    key = rollups.executor_key_sql()
    return dict(db.session.execute(
        select(key, func.min(Obligation.due_date))
        .join(ActivityExecutor, ActivityExecutor.activity_id == Obligation.activity_id)
        .join(Activity, Activity.id == Obligation.activity_id)
        .where(Activity.plan_id.in_(plan_ids), Obligation.counted_status == Status.OVERDUE.value).group_by(key)).all())


# --- the overdue list: one page of it ---------------------------------------------------------

#: how an unresolved executor's key begins (`BodyFigures.key`, `rollups.executor_key`)
WRITTEN = "written:"

#: The overdue list's orders, as keys of a BodyFigures (each column's first order; `dir=desc` sorts
#: with reverse=True), ties going by name. Two executors tying on both — Kostanay's and Karaganda's
#: health departments bear one name — keep the order of the list they are sorted from (Python's
#: sort is stable, reversed or not): `_body_figures`', the most overdue first, then by key. The
#: path that has every executor's figures (a past day, a filter the rollups do not count by) sorts
#: with these; the rollups' path sorts in SQL (`_overdue_order`), and tests/test_rollups.py holds
#: the two to the same order.
OVERDUE_SORTS = {
    "overdue": lambda f: (-f.overdue, f.name),
    "lead": lambda f: (-f.as_lead[Status.OVERDUE], f.name),
    "co": lambda f: (-f.as_co_executor[Status.OVERDUE], f.name),
    "oldest": lambda f: (f.oldest_overdue or date.max, f.name),
    "name": lambda f: (f.label.lower(), f.name),
    "rate": lambda f: (f.on_time_rate if f.on_time_rate is not None else 2, f.name),
}


@dataclass
class OverduePage:
    """One page of the executors with anything overdue: their figures in the list's order, how
    many such executors there are in all, and which page this is (a page past the end is the last)."""

    bodies: list[BodyFigures]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * self.page_size + 1


def _page_within(page: int, total: int, page_size: int) -> int:
    return min(max(1, page), max(1, -(-total // page_size)))


@dataclass
class Dashboard:
    """The dashboard's numbers: the plans in view — or, for a country of more plans than a page
    lists, one row per region (`by_region`) — their totals by status, and one page of the overdue list."""

    plans: list[PlanFigures]
    by_region: bool
    plans_in_view: int
    overdue: OverduePage

    @property
    def totals(self) -> dict[str, int]:
        totals = dict.fromkeys(STATUSES, 0)
        for plan in self.plans:
            for status, count in plan.obligations.items():
                totals[status] += count
        return totals


def dashboard_figures(as_of: date, due_soon_days: int, filters: Filters, sort: str, descending: bool, page: int,
                      page_size: int, plan_rows: int) -> Dashboard:
    """The dashboard's numbers, the plans added up by region when the whole country (no region, no
    plan chosen) has more than `plan_rows` plans: a coordinator reads a country by region first.

    For today, from the rollups, the database does the adding up — the plans' rows per region,
    and the overdue list filtered, sorted, counted and cut — and only the page's executors get
    their figures: a country has 10,000 executors and a page shows 100. Otherwise (a past day, a
    filter the rollups do not count by) the full statement works out every plan's and every
    executor's figures anyway, and Python adds them up, sorts and cuts."""
    whole_country = not (filters.region or filters.plan_id)
    if rollups_answer(as_of, due_soon_days, filters):
        rollups.bring_to_today()
        plan_ids = _plan_ids_in_view(filters)
        overdue = rollup_overdue_page(plan_ids, sort, descending, page, page_size)
        in_view = db.session.scalar(select(func.count(Plan.id))) if whole_country else None
        if whole_country and in_view > plan_rows:
            return Dashboard(_rollup_region_figures(), True, in_view, overdue)
        plans = _rollup_plan_figures(filters, plan_ids)
        return Dashboard(plans, False, len(plans), overdue)
    plans, bodies = full_figures(as_of, due_soon_days, filters)
    overdue = overdue_page(bodies, sort, descending, page, page_size)
    if whole_country and len(plans) > plan_rows:
        return Dashboard(by_region(plans), True, len(plans), overdue)
    return Dashboard(plans, False, len(plans), overdue)


def _rollup_region_figures() -> list[PlanFigures]:
    """`by_region` of every plan's figures from the rollups, added up per region by the database:
    a country's thousand plans are 10,000 rollup rows, two hundred regions' sums."""
    region = func.coalesce(Plan.region, "")
    rows = {key: PlanFigures(id=0, title=key, region=key or None)
            for key in db.session.scalars(select(region).distinct())}
    for key, status, due, n, extensions in db.session.execute(
            select(region, RollupPlan.status, RollupPlan.due, func.sum(RollupPlan.n), func.sum(RollupPlan.extensions))
            .join(Plan, Plan.id == RollupPlan.plan_id).group_by(region, RollupPlan.status, RollupPlan.due)):
        rows[key].obligations[status] += int(n)
        rows[key].due_so_far += int(n) if due else 0
        rows[key].extensions += int(extensions)
    for key, progress, n in db.session.execute(
            select(region, RollupPlanProgress.progress, func.sum(RollupPlanProgress.n))
            .join(Plan, Plan.id == RollupPlanProgress.plan_id).group_by(region, RollupPlanProgress.progress)):
        rows[key].activities[progress] += int(n)
    # Counted per plan first, from the index on activity.plan_id alone (COUNT(*): counting activity.id
    # would make PostgreSQL read the table), then the plans' counts per region.
    per_plan = select(Activity.plan_id, func.count().label("n")).group_by(Activity.plan_id).subquery()
    for key, n in db.session.execute(select(region, func.sum(per_plan.c.n)).join(Plan, Plan.id == per_plan.c.plan_id)
                                     .group_by(region)):
        rows[key].activities_total += int(n)
    return [rows[key] for key in sorted(rows)]


def overdue_page(bodies: list[BodyFigures], sort: str, descending: bool, page: int, page_size: int) -> OverduePage:
    """One page of the overdue list cut from every executor's figures (as `_body_figures` orders
    them), sorted in Python."""
    overdue = sorted((b for b in bodies if b.overdue), key=OVERDUE_SORTS[sort], reverse=descending)
    page = _page_within(page, len(overdue), page_size)
    return OverduePage(overdue[(page - 1) * page_size:page * page_size], len(overdue), page, page_size)


def rollup_overdue_page(plan_ids, sort: str, descending: bool, page: int, page_size: int) -> OverduePage:
    """One page of the overdue list from the rollups (already brought to today), for the whole
    country (`plan_ids` None) or some plans: one statement sorts, counts and cuts the executors,
    a second reads the page's executors' figures as `rollup_figures` would."""
    page = max(1, page)
    executors = _overdue_executors(plan_ids, with_rate=sort == "rate")
    ties: dict[tuple[int, int], int] = {}

    def cut(page: int) -> list:
        columns = [executors.c.key, executors.c.oldest, func.count().over().label("total")]
        if sort == "rate":  # and how many ratios SQL cannot round as Python does (`_rate_bucket`)
            half_way = _half_way(executors.c.lead_done, executors.c.lead_due)
            columns.append(func.sum(case((half_way, 1), else_=0)).over().label("half_way"))
        listing = select(*columns).order_by(*_overdue_order(sort, executors.c, ties, descending))
        return db.session.execute(listing.limit(page_size).offset((page - 1) * page_size)).all()

    rows = cut(page)
    total = rows[0].total if rows else 0
    if not rows and page > 1:  # a page past the end shows the last one
        total = db.session.scalar(select(func.count()).select_from(executors))
        page = _page_within(page, total, page_size)
        rows = cut(page) if total else []
    if sort == "rate" and rows and rows[0].half_way:  # almost never: Python rounds those, then SQL sorts again
        ties.update(_rate_ties(executors))
        rows = cut(page)
    page = _page_within(page, total, page_size)
    keys = [row.key for row in rows]
    if not keys:
        return OverduePage([], total, page, page_size)
    model = RollupExecutor if plan_ids is None else RollupPlanExecutor
    where = [model.executor_key.in_(keys), model.n != 0]
    if plan_ids is not None:
        where.append(model.plan_id.in_(plan_ids))
    figures = {f.key: f for f in _body_figures(_executor_rows(model, where, {row.key: row.oldest for row in rows}))}
    return OverduePage([figures[key] for key in keys], total, page, page_size)


def _overdue_executors(plan_ids, with_rate: bool = False):
    """One row per executor with anything overdue (in the country, or in some plans), with what
    the orders need: overdue as lead and as co-executor, the oldest overdue due date, the name the
    page shows and the label (abbreviation or name), and `with_rate` done on time and due so far
    as lead (the on-time rate) — from the rollups and the registry, not the obligations."""
    model = RollupExecutor if plan_ids is None else RollupPlanExecutor
    lead = model.role == ExecutorRole.LEAD.value
    overdue = model.status == Status.OVERDUE.value

    def total(condition):
        return func.sum(case((condition, model.n), else_=0))

    # Only the rows the sums read: the overdue ones (N=10: 20,000 of the 125,000 rollup rows), and
    # for the rate the lead's too (67,000). On SQLite, grouped by the key as an expression: by the
    # column itself it walks the primary key's index in order and looks up every row one by one,
    # slower than reading the table once and sorting the rows kept (N=10, grouping alone: 28 / 17 ms).
    key = model.executor_key + literal("") if db.session.get_bind().dialect.name == "sqlite" else model.executor_key
    columns = [key.label("key"), total(and_(lead, overdue)).label("lead_overdue"),
               total(and_(model.role != ExecutorRole.LEAD.value, overdue)).label("co_overdue")]
    if with_rate:
        columns += [total(and_(lead, model.status == Status.DONE.value)).label("lead_done"),
                    total(and_(lead, model.due.is_(True))).label("lead_due")]
    counted = select(*columns).where(or_(overdue, lead) if with_rate else overdue)
    if plan_ids is not None:
        counted = counted.where(model.plan_id.in_(plan_ids))
    counted = counted.group_by(key).having(total(overdue) > 0).subquery("counted")

    written = counted.c.key.startswith(WRITTEN)
    # The registry's row of a resolved executor, by its id (the key holds it as text).
    query = select(counted).outerjoin(Body, Body.id == case((written, null()), else_=cast(counted.c.key, Integer)))
    if plan_ids is None:
        query = query.outerjoin(RollupOldest, RollupOldest.executor_key == counted.c.key)
        oldest = RollupOldest.oldest
    else:  # the oldest-overdue rollup is the country's; within plans, what their obligations remember
        executor = rollups.executor_key_sql()
        within = (select(executor.label("key"), func.min(Obligation.due_date).label("oldest"))
                  .join(ActivityExecutor, ActivityExecutor.activity_id == Obligation.activity_id)
                  .join(Activity, Activity.id == Obligation.activity_id)
                  .where(Activity.plan_id.in_(plan_ids), Obligation.counted_status == Status.OVERDUE.value)
                  .group_by(executor).subquery("oldest_within"))
        query = query.outerjoin(within, within.c.key == counted.c.key)
        oldest = within.c.oldest
    # `body_name` and `BodyFigures.label`, in SQL: an empty text counts as none, as in Python.
    registry_name = Body.name
    if reads_russian():
        registry_name = case((func.coalesce(Body.name_ru, "") != "", Body.name_ru), else_=Body.name)
    name = case((written, func.substr(counted.c.key, len(WRITTEN) + 1)), else_=registry_name)
    label = case((func.coalesce(Body.abbreviation, "") != "", Body.abbreviation), else_=name)
    return query.add_columns(oldest.label("oldest"), name.label("name"), label.label("label")).subquery(
        "overdue_executors")


def _overdue_order(sort: str, c, ties: dict[tuple[int, int], int], descending: bool) -> list:
    """`OVERDUE_SORTS[sort]` written in SQL — its columns ascending, or descending for `dir=desc` —
    then what breaks a tie on them in Python: the order sorted from (`_body_figures`), the most
    overdue first, then by key, whichever the direction."""
    if sort == "rate":
        first = _rate_bucket(c.lead_done, c.lead_due, ties)
    elif sort == "name":
        first = _code_point_order(_python_lower(c.label))
    else:
        first = {"overdue": -(c.lead_overdue + c.co_overdue), "lead": -c.lead_overdue, "co": -c.co_overdue,
                 "oldest": func.coalesce(c.oldest, literal(date.max, Date))}[sort]
    name = _code_point_order(c.name)
    return [column.desc() if descending else column.asc() for column in (first, name)] + [
        (-(c.lead_overdue + c.co_overdue)).asc(), _code_point_order(c.key).asc()]


def _code_point_order(text):
    """Text compared as Python compares str, by code point, whatever the database's locale: BINARY
    is SQLite's default (UTF-8 bytes sort as code points); PostgreSQL's collation "C" on UTF-8 likewise."""
    return text.collate("C") if db.session.get_bind().dialect.name == "postgresql" else text


def _python_lower(text):
    """`str.lower` in SQL. SQLite's lower() folds ASCII letters only, and the names are Kazakh and
    Russian: there Python's own str.lower is lent to the connection. PostgreSQL's lower() folds by
    the collation's rules; ICU's root locale ("und-x-icu") folds as Python does (İ, final sigma
    included), so it is used where the server has ICU."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        connection = db.session.connection().connection.driver_connection
        connection.create_function("python_lower", 1, _lower, deterministic=True)
        return func.python_lower(text)
    if dialect == "postgresql" and _has_icu():
        return func.lower(text.collate("und-x-icu"))
    return func.lower(text)


def _lower(text: str | None) -> str | None:
    return text.lower() if text is not None else None


_ICU: dict[str, bool] = {}  # per database address: a server does not gain or lose ICU while it runs


def _has_icu() -> bool:
    url = str(db.engine.url)
    if url not in _ICU:
        _ICU[url] = bool(db.session.scalar(text_sql(
            "SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu')")))
    return _ICU[url]


#: `on_time_rate` rounds to 4 decimals: the rate's order is that of rate × 10,000 rounded
RATE_SCALE = 10_000


def _rate_bucket(done, due, ties: dict[tuple[int, int], int]):
    """`round(done / due, 4) * 10_000` (2 × 10,000 with nothing due, as the Python key's 2) in
    integer arithmetic, which both databases do exactly. Python rounds the nearest double to
    done / due, half to even: the nearest integer to done / due × 10,000 is that, but for a ratio
    that lies exactly half-way. There, if the ratio is a double (its reduced denominator divides
    32), half to even; if not, Python's answer depends on which way the division's double was
    rounded — SQL cannot see that, so those few ratios (done / due = m / 160, m / 800, …; none
    below 160 due) are asked of Python (`_rate_ties`) and written into the statement."""
    twice = 2 * RATE_SCALE * done + due  # (rate × 10,000 + ½) × 2 due
    nearest = twice // (2 * due)
    half_way = twice % (2 * due) == 0
    branches = [(due == 0, literal(2 * RATE_SCALE))]
    branches += [(and_(done == d, due == u), literal(bucket)) for (d, u), bucket in sorted(ties.items())]
    branches.append((and_(half_way, nearest % 2 == 1), nearest - 1))
    return case(*branches, else_=nearest)


def _half_way(done, due):
    """Whether done / due lies exactly half-way between two rates rounded to 4 decimals and is not a
    double (see `_rate_bucket`)."""
    divisor = func.nullif(due, 0)  # PostgreSQL may test the conditions in any order: no division by zero
    return and_(due > 0, (2 * RATE_SCALE * done + due) % (2 * divisor) == 0, (32 * done) % divisor != 0)


def _rate_ties(executors) -> dict[tuple[int, int], int]:
    """The executors' (done, due) that `_half_way` finds, with the bucket Python's `on_time_rate`
    puts them in."""
    done, due = executors.c.lead_done, executors.c.lead_due
    found = db.session.execute(select(done, due).where(_half_way(done, due)).distinct()).all()
    return {(int(d), int(u)): round(on_time_rate(int(d), int(u)) * RATE_SCALE) for d, u in found}


def full_figures(as_of: date, due_soon_days: int, filters: Filters | None = None,
                 executor_body_id: int | None = None) -> tuple[list[PlanFigures], list[BodyFigures]]:
    """The dashboard's numbers per plan and per executor, from one statement.

    Each obligation's status is worked out once, in a CTE counted per activity and status; the
    plans' counts, the activities' states and the executors' counts are then three small
    GROUP BYs over that CTE, joined with UNION ALL (SQLite and PostgreSQL both compute a CTE used
    more than once a single time). Working the status out three times over — once per figure —
    was what made the dashboard slow at national scale.

    Per body and role an obligation counts once for each body named on its activity, so the lead
    counts across bodies add up to the obligations of the plans. `executor_body_id` keeps only
    that body's counts (its page), which the indexes then make as cheap in a country as in a region.
    """
    filters = filters or Filters()
    table = status_table(as_of, due_soon_days)
    # 1. Each obligation's status, worked out once per obligation. OFFSET 0 keeps the database from
    #    merging this into the counting below. Merged, SQLite evaluates the long CASE again for every
    #    status column it counts (N=10: 0.70 s fenced, 1.0 s merged), and PostgreSQL, unable to tell
    #    how many activities the join holds, plans for one group per obligation and compiles the
    #    query with JIT (N=10: 1.05 s fenced, 1.3 s merged).
    in_view = filtered(select(table.c.plan_id, table.c.activity_id, table.c.due_date, table.c.status,
                              table.c.extensions), table, filters)
    if executor_body_id is not None:
        in_view = in_view.where(table.c.activity_id.in_(
            select(ActivityExecutor.activity_id).where(ActivityExecutor.body_id == executor_body_id)))
    in_view = in_view.offset(0).subquery("in_view")
    # 2. One row per activity with a column per status.
    per_activity = select(
        in_view.c.plan_id, in_view.c.activity_id,
        *[func.sum(case((in_view.c.status == s, 1), else_=0)).label(s) for s in STATUSES],
        func.count().label("total"), func.sum(case((due_so_far_sql(in_view.c, as_of), 1), else_=0)).label("due_so_far"),
        func.min(case((in_view.c.status == Status.OVERDUE.value, in_view.c.due_date), else_=None)).label("oldest"),
        func.sum(in_view.c.extensions).label("extensions"),
    ).group_by(in_view.c.plan_id, in_view.c.activity_id).cte("per_activity")
    counts = [func.sum(per_activity.c[s]) for s in STATUSES]
    no_text, no_date, zero = null().cast(String), null().cast(Date), literal(0)

    # 3. Three answers of one shape (see `_answer`), joined with UNION ALL and read back by name.
    by_plan = _answer("plan", per_activity.c.plan_id, no_text, no_text, func.sum(per_activity.c.total), counts,
                      func.sum(per_activity.c.due_so_far), no_date,
                      func.sum(per_activity.c.extensions)).group_by(per_activity.c.plan_id)
    progress = progress_sql(overdue=per_activity.c.overdue, done=per_activity.c.done,
                            done_late=per_activity.c.done_late, off_control=per_activity.c.off_control,
                            total=per_activity.c.total)
    by_activity_progress = _answer("activities", per_activity.c.plan_id, no_text, progress, func.count(),
                                   [zero for _s in STATUSES], zero, no_date, zero).group_by(per_activity.c.plan_id, progress)
    # Unresolved executors have no body: they are counted by the name as written.
    written = case((ActivityExecutor.body_id.is_(None), ActivityExecutor.written), else_=None)
    by_body = (
        _answer("body", ActivityExecutor.body_id, written, ActivityExecutor.role, func.sum(per_activity.c.total),
                counts, func.sum(per_activity.c.due_so_far), func.min(per_activity.c.oldest),
                func.sum(per_activity.c.extensions))
        .join(ActivityExecutor, ActivityExecutor.activity_id == per_activity.c.activity_id)
        .group_by(ActivityExecutor.body_id, written, ActivityExecutor.role)
    )
    if executor_body_id is not None:
        by_body = by_body.where(ActivityExecutor.body_id == executor_body_id)
    rows = db.session.execute(union_all(by_plan, by_activity_progress, by_body)).mappings().all()

    plans = _plans_in_view(filters, executor_body_id, {row["key"] for row in rows if row["kind"] == "plan"})
    body_rows = []
    for row in rows:
        kind, key = row["kind"], row["key"]
        by_status = {s: int(row[s] or 0) for s in STATUSES}
        if kind == "body":
            body_rows.append((key, row["written"], row["part"], by_status, int(row["due_so_far"] or 0), row["oldest"],
                              int(row["extensions"] or 0)))
        elif kind == "plan" and key in plans:
            plans[key].obligations = by_status
            plans[key].due_so_far = int(row["due_so_far"] or 0)
            plans[key].extensions = int(row["extensions"] or 0)
        elif kind == "activities" and key in plans:
            plans[key].activities[row["part"]] += int(row["total"])
    _count_all_activities(plans, filters)
    return list(plans.values()), _body_figures(body_rows)


def _answer(kind: str, key, written, part, total, counts: list, due_so_far, oldest, extensions):
    """One of the figures' three answers: which kind of row (plan, activities, body), whose (a
    plan's or a body's id), the executor's name as written (unresolved ones), the part (the
    executor's role, or the activities' progress), the total, a count per status, the obligations
    due so far, the oldest overdue due date and the extensions approved. Every answer labels its
    columns alike, so the UNION ALL is read by name, never by position."""
    return select(literal(kind).label("kind"), key.label("key"), written.label("written"), part.label("part"),
                  total.label("total"), *[count.label(status) for count, status in zip(counts, STATUSES, strict=True)],
                  due_so_far.label("due_so_far"), oldest.label("oldest"), extensions.label("extensions"))


def due_so_far_sql(columns, as_of: date):
    """Due by `as_of` and on control: what an on-time rate is counted against (the date in force,
    so a body is measured against the dates it was allowed)."""
    return and_(columns.due_date <= as_of, columns.status.not_in([s.value for s in NOT_DUE]))


def _plans_in_view(filters: Filters, executor_body_id: int | None, counted: set[int]) -> dict[int, "PlanFigures"]:
    """Every plan in view, those with no due dates too; for one body's figures only the plans it has."""
    query = select(Plan.id, Plan.title, Plan.region).order_by(Plan.period_start.desc(), Plan.id)
    if filters.plan_id:
        query = query.where(Plan.id == filters.plan_id)
    elif filters.region:
        query = query.where(Plan.region == filters.region)
    elif executor_body_id is not None:
        query = query.where(Plan.id.in_(counted)) if counted else None
    return {p.id: PlanFigures(p.id, p.title, p.region) for p in db.session.execute(query)} if query is not None else {}


def _count_all_activities(plans: dict[int, "PlanFigures"], filters: Filters) -> None:
    if filters.status or filters.due_from or filters.due_to:
        for plan in plans.values():  # a filter on due dates: only activities with such due dates are in view
            plan.activities_total = sum(plan.activities.values())
        return
    if not plans:
        return
    every = select(Activity.plan_id, func.count(Activity.id)).group_by(Activity.plan_id)
    if filters.plan_id or filters.region or len(plans) <= 100:
        every = every.where(Activity.plan_id.in_(list(plans)))
    if filters.section_id:
        every = every.where(Activity.section_id == filters.section_id)
    if filters.body_id:
        every = every.where(Activity.id.in_(
            select(ActivityExecutor.activity_id).where(ActivityExecutor.body_id == filters.body_id)))
    for plan_id, count in db.session.execute(every).all():
        if plan_id in plans:
            plans[plan_id].activities_total = count


def plan_figures(as_of: date, due_soon_days: int, filters: Filters | None = None) -> list[PlanFigures]:
    return figures(as_of, due_soon_days, filters)[0]


def body_figures(as_of: date, due_soon_days: int, filters: Filters | None = None) -> list[BodyFigures]:
    return figures(as_of, due_soon_days, filters)[1]


def figures_of_body(body_id: int, as_of: date, due_soon_days: int) -> "BodyFigures | None":
    """One body's counts across plans (its page): only its activities are looked at (or, for today,
    its rollup rows)."""
    bodies = figures(as_of, due_soon_days, executor_body_id=body_id)[1]
    return next((f for f in bodies if f.body_id == body_id), None)


def _body_figures(rows) -> list[BodyFigures]:
    body_ids = {r[0] for r in rows if r[0] is not None}
    names = select(Body.id, Body.name, Body.name_ru, Body.abbreviation, Body.region)
    if len(body_ids) <= 1000:  # a long IN list costs more than reading the registry (and has limits)
        names = names.where(Body.id.in_(body_ids))
    bodies = {b.id: b for b in db.session.execute(names)} if body_ids else {}
    found: dict[object, BodyFigures] = {}  # by body id, or by ("written", name) for an unresolved executor
    russian = reads_russian()
    for body_id, written, role, by_status, due_so_far, oldest, extensions in rows:
        key = body_id if body_id is not None else ("written", written)
        item = found.get(key)
        if item is None:
            if body_id is not None:
                b = bodies[body_id]
                item = BodyFigures(body_id, body_name(b.name, b.name_ru, russian), b.abbreviation, b.region)
            else:
                item = BodyFigures(None, written, None, None)
            found[key] = item
        # One row per body (or written name) and role: the role's counts are that row's.
        if role == ExecutorRole.LEAD:
            item.as_lead = by_status
            item.lead_due_so_far = due_so_far
            item.lead_extensions = extensions
        else:
            item.as_co_executor = by_status
        if oldest is not None:
            oldest = oldest if isinstance(oldest, date) else date.fromisoformat(str(oldest))
            if item.oldest_overdue is None or oldest < item.oldest_overdue:
                item.oldest_overdue = oldest
    # The key last: two bodies of one name keep one order, whatever order the rows came in.
    return sorted(found.values(), key=lambda f: (-f.overdue, f.name, f.key))


def overdue_obligations(as_of: date, due_soon_days: int, filters: Filters, body_id: int | None = None,
                        written: str | None = None, limit: int = 500) -> list:
    """The overdue obligations of one executor (links on the overdue list), oldest first."""
    table = status_table(as_of, due_soon_days)
    query = (
        select(table.c.obligation_id, table.c.due_date, Activity.id, Activity.number, Activity.text, Plan.id,
               Plan.title, ActivityExecutor.role)
        .join(Activity, Activity.id == table.c.activity_id).join(Plan, Plan.id == Activity.plan_id)
        .join(ActivityExecutor, ActivityExecutor.activity_id == Activity.id)
        .where(table.c.status == Status.OVERDUE)
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


def body_quarters(body_id: int, as_of: date, due_soon_days: int) -> list[tuple[int, int, int, int, float | None]]:
    """Per quarter of due date, for the obligations the body leads and that were due by `as_of`:
    (year, quarter 1–4, due, done on time, on-time rate) — the trend of its executive discipline.
    Numbers, not a label: each language writes a quarter its own way (2019 ж. 1-тоқсан, 1 кв. 2019)."""
    table = status_table(as_of, due_soon_days)
    year = extract("year", table.c.due_date)
    month = extract("month", table.c.due_date)
    quarter = case((month <= 3, 1), (month <= 6, 2), (month <= 9, 3), else_=4)
    rows = db.session.execute(
        select(year, quarter, func.count(), func.sum(case((table.c.status == Status.DONE, 1), else_=0)))
        .join(ActivityExecutor, ActivityExecutor.activity_id == table.c.activity_id)
        .where(ActivityExecutor.body_id == body_id, ActivityExecutor.role == ExecutorRole.LEAD, table.c.due_date <= as_of)
        .group_by(year, quarter).order_by(year, quarter)).all()
    return [(int(y), int(q), int(n), int(done or 0), on_time_rate(int(done or 0), int(n)))
            for y, q, n, done in rows]


# --- the filter's choices: read as plain rows, since a country has thousands ------------------


def by_region(plans: list[PlanFigures]) -> list[PlanFigures]:
    """The plans' figures added up per region, in the regions' order: what the country-wide
    dashboard shows when it has more plans than a page can list (a coordinator reads a country by
    region, then opens one). The rows are PlanFigures with id 0 and the region as title."""
    regions: dict[str, PlanFigures] = {}
    for plan in plans:
        row = regions.setdefault(plan.region or "", PlanFigures(id=0, title=plan.region or "", region=plan.region))
        for status, count in plan.obligations.items():
            row.obligations[status] += count
        for state, count in plan.activities.items():
            row.activities[state] += count
        row.due_so_far += plan.due_so_far
        row.extensions += plan.extensions
        row.activities_total += plan.activities_total
    return [regions[key] for key in sorted(regions)]


def region_choices() -> list[str]:
    return list(db.session.scalars(select(Plan.region).where(Plan.region.is_not(None)).distinct()
                                   .order_by(Plan.region)))


#: more plans than this and no region chosen: the plan filter asks for a region first (a
#: thousand options are 180 KB of every dashboard page)
PLAN_CHOICES_LIMIT = 200


def plan_choices(filters: Filters) -> tuple[list, bool]:
    """The plans of the chosen region (or of the chosen plan's region); every plan when none is
    chosen — unless the country has more than PLAN_CHOICES_LIMIT, when a region is chosen first
    (the second value says the list was cut so)."""
    query = select(Plan.id, Plan.title, Plan.region, Plan.period_start, Plan.period_end).order_by(
        Plan.period_start.desc(), Plan.id)
    region = filters.region
    if not region and filters.plan_id:
        region = db.session.scalar(select(Plan.region).where(Plan.id == filters.plan_id))
    if region:
        return db.session.execute(query.where((Plan.region == region) | (Plan.id == filters.plan_id))).all(), False
    if db.session.scalar(select(func.count(Plan.id))) > PLAN_CHOICES_LIMIT:
        return [], True
    return db.session.execute(query).all(), False


def section_choices(filters: Filters) -> list:
    """The chosen plan's sections (a section belongs to one plan); with no plan chosen, only the
    section already in the filter, so the list does not run to every section of every plan."""
    query = select(Section.id, Section.number, Section.title).order_by(Section.plan_id, Section.position)
    if filters.plan_id:
        return db.session.execute(query.where(Section.plan_id == filters.plan_id)).all()
    if filters.section_id:
        return db.session.execute(query.where(Section.id == filters.section_id)).all()
    return []


#: more bodies than this and no region or plan chosen: the executor filter lists the national
#: bodies and asks for a region first (a select of a country's ten thousand bodies is unusable)
BODY_CHOICES_LIMIT = 500


def body_choices(filters: Filters) -> tuple[list[tuple[int, str]], bool]:
    """(id, label) of the executors to filter by — those of the chosen plan, else those of the
    chosen region and the national bodies, else every body — and whether the list was cut to the
    national bodies because the registry is a country's (then a region has to be chosen first).
    The body already chosen is always offered."""
    query = select(Body.id, Body.name, Body.name_ru, Body.abbreviation, Body.region).order_by(Body.region, Body.name)
    offered, cut = None, False
    if filters.plan_id:
        offered = Body.id.in_(select(ActivityExecutor.body_id).join(
            Activity, Activity.id == ActivityExecutor.activity_id).where(Activity.plan_id == filters.plan_id))
    elif filters.region:
        offered = Body.region.in_((filters.region, NATIONAL))
    elif db.session.scalar(select(func.count(Body.id))) > BODY_CHOICES_LIMIT:
        offered, cut = Body.region == NATIONAL, True
    if offered is not None:
        query = query.where(offered | (Body.id == filters.body_id) if filters.body_id else offered)
    russian = reads_russian()
    return [(b.id, f"{b.abbreviation or body_name(b.name, b.name_ru, russian)[:40]} · {b.region}")
            for b in db.session.execute(query)], cut
