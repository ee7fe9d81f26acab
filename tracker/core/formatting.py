"""Dates and sums as people in the akimat read them, in the page's language."""

from datetime import date, datetime

from flask_babel import format_date, format_datetime, format_decimal, gettext

from tracker.core.messages import translated
from tracker.core.sizes import human_size


def long_date(value: date | str | None) -> str:
    """2026 ж. 25 тамыз (kk), 25 августа 2026 г. (ru). Takes "2026-08-25" too (dates kept in JSON)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return format_date(value, format="long") if value else "—"


def long_datetime(value: datetime | None) -> str:
    """The day as long_date and the time in Kazakhstan: "2026 ж. 25 тамыз, 14:05"."""
    if value is None:
        return "—"
    if value.tzinfo is None:  # SQLite returns naive datetimes; they were stored in UTC
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    return f"{format_date(value, format='long')}, {format_datetime(value, 'HH:mm')}"


def tenge(amount: int | None) -> str:
    return f"{format_decimal(amount, format='#,##0')} ₸" if amount is not None else "—"


def size(value: int | None) -> str:
    return translated_message(human_size(value)) if value is not None else "—"


def translated_message(text: str | None, data: dict | None = None) -> str:
    """An engine finding (a Message, or stored text with its message data) in the page's language."""
    return translated(text, gettext, data)


def message_filter(text: str | None, data: dict | None = None) -> str:
    """Jinja: {{ w.message|message(w.message_data) }}. `data` may be undefined (a parsed, not stored, warning)."""
    return translated_message(text, data if isinstance(data, dict) else None)
