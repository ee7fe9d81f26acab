"""Long work done by the worker for someone: the whole-country workbook."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.clock import now
from tracker.extensions import db


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"  #: done, and its file removed after EXPORT_KEEP_HOURS


class ExportJob(db.Model):
    """A workbook made in the background. Its progress while it runs is in the queue's storage
    (tracker.jobs.progress): the export reads the database in one long transaction, and on SQLite
    a write to the database from beside it would wait for that transaction to end."""

    __tablename__ = "export_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    #: the dashboard's query string the workbook was asked with (filters and as-of day)
    query: Mapped[str] = mapped_column(Text, default="")
    as_of: Mapped[date] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(5))
    #: a JobState
    state: Mapped[str] = mapped_column(String(10), default=JobState.QUEUED)
    rows_total: Mapped[int | None] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    #: the file under EXPORTS_DIR, and the name it is downloaded as
    file_name: Mapped[str | None] = mapped_column(String(200))
    download_name: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: after this the file is removed and the job shows as expired
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
