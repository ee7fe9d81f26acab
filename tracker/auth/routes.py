"""Sign in and out, one's own password; accounts and the body registry for administrators."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from tracker.auth import operations
from tracker.auth.forms import BodyForm, LoginForm, PasswordForm, UserForm
from tracker.auth.models import User
from tracker.auth.permissions import can_manage_accounts, require
from tracker.executors.models import Body, BodyAlias
from tracker.extensions import db, limiter
from tracker.history import entries_for
from tracker.plans.models import ActivityExecutor

bp = Blueprint("auth", __name__)


def is_local_path(target: str | None) -> bool:
    """A path inside the portal. Checked as the URL parser reads it, because the parser (and the
    browser) drop tabs and line breaks: "/<tab>/evil.example" arrives as "//evil.example"."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):  # browsers read "/\\evil" as "//evil"
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and parts.path.startswith("/") and not parts.path.startswith("//")


def _safe_next(target: str | None) -> str:
    # Only paths inside the portal: an absolute URL here would send the user elsewhere after login.
    if is_local_path(target):
        return target
    return url_for("plans.index")


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
        return redirect(url_for("plans.index"))
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
            return redirect(url_for("plans.index"))
    return render_template("auth/password.html", form=form)


# --- administrators ---------------------------------------------------------------------------


def _body_choices() -> list[tuple[int, str]]:
    bodies = db.session.scalars(select(Body).order_by(Body.region, Body.name))
    return [(0, "—")] + [(b.id, f"{b.label} · {b.region}") for b in bodies]


@bp.get("/admin/users")
@require(can_manage_accounts)
def users():
    accounts = db.session.scalars(select(User).order_by(User.role, User.email)).all()
    return render_template("auth/users.html", accounts=accounts)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@require(can_manage_accounts)
def new_user():
    form = UserForm()
    form.body_id.choices = _body_choices()
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(_("A new account needs a password."))
        else:
            try:
                user = operations.create_user(
                    email=form.email.data, role=form.role.data, password=form.password.data,
                    body=db.session.get(Body, form.body_id.data) if form.body_id.data else None,
                    name=form.name.data, actor=current_user)
            except operations.AccountError as exc:
                form.email.errors.append(str(exc))
            else:
                flash(_("Account %(email)s created.", email=user.email))
                return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, account=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@require(can_manage_accounts)
def edit_user(user_id: int):
    account = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=account)
    form.body_id.choices = _body_choices()
    if request.method == "GET":
        form.body_id.data = account.body_id or 0
    if form.validate_on_submit():
        try:
            operations.update_user(
                account, email=form.email.data, role=form.role.data,
                body=db.session.get(Body, form.body_id.data) if form.body_id.data else None,
                name=form.name.data, active=form.active.data, password=form.password.data, actor=current_user)
        except operations.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(_("Account %(email)s saved.", email=account.email))
            return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, account=account,
                           history=entries_for(account_id=account.id))


@bp.get("/admin/bodies")
@require(can_manage_accounts)
def bodies():
    rows = db.session.execute(
        select(Body, func.count(ActivityExecutor.id)).outerjoin(ActivityExecutor, ActivityExecutor.body_id == Body.id)
        .group_by(Body.id).order_by(Body.region, Body.name)).all()
    return render_template("auth/bodies.html", rows=rows)


@bp.route("/admin/bodies/<int:body_id>", methods=["GET", "POST"])
@require(can_manage_accounts)
def edit_body(body_id: int):
    body = db.session.get(Body, body_id) or abort(404)
    form = BodyForm(obj=body)
    if form.validate_on_submit():
        try:
            operations.edit_body(body, name=form.name.data, name_ru=form.name_ru.data,
                                 abbreviation=form.abbreviation.data, actor=current_user)
        except operations.AccountError as exc:
            form.name.errors.append(str(exc))
        else:
            flash(_("Body saved."))
            return redirect(url_for("auth.bodies"))
    aliases = db.session.scalars(select(BodyAlias).where(BodyAlias.body_id == body.id).order_by(BodyAlias.written))
    return render_template("auth/body_form.html", form=form, body=body, aliases=list(aliases),
                           history=entries_for(body_id=body.id))
