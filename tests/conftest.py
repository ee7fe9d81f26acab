"""Fixtures: an app on a fresh database built by the real migrations.

SQLite by default; set TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)
to run the same suite on PostgreSQL — `.ci/run` does both.
"""

import os
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import text

from tracker import create_app
from tracker.extensions import db
from tracker.plans.engine import parse_plan_file

ROOT = Path(__file__).resolve().parent.parent
KOSTANAY = ROOT / "plans" / "kostanay-2019-2021.txt"
KARAGANDA = ROOT / "plans" / "karaganda-2023-2025.txt"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def kostanay():
    return parse_plan_file(KOSTANAY)


@pytest.fixture(scope="session")
def karaganda():
    return parse_plan_file(KARAGANDA)


def activity(plan, number):
    return next(a for a in plan.activities if a.number == number)


@pytest.fixture
def app(tmp_path):
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.sqlite'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test",
                      "PLANS_DIR": str(ROOT / "plans")})
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
