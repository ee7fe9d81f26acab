"""Accounts: create, change, find the body an executor works for; who a password or a session
belongs to."""

from flask_babel import gettext as _
from sqlalchemy import select

from tracker import history
from tracker.auth.models import ROLES, AccountRole, User, spend_a_password_check
from tracker.auth.passwords import password_problem
from tracker.core.text import norm
from tracker.executors.models import Body, BodyAlias
from tracker.extensions import db


class AccountError(ValueError):
    """Why an account cannot be made or changed, naming the field."""


class WeakPassword(AccountError):
    """The new password is refused (tracker.auth.passwords says why); shown at the password field."""


def normal_email(email: str | None) -> str:
    return (email or "").strip().lower()


def check_new_password(password: str, *, email: str, name: str | None) -> None:
    if problem := password_problem(password, email=email, name=name):
        raise WeakPassword(problem)


def find_body(text: str) -> Body:
    """A body by id, full name (Kazakh or Russian), abbreviation or any alias a plan used.
    Ambiguity (ДСБ is the health department of several regions) is an error listing the candidates."""
    text = (text or "").strip()
    if text.isdigit():
        body = db.session.get(Body, int(text))
        if body is None:
            raise AccountError(_("No body with id %(id)s.", id=text))
        return body
    key = norm(text)
    # Compared in Python: SQLite's lower() folds only ASCII letters, and the names are Cyrillic.
    wanted = text.lower()
    candidates = {b.id: b for b in db.session.scalars(select(Body).order_by(Body.id))
                  if wanted in {n.lower() for n in (b.name, b.name_ru, b.abbreviation) if n}}
    if not candidates:
        for alias in db.session.scalars(select(BodyAlias).where(BodyAlias.normalized == key)):
            candidates[alias.body_id] = alias.body
    if not candidates:
        raise AccountError(_("No body is called «%(text)s».", text=text))
    if len(candidates) > 1:
        listed = "; ".join(f"{b.id}: {b.label}, {b.region}" for b in candidates.values())
        raise AccountError(_("«%(text)s» names several bodies — give the id: %(list)s", text=text, list=listed))
    return next(iter(candidates.values()))


def _check(email: str, role: str, body: Body | None, password: str | None, user_id: int | None = None,
           name: str | None = None) -> str:
    email = normal_email(email)
    if "@" not in email or "." not in email.split("@")[-1]:
        raise AccountError(_("E-mail: «%(email)s» is not an e-mail address.", email=email))
    if role not in ROLES:
        raise AccountError(_("Role: «%(role)s» is not one of %(roles)s.", role=role, roles=", ".join(ROLES)))
    if role == AccountRole.EXECUTOR and body is None:
        raise AccountError(_("Body: an executor account must belong to a body."))
    if password is not None:
        check_new_password(password, email=email, name=name)
    clash = db.session.scalar(select(User).where(User.email == email))
    if clash is not None and clash.id != user_id:
        raise AccountError(_("E-mail: %(email)s already has an account.", email=email))
    return email


def create_user(*, email: str, role: str, password: str, body: Body | None = None, name: str = "",
                is_demo: bool = False, actor: User | None = None) -> User:
    email = _check(email, role, body, password, name=name)
    user = User(email=email, role=role, body=body if role == AccountRole.EXECUTOR else None, name=(name or "").strip(),
                is_demo=is_demo, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    history.record("account.created", account=user, body=user.body, actor=actor,
                   details={"email": email, "role": role, "body": body.label if body and role == AccountRole.EXECUTOR else None})
    db.session.commit()
    return user


def update_user(user: User, *, email: str, role: str, body: Body | None, name: str, active: bool,
                password: str | None, actor: User) -> dict:
    email = _check(email, role, body, password or None, user.id, name=name)
    if user.id == actor.id and (role != AccountRole.ADMIN or not active):
        raise AccountError(_("You cannot take away your own administrator role or disable yourself."))
    before_body = user.body.label if user.body else None
    diff = history.changed(user, email=email, role=role, name=(name or "").strip(), active=active,
                           body_id=body.id if body and role == AccountRole.EXECUTOR else None)
    if "body_id" in diff:
        diff["body_id"] = (before_body, body.label if body and role == AccountRole.EXECUTOR else None)
    if password:
        user.set_password(password)  # which ends the account's sessions: a reset locks out whoever had it
        diff["password"] = ("•••", "••• (new)")
    elif "active" in diff and not active:
        # Disabled accounts are refused at every request anyway; a new token keeps their old
        # sessions dead if the account is enabled again.
        user.end_sessions()
    if diff:
        history.record("account.edited", account=user, actor=actor, changes=diff)
    db.session.commit()
    return diff


def change_own_password(user: User, current: str, new: str) -> None:
    """The account's other sessions and remember-me cookies end (set_password); the caller signs
    this session in again (tracker.auth.routes.password)."""
    if not user.check_password(current):
        raise AccountError(_("Current password: it is not right."))
    check_new_password(new, email=user.email, name=user.name)
    user.set_password(new)
    history.record("account.password_changed", account=user, actor=user)
    db.session.commit()


def authenticate(email: str, password: str) -> User | None:
    """The account of this e-mail if `password` is its password (disabled or not: the caller says
    which), else None. An e-mail without an account costs the same password check as a wrong
    password, so the time of the answer does not tell which addresses have accounts."""
    user = db.session.scalar(select(User).where(User.email == normal_email(email)))
    if user is None:
        spend_a_password_check(password)
        return None
    return user if user.check_password(password) else None


def end_sessions(user: User) -> None:
    """Signing out ends every session of the account, on every computer, and its remember-me
    cookies: after a cookie was copied or stolen, that is what signing out must mean."""
    user.end_sessions()
    db.session.commit()


def account_of_session(value: str) -> User | None:
    """Flask-Login's user loader: "<id>:<token>" from a session or a remember-me cookie names an
    account only while the token is the account's current one (a plain id, from before sessions
    carried a token, names nobody)."""
    account_id, _sep, token = (value or "").partition(":")
    if not account_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(account_id))
    return user if user is not None and user.has_session_token(token) else None


def remember_language_at_login(user: User, session) -> None:
    """The account's language follows its person: once signed in, the language they last chose
    (on any computer) is used; an account that never chose keeps the one of this visit."""
    if user.language:
        session["lang"] = user.language
    elif session.get("lang"):
        user.language = session["lang"]
        db.session.commit()
