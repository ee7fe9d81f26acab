"""Load check: N executors post completion reports at the same instant to a running portal (not
part of the test suite; tests/test_concurrent_reports.py is the test).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/load_tests EVIDENCE_DIR=/srv/evidence \\
        .venv/bin/gunicorn -w 2 -b 127.0.0.1:8000 wsgi:app &
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/load_tests EVIDENCE_DIR=/srv/evidence \\
        .venv/bin/python tests/load_reports.py --url http://127.0.0.1:8000

The script works on the portal's own database (DATABASE_URL, or --database-url) and evidence
folder (EVIDENCE_DIR, or --evidence-dir), which must be the ones the portal uses: it brings the
schema up to date, imports the two seed plans if they are missing, and creates its own executor
accounts (load-<run>-<n>@load.tracker.example, a random password). Then, through HTTP only, each
account signs in (with the CSRF token of the login form), opens its due date's page (the form's
CSRF and duplicate-submission tokens) and, all released by one barrier, posts a report with a
small PDF:

- a fifth of the accounts, all of one lead body, post the first report of one same due date;
- a fifth, of its co-executors, post their contributions to that due date;
- the rest post the first report of as many other due dates.

Only due dates without any report are used, so the script can be run again on the same database
(each run takes N - N/5 + 1 of them; the two seed plans have several hundred).

Prints requests, answers by status code, reports stored, duplicates found (0 expected), evidence
files checked against the disk, lost files (0 expected) and the latency of the posts. Exit code 1
when anything is wrong: a 5xx or any other unexpected answer, a duplicate, a lost or orphan file,
or a number of stored reports that differs from the number of successful answers.
"""

import argparse
import hashlib
import html
import http.client
import math
import os
import re
import secrets
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.evidence_files import tiny_pdf  # noqa: E402

SEEDS = (ROOT / "plans" / "kostanay-2019-2021.txt", ROOT / "plans" / "karaganda-2023-2025.txt")
AWAITS_REVIEW = "A report for this due date awaits review; wait for the coordinator's decision."


class Browser:
    """One person's browser: its cookies, a new HTTP/1.1 connection per request."""

    def __init__(self, url: str, timeout: float):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes = b"", content_type: str | None = None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            headers = {"Content-Type": content_type} if content_type else {}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            connection.request(method, self.prefix + path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, value = cookie.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
            return response.status, text
        finally:
            connection.close()


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page)
    if not found:
        raise SystemExit(f"the page has no {name} field: is this the portal? {page[:300]!r}")
    return html.unescape(found.group(1))


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    for name, filename, content in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     "Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Executor:
    group: str  # distinct | race | contribution
    email: str
    obligation_id: int
    browser: Browser
    body: bytes = b""
    content_type: str = ""
    token: str = ""
    sha256: str = ""
    status: int = 0
    page: str = ""
    seconds: float = 0.0
    error: str = ""


# --- the database side: accounts before, checks after -------------------------------------------


def setup(app, run: str, count: int, password: str) -> list[tuple[str, str, int]]:
    """Schema up to date, seed plans present, and `count` accounts: (group, email, obligation id)."""
    import flask_migrate
    from sqlalchemy import exists, select

    from tracker.auth.operations import create_user
    from tracker.executors.models import Body
    from tracker.extensions import db
    from tracker.plans.engine import parse_plan_file
    from tracker.plans.importer import import_plan
    from tracker.plans.models import Obligation, Plan
    from tracker.reports.models import CompletionReport

    flask_migrate.upgrade(directory=str(ROOT / "migrations"))
    for seed in SEEDS:
        if db.session.scalar(select(Plan.id).where(Plan.source_filename == seed.name).limit(1)) is None:
            import_plan(parse_plan_file(seed), seed.name)
    racers = contributors = max(1, count // 5)
    distinct = count - racers - contributors
    fresh = list(db.session.scalars(select(Obligation).where(
        ~exists().where(CompletionReport.obligation_id == Obligation.id)).order_by(Obligation.id)))

    def bodies(obligation):
        lead = {e.body_id for e in obligation.activity.executors if e.role == "lead" and e.body_id}
        co = sorted({e.body_id for e in obligation.activity.executors if e.role != "lead" and e.body_id} - lead)
        return (min(lead) if lead else None), co

    race = next((o for o in fresh if all(bodies(o))), None)
    others = [o for o in fresh if o is not race and bodies(o)[0]][:distinct]
    if race is None or len(others) < distinct:
        raise SystemExit(f"not enough due dates without reports left for {count} executors: use a fresh database")
    plan: list[tuple[str, int, int]] = [("distinct", bodies(o)[0], o.id) for o in others]
    race_lead, race_co = bodies(race)
    plan += [("race", race_lead, race.id)] * racers
    plan += [("contribution", race_co[n % len(race_co)], race.id) for n in range(contributors)]
    accounts = []
    for number, (group, body_id, obligation_id) in enumerate(plan, start=1):
        user = create_user(email=f"load-{run}-{number}@load.tracker.example", role="executor", password=password,
                           body=db.session.get(Body, body_id), name=f"Load check {run}")
        accounts.append((group, user.email, obligation_id))
    return accounts


def check(app, executors: list[Executor]) -> dict:
    from sqlalchemy import func, select

    from tracker.extensions import db
    from tracker.reports.models import CompletionReport, Evidence

    db.session.expire_all()
    tokens = [e.token for e in executors]
    obligation_ids = {e.obligation_id for e in executors}
    reports = list(db.session.scalars(select(CompletionReport).where(
        CompletionReport.obligation_id.in_(obligation_ids))))
    ours = [r for r in reports if r.submission_token in set(tokens)]
    duplicates = sum(n - 1 for n in Counter((r.obligation_id, r.version) for r in reports if r.kind == "lead").values())
    # every lead report version stored twice anywhere in the database (the index forbids it)
    duplicates_anywhere = db.session.scalar(select(func.count()).select_from(
        select(CompletionReport.obligation_id).where(CompletionReport.kind == "lead")
        .group_by(CompletionReport.obligation_id, CompletionReport.version).having(func.count() > 1).subquery()))
    by_token = Counter(r.submission_token for r in ours)
    duplicates += sum(n - 1 for n in by_token.values())
    wrong = 0  # a success whose stored report is not that post's (another account's, another file)
    for executor in executors:
        if executor.status == 302:
            report = next((r for r in ours if r.submission_token == executor.token), None)
            if report is None or report.submitted_by.email != executor.email or [
                    e.sha256 for e in report.evidence] != [executor.sha256]:
                wrong += 1

    folder = Path(app.config["EVIDENCE_DIR"])
    rows = list(db.session.scalars(select(Evidence)))
    lost = 0
    for row in rows:
        path = folder / row.stored_name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != row.sha256:
            lost += 1
    known = {row.stored_name for row in rows}
    on_disk = [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []
    orphans = [p for p in on_disk if p.relative_to(folder).as_posix() not in known]
    return {"reports": len(ours), "duplicates": duplicates + duplicates_anywhere, "wrong": wrong,
            "evidence_checked": len(rows), "lost": lost, "orphans": len(orphans),
            "our_evidence": sum(len(r.evidence) for r in ours)}


# --- the HTTP side ------------------------------------------------------------------------------


def sign_in_and_open(executor: Executor, password: str) -> None:
    status, page = executor.browser.request("GET", "/login")
    if status != 200:
        raise SystemExit(f"GET /login answered {status}")
    body = urlencode({"email": executor.email, "password": password, "csrf_token": hidden(page, "csrf_token")})
    status, page = executor.browser.request("POST", "/login", body.encode(), "application/x-www-form-urlencoded")
    if status != 302:
        raise SystemExit(f"sign-in of {executor.email} answered {status}: {page[-500:]}")
    status, page = executor.browser.request("GET", f"/obligations/{executor.obligation_id}")
    if status != 200:
        raise SystemExit(f"GET /obligations/{executor.obligation_id} answered {status}")
    executor.token = hidden(page, "submission_token")
    pdf = tiny_pdf(f"Load check report {executor.email}")
    executor.sha256 = hashlib.sha256(pdf).hexdigest()
    executor.body, executor.content_type = multipart(
        {"csrf_token": hidden(page, "csrf_token"), "submission_token": executor.token, "no_personal_data": "y",
         "links": "", "text": f"Load check: report of {executor.email}."},
        [("files", "report.pdf", pdf)])


def burst(executors: list[Executor], timeout: float) -> float:
    barrier = threading.Barrier(len(executors), timeout=timeout)

    def post(executor: Executor) -> None:
        try:
            barrier.wait()
            started = time.perf_counter()
            executor.status, executor.page = executor.browser.request(
                "POST", f"/obligations/{executor.obligation_id}/reports", executor.body, executor.content_type)
            executor.seconds = time.perf_counter() - started
        except Exception as error:  # counted and printed as a failed request
            executor.error = f"{type(error).__name__}: {error}"

    threads = [threading.Thread(target=post, args=(e,), daemon=True) for e in executors]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.1, started + 2 * timeout - time.perf_counter()))
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def refusal_words(app) -> list[str]:
    """The refusal a lead executor who lost the race reads, in each of the portal's languages."""
    from flask_babel import force_locale, gettext

    words = []
    with app.test_request_context():
        for language in app.config["LANGUAGES"]:
            with force_locale(language):
                words.append(gettext(AWAITS_REVIEW))
    return words


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running portal")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="the portal's database (default: DATABASE_URL)")
    parser.add_argument("--evidence-dir", default=os.environ.get("EVIDENCE_DIR"),
                        help="the portal's evidence folder (default: EVIDENCE_DIR, else the portal's default)")
    parser.add_argument("--executors", type=int, default=50, help="how many post at the same instant (default 50)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds a request may take (default 60)")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL: the portal's own database")
    if args.executors < 5:
        parser.error("--executors must be at least 5")

    from tracker.app import create_app

    settings = {"SQLALCHEMY_DATABASE_URI": args.database_url}
    if args.evidence_dir:
        settings["EVIDENCE_DIR"] = args.evidence_dir
    app = create_app(settings)
    run, password = secrets.token_hex(3), secrets.token_urlsafe(12)
    with app.app_context():
        accounts = setup(app, run, args.executors, password)
    executors = [Executor(group, email, obligation_id, Browser(args.url, args.timeout))
                 for group, email, obligation_id in accounts]
    for executor in executors:
        sign_in_and_open(executor, password)
    wall = burst(executors, args.timeout)
    with app.app_context():
        found = check(app, executors)

    statuses = Counter(e.status or "no answer" for e in executors)
    successes = sum(1 for e in executors if e.status == 302)
    refused = [e for e in executors if e.status in (409, 422)]
    words = refusal_words(app)
    unclear = [e for e in refused if e.group != "race" or not any(w in html.unescape(e.page) for w in words)]
    unexpected = [e for e in executors if e.status not in (302, 409, 422)]
    latencies = [e.seconds for e in executors if e.status]
    print(f"portal               {args.url}  (run {run})")
    print(f"requests             {len(executors)} posts at once: {Counter(e.group for e in executors)}")
    print("answers              " + ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items(), key=str)))
    print(f"successful answers   {successes}")
    print(f"reports stored       {found['reports']}")
    print(f"duplicates found     {found['duplicates']}")
    print(f"wrong reports        {found['wrong']}  (a success whose stored report is not that post's)")
    print(f"evidence checked     {found['evidence_checked']} files against the disk ({found['our_evidence']} of this run)")
    print(f"lost files           {found['lost']}")
    print(f"orphan files         {found['orphans']}")
    if latencies:
        print(f"latency of the posts p50 {statistics.median(latencies) * 1000:.0f} ms, "
              f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
              f"whole burst {wall:.2f} s")
    for executor in unexpected[:5]:
        print(f"  unexpected answer {executor.status or executor.error} to {executor.email}: {executor.page[-300:]!r}")
    for executor in unclear[:5]:
        print(f"  refusal without the usual words ({executor.group}): {executor.page[-300:]!r}")
    ok = (not unexpected and not unclear and found["duplicates"] == 0 and found["lost"] == 0
          and found["orphans"] == 0 and found["wrong"] == 0 and found["reports"] == successes)
    print("result               " + ("OK" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
