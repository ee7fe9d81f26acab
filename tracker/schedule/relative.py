"""Deadlines counted from a start, and deadlines that wait for an event.

"10 (он) жұмыс күні ішінде", "в течение 3 (трех) рабочих дней", "күнтізбелік он күн",
"24 сағат ішінде", "12 айға дейін" give no date by themselves: they say how far the due date is
from a start (a letter's receipt, an obligation's date, an event's date). `read_relative` finds
that offset as a `Relative`; `Relative.due_date(start, calendar)` gives the due date once the start
is known.

"талдау нәтижелері ұсынылғаннан кейін", "тексеру нәтижелері бойынша", "по мере необходимости",
"сұрау салу бойынша" name the event that starts the count (or that is itself the due day):
`event_words` keeps those words for the portal to show as "waiting for: …".

Numbers come as digits, as words, or both, the way orders write them: "10 (он)", "он",
"3 (три)", "трех". Pure Python: no Flask, no database.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from tracker.core.messages import msg
from tracker.core.text import clean
from tracker.schedule.workdays import WorkingCalendar, default_calendar

#: the kinds of offset, as `Relative.kind` and as `Deadline.rule` for a deadline that is only an offset
KINDS = ("working_days", "calendar_days", "months", "hours")

# --- numbers written as words ------------------------------------------------------------------

_UNITS = {
    "бір": 1, "екі": 2, "үш": 3, "төрт": 4, "бес": 5, "алты": 6, "жеті": 7, "сегіз": 8, "тоғыз": 9,
    "один": 1, "одна": 1, "одно": 1, "одного": 1, "одной": 1,
    "два": 2, "две": 2, "двух": 2, "три": 3, "трех": 3, "трёх": 3, "четыре": 4, "четырех": 4, "четырёх": 4,
    "пять": 5, "пяти": 5, "шесть": 6, "шести": 6, "семь": 7, "семи": 7, "восемь": 8, "восьми": 8,
    "девять": 9, "девяти": 9,
}
# "тоқсан" (ninety) is left out on purpose: in a deadline it means a quarter ("тоқсан сайын").
_TENS = {
    "он": 10, "жиырма": 20, "отыз": 30, "қырық": 40, "елу": 50, "алпыс": 60,
    "десять": 10, "десяти": 10, "двадцать": 20, "двадцати": 20, "тридцать": 30, "тридцати": 30,
    "сорок": 40, "сорока": 40, "пятьдесят": 50, "пятидесяти": 50, "шестьдесят": 60, "шестидесяти": 60,
}
_TEENS = {
    f"{stem}{ending}": value
    for stem, value in (("одиннадцат", 11), ("двенадцат", 12), ("тринадцат", 13), ("четырнадцат", 14),
                        ("пятнадцат", 15), ("шестнадцат", 16), ("семнадцат", 17), ("восемнадцат", 18),
                        ("девятнадцат", 19))
    for ending in ("ь", "и")
}


def _alternatives(words) -> str:
    return "|".join(sorted(words, key=len, reverse=True))  # longest first: "двадцати" before "два"


_WORDS = (rf"(?:(?:{_alternatives(_TENS)})(?:\s+(?:{_alternatives(_UNITS)}))?"
          rf"|{_alternatives(_TEENS)}|{_alternatives(_UNITS)})")
# A number: digits with the words in brackets ("10 (он)"), or words with the digits ("он (10)"), or either alone.
_NUMBER = (rf"(?:(?<!\w)(?P<digits>\d{{1,3}})(?:\s*\((?P<said>[^)]{{1,40}})\))?"
           rf"|(?<!\w)(?P<words>{_WORDS})(?!\w)(?:\s*\((?P<said_digits>\d{{1,3}})\))?)")
_RANGE = r"(?:\d{1,3}\s*[-–—]\s*)?"  # "3–6 ай": a range counts by its upper end

_DAYS_RU = r"(?:дн(?:я|ей)|день)(?!\w)"
_FORMS: tuple[tuple[str, int, bool, re.Pattern], ...] = tuple(
    (kind, factor, named, re.compile(pattern, re.IGNORECASE))
    for kind, factor, named, pattern in (
        # kind, hours or days per unit, does the text say which days, the pattern
        ("working_days", 1, True, rf"{_NUMBER}\s*(?:жұмыс\s+күн\w{{0,4}}|рабоч\w{{0,4}}\s+{_DAYS_RU})"),
        ("calendar_days", 1, True, rf"күнтізбелік\s+{_NUMBER}\s*күн\w{{0,4}}"),
        ("calendar_days", 1, True, rf"{_NUMBER}\s*(?:күнтізбелік\s+күн\w{{0,4}}|календарн\w{{0,4}}\s+{_DAYS_RU})"),
        ("hours", 1, True, rf"{_NUMBER}\s*(?:сағат\w{{0,4}}|час(?:а|ов)?(?!\w))"),
        ("hours", 24, True, rf"{_NUMBER}\s*(?:тәулік\w{{0,4}}|сут(?:ок|ки)(?!\w))"),
        ("months", 1, True, rf"{_RANGE}{_NUMBER}\s*(?:ай(?:ға|дан)?(?!\w)|месяц(?:а|ев)?(?!\w))"),
        # "10 күн", "в течение 10 дней": the days are not said to be working days
        ("calendar_days", 1, False, rf"{_NUMBER}\s*(?:күн(?:ге|нен|нің)?(?!\w)|{_DAYS_RU})"),
    )
)
_LAPSE_AFTER = re.compile(r"^\s*(?:өткен\s*(?:соң|нен\s+кейін)|өткеннен\s+кейін)", re.IGNORECASE)
_LAPSE_BEFORE = re.compile(r"по\s+истечении\s*$", re.IGNORECASE)


def number_value(words: str) -> int | None:
    """"жиырма төрт" → 24, "трех" → 3, "10" → 10; None when the words are not a number."""
    words = clean(words).lower()
    if words.isdigit():
        return int(words)
    if not re.fullmatch(_WORDS, words):
        return None
    parts = words.split()
    if len(parts) == 2:
        return _TENS[parts[0]] + _UNITS[parts[1]]
    return _TENS.get(words) or _TEENS.get(words) or _UNITS[words]


# --- the offset --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Relative:
    """An offset from a start: `count` working days, calendar days, months or hours."""

    kind: str  #: one of KINDS
    count: int
    #: "күнтізбелік он күн өткен соң" (after ten days have passed): the day after the tenth
    after_lapse: bool = False
    #: what a person should know about how the words were read (days not said to be working…)
    note: str | None = None

    def due_date(self, start: date | datetime, calendar: WorkingCalendar | None = None) -> date:
        """The last day of the term that begins at `start`. Working days are counted after the
        start day ("within 3 working days of receipt on Friday" → Wednesday); hours run from the
        start moment (a bare date starts at 00:00) and the due date is the day they end on."""
        if self.kind == "hours":
            return self.due_moment(start).date()
        day = start.date() if isinstance(start, datetime) else start
        if self.kind == "working_days":
            due = (calendar or default_calendar()).add_working_days(day, self.count)
        elif self.kind == "calendar_days":
            due = day + timedelta(days=self.count)
        else:
            due = day + relativedelta(months=self.count)
        return due + timedelta(days=1) if self.after_lapse else due

    def due_moment(self, start: date | datetime, calendar: WorkingCalendar | None = None) -> datetime:
        """When the term ends: the exact moment for hours, the end of the due day otherwise."""
        if self.kind == "hours":
            moment = start if isinstance(start, datetime) else datetime.combine(start, time())
            return moment + timedelta(hours=self.count)
        return datetime.combine(self.due_date(start, calendar), time.max)

    def to_json(self) -> dict:
        return {"kind": self.kind, "count": self.count, "after_lapse": self.after_lapse, "note": self.note}


@dataclass(frozen=True)
class Reading:
    relative: Relative
    span: tuple[int, int]  #: where the offset's words are in the text


def read_relative(text: str) -> Reading | None:
    """The first offset the text states, or None."""
    for kind, factor, named, pattern in _FORMS:
        match = pattern.search(text)
        if not match:
            continue
        digits, said = match["digits"], match["said"]
        if digits is None:  # written in words, perhaps with the digits in brackets
            digits, said = match["said_digits"], match["words"]
        count = int(digits) if digits is not None else number_value(said)
        note = None
        if digits is not None and said and number_value(said) not in (None, int(digits)):
            note = msg("the number %(digits)s and the words «%(words)s» disagree; %(digits)s is used",
                       digits=digits, words=said)
        elif not named:
            note = msg("«%(words)s» does not say working or calendar days; counted as calendar days",
                       words=clean(match[0]))
        lapse = bool(_LAPSE_AFTER.match(text[match.end():]) or _LAPSE_BEFORE.search(text[:match.start()]))
        return Reading(Relative(kind, count * factor, lapse, note), match.span())
    return None


# --- the event ---------------------------------------------------------------------------------

# Quantifiers are bounded and words anchored at their start: a 100,000-character cell must not
# make a pattern try every split of one long word (that is quadratic).
_EVENT = re.compile("|".join((
    # Kazakh: "ұсынылғаннан кейін" (after … is submitted), "жарияланған күнінен кейін" (after the day of
    # publication), "алған сәттен бастап" (from the moment of receiving)
    r"(?<!\w)\w{1,30}(?:ған|ген|қан|кен)(?:нан|нен|тан|тен|дан|ден)\s+(?:кейін|соң)",
    r"(?:сәттен|күннен|күнінен|кезден|кезінен)\s+(?:бастап|кейін|соң)",
    r"нәтиже\w{0,10}\s+бойынша",  # by the results of …
    r"(?:тексеру|талдау|мониторинг|зерттеу|қарау|отырыс)\w{0,10}\s+қорытынды\w{0,10}\s+бойынша",
    r"қажеттілі\w{0,10}\s+(?:қарай|бойынша)", r"қажет\s+болған\s+(?:жағдайда|кезде)",  # when needed
    r"сұра\w{0,10}\s+(?:салу\w{0,10}\s+)?бойынша", r"талап\w{0,10}\s+бойынша",  # on request
    r"(?<!\w)дереу(?!\w)",  # immediately (upon the event)
    # Russian
    r"(?<!\w)после(?!\w)", r"по\s+результат", r"по\s+итогам\s+(?:провер|мониторинг|анализ|рассмотрен|заседан)",
    r"(?:по|при)\s+(?:мере\s+)?необходимост", r"по\s+(?:запрос|требовани|обращени)",
    r"с\s+момента", r"со\s+дня", r"с\s+даты", r"по\s+факту", r"(?<!\w)(?:незамедлительно|немедленно)(?!\w)",
)), re.IGNORECASE)
# words around an offset that are not part of the event: "within", "no later than"
_CONNECTORS = re.compile(r"(?<!\w)(?:ішінде|в\s+течение|не\s+позднее|кешіктірмей|мерзімде|өткен\s*соң|"
                         r"по\s+истечении)(?!\w)", re.IGNORECASE)
_EDGES = " \t\n,;.:-–—()"


def event_words(text: str, reading: Reading | None = None) -> str | None:
    """The words that name the event the deadline waits for, as written; None when it names none."""
    if not _EVENT.search(text):
        return None
    words = text
    if reading is not None:
        start, end = reading.span
        words = text[:start] + " " + text[end:]
    words = clean(_CONNECTORS.sub(" ", words)).strip(_EDGES)
    return words or clean(text)
