"""What an implementation report holds: a plan's (or one body's) activities in the plan's order,
each due date of the period with its status as of a day, the accepted report's text and files,
and the summary's figures — gathered into dataclasses that the document writer lays out.

Everything is replayed as of the day asked about, exactly as the dashboard's as-of does: the
status of each due date comes from `tracker.reports.queries.status_table` (the SQL of the
status rule), a report counts only if it was submitted by then and its acceptance only if it
was made by then, and the summary's figures are the dashboard's own (`queries.figures`) with
the period as its "due from / due to" filter. So the same plan, period and day always give the
same report, and its figures are those `flask status --json` prints for that day.

One query per kind of thing — plans, sections, activities, executors, due dates with their
status, accepted reports, contributions, files, figures, the legend — never one per activity.
"""

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy import and_, select

from tracker.dashboard import queries
from tracker.delegation.models import Delegation, DelegationFile, SubReport
from tracker.executors.models import Body, body_name
from tracker.extensions import db
from tracker.indicators import operations as indicator_operations
from tracker.indicators.labels import period_label, unit_labels
from tracker.indicators.models import Indicator as StoredIndicator
from tracker.indicators.periods import year_of
from tracker.indicators.values import plain
from tracker.plans.models import Activity, ActivityExecutor, ExecutorRole, Obligation, Plan, Section
from tracker.reports.models import CompletionReport, Evidence, ReportKind
from tracker.reports.queries import status_table
from tracker.reports.status import STATUSES, ReportState, Status


class Scope(StrEnum):
    """Whose report: a whole plan's, or one body's across the plans that name it."""

    PLAN = "plan"
    BODY = "body"


@dataclass(frozen=True)
class Period:
    start: date
    end: date


@dataclass
class ExecutorLine:
    """One executor as the report's column names it: the full name, the abbreviation the
    registry knows it by, or the plan's wording where it was never resolved."""

    name: str
    abbreviation: str | None
    lead: bool
    by_agreement: bool
    resolved: bool


@dataclass
class Contribution:
    """A co-executor's part, posted to the lead (shown under the due date when asked for)."""

    body: str
    text: str
    submitted_on: date
    files: list[str] = field(default_factory=list)


@dataclass
class DueItem:
    """One due date of an activity in the period, as it stood on the as-of day."""

    obligation_id: int
    due_date: date  #: the date in force that day
    original_due_date: date | None  #: the plan's own date
    status: str  #: a Status
    extensions: int
    deliverable: str | None
    #: the lead's accepted (consolidated) report, when it was accepted by the as-of day
    report_text: str | None = None
    reviewed_on: date | None = None
    files: list[str] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    #: the texts of delegated branches (the delegation issue): none until delegation exists
    delegated: list[Contribution] = field(default_factory=list)


@dataclass
class ActivityRow:
    id: int
    plan_id: int
    section_id: int | None
    number: str
    text: str
    completion_form: str
    deadline_text: str
    funding_text: str
    executors: list[ExecutorLine] = field(default_factory=list)
    items: list[DueItem] = field(default_factory=list)


@dataclass
class SectionHead:
    id: int
    number: str
    title: str


@dataclass
class PlanBlock:
    id: int
    title: str
    region: str | None
    period: Period
    sections: dict[int, SectionHead] = field(default_factory=dict)
    activities: list[ActivityRow] = field(default_factory=list)


@dataclass
class RateLine:
    """An on-time rate: a body's (as lead), or in a body's report a plan's."""

    label: str
    name: str
    due_so_far: int
    on_time: int
    rate: float | None


@dataclass
class Summary:
    """The figures on top: the dashboard's, for the period's due dates as of the day."""

    counts: dict[str, int]
    due_so_far: int
    rate: float | None
    #: weakest first; those with nothing due so far are left out (they have no rate)
    rates: list[RateLine]
    #: in a body's report: its rate on the items it leads (the plan's rate covers all its items)
    lead_rate: RateLine | None = None

    @property
    def total(self) -> int:
        """Due dates in the period (those waiting for an event have no date, so are in no period)."""
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.counts[Status.DONE]


@dataclass
class Indicator:
    """A result the plan states with a number, against its target (the indicators issue)."""

    name: str
    target: str
    actual: str | None


@dataclass
class LegendEntry:
    abbreviation: str
    name: str


@dataclass
class ImplementationReport:
    scope: Scope
    subject_id: int
    title: str  #: the plan's title, or the body's name
    region: str | None
    period: Period
    as_of: date
    language: str
    prepared_by: str
    with_contributions: bool
    plans: list[PlanBlock]
    summary: Summary
    indicators: list[Indicator]
    legend: list[LegendEntry]

    @property
    def activities(self) -> list[ActivityRow]:
        return [a for plan in self.plans for a in plan.activities]


class ReportSubjectMissing(LookupError):
    """There is no such plan or body."""


# --- what the indicators and the delegation add ---------------------------------------------------


def indicators_of(plan_ids: list[int], period: Period, as_of: date) -> list[Indicator]:
    """The plans' confirmed indicators against their targets, as of the day: for each, its own
    scope's periods that fall in the report's years, "2024: 87; 2025: 83" for the targets and the
    actuals in force beside them (tracker.indicators.operations.figures_frame, the figures the
    indicator pages show for the same day)."""
    if not plan_ids:
        return []
    stored = indicator_operations.confirmed(lambda s: s.where(StoredIndicator.plan_id.in_(plan_ids)))
    if not stored:
        return []
    frame = indicator_operations.figures_frame(stored, as_of)
    own = frame[frame["reporting"].astype(bool)]
    units, by_id, found = unit_labels(), {i.id: i for i in stored}, []
    for indicator_id, group in own.groupby("indicator_id", sort=False):
        rows = [r for r in group.itertuples() if period.start.year <= year_of(r.period) <= period.end.year]
        if not rows:
            continue
        indicator = by_id[int(indicator_id)]

        def figure(value):
            value = indicator_operations._num(value)
            return None if value is None else plain(value)

        targets = [f"{period_label(r.period)}: {figure(r.target)}" for r in rows if figure(r.target) is not None]
        actuals = [f"{period_label(r.period)}: {figure(r.actual)}" for r in rows if figure(r.actual) is not None]
        unit = units.get(indicator.unit, indicator.unit)
        found.append(Indicator(f"{indicator.name} ({unit})" if unit else indicator.name,
                               "; ".join(targets) or "—", "; ".join(actuals) or None))
    return found


def delegated_of(obligation_ids: list[int], as_of: date, russian: bool = False) -> dict[int, list[Contribution]]:
    """The texts of the branches each obligation was handed down to (tracker.delegation): the
    latest sub-report of each direct sub-obligation accepted by the day, with its files."""
    if not obligation_ids:
        return {}
    rows = db.session.execute(
        select(Delegation.obligation_id, SubReport.id, SubReport.delegation_id, SubReport.text, SubReport.submitted_on,
               Body.name, Body.name_ru, Body.abbreviation)
        .join(SubReport, SubReport.delegation_id == Delegation.id)
        .join(Body, Body.id == Delegation.body_id)
        .where(Delegation.obligation_id.in_(obligation_ids), Delegation.parent_id.is_(None),
               SubReport.state == ReportState.ACCEPTED, SubReport.reviewed_on <= as_of)
        .order_by(Delegation.obligation_id, Delegation.id, SubReport.version.desc())).all()
    found: dict[int, list[Contribution]] = {}
    by_report: dict[int, Contribution] = {}
    seen: set[int] = set()
    for obligation_id, report_id, delegation_id, text, submitted_on, name, name_ru, abbreviation in rows:
        if delegation_id in seen:
            continue  # an older accepted version of the same branch
        seen.add(delegation_id)
        label = body_name(name, name_ru, russian) + (f" ({abbreviation})" if abbreviation else "")
        by_report[report_id] = Contribution(label, text, _day(submitted_on))
        found.setdefault(obligation_id, []).append(by_report[report_id])
    if by_report:
        for report_id, file_name in db.session.execute(
                select(DelegationFile.report_id, DelegationFile.original_name)
                .where(DelegationFile.report_id.in_(by_report)).order_by(DelegationFile.report_id, DelegationFile.id)):
            by_report[report_id].files.append(file_name)
    return found


# --- gathering ---------------------------------------------------------------------------------


def gather(scope: Scope, subject_id: int, period: Period, as_of: date, *, language: str, prepared_by: str,
           due_soon_days: int, with_contributions: bool = False) -> ImplementationReport:
    """The report of plan or body `subject_id` for the due dates of `period`, as of `as_of`.
    Body names are in `language` (Russian where the registry has them); imported text as written."""
    russian = language == "ru"
    if scope == Scope.PLAN:
        plan = db.session.get(Plan, subject_id)
        if plan is None:
            raise ReportSubjectMissing(subject_id)
        chosen = select(Activity.id).where(Activity.plan_id == subject_id)
        filters = queries.Filters(plan_id=subject_id, due_from=period.start, due_to=period.end)
        title, region = plan.title, plan.region
    else:
        body = db.session.get(Body, subject_id)
        if body is None:
            raise ReportSubjectMissing(subject_id)
        chosen = select(ActivityExecutor.activity_id).where(ActivityExecutor.body_id == subject_id)
        filters = queries.Filters(body_id=subject_id, due_from=period.start, due_to=period.end)
        title, region = body_name(body.name, body.name_ru, russian), body.region

    activities = _activities(chosen)
    plans = _plans({a.plan_id for a in activities})
    for row in activities:
        plans[row.plan_id].activities.append(row)
    by_id = {a.id: a for a in activities}
    _executors(chosen, by_id, russian)
    items = _due_items(chosen, period, as_of, due_soon_days, by_id)
    _accepted_reports(chosen, as_of, items)
    if with_contributions:
        _contributions(chosen, as_of, items, russian)
    for obligation_id, delegated in delegated_of(list(items), as_of, russian).items():
        items[obligation_id].delegated = delegated

    summary = _summary(scope, subject_id, filters, as_of, due_soon_days, russian)
    ordered = sorted(plans.values(), key=lambda p: (p.period.start, p.id)) if scope == Scope.BODY else list(plans.values())
    return ImplementationReport(
        scope=scope, subject_id=subject_id, title=title, region=region, period=period, as_of=as_of, language=language,
        prepared_by=prepared_by, with_contributions=with_contributions, plans=ordered, summary=summary,
        indicators=indicators_of(list(plans), period, as_of), legend=_legend(chosen, russian))


def default_period(scope: Scope, subject_id: int) -> Period | None:
    """The whole plan, or for a body the span of the plans that name it (None: nothing to span)."""
    if scope == Scope.PLAN:
        plan = db.session.get(Plan, subject_id)
        return Period(plan.period_start, plan.period_end) if plan else None
    from sqlalchemy import func

    start, end = db.session.execute(
        select(func.min(Plan.period_start), func.max(Plan.period_end))
        .where(Plan.id.in_(select(Activity.plan_id).where(Activity.id.in_(
            select(ActivityExecutor.activity_id).where(ActivityExecutor.body_id == subject_id)))))).one()
    return Period(start, end) if start and end else None


def _activities(chosen) -> list[ActivityRow]:
    rows = db.session.execute(
        select(Activity.id, Activity.plan_id, Activity.section_id, Activity.number, Activity.text,
               Activity.completion_form, Activity.deadline_text, Activity.funding_text)
        .where(Activity.id.in_(chosen)).order_by(Activity.plan_id, Activity.position, Activity.id))
    return [ActivityRow(*row) for row in rows]


def _plans(plan_ids: set[int]) -> dict[int, PlanBlock]:
    if not plan_ids:
        return {}
    plans = {p.id: PlanBlock(p.id, p.title, p.region, Period(p.period_start, p.period_end)) for p in db.session.execute(
        select(Plan.id, Plan.title, Plan.region, Plan.period_start, Plan.period_end)
        .where(Plan.id.in_(plan_ids)).order_by(Plan.id))}
    for section in db.session.execute(select(Section.id, Section.plan_id, Section.number, Section.title)
                                      .where(Section.plan_id.in_(plan_ids)).order_by(Section.plan_id, Section.position)):
        plans[section.plan_id].sections[section.id] = SectionHead(section.id, section.number, section.title)
    return plans


def _executors(chosen, by_id: dict[int, ActivityRow], russian: bool) -> None:
    for activity_id, role, written, by_agreement, body_id, name, name_ru, abbreviation in db.session.execute(
            select(ActivityExecutor.activity_id, ActivityExecutor.role, ActivityExecutor.written,
                   ActivityExecutor.by_agreement, Body.id, Body.name, Body.name_ru, Body.abbreviation)
            .outerjoin(Body, Body.id == ActivityExecutor.body_id)
            .where(ActivityExecutor.activity_id.in_(chosen))
            .order_by(ActivityExecutor.activity_id, ActivityExecutor.position)):
        by_id[activity_id].executors.append(ExecutorLine(
            name=body_name(name, name_ru, russian) if body_id else written, abbreviation=abbreviation if body_id else None,
            lead=role == ExecutorRole.LEAD, by_agreement=by_agreement, resolved=body_id is not None))


def _due_items(chosen, period: Period, as_of: date, due_soon_days: int,
               by_id: dict[int, ActivityRow]) -> dict[int, DueItem]:
    """Every due date of the chosen activities whose date in force on `as_of` lies in the period,
    with its status that day — the rows the dashboard counts under the same filters."""
    table = status_table(as_of, due_soon_days)
    query = (
        select(table.c.obligation_id, table.c.activity_id, table.c.due_date, table.c.original_due_date,
               table.c.status, table.c.extensions, Obligation.deliverable)
        .join(Obligation, Obligation.id == table.c.obligation_id)
        .where(table.c.activity_id.in_(chosen), table.c.due_date >= period.start, table.c.due_date <= period.end)
        .order_by(table.c.activity_id, table.c.due_date, table.c.obligation_id))
    items: dict[int, DueItem] = {}
    for obligation_id, activity_id, due, original, status, extensions, deliverable in db.session.execute(query):
        item = DueItem(obligation_id, _day(due), _day(original), status, int(extensions or 0), deliverable)
        items[obligation_id] = item
        by_id[activity_id].items.append(item)
    return items


def _day(value) -> date | None:
    """A date column of a CASE expression comes back from SQLite as text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _accepted_reports(chosen, as_of: date, items: dict[int, DueItem]) -> None:
    """The lead's accepted report of every due date that was done by `as_of`, and its files. An
    accepted report is the last version (nothing is posted after an acceptance), so there is one."""
    done = {i for i, item in items.items() if item.status in (Status.DONE, Status.DONE_LATE)}
    if not done:
        return
    accepted = (select(CompletionReport.id, CompletionReport.obligation_id, CompletionReport.text,
                       CompletionReport.reviewed_on)
                .join(Obligation, Obligation.id == CompletionReport.obligation_id)
                .where(Obligation.activity_id.in_(chosen), CompletionReport.kind == ReportKind.LEAD,
                       CompletionReport.state == ReportState.ACCEPTED, CompletionReport.submitted_on <= as_of,
                       CompletionReport.reviewed_on <= as_of))
    report_of: dict[int, int] = {}
    for report_id, obligation_id, text, reviewed_on in db.session.execute(accepted):
        if obligation_id in done:
            items[obligation_id].report_text, items[obligation_id].reviewed_on = text, _day(reviewed_on)
            report_of[report_id] = obligation_id
    if report_of:
        for report_id, name in db.session.execute(
                select(Evidence.report_id, Evidence.original_name)
                .where(Evidence.report_id.in_(accepted.with_only_columns(CompletionReport.id)))
                .order_by(Evidence.report_id, Evidence.id)):
            if report_id in report_of:
                items[report_of[report_id]].files.append(name)


def _contributions(chosen, as_of: date, items: dict[int, DueItem], russian: bool) -> None:
    """Co-executors' contributions posted by `as_of`, oldest first, with their files."""
    query = (select(CompletionReport.id, CompletionReport.obligation_id, CompletionReport.text,
                    CompletionReport.submitted_on, Body.name, Body.name_ru, Body.abbreviation)
             .join(Obligation, Obligation.id == CompletionReport.obligation_id)
             .join(Body, Body.id == CompletionReport.body_id)
             .where(Obligation.activity_id.in_(chosen), CompletionReport.kind == ReportKind.CONTRIBUTION,
                    CompletionReport.submitted_on <= as_of)
             .order_by(CompletionReport.obligation_id, CompletionReport.submitted_at, CompletionReport.id))
    found: dict[int, Contribution] = {}
    for report_id, obligation_id, text, submitted_on, name, name_ru, abbreviation in db.session.execute(query):
        if obligation_id not in items:
            continue
        label = body_name(name, name_ru, russian) + (f" ({abbreviation})" if abbreviation else "")
        found[report_id] = Contribution(label, text, _day(submitted_on))
        items[obligation_id].contributions.append(found[report_id])
    if found:
        for report_id, file_name in db.session.execute(
                select(Evidence.report_id, Evidence.original_name)
                .where(Evidence.report_id.in_(query.with_only_columns(CompletionReport.id).order_by(None)))
                .order_by(Evidence.report_id, Evidence.id)):
            if report_id in found:
                found[report_id].files.append(file_name)


def _summary(scope: Scope, subject_id: int, filters: queries.Filters, as_of: date, due_soon_days: int,
             russian: bool) -> Summary:
    """The dashboard's figures for the period: one statement (`queries.figures`)."""
    plans, bodies = queries.figures(as_of, due_soon_days, filters,
                                    executor_body_id=subject_id if scope == Scope.BODY else None)
    counts = dict.fromkeys(STATUSES, 0)
    due_so_far = 0
    for plan in plans:
        for status, n in plan.obligations.items():
            counts[status] += n
        due_so_far += plan.due_so_far
    if scope == Scope.PLAN:
        rates = [RateLine(b.label, b.name, b.lead_due_so_far, b.as_lead[Status.DONE], b.on_time_rate)
                 for b in bodies if b.lead_due_so_far]
        lead = None
    else:
        rates = [RateLine(_short(p.title), p.title, p.due_so_far, p.obligations[Status.DONE], p.on_time_rate)
                 for p in plans if p.due_so_far]
        mine = next((b for b in bodies if b.body_id == subject_id), None)
        lead = RateLine(mine.label, mine.name, mine.lead_due_so_far, mine.as_lead[Status.DONE],
                        mine.on_time_rate) if mine and mine.lead_due_so_far else None
    rates.sort(key=lambda r: (r.rate, -r.due_so_far, r.label))  # weakest first; of equals, the one with more due
    return Summary(counts, due_so_far, queries.on_time_rate(counts[Status.DONE], due_so_far), rates, lead)


def _short(title: str, limit: int = 90) -> str:
    return title if len(title) <= limit else title[:limit].rsplit(" ", 1)[0] + " …"


def _legend(chosen, russian: bool) -> list[LegendEntry]:
    """The legend of abbreviations, rebuilt from the bodies the activities name. The plan's own
    legend is read at import to resolve executors but not stored as such (its entries became the
    bodies' names and aliases), so each body named with an abbreviation gives one line, in the
    order the plan first names it — the order the abbreviations meet the reader."""
    seen: dict[tuple[str, str], None] = {}
    for abbreviation, name, name_ru in db.session.execute(
            select(Body.abbreviation, Body.name, Body.name_ru)
            .join(ActivityExecutor, ActivityExecutor.body_id == Body.id)
            .join(Activity, and_(Activity.id == ActivityExecutor.activity_id, Activity.id.in_(chosen)))
            .where(Body.abbreviation.is_not(None), Body.abbreviation != "")
            .order_by(Activity.plan_id, Activity.position, ActivityExecutor.position)):
        seen.setdefault((abbreviation, body_name(name, name_ru, russian)), None)
    return [LegendEntry(a, n) for a, n in seen]
