"""The secret tokens of calendar feeds."""

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.core.clock import now
from tracker.executors.models import Body
from tracker.extensions import db


class FeedScope(StrEnum):
    #: what concerns the account: its body's due dates (executors), escalations (coordinators)
    ACCOUNT = "account"
    #: every due date of one body
    BODY = "body"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class FeedToken(db.Model):
    """A feed's URL secret. Kept as written, because the account page shows the URL again; a
    revoked token answers 404 like one that never existed."""

    __tablename__ = "feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_feed_token)
    #: the account that made it (and may revoke it)
    account_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    #: a FeedScope
    scope: Mapped[str] = mapped_column(String(10))
    #: FeedScope.BODY: the body whose due dates it holds
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    account: Mapped[User] = relationship()
    body: Mapped[Body | None] = relationship()
