"""IINs are recognised by date and check digit, and kept out of reports.

Every number here is computed by the checksum rule below for birth dates no living person has
(the 1850s and the 2090s); none is anybody's real number.
"""

from datetime import date

import pytest

from tests.evidence_files import evidence_on_disk
from tests.test_reports import (
    TODAY,
    count,
    error_message,
    lead_case,
    lead_reports,
    post_report,
    review,
    use_english,
)
from tracker.core.personal_data import find_iins, is_iin, masked
from tracker.extensions import db
from tracker.reports.models import CompletionReport, Evidence

WEIGHTS_1 = list(range(1, 12))
WEIGHTS_2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
#: the 7th digit: century and sex
CENTURY_DIGIT = {(1800, "m"): 1, (1800, "f"): 2, (1900, "m"): 3, (1900, "f"): 4, (2000, "m"): 5, (2000, "f"): 6}


def check_digit(first_eleven: str) -> int | None:
    """The 12th digit for these 11, or None when no digit works (both sums give 10)."""
    digits = [int(c) for c in first_eleven]
    value = sum(d * w for d, w in zip(digits, WEIGHTS_1, strict=True)) % 11
    if value == 10:
        value = sum(d * w for d, w in zip(digits, WEIGHTS_2, strict=True)) % 11
    return None if value == 10 else value


def make_iin(birth: date, sex: str = "m", serial: int = 0) -> str:
    """The first valid IIN for this birth date and sex at or after `serial`."""
    head = f"{birth:%y%m%d}{CENTURY_DIGIT[(birth.year // 100 * 100, sex)]}"
    for number in range(serial, 10000):
        digit = check_digit(f"{head}{number:04d}")
        if digit is not None:
            return f"{head}{number:04d}{digit}"
    raise AssertionError("no serial gives a check digit")


def first_serial(birth: date, sex: str, wanted) -> str:
    """An 11-digit start whose check sums behave as `wanted(first_sum, second_sum)` says."""
    head = f"{birth:%y%m%d}{CENTURY_DIGIT[(birth.year // 100 * 100, sex)]}"
    for number in range(10000):
        digits = [int(c) for c in f"{head}{number:04d}"]
        first = sum(d * w for d, w in zip(digits, WEIGHTS_1, strict=True)) % 11
        second = sum(d * w for d, w in zip(digits, WEIGHTS_2, strict=True)) % 11
        if wanted(first, second):
            return f"{head}{number:04d}"
    raise AssertionError("no such serial")


IIN = make_iin(date(2091, 3, 15), "m")
OTHER = make_iin(date(2094, 11, 2), "f", serial=17)


# --- is_iin ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("birth", "sex"), [
    (date(1851, 1, 1), "m"), (date(1856, 12, 31), "f"),
    (date(2091, 3, 15), "m"), (date(2096, 2, 29), "f"),
])
def test_computed_numbers_are_iins(birth, sex):
    number = make_iin(birth, sex)
    assert len(number) == 12
    assert is_iin(number)


def test_the_second_weights_decide_when_the_first_sum_is_ten():
    start = first_serial(date(2092, 7, 9), "m", lambda first, second: first == 10 and second != 10)
    digits = [int(c) for c in start]
    second = sum(d * w for d, w in zip(digits, WEIGHTS_2, strict=True)) % 11
    assert is_iin(start + str(second))
    assert not is_iin(start + str((second + 1) % 10))


def test_no_iin_when_both_sums_are_ten():
    start = first_serial(date(2092, 7, 9), "m", lambda first, second: first == 10 and second == 10)
    assert not any(is_iin(start + str(d)) for d in range(10))


@pytest.mark.parametrize("number", [IIN, OTHER])
def test_a_wrong_check_digit_is_not_an_iin(number):
    for digit in "0123456789":
        if digit != number[-1]:
            assert not is_iin(number[:-1] + digit)


@pytest.mark.parametrize(("birth", "why"), [("910230", "Feb 30"), ("911301", "month 13"), ("910100", "day 0"),
                                            ("950229", "2095 is not a leap year")])
def test_an_impossible_birth_date_is_not_an_iin(birth, why):
    for serial in range(30):  # whatever the serial, with a check digit that adds up
        for day in (birth, "910228"):
            head = f"{day}5{serial:04d}"
            digit = check_digit(head)
            if digit is not None:
                # the same serial and check digit on a real day is an IIN; on the impossible one it is not
                assert is_iin(f"{head}{digit}") == (day == "910228"), why


@pytest.mark.parametrize("century_digit", ["0", "7", "8", "9"])
def test_an_impossible_century_digit_is_not_an_iin(century_digit):
    head = f"910315{century_digit}0000"
    digit = check_digit(head)
    for last in ([digit] if digit is not None else range(10)):
        assert not is_iin(f"{head}{last}")


@pytest.mark.parametrize("text", ["", "12345", IIN[:-1], IIN + "0", IIN[:6] + " " + IIN[6:], IIN[:11] + "x"])
def test_not_twelve_digits_is_not_an_iin(text):
    assert not is_iin(text)


# --- find_iins ------------------------------------------------------------------------------------------


def test_find_iins_in_running_text():
    text = f"Pupil (ИИН {IIN}) and her brother, ЖСН:{OTHER}."
    assert find_iins(text) == [IIN, OTHER]


@pytest.mark.parametrize("separator", [" ", "\u00a0", "\u202f", "-"])
def test_find_iins_with_separators_inside_the_number(separator):
    written = separator.join([IIN[:6], IIN[6], IIN[7:11], IIN[11]])
    assert find_iins(f"number {written} given") == [IIN]


def test_the_birth_date_in_two_pieces_then_the_rest_is_an_iin():
    assert find_iins(f"ЖСН {IIN[:3]}-{IIN[3:6]}-{IIN[6:]}") == [IIN]  # 3 + 3 + 6, as a form may print it


@pytest.mark.parametrize(("template", "expected"), [
    ("{a} {b}", "ab"),                 # a list separated by spaces
    ("{a}-{b}", "ab"),
    ("2024 {a}", "a"),                 # a year before it
    ("ИИН {a} 5 сынып", "a"),          # a class number after it
    ("{a6} {a1} {a4} {a1b} 3", "a"),   # typed in groups, then another number
])
def test_an_iin_next_to_other_numbers_is_found(template, expected):
    text = template.format(a=IIN, b=OTHER, a6=IIN[:6], a1=IIN[6], a4=IIN[7:11], a1b=IIN[11])
    assert find_iins(text) == [{"a": IIN, "b": OTHER}[k] for k in expected]


def test_digits_around_the_number_make_it_another_number():
    assert find_iins(f"1{IIN}") == []
    assert find_iins(f"{IIN}7") == []
    assert find_iins(f"order №{IIN}") == [IIN]


def test_numbers_that_only_look_like_iins_are_left_alone():
    bad_check = IIN[:-1] + str((int(IIN[-1]) + 1) % 10)
    text = f"Budget 2 000 000 tenge for 120 pupils; account {bad_check}; phone +7 700 000 00 00; 2024-03-15"
    assert find_iins(text) == []
    assert find_iins(None) == []


@pytest.mark.parametrize("separator", [".", "/", "_", "  ", "\n", "\r\n", " \n ", "\t", "\u2009", "\u2007", "–",
                                       " – ", "\u2011", "\u00ad", "\u200b", ". ", "\\"])
def test_find_iins_joins_the_groups_across_any_run_of_separators(separator):
    written = separator.join([IIN[:6], IIN[6:]])
    assert find_iins(f"number {written} given") == [IIN]
    assert find_iins(separator.join([IIN[:3], IIN[3:6], IIN[6:9], IIN[9:]])) == [IIN]


def test_digits_of_another_script_are_read_as_digits():
    fullwidth = "".join(chr(0xFF10 + int(c)) for c in IIN)
    assert find_iins(f"ЖСН {fullwidth}") == [IIN]


def brute_force(text: str) -> list[str]:
    """Every IIN made of whole consecutive groups of one run of digits and separators, without
    dates, grouped as people write one (one or two pieces, equal pieces, or the birth date first):
    what find_iins must find, computed the slow, obvious way."""
    import re

    from tracker.core.personal_data import _DATE, _SEPARATOR

    found = []
    for run in re.findall(rf"\d+(?:{_SEPARATOR}+\d+)*", text):
        for part in _DATE.sub("|", run).split("|"):
            groups = [g for g in re.split(f"{_SEPARATOR}+", part) if g]
            for start in range(len(groups)):
                for end in range(start + 1, len(groups) + 1):
                    sizes = [len(g) for g in groups[start:end]]
                    if sum(sizes) > 12:
                        break
                    shaped = len(sizes) <= 2 or min(sizes) == max(sizes) or sizes[0] == 6 or sizes[:3] == [2, 2, 2]
                    if sum(sizes) == 12 and shaped and is_iin("".join(groups[start:end])):
                        found.append("".join(groups[start:end]))
    return found


NEIGHBOURS = ["+7 700 123 45 67", "8 (7142) 54-32-10", "05.01.2026", "2026-01-05", "2 000 000", "1 500 000 тг",
              "№ 03-4279", "120", "2 сынып", "3/2026", "12.5"]


@pytest.mark.parametrize("joiner", [" ", ", ", "\n", ". ", " — ", "  "])
def test_a_phone_a_date_an_amount_and_a_document_number_side_by_side_are_no_iin(joiner):
    """Numbers people write next to each other in reports: joined by separators they make long
    digit runs, but no run of whole groups adds up to a valid IIN, and none is reported. Whatever
    the order, find_iins reports exactly the IINs that 12 digits of whole groups form."""
    import itertools

    for order in itertools.islice(itertools.permutations(NEIGHBOURS, 5), 0, None, 97):
        text = f"Seminar {joiner.join(order)} held"
        assert find_iins(text) == brute_force(text) == [], text
        with_iin = f"Seminar {joiner.join(order[:2])}{joiner}ЖСН {IIN}{joiner}{joiner.join(order[2:])} held"
        assert IIN in find_iins(with_iin)
        assert find_iins(with_iin) == brute_force(with_iin)


def test_a_date_is_never_part_of_an_iin():
    """"05.01.2026" before "5 00000 1" would make twelve digits; a date with a four-digit year is
    taken out first, while an IIN right after a date is still found."""
    head = f"{IIN[:6]}"
    assert find_iins(f"05.01.2026 {IIN}") == [IIN]
    assert find_iins(f"{IIN} 2026-01-05") == [IIN]
    assert is_iin(head + IIN[6:])
    assert find_iins("15.03.2091 " + IIN[6:]) == []  # the date's digits, then the IIN's tail: no IIN


@pytest.mark.parametrize("length", [1, 100, 2_000])
def test_find_iins_agrees_with_the_brute_force_on_random_digit_text(length):
    import random

    generator = random.Random(length)
    for _ in range(12):
        pieces = []
        for _ in range(length):
            pieces.append(generator.choice([str(generator.randint(0, 999999)), IIN, IIN[:6], IIN[6:], "05.01.2026"]))
            pieces.append(generator.choice([" ", ".", "/", "\n", ", ", "x", "  ", "-"]))
        text = "".join(pieces)
        assert find_iins(text) == brute_force(text)


def test_refuse_personal_data_names_the_field_and_masks_the_number():
    from tracker.core.personal_data import PersonalDataFound, refuse_personal_data

    refuse_personal_data(text="Seminar held", links=["https://school.example/a"], comment=None)
    with pytest.raises(PersonalDataFound) as found:
        refuse_personal_data(text="Seminar held", links=["https://school.example/a", f"https://x.example/{IIN}"])
    assert found.value.field == "links" and found.value.masked == masked(IIN)
    assert IIN not in str(found.value) and IIN not in repr(found.value.args)


def test_a_spreadsheet_number_is_checked_with_its_lost_zeros_and_text_is_not():
    from tracker.core.personal_data import _Reading

    born_1805 = make_iin(date(1805, 1, 1), "f")
    reading = _Reading()
    reading.number(float(int(born_1805)))
    reading.number(str(int(born_1805)))
    assert find_iins("\n|\n".join(reading.fields)) == [born_1805, born_1805]
    assert find_iins(str(int(born_1805))) == []  # eleven digits of text stay eleven digits


def test_masked_shows_only_the_ends():
    assert masked(IIN) == f"{IIN[:2]}••••••••{IIN[-2:]}"
    assert IIN[2:10] not in masked(IIN)


# --- the report form ----------------------------------------------------------------------------------


@pytest.fixture
def case(app, runner, seed_plans):
    use_english(app)
    app.config["TODAY"] = TODAY
    return lead_case(seed_plans)


def test_a_report_text_with_an_iin_is_refused(app, client, case, make_user, login):
    login(make_user("executor", body=case.lead_body))
    spaced = f"{IIN[:6]} {IIN[6]} {IIN[7:11]} {IIN[11]}"
    response = post_report(client, case.obligation.id, text=f"Helped the pupil with IIN {spaced}.")
    assert response.status_code == 422
    message = error_message(response.get_data(as_text=True))
    assert f"contains an IIN ({masked(IIN)})" in message
    assert IIN not in message and spaced not in message
    assert count(CompletionReport) == 0 and count(Evidence) == 0 and evidence_on_disk(app) == []


def test_a_space_separated_list_of_iins_is_refused(app, client, case, make_user, login):
    login(make_user("executor", body=case.lead_body))
    response = post_report(client, case.obligation.id, text=f"Pupils who took part: {IIN} {OTHER}")
    assert response.status_code == 422
    assert masked(IIN) in error_message(response.get_data(as_text=True))
    assert count(CompletionReport) == 0 and evidence_on_disk(app) == []


def test_a_link_with_an_iin_is_refused(app, client, case, make_user, login):
    login(make_user("executor", body=case.lead_body))
    response = post_report(client, case.obligation.id, links=f"https://school.test.example/pupils?iin={OTHER}")
    assert response.status_code == 422
    assert masked(OTHER) in error_message(response.get_data(as_text=True))
    assert count(CompletionReport) == 0 and evidence_on_disk(app) == []


def test_a_report_without_an_iin_passes(client, case, make_user, login):
    login(make_user("executor", body=case.lead_body))
    bad_check = IIN[:-1] + str((int(IIN[-1]) + 1) % 10)
    response = post_report(client, case.obligation.id, text=f"Order {bad_check}: 120 pupils took part.")
    assert response.status_code == 302
    assert count(CompletionReport) == 1


def test_a_return_comment_with_an_iin_is_refused(client, case, make_user, login):
    login(make_user("executor", body=case.lead_body))
    post_report(client, case.obligation.id)
    login("coordinator")
    report = lead_reports(case.obligation)[0]
    response = review(client, report.id, accept=False, comment=f"Remove the pupil {IIN} from the list.")
    assert response.status_code == 422
    assert "comment contains an IIN" in error_message(response.get_data(as_text=True))
    db.session.refresh(report)
    assert report.state == "submitted" and report.review_comment is None
