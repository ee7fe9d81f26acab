"""People who sign in, and what their role lets them do."""

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String
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

    body: Mapped[Body | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email
