"""The report form in a real browser (htmx swaps the form in place): a form refused for a missing
confirmation comes back with the PDF it was sent with listed as already attached, and the next
send stores the report with that very file — nobody attaches it twice."""

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed; browser tests skipped")

from browsing import ARTIFACTS, TODAY, t, tiny_pdf  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from sqlalchemy import select  # noqa: E402

LANGS = ["kk", "ru"]


def allow(request, status: int, path: str) -> None:
    """Declare an answer the test provokes on purpose to the page watch of tests/browser/conftest.py."""
    conftest = request.config.pluginmanager.get_plugin(str(Path(__file__).with_name("conftest.py")))
    for watch in request.node.stash[conftest.WATCH]:
        watch.allow(status, path)


@pytest.fixture(scope="module")
def due_dates(portal):
    """Overdue due dates the Karaganda demo executor's body leads, one per test."""
    from tracker.extensions import db
    from tracker.plans.models import Activity, ActivityExecutor, Obligation

    executor = portal.executor_of("Қарағанды")
    with portal.app.app_context():
        found = db.session.scalars(
            select(Obligation.id).join(Activity).join(ActivityExecutor)
            .where(ActivityExecutor.role == "lead", ActivityExecutor.body_id == executor.body_id,
                   Obligation.due_date < TODAY).order_by(Obligation.due_date, Obligation.id).limit(len(LANGS))).all()
        db.session.remove()
    assert len(found) == len(LANGS)
    return executor, dict(zip(LANGS, found, strict=True))


@pytest.mark.parametrize("lang", LANGS)
def test_a_refused_report_keeps_its_file_for_the_next_send(new_context, signed_in, due_dates, tmp_path, request, lang):
    executor, obligations = due_dates
    evidence = tmp_path / f"акт-{lang}.pdf"
    evidence.write_bytes(tiny_pdf(f"Act {lang}"))
    page = new_context(storage_state=signed_in("executor:Қарағанды", lang)).new_page()
    allow(request, 422, r"^/obligations/\d+/reports$")  # the refusal this test asks for
    page.goto(f"/obligations/{obligations[lang]}")
    page.get_by_label(t(lang, "What was done")).fill(f"Семинар өткізілді ({lang}).")
    page.get_by_label(t(lang, "Evidence files (PDF, Word, Excel, JPEG, PNG)")).set_input_files(evidence)
    page.get_by_role("button", name=t(lang, "Submit report")).click()  # the confirmation is not ticked

    expect(page.get_by_role("alert").first).to_contain_text(t(lang, "Confirm that the report names no minor and carries no IIN."))
    kept = page.locator("#staged-files")
    expect(kept).to_contain_text(evidence.name)
    expect(page.get_by_label(t(lang, "What was done"))).to_have_value(f"Семинар өткізілді ({lang}).")
    expect(page.get_by_label(t(lang, "Evidence files (PDF, Word, Excel, JPEG, PNG)"))).to_have_value("")
    kept.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"report-form-kept-file-{lang}.png"))

    page.get_by_label(t(lang, "The report and its files name no minor and carry no IIN")).check()
    page.get_by_role("button", name=t(lang, "Submit report")).click()
    expect(page.get_by_role("heading", level=1).locator(".status")).to_have_text(t(lang, "submitted"))
    report = page.locator("article.report-lead").first
    link = report.get_by_role("link", name=evidence.name)
    expect(link).to_have_count(1)
    with page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == evidence.read_bytes()
    assert re.search(r"/evidence/\d+$", link.get_attribute("href"))
