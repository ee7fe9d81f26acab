"""The tasks the worker runs. Each runs in the app bound to the worker (tracker.jobs.queue.bind),
in an app context of its own."""

import logging
from datetime import date
from functools import wraps
from zoneinfo import ZoneInfo

from flask import current_app
from huey import crontab
from sqlalchemy import select

from tracker.auth.models import AccountRole, User
from tracker.calendar import working_calendar
from tracker.core.clock import now
from tracker.core.messages import msg
from tracker.extensions import db
from tracker.jobs import exports
from tracker.jobs.queue import bound_app, huey
from tracker.mail import batch
from tracker.mail.models import Delivery, DigestRun, OutgoingMessage
from tracker.mail.transport import TransportDown
from tracker.work.models import Notification

log = logging.getLogger("tracker.jobs")

#: Notification.kind for the administrators when mail could not go after the last try
MAIL_FAILED = "mail_failed"


def in_app(function):
    @wraps(function)
    def run(*args, **kwargs):
        with bound_app().app_context():
            try:
                return function(*args, **kwargs)
            finally:
                db.session.remove()

    return run


@huey.task(context=True, name="tracker.send_reminders")
@in_app
def send_reminders(day: str, compose: bool = True, task=None):
    """The day's batch; on an outage the queue retries it (MAIL_RETRIES, MAIL_RETRY_DELAY growing
    by MAIL_RETRY_BACKOFF); after the last try what is still pending is failed and every
    administrator is told. Pending messages of earlier days (a worker killed mid-batch) go too."""
    when = date.fromisoformat(day)
    try:
        if compose:
            batch.compose_day(when)
        delivered = batch.deliver(None)
    except TransportDown as exc:
        if task is not None and task.retries > 0:
            log.warning("mail server out of reach for %s (%s); %s retries left", day, exc, task.retries)
            raise
        failed = batch.give_up(str(exc))
        tell_admins(failed, str(exc))
        return {"failed": failed}
    return {"sent": delivered.sent, "refused": delivered.refused}


def queue_reminders(day: date, compose: bool = True):
    config = current_app.config
    return send_reminders(day.isoformat(), compose, retries=config["MAIL_RETRIES"], retry_delay=config["MAIL_RETRY_DELAY"],
                          retry_backoff=config["MAIL_RETRY_BACKOFF"])


def tell_admins(failed: int, error: str) -> None:
    """Tell every administrator, and commit with the messages batch.give_up failed."""
    if not failed:
        db.session.commit()
        return
    for admin_id in db.session.scalars(select(User.id).where(User.role == AccountRole.ADMIN, User.active)):
        db.session.add(Notification(account_id=admin_id, kind=MAIL_FAILED, path="/admin/outbox?state=failed",
                                    message=msg("%(count)s e-mails could not be sent after every try: %(error)s",
                                                count=failed, error=error[:300]).data))
    db.session.commit()


def reminders_due(moment=None) -> date | None:
    """The day whose batch should run now: today in TIMEZONE once it is DIGEST_HOUR there, on a
    working day, while the day is not composed or still has messages to send."""
    config = current_app.config
    local = (moment or now()).astimezone(ZoneInfo(config["TIMEZONE"]))
    day = local.date()
    if local.hour < config["DIGEST_HOUR"] or not working_calendar().is_working_day(day):
        return None
    if db.session.get(DigestRun, day) is not None and db.session.scalar(
            select(OutgoingMessage.id).where(OutgoingMessage.state.in_([Delivery.PENDING, Delivery.SENDING]))
            .limit(1)) is None:
        return None
    return day


@huey.periodic_task(crontab(minute="0"), name="tracker.hourly")
@in_app
def hourly():
    """Every hour: the day's reminders once it is 09:00 (a worker down at 09:00 catches up at its
    next hour, or at its start), and workbooks past their time removed."""
    check()


def check() -> date | None:
    day = reminders_due()
    if day is not None:
        queue_reminders(day)
    exports.remove_expired()
    return day


@huey.task(name="tracker.check_now")
@in_app
def check_now():
    """Queued once when a worker starts: no waiting for the next full hour."""
    check()


@huey.task(name="tracker.export_workbook")
@in_app
def export_workbook(job_id: int):
    exports.run_export(job_id)


def queue_export(job_id: int):
    return export_workbook(job_id)
