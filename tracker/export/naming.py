"""The names downloads are saved under: what they hold, readable, and safe on every system.

A workbook of Kostanay's overdue due dates as of 23 November 2026 is saved as
`tracker-qostanai-oblysy-overdue-2026-11-23.xlsx`, its Obligations CSV as
`tracker-obligations-qostanai-oblysy-overdue-2026-11-23.csv`. The header carries two names:
`filename`, in ASCII (the region transliterated), for any browser, and `filename*` (RFC 6266 /
RFC 5987) with the region as written, «tracker-Қостанай-облысы-overdue-2026-11-23.xlsx», which
browsers prefer when they understand it. Flask's own fallback (`send_file(download_name=…)`)
drops every Cyrillic letter, which would leave "tracker--overdue-…".
"""

import re
import unicodedata
from datetime import date
from urllib.parse import quote

from tracker.dashboard.queries import Filters

#: Kazakh and Russian Cyrillic in Latin letters, for the ASCII name only (a file name, not a
#: transliteration standard)
_LATIN = str.maketrans({
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o",
    "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "kh",
    "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e",
    "ю": "yu", "я": "ya",
})

#: how much of a region's name goes into a file name
_MAX_PART = 60


def _ascii(text: str) -> str:
    latin = unicodedata.normalize("NFKD", text.lower().translate(_LATIN)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", latin).strip("-")[:_MAX_PART].strip("-")


def _unicode(text: str) -> str:
    # letters of any script stay; what a file system or a header could trip on does not
    return re.sub(r"[^\w.]+", "-", text).strip("-.")[:_MAX_PART].strip("-.")


def _parts(filters: Filters, spell) -> list[str]:
    parts = []
    if filters.region and (region := spell(filters.region)):
        parts.append(region)
    if filters.plan_id:
        parts.append(f"plan-{filters.plan_id}")
    if filters.section_id:
        parts.append(f"section-{filters.section_id}")
    if filters.body_id:
        parts.append(f"body-{filters.body_id}")
    if filters.status:
        parts.append(str(filters.status).replace("_", "-"))
    if filters.due_from:
        parts.append(f"due-from-{filters.due_from.isoformat()}")
    if filters.due_to:
        parts.append(f"due-to-{filters.due_to.isoformat()}")
    return parts


def download_names(as_of: date, filters: Filters, table: str | None = None) -> tuple[str, str]:
    """(ASCII name, Unicode name) of the workbook (table None) or of one table's CSV."""
    head = ["tracker"] + ([table.replace("_", "-")] if table else [])
    suffix = ".csv" if table else ".xlsx"
    ascii_name = "-".join([*head, *_parts(filters, _ascii), as_of.isoformat()]) + suffix
    unicode_name = "-".join([*head, *_parts(filters, _unicode), as_of.isoformat()]) + suffix
    return ascii_name, unicode_name


def content_disposition(as_of: date, filters: Filters, table: str | None = None) -> str:
    """The Content-Disposition header of a download: `attachment`, with both names."""
    ascii_name, unicode_name = download_names(as_of, filters, table)
    value = f'attachment; filename="{ascii_name}"'
    if unicode_name != ascii_name:
        value += "; filename*=UTF-8''" + quote(unicode_name, safe="!#$&+-.^_`|~")
    return value
