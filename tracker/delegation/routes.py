"""The chain's pages: the delegation tree on an obligation's page (a template global, so the
obligation page needs no import of this package), a sub-obligation's own page where the delegated
body reports and the delegating body reviews, the hand-down and review forms, files, a group's
expansion, and a body's page of what it handed down."""


from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from tracker.calendar import working_calendar
from tracker.core.clock import today
from tracker.delegation import operations, queries, registry
from tracker.delegation.forms import DelegateForm, ExpandForm, SubReportForm, SubReviewForm
from tracker.delegation.models import Delegation, DelegationFile, SubReport
from tracker.executors.models import Body
from tracker.extensions import db, htmx
from tracker.plans.models import Activity, ActivityExecutor, Obligation
from tracker.plans.permissions import reporting_role
from tracker.reports import evidence as evidence_files
from tracker.reports import operations as report_operations
from tracker.reports import routes as report_routes
from tracker.reports.status import ReportState

bp = Blueprint("delegation", __name__)


def _files(form) -> list[tuple[str, bytes]]:
    return [(f.filename, f.read()) for f in form.files.data or [] if f and f.filename]


def _delegate_form(from_body: Body | None, above_due, plan_id: int) -> DelegateForm:
    form = g.pop("delegate_form", None) or DelegateForm(formdata=None)
    form.targets.choices = [(t.value, t.label) for t in operations.targets_for(from_body)] if from_body else []
    if not form.due_date.data:
        form.due_date.data = operations.default_due_date(above_due, plan_id)
    return form


@bp.app_template_global("delegation_panel")
def delegation_panel(obligation: Obligation) -> dict:
    """What templates/delegation/_tree.html shows on an obligation's page: the tree with each
    branch's status, the material that came up, the hand-down form and the groups that can be
    expanded."""
    tree = queries.tree(obligation, current_user)
    activity = obligation.activity
    role = reporting_role(current_user, activity)
    from_body = db.session.get(Body, current_user.body_id) if role is not None else None
    top = tree.roots + [m for group in tree.groups for m in group.members]
    expandable = [e for e in activity.executors if e.body is not None and registry.is_group(e.body)
                  and operations.may_expand(current_user, e)]
    return dict(
        tree=tree, material=queries.material(top), role=role,
        form=_delegate_form(from_body, obligation.due_date, activity.plan_id) if from_body else None,
        action=url_for("delegation.delegate_obligation", obligation_id=obligation.id),
        working_days=operations.working_days_before(activity.plan_id) if from_body else None,  # the form's hint
        expandable=expandable, expand_form=ExpandForm(formdata=None) if expandable else None,
    )


def _group(body_or_id) -> Body | None:
    if isinstance(body_or_id, Body):
        body = body_or_id
    else:
        key = str(body_or_id or "")
        body = db.session.get(Body, int(key)) if key.isdigit() and len(key) <= 9 else None  # an id, not any number
    return body if registry.is_group(body) else None


@bp.app_template_global("group_members")
def group_members(body, as_of=None) -> list | None:
    """A body's page (templates/dashboard/body.html): for a collective executor, each member with
    its parts of the group's due dates by status (queries.group_figures); None for any other body."""
    group = _group(body)
    if group is None:
        return None
    return queries.group_figures(group, as_of or today(), current_app.config["DUE_SOON_DAYS"])


@bp.app_template_global("group_members_in_plan")
def group_members_in_plan(plan_id: int, key, as_of=None) -> list | None:
    """A plan's charts (templates/dashboard/charts.html), opened on a collective executor (`key`,
    the chart's executor key: the body's id): its members with the plan's activities and parts
    (queries.group_members_in_plan); None when the key is not a group."""
    group = _group(key)
    if group is None:
        return None
    return queries.group_members_in_plan(group, plan_id, as_of or today(), current_app.config["DUE_SOON_DAYS"])


def _obligation(obligation_id: int) -> Obligation:
    obligation = db.session.get(Obligation, obligation_id, options=[
        selectinload(Obligation.activity).selectinload(Activity.executors).selectinload(ActivityExecutor.body)])
    return obligation or abort(404)


@bp.post("/obligations/<int:obligation_id>/delegations")
def delegate_obligation(obligation_id: int):
    obligation = _obligation(obligation_id)
    if not operations.may_delegate_from_obligation(current_user, obligation):
        abort(403)
    form = DelegateForm()
    if not form.validate_on_submit():
        g.delegate_form = form
        return report_routes._page(obligation, error=_("The form is incomplete."), status_code=422)
    try:
        made = operations.delegate(current_user, obligation, None, form.targets.data, form.due_date.data,
                                   form.instruction.data, _files(form))
    except (operations.DelegationError, evidence_files.EvidenceError) as exc:
        g.delegate_form = form
        return report_routes._page(obligation, error=str(exc), status_code=422)
    flash(_("Handed down to %(n)s bodies.", n=len(made)))
    return redirect(url_for("reports.obligation", obligation_id=obligation.id) + "#chain")


@bp.get("/obligations/<int:obligation_id>/quote")
def quote(obligation_id: int):
    """The accepted sub-reports as text to quote in the consolidated report: for htmx, the report
    form's text box with them added after what is written there already."""
    obligation = _obligation(obligation_id)
    tree = queries.tree(obligation, current_user)
    text = queries.quote(tree.roots + [m for group in tree.groups for m in group.members])
    written = (request.args.get("text") or "").strip()
    if htmx:
        return render_template("delegation/_quote.html",
                               combined="\n\n".join(part for part in (written, text) if part))
    return render_template("delegation/quote.html", obligation=obligation, text=text)


# --- a sub-obligation's page -----------------------------------------------------------------------


def _delegation(delegation_id: int) -> Delegation:
    return db.session.get(Delegation, delegation_id) or abort(404)


def _sub_page(delegation: Delegation, report_form: SubReportForm | None = None,
              review_form: SubReviewForm | None = None, delegate_form: DelegateForm | None = None,
              error: str | None = None, status_code: int = 200):
    obligation = delegation.obligation
    tree = queries.tree(obligation, current_user, accounts_for=delegation.id)
    node = tree.by_id[delegation.id]
    latest = node.latest
    may_report = operations.may_report(current_user, delegation)
    can_post = may_report and operations.posting_refusal(current_user, delegation, latest) is None
    may_delegate = may_report and not (latest is not None and latest.state == ReportState.ACCEPTED)
    report_form = report_form or SubReportForm(formdata=None)
    if can_post and latest is not None and latest.state == ReportState.RETURNED and not report_form.text.data:
        report_form.text.data = latest.text  # the correction starts from the returned version
    if delegate_form is not None:
        g.delegate_form = delegate_form
    context = dict(
        delegation=delegation, node=node, obligation=obligation, activity=obligation.activity,
        chain=queries.chain_of(delegation), material=queries.material(node.children),
        can_post=can_post, report_form=report_form,
        review_form=review_form or SubReviewForm(formdata=None), error=error,
        form=_delegate_form(delegation.body, delegation.due_date, obligation.activity.plan_id) if may_delegate else None,
        action=url_for("delegation.delegate_further", delegation_id=delegation.id),
        working_days=operations.working_days_before(obligation.activity.plan_id),
        may_review=node.may_review, today=today(),
    )
    return render_template("delegation/show.html", **context), status_code


@bp.get("/delegations/<int:delegation_id>")
def show(delegation_id: int):
    return _sub_page(_delegation(delegation_id))


@bp.post("/delegations/<int:delegation_id>/delegations")
def delegate_further(delegation_id: int):
    delegation = _delegation(delegation_id)
    if not operations.may_report(current_user, delegation):
        abort(403)
    form = DelegateForm()
    if not form.validate_on_submit():
        return _sub_page(delegation, delegate_form=form, error=_("The form is incomplete."), status_code=422)
    try:
        made = operations.delegate(current_user, delegation.obligation, delegation, form.targets.data,
                                   form.due_date.data, form.instruction.data, _files(form))
    except (operations.DelegationError, evidence_files.EvidenceError) as exc:
        return _sub_page(delegation, delegate_form=form, error=str(exc), status_code=422)
    flash(_("Handed down to %(n)s bodies.", n=len(made)))
    return redirect(url_for("delegation.show", delegation_id=delegation.id) + "#chain")


@bp.post("/delegations/<int:delegation_id>/reports")
def post_report(delegation_id: int):
    delegation = _delegation(delegation_id)
    if not operations.may_report(current_user, delegation):
        abort(403)
    form = SubReportForm()
    if not form.validate_on_submit():
        return _sub_page(delegation, report_form=form, error=_("The form is incomplete."), status_code=422)
    try:
        operations.submit(delegation, current_user, form.text.data, report_operations.parse_links(form.links.data),
                          _files(form), form.no_personal_data.data)
    except (operations.DelegationError, report_operations.ReportError, evidence_files.EvidenceError) as exc:
        return _sub_page(delegation, report_form=form, error=str(exc), status_code=422)
    flash(_("Report sent up to %(body)s.", body=delegation.from_body.label))
    return redirect(url_for("delegation.show", delegation_id=delegation.id))


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@bp.post("/sub-reports/<int:sub_report_id>/review")
def review(sub_report_id: int):
    report = db.session.get(SubReport, sub_report_id) or abort(404)
    delegation = report.delegation
    if not operations.may_review(current_user, delegation):
        abort(403)
    form = SubReviewForm()
    if not form.validate_on_submit():
        return _sub_page(delegation, review_form=form, error=_("The form is incomplete."), status_code=422)
    try:
        operations.review(report, current_user, accept=bool(form.accept.data), comment=form.comment.data,
                          seen_version=_int_or_none(request.form.get("seen_version")))
    except operations.ChangedMeanwhile as exc:
        return _sub_page(delegation, error=str(exc), status_code=409)
    except operations.DelegationError as exc:
        return _sub_page(delegation, review_form=form, error=str(exc), status_code=422)
    flash(_("Report accepted.") if form.accept.data else _("Report returned for correction."))
    return redirect(url_for("delegation.show", delegation_id=delegation.id))


@bp.get("/delegation-files/<int:file_id>")
def download(file_id: int):
    return evidence_files.send_stored(db.session.get(DelegationFile, file_id) or abort(404))


@bp.post("/executors/<int:executor_id>/expand")
def expand(executor_id: int):
    executor = db.session.get(ActivityExecutor, executor_id) or abort(404)
    if not operations.may_expand(current_user, executor):
        abort(403)
    if not ExpandForm().validate_on_submit():
        abort(400)
    try:
        made = operations.expand_group(current_user, executor)
    except operations.DelegationError as exc:
        flash(str(exc), "error")
        return redirect(url_for("progress.activity", activity_id=executor.activity_id))
    flash(_("Each member of the group now owes its part: %(n)s parts given.", n=len(made)))
    first = executor.activity.obligations[0] if executor.activity.obligations else None
    if first is not None:
        return redirect(url_for("reports.obligation", obligation_id=first.id) + "#chain")
    return redirect(url_for("progress.activity", activity_id=executor.activity_id))


# --- a body's chain ---------------------------------------------------------------------------------


@bp.get("/bodies/<int:body_id>/chain")
def body_chain(body_id: int):
    """A body's figures down the chain, apart from its own obligations': what was handed down to it,
    its sub-executors' branch with their rate, what is late below it, and for a collective
    executor its members one by one."""
    body = db.session.get(Body, body_id) or abort(404)
    as_of = today()
    soon = current_app.config["DUE_SOON_DAYS"]
    figures = queries.delegated_figures([body.id], as_of, soon)[body.id]
    members = queries.group_figures(body, as_of, soon) if registry.is_group(body) else None
    return render_template("delegation/body.html", body=body, figures=figures, as_of=as_of, members=members,
                           rows=queries.branch_rows(body.id, as_of, soon),
                           owed=queries.delegated_work(body.id, as_of, soon, working_calendar()))

