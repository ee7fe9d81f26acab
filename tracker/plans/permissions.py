"""Who may report on an activity, and ask for its extensions: the rule is the body's part on the
activity, not only the account's role."""

from tracker.auth.models import AccountRole, User
from tracker.plans.models import Activity, ExecutorRole


def reporting_role(user: User, activity: Activity) -> ExecutorRole | None:
    """The part the user's body plays on the activity — LEAD (posts the report the coordinator
    reviews) or CO_EXECUTOR (posts a contribution to it) — or None when the user may not report
    on it at all (another body, or an account that is not an executor's)."""
    if not user.is_authenticated or user.role != AccountRole.EXECUTOR or user.body_id is None:
        return None
    roles = {e.role for e in activity.executors if e.body_id == user.body_id}
    if ExecutorRole.LEAD in roles:
        return ExecutorRole.LEAD
    return ExecutorRole.CO_EXECUTOR if roles else None
