"""Addresses inside the portal: where a redirect may go, and this page in another language."""

from urllib.parse import urlencode, urlsplit

from flask import request


def is_local_path(target: str | None) -> bool:
    """A path inside the portal. Checked as the URL parser reads it, because the parser (and the
    browser) drop tabs and line breaks: "/<tab>/evil.example" arrives as "//evil.example"."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):  # browsers read "/\\evil" as "//evil"
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and parts.path.startswith("/") and not parts.path.startswith("//")


def url_with_language(code: str) -> str:
    """This page again in another language, its filters kept (the header's language switch)."""
    path = request.path
    if request.method != "GET":
        # The answer to a POST (a form sent back with an error): switch on the page the form came
        # from, since the POST address itself cannot be opened.
        referrer = urlsplit(request.referrer or "")
        same_host = referrer.netloc in ("", request.host)
        return f"{referrer.path}?lang={code}" if same_host and is_local_path(referrer.path) else f"/?lang={code}"
    query = [(key, value) for key, values in request.args.lists() if key != "lang" for value in values]
    return f"{path}?{urlencode([*query, ('lang', code)])}"
