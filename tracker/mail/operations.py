"""An account's choice of digest."""

from flask_babel import gettext as _

from tracker.extensions import db
from tracker.mail.models import DigestChoice, MailPreference


class PreferenceError(ValueError):
    pass


def choice_labels() -> dict[str, str]:
    return {DigestChoice.DAILY: _("Every working day: what is due in 14, 7, 3 and 1 working days, returned and overdue (overdue items weekly)"),
            DigestChoice.WEEKLY: _("Once a week, on the first working day: everything open"),
            DigestChoice.RETURNED_ONLY: _("Only returned reports")}


def set_digest_choice(account, choice: str) -> None:
    if choice not in set(DigestChoice):
        raise PreferenceError(_("Choose how often reminders come from the list."))
    row = db.session.get(MailPreference, account.id)
    if row is None:
        db.session.add(MailPreference(account_id=account.id, digest=choice))
    else:
        row.digest = choice
    db.session.commit()
