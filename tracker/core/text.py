"""Text helpers shared by the import engine and the registry.

Plans are typed by hand in Kazakh and Russian, so the same body shows up with
Kazakh letters or their Russian look-alikes, in any case, with stray spaces and
punctuation. Everything that compares names goes through `norm`.
"""

import functools
import re
import unicodedata

# Kazakh letters folded to the Russian letters people type instead of them.
_FOLD = str.maketrans(
    {
        "қ": "к", "ұ": "у", "ү": "у", "ә": "а", "ө": "о", "і": "и",
        "ғ": "г", "ң": "н", "һ": "х", "ё": "е", "i": "и",
        # Latin look-alikes that slip into Cyrillic text from PDFs.
        "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у", "k": "к",
    }
)
_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACE = re.compile(r"\s+")


# The plan reader cleans each cell again at every step that looks at it (a 20 MB plan: 1.8 million
# calls for 22,000 distinct texts, mostly in a row): a small cache halves the parse of such a plan.
@functools.lru_cache(maxsize=1024)
def clean(text: str | None) -> str:
    """Collapse runs of white space (including non-breaking) to one space."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ")
    return _SPACE.sub(" ", text).strip()


def clean_lines(text: str | None) -> str:
    """Like `clean`, but keeps line breaks (one per non-empty line)."""
    if not text:
        return ""
    lines = (clean(line) for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def fold(text: str) -> str:
    """Lower-case and fold Kazakh letters to their Russian look-alikes."""
    return unicodedata.normalize("NFC", text).lower().translate(_FOLD)


def norm(text: str | None) -> str:
    """The comparison key of a name: folded, no punctuation, single spaces."""
    if not text:
        return ""
    return _SPACE.sub(" ", _PUNCT.sub(" ", fold(text))).strip()


def looks_like_abbreviation(text: str) -> bool:
    """ББ, ДШжСБ, ҚР БІ ҚСЖАЕК ҚОД, ББД ОӘО: every word mostly capitals, short."""
    words = text.split()
    if not words or len(text) > 30:
        return False
    for word in words:
        letters = [c for c in word if c.isalpha()]
        if not letters:
            return False
        upper = sum(1 for c in letters if c.isupper())
        if upper < 2 and not (len(letters) <= 2 and upper >= 1):
            return False
        if upper / len(letters) < 0.6:
            return False
    return True
