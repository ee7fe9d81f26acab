"""The two seed plans, read as the issue's acceptance list says, and then some."""

from datetime import date

import pytest

from tests.conftest import activity


def dates(item):
    return [d.isoformat() for d in item.deadline.due_dates]


def executors(item):
    return [(e.written, e.abbreviation, e.lead, e.by_agreement, e.match) for e in item.executors]


# --- Kostanay 2019–2021 ------------------------------------------------------------------


def test_kostanay_numbers_sections_period(kostanay):
    numbers = [a.number for a in kostanay.activities]
    expected = ([f"1.{i}" for i in range(1, 22)] + [f"2.{i}" for i in range(1, 16)]
                + [f"3.{i}" for i in range(1, 15)])
    assert numbers == expected
    assert [s[0] for s in kostanay.sections] == ["1", "2", "3"]
    assert all(a.section == a.number.split(".")[0] for a in kostanay.activities)
    assert (kostanay.period.start, kostanay.period.end) == (date(2019, 1, 1), date(2021, 12, 31))
    assert kostanay.region == "Қостанай облысы"
    assert "2019-2021 жылдарға арналған ведомствоаралық іс-шаралар жоспары" in kostanay.title


def test_kostanay_deadlines(kostanay):
    assert dates(activity(kostanay, "1.5")) == ["2019-06-30"]
    assert dates(activity(kostanay, "3.1")) == ["2019-08-25", "2020-08-25", "2021-08-25"]
    assert len(dates(activity(kostanay, "1.12"))) == 12
    assert dates(activity(kostanay, "1.12"))[:4] == ["2019-03-31", "2019-06-30", "2019-09-30", "2019-12-31"]
    monthly = dates(activity(kostanay, "1.17"))
    assert len(monthly) == 36 and monthly[1] == "2019-02-28" and monthly[13] == "2020-02-29"
    assert dates(activity(kostanay, "1.14")) == ["2019-03-31", "2019-04-30", "2019-05-31", "2019-06-30", "2019-10-31"]
    assert dates(activity(kostanay, "1.4")) == ["2019-06-30", "2019-12-31", "2020-06-30", "2020-12-31",
                                                "2021-06-30", "2021-12-31"]
    assert dates(activity(kostanay, "1.1")) == ["2019-08-31", "2020-08-31", "2021-08-31"]
    assert dates(activity(kostanay, "1.16")) == ["2019-12-31"]  # наурыз-желтоқсан: the end of the range
    assert dates(activity(kostanay, "1.20")) == ["2019-11-30"]
    assert dates(activity(kostanay, "1.19")) == ["2019-08-31", "2020-08-31", "2021-08-31"]  # summer
    assert dates(activity(kostanay, "2.11"))[:4] == ["2019-03-31", "2019-05-31", "2019-10-31", "2019-12-31"]
    assert activity(kostanay, "1.3").deadline.rule == "ongoing:semiannual"


def test_kostanay_executors(kostanay):
    item = activity(kostanay, "1.4")
    assert [e.written for e in item.executors] == ["ББ", "ДСБ", "ПД", "ІСБ", "ҮЕҰ", "ЖАО"]
    lead = item.executors[0]
    assert lead.lead and lead.body == "Білім басқармасы" and lead.match == "legend"
    assert not any(e.lead for e in item.executors[1:])
    # 3.13 repeats ДСБ and ҮЕҰ: once each, order kept
    written = [e.written for e in activity(kostanay, "3.13").executors]
    assert written.count("ДСБ") == 1 and written.count("ҮЕҰ") == 1
    assert written == ["ББ", "ДСБ", "ПД", "ҮЕҰ", "қалалар мен аудандардың білім бөлімдері"]
    # 1.21 separates with a semicolon
    assert [e.written for e in activity(kostanay, "1.21").executors][:2] == ["ББ", "ДСБ"]


def test_kostanay_russian_abbreviations_are_the_same_bodies(kostanay):
    russian = activity(kostanay, "1.8").executors
    kazakh = {e.written: e for e in activity(kostanay, "1.4").executors}
    assert [e.written for e in russian] == ["УО", "УВП", "МИО", "НПО"]
    for ru, kk in zip(russian, ["ББ", "ІСБ", "ЖАО", "ҮЕҰ"], strict=False):
        assert ru.body_key == kazakh[kk].body_key and ru.body == kazakh[kk].body
        assert ru.match == "registry"


def test_kostanay_funding_and_subrows(kostanay):
    assert activity(kostanay, "1.20").funding.kind == "amount"
    assert activity(kostanay, "1.20").funding.amount_kzt == 2_000_000
    assert activity(kostanay, "1.1").funding.kind == "allocated"
    assert activity(kostanay, "1.3").funding.kind == "none"
    item = activity(kostanay, "3.4")
    assert [p.completion_form for p in item.parts] == ["Білім басқармасына ақпарат", "ББ –ға тізімді құрам"]
    assert [p.deadline.rule for p in item.parts] == ["monthly", "quarterly"]
    assert len(item.parts[0].deadline.due_dates) == 36 and len(item.parts[1].deadline.due_dates) == 12
    assert [e.written for e in item.executors] == ["ПД ЖПҚ"]


def test_kostanay_quirks_resolved_or_warned(kostanay):
    typo = activity(kostanay, "1.17").executors[-1]
    assert typo.written == "қалалар мен аудандардың ібілм бөлімдері"
    assert typo.match == "fuzzy" and typo.body == "қалалар мен аудандар әкімдіктерінің білім бөлімдері"
    word_order = activity(kostanay, "1.1").executors[1]
    assert word_order.written == "аудандар мен қалалардың білім бөлімдері"
    assert word_order.body_key == typo.body_key
    assert activity(kostanay, "2.3").executors[1].written == "МБ"
    assert activity(kostanay, "2.3").executors[1].body == "Мәдениет басқармасы"  # the legend's МК
    assert activity(kostanay, "2.7").executors[1].body == "Полиция департаменті"  # ІІБ, the older name
    # ПД and ДП in 2.11 are one body: the second is dropped
    assert [e.written for e in activity(kostanay, "2.11").executors].count("ДП") == 0
    legend_warnings = [w for w in kostanay.warnings if w.field == "legend"]
    assert len(legend_warnings) == 1 and "ББ" in legend_warnings[0].message


# --- Karaganda 2023–2025 ------------------------------------------------------------------


def test_karaganda_numbers_sections_period(karaganda):
    assert [a.number for a in karaganda.activities] == [str(i) for i in range(1, 57)]
    assert [s[0] for s in karaganda.sections] == ["1", "2", "3"]
    sections = {a.number: a.section for a in karaganda.activities}
    assert sections["23"] == "1" and sections["24"] == "2" and sections["39"] == "2" and sections["40"] == "3"
    assert (karaganda.period.start, karaganda.period.end) == (date(2023, 1, 1), date(2025, 12, 31))
    assert karaganda.region == "Қарағанды облысы"
    assert karaganda.title.endswith("ЖОЛ КАРТАСЫ")
    assert len(karaganda.expected_results) == 6


def test_karaganda_page_break_continuations(karaganda):
    item = activity(karaganda, "17")
    assert item.text.endswith("ұйымдастыру және өткізу.")
    assert "қараша желтоқсан" in item.deadline.text
    assert len(item.deadline.due_dates) == 15
    assert item.completion_form == "интерактивті сабақтар, БАҚ-та жарияланымдарды орналастыру"
    assert activity(karaganda, "23").text.endswith("шектелген заттар мен құралдардың тізбесі және т. б.)")
    assert activity(karaganda, "28").text.endswith("(ППМЖ) пайдаланатын мектептер мен колледждер желісін кеңейту")
    assert activity(karaganda, "45").text.endswith("Мемлекеттік әлеуметтік тапсырысын бөлу")
    assert activity(karaganda, "46").text.startswith("«111» бірыңғай")


def test_karaganda_acceptance(karaganda):
    first = activity(karaganda, "1")
    assert dates(first) == ["2023-11-30"]
    assert first.executors[0].written == "облыс әкімдігі" and first.executors[0].lead
    assert dates(activity(karaganda, "27")) == ["2023-06-30", "2023-12-31", "2024-06-30", "2024-12-31",
                                                "2025-06-30", "2025-12-31"]
    assert len(dates(activity(karaganda, "20"))) == 6  # "Жартыжылд ықта 1 рет"
    assert dates(activity(karaganda, "44")) == []
    assert any(w.activity == "44" and w.field == "deadline" for w in karaganda.warnings)
    assert any(w.activity == "50" and "(келісім бойынша)" in w.message for w in karaganda.warnings)
    ombudsman = next(e for e in activity(karaganda, "6").executors if e.written == "БҚЖУ")
    assert ombudsman.body == "Бала құқықтары жөніндегі уәкіл" and ombudsman.by_agreement
    assert ombudsman.match == "variant" and ombudsman.national
    assert activity(karaganda, "3").funding.kind == "republican_budget"
    assert activity(karaganda, "5").funding.kind == "unspecified"
    assert dates(activity(karaganda, "25")) == ["2024-12-31", "2025-12-31"]
    assert dates(activity(karaganda, "7")) == ["2023-05-31", "2024-05-31", "2025-05-31"]


def test_karaganda_spelling_variants_are_one_body(karaganda):
    employment = {e.written: e for a in karaganda.activities for e in a.executors
                  if e.written in ("ЖҚҰӘББ", "ЖҚУӘББ", "ЖКУӘББ", "ЖКҰӘББ", "ЖҚҮӘББ")}
    assert set(employment) == {"ЖҚҰӘББ", "ЖҚУӘББ", "ЖКУӘББ", "ЖКҰӘББ", "ЖҚҮӘББ"}
    assert len({e.body_key for e in employment.values()}) == 1
    assert employment["ЖҚҰӘББ"].match == "legend" and employment["ЖКУӘББ"].match == "variant"
    informatization = {e.written: e for a in karaganda.activities for e in a.executors
                       if e.written in ("АМҚКАБ", "АМКҚАБ", "АМЖКАБ")}
    assert len({e.body_key for e in informatization.values()}) == 1
    # АМКҚАБ folds to the very letters of АМҚКАБ (a variant); АМЖКАБ needs the fuzzy match.
    assert informatization["АМЖКАБ"].match == "fuzzy"
    statistics = activity(karaganda, "11").executors[0]
    assert statistics.written == "ҚР БПҚСЖАЕК КОД" and statistics.abbreviation == "ҚР БІ ҚСЖАЕК ҚОД"
    assert statistics.match == "fuzzy" and statistics.by_agreement
    assert activity(karaganda, "16").executors[0].abbreviation == "ТЖД"  # ТЖБ, by agreement


def test_karaganda_named_bodies_without_abbreviations(karaganda):
    names = {e.written: e for a in karaganda.activities for e in a.executors}
    for written in ("облыс әкімдігі", "әкімдіктер", "білім бөлімдері", "қалалар мен аудандардың әкімдіктері",
                    "облыс прокуратурасы"):
        assert names[written].body, written
    assert names["әкімдіктер"].body_key == names["қалалар мен аудандардың әкімдіктері"].body_key
    assert names["Әкімдіктер"].body_key == names["әкімдіктер"].body_key


@pytest.mark.parametrize("plan_fixture", ["kostanay", "karaganda"])
def test_every_executor_resolves_or_is_named_in_a_warning(plan_fixture, request):
    plan = request.getfixturevalue(plan_fixture)
    for item in plan.activities:
        for executor in item.executors:
            if executor.match in ("unresolved", "fuzzy"):
                assert any(w.activity == item.number and w.field == "executors"
                           and (executor.written in w.message or executor.written == "(келісім бойынша)")
                           for w in plan.warnings), (item.number, executor.written)
            else:
                assert executor.body, (item.number, executor.written)


def test_json_shape(kostanay):
    data = kostanay.to_json()
    assert data["period"] == {"start": "2019-01-01", "end": "2021-12-31"}
    assert {"abbreviation": "ББ", "name": "Білім басқармасы"} in data["legend"]
    item = next(a for a in data["activities"] if a["number"] == "1.4")
    assert item["section"] == "1"
    assert item["funding"] == {"text": "көзделген қаражат шегінде", "kind": "allocated", "amount_kzt": None}
    assert item["executors"][0] == {"written": "ББ", "body": "Білім басқармасы", "abbreviation": "ББ", "lead": True,
                                    "by_agreement": False, "match": "legend", "body_ru": "Управление образования"}
    assert set(data["warnings"][0]) == {"activity", "field", "message"}
