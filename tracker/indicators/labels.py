"""The indicators' words as pages, the workbook and the CSV say them, in the reader's language."""

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _

from tracker.indicators.periods import Frequency, frequency_of, year_of
from tracker.indicators.reading import Scope
from tracker.indicators.values import Direction, IndicatorStatus, Unit


def unit_labels() -> dict[str, str]:
    return {Unit.FACTS: _("facts"), Unit.PERCENT: "%", Unit.PEOPLE: _("people"),
            Unit.ORGANISATIONS: _("organisations"), Unit.UNITS: _("units")}


def direction_labels() -> dict[str, str]:
    return {Direction.DOWN: _("down"), Direction.UP: _("up"), Direction.ZERO: _("keep at zero"),
            Direction.REACH: _("reach a level")}


def scope_labels() -> dict[str, str]:
    """One word each: the target lines of the form are written with them ("2024 облыс 87")."""
    return {Scope.COUNTRY: _("country"), Scope.REGION: _("region"), Scope.DISTRICT: _("district"),
            Scope.ACTIVITY: _("activity")}


#: every word a person may write for a scope in a target line, in any of the portal's languages
SCOPE_WORDS = {
    Scope.COUNTRY: ("country", "ел", "республика", "қазақстан", "страна", "рк", "қр", "national"),
    Scope.REGION: ("region", "облыс", "область", "регион", "өңір", "regional"),
    Scope.DISTRICT: ("district", "аудан", "район", "city", "қала", "город"),
    Scope.ACTIVITY: ("activity", "іс-шара", "мероприятие"),
}


def frequency_labels() -> dict[str, str]:
    return {Frequency.ANNUAL: _("yearly"), Frequency.QUARTERLY: _("quarterly"), Frequency.MONTHLY: _("monthly")}


def indicator_status_labels() -> dict[str, str]:
    return {IndicatorStatus.ON_TRACK: _("on track"), IndicatorStatus.AT_RISK: _("at risk"),
            IndicatorStatus.OFF_TRACK: _("off track"), IndicatorStatus.NO_DATA: _("no data")}


def period_label(key: str) -> str:
    """"2024" → 2024; "2024Q1" → the quarter; "2024-03" → the month, in the reader's language."""
    frequency = frequency_of(key)
    if frequency == Frequency.QUARTERLY:
        return _("%(year)s Q%(quarter)s", year=year_of(key), quarter=key[-1])
    if frequency == Frequency.MONTHLY:
        return format_date(date(year_of(key), int(key[5:7]), 1), format="LLLL y")
    return key
