"""Extension requests and periods off control, as stored. Rows are never deleted: a decision is
written once onto its request, and putting an item back on control closes its period, so the
state on any past day can be replayed ("as of")."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.plans.models import Activity, Obligation, Plan


class ExtensionState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class ExtensionRequest(db.Model):
    """An executor of the lead body asks, before the due date, for a later one; the coordinator
    approves or refuses. An approval sets the obligation's date in force."""

    __tablename__ = "extension_request"
    __table_args__ = (Index("ix_extension_request_replay", "obligation_id", "state", "decided_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligation.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: the day in Kazakhstan it was asked
    requested_on: Mapped[date] = mapped_column(Date)
    #: the date in force when it was asked
    due_date_then: Mapped[date] = mapped_column(Date)
    new_due_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    #: an ExtensionState
    state: Mapped[str] = mapped_column(String(12), default=ExtensionState.PENDING.value, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the day of the decision: from then on an approved date is in force
    decided_on: Mapped[date | None] = mapped_column(Date)
    decision_comment: Mapped[str | None] = mapped_column(Text)
    #: a file backing the request (a letter, an order), checked like evidence; optional
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_stored_name: Mapped[str | None] = mapped_column(String(80))
    file_kind: Mapped[str | None] = mapped_column(String(8))
    file_content_type: Mapped[str | None] = mapped_column(String(120))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    #: optimistic locking, as on reviews: of two coordinators deciding at once one wins
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

    obligation: Mapped[Obligation] = relationship()
    body: Mapped[Body] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class OffControlGrounds(StrEnum):
    """Why an item is taken off control (основания снятия с контроля)."""

    EXECUTED = "executed"
    LOST_RELEVANCE = "lost_relevance"
    SUPERSEDED = "superseded"


class OffControl(db.Model):
    """An activity (or, with no activity, a whole plan) off control from `since` until it is put
    back (`until`, exclusive). Its obligations due after `since` leave the counts but are kept."""

    __tablename__ = "off_control"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    #: None: the whole plan
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), index=True)
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    #: an OffControlGrounds
    grounds: Mapped[str] = mapped_column(String(20))
    #: the decision that took it off: "№ 12-р", its date, and what it says
    decision_number: Mapped[str | None] = mapped_column(String(60))
    decision_date: Mapped[date | None] = mapped_column(Date)
    comment: Mapped[str] = mapped_column(Text, default="")
    taken_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    returned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    plan: Mapped[Plan] = relationship()
    activity: Mapped[Activity | None] = relationship()
    taken_by: Mapped[User] = relationship(foreign_keys=[taken_by_id])
