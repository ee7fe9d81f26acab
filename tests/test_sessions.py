"""Sessions end when they should: a password change, an administrator's reset, a sign-out or a
disabling end every session of the account, every copy of its session cookie and its remember-me
cookie; the person who changed their own password stays signed in on that computer."""

import re

import flask_migrate
from sqlalchemy import text

from tests.conftest import PASSWORD, ROOT
from tracker.auth.models import User
from tracker.extensions import db

NEW_PASSWORD = "a-new-pass-phrase-7"
SESSION, REMEMBER = "session", "remember_token"


def sign_in(app, user, remember: bool = False):
    browser = app.test_client()
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert browser.post("/login", data=data).status_code == 302
    return browser


def signed_in(browser) -> bool:
    response = browser.get("/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def with_cookie(app, name: str, value: str):
    """A fresh browser holding only this cookie (copied from another, or left after closing it)."""
    browser = app.test_client()
    browser.set_cookie(name, value)
    return browser


def cookie(browser, name: str) -> str:
    found = browser.get_cookie(name)
    assert found is not None, f"no {name} cookie"
    return found.value


def change_own_password(browser, new: str = NEW_PASSWORD):
    response = browser.post("/account/password", data={"current": PASSWORD, "new": new, "repeat": new})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]


def test_a_password_change_ends_the_other_sessions_and_keeps_ones_own(app, make_user):
    user = make_user("auditor")
    here, there = sign_in(app, user), sign_in(app, user)
    assert signed_in(here) and signed_in(there)
    change_own_password(here)
    assert not signed_in(there)  # the other computer's next request goes to the sign-in page
    assert signed_in(here)  # the person who changed it carries on
    assert signed_in(sign_in_with(app, user.email, NEW_PASSWORD))


def sign_in_with(app, email: str, password: str):
    browser = app.test_client()
    assert browser.post("/login", data={"email": email, "password": password}).status_code == 302
    return browser


def test_a_copied_session_cookie_stops_working_after_sign_out(app, make_user):
    user = make_user("coordinator")
    owner = sign_in(app, user)
    thief = with_cookie(app, SESSION, cookie(owner, SESSION))
    assert signed_in(thief)  # a copy works as long as the session does …
    assert owner.post("/logout").status_code == 302
    assert not signed_in(thief)  # … and no longer once its owner signed out
    assert not signed_in(owner)


def test_sign_out_ends_every_session_of_the_account(app, make_user):
    user = make_user("auditor")
    office, home = sign_in(app, user), sign_in(app, user, remember=True)
    remembered = cookie(home, REMEMBER)
    office.post("/logout")
    assert not signed_in(home)
    assert not signed_in(with_cookie(app, REMEMBER, remembered))


def test_the_remember_me_cookie_stops_working_after_a_password_change(app, make_user):
    user = make_user("auditor")
    kept = cookie(sign_in(app, user, remember=True), REMEMBER)
    assert signed_in(with_cookie(app, REMEMBER, kept))  # the browser was closed: the cookie signs in
    change_own_password(sign_in(app, user))  # on another computer
    assert not signed_in(with_cookie(app, REMEMBER, kept))


def test_the_remember_me_cookie_stops_working_after_an_administrators_reset(app, make_user):
    user = make_user("auditor")
    kept = cookie(sign_in(app, user, remember=True), REMEMBER)
    session_copy = cookie(sign_in(app, user), SESSION)
    admin = sign_in(app, make_user("admin"))
    response = admin.post(f"/admin/users/{user.id}", data={
        "email": user.email, "name": "", "role": "auditor", "body_id": "0", "password": NEW_PASSWORD, "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    assert not signed_in(with_cookie(app, REMEMBER, kept))
    assert not signed_in(with_cookie(app, SESSION, session_copy))
    assert signed_in(admin)  # the administrator's own session is not touched
    # an edit that sets no password ends nothing
    again = sign_in_with(app, user.email, NEW_PASSWORD)
    admin.post(f"/admin/users/{user.id}", data={
        "email": user.email, "name": "Renamed", "role": "auditor", "body_id": "0", "password": "", "active": "y"})
    assert db.session.get(User, user.id).name == "Renamed"
    assert signed_in(again)


def test_an_administrator_who_resets_their_own_password_stays_signed_in(app, make_user):
    admin = make_user("admin")
    here, there = sign_in(app, admin), sign_in(app, admin)
    response = here.post(f"/admin/users/{admin.id}", data={
        "email": admin.email, "name": "", "role": "admin", "body_id": "0", "password": NEW_PASSWORD, "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    assert signed_in(here) and not signed_in(there)


def test_ones_own_remember_me_cookie_is_renewed_with_ones_own_password_change(app, make_user):
    user = make_user("auditor")
    browser = sign_in(app, user, remember=True)
    old = cookie(browser, REMEMBER)
    change_own_password(browser)
    new = cookie(browser, REMEMBER)
    assert new != old
    assert signed_in(with_cookie(app, REMEMBER, new))  # closing the browser keeps the person signed in
    assert not signed_in(with_cookie(app, REMEMBER, old))


def test_disabling_ends_the_sessions_even_if_the_account_is_enabled_again(app, make_user):
    user = make_user("auditor")
    copy = cookie(sign_in(app, user, remember=True), REMEMBER)
    admin = sign_in(app, make_user("admin"))
    form = {"email": user.email, "name": "", "role": "auditor", "body_id": "0", "password": ""}
    assert admin.post(f"/admin/users/{user.id}", data=form).status_code == 302  # "active" unticked
    assert admin.post(f"/admin/users/{user.id}", data={**form, "active": "y"}).status_code == 302
    assert db.session.get(User, user.id).active
    assert not signed_in(with_cookie(app, REMEMBER, copy))


def test_a_session_naming_only_the_account_id_signs_nobody_in(app, make_user):
    """Sessions made before accounts had a token held the bare id: after the upgrade they name nobody."""
    user = make_user("auditor")
    browser = sign_in(app, user)
    with browser.session_transaction() as session:
        assert session["_user_id"] == f"{user.id}:{user.session_token}"
        session["_user_id"] = str(user.id)
    assert not signed_in(browser)
    with browser.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{'0' * 64}"
    assert not signed_in(browser)


def test_the_migration_gives_every_existing_account_a_token_of_its_own(app):
    """Down to the revision before, accounts written as they were, then up again."""
    directory = str(ROOT / "migrations")
    flask_migrate.downgrade(directory=directory, revision="b3e9f1c2d4a6")
    with db.engine.begin() as connection:
        assert "session_token" not in _columns(connection)
        for number in range(3):
            connection.execute(text(
                "INSERT INTO user_account (email, name, password_hash, role, is_demo, active, created_at) "
                "VALUES (:email, '', 'x', 'auditor', false, true, CURRENT_TIMESTAMP)"), {"email": f"old{number}@test.example"})
    flask_migrate.upgrade(directory=directory)
    with db.engine.connect() as connection:
        tokens = connection.execute(text("SELECT session_token FROM user_account")).scalars().all()
    assert len(tokens) == 3 and len(set(tokens)) == 3
    assert all(re.fullmatch(r"[0-9a-f]{64}", token) for token in tokens)


def _columns(connection) -> set[str]:
    from sqlalchemy import inspect

    return {column["name"] for column in inspect(connection).get_columns("user_account")}
