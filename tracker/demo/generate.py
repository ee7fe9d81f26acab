"""A synthetic country for benchmarks and demonstrations: `flask --app wsgi demo generate --scale N`.

At scale 1: 20 regions × 5 plans × 60 activities, ~50 bodies per region, 3–6 executors per
activity (the first is the lead), due dates from the seed plans' own deadline phrases through the
real parser, and completion reports on ~60 % of the obligations already due, with review
outcomes (accepted on time or late, returned and corrected, awaiting review). Scale N has N times
as many regions, each as large as at scale 1 — so one body's page holds as much at N=10 as at
N=1, and only the country grows.

Reproducible: the same seed and the same "today" give the same rows. Everything is marked
synthetic — plan titles and regions carry MARK, `plan.synthetic` is set, the accounts live
under synthetic.tracker.example — and the generator refuses a database that already holds
plans or bodies unless told `--force`.

Rows are written with bulk INSERTs (not the ORM unit of work) in one transaction, so a failure
leaves nothing behind: 10× the country (480,000 obligations) takes about a minute on SQLite and
under three on PostgreSQL on a 2-core machine.
"""

import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from tracker.auth.models import AccountRole, User
from tracker.demo.country import (
    EXTRA_DEPARTMENTS,
    MARK,
    PERIODS,
    THEMES,
    SeedWording,
    moved_to,
    national_entries,
    period_of,
    read_seed_wording,
    region_name,
    regional_entries,
)
from tracker.executors.models import NATIONAL, Body
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.plans.models import Activity, ActivityExecutor, ExecutorRole, Obligation, Plan, Section
from tracker.reports.models import CompletionReport, ReportKind
from tracker.reports.status import ReportState
from tracker.schedule.deadlines import Period, due_dates_for

PLANS_PER_REGION = 5
ACTIVITIES_PER_PLAN = 60
BODIES_PER_REGION = 50
SECTIONS_PER_PLAN = 4
#: share of the obligations already due that carry a lead report
REPORTED_SHARE = 0.6
#: due dates per activity on average (the issue's 48,000 obligations for 6,000 activities)
DUE_DATES_PER_ACTIVITY = 8.0
EMAIL_DOMAIN = "synthetic.tracker.example"
ZONE = ZoneInfo("Asia/Almaty")


class RefusedDatabase(RuntimeError):
    """The database already holds plans or bodies, and --force was not given."""


@dataclass
class Summary:
    scale: int
    seed: int
    today: date
    counts: Counter = field(default_factory=Counter)
    reports_by_state: Counter = field(default_factory=Counter)


class _Ids:
    """Ids handed out by the generator, continuing after what the tables already hold
    (bulk INSERTs name their ids so the rows can point at each other without a round trip)."""

    def __init__(self, *models):
        self.next = {m.__tablename__: (db.session.scalar(select(func.max(m.id))) or 0) + 1 for m in models}

    def take(self, model) -> int:
        name = model.__tablename__
        value = self.next[name]
        self.next[name] = value + 1
        return value


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(Plan.id))) and not db.session.scalar(select(func.count(Body.id)))


def _moment(day: date, rng: random.Random) -> datetime:
    """A working-hours moment of `day` in Kazakhstan, as UTC."""
    local = datetime.combine(day, time(rng.randint(9, 17), rng.randint(0, 59)), tzinfo=ZONE)
    return local.astimezone(UTC)


class _Writer:
    """Collects rows per table and writes them in batches with executemany."""

    BATCH = 5000

    def __init__(self, summary: Summary):
        self.rows: dict = {}
        self.summary = summary

    def add(self, model, row: dict) -> None:
        batch = self.rows.setdefault(model, [])
        batch.append(row)
        self.summary.counts[model.__tablename__] += 1
        if len(batch) >= self.BATCH:
            self.flush(model)

    def flush(self, model=None) -> None:
        # Parents before children: the foreign keys must find their rows.
        order = (Body, User, Plan, Section, Activity, ActivityExecutor, Obligation, CompletionReport, HistoryEntry)
        for table in order:
            if model is not None and table is not model:
                continue
            batch = self.rows.get(table)
            if batch:
                if model is not None:  # a child flushed early still needs its parents written
                    for parent in order[:order.index(table)]:
                        if self.rows.get(parent):
                            db.session.execute(insert(parent), self.rows.pop(parent))
                db.session.execute(insert(table), batch)
                self.rows[table] = []


def generate(scale: int, seed: int, today: date, plans_dir: Path, password_hash: str, force: bool = False,
             progress=None) -> Summary:
    """The country, region by region; `progress`, if given, is called with 1 after each of the 20 × scale regions."""
    if scale < 1:
        raise ValueError("scale must be 1 or more")
    if not force and not database_is_empty():
        raise RefusedDatabase(
            "the database already holds plans or bodies; synthetic data is never mixed into a real "
            "database by accident — use an empty database, or --force if you mean it")
    wording = read_seed_wording(plans_dir)
    draw_weights = _draw_weights(wording)
    rng = random.Random(seed)
    summary = Summary(scale=scale, seed=seed, today=today)
    ids = _Ids(User, Body, Plan, Section, Activity, ActivityExecutor, Obligation, CompletionReport, HistoryEntry)
    writer = _Writer(summary)
    stamp = datetime.combine(today, time(12), tzinfo=ZONE).astimezone(UTC)

    coordinator_id = ids.take(User)
    writer.add(User, _account(coordinator_id, f"coordinator@{EMAIL_DOMAIN}", AccountRole.COORDINATOR, None,
                              f"Үйлестіруші ({MARK})", password_hash, stamp))
    writer.add(User, _account(ids.take(User), f"auditor@{EMAIL_DOMAIN}", AccountRole.AUDITOR, None,
                              f"Аудитор ({MARK})", password_hash, stamp))
    national = []
    for entry in national_entries():
        body_id = ids.take(Body)
        national.append(body_id)
        writer.add(Body, dict(id=body_id, name=entry.name_kk, name_ru=entry.name_ru, abbreviation=entry.abbreviation_kk,
                              region=NATIONAL, identity=f"synthetic:{entry.key}", registry_key=entry.key))

    for region_index in range(20 * scale):
        _region(region_index, rng, wording, draw_weights, ids, writer, summary, today, password_hash, stamp, national,
                coordinator_id)
        if progress is not None:
            progress(1)
    writer.flush()
    _advance_sequences()
    db.session.commit()
    return summary


def _draw_weights(wording: SeedWording) -> list[float]:
    """How often each seed activity is drawn. The two seed plans have many one-off dated items
    (5.4 due dates per activity over three years); a national set of plans runs more recurring
    work, so draws lean towards the recurring phrases by weighting each with n**alpha (n: its
    due dates over a three-year period), alpha chosen so the mean is DUE_DATES_PER_ACTIVITY."""
    period = Period(*period_of(*PERIODS[1]))
    counts = [max(1, len(due_dates_for(moved_to(a.deadline_text, a.first_year, PERIODS[1][0]), period).due_dates))
              for a in wording.activities]

    def mean(alpha: float) -> float:
        return sum(n ** (alpha + 1) for n in counts) / sum(n ** alpha for n in counts)

    low, high = 0.0, 3.0
    if mean(low) < DUE_DATES_PER_ACTIVITY < mean(high):
        for _ in range(50):
            middle = (low + high) / 2
            low, high = (middle, high) if mean(middle) < DUE_DATES_PER_ACTIVITY else (low, middle)
    return list(itertools.accumulate(n ** low for n in counts))


def _account(user_id, email, role, body_id, name, password_hash, stamp) -> dict:
    return dict(id=user_id, email=email, name=name, password_hash=password_hash, role=role, body_id=body_id,
                is_demo=True, active=True, created_at=stamp, language=None)


def _region(index, rng, wording: SeedWording, draw_weights: list[float], ids: _Ids, writer: _Writer, summary: Summary, today: date,
            password_hash: str, stamp: datetime, national: list[int], coordinator_id: int) -> None:
    region = region_name(index)
    bodies = []  # (body id, written form, executor account id)
    entries = regional_entries()
    for number in range(BODIES_PER_REGION):
        body_id = ids.take(Body)
        if number < len(entries):
            entry = entries[number]
            name, name_ru, abbreviation, key = entry.name_kk, entry.name_ru, entry.abbreviation_kk, entry.key
        else:
            kk, ru = EXTRA_DEPARTMENTS[number % len(EXTRA_DEPARTMENTS)]
            district = number - len(entries) + 1
            name, name_ru, abbreviation, key = f"№{district} {kk}", f"{ru} №{district}", None, None
        writer.add(Body, dict(id=body_id, name=name, name_ru=name_ru, abbreviation=abbreviation, region=region,
                              identity=f"synthetic:{key or name}", registry_key=key))
        account_id = ids.take(User)
        writer.add(User, _account(account_id, _executor_email(body_id), AccountRole.EXECUTOR, body_id,
                                  f"Орындаушы ({MARK}) {body_id}", password_hash, stamp))
        bodies.append((body_id, abbreviation or name, account_id))

    for plan_number in range(PLANS_PER_REGION):
        first, last = PERIODS[(index + plan_number) % len(PERIODS)]
        start, end = period_of(first, last)
        theme = THEMES[(index * PLANS_PER_REGION + plan_number) % len(THEMES)]
        plan_id = ids.take(Plan)
        writer.add(Plan, dict(
            id=plan_id, title=f"{MARK}: {theme} ({first}–{last})", region=region, period_start=start,
            period_end=end, default_frequency="semiannual", natural_key=f"synthetic:{index}:{plan_number}",
            source_filename=None, source_format="demo", source_sha256=None, expected_results=[],
            imported_at=stamp, updated_at=stamp, synthetic=True))
        section_ids = []
        for position in range(SECTIONS_PER_PLAN):
            section_id = ids.take(Section)
            section_ids.append(section_id)
            writer.add(Section, dict(id=section_id, plan_id=plan_id, number=str(position + 1),
                                     title=wording.sections[rng.randrange(len(wording.sections))], position=position))
        for position in range(ACTIVITIES_PER_PLAN):
            _activity(plan_id, position, section_ids, Period(start, end), first, rng, wording, draw_weights, ids, writer, summary,
                      today, bodies, national, coordinator_id)


def _activity(plan_id, position, section_ids, period: Period, first_year, rng, wording: SeedWording,
              draw_weights: list[float], ids: _Ids,
              writer: _Writer, summary: Summary, today: date, bodies, national, coordinator_id) -> None:
    seed = rng.choices(wording.activities, cum_weights=draw_weights)[0]
    deadline_text = moved_to(seed.deadline_text, seed.first_year, first_year)
    deadline = due_dates_for(deadline_text, period)
    section_index = position * SECTIONS_PER_PLAN // ACTIVITIES_PER_PLAN
    activity_id = ids.take(Activity)
    writer.add(Activity, dict(
        id=activity_id, plan_id=plan_id, section_id=section_ids[section_index],
        number=f"{section_index + 1}.{position + 1}", position=position, text=seed.text,
        completion_form=seed.completion_form, deadline_text=deadline.text, deadline_rule=deadline.rule,
        funding_text=seed.funding_text, funding_kind=seed.funding_kind, funding_amount_kzt=seed.funding_amount_kzt,
        parts=[], source_ref=None, source_ref_data=None))

    named = rng.sample(bodies, rng.randint(3, 6))
    executors = [(body_id, written, account_id, False) for body_id, written, account_id in named]
    if national and rng.random() < 0.1:  # now and then a ministry takes part by agreement
        executors[-1] = (rng.choice(national), "министрлік", None, True)
    for order, (body_id, written, _account_id, by_agreement) in enumerate(executors):
        writer.add(ActivityExecutor, dict(
            id=ids.take(ActivityExecutor), activity_id=activity_id, body_id=body_id, written=written,
            position=order, role=ExecutorRole.LEAD if order == 0 else ExecutorRole.CO_EXECUTOR, by_agreement=by_agreement, match="registry"))

    lead_body, _w, lead_account, _a = executors[0]
    co_executors = [e for e in executors[1:] if e[2] is not None]
    for due in deadline.due_dates:
        obligation_id = ids.take(Obligation)
        covers = getattr(due, "covers", None)
        writer.add(Obligation, dict(id=obligation_id, activity_id=activity_id, due_date=due, original_due_date=due,
                                    deliverable=None, covers_start=covers.start if covers else None,
                                    covers_end=covers.end if covers else None))
        if due < today and rng.random() < REPORTED_SHARE:
            _reports(obligation_id, activity_id, plan_id, f"{section_index + 1}.{position + 1}", due, rng, ids,
                     writer, summary, today, lead_body, lead_account, co_executors, coordinator_id)


def _reports(obligation_id, activity_id, plan_id, number, due, rng, ids, writer, summary, today, lead_body, lead_account,
             co_executors, coordinator_id) -> None:
    """The lead report of one past obligation and what became of it; now and then a contribution."""
    submitted = min(today, due + timedelta(days=rng.randint(-25, 30)))
    outcome = rng.choices((ReportState.ACCEPTED, ReportState.RETURNED, ReportState.SUBMITTED), weights=(72, 14, 14))[0]
    version, previous = 1, None
    while True:
        report_id = ids.take(CompletionReport)
        reviewed = submitted + timedelta(days=rng.randint(0, 12)) if outcome != ReportState.SUBMITTED else None
        state = outcome
        if reviewed is not None and reviewed > today:
            state, reviewed = ReportState.SUBMITTED, None  # the coordinator has not got to it yet
        writer.add(CompletionReport, dict(
            id=report_id, obligation_id=obligation_id, body_id=lead_body, kind=ReportKind.LEAD, version=version,
            previous_id=previous, text=f"{MARK}: атқарылған жұмыс туралы есеп (№{report_id})",
            links=[f"https://{EMAIL_DOMAIN}/evidence/{report_id}"], state=state,
            submitted_at=_moment(submitted, rng), submitted_on=submitted, submitted_by_id=lead_account,
            reviewed_at=_moment(reviewed, rng) if reviewed else None, reviewed_on=reviewed,
            reviewed_by_id=coordinator_id if reviewed else None,
            review_comment="Дәлелдер жеткіліксіз" if state == ReportState.RETURNED else None,
            no_personal_data=True, row_version=1))
        summary.reports_by_state[state] += 1
        details = {"version": version, "files": [], "due_date": due.isoformat(), "number": number}
        _history(writer, ids, "report.submitted" if version == 1 else "report.resubmitted", submitted, lead_account,
                 _executor_email(lead_body), plan_id, activity_id, obligation_id, report_id, lead_body, details, rng)
        if reviewed is not None:
            _history(writer, ids, f"report.{state}", reviewed, coordinator_id, f"coordinator@{EMAIL_DOMAIN}", plan_id,
                     activity_id, obligation_id, report_id, lead_body,
                     {**details, "comment": "Дәлелдер жеткіліксіз" if state == ReportState.RETURNED else ""}, rng)
        # A returned report is corrected about half the time; the correction is usually accepted.
        if state != ReportState.RETURNED or version > 1 or rng.random() < 0.5:
            break
        submitted = min(today, reviewed + timedelta(days=rng.randint(1, 20)))
        outcome = rng.choices((ReportState.ACCEPTED, ReportState.SUBMITTED), weights=(80, 20))[0]
        version, previous = version + 1, report_id

    if co_executors and rng.random() < 0.2:
        body_id, _written, account_id, _agreement = rng.choice(co_executors)
        report_id = ids.take(CompletionReport)
        day = min(today, due + timedelta(days=rng.randint(-20, 5)))
        writer.add(CompletionReport, dict(
            id=report_id, obligation_id=obligation_id, body_id=body_id, kind=ReportKind.CONTRIBUTION, version=1,
            previous_id=None, text=f"{MARK}: бірлесіп орындаушының үлесі (№{report_id})", links=[],
            state=ReportState.SUBMITTED, submitted_at=_moment(day, rng), submitted_on=day, submitted_by_id=account_id,
            reviewed_at=None, reviewed_on=None, reviewed_by_id=None, review_comment=None, no_personal_data=True,
            row_version=1))
        summary.reports_by_state[ReportKind.CONTRIBUTION] += 1
        _history(writer, ids, "report.contributed", day, account_id, _executor_email(body_id), plan_id, activity_id, obligation_id, report_id,
                 body_id, {"version": 1, "files": [], "due_date": due.isoformat(), "number": number}, rng)


def _executor_email(body_id: int) -> str:
    return f"executor-{body_id}@{EMAIL_DOMAIN}"


def _history(writer, ids, action, day, user_id, actor, plan_id, activity_id, obligation_id, report_id, body_id,
             details, rng):
    writer.add(HistoryEntry, dict(
        id=ids.take(HistoryEntry), at=_moment(day, rng), user_id=user_id, actor=actor, action=action, plan_id=plan_id, activity_id=activity_id,
        obligation_id=obligation_id, report_id=report_id, body_id=body_id, account_id=None, details=details,
        changes={}))


def _advance_sequences() -> None:
    """PostgreSQL hands out ids from sequences, which explicit ids do not move: move them past the rows."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in (User, Body, Plan, Section, Activity, ActivityExecutor, Obligation, CompletionReport, HistoryEntry):
        highest = db.session.scalar(select(func.max(model.__table__.c.id))) or 1
        db.session.execute(select(func.setval(func.pg_get_serial_sequence(model.__tablename__, "id"), highest)))
