"""An obligation's page: its reports, the form to post one, the coordinator's review; evidence downloads."""

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from tracker.auth.permissions import can_review, require
from tracker.control.operations import obligation_panel
from tracker.extensions import db, htmx
from tracker.history import entries_for
from tracker.plans.models import Activity, ActivityExecutor, Obligation
from tracker.plans.permissions import reporting_role
from tracker.reports import evidence as evidence_files
from tracker.reports import operations, staged_files
from tracker.reports.forms import ReportForm, ReviewForm
from tracker.reports.models import CompletionReport, Evidence, ReportKind
from tracker.reports.status import ReportState

bp = Blueprint("reports", __name__)


def _obligation(obligation_id: int) -> Obligation:
    obligation = db.session.get(Obligation, obligation_id, options=[
        selectinload(Obligation.activity).selectinload(Activity.executors).selectinload(ActivityExecutor.body)])
    return obligation or abort(404)


def _page(obligation: Obligation, report_form: ReportForm | None = None, review_form: ReviewForm | None = None,
          error: str | None = None, status_code: int = 200, staged: list | None = None):
    reports = operations.reports_of(obligation)
    latest = next((r for r in reversed(reports) if r.kind == ReportKind.LEAD), None)
    role = reporting_role(current_user, obligation.activity)
    report_form = report_form or ReportForm()
    returned = operations.report_to_correct(role, latest, current_user)
    report_form.keep_evidence.choices = [(e.id, e.original_name) for e in returned.evidence] if returned else []
    if returned and not report_form.is_submitted():  # the form starts from the report being corrected
        report_form.text.data = report_form.text.data or returned.text
        report_form.links.data = report_form.links.data or "\n".join(returned.links)
        report_form.keep_evidence.data = [e.id for e in returned.evidence]
    context = dict(
        obligation=obligation, activity=obligation.activity, reports=reports, latest=latest, role=role,
        can_post=operations.posting_refusal(role, latest) is None, report_form=report_form, review_form=review_form or ReviewForm(), error=error,
        status=operations.statuses([obligation])[obligation.id],
        contributions=[r for r in reports if r.kind == ReportKind.CONTRIBUTION],
        history=entries_for(obligation_ids=[obligation.id]),
        max_evidence=current_app.config["MAX_EVIDENCE_BYTES"],
        staged=staged or [],
        control=obligation_panel(obligation, current_user,
                                 accepted=latest is not None and latest.state == ReportState.ACCEPTED),
    )
    template = "reports/_obligation.html" if htmx else "reports/obligation.html"
    return render_template(template, **context), status_code


@bp.get("/obligations/<int:obligation_id>")
def obligation(obligation_id: int):
    return _page(_obligation(obligation_id))


@bp.post("/obligations/<int:obligation_id>/reports")
def post_report(obligation_id: int):
    obligation = _obligation(obligation_id)
    role = reporting_role(current_user, obligation.activity)
    if role is None:
        abort(403)
    form = ReportForm()
    token = operations.clean_submission_token(request.form.get("submission_token"))
    try:
        stored = operations.stored_submission(token, obligation, current_user)
    except operations.ReportError as exc:
        form.submission_token.data = operations.new_submission_token()
        return _page(obligation, report_form=form, error=str(exc), status_code=422)
    if stored is not None:  # the same form again (a double click, a retry after a timeout): stored once
        flash(_("This report was already received; it is stored once."))
        return _posted(obligation)
    staging, token = _staging(form, token, obligation)
    staging.remove(request.form.getlist("unstage"))  # the files ticked "remove"
    returned = operations.report_to_correct(role, operations.latest_lead_report(obligation), current_user)
    form.keep_evidence.choices = [(e.id, e.original_name) for e in returned.evidence] if returned else []
    files = [(f.filename, f.read()) for f in form.files.data or [] if f and f.filename]
    max_bytes, limit = current_app.config["MAX_EVIDENCE_BYTES"], current_app.config["MAX_CONTENT_LENGTH"]
    if not form.validate_on_submit():
        # A browser never fills a file field again: the files sent are kept, listed as attached —
        # when what the form lacks is something the person writes or ticks. A choice the page never
        # offered (another body's file to carry over) is not a form to come back to: nothing is kept.
        refused = staging.add(files, max_bytes, limit) if set(form.errors) <= _WRITTEN_FIELDS else []
        return _page(obligation, report_form=form, error=" ".join(refused) or None, status_code=422,
                     staged=staging.files())
    try:
        operations.submit_report(
            obligation, current_user, form.text.data, operations.parse_links(form.links.data),
            staging.contents() + files, form.no_personal_data.data, form.keep_evidence.data,
            submission_token=token)
    except (operations.ReportError, evidence_files.EvidenceError) as exc:
        said = [str(exc)]
        if operations.posting_refusal(role, operations.latest_lead_report(obligation)) is None:
            said += [m for m in staging.add(files, max_bytes, limit) if m not in said]
        else:  # the form is not offered again (a report awaits review, or was accepted meanwhile)
            staging.clear()
        return _page(obligation, report_form=form, error=" ".join(said), status_code=422, staged=staging.files())
    staging.clear()
    flash(_("Report submitted."))
    return _posted(obligation)


#: the report form's fields a person fills in; when only these are refused, the files sent are kept
_WRITTEN_FIELDS = {"text", "links", "no_personal_data", "files"}


def _staging(form: ReportForm, token: str | None, obligation: Obligation):
    """The files kept for this form (tracker.reports.staged_files) and the token they are kept
    under. A form without a usable token, or with one whose files are someone else's, gets a token
    of its own: it finds nothing of theirs and can keep its own files."""
    folder = Path(current_app.config["EVIDENCE_DIR"])
    staged_files.sweep(folder)
    staging = staged_files.Staging.of(folder, token, current_user.id, obligation.id)
    if staging is None:
        token = operations.new_submission_token()
        form.submission_token.data = token
        staging = staged_files.Staging.of(folder, token, current_user.id, obligation.id)
    return staging, token


def _posted(obligation: Obligation):
    if htmx:
        return _page(obligation, report_form=ReportForm(formdata=None))
    return redirect(url_for("reports.obligation", obligation_id=obligation.id))


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@bp.post("/reports/<int:report_id>/review")
@require(can_review)
def review(report_id: int):
    report = db.session.get(CompletionReport, report_id) or abort(404)
    form = ReviewForm()
    obligation = _obligation(report.obligation_id)
    if not form.validate_on_submit():
        return _page(obligation, review_form=form, error=_("The form is incomplete."), status_code=422)
    try:
        operations.review_report(report, current_user, accept=bool(form.accept.data), comment=form.comment.data,
                                 seen_version=_int_or_none(request.form.get("seen_version")))
    except operations.ChangedMeanwhile as exc:
        return _page(obligation, review_form=ReviewForm(formdata=None), error=str(exc), status_code=409)
    except operations.ReportError as exc:
        return _page(obligation, review_form=form, error=str(exc), status_code=422)
    flash(_("Report accepted.") if report.state == ReportState.ACCEPTED else _("Report returned for correction."))
    if htmx:
        return _page(obligation, review_form=ReviewForm(formdata=None))
    return redirect(url_for("reports.obligation", obligation_id=obligation.id))


@bp.get("/evidence/<int:evidence_id>")
def download(evidence_id: int):
    return evidence_files.send_stored(db.session.get(Evidence, evidence_id) or abort(404))
