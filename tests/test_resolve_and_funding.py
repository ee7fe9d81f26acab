import pytest

from tracker.core.text import fold, looks_like_abbreviation, norm
from tracker.executors.resolve import BodyResolver, LegendEntry
from tracker.plans.engine.funding import classify_funding
from tracker.plans.engine.parse import parse_legend, split_executors

LEGEND = [LegendEntry("ББ", "Білім басқармасы"), LegendEntry("БКЖУ", "Бала құқықтары жөніндегі уәкіл"),
          LegendEntry("АМҚКАБ", "Ақпараттандыру, мемлекеттік қызметтер көрсету және архивтер басқармасы")]


def test_fold_and_norm():
    assert fold("ЖҚҰӘББ") == fold("ЖКУАББ") == "жкуабб"
    assert norm("  Мәдениет, архивтер,  және құжаттама басқармасы;") == "мадениет архивтер жане кужаттама баскармасы"
    assert looks_like_abbreviation("ДШжСБ") and looks_like_abbreviation("ҚР БІ ҚСЖАЕК ҚОД")
    assert not looks_like_abbreviation("облыс әкімдігі")


@pytest.mark.parametrize("written, match, name", [
    ("ББ", "legend", "Білім басқармасы"),
    ("білім басқармасы", "legend", "Білім басқармасы"),
    ("БҚЖУ", "variant", "Бала құқықтары жөніндегі уәкіл"),
    ("УО", "registry", "Білім басқармасы"),  # registry hit, named as the plan's legend names it
    ("ДСБ", "registry", "Денсаулық сақтау басқармасы"),
    ("ДШЖСБ", "registry", "Дене шынықтыру және спорт басқармасы"),  # case aside, exact
    ("АМЖКАБ", "fuzzy", "Ақпараттандыру, мемлекеттік қызметтер көрсету және архивтер басқармасы"),
    ("Мұражай достары қоғамы", "unresolved", None),
])
def test_resolution_order(written, match, name):
    resolution = BodyResolver(LEGEND).resolve(written)
    assert resolution.match == match
    assert (resolution.target.name if resolution.target else None) == name


def test_duplicate_legend_abbreviation_is_reported_and_first_meaning_wins():
    resolver = BodyResolver([LegendEntry("ББ", "Білім басқармасы"),
                             LegendEntry("ББ", "қалалар мен аудандар әкімдіктерінің білім бөлімдері")])
    assert resolver.duplicate_abbreviations == ["ББ"]
    assert resolver.resolve("ББ").target.name == "Білім басқармасы"
    assert resolver.resolve("білім бөлімдері").target.name == "қалалар мен аудандар әкімдіктерінің білім бөлімдері"


def test_compound_of_two_abbreviations_is_the_specific_unit():
    resolver = BodyResolver([LegendEntry("ПД", "Полиция департаменті"), LegendEntry("ЖПҚ", "Жергілікті полиция қызметі")])
    assert resolver.resolve("ПД ЖПҚ").target.name == "Жергілікті полиция қызметі"


def test_split_executors():
    assert split_executors("ББ, ПД (келісім бойынша); ДСБ\nҮЕҰ,") == [
        ("ББ", False), ("ПД", True), ("ДСБ", False), ("ҮЕҰ", False)]
    assert split_executors("УВД (по согласованию)") == [("УВД", True)]
    assert split_executors("(келісім бойынша), ББ") == [("", True), ("ББ", False)]


def test_legend_lines():
    lines = ["Қарағанды облысының", "Ескертпе: аббревиатуралардың толық жазылуы", "",
             "ББ – Қарағанды облысының білім басқармасы;", "ПҚжҚББӨО - Психологиялық қолдау орталығы",
             "ББД ОӘО – Оқу-әдістемелік орталық", "Г. Жунусова"]
    assert [(e.abbreviation, e.name) for e in parse_legend(lines)] == [
        ("ББ", "Қарағанды облысының білім басқармасы"), ("ПҚжҚББӨО", "Психологиялық қолдау орталығы"),
        ("ББД ОӘО", "Оқу-әдістемелік орталық")]


@pytest.mark.parametrize("text, kind, amount", [
    ("көзделген қаражат шегінде", "allocated", None),
    ("в пределах выделенных средств", "allocated", None),
    ("көзделмеген", "none", None),
    ("талап етілмейді", "none", None),
    ("не требуется", "none", None),
    ("РБ", "republican_budget", None),
    ("ЖБ", "local_budget", None),
    ("местный бюджет", "local_budget", None),
    ("2 000 000 тг.", "amount", 2_000_000),
    ("1,5 млн теңге", "amount", 1_500_000),
    ("", "unspecified", None),
    ("демеушілер", "unspecified", None),
])
def test_funding(text, kind, amount):
    funding = classify_funding(text)
    assert (funding.kind, funding.amount_kzt) == (kind, amount)
