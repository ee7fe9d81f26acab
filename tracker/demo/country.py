"""The pieces a synthetic country is made of: regions, bodies, plan themes, and the real
wording of the two seed plans (activity texts, completion forms, deadline and funding phrases).

Everything the generator writes comes either from here or from the seed plans in `plans/`,
read by the real import engine, so the deadline phrases go through the real parser.
"""

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tracker.executors.registry import REGISTRY, RegistryEntry
from tracker.plans.engine import parse_plan_file

#: the 17 regions and 3 cities the Ministry's letter (seed 002) assigns projects to
REGIONS = (
    "Абай облысы", "Ақмола облысы", "Ақтөбе облысы", "Алматы облысы", "Атырау облысы",
    "Батыс Қазақстан облысы", "Жамбыл облысы", "Жетісу облысы", "Қарағанды облысы", "Қостанай облысы",
    "Қызылорда облысы", "Маңғыстау облысы", "Павлодар облысы", "Солтүстік Қазақстан облысы",
    "Түркістан облысы", "Ұлытау облысы", "Шығыс Қазақстан облысы",
    "Астана қаласы", "Алматы қаласы", "Шымкент қаласы",
)

#: marks every synthetic plan title, region and account, so no one mistakes it for a real plan
MARK = "СИНТЕТИКА"

#: plan themes: the social projects seed 002 assigns to the regions, and the seed plans' subjects
THEMES = (
    "Ерте анықтау: агрессивті мінез-құлқы бар балаларды қолдау",
    "Агрессор-балалармен жұмыс жүргізу үшін өнер арқылы терапия пайдалану",
    "Спорт агрессор-балаларға балама ретінде: агрессияны анықтау және сындарлы мінез-құлықты дамыту",
    "Мектептерде жанжалдарды шешу үшін медиация және ресторативті әділеттілік",
    "Жастар ұйымдарымен және клубтармен серіктестік",
    "Ересек тәлімгерлерден қолдау мен менторлық",
    "Зорлық-зомбылыққа ұшыраған балаларды қолдау орталықтары",
    "Интерактивті білім беру ресурстары",
    "Мектеп қауіпсіздік комитеттерін құру",
    "Кәмелетке толмағандар арасында өзіне-өзі қол жұмсаудың алдын алу",
    "Балаларды зорлық-зомбылықтан қорғау және олардың құқықтарын қамтамасыз ету",
)

#: plan periods, relative to the first year; with today in 2026 some are over, some running
PERIODS = ((2023, 2025), (2024, 2026), (2025, 2027), (2026, 2028))

#: departments a region has besides the standard ones of the registry (to reach ~50 bodies)
EXTRA_DEPARTMENTS = (
    ("аудан әкімдігі", "акимат района"),
    ("аудандық білім бөлімі", "районный отдел образования"),
    ("аудандық ішкі істер бөлімі", "районный отдел внутренних дел"),
    ("аудандық емхана", "районная поликлиника"),
)


@dataclass(frozen=True)
class SeedActivity:
    """One activity of a seed plan, as the generator reuses it."""

    text: str
    completion_form: str
    deadline_text: str
    first_year: int  #: the seed plan's first year, to move dated phrases to another period
    funding_text: str
    funding_kind: str
    funding_amount_kzt: int | None


@dataclass(frozen=True)
class SeedWording:
    activities: tuple[SeedActivity, ...]
    sections: tuple[str, ...]


def read_seed_wording(plans_dir: Path) -> SeedWording:
    """The activities and section titles of the seed plans, read by the real engine."""
    activities, sections = [], []
    for path in sorted(plans_dir.glob("*.txt")):
        parsed = parse_plan_file(path)
        sections.extend(title for _number, title in parsed.sections)
        for item in parsed.activities:
            if not item.deadline.text:
                continue
            activities.append(SeedActivity(
                text=item.text, completion_form=item.completion_form, deadline_text=item.deadline.text,
                first_year=parsed.period.start.year, funding_text=item.funding.text,
                funding_kind=item.funding.kind, funding_amount_kzt=item.funding.amount_kzt))
    if not activities:
        raise ValueError(f"no seed plan with activities in {plans_dir}")
    return SeedWording(tuple(activities), tuple(sections))


_YEAR = re.compile(r"\b(20\d\d)\b")


def moved_to(deadline_text: str, seed_first_year: int, first_year: int) -> str:
    """The phrase as the same plan would write it for a period starting in `first_year`:
    "2019 жылдың 1-тоқсаны" in a 2019 plan becomes "2024 жылдың 1-тоқсаны" in a 2024 one."""
    shift = first_year - seed_first_year
    return _YEAR.sub(lambda m: str(int(m.group(1)) + shift), deadline_text)


def region_name(index: int) -> str:
    """The index-th synthetic region: the real 20 first, then numbered copies at larger scales."""
    base = REGIONS[index % len(REGIONS)]
    copy = index // len(REGIONS)
    return f"{base} ({MARK})" if copy == 0 else f"{base} ({MARK} {copy + 1})"


def regional_entries() -> list[RegistryEntry]:
    return [entry for entry in REGISTRY if not entry.national]


def national_entries() -> list[RegistryEntry]:
    return [entry for entry in REGISTRY if entry.national]


def period_of(first: int, last: int) -> tuple[date, date]:
    return date(first, 1, 1), date(last, 12, 31)
