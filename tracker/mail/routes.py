"""The digest choice (posted from the account page) and the administrator's outbox: every message
the portal composed, how its delivery went, and what it said."""

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from tracker.auth.permissions import can_manage_accounts, require
from tracker.extensions import db
from tracker.mail import operations
from tracker.mail.models import Delivery, OutgoingMessage

bp = Blueprint("mail", __name__)

PAGE = 100


@bp.post("/account/reminders")
def set_preference():
    try:
        operations.set_digest_choice(current_user, request.form.get("digest", ""))
    except operations.PreferenceError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Your choice of reminders is saved."))
    return redirect(url_for("auth.account"))


@bp.get("/admin/outbox")
@require(can_manage_accounts)
def outbox():
    state = request.args.get("state") if request.args.get("state") in set(Delivery) else None
    page = max(1, request.args.get("page", 1, type=int))
    query = select(OutgoingMessage).order_by(OutgoingMessage.day.desc(), OutgoingMessage.id.desc())
    if state:
        query = query.where(OutgoingMessage.state == state)
    messages = db.session.scalars(query.limit(PAGE).offset((page - 1) * PAGE)).all()
    totals = dict(db.session.execute(select(OutgoingMessage.state, func.count()).group_by(OutgoingMessage.state)).all())
    transport = "smtp" if current_app.config.get("SMTP_HOST") else "outbox"
    return render_template("mail/outbox.html", messages=messages, state=state, page=page, totals=totals,
                           states=list(Delivery), page_size=PAGE, transport=transport,
                           outbox_dir=current_app.config["OUTBOX_DIR"])


@bp.get("/admin/outbox/<int:message_id>")
@require(can_manage_accounts)
def message(message_id: int):
    item = db.session.get(OutgoingMessage, message_id) or abort(404)
    return render_template("mail/message.html", message=item)


@bp.get("/admin/outbox/<int:message_id>.eml")
@require(can_manage_accounts)
def message_file(message_id: int):
    """The message as it went out (the outbox's file, or built again from the record)."""
    from tracker.mail.transport import build_email

    item = db.session.get(OutgoingMessage, message_id) or abort(404)
    data = None
    if item.outbox_file:
        folder = Path(current_app.config["OUTBOX_DIR"]).resolve()
        path = (folder / item.outbox_file).resolve()
        if path.is_relative_to(folder) and path.is_file():
            data = path.read_bytes()
    if data is None:
        data = build_email(item, current_app.config["MAIL_FROM"]).as_bytes()
    return Response(data, mimetype="message/rfc822",
                    headers={"Content-Disposition": f'attachment; filename="message-{item.id}.eml"'})
