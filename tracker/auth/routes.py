"""Sign in and out, and one's own password. (The administrators' screens are tracker.admin.)"""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from tracker.auth import operations
from tracker.auth.forms import LoginForm, PasswordForm
from tracker.auth.lockout import SignInAttempt
from tracker.auth.permissions import landing_endpoint
from tracker.auth.sessions import renew_session
from tracker.core.urls import is_local_path

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None, user) -> str:
    # Only paths inside the portal: an absolute URL here would send the user elsewhere after login.
    if is_local_path(target):
        return target
    return url_for(landing_endpoint(user))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for(landing_endpoint(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        email = operations.normal_email(form.email.data)
        # Password guessing is slowed twice over: per address, and per account from any address.
        with SignInAttempt(email) as attempt:
            user = operations.authenticate(email, form.password.data)
            if user is None:
                form.password.errors.append(_("E-mail or password is wrong."))
            elif not user.active:  # said only to whoever knows the password
                form.email.errors.append(_("This account is disabled; ask an administrator."))
            else:
                attempt.signed_in()
                login_user(user, remember=form.remember.data)
                operations.remember_language_at_login(user, session)
                return redirect(_safe_next(request.args.get("next"), user))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    operations.end_sessions(current_user)  # every computer, every remember-me cookie
    logout_user()
    flash(_("You are signed out, here and on every other computer."))
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            operations.change_own_password(current_user, form.current.data, form.new.data)
        except operations.WeakPassword as exc:
            form.new.errors.append(str(exc))
        except operations.AccountError as exc:
            form.current.errors.append(str(exc))
        else:
            renew_session(current_user._get_current_object())
            flash(_("Your password is changed; every other computer signed in to this account is signed out."))
            return redirect(url_for("progress.index"))
    return render_template("auth/password.html", form=form)


@bp.get("/account")
@login_required
def account():
    """One's own account: how often reminders come, and the calendar feeds' secret addresses
    (tracker.mail and tracker.feeds draw their parts and take the forms' posts)."""
    return render_template("auth/account.html")
