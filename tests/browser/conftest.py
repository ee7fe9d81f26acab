"""Fixtures of the real-browser tests: a live portal per module, one Chromium per session, a fresh
browser context per test whose console errors, failed requests and requests to other hosts fail
the test.

Chromium is Debian's (`apt-get install -y chromium`, /usr/bin/chromium) or the one TRACKER_CHROMIUM
names; without it (or without the playwright package) the whole folder is skipped.
"""

import importlib.util
from pathlib import Path

import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS, DESKTOP, Watch, sign_in, start_portal, stop_portal, use_language

HERE = Path(__file__).resolve().parent


def _playwright_installed() -> bool:
    try:
        return importlib.util.find_spec("playwright.sync_api") is not None
    except ImportError:
        return False


def _why_skipped() -> str | None:
    if not _playwright_installed():
        return "the playwright package is not installed (pip install playwright); browser tests skipped"
    if not CHROMIUM.exists():
        return (f"Chromium not found at {CHROMIUM} (set TRACKER_CHROMIUM or `apt-get install -y chromium`); "
                "browser tests skipped")
    return None


SKIP_REASON = _why_skipped()


def pytest_collection_modifyitems(config, items):
    if SKIP_REASON is None:
        return
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


WATCH = pytest.StashKey[list]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After the test body: whatever a browser context of the test saw wrong fails the test (and
    is added to the report of a test that failed anyway: a 500 often explains a timeout)."""
    try:
        result = yield
    except Exception as failure:
        problems = [p for watch in item.stash.get(WATCH, []) for p in watch.problems]
        if problems:
            failure.add_note("the browser also saw:\n  " + "\n  ".join(problems))
        raise
    for watch in item.stash.get(WATCH, []):
        watch.assert_clean()
    return result


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """The live portal for one test module: fresh database, both seed plans, the demo accounts."""
    portal = start_portal(tmp_path_factory.mktemp("portal"))
    yield portal
    stop_portal(portal)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # a loaded CI machine: an htmx swap may take a few seconds
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, portal, request):
    """new_context() → a fresh 1280×900 context (own cookies) on the portal, watched;
    new_context(viewport=PHONE, is_mobile=True) → a 390×844 phone; other options go to Playwright."""
    contexts = []

    def make(viewport=DESKTOP, **options):
        context = browser.new_context(base_url=portal.base_url, viewport=viewport, accept_downloads=True, **options)
        context.set_default_timeout(10_000)
        watch = Watch(portal.base_url)
        watch.attach(context)
        request.node.stash.setdefault(WATCH, []).append(watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture(scope="module")
def signed_in(browser, portal):
    """signed_in("coordinator", "ru") → the storage state (cookies) of that demo account signed in
    through the login form with the interface in that language; made once per module."""
    states = {}

    def state(role: str, lang: str = "kk") -> dict:
        if (role, lang) not in states:
            account = portal.accounts.get(role) or portal.executor_of(role.removeprefix("executor:"))
            # Signed in already in another language? Then the header's language link is enough.
            other = next((s for (r, _lang), s in states.items() if r == role), None)
            context = browser.new_context(base_url=portal.base_url, viewport=DESKTOP, storage_state=other)
            watch = Watch(portal.base_url)
            watch.attach(context)
            try:
                page = context.new_page()
                if other:
                    page.goto("/")
                    use_language(page, lang)
                else:
                    sign_in(page, account.email, lang)
                states[role, lang] = context.storage_state()
            finally:
                context.close()
            watch.assert_clean()
        return states[role, lang]

    return state
