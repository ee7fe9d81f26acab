"""Settings. Every one can be set from the environment (see README, "Settings")."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'tracker.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    #: the largest plan file the importer reads (bytes)
    MAX_PLAN_BYTES = int(os.environ.get("MAX_PLAN_BYTES", 20 * 1024 * 1024))
    #: the folder of plan documents `make run` imports
    PLANS_DIR = os.environ.get("PLANS_DIR", str(ROOT / "plans"))
    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    LANGUAGES = ("kk", "ru", "en")
