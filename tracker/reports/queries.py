"""Every obligation's status as of a day, in SQL: the statement the dashboard, the body pages,
My work, the review inbox and the workbook count with (the rule itself is tracker.reports.status)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased

from tracker.auth.models import User
from tracker.control.rules import in_force_sql
from tracker.extensions import db
from tracker.plans.models import Activity, Obligation
from tracker.reports.models import CompletionReport, ReportKind
from tracker.reports.status import status_sql
from tracker.schedule.workdays import WorkingCalendar


def status_table(as_of: date, due_soon_days: int):
    """A subquery: one row per obligation with its plan, section, activity, the due date in force
    on `as_of` (`due_date`; the plan's own is `original_due_date`), the extensions approved by
    then, and its status.

    The latest lead report submitted by `as_of` is found per obligation with an anti-join ("no
    later version submitted by then") rather than a GROUP BY over every report: with the index on
    (obligation_id, kind, version) the database looks up only the reports of the obligations in
    view, so one body's or one plan's page costs the same in a region as in the whole country.
    """
    latest = aliased(CompletionReport)
    later = aliased(CompletionReport)
    no_later_version = ~exists().where(
        later.obligation_id == latest.obligation_id, later.kind == ReportKind.LEAD, later.version > latest.version,
        later.submitted_on <= as_of)
    then = in_force_sql(as_of)
    status = status_sql(due_date=then.due_date, report_id=latest.id, report_state=latest.state,
                        reviewed_on=latest.reviewed_on, as_of=as_of, due_soon_days=due_soon_days,
                        on_control=then.on_control)
    return (
        select(
            Obligation.id.label("obligation_id"),
            Obligation.activity_id,
            then.due_date.label("due_date"),
            Obligation.original_due_date,
            then.extensions.label("extensions"),
            Activity.plan_id,
            Activity.section_id,
            status.label("status"),
            latest.reviewed_on.label("reviewed_on"),
            latest.submitted_on.label("submitted_on"),
            latest.reviewed_by_id.label("reviewed_by_id"),
        )
        .join(Activity, Activity.id == Obligation.activity_id)
        .outerjoin(latest, and_(latest.obligation_id == Obligation.id, latest.kind == ReportKind.LEAD,
                                latest.submitted_on <= as_of, no_later_version))
        .subquery("obligation_status")
    )


@dataclass
class ReviewTime:
    """How long reviews took: per coordinator account, or overall (account None)."""

    account: str | None
    reviews: int
    median_working_days: float | None
    mean_working_days: float | None


def review_times(as_of: date, calendar: WorkingCalendar) -> list[ReviewTime]:
    """Working days from a lead report's submission to its review, for the reviews made by
    `as_of`: per coordinator and overall (how long the akimat takes to review)."""
    rows = db.session.execute(
        select(User.email, CompletionReport.submitted_on, CompletionReport.reviewed_on)
        .join(User, User.id == CompletionReport.reviewed_by_id)
        .where(CompletionReport.kind == ReportKind.LEAD, CompletionReport.reviewed_on.is_not(None),
               CompletionReport.reviewed_on <= as_of)).all()
    per_account: dict[str, list[int]] = {}
    for email, submitted_on, reviewed_on in rows:
        per_account.setdefault(email, []).append(max(0, calendar.working_days_between(submitted_on, reviewed_on)))
    everyone = [d for days in per_account.values() for d in days]
    return [_review_time(email, days) for email, days in sorted(per_account.items())] + [_review_time(None, everyone)]


def _review_time(account: str | None, days: list[int]) -> ReviewTime:
    if not days:
        return ReviewTime(account, 0, None, None)
    ordered = sorted(days)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return ReviewTime(account, len(days), float(median), round(sum(days) / len(days), 1))
