from datetime import date

import pytest

from tracker.schedule.deadlines import Period, due_dates_for

K = Period.years(2019, 2021)
Q = Period.years(2023, 2025)


def iso(text, period=K, **kwargs):
    return [d.isoformat() for d in due_dates_for(text, period, **kwargs).due_dates]


@pytest.mark.parametrize("text, expected", [
    ("жыл сайын", ["2019-12-31", "2020-12-31", "2021-12-31"]),
    ("жылына бір рет", ["2019-12-31", "2020-12-31", "2021-12-31"]),
    ("ежегодно", ["2019-12-31", "2020-12-31", "2021-12-31"]),
    ("в течение года", ["2019-12-31", "2020-12-31", "2021-12-31"]),
    ("жыл сайын 25 тамызға дейін", ["2019-08-25", "2020-08-25", "2021-08-25"]),
    ("до 25 августа", ["2019-08-25", "2020-08-25", "2021-08-25"]),
    ("2019 жылдың 2-тоқсаны", ["2019-06-30"]),
    ("II квартал 2019 года", ["2019-06-30"]),
    ("2019 ж. наурыз", ["2019-03-31"]),
    ("наурыз-қараша 2019", ["2019-11-30"]),
    ("2019 жыл", ["2019-12-31"]),
    ("2020-2021 ж", ["2020-12-31", "2021-12-31"]),
    ("15.05.2020", ["2020-05-15"]),
    ("декабрь 2020 года", ["2020-12-31"]),
])
def test_conventions(text, expected):
    assert iso(text) == expected


@pytest.mark.parametrize("text, count, first", [
    ("ай сайын", 36, "2019-01-31"),
    ("ежемесячно", 36, "2019-01-31"),
    ("тоқсан сайын", 12, "2019-03-31"),
    ("ежеквартально", 12, "2019-03-31"),
    ("жарты жылда бір рет", 6, "2019-06-30"),
    ("раз в полугодие", 6, "2019-06-30"),
    ("оқу тоқсанда 1 рет", 12, "2019-03-31"),
    ("оқу жылы бойы", 3, "2019-05-31"),
    ("жыл сайын жаз кезеңінде", 3, "2019-08-31"),
    ("маусым-тамыз", 3, "2019-08-31"),
])
def test_recurrences(text, count, first):
    result = iso(text)
    assert len(result) == count and result[0] == first


def test_ongoing_follows_the_plan_default_frequency():
    assert len(iso("тұрақты")) == 6
    assert len(iso("тұрақты түрде", default_frequency="quarterly")) == 12
    assert len(iso("постоянно", default_frequency="monthly")) == 36


def test_months_without_a_year_repeat_every_plan_year():
    assert iso("қазан, желтоқсан, наурыз, мамыр", Q)[:4] == ["2023-03-31", "2023-05-31", "2023-10-31", "2023-12-31"]
    assert len(iso("қазан, желтоқсан, наурыз, мамыр", Q)) == 12


def test_each_line_keeps_its_own_year():
    assert iso("2019, тамыз\n2020, тамыз") == ["2019-08-31", "2020-08-31"]


@pytest.mark.parametrize("text, problem", [
    ("", "no deadline given"),
    ("   ", "no deadline given"),
    ("келісім бойынша", "not understood"),
    ("2015 жыл", "outside the plan period"),
    ("2030 жылғы наурыз", "outside the plan period"),
])
def test_unreadable_deadlines_give_a_problem_not_a_crash(text, problem):
    result = due_dates_for(text, K)
    assert result.due_dates == [] and problem in result.problem


def test_dates_stay_inside_the_period():
    result = due_dates_for("2018-2020 ж", K)
    assert [d.year for d in result.due_dates] == [2019, 2020]
    assert all(K.start <= d <= K.end for d in result.due_dates)
    assert due_dates_for("30.02.2020", K).due_dates == []  # no such day
    assert due_dates_for("ай сайын", Period(date(2020, 1, 1), date(2020, 12, 31))).due_dates[-1] == date(2020, 12, 31)
