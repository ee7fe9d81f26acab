"""The indicators' pages: a plan's indicators with the proposals to confirm, one indicator with its
chart and table, the actual form, the review, and the spreadsheet upload with its preview.

Everyone signed in reads; the coordinator confirms, edits, assigns and reviews; executors of the
responsible body enter actuals (tracker.indicators.operations says who may, once)."""

import re
from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from tracker.core.personal_data import find_iins
from tracker.core.urls import is_local_path
from tracker.extensions import db
from tracker.indicators import charts, operations, spreadsheet
from tracker.indicators.forms import (
    ActualForm,
    ConfirmUploadForm,
    IndicatorForm,
    ProposalActionForm,
    TextForm,
    UploadForm,
)
from tracker.indicators.labels import (
    direction_labels,
    frequency_labels,
    indicator_status_labels,
    period_label,
    scope_labels,
    unit_labels,
)
from tracker.indicators.models import Indicator, IndicatorActual, IndicatorEvidence, IndicatorState
from tracker.indicators.reading import Scope
from tracker.plans.models import Plan
from tracker.plans.operations import bodies_for
from tracker.reports import evidence as evidence_files
from tracker.reports.forms import ReviewForm
from tracker.reports.status import ReportState

bp = Blueprint("indicators", __name__)

_PREFIX = re.compile(r"^p[0-9a-z_-]{1,60}$")


@bp.record_once
def _parsed_plan_extras(_state) -> None:
    # `plans parse --json` carries the indicators the import will propose (tracker.plans asks by a signal)
    from tracker.indicators.reading import parsed_plan_extras
    from tracker.plans.signals import plan_parsed

    plan_parsed.connect(parsed_plan_extras)


@bp.record_once
def _indicator_words(state) -> None:
    # Jinja globals, not a context processor: the fragments other pages include import macros
    # that say these words, and imported macros see the globals, not the page's context.
    state.app.jinja_env.globals.update(
        indicator_status_labels=indicator_status_labels, indicator_unit_labels=unit_labels,
        indicator_direction_labels=direction_labels, indicator_scope_labels=scope_labels,
        indicator_frequency_labels=frequency_labels,
        # what the fragments other pages include need, callable from those pages' templates: the
        # plan page, the dashboard and the body page are siblings of this package in the stack
        # (pyproject.toml), so their views cannot import it
        indicator_plan_panel=operations.plan_panel, indicator_body_list=operations.body_indicators,
        indicators_off_track=operations.off_track,
        indicator_activity_targets=lambda activity_id, day: operations.activity_targets(activity_id, day, current_user))


@bp.app_template_filter("figure")
def _figure(value) -> str:
    """87.0 → 87, 1648 → 1 648 (in the reader's language), 93.5 → 93,5."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0.##")


@bp.app_template_filter("indicator_period")
def _period(key) -> str:
    return period_label(str(key))


def _plan(plan_id: int) -> Plan:
    return db.session.get(Plan, plan_id) or abort(404)


def _indicator(indicator_id: int) -> Indicator:
    indicator = db.session.get(Indicator, indicator_id, options=[
        selectinload(Indicator.targets), selectinload(Indicator.periods), selectinload(Indicator.activities)])
    if indicator is None or indicator.state != IndicatorState.CONFIRMED:
        abort(404)
    return indicator


def indicator_unit_labels_of(indicator: Indicator) -> str:
    return unit_labels().get(indicator.unit, indicator.unit)


def _as_of() -> date | None:
    text = request.args.get("as_of")
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _prefix(key: str) -> str:
    return "p" + re.sub(r"[^0-9a-z]+", "_", key.lower())


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


# --- a plan's indicators ----------------------------------------------------------------------------


def _plan_page(plan: Plan, failed: tuple[str, IndicatorForm] | None = None, text_form: TextForm | None = None,
               error: str | None = None, status_code: int = 200):
    as_of = _as_of()
    bodies = bodies_for(plan)
    proposals = []
    for proposal in operations.plan_proposals(plan):
        prefix = _prefix(proposal.key)
        if failed and failed[0] == proposal.key:
            form = failed[1]
        else:
            form = IndicatorForm(prefix=prefix, formdata=None).offer(bodies).fill(
                operations.input_from_proposal(proposal, plan))
        proposals.append((proposal, form, ProposalActionForm(formdata=None, source_key=proposal.key), prefix))
    lines = operations._lines(operations.confirmed(lambda s: s.where(Indicator.plan_id == plan.id)), as_of)
    reports = [line for line in lines if operations.may_report(current_user, db.session.get(Indicator, line.id))]
    context = dict(
        plan=plan, lines=lines, proposals=proposals, as_of=as_of, error=error,
        can_edit=operations.can_edit(current_user), can_upload=bool(reports),
        text_form=text_form or TextForm(formdata=None).offer(), upload_form=UploadForm(formdata=None),
    )
    return render_template("indicators/plan.html", **context), status_code


@bp.get("/plans/<int:plan_id>/indicators")
def plan_indicators(plan_id: int):
    return _plan_page(_plan(plan_id))


@bp.post("/plans/<int:plan_id>/indicators/confirm")
def confirm(plan_id: int):
    plan = _plan(plan_id)
    _require(operations.can_edit(current_user))
    prefix = request.form.get("form_prefix", "")
    if not _PREFIX.match(prefix):
        abort(400)
    form = IndicatorForm(prefix=prefix).offer(bodies_for(plan))
    data = form.input()
    if not form.validate_on_submit():
        return _plan_page(plan, (data.source_key, form), error=_("The form is incomplete."), status_code=422)
    try:
        indicator = operations.confirm_proposal(plan, data, current_user)
    except operations.IndicatorError as exc:
        db.session.rollback()
        _attach(form, exc)
        return _plan_page(plan, (data.source_key, form), error=str(exc), status_code=422)
    flash(_("Indicator confirmed."))
    return redirect(url_for("indicators.indicator", indicator_id=indicator.id))


@bp.post("/plans/<int:plan_id>/indicators/dismiss")
def dismiss(plan_id: int):
    plan = _plan(plan_id)
    _require(operations.can_edit(current_user))
    form = ProposalActionForm()
    try:
        operations.dismiss_proposal(plan, form.source_key.data or "", current_user)
    except operations.IndicatorError as exc:
        return _plan_page(plan, error=str(exc), status_code=422)
    flash(_("Proposal dismissed."))
    return redirect(url_for("indicators.plan_indicators", plan_id=plan.id))


@bp.post("/plans/<int:plan_id>/indicators/text")
def add_text(plan_id: int):
    plan = _plan(plan_id)
    _require(operations.can_edit(current_user))
    form = TextForm().offer()
    try:
        _row, found = operations.add_text(plan, form.text.data, form.frequency.data or None, current_user)
    except operations.IndicatorError as exc:
        db.session.rollback()
        _attach(form, exc)
        return _plan_page(plan, text_form=form, error=str(exc), status_code=422)
    flash(_("%(n)s indicators proposed from the lines; confirm or correct each below.", n=found))
    return redirect(url_for("indicators.plan_indicators", plan_id=plan.id) + "#proposals")


def _attach(form, error: operations.IndicatorError) -> None:
    """Show the message beside the field it names; a refused IIN is not shown back in its field."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    for item in form:
        if isinstance(item.data, str) and find_iins(item.data):
            item.data = ""


# --- one indicator -------------------------------------------------------------------------------------


def _indicator_page(indicator: Indicator, actual_form: ActualForm | None = None, edit_form: IndicatorForm | None = None,
                    error: str | None = None, status_code: int = 200):
    as_of = _as_of()
    scopes, rows = operations.indicator_rows(indicator, as_of)
    form = actual_form or ActualForm(formdata=None)
    form.period.choices = [(p.period, period_label(p.period)) for p in indicator.periods]
    form.scope.choices = [(s, scope_labels().get(s, s)) for s in operations.scopes_of(indicator)]
    unit = indicator_unit_labels_of(indicator)
    form.value.label.text = (_("Number reached (%(unit)s)", unit=unit) if indicator.scope == Scope.ACTIVITY
                             else _("Value (%(unit)s)", unit=unit))
    if actual_form is None:
        open_periods = [r.period for r in rows if r.cells[indicator.scope].actual is None]
        asked = request.args.get("period")  # My work's and the digest's links name the period owed
        form.period.data = asked if asked in dict(form.period.choices) else open_periods[0] if open_periods else None
        form.scope.data = indicator.scope
    context = dict(
        indicator=indicator, plan=indicator.plan, scopes=scopes, rows=rows, as_of=as_of, error=error,
        charts=[c for c in (charts.line_chart(rows, s) for s in scopes) if c is not None],
        status=operations.overall_status([r.cells[indicator.scope].status for r in rows]),
        actuals=operations.actuals_of(indicator), history=operations.history_of(indicator),
        may_report=operations.may_report(current_user, indicator), can_edit=operations.can_edit(current_user),
        can_review=operations.can_review(current_user), actual_form=form, review_form=ReviewForm(formdata=None),
        edit_form=edit_form, relative=indicator.relative,
        computed_targets=any(c.target_source == "relative" for r in rows for c in r.cells.values()),
        needs_baseline=bool(indicator.relative) and indicator.baseline_value is None
        and any(r.cells[indicator.scope].target is None for r in rows), max_evidence=current_app.config["MAX_EVIDENCE_BYTES"],
    )
    return render_template("indicators/indicator.html", **context), status_code


@bp.get("/indicators/<int:indicator_id>")
def indicator(indicator_id: int):
    return _indicator_page(_indicator(indicator_id))


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
def edit(indicator_id: int):
    item = _indicator(indicator_id)
    _require(operations.can_edit(current_user))
    bodies = bodies_for(item.plan)
    if request.method == "GET":
        form = IndicatorForm(formdata=None).offer(bodies).fill(operations.input_from_indicator(item))
        return render_template("indicators/edit.html", indicator=item, plan=item.plan, form=form, error=None)
    form = IndicatorForm().offer(bodies)
    data = form.input()
    data.source_key = item.source_key
    error = None
    if form.validate_on_submit():
        try:
            operations.edit_indicator(item, data, current_user)
        except operations.IndicatorError as exc:
            _attach(form, exc)
            error = str(exc)
        else:
            flash(_("Indicator saved."))
            return redirect(url_for("indicators.indicator", indicator_id=item.id))
    item = _indicator(indicator_id)
    return render_template("indicators/edit.html", indicator=item, plan=item.plan, form=form,
                           error=error or _("The form is incomplete.")), 422


@bp.post("/indicators/<int:indicator_id>/actuals")
def post_actual(indicator_id: int):
    item = _indicator(indicator_id)
    _require(operations.may_report(current_user, item))
    form = ActualForm()
    files = [(f.filename, f.read()) for f in form.files.data or [] if f and f.filename]
    if not form.validate_on_submit():
        return _indicator_page(item, actual_form=form, error=_("The form is incomplete."), status_code=422)
    try:
        operations.submit_actual(item, current_user, period=form.period.data, scope=form.scope.data,
                                 value=form.value.data, comment=form.comment.data, files=files,
                                 no_personal_data=form.no_personal_data.data)
    except (operations.IndicatorError, evidence_files.EvidenceError) as exc:
        db.session.rollback()
        if isinstance(exc, operations.IndicatorError):
            _attach(form, exc)
        return _indicator_page(_indicator(indicator_id), actual_form=form, error=str(exc), status_code=422)
    flash(_("Actual submitted."))
    back = request.form.get("next")  # the obligation page the number reached was entered on
    return redirect(back if is_local_path(back) else url_for("indicators.indicator", indicator_id=item.id))


@bp.post("/actuals/<int:actual_id>/review")
def review(actual_id: int):
    _require(operations.can_review(current_user))
    actual = db.session.get(IndicatorActual, actual_id) or abort(404)
    item = _indicator(actual.indicator_id)
    form = ReviewForm()
    seen = request.form.get("seen_version", "")
    try:
        operations.review_actual(actual, current_user, accept=bool(form.accept.data), comment=form.comment.data,
                                 seen_version=int(seen) if seen.isdigit() else None)
    except operations.ChangedMeanwhile as exc:
        return _indicator_page(_indicator(item.id), error=str(exc), status_code=409)
    except operations.IndicatorError as exc:
        db.session.rollback()
        return _indicator_page(_indicator(item.id), error=str(exc), status_code=422)
    flash(_("Actual accepted.") if actual.state == ReportState.ACCEPTED else _("Actual returned for correction."))
    return redirect(url_for("indicators.indicator", indicator_id=item.id))


@bp.get("/indicator-evidence/<int:evidence_id>")
def download(evidence_id: int):
    return evidence_files.send_stored(db.session.get(IndicatorEvidence, evidence_id) or abort(404))


# --- many actuals from a spreadsheet ---------------------------------------------------------------------


def _reports_on(plan: Plan) -> bool:
    """Whether the signed-in account reports an indicator of the plan (uploads and their confirmation)."""
    return (current_user.is_authenticated and current_user.body_id is not None
            and any(operations.may_report(current_user, i)
                    for i in operations.confirmed(lambda s: s.where(Indicator.plan_id == plan.id))))


@bp.post("/plans/<int:plan_id>/indicators/upload")
def upload(plan_id: int):
    plan = _plan(plan_id)
    _require(_reports_on(plan))
    form = UploadForm()
    upload_file = form.file.data
    if not upload_file or not upload_file.filename:
        return _plan_page(plan, error=_("Choose a spreadsheet to upload."), status_code=422)
    name, data = upload_file.filename, upload_file.read()
    try:
        preview = spreadsheet.preview(plan, current_user, name, data)
    except spreadsheet.SpreadsheetError as exc:
        return _plan_page(plan, error=str(exc), status_code=422)
    token = spreadsheet.stage(current_user, name, data) if not preview.errors else None
    return render_template("indicators/upload_preview.html", plan=plan, preview=preview,
                           confirm_form=ConfirmUploadForm(formdata=None, token=token)), 200 if not preview.errors else 422


@bp.post("/plans/<int:plan_id>/indicators/upload/confirm")
def confirm_upload(plan_id: int):
    plan = _plan(plan_id)
    _require(_reports_on(plan))  # as for the upload; the staged file is also only the uploader's
    form = ConfirmUploadForm()
    try:
        name, data = spreadsheet.staged(current_user, form.token.data or "")
    except LookupError:
        flash(_("That upload is no longer kept; upload the file again."), "warning")
        return redirect(url_for("indicators.plan_indicators", plan_id=plan.id))
    try:
        stored = spreadsheet.confirm(plan, current_user, name, data, bool(form.no_personal_data.data))
    except (spreadsheet.SpreadsheetError, operations.IndicatorError) as exc:
        db.session.rollback()
        try:
            preview = spreadsheet.preview(plan, current_user, name, data)
        except spreadsheet.SpreadsheetError:
            return _plan_page(plan, error=str(exc), status_code=422)
        return render_template("indicators/upload_preview.html", plan=plan, preview=preview, error=str(exc),
                               confirm_form=ConfirmUploadForm(formdata=None, token=form.token.data)), 422
    spreadsheet.unstage(current_user, form.token.data)
    flash(_("%(n)s actuals stored from «%(name)s».", n=len(stored), name=name))
    return redirect(url_for("indicators.plan_indicators", plan_id=plan.id))


@bp.get("/plans/<int:plan_id>/indicators/template.csv")
def template(plan_id: int):
    plan = _plan(plan_id)
    body = "\ufeff" + spreadsheet.template_csv(plan, current_user)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=indicators-plan-{plan.id}.csv"})
