"""Handing a due date down, reporting back up, reviewing what came up — the rules, once.

Who may do what, by the body of the executor's account:

- hand down a plan obligation: the lead body or a co-executor of its activity (for its
  contribution) — tracker.plans.permissions.reporting_role;
- hand down a sub-obligation further: the body it was handed to;
- report on a sub-obligation: the body it was handed to;
- accept or return that report: the body that handed it down — nobody else, not the coordinator
  (whose review of the lead's report is unchanged), not a body further down or up;
- expand a collective executor on an activity into its members' parts: the coordinator, or the
  body above the members (the region's department), or the group itself.

A returned sub-report goes back one level only: the body that reported corrects it; what the
bodies below it had reported and had accepted stays accepted.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker import history
from tracker.auth.models import AccountRole, User
from tracker.auth.permissions import can_edit_plans
from tracker.calendar import working_calendar
from tracker.core.clock import local_date, now
from tracker.core.personal_data import PersonalDataFound, refuse_personal_data
from tracker.delegation import registry, signals
from tracker.delegation.models import Delegation, DelegationAbove, DelegationFile, SubReport
from tracker.executors.models import Body
from tracker.extensions import db
from tracker.plans.models import ActivityExecutor, Obligation, Plan
from tracker.plans.permissions import reporting_role
from tracker.reports import evidence as evidence_files
from tracker.reports.status import ReportState

#: the plan setting's default: an internal due date this many working days before the one above
DEFAULT_WORKING_DAYS_BEFORE = 5
#: how many bodies one hand-down may reach at once (every district of the largest region twice over)
MAX_TARGETS = 60


class DelegationError(ValueError):
    """Why a due date cannot be handed down, reported on or reviewed, said for the person in front of the form."""


class ChangedMeanwhile(DelegationError):
    """Someone else reviewed the sub-report after this person opened the page."""


# --- who ---------------------------------------------------------------------------------------


def _executor_body(user: User) -> int | None:
    if not user.is_authenticated or user.role != AccountRole.EXECUTOR:
        return None
    return user.body_id


def may_report(user: User, delegation: Delegation) -> bool:
    return _executor_body(user) is not None and user.body_id == delegation.body_id


def may_review(user: User, delegation: Delegation) -> bool:
    return _executor_body(user) is not None and user.body_id == delegation.from_body_id


def may_delegate_from_obligation(user: User, obligation: Obligation) -> bool:
    return _executor_body(user) is not None and reporting_role(user, obligation.activity) is not None


def may_expand(user: User, executor: ActivityExecutor) -> bool:
    group = executor.body
    if not registry.is_group(group):
        return False
    if can_edit_plans(user):
        return True
    body_id = _executor_body(user)
    if body_id is None:
        return False
    head = registry.head_of(group)
    return body_id == group.id or (head is not None and body_id == head.id)


# --- the internal due date -----------------------------------------------------------------------


def working_days_before(plan_id: int) -> int:
    """The plan's setting (plan.delegation_working_days; the plan form edits it)."""
    value = db.session.scalar(select(Plan.delegation_working_days).where(Plan.id == plan_id))
    return DEFAULT_WORKING_DAYS_BEFORE if value is None else int(value)


def default_due_date(above: date | None, plan_id: int, calendar=None) -> date | None:
    """N working days (the plan's setting) before the due date above; None when that has no date."""
    if above is None:
        return None
    return (calendar or working_calendar()).subtract_working_days(above, working_days_before(plan_id))


# --- handing down ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A body one may hand down to: an existing one, or a group's member the registry names that
    the portal does not hold yet (created when chosen)."""

    value: str  #: "b<id>" or "m<kind>:<identity>"
    label: str
    body_id: int | None


def targets_for(from_body: Body) -> list[Target]:
    """Who `from_body` may hand down to: the bodies whose parent it is, and — when it heads a
    group kind (the region's education department) — every member the district registry names."""
    found: dict[str, Target] = {}
    for kind_key in registry.group_kinds_headed_by(from_body):
        for member in registry.possible_members(from_body.region, kind_key):
            if member.body is not None:
                found[f"b{member.body.id}"] = Target(f"b{member.body.id}", member.body.label, member.body.id)
            else:
                found[f"m{kind_key}:{member.identity}"] = Target(f"m{kind_key}:{member.identity}", member.name, None)
    if registry.is_group(from_body):
        for body in registry.members(from_body):
            found.setdefault(f"b{body.id}", Target(f"b{body.id}", body.label, body.id))
    for body in db.session.scalars(select(Body).where(Body.parent_id == from_body.id).order_by(Body.name)):
        found.setdefault(f"b{body.id}", Target(f"b{body.id}", body.label, body.id))
    return list(found.values())


def _chosen_bodies(from_body: Body, values: list[str]) -> list[Body]:
    allowed = {t.value: t for t in targets_for(from_body)}
    values = list(dict.fromkeys(v for v in values if v))
    if not values:
        raise DelegationError(_("Choose at least one body to hand the due date down to."))
    if len(values) > MAX_TARGETS:
        raise DelegationError(_("At most %(n)s bodies at once.", n=MAX_TARGETS))
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise DelegationError(_("A body you chose is not below yours; you can hand work down only to the bodies "
                                "below your body."))
    bodies = []
    for value in values:
        target = allowed[value]
        if target.body_id is not None:
            bodies.append(db.session.get(Body, target.body_id))
        else:
            kind_key, identity = value[1:].split(":", 1)
            bodies += registry.ensure_members(from_body.region, kind_key, only={identity})
    return bodies


def _check_text(instruction: str) -> str:
    instruction = (instruction or "").strip()
    if not instruction:
        raise DelegationError(_("Write the instruction: what the bodies below are to do and report."))
    try:
        refuse_personal_data(text=instruction)
    except PersonalDataFound as found:
        raise DelegationError(_("The instruction contains an IIN (%(iin)s); remove it.", iin=found.masked)) from None
    return instruction


def _store_files(files: list[tuple[str, bytes]], user: User, moment, written: list[Path]) -> list[DelegationFile]:
    """Check every file first (content, size, IINs), then write them; `written` collects the paths
    so that a failure removes them again."""
    max_bytes = current_app.config["MAX_EVIDENCE_BYTES"]
    checked = [(name, data, evidence_files.check(name, data, max_bytes)) for name, data in files]
    folder = Path(current_app.config["EVIDENCE_DIR"])
    rows = []
    for name, data, kind in checked:
        stored = evidence_files.store(name, data, kind, folder)
        written.append(stored.path)
        rows.append(DelegationFile(original_name=stored.original_name, stored_name=stored.stored_name,
                                   kind=stored.kind, content_type=stored.content_type, size=stored.size,
                                   sha256=stored.sha256, uploaded_by_id=user.id, uploaded_at=moment))
    return rows


def latest_report(delegation: Delegation) -> SubReport | None:
    return db.session.scalar(select(SubReport).where(SubReport.delegation_id == delegation.id)
                             .order_by(SubReport.version.desc()).limit(1))


def delegate(user: User, obligation: Obligation, parent: Delegation | None, target_values: list[str],
             due_date: date | None, instruction: str, files: list[tuple[str, bytes]]) -> list[Delegation]:
    """Hand `obligation` (or the sub-obligation `parent` of it) down to the chosen bodies, each
    with the internal due date (the default when None: the plan's N working days before the date
    above), the instruction and the files. One transaction; the files written are removed again if
    anything fails."""
    if parent is None:
        if not may_delegate_from_obligation(user, obligation):
            raise DelegationError(_("Your body is not an executor of this activity, so it cannot hand it down."))
        from_body = db.session.get(Body, user.body_id)
        above_due = obligation.due_date
    else:
        if not may_report(user, parent):
            raise DelegationError(_("This sub-obligation is not your body's, so your body cannot hand it down."))
        latest = latest_report(parent)
        if latest is not None and latest.state == ReportState.ACCEPTED:
            raise DelegationError(_("Your body's report on this is already accepted; there is nothing to hand down."))
        from_body = parent.body
        above_due = parent.due_date
    instruction = _check_text(instruction)
    if due_date is None:
        due_date = default_due_date(above_due, obligation.activity.plan_id)
    if due_date is None:
        raise DelegationError(_("The due date above waits for an event; give the internal due date yourself."))
    if above_due is not None and due_date > above_due:
        raise DelegationError(_("The internal due date %(day)s is after the due date above (%(above)s); the "
                                "bodies below must answer first.", day=due_date.isoformat(),
                                above=above_due.isoformat()))
    try:
        bodies, above = _checked_targets(obligation, parent, from_body, target_values)
    except DelegationError:
        db.session.rollback()  # a group's member created for the choice must not stay in the session
        raise

    moment = now()
    written: list[Path] = []
    try:
        made = []
        for body in bodies:
            item = Delegation(obligation_id=obligation.id, parent_id=parent.id if parent else None,
                              depth=(parent.depth + 1) if parent else 1, from_body_id=from_body.id, body_id=body.id,
                              due_date=due_date, instruction=instruction, created_by_id=user.id, created_at=moment)
            db.session.add(item)
            made.append(item)
        db.session.flush()
        # the files are checked and written once; every body handed down to gets rows of its own
        stored = _store_files(files, user, moment, written)
        for item in made:
            for distance, body_id in enumerate(dict.fromkeys(above), start=1):
                db.session.add(DelegationAbove(delegation_id=item.id, body_id=body_id, distance=distance))
            for f in stored:
                db.session.add(DelegationFile(
                    delegation_id=item.id, original_name=f.original_name, stored_name=f.stored_name, kind=f.kind,
                    content_type=f.content_type, size=f.size, sha256=f.sha256, uploaded_by_id=user.id,
                    uploaded_at=moment))
        db.session.flush()
        history.record("delegation.created", obligation=obligation, body=from_body, details={
            "to": [body.label for body in bodies], "due_date": due_date.isoformat(),
            "depth": made[0].depth, "number": obligation.activity.number,
            "files": [f.original_name for f in stored], "parent": parent.id if parent else None})
        for item in made:
            signals.delegated.send(None, delegation=item)
        db.session.commit()
    except BaseException as error:
        db.session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(error, IntegrityError):  # the same hand-down sent twice at once
            raise DelegationError(_("Already handed down: the page shows it now.")) from None
        raise
    return made


def _checked_targets(obligation: Obligation, parent: Delegation | None, from_body: Body,
                     target_values: list[str]) -> tuple[list[Body], list[int]]:
    bodies = _chosen_bodies(from_body, target_values)
    if any(body.id == from_body.id for body in bodies):
        raise DelegationError(_("Your body cannot hand work down to itself."))
    existing = set(db.session.scalars(select(Delegation.body_id).where(
        Delegation.obligation_id == obligation.id, Delegation.from_body_id == from_body.id)))
    again = [body.label for body in bodies if body.id in existing]
    if again:
        raise DelegationError(_("Already handed down to: %(bodies)s.", bodies=", ".join(again)))
    # the bodies above the new sub-obligations: the one handing down, then those above it
    above = [from_body.id] + ([] if parent is None else list(db.session.scalars(
        select(DelegationAbove.body_id).where(DelegationAbove.delegation_id == parent.id)
        .order_by(DelegationAbove.distance))))
    if any(body.id in above for body in bodies):
        raise DelegationError(_("A body above in this chain cannot be handed its own work back."))
    return bodies, above


def expand_group(user: User, executor: ActivityExecutor) -> list[Delegation]:
    """Give each member of a collective executor its part of every due date of the activity (those
    already given are kept): one sub-obligation per member and due date, due when the group's is,
    reviewed by the body above the members (or, where the portal has none, the group's accounts)."""
    if not may_expand(user, executor):
        raise DelegationError(_("Only the coordinator or the body above the group's members can expand it."))
    group = executor.body
    activity = executor.activity
    members = registry.ensure_members(group.region, group.registry_key)
    if not members:
        raise DelegationError(_("The district registry has no cities or districts for %(region)s; an administrator "
                                "can add them.", region=group.region))
    head = registry.head_of(group)
    reviewer = head or group
    existing = {(o, b) for o, b in db.session.execute(
        select(Delegation.obligation_id, Delegation.body_id).where(
            Delegation.group_body_id == group.id,
            Delegation.obligation_id.in_([o.id for o in activity.obligations])))}
    moment = now()
    made = []
    for obligation in activity.obligations:
        for member in members:
            if (obligation.id, member.id) in existing:
                continue
            item = Delegation(obligation_id=obligation.id, depth=1, from_body_id=reviewer.id, body_id=member.id,
                              group_body_id=group.id, due_date=obligation.due_date,
                              # no text of its own: the page says, in the reader's language, whose part it is
                              instruction="", created_by_id=user.id, created_at=moment)
            db.session.add(item)
            made.append(item)
    try:
        db.session.flush()
        for item in made:
            db.session.add(DelegationAbove(delegation_id=item.id, body_id=reviewer.id, distance=1))
        history.record("delegation.group_expanded", activity=activity, body=group, details={
            "members": len(members), "parts": len(made), "number": activity.number,
            "reviewed_by": reviewer.label})
        for item in made:
            signals.delegated.send(None, delegation=item)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return made


# --- reporting up -------------------------------------------------------------------------------


def posting_refusal(user: User, delegation: Delegation, latest: SubReport | None) -> DelegationError | None:
    """Why this person cannot report on the sub-obligation now, or None (the page asks before
    showing the form; `submit` refuses for exactly these reasons)."""
    if not may_report(user, delegation):
        return DelegationError(_("This sub-obligation is not your body's."))
    if latest is not None and latest.state == ReportState.ACCEPTED:
        return DelegationError(_("Your report on this is already accepted."))
    if latest is not None and latest.state == ReportState.SUBMITTED:
        return DelegationError(_("Your report awaits review by the body that handed this down."))
    return None


def submit(delegation: Delegation, user: User, text: str, links: list[str], files: list[tuple[str, bytes]],
           no_personal_data: bool) -> SubReport:
    """Post the delegated body's report (a corrected version after a return carries the returned
    version's files over). One transaction; files written are removed again on failure."""
    latest = latest_report(delegation)
    refusal = posting_refusal(user, delegation, latest)
    if refusal is not None:
        raise refusal
    text = (text or "").strip()
    if not text:
        raise DelegationError(_("Say what was done: the report text is empty."))
    if not no_personal_data:
        raise DelegationError(_("Confirm that the report names no minor and carries no IIN."))
    try:
        refuse_personal_data(text=text, links=links)
    except PersonalDataFound as found:
        raise DelegationError(_("The report contains an IIN (%(iin)s). Reports must not carry personal "
                                "identification numbers; remove it.", iin=found.masked)) from None
    moment = now()
    written: list[Path] = []
    try:
        report = SubReport(delegation_id=delegation.id, body_id=user.body_id, version=(latest.version + 1) if latest else 1,
                           previous_id=latest.id if latest else None, text=text, links=links,
                           state=ReportState.SUBMITTED, submitted_at=moment, submitted_on=local_date(moment),
                           submitted_by_id=user.id, no_personal_data=True)
        db.session.add(report)
        db.session.flush()
        carried = list(latest.files) if latest is not None else []
        for f in carried:
            db.session.add(DelegationFile(delegation_id=delegation.id, report_id=report.id,
                                          original_name=f.original_name, stored_name=f.stored_name, kind=f.kind,
                                          content_type=f.content_type, size=f.size, sha256=f.sha256,
                                          uploaded_by_id=f.uploaded_by_id, uploaded_at=f.uploaded_at))
        for row in _store_files(files, user, moment, written):
            row.delegation_id, row.report_id = delegation.id, report.id
            db.session.add(row)
        db.session.flush()
        history.record("subreport.resubmitted" if latest else "subreport.submitted", obligation=delegation.obligation,
                       body=delegation.body, details={
                           "delegation": delegation.id, "version": report.version, "to": delegation.from_body.label,
                           "files": [f.original_name for f in report.files]})
        signals.sub_report_submitted.send(None, report=report)
        db.session.commit()
    except BaseException as error:
        db.session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(error, IntegrityError):  # another account of the body posted the same version first
            raise DelegationError(_("Your report awaits review by the body that handed this down.")) from None
        raise
    return report


def _changed_meanwhile(report: SubReport) -> ChangedMeanwhile:
    db.session.refresh(report)
    who = report.reviewed_by.email if report.reviewed_by else "—"
    if report.state == ReportState.ACCEPTED:
        return ChangedMeanwhile(_("This report was accepted by %(who)s while you were reading it. The page now "
                                  "shows it as it is; nothing you sent was saved.", who=who))
    if report.state == ReportState.RETURNED:
        return ChangedMeanwhile(_("This report was returned by %(who)s while you were reading it. The page now "
                                  "shows it as it is; nothing you sent was saved.", who=who))
    return ChangedMeanwhile(_("This report changed while you were reading it. The page now shows it as it is; "
                              "nothing you sent was saved."))


def review(report: SubReport, reviewer: User, accept: bool, comment: str, seen_version: int | None = None) -> SubReport:
    """Accept or return a sub-report, by the body that handed the sub-obligation down. Returning
    it sends it back one level: to the body that reported, and no further."""
    delegation = report.delegation
    if not may_review(reviewer, delegation):
        raise DelegationError(_("Only the body that handed this down reviews its report."))
    latest = latest_report(delegation)
    if (seen_version is not None and seen_version != report.row_version) or report.state != ReportState.SUBMITTED \
            or latest is None or latest.id != report.id:
        raise _changed_meanwhile(report)
    comment = (comment or "").strip()
    if not accept and not comment:
        raise DelegationError(_("Say why the report is returned: the comment is empty."))
    try:
        refuse_personal_data(comment=comment)
    except PersonalDataFound as found:
        raise DelegationError(_("The comment contains an IIN (%(iin)s); remove it.", iin=found.masked)) from None
    moment = now()
    report.state = ReportState.ACCEPTED if accept else ReportState.RETURNED
    report.reviewed_at, report.reviewed_on = moment, local_date(moment)
    report.reviewed_by_id = reviewer.id
    report.review_comment = comment or None
    try:
        history.record("subreport.accepted" if accept else "subreport.returned", obligation=delegation.obligation,
                       body=delegation.body, actor=reviewer, details={
                           "delegation": delegation.id, "version": report.version, "comment": comment,
                           "by": delegation.from_body.label})
        signals.sub_report_reviewed.send(None, report=report)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise _changed_meanwhile(report) from None
    return report

