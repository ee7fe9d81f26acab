"""The deadline forms beyond fixed dates: what each due date covers, reports due after their
period, deadlines counted from a start, deadlines that wait for an event, and dates moved off
non-working days — in Kazakh and Russian, with the phrases of the seed letters and order."""

import copy
import json
import pickle
from datetime import date, datetime

import pytest

from tracker.plans.engine import parse_plan
from tracker.plans.engine.parse import _deadline_json
from tracker.schedule.deadlines import Covers, Deadline, DueDate, Period, due_dates_for
from tracker.schedule.workdays import WorkingCalendar

K = Period.years(2019, 2021)
Y2025 = Period.years(2025, 2025)
Y2026 = Period.years(2026, 2026)


def d(iso: str) -> date:
    return date.fromisoformat(iso)


def covers(due) -> tuple[str, str] | None:
    return (due.covers.start.isoformat(), due.covers.end.isoformat()) if due.covers else None


# --- what each due date covers (the forms that existed before) ------------------------------


@pytest.mark.parametrize("text, first, rule, covered", [
    ("жыл сайын", "2019-12-31", "annual", ("2019-01-01", "2019-12-31")),
    ("ежегодно", "2019-12-31", "annual", ("2019-01-01", "2019-12-31")),
    ("тоқсан сайын", "2019-03-31", "quarterly", ("2019-01-01", "2019-03-31")),
    ("ежеквартально", "2019-03-31", "quarterly", ("2019-01-01", "2019-03-31")),
    ("ай сайын", "2019-01-31", "monthly", ("2019-01-01", "2019-01-31")),
    ("жарты жылда бір рет", "2019-06-30", "semiannual", ("2019-01-01", "2019-06-30")),
    ("раз в полугодие", "2019-06-30", "semiannual", ("2019-01-01", "2019-06-30")),
    ("тұрақты", "2019-06-30", "ongoing:semiannual", ("2019-01-01", "2019-06-30")),
    ("оқу тоқсанда 1 рет", "2019-03-31", "school_term", ("2019-01-01", "2019-03-31")),
    ("оқу жылы бойы", "2019-05-31", "academic_year", ("2018-09-01", "2019-05-31")),
    ("жыл сайын жаз кезеңінде", "2019-08-31", "summer", ("2019-06-01", "2019-08-31")),
    ("2019 жылдың 2-тоқсаны", "2019-06-30", "quarter", ("2019-04-01", "2019-06-30")),
    ("II квартал 2019 года", "2019-06-30", "quarter", ("2019-04-01", "2019-06-30")),
    ("2019 ж. наурыз", "2019-03-31", "month", ("2019-03-01", "2019-03-31")),
    ("наурыз-қараша 2019", "2019-11-30", "month_range", ("2019-03-01", "2019-11-30")),
    ("маусым-тамыз", "2019-08-31", "month_range", ("2019-06-01", "2019-08-31")),
    ("2019 жыл", "2019-12-31", "year", ("2019-01-01", "2019-12-31")),
    ("2020-2021 ж", "2020-12-31", "year", ("2020-01-01", "2020-12-31")),
    ("15.05.2020", "2020-05-15", "stated_date", None),  # a single stated date covers nothing
    ("жыл сайын 25 тамызға дейін", "2019-08-25", "stated_day", None),
])
def test_every_due_date_says_what_it_covers(text, first, rule, covered):
    due = due_dates_for(text, K).due[0]
    assert (due.isoformat(), due.rule, covers(due)) == (first, rule, covered)


def test_each_period_is_covered_once():
    quarters = due_dates_for("тоқсан сайын", K).due
    assert [covers(q) for q in quarters[:4]] == [("2019-01-01", "2019-03-31"), ("2019-04-01", "2019-06-30"),
                                                 ("2019-07-01", "2019-09-30"), ("2019-10-01", "2019-12-31")]
    months = due_dates_for("ай сайын", K).due
    assert all(m.covers.end == m and m.covers.start == m.replace(day=1) for m in months)
    assert [covers(t) for t in due_dates_for("оқу тоқсанда 1 рет", K).due[:4]] == [
        ("2019-01-01", "2019-03-31"), ("2019-04-01", "2019-05-31"), ("2019-09-01", "2019-10-31"),
        ("2019-11-01", "2019-12-31")]
    assert covers(due_dates_for("қараша-ақпан 2020", K).due[0]) == ("2019-11-01", "2020-02-29")


# --- reports due after the period they cover ---------------------------------------------


@pytest.mark.parametrize("text, rule, due", [
    ("тоқсан сайын есепті кезеңнен кейінгі айдың 5-күніне дейін", "after_period:quarterly",
     ["2025-04-05", "2025-07-05", "2025-10-05", "2026-01-05"]),
    ("ежеквартально, до 5 числа месяца, следующего за отчетным", "after_period:quarterly",
     ["2025-04-05", "2025-07-05", "2025-10-05", "2026-01-05"]),
    ("тоқсан сайын, есепті тоқсаннан кейінгі айдың 10-на дейін", "after_period:quarterly",
     ["2025-04-10", "2025-07-10", "2025-10-10", "2026-01-10"]),
    ("ай сайын, есепті айдан кейінгі айдың 5-күніне дейін", "after_period:monthly",
     ["2025-02-05", "2025-03-05", "2025-04-05"]),
    ("ай сайын 5-күніне дейін", "after_period:monthly", ["2025-02-05", "2025-03-05", "2025-04-05"]),
    ("ежемесячно до 5 числа", "after_period:monthly", ["2025-02-05", "2025-03-05", "2025-04-05"]),
    ("ежемесячно, не позднее 25-го числа месяца, следующего за отчетным", "after_period:monthly",
     ["2025-02-25", "2025-03-25", "2025-04-25"]),
    ("жарты жылда бір рет, есепті кезеңнен кейінгі айдың 10-на дейін", "after_period:semiannual",
     ["2025-07-10", "2026-01-10"]),
    ("раз в полугодие, до 10 числа месяца, следующего за отчетным периодом", "after_period:semiannual",
     ["2025-07-10", "2026-01-10"]),
    ("жыл сайын, есепті жылдан кейінгі жылдың 20 қаңтарына дейін", "after_period:annual", ["2026-01-20"]),
    ("ежегодно, до 15 января года, следующего за отчетным", "after_period:annual", ["2026-01-15"]),
    ("жыл сайын, есепті кезеңнен кейінгі айдың 5-күніне дейін", "after_period:annual", ["2026-01-05"]),
    ("тұрақты, есепті кезеңнен кейінгі айдың 5-күніне дейін", "after_period:ongoing:semiannual",
     ["2025-07-05", "2026-01-05"]),
])
def test_reports_due_after_their_period(text, rule, due):
    deadline = due_dates_for(text, Y2025)
    assert deadline.rule == rule and deadline.problem is None
    assert [x.isoformat() for x in deadline.due_dates][:len(due)] == due


def test_a_report_due_after_the_period_covers_the_period_before_it():
    deadline = due_dates_for("тоқсан сайын есепті кезеңнен кейінгі айдың 5-күніне дейін", Y2025)
    q1 = deadline.due[0]
    assert q1 == date(2025, 4, 5) and q1.covers == Covers(date(2025, 1, 1), date(2025, 3, 31))
    assert q1.rule == "after_period:quarterly"
    monthly = due_dates_for("ежемесячно до 5 числа", Y2025)
    assert len(monthly.due_dates) == 12
    assert [covers(m) for m in monthly.due[:2]] == [("2025-01-01", "2025-01-31"), ("2025-02-01", "2025-02-28")]


def test_the_last_periods_report_is_owed_after_the_plan_and_says_so():
    deadline = due_dates_for("ежеквартально, до 5 числа месяца, следующего за отчетным", Period.years(2024, 2025))
    last = deadline.due[-1]
    assert last == date(2026, 1, 5) and covers(last) == ("2025-10-01", "2025-12-31")
    assert deadline.problem is None  # a note, not a problem
    assert deadline.notes == ["2026-01-05 is after the plan period; the report on 2025-10-01 – 2025-12-31 is still owed"]
    assert last.notes == tuple(deadline.notes)
    assert not any(q.notes for q in deadline.due[:-1])
    # the first period's report is due inside the plan; nothing covers a period before it
    assert covers(deadline.due[0]) == ("2024-01-01", "2024-03-31") and len(deadline.due_dates) == 8


def test_a_report_counted_in_working_days_after_its_period():
    # "within 5 working days after the month": 30 April 2025 + 5 working days skips 1, 7 and 9 May;
    # 31 December 2025 + 5 skips 1, 2 and 7 January 2026 (New Year, Orthodox Christmas).
    deadline = due_dates_for("ай сайын, есепті айдан кейін 5 жұмыс күні ішінде", Y2025)
    assert deadline.rule == "after_period:monthly"
    by_period = {m.covers.start.month: m.isoformat() for m in deadline.due}
    assert by_period[1] == "2025-02-07" and by_period[4] == "2025-05-12" and by_period[12] == "2026-01-12"
    # months are a duration here, not a delay after each month: "monthly, for six months"
    assert due_dates_for("ай сайын, 6 ай бойы", Y2025).rule == "monthly"


# --- deadlines counted from a start -------------------------------------------------------


@pytest.mark.parametrize("text, kind, count, after_lapse", [
    ("10 (он) жұмыс күні ішінде", "working_days", 10, False),
    ("3 (үш) жұмыс күні ішінде", "working_days", 3, False),
    ("1 (бір) жұмыс күні ішінде", "working_days", 1, False),
    ("он жұмыс күні ішінде", "working_days", 10, False),
    ("в течение 3 (трех) рабочих дней", "working_days", 3, False),
    ("3 (три) рабочих дня", "working_days", 3, False),
    ("в течение пяти рабочих дней", "working_days", 5, False),
    ("в течение двадцати пяти рабочих дней", "working_days", 25, False),
    ("күнтізбелік он күн ішінде", "calendar_days", 10, False),
    ("күнтізбелік он күн өткен соң", "calendar_days", 10, True),
    ("15 күнтізбелік күн ішінде", "calendar_days", 15, False),
    ("в течение 10 календарных дней", "calendar_days", 10, False),
    ("по истечении десяти календарных дней", "calendar_days", 10, True),
    ("24 сағат ішінде", "hours", 24, False),
    ("1 (бір) сағат ішінде", "hours", 1, False),
    ("жиырма төрт сағат ішінде", "hours", 24, False),
    ("в течение 24 часов", "hours", 24, False),
    ("в течение двух часов", "hours", 2, False),
    ("бір тәулік ішінде", "hours", 24, False),
    ("в течение 3 суток", "hours", 72, False),
    ("12 айға дейін", "months", 12, False),
    ("бір ай ішінде", "months", 1, False),
    ("в течение 2 месяцев", "months", 2, False),
])
def test_offsets_from_a_start(text, kind, count, after_lapse):
    deadline = due_dates_for(text, Y2026)
    assert deadline.rule == kind and deadline.problem is None and deadline.due_dates == []
    assert deadline.waits_for is None
    assert (deadline.relative.kind, deadline.relative.count, deadline.relative.after_lapse) == (kind, count, after_lapse)
    assert deadline.relative.note is None


def test_days_not_said_to_be_working_are_calendar_days_with_a_note():
    for text, count in (("10 күн ішінде", 10), ("в течение 10 дней", 10), ("бастапқы кезең (10 күнге дейін)", 10)):
        deadline = due_dates_for(text, Y2026)
        assert (deadline.rule, deadline.relative.count) == ("calendar_days", count), text
        assert "does not say working or calendar days; counted as calendar days" in deadline.relative.note
        assert deadline.notes == [deadline.relative.note]


def test_digits_and_words_that_disagree_keep_the_digits_and_say_so():
    deadline = due_dates_for("3 (бес) жұмыс күні ішінде", Y2026)
    assert deadline.relative.count == 3
    assert deadline.notes == ["the number 3 and the words «бес» disagree; 3 is used"]
    assert due_dates_for("он (10) жұмыс күні ішінде", Y2026).relative.note is None


@pytest.mark.parametrize("text, start, due", [
    # Friday 20 March 2026, before Nauryz (23–25 March off): 3 working days end on Monday 30 March
    ("3 (үш) жұмыс күні ішінде", date(2026, 3, 20), date(2026, 3, 30)),
    ("в течение 3 (трех) рабочих дней", date(2026, 3, 20), date(2026, 3, 30)),
    ("10 (он) жұмыс күні ішінде", date(2026, 5, 5), date(2026, 5, 21)),  # 7, 8 (weekday), 11 May off
    ("1 (бір) жұмыс күні ішінде", date(2025, 12, 31), date(2026, 1, 5)),
    ("күнтізбелік он күн ішінде", date(2026, 8, 20), date(2026, 8, 30)),
    ("күнтізбелік он күн өткен соң", date(2026, 8, 20), date(2026, 8, 31)),  # the day after the tenth
    ("24 сағат ішінде", datetime(2026, 3, 20, 15, 30), date(2026, 3, 21)),
    ("24 сағат ішінде", date(2026, 3, 20), date(2026, 3, 21)),  # a bare date starts at 00:00
    ("1 (бір) сағат ішінде", datetime(2026, 3, 20, 23, 30), date(2026, 3, 21)),
    ("1 (бір) сағат ішінде", datetime(2026, 3, 20, 9, 0), date(2026, 3, 20)),
    ("12 айға дейін", date(2026, 5, 8), date(2027, 5, 8)),
])
def test_the_due_date_comes_with_the_start(text, start, due):
    result = due_dates_for(text, Y2026).due_from(start)
    assert result == due and result.rule == due_dates_for(text, Y2026).rule


def test_hours_give_the_due_moment():
    relative = due_dates_for("24 сағат ішінде", Y2026).relative
    assert relative.due_moment(datetime(2026, 3, 20, 15, 30)) == datetime(2026, 3, 21, 15, 30)
    assert relative.due_moment(date(2026, 3, 20)) == datetime(2026, 3, 21, 0, 0)
    days = due_dates_for("3 (үш) жұмыс күні ішінде", Y2026).relative
    assert days.due_moment(date(2026, 3, 20)) == datetime(2026, 3, 30, 23, 59, 59, 999999)


def test_working_days_follow_the_plans_calendar():
    deadline = due_dates_for("1 (бір) жұмыс күні ішінде", Y2026)
    calendar = WorkingCalendar({date(2026, 5, 8): (False, "regional day off")})
    assert deadline.due_from(date(2026, 5, 6)) == date(2026, 5, 8)
    assert deadline.due_from(date(2026, 5, 6), calendar) == date(2026, 5, 12)


# --- deadlines that wait for an event ------------------------------------------------------


@pytest.mark.parametrize("text, waits_for, offset", [
    ("талдау нәтижелері ұсынылғаннан кейін 5 жұмыс күні ішінде", "талдау нәтижелері ұсынылғаннан кейін",
     ("working_days", 5)),
    ("тексеру нәтижелері бойынша", "тексеру нәтижелері бойынша", None),
    ("қажеттілігіне қарай", "қажеттілігіне қарай", None),
    ("қажет болған жағдайда", "қажет болған жағдайда", None),
    ("сұрау салу бойынша", "сұрау салу бойынша", None),
    ("по мере необходимости", "по мере необходимости", None),
    ("по результатам проверки", "по результатам проверки", None),
    ("по запросу", "по запросу", None),
    ("в течение 5 рабочих дней после получения запроса", "после получения запроса", ("working_days", 5)),
    ("в течение 24 часов с момента получения информации", "с момента получения информации", ("hours", 24)),
    ("по результатам проверки, в течение 3 (трех) рабочих дней", "по результатам проверки", ("working_days", 3)),
])
def test_deadlines_waiting_for_an_event(text, waits_for, offset):
    deadline = due_dates_for(text, Y2026)
    assert (deadline.rule, deadline.waits_for, deadline.problem, deadline.due_dates) == ("event", waits_for, None, [])
    assert ((deadline.relative.kind, deadline.relative.count) if deadline.relative else None) == offset


def test_an_event_gives_its_date_when_it_happens():
    after_analysis = due_dates_for("талдау нәтижелері ұсынылғаннан кейін 5 жұмыс күні ішінде", Y2026)
    assert after_analysis.due_from(date(2026, 3, 20)) == date(2026, 4, 1)  # Nauryz in between
    on_request = due_dates_for("по запросу", Y2026)
    assert on_request.due_from(date(2026, 4, 14)) == date(2026, 4, 14)  # the event's day itself
    assert on_request.due_from(datetime(2026, 4, 14, 16, 0)) == date(2026, 4, 14)
    saturday = on_request.due_from(date(2026, 8, 29), non_working="after")
    assert saturday == date(2026, 8, 31) and saturday.moved_from == date(2026, 8, 29)
    assert saturday.notes == ("2026-08-29 is a Saturday; moved to 2026-08-31",)
    assert due_dates_for("2026 жыл", Y2026).due_from(date(2026, 4, 14)) is None  # it has a date of its own


def test_words_that_name_no_deadline_are_still_a_problem():
    for text in ("келісім бойынша", "қашан болса да", "по согласованию"):
        deadline = due_dates_for(text, Y2026)
        assert "not understood" in deadline.problem and deadline.relative is None and deadline.waits_for is None


# --- the seed letters and order -----------------------------------------------------------


@pytest.mark.parametrize("text, rule, waits_for, offset", [
    # 003, the joint order
    ("осы бірлескен бұйрық Қазақстан Республикасы Әділет министрлігінде мемлекеттік тіркелгеннен кейін он жұмыс күні "
     "ішінде", "event",
     "осы бірлескен бұйрық Қазақстан Республикасы Әділет министрлігінде мемлекеттік тіркелгеннен кейін",
     ("working_days", 10, False)),
    ("алғашқы ресми жарияланған күнінен кейін күнтізбелік он күн өткен соң", "event",
     "алғашқы ресми жарияланған күнінен кейін", ("calendar_days", 10, True)),
    ("анықталған және (немесе) ақпарат алынған күннен бастап 3 (үш) жұмыс күні ішінде", "event",
     "анықталған және (немесе) ақпарат алынған күннен бастап", ("working_days", 3, False)),
    ("ақпаратты алған сәттен бастап 1 (бір) сағат ішінде", "event", "ақпаратты алған сәттен бастап",
     ("hours", 1, False)),
    ("ақпарат алған сәттен бастап 1 (бір) жұмыс күні ішінде", "event", "ақпарат алған сәттен бастап",
     ("working_days", 1, False)),
    ("мәліметтер келіп түскен сәттен бастап 1 (бір) жұмыс күні ішінде", "event",
     "мәліметтер келіп түскен сәттен бастап", ("working_days", 1, False)),
    ("ақпарат алған күннен бастап 10 (он) жұмыс күні ішінде", "event", "ақпарат алған күннен бастап",
     ("working_days", 10, False)),
    ("дереу", "event", "дереу", None),
    # 000, the programme's stages
    ("бастапқы кезең (10 күнге дейін)", "calendar_days", None, ("calendar_days", 10, False)),
    ("белсенді оңалту кезеңі (3–6 ай)", "months", None, ("months", 6, False)),
    ("сүйемелдеу кезеңі (12 айға дейін)", "months", None, ("months", 12, False)),
    ("қажет болған жағдайда ЖОБ-ны түзету", "event", "қажет болған жағдайда ЖОБ-ны түзету", None),
])
def test_seed_phrases_without_a_date(text, rule, waits_for, offset):
    deadline = due_dates_for(text, Y2026)
    assert (deadline.rule, deadline.waits_for, deadline.problem) == (rule, waits_for, None)
    relative = deadline.relative
    assert ((relative.kind, relative.count, relative.after_lapse) if relative else None) == offset


@pytest.mark.parametrize("text, period, due", [
    # 000: the programme's reporting
    ("жауапты орындаушылардың ай сайынғы есептері", Y2026, 12),
    ("тоқсан сайын тиімділікті талдау", Y2026, 4),
    # 002: the ministry's stages and the reply
    ("1 кезең (2024 жылғы 25 желтоқсанға дейін)", Period.years(2024, 2026), ["2024-12-25"]),
    ("2 кезең (2025-2026 жылдар)", Period.years(2024, 2026), ["2025-12-31", "2026-12-31"]),
    ("3 кезең (2026 жылғы 1 желтоқсан)", Period.years(2024, 2026), ["2026-12-01"]),
    ("ағымдағы жылғы 27 мамырға дейінгі мерзімде", Period.years(2024, 2024), ["2024-05-27"]),
])
def test_seed_phrases_with_dates(text, period, due):
    deadline = due_dates_for(text, period)
    assert deadline.problem is None
    if isinstance(due, int):
        assert len(deadline.due_dates) == due
    else:
        assert [x.isoformat() for x in deadline.due_dates] == due


# --- moving dates off non-working days ---------------------------------------------------


@pytest.mark.parametrize("rule, due, moved_from", [
    ("keep", "2026-08-29", None),
    ("before", "2026-08-28", "2026-08-29"),
    ("after", "2026-08-31", "2026-08-29"),  # 31 August 2026 is worked: 30 August is no longer a holiday
])
def test_a_stated_date_on_a_saturday(rule, due, moved_from):
    deadline = due_dates_for("жыл сайын 29 тамызға дейін", Y2026, non_working=rule)
    (result,) = deadline.due
    assert result.isoformat() == due
    assert (result.moved_from.isoformat() if result.moved_from else None) == moved_from
    if moved_from:
        assert result.notes == (f"2026-08-29 is a Saturday; moved to {due}",)
        assert deadline.notes == list(result.notes)
    else:
        assert result.notes == () and deadline.notes == []


def test_quarter_ends_moved_to_the_preceding_working_day():
    deadline = due_dates_for("тоқсан сайын", Period.years(2024, 2024), non_working="before")
    assert [x.isoformat() for x in deadline.due_dates] == ["2024-03-29", "2024-06-28", "2024-09-30", "2024-12-31"]
    assert [x.moved_from for x in deadline.due] == [date(2024, 3, 31), date(2024, 6, 30), None, None]
    assert deadline.due[0].covers == Covers(date(2024, 1, 1), date(2024, 3, 31))  # still covers the quarter
    assert deadline.due[0].notes == ("2024-03-31 is a Sunday; moved to 2024-03-29",)


def test_reports_after_the_period_move_with_the_real_calendar():
    deadline = due_dates_for("ежеквартально, до 5 числа месяца, следующего за отчетным", Period.years(2024, 2024),
                             non_working="before")
    # 5 October 2024 is a Saturday; 5 January 2025 a Sunday, but a working one (a transfer)
    assert [x.isoformat() for x in deadline.due_dates] == ["2024-04-05", "2024-07-05", "2024-10-04", "2025-01-05"]
    assert deadline.due[3].moved_from is None and len(deadline.due[3].notes) == 1  # only "after the plan period"


def test_a_holiday_moves_with_its_name_and_the_coordinators_days_count():
    nauryz = due_dates_for("жыл сайын 23 наурызға дейін", Y2026, non_working="after").due[0]
    assert nauryz == date(2026, 3, 26)
    assert nauryz.notes == ("2026-03-23 is a public holiday: Nowruz Holiday; moved to 2026-03-26",)
    calendar = WorkingCalendar({date(2026, 8, 28): (False, "regional day off")})
    friday_off = due_dates_for("жыл сайын 29 тамызға дейін", Y2026, non_working="before", calendar=calendar).due[0]
    assert friday_off == date(2026, 8, 27)


def test_a_date_outside_the_plan_is_not_moved_into_it():
    # 1 January 2027 is outside a 2026 plan whatever the rule; 31 December 2026 stays inside.
    deadline = due_dates_for("2027 жылғы 1 қаңтар", Y2026, non_working="before")
    assert deadline.due_dates == [] and "outside the plan period" in deadline.problem


def test_an_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unknown non-working-day rule"):
        due_dates_for("жыл сайын", Y2026, non_working="nearest")


# --- due dates are dates --------------------------------------------------------------------


def test_a_due_date_is_a_date():
    due = due_dates_for("тоқсан сайын", K).due_dates[0]
    assert isinstance(due, DueDate) and isinstance(due, date)
    assert due == date(2019, 3, 31) and hash(due) == hash(date(2019, 3, 31))
    assert {date(2019, 3, 31): "x"}[due] == "x" and due in [date(2019, 3, 31)]
    assert type(due + (date(2019, 4, 1) - due)) is date  # arithmetic gives plain dates
    assert type(due.replace(day=1)) is date and due.plain() == date(2019, 3, 31)
    with pytest.raises(AttributeError):
        due.rule = "annual"
    for again in (pickle.loads(pickle.dumps(due)), copy.deepcopy(due)):
        assert again == due and (again.rule, again.covers) == (due.rule, due.covers)
    moved = due_dates_for("жыл сайын 29 тамызға дейін", Y2026, non_working="before").due[0]
    again = pickle.loads(pickle.dumps(moved))
    assert (again.moved_from, again.notes) == (moved.moved_from, moved.notes)
    assert again.notes[0].template == "%(reason)s; moved to %(moved)s"  # still a message to translate


def test_a_deadline_built_by_hand_keeps_working():
    # parse.py joins the parts of an activity into a new Deadline of text, dates, rule and problem.
    plain = Deadline(text="x", due_dates=[date(2020, 6, 30)], rule="dates")
    assert plain.due == [date(2020, 6, 30)] and plain.due[0].rule == "dates" and plain.due[0].covers is None
    joined = Deadline(text="талдау нәтижелері ұсынылғаннан кейін 5 жұмыс күні ішінде", rule="event")
    assert joined.waits_for == "талдау нәтижелері ұсынылғаннан кейін" and joined.relative.count == 5
    assert Deadline(text="10 (он) жұмыс күні ішінде", rule="working_days").relative.count == 10


# --- plans parse --json -------------------------------------------------------------------

PLAN = ("Жоспар 2025 жылға арналған іс-шаралар жоспары\n\n№\tІс-шара\tЖауапты орындаушылар\tОрындалу мерзімі\n"
        "1\tТалдау\tББ\tтоқсан сайын есепті кезеңнен кейінгі айдың 5-күніне дейін\n"
        "2\tТексеру\tДСБ\tтексеру нәтижелері бойынша 5 жұмыс күні ішінде\n"
        "3\tЖиналыс\tПД\t10 (он) жұмыс күні ішінде\n"
        "4\tСеминар\tББ\tтоқсан сайын\n")


def test_the_json_gives_each_due_date_its_rule_and_period():
    plan = parse_plan(PLAN.encode(), "plan.txt")
    data = {a["number"]: a["deadline"] for a in json.loads(json.dumps(plan.to_json(), ensure_ascii=False))["activities"]}
    first = data["1"]
    assert first["rule"] == "after_period:quarterly"
    assert first["due_dates"] == ["2025-04-05", "2025-07-05", "2025-10-05", "2026-01-05"]
    assert first["due"][0] == {"date": "2025-04-05", "rule": "after_period:quarterly",
                               "covers": {"start": "2025-01-01", "end": "2025-03-31"}, "moved_from": None, "notes": []}
    assert first["notes"] == ["2026-01-05 is after the plan period; the report on 2025-10-01 – 2025-12-31 is still owed"]
    assert data["2"]["rule"] == "event" and data["2"]["due_dates"] == [] and data["2"]["due"] == []
    assert data["2"]["waits_for"] == "тексеру нәтижелері бойынша"
    assert data["2"]["relative"] == {"kind": "working_days", "count": 5, "after_lapse": False, "note": None}
    assert data["3"]["relative"]["count"] == 10 and "waits_for" not in data["3"]
    assert data["4"]["due"][3]["covers"] == {"start": "2025-10-01", "end": "2025-12-31"}
    assert "relative" not in data["4"] and "notes" not in data["4"]
    # understood, so no "deadline not understood" warning for 2 and 3
    assert not [w for w in plan.warnings if w.field == "deadline"]


def test_the_json_of_a_deadline_keeps_its_first_keys():
    data = _deadline_json(due_dates_for("2019 жылдың 2-тоқсаны", K))
    assert list(data)[:3] == ["text", "rule", "due_dates"]
    assert data["due_dates"] == ["2019-06-30"] and data["rule"] == "dates"
    assert data["due"] == [{"date": "2019-06-30", "rule": "quarter", "covers": {"start": "2019-04-01",
                                                                                "end": "2019-06-30"},
                            "moved_from": None, "notes": []}]
