"""Indicators in the portal: proposals confirmed, indicators edited and assigned, actuals entered
and reviewed, and the figures the pages, the dashboard and the workbook show — each rule once.

- **The status rule** is `status_of` (its docstring is the rule the README quotes).
- **The obligations**: every reporting period of an indicator is an `IndicatorPeriod` with a due
  date — the period's end plus the indicator's reporting rule (N working days on the Kazakh
  working calendar, or day N of the next month) — owed by the indicator's responsible body. Its
  reporting status is the one every due date of the portal has (tracker.reports.status), read off
  the latest actual of the indicator's own scope.
- **The figures** of any day come from one function, `figures_frame` (pandas: the latest version
  of each actual by the day asked, merged with the targets per period and scope), which the
  indicator page, the plan's panel, a body's list, the dashboard and the workbook all read.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker import history
from tracker.auth.models import AccountRole, User
from tracker.calendar import working_calendar
from tracker.core.clock import local_date, now, today
from tracker.core.personal_data import PersonalDataFound, refuse_personal_data
from tracker.core.text import clean, fold
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.indicators import reading
from tracker.indicators.labels import SCOPE_WORDS, period_label, scope_labels, unit_labels
from tracker.indicators.models import (
    DueKind,
    Indicator,
    IndicatorActual,
    IndicatorEvidence,
    IndicatorPeriod,
    IndicatorState,
    IndicatorTarget,
    IndicatorText,
    TargetSource,
)
from tracker.indicators.periods import Frequency, ReportingPeriod, parse_period, reporting_periods, year_of
from tracker.indicators.reading import ActivityText, Proposal, Scope
from tracker.indicators.signals import actual_reviewed, actual_submitted
from tracker.indicators.values import (
    Direction,
    IndicatorStatus,
    Relative,
    Unit,
    ValueProblem,
    names_a_person,
    number_of,
    plain,
    read_value,
    relative_target,
)
from tracker.plans.models import Activity, ActivityExecutor, Plan
from tracker.plans.operations import bodies_for
from tracker.reports import evidence as evidence_files
from tracker.reports.status import LeadReportState, ReportState, Status, obligation_status

#: the history's words for what happens to indicators (tracker.history.ACTIONS)
INDICATOR_ACTIONS = ("indicator.confirmed", "indicator.dismissed", "indicator.edited", "indicator.assigned",
                     "indicator.text_added", "actual.submitted", "actual.resubmitted", "actual.accepted",
                     "actual.returned")
#: the tolerance an indicator starts with: 5 % of the target
DEFAULT_TOLERANCE = 0.05


class IndicatorError(ValueError):
    """Why an indicator or an actual cannot be stored, for the person in front of the form;
    `field` names the form field it concerns (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ChangedMeanwhile(IndicatorError):
    """Someone else reviewed the actual after this person opened the page."""


# --- the status rule -----------------------------------------------------------------------------


def status_of(direction: str, target: float | None, actual: float | None, tolerance: float) -> IndicatorStatus:
    """The status of an indicator in one period and scope: its actual against its target.

    - **no data** — no actual in force (none entered, or the latest was returned), or no target
      to compare it with;
    - **keep at zero** — on track when the actual is 0, off track otherwise (no tolerance: one
      repeated attempt is one too many);
    - **down** ("5 % fewer a year") — on track when actual ≤ target; at risk when actual ≤
      target × (1 + tolerance); off track above that;
    - **up** and **reach a level** — on track when actual ≥ target; at risk when actual ≥
      target × (1 − tolerance); off track below that.

    The tolerance is set by the coordinator per indicator, as a share of the target (5 % unless
    set). Example: Karaganda's offences among minors in the region, 2024 target 87, tolerance
    5 %: 85 is on track, 90 at risk (≤ 91.35), 95 off track. An actual in force is the latest
    version submitted by the day asked: accepted, or still awaiting review (the page says which).
    """
    if actual is None:
        return IndicatorStatus.NO_DATA
    if direction == Direction.ZERO:
        return IndicatorStatus.ON_TRACK if actual == 0 else IndicatorStatus.OFF_TRACK
    if target is None:
        return IndicatorStatus.NO_DATA
    if direction == Direction.DOWN:
        if actual <= target:
            return IndicatorStatus.ON_TRACK
        return IndicatorStatus.AT_RISK if actual <= target * (1 + tolerance) else IndicatorStatus.OFF_TRACK
    if actual >= target:
        return IndicatorStatus.ON_TRACK
    return IndicatorStatus.AT_RISK if actual >= target * (1 - tolerance) else IndicatorStatus.OFF_TRACK


def overall_status(statuses_by_period: list[str]) -> str:
    """An indicator's status on a plan's panel and the dashboard: that of its latest period with
    an actual in force (periods in order); no data when none has one."""
    return next((s for s in reversed(statuses_by_period) if s != IndicatorStatus.NO_DATA), IndicatorStatus.NO_DATA)


# --- who may do what -----------------------------------------------------------------------------


def can_edit(user: User) -> bool:
    """Confirm proposals, edit indicators, assign the responsible body: the coordinator."""
    return user.is_authenticated and user.role == AccountRole.COORDINATOR


def can_review(user: User) -> bool:
    return user.is_authenticated and user.role == AccountRole.COORDINATOR


def may_report(user: User, indicator: Indicator) -> bool:
    """An executor of the indicator's responsible body enters its actuals."""
    return (user.is_authenticated and user.role == AccountRole.EXECUTOR and user.body_id is not None
            and indicator.body_id == user.body_id)


# --- proposals -----------------------------------------------------------------------------------


def plan_years(plan: Plan) -> list[int]:
    return list(range(plan.period_start.year, plan.period_end.year + 1))


def activity_texts(plan: Plan) -> list[ActivityText]:
    activities = db.session.scalars(
        select(Activity).where(Activity.plan_id == plan.id).order_by(Activity.position)
        .options(selectinload(Activity.executors).selectinload(ActivityExecutor.body),
                 selectinload(Activity.obligations)))
    texts = []
    for activity in activities:
        years = sorted({d.year for o in activity.obligations for d in (o.original_due_date or o.due_date,) if d})
        lead = activity.lead
        name = (lead.body.name if lead.body else lead.written) if lead else None
        texts.append(ActivityText(activity.number, activity.text, activity.completion_form, tuple(years), name))
    return texts


def plan_proposals(plan: Plan, include_taken: bool = False) -> list[Proposal]:
    """What the plan states as indicators — its expected results, the lines a coordinator added,
    the quantities of its completion forms — less those already confirmed or dismissed."""
    years = plan_years(plan)
    scope = reading.plan_scope_of(plan.region)
    activities = activity_texts(plan)
    proposals = reading.read_results(plan.expected_results or [], years=years, plan_scope=scope, activities=activities)
    for added in db.session.scalars(select(IndicatorText).where(IndicatorText.plan_id == plan.id)
                                    .order_by(IndicatorText.id)):
        proposals += reading.read_results(added.text.splitlines(), years=years, plan_scope=scope,
                                          frequency=added.frequency, activities=activities,
                                          key_prefix=f"text:{added.id}")
    proposals += reading.read_completion_forms(activities, years=years)
    if include_taken:
        return proposals
    taken = set(db.session.scalars(select(Indicator.source_key).where(Indicator.plan_id == plan.id)))
    return [p for p in proposals if p.key not in taken]


def add_text(plan: Plan, text: str, frequency: str | None, user: User) -> tuple[IndicatorText, int]:
    """Lines of a programme for the reader (its "Тиімділік көрсеткіштері"); returns the row and
    how many indicators they propose. The frequency is the one chosen, else what the lines say
    ("тоқсан сайын тиімділікті талдау"), else yearly."""
    lines = [clean(line) for line in (text or "").splitlines() if clean(line)]
    if not lines:
        raise IndicatorError(_("Paste the lines of the plan that state its results, one per line."), "text")
    _refuse_iins(text=text)
    frequency = frequency or reading.reporting_frequency(lines) or Frequency.ANNUAL
    if frequency not in tuple(Frequency):
        raise IndicatorError(_("Choose how often the results are reported."), "frequency")
    years = plan_years(plan)
    found = reading.read_results(lines, years=years, plan_scope=reading.plan_scope_of(plan.region),
                                 frequency=frequency)
    if not found:
        raise IndicatorError(_("None of these lines states a result with a direction (fewer, more, none, "
                               "at least…); nothing was added."), "text")
    row = IndicatorText(plan_id=plan.id, text="\n".join(lines), frequency=frequency, created_by_id=user.id)
    db.session.add(row)
    db.session.flush()
    history.record("indicator.text_added", plan=plan, details={"lines": len(lines), "indicators": len(found)})
    db.session.commit()
    return row, len(found)


# --- the form's data -----------------------------------------------------------------------------


class RelativeKind:
    NONE = ""
    CHANGE = "change"
    PER_YEAR = "per_year"
    FEWER = "fewer"


@dataclass
class IndicatorInput:
    """An indicator as the form carries it (text, as typed): what `confirm_proposal` and
    `edit_indicator` check and store."""

    source_key: str = ""
    name: str = ""
    unit: str = Unit.FACTS
    direction: str = Direction.DOWN
    scope: str = Scope.REGION
    frequency: str = Frequency.ANNUAL
    baseline_year: str = ""
    baseline_value: str = ""
    relative_kind: str = RelativeKind.NONE
    relative_percent: str = ""
    relative_at_least: bool = False
    #: one target a line: "<period> <scope> <value>", e.g. "2024 облыс 87"
    targets: str = ""
    #: activity numbers, "3, 12"
    activities: str = ""
    body_id: int = 0
    #: percent of the target
    tolerance: str = "5"
    due_kind: str = DueKind.WORKING_DAYS
    due_n: str = "5"


def _number_text(value: float | None) -> str:
    return "" if value is None else f"{plain(value)}"


def target_lines(targets, own_scope: str) -> str:
    """The targets as the form's lines: the indicator's own scope first, each scope by period."""
    words = scope_labels()
    ordered = sorted(targets, key=lambda t: (t.scope != own_scope, t.scope, t.period))
    return "\n".join(f"{t.period} {words.get(t.scope, t.scope)} {_number_text(t.value)}" for t in ordered)


def _relative_fields(relative: Relative | None) -> tuple[str, str, bool]:
    if relative is None:
        return RelativeKind.NONE, "", False
    if relative.percent is None:
        return RelativeKind.FEWER, "", relative.at_least
    return (RelativeKind.PER_YEAR if relative.per_year else RelativeKind.CHANGE, _number_text(relative.percent),
            relative.at_least)


def input_from_proposal(proposal: Proposal, plan: Plan) -> IndicatorInput:
    kind, percent, at_least = _relative_fields(proposal.relative)
    body_id = 0
    if proposal.body:
        wanted = fold(proposal.body)
        body_id = next((b.id for b in bodies_for(plan) if fold(b.name) == wanted or fold(b.display_name) == wanted), 0)
    return IndicatorInput(
        source_key=proposal.key, name=proposal.name, unit=proposal.unit, direction=proposal.direction,
        scope=proposal.scope, frequency=proposal.frequency,
        baseline_year=str(proposal.baseline.year) if proposal.baseline and proposal.baseline.year else "",
        baseline_value=_number_text(proposal.baseline.value) if proposal.baseline else "",
        relative_kind=kind, relative_percent=percent, relative_at_least=at_least,
        targets=target_lines(proposal.targets, proposal.scope), activities=", ".join(proposal.activities), body_id=body_id,
        tolerance=_number_text(DEFAULT_TOLERANCE * 100))


def input_from_indicator(indicator: Indicator) -> IndicatorInput:
    kind, percent, at_least = _relative_fields(Relative.from_json(indicator.relative))
    return IndicatorInput(
        source_key=indicator.source_key, name=indicator.name, unit=indicator.unit, direction=indicator.direction,
        scope=indicator.scope, frequency=indicator.frequency,
        baseline_year=str(indicator.baseline_year) if indicator.baseline_year else "",
        baseline_value=_number_text(indicator.baseline_value), relative_kind=kind, relative_percent=percent,
        relative_at_least=at_least,
        targets=target_lines([t for t in indicator.targets if t.source != TargetSource.RELATIVE], indicator.scope),
        activities=", ".join(a.number for a in indicator.activities), body_id=indicator.body_id or 0,
        tolerance=_number_text(round(indicator.tolerance * 100, 4)), due_kind=indicator.due_kind,
        due_n=str(indicator.due_n))


@dataclass
class _Checked:
    name: str
    unit: str
    direction: str
    scope: str
    frequency: str
    periods: list[ReportingPeriod]
    baseline_year: int | None
    baseline_value: float | None
    relative: Relative | None
    targets: dict[tuple[str, str], float]
    activities: list[Activity]
    body: Body | None
    tolerance: float
    due_kind: str
    due_n: int


def value_message(problem: ValueProblem, field: str, unit: str | None = None) -> str:
    """A refused value, said for the field (or the row and column) it was typed in."""
    if problem.code == "empty":
        return _("%(field)s: enter a number.", field=field)
    if problem.code == "not_a_number":
        return _("%(field)s: «%(value)s» is not a number.", field=field, value=problem.shown)
    if problem.code == "negative":
        return _("%(field)s: a count cannot be negative (%(value)s).", field=field, value=problem.shown)
    if problem.code == "not_whole":
        return _("%(field)s: %(value)s is not a whole number; %(unit)s are counted in whole numbers.", field=field,
                 value=problem.shown, unit=unit_labels().get(unit, unit))
    if problem.code == "over_100":
        return _("%(field)s: a percentage cannot be over 100 (%(value)s).", field=field, value=problem.shown)
    return _("%(field)s: %(value)s looks like an IIN. An actual is an aggregate number, never a person's data.",
             field=field, value=problem.shown)


def _refuse_iins(**fields: str | None) -> None:
    try:
        refuse_personal_data(**fields)
    except PersonalDataFound as found:
        raise IndicatorError(_("The text contains an IIN (%(iin)s); remove it.", iin=found.masked), found.field) from None


def _scope_of_word(word: str) -> str | None:
    folded = fold(word.strip())
    for scope, words in SCOPE_WORDS.items():
        if folded == scope or folded in {fold(w) for w in words} or folded == fold(scope_labels()[scope]):
            return scope
    return None


_TARGET_LINE = re.compile(r"^(?P<period>.+?)\s+(?:(?P<scope>[^\d\s+-]\S*)\s+)?(?P<value>[-+]?\d[\d\s.,]*\s*%?)$")


def parse_period_for(text: object, periods: list[ReportingPeriod], plan: Plan, field: str) -> ReportingPeriod:
    """A period as written → one of the indicator's reporting periods, or IndicatorError naming the field."""
    key = parse_period(text)
    shown = str(text).strip()[:40]
    if key is None:
        raise IndicatorError(_("%(field)s: «%(value)s» is not a period; write a year (2024), a quarter (2024Q1) "
                               "or a month (2024-03).", field=field, value=shown), "period")
    if not plan.period_start.year <= year_of(key) <= plan.period_end.year:
        raise IndicatorError(_("%(field)s: %(value)s is outside the plan's period %(first)s–%(last)s.", field=field,
                               value=shown, first=plan.period_start.year, last=plan.period_end.year), "period")
    found = next((p for p in periods if p.key == key), None)
    if found is None:
        raise IndicatorError(_("%(field)s: %(value)s is not one of this indicator's reporting periods (%(first)s … "
                               "%(last)s).", field=field, value=shown, first=period_label(periods[0].key),
                               last=period_label(periods[-1].key)), "period")
    return found


def _parse_targets(text: str, periods: list[ReportingPeriod], plan: Plan, scope: str, unit: str,
                   direction: str) -> dict[tuple[str, str], float]:
    targets: dict[tuple[str, str], float] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = clean(line)
        if not line:
            continue
        where = _("Targets, line %(n)s", n=number)
        found = _TARGET_LINE.match(line)
        if not found:
            raise IndicatorError(_("%(where)s: «%(line)s» — write the period, the scope and the value, e.g. "
                                   "«2024 %(scope)s 87».", where=where, line=line[:60],
                                   scope=scope_labels()[Scope.REGION]), "targets")
        try:
            period = parse_period_for(found["period"], periods, plan, where)
        except IndicatorError as error:
            raise IndicatorError(str(error), "targets") from None
        line_scope = scope
        if found["scope"]:
            line_scope = _scope_of_word(found["scope"])
            if line_scope is None:
                raise IndicatorError(_("%(where)s: «%(word)s» is not a scope; write one of: %(words)s.", where=where,
                                       word=found["scope"], words=", ".join(scope_labels().values())), "targets")
        try:
            value = read_value(found["value"].strip(), unit)
        except ValueProblem as problem:
            raise IndicatorError(value_message(problem, where, unit), "targets") from None
        if (period.key, line_scope) in targets:
            raise IndicatorError(_("%(where)s: a target for %(period)s (%(scope)s) is given twice.", where=where,
                                   period=period_label(period.key), scope=scope_labels()[line_scope]), "targets")
        targets[(period.key, line_scope)] = value
    return targets


def _check(plan: Plan, data: IndicatorInput) -> _Checked:
    name = clean(data.name)
    if not name:
        raise IndicatorError(_("Name: the indicator needs a name."), "name")
    _refuse_iins(name=name)
    for field, value, allowed in (("unit", data.unit, Unit), ("direction", data.direction, Direction),
                                  ("scope", data.scope, Scope), ("frequency", data.frequency, Frequency),
                                  ("due_kind", data.due_kind, DueKind)):
        if value not in tuple(allowed):
            raise IndicatorError(_("Choose one of the offered values."), field)
    periods = reporting_periods(plan.period_start, plan.period_end, data.frequency)

    baseline_year = None
    if clean(data.baseline_year):
        year = number_of(clean(data.baseline_year))
        if year is None or not year.is_integer() or not 1990 <= year <= plan.period_end.year:
            raise IndicatorError(_("Baseline year: «%(value)s» is not a year up to %(last)s.",
                                   value=clean(data.baseline_year)[:20], last=plan.period_end.year), "baseline_year")
        baseline_year = int(year)
    baseline_value = None
    if clean(data.baseline_value):
        try:
            baseline_value = read_value(clean(data.baseline_value), data.unit)
        except ValueProblem as problem:
            raise IndicatorError(value_message(problem, _("Baseline value"), data.unit), "baseline_value") from None

    relative = None
    if data.relative_kind == RelativeKind.FEWER:
        relative = Relative(None, at_least=bool(data.relative_at_least))
    elif data.relative_kind in (RelativeKind.CHANGE, RelativeKind.PER_YEAR):
        percent = number_of(clean(data.relative_percent))
        if percent is None or not 0 < percent <= 100:
            raise IndicatorError(_("Relative target: give the change as a percentage between 0 and 100."),
                                 "relative_percent")
        relative = Relative(percent, per_year=data.relative_kind == RelativeKind.PER_YEAR,
                            at_least=bool(data.relative_at_least))
    elif data.relative_kind != RelativeKind.NONE:
        raise IndicatorError(_("Choose one of the offered values."), "relative_kind")

    targets = _parse_targets(data.targets, periods, plan, data.scope, data.unit, data.direction)

    activities = []
    numbers = [clean(n) for n in re.split(r"[,;\s]+", data.activities or "") if clean(n)]
    if numbers:
        by_number = {a.number: a for a in db.session.scalars(select(Activity).where(Activity.plan_id == plan.id))}
        for number in numbers:
            if number not in by_number:
                raise IndicatorError(_("Activities: the plan has no activity «%(number)s».", number=number[:20]),
                                     "activities")
            if by_number[number] not in activities:
                activities.append(by_number[number])
    if data.scope == Scope.ACTIVITY and not activities:
        raise IndicatorError(_("Activities: a target of an activity names that activity."), "activities")

    body = None
    if data.body_id:
        body = next((b for b in bodies_for(plan) if b.id == data.body_id), None)
        if body is None:
            raise IndicatorError(_("Responsible body: choose a body of this plan's region or a national one."),
                                 "body_id")

    tolerance = number_of(clean(data.tolerance))
    if tolerance is None or not 0 <= tolerance <= 100:
        raise IndicatorError(_("Tolerance: give a percentage between 0 and 100."), "tolerance")
    due_n = number_of(clean(str(data.due_n)))
    limit = 60 if data.due_kind == DueKind.WORKING_DAYS else 28
    if due_n is None or not due_n.is_integer() or not (0 if data.due_kind == DueKind.WORKING_DAYS else 1) <= due_n <= limit:
        raise IndicatorError(_("Due: give a whole number of days up to %(limit)s.", limit=limit), "due_n")
    return _Checked(name, data.unit, data.direction, data.scope, data.frequency, periods, baseline_year,
                    baseline_value, relative, targets, activities, body, tolerance / 100, data.due_kind, int(due_n))


def confirm_proposal(plan: Plan, data: IndicatorInput, user: User) -> Indicator:
    """A proposal, as the coordinator confirmed or corrected it, becomes an indicator (with its
    targets, its reporting periods and their due dates), in one transaction."""
    proposal = next((p for p in plan_proposals(plan, include_taken=True) if p.key == data.source_key), None)
    if proposal is None:
        raise IndicatorError(_("This proposal is no longer offered; open the page again."))
    if db.session.scalar(select(Indicator.id).where(Indicator.plan_id == plan.id,
                                                    Indicator.source_key == proposal.key)) is not None:
        raise IndicatorError(_("This proposal was already confirmed or dismissed."))
    checked = _check(plan, data)
    position = len(db.session.scalars(select(Indicator.id).where(Indicator.plan_id == plan.id)).all())
    indicator = Indicator(plan_id=plan.id, source_key=proposal.key, state=IndicatorState.CONFIRMED, position=position,
                          text=proposal.text, suggested_body=proposal.body, created_by_id=user.id)
    db.session.add(indicator)
    try:
        _apply(indicator, plan, checked, TargetSource.PLAN)
        db.session.flush()
    except IntegrityError:  # the same proposal confirmed by another coordinator a moment ago
        db.session.rollback()
        raise IndicatorError(_("This proposal was already confirmed or dismissed.")) from None
    history.record("indicator.confirmed", plan=plan, activity=_activity_of(indicator), body=indicator.body,
                   details=_details(indicator, targets=len(indicator.targets)))
    db.session.commit()
    return indicator


def dismiss_proposal(plan: Plan, source_key: str, user: User) -> None:
    proposal = next((p for p in plan_proposals(plan) if p.key == source_key), None)
    if proposal is None:
        raise IndicatorError(_("This proposal is no longer offered; open the page again."))
    indicator = Indicator(plan_id=plan.id, source_key=proposal.key, state=IndicatorState.DISMISSED, text=proposal.text,
                          name=proposal.name, unit=proposal.unit, direction=proposal.direction, scope=proposal.scope,
                          frequency=proposal.frequency, created_by_id=user.id)
    db.session.add(indicator)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise IndicatorError(_("This proposal was already confirmed or dismissed.")) from None
    history.record("indicator.dismissed", plan=plan, details={"indicator": indicator.id, "name": proposal.name[:200]})
    db.session.commit()


def edit_indicator(indicator: Indicator, data: IndicatorInput, user: User) -> Indicator:
    """The coordinator's corrections: every field, the targets, the responsible body. A baseline
    entered turns relative targets into numbers; reporting periods that already have actuals are
    never dropped (the change is refused)."""
    plan = indicator.plan
    checked = _check(plan, data)
    before_targets = {(t.period, t.scope): t.value for t in indicator.targets if t.source != TargetSource.RELATIVE}
    before = {k: getattr(indicator, k) for k in ("name", "unit", "direction", "scope", "frequency", "baseline_year",
                                                 "baseline_value", "relative", "tolerance", "due_kind", "due_n")}
    before_activities = [a.number for a in indicator.activities]
    before_body = indicator.body
    try:
        _apply(indicator, plan, checked, TargetSource.COORDINATOR)
    except IndicatorError:
        db.session.rollback()  # nothing half-changed stays in the session
        raise
    changes = {k: (v, getattr(indicator, k)) for k, v in before.items() if getattr(indicator, k) != v}
    after_targets = {(t.period, t.scope): t.value for t in indicator.targets if t.source != TargetSource.RELATIVE}
    if after_targets != before_targets:
        changes["targets"] = (_targets_text(before_targets), _targets_text(after_targets))
    if [a.number for a in indicator.activities] != before_activities:
        changes["activities"] = (", ".join(before_activities), ", ".join(a.number for a in indicator.activities))
    db.session.flush()
    if changes:
        history.record("indicator.edited", plan=plan, activity=_activity_of(indicator), body=indicator.body,
                       details=_details(indicator), changes=changes)
    if indicator.body != before_body:
        history.record("indicator.assigned", plan=plan, activity=_activity_of(indicator), body=indicator.body,
                       details={**_details(indicator), "body": indicator.body.label if indicator.body else None},
                       changes={"body": (before_body.label if before_body else None,
                                         indicator.body.label if indicator.body else None)})
    db.session.commit()
    return indicator


def _targets_text(targets: dict[tuple[str, str], float]) -> str:
    return "; ".join(f"{p} {s} {_number_text(v)}" for (p, s), v in sorted(targets.items()))


def _apply(indicator: Indicator, plan: Plan, checked: _Checked, source: str) -> None:
    indicator.name, indicator.unit, indicator.direction = checked.name, checked.unit, checked.direction
    indicator.scope, indicator.frequency = checked.scope, checked.frequency
    indicator.baseline_year, indicator.baseline_value = checked.baseline_year, checked.baseline_value
    indicator.relative = checked.relative.to_json() if checked.relative else None
    indicator.tolerance, indicator.due_kind, indicator.due_n = checked.tolerance, checked.due_kind, checked.due_n
    indicator.body = checked.body
    indicator.activities = checked.activities
    _sync_periods(indicator, plan, checked.periods)
    existing = {(t.period, t.scope): t for t in indicator.targets}
    for key, target in existing.items():
        if target.source == TargetSource.RELATIVE or key not in checked.targets:
            indicator.targets.remove(target)
    for (period, scope), value in checked.targets.items():
        target = existing.get((period, scope))
        if target is not None and target.source != TargetSource.RELATIVE:
            if target.value != value:
                target.value, target.source = value, source
        else:
            indicator.targets.append(IndicatorTarget(period=period, scope=scope, value=value, source=source))
    db.session.flush()  # the removed targets are gone before the relative ones take their places
    _apply_relative(indicator)


def _apply_relative(indicator: Indicator) -> None:
    """Relative targets become numbers once a baseline is entered: one target of the indicator's
    own scope for each period that has no target of that scope stated."""
    relative = Relative.from_json(indicator.relative)
    if relative is None or indicator.baseline_value is None or indicator.direction == Direction.ZERO:
        return
    stated = {t.period for t in indicator.targets if t.scope == indicator.scope}
    for period in indicator.periods:
        if period.period in stated:
            continue
        value = relative_target(indicator.direction, relative, indicator.baseline_value, indicator.baseline_year,
                                year_of(period.period))
        if value is not None:
            indicator.targets.append(IndicatorTarget(period=period.period, scope=indicator.scope, value=value,
                                                     source=TargetSource.RELATIVE))


def due_date_of(period_end: date, due_kind: str, due_n: int, calendar=None) -> date:
    """When a period's actual is due: N working days after its last day, or day N of the next month."""
    if due_kind == DueKind.MONTH_DAY:
        following = period_end + timedelta(days=1)
        return following.replace(day=due_n)
    return (calendar or working_calendar()).add_working_days(period_end, due_n)


def _sync_periods(indicator: Indicator, plan: Plan, wanted: list[ReportingPeriod]) -> None:
    calendar = working_calendar()
    existing = {p.period: p for p in indicator.periods}
    keys = {p.key for p in wanted}
    dropped = [p for key, p in existing.items() if key not in keys]
    if dropped and indicator.id is not None:
        reported = set(db.session.scalars(select(IndicatorActual.period_id).where(
            IndicatorActual.period_id.in_([p.id for p in dropped if p.id is not None]))))
        kept = [p for p in dropped if p.id in reported]
        if kept:
            raise IndicatorError(_("Frequency: %(periods)s already have actuals, which would be lost; the reporting "
                                   "periods cannot change.", periods=", ".join(period_label(p.period) for p in kept)),
                                 "frequency")
    for period in dropped:
        indicator.periods.remove(period)
    for item in wanted:
        due = due_date_of(item.end, indicator.due_kind, indicator.due_n, calendar)
        period = existing.get(item.key)
        if period is None:
            indicator.periods.append(IndicatorPeriod(period=item.key, starts=item.start, ends=item.end, due_date=due))
        else:
            period.starts, period.ends, period.due_date = item.start, item.end, due


def _activity_of(indicator: Indicator) -> Activity | None:
    """The activity an activity's target belongs to: its history shows on that activity's page too."""
    return indicator.activities[0] if indicator.scope == Scope.ACTIVITY and indicator.activities else None


def _details(indicator: Indicator, **more) -> dict:
    activity = _activity_of(indicator)
    details = {"indicator": indicator.id, "name": indicator.name[:200], **more}
    if activity is not None:
        details["number"] = activity.number
    return details


# --- actuals -------------------------------------------------------------------------------------


@dataclass
class CheckedActual:
    indicator: Indicator
    period: IndicatorPeriod
    scope: str
    value: float
    comment: str
    previous: IndicatorActual | None


def scopes_of(indicator: Indicator) -> list[str]:
    """The scopes an actual may be entered for: the indicator's own, then those it has targets for."""
    scopes = [indicator.scope]
    for target in indicator.targets:
        if target.scope not in scopes:
            scopes.append(target.scope)
    return scopes


def latest_actual(period_id: int, scope: str) -> IndicatorActual | None:
    return db.session.scalar(select(IndicatorActual).where(IndicatorActual.period_id == period_id,
                                                           IndicatorActual.scope == scope)
                             .order_by(IndicatorActual.version.desc()).limit(1))


def _duplicate(latest: IndicatorActual | None, period: IndicatorPeriod, scope: str, where: str) -> IndicatorError | None:
    if latest is None or latest.state == ReportState.RETURNED:
        return None
    words = dict(period=period_label(period.period), scope=scope_labels().get(scope, scope), where=where)
    if latest.state == ReportState.ACCEPTED:
        return IndicatorError(_("%(where)s: the actual for %(period)s (%(scope)s) is already accepted.", **words),
                              "period")
    return IndicatorError(_("%(where)s: an actual for %(period)s (%(scope)s) already awaits review.", **words), "period")


def check_actual(indicator: Indicator, user: User, *, period: object, scope: object, value: object,
                 comment: str | None, where: dict[str, str] | None = None) -> CheckedActual:
    """An actual as typed (a form, or one row of a spreadsheet) → checked, or IndicatorError
    naming the field (or the row and column: `where` gives each field's name for the message)."""
    where = where or {}
    if not may_report(user, indicator):
        raise IndicatorError(_("Your body does not report this indicator."))
    plan = indicator.plan
    reporting = [ReportingPeriod(p.period, p.starts, p.ends) for p in indicator.periods]
    chosen = parse_period_for(period, reporting, plan, where.get("period", _("Period")))
    row = next(p for p in indicator.periods if p.period == chosen.key)
    scope_text = clean(str(scope or "")) or indicator.scope
    chosen_scope = _scope_of_word(scope_text)
    if chosen_scope not in scopes_of(indicator):
        raise IndicatorError(_("%(field)s: «%(value)s» — this indicator is reported for %(scopes)s.",
                               field=where.get("scope", _("Scope")), value=scope_text[:30],
                               scopes=", ".join(scope_labels()[s] for s in scopes_of(indicator))), "scope")
    try:
        number = read_value(value, indicator.unit)
    except ValueProblem as problem:
        raise IndicatorError(value_message(problem, where.get("value", _("Value")), indicator.unit), "value") from None
    comment = (comment or "").strip()
    comment_field = where.get("comment", _("Comment"))
    try:
        refuse_personal_data(comment=comment)
    except PersonalDataFound as found:
        raise IndicatorError(_("%(field)s: contains an IIN (%(iin)s). An actual is an aggregate number; remove it.",
                               field=comment_field, iin=found.masked), "comment") from None
    person = names_a_person(comment)
    if person:
        raise IndicatorError(_("%(field)s: «%(words)s» looks like a person's name. An actual is an aggregate number; "
                               "name no one.", field=comment_field, words=person), "comment")
    latest = latest_actual(row.id, chosen_scope)
    duplicate = _duplicate(latest, row, chosen_scope, where.get("period", _("Period")))
    if duplicate is not None:
        raise duplicate
    return CheckedActual(indicator, row, chosen_scope, number, comment, latest)


def _store_actual(checked: CheckedActual, user: User, source: str, moment) -> IndicatorActual:
    previous = checked.previous
    actual = IndicatorActual(
        indicator_id=checked.indicator.id, period_id=checked.period.id, scope=checked.scope, value=checked.value,
        comment=checked.comment, version=previous.version + 1 if previous else 1,
        previous_id=previous.id if previous else None, body_id=user.body_id, state=ReportState.SUBMITTED,
        source=source, submitted_at=moment, submitted_on=local_date(moment), submitted_by_id=user.id,
        no_personal_data=True)
    db.session.add(actual)
    return actual


def _record_actual(actual: IndicatorActual, checked: CheckedActual, **more) -> None:
    indicator = checked.indicator
    history.record("actual.resubmitted" if checked.previous else "actual.submitted", plan=indicator.plan,
                   activity=_activity_of(indicator), body=indicator.body, details=_details(
                       indicator, period=checked.period.period, scope=checked.scope, value=plain(checked.value),
                       version=actual.version, due_date=checked.period.due_date.isoformat(), **more))


def submit_actual(indicator: Indicator, user: User, *, period: object, scope: object, value: object,
                  comment: str | None = "", files: list[tuple[str, bytes]] = (),
                  no_personal_data: bool = False) -> IndicatorActual:
    """Enter the actual of one period (a corrected version after a return), with optional files
    checked like report evidence. Nothing is stored if anything is refused."""
    checked = check_actual(indicator, user, period=period, scope=scope, value=value, comment=comment)
    files = list(files)
    if (checked.comment or files) and not no_personal_data:
        raise IndicatorError(_("Confirm that the comment and the files name no one and carry no IIN."),
                             "no_personal_data")
    max_bytes = current_app.config["MAX_EVIDENCE_BYTES"]
    kinds = [evidence_files.check(name, data, max_bytes) for name, data in files]
    moment = now()
    folder = Path(current_app.config["EVIDENCE_DIR"])
    written: list[Path] = []
    try:
        actual = _store_actual(checked, user, "form", moment)
        for (name, data), kind in zip(files, kinds, strict=True):
            stored = evidence_files.store(name, data, kind, folder)
            written.append(stored.path)
            actual.evidence.append(IndicatorEvidence(
                original_name=stored.original_name, stored_name=stored.stored_name, kind=stored.kind,
                content_type=stored.content_type, size=stored.size, sha256=stored.sha256, uploaded_by_id=user.id,
                uploaded_at=moment))
        db.session.flush()
        _record_actual(actual, checked, files=[e.original_name for e in actual.evidence])
        actual_submitted.send(indicator, actuals=[actual])
        db.session.commit()
    except BaseException as error:
        db.session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(error, IntegrityError):  # another post of the same period and scope landed first
            raise _duplicate(latest_actual(checked.period.id, checked.scope), checked.period, checked.scope,
                             _("Period")) or IndicatorError(_("The actual could not be stored; try again.")) from None
        raise
    return actual


def store_checked(rows: list[CheckedActual], user: User, source_name: str) -> list[IndicatorActual]:
    """Many checked actuals (a spreadsheet's rows) in one transaction: all of them, or none."""
    moment = now()
    stored = []
    try:
        for checked in rows:
            actual = _store_actual(checked, user, "spreadsheet", moment)
            db.session.flush()
            _record_actual(actual, checked, file=source_name)
            stored.append(actual)
        if stored:
            actual_submitted.send(None, actuals=stored)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise IndicatorError(_("Another actual for one of these periods was stored meanwhile; nothing from the file "
                               "was saved. Upload it again to see which.")) from None
    return stored


def _changed_meanwhile(actual: IndicatorActual) -> ChangedMeanwhile:
    db.session.refresh(actual)
    who = actual.reviewed_by.email if actual.reviewed_by else "—"
    if actual.state == ReportState.ACCEPTED:
        return ChangedMeanwhile(_("This actual was accepted by %(who)s while you were reading it; nothing you sent was "
                                  "saved.", who=who))
    if actual.state == ReportState.RETURNED:
        return ChangedMeanwhile(_("This actual was returned by %(who)s while you were reading it; nothing you sent was "
                                  "saved.", who=who))
    return ChangedMeanwhile(_("This actual changed while you were reading it; nothing you sent was saved."))


def review_actual(actual: IndicatorActual, reviewer: User, accept: bool, comment: str,
                  seen_version: int | None = None) -> IndicatorActual:
    """Accept or return an actual, in one transaction; `seen_version` is the row_version the
    reviewer's page showed (a review made meanwhile by someone else wins)."""
    comment = (comment or "").strip()
    if (seen_version is not None and seen_version != actual.row_version) or actual.state != ReportState.SUBMITTED:
        raise _changed_meanwhile(actual)
    if not accept and not comment:
        raise IndicatorError(_("Say why the actual is returned: the comment is empty."), "comment")
    try:
        refuse_personal_data(comment=comment)
    except PersonalDataFound as found:
        raise IndicatorError(_("The comment contains an IIN (%(iin)s); remove it.", iin=found.masked), "comment") from None
    if names_a_person(comment):
        raise IndicatorError(_("%(field)s: «%(words)s» looks like a person's name. An actual is an aggregate number; "
                               "name no one.", field=_("Comment"), words=names_a_person(comment)), "comment")
    moment = now()
    actual.state = ReportState.ACCEPTED if accept else ReportState.RETURNED
    actual.reviewed_at, actual.reviewed_on, actual.reviewed_by_id = moment, local_date(moment), reviewer.id
    actual.review_comment = comment or None
    try:
        indicator = actual.indicator
        history.record("actual.accepted" if accept else "actual.returned", plan=indicator.plan,
                       activity=_activity_of(indicator), body=indicator.body, actor=reviewer, details=_details(
                           indicator, period=actual.period.period, scope=actual.scope, value=plain(actual.value),
                           version=actual.version, comment=comment))
        actual_reviewed.send(indicator, actual=actual)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise _changed_meanwhile(actual) from None
    return actual


# --- the figures ---------------------------------------------------------------------------------

FRAME_COLUMNS = ["indicator_id", "period_id", "period", "starts", "due_date", "scope", "reporting", "target",
                 "target_source", "actual", "state", "actual_id", "version", "row_version", "reviewed_on", "status",
                 "reporting_status"]


def figures_frame(indicators: list[Indicator], as_of: date | None = None):
    """Every period × scope of these indicators as it stood at the end of `as_of` (or today): the
    target, the actual in force and its review state, the status (`status_of`) and, for the
    indicator's own scope, the reporting status of the period's obligation. A pandas DataFrame
    with FRAME_COLUMNS, ordered by indicator, own scope first, then period.

    As of a day, an actual counts only if submitted by then, and its review only if made by then
    (tracker.reports.status.state_as_of, the rule of reports); the latest such version is the one in
    force, and a returned one leaves no value."""
    import pandas as pd

    day = as_of or today()
    soon = current_app.config["DUE_SOON_DAYS"]
    ids = [i.id for i in indicators]
    if not ids:  # typed columns: a mask over an untyped empty column would select columns instead
        return pd.DataFrame({c: pd.Series(dtype=bool if c == "reporting" else object) for c in FRAME_COLUMNS})
    meta = pd.DataFrame([(i.id, i.direction, i.tolerance, i.scope, i.position) for i in indicators],
                        columns=["indicator_id", "direction", "tolerance", "own_scope", "position"])
    periods = pd.DataFrame(db.session.execute(
        select(IndicatorPeriod.indicator_id, IndicatorPeriod.id, IndicatorPeriod.period, IndicatorPeriod.starts,
               IndicatorPeriod.due_date).where(IndicatorPeriod.indicator_id.in_(ids))).all(),
        columns=["indicator_id", "period_id", "period", "starts", "due_date"])
    targets = pd.DataFrame(db.session.execute(
        select(IndicatorTarget.indicator_id, IndicatorTarget.period, IndicatorTarget.scope, IndicatorTarget.value,
               IndicatorTarget.source).where(IndicatorTarget.indicator_id.in_(ids))).all(),
        columns=["indicator_id", "period", "scope", "target", "target_source"])
    actuals = pd.DataFrame(db.session.execute(
        select(IndicatorActual.indicator_id, IndicatorActual.period_id, IndicatorActual.scope, IndicatorActual.version,
               IndicatorActual.value, IndicatorActual.state, IndicatorActual.submitted_on, IndicatorActual.reviewed_on,
               IndicatorActual.id, IndicatorActual.row_version)
        .where(IndicatorActual.indicator_id.in_(ids))).all(),
        columns=["indicator_id", "period_id", "scope", "version", "value", "state", "submitted_on", "reviewed_on",
                 "actual_id", "row_version"])

    # masks made bool explicitly: over no rows, map() gives an untyped column, which would select columns
    actuals = actuals.loc[actuals["submitted_on"].map(lambda d: d <= day).astype(bool)].copy()
    reviewed = actuals["reviewed_on"].map(lambda d: isinstance(d, date) and d <= day).astype(bool)
    actuals["state"] = actuals["state"].where(reviewed & actuals["state"].ne(ReportState.SUBMITTED),
                                              ReportState.SUBMITTED.value)
    actuals["reviewed_on"] = actuals["reviewed_on"].where(reviewed, None)
    actuals = actuals.sort_values("version").groupby(["period_id", "scope"]).tail(1)
    actuals["actual"] = actuals["value"].where(actuals["state"].ne(ReportState.RETURNED))

    scopes = pd.concat([meta[["indicator_id", "own_scope"]].rename(columns={"own_scope": "scope"}),
                        targets[["indicator_id", "scope"]], actuals[["indicator_id", "scope"]]]).drop_duplicates()
    grid = (periods.merge(scopes, on="indicator_id")
            .merge(targets, on=["indicator_id", "period", "scope"], how="left")
            .merge(actuals.drop(columns=["indicator_id", "value"]), on=["period_id", "scope"], how="left")
            .merge(meta, on="indicator_id"))
    grid["reporting"] = grid["scope"].eq(grid["own_scope"])
    zero = grid["direction"].eq(Direction.ZERO)
    grid.loc[zero & grid["target"].isna(), "target"] = 0.0
    grid["status"] = [status_of(d, _num(t), _num(a), tol).value
                      for d, t, a, tol in zip(grid["direction"], grid["target"], grid["actual"], grid["tolerance"],
                                              strict=True)]
    grid["reporting_status"] = [
        obligation_status(due, LeadReportState(state, _day(reviewed_on)) if isinstance(state, str) else None,
                          day, soon).value if own else None
        for own, due, state, reviewed_on in zip(grid["reporting"], grid["due_date"], grid["state"],
                                                grid["reviewed_on"], strict=True)]
    grid["scope_order"] = (~grid["reporting"]).astype(int)
    grid = grid.sort_values(["position", "indicator_id", "scope_order", "scope", "starts"])
    return grid[FRAME_COLUMNS].reset_index(drop=True)


def _num(value) -> float | None:
    return None if value is None or value != value else float(value)


def _day(value) -> date | None:
    return value if isinstance(value, date) else None


def statuses_by_indicator(frame) -> dict[int, str]:
    """Each indicator's overall status (`overall_status` over its own scope's periods)."""
    own = frame[frame["reporting"]]
    return {int(i): overall_status(list(group["status"])) for i, group in own.groupby("indicator_id", sort=False)}


def confirmed(query=None):
    statement = select(Indicator).where(Indicator.state == IndicatorState.CONFIRMED)
    if query is not None:
        statement = query(statement)
    return list(db.session.scalars(statement.options(selectinload(Indicator.body), selectinload(Indicator.plan))
                                   .order_by(Indicator.plan_id, Indicator.position, Indicator.id)))


@dataclass
class Cell:
    target: float | None
    target_source: str | None
    actual: float | None
    state: str | None
    status: str
    actual_id: int | None
    row_version: int | None


@dataclass
class PeriodRow:
    period: str
    label: str
    due_date: date
    reporting_status: str | None
    cells: dict[str, Cell]


def indicator_rows(indicator: Indicator, as_of: date | None = None) -> tuple[list[str], list[PeriodRow]]:
    """The indicator page's table: the scopes shown (its own first), and per period the target,
    actual and status of each scope — the frame pivoted by period and scope."""
    frame = figures_frame([indicator], as_of)
    scopes = list(dict.fromkeys(frame["scope"]))
    if frame.empty:
        return [indicator.scope], []
    wide = frame.pivot(index="period", columns="scope",
                       values=["target", "target_source", "actual", "state", "status", "actual_id", "row_version"])
    own = frame[frame["reporting"]].set_index("period")
    rows = []
    for period in own.index:
        cells = {}
        for scope in scopes:
            status = wide.loc[period, ("status", scope)]
            cells[scope] = Cell(_num(wide.loc[period, ("target", scope)]), _text(wide.loc[period, ("target_source", scope)]),
                                _num(wide.loc[period, ("actual", scope)]), _text(wide.loc[period, ("state", scope)]),
                                status if isinstance(status, str) else IndicatorStatus.NO_DATA,
                                _int(wide.loc[period, ("actual_id", scope)]),
                                _int(wide.loc[period, ("row_version", scope)]))
        rows.append(PeriodRow(period, period_label(period), own.loc[period, "due_date"],
                              own.loc[period, "reporting_status"], cells))
    return scopes, rows


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def _int(value) -> int | None:
    return None if value is None or value != value else int(value)


def actuals_of(indicator: Indicator) -> list[IndicatorActual]:
    return list(db.session.scalars(
        select(IndicatorActual).where(IndicatorActual.indicator_id == indicator.id)
        .options(selectinload(IndicatorActual.evidence), selectinload(IndicatorActual.period),
                 selectinload(IndicatorActual.submitted_by), selectinload(IndicatorActual.reviewed_by))
        .order_by(IndicatorActual.submitted_at.desc(), IndicatorActual.id.desc())))


def history_of(indicator: Indicator, limit: int = 200) -> list[HistoryEntry]:
    """The history entries of one indicator (the plan's entries that name it)."""
    entries = db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.plan_id == indicator.plan_id,
                                   HistoryEntry.action.in_(INDICATOR_ACTIONS))
        .order_by(HistoryEntry.at.desc(), HistoryEntry.id.desc()))
    return [e for e in entries if (e.details or {}).get("indicator") == indicator.id][:limit]


# --- what other pages include --------------------------------------------------------------------


@dataclass
class IndicatorLine:
    """One indicator on a plan's panel, a body's list or the dashboard."""

    id: int
    name: str
    plan_id: int
    plan_title: str
    unit: str
    scope: str
    body: Body | None
    status: str
    overdue: int
    next_due: date | None


def _lines(indicators: list[Indicator], as_of: date | None) -> list[IndicatorLine]:
    frame = figures_frame(indicators, as_of)
    statuses = statuses_by_indicator(frame)
    own = frame[frame["reporting"]]
    overdue = own[own["reporting_status"].eq(Status.OVERDUE)].groupby("indicator_id").size().to_dict()
    open_periods = own[own["reporting_status"].isin([Status.UPCOMING, Status.DUE_SOON, Status.OVERDUE,
                                                     Status.RETURNED])]
    next_due = open_periods.groupby("indicator_id")["due_date"].min().to_dict()
    return [IndicatorLine(i.id, i.name, i.plan_id, i.plan.title, i.unit, i.scope, i.body,
                          statuses.get(i.id, IndicatorStatus.NO_DATA), int(overdue.get(i.id, 0)), next_due.get(i.id))
            for i in indicators]


def plan_panel(plan: Plan, as_of: date | None = None) -> dict:
    """`indicator_panel` of templates/indicators/_plan_panel.html (a plan's page): its indicators
    with their status, the counts by status, and how many proposals await confirmation."""
    lines = _lines(confirmed(lambda s: s.where(Indicator.plan_id == plan.id)), as_of)
    counts = dict.fromkeys(tuple(IndicatorStatus), 0)
    for line in lines:
        counts[line.status] += 1
    return {"plan": plan, "lines": lines, "counts": counts, "proposals": len(plan_proposals(plan)), "as_of": as_of}


def body_indicators(body_id: int, as_of: date | None = None) -> dict:
    """`indicator_body` of templates/indicators/_body_list.html (a body's page): the indicators it reports."""
    return {"lines": _lines(confirmed(lambda s: s.where(Indicator.body_id == body_id)), as_of), "as_of": as_of}


def off_track(as_of: date | None = None, plan_id: int | None = None, region: str | None = None) -> dict:
    """`indicator_off_track` of templates/indicators/_off_track.html (the dashboard): the plans with
    indicators off track on the day (narrowed to a plan or a region like the dashboard), each with
    those indicators."""

    def narrowed(statement):
        if plan_id is not None:
            statement = statement.where(Indicator.plan_id == plan_id)
        if region:
            statement = statement.join(Plan, Plan.id == Indicator.plan_id).where(Plan.region == region)
        return statement

    lines = [line for line in _lines(confirmed(narrowed), as_of) if line.status == IndicatorStatus.OFF_TRACK]
    plans: dict[int, tuple[str, list[IndicatorLine]]] = {}
    for line in lines:
        plans.setdefault(line.plan_id, (line.plan_title, []))[1].append(line)
    return {"plans": [(plan_id, title, items) for plan_id, (title, items) in plans.items()], "as_of": as_of}


@dataclass
class ActivityTarget:
    """A quantity an activity's completion form names (Karaganda 3: 200 staff trained a year), as
    the activity's due date for `day` stands: its period, target, the number reached so far."""

    indicator: Indicator
    period: IndicatorPeriod | None
    target: float | None
    reached: float | None
    state: str | None
    may_report: bool


def activity_targets(activity_id: int, day: date | None, user: User) -> list[ActivityTarget]:
    """The activity's own targets (indicators of scope "activity" linked to it) for the period
    holding `day` (a due date): what an obligation's page shows beside the report form, with a
    field for the number reached when `user` reports it. Context of
    templates/indicators/_activity_target.html (`indicator_activity`)."""
    from tracker.indicators.models import indicator_activity

    indicators = confirmed(lambda s: s.join(indicator_activity, indicator_activity.c.indicator_id == Indicator.id)
                           .where(indicator_activity.c.activity_id == activity_id, Indicator.scope == Scope.ACTIVITY))
    if not indicators:
        return []
    frame = figures_frame(indicators)
    found = []
    for indicator in indicators:
        period = next((p for p in indicator.periods if day is not None and p.starts <= day <= p.ends), None)
        if period is None and day is not None:  # a due date just after its period (5 January for the year)
            period = next((p for p in reversed(indicator.periods) if p.ends < day), None)
        cell = frame[(frame["indicator_id"] == indicator.id) & (frame["period"] == (period.period if period else ""))
                     & frame["reporting"]]
        row = cell.iloc[0] if len(cell) else None
        found.append(ActivityTarget(indicator, period, _num(row["target"]) if row is not None else None,
                                    _num(row["actual"]) if row is not None else None,
                                    _text_value(row["state"]) if row is not None else None,
                                    may_report(user, indicator)))
    return found


def _text_value(value) -> str | None:
    return value if isinstance(value, str) else None


def due_obligations(body_id: int, as_of: date | None = None) -> list[tuple[Indicator, IndicatorPeriod, str]]:
    """A body's indicator periods not yet reported by the day (overdue, due soon, upcoming,
    returned), for reminders: (indicator, period, reporting status)."""
    indicators = confirmed(lambda s: s.where(Indicator.body_id == body_id))
    frame = figures_frame(indicators, as_of)
    own = frame[frame["reporting"] & frame["reporting_status"].isin(
        [Status.OVERDUE, Status.DUE_SOON, Status.UPCOMING, Status.RETURNED])]
    by_id = {i.id: i for i in indicators}
    periods = {p.id: p for i in indicators for p in i.periods}
    return [(by_id[int(r.indicator_id)], periods[int(r.period_id)], r.reporting_status)
            for r in own.sort_values("due_date").itertuples()]
