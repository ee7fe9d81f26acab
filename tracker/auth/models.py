"""People who sign in, and what their role lets them do."""

import functools
import hmac
import secrets
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.core.clock import now
from tracker.executors.models import Body
from tracker.extensions import db


class AccountRole(StrEnum):
    """What an account may do (not the part a body plays on an activity, ExecutorRole)."""

    #: accounts and the body registry
    ADMIN = "admin"
    #: the deputy akim's office: plans and review
    COORDINATOR = "coordinator"
    #: staff of one Body: reports where that body is named on an activity
    EXECUTOR = "executor"
    #: reads everything, changes nothing
    AUDITOR = "auditor"


ROLES = tuple(AccountRole)


def new_session_token() -> str:
    return secrets.token_hex(32)


@functools.cache
def dummy_password_hash() -> str:
    """A hash of a random password, made once per process by the same function (so with the same
    method and cost) as the accounts' own: checked when there is no account for the e-mail."""
    return generate_password_hash(secrets.token_urlsafe(16))


def spend_a_password_check(password: str) -> None:
    """The work of a real check, for an e-mail that has no account: without it an unknown e-mail
    is answered in a fraction of the time a wrong password takes, and the time tells who has an
    account."""
    check_password_hash(dummy_password_hash(), password)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"  # "user" is a reserved word in PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the login, stored lower-case
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: how colleagues know the account: a position or a department, not necessarily a person
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    #: an AccountRole
    role: Mapped[str] = mapped_column(String(20))
    #: executors only: the body whose reports this account posts
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id"), index=True)
    #: accounts made by `users demo` for trying the portal out
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    #: a disabled account cannot sign in; accounts are never deleted (the history names them)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    #: the interface language the person last chose (kk, ru, en); None until they choose
    language: Mapped[str | None] = mapped_column(String(5))
    #: part of every session and remember-me cookie of the account (see get_id); a new one ends them all
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    #: executors only: the head of the account's body, told of escalations (tracker.mail.rules)
    is_head: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    body: Mapped[Body | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        # Flask-Login keeps this in the session and in the remember-me cookie. With the token in
        # it, a cookie copied or remembered before the password changed, or before a sign-out,
        # names a token the account no longer has, and tracker.auth.operations.account_of_session
        # refuses it.
        return f"{self.id}:{self.session_token}"

    def has_session_token(self, token: str) -> bool:
        # bytes: compare_digest refuses str with non-ASCII characters, and the token comes from a cookie
        return bool(self.session_token) and hmac.compare_digest(self.session_token.encode(), token.encode())

    def end_sessions(self) -> None:
        """Every session and remember-me cookie of the account stops working (at its next request)."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.end_sessions()  # whoever knew the old password, or held a cookie from then, is out

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email
