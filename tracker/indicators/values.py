"""What an indicator's figures may be, and the arithmetic of relative targets. Pure Python: the
form, the spreadsheet upload and the plan reader share it.

An actual is an aggregate number reported by a body — never data about a child. So a value is
refused when it is not a number, when a count is negative or not whole, when a percentage is over
100, and when its digits could be an IIN; a comment is refused when it carries an IIN or seems
to name a person (`names_a_person`: the common written forms of a name — a surname with initials,
a patronymic; a program cannot recognise every name, so the person entering also confirms).
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from tracker.core.personal_data import find_iins, is_iin


class Direction(StrEnum):
    """Which way an indicator should go: fewer (offences), more (a level), none at all
    (repeated attempts), or a level to reach (coverage up to 100 %)."""

    DOWN = "down"
    UP = "up"
    ZERO = "zero"
    REACH = "reach"


class Unit(StrEnum):
    FACTS = "facts"
    PERCENT = "percent"
    PEOPLE = "people"
    ORGANISATIONS = "organisations"
    UNITS = "units"


class IndicatorStatus(StrEnum):
    """Where an indicator stands in a period against its target (tracker.indicators.operations.status_of)."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


#: units counted in whole numbers, never negative
COUNTS = (Unit.FACTS, Unit.PEOPLE, Unit.ORGANISATIONS, Unit.UNITS)


class ValueProblem(ValueError):
    """Why a typed value is not an actual: `code` (empty | not_a_number | negative | not_whole |
    over_100 | iin) and the value as typed (masked when it may be an IIN)."""

    def __init__(self, code: str, shown: str):
        self.code = code
        self.shown = shown
        super().__init__(f"{code}: {shown}")


_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:[ \u00a0\u202f']\d{3})+|\d+)(?:[.,]\d+)?$")


def number_of(text: str) -> float | None:
    """"1 648", "1648", "93,5", "93.5 %", "-3" → the number; None when it is not one."""
    value = re.sub(r"\s*%$", "", (text or "").strip())
    if not _NUMBER.match(value):
        return None
    return float(re.sub(r"[ \u00a0\u202f']", "", value).replace(",", "."))


def read_value(raw: object, unit: str) -> float:
    """A value typed into a form or read from a spreadsheet cell → the number, or ValueProblem."""
    if raw is None or (isinstance(raw, float) and raw != raw) or (isinstance(raw, str) and not raw.strip()):
        raise ValueProblem("empty", "")
    if isinstance(raw, bool):
        raise ValueProblem("not_a_number", str(raw))
    if isinstance(raw, int | float):
        value, shown = float(raw), (str(int(raw)) if float(raw).is_integer() else str(raw))
    else:
        shown = str(raw).strip()
        if find_iins(shown):
            raise ValueProblem("iin", _masked(shown))
        value = number_of(shown)
        if value is None:
            raise ValueProblem("not_a_number", shown[:40])
    if value.is_integer() and 10**8 <= abs(value) < 10**12 and is_iin(f"{int(abs(value)):012d}"):
        # a spreadsheet keeps an IIN typed as a number without its leading zero
        raise ValueProblem("iin", _masked(f"{int(abs(value)):012d}"))
    if value < 0:
        raise ValueProblem("negative", shown)
    if unit == Unit.PERCENT and value > 100:
        raise ValueProblem("over_100", shown)
    if unit in COUNTS and not value.is_integer():
        raise ValueProblem("not_whole", shown)
    return value


def _masked(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return f"{digits[:2]}••••••••{digits[-2:]}" if len(digits) >= 4 else "••••"


_UPPER = "А-ЯӘІҢҒҮҰҚӨҺЁ"
_LOWER = "а-яәіңғүұқөһё"
_PERSON = (
    # Иванов И.И., Құсайын Е.Б.
    re.compile(rf"\b[{_UPPER}][{_LOWER}]{{2,}}\s+[{_UPPER}]\.\s?[{_UPPER}]\.?"),
    # И.И. Иванов, Е. Құсайын
    re.compile(rf"(?<![{_UPPER}{_LOWER}])[{_UPPER}]\.\s?(?:[{_UPPER}]\.\s?)?[{_UPPER}][{_LOWER}]{{2,}}"),
    # a patronymic: Иванович, Петровна, Серікұлы, Болатқызы (also written apart: Серік ұлы)
    re.compile(rf"\b[{_UPPER}][{_LOWER}]+(?:ович|евич|овна|евна|ична|инична)\b"),
    re.compile(rf"\b[{_UPPER}][{_LOWER}]+\s?(?:ұлы|қызы|улы|кызы)\b"),
)


def names_a_person(text: str | None) -> str | None:
    """The words that look like a person's name (a surname with initials, a patronymic), or None."""
    for pattern in _PERSON:
        found = pattern.search(text or "")
        if found:
            return found.group(0)
    return None


# --- relative targets ---------------------------------------------------------------------------


@dataclass
class Relative:
    """A target stated against a starting point: "кемінде 20 %-ға төмендеуі" (percent 20, at
    least), "жыл сайын 5 %-ға" (per year), "азаюы" (fewer: no figure)."""

    percent: float | None
    per_year: bool = False
    at_least: bool = False

    def to_json(self) -> dict:
        return {"percent": plain(self.percent), "per_year": self.per_year, "at_least": self.at_least}

    @classmethod
    def from_json(cls, data: dict | None) -> "Relative | None":
        if not data:
            return None
        return cls(data.get("percent"), bool(data.get("per_year")), bool(data.get("at_least")))


def relative_target(direction: str, relative: Relative, baseline_value: float, baseline_year: int | None,
                    period_year: int) -> float | None:
    """The target a relative one gives for a period of `period_year`, from the baseline:

    - a change of p % → baseline × (1 − p/100) going down, × (1 + p/100) going up or to a level;
    - "p % a year" compounds from the baseline's year: × (1 ∓ p/100) ** (period year − baseline
      year); a period in or before the baseline's year gets none;
    - "fewer" without a figure → the baseline itself (no more than it).
    Rounded to two decimals."""
    if relative.percent is None:
        return round(baseline_value, 2)
    step = relative.percent / 100 * (-1 if direction == Direction.DOWN else 1)
    if relative.per_year:
        years = period_year - baseline_year if baseline_year is not None else 1
        if years <= 0:
            return None
        return round(baseline_value * (1 + step) ** years, 2)
    return round(baseline_value * (1 + step), 2)


def plain(value: float | None) -> float | int | None:
    """87.0 → 87 (JSON and pages show whole numbers as such)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value
