"""Reporting periods of an indicator: a year, a quarter or a month, named as pandas names them.

A period's key is the string pandas gives a `pandas.Period` of that frequency — "2024" (a year),
"2024Q1" (a quarter), "2024-03" (a month) — so that keys read from a department's spreadsheet,
typed into a form and stored all compare equal. `period_keys` writes the same keys without
pandas (the plan reader is loaded by `plans parse --json`, where importing pandas would cost more
than the whole parse); `reporting_periods` does the date arithmetic with pandas, and
tests/test_indicator_reading.py holds the two to the same keys.

No Flask and no database: the plan reader (tracker.indicators.reading) uses this module.
"""

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Frequency(StrEnum):
    """How often an indicator's actual is reported."""

    ANNUAL = "annual"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"


#: the pandas frequency of each (period aliases: "Y" year, "Q" quarter, "M" month)
PANDAS_FREQUENCY = {Frequency.ANNUAL: "Y", Frequency.QUARTERLY: "Q", Frequency.MONTHLY: "M"}


@dataclass(frozen=True)
class ReportingPeriod:
    key: str
    start: date
    end: date

    @property
    def year(self) -> int:
        return self.start.year


def period_keys(years: list[int], frequency: str) -> list[str]:
    """The keys of every period of `frequency` in those years, in order (no pandas)."""
    if frequency == Frequency.QUARTERLY:
        return [f"{y}Q{q}" for y in years for q in range(1, 5)]
    if frequency == Frequency.MONTHLY:
        return [f"{y}-{m:02d}" for y in years for m in range(1, 13)]
    return [str(y) for y in years]


def reporting_periods(start: date, end: date, frequency: str) -> list[ReportingPeriod]:
    """Every period of `frequency` that overlaps start–end (a plan's period), with its first and
    last day: pandas' period_range does the calendar."""
    import pandas as pd

    span = pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq=PANDAS_FREQUENCY[Frequency(frequency)])
    return [ReportingPeriod(str(p), p.start_time.date(), p.end_time.date()) for p in span]


def year_of(key: str) -> int:
    return int(key[:4])


def frequency_of(key: str) -> Frequency:
    if "Q" in key:
        return Frequency.QUARTERLY
    if "-" in key:
        return Frequency.MONTHLY
    return Frequency.ANNUAL


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_YEAR = r"((?:19|20)\d{2})"
_YEAR_WORD = r"(?:\s*(?:ж\.?|жыл\w*|г\.?|год\w*))?"
_Q_NUMBER = r"([1-4]|iv|i{1,3})"
_Q_WORD = r"(?:тоқсан\w*|кв\w*\.?)"
_QUARTER_FORMS = (
    re.compile(_YEAR + r"\s*-?\s*q\s*([1-4])"),  # 2024Q1, 2024-Q1, 2024 q1
    re.compile(r"q\s*([1-4])\s*[-/ ]?\s*" + _YEAR),  # Q1 2024
    re.compile(_YEAR + _YEAR_WORD + r"\s*,?\s*" + _Q_NUMBER + r"\s*-?\s*" + _Q_WORD),  # 2024 ж. 1-тоқсан
    re.compile(_Q_NUMBER + r"\s*-?\s*" + _Q_WORD + r"\s*,?\s*" + _YEAR + _YEAR_WORD),  # I квартал 2024 г.
)
_MONTH_FORMS = (
    re.compile(_YEAR + r"\s*[-./]\s*(\d{1,2})$"),  # 2024-03, 2024.03
    re.compile(r"(\d{1,2})\s*[-./]\s*" + _YEAR + r"$"),  # 03.2024
)


def parse_period(text: object) -> str | None:
    """A period as people write it → its key, or None when it is not one.

    "2024", "2024 жыл", "2024 г.", 2024 (a number in a spreadsheet cell) → "2024";
    "2024Q1", "2024-Q1", "Q1 2024", "1-тоқсан 2024", "I квартал 2024" → "2024Q1";
    "2024-03", "03.2024" → "2024-03"."""
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int | float):
        if float(text).is_integer() and 1900 <= int(text) <= 2100:
            return str(int(text))
        return None
    if hasattr(text, "year") and hasattr(text, "month"):  # a date cell: the month it names
        return f"{text.year}-{text.month:02d}"
    value = re.sub(r"\s+", " ", str(text)).strip().lower()
    if not value:
        return None
    year_only = re.fullmatch(_YEAR + _YEAR_WORD + r"(?:\.0)?", value)
    if year_only:
        return year_only.group(1)
    for form in _QUARTER_FORMS:
        found = form.fullmatch(value)
        if found:
            first, second = found.groups()
            year, quarter = (first, second) if len(first) == 4 else (second, first)
            number = _ROMAN.get(quarter) or int(quarter)
            return f"{year}Q{number}"
    for index, form in enumerate(_MONTH_FORMS):
        found = form.fullmatch(value)
        if found:
            year, month = found.groups() if index == 0 else found.groups()[::-1]
            if 1 <= int(month) <= 12:
                return f"{year}-{int(month):02d}"
    return None
