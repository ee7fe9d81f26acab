"""The administrator's screens for the chain: each region's cities and districts (the shipped
registry, corrected in the portal), the bodies of a region's districts, organisation lists
imported from CSV/XLSX, and where a body stands (its level and the body above it).

This module also registers the delegation blueprint and its notifications with the app, from
the admin blueprint's registration (see `attach`)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import FileField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker import history
from tracker.admin import organisations
from tracker.auth.permissions import can_manage_accounts, require
from tracker.delegation import registry
from tracker.executors import districts
from tracker.executors.districts import GROUP_KINDS, BodyLevel
from tracker.executors.models import Body
from tracker.extensions import db

bp = Blueprint("districts", __name__)


class UnitsForm(FlaskForm):
    region = HiddenField(validators=[DataRequired()])
    units = TextAreaField(_l("Cities and districts, one per line: Kazakh name | Russian name"),
                          validators=[DataRequired()])
    submit = SubmitField(_l("Save the list"))


class MembersForm(FlaskForm):
    region = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Create the districts' bodies"))


class OrganisationsForm(FlaskForm):
    region = SelectField(_l("Region"), validators=[DataRequired()])
    document = FileField(_l("List of organisations (.csv or .xlsx)"), validators=[DataRequired()])
    submit = SubmitField(_l("Import"))


class PlaceForm(FlaskForm):
    level = SelectField(_l("Level"), choices=[])
    parent = StringField(_l("Body above (its id)"), validators=[Optional(), Length(max=12)])
    district = StringField(_l("City or district it serves"), validators=[Optional(), Length(max=120)])
    submit = SubmitField(_l("Save"))


def _regions() -> list[str]:
    return [entry.kk for entry in districts.shipped().values()]


def level_labels() -> dict[str, str]:
    return {BodyLevel.NATIONAL: _("national"), BodyLevel.REGION: _("region"), BodyLevel.DISTRICT: _("district or city"),
            BodyLevel.ORGANISATION: _("organisation")}


@bp.route("/admin/districts", methods=["GET", "POST"])
@require(can_manage_accounts)
def index():
    """Every region with its cities and districts; ?region= opens one for correction."""
    corrected = registry.corrections()
    rows = [(entry, corrected.get(key), len(corrected.get(key) or entry.units))
            for key, entry in districts.shipped().items()]
    region = request.values.get("region")
    form = problems = members_form = None
    if region:
        if region not in _regions():
            abort(404)
        form = UnitsForm()
        members_form = MembersForm(formdata=None, region=region)
        if request.method == "POST" and form.validate_on_submit():
            units, problems = districts.read_units(form.units.data)
            if not problems:
                registry.save_units(region, units, current_user)
                flash(_("The list of %(region)s is saved: %(n)s cities and districts.", region=region, n=len(units)))
                return redirect(url_for("districts.index", region=region))
        elif request.method == "GET":
            form = UnitsForm(formdata=None, region=region, units=districts.units_text(registry.units(region)))
    elif request.method == "POST":
        abort(400)
    status = 422 if problems else 200
    return render_template("admin/districts.html", rows=rows, region=region, form=form, problems=problems,
                           members_form=members_form, shipped=districts.shipped(),
                           members=_member_bodies(region) if region else []), status


def _member_bodies(region: str) -> list[tuple[str, list]]:
    return [(registry.group_name(kind), registry.possible_members(region, kind)) for kind in GROUP_KINDS]


@bp.post("/admin/districts/bodies")
@require(can_manage_accounts)
def create_members():
    """Create every district's and city's body of each group kind of the region (education
    departments, akimats) from the registry, under the region's body above them."""
    form = MembersForm()
    if not form.validate_on_submit() or form.region.data not in _regions():
        abort(400)
    region = form.region.data
    before = {b.identity for kind in GROUP_KINDS for b in registry.members_of_kind(region, kind)}
    made = [b for kind in GROUP_KINDS for b in registry.ensure_members(region, kind)]
    new = [b for b in made if b.identity not in before]
    history.record("districts.bodies_created", actor=current_user, details={
        "region": region, "created": [b.name for b in new]})
    db.session.commit()
    flash(_("%(n)s bodies created for %(region)s.", n=len(new), region=region))
    return redirect(url_for("districts.index", region=region))


@bp.route("/admin/organisations", methods=["GET", "POST"])
@require(can_manage_accounts)
def import_organisations():
    form = OrganisationsForm()
    form.region.choices = [(r, r) for r in _regions()]
    problems, error, status = [], None, 200
    if form.validate_on_submit():
        upload = form.document.data
        try:
            rows = organisations.read_rows(upload.read(), upload.filename)
        except organisations.ListError as exc:
            error, status = str(exc), 422
        else:
            problems, found = organisations.check(form.region.data, rows)
            if problems:
                status = 422
            else:
                created, updated = organisations.store(form.region.data, rows, found, current_user)
                flash(_("%(created)s organisations added, %(updated)s updated.", created=created, updated=updated))
                return redirect(url_for("districts.import_organisations"))
    elif request.method == "POST":
        status = 422
    return render_template("admin/organisations.html", form=form, problems=problems, error=error), status


@bp.route("/admin/bodies/<int:body_id>/place", methods=["GET", "POST"])
@require(can_manage_accounts)
def place(body_id: int):
    """Where a body stands: its level, the body above it (whose work it is handed), its district."""
    body = db.session.get(Body, body_id) or abort(404)
    form = PlaceForm(formdata=request.form if request.method == "POST" else None, obj=body)
    form.level.choices = list(level_labels().items())
    if request.method == "GET":
        form.parent.data = str(body.parent_id) if body.parent_id else ""
    error = None
    if request.method == "POST" and form.validate():
        parent_id = int(form.parent.data) if (form.parent.data or "").strip().isdigit() else None
        parent = db.session.get(Body, parent_id) if parent_id else None
        if form.parent.data and parent is None:
            error = _("Body above: there is no body %(id)s.", id=form.parent.data)
        elif parent is not None and _above_itself(body, parent):
            error = _("Body above: %(body)s is below this body already.", body=parent.label)
        elif form.level.data not in level_labels():
            error = _("Choose the level.")
        else:
            changes = history.changed(body, level=form.level.data, parent_id=parent.id if parent else None,
                                      district=(form.district.data or "").strip() or None)
            if changes:
                history.record("body.edited", body=body, actor=current_user, changes=changes)
            db.session.commit()
            flash(_("Body saved."))
            return redirect(url_for("admin.edit_body", body_id=body.id))
    elif request.method == "POST":
        error = _("The form is incomplete.")
    return render_template("admin/body_place.html", body=body, form=form, error=error,
                           parent=db.session.get(Body, body.parent_id) if body.parent_id else None,
                           below=list(db.session.scalars(select(Body).where(Body.parent_id == body.id)
                                                         .order_by(Body.name)))), 422 if error else 200


def _above_itself(body: Body, parent: Body) -> bool:
    """Whether `parent` is the body itself or below it (a loop in the chain)."""
    seen = set()
    current = parent
    while current is not None and current.id not in seen:
        if current.id == body.id:
            return True
        seen.add(current.id)
        current = db.session.get(Body, current.parent_id) if current.parent_id else None
    return False


def attach(admin_bp: Blueprint) -> None:
    """Register this blueprint and the delegation blueprint, with its notification receivers,
    when the admin blueprint is registered (one line in tracker/app.py can replace this)."""

    def register(state) -> None:
        import tracker.delegation.notify  # noqa: F401  (its receivers tell people down the chain)
        from tracker.delegation.routes import bp as delegation_bp

        state.app.register_blueprint(bp)
        state.app.register_blueprint(delegation_bp)

    admin_bp.record_once(register)
