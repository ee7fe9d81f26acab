"""The session of the browser at hand, once the account's token changed under it."""

from flask import current_app, request
from flask_login import login_user
from flask_login.config import COOKIE_NAME

from tracker.auth.models import User


def renew_session(user: User) -> None:
    """Sign this browser in again under the account's new token: a password change ends every
    session of the account, this one included, but the person who made it carries on. A browser
    that had a remember-me cookie gets a new one."""
    remembered = bool(request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)))
    login_user(user, remember=remembered)
