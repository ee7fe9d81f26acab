"""The portal's journeys in a real browser, in Kazakh (the default) and in Russian.

a. A coordinator uploads a plan, reviews the preview and its warnings, imports it and assigns the
   executor the document lost (Karaganda 50's "(келісім бойынша)") to a body.
b. An executor finds an overdue due date, reports with a PDF; the coordinator returns the report
   with a comment; the executor corrects it; the coordinator accepts → "done late".
c. An auditor filters the dashboard (htmx, the address follows) and exports what they see.

Every page is checked by what it says (the catalogs' words), not by colour; the browser context
fails the test on a console error, a failed request or a request leaving the machine.
"""

import dataclasses
import re
from datetime import datetime
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed; browser tests skipped")

import openpyxl  # noqa: E402
from browsing import ROOT, shot, sign_in, t, tiny_pdf, use_language  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from tracker.plans.engine import parse_plan_file  # noqa: E402

KARAGANDA = ROOT / "plans" / "karaganda-2023-2025.txt"
KOSTANAY = ROOT / "plans" / "kostanay-2019-2021.txt"
UNNAMED = "(келісім бойынша)"
LANGS = ["kk", "ru"]


def labelled(page, lang: str, label: str):
    """The control whose label starts with the word (a wrapping label also names the chosen option)."""
    return page.get_by_label(re.compile(rf"^{re.escape(t(lang, label))}(\s|$)"))


def nav_link(page, lang: str, name: str):
    return page.get_by_role("navigation", name=t(lang, "Sections")).get_by_role("link", name=t(lang, name), exact=True)


# --- a. upload → preview with warnings → import → assign the lost executor ---------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_coordinator_imports_a_plan_and_assigns_the_lost_executor(page, portal, tmp_path, lang):
    from plan_documents import plan_document, write_docx

    # The Karaganda roadmap as the .docx an akimat sends, under a new title: a plan the portal
    # does not have yet (the seed Karaganda plan is already imported on this portal).
    seed = parse_plan_file(KARAGANDA)
    title = f"{seed.title} (2026 жылғы редакция, {lang})"
    document = write_docx(dataclasses.replace(plan_document(seed), title=title), tmp_path / "karaganda-roadmap.docx")
    expected = parse_plan_file(document)
    assert expected.title == title
    activity_warnings = [w for w in expected.warnings if w.activity]
    assert any(w.activity == "50" and UNNAMED in str(w.message) for w in activity_warnings)
    due_dates = sum(len(a.deadline.due_dates) for a in expected.activities)

    sign_in(page, portal.accounts["coordinator"].email, lang)
    nav_link(page, lang, "Import a plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Import a plan"))
    page.get_by_label(t(lang, "Plan document: Word (.docx, .doc, .rtf, .odt), Excel (.xlsx, .xls, .ods), PDF, .csv, .txt")).set_input_files(document)
    page.get_by_role("button", name=t(lang, "Read and preview")).click()

    # The preview: nothing stored yet; the plan's figures, its warnings beside their rows.
    expect(page).to_have_url(re.compile(r"/import/[0-9a-f]{32}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{t(lang, 'Preview')}: {title}")
    meta = page.locator("main p.meta").first
    expect(meta).to_contain_text("karaganda-roadmap.docx")
    expect(meta).to_contain_text(t(lang, "%(n)s activities", n=len(expected.activities)))
    expect(meta).to_contain_text(t(lang, "%(n)s warnings", n=len(expected.warnings)))
    expect(page.locator("main .flash")).to_have_count(0)  # not "This plan is already in the portal"
    expect(page.get_by_role("note")).to_have_count(len(activity_warnings))
    row_50 = page.locator("table.plan tbody tr").filter(has=page.get_by_role("cell", name=re.compile(r"^50\b")))
    expect(row_50).to_have_class(re.compile(r"\bhas-warning\b"))
    expect(row_50.get_by_role("note")).to_contain_text(UNNAMED)
    lost = row_50.locator("li.unresolved")
    expect(lost).to_have_count(1)
    expect(lost).to_contain_text(UNNAMED)
    expect(lost).to_contain_text(t(lang, "unresolved"))
    if lang == "kk":  # the long pages once: a full-page PNG of them costs a second or two
        shot(page, f"preview-{lang}")

    page.get_by_role("button", name=t(lang, "Import this plan")).click()

    # The plan page: every activity, the warning still open beside 50.
    expect(page).to_have_url(re.compile(r"/plans/\d+$"))
    plan_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("status")).to_have_text(t(
        lang, "Plan imported: %(a)s activities, %(o)s due dates, %(w)s warnings.", a=len(expected.activities),
        o=due_dates, w=len(expected.warnings)))
    expect(page.locator("#plan-rows tr[id^='a-']")).to_have_count(len(expected.activities))
    row = page.locator("#a-50")
    expect(row).to_have_class(re.compile(r"\bhas-warning\b"))
    expect(row.get_by_role("note")).to_contain_text(UNNAMED)
    expect(row.locator("li.unresolved")).to_contain_text(UNNAMED)
    if lang == "kk":
        shot(page, f"plan-imported-{lang}")

    # The activity page offers the correction: assign «(келісім бойынша)» to the police department.
    row.get_by_role("link", name="50", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(t(lang, "Activity %(number)s", number="50"))
    warnings = page.locator("section.warnings")
    expect(warnings).to_contain_text(UNNAMED)
    form = page.locator("form.assign").filter(has_text=f"«{UNNAMED}»")
    select = form.get_by_label(t(lang, "Body"))
    police = next(label for label in select.locator("option").all_inner_texts() if label.strip().endswith("(ПД)"))
    police_value = select.locator("option", has_text=police).get_attribute("value")
    select.select_option(label=police)
    form.get_by_role("button", name=t(lang, "Assign")).click()

    expect(page.get_by_role("status")).to_contain_text(f"«{UNNAMED}»")
    expect(page.get_by_role("status")).to_contain_text(police)
    executors = page.locator("dl.facts ul.executors")
    lead = executors.locator("li.lead")
    expect(lead.get_by_role("link")).to_have_attribute("href", f"/bodies/{police_value}")
    expect(lead.get_by_role("link")).to_have_text(police.removesuffix(" (ПД)"))
    expect(lead).to_contain_text(UNNAMED)  # the wording of the document stays beside the name
    expect(executors.locator("li.unresolved")).to_have_count(0)
    expect(page.locator("section.warnings", has_text=UNNAMED)).to_have_count(0)
    history = page.locator("#history li[data-action='executor.assigned']")
    expect(history).to_have_count(1)
    expect(history).to_contain_text(t(lang, "executor assigned to a body"))
    expect(history).to_contain_text(f"«{UNNAMED}»")
    expect(history.get_by_role("insertion")).to_have_text(police)  # the body: — → the police department
    shot(page, f"activity-assigned-{lang}")

    # Back on the plan page the row has the police department and no open warning.
    page.get_by_role("link", name=f"← {title}").click()
    expect(page).to_have_url(re.compile(re.escape(plan_url) + r"(#a-50)?$"))
    row = page.locator("#a-50")
    expect(row).not_to_have_class(re.compile(r"\bhas-warning\b"))
    expect(row.get_by_role("note")).to_have_count(0)
    expect(row.locator("li.unresolved")).to_have_count(0)
    expect(row.locator(f"a.body-link[href='/bodies/{police_value}']")).to_have_count(1)
    # The other warnings of the import stay open.
    expect(page.locator("#plan-rows").get_by_role("note")).to_have_count(len(activity_warnings) - 1)

    # "(келісім бойынша)" is not a name: the seed Karaganda plan's 50 is still unassigned.
    page.goto(f"/plans/{portal.plans[KARAGANDA.name]}")
    expect(page.locator("#a-50 li.unresolved")).to_contain_text(UNNAMED)


# --- b. report with evidence → returned with a comment → corrected → accepted (done late) ------------


@pytest.mark.parametrize("lang", LANGS)
def test_executor_reports_an_overdue_item_and_the_coordinator_returns_then_accepts(new_context, portal, tmp_path, lang):
    executor = portal.executor_of("Қостанай")
    coordinator = portal.accounts["coordinator"].email
    evidence = tmp_path / f"hattama-{lang}.pdf"
    evidence.write_bytes(tiny_pdf(f"Seminar protocol {lang}"))
    first_text = f"Мектеп психологтарына семинар өткізілді ({lang})."
    comment = f"Қатысушылар тізімін қосыңыз ({lang})."
    second_text = first_text + " Қатысушылар тізімі қосылды."
    # Two people at two computers: the department's executor and the deputy akim's office.
    page = new_context().new_page()
    office = new_context().new_page()

    # The executor finds its body on the dashboard's overdue list, then an overdue due date it leads.
    sign_in(page, executor.email, lang)
    nav_link(page, lang, "Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Dashboard"))
    body_row = page.locator(f"#overdue-by-executor tr[data-executor='{executor.body_id}']")
    expect(body_row.locator("td[data-lead]")).not_to_have_text("0")
    body_row.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"/bodies/{executor.body_id}\b"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(executor.body_name_in(lang))
    if lang == "kk":  # a long page: photographed once
        shot(page, f"body-{lang}")
    overdue_rows = page.locator("#body-obligations tbody tr").filter(
        has=page.get_by_role("cell", name=t(lang, "lead"), exact=True)).filter(
        has=page.locator(".status", has_text=re.compile(rf"^{re.escape(t(lang, 'overdue'))}$")))
    expect(overdue_rows.first).to_be_visible()
    due_link = overdue_rows.first.get_by_role("link").first
    due_text = due_link.inner_text()
    obligation_path = due_link.get_attribute("href")
    due_link.click()

    # The obligation page: overdue; post the report with the PDF.
    expect(page).to_have_url(re.compile(re.escape(obligation_path) + "$"))
    status = page.get_by_role("heading", level=1).locator(".status")
    expect(page.get_by_role("heading", level=1)).to_contain_text(due_text)
    expect(status).to_have_text(t(lang, "overdue"))
    expect(page.get_by_text(t(lang, "No report yet."))).to_be_visible()
    expect(page.get_by_role("heading", name=t(lang, "Post the report"))).to_be_visible()
    page.get_by_label(t(lang, "What was done")).fill(first_text)
    page.get_by_label(t(lang, "Evidence files (PDF, Word, Excel, JPEG, PNG)")).set_input_files(evidence)
    page.get_by_label(t(lang, "The report and its files name no minor and carry no IIN")).check()
    page.get_by_role("button", name=t(lang, "Submit report")).click()

    expect(status).to_have_text(t(lang, "submitted"))
    expect(page.get_by_role("status")).to_have_text(t(lang, "Report submitted."))
    version_1 = page.locator("article.report-lead").nth(0)
    expect(version_1).to_contain_text(t(lang, "Lead executor's report, version %(n)s", n=1))
    expect(version_1.locator(".state")).to_have_text(t(lang, "awaiting review"))
    expect(version_1).to_contain_text(first_text)
    expect(version_1.get_by_role("link", name=evidence.name)).to_be_visible()
    # While the report awaits review the lead cannot post another.
    expect(page.get_by_role("button", name=t(lang, "Submit report"))).to_have_count(0)
    # The stored evidence is the file that was sent.
    with page.expect_download() as download:
        version_1.get_by_role("link", name=evidence.name).click()
    assert download.value.suggested_filename == evidence.name
    assert Path(download.value.path()).read_bytes() == evidence.read_bytes()
    shot(page, f"obligation-submitted-{lang}")

    # The coordinator returns it with a comment.
    sign_in(office, coordinator, lang)
    office.goto(obligation_path)
    office_status = office.get_by_role("heading", level=1).locator(".status")
    expect(office_status).to_have_text(t(lang, "submitted"))
    office.get_by_label(t(lang, "Comment (required when returning)")).fill(comment)
    office.get_by_role("button", name=t(lang, "Return for correction")).click()
    expect(office_status).to_have_text(t(lang, "returned"))
    expect(office.get_by_role("status")).to_have_text(t(lang, "Report returned for correction."))
    expect(office.locator("article.report-lead .state")).to_have_text(t(lang, "returned"))
    expect(office.locator("article.report-lead q")).to_have_text(comment)

    # The executor sees the comment; the form comes back filled; correct and submit version 2.
    page.reload()
    expect(status).to_have_text(t(lang, "returned"))
    expect(version_1.locator(".state")).to_have_text(t(lang, "returned"))
    expect(version_1.locator("q")).to_have_text(comment)
    expect(page.get_by_role("heading", name=t(lang, "Correct and submit again"))).to_be_visible()
    text = page.get_by_label(t(lang, "What was done"))
    expect(text).to_have_value(first_text)
    expect(page.get_by_label(evidence.name)).to_be_checked()  # the returned version's file is carried over
    text.fill(second_text)
    page.get_by_label(t(lang, "The report and its files name no minor and carry no IIN")).check()
    page.get_by_role("button", name=t(lang, "Submit report")).click()
    expect(status).to_have_text(t(lang, "submitted"))
    version_2 = page.locator("article.report-lead").nth(1)
    expect(version_2).to_contain_text(t(lang, "Lead executor's report, version %(n)s", n=2))
    expect(version_2).to_contain_text(second_text)
    expect(version_2.get_by_role("link", name=evidence.name)).to_be_visible()
    expect(version_2.locator(".state")).to_have_text(t(lang, "awaiting review"))
    expect(version_1.locator(".state")).to_have_text(t(lang, "returned"))

    # The coordinator accepts: accepted after the due date → done late.
    office.reload()
    expect(office_status).to_have_text(t(lang, "submitted"))
    office.get_by_role("button", name=t(lang, "Accept")).click()
    expect(office_status).to_have_text(t(lang, "done late"))
    expect(office.get_by_role("status")).to_have_text(t(lang, "Report accepted."))
    expect(office.locator("article.report-lead").nth(1).locator(".state")).to_have_text(t(lang, "accepted"))
    expect(office.get_by_role("button", name=t(lang, "Accept"))).to_have_count(0)

    # The history: four steps, newest first, each with who did it.
    steps = office.locator("#history li[data-action]")
    expect(steps).to_have_count(4)
    assert [steps.nth(i).get_attribute("data-action") for i in range(4)] == [
        "report.accepted", "report.resubmitted", "report.returned", "report.submitted"]
    for i, (label, who) in enumerate([("report accepted", coordinator), ("corrected report submitted", executor.email),
                                      ("report returned", coordinator), ("report submitted", executor.email)]):
        expect(steps.nth(i)).to_contain_text(t(lang, label))
        expect(steps.nth(i)).to_contain_text(who)
    expect(steps.nth(2)).to_contain_text(comment)
    shot(office, f"obligation-done-late-{lang}")

    # The executor's page and its body page say so too.
    page.reload()
    expect(status).to_have_text(t(lang, "done late"))
    expect(page.get_by_role("button", name=t(lang, "Submit report"))).to_have_count(0)
    page.goto(f"/bodies/{executor.body_id}")
    done_row = page.locator("#body-obligations tbody tr").filter(has=page.locator(f"a[href='{obligation_path}']"))
    expect(done_row.locator(".status")).to_have_text(t(lang, "done late"))


# --- c. the auditor's filtered dashboard and "Export what I see" ---------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_auditor_filters_the_dashboard_and_exports_what_they_see(page, portal, tmp_path, lang):
    executor = portal.executor_of("Қостанай")  # Kostanay's education department
    plan_id = portal.plans[KOSTANAY.name]
    plan_title = parse_plan_file(KOSTANAY).title
    as_of = "2022-06-30"  # after the plan's end, before any report: the replay is the same whatever ran before

    sign_in(page, portal.accounts["auditor"].email, lang)
    nav_link(page, lang, "Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Dashboard"))
    figures = page.locator("#plan-figures tbody tr")
    plan_select = labelled(page, lang, "Plan")
    expect(figures).to_have_count(plan_select.locator("option").count() - 1)  # every plan but "all"
    assert figures.count() >= 2
    plan_label = next(o for o in plan_select.locator("option").all_inner_texts() if "2019–2021" in o)
    plan_select.select_option(label=plan_label)
    expect(page).to_have_url(re.compile(rf"[?&]plan={plan_id}(&|$)"))
    expect(figures).to_have_count(1)
    expect(figures.first).to_have_attribute("data-plan", str(plan_id))

    body_select = labelled(page, lang, "Executor")
    body_label = f"{executor.abbreviation} · {executor.region}"
    body_select.select_option(label=body_label)
    expect(page).to_have_url(re.compile(rf"[?&]body={executor.body_id}(&|$)"))
    overdue_list = page.locator("#overdue-by-executor tbody tr")
    expect(overdue_list.filter(has=page.locator(f"a[href^='/bodies/{executor.body_id}?']"))).to_have_count(1)

    labelled(page, lang, "Status").select_option(label=t(lang, "overdue"))
    expect(page).to_have_url(re.compile(r"[?&]status=overdue(&|$)"))

    labelled(page, lang, "As of").fill(as_of)
    expect(page).to_have_url(re.compile(rf"[?&]as_of={as_of}(&|$)"))
    row = figures.first
    for status in ("upcoming", "due_soon", "submitted", "returned", "done", "done_late"):
        expect(row.locator(f"td[data-status='{status}']")).to_have_text("0")
    overdue = int(row.locator("td[data-status='overdue']").inner_text())
    assert overdue > 0
    expect(row.locator("td[data-total]")).to_have_text(str(overdue))
    shot(page, f"dashboard-filtered-{lang}")

    # The address is the filtered view: opening it again shows the same.
    page.reload()
    expect(labelled(page, lang, "Plan")).to_have_value(str(plan_id))
    expect(labelled(page, lang, "Executor")).to_have_value(str(executor.body_id))
    expect(labelled(page, lang, "Status")).to_have_value("overdue")
    expect(labelled(page, lang, "As of")).to_have_value(as_of)
    expect(figures.first.locator("td[data-status='overdue']")).to_have_text(str(overdue))

    with page.expect_download() as download:
        page.get_by_role("link", name=t(lang, "Export what I see (Excel)")).click()
    # the file is named after what it holds: the plan, the executor, the status and the day
    assert download.value.suggested_filename == f"tracker-plan-{plan_id}-body-{executor.body_id}-overdue-{as_of}.xlsx"
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)

    book = openpyxl.load_workbook(path)
    try:
        summary = book[t(lang, "Summary")[:31]]
        meta = {row[0]: row[1] for row in summary.iter_rows(min_row=2, max_row=5, max_col=2, values_only=True)}
        assert meta[t(lang, "As of")] == datetime(2022, 6, 30)
        assert meta[t(lang, "Exported by")] == portal.accounts["auditor"].email
        described = meta[t(lang, "Filters")]
        assert f"{t(lang, 'Plan')}: {plan_title[:80]}" in described
        assert f"{t(lang, 'Executor')}: " in described and executor.abbreviation in described
        assert f"{t(lang, 'Status')}: {t(lang, 'overdue')}" in described

        obligations = list(book[t(lang, "Obligations")[:31]].iter_rows(values_only=True))
        header, rows = obligations[0], [r for r in obligations[1:] if any(v is not None for v in r)]
        plan_col, status_col, number_col = header.index(t(lang, "Plan")), header.index(t(lang, "Status")), header.index("№")
        assert len(rows) == overdue  # the workbook and the dashboard agree
        assert {r[plan_col] for r in rows} == {plan_title}
        assert {r[status_col] for r in rows} == {t(lang, "overdue")}
        # Every row is an activity that names the education department (as lead or co-executor).
        activities = list(book[t(lang, "Activities")[:31]].iter_rows(values_only=True))
        a_header, a_rows = activities[0], [r for r in activities[1:] if any(v is not None for v in r)]
        lead_col, co_col = a_header.index(t(lang, "Lead executor")), a_header.index(t(lang, "Co-executors"))
        assert a_rows and all(f"({executor.abbreviation})" in f"{r[lead_col]} {r[co_col]}" for r in a_rows)
        assert {r[number_col] for r in rows} <= {r[a_header.index("№")] for r in a_rows}
        assert {r[a_header.index(t(lang, "Plan"))] for r in a_rows} == {plan_title}
    finally:
        book.close()


def test_language_switch_keeps_the_page_and_its_filters(page, portal):
    """The header's language links reload the same page, filters kept, in the other language."""
    sign_in(page, portal.accounts["auditor"].email, "kk")
    plan_id = portal.plans[KOSTANAY.name]
    page.goto(f"/plans/{plan_id}?status=overdue")
    expect(labelled(page, "kk", "Status")).to_have_value("overdue")
    use_language(page, "ru")
    expect(page).to_have_url(re.compile(rf"/plans/{plan_id}\?(.*&)?status=overdue"))
    expect(labelled(page, "ru", "Status")).to_have_value("overdue")
    expect(page.get_by_role("link", name=t("ru", "Dashboard"), exact=True).first).to_be_visible()
    use_language(page, "kk")
    expect(page.get_by_role("button", name=t("kk", "Sign out"))).to_be_visible()
