"""Who may do what. Every view asks these functions; nothing is decided in templates alone."""

from functools import wraps

from flask import abort
from flask_login import current_user

from tracker.auth.models import User

MIN_PASSWORD_LENGTH = 8


def can_manage_accounts(user: User) -> bool:
    return user.is_authenticated and user.role == "admin"


def can_edit_plans(user: User) -> bool:
    """Import, correct, create plans; resolve warnings; assign executors."""
    return user.is_authenticated and user.role == "coordinator"


def can_review(user: User) -> bool:
    return user.is_authenticated and user.role == "coordinator"


def reporting_role(user: User, activity) -> str | None:
    """'lead' when the user's body leads the activity, 'co_executor' when it is named among the
    others, None when the user may not report on it at all."""
    if not user.is_authenticated or user.role != "executor" or user.body_id is None:
        return None
    roles = {e.role for e in activity.executors if e.body_id == user.body_id}
    if "lead" in roles:
        return "lead"
    return "co_executor" if roles else None


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
