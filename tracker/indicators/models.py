"""Indicators as stored: what a plan promises in numbers, the targets per period, and the actuals
the responsible body reports.

Each reporting period of an indicator is a row with a due date (`IndicatorPeriod`): the
responsible body's obligation for that indicator, as an activity's due date is its lead's. An
actual is posted against a period like a report against a due date: each submission is its own
row and is never rewritten (a returned actual is corrected as a new version), the review is
written once onto it, and `row_version` keeps two coordinators from both reviewing it. So the
figures of any past day can be replayed from the rows ("as of").
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.core.clock import now
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.plans.models import Activity, Plan
from tracker.reports.models import StoredFile
from tracker.reports.status import ReportState


class IndicatorState(StrEnum):
    """A proposal read from the plan becomes an indicator when a coordinator confirms it, or is
    set aside when they dismiss it (kept, so that it is not proposed again)."""

    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class TargetSource(StrEnum):
    """Where a target's number comes from: the plan's text, a relative target and the baseline,
    or the coordinator."""

    PLAN = "plan"
    RELATIVE = "relative"
    COORDINATOR = "coordinator"


class DueKind(StrEnum):
    """When an actual is due after its period ends: N working days later (the Kazakh working
    calendar with the coordinator's overrides), or on day N of the next month."""

    WORKING_DAYS = "working_days"
    MONTH_DAY = "month_day"


indicator_activity = Table(
    "indicator_activity",
    db.metadata,
    Column("indicator_id", ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True),
    Column("activity_id", ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Indicator(db.Model):
    __tablename__ = "indicator"
    __table_args__ = (UniqueConstraint("plan_id", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    #: where it was read: "result:1", "result:3.2", "activity:3", "text:4:2" (tracker.indicators.reading)
    source_key: Mapped[str] = mapped_column(String(60))
    #: an IndicatorState
    state: Mapped[str] = mapped_column(String(12), default=IndicatorState.CONFIRMED.value)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: the sentence or completion form as the plan writes it
    text: Mapped[str] = mapped_column(Text, default="")
    name: Mapped[str] = mapped_column(Text, default="")
    #: a Unit: facts | percent | people | organisations | units
    unit: Mapped[str] = mapped_column(String(16), default="facts")
    #: a Direction: down | up | zero | reach
    direction: Mapped[str] = mapped_column(String(8), default="down")
    #: the Scope its responsible body reports: country | region | district | activity
    scope: Mapped[str] = mapped_column(String(12), default="region")
    #: a Frequency: annual | quarterly | monthly
    frequency: Mapped[str] = mapped_column(String(12), default="annual")
    baseline_year: Mapped[int | None] = mapped_column(Integer)
    baseline_value: Mapped[float | None] = mapped_column(Float)
    #: a relative target ({"percent", "per_year", "at_least"}; tracker.indicators.values.Relative)
    relative: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    #: how far from the target still counts as "at risk" rather than "off track" (0.05 = 5 %)
    tolerance: Mapped[float] = mapped_column(Float, default=0.05)
    #: when the actual of a period is due: a DueKind and its N
    due_kind: Mapped[str] = mapped_column(String(16), default=DueKind.WORKING_DAYS.value)
    due_n: Mapped[int] = mapped_column(Integer, default=5)
    #: the body that reports the actual (assigned by the coordinator)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id"), index=True)
    #: the body the plan suggests, as written (the lead of its activity)
    suggested_body: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    plan: Mapped[Plan] = relationship()
    body: Mapped[Body | None] = relationship()
    activities: Mapped[list[Activity]] = relationship(secondary=indicator_activity, order_by=Activity.position)
    targets: Mapped[list["IndicatorTarget"]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="IndicatorTarget.period")
    periods: Mapped[list["IndicatorPeriod"]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="IndicatorPeriod.starts")


class IndicatorTarget(db.Model):
    __tablename__ = "indicator_target"
    __table_args__ = (UniqueConstraint("indicator_id", "period", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    #: a period key: "2024", "2024Q1", "2024-03" (tracker.indicators.periods)
    period: Mapped[str] = mapped_column(String(10))
    scope: Mapped[str] = mapped_column(String(12))
    value: Mapped[float] = mapped_column(Float)
    #: a TargetSource
    source: Mapped[str] = mapped_column(String(12), default=TargetSource.PLAN.value)

    indicator: Mapped[Indicator] = relationship(back_populates="targets")


class IndicatorPeriod(db.Model):
    """One reporting period of an indicator: what its responsible body owes an actual for, and by when."""

    __tablename__ = "indicator_period"
    __table_args__ = (UniqueConstraint("indicator_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(10))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date, index=True)

    indicator: Mapped[Indicator] = relationship(back_populates="periods")


class IndicatorActual(db.Model):
    """An actual figure for one period and scope, as submitted (one row per version)."""

    __tablename__ = "indicator_actual"
    __table_args__ = (
        # One actual per version of a period and scope, whatever the timing: of two posts of the
        # first figure at the same moment one is stored.
        Index("uq_indicator_actual_version", "period_id", "scope", "version", unique=True),
        Index("ix_indicator_actual_lookup", "indicator_id", "period_id", "scope", "version", "submitted_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("indicator_period.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(12))
    value: Mapped[float] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("indicator_actual.id"))
    #: the body that reported it
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id"), index=True)
    #: a ReportState: submitted | accepted | returned
    state: Mapped[str] = mapped_column(String(12), default=ReportState.SUBMITTED.value)
    #: how it came: "form" or "spreadsheet" (with the file's name in the history)
    source: Mapped[str] = mapped_column(String(12), default="form")
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_on: Mapped[date] = mapped_column(Date)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    #: the person entering confirmed the figure and its comment name no one and carry no IIN
    no_personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

    indicator: Mapped[Indicator] = relationship()
    period: Mapped[IndicatorPeriod] = relationship()
    body: Mapped[Body] = relationship()
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    evidence: Mapped[list["IndicatorEvidence"]] = relationship(
        back_populates="actual", cascade="all, delete-orphan", order_by="IndicatorEvidence.id")


class IndicatorEvidence(StoredFile, db.Model):
    """A file backing an actual (a statistics form, a department's table), checked like report
    evidence and stored under EVIDENCE_DIR."""

    __tablename__ = "indicator_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    actual_id: Mapped[int] = mapped_column(ForeignKey("indicator_actual.id", ondelete="CASCADE"), index=True)

    actual: Mapped[IndicatorActual] = relationship(back_populates="evidence")


class IndicatorText(db.Model):
    """Lines a coordinator added for the reader, for a plan whose results the import did not
    bring (a programme entered by hand: the Zhambyl "Тиімділік көрсеткіштері")."""

    __tablename__ = "indicator_text"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    #: the reporting frequency the coordinator chose for what it states
    frequency: Mapped[str] = mapped_column(String(12), default="annual")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

