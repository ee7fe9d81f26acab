"""Funding text → kind and amount (BRIEF.md, "Funding").

Every phrase the engine knows is in one table, FUNDING_PHRASES, in Kazakh and Russian, each with
the kind it means; tests/test_import_formats.py checks each one. Phrases are compared after
folding (Kazakh letters to their Russian look-alikes, ё to е, case aside), so "счёт" and "счет",
"қаражаты" and "каражаты" are one phrase.

An amount ("2 000 000 тг.", "15,5 млн тенге", "1500 мың теңге") is always read. A funding that
also names its source ("ЖБ; 1500 мың теңге": a two-column "Қаржыландыру" with "көзі" and
"сомасы") keeps the source as its kind and the amount beside it; an amount alone is of kind
"amount".
"""

import re
from dataclasses import dataclass

from tracker.core.text import clean, fold

KINDS = ("allocated", "none", "republican_budget", "local_budget", "amount", "unspecified")

#: (phrase, kind): checked in this order, the first found wins, so "not required" phrases come
#: before the budgets they may mention ("бюджет қаражатын талап етпейді").
FUNDING_PHRASES: tuple[tuple[str, str], ...] = (
    # no money needed
    ("көзделмеген", "none"),
    ("талап етілмейді", "none"),
    ("талап етпейді", "none"),
    ("қажет етпейді", "none"),
    ("қажет емес", "none"),
    ("қаржыландыруды қажет етпейді", "none"),
    ("қосымша қаражатты талап етпейді", "none"),
    ("не требуется", "none"),
    ("не требует", "none"),
    ("не предусмотрен", "none"),
    ("без финансирования", "none"),
    ("без дополнительного финансирования", "none"),
    ("без привлечения", "none"),
    # within the money already allocated to the body
    ("көзделген қаражат", "allocated"),
    ("бөлінген қаражат", "allocated"),
    ("қаражат шегінде", "allocated"),
    ("ағымдағы қаржыландыру шеңберінде", "allocated"),
    ("ағымдағы қаржыландыру шегінде", "allocated"),
    ("ағымдағы қызмет шеңберінде", "allocated"),
    ("в пределах", "allocated"),
    ("выделенных средств", "allocated"),
    ("предусмотренных средств", "allocated"),
    ("в рамках текущего финансирования", "allocated"),
    ("в рамках выделенных", "allocated"),
    ("в рамках текущей деятельности", "allocated"),
    ("текущего финансирования", "allocated"),
    # the republican (national) budget
    ("республикалық бюджет", "republican_budget"),
    ("республиканский бюджет", "republican_budget"),
    ("республиканского бюджета", "republican_budget"),
    # the local (regional, district) budget
    ("жергілікті бюджет", "local_budget"),
    ("облыстық бюджет", "local_budget"),
    ("аудандық бюджет", "local_budget"),
    ("местный бюджет", "local_budget"),
    ("местного бюджета", "local_budget"),
    ("областной бюджет", "local_budget"),
    ("областного бюджета", "local_budget"),
    # a budget named without its level: a regional akimat's plan is paid from the region's own
    # (local) budget; the republican one is always named as such
    ("бюджет қаражаты есебінен", "local_budget"),
    ("бюджет қаражатынан", "local_budget"),
    ("за счет бюджетных средств", "local_budget"),
    ("за счет средств бюджета", "local_budget"),
)
_PHRASES_FOLDED = tuple((" ".join(fold(phrase).split()), kind) for phrase, kind in FUNDING_PHRASES)
#: the budgets by their abbreviations, as whole words: РБ, ҚР РБ; ЖБ, МБ (местный бюджет)
_REPUBLICAN = re.compile(r"(?<!\w)(РБ|ҚР РБ)(?!\w)", re.IGNORECASE)
_LOCAL = re.compile(r"(?<!\w)(ЖБ|МБ)(?!\w)", re.IGNORECASE)
#: a source that an amount keeps as its kind
_SOURCES = ("allocated", "republican_budget", "local_budget")
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


def phrase_kind(text: str) -> str:
    """The kind the words of a funding name (FUNDING_PHRASES, then РБ/ЖБ), or "unspecified"."""
    folded = " ".join(fold(text).split())
    for phrase, kind in _PHRASES_FOLDED:
        if phrase in folded:
            return kind
    if folded.startswith(fold("көзделген")):  # "көзделген" alone: provided for
        return "allocated"
    if _REPUBLICAN.search(text):
        return "republican_budget"
    if _LOCAL.search(text):
        return "local_budget"
    return "unspecified"


def classify_funding(text: str | None) -> Funding:
    shown = clean(text)
    if not shown:
        return Funding(shown, "unspecified")
    kind = phrase_kind(shown)
    amount = _AMOUNT.search(shown)
    if amount:
        number = float(re.sub(r"[\s\u00a0]", "", amount["number"]).replace(",", "."))
        scale = _SCALE.get((amount["scale"] or "").lower(), 1)
        if number * scale <= MAX_AMOUNT_KZT:  # 400 digits read as a float are infinite: not an amount
            return Funding(shown, kind if kind in _SOURCES else "amount", round(number * scale))
    return Funding(shown, kind)
