"""What changed between two days: the agenda of the quarterly meeting under the deputy akim and
the auditor's period-on-period test.

Between day A (`since`) and day B (`until`), A < B, with the dashboard's filters (region, plan,
section, executor):

- due dates whose status became overdue, done, done late or off control: the status of every
  obligation on A and on B, each from `status_table` (the status rule in SQL, replayed as of each
  day), compared in one statement;
- reports returned for correction and extensions approved on a day after A up to B (the review
  and the decision are dated; an obligation returned and corrected inside the window still
  counts as returned once);
- deadline and executor edits, and items taken off or put back on control, from the history
  (entries made after the end of A up to the end of B, in Kazakhstan's time);
- each executor's on-time rate on A and on B, and the difference (the dashboard's figures of each day).

A day counts from its end: "between 30 September and 31 December" is what happened on 1 October
to 31 December, both included.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from tracker.control.models import ExtensionRequest, ExtensionState
from tracker.dashboard import queries
from tracker.executors.models import Body, body_name, reads_russian
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.plans.models import Activity, ActivityExecutor, ExecutorRole, Plan
from tracker.reports.labels import status_labels
from tracker.reports.models import CompletionReport, ReportKind
from tracker.reports.queries import status_table
from tracker.reports.status import ReportState, Status


class ChangeKind(StrEnum):
    """What happened to a due date between the two days."""

    BECAME_OVERDUE = "became_overdue"
    DONE = "done"
    DONE_LATE = "done_late"
    RETURNED = "returned"
    EXTENDED = "extended"
    OFF_CONTROL = "off_control"


#: a change of status between the two days that is a change worth listing, by the status on B
_BY_STATUS = {Status.OVERDUE: ChangeKind.BECAME_OVERDUE, Status.DONE: ChangeKind.DONE,
              Status.DONE_LATE: ChangeKind.DONE_LATE, Status.OFF_CONTROL: ChangeKind.OFF_CONTROL}

#: history entries that change a deadline, an executor or whether an item is on control
EDIT_ACTIONS = ("activity.edited", "executor.assigned", "extension.approved", "control.taken_off",
                "control.put_back", "event.recorded")
#: the fields of "activity.edited" that are deadlines or executors (other edits are not listed)
EDIT_FIELDS = ("deadline_text", "executors")


def kind_labels() -> dict[str, str]:
    return {ChangeKind.BECAME_OVERDUE: _("became overdue"), ChangeKind.DONE: _("done"),
            ChangeKind.DONE_LATE: _("done late"), ChangeKind.RETURNED: _("returned for correction"),
            ChangeKind.EXTENDED: _("deadline extended"), ChangeKind.OFF_CONTROL: _("taken off control")}


def edit_labels() -> dict[str, str]:
    return {"deadline_text": _("deadline changed"), "executors": _("executors changed"),
            "executor.assigned": _("executor assigned"), "extension.approved": _("deadline extended"),
            "control.taken_off": _("taken off control"), "control.put_back": _("put back on control"),
            "event.recorded": _("event recorded, due date set")}


@dataclass
class ObligationChange:
    kind: str  #: a ChangeKind
    obligation_id: int
    plan_id: int
    plan_title: str
    activity_id: int
    number: str
    activity_text: str
    due_date: date | None  #: in force on B
    status_then: str
    status_now: str
    #: the day it happened where that is known (the review, the decision), else None
    on: date | None = None
    detail: str | None = None
    lead: str = ""
    position: int = 0  #: the activity's place in its plan (the order of the list)


@dataclass
class EditChange:
    at: datetime
    actor: str
    what: str  #: a field of activity.edited, or the action
    plan_id: int | None
    activity_id: int | None
    number: str | None
    before: str | None
    after: str | None


@dataclass
class RateChange:
    body_id: int | None
    name: str
    abbreviation: str | None
    due_then: int
    done_then: int
    rate_then: float | None
    due_now: int
    done_now: int
    rate_now: float | None

    @property
    def difference(self) -> float | None:
        if self.rate_then is None or self.rate_now is None:
            return None
        return round(self.rate_now - self.rate_then, 4)

    @property
    def label(self) -> str:
        return self.abbreviation or self.name


@dataclass
class Changes:
    since: date
    until: date
    obligations: list[ObligationChange] = field(default_factory=list)
    edits: list[EditChange] = field(default_factory=list)
    rates: list[RateChange] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ChangeKind, 0)
        for change in self.obligations:
            counts[change.kind] += 1
        return counts


def default_since(until: date) -> date:
    """The day before the quarter `until` is in begins: the window is that quarter so far (the
    whole quarter when `until` is its last day) — the quarterly meeting's "since the last one"."""
    return date(until.year, 3 * ((until.month - 1) // 3) + 1, 1) - timedelta(days=1)


def changes(since: date, until: date, filters: queries.Filters | None = None,
            due_soon_days: int | None = None) -> Changes:
    """Everything that changed after the end of `since` up to the end of `until`."""
    if since >= until:
        raise ValueError("since must be before until")
    filters = _without_days(filters or queries.Filters())
    soon = current_app.config["DUE_SOON_DAYS"] if due_soon_days is None else due_soon_days
    found = Changes(since, until)
    found.obligations = _status_changes(since, until, filters, soon) + _returned(since, until, filters) \
        + _extended(since, until, filters)
    _name_leads(found.obligations)
    order = list(ChangeKind)
    found.obligations.sort(key=lambda c: (order.index(c.kind), c.plan_id, c.position, c.due_date or date.max,
                                          c.obligation_id))
    found.edits = _edits(since, until, filters)
    found.rates = _rates(since, until, filters, soon)
    return found


def _without_days(filters: queries.Filters) -> queries.Filters:
    """The dashboard's filters less its due-from/due-to (the two days take their place) and its
    status (a change is itself a change of status)."""
    return queries.Filters(region=filters.region, plan_id=filters.plan_id, section_id=filters.section_id,
                           body_id=filters.body_id)


def _scoped(query, filters: queries.Filters):
    """The filters on a statement that has Activity in it."""
    if filters.region:
        query = query.where(Activity.plan_id.in_(select(Plan.id).where(Plan.region == filters.region)))
    if filters.plan_id:
        query = query.where(Activity.plan_id == filters.plan_id)
    if filters.section_id:
        query = query.where(Activity.section_id == filters.section_id)
    if filters.body_id:
        query = query.where(Activity.id.in_(
            select(ActivityExecutor.activity_id).where(ActivityExecutor.body_id == filters.body_id)))
    return query


def _status_changes(since: date, until: date, filters: queries.Filters, soon: int) -> list[ObligationChange]:
    then = status_table(since, soon).element.subquery("status_then")
    now = status_table(until, soon).element.subquery("status_now")
    query = (
        select(now.c.obligation_id, now.c.plan_id, Plan.title, now.c.activity_id, Activity.number, Activity.text,
               Activity.position, now.c.due_date, then.c.status, now.c.status, now.c.reviewed_on)
        .join(then, then.c.obligation_id == now.c.obligation_id)
        .join(Activity, Activity.id == now.c.activity_id).join(Plan, Plan.id == Activity.plan_id)
        .where(now.c.status != then.c.status, now.c.status.in_([s.value for s in _BY_STATUS])))
    found = []
    for (obligation_id, plan_id, title, activity_id, number, text, position, due, status_then, status_now,
         reviewed_on) in db.session.execute(_scoped(query, filters)):
        kind = _BY_STATUS[Status(status_now)]
        on = _day(reviewed_on) if kind in (ChangeKind.DONE, ChangeKind.DONE_LATE) else None
        if kind == ChangeKind.BECAME_OVERDUE and due is not None:
            on = _day(due) + timedelta(days=1)  # overdue from the day after the date in force
        found.append(ObligationChange(kind, obligation_id, plan_id, title, activity_id, number, text, _day(due),
                                      status_then, status_now, on, position=position))
    return found


def _statuses_on(day: date, obligation_ids: list[int], soon: int) -> dict[int, tuple[str, date | None]]:
    if not obligation_ids:
        return {}
    table = status_table(day, soon)
    return {i: (status, _day(due)) for i, status, due in db.session.execute(
        select(table.c.obligation_id, table.c.status, table.c.due_date)
        .where(table.c.obligation_id.in_(obligation_ids)))}


def _returned(since: date, until: date, filters: queries.Filters) -> list[ObligationChange]:
    """Lead reports returned for correction on a day after `since` up to `until`."""
    from tracker.plans.models import Obligation

    query = (
        select(CompletionReport.obligation_id, Activity.plan_id, Plan.title, Activity.id, Activity.number,
               Activity.text, Activity.position, Obligation.due_date, CompletionReport.reviewed_on,
               CompletionReport.review_comment)
        .join(Obligation, Obligation.id == CompletionReport.obligation_id)
        .join(Activity, Activity.id == Obligation.activity_id).join(Plan, Plan.id == Activity.plan_id)
        .where(CompletionReport.kind == ReportKind.LEAD, CompletionReport.state == ReportState.RETURNED,
               CompletionReport.reviewed_on > since, CompletionReport.reviewed_on <= until)
        .order_by(CompletionReport.reviewed_on, CompletionReport.id))
    return _events(ChangeKind.RETURNED, db.session.execute(_scoped(query, filters)).all(), since, until)


def _extended(since: date, until: date, filters: queries.Filters) -> list[ObligationChange]:
    """Extensions approved on a day after `since` up to `until`; the detail is the new date."""
    from tracker.plans.models import Obligation

    query = (
        select(ExtensionRequest.obligation_id, Activity.plan_id, Plan.title, Activity.id, Activity.number,
               Activity.text, Activity.position, ExtensionRequest.new_due_date, ExtensionRequest.decided_on,
               ExtensionRequest.due_date_then)
        .join(Obligation, Obligation.id == ExtensionRequest.obligation_id)
        .join(Activity, Activity.id == Obligation.activity_id).join(Plan, Plan.id == Activity.plan_id)
        .where(ExtensionRequest.state == ExtensionState.APPROVED, ExtensionRequest.decided_on > since,
               ExtensionRequest.decided_on <= until)
        .order_by(ExtensionRequest.decided_on, ExtensionRequest.id))
    rows = [(*row[:-1], _day(row[-1]).isoformat() + " → " + _day(row[7]).isoformat())
            for row in db.session.execute(_scoped(query, filters))]
    return _events(ChangeKind.EXTENDED, rows, since, until)


def _events(kind: ChangeKind, rows, since: date, until: date) -> list[ObligationChange]:
    soon = current_app.config["DUE_SOON_DAYS"]
    ids = list({row[0] for row in rows})
    then, now = _statuses_on(since, ids, soon), _statuses_on(until, ids, soon)
    found = []
    for obligation_id, plan_id, title, activity_id, number, text, position, _due, on, detail in rows:
        status_then, _due_then = then.get(obligation_id, ("", None))
        status_now, due_now = now.get(obligation_id, ("", None))
        found.append(ObligationChange(kind, obligation_id, plan_id, title, activity_id, number, text, due_now,
                                      status_then, status_now, _day(on), detail or None, position=position))
    return found


def _name_leads(found: list[ObligationChange]) -> None:
    """Each change's lead executor, "Full name (ABBR)" — one query for all."""
    activity_ids = list({c.activity_id for c in found})
    if not activity_ids:
        return
    russian = reads_russian()
    leads = {}
    for activity_id, written, name, name_ru, abbreviation in db.session.execute(
            select(ActivityExecutor.activity_id, ActivityExecutor.written, Body.name, Body.name_ru, Body.abbreviation)
            .outerjoin(Body, Body.id == ActivityExecutor.body_id)
            .where(ActivityExecutor.activity_id.in_(activity_ids), ActivityExecutor.role == ExecutorRole.LEAD)):
        label = body_name(name, name_ru, russian) if name else written
        leads[activity_id] = f"{label} ({abbreviation})" if name and abbreviation else label
    for change in found:
        change.lead = leads.get(change.activity_id, "")


def _edits(since: date, until: date, filters: queries.Filters) -> list[EditChange]:
    start, end = _day_bounds(since), _day_bounds(until)
    query = (
        select(HistoryEntry, Activity.number)
        .outerjoin(Activity, Activity.id == HistoryEntry.activity_id)
        .where(HistoryEntry.action.in_(EDIT_ACTIONS), HistoryEntry.at >= start, HistoryEntry.at < end)
        .order_by(HistoryEntry.at, HistoryEntry.id))
    if filters.region:
        query = query.where(HistoryEntry.plan_id.in_(select(Plan.id).where(Plan.region == filters.region)))
    if filters.plan_id:
        query = query.where(HistoryEntry.plan_id == filters.plan_id)
    if filters.section_id:
        query = query.where(HistoryEntry.activity_id.in_(select(Activity.id).where(
            Activity.section_id == filters.section_id)))
    if filters.body_id:
        query = query.where(or_(HistoryEntry.body_id == filters.body_id, HistoryEntry.activity_id.in_(
            select(ActivityExecutor.activity_id).where(ActivityExecutor.body_id == filters.body_id))))
    found = []
    for entry, number in db.session.execute(query):
        number = number or (entry.details or {}).get("number")
        if entry.action == "activity.edited":
            for name in EDIT_FIELDS:
                if name in (entry.changes or {}):
                    before, after = entry.changes[name]
                    found.append(EditChange(entry.at, entry.actor, name, entry.plan_id, entry.activity_id, number,
                                            _text(before), _text(after)))
            continue
        before, after = _edit_values(entry)
        found.append(EditChange(entry.at, entry.actor, entry.action, entry.plan_id, entry.activity_id, number,
                                before, after))
    return found


def _edit_values(entry: HistoryEntry) -> tuple[str | None, str | None]:
    changes, details = entry.changes or {}, entry.details or {}
    for name in ("due_date", "body"):
        if name in changes:
            return _text(changes[name][0]), _text(changes[name][1])
    if entry.action == "control.taken_off":
        return None, " ".join(str(v) for v in (details.get("grounds"), details.get("decision_number"),
                                               details.get("decision_date")) if v)
    if entry.action == "control.put_back":
        return details.get("since"), None
    if entry.action == "event.recorded":
        return details.get("event_on"), details.get("due_date")
    return None, None


def _text(value) -> str | None:
    return None if value is None else str(value)


def _day_bounds(day: date) -> datetime:
    """The end of `day` in Kazakhstan, as the UTC moment history entries are stored in."""
    zone = ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Almaty"))
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def _rates(since: date, until: date, filters: queries.Filters, soon: int) -> list[RateChange]:
    """Each lead executor's on-time rate on both days (the dashboard's figures), the largest fall first."""
    then = {b.key: b for b in queries.figures(since, soon, filters)[1]}
    now = {b.key: b for b in queries.figures(until, soon, filters)[1]}
    found = []
    for key in [*now, *(k for k in then if k not in now)]:
        a, b = then.get(key), now.get(key)
        if not ((a and a.lead_due_so_far) or (b and b.lead_due_so_far)):
            continue
        named = b or a
        found.append(RateChange(
            named.body_id, named.name, named.abbreviation,
            a.lead_due_so_far if a else 0, a.as_lead[Status.DONE] if a else 0, a.on_time_rate if a else None,
            b.lead_due_so_far if b else 0, b.as_lead[Status.DONE] if b else 0, b.on_time_rate if b else None))
    found.sort(key=lambda r: (r.difference is None, r.difference if r.difference is not None else 0, r.name))
    return found


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


# --- the command line and the workbook -----------------------------------------------------------


def as_json(found: Changes) -> dict:
    return {
        "since": found.since.isoformat(), "until": found.until.isoformat(),
        "counts": found.counts(),
        "obligations": [{
            "kind": c.kind, "obligation_id": c.obligation_id, "plan_id": c.plan_id, "number": c.number,
            "lead": c.lead, "due_date": c.due_date.isoformat() if c.due_date else None,
            "status_then": c.status_then, "status_now": c.status_now, "on": c.on.isoformat() if c.on else None,
            "detail": c.detail} for c in found.obligations],
        "edits": [{
            "at": e.at.isoformat(), "actor": e.actor, "what": e.what, "plan_id": e.plan_id,
            "activity_id": e.activity_id, "number": e.number, "before": e.before, "after": e.after}
            for e in found.edits],
        "bodies": [{
            "id": r.body_id, "name": r.name, "abbreviation": r.abbreviation, "due_then": r.due_then,
            "done_then": r.done_then, "on_time_rate_then": r.rate_then, "due_now": r.due_now, "done_now": r.done_now,
            "on_time_rate_now": r.rate_now, "difference": r.difference} for r in found.rates],
    }


@dataclass(frozen=True)
class SheetColumn:
    """A column as tracker.export.tables.Column takes it: Column(*column) (key, header, width, kind)."""

    key: str
    header: str
    width: float
    kind: str

    def __iter__(self):
        return iter((self.key, self.header, self.width, self.kind))


@dataclass
class Sheet:
    """A table for the workbook, as tracker.export.tables.Table takes it (key, title, columns,
    rows). This package is below the export in the stack, so it hands over the parts and the
    export makes its own Table of them."""

    key: str
    title: str
    columns: list[SheetColumn]
    rows: Iterator[list]


def changes_sheet(since: date, until: date, filters: queries.Filters, found: Changes | None = None) -> Sheet:
    """The "Changes" sheet: one row per changed due date, then one per deadline or executor edit."""
    found = found or changes(since, until, filters)
    kinds, edits, statuses = kind_labels(), edit_labels(), status_labels()
    then_header = _("Status on %(date)s", date=since.isoformat())
    now_header = _("Status on %(date)s", date=until.isoformat())
    columns = [SheetColumn("change", _("Change"), 22, "wrap"), SheetColumn("plan", _("Plan"), 40, "wrap"),
               SheetColumn("number", "№", 7, "text"), SheetColumn("activity", _("Activity"), 50, "wrap"),
               SheetColumn("lead", _("Lead executor"), 36, "wrap"), SheetColumn("due_date", _("Due date"), 13, "date"),
               SheetColumn("status_then", then_header, 16, "text"), SheetColumn("status_now", now_header, 16, "text"),
               SheetColumn("on", _("On"), 13, "date"), SheetColumn("detail", _("Details"), 40, "wrap")]
    titles = {p.id: p.title for p in db.session.execute(select(Plan.id, Plan.title).where(
        Plan.id.in_({e.plan_id for e in found.edits if e.plan_id})))} if found.edits else {}

    def rows():
        for c in found.obligations:
            yield [kinds[c.kind], c.plan_title, c.number, c.activity_text, c.lead, c.due_date,
                   statuses.get(c.status_then, c.status_then), statuses.get(c.status_now, c.status_now), c.on,
                   c.detail or ""]
        for e in found.edits:
            detail = " → ".join(v for v in (e.before, e.after) if v) if e.before or e.after else ""
            yield [edits.get(e.what, e.what), titles.get(e.plan_id, ""), e.number or "", "", "", None, "", "",
                   e.at.date() if e.at else None, f"{detail} ({e.actor})" if detail else e.actor]

    return Sheet("changes", _("Changes"), columns, rows())


def rates_sheet(since: date, until: date, filters: queries.Filters, found: Changes | None = None) -> Sheet:
    """The "Rates then and now" sheet: each lead executor's on-time rate on both days."""
    found = found or changes(since, until, filters)
    columns = [SheetColumn("name", _("Executor"), 50, "wrap"), SheetColumn("abbreviation", _("Abbreviation"), 14, "text"),
               SheetColumn("due_then", _("Due by %(date)s", date=since.isoformat()), 12, "int"),
               SheetColumn("rate_then", _("On-time rate on %(date)s", date=since.isoformat()), 14, "percent"),
               SheetColumn("due_now", _("Due by %(date)s", date=until.isoformat()), 12, "int"),
               SheetColumn("rate_now", _("On-time rate on %(date)s", date=until.isoformat()), 14, "percent"),
               SheetColumn("difference", _("Difference"), 12, "percent")]
    rows = ([r.name, r.abbreviation or "", r.due_then, r.rate_then, r.due_now, r.rate_now, r.difference]
            for r in found.rates)
    return Sheet("rates_then_now", _("Rates then and now"), columns, rows)

