"""What the portal sends by e-mail, and what each account asked to get."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.clock import now
from tracker.extensions import db


class DigestChoice(StrEnum):
    """How often an account wants its reminders. Returned reports and escalations come whatever
    is chosen (tracker.mail.rules.ESSENTIAL)."""

    DAILY = "daily"
    WEEKLY = "weekly"
    RETURNED_ONLY = "returned_only"


class MessageKind(StrEnum):
    #: the day's reminders of one account (at most one per account and day: the unique key)
    DIGEST = "digest"


class Delivery(StrEnum):
    PENDING = "pending"  #: composed, not sent yet (or given back after a failed try)
    SENDING = "sending"  #: claimed by a worker; claimed again when its lease runs out (the worker died)
    SENT = "sent"
    FAILED = "failed"  #: the server refused it, or every try failed: the admin is told


class MailPreference(db.Model):
    """An account's choice; no row means the daily digest."""

    __tablename__ = "mail_preference"

    account_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    #: a DigestChoice
    digest: Mapped[str] = mapped_column(String(16), default=DigestChoice.DAILY)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)


class OutgoingMessage(db.Model):
    """One message, composed once and kept: to whom, for which day, what it said, how delivery went.

    UNIQUE (account, day, kind) is what makes "one digest per account per day" hold with two
    workers or a rerun: the second INSERT does nothing, whatever the code around it believed."""

    __tablename__ = "outgoing_message"
    __table_args__ = (UniqueConstraint("account_id", "day", "kind", name="uq_outgoing_message_account_day_kind"),
                      Index("ix_outgoing_message_day_state", "day", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    #: a MessageKind
    kind: Mapped[str] = mapped_column(String(20))
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    #: the Message-ID header, the same on every try: a receiving system can drop a repeat
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    #: a Delivery
    state: Mapped[str] = mapped_column(String(10), default=Delivery.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: smtp | outbox, once sent
    transport: Mapped[str | None] = mapped_column(String(10))
    #: the .eml file, for the outbox transport (relative to OUTBOX_DIR)
    outbox_file: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    #: the worker holding the message ("host:pid:random") and since when
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    items: Mapped[list["MessageItem"]] = relationship(cascade="all, delete-orphan", order_by="MessageItem.id")


class ItemReason(StrEnum):
    """Why an obligation is in a digest."""

    DUE = "due"  #: due in 14 / 7 / 3 / 1 working days (the weekly digest: within 14)
    RETURNED = "returned"  #: its report was returned for correction
    OVERDUE = "overdue"
    ESCALATION = "escalation"  #: overdue past the plan's escalation limit: coordinators and the head


class MessageItem(db.Model):
    """An obligation a message named, and why."""

    __tablename__ = "outgoing_message_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outgoing_message.id", ondelete="CASCADE"), index=True)
    #: kept when the obligation goes (a re-import dropped it): the message was still sent
    obligation_id: Mapped[int | None] = mapped_column(ForeignKey("obligation.id", ondelete="SET NULL"), index=True)
    #: an ItemReason
    reason: Mapped[str] = mapped_column(String(12))
    #: working days left (due), days overdue (overdue, escalation), working days since the return
    days: Mapped[int | None] = mapped_column(Integer)


class DigestRun(db.Model):
    """The day's digests are composed: later runs of that day only deliver what is still pending."""

    __tablename__ = "digest_run"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    composed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    messages: Mapped[int] = mapped_column(Integer, default=0)
