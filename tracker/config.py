"""Settings. Every one can be set from the environment (see README, "Settings")."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("INSTANCE_DIR", ROOT / "instance"))


class Config:
    DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'tracker.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
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
