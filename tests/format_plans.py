"""Two plans written for the format tests, with what a person reading them expects.

Neither is a seed: the issue asks for a corpus of our own.

- RUSSIAN: a Russian-language plan (Kostanay region, 2024–2026): Russian headers, the legend
  "Расшифровка аббревиатур:", "(по согласованию)", every deadline form of BRIEF.md in Russian,
  Russian funding phrases, and a body whose name holds a comma ("Управление культуры, архивов и
  документации").
- FULL_NAMES: a Kazakh plan whose executors are written out in full, with commas inside names
  ("Облыстың мәдениет, тілдерді дамыту және архив ісі басқармасы").

Each expectation is written by hand from the plan's own words and BRIEF.md's conventions (the
due dates of "ежеквартально" are the quarter-ends of 2024–2026, and so on), not copied from a run
of the engine. The plans are about programmes; they name bodies, never a person.
"""

from dataclasses import dataclass

from tests.plan_documents import Activity, Part, PlanDocument, Section


@dataclass(frozen=True)
class Expected:
    """What one activity must parse to, in any format."""

    due: tuple[str, ...]  #: ISO due dates
    funding: tuple[str, int | None]  #: (kind, amount in tenge)
    executors: tuple[tuple[str, bool], ...]  #: (the body's full name, by agreement), the lead first


def _years(*days: str, first: int = 2024, last: int = 2026) -> tuple[str, ...]:
    """'12-31' → every plan year's 31 December, in order."""
    return tuple(sorted(f"{year}-{day}" for year in range(first, last + 1) for day in days))


QUARTER_ENDS = ("03-31", "06-30", "09-30", "12-31")
MONTH_ENDS = ("01-31", "03-31", "04-30", "05-31", "06-30", "07-31", "08-31", "09-30", "10-31", "11-30", "12-31")


def _month_ends(first: int, last: int) -> tuple[str, ...]:
    ends = []
    for year in range(first, last + 1):
        february = "02-29" if year % 4 == 0 else "02-28"
        ends += [f"{year}-{day}" for day in (MONTH_ENDS[0], february, *MONTH_ENDS[1:])]
    return tuple(ends)


# --- the Russian plan -----------------------------------------------------------------------------

EDUCATION_RU = "Управление образования акимата Костанайской области"
HEALTH_RU = "Управление здравоохранения акимата Костанайской области"
POLICE_RU = "Департамент полиции Костанайской области"
POLICY_RU = "Управление внутренней политики акимата Костанайской области"
SPORT_RU = "Управление физической культуры и спорта акимата Костанайской области"
NGO_RU = "Неправительственные организации"
MEDIA_RU = "Средства массовой информации"
# Bodies the plan names in words, found in the registry (its Kazakh names)
EMPLOYMENT = "Жұмыспен қамтуды үйлестіру және әлеуметтік бағдарламалар басқармасы"
DISTRICT_AKIMATS = "Қалалар мен аудандардың әкімдіктері"
CULTURE = "Мәдениет басқармасы"

RUSSIAN_LEGEND = [
    ("УО", EDUCATION_RU), ("УЗ", HEALTH_RU), ("ДП", POLICE_RU), ("УВП", POLICY_RU),
    ("УФКиС", SPORT_RU), ("НПО", NGO_RU), ("СМИ", MEDIA_RU),
]


def _ru(number: str, text: str, form: str, executors: str, deadline: str, funding: str) -> Activity:
    return Activity(number, text, [Part(form, executors, deadline, funding)])


RUSSIAN = PlanDocument(
    title="План мероприятий по профилактике правонарушений, суицидального поведения и насилия среди "
          "несовершеннолетних в Костанайской области на 2024-2026 годы",
    region="Костанайской области",
    language="ru",
    legend=RUSSIAN_LEGEND,
    body=[
        Section("1", "Профилактика суицидального поведения среди несовершеннолетних"),
        _ru("1.1", "Проведение семинаров для педагогов-психологов по раннему выявлению признаков суицидального "
                   "поведения", "информация в УО", "УО, УЗ", "ежегодно", "в пределах выделенных средств"),
        _ru("1.2", "Мониторинг психологического климата в организациях образования", "информация в МП РК", "УО",
            "ежеквартально", "не требуется"),
        _ru("1.3", "Работа телефонов доверия для детей и родителей", "отчет", "УО, НПО", "ежемесячно",
            "в рамках текущего финансирования"),
        _ru("1.4", "Тренинги для родителей по вопросам детско-родительских отношений", "информация", "УО, УЗ, НПО",
            "раз в полугодие", "за счёт средств местного бюджета"),
        _ru("1.5", "Консультирование несовершеннолетних и их законных представителей", "информация", "УЗ",
            "постоянно", "не требуется"),
        _ru("1.6", "Психологическое сопровождение обучающихся", "информация", "УО", "в течение учебного года",
            "не требуется"),
        Section("2", "Профилактика правонарушений и насилия"),
        _ru("2.1", "Рейды по местам массового досуга несовершеннолетних", "информация в КДНиЗП",
            "ДП (по согласованию), УО, акиматы городов и районов", "в летний период (июнь-август)",
            "в пределах предусмотренных средств"),
        _ru("2.2", "Организация летней занятости подростков", "информация",
            "Управление координации занятости и социальных программ, УО", "ежегодно до 25 августа",
            "за счет средств местного бюджета"),
        _ru("2.3", "Проведение профилактической акции «Дети в школу»", "информация", "ДП (по согласованию), УО",
            "II квартал 2024 года", "республиканский бюджет"),
        _ru("2.4", "Спортивные соревнования среди подростков", "информация", "УФКиС, акиматы городов и районов",
            "ноябрь 2024 года", "15,5 млн тенге"),
        _ru("2.5", "Кинопоказы и выставки о ценности жизни в библиотеках и музеях", "информация",
            "Управление культуры, архивов и документации, УВП", "март-ноябрь 2025 года",
            "за счет бюджетных средств"),
        _ru("2.6", "Заседания межведомственной рабочей группы", "протокол", "УО, УЗ, ДП (по согласованию), УВП",
            "октябрь, декабрь", "не требуется"),
        Section("3", "Информационная работа"),
        _ru("3.1", "Размещение в СМИ материалов о службах помощи детям", "публикации", "УВП, СМИ", "2025 год",
            "в пределах выделенных средств"),
        _ru("3.2", "Выпуск видеороликов о безопасном поведении в интернете", "5 видеороликов", "УВП, УО",
            "2024-2025 годы", "2 000 000 тенге"),
        _ru("3.3", "Информирование родителей о деятельности телефонов доверия", "информация", "УО",
            "один раз в учебную четверть", "не требуется"),
        _ru("3.4", "Анализ исполнения плана", "аналитическая справка акиму области", "УО", "декабрь 2026 г.",
            "не требуется"),
    ],
)

RUSSIAN_EXPECTED: dict[str, Expected] = {
    "1.1": Expected(_years("12-31"), ("allocated", None), ((EDUCATION_RU, False), (HEALTH_RU, False))),
    "1.2": Expected(_years(*QUARTER_ENDS), ("none", None), ((EDUCATION_RU, False),)),
    "1.3": Expected(_month_ends(2024, 2026), ("allocated", None), ((EDUCATION_RU, False), (NGO_RU, False))),
    "1.4": Expected(_years("06-30", "12-31"), ("local_budget", None),
                    ((EDUCATION_RU, False), (HEALTH_RU, False), (NGO_RU, False))),
    "1.5": Expected(_years("06-30", "12-31"), ("none", None), ((HEALTH_RU, False),)),  # ongoing: semi-annual
    "1.6": Expected(_years("05-31"), ("none", None), ((EDUCATION_RU, False),)),
    "2.1": Expected(_years("08-31"), ("allocated", None),
                    ((POLICE_RU, True), (EDUCATION_RU, False), (DISTRICT_AKIMATS, False))),
    "2.2": Expected(_years("08-25"), ("local_budget", None), ((EMPLOYMENT, False), (EDUCATION_RU, False))),
    "2.3": Expected(("2024-06-30",), ("republican_budget", None), ((POLICE_RU, True), (EDUCATION_RU, False))),
    "2.4": Expected(("2024-11-30",), ("amount", 15_500_000), ((SPORT_RU, False), (DISTRICT_AKIMATS, False))),
    "2.5": Expected(("2025-11-30",), ("local_budget", None), ((CULTURE, False), (POLICY_RU, False))),
    "2.6": Expected(_years("10-31", "12-31"), ("none", None),
                    ((EDUCATION_RU, False), (HEALTH_RU, False), (POLICE_RU, True), (POLICY_RU, False))),
    "3.1": Expected(("2025-12-31",), ("allocated", None), ((POLICY_RU, False), (MEDIA_RU, False))),
    "3.2": Expected(("2024-12-31", "2025-12-31"), ("amount", 2_000_000), ((POLICY_RU, False), (EDUCATION_RU, False))),
    "3.3": Expected(_years("03-31", "05-31", "10-31", "12-31"), ("none", None), ((EDUCATION_RU, False),)),
    "3.4": Expected(("2026-12-31",), ("none", None), ((EDUCATION_RU, False),)),
}


# --- the Kazakh plan with bodies written in full -------------------------------------------------------

CULTURE_KK = "Облыстың мәдениет, тілдерді дамыту және архив ісі басқармасы"
EDUCATION_KK = "Қостанай облысы әкімдігінің білім басқармасы"
FULL_NAMES_LEGEND = [("МТДАІБ", CULTURE_KK), ("ББ", EDUCATION_KK)]
POLICE = "Полиция департаменті"
HEALTH = "Денсаулық сақтау басқармасы"
INFORMATIZATION = "Ақпараттандыру, мемлекеттік қызметтер көрсету және архивтер басқармасы"
DISTRICT_EDUCATION = "Қалалар мен аудандардың білім бөлімдері"
NGO = "Үкіметтік емес ұйымдар"
YOUTH = "Жастар саясаты мәселелері жөніндегі басқарма"
SPORT = "Дене шынықтыру және спорт басқармасы"


def _kk(number: str, text: str, executors: str, deadline: str, funding: str) -> Activity:
    return Activity(number, text, [Part("Білім басқармасына ақпарат", executors, deadline, funding)])


FULL_NAMES = PlanDocument(
    title="Қостанай облысында кәмелетке толмағандардың құқықтарын қорғау және олардың арасындағы құқық "
          "бұзушылықтың алдын алу жөніндегі 2024-2025 жылдарға арналған іс-шаралар жоспары",
    region="Қостанай облысы",
    legend=FULL_NAMES_LEGEND,
    body=[
        Section("1", "Ұйымдастыру шаралары"),
        _kk("1", "Мектептерде құқықтық білім беру апталығын өткізу",
            "Қостанай облысы әкімдігінің білім басқармасы, Облыстың мәдениет, тілдерді дамыту және архив ісі "
            "басқармасы", "жыл сайын", "көзделген қаражат шегінде"),
        _kk("2", "Кітапханаларда құқықтық мәдениет күндерін ұйымдастыру",
            "Облыстың мәдениет, тілдерді дамыту және архив ісі басқармасы, Қостанай облысының полиция "
            "департаменті (келісім бойынша)", "2024 жылдың 2-тоқсаны", "жергілікті бюджет қаражаты есебінен"),
        _kk("3", "Балаларға арналған ақпараттық порталдың жұмысын қамтамасыз ету",
            "Қостанай облысының денсаулық сақтау басқармасы, Ақпараттандыру, мемлекеттік қызметтер көрсету және "
            "архивтер басқармасы", "тоқсан сайын", "бюджет қаражаты есебінен"),
        Section("2", "Бос уақытты ұйымдастыру"),
        _kk("4", "Жазғы демалыс кезеңінде үйірмелердің жұмысын ұйымдастыру",
            "қалалар мен аудандардың білім бөлімдері, Облыстың мәдениет, тілдерді дамыту және архив ісі "
            "басқармасы, үкіметтік емес ұйымдар", "жыл сайын 25 тамызға дейін", "талап етілмейді"),
        _kk("5", "Жасөспірімдер арасында спорттық жарыстар өткізу",
            "Жастар саясаты мәселелері жөніндегі басқарма, Дене шынықтыру және спорт басқармасы",
            "жыл сайын жаз кезеңінде", "ағымдағы қаржыландыру шеңберінде"),
        _kk("6", "Педагогтерге арналған әдістемелік нұсқаулықтар әзірлеу",
            "Қостанай облысы әкімдігінің білім басқармасы", "оқу жылы ішінде", "республикалық бюджет қаражаты есебінен"),
    ],
)

FULL_NAMES_EXPECTED: dict[str, Expected] = {
    "1": Expected(_years("12-31", last=2025), ("allocated", None), ((EDUCATION_KK, False), (CULTURE_KK, False))),
    "2": Expected(("2024-06-30",), ("local_budget", None), ((CULTURE_KK, False), (POLICE, True))),
    "3": Expected(_years(*QUARTER_ENDS, last=2025), ("local_budget", None), ((HEALTH, False), (INFORMATIZATION, False))),
    "4": Expected(_years("08-25", last=2025), ("none", None),
                  ((DISTRICT_EDUCATION, False), (CULTURE_KK, False), (NGO, False))),
    "5": Expected(_years("08-31", last=2025), ("allocated", None), ((YOUTH, False), (SPORT, False))),
    "6": Expected(_years("05-31", last=2025), ("republican_budget", None), ((EDUCATION_KK, False),)),
}

#: the hand-written plans: (document, expectations, region, period years)
HAND_WRITTEN = {
    "russian": (RUSSIAN, RUSSIAN_EXPECTED, "Костанайская область", (2024, 2026)),
    "full-names": (FULL_NAMES, FULL_NAMES_EXPECTED, "Қостанай облысы", (2024, 2025)),
}
