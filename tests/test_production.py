"""The production path: gunicorn with gunicorn.conf.py, the database pool's settings, and a
PostgreSQL restart that costs a few requests, not the portal (README, "Running in production").

The production refusal of the development SECRET_KEY inside create_app is tested in
tests/test_security.py; here it is checked once more as gunicorn meets it, through the environment.
"""

import contextlib
import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from tests.conftest import PASSWORD, ROOT, TEST_DATABASE_URL
from tracker.app import create_app
from tracker.config import engine_options
from tracker.extensions import db

CONFIG_FILE = ROOT / "gunicorn.conf.py"
#: the settings gunicorn.conf.py reads; a developer's own values must not leak into the tests
SETTINGS = ("GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT", "GUNICORN_GRACEFUL_TIMEOUT",
            "GUNICORN_KEEPALIVE", "GUNICORN_MAX_REQUESTS", "GUNICORN_MAX_REQUESTS_JITTER", "GUNICORN_ACCESS_LOG",
            "GUNICORN_ERROR_LOG", "GUNICORN_LOG_LEVEL", "FORWARDED_ALLOW_IPS", "GUNICORN_PRELOAD",
            "GUNICORN_WORKER_TMP_DIR", "GUNICORN_CONTROL_SOCKET", "GUNICORN_CMD_ARGS")
#: nothing here may wait longer than this for a process
PROCESS_TIMEOUT = 60


def gunicorn_settings(monkeypatch, **environment):
    """gunicorn's own configuration, loaded the way `gunicorn -c gunicorn.conf.py wsgi:app` loads
    it (its command-line parser, the config file, the environment), without starting a server."""
    from gunicorn.app.wsgiapp import WSGIApplication

    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "path", list(sys.path))  # gunicorn puts its folder first
    monkeypatch.setattr(sys, "argv", ["gunicorn", "-c", str(CONFIG_FILE), "wsgi:app"])
    return WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg


def clean_environment(**overrides) -> dict:
    environment = {key: value for key, value in os.environ.items()
                   if key not in SETTINGS and key not in ("DATABASE_URL", "TRACKER_ENV", "SECRET_KEY", "PROXY_COUNT")}
    return {**environment, **overrides}


# --- gunicorn.conf.py ------------------------------------------------------------------------------


def test_gunicorn_reads_the_config_file_with_its_defaults(monkeypatch):
    cfg = gunicorn_settings(monkeypatch)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert cfg.bind == ["127.0.0.1:8000"]  # loopback only: nginx is the way in
    assert cfg.workers == min(2 * cores + 1, 8)
    assert (cfg.threads, cfg.worker_class_str) == (4, "gthread")
    assert cfg.timeout == 120 and cfg.graceful_timeout == 120  # room for a big workbook export
    assert cfg.keepalive == 5
    assert (cfg.max_requests, cfg.max_requests_jitter) == (1000, 100)
    assert cfg.accesslog == "-" and cfg.errorlog == "-"
    assert "%(M)s" in cfg.access_log_format and "x-forwarded-for" in cfg.access_log_format  # duration, client
    assert cfg.forwarded_allow_ips == ["127.0.0.1", "::1"]
    assert cfg.preload_app is False
    assert cfg.control_socket_disable is True
    assert cfg.wsgi_app == "wsgi:app"
    # the hook is gunicorn's setting now, not just a function in the file
    assert cfg.post_fork.__module__ == "__config__" and cfg.post_fork.__name__ == "post_fork"


def test_every_gunicorn_setting_is_overridden_by_the_environment(monkeypatch, tmp_path):
    cfg = gunicorn_settings(
        monkeypatch, GUNICORN_BIND="0.0.0.0:9000, unix:/run/tracker/gunicorn.sock", WEB_CONCURRENCY="3",
        GUNICORN_THREADS="1", GUNICORN_TIMEOUT="300", GUNICORN_KEEPALIVE="30", GUNICORN_MAX_REQUESTS="0",
        GUNICORN_MAX_REQUESTS_JITTER="7", GUNICORN_ACCESS_LOG=str(tmp_path / "access.log"),
        GUNICORN_LOG_LEVEL="warning", FORWARDED_ALLOW_IPS="10.0.0.5", GUNICORN_PRELOAD="1",
        GUNICORN_WORKER_TMP_DIR=str(tmp_path), GUNICORN_CONTROL_SOCKET=str(tmp_path / "gunicorn.ctl"))
    assert cfg.bind == ["0.0.0.0:9000", "unix:/run/tracker/gunicorn.sock"]
    assert cfg.workers == 3
    assert (cfg.threads, cfg.worker_class_str) == (1, "sync")  # one thread: the plain sync worker
    assert cfg.timeout == 300 and cfg.graceful_timeout == 300  # the grace follows the timeout
    assert cfg.keepalive == 30
    assert (cfg.max_requests, cfg.max_requests_jitter) == (0, 7)
    assert cfg.accesslog == str(tmp_path / "access.log") and cfg.loglevel == "warning"
    assert cfg.forwarded_allow_ips == ["10.0.0.5"]
    assert cfg.preload_app is True
    assert cfg.worker_tmp_dir == str(tmp_path)
    assert cfg.control_socket_disable is False and cfg.control_socket == str(tmp_path / "gunicorn.ctl")
    assert gunicorn_settings(monkeypatch, GUNICORN_TIMEOUT="60", GUNICORN_GRACEFUL_TIMEOUT="10").graceful_timeout == 10


def test_gunicorn_check_config_loads_the_app_and_refuses_what_would_break_it(tmp_path):
    def check(**environment):
        return subprocess.run(
            [sys.executable, "-m", "gunicorn", "--check-config", "-c", str(CONFIG_FILE), "wsgi:app"], cwd=ROOT,
            env=clean_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite'}", **environment),
            capture_output=True, text=True, timeout=PROCESS_TIMEOUT)

    ok = check()
    assert ok.returncode == 0, ok.stderr
    # a typo in the environment stops the start instead of quietly running with a default
    typo = check(GUNICORN_TIMEOUT="2m")
    assert typo.returncode != 0 and "GUNICORN_TIMEOUT='2m' is not a whole number" in typo.stderr
    # TRACKER_ENV=production without a SECRET_KEY of its own: gunicorn cannot load the app
    refused = check(TRACKER_ENV="production")
    assert refused.returncode != 0 and "SECRET_KEY" in refused.stderr
    assert check(TRACKER_ENV="production", SECRET_KEY="a-long-random-value-for-this-test").returncode == 0


def test_post_fork_gives_each_worker_its_own_pool_when_the_app_was_preloaded(tmp_path):
    post_fork = runpy.run_path(str(CONFIG_FILE))["post_fork"]
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'f.sqlite'}"})
    with app.app_context():
        db.session.execute(select(1))
        db.session.remove()
        pool = db.engine.pool
        assert pool.checkedin() == 1  # the "master" holds a connection

    def server(preload):
        return SimpleNamespace(cfg=SimpleNamespace(preload_app=preload), app=SimpleNamespace(wsgi=lambda: app))

    post_fork(server(False), worker=None)  # nothing preloaded: nothing to drop
    with app.app_context():
        assert db.engine.pool is pool and pool.checkedin() == 1
    post_fork(server(True), worker=None)
    with app.app_context():
        assert db.engine.pool is not pool and db.engine.pool.checkedin() == 0  # the worker starts empty
        db.engine.dispose()
    pool.dispose()


# --- a real gunicorn -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> SimpleNamespace:
    """GET url (redirects followed), bounded in time."""
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (a loopback address of the test)
        return SimpleNamespace(status=response.status, headers=response.headers, body=response.read(),
                               url=response.url)


@pytest.mark.parametrize("preload", ["0", "1"], ids=["one-app-per-worker", "preloaded"])
def test_gunicorn_serves_the_portal_on_a_migrated_database(tmp_path, preload):
    port = free_port()
    environment = clean_environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite'}", INSTANCE_DIR=str(tmp_path),
        EVIDENCE_DIR=str(tmp_path / "evidence"), IMPORTS_DIR=str(tmp_path / "imports"), SECRET_KEY="gunicorn-test",
        GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2", GUNICORN_PRELOAD=preload)
    migrated = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                              env=environment, capture_output=True, text=True, timeout=PROCESS_TIMEOUT)
    assert migrated.returncode == 0, migrated.stderr
    assert (tmp_path / "portal.sqlite").exists()  # DATABASE_URL was followed, not the default file

    out, err = open(tmp_path / "stdout", "w+b"), open(tmp_path / "stderr", "w+b")  # noqa: SIM115 (closed below)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(CONFIG_FILE)], cwd=ROOT, env=environment,
                              stdout=out, stderr=err, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + PROCESS_TIMEOUT
        while True:
            assert server.poll() is None, (tmp_path / "stderr").read_text()
            assert time.monotonic() < deadline, "gunicorn did not answer in time"
            with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
                login = fetch(f"{base}/login")
                break
            time.sleep(0.2)
        assert login.status == 200
        assert b'name="password"' in login.body and login.headers["Server"].startswith("gunicorn")
        assert login.headers["Content-Security-Policy"]  # the app's own headers: the portal answered
        css = fetch(f"{base}/static/tracker.css")
        assert css.status == 200 and css.headers["Content-Type"].startswith("text/css")
        assert css.body == (ROOT / "static" / "tracker.css").read_bytes()
        # the portal's routing and sign-in check work under gunicorn too
        assert fetch(f"{base}/dashboard").url == f"{base}/login?next=%2Fdashboard"

        server.send_signal(signal.SIGTERM)  # a graceful stop, as systemd does
        assert server.wait(timeout=PROCESS_TIMEOUT) == 0
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)  # this test's own gunicorn and its workers only
            server.wait(timeout=PROCESS_TIMEOUT)
        out.close()
        err.close()
    log = (tmp_path / "stderr").read_text()
    assert log.count("Booting worker") == 2 and "Using worker: gthread" in log
    access = (tmp_path / "stdout").read_text()
    assert '"GET /login HTTP/1.1" 200' in access and "ms " in access  # the access log, with durations


# --- the pool's settings ---------------------------------------------------------------------------


def test_pool_settings_come_from_the_environment_for_a_database_server_only(monkeypatch):
    for name in ("DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_POOL_RECYCLE"):
        monkeypatch.delenv(name, raising=False)
    assert engine_options("postgresql://tracker@db/tracker") == {
        "pool_pre_ping": True, "pool_size": 5, "max_overflow": 5, "pool_recycle": 1800}
    monkeypatch.setenv("DB_POOL_SIZE", "3")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "0")
    monkeypatch.setenv("DB_POOL_RECYCLE", "60")
    assert engine_options("postgresql+psycopg2://tracker@db/tracker") == {
        "pool_pre_ping": True, "pool_size": 3, "max_overflow": 0, "pool_recycle": 60}
    # SQLite keeps the pool it had: pre-ping only (its in-memory pool would refuse max_overflow)
    assert engine_options("sqlite:///instance/tracker.sqlite") == {"pool_pre_ping": True}
    assert engine_options("sqlite://") == {"pool_pre_ping": True}


POOL_PROBE = """
import json
from tracker.app import create_app
from tracker.extensions import db
app = create_app()
with app.app_context():
    pool = db.engine.pool
    print(json.dumps({"pre_ping": pool._pre_ping, "size": pool.size() if hasattr(pool, "_max_overflow") else None,
                      "overflow": getattr(pool, "_max_overflow", None), "recycle": pool._recycle}))
"""


@pytest.mark.parametrize("url, expected", [
    # the engine is made, not connected: no server needs to listen on port 1
    ("postgresql://tracker@127.0.0.1:1/tracker", {"pre_ping": True, "size": 3, "overflow": 2, "recycle": 60}),
    ("sqlite:///{tmp}/probe.sqlite", {"pre_ping": True, "size": 5, "overflow": 10, "recycle": -1}),
], ids=["postgresql", "sqlite"])
def test_the_app_s_engine_gets_the_pool_settings_from_the_environment(tmp_path, url, expected):
    # a fresh process: Config reads the environment once, when tracker.config is imported
    environment = clean_environment(DATABASE_URL=url.format(tmp=tmp_path), DB_POOL_SIZE="3", DB_MAX_OVERFLOW="2",
                                    DB_POOL_RECYCLE="60", INSTANCE_DIR=str(tmp_path))
    probe = subprocess.run([sys.executable, "-c", POOL_PROBE], cwd=ROOT, env=environment, capture_output=True,
                           text=True, timeout=PROCESS_TIMEOUT)
    assert probe.returncode == 0, probe.stderr
    # SQLite: SQLAlchemy's own defaults, the DB_POOL_* values not applied
    assert json.loads(probe.stdout.strip().splitlines()[-1]) == expected


# --- a PostgreSQL restart --------------------------------------------------------------------------


@pytest.mark.skipif(not (TEST_DATABASE_URL or "").startswith("postgresql"),
                    reason="needs PostgreSQL (TEST_DATABASE_URL=postgresql://…, the PostgreSQL pass of .ci/run)")
@pytest.mark.parametrize("pre_ping", [True, False], ids=["pre-ping", "without-pre-ping"])
def test_a_database_restart_costs_a_few_requests_not_the_portal(app, make_user, tmp_path, pre_ping):
    shipped = engine_options(TEST_DATABASE_URL)  # what production runs with on this URL
    assert shipped["pool_pre_ping"] is True
    email = make_user("auditor").email
    db.session.close()  # the fixture's own session holds no connection across the restart
    # A portal of its own: each request gets its own app context and session, as under gunicorn
    # (the `app` fixture keeps one context open for the whole test).
    portal = create_app({"TESTING": True, "SECRET_KEY": "restart", "WTF_CSRF_ENABLED": False,
                         "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL, "EVIDENCE_DIR": str(tmp_path / "evidence"),
                         "SQLALCHEMY_ENGINE_OPTIONS": {**shipped, "pool_pre_ping": pre_ping}})
    client = portal.test_client()
    # the administrator's own connection; autocommit, because pg_stat_activity stays the same
    # snapshot for the whole of a transaction
    outside = create_engine(TEST_DATABASE_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        assert client.get("/").status_code == 200
        with portal.app_context():
            # several pooled connections, idle between requests, as in a worker that has been busy
            held = [db.engine.connect() for _ in range(3)]
            for connection in held:
                connection.close()
            assert db.engine.pool.checkedin() == 3

        # The restart: every connection to the database is cut (what a restart or a failover does).
        with outside.connect() as admin:
            killed = admin.execute(text(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
            assert killed >= 3
            deadline = time.monotonic() + 10  # pg_terminate_backend only signals; wait for them to go
            while admin.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND pid <> pg_backend_pid()")).scalar():
                assert time.monotonic() < deadline, "the backends did not end"
                time.sleep(0.05)

        statuses = [client.get("/").status_code for _ in range(5)]
        if pre_ping:
            assert statuses == [200] * 5  # each dead connection is found at checkout and replaced
        else:
            # without pre-ping the first request runs into the dead connection: that request fails
            # (503, "the database is unavailable"); SQLAlchemy then drops the whole pool and the
            # portal recovers — which is why pre-ping must stay on
            assert statuses[0] == 503 and statuses[-1] == 200
        assert client.get("/dashboard").status_code == 200
    finally:
        outside.dispose()
        with portal.app_context():
            db.engine.dispose()


# --- every setting documented ----------------------------------------------------------------------


def test_every_setting_read_from_the_environment_is_documented():
    import re

    read = set()
    for source in (ROOT / "tracker" / "config.py", CONFIG_FILE):
        read |= set(re.findall(r'(?:os\.environ(?:\.get\(|\[)|_number\()"([A-Z_]+)"', source.read_text()))
    assert {"DATABASE_URL", "SECRET_KEY", "DB_POOL_SIZE", "GUNICORN_BIND", "WEB_CONCURRENCY"} <= read
    example = (ROOT / "deploy" / "tracker.env.example").read_text()
    listed = set(re.findall(r"^#?([A-Z_]+)=", example, flags=re.MULTILINE))
    assert read - listed == set(), "missing from deploy/tracker.env.example"
    assert listed - read - {"FLASK_APP"} == set(), "deploy/tracker.env.example lists a setting nothing reads"
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Settings (environment variables)"):]
    table = table[:table.index("\n## ")]
    assert read - set(re.findall(r"^\| `([A-Z_]+)`", table, flags=re.MULTILINE)) == set(), "missing from the README"
