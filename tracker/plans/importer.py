"""Store a ParsedPlan: one transaction, and a plan imported again is updated, not duplicated."""

import hashlib
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, func, insert, inspect, select
from sqlalchemy.orm import selectinload

from tracker import history
from tracker.calendar import working_calendar
from tracker.core.messages import data_of, msg
from tracker.core.text import norm
from tracker.executors.models import NATIONAL, Body, BodyAlias
from tracker.extensions import db
from tracker.plans.engine.errors import PlanFormatError
from tracker.plans.engine.parse import ParsedActivity, ParsedExecutor, ParsedPlan, ParsedWarning
from tracker.plans.models import Activity, ActivityExecutor, ExecutorRole, Obligation, Plan, PlanWarning, Section
from tracker.plans.obligations import (
    activity_has_reports,
    deliverables_by_due_date,
    kept_due_date,
    schedule_of,
    sync_obligations,
    waits_of,
)


@dataclass
class ImportSummary:
    plan_id: int
    created: bool
    activities: int
    obligations: int
    bodies_created: int
    warnings: list[str] = field(default_factory=list)


def natural_key(title: str, region: str | None) -> str:
    """Title and region identify a plan, whichever file format it came in."""
    return hashlib.sha256(f"{norm(title)}|{norm(region)}".encode()).hexdigest()


def check_fits(parsed: ParsedPlan) -> None:
    """Refuse, naming the row, a value longer than the column that would hold it. PostgreSQL
    would refuse it only at the commit (a bare 500 after the preview looked fine); SQLite never."""

    def over(value: str | None, column) -> dict | None:
        limit = column.type.length
        return {"value": value[:40], "limit": limit} if value and len(value) > limit else None

    if found := over(parsed.region, Plan.__table__.c.region):
        raise PlanFormatError(msg("the region «%(value)s…» is longer than %(limit)s characters", **found))
    for number, _title in parsed.sections:
        if found := over(number, Section.__table__.c.number):
            raise PlanFormatError(msg("section number «%(value)s…» is longer than %(limit)s characters", **found))
    for entry in parsed.legend:
        if found := over(entry.abbreviation, Body.__table__.c.abbreviation) or over(entry.name, Body.__table__.c.name):
            raise PlanFormatError(msg("the legend entry «%(value)s…» is longer than %(limit)s characters", **found))
    for item in parsed.activities:
        if found := over(item.number, Activity.__table__.c.number):
            raise PlanFormatError(msg("%(ref)s: activity number «%(value)s…» is longer than %(limit)s characters",
                                      ref=item.source_ref, **found))
        for executor in item.executors:
            if found := over(executor.written, ActivityExecutor.__table__.c.written):
                raise PlanFormatError(msg("%(ref)s: executor «%(value)s…» is longer than %(limit)s characters",
                                          ref=item.source_ref, **found))


@dataclass(frozen=True)
class AmendmentDecision:
    """The resolution that amended a plan, which the re-import's history entry keeps."""

    number: str
    date: date
    summary: dict


def import_plan(parsed: ParsedPlan, filename: str | None = None, data: bytes | None = None,
                amendment: AmendmentDecision | None = None) -> ImportSummary:
    """Store the plan, with its history entry, and commit; on any failure nothing is left behind."""
    check_fits(parsed)
    try:
        summary = _store(parsed, filename, data, amendment)
        db.session.commit()
        return summary
    except Exception:
        db.session.rollback()
        raise


def _store(parsed: ParsedPlan, filename: str | None, data: bytes | None,
           amendment: AmendmentDecision | None = None) -> ImportSummary:
    key = natural_key(parsed.title, parsed.region)
    plan = db.session.scalar(select(Plan).where(Plan.natural_key == key))
    created = plan is None
    if plan is None:
        plan = Plan(natural_key=key)
        db.session.add(plan)
    plan.title = parsed.title
    plan.region = parsed.region
    plan.period_start = parsed.period.start
    plan.period_end = parsed.period.end
    plan.default_frequency = parsed.default_frequency
    plan.source_filename = filename
    plan.source_format = parsed.source_format
    plan.source_sha256 = hashlib.sha256(data).hexdigest() if data is not None else None
    plan.expected_results = parsed.expected_results
    plan.figures_stale = True  # its activities, executors and due dates are counted again at the next reading

    bodies = BodyCache(parsed.region)
    # Nothing read while the plan is stored needs the session flushed first (the plan's own rows
    # are known, bodies are cached): without autoflush, a lazy load or a body's look-up no longer
    # writes the rows gathered so far one activity at a time.
    with db.session.no_autoflush:
        if created:
            obligations, warnings = _insert_new(plan, parsed, bodies)
        else:
            obligations, warnings = _update(plan, parsed, bodies)
    db.session.flush()
    details = {"file": filename, "activities": len(parsed.activities), "obligations": obligations,
               "warnings": warnings}
    if amendment is not None and not created:
        details.update(number=amendment.number, date=amendment.date.isoformat(), changes=amendment.summary)
    history.record("plan.imported" if created else "plan.amended" if amendment else "plan.reimported",
                   plan=plan, details=details)
    return ImportSummary(
        plan_id=plan.id,
        created=created,
        activities=len(parsed.activities),
        obligations=obligations,
        bodies_created=bodies.created,
        warnings=[f"{w.activity or '—'} [{w.field}] {w.message}" for w in parsed.warnings],
    )


#: activities stored per round of bulk INSERTs of a new plan (with their executors and due dates):
#: a 20,000-activity plan never holds all its rows at once
CHUNK = 1000


def _insert_new(plan: Plan, parsed: ParsedPlan, bodies: "BodyCache") -> tuple[int, int]:
    """A plan new to the portal: its rows by bulk INSERTs of many rows each — the rows, in the
    order and with the ids, that the session's unit of work gave writing them one by one."""
    db.session.flush()  # the plan's id
    section_ids = {number: id_ for id_, number in _insert(Section, [
        _row(Section, plan_id=plan.id, number=number, title=title, position=position)
        for position, (number, title) in enumerate(parsed.sections)], "id", "number")}
    # The bodies first, created or renamed as the plan names them and their aliases learned, in the
    # order the plan names them (so they get the ids an import one activity at a time gave them).
    executor_bodies = [[bodies.get(e) if e.body else None for e in item.executors] for item in parsed.activities]
    db.session.flush()
    obligations = 0
    kept_warnings: list[ParsedWarning] = []
    for start in range(0, len(parsed.activities), CHUNK):
        items = parsed.activities[start:start + CHUNK]
        activity_ids = {number: id_ for id_, number in _insert(Activity, [
            _activity_row(plan.id, item, start + offset, section_ids.get(item.section or ""))
            for offset, item in enumerate(items)], "id", "number")}
        executor_rows_, obligation_rows = [], []
        for offset, item in enumerate(items):
            activity_id = activity_ids[item.number]
            executor_rows_ += _executor_rows(activity_id, item.executors, executor_bodies[start + offset])
            # The due dates made as every activity's are (sync_obligations), on a stand-in for an
            # activity that has none yet, so nothing is read from the database for them. A new plan
            # keeps dates as stated (its rule for non-working days is "keep"): no calendar.
            new = _NewActivity()
            obligations += len(item.deadline.due_dates)
            kept = sync_obligations(new, *_scheduled(item, None, plan, None))
            kept_warnings += [ParsedWarning(item.number, "deadline", kept_due_date(day)) for day in kept]
            obligation_rows += [_obligation_row(activity_id, o) for o in new.obligations]
        _insert(ActivityExecutor, executor_rows_)
        _insert(Obligation, obligation_rows)
    warnings = parsed.warnings + kept_warnings
    _insert(PlanWarning, [_warning_row(plan.id, w, None) for w in warnings])
    # the plan's collections were never read: they are read from the rows just written if they are
    db.session.expire(plan, ["sections", "activities", "warnings"])
    return obligations, len(warnings)


def _update(plan: Plan, parsed: ParsedPlan, bodies: "BodyCache") -> tuple[int, int]:
    """A plan the portal holds, updated in place through the session: activities matched by
    number and due dates by their stated date, so that reports keep what they hang on. Executors
    and warnings, replaced whole by every import, are written by bulk INSERTs."""
    sections = {s.number: s for s in plan.sections}
    for position, (number, title) in enumerate(parsed.sections):
        section = sections.pop(number, None) or Section(number=number)
        section.title, section.position = title, position
        if section not in plan.sections:
            plan.sections.append(section)
    for stale in sections.values():
        plan.sections.remove(stale)
    db.session.flush()
    section_by_number = {s.number: s for s in plan.sections}

    # The engine reads dates as the plan states them; a plan whose coordinator chose to move dates
    # off non-working days has them moved by the portal's calendar (read once for the import).
    calendar = working_calendar() if plan.non_working_rule not in (None, "keep") else None
    # every activity with its due dates in two statements, not one more per activity
    existing = {a.number: a for a in db.session.scalars(
        select(Activity).where(Activity.plan_id == plan.id).order_by(Activity.position)
        .options(selectinload(Activity.obligations)))}
    obligations = 0
    kept_warnings: list[ParsedWarning] = []
    stored: list[tuple[Activity, ParsedActivity, list[Body | None]]] = []
    for position, item in enumerate(parsed.activities):
        activity = existing.pop(item.number, None)
        if activity is None:
            activity = Activity(number=item.number)
            plan.activities.append(activity)
        _fill_activity(activity, item, position, section_by_number.get(item.section or ""))
        stored.append((activity, item, [bodies.get(e) if e.body else None for e in item.executors]))
        obligations += len(item.deadline.due_dates)
        kept = sync_obligations(activity, *_scheduled(item, activity, plan, calendar))
        kept_warnings += [ParsedWarning(item.number, "deadline", kept_due_date(day)) for day in kept]
    dropped = []
    for stale in existing.values():
        if activity_has_reports(stale):
            kept_warnings.append(ParsedWarning(stale.number, "number", msg(
                "activity %(number)s is no longer in the plan but has reports, so it is kept", number=stale.number)))
        else:
            dropped.append(stale)
    # A warning a coordinator already resolved stays resolved when the same plan comes again.
    resolved = {(w.activity_number, w.field, w.message): w.resolved_at for w in plan.warnings if w.resolved_at}
    warnings = parsed.warnings + kept_warnings
    db.session.flush()  # the new activities have their ids

    # Executors and warnings are replaced whole: the new rows written before the old ones are
    # deleted, and the activities no longer in the plan deleted last, in the order the unit of
    # work gave them (so the new rows get the same ids). An activity kept for its reports keeps its executors.
    last_executor = db.session.scalar(select(func.max(ActivityExecutor.id))) or 0
    last_warning = db.session.scalar(select(func.max(PlanWarning.id)).where(PlanWarning.plan_id == plan.id)) or 0
    for start in range(0, len(stored), CHUNK):
        _insert(ActivityExecutor, [row for activity, item, found in stored[start:start + CHUNK]
                                   for row in _executor_rows(activity.id, item.executors, found)])
    _insert(PlanWarning, [_warning_row(plan.id, w, resolved.get((w.activity, w.field, w.message)))
                          for w in warnings])
    in_the_plan = select(Activity.id).where(Activity.plan_id == plan.id,
                                            Activity.id.not_in([a.id for a in existing.values()]))
    db.session.execute(delete(ActivityExecutor).where(ActivityExecutor.activity_id.in_(in_the_plan),
                                                      ActivityExecutor.id <= last_executor)
                       .execution_options(synchronize_session="fetch"))
    db.session.execute(delete(PlanWarning).where(PlanWarning.plan_id == plan.id, PlanWarning.id <= last_warning)
                       .execution_options(synchronize_session="fetch"))
    for activity, _item, _found in stored:
        db.session.expire(activity, ["executors"])
    db.session.expire(plan, ["warnings"])
    for stale in dropped:
        plan.activities.remove(stale)
    return obligations, len(warnings)


# --- bulk INSERTs -------------------------------------------------------------------------------


def _insert(model, rows: list[dict], *returning: str) -> list:
    """One INSERT of many rows (SQLAlchemy's insertmanyvalues: a statement per 1,000 or so rows, or
    one executemany; RETURNING where ids are wanted, which SQLite ≥ 3.35 and PostgreSQL both have),
    the rows in their order. Core, not the ORM's bulk INSERT: that splits the rows into runs by
    which of their columns are None, and costs as much again in Python."""
    if not rows:
        return []
    table = model.__table__
    statement = insert(table)
    if returning:
        return db.session.execute(statement.returning(*(table.c[name] for name in returning)), rows).all()
    db.session.execute(statement, rows)
    return []


#: per model, the columns whose Python default the unit of work gives in place of a None
_DEFAULTS: dict[type, dict[str, object]] = {}


def _row(model, **values) -> dict:
    """The values as the unit of work would insert them. It leaves a None out of the INSERT, so a
    column with a default gets the default: so here."""
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = _DEFAULTS[model] = {
            column.key: column.default.arg for column in model.__table__.columns
            if column.default is not None and column.default.is_scalar}
    for name, value in values.items():
        if value is None and name in defaults:
            values[name] = defaults[name]
    return values


def _activity_row(plan_id: int, item: ParsedActivity, position: int, section_id: int | None) -> dict:
    """The columns `_fill_activity` sets, for a new activity."""
    return _row(Activity, plan_id=plan_id, number=item.number, position=position, section_id=section_id,
                text=item.text, completion_form=item.completion_form, deadline_text=item.deadline.text,
                deadline_rule=item.deadline.rule, funding_text=item.funding.text, funding_kind=item.funding.kind,
                funding_amount_kzt=item.funding.amount_kzt, source_ref=item.source_ref,
                source_ref_data=data_of(item.source_ref), parts=_parts(item))


def _executor_rows(activity_id: int, executors: list[ParsedExecutor], found: list[Body | None]) -> list[dict]:
    """The rows `executor_rows` makes, for an activity whose id is known."""
    return [_row(ActivityExecutor, activity_id=activity_id, body_id=body.id if body is not None else None,
                 written=item.written, position=position,
                 role=ExecutorRole.LEAD if item.lead else ExecutorRole.CO_EXECUTOR,
                 by_agreement=item.by_agreement, match=item.match)
            for position, (item, body) in enumerate(zip(executors, found, strict=True))]


#: what sync_obligations may set on a new obligation (the columns an import gives)
_OBLIGATION_FIELDS = ("due_date", "original_due_date", "deliverable", "covers_start", "covers_end", "moved_from",
                      "due_notes", "waits_for", "extensions")


def _obligation_row(activity_id: int, obligation: Obligation) -> dict:
    """A new obligation's row from the object sync_obligations made (never in the session): what it
    set, read from the instance's dictionary (what it did not set is not there: None)."""
    given = inspect(obligation).dict
    return _row(Obligation, activity_id=activity_id, **{name: given.get(name) for name in _OBLIGATION_FIELDS})


def _warning_row(plan_id: int, warning: ParsedWarning, resolved_at) -> dict:
    return _row(PlanWarning, plan_id=plan_id, activity_number=warning.activity, field=warning.field,
                message=warning.message, message_data=data_of(warning.message), resolved_at=resolved_at)


class _NewActivity:
    """What sync_obligations needs of an activity that has no obligations yet: the list it adds them to."""

    def __init__(self):
        self.obligations: list[Obligation] = []


def _fill_activity(activity: Activity, item: ParsedActivity, position: int, section: Section | None) -> None:
    activity.position = position
    activity.section = section
    activity.text = item.text
    activity.completion_form = item.completion_form
    activity.deadline_text = item.deadline.text
    activity.deadline_rule = item.deadline.rule
    activity.funding_text = item.funding.text
    activity.funding_kind = item.funding.kind
    activity.funding_amount_kzt = item.funding.amount_kzt
    activity.source_ref = item.source_ref
    activity.source_ref_data = data_of(item.source_ref)
    activity.parts = _parts(item)


def _parts(item: ParsedActivity) -> list[dict]:
    return [
        {"completion_form": p.completion_form, "deadline": p.deadline.text,
         "due_dates": [d.isoformat() for d in p.deadline.due_dates], "funding": p.funding.text}
        for p in item.parts
    ] if len(item.parts) > 1 else []


def _scheduled(item: ParsedActivity, activity: Activity, plan: Plan, calendar) -> tuple[dict, list[str]]:
    """The due dates (with deliverables) and the events an imported activity waits for: as parsed,
    or again by the plan's rule for non-working days when it moves dates."""
    if calendar is not None:
        schedule = schedule_of(activity, plan, calendar)
        return schedule.wanted, schedule.waiting
    parts = [(part.completion_form, part.deadline.due_dates) for part in item.parts]
    return (deliverables_by_due_date(item.deadline.due_dates, parts),
            waits_of([part.deadline for part in item.parts]))


def executor_rows(executors: list[ParsedExecutor], bodies: "BodyCache") -> list[ActivityExecutor]:
    """An activity's executors as stored, in the plan's order (the first the lead), each resolved
    body found or created once per region. Imports and hand edits both store executors so."""
    return [ActivityExecutor(body=bodies.get(item) if item.body else None, written=item.written, position=position,
                             role=ExecutorRole.LEAD if item.lead else ExecutorRole.CO_EXECUTOR,
                             by_agreement=item.by_agreement, match=item.match)
            for position, item in enumerate(executors)]


class BodyCache:
    """Finds or creates the Body of a resolved executor: one per real body per region."""

    def __init__(self, region: str | None):
        self.region = region or "—"
        self.created = 0
        self._cache: dict[tuple[str, str], Body] = {}

    def get(self, item: ParsedExecutor) -> Body:
        region = NATIONAL if item.national else self.region
        key = (region, item.body_key)
        body = self._cache.get(key)
        if body is None:
            body = db.session.scalar(select(Body).where(Body.region == region, Body.identity == item.body_key))
            if body is None:
                body = Body(region=region, identity=item.body_key, registry_key=item.registry_key)
                db.session.add(body)
                self.created += 1
            # The plan's own wording is the body's name; an earlier plan's stays if this one has none.
            body.name = item.body or body.name
            body.abbreviation = item.abbreviation or body.abbreviation
            body.name_ru = item.name_ru or body.name_ru
            self._cache[key] = body
        normalized = norm(item.written)
        if item.match not in ("fuzzy", "unresolved") and not any(a.normalized == normalized for a in body.aliases):
            body.aliases.append(BodyAlias(written=item.written, normalized=normalized, source=item.match))
        return body
