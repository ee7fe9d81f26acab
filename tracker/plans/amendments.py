"""An amended plan against the one the portal holds: what the re-import would change.

The deputy akim's office amends a plan by a resolution ("… № 45 қаулысымен өзгерістер енгізілді");
the coordinator uploads the amended document, reads this diff in the preview, and confirms with
the resolution's number and date, which the plan's history keeps.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.core.text import clean
from tracker.extensions import db
from tracker.plans.engine.parse import ParsedActivity, ParsedPlan
from tracker.plans.models import Activity, Plan
from tracker.plans.signals import obligations_kept_by_others

#: the fields of an activity compared, as the plan writes them
FIELDS = ("text", "completion_form", "deadline", "funding", "section")


@dataclass
class ActivityChange:
    number: str
    #: field → (as the portal holds it, as the amended plan writes it)
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: the executors as written, the lead first: (before, after) when they differ
    executors: tuple[str, str] | None = None
    gained: list[date] = field(default_factory=list)  #: due dates the amended plan adds
    lost: list[date] = field(default_factory=list)  #: due dates it no longer gives
    #: lost due dates that have reports: they stay, with a warning for the coordinator
    lost_with_reports: list[date] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.fields or self.executors or self.gained or self.lost)


@dataclass
class Amendment:
    added: list[str] = field(default_factory=list)  #: activity numbers
    removed: list[str] = field(default_factory=list)
    #: removed activities that have reports: kept, with a warning
    removed_with_reports: list[str] = field(default_factory=list)
    changed: list[ActivityChange] = field(default_factory=list)
    period: tuple[str, str] | None = None
    title: tuple[str, str] | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.period or self.title)

    def summary(self) -> dict:
        """What the history keeps of it."""
        return {
            "added": self.added, "removed": self.removed, "removed_with_reports": self.removed_with_reports,
            "changed": {c.number: sorted(c.fields) + (["executors"] if c.executors else [])
                        + (["due_dates"] if c.gained or c.lost else []) for c in self.changed},
            "due_dates_gained": sum(len(c.gained) for c in self.changed),
            "due_dates_lost": sum(len(c.lost) for c in self.changed),
            "reports_kept_on_lost_dates": sum(len(c.lost_with_reports) for c in self.changed),
        }


def _stored_fields(activity: Activity) -> dict[str, str]:
    return {"text": clean(activity.text), "completion_form": clean(activity.completion_form),
            "deadline": clean(activity.deadline_text), "funding": clean(activity.funding_text),
            "section": activity.section.number if activity.section else ""}


def _parsed_fields(item: ParsedActivity) -> dict[str, str]:
    return {"text": clean(item.text), "completion_form": clean(item.completion_form),
            "deadline": clean(item.deadline.text), "funding": clean(item.funding.text), "section": item.section or ""}


def _written(executors) -> str:
    return ", ".join(e.written for e in executors)


def amendment_of(plan: Plan, parsed: ParsedPlan) -> Amendment:
    """What importing `parsed` over `plan` would change (nothing is written)."""
    stored = {a.number: a for a in db_activities(plan)}
    incoming = {a.number: a for a in parsed.activities}
    amendment = Amendment(
        added=[n for n in incoming if n not in stored],
        removed=[n for n in stored if n not in incoming],
        title=(plan.title, parsed.title) if clean(plan.title) != clean(parsed.title) else None,
        period=((f"{plan.period_start.year}–{plan.period_end.year}",
                 f"{parsed.period.start.year}–{parsed.period.end.year}")
                if (plan.period_start, plan.period_end) != (parsed.period.start, parsed.period.end) else None),
    )
    obligation_ids = [o.id for a in stored.values() for o in a.obligations]
    reported = obligations_kept_by_others(obligation_ids)
    amendment.removed_with_reports = [n for n in amendment.removed
                                      if any(o.id in reported for o in stored[n].obligations)]
    for number, item in incoming.items():
        activity = stored.get(number)
        if activity is None:
            continue
        change = ActivityChange(number)
        before, after = _stored_fields(activity), _parsed_fields(item)
        change.fields = {f: (before[f], after[f]) for f in FIELDS if before[f] != after[f]}
        if _written(activity.executors) != _written(item.executors):
            change.executors = (_written(activity.executors), _written(item.executors))
        dated = {o.moved_from or o.original_due_date: o for o in activity.obligations if o.original_due_date}
        wanted = set(item.deadline.due_dates)
        change.gained = sorted(d for d in wanted if d not in dated)
        change.lost = sorted(d for d in dated if d not in wanted)
        change.lost_with_reports = [d for d in change.lost if dated[d].id in reported]
        if change.changed:
            amendment.changed.append(change)
    return amendment


def db_activities(plan: Plan) -> list[Activity]:
    return list(db.session.scalars(select(Activity).where(Activity.plan_id == plan.id).order_by(Activity.position)
                                   .options(selectinload(Activity.executors), selectinload(Activity.obligations),
                                            selectinload(Activity.section))))
