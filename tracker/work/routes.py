"""My work (an executor's landing page), the review inbox (the coordinator's) and notifications."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select, update

from tracker.auth.models import AccountRole
from tracker.auth.permissions import can_review, require
from tracker.calendar import working_calendar
from tracker.core.clock import now, today
from tracker.core.urls import is_local_path
from tracker.extensions import db
from tracker.indicators import work as indicator_work
from tracker.reports.status import Status
from tracker.work import queries
from tracker.work.models import InboxVisit, Notification

bp = Blueprint("work", __name__)

#: the statuses My work can be filtered by (its groups)
WORK_STATUSES = (Status.RETURNED, Status.OVERDUE, Status.DUE_SOON, Status.SUBMITTED, Status.UPCOMING, Status.WAITING)


def is_executor(user) -> bool:
    return user.is_authenticated and user.role == AccountRole.EXECUTOR and user.body_id is not None


@bp.get("/my-work")
@require(is_executor)
def my_work():
    plan_id = request.args.get("plan", type=int)
    status = request.args.get("status") if request.args.get("status") in WORK_STATUSES else None
    groups = queries.my_work(current_user.body_id, today(), current_app.config["DUE_SOON_DAYS"], working_calendar(),
                             plan_id=plan_id, status=status)
    return render_template("work/my_work.html", groups=groups, as_of=today(), plans=queries.plans_of_body(current_user.body_id),
                           plan_id=plan_id, status=status, statuses=WORK_STATUSES, body=current_user.body)


#: reports awaiting review per page of the inbox (a country has thousands)
INBOX_PAGE_SIZE = 100


@bp.get("/inbox")
@require(can_review)
def inbox():
    limit = current_app.config["REVIEW_LIMIT_WORKING_DAYS"]
    visit = db.session.get(InboxVisit, current_user.id)
    last_visit = visit.seen_at if visit else None
    number = max(1, request.args.get("page", 1, type=int))
    waiting, total = queries.awaiting_review(today(), working_calendar(), limit, number, INBOX_PAGE_SIZE)
    pages = max(1, -(-total // INBOX_PAGE_SIZE))
    # the indicators' actuals wait for the same coordinators (tracker.indicators), paged alike
    actual_page = max(1, request.args.get("actuals", 1, type=int))
    actuals, actuals_total = indicator_work.awaiting_review(today(), working_calendar(), limit, actual_page,
                                                            INBOX_PAGE_SIZE)
    page = render_template(
        "work/inbox.html", waiting=waiting, total=total, page=number, pages=pages,
        first_shown=(number - 1) * INBOX_PAGE_SIZE + 1, limit=limit,
        actuals=actuals, actuals_total=actuals_total, actual_page=actual_page,
        actual_pages=max(1, -(-actuals_total // INBOX_PAGE_SIZE)),
        first_actual=(actual_page - 1) * INBOX_PAGE_SIZE + 1,
        contributions=queries.contributions_since(last_visit), last_visit=last_visit)
    # What was new is new once: the next visit counts from now.
    if visit is None:
        db.session.add(InboxVisit(account_id=current_user.id, seen_at=now()))
    else:
        visit.seen_at = now()
    db.session.commit()
    return page


@bp.get("/notifications")
def notifications():
    rows = list(db.session.scalars(select(Notification).where(Notification.account_id == current_user.id)
                                   .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(200)))
    return render_template("work/notifications.html", notifications=rows)


@bp.get("/notifications/<int:notification_id>")
def open_notification(notification_id: int):
    """Opened: marked read, and on to what it is about. Another account's notification is not found."""
    item = db.session.get(Notification, notification_id)
    if item is None or item.account_id != current_user.id:
        abort(404)
    if item.read_at is None:
        item.read_at = now()
        db.session.commit()
    return redirect(item.path if is_local_path(item.path) else url_for("work.notifications"))


@bp.post("/notifications/read")
def mark_all_read():
    db.session.execute(update(Notification).where(Notification.account_id == current_user.id,
                                                  Notification.read_at.is_(None)).values(read_at=now()))
    db.session.commit()
    return redirect(url_for("work.notifications"))
