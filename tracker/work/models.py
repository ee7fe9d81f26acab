"""Notifications, stored per account."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.clock import now
from tracker.extensions import db


class NotificationKind(StrEnum):
    REPORT_SUBMITTED = "report_submitted"  #: → coordinators
    REPORT_RETURNED = "report_returned"  #: → the lead body's accounts
    REPORT_ACCEPTED = "report_accepted"  #: → the lead body's accounts
    CONTRIBUTION_POSTED = "contribution_posted"  #: → the lead body's accounts
    EXTENSION_REQUESTED = "extension_requested"  #: → coordinators
    EXTENSION_DECIDED = "extension_decided"  #: → the lead body's accounts
    DUE_DATE_SET = "due_date_set"  #: an event was recorded: the item has a due date now → the lead body
    DELEGATED = "delegated"  #: a due date handed down → the delegated body (tracker.delegation.notify)
    SUB_REPORT_SUBMITTED = "sub_report_submitted"  #: → the body that handed it down
    SUB_REPORT_RETURNED = "sub_report_returned"  #: → the delegated body
    SUB_REPORT_ACCEPTED = "sub_report_accepted"  #: → the delegated body
    ACTUAL_SUBMITTED = "actual_submitted"  #: an indicator's actual entered → coordinators
    ACTUAL_RETURNED = "actual_returned"  #: → the indicator's responsible body
    ACTUAL_ACCEPTED = "actual_accepted"  #: → the indicator's responsible body


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_unread", "account_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    #: a NotificationKind
    kind: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: what it is about: the page it opens (a path inside the portal)
    path: Mapped[str] = mapped_column(String(300))
    obligation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: message data (tracker.core.messages): shown in the reader's language, written in none
    message: Mapped[dict] = mapped_column(JSON)


class InboxVisit(db.Model):
    """When a coordinator last opened the review inbox: what came after is "new since your last visit"."""

    __tablename__ = "inbox_visit"

    account_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
