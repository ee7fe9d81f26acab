"""Who may do what, by account role. Every view asks these functions; nothing is decided in
templates alone. (Who may report on an activity depends on the body too: tracker.reports.permissions.)"""

from functools import wraps

from flask import abort
from flask_login import current_user

from tracker.auth.models import AccountRole, User

MIN_PASSWORD_LENGTH = 8


def can_manage_accounts(user: User) -> bool:
    return user.is_authenticated and user.role == AccountRole.ADMIN


def can_edit_plans(user: User) -> bool:
    """Import, correct, create plans; resolve warnings; assign executors."""
    return user.is_authenticated and user.role == AccountRole.COORDINATOR


def can_review(user: User) -> bool:
    return user.is_authenticated and user.role == AccountRole.COORDINATOR


def require(predicate):
    """@require(can_edit_plans): 403 for a signed-in user the predicate refuses."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
