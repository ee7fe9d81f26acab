"""A server error answers with the portal's own page, in the reader's language, with no traceback
on it — also when the database is what failed — and the traceback goes to the log."""

import logging

import pytest
from flask import Blueprint
from sqlalchemy import text

from tests.conftest import PASSWORD
from tracker.extensions import db

#: part of each language's sentence on the 500 page
SAYS = {"kk": "Порталдың өз жағында қате шықты", "ru": "На стороне портала произошла ошибка",
        "en": "Something went wrong on the portal"}
SECRET = "a detail only the log may show: 7f3a9c"


def failing_views(app, table: str):
    """Test-only routes that fail: a plain exception, and one after breaking the accounts table and
    expiring everything loaded, so that any look at the account would query a failed database."""
    bp = Blueprint("failing", __name__)

    @bp.get("/__tests__/fails")
    def fails():
        raise RuntimeError(SECRET)

    @bp.get("/__tests__/fails-with-the-database")
    def fails_with_the_database():
        db.session.execute(text(f"ALTER TABLE user_account RENAME TO {table}"))
        db.session.commit()
        db.session.expire_all()  # the signed-in account's attributes must now be read again
        raise RuntimeError(SECRET)

    app.register_blueprint(bp)
    # Outside TESTING an exception becomes the 500 page; the test client would re-raise it otherwise.
    app.config["PROPAGATE_EXCEPTIONS"] = False


def choose(app, client, lang: str) -> None:
    with app.app_context():  # a fresh context per request, as a server has (Flask-Babel caches the locale)
        assert client.get(f"/?lang={lang}").status_code == 200


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_server_error_shows_the_portals_page_in_the_readers_language(app, client, login, caplog, lang):
    failing_views(app, "unused")
    login("auditor")
    choose(app, client, lang)
    with app.app_context(), caplog.at_level(logging.ERROR):
        response = client.get("/__tests__/fails")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert f'<html lang="{lang}">' in page and "<h1>500</h1>" in page
    assert SAYS[lang] in page
    assert "Internal Server Error" not in page  # not Werkzeug's bare English page
    assert SECRET not in page and "Traceback" not in page and "RuntimeError" not in page
    logged = [r for r in caplog.records if r.exc_info and r.exc_info[0] is RuntimeError]
    assert logged and str(logged[0].exc_info[1]) == SECRET  # the traceback is in the log


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_page_renders_when_the_database_is_what_failed(app, client, make_user, caplog, lang):
    failing_views(app, "user_account_gone")
    user = make_user("auditor")
    email = user.email
    user.language = lang  # the account's language, read from the account as it was loaded
    db.session.commit()
    db.session.close()  # holds no lock on the accounts table, which the view renames (PostgreSQL waits)
    with app.app_context():
        client.post("/login", data={"email": email, "password": PASSWORD})
    with app.app_context(), caplog.at_level(logging.ERROR):
        response = client.get("/__tests__/fails-with-the-database")
    page = response.get_data(as_text=True)
    try:
        assert response.status_code == 500, page[-500:]
        assert SAYS[lang] in page and f'<html lang="{lang}">' in page
        assert SECRET not in page and "Traceback" not in page
        assert email not in page  # drawn without the account
        assert not [r for r in caplog.records if "could not be drawn" in r.getMessage()]
    finally:
        db.session.rollback()
        db.session.execute(text("ALTER TABLE user_account_gone RENAME TO user_account"))
        db.session.commit()
