"""Accessibility in a real browser: axe-core on the main pages in Kazakh and Russian, every form
control labelled, the portal used by keyboard alone with a visible focus, and no sideways scroll
of the whole page on a phone.

axe-core 4.14.1 is vendored (tests/vendor/axe-core/); it runs inside the page, offline.
A "serious" or "critical" violation fails the test — no rule is switched off here.
"""

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed; browser tests skipped")

from browsing import AXE, ROOT, TODAY, shot, t, use_language  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from sqlalchemy import select  # noqa: E402

LANGS = ["kk", "ru"]
KOSTANAY = "kostanay-2019-2021.txt"
KARAGANDA = "karaganda-2023-2025.txt"


@pytest.fixture(scope="module")
def targets(portal):
    """The addresses of the main pages on this portal, and who opens each."""
    from tracker.extensions import db
    from tracker.plans import operations
    from tracker.plans.models import Activity, ActivityExecutor, Obligation

    karaganda, kostanay = portal.plans[KARAGANDA], portal.plans[KOSTANAY]
    executor = portal.executor_of("Қостанай")
    with portal.app.app_context():
        # Karaganda 50: the executor the document lost, so the coordinator's correction forms are open.
        activity_50 = db.session.scalar(select(Activity.id).where(Activity.plan_id == karaganda, Activity.number == "50"))
        # A due date the Kostanay demo executor leads: the page shows the report form.
        obligation = db.session.scalar(
            select(Obligation.id).join(Activity).join(ActivityExecutor)
            .where(Activity.plan_id == kostanay, ActivityExecutor.role == "lead",
                   ActivityExecutor.body_id == executor.body_id, Obligation.due_date < TODAY)
            .order_by(Activity.position, Obligation.due_date).limit(1))
        with portal.app.test_request_context():
            token, _parsed = operations.stage_upload(KARAGANDA, (ROOT / "plans" / KARAGANDA).read_bytes())
        db.session.remove()
    assert activity_50 and obligation
    return {
        "login": (None, "/login"),
        "plans": ("coordinator", "/"),
        "plan": ("coordinator", f"/plans/{karaganda}"),
        "activity": ("coordinator", f"/activities/{activity_50}"),
        "obligation": ("executor:Қостанай", f"/obligations/{obligation}"),
        "dashboard": ("auditor", "/dashboard"),
        "body": ("auditor", f"/bodies/{executor.body_id}"),
        "charts": ("auditor", f"/plans/{karaganda}/charts"),
        "import": ("coordinator", "/import"),
        "preview": ("coordinator", f"/import/{token}"),
        "accounts": ("admin", "/admin/users"),
    }


PAGES = ["login", "plans", "plan", "activity", "obligation", "dashboard", "body", "charts", "import", "preview",
         "accounts"]
#: pages the journeys do not photograph
PHOTOGRAPHED_HERE = {"login", "plans", "charts", "import", "accounts"}


def open_page(new_context, signed_in, targets, name: str, lang: str, **options):
    role, path = targets[name]
    if role is None:
        page = new_context(**options).new_page()
        page.goto(path)
        use_language(page, lang)
    else:
        page = new_context(storage_state=signed_in(role, lang), **options).new_page()
        page.goto(path)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


# --- axe-core ---------------------------------------------------------------------------------------

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")), count: v.nodes.length,
    summary: v.nodes.length ? v.nodes[0].failureSummary : ""}));
}"""


def axe_violations(page) -> list[dict]:
    """Run axe-core in the page. The portal's Content-Security-Policy allows scripts from its own
    origin only (no inline script), so axe is served as if it were one of its files — the test
    fulfils that one request from tests/vendor — and the policy stays on while axe looks."""
    origin = re.match(r"https?://[^/]+", page.url).group(0)
    address = f"{origin}/__tests__/axe.min.js"
    page.route(address, lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))
    page.add_script_tag(url=address)
    return page.evaluate(RUN_AXE)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_violation(new_context, signed_in, targets, name, lang):
    page = open_page(new_context, signed_in, targets, name, lang)
    if name in PHOTOGRAPHED_HERE:
        shot(page, f"{name}-{lang}")
    violations = axe_violations(page)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"axe-core on the {name} page ({lang}, {targets[name][1]}):\n" + "\n".join(
        f"  [{v['impact']}] {v['id']}: {v['help']} — {v['count']} element(s), e.g. {'; '.join(v['targets'][:3])}\n"
        f"      {v['summary'].splitlines()[-1].strip() if v['summary'] else ''}  ({v['helpUrl']})"
        for v in serious)


# --- every form control has a name ------------------------------------------------------------------

UNLABELLED = """() => {
  const text = node => {
    const copy = node.cloneNode(true);
    copy.querySelectorAll("input, select, textarea, button").forEach(c => c.remove());
    return copy.textContent.trim();
  };
  const problems = [];
  for (const el of document.querySelectorAll("input, select, textarea")) {
    const type = (el.getAttribute("type") || "").toLowerCase();
    if (el.tagName === "INPUT" && ["hidden", "submit", "button", "reset", "image"].includes(type)) continue;
    const byLabel = [...el.labels].some(label => text(label));
    const byAria = (el.getAttribute("aria-label") || "").trim() !== "";
    const byIds = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean)
      .some(id => document.getElementById(id) && document.getElementById(id).textContent.trim());
    if (!(byLabel || byAria || byIds)) {
      problems.push(el.outerHTML.slice(0, 160));
    }
  }
  return problems;
}"""


@pytest.mark.parametrize("name", PAGES)
def test_every_form_control_is_labelled(new_context, signed_in, targets, name):
    # The markup is the same in every language (axe above runs in both); Kazakh is the default.
    page = open_page(new_context, signed_in, targets, name, "kk")
    controls = page.locator("input:not([type=hidden]):not([type=submit]), select, textarea")
    if name in ("login", "plan", "activity", "obligation", "dashboard", "import"):
        assert controls.count() > 0, f"the {name} page is expected to have a form"
    problems = page.evaluate(UNLABELLED)
    assert not problems, f"controls without an accessible name on the {name} page:\n  " + "\n  ".join(problems)


# --- the keyboard alone ---------------------------------------------------------------------------

FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute("name"), href: el.getAttribute("href"),
          text: (el.innerText || el.value || "").trim().slice(0, 60),
          outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 ? style.outlineStyle : "none",
          shadow: style.boxShadow};
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUS)


def assert_focus_visible(state: dict | None, what: str) -> None:
    assert state is not None, f"nothing has the focus at {what}"
    assert state["outline"] != "none" or state["shadow"] not in ("none", ""), (
        f"the focus on {what} is invisible (no outline, no box-shadow): {state}")


def tab_to(page, matches, what: str, limit: int = 60) -> dict:
    """Press Tab until the focused element satisfies `matches`; assert its focus is visible."""
    state = focused(page)
    for _ in range(limit):
        if state is not None and matches(state):
            assert_focus_visible(state, what)
            return state
        page.keyboard.press("Tab")
        state = focused(page)
    raise AssertionError(f"{what} was not reached with {limit} presses of Tab (last focus: {state})")


def test_sign_in_and_filter_the_dashboard_with_the_keyboard_alone(new_context, portal):
    page = new_context().new_page()
    page.goto("/login")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("kk", "Sign in"))

    tab_to(page, lambda f: f["id"] == "email", "the e-mail field")
    page.keyboard.type(portal.accounts["auditor"].email)
    page.keyboard.press("Tab")
    assert_focus_visible(focused(page), "the password field")
    assert focused(page)["id"] == "password"
    page.keyboard.type("demo-pass-2026")
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login\b"))
    lang = page.locator("html").get_attribute("lang")  # the account may remember another language
    expect(page.get_by_role("button", name=t(lang, "Sign out"))).to_be_visible()

    # The dashboard through the navigation: Tab to the link, Enter.
    tab_to(page, lambda f: f["tag"] == "a" and f["href"] == "/dashboard", "the Dashboard link")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Dashboard"))
    overdue_before = page.locator("#plan-figures tfoot [data-total-status='overdue']").inner_text()

    # The status filter: Tab to it, choose with the arrow keys; htmx updates the results and the address.
    tab_to(page, lambda f: f["tag"] == "select" and f["name"] == "status", "the Status filter")
    page.keyboard.press("ArrowDown")  # "all" → the first status
    first_status = "upcoming"
    expect(page).to_have_url(re.compile(rf"[?&]status={first_status}(&|$)"))
    status_select = page.locator("select[name=status]")
    expect(status_select).to_have_value(first_status)
    expect(page.locator("#plan-figures tfoot [data-total-status='overdue']")).to_have_text("0")
    assert overdue_before != "0"
    # The swap keeps the keyboard user where they were: the Status filter still has the focus.
    state = focused(page)
    assert state is not None and state["name"] == "status", (
        f"after the dashboard updated, the focus is lost (on {state}); a keyboard user must Tab back from the top")
    page.keyboard.press("ArrowDown")
    expect(page).to_have_url(re.compile(r"[?&]status=due_soon(&|$)"))
    expect(status_select).to_have_value("due_soon")


def test_typing_in_the_plan_filter_keeps_the_focus_and_the_words(new_context, signed_in, targets):
    """The plan table filters as one types (htmx, 400 ms after the last key): the field being typed
    in must survive the update, or the next keys go nowhere."""
    from urllib.parse import quote

    page = open_page(new_context, signed_in, targets, "plan", "kk")
    rows = page.locator("#plan-rows tr[id^='a-']")
    total = rows.count()
    search = page.get_by_role("searchbox")
    search.focus()
    page.keyboard.type("рейд")
    expect(page).to_have_url(re.compile(rf"[?&]q={re.escape(quote('рейд'))}(&|$)"))
    expect(rows).not_to_have_count(total)
    expect(page.locator("#a-50")).to_be_visible()  # Karaganda 50: «Қамқор» … рейдтерін өткізу
    state = focused(page)
    assert state is not None and state["name"] == "q", (
        f"after the plan table updated, the focus left the words field (now on {state}): the next keys are lost")
    assert_focus_visible(state, "the words field")
    page.keyboard.type("тер")
    expect(page).to_have_url(re.compile(rf"[?&]q={re.escape(quote('рейдтер'))}(&|$)"))
    expect(page.get_by_role("searchbox")).to_have_value("рейдтер")


# --- a phone ---------------------------------------------------------------------------------------

SIDEWAYS = """() => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll("body *")].filter(el => el.getBoundingClientRect().right > root.clientWidth + 1)
    .filter(el => !el.parentElement || el.parentElement.getBoundingClientRect().right <= root.clientWidth + 1)
    .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "") +
      " (right edge " + Math.round(el.getBoundingClientRect().right) + "px)");
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide};
}"""


@pytest.mark.parametrize("name", ["plan", "obligation"])
def test_a_phone_needs_no_sideways_scrolling(new_context, signed_in, targets, name):
    from browsing import PHONE

    page = open_page(new_context, signed_in, targets, name, "kk", viewport=PHONE, is_mobile=True, has_touch=True)
    shot(page, f"phone-{name}")
    found = page.evaluate(SIDEWAYS)
    assert found["scrollWidth"] <= found["clientWidth"] + 1, (
        f"the {name} page scrolls sideways on a {PHONE['width']}px phone: the document is {found['scrollWidth']}px "
        f"wide; widest elements: {found['wide']}")
