"""The shape of the code, held by tests as well as by `make lint` (import-linter's contracts in
pyproject.toml): the pure parts load without Flask or the database, and the stack's contract
names every package of tracker/."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PURE = ("tracker.plans.engine", "tracker.schedule.deadlines", "tracker.executors.resolve", "tracker.executors.registry")
WEB_OR_DATABASE = ("flask", "flask_babel", "flask_login", "flask_sqlalchemy", "werkzeug", "sqlalchemy")


def test_the_engine_the_deadline_reader_and_the_resolver_load_without_flask_or_the_database():
    """Imported in a fresh interpreter, the pure modules bring in none of the web or database
    libraries — not even through a package's __init__ (the app factory lives in tracker.app)."""
    probe = (f"import sys; import {', '.join(PURE)}; "
             f"print(sorted(m for m in {WEB_OR_DATABASE!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr


def test_the_layers_contract_names_every_package():
    """A new package under tracker/ must take its place in the stack, or the contract would not
    check it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")["layers"]
    named = {name.strip() for layer in layers for name in layer.split("|")}
    packages = {f"tracker.{p.parent.name}" for p in (ROOT / "tracker").glob("*/__init__.py")}
    assert packages <= named, sorted(packages - named)
    modules = {f"tracker.{p.stem}" for p in (ROOT / "tracker").glob("*.py") if p.stem != "__init__"}
    assert modules <= named, sorted(modules - named)


def test_the_models_are_what_the_migrations_build(app):
    """Every model's table, column, nullability and index is what `flask db upgrade` built (the
    suite's databases are migrated): a model changed without its migration would leave a deployed
    portal unable to upgrade, or with a table that disagrees with the code."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from tracker.extensions import db

    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []
