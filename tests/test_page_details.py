"""Details a new user trips over: the overdue list's sort arrow saying the order the rows are in,
the assign control that assigns nothing until a body is chosen, texts shortened at a word with
"…", full names beside the charts, and demo accounts named by region and body."""

import re
from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from tests.conftest import KARAGANDA, KOSTANAY, ROOT
from tests.test_dashboard import parse
from tests.test_reports import use_english
from tracker.auth.models import User
from tracker.core import formatting
from tracker.core.shorten import shorten
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.plans.engine import parse_plan_file
from tracker.plans.models import Activity, ActivityExecutor, Obligation, Plan

AS_OF = date(2026, 11, 23)


def get(client, path: str, **args) -> str:
    response = client.get(path, query_string=args)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


# --- the overdue list: the arrow and aria-sort say the order of the rows ---------------------------


def _day_reader(app):
    """The kk long date of every due date → the date (the list prints dates as people read them)."""
    days = db.session.scalars(select(Obligation.due_date).distinct()).all()
    with app.test_request_context("/"), force_locale("kk"):
        return {" ".join(formatting.long_date(d).split()): d for d in days}


def _column(rows, key: str, days: dict):
    read = {
        "lead": lambda r: int(r.one("td", "data-lead").text()),
        "co": lambda r: int(r.one("td", "data-co").text()),
        "overdue": lambda r: int(r.find_all("td")[3].text()),
        "oldest": lambda r: days[r.find_all("td")[4].text()],
    }
    return [read[key](r) for r in rows]


def _in_order(values: list, shown: str) -> bool:
    return values == sorted(values, reverse=shown == "descending")


@pytest.mark.parametrize("key", ["lead", "co", "overdue", "oldest"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_the_sort_arrow_and_aria_sort_say_the_order_of_the_rows(app, client, seed_plans, login, key, direction):
    seed_plans(KOSTANAY, KARAGANDA)
    login("auditor")
    root = parse(get(client, "/dashboard", as_of=AS_OF.isoformat(), sort=key, dir=direction))
    table = root.by_id("overdue-by-executor")
    sorted_headers = [th for th in table.one("thead").find_all("th") if "aria-sort" in th.attrs]
    assert len(sorted_headers) == 1, "exactly one column says it is the order"
    header = sorted_headers[0]
    assert f"sort={key}" in header.one("a").attrs["href"]
    shown = header.attrs["aria-sort"]
    arrow = header.one("span").text()
    assert (shown, arrow) in {("ascending", "▲"), ("descending", "▼")}
    rows = table.one("tbody").find_all("tr", "data-executor")
    values = _column(rows, key, _day_reader(app))
    assert len(set(values)) > 2, "a column whose order shows nothing"
    assert _in_order(values, shown), f"{key}, dir={direction}: the header says {shown} {arrow}, the rows are {values[:12]}"


def test_the_dashboard_opens_on_the_most_overdue_first_and_says_so(app, client, seed_plans, login):
    seed_plans(KOSTANAY, KARAGANDA)
    login("auditor")
    table = parse(get(client, "/dashboard", as_of=AS_OF.isoformat())).by_id("overdue-by-executor")
    [header] = [th for th in table.one("thead").find_all("th") if "aria-sort" in th.attrs]
    assert (header.attrs["aria-sort"], header.one("span").text()) == ("descending", "▼")
    totals = _column(table.one("tbody").find_all("tr", "data-executor"), "overdue", {})
    assert totals == sorted(totals, reverse=True) and totals[0] > totals[-1]


# --- the assign control: nothing chosen in advance, an untouched form assigns nothing -------------


def _assign_forms(html: str) -> dict[int, dict]:
    """executor id → what a browser sends for its assign form when nobody touches it: every
    hidden field, and for the select its option marked selected — else its first option."""
    forms = {}
    for form in parse(html).find_all("form"):
        found = re.fullmatch(r"/executors/(\d+)/assign", form.attrs.get("action", ""))
        if not found:
            continue
        data = {i.attrs["name"]: i.attrs.get("value", "") for i in form.find_all("input")
                if i.attrs.get("type") == "hidden"}
        options = form.one("select").find_all("option")
        chosen = next((o for o in options if "selected" in o.attrs), options[0])
        data["body_id"] = chosen.attrs["value"]
        forms[int(found.group(1))] = data
    return forms


def test_an_untouched_assign_form_assigns_nothing(app, client, seed_plans, login):
    seed_plans(KARAGANDA)
    use_english(app)  # the refusal is asserted as written
    login("coordinator")
    item = db.session.scalar(select(Activity).where(Activity.number == "50"))
    lost = next(e for e in item.executors if e.body_id is None)  # «(келісім бойынша)», the lost executor
    known = next(e for e in item.executors if e.body_id is not None)
    before = {e.id: (e.body_id, e.match) for e in item.executors}
    page = get(client, f"/activities/{item.id}")
    forms = _assign_forms(page)
    assert set(forms) == {e.id for e in item.executors}
    assert {data["body_id"] for data in forms.values()} == {""}, "a body is chosen before anyone chose one"
    for executor in (lost, known):
        response = client.post(f"/executors/{executor.id}/assign", data=forms[executor.id])
        assert response.status_code == 302
        shown = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Choose the body from the list first; nothing was assigned." in shown
    db.session.expire_all()
    assert {e.id: (e.body_id, e.match) for e in db.session.get(Activity, item.id).executors} == before
    assert db.session.scalar(select(func.count()).select_from(HistoryEntry)
                             .where(HistoryEntry.action == "executor.assigned")) == 0
    # a chosen body is assigned as before
    police = db.session.scalar(select(Body).where(Body.region == item.plan.region, Body.abbreviation == "ПД"))
    assert client.post(f"/executors/{lost.id}/assign", data={"body_id": str(police.id)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ActivityExecutor, lost.id).body_id == police.id


# --- texts shortened at a word, with "…" only when cut -------------------------------------------


@pytest.mark.parametrize(("text", "limit", "expected"), [
    ("Облыстың білім беру ұйымдарында мониторинг", 100, "Облыстың білім беру ұйымдарында мониторинг"),
    ("Облыстың білім беру ұйымдарында мониторинг", 42, "Облыстың білім беру ұйымдарында мониторинг"),
    ("Облыстың білім беру ұйымдарында мониторинг", 30, "Облыстың білім беру…"),
    ("Облыстың білім беру ұйымдарында мониторинг", 32, "Облыстың білім беру ұйымдарында…"),
    ("Қарағанды облысы, Қостанай облысы", 18, "Қарағанды облысы…"),  # no comma left before "…"
    ("ҚРБІҚСЖАЕКҚОДБасқармасыныңДепартаменті", 12, "ҚРБІҚСЖАЕКҚ…"),  # one long word: cut where the limit falls
    ("Бірінші жол\n\nекінші   жол", 100, "Бірінші жол екінші жол"),
    (None, 10, ""),
])
def test_shorten_cuts_at_a_word_and_marks_the_cut(text, limit, expected):
    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit


def test_shorten_never_cuts_a_word_where_a_space_was_near():
    for text in (a.text for a in parse_plan_file(KOSTANAY).activities):
        full = " ".join(text.split())
        for limit in (40, 80, 120, 160):
            cut = shorten(text, limit)
            assert len(cut) <= limit
            if cut == full:
                continue
            assert cut.endswith("…")
            head = cut[:-1]
            assert full.startswith(head) and full[len(head)] in " ,;:.", (limit, cut)


def test_the_templates_shorten_texts_only_with_the_filter():
    """A slice like `text[:160]` cuts a word in half and says nothing: the templates use `shorten`."""
    sliced = {}
    for path in (ROOT / "templates").rglob("*.html"):
        for found in re.finditer(r"\b(\w+(?:\.\w+)*)\[:\d+\]", path.read_text(encoding="utf-8")):
            # lists of dates or of cited letters, not texts (the import and letter previews)
            if not found.group(1).endswith((".deadline.due_dates", ".bases")):
                sliced.setdefault(str(path.relative_to(ROOT)), []).append(found.group(0))
    assert not sliced, sliced


def test_the_body_page_shortens_activities_at_a_word(app, client, seed_plans, login):
    seed_plans(KOSTANAY)
    login("auditor")
    education = db.session.scalar(select(Body).where(Body.registry_key == "education", Body.region == "Қостанай облысы"))
    full = {" ".join(t.split()) for t in db.session.scalars(select(Activity.text))}
    cells = [td.text() for td in parse(get(client, f"/bodies/{education.id}", as_of=AS_OF.isoformat()))
             .by_id("body-obligations").find_all("td") if td.attrs.get("class") == "text"]
    cut = [c for c in cells if c not in full]
    assert cells and cut, "the seed plan has activities longer than the list shows"
    for text in cut:
        assert text.endswith("…"), f"cut without an ellipsis: {text[-40:]!r}"
        head = text[:-1]
        assert any(f.startswith(head) and f[len(head)] in " ,;:." for f in full), f"cut mid-word: {text[-40:]!r}"


# --- the charts' tables name executors in full --------------------------------------------------


def test_the_overdue_table_beside_the_chart_gives_full_names(app, client, seed_plans, login):
    seed_plans(KARAGANDA)
    login("auditor")
    plan = db.session.scalar(select(Plan))
    root = parse(get(client, f"/plans/{plan.id}/charts", as_of=AS_OF.isoformat()))
    rows = root.by_id("chart-overdue").one("table").one("tbody").find_all("tr", "data-executor")
    assert rows
    bodies = {str(b.id): b for b in db.session.scalars(select(Body))}
    for row in rows:
        body = bodies.get(row.attrs["data-executor"])
        cell = row.find_all("td")[0].text()
        if body is not None:
            assert cell.startswith(body.display_name), cell
            if body.abbreviation:
                assert f"({body.abbreviation})" in cell, cell
    education = next(b for b in bodies.values() if b.abbreviation == "ББ" and b.region == plan.region)
    row = next(r for r in rows if r.attrs["data-executor"] == str(education.id))
    assert row.find_all("td")[0].one("a").attrs["href"].startswith(f"/bodies/{education.id}")


# --- demo accounts: named by region and body, renamed (not made twice) by a new run ---------------


def test_demo_executors_are_named_by_region_and_body(app, runner, seed_plans):
    seed_plans(KOSTANAY, KARAGANDA)
    assert runner.invoke(args=["users", "demo"]).exit_code == 0
    executors = db.session.scalars(select(User).where(User.is_demo, User.role == "executor")).all()
    assert len(executors) == 4
    names = [u.name for u in executors]
    assert len(set(names)) == 4, names  # two education departments (ББ) no longer look the same
    for user in executors:
        body = user.body
        assert user.name == f"Демо: {body.region} — {body.name} ({body.abbreviation})", user.name
    assert any(n.startswith("Демо: Қостанай облысы — Білім басқармасы (ББ)") for n in names), names

    # accounts made by an earlier version ("Демо: ББ") are renamed by the next run, not duplicated
    old = executors[0]
    old.name = "Демо: ББ"
    db.session.commit()
    count = db.session.scalar(select(func.count()).select_from(User))
    assert runner.invoke(args=["users", "demo"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == count
    renamed = db.session.get(User, old.id)
    assert renamed.name == f"Демо: {renamed.body.region} — {renamed.body.name} ({renamed.body.abbreviation})"
    edits = db.session.scalars(select(HistoryEntry).where(HistoryEntry.action == "account.edited",
                                                          HistoryEntry.account_id == old.id)).all()
    assert [e.changes["name"] for e in edits] == [["Демо: ББ", renamed.name]]
    assert runner.invoke(args=["users", "demo"]).exit_code == 0  # and a third run changes nothing
    assert db.session.scalar(select(func.count()).select_from(HistoryEntry)
                             .where(HistoryEntry.action == "account.edited")) == 1
