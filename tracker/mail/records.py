"""What was sent about an obligation: "reminded on …" on its page, "reminders sent" in the workbook."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from tracker.auth.models import User
from tracker.extensions import db
from tracker.mail.models import Delivery, MailPreference, MessageItem, OutgoingMessage


@dataclass
class Reminder:
    day: date
    sent_at: datetime | None
    to: str
    reason: str
    days: int | None


def reminders_of(obligation_id: int, limit: int = 50) -> list[Reminder]:
    """The messages sent that named the obligation, newest first."""
    rows = db.session.execute(
        select(OutgoingMessage.day, OutgoingMessage.sent_at, User.email, MessageItem.reason, MessageItem.days)
        .join(OutgoingMessage, OutgoingMessage.id == MessageItem.message_id)
        .join(User, User.id == OutgoingMessage.account_id)
        .where(MessageItem.obligation_id == obligation_id, OutgoingMessage.state == Delivery.SENT)
        .order_by(OutgoingMessage.day.desc(), OutgoingMessage.id.desc()).limit(limit)).all()
    return [Reminder(*row) for row in rows]


def reminder_counts(obligation_ids: list[int], up_to: date | None = None) -> dict[int, int]:
    """Obligation id → messages sent that named it (those of days up to `up_to`), for a batch of
    the workbook's rows (one statement)."""
    if not obligation_ids:
        return {}
    query = (select(MessageItem.obligation_id, func.count(MessageItem.id))
             .join(OutgoingMessage, OutgoingMessage.id == MessageItem.message_id)
             .where(MessageItem.obligation_id.in_(obligation_ids), OutgoingMessage.state == Delivery.SENT)
             .group_by(MessageItem.obligation_id))
    if up_to is not None:
        query = query.where(OutgoingMessage.day <= up_to)
    return dict(db.session.execute(query).all())


def digest_choice(account_id: int) -> str:
    from tracker.mail.models import DigestChoice

    return db.session.scalar(select(MailPreference.digest).where(MailPreference.account_id == account_id)) \
        or DigestChoice.DAILY
