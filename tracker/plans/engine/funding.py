"""Funding text → kind and amount (BRIEF.md, "Funding")."""

import re
from dataclasses import dataclass

from tracker.core.text import clean

KINDS = ("allocated", "none", "republican_budget", "local_budget", "amount", "unspecified")

_NONE = ("көзделмеген", "талап етілмейді", "талап етілмейді", "қажет емес", "не требуется",
         "не предусмотрен", "без финансирования", "не требует", "қаржыландыру қажет етпейді")
_ALLOCATED = ("көзделген қаражат", "бөлінген қаражат", "в пределах", "выделенных средств",
              "предусмотренных средств", "қаражат шегінде")
_REPUBLICAN = re.compile(r"(?<!\w)(РБ|ҚР РБ)(?!\w)|республика(лық|нский) бюджет", re.IGNORECASE)
_LOCAL = re.compile(r"(?<!\w)(ЖБ|МБ)(?!\w)|жергілікті бюджет|местн\w+ бюджет", re.IGNORECASE)
_AMOUNT = re.compile(
    # The number starts where its run of digits and spaces starts: trying every digit of a long run
    # as a start would take quadratic time (a cell of 100,000 digits took minutes).
    r"(?<!\d)(?<!\d[\s\u00a0])(?P<number>\d[\d\s\u00a0]*(?:[.,]\d+)?)\s*(?P<scale>млрд|млн|мың|тыс)?\.?\s*"
    r"(?:тг|теңге|тенге|₸|kzt)",
    re.IGNORECASE,
)
_SCALE = {"млрд": 1_000_000_000, "млн": 1_000_000, "мың": 1_000, "тыс": 1_000}
#: no budget comes near it (and the database keeps amounts as a 64-bit integer)
MAX_AMOUNT_KZT = 2**63 - 1


@dataclass(frozen=True)
class Funding:
    text: str
    kind: str
    amount_kzt: int | None = None


def classify_funding(text: str | None) -> Funding:
    shown = clean(text)
    lowered = shown.lower()
    if not shown:
        return Funding(shown, "unspecified")
    amount = _AMOUNT.search(shown)
    if amount:
        number = float(re.sub(r"[\s\u00a0]", "", amount["number"]).replace(",", "."))
        scale = _SCALE.get((amount["scale"] or "").lower(), 1)
        if number * scale <= MAX_AMOUNT_KZT:  # 400 digits read as a float are infinite: not an amount
            return Funding(shown, "amount", round(number * scale))
    if any(phrase in lowered for phrase in _NONE):
        return Funding(shown, "none")
    if any(phrase in lowered for phrase in _ALLOCATED) or lowered.startswith("көзделген"):
        return Funding(shown, "allocated")
    if _REPUBLICAN.search(shown):
        return Funding(shown, "republican_budget")
    if _LOCAL.search(shown):
        return Funding(shown, "local_budget")
    return Funding(shown, "unspecified")
