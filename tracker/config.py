"""Settings. Every one can be set from the environment (see README, "Settings")."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("INSTANCE_DIR", ROOT / "instance"))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
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
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
