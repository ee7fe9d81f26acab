"""The regions of Kazakhstan as a Russian page names them.

Plans, bodies and the synthetic country store a region the way the Kazakh documents write it
("Қостанай облысы"); that stored value is what filters and identities compare, so it never
changes. Only the page shows it in the reader's language: the 17 regions, the 3 cities of
republican significance and the republic (the national bodies' "region") have official Russian
names. Anything else — a district a plan names, a region written in a way not listed here — is
shown as written.
"""

import re

from tracker.core.text import norm
from tracker.executors.models import NATIONAL, reads_russian

#: Kazakh name (as stored) → Russian name
RUSSIAN = {
    "Абай облысы": "Абайская область",
    "Ақмола облысы": "Акмолинская область",
    "Ақтөбе облысы": "Актюбинская область",
    "Алматы облысы": "Алматинская область",
    "Атырау облысы": "Атырауская область",
    "Шығыс Қазақстан облысы": "Восточно-Казахстанская область",
    "Жамбыл облысы": "Жамбылская область",
    "Жетісу облысы": "Жетысуская область",
    "Батыс Қазақстан облысы": "Западно-Казахстанская область",
    "Қарағанды облысы": "Карагандинская область",
    "Қостанай облысы": "Костанайская область",
    "Қызылорда облысы": "Кызылординская область",
    "Маңғыстау облысы": "Мангистауская область",
    "Павлодар облысы": "Павлодарская область",
    "Солтүстік Қазақстан облысы": "Северо-Казахстанская область",
    "Түркістан облысы": "Туркестанская область",
    "Ұлытау облысы": "Улытауская область",
    "Астана қаласы": "город Астана",
    "Алматы қаласы": "город Алматы",
    "Шымкент қаласы": "город Шымкент",
    NATIONAL: "Республика Казахстан",
}

#: the same, by the folded comparison key: a region typed with Russian look-alike letters
#: ("Костанай облысы") or another case is still recognised
_BY_KEY = {norm(kazakh): russian for kazakh, russian in RUSSIAN.items()}

#: the synthetic country's mark after a region's name, "(СИНТЕТИКА)" or "(СИНТЕТИКА 2)", kept as
#: it is so that no one mistakes a generated region for a real one in any language
_MARK = re.compile(r"^(?P<name>.*?)(?P<mark>\s*\(СИНТЕТИКА(?:\s+\d+)?\))$")


def region_name(region: str | None, russian: bool | None = None) -> str:
    """The region for the reader: its Russian name on a Russian page, otherwise as stored.
    Pass `russian` (from `reads_russian`) when naming many regions. None gives ""."""
    if not region:
        return ""
    if not (reads_russian() if russian is None else russian):
        return region
    marked = _MARK.match(region)
    name, mark = (marked["name"], marked["mark"]) if marked else (region, "")
    return _BY_KEY.get(norm(name), name) + mark
