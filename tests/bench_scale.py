"""Benchmark: the coordinator's pages at national scale (a script, not part of the test suite).

    .venv/bin/python tests/bench_scale.py [--database sqlite|postgresql|both] [--scales 1,10]
        [--rounds 15] [--export-rounds 3] [--reuse] [--markdown] [--json OUT] [--pages dashboard,landing]

For each database and scale N it builds a synthetic country (`flask db upgrade`, then
`flask demo generate --scale N --today 2026-11-23`, then ANALYZE so the planners have statistics,
as a deployment has after autovacuum) and times, through the WSGI app (Flask's test client,
signed in as the synthetic coordinator):

- the dashboard (all plans); one plan's page; one activity's page; one body's page;
- the overdue list filtered to one plan — the htmx fragment the filter fetches, and the full page;
- `flask status --json` (through the CLI runner);
- My work (the subject body's executor) and the review inbox (the coordinator);
- the landing page `/` as the coordinator opens it, redirects followed (today the list of plans;
  signing in takes a coordinator to the review inbox, timed above);
- the whole export workbook (`/export/workbook.xlsx`, the streamed body read to the end).

`--pages` times only some of them (and only the floors they need): a quick look at one page
without the export's minutes.

Each page is warmed up, then timed `--rounds` times: median and p95. The scales of one database
are timed side by side, round by round in alternating order, so that load from elsewhere on the
machine falls on N=1 and N=10 alike and the growth between them stays meaningful.

Next to each page, timed in the same run, its floor: the one bare SQL aggregate the page cannot
do without, written by hand (the status rule of `tracker.dashboard.queries.status_table` as a
CASE over the latest lead report) in three portable forms — the latest report found by a derived
GROUP BY table, a correlated MAX, or an anti-join — the fastest one counting (the floors are
checked against `status --json` before timing). The dashboard and `status --json` show the
plans' counts and every executor's (the overdue list, the on-time rates), so their floor is one
statement counting both; the dashboard's ratio to the plans' counts alone is reported beside it.
The export's floor is bare xlsxwriter
(constant_memory, as the real workbook) writing as many rows × columns of the same kinds of
values (real values sampled from the export's own tables, sizes read from the workbook just
downloaded). The export's peak memory is measured in a child process: RSS growth during the
request (the kernel's high-water mark, VmHWM) and tracemalloc's peak.

The subjects are picked the same way at every scale, from the first region (which the generator
makes identical at every scale for the same seed): the plan with the median number of due dates,
its activity with the median number, the body with the median number of obligations as lead.

Targets (the production issue): body page, activity page and the filtered overdue list grow at
most 1.5× from N=1 to N=10; the dashboard within 3× of its floor; the export within 2× of bare
xlsxwriter and under 300 MB peak at N=10. Misses are printed; the exit status stays 0 (this is a
measurement, not a test).

`--reuse` keeps each generated database (a SQLite file in --workdir, a PostgreSQL database
bench_n<N>) keyed by scale, seed, day, the migration head and the generator's source, with a
fingerprint of its rows, and builds it again when the key or the rows differ or it is missing.
"""

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from itertools import islice
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = "2026-11-23"
DAY = date.fromisoformat(TODAY)
DUE_SOON_DAYS = 14
EMAIL = "coordinator@synthetic.tracker.example"
PASSWORD = "demo-pass-2026"
MEMORY_LIMIT_MB = 300
#: real rows kept per sheet to feed the floor writer (cycled to the real row count)
SAMPLE_ROWS = 1000

#: page key → (label, target kind); the order of the results table
PAGES = {
    "dashboard": "dashboard (all plans)",
    "plan": "plan page",
    "activity": "activity page",
    "body": "body page",
    "overdue_fragment": "overdue list, plan filter (htmx fragment)",
    "overdue_page": "overdue list, plan filter (full page)",
    "status_json": "`status --json`",
    "my_work": "My work (the subject body's executor)",
    "inbox": "review inbox (the coordinator)",
    "landing": "landing page `/` (the coordinator, redirects followed)",
    "export": "export workbook (all plans)",
}
GROWTH_TARGET = {"activity": 1.5, "body": 1.5, "overdue_fragment": 1.5, "overdue_page": 1.5, "my_work": 1.5,
                 "inbox": 1.5}
RATIO_TARGET = {"dashboard": 3.0, "export": 2.0}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- databases ------------------------------------------------------------------------------


def migration_head() -> str:
    from alembic.script import ScriptDirectory

    return "+".join(sorted(ScriptDirectory(str(ROOT / "migrations")).get_heads()))


def generator_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "tracker" / "demo").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def cache_key(scale: int, seed: int) -> str:
    return f"tracker-bench n{scale} seed{seed} day{TODAY} head{migration_head()} gen{generator_digest()}"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def pg_database_name(base_url: str, scale: int) -> str:
    return (urlsplit(base_url).path.lstrip("/") or "bench") + f"_n{scale}"


def fingerprint(url: str) -> str | None:
    """What the database holds: its migration and its row counts. Stored beside the key when the
    database is built and compared before reusing it, so a database that something else has since
    rebuilt or filled (the test suite pointed at it, say) is built again, not measured."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            counts = [connection.execute(text(f"SELECT COUNT(*), MAX(id) FROM {table}")).one()
                      for table in ("plan", "body", "obligation", "completion_report", "history_entry")]
    except Exception:  # noqa: BLE001 — missing tables, missing database: not reusable
        return None
    finally:
        engine.dispose()
    if version != migration_head() or not counts[0][0]:
        return None
    return f"head={version} rows=" + ",".join(f"{n}/{last}" for n, last in counts)


def _flask(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi"}
    env.pop("TRACKER_TODAY", None)
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _generate(url: str, scale: int, seed: int) -> tuple[float, str]:
    """`flask db upgrade`, then `flask demo generate` (timed), as subprocesses; then the dashboard's
    rollups counted for the benchmark's day (`count_rollups`)."""
    _flask(url, "db", "upgrade")
    started = time.perf_counter()
    output = _flask(url, "demo", "generate", "--scale", str(scale), "--seed", str(seed), "--today", TODAY)
    seconds = time.perf_counter() - started
    count_rollups(url)
    return seconds, output


def count_rollups(url: str) -> None:
    """The generator leaves the dashboard's rollups to be counted at the first reading; counted
    here, before (VACUUM) ANALYZE, so that the database is measured as a deployment's autovacuum
    would have left it. Counted after, the rollup tables were analyzed empty (PostgreSQL planned
    the overdue list for 17 executors, not 10,000: N=10, 82 ms for its statement, 34 ms analyzed),
    and every obligation's and activity's row, updated to remember its count, was left dead with
    no visibility map (counting a country's activities per plan read the table: 70 ms, not 10)."""
    from tracker.extensions import db
    from tracker.reports import rollups

    app = make_app(url)
    with app.app_context():
        started = time.perf_counter()
        rollups.bring_to_today()
        log(f"  rollups counted in {time.perf_counter() - started:.1f} s")
        db.session.remove()
        db.engine.dispose()


def prepare_sqlite(workdir: Path, scale: int, seed: int, reuse: bool) -> tuple[str, dict]:
    key = cache_key(scale, seed)
    name = hashlib.sha256(key.encode()).hexdigest()[:12]
    path = workdir / f"sqlite-n{scale}-{name}.sqlite"
    record = path.with_suffix(".key")
    url = f"sqlite:///{path}"
    if reuse and path.exists() and record.exists() and record.read_text() == f"{key} | {fingerprint(url)}":
        log(f"  reusing {path}")
        return url, {"reused": True, "key": key}
    for old in [*workdir.glob(f"sqlite-n{scale}-*.sqlite"), *workdir.glob(f"sqlite-n{scale}-*.key")]:
        old.unlink()
    building = workdir / f"building-n{scale}.sqlite"
    building.unlink(missing_ok=True)
    log(f"  generating scale {scale} into {path} …")
    seconds, output = _generate(f"sqlite:///{building}", scale, seed)
    from sqlalchemy import create_engine, text

    started = time.perf_counter()
    engine = create_engine(f"sqlite:///{building}")
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()
    analyze = time.perf_counter() - started
    building.rename(path)  # only a complete database gets the cached name
    record.write_text(f"{key} | {fingerprint(url)}")
    log(f"  generated in {seconds:.1f} s (+ ANALYZE {analyze:.1f} s)")
    return url, {"reused": False, "key": key, "generate_seconds": round(seconds, 1),
                 "analyze_seconds": round(analyze, 1), "generator_output": output}


def prepare_postgresql(base_url: str, scale: int, seed: int, reuse: bool) -> tuple[str, dict]:
    from sqlalchemy import create_engine, text

    key = cache_key(scale, seed)
    name = pg_database_name(base_url, scale)
    url = _with_database(base_url, name)
    maintenance = create_engine(_with_database(base_url, "postgres"), isolation_level="AUTOCOMMIT")
    try:
        with maintenance.connect() as connection:
            stored = connection.execute(text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :name"),
                {"name": name}).scalar()
        if reuse and stored is not None and stored == f"{key} | {fingerprint(url)}":
            log(f"  reusing database {name}")
            return url, {"reused": True, "key": key}
        with maintenance.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        log(f"  generating scale {scale} into database {name} …")
        seconds, output = _generate(url, scale, seed)
        started = time.perf_counter()
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))  # what autovacuum would have done by now
        engine.dispose()
        analyze = time.perf_counter() - started
        with maintenance.connect() as connection:  # only a complete database gets the key
            connection.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{key} | {fingerprint(url)}'"))
    finally:
        maintenance.dispose()
    log(f"  generated in {seconds:.1f} s (+ VACUUM ANALYZE {analyze:.1f} s)")
    return url, {"reused": False, "key": key, "generate_seconds": round(seconds, 1),
                 "analyze_seconds": round(analyze, 1), "generator_output": output}


# --- the floors: the bare SQL each page cannot do without -------------------------------------

STATUS = """CASE
    WHEN l.state = 'accepted' AND l.reviewed_on <= :day AND l.reviewed_on <= o.due_date THEN 'done'
    WHEN l.state = 'accepted' AND l.reviewed_on <= :day THEN 'done_late'
    WHEN l.state = 'returned' AND l.reviewed_on <= :day THEN 'returned'
    WHEN l.obligation_id IS NOT NULL THEN 'submitted'
    WHEN o.due_date < :day THEN 'overdue'
    WHEN o.due_date <= :soon THEN 'due_soon'
    ELSE 'upcoming' END"""

#: the latest lead report submitted by the day, three ways: a derived table grouped once for all
#: obligations (good for the whole country), a correlated MAX per obligation, or an anti-join ("no
#: later version by then") — the last two look up only the obligations in view
LATEST = {
    "grouped": """LEFT JOIN (SELECT obligation_id, MAX(version) AS version FROM completion_report
                   WHERE kind = 'lead' AND submitted_on <= :day GROUP BY obligation_id) v ON v.obligation_id = o.id
        LEFT JOIN completion_report l ON l.obligation_id = o.id AND l.kind = 'lead' AND l.version = v.version""",
    "correlated": """LEFT JOIN completion_report l ON l.obligation_id = o.id AND l.kind = 'lead'
        AND l.version = (SELECT MAX(r.version) FROM completion_report r
                         WHERE r.obligation_id = o.id AND r.kind = 'lead' AND r.submitted_on <= :day)""",
    "antijoin": """LEFT JOIN completion_report l ON l.obligation_id = o.id AND l.kind = 'lead'
        AND l.submitted_on <= :day AND NOT EXISTS (
            SELECT 1 FROM completion_report r WHERE r.obligation_id = l.obligation_id AND r.kind = 'lead'
            AND r.version > l.version AND r.submitted_on <= :day)""",
}

FLOORS = {
    # obligations counted by plan and status over the whole country
    "country": """SELECT plan_id, status, COUNT(*) FROM (
        SELECT a.plan_id, {status} AS status FROM obligation o JOIN activity a ON a.id = o.activity_id {latest}
        ) s GROUP BY plan_id, status""",
    # what the dashboard and `status --json` show: the obligations by plan and status, and by
    # executor, role and status (the overdue list and the on-time rates); the fastest of two shapes
    "country_executors": {
        # each obligation's status joined to the bodies its activity names
        "per obligation": """WITH s AS (
            SELECT a.plan_id, o.activity_id, {status} AS status FROM obligation o
            JOIN activity a ON a.id = o.activity_id {latest})
        SELECT 'plan', plan_id, NULL, status, COUNT(*) FROM s GROUP BY plan_id, status
        UNION ALL
        SELECT 'body', ae.body_id, ae.role, s.status, COUNT(*) FROM s
        JOIN activity_executor ae ON ae.activity_id = s.activity_id GROUP BY ae.body_id, ae.role, s.status""",
        # counted per activity and status first, then spread over the activity's bodies
        "per activity": """WITH s AS (
            SELECT a.plan_id, o.activity_id, {status} AS status FROM obligation o
            JOIN activity a ON a.id = o.activity_id {latest}),
        pa AS (SELECT plan_id, activity_id, status, COUNT(*) AS n FROM s GROUP BY plan_id, activity_id, status)
        SELECT 'plan', plan_id, NULL, status, SUM(n) FROM pa GROUP BY plan_id, status
        UNION ALL
        SELECT 'body', ae.body_id, ae.role, pa.status, SUM(n) FROM pa
        JOIN activity_executor ae ON ae.activity_id = pa.activity_id GROUP BY ae.body_id, ae.role, pa.status""",
    },
    # one plan's obligations by status
    "plan": """SELECT status, COUNT(*) FROM (
        SELECT {status} AS status FROM obligation o JOIN activity a ON a.id = o.activity_id {latest}
        WHERE a.plan_id = :plan) s GROUP BY status""",
    # one activity's obligations by status
    "activity": """SELECT status, COUNT(*) FROM (
        SELECT {status} AS status FROM obligation o {latest} WHERE o.activity_id = :activity) s GROUP BY status""",
    # the obligations of the activities that name the body, by role and status
    "body": """SELECT role, status, COUNT(*) FROM (
        SELECT ae.role, {status} AS status FROM activity_executor ae
        JOIN obligation o ON o.activity_id = ae.activity_id {latest}
        WHERE ae.body_id = :body) s GROUP BY role, status""",
    # the overdue obligations of one plan, by executor body
    "overdue": """SELECT body_id, COUNT(*) FROM (
        SELECT ae.body_id, {status} AS status FROM obligation o JOIN activity a ON a.id = o.activity_id
        JOIN activity_executor ae ON ae.activity_id = o.activity_id {latest}
        WHERE a.plan_id = :plan) s WHERE status = 'overdue' GROUP BY body_id""",
    # what the landing page `/` lists per plan: its activities and its due dates
    "plans_list": """SELECT 'activities', a.plan_id, COUNT(*) FROM activity a GROUP BY a.plan_id
        UNION ALL
        SELECT 'due dates', a.plan_id, COUNT(*) FROM obligation o JOIN activity a ON a.id = o.activity_id
        GROUP BY a.plan_id""",
    # the lead reports awaiting review (the latest version of each obligation's), oldest first
    "awaiting": """SELECT r.id FROM completion_report r WHERE r.kind = 'lead' AND r.state = 'submitted'
        AND NOT EXISTS (SELECT 1 FROM completion_report l WHERE l.obligation_id = r.obligation_id
                        AND l.kind = 'lead' AND l.version > r.version) ORDER BY r.submitted_at""",
}
#: page → its floor ("xlsx" is bare xlsxwriter). The dashboard and `status --json` show the plans'
#: counts and the executors' (the overdue list, the on-time rates): their floor computes both. The
#: plans' counts alone ("country") are timed too, and the dashboard's ratio to them is reported.
FLOOR_OF = {"dashboard": "country_executors", "status_json": "country_executors", "plan": "plan",
            "activity": "activity", "body": "body", "overdue_fragment": "overdue", "overdue_page": "overdue",
            "my_work": "body", "inbox": "awaiting", "landing": "plans_list", "export": "xlsx"}


def floor_forms(name: str) -> list[tuple[str, str]]:
    """(shape, latest) of every hand-written form of a floor; the fastest one counts. A floor that
    reads no report (no {latest} in it) has one form per shape, timed once, not three times alike."""
    shapes = list(FLOORS[name]) if isinstance(FLOORS[name], dict) else [""]
    forms = []
    for shape in shapes:
        template = FLOORS[name][shape] if shape else FLOORS[name]
        forms += [(shape, latest) for latest in (LATEST if "{latest}" in template else list(LATEST)[:1])]
    return forms


def floor_statement(name: str, latest: str, shape: str = ""):
    from sqlalchemy import Date, bindparam, text

    template = FLOORS[name][shape] if shape else FLOORS[name]
    sql = template.format(status=STATUS, latest=LATEST[latest])
    dates = [bindparam(name, type_=Date) for name in ("day", "soon") if f":{name}" in sql]
    return text(sql).bindparams(*dates)


def floor_params(subjects: dict) -> dict:
    return {"day": DAY, "soon": DAY + timedelta(days=DUE_SOON_DAYS), "plan": subjects["plan_id"],
            "activity": subjects["activity_id"], "body": subjects["body_id"]}


# --- measuring ------------------------------------------------------------------------------


def summarize(samples: list[float]) -> dict:
    ms = [s * 1000 for s in samples]
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) > 1 else ms[0]
    return {"median_ms": round(statistics.median(ms), 2), "p95_ms": round(p95, 2), "rounds": len(ms),
            "min_ms": round(min(ms), 2), "max_ms": round(max(ms), 2)}


def interleaved(actions: dict, rounds: int, warmup: int) -> dict[object, list[float]]:
    """Time several actions (the same page at each scale) round by round, alternating their order,
    so that a burst of load from elsewhere on the machine falls on all of them, not on one scale."""
    for action in actions.values():
        for _ in range(warmup):
            action()
    samples: dict[object, list[float]] = {key: [] for key in actions}
    keys = list(actions)
    for number in range(rounds):
        for key in keys if number % 2 == 0 else reversed(keys):
            started = time.perf_counter()
            actions[key]()
            samples[key].append(time.perf_counter() - started)
    return samples


def make_app(url: str):
    from tracker.app import create_app

    # the export is timed as the immediate download (the portal makes a country's in the background)
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TODAY": TODAY, "DUE_SOON_DAYS": DUE_SOON_DAYS,
                       "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench-only", "TESTING": False,
                       "EXPORT_BACKGROUND_ROWS": 10**9})


def signed_in_client(app, email: str = EMAIL):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"could not sign in as {email}: HTTP {response.status_code}")
    return client


def pick_subjects(connection) -> dict:
    """The same relative pick at every scale: in the first region, the plan with the median number
    of due dates, its activity with the median number, the body with the median number of
    obligations as lead (ties broken by id)."""
    from sqlalchemy import text

    def median_row(rows):
        return rows[(len(rows) - 1) // 2]

    region = connection.execute(text("SELECT region FROM plan ORDER BY id LIMIT 1")).scalar()
    plans = connection.execute(text(
        "SELECT p.id, COUNT(o.id) AS n FROM plan p JOIN activity a ON a.plan_id = p.id "
        "JOIN obligation o ON o.activity_id = a.id WHERE p.region = :region GROUP BY p.id ORDER BY n, p.id"),
        {"region": region}).all()
    plan_id, plan_obligations = median_row(plans)
    activities = connection.execute(text(
        "SELECT a.id, COUNT(o.id) AS n FROM activity a JOIN obligation o ON o.activity_id = a.id "
        "WHERE a.plan_id = :plan GROUP BY a.id ORDER BY n, a.id"), {"plan": plan_id}).all()
    activity_id, activity_obligations = median_row(activities)
    bodies = connection.execute(text(
        "SELECT ae.body_id, COUNT(o.id) AS n FROM activity_executor ae JOIN body b ON b.id = ae.body_id "
        "JOIN obligation o ON o.activity_id = ae.activity_id WHERE ae.role = 'lead' AND b.region = :region "
        "GROUP BY ae.body_id ORDER BY n, ae.body_id"), {"region": region}).all()
    body_id, body_lead = median_row(bodies)
    body_all = connection.execute(text(
        "SELECT COUNT(o.id) FROM activity_executor ae JOIN obligation o ON o.activity_id = ae.activity_id "
        "WHERE ae.body_id = :body"), {"body": body_id}).scalar()
    return {"region": region, "plan_id": plan_id, "plan_obligations": plan_obligations,
            "activity_id": activity_id, "activity_obligations": activity_obligations,
            "body_id": body_id, "body_lead_obligations": body_lead, "body_obligations": body_all}


def data_sizes(connection) -> dict:
    from sqlalchemy import text

    sizes = {}
    for table in ("plan", "activity", "body", "activity_executor", "obligation", "completion_report"):
        sizes[table] = connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()
    return sizes


class Setup:
    """One database at one scale: its app, a signed-in client, the subjects, where its files go."""

    def __init__(self, database: str, scale: int, url: str, build: dict, workdir: Path):
        from sqlalchemy import create_engine

        self.database, self.scale, self.url, self.build = database, scale, url, build
        self.workdir = workdir
        engine = create_engine(url)
        with engine.connect() as connection:
            self.subjects = pick_subjects(connection)
            self.sizes = data_sizes(connection)
        engine.dispose()
        self.app = make_app(url)
        self.client = signed_in_client(self.app)
        # My work is an executor's page: the subject body's synthetic account
        self.executor_client = signed_in_client(
            self.app, f"executor-{self.subjects['body_id']}@synthetic.tracker.example")
        self.runner = self.app.test_cli_runner()
        self.export_path = workdir / f"export-{database}-n{scale}.xlsx"
        self.floor_path = workdir / f"floor-{database}-n{scale}.xlsx"

    def status_json(self) -> str:
        with self.app.app_context():  # `flask` pushes one for its commands; the test runner does not
            outcome = self.runner.invoke(args=["status", "--json"])
        if outcome.exit_code != 0:
            raise SystemExit(f"status --json failed: {outcome.output[-2000:]}")
        return outcome.output

    def dispose(self) -> None:
        from tracker.extensions import db

        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


def check_floors(setup: Setup) -> list[str]:
    """The hand-written floors must count what the app counts (`status --json`, same status rule)."""
    from tracker.extensions import db

    report = json.loads(setup.status_json())
    app_plans = {(p["id"], s): n for p in report["plans"] for s, n in p["obligations"].items() if n}
    body = next(b for b in report["bodies"] if b["id"] == setup.subjects["body_id"])
    app_body = {("lead", s): n for s, n in body["as_lead"].items() if n}
    app_body.update({("co_executor", s): n for s, n in body["as_co_executor"].items() if n})
    problems = []
    params = floor_params(setup.subjects)
    with setup.app.app_context():
        for latest in LATEST:
            found = {(p, s): n for p, s, n in db.session.execute(floor_statement("country", latest), params)}
            if found != app_plans:
                problems.append(f"{setup.database} N={setup.scale}: country floor ({latest}) disagrees with status --json")
            found = {(r, s): n for r, s, n in db.session.execute(floor_statement("body", latest), params)}
            if found != app_body:
                problems.append(f"{setup.database} N={setup.scale}: body floor ({latest}) disagrees with status --json")
        app_bodies = {(b["id"], role, s): n for b in report["bodies"]
                      for role, key in (("lead", "as_lead"), ("co_executor", "as_co_executor"))
                      for s, n in b[key].items() if n}
        for shape, latest in floor_forms("country_executors"):
            found = db.session.execute(floor_statement("country_executors", latest, shape), params).all()
            plans = {(key, s): n for kind, key, _role, s, n in found if kind == "plan"}
            bodies = {(key, role, s): n for kind, key, role, s, n in found if kind == "body"}
            if plans != app_plans or bodies != app_bodies:
                problems.append(f"{setup.database} N={setup.scale}: country_executors floor ({shape}, {latest}) "
                                "disagrees with status --json")
        db.session.remove()
    return problems


REQUESTS = {
    "dashboard": ("/dashboard", {}),
    "plan": ("/plans/{plan_id}", {}),
    "activity": ("/activities/{activity_id}", {}),
    "body": ("/bodies/{body_id}", {}),
    "overdue_fragment": ("/dashboard?plan={plan_id}&status=overdue",
                         {"HX-Request": "true", "HX-Target": "dashboard-results"}),
    "overdue_page": ("/dashboard?plan={plan_id}&status=overdue", {}),
    "my_work": ("/my-work", {}),
    "inbox": ("/inbox", {}),
    "landing": ("/", {}),
    "export": ("/export/workbook.xlsx", {}),
}
#: pages whose redirects are followed: `/` is where the portal's links to "home" go; whether it shows
#: the coordinator the list of plans or sends them on (`landing_endpoint`), the page they end on is timed
FOLLOW_REDIRECTS = {"landing"}


def page_action(setup: Setup, page: str, sizes: dict):
    if page == "status_json":
        def action():
            sizes[setup.scale] = len(setup.status_json())
        return action
    template, headers = REQUESTS[page]
    path = template.format(**setup.subjects)

    def action():
        client = setup.executor_client if page == "my_work" else setup.client
        response = client.get(path, headers=headers, follow_redirects=page in FOLLOW_REDIRECTS)
        body = response.get_data()  # the whole (streamed) body
        response.close()
        if response.status_code != 200:
            raise SystemExit(f"{setup.database} N={setup.scale}: GET {path} answered {response.status_code}")
        sizes[setup.scale] = len(body)
        if page == "export":  # kept: the floor writes as many cells as this workbook holds
            setup.export_path.write_bytes(body)
    return action


def time_pages(setups: list[Setup], rounds: int, export_rounds: int, pages: list[str]) -> dict[int, dict]:
    results: dict[int, dict] = {s.scale: {} for s in setups}
    for page in pages:
        sizes: dict[int, int] = {}
        export = page == "export"
        samples = interleaved({s.scale: page_action(s, page, sizes) for s in setups},
                              export_rounds if export else rounds, warmup=1 if export else 2)
        for scale, values in samples.items():
            results[scale][page] = {**summarize(values), "bytes": sizes[scale]}
        log(f"  {page:<17} " + "   ".join(
            f"N={scale}: median {fmt_ms(results[scale][page]['median_ms'])}, p95 {fmt_ms(results[scale][page]['p95_ms'])}"
            f" ({sizes[scale] / 1024:.0f} KB)" for scale in samples))
    for scale, timed in results.items():
        if {"overdue_fragment", "overdue_page"} <= set(timed) and (
                timed["overdue_fragment"]["bytes"] >= timed["overdue_page"]["bytes"]):
            log(f"  warning: N={scale}: the htmx fragment is not smaller than the full page — was it served?")
    return results


def time_floors(setups: list[Setup], rounds: int, names: set[str]) -> dict[int, dict]:
    from tracker.extensions import db

    floors: dict[int, dict] = {s.scale: {} for s in setups}
    for name in [n for n in FLOORS if n in names]:
        forms: dict[int, dict] = {s.scale: {} for s in setups}
        for shape, latest in floor_forms(name):
            actions = {}
            for setup in setups:
                statement, params = floor_statement(name, latest, shape), floor_params(setup.subjects)

                def run(setup=setup, statement=statement, params=params):
                    with setup.app.app_context(), db.engine.connect() as connection:
                        connection.execute(statement, params).all()
                actions[setup.scale] = run
            for scale, values in interleaved(actions, rounds, warmup=1).items():
                forms[scale][f"{shape}, {latest}" if shape else latest] = summarize(values)
        for scale, variants in forms.items():
            best = min(variants, key=lambda v: variants[v]["median_ms"])
            floors[scale][name] = {**variants[best], "form": best,
                                   "forms": {k: v["median_ms"] for k, v in variants.items()}}
        log(f"  floor {name:<11} " + "   ".join(
            f"N={scale}: {fmt_ms(f[name]['median_ms'])} ({f[name]['form']}; "
            + ", ".join(f"{k} {fmt_ms(v)}" for k, v in f[name]["forms"].items()) + ")" for scale, f in floors.items()))
    return floors


def export_floor_writer(setup: Setup):
    """Bare xlsxwriter (constant_memory) writing as many rows × columns of the same kinds of values
    as the real workbook: the sizes from the workbook just downloaded (kept by page_action), the
    values sampled from the export's own tables and prepared beforehand."""
    import openpyxl
    import xlsxwriter

    from tracker.dashboard.queries import Filters
    from tracker.export.tables import all_tables
    from tracker.extensions import db

    book = openpyxl.load_workbook(setup.export_path, read_only=True)
    max_rows = [sheet.max_row for sheet in book.worksheets]  # the <dimension> xlsxwriter writes
    book.close()
    with setup.app.test_request_context():
        sheets = []
        for index, table in enumerate(all_tables(DAY, Filters(), "http://127.0.0.1:5000/")):
            header_row = 6 if table.key == "summary" else 0  # the summary has the as-of/exported-by block above
            count = max_rows[index] - header_row - 1
            kinds = [c.kind for c in table.columns]
            sample = [_floor_cells(kinds, row) for row in islice(table.rows, SAMPLE_ROWS)]
            sheets.append((table.title[:31], [c.header for c in table.columns], kinds, header_row, count, sample))
        db.session.remove()
    if sheets[0][4] != setup.sizes["plan"]:
        log(f"  warning: N={setup.scale}: the summary sheet has {sheets[0][4]} rows for {setup.sizes['plan']} plans")

    def write():
        target = xlsxwriter.Workbook(str(setup.floor_path), {"constant_memory": True})
        formats = {kind: target.add_format(spec) for kind, spec in {
            "text": {}, "wrap": {"text_wrap": True}, "int": {"num_format": "#,##0"},
            "money": {"num_format": "#,##0"}, "percent": {"num_format": "0%"},
            "date": {"num_format": "yyyy-mm-dd"}, "link": {"underline": 1}}.items()}
        for title, header, kinds, header_row, count, sample in sheets:
            sheet = target.add_worksheet(title)
            sheet.write_row(header_row, 0, header)
            if not sample:
                continue
            writers = {"blank": sheet.write_blank, "string": sheet.write_string, "number": sheet.write_number,
                       "datetime": sheet.write_datetime, "url": sheet.write_url}
            prepared = [[(writers[method], value, formats[kind]) for (method, value), kind in zip(row, kinds, strict=True)]
                        for row in sample]
            size = len(prepared)
            for number in range(count):
                row = header_row + 1 + number
                for col, (writer, value, cell_format) in enumerate(prepared[number % size]):
                    writer(row, col, value, cell_format)
        target.close()

    info = {"cells": sum(count * len(header) for _t, header, _k, _h, count, _s in sheets),
            "rows": {title: count for title, _h, _k, _r, count, _s in sheets},
            "workbook_mb": round(setup.export_path.stat().st_size / 1024 / 1024, 1)}
    return write, info


def time_export_floor(setups: list[Setup], rounds: int, floors: dict[int, dict]) -> None:
    writers, infos = {}, {}
    for setup in setups:
        writers[setup.scale], infos[setup.scale] = export_floor_writer(setup)
    for scale, values in interleaved(writers, rounds, warmup=1).items():
        floors[scale]["xlsx"] = {**summarize(values), "form": "xlsxwriter", **infos[scale]}
    log("  floor xlsx        " + "   ".join(
        f"N={scale}: {fmt_ms(f['xlsx']['median_ms'])} ({f['xlsx']['cells']:,} cells)" for scale, f in floors.items()))


def _floor_cells(kinds: list[str], values: list) -> list[tuple[str, object]]:
    cells = []
    for kind, value in zip(kinds, values, strict=True):
        if value is None or value == "":
            cells.append(("blank", None))
        elif kind == "date":
            cells.append(("datetime", datetime.combine(value, datetime.min.time())))
        elif kind in ("int", "money", "percent"):
            cells.append(("number", value))
        elif kind == "link":
            cells.append(("url", value))
        else:
            cells.append(("string", str(value)))
    return cells


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def export_memory_child(url: str) -> None:
    """Run in a child process: one export through the WSGI app and the peak RSS it took; a second
    one under tracemalloc, its peak of Python allocations. Prints JSON.

    The peak is the kernel's high-water mark of this process's RSS (VmHWM), reset just before the
    request (/proc/self/clear_refs). Not getrusage().ru_maxrss: a child started by fork/vfork + exec
    inherits the parent's high-water mark at the fork — here the benchmark holding both scales'
    apps, several hundred MB — so it would measure the parent, not the export."""
    import tracemalloc

    app = make_app(url)
    client = signed_in_client(app)
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # reset VmHWM to the current RSS
        reset = True
    except OSError:
        reset = False
    before = _status_mb("VmRSS")
    response = client.get("/export/workbook.xlsx")
    size = len(response.get_data())
    response.close()
    peak = _status_mb("VmHWM")
    inherited = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    response = client.get("/export/workbook.xlsx")
    response.get_data()
    response.close()
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({"rss_before_mb": round(before, 1), "max_rss_mb": round(peak, 1),
                      "rss_growth_mb": round(peak - before, 1), "hwm_reset": reset,
                      "ru_maxrss_mb": round(inherited, 1),
                      "tracemalloc_peak_mb": round(traced_peak / 1024 / 1024, 1), "bytes": size}))


def export_memory(url: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--export-memory-child", url], cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(database: str, built: list[tuple[int, str, dict]], args) -> list[dict]:
    """Every page and floor of one database, the scales timed side by side (interleaved)."""
    load_before = os.getloadavg()[0]
    setups = [Setup(database, scale, url, build, Path(args.workdir)) for scale, url, build in built]
    # the floors the chosen pages need (the plans' counts alone beside the dashboard's)
    needed = {FLOOR_OF[page] for page in args.pages} | ({"country"} if "dashboard" in args.pages else set())
    problems = []
    for setup in setups:
        log(f"  N={setup.scale}: {setup.sizes}")
        log(f"  N={setup.scale}: subjects {setup.subjects}")
        if needed & {"country", "body", "country_executors"}:
            problems += check_floors(setup)
    for problem in problems:
        log(f"  WARNING: {problem}")
    pages = time_pages(setups, args.rounds, args.export_rounds, args.pages)
    floors = time_floors(setups, args.rounds, needed)
    if "export" in args.pages:
        time_export_floor(setups, args.export_rounds, floors)
    for setup in setups:
        setup.dispose()
    runs = []
    load = (round(load_before, 1), round(os.getloadavg()[0], 1))
    for setup in setups:
        memory = export_memory(setup.url) if "export" in args.pages else {}
        if memory:
            log(f"  N={setup.scale}: export memory {memory}")
        for page, result in pages[setup.scale].items():
            floor = floors[setup.scale][FLOOR_OF[page]]
            result["floor"] = FLOOR_OF[page]
            result["floor_ms"] = floor["median_ms"]
            result["floor_form"] = floor["form"]
            result["ratio"] = round(result["median_ms"] / floor["median_ms"], 2) if floor["median_ms"] else None
        if "dashboard" in pages[setup.scale]:
            plans_only = floors[setup.scale]["country"]["median_ms"]
            pages[setup.scale]["dashboard"]["ratio_to_plans_only"] = round(
                pages[setup.scale]["dashboard"]["median_ms"] / plans_only, 2) if plans_only else None
        runs.append({"database": database, "scale": setup.scale, "build": setup.build, "sizes": setup.sizes,
                     "subjects": setup.subjects, "load": load, "pages": pages[setup.scale],
                     "floors": floors[setup.scale], "export_memory": memory,
                     "floor_check": [p for p in problems if f"N={setup.scale}:" in p] or "ok"})
    return runs


# --- reporting ------------------------------------------------------------------------------


def judge(runs: list[dict]) -> list[str]:
    """Growth N=1→N=10 (any two scales: smallest → largest) and PASS/FAIL per target."""
    misses = []
    for run in runs:
        scales = sorted(r["scale"] for r in runs if r["database"] == run["database"])
        smallest = next(r for r in runs if r["database"] == run["database"] and r["scale"] == scales[0])
        for page, result in run["pages"].items():
            checks = []
            if run["scale"] != scales[0]:
                result["growth"] = round(result["median_ms"] / smallest["pages"][page]["median_ms"], 2)
                if smallest["subjects"] != run["subjects"] and page in ("plan", "activity", "body", "overdue_fragment",
                                                                       "overdue_page"):
                    result["growth_note"] = "subjects differ between scales"
                if page in GROWTH_TARGET:
                    limit = GROWTH_TARGET[page]
                    checks.append((f"growth ≤ {limit}", result["growth"] <= limit,
                                   f"growth {result['growth']} > {limit}"))
            if page in RATIO_TARGET:
                limit = RATIO_TARGET[page]
                checks.append((f"ratio ≤ {limit:g}", result["ratio"] <= limit, f"ratio {result['ratio']} > {limit:g}"))
            if page == "export" and run["scale"] >= 10:
                memory = run["export_memory"]
                growth = memory.get("rss_growth_mb")
                ok = growth is not None and growth < MEMORY_LIMIT_MB
                checks.append((f"peak < {MEMORY_LIMIT_MB} MB", ok, f"peak RSS growth {growth} MB ≥ {MEMORY_LIMIT_MB} MB"))
            result["target"] = "; ".join(c[0] for c in checks) or "—"
            result["pass"] = all(c[1] for c in checks) if checks else None
            for _label, ok, why in checks:
                if not ok:
                    misses.append(f"{run['database']} N={run['scale']} {PAGES[page]}: {why}")
    return misses


def fmt_ms(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    if value >= 100:
        return f"{value:.0f} ms"
    return f"{value:.1f} ms"


def markdown(runs: list[dict], misses: list[str], seconds: float, args) -> str:
    lines = []
    lines.append(f"Synthetic country (`flask demo generate`, seed {args.seed}, as of {TODAY}); {args.rounds} rounds per "
                 f"page, {args.export_rounds} for the export; medians and p95 through the WSGI app; run took "
                 f"{seconds / 60:.1f} min.")
    lines.append("")
    lines.append("| database | N | plans | activities | obligations | reports | generated in | load average (1 min), start → end |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for run in runs:
        s, b = run["sizes"], run["build"]
        built = "reused" if b.get("reused") else f"{b['generate_seconds']:.0f} s + ANALYZE {b['analyze_seconds']:.0f} s"
        lines.append(f"| {run['database']} | {run['scale']} | {s['plan']:,} | {s['activity']:,} | {s['obligation']:,} | "
                     f"{s['completion_report']:,} | {built} | {run['load'][0]} → {run['load'][1]} |")
    lines.append("")
    def described(subjects: dict) -> str:
        return (f"plan {subjects['plan_id']} ({subjects['plan_obligations']} due dates), activity "
                f"{subjects['activity_id']} ({subjects['activity_obligations']} due dates), body {subjects['body_id']} "
                f"({subjects['body_lead_obligations']} obligations as lead, {subjects['body_obligations']} in all)")

    if all(run["subjects"] == runs[0]["subjects"] for run in runs):
        lines.append(f"Subjects (first region, the same rows at every scale and database): {described(runs[0]['subjects'])}.")
    else:
        lines.append("Subjects (first region; they differ between runs, so growth compares different rows):")
        lines.extend(f"- {run['database']} N={run['scale']}: {described(run['subjects'])}" for run in runs)
    lines.append("")
    lines.append("| database | N | page | median | p95 | floor | ratio | growth N=1→10 | target | result |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        for page, r in run["pages"].items():
            growth = f"{r['growth']:.2f}×" if "growth" in r else "—"
            result = "—" if r["pass"] is None else ("PASS" if r["pass"] else "**FAIL**")
            floor = fmt_ms(r["floor_ms"]) + (" (xlsxwriter)" if r["floor"] == "xlsx" else "")
            lines.append(f"| {run['database']} | {run['scale']} | {PAGES[page]} | {fmt_ms(r['median_ms'])} | "
                         f"{fmt_ms(r['p95_ms'])} | {floor} | {r['ratio']:.1f}× | {growth} | {r['target']} | {result} |")
    exported = [run for run in runs if "export" in run["pages"]]
    if exported:
        lines.append("")
        lines.append("| database | N | export cells | workbook | RSS growth during the export | peak RSS | tracemalloc peak |")
        lines.append("|---|---|---|---|---|---|---|")
    for run in exported:
        m, x = run["export_memory"], run["floors"]["xlsx"]
        if "error" in m:
            lines.append(f"| {run['database']} | {run['scale']} | {x['cells']:,} | {x['workbook_mb']} MB | error | | |")
            continue
        lines.append(f"| {run['database']} | {run['scale']} | {x['cells']:,} | {x['workbook_mb']} MB | "
                     f"{m['rss_growth_mb']:.0f} MB | {m['max_rss_mb']:.0f} MB | {m['tracemalloc_peak_mb']:.0f} MB |")
    lines.append("")
    lines.append("Floors: the one hand-written SQL aggregate each page needs (same status rule), the fastest of "
                 "three forms of the latest lead report (grouped, correlated MAX, anti-join); for the dashboard and "
                 "`status --json`, which show the plans' counts and every executor's, one statement counting both "
                 "(the fastest of two shapes × three forms); for the export, bare xlsxwriter writing as many cells "
                 "of the same kinds. N=1 and N=10 timed side by side.")
    if all("dashboard" in run["pages"] for run in runs):
        lines.append("")
        lines.append("The dashboard against the plans' counts alone (no executors): " + ", ".join(
            f"{run['database']} N={run['scale']} {run['pages']['dashboard']['ratio_to_plans_only']:.1f}× "
            f"(floor {fmt_ms(run['floors']['country']['median_ms'])})" for run in runs) + ".")
    if misses:
        lines.append("")
        lines.append("Targets missed:")
        lines.extend(f"- {miss}" for miss in misses)
    else:
        lines.append("")
        lines.append("Every target met.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--scales", default="1,10", help="comma-separated scales (default 1,10)")
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds per page and floor (default 15)")
    parser.add_argument("--export-rounds", type=int, default=3, help="timed rounds of the export (default 3)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/bench",
                        help="server and base name: databases <name>_n<N> are (re)created there")
    parser.add_argument("--workdir", default="/tmp/tracker-bench")
    parser.add_argument("--reuse", action="store_true", help="keep generated databases between runs")
    parser.add_argument("--json", dest="json_out", metavar="OUT", help="write every figure to this JSON file")
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    parser.add_argument("--pages", default=",".join(PAGES),
                        help="comma-separated pages to time, with their floors (default: all): " + ", ".join(PAGES))
    parser.add_argument("--export-memory-child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_memory_child:
        export_memory_child(args.export_memory_child)
        return
    if args.rounds < 2 or args.export_rounds < 1:
        parser.error("--rounds must be at least 2 and --export-rounds at least 1")
    chosen = {page.strip() for page in args.pages.split(",") if page.strip()}
    if not chosen or chosen - set(PAGES):
        parser.error("--pages: choose from " + ", ".join(PAGES))
    args.pages = [page for page in PAGES if page in chosen]  # in the results table's order
    scales = sorted({int(s) for s in args.scales.split(",") if s.strip()})
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    runs = []
    for database in databases:
        built = []
        for scale in scales:
            log(f"{database}, scale {scale}:")
            if database == "sqlite":
                url, build = prepare_sqlite(workdir, scale, args.seed, args.reuse)
            else:
                url, build = prepare_postgresql(args.pg_url, scale, args.seed, args.reuse)
            built.append((scale, url, build))
        log(f"{database}: timing " + ", ".join(f"N={scale}" for scale in scales) + " side by side")
        runs += measure(database, built, args)
    misses = judge(runs)
    seconds = time.perf_counter() - started
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"seconds": round(seconds, 1), "today": TODAY, "seed": args.seed,
                                                   "rounds": args.rounds, "export_rounds": args.export_rounds,
                                                   "runs": runs, "misses": misses}, indent=2, default=str))
    if args.markdown:
        print(markdown(runs, misses, seconds, args))
    else:
        for run in runs:
            for page, r in run["pages"].items():
                verdict = "" if r["pass"] is None else ("PASS" if r["pass"] else "FAIL")
                print(f"{run['database']:<10} N={run['scale']:<3} {PAGES[page]:<44} median {fmt_ms(r['median_ms']):>9} "
                      f"p95 {fmt_ms(r['p95_ms']):>9} floor {fmt_ms(r['floor_ms']):>9} ratio {r['ratio']:>6.1f}"
                      + (f" growth {r['growth']:.2f}" if "growth" in r else "") + f"  {verdict}")
        print(f"({seconds / 60:.1f} min)")
    if misses:
        print("\nTARGETS MISSED:", file=sys.stderr)
        for miss in misses:
            print(f"  - {miss}", file=sys.stderr)


if __name__ == "__main__":
    main()
