"""The coordinator dashboard: the SQL status against the Python rule, and the dashboard page, the
overdue list, the body pages, the charts and `flask status --json` holding the same numbers.

The pages are in Kazakh by default, so the tests read numbers and the data-* attributes the
templates carry for them, never words.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import event, func, select

from tests.conftest import KARAGANDA, KOSTANAY
from tests.evidence_files import PDF
from tracker.dashboard import queries
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.plans.models import Activity, ActivityExecutor, Obligation, Plan, Section
from tracker.reports import operations
from tracker.reports.status import STATUSES

AS_OF = date(2026, 11, 23)
UNNAMED = "(келісім бойынша)"  # Karaganda 50: the lead is missing before "(by agreement)"


# --- reading HTML with the standard library ---------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join("".join(parts).split())

    def descendants(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.descendants()

    def find_all(self, tag: str | None = None, attr: str | None = None, value: str | None = None) -> list["Node"]:
        return [n for n in self.descendants() if (tag is None or n.tag == tag)
                and (attr is None or attr in n.attrs) and (value is None or n.attrs.get(attr) == value)]

    def by_id(self, id_: str) -> "Node | None":
        return next(iter(self.find_all(attr="id", value=id_)), None)

    def one(self, tag: str | None = None, attr: str | None = None, value: str | None = None) -> "Node":
        found = self.find_all(tag, attr, value)
        assert len(found) == 1, (tag, attr, value, len(found))
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [], None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def number(node: Node) -> int:
    return int(node.text())


def status_cells(row: Node) -> dict[str, int]:
    cells = {td.attrs["data-status"]: number(td) for td in row.find_all("td", "data-status")}
    assert set(cells) == set(STATUSES)
    return cells


def percent(rate: float | None) -> str:
    """How the templates print a rate."""
    return "%.0f %%" % (rate * 100) if rate is not None else "—"


# --- the pages and the command, read into numbers ---------------------------------------------


@dataclass
class Dashboard:
    html: str
    plans: dict[int, dict]  # plan id → {"obligations": {status: n}, "total": n, "rate": text}
    totals: dict[str, int]  # the footer: all plans
    overdue: list[tuple[str, int, int]]  # (executor key, overdue as lead, as co-executor), in page order
    rows: dict[str, Node]  # executor key → its row in the overdue list


def read_dashboard(html: str) -> Dashboard:
    root = parse(html)
    table = root.by_id("plan-figures")
    assert table is not None, html[-1500:]
    plans = {}
    for row in table.find_all("tr", "data-plan"):
        cells = [c for c in row.children if isinstance(c, Node) and c.tag == "td"]
        rate = next(i for i, c in enumerate(cells) if "data-rate" in c.attrs)
        plans[int(row.attrs["data-plan"])] = {
            "obligations": status_cells(row), "total": number(row.one("td", "data-total")), "rate": cells[rate].text(),
            # the four cells after the rate: activities done, in progress, overdue, off control
            "activities": dict(zip(("done", "in_progress", "overdue", "off_control"),
                                   map(number, cells[rate + 1:rate + 5]), strict=True))}
    totals = {th.attrs["data-total-status"]: number(th) for th in table.find_all("th", "data-total-status")}
    overdue, rows = [], {}
    listing = root.by_id("overdue-by-executor")
    if listing is not None:
        for row in listing.find_all("tr", "data-executor"):
            key = row.attrs["data-executor"]
            overdue.append((key, number(row.one("td", "data-lead")), number(row.one("td", "data-co"))))
            rows[key] = row
    return Dashboard(html, plans, totals, overdue, rows)


def dashboard(client, **args) -> Dashboard:
    args.setdefault("as_of", AS_OF.isoformat())
    response = client.get("/dashboard", query_string=args)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html
    return read_dashboard(html)


@dataclass
class BodyPage:
    lead: dict[str, int]
    co: dict[str, int]
    rate: str
    done: int
    due: int
    quarters: list[tuple[str, int, int, str]]


def body_page(client, body_id: int, as_of: date = AS_OF) -> BodyPage:
    response = client.get(f"/bodies/{body_id}", query_string={"as_of": as_of.isoformat()})
    assert response.status_code == 200
    root = parse(response.get_data(as_text=True))
    load = root.by_id("body-load")
    rate = root.by_id("on-time-rate")
    done, due = map(int, re.search(r"\((\d+) / (\d+)\)", rate.parent.text()).groups())
    quarters = []
    table = root.by_id("body-quarters")
    if table is not None:
        for row in table.one("tbody").find_all("tr"):
            cells = row.find_all("td")
            n, d, r = (td.text() for td in cells[1:])
            # the quarter as data ("2019-Q1"); the page says it in its language («2019 ж. 1-тоқсан»)
            quarters.append((cells[0].attrs["data-quarter"].replace("-", " "), int(n), int(d), r))
    return BodyPage(status_cells(load.one("tr", "data-role", "lead")),
                    status_cells(load.one("tr", "data-role", "co_executor")), rate.text(), done, due, quarters)


@dataclass
class Charts:
    per_body: dict[str, tuple[int, int]]
    months: dict[str, int]
    overdue: dict[str, tuple[int, int]]
    unresolved_marked: set[str]


def charts_page(client, plan_id: int, as_of: date = AS_OF) -> Charts:
    response = client.get(f"/plans/{plan_id}/charts", query_string={"as_of": as_of.isoformat()})
    assert response.status_code == 200
    root = parse(response.get_data(as_text=True))

    def pairs(section_id):
        section = root.by_id(section_id)
        assert section is not None
        return {row.attrs["data-executor"]: (number(row.one("td", "data-lead")), number(row.one("td", "data-co")))
                for row in section.find_all("tr", "data-executor")}

    marked = {row.attrs["data-executor"] for row in root.by_id("chart-per-body").find_all("tr", "data-executor")
              if row.find_all("span", "class", "tag warn")}
    months = {td.attrs["data-month"]: number(td) for td in root.by_id("chart-months").find_all("td", "data-month")}
    return Charts(pairs("chart-per-body"), months, pairs("chart-overdue"), marked)


def status_json(runner, as_of: date = AS_OF, plan: int | None = None) -> dict:
    args = ["status", "--json", "--as-of", as_of.isoformat()]
    if plan is not None:
        args += ["--plan", str(plan)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def key_of(body: dict) -> str:
    """The executor key the pages use: the body id, or "written:<name>" for an unresolved one."""
    return str(body["id"]) if body["resolved"] else "written:" + body["name"]


# --- the Python rule, as an independent oracle ------------------------------------------------


def python_statuses(day: date) -> dict[int, str]:
    return operations.statuses(db.session.scalars(select(Obligation)).all(), day)


def sql_statuses(app, day: date) -> dict[int, str]:
    table = queries.status_table(day, app.config["DUE_SOON_DAYS"])
    return dict(db.session.execute(select(table.c.obligation_id, table.c.status)).all())


def expected_per_plan(day: date) -> dict[int, Counter]:
    plan_of = dict(db.session.execute(select(Obligation.id, Activity.plan_id).join(Activity)).all())
    counts: dict[int, Counter] = {}
    for obligation_id, status in python_statuses(day).items():
        counts.setdefault(plan_of[obligation_id], Counter())[status] += 1
    return counts


def expected_activities(day: date) -> dict[int, dict[str, int]]:
    """Per plan: activities overdue (any overdue), off control (all), done (every due date on
    control done), or in progress."""
    python = python_statuses(day)
    states: dict[int, Counter] = {}
    for item in db.session.scalars(select(Activity)):
        mine = [python[o.id] for o in item.obligations]
        if mine:
            state = ("overdue" if "overdue" in mine else "off_control" if set(mine) == {"off_control"}
                     else "done" if set(mine) <= {"done", "done_late", "off_control"} else "in_progress")
            states.setdefault(item.plan_id, Counter())[state] += 1
    return {pid: {s: c[s] for s in ("done", "in_progress", "overdue", "off_control")} for pid, c in states.items()}


def expected_per_executor(day: date) -> dict[tuple[str, str], Counter]:
    """(executor key, role) → statuses of the obligations of the activities naming it."""
    status = python_statuses(day)
    query = (select(Obligation.id, ActivityExecutor.body_id, ActivityExecutor.written, ActivityExecutor.role)
             .join(ActivityExecutor, ActivityExecutor.activity_id == Obligation.activity_id))
    counts: dict[tuple[str, str], Counter] = {}
    for obligation_id, body_id, written, role in db.session.execute(query).all():
        key = str(body_id) if body_id is not None else "written:" + written
        counts.setdefault((key, role), Counter())[status[obligation_id]] += 1
    return counts


def as_dict(counter: Counter | None) -> dict[str, int]:
    return {s: (counter or Counter())[s] for s in STATUSES}


def plan_ids() -> dict[str, int]:
    return {"kostanay": db.session.scalar(select(Plan.id).where(Plan.source_filename == KOSTANAY.name)),
            "karaganda": db.session.scalar(select(Plan.id).where(Plan.source_filename == KARAGANDA.name))}


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def seeds(app, seed_plans):
    seed_plans(KOSTANAY, KARAGANDA)
    return plan_ids()


@dataclass
class Story:
    """One obligation's reports: the days things happened and the status each day should show."""

    obligation: Obligation
    lead_body: Body
    days: dict[date, str]  # day → expected status on that day
    reviewed: date | None = None
    submitted: date | None = None


@dataclass
class Scenario:
    plans: dict[str, int]
    done: Story
    done_late: Story
    returned: Story
    submitted: Story
    resubmitted: Story  # Karaganda: returned, corrected, accepted on time

    @property
    def stories(self) -> list[Story]:
        return [self.done, self.done_late, self.returned, self.submitted, self.resubmitted]


def _activity_with_resolved_lead(plan_id: int, used_bodies: set[int], want_co: bool = False):
    for item in db.session.scalars(select(Activity).where(Activity.plan_id == plan_id).order_by(Activity.position)):
        lead = item.lead
        if lead is None or lead.body_id is None or lead.body_id in used_bodies or not item.obligations:
            continue
        if want_co and not any(e.role == "co_executor" and e.body_id and e.body_id != lead.body_id
                               for e in item.executors):
            continue
        used_bodies.add(lead.body_id)
        return item, lead.body
    raise AssertionError("no activity with a resolved lead left")


@pytest.fixture
def scenario(app, seeds, make_user):
    """Reports on five obligations, each dated around its own due date, the clock set for every step."""
    coordinator = make_user("coordinator")
    used: set[int] = set()
    executors: dict[int, object] = {}

    def executor_of(body):
        if body.id not in executors:
            executors[body.id] = make_user("executor", body=body)
        return executors[body.id]

    def on(day: date):
        app.config["TODAY"] = day

    def submit(obligation, body, day):
        on(day)
        return operations.submit_report(obligation, executor_of(body), "Held the seminar.", [],
                                        [("protocol.pdf", PDF)], True)

    def review(report, day, accept):
        on(day)
        return operations.review_report(report, coordinator, accept, "" if accept else "Attach the protocol.")

    kostanay, karaganda = seeds["kostanay"], seeds["karaganda"]

    # done: submitted 20 days ahead, accepted 10 days ahead of the due date; a co-executor contributes too
    activity, body = _activity_with_resolved_lead(kostanay, used, want_co=True)
    ob = activity.obligations[0]  # its later due dates are still ahead then: the activity is in progress
    due = ob.due_date
    report = submit(ob, body, due - timedelta(days=20))
    co = next(e.body for e in activity.executors if e.role == "co_executor" and e.body_id and e.body_id != body.id)
    submit(ob, co, due - timedelta(days=15))  # a contribution: never changes the status
    review(report, due - timedelta(days=10), True)
    done = Story(ob, body, {due - timedelta(days=21): "upcoming", due - timedelta(days=20): "submitted",
                            due - timedelta(days=11): "submitted", due - timedelta(days=10): "done",
                            due + timedelta(days=1): "done", AS_OF: "done"},
                 reviewed=due - timedelta(days=10), submitted=due - timedelta(days=20))

    # done late: submitted 5 days after the due date, accepted 10 days after
    activity, body = _activity_with_resolved_lead(kostanay, used)
    ob = activity.obligations[0]
    due = ob.due_date
    review(submit(ob, body, due + timedelta(days=5)), due + timedelta(days=10), True)
    done_late = Story(ob, body, {due - timedelta(days=3): "due_soon", due: "due_soon", due + timedelta(days=4): "overdue",
                                 due + timedelta(days=5): "submitted", due + timedelta(days=9): "submitted",
                                 due + timedelta(days=10): "done_late", AS_OF: "done_late"},
                      reviewed=due + timedelta(days=10), submitted=due + timedelta(days=5))

    # returned: submitted 5 days ahead, sent back 3 days after the due date, never corrected
    activity, body = _activity_with_resolved_lead(kostanay, used)
    ob = activity.obligations[0]
    due = ob.due_date
    review(submit(ob, body, due - timedelta(days=5)), due + timedelta(days=3), False)
    returned = Story(ob, body, {due - timedelta(days=6): "due_soon", due - timedelta(days=5): "submitted",
                                due + timedelta(days=2): "submitted", due + timedelta(days=3): "returned",
                                AS_OF: "returned"},
                     reviewed=due + timedelta(days=3), submitted=due - timedelta(days=5))

    # submitted: the day after the due date, never reviewed
    activity, body = _activity_with_resolved_lead(kostanay, used)
    ob = activity.obligations[-1]
    due = ob.due_date
    submit(ob, body, due + timedelta(days=1))
    submitted = Story(ob, body, {due: "due_soon", due + timedelta(days=1): "submitted", AS_OF: "submitted"},
                      submitted=due + timedelta(days=1))

    # Karaganda: returned, corrected (version 2), accepted two days ahead of the due date
    activity, body = _activity_with_resolved_lead(karaganda, used)
    ob = activity.obligations[-1]
    due = ob.due_date
    first = submit(ob, body, due - timedelta(days=30))
    review(first, due - timedelta(days=25), False)
    second = submit(ob, body, due - timedelta(days=20))
    assert second.version == 2
    review(second, due - timedelta(days=2), True)
    resubmitted = Story(ob, body, {due - timedelta(days=31): "upcoming", due - timedelta(days=30): "submitted",
                                   due - timedelta(days=25): "returned", due - timedelta(days=21): "returned",
                                   due - timedelta(days=20): "submitted", due - timedelta(days=3): "submitted",
                                   due - timedelta(days=2): "done", AS_OF: "done"},
                        reviewed=due - timedelta(days=2), submitted=due - timedelta(days=30))

    app.config["TODAY"] = AS_OF
    return Scenario(seeds, done, done_late, returned, submitted, resubmitted)


@pytest.fixture
def coordinator(login):
    return login("coordinator")


# --- 1. SQL and Python agree -------------------------------------------------------------------


@pytest.mark.parametrize("day", [date(2018, 12, 1), date(2019, 3, 20), date(2021, 12, 31), date(2023, 6, 15), AS_OF])
def test_sql_status_matches_python_rule_without_reports(app, seeds, day):
    python = python_statuses(day)
    assert len(python) == 375 + 194
    assert sql_statuses(app, day) == python


def test_sql_status_matches_python_rule_on_every_day_of_the_reports(app, scenario):
    days = {AS_OF, date(2018, 12, 1)}
    for story in scenario.stories:
        days |= set(story.days)
        days |= {d + delta for d in story.days for delta in (timedelta(days=-1), timedelta(days=1))}
    for day in sorted(days):
        python = python_statuses(day)
        sql = sql_statuses(app, day)
        assert sql == python, (day, {k: (sql.get(k), v) for k, v in python.items() if sql.get(k) != v})
        for story in scenario.stories:
            if day in story.days:
                assert sql[story.obligation.id] == story.days[day], (day, story.obligation.id)
    # the statuses the dashboard promises are all reached
    final = sql_statuses(app, AS_OF)
    assert [final[s.obligation.id] for s in scenario.stories] == ["done", "done_late", "returned", "submitted", "done"]


def test_a_contribution_alone_changes_no_status(app, seeds, make_user):
    item = next(a for a in db.session.scalars(select(Activity).where(Activity.plan_id == seeds["kostanay"])
                                              .order_by(Activity.position))
                if any(e.role == "co_executor" and e.body_id for e in a.executors))
    co = next(e.body for e in item.executors if e.role == "co_executor" and e.body_id)
    ob = item.obligations[0]
    app.config["TODAY"] = ob.due_date - timedelta(days=30)
    report = operations.submit_report(ob, make_user("executor", body=co), "Our part.", [], [("a.pdf", PDF)], True)
    assert report.kind == "contribution"
    for day in (ob.due_date - timedelta(days=30), ob.due_date + timedelta(days=1)):
        python = python_statuses(day)
        assert sql_statuses(app, day) == python
        assert python[ob.id] in ("upcoming", "overdue")


# --- 2. no reports: everything overdue, and the counts add up ---------------------------------


def test_without_reports_everything_is_overdue_and_the_totals_add_up(app, seeds, runner, client, coordinator):
    kostanay, karaganda = seeds["kostanay"], seeds["karaganda"]
    obligations = {pid: db.session.scalar(select(func.count()).select_from(Obligation).join(Activity)
                                          .where(Activity.plan_id == pid)) for pid in seeds.values()}
    assert obligations == {kostanay: 375, karaganda: 194}

    report = status_json(runner)
    assert report["as_of"] == "2026-11-23"
    plans = {p["id"]: p for p in report["plans"]}
    assert set(plans) == {kostanay, karaganda}
    for pid, total in obligations.items():
        assert plans[pid]["obligations"] == {**dict.fromkeys(STATUSES, 0), "overdue": total}
        assert plans[pid]["total"] == plans[pid]["due_so_far"] == total
        assert plans[pid]["on_time_rate"] == 0.0
        assert plans[pid]["activities"]["overdue"] == db.session.scalar(
            select(func.count(func.distinct(Obligation.activity_id))).join(Activity).where(Activity.plan_id == pid))
        assert plans[pid]["activities"]["done"] == plans[pid]["activities"]["in_progress"] == 0

    # every body: only overdue; the lead counts over all bodies are the obligations, once each
    for body in report["bodies"]:
        assert all(n == 0 for s, n in body["as_lead"].items() if s != "overdue"), body
        assert all(n == 0 for s, n in body["as_co_executor"].items() if s != "overdue"), body
    assert sum(b["as_lead"]["overdue"] for b in report["bodies"]) == 375 + 194
    co_mentions = db.session.scalar(
        select(func.count()).select_from(Obligation)
        .join(ActivityExecutor, ActivityExecutor.activity_id == Obligation.activity_id)
        .where(ActivityExecutor.role == "co_executor"))
    assert sum(b["as_co_executor"]["overdue"] for b in report["bodies"]) == co_mentions

    # the unnamed lead of Karaganda 50 is counted as itself, unresolved
    unnamed = [b for b in report["bodies"] if not b["resolved"]]
    assert [b["name"] for b in unnamed] == [UNNAMED]
    karaganda_50 = db.session.scalar(select(func.count()).select_from(Obligation).join(Activity)
                                     .where(Activity.plan_id == karaganda, Activity.number == "50"))
    assert karaganda_50 > 0
    assert unnamed[0]["as_lead"]["overdue"] == karaganda_50
    assert unnamed[0]["id"] is None and unnamed[0]["oldest_overdue"] is not None

    # per plan, too: the lead counts of its bodies are its due dates
    for pid, total in obligations.items():
        per_plan = status_json(runner, plan=pid)
        assert [p["id"] for p in per_plan["plans"]] == [pid]
        assert sum(sum(b["as_lead"].values()) for b in per_plan["bodies"]) == total
    assert UNNAMED in {b["name"] for b in status_json(runner, plan=karaganda)["bodies"]}
    assert UNNAMED not in {b["name"] for b in status_json(runner, plan=kostanay)["bodies"]}

    # the page says the same
    page = dashboard(client)
    for pid, total in obligations.items():
        assert page.plans[pid]["obligations"] == plans[pid]["obligations"]
        assert page.plans[pid]["total"] == total
        assert page.plans[pid]["rate"] == "0 %"
    assert page.totals == {**dict.fromkeys(STATUSES, 0), "overdue": 375 + 194}
    assert {k: (lead, co) for k, lead, co in page.overdue} == {
        key_of(b): (b["as_lead"]["overdue"], b["as_co_executor"]["overdue"]) for b in report["bodies"]}


def test_before_the_plans_start_nothing_is_overdue(app, seeds, runner, client, coordinator):
    report = status_json(runner, date(2018, 6, 1))
    for plan in report["plans"]:
        assert plan["obligations"]["upcoming"] == plan["total"] > 0
        assert plan["due_so_far"] == 0 and plan["on_time_rate"] is None
    assert all(b["on_time_rate"] is None and b["oldest_overdue"] is None for b in report["bodies"])
    page = dashboard(client, as_of="2018-06-01")
    assert page.overdue == [] and page.totals["overdue"] == 0
    assert page.totals["upcoming"] == 375 + 194
    assert {p["rate"] for p in page.plans.values()} == {"—"}


# --- 3. after reports: the command, the dashboard, the body pages and the charts agree --------


def test_after_reports_every_view_holds_the_same_numbers(app, scenario, runner, client, coordinator):
    kostanay, karaganda = scenario.plans["kostanay"], scenario.plans["karaganda"]
    report = status_json(runner)
    plans = {p["id"]: p for p in report["plans"]}
    expected = expected_per_plan(AS_OF)

    # the JSON against the Python rule, and against the stories
    for pid in (kostanay, karaganda):
        assert plans[pid]["obligations"] == as_dict(expected[pid])
    assert plans[kostanay]["obligations"] == {**dict.fromkeys(STATUSES, 0), "overdue": 375 - 4, "done": 1,
                                              "done_late": 1, "returned": 1, "submitted": 1}
    assert plans[karaganda]["obligations"] == {**dict.fromkeys(STATUSES, 0), "overdue": 193, "done": 1}
    assert plans[kostanay]["on_time_rate"] == round(1 / 375, 4)
    activities = expected_activities(AS_OF)
    for pid, plan in plans.items():
        assert plan["activities"] == activities[pid]
    assert activities[karaganda]["done"] == 1  # its only due date accepted
    assert plans[karaganda]["on_time_rate"] == round(1 / 194, 4)

    # the dashboard page
    page = dashboard(client)
    for pid, plan in plans.items():
        assert page.plans[pid]["obligations"] == plan["obligations"]
        assert page.plans[pid]["total"] == plan["total"]
        assert page.plans[pid]["rate"] == percent(plan["on_time_rate"])
        assert page.plans[pid]["activities"] == plan["activities"]
    assert page.totals == {s: sum(p["obligations"][s] for p in plans.values()) for s in STATUSES}
    json_overdue = {key_of(b): (b["as_lead"]["overdue"], b["as_co_executor"]["overdue"])
                    for b in report["bodies"] if b["as_lead"]["overdue"] + b["as_co_executor"]["overdue"]}
    assert {k: (lead, co) for k, lead, co in page.overdue} == json_overdue

    # the bodies: JSON against the Python rule, then every body page against JSON
    by_executor = expected_per_executor(AS_OF)
    assert {key_of(b) for b in report["bodies"]} == {k for k, _role in by_executor}
    for body in report["bodies"]:
        assert body["as_lead"] == as_dict(by_executor.get((key_of(body), "lead"))), body["name"]
        assert body["as_co_executor"] == as_dict(by_executor.get((key_of(body), "co_executor"))), body["name"]
        if not body["resolved"]:
            continue
        shown = body_page(client, body["id"])
        assert shown.lead == body["as_lead"], body["name"]
        assert shown.co == body["as_co_executor"], body["name"]
        assert shown.rate == percent(body["on_time_rate"]), body["name"]
        assert shown.done == body["as_lead"]["done"]
    for story in scenario.stories:
        assert body_page(client, story.lead_body.id).lead[story.days[AS_OF]] >= 1

    # the charts of each plan
    for pid in (kostanay, karaganda):
        chart = charts_page(client, pid)
        direct = Counter()
        for body_id, written, role in db.session.execute(
                select(ActivityExecutor.body_id, ActivityExecutor.written, ActivityExecutor.role)
                .join(Activity).where(Activity.plan_id == pid)).all():
            direct[(str(body_id) if body_id else "written:" + written, role)] += 1
        assert chart.per_body == {k: (direct[(k, "lead")], direct[(k, "co_executor")]) for k, _role in direct}
        assert sum(lead for lead, _co in chart.per_body.values()) == db.session.scalar(
            select(func.count()).select_from(Activity).where(Activity.plan_id == pid))
        assert sum(chart.months.values()) == plans[pid]["total"]
        per_month = Counter(o.strftime("%Y-%m") for o in db.session.scalars(
            select(Obligation.due_date).join(Activity).where(Activity.plan_id == pid)))
        assert {m: n for m, n in chart.months.items() if n} == dict(per_month)
        per_plan = status_json(runner, plan=pid)
        assert chart.overdue == {key_of(b): (b["as_lead"]["overdue"], b["as_co_executor"]["overdue"])
                                 for b in per_plan["bodies"] if b["as_lead"]["overdue"] + b["as_co_executor"]["overdue"]}
        assert sum(lead for lead, _co in chart.overdue.values()) == plans[pid]["obligations"]["overdue"]
    assert "written:" + UNNAMED in charts_page(client, karaganda).unresolved_marked


# --- 4. "as of" a past day -----------------------------------------------------------------------


def test_dashboard_as_of_a_past_day_shows_that_day(app, scenario, runner, client, coordinator):
    story = scenario.done
    kostanay = scenario.plans["kostanay"]
    before, accepted = story.reviewed - timedelta(days=1), story.reviewed
    then, now_ = dashboard(client, as_of=before.isoformat()), dashboard(client, as_of=accepted.isoformat())

    for day, page in ((before, then), (accepted, now_)):
        expected, activities = expected_per_plan(day), expected_activities(day)
        report = {p["id"]: p for p in status_json(runner, day)["plans"]}
        for pid, plan in page.plans.items():
            assert plan["obligations"] == as_dict(expected[pid]) == report[pid]["obligations"], (day, pid)
            assert plan["rate"] == percent(report[pid]["on_time_rate"])
            assert plan["activities"] == activities[pid] == report[pid]["activities"], (day, pid)
    # the accepted due date is the activity's first; the others are ahead: in progress, not done
    assert len(story.obligation.activity.obligations) > 1
    assert now_.plans[kostanay]["activities"]["in_progress"] >= 1
    assert python_statuses(before)[story.obligation.id] == "submitted"
    # the acceptance is the only thing between the two days for this plan
    assert then.plans[kostanay]["obligations"]["done"] + 1 == now_.plans[kostanay]["obligations"]["done"]
    assert then.plans[kostanay]["obligations"]["submitted"] - 1 == now_.plans[kostanay]["obligations"]["submitted"]
    # and the body page of the lead shows the day too
    assert body_page(client, story.lead_body.id, before).lead["done"] + 1 == \
        body_page(client, story.lead_body.id, accepted).lead["done"]
    # before anything was submitted, the same obligation is simply upcoming
    early = story.submitted - timedelta(days=1)
    assert python_statuses(early)[story.obligation.id] == "upcoming"
    assert dashboard(client, as_of=early.isoformat()).plans[kostanay]["obligations"] == as_dict(
        expected_per_plan(early)[kostanay])


def test_on_time_rates_count_what_is_due_on_the_day_itself(app, scenario, runner, client, coordinator):
    story = scenario.done
    day = story.obligation.due_date  # a due date: obligations due that very day are "due so far"
    plans = {p["id"]: p for p in status_json(runner, day)["plans"]}
    page = dashboard(client, as_of=day.isoformat())
    for pid, plan in plans.items():
        due = db.session.scalar(select(func.count()).select_from(Obligation).join(Activity)
                                .where(Activity.plan_id == pid, Obligation.due_date <= day))
        assert plan["due_so_far"] == due
        assert plan["on_time_rate"] == (round(plan["obligations"]["done"] / due, 4) if due else None)
        assert page.plans[pid]["rate"] == percent(plan["on_time_rate"])
    assert plans[scenario.plans["kostanay"]]["obligations"]["done"] == 1
    led = db.session.scalars(select(Obligation.due_date).join(
        ActivityExecutor, ActivityExecutor.activity_id == Obligation.activity_id)
        .where(ActivityExecutor.body_id == story.lead_body.id, ActivityExecutor.role == "lead")).all()
    shown = body_page(client, story.lead_body.id, day)
    assert (shown.done, shown.due) == (1, sum(d <= day for d in led))
    assert sum(q[1] for q in shown.quarters) == shown.due


def test_reports_after_the_as_of_day_do_not_count(app, scenario, runner):
    # the day before the first report of the scenario: nothing reported anywhere
    first = min(s.submitted for s in scenario.stories)
    report = status_json(runner, first - timedelta(days=1))
    for plan in report["plans"]:
        assert plan["obligations"]["submitted"] == plan["obligations"]["done"] == 0
        assert plan["obligations"]["done_late"] == plan["obligations"]["returned"] == 0


# --- 5. filters ----------------------------------------------------------------------------------


def test_filter_by_plan_and_by_section(app, scenario, client, coordinator):
    whole = dashboard(client)
    for pid in scenario.plans.values():
        only = dashboard(client, plan=pid)
        assert set(only.plans) == {pid}
        assert only.plans[pid] == whole.plans[pid]
        assert only.totals == only.plans[pid]["obligations"]
        sections = db.session.scalars(select(Section.id).where(Section.plan_id == pid)).all()
        assert len(sections) > 1
        summed = Counter()
        for section_id in sections:
            part = dashboard(client, plan=pid, section=section_id).plans[pid]
            in_section = db.session.scalar(select(func.count()).select_from(Obligation).join(Activity)
                                           .where(Activity.section_id == section_id))
            assert part["total"] == in_section
            summed.update(part["obligations"])
        assert as_dict(summed) == whole.plans[pid]["obligations"]
        # a section alone (without the plan) narrows to its plan as well
        section_only = dashboard(client, section=sections[0])
        assert section_only.plans[pid]["total"] == dashboard(client, plan=pid, section=sections[0]).plans[pid]["total"]
        assert all(p["total"] == 0 for other, p in section_only.plans.items() if other != pid)


def test_filter_by_status_and_by_due_dates(app, scenario, client, coordinator):
    whole = dashboard(client)
    for status in ("overdue", "done", "submitted", "returned", "done_late"):
        page = dashboard(client, status=status)
        for pid, plan in page.plans.items():
            assert plan["obligations"] == {**dict.fromkeys(STATUSES, 0), status: whole.plans[pid]["obligations"][status]}
    assert dashboard(client, status="nonsense").plans == whole.plans  # unknown values are ignored

    kostanay = scenario.plans["kostanay"]
    early = dashboard(client, to="2019-12-31").plans[kostanay]
    late = dashboard(client, **{"from": "2020-01-01"}).plans[kostanay]
    middle = dashboard(client, **{"from": "2020-01-01", "to": "2020-12-31"}).plans[kostanay]
    in_2020 = db.session.scalar(select(func.count()).select_from(Obligation).join(Activity).where(
        Activity.plan_id == kostanay, Obligation.due_date.between(date(2020, 1, 1), date(2020, 12, 31))))
    assert 0 < middle["total"] == in_2020 < 375
    assert early["total"] + late["total"] == 375
    assert as_dict(Counter(early["obligations"]) + Counter(late["obligations"])) == whole.plans[kostanay]["obligations"]
    # each story's obligation lands on the side of its due date
    for story in (scenario.done, scenario.done_late, scenario.returned, scenario.submitted):
        status = story.days[AS_OF]
        side = early if story.obligation.due_date <= date(2019, 12, 31) else late
        assert side["obligations"][status] >= 1


def test_filter_by_body(app, scenario, runner, client, coordinator):
    report = status_json(runner)
    for story in scenario.stories:
        body = next(b for b in report["bodies"] if b["id"] == story.lead_body.id)
        page = dashboard(client, body=story.lead_body.id)
        # the body is named once per activity: the plans' counts are its lead + co-executor counts
        assert as_dict(sum((Counter(p["obligations"]) for p in page.plans.values()), Counter())) == \
            as_dict(Counter(body["as_lead"]) + Counter(body["as_co_executor"]))
        assert page.totals[story.days[AS_OF]] >= 1
        assert sum(page.totals.values()) < 375 + 194
        # its own row in the overdue list keeps its full overdue numbers
        if body["as_lead"]["overdue"] + body["as_co_executor"]["overdue"]:
            assert (str(body["id"]), body["as_lead"]["overdue"], body["as_co_executor"]["overdue"]) in page.overdue


def test_htmx_gets_the_fragment_and_the_same_url_gives_the_full_page(app, scenario, client, coordinator):
    kostanay = scenario.plans["kostanay"]
    args = {"plan": kostanay, "status": "overdue", "from": "2019-01-01", "to": "2020-06-30", "as_of": AS_OF.isoformat(),
            "sort": "name"}
    response = client.get("/dashboard", query_string=args,
                          headers={"HX-Request": "true", "HX-Target": "dashboard-results"})
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment.lower() and "<h1" not in fragment and "main-nav" not in fragment
    assert 'id="dashboard-results"' not in fragment  # only what goes inside it
    partial = read_dashboard(fragment)
    full = dashboard(client, **args)
    assert partial.plans == full.plans and partial.totals == full.totals and partial.overdue == full.overdue
    assert partial.plans[kostanay]["obligations"]["overdue"] == full.plans[kostanay]["total"] > 0
    # another target (e.g. a boosted link) gets the whole page
    other = client.get("/dashboard", query_string=args, headers={"HX-Request": "true", "HX-Target": "main"})
    assert "<html" in other.get_data(as_text=True)
    # restoring history after Back needs the whole page as well
    restore = client.get("/dashboard", query_string=args, headers={
        "HX-Request": "true", "HX-Target": "dashboard-results", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)

    # the form is a plain GET whose fields are the arguments read back, so a filtered view can be bookmarked
    root = parse(full.html)
    form = root.one("form", "class", "filters")
    assert form.attrs["method"].lower() == "get" and form.attrs["action"] == "/dashboard"
    names = {n.attrs["name"] for n in form.descendants() if n.tag in ("select", "input") and "name" in n.attrs}
    assert names == {"region", "plan", "section", "body", "status", "from", "to", "as_of"}
    assert "selected" in form.one("select", "name", "plan").one("option", "value", str(kostanay)).attrs
    assert "selected" in form.one("select", "name", "status").one("option", "value", "overdue").attrs
    assert form.one("input", "name", "from").attrs["value"] == "2019-01-01"
    # the sort links of the fragment carry the filters: following one keeps the same counts
    link = next(a.attrs["href"] for a in parse(fragment).by_id("overdue-by-executor").find_all("a", "href")
                if "sort=lead" in a.attrs["href"])
    assert f"plan={kostanay}" in link and "status=overdue" in link and "to=2020-06-30" in link
    followed = read_dashboard(client.get(link).get_data(as_text=True))
    assert followed.plans == full.plans
    assert sorted(followed.overdue) == sorted(full.overdue)


# --- 6. the overdue list -----------------------------------------------------------------------


def test_overdue_list_sorts_and_drills_down(app, scenario, runner, client, coordinator):
    report = status_json(runner)
    bodies = {key_of(b): b for b in report["bodies"] if b["as_lead"]["overdue"] + b["as_co_executor"]["overdue"]}
    page = dashboard(client)
    assert [k for k, _lead, _co in page.overdue] == sorted(
        bodies, key=lambda k: (-(bodies[k]["as_lead"]["overdue"] + bodies[k]["as_co_executor"]["overdue"]),
                               bodies[k]["name"]))

    # the oldest overdue due date of each executor, by the Python rule
    python = python_statuses(AS_OF)
    oldest_due: dict[str, date] = {}
    for obligation_id, due, body_id, written in db.session.execute(
            select(Obligation.id, Obligation.due_date, ActivityExecutor.body_id, ActivityExecutor.written)
            .join(ActivityExecutor, ActivityExecutor.activity_id == Obligation.activity_id)).all():
        if python[obligation_id] == "overdue":
            key = str(body_id) if body_id is not None else "written:" + written
            oldest_due[key] = min(due, oldest_due.get(key, due))
    assert {k: date.fromisoformat(b["oldest_overdue"]) for k, b in bodies.items()} == oldest_due
    oldest = [k for k, _l, _c in dashboard(client, sort="oldest").overdue]
    assert oldest == sorted(bodies, key=lambda k: (date.fromisoformat(bodies[k]["oldest_overdue"]), bodies[k]["name"]))
    by_name = [k for k, _l, _c in dashboard(client, sort="name").overdue]
    assert by_name == sorted(bodies, key=lambda k: ((bodies[k]["abbreviation"] or bodies[k]["name"]).lower(),
                                                    bodies[k]["name"]))
    assert [k for k, _l, _c in dashboard(client, sort="name", dir="desc").overdue] == sorted(
        bodies, key=lambda k: ((bodies[k]["abbreviation"] or bodies[k]["name"]).lower(), bodies[k]["name"]), reverse=True)
    assert by_name != oldest
    by_lead = [bodies[k]["as_lead"]["overdue"] for k, _l, _c in dashboard(client, sort="lead").overdue]
    assert by_lead == sorted(by_lead, reverse=True)
    assert len(set(oldest)) == len(oldest) == len(bodies)

    # every executor's list: exactly its overdue obligations, as lead and as co-executor
    for key, lead, co in page.overdue:
        body = bodies[key]
        query = {"as_of": AS_OF.isoformat()}
        query.update({"executor": body["id"]} if body["resolved"] else {"written": body["name"]})
        html = client.get("/dashboard/overdue", query_string=query).get_data(as_text=True)
        listed = [int(i) for i in re.findall(r'href="/obligations/(\d+)"', html)]
        assert len(listed) == lead + co, key
        condition = (ActivityExecutor.body_id == body["id"]) if body["resolved"] else (
            ActivityExecutor.body_id.is_(None) & (ActivityExecutor.written == body["name"]))
        named = db.session.scalars(select(Obligation.id).join(
            ActivityExecutor, ActivityExecutor.activity_id == Obligation.activity_id).where(condition)).all()
        assert sorted(listed) == sorted(i for i in named if python[i] == "overdue"), key
        assert html.count('class="tag"') == lead, key  # the lead ones are marked
    # the story obligations are not overdue and never listed
    for story in scenario.stories:
        html = client.get("/dashboard/overdue", query_string={"executor": story.lead_body.id,
                                                              "as_of": AS_OF.isoformat()}).get_data(as_text=True)
        assert f'href="/obligations/{story.obligation.id}"' not in html
    assert client.get("/dashboard/overdue").status_code == 404


def test_unresolved_executor_is_listed_as_itself_and_marked(app, scenario, client, coordinator):
    page = dashboard(client)
    key = "written:" + UNNAMED
    assert key in page.rows
    row = page.rows[key]
    assert row.find_all("span", "class", "tag warn")
    assert not any(a.attrs.get("href", "").startswith("/bodies/") for a in row.find_all("a"))
    lead, co = next((lead, co) for k, lead, co in page.overdue if k == key)
    karaganda_50 = db.session.scalar(select(func.count()).select_from(Obligation).join(Activity).where(
        Activity.plan_id == scenario.plans["karaganda"], Activity.number == "50"))
    assert (lead, co) == (karaganda_50, 0)
    # its link opens its list
    href = row.one("details").attrs["hx-get"]
    assert "written=" in href
    items = client.get(href).get_data(as_text=True)
    assert len(re.findall(r'href="/obligations/\d+"', items)) == karaganda_50
    # resolved rows link to the body page instead, and are not marked
    resolved = next(r for k, r in page.rows.items() if not k.startswith("written:"))
    assert not resolved.find_all("span", "class", "tag warn")
    assert any(a.attrs.get("href", "").startswith("/bodies/") for a in resolved.find_all("a"))


def test_overdue_drill_down_keeps_the_dashboard_filters(app, scenario, client, coordinator):
    kostanay = scenario.plans["kostanay"]
    for args in ({"plan": kostanay}, {"to": "2019-12-31"}, {"body": scenario.done_late.lead_body.id}):
        page = dashboard(client, **args)
        for key, lead, co in page.overdue:
            href = page.rows[key].one("details").attrs["hx-get"]
            items = client.get(href).get_data(as_text=True)
            assert len(re.findall(r'href="/obligations/\d+"', items)) == lead + co, (args, key, href)


# --- 7. body pages: on-time rate and the quarterly trend --------------------------------------


def test_body_on_time_rate_and_quarters(app, scenario, runner, client, coordinator):
    python = python_statuses(AS_OF)
    report = {b["id"]: b for b in status_json(runner)["bodies"] if b["resolved"]}
    for story in scenario.stories:
        body_id = story.lead_body.id
        led = db.session.execute(select(Obligation.id, Obligation.due_date).join(
            ActivityExecutor, ActivityExecutor.activity_id == Obligation.activity_id)
            .where(ActivityExecutor.body_id == body_id, ActivityExecutor.role == "lead")).all()
        due = [(i, d) for i, d in led if d <= AS_OF]
        done = [(i, d) for i, d in due if python[i] == "done"]
        rate = round(len(done) / len(due), 4) if due else None
        assert report[body_id]["on_time_rate"] == rate
        shown = body_page(client, body_id)
        assert (shown.done, shown.due) == (len(done), len(due))
        assert shown.rate == percent(rate)
        if story.days[AS_OF] == "done":
            assert shown.done >= 1 and rate > 0
        # the quarters add up to the same totals, quarter by quarter
        assert sum(q[1] for q in shown.quarters) == len(due)
        assert sum(q[2] for q in shown.quarters) == len(done)
        per_quarter = Counter(f"{d.year} Q{(d.month - 1) // 3 + 1}" for _i, d in due)
        done_per_quarter = Counter(f"{d.year} Q{(d.month - 1) // 3 + 1}" for _i, d in done)
        assert {q: n for q, n, _d, _r in shown.quarters} == dict(per_quarter)
        assert {q: d for q, _n, d, _r in shown.quarters if d} == dict(done_per_quarter)
        assert [q for q, *_ in shown.quarters] == sorted(per_quarter, key=lambda q: (int(q[:4]), q[-1]))
        for _q, n, d, r in shown.quarters:
            assert r == percent(round(d / n, 4))

    # as of a day before the body's first due date: nothing due, no rate, no quarters
    story = scenario.done
    first_due = db.session.scalar(select(func.min(Obligation.due_date)).join(
        ActivityExecutor, ActivityExecutor.activity_id == Obligation.activity_id)
        .where(ActivityExecutor.body_id == story.lead_body.id, ActivityExecutor.role == "lead"))
    shown = body_page(client, story.lead_body.id, first_due - timedelta(days=1))
    assert (shown.done, shown.due, shown.rate, shown.quarters) == (0, 0, "—", [])
    assert client.get("/bodies/999999").status_code == 404


# --- 8. the command's errors -------------------------------------------------------------------


def test_status_command_errors(app, seeds, runner):
    for bad in ("2026-13-01", "yesterday", "23.11.2026"):
        result = runner.invoke(args=["status", "--json", "--as-of", bad])
        assert result.exit_code == 2, (bad, result.output)
        assert bad in result.output and "2026-11-23" in result.output
    result = runner.invoke(args=["status", "--json", "--plan", "999999", "--as-of", "2026-11-23"])
    assert result.exit_code == 1
    assert "999999" in result.output
    assert not result.output.lstrip().startswith("{")
    result = runner.invoke(args=["status", "--json", "--plan", "0"])
    assert result.exit_code == 1, result.output
    # a known plan: only that plan
    ok = status_json(runner, plan=seeds["karaganda"])
    assert [p["id"] for p in ok["plans"]] == [seeds["karaganda"]]


def test_status_command_defaults_to_today(app, seeds, runner):
    app.config["TODAY"] = date(2019, 2, 1)
    report = json.loads(runner.invoke(args=["status", "--json"]).output)
    assert report["as_of"] == "2019-02-01"
    kostanay = next(p for p in report["plans"] if p["id"] == seeds["kostanay"])
    assert kostanay["obligations"]["overdue"] == db.session.scalar(
        select(func.count()).select_from(Obligation).join(Activity)
        .where(Activity.plan_id == seeds["kostanay"], Obligation.due_date < date(2019, 2, 1))) > 0


# --- 9. a bounded number of queries --------------------------------------------------------------


def _third_plan(tmp_path, runner) -> None:
    copy = tmp_path / "karaganda-copy.txt"
    text = KARAGANDA.read_text(encoding="utf-8")
    assert "Қарағанды облысында Балаларды" in text
    copy.write_text(text.replace("Қарағанды облысында Балаларды", "Қарағанды облысында (көшірме) Балаларды", 1),
                    encoding="utf-8")
    result = runner.invoke(args=["plans", "import", str(copy)])
    assert result.exit_code == 0, result.output


def _count_queries(client, url: str, **args) -> int:
    """The statements of one request, in the steady state: the first request of a day, or after a
    plan changed, also brings the dashboard's rollups up to date (tracker.reports.rollups) — done
    once, before counting."""
    client.get(url, query_string=args)
    db.session.close()  # every request starts from the same, empty, session
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url, query_string=args)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def test_dashboard_issues_a_bounded_number_of_queries(app, scenario, runner, client, coordinator, tmp_path):
    as_of = {"as_of": AS_OF.isoformat()}
    some_body = scenario.done.lead_body.id
    two = {url: _count_queries(client, url, **as_of)
           for url in ("/dashboard", f"/bodies/{some_body}", f"/plans/{scenario.plans['karaganda']}/charts")}
    two_filtered = _count_queries(client, "/dashboard", plan=scenario.plans["kostanay"], sort="oldest", **as_of)
    assert two["/dashboard"] < 30, two

    _third_plan(tmp_path, runner)
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 3
    page = dashboard(client)
    assert len(page.plans) == 3
    # the copy shares Karaganda's months: each plan's chart still counts its own due dates only
    assert sum(charts_page(client, scenario.plans["karaganda"]).months.values()) == 194
    three = {url: _count_queries(client, url, **as_of) for url in two}
    assert three == two
    assert _count_queries(client, "/dashboard", plan=scenario.plans["kostanay"], sort="oldest", **as_of) == two_filtered


def test_activities_without_due_dates_count_in_the_plan_total(app, runner, client, login):
    """Karaganda 44 has no due date: it is in the plan's activity total (as in the workbook's
    Activities sheet) but neither done, in progress nor overdue."""
    import json

    from sqlalchemy import func as sql_func
    from sqlalchemy import select as sql_select

    from tests.conftest import KARAGANDA as karaganda_file
    from tests.conftest import KOSTANAY as kostanay_file
    from tracker.extensions import db as database
    from tracker.plans.models import Activity as ActivityModel

    runner.invoke(args=["plans", "import", str(kostanay_file), str(karaganda_file)])
    result = runner.invoke(args=["status", "--json", "--as-of", "2026-11-23"])
    report = json.loads(result.output)
    counted = dict(database.session.execute(
        sql_select(ActivityModel.plan_id, sql_func.count(ActivityModel.id)).group_by(ActivityModel.plan_id)).all())
    assert {p["id"]: p["activities_total"] for p in report["plans"]} == counted
    assert sorted(counted.values()) == [50, 56]
    karaganda = next(p for p in report["plans"] if p["activities_total"] == 56)
    assert sum(karaganda["activities"].values()) == 55
    login("auditor")
    page = client.get("/dashboard?as_of=2026-11-23").get_data(as_text=True)
    shown = re.findall(r'data-plan="(\d+)">.*?data-activities-total>(\d+)<', page, re.S)
    assert {int(pid): int(n) for pid, n in shown} == counted


def test_a_country_of_many_plans_is_summed_by_region_and_a_region_opens_its_plans(app, seeds, client, coordinator):
    """More plans in view than DASHBOARD_PLAN_ROWS: one row per region, its figures the sum of its
    plans'; choosing a region lists its plans again."""
    by_plan = dashboard(client)
    app.config["DASHBOARD_PLAN_ROWS"] = 1  # the two seed plans stand for a country of a thousand
    response = client.get("/dashboard", query_string={"as_of": AS_OF.isoformat(), "lang": "en"})
    root = parse(response.get_data(as_text=True))
    rows = root.by_id("plan-figures").one("tbody").find_all("tr")
    regions = {row.attrs["data-region"]: {td.attrs["data-status"]: int(td.text()) for td in row.find_all("td")
                                          if "data-status" in td.attrs} for row in rows}
    plans = {pid: db.session.get(Plan, pid).region for pid in seeds.values()}
    assert set(regions) == set(plans.values()) == {"Қостанай облысы", "Қарағанды облысы"}
    for pid, region in plans.items():
        assert regions[region] == by_plan.plans[pid]["obligations"]
    assert root.by_id("regions-only") is not None and not any("data-plan" in r.attrs for r in rows)
    link = rows[0].one("a").attrs["href"]
    assert "region=" in link
    opened = client.get(link)
    assert 'data-plan="' in opened.get_data(as_text=True) and 'data-region="' not in opened.get_data(as_text=True)


def test_a_country_of_many_plans_asks_for_a_region_before_listing_plans_to_filter_by(
        app, seeds, client, coordinator, monkeypatch):
    from tracker.dashboard import queries as dashboard_queries

    monkeypatch.setattr(dashboard_queries, "PLAN_CHOICES_LIMIT", 1)  # two plans stand for a thousand
    def offered(**args):
        html = client.get("/dashboard", query_string={"as_of": AS_OF.isoformat(), "lang": "en", **args}).get_data(as_text=True)
        select = parse(html).by_id("filter-plan")
        return [o.attrs["value"] for o in select.find_all("option")], "choose a region to list its plans" in html
    assert offered() == (["", ""], True)  # "all", then the disabled hint
    kostanay = db.session.get(Plan, seeds["kostanay"])
    assert offered(region=kostanay.region) == (["", str(kostanay.id)], False)
