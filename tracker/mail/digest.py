"""The day's digests: what every account is told (tracker.mail.rules), worked out for all accounts
at once, and each rendered in its reader's language.

A fixed number of statements whatever the number of accounts: the accounts with their choices,
every open obligation with its executors and status on the day (one streamed statement over
tracker.reports.queries.status_table), the sub-obligations handed down to the bodies told
(tracker.delegation), the reporting periods of the indicators they report (tracker.indicators),
the comments of returned reports, the activities named.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from tracker.auth.models import AccountRole, User
from tracker.calendar import working_calendar
from tracker.core.formatting import long_date
from tracker.core.personal_data import find_iins
from tracker.delegation.models import SubReport
from tracker.delegation.queries import sub_status_table
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.indicators.labels import period_label
from tracker.indicators.work import open_periods, return_comments
from tracker.mail.models import DigestChoice, ItemReason, MailPreference
from tracker.mail.rules import DUE_IN, MAX_ITEMS, Candidate, is_weekly_day, reasons_for, sends_on
from tracker.plans.models import Activity, ActivityExecutor, ExecutorRole, Plan
from tracker.reports.models import CompletionReport, ReportKind
from tracker.reports.queries import status_table
from tracker.reports.status import ReportState, Status

#: the order of a plan's lines in a digest
REASON_ORDER = (ItemReason.RETURNED, ItemReason.ESCALATION, ItemReason.OVERDUE, ItemReason.DUE)
#: rows read from the database at a time
STREAM = 5000


@dataclass
class Recipient:
    id: int
    email: str
    name: str
    role: str
    body_id: int | None
    is_head: bool
    language: str
    choice: str


class LineKind:
    """What a digest's line is about."""

    OBLIGATION = "obligation"  #: a due date of an activity, owed by the lead or a co-executor
    DELEGATION = "delegation"  #: a sub-obligation handed down to the body (tracker.delegation)
    INDICATOR = "indicator"  #: the actual of an indicator's reporting period (tracker.indicators)


@dataclass
class Line:
    obligation_id: int | None
    reason: str
    days: int | None
    role: str | None
    due_date: date | None
    activity_id: int | None
    number: str = ""
    text: str = ""
    plan_id: int = 0
    plan_title: str = ""
    comment: str = ""
    #: escalations: the lead body (id, then its names); sub-obligations: the body that handed it down
    lead_body_id: int | None = None
    body: str = ""
    body_ru: str = ""
    kind: str = LineKind.OBLIGATION
    delegation_id: int | None = None
    indicator_id: int | None = None
    #: indicators: the reporting period's key ("2024", "2024Q1"), and the actual in force (the
    #: returned one carries the coordinator's comment)
    period: str = ""
    actual_id: int | None = None

    @property
    def path(self) -> str:
        """Where the line opens in the portal."""
        if self.kind == LineKind.DELEGATION:
            return f"/delegations/{self.delegation_id}"
        if self.kind == LineKind.INDICATOR:
            return f"/indicators/{self.indicator_id}?period={self.period}"
        return f"/obligations/{self.obligation_id}"

    @property
    def named_obligation_id(self) -> int | None:
        """The obligation the message is recorded against (its page lists the reminders sent):
        only the lead's and co-executors' own lines; a school's reminder is not the lead's."""
        return self.obligation_id if self.kind == LineKind.OBLIGATION else None


@dataclass
class Digest:
    recipient: Recipient
    day: date
    lines: list[Line] = field(default_factory=list)
    #: lines left out past MAX_ITEMS
    more: int = 0

    def plans(self) -> list[tuple[str, list[Line]]]:
        grouped: dict[int, list[Line]] = {}
        for line in self.lines:
            grouped.setdefault(line.plan_id, []).append(line)
        return [(lines[0].plan_title, lines) for _plan, lines in sorted(grouped.items())]

    def count(self, reason: str) -> int:
        return sum(1 for line in self.lines if line.reason == reason)


def recipients(account_ids: list[int] | None = None) -> list[Recipient]:
    """Active accounts that can be told something: executors of a body, and coordinators."""
    query = (select(User.id, User.email, User.name, User.role, User.body_id, User.is_head, User.language,
                    MailPreference.digest)
             .outerjoin(MailPreference, MailPreference.account_id == User.id)
             .where(User.active, or_(and_(User.role == AccountRole.EXECUTOR, User.body_id.is_not(None)),
                                     User.role == AccountRole.COORDINATOR))
             .order_by(User.id))
    if account_ids is not None:
        query = query.where(User.id.in_(account_ids))
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    return [Recipient(i, email, name or "", role, body_id, bool(head), language if language in languages else default,
                      choice or DigestChoice.DAILY)
            for i, email, name, role, body_id, head, language, choice in db.session.execute(query)]


def digests_for_day(day: date, account_ids: list[int] | None = None) -> Iterator[Digest]:
    """Every digest of `day` with something in it (none on a day that is not a working day),
    accounts in id order."""
    calendar = working_calendar()
    if not sends_on(day, calendar):
        return
    people = recipients(account_ids)
    if not people:
        return
    weekly_day = is_weekly_day(day, calendar)
    by_body: dict[int, list[Recipient]] = defaultdict(list)
    coordinators = []
    for person in people:
        if person.role == AccountRole.COORDINATOR:
            coordinators.append(person)
        else:
            by_body[person.body_id].append(person)
    found: dict[int, list[Line]] = defaultdict(list)
    horizon = calendar.add_working_days(day, max(DUE_IN))
    table = status_table(day, current_app.config["DUE_SOON_DAYS"])
    open_statuses = [Status.OVERDUE, Status.RETURNED, Status.DUE_SOON, Status.UPCOMING]
    query = (select(table.c.obligation_id, table.c.due_date, table.c.status, table.c.reviewed_on,
                    table.c.activity_id, ActivityExecutor.body_id, ActivityExecutor.role,
                    ActivityExecutor.by_agreement, Plan.escalation_working_days)
             .join(ActivityExecutor, ActivityExecutor.activity_id == table.c.activity_id)
             .join(Plan, Plan.id == table.c.plan_id)
             .where(table.c.status.in_([s.value for s in open_statuses]),
                    or_(table.c.status.in_([Status.OVERDUE.value, Status.RETURNED.value]),
                        table.c.due_date <= horizon))
             .order_by(table.c.obligation_id, ActivityExecutor.position)
             .execution_options(yield_per=STREAM))
    if not coordinators:  # only the bodies that have someone to tell (a preview, a country of few accounts)
        query = query.where(table.c.activity_id.in_(
            select(ActivityExecutor.activity_id).where(ActivityExecutor.body_id.in_(list(by_body)))))

    def told(rows: list) -> None:
        obligation_id, due, status, reviewed_on, activity_id = rows[0][:5]
        lead = next((r for r in rows if r[6] == ExecutorRole.LEAD), None)
        item = _candidate(obligation_id, due, status, reviewed_on, lead, rows[0][8], day, calendar)
        for person in coordinators:
            for reason, days in reasons_for(item, False, person.choice, weekly_day, is_coordinator=True):
                found[person.id].append(Line(obligation_id, reason, days, None, due, activity_id,
                                             lead_body_id=lead[5] if lead else None))
        seen: set[int] = set()
        for row in rows:
            body_id, role = row[5], row[6]
            if body_id is None or body_id in seen or body_id not in by_body:
                continue
            seen.add(body_id)  # a body named twice on one activity is told once, in its first part
            for person in by_body[body_id]:
                for reason, days in reasons_for(item, role == ExecutorRole.LEAD, person.choice, weekly_day,
                                                is_head=person.is_head):
                    found[person.id].append(Line(obligation_id, reason, days, role, due, activity_id))

    batch: list = []
    for row in db.session.execute(query):
        if batch and row[0] != batch[0][0]:
            told(batch)
            batch = []
        batch.append(row)
    if batch:
        told(batch)
    _sub_obligations(found, by_body, day, calendar, horizon, weekly_day)
    _indicator_periods(found, by_body, coordinators, day, calendar, horizon, weekly_day)
    if not found:
        return
    _fill_in(found)
    for person in people:
        lines = found.get(person.id)
        if not lines:
            continue
        lines.sort(key=lambda line: (line.plan_id, REASON_ORDER.index(line.reason), line.days or 0,
                                     line.due_date or day, line.number))
        yield Digest(person, day, lines[:MAX_ITEMS], max(0, len(lines) - MAX_ITEMS))


def _sub_obligations(found, by_body, day, calendar, horizon, weekly_day) -> None:
    """The sub-obligations handed down to the bodies told, under the same rules as the lead's own
    (one statement). The body owes them to the body above it, not to the akimat: nothing here is
    escalated to coordinators or heads; the delegating body sees its branch on its own pages."""
    if not by_body:
        return
    table = sub_status_table(day, current_app.config["DUE_SOON_DAYS"])
    query = (select(table.c.delegation_id, table.c.obligation_id, table.c.activity_id, table.c.body_id,
                    table.c.from_body_id, table.c.due_date, table.c.status, table.c.reviewed_on)
             .where(table.c.body_id.in_(list(by_body)),
                    table.c.status.in_([Status.OVERDUE.value, Status.RETURNED.value, Status.DUE_SOON.value,
                                        Status.UPCOMING.value]),
                    or_(table.c.status.in_([Status.OVERDUE.value, Status.RETURNED.value]), table.c.due_date <= horizon))
             .order_by(table.c.delegation_id))
    for delegation_id, obligation_id, activity_id, body_id, from_body_id, due, status, reviewed_on in \
            db.session.execute(query):
        item = _candidate(obligation_id, due, status, reviewed_on, None, None, day, calendar)
        for person in by_body[body_id]:
            for reason, days in reasons_for(item, True, person.choice, weekly_day):
                found[person.id].append(Line(obligation_id, reason, days, None, due, activity_id,
                                             lead_body_id=from_body_id, kind=LineKind.DELEGATION,
                                             delegation_id=delegation_id))


def _indicator_periods(found, by_body, coordinators, day, calendar, horizon, weekly_day) -> None:
    """The reporting periods of the indicators the bodies told report (the actual is the
    responsible body's obligation, the lead's rules), escalated like the lead's own."""
    if not by_body and not coordinators:
        return
    periods = open_periods(None if coordinators else list(by_body), day, calendar,
                           (Status.OVERDUE, Status.RETURNED, Status.DUE_SOON, Status.UPCOMING))
    for period in periods:
        if period.status not in (Status.OVERDUE, Status.RETURNED) and period.due_date > horizon:
            continue
        item = _candidate(None, period.due_date, period.status, period.reviewed_on, None, period.escalation_limit,
                          day, calendar)

        def line(reason, days, period=period):
            return Line(None, reason, days, None, period.due_date, None, text=period.text, plan_id=period.plan_id,
                        plan_title=period.plan_title, lead_body_id=period.body_id, kind=LineKind.INDICATOR,
                        indicator_id=period.indicator_id, period=period.period, actual_id=period.actual_id)

        for person in coordinators:
            for reason, days in reasons_for(item, False, person.choice, weekly_day, is_coordinator=True):
                found[person.id].append(line(reason, days))
        for person in by_body.get(period.body_id, ()):
            for reason, days in reasons_for(item, True, person.choice, weekly_day, is_head=person.is_head):
                found[person.id].append(line(reason, days))


def _candidate(obligation_id, due, status, reviewed_on, lead, limit, day, calendar) -> Candidate:
    working = days_overdue = since_return = None
    if status == Status.OVERDUE and due is not None:
        working = calendar.working_days_between(due, day)
        days_overdue = (day - due).days
    elif status == Status.RETURNED:
        since_return = calendar.working_days_between(reviewed_on, day) if reviewed_on else None
    elif due is not None:
        working = calendar.working_days_between(day, due)
    return Candidate(obligation_id, status, due, working, days_overdue, since_return,
                     bool(lead[7]) if lead else False, limit or 10)


def _fill_in(found: dict[int, list[Line]]) -> None:
    """The activities, plans, lead bodies and return comments of the lines (five statements at most)."""
    every = [line for lines in found.values() for line in lines]
    activity_ids = {line.activity_id for line in every if line.kind != LineKind.INDICATOR}
    returned = {line.obligation_id for line in every if line.reason == ItemReason.RETURNED
                and line.kind == LineKind.OBLIGATION}
    body_ids = {line.lead_body_id for line in every if line.lead_body_id}
    activities = {}
    for activity_id, number, text, plan_id, title in db.session.execute(
            select(Activity.id, Activity.number, Activity.text, Plan.id, Plan.title)
            .join(Plan, Plan.id == Activity.plan_id).execution_options(yield_per=STREAM)):
        if activity_id in activity_ids:
            activities[activity_id] = (number, text, plan_id, title)
    bodies = {}
    if body_ids:
        for body_id, name, name_ru, abbreviation in db.session.execute(
                select(Body.id, Body.name, Body.name_ru, Body.abbreviation)):
            if body_id in body_ids:
                bodies[body_id] = (name, name_ru, abbreviation)
    comments = _return_comments() if returned else {}
    sub_comments = _sub_return_comments({line.delegation_id for line in every if line.reason == ItemReason.RETURNED
                                         and line.kind == LineKind.DELEGATION})
    actual_comments = return_comments({line.actual_id for line in every if line.kind == LineKind.INDICATOR
                                       and line.reason == ItemReason.RETURNED})
    for lines in found.values():
        for line in lines:
            if line.kind == LineKind.INDICATOR:
                line.comment = (actual_comments.get(line.actual_id) or "") if line.reason == ItemReason.RETURNED else ""
            else:
                line.number, line.text, line.plan_id, line.plan_title = activities[line.activity_id]
            if line.kind == LineKind.OBLIGATION:
                line.comment = comments.get(line.obligation_id, "") if line.reason == ItemReason.RETURNED else ""
            elif line.kind == LineKind.DELEGATION:
                line.comment = sub_comments.get(line.delegation_id, "") if line.reason == ItemReason.RETURNED else ""
            if line.lead_body_id:
                name, name_ru, abbreviation = bodies[line.lead_body_id]
                suffix = f" ({abbreviation})" if abbreviation else ""
                line.body, line.body_ru = name + suffix, (name_ru or name) + suffix


def _sub_return_comments(delegation_ids: set) -> dict[int, str]:
    """The comment of each returned sub-report (its latest version), by sub-obligation."""
    if not delegation_ids:
        return {}
    later = aliased(SubReport)
    return dict(db.session.execute(
        select(SubReport.delegation_id, SubReport.review_comment)
        .where(SubReport.delegation_id.in_(list(delegation_ids)), SubReport.state == ReportState.RETURNED,
               ~exists().where(later.delegation_id == SubReport.delegation_id,
                               later.version > SubReport.version))).all())


def _return_comments() -> dict[int, str]:
    later = aliased(CompletionReport)
    return dict(db.session.execute(
        select(CompletionReport.obligation_id, CompletionReport.review_comment)
        .where(CompletionReport.kind == ReportKind.LEAD, CompletionReport.state == ReportState.RETURNED,
               ~exists().where(later.obligation_id == CompletionReport.obligation_id, later.kind == ReportKind.LEAD,
                               later.version > CompletionReport.version))).all())


# --- rendering -------------------------------------------------------------------------------------


def quoted(text: str | None) -> str:
    """Text from a plan or a report, as a message may quote it: never with an IIN in it (a
    plan imported before the guard, a comment): such a text is not quoted at all."""
    if not text:
        return ""
    if find_iins(text):
        return _("(not quoted here: the text carries a personal identification number; open it in the portal)")
    return text


def line_text(line: Line, russian: bool) -> str:
    """What the line says of its obligation (plain text: the HTML template escapes it)."""
    said = _due_text(line, russian)
    if line.kind == LineKind.DELEGATION:
        return said + " " + _("(handed down by %(body)s)", body=line.body_ru if russian else line.body)
    if line.kind == LineKind.INDICATOR:
        return _("the actual for %(period)s: %(said)s", period=period_label(line.period), said=said)
    if line.role and line.role != ExecutorRole.LEAD:
        said += " " + _("(as co-executor)")
    return said


def comment_text(line: Line, russian: bool) -> str:
    """Who returned it, and what they said."""
    if line.kind == LineKind.DELEGATION:
        return _("The comment of %(body)s: %(comment)s", body=line.body_ru if russian else line.body,
                 comment=quoted(line.comment))
    return _("The coordinator's comment: %(comment)s", comment=quoted(line.comment))


def _due_text(line: Line, russian: bool) -> str:
    due = long_date(line.due_date)
    if line.reason == ItemReason.RETURNED:
        said = _("report for %(due)s returned for correction", due=due)
    elif line.reason == ItemReason.ESCALATION:
        said = _("escalated: was due %(due)s, days overdue: %(n)s; lead executor: %(body)s", due=due, n=line.days,
                 body=line.body_ru if russian else line.body)
    elif line.reason == ItemReason.OVERDUE:
        said = _("was due %(due)s, days overdue: %(n)s", due=due, n=line.days)
    else:
        said = _("due %(due)s, working days left: %(n)s", due=due, n=line.days)
    return said


def render(digest: Digest, portal_url: str) -> tuple[str, str, str]:
    """(subject, plain text, HTML) in the reader's language."""
    base = portal_url.rstrip("/")
    with force_locale(digest.recipient.language):
        context = {"digest": digest, "day": long_date(digest.day), "base": base, "quoted": quoted,
                   "ItemReason": ItemReason,
                   "line_text": lambda line: line_text(line, digest.recipient.language == "ru"),
                   "comment_text": lambda line: comment_text(line, digest.recipient.language == "ru")}
        total = len(digest.lines) + digest.more
        if digest.count(ItemReason.ESCALATION) == total:
            subject = _("Tracker, %(day)s: overdue items escalated to you: %(n)s", day=context["day"], n=total)
        else:
            subject = _("Tracker, %(day)s: items that need your attention: %(n)s", day=context["day"], n=total)
        text = render_template("mail/digest.txt", subject=subject, **context)
        html = render_template("mail/digest.html", subject=subject, **context)
    return subject, text, html
