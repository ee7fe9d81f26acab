"""The message catalogs: complete in Kazakh and Russian, no fuzzy entries, placeholders kept,
the template in step with the source — and the pages really shown in the chosen language."""

import re

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from sqlalchemy import select

from tests.conftest import KOSTANAY, ROOT
from tracker.core.translate_cli import extract
from tracker.extensions import db
from tracker.plans.models import Plan

TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
LOCALES = ("kk", "ru", "en")
TRANSLATED = ("kk", "ru")  # en shows the English source for an empty msgstr
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def po_path(locale: str):
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def read_catalog(path, locale=None):
    with open(path, "rb") as f:
        return read_po(f, locale=locale)


@pytest.fixture(scope="module")
def catalogs():
    return {locale: read_catalog(po_path(locale), locale) for locale in LOCALES}


def as_tuple(value) -> tuple:
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def messages(catalog):
    return [m for m in catalog if m.id]  # the header has the empty msgid


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text or ""))


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated(catalogs, locale):
    missing = [m.id for m in messages(catalogs[locale]) if not all(s.strip() for s in as_tuple(m.string))]
    assert not missing, f"{locale}: {len(missing)} untranslated: {missing}"


def test_english_plural_forms_are_filled(catalogs):
    missing = [m.id for m in messages(catalogs["en"]) if m.pluralizable and not all(as_tuple(m.string))]
    assert not missing, missing


@pytest.mark.parametrize("locale", LOCALES)
def test_nothing_is_fuzzy(catalogs, locale):
    catalog = catalogs[locale]
    assert not catalog.fuzzy, f"{locale}: the header is marked fuzzy"
    fuzzy = [m.id for m in messages(catalog) if m.fuzzy]
    assert not fuzzy, f"{locale}: fuzzy entries are not used: {fuzzy}"
    text = po_path(locale).read_text(encoding="utf-8")
    assert "#, fuzzy" not in text and not re.search(r"^#,.*\bfuzzy\b", text, re.M)


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_are_kept(catalogs, locale):
    wrong = []
    for m in messages(catalogs[locale]):
        wanted = set().union(*(placeholders(i) for i in as_tuple(m.id)))
        for string in as_tuple(m.string):
            if string and placeholders(string) != wanted:
                wrong.append((m.id, string))
    assert not wrong, f"{locale}: placeholders differ: {wrong}"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_has_the_template_messages(catalogs, locale):
    template = {m.id for m in messages(read_catalog(POT))}
    assert {m.id for m in messages(catalogs[locale])} == template, "run pybabel update"


def test_template_is_up_to_date_with_the_source(tmp_path):
    fresh = tmp_path / "messages.pot"
    extract(fresh)  # what `flask translate extract` runs
    extracted = {m.id for m in messages(read_catalog(fresh))}
    stored = {m.id for m in messages(read_catalog(POT))}
    assert extracted, "the extraction found no messages"
    new, gone = sorted(extracted - stored, key=str), sorted(stored - extracted, key=str)
    assert not new, f"not in messages.pot yet (run pybabel extract and update): {new}"
    assert not gone, f"in messages.pot but no longer in the source: {gone}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_compiled_catalog_matches(catalogs, locale):
    mo = po_path(locale).with_suffix(".mo")
    assert mo.exists(), "run pybabel compile -d translations"
    with open(mo, "rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    stale = [m.id for m in messages(catalogs[locale]) if compiled.get(m.id) != m.string]
    assert not stale, f"{locale}: messages.mo is older than messages.po (run pybabel compile): {stale[:5]}"


#: words each page must show in each language; and English words it must not show in kk/ru
EXPECTED = {
    "kk": {
        "plans": ["Жоспарлар", "Жоспарды импорттау", "Үйлестіруші", "Шығу", "Есептік жазба"],
        "plan": ["Мәртебесі", "Іс-шара", "Жауапты орындаушылар", "Бөлім", "Өзгерістер тарихы",
                 "Жоспарды және есеп беру жиілігін өңдеу", "мерзімі өтіп кетті"],
        "login": ["Кіру", "Электрондық пошта", "Құпиясөз", "Мені есте сақтау"],
    },
    "ru": {
        "plans": ["Планы", "Импорт плана", "Координатор", "Выйти", "Учётная запись"],
        "plan": ["Статус", "Мероприятие", "Ответственные исполнители", "Раздел", "История изменений",
                 "Изменить план и периодичность отчётности", "просрочено"],
        "login": ["Войти", "Электронная почта", "Пароль", "Запомнить меня"],
    },
    "en": {
        "plans": ["Plans", "Import a plan", "Coordinator", "Sign out", "Account"],
        "plan": ["Status", "Activity", "Responsible executors", "Section", "History",
                 "Edit plan and reporting frequency", "overdue"],
        "login": ["Sign in", "E-mail", "Password", "Keep me signed in"],
    },
}
ENGLISH_ONLY = {
    "plans": [">Plans<", "Sign out", "Import a plan"],
    "plan": [">Status<", "Responsible executors", "Edit plan and reporting frequency", ">overdue<"],
    "login": [">Sign in<", "Keep me signed in"],
}


def fetch(app, client, path: str, lang: str) -> str:
    # A fresh app context per request, as a real server has: Flask-Babel caches the locale on it.
    with app.app_context():
        response = client.get(f"{path}?lang={lang}")
    assert response.status_code == 200, f"{path}?lang={lang}: {response.status_code}"
    return response.get_data(as_text=True)


@pytest.mark.parametrize("lang", LOCALES)
def test_pages_are_shown_in_the_chosen_language(app, seed_plans, client, login, lang):
    from datetime import date

    app.config["TODAY"] = date(2023, 1, 1)
    seed_plans(KOSTANAY)
    plan_id = db.session.scalar(select(Plan.id))
    login("coordinator")

    pages = {"plans": fetch(app, client, "/", lang), "plan": fetch(app, client, f"/plans/{plan_id}", lang)}
    client.post("/logout")
    pages["login"] = fetch(app, client, "/login", lang)

    for name, html in pages.items():
        assert f'<html lang="{lang}">' in html, name
        for word in EXPECTED[lang][name]:
            assert word in html, f"{lang} {name} page: «{word}» is missing"
        if lang != "en":
            for english in ENGLISH_ONLY[name]:
                assert english not in html, f"{lang} {name} page still shows «{english}»"


def test_the_chosen_language_is_remembered(app, client):
    fetch(app, client, "/login", "ru")
    with app.app_context():
        html = client.get("/login").get_data(as_text=True)
    assert '<html lang="ru">' in html and "Войти" in html
