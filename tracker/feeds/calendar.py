"""The feed itself: one all-day event per due date in force, with the activity, its plan, the
body's part (lead / co-executor), the status today, and a link. Built from the same status
statement as every page (tracker.reports.queries.status_table); the event's UID is the
obligation's, so a calendar that already has it moves it when the date changes."""

from datetime import UTC, date, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import select

from tracker.auth.models import AccountRole, User
from tracker.calendar import working_calendar
from tracker.core.clock import now, today
from tracker.core.personal_data import find_iins
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.feeds.models import FeedScope, FeedToken
from tracker.plans.models import Activity, ActivityExecutor, ExecutorRole, Plan
from tracker.reports.labels import status_labels
from tracker.reports.queries import status_table
from tracker.reports.status import Status


def _safe(text: str) -> str:
    return _("(not shown: the text carries a personal identification number)") if find_iins(text) else text


def feed_rows(feed: FeedToken, day: date) -> list:
    """(obligation id, due date, status, role, number, text, plan title, lead by agreement, limit) of the feed."""
    table = status_table(day, current_app.config["DUE_SOON_DAYS"])
    query = (select(table.c.obligation_id, table.c.due_date, table.c.status, ActivityExecutor.role, Activity.number,
                    Activity.text, Plan.title, ActivityExecutor.by_agreement, Plan.escalation_working_days,
                    ActivityExecutor.body_id)
             .join(ActivityExecutor, ActivityExecutor.activity_id == table.c.activity_id)
             .join(Activity, Activity.id == table.c.activity_id).join(Plan, Plan.id == Activity.plan_id)
             .where(table.c.due_date.is_not(None))
             .order_by(table.c.due_date, table.c.obligation_id, ActivityExecutor.position))
    account = feed.account
    if feed.scope == FeedScope.BODY:
        return _once(db.session.execute(query.where(ActivityExecutor.body_id == feed.body_id)).all())
    if account.role == AccountRole.EXECUTOR and account.body_id:
        return _once(db.session.execute(query.where(ActivityExecutor.body_id == account.body_id)).all())
    if account.role == AccountRole.COORDINATOR:
        return _escalated(db.session.execute(query.where(ActivityExecutor.role == ExecutorRole.LEAD,
                                                         table.c.status == Status.OVERDUE)).all(), day)
    return []


def _once(rows: list) -> list:
    seen, kept = set(), []
    for row in rows:
        if row[0] not in seen:
            seen.add(row[0])
            kept.append(row)
    return kept


def _escalated(rows: list, day: date) -> list:
    from tracker.mail.rules import escalation_reached

    calendar = working_calendar()
    return [row for row in _once(rows)
            if escalation_reached(calendar.working_days_between(row[1], day), row[8], bool(row[7]))]


def feed_calendar(feed: FeedToken) -> bytes:
    account: User = feed.account
    day = today()
    language = account.language if account.language in current_app.config["LANGUAGES"] \
        else current_app.config["BABEL_DEFAULT_LOCALE"]
    base = current_app.config["PORTAL_URL"].rstrip("/")
    stamp = now().astimezone(UTC)
    with force_locale(language):
        labels = status_labels()
        roles = {ExecutorRole.LEAD: _("lead executor"), ExecutorRole.CO_EXECUTOR: _("co-executor")}
        if feed.scope == FeedScope.BODY:
            body = db.session.get(Body, feed.body_id)
            name = _("Due dates: %(body)s", body=body.label if body else "—")
        elif account.role == AccountRole.COORDINATOR:
            name = _("Escalated overdue items")
        else:
            name = _("Due dates: %(body)s", body=account.body.label if account.body else account.email)
        calendar = Calendar()
        calendar.add("prodid", "-//Interagency plan tracker//feeds//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", _safe(name))  # a body's name is quoted too, and guarded like the rest
        calendar.add("x-wr-timezone", current_app.config["TIMEZONE"])
        calendar.add("x-published-ttl", "PT1H")
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        for (obligation_id, due, status, role, number, text, plan_title, by_agreement, _limit,
             _body) in feed_rows(feed, day):
            event = Event()
            link = f"{base}/obligations/{obligation_id}"
            event.add("uid", f"obligation-{obligation_id}@{_host(base)}")
            event.add("dtstamp", stamp)
            event.add("dtstart", due)
            event.add("dtend", due + timedelta(days=1))
            event.add("transp", "TRANSPARENT")
            summary = f"{number}. {_safe(text)}"
            event.add("summary", summary if len(summary) <= 120 else summary[:119] + "…")
            lines = [_("Plan: %(plan)s", plan=_safe(plan_title)),
                     _("Role: %(role)s", role=roles.get(role, role) + (f" ({_('by agreement')})" if by_agreement else "")),
                     _("Status on %(day)s: %(status)s", day=day.isoformat(), status=labels.get(status, status)),
                     link]
            event.add("description", "\n".join(lines))
            event.add("url", link)
            event.add("categories", [labels.get(status, status)])
            event.add("status", "CONFIRMED")
            calendar.add_component(event)
    return calendar.to_ical()


def _host(base: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(base).hostname or "tracker"


