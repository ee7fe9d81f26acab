"""Making, renewing and revoking feed tokens; which feeds an account may have."""

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.auth.models import AccountRole, User
from tracker.core.clock import now
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.feeds.models import FeedScope, FeedToken, new_feed_token


class FeedError(ValueError):
    pass


def has_account_feed(account: User) -> bool:
    """Executors (their body's due dates) and coordinators (escalated items) have one."""
    return (account.role == AccountRole.EXECUTOR and account.body_id is not None) or \
        account.role == AccountRole.COORDINATOR


def may_follow(account: User, body: Body) -> bool:
    """An executor makes feeds of its own body (say, for the department's shared calendar);
    coordinators, auditors and administrators of any body."""
    if account.role == AccountRole.EXECUTOR:
        return account.body_id == body.id
    return True


def live_feeds(account: User) -> list[FeedToken]:
    return list(db.session.scalars(select(FeedToken).where(FeedToken.account_id == account.id,
                                                           FeedToken.revoked_at.is_(None))
                                   .order_by(FeedToken.scope, FeedToken.id)))


def account_feed(account: User) -> FeedToken | None:
    return next((f for f in live_feeds(account) if f.scope == FeedScope.ACCOUNT), None)


def make_feed(account: User, scope: str, body: Body | None = None) -> FeedToken:
    if scope == FeedScope.ACCOUNT:
        if not has_account_feed(account):
            raise FeedError(_("Your role has no calendar feed of its own; make one for a body."))
        old = account_feed(account)
        if old is not None:  # one account feed at a time: a new one revokes the old URL
            old.revoked_at = now()
        feed = FeedToken(account_id=account.id, scope=FeedScope.ACCOUNT)
    elif scope == FeedScope.BODY:
        if body is None:
            raise FeedError(_("Choose the body from the list."))
        if not may_follow(account, body):
            raise FeedError(_("You may make a feed of your own body only."))
        feed = FeedToken(account_id=account.id, scope=FeedScope.BODY, body_id=body.id)
    else:
        raise FeedError(_("Unknown kind of feed."))
    db.session.add(feed)
    db.session.commit()
    return feed


def regenerate(feed: FeedToken) -> FeedToken:
    """A new secret for the same feed: the old URL stops working at once."""
    feed.revoked_at = now()
    fresh = FeedToken(account_id=feed.account_id, scope=feed.scope, body_id=feed.body_id, token=new_feed_token())
    db.session.add(fresh)
    db.session.commit()
    return fresh


def revoke(feed: FeedToken) -> None:
    feed.revoked_at = now()
    db.session.commit()


def feed_of_token(token: str) -> FeedToken | None:
    """The live feed of this token, or None (unknown, revoked, or its account disabled)."""
    if not token or len(token) > 64:
        return None
    feed = db.session.scalar(select(FeedToken).where(FeedToken.token == token))
    if feed is None or feed.revoked_at is not None or not feed.account.active:
        return None
    return feed


#: past this many bodies the account page asks for a body's number instead of listing them all
MAX_LISTED_BODIES = 500


def bodies_to_follow(account: User) -> list[Body] | None:
    """The bodies the account page offers for a feed (None: too many to list, ask for the number)."""
    if account.role == AccountRole.EXECUTOR:
        return [account.body] if account.body else []
    from sqlalchemy import func

    if (db.session.scalar(select(func.count()).select_from(Body)) or 0) > MAX_LISTED_BODIES:
        return None
    return list(db.session.scalars(select(Body).order_by(Body.region, Body.name)))


def feed_url(feed: FeedToken) -> str:
    from flask import current_app

    return f"{current_app.config['PORTAL_URL'].rstrip('/')}/feeds/{feed.token}.ics"
