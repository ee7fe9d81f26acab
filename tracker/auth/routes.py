"""Sign in and out, and one's own password. (The administrators' screens are tracker.admin.)"""

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from tracker.auth import operations
from tracker.auth.forms import LoginForm, PasswordForm
from tracker.auth.models import User
from tracker.core.urls import is_local_path
from tracker.extensions import db, limiter

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only paths inside the portal: an absolute URL here would send the user elsewhere after login.
    if is_local_path(target):
        return target
    return url_for("progress.index")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response) -> bool:
    # Only a refused password counts towards a lockout (the form comes back with 200), not a
    # successful sign-in (302) nor an outage (503).
    return response.status_code == 200


def _account_key() -> str:
    return "login-account:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
# Password guessing is slowed twice over: per address, and per account from any address.
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed, key_func=_account_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("progress.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data.strip().lower()))
        if user is None or not user.check_password(form.password.data):
            form.password.errors.append(_("E-mail or password is wrong."))
        elif not user.active:
            form.email.errors.append(_("This account is disabled; ask an administrator."))
        else:
            login_user(user, remember=form.remember.data)
            operations.remember_language_at_login(user, session)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You are signed out."))
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            operations.change_own_password(current_user, form.current.data, form.new.data)
        except operations.AccountError as exc:
            form.current.errors.append(str(exc))
        else:
            flash(_("Your password is changed."))
            return redirect(url_for("progress.index"))
    return render_template("auth/password.html", form=form)
