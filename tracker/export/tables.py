"""The tables of the auditors' workbook, each a list of columns and a stream of rows.

The same table feeds the Excel sheet and its CSV download. Rows are read from the database in
batches (`BATCH`), and a sheet is written row by row, so an export of the whole country never
holds the whole database in memory. Every figure comes from tracker.dashboard.queries — the
numbers the dashboard and `flask status --json` show.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from tracker.auth.models import User
from tracker.dashboard import queries
from tracker.executors.models import Body, body_name
from tracker.export.layout import width_for
from tracker.extensions import db
from tracker.indicators import export as indicators_export
from tracker.plans.models import Activity, ActivityExecutor, ExecutorRole, Obligation, Plan, Section
from tracker.reporting import changes as changes_module
from tracker.reports.labels import report_state_labels, status_labels
from tracker.reports.models import CompletionReport, Evidence, ReportKind
from tracker.reports.status import STATUSES, Progress, ReportState, Status, activity_status

BATCH = 1000


@dataclass(frozen=True)
class Column:
    key: str
    header: str  #: the whole header, as the CSV has it
    width: float = 14
    #: text | wrap | int | date | money | percent | link
    kind: str = "text"
    #: columns of one group ("as lead") share a header cell above their own: the header is
    #: "<group>: <label>", and the sheet shows the label under the group
    group: str = ""

    @property
    def label(self) -> str:
        return self.header.removeprefix(self.group + ": ") if self.group else self.header


@dataclass
class Table:
    key: str  #: the sheet's name in URLs and the CLI: summary, by_body, overdue, activities, obligations, evidence, indicators
    title: str  #: the sheet's name in Excel (≤ 31 characters)
    columns: list[Column]
    rows: Iterator[list]
    #: line charts drawn beside the rows once they are written (the indicators sheet's)
    charts: list = field(default_factory=list)


def _batches(iterable, size: int = BATCH):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _executors_of(activity_ids: list[int]) -> dict[int, list[tuple[str, str, bool]]]:
    """activity id → [(role, "Full name (ABBR)", by agreement)] in the plan's order, for one batch."""
    found: dict[int, list] = {i: [] for i in activity_ids}
    rows = db.session.execute(
        select(ActivityExecutor.activity_id, ActivityExecutor.role, ActivityExecutor.written,
               ActivityExecutor.by_agreement, Body.name, Body.name_ru, Body.abbreviation)
        .outerjoin(Body, Body.id == ActivityExecutor.body_id)
        .where(ActivityExecutor.activity_id.in_(activity_ids))
        .order_by(ActivityExecutor.activity_id, ActivityExecutor.position))
    for activity_id, role, written, by_agreement, name, name_ru, abbreviation in rows:
        name = body_name(name, name_ru) if name else None
        label = (f"{name} ({abbreviation})" if abbreviation else name) if name else f"{written} [?]"
        found[activity_id].append((role, label, by_agreement))
    return found


def _lead(executors) -> str:
    return next((label for role, label, _a in executors if role == ExecutorRole.LEAD), "")


def _co(executors) -> str:
    return "; ".join(label + (f" ({_('by agreement')})" if agreement else "")
                     for role, label, agreement in executors if role != ExecutorRole.LEAD)


# --- the tables -----------------------------------------------------------------------------


def summary(as_of: date, filters: queries.Filters, plans: list[queries.PlanFigures] | None = None) -> Table:
    labels = status_labels()
    progress = {Progress.DONE: _("Activities done"), Progress.IN_PROGRESS: _("in progress"),
                Progress.OVERDUE: _("overdue") + " (" + _("Activities") + ")"}
    columns = [Column("plan", _("Plan"), 60, "wrap"), Column("region", _("Region"), 22, "wrap"),
               Column("activities", _("Activities"), 11, "int")]
    # one column per way an activity is counted (Progress); one the dashboard adds later is named
    # by the status of the same name ("off control")
    columns += [Column("activities_" + p, progress.get(p) or f"{labels.get(p, p)} ({_('Activities')})", 11, "int")
                for p in Progress]
    columns += [Column(s, labels[s], 11, "int") for s in STATUSES]
    columns += [Column("total", _("Due dates"), 11, "int"), Column("on_time_rate", _("On-time rate"), 11, "percent")]
    if plans is None:
        plans = queries.plan_figures(as_of, current_app.config["DUE_SOON_DAYS"], filters)
    rows = ([p.title, p.region or "", p.activities_total, *[p.activities[progress] for progress in Progress],
             *[p.obligations[s] for s in STATUSES], p.total, p.on_time_rate] for p in plans)
    return Table("summary", _("Summary"), columns, rows)


def by_body(as_of: date, filters: queries.Filters, bodies: list[queries.BodyFigures] | None = None) -> Table:
    labels = status_labels()
    columns = [Column("name", _("Executor"), 50, "wrap"), Column("abbreviation", _("Abbreviation"), 14, "wrap"),
               Column("region", _("Region"), 22, "wrap")]
    lead, co = _("as lead"), _("as co-executor")
    columns += [Column("lead_" + s, lead + ": " + labels[s], 11, "int", group=lead) for s in STATUSES]
    columns += [Column("co_" + s, co + ": " + labels[s], 11, "int", group=co) for s in STATUSES]
    columns += [Column("overdue", _("Overdue, total"), 11, "int"),
                Column("on_time_rate", _("On-time rate"), 11, "percent"),
                Column("oldest_overdue", _("Oldest overdue due date"), 13, "date")]
    if bodies is None:
        bodies = queries.body_figures(as_of, current_app.config["DUE_SOON_DAYS"], filters)
    rows = ([b.name + ("" if b.resolved else " [?]"), b.abbreviation or "", b.region or "",
             *[b.as_lead[s] for s in STATUSES], *[b.as_co_executor[s] for s in STATUSES], b.overdue,
             b.on_time_rate, b.oldest_overdue] for b in bodies)
    return Table("by_body", _("By body"), columns, rows)


def _obligation_rows(as_of: date, filters: queries.Filters, only_status: str | None = None):
    table = queries.status_table(as_of, current_app.config["DUE_SOON_DAYS"])
    query = (
        select(table.c.obligation_id, table.c.due_date, table.c.status, table.c.submitted_on, table.c.reviewed_on,
               User.email, Activity.id, Activity.number, Activity.text, Plan.title)
        .join(Activity, Activity.id == table.c.activity_id).join(Plan, Plan.id == Activity.plan_id)
        .outerjoin(User, User.id == table.c.reviewed_by_id)
        .order_by(Plan.id, Activity.position, table.c.due_date)
    )
    if only_status:
        query = query.where(table.c.status == only_status)
    return db.session.execute(queries.filtered(query, table, filters).execution_options(yield_per=BATCH))


def overdue(as_of: date, filters: queries.Filters) -> Table:
    columns = [Column("plan", _("Plan"), 40, "wrap"), Column("number", "№", 7), Column("activity", _("Activity"), 60, "wrap"),
               Column("lead", _("Lead executor"), 40, "wrap"), Column("co_executors", _("Co-executors"), 50, "wrap"),
               Column("due_date", _("Due date"), 13, "date"), Column("days_overdue", _("Days overdue"), 10, "int")]

    def rows():
        for batch in _batches(_obligation_rows(as_of, filters, Status.OVERDUE)):
            executors = _executors_of(list({r[6] for r in batch}))
            for _id, due, _status, _sub, _rev, _who, activity_id, number, text, plan in batch:
                yield [plan, number, text, _lead(executors[activity_id]), _co(executors[activity_id]), due,
                       (as_of - due).days]

    return Table("overdue", _("Overdue"), columns, rows())


def obligations(as_of: date, filters: queries.Filters) -> Table:
    labels = status_labels()
    columns = [Column("plan", _("Plan"), 40, "wrap"), Column("number", "№", 7), Column("activity", _("Activity"), 50, "wrap"),
               Column("lead", _("Lead executor"), 36, "wrap"), Column("due_date", _("Due date"), 13, "date"),
               Column("status", _("Status"), width_for(labels.values(), 16)),
               Column("submitted_on", _("Report submitted"), 13, "date"),
               Column("reviewed_on", _("Reviewed"), 13, "date"), Column("reviewer", _("Reviewer"), 28),
               Column("days_overdue", _("Days overdue"), 10, "int"),
               Column("reminders", _("Reminders sent"), 10, "int")]
    from tracker.mail.records import reminder_counts

    def rows():
        for batch in _batches(_obligation_rows(as_of, filters)):
            executors = _executors_of(list({r[6] for r in batch}))
            reminded = reminder_counts([r[0] for r in batch], up_to=as_of)  # e-mails that named each, by the as-of day
            for _id, due, status, submitted_on, reviewed_on, reviewer, activity_id, number, text, plan in batch:
                reviewed = reviewed_on if reviewed_on and reviewed_on <= as_of else None
                yield [plan, number, text, _lead(executors[activity_id]), due, labels[status], submitted_on, reviewed,
                       reviewer if reviewed else "", (as_of - due).days if status == Status.OVERDUE else None,
                       reminded.get(_id, 0)]

    return Table("obligations", _("Obligations"), columns, rows())


def activities(as_of: date, filters: queries.Filters) -> Table:
    labels = status_labels()
    funding_kinds = {"allocated": _("within allocated funds"), "none": _("not required"),
                     "republican_budget": _("republican budget"), "local_budget": _("local budget"),
                     "amount": _("amount"), "unspecified": _("unspecified")}
    columns = [Column("plan", _("Plan"), 40, "wrap"), Column("section", _("Section"), 30, "wrap"),
               Column("number", "№", 7), Column("activity", _("Activity"), 60, "wrap"),
               Column("completion_form", _("Completion form"), 30, "wrap"),
               Column("lead", _("Lead executor"), 36, "wrap"), Column("co_executors", _("Co-executors"), 50, "wrap"),
               Column("deadline", _("Deadline"), 24, "wrap"), Column("due_dates", _("Due dates"), 9, "int"),
               Column("funding", _("Funding"), 24, "wrap"),
               Column("funding_kind", _("Funding kind"), width_for(funding_kinds.values(), 18)),
               Column("amount", _("Amount, tenge"), 16, "money"), Column("status", _("Status"), width_for(labels.values(), 16)),
               Column("last_report", _("Last report"), 13, "date"), Column("reviewer", _("Reviewer"), 28)]
    table = queries.status_table(as_of, current_app.config["DUE_SOON_DAYS"])
    per_activity = queries.filtered(
        select(table.c.activity_id, *[func.sum(case((table.c.status == s, 1), else_=0)) for s in STATUSES],
               func.max(table.c.submitted_on))
        .group_by(table.c.activity_id), table, filters).subquery()
    # An activity without due dates is listed too, unless the filters ask about due dates.
    about_due_dates = filters.status or filters.due_from or filters.due_to
    query = (
        select(Activity, Plan.title, Section.number, Section.title, per_activity)
        .join(per_activity, per_activity.c.activity_id == Activity.id, isouter=not about_due_dates)
        .join(Plan, Plan.id == Activity.plan_id).outerjoin(Section, Section.id == Activity.section_id)
        .order_by(Plan.id, Activity.position)
        .execution_options(yield_per=BATCH)
    )
    if filters.region:
        query = query.where(Plan.region == filters.region)
    if filters.plan_id:
        query = query.where(Activity.plan_id == filters.plan_id)
    if filters.section_id:
        query = query.where(Activity.section_id == filters.section_id)
    if filters.body_id:
        query = query.where(Activity.id.in_(
            select(ActivityExecutor.activity_id).where(ActivityExecutor.body_id == filters.body_id)))

    def rows():
        for batch in _batches(db.session.execute(query)):
            ids = [r[0].id for r in batch]
            executors = _executors_of(ids)
            reviewers = _last_reviewers(ids, as_of)
            for activity, plan, section_number, section_title, _aid, *counts_and_last in batch:
                counts, last = counts_and_last[:-1], counts_and_last[-1]
                status = activity_status([s for s, n in zip(STATUSES, counts, strict=True) if n]) if counts[0] is not None else None
                yield [plan, f"{section_number}. {section_title}" if section_number else "", activity.number,
                       activity.text, activity.completion_form, _lead(executors[activity.id]),
                       _co(executors[activity.id]), activity.deadline_text, sum(int(n or 0) for n in counts),
                       activity.funding_text, funding_kinds.get(activity.funding_kind, activity.funding_kind),
                       activity.funding_amount_kzt, labels[status] if status else "", last,
                       reviewers.get(activity.id, "")]

    return Table("activities", _("Activities"), columns, rows())


def _last_reviewers(activity_ids: list[int], as_of: date) -> dict[int, str]:
    """Who reviewed the latest reviewed lead report of each activity (by the as-of day)."""
    from tracker.plans.models import Obligation

    rows = db.session.execute(
        select(Obligation.activity_id, User.email)
        .join(CompletionReport, CompletionReport.obligation_id == Obligation.id)
        .join(User, User.id == CompletionReport.reviewed_by_id)
        .where(Obligation.activity_id.in_(activity_ids), CompletionReport.kind == ReportKind.LEAD,
               CompletionReport.reviewed_on <= as_of)
        .order_by(Obligation.activity_id, CompletionReport.reviewed_at))
    return {activity_id: email for activity_id, email in rows}  # the last one per activity wins


def evidence(as_of: date, filters: queries.Filters, portal_url: str) -> Table:
    outcome = report_state_labels()
    columns = [Column("plan", _("Plan"), 36, "wrap"), Column("number", "№", 7), Column("due_date", _("Due date"), 13, "date"),
               Column("body", _("Body"), 36, "wrap"), Column("file", _("File"), 36, "wrap"),
               Column("kind", _("Type"), 7), Column("size", _("Size, bytes"), 12, "int"),
               Column("posted_by", _("Posted by"), 28), Column("posted_on", _("Posted"), 13, "date"),
               Column("version", _("Version"), 8, "int"),
               Column("outcome", _("Review outcome"), width_for([*outcome.values(), _("contribution")], 16)),
               Column("link", _("Link"), 40, "link")]
    from tracker.plans.models import Obligation

    table = queries.status_table(as_of, current_app.config["DUE_SOON_DAYS"])
    wanted = queries.filtered(select(table.c.obligation_id), table, filters)
    query = (
        select(Evidence.id, Evidence.original_name, Evidence.kind, Evidence.size, User.email,
               CompletionReport.submitted_on, CompletionReport.version, CompletionReport.state,
               CompletionReport.reviewed_on, CompletionReport.kind, Obligation.due_date, Activity.number, Plan.title,
               Body.name, Body.name_ru, Body.abbreviation)
        .join(CompletionReport, CompletionReport.id == Evidence.report_id)
        .join(User, User.id == Evidence.uploaded_by_id)
        .join(Obligation, Obligation.id == CompletionReport.obligation_id)
        .join(Activity, Activity.id == Obligation.activity_id).join(Plan, Plan.id == Activity.plan_id)
        .join(Body, Body.id == CompletionReport.body_id)
        .where(CompletionReport.obligation_id.in_(wanted), CompletionReport.submitted_on <= as_of)
        .order_by(Plan.id, Activity.position, Obligation.due_date, CompletionReport.version, Evidence.id)
        .execution_options(yield_per=BATCH)
    )
    base = portal_url.rstrip("/")

    def rows():
        for (evidence_id, name, kind, size, email, submitted_on, version, state, reviewed_on, report_kind, due,
             number, plan, body, body_ru, abbreviation) in db.session.execute(query):
            body = body_name(body, body_ru)
            if report_kind != ReportKind.LEAD:
                result = _("contribution")
            elif state != ReportState.SUBMITTED and reviewed_on and reviewed_on <= as_of:
                result = outcome[state]
            else:
                result = outcome[ReportState.SUBMITTED]
            yield [plan, number, due, f"{body} ({abbreviation})" if abbreviation else body, name, kind.upper(), size,
                   email, submitted_on, version, result, f"{base}/evidence/{evidence_id}"]

    return Table("evidence", _("Evidence"), columns, rows())


def all_tables(as_of: date, filters: queries.Filters, portal_url: str, since: date | None = None) -> list[Table]:
    """The workbook's sheets; with `since`, also what changed from that day to the as-of day
    (tracker.reporting.changes: the quarterly meeting's agenda) and each executor's rates then and now."""
    plans, bodies = queries.figures(as_of, current_app.config["DUE_SOON_DAYS"], filters)  # one statement for both
    tables = [summary(as_of, filters, plans), by_body(as_of, filters, bodies), overdue(as_of, filters),
              activities(as_of, filters), obligations(as_of, filters), evidence(as_of, filters, portal_url),
              indicators(as_of, filters)]
    if since is not None and since < as_of:
        found = changes_module.changes(since, as_of, filters)
        tables += [_from_sheet(changes_module.changes_sheet(since, as_of, filters, found)),
                   _from_sheet(changes_module.rates_sheet(since, as_of, filters, found))]
    return tables


def indicators(as_of: date, filters: queries.Filters) -> Table:
    """Target, actual and status per indicator, period and scope (tracker.indicators.export); the
    sheet's line charts come with it as `charts`."""
    sheet = indicators_export.indicators_sheet(as_of, filters.plan_id, filters.region)
    # sheet.charts is filled while the rows are written; the workbook draws them afterwards
    return Table(sheet.key, sheet.title, [Column(key, header, width, kind) for key, header, width, kind in sheet.columns],
                 sheet.rows, sheet.charts)


def _from_sheet(sheet) -> Table:
    return Table(sheet.key, sheet.title[:31], [Column(c.key, c.header, c.width, c.kind) for c in sheet.columns], sheet.rows)


TABLE_KEYS = ("summary", "by_body", "overdue", "activities", "obligations", "evidence", "indicators")


def one_table(key: str, as_of: date, filters: queries.Filters, portal_url: str) -> Table:
    builders = {"summary": summary, "by_body": by_body, "overdue": overdue, "activities": activities,
                "obligations": obligations, "indicators": indicators}
    if key == "evidence":
        return evidence(as_of, filters, portal_url)
    return builders[key](as_of, filters)


def estimated_rows(as_of, filters: queries.Filters) -> int:
    """Rows the workbook will have, from the dashboard's own figures (one statement) and a count of
    the evidence files: the progress bar's whole."""
    plans, bodies = queries.figures(as_of, current_app.config["DUE_SOON_DAYS"], filters)
    evidence = select(func.count(Evidence.id)).join(CompletionReport, CompletionReport.id == Evidence.report_id) \
        .join(Obligation, Obligation.id == CompletionReport.obligation_id) \
        .join(Activity, Activity.id == Obligation.activity_id).where(CompletionReport.submitted_on <= as_of)
    if filters.plan_id:
        evidence = evidence.where(Activity.plan_id == filters.plan_id)
    if filters.region:
        evidence = evidence.where(Activity.plan_id.in_(select(Plan.id).where(Plan.region == filters.region)))
    return (len(plans) + len(bodies) + sum(p.obligations.get("overdue", 0) for p in plans)
            + sum(p.activities_total for p in plans) + sum(p.total for p in plans) + (db.session.scalar(evidence) or 0))
