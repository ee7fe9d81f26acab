"""Settings. Every one can be set from the environment (see README, "Settings")."""

import os
import sqlite3
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("INSTANCE_DIR", ROOT / "instance"))


def engine_options(url: str) -> dict:
    """The connection pool for the database at `url`.

    Pre-ping always: a connection the database dropped (a restart, an idle timeout on the network)
    is noticed at checkout and replaced, so a database restart costs nothing or a few failed
    requests, never a portal that stays broken. The pool's size and age limits only for server
    databases: SQLite's in-memory pool takes no max_overflow, and a file has no server to time out.
    Per worker process the portal holds at most DB_POOL_SIZE + DB_MAX_OVERFLOW connections; keep
    that times WEB_CONCURRENCY under PostgreSQL's max_connections (100 by default).
    """
    options: dict = {"pool_pre_ping": True}
    if not url.startswith("sqlite"):
        options.update(
            # one connection per gunicorn thread (4 by default) stays open between requests
            pool_size=int(os.environ.get("DB_POOL_SIZE", 5)),
            # extra connections for a burst (CLI commands, exports), closed again when returned
            max_overflow=int(os.environ.get("DB_MAX_OVERFLOW", 5)),
            # reopen connections older than this (seconds): firewalls and pgbouncer cut idle ones
            pool_recycle=int(os.environ.get("DB_POOL_RECYCLE", 1800)),
        )
    return options


@event.listens_for(Engine, "connect")
def _sqlite_waits_for_locks(dbapi_connection, _record) -> None:
    """A SQLite connection waits up to 15 s for another writer's lock before "database is locked"
    (a 503), so concurrent report posts queue instead of failing (Python's default is 5 s; 15 s
    stays well below gunicorn's worker timeout, GUNICORN_TIMEOUT). Set here, not as connect_args in
    SQLALCHEMY_ENGINE_OPTIONS: the URL in use is known only when the app is made (the tests pass
    their own), and PostgreSQL's driver refuses a "timeout" argument."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA busy_timeout = 15000")


class Config:
    DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'tracker.sqlite'}")
    #: computed from DATABASE_URL; an app given another SQLALCHEMY_DATABASE_URI (the tests) keeps these
    SQLALCHEMY_ENGINE_OPTIONS = engine_options(SQLALCHEMY_DATABASE_URI)
    #: the largest plan file the importer reads (bytes)
    MAX_PLAN_BYTES = int(os.environ.get("MAX_PLAN_BYTES", 20 * 1024 * 1024))
    #: the largest evidence file a report may carry (bytes)
    MAX_EVIDENCE_BYTES = int(os.environ.get("MAX_EVIDENCE_BYTES", 20 * 1024 * 1024))
    #: a whole request (a report with several files) may not exceed this
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_REQUEST_BYTES", 110 * 1024 * 1024))
    #: where evidence files are stored — outside static/, served only to signed-in users
    EVIDENCE_DIR = os.environ.get("EVIDENCE_DIR", str(INSTANCE / "evidence"))
    #: uploaded plans waiting for the coordinator to confirm the preview
    IMPORTS_DIR = os.environ.get("IMPORTS_DIR", str(INSTANCE / "imports"))
    #: an obligation is "due soon" this many days before its due date
    DUE_SOON_DAYS = int(os.environ.get("DUE_SOON_DAYS", 14))
    #: with more plans than this in view (no region or plan chosen), the dashboard sums them per region
    DASHBOARD_PLAN_ROWS = int(os.environ.get("DASHBOARD_PLAN_ROWS", 60))
    #: a report waiting longer than this many working days for review is marked in the inbox
    REVIEW_LIMIT_WORKING_DAYS = int(os.environ.get("REVIEW_LIMIT_WORKING_DAYS", 5))
    #: the day statuses are computed for ("YYYY-MM-DD"); unset means the real today
    TODAY = os.environ.get("TRACKER_TODAY") or None
    TIMEZONE = os.environ.get("TIMEZONE", "Asia/Almaty")
    #: the portal's address, for links in workbooks made from the command line
    PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:5000/")
    #: the folder of plan documents `make run` imports
    PLANS_DIR = os.environ.get("PLANS_DIR", str(ROOT / "plans"))
    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIMEZONE", "Asia/Almaty")
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    LANGUAGES = ("kk", "ru", "en")
    WTF_CSRF_TIME_LIMIT = None  # a form left open during a long meeting still submits
    #: "production" switches on Secure cookies and HSTS and refuses the development SECRET_KEY
    ENVIRONMENT = os.environ.get("TRACKER_ENV", "development")
    #: Secure cookies: set by create_app when ENVIRONMENT is "production" (sent over HTTPS only)
    SESSION_COOKIE_SECURE = REMEMBER_COOKIE_SECURE = False
    #: failed sign-ins allowed per address and per account before a lockout (Flask-Limiter syntax)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per 5 minutes")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    #: how many reverse proxies stand in front of the portal (their X-Forwarded-For/-Proto are trusted)
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", 0))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    # --- mail, reminders, background jobs and feeds (tracker.mail, tracker.jobs, tracker.feeds) ---
    #: the SMTP server reminders go through; empty: messages are written as .eml files to OUTBOX_DIR
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", 587))
    #: starttls | ssl | none
    SMTP_SECURITY = os.environ.get("SMTP_SECURITY", "starttls")
    #: the account and password for SMTP AUTH (from the environment only; empty: no AUTH)
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    #: seconds an SMTP connection or command may take (keep it well under MAIL_SEND_LEASE_SECONDS)
    SMTP_TIMEOUT = float(os.environ.get("SMTP_TIMEOUT", 30))
    #: the sender of every message
    MAIL_FROM = os.environ.get("MAIL_FROM", "Tracker <tracker@localhost>")
    #: where the embedded transport writes messages (.eml) when there is no SMTP_HOST
    OUTBOX_DIR = os.environ.get("OUTBOX_DIR", str(INSTANCE / "outbox"))
    #: the hour (in TIMEZONE) from which the day's digests go out
    DIGEST_HOUR = int(os.environ.get("DIGEST_HOUR", 9))
    #: retries of a batch whose SMTP server does not answer (after the first try), the first delay (seconds) and its growth
    MAIL_RETRIES = int(os.environ.get("MAIL_RETRIES", 6))
    MAIL_RETRY_DELAY = float(os.environ.get("MAIL_RETRY_DELAY", 60))
    MAIL_RETRY_BACKOFF = float(os.environ.get("MAIL_RETRY_BACKOFF", 2))
    #: a message claimed by a worker that died is claimed again after this many seconds
    MAIL_SEND_LEASE_SECONDS = float(os.environ.get("MAIL_SEND_LEASE_SECONDS", 300))
    #: the task queue: empty is SQLite at INSTANCE_DIR/huey.sqlite; redis://host:6379/1 in production
    HUEY_URL = os.environ.get("HUEY_URL", "")
    #: threads of the worker (`flask jobs worker`)
    HUEY_WORKERS = int(os.environ.get("HUEY_WORKERS", 2))
    #: finished background workbooks, and how long they stay downloadable
    EXPORTS_DIR = os.environ.get("EXPORTS_DIR", str(INSTANCE / "exports"))
    EXPORT_KEEP_HOURS = float(os.environ.get("EXPORT_KEEP_HOURS", 24))
    #: a workbook of more due dates than this is made in the background (a progress page, then a download)
    EXPORT_BACKGROUND_ROWS = int(os.environ.get("EXPORT_BACKGROUND_ROWS", 20000))
    #: how often (rows) the background export reports its progress
    EXPORT_PROGRESS_EVERY = int(os.environ.get("EXPORT_PROGRESS_EVERY", 1000))
