"""The regions and cities of republican significance as letters name them.

A ministry writes to "Облыстардың, Астана, Алматы және Шымкент қалаларының әкімдіктері" and
assigns projects to "Жамбыл, Қарағанды облыстары" or "Ұлытау облысы және Астана қаласы". Each
region is stored the way plans store it ("Жамбыл облысы", "Астана қаласы": the keys of
tracker.executors.regions.RUSSIAN, which cannot be imported here: it reads the page's locale).

Pure Python: no Flask, no database.
"""

import re
from dataclasses import dataclass

from tracker.core.text import norm


@dataclass(frozen=True)
class Place:
    name: str  #: as stored: "Жамбыл облысы", "Астана қаласы"
    stem: str  #: as written before the kind word: "Жамбыл", "Батыс Қазақстан"
    city: bool  #: a city of republican significance (its akimat is at a region's level)
    russian: str  #: "Жамбылская область", "город Астана"
    russian_stem: str  #: "Жамбылск", "Астан"


REGIONS: tuple[Place, ...] = tuple(Place(f"{stem} облысы", stem, False, russian, russian_stem) for stem, russian, russian_stem in (
    ("Абай", "Абайская область", "Абайск"),
    ("Ақмола", "Акмолинская область", "Акмолинск"),
    ("Ақтөбе", "Актюбинская область", "Актюбинск"),
    ("Алматы", "Алматинская область", "Алматинск"),
    ("Атырау", "Атырауская область", "Атырауск"),
    ("Шығыс Қазақстан", "Восточно-Казахстанская область", "Восточно-Казахстанск"),
    ("Жамбыл", "Жамбылская область", "Жамбылск"),
    ("Жетісу", "Жетысуская область", "Жетысуск"),
    ("Батыс Қазақстан", "Западно-Казахстанская область", "Западно-Казахстанск"),
    ("Қарағанды", "Карагандинская область", "Карагандинск"),
    ("Қостанай", "Костанайская область", "Костанайск"),
    ("Қызылорда", "Кызылординская область", "Кызылординск"),
    ("Маңғыстау", "Мангистауская область", "Мангистауск"),
    ("Павлодар", "Павлодарская область", "Павлодарск"),
    ("Солтүстік Қазақстан", "Северо-Казахстанская область", "Северо-Казахстанск"),
    ("Түркістан", "Туркестанская область", "Туркестанск"),
    ("Ұлытау", "Улытауская область", "Улытауск"),
)) + tuple(Place(f"{stem} қаласы", stem, True, f"город {stem}", russian_stem) for stem, russian_stem in (
    ("Астана", "Астан"), ("Алматы", "Алмат"), ("Шымкент", "Шымкент"),
))

BY_NAME = {place.name: place for place in REGIONS}
_BY_STEM = {(norm(place.stem), place.city): place for place in REGIONS}
_BY_RUSSIAN = {(norm(place.russian_stem), place.city): place for place in REGIONS}

#: the kind word after a list of names: "облыстары", "облысы", "облыстардың", "қаласы", "қалалары" …
_OBLAST = re.compile(r"^(?:облыс\w*|област\w*|обл\.)$", re.IGNORECASE)
_CITY = re.compile(r"^(?:қала\w*|кала\w*|город\w*|г\.)$", re.IGNORECASE)
#: "облыстардың", "облыстар", "областей": every region (not one named)
_ALL_OBLASTS = re.compile(r"(?<!\w)(?:облыстард\w*|облыстар(?!ы)\w*|областей|областям|области\b(?!\s*[А-Я]))", re.IGNORECASE)
_JOINERS = re.compile(r"\s*(?:,|;|(?<!\w)(?:және|мен|пен|бен|и)(?!\w))\s*", re.IGNORECASE)


def place_of(stem: str, city: bool) -> Place | None:
    """The region or city a stem names ("Жамбыл", "ЖАМБЫЛ", "Жамбылская")."""
    key = norm(stem)
    found = _BY_STEM.get((key, city))
    if found:
        return found
    for (russian, is_city), place in _BY_RUSSIAN.items():
        if is_city == city and key.startswith(russian):
            return place
    return None


def places_in(text: str) -> tuple[list[Place], list[str]]:
    """The regions a list names, in its order, and the names it gives that are no region.

    "Абай, Ақтөбе облыстары" → Абай, Ақтөбе; "Ұлытау облысы және Астана қаласы" → Ұлытау, Астана;
    "Облыстардың, Астана, Алматы және Шымкент қалаларының" → all 17 regions, then the three cities.
    Names before a kind word take that kind: "Алматы, Шымкент қалалары" are cities, "Батыс
    Қазақстан, Алматы облыстары" regions."""
    found: list[Place] = []
    unknown: list[str] = []
    pending: list[str] = []
    #: Russian names the kind first ("городов Астаны, Алматы и Шымкента"): the names after it take it
    kind_before: bool | None = None

    def add(stem: str, city: bool) -> None:
        place = place_of(stem, city)
        if place is None:
            unknown.append(stem)
        elif place not in found:
            found.append(place)

    for chunk in filter(None, _JOINERS.split(text)):
        words = chunk.split()
        kind_at = next((i for i, w in enumerate(words) if _OBLAST.match(w) or _CITY.match(w)), None)
        if kind_at is None:
            if kind_before is not None:
                add(chunk, kind_before)
            else:
                pending.append(chunk)
            continue
        kind_word = words[kind_at]
        city = bool(_CITY.match(kind_word))
        name = " ".join(words[:kind_at])
        if _ALL_OBLASTS.search(kind_word) and not pending and (not name or place_of(name, False) is None):
            found.extend(p for p in REGIONS if not p.city and p not in found)  # "облыстардың", "областей": all
            kind_before = None
            continue
        if kind_at == 0 and len(words) > 1:  # "городов Астаны"
            kind_before = city
            add(" ".join(words[1:]), city)
            continue
        kind_before = None
        for stem in [*pending, name] if name else pending:
            add(stem, city)
        pending = []
    unknown.extend(pending)
    return found, unknown


def region_in(text: str) -> Place | None:
    """The first region or city named anywhere in a text: "ЖАМБЫЛ ОБЛЫСЫНЫҢ ПОЛИЦИЯ ДЕПАРТАМЕНТІ",
    "Жамбыл облыстық Полиция департаменті", "Аппарат акима Жамбылской области"."""
    words = text.split()
    for index, word in enumerate(words[1:], start=1):
        bare = word.strip("«»\"'(),.;:")
        if _OBLAST.match(bare) or _CITY.match(bare):
            city = bool(_CITY.match(bare))
            for size in (2, 1):  # "Батыс Қазақстан" before "Қазақстан"
                stem = " ".join(w.strip("«»\"'(),.;:") for w in words[max(0, index - size):index])
                place = place_of(stem, city)
                if place:
                    return place
    for word in words:  # "Жамбылская" without the kind word after it
        bare = word.strip("«»\"'(),.;:")
        for (russian, city), place in _BY_RUSSIAN.items():
            if not city and len(russian) > 4 and norm(bare).startswith(russian):
                return place
    return None
