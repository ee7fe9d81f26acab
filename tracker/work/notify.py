"""Who is told what, as it happens. Each receiver runs inside the transaction of the change that
sent its signal (tracker.reports.signals, tracker.control.signals), so a notification is stored
with the report, review or decision it tells of — or not at all.

| event | told |
|---|---|
| a lead report submitted | every active coordinator |
| a contribution posted | the lead body's active executor accounts |
| a report returned / accepted | the lead body's active executor accounts |
| an extension asked | every active coordinator |
| an extension approved / refused | the lead body's active executor accounts |
| the event a deadline waited for recorded | the lead body's active executor accounts |
| an indicator's actual entered (a spreadsheet's: one notice for the file) | every active coordinator |
| an actual returned / accepted | the indicator's responsible body's active executor accounts |

Disabled accounts are told nothing. The text is stored as message data and shown in the reader's
language (tracker.work.labels).
"""

from sqlalchemy import select

from tracker.auth.models import AccountRole, User
from tracker.control.models import ExtensionRequest, ExtensionState
from tracker.control.signals import event_recorded, extension_decided, extension_requested
from tracker.core.messages import msg
from tracker.extensions import db
from tracker.indicators.models import IndicatorActual
from tracker.indicators.signals import actual_reviewed, actual_submitted
from tracker.plans.models import Obligation
from tracker.reports.models import CompletionReport, ReportKind
from tracker.reports.signals import report_reviewed, report_submitted
from tracker.reports.status import ReportState
from tracker.work.models import Notification, NotificationKind


def coordinators() -> list[int]:
    return list(db.session.scalars(select(User.id).where(User.role == AccountRole.COORDINATOR, User.active)))


def accounts_of_body(body_id: int | None) -> list[int]:
    if body_id is None:
        return []
    return list(db.session.scalars(select(User.id).where(User.role == AccountRole.EXECUTOR, User.body_id == body_id,
                                                         User.active)))


def lead_body_of(obligation: Obligation) -> int | None:
    lead = obligation.activity.lead
    return lead.body_id if lead else None


def _about(obligation: Obligation) -> dict:
    """What every message names: the activity, its plan (shortened), the due date (ISO; shown
    in the reader's way by tracker.work.labels)."""
    title = obligation.activity.plan.title
    return {"number": obligation.activity.number, "plan": title if len(title) <= 80 else title[:79] + "…",
            "due": obligation.due_date.isoformat() if obligation.due_date else "—"}


def tell(accounts: list[int], kind: NotificationKind, obligation: Obligation | None, message, path: str) -> None:
    """One notification per account (an indicator's actual is about no obligation: `obligation` None)."""
    for account_id in dict.fromkeys(accounts):
        db.session.add(Notification(account_id=account_id, kind=kind, path=path,
                                    obligation_id=obligation.id if obligation is not None else None,
                                    message=message.data))


def _obligation_path(obligation: Obligation) -> str:
    return f"/obligations/{obligation.id}"


@report_submitted.connect
def _report_submitted(_sender, report: CompletionReport) -> None:
    obligation = report.obligation
    about = {**_about(obligation), "body": report.body.label if report.body else "—"}
    if report.kind == ReportKind.LEAD:
        tell(coordinators(), NotificationKind.REPORT_SUBMITTED, obligation, msg(
            "Report to review: activity %(number)s of «%(plan)s», due %(due)s, from %(body)s", **about),
            _obligation_path(obligation) + f"#r-{report.id}")
    else:
        tell(accounts_of_body(lead_body_of(obligation)), NotificationKind.CONTRIBUTION_POSTED, obligation, msg(
            "%(body)s posted a contribution to activity %(number)s of «%(plan)s», due %(due)s", **about),
            _obligation_path(obligation) + f"#r-{report.id}")


@report_reviewed.connect
def _report_reviewed(_sender, report: CompletionReport) -> None:
    obligation = report.obligation
    about = _about(obligation)
    if report.state == ReportState.RETURNED:
        message = msg("Your report on activity %(number)s of «%(plan)s», due %(due)s, was returned: %(comment)s",
                      comment=report.review_comment or "", **about)
        kind = NotificationKind.REPORT_RETURNED
    else:
        message = msg("Your report on activity %(number)s of «%(plan)s», due %(due)s, was accepted", **about)
        kind = NotificationKind.REPORT_ACCEPTED
    tell(accounts_of_body(lead_body_of(obligation)), kind, obligation, message, _obligation_path(obligation))


@extension_requested.connect
def _extension_requested(_sender, request: ExtensionRequest) -> None:
    obligation = request.obligation
    tell(coordinators(), NotificationKind.EXTENSION_REQUESTED, obligation, msg(
        "Extension asked for activity %(number)s of «%(plan)s»: from %(due)s to %(to)s, by %(body)s",
        to=request.new_due_date.isoformat(), body=request.body.label if request.body else "—", **_about(obligation)),
        _obligation_path(obligation) + "#control")


@extension_decided.connect
def _extension_decided(_sender, request: ExtensionRequest) -> None:
    obligation = request.obligation
    about = _about(obligation)
    if request.state == ExtensionState.APPROVED:
        message = msg("The extension of activity %(number)s of «%(plan)s» was approved: it is due %(due)s now", **about)
    else:
        message = msg("The extension of activity %(number)s of «%(plan)s» was refused: %(comment)s",
                      comment=request.decision_comment or "", **about)
    tell(accounts_of_body(lead_body_of(obligation)), NotificationKind.EXTENSION_DECIDED, obligation, message,
         _obligation_path(obligation) + "#control")


@event_recorded.connect
def _event_recorded(_sender, obligation: Obligation) -> None:
    tell(accounts_of_body(lead_body_of(obligation)), NotificationKind.DUE_DATE_SET, obligation, msg(
        "Activity %(number)s of «%(plan)s» is due %(due)s: the event it waited for happened", **_about(obligation)),
        _obligation_path(obligation))


# --- indicators' actuals (tracker.indicators.signals) ----------------------------------------------


def _shortened(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


@actual_submitted.connect
def _actual_submitted(_sender, actuals: list[IndicatorActual]) -> None:
    first = actuals[0]
    body = first.body.label if first.body else "—"
    if len(actuals) == 1:
        message = msg("Actual to review: «%(indicator)s», %(period)s, from %(body)s",
                      indicator=_shortened(first.indicator.name), period=first.period.period, body=body)
        path = f"/indicators/{first.indicator_id}#a-{first.id}"
    else:
        message = msg("Actuals to review: %(n)s from %(body)s, from a spreadsheet", n=len(actuals), body=body)
        path = "/inbox#actuals"
    tell(coordinators(), NotificationKind.ACTUAL_SUBMITTED, None, message, path)


@actual_reviewed.connect
def _actual_reviewed(_sender, actual: IndicatorActual) -> None:
    about = {"indicator": _shortened(actual.indicator.name), "period": actual.period.period}
    if actual.state == ReportState.RETURNED:
        message = msg("The actual of «%(indicator)s» for %(period)s was returned: %(comment)s",
                      comment=actual.review_comment or "", **about)
        kind = NotificationKind.ACTUAL_RETURNED
    else:
        message = msg("The actual of «%(indicator)s» for %(period)s was accepted", **about)
        kind = NotificationKind.ACTUAL_ACCEPTED
    tell(accounts_of_body(actual.indicator.body_id), kind, None, message,
         f"/indicators/{actual.indicator_id}?period={actual.period.period}")
