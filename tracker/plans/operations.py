"""What a coordinator does to plans in the portal: import with a preview, correct fields,
assign executors (teaching the resolver an alias), resolve warnings, make plans by hand.

Each function changes the database, records the change in the history and commits, or
raises PlanEditError and changes nothing.
"""

import hashlib
import hmac
import pickle
import uuid
from datetime import date
from pathlib import Path, PurePath

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from tracker import history
from tracker.calendar import working_calendar
from tracker.core.clock import now, today
from tracker.core.days import day_range
from tracker.core.formatting import translated_message
from tracker.core.messages import data_of, msg
from tracker.core.personal_data import PersonalDataFound, find_iins, masked, refuse_personal_data
from tracker.core.text import clean, norm
from tracker.executors.models import LEARNED_FROM_COORDINATOR, NATIONAL, Body, BodyAlias
from tracker.executors.resolve import BodyResolver, Target
from tracker.extensions import db
from tracker.plans.amendments import amendment_of
from tracker.plans.engine import PlanFormatError, parse_plan
from tracker.plans.engine.funding import classify_funding
from tracker.plans.engine.parse import BY_AGREEMENT, UNNAMED, ParsedPlan, ParsedWarning, resolve_executors
from tracker.plans.importer import (
    AmendmentDecision,
    BodyCache,
    ImportSummary,
    check_fits,
    executor_rows,
    import_plan,
    natural_key,
)
from tracker.plans.models import Activity, ActivityExecutor, Plan, PlanWarning, Section
from tracker.plans.obligations import Schedule, kept_due_date, schedule_of, sync_obligations
from tracker.schedule.deadlines import FREQUENCIES
from tracker.schedule.workdays import NON_WORKING_RULES

#: no plan runs longer (the interagency plans run 3 years, the national ones 5 or 10)
MAX_PLAN_YEARS = 20


class PlanEditError(ValueError):
    """Why a change to a plan cannot be made, for the person in front of the form."""


# --- learned aliases --------------------------------------------------------------------


def learned_aliases(region: str | None) -> dict[str, Target]:
    """The forms coordinators assigned to bodies of this region (and to national bodies).

    An extra for a migrated database: `flask plans parse` reads a plan on a fresh clone, before
    any migration, and then there is nothing learned yet. The table is looked up, not the query
    tried: a failing query would hide real faults and, on PostgreSQL, spoil the transaction."""
    from sqlalchemy import inspect

    if not inspect(db.session.connection()).has_table(BodyAlias.__tablename__):
        return {}
    regions = [NATIONAL] + ([region] if region else [])
    rows = db.session.execute(
        select(BodyAlias.normalized, Body).join(Body)
        .where(BodyAlias.source == LEARNED_FROM_COORDINATOR, Body.region.in_(regions))).all()
    return {normalized: Target(
        name=body.name, abbreviation=body.abbreviation, name_ru=body.name_ru, key=body.identity,
        registry_key=body.registry_key, national=body.region == NATIONAL) for normalized, body in rows}


def parse_document(data: bytes, filename: str) -> ParsedPlan:
    """Parse an upload; a value too long to store, or an IIN anywhere the portal would store or
    show it, is refused here already, before the preview (and before the file is staged)."""
    parsed = parse_plan(data, filename, max_bytes=current_app.config["MAX_PLAN_BYTES"],
                        learned_aliases=learned_aliases)
    check_fits(parsed)
    refuse_personal_data_in(parsed, filename)
    return parsed


def refuse_personal_data_in(parsed: ParsedPlan, filename: str | None = None) -> None:
    """PlanFormatError naming the row (or the part of the plan) where an IIN is written: the cells
    of every activity and sub-row, the sections, title, region, legend and expected results, the
    notes the import would store (they quote cells it could not read), and the file name."""

    def refuse(where, *texts) -> None:
        for text in texts:
            found = find_iins(str(text) if text is not None else None)
            if found:
                raise PlanFormatError(msg(
                    "%(where)s: an IIN (%(iin)s) is written in the plan; plans are about programmes and must not "
                    "carry personal identification numbers: remove it and upload the plan again",
                    where=where, iin=masked(found[0])))

    refuse(msg("the file name"), filename)
    refuse(msg("the title or region"), parsed.title, parsed.region)
    refuse(msg("the legend"), *(text for entry in parsed.legend for text in (entry.abbreviation, entry.name)))
    refuse(msg("the expected results"), *parsed.expected_results)
    for number, title in parsed.sections:
        refuse(msg("section %(number)s", number=number), number, title)
    for item in parsed.activities:
        refuse(item.source_ref, item.number, item.section, item.text, item.completion_form, item.deadline.text,
               item.funding.text, *(e.written for e in item.executors),
               *(text for part in item.parts for text in (part.completion_form, part.deadline.text, part.funding.text)))
    for warning in parsed.warnings:
        where = getattr(warning.message, "params", {}).get("ref") or msg("a note of the import")
        refuse(where, warning.message)


# --- import from the browser: upload → preview → confirm --------------------------------


def _imports_dir() -> Path:
    folder = Path(current_app.config["IMPORTS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


#: beside each staged upload: its original name, and the plan as the upload read it
_NAME, _PARSED = ".name", ".parsed"


def stage_upload(filename: str, data: bytes) -> tuple[str, ParsedPlan]:
    """Parse the upload (PlanFormatError if it is not a plan) and keep the bytes until the
    coordinator confirms. Returns the token that names the staged file.

    The plan as read is kept with it: the preview and the confirmation use what was read here
    instead of parsing a 20 MB file again each time (the preview shows exactly what the
    confirmation stores). The pickle is written and read only by the portal, under IMPORTS_DIR,
    named by a random token."""
    parsed = parse_document(data, filename)
    token = uuid.uuid4().hex
    suffix = PurePath(filename).suffix.lower()[:6]
    folder = _imports_dir()
    (folder / f"{token}{suffix}").write_bytes(data)
    _write_signed_pickle(folder / f"{token}{_PARSED}", parsed)
    (folder / f"{token}{_NAME}").write_text(PurePath(filename).name[:255], encoding="utf-8")
    _drop_old_uploads()
    return token, parsed


def staged(token: str) -> tuple[str, bytes]:
    """The staged upload's original name and bytes; LookupError when it is gone."""
    if not token.isalnum() or len(token) != 32:
        raise LookupError(token)
    folder = _imports_dir()
    name_file = folder / f"{token}{_NAME}"
    data_files = [p for p in folder.glob(f"{token}.*") if p.suffix not in (_NAME, _PARSED)]
    if not name_file.exists() or not data_files:
        raise LookupError(token)
    return name_file.read_text(encoding="utf-8"), data_files[0].read_bytes()


def _mac(payload: bytes | memoryview = b""):
    return hmac.new(current_app.config["SECRET_KEY"].encode(), payload, hashlib.sha256)


class _SigningWriter:
    """A file that signs what is written to it (pickle.dump writes its frames through it)."""

    def __init__(self, handle, mac):
        self.handle, self.mac = handle, mac

    def write(self, chunk) -> int:
        self.mac.update(chunk)
        return self.handle.write(chunk)


def _write_signed_pickle(path: Path, value) -> None:
    """The signature (32 bytes), then the pickle: written as it is made, so a 20,000-activity plan's
    30 MB pickle is never held whole in memory (a file cut short fails the signature)."""
    mac = _mac()
    with path.open("wb") as handle:
        handle.write(bytes(32))
        pickle.dump(value, _SigningWriter(handle, mac), protocol=pickle.HIGHEST_PROTOCOL)
        handle.seek(0)
        handle.write(mac.digest())


def _verified(stored: bytes) -> memoryview | None:
    """The payload, if the portal signed it (a file put into IMPORTS_DIR by anything else is read
    as no kept plan: the upload is parsed again)."""
    mark, payload = stored[:32], memoryview(stored)[32:]
    return payload if hmac.compare_digest(mark, _mac(payload).digest()) else None


def staged_plan(token: str) -> tuple[str, bytes, ParsedPlan]:
    """The staged upload and the plan as it was read when it was staged (read again if that is
    missing or from an older version of the portal); LookupError when the upload is gone."""
    filename, data = staged(token)
    try:
        kept = _verified((_imports_dir() / f"{token}{_PARSED}").read_bytes())
        # nosec B301: only bytes this portal wrote and signed with its SECRET_KEY are unpickled
        parsed = pickle.loads(kept) if kept is not None else None  # nosec B301
    except (OSError, pickle.UnpicklingError, AttributeError, EOFError, TypeError, ImportError):
        parsed = None
    if not isinstance(parsed, ParsedPlan):
        parsed = parse_document(data, filename)
    return filename, data, parsed


def confirm_import(token: str, amendment_number: str | None = None, amendment_date: date | None = None) -> ImportSummary:
    """Import the staged upload. A plan already in the portal that the upload changes is an
    amendment: it needs the number and the date of the resolution that made it, which the plan's
    history keeps (PlanEditError otherwise, and nothing is stored)."""
    filename, data, parsed = staged_plan(token)
    existing = existing_plan_for(parsed)
    decision = None
    if existing is not None:
        amendment = amendment_of(existing, parsed)
        if not amendment.is_empty:
            number = clean(amendment_number)
            if not number or amendment_date is None:
                raise PlanEditError(_("This upload changes the plan: give the number and the date of the resolution "
                                      "that amended it."))
            if amendment_date > today():
                raise PlanEditError(_("Resolution date: %(day)s is in the future.", day=amendment_date.isoformat()))
            decision = AmendmentDecision(number[:60], amendment_date, amendment.summary())
    summary = import_plan(parsed, filename, data, decision)
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
    plan.figures_stale = True
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


def _refuse_personal_data(**fields: str | None) -> None:
    """PlanEditError naming the field a coordinator typed an IIN into: plans are about
    programmes, and an activity edit must not become the place a child's number is kept."""
    try:
        refuse_personal_data(**fields)
    except PersonalDataFound as found:
        labels = {"title": _("Title"), "region": _("Region"), "number": _("Number"), "section": _("Section"),
                  "text": _("Activity"), "completion_form": _("Completion form"), "deadline": _("Deadline"),
                  "funding": _("Funding"), "executors": _("Executors")}
        raise PlanEditError(_("«%(field)s» contains an IIN (%(iin)s). Plans must not carry personal identification "
                              "numbers; remove it.", field=labels[found.field], iin=found.masked)) from None


def _checked_plan_fields(title: str, region: str | None, period_start: date, period_end: date,
                         default_frequency: str) -> tuple[str, str | None]:
    """The title and region cleaned; PlanEditError for a field a plan cannot have."""
    _refuse_personal_data(title=title, region=region)
    title, region = clean(title), clean(region) or None
    if not title:
        raise PlanEditError(_("The title is empty."))
    if period_end < period_start:
        raise PlanEditError(_("The period ends before it starts."))
    first, last = day_range()
    if period_start < first or period_end > last:
        raise PlanEditError(_("The period must lie between %(first)s and %(last)s.", first=first.isoformat(),
                              last=last.isoformat()))
    if period_end.year - period_start.year >= MAX_PLAN_YEARS:
        raise PlanEditError(_("A plan's period is at most %(n)s years.", n=MAX_PLAN_YEARS))
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
              default_frequency: str, non_working_rule: str | None = None,
              escalation_working_days: int | None = None, delegation_working_days: int | None = None) -> dict:
    """Correct the plan's own fields; a new period, frequency of ongoing items or rule for dates on
    non-working days recomputes every activity's due dates (those with reports are kept)."""
    title, region = _checked_plan_fields(title, region, period_start, period_end, default_frequency)
    if non_working_rule is not None and non_working_rule not in NON_WORKING_RULES:
        raise PlanEditError(_("Unknown rule for dates on non-working days «%(value)s».", value=non_working_rule))
    if escalation_working_days is not None and not 1 <= escalation_working_days <= 250:
        raise PlanEditError(_("Escalate after: between 1 and 250 working days, not %(value)s.",
                              value=escalation_working_days))
    if delegation_working_days is not None and not 0 <= delegation_working_days <= 60:
        raise PlanEditError(_("Handed down earlier by: between 0 and 60 working days, not %(value)s.",
                              value=delegation_working_days))
    key = natural_key(title, region)
    other = db.session.scalar(select(Plan).where(Plan.natural_key == key, Plan.id != plan.id))
    if other is not None:
        raise PlanEditError(_("Another plan already has this title and region (plan %(id)s).", id=other.id))
    schedule_before = (plan.period_start, plan.period_end, plan.default_frequency, plan.non_working_rule)
    diff = history.changed(plan, title=title, region=region, period_start=period_start, period_end=period_end,
                           default_frequency=default_frequency,
                           non_working_rule=non_working_rule or plan.non_working_rule,
                           escalation_working_days=escalation_working_days or plan.escalation_working_days,
                           delegation_working_days=plan.delegation_working_days if delegation_working_days is None
                           else delegation_working_days)
    plan.natural_key = key
    plan.figures_stale = True
    if schedule_before != (plan.period_start, plan.period_end, plan.default_frequency, plan.non_working_rule):
        calendar = working_calendar()
        for activity in plan.activities:
            _reschedule(activity, plan, schedule_of(activity, plan, calendar))
    if diff:
        history.record("plan.edited", plan=plan, changes=diff)
    db.session.commit()
    return diff


def _reschedule(activity: Activity, plan: Plan, schedule: Schedule) -> None:
    """Give the activity the due dates its deadline gives now."""
    activity.deadline_rule = schedule.rule
    kept = sync_obligations(activity, schedule.wanted, schedule.waiting)
    for day in kept:
        message = kept_due_date(day)
        db.session.add(PlanWarning(plan=plan, activity_number=activity.number, field="deadline", message=message,
                                   message_data=message.data))


def edit_activity(activity: Activity, *, number: str, section_id: int | None, text: str, completion_form: str,
                  deadline_text: str, funding_text: str) -> dict:
    """Correct the imported fields. A new deadline text gives new due dates at once; a due date
    that already has reports is never dropped."""
    plan = activity.plan
    _refuse_personal_data(number=number, text=text, completion_form=completion_form, deadline=deadline_text,
                          funding=funding_text)
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
    plan.figures_stale = True
    if old_number != number:
        for warning in db.session.scalars(select(PlanWarning).where(
                PlanWarning.plan_id == plan.id, PlanWarning.activity_number == old_number)):
            warning.activity_number = number
    if diff:
        history.record("activity.edited", activity=activity, changes=diff)
    db.session.commit()
    return diff


def _apply_deadline(activity: Activity, plan: Plan) -> str | None:
    schedule = schedule_of(activity, plan, working_calendar())
    if not schedule.wanted and not schedule.waiting and schedule.problems:
        return schedule.problems[0]
    _reschedule(activity, plan, schedule)
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
    _refuse_personal_data(executors=executors_text)
    warnings: list[ParsedWarning] = []
    parsed = resolve_executors([executors_text], BodyResolver([], learned_aliases(plan.region)),
                               activity.number, msg("edited by hand"), warnings)
    bodies = BodyCache(plan.region)
    plan.figures_stale = True
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
    _refuse_personal_data(number=number, section=section_title, text=text, completion_form=completion_form,
                          executors=executors_text, deadline=deadline_text, funding=funding_text)
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
    schedule = schedule_of(activity, plan, working_calendar())
    if not schedule.wanted and not schedule.waiting:
        db.session.rollback()
        raise PlanEditError(_("Deadline: %(problem)s", problem=translated_message(schedule.problems[0])
                              if schedule.problems else _("no due date")))
    activity.deadline_rule = schedule.rule
    sync_obligations(activity, schedule.wanted, schedule.waiting)
    plan.figures_stale = True
    db.session.flush()
    history.record("activity.added", activity=activity, details={"number": number})
    set_executors(activity, executors_text)  # commits
    return activity

