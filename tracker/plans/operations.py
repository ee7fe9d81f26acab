"""What a coordinator does to plans in the portal: import with a preview, correct fields,
assign executors (teaching the resolver an alias), resolve warnings, make plans by hand.

Each function changes the database, records the change in the history and commits, or
raises PlanEditError and changes nothing.
"""

import uuid
from datetime import date
from pathlib import Path, PurePath

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from tracker import history
from tracker.core.clock import now
from tracker.core.formatting import translated_message
from tracker.core.messages import data_of, msg
from tracker.core.text import clean, norm
from tracker.executors.models import LEARNED_FROM_COORDINATOR, NATIONAL, Body, BodyAlias
from tracker.executors.resolve import BodyResolver, Target
from tracker.extensions import db
from tracker.plans.engine import parse_plan
from tracker.plans.engine.funding import classify_funding
from tracker.plans.engine.parse import BY_AGREEMENT, UNNAMED, ParsedPlan, ParsedWarning, resolve_executors
from tracker.plans.importer import BodyCache, ImportSummary, check_fits, executor_rows, import_plan, natural_key
from tracker.plans.models import Activity, ActivityExecutor, Plan, PlanWarning, Section
from tracker.plans.obligations import due_dates_of, kept_due_date, sync_obligations
from tracker.schedule.deadlines import FREQUENCIES


class PlanEditError(ValueError):
    """Why a change to a plan cannot be made, for the person in front of the form."""


# --- learned aliases --------------------------------------------------------------------


def learned_aliases(region: str | None) -> dict[str, Target]:
    """The forms coordinators assigned to bodies of this region (and to national bodies)."""
    regions = [NATIONAL] + ([region] if region else [])
    rows = db.session.execute(
        select(BodyAlias.normalized, Body).join(Body)
        .where(BodyAlias.source == LEARNED_FROM_COORDINATOR, Body.region.in_(regions))).all()
    return {normalized: Target(
        name=body.name, abbreviation=body.abbreviation, name_ru=body.name_ru, key=body.identity,
        registry_key=body.registry_key, national=body.region == NATIONAL) for normalized, body in rows}


def parse_document(data: bytes, filename: str) -> ParsedPlan:
    """Parse an upload; a value too long to store is refused here already, before the preview."""
    parsed = parse_plan(data, filename, max_bytes=current_app.config["MAX_PLAN_BYTES"],
                        learned_aliases=learned_aliases)
    check_fits(parsed)
    return parsed


# --- import from the browser: upload → preview → confirm --------------------------------


def _imports_dir() -> Path:
    folder = Path(current_app.config["IMPORTS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stage_upload(filename: str, data: bytes) -> tuple[str, ParsedPlan]:
    """Parse the upload (PlanFormatError if it is not a plan) and keep the bytes until the
    coordinator confirms. Returns the token that names the staged file."""
    parsed = parse_document(data, filename)
    token = uuid.uuid4().hex
    suffix = PurePath(filename).suffix.lower()[:6]
    (_imports_dir() / f"{token}{suffix}").write_bytes(data)
    (_imports_dir() / f"{token}.name").write_text(PurePath(filename).name[:255], encoding="utf-8")
    _drop_old_uploads()
    return token, parsed


def staged(token: str) -> tuple[str, bytes]:
    """The staged upload's original name and bytes; LookupError when it is gone."""
    if not token.isalnum() or len(token) != 32:
        raise LookupError(token)
    folder = _imports_dir()
    name_file = folder / f"{token}.name"
    data_files = [p for p in folder.glob(f"{token}.*") if p.suffix != ".name"]
    if not name_file.exists() or not data_files:
        raise LookupError(token)
    return name_file.read_text(encoding="utf-8"), data_files[0].read_bytes()


def confirm_import(token: str) -> ImportSummary:
    filename, data = staged(token)
    summary = import_plan(parse_document(data, filename), filename, data)
    for path in _imports_dir().glob(f"{token}.*"):
        path.unlink(missing_ok=True)
    return summary


def existing_plan_for(parsed: ParsedPlan) -> Plan | None:
    return db.session.scalar(select(Plan).where(Plan.natural_key == natural_key(parsed.title, parsed.region)))


def _drop_old_uploads(max_age_seconds: int = 24 * 3600) -> None:
    """Uploads nobody confirmed within a day are removed."""
    import time

    for path in _imports_dir().iterdir():
        if time.time() - path.stat().st_mtime > max_age_seconds:
            path.unlink(missing_ok=True)


# --- executors and warnings ---------------------------------------------------------------


def bodies_for(plan: Plan) -> list[Body]:
    """The bodies an executor of this plan can be: the plan's region and national ones."""
    regions = [NATIONAL] + ([plan.region] if plan.region else [])
    return list(db.session.scalars(select(Body).where(Body.region.in_(regions)).order_by(Body.name)))


def assign_executor(executor: ActivityExecutor, body: Body) -> list[ActivityExecutor]:
    """Set the body of an executor; remember the written form as an alias of that body, so the
    next import reads it so; give the same body to the plan's other executors written the same
    way and still unresolved or only suggested. Returns every executor changed."""
    activity = executor.activity
    plan = activity.plan
    if body.region not in (plan.region, NATIONAL):
        raise PlanEditError(_("%(body)s serves %(region)s, not this plan's region.", body=body.name,
                              region=body.region))
    written = executor.written
    normalized = norm(written)
    targets = [executor]
    if written != UNNAMED:
        targets += list(db.session.scalars(
            select(ActivityExecutor).join(Activity)
            .where(Activity.plan_id == plan.id, ActivityExecutor.id != executor.id,
                   ActivityExecutor.match.in_(("unresolved", "fuzzy")))
        ))
        targets = [executor] + [e for e in targets[1:] if norm(e.written) == normalized]
    for item in targets:
        before = item.body.label if item.body else None
        item.body = body
        item.match = "assigned"
        history.record("executor.assigned", activity=item.activity, body=body,
                       details={"written": item.written, "number": item.activity.number},
                       changes={"body": (before, body.label)})
        _resolve_executor_warnings(item.activity, item.written)

    if written != UNNAMED:
        # One coordinator alias per form and region: a new choice replaces an older one.
        regions = [NATIONAL] + ([plan.region] if plan.region else [])
        for old in db.session.scalars(
                select(BodyAlias).join(Body).where(BodyAlias.normalized == normalized, Body.region.in_(regions))):
            if old.body_id != body.id:
                db.session.delete(old)
        alias = db.session.scalar(select(BodyAlias).where(BodyAlias.body_id == body.id,
                                                          BodyAlias.normalized == normalized))
        if alias is None:
            db.session.add(BodyAlias(body=body, written=written, normalized=normalized, source=LEARNED_FROM_COORDINATOR))
        else:
            alias.source = LEARNED_FROM_COORDINATOR
        history.record("alias.learned", plan=plan, body=body, details={"written": written, "body": body.label})
    db.session.commit()
    return targets


def _resolve_executor_warnings(activity: Activity, written: str) -> None:
    marker = f"«{written}»"
    for warning in db.session.scalars(select(PlanWarning).where(
            PlanWarning.plan_id == activity.plan_id, PlanWarning.activity_number == activity.number,
            PlanWarning.field == "executors", PlanWarning.resolved_at.is_(None))):
        if marker in warning.message:
            warning.resolved_at = now()


def resolve_warning(warning: PlanWarning) -> None:
    if warning.resolved_at is not None:
        raise PlanEditError(_("This warning is already resolved."))
    warning.resolved_at = now()
    history.record("warning.resolved", plan=warning.plan, details={
        "number": warning.activity_number, "field": warning.field, "message": warning.message,
        "message_data": warning.message_data})
    db.session.commit()


# --- editing ------------------------------------------------------------------------------


def _checked_plan_fields(title: str, region: str | None, period_start: date, period_end: date,
                         default_frequency: str) -> tuple[str, str | None]:
    """The title and region cleaned; PlanEditError for a field a plan cannot have."""
    title, region = clean(title), clean(region) or None
    if not title:
        raise PlanEditError(_("The title is empty."))
    if period_end < period_start:
        raise PlanEditError(_("The period ends before it starts."))
    if default_frequency not in FREQUENCIES:
        raise PlanEditError(_("Unknown reporting frequency «%(value)s».", value=default_frequency))
    return title, region


def _checked_activity_fields(plan: Plan, number: str, text: str, activity_id: int | None = None) -> str:
    """The number cleaned; PlanEditError when it is empty or taken in the plan, or the text is empty."""
    number = clean(number)
    if not number:
        raise PlanEditError(_("The number is empty."))
    clash = select(Activity).where(Activity.plan_id == plan.id, Activity.number == number)
    if activity_id is not None:
        clash = clash.where(Activity.id != activity_id)
    if db.session.scalar(clash) is not None:
        raise PlanEditError(_("Activity %(number)s already exists in this plan.", number=number))
    if not clean(text):
        raise PlanEditError(_("The activity text is empty."))
    return number


def edit_plan(plan: Plan, *, title: str, region: str | None, period_start: date, period_end: date,
              default_frequency: str) -> dict:
    title, region = _checked_plan_fields(title, region, period_start, period_end, default_frequency)
    key = natural_key(title, region)
    other = db.session.scalar(select(Plan).where(Plan.natural_key == key, Plan.id != plan.id))
    if other is not None:
        raise PlanEditError(_("Another plan already has this title and region (plan %(id)s).", id=other.id))
    schedule_before = (plan.period_start, plan.period_end, plan.default_frequency)
    diff = history.changed(plan, title=title, region=region, period_start=period_start, period_end=period_end,
                           default_frequency=default_frequency)
    plan.natural_key = key
    if schedule_before != (plan.period_start, plan.period_end, plan.default_frequency):
        for activity in plan.activities:
            _reschedule(activity, plan)
    if diff:
        history.record("plan.edited", plan=plan, changes=diff)
    db.session.commit()
    return diff


def _reschedule(activity: Activity, plan: Plan, wanted: dict | None = None, rule: str | None = None) -> None:
    """Give the activity the due dates its deadline gives now (computed here unless passed in)."""
    if wanted is None:
        wanted, _problems, rule = due_dates_of(activity, plan)
    activity.deadline_rule = rule
    kept = sync_obligations(activity, wanted)
    for day in kept:
        message = kept_due_date(day)
        db.session.add(PlanWarning(plan=plan, activity_number=activity.number, field="deadline", message=message,
                                   message_data=message.data))


def edit_activity(activity: Activity, *, number: str, section_id: int | None, text: str, completion_form: str,
                  deadline_text: str, funding_text: str) -> dict:
    """Correct the imported fields. A new deadline text gives new due dates at once; a due date
    that already has reports is never dropped."""
    plan = activity.plan
    number = _checked_activity_fields(plan, number, text, activity.id)
    deadline_changed = clean(deadline_text) != clean(activity.deadline_text)
    funding = classify_funding(funding_text)
    old_number = activity.number
    diff = history.changed(
        activity, number=number, section_id=section_id, text=text.strip(), completion_form=completion_form.strip(),
        deadline_text=deadline_text.strip(), funding_text=funding.text, funding_kind=funding.kind,
        funding_amount_kzt=funding.amount_kzt)
    if deadline_changed:
        activity.parts = []  # the sub-rows' own deadlines give way to the corrected one
        problem = _apply_deadline(activity, plan)
        if problem:
            db.session.rollback()
            raise PlanEditError(_("Deadline: %(problem)s", problem=translated_message(problem)))
    if old_number != number:
        for warning in db.session.scalars(select(PlanWarning).where(
                PlanWarning.plan_id == plan.id, PlanWarning.activity_number == old_number)):
            warning.activity_number = number
    if diff:
        history.record("activity.edited", activity=activity, changes=diff)
    db.session.commit()
    return diff


def _apply_deadline(activity: Activity, plan: Plan) -> str | None:
    wanted, problems, rule = due_dates_of(activity, plan)
    if not wanted and problems:
        return problems[0]
    _reschedule(activity, plan, wanted, rule)
    return None


def executors_as_written(activity: Activity) -> str:
    """The executors as a plan writes them, the lead first ("ББ, ДСБ, ІІД (келісім бойынша)"):
    what `set_executors` reads back."""
    return ", ".join(e.written + (f" {BY_AGREEMENT}" if e.by_agreement and e.written != UNNAMED else "")
                     for e in activity.executors)


def set_executors(activity: Activity, executors_text: str) -> list[str]:
    """Replace the executors with those written (comma-separated, the lead first), resolved as
    an import would. Returns the problems found (also stored as warnings)."""
    plan = activity.plan
    warnings: list[ParsedWarning] = []
    parsed = resolve_executors([executors_text], BodyResolver([], learned_aliases(plan.region)),
                               activity.number, msg("edited by hand"), warnings)
    bodies = BodyCache(plan.region)
    before = ", ".join(e.written for e in activity.executors)
    activity.executors = executor_rows(parsed, bodies)
    for warning in warnings:
        db.session.add(PlanWarning(plan=plan, activity_number=activity.number, field=warning.field,
                                   message=warning.message, message_data=data_of(warning.message)))
    after = ", ".join(e.written for e in activity.executors)
    if before != after:
        history.record("activity.edited", activity=activity, changes={"executors": (before, after)})
    db.session.commit()
    return [translated_message(w.message) for w in warnings]


# --- plans and activities made by hand ------------------------------------------------------


def create_plan(*, title: str, region: str | None, period_start: date, period_end: date,
                default_frequency: str) -> Plan:
    """A plan that is not a table: an instruction letter, a programme. Activities are added by hand."""
    title, region = _checked_plan_fields(title, region, period_start, period_end, default_frequency)
    key = natural_key(title, region)
    if db.session.scalar(select(Plan).where(Plan.natural_key == key)) is not None:
        raise PlanEditError(_("A plan with this title and region already exists."))
    plan = Plan(title=title, region=region, period_start=period_start, period_end=period_end,
                default_frequency=default_frequency, natural_key=key, source_format="manual", expected_results=[])
    db.session.add(plan)
    db.session.flush()
    history.record("plan.created", plan=plan, details={"title": title})
    db.session.commit()
    return plan


def add_activity(plan: Plan, *, number: str, section_title: str, text: str, completion_form: str,
                 executors_text: str, deadline_text: str, funding_text: str) -> Activity:
    number = _checked_activity_fields(plan, number, text)
    if not clean(executors_text):
        raise PlanEditError(_("Name at least one executor; the first named is the lead."))
    section = None
    if clean(section_title):
        section = db.session.scalar(select(Section).where(
            Section.plan_id == plan.id, or_(Section.title == clean(section_title), Section.number == clean(section_title))))
        if section is None:
            section = Section(plan=plan, number=str(len(plan.sections) + 1), title=clean(section_title),
                              position=len(plan.sections))
            db.session.add(section)
    funding = classify_funding(funding_text)
    activity = Activity(plan=plan, number=number, position=len(plan.activities), section=section,
                        text=text.strip(), completion_form=completion_form.strip(),
                        deadline_text=deadline_text.strip(), funding_text=funding.text, funding_kind=funding.kind,
                        funding_amount_kzt=funding.amount_kzt, parts=[], source_ref="portal")
    db.session.add(activity)
    wanted, problems, rule = due_dates_of(activity, plan)
    if not wanted:
        db.session.rollback()
        raise PlanEditError(_("Deadline: %(problem)s", problem=translated_message(problems[0]) if problems else _("no due date")))
    activity.deadline_rule = rule
    sync_obligations(activity, wanted)
    db.session.flush()
    history.record("activity.added", activity=activity, details={"number": number})
    set_executors(activity, executors_text)  # commits
    return activity

