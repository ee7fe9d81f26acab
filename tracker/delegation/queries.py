"""Reading the chain: an obligation's tree with each branch's status, the material that came up,
the sub-executors' figures of a body kept apart from its own, and what a body owes down the chain
(for My work).

The status of a sub-obligation is the rule of tracker.reports.status applied to its internal due
date and its latest sub-report — `obligation_status` for a page's tree, `status_sql` for the
figures, the same two forms the plan's obligations are counted with. A branch's status and a
group's are the most pressing of their members' (`activity_status`, the activity precedence).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from tracker.auth.models import User
from tracker.control.rules import in_force, in_force_sql
from tracker.core.clock import today
from tracker.delegation import operations
from tracker.delegation.models import Delegation, DelegationAbove, SubReport
from tracker.executors.models import Body, body_name, reads_russian
from tracker.extensions import db
from tracker.plans.models import Activity, ActivityExecutor, ExecutorRole, Obligation, Plan
from tracker.reports.status import (
    NOT_DUE,
    STATUSES,
    LeadReportState,
    ReportState,
    Status,
    activity_status,
    obligation_status,
    state_as_of,
    status_sql,
)


class DelegationRole(StrEnum):
    """The part a body plays on a sub-obligation in My work (beside ExecutorRole's lead and co-executor)."""

    SUB_EXECUTOR = "sub_executor"


def worst(statuses) -> str | None:
    """The most pressing of some statuses: a branch's, a group's (the activity precedence)."""
    return activity_status(list(statuses))


# --- the tree of one obligation --------------------------------------------------------------------


@dataclass
class Node:
    delegation: Delegation
    status: str
    reports: list[SubReport] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)
    may_review: bool = False
    may_report: bool = False
    #: the body it was handed to, named for the reader (worked out once for the whole tree: a
    #: region's widest tree names every school of it)
    label: str = ""

    @property
    def latest(self) -> SubReport | None:
        return self.reports[-1] if self.reports else None

    @property
    def accepted(self) -> SubReport | None:
        latest = self.latest
        return latest if latest is not None and latest.state == ReportState.ACCEPTED else None

    @property
    def branch_status(self) -> str:
        """Its own status and its sub-executors', the most pressing: what the branch shows."""
        return worst([self.status] + [child.branch_status for child in self.children]) or self.status

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class GroupNode:
    """A collective executor expanded on the activity: its members' parts of this due date."""

    group: Body
    members: list[Node]

    @property
    def status(self) -> str | None:
        return worst(member.branch_status for member in self.members)


@dataclass
class Tree:
    obligation: Obligation
    roots: list[Node]
    groups: list[GroupNode]
    by_id: dict[int, Node]

    def nodes(self):
        for root in self.roots + [m for g in self.groups for m in g.members]:
            yield from root.walk()

    @property
    def empty(self) -> bool:
        return not self.by_id


def _states(reports: list[SubReport], as_of: date | None) -> LeadReportState | None:
    state = None
    for report in reports:  # versions in order: the last one there by `as_of` stands
        if as_of is None:
            state = LeadReportState(report.state, report.reviewed_on)
        else:
            then = state_as_of(report.state, report.submitted_on, report.reviewed_on, as_of)
            state = then or state
    return state


def tree(obligation: Obligation, viewer=None, as_of: date | None = None, accounts_for: int | None = None) -> Tree:
    """Every sub-obligation of the obligation, at every level, with its reports and status — a
    fixed number of queries whatever the size of the tree: at most five, one when nothing was
    handed down.

    Only what the tree shows is loaded: the body of each sub-obligation (joined in) and its
    reports with their files (the accepted ones are quoted above). The body that handed each one
    down and the files handed down with it are loaded where one sub-obligation's page shows
    them, and so are the accounts that wrote and reviewed the reports — for the sub-obligation
    `accounts_for` alone (one statement): a region's widest tree has hundreds of reports, and
    the obligation's page names none of their authors."""
    delegations = list(db.session.scalars(
        select(Delegation).where(Delegation.obligation_id == obligation.id)
        .options(joinedload(Delegation.body), selectinload(Delegation.group_body))
        .order_by(Delegation.depth, Delegation.id)))
    if not delegations:
        return Tree(obligation, [], [], {})
    reports: dict[int, list[SubReport]] = {d.id: [] for d in delegations}
    for report in db.session.scalars(
            select(SubReport).where(SubReport.delegation_id.in_(list(reports)))
            .options(selectinload(SubReport.files))
            .order_by(SubReport.delegation_id, SubReport.version)):
        reports[report.delegation_id].append(report)
    if reports.get(accounts_for):
        wanted = {r.submitted_by_id for r in reports[accounts_for]} | {r.reviewed_by_id for r in reports[accounts_for]}
        # in the session, the reports' many-to-one `submitted_by` and `reviewed_by` need no statement of their own
        list(db.session.scalars(select(User).where(User.id.in_(wanted - {None}))))
    day = as_of or today()
    then = in_force([obligation], day)[obligation.id]
    soon = current_app.config["DUE_SOON_DAYS"]
    russian = reads_russian()
    by_id: dict[int, Node] = {}
    for d in delegations:
        shown = [r for r in reports[d.id] if as_of is None or r.submitted_on <= as_of]
        state = _states(shown, as_of)
        status = obligation_status(d.due_date, state, day, soon, then.on_control)
        body = d.body
        label = body_name(body.name, body.name_ru, russian) + (f" ({body.abbreviation})" if body.abbreviation else "")
        by_id[d.id] = Node(d, status, shown,
                           may_review=viewer is not None and operations.may_review(viewer, d),
                           may_report=viewer is not None and operations.may_report(viewer, d), label=label)
    roots, groups = [], {}
    for node in by_id.values():
        d = node.delegation
        if d.parent_id is not None and d.parent_id in by_id:
            by_id[d.parent_id].children.append(node)
        elif d.group_body_id is not None:
            groups.setdefault(d.group_body_id, GroupNode(d.group_body, [])).members.append(node)
        else:
            roots.append(node)
    return Tree(obligation, roots, list(groups.values()), by_id)


def material(nodes: list[Node]) -> list[Node]:
    """The accepted reports among these sub-obligations: what the body above writes its own from."""
    return [node for node in nodes if node.accepted is not None]


def quote(nodes: list[Node], russian: bool | None = None) -> str:
    """The accepted reports as the body above quotes them in its own: "Body: text", one per body."""
    russian = reads_russian() if russian is None else russian
    lines = []
    for node in material(nodes):
        body = node.delegation.body
        name = body_name(body.name, body.name_ru, russian)
        lines.append(f"{name}: {node.accepted.text}")
    return "\n\n".join(lines)


def chain_of(delegation: Delegation) -> list[Delegation]:
    """The sub-obligations above this one, from the top (its ancestors; a few rows)."""
    found = []
    current = delegation.parent
    while current is not None:
        found.append(current)
        current = current.parent
    return list(reversed(found))


# --- the figures -------------------------------------------------------------------------------------


def _created_by(as_of: date):
    """Sub-obligations handed down by the end of `as_of` (in Kazakhstan)."""
    zone = ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Almaty"))
    return Delegation.created_at < datetime.combine(as_of + timedelta(days=1), time(), tzinfo=zone)


def sub_status_table(as_of: date, due_soon_days: int):
    """A subquery: one row per sub-obligation handed down by `as_of`, with its status that day —
    `status_sql` over its internal due date and its latest sub-report submitted by then, on control
    when the obligation at the top of its chain is."""
    latest = aliased(SubReport)
    later = aliased(SubReport)
    no_later_version = ~exists().where(later.delegation_id == latest.delegation_id, later.version > latest.version,
                                       later.submitted_on <= as_of)
    then = in_force_sql(as_of)
    status = status_sql(due_date=Delegation.due_date, report_id=latest.id, report_state=latest.state,
                        reviewed_on=latest.reviewed_on, as_of=as_of, due_soon_days=due_soon_days,
                        on_control=then.on_control)
    return (
        select(Delegation.id.label("delegation_id"), Delegation.obligation_id, Delegation.body_id,
               Delegation.from_body_id, Delegation.group_body_id, Delegation.due_date, Activity.plan_id,
               Obligation.activity_id, status.label("status"), latest.reviewed_on.label("reviewed_on"),
               latest.id.label("sub_report_id"))
        .select_from(Delegation)
        .join(Obligation, Obligation.id == Delegation.obligation_id)
        .join(Activity, Activity.id == Obligation.activity_id)
        .outerjoin(latest, and_(latest.delegation_id == Delegation.id, latest.submitted_on <= as_of, no_later_version))
        .where(_created_by(as_of))
        .subquery("sub_obligation_status")
    )


@dataclass
class Counts:
    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    due_so_far: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def on_time_rate(self) -> float | None:
        """Accepted on time ÷ due so far, as the dashboard counts a body's own obligations."""
        return round(self.by_status[Status.DONE] / self.due_so_far, 4) if self.due_so_far else None

    @property
    def overdue(self) -> int:
        return self.by_status[Status.OVERDUE]


@dataclass
class DelegatedFigures:
    """A body's figures down the chain, kept apart from its own obligations' (whose on-time rate
    the dashboard counts, unchanged): what was handed down to it (`owed`), and the branch below it
    (`below`: everything handed down from it, at every depth)."""

    body_id: int
    owed: Counts = field(default_factory=Counts)
    below: Counts = field(default_factory=Counts)

    @property
    def any(self) -> bool:
        return bool(self.owed.total or self.below.total)


def _count_into(rows, figures: dict[int, DelegatedFigures], part: str) -> None:
    for body_id, status, count, due in rows:
        counts: Counts = getattr(figures.setdefault(body_id, DelegatedFigures(body_id)), part)
        counts.by_status[status] += count
        counts.due_so_far += due


def delegated_figures(body_ids, as_of: date, due_soon_days: int) -> dict[int, DelegatedFigures]:
    """For each body: its sub-obligations and its sub-executors' branch, by status, with the
    branch's on-time rate — two GROUP BY statements, whatever the number of bodies."""
    ids = sorted(set(body_ids))
    found = {i: DelegatedFigures(i) for i in ids}
    if not ids:
        return found
    table = sub_status_table(as_of, due_soon_days)
    due = func.sum(_due_so_far(table, as_of))
    _count_into(db.session.execute(
        select(table.c.body_id, table.c.status, func.count(), due).where(table.c.body_id.in_(ids))
        .group_by(table.c.body_id, table.c.status)), found, "owed")
    _count_into(db.session.execute(
        select(DelegationAbove.body_id, table.c.status, func.count(), due)
        .join(table, table.c.delegation_id == DelegationAbove.delegation_id)
        .where(DelegationAbove.body_id.in_(ids)).group_by(DelegationAbove.body_id, table.c.status)), found, "below")
    return found


def _due_so_far(table, as_of: date):
    return case((and_(table.c.due_date <= as_of, table.c.status.not_in([s.value for s in NOT_DUE])), 1), else_=0)


@dataclass
class BranchRow:
    """One sub-obligation below a body, for its page: who owes it, to whom, and how it stands."""

    delegation_id: int
    obligation_id: int
    due_date: date | None
    status: str
    body: str
    from_body: str
    number: str
    plan_id: int
    plan_title: str
    depth: int


def branch_rows(body_id: int, as_of: date, due_soon_days: int, limit: int = 200) -> list[BranchRow]:
    """The sub-obligations below a body (handed down by it, or further down from those), the most
    pressing first — "the school is late" on its district's page. One statement."""
    table = sub_status_table(as_of, due_soon_days)
    owner, giver = aliased(Body), aliased(Body)
    order = [(Status.OVERDUE, 0), (Status.RETURNED, 1), (Status.SUBMITTED, 2), (Status.DUE_SOON, 3)]
    rank = case(*[(table.c.status == s.value, n) for s, n in order], else_=9)
    rows = db.session.execute(
        select(table.c.delegation_id, table.c.obligation_id, table.c.due_date, table.c.status, owner.name,
               owner.name_ru, owner.abbreviation, giver.name, giver.name_ru, Activity.number, Plan.id, Plan.title,
               Delegation.depth)
        .join(DelegationAbove, DelegationAbove.delegation_id == table.c.delegation_id)
        .join(Delegation, Delegation.id == table.c.delegation_id)
        .join(owner, owner.id == table.c.body_id).join(giver, giver.id == table.c.from_body_id)
        .join(Activity, Activity.id == table.c.activity_id).join(Plan, Plan.id == Activity.plan_id)
        .where(DelegationAbove.body_id == body_id)
        .order_by(rank, table.c.due_date, table.c.delegation_id).limit(limit)).all()
    russian = reads_russian()
    return [BranchRow(r[0], r[1], r[2], r[3], body_name(r[4], r[5], russian) + (f" ({r[6]})" if r[6] else ""),
                      body_name(r[7], r[8], russian), r[9], r[10], r[11], r[12]) for r in rows]


def _parts_of(table, group_id: int):
    """The members' parts of a group in `sub_status_table`. Said as "the sub-obligations whose ids
    the group's index gives", not only as `group_body_id = ?`: most sub-obligations have no group,
    and SQLite's statistics (one average per index) then judge that index useless and read every
    sub-obligation of the country; a list of ids from it is read first, whatever the statistics."""
    return and_(table.c.group_body_id == group_id,
                table.c.delegation_id.in_(select(Delegation.id).where(Delegation.group_body_id == group_id)))


@dataclass
class MemberFigures:
    body: Body
    counts: Counts

    @property
    def status(self) -> str | None:
        return worst(s for s, n in self.counts.by_status.items() if n)


def group_figures(group: Body, as_of: date, due_soon_days: int) -> list[MemberFigures]:
    """Each member's parts of a collective executor, by status — the drill-down from the group to
    its members (one statement; the members in the registry's order)."""
    from tracker.delegation import registry

    members = registry.members(group)
    counts = {m.id: Counts() for m in members}
    table = sub_status_table(as_of, due_soon_days)
    for body_id, status, count, due in db.session.execute(
            select(table.c.body_id, table.c.status, func.count(), func.sum(_due_so_far(table, as_of)))
            .where(_parts_of(table, group.id)).group_by(table.c.body_id, table.c.status)):
        if body_id in counts:
            counts[body_id].by_status[status] += count
            counts[body_id].due_so_far += due
    return [MemberFigures(m, counts[m.id]) for m in members]


@dataclass
class MemberInPlan:
    """A member of a collective executor on one plan's charts: the plan's activities it has parts
    of, by the group's role on each, and those parts by status."""

    body: Body
    as_lead: int = 0
    as_co_executor: int = 0
    counts: Counts = field(default_factory=Counts)

    @property
    def status(self) -> str | None:
        return worst(s for s, n in self.counts.by_status.items() if n)


def group_members_in_plan(group: Body, plan_id: int, as_of: date, due_soon_days: int) -> list[MemberInPlan]:
    """The drill-down of a plan's charts from a collective executor to its members: each member
    the portal holds (the registry's order), the plan's activities it owes parts of — as lead where
    the group leads the activity, as co-executor where it co-executes — and its parts by status.
    Two statements whatever the number of members and activities (one of them the members')."""
    from tracker.delegation import registry

    found = {m.id: MemberInPlan(m) for m in registry.members(group)}
    table = sub_status_table(as_of, due_soon_days)
    # the group's role on the activity (the first time it is named there)
    role = (select(ActivityExecutor.role).where(ActivityExecutor.activity_id == table.c.activity_id,
                                                 ActivityExecutor.body_id == group.id)
            .order_by(ActivityExecutor.position).limit(1).scalar_subquery())
    seen: set[tuple[int, int]] = set()
    for body_id, activity_id, group_role, status, count, due in db.session.execute(
            select(table.c.body_id, table.c.activity_id, role, table.c.status, func.count(),
                   func.sum(_due_so_far(table, as_of)))
            .where(_parts_of(table, group.id), table.c.plan_id == plan_id)
            .group_by(table.c.body_id, table.c.activity_id, table.c.status)):
        member = found.get(body_id)
        if member is None:
            continue
        member.counts.by_status[status] += count
        member.counts.due_so_far += due or 0
        if (body_id, activity_id) not in seen:
            seen.add((body_id, activity_id))
            if group_role == ExecutorRole.LEAD:
                member.as_lead += 1
            else:
                member.as_co_executor += 1
    return list(found.values())


# --- My work ------------------------------------------------------------------------------------------


@dataclass
class DelegatedItem:
    """A sub-obligation on My work, in the shape of tracker.work.queries.Item (its first ten
    fields), with where to open it and who handed it down."""

    obligation_id: int
    due_date: date | None
    status: str
    role: str
    activity_id: int
    number: str
    text: str
    plan_id: int
    plan_title: str
    days: int | None = None
    delegation_id: int = 0
    from_body: str = ""

    @property
    def path(self) -> str:
        return f"/delegations/{self.delegation_id}"


#: what is not work any more
_DONE = (Status.DONE.value, Status.DONE_LATE.value, Status.OFF_CONTROL.value)


def delegated_work(body_id: int, as_of: date, due_soon_days: int, calendar, plan_id: int | None = None,
                   status: str | None = None) -> list[DelegatedItem]:
    """Every sub-obligation handed down to the body that is still work (not done, not off
    control), by internal due date: overdue ones with their days overdue, those due soon with the
    working days left. One statement."""
    table = sub_status_table(as_of, due_soon_days)
    giver = aliased(Body)
    query = (select(table.c.obligation_id, table.c.due_date, table.c.status, Activity.id, Activity.number,
                    Activity.text, Plan.id, Plan.title, table.c.delegation_id, giver.name, giver.name_ru,
                    giver.abbreviation)
             .join(Activity, Activity.id == table.c.activity_id).join(Plan, Plan.id == Activity.plan_id)
             .join(giver, giver.id == table.c.from_body_id)
             .where(table.c.body_id == body_id, table.c.status.not_in(_DONE))
             .order_by(table.c.due_date, Plan.id, Activity.position, table.c.delegation_id))
    if plan_id:
        query = query.where(Plan.id == plan_id)
    if status:
        query = query.where(table.c.status == status)
    russian = reads_russian()
    items = []
    for (obligation_id, due, item_status, activity_id, number, text, plan, title, delegation_id, name, name_ru,
         abbreviation) in db.session.execute(query):
        item = DelegatedItem(obligation_id, due, item_status, DelegationRole.SUB_EXECUTOR.value, activity_id, number,
                             text, plan, title, None, delegation_id,
                             body_name(name, name_ru, russian) + (f" ({abbreviation})" if abbreviation else ""))
        if item_status == Status.OVERDUE:
            item.days = (as_of - due).days
        elif item_status == Status.DUE_SOON:
            item.days = calendar.working_days_between(as_of, due)
        items.append(item)
    return items

