"""The command line on a database that is not there yet: a fresh clone before `db upgrade`.

Run as a person runs it — `.venv/bin/flask --app wsgi …` in a subprocess, with DATABASE_URL
naming a new SQLite file — so that it is the real command line, with its real error handling.
`plans parse` needs no database at all; every other command says in one line what to run.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from tests.conftest import KOSTANAY, ROOT, TEST_DATABASE_URL

FLASK = Path(sys.executable).with_name("flask")


def flask(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_DIR": str(tmp_path / "instance"),
           "EVIDENCE_DIR": str(tmp_path / "evidence"), "IMPORTS_DIR": str(tmp_path / "imports"),
           "PLANS_DIR": str(ROOT / "plans")}
    env.pop("TRACKER_TODAY", None)
    return subprocess.run([str(FLASK), "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def commands(tmp_path: Path) -> dict[str, list[str]]:
    return {
        "plans import": ["plans", "import", str(KOSTANAY)],
        "status": ["status", "--json"],
        "users list": ["users", "list"],
        "export xlsx": ["export", "xlsx", str(tmp_path / "out.xlsx")],
        "backup": ["backup", str(tmp_path / "backup.zip")],
        "users create": ["users", "create", "--email", "first@tracker.example", "--role", "auditor",
                         "--password", "Qv8-long-unrelated-phrase"],
        "users demo": ["users", "demo"],
        "demo generate": ["demo", "generate", "--scale", "1"],
    }


def assert_one_error_line(result: subprocess.CompletedProcess, *words: str) -> str:
    output = (result.stdout + result.stderr).strip()
    assert "Traceback" not in output, output[-2000:]
    assert result.returncode == 1, (result.returncode, output[-2000:])
    assert len(output.splitlines()) == 1, output
    assert output.startswith("error: "), output
    for word in words:
        assert word in output, (word, output)
    return output


def test_parse_needs_no_database(tmp_path):
    result = flask(tmp_path, f"sqlite:///{tmp_path / 'new.sqlite'}", "plans", "parse", str(KOSTANAY), "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    parsed = json.loads(result.stdout)
    assert parsed["region"] == "Қостанай облысы" and len(parsed["activities"]) == 50


def test_every_command_on_an_empty_sqlite_file_says_what_to_run(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    for name, args in commands(tmp_path).items():
        line = assert_one_error_line(flask(tmp_path, url, *args), "db upgrade", str(tmp_path / "new.sqlite"),
                                     "no table «")
        assert "is not set up" in line, (name, line)
    assert not (tmp_path / "out.xlsx").exists() and not (tmp_path / "backup.zip").exists()


def test_a_database_that_cannot_be_opened(tmp_path):
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'tracker.sqlite'}"
    for name, args in commands(tmp_path).items():
        line = assert_one_error_line(flask(tmp_path, url, *args), "cannot be reached", "unable to open database file")
        assert str(tmp_path / "no-such-folder") in line, (name, line)


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL runs with TEST_DATABASE_URL set")
def test_an_empty_postgres_database_and_one_that_is_not_there(app, tmp_path):
    # `app` only to be part of the PostgreSQL pass (conftest.DATABASE_FIXTURES); the commands
    # run on a database of their own, created empty here
    base = make_url(TEST_DATABASE_URL)
    name = f"{base.database}_empty_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = base.set(database=name, password="not-shown").render_as_string(hide_password=False)
        result = flask(tmp_path, url, "plans", "parse", str(KOSTANAY), "--json")
        assert result.returncode == 0, result.stderr[-2000:]
        assert json.loads(result.stdout)["region"] == "Қостанай облысы"
        for args in commands(tmp_path).values():
            line = assert_one_error_line(flask(tmp_path, url, *args), "is not set up", "db upgrade", name)
            assert "not-shown" not in line
        # a server that is not there: the same one line, with the driver's reason
        gone = base.set(port=1, password="not-shown").render_as_string(hide_password=False)
        line = assert_one_error_line(flask(tmp_path, gone, "status", "--json"), "cannot be reached", "refused")
        assert "not-shown" not in line
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
