"""The words of items on control in the reader's language (Jinja globals of tracker.app)."""

from flask_babel import gettext as _

from tracker.control.models import ExtensionState, OffControlGrounds


def extension_state_labels() -> dict[str, str]:
    return {ExtensionState.PENDING: _("awaiting the coordinator's decision"),
            ExtensionState.APPROVED: _("approved"), ExtensionState.REFUSED: _("refused")}


def grounds_labels() -> dict[str, str]:
    return {OffControlGrounds.EXECUTED: _("executed"), OffControlGrounds.LOST_RELEVANCE: _("lost relevance"),
            OffControlGrounds.SUPERSEDED: _("superseded by a decision")}
