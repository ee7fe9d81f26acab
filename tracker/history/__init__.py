"""Record every change in the append-only history and read it back for a page."""

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session

from tracker.extensions import db
from tracker.history.models import HistoryEntry

#: every action the history knows; the templates say each one in the page's language
ACTIONS = (
    "plan.imported", "plan.reimported", "plan.amended", "plan.created", "plan.edited",
    "activity.added", "activity.edited", "executor.assigned", "alias.learned", "warning.resolved",
    "report.submitted", "report.resubmitted", "report.contributed", "report.accepted", "report.returned",
    "account.created", "account.edited", "account.password_changed", "body.edited",
    "extension.requested", "extension.approved", "extension.refused", "control.taken_off", "control.put_back",
    "event.recorded", "calendar.day_set", "calendar.day_removed",
    "indicator.confirmed", "indicator.dismissed", "indicator.edited", "indicator.assigned", "indicator.text_added",
    "actual.submitted", "actual.resubmitted", "actual.accepted", "actual.returned",
    # the chain and the district registry (tracker.delegation, tracker.admin)
    "delegation.created", "delegation.group_expanded", "subreport.submitted", "subreport.resubmitted",
    "subreport.accepted", "subreport.returned", "districts.corrected", "districts.bodies_created",
    "organisations.imported",
)


def record(action: str, *, plan=None, activity=None, obligation=None, report=None, body=None, account=None,
           details: dict | None = None, changes: dict | None = None, actor=None) -> HistoryEntry:
    """Add an entry to the session: it is committed with the change it describes, or not at all."""
    assert action in ACTIONS, action
    user = actor
    if user is None and has_request_context() and current_user and current_user.is_authenticated:
        user = current_user
    if activity is not None and plan is None:
        plan = activity.plan
    if obligation is not None and activity is None:
        activity = obligation.activity
        plan = plan or activity.plan
    entry = HistoryEntry(
        user_id=getattr(user, "id", None),
        actor=getattr(user, "email", None) or "command line",
        action=action,
        plan_id=getattr(plan, "id", None),
        activity_id=getattr(activity, "id", None),
        obligation_id=getattr(obligation, "id", None),
        report_id=getattr(report, "id", None),
        body_id=getattr(body, "id", None),
        account_id=getattr(account, "id", None),
        details=details or {},
        changes={k: [_plain(a), _plain(b)] for k, (a, b) in (changes or {}).items() if a != b},
    )
    db.session.add(entry)
    return entry


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def changed(obj, **values) -> dict:
    """Set attributes and return {field: (before, after)} for those that really changed."""
    diff = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            diff[name] = (before, value)
            setattr(obj, name, value)
    return diff


def entries_for(*, plan_id=None, activity_id=None, obligation_ids=(), account_id=None, body_id=None,
                limit: int = 200) -> list[HistoryEntry]:
    conditions = []
    if plan_id is not None:
        conditions.append(HistoryEntry.plan_id == plan_id)
    if activity_id is not None:
        conditions.append(HistoryEntry.activity_id == activity_id)
    if obligation_ids:
        conditions.append(HistoryEntry.obligation_id.in_(list(obligation_ids)))
    if account_id is not None:
        conditions.append(HistoryEntry.account_id == account_id)
    if body_id is not None:
        conditions.append(HistoryEntry.body_id == body_id)
    if not conditions:
        return []
    query = select(HistoryEntry).where(or_(*conditions)).order_by(HistoryEntry.at.desc(), HistoryEntry.id.desc())
    return list(db.session.scalars(query.limit(limit)))


class HistoryIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_rewrites(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, HistoryEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise HistoryIsAppendOnly("history entries are never changed or deleted")
