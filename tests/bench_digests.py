"""Benchmark: the day's e-mail digests for the synthetic country (a script, not part of the test suite).

    .venv/bin/python tests/bench_digests.py [--scales 1,10] [--days 2026-11-23,2026-11-24]
        [--reuse] [--workdir /tmp/tracker-bench] [--json OUT]

For each scale N the synthetic country is built as tests/bench_scale.py builds it (`flask db
upgrade`, `flask demo generate --scale N --today 2026-11-23`, ANALYZE; with `--reuse` the same
cached SQLite file bench_scale.py keeps), then copied, so the messages written here never reach
the cache. On the copy, for each day:

- **compose**: `tracker.mail.batch.compose_day` — every account's digest worked out, rendered in
  its language (plain text and HTML) and written, timed; every SQL statement it sends counted with
  a SQLAlchemy `before_cursor_execute` listener, the reads apart from the writes. The reads must
  not grow with the number of accounts (the digests are worked out for all accounts at once); the
  writes are one INSERT of messages and one of their items per COMPOSE_CHUNK digests.
- **deliver**: `tracker.mail.batch.deliver` through a real SMTP server on loopback
  (tests/smtp_capture.py, aiosmtpd, in a thread of this process), timed: messages per second,
  statements per message (the claim of CLAIM messages, and each message marked sent in its own
  commit, by design: a worker killed mid-batch must not send anything twice). The server counts
  what it accepts and keeps the first messages, which are parsed to check what went out.

2026-11-23 is a Monday, the weekly day (overdue items are repeated); 2026-11-24 an ordinary day.
Prints a Markdown table (stdout); progress goes to stderr. The exit status stays 0 unless the
numbers are inconsistent (messages composed ≠ accepted by the server).
"""

import argparse
import email
import json
import shutil
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from email import policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bench_scale import TODAY, log, prepare_sqlite  # noqa: E402
from tests.smtp_capture import Mailbox, Server  # noqa: E402

#: messages the server keeps whole (the rest are counted): enough to check what went out
KEEP = 50


class CountingMailbox(Mailbox):
    """tests/smtp_capture.py's handler, counting every message and keeping only the first KEEP
    (ten thousand parsed digests would measure the server's memory, not the portal)."""

    def __init__(self):
        super().__init__()
        self.accepted = 0
        self.bytes = 0

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.accepted += 1
            self.bytes += len(envelope.content)
            if len(self.raw) < KEEP:
                self.raw.append(envelope.content)
        return "250 Message accepted for delivery"


def timed_smtp(config):
    """The real SMTP transport, adding up the time spent in its send() (the rest of delivery is
    the database: claiming, and marking each message sent)."""
    from tracker.mail.transport import SmtpTransport

    class Timed(SmtpTransport):
        seconds = 0.0

        def send(self, message, email_message):
            started = time.perf_counter()
            try:
                return super().send(message, email_message)
            finally:
                Timed.seconds += time.perf_counter() - started

    return Timed(config["SMTP_HOST"], int(config["SMTP_PORT"]), config["SMTP_SECURITY"],
                 timeout=float(config["SMTP_TIMEOUT"]))


@dataclass
class Run:
    scale: int
    day: str
    accounts: int = 0  #: active accounts that may get a digest (executors of a body, coordinators)
    obligations: int = 0
    digests: int = 0
    compose_seconds: float = 0.0
    compose_reads: int = 0
    compose_writes: int = 0
    deliver_seconds: float = 0.0
    deliver_statements: int = 0
    smtp_seconds: float = 0.0  #: of deliver_seconds, in the SMTP conversation
    accepted: int = 0
    mean_kb: float = 0.0
    kept: int = 0  #: messages the server kept whole, parsed by `check`
    checked: list = field(default_factory=list)  #: what `check` found wrong in them

    @property
    def per_second(self) -> float:
        return self.accepted / self.deliver_seconds if self.deliver_seconds else 0.0


class Statements:
    """Counts the statements an engine sends while `active` (reads: SELECT / WITH … SELECT)."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.reads = self.writes = 0
        self.active = False
        self.thread = threading.get_ident()
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        if not self.active or threading.get_ident() != self.thread:
            return
        head = statement.lstrip().split(None, 1)[0].upper()
        if head in ("SELECT", "WITH") and "INSERT" not in statement[:200].upper():
            self.reads += 1
        else:
            self.writes += 1

    def start(self) -> None:
        self.reads = self.writes = 0
        self.active = True

    def stop(self) -> tuple[int, int]:
        self.active = False
        return self.reads, self.writes


def measure(url: str, scale: int, days: list[date]) -> list[Run]:
    from sqlalchemy import func, or_, select

    from tracker.app import create_app
    from tracker.auth.models import AccountRole, User
    from tracker.extensions import db
    from tracker.mail import batch
    from tracker.plans.models import Obligation

    server = Server()
    server.mailbox = CountingMailbox()
    server.start()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TODAY": days[0],
                      "PORTAL_URL": "https://tracker.akimat.example.kz/", "MAIL_FROM": "Tracker <noreply@akimat.example.kz>",
                      **server.settings()})
    runs = []
    try:
        with app.app_context():
            statements = Statements(db.engine)
            accounts = db.session.scalar(select(func.count()).select_from(User).where(
                User.active, or_(User.role == AccountRole.COORDINATOR,
                                 (User.role == AccountRole.EXECUTOR) & User.body_id.is_not(None))))
            obligations = db.session.scalar(select(func.count()).select_from(Obligation))
            for day in days:
                app.config["TODAY"] = day
                run = Run(scale, day.isoformat(), accounts=accounts, obligations=obligations)
                db.session.commit()
                statements.start()
                started = time.perf_counter()
                composed = batch.compose_day(day)
                run.compose_seconds = time.perf_counter() - started
                run.compose_reads, run.compose_writes = statements.stop()
                run.digests = composed.messages
                log(f"  N={scale} {day}: {run.digests:,} digests composed in {run.compose_seconds:.1f} s "
                    f"({run.compose_reads} reads, {run.compose_writes} writes)")
                before = server.mailbox.accepted
                server.mailbox.raw = []  # the first KEEP of this day's
                statements.start()
                started = time.perf_counter()
                transport = timed_smtp(app.config)
                delivered = batch.deliver(day, transport)
                run.deliver_seconds = time.perf_counter() - started
                run.smtp_seconds = type(transport).seconds
                run.deliver_statements = sum(statements.stop())
                run.accepted = server.mailbox.accepted - before
                run.mean_kb = (server.mailbox.bytes / server.mailbox.accepted / 1024) if server.mailbox.accepted else 0
                if delivered.sent != run.digests or run.accepted != run.digests:
                    raise SystemExit(f"N={scale} {day}: composed {run.digests}, sent {delivered.sent}, "
                                     f"the server accepted {run.accepted}")
                run.checked = check(server.mailbox.raw, day)
                run.kept = len(server.mailbox.raw)
                log(f"  N={scale} {day}: {run.accepted:,} accepted in {run.deliver_seconds:.1f} s "
                    f"({run.per_second:.0f}/s, SMTP {run.smtp_seconds:.1f} s, {run.deliver_statements} statements)")
                runs.append(run)
            db.session.remove()
            db.engine.dispose()
    finally:
        server.stop()
    return runs


def check(raw: list[bytes], day: date) -> list[str]:
    """The messages kept are whole digests: a text and an HTML part, links into the portal."""
    problems = []
    for content in raw:
        message = email.message_from_bytes(content, policy=policy.default)
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        if "https://tracker.akimat.example.kz/obligations/" not in text or "<a " not in html:
            problems.append(f"{message['To']}: no link into the portal")
        if f"{day:%Y%m%d}" not in message["Message-ID"]:
            problems.append(f"{message['To']}: Message-ID of another day")
    return problems


def markdown(runs: list[Run]) -> str:
    rows = ["| N | day | accounts | obligations | digests | compose | reads | writes | deliver (of which SMTP) "
            "| messages/s | statements per message | mean size |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        rows.append(f"| {r.scale} | {r.day} | {r.accounts:,} | {r.obligations:,} | {r.digests:,} "
                    f"| {r.compose_seconds:.1f} s | {r.compose_reads} | {r.compose_writes} "
                    f"| {r.deliver_seconds:.1f} s ({r.smtp_seconds:.1f} s) | {r.per_second:.0f} "
                    f"| {r.deliver_statements / r.accepted if r.accepted else 0:.1f} | {r.mean_kb:.1f} KB |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--days", default="2026-11-23,2026-11-24")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="Reuse the country bench_scale.py keeps in --workdir.")
    parser.add_argument("--workdir", default="/tmp/tracker-bench")
    parser.add_argument("--json", help="Write the numbers to this file too.")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    days = [date.fromisoformat(d) for d in args.days.split(",")]
    runs, built = [], {}
    started = time.perf_counter()
    for scale in (int(s) for s in args.scales.split(",")):
        log(f"scale {scale}:")
        url, build = prepare_sqlite(workdir, scale, args.seed, args.reuse)
        built[scale] = build.get("generate_seconds", "reused")
        copy = workdir / f"digests-n{scale}.sqlite"
        shutil.copyfile(url.removeprefix("sqlite:///"), copy)
        try:
            runs += measure(f"sqlite:///{copy}", scale, days)
        finally:
            copy.unlink(missing_ok=True)
    print(f"Synthetic country (`flask demo generate`, seed {args.seed}, reports up to {TODAY}), SQLite; "
          f"generated in: " + ", ".join(f"N={n} {s if s == 'reused' else f'{s} s'}" for n, s in built.items())
          + f"; run took {(time.perf_counter() - started) / 60:.1f} min.\n")
    print(markdown(runs))
    problems = [p for r in runs for p in r.checked]
    print(f"\nParsed: the first {KEEP} messages of every run ({sum(r.kept for r in runs)} in all), each with a "
          f"text and an HTML part and links into the portal" + (f"; problems: {problems[:5]}" if problems else "."))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) | {"per_second": r.per_second} for r in runs], indent=1))


if __name__ == "__main__":
    main()
