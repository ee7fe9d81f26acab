"""Helpers of the browser tests: the live portal, signing in, screenshots, the page watch.

The portal is the real application (`tracker.create_app`) with CSRF on, on a fresh database
built by the real migrations and loaded as `make run` loads it (`flask plans import-folder`,
then `flask users demo`), served by werkzeug on 127.0.0.1 in a daemon thread.
"""

import logging
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from babel.support import Translations

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("TRACKER_CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
TODAY = date(2026, 11, 23)
DEMO_PASSWORD = "demo-pass-2026"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


# --- the interface's words, from the catalogs the portal uses --------------------------------

_catalogs: dict[str, Translations] = {}
_messages: dict[str, set] = {}


def t(lang: str, message: str, **values) -> str:
    """`message` as the portal shows it in `lang` (the compiled catalog it renders with). A message
    the catalog does not list is an error here, so that a check can never pass by comparing
    English with English."""
    if lang not in _catalogs:
        from babel.messages.pofile import read_po

        _catalogs[lang] = Translations.load(str(ROOT / "translations"), [lang])
        with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
            _messages[lang] = {m.id for m in read_po(po) if m.id}
    assert message in _messages[lang], f"«{message}» is not a message of the portal's {lang} catalog"
    text = _catalogs[lang].gettext(message)
    return text % values if values else text


# --- the live portal -----------------------------------------------------------------------------


@dataclass
class Account:
    email: str
    role: str
    body_id: int | None = None
    body_name: str | None = None
    abbreviation: str | None = None
    region: str | None = None
    body_name_ru: str | None = None

    def body_name_in(self, lang: str) -> str | None:
        """The body's name as a page in `lang` shows it (Russian where the registry gives one)."""
        return self.body_name_ru if lang == "ru" and self.body_name_ru else self.body_name


@dataclass
class Portal:
    app: object
    base_url: str
    accounts: dict[str, Account]
    executors: list[Account]
    plans: dict[str, int]  # source file name → plan id
    _server: object = None
    _thread: threading.Thread | None = None
    _log_level: int = logging.NOTSET

    def url(self, path: str) -> str:
        return self.base_url + path

    def executor_of(self, region_word: str) -> Account:
        """The first demo executor whose body belongs to the region (e.g. "Қостанай")."""
        return next(a for a in self.executors if region_word in (a.region or ""))


def database_url(tmp: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp / 'portal.sqlite'}"


def start_portal(tmp: Path) -> Portal:
    """Build the app on a fresh database, load it as `make run` does and serve it."""
    import flask_migrate
    from sqlalchemy import select, text
    from werkzeug.serving import make_server

    from tracker.app import create_app
    from tracker.auth.models import User
    from tracker.extensions import db
    from tracker.plans.models import Plan

    url = database_url(tmp)
    app = create_app({
        "TESTING": True, "SECRET_KEY": "browser-tests", "SQLALCHEMY_DATABASE_URI": url,
        "PLANS_DIR": str(ROOT / "plans"), "EVIDENCE_DIR": str(tmp / "evidence"), "IMPORTS_DIR": str(tmp / "imports"),
        "TODAY": TODAY.isoformat(), "PORTAL_URL": "http://127.0.0.1/",
    })
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        db.session.remove()
    runner = app.test_cli_runner()
    for args in (["plans", "import-folder"], ["users", "demo"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, f"flask {' '.join(args)} failed:\n{result.output}"
    with app.app_context():
        accounts, executors = {}, []
        for user in db.session.scalars(select(User).where(User.is_demo).order_by(User.id)):
            body = user.body
            account = Account(user.email, user.role, user.body_id, body.name if body else None,
                              body.abbreviation if body else None, body.region if body else None,
                              body.name_ru if body else None)
            if user.role == "executor":
                executors.append(account)
            else:
                accounts[user.role] = account
        plans = {p.source_filename: p.id for p in db.session.scalars(select(Plan))}
        db.session.remove()
    assert {"admin", "coordinator", "auditor"} <= accounts.keys() and len(executors) == 4, (accounts, executors)

    werkzeug_log = logging.getLogger("werkzeug")
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)  # one line per request would bury a failure's output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-portal", daemon=True)
    thread.start()
    return Portal(app=app, base_url=f"http://127.0.0.1:{server.server_port}", accounts=accounts,
                  executors=executors, plans=plans, _server=server, _thread=thread, _log_level=level)


def stop_portal(portal: Portal) -> None:
    from tracker.extensions import db

    portal._server.shutdown()
    portal._server.server_close()
    portal._thread.join(timeout=10)
    logging.getLogger("werkzeug").setLevel(portal._log_level)
    with portal.app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- what a page did wrong: console errors, failed requests, requests leaving the machine -------


@dataclass
class Watch:
    """Collects, for one browser context, every console error, uncaught script error, failed
    request, 4xx/5xx answer and request to another host. `allow(status, path)` declares an
    answer the test provokes on purpose."""

    origin: str
    problems: list[str] = field(default_factory=list)
    allowed: list[tuple[int, re.Pattern]] = field(default_factory=list)

    def allow(self, status: int, path_pattern: str) -> None:
        self.allowed.append((status, re.compile(path_pattern)))

    def _is_allowed(self, status: int, url: str) -> bool:
        path = urlsplit(url).path
        return any(status == s and p.search(path) for s, p in self.allowed)

    def attach(self, context) -> None:
        context.on("console", self._on_console)
        context.on("weberror", lambda error: self.problems.append(f"uncaught script error: {error.error}"))
        context.on("requestfailed", self._on_failed)
        context.on("response", self._on_response)
        context.on("request", self._on_request)

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        # Chromium logs every 4xx/5xx answer as a console error; those are judged by _on_response.
        if message.text.startswith("Failed to load resource: the server responded with a status of"):
            return
        self.problems.append(f"console error on {message.page.url if message.page else '?'}: {message.text}")

    def _local(self, url: str) -> bool:
        return url.startswith(self.origin + "/") or url == self.origin or url.startswith(("data:", "blob:", "about:"))

    def _on_request(self, request) -> None:
        if not self._local(request.url):
            self.problems.append(f"request to another host (the portal must need no internet): {request.url}")

    def _on_failed(self, request) -> None:
        if self._local(request.url) and request.failure not in ("net::ERR_ABORTED",):
            self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def _on_response(self, response) -> None:
        if response.status >= 400 and not self._is_allowed(response.status, response.url):
            self.problems.append(f"{response.status} for {response.request.method} {response.url}")

    def assert_clean(self) -> None:
        assert not self.problems, "the browser saw problems:\n  " + "\n  ".join(self.problems)


# --- signing in, screenshots ------------------------------------------------------------------


LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def use_language(page, lang: str) -> None:
    """Switch the page to `lang` with the header's language link (if it is not in it already)."""
    from playwright.sync_api import expect

    html = page.locator("html")
    if html.get_attribute("lang") != lang:
        page.locator("header nav.langs").get_by_role("link", name=LANGUAGE_NAMES[lang], exact=True).click()
    expect(html).to_have_attribute("lang", lang)


def sign_in(page, email: str, lang: str = "kk", password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form, the interface in `lang` (chosen with the header's links)."""
    from playwright.sync_api import expect

    # The language is chosen explicitly, even the default one: the session then says so, and a
    # language the account remembers from another test cannot take over a page meant to be in kk.
    page.goto(f"/login?lang={lang}")
    use_language(page, lang)
    page.get_by_label(t(lang, "E-mail")).fill(email)
    page.get_by_label(t(lang, "Password"), exact=True).fill(password)
    page.get_by_role("button", name=t(lang, "Sign in")).click()
    expect(page).not_to_have_url(re.compile(r"/login\b"))
    use_language(page, lang)  # an account may remember another language
    expect(page.get_by_role("button", name=t(lang, "Sign out"))).to_be_visible()


def sign_out(page, lang: str = "kk") -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name=t(lang, "Sign out")).click()
    expect(page.get_by_role("button", name=t(lang, "Sign in"))).to_be_visible()


def shot(page, name: str) -> Path:
    """A full-page PNG under test-artifacts/screenshots/ (the database kind in the name on PostgreSQL)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    suffix = "-pg" if (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql") else ""
    path = ARTIFACTS / f"{name}{suffix}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000, f"screenshot {path} is empty"
    return path


# --- evidence: the same small, valid PDF the other tests post ----------------------------------

from tests.evidence_files import tiny_pdf  # noqa: E402,F401  (re-exported for the journeys)
