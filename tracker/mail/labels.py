"""The mail's words for pages, in the reader's language."""

from flask_babel import gettext as _

from tracker.mail.models import Delivery, ItemReason


def delivery_labels() -> dict[str, str]:
    return {Delivery.PENDING: _("waiting to be sent"), Delivery.SENDING: _("being sent"), Delivery.SENT: _("sent"),
            Delivery.FAILED: _("failed")}


def reason_labels() -> dict[str, str]:
    return {ItemReason.DUE: _("due soon"), ItemReason.RETURNED: _("returned"), ItemReason.OVERDUE: _("overdue"),
            ItemReason.ESCALATION: _("escalation")}
