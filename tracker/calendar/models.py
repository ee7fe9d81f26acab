"""A day the coordinator declared working or not, overriding the shipped calendar."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.clock import now
from tracker.extensions import db


class CalendarDay(db.Model):
    __tablename__ = "calendar_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    #: True: a working day (a Saturday worked in exchange); False: a day off
    working: Mapped[bool] = mapped_column(Boolean)
    #: why, as the coordinator wrote it ("Үкіметтің 2026 жылғы … № … қаулысы")
    reason: Mapped[str] = mapped_column(Text)
    #: the resolution or order, where there is one
    source: Mapped[str | None] = mapped_column(String(255))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
