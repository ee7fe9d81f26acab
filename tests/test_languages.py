"""Kazakh first, Russian beside it, English for visitors: every page in the chosen language,
the import engine's findings included; the choice remembered on the account; bodies named in
the reader's language; dates and sums as each language writes them."""

import io
import pickle
import re
from datetime import date
from html import unescape

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.conftest import KARAGANDA, KOSTANAY, PASSWORD
from tests.evidence_files import PDF
from tracker.auth.models import User
from tracker.core import formatting
from tracker.core.messages import Message, from_data, msg, translated
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.plans.models import Activity, ActivityExecutor, Obligation, Plan, PlanWarning

# --- messages made outside a request ----------------------------------------------------------


def test_a_message_is_its_english_text_and_keeps_how_it_was_made():
    ref = msg("line %(line)s", line=83)
    finding = msg("%(ref)s: executor «%(written)s» is in neither the plan's legend nor the registry of bodies",
                  ref=ref, written="ЖКУӘББ")
    assert finding == "line 83: executor «ЖКУӘББ» is in neither the plan's legend nor the registry of bodies"
    assert isinstance(finding, str) and finding.startswith("line 83")
    assert finding.data == {"t": finding.template, "p": {"ref": {"t": "line %(line)s", "p": {"line": 83}},
                                                          "written": "ЖКУӘББ"}}
    again = from_data(finding.data)
    assert again == finding and again.data == finding.data
    unpickled = pickle.loads(pickle.dumps(finding))
    assert isinstance(unpickled, Message) and unpickled.data == finding.data
    assert msg("similarity %(score).0f%%", score=92.4) == "similarity 92%"


def test_translated_renders_nested_messages_in_the_catalog_language(app):
    finding = msg("%(ref)s: no funding given", ref=msg("row %(row)s", row=12))
    with app.test_request_context("/"), force_locale("kk"):
        assert formatting.translated_message(finding) == "12-жол: қаржыландыру көрсетілмеген"
        # stored as text + data (a PlanWarning) gives the same
        assert formatting.translated_message(str(finding), finding.data) == "12-жол: қаржыландыру көрсетілмеген"
        # text stored before message data existed is shown as it was written
        assert formatting.translated_message("an old finding") == "an old finding"
    with app.test_request_context("/"), force_locale("ru"):
        assert formatting.translated_message(finding) == "строка 12: финансирование не указано"
    with app.test_request_context("/"), force_locale("en"):
        assert formatting.translated_message(finding) == "row 12: no funding given"


def test_a_catalog_entry_that_lost_a_placeholder_falls_back_to_english():
    finding = msg("%(ref)s: the activity has no text", ref="row 3")
    assert translated(finding, lambda s: "мәтін жоқ %(missing)s") == "row 3: the activity has no text"


# --- the language switch, remembered on the account -------------------------------------------


def _get(app, client, path):
    with app.app_context():  # a fresh context per request, as a server has (Flask-Babel caches the locale)
        return client.get(path)


def test_the_language_is_remembered_on_the_account_and_follows_its_person(app, make_user):
    user = make_user("auditor")
    first = app.test_client()
    first.post("/login", data={"email": user.email, "password": PASSWORD})
    assert '<html lang="kk">' in _get(app, first, "/").get_data(as_text=True)  # Kazakh first
    page = _get(app, first, "/dashboard?lang=ru").get_data(as_text=True)
    assert '<html lang="ru">' in page and "Панель" in page
    db.session.expire_all()  # the request committed in its own session
    assert db.session.get(User, user.id).language == "ru"

    second = app.test_client()  # another computer: the login page is Kazakh, the account says Russian
    assert '<html lang="kk">' in _get(app, second, "/login").get_data(as_text=True)
    with app.app_context():
        second.post("/login", data={"email": user.email, "password": PASSWORD})
    assert '<html lang="ru">' in _get(app, second, "/").get_data(as_text=True)


def test_an_account_that_never_chose_takes_the_language_of_the_visit(app, make_user):
    user = make_user("auditor")
    client = app.test_client()
    _get(app, client, "/login?lang=en")
    with app.app_context():
        client.post("/login", data={"email": user.email, "password": PASSWORD})
    db.session.expire_all()
    assert db.session.get(User, user.id).language == "en"


def test_the_switch_keeps_the_page_and_its_filters(app, client, login):
    login("auditor")
    html = _get(app, client, "/dashboard?status=overdue&as_of=2024-01-10").get_data(as_text=True)
    links = {code: unescape(href) for href, code in re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', html)}
    assert set(links) == {"kk", "ru", "en"}
    assert links["ru"].startswith("/dashboard?") and "status=overdue" in links["ru"]
    assert "as_of=2024-01-10" in links["ru"] and links["ru"].endswith("lang=ru")


# --- dates, sums and body names per language ---------------------------------------------------


@pytest.mark.parametrize(("lang", "day", "sum_"), [
    ("kk", "2026 ж. 25 тамыз", "2 000 000 ₸"),
    ("ru", "25 августа 2026 г.", "2 000 000 ₸"),
    ("en", "August 25, 2026", "2,000,000 ₸"),
])
def test_dates_and_sums_as_each_language_writes_them(app, lang, day, sum_):
    with app.test_request_context("/"), force_locale(lang):
        assert formatting.long_date(date(2026, 8, 25)).replace("\u202f", " ") == day
        assert re.sub(r"[\u00a0\u202f]", " ", formatting.tenge(2_000_000)) == sum_


def test_bodies_are_named_in_the_readers_language(app, seed_plans, client, login):
    from openpyxl import load_workbook

    seed_plans(KOSTANAY)
    education = db.session.scalar(select(Body).where(Body.registry_key == "education", Body.region.like("%Қостанай%")))
    assert education.name_ru and education.name != education.name_ru
    plan = db.session.scalar(select(Plan))
    login("auditor")
    for lang, shown, hidden in (("kk", education.name, education.name_ru), ("ru", education.name_ru, None)):
        body_page = _get(app, client, f"/bodies/{education.id}?lang={lang}").get_data(as_text=True)
        assert f"<h1>{shown}" in body_page
        plan_page = _get(app, client, f"/plans/{plan.id}?lang={lang}").get_data(as_text=True)
        assert f">{shown}</a>" in plan_page
        if hidden:
            assert f">{hidden}</a>" not in plan_page
        dashboard = _get(app, client, f"/dashboard?lang={lang}&as_of=2026-11-23").get_data(as_text=True)
        assert f">{shown}</a>" in dashboard
    workbook = _get(app, client, "/export/workbook.xlsx?lang=ru&as_of=2026-11-23")
    data = workbook.data
    workbook.close()  # the download streams from a temporary file
    sheet = load_workbook(io.BytesIO(data), read_only=True)
    names = {row[0] for row in sheet.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert any(name and name.startswith(education.name_ru) for name in names), sorted(map(str, names))[:5]


# --- no English left on a Kazakh or Russian page --------------------------------------------

#: three or more English words in a row: a sentence someone forgot to translate
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z']+(?:[ ,:;/()-]+[A-Za-z][a-z']+){2,}\b")
#: what may stay as it is in any language: file names, e-mail addresses, format names
ALLOWED = re.compile(r"@|\.(?:txt|docx|xlsx|pdf|csv)\b|Word|Excel|OpenDocument|Windows", re.I)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    # what a screen reader or a tooltip says counts as much as what is printed
    attributes = " ".join(re.findall(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"', html))
    return unescape(re.sub(r"<[^>]+>", " ", html) + " " + attributes)


def english_left(html: str) -> list[str]:
    return sorted({m.group(0) for m in ENGLISH_RUN.finditer(visible_text(html)) if not ALLOWED.search(m.group(0))})


@pytest.fixture
def portal_with_everything(app, runner, seed_plans, make_user, tmp_path):
    """Both plans, a report returned with a comment, a resolved warning, an executor assignment:
    every kind of thing a page can show."""
    from tracker.plans import operations
    from tracker.reports.operations import review_report, submit_report

    seed_plans(KOSTANAY, KARAGANDA)
    runner.invoke(args=["users", "demo"])
    karaganda = db.session.scalar(select(Plan).where(Plan.region == "Қарағанды облысы"))
    unnamed = db.session.scalar(select(ActivityExecutor).join(Activity).where(
        Activity.plan_id == karaganda.id, ActivityExecutor.body_id.is_(None)))
    operations.resolve_warning(db.session.scalar(select(PlanWarning).where(PlanWarning.plan_id == karaganda.id)))
    obligation = db.session.scalar(
        select(Obligation).join(Activity).join(ActivityExecutor, ActivityExecutor.activity_id == Activity.id)
        .where(Activity.plan_id == karaganda.id, ActivityExecutor.role == "lead", ActivityExecutor.body_id.is_not(None))
        .order_by(Obligation.due_date, Obligation.id))
    lead = next(e.body for e in obligation.activity.executors if e.role == "lead")
    executor = make_user("executor", body=lead)
    coordinator = make_user("coordinator")
    report = submit_report(obligation, executor, "Атқарылды", ["https://example.kz/report"],
                           [("акт.pdf", PDF)], True)
    review_report(report, coordinator, accept=False, comment="Қосымша дерек керек")
    return {"plan": karaganda, "activity": unnamed.activity, "obligation": obligation, "body": lead,
            "coordinator": coordinator}


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_english_sentence_is_left_on_any_page(app, client, login, portal_with_everything, lang):
    seen = portal_with_everything
    plan, activity, obligation = seen["plan"], seen["activity"], seen["obligation"]
    login(seen["coordinator"])
    with app.app_context():
        upload = client.post("/import", data={"document": (io.BytesIO(KARAGANDA.read_bytes()), "karaganda.txt")})
    assert upload.status_code == 302, upload.get_data(as_text=True)[-500:]
    preview = upload.headers["Location"]
    found = {}

    def visit(*paths):
        for path in paths:
            response = _get(app, client, f"{path}{'&' if '?' in path else '?'}lang={lang}")
            assert response.status_code in (200, 404), (path, response.status_code)
            html = response.get_data(as_text=True)
            assert f'<html lang="{lang}">' in html or path.startswith("/dashboard/overdue"), path
            if english_left(html):
                found[path] = english_left(html)

    visit("/", f"/plans/{plan.id}", f"/activities/{activity.id}", f"/activities/{activity.id}/edit",
          f"/obligations/{obligation.id}", "/dashboard", f"/bodies/{seen['body'].id}", f"/plans/{plan.id}/charts",
          f"/plans/{plan.id}/edit", f"/plans/{plan.id}/activities/new", "/plans/new", "/import", preview,
          "/account/password", "/dashboard/overdue?written=x", "/nowhere")
    admin = login("admin")
    visit("/admin/users", "/admin/users/new", f"/admin/users/{admin.id}", "/admin/bodies",
          f"/admin/bodies/{seen['body'].id}")
    client.post("/logout")
    login_page = _get(app, client, f"/login?lang={lang}").get_data(as_text=True)
    if english_left(login_page):
        found["/login"] = english_left(login_page)
    assert not found, f"{lang}: English left on the pages: {found}"


def test_the_english_check_would_see_a_forgotten_sentence():
    assert english_left("<p>Бала құқықтары</p><p title='x'>Upload the plan here</p>") == ["Upload the plan here"]
    assert english_left('<button aria-label="Close this window">×</button>') == ["Close this window"]
    assert english_left("<p>karaganda-2023-2025.txt · coordinator@demo.tracker.example</p>") == []


@pytest.mark.parametrize(("lang", "required", "bad_choice"), [
    ("kk", "Бұл өріс міндетті түрде керек.", "Жарамды таңдау емес."),
    ("ru", "Обязательное поле.", "Неверный вариант."),
])
def test_form_errors_are_in_the_page_language_next_to_their_field(app, client, login, lang, required, bad_choice):
    login("coordinator")
    with app.app_context():
        response = client.post(f"/plans/new?lang={lang}", data={"title": "", "period_start": "2026-13-40",
                                                                 "period_end": "", "default_frequency": "yearly"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f'<html lang="{lang}">' in html
    title_field = html[html.index('name="title"') - 600:html.index('name="title"') + 600]
    assert required in title_field  # the message sits with the field it is about
    frequency = html[html.index('name="default_frequency"') - 600:html.index('name="default_frequency"') + 1500]
    assert bad_choice in frequency
    assert "This field is required" not in html and "Not a valid choice" not in html


def test_a_refused_upload_is_explained_in_the_page_language(app, client, login):
    login("coordinator")
    for lang, expected in (("kk", "plan.pdf — оқылмайтын PDF: файл зақымдалған"),
                           ("ru", "plan.pdf — PDF, который не удаётся прочитать: файл повреждён")):
        with app.app_context():
            response = client.post(f"/import?lang={lang}",
                                   data={"document": (io.BytesIO(b"%PDF-1.4 not a plan"), "plan.pdf")})
        assert response.status_code == 422
        assert expected in response.get_data(as_text=True)


def test_an_htmx_filter_sends_the_language_switch_again_with_the_new_filters(app, client, login):
    login("auditor")
    with app.app_context():
        fragment = client.get("/dashboard?status=overdue&as_of=2024-01-10",
                              headers={"HX-Request": "true", "HX-Target": "dashboard-results"}).get_data(as_text=True)
    assert "<html" not in fragment and 'id="langs"' in fragment and 'hx-swap-oob="true"' in fragment
    ru = unescape(re.search(r'<a href="([^"]+)" hreflang="ru"', fragment).group(1))
    assert ru.startswith("/dashboard?") and "status=overdue" in ru and "as_of=2024-01-10" in ru


@pytest.mark.parametrize("query", ["endpoint=x", "_anchor=x", "_method=POST", "_external=1&_scheme=javascript",
                                   "lang=xx&lang=ru&q=a&q=b"])
def test_odd_query_strings_do_not_break_the_switch(app, client, query):
    with app.app_context():
        response = client.get(f"/login?{query}")
    assert response.status_code == 200
    links = re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', response.get_data(as_text=True))
    assert all(unescape(href).startswith("/login?") for href, _code in links)


def test_a_remembered_sign_in_on_a_new_session_keeps_the_accounts_language(app, make_user):
    user = make_user("auditor")
    user.language = "ru"
    db.session.commit()
    client = app.test_client()
    with app.app_context():
        client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    client.delete_cookie("session")  # the browser was closed: only the remember-me cookie is left
    with app.app_context():
        page = client.get("/").get_data(as_text=True)
    assert '<html lang="ru">' in page


# --- regions, quarters, how a body was recognised, the command line: in the page's language ----------


def test_region_names_in_russian_keep_the_synthetic_mark(app):
    from tracker.demo.country import REGIONS
    from tracker.demo.country import region_name as synthetic_region
    from tracker.executors.models import NATIONAL
    from tracker.executors.regions import RUSSIAN, region_name

    assert set(REGIONS) <= set(RUSSIAN) and len(set(RUSSIAN.values())) == len(RUSSIAN) == 21
    with app.test_request_context("/"), force_locale("ru"):
        assert region_name("Қостанай облысы") == "Костанайская область"
        assert region_name("Шығыс Қазақстан облысы") == "Восточно-Казахстанская область"
        assert region_name("Шымкент қаласы") == "город Шымкент"
        assert region_name(NATIONAL) == "Республика Казахстан"
        assert region_name("Костанай облысы") == "Костанайская область"  # typed with Russian letters
        assert region_name(synthetic_region(0)) == "Абайская область (СИНТЕТИКА)"
        assert region_name(synthetic_region(len(REGIONS) + 17)) == "город Астана (СИНТЕТИКА 2)"
        assert region_name("Арқалық ауданы") == "Арқалық ауданы"  # not a region it knows: as written
        assert region_name(None) == ""
    for lang in ("kk", "en"):
        with app.test_request_context("/"), force_locale(lang):
            assert region_name("Қостанай облысы") == "Қостанай облысы"
            assert region_name(synthetic_region(0)) == "Абай облысы (СИНТЕТИКА)"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_regions_quarters_match_words_and_the_command_line_are_in_the_page_language(
        app, client, login, portal_with_everything, lang):
    seen = portal_with_everything
    plan, body = seen["plan"], seen["body"]
    ru = lang == "ru"
    karaganda = "Карагандинская область" if ru else "Қарағанды облысы"
    login(seen["coordinator"])

    def page(path):
        response = _get(app, client, f"{path}{'&' if '?' in path else '?'}lang={lang}")
        assert response.status_code == 200, path
        return response.get_data(as_text=True)

    dashboard = page("/dashboard?as_of=2026-11-23")
    # the filter sends the region as stored and shows it in the page's language
    assert f'<option value="Қарағанды облысы" >{karaganda}</option>' in dashboard
    assert f'<small class="meta">{karaganda} · ' in dashboard  # under the plan in the plans table
    assert f'<small class="meta">{karaganda}</small>' in dashboard  # under a body in the overdue list
    assert f"<td>{karaganda}</td>" in page("/")
    plan_page = page(f"/plans/{plan.id}")
    assert f'<p class="meta">{karaganda} · ' in plan_page
    body_page = page(f"/bodies/{body.id}?as_of=2026-11-23")
    assert f" · {karaganda} · " in body_page
    charts = page(f"/plans/{plan.id}/charts")
    assert f" · {karaganda} · " in charts

    # the plan was imported from the command line: said so in the page's language
    history = re.search(r'<section class="history".*?</section>', plan_page, re.S).group(0)
    assert "plan.imported" in history and ("командная строка" if ru else "пәрмен жолы") in history
    assert "command line" not in visible_text(plan_page)

    # quarters as each language writes them: "1 кв. 2023", "2023 ж. 1-тоқсан"
    quarters = re.search(r'<table class="grid figures" id="body-quarters">.*?</table>', body_page, re.S).group(0)
    assert re.search(r"\d кв\. 20\d\d" if ru else r"20\d\d ж\. \d-тоқсан", visible_text(quarters))
    assert not re.search(r"\bQ[1-4]\b", visible_text(body_page))

    login("admin")
    bodies = page("/admin/bodies")
    assert f"<td>{karaganda}</td>" in bodies and ("Республика Казахстан" if ru else "Қазақстан Республикасы") in bodies
    body_form = page(f"/admin/bodies/{body.id}")
    assert f'<p class="meta">{karaganda} · ' in body_form
    tags = re.findall(r'<span class="tag">([^<]*)</span>', body_form)
    assert tags and not {"legend", "registry", "variant", "alias", "coordinator"} & set(tags), tags
    assert ("из расшифровки аббревиатур плана" if ru else "жоспардың аббревиатуралар тізімінен") in tags
    users = page("/admin/users")
    assert f'<small class="meta">{karaganda}</small>' in users
