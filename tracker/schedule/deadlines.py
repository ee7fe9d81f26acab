"""Deadline text → due dates inside the plan period (BRIEF.md, "Deadlines").

`due_dates_for("жыл сайын 25 тамызға дейін", Period(2019, 2021))` gives
25 Aug of 2019, 2020 and 2021. Recurrences are dateutil rrules over the years
in scope: the years the text names, or every year of the plan.
Pure Python: no Flask, no database.
"""

import bisect
import re
from dataclasses import dataclass, field
from datetime import date

from dateutil.rrule import MONTHLY, YEARLY, rrule

from tracker.core.messages import msg
from tracker.core.text import clean

MONTHS_KK = {
    "қаңтар": 1, "ақпан": 2, "наурыз": 3, "сәуір": 4, "мамыр": 5, "маусым": 6,
    "шілде": 7, "тамыз": 8, "қыркүйек": 9, "қазан": 10, "қараша": 11, "желтоқсан": 12,
}
MONTHS_RU = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма[йя]": 5, "июн": 6,
    "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}
_MONTH_WORD = "|".join(list(MONTHS_KK) + list(MONTHS_RU))
_MONTH = rf"(?<!\w)(?:{_MONTH_WORD})\w*"
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}

#: what "тұрақты" (ongoing) means when the coordinator has not chosen otherwise
DEFAULT_FREQUENCY = "semiannual"
FREQUENCIES = ("monthly", "quarterly", "semiannual", "annual")

# Recurrence phrases, checked against the text with spaces removed so that
# PDF-broken words ("Жартыжылд ықта 1 рет") still read.
_RECURRENCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("school_term", ("оқутоқсан", "каждуючетверть", "учебнуючетверть", "учебнойчетверти")),
    ("monthly", ("айсайын", "айынабір", "айына1", "ежемесячно", "каждыймесяц")),
    ("quarterly", ("тоқсансайын", "тоқсандабір", "тоқсанда1", "ежеквартально", "развквартал", "поквартально")),
    ("semiannual", ("жартыжыл", "полугод")),
    ("academic_year", ("оқужылы", "учебногогода", "учебныйгод")),
    ("summer", ("жазкезең", "жаздакезең", "жазмезгіл", "летнийпериод", "летнеевремя", "летом")),
    ("annual", ("жылсайын", "жылынабір", "жылына1", "жылбойы", "ежегодно", "развгод", "втечениегода", "жылдабір")),
    ("ongoing", ("тұрақты", "постоянно", "үнемі", "навсегда")),
)
_RULE_MONTHS = {
    "monthly": tuple(range(1, 13)),
    "quarterly": (3, 6, 9, 12),
    "semiannual": (6, 12),
    "annual": (12,),
    "school_term": (10, 12, 3, 5),
    "academic_year": (5,),
    "summer": (8,),
}


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @classmethod
    def years(cls, first: int, last: int) -> "Period":
        return cls(date(first, 1, 1), date(last, 12, 31))

    @property
    def year_list(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))


@dataclass
class Deadline:
    text: str
    due_dates: list[date] = field(default_factory=list)
    rule: str | None = None  #: which convention produced the dates (for people and tests)
    problem: str | None = None  #: set when the text gave no usable due date


def _month_number(word: str) -> int:
    word = word.lower()
    for stem, number in MONTHS_KK.items():
        if word.startswith(stem):
            return number
    for stem, number in MONTHS_RU.items():
        if re.match(stem, word):
            return number
    raise ValueError(word)


def _month_end(year: int, month: int) -> date:
    return rrule(MONTHLY, dtstart=date(year, month, 1), bymonthday=-1, count=1)[0].date()


def _each_year(years: list[int], months: tuple[int, ...], day: int = -1) -> list[date]:
    if not years:
        return []
    start, until = date(min(years), 1, 1), date(max(years), 12, 31)
    rule = rrule(YEARLY if len(months) == 1 and day != -1 else MONTHLY,
                 dtstart=start, until=until, bymonth=months, bymonthday=day)
    return [d.date() for d in rule if d.year in years]


@dataclass
class _Token:
    kind: str  # year, month, day_month, quarter, date
    pos: int
    value: tuple


def _tokens(line: str) -> list[_Token]:
    found: list[_Token] = []
    # The spans taken so far, disjoint and sorted: a bisection finds an overlap (a scan of every
    # span was quadratic; a 100,000-character deadline cell of years took a minute).
    starts: list[int] = []
    ends: list[int] = []

    def add(match: re.Match, kind: str, value: tuple) -> None:
        start, end = match.span()
        at = bisect.bisect_left(starts, end)  # spans before `at` start before this one ends
        if at and ends[at - 1] > start:
            return
        starts.insert(at, start)
        ends.insert(at, end)
        found.append(_Token(kind, start, value))

    for m in re.finditer(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.((?:19|20)\d{2})(?!\d)", line):
        add(m, "date", (int(m[3]), int(m[2]), int(m[1])))
    for m in re.finditer(rf"(?<!\d)(\d{{1,2}})\s*[-–]?\s*({_MONTH})", line, re.IGNORECASE):
        add(m, "day_month", (_month_number(m[2]), int(m[1])))
    for m in re.finditer(r"(?<![\w])(\d|IV|I{1,3})\s*[-–]?\s*(?:ші|шы|-ші)?\s*(?:тоқсан|квартал)", line, re.IGNORECASE):
        number = int(m[1]) if m[1].isdigit() else _ROMAN[m[1].upper()]
        if 1 <= number <= 4:
            add(m, "quarter", (number,))
    for m in re.finditer(rf"({_MONTH})\s*[-–—]\s*({_MONTH})", line, re.IGNORECASE):
        add(m, "month", (_month_number(m[2]),))  # a range counts by its last month
    for m in re.finditer(_MONTH, line, re.IGNORECASE):
        add(m, "month", (_month_number(m[0]),))
    for m in re.finditer(r"(?<!\d)((?:19|20)\d{2})\s*[-–—]\s*((?:19|20)\d{2})(?!\d)", line):
        add(m, "years", tuple(range(int(m[1]), int(m[2]) + 1)))
    for m in re.finditer(r"(?<!\d)((?:19|20)\d{2})(?!\d)", line):
        add(m, "years", (int(m[1]),))
    return sorted(found, key=lambda t: t.pos)


def _recurrence(text: str) -> str | None:
    compact = re.sub(r"\s+", "", text.lower())
    for rule, phrases in _RECURRENCES:
        if any(phrase in compact for phrase in phrases):
            return rule
    return None


def due_dates_for(text: str | None, period: Period, default_frequency: str = DEFAULT_FREQUENCY) -> Deadline:
    """The due dates a deadline text gives inside `period`, sorted, without repeats."""
    text = (text or "").replace("\r", "\n")
    shown = "\n".join(clean(line) for line in text.split("\n") if clean(line))
    deadline = Deadline(text=shown)
    if not shown:
        deadline.problem = msg("no deadline given")
        return deadline

    lines = [_tokens(line) for line in shown.split("\n")]
    all_years = sorted({y for line in lines for t in line if t.kind == "years" for y in t.value})
    scope = [y for y in all_years if period.start.year <= y <= period.end.year] or (
        [] if all_years else period.year_list
    )
    dates: list[date] = []
    dated = [t for line in lines for t in line if t.kind != "years"]
    rule = _recurrence(shown)

    if dated:
        deadline.rule = "dates"
        done: set[tuple] = set()  # a word repeated with the same years gives the same dates
        for line in lines:
            for token, near in zip(line, _years_near(line), strict=True):
                if token.kind == "years":
                    continue
                years = near or scope
                if (token.kind, token.value, tuple(years)) not in done:
                    done.add((token.kind, token.value, tuple(years)))
                    dates.extend(_dates_for(token, years))
    elif rule:
        deadline.rule = rule
        if rule == "ongoing":
            deadline.rule = f"ongoing:{default_frequency}"
            rule = default_frequency
        dates = _each_year(scope, _RULE_MONTHS[rule])
    elif all_years:
        deadline.rule = "years"
        if not scope:
            deadline.problem = msg("deadline «%(text)s» falls outside the plan period %(start)s–%(end)s",
                                   text=shown, start=period.start.year, end=period.end.year)
            return deadline
        dates = _each_year(scope, (12,))
    else:
        deadline.problem = msg("deadline not understood: «%(text)s»", text=shown)
        return deadline

    inside = sorted({d for d in dates if period.start <= d <= period.end})
    if dates and not inside:
        deadline.problem = msg("deadline «%(text)s» falls outside the plan period %(start)s–%(end)s",
                               text=shown, start=period.start.year, end=period.end.year)
    elif not dates:
        deadline.problem = msg("deadline «%(text)s» gives no due date", text=shown)
    deadline.due_dates = inside
    return deadline


def _years_near(line: list[_Token]) -> list[list[int]]:
    """For each token of a line, the years a date word belongs to: the nearest year before it on
    its line, else after it. Two passes over the line (looking around every token was quadratic)."""
    before: list[list[int] | None] = []
    last: list[int] | None = None
    for token in line:
        before.append(last)
        if token.kind == "years":
            last = list(token.value)
        elif token.kind == "date":  # a full date carries its own year: look no further back
            last = None
    after: list[list[int] | None] = []
    following: list[int] | None = None
    for token in reversed(line):
        after.append(following)
        if token.kind == "years":
            following = list(token.value)
    after.reverse()
    return [b if b is not None else (a or []) for b, a in zip(before, after, strict=True)]


def _dates_for(token: _Token, years: list[int]) -> list[date]:
    if token.kind == "date":
        year, month, day = token.value
        try:
            return [date(year, month, day)]
        except ValueError:
            return []
    if token.kind == "month":
        return _each_year(years, token.value)
    if token.kind == "day_month":
        month, day = token.value
        return [d for y in years for d in _safe_date(y, month, day)]
    if token.kind == "quarter":
        (quarter,) = token.value
        return [_month_end(y, quarter * 3) for y in years]
    return []


def _safe_date(year: int, month: int, day: int) -> list[date]:
    try:
        return [date(year, month, day)]
    except ValueError:
        return []
