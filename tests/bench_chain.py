"""Benchmark: the pages that show the chain, with work handed down it and without (a script, not
part of the test suite).

    .venv/bin/python tests/bench_chain.py [--scale 1] [--rounds 31] [--reuse] [--markdown] [--json OUT]

Two SQLite databases are generated from the same seed and day: `flask demo generate --scale N
--chain` (every region's cities and districts with ~30 schools each, the region's education
department leading a third of the activities and handing every due date of them down two levels:
3 districts × 2 schools each, the region's first to every district and all their schools) and the
same command with `--no-hand-down` (the same country, bodies, leads and reports; nothing handed
down). The pages are then timed in both, side by side round by round through the WSGI app (Flask's
test client), signed in as the synthetic coordinator — and the obligation page once more as the
education department that handed it down, which also gets the hand-down form:

- the obligation page with its tree: a typical tree (9 sub-obligations) and the widest (every
  district and school of the region);
- the body page of the department that hands down, of a district's department, and of the
  collective executor "аудандар мен қалалардың білім бөлімдері" with its members;
- the dashboard;
- beside them, the department's chain page (`/bodies/<id>/chain`) and the charts of a plan naming
  the group, opened on its members.

Each page: warmed up twice, then `--rounds` rounds; the median and p95, the ratio with/without, and
the number of SQL statements of one request in each database (a `before_cursor_execute` listener).
Target (issue 22): the obligation page, the body page and the dashboard within 1.5× of their
times without delegation. Their number of statements is printed beside: with a tree, the
obligation page reads it in a fixed number of statements (one when nothing was handed down);
that it stays fixed however long the chain is tests/test_chain_queries.py's assertion. Misses are
printed; the exit status stays 0 (a measurement, not a test).

The subjects are the same rows in both databases (the country above the chain is identical):
the first region's education department, its first district, its group, and two of its
handed-down obligations (the widest tree, and the median one by tree size).
"""

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bench_scale import (  # noqa: E402 — the path above first
    EMAIL,
    TODAY,
    _flask,
    fmt_ms,
    generator_digest,
    interleaved,
    log,
    make_app,
    migration_head,
    signed_in_client,
    summarize,
)

VARIANTS = {"without": ["--chain", "--no-hand-down"], "with": ["--chain"]}
#: page key → (label, whether the issue's target applies)
PAGES = {
    "obligation_typical": ("obligation page, typical tree (coordinator)", True),
    "obligation_widest": ("obligation page, widest tree (coordinator)", True),
    "obligation_department": ("obligation page, typical tree, as the department handing down (with its form)", True),
    "body_department": ("body page: the department handing down", True),
    "body_district": ("body page: a district's department", True),
    "body_group": ("body page: the collective executor, with its members", True),
    "dashboard": ("dashboard (all plans)", True),
    "chain": ("the department's chain page (`/bodies/<id>/chain`)", False),
    "charts_group": ("plan's charts, opened on the group's members", False),
}
RATIO_TARGET = 1.5


def cache_key(scale: int, seed: int, variant: str) -> str:
    return (f"tracker-bench-chain n{scale} seed{seed} day{TODAY} {' '.join(VARIANTS[variant])} "
            f"head{migration_head()} gen{generator_digest()}")


def prepare(workdir: Path, scale: int, seed: int, variant: str, reuse: bool) -> tuple[str, dict]:
    key = cache_key(scale, seed, variant)
    name = hashlib.sha256(key.encode()).hexdigest()[:12]
    path = workdir / f"chain-{variant}-n{scale}-{name}.sqlite"
    record = path.with_suffix(".key")
    url = f"sqlite:///{path}"
    if reuse and path.exists() and record.exists() and record.read_text() == key:
        log(f"  reusing {path}")
        return url, {"reused": True}
    for old in [*workdir.glob(f"chain-{variant}-n{scale}-*.sqlite"), *workdir.glob(f"chain-{variant}-n{scale}-*.key")]:
        old.unlink()
    building = workdir / f"building-chain-{variant}-n{scale}.sqlite"
    building.unlink(missing_ok=True)
    log(f"  generating {variant} delegation, scale {scale} …")
    _flask(f"sqlite:///{building}", "db", "upgrade")
    started = time.perf_counter()
    output = _flask(f"sqlite:///{building}", "demo", "generate", "--scale", str(scale), "--seed", str(seed),
                    "--today", TODAY, *VARIANTS[variant])
    seconds = time.perf_counter() - started
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{building}")
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()
    building.rename(path)
    record.write_text(key)
    log(f"  generated in {seconds:.1f} s")
    return url, {"reused": False, "generate_seconds": round(seconds, 1), "generator_output": output}


def pick_subjects(url: str) -> dict:
    """In the first region: the education department, its first district, the group; of its
    handed-down obligations, the widest tree and the median one (picked in the database `url`,
    which must be the one with delegation)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as c:
        region = c.execute(text("SELECT region FROM plan ORDER BY id LIMIT 1")).scalar()
        department = c.execute(text("SELECT id FROM body WHERE region = :r AND registry_key = 'education' "
                                    "AND level = 'region'"), {"r": region}).scalar()
        district = c.execute(text("SELECT id FROM body WHERE parent_id = :d AND level = 'district' ORDER BY id "
                                  "LIMIT 1"), {"d": department}).scalar()
        group = c.execute(text("SELECT id FROM body WHERE region = :r AND registry_key = 'district_education' "
                               "AND district IS NULL"), {"r": region}).scalar()
        trees = c.execute(text(
            "SELECT d.obligation_id, COUNT(*) AS n FROM delegation d JOIN delegation_above a "
            "ON a.delegation_id = d.id AND a.body_id = :d AND a.distance = d.depth "
            "GROUP BY d.obligation_id ORDER BY n DESC, d.obligation_id"), {"d": department}).all()
        plan = c.execute(text("SELECT a.plan_id FROM activity_executor e JOIN activity a ON a.id = e.activity_id "
                              "WHERE e.body_id = :g ORDER BY a.plan_id LIMIT 1"), {"g": group}).scalar()
        sizes = {table: c.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()
                 for table in ("plan", "activity", "obligation", "completion_report", "body", "delegation",
                               "delegation_above", "sub_report")}
        handed = c.execute(text("SELECT COUNT(DISTINCT obligation_id) FROM delegation")).scalar()
    engine.dispose()
    widest, widest_size = trees[0]
    typical, typical_size = trees[len(trees) // 2]
    return {"region": region, "department": department, "district": district, "group": group, "plan": plan,
            "widest": widest, "widest_size": widest_size, "typical": typical, "typical_size": typical_size,
            "sizes": sizes, "obligations_handed_down": handed}


PATHS = {
    "obligation_typical": "/obligations/{typical}",
    "obligation_widest": "/obligations/{widest}",
    "obligation_department": "/obligations/{typical}",
    "body_department": "/bodies/{department}",
    "body_district": "/bodies/{district}",
    "body_group": "/bodies/{group}",
    "dashboard": "/dashboard",
    "chain": "/bodies/{department}/chain",
    "charts_group": "/plans/{plan}/charts?open={group}",
}


class Setup:
    def __init__(self, variant: str, url: str, subjects: dict):
        self.variant, self.url, self.subjects = variant, url, subjects
        self.app = make_app(url)
        self.coordinator = signed_in_client(self.app, EMAIL)
        self.department = signed_in_client(self.app, f"executor-{subjects['department']}@synthetic.tracker.example")

    def action(self, page: str, sizes: dict):
        path = PATHS[page].format(**self.subjects)
        client = self.department if page == "obligation_department" else self.coordinator

        def run():
            response = client.get(path)
            body = response.get_data()
            response.close()
            if response.status_code != 200:
                raise SystemExit(f"{self.variant}: GET {path} answered {response.status_code}")
            sizes[self.variant] = len(body)
        return run

    def statements(self, page: str) -> tuple[int, bool]:
        """How many statements one request issues, and whether any reads the chain's tables."""
        from sqlalchemy import event

        from tracker.extensions import db

        with self.app.app_context():
            engine = db.engine
        counted = []

        def count(_conn, _cursor, statement, *_args):
            counted.append(statement)

        run = self.action(page, {})
        run()  # the steady state: what a first request of the day brings up to date is done
        event.listen(engine, "before_cursor_execute", count)
        try:
            run()
        finally:
            event.remove(engine, "before_cursor_execute", count)
        chain = any(word in statement for statement in counted for word in ("delegation", "sub_report"))
        return len(counted), chain

    def dispose(self) -> None:
        from tracker.extensions import db

        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


def measure(setups: dict[str, Setup], rounds: int) -> dict:
    results = {}
    for page in PAGES:
        sizes: dict[str, int] = {}
        samples = interleaved({v: s.action(page, sizes) for v, s in setups.items()}, rounds, warmup=2)
        row = {v: {**summarize(values), "bytes": sizes[v]} for v, values in samples.items()}
        for v, setup in setups.items():
            row[v]["statements"], row[v]["reads_chain"] = setup.statements(page)
        row["ratio"] = round(row["with"]["median_ms"] / row["without"]["median_ms"], 2)
        label, targeted = PAGES[page]
        row["pass"] = row["ratio"] <= RATIO_TARGET if targeted else None
        results[page] = row
        log(f"  {page:<22} without {fmt_ms(row['without']['median_ms']):>9} ({row['without']['statements']} st.)  "
            f"with {fmt_ms(row['with']['median_ms']):>9} ({row['with']['statements']} st.)  ratio {row['ratio']:.2f}")
    return results


def markdown(results: dict, subjects: dict, args, seconds: float, load: tuple) -> str:
    sizes = subjects["sizes"]
    lines = [
        f"Synthetic country with its chain (`flask demo generate --scale {args.scale} --chain`, seed {args.seed}, as of "
        f"{TODAY}) against the same country generated with `--no-hand-down`; SQLite; {args.rounds} rounds per page "
        f"after 2 warm-ups, the two databases interleaved round by round; medians and p95 through the WSGI app; run "
        f"took {seconds / 60:.1f} min, load average (1 min) {load[0]} → {load[1]}.",
        "",
        f"With delegation: {sizes['obligation']:,} obligations, {subjects['obligations_handed_down']:,} of them handed "
        f"down ({subjects['obligations_handed_down'] / sizes['obligation']:.0%}); {sizes['body']:,} bodies; "
        f"{sizes['delegation']:,} sub-obligations, {sizes['delegation_above']:,} rows of the bodies above them, "
        f"{sizes['sub_report']:,} sub-reports. Subjects (first region): the education department (body "
        f"{subjects['department']}), a district's (body {subjects['district']}), the group (body "
        f"{subjects['group']}), obligation {subjects['typical']} (a tree of {subjects['typical_size']}) and "
        f"obligation {subjects['widest']} (a tree of {subjects['widest_size']}: every district and school).",
        "",
        "| page | without delegation | with | ratio | p95 without → with | SQL statements without → with | reads the "
        "chain | HTML with | target | result |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for page, row in results.items():
        label, targeted = PAGES[page]
        w, d = row["without"], row["with"]
        verdict = "—" if row["pass"] is None else ("PASS" if row["pass"] else "FAIL")
        lines.append(f"| {label} | {fmt_ms(w['median_ms'])} | {fmt_ms(d['median_ms'])} | {row['ratio']:.2f}× | "
                     f"{fmt_ms(w['p95_ms'])} → {fmt_ms(d['p95_ms'])} | {w['statements']} → {d['statements']} | "
                     f"{'yes' if d['reads_chain'] else 'no'} | {d['bytes'] / 1024:.0f} KB | {'ratio ≤ 1.5' if targeted else '—'} | {verdict} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=31)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workdir", default="/tmp/tracker-bench")
    parser.add_argument("--reuse", action="store_true", help="keep the generated databases between runs")
    parser.add_argument("--json", dest="json_out", metavar="OUT")
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    args = parser.parse_args()
    if args.rounds < 2:
        parser.error("--rounds must be at least 2")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    urls = {variant: prepare(workdir, args.scale, args.seed, variant, args.reuse)[0] for variant in VARIANTS}
    subjects = pick_subjects(urls["with"])
    load_before = os.getloadavg()[0]
    setups = {variant: Setup(variant, url, subjects) for variant, url in urls.items()}
    log("timing without and with delegation side by side")
    results = measure(setups, args.rounds)
    for setup in setups.values():
        setup.dispose()
    load = (round(load_before, 1), round(os.getloadavg()[0], 1))
    seconds = time.perf_counter() - started
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"seconds": round(seconds, 1), "subjects": subjects,
                                                   "results": results}, indent=2, default=str))
    if args.markdown:
        print(markdown(results, subjects, args, seconds, load))
    else:
        for page, row in results.items():
            print(f"{PAGES[page][0]:<90} {fmt_ms(row['without']['median_ms']):>9} {fmt_ms(row['with']['median_ms']):>9} "
                  f"{row['ratio']:>5.2f}×  {row['without']['statements']:>3} → {row['with']['statements']:<3} "
                  + ("" if row["pass"] is None else ("PASS" if row["pass"] else "FAIL")))
        print(f"({seconds / 60:.1f} min)")
    misses = [PAGES[p][0] for p, r in results.items() if r["pass"] is False]
    if misses:
        print("\nTARGETS MISSED: " + "; ".join(misses), file=sys.stderr)
    spread = {p: round(statistics.median([r["with"]["median_ms"], r["without"]["median_ms"]]), 1)
              for p, r in results.items()}
    log(f"medians of both: {spread}")


if __name__ == "__main__":
    main()
