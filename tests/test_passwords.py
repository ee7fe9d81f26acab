"""Weak passwords are refused wherever a password is set — `users create`, the administrator's
account form (a new account and a reset), one's own password — with the reason in words."""

import pytest
from flask_babel import gettext
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tracker.auth.models import User
from tracker.auth.passwords import password_problem
from tracker.demo.accounts import DEMO_DOMAIN, DEMO_PASSWORD
from tracker.extensions import db

COMMON = "Password: too common — it is in the list of the most used passwords."
BUILT_ON_COMMON = "Password: built on one of the most used passwords; add more words."
RUN = "Password: a run of one character (like «aaaaaaaa»)."
REPEATED = "Password: the same characters repeated (like «abcabcabc»)."
SEQUENCE = "Password: a sequence (like «12345678» or «abcdefgh»)."
KEYBOARD = "Password: neighbouring keys of the keyboard (like «qwertyui» or «1qaz2wsx»)."
PERSONAL = "Password: it contains the e-mail name or the name of the account; choose one that does not."
SHORT = ("Password: at least %(n)s characters.", {"n": 8})


@pytest.mark.parametrize("password, reason", [
    ("12345678", COMMON), ("password", COMMON), ("qwertyuiop", COMMON), ("iloveyou", COMMON),
    ("dragon2024", BUILT_ON_COMMON),
    ("aaaaaaaa", RUN), ("zzzzzzzzzzzz", RUN),
    ("abcabcabc", REPEATED), ("20242024", REPEATED),
    ("abcdefgh", SEQUENCE), ("98765432", SEQUENCE),
    ("zxcvbnm,", KEYBOARD),
    # typed on the Russian (and Kazakh) layout: "йцукенгш" is the keys of "qwertyui", "пароль" of "gfhjkm"
    ("йцукенгш", COMMON), ("пароль12", COMMON),
    ("short", SHORT),
])
def test_weak_passwords_are_refused_with_the_reason(app, password, reason):
    msgid, values = reason if isinstance(reason, tuple) else (reason, {})
    assert password_problem(password, email="someone@test.example") == gettext(msgid, **values)


def test_a_password_made_of_the_accounts_email_name_or_name_is_refused(app):
    assert password_problem("Sadykova-2026!", email="aigul.sadykova@gov.example") == gettext(PERSONAL)
    assert password_problem("my-AIGUL.SADYKOVA-x", email="aigul.sadykova@gov.example") == gettext(PERSONAL)
    assert password_problem("бухгалтерия-2026", email="b1@gov.example", name="Бухгалтерия облысы") == gettext(PERSONAL)
    # the domain is not the person's: a password may share a word with it
    assert password_problem("restored-pass-1", email="auditor@restored.example") is None


def test_the_passwords_the_portal_ships_with_pass(app):
    for password, email in [(PASSWORD, "auditor1@test.example"), (DEMO_PASSWORD, f"admin@{DEMO_DOMAIN}"),
                            (DEMO_PASSWORD, f"executor-12@{DEMO_DOMAIN}"), ("long-enough-1", "psy@test.example"),
                            ("a few unrelated words", "x@test.example"), ("Жаңа-құпия-сөз-2026", "x@test.example")]:
        assert password_problem(password, email=email) is None, password


def accounts() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_users_create_refuses_a_common_password(runner):
    result = runner.invoke(args=["users", "create", "--email", "weak@test.example", "--role", "auditor",
                                 "--password", "12345678"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: " + gettext(COMMON)
    assert accounts() == 0


def english(client) -> None:
    client.get("/login?lang=en")


def user_form(**values) -> dict:
    return {"email": "", "name": "", "role": "auditor", "body_id": "0", "password": "", "active": "y", **values}


def test_the_administrator_cannot_give_a_weak_password(client, login, make_user):
    english(client)
    login("admin")
    response = client.post("/admin/users/new", data=user_form(email="weak@test.example", password="password"))
    assert response.status_code == 200 and COMMON in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "weak@test.example")) is None

    colleague = make_user("auditor", email="colleague@test.example")
    for weak, reason in (("aaaaaaaa", RUN), ("colleague-2026", PERSONAL)):
        response = client.post(f"/admin/users/{colleague.id}", data=user_form(email=colleague.email, password=weak))
        assert response.status_code == 200 and reason in response.get_data(as_text=True), weak
    db.session.expire_all()
    assert db.session.get(User, colleague.id).check_password(PASSWORD)

    response = client.post(f"/admin/users/{colleague.id}", data=user_form(email=colleague.email,
                                                                         password="a-new-pass-phrase-7"))
    assert response.status_code == 302


def test_ones_own_new_password_must_not_be_weak(client, login):
    english(client)
    user = login("auditor")
    response = client.post("/account/password", data={"current": PASSWORD, "new": "abcdefgh", "repeat": "abcdefgh"})
    assert response.status_code == 200 and SEQUENCE in response.get_data(as_text=True)
    assert db.session.get(User, user.id).check_password(PASSWORD)


@pytest.mark.parametrize("lang, words", [("kk", "ең жиі қолданылатын"), ("ru", "самых распространённых")])
def test_the_reason_is_said_in_kazakh_and_russian(client, login, lang, words):
    login("auditor")
    client.get(f"/?lang={lang}")
    response = client.post("/account/password", data={"current": PASSWORD, "new": "12345678", "repeat": "12345678"})
    assert response.status_code == 200 and words in response.get_data(as_text=True)
