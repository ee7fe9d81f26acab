"""Deadline text → due dates inside the plan period (BRIEF.md, "Deadlines").

`due_dates_for("жыл сайын 25 тамызға дейін", Period(2019, 2021))` gives
25 Aug of 2019, 2020 and 2021. Recurrences repeat over the years in scope: the
years the text names, or every year of the plan.

Every due date is a `DueDate`: a `datetime.date` that also says which convention gave it (`rule`),
the reporting period it covers (`covers`: Q1 2025 for a quarterly report) and, when a plan moves
dates off non-working days, where it was and why. A deadline may also give no date yet: one
counted from a start ("10 (он) жұмыс күні ішінде") carries a `Relative`, one that waits for an
event ("талдау нәтижелері ұсынылғаннан кейін") its words in `waits_for`; `Deadline.due_from(start)`
gives the date once the start is known.
Pure Python: no Flask, no database.
"""

import bisect
import calendar as month_calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from tracker.core.messages import msg
from tracker.core.text import clean
from tracker.schedule.relative import KINDS, Relative, event_words, read_relative
from tracker.schedule.workdays import NON_WORKING_RULES, WorkingCalendar, default_calendar

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


#: where each recurrence's reporting period starts, by the month its due date (the period's end) is in
_PERIOD_START_MONTH = {
    "monthly": lambda month: month,
    "quarterly": lambda month: month - 2,
    "semiannual": lambda month: month - 5,
    "annual": lambda month: 1,
    # school terms, by month: Sep–Oct, Nov–Dec, Jan–Mar, Apr–May
    "school_term": {10: 9, 12: 11, 3: 1, 5: 4}.get,
    "summer": lambda month: 6,
}
#: recurrences whose reports can be due after the period ("тоқсан сайын … кейінгі айдың 5-күніне дейін")
_PERIODIC = ("monthly", "quarterly", "semiannual", "annual")
#: rules of a deadline that has no date until its start is known
WITHOUT_DATES = ("event", *KINDS)


class Covers(NamedTuple):
    """The reporting period a due date covers, both ends included."""

    start: date
    end: date


class DueDate(date):
    """A due date that says how it was found. It *is* a `datetime.date` — equal to, hashed and
    sorted as the plain date — so `Deadline.due_dates` keeps its meaning for every caller, and the
    facts travel with the date wherever it goes (parse.py joins the parts' dates into one list).

    - rule: the convention that gave it: "quarterly", "after_period:quarterly", "stated_date" …
    - covers: the reporting period it covers (Covers), or None (a single stated date covers nothing)
    - moved_from: the date the text gave, when the plan's rule moved it off a non-working day
    - notes: what a person should see next to it ("2026-08-29 is a Saturday; moved to 2026-08-28")

    Arithmetic gives plain dates: a day three days before a due date is not itself a due date.
    """

    __slots__ = ("rule", "covers", "moved_from", "notes")

    def __new__(cls, year: "int | date", month: int | None = None, day: int | None = None, *,
                rule: str | None = None, covers: Covers | None = None, moved_from: date | None = None,
                notes: tuple[str, ...] = ()):
        if isinstance(year, date):
            year, month, day = year.year, year.month, year.day
        self = super().__new__(cls, year, month, day)
        object.__setattr__(self, "rule", rule)
        object.__setattr__(self, "covers", covers)
        object.__setattr__(self, "moved_from", moved_from)
        object.__setattr__(self, "notes", tuple(notes))
        return self

    def __setattr__(self, name, value):
        raise AttributeError("a DueDate does not change; make a new one")

    def __reduce__(self):  # pickled (a staged import) with what it knows
        return _due_date, (self.isoformat(), self.rule, self.covers, self.moved_from, self.notes)

    def __repr__(self) -> str:
        return f"DueDate({self.isoformat()!r}, rule={self.rule!r}, covers={self.covers!r})"

    def __add__(self, other):
        return self.plain() + other

    __radd__ = __add__

    def __sub__(self, other):
        return self.plain() - other

    def replace(self, *args, **kwargs) -> date:
        return self.plain().replace(*args, **kwargs)

    def plain(self) -> date:
        return date(self.year, self.month, self.day)

    def moved(self, to: date, note: str) -> "DueDate":
        return DueDate(to, rule=self.rule, covers=self.covers, moved_from=self.plain(), notes=(*self.notes, note))

    def noted(self, note: str) -> "DueDate":
        return DueDate(self, rule=self.rule, covers=self.covers, moved_from=self.moved_from, notes=(*self.notes, note))

    def to_json(self) -> dict:
        return {
            "date": self.isoformat(),
            "rule": self.rule,
            "covers": {"start": self.covers.start.isoformat(), "end": self.covers.end.isoformat()} if self.covers else None,
            "moved_from": self.moved_from.isoformat() if self.moved_from else None,
            "notes": list(self.notes),
        }


def _due_date(iso: str, rule, covers, moved_from, notes) -> DueDate:
    return DueDate(date.fromisoformat(iso), rule=rule, covers=covers, moved_from=moved_from, notes=notes)


@dataclass
class Deadline:
    text: str
    #: the due dates, sorted; `DueDate`s (plain dates when built by hand) — see `due`
    due_dates: list[date] = field(default_factory=list)
    rule: str | None = None  #: which convention produced the dates (for people and tests)
    problem: str | None = None  #: set when the text gave no usable due date
    #: an offset from a start ("10 (он) жұмыс күні ішінде"): the due date comes with the start
    relative: Relative | None = None
    #: the words of the event the deadline waits for ("тексеру нәтижелері бойынша"), as written
    waits_for: str | None = None

    def __post_init__(self):
        # parse.py joins the parts of an activity into a new Deadline of text, dates, rule and
        # problem; the offset and the event depend on the words alone, so they are read again.
        if self.rule in WITHOUT_DATES and self.relative is None and self.waits_for is None:
            self.relative, self.waits_for = _offset_and_event(self.text)

    @property
    def due(self) -> list[DueDate]:
        """The due dates with what each one covers and why it is where it is."""
        return [d if isinstance(d, DueDate) else DueDate(d, rule=self.rule) for d in self.due_dates]

    @property
    def notes(self) -> list[str]:
        """What a person should see beside the dates, none of it a problem: dates moved off
        non-working days, reports owed after the plan period, how an offset was read."""
        found = [self.relative.note] if self.relative and self.relative.note else []
        return found + [note for d in self.due for note in d.notes]

    def due_from(self, start: date | datetime, calendar: WorkingCalendar | None = None,
                 non_working: str = "keep") -> DueDate | None:
        """The due date of a deadline counted from a start or waiting for an event, once the start
        (a letter's receipt, the event's day) is known: the offset counted from it, or the event's
        day itself. None for a deadline with dates of its own."""
        if self.relative is not None:
            day = self.relative.due_date(start, calendar)
        elif self.waits_for is not None:
            day = start.date() if isinstance(start, datetime) else start
        else:
            return None
        return _keep_or_move(DueDate(day, rule=self.rule), calendar, non_working)

    def to_json(self) -> dict:
        """What `plans parse --json` shows beyond text, rule and due_dates."""
        data: dict = {"due": [d.to_json() for d in self.due]}
        if self.relative is not None:
            data["relative"] = self.relative.to_json()
        if self.waits_for is not None:
            data["waits_for"] = self.waits_for
        if self.notes:
            data["notes"] = self.notes
        return data


def _offset_and_event(text: str) -> tuple[Relative | None, str | None]:
    reading = read_relative(text)
    return (reading.relative if reading else None), event_words(text, reading)


def _keep_or_move(due: DueDate, calendar: WorkingCalendar | None, non_working: str) -> DueDate:
    if non_working == "keep":
        return due
    day, note = (calendar or default_calendar()).move(due, non_working)
    return due.moved(day, note) if note else due


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
    return date(year, month, month_calendar.monthrange(year, month)[1])


def _each_year(years: list[int], months: tuple[int, ...]) -> list[date]:
    """The last day of each of `months` in each of `years`, in date order. Computed directly:
    dateutil's rrule, which did this before, took three quarters of the time of reading a plan."""
    return [_month_end(year, month) for year in sorted(set(years)) for month in sorted(set(months))]


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
        add(m, "month_range", (_month_number(m[1]), _month_number(m[2])))  # due at the end of its last month
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


def due_dates_for(text: str | None, period: Period, default_frequency: str = DEFAULT_FREQUENCY,
                  non_working: str = "keep", calendar: WorkingCalendar | None = None) -> Deadline:
    """The due dates a deadline text gives inside `period`, sorted, without repeats.

    `non_working` is the plan's rule for a due date on a non-working day: "keep" it where the text
    puts it (the default), move it to the working day "before" it or "after" it; a moved date keeps
    where it was and why (`DueDate.moved_from`, `DueDate.notes`). `calendar` is the plan's
    `WorkingCalendar` (Kazakhstan's, with the coordinator's overrides); the default has none.
    """
    if non_working not in NON_WORKING_RULES:
        raise ValueError(f"unknown non-working-day rule {non_working!r}: one of {', '.join(NON_WORKING_RULES)}")
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
    dues: list[DueDate] = []
    dated = [t for line in lines for t in line if t.kind != "years"]
    rule = _recurrence(shown)
    frequency = default_frequency if rule == "ongoing" else rule
    after = _after_period(shown, dated) if frequency in _PERIODIC else None

    if after is not None:
        deadline.rule = f"after_period:{'ongoing:' if rule == 'ongoing' else ''}{frequency}"
        dues = _reports_after_periods(after, frequency, scope, period, deadline.rule, calendar)
        if not dues and not scope:
            deadline.problem = msg("deadline «%(text)s» falls outside the plan period %(start)s–%(end)s",
                                   text=shown, start=period.start.year, end=period.end.year)
        elif not dues:
            deadline.problem = msg("deadline «%(text)s» gives no due date", text=shown)
        deadline.due_dates = _sorted_unique(_keep_or_move(d, calendar, non_working) for d in dues)
        return deadline
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
                    dues.extend(_dates_for(token, years))
    elif rule:
        deadline.rule = f"ongoing:{default_frequency}" if rule == "ongoing" else rule
        dues = [DueDate(end, rule=deadline.rule, covers=_period_ending(frequency, end))
                for end in _each_year(scope, _RULE_MONTHS[frequency])]
    elif all_years:
        deadline.rule = "years"
        if not scope:
            deadline.problem = msg("deadline «%(text)s» falls outside the plan period %(start)s–%(end)s",
                                   text=shown, start=period.start.year, end=period.end.year)
            return deadline
        dues = [DueDate(end, rule="year", covers=_period_ending("annual", end)) for end in _each_year(scope, (12,))]
    else:
        # No date of its own: counted from a start the text does not give, or waiting for an event.
        # Either way the obligation exists and is understood; its date comes with the start.
        deadline.relative, deadline.waits_for = _offset_and_event(shown)
        if deadline.waits_for is not None:
            deadline.rule = "event"
        elif deadline.relative is not None:
            deadline.rule = deadline.relative.kind
        else:
            deadline.problem = msg("deadline not understood: «%(text)s»", text=shown)
        return deadline

    # Whether a date belongs to the plan is decided by the date the text gives, before any move:
    # a Saturday 31 December moved to 2 January is still the plan's; 1 January moved back to
    # 31 December does not join a plan that ends then.
    inside = [d for d in dues if period.start <= d <= period.end]
    if dues and not inside:
        deadline.problem = msg("deadline «%(text)s» falls outside the plan period %(start)s–%(end)s",
                               text=shown, start=period.start.year, end=period.end.year)
    elif not dues:
        deadline.problem = msg("deadline «%(text)s» gives no due date", text=shown)
    deadline.due_dates = _sorted_unique(_keep_or_move(d, calendar, non_working) for d in inside)
    return deadline


def _sorted_unique(dues) -> list[DueDate]:
    """Sorted by date; of two due dates on one day the first found stays."""
    by_day: dict[date, DueDate] = {}
    for due in dues:
        by_day.setdefault(due, due)
    return sorted(by_day.values())


def _period_ending(rule: str, end: date) -> Covers:
    """The reporting period of a recurrence that ends on `end` (a quarter's last day → the quarter)."""
    if rule == "academic_year":
        return Covers(date(end.year - 1, 9, 1), end)  # September to May
    return Covers(date(end.year, _PERIOD_START_MONTH[rule](end.month), 1), end)


# --- reports due after the period they cover -----------------------------------------------
# "тоқсан сайын есепті кезеңнен кейінгі айдың 5-күніне дейін", "ежемесячно до 5 числа": the report on
# each period is due on the stated day of the month after it. A periodic report "by the 5th" means
# the 5th after the period even when the text does not say "following": a report on a month cannot
# be due before the month ends.

# "5-күніне дейін", "10-на дейін", "25-іне дейін", "5-ке дейін" (by the 5th, 10th, 25th)
_DAY_OF_MONTH_KK = re.compile(r"(?<!\d)(\d{1,2})\s*-?\s*(?:күніне|ына|іне|сына|сіне|на|не|ге|ке|ға|қа)\s+дейін",
                              re.IGNORECASE)
# "до 5 числа", "не позднее 10-го числа"
_DAY_OF_MONTH_RU = re.compile(r"(?<!\d)(\d{1,2})\s*(?:-?го\s+)?числа", re.IGNORECASE)
# "есепті кезеңнен кейінгі", "айдан кейін", "следующего за отчетным", "после отчетного"
_AFTER_THE_PERIOD = re.compile(r"кейінгі|(?:кезең|ай|тоқсан|жылдық|жыл)\w{0,3}\s+кейін|"
                               r"следующ\w*\s+за\s+отч[её]тн|(?:после|по\s+истечении)\s+отч[её]тн", re.IGNORECASE)


@dataclass(frozen=True)
class _After:
    """How far after its period a report is due: on a day of the next month, on the first of some
    dates of the year after the period's end, or an offset from the period's end."""

    day_of_month: int | None = None
    days_of_year: tuple[tuple[int, int], ...] = ()  # (month, day)
    relative: Relative | None = None


def _after_period(text: str, dated: list["_Token"]) -> _After | None:
    day = _DAY_OF_MONTH_KK.search(text) or _DAY_OF_MONTH_RU.search(text)
    if day and 1 <= int(day[1]) <= 31:
        return _After(day_of_month=int(day[1]))
    says_after = _AFTER_THE_PERIOD.search(text)
    days = tuple(t.value for t in dated if t.kind == "day_month")
    if says_after and days:  # "жыл сайын, есепті жылдан кейінгі жылдың 20 қаңтарына дейін"
        return _After(days_of_year=days)
    if not dated:  # "ай сайын, есепті айдан кейін 5 жұмыс күні ішінде": counted from the period's end
        reading = read_relative(text)
        # (not months: "ай сайын, 6 ай бойы" is monthly for six months, not six months after each)
        if reading is not None and reading.relative.kind != "months":
            return _After(relative=reading.relative)
    return None


def _reports_after_periods(after: _After, frequency: str, scope: list[int], period: Period, rule: str,
                           calendar: WorkingCalendar | None) -> list[DueDate]:
    """One due date for every period of the plan: the periods that end inside it. A report whose
    date falls after the plan (the last quarter's, due in January) is still owed and says so."""
    dues = []
    for end in _each_year(scope, _RULE_MONTHS[frequency]):
        if not period.start <= end <= period.end:
            continue
        covers = _period_ending(frequency, end)
        if after.day_of_month is not None:
            following = end + timedelta(days=1)  # the first day of the month after the period
            last = month_calendar.monthrange(following.year, following.month)[1]
            day = following.replace(day=min(after.day_of_month, last))
        elif after.days_of_year:
            day = min((d for month, day_number in after.days_of_year for year in (end.year, end.year + 1)
                       for d in _safe_date(year, month, day_number) if d > end), default=None)
            if day is None:  # "30 ақпанға": no such day
                continue
        else:
            day = after.relative.due_date(end, calendar)
        due = DueDate(day, rule=rule, covers=covers)
        if day > period.end:
            due = due.noted(msg("%(due)s is after the plan period; the report on %(start)s – %(end)s is still owed",
                                due=day.isoformat(), start=covers.start.isoformat(), end=covers.end.isoformat()))
        dues.append(due)
    return dues


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


def _dates_for(token: _Token, years: list[int]) -> list[DueDate]:
    if token.kind == "date":  # 15.05.2020: a single stated day covers no period
        year, month, day = token.value
        return [DueDate(d, rule="stated_date") for d in _safe_date(year, month, day)]
    if token.kind == "month":  # "2019 ж. наурыз": the month's last day, for the work of the month
        return [DueDate(end, rule="month", covers=_period_ending("monthly", end)) for end in _each_year(years, token.value)]
    if token.kind == "month_range":  # "наурыз-қараша 2019": the end of the range, for the whole range
        first, last = token.value
        return [DueDate(end, rule="month_range", covers=Covers(date(end.year - (first > last), first, 1), end))
                for end in _each_year(years, (last,))]
    if token.kind == "day_month":  # "25 тамызға дейін": that day of each year in scope
        month, day = token.value
        return [DueDate(d, rule="stated_day") for y in years for d in _safe_date(y, month, day)]
    if token.kind == "quarter":  # "2019 жылдың 2-тоқсаны": the quarter's last day, for the quarter
        (quarter,) = token.value
        return [DueDate(end, rule="quarter", covers=_period_ending("quarterly", end))
                for end in (_month_end(y, quarter * 3) for y in years)]
    return []


def _safe_date(year: int, month: int, day: int) -> list[date]:
    try:
        return [date(year, month, day)]
    except ValueError:
        return []
