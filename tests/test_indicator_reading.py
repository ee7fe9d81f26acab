"""The indicators' reader (tracker.indicators.reading): the plans' own sentences → proposed
indicators. Pure: no app, no database."""

import subprocess
import sys
from datetime import date

import pytest

from tests.conftest import KARAGANDA, ROOT
from tracker.indicators import reading
from tracker.indicators.periods import Frequency, parse_period, period_keys, reporting_periods
from tracker.indicators.reading import Scope, read_completion_forms, read_results
from tracker.indicators.values import (
    Direction,
    Relative,
    Unit,
    ValueProblem,
    names_a_person,
    read_value,
    relative_target,
)
from tracker.plans.engine import parse_plan_file

#: the Zhambyl programme's "Тиімділік көрсеткіштері" (seed 000, p. 15) and its control section (16)
ZHAMBYL = [
    "- 1) қайталама қылмыстылықтың кемінде 20%-ға төмендеуі;",
    "- 2) тәуекел тобындағы кәсіптік-техникалық білім беруге қатысушылардың кемінде 90%-ын қамту;",
    "- 3) білім беру ұйымдарында сабаққа қатыспау жағдайларының азаюы;",
    "- 4) сүйемелдеудегі балалар арасында суицидтік қайталама әрекеттердің болмауы;",
    "- 5) жасөспірімдердің кемінде 70%-ын бос уақыт және еңбек қызметіне тарту.",
]
ZHAMBYL_CONTROL = ["- 1) жауапты орындаушылардың ай сайынғы есептері;", "- 2) тоқсан сайын тиімділікті талдау;"]


@pytest.fixture(scope="module")
def karaganda_indicators():
    return {p["key"]: p for p in reading.indicators_json(parse_plan_file(KARAGANDA))}


def targets(proposal: dict) -> dict[tuple[str, str], float]:
    return {(t["period"], t["scope"]): t["value"] for t in proposal["targets"]}


def test_karaganda_expected_results_give_every_yearly_target_for_the_region_and_the_country(karaganda_indicators):
    """"Күтілетін нәтижелер": six results, the third two series (suicides, attempts) — seven
    indicators, with every figure of the sentence under its year and scope."""
    found = karaganda_indicators
    assert [k for k in found if k.startswith("result:")] == [
        "result:1", "result:2", "result:3", "result:3.2", "result:4", "result:5", "result:6"]
    expected = {
        "result:1": {("2023", "country"): 1648, ("2024", "country"): 1565, ("2025", "country"): 1486,
                     ("2023", "region"): 92, ("2024", "region"): 87, ("2025", "region"): 83},
        "result:2": {("2023", "country"): 1904, ("2024", "country"): 1808, ("2025", "country"): 1717,
                     ("2023", "region"): 182, ("2024", "region"): 173, ("2025", "region"): 164},
        "result:3": {("2023", "country"): 147, ("2024", "country"): 139, ("2025", "country"): 130,
                     ("2023", "region"): 7, ("2024", "region"): 5, ("2025", "region"): 4},
        "result:3.2": {("2023", "country"): 293, ("2024", "country"): 278, ("2025", "country"): 264,
                       ("2023", "region"): 7, ("2024", "region"): 5, ("2025", "region"): 3},
        "result:4": {("2023", "region"): 90, ("2024", "region"): 93, ("2025", "region"): 96},
        "result:5": {("2023", "region"): 100, ("2024", "region"): 100, ("2025", "region"): 100},
        "result:6": {("2023", "region"): 100, ("2024", "region"): 100, ("2025", "region"): 100},
    }
    for key, figures in expected.items():
        assert targets(found[key]) == figures, key
    for key in ("result:1", "result:2", "result:3", "result:3.2"):
        assert (found[key]["unit"], found[key]["direction"], found[key]["scope"]) == ("facts", "down", "region")
        assert found[key]["relative"] == {"percent": 5, "per_year": True, "at_least": False}  # "жыл сайын 5 %-ға"
    assert (found["result:4"]["unit"], found["result:4"]["direction"]) == ("percent", "up")
    assert (found["result:5"]["unit"], found["result:5"]["direction"]) == ("percent", "reach")  # "100 %-ға дейін"
    assert (found["result:6"]["unit"], found["result:6"]["direction"]) == ("percent", "reach")  # "100 % қамту"
    assert found["result:3.2"]["name"].endswith("— әрекет жасау")
    assert found["result:1"]["name"] == ("көмелетке толмағандар арасындағы құқық бұзушылықтар санын жыл сайын 5 %-ға "
                                         "төмендету")
    # the sentence that names no scope says it was read as the region's, for a person to check
    assert any("names no scope" in note for note in found["result:4"]["notes"])
    # «Жеке қауіпсіздік» is activity 12's lesson: linked, and its lead proposed as the body
    assert found["result:6"]["activities"] == ["12"]
    assert found["result:6"]["body"] == "Қарағанды облысының білім басқармасы"
    assert all(found[k]["baseline"] is None and found[k]["activity"] is None for k in expected)


def test_plans_parse_json_shape(karaganda_indicators):
    """What `plans parse --json` carries under "indicators" (tracker.indicators.reading.indicators_json)."""
    item = karaganda_indicators["result:1"]
    assert {"text", "name", "unit", "direction", "baseline", "targets", "activity"} <= set(item)
    assert item["targets"][0] == {"period": "2023", "scope": "country", "value": 1648}
    assert isinstance(item["targets"][0]["value"], int)  # 1648, not 1648.0
    assert item["text"].startswith("көмелетке толмағандар арасындағы")


def test_the_receiver_for_plans_parse_json():
    parsed = parse_plan_file(KARAGANDA)
    assert reading.parsed_plan_extras(None, parsed=parsed) == {"indicators": reading.indicators_json(parsed)}


def test_karaganda_3_staff_trained_is_an_activity_target(karaganda_indicators):
    """"білім беру ұйымдарының 200 қызметкері": 200 people a year, for activity 3 (annual)."""
    item = karaganda_indicators["activity:3"]
    assert item["activity"] == "3"
    assert (item["unit"], item["direction"], item["scope"]) == ("people", "reach", "activity")
    assert targets(item) == {("2023", "activity"): 200, ("2024", "activity"): 200, ("2025", "activity"): 200}
    assert item["body"] == "Қарағанды облысының білім басқармасы"  # the lead, ББ
    # 47's "5 ролик" is a quantity too; no other completion form of the plan names one
    assert [k for k in karaganda_indicators if k.startswith("activity:")] == ["activity:3", "activity:47"]
    assert targets(karaganda_indicators["activity:47"]) == {("2024", "activity"): 5}


def test_completion_forms_without_quantities_give_nothing():
    forms = [reading.ActivityText("1", "x", "ОМ-ға ақпарат", (2023,)),
             reading.ActivityText("2", "x", "әкімдіктің қаулысымен 2019-2021 жылдарға комиссия құрамын бекіту", (2019,)),
             reading.ActivityText("3", "x", "ҚР ОМ 19.09.2023 ж. № 294 бұйрығы", (2023,)),
             reading.ActivityText("4", "x", "жылына 1 рет ақпарат", (2023,))]
    assert read_completion_forms(forms, years=[2019, 2023]) == []


def test_zhambyl_relative_targets():
    """"Тиімділік көрсеткіштері": five indicators; the programme analyses them quarterly."""
    frequency = reading.reporting_frequency(ZHAMBYL_CONTROL)
    assert frequency == Frequency.QUARTERLY  # "тоқсан сайын тиімділікті талдау" wins over the monthly reports
    found = read_results(ZHAMBYL, years=[2026], plan_scope=Scope.REGION, frequency=frequency)
    assert [p.key for p in found] == ["result:1", "result:2", "result:3", "result:4", "result:5"]
    one, two, three, four, five = found
    assert (one.direction, one.unit, one.relative, one.targets) == (Direction.DOWN, Unit.FACTS, Relative(20, False, True), [])
    assert (two.direction, two.unit, two.relative) == (Direction.REACH, Unit.PERCENT, None)
    quarters = ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert [(t.period, t.value) for t in two.targets] == [(q, 90) for q in quarters]
    assert (three.direction, three.relative, three.targets) == (Direction.DOWN, Relative(None), [])  # "азаюы": fewer
    assert (four.direction, [(t.period, t.value) for t in four.targets]) == (Direction.ZERO, [(q, 0) for q in quarters])
    assert (five.direction, five.unit, [t.value for t in five.targets]) == (Direction.REACH, Unit.PERCENT, [70] * 4)
    assert all(p.scope == Scope.REGION and p.frequency == Frequency.QUARTERLY for p in found)


def test_relative_targets_become_numbers_against_a_baseline():
    at_least_20_down = Relative(20, per_year=False, at_least=True)
    assert relative_target(Direction.DOWN, at_least_20_down, 50, 2025, 2026) == 40
    assert relative_target(Direction.DOWN, Relative(5, per_year=True), 100, 2022, 2024) == 90.25  # 100 × 0.95²
    assert relative_target(Direction.DOWN, Relative(5, per_year=True), 100, 2024, 2024) is None  # no later than the base
    assert relative_target(Direction.UP, Relative(3), 90, 2022, 2023) == 92.7
    assert relative_target(Direction.DOWN, Relative(None), 37, 2025, 2026) == 37


def test_russian_sentences():
    lines = ["1) снижение количества правонарушений среди несовершеннолетних ежегодно на 5 % (в 2023 году – 1 648 "
             "фактов, в 2024 году – 1565 фактов). В Карагандинской области (в 2023 году – 92 факта, в 2024 году – 87 "
             "фактов).",
             "2) охват детей дополнительным образованием не менее 90 %;",
             "3) отсутствие повторных суицидальных попыток."]
    one, two, three = read_results(lines, years=[2023, 2024], plan_scope=Scope.REGION)
    assert (one.direction, one.unit) == (Direction.DOWN, Unit.FACTS)
    assert {(t.period, t.scope, t.value) for t in one.targets} == {
        ("2023", "country", 1648), ("2024", "country", 1565), ("2023", "region", 92), ("2024", "region", 87)}
    assert one.relative == Relative(5, per_year=True)
    assert (two.direction, two.unit, [t.value for t in two.targets]) == (Direction.REACH, Unit.PERCENT, [90, 90])
    assert three.direction == Direction.ZERO


def test_figures_outside_the_plan_and_baselines():
    (item,) = read_results(["көрсеткішті 10 %-ға төмендету, 2022 жылмен салыстырғанда (2022 жылы – 50, 2024 жылы – 45)"],
                           years=[2023, 2024], plan_scope=Scope.REGION)
    assert [(t.period, t.value) for t in item.targets] == [("2024", 45)]
    assert any("2022 is outside" in n for n in item.notes)
    assert item.baseline is not None and item.baseline.year == 2022
    (based,) = read_results(["қылмыстарды 20 %-ға азайту (базалық мән – 40 (2025 ж.))"], years=[2026],
                            plan_scope=Scope.REGION)
    assert (based.baseline.year, based.baseline.value) == (2025, 40)
    assert read_results(["Бағдарламаны іске асыру."], years=[2026], plan_scope=Scope.REGION) == []


def test_periods_with_and_without_pandas_agree():
    for frequency in Frequency:
        assert period_keys([2025, 2026], frequency) == [
            p.key for p in reporting_periods(date(2025, 1, 1), date(2026, 12, 31), frequency)]
    quarter = reporting_periods(date(2026, 1, 1), date(2026, 12, 31), Frequency.QUARTERLY)[1]
    assert (quarter.key, quarter.start, quarter.end) == ("2026Q2", date(2026, 4, 1), date(2026, 6, 30))
    for written, key in [("2024", "2024"), (2024, "2024"), ("2024 ж.", "2024"), ("2024 год", "2024"),
                         ("2024Q1", "2024Q1"), ("2024-Q1", "2024Q1"), ("Q1 2024", "2024Q1"), ("1-тоқсан 2024", "2024Q1"),
                         ("I квартал 2024 г.", "2024Q1"), ("2024 ж. 2-тоқсан", "2024Q2"), ("2024-03", "2024-03"),
                         ("03.2024", "2024-03")]:
        assert parse_period(written) == key, written
    for nonsense in ("abc", "2024Q5", "13.2024", "", None, 92, 1.5):
        assert parse_period(nonsense) is None, nonsense


def test_values():
    assert read_value("1 648", Unit.FACTS) == 1648
    assert read_value("93,5", Unit.PERCENT) == 93.5
    assert read_value("93.5 %", Unit.PERCENT) == 93.5
    assert read_value(87.0, Unit.FACTS) == 87
    for raw, unit, code in [("abc", Unit.FACTS, "not_a_number"), ("-3", Unit.FACTS, "negative"),
                            ("101", Unit.PERCENT, "over_100"), ("2.5", Unit.PEOPLE, "not_whole"),
                            ("", Unit.FACTS, "empty"), (None, Unit.FACTS, "empty")]:
        with pytest.raises(ValueProblem) as problem:
            read_value(raw, unit)
        assert problem.value.code == code, raw


def test_a_value_that_is_an_iin_is_refused():
    # an IIN computed for an impossible birth date (tests/test_personal_data.py's way): 1 Jan 1800
    iin = _iin("000101", "1", "0000")
    with pytest.raises(ValueProblem) as typed:
        read_value(iin, Unit.FACTS)
    assert typed.value.code == "iin" and iin not in typed.value.shown
    with pytest.raises(ValueProblem) as number:  # a spreadsheet cell that lost the leading zeros
        read_value(float(iin), Unit.FACTS)
    assert number.value.code == "iin"


def _iin(birth: str, century: str, serial: str) -> str:
    from tracker.core.personal_data import is_iin

    for check in range(10):
        candidate = birth + century + serial + str(check)
        if is_iin(candidate):
            return candidate
    raise AssertionError("no check digit")


def test_names_of_people_are_recognised_in_their_common_forms():
    for text in ("Иванов И.И. хабарлады", "мәліметті И.И. Иванов берді", "Серік Болатұлы", "Петрова Анна Сергеевна",
                 "Е. Кұсайын"):
        assert names_a_person(text), text
    for text in ("2024 жылы 87 факт тіркелді", "ББ мен ДСБ деректері бойынша", "ҚР ОМ бұйрығы", "т.б. іс-шаралар"):
        assert names_a_person(text) is None, text


def test_the_reader_loads_without_flask_or_the_database():
    probe = ("import sys; import tracker.indicators.reading, tracker.indicators.periods, tracker.indicators.values; "
             "print(sorted(m for m in ('flask', 'flask_babel', 'sqlalchemy', 'werkzeug', 'pandas') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr
