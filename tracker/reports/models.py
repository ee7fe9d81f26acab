"""Completion reports and their evidence.

Each submission is its own row and is never rewritten: correcting a returned report makes a
new version (`previous_id` points back). So the history of an obligation — submitted,
returned, corrected, accepted — can always be replayed, and the status on any past day
("as of") follows from the rows alone.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.plans.models import Obligation
from tracker.plans.signals import obligations_in_use
from tracker.reports.status import ReportState


class ReportKind(StrEnum):
    """A lead executor's report, which the coordinator reviews, or a co-executor's contribution to it."""

    LEAD = "lead"
    CONTRIBUTION = "contribution"




class CompletionReport(db.Model):
    __tablename__ = "completion_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligation.id", ondelete="CASCADE"), index=True)
    #: the body reporting: the lead executor, or the co-executor contributing
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id"), index=True)
    #: a ReportKind
    kind: Mapped[str] = mapped_column(String(12))
    #: 1 for the first submission, 2 for the corrected one after a return, …
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("completion_report.id"))
    #: what was done
    text: Mapped[str] = mapped_column(Text)
    links: Mapped[list] = mapped_column(JSON, default=list)
    #: a ReportState
    state: Mapped[str] = mapped_column(String(12), default=ReportState.SUBMITTED.value, index=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: the day in Kazakhstan it was submitted (SQL can count by it without time zones)
    submitted_on: Mapped[date] = mapped_column(Date, index=True)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the day of acceptance decides "done" (on or before the due date) or "done late"
    reviewed_on: Mapped[date | None] = mapped_column(Date, index=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    #: the person posting confirmed the report names no minor and carries no IIN
    no_personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    #: bumped by every UPDATE (optimistic locking): two coordinators reviewing at once cannot both
    #: win — the second UPDATE finds another row_version and is refused as "changed meanwhile"
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: the random token of the form this report was posted from: the same form sent twice (a double
    #: click, a retry after a timeout) is recognised and answered with this report, not stored again
    submission_token: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)

    __mapper_args__ = {"version_id_col": row_version}
    __table_args__ = (
        # One lead report per version of an obligation, whatever the timing: two executors posting the
        # first report at the same moment cannot both store version 1 (the second INSERT is refused).
        Index("uq_completion_report_lead_version", "obligation_id", "version", unique=True,
              sqlite_where=sql("kind = 'lead'"), postgresql_where=sql("kind = 'lead'")),  # ReportKind.LEAD
        # Every status asks "the latest lead report of this obligation submitted by day D": this
        # index answers it (and the "no later version" check) without reading the report rows.
        Index("ix_completion_report_status_lookup", "obligation_id", "kind", "version", "submitted_on", "state",
              "reviewed_on"),
    )

    obligation: Mapped[Obligation] = relationship()
    body: Mapped[Body] = relationship()
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    evidence: Mapped[list["Evidence"]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="Evidence.id")


class StoredFile:
    """The columns of a file kept under EVIDENCE_DIR (a report's evidence, a file handed down with
    a delegation, an actual's evidence), checked by the same rules (tracker.reports.evidence) and
    downloaded the same way (evidence.send_stored)."""

    #: the name it had on the sender's computer (shown and offered on download)
    original_name: Mapped[str] = mapped_column(String(255))
    #: generated: "<year>/<uuid>.<kind>"
    stored_name: Mapped[str] = mapped_column(String(80))
    #: pdf | doc | docx | xls | xlsx | jpg | png — read from the content
    kind: Mapped[str] = mapped_column(String(8))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Evidence(StoredFile, db.Model):
    """A file attached to a report. The bytes live under EVIDENCE_DIR as `stored_name`, never
    under static/; a corrected version of a report points at the same stored file again."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("completion_report.id", ondelete="CASCADE"), index=True)

    report: Mapped[CompletionReport] = relationship(back_populates="evidence")
    uploaded_by: Mapped[User] = relationship()


@obligations_in_use.connect
def _obligations_with_reports(_sender, ids: list[int]) -> set[int]:
    """A due date that has reports is never dropped by a plan edit or a re-import (plans ask)."""
    return set(db.session.scalars(
        select(CompletionReport.obligation_id).where(CompletionReport.obligation_id.in_(ids)).distinct()))
