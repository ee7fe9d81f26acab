"""Ownership: no department acts for another, by any route, form or htmx request.

`tests/test_permissions.py` decides which *role* may use each route. This file goes one step
further, as the portal issue asks: an executor of one body cannot post, edit or delete anything
for an activity where its body takes no part, whatever ids it writes into the URL, the form or
the htmx request. Every request here is a real one, with CSRF switched on and a valid token
taken from a page the actor opened (so a refusal is never the CSRF check answering instead of the
ownership check), as a form post or as htmx sends it (HX-Request, HX-Current-URL, HX-Target and the
token in X-CSRFToken).

The world (`build_world`): the Kostanay seed plan; activity A (1.4), led by body X (the education
department, ББ), with body Z (its first co-executor with a body, ДСБ); activity B (1.13), the
first activity with five due dates whose lead body Y (ПҚжҚББӨО) takes no part in A, and where
neither X nor Z does. Executors ex_x, ex_y, ex_z of those bodies, a coordinator, an auditor, an
administrator, and two accounts the administrator changes while they are signed in (moved from X
to Y; disabled). Reports already posted: on A's first due date X's lead
report, returned, and Z's contribution; on A's second, X's report awaiting review; on B's first
and second due dates Y's reports, returned and awaiting review. Every report carries a file.

`ATTEMPTS` is the table: for every route that changes anything — every method other than GET of
`app.url_map`, plus writing verbs on the evidence download and opening a notification — the requests
that must be refused.
`test_every_changing_route_has_ownership_cases` fails when a route is added without its row. Each
attempt is checked twice over:

* the answer is one of the attempt's `answers` (403/404/405/422/… as the app gives them), and
* a `snapshot` of the whole database — every row of every table, history included — and of the
  files under EVIDENCE_DIR and IMPORTS_DIR is the same after the request as before it.

A few attempts are requests a person may make, with foreign ids smuggled into them (a co-executor
posting "kind=lead", a lead posting with another body's id in the form): those may also succeed,
but then `contained` checks that exactly the legitimate change happened — the report is stored
under the poster's own body, on the URL's due date, as the role the server derives.

`CONTROLS` are the positive controls run in the same test on the same database after the
attempts: ex_x posts the lead report on A, ex_z a contribution, ex_y its own report on B, the
coordinator reviews, the administrator edits an account… so a portal that refused everything
would fail here too. `CASES` and `CONTROL_CASES` count them (for the README to quote).

Reads (GET) change nothing but the reader's own interface language (`?lang=`, remembered on the
reader's own account), so they own nothing of anybody else; the evidence download in particular
is open to every signed-in user by design (README, "Roles"). Opening a notification marks it read:
it is in the table too (another account's is not found, and stays unread).

The world also holds what the newer routes act on (`build_newer`): on A's fourth due date X's hand-down
to two districts D1 and D2 of the Kostanay registry, D1's to its school S1, S1's report awaiting D1's
review and D1's awaiting X's (S2 is D2's school); the collective executor of activity 1.10, whose
members X heads; ex_x's extension request on A's fifth due date; an activity waiting for an event,
another taken off control, a day of the working calendar; three indicators read from lines of the plan —
one reported by X (its actual awaiting review), one by Y, one still a proposal — and a spreadsheet of
actuals staged by each of ex_x and ex_y; a calendar feed of ex_x and one of ex_y; a failed e-mail;
the Zhambyl police programme with its covering letters, the regional education department's passed
down to the districts, T.Rysqulov district's own (proposed) letter, and schools below that district and
below Shu district; a letter staged by the coordinator. (The indicators and the letters, slow to read,
are made for their own routes' tests only.)

What a contained success may bring along besides its own rows (`bookkeeping`, `notified`): the
dashboard's counts kept with every write (the `rollup_*` tables and the `counted_*` columns,
tracker.reports.rollups), and notifications — every one about the due date the request was on, to an
active coordinator or an executor account of a body the change concerns, never to an account of a
body that takes no part.
"""

import hashlib
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import flask_babel
import pytest
from sqlalchemy import and_, or_, select

from tests.conftest import KOSTANAY
from tests.evidence_files import tiny_pdf
from tracker.auth import operations as account_operations
from tracker.auth.models import AccountRole, User
from tracker.control import operations as control_operations
from tracker.delegation import operations as delegation_operations
from tracker.delegation import registry
from tracker.executors import districts
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.feeds import operations as feed_operations
from tracker.indicators import operations as indicator_operations
from tracker.indicators import spreadsheet
from tracker.letters import operations as letter_operations
from tracker.letters import passing as letter_passing
from tracker.letters.models import Letter, LetterPlan
from tracker.mail.models import OutgoingMessage
from tracker.plans import operations as plan_operations
from tracker.plans.models import Activity, Obligation, Plan, PlanWarning
from tracker.reports import operations as report_operations
from tracker.work.models import Notification

TODAY = date(2026, 11, 23)
MISSING = 999_999


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    """A cheap PBKDF2 for the accounts of this file: it signs in some 150 times, and what it tests is who
    may do what, not how passwords are hashed (scrypt takes a quarter of a second per hash here)."""
    from werkzeug.security import generate_password_hash

    monkeypatch.setattr("tracker.auth.models.generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


@pytest.fixture(autouse=True)
def queue_in_memory():
    """The administrator's "send again" queues the day's batch: into a queue of this test's own, in
    memory (no worker runs it), not into the instance's queue file other processes share."""
    from tracker.jobs import queue

    before = queue.huey.url
    queue.huey.configure("memory://")
    yield
    queue.huey.configure(before)

# --- the world ------------------------------------------------------------------------------------


@dataclass
class World:
    plan_id: int
    plan_form: dict
    a_id: int
    a_form: dict
    b_id: int
    x: int  # body ids
    y: int
    z: int
    names: dict  # body id → its name
    o1: int  # A's obligations: X's report returned + Z's contribution
    o2: int  # X's report awaiting review
    o3: int  # nothing yet
    ob1: int  # B's obligations: Y's report returned
    ob2: int  # Y's report awaiting review
    ob3: int  # nothing: the page ex_y renders its form on
    ob4: int  # nothing: ex_y posts here with foreign ids in the form
    ob5: int  # nothing: ex_y's positive control
    reports: dict  # "x_o1" → report id
    evidence: dict  # "x_o1" → evidence id
    stored: dict  # evidence id → stored_name
    a_lead_row: int  # ActivityExecutor ids
    a_z_row: int
    b_lead_row: int
    warning_id: int
    token: str  # a plan upload staged by the coordinator
    users: dict  # "ex_x" → user id
    emails: dict  # "ex_x" → e-mail
    ids: dict  # the objects of the newer routes (`build_newer`), by name → id
    forms: dict  # forms those routes take as a browser would send them, by name


def pdf(words: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(tiny_pdf(words)), f"{words.replace(' ', '-')}.pdf"


def build_world(app, seed_plans, make_user, route: tuple[str, str] | None = None) -> World:
    """The world of the module's docstring; for a `route`, the indicators and the letters (slow to read)
    only when the route is theirs."""
    app.config["TODAY"] = TODAY
    app.config["BABEL_DEFAULT_LOCALE"] = "en"  # messages in failures read in English
    flask_babel.refresh()
    seed_plans(KOSTANAY)
    plan = db.session.scalar(select(Plan).where(Plan.source_filename == KOSTANAY.name))
    activities = db.session.scalars(select(Activity).where(Activity.plan_id == plan.id)
                                    .order_by(Activity.position)).all()

    a = next(item for item in activities if item.number == "1.4")
    x = a.lead.body
    assert x is not None and x.abbreviation == "ББ"
    z_row = next(e for e in a.executors if e.role == "co_executor" and e.body_id and e.body_id != x.id)
    z = z_row.body
    in_a = {e.body_id for e in a.executors}
    b = next(item for item in activities if item.lead and item.lead.body_id and item.lead.body_id not in in_a
             and item.lead.body.abbreviation and len(item.obligations) >= 5)
    y = b.lead.body
    assert y.id not in in_a and x.id not in {e.body_id for e in b.executors}
    assert z.id not in {e.body_id for e in b.executors}

    users = {
        "ex_x": make_user("executor", body=x), "ex_y": make_user("executor", body=y),
        "ex_z": make_user("executor", body=z), "coordinator": make_user("coordinator"),
        "auditor": make_user("auditor"), "admin": make_user("admin"),
        # signed in while of body X, then moved to Y by the administrator (`prepare` below)
        "ex_moved": make_user("executor", body=x),
        # signed in while active, then disabled by the administrator
        "ex_disabled": make_user("executor", body=z),
    }

    o1, o2, o3 = a.obligations[:3]
    ob1, ob2, ob3, ob4, ob5 = b.obligations[:5]
    submit = report_operations.submit_report
    reports = {
        "x_o1": submit(o1, users["ex_x"], "X on O1.", [], [("x-o1.pdf", tiny_pdf("X O1"))], True),
        "z_o1": submit(o1, users["ex_z"], "Z contributes to O1.", [], [("z-o1.pdf", tiny_pdf("Z O1"))], True),
        "x_o2": submit(o2, users["ex_x"], "X on O2.", [], [("x-o2.pdf", tiny_pdf("X O2"))], True),
        "y_ob1": submit(ob1, users["ex_y"], "Y on OB1.", [], [("y-ob1.pdf", tiny_pdf("Y OB1"))], True),
        "y_ob2": submit(ob2, users["ex_y"], "Y on OB2.", [], [("y-ob2.pdf", tiny_pdf("Y OB2"))], True),
    }
    report_operations.review_report(reports["x_o1"], users["coordinator"], accept=False, comment="Add the protocol.")
    report_operations.review_report(reports["y_ob1"], users["coordinator"], accept=False, comment="Add the list.")
    assert reports["z_o1"].kind == "contribution" and reports["x_o1"].state == "returned"

    warning = db.session.scalar(select(PlanWarning).where(
        PlanWarning.plan_id == plan.id, PlanWarning.resolved_at.is_(None), PlanWarning.activity_number == b.number))
    warning = warning or db.session.scalar(select(PlanWarning).where(
        PlanWarning.plan_id == plan.id, PlanWarning.resolved_at.is_(None)).order_by(PlanWarning.id).limit(1))
    token, _parsed = plan_operations.stage_upload(KOSTANAY.name, KOSTANAY.read_bytes())
    parts = {"indicators", "letters"} if route is None else {route[0].split(".")[0]}
    ids, forms = build_newer(app, plan, activities, a, b, x, y, users, make_user, parts)

    return World(
        plan_id=plan.id,
        plan_form={"title": plan.title, "region": plan.region or "", "period_start": plan.period_start.isoformat(),
                   "period_end": plan.period_end.isoformat(), "default_frequency": plan.default_frequency},
        a_id=a.id,
        a_form={"number": a.number, "section_id": str(a.section_id or 0), "text": a.text,
                "completion_form": a.completion_form, "deadline_text": a.deadline_text,
                "funding_text": a.funding_text},
        b_id=b.id, x=x.id, y=y.id, z=z.id, names={body.id: body.name for body in (x, y, z)},
        o1=o1.id, o2=o2.id, o3=o3.id, ob1=ob1.id, ob2=ob2.id, ob3=ob3.id, ob4=ob4.id, ob5=ob5.id,
        reports={key: r.id for key, r in reports.items()},
        evidence={key: r.evidence[0].id for key, r in reports.items()},
        stored={r.evidence[0].id: r.evidence[0].stored_name for r in reports.values()},
        a_lead_row=a.lead.id, a_z_row=z_row.id, b_lead_row=b.lead.id, warning_id=warning.id, token=token,
        users={key: u.id for key, u in users.items()}, emails={key: u.email for key, u in users.items()},
        ids=ids, forms=forms,
    )


REGION = "Қостанай облысы"
ZHAMBYL = "Жамбыл облысы"
PROGRAMME = Path(__file__).resolve().parent / "letters" / "police-programme-000.txt"
MINISTRY = Path(__file__).resolve().parent / "letters" / "ministry-assignment-002.txt"
#: lines of a programme's "Тиімділік көрсеткіштері", as a coordinator pastes them (tests/test_indicators.py)
INDICATOR_LINES = """2) тәуекел тобындағы кәсіптік-техникалық білім беруге қатысушылардың кемінде 90%-ын қамту;
4) сүйемелдеудегі балалар арасында суицидтік қайталама әрекеттердің болмауы;
5) жасөспірімдердің кемінде 70%-ын бос уақыт және еңбек қызметіне тарту."""
#: in a form's data: the page's CSRF token, under a form's own prefixed name (`Runner` puts the token in)
CSRF = object()


def actuals_csv(indicator_id: int, period: str, value) -> bytes:
    return f"indicator,period,value\n#{indicator_id},{period},{value}\n".encode()


def indicator_fields(data: indicator_operations.IndicatorInput, prefix: str = "") -> dict:
    """An indicator's form as the page sends it (with the proposal's prefix on the plan's page)."""
    name = (lambda field: f"{prefix}-{field}") if prefix else (lambda field: field)
    fields = {name(k): str(v) for k, v in vars(data).items() if k != "relative_at_least"}
    if data.relative_at_least:
        fields[name("relative_at_least")] = "y"
    return fields


def build_newer(app, plan, activities, a, b, x, y, users, make_user, parts: set[str]) -> tuple[dict, dict]:
    """What the newer routes act on (the module's docstring lists it); adds its accounts to `users`.
    The indicators and the letters are made when `parts` names them."""
    coordinator, ex_x, ex_y = users["coordinator"], users["ex_x"], users["ex_y"]
    ids, forms = {}, {}

    # --- the chain: X hands A's fourth due date down to districts D1 and D2; D1 to its school S1
    d1, d2 = registry.ensure_members(REGION, "district_education", only={
        "district_education:алтынсарин ауданы", "district_education:амангелди ауданы"})
    s1 = Body(name="S1 мектебі (СИНТЕТИКА)", region=REGION, identity="organisation:s1", level="organisation",
              parent_id=d1.id)
    s2 = Body(name="S2 мектебі (СИНТЕТИКА)", region=REGION, identity="organisation:s2", level="organisation",
              parent_id=d2.id)
    db.session.add_all([s1, s2])
    db.session.commit()
    users.update(ex_d1=make_user("executor", body=d1), ex_d2=make_user("executor", body=d2),
                 ex_s1=make_user("executor", body=s1))
    o4, o5, o6 = a.obligations[3:6]
    d_x_d1, d_x_d2 = delegation_operations.delegate(ex_x, o4, None, [f"b{d1.id}", f"b{d2.id}"], None, "Орындаңыз.",
                                                    [("нұсқау.pdf", tiny_pdf("Instruction"))])
    (d_d1_s1,) = delegation_operations.delegate(users["ex_d1"], o4, d_x_d1, [f"b{s1.id}"], None, "Мектепте.", [])
    r_s1 = delegation_operations.submit(d_d1_s1, users["ex_s1"], "S1 өткізді.", [], [("s1.pdf", tiny_pdf("S1"))], True)
    r_d1 = delegation_operations.submit(d_x_d1, users["ex_d1"], "D1 өткізді.", [], [], True)
    group_item = next(item for item in activities if item.number == "1.10")
    assert registry.is_group(group_item.lead.body) and registry.head_of(group_item.lead.body).id == x.id
    ids.update(d1=d1.id, d2=d2.id, s1=s1.id, s2=s2.id, o4=o4.id, o5=o5.id, o6=o6.id, d_x_d1=d_x_d1.id,
               d_x_d2=d_x_d2.id, d_d1_s1=d_d1_s1.id, r_s1=r_s1.id, r_d1=r_d1.id, group_executor=group_item.lead.id,
               group=group_item.lead.body_id, group_obligations=[o.id for o in group_item.obligations],
               ob_last=b.obligations[-1].id)

    # --- on control: ex_x asks to move A's fifth due date; an activity waits for an event; another is off
    # control; a day of the working calendar
    app.config["TODAY"] = o5.due_date - timedelta(days=20)
    extension = control_operations.request_extension(o5, ex_x, o5.due_date + timedelta(days=30),
                                                     "Мектептердің деректері кешігіп келеді")
    app.config["TODAY"] = TODAY
    # (in a plan of its own: the Kostanay plan stays as its file says, for the coordinator's re-import)
    checks = plan_operations.create_plan(title="Тексерулер бойынша ұсыныстар (СИНТЕТИКА)", region=REGION,
                                         period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
                                         default_frequency="quarterly")
    waiting = plan_operations.add_activity(
        checks, number="9.1", section_title="", text="Тексеру нәтижелері бойынша ұсыныстар дайындау",
        completion_form="ББ-ға ақпарат", executors_text="ББ",
        deadline_text="тексеру нәтижелері ұсынылғаннан кейін 5 жұмыс күні ішінде", funding_text="")
    [event_obligation] = waiting.obligations
    assert event_obligation.waits_for and waiting.lead.body_id == x.id
    off = next(item for item in activities if item.id not in (a.id, b.id, group_item.id))
    period = control_operations.take_off_control(plan, off, coordinator, "executed", None, None, "")
    day = control_operations.set_calendar_day(coordinator, date(2026, 12, 18), False, "Облыс әкімінің өкімі (сынақ)",
                                              None)
    ids.update(extension=extension.id, event_obligation=event_obligation.id, event_activity=waiting.id,
               off_activity=off.id, off_period=period.id, calendar_day=day.id)

    # --- indicators: X reports one (its actual for 2019 awaits review), Y another, the third is a proposal
    if "indicators" in parts:
        build_indicators(plan, x, y, users, ids, forms)

    # --- calendar feeds, a failed e-mail, the registry's list for the administrator
    ids.update(feed_x=feed_operations.make_feed(ex_x, "account").id,
               feed_y=feed_operations.make_feed(ex_y, "body", y).id)
    failed = OutgoingMessage(account_id=ex_x.id, day=TODAY, kind="digest", to_address=ex_x.email, language="kk",
                             subject="Еске салу", text_body="Еске салу.", html_body="<p>Еске салу.</p>",
                             message_id="<ownership-1@test.example>", state="failed", attempts=3,
                             last_error="550 refused")
    db.session.add(failed)
    db.session.commit()
    ids["failed_message"] = failed.id
    forms["units"] = districts.units_text(registry.units(REGION))

    if "letters" in parts:
        build_letters(users, make_user, ids)
    for key in ("ex_x", "ex_y"):
        ids[f"note_{key}"] = db.session.scalar(select(Notification.id).where(
            Notification.account_id == users[key].id).order_by(Notification.id).limit(1))
    return ids, forms


def build_indicators(plan, x, y, users, ids, forms) -> None:
    """X reports one indicator read from the lines (its actual for 2019 awaits review), Y another; the
    third stays a proposal; each of ex_x and ex_y has a spreadsheet of its actuals staged."""
    from tracker.indicators.routes import _prefix

    coordinator, ex_x, ex_y = users["coordinator"], users["ex_x"], users["ex_y"]
    text_row, _found = indicator_operations.add_text(plan, INDICATOR_LINES, "annual", coordinator)
    proposals = [p for p in indicator_operations.plan_proposals(plan) if p.key.startswith(f"text:{text_row.id}")]
    assert len(proposals) == 3
    ix = indicator_operations.confirm_proposal(
        plan, replace(indicator_operations.input_from_proposal(proposals[0], plan), body_id=x.id), coordinator)
    iy = indicator_operations.confirm_proposal(
        plan, replace(indicator_operations.input_from_proposal(proposals[2], plan), body_id=y.id), coordinator)
    actual = indicator_operations.submit_actual(ix, ex_x, period="2019", scope=ix.scope, value="91")
    proposal = proposals[1]
    prefix = _prefix(proposal.key)
    forms["proposal"] = {"form_prefix": prefix, f"{prefix}-csrf_token": CSRF, **indicator_fields(
        replace(indicator_operations.input_from_proposal(proposal, plan), body_id=y.id), prefix)}
    forms["ix"] = indicator_fields(indicator_operations.input_from_indicator(ix))
    ids.update(ix=ix.id, iy=iy.id, ix_scope=ix.scope, iy_scope=iy.scope, actual=actual.id, proposal_key=proposal.key,
               token_x=spreadsheet.stage(ex_x, "x.csv", actuals_csv(ix.id, "2020", 92)),
               token_y=spreadsheet.stage(ex_y, "y.csv", actuals_csv(iy.id, "2020", 71)))


def build_letters(users, make_user, ids) -> None:
    """The Zhambyl programme; the region's department passed its covering letter down to the districts;
    T.Rysqulov district's own letter is proposed; schools below it and below Shu district; a letter
    staged by the coordinator."""
    coordinator = users["coordinator"]
    data = PROGRAMME.read_bytes()
    chain = letter_operations.read_upload(data, PROGRAMME.name)
    stored = letter_operations.confirm(chain, letter_operations.edit_of(chain), PROGRAMME.name, data, coordinator)
    letters = {item.position: item for item in db.session.scalars(select(Letter).where(
        Letter.chain_id == stored.chain_id))}

    def zhambyl(identity: str) -> Body:
        return db.session.scalar(select(Body).where(Body.region == ZHAMBYL, Body.identity == identity))

    users["ex_zh_edu"] = make_user("executor", body=zhambyl("education"))
    letter_passing.pass_down(letters[1], users["ex_zh_edu"])
    rysqulov, shu = zhambyl("district_education:т рыскулов ауданы"), zhambyl("district_education:шу ауданы")
    school_r = Body(name="№ 1 мектеп-гимназия (СИНТЕТИКА)", region=ZHAMBYL, identity="school:r1", parent_id=rysqulov.id,
                    level="organisation", district="Т.Рысқұлов ауданы")
    school_s = Body(name="№ 2 мектеп (СИНТЕТИКА)", region=ZHAMBYL, identity="school:s2", parent_id=shu.id,
                    level="organisation", district="Шу ауданы")
    db.session.add_all([school_r, school_s])
    db.session.commit()
    users.update(ex_rysqulov=make_user("executor", body=rysqulov), ex_shu=make_user("executor", body=shu),
                 ex_zh_health=make_user("executor", body=zhambyl("health")))
    plan_ids = list(db.session.scalars(select(LetterPlan.plan_id).where(LetterPlan.letter_id == letters[2].id)))
    ids.update(letter_region=letters[1].id, letter_district=letters[0].id, school_r=school_r.id, school_s=school_s.id,
               rysqulov=rysqulov.id, shu=shu.id, zhambyl_obligations=list(db.session.scalars(
                   select(Obligation.id).join(Activity).where(Activity.plan_id.in_(plan_ids)))),
               letter_token=letter_operations.stage(coordinator, MINISTRY.name, MINISTRY.read_bytes()))


# --- the snapshot -----------------------------------------------------------------------------------


def snapshot(app) -> dict[str, dict]:
    """Every row of every table (by primary key) and every file under EVIDENCE_DIR and IMPORTS_DIR
    (by path, with its SHA-256)."""
    tables: dict[str, dict] = {}
    for table in db.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        rows = db.session.execute(select(table).order_by(*key)).mappings().all()
        tables[table.name] = {tuple(row[c.name] for c in key): dict(row) for row in rows}
    files = {}
    for setting in ("EVIDENCE_DIR", "IMPORTS_DIR"):
        folder = Path(app.config[setting])
        if folder.exists():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                files[(setting, path.relative_to(folder).as_posix())] = {
                    "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    tables["files"] = files
    return tables


@dataclass
class Change:
    added: dict
    removed: dict
    changed: dict  # key → {column: (before, after)}


def diff(before: dict, after: dict) -> dict[str, Change]:
    changes = {}
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name, {}), after.get(name, {})
        added = {k: new[k] for k in new.keys() - old.keys()}
        removed = {k: old[k] for k in old.keys() - new.keys()}
        changed = {k: {c: (old[k].get(c), v) for c, v in new[k].items() if old[k].get(c) != v}
                   for k in new.keys() & old.keys() if new[k] != old[k]}
        if added or removed or changed:
            changes[name] = Change(added, removed, changed)
    return changes


def describe(changes: dict[str, Change]) -> str:
    def short(value) -> str:
        text = repr(value)
        return text if len(text) < 300 else text[:300] + "…"

    parts = []
    for name, change in changes.items():
        parts.append(f"{name}: +{len(change.added)} -{len(change.removed)} ~{len(change.changed)} "
                     f"{short(list(change.added.values())[:2] or list(change.changed.items())[:2] or list(change.removed)[:2])}")
    return "; ".join(parts) or "nothing"


# --- attempts -------------------------------------------------------------------------------------


@dataclass
class Attempt:
    name: str
    actor: str  # a key of World.users, or "anonymous"
    url: Callable[[World], str]
    data: Callable[[World], dict] = lambda w: {}  # noqa: E731
    method: str = "POST"
    htmx: bool = False
    #: the answers under which nothing may have changed
    answers: frozenset = frozenset({403})
    #: for requests a person may make with foreign ids smuggled in: on success, the check that only the
    #: legitimate change happened (returns the problems found)
    contained: Callable[[World, dict], list[str]] | None = None
    #: the page the actor opens first (its form, its CSRF token); default: its own password page
    page: Callable[[World], str] | None = None
    #: what that page must show (the form was really rendered for something else)
    page_shows: Callable[[World], str] | None = None
    #: done after signing in, before the snapshot (the administrator moves or disables the account)
    prepare: Callable[[World], None] | None = None
    #: a further check on the answer (the session's account, a redirect's target)
    then: Callable[[World, object, object], str | None] | None = None
    #: the portal's day for this request (default TODAY): a due date still ahead, for extensions
    today: date | None = None
    #: send every control of the page as the browser would (then `data` on top): a letter's preview
    form_from_page: bool = False


def report_form(words: str = "Held the seminar.", files: int = 1, **extra) -> dict:
    data = {"text": words, "links": "", "no_personal_data": "y"}
    if files:
        data["files"] = [pdf(f"{words[:20]} {n}") for n in range(files)]
    data.update({key: value if isinstance(value, list) else str(value) for key, value in extra.items()})
    return data


def delegate_form(*targets: str, **extra) -> dict:
    """The hand-down form: `targets` as the check boxes send them ("b<body id>")."""
    return {"targets": list(targets), "instruction": "Орындаңыз.", "due_date": "", "files": [pdf("handed down")],
            **{k: str(v) for k, v in extra.items()}}


def sub_report_form(**extra) -> dict:
    return {"text": "Жасадық.", "links": "", "no_personal_data": "y", "files": [pdf("sub report")],
            **{k: str(v) for k, v in extra.items()}}


def extension_form(day: date, **extra) -> dict:
    return {"new_due_date": day.isoformat(), "reason": "Мектептердің деректері кешігіп келеді",
            **{k: str(v) for k, v in extra.items()}}


def actual_form(period: str, value, scope_key: str, **extra) -> Callable[[World], dict]:
    return lambda w: {"period": period, "scope": w.ids[scope_key], "value": str(value), "comment": "",
                      **{k: str(v(w) if callable(v) else v) for k, v in extra.items()}}


def spreadsheet_form(indicator: str, period: str = "2020", value=50) -> Callable[[World], dict]:
    return lambda w: {"file": (io.BytesIO(actuals_csv(w.ids[indicator], period, value)), "actuals.csv")}


def organisations_csv() -> tuple[io.BytesIO, str]:
    return (io.BytesIO("Атауы,Орысша атауы,Аудан\n№9 мектеп (СИНТЕТИКА),Школа №9 (СИНТЕТИКА),Алтынсарин ауданы\n"
                       .encode()), "organisations.csv")


#: a day a due date of A and of B (31 December 2021) is still ahead, for the extension forms
BEFORE_LAST = date(2021, 12, 1)


def ids_of(*names: str) -> Callable[[World], set[int]]:
    return lambda w: {w.ids[name] for name in names}


def obligation_url(name: str) -> Callable[[World], str]:
    return lambda w: f"/obligations/{getattr(w, name)}/reports"


def review_url(report: str) -> Callable[[World], str]:
    return lambda w: f"/reports/{w.reports[report]}/review"


def accept(**extra) -> dict:
    return {"comment": "", "accept": "Accept", **{k: str(v) for k, v in extra.items()}}


def send_back(**extra) -> dict:
    return {"comment": "Returned by someone who may not.", "send_back": "Return", **{k: str(v) for k, v in extra.items()}}


def body_smuggled(w: World) -> dict:
    """Every name a hidden field could carry a body, a role or another obligation under."""
    return {"body_id": w.x, "body": w.x, "kind": "lead", "role": "lead", "submitted_by_id": w.users["ex_x"],
            "obligation_id": w.o3, "activity_id": w.a_id, "version": 1, "previous_id": w.reports["x_o1"],
            "state": "accepted"}


def session_user(client) -> str | None:
    """The account id the session names ("<id>:<session token>", User.get_id)."""
    with client.session_transaction() as session:
        return (session.get("_user_id") or "").partition(":")[0] or None


def signed_in_as(key: str):
    def check(w: World, client, response) -> str | None:
        now = session_user(client)
        wanted = str(w.users[key]) if key != "anonymous" else None
        return None if now == wanted else f"the session is now account {now}, not {key}"
    return check


def redirected_to_login(w: World, client, response) -> str | None:
    location = response.headers.get("Location", "")
    return None if location.startswith("/login") else f"redirected to {location!r}, not to the sign-in page"


# --- what a contained success may change -----------------------------------------------------------

#: the columns the dashboard's counts are kept by (tracker.reports.rollups), updated with every write
COUNTED = {"obligation": {"counted_status", "counted_due", "counted_extensions"}, "activity": {"counted_progress"},
           "plan": {"figures_stale"}}


def bookkeeping(changes: dict[str, Change]) -> dict[str, Change]:
    """The changes less the dashboard's counts, kept in the same transaction as every report, review,
    extension or period off control: the `rollup_*` tables, and the `counted_*` columns of the rows
    the write touched. Those count everybody's due dates and name nobody's; what else a write changed
    is left to check."""
    rest = {}
    for name, change in changes.items():
        if name.startswith("rollup_"):
            continue
        counted = COUNTED.get(name, set())
        changed = {key: kept for key, columns in change.changed.items()
                   if (kept := {c: v for c, v in columns.items() if c not in counted})}
        if change.added or change.removed or changed:
            rest[name] = Change(change.added, change.removed, changed)
    return rest


def row_now(table: str, key: tuple) -> dict | None:
    """A row as the database holds it now (for the columns a change did not touch)."""
    found = next(t for t in db.metadata.sorted_tables if t.name == table)
    columns = list(found.primary_key.columns)
    row = db.session.execute(select(found).where(and_(*(c == k for c, k in zip(columns, key, strict=True))))
                             ).mappings().first()
    return dict(row) if row else None


def told_accounts(bodies: set[int]) -> set[int]:
    """Who may be told of a change: every active coordinator, and the active executor accounts of the
    bodies the change concerns (as the accounts stand now)."""
    return set(db.session.scalars(select(User.id).where(User.active, or_(
        User.role == AccountRole.COORDINATOR, and_(User.role == AccountRole.EXECUTOR, User.body_id.in_(bodies))))))


def notified(changes: dict[str, Change], obligations: set[int], bodies: set[int]) -> list[str]:
    """Every notification the request added is about one of `obligations` (the due date it acted on)
    and goes to an account that should hear of it; none is changed or removed."""
    notes = changes.get("notification")
    if notes is None:
        return []
    problems = []
    if notes.removed or notes.changed:
        problems.append(f"notifications were changed or removed: {describe({'notification': notes})}")
    allowed = told_accounts(bodies)
    for row in notes.added.values():
        if row["obligation_id"] not in obligations:
            problems.append(f"a notification ({row['kind']}) is about due date {row['obligation_id']}, not "
                            f"{sorted(obligations)[:5]}")
        if row["account_id"] not in allowed:
            account = db.session.get(User, row["account_id"])
            problems.append(f"account {row['account_id']} ({account.role}, body {account.body_id}) was told "
                            f"({row['kind']}); it takes no part")
    return problems


def lead_body(obligation_id: int) -> int | None:
    lead = db.session.get(Obligation, obligation_id).activity.lead
    return lead.body_id if lead else None


def about_report(report: str) -> Callable[[World], tuple[set[int], set[int]]]:
    """A report's due date, and the bodies told of its review: its own, the activity's lead."""
    def told(w: World) -> tuple[set[int], set[int]]:
        row = row_now("completion_report", (w.reports[report],))
        return {row["obligation_id"]}, {row["body_id"], lead_body(row["obligation_id"])}
    return told


def new_report(*, obligation: str, body: str, user: str, kind: str, uploads: int, carried: tuple[str, ...] = (),
               action: str | None = None) -> Callable[[World, dict], list[str]]:
    """Exactly one new report — on `obligation`, of `body`, posted by `user`, as `kind` — with `uploads` new
    files and the stored files of the evidence named in `carried`; one history entry; nothing else."""

    def check(w: World, changes: dict[str, Change]) -> list[str]:
        changes = bookkeeping(changes)
        problems = []
        if extra := set(changes) - {"completion_report", "evidence", "history_entry", "files", "notification"}:
            problems.append(f"also changed {describe({t: changes[t] for t in sorted(extra)})}")
        # the coordinators are told of a lead's report, the lead's accounts of a contribution
        problems += notified(changes, {getattr(w, obligation)},
                             {getattr(w, body), lead_body(getattr(w, obligation))})
        reports = changes.get("completion_report")
        if reports is None or len(reports.added) != 1 or reports.removed or reports.changed:
            return [*problems, f"expected one new report, got {describe(changes)}"]
        [row] = reports.added.values()
        wanted = {"obligation_id": getattr(w, obligation), "body_id": getattr(w, body), "kind": kind,
                  "submitted_by_id": w.users[user], "state": "submitted"}
        got = {k: row[k] for k in wanted}
        if got != wanted:
            problems.append(f"the new report is {got}, expected {wanted}")
        evidence = changes.get("evidence", Change({}, {}, {}))
        if evidence.removed or evidence.changed:
            problems.append(f"existing evidence changed: {describe({'evidence': evidence})}")
        rows = list(evidence.added.values())
        if any(r["report_id"] != row["id"] for r in rows):
            problems.append("evidence was added to another report")
        files = changes.get("files", Change({}, {}, {}))
        if files.removed or files.changed:
            problems.append("files on disk were changed or removed")
        new_names = {name for (setting, name) in files.added if setting == "EVIDENCE_DIR"}
        uploaded = [r for r in rows if r["stored_name"] in new_names]
        if len(uploaded) != uploads or len(new_names) != uploads:
            problems.append(f"{len(uploaded)} uploaded file(s) stored, expected {uploads}")
        if any(r["uploaded_by_id"] != w.users[user] for r in uploaded):
            problems.append("an uploaded file is credited to another account")
        kept = sorted(r["stored_name"] for r in rows if r["stored_name"] not in new_names)
        expected_kept = sorted(w.stored[w.evidence[key]] for key in carried)
        if kept != expected_kept:
            problems.append(f"carried over stored files {kept}, expected {expected_kept}")
        history = changes.get("history_entry")
        if history is None or len(history.added) != 1:
            problems.append(f"expected one history entry, got {describe(changes)}")
        else:
            [entry] = history.added.values()
            expected_action = action or ("report.contributed" if kind == "contribution" else "report.submitted")
            if (entry["action"], entry["user_id"], entry["body_id"]) != (expected_action, w.users[user],
                                                                          getattr(w, body)):
                problems.append(f"history says {entry['action']} by {entry['user_id']} for body {entry['body_id']}")
        return problems

    return check


def only(*tables: str, check: Callable[[World, dict], list[str]] | None = None,
         told: Callable[[World], tuple[set[int], set[int]]] | None = None):
    """Something changed, and only in these tables (plus the history and the dashboard's counts);
    with `told` — (the due dates, the bodies concerned) — notifications too, each checked by `notified`."""

    def contained(w: World, changes: dict[str, Change]) -> list[str]:
        changes = bookkeeping(changes)
        problems = []
        if not changes:
            problems.append("the request succeeded but changed nothing")
        if extra := set(changes) - set(tables) - {"history_entry"} - ({"notification"} if told else set()):
            problems.append(f"also changed {describe({t: changes[t] for t in sorted(extra)})}")
        if told:
            problems += notified(changes, *(set(part) for part in told(w)))
        return problems + (check(w, changes) if check else [])

    return contained


def all_of(*checks: Callable[[World, dict], list[str]]) -> Callable[[World, dict], list[str]]:
    return lambda w, changes: [problem for check in checks for problem in check(w, changes)]


def added_rows(table: str, expected: Callable[[World], dict], count: int | None = 1):
    """`count` new rows of `table` (any number with None, at least one), each with these values."""
    def check(w: World, changes: dict[str, Change]) -> list[str]:
        found = changes.get(table)
        rows = list(found.added.values()) if found else []
        if not rows or (count is not None and len(rows) != count):
            return [f"expected {count or 'some'} new {table} row(s), got {describe(changes)}"]
        wanted = expected(w)
        wrong = [{k: row[k] for k in wanted} for row in rows if any(row[k] != v for k, v in wanted.items())]
        return [f"new {table} rows {wrong[:3]}, expected {wanted}"] if wrong else []
    return check


def own_rows(table: str, column: str, user: str, changed: bool = True, added: bool = True):
    """Every row of `table` the request added or changed has `column` = `user`'s account id (rows
    changed are read as they stand now, for the column the change did not touch)."""
    def check(w: World, changes: dict[str, Change]) -> list[str]:
        found = changes.get(table)
        if found is None:
            return [f"{table} did not change: {describe(changes)}"]
        problems = [f"{table} rows removed: {list(found.removed)[:3]}"] if found.removed else []
        if found.added and not added:
            problems.append(f"{table} rows added: {list(found.added.values())[:2]}")
        if found.changed and not changed:
            problems.append(f"{table} rows changed: {list(found.changed.items())[:2]}")
        rows = [*found.added.values(), *(row_now(table, key) for key in found.changed)]
        others = [row for row in rows if row[column] != w.users[user]]
        if others:
            problems.append(f"{table} rows of other accounts touched: {others[:2]}")
        return problems
    return check


def changed(table: str, key: Callable[[World], int], after: Callable[[World], dict]):
    """Of `table`, exactly the row `key` changed (none added or removed), to these values."""
    def check(w: World, changes: dict[str, Change]) -> list[str]:
        found = changes.get(table)
        wanted = (key(w),)
        if found is None or set(found.changed) != {wanted} or found.added or found.removed:
            return [f"expected {table} {wanted} alone to change, got {describe(changes)}"]
        now, expected = found.changed[wanted], after(w)
        if any(now.get(column, (None, None))[1] != value for column, value in expected.items()):
            return [f"{table} {wanted} changed as {now}, expected {expected}"]
        return []
    return check


def reviewed(report: str, state: str):
    def check(w: World, changes: dict[str, Change]) -> list[str]:
        reports = changes.get("completion_report")
        touched = {key[0] for key in reports.changed} if reports else set()
        if reports is None or touched != {w.reports[report]} or reports.added or reports.removed:
            return [f"expected only report {report} to change, got {describe(changes)}"]
        after = reports.changed[(w.reports[report],)]
        if after.get("state", (None, None))[1] != state or after.get("reviewed_by_id", (None, None))[1] != \
                w.users["coordinator"]:
            return [f"report {report} changed as {after}"]
        return []

    return check


def own_password_only(user: str):
    def check(w: World, changes: dict[str, Change]) -> list[str]:
        accounts = changes.get("user_account")
        if accounts is None or set(accounts.changed) != {(w.users[user],)} or accounts.added or accounts.removed:
            return [f"expected only {user}'s account to change, got {describe(changes)}"]
        # a new password ends the account's other sessions: its session token changes with it
        if set(accounts.changed[(w.users[user],)]) != {"password_hash", "session_token"}:
            return [f"{user}'s account changed in {sorted(accounts.changed[(w.users[user],)])}"]
        history = changes.get("history_entry")
        entries = list(history.added.values()) if history else []
        if [(e["action"], e["account_id"]) for e in entries] != [("account.password_changed", w.users[user])]:
            return [f"history: {entries}"]
        return []

    return check


def own_sessions_ended(user: str):
    """Signing out ends every session of one's own account: its session token changes, nothing else."""
    def check(w: World, changes: dict[str, Change]) -> list[str]:
        accounts = changes.get("user_account")
        if set(changes) != {"user_account"} or set(accounts.changed) != {(w.users[user],)} or accounts.added \
                or accounts.removed or set(accounts.changed[(w.users[user],)]) != {"session_token"}:
            return [f"expected only {user}'s session token to change, got {describe(changes)}"]
        return []

    return check


# --- the table ------------------------------------------------------------------------------------

U = "/obligations/{}/reports"
EXECUTORS = ("ex_x", "ex_y", "ex_z")
OTHERS = ("auditor", "admin")

ATTEMPTS: dict[tuple[str, str], list[Attempt]] = {
    # --- completion reports -----------------------------------------------------------------------
    ("reports.post_report", "POST"): [
        Attempt("ex_y posts a report on A (a form post)", "ex_y", obligation_url("o3"), lambda w: report_form()),
        Attempt("ex_y posts a report on A (htmx)", "ex_y", obligation_url("o3"), lambda w: report_form(),
                htmx=True, page=lambda w: f"/obligations/{w.o3}"),
        Attempt("ex_y posts on A's due date awaiting review", "ex_y", obligation_url("o2"), lambda w: report_form()),
        Attempt("ex_y posts on A's returned due date", "ex_y", obligation_url("o1"), lambda w: report_form()),
        Attempt("ex_y 'corrects' A's returned report carrying X's files", "ex_y", obligation_url("o1"),
                lambda w: report_form(files=0, keep_evidence=[str(w.evidence["x_o1"])])),
        Attempt("ex_y posts on A with body/kind/obligation ids in hidden fields", "ex_y", obligation_url("o3"),
                lambda w: report_form(**body_smuggled(w)), htmx=True),
        Attempt("ex_y's form rendered for its own due date, sent to A's URL", "ex_y", obligation_url("o3"),
                lambda w: report_form(obligation_id=w.ob3), htmx=True, page=lambda w: f"/obligations/{w.ob3}",
                page_shows=lambda w: f'action="/obligations/{w.ob3}/reports"'),
        Attempt("ex_y posts on an obligation that does not exist", "ex_y", lambda w: U.format(MISSING),
                lambda w: report_form(), answers=frozenset({404})),
        Attempt("ex_y corrects its own report carrying X's files from A", "ex_y", obligation_url("ob1"),
                lambda w: report_form(keep_evidence=[str(w.evidence["x_o1"])]), answers=frozenset({422})),
        Attempt("ex_y corrects its own report carrying Z's contribution file", "ex_y", obligation_url("ob1"),
                lambda w: report_form(files=0, keep_evidence=[str(w.evidence["z_o1"])]),
                answers=frozenset({422}), htmx=True),
        Attempt("ex_x corrects A's report carrying Y's file from B", "ex_x", obligation_url("o1"),
                lambda w: report_form(keep_evidence=[str(w.evidence["y_ob1"])]), answers=frozenset({422})),
        Attempt("ex_x corrects A's report carrying its own and Y's file", "ex_x", obligation_url("o1"),
                lambda w: report_form(files=0, keep_evidence=[str(w.evidence["x_o1"]), str(w.evidence["y_ob1"])]),
                answers=frozenset({422}), htmx=True),
        Attempt("ex_x posts a first report on A carrying Y's file", "ex_x", obligation_url("o3"),
                lambda w: report_form(files=0, keep_evidence=[str(w.evidence["y_ob1"])]), answers=frozenset({422})),
        Attempt("ex_x corrects A's report carrying Z's contribution file (same due date)", "ex_x",
                obligation_url("o1"), lambda w: report_form(files=0, keep_evidence=[str(w.evidence["z_o1"])]),
                answers=frozenset({422})),
        Attempt("ex_x posts on B, where X takes no part", "ex_x", obligation_url("ob3"), lambda w: report_form()),
        Attempt("ex_x posts on B (htmx)", "ex_x", obligation_url("ob3"), lambda w: report_form(), htmx=True),
        Attempt("ex_x 'corrects' B's returned report carrying Y's file", "ex_x", obligation_url("ob1"),
                lambda w: report_form(files=0, keep_evidence=[str(w.evidence["y_ob1"])])),
        Attempt("ex_z posts on B, where Z takes no part", "ex_z", obligation_url("ob3"), lambda w: report_form()),
        Attempt("ex_z posts on A 'as the lead' (kind, role, body of X in the form)", "ex_z", obligation_url("o3"),
                lambda w: report_form(**body_smuggled(w)), answers=frozenset({400, 403, 422}),
                contained=new_report(obligation="o3", body="z", user="ex_z", kind="contribution", uploads=1)),
        Attempt("ex_z contributes on A carrying X's returned files", "ex_z", obligation_url("o1"),
                lambda w: report_form(files=0, keep_evidence=[str(w.evidence["x_o1"])]),
                answers=frozenset({400, 403, 422}),
                contained=new_report(obligation="o1", body="z", user="ex_z", kind="contribution", uploads=0)),
        Attempt("ex_y posts on its own due date with A's and X's ids in the form", "ex_y", obligation_url("ob4"),
                lambda w: report_form(**body_smuggled(w)), answers=frozenset({400, 403, 422}),
                contained=new_report(obligation="ob4", body="y", user="ex_y", kind="lead", uploads=1)),
        Attempt("an account moved from X to Y, still signed in, posts on A", "ex_moved", obligation_url("o3"),
                lambda w: report_form(),
                prepare=lambda w: account_operations.update_user(
                    db.session.get(User, w.users["ex_moved"]), email=w.emails["ex_moved"], role="executor",
                    body=db.session.get(Body, w.y), name="", active=True, password=None,
                    actor=db.session.get(User, w.users["admin"]))),
        Attempt("a Z account disabled while signed in posts on A", "ex_disabled", obligation_url("o3"),
                lambda w: report_form(), answers=frozenset({302}), then=redirected_to_login, page=lambda w: "/login",
                prepare=lambda w: account_operations.update_user(
                    db.session.get(User, w.users["ex_disabled"]), email=w.emails["ex_disabled"], role="executor",
                    body=db.session.get(Body, w.z), name="", active=False, password=None,
                    actor=db.session.get(User, w.users["admin"]))),
        Attempt("the coordinator posts a report for X", "coordinator", obligation_url("o3"),
                lambda w: report_form(**body_smuggled(w))),
        *[Attempt(f"the {role} posts a report on A", role, obligation_url("o3"), lambda w: report_form())
          for role in OTHERS],
    ],
    ("reports.review", "POST"): [
        Attempt("ex_y accepts X's report on A", "ex_y", review_url("x_o2"), lambda w: accept()),
        Attempt("ex_y returns X's report on A (htmx)", "ex_y", review_url("x_o2"), lambda w: send_back(), htmx=True,
                page=lambda w: f"/obligations/{w.o2}"),
        Attempt("ex_x accepts its own report", "ex_x", review_url("x_o2"), lambda w: accept()),
        Attempt("ex_x accepts its own report (htmx, from its page)", "ex_x", review_url("x_o2"), lambda w: accept(),
                htmx=True, page=lambda w: f"/obligations/{w.o2}"),
        Attempt("ex_x returns Y's report on B", "ex_x", review_url("y_ob2"), lambda w: send_back()),
        Attempt("ex_z accepts the report of A's lead", "ex_z", review_url("x_o2"), lambda w: accept()),
        Attempt("ex_y accepts its own report", "ex_y", review_url("y_ob2"), lambda w: accept()),
        Attempt("ex_y accepts A's report with its own report and due date in the form", "ex_y", review_url("x_o2"),
                lambda w: accept(report_id=w.reports["y_ob2"], obligation_id=w.ob2, body_id=w.y),
                page=lambda w: f"/obligations/{w.ob2}"),
        Attempt("ex_y reviews a report that does not exist", "ex_y", lambda w: f"/reports/{MISSING}/review",
                lambda w: accept()),
        Attempt("the coordinator accepts Z's contribution as if it were the lead's report", "coordinator",
                review_url("z_o1"), lambda w: accept(), answers=frozenset({422})),
        Attempt("the coordinator accepts X's already returned report", "coordinator", review_url("x_o1"),
                lambda w: accept(), answers=frozenset({409, 422}), htmx=True),
        Attempt("the coordinator's form rendered for A's report, sent for Y's report with A's ids in the form",
                "coordinator", review_url("y_ob2"),
                lambda w: accept(report_id=w.reports["x_o2"], obligation_id=w.o2),
                page=lambda w: f"/obligations/{w.o2}", page_shows=lambda w: f'action="/reports/{w.reports["x_o2"]}/review"',
                answers=frozenset({400, 403, 422}),
                contained=only("completion_report", check=reviewed("y_ob2", "accepted"), told=about_report("y_ob2"))),
        *[Attempt(f"the {role} accepts X's report", role, review_url("x_o2"), lambda w: accept()) for role in OTHERS],
    ],
    # --- the coordinator's corrections -------------------------------------------------------------
    ("plans.resolve_warning", "POST"): [
        *[Attempt(f"{who} resolves a warning", who, lambda w: f"/warnings/{w.warning_id}/resolve",
                  lambda w: {"next": f"/plans/{w.plan_id}"}) for who in (*EXECUTORS, *OTHERS)],
        Attempt("ex_y resolves a warning (htmx, from the plan page)", "ex_y",
                lambda w: f"/warnings/{w.warning_id}/resolve", htmx=True, page=lambda w: f"/plans/{w.plan_id}"),
        Attempt("ex_y resolves a warning that does not exist", "ex_y", lambda w: f"/warnings/{MISSING}/resolve"),
    ],
    ("plans.assign_executor", "POST"): [
        Attempt("ex_y makes itself the lead of A", "ex_y", lambda w: f"/executors/{w.a_lead_row}/assign",
                lambda w: {"body_id": str(w.y)}),
        Attempt("ex_y makes itself the lead of A (htmx, from A's page)", "ex_y",
                lambda w: f"/executors/{w.a_lead_row}/assign", lambda w: {"body_id": str(w.y)}, htmx=True,
                page=lambda w: f"/activities/{w.a_id}"),
        Attempt("ex_y takes Z's place on A", "ex_y", lambda w: f"/executors/{w.a_z_row}/assign",
                lambda w: {"body_id": str(w.y)}),
        Attempt("ex_z makes itself the lead of A", "ex_z", lambda w: f"/executors/{w.a_lead_row}/assign",
                lambda w: {"body_id": str(w.z)}),
        Attempt("ex_x pushes Z off A", "ex_x", lambda w: f"/executors/{w.a_z_row}/assign",
                lambda w: {"body_id": str(w.x)}),
        Attempt("ex_x takes over B's lead", "ex_x", lambda w: f"/executors/{w.b_lead_row}/assign",
                lambda w: {"body_id": str(w.x)}),
        *[Attempt(f"the {role} assigns A's lead to Y", role, lambda w: f"/executors/{w.a_lead_row}/assign",
                  lambda w: {"body_id": str(w.y)}) for role in OTHERS],
    ],
    ("plans.set_executors", "POST"): [
        Attempt("ex_y rewrites A's executors with itself as the lead", "ex_y",
                lambda w: f"/activities/{w.a_id}/executors",
                lambda w: {"executors_text": f"{w.names[w.y]}, {w.names[w.x]}"}),
        Attempt("ex_y adds itself to A (htmx)", "ex_y", lambda w: f"/activities/{w.a_id}/executors",
                lambda w: {"executors_text": f"{w.names[w.x]}, {w.names[w.y]}"}, htmx=True,
                page=lambda w: f"/activities/{w.a_id}"),
        Attempt("ex_z makes itself A's lead", "ex_z", lambda w: f"/activities/{w.a_id}/executors",
                lambda w: {"executors_text": f"{w.names[w.z]}, {w.names[w.x]}"}),
        Attempt("ex_x drops A's co-executors", "ex_x", lambda w: f"/activities/{w.a_id}/executors",
                lambda w: {"executors_text": w.names[w.x]}),
        Attempt("ex_x adds itself to B", "ex_x", lambda w: f"/activities/{w.b_id}/executors",
                lambda w: {"executors_text": f"{w.names[w.y]}, {w.names[w.x]}"}),
        Attempt("ex_y rewrites an activity that does not exist", "ex_y",
                lambda w: f"/activities/{MISSING}/executors", lambda w: {"executors_text": w.names[w.y]}),
        *[Attempt(f"the {role} rewrites A's executors", role, lambda w: f"/activities/{w.a_id}/executors",
                  lambda w: {"executors_text": w.names[w.y]}) for role in OTHERS],
    ],
    ("plans.edit_activity", "POST"): [
        Attempt("ex_x (A's lead) edits A", "ex_x", lambda w: f"/activities/{w.a_id}/edit",
                lambda w: {**w.a_form, "deadline_text": "2030 жылғы 31 желтоқсан"}),
        Attempt("ex_y edits A", "ex_y", lambda w: f"/activities/{w.a_id}/edit",
                lambda w: {**w.a_form, "text": "Rewritten by Y."}),
        Attempt("ex_y edits A (htmx)", "ex_y", lambda w: f"/activities/{w.a_id}/edit",
                lambda w: {**w.a_form, "text": "Rewritten by Y."}, htmx=True, page=lambda w: f"/activities/{w.a_id}"),
        Attempt("ex_z edits A", "ex_z", lambda w: f"/activities/{w.a_id}/edit",
                lambda w: {**w.a_form, "funding_text": "1 000 000 теңге"}),
        *[Attempt(f"the {role} edits A", role, lambda w: f"/activities/{w.a_id}/edit",
                  lambda w: {**w.a_form, "text": "Rewritten."}) for role in OTHERS],
    ],
    ("plans.edit_plan", "POST"): [
        *[Attempt(f"{who} edits the plan", who, lambda w: f"/plans/{w.plan_id}/edit",
                  lambda w: {**w.plan_form, "default_frequency": "monthly"}) for who in (*EXECUTORS, *OTHERS)],
        Attempt("ex_y edits the plan (htmx)", "ex_y", lambda w: f"/plans/{w.plan_id}/edit",
                lambda w: {**w.plan_form, "title": "Y's plan"}, htmx=True, page=lambda w: f"/plans/{w.plan_id}"),
    ],
    ("plans.new_plan", "POST"): [
        *[Attempt(f"{who} creates a plan", who, lambda w: "/plans/new", lambda w: {
            "title": "Y's own plan", "region": "Қостанай облысы", "period_start": "2026-01-01",
            "period_end": "2026-12-31", "default_frequency": "quarterly"}) for who in ("ex_y", "ex_x", *OTHERS)],
        Attempt("ex_y creates a plan (htmx)", "ex_y", lambda w: "/plans/new", lambda w: {
            "title": "Y's plan", "region": "Қостанай облысы", "period_start": "2026-01-01",
            "period_end": "2026-12-31", "default_frequency": "quarterly"}, htmx=True),
    ],
    ("plans.new_activity", "POST"): [
        *[Attempt(f"{who} adds an activity to the plan", who, lambda w: f"/plans/{w.plan_id}/activities/new",
                  lambda w: {"number": "99", "text": "An activity of Y's own.", "executors_text": w.names[w.y],
                             "deadline_text": "2020 жылғы 25 желтоқсан"}) for who in ("ex_y", "ex_x", *OTHERS)],
        Attempt("ex_y adds an activity (htmx)", "ex_y", lambda w: f"/plans/{w.plan_id}/activities/new",
                lambda w: {"number": "98", "text": "Another.", "executors_text": f"{w.names[w.y]}, {w.names[w.x]}",
                           "deadline_text": "2020 жылғы 25 желтоқсан"}, htmx=True),
    ],
    ("plans.upload", "POST"): [
        *[Attempt(f"{who} uploads a plan", who, lambda w: "/import",
                  lambda w: {"document": (io.BytesIO(KOSTANAY.read_bytes()), KOSTANAY.name)})
          for who in ("ex_y", "ex_x", *OTHERS)],
        Attempt("ex_y uploads a plan (htmx)", "ex_y", lambda w: "/import",
                lambda w: {"document": (io.BytesIO(KOSTANAY.read_bytes()), KOSTANAY.name)}, htmx=True),
    ],
    ("plans.confirm", "POST"): [
        *[Attempt(f"{who} confirms the coordinator's staged import", who, lambda w: f"/import/{w.token}")
          for who in ("ex_y", "ex_x", *OTHERS)],
        Attempt("ex_y confirms the staged import (htmx)", "ex_y", lambda w: f"/import/{w.token}", htmx=True),
    ],
    # --- accounts and bodies --------------------------------------------------------------------------
    ("admin.new_user", "POST"): [
        Attempt("ex_y creates an executor account of body X", "ex_y", lambda w: "/admin/users/new", lambda w: {
            "email": "mole@test.example", "name": "", "role": "executor", "body_id": str(w.x),
            "password": "long-enough-1", "active": "y"}),
        Attempt("ex_y creates a coordinator account", "ex_y", lambda w: "/admin/users/new", lambda w: {
            "email": "boss@test.example", "name": "", "role": "coordinator", "body_id": "0",
            "password": "long-enough-1", "active": "y"}, htmx=True),
        *[Attempt(f"the {role} creates an executor account of body Y", role, lambda w: "/admin/users/new",
                  lambda w: {"email": "new@test.example", "name": "", "role": "executor", "body_id": str(w.y),
                             "password": "long-enough-1", "active": "y"}) for role in ("coordinator", "auditor")],
    ],
    ("admin.edit_user", "POST"): [
        Attempt("ex_y moves its own account to body X", "ex_y", lambda w: f"/admin/users/{w.users['ex_y']}",
                lambda w: {"email": w.emails["ex_y"], "name": "", "role": "executor", "body_id": str(w.x),
                           "password": "", "active": "y"}),
        Attempt("ex_y makes itself a coordinator", "ex_y", lambda w: f"/admin/users/{w.users['ex_y']}",
                lambda w: {"email": w.emails["ex_y"], "name": "", "role": "coordinator", "body_id": "0",
                           "password": "", "active": "y"}, htmx=True),
        Attempt("ex_y moves ex_x's account to body Y", "ex_y", lambda w: f"/admin/users/{w.users['ex_x']}",
                lambda w: {"email": w.emails["ex_x"], "name": "", "role": "executor", "body_id": str(w.y),
                           "password": "", "active": "y"}),
        Attempt("ex_y sets ex_x's password and takes its e-mail", "ex_y", lambda w: f"/admin/users/{w.users['ex_x']}",
                lambda w: {"email": "y-owns-this@test.example", "name": "", "role": "executor", "body_id": str(w.x),
                           "password": "taken-over-1", "active": "y"}),
        Attempt("ex_y disables ex_x", "ex_y", lambda w: f"/admin/users/{w.users['ex_x']}",
                lambda w: {"email": w.emails["ex_x"], "name": "", "role": "executor", "body_id": str(w.x),
                           "password": ""}),
        Attempt("ex_x moves ex_y's account to body X", "ex_x", lambda w: f"/admin/users/{w.users['ex_y']}",
                lambda w: {"email": w.emails["ex_y"], "name": "", "role": "executor", "body_id": str(w.x),
                           "password": "", "active": "y"}),
        Attempt("ex_z moves ex_z to body X", "ex_z", lambda w: f"/admin/users/{w.users['ex_z']}",
                lambda w: {"email": w.emails["ex_z"], "name": "", "role": "executor", "body_id": str(w.x),
                           "password": "", "active": "y"}),
        *[Attempt(f"the {role} moves ex_y to body X", role, lambda w: f"/admin/users/{w.users['ex_y']}",
                  lambda w: {"email": w.emails["ex_y"], "name": "", "role": "executor", "body_id": str(w.x),
                             "password": "", "active": "y"}) for role in ("coordinator", "auditor")],
    ],
    ("admin.edit_body", "POST"): [
        Attempt("ex_y renames body X", "ex_y", lambda w: f"/admin/bodies/{w.x}",
                lambda w: {"name": "Renamed by Y", "name_ru": "", "abbreviation": "YY"}),
        Attempt("ex_y gives its own body X's name", "ex_y", lambda w: f"/admin/bodies/{w.y}",
                lambda w: {"name": w.names[w.x], "name_ru": "", "abbreviation": "ББ"}, htmx=True),
        Attempt("ex_x renames its own body", "ex_x", lambda w: f"/admin/bodies/{w.x}",
                lambda w: {"name": "Renamed by X", "name_ru": "", "abbreviation": "ББ"}),
        Attempt("ex_z renames body X", "ex_z", lambda w: f"/admin/bodies/{w.x}",
                lambda w: {"name": "Renamed by Z", "name_ru": "", "abbreviation": ""}),
        *[Attempt(f"the {role} renames body Y", role, lambda w: f"/admin/bodies/{w.y}",
                  lambda w: {"name": "Renamed", "name_ru": "", "abbreviation": ""}) for role in ("coordinator", "auditor")],
    ],
    # --- one's own session and password: nothing to own but one's own account -------------------------
    ("auth.password", "POST"): [
        Attempt("ex_y with a wrong current password and ex_x's ids in the form", "ex_y", lambda w: "/account/password",
                lambda w: {"current": "not-the-password", "new": "changed-by-y-1", "repeat": "changed-by-y-1",
                           "user_id": w.users["ex_x"], "email": w.emails["ex_x"], "body_id": w.x,
                           "role": "coordinator"}, answers=frozenset({200})),
        Attempt("ex_y changes its password with ex_x's ids, body X and a role in the form", "ex_y",
                lambda w: "/account/password",
                lambda w: {"current": "test-password-1", "new": "changed-by-y-1", "repeat": "changed-by-y-1",
                           "user_id": w.users["ex_x"], "id": w.users["ex_x"], "email": w.emails["ex_x"],
                           "body_id": w.x, "role": "coordinator", "active": ""},
                answers=frozenset({200, 400, 403, 422}), contained=own_password_only("ex_y")),
    ],
    ("auth.login", "POST"): [
        Attempt("ex_y, signed in, signs in as ex_x", "ex_y", lambda w: "/login",
                lambda w: {"email": w.emails["ex_x"], "password": "test-password-1", "user_id": w.users["ex_x"]},
                answers=frozenset({302}), then=signed_in_as("ex_y")),
        Attempt("someone signs in as ex_x with a wrong password and ex_y's id", "anonymous", lambda w: "/login",
                lambda w: {"email": w.emails["ex_x"], "password": "wrong-password", "user_id": w.users["ex_y"]},
                answers=frozenset({200}), then=signed_in_as("anonymous")),
    ],
    ("auth.logout", "POST"): [
        Attempt("ex_y signs out naming ex_x", "ex_y", lambda w: "/logout", lambda w: {"user_id": w.users["ex_x"]},
                answers=frozenset(), contained=own_sessions_ended("ex_y"), then=signed_in_as("anonymous")),
    ],
    # --- evidence: reading is every signed-in user's right by design (README, Roles: "download
    # evidence" for all four roles), so a GET is no hole; writing verbs must change nothing --------------
    ("reports.download", "GET"): [
        *[Attempt(f"ex_y sends {verb} to X's evidence", "ex_y", lambda w: f"/evidence/{w.evidence['x_o1']}",
                  lambda w: {"file": pdf("replacement")}, method=verb, answers=frozenset({405}))
          for verb in ("POST", "PUT", "PATCH", "DELETE")],
        Attempt("ex_y posts to X's evidence (htmx)", "ex_y", lambda w: f"/evidence/{w.evidence['x_o2']}",
                lambda w: {"file": pdf("replacement")}, htmx=True, answers=frozenset({405})),
        Attempt("ex_z deletes Y's evidence", "ex_z", lambda w: f"/evidence/{w.evidence['y_ob1']}",
                method="DELETE", answers=frozenset({405})),
    ],
    # --- items on control: an extension is asked by the lead's staff before the due date; the
    # coordinator decides, takes off and puts back, records events and keeps the calendar -------------
    ("control.request_extension", "POST"): [
        Attempt("ex_y asks to move A's last due date", "ex_y", lambda w: f"/obligations/{w.ids['o6']}/extensions",
                lambda w: extension_form(date(2022, 1, 31)), today=BEFORE_LAST, answers=frozenset({422})),
        Attempt("ex_y asks to move A's last due date (htmx, from its page)", "ex_y",
                lambda w: f"/obligations/{w.ids['o6']}/extensions", lambda w: extension_form(date(2022, 1, 31)),
                htmx=True, page=lambda w: f"/obligations/{w.ids['o6']}", today=BEFORE_LAST, answers=frozenset({422})),
        Attempt("ex_y asks for A's due date with its own body and B's due date in the form", "ex_y",
                lambda w: f"/obligations/{w.ids['o6']}/extensions",
                lambda w: extension_form(date(2022, 1, 31), body_id=w.y, obligation_id=w.ids["ob_last"],
                                         requested_by_id=w.users["ex_y"]),
                today=BEFORE_LAST, answers=frozenset({422})),
        Attempt("ex_z (A's co-executor) asks to move A's due date", "ex_z",
                lambda w: f"/obligations/{w.ids['o6']}/extensions", lambda w: extension_form(date(2022, 1, 31)),
                today=BEFORE_LAST, answers=frozenset({422})),
        Attempt("ex_x asks to move B's due date", "ex_x", lambda w: f"/obligations/{w.ids['ob_last']}/extensions",
                lambda w: extension_form(date(2022, 1, 31)), today=BEFORE_LAST, answers=frozenset({422})),
        Attempt("ex_d1 (handed part of A's fourth due date) asks to move it", "ex_d1",
                lambda w: f"/obligations/{w.ids['o4']}/extensions", lambda w: extension_form(date(2021, 1, 31)),
                today=date(2020, 12, 1), answers=frozenset({422})),
        Attempt("ex_y asks for a due date that does not exist", "ex_y", lambda w: f"/obligations/{MISSING}/extensions",
                lambda w: extension_form(date(2022, 1, 31)), today=BEFORE_LAST, answers=frozenset({404})),
        *[Attempt(f"the {role} asks to move A's due date", role, lambda w: f"/obligations/{w.ids['o6']}/extensions",
                  lambda w: extension_form(date(2022, 1, 31)), today=BEFORE_LAST, answers=frozenset({422}))
          for role in ("coordinator", *OTHERS)],
        Attempt("ex_y asks for its own due date on B with A's and X's ids in the form", "ex_y",
                lambda w: f"/obligations/{w.ids['ob_last']}/extensions",
                lambda w: extension_form(date(2022, 1, 31), body_id=w.x, obligation_id=w.ids["o6"],
                                         requested_by_id=w.users["ex_x"]),
                today=BEFORE_LAST, answers=frozenset({400, 403, 422}), contained=only(
                    "extension_request", told=lambda w: ({w.ids["ob_last"]}, {w.y}),
                    check=added_rows("extension_request", lambda w: {
                        "obligation_id": w.ids["ob_last"], "body_id": w.y, "requested_by_id": w.users["ex_y"],
                        "state": "pending"}))),
    ],
    ("control.decide_extension", "POST"): [
        Attempt("ex_y approves X's extension", "ex_y", lambda w: f"/extensions/{w.ids['extension']}/decision",
                lambda w: {"approve": "Approve", "comment": ""}),
        Attempt("ex_y refuses X's extension (htmx, from A's page)", "ex_y",
                lambda w: f"/extensions/{w.ids['extension']}/decision",
                lambda w: {"refuse": "Refuse", "comment": "Refused by someone who may not."}, htmx=True,
                page=lambda w: f"/obligations/{w.ids['o5']}"),
        Attempt("ex_x approves its own extension", "ex_x", lambda w: f"/extensions/{w.ids['extension']}/decision",
                lambda w: {"approve": "Approve", "comment": ""}),
        Attempt("ex_z approves the extension of A's lead", "ex_z", lambda w: f"/extensions/{w.ids['extension']}/decision",
                lambda w: {"approve": "Approve", "comment": ""}),
        Attempt("ex_y decides a request that does not exist", "ex_y", lambda w: f"/extensions/{MISSING}/decision",
                lambda w: {"approve": "Approve", "comment": ""}),
        *[Attempt(f"the {role} approves X's extension", role, lambda w: f"/extensions/{w.ids['extension']}/decision",
                  lambda w: {"approve": "Approve", "comment": ""}) for role in OTHERS],
    ],
    ("control.take_off_control", "POST"): [
        Attempt("ex_x takes its own activity A off control", "ex_x", lambda w: f"/activities/{w.a_id}/control/off",
                lambda w: {"grounds": "executed", "comment": ""}),
        Attempt("ex_y takes A off control (htmx)", "ex_y", lambda w: f"/activities/{w.a_id}/control/off",
                lambda w: {"grounds": "lost_relevance", "comment": ""}, htmx=True),
        Attempt("ex_y takes the whole plan off control", "ex_y", lambda w: f"/plans/{w.plan_id}/control/off",
                lambda w: {"grounds": "executed", "comment": ""}),
        Attempt("ex_z takes the whole plan off control", "ex_z", lambda w: f"/plans/{w.plan_id}/control/off",
                lambda w: {"grounds": "executed", "comment": ""}),
        *[Attempt(f"the {role} takes A off control", role, lambda w: f"/activities/{w.a_id}/control/off",
                  lambda w: {"grounds": "executed", "comment": ""}) for role in OTHERS],
    ],
    ("control.put_back_on_control", "POST"): [
        Attempt("ex_y puts the activity back on control", "ex_y",
                lambda w: f"/activities/{w.ids['off_activity']}/control/on"),
        Attempt("ex_x puts the activity back on control (htmx)", "ex_x",
                lambda w: f"/activities/{w.ids['off_activity']}/control/on", htmx=True),
        Attempt("ex_z puts the plan back on control", "ex_z", lambda w: f"/plans/{w.plan_id}/control/on"),
        *[Attempt(f"the {role} puts the activity back on control", role,
                  lambda w: f"/activities/{w.ids['off_activity']}/control/on") for role in OTHERS],
    ],
    ("control.record_event", "POST"): [
        Attempt("ex_x (the activity's lead) records the event its due date waits for", "ex_x",
                lambda w: f"/obligations/{w.ids['event_obligation']}/event", lambda w: {"event_on": "2026-11-20"}),
        Attempt("ex_y records the event (htmx)", "ex_y", lambda w: f"/obligations/{w.ids['event_obligation']}/event",
                lambda w: {"event_on": "2026-11-20"}, htmx=True),
        *[Attempt(f"the {role} records the event", role, lambda w: f"/obligations/{w.ids['event_obligation']}/event",
                  lambda w: {"event_on": "2026-11-20"}) for role in OTHERS],
    ],
    ("control.set_calendar_day", "POST"): [
        *[Attempt(f"{who} declares a day off", who, lambda w: "/calendar",
                  lambda w: {"day": "2026-12-25", "working": "0", "reason": "Declared by someone who may not."})
          for who in ("ex_y", "ex_x", *OTHERS)],
        Attempt("ex_y makes the coordinator's day off a working day", "ex_y", lambda w: "/calendar",
                lambda w: {"day": "2026-12-18", "working": "1", "reason": "x"}, htmx=True),
    ],
    ("control.remove_calendar_day", "POST"): [
        *[Attempt(f"{who} removes the coordinator's calendar day", who,
                  lambda w: f"/calendar/{w.ids['calendar_day']}/remove") for who in ("ex_y", "ex_x", *OTHERS)],
    ],
    # --- the chain: a body hands down its own due dates to the bodies below it, reports on what it was
    # handed, reviews what it handed down --------------------------------------------------------------
    ("delegation.delegate_obligation", "POST"): [
        Attempt("ex_y hands down A's due date", "ex_y", lambda w: f"/obligations/{w.ids['o4']}/delegations",
                lambda w: delegate_form(f"b{w.ids['d2']}")),
        Attempt("ex_y hands down A's due date (htmx, from its page)", "ex_y",
                lambda w: f"/obligations/{w.ids['o4']}/delegations", lambda w: delegate_form(f"b{w.ids['d2']}"),
                htmx=True, page=lambda w: f"/obligations/{w.ids['o4']}"),
        Attempt("ex_d1 hands down the plan's due date it was handed a part of", "ex_d1",
                lambda w: f"/obligations/{w.ids['o4']}/delegations", lambda w: delegate_form(f"b{w.ids['s1']}")),
        Attempt("ex_x hands down B's due date", "ex_x", lambda w: f"/obligations/{w.ids['ob_last']}/delegations",
                lambda w: delegate_form(f"b{w.ids['d1']}")),
        Attempt("ex_x hands A's due date down to body Y", "ex_x", lambda w: f"/obligations/{w.ids['o5']}/delegations",
                lambda w: delegate_form(f"b{w.y}"), answers=frozenset({422})),
        Attempt("ex_x hands A's due date down to D1's school", "ex_x",
                lambda w: f"/obligations/{w.ids['o5']}/delegations", lambda w: delegate_form(f"b{w.ids['s1']}"),
                answers=frozenset({422})),
        Attempt("ex_z (A's co-executor) hands A's due date down to X's districts", "ex_z",
                lambda w: f"/obligations/{w.ids['o5']}/delegations", lambda w: delegate_form(f"b{w.ids['d2']}"),
                answers=frozenset({422})),
        *[Attempt(f"the {role} hands down A's due date", role, lambda w: f"/obligations/{w.ids['o5']}/delegations",
                  lambda w: delegate_form(f"b{w.ids['d1']}")) for role in ("coordinator", *OTHERS)],
        Attempt("ex_x hands A's due date down with Y as the body above and D1's part as the parent", "ex_x",
                lambda w: f"/obligations/{w.ids['o6']}/delegations",
                lambda w: delegate_form(f"b{w.ids['d2']}", from_body_id=w.y, parent_id=w.ids["d_x_d1"], body_id=w.y,
                                        obligation_id=w.ids["ob_last"], depth=3),
                answers=frozenset({400, 403, 422}), contained=only(
                    "delegation", "delegation_above", "delegation_file", "files",
                    told=lambda w: ({w.ids["o6"]}, {w.ids["d2"]}),
                    check=added_rows("delegation", lambda w: {
                        "obligation_id": w.ids["o6"], "from_body_id": w.x, "body_id": w.ids["d2"], "parent_id": None,
                        "depth": 1}))),
    ],
    ("delegation.delegate_further", "POST"): [
        Attempt("ex_d2 hands down D1's part", "ex_d2", lambda w: f"/delegations/{w.ids['d_x_d1']}/delegations",
                lambda w: delegate_form(f"b{w.ids['s2']}")),
        Attempt("ex_y hands down D1's part (htmx, from its page)", "ex_y",
                lambda w: f"/delegations/{w.ids['d_x_d1']}/delegations", lambda w: delegate_form(f"b{w.ids['s1']}"),
                htmx=True, page=lambda w: f"/delegations/{w.ids['d_x_d1']}"),
        Attempt("ex_x (which handed it down) hands D1's part further", "ex_x",
                lambda w: f"/delegations/{w.ids['d_x_d1']}/delegations", lambda w: delegate_form(f"b{w.ids['s1']}")),
        Attempt("ex_s1 hands down D1's part", "ex_s1", lambda w: f"/delegations/{w.ids['d_x_d1']}/delegations",
                lambda w: delegate_form(f"b{w.ids['s1']}")),
        Attempt("ex_d1 hands its part down to D2's school", "ex_d1",
                lambda w: f"/delegations/{w.ids['d_x_d1']}/delegations", lambda w: delegate_form(f"b{w.ids['s2']}"),
                answers=frozenset({422})),
        Attempt("ex_d1 hands its part back up to X", "ex_d1", lambda w: f"/delegations/{w.ids['d_x_d1']}/delegations",
                lambda w: delegate_form(f"b{w.x}"), answers=frozenset({422})),
        *[Attempt(f"the {role} hands down D1's part", role, lambda w: f"/delegations/{w.ids['d_x_d1']}/delegations",
                  lambda w: delegate_form(f"b{w.ids['s1']}")) for role in ("coordinator", *OTHERS)],
    ],
    ("delegation.post_report", "POST"): [
        Attempt("ex_y reports on D2's part", "ex_y", lambda w: f"/delegations/{w.ids['d_x_d2']}/reports",
                lambda w: sub_report_form()),
        Attempt("ex_y reports on D2's part (htmx, from its page)", "ex_y",
                lambda w: f"/delegations/{w.ids['d_x_d2']}/reports", lambda w: sub_report_form(), htmx=True,
                page=lambda w: f"/delegations/{w.ids['d_x_d2']}"),
        Attempt("ex_d1 reports on D2's part", "ex_d1", lambda w: f"/delegations/{w.ids['d_x_d2']}/reports",
                lambda w: sub_report_form()),
        Attempt("ex_x (which handed it down) reports on D2's part", "ex_x",
                lambda w: f"/delegations/{w.ids['d_x_d2']}/reports", lambda w: sub_report_form()),
        Attempt("ex_d1 reports for its school", "ex_d1", lambda w: f"/delegations/{w.ids['d_d1_s1']}/reports",
                lambda w: sub_report_form()),
        Attempt("ex_d2 reports on D1's part with D1's id in the form", "ex_d2",
                lambda w: f"/delegations/{w.ids['d_x_d1']}/reports", lambda w: sub_report_form(body_id=w.ids["d1"])),
        Attempt("ex_s1 posts a second report while one awaits review", "ex_s1",
                lambda w: f"/delegations/{w.ids['d_d1_s1']}/reports", lambda w: sub_report_form(),
                answers=frozenset({422})),
        *[Attempt(f"the {role} reports on D2's part", role, lambda w: f"/delegations/{w.ids['d_x_d2']}/reports",
                  lambda w: sub_report_form()) for role in ("coordinator", *OTHERS)],
    ],
    ("delegation.review", "POST"): [
        Attempt("ex_y accepts S1's report", "ex_y", lambda w: f"/sub-reports/{w.ids['r_s1']}/review",
                lambda w: {"accept": "Accept", "comment": ""}),
        Attempt("ex_y returns D1's report (htmx, from its page)", "ex_y",
                lambda w: f"/sub-reports/{w.ids['r_d1']}/review",
                lambda w: {"send_back": "Return", "comment": "Returned by someone who may not."}, htmx=True,
                page=lambda w: f"/delegations/{w.ids['d_x_d1']}"),
        Attempt("ex_s1 accepts its own report", "ex_s1", lambda w: f"/sub-reports/{w.ids['r_s1']}/review",
                lambda w: {"accept": "Accept", "comment": ""}),
        Attempt("ex_d2 accepts the report of D1's school", "ex_d2", lambda w: f"/sub-reports/{w.ids['r_s1']}/review",
                lambda w: {"accept": "Accept", "comment": ""}),
        Attempt("ex_x accepts a report two levels down", "ex_x", lambda w: f"/sub-reports/{w.ids['r_s1']}/review",
                lambda w: {"accept": "Accept", "comment": ""}),
        Attempt("ex_d1 accepts its own report", "ex_d1", lambda w: f"/sub-reports/{w.ids['r_d1']}/review",
                lambda w: {"accept": "Accept", "comment": ""}),
        Attempt("ex_s1 accepts its district's report", "ex_s1", lambda w: f"/sub-reports/{w.ids['r_d1']}/review",
                lambda w: {"accept": "Accept", "comment": ""}),
        Attempt("ex_y reviews a sub-report that does not exist", "ex_y", lambda w: f"/sub-reports/{MISSING}/review",
                lambda w: {"accept": "Accept", "comment": ""}, answers=frozenset({404})),
        *[Attempt(f"the {role} accepts S1's report", role, lambda w: f"/sub-reports/{w.ids['r_s1']}/review",
                  lambda w: {"accept": "Accept", "comment": ""}) for role in ("coordinator", *OTHERS)],
        Attempt("ex_d1 accepts S1's report with its own report's id in the form", "ex_d1",
                lambda w: f"/sub-reports/{w.ids['r_s1']}/review",
                lambda w: {"accept": "Accept", "comment": "", "sub_report_id": str(w.ids["r_d1"]),
                           "delegation_id": str(w.ids["d_x_d1"])},
                answers=frozenset({400, 403, 422}), contained=only(
                    "sub_report", told=lambda w: ({w.ids["o4"]}, {w.ids["s1"]}),
                    check=changed("sub_report", lambda w: w.ids["r_s1"],
                                  lambda w: {"state": "accepted", "reviewed_by_id": w.users["ex_d1"]}))),
    ],
    ("delegation.expand", "POST"): [
        Attempt("ex_y expands the group of activity 1.10", "ex_y",
                lambda w: f"/executors/{w.ids['group_executor']}/expand"),
        Attempt("ex_y expands the group (htmx)", "ex_y", lambda w: f"/executors/{w.ids['group_executor']}/expand",
                htmx=True),
        Attempt("ex_z expands the group", "ex_z", lambda w: f"/executors/{w.ids['group_executor']}/expand"),
        Attempt("ex_d1 (a member) expands its group", "ex_d1",
                lambda w: f"/executors/{w.ids['group_executor']}/expand"),
        Attempt("ex_x 'expands' A's own lead, no group", "ex_x", lambda w: f"/executors/{w.a_lead_row}/expand"),
        Attempt("ex_y expands an executor that does not exist", "ex_y", lambda w: f"/executors/{MISSING}/expand",
                answers=frozenset({404})),
        *[Attempt(f"the {role} expands the group", role, lambda w: f"/executors/{w.ids['group_executor']}/expand")
          for role in OTHERS],
    ],
    # --- indicators: the coordinator confirms and edits them and reviews actuals; the responsible body's
    # executors enter them, by the form or a spreadsheet ----------------------------------------------------
    ("indicators.confirm", "POST"): [
        *[Attempt(f"{who} confirms the proposal with body Y responsible", who,
                  lambda w: f"/plans/{w.plan_id}/indicators/confirm", lambda w: dict(w.forms["proposal"]))
          for who in ("ex_y", "ex_x", *OTHERS)],
        Attempt("ex_y confirms the proposal (htmx)", "ex_y", lambda w: f"/plans/{w.plan_id}/indicators/confirm",
                lambda w: dict(w.forms["proposal"]), htmx=True),
    ],
    ("indicators.dismiss", "POST"): [
        *[Attempt(f"{who} dismisses the proposal", who, lambda w: f"/plans/{w.plan_id}/indicators/dismiss",
                  lambda w: {"source_key": w.ids["proposal_key"], "dismiss": "Dismiss"})
          for who in ("ex_y", "ex_x", *OTHERS)],
    ],
    ("indicators.add_text", "POST"): [
        *[Attempt(f"{who} adds lines to read indicators from", who, lambda w: f"/plans/{w.plan_id}/indicators/text",
                  lambda w: {"text": INDICATOR_LINES, "frequency": ""}) for who in ("ex_y", "ex_x", *OTHERS)],
    ],
    ("indicators.edit", "POST"): [
        Attempt("ex_y makes its body responsible for X's indicator", "ex_y",
                lambda w: f"/indicators/{w.ids['ix']}/edit", lambda w: {**w.forms["ix"], "body_id": str(w.y)}),
        Attempt("ex_y edits X's indicator (htmx)", "ex_y", lambda w: f"/indicators/{w.ids['ix']}/edit",
                lambda w: {**w.forms["ix"], "tolerance": "50"}, htmx=True),
        Attempt("ex_x edits the targets of its own indicator", "ex_x", lambda w: f"/indicators/{w.ids['ix']}/edit",
                lambda w: {**w.forms["ix"], "targets": "2019 region 1\n2020 region 1\n2021 region 1"}),
        Attempt("ex_x edits Y's indicator", "ex_x", lambda w: f"/indicators/{w.ids['iy']}/edit",
                lambda w: {**w.forms["ix"], "source_key": "", "body_id": str(w.x)}),
        *[Attempt(f"the {role} edits X's indicator", role, lambda w: f"/indicators/{w.ids['ix']}/edit",
                  lambda w: {**w.forms["ix"], "tolerance": "50"}) for role in OTHERS],
    ],
    ("indicators.post_actual", "POST"): [
        Attempt("ex_y enters the actual of X's indicator", "ex_y", lambda w: f"/indicators/{w.ids['ix']}/actuals",
                actual_form("2020", 10, "ix_scope")),
        Attempt("ex_y enters X's actual (htmx, from the indicator's page)", "ex_y",
                lambda w: f"/indicators/{w.ids['ix']}/actuals", actual_form("2020", 10, "ix_scope"), htmx=True,
                page=lambda w: f"/indicators/{w.ids['ix']}"),
        Attempt("ex_z enters the actual of X's indicator", "ex_z", lambda w: f"/indicators/{w.ids['ix']}/actuals",
                actual_form("2021", 10, "ix_scope")),
        Attempt("ex_x enters the actual of Y's indicator", "ex_x", lambda w: f"/indicators/{w.ids['iy']}/actuals",
                actual_form("2019", 10, "iy_scope", next=lambda w: f"/obligations/{w.o3}")),
        Attempt("ex_y enters an actual of an indicator that does not exist", "ex_y",
                lambda w: f"/indicators/{MISSING}/actuals", actual_form("2020", 10, "iy_scope"),
                answers=frozenset({404})),
        *[Attempt(f"the {role} enters X's actual", role, lambda w: f"/indicators/{w.ids['ix']}/actuals",
                  actual_form("2020", 10, "ix_scope")) for role in ("coordinator", *OTHERS)],
        Attempt("ex_y enters its own actual with X's indicator and body in the form", "ex_y",
                lambda w: f"/indicators/{w.ids['iy']}/actuals",
                actual_form("2019", 71, "iy_scope", indicator_id=lambda w: w.ids["ix"], body_id=lambda w: w.x,
                            submitted_by_id=lambda w: w.users["ex_x"]),
                answers=frozenset({400, 403, 422}), contained=only("indicator_actual", check=added_rows(
                    "indicator_actual", lambda w: {"indicator_id": w.ids["iy"], "body_id": w.y,
                                                   "submitted_by_id": w.users["ex_y"], "state": "submitted"}),
                    told=lambda w: ({None}, {w.y}))),
    ],
    ("indicators.review", "POST"): [
        Attempt("ex_y accepts X's actual", "ex_y", lambda w: f"/actuals/{w.ids['actual']}/review",
                lambda w: {"accept": "Accept", "comment": ""}),
        Attempt("ex_y returns X's actual (htmx)", "ex_y", lambda w: f"/actuals/{w.ids['actual']}/review",
                lambda w: {"send_back": "Return", "comment": "Returned by someone who may not."}, htmx=True,
                page=lambda w: f"/indicators/{w.ids['ix']}"),
        Attempt("ex_x accepts its own actual", "ex_x", lambda w: f"/actuals/{w.ids['actual']}/review",
                lambda w: {"accept": "Accept", "comment": ""}),
        Attempt("ex_z accepts X's actual", "ex_z", lambda w: f"/actuals/{w.ids['actual']}/review",
                lambda w: {"accept": "Accept", "comment": ""}),
        *[Attempt(f"the {role} accepts X's actual", role, lambda w: f"/actuals/{w.ids['actual']}/review",
                  lambda w: {"accept": "Accept", "comment": ""}) for role in OTHERS],
    ],
    ("indicators.upload", "POST"): [
        Attempt("ex_z, whose body reports no indicator, uploads X's actuals", "ex_z",
                lambda w: f"/plans/{w.plan_id}/indicators/upload", spreadsheet_form("ix")),
        Attempt("ex_y uploads actuals of X's indicator", "ex_y", lambda w: f"/plans/{w.plan_id}/indicators/upload",
                spreadsheet_form("ix"), answers=frozenset({422})),
        Attempt("ex_y uploads actuals of X's indicator (htmx)", "ex_y",
                lambda w: f"/plans/{w.plan_id}/indicators/upload", spreadsheet_form("ix", "2021"), htmx=True,
                answers=frozenset({422})),
        Attempt("ex_x uploads actuals of Y's indicator", "ex_x", lambda w: f"/plans/{w.plan_id}/indicators/upload",
                spreadsheet_form("iy"), answers=frozenset({422})),
        *[Attempt(f"the {role} uploads X's actuals", role, lambda w: f"/plans/{w.plan_id}/indicators/upload",
                  spreadsheet_form("ix")) for role in ("coordinator", *OTHERS)],
    ],
    ("indicators.confirm_upload", "POST"): [
        # a staged file is its account's: another's token is "no longer kept" (a redirect, nothing stored);
        # a body that reports no indicator of the plan is refused outright, as for the upload
        Attempt("ex_y confirms the spreadsheet ex_x staged", "ex_y",
                lambda w: f"/plans/{w.plan_id}/indicators/upload/confirm",
                lambda w: {"token": w.ids["token_x"], "no_personal_data": "y"}, answers=frozenset({302})),
        Attempt("ex_z confirms the spreadsheet ex_x staged (htmx)", "ex_z",
                lambda w: f"/plans/{w.plan_id}/indicators/upload/confirm",
                lambda w: {"token": w.ids["token_x"], "no_personal_data": "y"}, htmx=True, answers=frozenset({403})),
        Attempt("ex_x confirms the spreadsheet ex_y staged", "ex_x",
                lambda w: f"/plans/{w.plan_id}/indicators/upload/confirm",
                lambda w: {"token": w.ids["token_y"], "no_personal_data": "y"}, answers=frozenset({302})),
        *[Attempt(f"the {role} confirms ex_x's spreadsheet", role,
                  lambda w: f"/plans/{w.plan_id}/indicators/upload/confirm",
                  lambda w: {"token": w.ids["token_x"], "no_personal_data": "y"}) for role in ("coordinator", *OTHERS)],
    ],
    # --- one's own account: feeds, reminders, notifications ----------------------------------------------
    ("feeds.make_feed", "POST"): [
        Attempt("ex_y makes a feed of body X", "ex_y", lambda w: "/account/feeds",
                lambda w: {"scope": "body", "body_id": str(w.x)}, answers=frozenset({302})),
        Attempt("ex_z makes a feed of body Y (htmx)", "ex_z", lambda w: "/account/feeds",
                lambda w: {"scope": "body", "body_id": str(w.y)}, htmx=True, answers=frozenset({302})),
        Attempt("ex_y makes an account feed naming ex_x's account", "ex_y", lambda w: "/account/feeds",
                lambda w: {"scope": "account", "account_id": str(w.users["ex_x"]), "user_id": str(w.users["ex_x"])},
                answers=frozenset({400, 403, 422}), contained=only("feed_token", check=all_of(
                    own_rows("feed_token", "account_id", "ex_y"),
                    added_rows("feed_token", lambda w: {"scope": "account", "body_id": None})))),
    ],
    ("feeds.regenerate_feed", "POST"): [
        Attempt("ex_y renews ex_x's feed (and would learn its new address)", "ex_y",
                lambda w: f"/account/feeds/{w.ids['feed_x']}/regenerate", answers=frozenset({404})),
        Attempt("ex_z renews ex_y's feed (htmx)", "ex_z", lambda w: f"/account/feeds/{w.ids['feed_y']}/regenerate",
                htmx=True, answers=frozenset({404})),
        *[Attempt(f"the {role} renews ex_x's feed", role, lambda w: f"/account/feeds/{w.ids['feed_x']}/regenerate",
                  answers=frozenset({404})) for role in ("coordinator", *OTHERS)],
    ],
    ("feeds.revoke_feed", "POST"): [
        Attempt("ex_y revokes ex_x's feed", "ex_y", lambda w: f"/account/feeds/{w.ids['feed_x']}/revoke",
                answers=frozenset({404})),
        Attempt("ex_x revokes ex_y's feed (htmx)", "ex_x", lambda w: f"/account/feeds/{w.ids['feed_y']}/revoke",
                htmx=True, answers=frozenset({404})),
        *[Attempt(f"the {role} revokes ex_y's feed", role, lambda w: f"/account/feeds/{w.ids['feed_y']}/revoke",
                  answers=frozenset({404})) for role in ("coordinator", *OTHERS)],
    ],
    ("mail.set_preference", "POST"): [
        Attempt("ex_y chooses weekly reminders naming ex_x's account", "ex_y", lambda w: "/account/reminders",
                lambda w: {"digest": "weekly", "account_id": str(w.users["ex_x"]), "user_id": str(w.users["ex_x"])},
                answers=frozenset({400, 403, 422}),
                contained=only("mail_preference", check=own_rows("mail_preference", "account_id", "ex_y"))),
        Attempt("ex_z chooses its reminders naming ex_y's account (htmx)", "ex_z", lambda w: "/account/reminders",
                lambda w: {"digest": "returned_only", "account_id": str(w.users["ex_y"])}, htmx=True,
                answers=frozenset({400, 403, 422}),
                contained=only("mail_preference", check=own_rows("mail_preference", "account_id", "ex_z"))),
    ],
    ("work.mark_all_read", "POST"): [
        Attempt("ex_y marks all read naming ex_x's account: only its own are read", "ex_y",
                lambda w: "/notifications/read", lambda w: {"account_id": str(w.users["ex_x"])},
                answers=frozenset({400, 403, 422}), contained=only("notification", check=own_rows(
                    "notification", "account_id", "ex_y", added=False))),
    ],
    ("work.open_notification", "GET"): [
        Attempt("ex_y opens ex_x's notification (and would mark it read)", "ex_y",
                lambda w: f"/notifications/{w.ids['note_ex_x']}", method="GET", answers=frozenset({404})),
        Attempt("ex_z opens ex_y's notification", "ex_z", lambda w: f"/notifications/{w.ids['note_ex_y']}",
                method="GET", answers=frozenset({404})),
        *[Attempt(f"the {role} opens ex_x's notification", role, lambda w: f"/notifications/{w.ids['note_ex_x']}",
                  method="GET", answers=frozenset({404})) for role in ("coordinator", *OTHERS)],
    ],
    ("jobs.send_failed_again", "POST"): [
        *[Attempt(f"{who} sends the failed e-mails again", who, lambda w: "/admin/outbox/send-again")
          for who in ("ex_x", "ex_y", "coordinator", "auditor")],
    ],
    # --- the administrator's district registry, organisations and the chain's places ----------------------
    ("districts.index", "POST"): [
        *[Attempt(f"{who} corrects the region's list of districts", who, lambda w: "/admin/districts",
                  lambda w: {"region": REGION, "units": w.forms["units"] + "\nЖаңа ауданы | Новый район"})
          for who in ("ex_x", "ex_y", "coordinator", "auditor")],
    ],
    ("districts.create_members", "POST"): [
        *[Attempt(f"{who} creates the districts' bodies", who, lambda w: "/admin/districts/bodies",
                  lambda w: {"region": REGION}) for who in ("ex_x", "ex_y", "coordinator", "auditor")],
    ],
    ("districts.import_organisations", "POST"): [
        *[Attempt(f"{who} imports a list of schools", who, lambda w: "/admin/organisations",
                  lambda w: {"region": REGION, "document": organisations_csv()})
          for who in ("ex_x", "ex_y", "ex_d1", "coordinator", "auditor")],
    ],
    ("districts.place", "POST"): [
        Attempt("ex_d1 puts D2's school under itself", "ex_d1", lambda w: f"/admin/bodies/{w.ids['s2']}/place",
                lambda w: {"level": "organisation", "parent": str(w.ids["d1"]), "district": ""}),
        Attempt("ex_x puts body Y under itself", "ex_x", lambda w: f"/admin/bodies/{w.y}/place",
                lambda w: {"level": "region", "parent": str(w.x), "district": ""}),
        Attempt("ex_y puts itself above body X", "ex_y", lambda w: f"/admin/bodies/{w.x}/place",
                lambda w: {"level": "region", "parent": str(w.y), "district": ""}),
        *[Attempt(f"the {role} moves D2's school", role, lambda w: f"/admin/bodies/{w.ids['s2']}/place",
                  lambda w: {"level": "organisation", "parent": str(w.ids["d1"]), "district": ""})
          for role in ("coordinator", "auditor")],
    ],
    # --- letters: the coordinator puts them on control; an executor of the body that signed a covering
    # letter passes it down ------------------------------------------------------------------------------
    ("letters.upload", "POST"): [
        *[Attempt(f"{who} uploads a letter", who, lambda w: "/letters/import",
                  lambda w: {"document": (io.BytesIO(MINISTRY.read_bytes()), MINISTRY.name)})
          for who in ("ex_y", "ex_x", *OTHERS)],
    ],
    ("letters.confirm", "POST"): [
        *[Attempt(f"{who} confirms the coordinator's staged letter", who,
                  lambda w: f"/letters/import/{w.ids['letter_token']}") for who in ("ex_y", "ex_x", *OTHERS)],
    ],
    ("letters.pass_down", "POST"): [
        Attempt("ex_y passes down T.Rysqulov district's letter", "ex_y",
                lambda w: f"/letters/{w.ids['letter_district']}/pass-down",
                lambda w: {"targets": [f"b{w.ids['school_r']}"]}, answers=frozenset({422})),
        # Shu district's department shares every word of its name but the place's with the signer's
        Attempt("ex_shu passes down the letter T.Rysqulov district signed", "ex_shu",
                lambda w: f"/letters/{w.ids['letter_district']}/pass-down", answers=frozenset({422}),
                page=lambda w: f"/letters/{w.ids['letter_district']}"),
        Attempt("ex_shu passes T.Rysqulov district's letter down to its own school", "ex_shu",
                lambda w: f"/letters/{w.ids['letter_district']}/pass-down",
                lambda w: {"targets": [f"b{w.ids['school_s']}"]}, answers=frozenset({422})),
        Attempt("ex_zh_edu (the region's department) passes down its district's letter", "ex_zh_edu",
                lambda w: f"/letters/{w.ids['letter_district']}/pass-down",
                lambda w: {"targets": [f"b{w.ids['rysqulov']}"]}, answers=frozenset({422})),
        Attempt("ex_zh_health passes down the district's letter (htmx)", "ex_zh_health",
                lambda w: f"/letters/{w.ids['letter_district']}/pass-down",
                lambda w: {"targets": [f"b{w.ids['school_r']}"]}, htmx=True, answers=frozenset({422})),
        Attempt("ex_rysqulov passes its letter down to Shu district's school", "ex_rysqulov",
                lambda w: f"/letters/{w.ids['letter_district']}/pass-down",
                lambda w: {"targets": [f"b{w.ids['school_s']}"]}, answers=frozenset({422})),
        Attempt("ex_rysqulov passes down the region's letter, passed already", "ex_rysqulov",
                lambda w: f"/letters/{w.ids['letter_region']}/pass-down",
                lambda w: {"targets": [f"b{w.ids['school_r']}"]}, answers=frozenset({422})),
        *[Attempt(f"the {role} passes down the district's letter", role,
                  lambda w: f"/letters/{w.ids['letter_district']}/pass-down",
                  lambda w: {"targets": [f"b{w.ids['school_r']}"]}) for role in ("coordinator", *OTHERS)],
    ],
}


def x_o1_file(w: World, client, response) -> str | None:
    return None if response.data == tiny_pdf("X O1") else "the download is not X's file"


CONTROLS: dict[tuple[str, str], list[Attempt]] = {
    ("reports.post_report", "POST"): [
        Attempt("ex_x posts the lead report on A", "ex_x", obligation_url("o3"), lambda w: report_form(),
                answers=frozenset(), contained=new_report(obligation="o3", body="x", user="ex_x", kind="lead",
                                                          uploads=1)),
        Attempt("ex_z posts its contribution on A (htmx)", "ex_z", obligation_url("o3"),
                lambda w: report_form("Z held meetings.", files=0), htmx=True, page=lambda w: f"/obligations/{w.o3}",
                page_shows=lambda w: f'action="/obligations/{w.o3}/reports"', answers=frozenset(),
                contained=new_report(obligation="o3", body="z", user="ex_z", kind="contribution", uploads=0)),
        Attempt("ex_x corrects A's returned report keeping its file", "ex_x", obligation_url("o1"),
                lambda w: report_form(keep_evidence=[str(w.evidence["x_o1"])]), page=lambda w: f"/obligations/{w.o1}",
                page_shows=lambda w: f'value="{w.evidence["x_o1"]}"', answers=frozenset(),
                contained=new_report(obligation="o1", body="x", user="ex_x", kind="lead", uploads=1,
                                     carried=("x_o1",), action="report.resubmitted")),
        Attempt("ex_y posts its own report on B", "ex_y", obligation_url("ob5"), lambda w: report_form(),
                answers=frozenset(), contained=new_report(obligation="ob5", body="y", user="ex_y", kind="lead",
                                                          uploads=1)),
    ],
    ("reports.review", "POST"): [
        Attempt("the coordinator accepts X's report on A (htmx)", "coordinator", review_url("x_o2"),
                lambda w: accept(), htmx=True, page=lambda w: f"/obligations/{w.o2}", answers=frozenset(),
                contained=only("completion_report", check=reviewed("x_o2", "accepted"), told=about_report("x_o2"))),
    ],
    ("plans.resolve_warning", "POST"): [
        Attempt("the coordinator resolves the warning (htmx)", "coordinator",
                lambda w: f"/warnings/{w.warning_id}/resolve", htmx=True, page=lambda w: f"/plans/{w.plan_id}",
                answers=frozenset(), contained=only("plan_warning")),
    ],
    ("plans.assign_executor", "POST"): [
        Attempt("the coordinator confirms B's lead as Y", "coordinator", lambda w: f"/executors/{w.b_lead_row}/assign",
                lambda w: {"body_id": str(w.y)}, answers=frozenset(),
                contained=only("activity_executor", "body_alias", "plan_warning")),
    ],
    ("plans.set_executors", "POST"): [
        Attempt("the coordinator rewrites A's executors", "coordinator", lambda w: f"/activities/{w.a_id}/executors",
                lambda w: {"executors_text": f"{w.names[w.x]}, {w.names[w.z]}"}, answers=frozenset(),
                contained=only("activity_executor", "plan_warning", "body_alias")),
    ],
    ("plans.edit_activity", "POST"): [
        Attempt("the coordinator edits A's funding", "coordinator", lambda w: f"/activities/{w.a_id}/edit",
                lambda w: {**w.a_form, "funding_text": "қаржыландыру талап етілмейді"}, answers=frozenset(),
                contained=only("activity")),
    ],
    ("plans.edit_plan", "POST"): [
        Attempt("the coordinator edits the plan", "coordinator", lambda w: f"/plans/{w.plan_id}/edit",
                lambda w: {**w.plan_form, "title": w.plan_form["title"] + " (edited)"}, answers=frozenset(),
                contained=only("plan")),
    ],
    ("plans.new_plan", "POST"): [
        Attempt("the coordinator creates a plan", "coordinator", lambda w: "/plans/new", lambda w: {
            "title": "A plan by hand", "region": "Қостанай облысы", "period_start": "2026-01-01",
            "period_end": "2026-12-31", "default_frequency": "quarterly"}, answers=frozenset(), contained=only("plan")),
    ],
    ("plans.new_activity", "POST"): [
        Attempt("the coordinator adds an activity", "coordinator", lambda w: f"/plans/{w.plan_id}/activities/new",
                lambda w: {"number": "99", "text": "Added by hand.", "executors_text": w.names[w.y],
                           "deadline_text": "2020 жылғы 25 желтоқсан"}, answers=frozenset(),
                # (naming a body as the registry writes it renames the body so: the coordinator's own doing)
                contained=only("activity", "activity_executor", "obligation", "section", "plan_warning", "plan",
                               "body", "body_alias")),
    ],
    ("plans.upload", "POST"): [
        Attempt("the coordinator uploads a plan", "coordinator", lambda w: "/import",
                lambda w: {"document": (io.BytesIO(KOSTANAY.read_bytes()), KOSTANAY.name)}, answers=frozenset(),
                contained=only("files")),
    ],
    ("plans.confirm", "POST"): [
        Attempt("the coordinator confirms the staged import", "coordinator", lambda w: f"/import/{w.token}",
                answers=frozenset(), contained=lambda w, changes: [] if "history_entry" in changes else [
                    f"no history of the re-import: {describe(changes)}"]),
    ],
    ("admin.new_user", "POST"): [
        Attempt("the administrator creates an executor of body Y", "admin", lambda w: "/admin/users/new",
                lambda w: {"email": "new-y@test.example", "name": "", "role": "executor", "body_id": str(w.y),
                           "password": "long-enough-1", "active": "y"}, answers=frozenset(),
                contained=only("user_account")),
    ],
    ("admin.edit_user", "POST"): [
        Attempt("the administrator renames ex_x", "admin", lambda w: f"/admin/users/{w.users['ex_x']}",
                lambda w: {"email": w.emails["ex_x"], "name": "Education, reports", "role": "executor",
                           "body_id": str(w.x), "password": "", "active": "y"}, answers=frozenset(),
                contained=only("user_account")),
    ],
    ("admin.edit_body", "POST"): [
        Attempt("the administrator edits body Y", "admin", lambda w: f"/admin/bodies/{w.y}",
                lambda w: {"name": w.names[w.y], "name_ru": "Центр", "abbreviation": ""}, answers=frozenset(),
                contained=only("body")),
    ],
    ("auth.password", "POST"): [
        Attempt("ex_x changes its own password", "ex_x", lambda w: "/account/password",
                lambda w: {"current": "test-password-1", "new": "changed-by-x-1", "repeat": "changed-by-x-1"},
                answers=frozenset(), contained=own_password_only("ex_x")),
    ],
    ("auth.login", "POST"): [
        Attempt("ex_x signs in", "anonymous", lambda w: "/login",
                lambda w: {"email": w.emails["ex_x"], "password": "test-password-1"}, answers=frozenset({302}),
                then=signed_in_as("ex_x")),
    ],
    ("auth.logout", "POST"): [
        Attempt("ex_x signs out", "ex_x", lambda w: "/logout", answers=frozenset(),
                contained=own_sessions_ended("ex_x"), then=signed_in_as("anonymous")),
    ],
    ("reports.download", "GET"): [
        Attempt("ex_y downloads X's evidence (reading is allowed to every signed-in user)", "ex_y",
                lambda w: f"/evidence/{w.evidence['x_o1']}", method="GET", answers=frozenset({200}),
                then=x_o1_file),
    ],
    ("control.request_extension", "POST"): [
        Attempt("ex_x asks to move A's last due date", "ex_x", lambda w: f"/obligations/{w.ids['o6']}/extensions",
                lambda w: extension_form(date(2022, 1, 31)), today=BEFORE_LAST, page=lambda w: f"/obligations/{w.ids['o6']}",
                answers=frozenset(), contained=only(
                    "extension_request", told=lambda w: ({w.ids["o6"]}, {w.x}),
                    check=added_rows("extension_request", lambda w: {
                        "obligation_id": w.ids["o6"], "body_id": w.x, "requested_by_id": w.users["ex_x"],
                        "state": "pending", "new_due_date": date(2022, 1, 31)}))),
    ],
    ("control.decide_extension", "POST"): [
        Attempt("the coordinator approves X's extension (htmx)", "coordinator",
                lambda w: f"/extensions/{w.ids['extension']}/decision", lambda w: {"approve": "Approve", "comment": ""},
                htmx=True, page=lambda w: f"/obligations/{w.ids['o5']}", answers=frozenset(), contained=only(
                    "extension_request", "obligation", told=lambda w: ({w.ids["o5"]}, {w.x}),
                    check=changed("extension_request", lambda w: w.ids["extension"],
                                  lambda w: {"state": "approved", "decided_by_id": w.users["coordinator"]}))),
    ],
    ("control.take_off_control", "POST"): [
        Attempt("the coordinator takes A off control", "coordinator", lambda w: f"/activities/{w.a_id}/control/off",
                lambda w: {"grounds": "executed", "comment": ""}, answers=frozenset(), contained=only(
                    "off_control", check=added_rows("off_control", lambda w: {
                        "plan_id": w.plan_id, "activity_id": w.a_id, "taken_by_id": w.users["coordinator"]}))),
    ],
    ("control.put_back_on_control", "POST"): [
        Attempt("the coordinator puts the activity back on control", "coordinator",
                lambda w: f"/activities/{w.ids['off_activity']}/control/on", answers=frozenset(), contained=only(
                    "off_control", check=changed("off_control", lambda w: w.ids["off_period"],
                                                 lambda w: {"until": TODAY, "returned_by_id": w.users["coordinator"]}))),
    ],
    ("control.record_event", "POST"): [
        Attempt("the coordinator records the event", "coordinator",
                lambda w: f"/obligations/{w.ids['event_obligation']}/event", lambda w: {"event_on": "2026-11-20"},
                answers=frozenset(), contained=only(
                    "obligation", told=lambda w: ({w.ids["event_obligation"]}, {w.x}),
                    check=changed("obligation", lambda w: w.ids["event_obligation"],
                                  lambda w: {"event_on": date(2026, 11, 20), "event_recorded_on": TODAY}))),
    ],
    ("control.set_calendar_day", "POST"): [
        Attempt("the coordinator declares a day off", "coordinator", lambda w: "/calendar",
                lambda w: {"day": "2026-12-25", "working": "0", "reason": "Облыс әкімінің өкімі (сынақ)"},
                answers=frozenset(), contained=only("calendar_day", check=added_rows("calendar_day", lambda w: {
                    "day": date(2026, 12, 25), "working": False, "set_by_id": w.users["coordinator"]}))),
    ],
    ("control.remove_calendar_day", "POST"): [
        Attempt("the coordinator removes the day", "coordinator", lambda w: f"/calendar/{w.ids['calendar_day']}/remove",
                answers=frozenset(), contained=only("calendar_day")),
    ],
    ("delegation.delegate_obligation", "POST"): [
        Attempt("ex_x hands A's fifth due date down to D1 (htmx)", "ex_x",
                lambda w: f"/obligations/{w.ids['o5']}/delegations", lambda w: delegate_form(f"b{w.ids['d1']}"),
                htmx=True, page=lambda w: f"/obligations/{w.ids['o5']}", answers=frozenset(), contained=only(
                    "delegation", "delegation_above", "delegation_file", "files",
                    told=lambda w: ({w.ids["o5"]}, {w.ids["d1"]}),
                    check=added_rows("delegation", lambda w: {
                        "obligation_id": w.ids["o5"], "from_body_id": w.x, "body_id": w.ids["d1"],
                        "created_by_id": w.users["ex_x"]}))),
    ],
    ("delegation.delegate_further", "POST"): [
        Attempt("ex_d2 hands its part down to its school", "ex_d2",
                lambda w: f"/delegations/{w.ids['d_x_d2']}/delegations", lambda w: delegate_form(f"b{w.ids['s2']}"),
                page=lambda w: f"/delegations/{w.ids['d_x_d2']}", answers=frozenset(), contained=only(
                    "delegation", "delegation_above", "delegation_file", "files",
                    told=lambda w: ({w.ids["o4"]}, {w.ids["s2"]}),
                    check=added_rows("delegation", lambda w: {
                        "obligation_id": w.ids["o4"], "parent_id": w.ids["d_x_d2"], "from_body_id": w.ids["d2"],
                        "body_id": w.ids["s2"], "depth": 2}))),
    ],
    ("delegation.post_report", "POST"): [
        Attempt("ex_d2 reports on its part, with D1's ids in the form", "ex_d2",
                lambda w: f"/delegations/{w.ids['d_x_d2']}/reports",
                lambda w: sub_report_form(body_id=w.ids["d1"], delegation_id=w.ids["d_x_d1"]),
                htmx=True, page=lambda w: f"/delegations/{w.ids['d_x_d2']}", answers=frozenset({400, 403, 422}),
                contained=only("sub_report", "delegation_file", "files", told=lambda w: ({w.ids["o4"]}, {w.x}),
                               check=added_rows("sub_report", lambda w: {
                                   "delegation_id": w.ids["d_x_d2"], "body_id": w.ids["d2"],
                                   "submitted_by_id": w.users["ex_d2"], "state": "submitted"}))),
    ],
    ("delegation.review", "POST"): [
        Attempt("ex_x returns D1's report", "ex_x", lambda w: f"/sub-reports/{w.ids['r_d1']}/review",
                lambda w: {"send_back": "Return", "comment": "Толықтырыңыз."}, answers=frozenset(), contained=only(
                    "sub_report", told=lambda w: ({w.ids["o4"]}, {w.ids["d1"]}),
                    check=changed("sub_report", lambda w: w.ids["r_d1"],
                                  lambda w: {"state": "returned", "reviewed_by_id": w.users["ex_x"]}))),
    ],
    ("delegation.expand", "POST"): [
        Attempt("ex_x, above the group's members, expands the group", "ex_x",
                lambda w: f"/executors/{w.ids['group_executor']}/expand", answers=frozenset(), contained=only(
                    "delegation", "delegation_above", "body",
                    told=lambda w: (set(w.ids["group_obligations"]),
                                    {m.id for m in registry.members(db.session.get(Body, w.ids["group"]))}),
                    check=added_rows("delegation", lambda w: {"from_body_id": w.x, "group_body_id": w.ids["group"]},
                                     count=None))),
    ],
    ("indicators.confirm", "POST"): [
        Attempt("the coordinator confirms the proposal with body Y responsible", "coordinator",
                lambda w: f"/plans/{w.plan_id}/indicators/confirm", lambda w: dict(w.forms["proposal"]),
                page=lambda w: f"/plans/{w.plan_id}/indicators", answers=frozenset(), contained=only(
                    "indicator", "indicator_target", "indicator_period", "indicator_activity",
                    check=added_rows("indicator", lambda w: {"source_key": w.ids["proposal_key"], "body_id": w.y,
                                                             "state": "confirmed"}))),
    ],
    ("indicators.dismiss", "POST"): [
        Attempt("the coordinator dismisses the proposal", "coordinator", lambda w: f"/plans/{w.plan_id}/indicators/dismiss",
                lambda w: {"source_key": w.ids["proposal_key"], "dismiss": "Dismiss"}, answers=frozenset(),
                contained=only("indicator", check=added_rows("indicator", lambda w: {
                    "source_key": w.ids["proposal_key"], "state": "dismissed"}))),
    ],
    ("indicators.add_text", "POST"): [
        Attempt("the coordinator adds lines to read indicators from", "coordinator",
                lambda w: f"/plans/{w.plan_id}/indicators/text", lambda w: {"text": INDICATOR_LINES, "frequency": ""},
                answers=frozenset(), contained=only("indicator_text")),
    ],
    ("indicators.edit", "POST"): [
        Attempt("the coordinator changes the tolerance of X's indicator", "coordinator",
                lambda w: f"/indicators/{w.ids['ix']}/edit", lambda w: {**w.forms["ix"], "tolerance": "10"},
                page=lambda w: f"/indicators/{w.ids['ix']}/edit", answers=frozenset(), contained=only(
                    "indicator", check=changed("indicator", lambda w: w.ids["ix"], lambda w: {"tolerance": 0.1}))),
    ],
    ("indicators.post_actual", "POST"): [
        Attempt("ex_x enters its indicator's actual for 2020", "ex_x", lambda w: f"/indicators/{w.ids['ix']}/actuals",
                actual_form("2020", 92, "ix_scope"), page=lambda w: f"/indicators/{w.ids['ix']}", answers=frozenset(),
                contained=only("indicator_actual", check=added_rows("indicator_actual", lambda w: {
                    "indicator_id": w.ids["ix"], "body_id": w.x, "submitted_by_id": w.users["ex_x"],
                    "state": "submitted"}), told=lambda w: ({None}, {w.x}))),
    ],
    ("indicators.review", "POST"): [
        Attempt("the coordinator accepts X's actual", "coordinator", lambda w: f"/actuals/{w.ids['actual']}/review",
                lambda w: {"accept": "Accept", "comment": ""}, answers=frozenset(), contained=only(
                    "indicator_actual", check=changed("indicator_actual", lambda w: w.ids["actual"], lambda w: {
                        "state": "accepted", "reviewed_by_id": w.users["coordinator"]}),
                    told=lambda w: ({None}, {w.x}))),
    ],
    ("indicators.upload", "POST"): [
        Attempt("ex_y uploads its indicator's actuals: the preview, the file staged", "ex_y",
                lambda w: f"/plans/{w.plan_id}/indicators/upload", spreadsheet_form("iy", "2021", 75),
                answers=frozenset(), contained=only("files")),
    ],
    ("indicators.confirm_upload", "POST"): [
        Attempt("ex_y confirms the spreadsheet it staged", "ex_y",
                lambda w: f"/plans/{w.plan_id}/indicators/upload/confirm",
                lambda w: {"token": w.ids["token_y"], "no_personal_data": "y"}, answers=frozenset(), contained=only(
                    "indicator_actual", "files", check=added_rows("indicator_actual", lambda w: {
                        "indicator_id": w.ids["iy"], "body_id": w.y, "submitted_by_id": w.users["ex_y"],
                        "source": "spreadsheet"}), told=lambda w: ({None}, {w.y}))),
    ],
    ("feeds.make_feed", "POST"): [
        Attempt("ex_x makes a feed of its own body", "ex_x", lambda w: "/account/feeds",
                lambda w: {"scope": "body", "body_id": str(w.x)}, answers=frozenset(), contained=only(
                    "feed_token", check=all_of(own_rows("feed_token", "account_id", "ex_x"), added_rows(
                        "feed_token", lambda w: {"scope": "body", "body_id": w.x})))),
    ],
    ("feeds.regenerate_feed", "POST"): [
        Attempt("ex_x renews its own feed", "ex_x", lambda w: f"/account/feeds/{w.ids['feed_x']}/regenerate",
                answers=frozenset(), contained=only("feed_token", check=own_rows("feed_token", "account_id", "ex_x"))),
    ],
    ("feeds.revoke_feed", "POST"): [
        Attempt("ex_y revokes its own feed", "ex_y", lambda w: f"/account/feeds/{w.ids['feed_y']}/revoke",
                answers=frozenset(), contained=only("feed_token", check=changed(
                    "feed_token", lambda w: w.ids["feed_y"], lambda w: {}))),
    ],
    ("mail.set_preference", "POST"): [
        Attempt("ex_x chooses reminders of returned reports only", "ex_x", lambda w: "/account/reminders",
                lambda w: {"digest": "returned_only"}, answers=frozenset(),
                contained=only("mail_preference", check=own_rows("mail_preference", "account_id", "ex_x"))),
    ],
    ("work.mark_all_read", "POST"): [
        Attempt("ex_x marks its notifications read", "ex_x", lambda w: "/notifications/read", answers=frozenset(),
                contained=only("notification", check=own_rows("notification", "account_id", "ex_x", added=False))),
    ],
    ("work.open_notification", "GET"): [
        Attempt("ex_x opens its notification", "ex_x", lambda w: f"/notifications/{w.ids['note_ex_x']}", method="GET",
                answers=frozenset(), contained=only("notification", check=changed(
                    "notification", lambda w: w.ids["note_ex_x"], lambda w: {}))),
    ],
    ("jobs.send_failed_again", "POST"): [
        Attempt("the administrator sends the failed e-mails again", "admin", lambda w: "/admin/outbox/send-again",
                answers=frozenset(), contained=only("outgoing_message", check=changed(
                    "outgoing_message", lambda w: w.ids["failed_message"], lambda w: {"state": "pending"}))),
    ],
    ("districts.index", "POST"): [
        Attempt("the administrator saves the region's list of districts", "admin", lambda w: "/admin/districts",
                lambda w: {"region": REGION, "units": w.forms["units"]}, answers=frozenset(),
                contained=only("district_correction")),
    ],
    ("districts.create_members", "POST"): [
        Attempt("the administrator creates the districts' bodies", "admin", lambda w: "/admin/districts/bodies",
                lambda w: {"region": REGION}, answers=frozenset(), contained=only("body")),
    ],
    ("districts.import_organisations", "POST"): [
        Attempt("the administrator imports a list of schools", "admin", lambda w: "/admin/organisations",
                lambda w: {"region": REGION, "document": organisations_csv()}, answers=frozenset(),
                contained=only("body", check=added_rows("body", lambda w: {"parent_id": w.ids["d1"]}))),
    ],
    ("districts.place", "POST"): [
        Attempt("the administrator puts D2's school under D1", "admin", lambda w: f"/admin/bodies/{w.ids['s2']}/place",
                lambda w: {"level": "organisation", "parent": str(w.ids["d1"]), "district": ""}, answers=frozenset(),
                contained=only("body", check=changed("body", lambda w: w.ids["s2"],
                                                     lambda w: {"parent_id": w.ids["d1"]}))),
    ],
    ("letters.upload", "POST"): [
        Attempt("the coordinator uploads a letter", "coordinator", lambda w: "/letters/import",
                lambda w: {"document": (io.BytesIO(MINISTRY.read_bytes()), MINISTRY.name)}, answers=frozenset(),
                contained=only("files")),
    ],
    ("letters.confirm", "POST"): [
        Attempt("the coordinator confirms the staged letter", "coordinator",
                lambda w: f"/letters/import/{w.ids['letter_token']}", page=lambda w: f"/letters/import/{w.ids['letter_token']}",
                form_from_page=True, answers=frozenset(), contained=only(
                    "letter_chain", "letter", "letter_plan", "letter_region_task", "plan", "section", "activity",
                    "activity_executor", "obligation", "body", "body_alias", "plan_warning", "files")),
    ],
    ("letters.pass_down", "POST"): [
        Attempt("ex_rysqulov passes its district's letter down to its school", "ex_rysqulov",
                lambda w: f"/letters/{w.ids['letter_district']}/pass-down",
                lambda w: {"targets": [f"b{w.ids['school_r']}"]}, page=lambda w: f"/letters/{w.ids['letter_district']}",
                page_shows=lambda w: f'value="b{w.ids["school_r"]}"', answers=frozenset(), contained=only(
                    "delegation", "delegation_above", "letter",
                    told=lambda w: (set(w.ids["zhambyl_obligations"]), {w.ids["school_r"]}),
                    check=all_of(
                        added_rows("delegation", lambda w: {"from_body_id": w.ids["rysqulov"],
                                                            "body_id": w.ids["school_r"]}, count=None),
                        changed("letter", lambda w: w.ids["letter_district"], lambda w: {"state": "passed"})))),
    ],
}

CASES = sum(len(attempts) for attempts in ATTEMPTS.values())
CONTROL_CASES = sum(len(controls) for controls in CONTROLS.values())


# --- running an attempt ---------------------------------------------------------------------------------


def csrf_token(page_html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page_html) or \
        re.search(r'"X-CSRFToken": "([^"]+)"', page_html)
    assert found, "no CSRF token on the page"
    return found[1]


def page_controls(page_html: str) -> dict[str, str]:
    """The controls of a page as a browser would send them (tests/test_assignments.py reads them)."""
    from tests.test_assignments import controls

    return controls(page_html)


def excerpt(response) -> str:
    text = response.get_data(as_text=True)
    found = re.search(r'class="flash error"[^>]*>(.*?)</p>', text, re.S) or re.search(r"<h1>(.*?)</h1>", text, re.S)
    return html.unescape(re.sub(r"\s+", " ", found[1]))[:200] if found else text[:200]


class Runner:
    def __init__(self, app, client, login, world: World):
        self.app, self.client, self.login, self.world = app, client, login, world
        self.signed_in: str | None = None
        self.run_count = 0

    def sign_in(self, actor: str) -> None:
        if actor == "anonymous":
            self.client.post("/logout")
        else:
            self.login(db.session.get(User, self.world.users[actor]))
        self.signed_in = actor

    def __call__(self, attempt: Attempt) -> str | None:
        """Make the request; return what is wrong with the outcome, or None."""
        w, client = self.world, self.client
        self.run_count += 1
        self.app.config["WTF_CSRF_ENABLED"] = False
        self.app.config["TODAY"] = attempt.today or TODAY
        if attempt.actor != self.signed_in or attempt.prepare or self.signed_in == "anonymous":
            self.sign_in(attempt.actor)
        if attempt.prepare:
            attempt.prepare(w)
        page_url = attempt.page(w) if attempt.page else ("/login" if attempt.actor == "anonymous"
                                                         else "/account/password")
        page = client.get(page_url)
        assert page.status_code == 200, f"{attempt.name}: the page {page_url} answered {page.status_code}"
        page_html = page.get_data(as_text=True)
        if attempt.page_shows and attempt.page_shows(w) not in page_html:
            return f"the page {page_url} does not show {attempt.page_shows(w)!r}"
        token = csrf_token(page_html)
        url, data = attempt.url(w), attempt.data(w)
        if attempt.form_from_page:
            data = {**page_controls(page_html), **data}
        data = {key: token if value is CSRF else value for key, value in data.items()}
        headers = {}
        if attempt.method != "GET":
            data["csrf_token"] = token
        if attempt.htmx:
            headers = {"HX-Request": "true", "HX-Current-URL": f"http://localhost{page_url}", "X-CSRFToken": token,
                       "HX-Target": "obligation" if "/obligations/" in url else "content"}
        db.session.rollback()
        before = snapshot(self.app)
        self.app.config["WTF_CSRF_ENABLED"] = True
        try:
            response = client.open(url, method=attempt.method, data=data or None, headers=headers)
        finally:
            self.app.config["WTF_CSRF_ENABLED"] = False
        response.get_data()  # read a download before its file is closed
        response.close()
        if url in ("/login", "/logout"):
            self.signed_in = None  # whoever the session is now, sign in afresh next time
        # A server ends every request's session; the tests keep one open, so drop whatever a
        # request left uncommitted before looking at the database.
        db.session.rollback()
        changes = diff(before, snapshot(self.app))
        status = response.status_code
        if status == 302 and attempt.actor != "anonymous" and not attempt.then and \
                response.headers.get("Location", "").startswith("/login"):
            return f"answered with a redirect to the sign-in page ({response.headers['Location']}): not signed in?"
        if status in attempt.answers:
            if changes:
                return f"answered {status} but changed {describe(changes)}"
            problem = attempt.then(w, client, response) if attempt.then else None
            if problem:
                return f"answered {status} but {problem}"
            return None
        succeeded = status in (200, 204) or (status == 302 and (url == "/logout" or not response.headers.get(
            "Location", "").startswith("/login")))
        if attempt.contained and succeeded:
            problems = attempt.contained(w, changes)
            if attempt.then and (problem := attempt.then(w, client, response)):
                problems.append(problem)
            return "; ".join(problems) if problems else None
        expected = sorted(attempt.answers) or "a success"
        return f"answered {status} ({excerpt(response)}), expected {expected}; changed {describe(changes)}"


# --- the tests ----------------------------------------------------------------------------------------


def changing_routes(app) -> set[tuple[str, str]]:
    """Every (endpoint, method) that is not a read."""
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
            for method in rule.methods - {"GET", "HEAD", "OPTIONS"}}


#: reads that write, or could be sent writing verbs: the evidence download, opening a notification (marks it read)
WRITING_READS = {("reports.download", "GET"), ("work.open_notification", "GET")}


def test_every_changing_route_has_ownership_cases(app, capsys):
    assert set(ATTEMPTS) == changing_routes(app) | WRITING_READS
    assert set(CONTROLS) == set(ATTEMPTS)
    for key, attempts in ATTEMPTS.items():
        # every route is tried by an executor of a body that takes no part in what it names
        assert any(a.actor in EXECUTORS for a in attempts), key
    for key in [k for k in ATTEMPTS if k[0].startswith(("reports.post", "reports.review", "plans."))]:
        assert any(a.htmx for a in ATTEMPTS[key]), f"{key}: no htmx attempt"
    with capsys.disabled():
        print(f"\nownership: {CASES} (route, attempt) cases over {len(ATTEMPTS)} routes, "
              f"{CONTROL_CASES} positive controls")


@pytest.mark.parametrize("route", list(ATTEMPTS), ids=lambda key: f"{key[0]}-{key[1]}")
def test_no_body_acts_for_another(app, client, runner, make_user, login, route, seed_plans):
    world = build_world(app, seed_plans, make_user, route)
    run = Runner(app, client, login, world)
    problems = [f"{a.name}: {p}" for a in ATTEMPTS[route] if (p := run(a))]
    # The positive controls, on the same database after the attempts: refusing everything fails too.
    problems += [f"CONTROL {a.name}: {p}" for a in CONTROLS[route] if (p := run(a))]
    assert run.run_count == len(ATTEMPTS[route]) + len(CONTROLS[route])
    assert not problems, f"{route}:\n  " + "\n  ".join(problems)


#: the hidden fields a report or review form may carry: the CSRF token, and the row version the reviewer saw
#: (optimistic locking; it names no body, report or due date)
ALLOWED_HIDDEN = {"csrf_token", "seen_version", "submission_token"}


def test_report_forms_carry_no_body_kind_or_ids(app, client, runner, make_user, login, seed_plans):
    """What a body and a role the report is posted as is decided on the server: the forms rendered to the
    lead, a co-executor and the coordinator carry no hidden body, kind, report or due-date id."""
    world = build_world(app, seed_plans, make_user)
    seen = 0
    for actor, obligation in (("ex_x", world.o3), ("ex_z", world.o3), ("ex_x", world.o1), ("coordinator", world.o2),
                              ("ex_y", world.ob3)):
        login(db.session.get(User, world.users[actor]))
        app.config["WTF_CSRF_ENABLED"] = True  # the forms as production renders them, token included
        page_html = client.get(f"/obligations/{obligation}").get_data(as_text=True)
        app.config["WTF_CSRF_ENABLED"] = False
        forms = re.findall(r"<form\b[^>]*method=\"post\"[^>]*action=\"/(?:obligations|reports)/[^\"]+\".*?</form>",
                           page_html, re.S)
        assert forms, (actor, obligation)
        for form in forms:
            seen += 1
            hidden = set(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"', form)) | set(
                re.findall(r'<input[^>]*name="([^"]+)"[^>]*type="hidden"', form))
            assert hidden <= ALLOWED_HIDDEN and "csrf_token" in hidden, (actor, obligation, hidden)
    assert seen >= 5
