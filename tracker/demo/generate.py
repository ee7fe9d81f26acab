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

`--chain` (`Chain`) adds the chain below each region and hands work down it: every city and
district of the region (tracker/executors/districts.json, 5–20 a region) gets its education
department under the region's, with ~30 schools under each; the region's education department
leads a third of the activities, and every due date of those is handed down two levels, region →
districts → schools, with sub-reports coming back up. The rows are those `tracker.delegation.
operations.delegate` and `submit`/`review` write (the sub-obligations, the bodies above each, the
history entries), written in bulk; like the base country's reports, they raise no notifications.
Everything else about the country stays as it is without `--chain`: the same seed gives the same
plans, due dates and reports, with other leads on the activities the education department takes
over, and `--no-hand-down` gives that same country with nothing handed down (the benchmark's
comparison, tests/bench_chain.py).
"""

import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, insert, select

from tracker.auth.models import AccountRole, User
from tracker.calendar import working_calendar
from tracker.delegation.models import Delegation, DelegationAbove, SubReport
from tracker.delegation.operations import DEFAULT_WORKING_DAYS_BEFORE
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
from tracker.executors import districts
from tracker.executors.districts import GROUP_KINDS, BodyLevel
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


#: the chain below a region (`--chain`)
SCHOOLS_PER_DISTRICT = 30
#: share of the activities the region's education department leads and hands down, every due date
CHAIN_SHARE = 1 / 3
#: each handed-down due date goes to this many district departments, each handing it to this many of its schools
CHAIN_FAN_OUT = (3, 2)
#: the region's body that heads the districts' departments (tracker.executors.districts.GROUP_KINDS)
CHAIN_KIND = GROUP_KINDS["district_education"]


@dataclass(frozen=True)
class Chain:
    """The chain below each region (`demo generate --chain`; see the module's docstring).

    The first handed-down due date of each region goes to every district and from each to all its
    schools (the widest tree the region can have); the others go `fan_out` (districts, schools
    per district) down."""

    share: float = CHAIN_SHARE
    schools_per_district: int = SCHOOLS_PER_DISTRICT
    fan_out: tuple[int, int] = CHAIN_FAN_OUT
    #: False: the same country, bodies and leads, with nothing handed down
    hand_down: bool = True


#: the chain's history entries, written apart from the country's (the same table, through Core)
CHAIN_HISTORY = HistoryEntry.__table__
_CORE = (Delegation, DelegationAbove, SubReport, CHAIN_HISTORY)


class RefusedDatabase(RuntimeError):
    """The database already holds plans or bodies, and --force was not given."""


@dataclass
class Summary:
    scale: int
    seed: int
    today: date
    counts: Counter = field(default_factory=Counter)
    reports_by_state: Counter = field(default_factory=Counter)
    sub_reports_by_state: Counter = field(default_factory=Counter)


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
        self.summary.counts[model.name if isinstance(model, Table) else model.__tablename__] += 1
        if len(batch) >= self.BATCH:
            self.flush(model)

    def flush(self, model=None) -> None:
        # Parents before children: the foreign keys must find their rows.
        order = (Body, User, Plan, Section, Activity, ActivityExecutor, Obligation, CompletionReport, Delegation,
                 DelegationAbove, SubReport, HistoryEntry, CHAIN_HISTORY)
        for table in order:
            if model is not None and table is not model:
                continue
            batch = self.rows.get(table)
            if batch:
                if model is not None:  # a child flushed early still needs its parents written
                    for parent in order[:order.index(table)]:
                        if self.rows.get(parent):
                            db.session.execute(self._insert(parent), self.rows.pop(parent))
                db.session.execute(self._insert(table), batch)
                self.rows[table] = []

    @staticmethod
    def _insert(model):
        # the chain's rows (tables, not models: see CHAIN_HISTORY) go through Core: they alternate None
        # and values (a district's part has no parent, a school's has), which the ORM's bulk INSERT
        # would split into thousands of statements; every row names every column, so nothing is lost
        core = any(model is kind for kind in _CORE)
        return insert(model if isinstance(model, Table) else model.__table__) if core else insert(model)


def generate(scale: int, seed: int, today: date, plans_dir: Path, password_hash: str, force: bool = False,
             progress=None, chain: Chain | None = None, regions: int | None = None) -> Summary:
    """The country, region by region; `progress`, if given, is called with 1 after each of the 20 × scale regions
    (and, with `chain`, after each region's chain). `regions` overrides 20 × scale (tests: a country of one region)."""
    if scale < 1:
        raise ValueError("scale must be 1 or more")
    if regions is not None and regions < 1:
        raise ValueError("regions must be 1 or more")
    if not force and not database_is_empty():
        raise RefusedDatabase(
            "the database already holds plans or bodies; synthetic data is never mixed into a real "
            "database by accident — use an empty database, or --force if you mean it")
    wording = read_seed_wording(plans_dir)
    draw_weights = _draw_weights(wording)
    rng = random.Random(seed)
    summary = Summary(scale=scale, seed=seed, today=today)
    ids = _Ids(User, Body, Plan, Section, Activity, ActivityExecutor, Obligation, CompletionReport, HistoryEntry,
               Delegation, SubReport)
    writer = _Writer(summary)
    # the chain draws from its own generator, so that the country above it stays the one without --chain
    below = _Below(chain, random.Random(seed * 7919 + 17)) if chain is not None else None
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

    for region_index in range(regions or 20 * scale):
        _region(region_index, rng, wording, draw_weights, ids, writer, summary, today, password_hash, stamp, national,
                coordinator_id, below)
        if progress is not None:
            progress(1)
    writer.flush()
    if below is not None:  # after the whole country, so its ids are those of the country without --chain
        calendar = working_calendar()
        for region in below.regions:
            _chain(region, below, ids, writer, summary, today, password_hash, stamp, calendar)
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
            password_hash: str, stamp: datetime, national: list[int], coordinator_id: int,
            below: "_Below | None" = None) -> None:
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
        if below is not None and key == CHAIN_KIND.head:
            below.regions.append(_RegionChain(region, body_id, account_id, f"{name} ({abbreviation})" if abbreviation
                                              else name))

    head = below.regions[-1] if below is not None and below.regions and below.regions[-1].region == region else None
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
                      today, bodies, national, coordinator_id, below, head)


def _activity(plan_id, position, section_ids, period: Period, first_year, rng, wording: SeedWording,
              draw_weights: list[float], ids: _Ids,
              writer: _Writer, summary: Summary, today: date, bodies, national, coordinator_id,
              below: "_Below | None" = None, head: "_RegionChain | None" = None) -> None:
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
    handed_down = head is not None and below.rng.random() < below.chain.share
    if handed_down:  # the region's education department leads it (the chain's draw, not the country's)
        lead = next((i for i, b in enumerate(named) if b[0] == head.body_id), None)
        if lead is None:
            named[0] = next(b for b in bodies if b[0] == head.body_id)
        else:
            named[0], named[lead] = named[lead], named[0]
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
        if handed_down:
            head.items.append((plan_id, activity_id, f"{section_index + 1}.{position + 1}", obligation_id, due))
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
    for model in (User, Body, Plan, Section, Activity, ActivityExecutor, Obligation, CompletionReport, HistoryEntry,
                  Delegation, SubReport):
        highest = db.session.scalar(select(func.max(model.__table__.c.id))) or 1
        db.session.execute(select(func.setval(func.pg_get_serial_sequence(model.__tablename__, "id"), highest)))


# --- the chain below the regions (--chain) ---------------------------------------------------------


@dataclass
class _RegionChain:
    """A region's education department and the due dates it hands down (collected with the country)."""

    region: str
    body_id: int
    account_id: int
    label: str
    #: (plan id, activity id, activity number, obligation id, due date)
    items: list = field(default_factory=list)


@dataclass
class _Below:
    chain: Chain
    rng: random.Random
    regions: list[_RegionChain] = field(default_factory=list)


@dataclass(frozen=True)
class _Place:
    """A body of the chain with its executor account, as a sub-obligation names it."""

    body_id: int
    account_id: int
    label: str


def _chain(region: _RegionChain, below: _Below, ids: _Ids, writer: _Writer, summary: Summary, today: date,
           password_hash: str, stamp: datetime, calendar) -> None:
    """The region's district departments and their schools, then its handed-down due dates."""
    rng = below.rng
    units = districts.units_of(region.region)
    head = _Place(region.body_id, region.account_id, region.label)
    tree: list[tuple[_Place, list[_Place]]] = []
    for unit in units:
        name, name_ru = districts.member_names(CHAIN_KIND, unit)
        district = _chain_body(ids, writer, password_hash, stamp, region.region, name, name_ru,
                               CHAIN_KIND.member_abbreviation, districts.member_identity(CHAIN_KIND, unit),
                               CHAIN_KIND.key, BodyLevel.DISTRICT, region.body_id, unit.kk)
        schools = []
        for number in range(1, below.chain.schools_per_district + 1):
            school_kk = f"{unit.kk_genitive} №{number} мектебі"
            school_ru = f"Школа №{number} {unit.ru_genitive}"
            schools.append(_chain_body(ids, writer, password_hash, stamp, region.region, school_kk, school_ru, None,
                                       f"organisation:{unit.key}:{school_kk.lower()}", None, BodyLevel.ORGANISATION,
                                       district.body_id, unit.kk))
        tree.append((district, schools))
    if not below.chain.hand_down or not tree:
        return
    districts_each, schools_each = below.chain.fan_out
    for number, (plan_id, activity_id, activity_number, obligation_id, due) in enumerate(region.items):
        if due is None:
            continue
        if number == 0:  # the widest tree: every district, each to all its schools
            chosen = [(d, list(s)) for d, s in tree]
        else:
            chosen = [(d, rng.sample(s, min(schools_each, len(s))))
                      for d, s in rng.sample(tree, min(districts_each, len(tree)))]
        context = (plan_id, activity_id, activity_number, obligation_id)
        handed = min(today, due - timedelta(days=rng.randint(25, 60)))
        district_due = calendar.subtract_working_days(due, DEFAULT_WORKING_DAYS_BEFORE)
        parts = _hand_down(context, None, 1, head, [d for d, _s in chosen], district_due, [head.body_id], handed, ids,
                           writer, rng)
        school_due = calendar.subtract_working_days(district_due, DEFAULT_WORKING_DAYS_BEFORE)
        for part, (district, schools) in zip(parts, chosen, strict=True):
            passed_on = min(today, handed + timedelta(days=rng.randint(1, 5)))
            if schools:
                below_it = _hand_down(context, part, 2, district, schools, school_due,
                                      [district.body_id, head.body_id], passed_on, ids, writer, rng)
                for school_part, school in zip(below_it, schools, strict=True):
                    _sub_reports(context, school_part, school, district, school_due, passed_on, ids, writer, summary,
                                 rng, today)
            _sub_reports(context, part, district, head, district_due, handed, ids, writer, summary, rng, today)


def _chain_body(ids, writer, password_hash, stamp, region, name, name_ru, abbreviation, identity, registry_key, level,
                parent_id, district) -> _Place:
    body_id = ids.take(Body)
    writer.add(Body, dict(id=body_id, name=name, name_ru=name_ru, abbreviation=abbreviation, region=region,
                          identity=identity, registry_key=registry_key, level=level.value, parent_id=parent_id,
                          district=district))
    account_id = ids.take(User)
    writer.add(User, _account(account_id, _executor_email(body_id), AccountRole.EXECUTOR, body_id,
                              f"Орындаушы ({MARK}) {body_id}", password_hash, stamp))
    return _Place(body_id, account_id, f"{name} ({abbreviation})" if abbreviation else name)


def _hand_down(context, parent: int | None, depth: int, giver: _Place, takers: list[_Place], due: date,
               above: list[int], day: date, ids, writer, rng) -> list[int]:
    """What `operations.delegate` writes for one hand-down on `day`: a sub-obligation per body, the
    bodies above each (the giver first), and one history entry."""
    plan_id, activity_id, number, obligation_id = context
    moment = _moment(day, rng)
    instruction = f"{MARK}: іс-шараны өткізіп, {due.isoformat()} дейін есеп беріңіздер."
    made = []
    for taker in takers:
        delegation_id = ids.take(Delegation)
        writer.add(Delegation, dict(
            id=delegation_id, obligation_id=obligation_id, parent_id=parent, depth=depth, from_body_id=giver.body_id,
            body_id=taker.body_id, group_body_id=None, due_date=due, instruction=instruction,
            created_by_id=giver.account_id, created_at=moment))
        for distance, body_id in enumerate(above, start=1):
            writer.add(DelegationAbove, dict(delegation_id=delegation_id, body_id=body_id, distance=distance))
        made.append(delegation_id)
    writer.add(CHAIN_HISTORY, dict(
        id=ids.take(HistoryEntry), at=moment, user_id=giver.account_id, actor=_executor_email(giver.body_id),
        action="delegation.created", plan_id=plan_id, activity_id=activity_id, obligation_id=obligation_id,
        report_id=None, body_id=giver.body_id, account_id=None, details={
            "to": [t.label for t in takers], "due_date": due.isoformat(), "depth": depth, "number": number,
            "files": [], "parent": parent}, changes={}))
    return made


def _sub_reports(context, delegation_id: int, body: _Place, reviewer: _Place, due: date, handed: date, ids, writer,
                 summary, rng, today) -> None:
    """The reports of one past sub-obligation and their reviews by the body that handed it down, as
    `operations.submit` and `review` write them (about as often and as late as the lead reports)."""
    if due >= today or rng.random() >= REPORTED_SHARE:
        return
    plan_id, activity_id, _number, obligation_id = context
    submitted = min(today, max(handed + timedelta(days=1), due + timedelta(days=rng.randint(-15, 20))))
    outcome = rng.choices((ReportState.ACCEPTED, ReportState.RETURNED, ReportState.SUBMITTED), weights=(72, 14, 14))[0]
    version, previous = 1, None
    while True:
        report_id = ids.take(SubReport)
        reviewed = submitted + timedelta(days=rng.randint(0, 10)) if outcome != ReportState.SUBMITTED else None
        state = outcome
        if reviewed is not None and reviewed > today:
            state, reviewed = ReportState.SUBMITTED, None
        comment = "Қатысушылар санын көрсетіңіз." if state == ReportState.RETURNED else None
        writer.add(SubReport, dict(
            id=report_id, delegation_id=delegation_id, body_id=body.body_id, version=version, previous_id=previous,
            text=f"{MARK}: төменнен есеп (№{report_id})", links=[], state=state,
            submitted_at=_moment(submitted, rng), submitted_on=submitted, submitted_by_id=body.account_id,
            reviewed_at=_moment(reviewed, rng) if reviewed else None, reviewed_on=reviewed,
            reviewed_by_id=reviewer.account_id if reviewed else None, review_comment=comment,
            no_personal_data=True, row_version=1))
        summary.sub_reports_by_state[state] += 1
        writer.add(CHAIN_HISTORY, dict(
            id=ids.take(HistoryEntry), at=_moment(submitted, rng), user_id=body.account_id,
            actor=_executor_email(body.body_id), action="subreport.submitted" if version == 1 else "subreport.resubmitted",
            plan_id=plan_id, activity_id=activity_id, obligation_id=obligation_id, report_id=None, body_id=body.body_id,
            account_id=None, details={"delegation": delegation_id, "version": version, "to": reviewer.label,
                                      "files": []}, changes={}))
        if reviewed is not None:
            writer.add(CHAIN_HISTORY, dict(
                id=ids.take(HistoryEntry), at=_moment(reviewed, rng), user_id=reviewer.account_id,
                actor=_executor_email(reviewer.body_id), action=f"subreport.{state}", plan_id=plan_id,
                activity_id=activity_id, obligation_id=obligation_id, report_id=None, body_id=body.body_id,
                account_id=None, details={"delegation": delegation_id, "version": version, "comment": comment or "",
                                          "by": reviewer.label}, changes={}))
        if state != ReportState.RETURNED or version > 1 or rng.random() < 0.5:
            break
        submitted = min(today, reviewed + timedelta(days=rng.randint(1, 15)))
        outcome = rng.choices((ReportState.ACCEPTED, ReportState.SUBMITTED), weights=(80, 20))[0]
        version, previous = version + 1, report_id
