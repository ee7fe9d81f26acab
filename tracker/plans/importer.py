"""Store a ParsedPlan: one transaction, and a plan imported again is updated, not duplicated."""

import hashlib
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tracker import history
from tracker.calendar import working_calendar
from tracker.core.messages import data_of, msg
from tracker.core.text import norm
from tracker.executors.models import NATIONAL, Body, BodyAlias
from tracker.extensions import db
from tracker.plans.engine.errors import PlanFormatError
from tracker.plans.engine.parse import ParsedActivity, ParsedExecutor, ParsedPlan, ParsedWarning
from tracker.plans.models import Activity, ActivityExecutor, ExecutorRole, Plan, PlanWarning, Section
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

    bodies = BodyCache(parsed.region)
    # The engine reads dates as the plan states them; a plan whose coordinator chose to move dates
    # off non-working days has them moved by the portal's calendar (read once for the import).
    calendar = working_calendar() if plan.non_working_rule not in (None, "keep") else None
    existing = {a.number: a for a in plan.activities}
    obligations = 0
    kept_warnings: list[ParsedWarning] = []
    for position, item in enumerate(parsed.activities):
        activity = existing.pop(item.number, None)
        if activity is None:
            activity = Activity(number=item.number)
            plan.activities.append(activity)
        _fill_activity(activity, item, position, section_by_number.get(item.section or ""))
        activity.executors = executor_rows(item.executors, bodies)
        obligations += len(item.deadline.due_dates)
        kept = sync_obligations(activity, *_scheduled(item, activity, plan, calendar))
        kept_warnings += [ParsedWarning(item.number, "deadline", kept_due_date(day)) for day in kept]
    for stale in existing.values():
        if activity_has_reports(stale):
            kept_warnings.append(ParsedWarning(stale.number, "number", msg(
                "activity %(number)s is no longer in the plan but has reports, so it is kept", number=stale.number)))
            continue
        plan.activities.remove(stale)

    # A warning a coordinator already resolved stays resolved when the same plan comes again.
    resolved = {(w.activity_number, w.field, w.message): w.resolved_at for w in plan.warnings if w.resolved_at}
    plan.warnings = [
        PlanWarning(activity_number=w.activity, field=w.field, message=w.message, message_data=data_of(w.message),
                    resolved_at=resolved.get((w.activity, w.field, w.message)))
        for w in parsed.warnings + kept_warnings
    ]
    db.session.flush()
    details = {"file": filename, "activities": len(parsed.activities), "obligations": obligations,
               "warnings": len(plan.warnings)}
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
    activity.parts = [
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
