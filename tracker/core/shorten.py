"""Shortening a text for a list or a label without cutting a word in half."""

ELLIPSIS = "…"


def shorten(text: str | None, limit: int = 120) -> str:
    """`text` in at most `limit` characters: cut at the last space before the limit, with "…"
    added only when something was cut. A single word longer than the limit (a long abbreviation,
    an address) is cut where the limit falls, since there is no space to cut at. Runs of white
    space, line breaks included, count as one space: a shortened text is one line."""
    if text is None:
        return ""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    room = max(1, limit - len(ELLIPSIS))
    cut = text[:room + 1]  # one more: a space just after the limit means the word ends there
    head = cut.rsplit(" ", 1)[0] if " " in cut else ""
    head = head.rstrip(" ,;:.-–—(") or text[:room].rstrip()
    return head + ELLIPSIS
