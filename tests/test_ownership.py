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
`app.url_map`, plus writing verbs on the evidence download — the requests that must be refused.
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
is open to every signed-in user by design (README, "Roles").
"""

import hashlib
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import flask_babel
import pytest
from sqlalchemy import select

from tests.conftest import KOSTANAY
from tests.evidence_files import tiny_pdf
from tracker.auth import operations as account_operations
from tracker.auth.models import User
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.plans import operations as plan_operations
from tracker.plans.models import Activity, Plan, PlanWarning
from tracker.reports import operations as report_operations

TODAY = date(2026, 11, 23)
MISSING = 999_999


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    """A cheap PBKDF2 for the accounts of this file: it signs in some 150 times, and what it tests is who
    may do what, not how passwords are hashed (scrypt takes a quarter of a second per hash here)."""
    from werkzeug.security import generate_password_hash

    monkeypatch.setattr("tracker.auth.models.generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))

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


def pdf(words: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(tiny_pdf(words)), f"{words.replace(' ', '-')}.pdf"


def build_world(app, seed_plans, make_user) -> World:
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
    )


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


def report_form(words: str = "Held the seminar.", files: int = 1, **extra) -> dict:
    data = {"text": words, "links": "", "no_personal_data": "y"}
    if files:
        data["files"] = [pdf(f"{words[:20]} {n}") for n in range(files)]
    data.update({key: value if isinstance(value, list) else str(value) for key, value in extra.items()})
    return data


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
    with client.session_transaction() as session:
        return session.get("_user_id")


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


def new_report(*, obligation: str, body: str, user: str, kind: str, uploads: int, carried: tuple[str, ...] = (),
               action: str | None = None) -> Callable[[World, dict], list[str]]:
    """Exactly one new report — on `obligation`, of `body`, posted by `user`, as `kind` — with `uploads` new
    files and the stored files of the evidence named in `carried`; one history entry; nothing else."""

    def check(w: World, changes: dict[str, Change]) -> list[str]:
        problems = []
        if extra := set(changes) - {"completion_report", "evidence", "history_entry", "files"}:
            problems.append(f"also changed {describe({t: changes[t] for t in sorted(extra)})}")
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


def only(*tables: str, check: Callable[[World, dict], list[str]] | None = None):
    """Something changed, and only in these tables (plus the history)."""

    def contained(w: World, changes: dict[str, Change]) -> list[str]:
        problems = []
        if not changes:
            problems.append("the request succeeded but changed nothing")
        if extra := set(changes) - set(tables) - {"history_entry"}:
            problems.append(f"also changed {describe({t: changes[t] for t in sorted(extra)})}")
        return problems + (check(w, changes) if check else [])

    return contained


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
        if set(accounts.changed[(w.users[user],)]) != {"password_hash"}:
            return [f"{user}'s account changed in {sorted(accounts.changed[(w.users[user],)])}"]
        history = changes.get("history_entry")
        entries = list(history.added.values()) if history else []
        if [(e["action"], e["account_id"]) for e in entries] != [("account.password_changed", w.users[user])]:
            return [f"history: {entries}"]
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
                answers=frozenset({400, 403, 422}), contained=only("completion_report", check=reviewed("y_ob2", "accepted"))),
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
                answers=frozenset({302}), then=signed_in_as("anonymous")),
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
                contained=only("completion_report", check=reviewed("x_o2", "accepted"))),
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
        Attempt("ex_x signs out", "ex_x", lambda w: "/logout", answers=frozenset({302}),
                then=signed_in_as("anonymous")),
    ],
    ("reports.download", "GET"): [
        Attempt("ex_y downloads X's evidence (reading is allowed to every signed-in user)", "ex_y",
                lambda w: f"/evidence/{w.evidence['x_o1']}", method="GET", answers=frozenset({200}),
                then=x_o1_file),
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
        succeeded = status in (200, 204) or (status == 302 and not response.headers.get("Location", "").startswith(
            "/login"))
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


def test_every_changing_route_has_ownership_cases(app, capsys):
    assert set(ATTEMPTS) == changing_routes(app) | {("reports.download", "GET")}
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
    world = build_world(app, seed_plans, make_user)
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
