"""The administrator's screens: accounts and the registry of bodies."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from tracker.admin import operations
from tracker.admin.forms import BodyForm, UserForm
from tracker.auth import operations as account_operations
from tracker.auth.models import User
from tracker.auth.permissions import can_manage_accounts, require
from tracker.auth.sessions import renew_session
from tracker.executors.models import Body, BodyAlias
from tracker.extensions import db
from tracker.history import entries_for
from tracker.plans.models import ActivityExecutor

bp = Blueprint("admin", __name__)


def _body_choices() -> list[tuple[int, str]]:
    bodies = db.session.scalars(select(Body).order_by(Body.region, Body.name))
    return [(0, "—")] + [(b.id, f"{b.label} · {b.region}") for b in bodies]


def _set_head(account: User, is_head: bool) -> None:
    """Only an executor account heads its body (tracker.mail.rules: escalations go to the head)."""
    from tracker.auth.models import AccountRole
    from tracker.history import changed, record

    diff = changed(account, is_head=bool(is_head) and account.role == AccountRole.EXECUTOR and account.body_id is not None)
    if diff:
        record("account.edited", account=account, actor=current_user, changes=diff)
        db.session.commit()


@bp.get("/admin/users")
@require(can_manage_accounts)
def users():
    accounts = db.session.scalars(select(User).order_by(User.role, User.email)).all()
    return render_template("admin/users.html", accounts=accounts)


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
                user = account_operations.create_user(
                    email=form.email.data, role=form.role.data, password=form.password.data,
                    body=db.session.get(Body, form.body_id.data) if form.body_id.data else None,
                    name=form.name.data, actor=current_user)
            except account_operations.WeakPassword as exc:
                form.password.errors.append(str(exc))
            except account_operations.AccountError as exc:
                form.email.errors.append(str(exc))
            else:
                _set_head(user, form.is_head.data)
                flash(_("Account %(email)s created.", email=user.email))
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, account=None)


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
            account_operations.update_user(
                account, email=form.email.data, role=form.role.data,
                body=db.session.get(Body, form.body_id.data) if form.body_id.data else None,
                name=form.name.data, active=form.active.data, password=form.password.data, actor=current_user)
        except account_operations.WeakPassword as exc:
            form.password.errors.append(str(exc))
        except account_operations.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            _set_head(account, form.is_head.data)
            if account.id == current_user.id and form.password.data:
                renew_session(account)  # an administrator who resets their own password stays signed in
            flash(_("Account %(email)s saved.", email=account.email))
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, account=account,
                           history=entries_for(account_id=account.id))


@bp.get("/admin/bodies")
@require(can_manage_accounts)
def bodies():
    rows = db.session.execute(
        select(Body, func.count(ActivityExecutor.id)).outerjoin(ActivityExecutor, ActivityExecutor.body_id == Body.id)
        .group_by(Body.id).order_by(Body.region, Body.name)).all()
    return render_template("admin/bodies.html", rows=rows)


@bp.route("/admin/bodies/<int:body_id>", methods=["GET", "POST"])
@require(can_manage_accounts)
def edit_body(body_id: int):
    body = db.session.get(Body, body_id) or abort(404)
    form = BodyForm(obj=body)
    if form.validate_on_submit():
        try:
            operations.edit_body(body, name=form.name.data, name_ru=form.name_ru.data,
                                 abbreviation=form.abbreviation.data, actor=current_user)
        except operations.RegistryError as exc:
            form.name.errors.append(str(exc))
        else:
            flash(_("Body saved."))
            return redirect(url_for("admin.bodies"))
    aliases = db.session.scalars(select(BodyAlias).where(BodyAlias.body_id == body.id).order_by(BodyAlias.written))
    return render_template("admin/body_form.html", form=form, body=body, aliases=list(aliases),
                           history=entries_for(body_id=body.id))


# The chain's administration screens, and the delegation pages with their notifications, are
# registered with the app when this blueprint is (tracker.admin.districts.attach).
from tracker.admin.districts import attach  # noqa: E402

attach(bp)
