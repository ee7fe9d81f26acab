"""The auditors' progress workbook and its CSV tables: the same numbers as the dashboard and
`flask status --json`, for the same filters and the same "as of" day.

The scenario (reports posted, accepted, returned around their due dates) is the dashboard's,
reused from tests/test_dashboard.py. The workbooks are read back with openpyxl.
"""

import csv
import io
import re
import types
import zipfile
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import xlsxwriter
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from tests import test_dashboard as dash
from tracker.dashboard.queries import Filters
from tracker.export import tables
from tracker.export.csvfile import FORMULA_TRIGGERS
from tracker.export.layout import fitted_width
from tracker.extensions import db
from tracker.plans.models import Activity, ActivityExecutor, Obligation, Plan, Section
from tracker.reports.models import CompletionReport, Evidence
from tracker.reports.status import STATUSES, Progress, activity_status

# the dashboard's fixtures: both seed plans imported, and reports on five obligations
seeds = dash.seeds
scenario = dash.scenario

AS_OF = dash.AS_OF
KEYS = tables.TABLE_KEYS  # the sheets, in the workbook's order
DATA_KEYS = ("overdue", "activities", "obligations", "evidence")  # the tables that grow with the database
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def auditor(login):
    return login("auditor")


# --- reading a workbook back --------------------------------------------------------------------


def columns(key: str, lang: str = "kk") -> list[tables.Column]:
    """The columns a table is written with, in a language (the rows are never read here)."""
    with force_locale(lang):
        return tables.one_table(key, AS_OF, Filters(), "http://x/").columns


def header_row(key: str) -> int:
    """The row of the columns' headers (1-based, the one with the autofilter): the Summary sheet has
    the title and the export's details above it, By body the groups ("as lead", "as co-executor")."""
    return {"summary": 7, "by_body": 2}.get(key, 1)


def headers_of(ws, row: int, count: int) -> list[str]:
    """The headers as the CSV names them: a grouped column's label under its group is "<group>: <label>"."""
    labels = [c.value for c in ws[row]][:count]
    if row == 1 or not ws.merged_cells.ranges:
        return labels
    groups: dict[int, str] = {}
    for merged in ws.merged_cells.ranges:
        if merged.min_row == merged.max_row == row - 1:
            for col in range(merged.min_col, merged.max_col + 1):
                groups[col] = ws.cell(row - 1, merged.min_col).value
    return [f"{groups[i]}: {label}" if i in groups else label for i, label in enumerate(labels, start=1)]


class Sheet:
    """One sheet of the workbook: its header texts and its rows, each a {column key: cell}."""

    def __init__(self, ws, key: str, lang: str):
        self.ws, self.key = ws, key
        self.columns = columns(key, lang)
        self.keys = [c.key for c in self.columns]
        first = header_row(key)
        self.headers = headers_of(ws, first, len(self.columns))
        self.rows = []
        for cells in ws.iter_rows(min_row=first + 1, max_row=ws.max_row, max_col=len(self.columns)):
            assert any(c.value is not None for c in cells), (key, cells[0].row)  # no gaps, nothing after the table
            self.rows.append(dict(zip(self.keys, cells, strict=True)))
        # nothing written right of the table either
        assert all(c.value is None for row in ws.iter_rows(min_row=first, max_row=ws.max_row,
                                                            min_col=len(self.columns) + 1) for c in row)

    def values(self, column: str) -> list:
        return [row[column].value for row in self.rows]


class Book:
    def __init__(self, data: bytes | str, lang: str = "kk"):
        self.lang = lang
        self.raw = data if isinstance(data, bytes) else Path(data).read_bytes()
        self.wb = openpyxl.load_workbook(io.BytesIO(self.raw))
        assert len(self.wb.worksheets) == len(KEYS)
        self.sheets = {key: Sheet(ws, key, lang) for key, ws in zip(KEYS, self.wb.worksheets, strict=True)}

    def __getitem__(self, key: str) -> Sheet:
        return self.sheets[key]

    def meta(self) -> dict:
        """The export's details above the Summary table: {label: value}."""
        ws = self.wb.worksheets[0]
        return {ws.cell(row, 1).value: ws.cell(row, 2).value for row in range(2, 6)}

    def label(self, text: str) -> str:
        with force_locale(self.lang):
            return _(text)

    def status_label(self, status: str) -> str:
        with force_locale(self.lang):
            return tables.status_labels()[status]


def export_cli(runner, tmp_path, *args, name: str = "out.xlsx", lang: str = "kk", as_of: date = AS_OF) -> Book:
    out = tmp_path / name
    result = runner.invoke(args=["export", "xlsx", str(out), "--as-of", as_of.isoformat(), "--lang", lang, *args])
    assert result.exit_code == 0, (result.output, result.exception)
    assert out.name in result.output and as_of.isoformat() in result.output
    return Book(str(out), lang)


def export_web(client, lang: str = "kk", **args) -> Book:
    args.setdefault("as_of", AS_OF.isoformat())
    with client.get("/export/workbook.xlsx", query_string=args) as response:  # closing it closes the file
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        assert response.mimetype == XLSX
        named = re.search(r'filename="tracker-(?:[a-z0-9-]+-)?(\d{4}-\d{2}-\d{2})\.xlsx"',
                          response.headers["Content-Disposition"])
        assert named, response.headers["Content-Disposition"]
        assert named.group(1) == args["as_of"]
        data = response.get_data()
    assert data[:2] == b"PK"  # a zip: an Office Open XML file
    return Book(data, lang)


def day(cell) -> date | None:
    """A date cell's day; fails unless it is a real Excel date."""
    if cell.value is None:
        return None
    assert cell.is_date and isinstance(cell.value, datetime), (cell.coordinate, cell.value)
    return cell.value.date()


def body_key(name: str, region: str | None) -> tuple[str, str | None]:
    return name.removesuffix(" [?]"), region or None


# --- the oracles: the status report, and the database read plainly -----------------------------


def assert_summary_matches(book: Book, report: dict) -> None:
    """The Summary rows are the JSON's plans: every status count, the total, the rate, the activities."""
    sheet = book["summary"]
    plans = {p["title"]: p for p in report["plans"]}
    assert len(plans) == len(report["plans"])
    assert sorted(sheet.values("plan")) == sorted(plans)
    for row in sheet.rows:
        plan = plans[row["plan"].value]
        assert (row["region"].value or None) == plan["region"]
        assert {s: row[s].value for s in STATUSES} == plan["obligations"], plan["title"]
        assert row["total"].value == plan["total"] == sum(plan["obligations"].values())
        assert row["on_time_rate"].value == plan["on_time_rate"]
        assert row["on_time_rate"].number_format == "0%"
        assert {p: row["activities_" + p].value for p in Progress} == plan["activities"]
        # every activity, those without due dates too (neither done, in progress nor overdue), as the
        # Activities sheet lists them
        assert row["activities"].value == plan["activities_total"] >= sum(plan["activities"].values())


def assert_bodies_match(book: Book, report: dict) -> None:
    """The By body rows are the JSON's bodies (matched by name and region), role by role."""
    sheet = book["by_body"]
    bodies = {body_key(b["name"], b["region"]): b for b in report["bodies"]}
    assert len(bodies) == len(report["bodies"])
    rows = {body_key(r["name"].value, r["region"].value): r for r in sheet.rows}
    assert len(rows) == len(sheet.rows)
    assert set(rows) == set(bodies)
    for key, body in bodies.items():
        row = rows[key]
        assert row["name"].value.endswith(" [?]") == (not body["resolved"]), key
        assert (row["abbreviation"].value or None) == body["abbreviation"]
        assert {s: row["lead_" + s].value for s in STATUSES} == body["as_lead"], key
        assert {s: row["co_" + s].value for s in STATUSES} == body["as_co_executor"], key
        assert row["overdue"].value == body["as_lead"]["overdue"] + body["as_co_executor"]["overdue"]
        assert row["on_time_rate"].value == body["on_time_rate"], key
        oldest = day(row["oldest_overdue"])
        assert (oldest.isoformat() if oldest else None) == body["oldest_overdue"], key
    # most overdue first: the chart shows the top of the table
    overdue = sheet.values("overdue")
    assert overdue == sorted(overdue, reverse=True)


def overdue_total(report: dict) -> int:
    return sum(p["obligations"]["overdue"] for p in report["plans"])


def executor_label(executor) -> str:
    if executor.body is None:
        return f"{executor.written} [?]"
    return executor.body.label  # "Full name (ABBR)"


def lead_label(item: Activity) -> str:
    return executor_label(item.lead) if item.lead is not None else ""


def co_label(item: Activity, by_agreement: str) -> str:
    return "; ".join(executor_label(e) + (f" ({by_agreement})" if e.by_agreement else "")
                     for e in sorted(item.executors, key=lambda e: e.position) if e.role != "lead")


def plan_title(plan_id: int) -> str:
    return db.session.get(Plan, plan_id).title


def evidence_ids(plan_id: int | None = None, as_of: date = AS_OF) -> set[int]:
    query = (select(Evidence.id).join(CompletionReport).join(Obligation).join(Activity)
             .where(CompletionReport.submitted_on <= as_of))
    if plan_id is not None:
        query = query.where(Activity.plan_id == plan_id)
    return set(db.session.scalars(query))


def latest_lead_report(obligation: Obligation, as_of: date) -> CompletionReport | None:
    """The lead report that stood for the obligation at the end of the day (its latest version by then)."""
    return db.session.scalars(select(CompletionReport).where(
        CompletionReport.obligation_id == obligation.id, CompletionReport.kind == "lead",
        CompletionReport.submitted_on <= as_of).order_by(CompletionReport.version.desc())).first()


def assert_tables_match_database(book: Book, plan_id: int | None, portal_url: str, as_of: date = AS_OF) -> None:
    """Overdue, Activities, Obligations and Evidence against the Python status rule and the rows."""
    python = dash.python_statuses(as_of)
    query = select(Obligation).join(Activity)
    if plan_id is not None:
        query = query.where(Activity.plan_id == plan_id)
    obligations = db.session.scalars(query).all()
    titles = {p.id: p.title for p in db.session.scalars(select(Plan))}
    labels = {s: book.status_label(s) for s in STATUSES}

    def ident(o: Obligation) -> tuple[str, str, date]:
        return titles[o.activity.plan_id], o.activity.number, o.due_date

    # Overdue: exactly the overdue obligations, each once, days overdue counted from the as-of day
    sheet = book["overdue"]
    expected = Counter(ident(o) for o in obligations if python[o.id] == "overdue")
    shown = Counter((r["plan"].value, r["number"].value, day(r["due_date"])) for r in sheet.rows)
    assert shown == expected
    activity_of = {ident(o): o.activity for o in obligations}
    for row in sheet.rows:
        due = day(row["due_date"])
        assert due < as_of
        assert row["days_overdue"].value == (as_of - due).days > 0
        item = activity_of[(row["plan"].value, row["number"].value, due)]
        assert row["lead"].value == lead_label(item)
        assert (row["co_executors"].value or "") == co_label(item, book.label("by agreement"))
        assert row["due_date"].number_format == "yyyy-mm-dd"

    # Obligations: every due date once, with its status and its report as it stood that day
    sheet = book["obligations"]
    assert len(sheet.rows) == len(obligations)
    by_ident = {(r["plan"].value, r["number"].value, day(r["due_date"])): r for r in sheet.rows}
    assert set(by_ident) == {ident(o) for o in obligations}
    last_report: dict[int, date] = {}
    for o in obligations:
        row = by_ident[ident(o)]
        assert row["status"].value == labels[python[o.id]], ident(o)
        assert row["days_overdue"].value == ((as_of - o.due_date).days if python[o.id] == "overdue" else None)
        report = latest_lead_report(o, as_of)
        if report is None:
            assert (row["submitted_on"].value, row["reviewed_on"].value, row["reviewer"].value) == (None, None, None)
            continue
        last_report[o.activity_id] = max(report.submitted_on, last_report.get(o.activity_id, report.submitted_on))
        assert day(row["submitted_on"]) == report.submitted_on, ident(o)
        if report.reviewed_on is not None and report.reviewed_on <= as_of:
            assert day(row["reviewed_on"]) == report.reviewed_on, ident(o)
            assert row["reviewer"].value == report.reviewed_by.email
        else:  # a review made later is not shown yet
            assert (row["reviewed_on"].value, row["reviewer"].value) == (None, None), ident(o)

    # Activities: every activity of the plan(s), even one without due dates
    sheet = book["activities"]
    query = select(Activity)
    if plan_id is not None:
        query = query.where(Activity.plan_id == plan_id)
    activities = db.session.scalars(query).all()
    reviewed = db.session.scalars(select(CompletionReport).where(
        CompletionReport.kind == "lead", CompletionReport.reviewed_on <= as_of)).all()
    assert len(sheet.rows) == len(activities)
    rows = {(r["plan"].value, r["number"].value): r for r in sheet.rows}
    assert len(rows) == len(activities)
    for item in activities:
        row = rows[(titles[item.plan_id], item.number)]
        assert row["lead"].value == (lead_label(item) or None), item.number
        assert (row["co_executors"].value or "") == co_label(item, book.label("by agreement")), item.number
        assert row["due_dates"].value == len(item.obligations)
        state = activity_status([python[o.id] for o in item.obligations])
        assert row["status"].value == (labels[state] if state else None), item.number
        assert day(row["last_report"]) == last_report.get(item.id), item.number
        reviews = sorted((r.reviewed_at, r.reviewed_by.email) for r in reviewed if r.obligation.activity_id == item.id)
        assert row["reviewer"].value == (reviews[-1][1] if reviews else None), item.number
        if item.funding_amount_kzt is not None:
            assert row["amount"].value == item.funding_amount_kzt
            assert isinstance(row["amount"].value, int | float)
            assert "#,##0" in row["amount"].number_format
        else:
            assert row["amount"].value is None

    # Evidence: one row per file posted by then, linked to the portal's download, with the review as it stood
    sheet = book["evidence"]
    ids = evidence_ids(plan_id, as_of)
    assert len(sheet.rows) == len(ids)
    outcome = {"submitted": book.label("awaiting review"), "accepted": book.label("accepted"),
               "returned": book.label("returned")}
    shown_ids = set()
    for row in sheet.rows:
        link = row["link"].value
        match = re.fullmatch(re.escape(portal_url.rstrip("/")) + r"/evidence/(\d+)", link)
        assert match, link
        shown_ids.add(int(match.group(1)))
        assert row["link"].hyperlink is not None and row["link"].hyperlink.target == link
        report = db.session.get(Evidence, int(match.group(1))).report
        assert day(row["posted_on"]) == report.submitted_on <= as_of
        assert row["version"].value == report.version
        if report.kind != "lead":
            assert row["outcome"].value == book.label("contribution")
        elif report.state != "submitted" and report.reviewed_on <= as_of:
            assert row["outcome"].value == outcome[report.state]
        else:
            assert row["outcome"].value == outcome["submitted"]
    assert shown_ids == ids


# --- 1. the command's workbook of both plans ---------------------------------------------------


def test_command_workbook_holds_the_status_reports_numbers(app, scenario, runner, tmp_path):
    report = dash.status_json(runner)
    book = export_cli(runner, tmp_path)

    meta = book.meta()
    assert meta[book.label("As of")] == datetime(2026, 11, 23)
    assert meta[book.label("Exported by")] == "command line"
    assert meta[book.label("Filters")] == book.label("none (everything)")

    assert len(book["summary"].rows) == 2
    assert_summary_matches(book, report)
    assert_bodies_match(book, report)
    assert len(book["overdue"].rows) == overdue_total(report) == sum(
        b["as_lead"]["overdue"] for b in report["bodies"]) == 375 + 194 - 5
    assert len(book["obligations"].rows) == sum(p["total"] for p in report["plans"]) == 375 + 194
    total_activities = db.session.scalar(select(func.count()).select_from(Activity))
    assert len(book["activities"].rows) == total_activities
    assert_tables_match_database(book, None, app.config["PORTAL_URL"])

    # an activity without due dates is listed, with no status
    bare = db.session.scalars(select(Activity).where(~Activity.obligations.any())).all()
    assert bare, "the seed plans have an activity without due dates"
    rows = {(r["plan"].value, r["number"].value): r for r in book["activities"].rows}
    for item in bare:
        row = rows[(plan_title(item.plan_id), item.number)]
        assert row["due_dates"].value == 0 and row["status"].value is None
        assert row["lead"].value == lead_label(item)
    # a funded activity: the amount is a number with a thousands format
    funded = [r for r in book["activities"].rows if r["amount"].value is not None]
    assert funded and all(isinstance(r["amount"].value, int | float) and "#,##0" in r["amount"].number_format
                          for r in funded)
    # "Full name (ABBR)" for a resolved lead
    story = scenario.done
    row = rows[(plan_title(story.obligation.activity.plan_id), story.obligation.activity.number)]
    assert row["lead"].value == f"{story.lead_body.name} ({story.lead_body.abbreviation})"
    assert day(row["last_report"]) == story.submitted
    assert row["status"].value == book.status_label("overdue" if any(
        dash.python_statuses(AS_OF)[o.id] == "overdue" for o in story.obligation.activity.obligations) else "upcoming")

    # the stories' rows on the Obligations sheet
    titles = {p.id: p.title for p in db.session.scalars(select(Plan))}
    by_ident = {(r["plan"].value, r["number"].value, day(r["due_date"])): r for r in book["obligations"].rows}
    for story in scenario.stories:
        ob = story.obligation
        row = by_ident[(titles[ob.activity.plan_id], ob.activity.number, ob.due_date)]
        assert row["status"].value == book.status_label(story.days[AS_OF])
        assert day(row["reviewed_on"]) == story.reviewed

    # the files: each report's own, the contribution and both versions of the corrected one
    outcomes = Counter(book["evidence"].values("outcome"))
    with force_locale("kk"):
        assert outcomes == {_("accepted"): 3, _("returned"): 2, _("awaiting review"): 1, _("contribution"): 1}


# --- 2. one plan ---------------------------------------------------------------------------------


def test_command_workbook_of_one_plan(app, scenario, runner, tmp_path):
    for name, plan_id in scenario.plans.items():
        report = dash.status_json(runner, plan=plan_id)
        book = export_cli(runner, tmp_path, "--plan", str(plan_id), name=f"{name}.xlsx")
        assert book["summary"].values("plan") == [plan_title(plan_id)]
        assert plan_title(plan_id)[:80] in book.meta()[book.label("Filters")]
        assert_summary_matches(book, report)
        assert_bodies_match(book, report)
        assert len(book["overdue"].rows) == overdue_total(report) > 0
        assert len(book["obligations"].rows) == report["plans"][0]["total"]
        assert len(book["activities"].rows) == db.session.scalar(
            select(func.count()).select_from(Activity).where(Activity.plan_id == plan_id))
        assert_tables_match_database(book, plan_id, app.config["PORTAL_URL"])
        assert {r["plan"].value for key in DATA_KEYS for r in book[key].rows} <= {plan_title(plan_id)}
    # Karaganda's evidence: the two versions of the corrected report only
    assert len(evidence_ids(scenario.plans["karaganda"])) == 2


def test_command_errors(app, seeds, runner, tmp_path):
    out = tmp_path / "never.xlsx"
    result = runner.invoke(args=["export", "xlsx", str(out), "--plan", "999999", "--as-of", "2026-11-23"])
    assert result.exit_code == 1, result.output
    assert "999999" in result.output
    assert not out.exists()
    for bad in ("2026-13-01", "yesterday", "23.11.2026"):
        result = runner.invoke(args=["export", "xlsx", str(out), "--as-of", bad])
        assert result.exit_code == 2, (bad, result.output)
        assert bad in result.output
        assert not out.exists()
    result = runner.invoke(args=["export", "xlsx", str(out), "--lang", "de"])
    assert result.exit_code == 2
    assert not out.exists()


def test_command_defaults_to_today(app, scenario, runner, tmp_path):
    app.config["TODAY"] = date(2019, 2, 1)
    out = tmp_path / "today.xlsx"
    result = runner.invoke(args=["export", "xlsx", str(out)])
    assert result.exit_code == 0, result.output
    book = Book(str(out))
    assert book.meta()[book.label("As of")] == datetime(2019, 2, 1)
    report = dash.status_json(runner, date(2019, 2, 1))
    assert_summary_matches(book, report)
    assert len(book["overdue"].rows) == overdue_total(report) > 0


# --- 3. the web export: what the dashboard shows -------------------------------------------------


def assert_matches_dashboard(book: Book, page: dash.Dashboard, full_report: dict) -> None:
    """The Summary and the By body sheets hold the dashboard's numbers for the same query."""
    titles = {p["id"]: p["title"] for p in full_report["plans"]}
    rows = {r["plan"].value: r for r in book["summary"].rows}
    assert set(rows) == {titles[pid] for pid in page.plans}
    for pid, plan in page.plans.items():
        row = rows[titles[pid]]
        assert {s: row[s].value for s in STATUSES} == plan["obligations"]
        assert row["total"].value == plan["total"]
        assert dash.percent(row["on_time_rate"].value) == plan["rate"]
        # the dashboard's three columns (its reader, tests/test_dashboard.py, reads those)
        assert {p: row["activities_" + p].value for p in plan["activities"]} == plan["activities"]
    assert {s: sum(r[s].value for r in book["summary"].rows) for s in STATUSES} == page.totals
    # the overdue list: every executor with something overdue, lead and co-executor counts
    names = {dash.key_of(b): body_key(b["name"], b["region"]) for b in full_report["bodies"]}
    shown = {body_key(r["name"].value, r["region"].value): (r["lead_overdue"].value, r["co_overdue"].value)
             for r in book["by_body"].rows if r["overdue"].value}
    assert shown == {names[key]: (lead, co) for key, lead, co in page.overdue}


def test_web_export_is_what_the_dashboard_shows(app, scenario, runner, client, auditor):
    kostanay = scenario.plans["kostanay"]
    full = dash.status_json(runner)
    plan_report = dash.status_json(runner, plan=kostanay)

    # a plan and a status
    args = {"plan": kostanay, "status": "overdue", "as_of": AS_OF.isoformat()}
    book = export_web(client, **args)
    meta = book.meta()
    assert meta[book.label("Exported by")] == auditor.email
    assert meta[book.label("As of")] == datetime(2026, 11, 23)
    filters = meta[book.label("Filters")]
    assert plan_title(kostanay)[:80] in filters
    assert book.label("Status") in filters and book.status_label("overdue") in filters
    page = dash.dashboard(client, **args)
    assert_matches_dashboard(book, page, full)
    # … and the status report where it applies: the plan's overdue due dates, by plan and by body
    (row,) = book["summary"].rows
    assert row["overdue"].value == row["total"].value == plan_report["plans"][0]["obligations"]["overdue"] > 0
    assert all(row[s].value == 0 for s in STATUSES if s != "overdue")
    bodies = {body_key(b["name"], b["region"]): b for b in plan_report["bodies"]}
    for r in book["by_body"].rows:
        body = bodies[body_key(r["name"].value, r["region"].value)]
        assert (r["lead_overdue"].value, r["co_overdue"].value) == (
            body["as_lead"]["overdue"], body["as_co_executor"]["overdue"])
        assert all(r["lead_" + s].value == r["co_" + s].value == 0 for s in STATUSES if s != "overdue")
    assert len(book["overdue"].rows) == len(book["obligations"].rows) == row["overdue"].value
    assert set(book["obligations"].values("status")) == {book.status_label("overdue")}
    assert len(book["activities"].rows) == sum(page.plans[kostanay]["activities"].values())
    assert book["evidence"].rows == []  # the reported obligations are not overdue

    # a plan alone: the whole status report of that plan
    book = export_web(client, plan=kostanay)
    assert_summary_matches(book, plan_report)
    assert_bodies_match(book, plan_report)
    assert_matches_dashboard(book, dash.dashboard(client, plan=kostanay), full)
    assert_tables_match_database(book, kostanay, "http://localhost/")

    # due dates in a window, and another as-of day
    args = {"from": "2019-01-01", "to": "2019-12-31", "as_of": "2020-03-01"}
    book = export_web(client, **args)
    assert book.meta()[book.label("As of")] == datetime(2020, 3, 1)
    filters = book.meta()[book.label("Filters")]
    assert book.label("Due from") in filters and book.label("Due to") in filters and "2019" in filters
    assert_matches_dashboard(book, dash.dashboard(client, **args), full)
    assert book["obligations"].rows and all(
        date(2019, 1, 1) <= day(r["due_date"]) <= date(2019, 12, 31) for r in book["obligations"].rows)
    assert all((date(2020, 3, 1) - day(r["due_date"])).days == r["days_overdue"].value for r in book["overdue"].rows)


def test_dashboard_links_to_the_export_of_what_it_shows(app, scenario, runner, client, auditor):
    kostanay = scenario.plans["kostanay"]
    args = {"plan": str(kostanay), "status": "overdue", "from": "2019-01-01", "as_of": AS_OF.isoformat()}
    page = dash.dashboard(client, **args)
    link = dash.parse(page.html).by_id("export-workbook")
    assert link is not None and link.tag == "a"
    href = urlsplit(link.attrs["href"])
    assert href.path == "/export/workbook.xlsx"
    assert {k: v for k, [v] in parse_qs(href.query).items()} == args
    # following it gives the dashboard's numbers
    with client.get(link.attrs["href"]) as response:
        assert response.status_code == 200
        data = response.get_data()
    assert_matches_dashboard(Book(data), page, dash.status_json(runner))

    # the CSV links carry the same arguments
    root = dash.parse(page.html)
    csv_links = {urlsplit(a.attrs["href"]).path: urlsplit(a.attrs["href"]).query
                 for a in root.find_all("a", "href") if a.attrs["href"].startswith("/export/") and ".csv" in a.attrs["href"]}
    assert set(csv_links) == {f"/export/{key}.csv" for key in KEYS}
    assert all({k: v for k, [v] in parse_qs(q).items()} == args for q in csv_links.values())

    # without filters: only the as-of day (today, by default)
    link = dash.parse(dash.dashboard(client).html).by_id("export-workbook")
    assert parse_qs(urlsplit(link.attrs["href"]).query) == {"as_of": [AS_OF.isoformat()]}
    response = client.get("/dashboard")  # no as_of: today
    link = dash.parse(response.get_data(as_text=True)).by_id("export-workbook")
    assert parse_qs(urlsplit(link.attrs["href"]).query) == {"as_of": [AS_OF.isoformat()]}


def test_web_export_of_a_body_and_of_a_section(app, scenario, runner, client, auditor):
    full = dash.status_json(runner)
    body = scenario.done.lead_body
    book = export_web(client, body=body.id)
    assert body.label in book.meta()[book.label("Filters")]
    assert_matches_dashboard(book, dash.dashboard(client, body=body.id), full)
    named = db.session.scalars(select(Activity).where(Activity.executors.any(ActivityExecutor.body_id == body.id))).all()
    titles = {p.id: p.title for p in db.session.scalars(select(Plan))}
    assert sorted((r["plan"].value, r["number"].value) for r in book["activities"].rows) == sorted(
        (titles[a.plan_id], a.number) for a in named)
    assert len(book["obligations"].rows) == sum(len(a.obligations) for a in named) > 0
    # the body's own files are among the evidence; nobody else's activity is
    numbers = {(titles[a.plan_id], a.number) for a in named}
    assert book["evidence"].rows and all((r["plan"].value, r["number"].value) in numbers
                                         for r in book["evidence"].rows)

    kostanay = scenario.plans["kostanay"]
    section = db.session.scalars(select(Section).where(Section.plan_id == kostanay).order_by(Section.id)).first()
    book = export_web(client, plan=kostanay, section=section.id)
    assert section.title[:60] in book.meta()[book.label("Filters")]
    assert_matches_dashboard(book, dash.dashboard(client, plan=kostanay, section=section.id), full)
    inside = db.session.scalars(select(Activity).where(Activity.section_id == section.id)).all()
    assert len(book["activities"].rows) == len(inside) > 0
    assert {r["section"].value for r in book["activities"].rows} == {f"{section.number}. {section.title}"}
    assert len(book["obligations"].rows) == sum(len(a.obligations) for a in inside)


def test_web_export_follows_the_users_language(app, scenario, client, auditor):
    assert client.get("/dashboard", query_string={"lang": "ru"}).status_code == 200
    book = export_web(client, lang="ru")
    for key in KEYS:
        assert book[key].headers == [c.header for c in columns(key, "ru")], key
    assert book["summary"].headers[0] == "План"
    meta = book.meta()
    assert meta[book.label("Exported by")] == auditor.email
    assert meta[book.label("Filters")] == book.label("none (everything)")
    assert set(book["obligations"].values("status")) >= {book.status_label("overdue"), book.status_label("done")}
    # co-executors "by agreement" are marked in Russian in the CSV too
    response = client.get("/export/activities.csv", query_string={"as_of": AS_OF.isoformat()})
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == book["activities"].headers
    with force_locale("ru"):
        agreement = _("by agreement")
    assert any(f"({agreement})" in field for row in rows[1:] for field in row)


# --- the numbers as of any day: reviews and files count from the day they happened -----------------


def test_command_workbook_as_of_earlier_days(app, scenario, runner, tmp_path):
    stories = scenario.stories
    days = sorted({s.reviewed - timedelta(days=1) for s in stories if s.reviewed}
                  | {scenario.resubmitted.obligation.due_date - timedelta(days=22), date(2018, 6, 1)})
    for when in days:
        book = export_cli(runner, tmp_path, name=f"{when}.xlsx", as_of=when)
        assert book.meta()[book.label("As of")] == datetime.combine(when, datetime.min.time())
        report = dash.status_json(runner, when)
        assert_summary_matches(book, report)
        assert_bodies_match(book, report)
        assert_tables_match_database(book, None, app.config["PORTAL_URL"], when)
        titles = {p.id: p.title for p in db.session.scalars(select(Plan))}
        rows = {(r["plan"].value, r["number"].value, day(r["due_date"])): r for r in book["obligations"].rows}
        for story in stories:
            ob = story.obligation
            if when in story.days:
                row = rows[(titles[ob.activity.plan_id], ob.activity.number, ob.due_date)]
                assert row["status"].value == book.status_label(story.days[when]), (when, story.days[when])
    # the day before each review: that report still awaits review, nobody reviewed it yet
    before = scenario.done.reviewed - timedelta(days=1)
    book = Book(str(tmp_path / f"{before}.xlsx"))
    ob = scenario.done.obligation
    row = next(r for r in book["obligations"].rows if day(r["due_date"]) == ob.due_date
               and r["number"].value == ob.activity.number and r["plan"].value == plan_title(ob.activity.plan_id))
    assert row["status"].value == book.status_label("submitted")
    assert (row["reviewed_on"].value, row["reviewer"].value) == (None, None)
    # before the plans start: nothing due, no rate, nothing overdue, no files
    book = Book(str(tmp_path / "2018-06-01.xlsx"))
    assert [r["on_time_rate"].value for r in book["summary"].rows] == [None, None]
    assert book["overdue"].rows == [] and book["evidence"].rows == []
    assert book["overdue"].ws.auto_filter.ref == "A1:G1" and book["overdue"].ws.freeze_panes == "A2"


def test_long_texts_are_cut_to_fit_a_cell(app, seeds, runner, client, auditor, tmp_path):
    item = db.session.scalars(select(Activity).where(Activity.plan_id == seeds["kostanay"])
                              .order_by(Activity.position)).first()
    item.text = "Ұзақ мәтін. " * 4000  # 48,000 characters; Excel keeps at most 32,767 in a cell
    db.session.commit()
    book = export_cli(runner, tmp_path)
    for key in ("overdue", "activities", "obligations"):
        cells = [r["activity"].value for r in book[key].rows if r["number"].value == item.number
                 and r["plan"].value == item.plan.title]
        assert cells, key
        for text in cells:
            assert len(text) <= 32_767 and text.endswith(" …") and item.text.startswith(text[:-2]), key
    # the CSV has room for the whole text
    response = client.get("/export/activities.csv", query_string={"as_of": AS_OF.isoformat()})
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert item.text in {field for row in rows for field in row}


def test_exported_at_is_the_time_in_kazakhstan(app, seeds, runner, client, auditor, tmp_path):
    """Late in the evening in UTC it is already the next day in Kazakhstan: the day the export counts as of
    (today, there) and the time it says it was made must agree."""
    app.config["NOW"] = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)
    local = app.config["NOW"].astimezone(ZoneInfo(app.config["TIMEZONE"]))
    assert local.date() == date(2026, 11, 24)
    out = tmp_path / "tonight.xlsx"
    result = runner.invoke(args=["export", "xlsx", str(out)])
    assert result.exit_code == 0, result.output
    with client.get("/export/workbook.xlsx") as response:
        assert response.status_code == 200
        web = Book(response.get_data())
    for book in (Book(str(out)), web):
        meta = book.meta()
        assert meta[book.label("As of")] == datetime(2026, 11, 24)
        # a real Excel date-time, in Kazakhstan's time (Excel keeps no time zone)
        assert meta[book.label("Exported at")] == local.replace(tzinfo=None)
        cell = book.wb.worksheets[0].cell(4, 2)
        assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm"


# --- 4. formatting --------------------------------------------------------------------------------


def column_widths(ws) -> dict[int, float]:
    """Column number → width set on it (a <col> element may span several equal columns)."""
    widths = {}
    for dimension in ws.column_dimensions.values():
        if dimension.customWidth:
            for i in range(dimension.min, dimension.max + 1):
                widths[i] = dimension.width
    return widths


def test_sheets_are_formatted(app, scenario, runner, tmp_path):
    book = export_cli(runner, tmp_path)
    for key in KEYS:
        sheet = book[key]
        ws, first = sheet.ws, header_row(key)
        last_col = openpyxl.utils.get_column_letter(len(sheet.columns))
        assert sheet.rows or key in ("evidence", "indicators")  # no evidence here, no indicator confirmed
        # the header stays in view and carries a filter over the whole table
        assert ws.freeze_panes == f"A{first + 1}", key
        assert ws.auto_filter.ref == f"A{first}:{last_col}{first + len(sheet.rows)}", key
        assert all(ws.cell(first, c + 1).font.bold for c in range(len(sheet.columns))), key
        # every column has its width, widened where its header's longest word needs it
        widths = column_widths(ws)
        for i, column in enumerate(sheet.columns, start=1):
            wanted = fitted_width(column.width, column.label)
            assert widths.get(i) == pytest.approx(wanted, abs=1), (key, column.key, widths.get(i))
            assert wanted >= column.width
        assert len({round(widths[i]) for i in range(1, len(sheet.columns) + 1)}) > 1, key
    assert len(book["summary"].rows) == 2 and len(book["by_body"].rows) > 30

    # dates are dates, counts and percentages are numbers
    for row in book["overdue"].rows:
        assert row["due_date"].is_date and row["due_date"].number_format == "yyyy-mm-dd"
        assert isinstance(row["days_overdue"].value, int)
    for row in book["summary"].rows:
        assert isinstance(row["on_time_rate"].value, float) and row["on_time_rate"].number_format == "0%"

    # charts: obligations by status on the Summary, overdue per body on the By body sheet
    charted = [key for key, ws in zip(KEYS, book.wb.worksheets, strict=True) if ws._charts]
    assert charted == ["summary", "by_body"]
    assert all(len(book[key].ws._charts) == 1 for key in charted)
    archive = zipfile.ZipFile(io.BytesIO(book.raw))
    chart1 = archive.read("xl/charts/chart1.xml").decode()
    chart2 = archive.read("xl/charts/chart2.xml").decode()
    summary, by_body = book.wb.worksheets[0].title, book.wb.worksheets[1].title
    summary, by_body = (t if re.fullmatch(r"\w+", t) else f"'{t}'" for t in (summary, by_body))
    refs = re.findall(r"<c:f>([^<]*)</c:f>", chart1)
    # one series per status: its header is the name, the plans the categories, its column the values
    keys = book["summary"].keys
    for status in STATUSES:
        col = openpyxl.utils.get_column_letter(keys.index(status) + 1)
        assert f"{summary}!${col}$7" in refs and f"{summary}!${col}$8:${col}$9" in refs, status
    assert refs.count(f"{summary}!$A$8:$A$9") == len(STATUSES)
    assert 'grouping val="stacked"' in chart1
    refs = re.findall(r"<c:f>([^<]*)</c:f>", chart2)
    overdue_col = openpyxl.utils.get_column_letter(book["by_body"].keys.index("overdue") + 1)
    assert refs == [f"{by_body}!$A$3:$A$32", f"{by_body}!${overdue_col}$3:${overdue_col}$32"]
    # the 30 most overdue, the most overdue on top (the category axis runs top down)
    category_axis = re.search(r"<c:catAx>(.*?)</c:catAx>", chart2, re.S).group(1)
    assert '<c:orientation val="maxMin"/>' in category_axis and '<c:barDir val="bar"/>' in chart2

    # overdue stands out: the status cell on Obligations, the days on Overdue and Obligations
    n = len(book["overdue"].rows) + 1
    overdue_rules = {str(cf.sqref): [r.formula for r in cf.rules] for cf in book["overdue"].ws.conditional_formatting}
    assert overdue_rules == {f"G2:G{n}": [["0"]]}
    rules = {str(cf.sqref): cf.rules for cf in book["obligations"].ws.conditional_formatting}
    m = len(book["obligations"].rows) + 1
    status_col = openpyxl.utils.get_column_letter(book["obligations"].keys.index("status") + 1)
    days_col = openpyxl.utils.get_column_letter(book["obligations"].keys.index("days_overdue") + 1)
    assert set(rules) == {f"{status_col}2:{status_col}{m}", f"{days_col}2:{days_col}{m}"}
    (status_rule,) = rules[f"{status_col}2:{status_col}{m}"]
    assert status_rule.operator == "equal" and status_rule.formula == [f'"{book.status_label("overdue")}"']
    assert status_rule.dxf is not None and status_rule.dxf.fill is not None
    (days_rule,) = rules[f"{days_col}2:{days_col}{m}"]
    assert days_rule.operator == "greaterThan" and days_rule.formula == ["0"]


def test_headers_are_in_the_chosen_language(app, seeds, runner, tmp_path):
    plans = {}
    firsts = {}
    for lang in ("kk", "ru", "en"):
        book = export_cli(runner, tmp_path, name=f"{lang}.xlsx", lang=lang)
        with force_locale(lang):
            plans[lang] = _("Plan")
        firsts[lang] = [book[key].headers[0] for key in KEYS if key != "by_body"]
        assert set(firsts[lang]) == {plans[lang]}, lang
        # every header is the column's header in that language
        for key in KEYS:
            assert book[key].headers == [c.header for c in columns(key, lang)], (lang, key)
        with force_locale(lang):
            titles = [tables.one_table(key, AS_OF, Filters(), "http://x/").title[:31] for key in KEYS]
        assert book.wb.sheetnames == titles, lang
        statuses = set(book["obligations"].values("status"))
        assert statuses == {book.status_label("overdue")}, lang  # no reports: everything is overdue
    assert plans == {"kk": "Жоспар", "ru": "План", "en": "Plan"}
    assert len({tuple(v) for v in firsts.values()}) == 3
    # the translations of "overdue" differ too, so the status column follows the language
    with force_locale("ru"):
        ru = tables.status_labels()["overdue"]
    with force_locale("en"):
        en = tables.status_labels()["overdue"]
    assert ru != en == "overdue"


def test_download_names_say_what_they_hold(app, seeds, client, auditor):
    from werkzeug.http import parse_options_header

    def disposition(url: str, **args) -> tuple[str, str, dict]:
        with client.get(url, query_string={"as_of": AS_OF.isoformat(), **args}) as response:
            assert response.status_code == 200, url
            header = response.headers["Content-Disposition"]
        header.encode("ascii")  # a header is ASCII; the Unicode name travels percent-encoded
        kind, options = parse_options_header(header)  # werkzeug decodes filename* into filename
        return kind, header, options

    assert disposition("/export/workbook.xlsx")[1] == 'attachment; filename="tracker-2026-11-23.xlsx"'
    # a region: transliterated in `filename`, as written in `filename*`, which browsers prefer
    kind, header, options = disposition("/export/workbook.xlsx", region="Қостанай облысы", status="overdue")
    assert kind == "attachment"
    assert 'filename="tracker-qostanai-oblysy-overdue-2026-11-23.xlsx"' in header
    assert "filename*=UTF-8''" in header
    assert options["filename"] == "tracker-Қостанай-облысы-overdue-2026-11-23.xlsx"
    # every filter has its part, in a fixed order; the CSV names its table
    plan = seeds["kostanay"]
    section = db.session.scalars(select(Section.id).join(Plan).where(Plan.id == plan)).first()
    args = {"plan": plan, "section": section, "body": 7, "from": "2026-01-01", "to": "2026-06-30"}
    assert disposition("/export/by_body.csv", **args)[1] == (
        f'attachment; filename="tracker-by-body-plan-{plan}-section-{section}-body-7-due-from-2026-01-01-'
        f'due-to-2026-06-30-2026-11-23.csv"')
    # whatever the query string says, the name stays a plain file name
    _kind, header, options = disposition("/export/overdue.csv", region='../"x";\r\n/evil\\..')
    assert header == 'attachment; filename="tracker-overdue-x-evil-2026-11-23.csv"', header
    assert "/" not in options["filename"] and "\\" not in options["filename"] and '"' not in options["filename"]


# --- 5. CSV ----------------------------------------------------------------------------------------


def same(text: str, cell) -> bool:
    """A CSV field against the sheet's cell holding the same value."""
    value = cell.value
    if value is None:
        return text == ""
    if isinstance(value, datetime):
        return text == value.date().isoformat()
    if isinstance(value, int | float):
        return float(text) == pytest.approx(value)
    if value.lstrip(" ")[:1] in FORMULA_TRIGGERS:  # neutralised in the CSV (tests/test_csv_safety.py)
        return text == "'" + value
    return text == value


def test_csv_tables_equal_the_sheets(app, scenario, client, auditor):
    args = {"plan": scenario.plans["kostanay"], "as_of": AS_OF.isoformat()}
    book = export_web(client, **args)
    for key in KEYS:
        response = client.get(f"/export/{key}.csv", query_string=args)
        assert response.status_code == 200, key
        assert response.mimetype == "text/csv"
        name = f'tracker-{key.replace("_", "-")}-plan-{args["plan"]}-{AS_OF.isoformat()}.csv'
        assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'  # all ASCII: no filename*
        data = response.get_data()
        assert data.startswith(b"\xef\xbb\xbf"), key  # the BOM
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        sheet = book[key]
        assert rows[0] == sheet.headers, key
        assert len(rows) - 1 == len(sheet.rows), key
        for line, row in zip(rows[1:], sheet.rows, strict=True):
            assert len(line) == len(sheet.keys)
            assert all(same(text, row[k]) for text, k in zip(line, sheet.keys, strict=True)), (key, line)
    # the tables that grow are not empty here: the comparison above compared something
    assert all(len(book[key].rows) for key in ("summary", "by_body", "overdue", "activities", "obligations",
                                                "evidence"))

    # a filter narrows the CSV as it narrows the sheet
    narrow = {**args, "status": "overdue"}
    rows = list(csv.reader(io.StringIO(client.get("/export/obligations.csv", query_string=narrow)
                                       .get_data().decode("utf-8-sig"))))
    assert len(rows) - 1 == len(book["overdue"].rows) < len(book["obligations"].rows)


def test_csv_errors_and_access(app, seeds, client, login):
    assert client.get("/export/overdue.csv").status_code == 302
    for url in ("/export/overdue.csv", "/export/workbook.xlsx", "/export/evidence.csv?as_of=2026-11-23"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url
    login("auditor")
    for bad in ("nope", "plans", "Summary", "workbook"):
        assert client.get(f"/export/{bad}.csv").status_code == 404, bad
    assert client.get("/export/overdue.csv").status_code == 200
    # filters that make no sense are ignored as the dashboard ignores them; an unknown plan has nothing
    app.config["TODAY"] = AS_OF
    book = export_web(client, as_of=AS_OF.isoformat(), status="lost", plan=999999)
    assert book.meta()[book.label("As of")] == datetime(2026, 11, 23)
    assert all(book[key].rows == [] for key in KEYS)
    assert not book.wb.worksheets[0]._charts
    book = export_web(client, as_of=AS_OF.isoformat(), status="lost")
    assert book.meta()[book.label("Filters")] == book.label("none (everything)")
    assert len(book["obligations"].rows) == 375 + 194
    # … but a day that is no day is refused: a file of another day than the one asked for would
    # not say so (tests/test_dates_bounded.py covers every page and command)
    for bad in ("yesterday", "2026-13-01"):
        for url in ("/export/workbook.xlsx", "/export/overdue.csv"):
            response = client.get(url, query_string={"as_of": bad})
            assert response.status_code == 400 and f"as_of={bad}" in response.get_data(as_text=True), (url, bad)


# --- 6. nothing held in memory -----------------------------------------------------------------------


def test_workbook_streams_rows_in_constant_memory(app, scenario, runner, client, auditor, tmp_path, monkeypatch):
    made = []
    original = xlsxwriter.Workbook

    class Recording(original):
        def __init__(self, filename=None, options=None):
            made.append(dict(options or {}))
            super().__init__(filename, options)

    monkeypatch.setattr(xlsxwriter, "Workbook", Recording)
    export_cli(runner, tmp_path)
    export_web(client)
    assert len(made) == 2
    assert all(options.get("constant_memory") is True for options in made)

    # the tables are streams, not lists
    with force_locale("kk"):
        for key in KEYS:
            rows = tables.one_table(key, AS_OF, Filters(), "http://x/").rows
            assert not isinstance(rows, list | tuple), key
            assert iter(rows) is rows, key
            if key in DATA_KEYS:
                assert isinstance(rows, types.GeneratorType), key
        for table in tables.all_tables(AS_OF, Filters(), "http://x/"):
            assert iter(table.rows) is table.rows, table.key


def test_rows_are_the_same_in_small_batches(app, scenario, monkeypatch):
    """The rows are read in batches, the executors looked up per batch: the batch size changes nothing."""
    def read(key):
        with force_locale("en"):
            return list(tables.one_table(key, AS_OF, Filters(), "http://x/").rows)

    whole = {key: read(key) for key in DATA_KEYS}
    assert len(whole["obligations"]) == 375 + 194 and len(whole["activities"]) > 100
    batches = tables._batches
    sizes = []

    def small(iterable, size=tables.BATCH):
        sizes.append(size)
        return batches(iterable, 7)

    monkeypatch.setattr(tables, "_batches", small)
    assert {key: read(key) for key in DATA_KEYS} == whole
    assert sizes  # the batching was used
