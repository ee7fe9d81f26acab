"""What every response carries so that a browser protects the portal's users, and what the
portal answers when its database is away.

The Content-Security-Policy allows scripts only from the portal's own static files: htmx is
vendored there and no page has an inline script, so an HTML fragment smuggled into a plan cell
or a report could not run even if escaping ever failed. Inline style *attributes* are allowed
(the charts' bar widths and heat-map shades are computed per cell); inline <style> is not.
"""

import contextlib

from flask import Flask, g, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def security_headers(app: Flask) -> None:
    @app.after_request
    def add_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        if app.config["ENVIRONMENT"] == "production":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


#: SQLite's words for "the file is not there or is busy" (it reports a missing table the same way)
_SQLITE_OUTAGE = ("unable to open database file", "database is locked", "disk i/o error")


def is_outage(error: Exception) -> bool:
    """The database cannot be reached — as opposed to a query that is wrong or a transaction that
    lost a race, which are bugs or conflicts and must not hide behind "try again in a minute"."""
    if isinstance(error, PoolTimeout) or getattr(error, "connection_invalidated", False):
        return True
    original = getattr(error, "orig", None)
    if original is None:
        return False
    if type(original).__module__.startswith("sqlite3"):
        return any(words in str(original).lower() for words in _SQLITE_OUTAGE)
    # psycopg: a refused or dropped connection carries no SQLSTATE; deadlocks, serialization
    # failures and timeouts do (40P01, 40001, 57014)
    return getattr(original, "pgcode", None) is None


def database_unavailable(app: Flask) -> None:
    """The database gone (restarting, network down): a 503 page that says so, not a stack trace.
    The connection pool pre-pings, so once the database is back the next request simply works."""
    from flask_login import AnonymousUserMixin

    from tracker.extensions import db

    def unavailable(error):
        if not is_outage(error):
            raise error  # a real fault (a missing column, a deadlock): a 500 and a full log entry
        app.logger.warning("database unavailable during %s %s: %s", request.method, request.path,
                           str(error).splitlines()[0] if str(error) else type(error).__name__)
        with contextlib.suppress(Exception):  # the connection is already gone; nothing to undo
            db.session.rollback()
        g._login_user = AnonymousUserMixin()  # the page must not try to load the account again
        body = render_template("error.html", code=503, message=_(
            "The database cannot be reached at the moment. Nothing you sent was lost or half-saved; "
            "try again in a minute."))
        return body, 503, {"Retry-After": "30"}

    app.register_error_handler(OperationalError, unavailable)
    app.register_error_handler(PoolTimeout, unavailable)
    app.register_error_handler(InterfaceError, unavailable)
