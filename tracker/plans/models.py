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
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
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


class PlanKind(StrEnum):
    """What a plan is: a plan table imported as it is, an assignment read from the letter that
    carries it, or a programme with reporting duties and target indicators (tracker.letters)."""

    PLAN = "plan"
    ASSIGNMENT = "assignment"
    PROGRAMME = "programme"


class Plan(db.Model):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(120))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    #: what "тұрақты" (ongoing) items are due as: monthly | quarterly | semiannual | annual
    default_frequency: Mapped[str] = mapped_column(String(20), default="semiannual")
    #: a date the plan states that falls on a non-working day: "keep" it as signed (the default),
    #: or move it to the working day "before" it (the office rule for documents on control) or "after"
    non_working_rule: Mapped[str] = mapped_column(String(8), default="keep", server_default="keep")
    #: an obligation overdue this many working days is escalated to the coordinators and the lead
    #: body's head (tracker.mail.rules)
    escalation_working_days: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    #: a body handing a due date down gives it an internal date this many working days earlier (tracker.delegation)
    delegation_working_days: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    #: the same plan imported again (from .txt, .docx or .xlsx) updates this row
    natural_key: Mapped[str] = mapped_column(String(64), unique=True)
    source_filename: Mapped[str | None] = mapped_column(String(255))
    source_format: Mapped[str | None] = mapped_column(String(10))
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    #: made by `flask demo generate`, not read from a real document
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: "Күтілетін нәтижелер" lines of the plan, as written
    expected_results: Mapped[list] = mapped_column(JSON, default=list)
    #: its activities, executors or due dates changed since the dashboard's rollups counted it: the
    #: next reading counts the plan again (tracker.reports.rollups); set by every change to a plan
    figures_stale: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)

    # --- an assignment or programme read from a letter (tracker.letters) -------------------------
    #: a PlanKind: plan | assignment | programme
    kind: Mapped[str] = mapped_column(String(12), default=PlanKind.PLAN.value, server_default=PlanKind.PLAN.value)
    #: the letter that carries it: its issuer, outgoing number and date
    letter_issuer: Mapped[str | None] = mapped_column(Text)
    letter_number: Mapped[str | None] = mapped_column(String(60))
    letter_date: Mapped[date | None] = mapped_column(Date)
    #: the document that letter executes ("…министрлігінің 24.05.2024 жылғы №3-05-4/3494-И хатына сәйкес")
    basis_issuer: Mapped[str | None] = mapped_column(Text)
    basis_number: Mapped[str | None] = mapped_column(String(60))
    basis_date: Mapped[date | None] = mapped_column(Date)
    #: the day the reply to the sender is due (an obligation of the plan, too)
    reply_due: Mapped[date | None] = mapped_column(Date)
    #: the source letter's place in its stack of letters: 0 is the newest, on top
    chain_position: Mapped[int | None] = mapped_column(Integer)

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
    #: its progress as the dashboard's rollups count it (tracker.reports.rollups)
    counted_progress: Mapped[str | None] = mapped_column(String(12))

    plan: Mapped[Plan] = relationship(back_populates="activities")
    section: Mapped["Section | None"] = relationship()
    executors: Mapped[list["ActivityExecutor"]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="ActivityExecutor.position")
    # By the plan's dates (extensions do not reorder them); those waiting for an event come last.
    obligations: Mapped[list["Obligation"]] = relationship(
        back_populates="activity", cascade="all, delete-orphan",
        order_by=lambda: (Obligation.original_due_date.is_(None), Obligation.original_due_date, Obligation.id))

    @property
    def lead(self) -> "ActivityExecutor | None":
        return next((e for e in self.executors if e.role == ExecutorRole.LEAD), None)

    def next_due(self, today: date) -> date | None:
        return min((o.due_date for o in self.obligations if o.due_date is not None and o.due_date >= today),
                   default=None)


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
    """One due date of one activity: what the lead executor owes a report for.

    `original_due_date` is the date the plan gives and never changes: it is what makes this the
    same obligation when the plan is imported again. `due_date` is the date in force: the plan's,
    or the one an approved extension set (tracker.control). An obligation whose deadline waits for
    an event ("тексеру нәтижелері бойынша") has neither until the event's day is recorded.
    """

    __tablename__ = "obligation"
    __table_args__ = (UniqueConstraint("activity_id", "original_due_date",
                                       name="uq_obligation_activity_original_due_date"),
                      # the overdue obligations of a body, for its oldest overdue date (tracker.reports.rollups)
                      Index("ix_obligation_counted_status", "counted_status", "activity_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), index=True)
    #: the date in force (None while the deadline waits for an event)
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    #: the date the plan gives (or the event's deadline computed when the event was recorded)
    original_due_date: Mapped[date | None] = mapped_column(Date)
    #: which deliverables fall due that day when the activity has sub-rows
    deliverable: Mapped[str | None] = mapped_column(Text)
    #: the reporting period the report covers (Q1 2025 for a quarterly report due 5 April 2025)
    covers_start: Mapped[date | None] = mapped_column(Date)
    covers_end: Mapped[date | None] = mapped_column(Date)
    #: the date the plan states, when the plan's rule moved it off a non-working day (and why:
    #: `due_notes`, message data of tracker.core.messages)
    moved_from: Mapped[date | None] = mapped_column(Date)
    due_notes: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    #: the event or start the deadline waits for, as the plan words it
    waits_for: Mapped[str | None] = mapped_column(Text)
    #: the day of that event (or start), and the day the coordinator recorded it
    event_on: Mapped[date | None] = mapped_column(Date)
    event_recorded_on: Mapped[date | None] = mapped_column(Date)
    #: the last day the date in force changed (an event recorded, an extension approved): "as of"
    #: an earlier day the date is replayed from the extensions, a later one reads `due_date`
    due_changed_on: Mapped[date | None] = mapped_column(Date)
    #: extensions approved so far (their requests are tracker.control.models.ExtensionRequest)
    extensions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: how the dashboard's rollups count it (tracker.reports.rollups): its status on the rollups' day,
    #: whether it was due so far, its extensions — None until it is counted
    counted_status: Mapped[str | None] = mapped_column(String(12))
    counted_due: Mapped[bool | None] = mapped_column(Boolean)
    counted_extensions: Mapped[int | None] = mapped_column(Integer)

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
