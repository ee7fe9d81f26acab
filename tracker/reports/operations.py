"""Posting, correcting and reviewing completion reports; the statuses that follow from them."""

import re
import secrets
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker import history
from tracker.auth.models import User
from tracker.control.rules import in_force
from tracker.core.clock import local_date, now, today
from tracker.core.personal_data import PersonalDataFound, refuse_personal_data
from tracker.extensions import db
from tracker.plans.models import ExecutorRole, Obligation
from tracker.plans.permissions import reporting_role
from tracker.reports import evidence as evidence_files
from tracker.reports import rollups, signals
from tracker.reports.models import CompletionReport, Evidence, ReportKind
from tracker.reports.status import LeadReportState, ReportState, obligation_status, state_as_of

_LINK = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


class ReportError(ValueError):
    """Why a report cannot be posted or reviewed, said for the person in front of the form."""


# --- reading ---------------------------------------------------------------------------


def lead_report_states(obligation_ids, as_of: date | None = None) -> dict[int, LeadReportState]:
    """The latest lead report of each obligation as it stood at the end of `as_of` (or now)."""
    ids = list(obligation_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(CompletionReport.obligation_id, CompletionReport.state, CompletionReport.submitted_on,
               CompletionReport.reviewed_on)
        .where(CompletionReport.obligation_id.in_(ids), CompletionReport.kind == ReportKind.LEAD)
        .order_by(CompletionReport.obligation_id, CompletionReport.version)
    ).all()
    states: dict[int, LeadReportState] = {}
    for obligation_id, state, submitted_on, reviewed_on in rows:
        if as_of is None:
            states[obligation_id] = LeadReportState(state, reviewed_on)
        else:
            then = state_as_of(state, submitted_on, reviewed_on, as_of)
            if then is not None:  # a later version not yet submitted that day leaves the earlier one
                states[obligation_id] = then
    return states


def statuses(obligations, as_of: date | None = None) -> dict[int, str]:
    """Obligation id → status, today (or on `as_of`), against the date in force that day."""
    obligations = list(obligations)
    day = as_of or today()
    states = lead_report_states([o.id for o in obligations], as_of)
    then = in_force(obligations, day)
    soon = current_app.config["DUE_SOON_DAYS"]
    return {o.id: obligation_status(then[o.id].due_date, states.get(o.id), day, soon, then[o.id].on_control)
            for o in obligations}


def reports_of(obligation: Obligation) -> list[CompletionReport]:
    return reports_by_obligation([obligation])[obligation.id]


def reports_by_obligation(obligations) -> dict[int, list[CompletionReport]]:
    """Every report of these obligations in one query, grouped, oldest first."""
    from sqlalchemy.orm import selectinload

    grouped: dict[int, list[CompletionReport]] = {o.id: [] for o in obligations}
    if grouped:
        for report in db.session.scalars(
                select(CompletionReport).where(CompletionReport.obligation_id.in_(list(grouped)))
                .options(selectinload(CompletionReport.body))
                .order_by(CompletionReport.submitted_at, CompletionReport.id)):
            grouped[report.obligation_id].append(report)
    return grouped


def latest_lead_report(obligation: Obligation) -> CompletionReport | None:
    return db.session.scalar(
        select(CompletionReport).where(CompletionReport.obligation_id == obligation.id,
                                       CompletionReport.kind == ReportKind.LEAD)
        .order_by(CompletionReport.version.desc()).limit(1))


# --- posting ---------------------------------------------------------------------------


def parse_links(text: str) -> list[str]:
    links = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for number, link in enumerate(links, start=1):
        if not _LINK.match(link):
            raise ReportError(_("Link %(n)s («%(link)s») is not a web address starting with http:// or https://.",
                                n=number, link=link[:80]))
    return links


#: what a form's duplicate-submission token looks like (secrets.token_urlsafe(32))
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_submission_token() -> str:
    """A fresh token for a report form just rendered (see `submit_report`)."""
    return secrets.token_urlsafe(32)


def clean_submission_token(value: str | None) -> str | None:
    """The token a form sent, or None when it sent none or something that is not one."""
    return value if value and _TOKEN.match(value) else None


def stored_submission(token: str | None, obligation: Obligation, user: User) -> CompletionReport | None:
    """The report already stored from the form carrying `token`, if any. The token is only ever
    shown to the person who opened the form on this obligation's page; one sent for another
    obligation or by someone else is not theirs to reuse."""
    if not token:
        return None
    report = db.session.scalar(select(CompletionReport).where(CompletionReport.submission_token == token))
    if report is not None and (report.obligation_id != obligation.id or report.submitted_by_id != user.id):
        raise ReportError(_("This form was already used to send another report. Open the page again and "
                            "send your report from there."))
    return report


def _not_an_executor() -> ReportError:
    return ReportError(_("Your body is not an executor of this activity."))


def _already_accepted() -> ReportError:
    return ReportError(_("The report for this due date is already accepted."))


def _awaits_review() -> ReportError:
    return ReportError(_("A report for this due date awaits review; wait for the coordinator's decision."))


def posting_refusal(role: str | None, latest: CompletionReport | None) -> ReportError | None:
    """Why a person whose body plays `role` on the activity cannot post on the obligation whose
    latest lead report is `latest` — or None when they can. `submit_report` refuses for exactly
    these reasons; the page asks this before it offers the form."""
    if role is None:
        return _not_an_executor()
    if latest is not None and latest.state == ReportState.ACCEPTED:
        return _already_accepted()
    if role == ExecutorRole.LEAD and latest is not None and latest.state == ReportState.SUBMITTED:
        return _awaits_review()
    return None


def report_to_correct(role: str | None, latest: CompletionReport | None, user: User) -> CompletionReport | None:
    """The returned report this person's body now corrects, or None. Only the lead body corrects
    its own returned report; the corrected version starts from its text and links, and may carry
    its files over (the page offers them, ticked)."""
    if (role == ExecutorRole.LEAD and latest is not None and latest.state == ReportState.RETURNED
            and latest.body_id == user.body_id):
        return latest
    return None


def _stored_meanwhile(obligation: Obligation, version: int) -> ReportError | None:
    """Why a lead report of `version` cannot be stored when another request stored that version
    first — the same words as when that report was already there when the form was sent — or
    None when no such report stands (the refusal was something else)."""
    latest = latest_lead_report(obligation)
    if latest is None or latest.version < version:
        return None
    return _already_accepted() if latest.state == ReportState.ACCEPTED else _awaits_review()


def submit_report(obligation: Obligation, user: User, text: str, links: list[str],
                  files: list[tuple[str, bytes]], no_personal_data: bool,
                  keep_evidence_ids: list[int] | None = None,
                  submission_token: str | None = None) -> CompletionReport:
    """Post a lead report (first or corrected version) or a co-executor's contribution.

    Files are checked before anything is written; if storing the report fails, the files
    already written are removed again, so nothing half-done remains.

    The database decides races: one lead report per version of an obligation (a unique index),
    so of two executors posting the first report at the same moment one is stored and the other
    hears that a report awaits review, as if it had been there first. `submission_token` (from
    the form) makes a repeated post of the same form — a double click, a retry after a timeout —
    return the report already stored instead of storing it, and its files, twice.
    """
    role = reporting_role(user, obligation.activity)
    if role is None:
        raise _not_an_executor()
    text = (text or "").strip()
    if not text:
        raise ReportError(_("Say what was done: the report text is empty."))
    if not no_personal_data:
        raise ReportError(_("Confirm that the report names no minor and carries no IIN."))
    try:
        refuse_personal_data(text=text, links=links)
    except PersonalDataFound as found:
        if found.field == "links":
            raise ReportError(_("A link contains an IIN (%(iin)s). Reports must not carry personal identification "
                                "numbers; remove it.", iin=found.masked)) from None
        raise ReportError(_("The report contains an IIN (%(iin)s). Reports must not carry personal "
                            "identification numbers; remove it.", iin=found.masked)) from None

    latest = latest_lead_report(obligation)
    # Looked up after `latest`: if this form's first post is stored meanwhile, that report is what
    # this post finds, not a refusal because "a report awaits review" (its own).
    already = stored_submission(submission_token, obligation, user)
    if already is not None:
        return already
    refusal = posting_refusal(role, latest)
    if refusal is not None:
        raise refusal
    kind = ReportKind.LEAD if role == ExecutorRole.LEAD else ReportKind.CONTRIBUTION
    previous = latest if kind == ReportKind.LEAD else None  # a returned report: this is its corrected version

    max_bytes = current_app.config["MAX_EVIDENCE_BYTES"]
    checked = [(name, data, evidence_files.check(name, data, max_bytes)) for name, data in files]
    keep = set(keep_evidence_ids or ())
    returned = report_to_correct(role, latest, user)
    carried = [e for e in returned.evidence if e.id in keep] if returned else []
    if kind == ReportKind.LEAD and not checked and not carried and not links:
        raise ReportError(_("Attach at least one evidence file or give a link to the evidence."))

    moment = now()
    version = previous.version + 1 if previous else 1
    report = CompletionReport(
        obligation=obligation, body_id=user.body_id, kind=kind,
        version=version, previous_id=previous.id if previous else None,
        text=text, links=links, state=ReportState.SUBMITTED, submitted_at=moment, submitted_on=local_date(moment),
        submitted_by_id=user.id, no_personal_data=True, submission_token=submission_token,
    )
    for item in carried:
        report.evidence.append(Evidence(
            original_name=item.original_name, stored_name=item.stored_name, kind=item.kind,
            content_type=item.content_type, size=item.size, sha256=item.sha256,
            uploaded_by_id=item.uploaded_by_id, uploaded_at=item.uploaded_at))
    folder = Path(current_app.config["EVIDENCE_DIR"])
    written: list[Path] = []
    try:
        for name, data, file_kind in checked:
            stored = evidence_files.store(name, data, file_kind, folder)
            written.append(stored.path)
            report.evidence.append(Evidence(
                original_name=stored.original_name, stored_name=stored.stored_name, kind=stored.kind,
                content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
                uploaded_by_id=user.id, uploaded_at=moment))
        db.session.add(report)
        db.session.flush()
        action = "report.contributed" if kind == ReportKind.CONTRIBUTION else (
            "report.resubmitted" if previous else "report.submitted")
        history.record(action, obligation=obligation, report=report, body=report.body or user.body, details={
            "version": report.version, "files": [e.original_name for e in report.evidence],
            "due_date": _iso(obligation.due_date), "number": obligation.activity.number})
        signals.report_submitted.send(None, report=report)
        rollups.recount([obligation.id])
        db.session.commit()
    except BaseException as error:
        db.session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(error, IntegrityError):
            # Another request stored its report between our reading and our writing: this very
            # form (the token), or another lead report of the same version (the unique index).
            stored = stored_submission(submission_token, obligation, user)
            if stored is not None:
                return stored
            refusal = _stored_meanwhile(obligation, version) if kind == ReportKind.LEAD else None
            if refusal is not None:
                raise refusal from None
        raise
    return report


class ChangedMeanwhile(ReportError):
    """Someone else reviewed the report after this person opened the page."""


def _changed_meanwhile(report: CompletionReport) -> ChangedMeanwhile:
    db.session.refresh(report)
    if report.state == ReportState.SUBMITTED:
        return ChangedMeanwhile(_("This report changed while you were reading it. The page now shows it as it is; "
                                  "nothing you sent was saved."))
    who = report.reviewed_by.email if report.reviewed_by else "—"
    if report.state == ReportState.ACCEPTED:
        return ChangedMeanwhile(_("This report was accepted by %(who)s while you were reading it. The page now "
                                  "shows it as it is; nothing you sent was saved.", who=who))
    return ChangedMeanwhile(_("This report was returned by %(who)s while you were reading it. The page now "
                              "shows it as it is; nothing you sent was saved.", who=who))


def review_report(report: CompletionReport, reviewer: User, accept: bool, comment: str,
                  seen_version: int | None = None) -> CompletionReport:
    """Accept or return a lead report, in one transaction. `seen_version` is the row_version the
    reviewer's page showed; a report reviewed by someone else since then is not touched."""
    comment = (comment or "").strip()
    if report.kind != ReportKind.LEAD:
        raise ReportError(_("Co-executors' contributions are not reviewed; the lead's report is."))
    if (seen_version is not None and seen_version != report.row_version) or report.state != ReportState.SUBMITTED:
        raise _changed_meanwhile(report)
    if not accept and not comment:
        raise ReportError(_("Say why the report is returned: the comment is empty."))
    try:
        refuse_personal_data(comment=comment)
    except PersonalDataFound as found:
        raise ReportError(_("The comment contains an IIN (%(iin)s); remove it.", iin=found.masked)) from None
    moment = now()
    report.state = ReportState.ACCEPTED if accept else ReportState.RETURNED
    report.reviewed_at = moment
    report.reviewed_on = local_date(moment)
    report.reviewed_by_id = reviewer.id
    report.review_comment = comment or None
    try:  # the UPDATE may already run at an autoflush (loading the obligation, recording the history)
        obligation = report.obligation
        history.record("report.accepted" if accept else "report.returned", obligation=obligation, report=report,
                       body=report.body, actor=reviewer, details={
                           "version": report.version, "comment": comment,
                           "due_date": _iso(obligation.due_date), "number": obligation.activity.number})
        signals.report_reviewed.send(None, report=report)
        rollups.recount([obligation.id])
        db.session.commit()
    except StaleDataError:  # another reviewer's UPDATE landed between our read and our write
        db.session.rollback()
        raise _changed_meanwhile(report) from None
    return report


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None  # a due date that waits for an event has none yet
