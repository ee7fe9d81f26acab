"""The feeds (open to anyone holding the secret URL: a calendar program cannot sign in) and the
account page's buttons that make, renew and revoke them."""

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.executors.models import Body
from tracker.extensions import db
from tracker.feeds import operations
from tracker.feeds.calendar import feed_calendar
from tracker.feeds.models import FeedToken

bp = Blueprint("feeds", __name__)


@bp.get("/feeds/<token>.ics")
def feed(token: str):
    found = operations.feed_of_token(token)
    if found is None:
        abort(404)
    response = Response(feed_calendar(found), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="tracker.ics"'
    response.headers["Cache-Control"] = "private, max-age=900"
    # the URL is the secret: it must not travel on in a Referer from the portal's links
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _own(feed_id: int) -> FeedToken:
    found = db.session.get(FeedToken, feed_id)
    if found is None or found.account_id != current_user.id or found.revoked_at is not None:
        abort(404)
    return found


@bp.post("/account/feeds")
def make_feed():
    body_id = request.form.get("body_id", type=int)
    try:
        operations.make_feed(current_user, request.form.get("scope", ""),
                             db.session.get(Body, body_id) if body_id else None)
    except operations.FeedError as exc:
        flash(str(exc), "error")
    else:
        flash(_("The calendar feed is made; copy its address into your calendar program."))
    return redirect(url_for("auth.account") + "#feeds")


@bp.post("/account/feeds/<int:feed_id>/regenerate")
def regenerate_feed(feed_id: int):
    operations.regenerate(_own(feed_id))
    flash(_("The feed has a new address; the old one no longer works."))
    return redirect(url_for("auth.account") + "#feeds")


@bp.post("/account/feeds/<int:feed_id>/revoke")
def revoke_feed(feed_id: int):
    operations.revoke(_own(feed_id))
    flash(_("The feed is revoked; its address no longer works."))
    return redirect(url_for("auth.account") + "#feeds")
