"""Benchmark: a 20 MB, 20,000-activity plan imported in the browser and on the command line
(a script, not part of the test suite).

    .venv/bin/python tests/bench_browser_import.py [--database sqlite|postgresql|both]
        [--postgresql-url postgresql://postgres@127.0.0.1:5432/test] [--activities 20000]
        [--megabytes 20] [--label after] [--results FILE] [--tracemalloc] [--markdown]

The plan is made from the two seed plans the way `tests/format_corpus.long_plan` makes the
40-page PDF plan: Kostanay's sections and Karaganda's over and over, each section and activity
numbered anew, under Kostanay's title (marked "СИНТЕТИКА (20000 іс-шара): ", a plan of its own)
and both legends; each activity's text is lengthened with other activities' texts until the file
is `--megabytes` MB (under MAX_PLAN_BYTES), and it is written as the ";"-separated .csv with
Russian headers (tests/plan_documents.write_csv). Karaganda's deadlines fall outside Kostanay's
2019–2021, so about a third of the rows carry a warning: the preview lists them all. The file is
kept in --workdir and made again only when its parameters or its generator change.

For each database, on a fresh migrated database holding one coordinator account, each phase runs
in a fresh Python process (so its peak RSS is its own: VmHWM of /proc/self/status, the kernel's
high-water mark, read by the process itself at its end):

1. **preview**: sign in through the login form, upload the file through *Import a plan* (the
   upload is parsed once and kept beside the staged file) and open the preview page it redirects
   to; the two requests are timed, and their sum is the wait before the preview shows;
2. **confirm**: sign in, press *Import this plan* (the form's POST, CSRF token and all); then the
   plan page the browser is sent to is timed apart (it counts the plan's figures first);
3. the same file uploaded, previewed (now with what it would change in the plan the portal
   holds) and confirmed again: the plan is updated in place;
4. **CLI**: `flask --app wsgi plans import FILE` on another fresh database, the whole process
   timed (start-up included), then the same command again (a re-import: the plan is updated).

The stored rows are counted after each import and must agree.
Targets (issue 21): preview ≤ 10 s, confirm ≤ 15 s, peak memory under 400 MB. The run's results
are kept in --results under --label (one entry per label and database), so a run before and a
run after a change make one table; `--markdown` prints it.

PostgreSQL: the database `<name of --postgresql-url's database>_browser_import` is created for
the run and dropped after it (never the URL's own database).
"""

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EMAIL = "coordinator@bench-import.example"
PASSWORD = "bench-import-pass-2026"
SECRET_KEY = "bench-import-only"
PREVIEW_TARGET_S, CONFIRM_TARGET_S, MEMORY_TARGET_MB = 10.0, 15.0, 400.0
#: the seed plans' activities per copy (Kostanay 50 + Karaganda 56)
SEED_ACTIVITIES = 106


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the plan file --------------------------------------------------------------------------------


def generator_digest() -> str:
    digest = hashlib.sha256()
    for path in (Path(__file__), ROOT / "tests" / "plan_documents.py", ROOT / "tests" / "format_corpus.py",
                 *sorted((ROOT / "plans").glob("*.txt"))):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def make_plan(path: Path, activities: int, megabytes: float) -> None:
    """The seed plans' activities repeated to `activities`, their texts lengthened to fill `megabytes`."""
    from tests.format_corpus import long_plan
    from tests.plan_documents import Activity, write_csv

    document = long_plan(copies=math.ceil(activities / SEED_ACTIVITIES), extra_sections=0)
    body, kept = [], 0
    for item in document.body:
        if isinstance(item, Activity):
            if kept == activities:
                break
            kept += 1
        body.append(item)
    document.body = body
    document.title = f"СИНТЕТИКА ({activities} іс-шара): {document.title}"  # a plan of its own, not Kostanay's
    items = [item for item in body if isinstance(item, Activity)]
    write_csv(document, path)
    missing = int(megabytes * 1_000_000) - path.stat().st_size
    if missing > 0:
        # each activity's text is followed by the texts of the activities after it, until the
        # file has the wanted size (UTF-8: the Kazakh and Russian letters take two bytes)
        texts = [item.text for item in items[:SEED_ACTIVITIES]]
        per_item = missing / len(items)
        for index, item in enumerate(items):
            added, extra, step = 0, [], 1
            while added < per_item:
                text = texts[(index + step) % len(texts)]
                extra.append(text)
                added += len(text.encode()) + 1
                step += 1
            item.text = " ".join([item.text, *extra])
        write_csv(document, path)
        # trim the last activities' extra words so the file lands just at the size (a little under)
        over = path.stat().st_size - int(megabytes * 1_000_000)
        for item in reversed(items):
            if over <= 0:
                break
            words = item.text.split(" ")
            while over > 0 and len(words) > 20:
                over -= len(words.pop().encode()) + 1
            item.text = " ".join(words)
        write_csv(document, path)


def plan_file(workdir: Path, activities: int, megabytes: float) -> Path:
    path = workdir / f"plan-{activities}-{megabytes:g}mb-{generator_digest()}.csv"
    if not path.exists():
        for old in workdir.glob(f"plan-{activities}-{megabytes:g}mb-*.csv"):
            old.unlink()
        log(f"making the plan file {path.name} …")
        started = time.perf_counter()
        building = path.with_suffix(".building")
        make_plan(building, activities, megabytes)
        building.rename(path)
        log(f"  made in {time.perf_counter() - started:.1f} s")
    return path


# --- databases ------------------------------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def _flask(url: str, *args: str, workdir: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                          env=child_env(url, workdir), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def child_env(url: str, workdir: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi", "SECRET_KEY": SECRET_KEY,
           "IMPORTS_DIR": str(workdir / "imports"), "EVIDENCE_DIR": str(workdir / "evidence"),
           "INSTANCE_DIR": str(workdir / "instance")}
    env.pop("TRACKER_TODAY", None)
    return env


class Database:
    """A fresh migrated database with the coordinator's account; `fresh()` empties it again."""

    def __init__(self, kind: str, workdir: Path, postgresql_url: str):
        self.kind, self.workdir = kind, workdir
        if kind == "sqlite":
            self.path = workdir / "bench-import.sqlite"
            self.url = f"sqlite:///{self.path}"
        else:
            self.name = (urlsplit(postgresql_url).path.lstrip("/") or "bench") + "_browser_import"
            self.maintenance = _with_database(postgresql_url, "postgres")
            self.url = _with_database(postgresql_url, self.name)

    def _postgres(self, *statements: str) -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool

        engine = create_engine(self.maintenance, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
        engine.dispose()

    def fresh(self) -> None:
        if self.kind == "sqlite":
            for leftover in (self.path, self.path.with_name(self.path.name + "-wal"),
                             self.path.with_name(self.path.name + "-journal")):
                leftover.unlink(missing_ok=True)
        else:
            self._postgres(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', f'CREATE DATABASE "{self.name}"')
        _flask(self.url, "db", "upgrade", workdir=self.workdir)
        _flask(self.url, "users", "create", "--email", EMAIL, "--role", "coordinator", "--password", PASSWORD,
               workdir=self.workdir)

    def drop(self) -> None:
        if self.kind == "sqlite":
            self.path.unlink(missing_ok=True)
        else:
            self._postgres(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def counts(self) -> dict:
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool

        engine = create_engine(self.url, poolclass=NullPool)
        with engine.connect() as connection:
            counts = {table: connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()
                      for table in ("plan", "section", "activity", "activity_executor", "obligation", "plan_warning",
                                    "body", "body_alias", "history_entry")}
        engine.dispose()
        return counts


# --- the phases, each in a fresh process ----------------------------------------------------------


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    if not found:
        raise SystemExit("no CSRF token in the page")
    return found.group(1)


def _signed_in_client(app):
    client = app.test_client()
    token = _csrf(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    if response.status_code != 302:
        raise SystemExit(f"could not sign in: HTTP {response.status_code}")
    return client


def child(phase: str, url: str, workdir: Path, file: Path, traced: bool) -> None:
    """One phase in this (fresh) process; prints its JSON on the last line of stdout."""
    import tracemalloc

    if phase == "cli":
        return _cli_child(url, workdir, file, traced)
    from tracker.app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "TESTING": False,
                      "IMPORTS_DIR": str(workdir / "imports"), "EVIDENCE_DIR": str(workdir / "evidence")})
    client = _signed_in_client(app)
    result: dict = {"rss_before_mb": round(_status_mb("VmRSS"), 1)}
    if traced:
        tracemalloc.start()
    if phase == "preview":
        token = _csrf(client.get("/import").get_data(as_text=True))
        with file.open("rb") as handle:  # the test client spools the request body to a temporary file, as a server does
            response, upload, upload_cpu = _timed(lambda: client.post(
                "/import", data={"document": (handle, file.name), "csrf_token": token},
                content_type="multipart/form-data"))
        if response.status_code != 302:
            raise SystemExit(f"upload: HTTP {response.status_code}\n{response.get_data(as_text=True)[-3000:]}")
        location = response.headers["Location"]
        page, shown, shown_cpu = _timed(lambda: client.get(location))
        html = page.get_data(as_text=True)
        if page.status_code != 200:
            raise SystemExit(f"preview: HTTP {page.status_code}")
        second, paged, _cpu = _timed(lambda: client.get(location, query_string={"page": 2}))
        assert second.status_code == 200
        result.update(token=location.rsplit("/", 1)[1], upload_s=upload, preview_page_s=shown,
                      preview_s=upload + shown, preview_cpu_s=upload_cpu + shown_cpu, page_2_s=paged,
                      preview_html_kb=round(len(html.encode()) / 1024))
    elif phase == "confirm":
        token_url = f"/import/{os.environ['BENCH_TOKEN']}"
        csrf = _csrf(client.get("/import").get_data(as_text=True))  # the session's token, as the preview's form has it
        response, confirm, confirm_cpu = _timed(lambda: client.post(token_url, data={"csrf_token": csrf}))
        if response.status_code != 302 or "/import" in response.headers["Location"]:
            raise SystemExit(f"confirm: HTTP {response.status_code} → {response.headers.get('Location')}\n"
                             f"{response.get_data(as_text=True)[-3000:]}")
        peak_confirm = _status_mb("VmHWM")
        plan_page, plan_page_s, _cpu = _timed(lambda: client.get(response.headers["Location"]))
        result.update(confirm_s=confirm, confirm_cpu_s=confirm_cpu, plan_page_s=plan_page_s,
                      plan_page_status=plan_page.status_code, plan_page_kb=round(len(plan_page.get_data()) / 1024),
                      confirm_peak_rss_mb=round(peak_confirm, 1))
    if traced:
        result["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 1024 / 1024, 1)
        tracemalloc.stop()
    result["peak_rss_mb"] = round(_status_mb("VmHWM"), 1)
    result["cpu_s"] = round(_cpu_seconds(), 2)
    print(json.dumps(result))
    return None


def _timed(request):
    """The request's answer, its wall-clock seconds and this process's CPU seconds meanwhile."""
    cpu, started = _cpu_seconds(), time.perf_counter()
    response = request()
    return response, time.perf_counter() - started, _cpu_seconds() - cpu


def _cpu_seconds() -> float:
    """CPU time of this process so far (user + system): beside the wall-clock times, it shows how
    much of them was waiting for a core on a shared machine."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cli_child(url: str, workdir: Path, file: Path, traced: bool) -> None:
    """`flask --app wsgi plans import FILE` as the command line runs it (flask's own entry point), in this process."""
    import tracemalloc

    from flask.cli import main

    os.environ.update(child_env(url, workdir))
    if traced:
        tracemalloc.start()
    sys.argv = ["flask", "--app", "wsgi", "plans", "import", str(file)]
    started = time.perf_counter()
    code = 0
    try:
        main()
    except SystemExit as exit_:
        code = exit_.code or 0
    result = {"import_s": time.perf_counter() - started, "exit": code, "peak_rss_mb": round(_status_mb("VmHWM"), 1),
              "cpu_s": round(_cpu_seconds(), 2)}
    if traced:
        result["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 1024 / 1024, 1)
    print("\n" + json.dumps(result))
    return None


def run_child(phase: str, database: Database, file: Path, traced: bool, **env) -> dict:
    command = [sys.executable, __file__, "--child", phase, "--url", database.url, "--workdir", str(database.workdir),
               "--file", str(file)] + (["--tracemalloc"] if traced else [])
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env={**child_env(database.url, database.workdir), **env},
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{phase} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = wall
    if phase == "cli":
        result["output"] = [line for line in done.stdout.splitlines() if line.startswith(("imported", "updated", "  "))
                            and "warning:" not in line][:3]
    return result


def measure(kind: str, args, file: Path) -> dict:
    workdir = Path(args.workdir)
    database = Database(kind, workdir, args.postgresql_url)
    load_before = os.getloadavg()[0]
    shutil.rmtree(workdir / "imports", ignore_errors=True)
    try:
        log(f"[{kind}] fresh database {database.url}")
        database.fresh()
        log(f"[{kind}] upload and preview …")
        preview = run_child("preview", database, file, args.tracemalloc)
        log(f"  upload {preview['upload_s']:.2f} s + preview page {preview['preview_page_s']:.2f} s, "
            f"peak RSS {preview['peak_rss_mb']:.0f} MB")
        log(f"[{kind}] confirm …")
        confirm = run_child("confirm", database, file, args.tracemalloc, BENCH_TOKEN=preview["token"])
        log(f"  confirm {confirm['confirm_s']:.2f} s (then the plan page {confirm['plan_page_s']:.2f} s), "
            f"peak RSS {confirm['confirm_peak_rss_mb']:.0f} MB")
        browser_counts = database.counts()
        log(f"  stored {browser_counts}")
        log(f"[{kind}] the same file again in the browser (the plan is updated) …")
        preview_again = run_child("preview", database, file, args.tracemalloc)
        log(f"  upload {preview_again['upload_s']:.2f} s + preview page {preview_again['preview_page_s']:.2f} s, "
            f"peak RSS {preview_again['peak_rss_mb']:.0f} MB")
        confirm_again = run_child("confirm", database, file, args.tracemalloc, BENCH_TOKEN=preview_again["token"])
        log(f"  confirm {confirm_again['confirm_s']:.2f} s, peak RSS {confirm_again['confirm_peak_rss_mb']:.0f} MB")
        browser_again_counts = database.counts()
        log(f"[{kind}] the command line, on a fresh database …")
        database.fresh()
        cli = run_child("cli", database, file, args.tracemalloc)
        log(f"  plans import {cli['process_s']:.2f} s (in the process {cli['import_s']:.2f} s), "
            f"peak RSS {cli['peak_rss_mb']:.0f} MB")
        cli_counts = database.counts()
        again = run_child("cli", database, file, args.tracemalloc)
        log(f"  plans import again (re-import) {again['process_s']:.2f} s, peak RSS {again['peak_rss_mb']:.0f} MB")
        again_counts = database.counts()
    finally:
        if not args.keep:
            database.drop()
    rows = [{k: v for k, v in counts.items() if k != "history_entry"}
            for counts in (browser_counts, browser_again_counts, cli_counts, again_counts)]
    same = all(counts == rows[0] for counts in rows)
    if not same:
        log(f"  WARNING: the imports stored different rows: {rows}")
    return {"label": args.label, "database": kind, "file_bytes": file.stat().st_size, "file": file.name,
            "preview": preview, "confirm": confirm, "cli": cli, "cli_again": again,
            "preview_again": preview_again, "confirm_again": confirm_again,
            "counts": browser_counts, "cli_counts": cli_counts, "counts_after_reimport": again_counts,
            "counts_after_browser_reimport": browser_again_counts,
            "same_rows": same, "load_before": round(load_before, 1), "load_after": round(os.getloadavg()[0], 1),
            "importer_sha": hashlib.sha256((ROOT / "tracker" / "plans" / "importer.py").read_bytes()).hexdigest()[:10],
            "at": time.strftime("%Y-%m-%d %H:%M")}


# --- the table ------------------------------------------------------------------------------------


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value >= 10 else f"{value:.2f} s"


def _verdict(preview: float, confirm: float, peak: float) -> str:
    misses = [f"preview {preview:.1f} s > {PREVIEW_TARGET_S:g} s" for _ in [0] if preview > PREVIEW_TARGET_S]
    misses += [f"confirm {confirm:.1f} s > {CONFIRM_TARGET_S:g} s" for _ in [0] if confirm > CONFIRM_TARGET_S]
    misses += [f"peak {peak:.0f} MB ≥ {MEMORY_TARGET_MB:g} MB" for _ in [0] if peak >= MEMORY_TARGET_MB]
    return "MISSED: " + "; ".join(misses) if misses else "PASS"


def _preview_cell(preview: dict) -> str:
    cpu = f" ({_seconds(preview['preview_cpu_s'])})" if "preview_cpu_s" in preview else ""
    return (f"{_seconds(preview['upload_s'])} + {_seconds(preview['preview_page_s'])} = "
            f"**{_seconds(preview['preview_s'])}**{cpu}")


def _confirm_cell(confirm: dict) -> str:
    cpu = f" ({_seconds(confirm['confirm_cpu_s'])})" if "confirm_cpu_s" in confirm else ""
    return f"**{_seconds(confirm['confirm_s'])}**{cpu}"


def markdown(entries: list[dict]) -> str:
    if not entries:
        return "(no results)"
    first = entries[0]
    counts = first["counts"]
    lines = [
        f"Plan file: {first['file_bytes'] / 1_000_000:.1f} MB .csv, {counts['activity']:,} activities, "
        f"{counts['obligation']:,} due dates, {counts['activity_executor']:,} executors, "
        f"{counts['plan_warning']:,} warnings, {counts['body']:,} bodies.",
        "",
        "A new plan:",
        "",
        "| run | database | preview: upload + page = total (CPU) | confirm (CPU) | then the plan page | "
        "peak RSS: preview / confirm | `plans import`, whole process | its peak RSS | targets |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for entry in entries:
        preview, confirm, cli = entry["preview"], entry["confirm"], entry["cli"]
        peak = max(preview["peak_rss_mb"], confirm["confirm_peak_rss_mb"])
        lines.append(
            f"| {entry['label']} | {entry['database']} | {_preview_cell(preview)} | {_confirm_cell(confirm)} | "
            f"{_seconds(confirm['plan_page_s'])} | {preview['peak_rss_mb']:.0f} / {confirm['confirm_peak_rss_mb']:.0f} MB | "
            f"{_seconds(cli['process_s'])} | {cli['peak_rss_mb']:.0f} MB | "
            f"{_verdict(preview['preview_s'], confirm['confirm_s'], peak)} |")
    lines += [
        "",
        "The same file again (the plan is in the portal: the preview shows what it would change, nothing here; "
        "the confirmation updates it in place):",
        "",
        "| run | database | preview: upload + page = total (CPU) | confirm (CPU) | peak RSS: preview / confirm | "
        "`plans import` again, whole process | its peak RSS | targets |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for entry in entries:
        preview, confirm, again = entry.get("preview_again"), entry.get("confirm_again"), entry["cli_again"]
        if preview is None:
            continue
        peak = max(preview["peak_rss_mb"], confirm["confirm_peak_rss_mb"])
        lines.append(
            f"| {entry['label']} | {entry['database']} | {_preview_cell(preview)} | {_confirm_cell(confirm)} | "
            f"{preview['peak_rss_mb']:.0f} / {confirm['confirm_peak_rss_mb']:.0f} MB | "
            f"{_seconds(again['process_s'])} | {again['peak_rss_mb']:.0f} MB | "
            f"{_verdict(preview['preview_s'], confirm['confirm_s'], peak)} |")
    traced = [e for e in entries if "tracemalloc_peak_mb" in e["preview"]]
    if traced:
        lines += ["", "tracemalloc peaks (a separate run under tracemalloc, slower): " + "; ".join(
            f"{e['label']} {e['database']}: preview {e['preview']['tracemalloc_peak_mb']:.0f} MB, confirm "
            f"{e['confirm']['tracemalloc_peak_mb']:.0f} MB, CLI {e['cli']['tracemalloc_peak_mb']:.0f} MB"
            for e in traced)]
    lines += ["", "Load average (1 min) start → end: " + "; ".join(
        f"{e['label']} {e['database']} {e['load_before']} → {e['load_after']}" for e in entries)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--postgresql-url", default=os.environ.get("BENCH_POSTGRESQL_URL",
                                                                   "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--activities", type=int, default=20_000)
    parser.add_argument("--megabytes", type=float, default=20.0)
    parser.add_argument("--workdir", default=str(ROOT / "instance" / "bench-import"))
    parser.add_argument("--label", default="now", help="the results are kept under this label (before, after, …)")
    parser.add_argument("--results", help="JSON file of the results of every label (default: WORKDIR/results.json)")
    parser.add_argument("--tracemalloc", action="store_true", help="run each phase under tracemalloc (slower)")
    parser.add_argument("--markdown", action="store_true", help="print the table of every label kept")
    parser.add_argument("--only-markdown", action="store_true", help="print the table, measure nothing")
    parser.add_argument("--keep", action="store_true", help="keep the database of the last phase")
    parser.add_argument("--child", choices=["preview", "confirm", "cli"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    workdir = Path(args.workdir)
    if args.child:
        child(args.child, args.url, workdir, Path(args.file), args.tracemalloc)
        return
    workdir.mkdir(parents=True, exist_ok=True)
    results_path = Path(args.results or workdir / "results.json")
    entries = json.loads(results_path.read_text()) if results_path.exists() else []
    if not args.only_markdown:
        file = plan_file(workdir, args.activities, args.megabytes)
        log(f"plan file {file} ({file.stat().st_size / 1_000_000:.1f} MB)")
        for kind in (["sqlite", "postgresql"] if args.database == "both" else [args.database]):
            entry = measure(kind, args, file)
            entries = [e for e in entries if (e["label"], e["database"]) != (args.label, kind)] + [entry]
            results_path.write_text(json.dumps(entries, indent=1, ensure_ascii=False))
    if args.markdown or args.only_markdown:
        print(markdown(entries))


if __name__ == "__main__":
    main()
