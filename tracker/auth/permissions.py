"""Who may do what, by account role. Every view asks these functions; nothing is decided in
templates alone. (Who may report on an activity depends on the body too: tracker.plans.permissions.)"""

from functools import wraps

from flask import abort
from flask_login import current_user

from tracker.auth.models import AccountRole, User


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


def landing_endpoint(user: User) -> str:
    """Where a person lands after signing in: an executor on *My work* (what their body owes), a
    coordinator on the review inbox (what waits for them), everyone else on the list of plans."""
    if user.is_authenticated and user.role == AccountRole.EXECUTOR and user.body_id is not None:
        return "work.my_work"
    if user.is_authenticated and user.role == AccountRole.COORDINATOR:
        return "work.inbox"
    return "progress.index"
