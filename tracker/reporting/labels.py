"""The words of the implementation report, in the language it is written in (the caller forces
it with flask_babel.force_locale): the phrases that stand in the «Орындалу барысы» column where no
report was accepted, and the dates they name."""

from datetime import date

from flask_babel import get_locale
from flask_babel import gettext as _

from tracker.core.formatting import long_date

#: the languages a report is written in (the plans themselves are Kazakh or Russian)
REPORT_LANGUAGES = ("kk", "ru")

#: Kazakh months in the dative, for "… дейін" (until): "2026 жылғы 25 тамызға дейін"
_KK_MONTHS_DATIVE = ("қаңтарға", "ақпанға", "наурызға", "сәуірге", "мамырға", "маусымға", "шілдеге", "тамызға",
                     "қыркүйекке", "қазанға", "қарашаға", "желтоқсанға")


def until(day: date) -> str:
    """A day as "until …" takes it: Kazakh puts the month in the dative ("2026 жылғы 25
    тамызға"), Russian the genitive that the long date already has ("25 августа 2026 г.")."""
    if str(get_locale() or "") == "kk":
        return f"{day.year} жылғы {day.day} {_KK_MONTHS_DATIVE[day.month - 1]}"
    return long_date(day)


def not_submitted() -> str:
    return _("no report submitted")


def past_due(days: int) -> str:
    return _("past due, %(n)s days", n=days)


def under_review() -> str:
    return _("under review")


def extended(to: date) -> str:
    return _("deadline extended (to %(date)s)", date=until(to))


def returned_for_correction() -> str:
    return _("returned for correction")


def not_yet_due() -> str:
    return _("not yet due")


def taken_off_control() -> str:
    return _("taken off control")


def accepted_on(day: date) -> str:
    return _("accepted %(date)s", date=long_date(day))


def accepted_late(day: date, days: int) -> str:
    return _("accepted %(date)s, %(n)s days after the due date", date=long_date(day), n=days)
