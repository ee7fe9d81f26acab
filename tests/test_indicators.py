"""Indicators through the routes: proposals confirmed and corrected, the responsible body assigned,
actuals entered by its executors and reviewed by the coordinator, the status per period, every
kind of bad input refused with nothing stored, the spreadsheet upload, who may do what, and the
as-of replay — on the real database, with the real migrations."""

import io
import re
from datetime import date
from html.parser import HTMLParser

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.conftest import KARAGANDA, PASSWORD
from tests.evidence_files import PDF
from tracker.calendar import working_calendar
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.indicators import export as indicator_export
from tracker.indicators import operations
from tracker.indicators.models import (
    Indicator,
    IndicatorActual,
    IndicatorEvidence,
    IndicatorPeriod,
    IndicatorState,
    IndicatorTarget,
    TargetSource,
)
from tracker.plans import operations as plan_operations
from tracker.plans.models import Activity, Plan

REGION = "Қарағанды облысы"


# --- reading the page's forms as a browser would ---------------------------------------------------


class _Forms(HTMLParser):
    """Every <form> of a page: its action and the values its controls would send."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action"), "fields": {}, "options": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self._form["fields"][attrs["name"]] = attrs.get("value", "y")
            elif attrs.get("type") not in ("submit", "file"):
                self._form["fields"][attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self._select = attrs["name"]
            self._form["options"][self._select] = []
        elif tag == "option" and self._select:
            self._form["options"][self._select].append(attrs.get("value"))
            if "selected" in attrs or self._select not in self._form["fields"]:
                self._form["fields"][self._select] = attrs.get("value")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._form["fields"][self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            text = self._form["fields"][self._textarea]
            # a browser drops the one line break that may open a textarea's content
            self._form["fields"][self._textarea] = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self._form = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea] += data


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def proposal_form(client, plan_id: int, key: str) -> tuple[str, dict]:
    """The confirm form of one proposal as the page shows it: its prefix and its fields."""
    page = client.get(f"/plans/{plan_id}/indicators")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for form in forms_of(html):
        prefix = form["fields"].get("form_prefix")
        if prefix and form["fields"].get(f"{prefix}-source_key") == key:
            return prefix, form["fields"]
    raise AssertionError(f"no proposal {key} on the page")


def confirm(client, plan_id: int, key: str, **changes):
    """Confirm a proposal as shown, with the fields in `changes` corrected (names without the prefix)."""
    prefix, fields = proposal_form(client, plan_id, key)
    data = dict(fields)
    for name, value in changes.items():
        data[f"{prefix}-{name}"] = value
    return client.post(f"/plans/{plan_id}/indicators/confirm", data=data)


def signed_in(app, user, language: str = "en"):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    client.get(f"/?lang={language}")
    return client


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def body(abbreviation: str, region: str = REGION) -> Body:
    return db.session.scalar(select(Body).where(Body.abbreviation == abbreviation, Body.region == region))


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def statuses(client, indicator_id: int, scope: str = "region", as_of: str | None = None) -> dict[str, str]:
    html = client.get(f"/indicators/{indicator_id}" + (f"?as_of={as_of}" if as_of else "")).get_data(as_text=True)
    found = {}
    for row in re.finditer(r'<tr data-period="([^"]+)">(.*?)</tr>', html, re.S):
        status = re.search(rf'data-status data-scope="{scope}" data-value="([^"]+)"', row.group(2))
        found[row.group(1)] = status.group(1)
    return found


# --- the world ---------------------------------------------------------------------------------


@pytest.fixture
def karaganda(app, seed_plans, make_user):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"  # messages asserted in English
    app.config["TODAY"] = date(2025, 3, 3)
    seed_plans(KARAGANDA)
    plan = db.session.scalar(select(Plan))
    police, education = body("ПД"), body("ББ")
    assert police is not None and education is not None
    return {
        "plan": plan, "police": police, "education": education,
        "coordinator": make_user("coordinator"), "other_coordinator": make_user("coordinator"),
        "auditor": make_user("auditor"), "admin": make_user("admin"),
        "police_executor": make_user("executor", body=police),
        "education_executor": make_user("executor", body=education),
    }


@pytest.fixture
def coordinator(app, karaganda):
    return signed_in(app, karaganda["coordinator"])


def confirm_with_body(coordinator, plan: Plan, key: str, reporter: Body, **changes) -> Indicator:
    response = confirm(coordinator, plan.id, key, body_id=str(reporter.id), **changes)
    assert response.status_code == 302, text_of(response)[-3000:]
    return db.session.scalar(select(Indicator).where(Indicator.plan_id == plan.id, Indicator.source_key == key))


def post_actual(client, indicator: Indicator, period: str, value, scope: str = "", **more):
    data = {"period": period, "value": str(value), "scope": scope or indicator.scope, **more}
    return client.post(f"/indicators/{indicator.id}/actuals", data=data)


def review(client, actual: IndicatorActual, accept: bool = True, comment: str = "", seen: int | None = None):
    data = {"comment": comment, "seen_version": str(seen if seen is not None else actual.row_version)}
    data["accept" if accept else "send_back"] = "1"
    return client.post(f"/actuals/{actual.id}/review", data=data)


def latest(indicator: Indicator, period: str, scope: str | None = None) -> IndicatorActual:
    db.session.expire_all()
    return db.session.scalar(
        select(IndicatorActual).join(IndicatorPeriod, IndicatorPeriod.id == IndicatorActual.period_id)
        .where(IndicatorActual.indicator_id == indicator.id, IndicatorPeriod.period == period,
               IndicatorActual.scope == (scope or indicator.scope))
        .order_by(IndicatorActual.version.desc()).limit(1))


# --- Karaganda: the import proposes, the coordinator confirms, the body reports ------------------------


def test_karaganda_proposes_its_expected_results_and_the_statuses_follow_the_actuals(app, karaganda, coordinator):
    plan = karaganda["plan"]
    html = text_of(coordinator.get(f"/plans/{plan.id}/indicators"))
    keys = re.findall(r'data-key="([^"]+)"', html)
    assert keys == ["result:1", "result:2", "result:3", "result:3.2", "result:4", "result:5", "result:6",
                    "activity:3", "activity:47"]
    # the proposal as the form shows it: the targets the sentence states, the region's and the country's
    prefix, fields = proposal_form(coordinator, plan.id, "result:1")
    assert fields[f"{prefix}-targets"].splitlines() == [
        "2023 region 92", "2024 region 87", "2025 region 83", "2023 country 1648", "2024 country 1565",
        "2025 country 1486"]
    assert (fields[f"{prefix}-unit"], fields[f"{prefix}-direction"], fields[f"{prefix}-scope"]) == (
        "facts", "down", "region")
    assert count(Indicator) == 0  # shown, never stored silently

    offences = confirm_with_body(coordinator, plan, "result:1", karaganda["police"])
    assert offences.body_id == karaganda["police"].id and offences.state == IndicatorState.CONFIRMED
    assert {(t.period, t.scope, t.value) for t in offences.targets} == {
        ("2023", "country", 1648), ("2024", "country", 1565), ("2025", "country", 1486),
        ("2023", "region", 92), ("2024", "region", 87), ("2025", "region", 83)}
    # one reporting period a year, due five working days after it ends (the portal's working calendar)
    calendar = working_calendar()
    assert [(p.period, p.due_date) for p in offences.periods] == [
        (str(y), calendar.add_working_days(date(y, 12, 31), 5)) for y in (2023, 2024, 2025)]
    against = confirm_with_body(coordinator, plan, "result:2", karaganda["police"])
    keys_left = re.findall(r'data-key="([^"]+)"', text_of(coordinator.get(f"/plans/{plan.id}/indicators")))
    assert "result:1" not in keys_left and "result:2" not in keys_left

    executor = signed_in(app, karaganda["police_executor"])
    for indicator, period, value in [(offences, "2023", 90), (offences, "2024", 90), (against, "2023", 200)]:
        response = post_actual(executor, indicator, period, value)
        assert response.status_code == 302, text_of(response)[-2000:]
    # awaiting review, the figures already count (marked so on the page)
    assert statuses(coordinator, offences.id) == {"2023": "on_track", "2024": "at_risk", "2025": "no_data"}
    for indicator, period in [(offences, "2023"), (offences, "2024"), (against, "2023")]:
        assert review(coordinator, latest(indicator, period)).status_code == 302
    # 2023: 90 ≤ 92; 2024: 87 < 90 ≤ 87 × 1.05; offences against minors 2023: 200 > 182 × 1.05
    assert statuses(coordinator, offences.id) == {"2023": "on_track", "2024": "at_risk", "2025": "no_data"}
    assert statuses(coordinator, against.id) == {"2023": "off_track", "2024": "no_data", "2025": "no_data"}
    # the coordinator's tolerance decides "at risk" and "off track"
    edit = forms_of(coordinator.get(f"/indicators/{offences.id}/edit").get_data(as_text=True))[-1]["fields"]
    assert coordinator.post(f"/indicators/{offences.id}/edit", data={**edit, "tolerance": "2"}).status_code == 302
    assert statuses(coordinator, offences.id)["2024"] == "off_track"  # 90 > 87 × 1.02

    # the plan's panel, a body's list and the dashboard's list, from the same figures
    panel = operations.plan_panel(plan)
    assert panel["counts"]["off_track"] == 2 and panel["proposals"] == 7
    assert {line.id: line.status for line in operations.body_indicators(karaganda["police"].id)["lines"]} == {
        offences.id: "off_track", against.id: "off_track"}
    (plan_id, _title, items), = operations.off_track()["plans"]
    assert plan_id == plan.id and {i.id for i in items} == {offences.id, against.id}
    assert operations.off_track(region="Қостанай облысы")["plans"] == []
    with app.test_request_context():  # the include lines other pages use, as the handover gives them
        included = app.jinja_env.from_string(
            '{% with indicator_panel = indicator_plan_panel(plan, none) %}{% include "indicators/_plan_panel.html" %}{% endwith %}'
            '{% with indicator_body = indicator_body_list(body_id, none) %}{% include "indicators/_body_list.html" %}{% endwith %}'
            '{% with indicator_off_track = indicators_off_track(none, none, none) %}{% include "indicators/_off_track.html" %}{% endwith %}'
        ).render(plan=plan, body_id=karaganda["police"].id)
    assert included.count(f'data-indicator="{offences.id}"') == 3 and f'data-plan="{plan.id}"' in included
    assert 'data-count="off_track">2<' in included
    # the history of each step, on the indicator's page
    actions = [h.action for h in operations.history_of(offences)]
    assert actions.count("actual.submitted") == 2 and actions.count("actual.accepted") == 2
    assert "indicator.confirmed" in actions and "indicator.edited" in actions
    page = text_of(coordinator.get(f"/indicators/{offences.id}"))
    assert "actual accepted" in page and "<svg" in page


def test_a_proposal_is_corrected_before_it_is_confirmed_and_can_be_dismissed(app, karaganda, coordinator):
    plan = karaganda["plan"]
    legal = confirm_with_body(coordinator, plan, "result:4", karaganda["education"], scope="country",
                              targets="2023 country 90\n2024 country 93\n2025 country 96", name="Балалардың құқықтық қорғалу деңгейі")
    assert legal.scope == "country" and legal.name == "Балалардың құқықтық қорғалу деңгейі"
    assert {(t.period, t.scope) for t in legal.targets} == {("2023", "country"), ("2024", "country"), ("2025", "country")}
    assert coordinator.post(f"/plans/{plan.id}/indicators/dismiss", data={"source_key": "activity:47"}).status_code == 302
    dismissed = db.session.scalar(select(Indicator).where(Indicator.source_key == "activity:47"))
    assert dismissed.state == IndicatorState.DISMISSED
    keys = re.findall(r'data-key="([^"]+)"', text_of(coordinator.get(f"/plans/{plan.id}/indicators")))
    assert "activity:47" not in keys and "result:4" not in keys
    assert coordinator.get(f"/indicators/{dismissed.id}").status_code == 404  # a dismissed proposal has no page
    again = confirm(coordinator, plan.id, "result:5")
    assert again.status_code == 302
    replay = coordinator.post(f"/plans/{plan.id}/indicators/confirm",
                              data={"form_prefix": "presult_5", "presult_5-source_key": "result:5",
                                    "presult_5-name": "x", "presult_5-unit": "percent", "presult_5-direction": "reach",
                                    "presult_5-scope": "region", "presult_5-frequency": "annual",
                                    "presult_5-tolerance": "5", "presult_5-due_kind": "working_days",
                                    "presult_5-due_n": "5", "presult_5-body_id": "0"})
    assert replay.status_code == 422 and "already confirmed" in text_of(replay)


def test_karaganda_3_staff_trained_is_an_activity_target_reported_on_the_indicator(app, karaganda, coordinator):
    plan = karaganda["plan"]
    prefix, fields = proposal_form(coordinator, plan.id, "activity:3")
    # the plan says who: activity 3's lead, the education department, is proposed
    assert fields[f"{prefix}-body_id"] == str(karaganda["education"].id)
    assert fields[f"{prefix}-activities"] == "3"
    assert confirm(coordinator, plan.id, "activity:3").status_code == 302
    target = db.session.scalar(select(Indicator).where(Indicator.source_key == "activity:3"))
    activity = db.session.scalar(select(Activity).where(Activity.plan_id == plan.id, Activity.number == "3"))
    assert (target.scope, target.unit, [a.id for a in target.activities]) == ("activity", "people", [activity.id])
    assert [(t.period, t.value) for t in target.targets] == [("2023", 200), ("2024", 200), ("2025", 200)]
    executor = signed_in(app, karaganda["education_executor"])
    form_page = text_of(executor.get(f"/indicators/{target.id}"))
    assert 'name="value"' in form_page  # the number reached is asked for
    assert post_actual(executor, target, "2023", 195).status_code == 302
    assert post_actual(executor, target, "2024", 150).status_code == 302
    assert statuses(executor, target.id, scope="activity") == {"2023": "at_risk", "2024": "off_track", "2025": "no_data"}
    # beside the report form of a due date of activity 3: the target of that year, and the number reached
    obligation = next(o for o in activity.obligations if o.due_date.year == 2025)
    snippet = ('{% with indicator_activity = indicator_activity_targets(activity.id, obligation.due_date) %}'
               '{% include "indicators/_activity_target.html" %}{% endwith %}')
    with app.test_request_context(f"/obligations/{obligation.id}"):
        from flask_login import login_user

        login_user(karaganda["education_executor"])
        shown = re.sub(r"\s+", " ", app.jinja_env.from_string(snippet).render(activity=activity, obligation=obligation))
    assert "<b data-target>200</b>" in shown and 'name="value"' in shown and 'value="2025"' in shown
    form = next(f for f in forms_of(shown) if f["action"] == f"/indicators/{target.id}/actuals")
    answer = executor.post(form["action"], data={**form["fields"], "value": "205"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/obligations/{obligation.id}")
    assert latest(target, "2025").value == 205
    # its history shows on the activity's page too
    entries = db.session.scalars(select(HistoryEntry).where(HistoryEntry.activity_id == activity.id,
                                                            HistoryEntry.action == "actual.submitted")).all()
    assert len(entries) == 3  # 2023 and 2024 on the indicator's page, 2025 beside the report form


# --- Zhambyl: a programme entered by hand, with relative targets ---------------------------------------

ZHAMBYL_LINES = """1) қайталама қылмыстылықтың кемінде 20%-ға төмендеуі;
2) тәуекел тобындағы кәсіптік-техникалық білім беруге қатысушылардың кемінде 90%-ын қамту;
3) білім беру ұйымдарында сабаққа қатыспау жағдайларының азаюы;
4) сүйемелдеудегі балалар арасында суицидтік қайталама әрекеттердің болмауы;
5) жасөспірімдердің кемінде 70%-ын бос уақыт және еңбек қызметіне тарту.
жауапты орындаушылардың ай сайынғы есептері;
тоқсан сайын тиімділікті талдау;"""


@pytest.fixture
def zhambyl(app, seed_plans, make_user):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    app.config["TODAY"] = date(2026, 8, 3)
    seed_plans()
    plan = plan_operations.create_plan(
        title="Жамбыл облысы: кәмелетке толмағандарды әлеуметтік оңалту бағдарламасы, 2026 жыл",
        region="Жамбыл облысы", period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
        default_frequency="quarterly")
    plan_operations.add_activity(plan, number="1", section_title="", text="Сүйемелдеу: алғашқы 10 күн",
                                 completion_form="ай сайынғы есеп", executors_text="ІІД, ББ",
                                 deadline_text="ай сайын", funding_text="")
    police = db.session.scalar(select(Body).where(Body.region == "Жамбыл облысы", Body.abbreviation == "ІІД"))
    if police is None:
        police = next(b for b in plan_operations.bodies_for(plan) if b.region == "Жамбыл облысы")
    return {"plan": plan, "body": police, "coordinator": make_user("coordinator"),
            "executor": make_user("executor", body=police)}


def test_zhambyl_programme_relative_targets_become_numbers_with_a_baseline(app, zhambyl):
    plan = zhambyl["plan"]
    coordinator = signed_in(app, zhambyl["coordinator"])
    response = coordinator.post(f"/plans/{plan.id}/indicators/text", data={"text": ZHAMBYL_LINES, "frequency": ""})
    assert response.status_code == 302, text_of(response)[-2000:]
    keys = re.findall(r'data-key="([^"]+)"', text_of(coordinator.get(f"/plans/{plan.id}/indicators")))
    assert len(keys) == 5 and all(k.startswith("text:") for k in keys)
    indicators = [confirm_with_body(coordinator, plan, key, zhambyl["body"]) for key in keys]
    repeat, covered, absences, attempts, engaged = indicators
    assert all(i.frequency == "quarterly" for i in indicators)  # "тоқсан сайын тиімділікті талдау"
    quarters = ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert [p.period for p in repeat.periods] == quarters
    assert repeat.relative == {"percent": 20, "per_year": False, "at_least": True} and repeat.targets == []
    assert absences.relative == {"percent": None, "per_year": False, "at_least": False}
    assert [(t.period, t.value) for t in covered.targets] == [(q, 90) for q in quarters]
    assert [(t.period, t.value) for t in attempts.targets] == [(q, 0) for q in quarters]
    assert [(t.period, t.value) for t in engaged.targets] == [(q, 70) for q in quarters]

    # the baseline entered: "at least 20 % down" becomes 40 per quarter from 50; "fewer" becomes 120
    for indicator, year, value in [(repeat, "2025", "50"), (absences, "2025", "120")]:
        fields = forms_of(coordinator.get(f"/indicators/{indicator.id}/edit").get_data(as_text=True))[-1]["fields"]
        answer = coordinator.post(f"/indicators/{indicator.id}/edit",
                                  data={**fields, "baseline_year": year, "baseline_value": value})
        assert answer.status_code == 302, text_of(answer)[-2000:]
    db.session.expire_all()
    assert [(t.period, t.value, t.source) for t in db.session.get(Indicator, repeat.id).targets] == [
        (q, 40, TargetSource.RELATIVE) for q in quarters]
    assert [t.value for t in db.session.get(Indicator, absences.id).targets] == [120] * 4

    executor = signed_in(app, zhambyl["executor"])
    for indicator, period, value in [(repeat, "2026Q1", 38), (repeat, "2026Q2", 41), (attempts, "2026Q1", 1),
                                     (covered, "2026Q1", "91,5")]:
        assert post_actual(executor, indicator, period, value).status_code == 302
    assert statuses(executor, repeat.id) == {"2026Q1": "on_track", "2026Q2": "at_risk", "2026Q3": "no_data",
                                             "2026Q4": "no_data"}
    assert statuses(executor, attempts.id)["2026Q1"] == "off_track"  # one repeated attempt: never "at risk"
    assert statuses(executor, covered.id)["2026Q1"] == "on_track"
    assert latest(covered, "2026Q1").value == 91.5


# --- bad input: a clear message naming the field, nothing stored ---------------------------------------


@pytest.fixture
def reporting(app, karaganda, coordinator):
    plan = karaganda["plan"]
    offences = confirm_with_body(coordinator, plan, "result:1", karaganda["police"])
    level = confirm_with_body(coordinator, plan, "result:4", karaganda["police"])
    return {**karaganda, "offences": offences, "level": level, "coordinator_client": coordinator,
            "executor": signed_in(app, karaganda["police_executor"])}


def refused(response, *words) -> str:
    assert response.status_code == 422, response.status_code
    page = text_of(response)
    for word in words:
        assert word in page, (word, page[-3000:])
    return page


def test_bad_actuals_are_refused_naming_the_field_and_nothing_is_stored(reporting):
    executor, offences, level = reporting["executor"], reporting["offences"], reporting["level"]
    before = count(IndicatorActual)
    refused(post_actual(executor, offences, "2023", "abc"), "Value: «abc» is not a number.")
    refused(post_actual(executor, offences, "2023", "-3"), "Value: a count cannot be negative (-3).")
    refused(post_actual(executor, offences, "2023", "2.5"), "Value: 2.5 is not a whole number")
    refused(post_actual(executor, level, "2023", "120"), "Value: a percentage cannot be over 100 (120).")
    refused(post_actual(executor, offences, "2027", "5"), "Period: 2027 is outside the plan&#39;s period 2023–2025.")
    refused(post_actual(executor, offences, "2024Q1", "5"), "Period: 2024Q1 is not one of this indicator&#39;s reporting periods")
    refused(post_actual(executor, offences, "someday", "5"), "Period: «someday» is not a period")
    refused(post_actual(executor, offences, "2023", "5", scope="district"), "Scope: «district» — this indicator is reported for")
    assert count(IndicatorActual) == before
    assert post_actual(executor, offences, "2023", "90").status_code == 302
    refused(post_actual(executor, offences, "2023", "91"), "Period: an actual for 2023 (region) already awaits review.")
    assert review(reporting["coordinator_client"], latest(offences, "2023")).status_code == 302
    refused(post_actual(executor, offences, "2023", "91"), "Period: the actual for 2023 (region) is already accepted.")
    assert count(IndicatorActual) == before + 1


def test_personal_data_is_refused_in_values_and_comments(reporting):
    executor, offences = reporting["executor"], reporting["offences"]
    from tests.test_indicator_reading import _iin

    iin = _iin("000101", "1", "0001")
    before = count(IndicatorActual)
    page = refused(post_actual(executor, offences, "2023", iin), "looks like an IIN")
    assert iin not in page
    page = refused(post_actual(executor, offences, "2023", "90", comment=f"ЖСН {iin}", no_personal_data="y"),
                   "Comment: contains an IIN")
    assert iin not in page
    refused(post_actual(executor, offences, "2023", "90", comment="Деректерді Иванов И.И. берді", no_personal_data="y"),
            "looks like a person&#39;s name")
    refused(post_actual(executor, offences, "2023", "90", comment="аудандардың деректері бойынша"),
            "Confirm that the comment and the files name no one")
    assert count(IndicatorActual) == before
    answer = post_actual(executor, offences, "2023", "90", comment="аудандардың деректері бойынша", no_personal_data="y")
    assert answer.status_code == 302


def test_bad_targets_on_confirmation_are_refused_with_the_line(app, karaganda, coordinator):
    plan = karaganda["plan"]
    for targets, words in [("2027 region 80", "Targets, line 1: 2027 is outside the plan&#39;s period 2023–2025."),
                           ("2023 region 92\n2024 region -5", "Targets, line 2: a count cannot be negative (-5)."),
                           ("2024 moon 5", "Targets, line 1: «moon» is not a scope"),
                           ("2024 region 87\n2024 облыс 86", "Targets, line 2: a target for 2024 (region) is given twice."),
                           ("just words", "Targets, line 1: «just words» — write the period, the scope and the value")]:
        refused(confirm(coordinator, plan.id, "result:1", targets=targets), words)
    refused(confirm(coordinator, plan.id, "result:4", targets="2023 region 120"),
            "Targets, line 1: a percentage cannot be over 100 (120).")
    refused(confirm(coordinator, plan.id, "result:1", baseline_value="abc"), "Baseline value: «abc» is not a number.")
    refused(confirm(coordinator, plan.id, "result:1", activities="999"), "Activities: the plan has no activity «999».")
    refused(confirm(coordinator, plan.id, "result:1", name=""), "Name: the indicator needs a name.")
    assert count(Indicator) == 0 and count(IndicatorTarget) == 0 and count(IndicatorPeriod) == 0


def test_reporting_periods_with_actuals_are_never_dropped(app, reporting, coordinator):
    offences = reporting["offences"]
    assert post_actual(reporting["executor"], offences, "2023", "90").status_code == 302
    fields = forms_of(coordinator.get(f"/indicators/{offences.id}/edit").get_data(as_text=True))[-1]["fields"]
    answer = coordinator.post(f"/indicators/{offences.id}/edit", data={**fields, "frequency": "quarterly",
                                                                        "targets": ""})
    refused(answer, "Frequency: 2023 already have actuals")
    db.session.expire_all()
    indicator = db.session.get(Indicator, offences.id)
    assert indicator.frequency == "annual" and len(indicator.periods) == 3 and len(indicator.targets) == 6


# --- review: return, correct, accept; the as-of replay; two reviewers --------------------------------------


def test_review_return_correct_accept_and_the_as_of_replay(app, reporting, coordinator):
    offences, executor = reporting["offences"], reporting["executor"]
    app.config["TODAY"] = date(2024, 1, 5)
    assert post_actual(executor, offences, "2023", "95").status_code == 302
    app.config["TODAY"] = date(2024, 1, 10)
    first = latest(offences, "2023")
    refused(review(coordinator, first, accept=False), "Say why the actual is returned")
    assert review(coordinator, first, accept=False, comment="Аудандардың деректерін қосыңыз").status_code == 302
    app.config["TODAY"] = date(2024, 1, 12)
    assert post_actual(executor, offences, "2023", "91").status_code == 302
    second = latest(offences, "2023")
    assert (second.version, second.previous_id) == (2, first.id)
    app.config["TODAY"] = date(2024, 1, 15)
    assert review(coordinator, second).status_code == 302
    app.config["TODAY"] = date(2025, 3, 3)

    due = offences.periods[0].due_date
    assert date(2024, 1, 5) <= due < date(2024, 1, 15)  # five working days after 31 December

    def on(day: str):
        frame = operations.figures_frame([db.session.get(Indicator, offences.id)], date.fromisoformat(day))
        row = frame[(frame["period"] == "2023") & (frame["scope"] == "region")].iloc[0]
        actual = None if row["actual"] != row["actual"] else row["actual"]
        return actual, row["state"] if isinstance(row["state"], str) else None, row["status"], row["reporting_status"]

    assert on("2024-01-04") == (None, None, "no_data", "due_soon")
    assert on("2024-01-05") == (95, "submitted", "at_risk", "submitted")
    assert on("2024-01-10") == (None, "returned", "no_data", "returned")
    assert on("2024-01-12") == (91, "submitted", "on_track", "submitted")
    assert on("2024-01-15") == (91, "accepted", "on_track", "done_late")
    assert statuses(coordinator, offences.id, as_of="2024-01-06")["2023"] == "at_risk"
    assert statuses(coordinator, offences.id, as_of="2024-01-11")["2023"] == "no_data"
    actions = [h.action for h in reversed(operations.history_of(offences)) if h.action.startswith("actual.")]
    assert actions == ["actual.submitted", "actual.returned", "actual.resubmitted", "actual.accepted"]


def test_two_coordinators_reviewing_at_once(app, reporting, coordinator):
    offences = reporting["offences"]
    assert post_actual(reporting["executor"], offences, "2023", "90").status_code == 302
    actual = latest(offences, "2023")
    seen = actual.row_version
    other = signed_in(app, reporting["other_coordinator"])
    assert review(other, actual, seen=seen).status_code == 302
    late = review(coordinator, actual, accept=False, comment="қайта тексеріңіз", seen=seen)
    assert late.status_code == 409 and "accepted by" in text_of(late)
    assert latest(offences, "2023").state == "accepted"


def test_evidence_files_are_checked_and_kept(app, reporting):
    executor, offences = reporting["executor"], reporting["offences"]
    bad = post_actual(executor, offences, "2023", "90", no_personal_data="y",
                      files=(io.BytesIO(b"MZ not a pdf"), "stats.pdf"))
    refused(bad, "stats.pdf")
    assert count(IndicatorActual) == 0 and count(IndicatorEvidence) == 0
    good = post_actual(executor, offences, "2023", "90", no_personal_data="y", files=(io.BytesIO(PDF), "статистика.pdf"))
    assert good.status_code == 302
    (evidence,) = db.session.scalars(select(IndicatorEvidence)).all()
    download = executor.get(f"/indicator-evidence/{evidence.id}")
    assert download.status_code == 200 and download.data == PDF
    download.close()


# --- many actuals from a spreadsheet ----------------------------------------------------------------------


def xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, plan: Plan, name: str, data: bytes):
    return client.post(f"/plans/{plan.id}/indicators/upload", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_spreadsheet_rows_with_errors_are_named_and_nothing_is_stored(app, reporting):
    plan, executor, offences, level = reporting["plan"], reporting["executor"], reporting["offences"], reporting["level"]
    data = xlsx([
        ["Көрсеткіш", "Кезең", "Ауқым", "Нақты мән", "Түсініктеме"],
        [f"#{offences.id}", 2023, "облыс", 90, ""],
        [f"#{offences.id}", 2024, "облыс", "abc", ""],
        [f"#{level.id}", 2023, "облыс", 120, ""],
        [f"#{offences.id}", 2027, "облыс", 80, ""],
        ["жоқ көрсеткіш", 2023, "облыс", 5, ""],
        [f"#{offences.id}", 2023, "облыс", 91, ""],
        [f"#{offences.id}", 2025, "облыс", -4, ""],
    ])
    answer = upload(executor, plan, "деректер.xlsx", data)
    page = refused(answer, "row 3, column «Нақты мән»: «abc» is not a number.",
                   "row 4, column «Нақты мән»: a percentage cannot be over 100 (120).",
                   "row 5, column «Кезең»: 2027 is outside the plan&#39;s period 2023–2025.",
                   "row 6, column «Көрсеткіш»: «жоқ көрсеткіш» is none of the indicators your body reports",
                   "row 7: row 2 already gives 2023 (region) of this indicator.",
                   "row 8, column «Нақты мән»: a count cannot be negative (-4).")
    assert "Store these actuals" not in page
    wide = xlsx([["Көрсеткіш", "2023", "2024"], [f"#{offences.id}", 90, "көп"]])
    refused(upload(executor, plan, "кесте.xlsx", wide), "row 2, column «2024»: «көп» is not a number.")
    assert count(IndicatorActual) == 0


def test_a_departments_wide_table_is_previewed_then_stored_on_confirmation(app, reporting):
    plan, executor, offences, level = reporting["plan"], reporting["executor"], reporting["offences"], reporting["level"]
    csv = ("Показатель;2023;2024;Комментарий\n"
           f"{offences.name};90;86;по данным районов\n"
           f"#{level.id};91;;\n").encode("utf-8-sig")  # Excel's "CSV UTF-8"
    answer = upload(executor, plan, "факты.csv", csv)
    assert answer.status_code == 200, text_of(answer)[-3000:]
    assert count(IndicatorActual) == 0  # a preview stores nothing
    (form,) = [f for f in forms_of(answer.get_data(as_text=True)) if f["action"].endswith("/upload/confirm")]
    token = form["fields"]["token"]
    refused(executor.post(f"/plans/{plan.id}/indicators/upload/confirm", data={"token": token}),
            "Confirm that the comments name no one")
    assert count(IndicatorActual) == 0
    other = signed_in(app, reporting["education_executor"])  # another person cannot use this token
    assert other.post(f"/plans/{plan.id}/indicators/upload/confirm", data={"token": token}).status_code == 403
    assert count(IndicatorActual) == 0
    stored = executor.post(f"/plans/{plan.id}/indicators/upload/confirm", data={"token": token, "no_personal_data": "y"})
    assert stored.status_code == 302
    assert {(a.indicator_id, a.period.period, a.value, a.source) for a in db.session.scalars(select(IndicatorActual))} == {
        (offences.id, "2023", 90, "spreadsheet"), (offences.id, "2024", 86, "spreadsheet"),
        (level.id, "2023", 91, "spreadsheet")}
    assert db.session.scalar(select(func.count()).select_from(HistoryEntry).where(
        HistoryEntry.action == "actual.submitted")) == 3
    # the same file again: every row is now a duplicate
    refused(upload(executor, plan, "факты.csv", csv), "already awaits review")


def test_spreadsheets_carrying_an_iin_or_not_spreadsheets_are_refused(app, reporting):
    from tests.test_indicator_reading import _iin

    plan, executor, offences = reporting["plan"], reporting["executor"], reporting["offences"]
    iin = _iin("000101", "1", "0002")
    for name, data in [("a.xlsx", xlsx([["Көрсеткіш", "Кезең", "Мән"], [f"#{offences.id}", 2023, iin]])),
                       ("a.csv", f"Indicator,Period,Value\n#{offences.id},2023,{iin}\n".encode()),
                       ("a.csv", PDF), ("a.xlsx", b"PK\x03\x04 not really"), ("a.txt", b"Indicator,Period,Value\n")]:
        answer = upload(executor, plan, name, data)
        assert answer.status_code == 422, name
        assert iin not in answer.get_data(as_text=True)
    assert count(IndicatorActual) == 0


# --- who may do what -----------------------------------------------------------------------------------


def test_who_may_do_what(app, reporting, client):
    plan, offences = reporting["plan"], reporting["offences"]
    education = signed_in(app, reporting["education_executor"])  # another body's executor
    auditor, admin = signed_in(app, reporting["auditor"]), signed_in(app, reporting["admin"])
    for reader in (education, auditor, admin, reporting["executor"]):
        assert reader.get(f"/plans/{plan.id}/indicators").status_code == 200
        assert reader.get(f"/indicators/{offences.id}").status_code == 200
    assert client.get(f"/indicators/{offences.id}").status_code == 302  # signed out: to the login page
    coordinator = signed_in(app, reporting["coordinator"])
    before = count(IndicatorActual), count(Indicator)
    # actuals: only the responsible body's executors
    for stranger in (education, auditor, admin, coordinator):
        assert post_actual(stranger, offences, "2023", "90").status_code == 403
        assert upload(stranger, plan, "a.csv", b"Indicator,Period,Value\n").status_code == 403
    # confirming, dismissing, editing, adding text: the coordinator only
    for stranger in (education, auditor, admin, reporting["executor"]):
        assert stranger.post(f"/plans/{plan.id}/indicators/confirm", data={"form_prefix": "presult_2"}).status_code == 403
        assert stranger.post(f"/plans/{plan.id}/indicators/dismiss", data={"source_key": "result:2"}).status_code == 403
        assert stranger.post(f"/plans/{plan.id}/indicators/text", data={"text": "x"}).status_code == 403
        assert stranger.get(f"/indicators/{offences.id}/edit").status_code == 403
        assert stranger.post(f"/indicators/{offences.id}/edit", data={"name": "x"}).status_code == 403
    assert count(IndicatorActual) == before[0] and count(Indicator) == before[1]
    assert post_actual(reporting["executor"], offences, "2023", "90").status_code == 302
    actual = latest(offences, "2023")
    for stranger in (education, auditor, admin, reporting["executor"]):
        assert review(stranger, actual).status_code == 403
    assert latest(offences, "2023").state == "submitted"
    assert review(coordinator, actual).status_code == 302
    assert coordinator.get("/indicators/999999").status_code == 404
    assert coordinator.get("/plans/999999/indicators").status_code == 404


# --- the workbook's sheet -------------------------------------------------------------------------------


def test_the_indicators_sheet_and_its_charts(app, reporting, tmp_path):
    import xlsxwriter

    offences = reporting["offences"]
    assert post_actual(reporting["executor"], offences, "2023", "90").status_code == 302
    with app.test_request_context():
        sheet = indicator_export.indicators_sheet(date(2025, 3, 3), plan_id=reporting["plan"].id)
        keys = [c[0] for c in sheet.columns]
        rows = list(sheet.rows)
    own = [r for r in rows if r[keys.index("indicator_id")] == offences.id and r[keys.index("scope")] == "region"]
    assert [(r[keys.index("period")], r[keys.index("target")], r[keys.index("actual")], r[keys.index("indicator_status")])
            for r in own] == [("2023", 92, 90, "on track"), ("2024", 87, None, "no data"), ("2025", 83, None, "no data")]
    assert len(sheet.charts) == 2 and sheet.charts[0].first == 0 and sheet.charts[0].last == 2
    path = tmp_path / "indicators.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    out = book.add_worksheet("Indicators")
    out.write_row(0, 0, [c[1] for c in sheet.columns])
    for number, row in enumerate(rows, start=1):
        out.write_row(number, 0, [v if not isinstance(v, date) else v.isoformat() for v in row])
    indicator_export.insert_charts(book, out, "Indicators", 0, sheet.charts, sheet.columns)
    book.close()
    opened = openpyxl.load_workbook(path)
    assert len(opened["Indicators"]._charts) == 2


def test_the_portals_workbook_and_csv_carry_the_indicators_and_the_changes_since_a_day(app, reporting):
    import zipfile

    offences = reporting["offences"]
    assert post_actual(reporting["executor"], offences, "2023", "90").status_code == 302
    client = reporting["coordinator_client"]
    args = {"plan": reporting["plan"].id, "as_of": "2025-03-03", "lang": "en"}
    response = client.get("/export/workbook.xlsx", query_string=args)
    data = response.data
    response.close()
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert "Indicators" in book.sheetnames and "Changes" not in book.sheetnames
    rows = list(book["Indicators"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Plan")
    keys = list(rows[header])
    own = [r for r in rows[header + 1:] if r[keys.index("Indicator no.")] == offences.id
           and r[keys.index("Scope")] == "region"]
    assert [(r[keys.index("Period")], r[keys.index("Target")], r[keys.index("Actual")]) for r in own] == \
        [("2023", 92, 90), ("2024", 87, None), ("2025", 83, None)]
    charts = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 2 + 2  # the summary's and by-body charts, and one line chart per indicator
    csv = client.get("/export/indicators.csv", query_string=args).get_data(as_text=True)
    assert offences.name in csv and "2023" in csv
    # a first day: what changed since then, and each executor's rates then and now
    response = client.get("/export/workbook.xlsx", query_string={**args, "since": "2024-01-01"})
    since = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    response.close()
    assert {"Changes", "Rates then and now"} <= set(since.sheetnames)
    assert any(row and row[0] for row in since["Changes"].iter_rows(min_row=2, values_only=True))


def test_the_dashboard_names_indicators_off_track_and_the_body_page_lists_what_it_reports(app, reporting):
    offences, police = reporting["offences"], reporting["police"]
    assert post_actual(reporting["executor"], offences, "2023", "150").status_code == 302  # far above the target 92
    coordinator = reporting["coordinator_client"]
    assert review(coordinator, latest(offences, "2023")).status_code == 302
    dashboard = coordinator.get("/dashboard", query_string={"as_of": "2025-03-03", "lang": "en"}).get_data(as_text=True)
    off_track = dashboard.split('id="indicators-off-track"')[1].split("</section>")[0]
    assert f'data-indicator="{offences.id}"' in off_track
    assert f'data-indicator="{reporting["level"].id}"' not in off_track  # no data is not off track
    assert 'id="changes-link"' in dashboard and "/dashboard/changes?" in dashboard
    page = coordinator.get(f"/bodies/{police.id}", query_string={"as_of": "2025-03-03", "lang": "en"}).get_data(as_text=True)
    listed = page.split('id="body-indicators"')[1].split("</section>")[0]
    assert f'data-indicator="{offences.id}"' in listed and 'data-status="off_track"' in listed
    assert f'data-indicator="{reporting["level"].id}"' in listed
    assert f'action="/bodies/{police.id}/implementation-report.docx"' in page  # its report, from its page
    assert f'href="/bodies/{police.id}/chain' in page


def test_the_table_to_fill_in_goes_back_in(app, reporting, coordinator):
    plan, executor, offences, level = reporting["plan"], reporting["executor"], reporting["offences"], reporting["level"]
    fields = forms_of(coordinator.get(f"/indicators/{offences.id}/edit").get_data(as_text=True))[-1]["fields"]
    assert coordinator.post(f"/indicators/{offences.id}/edit",
                            data={**fields, "name": "=HYPERLINK(\"x\") құқық бұзушылықтар"}).status_code == 302
    download = executor.get(f"/plans/{plan.id}/indicators/template.csv")
    assert download.status_code == 200
    import csv

    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Indicator", "Name of the indicator", "Period"]
    assert rows[1][:2] == [f"#{offences.id}", "'=HYPERLINK(\"x\") құқық бұзушылықтар"]  # neutralised: Excel would run it
    assert len(rows) == 1 + 6  # the three open years of each indicator
    out = io.StringIO()
    csv.writer(out).writerows([rows[0], *([*row[:4], "80", ""] for row in rows[1:])])
    filled = out.getvalue()
    answer = upload(executor, plan, "толтырылған.csv", filled.encode("utf-8-sig"))
    assert answer.status_code == 200, text_of(answer)[-2000:]
    (form,) = [f for f in forms_of(answer.get_data(as_text=True)) if f["action"].endswith("/upload/confirm")]
    assert executor.post(form["action"], data=form["fields"]).status_code == 302
    assert {(a.indicator_id, a.period.period, a.value) for a in db.session.scalars(select(IndicatorActual))} == {
        (i.id, str(y), 80) for i in (offences, level) for y in (2023, 2024, 2025)}


def test_plans_parse_json_carries_the_indicators_the_import_will_propose(runner):
    import json

    result = runner.invoke(args=["plans", "parse", str(KARAGANDA), "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)["indicators"]
    assert len(found) == 9
    offences = next(i for i in found if i["key"] == "result:1")
    assert {"text", "name", "unit", "direction", "baseline", "targets", "activity"} <= set(offences)
    assert offences["direction"] == "down" and offences["unit"] == "facts"
    region = {t["period"]: t["value"] for t in offences["targets"] if t["scope"] == "region"}
    assert region == {"2023": 92, "2024": 87, "2025": 83}


def test_the_implementation_report_quotes_the_indicators_against_their_targets(app, reporting):
    import docx

    offences = reporting["offences"]
    assert post_actual(reporting["executor"], offences, "2023", "90").status_code == 302
    coordinator = reporting["coordinator_client"]
    assert review(coordinator, latest(offences, "2023")).status_code == 302
    response = coordinator.get(f"/plans/{reporting['plan'].id}/implementation-report.docx",
                               query_string={"lang": "kk", "as_of": "2025-03-03"})
    document = docx.Document(io.BytesIO(response.data))
    response.close()
    rows = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    quoted = next(r for r in rows if r and r[0].startswith(offences.name))
    assert quoted[1] == "2023: 92; 2024: 87; 2025: 83" and quoted[2] == "2023: 90"
    level = next(r for r in rows if r and r[0].startswith(reporting["level"].name))
    assert level[2] == "—"  # no actual yet
