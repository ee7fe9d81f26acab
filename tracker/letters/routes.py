"""Assignments from letters in the browser: upload → preview (every field correctable, warnings
beside what they concern) → confirm → the assignment's plan; and the letter's own page."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth.models import AccountRole
from tracker.auth.permissions import can_edit_plans, require
from tracker.core.formatting import translated_message
from tracker.extensions import db
from tracker.letters import operations, passing
from tracker.letters.forms import PassDownForm, PreviewForm, UploadForm, edit_from, form_data
from tracker.letters.models import Letter, LetterRole, PassState
from tracker.plans.engine import PlanFormatError

bp = Blueprint("letters", __name__)


def letters_of_plan(plan_id: int) -> list[Letter]:
    """The letters a plan came from: the assignment and the covering letters of its chain, the
    newest (on top of the stack) first — so the plan page links the letter an executor passes down."""
    from sqlalchemy import select

    from tracker.letters.models import LetterPlan

    root = db.session.scalar(select(Letter).join(LetterPlan, LetterPlan.letter_id == Letter.id)
                             .where(LetterPlan.plan_id == plan_id))
    if root is None:
        return []
    return list(db.session.scalars(select(Letter).where(Letter.chain_id == root.chain_id).order_by(Letter.position)))


@bp.record_once
def _plan_letters(state) -> None:
    # a Jinja global: the plan page (tracker.progress) is this package's sibling in the stack
    state.app.jinja_env.globals["letters_of_plan"] = letters_of_plan


@bp.route("/letters/import", methods=["GET", "POST"])
@require(can_edit_plans)
def upload():
    form = UploadForm()
    error = None
    if form.validate_on_submit():
        document = form.document.data
        data = document.read()
        try:
            operations.read_upload(data, document.filename or "letter")
        except PlanFormatError as exc:
            error = translated_message(exc.message)
        else:
            return redirect(url_for("letters.preview", token=operations.stage(current_user, document.filename or "letter",
                                                                             data)))
    elif form.is_submitted():
        error = _("Choose a letter to upload.")
    return render_template("letters/upload.html", form=form, error=error), 422 if error else 200


def _staged_chain(token: str):
    try:
        filename, data = operations.staged(current_user, token)
    except LookupError:
        abort(404)
    return filename, data, operations.read_upload(data, filename)


@bp.get("/letters/import/<token>")
@require(can_edit_plans)
def preview(token: str):
    try:
        filename, data, chain = _staged_chain(token)
    except PlanFormatError as exc:
        return render_template("letters/upload.html", form=UploadForm(), error=translated_message(exc.message)), 422
    form = PreviewForm(formdata=None, data=form_data(operations.edit_of(chain)))
    return _preview_page(chain, form, filename, token, data)


def _preview_page(chain, form, filename: str, token: str, data: bytes, errors=(), status: int = 200):
    edit = edit_from(form)
    blocking = list(errors) or operations.problems(chain, edit)
    return render_template("letters/preview.html", chain=chain, form=form, filename=filename, token=token,
                           errors=blocking, stored=operations.already_stored(data)), status


@bp.post("/letters/import/<token>")
@require(can_edit_plans)
def confirm(token: str):
    try:
        filename, data, chain = _staged_chain(token)
    except PlanFormatError as exc:
        flash(translated_message(exc.message), "error")
        return redirect(url_for("letters.upload"))
    form = PreviewForm()
    if not form.validate_on_submit():
        return _preview_page(chain, form, filename, token, data, status=422)
    edit = edit_from(form)
    try:
        operations.apply(chain, edit)
        found = operations.problems(chain, edit)
        if found:
            return _preview_page(chain, form, filename, token, data, errors=found, status=422)
        stored = operations.confirm(chain, edit, filename, data, current_user)
    except operations.LetterError as error:
        return _preview_page(chain, form, filename, token, data, errors=[error], status=422)
    operations.unstage(current_user, token)
    flash(_("The letter is on control: %(plans)s assignment(s) (one per region), %(a)s activities, %(o)s due dates.",
            plans=len(stored.plan_ids), a=stored.activities, o=stored.obligations))
    region = next((letter.region for letter in reversed(chain.letters[:-1]) if letter.region), None)
    return redirect(url_for("progress.plan", plan_id=stored.plan_for(region)))


def _pass_down_form(letter: Letter, form: PassDownForm | None = None) -> PassDownForm | None:
    """The form to pass a proposed covering letter down, for an executor whose body can hand
    something down (the choices: the bodies below it, those the addressees name ticked)."""
    if (letter.role != LetterRole.DELEGATION or letter.state != PassState.PROPOSED
            or current_user.role != AccountRole.EXECUTOR or current_user.body is None
            or not operations.delegation_available() or not passing.issued_by(letter, current_user.body)):
        return None
    choices = passing.proposed_targets(letter, current_user.body)
    form = form or PassDownForm(formdata=None, data={"targets": [value for value, _label, ticked in choices if ticked]})
    form.targets.choices = [(value, label) for value, label, _ticked in choices]
    return form


@bp.get("/letters/<int:letter_id>")
def show(letter_id: int):
    letter = db.session.get(Letter, letter_id) or abort(404)
    return _letter_page(letter)


def _letter_page(letter: Letter, form: PassDownForm | None = None, error: str | None = None, status: int = 200):
    return render_template("letters/show.html", letter=letter, chain=operations.chain_rows(letter),
                           form=_pass_down_form(letter, form), error=error, warning_text=operations.warning_text,
                           delegations=passing.delegations_of(letter)), status


@bp.post("/letters/<int:letter_id>/pass-down")
def pass_down(letter_id: int):
    letter = db.session.get(Letter, letter_id) or abort(404)
    if current_user.role != AccountRole.EXECUTOR:
        abort(403)
    form = _pass_down_form(letter, PassDownForm())
    if form is None:
        refusal = _("This letter cannot be passed down now.")
        if letter.state == PassState.PROPOSED and not passing.issued_by(letter, current_user.body):
            refusal = _("Only an executor of the body that signed the letter (%(issuer)s) passes it down.",
                        issuer=letter.issuer or "—")
        return _letter_page(letter, error=refusal, status=422)
    if not form.validate_on_submit():
        return _letter_page(letter, form, error=_("Choose the bodies to pass it down to."), status=422)
    try:
        made = passing.pass_down(letter, current_user, form.targets.data)
    except operations.LetterError as error:
        return _letter_page(letter, form, error=str(error), status=422)
    flash(_("Passed down: %(n)s sub-obligations, each with the letter's number and date.", n=len(made)))
    return redirect(url_for("letters.show", letter_id=letter.id))
