"""Notifications in the reader's language: the stored message data with its dates written as the
reader writes them («2026 ж. 25 тамыз», «25 августа 2026 г.»)."""

from flask_babel import gettext

from tracker.core.formatting import long_date
from tracker.core.messages import translated

#: the parameters of notification messages that are ISO dates
DATE_PARAMETERS = ("due", "to")


def notification_text(message: dict) -> str:
    params = dict(message.get("p") or {})
    for name in DATE_PARAMETERS:
        if isinstance(params.get(name), str) and len(params[name]) == 10:
            params[name] = long_date(params[name])
    return translated({"t": message["t"], "p": params}, gettext)
