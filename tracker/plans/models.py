"""Plans as stored: sections, activities, who carries them, and their due dates."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.clock import now
from tracker.executors.models import Body
from tracker.extensions import db


class ExecutorRole(StrEnum):
    """The part a body plays on an activity (not an account's role, tracker.auth.models.AccountRole):
    the first body named leads — its report is the one reviewed — and the others co-execute,
    contributing to the lead's report."""

    LEAD = "lead"
    CO_EXECUTOR = "co_executor"


class Plan(db.Model):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(120))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    #: what "тұрақты" (ongoing) items are due as: monthly | quarterly | semiannual | annual
    default_frequency: Mapped[str] = mapped_column(String(20), default="semiannual")
    #: the same plan imported again (from .txt, .docx or .xlsx) updates this row
    natural_key: Mapped[str] = mapped_column(String(64), unique=True)
    source_filename: Mapped[str | None] = mapped_column(String(255))
    source_format: Mapped[str | None] = mapped_column(String(10))
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    #: made by `flask demo generate`, not read from a real document
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: "Күтілетін нәтижелер" lines of the plan, as written
    expected_results: Mapped[list] = mapped_column(JSON, default=list)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)

    sections: Mapped[list["Section"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Section.position")
    activities: Mapped[list["Activity"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Activity.position")
    warnings: Mapped[list["PlanWarning"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanWarning.id")


class Section(db.Model):
    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)

    plan: Mapped[Plan] = relationship(back_populates="sections")


class Activity(db.Model):
    __tablename__ = "activity"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="SET NULL"), index=True)
    #: as in the plan: "1.14", "3.4", "17"
    number: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    completion_form: Mapped[str] = mapped_column(Text, default="")
    deadline_text: Mapped[str] = mapped_column(Text, default="")
    #: which convention gave the due dates ("quarterly", "dates", "ongoing:semiannual", …)
    deadline_rule: Mapped[str | None] = mapped_column(String(40))
    funding_text: Mapped[str] = mapped_column(Text, default="")
    #: allocated | none | republican_budget | local_budget | amount | unspecified
    funding_kind: Mapped[str] = mapped_column(String(20), default="unspecified")
    funding_amount_kzt: Mapped[int | None] = mapped_column(BigInteger)
    #: sub-rows with their own deliverable and deadline (Kostanay 3.4), as parsed
    parts: Mapped[list] = mapped_column(JSON, default=list)
    #: where it was read from: "line 83", "table 1, row 7"
    source_ref: Mapped[str | None] = mapped_column(String(60))
    #: source_ref as message data (tracker.core.messages), so "line 83" reads as "83-жол" in Kazakh
    source_ref_data: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))

    plan: Mapped[Plan] = relationship(back_populates="activities")
    section: Mapped["Section | None"] = relationship()
    executors: Mapped[list["ActivityExecutor"]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="ActivityExecutor.position")
    obligations: Mapped[list["Obligation"]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="Obligation.due_date")

    @property
    def lead(self) -> "ActivityExecutor | None":
        return next((e for e in self.executors if e.role == ExecutorRole.LEAD), None)

    def next_due(self, today: date) -> date | None:
        return next((o.due_date for o in self.obligations if o.due_date >= today), None)


class ActivityExecutor(db.Model):
    """A body named for an activity: the first is the lead executor, the others co-executors."""

    __tablename__ = "activity_executor"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), index=True)
    #: None while the written name is unresolved (a warning says so)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id"), index=True)
    written: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer)
    #: an ExecutorRole: lead | co_executor
    role: Mapped[str] = mapped_column(String(12))
    #: "(келісім бойынша)": a body outside the akimat that takes part by agreement
    by_agreement: Mapped[bool] = mapped_column(Boolean, default=False)
    #: legend | registry | variant | fuzzy | unresolved
    match: Mapped[str] = mapped_column(String(12))

    activity: Mapped[Activity] = relationship(back_populates="executors")
    body: Mapped[Body | None] = relationship()


class Obligation(db.Model):
    """One due date of one activity: what the lead executor owes a report for."""

    __tablename__ = "obligation"
    __table_args__ = (UniqueConstraint("activity_id", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), index=True)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    #: which deliverables fall due that day when the activity has sub-rows
    deliverable: Mapped[str | None] = mapped_column(Text)

    activity: Mapped[Activity] = relationship(back_populates="obligations")


class PlanWarning(db.Model):
    """An import finding a person should look at (named so, not Warning, to keep clear of
    Python's built-in)."""

    __tablename__ = "plan_warning"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    activity_number: Mapped[str | None] = mapped_column(String(40))
    #: executors | deadline | funding | legend | table | period | text | number
    field: Mapped[str] = mapped_column(String(40))
    #: the finding in English, as the engine wrote it (the command line shows it so)
    message: Mapped[str] = mapped_column(Text)
    #: the same as message data (tracker.core.messages): the page shows it in the reader's language
    message_data: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    plan: Mapped[Plan] = relationship(back_populates="warnings")
