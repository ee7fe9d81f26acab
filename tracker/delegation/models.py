"""Sub-obligations down the chain and the reports that come back up.

A `Delegation` is what one body owes another inside the chain of one plan obligation: the
regional department hands a due date down to three district departments, one of them hands its
part down to two schools. Each has its own internal due date (earlier than the one above), an
instruction and optional files; its reports (`SubReport`, one row per version, never rewritten,
like completion reports) are reviewed by the body that handed it down — never by the coordinator,
whose review of the lead's report stays as it is.

Sub-reports have their own table rather than rows of `completion_report` with another kind: every
count, export, inbox and status statement of the portal reads `completion_report` as "the plan's
reports", and none of them should start reading a school's answer to its district.
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.core.clock import now
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.plans.models import Obligation
from tracker.reports.models import StoredFile
from tracker.reports.status import ReportState


class Delegation(db.Model):
    """A sub-obligation: `body` owes `from_body` its part of `obligation` by `due_date`."""

    __tablename__ = "delegation"
    __table_args__ = (UniqueConstraint("obligation_id", "from_body_id", "body_id", name="uq_delegation_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the plan's obligation at the top of the chain (every level keeps it: one query reads a tree)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligation.id", ondelete="CASCADE"), index=True)
    #: the sub-obligation this one hands further down; None when handed down from the obligation itself
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id", ondelete="CASCADE"), index=True)
    #: 1 for a sub-obligation of the obligation, 2 for one below that, …
    depth: Mapped[int] = mapped_column(Integer, default=1)
    #: the body that handed it down, whose accounts review its reports
    from_body_id: Mapped[int] = mapped_column(ForeignKey("body.id"), index=True)
    #: the body that owes it
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id"), index=True)
    #: set when the sub-obligation is a member's part of a collective executor expanded on the
    #: activity ("аудандар мен қалалардың білім бөлімдері" → each district's department)
    group_body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id"), index=True)
    #: the internal due date (None while the obligation above waits for an event)
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    instruction: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    obligation: Mapped[Obligation] = relationship()
    parent: Mapped["Delegation | None"] = relationship(remote_side=[id])
    from_body: Mapped[Body] = relationship(foreign_keys=[from_body_id])
    body: Mapped[Body] = relationship(foreign_keys=[body_id])
    group_body: Mapped[Body | None] = relationship(foreign_keys=[group_body_id])
    created_by: Mapped[User | None] = relationship()
    files: Mapped[list["DelegationFile"]] = relationship(
        primaryjoin="and_(DelegationFile.delegation_id == Delegation.id, DelegationFile.report_id.is_(None))",
        viewonly=True, order_by="DelegationFile.id")


class DelegationAbove(db.Model):
    """The bodies above a sub-obligation in its chain — the one that handed it down and every
    body above that — so that "the sub-executors' figures" of a body are one join, at any depth."""

    __tablename__ = "delegation_above"

    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id", ondelete="CASCADE"), primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id"), primary_key=True, index=True)
    #: 1: the body that handed it down; 2: the one above that; …
    distance: Mapped[int] = mapped_column(Integer)


class SubReport(db.Model):
    """One submitted version of a delegated body's report; the delegating body reviews it."""

    __tablename__ = "sub_report"
    __table_args__ = (
        UniqueConstraint("delegation_id", "version", name="uq_sub_report_version"),
        # "the latest report of each sub-obligation by day D", as for lead reports
        Index("ix_sub_report_status_lookup", "delegation_id", "version", "submitted_on", "state", "reviewed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("sub_report.id"))
    text: Mapped[str] = mapped_column(Text)
    links: Mapped[list] = mapped_column(JSON, default=list)
    #: a ReportState
    state: Mapped[str] = mapped_column(String(12), default=ReportState.SUBMITTED.value)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_on: Mapped[date] = mapped_column(Date)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    no_personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    #: optimistic locking, as on completion reports: two reviewers at once cannot both win
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

    delegation: Mapped[Delegation] = relationship()
    body: Mapped[Body] = relationship()
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    files: Mapped[list["DelegationFile"]] = relationship(back_populates="report", order_by="DelegationFile.id")


class DelegationFile(StoredFile, db.Model):
    """A file handed down with an instruction (report_id None) or sent up with a sub-report. The
    bytes live under EVIDENCE_DIR like evidence, checked by the same rules (content, size, IINs)."""

    __tablename__ = "delegation_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("sub_report.id", ondelete="CASCADE"), index=True)

    report: Mapped[SubReport | None] = relationship(back_populates="files")


class DistrictCorrection(db.Model):
    """An administrator's list of a region's cities and districts, which wins over the shipped
    tracker/executors/districts.json for that region."""

    __tablename__ = "district_correction"

    #: tracker.executors.districts.region_key of the region
    region_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    region: Mapped[str] = mapped_column(String(120))
    #: [{"kind", "kk", "ru", "kk_genitive", "ru_genitive"}] in the administrator's order
    units: Mapped[list] = mapped_column(JSON, default=list)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    edited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
