"""Load: the dashboard and a body's page under wrk, served by gunicorn (2 workers) over a database
already holding a synthetic country (a script, not part of the test suite).

    .venv/bin/python tests/load_pages.py --database-url postgresql://postgres@127.0.0.1:5432/bench_n1 \
        [--duration 30] [--connections 8] [--threads 2]

It starts gunicorn with gunicorn.conf.py on a free loopback port (TRACKER_TODAY=2026-11-23, CSRF on,
as in production), signs in as the synthetic coordinator through the real login form, then runs
wrk (Debian's package) for --duration seconds on each page with the session cookie. wrk counts
every answer that is not 200 (tests/load/report.lua). Prints throughput, p50/p95/p99, errors, and
the 5xx lines of gunicorn's access log (there must be none).
"""

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "tests" / "load" / "report.lua"
#: Flask-Login's session protection ties a session to the browser's User-Agent: wrk sends the same one
USER_AGENT = "tracker-load-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the portal did not answer at {url} within {seconds} s")


def sign_in(base: str, email: str, password: str) -> str:
    """The session cookie of a signed-in coordinator, through the real form (CSRF token and all)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(base + "/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
    opener.open(base + "/login", data=form, timeout=30).read()
    cookie = next((c for c in jar if c.name == "session"), None)
    if cookie is None:
        raise SystemExit("signing in failed: no session cookie")
    check = opener.open(base + "/dashboard", timeout=120)
    if check.status != 200 or "/login" in check.url:
        raise SystemExit("signing in failed: the dashboard sent us back to the login page")
    return f"session={cookie.value}"


def subjects(database_url: str) -> dict[str, str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        body = connection.execute(text(
            "SELECT body_id FROM activity_executor WHERE role = 'lead' AND body_id IS NOT NULL "
            "GROUP BY body_id ORDER BY count(*) DESC, body_id LIMIT 1")).scalar()
        plan = connection.execute(text("SELECT min(id) FROM plan")).scalar()
    engine.dispose()
    return {"dashboard (all plans)": "/dashboard", "one body's page": f"/bodies/{body}",
            "overdue list, one plan": f"/dashboard?plan={plan}&status=overdue"}


def run_wrk(url: str, cookie: str, duration: int, connections: int, threads: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "30s",
         "-s", str(LUA), "-H", f"Cookie: {cookie}", "-H", f"User-Agent: {USER_AGENT}", url],
        capture_output=True, text=True, timeout=duration + 120, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    result = {k: float(v) for k, v in (item.split("=") for item in line.split()[1:])}
    result["statuses"] = {int(s): int(n) for s, n in re.findall(r"^STATUS (\d+) (\d+)$", out, re.M)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pages", default="", help="comma-separated names to run (default: all)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(os.environ.get("LOAD_WORKDIR", "/tmp/tracker-load"))
    workdir.mkdir(parents=True, exist_ok=True)
    access_log = workdir / "access.log"
    env = dict(os.environ, DATABASE_URL=args.database_url, TRACKER_TODAY="2026-11-23", SECRET_KEY="load-test-" * 4,
               GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(args.workers),
               GUNICORN_ACCESS_LOG=str(access_log), INSTANCE_DIR=str(workdir / "instance"),
               EVIDENCE_DIR=str(workdir / "evidence"), LOGIN_RATE_LIMIT="1000 per minute")
    access_log.unlink(missing_ok=True)
    with open(workdir / "error.log", "w") as error_log:
        server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=error_log,
                                  start_new_session=True)
        try:
            wait_for(base + "/login")
            cookie = sign_in(base, "coordinator@synthetic.tracker.example", "demo-pass-2026")
            wanted = {p.strip() for p in args.pages.split(",") if p.strip()}
            print(f"gunicorn: {args.workers} workers × {env.get('GUNICORN_THREADS', '4')} threads; "
                  f"wrk: {args.threads} threads, {args.connections} connections, {args.duration} s per page; "
                  f"database {urllib.parse.urlsplit(args.database_url).scheme}")
            print("| page | requests | requests/s | p50 | p95 | p99 | max | errors |")
            print("|---|---|---|---|---|---|---|---|")
            for name, path in subjects(args.database_url).items():
                if wanted and name not in wanted:
                    continue
                r = run_wrk(base + path, cookie, args.duration, args.connections, args.threads)
                errors = int(r["socket_errors"] + r["non200"])
                print(f"| {name} (`{path}`) | {int(r['requests'])} | {r['rps']:.1f} | {r['p50_ms']:.0f} ms | "
                      f"{r['p95_ms']:.0f} ms | {r['p99_ms']:.0f} ms | {r['max_ms']:.0f} ms | {errors}"
                      + (f" {r['statuses']}" if r["statuses"] else "") + " |")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    server_errors = [line for line in access_log.read_text().splitlines() if re.search(r'" 5\d\d ', line)]
    print(f"gunicorn access log: {len(access_log.read_text().splitlines())} requests, {len(server_errors)} answered 5xx")
    for line in server_errors[:5]:
        print("  ", line)
    sys.exit(1 if server_errors else 0)


if __name__ == "__main__":
    main()
