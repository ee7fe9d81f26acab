"""Which days a person may name: a date argument on a page, in a form or on the command line
lies between 1 January 2000 and the end of the year fifty years from today. Plans run a few
years; nothing the portal tracks is older than the Kazakh interagency plans of the 2000s, and a
plan may look decades ahead, but not to the year 9999, where counting "due soon" (a day + 14)
overflows Python's calendar (tracker.dashboard.filters explains what each kind of page does
with a day outside it)."""

import re
import sys
from datetime import date

import click

from tracker.core.clock import today

#: the first day a date argument may name
FIRST_DAY = date(2000, 1, 1)
#: how far ahead of today a date argument may reach (to the end of that year)
YEARS_AHEAD = 50
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def day_range() -> tuple[date, date]:
    """The first and the last day a date argument may name."""
    return FIRST_DAY, date(today().year + YEARS_AHEAD, 12, 31)


def parse_day(text: str) -> date:
    """A day written YYYY-MM-DD inside `day_range`; ValueError otherwise."""
    text = text.strip()
    if not _ISO_DAY.fullmatch(text):
        raise ValueError(text)
    day = date.fromisoformat(text)  # ValueError for 2026-02-30
    first, last = day_range()
    if not first <= day <= last:
        raise ValueError(text)
    return day


def cli_day(option: str, value: str | None) -> date:
    """A command's day option (default today); a day that cannot be used ends the command with
    one line and exit code 2, as click does for a bad option."""
    if not value:
        return today()
    try:
        return parse_day(value)
    except ValueError:
        first, last = day_range()
        click.echo(f"error: {option} «{value}» is not a day between {first.isoformat()} and {last.isoformat()} "
                   "(YYYY-MM-DD, e.g. 2026-11-23)", err=True)
        sys.exit(2)
