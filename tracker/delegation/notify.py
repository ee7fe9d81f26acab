"""Who is told what down the chain. Receivers of tracker.delegation.signals, run inside the
transaction of the change, so a notification is stored with it or not at all.

| event | told |
|---|---|
| a due date handed down | the delegated body's active executor accounts |
| a sub-report posted | the active executor accounts of the body that handed it down |
| a sub-report returned / accepted | the delegated body's active executor accounts |

Disabled accounts are told nothing. The text is message data, shown in the reader's language.
"""

from sqlalchemy import select

from tracker.auth.models import AccountRole, User
from tracker.core.messages import msg
from tracker.delegation.models import Delegation, SubReport
from tracker.delegation.signals import delegated, sub_report_reviewed, sub_report_submitted
from tracker.extensions import db
from tracker.reports.status import ReportState
from tracker.work.models import Notification, NotificationKind


def _accounts(body_id: int) -> list[int]:
    return list(db.session.scalars(select(User.id).where(User.role == AccountRole.EXECUTOR, User.body_id == body_id,
                                                         User.active)))


def _about(delegation: Delegation) -> dict:
    obligation = delegation.obligation
    title = obligation.activity.plan.title
    return {"number": obligation.activity.number, "plan": title if len(title) <= 80 else title[:79] + "…",
            "due": delegation.due_date.isoformat() if delegation.due_date else "—"}


def _tell(body_id: int, kind: NotificationKind, delegation: Delegation, message, anchor: str = "") -> None:
    for account_id in dict.fromkeys(_accounts(body_id)):
        db.session.add(Notification(account_id=account_id, kind=kind, path=f"/delegations/{delegation.id}{anchor}",
                                    obligation_id=delegation.obligation_id, message=message.data))


@delegated.connect
def _delegated(_sender, delegation: Delegation) -> None:
    _tell(delegation.body_id, NotificationKind.DELEGATED, delegation, msg(
        "%(from)s handed down activity %(number)s of «%(plan)s» to your body: due %(due)s",
        **{"from": delegation.from_body.label}, **_about(delegation)))


@sub_report_submitted.connect
def _submitted(_sender, report: SubReport) -> None:
    delegation = report.delegation
    _tell(delegation.from_body_id, NotificationKind.SUB_REPORT_SUBMITTED, delegation, msg(
        "%(body)s reported on activity %(number)s of «%(plan)s», due %(due)s: review it",
        body=delegation.body.label, **_about(delegation)), f"#s-{report.id}")


@sub_report_reviewed.connect
def _reviewed(_sender, report: SubReport) -> None:
    delegation = report.delegation
    if report.state == ReportState.RETURNED:
        kind, message = NotificationKind.SUB_REPORT_RETURNED, msg(
            "%(by)s returned your report on activity %(number)s of «%(plan)s», due %(due)s: %(comment)s",
            by=delegation.from_body.label, comment=report.review_comment or "", **_about(delegation))
    else:
        kind, message = NotificationKind.SUB_REPORT_ACCEPTED, msg(
            "%(by)s accepted your report on activity %(number)s of «%(plan)s», due %(due)s",
            by=delegation.from_body.label, **_about(delegation))
    _tell(delegation.body_id, kind, delegation, message, f"#s-{report.id}")
