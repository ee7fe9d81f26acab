"""Accounts: the `users` commands, signing in, one's own password, the administrator's pages."""

import re

import pytest
from flask import g
from flask_babel import gettext
from sqlalchemy import func, select

from tests.conftest import KARAGANDA, KOSTANAY, PASSWORD
from tracker.auth.models import User
from tracker.demo.accounts import DEMO_DOMAIN, DEMO_PASSWORD
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.history.models import HistoryEntry


@pytest.fixture
def seeded(seed_plans):
    seed_plans(KOSTANAY, KARAGANDA)


def body(region: str, abbreviation: str) -> Body:
    return db.session.scalar(select(Body).where(Body.region == region, Body.abbreviation == abbreviation))


def accounts() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def account(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def english(client) -> None:
    """Messages are asserted in English; the page language is chosen before signing in."""
    client.get("/login?lang=en")


def history_of(html: str) -> list[str]:
    return re.findall(r'data-action="([\w.]+)"', html)


# --- `flask users create` ---------------------------------------------------------------------


def create(runner, *args):
    return runner.invoke(args=["users", "create", *args])


def test_create_an_executor_by_a_unique_abbreviation(runner, seeded):
    result = create(runner, "--email", "Psy@Test.Example", "--role", "executor", "--body", "ПҚжҚББӨО",
                    "--password", "long-enough-1")
    assert result.exit_code == 0, result.output
    user = account("psy@test.example")  # stored lower-case
    assert user.role == "executor" and user.body.abbreviation == "ПҚжҚББӨО"
    assert user.body.region == "Қостанай облысы" and user.check_password("long-enough-1")
    assert "created executor psy@test.example for" in result.output and "Қостанай облысы" in result.output


def test_create_by_full_name_in_another_case(runner, seeded):
    result = create(runner, "--email", "full@test.example", "--role", "executor", "--body",
                    "ҚАРАҒАНДЫ ОБЛЫСЫНЫҢ БІЛІМ БАСҚАРМАСЫ", "--password", "long-enough-1")
    assert result.exit_code == 0, result.output
    assert account("full@test.example").body_id == body("Қарағанды облысы", "ББ").id


def test_an_abbreviation_of_two_regions_is_ambiguous(runner, seeded):
    kostanay, karaganda = body("Қостанай облысы", "ББ"), body("Қарағанды облысы", "ББ")
    result = create(runner, "--email", "bb@test.example", "--role", "executor", "--body", "ББ",
                    "--password", "long-enough-1")
    assert result.exit_code == 1
    listed = f"{kostanay.id}: {kostanay.label}, Қостанай облысы; {karaganda.id}: {karaganda.label}, Қарағанды облысы"
    assert result.output.strip() == "error: " + gettext(
        "«%(text)s» names several bodies — give the id: %(list)s", text="ББ", list=listed)
    assert account("bb@test.example") is None

    by_id = create(runner, "--email", "bb@test.example", "--role", "executor", "--body", str(karaganda.id),
                   "--password", "long-enough-1")
    assert by_id.exit_code == 0, by_id.output
    assert account("bb@test.example").body_id == karaganda.id


@pytest.mark.parametrize("args, message", [
    (["--role", "executor", "--body", "Жоқ басқарма"], ("No body is called «%(text)s».", {"text": "Жоқ басқарма"})),
    (["--role", "executor", "--body", "999999"], ("No body with id %(id)s.", {"id": "999999"})),
    (["--role", "executor"], ("Body: an executor account must belong to a body.", {})),
    (["--role", "auditor", "--password", "short"], ("Password: at least %(n)s characters.", {"n": 8})),
    (["--role", "auditor", "--password", "password"],
     ("Password: too common — it is in the list of the most used passwords.", {})),
    (["--role", "auditor", "--password", "refused-2026"],  # the e-mail name
     ("Password: it contains the e-mail name or the name of the account; choose one that does not.", {})),
], ids=["unknown-body", "unknown-id", "executor-without-body", "short-password", "common-password",
        "email-name-password"])
def test_create_refuses(runner, seeded, args, message):
    if "--password" not in args:
        args = [*args, "--password", "long-enough-1"]
    result = create(runner, "--email", "refused@test.example", *args)
    assert result.exit_code == 1
    msgid, values = message
    assert result.output.strip() == "error: " + gettext(msgid, **values)
    assert accounts() == 0


def test_create_refuses_a_duplicate_email(runner, make_user):
    make_user("auditor", email="taken@test.example")
    result = create(runner, "--email", "TAKEN@test.example", "--role", "coordinator", "--password", "long-enough-1")
    assert result.exit_code == 1
    assert result.output.strip() == "error: " + gettext("E-mail: %(email)s already has an account.",
                                                         email="taken@test.example")
    assert accounts() == 1 and account("taken@test.example").role == "auditor"


def test_users_demo_is_idempotent(runner, seeded):
    first = runner.invoke(args=["users", "demo"])
    assert first.exit_code == 0, first.output
    made = accounts()
    assert made == 7  # admin, coordinator, auditor and four executors of the busiest lead bodies
    second = runner.invoke(args=["users", "demo"])
    assert second.exit_code == 0 and accounts() == made
    users = db.session.scalars(select(User)).all()
    assert all(u.is_demo and u.email.endswith("@" + DEMO_DOMAIN) for u in users)
    assert {u.role for u in users} == {"admin", "coordinator", "auditor", "executor"}
    assert all(u.body is not None for u in users if u.role == "executor")
    assert DEMO_PASSWORD in second.output
    assert all(u.check_password(DEMO_PASSWORD) for u in users)


def test_demo_accounts_are_marked_on_the_accounts_page(runner, seeded, client, login):
    runner.invoke(args=["users", "demo"])
    login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert page.count('class="tag demo"') == 7  # the signed-in admin is not a demo account


# --- signing in --------------------------------------------------------------------------------


def test_wrong_password_shows_an_error(client, make_user):
    user = make_user("auditor")
    english(client)
    for email, password in [(user.email, "not-the-password"), ("nobody@test.example", PASSWORD)]:
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 200
        assert "E-mail or password is wrong." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_the_email_is_not_case_sensitive(client, make_user):
    user = make_user("auditor", email="mixed@test.example")
    response = client.post("/login", data={"email": "  MIXED@Test.Example ", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert user.active


def test_a_disabled_account_cannot_sign_in(client, make_user):
    user = make_user("auditor")
    user.active = False
    db.session.commit()
    english(client)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "This account is disabled; ask an administrator." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_disabled_account_is_signed_out_at_its_next_request(app, client, make_user, login):
    user = login("auditor")
    assert client.get("/").status_code == 200
    user.active = False
    db.session.commit()
    # The test shares one application context between requests; the real server gives each
    # request its own, so the signed-in user is loaded again from the session.
    g.pop("_login_user", None)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("target, expected", [
    ("/plans/1", "/plans/1"),
    ("/admin/users?x=1", "/admin/users?x=1"),
    ("http://evil.example/", "/"),
    ("https://evil.example/plans", "/"),
    ("//evil.example/", "/"),
    ("/\t/evil.example/", "/"),
    ("javascript:alert(1)", "/"),
    ("", "/"),
])
def test_next_redirects_only_inside_the_portal(client, make_user, target, expected):
    user = make_user("auditor")
    response = client.post("/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_the_login_page_remembers_where_the_visitor_was_going(client, make_user):
    user = make_user("auditor")
    bounced = client.get("/admin/bodies")
    assert bounced.status_code == 302
    login_url = bounced.headers["Location"]
    assert login_url == "/login?next=%2Fadmin%2Fbodies"
    response = client.post(login_url, data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/admin/bodies"


def test_a_signed_in_user_going_to_login_is_sent_home(client, login):
    login("auditor")
    response = client.get("/login")
    assert response.status_code == 302 and response.headers["Location"] == "/"


# --- one's own password ---------------------------------------------------------------------------


def test_change_own_password(client, make_user, login):
    english(client)
    user = login("auditor")
    wrong = client.post("/account/password", data={"current": "not-it-at-all", "new": "a-new-password",
                                                    "repeat": "a-new-password"})
    assert wrong.status_code == 200 and "Current password: it is not right." in wrong.get_data(as_text=True)
    differ = client.post("/account/password", data={"current": PASSWORD, "new": "a-new-password",
                                                     "repeat": "another-password"})
    assert "The two new passwords differ." in differ.get_data(as_text=True)
    short = client.post("/account/password", data={"current": PASSWORD, "new": "short", "repeat": "short"})
    assert short.status_code == 200
    assert db.session.get(User, user.id).check_password(PASSWORD)

    changed = client.post("/account/password", data={"current": PASSWORD, "new": "a-new-password",
                                                      "repeat": "a-new-password"})
    assert changed.status_code == 302 and changed.headers["Location"] == "/"
    actions = db.session.scalars(select(HistoryEntry.action).where(HistoryEntry.account_id == user.id)).all()
    assert actions == ["account.created", "account.password_changed"]

    client.post("/logout")
    old = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert old.status_code == 200 and "E-mail or password is wrong." in old.get_data(as_text=True)
    new = client.post("/login", data={"email": user.email, "password": "a-new-password"})
    assert new.status_code == 302


# --- the administrator's pages ----------------------------------------------------------------------


def user_form(**values) -> dict:
    data = {"email": "", "name": "", "role": "auditor", "body_id": "0", "password": "", "active": "y"}
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_creates_and_edits_an_account(client, login, seeded):
    english(client)
    admin = login("admin")
    kostanay_bb = body("Қостанай облысы", "ББ")
    response = client.post("/admin/users/new", data=user_form(
        email="new.person@test.example", name="Бөлім басшысы", role="executor", body_id=str(kostanay_bb.id),
        password="long-enough-1"))
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    created = account("new.person@test.example")
    assert (created.role, created.body_id, created.name, created.active) == (
        "executor", kostanay_bb.id, "Бөлім басшысы", True)
    assert "new.person@test.example" in client.get("/admin/users").get_data(as_text=True)

    page = client.get(f"/admin/users/{created.id}").get_data(as_text=True)
    assert history_of(page) == ["account.created"]
    assert admin.email in page  # the history names who did it

    # Role change (the body goes with the executor role) and disabling, in one save.
    response = client.post(f"/admin/users/{created.id}", data=user_form(
        email="new.person@test.example", name="Бөлім басшысы", role="coordinator", body_id=str(kostanay_bb.id),
        active=None))
    assert response.status_code == 302
    edited = db.session.get(User, created.id)
    assert (edited.role, edited.body_id, edited.active) == ("coordinator", None, False)
    assert edited.check_password("long-enough-1")  # an empty password field keeps the password
    page = client.get(f"/admin/users/{created.id}").get_data(as_text=True)
    assert history_of(page) == ["account.edited", "account.created"]
    entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.account_id == created.id,
                                                         HistoryEntry.action == "account.edited"))
    assert entry.changes["role"] == ["executor", "coordinator"]
    assert entry.changes["active"] == [True, False]
    assert entry.changes["body_id"] == [kostanay_bb.label, None]
    assert entry.user_id == admin.id
    assert "<del>executor</del> → <ins>coordinator</ins>" in page  # the change is shown, before → after

    # The disabled account cannot sign in any more.
    client.post("/logout")
    refused = client.post("/login", data={"email": "new.person@test.example", "password": "long-enough-1"})
    assert "This account is disabled" in refused.get_data(as_text=True)


def test_admin_form_refusals(client, login, make_user):
    english(client)
    login("admin")
    make_user("auditor", email="taken@test.example")
    cases = [
        (user_form(email="exec@test.example", role="executor", password="long-enough-1"),
         "an executor account must belong to a body"),
        (user_form(email="nopass@test.example"), "A new account needs a password."),
        (user_form(email="taken@test.example", password="long-enough-1"), "already has an account"),
        (user_form(email="not-an-email", password="long-enough-1"), "Not an e-mail address."),
    ]
    before = accounts()
    for data, message in cases:
        response = client.post("/admin/users/new", data=data)
        assert response.status_code == 200, data
        assert message in response.get_data(as_text=True), data
    assert accounts() == before


def test_an_admin_cannot_disable_or_demote_themself(client, login):
    english(client)
    admin = login("admin")
    for change in ({"role": "admin", "active": None}, {"role": "auditor"}):
        response = client.post(f"/admin/users/{admin.id}", data=user_form(email=admin.email, **change))
        assert response.status_code == 200
        assert "You cannot take away your own administrator role or disable yourself." in response.get_data(
            as_text=True)
    me = db.session.get(User, admin.id)
    assert me.active and me.role == "admin"
    assert db.session.scalar(select(func.count()).select_from(HistoryEntry).where(
        HistoryEntry.action == "account.edited")) == 0


def test_admin_edits_a_body_and_the_history_records_it(client, login, seeded):
    admin = login("admin")
    item = body("Қарағанды облысы", "ББ")
    old_name_ru = item.name_ru
    response = client.post(f"/admin/bodies/{item.id}", data={
        "name": item.name, "name_ru": "Управление образования Карагандинской области", "abbreviation": "ББ"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/bodies"
    assert db.session.get(Body, item.id).name_ru == "Управление образования Карагандинской области"
    page = client.get(f"/admin/bodies/{item.id}").get_data(as_text=True)
    assert history_of(page) == ["body.edited"]
    entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.action == "body.edited"))
    assert entry.body_id == item.id and entry.user_id == admin.id
    assert entry.changes == {"name_ru": [old_name_ru, "Управление образования Карагандинской области"]}
    # The other region's ББ is a different body and did not change.
    assert body("Қостанай облысы", "ББ").name_ru == old_name_ru

    empty = client.post(f"/admin/bodies/{item.id}", data={"name": "", "name_ru": "", "abbreviation": ""})
    assert empty.status_code == 200
    assert db.session.get(Body, item.id).name == item.name
