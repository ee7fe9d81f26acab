"""The registry of each region's cities of regional significance and districts, and the groups
that collective executors stand for.

Plans name collective executors — "аудандар мен қалалардың білім бөлімдері", "білім бөлімдері",
"әкімдіктер", "қалалар мен аудандардың әкімдіктері" — which are in reality one body per city and
district of the region, each of which must report (BRIEF.md, "Letters and the chain"). The
resolver already reads them as one registry kind ("district_education", "district_akimats"); this
module says which bodies that kind stands for in a region: one per unit of `districts.json`,
named as the letters name them ("Қостанай қаласының білім бөлімі", "Алтынсарин ауданының білім
бөлімі").

Pure Python, like the resolver: the engine (`plans parse --json`) reads the shipped file. The
portal lays an administrator's corrections over it (tracker.delegation.registry), passing them in
as `overrides`.
"""

import functools
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from tracker.core.text import clean, norm

DATA_FILE = Path(__file__).with_name("districts.json")


class BodyLevel(StrEnum):
    """Where a body stands: the chain a letter travels down (BRIEF.md, "Letters and the chain")."""

    NATIONAL = "national"  #: ministries, the children's ombudsman
    REGION = "region"  #: the regional akimat and its departments
    DISTRICT = "district"  #: a district's or a city of regional significance's akimat and its departments
    ORGANISATION = "organisation"  #: a school, a college, a clinic


#: a unit's kind in the registry
CITY = "city"
DISTRICT = "district"


@dataclass(frozen=True)
class Unit:
    """A city of regional significance or a district, as the registry names it."""

    kind: str  #: CITY or DISTRICT
    kk: str  #: "Алтынсарин ауданы", "Қостанай қаласы"
    ru: str  #: "Алтынсаринский район", "город Костанай"
    kk_genitive: str  #: "Алтынсарин ауданының"
    ru_genitive: str  #: "Алтынсаринского района"

    @property
    def key(self) -> str:
        return norm(self.kk)


@dataclass(frozen=True)
class GroupKind:
    """A registry kind that stands for one body per unit of the region."""

    key: str  #: the registry key of the collective ("district_education")
    member_kk: str  #: "{unit} білім бөлімі" — `unit` is the unit's Kazakh genitive
    member_ru: str  #: "Отдел образования {unit}" — `unit` is the Russian genitive
    member_abbreviation: str | None
    #: the registry key of the region's body above the members (it hands work down to them)
    head: str | None


GROUP_KINDS: dict[str, GroupKind] = {
    kind.key: kind for kind in (
        GroupKind("district_education", "{unit} білім бөлімі", "Отдел образования {unit}", "ББ", "education"),
        GroupKind("district_akimats", "{unit} әкімдігі", "Акимат {unit}", None, "regional_akimat"),
    )
}


def is_group_kind(registry_key: str | None) -> bool:
    return registry_key in GROUP_KINDS


# --- names -----------------------------------------------------------------------------------

_KK_GENITIVE = ((re.compile(r"\bауданы$"), "ауданының"), (re.compile(r"\bқаласы$"), "қаласының"),
                (re.compile(r"\bаудан$"), "ауданның"))
_RU_GENITIVE = ((re.compile(r"^город\s+"), "города "), (re.compile(r"^район\s+"), "района "))
_RU_ADJECTIVE = re.compile(r"^(?P<stem>.+?)(?P<end>ский|цкий|ной|ный)\s+район$")
_RU_ENDINGS = {"ский": "ского", "цкий": "цкого", "ной": "ного", "ный": "ного"}


def kazakh_genitive(name: str) -> str:
    """"Алтынсарин ауданы" → "Алтынсарин ауданының"; "Қостанай қаласы" → "Қостанай қаласының"."""
    for pattern, replacement in _KK_GENITIVE:
        if pattern.search(name):
            return pattern.sub(replacement, name)
    return name


def russian_genitive(name: str) -> str:
    """"Алтынсаринский район" → "Алтынсаринского района"; "город Костанай" → "города Костанай";
    "район Беимбета Майлина" → "района Беимбета Майлина"."""
    adjective = _RU_ADJECTIVE.match(name)
    if adjective:
        return f"{adjective['stem']}{_RU_ENDINGS[adjective['end']]} района"
    for pattern, replacement in _RU_GENITIVE:
        if pattern.search(name):
            return pattern.sub(replacement, name)
    return name


def unit_of(kind: str, kk: str, ru: str, kk_genitive: str | None = None, ru_genitive: str | None = None) -> Unit:
    kk, ru = clean(kk), clean(ru)
    return Unit(kind, kk, ru, clean(kk_genitive) or kazakh_genitive(kk), clean(ru_genitive) or russian_genitive(ru))


def member_names(kind: GroupKind, unit: Unit) -> tuple[str, str]:
    """The Kazakh and Russian names of the unit's body of that kind."""
    return kind.member_kk.format(unit=unit.kk_genitive), kind.member_ru.format(unit=unit.ru_genitive)


def member_identity(kind: GroupKind, unit: Unit) -> str:
    """What makes a member the same body across imports (Body.identity inside its region)."""
    return f"{kind.key}:{unit.key}"


# --- the registry ------------------------------------------------------------------------------

#: the synthetic country's mark after a region's name (tracker.executors.regions): a generated
#: "Қостанай облысы (СИНТЕТИКА 2)" has Kostanay's districts
_SYNTHETIC_MARK = re.compile(r"\s*\(СИНТЕТИКА(?:\s+\d+)?\)\s*$")


def region_key(region: str | None) -> str:
    return norm(_SYNTHETIC_MARK.sub("", region or ""))


@dataclass(frozen=True)
class RegionEntry:
    kk: str
    ru: str
    complete: bool
    units: tuple[Unit, ...]
    note: str | None = None


def read_registry(data: dict) -> dict[str, RegionEntry]:
    """The registry file's content → region key → entry. Refuses, naming the place, a unit without
    both names (the file is the project's own; a broken one must not ship)."""
    regions: dict[str, RegionEntry] = {}
    for number, region in enumerate(data["regions"], start=1):
        units = []
        for kind, field in ((CITY, "cities"), (DISTRICT, "districts")):
            for position, item in enumerate(region.get(field, []), start=1):
                if not clean(item.get("kk")) or not clean(item.get("ru")):
                    raise ValueError(f"districts.json: region {number} ({region.get('kk')}), {field} {position}: "
                                     f"a unit needs its Kazakh and Russian names")
                units.append(unit_of(kind, item["kk"], item["ru"], item.get("kk_genitive"), item.get("ru_genitive")))
        regions[region_key(region["kk"])] = RegionEntry(region["kk"], region["ru"], bool(region.get("complete")),
                                                        tuple(units), region.get("note"))
    return regions


@functools.cache
def shipped() -> dict[str, RegionEntry]:
    """The registry as shipped (read once)."""
    return read_registry(json.loads(DATA_FILE.read_text(encoding="utf-8")))


def units_of(region: str | None, overrides: dict[str, tuple[Unit, ...]] | None = None) -> tuple[Unit, ...]:
    """The cities and districts of a region: an administrator's correction (by region key) or the
    shipped list; () for a region the registry does not know."""
    key = region_key(region)
    if overrides and key in overrides:
        return overrides[key]
    entry = shipped().get(key)
    return entry.units if entry else ()


def members_of(registry_key: str | None, region: str | None,
               overrides: dict[str, tuple[Unit, ...]] | None = None) -> list[tuple[Unit, str, str]]:
    """The bodies a collective executor of the region stands for: (unit, Kazakh name, Russian
    name) per city and district; [] for a kind that is not a group or a region not in the registry."""
    kind = GROUP_KINDS.get(registry_key or "")
    if kind is None:
        return []
    return [(unit, *member_names(kind, unit)) for unit in units_of(region, overrides)]


def executor_group_json(registry_key: str | None, region: str | None) -> dict:
    """What `plans parse --json` adds to an executor that is a group: "group": true and
    "members", the names of the region's bodies it stands for (empty when the registry does not
    know the region). {} for any other executor."""
    if not is_group_kind(registry_key):
        return {}
    return {"group": True, "members": [kk for _unit, kk, _ru in members_of(registry_key, region)]}


# --- an administrator's correction --------------------------------------------------------------

_KINDS_BY_WORD = (("қаласы", CITY), ("аудан", DISTRICT))


@dataclass(frozen=True)
class LineProblem:
    line: int
    problem: str  #: a message template (English, translated by the page): see `read_units`
    text: str


def read_units(text: str) -> tuple[tuple[Unit, ...], list[LineProblem]]:
    """An administrator's list for one region, one unit per line: "Kazakh name | Russian name"
    (optionally "| Kazakh genitive | Russian genitive" when the rule guesses them wrong). Returns
    the units and the problems, line by line; nothing is to be stored while there is a problem."""
    units: list[Unit] = []
    problems: list[LineProblem] = []
    seen: set[str] = set()
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = clean(raw)
        if not line:
            continue
        parts = [clean(p) for p in line.split("|")]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            problems.append(LineProblem(number, "write the Kazakh name, a «|» and the Russian name", line))
            continue
        if len(parts) > 4:
            problems.append(LineProblem(number, "too many «|»: at most the two names and their two genitives", line))
            continue
        if any(len(p) > 120 for p in parts):
            problems.append(LineProblem(number, "a name is longer than 120 characters", line))
            continue
        kind = next((k for word, k in _KINDS_BY_WORD if word in parts[0].lower()), None)
        if kind is None:
            problems.append(LineProblem(number, "the Kazakh name must say «қаласы» or «ауданы»", line))
            continue
        unit = unit_of(kind, parts[0], parts[1], *(parts[2:] + [None, None])[:2])
        if unit.key in seen:
            problems.append(LineProblem(number, "this unit is already listed above", line))
            continue
        seen.add(unit.key)
        units.append(unit)
    if not units and not problems:
        problems.append(LineProblem(0, "the list is empty", ""))
    return tuple(units), problems


def units_text(units: tuple[Unit, ...]) -> str:
    """The list as the administrator's form shows it (genitives only where the rule would guess
    them otherwise)."""
    lines = []
    for unit in units:
        parts = [unit.kk, unit.ru]
        if unit.kk_genitive != kazakh_genitive(unit.kk) or unit.ru_genitive != russian_genitive(unit.ru):
            parts += [unit.kk_genitive, unit.ru_genitive]
        lines.append(" | ".join(parts))
    return "\n".join(lines)
