"""Dates and sums as people in the akimat read them, in the page's language."""

from datetime import date

from flask_babel import format_date, format_decimal


def long_date(value: date | None) -> str:
    """2026 ж. 25 тамыз (kk), 25 августа 2026 г. (ru)."""
    return format_date(value, format="long") if value else "—"


def tenge(amount: int | None) -> str:
    return f"{format_decimal(amount, format='#,##0')} ₸" if amount is not None else "—"
