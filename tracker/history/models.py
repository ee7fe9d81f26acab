"""The append-only history: who changed what, and when.

Rows are only ever inserted. The ORM refuses to update or delete them (see `record`), and
the migration adds database triggers that refuse it too, so not even a hand-written SQL
statement rewrites the past. The subject columns are plain numbers, not foreign keys, so
an entry outlives whatever it describes.
"""

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.clock import now
from tracker.extensions import db


class HistoryEntry(db.Model):
    __tablename__ = "history_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, index=True)
    #: the account that acted; None for the command line and `make run`
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: the account's e-mail, or "command line", kept as it was at the time
    actor: Mapped[str] = mapped_column(String(254))
    #: what happened, e.g. "report.returned" (tracker.history.ACTIONS lists them all)
    action: Mapped[str] = mapped_column(String(40), index=True)
    plan_id: Mapped[int | None] = mapped_column(Integer, index=True)
    activity_id: Mapped[int | None] = mapped_column(Integer, index=True)
    obligation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    report_id: Mapped[int | None] = mapped_column(Integer)
    body_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: the account the change was about (account changes)
    account_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: what the page needs to say it: names, numbers, a comment
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    #: {field: [before, after]} for edits
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
