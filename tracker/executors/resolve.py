"""Resolve an executor as written in a plan to one responsible body.

Order (first hit wins), as the coordinator would read the plan:
  1. legend   — the plan's own legend, abbreviation or full name (case aside);
  2. variant  — the legend after folding Kazakh letters (ЖКУӘББ = ЖҚҰӘББ, БҚЖУ = БКЖУ);
  2a. alias   — a form a coordinator has assigned to a body in the portal (learned aliases
     of the plan's region, given by the caller; the engine itself never reads the database);
  3. registry — the built-in registry, exactly (УО → Білім басқармасы);
  4. variant  — the registry after folding;
  5. compound — "ПД ЖПҚ": every word is a known abbreviation; the last, most
     specific unit is the body (the local police service of the police department);
  6. fuzzy    — a near miss (АМЖКАБ → АМҚКАБ, 'ібілм бөлімдері'), recorded as such so the
     portal shows it to a person as a suggestion;
  otherwise unresolved, kept as written.

When the registry hit is a body the legend also defines, the plan's own wording
(name and abbreviation) is used, so one body keeps one name inside a plan.
Pure Python: no Flask, no database.
"""

import functools
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from tracker.core.text import clean, looks_like_abbreviation, norm
from tracker.executors.registry import REGISTRY, RegistryEntry, entry_names

FUZZY_CUTOFF = 80.0

# "Қарағанды облысының білім басқармасы" → "білім басқармасы"
_REGION_PREFIX = re.compile(
    r"^[А-ЯӘІҢҒҮҰҚӨҺ][\w-]+\s+облыс(?:ының|ында|ы\s+бойынша|ы\s+әкімдігінің)\s+(?=\S)",
    re.IGNORECASE,
)
_PUNCT = re.compile(r"[^\w\s]|_")


def _name_ratio(a: str, b: str, **kwargs) -> float:
    """A typo inside a word ('ібілм') and swapped words both count as near misses."""
    return max(fuzz.ratio(a, b, **kwargs), fuzz.token_sort_ratio(a, b, **kwargs))


def exact_key(text: str) -> str:
    """Case, punctuation and spacing aside, but Kazakh letters kept as typed."""
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def strip_region(name: str) -> str:
    return _REGION_PREFIX.sub("", clean(name))


@dataclass(frozen=True)
class LegendEntry:
    abbreviation: str
    name: str


@dataclass(frozen=True)
class Target:
    """A body as this plan names it."""

    name: str
    abbreviation: str | None
    name_ru: str | None
    key: str  #: identity inside a region: the registry key, or "legend:<name>"
    registry_key: str | None
    national: bool


@dataclass(frozen=True)
class Resolution:
    target: Target | None
    match: str  #: legend | variant | alias | registry | compound parts' match | fuzzy | unresolved
    matched: str | None = None  #: the form it matched
    score: float | None = None


def _registry_target(entry: RegistryEntry) -> Target:
    abbreviation = entry.abbreviation_kk or entry.abbreviation_ru
    return Target(entry.name_kk, abbreviation, entry.name_ru, entry.key, entry.key, entry.national)


@functools.cache
def _registry_by_norm() -> dict[str, RegistryEntry]:
    index: dict[str, RegistryEntry] = {}
    for entry in REGISTRY:
        for form in entry_names(entry):
            index.setdefault(norm(form), entry)
    return index


def _registry_entry_for_name(name: str) -> RegistryEntry | None:
    index = _registry_by_norm()
    return index.get(norm(name)) or index.get(norm(strip_region(name)))


class BodyResolver:
    def __init__(self, legend: list[LegendEntry], learned: dict[str, Target] | None = None):
        self.duplicate_abbreviations: list[str] = []
        #: norm(written) → the body a coordinator assigned that form to
        self._learned: dict[str, Target] = dict(learned or {})
        self._legend_exact: dict[str, Target] = {}
        self._legend_variant: dict[str, Target] = {}
        self._registry_exact: dict[str, Target] = {}
        self._registry_variant: dict[str, Target] = {}
        by_registry_key: dict[str, Target] = {}

        seen_abbreviations: set[str] = set()
        for item in legend:
            entry = _registry_entry_for_name(item.name)
            abbreviation = item.abbreviation
            if norm(abbreviation) in seen_abbreviations:
                # Kostanay defines ББ twice; the second meaning keeps its name only.
                self.duplicate_abbreviations.append(abbreviation)
                abbreviation = None
            else:
                seen_abbreviations.add(norm(abbreviation))
            target = Target(
                name=item.name,
                abbreviation=abbreviation,
                name_ru=entry.name_ru if entry else None,
                key=entry.key if entry else "legend:" + norm(strip_region(item.name)),
                registry_key=entry.key if entry else None,
                national=entry.national if entry else False,
            )
            if entry and entry.key not in by_registry_key:
                by_registry_key[entry.key] = target
            forms = [item.name, strip_region(item.name)] + ([abbreviation] if abbreviation else [])
            for form in forms:
                self._legend_exact.setdefault(exact_key(form), target)
                self._legend_variant.setdefault(norm(form), target)

        for entry in REGISTRY:
            target = by_registry_key.get(entry.key) or _registry_target(entry)
            for form in entry_names(entry):
                self._registry_exact.setdefault(exact_key(form), target)
                self._registry_variant.setdefault(norm(form), target)

        # Fuzzy candidates: legend first so that ties go to the plan's own wording.
        self._fuzzy_forms: list[str] = []
        self._fuzzy_targets: list[Target] = []
        for table in (self._legend_variant, self._registry_variant):
            for form, target in table.items():
                self._fuzzy_forms.append(form)
                self._fuzzy_targets.append(target)

    def resolve(self, written: str) -> Resolution:
        written = clean(written)
        if not written:
            return Resolution(None, "unresolved")
        stages = (
            (exact_key, self._legend_exact, "legend"),
            (norm, self._legend_variant, "variant"),
            (norm, self._learned, "alias"),
            (exact_key, self._registry_exact, "registry"),
            (norm, self._registry_variant, "variant"),
        )
        for key_of, table, match in stages:
            for key in (key_of(written), key_of(strip_region(written))):
                if key in table:
                    return Resolution(table[key], match, written)
        compound = self._compound(written)
        if compound:
            return compound
        return self._fuzzy(written)

    def _compound(self, written: str) -> Resolution | None:
        words = written.split()
        if len(words) < 2 or not all(looks_like_abbreviation(w) for w in words):
            return None
        parts = [self.resolve(word) for word in words]
        if all(part.target for part in parts) and parts[-1].match != "fuzzy":
            return Resolution(parts[-1].target, parts[-1].match, words[-1])
        return None

    def _fuzzy(self, written: str) -> Resolution:
        query = norm(written)
        # Abbreviations compare letter by letter; names also forgive word order.
        scorer = fuzz.ratio if looks_like_abbreviation(written) else _name_ratio
        best = process.extractOne(query, self._fuzzy_forms, scorer=scorer, score_cutoff=FUZZY_CUTOFF)
        if best is None:
            return Resolution(None, "unresolved")
        form, score, index = best
        return Resolution(self._fuzzy_targets[index], "fuzzy", form, round(score, 1))
