"""The dashboard's figures for today, kept counted as things change, so the page reads a few
thousand rollup rows instead of working out half a million statuses on every request.

What is kept, and the two invariants that make it exact:

- each obligation remembers how it is counted: `counted_status` (its status on the rollups' day,
  by the one status rule, tracker.reports.status), `counted_due` (due so far and on control) and
  `counted_extensions`; each activity its `counted_progress`;
- `rollup_plan` (plan, status, due so far) → how many, and their extensions; `rollup_plan_executor`
  the same per executor (a body, or an unresolved name as written) and role within the plan;
  `rollup_executor` the same over all plans; `rollup_plan_progress` activities per progress;
  `rollup_oldest` each executor's oldest overdue due date.

1. The rollups are the sum of what the obligations (and activities) remember, except for plans
   marked `figures_stale` (their activities, executors or due dates changed: every plan operation
   marks it), which are counted again before the next reading (`rebuild_plan`).
2. `rollup_executor` is the sum of `rollup_plan_executor` over plans: every change applies the same
   delta to both, and a plan counted again swaps its old rows for new ones in both.

So every write only has to count again the obligations it touched (`recount`, called before the
commit of a report, a review, an extension, a period off control, an event: in the same
transaction, so figures and change are stored together or not at all), and a new day only the
obligations whose status the date alone can change: those due from the last counted day to two
weeks after today (`bring_to_today`). The figures are exact at any moment — including the first
second after midnight, since the reading itself brings the rollups to today first — and the full
statement (tracker.reports.queries.status_table) stays for past days and as the reference
tests/test_rollups.py compares with after every kind of write.

All writes to the rollups take one lock first (an UPDATE of `rollup_state`'s row: a row lock on
PostgreSQL, the write lock on SQLite), so two transactions never count the same thing twice, and
deltas are applied in a fixed order of keys, so concurrent writers do not deadlock.
"""

from collections import Counter
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from tracker.control.models import ExtensionRequest, OffControl
from tracker.control.signals import control_changed, event_recorded, extension_decided
from tracker.core.clock import today
from tracker.extensions import db
from tracker.plans.models import Activity, ActivityExecutor, Obligation, Plan
from tracker.reports.models import CompletionReport
from tracker.reports.status import NOT_DUE, Status, activity_progress, progress_sql


class RollupState(db.Model):
    """One row: the day the rollups count for (None: never counted — everything is counted at the
    next reading) and the "due soon" window they counted with."""

    __tablename__ = "rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date | None] = mapped_column(Date)
    due_soon_days: Mapped[int | None] = mapped_column(Integer)


class RollupPlan(db.Model):
    __tablename__ = "rollup_plan"

    plan_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(12), primary_key=True)
    due: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    extensions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RollupPlanExecutor(db.Model):
    __tablename__ = "rollup_plan_executor"

    plan_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the body's id, or "written:<name>" for an executor no body was found for (BodyFigures.key)
    executor_key: Mapped[str] = mapped_column(String(520), primary_key=True)
    role: Mapped[str] = mapped_column(String(12), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), primary_key=True)
    due: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    extensions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RollupExecutor(db.Model):
    __tablename__ = "rollup_executor"

    executor_key: Mapped[str] = mapped_column(String(520), primary_key=True)
    role: Mapped[str] = mapped_column(String(12), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), primary_key=True)
    due: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    extensions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RollupPlanProgress(db.Model):
    __tablename__ = "rollup_plan_progress"

    plan_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    progress: Mapped[str] = mapped_column(String(12), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RollupOldest(db.Model):
    __tablename__ = "rollup_oldest"

    executor_key: Mapped[str] = mapped_column(String(520), primary_key=True)
    oldest: Mapped[date | None] = mapped_column(Date)


STATE_ID = 1


def executor_key(body_id: int | None, written: str) -> str:
    return str(body_id) if body_id is not None else "written:" + written


# --- applying deltas -------------------------------------------------------------------------------


def _upsert(model, keys: dict, values: dict) -> None:
    """Add `values` to the row of `keys`, creating it (one statement; concurrent adds are atomic)."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(model).values(**keys, **values)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_={name: getattr(model, name) + statement.excluded[name] for name in values})
    db.session.execute(statement)


class Delta:
    """Changes to the rollups, gathered and then applied in one fixed order of keys."""

    def __init__(self):
        self.plans: Counter = Counter()  # (plan, status, due) → n; extensions kept apart
        self.plan_extensions: Counter = Counter()
        self.executors: Counter = Counter()  # (plan, key, role, status, due) → n
        self.executor_extensions: Counter = Counter()
        self.progress: Counter = Counter()  # (plan, progress) → n
        self.touched_keys: set[str] = set()

    def obligation(self, plan_id: int, executors: list[tuple[str, str]], status: str, due: bool, extensions: int,
                   sign: int) -> None:
        self.plans[(plan_id, status, due)] += sign
        self.plan_extensions[(plan_id, status, due)] += sign * extensions
        for key, role in executors:
            self.executors[(plan_id, key, role, status, due)] += sign
            self.executor_extensions[(plan_id, key, role, status, due)] += sign * extensions
            if status == Status.OVERDUE:
                self.touched_keys.add(key)

    def apply(self) -> None:
        for key in sorted(set(self.plans) | set(self.plan_extensions)):
            n, extensions = self.plans[key], self.plan_extensions[key]
            if n or extensions:
                plan_id, status, due = key
                _upsert(RollupPlan, {"plan_id": plan_id, "status": status, "due": due},
                        {"n": n, "extensions": extensions})
        global_executors: Counter = Counter()
        global_extensions: Counter = Counter()
        for key in sorted(set(self.executors) | set(self.executor_extensions)):
            n, extensions = self.executors[key], self.executor_extensions[key]
            if n or extensions:
                plan_id, executor, role, status, due = key
                _upsert(RollupPlanExecutor, {"plan_id": plan_id, "executor_key": executor, "role": role,
                                             "status": status, "due": due}, {"n": n, "extensions": extensions})
                global_executors[(executor, role, status, due)] += n
                global_extensions[(executor, role, status, due)] += extensions
        for key in sorted(set(global_executors) | set(global_extensions)):
            n, extensions = global_executors[key], global_extensions[key]
            if n or extensions:
                executor, role, status, due = key
                _upsert(RollupExecutor, {"executor_key": executor, "role": role, "status": status, "due": due},
                        {"n": n, "extensions": extensions})
        for key in sorted(self.progress):
            if self.progress[key]:
                plan_id, progress = key
                _upsert(RollupPlanProgress, {"plan_id": plan_id, "progress": progress}, {"n": self.progress[key]})
        _recount_oldest(self.touched_keys)


def _recount_oldest(keys: set[str]) -> None:
    """Each executor's oldest overdue due date, from what its obligations remember (an index lookup each)."""
    for key in sorted(keys):
        if key.startswith("written:"):
            named = and_(ActivityExecutor.body_id.is_(None), ActivityExecutor.written == key[len("written:"):])
        else:
            named = ActivityExecutor.body_id == int(key)
        oldest = db.session.scalar(
            select(func.min(Obligation.due_date)).join(ActivityExecutor, ActivityExecutor.activity_id == Obligation.activity_id)
            .where(named, Obligation.counted_status == Status.OVERDUE.value))
        _upsert_oldest(key, oldest)


def _upsert_oldest(key: str, oldest: date | None) -> None:
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(RollupOldest).values(executor_key=key, oldest=oldest)
    db.session.execute(statement.on_conflict_do_update(index_elements=["executor_key"], set_={"oldest": oldest}))


# --- counting obligations again ---------------------------------------------------------------------


def _lock() -> RollupState:
    """The rollups' lock (see the module's docstring) and their state row, created on first use."""
    locked = db.session.execute(update(RollupState).where(RollupState.id == STATE_ID).values(id=STATE_ID)).rowcount
    if not locked:
        insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        db.session.execute(insert(RollupState).values(id=STATE_ID, day=None).on_conflict_do_nothing())
        db.session.execute(update(RollupState).where(RollupState.id == STATE_ID).values(id=STATE_ID))
    return db.session.get(RollupState, STATE_ID, populate_existing=True)


def _soon() -> int:
    return current_app.config["DUE_SOON_DAYS"]


def _statuses_now(day: date, where) -> list:
    """(obligation, activity, plan, status, due date in force, extensions) as of `day` for the
    obligations `where` selects (the full rule, restricted by an index)."""
    from tracker.reports.queries import status_table

    table = status_table(day, _soon())
    return db.session.execute(
        select(table.c.obligation_id, table.c.activity_id, table.c.plan_id, table.c.status, table.c.due_date,
               table.c.extensions).where(table.c.obligation_id.in_(where))).all()


def _executors_of(activity_ids: set[int]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list] = {i: [] for i in activity_ids}
    if activity_ids:
        for activity_id, body_id, written, role in db.session.execute(
                select(ActivityExecutor.activity_id, ActivityExecutor.body_id, ActivityExecutor.written,
                       ActivityExecutor.role).where(ActivityExecutor.activity_id.in_(activity_ids))):
            found[activity_id].append((executor_key(body_id, written), role))
    return found


def _is_due(status: str, due_date: date | None, day: date) -> bool:
    return status not in NOT_DUE and due_date is not None and due_date <= day


def _recount(rows: list, day: date, stale_plans: set[int]) -> None:
    """Count the given (obligation, …) rows as of `day`: the difference to what each obligation
    remembers goes into the rollups. Obligations of plans counted again anyway are left to that."""
    remembered = {o.id: o for o in db.session.scalars(
        select(Obligation).where(Obligation.id.in_([r[0] for r in rows])))} if rows else {}
    changed = [r for r in rows if r[2] not in stale_plans and (
        remembered[r[0]].counted_status, remembered[r[0]].counted_due, remembered[r[0]].counted_extensions)
        != (r[3], _is_due(r[3], r[4], day), int(r[5] or 0))]
    if not changed:
        return
    delta = Delta()
    executors = _executors_of({r[1] for r in changed})
    for obligation_id, activity_id, plan_id, status, due_date, extensions in changed:
        obligation = remembered[obligation_id]
        if obligation.counted_status is not None:
            delta.obligation(plan_id, executors[activity_id], obligation.counted_status, bool(obligation.counted_due),
                             obligation.counted_extensions or 0, -1)
        due = _is_due(status, due_date, day)
        delta.obligation(plan_id, executors[activity_id], status, due, int(extensions or 0), +1)
        obligation.counted_status, obligation.counted_due, obligation.counted_extensions = status, due, int(extensions or 0)
    db.session.flush()
    _recount_progress({r[1] for r in changed}, delta)
    delta.apply()


def _recount_progress(activity_ids: set[int], delta: Delta) -> None:
    statuses: dict[int, list[str]] = {i: [] for i in activity_ids}
    for activity_id, status in db.session.execute(
            select(Obligation.activity_id, Obligation.counted_status).where(Obligation.activity_id.in_(activity_ids))):
        if status is not None:
            statuses[activity_id].append(status)
    for activity in db.session.scalars(select(Activity).where(Activity.id.in_(activity_ids))):
        progress = activity_progress(statuses[activity.id])
        if progress != activity.counted_progress:
            if activity.counted_progress is not None:
                delta.progress[(activity.plan_id, activity.counted_progress)] -= 1
            if progress is not None:
                delta.progress[(activity.plan_id, progress)] += 1
            activity.counted_progress = progress


def recount(obligation_ids) -> None:
    """After a change to these obligations (a report, a review, an extension, an event): count
    them again, in the change's transaction. Rollups that were never counted are left to the
    next reading, which counts everything."""
    ids = [i for i in obligation_ids if i is not None]
    if not ids:
        return
    state = _lock()
    if state.day is None:
        return
    day = today()
    if state.day != day or state.due_soon_days != _soon():
        _bring_to(state, day)
    stale = set(db.session.scalars(select(Plan.id).where(Plan.figures_stale)))
    _recount(_statuses_now(day, ids), day, stale)


def recount_where(where) -> None:
    """`recount` for the obligations a selectable gives (an activity's, a plan's)."""
    recount(list(db.session.scalars(where)))


# --- a new day, plans counted again, everything ----------------------------------------------------


def _bring_to(state: RollupState, day: date) -> None:
    """From the rollups' day to `day`: only obligations due between (the earlier day minus one) and
    two weeks after the later one can change by the date alone (overdue, due soon, due so far); a
    changed "due soon" window means everything is counted again."""
    if state.due_soon_days != _soon() or state.day is None or day < state.day:
        # Back in time (a pinned day moved back, in demos and tests): reports and reviews made since
        # that day must leave the counts, which the date window alone does not find.
        _count_everything(state, day)
        return
    earlier = state.day
    first, last = earlier - timedelta(days=1), day + timedelta(days=_soon() + 1)
    state.day = day
    stale = set(db.session.scalars(select(Plan.id).where(Plan.figures_stale)))
    # By the date alone: due dates that crossed today, the due-soon window or "due so far".
    # And what is dated between the two days — normally nothing, since a change is counted when
    # it is made; but a day pinned back and forth (demos, tests) can leave reports, reviews,
    # decisions and periods off control dated after the day counted.
    moved = union(
        select(Obligation.id).where(Obligation.due_date.between(first, last)),
        select(CompletionReport.obligation_id).where(or_(CompletionReport.submitted_on.between(earlier, day),
                                                         CompletionReport.reviewed_on.between(earlier, day))),
        select(ExtensionRequest.obligation_id).where(ExtensionRequest.decided_on.between(earlier, day)),
        select(Obligation.id).where(Obligation.event_recorded_on.between(earlier, day)),
        select(Obligation.id).join(Activity).join(OffControl, OffControl.plan_id == Activity.plan_id).where(
            or_(OffControl.activity_id.is_(None), OffControl.activity_id == Activity.id),
            or_(OffControl.since.between(earlier, day), OffControl.until.between(earlier, day))),
    )
    _recount(_statuses_now(day, select(moved.subquery().c[0])), day, stale)


def executor_key_sql():
    return case((ActivityExecutor.body_id.is_(None), literal("written:") + ActivityExecutor.written),
                else_=cast(ActivityExecutor.body_id, String))


def _count_in_sql(day: date, plan_id: int | None) -> None:
    """Count every obligation (or one plan's) from scratch, in a few grouped statements: each
    obligation's status as of `day` by the full rule, then the rollups summed from those."""
    from tracker.reports.queries import status_table

    table = status_table(day, _soon())
    due = and_(table.c.status.not_in([s.value for s in NOT_DUE]), table.c.due_date <= day)
    source = select(table.c.obligation_id, table.c.status.label("status"),
                    case((due, True), else_=False).label("due"),
                    func.coalesce(table.c.extensions, 0).label("extensions"))
    if plan_id is not None:
        source = source.where(table.c.plan_id == plan_id)
    source = source.subquery("counted")
    db.session.execute(update(Obligation).where(Obligation.id == source.c.obligation_id).values(
        counted_status=source.c.status, counted_due=source.c.due, counted_extensions=source.c.extensions))

    in_scope = (lambda query: query.where(Activity.plan_id == plan_id)) if plan_id is not None else (lambda q: q)
    counted = Obligation.counted_status.is_not(None)
    db.session.execute(insert(RollupPlan).from_select(
        ["plan_id", "status", "due", "n", "extensions"],
        in_scope(select(Activity.plan_id, Obligation.counted_status, Obligation.counted_due, func.count(),
                        func.coalesce(func.sum(Obligation.counted_extensions), 0))
                 .join(Activity, Activity.id == Obligation.activity_id).where(counted)
                 .group_by(Activity.plan_id, Obligation.counted_status, Obligation.counted_due))))
    key = executor_key_sql()
    db.session.execute(insert(RollupPlanExecutor).from_select(
        ["plan_id", "executor_key", "role", "status", "due", "n", "extensions"],
        in_scope(select(Activity.plan_id, key, ActivityExecutor.role, Obligation.counted_status,
                        Obligation.counted_due, func.count(), func.coalesce(func.sum(Obligation.counted_extensions), 0))
                 .join(Activity, Activity.id == Obligation.activity_id)
                 .join(ActivityExecutor, ActivityExecutor.activity_id == Activity.id).where(counted)
                 .group_by(Activity.plan_id, key, ActivityExecutor.role, Obligation.counted_status,
                           Obligation.counted_due))))

    counts = [func.sum(case((Obligation.counted_status == s.value, 1), else_=0)) for s in
              (Status.OVERDUE, Status.DONE, Status.DONE_LATE, Status.OFF_CONTROL)]
    per_activity = select(Obligation.activity_id.label("activity_id"),
                          progress_sql(overdue=counts[0], done=counts[1], done_late=counts[2], off_control=counts[3],
                                       total=func.count()).label("progress")).where(counted)
    if plan_id is not None:
        per_activity = per_activity.join(Activity, Activity.id == Obligation.activity_id).where(
            Activity.plan_id == plan_id)
    per_activity = per_activity.group_by(Obligation.activity_id).subquery("progressed")
    db.session.execute(in_scope(update(Activity)).values(counted_progress=None))
    db.session.execute(update(Activity).where(Activity.id == per_activity.c.activity_id).values(
        counted_progress=per_activity.c.progress))
    db.session.execute(insert(RollupPlanProgress).from_select(
        ["plan_id", "progress", "n"],
        in_scope(select(Activity.plan_id, Activity.counted_progress, func.count())
                 .where(Activity.counted_progress.is_not(None)).group_by(Activity.plan_id, Activity.counted_progress))))


def rebuild_plan(plan_id: int, day: date) -> None:
    """Count one plan from scratch: its old rows leave the executors' totals, its new ones come in,
    and its obligations remember the new count."""
    old_rows = db.session.execute(
        select(RollupPlanExecutor.executor_key, RollupPlanExecutor.role, RollupPlanExecutor.status,
               RollupPlanExecutor.due, RollupPlanExecutor.n, RollupPlanExecutor.extensions)
        .where(RollupPlanExecutor.plan_id == plan_id)).all()
    for model in (RollupPlan, RollupPlanExecutor, RollupPlanProgress):
        db.session.execute(delete(model).where(model.plan_id == plan_id))
    _count_in_sql(day, plan_id)
    new_rows = db.session.execute(
        select(RollupPlanExecutor.executor_key, RollupPlanExecutor.role, RollupPlanExecutor.status,
               RollupPlanExecutor.due, RollupPlanExecutor.n, RollupPlanExecutor.extensions)
        .where(RollupPlanExecutor.plan_id == plan_id)).all()
    change: Counter = Counter()
    change_extensions: Counter = Counter()
    for sign, rows in ((-1, old_rows), (+1, new_rows)):
        for key, role, status, due, n, extensions in rows:
            change[(key, role, status, due)] += sign * n
            change_extensions[(key, role, status, due)] += sign * extensions
    for key in sorted(set(change) | set(change_extensions)):
        if change[key] or change_extensions[key]:
            executor, role, status, due = key
            _upsert(RollupExecutor, {"executor_key": executor, "role": role, "status": status, "due": due},
                    {"n": change[key], "extensions": change_extensions[key]})
    db.session.execute(update(Plan).where(Plan.id == plan_id).values(figures_stale=False))
    _recount_oldest({k for k, _r, status, *_rest in old_rows + new_rows if status == Status.OVERDUE})


def _count_everything(state: RollupState, day: date) -> None:
    """Everything from scratch (rollups never counted, or the "due soon" window changed)."""
    for model in (RollupPlan, RollupPlanExecutor, RollupExecutor, RollupPlanProgress, RollupOldest):
        db.session.execute(delete(model))
    db.session.execute(update(Obligation).values(counted_status=None, counted_due=None, counted_extensions=None))
    _count_in_sql(day, None)
    db.session.execute(insert(RollupExecutor).from_select(
        ["executor_key", "role", "status", "due", "n", "extensions"],
        select(RollupPlanExecutor.executor_key, RollupPlanExecutor.role, RollupPlanExecutor.status,
               RollupPlanExecutor.due, func.sum(RollupPlanExecutor.n), func.sum(RollupPlanExecutor.extensions))
        .group_by(RollupPlanExecutor.executor_key, RollupPlanExecutor.role, RollupPlanExecutor.status,
                  RollupPlanExecutor.due)))
    key = executor_key_sql()
    db.session.execute(insert(RollupOldest).from_select(
        ["executor_key", "oldest"],
        select(key, func.min(Obligation.due_date))
        .join(ActivityExecutor, ActivityExecutor.activity_id == Obligation.activity_id)
        .where(Obligation.counted_status == Status.OVERDUE.value).group_by(key)))
    db.session.execute(update(Plan).values(figures_stale=False))
    state.day, state.due_soon_days = day, _soon()
    db.session.flush()


def bring_to_today() -> bool:
    """Before the figures are read: a new day, plans that changed, or rollups never counted are
    counted now (under the lock; a second request waiting for it finds nothing left to do).
    Returns whether anything was counted; commits it."""
    day = today()
    state = db.session.get(RollupState, STATE_ID)
    stale = db.session.scalar(select(func.count()).select_from(Plan).where(Plan.figures_stale))
    if state is not None and state.day == day and state.due_soon_days == _soon() and not stale:
        return False
    state = _lock()
    if state.day != day or state.due_soon_days != _soon():
        _bring_to(state, day)
    for plan_id in db.session.scalars(select(Plan.id).where(Plan.figures_stale).order_by(Plan.id)).all():
        rebuild_plan(plan_id, day)
    db.session.commit()
    return True


def mark_everything_stale() -> None:
    """After a bulk load that bypassed the operations (the synthetic country, a restore): everything
    is counted at the next reading."""
    db.session.execute(delete(RollupState))
    db.session.execute(update(Plan).values(figures_stale=True))


# --- what other packages tell ----------------------------------------------------------------------


@extension_decided.connect
def _extension_decided(_sender, request) -> None:
    recount([request.obligation_id])


@event_recorded.connect
def _event_recorded(_sender, obligation) -> None:
    recount([obligation.id])


@control_changed.connect
def _control_changed(_sender, plan_id: int, activity_id: int | None) -> None:
    where = select(Obligation.id).join(Activity).where(
        Activity.id == activity_id if activity_id is not None else Activity.plan_id == plan_id)
    recount_where(where)


def zero_rows_gone() -> None:
    """Tidy: rows counting nothing (after obligations left the counts) are deleted; optional."""
    for model in (RollupPlan, RollupPlanExecutor, RollupExecutor):
        db.session.execute(delete(model).where(model.n == 0, model.extensions == 0))
    db.session.execute(delete(RollupPlanProgress).where(RollupPlanProgress.n == 0))


