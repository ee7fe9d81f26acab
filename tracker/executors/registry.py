"""The built-in registry of standard bodies that regional plans name.

A plan's own legend wins (see `resolve`); the registry fills the gaps: bodies a
plan uses without defining (ІІБ, МБ, ДП, ЖАО in Karaganda), Russian
abbreviations inside Kazakh plans (УО, УВП, МИО, НПО) and the bodies written out
in words (облыс әкімдігі, білім бөлімдері, облыс прокуратурасы).

Each entry is one *kind* of body. In a given region it is one Body; the
`national` ones (ministries, the children's ombudsman) are one Body for the
whole country.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RegistryEntry:
    key: str  #: stable identifier of the kind of body, e.g. "education"
    name_kk: str
    name_ru: str
    abbreviation_kk: str | None = None
    abbreviation_ru: str | None = None
    #: other abbreviations and names people write for it (Kazakh or Russian)
    aliases: tuple[str, ...] = field(default_factory=tuple)
    national: bool = False


REGISTRY: tuple[RegistryEntry, ...] = (
    RegistryEntry(
        "education", "Білім басқармасы", "Управление образования", "ББ", "УО",
        ("облыстың білім басқармасы", "облыс әкімдігінің білім басқармасы", "білім басқармасы"),
    ),
    RegistryEntry(
        "district_education", "Қалалар мен аудандардың білім бөлімдері",
        "Отделы образования городов и районов", None, None,
        ("білім бөлімдері", "аудандар мен қалалардың білім бөлімдері",
         "қалалар мен аудандар әкімдіктерінің білім бөлімдері", "қалалық және аудандық білім бөлімдері",
         "ГОО", "РОО", "отделы образования", "городские и районные отделы образования"),
    ),
    RegistryEntry(
        "health", "Денсаулық сақтау басқармасы", "Управление здравоохранения", "ДСБ", "УЗ",
        ("облыстың денсаулық сақтау басқармасы",),
    ),
    RegistryEntry(
        "health_organisations", "Денсаулық сақтау ұйымдары", "Организации здравоохранения", None, None,
        ("медициналық ұйымдар", "медицинские организации"),
    ),
    RegistryEntry(
        "internal_policy", "Ішкі саясат басқармасы", "Управление внутренней политики", "ІСБ", "УВП",
    ),
    RegistryEntry(
        "culture", "Мәдениет басқармасы", "Управление культуры", "МБ", "УК",
        ("МК", "мәдениет, архивтер және құжаттама басқармасы", "МАҚБ",
         "управление культуры, архивов и документации"),
    ),
    RegistryEntry(
        "employment", "Жұмыспен қамтуды үйлестіру және әлеуметтік бағдарламалар басқармасы",
        "Управление координации занятости и социальных программ", "ЖҚҮӘББ", "УКЗиСП",
        ("ЖҚҮжӘББ", "ЖҚҰӘББ", "жұмыспен қамту басқармасы", "управление занятости"),
    ),
    RegistryEntry(
        "sport", "Дене шынықтыру және спорт басқармасы", "Управление физической культуры и спорта",
        "ДШжСБ", "УФКиС", ("спорт басқармасы",),
    ),
    RegistryEntry(
        "youth", "Жастар саясаты мәселелері жөніндегі басқарма", "Управление по вопросам молодежной политики",
        "ЖСБ", "УВМП", ("ЖСМЖБ", "жастар саясаты мәселелері жөніндегі басқармасы"),
    ),
    RegistryEntry(
        "local_executive", "Жергілікті атқарушы орган", "Местный исполнительный орган", "ЖАО", "МИО",
        ("жергілікті атқарушы органдар", "местные исполнительные органы"),
    ),
    RegistryEntry(
        "regional_akimat", "Облыс әкімдігі", "Акимат области", None, None,
        ("облыстың әкімдігі", "облыс әкімдігі", "акимат области"),
    ),
    RegistryEntry(
        "district_akimats", "Қалалар мен аудандардың әкімдіктері", "Акиматы городов и районов", None, None,
        ("әкімдіктер", "аудандар мен қалалардың әкімдіктері", "қалалар мен аудандар әкімдіктері",
         "акиматы городов и районов", "акиматы"),
    ),
    RegistryEntry(
        "police", "Полиция департаменті", "Департамент полиции", "ПД", "ДП",
        # ІІБ/ІІД (Ішкі істер басқармасы/департаменті, УВД/ДВД) are the older names.
        ("ІІБ", "ІІД", "УВД", "ДВД", "облыстың полиция департаменті", "ішкі істер органдары"),
    ),
    RegistryEntry(
        "local_police", "Жергілікті полиция қызметі", "Служба местной полицейской службы", "ЖПҚ", "МПС",
        ("жергілікті полиция қызметі",),
    ),
    RegistryEntry(
        "emergency", "Төтенше жағдайлар департаменті", "Департамент по чрезвычайным ситуациям", "ТЖД", "ДЧС",
        ("ТЖБ",),
    ),
    RegistryEntry(
        "prosecutor", "Облыс прокуратурасы", "Прокуратура области", None, None,
        ("облыстың прокуратурасы", "прокуратура области"),
    ),
    RegistryEntry(
        "ngo", "Үкіметтік емес ұйымдар", "Неправительственные организации", "ҮЕҰ", "НПО",
        ("ҮЕҰ", "ҰЕҰ", "үкіметтік емес ұйым"),
    ),
    RegistryEntry(
        "media", "Бұқаралық ақпарат құралдары", "Средства массовой информации", "БАҚ", "СМИ",
    ),
    RegistryEntry(
        "psychological_support_centre", "Психологиялық қолдау және қосымша білім беру өңірлік орталығы",
        "Региональный центр психологической поддержки и дополнительного образования", "ПҚжҚББӨО", None,
        ("психологиялық қолдау орталығы",),
    ),
    RegistryEntry(
        "education_methodology_centre", "Білім беруді дамытудың оқу-әдістемелік орталығы",
        "Учебно-методический центр развития образования", "ББД ОӘО", "УМЦРО",
    ),
    RegistryEntry(
        "passenger_transport", "Жолаушылар көлігі және автомобиль жолдары басқармасы",
        "Управление пассажирского транспорта и автомобильных дорог", "ЖКЖАЖБ", "УПТиАД",
    ),
    RegistryEntry(
        "energy_housing", "Энергетика және тұрғын үй-коммуналдық шаруашылық басқармасы",
        "Управление энергетики и жилищно-коммунального хозяйства", "ЭЖТҮКШБ", "УЭиЖКХ",
    ),
    RegistryEntry(
        "informatization", "Ақпараттандыру, мемлекеттік қызметтер көрсету және архивтер басқармасы",
        "Управление информатизации, оказания государственных услуг и архивов", "АМҚКАБ", "УИОГУА",
    ),
    RegistryEntry(
        "juvenile_commission", "Кәмелетке толмағандардың істері және олардың құқықтарын қорғау жөніндегі комиссия",
        "Комиссия по делам несовершеннолетних и защите их прав", "КІҚҚК", "КДНиЗП",
    ),
    RegistryEntry(
        "children_ombudsman", "Бала құқықтары жөніндегі уәкіл", "Уполномоченный по правам ребенка", "БҚЖУ", None,
        ("Қазақстан Республикасындағы Бала құқықтары жөніндегі уәкіл", "БҚЖӨУ"),
        national=True,
    ),
    RegistryEntry(
        "ministry_of_enlightenment", "Қазақстан Республикасы Оқу-ағарту министрлігі",
        "Министерство просвещения Республики Казахстан", "ОМ", "МП РК",
        ("ҚР ОМ", "Оқу-ағарту министрлігі"),
        national=True,
    ),
    RegistryEntry(
        "ministry_of_education_and_science", "Қазақстан Республикасы Білім және ғылым министрлігі",
        "Министерство образования и науки Республики Казахстан", "БҒМ", "МОН РК",
        ("ҚР БҒМ",),
        national=True,
    ),
)


def entry_names(entry: RegistryEntry) -> list[str]:
    """Every written form of an entry (names, abbreviations, aliases)."""
    forms = [entry.name_kk, entry.name_ru, *entry.aliases]
    for abbreviation in (entry.abbreviation_kk, entry.abbreviation_ru):
        if abbreviation:
            forms.extend(part.strip() for part in abbreviation.split(","))
    return forms


BY_KEY = {entry.key: entry for entry in REGISTRY}
