"""What an administrator changes in the registry of bodies (accounts: tracker.auth.operations)."""

from flask_babel import gettext as _

from tracker import history
from tracker.auth.models import User
from tracker.executors.models import Body
from tracker.extensions import db


class RegistryError(ValueError):
    """Why a body cannot be saved so, naming the field."""


def edit_body(body: Body, *, name: str, name_ru: str | None, abbreviation: str | None, actor: User) -> dict:
    name = (name or "").strip()
    if not name:
        raise RegistryError(_("Full name (Kazakh): it is empty."))
    diff = history.changed(body, name=name, name_ru=(name_ru or "").strip() or None,
                           abbreviation=(abbreviation or "").strip() or None)
    if diff:
        history.record("body.edited", body=body, actor=actor, changes=diff)
    db.session.commit()
    return diff
