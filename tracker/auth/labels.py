"""Account roles as people read them (the accounts page, the account form)."""

from flask_babel import lazy_gettext as _l

from tracker.auth.models import AccountRole


def role_labels() -> dict[str, str]:
    return {AccountRole.ADMIN: _l("Administrator"), AccountRole.COORDINATOR: _l("Coordinator"),
            AccountRole.EXECUTOR: _l("Executor"), AccountRole.AUDITOR: _l("Auditor")}
