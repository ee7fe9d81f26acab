"""Layout in a real browser, where a new user trips first: a body's list of due dates on a
390 px phone, the dashboard on a 1366 px laptop screen, the dashboard and the charts printed on
A4 (Chromium's own PDF, read back with pdfplumber and drawn as PNG with poppler's pdftoppm).

The screenshots, PDFs and their pages as PNG land in test-artifacts/screenshots/.
"""

import io
import re
import shutil
import subprocess
import unicodedata

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed; browser tests skipped")
pdfplumber = pytest.importorskip("pdfplumber", reason="pdfplumber is not installed (requirements.txt)")

from browsing import ARTIFACTS, PHONE, t  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

LANGS = ["kk", "ru"]
LAPTOP = {"width": 1366, "height": 768}
#: A4 less the print stylesheet's 12 mm margins, in CSS pixels (96 per inch) and in PDF points
A4_CONTENT_PX = round((210 - 2 * 12) / 25.4 * 96)
MARGIN_PT = 12 / 25.4 * 72
KARAGANDA = "karaganda-2023-2025.txt"


def artifact(name: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return str(ARTIFACTS / name)


def letters(text: str) -> str:
    """Only letters and digits: a PDF keeps the words, not the line breaks, hyphens or arrows (and
    writes "ff" as one ligature, which NFKC splits again)."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text))


def printed(page, name: str) -> "pdfplumber.PDF":
    """The page as Chromium prints it on A4 (its print stylesheet), kept with its pages as PNG."""
    data = page.pdf(format="A4", print_background=True)
    path = artifact(f"{name}.pdf")
    with open(path, "wb") as out:
        out.write(data)
    if shutil.which("pdftoppm"):  # the pages drawn, to look at (poppler-utils)
        subprocess.run(["pdftoppm", "-png", "-r", "50", path, artifact(name)], check=True, timeout=60)
    return pdfplumber.open(io.BytesIO(data))


SIDEWAYS = """() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"""

#: each table and the box around it: nothing wider than the page, nothing hidden in a scroll box
TABLE_FITS = """(selector) => {
  const table = document.querySelector(selector);
  const box = table.parentElement;
  const page = document.documentElement.clientWidth;
  return {right: table.getBoundingClientRect().right, page,
          hidden: box.scrollWidth - box.clientWidth, own: table.scrollWidth - table.clientWidth};
}"""


# --- a body's due dates on a phone -----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_a_bodys_due_dates_read_on_a_phone(new_context, signed_in, portal, lang):
    """The executor's list of what they owe: on 390 px each due date is a card and the activity's
    text reads across it (as a six-column table it had three letters' width)."""
    executor = portal.executor_of("Қостанай")
    context = new_context(storage_state=signed_in("executor:Қостанай", lang), viewport=PHONE, is_mobile=True,
                          has_touch=True)
    page = context.new_page()
    page.goto(f"/bodies/{executor.body_id}")
    table = page.locator("#body-obligations")
    texts = table.locator("tbody td.text")
    expect(texts.first).to_be_visible()
    assert texts.count() > 10
    widths = texts.evaluate_all("cells => cells.slice(0, 30).map(c => c.getBoundingClientRect().width)")
    assert min(widths) >= 250, f"the activity text is {min(widths):.0f} px wide on a {PHONE['width']} px phone"
    # Each value is said with its column's name (the header row is not shown on a phone).
    label = texts.first.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label.strip('"') == t(lang, "Activity")
    due_label = table.locator("tbody td:first-child").first.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert due_label.strip('"') == t(lang, "Due date")
    found = page.evaluate(SIDEWAYS)
    assert found["scroll"] <= found["client"] + 1, f"the body page scrolls sideways: {found}"
    texts.nth(3).scroll_into_view_if_needed()
    page.screenshot(path=artifact(f"phone-body-{lang}.png"))  # the screen, not the page: it is long


# --- the dashboard on a laptop screen --------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_dashboard_fits_a_1366_px_screen(new_context, signed_in, lang):
    page = new_context(storage_state=signed_in("auditor", lang), viewport=LAPTOP).new_page()
    page.goto("/dashboard")
    expect(page.locator("#plan-figures tbody tr").first).to_be_visible()
    page.screenshot(path=artifact(f"dashboard-1366-{lang}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    for selector in ("#plan-figures", "#overdue-by-executor"):
        fits = page.evaluate(TABLE_FITS, selector)
        assert fits["hidden"] <= 1 and fits["own"] <= 1, f"{selector} scrolls inside its box on 1366 px: {fits}"
        assert fits["right"] <= fits["page"] + 1, f"{selector} runs past the screen: {fits}"


# --- printing on A4 --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_dashboard_prints_on_a4_with_every_column(new_context, signed_in, lang):
    page = new_context(storage_state=signed_in("auditor", lang), viewport=LAPTOP).new_page()
    page.goto("/dashboard")
    expect(page.locator("#plan-figures tbody tr").first).to_be_visible()
    headers = {selector: [h for h in page.locator(f"{selector} thead th").all_inner_texts() if letters(h)]
               for selector in ("#plan-figures", "#overdue-by-executor")}
    with printed(page, f"print-dashboard-{lang}") as pdf:
        first = pdf.pages[0]
        text = letters("".join(c["text"] for c in first.chars))
        for selector, names in headers.items():
            missing = [n for n in names if letters(n) not in text]
            assert not missing, f"{selector}: headers missing from the first printed page: {missing}"
        right = max(c["x1"] for c in first.chars)
        assert right <= first.width - MARGIN_PT + 1, f"text runs to {right:.0f} pt of the page's {first.width:.0f}"
    # The same layout, measured: with the print stylesheet on an A4 page's width, no table is wider
    # than the page or hidden in a scroll box (a column clipped there would still be in the PDF).
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_CONTENT_PX, "height": 1000})
    for selector in headers:
        fits = page.evaluate(TABLE_FITS, selector)
        assert fits["hidden"] <= 1 and fits["own"] <= 1 and fits["right"] <= fits["page"] + 1, (selector, fits)


@pytest.mark.parametrize("lang", LANGS)
def test_the_charts_print_their_first_chart_on_the_first_page(new_context, signed_in, portal, lang):
    page = new_context(storage_state=signed_in("auditor", lang), viewport=LAPTOP).new_page()
    page.goto(f"/plans/{portal.plans[KARAGANDA]}/charts")
    expect(page.locator("#chart-per-body svg")).to_be_visible()
    # the label as drawn (its <title>, the full name on hover, is not printed)
    first_bar = page.locator("#chart-per-body svg text").first.evaluate(
        "label => [...label.childNodes].filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join('')")
    with printed(page, f"print-charts-{lang}") as pdf:
        first = letters("".join(c["text"] for c in pdf.pages[0].chars))
        assert letters(t(lang, "Responsibility charts")) in first
        assert letters(t(lang, "Activities per body")) in first, "the first page holds no chart"
        # the chart itself, not only its heading: its first bar's label and its legend
        assert letters(first_bar) in first and letters(t(lang, "co-executor")) in first
        assert len(pdf.pages) < 12
