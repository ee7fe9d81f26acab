"""Fixtures: an app on a fresh database built by the real migrations.

SQLite by default; set TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)
to run the same suite on PostgreSQL — `.ci/run` does both.
"""

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
from flask import g
from sqlalchemy import create_engine, func, make_url, select, text
from sqlalchemy.pool import NullPool

from tracker.app import create_app
from tracker.extensions import db, limiter
from tracker.plans.engine import parse_plan_file

ROOT = Path(__file__).resolve().parent.parent
KOSTANAY = ROOT / "plans" / "kostanay-2019-2021.txt"
KARAGANDA = ROOT / "plans" / "karaganda-2023-2025.txt"


def database_of_this_worker(url: str | None) -> str | None:
    """Under pytest-xdist each worker gets its own PostgreSQL database (test_gw0, test_gw1, …),
    created on first use: the fixtures empty the database before every test, which two workers
    sharing one database would do to each other's tests."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not url.startswith("postgresql") or not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


TEST_DATABASE_URL = database_of_this_worker(os.environ.get("TEST_DATABASE_URL"))


@pytest.fixture(scope="session")
def kostanay():
    return parse_plan_file(KOSTANAY)


@pytest.fixture(scope="session")
def karaganda():
    return parse_plan_file(KARAGANDA)


def activity(plan, number):
    return next(a for a in plan.activities if a.number == number)


def make_app(tmp_path: Path):
    """An app on the test database (TEST_DATABASE_URL, or a SQLite file in tmp_path)."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.sqlite'}"
    # CSRF is switched off for the tests that post forms; tests/test_csrf.py switches it on again.
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test",
                      "PLANS_DIR": str(ROOT / "plans"), "WTF_CSRF_ENABLED": False,
                      "EVIDENCE_DIR": str(tmp_path / "evidence"), "IMPORTS_DIR": str(tmp_path / "imports")})

    @app.teardown_request
    def forget_request_state(_exc):
        # The fixture keeps one app context open for the whole test, so every request of the test
        # client would share `g` (the signed-in user, the chosen language). A server gives each
        # request its own; so do the tests.
        g.__dict__.clear()

    return app


class DatabaseTemplates:
    """The databases a test starts from, made once per test worker and copied for every test.

    Running the migrations for every test, and importing the seed plans through the command line
    in a dozen test files, was most of the suite's time. Instead each worker builds, on first use,
    a migrated empty database and one database per combination of seed plans (imported by the same
    functions `flask plans import` calls), and every test starts on a copy: a file copy on SQLite,
    CREATE DATABASE … TEMPLATE on PostgreSQL. A test still gets a database of its own that it may
    change at will."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="tracker-db-templates-"))
        self._made: dict[tuple[str, ...], str] = {}  #: seed file names → SQLite file or PostgreSQL database

    def template(self, seeds: tuple[Path, ...] = ()) -> str:
        key = tuple(p.name for p in seeds)
        if key not in self._made:
            self._made[key] = self._build(seeds, f"template_{len(self._made)}")
        return self._made[key]

    def _build(self, seeds: tuple[Path, ...], name: str) -> str:
        from tracker.plans.engine import parse_plan_file
        from tracker.plans.importer import import_plan
        from tracker.plans.operations import learned_aliases

        if TEST_DATABASE_URL:
            url = make_url(TEST_DATABASE_URL)
            template = f"{url.database}_{name}"
            _run_on_postgres(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)', f'CREATE DATABASE "{template}"')
            target = url.set(database=template).render_as_string(hide_password=False)
        else:
            template = str(self.folder / f"{name}.sqlite")
            target = f"sqlite:///{template}"
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": target, "SECRET_KEY": "test",
                          "EVIDENCE_DIR": str(self.folder / "evidence"), "IMPORTS_DIR": str(self.folder / "imports")})
        with app.app_context():
            flask_migrate.upgrade(directory=str(ROOT / "migrations"))
            for path in seeds:  # as `flask plans import FILE…` does
                import_plan(parse_plan_file(path, learned_aliases=learned_aliases), path.name, path.read_bytes())
            db.session.remove()
            db.engine.dispose()
        return template

    def copy_into(self, app, seeds: tuple[Path, ...] = ()) -> None:
        """Make the app's database a fresh copy of the template (the app's connections are closed first)."""
        template = self.template(seeds)
        db.session.remove()
        db.engine.dispose()
        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        if url.drivername.startswith("postgresql"):
            _run_on_postgres(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)',
                             f'CREATE DATABASE "{url.database}" TEMPLATE "{template}"')
        else:
            target = Path(url.database)
            for leftover in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-journal")):
                leftover.unlink(missing_ok=True)
            shutil.copyfile(template, target)


def _run_on_postgres(*statements: str) -> None:
    engine = create_engine(make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT",
                           poolclass=NullPool)
    with engine.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


@pytest.fixture(scope="session")
def database_templates():
    templates = DatabaseTemplates()
    yield templates
    shutil.rmtree(templates.folder, ignore_errors=True)


@contextmanager
def on_a_fresh_database(app, templates: DatabaseTemplates | None = None):
    """Inside the app's context, on its database emptied and built again by the real migrations
    (or, faster and the same, copied from the worker's migrated template)."""
    with app.app_context():
        if templates is not None:
            templates.copy_into(app)
        else:
            if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path, database_templates):
    app = make_app(tmp_path)
    limiter.reset()  # failed sign-ins of an earlier test (same e-mail addresses) must not lock this one out
    with on_a_fresh_database(app, database_templates):
        yield app


@pytest.fixture
def seed_plans(app, database_templates):
    """seed_plans(KOSTANAY, KARAGANDA): the test's database becomes a copy of one with those plans
    imported, as `flask plans import` would have made it (in that order: Kostanay is plan 1). Call
    it before the test writes anything: the database is replaced, not added to."""
    from tracker.auth.models import User
    from tracker.plans.models import Plan

    def load(*seeds: Path) -> None:
        assert db.session.scalar(select(func.count()).select_from(Plan)) == 0, "seed_plans comes first"
        assert db.session.scalar(select(func.count()).select_from(User)) == 0, "seed_plans comes first"
        database_templates.copy_into(app, tuple(seeds))

    return load


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


PASSWORD = "test-password-1"


@pytest.fixture
def make_user(app):
    """make_user("executor", body=…) → a User with PASSWORD, committed."""
    from tracker.auth.operations import create_user

    counter = {"n": 0}

    def make(role: str, body=None, email: str | None = None):
        counter["n"] += 1
        return create_user(email=email or f"{role}{counter['n']}@test.example", role=role, password=PASSWORD,
                           body=body)

    return make


@pytest.fixture
def login(client, make_user):
    """login("coordinator") makes such an account and signs it in; login(user) signs in a User."""

    def sign_in(who):
        user = make_user(who) if isinstance(who, str) else who
        client.post("/logout")
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
        return user

    return sign_in


#: the fixtures that put a test on the test database (`country`: tests/test_national_scale.py)
DATABASE_FIXTURES = {"app", "country"}


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL pass of .ci/run runs what touches the database through DATABASE_FIXTURES.
    The engine's tests, the parse-only fuzzing and the browser journeys (their own server) would
    only repeat the SQLite pass, and .ci/run must stay under 15 minutes. TEST_EVERYTHING=1 runs all."""
    if not TEST_DATABASE_URL or os.environ.get("TEST_EVERYTHING"):
        return
    keep = [item for item in items if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))]
    dropped = [item for item in items if not DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
